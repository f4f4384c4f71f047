/* test-program.c - declaring a program through the public API: every rule
 * kind, ids, display text, ranges, references, versions, sealing, time
 * zones, and "nothing half-declared". */
#include "common.h"

static plaudit_program_info info(plaudit_ctx *ctx)
{
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(ctx, &pi), PLAUDIT_OK);
    return pi;
}

/* Every count of the program is the same in a and b. */
static void assert_same_counts(plaudit_program_info a, plaudit_program_info b)
{
    assert_int_equal(a.n_actions, b.n_actions);
    assert_int_equal(a.n_tiers, b.n_tiers);
    assert_int_equal(a.n_badges, b.n_badges);
    assert_int_equal(a.n_segments, b.n_segments);
    assert_int_equal(a.n_leaderboards, b.n_leaderboards);
    assert_int_equal(a.n_rewards, b.n_rewards);
    assert_int_equal(a.has_kudos, b.has_kudos);
}

/* A declaration that fails: expected code, message, counts unchanged. */
#define DECL_FAILS(ctx, code, call)                                                                \
    do {                                                                                           \
        plaudit_program_info b_ = info(ctx);                                                       \
        int rc_ = (call);                                                                          \
        if (rc_ != (code)) fail_msg("%s: got %d (%s), want %d", #call, rc_, plaudit_errmsg(ctx), (int)(code)); \
        assert_true(plaudit_errmsg(ctx)[0] != '\0');                                               \
        assert_same_counts(b_, info(ctx));                                                         \
    } while (0)

static void test_every_kind(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    plaudit_program_info pi = info(ctx);
    assert_null(pi.name);
    assert_null(pi.timezone);
    assert_int_equal(pi.utc_offset_minutes, 0);
    assert_int_equal(pi.sealed, 0);
    assert_int_equal(plaudit_program_set_name(ctx, "Acme Advocates"), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_utc_offset(ctx, 90), PLAUDIT_OK);
    action(ctx, "forum.answer", 10);
    assert_int_equal(action_full(ctx, "survey_1", 5, 1, 60, 100, 3, PLAUDIT_PERIOD_MONTH), PLAUDIT_OK);
    action(ctx, "post-downvoted", -2);
    tier(ctx, "bronze", 0);
    assert_int_equal(tier_full(ctx, "vip", 3000, 2, 10, 0, PLAUDIT_PERIOD_YEAR), PLAUDIT_OK);
    assert_int_equal(tier_full(ctx, "hof", 25000, 0, 730, 1, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    assert_int_equal(segment2(ctx, "social", "forum.answer", 1, "survey_1", 3), PLAUDIT_OK);
    assert_int_equal(board_full(ctx, "monthly", PLAUDIT_PERIOD_MONTH, NULL, 10), PLAUDIT_OK);
    assert_int_equal(board_full(ctx, "social-q", PLAUDIT_PERIOD_QUARTER, "social", 0), PLAUDIT_OK);
    int64_t lv[3] = {10, 50, 250};
    assert_int_equal(badge_thr(ctx, "helper", PLAUDIT_CRITERION_ACTION_COUNT, "forum.answer", lv, 3, 5), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "streaky", PLAUDIT_CRITERION_ACTION_STREAK, "forum.answer", 4, 0),
                     PLAUDIT_EINVAL); /* per missing */
    {
        plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
        int64_t t = 4;
        d.id = "streaky";
        d.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
        d.action = "forum.answer";
        d.per = PLAUDIT_PERIOD_WEEK;
        d.thresholds = &t;
        d.n_thresholds = 1;
        assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
        d.id = "within-q";
        d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
        d.per = PLAUDIT_PERIOD_NONE;
        d.within = PLAUDIT_PERIOD_QUARTER;
        d.repeatable = 1;
        assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
        d = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
        d.id = "champ";
        d.criterion = PLAUDIT_CRITERION_TIER;
        d.tier = "vip";
        d.hidden = 1;
        d.name = "Champion";
        d.description = "";
        d.image = "https://example.org/c.png";
        d.criteria = "Be a VIP.";
        assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    }
    assert_int_equal(badge_one(ctx, "ren", PLAUDIT_CRITERION_DISTINCT_ACTIONS, NULL, 2, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "pts", PLAUDIT_CRITERION_POINTS, NULL, 1000, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "vet", PLAUDIT_CRITERION_TENURE_DAYS, NULL, 730, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "hi5", PLAUDIT_CRITERION_KUDOS_RECEIVED, NULL, 10, 0), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "giver", PLAUDIT_CRITERION_KUDOS_GIVEN, NULL, 10, 0), PLAUDIT_OK);
    assert_int_equal(badge_board(ctx, "top3", "monthly", 3, 50), PLAUDIT_OK);
    assert_int_equal(badge_manual(ctx, "coty", 0), PLAUDIT_OK);
    assert_int_equal(kudos_full(ctx, 5, PLAUDIT_UNSET, 10, PLAUDIT_PERIOD_DAY, 5, PLAUDIT_PERIOD_WEEK), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "donation", 2500, PLAUDIT_UNSET), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "plus-one", 10000, 20), PLAUDIT_OK);
    pi = info(ctx);
    assert_string_equal(pi.name, "Acme Advocates");
    assert_int_equal(pi.utc_offset_minutes, 90);
    assert_int_equal(pi.n_actions, 3);
    assert_int_equal(pi.n_tiers, 3);
    assert_int_equal(pi.n_segments, 1);
    assert_int_equal(pi.n_leaderboards, 2);
    assert_int_equal(pi.n_badges, 11);
    assert_int_equal(pi.n_rewards, 2);
    assert_int_equal(pi.has_kudos, 1);
    assert_int_equal(pi.sealed, 0);
    plaudit_ctx_free(ctx);
}

static void test_ids(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    char long_id[66];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    DECL_FAILS(ctx, PLAUDIT_ESTRING, action_full(ctx, long_id, 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    long_id[64] = '\0'; /* exactly 64 bytes is fine */
    assert_int_equal(action_full(ctx, long_id, 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    const char *bad[] = {"", "Upper", "-lead", ".lead", "_lead", "sp ace", "caf\xc3\xa9", "tab\t", "a/b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        DECL_FAILS(ctx, PLAUDIT_ESTRING, action_full(ctx, bad[i], 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_EUTF8, action_full(ctx, "a\xff", 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, action_full(ctx, NULL, 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    const char *good[] = {"0", "9lives", "a.b_c-d", "z"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(action_full(ctx, good[i], 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    /* unique per kind: the same id may name a tier and an action */
    DECL_FAILS(ctx, PLAUDIT_EEXIST, action_full(ctx, "z", 2, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    tier(ctx, "z", 0);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, tier_full(ctx, "z", 5, 0, 0, 0, 0));
    assert_int_equal(board_full(ctx, "z", PLAUDIT_PERIOD_DAY, NULL, 10), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, board_full(ctx, "z", PLAUDIT_PERIOD_DAY, NULL, 10));
    assert_int_equal(segment2(ctx, "z", "z", 1, NULL, 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, segment2(ctx, "z", "z", 1, NULL, 0));
    assert_int_equal(badge_manual(ctx, "z", 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, badge_manual(ctx, "z", 0));
    assert_int_equal(reward(ctx, "z", 1, PLAUDIT_UNSET), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, reward(ctx, "z", 1, PLAUDIT_UNSET));
    assert_int_equal(kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EEXIST, kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0));
    plaudit_ctx_free(ctx);
}

static void test_display_text(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    char name[258], desc[2050];
    memset(name, 'n', 257);
    name[257] = '\0';
    memset(desc, 'd', 2049);
    desc[2049] = '\0';
    plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
    d.id = "a";
    d.points = 1;
    d.name = name;
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_action_declare(ctx, &d));
    name[256] = '\0';
    d.name = "ok\x01";
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_action_declare(ctx, &d));
    d.name = "bad \xc0\xaf overlong";
    DECL_FAILS(ctx, PLAUDIT_EUTF8, plaudit_action_declare(ctx, &d));
    d.name = "C1 \xc2\x85 next line";
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_action_declare(ctx, &d));
    d.name = name;
    d.description = desc;
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_action_declare(ctx, &d));
    desc[2048] = '\0';
    assert_int_equal(plaudit_action_declare(ctx, &d), PLAUDIT_OK); /* 256 and 2048 bytes: the limits */
    /* badge image and criteria up to 2048 bytes */
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    b.id = "m";
    desc[2048] = 'd';
    b.image = desc;
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_badge_declare(ctx, &b));
    b.image = NULL;
    b.criteria = desc;
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_badge_declare(ctx, &b));
    b.criteria = "line\nbreak";
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_badge_declare(ctx, &b));
    b.criteria = "Given by the jury \xe2\x9c\x93";
    assert_int_equal(plaudit_badge_declare(ctx, &b), PLAUDIT_OK);
    /* the program name */
    DECL_FAILS(ctx, PLAUDIT_EUTF8, plaudit_program_set_name(ctx, "\xed\xa0\x80")); /* a surrogate */
    name[256] = 'n';
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_program_set_name(ctx, name));
    assert_null(info(ctx).name);
    plaudit_ctx_free(ctx);
}

static void test_ranges(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    const int64_t M = PLAUDIT_MAX_VALUE;
    DECL_FAILS(ctx, PLAUDIT_ERANGE, action_full(ctx, "a", M + 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, action_full(ctx, "a", -M - 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, action_full(ctx, "a", 1, 0, -1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, action_full(ctx, "a", 1, 0, 0, -5, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, action_full(ctx, "a", 1, 0, 0, PLAUDIT_UNSET, M + 1, PLAUDIT_PERIOD_DAY));
    /* a cap needs a period, a period needs a cap, periods are valid enums */
    DECL_FAILS(ctx, PLAUDIT_EINVAL, action_full(ctx, "a", 1, 0, 0, 10, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, action_full(ctx, "a", 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, action_full(ctx, "a", 1, 0, 0, 10, PLAUDIT_UNSET, (plaudit_period)42));
    assert_int_equal(action_full(ctx, "a", M, 0, M, M, M, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(action_full(ctx, "b", -M, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_ERANGE, tier_full(ctx, "t", -1, 0, 0, 0, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, tier_full(ctx, "t", 0, -1, 0, 0, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, tier_full(ctx, "t", 0, 0, M + 1, 0, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, tier_full(ctx, "t", 0, 0, 0, 0, (plaudit_period)9));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, segment2(ctx, "s", "a", 0, NULL, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, segment2(ctx, "s", "a", 1, "b", -3));
    DECL_FAILS(ctx, PLAUDIT_EEXIST, segment2(ctx, "s", "a", 1, "a", 3));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, board_full(ctx, "l", PLAUDIT_PERIOD_NONE, NULL, 10));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, board_full(ctx, "l", PLAUDIT_PERIOD_DAY, NULL, -1));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, badge_one(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, 1, -1));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, badge_one(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, -1, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, badge_one(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, M + 1, 0));
    int64_t desc_thr[2] = {10, 10};
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_thr(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, desc_thr, 2, 0));
    int64_t many[PLAUDIT_MAX_LEVELS + 1];
    for (int i = 0; i <= PLAUDIT_MAX_LEVELS; i++) many[i] = i + 1;
    DECL_FAILS(ctx, PLAUDIT_EINVAL,
               badge_thr(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, many, PLAUDIT_MAX_LEVELS + 1, 0));
    assert_int_equal(badge_thr(ctx, "g", PLAUDIT_CRITERION_POINTS, NULL, many, PLAUDIT_MAX_LEVELS, 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_thr(ctx, "g0", PLAUDIT_CRITERION_POINTS, NULL, NULL, 0, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_one(ctx, "g0", (plaudit_criterion)77, NULL, 1, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_one(ctx, "g0", PLAUDIT_CRITERION_ACTION_COUNT, NULL, 1, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_one(ctx, "g0", PLAUDIT_CRITERION_POINTS, "a", 1, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_one(ctx, "g0", PLAUDIT_CRITERION_MANUAL, NULL, 1, 0)); /* thresholds */
    board(ctx, "l", PLAUDIT_PERIOD_WEEK);
    DECL_FAILS(ctx, PLAUDIT_ERANGE, badge_board(ctx, "g0", "l", 0, 0));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, badge_board(ctx, "g0", NULL, 3, 0));
    {
        plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
        int64_t t = 2;
        d.id = "g0";
        d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
        d.action = "a";
        d.thresholds = &t;
        d.n_thresholds = 1;
        d.repeatable = 1; /* repeatable needs within */
        DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_badge_declare(ctx, &d));
        d.within = PLAUDIT_PERIOD_DAY;
        d.per = PLAUDIT_PERIOD_DAY; /* per is for streaks */
        DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_badge_declare(ctx, &d));
        d.per = PLAUDIT_PERIOD_NONE;
        int64_t two[2] = {1, 2};
        d.thresholds = two;
        d.n_thresholds = 2; /* repeatable needs a single threshold */
        DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_badge_declare(ctx, &d));
        d.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
        d.repeatable = 0;
        d.within = PLAUDIT_PERIOD_NONE;
        d.per = PLAUDIT_PERIOD_QUARTER; /* streaks: day, week or month */
        DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_badge_declare(ctx, &d));
        d.per = PLAUDIT_PERIOD_MONTH;
        assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    }
    DECL_FAILS(ctx, PLAUDIT_ERANGE, reward(ctx, "r", -1, PLAUDIT_UNSET));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, reward(ctx, "r", 1, -2));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, reward(ctx, "r", M + 1, 1));
    assert_int_equal(reward(ctx, "r", 0, 0), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_ERANGE, kudos_full(ctx, M + 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, -3, PLAUDIT_PERIOD_DAY));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, 3, PLAUDIT_PERIOD_NONE));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET,
                                                PLAUDIT_PERIOD_DAY));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, kudos_full(ctx, 1, 10, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, plaudit_program_set_utc_offset(ctx, 1440));
    DECL_FAILS(ctx, PLAUDIT_ERANGE, plaudit_program_set_utc_offset(ctx, -1440));
    assert_int_equal(plaudit_program_set_utc_offset(ctx, -1439), PLAUDIT_OK);
    assert_int_equal(info(ctx).utc_offset_minutes, -1439);
    plaudit_ctx_free(ctx);
}

static void test_references(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 1);
    DECL_FAILS(ctx, PLAUDIT_ENOTFOUND, segment2(ctx, "s", "a", 1, "nope", 1));
    DECL_FAILS(ctx, PLAUDIT_ENOTFOUND, board_full(ctx, "l", PLAUDIT_PERIOD_DAY, "nope", 10));
    assert_int_equal(badge_one(ctx, "g", PLAUDIT_CRITERION_ACTION_COUNT, "forum.anser", 1, 0), PLAUDIT_ENOTFOUND);
    assert_non_null(strstr(plaudit_errmsg(ctx), "forum.anser")); /* the message names the item */
    assert_non_null(strstr(plaudit_errmsg(ctx), "\"g\""));
    DECL_FAILS(ctx, PLAUDIT_ENOTFOUND, badge_board(ctx, "g", "nope", 3, 0));
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "g";
    d.criterion = PLAUDIT_CRITERION_TIER;
    d.tier = "gold";
    DECL_FAILS(ctx, PLAUDIT_ENOTFOUND, plaudit_badge_declare(ctx, &d));
    d.tier = NULL;
    DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_badge_declare(ctx, &d));
    {
        plaudit_segment_def s = PLAUDIT_SEGMENT_DEF_INIT;
        s.id = "s";
        s.n_weights = 1; /* arrays missing */
        DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_segment_declare(ctx, &s));
    }
    /* after each failure the id is still free */
    tier(ctx, "gold", 100);
    d.tier = "gold";
    assert_int_equal(plaudit_badge_declare(ctx, &d), PLAUDIT_OK);
    assert_int_equal(segment2(ctx, "s", "a", 1, NULL, 0), PLAUDIT_OK);
    assert_int_equal(board_full(ctx, "l", PLAUDIT_PERIOD_DAY, "s", 10), PLAUDIT_OK);
    plaudit_program_info pi = info(ctx);
    assert_int_equal(pi.n_badges, 1);
    assert_int_equal(pi.n_segments, 1);
    assert_int_equal(pi.n_leaderboards, 1);
    plaudit_ctx_free(ctx);
}

/* A failed declaration leaves nothing behind: the id can be declared
 * afterwards, and events behave as if the failure never happened. */
static void test_nothing_half_declared(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    DECL_FAILS(ctx, PLAUDIT_EINVAL, action_full(ctx, "a", 5, 0, 0, 3, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE));
    assert_int_equal(action_full(ctx, "a", 7, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_ERANGE, badge_one(ctx, "g", PLAUDIT_CRITERION_ACTION_COUNT, "a", 1, -5));
    assert_int_equal(badge_one(ctx, "g", PLAUDIT_CRITERION_ACTION_COUNT, "a", 1, 3), PLAUDIT_OK);
    DECL_FAILS(ctx, PLAUDIT_ERANGE, reward(ctx, "r", 1, -7));
    assert_int_equal(reward(ctx, "r", 10, 1), PLAUDIT_OK);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "a", NULL, &o), PLAUDIT_OK);
    /* 7 for the action (no cap from the failed declaration) + 3 bonus */
    assert_int_equal(o.points, 10);
    assert_int_equal(o.n_badges, 1);
    int64_t stock;
    assert_int_equal(plaudit_reward_stock(ctx, "r", &stock), PLAUDIT_OK);
    assert_int_equal(stock, 1);
    plaudit_ctx_free(ctx);
}

static void test_versions(void **state)
{
    (void)state;
    plaudit_ctx *ctx = NULL;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.version = PLAUDIT_OPTIONS_VERSION + 1; /* a newer header */
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_EVERSION);
    assert_null(ctx);
    ctx = ctx_new();
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "a";
    a.version = 99;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_action_declare(ctx, &a));
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "t";
    t.version = 0;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_tier_declare(ctx, &t));
    plaudit_segment_def s = PLAUDIT_SEGMENT_DEF_INIT;
    s.id = "s";
    s.version = 2;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_segment_declare(ctx, &s));
    plaudit_leaderboard_def l = PLAUDIT_LEADERBOARD_DEF_INIT;
    l.id = "l";
    l.period = PLAUDIT_PERIOD_DAY;
    l.version = PLAUDIT_LEADERBOARD_DEF_VERSION + 1;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_leaderboard_declare(ctx, &l));
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    b.id = "b";
    b.version = PLAUDIT_BADGE_DEF_VERSION + 1;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_badge_declare(ctx, &b));
    plaudit_kudos_def k = PLAUDIT_KUDOS_DEF_INIT;
    k.version = 2;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_kudos_declare(ctx, &k));
    plaudit_reward_def r = PLAUDIT_REWARD_DEF_INIT;
    r.id = "r";
    r.version = 2;
    DECL_FAILS(ctx, PLAUDIT_EVERSION, plaudit_reward_declare(ctx, &r));
    plaudit_listener li = PLAUDIT_LISTENER_INIT;
    li.version = 7;
    assert_int_equal(plaudit_listener_set(ctx, &li), PLAUDIT_EVERSION);
    /* and the same structs with the right version work */
    a.version = PLAUDIT_ACTION_DEF_VERSION;
    assert_int_equal(plaudit_action_declare(ctx, &a), PLAUDIT_OK);
    assert_int_equal(plaudit_version_number(), PLAUDIT_VERSION_NUMBER);
    assert_string_equal(plaudit_version(), PLAUDIT_VERSION_STRING);
    plaudit_ctx_free(ctx);
}

static void test_sealed(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 1);
    assert_int_equal(info(ctx).sealed, 0);
    ACT(ctx, T_2026, "m", "a");
    assert_int_equal(info(ctx).sealed, 1);
    DECL_FAILS(ctx, PLAUDIT_ESTATE, action_full(ctx, "b", 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, tier_full(ctx, "t", 0, 0, 0, 0, 0));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, segment2(ctx, "s", "a", 1, NULL, 0));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, board_full(ctx, "l", PLAUDIT_PERIOD_DAY, NULL, 10));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, badge_manual(ctx, "g", 0));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, reward(ctx, "r", 1, PLAUDIT_UNSET));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, plaudit_program_set_name(ctx, "x"));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, plaudit_program_set_utc_offset(ctx, 60));
    DECL_FAILS(ctx, PLAUDIT_ESTATE, plaudit_program_set_timezone(ctx, "Europe/Amsterdam"));
    assert_int_equal(info(ctx).utc_offset_minutes, 0);
    assert_null(info(ctx).timezone);
    plaudit_ctx_free(ctx);
}

/* An empty program works: members can join and tick. */
static void test_empty_program(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(plaudit_record_join(ctx, 5, "m", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_tick(ctx, 6, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_member_count(ctx), 1);
    assert_int_equal(plaudit_record_action(ctx, 7, "m", "a", NULL, NULL), PLAUDIT_ENOTFOUND);
    plaudit_ctx_free(ctx);
}

static void test_timezone(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    DECL_FAILS(ctx, PLAUDIT_ENOTFOUND, plaudit_program_set_timezone(ctx, "Mars/Olympus_Mons"));
    assert_null(info(ctx).timezone);
    DECL_FAILS(ctx, PLAUDIT_ESTRING, plaudit_program_set_timezone(ctx, ""));
    DECL_FAILS(ctx, PLAUDIT_EINVAL, plaudit_program_set_timezone(ctx, NULL));
    /* a name that would leave the database directory is not a zone */
    {
        int rc = plaudit_program_set_timezone(ctx, "../../../etc/passwd");
        assert_true(rc == PLAUDIT_ESTRING || rc == PLAUDIT_ENOTFOUND);
        assert_null(info(ctx).timezone);
    }
    assert_int_equal(plaudit_program_set_utc_offset(ctx, 120), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_timezone(ctx, "Europe/Amsterdam"), PLAUDIT_OK);
    plaudit_program_info pi = info(ctx);
    assert_string_equal(pi.timezone, "Europe/Amsterdam");
    assert_int_equal(pi.utc_offset_minutes, 0);
    /* a fixed offset replaces the zone */
    assert_int_equal(plaudit_program_set_utc_offset(ctx, -300), PLAUDIT_OK);
    pi = info(ctx);
    assert_null(pi.timezone);
    assert_int_equal(pi.utc_offset_minutes, -300);
    /* a zone from an explicit directory that lacks it */
    plaudit_ctx *c2 = NULL;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.tzdir = "/nonexistent-zoneinfo";
    assert_int_equal(plaudit_ctx_new(&c2, &o), PLAUDIT_OK);
    DECL_FAILS(c2, PLAUDIT_ENOTFOUND, plaudit_program_set_timezone(c2, "Europe/Amsterdam"));
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

static void test_periods_api(void **state)
{
    (void)state;
    const char *names[] = {"day", "week", "month", "quarter", "year", "all"};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(plaudit_period_parse(names[i]), i + 1);
        assert_string_equal(plaudit_period_name((plaudit_period)(i + 1)), names[i]);
    }
    assert_int_equal(plaudit_period_parse("Day"), PLAUDIT_PERIOD_NONE);
    assert_int_equal(plaudit_period_parse(NULL), PLAUDIT_PERIOD_NONE);
    assert_null(plaudit_period_name(PLAUDIT_PERIOD_NONE));
    assert_null(plaudit_period_name((plaudit_period)42));
    assert_string_equal(plaudit_event_type_name(PLAUDIT_EVENT_TICK), "tick");
    assert_null(plaudit_event_type_name((plaudit_event_type)42));
    for (int c = 0; c >= -22; c--) assert_non_null(plaudit_strerror(c));
    assert_string_equal(plaudit_strerror(PLAUDIT_OK), "success");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),   cmocka_unit_test(test_ids),
        cmocka_unit_test(test_display_text), cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_references),   cmocka_unit_test(test_nothing_half_declared),
        cmocka_unit_test(test_versions),     cmocka_unit_test(test_sealed),
        cmocka_unit_test(test_empty_program), cmocka_unit_test(test_timezone),
        cmocka_unit_test(test_periods_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
