/* test-actions.c - what one action occurrence earns: points, once,
 * cooldown, count and points caps (alone and together), negative points and
 * the 0 floor of points and balance, large sums, and occurrence counting. */
#include "common.h"

/* Record an action and return the points it earned (outcome.points). */
static int64_t earn(plaudit_ctx *ctx, int64_t ts, const char *m, const char *a)
{
    plaudit_outcome o;
    int rc = plaudit_record_action(ctx, ts, m, a, NULL, &o);
    if (rc != PLAUDIT_OK) fail_msg("action %s at %lld: %d %s", a, (long long)ts, rc, plaudit_errmsg(ctx));
    assert_int_equal(o.status, PLAUDIT_ACCEPTED);
    /* a POINTS moment exactly when something was earned */
    size_t n_points = 0;
    for (size_t i = 0; i < o.n_moments; i++)
        if (o.moments[i].kind == PLAUDIT_MOMENT_POINTS) {
            n_points++;
            assert_int_equal(o.moments[i].points, o.points);
            assert_int_equal(o.moments[i].source, PLAUDIT_SOURCE_ACTION);
            assert_string_equal(o.moments[i].source_id, a);
            assert_int_equal(o.moments[i].ts, ts);
        }
    assert_int_equal(n_points, o.points != 0);
    return o.points;
}

static uint64_t count_of(plaudit_ctx *ctx, const char *m, const char *a)
{
    uint64_t n = 0;
    assert_int_equal(plaudit_member_action_count(ctx, m, a, &n), PLAUDIT_OK);
    return n;
}

static void test_points(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 10);
    action(ctx, "zero", 0);
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 10);
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 10); /* same second: fine */
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "zero"), 0);
    assert_int_equal(points_of(ctx, "m"), 20);
    assert_int_equal(balance_of(ctx, "m"), 20);
    assert_int_equal(count_of(ctx, "m", "a"), 2);
    assert_int_equal(count_of(ctx, "m", "zero"), 1);
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "m", &mi), PLAUDIT_OK);
    assert_int_equal(mi.distinct_actions, 2);
    assert_int_equal(mi.joined, T_2026);
    assert_int_equal(mi.last_ts, T_2026 + 1);
    plaudit_ctx_free(ctx);
}

static void test_once(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(action_full(ctx, "c", 50, 1, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026, "m", "c"), 50);
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "c"), 0);
    assert_int_equal(earn(ctx, T_2026 + 400 * DAY, "m", "c"), 0); /* once means ever */
    assert_int_equal(earn(ctx, T_2026 + 2, "n", "c"), 50);      /* per member */
    assert_int_equal(count_of(ctx, "m", "c"), 3);
    assert_int_equal(points_of(ctx, "m"), 50);
    plaudit_ctx_free(ctx);
}

static void test_cooldown(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(action_full(ctx, "b", 100, 0, 3600, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    const int64_t t0 = T_2026 + 12345;
    assert_int_equal(earn(ctx, t0, "m", "b"), 100);
    assert_int_equal(earn(ctx, t0 + 3599, "m", "b"), 0);   /* one second before the end */
    assert_int_equal(earn(ctx, t0 + 3600, "m", "b"), 100); /* exactly cooldown_s after the last earning one */
    /* the 0-point occurrence at t0+3599 did not restart the cooldown (it
     * earned nothing); the one at t0+3600 did */
    assert_int_equal(earn(ctx, t0 + 7199, "m", "b"), 0);
    assert_int_equal(earn(ctx, t0 + 7200, "m", "b"), 100);
    assert_int_equal(earn(ctx, t0 + 7200, "n", "b"), 100); /* per member */
    assert_int_equal(count_of(ctx, "m", "b"), 5);
    plaudit_ctx_free(ctx);
}

static void test_count_cap(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(action_full(ctx, "s", 5, 0, 0, PLAUDIT_UNSET, 3, PLAUDIT_PERIOD_MONTH), PLAUDIT_OK);
    for (int i = 0; i < 3; i++) assert_int_equal(earn(ctx, T_2026 + i, "m", "s"), 5);
    assert_int_equal(earn(ctx, T_2026 + 10, "m", "s"), 0);
    assert_int_equal(earn(ctx, T_2026 + 30 * DAY + 86399, "m", "s"), 0); /* 2026-01-31 23:59:59 */
    assert_int_equal(earn(ctx, T_2026 + 31 * DAY, "m", "s"), 5);          /* 2026-02-01 00:00:00 */
    assert_int_equal(count_of(ctx, "m", "s"), 6);
    assert_int_equal(points_of(ctx, "m"), 20);
    /* a count cap of 0 lets nothing earn */
    plaudit_ctx *c2 = ctx_new();
    assert_int_equal(action_full(c2, "s", 5, 0, 0, PLAUDIT_UNSET, 0, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(earn(c2, T_2026, "m", "s"), 0);
    assert_int_equal(count_of(c2, "m", "s"), 1);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

static void test_points_cap(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(action_full(ctx, "a", 10, 0, 0, 25, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    /* 10 + 10 = 20; the third crosses 25 and earns the remainder 5; then 0 */
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 10);
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "a"), 10);
    assert_int_equal(earn(ctx, T_2026 + 2, "m", "a"), 5);
    assert_int_equal(earn(ctx, T_2026 + 3, "m", "a"), 0);
    assert_int_equal(earn(ctx, T_2026 + DAY, "m", "a"), 10); /* next day */
    assert_int_equal(points_of(ctx, "m"), 35);
    assert_int_equal(count_of(ctx, "m", "a"), 5);
    plaudit_ctx_free(ctx);
}

static void test_both_caps(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    /* count cap 2 is hit before the points cap 25 would give a remainder */
    assert_int_equal(action_full(ctx, "a", 10, 0, 0, 25, 2, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    /* points cap 15 is hit first: 10, 5 (partial; counts as an earning
     * occurrence), then 0 */
    assert_int_equal(action_full(ctx, "b", 10, 0, 0, 15, 5, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    /* cooldown then count cap: occurrences in the cooldown do not use up
     * the count cap */
    assert_int_equal(action_full(ctx, "c", 10, 0, 100, PLAUDIT_UNSET, 2, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 10);
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 10);
    assert_int_equal(earn(ctx, T_2026, "m", "a"), 0);
    assert_int_equal(earn(ctx, T_2026, "m", "b"), 10);
    assert_int_equal(earn(ctx, T_2026, "m", "b"), 5);
    assert_int_equal(earn(ctx, T_2026, "m", "b"), 0);
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "c"), 10);
    assert_int_equal(earn(ctx, T_2026 + 2, "m", "c"), 0);  /* cooldown */
    assert_int_equal(earn(ctx, T_2026 + 3, "m", "c"), 0);  /* cooldown */
    assert_int_equal(earn(ctx, T_2026 + 101, "m", "c"), 10); /* 2nd earning occurrence */
    assert_int_equal(earn(ctx, T_2026 + 300, "m", "c"), 0);  /* count cap */
    assert_int_equal(points_of(ctx, "m"), 55);
    /* once comes first: a once action with a cap earns once */
    plaudit_ctx *c2 = ctx_new();
    assert_int_equal(action_full(c2, "o", 10, 1, 0, 5, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(earn(c2, T_2026, "m", "o"), 5);
    assert_int_equal(earn(c2, T_2026 + DAY, "m", "o"), 0);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

static void test_negative(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "up", 100);
    /* limits apply to positive points only: this one applies in full every time */
    assert_int_equal(action_full(ctx, "down", -30, 1, 3600, 10, 1, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026, "m", "up"), 100);
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "down"), -30);
    assert_int_equal(earn(ctx, T_2026 + 2, "m", "down"), -30);
    assert_int_equal(earn(ctx, T_2026 + 3, "m", "down"), -30);
    /* 10 left: the floor takes only those */
    assert_int_equal(earn(ctx, T_2026 + 4, "m", "down"), -10);
    assert_int_equal(earn(ctx, T_2026 + 5, "m", "down"), 0);
    assert_int_equal(points_of(ctx, "m"), 0);
    assert_int_equal(balance_of(ctx, "m"), 0);
    assert_int_equal(count_of(ctx, "m", "down"), 5);
    /* a new member with a negative first action stays at 0 */
    assert_int_equal(earn(ctx, T_2026 + 6, "n", "down"), 0);
    assert_int_equal(points_of(ctx, "n"), 0);
    /* adjust floors the same way */
    assert_int_equal(earn(ctx, T_2026 + 7, "m", "up"), 100);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 8, "m", -1000, "reset", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, -100);
    assert_int_equal(o.n_moments, 1);
    assert_int_equal(o.moments[0].source, PLAUDIT_SOURCE_ADJUST);
    assert_string_equal(o.moments[0].source_id, "reset");
    assert_int_equal(points_of(ctx, "m"), 0);
    plaudit_ctx_free(ctx);
}

/* Balance: changes by the awarded amount, floored at 0, independently of
 * points once a redemption made it lower. */
static void test_balance_floor(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "up", 100);
    action(ctx, "down", -30);
    assert_int_equal(reward(ctx, "r", 80, PLAUDIT_UNSET), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026, "m", "up"), 100);
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 1, "m", "r", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(points_of(ctx, "m"), 100); /* redeeming never changes points */
    assert_int_equal(balance_of(ctx, "m"), 20);
    /* -30 is awarded in full (points 70); the balance 20 - 30 floors at 0 */
    assert_int_equal(earn(ctx, T_2026 + 2, "m", "down"), -30);
    assert_int_equal(points_of(ctx, "m"), 70);
    assert_int_equal(balance_of(ctx, "m"), 0);
    assert_int_equal(earn(ctx, T_2026 + 3, "m", "up"), 100);
    assert_int_equal(points_of(ctx, "m"), 170);
    assert_int_equal(balance_of(ctx, "m"), 100);
    plaudit_ctx_free(ctx);
}

/* Large sums stay exact.  A single value is at most 10^9, so reaching
 * INT64_MAX (9.2 * 10^18) through the API would take over 9 * 10^9 events;
 * we check that 10^5 adjusts of +10^9 (and kudos, bonuses) add up exactly,
 * with no wrap of points, balance, leaderboard scores or window sums. */
static void test_large_sums(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "big", PLAUDIT_MAX_VALUE);
    tier(ctx, "t", PLAUDIT_MAX_VALUE);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    board(ctx, "y", PLAUDIT_PERIOD_YEAR);
    const int n = 100000;
    for (int i = 0; i < n; i++)
        assert_int_equal(plaudit_record_adjust(ctx, T_2026 + i, "m", PLAUDIT_MAX_VALUE, NULL, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026 + n, "m", "big"), PLAUDIT_MAX_VALUE);
    const int64_t want = (int64_t)(n + 1) * PLAUDIT_MAX_VALUE; /* 1.00001 * 10^14 */
    assert_int_equal(points_of(ctx, "m"), want);
    assert_int_equal(balance_of(ctx, "m"), want);
    int64_t score;
    assert_int_equal(rank_of(ctx, "all", "m", &score), 1);
    assert_int_equal(score, want);
    assert_int_equal(rank_of(ctx, "y", "m", &score), 1);
    assert_int_equal(score, want);
    assert_string_equal(tier_of(ctx, "m"), "t");
    plaudit_ctx_free(ctx);
}

/* Every accepted occurrence is counted, whatever it earned: counts feed
 * badges and segments. */
static void test_counted_even_with_zero(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(action_full(ctx, "o", 5, 1, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(action_full(ctx, "z", 0, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "o3", PLAUDIT_CRITERION_ACTION_COUNT, "o", 3, 0), PLAUDIT_OK);
    assert_int_equal(segment2(ctx, "zs", "z", 2, NULL, 0), PLAUDIT_OK);
    assert_int_equal(earn(ctx, T_2026, "m", "o"), 5);
    assert_int_equal(earn(ctx, T_2026 + 1, "m", "o"), 0);
    assert_int_equal(badge_n(ctx, "m", "o3"), 0);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 2, "m", "o", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 0);
    assert_int_equal(o.n_badges, 1); /* third occurrence, 0 points, badge */
    assert_int_equal(badge_n(ctx, "m", "o3"), 1);
    assert_null(segment_of(ctx, "m"));
    assert_int_equal(earn(ctx, T_2026 + 3, "m", "z"), 0);
    assert_string_equal(segment_of(ctx, "m"), "zs"); /* affinity 2 from a 0-point action */
    int64_t aff;
    assert_int_equal(plaudit_member_affinity(ctx, "m", "zs", &aff), PLAUDIT_OK);
    assert_int_equal(aff, 2);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points),       cmocka_unit_test(test_once),
        cmocka_unit_test(test_cooldown),     cmocka_unit_test(test_count_cap),
        cmocka_unit_test(test_points_cap),   cmocka_unit_test(test_both_caps),
        cmocka_unit_test(test_negative),     cmocka_unit_test(test_balance_floor),
        cmocka_unit_test(test_large_sums),   cmocka_unit_test(test_counted_even_with_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
