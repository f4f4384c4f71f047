/* report-html.c - program analytics as one self-contained HTML page:
 * inline SVG and CSS, no scripts, no network.
 *
 * Every chart is an SVG with a viewBox that scales to the page's width
 * (a phone's too); its margins are sized for the larger text used on narrow
 * screens (the media query below), so that no label is cut off at either
 * size.  Partial periods (the data starts or ends inside them) are drawn
 * lighter and said to be partial, so that they do not read as drops. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report-time.h"
#include "report.h"

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/* Width of `s` in pixels at font size `px` (a generous estimate: digits and
 * lower-case letters of a sans-serif are about 0.6 em). */
static double text_w(const char *s, double px)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++; /* UTF-8 characters */
    return (double)n * px * 0.62;
}

/* The larger font of narrow screens, in SVG units: margins are sized for it. */
#define PHONE_PX 18.0
#define DESK_PX 13.0

static void svg_open(FILE *f, const char *cls, int w, int h, const char *label)
{
    fprintf(f, "<svg class=\"chart %s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
               "height=\"%d\" style=\"max-width:%dpx\" role=\"img\" aria-label=\"",
            cls, w, h, w, h, w);
    esc(f, label);
    fputs("\">\n", f);
}

/* Horizontal bars for counts. */
static void svg_bars(FILE *f, const plaudit_analytics_count *c, size_t n, uint64_t total, const char *label)
{
    double longest = 40;
    for (size_t i = 0; i < n; i++) {
        double t = text_w(c[i].id ? c[i].id : "(none)", PHONE_PX);
        if (t > longest) longest = t;
    }
    int lw = (int)ceil(longest) + 12, vw = (int)ceil(text_w("999999 (100.0%)", PHONE_PX)) + 12;
    int row = 30, w = lw + 260 + vw;
    svg_open(f, "bars", w, (int)n * row + 10, label);
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (c[i].members > max) max = c[i].members;
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 5;
        double len = 260.0 * (double)c[i].members / (double)max;
        fprintf(f, "<text class=\"name\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", lw - 8, y + 17);
        esc(f, c[i].id ? c[i].id : "(none)");
        fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>", lw, y, len,
                palette[i % 10]);
        fprintf(f, "<text class=\"value\" x=\"%.1f\" y=\"%d\">%llu (%.1f%%)</text>\n", lw + len + 6, y + 17,
                (unsigned long long)c[i].members, pct(c[i].members, total));
    }
    fputs("</svg>\n", f);
}

static void svg_lorenz(FILE *f, const plaudit_analytics *a)
{
    int s = 300, ml = 30 + (int)ceil(text_w("100%", PHONE_PX)) + 10, mr = (int)ceil(text_w("100%", PHONE_PX) / 2) + 8;
    int mt = (int)PHONE_PX / 2 + 4; /* the top tick label is centred on the edge */
    int mb = 16 + (int)PHONE_PX + 10 + (int)PHONE_PX + 8;
    svg_open(f, "lorenz", ml + s + mr, mt + s + mb, "Lorenz curve of points among participants");
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", ml, mt, s, s);
    for (int k = 0; k <= 4; k++) { /* ticks and grid: 0, 25, 50, 75, 100% on both axes */
        int x = ml + s * k / 4, y = mt + s - s * k / 4;
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", x, mt, x, mt + s);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", ml, y, ml + s, y);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", x, mt + s, x, mt + s + 5);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", ml - 5, y, ml, y);
        fprintf(f, "<text class=\"tick x\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" dominant-baseline=\"hanging\">"
                   "%d%%</text>",
                x, mt + s + 8, 25 * k);
        fprintf(f, "<text class=\"tick y\" x=\"%d\" y=\"%d\" text-anchor=\"end\" dominant-baseline=\"middle\">"
                   "%d%%</text>\n",
                ml - 8, y, 25 * k);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n", ml, mt + s,
            ml + s, mt);
    if (a->participants) {
        fprintf(f, "<polygon fill=\"#f28e2b33\" stroke=\"none\" points=\"");
        for (int i = 0; i < PLAUDIT_LORENZ_POINTS; i++) {
            double x = (double)i / (PLAUDIT_LORENZ_POINTS - 1);
            fprintf(f, "%.1f,%.1f ", ml + x * s, mt + s - a->lorenz[i] * s);
        }
        fprintf(f, "%d,%d\"/>\n", ml + s, mt);
        fprintf(f, "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2.5\" points=\"");
        for (int i = 0; i < PLAUDIT_LORENZ_POINTS; i++) {
            double x = (double)i / (PLAUDIT_LORENZ_POINTS - 1);
            fprintf(f, "%.1f,%.1f ", ml + x * s, mt + s - a->lorenz[i] * s);
        }
        fputs("\"/>\n", f);
        fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\" font-weight=\"bold\">Gini %.3f</text>\n", ml + 10, mt + 26,
                a->gini);
    } else {
        fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">no contributions</text>\n",
                ml + s / 2, mt + s / 2);
    }
    fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">participants (fewest points first)"
               "</text>\n",
            ml + s / 2, mt + s + mb - 8);
    fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\" text-anchor=\"middle\" "
               "dominant-baseline=\"hanging\">share of points</text>\n",
            6, mt + s / 2, 6, mt + s / 2);
    fputs("</svg>\n", f);
}

/* The participation rate per period, a label under every few bars (fewer
 * on a phone, in a larger font: class minor is hidden there). */
static void svg_series(FILE *f, const plaudit_analytics *a, const report_period *rp, plaudit_period period)
{
    size_t n = a->n_periods;
    int short_labels = period == PLAUDIT_PERIOD_DAY || period == PLAUDIT_PERIOD_WEEK;
    double label_w = text_w("2026-12-31", PHONE_PX);
    int reach = (int)ceil(label_w * 0.7072 + PHONE_PX * 0.7072); /* a -45 degree label, down and left */
    int ml = reach > 64 ? reach : 64, mr = 16, mt = 12, mb = reach + 26, pw = 560, ph = 200;
    int w = ml + pw + mr, h = mt + ph + mb;
    svg_open(f, "series", w, h, "participation rate per period");
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", ml, mt + ph, ml + pw, mt + ph);
    for (int k = 0; k <= 4; k++) {
        int y = mt + ph - ph * k / 4;
        fprintf(f, "<text class=\"tick y\" x=\"%d\" y=\"%d\" text-anchor=\"end\" dominant-baseline=\"middle\">%d%%"
                   "</text>",
                ml - 6, y, 25 * k);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n", ml, y, ml + pw, y);
    }
    if (!n) {
        fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">no data in the window</text>\n",
                ml + pw / 2, mt + ph / 2);
        fputs("</svg>\n", f);
        return;
    }
    double bw = (double)pw / (double)n;
    /* Labels at 45 degrees need about 1.6 font sizes between neighbours: a
     * label every `every` bars at the desktop size, and on a phone only
     * every `every_phone` (a multiple of it; the others are "minor"). */
    size_t every = (size_t)ceil(DESK_PX * 1.6 / bw);
    if (every < 1) every = 1;
    size_t every_phone = (size_t)ceil(PHONE_PX * 1.6 / bw);
    every_phone = every * ((every_phone + every - 1) / every);
    if (every_phone < every) every_phone = every;
    for (size_t i = 0; i < n; i++) {
        const plaudit_analytics_period *p = &a->periods[i];
        report_period blank = {0, 0, "", ""};
        if (!rp) { /* out of memory: the library's labels, nothing marked */
            snprintf(blank.first_day, sizeof blank.first_day, "%s", p->label);
            snprintf(blank.last_day, sizeof blank.last_day, "%s", p->label);
        }
        const report_period *r = rp ? &rp[i] : &blank;
        int partial = r->partial_start || r->partial_end;
        double rate = p->members ? (double)p->participants / (double)p->members : 0;
        double x = ml + bw * (double)i;
        fprintf(f, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#59a14f\"%s>"
                   "<title>%s: %llu of %llu members took part (%.1f%%)",
                partial ? " partial" : "", x + bw * 0.1, mt + ph - rate * ph, bw * 0.8, rate * ph,
                partial ? " fill-opacity=\"0.4\" stroke=\"#59a14f\" stroke-dasharray=\"3 2\"" : "", p->label,
                (unsigned long long)p->participants,
                (unsigned long long)p->members, 100.0 * rate);
        if (partial)
            fprintf(f, "; partial %s: data from %s to %s", plaudit_period_name(period), r->first_day, r->last_day);
        fputs("</title></rect>\n", f);
        if (i % every) continue;
        /* day and week bars are labelled with their first day with data,
         * so that the first is never a date before the data */
        const char *text = short_labels ? r->first_day : p->label;
        double cx = x + bw / 2;
        fprintf(f, "<text class=\"period%s\" x=\"%.1f\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-45 %.1f %d)\">",
                i % every_phone ? " minor" : "", cx, mt + ph + 16, cx, mt + ph + 16);
        esc(f, text);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

static void card(FILE *f, const char *value, const char *name, const char *def)
{
    fprintf(f, "<div class=\"card\"><b>%s</b><span class=\"name\">%s</span><small class=\"def\">", value, name);
    esc(f, def);
    fputs("</small></div>\n", f);
}

void report_html(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period)
{
    const char *pname = plaudit_period_name(period);
    report_period *rp = a->n_periods ? calloc(a->n_periods, sizeof *rp) : NULL;
    if (rp) report_periods(ctx, a, period, rp);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Program report: ",
          f);
    esc(f, report_program_name(ctx));
    fputs("</title>\n<style>\n"
          "*{box-sizing:border-box}\n"
          "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:960px;margin:2em auto;"
          "padding:0 1em;color:#222;line-height:1.4}\n"
          "h1{margin-bottom:.2em;overflow-wrap:anywhere}.sub{color:#666}\n"
          ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin:1.5em 0}\n"
          ".card{border:1px solid #ddd;border-radius:8px;padding:10px 14px}\n"
          ".card b{display:block;font-size:1.6em}.card .name{display:block;font-weight:600}\n"
          ".card .def{display:block;color:#666;font-size:.85em;margin-top:.2em}\n"
          ".table{overflow-x:auto}\n"
          "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}"
          "td:first-child,th:first-child{text-align:left}\n"
          "svg.chart{display:block;width:100%;height:auto;margin:.5em 0}\n"
          "svg text{font-size:13px;fill:#333}\n"
          ".legend{color:#666;font-size:.9em}\n"
          "@media (max-width:600px){body{margin:1em auto}h1{font-size:1.5em}"
          ".cards{grid-template-columns:1fr 1fr;gap:8px}.card{padding:8px 10px}.card b{font-size:1.3em}"
          "svg text{font-size:18px}svg .minor{display:none}}\n"
          "</style>\n</head>\n<body>\n<h1>",
          f);
    esc(f, report_program_name(ctx));
    fputs("</h1>\n<p class=\"sub\">Program report, ", f);
    esc(f, window);
    if (a->n_periods)
        fprintf(f, " (data from %s to %s, by %s)", rp ? rp[0].first_day : a->first_period,
                rp ? rp[a->n_periods - 1].last_day : a->last_period, pname);
    fputs(". Contributions are accepted action events.</p>\n<div class=\"cards\">\n", f);
    char v[64], d[160];
    snprintf(v, sizeof v, "%llu", (unsigned long long)a->members);
    card(f, v, "members", "joined by the end of the window");
    snprintf(v, sizeof v, "%.1f%%", 100.0 * a->participation_rate);
    snprintf(d, sizeof d, "of members contributed in the window (%llu)", (unsigned long long)a->participants);
    card(f, v, "participation", d);
    snprintf(v, sizeof v, "%.1f%%", 100.0 * a->repeat_rate);
    snprintf(d, sizeof d, "of participants contributed in 2 or more %ss (%llu)", pname,
             (unsigned long long)a->repeat_participants);
    card(f, v, "repeat participation", d);
    snprintf(v, sizeof v, "%.1f%%", 100.0 * a->diversity_rate);
    snprintf(d, sizeof d, "of participants did 2 or more different actions (%llu)",
             (unsigned long long)a->diverse_participants);
    card(f, v, "activity diversity", d);
    snprintf(v, sizeof v, "%.0f days", a->tenure_median_days);
    snprintf(d, sizeof d, "since joining, the median over members (average %.0f)", a->tenure_avg_days);
    card(f, v, "median tenure", d);
    if (a->participants) snprintf(v, sizeof v, "%.3f", a->gini);
    else snprintf(v, sizeof v, "n/a"); /* nothing to compare: not "equal" */
    card(f, v, "Gini of points", "of the points among participants: 0 all equal, near 1 one member has all");
    snprintf(v, sizeof v, "%.1f%%", 100.0 * a->never_recognized_rate);
    snprintf(d, sizeof d, "of participants got no badge, kudos or promotion in the window (%llu)",
             (unsigned long long)a->never_recognized);
    card(f, v, "never recognized", d);
    snprintf(v, sizeof v, "%llu", (unsigned long long)a->rewards_redeemed);
    snprintf(d, sizeof d, "redemptions in the window, for %lld points", (long long)a->points_redeemed);
    card(f, v, "rewards redeemed", d);
    fputs("</div>\n<h2>Tier distribution</h2>\n", f);
    svg_bars(f, a->tiers, a->n_tiers, a->members, "members per tier");
    fputs("<h2>Who gets the points: the Lorenz curve</h2>\n<p>The further the curve sags below the diagonal, the more "
          "the points go to a few participants. ",
          f);
    fprintf(f, "Gini %.3f: %s.</p>\n", a->gini, report_gini_words(a));
    svg_lorenz(f, a);
    fprintf(f, "<h2>Participation over time</h2>\n<p>Share of members (joined by then) with a contribution in each %s."
               "</p>\n",
            pname);
    svg_series(f, a, rp, period);
    if (rp && a->n_periods && (rp[0].partial_start || rp[a->n_periods - 1].partial_end)) {
        fprintf(f, "<p class=\"legend\">Lighter, dashed bars are partial %ss: the data", pname);
        if (rp[0].partial_start) fprintf(f, " starts on %s", rp[0].first_day);
        if (rp[0].partial_start && rp[a->n_periods - 1].partial_end) fputs(" and", f);
        if (rp[a->n_periods - 1].partial_end) fprintf(f, " ends on %s", rp[a->n_periods - 1].last_day);
        fprintf(f, " inside them, so a lower rate there is not a drop.</p>\n");
    }
    fputs("<h2>Segment mix</h2>\n", f);
    svg_bars(f, a->segments, a->n_segments, a->members, "members per segment");
    fprintf(f, "<h2>Quiet contributors</h2>\n<p>%llu members contributed in the last %lld days without any badge, "
               "kudos or promotion in them.</p>\n",
            (unsigned long long)a->n_quiet_total, (long long)a->quiet_days);
    if (a->n_quiet) {
        fputs("<div class=\"table\"><table><tr><th>member</th><th>contributions</th><th>last recognized</th></tr>\n",
              f);
        for (size_t i = 0; i < a->n_quiet; i++) {
            char when[16] = "never";
            if (a->quiet[i].last_recognized >= 0) report_local_date(ctx, a->quiet[i].last_recognized, when);
            fputs("<tr><td>", f);
            esc(f, a->quiet[i].member);
            fprintf(f, "</td><td>%llu</td><td>%s</td></tr>\n", (unsigned long long)a->quiet[i].contributions, when);
        }
        fputs("</table></div>\n", f);
    }
    report_teams(f, ctx, 1);
    report_team_analytics(f, a, 1);
    fputs("</body>\n</html>\n", f);
    free(rp);
}
