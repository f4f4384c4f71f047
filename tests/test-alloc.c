/* test-alloc.c - allocation failure: a failing allocator given through
 * plaudit_options fails the k-th allocation for k = 1, 2, ... while a
 * representative sequence of calls runs (declarations, events of every type
 * including period closes with leaderboard badges, a tick, queries, the
 * state export; format 2 revokes; and format 2 rules: teams and team boards,
 * a season's close, campaigns, challenges, dated badges).  The failing call returns PLAUDIT_ENOMEM and changes
 * nothing (digest and program counts); the same call then succeeds with
 * working allocations; the final digest equals that of a run without
 * failures; and no block is left after plaudit_ctx_free. */
#include "common.h"

#define T0 (T_MON_JAN5 + 12 * HOUR)

typedef int (*step_fn)(plaudit_ctx *);
typedef struct step {
    const char *name;
    step_fn fn;
    int expect;
} step;

/* ---- declarations ---- */
static int s_name(plaudit_ctx *c) { return plaudit_program_set_name(c, "allocation failures"); }
static int s_zone(plaudit_ctx *c) { return plaudit_program_set_timezone(c, "Europe/Amsterdam"); }
static int s_act_p(plaudit_ctx *c) { return action_full(c, "p", 10, 0, 0, 25, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY); }
static int s_act_q(plaudit_ctx *c) { return action_full(c, "q", 20, 0, 60, PLAUDIT_UNSET, 5, PLAUDIT_PERIOD_WEEK); }
static int s_act_neg(plaudit_ctx *c)
{
    plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
    d.id = "neg";
    d.name = "Downvoted";
    d.description = "A post was downvoted";
    d.points = -5;
    return plaudit_action_declare(c, &d);
}
static int s_tier_base(plaudit_ctx *c) { return tier_full(c, "base", 0, 0, 0, 0, PLAUDIT_PERIOD_NONE); }
static int s_tier_silver(plaudit_ctx *c) { return tier_full(c, "silver", 30, 0, 0, 0, PLAUDIT_PERIOD_MONTH); }
static int s_tier_gold(plaudit_ctx *c) { return tier_full(c, "gold", 100, 2, 0, 1, PLAUDIT_PERIOD_NONE); }
static int s_seg1(plaudit_ctx *c) { return segment2(c, "s1", "p", 1, "q", 2); }
static int s_seg2(plaudit_ctx *c) { return segment2(c, "s2", "q", 1, NULL, 0); }
static int s_lb_all(plaudit_ctx *c) { return board_full(c, "all", PLAUDIT_PERIOD_ALL, NULL, 10); }
static int s_lb_week(plaudit_ctx *c) { return board_full(c, "weekly", PLAUDIT_PERIOD_WEEK, NULL, 3); }
static int s_lb_seg(plaudit_ctx *c) { return board_full(c, "s1-q", PLAUDIT_PERIOD_QUARTER, "s1", 10); }
static int s_b_first(plaudit_ctx *c) { return badge_one(c, "first", PLAUDIT_CRITERION_ACTION_COUNT, "p", 1, 1); }
static int s_b_levels(plaudit_ctx *c)
{
    int64_t lv[3] = {10, 20, 40};
    return badge_thr(c, "pts", PLAUDIT_CRITERION_POINTS, NULL, lv, 3, 2);
}
static int s_b_streak(plaudit_ctx *c)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t two = 2;
    d.id = "streak";
    d.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
    d.action = "p";
    d.per = PLAUDIT_PERIOD_DAY;
    d.thresholds = &two;
    d.n_thresholds = 1;
    d.image = "https://example.org/streak.png";
    return plaudit_badge_declare(c, &d);
}
static int s_b_repeat(plaudit_ctx *c)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t two = 2;
    d.id = "weekly-two";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "p";
    d.within = PLAUDIT_PERIOD_WEEK;
    d.repeatable = 1;
    d.thresholds = &two;
    d.n_thresholds = 1;
    d.bonus = 1;
    d.criteria = "Twice in a week";
    return plaudit_badge_declare(c, &d);
}
static int s_b_tier(plaudit_ctx *c)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "silver-badge";
    d.criterion = PLAUDIT_CRITERION_TIER;
    d.tier = "silver";
    return plaudit_badge_declare(c, &d);
}
static int s_b_board(plaudit_ctx *c) { return badge_board(c, "top-weekly", "weekly", 2, 5); }
static int s_b_manual(plaudit_ctx *c) { return badge_manual(c, "man", 3); }
static int s_b_hidden(plaudit_ctx *c)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t one = 1;
    d.id = "liked";
    d.criterion = PLAUDIT_CRITERION_KUDOS_RECEIVED;
    d.thresholds = &one;
    d.n_thresholds = 1;
    d.hidden = 1;
    return plaudit_badge_declare(c, &d);
}
static int s_b_distinct(plaudit_ctx *c) { return badge_one(c, "ren", PLAUDIT_CRITERION_DISTINCT_ACTIONS, NULL, 2, 0); }
static int s_b_tenure(plaudit_ctx *c) { return badge_one(c, "day-one", PLAUDIT_CRITERION_TENURE_DAYS, NULL, 1, 1); }
static int s_b_given(plaudit_ctx *c) { return badge_one(c, "giver", PLAUDIT_CRITERION_KUDOS_GIVEN, NULL, 1, 0); }
static int s_kudos(plaudit_ctx *c) { return kudos_full(c, 5, 50, PLAUDIT_UNSET, PLAUDIT_PERIOD_WEEK, 3, PLAUDIT_PERIOD_DAY); }
static int s_r1(plaudit_ctx *c) { return reward(c, "r1", 10, 2); }
static int s_r2(plaudit_ctx *c) { return reward(c, "r2", 1000, PLAUDIT_UNSET); }

/* ---- events ---- */
static int e_join(plaudit_ctx *c) { return plaudit_record_join(c, T0, "zed", "j1", NULL); }
static int e_a1(plaudit_ctx *c)
{
    plaudit_outcome o;
    return plaudit_record_action(c, T0 + 1, "alice", "p", "e1", &o);
}
static int e_a1_dup(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 1, "alice", "p", "e1", NULL); }
static int e_b1(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 2, "bob", "p", NULL, NULL); }
static int e_b2(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 3, "bob", "q", NULL, NULL); }
static int e_c1(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 4, "carol", "q", NULL, NULL); }
static int e_k1(plaudit_ctx *c) { return plaudit_record_kudos(c, T0 + 5, "alice", "dave", NULL, NULL); }
static int e_k2(plaudit_ctx *c) { return plaudit_record_kudos(c, T0 + 6, "erin", "frank", "k2", NULL); }
static int e_r1(plaudit_ctx *c) { return plaudit_record_redeem(c, T0 + 7, "alice", "r1", NULL, NULL); }
static int e_r2(plaudit_ctx *c) { return plaudit_record_redeem(c, T0 + 7, "bob", "r2", NULL, NULL); }
static int e_award(plaudit_ctx *c) { return plaudit_record_award(c, T0 + 8, "carol", "man", NULL, NULL); }
static int e_adjust(plaudit_ctx *c) { return plaudit_record_adjust(c, T0 + 9, "bob", 30, "goodwill", "adj", NULL); }
static int e_neg(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 9, "zed", "neg", NULL, NULL); }
static int e_pin(plaudit_ctx *c) { return plaudit_record_segment(c, T0 + 10, "carol", "s1", NULL, NULL); }
static int e_unpin(plaudit_ctx *c) { return plaudit_record_segment(c, T0 + 11, "carol", NULL, NULL, NULL); }
static int e_pref(plaudit_ctx *c) { return plaudit_record_preferences(c, T0 + 12, "dave", 0, NULL, NULL); }
static int e_day2(plaudit_ctx *c) { return plaudit_record_action(c, T0 + DAY, "alice", "p", NULL, NULL); }
static int e_day2b(plaudit_ctx *c) { return plaudit_record_action(c, T0 + DAY + 1, "alice", "q", NULL, NULL); }
static int e_tick(plaudit_ctx *c) { return plaudit_record_tick(c, T0 + 7 * DAY, "t1", NULL); } /* closes the week */
static int e_next(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 7 * DAY + 5, "bob", "q", "e2", NULL); }
static int e_batch(plaudit_ctx *c)
{
    plaudit_event ev[3] = {
        {.type = PLAUDIT_EVENT_ACTION, .ts = T0 + 8 * DAY, .member = "gina", .target = "p", .id = "b1"},
        {.type = PLAUDIT_EVENT_KUDOS, .ts = T0 + 8 * DAY, .member = "gina", .target = "alice", .id = "b2"},
        {.type = PLAUDIT_EVENT_ACTION, .ts = T0 + 8 * DAY, .member = "hank", .target = "q", .id = "b3"},
    };
    int codes[3];
    size_t done;
    int rc = plaudit_record_batch(c, ev, 3, codes, &done);
    if (rc) return rc;
    /* a batch is not atomic: each event is its own transaction.  Report an
     * allocation failure of any of its events; the events carry ids, so
     * running the batch again makes the accepted ones duplicates */
    assert_int_equal(done, 3);
    for (int i = 0; i < 3; i++)
        if (codes[i] == PLAUDIT_ENOMEM) return PLAUDIT_ENOMEM;
    for (int i = 0; i < 3; i++)
        if (codes[i] != PLAUDIT_OK && codes[i] != PLAUDIT_DUPLICATE) return codes[i];
    return PLAUDIT_OK;
}
static int e_close_month(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 35 * DAY, "carol", "p", NULL, NULL); }

/* ---- queries ---- */
static int q_badges(plaudit_ctx *c)
{
    const plaudit_badge_earned *e;
    size_t n;
    return plaudit_member_badges(c, "alice", &e, &n);
}
static int q_progress(plaudit_ctx *c)
{
    plaudit_progress p;
    return plaudit_member_progress(c, "bob", &p);
}
static int q_top(plaudit_ctx *c)
{
    plaudit_rank_entry e[8];
    size_t n;
    int rc = plaudit_leaderboard_top(c, "all", 8, e, &n);
    if (!rc) rc = plaudit_leaderboard_around(c, "all", "bob", 2, e, &n);
    return rc;
}
static int q_export(plaudit_ctx *c)
{
    char *doc = NULL;
    size_t len;
    int rc = plaudit_state_export(c, &doc, &len);
    if (rc == PLAUDIT_OK && (!doc || strlen(doc) != len)) rc = PLAUDIT_EINVAL;
    plaudit_free(c, doc);
    return rc;
}

#define S(fn, rc) {#fn, fn, rc}
static const step steps[] = {
    S(s_name, 0),      S(s_zone, 0),     S(s_act_p, 0),      S(s_act_q, 0),      S(s_act_neg, 0),
    S(s_tier_base, 0), S(s_tier_silver, 0), S(s_tier_gold, 0), S(s_seg1, 0),      S(s_seg2, 0),
    S(s_lb_all, 0),    S(s_lb_week, 0),  S(s_lb_seg, 0),     S(s_b_first, 0),    S(s_b_levels, 0),
    S(s_b_streak, 0),  S(s_b_repeat, 0), S(s_b_tier, 0),     S(s_b_board, 0),    S(s_b_manual, 0),
    S(s_b_hidden, 0),  S(s_b_distinct, 0), S(s_b_tenure, 0), S(s_b_given, 0),    S(s_kudos, 0),
    S(s_r1, 0),        S(s_r2, 0),
    S(e_join, 0),      S(e_a1, 0),       S(e_a1_dup, PLAUDIT_DUPLICATE), S(e_b1, 0), S(e_b2, 0),
    S(e_c1, 0),        S(e_k1, 0),       S(e_k2, 0),         S(e_r1, 0),         S(e_r2, PLAUDIT_EFUNDS),
    S(e_award, 0),     S(e_adjust, 0),   S(e_neg, 0),        S(e_pin, 0),        S(e_unpin, 0),
    S(e_pref, 0),      S(e_day2, 0),     S(e_day2b, 0),      S(q_badges, 0),     S(q_progress, 0),
    S(e_tick, 0),      S(e_next, 0),     S(e_batch, 0),      S(q_top, 0),        S(e_close_month, 0),
    S(q_badges, 0),    S(q_progress, 0), S(q_top, 0),        S(q_export, 0),
};
#define N_STEPS (sizeof steps / sizeof *steps)

/* ---- format 2: ref and revoke ---- */
static int v_fmt(plaudit_ctx *c) { return plaudit_program_set_format(c, 2); }
static int v_win(plaudit_ctx *c) { return tier_full(c, "vip", 15, 0, 0, 0, PLAUDIT_PERIOD_MONTH); }
static int v_life(plaudit_ctx *c) { return tier_full(c, "star", 40, 0, 0, 1, PLAUDIT_PERIOD_NONE); }
static int v_week_in(plaudit_ctx *c)
{
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    int64_t two = 2;
    d.id = "two-a-week";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "p";
    d.within = PLAUDIT_PERIOD_WEEK;
    d.thresholds = &two;
    d.n_thresholds = 1;
    return plaudit_badge_declare(c, &d);
}
static int v_ref(plaudit_ctx *c, plaudit_event_type t, int64_t ts, const char *m, const char *target, int64_t pts,
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
    plaudit_outcome o;
    return plaudit_record(c, &ev, &o);
}
static int v_a1(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ACTION, T0, "alice", "p", 0, "a1", "post:1"); }
static int v_a2(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ACTION, T0 + 1, "alice", "p", 0, "a2", NULL); }
static int v_a3(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ACTION, T0 + 2, "bob", "q", 0, NULL, "post:1"); }
static int v_k1(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_KUDOS, T0 + 3, "carol", "alice", 0, "k1", "post:1"); }
static int v_w1(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_AWARD, T0 + 4, "dave", "man", 0, "w1", NULL); }
static int v_w2(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_AWARD, T0 + 5, "dave", "man", 0, "w2", "mvp"); }
static int v_w3(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_AWARD, T0 + 6, "dave", "man", 0, "w3", "mvp"); }
static int v_adj(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ADJUST, T0 + 7, "bob", NULL, 30, "j1", "post:2"); }
static int v_rd(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_REDEEM, T0 + 8, "bob", "r1", 0, "rd1", "order:1"); }
static int v_rv_id(plaudit_ctx *c)
{
    plaudit_outcome o;
    return plaudit_record_revoke(c, T0 + 9, "a2", NULL, "dup", "rv1", &o);
}
static int v_rv_ref(plaudit_ctx *c)
{
    plaudit_outcome o;
    return plaudit_record_revoke(c, T0 + 10, NULL, "post:1", "thread deleted", NULL, &o);
}
static int v_rv_w1(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 11, "w1", NULL, NULL, NULL, NULL); }
static int v_rv_mvp(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 12, NULL, "mvp", NULL, NULL, NULL); }
static int v_rv_order(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 13, NULL, "order:1", NULL, NULL, NULL); }
static int v_rv_dup(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 9, "a2", NULL, "dup", "rv1", NULL); }
static int v_rv_again(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 14, "a1", NULL, NULL, NULL, NULL); }
static int v_b1(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ACTION, T0 + 15, "erin", "p", 0, "e1", "post:3"); }
static int v_b2(plaudit_ctx *c) { return v_ref(c, PLAUDIT_EVENT_ACTION, T0 + 16, "erin", "p", 0, "e2", "post:3"); }
/* a revoke a week later: it closes the week (a leaderboard badge) first */
static int v_rv_late(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 7 * DAY, NULL, "post:3", NULL, NULL, NULL); }
static int v_rv_adj(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 7 * DAY + 1, "j1", NULL, NULL, NULL, NULL); }

static const step steps2[] = {
    S(v_fmt, 0),       S(s_act_p, 0),    S(s_act_q, 0),      S(s_tier_base, 0),  S(v_win, 0),
    S(v_life, 0),      S(s_lb_all, 0),   S(s_lb_week, 0),    S(s_b_first, 0),    S(v_week_in, 0),
    S(s_b_board, 0),   S(s_b_manual, 0), S(s_kudos, 0),      S(s_r1, 0),
    S(v_a1, 0),        S(v_a2, 0),       S(v_a3, 0),         S(v_k1, 0),         S(v_w1, 0),
    S(v_w2, 0),        S(v_w3, 0),       S(v_adj, 0),        S(v_rd, 0),         S(v_rv_id, 0),
    S(v_rv_dup, PLAUDIT_DUPLICATE), S(v_rv_ref, 0), S(v_rv_again, PLAUDIT_ENOTFOUND), S(v_rv_w1, 0),
    S(v_rv_mvp, 0),    S(v_rv_order, 0), S(v_b1, 0),         S(v_b2, 0),         S(v_rv_late, 0),
    S(v_rv_adj, 0),    S(q_badges, 0),   S(q_progress, 0),   S(q_top, 0),        S(q_export, 0),
};
#define N_STEPS2 (sizeof steps2 / sizeof *steps2)

/* ---- format 2: teams, team boards, seasons, campaigns, challenges, dated
 * badges, tier benefits ---- */
static int w_tier_gold(plaudit_ctx *c)
{
    const char *ben[] = {"Early access", "Advisory board seat"};
    plaudit_tier_def d = PLAUDIT_TIER_DEF_INIT;
    d.id = "gold";
    d.min_points = 60;
    d.n_benefits = 2;
    d.benefits = ben;
    return plaudit_tier_declare(c, &d);
}
static int w_board(plaudit_ctx *c, const char *id, plaudit_period per, plaudit_board_by by, int64_t from, int64_t until)
{
    plaudit_leaderboard_def d = PLAUDIT_LEADERBOARD_DEF_INIT;
    d.id = id;
    d.period = per;
    d.by = by;
    d.from = from;
    d.until = until;
    return plaudit_leaderboard_declare(c, &d);
}
static int w_lb_team(plaudit_ctx *c) { return w_board(c, "accounts", PLAUDIT_PERIOD_ALL, PLAUDIT_BY_TEAM, PLAUDIT_UNSET, PLAUDIT_UNSET); }
static int w_lb_team_week(plaudit_ctx *c) { return w_board(c, "accounts-w", PLAUDIT_PERIOD_WEEK, PLAUDIT_BY_TEAM, PLAUDIT_UNSET, PLAUDIT_UNSET); }
static int w_season(plaudit_ctx *c) { return w_board(c, "summer", PLAUDIT_PERIOD_ALL, PLAUDIT_BY_MEMBER, T0, T0 + 3 * DAY); }
static int w_season_badge(plaudit_ctx *c) { return badge_board(c, "summer-top", "summer", 1, 5); }
static int w_camp(plaudit_ctx *c, const char *id, const char *act, int64_t from, int64_t until, int64_t pct)
{
    plaudit_campaign_def d = PLAUDIT_CAMPAIGN_DEF_INIT;
    d.id = id;
    d.from = from;
    d.until = until;
    d.percent = pct;
    d.n_actions = act ? 1 : 0;
    d.actions = act ? &act : NULL;
    return plaudit_campaign_declare(c, &d);
}
static int w_camp_p(plaudit_ctx *c) { return w_camp(c, "launch", "p", T0, T0 + DAY, 200); }
static int w_camp_all(plaudit_ctx *c) { return w_camp(c, "week-one", NULL, T0 + DAY / 2, T0 + 2 * DAY, 150); }
static int w_chal_weekly(plaudit_ctx *c)
{
    plaudit_criterion_def parts[2] = {PLAUDIT_CRITERION_DEF_INIT, PLAUDIT_CRITERION_DEF_INIT};
    parts[0].criterion = parts[1].criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    parts[0].action = "p";
    parts[0].threshold = 2;
    parts[1].action = "q";
    parts[1].threshold = 1;
    parts[0].within = parts[1].within = PLAUDIT_PERIOD_WEEK;
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "weekly-mix";
    d.criterion = PLAUDIT_CRITERION_ALL;
    d.n_all = 2;
    d.all = parts;
    d.repeatable = 1;
    d.bonus = 3;
    return plaudit_badge_declare(c, &d);
}
static int w_chal_tier(plaudit_ctx *c)
{
    plaudit_criterion_def parts[2] = {PLAUDIT_CRITERION_DEF_INIT, PLAUDIT_CRITERION_DEF_INIT};
    parts[0].criterion = PLAUDIT_CRITERION_TIER;
    parts[0].tier = "gold";
    parts[1].criterion = PLAUDIT_CRITERION_KUDOS_RECEIVED;
    parts[1].threshold = 1;
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "gold-and-thanked";
    d.criterion = PLAUDIT_CRITERION_ALL;
    d.n_all = 2;
    d.all = parts;
    return plaudit_badge_declare(c, &d);
}
static int w_dated(plaudit_ctx *c)
{
    int64_t two = 2;
    plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
    d.id = "spring-posts";
    d.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    d.action = "p";
    d.n_thresholds = 1;
    d.thresholds = &two;
    d.from = T0 + DAY;
    d.until = T0 + 10 * DAY;
    return plaudit_badge_declare(c, &d);
}
static int w_team(plaudit_ctx *c, int64_t ts, const char *m, const char *t) { return plaudit_record_team(c, ts, m, t, NULL, NULL); }
static int w_t1(plaudit_ctx *c) { return w_team(c, T0, "alice", "red"); }
static int w_t2(plaudit_ctx *c) { return w_team(c, T0, "bob", "red"); }
static int w_t3(plaudit_ctx *c) { return w_team(c, T0 + 1, "carol", "blue"); }
static int w_t_same(plaudit_ctx *c) { return w_team(c, T0 + 2, "carol", "blue"); }
static int w_a1(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 10, "alice", "p", "wa1", NULL); }
static int w_a2(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 20, "bob", "q", NULL, NULL); }
static int w_a3(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 30, "carol", "p", NULL, NULL); }
static int w_a4(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 40, "alice", "p", NULL, NULL); }
static int w_a5(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 200, "alice", "q", NULL, NULL); } /* challenge */
static int w_k1(plaudit_ctx *c) { return plaudit_record_kudos(c, T0 + 300, "carol", "alice", NULL, NULL); }
static int w_a6(plaudit_ctx *c) { return plaudit_record_action(c, T0 + DAY + 10, "alice", "p", NULL, NULL); } /* dated */
static int w_switch(plaudit_ctx *c) { return w_team(c, T0 + DAY + 20, "carol", "red"); }
static int w_a7(plaudit_ctx *c) { return plaudit_record_action(c, T0 + DAY + 30, "carol", "q", NULL, NULL); }
static int w_leave(plaudit_ctx *c) { return w_team(c, T0 + DAY + 40, "bob", NULL); }
static int w_a8(plaudit_ctx *c) { return plaudit_record_action(c, T0 + DAY + 50, "bob", "p", NULL, NULL); }
static int w_a9(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 2 * DAY + 10, "alice", "p", NULL, NULL); }
static int w_a10(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 2 * DAY + 20, "dave", "q", NULL, NULL); }
static int w_t4(plaudit_ctx *c) { return w_team(c, T0 + 2 * DAY + 30, "dave", "green"); }
/* closes the season (its badge) */
static int w_close(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 3 * DAY + 5, "carol", "p", NULL, NULL); }
static int w_rv(plaudit_ctx *c) { return plaudit_record_revoke(c, T0 + 3 * DAY + 6, "wa1", NULL, NULL, NULL, NULL); }
/* a new week: the weekly team board closes, the challenge again */
static int w_n1(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 7 * DAY + 1, "alice", "p", NULL, NULL); }
static int w_n2(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 7 * DAY + 100, "alice", "p", NULL, NULL); }
static int w_n3(plaudit_ctx *c) { return plaudit_record_action(c, T0 + 7 * DAY + 200, "alice", "q", NULL, NULL); }
static int w_tick(plaudit_ctx *c) { return plaudit_record_tick(c, T0 + 8 * DAY, NULL, NULL); }
static int w_q_team(plaudit_ctx *c)
{
    uint64_t rank = 0, members = 0;
    int64_t score = 0;
    plaudit_rank_entry top[4];
    size_t n = 0;
    int rc = plaudit_leaderboard_rank(c, "accounts", "red", &rank, &score);
    if (!rc) rc = plaudit_leaderboard_top(c, "accounts", 4, top, &n);
    if (!rc) rc = plaudit_leaderboard_around(c, "accounts-w", "red", 1, top, &n);
    if (!rc) rc = plaudit_team_members(c, "red", &members);
    if (!rc) rc = plaudit_leaderboard_rank(c, "summer", "alice", &rank, &score); /* frozen */
    return rc;
}
static int w_q_words(plaudit_ctx *c)
{
    char *w = NULL;
    int rc = plaudit_rule_sentence(c, "campaign", "launch", &w, NULL);
    plaudit_free(c, w);
    w = NULL;
    if (!rc) rc = plaudit_rule_sentence(c, "badge", "weekly-mix", &w, NULL);
    plaudit_free(c, w);
    return rc;
}

static const step steps3[] = {
    S(v_fmt, 0),        S(s_act_p, 0),       S(s_act_q, 0),     S(s_tier_base, 0),  S(w_tier_gold, 0),
    S(w_lb_team, 0),    S(w_lb_team_week, 0), S(w_season, 0),   S(s_lb_week, 0),    S(w_season_badge, 0),
    S(w_camp_p, 0),     S(w_camp_all, 0),    S(w_chal_weekly, 0), S(w_chal_tier, 0), S(w_dated, 0),
    S(s_kudos, 0),
    S(w_t1, 0),         S(w_t2, 0),          S(w_t3, 0),        S(w_t_same, 0),     S(w_a1, 0),
    S(w_a2, 0),         S(w_a3, 0),          S(w_a4, 0),        S(w_a5, 0),         S(w_k1, 0),
    S(q_badges, 0),     S(q_progress, 0),    S(w_a6, 0),        S(w_switch, 0),     S(w_a7, 0),
    S(w_leave, 0),      S(w_a8, 0),          S(w_a9, 0),        S(w_a10, 0),        S(w_t4, 0),
    S(w_close, 0),      S(w_rv, 0),          S(w_q_team, 0),    S(w_n1, 0),         S(w_n2, 0),
    S(w_n3, 0),         S(w_tick, 0),        S(w_q_team, 0),    S(w_q_words, 0),    S(q_badges, 0),
    S(q_progress, 0),   S(q_export, 0),
};
#define N_STEPS3 (sizeof steps3 / sizeof *steps3)

static void counts(plaudit_ctx *c, size_t out[7])
{
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
    out[0] = pi.n_actions;
    out[1] = pi.n_tiers;
    out[2] = pi.n_badges;
    out[3] = pi.n_segments;
    out[4] = pi.n_leaderboards;
    out[5] = pi.n_rewards;
    out[6] = (size_t)pi.has_kudos;
}

/* The points history option of the runs (0: none). */
static size_t g_history;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
static uint64_t fnv_str(uint64_t h, const char *s) { return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\1", 1); }

/* A hash of every member's whole points history (0 without the option),
 * read with allocation failures paused and not counted. */
static uint64_t history_hash(plaudit_ctx *ctx, talloc *ta)
{
    if (!g_history) return 0;
    size_t fail_at = ta->fail_at, calls = ta->calls;
    ta->fail_at = 0;
    uint64_t h = 14695981039346656037ull;
    uint64_t n_members = plaudit_member_count(ctx);
    for (uint64_t i = 0; i < n_members; i++) {
        const char *id = NULL;
        size_t n = 0;
        uint64_t next = 0;
        assert_int_equal(plaudit_member_list(ctx, i, 1, &id, &n, &next), PLAUDIT_OK);
        h = fnv_str(h, id);
        uint64_t before = 0;
        do {
            plaudit_history_entry e[128];
            assert_int_equal(plaudit_member_history(ctx, id, before, 4, e, &n, &before), PLAUDIT_OK);
            for (size_t j = 0; j < n; j++) {
                int64_t v[5] = {(int64_t)e[j].seq, e[j].ts, e[j].points, e[j].balance,
                                (int64_t)e[j].cause * 16 + (int64_t)e[j].event_type};
                h = fnv(h, v, sizeof v);
                h = fnv_str(fnv_str(fnv_str(h, e[j].cause_id), e[j].event_id), e[j].event_ref);
                h = fnv_str(fnv_str(fnv_str(h, e[j].reason), e[j].revoked_event), e[j].revoked_ref);
            }
        } while (before);
    }
    ta->fail_at = fail_at;
    ta->calls = calls;
    return h;
}

/* Run the sequence with the k-th allocation failing (k = 0: none).
 * Returns the number of allocations failed; *digest gets the final digest. */
static size_t run_steps(const step *seq, size_t n_steps, size_t k, uint64_t *digest, size_t *n_enomem)
{
    talloc ta;
    memset(&ta, 0, sizeof ta);
    ta.fail_at = k;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.allocator.malloc = ta_malloc;
    o.allocator.realloc = ta_realloc;
    o.allocator.free = ta_free;
    o.allocator.payload = &ta;
    o.history_per_member = g_history;
    plaudit_ctx *ctx = NULL;
    int rc = plaudit_ctx_new(&ctx, &o);
    if (rc == PLAUDIT_ENOMEM) {
        assert_null(ctx);
        assert_int_equal(ta.live, 0);
        (*n_enomem)++;
        ta.fail_at = 0;
        rc = plaudit_ctx_new(&ctx, &o);
    }
    assert_int_equal(rc, PLAUDIT_OK);
    for (size_t i = 0; i < n_steps; i++) {
        const step *s = &seq[i];
        uint64_t d0 = plaudit_state_digest(ctx);
        size_t c0[7], c1[7];
        counts(ctx, c0);
        int64_t clock0 = plaudit_clock(ctx);
        uint64_t members0 = plaudit_member_count(ctx);
        size_t failed0 = ta.failed;
        uint64_t h0 = history_hash(ctx, &ta);
        rc = s->fn(ctx);
        if (ta.failed != failed0) {
            /* an allocation failed inside this call */
            if (rc != PLAUDIT_ENOMEM)
                fail_msg("k=%zu step %s: an allocation failed but it returned %d (%s)", k, s->name, rc,
                         plaudit_errmsg(ctx));
            if (s->fn != e_batch && plaudit_errmsg(ctx)[0] == 0) fail_msg("k=%zu step %s: ENOMEM without a message", k, s->name);
            if (s->fn != e_batch && plaudit_state_digest(ctx) != d0)
                fail_msg("k=%zu step %s: ENOMEM changed the digest (%s)", k, s->name, plaudit_errmsg(ctx));
            counts(ctx, c1);
            assert_memory_equal(c0, c1, sizeof c0);
            if (s->fn != e_batch) assert_int_equal(plaudit_clock(ctx), clock0);
            if (s->fn != e_batch) assert_int_equal(plaudit_member_count(ctx), members0);
            if (s->fn != e_batch && history_hash(ctx, &ta) != h0)
                fail_msg("k=%zu step %s: ENOMEM changed the points history", k, s->name);
            (*n_enomem)++;
            ta.fail_at = 0;
            rc = s->fn(ctx);
        }
        if (rc != s->expect)
            fail_msg("k=%zu step %s: got %d (%s), want %d", k, s->name, rc, plaudit_errmsg(ctx), s->expect);
    }
    *digest = plaudit_state_digest(ctx) ^ history_hash(ctx, &ta);
    plaudit_ctx_free(ctx);
    if (ta.live != 0) fail_msg("k=%zu: %zu blocks leaked", k, ta.live);
    return ta.failed;
}

static size_t run(size_t k, uint64_t *digest, size_t *n_enomem)
{
    return run_steps(steps, N_STEPS, k, digest, n_enomem);
}

static void test_each_allocation_fails_revoke(void **state)
{
    (void)state;
    uint64_t ref, d;
    size_t n_enomem = 0;
    assert_int_equal(run_steps(steps2, N_STEPS2, 0, &ref, &n_enomem), 0);
    size_t k = 1, total = 0;
    for (;; k++) {
        size_t before = n_enomem;
        size_t failed = run_steps(steps2, N_STEPS2, k, &d, &n_enomem);
        if (failed == 0) break;
        assert_int_equal(n_enomem, before + 1);
        if (d != ref) fail_msg("k=%zu: final digest differs from the run without failures", k);
        total++;
    }
    print_message("%zu allocation points of a format 2 program with revokes failed one by one\n", total);
    assert_true(total > 60);
}

static void test_each_allocation_fails_v2_rules(void **state)
{
    (void)state;
    uint64_t ref, d;
    size_t n_enomem = 0;
    assert_int_equal(run_steps(steps3, N_STEPS3, 0, &ref, &n_enomem), 0);
    size_t k = 1, total = 0;
    for (;; k++) {
        size_t before = n_enomem;
        size_t failed = run_steps(steps3, N_STEPS3, k, &d, &n_enomem);
        if (failed == 0) break;
        assert_int_equal(n_enomem, before + 1);
        if (d != ref) fail_msg("k=%zu: final digest differs from the run without failures", k);
        total++;
    }
    print_message("%zu allocation points of a program with teams, seasons, campaigns and challenges failed one by "
                  "one\n", total);
    assert_true(total > 80);
}

/* The same two sequences with the points history on (3 entries per
 * member, so the ring drops entries too): the failing call leaves the
 * history as it was, and the final history is that of the run without
 * failures. */
static void test_each_allocation_fails(void **state);
static void test_each_allocation_fails_history(void **state)
{
    g_history = 3;
    test_each_allocation_fails(state);
    test_each_allocation_fails_revoke(state);
    test_each_allocation_fails_v2_rules(state);
    g_history = 0;
}

static void test_each_allocation_fails(void **state)
{
    (void)state;
    uint64_t ref, d;
    size_t n_enomem = 0;
    assert_int_equal(run(0, &ref, &n_enomem), 0);
    assert_int_equal(n_enomem, 0);
    size_t k = 1, total = 0;
    for (;; k++) {
        size_t before = n_enomem;
        size_t failed = run(k, &d, &n_enomem);
        if (failed == 0) break; /* the sequence needs fewer than k allocations */
        assert_int_equal(n_enomem, before + 1);
        if (d != ref) fail_msg("k=%zu: final digest differs from the run without failures", k);
        total++;
    }
    print_message("%zu allocation points failed one by one\n", total);
    assert_true(total > 100); /* the sequence is representative */
}

/* Every allocation from some point on fails: each call fails cleanly. */
static void test_out_of_memory_for_good(void **state)
{
    (void)state;
    talloc ta;
    memset(&ta, 0, sizeof ta);
    plaudit_ctx *ctx = ctx_new_alloc(&ta);
    for (size_t i = 0; i < 27; i++) assert_int_equal(steps[i].fn(ctx), steps[i].expect); /* the program */
    ta.fail_at = ta.calls + 1;
    ta.fail_all = 1;
    uint64_t d0 = plaudit_state_digest(ctx);
    for (size_t i = 27; i < N_STEPS; i++) {
        if (steps[i].name[0] == 'q') continue; /* queries about members that were never created */
        int rc = steps[i].fn(ctx);
        assert_true(rc == PLAUDIT_ENOMEM || rc == steps[i].expect);
    }
    assert_true(plaudit_state_digest(ctx) == d0);
    assert_int_equal(plaudit_member_count(ctx), 0);
    plaudit_ctx_free(ctx);
    assert_int_equal(ta.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_allocation_fails),
        cmocka_unit_test(test_each_allocation_fails_revoke),
        cmocka_unit_test(test_each_allocation_fails_v2_rules),
        cmocka_unit_test(test_out_of_memory_for_good),
        cmocka_unit_test(test_each_allocation_fails_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
