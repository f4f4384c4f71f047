/* test-periods.c - calendar periods in the program's local time: day, ISO
 * week, month, quarter, year and all, with fixed UTC offsets and with
 * Europe/Amsterdam across both daylight-saving changes; leaderboards that
 * roll over at local midnight; the spec's example 04 in C.
 *
 * Probe: an action per period kind, each with a count cap of 1 per period.
 * A fresh member records it at t1 and t2; the second occurrence earns
 * points exactly when t2 is in a later period than t1.  Boundaries were
 * worked out by hand from the local offsets (UTC times noted beside). */
#include "common.h"

static const char *const kinds[] = {NULL, "day", "week", "month", "quarter", "year", "all"};

static plaudit_ctx *probe_ctx(int offset_min, const char *zone)
{
    plaudit_ctx *ctx = ctx_new();
    if (zone) assert_int_equal(plaudit_program_set_timezone(ctx, zone), PLAUDIT_OK);
    else assert_int_equal(plaudit_program_set_utc_offset(ctx, offset_min), PLAUDIT_OK);
    for (int p = PLAUDIT_PERIOD_DAY; p <= PLAUDIT_PERIOD_ALL; p++)
        assert_int_equal(action_full(ctx, kinds[p], 1, 0, 0, PLAUDIT_UNSET, 1, (plaudit_period)p), PLAUDIT_OK);
    return ctx;
}

static int member_serial;

/* 1 when t1 and t2 fall in the same period of kind p. */
static int same(plaudit_ctx *ctx, plaudit_period p, int64_t t1, int64_t t2)
{
    char m[32];
    snprintf(m, sizeof m, "m%d", member_serial++);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, t1, m, kinds[p], NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 1);
    assert_int_equal(plaudit_record_action(ctx, t2, m, kinds[p], NULL, &o), PLAUDIT_OK);
    return o.points == 0;
}

/* t is the first second of a period of kind p: t-1 is in another one. */
static void boundary(plaudit_ctx *ctx, plaudit_period p, int64_t t)
{
    if (same(ctx, p, t - 1, t)) fail_msg("%s: %lld and the second before are in the same period", kinds[p], (long long)t);
    if (!same(ctx, p, t, t + 1)) fail_msg("%s: %lld and the second after are in different periods", kinds[p], (long long)t);
}

static void test_utc(void **state)
{
    (void)state;
    plaudit_ctx *ctx = probe_ctx(0, NULL);
    boundary(ctx, PLAUDIT_PERIOD_DAY, T_2026);
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, T_2026, T_2026 + DAY - 1));
    /* ISO weeks: Monday 2025-12-29 00:00 starts the week holding 2026-01-01 */
    boundary(ctx, PLAUDIT_PERIOD_WEEK, 1766966400); /* Mon 2025-12-29 */
    boundary(ctx, PLAUDIT_PERIOD_WEEK, T_MON_JAN5);
    assert_true(same(ctx, PLAUDIT_PERIOD_WEEK, T_2026 - DAY, T_2026 + 3 * DAY - 1)); /* Wed 31 Dec .. Sun 4 Jan */
    assert_false(same(ctx, PLAUDIT_PERIOD_MONTH, T_2026 - DAY, T_2026));
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 1769904000);   /* 2026-02-01 */
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 1835481600);   /* 2028-02-29 is in February: 2028-03-01 */
    assert_true(same(ctx, PLAUDIT_PERIOD_MONTH, 1835481600 - DAY, 1835481600 - 1)); /* 29 Feb 2028 */
    boundary(ctx, PLAUDIT_PERIOD_QUARTER, 1775001600); /* 2026-04-01 */
    assert_true(same(ctx, PLAUDIT_PERIOD_QUARTER, T_2026, 1775001600 - 1));
    boundary(ctx, PLAUDIT_PERIOD_YEAR, T_2026);
    assert_true(same(ctx, PLAUDIT_PERIOD_YEAR, T_2026, 1798761600 - 1)); /* .. 2026-12-31 23:59:59 */
    assert_true(same(ctx, PLAUDIT_PERIOD_ALL, 0, PLAUDIT_MAX_TS));
    plaudit_ctx_free(ctx);
}

static void test_positive_offset(void **state)
{
    (void)state;
    /* UTC+01:00: local midnight is 23:00 UTC the day before */
    plaudit_ctx *ctx = probe_ctx(60, NULL);
    boundary(ctx, PLAUDIT_PERIOD_DAY, T_2026 - HOUR);
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, T_2026 - HOUR, T_2026 + 22 * HOUR + 3599));
    boundary(ctx, PLAUDIT_PERIOD_WEEK, 1767567600);    /* Sun 2026-01-04 23:00 UTC = Mon 00:00 local */
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 1769900400);   /* 2026-01-31 23:00 UTC */
    boundary(ctx, PLAUDIT_PERIOD_QUARTER, 1774998000); /* 2026-03-31 23:00 UTC */
    boundary(ctx, PLAUDIT_PERIOD_YEAR, 1798758000);    /* 2026-12-31 23:00 UTC */
    plaudit_ctx_free(ctx);
    /* UTC+05:30 */
    ctx = probe_ctx(330, NULL);
    boundary(ctx, PLAUDIT_PERIOD_DAY, T_2026 - 330 * 60);
    boundary(ctx, PLAUDIT_PERIOD_YEAR, T_2026 - 330 * 60);
    plaudit_ctx_free(ctx);
}

static void test_negative_offset(void **state)
{
    (void)state;
    /* UTC-05:00: local midnight is 05:00 UTC */
    plaudit_ctx *ctx = probe_ctx(-300, NULL);
    boundary(ctx, PLAUDIT_PERIOD_DAY, T_2026 + 5 * HOUR);
    plaudit_ctx_free(ctx);
    ctx = probe_ctx(-300, NULL);
    boundary(ctx, PLAUDIT_PERIOD_YEAR, T_2026 + 5 * HOUR);   /* 2025 lasts until 05:00 UTC */
    boundary(ctx, PLAUDIT_PERIOD_WEEK, T_MON_JAN5 + 5 * HOUR);
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 1769904000 + 5 * HOUR);
    plaudit_ctx_free(ctx);
}

/* The extremes of ts with the extremes of the offset still work. */
static void test_extremes(void **state)
{
    (void)state;
    plaudit_ctx *ctx = probe_ctx(-1439, NULL);
    /* ts 0 is 1969-12-31 00:01 local: the local year 1969 ends at 23:59 UTC
     * on 1970-01-01 */
    boundary(ctx, PLAUDIT_PERIOD_YEAR, 1439 * 60);
    boundary(ctx, PLAUDIT_PERIOD_DAY, 1439 * 60);
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, 0, 1439 * 60 - 1));
    plaudit_ctx_free(ctx);
    ctx = probe_ctx(1439, NULL);
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, PLAUDIT_MAX_TS - 10, PLAUDIT_MAX_TS));
    assert_true(same(ctx, PLAUDIT_PERIOD_ALL, 0, PLAUDIT_MAX_TS));
    plaudit_ctx_free(ctx);
}

static void test_amsterdam(void **state)
{
    (void)state;
    plaudit_ctx *ctx = probe_ctx(0, "Europe/Amsterdam");
    /* winter (CET, UTC+1) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, T_2026 - HOUR);
    boundary(ctx, PLAUDIT_PERIOD_YEAR, T_2026 - HOUR);
    boundary(ctx, PLAUDIT_PERIOD_WEEK, 1767567600); /* Mon 5 Jan local = Sun 23:00 UTC */
    /* spring forward 2026-03-29 01:00 UTC (02:00 CET -> 03:00 CEST) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, 1774738800); /* 29 March starts 28 March 23:00 UTC (CET) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, 1774821600); /* 30 March starts 29 March 22:00 UTC (CEST) */
    /* 29 March lasted 23 hours */
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, 1774738800, 1774821600 - 1));
    boundary(ctx, PLAUDIT_PERIOD_WEEK, 1774821600);  /* Mon 30 March */
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 1774994400); /* 1 April starts 31 March 22:00 UTC */
    boundary(ctx, PLAUDIT_PERIOD_QUARTER, 1774994400);
    /* the transition instant itself stays in 29 March */
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, 1774746000 - 1, 1774746000));
    /* fall back 2026-10-25 01:00 UTC (03:00 CEST -> 02:00 CET) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, 1792879200); /* 25 October starts 24 October 22:00 UTC (CEST) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, 1792969200); /* 26 October starts 25 October 23:00 UTC (CET) */
    /* 25 October lasted 25 hours, the repeated hour included */
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, 1792879200, 1792969200 - 1));
    assert_true(same(ctx, PLAUDIT_PERIOD_DAY, 1792890000 - 1, 1792890000 + 1));
    boundary(ctx, PLAUDIT_PERIOD_WEEK, 1792969200); /* Mon 26 October */
    /* far past the last listed transition: the footer rule (summer 2100) */
    boundary(ctx, PLAUDIT_PERIOD_DAY, 4118076000); /* 1 July 2100 starts 30 June 22:00 UTC */
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 4118076000);
    boundary(ctx, PLAUDIT_PERIOD_MONTH, 4105119600); /* 1 February 2100 (winter) starts 23:00 UTC */
    plaudit_ctx_free(ctx);
}

/* A daily leaderboard in Amsterdam rolls over at local midnight. */
static void test_board_local_midnight(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(plaudit_program_set_timezone(ctx, "Europe/Amsterdam"), PLAUDIT_OK);
    action(ctx, "p", 10);
    board(ctx, "daily", PLAUDIT_PERIOD_DAY);
    ACT(ctx, 1774821600 - 10, "a", "p"); /* 29 March 23:59:50 CEST */
    uint64_t n;
    assert_int_equal(plaudit_leaderboard_count(ctx, "daily", &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(plaudit_record_tick(ctx, 1774821600 - 1, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_leaderboard_count(ctx, "daily", &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(plaudit_record_tick(ctx, 1774821600, NULL, NULL), PLAUDIT_OK); /* 30 March 00:00 */
    assert_int_equal(plaudit_leaderboard_count(ctx, "daily", &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    plaudit_ctx_free(ctx);
}

/* Spec example 04: local days across the spring change; streaks and a
 * repeatable within-day badge. */
static void test_example_04(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(plaudit_program_set_name(ctx, "local days"), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_timezone(ctx, "Europe/Amsterdam"), PLAUDIT_OK);
    action(ctx, "v", 1);
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t three = 3, two = 2;
    d.id = "streak3";
    d.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
    d.action = "v";
    d.per = PLAUDIT_PERIOD_DAY;
    d.thresholds = &three;
    d.n_thresholds = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    plaudit_badge_def r = PLAUDIT_BADGE_DEF_INIT;
    r.id = "twice-a-day";
    r.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    r.action = "v";
    r.within = PLAUDIT_PERIOD_DAY;
    r.repeatable = 1;
    r.thresholds = &two;
    r.n_thresholds = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &r), PLAUDIT_OK);
    d.id = "streak2";
    d.thresholds = &two;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    const int64_t mts[] = {1774654200, 1774737000, 1774740600, 1774823400, 1774907100};
    for (size_t i = 0; i < 5; i++) ACT(ctx, mts[i], "m", "v");
    ACT(ctx, 1774737001, "n", "v");
    ACT(ctx, 1774823401, "n", "v");
    assert_int_equal(points_of(ctx, "m"), 5);
    assert_int_equal(points_of(ctx, "n"), 2);
    assert_int_equal(badge_n(ctx, "m", "streak2"), 1);
    assert_int_equal(badge_n(ctx, "m", "streak3"), 1);
    assert_int_equal(badge_n(ctx, "m", "twice-a-day"), 2);
    /* n's events are on local 28 and 30 March: no streak */
    assert_int_equal(badge_n(ctx, "n", "streak2"), 0);
    assert_int_equal(badge_n(ctx, "n", "twice-a-day"), 0);
    assert_int_equal(plaudit_clock(ctx), 1774907100);
    plaudit_ctx_free(ctx);
    /* the same program with a fixed UTC+1 would put n's events on
     * consecutive days (28 and 29 March) and give it streak2 */
    ctx = ctx_new();
    assert_int_equal(plaudit_program_set_utc_offset(ctx, 60), PLAUDIT_OK);
    action(ctx, "v", 1);
    d.id = "streak2";
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    ACT(ctx, 1774737001, "n", "v");
    ACT(ctx, 1774823401, "n", "v");
    assert_int_equal(badge_n(ctx, "n", "streak2"), 1);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc),        cmocka_unit_test(test_positive_offset),
        cmocka_unit_test(test_negative_offset), cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_amsterdam),  cmocka_unit_test(test_board_local_midnight),
        cmocka_unit_test(test_example_04),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
