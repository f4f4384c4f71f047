/* test-tiers.c - tiers: min_points, min_distinct_actions, min_tenure_days
 * (whole days), lifetime tiers as a floor, qualification tiers held through
 * the next period (spec example 03), demotion, TIER moments, and the
 * progress figures next_points / keep_points. */
#include "common.h"

/* The single TIER moment of an outcome (fails when there is not one). */
static const plaudit_moment *tier_moment(const plaudit_outcome *o)
{
    const plaudit_moment *t = NULL;
    assert_int_equal(o->n_tier_changes, 1);
    for (size_t i = 0; i < o->n_moments; i++)
        if (o->moments[i].kind == PLAUDIT_MOMENT_TIER) {
            assert_null(t);
            t = &o->moments[i];
        }
    assert_non_null(t);
    return t;
}

static void assert_tier_change(const plaudit_outcome *o, const char *from, const char *to, int promoted)
{
    const plaudit_moment *t = tier_moment(o);
    assert_str_or_null(t->tier_from, from);
    assert_str_or_null(t->tier_to, to);
    assert_int_equal(t->promoted, promoted);
}

static void test_min_points_and_demotion(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 60);
    tier(ctx, "bronze", 0);
    tier(ctx, "silver", 100);
    tier(ctx, "gold", 500);
    plaudit_outcome o;
    /* min_points 0 holds at once: joining promotes from none to bronze */
    assert_int_equal(plaudit_record_join(ctx, T_2026, "m", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, NULL, "bronze", 1);
    assert_int_equal(o.moments[0].ts, T_2026);
    assert_string_equal(o.moments[0].member, "m");
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 1, "m", "p", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_tier_changes, 0); /* 60 */
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 2, "m", "p", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "bronze", "silver", 1); /* 120 */
    /* the TIER moment comes after the POINTS moment that caused it */
    assert_int_equal(o.moments[0].kind, PLAUDIT_MOMENT_POINTS);
    assert_int_equal(o.moments[1].kind, PLAUDIT_MOMENT_TIER);
    /* jump two tiers at once: one moment, from silver to gold */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 3, "m", 400, NULL, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "silver", "gold", 1); /* 520 */
    /* points fall: demoted (not lifetime) */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 4, "m", -21, NULL, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "gold", "silver", 0); /* 499 */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 5, "m", -1000, NULL, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "silver", "bronze", 0); /* 0 */
    assert_string_equal(tier_of(ctx, "m"), "bronze");
    plaudit_ctx_free(ctx);
}

/* A program whose lowest tier needs points: null until reached. */
static void test_no_tier(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 10);
    tier(ctx, "member", 10);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_join(ctx, T_2026, "m", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_tier_changes, 0);
    assert_null(tier_of(ctx, "m"));
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "p", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, NULL, "member", 1);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", -1, NULL, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "member", NULL, 0);
    plaudit_ctx_free(ctx);
}

static void test_min_distinct_actions(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 300);
    action(ctx, "b", 0);
    action(ctx, "c", 0);
    tier(ctx, "silver", 100);
    assert_int_equal(tier_full(ctx, "gold", 500, 3, 0, 0, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    ACT(ctx, T_2026, "m", "a");
    ACT(ctx, T_2026 + 1, "m", "a");
    ACT(ctx, T_2026 + 2, "m", "a"); /* 900 points, 1 distinct */
    assert_string_equal(tier_of(ctx, "m"), "silver");
    ACT(ctx, T_2026 + 3, "m", "b");
    ACT(ctx, T_2026 + 4, "m", "b"); /* still 2 distinct */
    assert_string_equal(tier_of(ctx, "m"), "silver");
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.next_tier, "gold");
    assert_int_equal(p.next_points, 0);
    assert_int_equal(p.next_distinct_actions, 1);
    ACT(ctx, T_2026 + 5, "m", "c"); /* a 0-point action still counts as distinct */
    assert_string_equal(tier_of(ctx, "m"), "gold");
    plaudit_ctx_free(ctx);
}

static void test_min_tenure_whole_days(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    tier(ctx, "new", 0);
    assert_int_equal(tier_full(ctx, "old", 0, 0, 2, 0, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    const int64_t joined = T_2026 + 23 * HOUR; /* 23:00 on 1 January */
    assert_int_equal(plaudit_record_join(ctx, joined, "m", NULL, NULL), PLAUDIT_OK);
    /* 3 January 00:00 is two calendar days later but only 1 day 1 hour */
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 2 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(tier_of(ctx, "m"), "new");
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.next_tier, "old");
    assert_int_equal(p.next_tenure_days, 1);
    assert_int_equal(plaudit_record_tick(ctx, joined + 2 * DAY - 1, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(tier_of(ctx, "m"), "new");
    plaudit_outcome o;
    assert_int_equal(plaudit_record_tick(ctx, joined + 2 * DAY, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "new", "old", 1);
    assert_string_equal(tier_of(ctx, "m"), "old");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.tier, "old");
    assert_null(p.next_tier);
    plaudit_ctx_free(ctx);
}

/* A lifetime tier, once its criteria held, is a floor. */
static void test_lifetime_floor(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    tier(ctx, "base", 0);
    assert_int_equal(tier_full(ctx, "gold", 1000, 0, 0, 1, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    tier(ctx, "diamond", 5000);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", 6000, NULL, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(tier_of(ctx, "m"), "diamond");
    /* gold's criteria held (6000 >= 1000) although diamond was the tier */
    plaudit_outcome o;
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 1, "m", -6000, NULL, NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "diamond", "gold", 0);
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 400 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(tier_of(ctx, "m"), "gold");
    /* a member who never reached it does not get it */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 400 * DAY, "n", 999, NULL, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(tier_of(ctx, "n"), "base");
    plaudit_ctx_free(ctx);
}

static plaudit_ctx *example03(void)
{
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(plaudit_program_set_name(ctx, "tiers"), PLAUDIT_OK);
    action(ctx, "s", 100);
    tier(ctx, "base", 0);
    assert_int_equal(tier_full(ctx, "silver", 300, 0, 0, 0, PLAUDIT_PERIOD_MONTH), PLAUDIT_OK);
    assert_int_equal(tier_full(ctx, "gold", 1000, 0, 0, 1, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "silver-badge";
    d.criterion = PLAUDIT_CRITERION_TIER;
    d.tier = "silver";
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    int64_t lv[2] = {200, 1000};
    assert_int_equal(badge_thr(ctx, "scorer", PLAUDIT_CRITERION_POINTS, NULL, lv, 2, 0), PLAUDIT_OK);
    return ctx;
}

/* Spec example 03, step by step. */
static void test_qualification_example03(void **state)
{
    (void)state;
    plaudit_ctx *ctx = example03();
    plaudit_outcome o;
    plaudit_progress p;
    ACT(ctx, 1768046400, "m", "s"); /* 2026-01-10 12:00 */
    assert_string_equal(tier_of(ctx, "m"), "base");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.next_tier, "silver");
    assert_int_equal(p.next_points, 200); /* 300 - 100 earned in January */
    assert_null(p.keep_tier);
    ACT(ctx, 1768050000, "m", "s");
    assert_int_equal(plaudit_record_action(ctx, 1768053600, "m", "s", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "base", "silver", 1); /* 300 in January */
    assert_int_equal(o.n_badges, 1);              /* silver-badge */
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.keep_tier, "silver");
    assert_int_equal(p.keep_points, 0); /* requalified this month */
    assert_string_equal(p.next_tier, "gold");
    assert_int_equal(p.next_points, 700);
    /* February: 100 earned, held from January's qualification */
    assert_int_equal(plaudit_record_action(ctx, 1771156800, "m", "s", NULL, &o), PLAUDIT_OK); /* 15 Feb */
    assert_int_equal(o.n_tier_changes, 0);
    assert_string_equal(tier_of(ctx, "m"), "silver");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.keep_tier, "silver");
    assert_int_equal(p.keep_points, 200); /* 300 - 100 earned in February */
    /* a tick at the end of February still has silver */
    assert_int_equal(plaudit_record_tick(ctx, 1772323199, NULL, &o), PLAUDIT_OK); /* 28 Feb 23:59:59 */
    assert_int_equal(o.n_tier_changes, 0);
    /* 15 March: only 100 in March, the qualification was in January */
    assert_int_equal(plaudit_record_action(ctx, 1773576000, "m", "s", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "silver", "base", 0);
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_null(p.keep_tier);
    assert_string_equal(p.next_tier, "silver");
    assert_int_equal(p.next_points, 200);
    /* 16 March: five more: 1000 points, 600 in March */
    for (int i = 0; i < 4; i++) ACT(ctx, 1773655200 + 60 * i, "m", "s");
    assert_int_equal(plaudit_record_action(ctx, 1773655440, "m", "s", NULL, &o), PLAUDIT_OK);
    assert_tier_change(&o, "silver", "gold", 1);
    assert_string_equal(tier_of(ctx, "m"), "gold");
    assert_int_equal(plaudit_record_adjust(ctx, 1773748800, "m", -900, NULL, NULL, &o), PLAUDIT_OK);
    /* gold is lifetime; silver requalified in March (600 >= 300) would
     * also hold, gold is higher */
    assert_int_equal(o.n_tier_changes, 0);
    assert_string_equal(tier_of(ctx, "m"), "gold");
    assert_int_equal(points_of(ctx, "m"), 100);
    assert_int_equal(badge_n(ctx, "m", "scorer"), 2);
    assert_int_equal(badge_n(ctx, "m", "silver-badge"), 1);
    plaudit_ctx_free(ctx);
}

/* Held through the whole next period, lost when it ends (a tick brings
 * the member up to the clock). */
static void test_qualification_lost_after_next_period(void **state)
{
    (void)state;
    plaudit_ctx *ctx = example03();
    ACT(ctx, 1768046400, "m", "s");
    ACT(ctx, 1768046401, "m", "s");
    ACT(ctx, 1768046402, "m", "s"); /* qualified in January */
    plaudit_outcome o;
    assert_int_equal(plaudit_record_tick(ctx, 1772323199, NULL, &o), PLAUDIT_OK); /* last second of February */
    assert_int_equal(o.n_tier_changes, 0);
    assert_string_equal(tier_of(ctx, "m"), "silver");
    assert_int_equal(plaudit_record_tick(ctx, 1772323200, NULL, &o), PLAUDIT_OK); /* 1 March */
    assert_tier_change(&o, "silver", "base", 0);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_null(p.keep_tier);
    plaudit_ctx_free(ctx);
}

/* Requalifying in the holding period extends the hold by one more. */
static void test_qualification_renewed(void **state)
{
    (void)state;
    plaudit_ctx *ctx = example03();
    for (int i = 0; i < 3; i++) ACT(ctx, 1768046400 + i, "m", "s"); /* January */
    for (int i = 0; i < 3; i++) ACT(ctx, 1771156800 + i, "m", "s"); /* February: 300 again */
    assert_int_equal(plaudit_record_tick(ctx, 1775001599, NULL, NULL), PLAUDIT_OK); /* 31 March 23:59:59 */
    assert_string_equal(tier_of(ctx, "m"), "silver");
    /* net points: an adjust in the window counts against it */
    plaudit_ctx_free(ctx);
    ctx = example03();
    for (int i = 0; i < 3; i++) ACT(ctx, 1768046400 + i, "m", "s"); /* 300 */
    assert_int_equal(plaudit_record_adjust(ctx, 1768046500, "m", -100, NULL, NULL, NULL), PLAUDIT_OK);
    /* promoted at once, never demoted inside the period: still silver */
    assert_string_equal(tier_of(ctx, "m"), "silver");
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.keep_tier, "silver");
    assert_int_equal(p.keep_points, 0);
    plaudit_ctx_free(ctx);
    ctx = example03();
    ACT(ctx, 1768046400, "m", "s");
    ACT(ctx, 1768046401, "m", "s");
    assert_int_equal(plaudit_record_adjust(ctx, 1768046402, "m", -100, NULL, NULL, NULL), PLAUDIT_OK);
    ACT(ctx, 1768046403, "m", "s"); /* 300 awarded, 200 net: not qualified */
    assert_string_equal(tier_of(ctx, "m"), "base");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_int_equal(p.next_points, 100);
    plaudit_ctx_free(ctx);
}

static void test_progress_next_points(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 30);
    tier(ctx, "bronze", 0);
    tier(ctx, "silver", 100);
    plaudit_progress p;
    ACT(ctx, T_2026, "m", "p");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.tier, "bronze");
    assert_string_equal(p.next_tier, "silver");
    assert_int_equal(p.next_points, 70);
    assert_int_equal(p.next_distinct_actions, 0);
    assert_int_equal(p.next_tenure_days, 0);
    assert_null(p.keep_tier);
    for (int i = 0; i < 3; i++) ACT(ctx, T_2026 + 1 + i, "m", "p");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_string_equal(p.tier, "silver");
    assert_null(p.next_tier);
    assert_int_equal(p.next_points, 0);
    assert_int_equal(plaudit_member_progress(ctx, "nobody", &p), PLAUDIT_ENOTFOUND);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_points_and_demotion),
        cmocka_unit_test(test_no_tier),
        cmocka_unit_test(test_min_distinct_actions),
        cmocka_unit_test(test_min_tenure_whole_days),
        cmocka_unit_test(test_lifetime_floor),
        cmocka_unit_test(test_qualification_example03),
        cmocka_unit_test(test_qualification_lost_after_next_period),
        cmocka_unit_test(test_qualification_renewed),
        cmocka_unit_test(test_progress_next_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
