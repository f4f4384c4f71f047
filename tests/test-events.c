/* test-events.c - every event type, its validation and rejection codes,
 * member creation, time per member and the clock, idempotency keys
 * (duplicates, conflicts, rejected events, retention), batches, spec
 * example 05 in C; every rejected call leaves the digest unchanged. */
#include "common.h"

static plaudit_ctx *full_ctx(const plaudit_options *o)
{
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, o), PLAUDIT_OK);
    action(ctx, "w", 100);
    action(ctx, "f", 1);
    action(ctx, "g", 1);
    assert_int_equal(segment2(ctx, "s1", "f", 1, NULL, 0), PLAUDIT_OK);
    assert_int_equal(segment2(ctx, "s2", "g", 1, NULL, 0), PLAUDIT_OK);
    assert_int_equal(badge_manual(ctx, "coty", 10), PLAUDIT_OK);
    assert_int_equal(badge_one(ctx, "auto", PLAUDIT_CRITERION_POINTS, NULL, 1000000, 0), PLAUDIT_OK);
    assert_int_equal(kudos_full(ctx, 5, PLAUDIT_UNSET, 2, PLAUDIT_PERIOD_DAY, 3, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r1", 150, 1), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r2", 50, PLAUDIT_UNSET), PLAUDIT_OK);
    return ctx;
}

static void test_each_type(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    plaudit_outcome o;
    assert_int_equal(plaudit_clock(ctx), -1);
    assert_int_equal(plaudit_record_join(ctx, T_2026, "bob", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.status, PLAUDIT_ACCEPTED);
    assert_int_equal(o.code, PLAUDIT_OK);
    assert_string_equal(o.message, "");
    assert_int_equal(o.n_moments, 0);
    assert_int_equal(plaudit_clock(ctx), T_2026);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 1, "alice", "w", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 100);
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 2, "alice", "bob", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 5); /* the receiver's */
    assert_int_equal(o.moments[0].kind, PLAUDIT_MOMENT_KUDOS);
    assert_string_equal(o.moments[0].member, "alice");
    assert_string_equal(o.moments[0].to, "bob");
    assert_int_equal(o.moments[1].kind, PLAUDIT_MOMENT_POINTS);
    assert_int_equal(o.moments[1].source, PLAUDIT_SOURCE_KUDOS);
    assert_string_equal(o.moments[1].source_id, "alice");
    assert_string_equal(o.moments[1].member, "bob");
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 3, "alice", "r2", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_moments, 1);
    assert_int_equal(o.moments[0].kind, PLAUDIT_MOMENT_REDEEM);
    assert_string_equal(o.moments[0].reward, "r2");
    assert_int_equal(o.moments[0].cost, 50);
    assert_int_equal(balance_of(ctx, "alice"), 50);
    assert_int_equal(points_of(ctx, "alice"), 100);
    assert_int_equal(plaudit_record_award(ctx, T_2026 + 4, "bob", "coty", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_badges, 1);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 5, "bob", -3, NULL, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, -3);
    assert_null(o.moments[0].source_id);
    assert_int_equal(points_of(ctx, "bob"), 12);
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 6, "bob", "s2", NULL, &o), PLAUDIT_OK);
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "bob", &mi), PLAUDIT_OK);
    assert_string_equal(mi.segment, "s2");
    assert_int_equal(mi.segment_pinned, 1);
    assert_int_equal(mi.kudos_received, 1);
    assert_int_equal(mi.n_badges, 1);
    assert_int_equal(plaudit_record_preferences(ctx, T_2026 + 7, "bob", 0, NULL, &o), PLAUDIT_OK);
    assert_int_equal(plaudit_member_get(ctx, "bob", &mi), PLAUDIT_OK);
    assert_int_equal(mi.leaderboards, 0);
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 8, NULL, &o), PLAUDIT_OK);
    assert_int_equal(plaudit_clock(ctx), T_2026 + 8);
    /* a tick touches every member: their last time is the tick's */
    assert_int_equal(plaudit_member_get(ctx, "alice", &mi), PLAUDIT_OK);
    assert_int_equal(mi.last_ts, T_2026 + 8);
    assert_int_equal(mi.kudos_given, 1);
    /* the generic entry point */
    plaudit_event ev = {.type = PLAUDIT_EVENT_ACTION, .ts = T_2026 + 9, .member = "carol", .target = "w"};
    assert_int_equal(plaudit_record(ctx, &ev, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 100);
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.accepted, 10);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(plaudit_member_count(ctx), 3);
    const char *ids[5];
    size_t n;
    uint64_t next;
    assert_int_equal(plaudit_member_list(ctx, 0, 2, ids, &n, &next), PLAUDIT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "bob"); /* creation order */
    assert_string_equal(ids[1], "alice");
    assert_int_equal(next, 2);
    assert_int_equal(plaudit_member_list(ctx, next, 5, ids, &n, &next), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], "carol");
    assert_int_equal(next, 3);
    plaudit_ctx_free(ctx);
}

static void test_join(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    ACT(ctx, T_2026, "m", "f");
    REJECTS(ctx, PLAUDIT_EEXIST, plaudit_record_join(ctx, T_2026 + 1, "m", NULL, NULL));
    assert_int_equal(plaudit_record_join(ctx, T_2026 + 1, "n", NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_EEXIST, plaudit_record_join(ctx, T_2026 + 1, "n", NULL, NULL));
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "n", &mi), PLAUDIT_OK);
    assert_int_equal(mi.joined, T_2026 + 1);
    /* the first event that names a member creates it, with its ts */
    assert_int_equal(plaudit_member_get(ctx, "m", &mi), PLAUDIT_OK);
    assert_int_equal(mi.joined, T_2026);
    plaudit_ctx_free(ctx);
}

static void test_kudos(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    /* creates both members */
    assert_int_equal(plaudit_record_kudos(ctx, T_2026, "a", "b", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_member_count(ctx), 2);
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "a", &mi), PLAUDIT_OK);
    assert_int_equal(mi.joined, T_2026);
    assert_int_equal(mi.points, 0);
    REJECTS(ctx, PLAUDIT_ESELF, plaudit_record_kudos(ctx, T_2026 + 1, "a", "a", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESELF, plaudit_record_kudos(ctx, T_2026 + 1, "new", "new", NULL, NULL));
    assert_int_equal(plaudit_member_count(ctx), 2);
    /* receiver cap: 2 earning kudos per day; the third still counts */
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 2, "c", "b", NULL, NULL), PLAUDIT_OK);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 3, "d", "b", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 0);
    assert_int_equal(plaudit_member_get(ctx, "b", &mi), PLAUDIT_OK);
    assert_int_equal(mi.points, 10);
    assert_int_equal(mi.kudos_received, 3);
    /* give cap: 3 per day for a */
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 4, "a", "c", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 5, "a", "d", NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ELIMIT, plaudit_record_kudos(ctx, T_2026 + 6, "a", "e", NULL, NULL));
    assert_int_equal(plaudit_member_count(ctx), 4); /* e not created */
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + DAY, "a", "e", NULL, NULL), PLAUDIT_OK); /* next day */
    /* time goes backwards for the receiver */
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_kudos(ctx, T_2026 + 10, "x", "e", NULL, NULL));
    /* without a kudos section */
    plaudit_ctx *c2 = ctx_new();
    action(c2, "a", 1);
    REJECTS(c2, PLAUDIT_EDISABLED, plaudit_record_kudos(c2, T_2026, "a", "b", NULL, NULL));
    assert_int_equal(plaudit_member_count(c2), 0);
    plaudit_ctx_free(c2);
    /* a give cap of 0 lets nobody give */
    c2 = ctx_new();
    assert_int_equal(kudos_full(c2, 1, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, 0, PLAUDIT_PERIOD_WEEK), PLAUDIT_OK);
    REJECTS(c2, PLAUDIT_ELIMIT, plaudit_record_kudos(c2, T_2026, "a", "b", NULL, NULL));
    /* ... also a member who exists (its tracker is from no period yet) */
    assert_int_equal(plaudit_record_join(c2, T_2026, "a", NULL, NULL), PLAUDIT_OK);
    REJECTS(c2, PLAUDIT_ELIMIT, plaudit_record_kudos(c2, T_2026 + 1, "a", "b", NULL, NULL));
    REJECTS(c2, PLAUDIT_ELIMIT, plaudit_record_kudos(c2, T_2026 + 8 * DAY, "a", "b", NULL, NULL));
    assert_int_equal(plaudit_member_count(c2), 1);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

static void test_redeem(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    REJECTS(ctx, PLAUDIT_EFUNDS, plaudit_record_redeem(ctx, T_2026, "ghost", "r2", NULL, NULL));
    assert_int_equal(plaudit_member_count(ctx), 0);
    ACT(ctx, T_2026, "a", "w");
    REJECTS(ctx, PLAUDIT_EFUNDS, plaudit_record_redeem(ctx, T_2026 + 1, "a", "r1", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_redeem(ctx, T_2026 + 1, "a", "r3", NULL, NULL));
    ACT(ctx, T_2026 + 2, "a", "w");
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 3, "a", "r1", NULL, NULL), PLAUDIT_OK);
    int64_t stock;
    assert_int_equal(plaudit_reward_stock(ctx, "r1", &stock), PLAUDIT_OK);
    assert_int_equal(stock, 0);
    assert_int_equal(plaudit_reward_stock(ctx, "r2", &stock), PLAUDIT_OK);
    assert_int_equal(stock, PLAUDIT_UNSET);
    ACT(ctx, T_2026 + 4, "b", "w");
    ACT(ctx, T_2026 + 4, "b", "w");
    REJECTS(ctx, PLAUDIT_ESTOCK, plaudit_record_redeem(ctx, T_2026 + 5, "b", "r1", NULL, NULL));
    assert_int_equal(balance_of(ctx, "b"), 200);
    assert_int_equal(balance_of(ctx, "a"), 50);
    /* exactly the balance is enough */
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 6, "a", "r2", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(balance_of(ctx, "a"), 0);
    assert_int_equal(points_of(ctx, "a"), 200);
    plaudit_ctx_free(ctx);
}

static void test_adjust(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    REJECTS(ctx, PLAUDIT_ERANGE,
            plaudit_record_adjust(ctx, T_2026, "m", PLAUDIT_MAX_VALUE + 1, NULL, NULL, NULL));
    REJECTS(ctx, PLAUDIT_ERANGE,
            plaudit_record_adjust(ctx, T_2026, "m", -PLAUDIT_MAX_VALUE - 1, NULL, NULL, NULL));
    assert_int_equal(plaudit_member_count(ctx), 0);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", PLAUDIT_MAX_VALUE, "", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", -PLAUDIT_MAX_VALUE, "ok", NULL, NULL), PLAUDIT_OK);
    char reason[258];
    memset(reason, 'r', 257);
    reason[257] = '\0';
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_adjust(ctx, T_2026, "m", 1, reason, NULL, NULL));
    reason[256] = '\0';
    plaudit_outcome o;
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", 1, reason, NULL, &o), PLAUDIT_OK);
    assert_int_equal(strlen(o.moments[0].source_id), 256);
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_adjust(ctx, T_2026, "m", 1, "tab\there", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EUTF8, plaudit_record_adjust(ctx, T_2026, "m", 1, "\xe2\x82", NULL, NULL));
    /* an adjust of 0 is accepted and changes no points */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "m", 0, NULL, NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_moments, 0);
    assert_int_equal(points_of(ctx, "m"), 1);
    plaudit_ctx_free(ctx);
}

static void test_segments(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    ACT(ctx, T_2026, "m", "g");
    assert_string_equal(segment_of(ctx, "m"), "s2");
    /* tie 1 : 1: the segment declared first wins, though s2 came first */
    ACT(ctx, T_2026 + 1, "m", "f");
    assert_string_equal(segment_of(ctx, "m"), "s1");
    ACT(ctx, T_2026 + 2, "m", "g");
    assert_string_equal(segment_of(ctx, "m"), "s2");
    /* pin: actions no longer move it */
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 3, "m", "s1", NULL, NULL), PLAUDIT_OK);
    ACT(ctx, T_2026 + 4, "m", "g");
    assert_string_equal(segment_of(ctx, "m"), "s1");
    int64_t aff;
    assert_int_equal(plaudit_member_affinity(ctx, "m", "s2", &aff), PLAUDIT_OK);
    assert_int_equal(aff, 3);
    /* unpin: back to inference */
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 5, "m", NULL, NULL, NULL), PLAUDIT_OK);
    assert_string_equal(segment_of(ctx, "m"), "s2");
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "m", &mi), PLAUDIT_OK);
    assert_int_equal(mi.segment_pinned, 0);
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_segment(ctx, T_2026 + 6, "m", "s9", NULL, NULL));
    /* no affinity at all: null; a segment event may create the member */
    ACT(ctx, T_2026 + 7, "z", "w");
    assert_null(segment_of(ctx, "z"));
    assert_int_equal(plaudit_record_segment(ctx, T_2026 + 8, "y", "s2", NULL, NULL), PLAUDIT_OK);
    assert_string_equal(segment_of(ctx, "y"), "s2");
    plaudit_ctx_free(ctx);
}

static void test_time(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    ACT(ctx, T_2026 + 100, "a", "f");
    /* time per member: b is new, so an earlier ts is fine for it */
    ACT(ctx, T_2026 + 50, "b", "f");
    assert_int_equal(plaudit_record_adjust(ctx, T_2026 + 50, "b", 100, NULL, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_clock(ctx), T_2026 + 100); /* never moves back */
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, T_2026 + 99, "a", "f", NULL, NULL));
    ACT(ctx, T_2026 + 100, "a", "f"); /* equal ts is fine */
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_tick(ctx, T_2026 + 99, NULL, NULL));
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 100, NULL, NULL), PLAUDIT_OK);
    /* after the tick every member's last time is the tick's */
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, T_2026 + 60, "b", "f", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_adjust(ctx, T_2026 + 60, "b", 1, NULL, NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_segment(ctx, T_2026 + 60, "b", NULL, NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_preferences(ctx, T_2026 + 60, "b", 1, NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_award(ctx, T_2026 + 60, "b", "coty", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_redeem(ctx, T_2026 + 60, "b", "r2", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_kudos(ctx, T_2026 + 60, "b", "a", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_kudos(ctx, T_2026 + 60, "new", "b", NULL, NULL));
    /* a member created after the tick was not touched by it: it may go on
     * with events between its join and the tick */
    ACT(ctx, T_2026 + 1, "c", "f");
    ACT(ctx, T_2026 + 2, "c", "f");
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, T_2026 + 1, "c", "f", NULL, NULL));
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "c", &mi), PLAUDIT_OK);
    assert_int_equal(mi.last_ts, T_2026 + 2);
    /* the next tick touches it */
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 200, NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, T_2026 + 3, "c", "f", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ERANGE, plaudit_record_tick(ctx, PLAUDIT_MAX_TS + 1, NULL, NULL));
    REJECTS(ctx, PLAUDIT_ERANGE, plaudit_record_action(ctx, -1, "d", "f", NULL, NULL));
    assert_int_equal(plaudit_record_tick(ctx, PLAUDIT_MAX_TS, NULL, NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    /* a tick is accepted before any other event */
    ctx = full_ctx(NULL);
    assert_int_equal(plaudit_record_tick(ctx, 0, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_clock(ctx), 0);
    plaudit_ctx_free(ctx);
}

static void test_idempotency(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "w", "x1", &o), PLAUDIT_OK);
    uint64_t d = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "w", "x1", &o), PLAUDIT_DUPLICATE);
    assert_int_equal(o.status, PLAUDIT_DUPLICATE_EVENT);
    assert_int_equal(o.code, PLAUDIT_OK);
    assert_int_equal(o.n_moments, 0);
    assert_true(plaudit_state_digest(ctx) == d);
    assert_int_equal(points_of(ctx, "a"), 100);
    /* same id, other content: a conflict (ts, member, action, type) */
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026 + 2, "a", "w", "x1", &o));
    assert_int_equal(o.status, PLAUDIT_REJECTED);
    assert_int_equal(o.code, PLAUDIT_ECONFLICT);
    assert_true(o.message[0] != '\0');
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026, "b", "w", "x1", NULL));
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026, "a", "f", "x1", NULL));
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_adjust(ctx, T_2026, "a", 100, NULL, "x1", NULL));
    /* adjust: reason absent vs empty vs other are different content */
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "a", 1, NULL, "adj", NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_adjust(ctx, T_2026, "a", 1, "", "adj", NULL));
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_adjust(ctx, T_2026, "a", 2, NULL, "adj", NULL));
    assert_int_equal(plaudit_record_adjust(ctx, T_2026, "a", 1, NULL, "adj", NULL), PLAUDIT_DUPLICATE);
    /* a duplicate is recognised even when the event would now be rejected
     * (time went on for the member) */
    ACT(ctx, T_2026 + 10, "a", "f");
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "w", "x1", NULL), PLAUDIT_DUPLICATE);
    /* a rejected event does not use up its id */
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_action(ctx, T_2026 + 11, "a", "nope", "x2", NULL));
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 11, "a", "f", "x2", NULL), PLAUDIT_OK);
    /* ids are per context, any event type */
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 12, "t1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 12, "t1", NULL), PLAUDIT_DUPLICATE);
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_tick(ctx, T_2026 + 13, "t1", NULL));
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.duplicates, 4);
    assert_int_equal(st.accepted, 5);
    plaudit_ctx_free(ctx);
}

static void test_retention(void **state)
{
    (void)state;
    plaudit_options opts = PLAUDIT_OPTIONS_INIT;
    opts.idempotency_retention_s = 100;
    plaudit_ctx *ctx = full_ctx(&opts);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "f", "k1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 100, NULL, NULL), PLAUDIT_OK);
    /* accepted 100 s ago: still remembered */
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "f", "k1", NULL), PLAUDIT_DUPLICATE);
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026 + 200, "a", "g", "k1", NULL));
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 101, NULL, NULL), PLAUDIT_OK);
    /* 101 s: forgotten, so the id is free for another event */
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 200, "a", "g", "k1", NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    /* without retention nothing is forgotten */
    ctx = full_ctx(NULL);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "f", "k1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_tick(ctx, T_2026 + 100 * DAY, NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026 + 200 * DAY, "a", "g", "k1", NULL));
    plaudit_ctx_free(ctx);
    opts.idempotency_retention_s = -1;
    plaudit_ctx *c2 = NULL;
    assert_int_equal(plaudit_ctx_new(&c2, &opts), PLAUDIT_ERANGE);
    assert_null(c2);
}

static void test_max_members(void **state)
{
    (void)state;
    plaudit_options opts = PLAUDIT_OPTIONS_INIT;
    opts.max_members = 2;
    plaudit_ctx *ctx = full_ctx(&opts);
    ACT(ctx, T_2026, "a", "f");
    REJECTS(ctx, PLAUDIT_ELIMIT, plaudit_record_kudos(ctx, T_2026, "b", "c", NULL, NULL));
    ACT(ctx, T_2026, "b", "f");
    REJECTS(ctx, PLAUDIT_ELIMIT, plaudit_record_join(ctx, T_2026, "c", NULL, NULL));
    ACT(ctx, T_2026 + 1, "a", "f"); /* existing members go on */
    assert_int_equal(plaudit_member_count(ctx), 2);
    plaudit_ctx_free(ctx);
}

/* One table with every rejection code an event can give. */
static void test_rejection_codes(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    ACT(ctx, T_2026, "a", "w");
    assert_int_equal(plaudit_record_action(ctx, T_2026, "a", "w", "id1", NULL), PLAUDIT_OK);
    char long_member[130];
    memset(long_member, 'm', 129);
    long_member[129] = '\0';
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record_action(ctx, T_2026, NULL, "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record_action(ctx, T_2026, "a", NULL, NULL, NULL));
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, NULL, NULL));
    plaudit_event bad = {.type = (plaudit_event_type)99, .ts = T_2026, .member = "a"};
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record(ctx, &bad, NULL));
    REJECTS(ctx, PLAUDIT_ERANGE, plaudit_record_action(ctx, -5, "a", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EUTF8, plaudit_record_action(ctx, T_2026, "\xc3(", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, "", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, long_member, "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, "a\x7f", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, "a", "W", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESTRING, plaudit_record_action(ctx, T_2026, "a", "w", "", NULL));
    REJECTS(ctx, PLAUDIT_ENOTFOUND, plaudit_record_action(ctx, T_2026, "a", "nope", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EEXIST, plaudit_record_join(ctx, T_2026, "a", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, T_2026 - 1, "a", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, T_2026, "a", "f", "id1", NULL));
    for (int i = 0; i < 3; i++)
        assert_int_equal(plaudit_record_kudos(ctx, T_2026, "a", i ? "c" : "b", NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ELIMIT, plaudit_record_kudos(ctx, T_2026, "a", "b", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EFUNDS, plaudit_record_redeem(ctx, T_2026, "b", "r2", NULL, NULL));
    assert_int_equal(plaudit_record_redeem(ctx, T_2026, "a", "r1", NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ESTOCK, plaudit_record_redeem(ctx, T_2026, "a", "r1", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESELF, plaudit_record_kudos(ctx, T_2026, "b", "b", NULL, NULL));
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.rejected, 19);
    plaudit_ctx_free(ctx);
}

static void test_batch(void **state)
{
    (void)state;
    plaudit_ctx *ctx = full_ctx(NULL);
    plaudit_event ev[4] = {
        {.type = PLAUDIT_EVENT_ACTION, .ts = T_2026, .member = "a", .target = "w"},
        {.type = PLAUDIT_EVENT_ACTION, .ts = T_2026, .member = "a", .target = "nope"},
        {.type = PLAUDIT_EVENT_KUDOS, .ts = T_2026 + 1, .member = "a", .target = "b"},
        {.type = PLAUDIT_EVENT_ACTION, .ts = T_2026, .member = "a", .target = "w", .id = "x"},
    };
    int codes[4];
    size_t done = 99;
    assert_int_equal(plaudit_record_batch(ctx, ev, 4, codes, &done), PLAUDIT_OK);
    assert_int_equal(done, 4);
    assert_int_equal(codes[0], PLAUDIT_OK);
    assert_int_equal(codes[1], PLAUDIT_ENOTFOUND);
    assert_int_equal(codes[2], PLAUDIT_OK);
    assert_int_equal(codes[3], PLAUDIT_ETIME); /* a's last time is T+1 */
    assert_int_equal(points_of(ctx, "a"), 100);
    assert_int_equal(points_of(ctx, "b"), 5);
    /* the same events one by one give the same digest */
    plaudit_ctx *c2 = full_ctx(NULL);
    for (int i = 0; i < 4; i++) plaudit_record(c2, &ev[i], NULL);
    assert_true(plaudit_state_digest(c2) == plaudit_state_digest(ctx));
    plaudit_ctx_free(c2);
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record_batch(ctx, NULL, 2, NULL, NULL));
    assert_int_equal(plaudit_record_batch(ctx, NULL, 0, NULL, &done), PLAUDIT_OK);
    assert_int_equal(done, 0);
    plaudit_ctx_free(ctx);
}

/* Spec example 05 in C (the blank line is skipped; the malformed line is
 * stood for by an event the C API rejects as malformed: a NULL member). */
static void test_example_05(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "w", 100);
    assert_int_equal(kudos_full(ctx, 5, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, 1, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r1", 150, 1), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r2", 50, PLAUDIT_UNSET), PLAUDIT_OK);
    const int64_t t = 1767225600;
    ACT(ctx, t, "alice", "w");
    assert_int_equal(plaudit_record_kudos(ctx, t + 1, "alice", "bob", NULL, NULL), PLAUDIT_OK);
    REJECTS(ctx, PLAUDIT_ELIMIT, plaudit_record_kudos(ctx, t + 2, "alice", "carol", NULL, NULL));
    REJECTS(ctx, PLAUDIT_ESELF, plaudit_record_kudos(ctx, t + 3, "bob", "bob", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EFUNDS, plaudit_record_redeem(ctx, t + 4, "alice", "r1", NULL, NULL));
    ACT(ctx, t + 5, "alice", "w");
    assert_int_equal(plaudit_record_redeem(ctx, t + 6, "alice", "r1", NULL, NULL), PLAUDIT_OK);
    ACT(ctx, t + 7, "bob", "w");
    ACT(ctx, t + 7, "bob", "w");
    REJECTS(ctx, PLAUDIT_ESTOCK, plaudit_record_redeem(ctx, t + 8, "bob", "r1", NULL, NULL));
    assert_int_equal(plaudit_record_redeem(ctx, t + 9, "bob", "r2", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, t + 10, "alice", "w", "x1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, t + 10, "alice", "w", "x1", NULL), PLAUDIT_DUPLICATE);
    REJECTS(ctx, PLAUDIT_ECONFLICT, plaudit_record_action(ctx, t + 12, "alice", "w", "x1", NULL));
    REJECTS(ctx, PLAUDIT_ETIME, plaudit_record_action(ctx, t + 5, "alice", "w", NULL, NULL));
    REJECTS(ctx, PLAUDIT_EINVAL, plaudit_record_action(ctx, 1, NULL, "w", NULL, NULL));
    assert_int_equal(points_of(ctx, "alice"), 300);
    assert_int_equal(balance_of(ctx, "alice"), 150);
    assert_int_equal(points_of(ctx, "bob"), 205);
    assert_int_equal(balance_of(ctx, "bob"), 155);
    assert_int_equal(plaudit_member_count(ctx), 2);
    int64_t stock;
    assert_int_equal(plaudit_reward_stock(ctx, "r1", &stock), PLAUDIT_OK);
    assert_int_equal(stock, 0);
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.accepted, 8);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.rejected, 7);
    assert_int_equal(plaudit_clock(ctx), t + 10);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_type),  cmocka_unit_test(test_join),
        cmocka_unit_test(test_kudos),      cmocka_unit_test(test_redeem),
        cmocka_unit_test(test_adjust),     cmocka_unit_test(test_segments),
        cmocka_unit_test(test_time),       cmocka_unit_test(test_idempotency),
        cmocka_unit_test(test_retention),  cmocka_unit_test(test_max_members),
        cmocka_unit_test(test_rejection_codes), cmocka_unit_test(test_batch),
        cmocka_unit_test(test_example_05),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
