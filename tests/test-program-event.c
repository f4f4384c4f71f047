/* test-program-event.c - the program event (spec section 7): every carry-over
 * rule checked on a history that changes program, rejected program events
 * (invalid document named by its path, earlier than the clock, changed time
 * zone / offset / window), idempotency, switching formats, allocation
 * failure at every point of a program event (digest unchanged, no leak, the
 * same result afterwards). */
#include "common.h"

#define T0 (T_MON_JAN5 + 12 * HOUR) /* Monday 5 January 2026, 12:00 UTC */

static plaudit_ctx *load(const char *json)
{
    plaudit_ctx *c = ctx_new();
    if (plaudit_program_load_json(c, json, strlen(json))) fail_msg("load: %s", plaudit_errmsg(c));
    return c;
}

static int line_rc(plaudit_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int line_rc(plaudit_ctx *c, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return plaudit_record_json(c, buf, strlen(buf), NULL);
}

#define LINE(c, ...)                                                                               \
    do {                                                                                           \
        int rc__ = line_rc((c), __VA_ARGS__);                                                      \
        if (rc__ != PLAUDIT_OK) fail_msg("line rejected: %d %s", rc__, plaudit_errmsg(c));         \
    } while (0)

/* Returns the number of moments (those of periods the clock closed). */
static size_t update(plaudit_ctx *c, int64_t ts, const char *doc)
{
    plaudit_outcome o;
    int rc = plaudit_program_update(c, ts, doc, NULL, &o);
    if (rc) fail_msg("program event rejected: %d %s", rc, plaudit_errmsg(c));
    assert_int_equal(o.status, PLAUDIT_ACCEPTED);
    assert_int_equal(o.points, 0);
    return o.n_moments;
}

static plaudit_member_info info(plaudit_ctx *c, const char *m)
{
    plaudit_member_info i;
    assert_int_equal(plaudit_member_get(c, m, &i), PLAUDIT_OK);
    return i;
}

static int64_t stock(plaudit_ctx *c, const char *r)
{
    int64_t s = -7;
    assert_int_equal(plaudit_reward_stock(c, r, &s), PLAUDIT_OK);
    return s;
}

static int64_t act_points(plaudit_ctx *c, int64_t ts, const char *m, const char *a)
{
    plaudit_outcome o;
    int rc = plaudit_record_action(c, ts, m, a, NULL, &o);
    if (rc) fail_msg("action rejected: %s", plaudit_errmsg(c));
    return o.points;
}

static char *state(plaudit_ctx *c)
{
    char *s = NULL;
    assert_int_equal(plaudit_state_export(c, &s, NULL), PLAUDIT_OK);
    return s;
}

/* ---- actions, trackers, kudos, segments, badges, boards, rewards ---------- */

static const char *P1 =
    "{\"format\":\"plaudit.program/2\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"day\"}},"
    "{\"id\":\"b\",\"points\":5,\"cooldown_s\":1000},{\"id\":\"c\",\"points\":1}],"
    "\"badges\":[{\"id\":\"a-week\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"week\"}},"
    "{\"id\":\"a-streak\",\"when\":{\"action\":\"a\",\"streak\":2,\"per\":\"day\"}},"
    "{\"id\":\"c1\",\"when\":{\"action\":\"c\",\"count\":1}}],"
    "\"segments\":[{\"id\":\"s1\",\"weights\":{\"a\":1}},{\"id\":\"s2\",\"weights\":{\"c\":5}}],"
    "\"kudos\":{\"points\":3,\"give_cap\":{\"count\":2,\"per\":\"week\"}},"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"wk\",\"period\":\"week\"}],"
    "\"rewards\":[{\"id\":\"r1\",\"cost\":1,\"stock\":5},{\"id\":\"r2\",\"cost\":1},"
    "{\"id\":\"r3\",\"cost\":1,\"stock\":2}]}";

/* c is dropped, d is new; a keeps its cap (same per), b its cooldown; a new
 * within-month counter; s2 is gone; two new boards; stocks change. */
static const char *P2 =
    "{\"format\":\"plaudit.program/2\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"day\"}},"
    "{\"id\":\"b\",\"points\":5,\"cooldown_s\":1000},{\"id\":\"d\",\"points\":7}],"
    "\"badges\":[{\"id\":\"a-week\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"week\"}},"
    "{\"id\":\"a-month\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"month\"}},"
    "{\"id\":\"a-streak\",\"when\":{\"action\":\"a\",\"streak\":2,\"per\":\"day\"}},"
    "{\"id\":\"dist2\",\"when\":{\"distinct_actions\":2}}],"
    "\"segments\":[{\"id\":\"s1\",\"weights\":{\"a\":1}}],"
    "\"kudos\":{\"points\":3,\"give_cap\":{\"count\":2,\"per\":\"week\"}},"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"wk\",\"period\":\"week\"},"
    "{\"id\":\"wk2\",\"period\":\"week\"},{\"id\":\"all2\",\"period\":\"all\"}],"
    "\"rewards\":[{\"id\":\"r1\",\"cost\":1,\"stock\":10},{\"id\":\"r2\",\"cost\":1,\"stock\":3},"
    "{\"id\":\"r3\",\"cost\":1}]}";

/* The same as P2, but a's cap is per week and the give cap per month. */
static const char *P2_PER =
    "{\"format\":\"plaudit.program/2\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"week\"}},"
    "{\"id\":\"b\",\"points\":5}],"
    "\"kudos\":{\"points\":3,\"give_cap\":{\"count\":2,\"per\":\"month\"}}}";

static void history1(plaudit_ctx *c)
{
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"a\"}", T0);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"a\"}", T0 + 10);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"b\"}", T0 + 20);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"c\"}", T0 + 30);
    LINE(c, "{\"ts\":%lld,\"type\":\"kudos\",\"from\":\"alice\",\"to\":\"bob\"}", T0 + 40);
    LINE(c, "{\"ts\":%lld,\"type\":\"kudos\",\"from\":\"alice\",\"to\":\"bob\"}", T0 + 50);
    LINE(c, "{\"ts\":%lld,\"type\":\"redeem\",\"member\":\"alice\",\"reward\":\"r1\"}", T0 + 60);
    LINE(c, "{\"ts\":%lld,\"type\":\"redeem\",\"member\":\"alice\",\"reward\":\"r3\"}", T0 + 70);
    LINE(c, "{\"ts\":%lld,\"type\":\"segment\",\"member\":\"bob\",\"segment\":\"s2\"}", T0 + 80);
    LINE(c, "{\"ts\":%lld,\"type\":\"segment\",\"member\":\"dan\",\"segment\":\"s1\"}", T0 + 90);
}

static void carry_over_basics(void **st)
{
    (void)st;
    plaudit_ctx *c = load(P1);
    history1(c);
    assert_string_equal(segment_of(c, "alice"), "s2");
    assert_int_equal(badge_n(c, "alice", "c1"), 1);
    assert_int_equal(update(c, T0 + 100, P2), 0);
    assert_int_equal(plaudit_clock(c), T0 + 100);

    /* members keep what is theirs */
    plaudit_member_info a = info(c, "alice");
    assert_int_equal(a.points, 26);
    assert_int_equal(a.balance, 24);
    assert_int_equal(a.joined, T0);
    assert_int_equal(a.last_ts, T0 + 70); /* the event touches no member */
    assert_int_equal(a.kudos_given, 2);
    assert_int_equal(info(c, "bob").kudos_received, 2);
    /* action counts: kept for a and b, dropped for c (gone) */
    uint64_t n = 0;
    assert_int_equal(plaudit_member_action_count(c, "alice", "a", &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    assert_int_equal(plaudit_member_action_count(c, "alice", "d", &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(plaudit_member_action_count(c, "alice", "c", &n), PLAUDIT_ENOTFOUND);
    assert_int_equal(a.distinct_actions, 2);
    /* segments: s2 is gone: bob is unpinned; dan keeps his pin; alice is
     * inferred under the new weights */
    assert_string_equal(segment_of(c, "alice"), "s1");
    assert_int_equal(info(c, "bob").segment_pinned, 0);
    assert_null(info(c, "bob").segment);
    assert_int_equal(info(c, "dan").segment_pinned, 1);
    assert_string_equal(segment_of(c, "dan"), "s1");
    /* the earned badge whose badge is gone stays, and cannot be awarded */
    assert_int_equal(badge_n(c, "alice", "c1"), 1);
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_award(c, T0 + 110, "alice", "c1", NULL, NULL));
    assert_int_equal(badge_n(c, "alice", "dist2"), 0); /* not evaluated yet */
    /* rewards: 4 left of 5, declared 10: 9; r2 gains a stock: declared;
     * r3 loses its stock: unlimited */
    assert_int_equal(stock(c, "r1"), 9);
    assert_int_equal(stock(c, "r2"), 3);
    assert_int_equal(stock(c, "r3"), PLAUDIT_UNSET);
    /* boards: all and wk are kept; wk2 starts empty; all2 ranks by points */
    int64_t score = -1;
    assert_int_equal(rank_of(c, "all", "alice", &score), 1);
    assert_int_equal(score, 26);
    assert_int_equal(rank_of(c, "wk", "bob", &score), 2);
    assert_int_equal(score, 6);
    assert_int_equal(rank_of(c, "wk2", "alice", &score), 0);
    assert_int_equal(score, 0);
    assert_int_equal(rank_of(c, "all2", "alice", &score), 1);
    assert_int_equal(score, 26);
    assert_int_equal(rank_of(c, "all2", "bob", &score), 2);

    /* the cap's tracker is kept (same per): a earns nothing more today;
     * the within-week count is kept (a-week at 3); the new within-month
     * counter started at T (1, not 3); the full evaluation finds dist2 */
    assert_int_equal(act_points(c, T0 + 200, "alice", "a"), 0);
    assert_int_equal(badge_n(c, "alice", "a-week"), 1);
    assert_int_equal(badge_n(c, "alice", "a-month"), 0);
    assert_int_equal(badge_n(c, "alice", "dist2"), 1);
    assert_int_equal(badge_n(c, "alice", "a-streak"), 0);
    /* the cooldown continues from T0 + 20 */
    assert_int_equal(act_points(c, T0 + 300, "alice", "b"), 0);
    assert_int_equal(act_points(c, T0 + 1020, "alice", "b"), 5);
    /* the give cap keeps its tracker (same per) */
    REJECTS(c, PLAUDIT_ELIMIT, plaudit_record_kudos(c, T0 + 1100, "alice", "carol", NULL, NULL));
    /* the streak continues: the next day makes it 2 */
    assert_int_equal(act_points(c, T0 + DAY, "alice", "a"), 10);
    assert_int_equal(badge_n(c, "alice", "a-streak"), 1);
    assert_int_equal(rank_of(c, "wk2", "alice", &score), 1);
    assert_int_equal(score, 15);
    /* a d, the new action */
    assert_int_equal(act_points(c, T0 + DAY + 1, "alice", "d"), 7);
    plaudit_ctx_free(c);

    /* the same history, trackers whose per changed start empty */
    c = load(P1);
    history1(c);
    update(c, T0 + 100, P2_PER);
    assert_int_equal(act_points(c, T0 + 200, "alice", "a"), 10);
    assert_int_equal(act_points(c, T0 + 210, "alice", "a"), 10);
    assert_int_equal(act_points(c, T0 + 220, "alice", "a"), 0);
    assert_int_equal(plaudit_record_kudos(c, T0 + 300, "alice", "carol", NULL, NULL), PLAUDIT_OK);
    /* no kudos cap... the b cooldown is gone: b earns at once */
    assert_int_equal(act_points(c, T0 + 310, "alice", "b"), 5);
    /* the boards and badges are gone with the program */
    uint64_t r;
    assert_int_equal(plaudit_leaderboard_rank(c, "all", "alice", &r, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(badge_n(c, "alice", "c1"), 1);
    plaudit_ctx_free(c);
}

/* ---- tiers --------------------------------------------------------------- */

#define TIERS_P1                                                                                   \
    "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\",\"points\":60}],"              \
    "\"tiers\":[{\"id\":\"base\",\"min_points\":0},{\"id\":\"star\",\"min_points\":40,\"lifetime\":true}," \
    "{\"id\":\"gold\",\"min_points\":50,\"window\":\"month\"}]}"

static plaudit_ctx *tiers_ctx(void)
{
    plaudit_ctx *c = load(TIERS_P1);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"x\"}", T0);
    assert_string_equal(tier_of(c, "alice"), "gold");
    return c;
}

#define T_JAN20 (T_2026 + 19 * DAY)
#define T_JAN21 (T_2026 + 20 * DAY)
#define T_FEB10 (T_2026 + 40 * DAY)
#define T_MAR2 (T_2026 + 60 * DAY)

static void tick(plaudit_ctx *c, int64_t ts) { assert_int_equal(plaudit_record_tick(c, ts, NULL, NULL), PLAUDIT_OK); }

static void carry_over_tiers(void **st)
{
    (void)st;
    /* star still lifetime: the floor stays; gold's qualification stays */
    plaudit_ctx *c = tiers_ctx();
    update(c, T_JAN20,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\",\"points\":60}],"
           "\"tiers\":[{\"id\":\"base\",\"min_points\":0},{\"id\":\"star\",\"min_points\":100,\"lifetime\":true},"
           "{\"id\":\"gold\",\"min_points\":50,\"window\":\"month\"}]}");
    tick(c, T_FEB10);
    assert_string_equal(tier_of(c, "alice"), "gold");
    tick(c, T_MAR2);
    assert_string_equal(tier_of(c, "alice"), "star");
    plaudit_ctx_free(c);

    /* star no longer lifetime: the floor is gone */
    c = tiers_ctx();
    update(c, T_JAN20,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\",\"points\":60}],"
           "\"tiers\":[{\"id\":\"base\",\"min_points\":0},{\"id\":\"star\",\"min_points\":100},"
           "{\"id\":\"gold\",\"min_points\":50,\"window\":\"month\"}]}");
    tick(c, T_FEB10);
    assert_string_equal(tier_of(c, "alice"), "gold");
    tick(c, T_MAR2);
    assert_string_equal(tier_of(c, "alice"), "base");
    plaudit_ctx_free(c);

    /* gold's window changes: its qualification is dropped, and no old tier
     * kept quarter net points (0 from T); the tier stays until the tick */
    c = tiers_ctx();
    update(c, T_JAN20,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\",\"points\":60}],"
           "\"tiers\":[{\"id\":\"base\",\"min_points\":0},{\"id\":\"star\",\"min_points\":100,\"lifetime\":true},"
           "{\"id\":\"gold\",\"min_points\":50,\"window\":\"quarter\"}]}");
    assert_string_equal(tier_of(c, "alice"), "gold");
    tick(c, T_JAN21);
    assert_string_equal(tier_of(c, "alice"), "star");
    plaudit_ctx_free(c);

    /* a new tier with a month window sees the month's net points (60) */
    c = tiers_ctx();
    update(c, T_JAN20,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\",\"points\":60}],"
           "\"tiers\":[{\"id\":\"base\",\"min_points\":0},{\"id\":\"silver\",\"min_points\":55,\"window\":\"month\"}]}");
    assert_null(tier_of(c, "alice")); /* gold is gone: null until evaluated */
    tick(c, T_JAN21);
    assert_string_equal(tier_of(c, "alice"), "silver");
    tick(c, T_FEB10); /* qualified in January: held through February */
    assert_string_equal(tier_of(c, "alice"), "silver");
    tick(c, T_MAR2);
    assert_string_equal(tier_of(c, "alice"), "base");
    plaudit_ctx_free(c);
}

/* ---- boards and leaderboard badges ---------------------------------------- */

static void carry_over_boards(void **st)
{
    (void)st;
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":10}],"
                          "\"segments\":[{\"id\":\"s\",\"weights\":{\"p\":1}}],"
                          "\"leaderboards\":[{\"id\":\"m\",\"period\":\"month\"},{\"id\":\"w\",\"period\":\"week\"},"
                          "{\"id\":\"seg\",\"period\":\"month\",\"segment\":\"s\"}],"
                          "\"badges\":[{\"id\":\"top-m\",\"when\":{\"leaderboard\":\"m\",\"top\":1}}]}");
    const long long t = T_2026 + 28 * DAY; /* Thursday 29 January */
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\"}", t);
    LINE(c, "{\"ts\":%lld,\"member\":\"bob\",\"action\":\"p\"}", t + 1);
    LINE(c, "{\"ts\":%lld,\"member\":\"bob\",\"action\":\"p\"}", t + 2);
    update(c, t + DAY,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":10}],"
           "\"segments\":[{\"id\":\"s\",\"weights\":{\"p\":1}}],"
           "\"leaderboards\":[{\"id\":\"m\",\"period\":\"month\"},{\"id\":\"w\",\"period\":\"day\"},"
           "{\"id\":\"seg\",\"period\":\"month\"}],"
           "\"badges\":[{\"id\":\"top-m\",\"when\":{\"leaderboard\":\"m\",\"top\":1}}]}");
    int64_t score;
    /* m keeps January; w changed period and seg lost its segment: empty */
    assert_int_equal(rank_of(c, "m", "bob", &score), 1);
    assert_int_equal(score, 20);
    assert_int_equal(rank_of(c, "m", "alice", &score), 2);
    assert_int_equal(rank_of(c, "w", "bob", &score), 0);
    assert_int_equal(rank_of(c, "seg", "bob", &score), 0);
    /* February closes the kept board: its badge goes to its leader */
    tick(c, T_2026 + 32 * DAY);
    assert_int_equal(badge_n(c, "bob", "top-m"), 1);
    assert_int_equal(badge_n(c, "alice", "top-m"), 0);
    plaudit_ctx_free(c);

    /* a program event that closes a period closes it under the old program
     * (its badge is given before the new program applies) */
    c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":10}],"
             "\"leaderboards\":[{\"id\":\"m\",\"period\":\"month\"}],"
             "\"badges\":[{\"id\":\"top-m\",\"when\":{\"leaderboard\":\"m\",\"top\":1}, \"bonus\": 5}]}");
    LINE(c, "{\"ts\":%lld,\"member\":\"bob\",\"action\":\"p\"}", t);
    /* the badge and its bonus */
    assert_int_equal(update(c, T_2026 + 32 * DAY, "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":10}]}"), 2);
    assert_int_equal(badge_n(c, "bob", "top-m"), 1);
    assert_int_equal(points_of(c, "bob"), 15);
    char *s = state(c);
    assert_non_null(strstr(s, "\"top-m\": 1"));
    assert_non_null(strstr(s, "\"leaderboards\": {}"));
    plaudit_free(c, s);
    plaudit_ctx_free(c);
}

/* A badge dropped by one program event and declared again by a later one is
 * the member's again, with its level. */
static void badge_dropped_and_back(void **st)
{
    (void)st;
    const char *with = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":1}],"
                       "\"badges\":[{\"id\":\"lv\",\"when\":{\"action\":\"p\",\"count\":[1,2,3]}}]}";
    plaudit_ctx *c = load(with);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\"}", T0);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\"}", T0 + 1);
    assert_int_equal(badge_n(c, "alice", "lv"), 2);
    update(c, T0 + 10, "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":1}]}");
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\"}", T0 + 11);
    assert_int_equal(badge_n(c, "alice", "lv"), 2);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
    assert_int_equal(pi.n_badges, 0);
    char *doc = NULL;
    assert_int_equal(plaudit_program_export_json(c, &doc, NULL), PLAUDIT_OK);
    assert_null(strstr(doc, "\"lv\""));
    plaudit_free(c, doc);
    update(c, T0 + 20, with);
    /* count 3: level 3 at the next evaluation */
    tick(c, T0 + 30);
    assert_int_equal(badge_n(c, "alice", "lv"), 3);
    plaudit_ctx_free(c);
}

/* ---- rejections -------------------------------------------------------------- */

static void rejected(void **st)
{
    (void)st;
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":60,"
                          "\"actions\":[{\"id\":\"p\",\"points\":1}]}");
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\"}", T0);
    REJECTS(c, PLAUDIT_ENOTFOUND,
            plaudit_program_update(c, T0 + 1,
                                   "{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":60,"
                                   "\"actions\":[{\"id\":\"p\",\"points\":1}],"
                                   "\"badges\":[{\"id\":\"a\",\"when\":{\"distinct_actions\":1}},"
                                   "{\"id\":\"b\",\"when\":{\"points\":1}},"
                                   "{\"id\":\"x\",\"when\":{\"action\":\"x\",\"count\":1}}]}",
                                   NULL, NULL));
    assert_string_equal(plaudit_errmsg(c), "program.badges[2].when.action: unknown action \"x\"");
    /* through an event line, the same path */
    assert_int_equal(line_rc(c,
                             "{\"ts\":%lld,\"type\":\"program\",\"program\":{\"format\":\"plaudit.program/2\","
                             "\"utc_offset_minutes\":60,\"actions\":[{\"id\":\"p\",\"points\":\"x\"}]}}",
                             T0 + 1),
                     PLAUDIT_EPARSE);
    assert_non_null(strstr(plaudit_errmsg(c), "program.actions[0].points"));
    REJECTS(c, PLAUDIT_EPARSE, plaudit_program_update(c, T0 + 1, "{", NULL, NULL));
    assert_true(strncmp(plaudit_errmsg(c), "program:", 8) == 0);
    REJECTS(c, PLAUDIT_EPARSE, plaudit_program_update(c, T0 + 1, "[]", NULL, NULL));
    assert_true(strncmp(plaudit_errmsg(c), "program:", 8) == 0);
    /* earlier than the clock */
    REJECTS(c, PLAUDIT_ETIME,
            plaudit_program_update(c, T0 - 1, "{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":60}", NULL,
                                   NULL));
    /* the offset, the zone, the window may not change (absent: defaults) */
    REJECTS(c, PLAUDIT_EINVAL, plaudit_program_update(c, T0 + 1, "{\"format\":\"plaudit.program/2\"}", NULL, NULL));
    assert_non_null(strstr(plaudit_errmsg(c), "utc_offset_minutes"));
    REJECTS(c, PLAUDIT_EINVAL,
            plaudit_program_update(c, T0 + 1, "{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":0}", NULL,
                                   NULL));
    REJECTS(c, PLAUDIT_EINVAL,
            plaudit_program_update(c, T0 + 1, "{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\"}",
                                   NULL, NULL));
    assert_non_null(strstr(plaudit_errmsg(c), "time zone"));
    REJECTS(c, PLAUDIT_EINVAL,
            plaudit_program_update(c, T0 + 1,
                                   "{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":60,\"reorder_window_s\":5}",
                                   NULL, NULL));
    assert_non_null(strstr(plaudit_errmsg(c), "reorder window"));
    /* a rejected event changes nothing and closes nothing: the same
     * program, the same clock */
    assert_int_equal(plaudit_clock(c), T0);
    plaudit_stats s;
    assert_int_equal(plaudit_stats_get(c, &s), PLAUDIT_OK);
    assert_int_equal(s.accepted, 1);
    assert_int_equal(s.rejected, 9);
    /* an equal offset written out is accepted, and so is one at the clock */
    update(c, T0, "{\"format\":\"plaudit.program/2\",\"utc_offset_minutes\":60}");
    plaudit_ctx_free(c);

    /* a zone in force: the same zone is accepted, none is not */
    c = load("{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\"}");
    REJECTS(c, PLAUDIT_EINVAL, plaudit_program_update(c, T0, "{\"format\":\"plaudit.program/2\"}", NULL, NULL));
    update(c, T0, "{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\"}");
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record(c, &(plaudit_event){.type = PLAUDIT_EVENT_PROGRAM, .ts = T0}, NULL));
    plaudit_ctx_free(c);
}

static void idempotent(void **st)
{
    (void)st;
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":1}]}");
    const char *line = "{\"ts\":1767571200,\"type\":\"program\",\"id\":\"prog-1\","
                       "\"program\":{\"format\":\"plaudit.program/2\",\"actions\":[{\"points\":2,\"id\":\"p\"}]}}";
    assert_int_equal(plaudit_record_json(c, line, strlen(line), NULL), PLAUDIT_OK);
    uint64_t d = plaudit_state_digest(c);
    /* the same document in another key order is the same content */
    const char *again = "{\"id\":\"prog-1\",\"program\":{\"actions\":[{\"id\":\"p\",\"points\":2}],"
                        "\"format\":\"plaudit.program/2\"},\"type\":\"program\",\"ts\":1767571200}";
    assert_int_equal(plaudit_record_json(c, again, strlen(again), NULL), PLAUDIT_DUPLICATE);
    assert_true(plaudit_state_digest(c) == d);
    const char *other = "{\"ts\":1767571200,\"type\":\"program\",\"id\":\"prog-1\","
                        "\"program\":{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":3}]}}";
    assert_int_equal(plaudit_record_json(c, other, strlen(other), NULL), PLAUDIT_ECONFLICT);
    assert_int_equal(act_points(c, T0, "alice", "p"), 2);
    plaudit_ctx_free(c);
}

static void format_switch(void **st)
{
    (void)st;
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":1}]}");
    ACT(c, T0, "alice", "p");
    char *s = state(c);
    assert_non_null(strstr(s, "\"plaudit.state/2\""));
    plaudit_free(c, s);
    update(c, T0 + 1, "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"p\",\"points\":5}]}");
    s = state(c);
    assert_non_null(strstr(s, "\"plaudit.state/1\""));
    plaudit_free(c, s);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
    assert_int_equal(pi.format, 1);
    /* format 1 lines do not know the program event (nor a ref) */
    assert_int_equal(line_rc(c, "{\"ts\":%lld,\"type\":\"program\",\"program\":{\"format\":\"plaudit.program/2\"}}",
                             T0 + 2),
                     PLAUDIT_EPARSE);
    assert_int_equal(line_rc(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\",\"ref\":\"x\"}", T0 + 2),
                     PLAUDIT_EPARSE);
    assert_int_equal(act_points(c, T0 + 3, "alice", "p"), 5);
    /* the C API moves it back to format 2 */
    update(c, T0 + 4, "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"p\",\"points\":1}]}");
    s = state(c);
    assert_non_null(strstr(s, "\"plaudit.state/2\""));
    assert_non_null(strstr(s, "\"points\": 6"));
    plaudit_free(c, s);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"p\",\"ref\":\"x\"}", T0 + 5);
    plaudit_ctx_free(c);
}

/* Format 2 rules: dated badge counts, challenge parts, seasons, team
 * boards and the member's team. */
#define V2_P1                                                                                      \
    "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"bug\",\"points\":1}],"                \
    "\"badges\":[{\"id\":\"launch\",\"from\":1767484800,\"until\":1768089600,"                     \
    "\"when\":{\"action\":\"bug\",\"count\":3}},"                                                   \
    "{\"id\":\"combo\",\"when\":{\"all\":[{\"action\":\"bug\",\"count\":3,\"within\":\"week\"},{\"points\":1}]}}]," \
    "\"leaderboards\":[{\"id\":\"season\",\"period\":\"all\",\"from\":1767484800,\"until\":1769904000}," \
    "{\"id\":\"teams\",\"period\":\"month\",\"by\":\"team\"}]}"

static void carry_over_v2_rules(void **st)
{
    (void)st;
    /* the same rules (launch keeps id, dates and action): counts kept */
    plaudit_ctx *c = load(V2_P1);
    LINE(c, "{\"ts\":%lld,\"type\":\"team\",\"member\":\"alice\",\"team\":\"acme\"}", T0);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 1);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 2);
    LINE(c, "{\"ts\":%lld,\"member\":\"bob\",\"action\":\"bug\"}", T0 + 3);
    update(c, T0 + 10, V2_P1);
    int64_t score;
    assert_int_equal(rank_of(c, "season", "alice", &score), 1);
    assert_int_equal(score, 2);
    assert_int_equal(rank_of(c, "teams", "acme", &score), 1);
    assert_int_equal(score, 2);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 20);
    assert_int_equal(badge_n(c, "alice", "launch"), 1);
    assert_int_equal(badge_n(c, "alice", "combo"), 1);
    assert_int_equal(rank_of(c, "teams", "acme", &score), 1);
    assert_int_equal(score, 3); /* alice is still in acme */
    plaudit_ctx_free(c);

    /* launch's dates change: its count starts at 0; the season's dates
     * change: it starts empty; the team board becomes weekly: empty */
    c = load(V2_P1);
    LINE(c, "{\"ts\":%lld,\"type\":\"team\",\"member\":\"alice\",\"team\":\"acme\"}", T0);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 1);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 2);
    update(c, T0 + 10,
           "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"bug\",\"points\":1}],"
           "\"badges\":[{\"id\":\"launch\",\"from\":1767484800,\"until\":1768176000,"
           "\"when\":{\"action\":\"bug\",\"count\":3}}],"
           "\"leaderboards\":[{\"id\":\"season\",\"period\":\"all\",\"from\":1767484800,\"until\":1769990400},"
           "{\"id\":\"teams\",\"period\":\"week\",\"by\":\"team\"}]}");
    assert_int_equal(rank_of(c, "season", "alice", &score), 0);
    assert_int_equal(rank_of(c, "teams", "acme", &score), 0);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"bug\"}", T0 + 20);
    assert_int_equal(badge_n(c, "alice", "launch"), 0);
    assert_int_equal(badge_n(c, "alice", "combo"), 0); /* gone: never earned */
    assert_int_equal(rank_of(c, "season", "alice", &score), 1);
    assert_int_equal(score, 1);
    assert_int_equal(rank_of(c, "teams", "acme", &score), 1);
    assert_int_equal(score, 1);
    plaudit_ctx_free(c);
}

/* A program event inside a reorder window is held and released in time
 * order like any event: a late event earlier than it is processed under the
 * old program. */
static void inside_reorder_window(void **st)
{
    (void)st;
    for (int w = 0; w < 2; w++) {
        char p[256], p2[256];
        snprintf(p, sizeof p,
                 "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":%d,\"actions\":[{\"id\":\"a\",\"points\":10}]}",
                 w ? 60 : 0);
        snprintf(p2, sizeof p2,
                 "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":%d,\"actions\":[{\"id\":\"a\",\"points\":20}]}",
                 w ? 60 : 0);
        plaudit_ctx *c = load(p);
        int want = w ? PLAUDIT_HELD : PLAUDIT_OK;
        assert_int_equal(plaudit_record_action(c, T0, "alice", "a", NULL, NULL), want);
        assert_int_equal(plaudit_program_update(c, T0 + 30, p2, NULL, NULL), want);
        assert_int_equal(plaudit_record_action(c, T0 + 10, "alice", "a", NULL, NULL), want);
        assert_int_equal(plaudit_record_action(c, T0 + 40, "alice", "a", NULL, NULL), want);
        assert_int_equal(plaudit_flush(c), PLAUDIT_OK);
        /* in time order: 10 + 10 under the old program, then 20; without a
         * window the late event comes after the change: 10 + 20 + 20 */
        assert_int_equal(points_of(c, "alice"), w ? 40 : 50);
        plaudit_ctx_free(c);
    }
}

/* ---- allocation failure --------------------------------------------------------- */

static const char *ALLOC_P1 =
    "{\"format\":\"plaudit.program/2\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"day\"}},"
    "{\"id\":\"b\",\"points\":5,\"cooldown_s\":1000},{\"id\":\"c\",\"points\":1}],"
    "\"tiers\":[{\"id\":\"t0\",\"min_points\":0},{\"id\":\"q\",\"min_points\":20,\"window\":\"month\"}],"
    "\"badges\":[{\"id\":\"a-week\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"week\"}},"
    "{\"id\":\"lv\",\"when\":{\"action\":\"a\",\"count\":[1,2,3]}},"
    "{\"id\":\"c1\",\"when\":{\"action\":\"c\",\"count\":1}},"
    "{\"id\":\"top\",\"when\":{\"leaderboard\":\"wk\",\"top\":2}}],"
    "\"segments\":[{\"id\":\"s1\",\"weights\":{\"a\":1}}],"
    "\"kudos\":{\"points\":3,\"give_cap\":{\"count\":2,\"per\":\"week\"}},"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"wk\",\"period\":\"week\"}],"
    "\"rewards\":[{\"id\":\"r1\",\"cost\":1,\"stock\":5}]}";

static void alloc_history(plaudit_ctx *c)
{
    static const char *const who[] = {"alice", "bob", "carol", "dan", "eve"};
    for (int i = 0; i < 5; i++) {
        LINE(c, "{\"ts\":%lld,\"member\":\"%s\",\"action\":\"a\"}", T0 + i, who[i]);
        LINE(c, "{\"ts\":%lld,\"member\":\"%s\",\"action\":\"a\"}", T0 + 10 + i, who[i]);
        LINE(c, "{\"ts\":%lld,\"member\":\"%s\",\"action\":\"c\"}", T0 + 20 + i, who[i]);
    }
    LINE(c, "{\"ts\":%lld,\"type\":\"kudos\",\"from\":\"alice\",\"to\":\"bob\"}", T0 + 40);
    LINE(c, "{\"ts\":%lld,\"type\":\"redeem\",\"member\":\"alice\",\"reward\":\"r1\"}", T0 + 60);
}

/* Closes the week (the top badge), drops c and c1, renames nothing. */
static const char *ALLOC_P2 =
    "{\"format\":\"plaudit.program/2\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"day\"}},{\"id\":\"d\",\"points\":7}],"
    "\"tiers\":[{\"id\":\"t0\",\"min_points\":0},{\"id\":\"q\",\"min_points\":20,\"window\":\"month\"}],"
    "\"badges\":[{\"id\":\"a-week\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"week\"}},"
    "{\"id\":\"lv\",\"when\":{\"action\":\"a\",\"count\":[1,4,5]}},"
    "{\"id\":\"a-month\",\"when\":{\"action\":\"a\",\"count\":3,\"within\":\"month\"}}],"
    "\"segments\":[{\"id\":\"s1\",\"weights\":{\"a\":1,\"d\":2}}],"
    "\"kudos\":{\"points\":3,\"give_cap\":{\"count\":2,\"per\":\"week\"}},"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"wk\",\"period\":\"week\"},"
    "{\"id\":\"m\",\"period\":\"month\"},{\"id\":\"all2\",\"period\":\"all\"}],"
    "\"rewards\":[{\"id\":\"r1\",\"cost\":1,\"stock\":8}]}";

static void alloc_failure(void **st)
{
    (void)st;
    const long long ts = T0 + 7 * DAY; /* the next Monday: wk closes */
    plaudit_ctx *ref = load(ALLOC_P1);
    alloc_history(ref);
    update(ref, ts, ALLOC_P2);
    LINE(ref, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"d\"}", ts + 1);
    char *want = state(ref);

    talloc ta = {0};
    plaudit_ctx *c = ctx_new_alloc(&ta);
    assert_int_equal(plaudit_program_load_json(c, ALLOC_P1, strlen(ALLOC_P1)), PLAUDIT_OK);
    alloc_history(c);
    uint64_t d0 = plaudit_state_digest(c);
    size_t failures = 0;
    for (size_t k = 1;; k++) {
        ta.fail_at = ta.calls + k;
        int rc = plaudit_program_update(c, ts, ALLOC_P2, "p2", NULL);
        ta.fail_at = 0;
        if (rc == PLAUDIT_OK) break;
        if (rc != PLAUDIT_ENOMEM) fail_msg("failure %zu: %d %s", k, rc, plaudit_errmsg(c));
        assert_true(plaudit_state_digest(c) == d0);
        plaudit_program_info pi;
        assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
        assert_int_equal(pi.n_actions, 3);
        assert_int_equal(pi.n_leaderboards, 2);
        assert_int_equal(plaudit_clock(c), T0 + 60);
        failures++;
    }
    assert_true(failures > 20);
    LINE(c, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"d\"}", ts + 1);
    char *got = state(c);
    char *w = strip_trailing(want), *g = strip_trailing(got);
    /* the stats differ only by the rejected attempts */
    char *ws = strstr(w, "\"stats\""), *gs = strstr(g, "\"stats\"");
    assert_non_null(ws);
    *ws = *gs = '\0';
    assert_string_equal(g, w);
    free(w);
    free(g);
    plaudit_free(c, got);
    plaudit_free(ref, want);
    plaudit_ctx_free(ref);
    plaudit_ctx_free(c);
    assert_int_equal(ta.live, 0);
}

/* ---- a new board of period all, a season added too late, the floor -------- */

/* A member board of period all that a program event adds ranks equal
 * scores by the time of each member's last change of points, not by its
 * last time. */
static void new_all_board_tie_order(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10},"
                          "{\"id\":\"z\",\"points\":0}]}");
    assert_int_equal(act_points(c, T0, "ann", "a"), 10);
    assert_int_equal(act_points(c, T0 + 5, "bob", "a"), 10);
    assert_int_equal(act_points(c, T0 + 10, "ann", "z"), 0); /* ann's last time moves, not her points */
    update(c, T0 + 20, "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10},"
                       "{\"id\":\"z\",\"points\":0}],\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"}]}");
    int64_t score = 0;
    assert_int_equal(rank_of(c, "all", "ann", &score), 1);
    assert_int_equal(score, 10);
    assert_int_equal(rank_of(c, "all", "bob", &score), 2);
    plaudit_ctx_free(c);
}

/* A season whose until is past when a program event adds it is frozen at
 * once, empty: a late event inside its range does not reach it. */
static void season_added_after_until(void **unused)
{
    (void)unused;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}]}");
    assert_int_equal(act_points(c, T0, "ann", "a"), 10);
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
             "\"leaderboards\":[{\"id\":\"s\",\"period\":\"all\",\"from\":%lld,\"until\":%lld}]}",
             (long long)(T0 - DAY), (long long)(T0 + HOUR));
    update(c, T0 + 2 * HOUR, doc);
    assert_int_equal(act_points(c, T0 + 30, "bob", "a"), 10); /* a new member: its ts may be before the clock */
    char *st = state(c);
    assert_non_null(strstr(st, "\"s\": []"));
    plaudit_free(c, st);
    plaudit_ctx_free(c);
}

/* The lifetime floor a program event keeps: the highest tier of the new
 * list, still lifetime, whose criteria ever held, also one below the
 * floor held before. */
static void lifetime_floor_lower_tier(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = load("{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
                          "\"tiers\":[{\"id\":\"t0\",\"min_points\":5,\"lifetime\":true},"
                          "{\"id\":\"t1\",\"min_points\":10,\"lifetime\":true}]}");
    assert_int_equal(act_points(c, T0, "ann", "a"), 10);
    assert_string_equal(info(c, "ann").tier, "t1");
    update(c, T0 + 10, "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
                       "\"tiers\":[{\"id\":\"t0\",\"min_points\":50,\"lifetime\":true}]}");
    assert_int_equal(plaudit_record_tick(c, T0 + 20, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(info(c, "ann").tier, "t0"); /* its criteria held once */
    plaudit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(carry_over_basics), cmocka_unit_test(carry_over_tiers),
        cmocka_unit_test(carry_over_boards), cmocka_unit_test(badge_dropped_and_back),
        cmocka_unit_test(rejected),          cmocka_unit_test(idempotent),
        cmocka_unit_test(format_switch),     cmocka_unit_test(alloc_failure),
        cmocka_unit_test(inside_reorder_window), cmocka_unit_test(carry_over_v2_rules),
        cmocka_unit_test(new_all_board_tie_order), cmocka_unit_test(season_added_after_until),
        cmocka_unit_test(lifetime_floor_lower_tier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
