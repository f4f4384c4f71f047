/* test-badinput.c - the bad-input table: NULL context and arguments for
 * every public function, unknown ids, bad strings (empty, over-long,
 * invalid UTF-8, control characters), out-of-range values and timestamps.
 * Each call returns its documented code, leaves a message in
 * plaudit_errmsg and leaves the digest unchanged. */
#include "common.h"

static plaudit_ctx *populated(void)
{
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "a", 10);
    tier(ctx, "t", 0);
    assert_int_equal(segment2(ctx, "s", "a", 1, NULL, 0), PLAUDIT_OK);
    board(ctx, "lb", PLAUDIT_PERIOD_WEEK);
    assert_int_equal(badge_manual(ctx, "man", 1), PLAUDIT_OK);
    assert_int_equal(kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r", 1, 5), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "a", "k", NULL), PLAUDIT_OK);
    return ctx;
}

/* Every function with a NULL context: EINVAL (or its documented neutral
 * value), no crash. */
static void test_null_ctx(void **state)
{
    (void)state;
    plaudit_action_def ad = PLAUDIT_ACTION_DEF_INIT;
    plaudit_tier_def td = PLAUDIT_TIER_DEF_INIT;
    plaudit_segment_def sd = PLAUDIT_SEGMENT_DEF_INIT;
    plaudit_leaderboard_def ld = PLAUDIT_LEADERBOARD_DEF_INIT;
    plaudit_badge_def bd = PLAUDIT_BADGE_DEF_INIT;
    plaudit_kudos_def kd = PLAUDIT_KUDOS_DEF_INIT;
    plaudit_reward_def rd = PLAUDIT_REWARD_DEF_INIT;
    plaudit_listener li = PLAUDIT_LISTENER_INIT;
    plaudit_program_info pi;
    plaudit_member_info mi;
    plaudit_progress pr;
    plaudit_stats st;
    plaudit_rank_entry re[3];
    const plaudit_badge_earned *be;
    const char *ids[2];
    plaudit_event ev = {.type = PLAUDIT_EVENT_TICK, .ts = 1};
    size_t n;
    uint64_t u;
    int64_t i64;
    char *doc;
    const int E = PLAUDIT_EINVAL;
    assert_int_equal(plaudit_ctx_new(NULL, NULL), E);
    plaudit_ctx_free(NULL);
    plaudit_free(NULL, NULL);
    assert_true(plaudit_errmsg(NULL)[0] != '\0');
    assert_int_equal(plaudit_errcode(NULL), E);
    assert_int_equal(plaudit_program_set_name(NULL, "x"), E);
    assert_int_equal(plaudit_program_set_utc_offset(NULL, 0), E);
    assert_int_equal(plaudit_program_set_timezone(NULL, "UTC"), E);
    assert_int_equal(plaudit_action_declare(NULL, &ad), E);
    assert_int_equal(plaudit_tier_declare(NULL, &td), E);
    assert_int_equal(plaudit_segment_declare(NULL, &sd), E);
    assert_int_equal(plaudit_leaderboard_declare(NULL, &ld), E);
    assert_int_equal(plaudit_badge_declare(NULL, &bd), E);
    assert_int_equal(plaudit_kudos_declare(NULL, &kd), E);
    assert_int_equal(plaudit_reward_declare(NULL, &rd), E);
    assert_int_equal(plaudit_program_info_get(NULL, &pi), E);
    assert_int_equal(plaudit_record(NULL, &ev, NULL), E);
    assert_int_equal(plaudit_record_action(NULL, 1, "m", "a", NULL, NULL), E);
    assert_int_equal(plaudit_record_join(NULL, 1, "m", NULL, NULL), E);
    assert_int_equal(plaudit_record_kudos(NULL, 1, "m", "n", NULL, NULL), E);
    assert_int_equal(plaudit_record_redeem(NULL, 1, "m", "r", NULL, NULL), E);
    assert_int_equal(plaudit_record_award(NULL, 1, "m", "b", NULL, NULL), E);
    assert_int_equal(plaudit_record_adjust(NULL, 1, "m", 1, NULL, NULL, NULL), E);
    assert_int_equal(plaudit_record_segment(NULL, 1, "m", NULL, NULL, NULL), E);
    assert_int_equal(plaudit_record_preferences(NULL, 1, "m", 1, NULL, NULL), E);
    assert_int_equal(plaudit_record_tick(NULL, 1, NULL, NULL), E);
    assert_int_equal(plaudit_record_batch(NULL, &ev, 1, NULL, &n), E);
    assert_int_equal(n, 0);
    assert_int_equal(plaudit_listener_set(NULL, &li), E);
    assert_int_equal(plaudit_clock(NULL), -1);
    assert_int_equal(plaudit_member_get(NULL, "m", &mi), E);
    assert_int_equal(plaudit_member_action_count(NULL, "m", "a", &u), E);
    assert_int_equal(plaudit_member_affinity(NULL, "m", "s", &i64), E);
    assert_int_equal(plaudit_member_badges(NULL, "m", &be, &n), E);
    assert_int_equal(plaudit_member_progress(NULL, "m", &pr), E);
    assert_int_equal(plaudit_member_count(NULL), 0);
    assert_int_equal(plaudit_member_list(NULL, 0, 2, ids, &n, &u), E);
    assert_int_equal(plaudit_leaderboard_top(NULL, "lb", 3, re, &n), E);
    assert_int_equal(plaudit_leaderboard_rank(NULL, "lb", "m", &u, &i64), E);
    assert_int_equal(plaudit_leaderboard_around(NULL, "lb", "m", 1, re, &n), E);
    assert_int_equal(plaudit_leaderboard_count(NULL, "lb", &u), E);
    assert_int_equal(plaudit_reward_stock(NULL, "r", &i64), E);
    assert_int_equal(plaudit_stats_get(NULL, &st), E);
    assert_int_equal(plaudit_state_export(NULL, &doc, &n), E);
    assert_int_equal(plaudit_state_digest(NULL), 0);
}

/* A failing call on a context: code, message, error code, digest. */
#define BAD(ctx, code, call) REJECTS(ctx, code, call)

static void test_null_args(void **state)
{
    (void)state;
    plaudit_ctx *ctx = populated();
    plaudit_member_info mi;
    plaudit_progress pr;
    plaudit_rank_entry re[3];
    const plaudit_badge_earned *be;
    const char *ids[2];
    size_t n;
    uint64_t u;
    int64_t i64;
    char *doc;
    const int E = PLAUDIT_EINVAL;
    BAD(ctx, E, plaudit_action_declare(ctx, NULL));
    BAD(ctx, E, plaudit_tier_declare(ctx, NULL));
    BAD(ctx, E, plaudit_segment_declare(ctx, NULL));
    BAD(ctx, E, plaudit_leaderboard_declare(ctx, NULL));
    BAD(ctx, E, plaudit_badge_declare(ctx, NULL));
    BAD(ctx, E, plaudit_kudos_declare(ctx, NULL));
    BAD(ctx, E, plaudit_reward_declare(ctx, NULL));
    BAD(ctx, E, plaudit_program_info_get(ctx, NULL));
    BAD(ctx, E, plaudit_record(ctx, NULL, NULL));
    BAD(ctx, E, plaudit_record_action(ctx, T_2026, "m", NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_action(ctx, T_2026, NULL, "a", NULL, NULL));
    BAD(ctx, E, plaudit_record_join(ctx, T_2026, NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_kudos(ctx, T_2026, NULL, "m", NULL, NULL));
    BAD(ctx, E, plaudit_record_kudos(ctx, T_2026, "m", NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_redeem(ctx, T_2026, "m", NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_redeem(ctx, T_2026, NULL, "r", NULL, NULL));
    BAD(ctx, E, plaudit_record_award(ctx, T_2026, "m", NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_award(ctx, T_2026, NULL, "man", NULL, NULL));
    BAD(ctx, E, plaudit_record_adjust(ctx, T_2026, NULL, 1, NULL, NULL, NULL));
    BAD(ctx, E, plaudit_record_segment(ctx, T_2026, NULL, "s", NULL, NULL));
    BAD(ctx, E, plaudit_record_preferences(ctx, T_2026, NULL, 1, NULL, NULL));
    BAD(ctx, E, plaudit_record_batch(ctx, NULL, 1, NULL, NULL));
    BAD(ctx, E, plaudit_member_get(ctx, NULL, &mi));
    BAD(ctx, E, plaudit_member_get(ctx, "m", NULL));
    BAD(ctx, E, plaudit_member_action_count(ctx, "m", "a", NULL));
    BAD(ctx, E, plaudit_member_action_count(ctx, NULL, "a", &u));
    BAD(ctx, E, plaudit_member_action_count(ctx, "m", NULL, &u));
    BAD(ctx, E, plaudit_member_affinity(ctx, "m", "s", NULL));
    BAD(ctx, E, plaudit_member_affinity(ctx, "m", NULL, &i64));
    BAD(ctx, E, plaudit_member_badges(ctx, "m", NULL, &n));
    BAD(ctx, E, plaudit_member_badges(ctx, "m", &be, NULL));
    BAD(ctx, E, plaudit_member_badges(ctx, NULL, &be, &n));
    BAD(ctx, E, plaudit_member_progress(ctx, "m", NULL));
    BAD(ctx, E, plaudit_member_progress(ctx, NULL, &pr));
    BAD(ctx, E, plaudit_member_list(ctx, 0, 2, NULL, &n, &u));
    BAD(ctx, E, plaudit_member_list(ctx, 0, 2, ids, NULL, &u));
    BAD(ctx, E, plaudit_leaderboard_top(ctx, "lb", 3, NULL, &n));
    BAD(ctx, E, plaudit_leaderboard_top(ctx, "lb", 3, re, NULL));
    BAD(ctx, E, plaudit_leaderboard_top(ctx, NULL, 3, re, &n));
    BAD(ctx, E, plaudit_leaderboard_rank(ctx, "lb", "m", NULL, &i64));
    BAD(ctx, E, plaudit_leaderboard_rank(ctx, NULL, "m", &u, &i64));
    BAD(ctx, E, plaudit_leaderboard_rank(ctx, "lb", NULL, &u, &i64));
    BAD(ctx, E, plaudit_leaderboard_around(ctx, "lb", "m", 1, NULL, &n));
    BAD(ctx, E, plaudit_leaderboard_around(ctx, "lb", "m", 1, re, NULL));
    BAD(ctx, E, plaudit_leaderboard_count(ctx, "lb", NULL));
    BAD(ctx, E, plaudit_leaderboard_count(ctx, NULL, &u));
    BAD(ctx, E, plaudit_reward_stock(ctx, "r", NULL));
    BAD(ctx, E, plaudit_reward_stock(ctx, NULL, &i64));
    BAD(ctx, E, plaudit_stats_get(ctx, NULL));
    BAD(ctx, E, plaudit_state_export(ctx, NULL, &n));
    plaudit_free(ctx, NULL);
    /* a partial allocator, and an out parameter that is reset on error */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.allocator.malloc = ta_malloc;
    plaudit_ctx *c2 = (plaudit_ctx *)&o;
    assert_int_equal(plaudit_ctx_new(&c2, &o), PLAUDIT_EINVAL);
    assert_null(c2);
    (void)doc;
    plaudit_ctx_free(ctx);
}

static void test_unknown_ids(void **state)
{
    (void)state;
    plaudit_ctx *ctx = populated();
    plaudit_member_info mi;
    plaudit_progress pr;
    plaudit_rank_entry re[3];
    const plaudit_badge_earned *be;
    size_t n;
    uint64_t u;
    int64_t i64;
    const int NF = PLAUDIT_ENOTFOUND;
    BAD(ctx, NF, plaudit_member_get(ctx, "nobody", &mi));
    BAD(ctx, NF, plaudit_member_action_count(ctx, "nobody", "a", &u));
    BAD(ctx, NF, plaudit_member_action_count(ctx, "m", "nope", &u));
    BAD(ctx, NF, plaudit_member_affinity(ctx, "m", "nope", &i64));
    BAD(ctx, NF, plaudit_member_badges(ctx, "nobody", &be, &n));
    BAD(ctx, NF, plaudit_member_progress(ctx, "nobody", &pr));
    BAD(ctx, NF, plaudit_leaderboard_top(ctx, "nope", 3, re, &n));
    BAD(ctx, NF, plaudit_leaderboard_rank(ctx, "nope", "m", &u, NULL));
    BAD(ctx, NF, plaudit_leaderboard_rank(ctx, "lb", "nobody", &u, NULL));
    BAD(ctx, NF, plaudit_leaderboard_around(ctx, "lb", "nobody", 1, re, &n));
    BAD(ctx, NF, plaudit_leaderboard_count(ctx, "nope", &u));
    BAD(ctx, NF, plaudit_reward_stock(ctx, "nope", &i64));
    BAD(ctx, NF, plaudit_record_action(ctx, T_2026, "m", "nope", NULL, NULL));
    BAD(ctx, NF, plaudit_record_redeem(ctx, T_2026, "m", "nope", NULL, NULL));
    BAD(ctx, NF, plaudit_record_award(ctx, T_2026, "m", "nope", NULL, NULL));
    BAD(ctx, NF, plaudit_record_segment(ctx, T_2026, "m", "nope", NULL, NULL));
    /* a bad string where a query expects an id is simply not found */
    BAD(ctx, NF, plaudit_member_get(ctx, "\xff", &mi));
    BAD(ctx, NF, plaudit_member_get(ctx, "", &mi));
    plaudit_ctx_free(ctx);
}

/* Bad strings in every string argument of every event type. */
static void test_bad_strings(void **state)
{
    (void)state;
    plaudit_ctx *ctx = populated();
    char long_member[130], long_id[66], long_key[130];
    memset(long_member, 'm', 129);
    long_member[129] = '\0';
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    memset(long_key, 'k', 129);
    long_key[129] = '\0';
    /* member-like strings (members, event ids) */
    const struct { const char *s; int code; } text[] = {
        {"", PLAUDIT_ESTRING},
        {long_member, PLAUDIT_ESTRING},
        {"bad\xc3", PLAUDIT_EUTF8},        /* truncated sequence */
        {"\xe0\x80\xaf", PLAUDIT_EUTF8},   /* overlong */
        {"\xf4\x90\x80\x80", PLAUDIT_EUTF8}, /* beyond U+10FFFF */
        {"a\nb", PLAUDIT_ESTRING},
        {"\x1f", PLAUDIT_ESTRING},
        {"del\x7f", PLAUDIT_ESTRING},
        {"c1\xc2\x9f", PLAUDIT_ESTRING},
    };
    for (size_t i = 0; i < sizeof text / sizeof *text; i++) {
        const char *s = text[i].s;
        int c = text[i].code;
        BAD(ctx, c, plaudit_record_action(ctx, T_2026, s, "a", NULL, NULL));
        BAD(ctx, c, plaudit_record_join(ctx, T_2026, s, NULL, NULL));
        BAD(ctx, c, plaudit_record_kudos(ctx, T_2026, s, "m", NULL, NULL));
        BAD(ctx, c, plaudit_record_kudos(ctx, T_2026, "m", s, NULL, NULL));
        BAD(ctx, c, plaudit_record_redeem(ctx, T_2026, s, "r", NULL, NULL));
        BAD(ctx, c, plaudit_record_award(ctx, T_2026, s, "man", NULL, NULL));
        BAD(ctx, c, plaudit_record_adjust(ctx, T_2026, s, 1, NULL, NULL, NULL));
        BAD(ctx, c, plaudit_record_segment(ctx, T_2026, s, "s", NULL, NULL));
        BAD(ctx, c, plaudit_record_preferences(ctx, T_2026, s, 1, NULL, NULL));
        if (s[0] && s != long_member) BAD(ctx, c, plaudit_record_adjust(ctx, T_2026, "m", 1, s, NULL, NULL));
        BAD(ctx, c, plaudit_record_tick(ctx, T_2026, s == long_member ? long_key : s, NULL));
        BAD(ctx, c, plaudit_record_action(ctx, T_2026, "m", "a", s == long_member ? long_key : s, NULL));
    }
    /* rule-id references: the id grammar */
    const char *bad_ids[] = {"", long_id, "A", "-x", "x y", "x\ty", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
        const char *s = bad_ids[i];
        BAD(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, "m", s, NULL, NULL));
        BAD(ctx, PLAUDIT_ESTRING, plaudit_record_redeem(ctx, T_2026, "m", s, NULL, NULL));
        BAD(ctx, PLAUDIT_ESTRING, plaudit_record_award(ctx, T_2026, "m", s, NULL, NULL));
        BAD(ctx, PLAUDIT_ESTRING, plaudit_record_segment(ctx, T_2026, "m", s, NULL, NULL));
    }
    BAD(ctx, PLAUDIT_EUTF8, plaudit_record_action(ctx, T_2026, "m", "a\xff", NULL, NULL));
    /* a 128-byte member id and key are fine */
    long_member[128] = '\0';
    long_key[128] = '\0';
    assert_int_equal(plaudit_record_action(ctx, T_2026, long_member, "a", long_key, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "\xf0\x9f\x8e\x89 party", "a", NULL, NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
}

static void test_out_of_range(void **state)
{
    (void)state;
    plaudit_ctx *ctx = populated();
    const int64_t bad_ts[] = {-1, INT64_MIN, PLAUDIT_MAX_TS + 1, INT64_MAX};
    for (size_t i = 0; i < 4; i++) {
        int64_t ts = bad_ts[i];
        const int R = PLAUDIT_ERANGE;
        BAD(ctx, R, plaudit_record_action(ctx, ts, "m", "a", NULL, NULL));
        BAD(ctx, R, plaudit_record_join(ctx, ts, "n", NULL, NULL));
        BAD(ctx, R, plaudit_record_kudos(ctx, ts, "m", "n", NULL, NULL));
        BAD(ctx, R, plaudit_record_redeem(ctx, ts, "m", "r", NULL, NULL));
        BAD(ctx, R, plaudit_record_award(ctx, ts, "m", "man", NULL, NULL));
        BAD(ctx, R, plaudit_record_adjust(ctx, ts, "m", 1, NULL, NULL, NULL));
        BAD(ctx, R, plaudit_record_segment(ctx, ts, "m", NULL, NULL, NULL));
        BAD(ctx, R, plaudit_record_preferences(ctx, ts, "m", 0, NULL, NULL));
        BAD(ctx, R, plaudit_record_tick(ctx, ts, NULL, NULL));
    }
    BAD(ctx, PLAUDIT_ERANGE, plaudit_record_adjust(ctx, T_2026, "m", INT64_MIN, NULL, NULL, NULL));
    BAD(ctx, PLAUDIT_ERANGE, plaudit_record_adjust(ctx, T_2026, "m", INT64_MAX, NULL, NULL, NULL));
    plaudit_rank_entry re[1];
    size_t n;
    BAD(ctx, PLAUDIT_ERANGE, plaudit_leaderboard_around(ctx, "lb", "m", SIZE_MAX, re, &n));
    plaudit_event ev = {.type = (plaudit_event_type)-1, .ts = T_2026};
    BAD(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, &ev, NULL));
    /* the edges are accepted */
    assert_int_equal(plaudit_record_tick(ctx, PLAUDIT_MAX_TS, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 0, "early", "a", NULL, NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
}

/* A valid event of each type (format 2 program: populated() plus format 2). */
static plaudit_event valid_event(plaudit_event_type t)
{
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.type = t;
    ev.ts = T_2026 + 10;
    switch (t) {
    case PLAUDIT_EVENT_ACTION: ev.member = "m", ev.target = "a"; break;
    case PLAUDIT_EVENT_JOIN: ev.member = "new"; break;
    case PLAUDIT_EVENT_KUDOS: ev.member = "m", ev.target = "n"; break;
    case PLAUDIT_EVENT_REDEEM: ev.member = "m", ev.target = "r"; break;
    case PLAUDIT_EVENT_AWARD: ev.member = "m", ev.target = "man"; break;
    case PLAUDIT_EVENT_ADJUST: ev.member = "m", ev.points = 1; break;
    case PLAUDIT_EVENT_SEGMENT: ev.member = "m", ev.target = "s"; break;
    case PLAUDIT_EVENT_PREFERENCES: ev.member = "m", ev.flag = 1; break;
    case PLAUDIT_EVENT_REVOKE: ev.target = "k"; break;
    case PLAUDIT_EVENT_TEAM: ev.member = "m", ev.target = "red"; break;
    case PLAUDIT_EVENT_PROGRAM: ev.document = "{\"format\": \"plaudit.program/2\"}"; break;
    default: break;
    }
    return ev;
}

/* Every field of every event type is checked before anything is applied:
 * a field the type does not use must be NULL / 0 (a 70,000-byte reason on
 * an action event used to be accepted and journaled with a 16-bit length,
 * and the store could never be attached again). */
static void test_unused_fields(void **state)
{
    (void)state;
    char *big = malloc(70001);
    assert_non_null(big);
    memset(big, 'y', 70000);
    big[70000] = '\0';
    for (int format = 1; format <= 2; format++) {
        plaudit_ctx *ctx = ctx_new();
        assert_int_equal(plaudit_program_set_format(ctx, format), PLAUDIT_OK);
        action(ctx, "a", 10);
        assert_int_equal(segment2(ctx, "s", "a", 1, NULL, 0), PLAUDIT_OK);
        assert_int_equal(badge_manual(ctx, "man", 1), PLAUDIT_OK);
        assert_int_equal(kudos_full(ctx, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0), PLAUDIT_OK);
        assert_int_equal(reward(ctx, "r", 1, 5), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "a", "k", NULL), PLAUDIT_OK);
        int last = format == 2 ? PLAUDIT_EVENT_PROGRAM : PLAUDIT_EVENT_TICK;
        for (int t = 0; t <= last; t++) {
            plaudit_event ev = valid_event((plaudit_event_type)t);
            for (int f = 0; f < 7; f++) {
                plaudit_event e = ev;
                const char *field = NULL;
                switch (f) {
                case 0: if (!e.member) e.member = big, field = "member"; break;
                case 1:
                    if (!e.target && t != PLAUDIT_EVENT_SEGMENT && t != PLAUDIT_EVENT_TEAM && t != PLAUDIT_EVENT_REVOKE)
                        e.target = "a", field = "target";
                    break;
                case 2: if (t != PLAUDIT_EVENT_ADJUST) e.points = 5, field = "points"; break;
                case 3: if (t != PLAUDIT_EVENT_ADJUST && t != PLAUDIT_EVENT_REVOKE) e.reason = big, field = "reason"; break;
                case 4: if (t != PLAUDIT_EVENT_PREFERENCES) e.flag = 1, field = "flag"; break;
                case 5:
                    if (format == 2 && (t == PLAUDIT_EVENT_JOIN || t == PLAUDIT_EVENT_SEGMENT ||
                                        t == PLAUDIT_EVENT_PREFERENCES || t == PLAUDIT_EVENT_TICK ||
                                        t == PLAUDIT_EVENT_TEAM || t == PLAUDIT_EVENT_PROGRAM))
                        e.ref = "x", field = "ref";
                    break;
                case 6: if (t != PLAUDIT_EVENT_PROGRAM) e.document = "{}", field = "document"; break;
                }
                if (!field) continue;
                BAD(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, &e, NULL));
                char want[64];
                snprintf(want, sizeof want, "event takes no %s", field);
                if (!strstr(plaudit_errmsg(ctx), want)) fail_msg("type %d: %s", t, plaudit_errmsg(ctx));
            }
        }
        /* the article: "an action event", "a tick event" */
        plaudit_event e = valid_event(PLAUDIT_EVENT_ACTION);
        e.reason = "r";
        BAD(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, &e, NULL));
        assert_non_null(strstr(plaudit_errmsg(ctx), "an action event takes no reason"));
        e = valid_event(PLAUDIT_EVENT_TICK);
        e.member = "y";
        BAD(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, &e, NULL));
        assert_non_null(strstr(plaudit_errmsg(ctx), "a tick event takes no member"));
        /* the fields a type uses keep their limits */
        BAD(ctx, PLAUDIT_ESTRING, plaudit_record_adjust(ctx, T_2026, "m", 1, big, NULL, NULL));
        plaudit_ctx_free(ctx);
    }
    /* A program document larger than a journal record holds is refused
     * before anything is applied (with a larger max_program_bytes). */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.max_program_bytes = (size_t)40 << 20;
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    size_t n = (size_t)17 << 20;
    char *doc = malloc(n + 1);
    assert_non_null(doc);
    memset(doc, ' ', n);
    doc[n] = '\0';
    plaudit_event pe = valid_event(PLAUDIT_EVENT_PROGRAM);
    pe.document = doc;
    BAD(ctx, PLAUDIT_ELIMIT, plaudit_record(ctx, &pe, NULL));
    assert_non_null(strstr(plaudit_errmsg(ctx), "more than a journal record holds"));
    free(doc);
    plaudit_ctx_free(ctx);
    free(big);
}

/* After a failure, a success clears the message and code. */
static void test_errmsg_cleared(void **state)
{
    (void)state;
    plaudit_ctx *ctx = populated();
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "nope", NULL, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_errcode(ctx), PLAUDIT_ENOTFOUND);
    assert_non_null(strstr(plaudit_errmsg(ctx), "nope"));
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_errcode(ctx), PLAUDIT_OK);
    assert_string_equal(plaudit_errmsg(ctx), "");
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.rejected, 1);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_ctx),    cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_unknown_ids), cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_out_of_range), cmocka_unit_test(test_errmsg_cleared),
        cmocka_unit_test(test_unused_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
