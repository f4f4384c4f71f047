/* test-listeners.c - listener callbacks: each fires after the state change,
 * with the moment's data, in outcome order; mutating calls from inside a
 * callback fail with PLAUDIT_ESTATE and change nothing; queries work. */
#include "common.h"

typedef struct rec {
    plaudit_ctx *ctx;
    int n;
    char log[64][96];
    /* what the state looked like from inside the callbacks */
    int64_t points_seen[64];
    const char *tier_seen[64];
    uint64_t rank_seen[64];
    int reentry_codes[16];
    int n_reentry;
    uint64_t digest_in;
    int try_mutate;
} rec;

static void note(rec *r, const char *kind, const plaudit_moment *m)
{
    assert_true(r->n < 64);
    char extra[48] = "";
    switch (m->kind) {
    case PLAUDIT_MOMENT_POINTS: snprintf(extra, sizeof extra, "%+lld", (long long)m->points); break;
    case PLAUDIT_MOMENT_BADGE: snprintf(extra, sizeof extra, "%s/%u/%u", m->badge, m->level, m->times); break;
    case PLAUDIT_MOMENT_TIER: snprintf(extra, sizeof extra, "%s>%s", m->tier_from ? m->tier_from : "-", m->tier_to ? m->tier_to : "-"); break;
    case PLAUDIT_MOMENT_REDEEM: snprintf(extra, sizeof extra, "%s", m->reward); break;
    case PLAUDIT_MOMENT_KUDOS: snprintf(extra, sizeof extra, "%s", m->to); break;
    case PLAUDIT_MOMENT_REVOKE: snprintf(extra, sizeof extra, "%s%+lld", m->revoked_event ? m->revoked_event : "-", (long long)m->points); break;
    }
    snprintf(r->log[r->n], sizeof r->log[r->n], "%s:%s:%s@%lld", kind, m->member, extra, (long long)m->ts);
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(r->ctx, m->member, &mi), PLAUDIT_OK);
    r->points_seen[r->n] = mi.points;
    r->tier_seen[r->n] = mi.tier;
    uint64_t rank = 0;
    assert_int_equal(plaudit_leaderboard_rank(r->ctx, "all", m->member, &rank, NULL), PLAUDIT_OK);
    r->rank_seen[r->n] = rank;
    r->n++;
    if (r->try_mutate && r->n_reentry == 0) {
        plaudit_ctx *c = r->ctx;
        r->digest_in = plaudit_state_digest(c);
        int *k = r->reentry_codes;
        k[r->n_reentry++] = plaudit_record_action(c, m->ts, "intruder", "p", NULL, NULL);
        k[r->n_reentry++] = plaudit_record_tick(c, m->ts + 1, NULL, NULL);
        k[r->n_reentry++] = plaudit_record_adjust(c, m->ts, m->member, 5, NULL, NULL, NULL);
        plaudit_event ev = {.type = PLAUDIT_EVENT_JOIN, .ts = m->ts, .member = "x"};
        k[r->n_reentry++] = plaudit_record_batch(c, &ev, 1, NULL, NULL);
        k[r->n_reentry++] = action_full(c, "late", 1, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0);
        k[r->n_reentry++] = badge_manual(c, "late", 0);
        k[r->n_reentry++] = plaudit_program_set_name(c, "x");
        k[r->n_reentry++] = plaudit_listener_set(c, NULL);
        assert_true(plaudit_state_digest(c) == r->digest_in);
        assert_true(plaudit_errmsg(c)[0] != '\0');
        /* queries still work after the refused calls */
        char *doc = NULL;
        assert_int_equal(plaudit_state_export(c, &doc, NULL), PLAUDIT_OK);
        assert_non_null(strstr(doc, "plaudit.state/1"));
        plaudit_free(c, doc);
        plaudit_progress p;
        assert_int_equal(plaudit_member_progress(c, m->member, &p), PLAUDIT_OK);
        plaudit_rank_entry e[4];
        size_t n;
        assert_int_equal(plaudit_leaderboard_top(c, "all", 4, e, &n), PLAUDIT_OK);
        assert_true(plaudit_member_count(c) > 0);
    }
}

static void on_points(const plaudit_moment *m, void *p) { note(p, "points", m); }
static void on_badge(const plaudit_moment *m, void *p) { note(p, "badge", m); }
static void on_tier(const plaudit_moment *m, void *p) { note(p, "tier", m); }
static void on_redeem(const plaudit_moment *m, void *p) { note(p, "redeem", m); }
static void on_kudos(const plaudit_moment *m, void *p) { note(p, "kudos", m); }

static plaudit_ctx *setup(rec *r)
{
    memset(r, 0, sizeof *r);
    plaudit_ctx *ctx = ctx_new();
    r->ctx = ctx;
    action(ctx, "p", 10);
    tier(ctx, "base", 0);
    tier(ctx, "silver", 20);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    assert_int_equal(badge_one(ctx, "first", PLAUDIT_CRITERION_ACTION_COUNT, "p", 1, 5), PLAUDIT_OK);
    assert_int_equal(kudos_full(ctx, 5, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r", 10, PLAUDIT_UNSET), PLAUDIT_OK);
    plaudit_listener l = PLAUDIT_LISTENER_INIT;
    l.on_points = on_points;
    l.on_badge = on_badge;
    l.on_tier = on_tier;
    l.on_redeem = on_redeem;
    l.on_kudos = on_kudos;
    l.payload = r;
    assert_int_equal(plaudit_listener_set(ctx, &l), PLAUDIT_OK);
    return ctx;
}

static void test_order_and_data(void **state)
{
    (void)state;
    rec r;
    plaudit_ctx *ctx = setup(&r);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "p", NULL, &o), PLAUDIT_OK);
    /* 10 for p -> base tier -> first (+5) = 15 */
    assert_int_equal(r.n, 4);
    assert_int_equal(o.n_moments, 4);
    assert_string_equal(r.log[0], "points:m:+10@1767225600");
    assert_string_equal(r.log[1], "tier:m:->base@1767225600");
    assert_string_equal(r.log[2], "badge:m:first/1/1@1767225600");
    assert_string_equal(r.log[3], "points:m:+5@1767225600");
    /* every callback ran after the whole event: it saw the final state */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.points_seen[i], 15);
        assert_string_equal(r.tier_seen[i], "base");
        assert_int_equal(r.rank_seen[i], 1); /* leaderboards updated too */
    }
    r.n = 0;
    assert_int_equal(plaudit_record_kudos(ctx, T_2026 + 1, "k", "m", NULL, NULL), PLAUDIT_OK);
    /* the giver k is new: evaluated first (reaches base), then m */
    assert_int_equal(r.n, 4);
    assert_string_equal(r.log[0], "kudos:k:m@1767225601");
    assert_string_equal(r.log[1], "points:m:+5@1767225601");
    assert_string_equal(r.log[2], "tier:k:->base@1767225601");
    assert_string_equal(r.log[3], "tier:m:base>silver@1767225601");
    assert_int_equal(r.points_seen[0], 0); /* the giver */
    assert_int_equal(r.points_seen[1], 20);
    r.n = 0;
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 2, "m", "r", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.log[0], "redeem:m:r@1767225602");
    /* rejected and duplicate events call nothing */
    r.n = 0;
    assert_int_equal(plaudit_record_redeem(ctx, T_2026 + 3, "k", "r", NULL, NULL), PLAUDIT_EFUNDS);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 3, "m", "p", "id", NULL), PLAUDIT_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 3, "m", "p", "id", NULL), PLAUDIT_DUPLICATE);
    assert_int_equal(r.n, 1);
    /* NULL callbacks are skipped; removing the listener stops them */
    plaudit_listener l = PLAUDIT_LISTENER_INIT;
    l.on_badge = on_badge;
    l.payload = &r;
    assert_int_equal(plaudit_listener_set(ctx, &l), PLAUDIT_OK);
    r.n = 0;
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 4, "n", "p", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.log[0], "badge:n:first/1/1@1767225604");
    assert_int_equal(plaudit_listener_set(ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 5, "o", "p", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(r.n, 1);
    plaudit_ctx_free(ctx);
}

static void test_batch_delivers(void **state)
{
    (void)state;
    rec r;
    plaudit_ctx *ctx = setup(&r);
    plaudit_event ev[2] = {
        {.type = PLAUDIT_EVENT_ACTION, .ts = T_2026, .member = "a", .target = "p"},
        {.type = PLAUDIT_EVENT_ADJUST, .ts = T_2026, .member = "a", .points = 1},
    };
    assert_int_equal(plaudit_record_batch(ctx, ev, 2, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.points_seen[0], 15); /* after the first event only */
    assert_string_equal(r.log[4], "points:a:+1@1767225600");
    assert_int_equal(r.points_seen[4], 16);
    plaudit_ctx_free(ctx);
}

static void test_reentry_refused(void **state)
{
    (void)state;
    rec r;
    plaudit_ctx *ctx = setup(&r);
    r.try_mutate = 1;
    uint64_t before = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_action(ctx, T_2026, "m", "p", NULL, NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ctx) != before);
    assert_int_equal(r.n_reentry, 8);
    for (int i = 0; i < r.n_reentry; i++) {
        if (r.reentry_codes[i] != PLAUDIT_ESTATE) fail_msg("re-entrant call %d returned %d", i, r.reentry_codes[i]);
    }
    /* nothing of it happened */
    assert_int_equal(plaudit_member_count(ctx), 1);
    assert_int_equal(points_of(ctx, "m"), 15);
    assert_int_equal(plaudit_clock(ctx), T_2026);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(ctx, &pi), PLAUDIT_OK);
    assert_int_equal(pi.n_actions, 1);
    assert_int_equal(pi.n_badges, 1);
    assert_null(pi.name);
    /* the listener is still set, and events work again after the callback */
    r.try_mutate = 0;
    r.n = 0;
    assert_int_equal(plaudit_record_action(ctx, T_2026 + 1, "m", "p", NULL, NULL), PLAUDIT_OK);
    assert_true(r.n > 0);
    plaudit_stats st;
    assert_int_equal(plaudit_stats_get(ctx, &st), PLAUDIT_OK);
    assert_int_equal(st.accepted, 2);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_data),
        cmocka_unit_test(test_batch_delivers),
        cmocka_unit_test(test_reentry_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
