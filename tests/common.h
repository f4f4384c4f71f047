/* common.h - helpers shared by the public-API test programs: a counting
 * (and optionally failing) allocator, short declaration helpers, and the
 * "rejected and nothing changed" assertion.  Header-only, static functions:
 * every test program includes it once. */
#ifndef PLAUDIT_TEST_COMMON_H
#define PLAUDIT_TEST_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"

/* Some instants (UTC). */
#define T_2026 1767225600LL        /* Thu 2026-01-01 00:00:00 */
#define T_MON_JAN5 1767571200LL    /* Mon 2026-01-05 00:00:00 */
#define DAY 86400LL
#define HOUR 3600LL

/* ---- allocator that counts live blocks and can fail the k-th call ------- */

typedef struct talloc {
    size_t calls;   /* malloc + realloc attempts */
    size_t live;    /* blocks not yet freed */
    size_t fail_at; /* fail this 1-based attempt (0: never) */
    int fail_all;   /* fail every attempt from fail_at on */
    size_t failed;  /* attempts that were failed */
} talloc;

static void *ta_malloc(size_t n, void *p)
{
    talloc *t = p;
    t->calls++;
    if (t->fail_at && (t->calls == t->fail_at || (t->fail_all && t->calls > t->fail_at))) {
        t->failed++;
        return NULL;
    }
    void *q = malloc(n);
    if (q) t->live++;
    return q;
}

static void *ta_realloc(void *ptr, size_t n, void *p)
{
    talloc *t = p;
    t->calls++;
    if (t->fail_at && (t->calls == t->fail_at || (t->fail_all && t->calls > t->fail_at))) {
        t->failed++;
        return NULL;
    }
    void *q = realloc(ptr, n);
    if (q && !ptr) t->live++;
    return q;
}

static void ta_free(void *ptr, void *p)
{
    talloc *t = p;
    if (ptr) t->live--;
    free(ptr);
}

static inline plaudit_ctx *ctx_new_alloc(talloc *ta)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.allocator.malloc = ta_malloc;
    o.allocator.realloc = ta_realloc;
    o.allocator.free = ta_free;
    o.allocator.payload = ta;
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    assert_non_null(ctx);
    return ctx;
}

static inline plaudit_ctx *ctx_new(void)
{
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_non_null(ctx);
    return ctx;
}

/* ---- declarations ---------------------------------------------------------- */

static inline int action_full(plaudit_ctx *ctx, const char *id, int64_t points, int once, int64_t cooldown,
                              int64_t cap_points, int64_t cap_count, plaudit_period per)
{
    plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
    d.id = id;
    d.points = points;
    d.once = once;
    d.cooldown_s = cooldown;
    d.cap_points = cap_points;
    d.cap_count = cap_count;
    d.cap_per = per;
    return plaudit_action_declare(ctx, &d);
}

static inline void action(plaudit_ctx *ctx, const char *id, int64_t points)
{
    assert_int_equal(action_full(ctx, id, points, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE),
                     PLAUDIT_OK);
}

static inline int tier_full(plaudit_ctx *ctx, const char *id, int64_t min_points, int64_t min_distinct,
                            int64_t min_tenure, int lifetime, plaudit_period window)
{
    plaudit_tier_def d = PLAUDIT_TIER_DEF_INIT;
    d.id = id;
    d.min_points = min_points;
    d.min_distinct_actions = min_distinct;
    d.min_tenure_days = min_tenure;
    d.lifetime = lifetime;
    d.window = window;
    return plaudit_tier_declare(ctx, &d);
}

static inline void tier(plaudit_ctx *ctx, const char *id, int64_t min_points)
{
    assert_int_equal(tier_full(ctx, id, min_points, 0, 0, 0, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
}

static inline int board_full(plaudit_ctx *ctx, const char *id, plaudit_period p, const char *segment, int64_t size)
{
    plaudit_leaderboard_def d = PLAUDIT_LEADERBOARD_DEF_INIT;
    d.id = id;
    d.period = p;
    d.segment = segment;
    d.size = size;
    return plaudit_leaderboard_declare(ctx, &d);
}

static inline void board(plaudit_ctx *ctx, const char *id, plaudit_period p)
{
    assert_int_equal(board_full(ctx, id, p, NULL, 10), PLAUDIT_OK);
}

static inline int segment2(plaudit_ctx *ctx, const char *id, const char *a1, int64_t w1, const char *a2, int64_t w2)
{
    const char *acts[2] = {a1, a2};
    int64_t ws[2] = {w1, w2};
    plaudit_segment_def d = PLAUDIT_SEGMENT_DEF_INIT;
    d.id = id;
    d.n_weights = a2 ? 2 : (a1 ? 1 : 0);
    d.actions = acts;
    d.weights = ws;
    return plaudit_segment_declare(ctx, &d);
}

/* A badge with a threshold criterion (n thresholds). */
static inline int badge_thr(plaudit_ctx *ctx, const char *id, plaudit_criterion k, const char *act,
                            const int64_t *thr, size_t n, int64_t bonus)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = id;
    d.criterion = k;
    d.action = act;
    d.thresholds = thr;
    d.n_thresholds = n;
    d.bonus = bonus;
    return plaudit_badge_declare(ctx, &d);
}

static inline int badge_one(plaudit_ctx *ctx, const char *id, plaudit_criterion k, const char *act, int64_t thr,
                            int64_t bonus)
{
    return badge_thr(ctx, id, k, act, &thr, 1, bonus);
}

static inline int badge_manual(plaudit_ctx *ctx, const char *id, int64_t bonus)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = id;
    d.bonus = bonus;
    return plaudit_badge_declare(ctx, &d);
}

static inline int badge_board(plaudit_ctx *ctx, const char *id, const char *lb, int64_t top, int64_t bonus)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = id;
    d.criterion = PLAUDIT_CRITERION_LEADERBOARD;
    d.leaderboard = lb;
    d.top = top;
    d.bonus = bonus;
    return plaudit_badge_declare(ctx, &d);
}

static inline int kudos_full(plaudit_ctx *ctx, int64_t points, int64_t cap_points, int64_t cap_count,
                             plaudit_period cap_per, int64_t give_cap, plaudit_period give_per)
{
    plaudit_kudos_def d = PLAUDIT_KUDOS_DEF_INIT;
    d.points = points;
    d.cap_points = cap_points;
    d.cap_count = cap_count;
    d.cap_per = cap_per;
    d.give_cap_count = give_cap;
    d.give_cap_per = give_per;
    return plaudit_kudos_declare(ctx, &d);
}

static inline int reward(plaudit_ctx *ctx, const char *id, int64_t cost, int64_t stock)
{
    plaudit_reward_def d = PLAUDIT_REWARD_DEF_INIT;
    d.id = id;
    d.cost = cost;
    d.stock = stock;
    return plaudit_reward_declare(ctx, &d);
}

/* ---- events and queries ------------------------------------------------------ */

#define ACT(ctx, ts, m, a) assert_int_equal(plaudit_record_action((ctx), (ts), (m), (a), NULL, NULL), PLAUDIT_OK)

static inline int64_t points_of(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, m, &mi), PLAUDIT_OK);
    return mi.points;
}

static inline int64_t balance_of(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, m, &mi), PLAUDIT_OK);
    return mi.balance;
}

static inline const char *tier_of(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, m, &mi), PLAUDIT_OK);
    return mi.tier;
}

static inline const char *segment_of(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, m, &mi), PLAUDIT_OK);
    return mi.segment;
}

#define assert_str_or_null(a, b)                                                                   \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_) assert_ptr_equal(a_, b_);                                                  \
        else assert_string_equal(a_, b_);                                                          \
    } while (0)

/* Badge times/level as the state shows it (0: not earned). */
static inline uint32_t badge_n(plaudit_ctx *ctx, const char *m, const char *badge)
{
    const plaudit_badge_earned *e;
    size_t n;
    assert_int_equal(plaudit_member_badges(ctx, m, &e, &n), PLAUDIT_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].badge, badge) == 0) return e[i].times > 1 ? e[i].times : e[i].level;
    return 0;
}

static inline uint64_t rank_of(plaudit_ctx *ctx, const char *lb, const char *m, int64_t *score)
{
    uint64_t r = 99;
    assert_int_equal(plaudit_leaderboard_rank(ctx, lb, m, &r, score), PLAUDIT_OK);
    return r;
}

/* A rejected call: the expected code, a message, and the digest unchanged. */
#define REJECTS(ctx, code, call)                                                                   \
    do {                                                                                           \
        plaudit_program_info pi_;                                                                  \
        assert_int_equal(plaudit_program_info_get((ctx), &pi_), PLAUDIT_OK); /* clears errmsg */  \
        assert_string_equal(plaudit_errmsg(ctx), "");                                              \
        uint64_t d0_ = plaudit_state_digest(ctx);                                                  \
        int rc_ = (call);                                                                          \
        if (rc_ != (code)) fail_msg("%s: got %d (%s), want %d", #call, rc_, plaudit_errmsg(ctx), (int)(code)); \
        assert_true(plaudit_errmsg(ctx)[0] != '\0');                                               \
        assert_int_equal(plaudit_errcode(ctx), (code));                                            \
        assert_true(plaudit_state_digest(ctx) == d0_);                                             \
    } while (0)

/* Strip trailing whitespace of every line (and the end) into a new string. */
static inline char *strip_trailing(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    size_t j = 0, line_start = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == '\n' || c == '\0') {
            while (j > line_start && (o[j - 1] == ' ' || o[j - 1] == '\t' || o[j - 1] == '\r')) j--;
            if (c == '\0') break;
            o[j++] = '\n';
            line_start = j;
        } else {
            o[j++] = c;
        }
    }
    while (j > 0 && (o[j - 1] == '\n' || o[j - 1] == ' ')) j--;
    o[j] = '\0';
    return o;
}

static inline char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    return p;
}

#endif
