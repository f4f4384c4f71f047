/* test-seasons.c - seasons (format 2): points counted only inside the
 * range, the close at `until` with its leaderboard badges (ties and
 * opt-outs), the frozen standings answering rank queries, a season whose
 * periods roll over inside the range, and the load errors of seasons. */
#include "v2-common.h"

#define F (T_2026 + 4 * DAY)
#define U (T_2026 + 31 * DAY)

static void test_close_and_freeze(void **state)
{
    (void)state;
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
             "\"leaderboards\":[{\"id\":\"winter\",\"period\":\"all\",\"from\":%lld,\"until\":%lld}],"
             "\"badges\":[{\"id\":\"top\",\"bonus\":100,\"when\":{\"leaderboard\":\"winter\",\"top\":2}}]}",
             (long long)F, (long long)U);
    plaudit_ctx *c = load_doc(doc);
    ACT(c, T_2026, "alice", "a"); /* before the season */
    int64_t s;
    assert_int_equal(rank_of(c, "winter", "alice", &s), 0);
    ACT(c, F, "alice", "a");
    ACT(c, F + 1, "bob", "a");   /* tie with alice, later: second */
    ACT(c, F + 2, "carol", "a");
    ACT(c, F + 3, "carol", "a"); /* carol first */
    assert_int_equal(plaudit_record_preferences(c, F + 4, "carol", 0, NULL, NULL), PLAUDIT_OK); /* opts out */
    assert_int_equal(rank_of(c, "winter", "alice", &s), 1);
    assert_int_equal(s, 10);
    /* the clock reaches until: the season closes (top 2 = alice, bob) */
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(c, U, "dave", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "alice", "top"), 1);
    assert_int_equal(badge_n(c, "bob", "top"), 1);
    assert_int_equal(badge_n(c, "carol", "top"), 0);
    assert_int_equal(points_of(c, "alice"), 120);
    /* frozen: the bonuses and later points do not touch it */
    assert_int_equal(rank_of(c, "winter", "alice", &s), 1);
    assert_int_equal(s, 10);
    assert_int_equal(rank_of(c, "winter", "bob", &s), 2);
    assert_int_equal(rank_of(c, "winter", "dave", &s), 0);
    assert_int_equal(plaudit_record_preferences(c, U + 1, "bob", 0, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(rank_of(c, "winter", "bob", &s), 2); /* standings stay */
    ACT(c, U + 2, "alice", "a");
    assert_int_equal(plaudit_record_tick(c, U + 40 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "alice", "top"), 1); /* no second close */
    uint64_t n;
    assert_int_equal(plaudit_leaderboard_count(c, "winter", &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(c, "winter", &li), PLAUDIT_OK);
    assert_true(li.frozen);
    assert_int_equal(li.from, F);
    assert_int_equal(li.until, U);
    plaudit_ctx_free(c);
}

/* A rejected event that would have closed the season closes nothing. */
static void test_rejected_closes_nothing(void **state)
{
    (void)state;
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
             "\"leaderboards\":[{\"id\":\"s\",\"period\":\"week\",\"from\":%lld,\"until\":%lld}]}",
             (long long)F, (long long)U);
    plaudit_ctx *c = load_doc(doc);
    ACT(c, F, "alice", "a");
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_action(c, U, "alice", "nope", NULL, NULL));
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(c, "s", &li), PLAUDIT_OK);
    assert_false(li.frozen);
    /* a weekly season rolls over inside its range */
    ACT(c, F + 7 * DAY, "bob", "a");
    int64_t s;
    assert_int_equal(rank_of(c, "s", "alice", &s), 0);
    assert_int_equal(rank_of(c, "s", "bob", &s), 1);
    ACT(c, U + 1, "carol", "a");
    assert_int_equal(plaudit_leaderboard_info_get(c, "s", &li), PLAUDIT_OK);
    assert_true(li.frozen);
    assert_int_equal(rank_of(c, "s", "bob", &s), 1);
    assert_int_equal(s, 10);
    plaudit_ctx_free(c);
}

static void test_load_errors(void **state)
{
    (void)state;
    load_fails("{\"format\":\"plaudit.program/2\",\"leaderboards\":[{\"id\":\"s\",\"period\":\"all\",\"from\":10}]}",
               PLAUDIT_EPARSE, "leaderboards[0].until");
    load_fails("{\"format\":\"plaudit.program/2\",\"leaderboards\":[{\"id\":\"s\",\"period\":\"all\",\"from\":10,\"until\":9}]}",
               PLAUDIT_EINVAL, "leaderboards[0].until");
    load_fails("{\"format\":\"plaudit.program/2\",\"leaderboards\":[{\"id\":\"s\",\"period\":\"all\",\"from\":\"x\",\"until\":9}]}",
               PLAUDIT_EPARSE, "leaderboards[0].from");
    load_fails("{\"format\":\"plaudit.program/1\",\"leaderboards\":[{\"id\":\"s\",\"period\":\"all\",\"from\":1,\"until\":9}]}",
               PLAUDIT_EPARSE, "leaderboards[0].from: unknown key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_and_freeze),
        cmocka_unit_test(test_rejected_closes_nothing),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
