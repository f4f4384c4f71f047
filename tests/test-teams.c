/* test-teams.c - teams and team boards (format 2) through the public API:
 * the team event, a team switch mid-period, opted-out members on team
 * boards, the rank queries on team boards, the bad-input table of team
 * ids, rejected events changing nothing, allocation failures, and a store
 * round trip (snapshot + journal) to the same digest. */
#include <stdlib.h>
#include <unistd.h>

#include "v2-common.h"

static const char *PROG = "{\"format\":\"plaudit.program/2\","
                          "\"actions\":[{\"id\":\"sale\",\"points\":100},{\"id\":\"call\",\"points\":10}],"
                          "\"leaderboards\":[{\"id\":\"teams-all\",\"period\":\"all\",\"by\":\"team\"},"
                          "{\"id\":\"teams-month\",\"period\":\"month\",\"by\":\"team\"},"
                          "{\"id\":\"members\",\"period\":\"all\"}]}";

static void team_score(plaudit_ctx *c, const char *board, const char *team, uint64_t rank, int64_t score)
{
    uint64_t r = 99;
    int64_t s = -1;
    assert_int_equal(plaudit_leaderboard_rank(c, board, team, &r, &s), PLAUDIT_OK);
    assert_int_equal(r, rank);
    assert_int_equal(s, score);
}

static void test_switch_mid_period(void **state)
{
    (void)state;
    plaudit_ctx *c = load_doc(PROG);
    TEAM(c, T_2026, "alice", "red");
    assert_string_equal(team_of(c, "alice"), "red");
    ACT(c, T_2026 + 10, "alice", "sale");  /* red 100 */
    ACT(c, T_2026 + 20, "bob", "call");    /* no team */
    TEAM(c, T_2026 + DAY, "alice", "blue"); /* mid-month */
    ACT(c, T_2026 + DAY + 10, "alice", "call");
    team_score(c, "teams-all", "red", 1, 100);
    team_score(c, "teams-all", "blue", 2, 10);
    team_score(c, "teams-month", "red", 1, 100);
    /* joining the team one is in changes nothing */
    uint64_t d = plaudit_state_digest(c);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_team(c, T_2026 + DAY + 20, "alice", "blue", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.n_moments, 0);
    assert_true(plaudit_state_digest(c) != d); /* the clock and the member's last time moved */
    uint64_t members = 0;
    assert_int_equal(plaudit_team_members(c, "blue", &members), PLAUDIT_OK);
    assert_int_equal(members, 1);
    assert_int_equal(plaudit_team_members(c, "red", &members), PLAUDIT_OK);
    assert_int_equal(members, 0);
    /* leaving: later points count for no team */
    TEAM(c, T_2026 + 2 * DAY, "alice", NULL);
    assert_null(team_of(c, "alice"));
    ACT(c, T_2026 + 2 * DAY + 1, "alice", "sale");
    team_score(c, "teams-all", "blue", 2, 10);
    /* leaving when in none is accepted */
    TEAM(c, T_2026 + 2 * DAY + 2, "alice", NULL);
    /* a new month: the monthly team board starts empty */
    TEAM(c, T_2026 + 31 * DAY, "carol", "blue");
    ACT(c, T_2026 + 31 * DAY + 1, "carol", "call");
    team_score(c, "teams-month", "red", 0, 0);
    team_score(c, "teams-month", "blue", 1, 10);
    uint64_t n = 0;
    assert_int_equal(plaudit_leaderboard_count(c, "teams-month", &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    plaudit_rank_entry top[4];
    size_t got = 0;
    assert_int_equal(plaudit_leaderboard_top(c, "teams-all", 4, top, &got), PLAUDIT_OK);
    assert_int_equal(got, 2);
    assert_string_equal(top[0].member, "red");
    assert_string_equal(top[1].member, "blue");
    assert_int_equal(top[1].score, 20);
    assert_int_equal(plaudit_leaderboard_around(c, "teams-all", "blue", 1, top, &got), PLAUDIT_OK);
    assert_int_equal(got, 2);
    assert_int_equal(top[1].rank, 2);
    /* a team never named */
    uint64_t r;
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_leaderboard_rank(c, "teams-all", "green", &r, NULL));
    assert_int_equal(plaudit_team_count(c), 2);
    const char *ids[4];
    size_t k;
    uint64_t next;
    assert_int_equal(plaudit_team_list(c, 0, 4, ids, &k, &next), PLAUDIT_OK);
    assert_int_equal(k, 2);
    assert_string_equal(ids[0], "red");
    assert_string_equal(ids[1], "blue");
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(c, "teams-all", &li), PLAUDIT_OK);
    assert_int_equal(li.by, PLAUDIT_BY_TEAM);
    assert_int_equal(li.count, 2);
    plaudit_ctx_free(c);
}

static void test_opted_out_members_count(void **state)
{
    (void)state;
    plaudit_ctx *c = load_doc(PROG);
    TEAM(c, T_2026, "alice", "red");
    TEAM(c, T_2026, "bob", "red");
    assert_int_equal(plaudit_record_preferences(c, T_2026 + 1, "alice", 0, NULL, NULL), PLAUDIT_OK);
    ACT(c, T_2026 + 2, "alice", "sale");
    ACT(c, T_2026 + 3, "bob", "call");
    team_score(c, "teams-all", "red", 1, 110);
    assert_int_equal(rank_of(c, "members", "alice", NULL), 0); /* she is off the member board */
    assert_int_equal(rank_of(c, "members", "bob", NULL), 1);
    /* ties: the earlier last change first, then the id */
    TEAM(c, T_2026 + 4, "carol", "aaa");
    ACT(c, T_2026 + 5, "carol", "sale");
    ACT(c, T_2026 + 5, "carol", "call");
    team_score(c, "teams-all", "red", 1, 110);
    team_score(c, "teams-all", "aaa", 2, 110);
    char *s = state_of(c);
    assert_non_null(strstr(s, "\"format\": \"plaudit.state/2\""));
    assert_non_null(strstr(s, "\"team\": \"red\""));
    assert_non_null(strstr(s, "\"teams-all\": [\n   [\n    \"red\",\n    110\n   ],\n   [\n    \"aaa\""));
    plaudit_free(c, s);
    plaudit_ctx_free(c);
}

/* The bad-input table of team ids (they follow the rules of member ids). */
static void test_bad_team_ids(void **state)
{
    (void)state;
    plaudit_ctx *c = load_doc(PROG);
    ACT(c, T_2026, "alice", "sale");
    char long_id[200];
    memset(long_id, 'x', 129);
    long_id[129] = '\0';
    char max_id[200];
    memset(max_id, 'y', 128);
    max_id[128] = '\0';
    static const struct {
        const char *team;
        int code;
    } bad[] = {{"", PLAUDIT_ESTRING},         {"a\x01", PLAUDIT_ESTRING},  {"a\x7f", PLAUDIT_ESTRING},
               {"\xc2\x85", PLAUDIT_ESTRING}, {"\xff", PLAUDIT_EUTF8},      {"\xc3", PLAUDIT_EUTF8},
               {"\xed\xa0\x80", PLAUDIT_EUTF8}, {"a\nb", PLAUDIT_ESTRING}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        REJECTS(c, bad[i].code, plaudit_record_team(c, T_2026 + 1, "alice", bad[i].team, NULL, NULL));
    REJECTS(c, PLAUDIT_ESTRING, plaudit_record_team(c, T_2026 + 1, "alice", long_id, NULL, NULL));
    REJECTS(c, PLAUDIT_ETIME, plaudit_record_team(c, T_2026 - 1, "alice", "red", NULL, NULL));
    REJECTS(c, PLAUDIT_EINVAL, plaudit_record_team(c, T_2026 + 1, NULL, "red", NULL, NULL));
    /* valid: any UTF-8 up to 128 bytes, spaces and capitals included */
    TEAM(c, T_2026 + 2, "alice", max_id);
    TEAM(c, T_2026 + 3, "alice", "Acme Corp \xc3\xa9");
    assert_string_equal(team_of(c, "alice"), "Acme Corp \xc3\xa9");
    /* the JSON line reader */
    const char *line = "{\"ts\": 1767225700, \"type\": \"team\", \"member\": \"bob\", \"team\": \"red\"}";
    assert_int_equal(plaudit_record_json(c, line, strlen(line), NULL), PLAUDIT_OK);
    assert_string_equal(team_of(c, "bob"), "red");
    line = "{\"ts\": 1767225701, \"type\": \"team\", \"member\": \"bob\", \"team\": 5}";
    assert_true(plaudit_record_json(c, line, strlen(line), NULL) < 0);
    plaudit_ctx_free(c);

    /* a format 1 program knows no team event */
    c = load_doc("{\"format\":\"plaudit.program/1\"}");
    REJECTS(c, PLAUDIT_EVERSION, plaudit_record_team(c, T_2026, "alice", "red", NULL, NULL));
    plaudit_ctx_free(c);
}

static void test_load_errors(void **state)
{
    (void)state;
    load_fails("{\"format\":\"plaudit.program/2\",\"segments\":[{\"id\":\"s\",\"weights\":{}}],"
               "\"leaderboards\":[{\"id\":\"t\",\"period\":\"all\",\"by\":\"team\",\"segment\":\"s\"}]}",
               PLAUDIT_EINVAL, "leaderboards[0].segment");
    load_fails("{\"format\":\"plaudit.program/2\",\"leaderboards\":[{\"id\":\"t\",\"period\":\"all\",\"by\":\"team\"}],"
               "\"badges\":[{\"id\":\"b\",\"when\":{\"leaderboard\":\"t\",\"top\":1}}]}",
               PLAUDIT_EINVAL, "badges[0]");
    load_fails("{\"format\":\"plaudit.program/2\",\"leaderboards\":[{\"id\":\"t\",\"period\":\"all\",\"by\":\"group\"}]}",
               PLAUDIT_EPARSE, "leaderboards[0].by");
    /* a format 1 document does not know the key */
    load_fails("{\"format\":\"plaudit.program/1\",\"leaderboards\":[{\"id\":\"t\",\"period\":\"all\",\"by\":\"team\"}]}",
               PLAUDIT_EPARSE, "leaderboards[0].by: unknown key");
    /* nor the C call with a format 1 program */
    plaudit_ctx *c = ctx_new();
    plaudit_leaderboard_def d = PLAUDIT_LEADERBOARD_DEF_INIT;
    d.id = "t";
    d.period = PLAUDIT_PERIOD_ALL;
    d.by = PLAUDIT_BY_TEAM;
    assert_int_equal(plaudit_leaderboard_declare(c, &d), PLAUDIT_EVERSION);
    assert_int_equal(plaudit_program_set_format(c, 2), PLAUDIT_OK);
    assert_int_equal(plaudit_leaderboard_declare(c, &d), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(c, 1), PLAUDIT_EVERSION); /* uses format 2 */
    /* a version 1 struct is still read (its fields only) */
    plaudit_leaderboard_def d1 = PLAUDIT_LEADERBOARD_DEF_INIT;
    d1.version = 1;
    d1.id = "m";
    d1.period = PLAUDIT_PERIOD_DAY;
    d1.by = (plaudit_board_by)77; /* past a version 1 struct: not read */
    assert_int_equal(plaudit_leaderboard_declare(c, &d1), PLAUDIT_OK);
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(c, "m", &li), PLAUDIT_OK);
    assert_int_equal(li.by, PLAUDIT_BY_MEMBER);
    plaudit_ctx_free(c);
}

/* A team board that is a season: only points inside the range count; at
 * until it freezes with the teams' standings, which answer the rank
 * queries; later points, switches and a rejected event change nothing on
 * it, while the other team board goes on. */
static void test_team_season(void **state)
{
    (void)state;
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"sale\",\"points\":100},"
             "{\"id\":\"call\",\"points\":10}],\"leaderboards\":[{\"id\":\"q-teams\",\"period\":\"all\",\"by\":"
             "\"team\",\"from\":%lld,\"until\":%lld},{\"id\":\"teams-all\",\"period\":\"all\",\"by\":\"team\"}]}",
             (long long)(T_2026 + DAY), (long long)(T_2026 + 10 * DAY));
    plaudit_ctx *c = load_doc(doc);
    TEAM(c, T_2026, "alice", "red");
    TEAM(c, T_2026, "bob", "blue");
    ACT(c, T_2026 + 1, "alice", "sale"); /* before from: the season does not count it */
    uint64_t r = 0;
    int64_t sc = 0;
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_leaderboard_rank(c, "q-teams", "nobody", &r, &sc));
    team_score(c, "q-teams", "red", 0, 0);
    team_score(c, "teams-all", "red", 1, 100);
    ACT(c, T_2026 + DAY, "bob", "call");        /* from is included */
    ACT(c, T_2026 + 2 * DAY, "alice", "call");  /* tie, later: second */
    team_score(c, "q-teams", "blue", 1, 10);
    team_score(c, "q-teams", "red", 2, 10);
    ACT(c, T_2026 + 3 * DAY, "alice", "call");
    team_score(c, "q-teams", "red", 1, 20);
    /* a rejected event at until closes nothing */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_action(c, T_2026 + 10 * DAY, "alice", "nope", NULL, NULL));
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(c, "q-teams", &li), PLAUDIT_OK);
    assert_false(li.frozen);
    /* until is excluded: this one closes the season first */
    ACT(c, T_2026 + 10 * DAY, "bob", "sale");
    assert_int_equal(plaudit_leaderboard_info_get(c, "q-teams", &li), PLAUDIT_OK);
    assert_true(li.frozen);
    assert_int_equal(li.by, PLAUDIT_BY_TEAM);
    team_score(c, "q-teams", "red", 1, 20);
    team_score(c, "q-teams", "blue", 2, 10);
    team_score(c, "teams-all", "red", 1, 120);
    team_score(c, "teams-all", "blue", 2, 110);
    TEAM(c, T_2026 + 11 * DAY, "carol", "green");
    TEAM(c, T_2026 + 11 * DAY, "bob", "red");
    ACT(c, T_2026 + 12 * DAY, "carol", "sale");
    ACT(c, T_2026 + 12 * DAY, "bob", "sale");
    team_score(c, "q-teams", "red", 1, 20); /* frozen */
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_leaderboard_rank(c, "q-teams", "nobody", &r, &sc));
    team_score(c, "q-teams", "green", 0, 0);
    team_score(c, "teams-all", "red", 1, 220);
    uint64_t n = 0;
    assert_int_equal(plaudit_leaderboard_count(c, "q-teams", &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    plaudit_rank_entry top[4];
    size_t got = 0;
    assert_int_equal(plaudit_leaderboard_top(c, "q-teams", 4, top, &got), PLAUDIT_OK);
    assert_int_equal(got, 2);
    assert_string_equal(top[0].member, "red");
    assert_string_equal(top[1].member, "blue");
    plaudit_ctx_free(c);
}

/* A sequence using teams: run it with the k-th allocation failing, for
 * every k; a failed event changes nothing, and the run finishes with the
 * digest of a run without failures. */
static int run_seq(plaudit_ctx *c, int check)
{
    static const struct {
        int team;
        int64_t ts;
        const char *m, *x;
    } seq[] = {{1, 0, "a", "red"}, {0, 1, "a", "sale"}, {1, 2, "b", "blue"}, {0, 3, "b", "call"},
               {1, DAY, "a", "blue"}, {0, DAY + 1, "a", "call"}, {1, 40 * DAY, "c", "green"},
               {0, 40 * DAY + 1, "c", "sale"}, {1, 40 * DAY + 2, "a", NULL}, {0, 40 * DAY + 3, "a", "sale"}};
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
        for (;;) {
            uint64_t d = plaudit_state_digest(c);
            int rc = seq[i].team ? plaudit_record_team(c, T_2026 + seq[i].ts, seq[i].m, seq[i].x, NULL, NULL)
                                 : plaudit_record_action(c, T_2026 + seq[i].ts, seq[i].m, seq[i].x, NULL, NULL);
            if (rc == PLAUDIT_OK) break;
            if (!check || rc != PLAUDIT_ENOMEM) return rc;
            assert_true(plaudit_state_digest(c) == d);
        }
    }
    return PLAUDIT_OK;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    plaudit_ctx *ref = load_doc(PROG);
    assert_int_equal(run_seq(ref, 0), PLAUDIT_OK);
    uint64_t want = plaudit_state_digest(ref);
    plaudit_ctx_free(ref);
    for (size_t k = 1; k < 400; k++) {
        talloc ta = {0};
        plaudit_ctx *c = ctx_new_alloc(&ta);
        assert_int_equal(plaudit_program_load_json(c, PROG, strlen(PROG)), PLAUDIT_OK);
        ta.fail_at = ta.calls + k;
        assert_int_equal(run_seq(c, 1), PLAUDIT_OK);
        assert_true(plaudit_state_digest(c) == want);
        plaudit_ctx_free(c);
        assert_int_equal(ta.live, 0);
    }
}

static void test_store_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/plaudit-teams-XXXXXX";
    assert_non_null(mkdtemp(dir));
    plaudit_ctx *c = load_doc(PROG);
    plaudit_store s;
    assert_int_equal(plaudit_file_store_open(c, &s, dir, 0, 0), PLAUDIT_OK);
    assert_int_equal(plaudit_store_attach(c, &s, NULL), PLAUDIT_OK);
    TEAM(c, T_2026, "a", "red");
    ACT(c, T_2026 + 1, "a", "sale");
    TEAM(c, T_2026 + 2, "b", "blue");
    assert_int_equal(plaudit_store_snapshot(c), PLAUDIT_OK);
    ACT(c, T_2026 + 3, "b", "call"); /* in the journal after the snapshot */
    TEAM(c, T_2026 + 4, "a", "blue");
    ACT(c, T_2026 + 5, "a", "call");
    uint64_t want = plaudit_state_digest(c);
    char *want_doc = state_of(c);
    plaudit_ctx_free(c);

    c = load_doc(PROG);
    assert_int_equal(plaudit_file_store_open(c, &s, dir, 0, 0), PLAUDIT_OK);
    assert_int_equal(plaudit_store_attach(c, &s, NULL), PLAUDIT_OK);
    plaudit_recovery rec;
    assert_int_equal(plaudit_store_recovery_get(c, &rec), PLAUDIT_OK);
    assert_int_equal(rec.snapshot, 1);
    assert_true(plaudit_state_digest(c) == want);
    char *got = state_of(c);
    assert_string_equal(got, want_doc);
    team_score(c, "teams-all", "blue", 2, 20);
    uint64_t members = 0;
    assert_int_equal(plaudit_team_members(c, "blue", &members), PLAUDIT_OK);
    assert_int_equal(members, 2);
    plaudit_free(c, got);
    free(want_doc);
    plaudit_ctx_free(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_mid_period), cmocka_unit_test(test_opted_out_members_count),
        cmocka_unit_test(test_bad_team_ids),      cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_alloc_failures),    cmocka_unit_test(test_store_round_trip),
        cmocka_unit_test(test_team_season),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
