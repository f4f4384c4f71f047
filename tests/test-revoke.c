/* test-revoke.c - ref and revoke (spec section 5) through the public API:
 * by id and by ref (several events and members, acceptance order), the
 * points floor, boards whose period closed or is still current,
 * qualification windows, caps, within-period and all-time counts, kudos
 * and the give cap, manual awards down to zero, refunds with their stock,
 * what a revoke rejects (unknown, not revocable, twice, time going back),
 * idempotent revokes, tiers and the lifetime floor, the bad-input table of
 * the new fields, listeners, analytics and retention. */
#include "common.h"

#define T (T_MON_JAN5 + 12 * HOUR) /* Monday 5 January 2026, noon UTC */
#define WEEK (7 * DAY)

static plaudit_ctx *ctx2(void)
{
    plaudit_ctx *c = ctx_new();
    assert_int_equal(plaudit_program_set_format(c, 2), PLAUDIT_OK);
    return c;
}

static int act_ref(plaudit_ctx *c, int64_t ts, const char *m, const char *a, const char *id, const char *ref)
{
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.type = PLAUDIT_EVENT_ACTION;
    ev.ts = ts;
    ev.member = m;
    ev.target = a;
    ev.id = id;
    ev.ref = ref;
    return plaudit_record(c, &ev, NULL);
}

static int ev_ref(plaudit_ctx *c, plaudit_event_type t, int64_t ts, const char *m, const char *target, int64_t pts,
                  const char *id, const char *ref)
{
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.type = t;
    ev.ts = ts;
    ev.member = m;
    ev.target = target;
    ev.points = pts;
    ev.id = id;
    ev.ref = ref;
    return plaudit_record(c, &ev, NULL);
}

#define OK(call) assert_int_equal((call), PLAUDIT_OK)

static uint64_t count_of(plaudit_ctx *c, const char *m, const char *a)
{
    uint64_t n = 99;
    OK(plaudit_member_action_count(c, m, a, &n));
    return n;
}

static int64_t score_on(plaudit_ctx *c, const char *board, const char *m)
{
    int64_t s = -1;
    uint64_t r = 0;
    OK(plaudit_leaderboard_rank(c, board, m, &r, &s));
    return s;
}

/* ---- by id, the cap given back, revoked twice ------------------------------ */

static void by_id_gives_cap_back(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    OK(action_full(c, "answer", 10, 0, 0, 25, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY));
    board(c, "all", PLAUDIT_PERIOD_ALL);
    board(c, "weekly", PLAUDIT_PERIOD_WEEK);
    OK(act_ref(c, T, "alice", "answer", "a1", NULL));
    OK(act_ref(c, T + 10, "alice", "answer", "a2", "thread:1"));
    OK(act_ref(c, T + 20, "alice", "answer", "a3", NULL));
    OK(act_ref(c, T + 30, "alice", "answer", NULL, NULL));
    assert_int_equal(points_of(c, "alice"), 25);

    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 40, "a2", NULL, "duplicate answer", NULL, &o));
    assert_int_equal(o.status, PLAUDIT_ACCEPTED);
    assert_int_equal(o.points, -10);
    assert_int_equal(o.n_moments, 2);
    const plaudit_moment *m = &o.moments[0];
    assert_int_equal(m->kind, PLAUDIT_MOMENT_REVOKE);
    assert_string_equal(m->member, "alice");
    assert_string_equal(m->revoked_event, "a2");
    assert_string_equal(m->revoked_ref, "thread:1");
    assert_int_equal(m->revoked_type, PLAUDIT_EVENT_ACTION);
    assert_int_equal(m->revoked_ts, T + 10);
    assert_int_equal(m->points, -10);
    assert_int_equal(m->balance, -10);
    assert_int_equal(m->ts, T + 40);
    m = &o.moments[1];
    assert_int_equal(m->kind, PLAUDIT_MOMENT_POINTS);
    assert_int_equal(m->source, PLAUDIT_SOURCE_REVOKE);
    assert_string_equal(m->source_id, "a2");
    assert_int_equal(m->points, -10);

    assert_int_equal(points_of(c, "alice"), 15);
    assert_int_equal(balance_of(c, "alice"), 15);
    assert_int_equal(count_of(c, "alice", "answer"), 3);
    assert_int_equal(score_on(c, "weekly", "alice"), 15);
    assert_int_equal(score_on(c, "all", "alice"), 15);
    /* the cap's day is still current: 10 points and a place back */
    OK(act_ref(c, T + 50, "alice", "answer", NULL, NULL));
    assert_int_equal(points_of(c, "alice"), 25);
    /* already revoked: matches nothing */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 60, "a2", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 60, "nope", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 60, NULL, "no-such-ref", NULL, NULL, NULL));
    /* the only event with this ref is revoked */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 60, NULL, "thread:1", NULL, NULL, NULL));
    plaudit_ctx_free(c);
}

/* The cap of a day that is over is not touched; a count cap in its week
 * gives its place back. */
static void cap_not_after_its_period(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    OK(action_full(c, "answer", 10, 0, 0, 25, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY));
    OK(action_full(c, "review", 20, 0, 0, PLAUDIT_UNSET, 2, PLAUDIT_PERIOD_WEEK));
    OK(act_ref(c, T, "alice", "answer", "a1", NULL));
    OK(act_ref(c, T + 10, "alice", "answer", "a2", NULL));
    OK(act_ref(c, T + 20, "alice", "answer", "a3", NULL));
    assert_int_equal(points_of(c, "alice"), 25);
    OK(plaudit_record_revoke(c, T + DAY, "a2", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "alice"), 15);
    /* Tuesday's cap is a fresh 25: the revoke gave nothing to it */
    for (int i = 0; i < 4; i++) OK(act_ref(c, T + DAY + 10 + i, "alice", "answer", NULL, NULL));
    assert_int_equal(points_of(c, "alice"), 40);

    OK(act_ref(c, T + DAY + 100, "bob", "review", "q1", NULL));
    OK(act_ref(c, T + DAY + 110, "bob", "review", "q2", NULL));
    OK(act_ref(c, T + DAY + 120, "bob", "review", "q3", NULL));
    assert_int_equal(points_of(c, "bob"), 40);
    OK(plaudit_record_revoke(c, T + DAY + 130, "q1", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 20);
    OK(act_ref(c, T + DAY + 140, "bob", "review", NULL, NULL)); /* the place given back */
    assert_int_equal(points_of(c, "bob"), 40);
    OK(act_ref(c, T + DAY + 150, "bob", "review", NULL, NULL)); /* cap full again */
    assert_int_equal(points_of(c, "bob"), 40);
    /* a revoke of q2 a week later gives nothing back to the new week */
    OK(plaudit_record_revoke(c, T + WEEK + DAY, "q2", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 20);
    OK(act_ref(c, T + WEEK + DAY + 1, "bob", "review", NULL, NULL));
    OK(act_ref(c, T + WEEK + DAY + 2, "bob", "review", NULL, NULL));
    OK(act_ref(c, T + WEEK + DAY + 3, "bob", "review", NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 60);
    plaudit_ctx_free(c);
}

/* ---- by ref: several events and members, acceptance order ------------------ */

typedef struct seen {
    char log[32][64];
    int n;
} seen;

static void on_any(const plaudit_moment *m, void *p)
{
    seen *s = p;
    if (s->n >= 32) return;
    const char *k = m->kind == PLAUDIT_MOMENT_REVOKE ? "revoke" : m->kind == PLAUDIT_MOMENT_POINTS ? "points"
                    : m->kind == PLAUDIT_MOMENT_TIER ? "tier" : "other";
    snprintf(s->log[s->n++], sizeof s->log[0], "%s:%s:%lld", k, m->member, (long long)m->points);
}

static void by_ref_in_acceptance_order(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    tier(c, "active", 1);
    OK(kudos_full(c, 5, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE));
    board(c, "all", PLAUDIT_PERIOD_ALL);
    OK(act_ref(c, T, "bob", "post", "p1", "thread:9"));
    OK(act_ref(c, T + 1, "alice", "post", NULL, "thread:9"));
    OK(ev_ref(c, PLAUDIT_EVENT_KUDOS, T + 2, "carol", "bob", 0, NULL, "thread:9"));
    OK(ev_ref(c, PLAUDIT_EVENT_ADJUST, T + 3, "dave", NULL, 7, "adj", "thread:9"));
    OK(act_ref(c, T + 4, "erin", "post", "e1", "thread:10"));
    assert_int_equal(points_of(c, "bob"), 55);
    assert_string_equal(tier_of(c, "dave"), "active");

    seen s = {0};
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_points = L.on_tier = L.on_revoke = on_any;
    L.payload = &s;
    OK(plaudit_listener_set(c, &L));
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 10, NULL, "thread:9", "thread deleted", "rv-1", &o));
    assert_int_equal(o.points, -50 - 50 - 5 - 7);
    /* revoked events in acceptance order, then the evaluations in the
     * order the events first named the members (kudos: giver first) */
    const char *want[] = {"revoke:bob:-50",   "points:bob:-50", "revoke:alice:-50", "points:alice:-50",
                          "revoke:carol:-5",  "points:bob:-5",  "revoke:dave:-7",   "points:dave:-7",
                          "tier:bob:0",       "tier:alice:0",   "tier:dave:0"};
    assert_int_equal(s.n, (int)(sizeof want / sizeof *want));
    for (int i = 0; i < s.n; i++) assert_string_equal(s.log[i], want[i]);
    assert_int_equal(o.moments[4].kind, PLAUDIT_MOMENT_REVOKE);
    assert_string_equal(o.moments[4].to, "bob");
    assert_int_equal(o.moments[4].revoked_type, PLAUDIT_EVENT_KUDOS);
    assert_null(o.moments[2].revoked_event); /* alice's post had no id */
    assert_string_equal(o.moments[2].revoked_ref, "thread:9");

    assert_int_equal(points_of(c, "bob"), 0);
    assert_int_equal(points_of(c, "alice"), 0);
    assert_int_equal(points_of(c, "dave"), 0);
    assert_int_equal(points_of(c, "erin"), 50);
    assert_null(tier_of(c, "bob"));
    plaudit_member_info mi;
    OK(plaudit_member_get(c, "bob", &mi));
    assert_int_equal(mi.kudos_received, 0);
    assert_int_equal(mi.last_ts, T + 10); /* touched */
    OK(plaudit_member_get(c, "carol", &mi));
    assert_int_equal(mi.kudos_given, 0);
    assert_int_equal(mi.last_ts, T + 10);
    OK(plaudit_member_get(c, "erin", &mi));
    assert_int_equal(mi.last_ts, T + 4); /* not named */
    uint64_t n = 9;
    OK(plaudit_leaderboard_count(c, "all", &n));
    assert_int_equal(n, 1);
    /* the revoke's own id: the same revoke again is a duplicate, another
     * with that id a conflict */
    assert_int_equal(plaudit_record_revoke(c, T + 10, NULL, "thread:9", "thread deleted", "rv-1", NULL),
                     PLAUDIT_DUPLICATE);
    REJECTS(c, PLAUDIT_ECONFLICT, plaudit_record_revoke(c, T + 20, NULL, "thread:9", "other", "rv-1", NULL));
    /* everything with that ref is revoked now; a revoke is not revocable */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 20, NULL, "thread:9", NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 20, "rv-1", NULL, NULL, NULL, NULL));
    plaudit_ctx_free(c);
}

/* ---- the floor, boards closed and current ------------------------------------ */

static void points_floor(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    OK(badge_one(c, "first-post", PLAUDIT_CRITERION_ACTION_COUNT, "post", 1, 5));
    board(c, "weekly", PLAUDIT_PERIOD_WEEK);
    OK(act_ref(c, T, "dave", "post", "d1", NULL));
    OK(plaudit_record_adjust(c, T + 1, "dave", -45, "spam", NULL, NULL));
    assert_int_equal(points_of(c, "dave"), 10);
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 2, "d1", NULL, NULL, NULL, &o));
    assert_int_equal(o.points, -10); /* d, not -p */
    assert_int_equal(o.moments[0].points, -10);
    assert_int_equal(points_of(c, "dave"), 0);
    assert_int_equal(balance_of(c, "dave"), 0);
    assert_int_equal(badge_n(c, "dave", "first-post"), 1); /* badges stay */
    assert_int_equal(score_on(c, "weekly", "dave"), 0);
    assert_int_equal(rank_of(c, "weekly", "dave", NULL), 0);
    /* a negative adjustment revoked gives back what it took */
    OK(act_ref(c, T + 3, "erin", "post", NULL, NULL));
    OK(ev_ref(c, PLAUDIT_EVENT_ADJUST, T + 4, "erin", NULL, -100, "a-1", NULL)); /* takes 55 */
    assert_int_equal(points_of(c, "erin"), 0);
    OK(plaudit_record_revoke(c, T + 5, "a-1", NULL, NULL, NULL, &o));
    assert_int_equal(o.points, 55);
    assert_int_equal(points_of(c, "erin"), 55);
    plaudit_ctx_free(c);
}

static void boards_closed_and_current(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    board(c, "all", PLAUDIT_PERIOD_ALL);
    board(c, "weekly", PLAUDIT_PERIOD_WEEK);
    board(c, "monthly", PLAUDIT_PERIOD_MONTH);
    OK(act_ref(c, T, "bob", "post", "w1", NULL));
    OK(act_ref(c, T + WEEK, "bob", "post", "w2", NULL));
    OK(act_ref(c, T + WEEK + 1, "carol", "post", NULL, NULL));
    assert_int_equal(score_on(c, "weekly", "bob"), 50);
    assert_int_equal(score_on(c, "monthly", "bob"), 100);
    /* w1's week closed: that board is untouched; its month is current */
    OK(plaudit_record_revoke(c, T + WEEK + 10, "w1", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 50);
    assert_int_equal(score_on(c, "all", "bob"), 50);
    assert_int_equal(score_on(c, "weekly", "bob"), 50);
    assert_int_equal(score_on(c, "monthly", "bob"), 50);
    /* the score changed at the revoke: carol, tied, changed earlier */
    assert_int_equal(rank_of(c, "all", "carol", NULL), 1);
    assert_int_equal(rank_of(c, "all", "bob", NULL), 2);
    /* w2 is in the current week */
    OK(plaudit_record_revoke(c, T + WEEK + 20, "w2", NULL, NULL, NULL, NULL));
    assert_int_equal(score_on(c, "weekly", "bob"), 0);
    assert_int_equal(score_on(c, "monthly", "bob"), 0);
    assert_int_equal(rank_of(c, "weekly", "bob", NULL), 0);
    plaudit_ctx_free(c);
}

/* ---- qualification windows ------------------------------------------------------ */

static void qualification_windows(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "sale", 60);
    action(c, "small", 50);
    tier(c, "member", 0);
    OK(tier_full(c, "vip", 100, 0, 0, 0, PLAUDIT_PERIOD_MONTH));
    /* in period: the revoke takes the 60 out of January's window */
    OK(act_ref(c, T, "ann", "sale", "e1", NULL));
    OK(plaudit_record_revoke(c, T + DAY, "e1", NULL, NULL, NULL, NULL));
    OK(act_ref(c, T + 2 * DAY, "ann", "sale", NULL, NULL));
    assert_string_equal(tier_of(c, "ann"), "member"); /* 60 in January, not 120 */
    /* out of period: a January sale revoked in February leaves February's
     * window alone */
    int64_t jan30 = T_2026 + 29 * DAY + 12 * HOUR, feb2 = T_2026 + 32 * DAY + 12 * HOUR;
    OK(act_ref(c, jan30, "ben", "sale", "b1", NULL));
    OK(plaudit_record_revoke(c, feb2, "b1", NULL, NULL, NULL, NULL));
    OK(act_ref(c, feb2 + 1, "ben", "small", NULL, NULL));
    OK(act_ref(c, feb2 + 2, "ben", "small", NULL, NULL));
    assert_int_equal(points_of(c, "ben"), 100);
    assert_string_equal(tier_of(c, "ben"), "vip"); /* February's window is 100 */
    /* a qualification recorded stays when the window drops */
    OK(act_ref(c, feb2 + 3, "cat", "sale", "c1", NULL));
    OK(act_ref(c, feb2 + 4, "cat", "sale", "c2", NULL));
    assert_string_equal(tier_of(c, "cat"), "vip");
    OK(plaudit_record_revoke(c, feb2 + 5, "c1", NULL, NULL, NULL, NULL));
    assert_string_equal(tier_of(c, "cat"), "vip");
    plaudit_progress p;
    OK(plaudit_member_progress(c, "cat", &p));
    assert_string_equal(p.keep_tier, "vip");
    assert_int_equal(p.keep_points, 0); /* requalified this month */
    plaudit_ctx_free(c);
}

/* ---- counts: all time, within a period ------------------------------------------- */

static void counts_drop(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "answer", 1);
    action(c, "other", 1);
    int64_t lv[2] = {2, 3};
    OK(badge_thr(c, "helper", PLAUDIT_CRITERION_ACTION_COUNT, "answer", lv, 2, 0));
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t three = 3;
    d.id = "busy-week";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "answer";
    d.within = PLAUDIT_PERIOD_WEEK;
    d.thresholds = &three;
    d.n_thresholds = 1;
    OK(plaudit_badge_declare(c, &d));
    OK(segment2(c, "talker", "answer", 1, NULL, 0));
    OK(segment2(c, "doer", "other", 1, NULL, 0));
    /* all time: levels stay, the count must climb past the next threshold */
    OK(act_ref(c, T, "ann", "answer", "x1", NULL));
    OK(act_ref(c, T + 1, "ann", "answer", "x2", NULL));
    assert_int_equal(badge_n(c, "ann", "helper"), 1);
    OK(plaudit_record_revoke(c, T + 2, "x1", NULL, NULL, NULL, NULL));
    assert_int_equal(count_of(c, "ann", "answer"), 1);
    assert_int_equal(badge_n(c, "ann", "helper"), 1);
    OK(act_ref(c, T + 3, "ann", "answer", NULL, NULL)); /* count 2: nothing new */
    assert_int_equal(badge_n(c, "ann", "helper"), 1);
    assert_int_equal(badge_n(c, "ann", "busy-week"), 0); /* the week counts 2, not 3 */
    OK(act_ref(c, T + 4, "ann", "answer", NULL, NULL));
    assert_int_equal(badge_n(c, "ann", "helper"), 2);
    assert_int_equal(badge_n(c, "ann", "busy-week"), 1);
    /* distinct actions and segments follow the counts */
    OK(act_ref(c, T + 5, "bo", "other", "o1", NULL));
    OK(act_ref(c, T + 6, "bo", "other", "o2", NULL));
    OK(act_ref(c, T + 7, "bo", "answer", NULL, NULL));
    plaudit_member_info mi;
    OK(plaudit_member_get(c, "bo", &mi));
    assert_int_equal(mi.distinct_actions, 2);
    assert_string_equal(mi.segment, "doer");
    OK(plaudit_record_revoke(c, T + 8, "o1", NULL, NULL, NULL, NULL));
    OK(plaudit_member_get(c, "bo", &mi));
    assert_string_equal(mi.segment, "talker"); /* 1 and 1: the one declared first */
    assert_int_equal(mi.distinct_actions, 2);
    OK(plaudit_record_revoke(c, T + 9, "o2", NULL, NULL, NULL, NULL));
    OK(plaudit_member_get(c, "bo", &mi));
    assert_int_equal(mi.distinct_actions, 1);
    /* a week later, the old week's count is not the current one */
    OK(act_ref(c, T + WEEK, "cy", "answer", "y1", NULL));
    OK(act_ref(c, T + WEEK + 1, "cy", "answer", NULL, NULL));
    OK(act_ref(c, T + 2 * WEEK, "cy", "answer", NULL, NULL));
    OK(plaudit_record_revoke(c, T + 2 * WEEK + 1, "y1", NULL, NULL, NULL, NULL));
    OK(act_ref(c, T + 2 * WEEK + 2, "cy", "answer", NULL, NULL));
    assert_int_equal(badge_n(c, "cy", "busy-week"), 0);
    OK(act_ref(c, T + 2 * WEEK + 3, "cy", "answer", NULL, NULL));
    assert_int_equal(badge_n(c, "cy", "busy-week"), 1);
    plaudit_ctx_free(c);
}

/* ---- kudos -------------------------------------------------------------------------- */

static void kudos_and_give_cap(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    OK(kudos_full(c, 5, PLAUDIT_UNSET, 1, PLAUDIT_PERIOD_DAY, 1, PLAUDIT_PERIOD_WEEK));
    OK(ev_ref(c, PLAUDIT_EVENT_KUDOS, T, "alice", "bob", 0, "k1", NULL));
    REJECTS(c, PLAUDIT_ELIMIT, plaudit_record_kudos(c, T + 1, "alice", "carol", NULL, NULL));
    OK(plaudit_record_kudos(c, T + 2, "carol", "bob", "k2", NULL)); /* bob's count cap: 0 points */
    assert_int_equal(points_of(c, "bob"), 5);
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 3, "k1", NULL, NULL, NULL, &o));
    assert_int_equal(o.points, -5);
    assert_string_equal(o.moments[0].member, "alice");
    assert_string_equal(o.moments[0].to, "bob");
    assert_int_equal(points_of(c, "bob"), 0);
    plaudit_member_info mi;
    OK(plaudit_member_get(c, "alice", &mi));
    assert_int_equal(mi.kudos_given, 0);
    OK(plaudit_member_get(c, "bob", &mi));
    assert_int_equal(mi.kudos_received, 1);
    /* the give cap and bob's kudos cap got their place back */
    OK(plaudit_record_kudos(c, T + 4, "alice", "carol", NULL, NULL));
    OK(plaudit_record_kudos(c, T + 5, "dave", "bob", NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 5);
    /* a kudos that earned nothing gives no cap room back */
    OK(plaudit_record_revoke(c, T + 6, "k2", NULL, NULL, NULL, &o));
    assert_int_equal(o.points, 0);
    assert_int_equal(points_of(c, "bob"), 5);
    OK(plaudit_record_kudos(c, T + 7, "erin", "bob", NULL, NULL)); /* bob's day: still full */
    assert_int_equal(points_of(c, "bob"), 5);
    /* the give cap counts kudos, not points: carol may give again */
    OK(plaudit_record_kudos(c, T + 8, "carol", "dave", NULL, NULL));
    plaudit_ctx_free(c);
}

/* ---- manual awards, refunds ---------------------------------------------------------- */

static void manual_award_to_zero(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    OK(badge_manual(c, "mvp", 20));
    OK(ev_ref(c, PLAUDIT_EVENT_AWARD, T, "erin", "mvp", 0, "w1", NULL));
    OK(ev_ref(c, PLAUDIT_EVENT_AWARD, T + 10, "erin", "mvp", 0, "w2", "mvp-2026"));
    OK(ev_ref(c, PLAUDIT_EVENT_AWARD, T + 20, "erin", "mvp", 0, "w3", NULL));
    assert_int_equal(points_of(c, "erin"), 60);
    assert_int_equal(badge_n(c, "erin", "mvp"), 3);
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 30, "w1", NULL, NULL, NULL, &o));
    assert_string_equal(o.moments[0].badge, "mvp");
    assert_int_equal(o.moments[0].times, 2);
    assert_int_equal(o.moments[0].points, -20);
    const plaudit_badge_earned *e;
    size_t n;
    OK(plaudit_member_badges(c, "erin", &e, &n));
    assert_int_equal(n, 1);
    assert_int_equal(e[0].times, 2);
    assert_int_equal(e[0].first_ts, T + 10); /* the first award is the one gone */
    assert_int_equal(e[0].last_ts, T + 20);
    OK(plaudit_record_revoke(c, T + 40, "w3", NULL, NULL, NULL, NULL));
    OK(plaudit_member_badges(c, "erin", &e, &n));
    assert_int_equal(n, 1);
    assert_int_equal(e[0].times, 1);
    assert_int_equal(e[0].first_ts, T + 10);
    assert_int_equal(e[0].last_ts, T + 10);
    OK(plaudit_record_revoke(c, T + 50, NULL, "mvp-2026", NULL, NULL, &o));
    assert_int_equal(o.moments[0].times, 0);
    assert_int_equal(points_of(c, "erin"), 0);
    OK(plaudit_member_badges(c, "erin", &e, &n));
    assert_int_equal(n, 0);
    char *doc = NULL;
    OK(plaudit_state_export(c, &doc, NULL));
    assert_non_null(strstr(doc, "\"badges\": {}"));
    assert_null(strstr(doc, "mvp"));
    plaudit_free(c, doc);
    /* awarded again: times start over */
    OK(plaudit_record_award(c, T + 60, "erin", "mvp", NULL, NULL));
    assert_int_equal(badge_n(c, "erin", "mvp"), 1);
    assert_int_equal(points_of(c, "erin"), 20);
    plaudit_ctx_free(c);
}

static void redemption_refunded(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    OK(reward(c, "mug", 40, 1));
    OK(reward(c, "donation", 10, PLAUDIT_UNSET));
    ACT(c, T, "frank", "post");
    OK(ev_ref(c, PLAUDIT_EVENT_REDEEM, T + 1, "frank", "mug", 0, "r1", "order:7"));
    OK(ev_ref(c, PLAUDIT_EVENT_REDEEM, T + 2, "frank", "donation", 0, "r2", "order:7"));
    assert_int_equal(balance_of(c, "frank"), 0);
    REJECTS(c, PLAUDIT_ESTOCK, plaudit_record_redeem(c, T + 3, "frank", "mug", NULL, NULL));
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 4, NULL, "order:7", "order cancelled", NULL, &o));
    assert_int_equal(o.points, 0);
    assert_int_equal(o.n_moments, 2);
    assert_string_equal(o.moments[0].reward, "mug");
    assert_int_equal(o.moments[0].cost, 40);
    assert_int_equal(o.moments[0].balance, 40);
    assert_string_equal(o.moments[1].reward, "donation");
    assert_int_equal(balance_of(c, "frank"), 50);
    assert_int_equal(points_of(c, "frank"), 50);
    int64_t stock = 0;
    OK(plaudit_reward_stock(c, "mug", &stock));
    assert_int_equal(stock, 1);
    OK(plaudit_reward_stock(c, "donation", &stock));
    assert_int_equal(stock, PLAUDIT_UNSET);
    OK(plaudit_record_redeem(c, T + 5, "frank", "mug", NULL, NULL));
    plaudit_ctx_free(c);
}

/* ---- what a revoke rejects ------------------------------------------------------------- */

static void rejected_revokes(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    OK(plaudit_record_join(c, T, "zed", "j1", NULL));
    OK(plaudit_record_tick(c, T + 1, "t1", NULL));
    OK(plaudit_record_segment(c, T + 2, "zed", NULL, "s1", NULL));
    OK(act_ref(c, T + 3, "alice", "post", "a1", NULL));
    OK(act_ref(c, T + 4, "bob", "post", "b1", NULL));
    OK(act_ref(c, T + 100, "alice", "post", NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 200, "j1", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 200, "t1", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 200, "s1", NULL, NULL, NULL, NULL));
    /* time going backwards for the member the matched event names */
    REJECTS(c, PLAUDIT_ETIME, plaudit_record_revoke(c, T + 50, "a1", NULL, NULL, NULL, NULL));
    assert_non_null(strstr(plaudit_errmsg(c), "\"alice\""));
    OK(plaudit_record_revoke(c, T + 50, "b1", NULL, NULL, NULL, NULL)); /* bob's last time is T + 4 */
    /* a rejected revoke does not use up its id */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 200, "nope", NULL, NULL, "rv", NULL));
    OK(plaudit_record_revoke(c, T + 200, "a1", NULL, NULL, "rv", NULL));
    assert_int_equal(points_of(c, "alice"), 50);
    plaudit_stats st;
    OK(plaudit_stats_get(c, &st));
    assert_int_equal(st.accepted, 8);
    plaudit_ctx_free(c);
}

/* ---- tiers drop, never below the lifetime floor ------------------------------------------ */

static void tiers_and_lifetime_floor(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "big", 150);
    action(c, "mid", 100);
    tier(c, "bronze", 0);
    OK(tier_full(c, "silver", 100, 0, 0, 1, PLAUDIT_PERIOD_NONE));
    tier(c, "gold", 200);
    OK(act_ref(c, T, "max", "big", "e1", "deal"));
    OK(act_ref(c, T + 1, "max", "mid", "e2", "deal"));
    assert_string_equal(tier_of(c, "max"), "gold");
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 2, NULL, "deal", NULL, NULL, &o));
    assert_int_equal(points_of(c, "max"), 0);
    assert_string_equal(tier_of(c, "max"), "silver"); /* the lifetime floor */
    assert_int_equal(o.n_tier_changes, 1);
    const plaudit_moment *m = &o.moments[o.n_moments - 1];
    assert_int_equal(m->kind, PLAUDIT_MOMENT_TIER);
    assert_string_equal(m->tier_from, "gold");
    assert_string_equal(m->tier_to, "silver");
    assert_int_equal(m->promoted, 0);
    plaudit_ctx_free(c);
}

/* ---- the bad-input table of the new fields ---------------------------------------------- */

static void bad_input(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    OK(act_ref(c, T, "alice", "post", "a1", "r"));
    char big[200];
    memset(big, 'x', sizeof big);
    big[129] = '\0';
    char reason[300];
    memset(reason, 'y', sizeof reason);
    reason[257] = '\0';
    REJECTS(c, PLAUDIT_ESTRING, act_ref(c, T + 1, "alice", "post", NULL, ""));
    REJECTS(c, PLAUDIT_ESTRING, act_ref(c, T + 1, "alice", "post", NULL, big));
    REJECTS(c, PLAUDIT_EUTF8, act_ref(c, T + 1, "alice", "post", NULL, "bad\xff"));
    REJECTS(c, PLAUDIT_ESTRING, act_ref(c, T + 1, "alice", "post", NULL, "tab\there"));
    REJECTS(c, PLAUDIT_EINVAL, ev_ref(c, PLAUDIT_EVENT_JOIN, T + 1, "zed", NULL, 0, NULL, "r"));
    REJECTS(c, PLAUDIT_EINVAL, ev_ref(c, PLAUDIT_EVENT_TICK, T + 1, NULL, NULL, 0, NULL, "r"));
    REJECTS(c, PLAUDIT_EINVAL, ev_ref(c, PLAUDIT_EVENT_SEGMENT, T + 1, "alice", NULL, 0, NULL, "r"));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 1, NULL, NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_revoke(c, T + 1, "a1", "r", NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ESTRING, plaudit_record_revoke(c, T + 1, "a1", NULL, reason, NULL, NULL));
    REJECTS(c, PLAUDIT_ESTRING, plaudit_record_revoke(c, T + 1, big, NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EUTF8, plaudit_record_revoke(c, T + 1, "a\xc3", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ESTRING, plaudit_record_revoke(c, T + 1, NULL, "", NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ERANGE, plaudit_record_revoke(c, -1, "a1", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ERANGE, plaudit_record_revoke(c, PLAUDIT_MAX_TS + 1, "a1", NULL, NULL, NULL, NULL));
    big[128] = '\0';
    OK(act_ref(c, T + 2, "alice", "post", NULL, big)); /* 128 bytes is the limit */
    OK(plaudit_record_revoke(c, T + 3, NULL, big, NULL, NULL, NULL));
    plaudit_ctx_free(c);

    /* a format 1 program knows neither */
    c = ctx_new();
    action(c, "post", 50);
    OK(plaudit_record_action(c, T, "alice", "post", "a1", NULL));
    REJECTS(c, PLAUDIT_EVERSION, act_ref(c, T + 1, "alice", "post", NULL, "r"));
    REJECTS(c, PLAUDIT_EVERSION, plaudit_record_revoke(c, T + 1, "a1", NULL, NULL, NULL, NULL));
    plaudit_ctx_free(c);
}

/* ---- listeners of version 1 do not hear revokes -------------------------------------------- */

static int n_revoke_cb;
static void count_revoke(const plaudit_moment *m, void *p)
{
    (void)m;
    (void)p;
    n_revoke_cb++;
}

static void listener_versions(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.version = 1;
    L.on_revoke = count_revoke; /* past the end of a version 1 struct: ignored */
    OK(plaudit_listener_set(c, &L));
    OK(act_ref(c, T, "alice", "post", "a1", NULL));
    OK(act_ref(c, T + 1, "alice", "post", "a2", NULL));
    OK(plaudit_record_revoke(c, T + 2, "a1", NULL, NULL, NULL, NULL));
    assert_int_equal(n_revoke_cb, 0);
    OK(act_ref(c, T + 3, "alice", "post", "a3", NULL));
    L.version = 2; /* up to on_outcome */
    OK(plaudit_listener_set(c, &L));
    OK(plaudit_record_revoke(c, T + 4, "a2", NULL, NULL, NULL, NULL));
    assert_int_equal(n_revoke_cb, 0);
    L.version = 3;
    OK(plaudit_listener_set(c, &L));
    OK(plaudit_record_revoke(c, T + 5, "a3", NULL, NULL, NULL, NULL));
    assert_int_equal(n_revoke_cb, 1);
    L.version = 4;
    REJECTS(c, PLAUDIT_EVERSION, plaudit_listener_set(c, &L));
    plaudit_ctx_free(c);
}

/* ---- outcomes as JSON ------------------------------------------------------------------------ */

static void outcome_json(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = ctx2();
    action(c, "post", 50);
    OK(act_ref(c, T, "alice", "post", "a1", "p:1"));
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 1, "a1", NULL, NULL, NULL, &o));
    char *s = NULL;
    OK(plaudit_outcome_json(c, &o, &s, NULL));
    assert_string_equal(s, "{\"status\":\"accepted\",\"code\":0,\"points\":-50,\"moments\":["
                           "{\"kind\":\"revoke\",\"ts\":1767614401,\"member\":\"alice\",\"event\":\"a1\","
                           "\"ref\":\"p:1\",\"type\":\"action\",\"event_ts\":1767614400,\"points\":-50,"
                           "\"balance\":-50},"
                           "{\"kind\":\"points\",\"ts\":1767614401,\"member\":\"alice\",\"points\":-50,"
                           "\"source\":\"revoke\",\"source_id\":\"a1\",\"revoked_ref\":\"p:1\"}]}");
    plaudit_free(c, s);
    plaudit_ctx_free(c);
}

/* ---- analytics ------------------------------------------------------------------------------- */

static void analytics_count_revocations(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "post", 10);
    OK(plaudit_analytics_enable(c, NULL));
    OK(act_ref(c, T, "alice", "post", "a1", NULL));
    OK(act_ref(c, T + 1, "alice", "post", "a2", NULL));
    OK(act_ref(c, T + 2, "bob", "post", "b1", NULL));
    OK(plaudit_record_revoke(c, T + 3, "b1", NULL, NULL, NULL, NULL));
    OK(plaudit_record_revoke(c, T + 4, "a1", NULL, NULL, NULL, NULL));
    plaudit_analytics a;
    OK(plaudit_analytics_get(c, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN));
    assert_int_equal(a.revocations, 2);
    assert_int_equal(a.contributions, 1);
    assert_int_equal(a.participants, 1); /* bob's only contribution is gone */
    assert_int_equal(a.n_periods, 1);
    assert_int_equal(a.periods[0].revocations, 2);
    assert_int_equal(a.periods[0].contributions, 1);
    plaudit_ctx_free(c);
}

/* ---- retention forgets what revokes need ------------------------------------------------------ */

static void retention_forgets(void **state)
{
    (void)state;
    plaudit_options opt = PLAUDIT_OPTIONS_INIT;
    opt.idempotency_retention_s = 100;
    plaudit_ctx *c = NULL;
    OK(plaudit_ctx_new(&c, &opt));
    OK(plaudit_program_set_format(c, 2));
    action(c, "post", 10);
    OK(act_ref(c, T, "alice", "post", "a1", NULL));
    OK(act_ref(c, T, "alice", "post", NULL, "r1"));
    OK(act_ref(c, T + 50, "alice", "post", "a2", "r2"));
    OK(plaudit_record_revoke(c, T + 60, NULL, "r1", NULL, NULL, NULL)); /* within retention */
    OK(plaudit_record_tick(c, T + 150, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 150, "a1", NULL, NULL, NULL, NULL));
    OK(plaudit_record_revoke(c, T + 150, NULL, "r2", NULL, NULL, NULL)); /* a2 is 100 s old: kept */
    OK(plaudit_record_tick(c, T + 300, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 300, "a2", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 300, NULL, "r2", NULL, NULL, NULL));
    /* many events come and go: memory stays bounded by the retention */
    char id[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(id, sizeof id, "m%d", i);
        OK(act_ref(c, T + 400 + 10 * i, "bob", "post", id, i % 2 ? "shared" : NULL));
    }
    OK(plaudit_record_revoke(c, T + 400 + 10 * 1999, "m1999", NULL, NULL, NULL, NULL));
    OK(plaudit_record_revoke(c, T + 400 + 10 * 1999, NULL, "shared", NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 400 + 10 * 1999, "m1900", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "bob"), 2000 * 10 - 10 - 10 * 5);
    plaudit_ctx_free(c);
}

/* ---- after a program event: the rules followed by id --------------------------------------- */

static void after_program_event(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = ctx_new();
    const char *p1 = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"a\", \"points\": 1}, "
                     "{\"id\": \"b\", \"points\": 20}], \"badges\": [{\"id\": \"m\", \"manual\": true, \"bonus\": 3}], "
                     "\"rewards\": [{\"id\": \"mug\", \"cost\": 5, \"stock\": 3}]}";
    const char *p2 = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"b\", \"points\": 7}], "
                     "\"rewards\": [{\"id\": \"mug\", \"cost\": 5, \"stock\": 3}]}";
    OK(plaudit_program_load_json(c, p1, strlen(p1)));
    OK(act_ref(c, T, "ann", "b", "x1", NULL));
    OK(act_ref(c, T + 1, "ann", "a", "x2", NULL));
    OK(ev_ref(c, PLAUDIT_EVENT_AWARD, T + 2, "ann", "m", 0, "w1", NULL));
    OK(ev_ref(c, PLAUDIT_EVENT_REDEEM, T + 3, "ann", "mug", 0, "r1", NULL));
    OK(plaudit_program_update(c, T + 10, p2, NULL, NULL));
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 20, "x1", NULL, NULL, NULL, &o));
    assert_int_equal(o.points, -20); /* what it awarded then */
    assert_int_equal(count_of(c, "ann", "b"), 0);
    OK(plaudit_record_revoke(c, T + 21, "x2", NULL, NULL, NULL, &o)); /* action a is gone */
    assert_int_equal(o.points, -1);
    OK(plaudit_record_revoke(c, T + 22, "w1", NULL, NULL, NULL, &o)); /* badge m retired */
    assert_int_equal(o.points, -3);
    OK(plaudit_record_revoke(c, T + 23, "r1", NULL, NULL, NULL, NULL));
    int64_t stock = 0;
    OK(plaudit_reward_stock(c, "mug", &stock));
    assert_int_equal(stock, 3); /* the same stock: refunded */
    assert_int_equal(points_of(c, "ann"), 0);
    plaudit_ctx_free(c);
}

/* ---- dated-badge counts ------------------------------------------------------------------------- */

static void dated_counts_drop(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = ctx_new();
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"bug\", \"points\": 1}], \"badges\": "
             "[{\"id\": \"launch\", \"from\": %lld, \"until\": %lld, \"when\": {\"action\": \"bug\", \"count\": 2}}]}",
             (long long)T, (long long)(T + WEEK));
    OK(plaudit_program_load_json(c, doc, strlen(doc)));
    OK(act_ref(c, T - 10, "ann", "bug", "before", NULL)); /* outside the range: not counted */
    OK(act_ref(c, T + 1, "ann", "bug", "b1", NULL));
    OK(plaudit_record_revoke(c, T + 2, "before", NULL, NULL, NULL, NULL)); /* leaves the dated count alone */
    OK(plaudit_record_revoke(c, T + 3, "b1", NULL, NULL, NULL, NULL));     /* the dated count drops to 0 */
    OK(act_ref(c, T + 4, "ann", "bug", NULL, NULL));
    assert_int_equal(badge_n(c, "ann", "launch"), 0); /* 1 in the range, not 2 */
    OK(act_ref(c, T + 5, "ann", "bug", NULL, NULL));
    assert_int_equal(badge_n(c, "ann", "launch"), 1);
    plaudit_ctx_free(c);
}

/* ---- boards and counters a later program event started ------------------------------------------- */

/* A board that a program event started after the revoked event is left
 * alone, also when it starts inside the period holding the event's ts (and
 * at the same ts, after the event); a board the program event kept follows
 * the revoke. */
static void boards_started_after(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = ctx_new();
    const char *p1 = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"a\", \"points\": 10}], "
                     "\"leaderboards\": [{\"id\": \"kept\", \"period\": \"week\"}]}";
    const char *p2 = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"a\", \"points\": 10}], "
                     "\"leaderboards\": [{\"id\": \"kept\", \"period\": \"week\"}, {\"id\": \"new\", \"period\": "
                     "\"week\"}, {\"id\": \"teams\", \"period\": \"week\", \"by\": \"team\"}]}";
    OK(plaudit_program_load_json(c, p1, strlen(p1)));
    OK(plaudit_record_team(c, T, "ann", "red", NULL, NULL));
    OK(act_ref(c, T + 1, "ann", "a", "x1", NULL));
    OK(act_ref(c, T + 10, "ann", "a", "x2", NULL)); /* at the program event's ts, before it */
    OK(plaudit_program_update(c, T + 10, p2, NULL, NULL));
    OK(act_ref(c, T + 20, "ann", "a", "x3", NULL));
    assert_int_equal(score_on(c, "kept", "ann"), 30);
    assert_int_equal(score_on(c, "new", "ann"), 10);
    OK(plaudit_record_revoke(c, T + 30, "x1", NULL, NULL, NULL, NULL));
    OK(plaudit_record_revoke(c, T + 31, "x2", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "ann"), 10);
    assert_int_equal(score_on(c, "kept", "ann"), 10);
    assert_int_equal(score_on(c, "new", "ann"), 10); /* started after x1 and x2 */
    char *st = NULL;
    OK(plaudit_state_export(c, &st, NULL));
    assert_non_null(strstr(st, "\"teams\": [\n   [\n    \"red\",\n    10\n   ]\n  ]"));
    plaudit_free(c, st);
    OK(plaudit_record_revoke(c, T + 32, "x3", NULL, NULL, NULL, NULL)); /* x3 counted on all of them */
    assert_int_equal(score_on(c, "kept", "ann"), 0);
    assert_int_equal(score_on(c, "new", "ann"), 0);
    plaudit_ctx_free(c);
}

/* The same for a member's counters: a cap, the kudos cap and give cap, a
 * within-period count, a dated count and a qualification window that a
 * program event started after the revoked events keep what they counted. */
static void counters_started_after(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    plaudit_ctx *c = ctx_new();
    const char *p1 = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"a\", \"points\": 10}], "
                     "\"kudos\": {\"points\": 5}}";
    char p2[1024];
    snprintf(p2, sizeof p2,
             "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"a\", \"points\": 10, \"cap\": "
             "{\"count\": 1, \"per\": \"day\"}}], \"kudos\": {\"points\": 5, \"cap\": {\"count\": 1, \"per\": "
             "\"day\"}, \"give_cap\": {\"count\": 1, \"per\": \"day\"}}, \"tiers\": [{\"id\": \"q\", "
             "\"min_points\": 100, \"window\": \"week\"}], \"badges\": [{\"id\": \"wk2\", \"when\": {\"action\": "
             "\"a\", \"count\": 2, \"within\": \"week\"}}, {\"id\": \"d2\", \"from\": %lld, \"until\": %lld, "
             "\"when\": {\"action\": \"a\", \"count\": 2}}]}",
             (long long)(T - DAY), (long long)(T + WEEK));
    OK(plaudit_program_load_json(c, p1, strlen(p1)));
    OK(act_ref(c, T, "ann", "a", "x1", NULL));
    OK(plaudit_record_kudos(c, T + 1, "bob", "ann", "k1", NULL));
    OK(plaudit_program_update(c, T + 10, p2, NULL, NULL));
    plaudit_outcome o;
    OK(plaudit_record_action(c, T + 20, "ann", "a", NULL, &o));
    assert_int_equal(o.points, 10);
    OK(plaudit_record_kudos(c, T + 21, "bob", "ann", NULL, &o));
    assert_int_equal(o.points, 5);
    OK(plaudit_record_revoke(c, T + 30, "x1", NULL, NULL, NULL, NULL));
    OK(plaudit_record_revoke(c, T + 31, "k1", NULL, NULL, NULL, NULL));
    assert_int_equal(points_of(c, "ann"), 15);
    /* the window started at the program event: it still holds 15 */
    plaudit_progress pr;
    OK(plaudit_member_progress(c, "ann", &pr));
    assert_string_equal(pr.next_tier, "q");
    assert_int_equal(pr.next_points, 85);
    /* the cap started at the program event: still used up today */
    OK(plaudit_record_action(c, T + 40, "ann", "a", NULL, &o));
    assert_int_equal(o.points, 0);
    /* the within-week and dated counts hold x3 and this one: 2 */
    assert_int_equal(badge_n(c, "ann", "wk2"), 1);
    assert_int_equal(badge_n(c, "ann", "d2"), 1);
    /* the give cap too */
    assert_int_equal(plaudit_record_kudos(c, T + 41, "bob", "ann", NULL, NULL), PLAUDIT_ELIMIT);
    plaudit_ctx_free(c);
}

/* ---- the per-type calls with a ref ------------------------------------------------------------- */

static void per_type_ref_calls(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx2();
    action(c, "a", 10);
    OK(kudos_full(c, 5, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE));
    OK(badge_manual(c, "m", 3));
    OK(reward(c, "r", 5, 2));
    OK(plaudit_record_action_ref(c, T, "ann", "a", "post:1", "e1", NULL));
    OK(plaudit_record_kudos_ref(c, T + 1, "bob", "ann", "post:1", NULL, NULL));
    OK(plaudit_record_award_ref(c, T + 2, "ann", "m", "post:1", "e3", NULL));
    OK(plaudit_record_adjust_ref(c, T + 3, "ann", 7, "bonus", "post:1", NULL, NULL));
    OK(plaudit_record_redeem_ref(c, T + 4, "ann", "r", "post:1", "e5", NULL));
    assert_int_equal(points_of(c, "ann"), 25);
    assert_int_equal(balance_of(c, "ann"), 20);
    /* a ref that is not valid text is rejected like plaudit_event.ref */
    assert_int_equal(plaudit_record_action_ref(c, T + 5, "ann", "a", "bad\nref", NULL, NULL), PLAUDIT_ESTRING);
    plaudit_outcome o;
    OK(plaudit_record_revoke(c, T + 10, NULL, "post:1", "thread deleted", NULL, &o));
    size_t n_rev = 0;
    for (size_t i = 0; i < o.n_moments; i++) n_rev += o.moments[i].kind == PLAUDIT_MOMENT_REVOKE;
    assert_int_equal(n_rev, 5); /* every call carried the ref */
    assert_int_equal(o.moments[0].revoked_type, PLAUDIT_EVENT_ACTION);
    assert_int_equal(points_of(c, "ann"), 0);
    assert_int_equal(balance_of(c, "ann"), 5); /* floored at 0, then the cost refunded */
    assert_int_equal(count_of(c, "ann", "a"), 0);
    assert_int_equal(badge_n(c, "ann", "m"), 0);
    int64_t left = 0;
    OK(plaudit_reward_stock(c, "r", &left));
    assert_int_equal(left, 2);
    plaudit_ctx_free(c);
    /* format 1: a ref is refused, nothing changes */
    c = ctx_new();
    action(c, "a", 10);
    assert_int_equal(plaudit_record_action_ref(c, T, "ann", "a", "post:1", NULL, NULL), PLAUDIT_EVERSION);
    assert_int_equal(plaudit_record_action_ref(c, T, "ann", "a", NULL, NULL, NULL), PLAUDIT_OK); /* NULL: none */
    assert_int_equal(points_of(c, "ann"), 10);
    plaudit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(by_id_gives_cap_back),
        cmocka_unit_test(cap_not_after_its_period),
        cmocka_unit_test(by_ref_in_acceptance_order),
        cmocka_unit_test(points_floor),
        cmocka_unit_test(boards_closed_and_current),
        cmocka_unit_test(qualification_windows),
        cmocka_unit_test(counts_drop),
        cmocka_unit_test(kudos_and_give_cap),
        cmocka_unit_test(manual_award_to_zero),
        cmocka_unit_test(redemption_refunded),
        cmocka_unit_test(rejected_revokes),
        cmocka_unit_test(tiers_and_lifetime_floor),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(listener_versions),
        cmocka_unit_test(outcome_json),
        cmocka_unit_test(analytics_count_revocations),
        cmocka_unit_test(retention_forgets),
        cmocka_unit_test(after_program_event),
        cmocka_unit_test(dated_counts_drop),
        cmocka_unit_test(boards_started_after),
        cmocka_unit_test(counters_started_after),
        cmocka_unit_test(per_type_ref_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
