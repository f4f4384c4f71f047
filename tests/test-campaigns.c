/* test-campaigns.c - campaigns (format 2): the range edges (from included,
 * until excluded), two overlapping campaigns (the highest percent wins), a
 * campaign under a points cap, actions not listed, negative points, and
 * the load errors of campaigns. */
#include "v2-common.h"

#define F (T_2026 + DAY)      /* a campaign's from */
#define U (T_2026 + 3 * DAY)  /* its until */

static void test_edges_and_overlap(void **state)
{
    (void)state;
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"bug\",\"points\":10},{\"id\":\"post\",\"points\":3},"
             "{\"id\":\"spam\",\"points\":-5}],\"campaigns\":["
             "{\"id\":\"double\",\"from\":%lld,\"until\":%lld,\"actions\":[\"bug\",\"spam\"],\"percent\":200},"
             "{\"id\":\"all-150\",\"name\":\"Launch\",\"from\":%lld,\"until\":%lld,\"percent\":150},"
             "{\"id\":\"triple\",\"from\":%lld,\"until\":%lld,\"actions\":[\"bug\"],\"percent\":300}]}",
             (long long)F, (long long)U, (long long)F, (long long)(U + DAY), (long long)(F + DAY), (long long)(F + DAY + 1));
    plaudit_ctx *c = load_doc(doc);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(c, F - 1, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 10); /* before from */
    assert_int_equal(plaudit_record_action(c, F, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 20); /* from is included; 200 beats 150 */
    assert_int_equal(plaudit_record_action(c, F, "a", "post", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 4); /* 3 * 150 / 100 rounded down */
    assert_int_equal(plaudit_record_action(c, F + DAY, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 30); /* three campaigns apply: the highest wins */
    assert_int_equal(plaudit_record_action(c, F + DAY + 1, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 20); /* triple's until is excluded */
    assert_int_equal(plaudit_record_action(c, U - 1, "a", "spam", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, -5); /* negative points are not multiplied */
    assert_int_equal(plaudit_record_action(c, U, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 15); /* double is over at until; all-150 goes on */
    assert_int_equal(plaudit_record_action(c, U + DAY, "a", "bug", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 10);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
    assert_int_equal(pi.n_campaigns, 3);
    /* the exporter writes them back, and the document loads again */
    char *out = NULL;
    assert_int_equal(plaudit_program_export_json(c, &out, NULL), PLAUDIT_OK);
    assert_non_null(strstr(out, "\"campaigns\":["));
    plaudit_ctx *c2 = load_doc(out);
    char *out2 = NULL;
    assert_int_equal(plaudit_program_export_json(c2, &out2, NULL), PLAUDIT_OK);
    assert_string_equal(out, out2);
    plaudit_free(c, out);
    plaudit_free(c2, out2);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(c);
}

/* Before once, cooldown and caps: the cap limits the multiplied points. */
static void test_under_caps(void **state)
{
    (void)state;
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":25,"
             "\"per\":\"day\"}},{\"id\":\"o\",\"points\":10,\"once\":true},{\"id\":\"cd\",\"points\":10,\"cooldown_s\":100}],"
             "\"campaigns\":[{\"id\":\"x\",\"from\":%lld,\"until\":%lld,\"percent\":300}]}",
             (long long)F, (long long)U);
    plaudit_ctx *c = load_doc(doc);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(c, F, "m", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 25); /* 30, cut to the cap */
    assert_int_equal(plaudit_record_action(c, F + 1, "m", "a", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 0);
    assert_int_equal(plaudit_record_action(c, F + 2, "m", "o", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 30);
    assert_int_equal(plaudit_record_action(c, F + 3, "m", "o", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 0); /* once */
    assert_int_equal(plaudit_record_action(c, F + 4, "m", "cd", NULL, &o), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(c, F + 5, "m", "cd", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.points, 0); /* cooldown */
    assert_int_equal(points_of(c, "m"), 85);
    plaudit_ctx_free(c);
}

static void test_load_errors(void **state)
{
    (void)state;
    const char *head = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"a\",\"points\":1}],\"campaigns\":[";
    char doc[512];
#define CAMP(body, code, where)                                                                    \
    do {                                                                                           \
        snprintf(doc, sizeof doc, "%s%s]}", head, body);                                           \
        load_fails(doc, code, where);                                                              \
    } while (0)
    CAMP("{\"id\":\"c\",\"from\":10,\"until\":10,\"percent\":200}", PLAUDIT_EINVAL, "campaigns[0].until");
    CAMP("{\"id\":\"c\",\"from\":20,\"until\":10,\"percent\":200}", PLAUDIT_EINVAL, "campaigns[0].until");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":0}", PLAUDIT_ERANGE, "campaigns[0].percent");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":1001}", PLAUDIT_ERANGE, "campaigns[0].percent");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200,\"actions\":[]}", PLAUDIT_EPARSE, "campaigns[0].actions");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200,\"actions\":[\"b\"]}", PLAUDIT_ENOTFOUND,
         "campaigns[0].actions[0]");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200,\"actions\":[\"a\",\"a\"]}", PLAUDIT_EEXIST, "campaigns[0]");
    CAMP("{\"id\":\"c\",\"until\":10,\"percent\":200}", PLAUDIT_EPARSE, "campaigns[0].from");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200,\"colour\":1}", PLAUDIT_EPARSE, "campaigns[0].colour");
    CAMP("{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200},{\"id\":\"c\",\"from\":1,\"until\":10,\"percent\":200}",
         PLAUDIT_EEXIST, "campaigns[1]");
    CAMP("{\"id\":\"C!\",\"from\":1,\"until\":10,\"percent\":200}", PLAUDIT_ESTRING, "campaigns[0]");
    load_fails("{\"format\":\"plaudit.program/1\",\"campaigns\":[]}", PLAUDIT_EPARSE, "campaigns: unknown key");
    /* the C call */
    plaudit_ctx *c = ctx_new();
    action(c, "a", 1);
    plaudit_campaign_def d = PLAUDIT_CAMPAIGN_DEF_INIT;
    d.id = "c";
    d.from = 1;
    d.until = 10;
    d.percent = 200;
    assert_int_equal(plaudit_campaign_declare(c, &d), PLAUDIT_EVERSION); /* format 1 */
    assert_int_equal(plaudit_program_set_format(c, 2), PLAUDIT_OK);
    d.version = 2;
    assert_int_equal(plaudit_campaign_declare(c, &d), PLAUDIT_EVERSION);
    d.version = PLAUDIT_CAMPAIGN_DEF_VERSION;
    assert_int_equal(plaudit_campaign_declare(NULL, &d), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_campaign_declare(c, NULL), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_campaign_declare(c, &d), PLAUDIT_OK);
    ACT(c, 5, "m", "a");
    assert_int_equal(points_of(c, "m"), 2);
    assert_int_equal(plaudit_campaign_declare(c, &d), PLAUDIT_ESTATE); /* sealed */
    plaudit_ctx_free(c);
}

static void test_words(void **state)
{
    (void)state;
    const char *doc = "{\"format\":\"plaudit.program/2\",\"timezone\":\"Europe/Amsterdam\",\"actions\":["
                      "{\"id\":\"beta.bug_found\",\"name\":\"Bug found\",\"points\":30},"
                      "{\"id\":\"review.published\",\"name\":\"Review published\",\"points\":100}],"
                      "\"campaigns\":[{\"id\":\"beta-week\",\"from\":1780264800,\"until\":1780869600,"
                      "\"actions\":[\"beta.bug_found\",\"review.published\"],\"percent\":200},"
                      "{\"id\":\"all\",\"from\":1780264800,\"until\":1788213600,\"percent\":150}]}";
    plaudit_ctx *c = load_doc(doc);
    char *s = NULL;
    assert_int_equal(plaudit_rule_sentence(c, "campaign", "beta-week", &s, NULL), PLAUDIT_OK);
    assert_string_equal(s, "double points for Bug found and Review published, 1 to 7 June 2026 (Europe/Amsterdam)");
    plaudit_free(c, s);
    assert_int_equal(plaudit_rule_sentence(c, "campaign", "all", &s, NULL), PLAUDIT_OK);
    assert_string_equal(s, "150% of the points for every action, 1 June to 31 August 2026 (Europe/Amsterdam)");
    plaudit_free(c, s);
    assert_int_equal(plaudit_rule_sentence(c, "campaign", "none", &s, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_rule_sentence(c, "reward", "all", &s, NULL), PLAUDIT_EINVAL);
    assert_null(s);
    plaudit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_edges_and_overlap),
        cmocka_unit_test(test_under_caps),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
