/* fuzz-common.h - shared by the libFuzzer targets of the public API
 * (fuzz-program.c, fuzz-events.c, fuzz-api.c): an allocator that can be told
 * to fail, a program that uses every feature, and the invariant checks run
 * after calls.  A broken invariant calls abort() with a message, which
 * libFuzzer reports as a crash and saves the input. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaudit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fz_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("INVARIANT BROKEN: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#define FZ_CHECK(cond, ...)                   \
    do {                                      \
        if (!(cond)) fz_die(__VA_ARGS__);     \
    } while (0)

/* ---- an allocator that fails on request ----------------------------------- */

typedef struct fz_alloc {
    long countdown;   /* > 0: the countdown-th allocation from now fails */
    unsigned long n_allocs, n_failed;
} fz_alloc;

static void *fz_malloc(size_t n, void *p)
{
    fz_alloc *f = p;
    f->n_allocs++;
    if (f->countdown > 0 && --f->countdown == 0) {
        f->n_failed++;
        return NULL;
    }
    return malloc(n);
}

static void *fz_realloc(void *q, size_t n, void *p)
{
    fz_alloc *f = p;
    f->n_allocs++;
    if (f->countdown > 0 && --f->countdown == 0) {
        f->n_failed++;
        return NULL;
    }
    return realloc(q, n);
}

static void fz_free(void *q, void *p)
{
    (void)p;
    free(q);
}

static plaudit_ctx *fz_ctx_new(fz_alloc *fa)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    memset(fa, 0, sizeof *fa);
    o.allocator.malloc = fz_malloc;
    o.allocator.realloc = fz_realloc;
    o.allocator.free = fz_free;
    o.allocator.payload = fa;
    plaudit_ctx *ctx = NULL;
    if (plaudit_ctx_new(&ctx, &o) != PLAUDIT_OK) abort();
    return ctx;
}

/* ---- a program with every feature ------------------------------------------- */

/* Ids the API fuzzer draws from; the unknown ones must be rejected. */
static const char *const fz_actions[] = {"a", "b", "c", "d", "e", "zz"};
static const char *const fz_tiers[] = {"bronze", "silver", "gold", "vet"};
static const char *const fz_segments[] = {"s1", "s2", "zz"};
static const char *const fz_boards[] = {"all", "daily", "wk"};
static const char *const fz_badges[] = {"lv", "wd", "st", "da", "pt", "tn", "kr", "kg", "ts", "top", "man", "zz"};
static const char *const fz_rewards[] = {"r1", "r2", "zz"};
/* Badges whose levels are each earned once (not repeatable, manual or
 * leaderboard). */
static const char *const fz_once_badges[] = {"lv", "st", "da", "pt", "tn", "kr", "kg", "ts"};

static const char fz_program[] =
    "{\"format\":\"plaudit.program/1\",\"name\":\"fuzz\",\"utc_offset_minutes\":60,\n"
    " \"actions\":[\n"
    "  {\"id\":\"a\",\"points\":10,\"cap\":{\"points\":25,\"count\":3,\"per\":\"day\"}},\n"
    "  {\"id\":\"b\",\"points\":5,\"once\":true},\n"
    "  {\"id\":\"c\",\"points\":7,\"cooldown_s\":3600},\n"
    "  {\"id\":\"d\",\"points\":-4},\n"
    "  {\"id\":\"e\",\"points\":1000000000}],\n"
    " \"tiers\":[\n"
    "  {\"id\":\"bronze\",\"min_points\":20},\n"
    "  {\"id\":\"silver\",\"min_points\":100,\"min_distinct_actions\":2},\n"
    "  {\"id\":\"gold\",\"min_points\":300,\"window\":\"month\"},\n"
    "  {\"id\":\"vet\",\"min_points\":50,\"min_tenure_days\":2,\"lifetime\":true}],\n"
    " \"segments\":[{\"id\":\"s1\",\"weights\":{\"a\":1,\"b\":3}},{\"id\":\"s2\",\"weights\":{\"c\":2,\"d\":1}}],\n"
    " \"leaderboards\":[{\"id\":\"all\",\"period\":\"all\",\"size\":3},{\"id\":\"daily\",\"period\":\"day\"},\n"
    "  {\"id\":\"wk\",\"period\":\"week\",\"segment\":\"s1\",\"size\":2}],\n"
    " \"badges\":[\n"
    "  {\"id\":\"lv\",\"when\":{\"action\":\"a\",\"count\":[1,3,5,10]},\"bonus\":5},\n"
    "  {\"id\":\"wd\",\"when\":{\"action\":\"c\",\"count\":2,\"within\":\"day\"},\"repeatable\":true,\"bonus\":1},\n"
    "  {\"id\":\"st\",\"when\":{\"action\":\"a\",\"streak\":[2,3],\"per\":\"day\"}},\n"
    "  {\"id\":\"da\",\"when\":{\"distinct_actions\":[2,4]}},\n"
    "  {\"id\":\"pt\",\"when\":{\"points\":[50,500,1000000000]},\"bonus\":50},\n"
    "  {\"id\":\"tn\",\"when\":{\"tenure_days\":1},\"hidden\":true},\n"
    "  {\"id\":\"kr\",\"when\":{\"kudos_received\":2}},\n"
    "  {\"id\":\"kg\",\"when\":{\"kudos_given\":[1,2]}},\n"
    "  {\"id\":\"ts\",\"when\":{\"tier\":\"silver\"},\"bonus\":10},\n"
    "  {\"id\":\"top\",\"when\":{\"leaderboard\":\"daily\",\"top\":2},\"bonus\":3},\n"
    "  {\"id\":\"man\",\"manual\":true,\"bonus\":20}],\n"
    " \"kudos\":{\"points\":3,\"cap\":{\"count\":2,\"per\":\"day\"},\"give_cap\":{\"count\":3,\"per\":\"day\"}},\n"
    " \"rewards\":[{\"id\":\"r1\",\"cost\":30,\"stock\":2},{\"id\":\"r2\",\"cost\":5}]}\n";

/* Tier criteria, as declared above (index = declaration order). */
static const struct {
    int64_t min_points, min_distinct, min_tenure;
    int lifetime, window;
} fz_tier_def[] = {{20, 0, 0, 0, 0}, {100, 2, 0, 0, 0}, {300, 0, 0, 0, 1}, {50, 0, 2, 1, 0}};

static int fz_index(const char *const *list, size_t n, const char *s)
{
    if (!s) return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0) return (int)i;
    return -2;
}
#define FZ_INDEX(list, s) fz_index((list), sizeof(list) / sizeof *(list), (s))

/* ---- invariants of a whole context ------------------------------------------ */

static int fz_entry_before(const plaudit_rank_entry *x, const plaudit_rank_entry *y)
{
    if (x->score != y->score) return x->score > y->score;
    if (x->ts != y->ts) return x->ts < y->ts;
    return strcmp(x->member, y->member) < 0;
}

/* Leaderboards: every ranked entry has a score above 0, the order is
 * score, ts, id; ranks are 1..n; each member's rank query agrees. */
static void fz_check_board(plaudit_ctx *ctx, const char *board)
{
    uint64_t count = 0;
    FZ_CHECK(plaudit_leaderboard_count(ctx, board, &count) == PLAUDIT_OK, "count %s: %s", board, plaudit_errmsg(ctx));
    size_t cap = (size_t)count + 1;
    plaudit_rank_entry *e = calloc(cap, sizeof *e);
    if (!e) abort();
    size_t n = 0;
    FZ_CHECK(plaudit_leaderboard_top(ctx, board, cap, e, &n) == PLAUDIT_OK, "top %s", board);
    FZ_CHECK(n == count, "board %s: top lists %zu, count says %llu", board, n, (unsigned long long)count);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(e[i].rank == i + 1, "board %s: entry %zu has rank %llu", board, i, (unsigned long long)e[i].rank);
        FZ_CHECK(e[i].score > 0, "board %s: %s ranked with score %lld", board, e[i].member, (long long)e[i].score);
        if (i) FZ_CHECK(fz_entry_before(&e[i - 1], &e[i]), "board %s: %s before %s is out of order", board,
                        e[i - 1].member, e[i].member);
        uint64_t r = 0;
        int64_t s = 0;
        FZ_CHECK(plaudit_leaderboard_rank(ctx, board, e[i].member, &r, &s) == PLAUDIT_OK, "rank %s", board);
        FZ_CHECK(r == e[i].rank && s == e[i].score, "board %s: rank query of %s disagrees with top", board,
                 e[i].member);
        plaudit_member_info mi;
        FZ_CHECK(plaudit_member_get(ctx, e[i].member, &mi) == PLAUDIT_OK, "ranked member %s unknown", e[i].member);
        FZ_CHECK(mi.leaderboards, "board %s: opted-out member %s is ranked", board, e[i].member);
        if (strcmp(board, "all") == 0)
            FZ_CHECK(e[i].score == mi.points, "board all: %s score %lld but points %lld", e[i].member,
                     (long long)e[i].score, (long long)mi.points);
        if (strcmp(board, "wk") == 0)
            FZ_CHECK(mi.segment && strcmp(mi.segment, "s1") == 0, "board wk: %s not in segment s1", e[i].member);
        if (n) {
            plaudit_rank_entry around[5];
            size_t na = 0;
            FZ_CHECK(plaudit_leaderboard_around(ctx, board, e[i].member, 2, around, &na) == PLAUDIT_OK, "around");
            FZ_CHECK(na >= 1 && na <= 5, "around gives %zu", na);
            for (size_t j = 0; j < na; j++) {
                uint64_t want = around[0].rank + j;
                FZ_CHECK(around[j].rank == want && want >= 1 && want <= n &&
                             strcmp(around[j].member, e[want - 1].member) == 0,
                         "board %s: around %s disagrees with top", board, e[i].member);
            }
        }
    }
    free(e);
}

static int64_t fz_tenure_slack = -1;

/* A member: points and balance never negative; its tier consistent with
 * the criteria of the plain (not lifetime, not window) tiers. */
static void fz_check_member(plaudit_ctx *ctx, const char *id)
{
    plaudit_member_info mi;
    int rc = plaudit_member_get(ctx, id, &mi);
    if (rc == PLAUDIT_ENOTFOUND) return;
    FZ_CHECK(rc == PLAUDIT_OK, "member_get %s: %d", id, rc);
    FZ_CHECK(mi.points >= 0, "%s: points %lld", id, (long long)mi.points);
    FZ_CHECK(mi.balance >= 0 && mi.balance <= mi.points, "%s: balance %lld, points %lld", id, (long long)mi.balance,
             (long long)mi.points);
    int t = FZ_INDEX(fz_tiers, mi.tier);
    FZ_CHECK(t >= -1, "%s: unknown tier %s", id, mi.tier);
    /* The last evaluation was at or after the member's own last event, but
     * last_ts also counts a tick made before a member was created with an
     * earlier ts; fz_tenure_slack bounds how far back that can be (< 0:
     * unknown, tenure is not checked). */
    int64_t tenure_lo = 0;
    if (fz_tenure_slack >= 0 && mi.last_ts - fz_tenure_slack > mi.joined)
        tenure_lo = (mi.last_ts - fz_tenure_slack - mi.joined) / 86400;
    if (t >= 0 && !fz_tier_def[t].lifetime && !fz_tier_def[t].window) {
        FZ_CHECK(mi.points >= fz_tier_def[t].min_points && mi.distinct_actions >= fz_tier_def[t].min_distinct,
                 "%s holds tier %s with points %lld, %u distinct actions", id, mi.tier, (long long)mi.points,
                 mi.distinct_actions);
    }
    for (int u = t + 1; u < (int)(sizeof fz_tier_def / sizeof *fz_tier_def); u++) {
        if (fz_tier_def[u].window) continue;
        int holds = mi.points >= fz_tier_def[u].min_points && mi.distinct_actions >= fz_tier_def[u].min_distinct &&
                    tenure_lo >= fz_tier_def[u].min_tenure;
        FZ_CHECK(!holds, "%s: tier %s holds but the member's tier is %s", id, fz_tiers[u], mi.tier ? mi.tier : "none");
    }
    const plaudit_badge_earned *be;
    size_t nb;
    FZ_CHECK(plaudit_member_badges(ctx, id, &be, &nb) == PLAUDIT_OK, "badges %s", id);
    FZ_CHECK(nb == mi.n_badges, "%s: %zu badges listed, info says %u", id, nb, mi.n_badges);
    for (size_t i = 0; i < nb; i++) {
        FZ_CHECK(be[i].level >= 1 && be[i].times >= 1, "%s: badge %s level %u times %u", id, be[i].badge,
                 be[i].level, be[i].times);
        FZ_CHECK(be[i].first_ts <= be[i].last_ts, "%s: badge %s first after last", id, be[i].badge);
        if (FZ_INDEX(fz_once_badges, be[i].badge) >= 0)
            FZ_CHECK(be[i].times == 1, "%s: once-only badge %s earned %u times", id, be[i].badge, be[i].times);
    }
    plaudit_progress pr;
    FZ_CHECK(plaudit_member_progress(ctx, id, &pr) == PLAUDIT_OK, "progress %s", id);
    FZ_CHECK(pr.next_points >= 0 && pr.next_distinct_actions >= 0 && pr.next_tenure_days >= 0 && pr.keep_points >= 0,
             "%s: negative progress", id);
}

static void fz_check_all(plaudit_ctx *ctx)
{
    uint64_t start = 0, total = plaudit_member_count(ctx);
    while (start < total) {
        const char *ids[16];
        size_t n = 0;
        uint64_t next = 0;
        FZ_CHECK(plaudit_member_list(ctx, start, 16, ids, &n, &next) == PLAUDIT_OK, "member_list");
        FZ_CHECK(n > 0 && next == start + n, "member_list paging");
        for (size_t i = 0; i < n; i++) fz_check_member(ctx, ids[i]);
        start = next;
    }
    for (size_t i = 0; i < sizeof fz_boards / sizeof *fz_boards; i++) fz_check_board(ctx, fz_boards[i]);
    int64_t stock = 0;
    FZ_CHECK(plaudit_reward_stock(ctx, "r1", &stock) == PLAUDIT_OK && stock >= 0 && stock <= 2, "r1 stock %lld",
             (long long)stock);
}

#endif
