/* test-badges.c - badges: every criterion kind, levels (several unlocked at
 * once, a bonus per level), bonus chains, repeatable badges, streaks,
 * hidden badges in progress, manual badges given by award, tier badges,
 * and the BADGE moments. */
#include "common.h"

static size_t count_kind(const plaudit_outcome *o, plaudit_moment_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_moments; i++) n += o->moments[i].kind == k;
    return n;
}

static const plaudit_moment *nth_badge(const plaudit_outcome *o, size_t n)
{
    for (size_t i = 0; i < o->n_moments; i++)
        if (o->moments[i].kind == PLAUDIT_MOMENT_BADGE && n-- == 0) return &o->moments[i];
    fail_msg("no badge moment %zu", n);
    return NULL;
}

static const plaudit_badge_progress *progress_of(const plaudit_progress *p, const char *badge)
{
    for (size_t i = 0; i < p->n_badges; i++)
        if (strcmp(p->badges[i].badge, badge) == 0) return &p->badges[i];
    return NULL;
}

static void test_action_count(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 1);
    assert_int_equal(badge_one(ctx, "three", PLAUDIT_CRITERION_ACTION_COUNT, "a", 3, 0), PLAUDIT_OK);
    plaudit_outcome o;
    ACT(ctx, T_2026, "m", "a");
    ACT(ctx, T_2026 + 100 * DAY, "m", "a"); /* all time: any spacing */
    assert_int_equal(badge_n(ctx, "m", "three"), 0);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 200 * DAY, "m", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    const plaudit_moment *b = nth_badge(&o, 0);
    assert_string_equal(b->badge, "three");
    assert_string_equal(b->member, "m");
    assert_int_equal(b->level, 1);
    assert_int_equal(b->ts, T_2026 + 200 * DAY);
    assert_null(b->leaderboard);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 201 * DAY, "m", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 0); /* earned once */
    const plaudit_badge_earned *e;
    size_t n;
    assert_int_equal(plaudit_member_badges(ctx, "m", &e, &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].level, 1);
    assert_int_equal(e[0].times, 1);
    assert_int_equal(e[0].first_ts, T_2026 + 200 * DAY);
    plaudit_ctx_free(ctx);
}

static void test_count_within(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "r", 1);
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t three = 3;
    d.id = "deal-maker";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "r";
    d.within = PLAUDIT_PERIOD_QUARTER;
    d.thresholds = &three;
    d.n_thresholds = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    /* two in Q1, one in Q2: never three in one quarter */
    ACT(ctx, T_2026, "m", "r");
    ACT(ctx, T_2026 + 80 * DAY, "m", "r");
    ACT(ctx, 1775001600, "m", "r"); /* 1 April */
    assert_int_equal(badge_n(ctx, "m", "deal-maker"), 0);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "deal-maker");
    assert_non_null(bp);
    assert_int_equal(bp->current, 1); /* in the current quarter */
    assert_int_equal(bp->next, 3);
    ACT(ctx, 1775001601, "m", "r");
    ACT(ctx, 1775001602, "m", "r");
    assert_int_equal(badge_n(ctx, "m", "deal-maker"), 1);
    plaudit_ctx_free(ctx);
}

static void test_repeatable(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "r", 0);
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t two = 2;
    d.id = "closer";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "r";
    d.within = PLAUDIT_PERIOD_WEEK;
    d.repeatable = 1;
    d.thresholds = &two;
    d.n_thresholds = 1;
    d.bonus = 7;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    plaudit_outcome o;
    ACT(ctx, T_MON_JAN5, "m", "r");
    assert_int_equal(plaudit_record_action(ctx, T_MON_JAN5 + 1, "m", "r", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    assert_int_equal(nth_badge(&o, 0)->times, 1);
    assert_int_equal(o.points, 7);
    /* the third and fourth in the same week: not again */
    assert_int_equal(plaudit_record_action(ctx, T_MON_JAN5 + 2, "m", "r", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 0);
    ACT(ctx, T_MON_JAN5 + 6 * DAY, "m", "r");
    assert_int_equal(badge_n(ctx, "m", "closer"), 1);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "closer");
    assert_non_null(bp); /* repeatable badges stay in progress */
    assert_int_equal(bp->earned_this_period, 1);
    /* next week: once more at 2 */
    ACT(ctx, T_MON_JAN5 + 7 * DAY, "m", "r");
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    bp = progress_of(&p, "closer");
    assert_int_equal(bp->earned_this_period, 0);
    assert_int_equal(bp->current, 1);
    assert_int_equal(plaudit_record_action(ctx, T_MON_JAN5 + 7 * DAY + 5, "m", "r", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    assert_int_equal(nth_badge(&o, 0)->times, 2);
    assert_int_equal(badge_n(ctx, "m", "closer"), 2);
    assert_int_equal(points_of(ctx, "m"), 14);
    const plaudit_badge_earned *e;
    size_t n;
    assert_int_equal(plaudit_member_badges(ctx, "m", &e, &n), PLAUDIT_OK);
    assert_int_equal(e[0].times, 2);
    assert_int_equal(e[0].level, 1);
    assert_int_equal(e[0].first_ts, T_MON_JAN5 + 1);
    assert_int_equal(e[0].last_ts, T_MON_JAN5 + 7 * DAY + 5);
    plaudit_ctx_free(ctx);
}

static int streak_badge(plaudit_ctx *ctx, const char *id, const char *act, int64_t n, plaudit_period per)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = id;
    d.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
    d.action = act;
    d.per = per;
    d.thresholds = &n;
    d.n_thresholds = 1;
    return plaudit_badge_declare(ctx, &d);
}

static void test_streak(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 1);
    assert_int_equal(streak_badge(ctx, "s3", "a", 3, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(streak_badge(ctx, "w2", "a", 2, PLAUDIT_PERIOD_WEEK), PLAUDIT_OK);
    /* days 1, 2, (3 empty), 4, 5: the empty day breaks the streak */
    ACT(ctx, T_2026, "m", "a");
    ACT(ctx, T_2026 + DAY, "m", "a");
    ACT(ctx, T_2026 + DAY + 5, "m", "a"); /* twice in a day counts once */
    ACT(ctx, T_2026 + 3 * DAY, "m", "a");
    ACT(ctx, T_2026 + 4 * DAY, "m", "a");
    assert_int_equal(badge_n(ctx, "m", "s3"), 0);
    /* Thu 1 Jan (week of 29 Dec) and Mon 5 Jan are consecutive ISO weeks */
    assert_int_equal(badge_n(ctx, "m", "w2"), 1);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "s3");
    assert_int_equal(bp->current, 2);
    ACT(ctx, T_2026 + 5 * DAY, "m", "a"); /* days 4, 5, 6 */
    assert_int_equal(badge_n(ctx, "m", "s3"), 1);
    /* a streak must end in the current period: after a gap it reads 0 */
    ACT(ctx, T_2026 + 9 * DAY, "n", "a");
    ACT(ctx, T_2026 + 10 * DAY, "n", "a");
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 12 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_member_progress(ctx, "n", &p), PLAUDIT_OK);
    assert_int_equal(progress_of(&p, "s3")->current, 0);
    plaudit_ctx_free(ctx);
}

static void test_levels_at_once(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    int64_t lv[4] = {10, 20, 30, 1000};
    assert_int_equal(badge_thr(ctx, "pts", PLAUDIT_CRITERION_POINTS, NULL, lv, 4, 1), PLAUDIT_OK);
    plaudit_outcome o;
    /* +35 passes 10, 20 and 30: three levels, one moment and one bonus
     * each: 35 + 3 = 38 */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", 35, NULL, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(nth_badge(&o, i)->badge, "pts");
        assert_int_equal(nth_badge(&o, i)->level, i + 1);
    }
    assert_int_equal(o.points, 38);
    assert_int_equal(points_of(ctx, "m"), 38);
    size_t bonus_moments = 0;
    for (size_t i = 0; i < o.n_moments; i++)
        if (o.moments[i].kind == PLAUDIT_MOMENT_POINTS && o.moments[i].source == PLAUDIT_SOURCE_BONUS) {
            bonus_moments++;
            assert_string_equal(o.moments[i].source_id, "pts");
            assert_int_equal(o.moments[i].points, 1);
        }
    assert_int_equal(bonus_moments, 3);
    assert_int_equal(badge_n(ctx, "m", "pts"), 3);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "pts");
    assert_int_equal(bp->level, 3);
    assert_int_equal(bp->levels, 4);
    assert_int_equal(bp->current, 38);
    assert_int_equal(bp->next, 1000);
    /* never revoked */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 1, "m", -38, NULL, NULL, &o), PLAUDIT_OK);
    assert_int_equal(badge_n(ctx, "m", "pts"), 3);
    plaudit_ctx_free(ctx);
}

/* Bonuses unlock more: evaluation repeats until nothing changes. */
static void test_bonus_chain(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 10);
    tier(ctx, "base", 0);
    tier(ctx, "silver", 25);
    /* declared so that a single pass in declaration order would miss the
     * later unlocks: the tier badge comes first */
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "silver-badge";
    d.criterion = PLAUDIT_CRITERION_TIER;
    d.tier = "silver";
    d.bonus = 100;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "p20", PLAUDIT_CRITERION_POINTS, NULL, 20, 5), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "first", PLAUDIT_CRITERION_ACTION_COUNT, "a", 1, 10), PLAUDIT_OK);
    int64_t lv[2] = {100, 135};
    assert_int_equal(badge_thr(ctx, "p-big", PLAUDIT_CRITERION_POINTS, NULL, lv, 2, 0), PLAUDIT_OK);
    plaudit_outcome o;
    /* 10 (action) -> first: +10 = 20 -> p20: +5 = 25 -> silver tier ->
     * silver-badge: +100 = 125 -> p-big level 1 (100); 135 not reached */
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 125);
    assert_int_equal(points_of(ctx, "m"), 125);
    assert_string_equal(tier_of(ctx, "m"), "silver");
    assert_int_equal(o.n_badges, 4);
    assert_int_equal(badge_n(ctx, "m", "p-big"), 1);
    assert_int_equal(badge_n(ctx, "m", "silver-badge"), 1);
    /* moments in the order they happened */
    assert_int_equal(o.moments[0].kind, PLAUDIT_MOMENT_POINTS);
    assert_int_equal(o.moments[0].source, PLAUDIT_SOURCE_ACTION);
    assert_string_equal(nth_badge(&o, 0)->badge, "first");
    assert_string_equal(nth_badge(&o, 1)->badge, "p20");
    assert_string_equal(nth_badge(&o, 2)->badge, "silver-badge");
    assert_string_equal(nth_badge(&o, 3)->badge, "p-big");
    assert_int_equal(count_kind(&o, PLAUDIT_MOMENT_TIER), 2); /* none -> base is first; then base -> silver */
    plaudit_ctx_free(ctx);
}

static void test_simple_kinds(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 0);
    action(ctx, "b", 0);
    assert_int_equal(badge_one(ctx, "ren", PLAUDIT_CRITERION_DISTINCT_ACTIONS, NULL, 2, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "vet", PLAUDIT_CRITERION_TENURE_DAYS, NULL, 730, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "hi5", PLAUDIT_CRITERION_KUDOS_RECEIVED, NULL, 2, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "giver", PLAUDIT_CRITERION_KUDOS_GIVEN, NULL, 2, 0), PLAUDIT_OK);
    assert_int_equal(kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    ACT(ctx, T_2026, "m", "a");
    ACT(ctx, T_2026 + 1, "m", "a");
    assert_int_equal(badge_n(ctx, "m", "ren"), 0);
    ACT(ctx, T_2026 + 2, "m", "b");
    assert_int_equal(badge_n(ctx, "m", "ren"), 1);
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 3, "m", "k", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 4, "m", "k", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(ctx, "m", "giver"), 1);
    assert_int_equal(badge_n(ctx, "k", "hi5"), 1);
    assert_int_equal(badge_n(ctx, "m", "hi5"), 0);
    assert_int_equal(badge_n(ctx, "k", "giver"), 0);
    /* tenure: 730 whole days after joining, seen by a tick */
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 730 * DAY - 1, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(ctx, "m", "vet"), 0);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 730 * DAY, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1); /* m only: k joined 3 seconds later */
    assert_string_equal(nth_badge(&o, 0)->member, "m");
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 730 * DAY + 3, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    assert_string_equal(nth_badge(&o, 0)->member, "k");
    plaudit_ctx_free(ctx);
}

static void test_tier_badge(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    tier(ctx, "silver", 100);
    tier(ctx, "gold", 500);
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "silver-or-better";
    d.criterion = PLAUDIT_CRITERION_TIER;
    d.tier = "silver";
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    d.id = "gold-badge";
    d.tier = "gold";
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    /* straight to gold: gold is "silver or higher" too */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", 600, NULL, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(ctx, "m", "silver-or-better"), 1);
    assert_int_equal(badge_n(ctx, "m", "gold-badge"), 1);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "n", 100, NULL, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(ctx, "n", "silver-or-better"), 1);
    assert_int_equal(badge_n(ctx, "n", "gold-badge"), 0);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "n", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "gold-badge");
    assert_non_null(bp);
    assert_int_equal(bp->criterion, PLAUDIT_CRITERION_TIER);
    assert_int_equal(bp->current, 0);
    assert_int_equal(bp->next, 1);
    assert_null(progress_of(&p, "silver-or-better")); /* fully earned */
    plaudit_ctx_free(ctx);
}

static void test_hidden(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "bug", 30);
    int64_t lv[2] = {1, 5};
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "night-owl";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "bug";
    d.thresholds = lv;
    d.n_thresholds = 2;
    d.hidden = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "visible", PLAUDIT_CRITERION_POINTS, NULL, 1000, 0), PLAUDIT_OK);
    assert_int_equal(plaudit_record_join(ctx, T_2026, "m", NULL, NULL), PLAUDIT_OK);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_int_equal(p.n_badges, 1);
    assert_null(progress_of(&p, "night-owl"));
    assert_non_null(progress_of(&p, "visible"));
    ACT(ctx, T_2026 + 1, "m", "bug");
    assert_int_equal(badge_n(ctx, "m", "night-owl"), 1);
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    const plaudit_badge_progress *bp = progress_of(&p, "night-owl");
    assert_non_null(bp); /* earned (level 1 of 2): now shown */
    assert_int_equal(bp->level, 1);
    assert_int_equal(bp->next, 5);
    plaudit_ctx_free(ctx);
}

static void test_manual(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 1);
    assert_int_equal(badge_manual(ctx, "coty", 50), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "auto", PLAUDIT_CRITERION_ACTION_COUNT, "a", 1, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "p100", PLAUDIT_CRITERION_POINTS, NULL, 100, 0), PLAUDIT_OK);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_award(ctx, T_2026, "m", "coty", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    assert_int_equal(nth_badge(&o, 0)->times, 1);
    assert_int_equal(o.points, 50);
    assert_int_equal(plaudit_record_award(ctx, T_2026 + 1, "m", "coty", NULL, &o), PLAUDIT_OK);
    /* again: times 2, the bonus again (100 points: p100 follows) */
    assert_int_equal(nth_badge(&o, 0)->times, 2);
    assert_int_equal(o.n_badges, 2);
    assert_string_equal(nth_badge(&o, 1)->badge, "p100");
    assert_int_equal(points_of(ctx, "m"), 100);
    assert_int_equal(badge_n(ctx, "m", "coty"), 2);
    const plaudit_badge_earned *e;
    size_t n;
    assert_int_equal(plaudit_member_badges(ctx, "m", &e, &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(e[0].badge, "coty"); /* declaration order */
    assert_int_equal(e[0].times, 2);
    assert_string_equal(e[1].badge, "p100");
    /* manual badges are never in progress */
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(ctx, "m", &p), PLAUDIT_OK);
    assert_null(progress_of(&p, "coty"));
    /* a criterion badge cannot be awarded; unknown badges are not found */
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record_award(ctx, T_2026 + 2, "m", "auto", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_award(ctx, T_2026 + 2, "m", "nope", NULL, NULL));
    assert_int_equal(badge_n(ctx, "m", "auto"), 0);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_count), cmocka_unit_test(test_count_within),
        cmocka_unit_test(test_repeatable),   cmocka_unit_test(test_streak),
        cmocka_unit_test(test_levels_at_once), cmocka_unit_test(test_bonus_chain),
        cmocka_unit_test(test_simple_kinds), cmocka_unit_test(test_tier_badge),
        cmocka_unit_test(test_hidden),       cmocka_unit_test(test_manual),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
