/* cmd-member.c - `plaudit member`: replay a program's events and explain
 * one member as a profile page would: joined, points and balance, the tier
 * and what the next one needs, the qualification tier to keep, badges with
 * their levels, times and dates, progress to the badges not yet earned,
 * the member's place on every board with its neighbours, kudos, and the
 * newest entries of its points history (why it has the points it has).
 *
 *   plaudit member PROGRAM EVENTS MEMBER [--json] [--history N] [--store DIR] [-q]
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

const char plaudit_cmd_member_synopsis[] = "member [--json] [--history N] [--store DIR] PROGRAM EVENTS MEMBER";

const char plaudit_cmd_member_help[] =
    "      Apply the events, then explain MEMBER: joined, points, balance,\n"
    "      tier and what the next tier needs, the qualification tier to\n"
    "      keep, badges earned (level, times, dates), progress to the next\n"
    "      badges, rank on every board with the members just above and\n"
    "      below, kudos, and the points history: each change of points or\n"
    "      balance, newest first, with its cause (action, badge bonus, kudos\n"
    "      and giver, adjustment and reason, redemption, revoke and what it\n"
    "      revoked) and the event's id and ref.\n"
    "      --json       one JSON document instead of text\n"
    "      --history N  show the newest N history entries (default 10; 0:\n"
    "                   none; all: every one)\n"
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
    size_t history;           /* entries to show (0: none) */
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

static const char *cause_name(plaudit_source c)
{
    static const char *const n[] = {"action", "bonus", "kudos", "adjust", "revoke", "redeem"};
    return (unsigned)c < sizeof n / sizeof *n ? n[c] : "?";
}

/* The newest v->history entries, page by page (a page at a time is how
 * the library gives them), to fn; the count given and kept to *total and
 * *kept. */
#define HPAGE 64
static int history_walk(view *v, uint64_t *total, uint64_t *kept,
                        void (*fn)(const plaudit_history_entry *e, size_t i, FILE *f), FILE *f)
{
    if (plaudit_member_history_count(v->ctx, v->member, total, kept) != PLAUDIT_OK) return M_INTERNAL;
    plaudit_history_entry page[HPAGE];
    uint64_t before = 0;
    size_t shown = 0;
    while (shown < v->history) {
        size_t want = v->history - shown < HPAGE ? v->history - shown : HPAGE, n = 0;
        if (plaudit_member_history(v->ctx, v->member, before, want, page, &n, &before) != PLAUDIT_OK)
            return M_INTERNAL;
        for (size_t i = 0; i < n; i++) fn(&page[i], shown++, f);
        if (!before || !n) break;
    }
    return M_OK;
}

static void history_line(const plaudit_history_entry *e, size_t i, FILE *f)
{
    (void)i;
    char d[32];
    date_of(e->ts, d);
    fprintf(f, "    %s  %+6" PRId64 " points %+6" PRId64 " balance  ", d, e->points, e->balance);
    switch (e->cause) {
    case PLAUDIT_SOURCE_ACTION: fprintf(f, "action %s", e->cause_id ? e->cause_id : "?"); break;
    case PLAUDIT_SOURCE_BONUS: fprintf(f, "bonus of badge %s", e->cause_id ? e->cause_id : "?"); break;
    case PLAUDIT_SOURCE_KUDOS: fprintf(f, "kudos from %s", e->cause_id ? e->cause_id : "?"); break;
    case PLAUDIT_SOURCE_ADJUST: fprintf(f, "adjustment%s%s", e->reason ? ": " : "", e->reason ? e->reason : ""); break;
    case PLAUDIT_SOURCE_REDEEM: fprintf(f, "redeemed %s", e->cause_id ? e->cause_id : "?"); break;
    case PLAUDIT_SOURCE_REVOKE:
        fprintf(f, "revoke of %s%s%s%s%s", e->revoked_event ? e->revoked_event : "",
                e->revoked_event && e->revoked_ref ? " " : "", e->revoked_ref ? "(ref " : "",
                e->revoked_ref ? e->revoked_ref : "", e->revoked_ref ? ")" : "");
        if (e->reason) fprintf(f, ": %s", e->reason);
        break;
    }
    if (e->event_type != PLAUDIT_EVENT_ACTION && e->cause == PLAUDIT_SOURCE_BONUS)
        fprintf(f, " (%s event)", plaudit_event_type_name(e->event_type));
    if (e->event_id || (e->event_ref && e->cause != PLAUDIT_SOURCE_REVOKE)) {
        fputs("  [", f);
        if (e->event_id) fprintf(f, "id %s", e->event_id);
        if (e->event_ref && e->cause != PLAUDIT_SOURCE_REVOKE) fprintf(f, "%sref %s", e->event_id ? ", " : "", e->event_ref);
        fputc(']', f);
    }
    fputc('\n', f);
}

static void history_json(const plaudit_history_entry *e, size_t i, FILE *f)
{
    if (i) fputc(',', f);
    fprintf(f, "{\"seq\":%" PRIu64 ",\"ts\":%" PRId64 ",\"points\":%" PRId64 ",\"balance\":%" PRId64
               ",\"cause\":\"%s\",\"cause_id\":",
            e->seq, e->ts, e->points, e->balance, cause_name(e->cause));
    js(f, e->cause_id);
    fprintf(f, ",\"event_type\":\"%s\",\"event_id\":", plaudit_event_type_name(e->event_type));
    js(f, e->event_id);
    fputs(",\"event_ref\":", f);
    js(f, e->event_ref);
    fputs(",\"reason\":", f);
    js(f, e->reason);
    fputs(",\"revoked_event\":", f);
    js(f, e->revoked_event);
    fputs(",\"revoked_ref\":", f);
    js(f, e->revoked_ref);
    fputc('}', f);
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
    if (v->history) {
        uint64_t total = 0, kept = 0;
        /* the count line first: walk once for it, then print */
        if (plaudit_member_history_count(ctx, v->member, &total, &kept) != PLAUDIT_OK) return M_INTERNAL;
        uint64_t show = kept < v->history ? kept : v->history;
        fprintf(f, "  history    newest %" PRIu64 " of %" PRIu64 " change%s of points or balance\n", show, total,
                total == 1 ? "" : "s");
        if (!total) fprintf(f, "    (none)\n");
        return history_walk(v, &total, &kept, history_line, f);
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
    fputc(']', f);
    if (v->history) {
        uint64_t total = 0, kept = 0;
        fputs(",\"history\":{\"entries\":[", f);
        int rc = history_walk(v, &total, &kept, history_json, f);
        if (rc) return rc;
        fprintf(f, "],\"total\":%" PRIu64 ",\"kept\":%" PRIu64 "}", total, kept);
    }
    fputs("}\n", f);
    return M_OK;
}

int plaudit_cmd_member(int argc, char **argv)
{
    const char *pos[3], *store = NULL;
    int npos = 0, json = 0, quiet = 0;
    size_t history = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--history")) {
            if (++i == argc) return usage("a value is needed after ", a);
            char *end;
            errno = 0;
            unsigned long long n = strtoull(argv[i], &end, 10);
            if (!strcmp(argv[i], "all")) history = PLAUDIT_HISTORY_ALL;
            else if (errno || end == argv[i] || *end || argv[i][0] == '-' || n > 1000000000ull)
                return usage("--history takes a count of entries or \"all\", not ", argv[i]);
            else history = (size_t)n;
        } else if (!strcmp(a, "--store")) {
            if (++i == argc) return usage("a value is needed after ", a);
            store = argv[i];
        } else if (a[0] == '-' && a[1]) return usage("unknown option ", a);
        else if (npos == 3) return usage("too many arguments: ", a);
        else pos[npos++] = a;
    }
    if (npos != 3) return usage("expected PROGRAM EVENTS MEMBER", "");
    plaudit_ctx *ctx = NULL;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    /* the newest N is all it shows; a store keeps at least the 100 that
     * `replay --store` keeps (its snapshot at the end must not drop any) */
    o.history_per_member = store && history < 100 ? 100 : history;
    if (plaudit_ctx_new(&ctx, &o) != PLAUDIT_OK) return M_INTERNAL;
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
    v.history = history;
    if (!rc && plaudit_member_get(ctx, pos[2], &v.mi) != PLAUDIT_OK) {
        fprintf(stderr, "plaudit member: %s\n", plaudit_errmsg(ctx));
        rc = M_UNKNOWN;
    }
    if (!rc) rc = json ? print_json(&v, stdout) : print_text(&v, stdout);
    if (!rc && (fflush(stdout) || ferror(stdout))) rc = M_IO;
    plaudit_ctx_free(ctx);
    return rc;
}
