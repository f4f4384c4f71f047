/* cmd-member.c - `plaudit member`: replay a program's events and explain
 * one member as a profile page would: joined, points and balance, the tier
 * and what the next one needs, the qualification tier to keep, badges with
 * their levels, times and dates, progress to the badges not yet earned,
 * the member's place on every board with its neighbours, and kudos.
 *
 *   plaudit member PROGRAM EVENTS MEMBER [--json] [--store DIR] [-q]
 *
 * Entry point for the `plaudit` tool: plaudit_cmd_member(argc, argv), with
 * argv[0] = "member"; it returns the process exit status. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plaudit.h>

#include "cmd-member.h"

enum { M_OK = 0, M_PROGRAM = 1, M_USAGE = 2, M_IO = 3, M_STORE = 4, M_INTERNAL = 5, M_UNKNOWN = 6 };

const char plaudit_cmd_member_synopsis[] = "member [--json] [--store DIR] PROGRAM EVENTS MEMBER";

const char plaudit_cmd_member_help[] =
    "      Apply the events, then explain MEMBER: joined, points, balance,\n"
    "      tier and what the next tier needs, the qualification tier to\n"
    "      keep, badges earned (level, times, dates), progress to the next\n"
    "      badges, rank on every board with the members just above and\n"
    "      below, kudos.\n"
    "      --json       one JSON document instead of text\n"
    "      --store DIR  recover from and keep the state in a file store in DIR\n"
    "                   (as for replay)\n"
    "      -q, --quiet  do not report rejected lines\n"
    "      Exit status 6: no such member.\n";

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "plaudit member: %s%s\nUsage: plaudit %s\n%s", what, arg, plaudit_cmd_member_synopsis,
            plaudit_cmd_member_help);
    return M_USAGE;
}

static int feed(plaudit_ctx *ctx, const char *path, int quiet)
{
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "plaudit member: %s: %s\n", path, strerror(errno));
        return M_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long long lineno = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        int r = plaudit_record_json(ctx, line, (size_t)len, NULL);
        if (r == PLAUDIT_ENOTFOUND && strspn(line, " \t\r\n") == (size_t)len) continue;
        if (r < 0 && r != PLAUDIT_DUPLICATE && !quiet) fprintf(stderr, "line %llu: %s\n", lineno, plaudit_errmsg(ctx));
    }
    int rc = ferror(in) ? M_IO : M_OK;
    free(line);
    if (in != stdin) fclose(in);
    (void)plaudit_flush(ctx);
    return rc;
}

static void date_of(int64_t ts, char out[32])
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
    else snprintf(out, 32, "%" PRId64, ts);
}

/* ---- JSON helpers ---- */
static void js(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

typedef struct view {
    plaudit_ctx *ctx;
    const char *member;
    plaudit_member_info mi;
    plaudit_progress pr;
} view;

static const char *crit_name(plaudit_criterion c)
{
    static const char *const n[] = {"manual",      "action_count",   "action_streak",  "distinct_actions",
                                    "points",      "tenure_days",    "kudos_received", "kudos_given",
                                    "tier",        "leaderboard"};
    return (unsigned)c < sizeof n / sizeof *n ? n[c] : "challenge";
}

static int print_text(view *v, FILE *f)
{
    plaudit_ctx *ctx = v->ctx;
    const plaudit_member_info *mi = &v->mi;
    char d[32];
    date_of(mi->joined, d);
    fprintf(f, "%s\n  joined     %s (%" PRId64 ")\n", mi->id, d, mi->joined);
    fprintf(f, "  points     %" PRId64 "\n  balance    %" PRId64 "\n", mi->points, mi->balance);
    fprintf(f, "  tier       %s\n", mi->tier ? mi->tier : "(none)");
    plaudit_progress pr;
    if (plaudit_member_progress(ctx, v->member, &pr) != PLAUDIT_OK) return M_INTERNAL;
    if (pr.next_tier)
        fprintf(f, "  next tier  %s: %" PRId64 " more points, %" PRId64 " more distinct actions, %" PRId64
                   " more days\n",
                pr.next_tier, pr.next_points, pr.next_distinct_actions, pr.next_tenure_days);
    else fprintf(f, "  next tier  (at the top)\n");
    if (pr.keep_tier)
        fprintf(f, "  keep       %s: %" PRId64 " more points this period%s\n", pr.keep_tier, pr.keep_points,
                pr.keep_points ? "" : " (requalified)");
    if (mi->team) fprintf(f, "  team       %s\n", mi->team);
    fprintf(f, "  segment    %s%s\n", mi->segment ? mi->segment : "(none)", mi->segment_pinned ? " (pinned)" : "");
    fprintf(f, "  kudos      %" PRIu64 " received, %" PRIu64 " given\n", mi->kudos_received, mi->kudos_given);
    const plaudit_badge_earned *e;
    size_t n;
    if (plaudit_member_badges(ctx, v->member, &e, &n) != PLAUDIT_OK) return M_INTERNAL;
    fprintf(f, "  badges\n");
    if (!n) fprintf(f, "    (none)\n");
    for (size_t i = 0; i < n; i++) {
        char a[32], b[32];
        date_of(e[i].first_ts, a);
        date_of(e[i].last_ts, b);
        fprintf(f, "    %-24s level %u, %u time%s, first %s, last %s\n", e[i].badge, e[i].level, e[i].times,
                e[i].times == 1 ? "" : "s", a, b);
    }
    /* badges progress (the array above is reused by the next call) */
    if (plaudit_member_progress(ctx, v->member, &pr) != PLAUDIT_OK) return M_INTERNAL;
    fprintf(f, "  progress\n");
    if (!pr.n_badges) fprintf(f, "    (nothing left)\n");
    for (size_t i = 0; i < pr.n_badges; i++) {
        const plaudit_badge_progress *p = &pr.badges[i];
        fprintf(f, "    %-24s %s %" PRId64 " of %" PRId64 " (level %u of %u)%s\n", p->badge, crit_name(p->criterion),
                p->current, p->next, p->level, p->levels, p->earned_this_period ? ", earned this period" : "");
        for (size_t j = 0; j < p->n_parts; j++) /* a challenge's parts */
            fprintf(f, "      %s %s%s%s %" PRId64 " of %" PRId64 "%s\n", p->parts[j].met ? "[x]" : "[ ]",
                    crit_name(p->parts[j].criterion), p->parts[j].action || p->parts[j].tier ? " " : "",
                    p->parts[j].action ? p->parts[j].action : p->parts[j].tier ? p->parts[j].tier : "",
                    p->parts[j].current, p->parts[j].target,
                    p->parts[j].within ? (p->parts[j].within == PLAUDIT_PERIOD_ALL ? "" : " this period") : "");
    }
    for (size_t j = 0; j < pr.n_next_benefits; j++)
        fprintf(f, "  %s %s\n", j ? "          " : "next gives", pr.next_benefits[j]);
    fprintf(f, "  boards\n");
    const char *board;
    for (size_t i = 0; (board = plaudit_leaderboard_at(ctx, i)); i++) {
        plaudit_leaderboard_info li;
        if (plaudit_leaderboard_info_get(ctx, board, &li) != PLAUDIT_OK) return M_INTERNAL;
        const char *who = li.by == PLAUDIT_BY_TEAM ? mi->team : v->member;
        uint64_t rank = 0;
        int64_t score = 0;
        if (!who || plaudit_leaderboard_rank(ctx, board, who, &rank, &score) != PLAUDIT_OK || !rank) {
            fprintf(f, "    %-24s not ranked (%" PRIu64 " ranked)\n", board, li.count);
            continue;
        }
        fprintf(f, "    %-24s #%" PRIu64 " of %" PRIu64 " with %" PRId64 "%s%s%s\n", board, rank, li.count, score,
                who != v->member ? " (team " : "", who != v->member ? who : "", who != v->member ? ")" : "");
        plaudit_rank_entry around[3];
        size_t na = 0;
        if (plaudit_leaderboard_around(ctx, board, who, 1, around, &na) != PLAUDIT_OK) return M_INTERNAL;
        for (size_t j = 0; j < na; j++)
            if (strcmp(around[j].member, who))
                fprintf(f, "      %s #%" PRIu64 " %s %" PRId64 "\n", around[j].rank < rank ? "above" : "below",
                        around[j].rank, around[j].member, around[j].score);
    }
    return M_OK;
}

static int print_json(view *v, FILE *f)
{
    plaudit_ctx *ctx = v->ctx;
    const plaudit_member_info *mi = &v->mi;
    fputs("{\"member\":", f);
    js(f, mi->id);
    fprintf(f, ",\"joined\":%" PRId64 ",\"points\":%" PRId64 ",\"balance\":%" PRId64 ",\"tier\":", mi->joined,
            mi->points, mi->balance);
    js(f, mi->tier);
    fputs(",\"segment\":", f);
    js(f, mi->segment);
    fputs(",\"team\":", f);
    js(f, mi->team);
    fprintf(f, ",\"kudos_received\":%" PRIu64 ",\"kudos_given\":%" PRIu64, mi->kudos_received, mi->kudos_given);
    plaudit_progress pr;
    if (plaudit_member_progress(ctx, v->member, &pr) != PLAUDIT_OK) return M_INTERNAL;
    fputs(",\"next_tier\":", f);
    if (pr.next_tier) {
        fputs("{\"tier\":", f);
        js(f, pr.next_tier);
        fprintf(f, ",\"points\":%" PRId64 ",\"distinct_actions\":%" PRId64 ",\"tenure_days\":%" PRId64 "}",
                pr.next_points, pr.next_distinct_actions, pr.next_tenure_days);
    } else fputs("null", f);
    fputs(",\"keep\":", f);
    if (pr.keep_tier) {
        fputs("{\"tier\":", f);
        js(f, pr.keep_tier);
        fprintf(f, ",\"points\":%" PRId64 "}", pr.keep_points);
    } else fputs("null", f);
    fputs(",\"progress\":[", f);
    for (size_t i = 0; i < pr.n_badges; i++) {
        const plaudit_badge_progress *p = &pr.badges[i];
        if (i) fputc(',', f);
        fputs("{\"badge\":", f);
        js(f, p->badge);
        fprintf(f, ",\"criterion\":\"%s\",\"current\":%" PRId64 ",\"next\":%" PRId64 ",\"level\":%u,\"levels\":%u}",
                crit_name(p->criterion), p->current, p->next, p->level, p->levels);
    }
    const plaudit_badge_earned *e;
    size_t n;
    if (plaudit_member_badges(ctx, v->member, &e, &n) != PLAUDIT_OK) return M_INTERNAL;
    fputs("],\"badges\":[", f);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        fputs("{\"badge\":", f);
        js(f, e[i].badge);
        fprintf(f, ",\"level\":%u,\"times\":%u,\"first_ts\":%" PRId64 ",\"last_ts\":%" PRId64 "}", e[i].level,
                e[i].times, e[i].first_ts, e[i].last_ts);
    }
    fputs("],\"boards\":[", f);
    const char *board;
    for (size_t i = 0; (board = plaudit_leaderboard_at(ctx, i)); i++) {
        plaudit_leaderboard_info li;
        if (plaudit_leaderboard_info_get(ctx, board, &li) != PLAUDIT_OK) return M_INTERNAL;
        const char *who = li.by == PLAUDIT_BY_TEAM ? mi->team : v->member;
        uint64_t rank = 0;
        int64_t score = 0;
        if (who && plaudit_leaderboard_rank(ctx, board, who, &rank, &score) != PLAUDIT_OK) rank = 0;
        if (i) fputc(',', f);
        fputs("{\"board\":", f);
        js(f, board);
        fputs(",\"entry\":", f);
        js(f, who);
        fprintf(f, ",\"rank\":%" PRIu64 ",\"score\":%" PRId64 ",\"ranked\":%" PRIu64 ",\"around\":[", rank,
                rank ? score : 0, li.count);
        plaudit_rank_entry around[3];
        size_t na = 0;
        if (rank && plaudit_leaderboard_around(ctx, board, who, 1, around, &na) != PLAUDIT_OK) return M_INTERNAL;
        for (size_t j = 0; j < na; j++) {
            if (j) fputc(',', f);
            fprintf(f, "{\"rank\":%" PRIu64 ",\"entry\":", around[j].rank);
            js(f, around[j].member);
            fprintf(f, ",\"score\":%" PRId64 "}", around[j].score);
        }
        fputs("]}", f);
    }
    fputs("]}\n", f);
    return M_OK;
}

int plaudit_cmd_member(int argc, char **argv)
{
    const char *pos[3], *store = NULL;
    int npos = 0, json = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--store")) {
            if (++i == argc) return usage("a value is needed after ", a);
            store = argv[i];
        } else if (a[0] == '-' && a[1]) return usage("unknown option ", a);
        else if (npos == 3) return usage("too many arguments: ", a);
        else pos[npos++] = a;
    }
    if (npos != 3) return usage("expected PROGRAM EVENTS MEMBER", "");
    plaudit_ctx *ctx = NULL;
    if (plaudit_ctx_new(&ctx, NULL) != PLAUDIT_OK) return M_INTERNAL;
    int rc = M_OK;
    if (plaudit_program_load_file(ctx, pos[0]) != PLAUDIT_OK) {
        fprintf(stderr, "plaudit member: %s: %s\n", pos[0], plaudit_errmsg(ctx));
        rc = plaudit_errcode(ctx) == PLAUDIT_EIO ? M_IO : M_PROGRAM;
        plaudit_ctx_free(ctx);
        return rc;
    }
    plaudit_store st;
    if (store) {
        plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
        so.sync = PLAUDIT_SYNC_BATCH;
        so.sync_every_n = 4096;
        if (plaudit_file_store_open(ctx, &st, store, PLAUDIT_FILE_STORE_CREATE | PLAUDIT_FILE_STORE_ARCHIVE, 0) !=
            PLAUDIT_OK) {
            fprintf(stderr, "plaudit member: --store %s: %s\n", store, plaudit_errmsg(ctx));
            plaudit_ctx_free(ctx);
            return M_STORE;
        }
        if (plaudit_store_attach(ctx, &st, &so) != PLAUDIT_OK) {
            fprintf(stderr, "plaudit member: --store %s: %s\n", store, plaudit_errmsg(ctx));
            plaudit_store_close(&st);
            plaudit_ctx_free(ctx);
            return M_STORE;
        }
    }
    rc = feed(ctx, pos[1], quiet);
    if (!rc && store && (plaudit_store_snapshot(ctx) != PLAUDIT_OK || plaudit_store_detach(ctx) != PLAUDIT_OK)) {
        fprintf(stderr, "plaudit member: --store %s: %s\n", store, plaudit_errmsg(ctx));
        rc = M_STORE;
    }
    view v;
    memset(&v, 0, sizeof v);
    v.ctx = ctx;
    v.member = pos[2];
    if (!rc && plaudit_member_get(ctx, pos[2], &v.mi) != PLAUDIT_OK) {
        fprintf(stderr, "plaudit member: %s\n", plaudit_errmsg(ctx));
        rc = M_UNKNOWN;
    }
    if (!rc) rc = json ? print_json(&v, stdout) : print_text(&v, stdout);
    if (!rc && (fflush(stdout) || ferror(stdout))) rc = M_IO;
    plaudit_ctx_free(ctx);
    return rc;
}
