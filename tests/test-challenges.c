/* test-challenges.c - challenges (`all`) and dated badges (format 2): a
 * challenge reached in one period and not the next, a repeatable challenge
 * earned in two periods, a challenge with a tier and a kudos criterion,
 * its progress (each part's value and target), a dated badge outside and
 * inside its range, a dated count ignoring occurrences before `from`, a
 * manual dated badge awarded outside its range, tier benefits in progress,
 * and the load errors of challenges. */
#include "v2-common.h"

#define FEB (T_2026 + 31 * DAY)
#define MAR (FEB + 28 * DAY)

static const char *CHAL =
    "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"answer\",\"points\":10},{\"id\":\"review\",\"points\":20}],"
    "\"tiers\":[{\"id\":\"bronze\",\"min_points\":0},{\"id\":\"silver\",\"min_points\":50,"
    "\"benefits\":[\"Priority support\",\"Early access\"]}],"
    "\"kudos\":{\"points\":1},"
    "\"badges\":["
    "{\"id\":\"monthly\",\"repeatable\":true,\"bonus\":5,\"when\":{\"all\":[{\"action\":\"answer\",\"count\":2,"
    "\"within\":\"month\"},{\"action\":\"review\",\"count\":1,\"within\":\"month\"}]}},"
    "{\"id\":\"once\",\"when\":{\"all\":[{\"action\":\"answer\",\"count\":3,\"within\":\"month\"},{\"points\":10}]}},"
    "{\"id\":\"social\",\"when\":{\"all\":[{\"tier\":\"silver\"},{\"kudos_received\":2},{\"action\":\"review\",\"count\":1}]}}]}";

static void test_periods(void **state)
{
    (void)state;
    plaudit_ctx *c = load_doc(CHAL);
    ACT(c, T_2026, "a", "answer");
    ACT(c, T_2026 + 1, "a", "review");
    assert_int_equal(badge_n(c, "a", "monthly"), 0);
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(c, "a", &p), PLAUDIT_OK);
    assert_string_equal(p.badges[0].badge, "monthly");
    assert_int_equal(p.badges[0].criterion, PLAUDIT_CRITERION_ALL);
    assert_int_equal(p.badges[0].n_parts, 2);
    assert_string_equal(p.badges[0].parts[0].action, "answer");
    assert_int_equal(p.badges[0].parts[0].current, 1);
    assert_int_equal(p.badges[0].parts[0].target, 2);
    assert_int_equal(p.badges[0].parts[0].within, PLAUDIT_PERIOD_MONTH);
    assert_false(p.badges[0].parts[0].met);
    assert_true(p.badges[0].parts[1].met);
    assert_int_equal(p.badges[0].from, PLAUDIT_UNSET);
    ACT(c, T_2026 + 2, "a", "answer"); /* January: met */
    assert_int_equal(badge_n(c, "a", "monthly"), 1);
    assert_int_equal(points_of(c, "a"), 45);
    ACT(c, T_2026 + 3, "a", "answer"); /* again in January: not again */
    assert_int_equal(badge_n(c, "a", "monthly"), 1);
    assert_int_equal(badge_n(c, "a", "once"), 1); /* 3 answers this month and 10 points */
    /* February: two answers, no review: not reached */
    ACT(c, FEB, "a", "answer");
    ACT(c, FEB + 1, "a", "answer");
    assert_int_equal(badge_n(c, "a", "monthly"), 1);
    /* March: reached again, the badge counts two times */
    ACT(c, MAR, "a", "review");
    ACT(c, MAR + 1, "a", "answer");
    ACT(c, MAR + 2, "a", "answer");
    assert_int_equal(badge_n(c, "a", "monthly"), 2);
    plaudit_ctx_free(c);
}

static void test_tier_and_kudos(void **state)
{
    (void)state;
    plaudit_ctx *c = load_doc(CHAL);
    ACT(c, T_2026, "a", "review");
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(c, "a", &p), PLAUDIT_OK);
    assert_string_equal(p.tier, "bronze");
    assert_int_equal(p.n_benefits, 0);
    assert_int_equal(p.n_next_benefits, 2); /* what silver unlocks */
    assert_string_equal(p.next_benefits[0], "Priority support");
    assert_int_equal(plaudit_record_kudos(c, T_2026 + 1, "b", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_kudos(c, T_2026 + 2, "c", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "a", "social"), 0); /* not silver yet */
    ACT(c, T_2026 + 3, "a", "review");
    ACT(c, T_2026 + 4, "a", "answer"); /* 52 points: silver, and the challenge holds */
    assert_string_equal(tier_of(c, "a"), "silver");
    assert_int_equal(badge_n(c, "a", "social"), 1);
    assert_int_equal(plaudit_member_progress(c, "a", &p), PLAUDIT_OK);
    assert_int_equal(p.n_benefits, 2);
    assert_int_equal(p.n_next_benefits, 0);
    const char *const *bs;
    size_t n;
    assert_int_equal(plaudit_tier_benefits(c, "silver", &bs, &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(bs[1], "Early access");
    assert_int_equal(plaudit_tier_benefits(c, "gold", &bs, &n), PLAUDIT_ENOTFOUND);
    /* the kudos received triggers the challenge on its own */
    plaudit_ctx_free(c);
    c = load_doc(CHAL);
    ACT(c, T_2026, "a", "review");
    ACT(c, T_2026 + 1, "a", "review");
    ACT(c, T_2026 + 2, "a", "answer");
    assert_string_equal(tier_of(c, "a"), "silver");
    assert_int_equal(plaudit_record_kudos(c, T_2026 + 3, "b", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "a", "social"), 0);
    assert_int_equal(plaudit_record_kudos(c, T_2026 + 4, "c", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "a", "social"), 1);
    plaudit_ctx_free(c);
}

static void test_dated(void **state)
{
    (void)state;
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\",\"actions\":[{\"id\":\"bug\",\"points\":1}],"
             "\"badges\":[{\"id\":\"launch\",\"from\":%lld,\"until\":%lld,\"when\":{\"action\":\"bug\",\"count\":2}},"
             "{\"id\":\"pts\",\"from\":%lld,\"when\":{\"points\":1}},"
             "{\"id\":\"hero\",\"manual\":true,\"from\":%lld,\"until\":%lld}]}",
             (long long)FEB, (long long)MAR, (long long)FEB, (long long)FEB, (long long)MAR);
    plaudit_ctx *c = load_doc(doc);
    ACT(c, T_2026, "a", "bug");
    ACT(c, T_2026 + 1, "a", "bug"); /* before from: neither counts nor earns */
    assert_int_equal(badge_n(c, "a", "launch"), 0);
    assert_int_equal(badge_n(c, "a", "pts"), 0);
    ACT(c, FEB, "a", "bug");
    assert_int_equal(badge_n(c, "a", "pts"), 1); /* inside the range: evaluated */
    assert_int_equal(badge_n(c, "a", "launch"), 0); /* one occurrence in range */
    plaudit_progress p;
    assert_int_equal(plaudit_member_progress(c, "a", &p), PLAUDIT_OK);
    assert_string_equal(p.badges[0].badge, "launch");
    assert_int_equal(p.badges[0].current, 1);
    assert_int_equal(p.badges[0].from, FEB);
    assert_int_equal(p.badges[0].until, MAR);
    ACT(c, FEB + 1, "a", "bug");
    assert_int_equal(badge_n(c, "a", "launch"), 1);
    ACT(c, MAR, "b", "bug");
    ACT(c, MAR + 1, "b", "bug"); /* after until: not evaluated */
    assert_int_equal(badge_n(c, "b", "launch"), 0);
    REJECTS(c, PLAUDIT_ERANGE, plaudit_record_award(c, MAR + 2, "b", "hero", NULL, NULL));
    plaudit_ctx_free(c);
    c = load_doc(doc);
    REJECTS(c, PLAUDIT_ERANGE, plaudit_record_award(c, FEB - 1, "b", "hero", NULL, NULL));
    assert_int_equal(plaudit_record_award(c, FEB, "b", "hero", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(badge_n(c, "b", "hero"), 1);
    plaudit_ctx_free(c);
}

static void test_words(void **state)
{
    (void)state;
    /* the engine's sentence names the parts and the dates */
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\",\"actions\":[{\"id\":\"bug\",\"name\":\"Bug found\","
             "\"points\":1}],\"badges\":[{\"id\":\"launch\",\"from\":1780264800,\"until\":1780869600,"
             "\"when\":{\"action\":\"bug\",\"count\":3}}]}");
    plaudit_ctx *c = load_doc(doc);
    char *out = NULL;
    assert_int_equal(plaudit_program_export_json(c, &out, NULL), PLAUDIT_OK);
    assert_non_null(strstr(out, "\"from\":1780264800,\"until\":1780869600"));
    plaudit_free(c, out);
    ACT(c, 1780264800, "a", "bug");
    assert_int_equal(plaudit_credential_export(c, "a", "launch", 0, NULL, &out, NULL), PLAUDIT_EINVAL);
    plaudit_ctx_free(c);
}

static void test_load_errors(void **state)
{
    (void)state;
    const char *head = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":1}],"
                       "\"leaderboards\":[{\"id\":\"l\",\"period\":\"month\"}],\"badges\":[";
    char doc[768];
#define BADGE(body, code, where)                                                                   \
    do {                                                                                           \
        snprintf(doc, sizeof doc, "%s%s]}", head, body);                                           \
        load_fails(doc, code, where);                                                              \
    } while (0)
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"action\":\"a\",\"count\":[1,2]},{\"points\":1}]}}", PLAUDIT_EINVAL,
          "badges[0].when.all[0].count");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"points\":[1,2]},{\"points\":1}]}}", PLAUDIT_EINVAL,
          "badges[0].when.all[0].points");
    BADGE("{\"id\":\"b\",\"repeatable\":true,\"when\":{\"all\":[{\"action\":\"a\",\"count\":1,\"within\":\"month\"},"
          "{\"action\":\"a\",\"count\":1,\"within\":\"week\"}]}}",
          PLAUDIT_EINVAL, "badges[0].when.all[1].within");
    BADGE("{\"id\":\"b\",\"repeatable\":true,\"when\":{\"all\":[{\"action\":\"a\",\"count\":1},{\"points\":1}]}}",
          PLAUDIT_EINVAL, "badges[0]");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"leaderboard\":\"l\",\"top\":1},{\"points\":1}]}}", PLAUDIT_EINVAL,
          "badges[0].when.all[0].leaderboard");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"all\":[]},{\"points\":1}]}}", PLAUDIT_EINVAL, "badges[0].when.all[0].all");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"points\":1}]}}", PLAUDIT_EINVAL, "badges[0].when.all");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"points\":1},{\"points\":2}],\"points\":3}}", PLAUDIT_EPARSE,
          "badges[0].when");
    BADGE("{\"id\":\"b\",\"when\":{\"all\":[{\"action\":\"x\",\"count\":1},{\"points\":2}]}}", PLAUDIT_ENOTFOUND,
          "badges[0].when.all[0].action");
    BADGE("{\"id\":\"b\",\"from\":5,\"until\":5,\"when\":{\"points\":1}}", PLAUDIT_EINVAL, "badges[0].until");
    BADGE("{\"id\":\"b\",\"from\":-3,\"when\":{\"points\":1}}", PLAUDIT_ERANGE, "badges[0].from");
    load_fails("{\"format\":\"plaudit.program/2\",\"tiers\":[{\"id\":\"t\",\"benefits\":[\"\"]}]}", PLAUDIT_ESTRING,
               "tiers[0].benefits[0]");
    load_fails("{\"format\":\"plaudit.program/2\",\"tiers\":[{\"id\":\"t\",\"benefits\":\"x\"}]}", PLAUDIT_EPARSE,
               "tiers[0].benefits");
    load_fails("{\"format\":\"plaudit.program/1\",\"tiers\":[{\"id\":\"t\",\"benefits\":[\"x\"]}]}", PLAUDIT_EPARSE,
               "tiers[0].benefits: unknown key");
    load_fails("{\"format\":\"plaudit.program/1\",\"badges\":[{\"id\":\"b\",\"from\":1,\"when\":{\"points\":1}}]}",
               PLAUDIT_EPARSE, "badges[0].from: unknown key");
    load_fails("{\"format\":\"plaudit.program/1\",\"badges\":[{\"id\":\"b\",\"when\":{\"all\":[]}}]}", PLAUDIT_EPARSE,
               "badges[0].when.all: unknown key");
    /* C: a format 1 program refuses the format 2 fields; version 1 structs are read */
    plaudit_ctx *c = ctx_new();
    action(c, "a", 1);
    plaudit_criterion_def parts[2] = {PLAUDIT_CRITERION_DEF_INIT, PLAUDIT_CRITERION_DEF_INIT};
    parts[0].criterion = PLAUDIT_CRITERION_POINTS;
    parts[0].threshold = 1;
    parts[1].criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    parts[1].action = "a";
    parts[1].threshold = 2;
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    b.id = "b";
    b.criterion = PLAUDIT_CRITERION_ALL;
    b.n_all = 2;
    b.all = parts;
    assert_int_equal(plaudit_badge_declare(c, &b), PLAUDIT_EVERSION);
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    const char *bens[] = {"x"};
    t.id = "t";
    t.n_benefits = 1;
    t.benefits = bens;
    assert_int_equal(plaudit_tier_declare(c, &t), PLAUDIT_EVERSION);
    t.version = 1; /* the benefits are past a version 1 struct: not read */
    assert_int_equal(plaudit_tier_declare(c, &t), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(c, 2), PLAUDIT_OK);
    assert_int_equal(plaudit_badge_declare(c, &b), PLAUDIT_OK);
    ACT(c, 1, "m", "a");
    assert_int_equal(badge_n(c, "m", "b"), 0);
    ACT(c, 2, "m", "a");
    assert_int_equal(badge_n(c, "m", "b"), 1);
    plaudit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods), cmocka_unit_test(test_tier_and_kudos), cmocka_unit_test(test_dated),
        cmocka_unit_test(test_words),   cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
