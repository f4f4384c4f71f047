/* test-state.c - the state document and the digest: the spec's five worked
 * examples declared and fed in C, compared with their expected.json (after
 * stripping trailing whitespace); determinism across member-creation order;
 * the digest tells different states apart. */
#include "common.h"

#ifndef PLAUDIT_EXAMPLES_DIR
#error "PLAUDIT_EXAMPLES_DIR must name the copies of the spec examples"
#endif

static void compare_with(plaudit_ctx *ctx, const char *example)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/expected.json", PLAUDIT_EXAMPLES_DIR, example);
    char *want_raw = read_text_file(path);
    char *doc = NULL;
    size_t len = 0;
    assert_int_equal(plaudit_state_export(ctx, &doc, &len), PLAUDIT_OK);
    assert_non_null(doc);
    assert_int_equal(strlen(doc), len);
    assert_true(len > 0 && doc[len - 1] == '\n');
    char *got = strip_trailing(doc), *want = strip_trailing(want_raw);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "---- got (%s)\n%s\n---- want\n%s\n", example, got, want);
        fail_msg("state document of %s differs", example);
    }
    /* exporting does not change the state and is repeatable */
    uint64_t d = plaudit_state_digest(ctx);
    char *doc2 = NULL;
    assert_int_equal(plaudit_state_export(ctx, &doc2, NULL), PLAUDIT_OK);
    assert_string_equal(doc, doc2);
    assert_true(plaudit_state_digest(ctx) == d);
    plaudit_free(ctx, doc2);
    plaudit_free(ctx, doc);
    free(got);
    free(want);
    free(want_raw);
}

static void ex01(plaudit_ctx *ctx, int reorder)
{
    (void)reorder;
    assert_int_equal(plaudit_program_set_name(ctx, "limits"), PLAUDIT_OK);
    assert_int_equal(action_full(ctx, "a", 10, 0, 0, 25, PLAUDIT_UNSET, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(action_full(ctx, "b", 100, 0, 3600, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    assert_int_equal(action_full(ctx, "c", 50, 1, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0), PLAUDIT_OK);
    action(ctx, "d", -30);
    board(ctx, "all", PLAUDIT_PERIOD_ALL);
    const struct { int64_t ts; const char *a; } ev[] = {
        {1767225600, "a"}, {1767225601, "a"}, {1767225602, "a"}, {1767225603, "a"}, {1767312000, "a"},
        {1767312001, "b"}, {1767315600, "b"}, {1767315601, "b"}, {1767315602, "c"}, {1767315603, "c"},
        {1767315604, "d"},
    };
    for (size_t i = 0; i < sizeof ev / sizeof *ev; i++) ACT(ctx, ev[i].ts, "alice", ev[i].a);
    assert_int_equal(plaudit_record_adjust(ctx, 1767315605, "alice", -1000, "reset", NULL, NULL), PLAUDIT_OK);
    ACT(ctx, 1767315606, "alice", "a");
}

static void ex02(plaudit_ctx *ctx, int reorder)
{
    assert_int_equal(plaudit_program_set_name(ctx, "boards"), PLAUDIT_OK);
    action(ctx, "p", 10);
    action(ctx, "q", 20);
    assert_int_equal(board_full(ctx, "all", PLAUDIT_PERIOD_ALL, NULL, 10), PLAUDIT_OK);
    assert_int_equal(board_full(ctx, "weekly", PLAUDIT_PERIOD_WEEK, NULL, 3), PLAUDIT_OK);
    assert_int_equal(badge_board(ctx, "top-weekly", "weekly", 2, 5), PLAUDIT_OK);
    if (!reorder) {
        ACT(ctx, 1767571200, "alice", "p");
        ACT(ctx, 1767571210, "bob", "p");
        ACT(ctx, 1767571220, "carol", "q");
        ACT(ctx, 1767571230, "dave", "p");
    } else {
        /* the same events, members created in another order: the events
         * of different members at different ts commute as long as the
         * clock is not moved past another member's later event */
        ACT(ctx, 1767571200, "alice", "p");
        ACT(ctx, 1767571230, "dave", "p");
        ACT(ctx, 1767571220, "carol", "q");
        ACT(ctx, 1767571210, "bob", "p");
    }
    assert_int_equal(plaudit_record_preferences(ctx, 1767571240, "carol", 0, NULL, NULL), PLAUDIT_OK);
    ACT(ctx, 1768176000, "erin", "p");
}

static void ex03(plaudit_ctx *ctx, int reorder)
{
    (void)reorder;
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
    const int64_t ts[] = {1768046400, 1768050000, 1768053600, 1771156800, 1773576000,
                          1773655200, 1773655260, 1773655320, 1773655380, 1773655440};
    for (size_t i = 0; i < 10; i++) ACT(ctx, ts[i], "m", "s");
    assert_int_equal(plaudit_record_adjust(ctx, 1773748800, "m", -900, NULL, NULL, NULL), PLAUDIT_OK);
}

static void ex04(plaudit_ctx *ctx, int reorder)
{
    assert_int_equal(plaudit_program_set_name(ctx, "local days"), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_timezone(ctx, "Europe/Amsterdam"), PLAUDIT_OK);
    action(ctx, "v", 1);
    int64_t three = 3, two = 2;
    plaudit_badge_def s = PLAUDIT_BADGE_DEF_INIT;
    s.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
    s.action = "v";
    s.per = PLAUDIT_PERIOD_DAY;
    s.n_thresholds = 1;
    s.id = "streak3";
    s.thresholds = &three;
    assert_int_equal(plaudit_badge_declare(ctx, &s), PLAUDIT_OK);
    plaudit_badge_def r = PLAUDIT_BADGE_DEF_INIT;
    r.id = "twice-a-day";
    r.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    r.action = "v";
    r.within = PLAUDIT_PERIOD_DAY;
    r.repeatable = 1;
    r.thresholds = &two;
    r.n_thresholds = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &r), PLAUDIT_OK);
    s.id = "streak2";
    s.thresholds = &two;
    assert_int_equal(plaudit_badge_declare(ctx, &s), PLAUDIT_OK);
    const int64_t mts[] = {1774654200, 1774737000, 1774740600, 1774823400, 1774907100};
    if (reorder) { /* n first: no boards, so the clock order does not matter */
        ACT(ctx, 1774737001, "n", "v");
        ACT(ctx, 1774823401, "n", "v");
    }
    for (size_t i = 0; i < 5; i++) ACT(ctx, mts[i], "m", "v");
    if (!reorder) {
        ACT(ctx, 1774737001, "n", "v");
        ACT(ctx, 1774823401, "n", "v");
    }
}

static void ex05(plaudit_ctx *ctx, int reorder)
{
    (void)reorder;
    assert_int_equal(plaudit_program_set_name(ctx, "kudos and rewards"), PLAUDIT_OK);
    action(ctx, "w", 100);
    assert_int_equal(kudos_full(ctx, 5, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, 1, PLAUDIT_PERIOD_DAY), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r1", 150, 1), PLAUDIT_OK);
    assert_int_equal(reward(ctx, "r2", 50, PLAUDIT_UNSET), PLAUDIT_OK);
    const int64_t t = 1767225600;
    ACT(ctx, t, "alice", "w");
    assert_int_equal(plaudit_record_kudos(ctx, t + 1, "alice", "bob", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_kudos(ctx, t + 2, "alice", "carol", NULL, NULL), PLAUDIT_ELIMIT);
    assert_int_equal(plaudit_record_kudos(ctx, t + 3, "bob", "bob", NULL, NULL), PLAUDIT_ESELF);
    assert_int_equal(plaudit_record_redeem(ctx, t + 4, "alice", "r1", NULL, NULL), PLAUDIT_EFUNDS);
    ACT(ctx, t + 5, "alice", "w");
    assert_int_equal(plaudit_record_redeem(ctx, t + 6, "alice", "r1", NULL, NULL), PLAUDIT_OK);
    ACT(ctx, t + 7, "bob", "w");
    ACT(ctx, t + 7, "bob", "w");
    assert_int_equal(plaudit_record_redeem(ctx, t + 8, "bob", "r1", NULL, NULL), PLAUDIT_ESTOCK);
    assert_int_equal(plaudit_record_redeem(ctx, t + 9, "bob", "r2", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, t + 10, "alice", "w", "x1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, t + 10, "alice", "w", "x1", NULL), PLAUDIT_DUPLICATE);
    assert_int_equal(plaudit_record_action(ctx, t + 12, "alice", "w", "x1", NULL), PLAUDIT_ECONFLICT);
    assert_int_equal(plaudit_record_action(ctx, t + 5, "alice", "w", NULL, NULL), PLAUDIT_ETIME);
    /* the malformed line: an event the C API rejects as malformed */
    assert_int_equal(plaudit_record_action(ctx, 1, NULL, NULL, NULL, NULL), PLAUDIT_EINVAL);
}

typedef void (*feeder)(plaudit_ctx *, int);

static void run_example(const char *name, feeder f)
{
    plaudit_ctx *ctx = ctx_new();
    f(ctx, 0);
    compare_with(ctx, name);
    plaudit_ctx_free(ctx);
}

static void test_example_01(void **state) { (void)state; run_example("01-caps-cooldown-once", ex01); }
static void test_example_02(void **state) { (void)state; run_example("02-leaderboard-ties-and-close", ex02); }
static void test_example_03(void **state) { (void)state; run_example("03-qualification-and-lifetime-tiers", ex03); }
static void test_example_04(void **state) { (void)state; run_example("04-dst-days-streaks-repeatable", ex04); }
static void test_example_05(void **state) { (void)state; run_example("05-kudos-rewards-idempotency", ex05); }

static void test_empty_document(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    char *doc = NULL;
    assert_int_equal(plaudit_state_export(ctx, &doc, NULL), PLAUDIT_OK);
    char *got = strip_trailing(doc);
    assert_string_equal(got, "{\n \"format\": \"plaudit.state/1\",\n \"clock\": null,\n \"members\": {},\n"
                             " \"leaderboards\": {},\n \"rewards\": {},\n \"stats\": {\n  \"accepted\": 0,\n"
                             "  \"duplicates\": 0,\n  \"rejected\": 0\n }\n}");
    free(got);
    plaudit_free(ctx, doc);
    plaudit_ctx_free(ctx);
}

/* Ids that need JSON escaping are escaped, members listed in byte order. */
static void test_escaping_and_order(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 1);
    ACT(ctx, 1, "z\"q\\", "p");
    ACT(ctx, 2, "\xc3\xa9t\xc3\xa9", "p");
    ACT(ctx, 3, "A", "p");
    char *doc = NULL;
    assert_int_equal(plaudit_state_export(ctx, &doc, NULL), PLAUDIT_OK);
    const char *a = strstr(doc, "\"A\": {");
    const char *z = strstr(doc, "\"z\\\"q\\\\\": {");
    const char *e = strstr(doc, "\"\xc3\xa9t\xc3\xa9\": {");
    assert_non_null(a);
    assert_non_null(z);
    assert_non_null(e);
    assert_true(a < z && z < e); /* 'A' < 'z' < 0xc3 */
    plaudit_free(ctx, doc);
    plaudit_ctx_free(ctx);
}

/* Deterministic: the same state reached with members created in another
 * order gives the same digest and document. */
static void test_creation_order(void **state)
{
    (void)state;
    feeder fs[2] = {ex02, ex04};
    for (int i = 0; i < 2; i++) {
        plaudit_ctx *a = ctx_new(), *b = ctx_new();
        fs[i](a, 0);
        fs[i](b, 1);
        const char *ida[8], *idb[8];
        size_t na, nb;
        assert_int_equal(plaudit_member_list(a, 0, 8, ida, &na, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_member_list(b, 0, 8, idb, &nb, NULL), PLAUDIT_OK);
        assert_int_equal(na, nb);
        assert_string_not_equal(ida[1], idb[1]); /* really another order */
        assert_true(plaudit_state_digest(a) == plaudit_state_digest(b));
        char *da, *db;
        assert_int_equal(plaudit_state_export(a, &da, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_state_export(b, &db, NULL), PLAUDIT_OK);
        assert_string_equal(da, db);
        plaudit_free(a, da);
        plaudit_free(b, db);
        plaudit_ctx_free(a);
        plaudit_ctx_free(b);
    }
    /* idempotency keys accepted in another order */
    plaudit_ctx *a = ctx_new(), *b = ctx_new();
    action(a, "p", 1);
    action(b, "p", 1);
    assert_int_equal(plaudit_record_action(a, 5, "x", "p", "k1", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(a, 5, "y", "p", "k2", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(b, 5, "y", "p", "k2", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(b, 5, "x", "p", "k1", NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(a) == plaudit_state_digest(b));
    plaudit_ctx_free(a);
    plaudit_ctx_free(b);
}

/* The digest tells states apart: any accepted change moves it. */
static void test_digest_changes(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    action(ctx, "p", 1);
    action(ctx, "zero", 0);
    assert_int_equal(badge_manual(ctx, "b", 0), PLAUDIT_OK);
    uint64_t seen[16];
    int n = 0;
    seen[n++] = plaudit_state_digest(ctx);
    ACT(ctx, 10, "m", "p");
    seen[n++] = plaudit_state_digest(ctx);
    ACT(ctx, 10, "m", "zero"); /* no points, but a count */
    seen[n++] = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_preferences(ctx, 10, "m", 0, NULL, NULL), PLAUDIT_OK);
    seen[n++] = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_award(ctx, 10, "m", "b", NULL, NULL), PLAUDIT_OK);
    seen[n++] = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_tick(ctx, 11, NULL, NULL), PLAUDIT_OK); /* only the clock */
    seen[n++] = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_tick(ctx, 11, "key", NULL), PLAUDIT_OK); /* only a key */
    seen[n++] = plaudit_state_digest(ctx);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) assert_true(seen[i] != seen[j]);
    /* the same history in another context gives the same digest */
    plaudit_ctx *c2 = ctx_new();
    action(c2, "p", 1);
    action(c2, "zero", 0);
    assert_int_equal(badge_manual(c2, "b", 0), PLAUDIT_OK);
    ACT(c2, 10, "m", "p");
    assert_true(plaudit_state_digest(c2) == seen[1]);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_01),      cmocka_unit_test(test_example_02),
        cmocka_unit_test(test_example_03),      cmocka_unit_test(test_example_04),
        cmocka_unit_test(test_example_05),      cmocka_unit_test(test_empty_document),
        cmocka_unit_test(test_escaping_and_order), cmocka_unit_test(test_creation_order),
        cmocka_unit_test(test_digest_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
