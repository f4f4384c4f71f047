/* report.c - program analytics as a readable table, as JSON, and as one
 * self-contained HTML page (inline SVG, no scripts, no network). */
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

static const char *program_name(plaudit_ctx *ctx)
{
    plaudit_program_info info;
    if (plaudit_program_info_get(ctx, &info) == PLAUDIT_OK && info.name) return info.name;
    return "(unnamed program)";
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void bar(FILE *f, double share, int width)
{
    int n = (int)lround(share * width);
    for (int i = 0; i < n; i++) fputc('#', f);
    for (int i = n; i < width; i++) fputc(' ', f);
}

static const char *gini_words(double g)
{
    if (g < 0.3) return "points are spread evenly";
    if (g < 0.5) return "moderately concentrated";
    if (g < 0.7) return "concentrated: a minority holds most points";
    return "highly concentrated: the same few get most of the points";
}

void report_text(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period)
{
    const char *pname = plaudit_period_name(period);
    fprintf(f, "Program analytics: %s\n", program_name(ctx));
    fprintf(f, "Window: %s", window);
    if (a->n_periods) fprintf(f, " (%s .. %s, by %s)", a->first_period, a->last_period, pname);
    fprintf(f, "\nContributions are accepted action events.\n\n");
    fprintf(f, "  %-24s %10llu\n", "members", (unsigned long long)a->members);
    fprintf(f, "  %-24s %10llu  %5.1f%% of members (participation rate)\n", "participants",
            (unsigned long long)a->participants, 100.0 * a->participation_rate);
    fprintf(f, "  %-24s %10llu  %5.1f%% of participants (active in 2+ %ss)\n", "repeat participants",
            (unsigned long long)a->repeat_participants, 100.0 * a->repeat_rate, pname);
    fprintf(f, "  %-24s %10llu  %5.1f%% of participants (2+ distinct actions)\n", "diverse participants",
            (unsigned long long)a->diverse_participants, 100.0 * a->diversity_rate);
    fprintf(f, "  %-24s %10llu\n", "contributions", (unsigned long long)a->contributions);
    fprintf(f, "  %-24s %10.1f  days (median %.1f)\n", "average tenure", a->tenure_avg_days, a->tenure_median_days);
    fprintf(f, "  %-24s %10llu  for %lld points\n", "rewards redeemed", (unsigned long long)a->rewards_redeemed,
            (long long)a->points_redeemed);

    fprintf(f, "\nRecognition fairness (among participants)\n");
    fprintf(f, "  %-24s %10.3f  %s\n", "Gini of points", a->gini, gini_words(a->gini));
    fprintf(f, "  %-24s %9.1f%%\n", "top 10% hold", 100.0 * (1.0 - a->lorenz[PLAUDIT_LORENZ_POINTS - 3]));
    fprintf(f, "  %-24s %10llu  %5.1f%% (no badge, kudos or promotion in the window)\n", "never recognized",
            (unsigned long long)a->never_recognized, 100.0 * a->never_recognized_rate);
    fprintf(f, "  %-24s %10llu  contributed in the last %lld days without recognition\n", "quiet contributors",
            (unsigned long long)a->n_quiet_total, (long long)a->quiet_days);
    if (a->n_quiet) {
        fprintf(f, "    %-32s %13s  %s\n", "member", "contributions", "last recognized");
        for (size_t i = 0; i < a->n_quiet; i++) {
            const plaudit_quiet_contributor *q = &a->quiet[i];
            char when[32];
            if (q->last_recognized < 0) snprintf(when, sizeof when, "never");
            else {
                time_t t = (time_t)q->last_recognized;
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(when, sizeof when, "%Y-%m-%d", &tm);
            }
            fprintf(f, "    %-32s %13llu  %s\n", q->member, (unsigned long long)q->contributions, when);
        }
    }

    fprintf(f, "\nTier distribution (as of each member's last evaluation)\n");
    for (size_t i = 0; i < a->n_tiers; i++) {
        double s = a->members ? (double)a->tiers[i].members / (double)a->members : 0;
        fprintf(f, "  %-24s %10llu %6.1f%%  ", a->tiers[i].id ? a->tiers[i].id : "(none)",
                (unsigned long long)a->tiers[i].members, 100.0 * s);
        bar(f, s, 40);
        fputc('\n', f);
    }
    fprintf(f, "\nSegment mix\n");
    for (size_t i = 0; i < a->n_segments; i++) {
        double s = a->members ? (double)a->segments[i].members / (double)a->members : 0;
        fprintf(f, "  %-24s %10llu %6.1f%%  ", a->segments[i].id ? a->segments[i].id : "(none)",
                (unsigned long long)a->segments[i].members, 100.0 * s);
        bar(f, s, 40);
        fputc('\n', f);
    }
    if (a->n_periods) {
        fprintf(f, "\nParticipation over time (by %s)\n", pname);
        fprintf(f, "  %-12s %10s %12s %7s %14s %12s\n", "period", "members", "participants", "rate", "contributions",
                "redemptions");
        for (size_t i = 0; i < a->n_periods; i++) {
            const plaudit_analytics_period *p = &a->periods[i];
            fprintf(f, "  %-12s %10llu %12llu %6.1f%% %14llu %12llu\n", p->label, (unsigned long long)p->members,
                    (unsigned long long)p->participants, pct(p->participants, p->members),
                    (unsigned long long)p->contributions, (unsigned long long)p->redemptions);
        }
    }
}

/* ---- JSON --------------------------------------------------------------------- */

static json_t *counts_json(const plaudit_analytics_count *c, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) json_object_set_new(o, c[i].id ? c[i].id : "(none)", json_integer((json_int_t)c[i].members));
    return o;
}

int report_json(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("plaudit.analytics/1"));
    json_object_set_new(o, "program", json_string(program_name(ctx)));
    json_object_set_new(o, "window", json_string(window));
    json_object_set_new(o, "period", json_string(plaudit_period_name(period)));
    json_object_set_new(o, "first_period", a->n_periods ? json_string(a->first_period) : json_null());
    json_object_set_new(o, "last_period", a->n_periods ? json_string(a->last_period) : json_null());
    json_object_set_new(o, "contributions_are", json_string("accepted action events"));
    json_object_set_new(o, "members", json_integer((json_int_t)a->members));
    json_object_set_new(o, "participants", json_integer((json_int_t)a->participants));
    json_object_set_new(o, "participation_rate", json_real(a->participation_rate));
    json_object_set_new(o, "repeat_participants", json_integer((json_int_t)a->repeat_participants));
    json_object_set_new(o, "repeat_rate", json_real(a->repeat_rate));
    json_object_set_new(o, "diverse_participants", json_integer((json_int_t)a->diverse_participants));
    json_object_set_new(o, "diversity_rate", json_real(a->diversity_rate));
    json_object_set_new(o, "contributions", json_integer((json_int_t)a->contributions));
    json_object_set_new(o, "tenure_avg_days", json_real(a->tenure_avg_days));
    json_object_set_new(o, "tenure_median_days", json_real(a->tenure_median_days));
    json_object_set_new(o, "tiers", counts_json(a->tiers, a->n_tiers));
    json_object_set_new(o, "segments", counts_json(a->segments, a->n_segments));
    json_object_set_new(o, "rewards_redeemed", json_integer((json_int_t)a->rewards_redeemed));
    json_object_set_new(o, "points_redeemed", json_integer((json_int_t)a->points_redeemed));
    json_object_set_new(o, "gini", json_real(a->gini));
    json_t *lz = json_array();
    for (int i = 0; i < PLAUDIT_LORENZ_POINTS; i++) json_array_append_new(lz, json_real(a->lorenz[i]));
    json_object_set_new(o, "lorenz", lz);
    json_object_set_new(o, "never_recognized", json_integer((json_int_t)a->never_recognized));
    json_object_set_new(o, "never_recognized_rate", json_real(a->never_recognized_rate));
    json_object_set_new(o, "quiet_days", json_integer((json_int_t)a->quiet_days));
    json_object_set_new(o, "quiet_total", json_integer((json_int_t)a->n_quiet_total));
    json_t *q = json_array();
    for (size_t i = 0; i < a->n_quiet; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "member", json_string(a->quiet[i].member));
        json_object_set_new(e, "contributions", json_integer((json_int_t)a->quiet[i].contributions));
        json_object_set_new(e, "last_recognized",
                            a->quiet[i].last_recognized < 0 ? json_null() : json_integer(a->quiet[i].last_recognized));
        json_array_append_new(q, e);
    }
    json_object_set_new(o, "quiet", q);
    json_t *ps = json_array();
    for (size_t i = 0; i < a->n_periods; i++) {
        const plaudit_analytics_period *p = &a->periods[i];
        json_t *e = json_object();
        json_object_set_new(e, "period", json_string(p->label));
        json_object_set_new(e, "members", json_integer((json_int_t)p->members));
        json_object_set_new(e, "new_members", json_integer((json_int_t)p->new_members));
        json_object_set_new(e, "participants", json_integer((json_int_t)p->participants));
        json_object_set_new(e, "contributions", json_integer((json_int_t)p->contributions));
        json_object_set_new(e, "redemptions", json_integer((json_int_t)p->redemptions));
        json_array_append_new(ps, e);
    }
    json_object_set_new(o, "periods", ps);
    int rc = json_dumpf(o, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (rc) return -1;
    fputc('\n', f);
    return 0;
}

/* ---- HTML ---------------------------------------------------------------------- */

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

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/* Horizontal bars for counts. */
static void svg_bars(FILE *f, const plaudit_analytics_count *c, size_t n, uint64_t total)
{
    int row = 26, w = 560, label = 140;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", w,
            (int)n * row + 10);
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (c[i].members > max) max = c[i].members;
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 5;
        double len = (double)(w - label - 120) * (double)c[i].members / (double)max;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label - 8, y + 16);
        esc(f, c[i].id ? c[i].id : "(none)");
        fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>", label, y, len,
                palette[i % 10]);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\">%llu (%.1f%%)</text>\n", label + len + 6, y + 14,
                (unsigned long long)c[i].members, pct(c[i].members, total));
    }
    fputs("</svg>\n", f);
}

static void svg_lorenz(FILE *f, const plaudit_analytics *a)
{
    int s = 300, m = 40;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", s + 2 * m,
            s + 2 * m);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", m, m, s, s);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n", m, m + s,
            m + s, m);
    fprintf(f, "<polygon fill=\"#f28e2b33\" stroke=\"none\" points=\"");
    for (int i = 0; i < PLAUDIT_LORENZ_POINTS; i++) {
        double x = (double)i / (PLAUDIT_LORENZ_POINTS - 1);
        fprintf(f, "%.1f,%.1f ", m + x * s, m + s - a->lorenz[i] * s);
    }
    fprintf(f, "%d,%d\"/>\n", m + s, m);
    fprintf(f, "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2.5\" points=\"");
    for (int i = 0; i < PLAUDIT_LORENZ_POINTS; i++) {
        double x = (double)i / (PLAUDIT_LORENZ_POINTS - 1);
        fprintf(f, "%.1f,%.1f ", m + x * s, m + s - a->lorenz[i] * s);
    }
    fputs("\"/>\n", f);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">share of participants (poorest first)</text>\n",
            m + s / 2, m + s + 28);
    fprintf(f, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">share of points</text>\n",
            m + s / 2, m + s / 2);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Gini %.3f</text>\n", m + 10, m + 20, a->gini);
    fputs("</svg>\n", f);
}

static void svg_series(FILE *f, const plaudit_analytics *a)
{
    int w = 720, h = 260, ml = 50, mb = 50, mt = 10;
    size_t n = a->n_periods;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n", w, h);
    int pw = w - ml - 10, ph = h - mb - mt;
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", ml, mt + ph, ml + pw, mt + ph);
    for (int k = 0; k <= 4; k++) {
        int y = mt + ph - ph * k / 4;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%d%%</text>", ml - 4, y + 4, 25 * k);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n", ml, y, ml + pw, y);
    }
    if (n) {
        double bw = (double)pw / (double)n;
        for (size_t i = 0; i < n; i++) {
            const plaudit_analytics_period *p = &a->periods[i];
            double r = p->members ? (double)p->participants / (double)p->members : 0;
            double x = ml + bw * (double)i;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#59a14f\">"
                       "<title>%s: %llu of %llu members took part</title></rect>\n",
                    x + bw * 0.1, mt + ph - r * ph, bw * 0.8, r * ph, p->label, (unsigned long long)p->participants,
                    (unsigned long long)p->members);
            size_t every = n > 16 ? (n + 15) / 16 : 1;
            if (i % every == 0)
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-45 %.1f %d)\">%s</text>\n",
                        x + bw / 2, mt + ph + 14, x + bw / 2, mt + ph + 14, p->label);
        }
    }
    fputs("</svg>\n", f);
}

void report_html(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Program report: ", f);
    esc(f, program_name(ctx));
    fputs("</title>\n<style>\n"
          "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:960px;margin:2em auto;"
          "padding:0 1em;color:#222}\n"
          "h1{margin-bottom:.2em}.sub{color:#666}\n"
          ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:1.5em 0}\n"
          ".card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:150px}\n"
          ".card b{display:block;font-size:1.6em}\n"
          "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}"
          "td:first-child,th:first-child{text-align:left}\n"
          "svg text{font-size:13px;fill:#333}\n"
          "</style>\n</head>\n<body>\n<h1>",
          f);
    esc(f, program_name(ctx));
    fputs("</h1>\n<p class=\"sub\">Program report, ", f);
    esc(f, window);
    if (a->n_periods) fprintf(f, " (%s to %s, by %s)", a->first_period, a->last_period, plaudit_period_name(period));
    fputs(". Contributions are accepted action events.</p>\n<div class=\"cards\">\n", f);
    fprintf(f, "<div class=\"card\"><b>%llu</b>members</div>\n", (unsigned long long)a->members);
    fprintf(f, "<div class=\"card\"><b>%.1f%%</b>participation</div>\n", 100.0 * a->participation_rate);
    fprintf(f, "<div class=\"card\"><b>%.1f%%</b>repeat participation</div>\n", 100.0 * a->repeat_rate);
    fprintf(f, "<div class=\"card\"><b>%.1f%%</b>activity diversity</div>\n", 100.0 * a->diversity_rate);
    fprintf(f, "<div class=\"card\"><b>%.0f days</b>median tenure</div>\n", a->tenure_median_days);
    fprintf(f, "<div class=\"card\"><b>%.3f</b>Gini of points</div>\n", a->gini);
    fprintf(f, "<div class=\"card\"><b>%.1f%%</b>never recognized</div>\n", 100.0 * a->never_recognized_rate);
    fprintf(f, "<div class=\"card\"><b>%llu</b>rewards redeemed</div>\n", (unsigned long long)a->rewards_redeemed);
    fputs("</div>\n<h2>Tier distribution</h2>\n", f);
    svg_bars(f, a->tiers, a->n_tiers, a->members);
    fputs("<h2>Who gets the points: the Lorenz curve</h2>\n<p>The further the curve sags below the diagonal, the more "
          "the points go to a few participants. ",
          f);
    fprintf(f, "Gini %.3f: %s.</p>\n", a->gini, gini_words(a->gini));
    svg_lorenz(f, a);
    fprintf(f, "<h2>Participation over time</h2>\n<p>Share of members (joined by then) with a contribution in each %s.</p>\n",
            plaudit_period_name(period));
    svg_series(f, a);
    fputs("<h2>Segment mix</h2>\n", f);
    svg_bars(f, a->segments, a->n_segments, a->members);
    fprintf(f, "<h2>Quiet contributors</h2>\n<p>%llu members contributed in the last %lld days without any badge, "
               "kudos or promotion in them.</p>\n",
            (unsigned long long)a->n_quiet_total, (long long)a->quiet_days);
    if (a->n_quiet) {
        fputs("<table><tr><th>member</th><th>contributions</th></tr>\n", f);
        for (size_t i = 0; i < a->n_quiet; i++) {
            fputs("<tr><td>", f);
            esc(f, a->quiet[i].member);
            fprintf(f, "</td><td>%llu</td></tr>\n", (unsigned long long)a->quiet[i].contributions);
        }
        fputs("</table>\n", f);
    }
    fputs("</body>\n</html>\n", f);
}
