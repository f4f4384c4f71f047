/* test-leaderboards.c - leaderboards: tie order, opt-out, segment boards,
 * period roll-over, leaderboard badges at a period close (spec example
 * 02), the top / rank / around / count queries, events of an earlier
 * period, a randomized comparison with a naive sort, and queries after
 * many changes and from inside an event (a store callback), and the
 * catching up in slices against a context that queries after every event. */
#include "common.h"

static uint64_t board_count(plaudit_ctx *ctx, const char *lb)
{
    uint64_t n = 99;
    assert_int_equal(plaudit_leaderboard_count(ctx, lb, &n), PLAUDIT_OK);
    return n;
}

/* The board's full order as "id:score,id:score". */
static void board_str(plaudit_ctx *ctx, const char *lb, char *buf, size_t cap)
{
    plaudit_rank_entry e[64];
    size_t n;
    assert_int_equal(plaudit_leaderboard_top(ctx, lb, 64, e, &n), PLAUDIT_OK);
    buf[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].rank, i + 1);
        len += (size_t)snprintf(buf + len, cap - len, "%s%s:%lld", i ? "," : "", e[i].member, (long long)e[i].score);
    }
}

#define assert_board(ctx, lb, want)                                                                \
    do {                                                                                           \
        char b_[1024];                                                                             \
        board_str((ctx), (lb), b_, sizeof b_);                                                     \
        assert_string_equal(b_, (want));                                                           \
    } while (0)

static void test_tie_order(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    action(ctx, "q", 20);
    action(ctx, "down", -10);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    /* same score: earlier ts of the last change first */
    ACT(ctx, T_2026 + 1, "zed", "p");
    ACT(ctx, T_2026 + 2, "amy", "p");
    assert_board(ctx, "all", "zed:10,amy:10");
    /* same score, same ts: member id bytewise ("B" < "a" < "b" < "ba") */
    ACT(ctx, T_2026 + 3, "ba", "p");
    ACT(ctx, T_2026 + 3, "b", "p");
    ACT(ctx, T_2026 + 3, "a", "p");
    ACT(ctx, T_2026 + 3, "B", "p");
    assert_board(ctx, "all", "zed:10,amy:10,B:10,a:10,b:10,ba:10");
    /* a change down also counts as the last change: amy drops to 0 and
     * leaves; zed goes to 20 then back to 10 at a later ts */
    ACT(ctx, T_2026 + 4, "amy", "down");
    ACT(ctx, T_2026 + 5, "zed", "p");
    ACT(ctx, T_2026 + 6, "zed", "down");
    assert_board(ctx, "all", "B:10,a:10,b:10,ba:10,zed:10");
    ACT(ctx, T_2026 + 7, "ba", "q");
    assert_board(ctx, "all", "ba:30,B:10,a:10,b:10,zed:10");
    plaudit_rank_entry e[2];
    size_t n;
    assert_int_equal(plaudit_leaderboard_top(ctx, "all", 2, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].ts, T_2026 + 7);
    assert_int_equal(e[1].ts, T_2026 + 3);
    plaudit_ctx_free(ctx);
}

static void test_opt_out(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    ACT(ctx, T_2026, "a", "p");
    ACT(ctx, T_2026 + 1, "b", "p");
    assert_int_equal(plaudit_record_preferences(ctx, T_2026 + 2, "a", 0, NULL, NULL), PLAUDIT_OK);
    assert_board(ctx, "all", "b:10");
    int64_t score;
    assert_int_equal(rank_of(ctx, "all", "a", &score), 0);
    assert_int_equal(score, 10); /* the score is still known */
    ACT(ctx, T_2026 + 3, "a", "p"); /* earning while opted out: still hidden */
    assert_board(ctx, "all", "b:10");
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "a", &mi), PLAUDIT_OK);
    assert_int_equal(mi.leaderboards, 0);
    assert_int_equal(plaudit_record_preferences(ctx, T_2026 + 4, "a", 1, NULL, NULL), PLAUDIT_OK);
    assert_board(ctx, "all", "a:20,b:10");
    /* opting out a member with nothing yet, then earning */
    assert_int_equal(plaudit_record_preferences(ctx, T_2026 + 5, "c", 0, NULL, NULL), PLAUDIT_OK);
    ACT(ctx, T_2026 + 6, "c", "p");
    assert_int_equal(board_count(ctx, "all"), 2);
    plaudit_ctx_free(ctx);
}

static void test_segment_board(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "forum", 10);
    action(ctx, "sale", 50);
    assert_int_equal(segment2(ctx, "social", "forum", 1, NULL, 0), PLAUDIT_OK);
    assert_int_equal(segment2(ctx, "achiever", "sale", 5, NULL, 0), PLAUDIT_OK);
    assert_int_equal(board_full(ctx, "ach", PLAUDIT_PERIOD_QUARTER, "achiever", 10), PLAUDIT_OK);
    ACT(ctx, T_2026, "a", "sale");
    ACT(ctx, T_2026 + 1, "b", "forum");
    assert_board(ctx, "ach", "a:50");
    /* b sells once: affinity achiever 5 > social 1: joins with its quarter
     * score 60 */
    ACT(ctx, T_2026 + 2, "b", "sale");
    assert_board(ctx, "ach", "b:60,a:50");
    /* pinning another segment takes b off; unpinning brings it back */
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 3, "b", "social", NULL, NULL), PLAUDIT_OK);
    assert_board(ctx, "ach", "a:50");
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 4, "b", NULL, NULL, NULL), PLAUDIT_OK);
    assert_board(ctx, "ach", "b:60,a:50");
    /* a's forum answers (6 x 1 > 5) move it to social: off the board */
    for (int i = 0; i < 6; i++) ACT(ctx, T_2026 + 10 + i, "a", "forum");
    assert_string_equal(segment_of(ctx, "a"), "social");
    assert_board(ctx, "ach", "b:60");
    plaudit_ctx_free(ctx);
}

static void test_rollover_and_earlier_period(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    board(ctx, "weekly", PLAUDIT_PERIOD_WEEK);
    ACT(ctx, T_MON_JAN5 + 10, "a", "p");
    ACT(ctx, T_MON_JAN5 + 20, "b", "p");
    ACT(ctx, T_MON_JAN5 + 30, "b", "p");
    assert_board(ctx, "weekly", "b:20,a:10");
    /* a rejected event of the next week closes nothing */
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_action(ctx, T_MON_JAN5 + 7 * DAY, "c", "nope", NULL, NULL));
    assert_board(ctx, "weekly", "b:20,a:10");
    /* an accepted event in the next week empties the board */
    ACT(ctx, T_MON_JAN5 + 7 * DAY, "c", "p");
    assert_board(ctx, "weekly", "c:10");
    int64_t score;
    assert_int_equal(rank_of(ctx, "weekly", "b", &score), 0);
    assert_int_equal(score, 0);
    /* d's first event is in the earlier week: it earns points (all-time
     * board) but does not touch the weekly board */
    ACT(ctx, T_MON_JAN5 + 40, "d", "p");
    assert_board(ctx, "weekly", "c:10");
    /* all-time: b 20, a 10 (ts +10), d 10 (ts +40), c 10 (ts of next week) */
    assert_int_equal(rank_of(ctx, "all", "d", &score), 3);
    assert_int_equal(score, 10);
    /* a's next event in the current week starts from 0 there */
    ACT(ctx, T_MON_JAN5 + 7 * DAY + 1, "a", "p");
    assert_board(ctx, "weekly", "c:10,a:10");
    assert_board(ctx, "all", "b:20,a:20,d:10,c:10");
    /* a tick two weeks on empties it again */
    assert_int_equal(plaudit_record_tick(ctx, T_MON_JAN5 + 21 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(board_count(ctx, "weekly"), 0);
    assert_int_equal(board_count(ctx, "all"), 4);
    plaudit_ctx_free(ctx);
}

static plaudit_ctx *example02(void)
{
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    action(ctx, "q", 20);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    assert_int_equal(board_full(ctx, "weekly", PLAUDIT_PERIOD_WEEK, NULL, 3), PLAUDIT_OK);
    assert_int_equal(badge_board(ctx, "top-weekly", "weekly", 2, 5), PLAUDIT_OK);
    return ctx;
}

/* Spec example 02: ties, opt-out and the badge at the week's close. */
static void test_example_02(void **state)
{
    (void)state;
    plaudit_ctx *ctx = example02();
    ACT(ctx, 1767571200, "alice", "p");
    ACT(ctx, 1767571210, "bob", "p");
    ACT(ctx, 1767571220, "carol", "q");
    ACT(ctx, 1767571230, "dave", "p");
    assert_int_equal(plaudit_record_preferences(ctx, 1767571240, "carol", 0, NULL, NULL), PLAUDIT_OK);
    assert_board(ctx, "weekly", "alice:10,bob:10,dave:10");
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "bob", &p), PLAUDIT_OK);
    assert_int_equal(p.n_badges, 1);
    assert_int_equal(p.badges[0].current, 2); /* bob ranks 2nd */
    assert_int_equal(p.badges[0].next, 2);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, 1768176000, "erin", "p", NULL, &o), PLAUDIT_OK);
    /* the close comes first: alice then bob (rank order), each with a
     * 5-point bonus stamped with Monday's ts; then erin's own points */
    assert_int_equal(o.n_badges, 2);
    const plaudit_moment *m = o.moments;
    assert_int_equal(m[0].kind, PLAUDIT_MOMENT_BADGE);
    assert_string_equal(m[0].member, "alice");
    assert_string_equal(m[0].leaderboard, "weekly");
    assert_int_equal(m[0].times, 1);
    assert_int_equal(m[0].ts, 1768176000);
    assert_int_equal(m[1].kind, PLAUDIT_MOMENT_POINTS);
    assert_int_equal(m[1].source, PLAUDIT_SOURCE_BONUS);
    assert_int_equal(m[1].points, 5);
    assert_string_equal(m[2].member, "bob");
    assert_int_equal(m[2].kind, PLAUDIT_MOMENT_BADGE);
    assert_int_equal(m[4].kind, PLAUDIT_MOMENT_POINTS);
    assert_string_equal(m[4].member, "erin");
    assert_int_equal(o.points, 10); /* erin's, bonuses to others excluded */
    assert_board(ctx, "weekly", "erin:10,alice:5,bob:5");
    assert_board(ctx, "all", "alice:15,bob:15,dave:10,erin:10");
    assert_int_equal(badge_n(ctx, "alice", "top-weekly"), 1);
    assert_int_equal(badge_n(ctx, "dave", "top-weekly"), 0);
    assert_int_equal(badge_n(ctx, "carol", "top-weekly"), 0);
    /* the close touched alice and bob: their last time is Monday's */
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "alice", &mi), PLAUDIT_OK);
    assert_int_equal(mi.last_ts, 1768176000);
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, 1768176000 - 1, "alice", "p", NULL, NULL));
    /* the next week's close: earned again (times 2) by erin and one of
     * the two 5s: alice (reached 5 at the same second as bob, id order) */
    assert_int_equal(plaudit_record_tick(ctx, 1768176000 + 7 * DAY, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 2);
    assert_int_equal(badge_n(ctx, "erin", "top-weekly"), 1);
    assert_int_equal(badge_n(ctx, "alice", "top-weekly"), 2);
    assert_int_equal(badge_n(ctx, "bob", "top-weekly"), 1);
    /* the bonuses keep the board alive: the week of the 19th holds alice 5
     * and erin 5 (the bonuses of the last close), so the next close (two
     * weeks on, the tick skips an empty week) gives both the badge again */
    assert_int_equal(plaudit_record_tick(ctx, 1768176000 + 21 * DAY, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 2);
    assert_int_equal(badge_n(ctx, "alice", "top-weekly"), 3);
    assert_int_equal(badge_n(ctx, "erin", "top-weekly"), 2);
    assert_int_equal(badge_n(ctx, "bob", "top-weekly"), 1);
    plaudit_ctx_free(ctx);
}

/* One clock move closing several boards: all move on first, then badges
 * board by board (declaration order), badge by badge, members in rank
 * order. */
static void test_several_boards_close(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    board(ctx, "daily", PLAUDIT_PERIOD_DAY);
    board(ctx, "weekly", PLAUDIT_PERIOD_WEEK);
    assert_int_equal(badge_board(ctx, "w1", "weekly", 1, 0), PLAUDIT_OK);
    assert_int_equal(badge_board(ctx, "d2", "daily", 2, 0), PLAUDIT_OK);
    assert_int_equal(badge_board(ctx, "d1", "daily", 1, 1), PLAUDIT_OK);
    ACT(ctx, T_MON_JAN5 + 6 * DAY, "x", "p"); /* Sunday */
    ACT(ctx, T_MON_JAN5 + 6 * DAY + 1, "y", "p");
    ACT(ctx, T_MON_JAN5 + 6 * DAY + 2, "y", "p");
    plaudit_outcome o;
    assert_int_equal(plaudit_record_tick(ctx, T_MON_JAN5 + 7 * DAY, NULL, &o), PLAUDIT_OK);
    /* daily first (declared first): d2 y, d2 x, d1 y; then weekly: w1 y */
    const char *want[][2] = {{"d2", "y"}, {"d2", "x"}, {"d1", "y"}, {"w1", "y"}};
    size_t k = 0;
    for (size_t i = 0; i < o.n_moments; i++) {
        if (o.moments[i].kind != PLAUDIT_MOMENT_BADGE) continue;
        assert_true(k < 4);
        assert_string_equal(o.moments[i].badge, want[k][0]);
        assert_string_equal(o.moments[i].member, want[k][1]);
        k++;
    }
    assert_int_equal(k, 4);
    /* the d1 bonus is in the new day and week */
    assert_board(ctx, "daily", "y:1");
    assert_board(ctx, "weekly", "y:1");
    plaudit_ctx_free(ctx);
}

static void test_queries(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 1);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    char id[8];
    /* m0..m9 with scores 1..10: m9 first */
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "m%d", i);
        assert_int_equal(plaudit_record_adjust(ctx, T_2026 + i, id, i + 1, NULL, NULL, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_join(ctx, T_2026 + 20, "zero", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(board_count(ctx, "all"), 10);
    plaudit_rank_entry e[21];
    size_t n;
    assert_int_equal(plaudit_leaderboard_top(ctx, "all", 3, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 3);
    assert_string_equal(e[0].member, "m9");
    assert_int_equal(e[2].score, 8);
    assert_int_equal(plaudit_leaderboard_top(ctx, "all", 21, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 10);
    assert_int_equal(plaudit_leaderboard_top(ctx, "all", 0, NULL, &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    int64_t score;
    assert_int_equal(rank_of(ctx, "all", "m0", &score), 10);
    assert_int_equal(score, 1);
    assert_int_equal(rank_of(ctx, "all", "zero", &score), 0); /* score 0 is not ranked */
    /* around: k above and below */
    assert_int_equal(plaudit_leaderboard_around(ctx, "all", "m5", 2, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 5);
    assert_string_equal(e[0].member, "m7");
    assert_int_equal(e[0].rank, 3);
    assert_string_equal(e[2].member, "m5");
    assert_string_equal(e[4].member, "m3");
    /* at the edges: cut short */
    assert_int_equal(plaudit_leaderboard_around(ctx, "all", "m9", 3, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 4);
    assert_int_equal(e[0].rank, 1);
    assert_int_equal(plaudit_leaderboard_around(ctx, "all", "m0", 3, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 4);
    assert_string_equal(e[3].member, "m0");
    assert_int_equal(plaudit_leaderboard_around(ctx, "all", "zero", 3, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(plaudit_leaderboard_around(ctx, "all", "m4", 0, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].rank, 6);
    uint64_t r;
    assert_int_equal(plaudit_leaderboard_rank(ctx, "nope", "m1", &r, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_leaderboard_rank(ctx, "all", "nobody", &r, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_leaderboard_count(ctx, "nope", &r), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_leaderboard_top(ctx, "nope", 1, e, &n), PLAUDIT_ENOTFOUND);
    /* queries before any event: empty boards */
    plaudit_ctx *c2 = ctx_new();
    board(c2, "all", PLAUDIT_PERIOD_ALL);
    assert_int_equal(board_count(c2, "all"), 0);
    assert_int_equal(plaudit_leaderboard_top(c2, "all", 5, e, &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

/* ---- randomized: the engine's boards against a naive sort ----------------- */

static uint64_t rng = 0x1234567;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define NM 40
typedef struct mmodel {
    char id[16];
    int exists;
    int64_t points, all_ts;
    int64_t wk_score, wk_ts, wk_key;
    int opted;
} mmodel;
static mmodel M[NM];

typedef struct ent {
    const char *id;
    int64_t score, ts;
} ent;

static int ent_cmp(const void *a, const void *b)
{
    const ent *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return strcmp(x->id, y->id); /* bytewise: strcmp compares unsigned chars */
}

static void check_board(plaudit_ctx *ctx, const char *lb, int weekly, int64_t cur_key)
{
    ent v[NM];
    size_t n = 0;
    for (int i = 0; i < NM; i++) {
        const mmodel *m = &M[i];
        if (!m->exists || m->opted) continue;
        int64_t s = weekly ? (m->wk_key == cur_key ? m->wk_score : 0) : m->points;
        if (s <= 0) continue;
        v[n++] = (ent){m->id, s, weekly ? m->wk_ts : m->all_ts};
    }
    qsort(v, n, sizeof *v, ent_cmp);
    assert_int_equal(board_count(ctx, lb), n);
    plaudit_rank_entry e[NM];
    size_t got;
    assert_int_equal(plaudit_leaderboard_top(ctx, lb, NM, e, &got), PLAUDIT_OK);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].member, v[i].id) != 0 || e[i].score != v[i].score || e[i].ts != v[i].ts)
            fail_msg("%s rank %zu: engine %s %lld @%lld, model %s %lld @%lld", lb, i + 1, e[i].member,
                     (long long)e[i].score, (long long)e[i].ts, v[i].id, (long long)v[i].score, (long long)v[i].ts);
        assert_int_equal(e[i].rank, i + 1);
    }
    for (int i = 0; i < NM; i++) {
        if (!M[i].exists) continue;
        uint64_t want = 0;
        for (size_t j = 0; j < n; j++)
            if (v[j].id == M[i].id) want = j + 1;
        assert_int_equal(rank_of(ctx, lb, M[i].id, NULL), want);
    }
}

static void test_random_vs_naive(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "B", "b", "\xc3\xa9", "_", "a1", "Z", "0"};
    for (int round = 0; round < 6; round++) {
        plaudit_ctx *ctx = ctx_new();
        board(ctx, "all", PLAUDIT_PERIOD_ALL);
        board(ctx, "weekly", PLAUDIT_PERIOD_WEEK);
        memset(M, 0, sizeof M);
        for (int i = 0; i < NM; i++) {
            /* ids with shared prefixes and multibyte characters; made
             * unique by the index suffix */
            snprintf(M[i].id, sizeof M[i].id, "%s%s%c", pieces[rnd() % 8], pieces[rnd() % 8], 'A' + i);
        }
        int64_t now = T_MON_JAN5 + (int64_t)(rnd() % 1000);
        for (int step = 0; step < 1500; step++) {
            uint64_t r = rnd() % 100;
            if (r < 3) now += 2 * DAY + (int64_t)(rnd() % (4 * DAY)); /* sometimes into the next week */
            else if (r < 50) now += (int64_t)(rnd() % 3);              /* many equal ts */
            int64_t key = (now - T_MON_JAN5) / (7 * DAY);
            mmodel *m = &M[rnd() % NM];
            if (r >= 95) {
                int show = (int)(rnd() % 2);
                assert_int_equal(plaudit_record_preferences(ctx, now, m->id, show, NULL, NULL), PLAUDIT_OK);
                m->exists = 1;
                m->opted = !show;
            } else if (r >= 93) {
                assert_int_equal(plaudit_record_tick(ctx, now, NULL, NULL), PLAUDIT_OK);
            } else {
                int64_t d = (int64_t)(rnd() % 9) * 5 - 15; /* -15 .. 25, ties likely */
                assert_int_equal(plaudit_record_adjust(ctx, now, m->id, d, NULL, NULL, NULL), PLAUDIT_OK);
                m->exists = 1;
                int64_t np = m->points + d < 0 ? 0 : m->points + d;
                int64_t aw = np - m->points;
                if (aw != 0) {
                    m->points = np;
                    m->all_ts = now;
                    if (m->wk_key != key) {
                        m->wk_key = key;
                        m->wk_score = 0;
                    }
                    m->wk_score += aw;
                    m->wk_ts = now;
                }
            }
            if (step % 50 == 49 || step == 1499) {
                check_board(ctx, "all", 0, key);
                check_board(ctx, "weekly", 1, key);
            }
        }
        plaudit_ctx_free(ctx);
    }
}

/* Many members change between two queries (more than the engine holds
 * before it brings the indexes up to date on its own): every query still
 * sees every event. */
static void test_many_changes_between_queries(void **state)
{
    (void)state;
    enum { N = 9000 };
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    char id[32];
    for (int round = 0; round < 3; round++) {
        /* member i ends a round with 10 * (1 + (i * 7 + round) % 13) more */
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof id, "m%05d", i);
            int times = 1 + (i * 7 + round) % 13;
            for (int k = 0; k < times; k++) ACT(ctx, T_2026 + round * DAY + i, id, "p");
        }
        assert_int_equal(board_count(ctx, "all"), N);
        /* the order: points down, then the earlier last change (smaller i) */
        plaudit_rank_entry e[64];
        size_t n;
        assert_int_equal(plaudit_leaderboard_top(ctx, "all", 64, e, &n), PLAUDIT_OK);
        assert_int_equal(n, 64);
        for (size_t k = 1; k < n; k++) {
            assert_true(e[k - 1].score >= e[k].score);
            if (e[k - 1].score == e[k].score) assert_true(strcmp(e[k - 1].member, e[k].member) < 0);
        }
        for (int i = 0; i < N; i += 997) {
            snprintf(id, sizeof id, "m%05d", i);
            int64_t want = 0;
            for (int r = 0; r <= round; r++) want += 10 * (1 + (i * 7 + r) % 13);
            uint64_t rank;
            int64_t score;
            assert_int_equal(plaudit_leaderboard_rank(ctx, "all", id, &rank, &score), PLAUDIT_OK);
            assert_int_equal(score, want);
            /* members ahead: more points, or as many with an earlier change */
            uint64_t ahead = 0;
            for (int j = 0; j < N; j++) {
                int64_t pj = 0;
                for (int r = 0; r <= round; r++) pj += 10 * (1 + (j * 7 + r) % 13);
                if (pj > want || (pj == want && j < i)) ahead++;
            }
            assert_int_equal(rank, ahead + 1);
        }
    }
    plaudit_ctx_free(ctx);
}

/* A query from a store callback, while an event is being accepted, sees
 * the events accepted before it, not the one in progress. */
typedef struct qstore {
    plaudit_ctx *ctx;
    int query;
    char top[256];
} qstore;

static int qs_append(uint64_t seq, const void *data, size_t len, void *payload)
{
    (void)seq, (void)data, (void)len;
    qstore *q = payload;
    if (!q->query) return 0;
    plaudit_rank_entry e[8];
    size_t n = 0, off = 0;
    q->top[0] = '\0';
    if (plaudit_leaderboard_top(q->ctx, "all", 8, e, &n) != PLAUDIT_OK) return 0;
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(q->top + off, sizeof q->top - off, "%s%s:%lld", i ? "," : "", e[i].member,
                                (long long)e[i].score);
    return 0;
}
static int qs_read(uint64_t from, plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    (void)from, (void)fn, (void)fp, (void)payload;
    return 0;
}
static int qs_snap_write(uint64_t seq, const void *data, size_t len, void *payload)
{
    (void)seq, (void)data, (void)len, (void)payload;
    return 0;
}
static int qs_snap_read(plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    (void)fn, (void)fp, (void)payload;
    return 0;
}

static void test_query_inside_an_event(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    action(ctx, "q", 30);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    qstore q = {ctx, 0, ""};
    plaudit_store s = PLAUDIT_STORE_INIT;
    s.journal_append = qs_append;
    s.journal_read = qs_read;
    s.snapshot_write = qs_snap_write;
    s.snapshot_read = qs_snap_read;
    s.payload = &q;
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    ACT(ctx, T_2026 + 1, "amy", "p");
    ACT(ctx, T_2026 + 2, "bob", "p");
    ACT(ctx, T_2026 + 3, "amy", "p");
    q.query = 1;
    ACT(ctx, T_2026 + 4, "amy", "q"); /* amy had two events since the last query */
    assert_string_equal(q.top, "amy:20,bob:10");
    ACT(ctx, T_2026 + 5, "bob", "q");
    assert_string_equal(q.top, "amy:50,bob:10");
    q.query = 0;
    assert_board(ctx, "all", "amy:50,bob:40");
    plaudit_ctx_free(ctx);
}

/* Past the limit of held members the engine catches up a slice at a time
 * between events.  Two contexts get the same events, in which members come
 * back after being caught up and a weekly period closes while members are
 * held; one of them queries after every event (nothing is ever held long),
 * the other only at checkpoints: their boards, ranks, the badges given at
 * the closes (read without catching up) and the digests agree. */
static void test_slices_agree_with_queries(void **state)
{
    (void)state;
    enum { N = 12000, STEPS = 60000 };
    plaudit_ctx *a = ctx_new(), *b = ctx_new();
    plaudit_ctx *both[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        action(both[k], "p", 10);
        action(both[k], "q", 3);
        board(both[k], "all", PLAUDIT_PERIOD_ALL);
        board(both[k], "weekly", PLAUDIT_PERIOD_WEEK);
        /* read at every weekly close, while many members are held */
        assert_int_equal(badge_board(both[k], "top-week", "weekly", 5, 50), PLAUDIT_OK);
        assert_int_equal(badge_board(both[k], "best-of-week", "weekly", 1, 0), PLAUDIT_OK);
    }
    uint64_t seed = 7;
    char id[32];
    int64_t now = T_MON_JAN5;
    for (int step = 0; step < STEPS; step++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = seed >> 33;
        /* sweeps over all members (many held at once) mixed with a hot few */
        int i = step % 3 ? (int)(r % N) : (int)(r % 40);
        snprintf(id, sizeof id, "m%05d", i);
        now += (int64_t)(r % 7) * 30;
        const char *act = (r >> 7) % 4 ? "p" : "q";
        for (int k = 0; k < 2; k++)
            assert_int_equal(plaudit_record_action(both[k], now, id, act, NULL, NULL), PLAUDIT_OK);
        uint64_t n;
        assert_int_equal(plaudit_leaderboard_count(b, "weekly", &n), PLAUDIT_OK);
        if (step % 15000 != 14999) continue;
        const char *boards[] = {"all", "weekly"};
        for (int w = 0; w < 2; w++) {
            char sa[1024], sb[1024];
            board_str(a, boards[w], sa, sizeof sa);
            board_str(b, boards[w], sb, sizeof sb);
            assert_string_equal(sa, sb);
            assert_int_equal(board_count(a, boards[w]), board_count(b, boards[w]));
            for (int j = 0; j < N; j += 211) {
                snprintf(id, sizeof id, "m%05d", j);
                uint64_t ra = 0, rb = 0;
                int64_t xa = 0, xb = 0;
                int ca = plaudit_leaderboard_rank(a, boards[w], id, &ra, &xa);
                int cb = plaudit_leaderboard_rank(b, boards[w], id, &rb, &xb);
                assert_int_equal(ca, cb);
                assert_int_equal(ra, rb);
                assert_int_equal(xa, xb);
            }
        }
        assert_true(plaudit_state_digest(a) == plaudit_state_digest(b));
        now += 3 * DAY; /* the next checkpoint's events fall in another week */
    }
    plaudit_ctx_free(a);
    plaudit_ctx_free(b);
}

/* Held members and the index room reserved for them stay bounded over many
 * period closes with no query in between (the memory of a long-running
 * context that only records). */
static void test_held_memory_bounded(void **state)
{
    (void)state;
    enum { N = 12000, PER_WEEK = 20000, WEEKS = 30 };
    talloc ta = {0};
    plaudit_ctx *ctx = ctx_new_alloc(&ta);
    action(ctx, "p", 10);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    board(ctx, "weekly", PLAUDIT_PERIOD_WEEK);
    assert_int_equal(badge_board(ctx, "top-week", "weekly", 3, 0), PLAUDIT_OK);
    char id[32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "m%05d", i);
        ACT(ctx, T_MON_JAN5 + i, id, "p");
    }
    uint64_t seed = 11;
    size_t live_early = 0;
    for (int w = 0; w < WEEKS; w++) {
        int64_t t0 = T_MON_JAN5 + (int64_t)(w + 1) * 7 * DAY;
        for (int k = 0; k < PER_WEEK; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            snprintf(id, sizeof id, "m%05d", (int)((seed >> 33) % N));
            ACT(ctx, t0 + k * 20, id, "p");
        }
        if (w == 4) live_early = ta.live;
    }
    /* a few badge timestamps may be added; nothing grows with the closes */
    assert_true(ta.live <= live_early + live_early / 10);
    plaudit_ctx_free(ctx);
    assert_int_equal(ta.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tie_order),
        cmocka_unit_test(test_opt_out),
        cmocka_unit_test(test_segment_board),
        cmocka_unit_test(test_rollover_and_earlier_period),
        cmocka_unit_test(test_example_02),
        cmocka_unit_test(test_several_boards_close),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_random_vs_naive),
        cmocka_unit_test(test_many_changes_between_queries),
        cmocka_unit_test(test_query_inside_an_event),
        cmocka_unit_test(test_slices_agree_with_queries),
        cmocka_unit_test(test_held_memory_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
