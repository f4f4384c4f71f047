/* report.c - program analytics as a readable table and as JSON (the HTML
 * page is in report-html.c). */
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report-time.h"

#include <jansson.h>

const char *report_program_name(plaudit_ctx *ctx)
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

const char *report_gini_words(const plaudit_analytics *a)
{
    double g = a->gini;
    if (!a->participants) return "no contributions in the window, so no points to compare";
    if (g < 0.3) return "points are spread evenly";
    if (g < 0.5) return "moderately concentrated";
    if (g < 0.7) return "concentrated: a minority holds most points";
    return "highly concentrated: the same few get most of the points";
}

void report_text(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period)
{
    const char *pname = plaudit_period_name(period);
    fprintf(f, "Program analytics: %s\n", report_program_name(ctx));
    fprintf(f, "Window: %s", window);
    report_period *rp = a->n_periods ? calloc(a->n_periods, sizeof *rp) : NULL;
    if (rp) {
        /* the days of the data in the window, not only the first period's
         * label (a week's Monday may be before the data) */
        report_periods(ctx, a, period, rp);
        fprintf(f, " (periods %s .. %s by %s; data from %s to %s)", a->first_period, a->last_period, pname,
                rp[0].first_day, rp[a->n_periods - 1].last_day);
    } else if (a->n_periods) {
        fprintf(f, " (%s .. %s, by %s)", a->first_period, a->last_period, pname);
    }
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
    fprintf(f, "  %-24s %10.3f  %s\n", "Gini of points", a->gini, report_gini_words(a));
    fprintf(f, "  %-24s %9.1f%%\n", "top 10% hold", 100.0 * (1.0 - a->lorenz[PLAUDIT_LORENZ_POINTS - 3]));
    fprintf(f, "  %-24s %10llu  %5.1f%% (no badge, kudos or promotion in the window)\n", "never recognized",
            (unsigned long long)a->never_recognized, 100.0 * a->never_recognized_rate);
    fprintf(f, "  %-24s %10llu  contributed in the last %lld days without recognition\n", "quiet contributors",
            (unsigned long long)a->n_quiet_total, (long long)a->quiet_days);
    if (a->n_quiet) {
        fprintf(f, "    %-32s %13s  %s\n", "member", "contributions", "last recognized (local)");
        for (size_t i = 0; i < a->n_quiet; i++) {
            const plaudit_quiet_contributor *q = &a->quiet[i];
            char when[32];
            if (q->last_recognized < 0) snprintf(when, sizeof when, "never");
            else report_local_date(ctx, q->last_recognized, when); /* local, like the periods */
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
        int any_partial = 0;
        fprintf(f, "\nParticipation over time (by %s)\n", pname);
        fprintf(f, "  %-12s %10s %12s %7s %14s %12s\n", "period", "members", "participants", "rate", "contributions",
                "redemptions");
        for (size_t i = 0; i < a->n_periods; i++) {
            const plaudit_analytics_period *p = &a->periods[i];
            int partial = rp && (rp[i].partial_start || rp[i].partial_end);
            any_partial |= partial;
            fprintf(f, "  %-11s%c %10llu %12llu %6.1f%% %14llu %12llu\n", p->label, partial ? '*' : ' ',
                    (unsigned long long)p->members, (unsigned long long)p->participants,
                    pct(p->participants, p->members), (unsigned long long)p->contributions,
                    (unsigned long long)p->redemptions);
        }
        if (any_partial) {
            fprintf(f, "  * partial %s: the data", pname);
            if (rp[0].partial_start) fprintf(f, " starts on %s", rp[0].first_day);
            if (rp[0].partial_start && rp[a->n_periods - 1].partial_end) fputs(" and", f);
            if (rp[a->n_periods - 1].partial_end) fprintf(f, " ends on %s", rp[a->n_periods - 1].last_day);
            fputs(" (not a drop)\n", f);
        }
    }
    free(rp);
    report_teams(f, ctx, 0);
    report_team_analytics(f, a, 0);
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
    json_object_set_new(o, "program", json_string(report_program_name(ctx)));
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
    if (a->n_teams) {
        /* format 2: by team, in the order they were named, then "(none)" */
        json_t *ts = json_array();
        for (size_t i = 0; i < a->n_teams; i++) {
            const plaudit_analytics_team *t = &a->teams[i];
            json_t *e = json_object();
            json_object_set_new(e, "team", t->id ? json_string(t->id) : json_null());
            json_object_set_new(e, "members", json_integer((json_int_t)t->members));
            json_object_set_new(e, "participants", json_integer((json_int_t)t->participants));
            json_object_set_new(e, "participation_rate", json_real(t->participation_rate));
            json_object_set_new(e, "contributions", json_integer((json_int_t)t->contributions));
            json_object_set_new(e, "points", json_integer((json_int_t)t->points));
            json_object_set_new(e, "gini", json_real(t->gini));
            json_object_set_new(e, "never_recognized", json_integer((json_int_t)t->never_recognized));
            json_object_set_new(e, "never_recognized_rate", json_real(t->never_recognized_rate));
            json_array_append_new(ts, e);
        }
        json_object_set_new(o, "teams", ts);
    }
    int rc = json_dumpf(o, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (rc) return -1;
    fputc('\n', f);
    return 0;
}

