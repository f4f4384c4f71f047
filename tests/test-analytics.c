/* test-analytics.c - program analytics through the public API, on small
 * histories whose figures are worked out by hand in the comments; the
 * recorder's contract (enable before the first event, windows, errors) and
 * its behaviour when an allocation fails (engine state untouched, the next
 * plaudit_analytics_get reports PLAUDIT_ENOMEM). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"

#define JAN 1767225600LL /* 2026-01-01 00:00 UTC */
#define FEB 1769904000LL /* 2026-02-01 */
#define MAR 1772323200LL /* 2026-03-01 */
#define DAY 86400LL

static void declare(plaudit_ctx *ctx)
{
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "a";
    a.points = 10;
    assert_int_equal(plaudit_action_declare(ctx, &a), PLAUDIT_OK);
    a.id = "b";
    a.points = 5;
    assert_int_equal(plaudit_action_declare(ctx, &a), PLAUDIT_OK);
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "t0";
    assert_int_equal(plaudit_tier_declare(ctx, &t), PLAUDIT_OK);
    t.id = "t1";
    t.min_points = 100;
    assert_int_equal(plaudit_tier_declare(ctx, &t), PLAUDIT_OK);
    const char *acts[] = {"a"};
    const int64_t w[] = {1};
    plaudit_segment_def s = PLAUDIT_SEGMENT_DEF_INIT;
    s.id = "s";
    s.n_weights = 1;
    s.actions = acts;
    s.weights = w;
    assert_int_equal(plaudit_segment_declare(ctx, &s), PLAUDIT_OK);
    int64_t thr[] = {3};
    plaudit_badge_def g = PLAUDIT_BADGE_DEF_INIT;
    g.id = "g";
    g.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    g.action = "a";
    g.n_thresholds = 1;
    g.thresholds = thr;
    assert_int_equal(plaudit_badge_declare(ctx, &g), PLAUDIT_OK);
    plaudit_kudos_def k = PLAUDIT_KUDOS_DEF_INIT;
    k.points = 1;
    assert_int_equal(plaudit_kudos_declare(ctx, &k), PLAUDIT_OK);
    plaudit_reward_def r = PLAUDIT_REWARD_DEF_INIT;
    r.id = "r";
    r.cost = 10;
    assert_int_equal(plaudit_reward_declare(ctx, &r), PLAUDIT_OK);
}

/* The history (UTC, monthly periods):
 *   Jan 1  alice a (+10, joins), alice b (+5), bob joins, carol a (+10, joins)
 *   Feb 1  alice a (+10), alice a (+10: third a, badge g = a recognition),
 *          bob gives carol kudos (+1: a recognition of carol, not a
 *          contribution), dave a (+10, joins), alice redeems r (10)
 *   Mar 1  carol a (+10)
 * Contributions: alice 4 (Jan 2, Feb 2), carol 2 (Jan, Mar), dave 1 (Feb). */
static int record_history(plaudit_ctx *ctx)
{
    int rc = 0;
    rc |= plaudit_record_action(ctx, JAN, "alice", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 100, "alice", "b", NULL, NULL);
    rc |= plaudit_record_join(ctx, JAN + 200, "bob", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 300, "carol", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, FEB, "alice", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, FEB + 100, "alice", "a", NULL, NULL);
    rc |= plaudit_record_kudos(ctx, FEB + 200, "bob", "carol", NULL, NULL);
    rc |= plaudit_record_action(ctx, FEB + 300, "dave", "a", NULL, NULL);
    rc |= plaudit_record_redeem(ctx, FEB + 400, "alice", "r", NULL, NULL);
    rc |= plaudit_record_action(ctx, MAR, "carol", "a", NULL, NULL);
    return rc;
}

static plaudit_ctx *history_ctx(int64_t quiet_days)
{
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    declare(ctx);
    plaudit_analytics_options o = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    o.quiet_days = quiet_days;
    assert_int_equal(plaudit_analytics_enable(ctx, &o), PLAUDIT_OK);
    assert_int_equal(record_history(ctx), PLAUDIT_OK);
    return ctx;
}

#define NEAR(x, y) assert_true(fabs((x) - (y)) < 1e-9)

static uint64_t count_of(const plaudit_analytics_count *c, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if ((c[i].id == NULL && id == NULL) || (c[i].id && id && !strcmp(c[i].id, id))) return c[i].members;
    fail_msg("no count for %s", id ? id : "(none)");
    return 0;
}

static void test_all_time(void **state)
{
    (void)state;
    plaudit_ctx *ctx = history_ctx(30);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    assert_int_equal(a.members, 4);
    assert_int_equal(a.participants, 3);                 /* alice, carol, dave */
    NEAR(a.participation_rate, 0.75);
    assert_int_equal(a.contributions, 7);
    assert_int_equal(a.repeat_participants, 2);          /* alice Jan+Feb, carol Jan+Mar */
    NEAR(a.repeat_rate, 2.0 / 3.0);
    assert_int_equal(a.diverse_participants, 1);         /* alice: a and b */
    NEAR(a.diversity_rate, 1.0 / 3.0);
    /* Tenure at the clock (Mar 1): alice 59 days, bob and carol 58 (joined
     * 200 and 300 s after alice), dave 27: mean 202 / 4, median 58. */
    NEAR(a.tenure_avg_days, 50.5);
    NEAR(a.tenure_median_days, 58.0);
    /* Every member holds t0 (0 points); alice, carol, dave are in s. */
    assert_int_equal(a.n_tiers, 3);
    assert_int_equal(count_of(a.tiers, a.n_tiers, "t0"), 4);
    assert_int_equal(count_of(a.tiers, a.n_tiers, "t1"), 0);
    assert_int_equal(count_of(a.tiers, a.n_tiers, NULL), 0);
    assert_int_equal(a.n_segments, 2);
    assert_int_equal(count_of(a.segments, a.n_segments, "s"), 3);
    assert_int_equal(count_of(a.segments, a.n_segments, NULL), 1);
    assert_int_equal(a.rewards_redeemed, 1);
    assert_int_equal(a.points_redeemed, 10);
    /* Points of participants: dave 10, carol 21 (20 + kudos), alice 35.
     * Gini = sum |xi - xj| over ordered pairs / (2 n^2 mean)
     *      = 2 * (11 + 25 + 14) / (2 * 9 * 22) = 100 / 396. */
    NEAR(a.gini, 100.0 / 396.0);
    NEAR(a.lorenz[0], 0.0);
    NEAR(a.lorenz[PLAUDIT_LORENZ_POINTS - 1], 1.0);
    /* Half the participants (1.5 members): 10 + 0.5 * 21 of 66. */
    NEAR(a.lorenz[(PLAUDIT_LORENZ_POINTS - 1) / 2], 20.5 / 66.0);
    /* alice earned g, carol received kudos; dave was never recognized. */
    assert_int_equal(a.never_recognized, 1);
    NEAR(a.never_recognized_rate, 1.0 / 3.0);
    /* Quiet window: the 30 days up to Mar 1 (Jan 31 .. Mar 1).  alice and
     * carol were recognized in it (Feb 1); dave contributed once, never
     * recognized. */
    assert_int_equal(a.quiet_days, 30);
    assert_int_equal(a.n_quiet_total, 1);
    assert_int_equal(a.n_quiet, 1);
    assert_string_equal(a.quiet[0].member, "dave");
    assert_int_equal(a.quiet[0].contributions, 1);
    assert_int_equal(a.quiet[0].last_recognized, -1);
    /* The series by month. */
    assert_int_equal(a.n_periods, 3);
    assert_string_equal(a.first_period, "2026-01");
    assert_string_equal(a.last_period, "2026-03");
    const plaudit_analytics_period *p = a.periods;
    assert_string_equal(p[0].label, "2026-01");
    assert_int_equal(p[0].new_members, 3);
    assert_int_equal(p[0].members, 3);
    assert_int_equal(p[0].participants, 2);
    assert_int_equal(p[0].contributions, 3);
    assert_int_equal(p[0].redemptions, 0);
    assert_string_equal(p[1].label, "2026-02");
    assert_int_equal(p[1].new_members, 1);
    assert_int_equal(p[1].members, 4);
    assert_int_equal(p[1].participants, 2);
    assert_int_equal(p[1].contributions, 3);
    assert_int_equal(p[1].redemptions, 1);
    assert_string_equal(p[2].label, "2026-03");
    assert_int_equal(p[2].members, 4);
    assert_int_equal(p[2].participants, 1);
    assert_int_equal(p[2].contributions, 1);
    assert_int_equal(a.n_teams, 0); /* format 1: no teams */
    assert_null(a.teams);
    plaudit_ctx_free(ctx);
}

static const plaudit_analytics_team *team_of(const plaudit_analytics *a, const char *id)
{
    for (size_t i = 0; i < a->n_teams; i++)
        if ((a->teams[i].id == NULL && id == NULL) || (a->teams[i].id && id && !strcmp(a->teams[i].id, id)))
            return &a->teams[i];
    fail_msg("no team %s", id ? id : "(none)");
    return NULL;
}

/* Format 2, teams (a = 10 points, kudos 1):
 *   Jan 1  alice, bob -> red, carol -> blue; alice a, bob a, bob a, carol a,
 *          dave joins (no team); bob gives alice kudos (alice recognized);
 *          eve -> red (no contribution)
 * red: alice 11, bob 20 points; blue: carol 10; none: dave.  Then carol
 * moves to red: members count in the team they are in now. */
static void test_teams(void **state)
{
    (void)state;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    plaudit_action_def ad = PLAUDIT_ACTION_DEF_INIT;
    ad.id = "a";
    ad.points = 10;
    assert_int_equal(plaudit_action_declare(ctx, &ad), PLAUDIT_OK);
    plaudit_kudos_def k = PLAUDIT_KUDOS_DEF_INIT;
    k.points = 1;
    assert_int_equal(plaudit_kudos_declare(ctx, &k), PLAUDIT_OK);
    assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_OK);
    int rc = 0;
    rc |= plaudit_record_team(ctx, JAN, "alice", "red", NULL, NULL);
    rc |= plaudit_record_team(ctx, JAN, "bob", "red", NULL, NULL);
    rc |= plaudit_record_team(ctx, JAN, "carol", "blue", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 100, "alice", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 200, "bob", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 300, "bob", "a", NULL, NULL);
    rc |= plaudit_record_action(ctx, JAN + 400, "carol", "a", NULL, NULL);
    rc |= plaudit_record_join(ctx, JAN + 500, "dave", NULL, NULL);
    rc |= plaudit_record_kudos(ctx, JAN + 600, "bob", "alice", NULL, NULL);
    rc |= plaudit_record_team(ctx, JAN + 700, "eve", "red", NULL, NULL);
    assert_int_equal(rc, PLAUDIT_OK);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    assert_int_equal(a.n_teams, 3); /* red, blue (first named first), none */
    assert_string_equal(a.teams[0].id, "red");
    assert_string_equal(a.teams[1].id, "blue");
    assert_null(a.teams[2].id);
    const plaudit_analytics_team *red = team_of(&a, "red"), *blue = team_of(&a, "blue"), *none = team_of(&a, NULL);
    assert_int_equal(red->members, 3); /* alice, bob, eve */
    assert_int_equal(red->participants, 2);
    assert_int_equal(red->contributions, 3);
    NEAR(red->participation_rate, 2.0 / 3.0);
    assert_int_equal(red->points, 31);
    /* 11 and 20: sum |xi - xj| over ordered pairs / (2 n^2 mean) = 18 / 124 */
    NEAR(red->gini, 18.0 / 124.0);
    assert_int_equal(red->never_recognized, 1); /* bob */
    NEAR(red->never_recognized_rate, 0.5);
    assert_int_equal(blue->members, 1);
    assert_int_equal(blue->participants, 1);
    assert_int_equal(blue->points, 10);
    NEAR(blue->gini, 0.0);
    NEAR(blue->never_recognized_rate, 1.0);
    assert_int_equal(none->members, 1); /* dave */
    assert_int_equal(none->participants, 0);
    NEAR(none->participation_rate, 0.0);
    NEAR(none->never_recognized_rate, 0.0);
    /* the teams' figures add up to the program's */
    uint64_t members = 0, participants = 0, contributions = 0, never = 0;
    for (size_t i = 0; i < a.n_teams; i++) {
        members += a.teams[i].members;
        participants += a.teams[i].participants;
        contributions += a.teams[i].contributions;
        never += a.teams[i].never_recognized;
    }
    assert_int_equal(members, a.members);
    assert_int_equal(participants, a.participants);
    assert_int_equal(contributions, a.contributions);
    assert_int_equal(never, a.never_recognized);

    /* carol moves: her figures go with her */
    assert_int_equal(plaudit_record_team(ctx, JAN + 800, "carol", "red", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    red = team_of(&a, "red");
    blue = team_of(&a, "blue");
    assert_int_equal(red->members, 4);
    assert_int_equal(red->participants, 3);
    assert_int_equal(red->points, 41);
    /* 10, 11, 20: weighted 10 + 22 + 60 = 92; 2 * 92 / (3 * 41) - 4 / 3 */
    NEAR(red->gini, 184.0 / 123.0 - 4.0 / 3.0);
    assert_int_equal(red->never_recognized, 2);
    assert_int_equal(blue->members, 0);
    assert_int_equal(blue->participants, 0);
    NEAR(blue->gini, 0.0);
    /* a window before any event: members none, teams listed with zeros */
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, JAN - 40 * DAY), PLAUDIT_OK);
    assert_int_equal(a.n_teams, 3);
    assert_int_equal(team_of(&a, "red")->members, 0);
    plaudit_ctx_free(ctx);
}

static void test_window_february(void **state)
{
    (void)state;
    plaudit_ctx *ctx = history_ctx(30);
    plaudit_analytics a;
    /* Any instant of February rounds out to the whole month. */
    assert_int_equal(plaudit_analytics_get(ctx, &a, FEB + 5 * DAY, FEB + 6 * DAY), PLAUDIT_OK);
    assert_int_equal(a.members, 4);        /* dave joined in February */
    assert_int_equal(a.participants, 2);   /* alice, dave (carol only received kudos) */
    NEAR(a.participation_rate, 0.5);
    assert_int_equal(a.contributions, 3);
    assert_int_equal(a.repeat_participants, 0);
    assert_int_equal(a.diverse_participants, 0); /* only a in February */
    /* Tenure is measured at `to` as given (not rounded out), less 1 s:
     * Feb 6 23:59:59: alice, bob, carol 36 days, dave 5. */
    NEAR(a.tenure_avg_days, (36.0 * 3 + 5.0) / 4.0);
    NEAR(a.tenure_median_days, 36.0);
    /* February points: dave 10, alice 20: Gini = 2 * 10 / (2 * 4 * 15). */
    NEAR(a.gini, 20.0 / 120.0);
    assert_int_equal(a.never_recognized, 1);     /* dave */
    assert_int_equal(a.rewards_redeemed, 1);
    assert_int_equal(a.n_periods, 1);
    assert_string_equal(a.periods[0].label, "2026-02");
    assert_int_equal(a.periods[0].members, 4);
    assert_int_equal(a.periods[0].participants, 2);
    plaudit_ctx_free(ctx);
}

static void test_window_january(void **state)
{
    (void)state;
    plaudit_ctx *ctx = history_ctx(30);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, FEB), PLAUDIT_OK);
    assert_int_equal(a.members, 3);        /* dave joined later */
    assert_int_equal(a.participants, 2);
    NEAR(a.participation_rate, 2.0 / 3.0);
    assert_int_equal(a.diverse_participants, 1);
    NEAR(a.diversity_rate, 0.5);
    NEAR(a.tenure_avg_days, 30.0);         /* at Jan 31 23:59:59 */
    /* January points: carol 10, alice 15: Gini = 2 * 5 / (2 * 4 * 12.5). */
    NEAR(a.gini, 0.1);
    assert_int_equal(a.never_recognized, 2); /* nobody was recognized in January */
    NEAR(a.never_recognized_rate, 1.0);
    assert_int_equal(a.rewards_redeemed, 0);
    assert_int_equal(count_of(a.tiers, a.n_tiers, "t0"), 3);
    assert_int_equal(a.n_periods, 1);
    plaudit_ctx_free(ctx);
}

/* With a one-day quiet window only Mar 1 counts: carol contributed then,
 * and her kudos (Feb 1) is outside the window. */
static void test_quiet_one_day(void **state)
{
    (void)state;
    plaudit_ctx *ctx = history_ctx(1);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    assert_int_equal(a.n_quiet_total, 1);
    assert_string_equal(a.quiet[0].member, "carol");
    assert_int_equal(a.quiet[0].contributions, 1);
    assert_int_equal(a.quiet[0].last_recognized, FEB + 200);
    plaudit_ctx_free(ctx);
}

/* Promotion to a tier above the first is a recognition; to the first is
 * not.  quiet_max limits the list, not the count; order: most
 * contributions first, then id. */
static void test_tier_promotion_and_quiet_order(void **state)
{
    (void)state;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    declare(ctx);
    plaudit_analytics_options o = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    o.quiet_max = 2;
    o.period = PLAUDIT_PERIOD_WEEK;
    assert_int_equal(plaudit_analytics_enable(ctx, &o), PLAUDIT_OK);
    /* zed: 10 x b = 50 points, 10 contributions: t0 only. */
    for (int i = 0; i < 10; i++) assert_int_equal(plaudit_record_action(ctx, JAN + i, "zed", "b", NULL, NULL), PLAUDIT_OK);
    /* amy: 2 x b, bea 2 x b, cid 1 x b. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(plaudit_record_action(ctx, JAN + 20 + i, "bea", "b", NULL, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx, JAN + 30 + i, "amy", "b", NULL, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_action(ctx, JAN + 40, "cid", "b", NULL, NULL), PLAUDIT_OK);
    /* top: an adjust of 100 promotes it to t1 (a recognition); its one
     * contribution came before. */
    assert_int_equal(plaudit_record_action(ctx, JAN + 50, "top", "b", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_adjust(ctx, JAN + 60, "top", 100, "prize", NULL, NULL), PLAUDIT_OK);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    assert_int_equal(a.participants, 5);
    assert_int_equal(a.never_recognized, 4);
    assert_int_equal(a.n_quiet_total, 4);
    assert_int_equal(a.n_quiet, 2);
    assert_string_equal(a.quiet[0].member, "zed");
    assert_string_equal(a.quiet[1].member, "amy");
    assert_int_equal(count_of(a.tiers, a.n_tiers, "t1"), 1);
    /* 2026-01-01 is a Thursday: its ISO week starts on Monday Dec 29. */
    assert_string_equal(a.first_period, "2025-12-29");
    plaudit_ctx_free(ctx);
}

static void test_errors(void **state)
{
    (void)state;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    declare(ctx);
    plaudit_analytics a;
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_analytics_get(ctx, NULL, 0, 1), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_analytics_enable(NULL, NULL), PLAUDIT_EINVAL);
    plaudit_analytics_options o = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(plaudit_analytics_enable(ctx, &o), PLAUDIT_EVERSION);
    o = (plaudit_analytics_options)PLAUDIT_ANALYTICS_OPTIONS_INIT;
    o.period = PLAUDIT_PERIOD_ALL;
    assert_int_equal(plaudit_analytics_enable(ctx, &o), PLAUDIT_EINVAL);
    o.period = PLAUDIT_PERIOD_MONTH;
    o.quiet_days = 0;
    assert_int_equal(plaudit_analytics_enable(ctx, &o), PLAUDIT_ERANGE);
    assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_ESTATE);
    /* Empty context: zeros, no periods. */
    assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN), PLAUDIT_OK);
    assert_int_equal(a.members, 0);
    assert_int_equal(a.n_periods, 0);
    NEAR(a.gini, 0.0);
    NEAR(a.lorenz[3], 3.0 / (PLAUDIT_LORENZ_POINTS - 1));
    assert_int_equal(plaudit_analytics_get(ctx, &a, 100, 100), PLAUDIT_ERANGE);
    plaudit_ctx_free(ctx);
    /* Too late once an event was recorded. */
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    declare(ctx);
    assert_int_equal(plaudit_record_action(ctx, JAN, "x", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_ESTATE);
    plaudit_ctx_free(ctx);
}

/* The recorder changes no engine state: same digest with and without it. */
static void test_digest_unchanged(void **state)
{
    (void)state;
    plaudit_ctx *with = history_ctx(30), *without;
    assert_int_equal(plaudit_ctx_new(&without, NULL), PLAUDIT_OK);
    declare(without);
    assert_int_equal(record_history(without), PLAUDIT_OK);
    assert_true(plaudit_state_digest(with) == plaudit_state_digest(without));
    plaudit_ctx_free(with);
    plaudit_ctx_free(without);
}

/* ---- allocation failure inside the observer ------------------------------------ */

typedef struct failing {
    long countdown; /* fail the allocation when it reaches 0 (once) */
} failing;

static void *f_malloc(size_t n, void *p)
{
    failing *f = p;
    if (f->countdown-- == 0) return NULL;
    return malloc(n);
}
static void *f_realloc(void *ptr, size_t n, void *p)
{
    failing *f = p;
    if (f->countdown-- == 0) return NULL;
    return realloc(ptr, n);
}
static void f_free(void *ptr, void *p)
{
    (void)p;
    free(ptr);
}

static void test_observer_oom(void **state)
{
    (void)state;
    plaudit_ctx *ref;
    assert_int_equal(plaudit_ctx_new(&ref, NULL), PLAUDIT_OK);
    declare(ref);
    assert_int_equal(record_history(ref), PLAUDIT_OK);
    uint64_t want = plaudit_state_digest(ref);
    plaudit_ctx_free(ref);
    int recorder_failures = 0, clean = 0;
    for (long n = 0; n < 400; n++) {
        failing f = {-1};
        plaudit_options op = PLAUDIT_OPTIONS_INIT;
        op.allocator = (plaudit_allocator){f_malloc, f_realloc, f_free, &f};
        plaudit_ctx *ctx;
        assert_int_equal(plaudit_ctx_new(&ctx, &op), PLAUDIT_OK);
        declare(ctx);
        assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_OK);
        f.countdown = n; /* fail the n-th allocation from here on */
        /* An event whose own allocation failed is rejected and changes
         * nothing; record it again (the failure is one-shot). */
        int rc = record_history(ctx);
        if (rc) {
            plaudit_ctx_free(ctx);
            ctx = NULL;
            /* Redo the whole history event by event, retrying ENOMEM. */
            f.countdown = -1;
            assert_int_equal(plaudit_ctx_new(&ctx, &op), PLAUDIT_OK);
            declare(ctx);
            assert_int_equal(plaudit_analytics_enable(ctx, NULL), PLAUDIT_OK);
            f.countdown = n;
#define TRY(call)                                                                                                      \
    do {                                                                                                               \
        int r_ = (call);                                                                                               \
        if (r_ == PLAUDIT_ENOMEM) r_ = (call);                                                                         \
        assert_int_equal(r_, PLAUDIT_OK);                                                                              \
    } while (0)
            TRY(plaudit_record_action(ctx, JAN, "alice", "a", NULL, NULL));
            TRY(plaudit_record_action(ctx, JAN + 100, "alice", "b", NULL, NULL));
            TRY(plaudit_record_join(ctx, JAN + 200, "bob", NULL, NULL));
            TRY(plaudit_record_action(ctx, JAN + 300, "carol", "a", NULL, NULL));
            TRY(plaudit_record_action(ctx, FEB, "alice", "a", NULL, NULL));
            TRY(plaudit_record_action(ctx, FEB + 100, "alice", "a", NULL, NULL));
            TRY(plaudit_record_kudos(ctx, FEB + 200, "bob", "carol", NULL, NULL));
            TRY(plaudit_record_action(ctx, FEB + 300, "dave", "a", NULL, NULL));
            TRY(plaudit_record_redeem(ctx, FEB + 400, "alice", "r", NULL, NULL));
            TRY(plaudit_record_action(ctx, MAR, "carol", "a", NULL, NULL));
#undef TRY
        }
        /* The engine state is exactly the reference. */
        assert_true(plaudit_state_digest(ctx) == want);
        f.countdown = -1;
        plaudit_analytics a;
        rc = plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN);
        if (rc == PLAUDIT_ENOMEM) {
            recorder_failures++;
            assert_non_null(strstr(plaudit_errmsg(ctx), "analytics recorder ran out of memory"));
            /* It stays reported. */
            assert_int_equal(plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN),
                             PLAUDIT_ENOMEM);
        } else {
            assert_int_equal(rc, PLAUDIT_OK);
            assert_int_equal(a.participants, 3);
            assert_int_equal(a.contributions, 7);
            NEAR(a.gini, 100.0 / 396.0);
            clean++;
        }
        plaudit_ctx_free(ctx);
        if (f.countdown >= 0 && n > 50 && clean > 0 && recorder_failures > 0) break;
    }
    assert_true(recorder_failures > 0);
    assert_true(clean > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_time),
        cmocka_unit_test(test_teams),
        cmocka_unit_test(test_window_february),
        cmocka_unit_test(test_window_january),
        cmocka_unit_test(test_quiet_one_day),
        cmocka_unit_test(test_tier_promotion_and_quiet_order),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_digest_unchanged),
        cmocka_unit_test(test_observer_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
