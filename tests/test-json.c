/* test-json.c - the JSON side through the public API: every class of
 * program load error names its JSON path and loads nothing; export -> load
 * -> export is the identity (a kitchen-sink program, the reference program
 * and the example program); event lines: what is malformed and what is
 * rejected; outcome JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"

static const char *bench_program, *example_program;

static plaudit_ctx *new_ctx(void)
{
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    return ctx;
}

static void assert_empty_program(plaudit_ctx *ctx)
{
    plaudit_program_info info;
    assert_int_equal(plaudit_program_info_get(ctx, &info), PLAUDIT_OK);
    assert_null(info.name);
    assert_null(info.timezone);
    assert_int_equal(info.utc_offset_minutes, 0);
    assert_int_equal(info.n_actions + info.n_tiers + info.n_badges + info.n_segments + info.n_leaderboards +
                         info.n_rewards,
                     0);
    assert_int_equal(info.has_kudos, 0);
    assert_int_equal(info.sealed, 0);
}

/* ---- load errors ------------------------------------------------------------- */

#define HDR "{\"format\": \"plaudit.program/1\", "
#define ACT_A "\"actions\": [{\"id\": \"a\", \"points\": 1}]"

static const struct {
    const char *json;
    int code;
    const char *msg;
} load_errors[] = {
    /* not JSON, wrong document */
    {HDR, PLAUDIT_EPARSE, "program: string or '}' expected near end of file (line 1, column 32)"},
    {"[1,2]", PLAUDIT_EPARSE, "(document): expected a JSON object"},
    {"{}", PLAUDIT_EPARSE, "format: missing"},
    {"{\"format\": \"plaudit.program/3\"}", PLAUDIT_EVERSION,
     "format: \"plaudit.program/3\" is not supported (expected \"plaudit.program/1\" or \"plaudit.program/2\")"},
    {"{\"format\": 1}", PLAUDIT_EPARSE, "format: expected a string"},
    {HDR "\"name\": \"x\", \"name\": \"y\"}", PLAUDIT_EPARSE,
     "program: duplicate object key near '\"name\"' (line 1, column 51)"},
    {"{\"format\": \"plaudit.program/1\", \"name\": \"\xff\"}", PLAUDIT_EUTF8,
     "program: invalid UTF-8 near line 1 column 41"},
    /* unknown keys */
    {HDR "\"colour\": \"red\"}", PLAUDIT_EPARSE, "colour: unknown key"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"bogus\": 1}]}", PLAUDIT_EPARSE,
     "actions[0].bogus: unknown key"},
    {HDR "\"tiers\": [{\"id\": \"t\", \"min_points\": 1, \"colour\": 1}]}", PLAUDIT_EPARSE, "tiers[0].colour: unknown key"},
    {HDR "\"kudos\": {\"points\": 5, \"give_cap\": {\"points\": 1, \"per\": \"day\"}}}", PLAUDIT_EPARSE,
     "kudos.give_cap.points: unknown key"},
    /* wrong types */
    {HDR "\"actions\": {}}", PLAUDIT_EPARSE, "actions: expected an array"},
    {HDR "\"actions\": [3]}", PLAUDIT_EPARSE, "actions[0]: expected an object"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1.0}]}", PLAUDIT_EPARSE, "actions[0].points: expected an integer"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"once\": \"yes\"}]}", PLAUDIT_EPARSE,
     "actions[0].once: expected true or false"},
    {HDR "\"kudos\": []}", PLAUDIT_EPARSE, "kudos: expected an object"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"cap\": {\"points\": 5, \"per\": \"fortnight\"}}]}",
     PLAUDIT_EPARSE, "actions[0].cap.per: \"fortnight\" is not a period (day, week, month, quarter, year, all)"},
    /* missing keys */
    {HDR "\"actions\": [{\"id\": \"a\"}]}", PLAUDIT_EPARSE, "actions[0].points: missing"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"cap\": {\"points\": 5}}]}", PLAUDIT_EPARSE,
     "actions[0].cap.per: missing"},
    {HDR "\"leaderboards\": [{\"id\": \"l\"}]}", PLAUDIT_EPARSE, "leaderboards[0].period: missing"},
    {HDR "\"rewards\": [{\"id\": \"r\"}]}", PLAUDIT_EPARSE, "rewards[0].cost: missing"},
    {HDR "\"badges\": [{\"id\": \"b\"}]}", PLAUDIT_EPARSE, "badges[0].when: missing (or set \"manual\": true)"},
    /* criteria */
    {HDR "\"badges\": [{\"id\": \"b\", \"manual\": true, \"when\": {\"points\": 3}}]}", PLAUDIT_EPARSE,
     "badges[0].when: a manual badge has no criterion"},
    {HDR "\"badges\": [{\"id\": \"b\", \"when\": {}}]}", PLAUDIT_EPARSE, "badges[0].when: holds no criterion"},
    {HDR "\"badges\": [{\"id\": \"b\", \"when\": {\"points\": 3, \"tenure_days\": 4}}]}", PLAUDIT_EPARSE,
     "badges[0].when: holds more than one criterion"},
    {HDR ACT_A ", \"badges\": [{\"id\": \"b\", \"when\": {\"action\": \"a\", \"count\": [5, 3]}}]}", PLAUDIT_EINVAL,
     "badges[0].when.count: thresholds must be strictly ascending"},
    /* references to undeclared ids */
    {HDR "\"actions\": [{\"id\": \"forum.answer\", \"points\": 1}], \"badges\": [{\"id\": \"b\", \"when\": "
         "{\"action\": \"forum.anser\", \"count\": 1}}]}",
     PLAUDIT_ENOTFOUND, "badges[0].when.action: unknown action \"forum.anser\" (did you mean \"forum.answer\"?)"},
    {HDR "\"badges\": [{\"id\": \"b\", \"when\": {\"tier\": \"gold\"}}]}", PLAUDIT_ENOTFOUND,
     "badges[0].when.tier: unknown tier \"gold\""},
    {HDR "\"badges\": [{\"id\": \"b\", \"when\": {\"leaderboard\": \"weekly\", \"top\": 3}}]}", PLAUDIT_ENOTFOUND,
     "badges[0].when.leaderboard: unknown leaderboard \"weekly\""},
    {HDR "\"leaderboards\": [{\"id\": \"l\", \"period\": \"week\", \"segment\": \"x\"}]}", PLAUDIT_ENOTFOUND,
     "leaderboards[0].segment: unknown segment \"x\""},
    {HDR "\"segments\": [{\"id\": \"s\", \"weights\": {\"nope\": 1}}]}", PLAUDIT_ENOTFOUND,
     "segments[0].weights.nope: unknown action \"nope\""},
    {HDR "\"timezone\": \"Mars/Olympus_Mons\"}", PLAUDIT_ENOTFOUND,
     "timezone: unknown time zone \"Mars/Olympus_Mons\""},
    /* duplicate ids, bad ids, bad text */
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1}, {\"id\": \"a\", \"points\": 2}]}", PLAUDIT_EEXIST,
     "actions[1]: action \"a\": duplicate id"},
    {HDR "\"actions\": [{\"id\": \"Forum\", \"points\": 1}]}", PLAUDIT_ESTRING,
     "actions[0]: action: id \"Forum\" must be [a-z0-9._-] starting with a letter or digit"},
    {HDR "\"name\": \"\\u0001\"}", PLAUDIT_ESTRING, "name: program name contains a control character U+0001 at byte 0"},
    /* ranges */
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1000000001}]}", PLAUDIT_ERANGE,
     "actions[0]: action \"a\": points 1000000001 is out of range (-1000000000 to 1000000000)"},
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"cooldown_s\": -5}]}", PLAUDIT_ERANGE,
     "actions[0]: action \"a\": cooldown_s -5 is out of range (0 to 1000000000)"},
    {HDR "\"utc_offset_minutes\": 1440}", PLAUDIT_ERANGE, "utc_offset_minutes: 1440 is out of range (-1439 to 1439)"},
    {HDR "\"rewards\": [{\"id\": \"r\", \"cost\": -1}]}", PLAUDIT_ERANGE,
     "rewards[0]: reward \"r\": cost -1 is out of range (0 to 1000000000)"},
    /* -1 is not "unset": negative caps and stock are range errors */
    {HDR "\"actions\": [{\"id\": \"a\", \"points\": 1, \"cap\": {\"count\": -1, \"per\": \"day\"}}]}",
     PLAUDIT_ERANGE, "actions[0].cap.count: -1 is out of range (0 to 1000000000)"},
    {HDR "\"kudos\": {\"points\": 1, \"cap\": {\"points\": -1, \"per\": \"day\"}}}", PLAUDIT_ERANGE,
     "kudos.cap.points: -1 is out of range (0 to 1000000000)"},
    {HDR "\"kudos\": {\"points\": 1, \"give_cap\": {\"count\": -1, \"per\": \"day\"}}}", PLAUDIT_ERANGE,
     "kudos.give_cap.count: -1 is out of range (0 to 1000000000)"},
    {HDR "\"rewards\": [{\"id\": \"r\", \"cost\": 1, \"stock\": -1}]}", PLAUDIT_ERANGE,
     "rewards[0].stock: -1 is out of range (0 to 1000000000)"},
    {HDR ACT_A ", \"badges\": [{\"id\": \"b\", \"when\": {\"action\": \"a\", \"count\": 1, \"streak\": 2}}]}",
     PLAUDIT_EPARSE, "badges[0].when: an action criterion needs count or streak (one of them)"},
    /* rule combinations */
    {HDR ACT_A ", \"badges\": [{\"id\": \"b\", \"repeatable\": true, \"when\": {\"action\": \"a\", \"count\": 2}}]}",
     PLAUDIT_EINVAL, "badges[0]: badge \"b\": repeatable needs an action count with within and a single threshold"},
    {HDR ACT_A ", \"badges\": [{\"id\": \"b\", \"when\": {\"action\": \"a\", \"streak\": 2, \"per\": \"year\"}}]}",
     PLAUDIT_EINVAL, "badges[0]: badge \"b\": a streak's per must be day, week or month"},
};

static void test_load_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof load_errors / sizeof *load_errors; i++) {
        plaudit_ctx *ctx = new_ctx();
        int rc = plaudit_program_load_json(ctx, load_errors[i].json, strlen(load_errors[i].json));
        if (rc != load_errors[i].code || strcmp(plaudit_errmsg(ctx), load_errors[i].msg) != 0)
            fail_msg("case %zu: %s\n  got  %d %s\n  want %d %s", i, load_errors[i].json, rc, plaudit_errmsg(ctx),
                     load_errors[i].code, load_errors[i].msg);
        assert_int_equal(plaudit_errcode(ctx), load_errors[i].code);
        /* Nothing was loaded, and the context takes a valid program. */
        assert_empty_program(ctx);
        static const char ok[] = HDR "\"name\": \"ok\", " ACT_A "}";
        assert_int_equal(plaudit_program_load_json(ctx, ok, strlen(ok)), PLAUDIT_OK);
        plaudit_ctx_free(ctx);
    }
}

/* A failure late in the document (a reward) after actions, tiers, badges,
 * leaderboards and kudos were declared leaves none of them. */
static void test_load_error_late_undoes_all(void **state)
{
    (void)state;
    static const char doc[] = HDR "\"name\": \"late\", \"timezone\": \"UTC\", " ACT_A
                                  ", \"tiers\": [{\"id\": \"t\", \"min_points\": 0}], \"segments\": [{\"id\": \"s\", "
                                  "\"weights\": {\"a\": 1}}], \"leaderboards\": [{\"id\": \"l\", \"period\": \"all\"}], "
                                  "\"badges\": [{\"id\": \"b\", \"when\": {\"points\": 1}}], \"kudos\": {\"points\": 1}, "
                                  "\"rewards\": [{\"id\": \"r\", \"cost\": 1}, {\"id\": \"r\", \"cost\": 2}]}";
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_load_json(ctx, doc, strlen(doc)), PLAUDIT_EEXIST);
    assert_string_equal(plaudit_errmsg(ctx), "rewards[1]: reward \"r\": duplicate id");
    assert_empty_program(ctx);
    /* Events see no program: the action is unknown. */
    assert_int_equal(plaudit_record_action(ctx, 100, "alice", "a", NULL, NULL), PLAUDIT_ENOTFOUND);
    plaudit_ctx_free(ctx);
}

static void test_load_misuse(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    static const char ok[] = HDR ACT_A "}";
    assert_int_equal(plaudit_program_load_json(NULL, ok, sizeof ok - 1), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_program_load_json(ctx, NULL, 0), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_program_load_json(ctx, ok, sizeof ok - 1), PLAUDIT_OK);
    /* A second program into the same context replaces the first. */
    assert_int_equal(plaudit_program_load_json(ctx, ok, sizeof ok - 1), PLAUDIT_OK);
    plaudit_program_info info;
    plaudit_program_info_get(ctx, &info);
    assert_int_equal(info.n_actions, 1);
    /* A failed load leaves no program, also over an earlier one. */
    assert_int_equal(plaudit_program_load_file(ctx, "/nonexistent/program.json"), PLAUDIT_ENOTFOUND);
    assert_empty_program(ctx);
    plaudit_ctx_free(ctx);
    ctx = new_ctx();
    assert_int_equal(plaudit_program_load_file(ctx, "/nonexistent/program.json"), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "/nonexistent/program.json: No such file or directory");
    assert_empty_program(ctx);
    plaudit_ctx_free(ctx);
}

static char *export_of(plaudit_ctx *ctx)
{
    char *doc;
    size_t len;
    assert_int_equal(plaudit_program_export_json(ctx, &doc, &len), PLAUDIT_OK);
    assert_int_equal(strlen(doc), len);
    return doc;
}

/* A second load before the first event replaces every field of the
 * program: the result is what a fresh context loading the second document
 * holds.  After the first event a load is refused and changes nothing. */
static void test_load_replaces(void **state)
{
    (void)state;
    static const char *const firsts[] = {
        HDR "\"utc_offset_minutes\": 120}",
        HDR "\"name\": \"A\", \"timezone\": \"Europe/Amsterdam\"}",
        HDR "\"name\": \"A\", \"utc_offset_minutes\": -300, \"actions\": [{\"id\": \"a\", \"points\": 1}],"
            " \"tiers\": [{\"id\": \"t\", \"min_points\": 5}], \"leaderboards\": [{\"id\": \"l\", \"period\": \"week\"}],"
            " \"badges\": [{\"id\": \"g\", \"manual\": true}], \"kudos\": {\"points\": 2},"
            " \"rewards\": [{\"id\": \"r\", \"cost\": 1}]}",
    };
    static const char *const seconds[] = {
        HDR "\"name\": \"B\"}",
        HDR "\"actions\": [{\"id\": \"b\", \"points\": 3}]}",
        HDR "\"timezone\": \"Europe/Amsterdam\"}",
        HDR "\"utc_offset_minutes\": 60}",
    };
    for (size_t i = 0; i < sizeof firsts / sizeof *firsts; i++)
        for (size_t j = 0; j < sizeof seconds / sizeof *seconds; j++) {
            plaudit_ctx *fresh = new_ctx(), *ctx = new_ctx();
            assert_int_equal(plaudit_program_load_json(fresh, seconds[j], strlen(seconds[j])), PLAUDIT_OK);
            assert_int_equal(plaudit_program_load_json(ctx, firsts[i], strlen(firsts[i])), PLAUDIT_OK);
            assert_int_equal(plaudit_program_load_json(ctx, seconds[j], strlen(seconds[j])), PLAUDIT_OK);
            char *want = export_of(fresh), *got = export_of(ctx);
            assert_string_equal(got, want);
            plaudit_program_info a, b;
            assert_int_equal(plaudit_program_info_get(fresh, &a), PLAUDIT_OK);
            assert_int_equal(plaudit_program_info_get(ctx, &b), PLAUDIT_OK);
            assert_int_equal(a.utc_offset_minutes, b.utc_offset_minutes);
            assert_true((a.timezone == NULL) == (b.timezone == NULL));
            assert_true((a.name == NULL) == (b.name == NULL));
            assert_int_equal(a.n_actions, b.n_actions);
            assert_int_equal(a.has_kudos, b.has_kudos);
            plaudit_free(fresh, want);
            plaudit_free(ctx, got);
            plaudit_ctx_free(fresh);
            plaudit_ctx_free(ctx);
        }
    /* Rules declared through the C API are replaced too. */
    plaudit_ctx *ctx = new_ctx();
    plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
    d.id = "c";
    assert_int_equal(plaudit_action_declare(ctx, &d), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_utc_offset(ctx, 30), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, seconds[0], strlen(seconds[0])), PLAUDIT_OK);
    plaudit_program_info info;
    assert_int_equal(plaudit_program_info_get(ctx, &info), PLAUDIT_OK);
    assert_int_equal(info.n_actions, 0);
    assert_int_equal(info.utc_offset_minutes, 0);
    assert_string_equal(info.name, "B");
    /* Sealed: refused, nothing changes. */
    assert_int_equal(plaudit_record_tick(ctx, 100, NULL, NULL), PLAUDIT_OK);
    char *before = export_of(ctx);
    assert_int_equal(plaudit_program_load_json(ctx, firsts[0], strlen(firsts[0])), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_program_load_file(ctx, "/nonexistent/program.json"), PLAUDIT_ESTATE);
    char *after = export_of(ctx);
    assert_string_equal(before, after);
    plaudit_free(ctx, before);
    plaudit_free(ctx, after);
    plaudit_ctx_free(ctx);
}

/* A NUL byte in a program gets its own message with its offset. */
static void test_load_nul(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    static const char doc[] = "{\"format\": \"plaudit.program/1\", \"name\": \"a\0b\"}";
    assert_int_equal(plaudit_program_load_json(ctx, doc, sizeof doc - 1), PLAUDIT_EPARSE);
    assert_string_equal(plaudit_errmsg(ctx), "program: NUL byte at offset 42");
    assert_empty_program(ctx);
    plaudit_ctx_free(ctx);
}

/* ---- round trip ------------------------------------------------------------------ */

/* export -> load -> export is the identity; returns the first export
 * (malloc'ed copy). */
static char *round_trip(plaudit_ctx *ctx)
{
    char *a = export_of(ctx);
    plaudit_ctx *c2 = new_ctx();
    int rc = plaudit_program_load_json(c2, a, strlen(a));
    if (rc) fail_msg("export does not load back: %s\n%s", plaudit_errmsg(c2), a);
    char *b = export_of(c2);
    assert_string_equal(a, b);
    char *copy = strdup(a);
    plaudit_free(ctx, a);
    plaudit_free(c2, b);
    plaudit_ctx_free(c2);
    return copy;
}

static const char kitchen_sink[] =
    "{\"format\": \"plaudit.program/1\", \"name\": \"Kitchen \\u00e9 sink\", \"utc_offset_minutes\": -330,\n"
    " \"actions\": [\n"
    "  {\"id\": \"a\", \"name\": \"A\", \"description\": \"the a\", \"points\": 10, \"cap\": {\"points\": 25, \"count\": 3, \"per\": \"day\"}},\n"
    "  {\"id\": \"b\", \"points\": 100, \"cooldown_s\": 3600},\n"
    "  {\"id\": \"c\", \"points\": 50, \"once\": true},\n"
    "  {\"id\": \"d\", \"points\": -30}],\n"
    " \"tiers\": [{\"id\": \"t0\", \"min_points\": 0},\n"
    "  {\"id\": \"t1\", \"name\": \"One\", \"min_points\": 100, \"min_distinct_actions\": 2, \"min_tenure_days\": 3},\n"
    "  {\"id\": \"t2\", \"min_points\": 50, \"window\": \"quarter\"},\n"
    "  {\"id\": \"t3\", \"min_points\": 1000, \"lifetime\": true}],\n"
    " \"segments\": [{\"id\": \"s1\", \"weights\": {\"b\": 2, \"a\": 1}}, {\"id\": \"s2\", \"description\": \"d\", \"weights\": {\"c\": 5}}],\n"
    " \"leaderboards\": [{\"id\": \"all\", \"period\": \"all\"}, {\"id\": \"w\", \"period\": \"week\", \"segment\": \"s1\", \"size\": 3}],\n"
    " \"badges\": [\n"
    "  {\"id\": \"g1\", \"image\": \"https://x.example/g1.png\", \"criteria\": \"Do a once\", \"when\": {\"action\": \"a\", \"count\": 1}, \"bonus\": 5},\n"
    "  {\"id\": \"g2\", \"when\": {\"action\": \"a\", \"count\": [2, 4, 8]}},\n"
    "  {\"id\": \"g3\", \"repeatable\": true, \"when\": {\"action\": \"b\", \"count\": 2, \"within\": \"month\"}},\n"
    "  {\"id\": \"g4\", \"hidden\": true, \"when\": {\"action\": \"a\", \"streak\": [2, 3], \"per\": \"day\"}},\n"
    "  {\"id\": \"g5\", \"when\": {\"distinct_actions\": 3}},\n"
    "  {\"id\": \"g6\", \"when\": {\"points\": [100, 1000]}},\n"
    "  {\"id\": \"g7\", \"when\": {\"tenure_days\": 30}},\n"
    "  {\"id\": \"g8\", \"when\": {\"kudos_received\": 2}},\n"
    "  {\"id\": \"g9\", \"when\": {\"kudos_given\": 2}},\n"
    "  {\"id\": \"g10\", \"when\": {\"tier\": \"t1\"}},\n"
    "  {\"id\": \"g11\", \"when\": {\"leaderboard\": \"w\", \"top\": 2}, \"bonus\": 1},\n"
    "  {\"id\": \"g12\", \"manual\": true, \"bonus\": 7}],\n"
    " \"kudos\": {\"points\": 5, \"cap\": {\"count\": 2, \"per\": \"week\"}, \"give_cap\": {\"count\": 4, \"per\": \"month\"}},\n"
    " \"rewards\": [{\"id\": \"r1\", \"cost\": 100}, {\"id\": \"r2\", \"name\": \"R2\", \"cost\": 50, \"stock\": 2}]}\n";

static void test_round_trip_kitchen_sink(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    if (plaudit_program_load_json(ctx, kitchen_sink, strlen(kitchen_sink))) fail_msg("%s", plaudit_errmsg(ctx));
    char *doc = round_trip(ctx);
    /* Every feature made it into the export. */
    static const char *const needles[] = {"\"utc_offset_minutes\":-330", "\"cap\":{\"points\":25,\"count\":3,\"per\":\"day\"}",
                                          "\"cooldown_s\":3600", "\"once\":true", "\"window\":\"quarter\"",
                                          "\"lifetime\":true", "\"min_tenure_days\":3", "\"weights\":{\"b\":2,\"a\":1}",
                                          "\"segment\":\"s1\"", "\"size\":3", "\"image\":", "\"criteria\":\"Do a once\"",
                                          "\"count\":[2,4,8]", "\"repeatable\":true", "\"hidden\":true",
                                          "\"streak\":[2,3]", "\"manual\":true", "\"give_cap\":{\"count\":4,\"per\":\"month\"}",
                                          "\"stock\":2", "Kitchen \\u00e9 sink"};
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
        if (!strstr(doc, needles[i]) && !(i + 1 == sizeof needles / sizeof *needles && strstr(doc, "Kitchen \xc3\xa9 sink")))
            fail_msg("export lacks %s:\n%s", needles[i], doc);
    free(doc);
    plaudit_ctx_free(ctx);
}

static void round_trip_file(const char *path)
{
    plaudit_ctx *ctx = new_ctx();
    if (plaudit_program_load_file(ctx, path)) fail_msg("%s: %s", path, plaudit_errmsg(ctx));
    free(round_trip(ctx));
    plaudit_ctx_free(ctx);
}

static void test_round_trip_bench(void **state)
{
    (void)state;
    round_trip_file(bench_program);
}

static void test_round_trip_example(void **state)
{
    (void)state;
    round_trip_file(example_program);
}

/* The spec's own example program (section 2). */
static void test_round_trip_spec_section2(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"format\": \"plaudit.program/1\", \"name\": \"Acme Advocates\", \"timezone\": \"Europe/Amsterdam\",\n"
        "\"actions\": [{\"id\": \"forum.answer\", \"points\": 10, \"cap\": {\"points\": 200, \"per\": \"day\"}},\n"
        "{\"id\": \"referral.closed\", \"points\": 500}, {\"id\": \"review.published\", \"points\": 100, \"cooldown_s\": 86400},\n"
        "{\"id\": \"profile.completed\", \"points\": 50, \"once\": true},\n"
        "{\"id\": \"survey.completed\", \"points\": 5, \"cap\": {\"count\": 3, \"per\": \"month\"}},\n"
        "{\"id\": \"event.attended\", \"points\": 20}, {\"id\": \"beta.bug_found\", \"points\": 30},\n"
        "{\"id\": \"post.downvoted\", \"points\": -2}],\n"
        "\"tiers\": [{\"id\": \"bronze\", \"name\": \"Member\", \"min_points\": 0},\n"
        "{\"id\": \"silver\", \"name\": \"Contributor\", \"min_points\": 1000},\n"
        "{\"id\": \"gold\", \"name\": \"Champion\", \"min_points\": 5000, \"min_distinct_actions\": 3},\n"
        "{\"id\": \"vip\", \"name\": \"VIP\", \"min_points\": 3000, \"window\": \"year\"},\n"
        "{\"id\": \"platinum\", \"name\": \"Hall of Fame\", \"min_points\": 25000, \"min_tenure_days\": 730, \"lifetime\": true}],\n"
        "\"badges\": [{\"id\": \"first-referral\", \"when\": {\"action\": \"referral.closed\", \"count\": 1}, \"bonus\": 100},\n"
        "{\"id\": \"deal-maker\", \"when\": {\"action\": \"referral.closed\", \"count\": 3, \"within\": \"quarter\"}},\n"
        "{\"id\": \"helper\", \"when\": {\"action\": \"forum.answer\", \"count\": [10, 50, 250]}},\n"
        "{\"id\": \"regular\", \"when\": {\"action\": \"forum.answer\", \"streak\": 4, \"per\": \"week\"}},\n"
        "{\"id\": \"renaissance\", \"when\": {\"distinct_actions\": 4}}, {\"id\": \"veteran\", \"when\": {\"tenure_days\": 730}},\n"
        "{\"id\": \"high-five\", \"when\": {\"kudos_received\": 10}}, {\"id\": \"champion\", \"when\": {\"tier\": \"gold\"}},\n"
        "{\"id\": \"ten-k\", \"when\": {\"points\": 10000}}, {\"id\": \"top-contributor\", \"when\": {\"leaderboard\": \"monthly\", \"top\": 3}},\n"
        "{\"id\": \"quarter-closer\", \"repeatable\": true, \"when\": {\"action\": \"referral.closed\", \"count\": 2, \"within\": \"quarter\"}},\n"
        "{\"id\": \"night-owl\", \"hidden\": true, \"when\": {\"action\": \"beta.bug_found\", \"count\": 1}},\n"
        "{\"id\": \"champion-of-the-year\", \"manual\": true}],\n"
        "\"segments\": [{\"id\": \"socializer\", \"weights\": {\"forum.answer\": 1, \"event.attended\": 3}},\n"
        "{\"id\": \"achiever\", \"weights\": {\"referral.closed\": 5, \"review.published\": 2}},\n"
        "{\"id\": \"explorer\", \"weights\": {\"beta.bug_found\": 4}}],\n"
        "\"leaderboards\": [{\"id\": \"all-time\", \"period\": \"all\"}, {\"id\": \"monthly\", \"period\": \"month\", \"size\": 10},\n"
        "{\"id\": \"achievers-quarter\", \"period\": \"quarter\", \"segment\": \"achiever\"}],\n"
        "\"kudos\": {\"points\": 5, \"give_cap\": {\"count\": 5, \"per\": \"week\"}},\n"
        "\"rewards\": [{\"id\": \"charity-donation\", \"cost\": 2500}, {\"id\": \"conference-plus-one\", \"cost\": 10000, \"stock\": 20}]}";
    plaudit_ctx *ctx = new_ctx();
    if (plaudit_program_load_json(ctx, doc, sizeof doc - 1)) fail_msg("%s", plaudit_errmsg(ctx));
    plaudit_program_info info;
    plaudit_program_info_get(ctx, &info);
    assert_string_equal(info.timezone, "Europe/Amsterdam");
    assert_int_equal(info.n_badges, 13);
    free(round_trip(ctx));
    plaudit_ctx_free(ctx);
}

/* ---- event lines -------------------------------------------------------------------- */

static const char event_program[] =
    HDR "\"actions\": [{\"id\": \"a\", \"points\": 10}], \"badges\": [{\"id\": \"m\", \"manual\": true}],"
        "\"segments\": [{\"id\": \"s\", \"weights\": {\"a\": 1}}], \"kudos\": {\"points\": 1},"
        "\"rewards\": [{\"id\": \"r\", \"cost\": 5}]}";

static void test_event_parse_types(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_load_json(ctx, event_program, sizeof event_program - 1), PLAUDIT_OK);
    plaudit_event ev;
    static const char l1[] = "{\"ts\": 5, \"member\": \"al\\u00efce\", \"action\": \"a\", \"id\": \"e1\"}\r\n";
    assert_int_equal(plaudit_event_parse(ctx, l1, sizeof l1 - 1, &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_ACTION);
    assert_int_equal(ev.ts, 5);
    assert_string_equal(ev.member, "al\xc3\xaf" "ce");
    assert_string_equal(ev.target, "a");
    assert_string_equal(ev.id, "e1");
    static const char l2[] = "{\"type\": \"adjust\", \"ts\": 6, \"member\": \"x\", \"points\": -7, \"reason\": \"spam\"}";
    assert_int_equal(plaudit_event_parse(ctx, l2, sizeof l2 - 1, &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_ADJUST);
    assert_int_equal(ev.points, -7);
    assert_string_equal(ev.reason, "spam");
    assert_null(ev.id);
    static const char l3[] = "{\"type\": \"segment\", \"ts\": 6, \"member\": \"x\", \"segment\": null}";
    assert_int_equal(plaudit_event_parse(ctx, l3, sizeof l3 - 1, &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_SEGMENT);
    assert_null(ev.target);
    static const char l4[] = "{\"type\": \"preferences\", \"ts\": 6, \"member\": \"x\", \"leaderboards\": false}";
    assert_int_equal(plaudit_event_parse(ctx, l4, sizeof l4 - 1, &ev), PLAUDIT_OK);
    assert_int_equal(ev.flag, 0);
    static const char l5[] = "{\"type\": \"kudos\", \"ts\": 6, \"from\": \"x\", \"to\": \"y\"}";
    assert_int_equal(plaudit_event_parse(ctx, l5, sizeof l5 - 1, &ev), PLAUDIT_OK);
    assert_string_equal(ev.member, "x");
    assert_string_equal(ev.target, "y");
    static const char l6[] = "{\"type\": \"tick\", \"ts\": 9}";
    assert_int_equal(plaudit_event_parse(ctx, l6, sizeof l6 - 1, &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_TICK);
    assert_int_equal(plaudit_event_parse(ctx, "  \r\n", 4, &ev), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_event_parse(ctx, "", 0, &ev), PLAUDIT_ENOTFOUND);
    plaudit_ctx_free(ctx);
}

static const struct {
    const char *line;
    int code;
    const char *msg;
} bad_lines[] = {
    {"{\"ts\": 1, \"member\": \"x\", \"action\": \"a\"", PLAUDIT_EPARSE, NULL},
    {"[1]", PLAUDIT_EPARSE, "the line is not a JSON object"},
    {"{\"ts\": NaN, \"member\": \"x\", \"action\": \"a\"}", PLAUDIT_EPARSE, NULL},
    {"{\"ts\": 1, \"member\": \"\\ud800\", \"action\": \"a\"}", PLAUDIT_EPARSE, NULL},
    {"{\"ts\": 1, \"ts\": 2, \"member\": \"x\", \"action\": \"a\"}", PLAUDIT_EPARSE, NULL},
    {"{\"ts\": 1, \"member\": \"\xc3\x28\", \"action\": \"a\"}", PLAUDIT_EUTF8, NULL},
    {"{\"ts\": 1.0, \"member\": \"x\", \"action\": \"a\"}", PLAUDIT_EPARSE, "\"ts\": expected an integer"},
    {"{\"member\": \"x\", \"action\": \"a\"}", PLAUDIT_EPARSE, "\"ts\": missing"},
    {"{\"ts\": 1, \"member\": \"x\"}", PLAUDIT_EPARSE, "\"action\": missing"},
    {"{\"ts\": 1, \"member\": \"x\", \"action\": \"a\", \"points\": 3}", PLAUDIT_EPARSE,
     "\"points\": unknown key for an action event"},
    {"{\"ts\": 1, \"type\": \"join\", \"member\": 7}", PLAUDIT_EPARSE, "\"member\": expected a string"},
    {"{\"ts\": 1, \"type\": \"party\"}", PLAUDIT_EPARSE, "unknown event type \"party\""},
    {"{\"ts\": 1, \"type\": 3}", PLAUDIT_EPARSE, "\"type\": expected a string"},
    {"{\"ts\": 1, \"type\": \"adjust\", \"member\": \"x\", \"points\": 1.5}", PLAUDIT_EPARSE,
     "\"points\": expected an integer"},
    {"{\"ts\": 1, \"type\": \"preferences\", \"member\": \"x\", \"leaderboards\": 1}", PLAUDIT_EPARSE,
     "\"leaderboards\": expected true or false"},
    {"{\"ts\": 1, \"type\": \"segment\", \"member\": \"x\", \"segment\": 1}", PLAUDIT_EPARSE,
     "\"segment\": expected a string or null"},
    {"{\"ts\": 1, \"type\": \"tick\", \"id\": 5}", PLAUDIT_EPARSE, "\"id\": expected a string"},
};

static void test_event_malformed(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_load_json(ctx, event_program, sizeof event_program - 1), PLAUDIT_OK);
    uint64_t digest = plaudit_state_digest(ctx);
    for (size_t i = 0; i < sizeof bad_lines / sizeof *bad_lines; i++) {
        plaudit_outcome out;
        int rc = plaudit_record_json(ctx, bad_lines[i].line, strlen(bad_lines[i].line), &out);
        if (rc != bad_lines[i].code || (bad_lines[i].msg && strcmp(plaudit_errmsg(ctx), bad_lines[i].msg)))
            fail_msg("line %zu: %s\n  got %d %s", i, bad_lines[i].line, rc, plaudit_errmsg(ctx));
        assert_int_equal(out.status, PLAUDIT_REJECTED);
        assert_int_equal(out.code, rc);
        assert_true(plaudit_state_digest(ctx) == digest);
    }
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.rejected, sizeof bad_lines / sizeof *bad_lines);
    assert_int_equal(st.accepted, 0);
    /* A NUL inside the line. */
    static const char nul[] = "{\"ts\": 1, \"member\": \"x\0\", \"action\": \"a\"}";
    assert_int_equal(plaudit_record_json(ctx, nul, sizeof nul - 1, NULL), PLAUDIT_EPARSE);
    /* Blank lines are skipped, not counted. */
    assert_int_equal(plaudit_record_json(ctx, "\n", 1, NULL), PLAUDIT_ENOTFOUND);
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.rejected, sizeof bad_lines / sizeof *bad_lines + 1);
    plaudit_ctx_free(ctx);
}

/* The messages a newcomer meets: the closest declared id for a misspelt
 * one (loader and events, every kind), a zone name said once with its
 * closest neighbour, "an action event", "end of line". */
static void test_messages(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *msg;
    } loads[] = {
        {HDR "\"actions\": [{\"id\": \"forum.answer\", \"points\": 1}], \"badges\": [{\"id\": \"b\", \"when\": {\"action\": \"forum.anser\", \"count\": 1}}]}",
         "badges[0].when.action: unknown action \"forum.anser\" (did you mean \"forum.answer\"?)"},
        {HDR "\"tiers\": [{\"id\": \"silver\"}], \"badges\": [{\"id\": \"b\", \"when\": {\"tier\": \"silvr\"}}]}",
         "badges[0].when.tier: unknown tier \"silvr\" (did you mean \"silver\"?)"},
        {HDR "\"leaderboards\": [{\"id\": \"weekly\", \"period\": \"week\"}], \"badges\": [{\"id\": \"b\", \"when\": "
             "{\"leaderboard\": \"wekly\", \"top\": 1}}]}",
         "badges[0].when.leaderboard: unknown leaderboard \"wekly\" (did you mean \"weekly\"?)"},
        {HDR "\"actions\": [{\"id\": \"post\", \"points\": 1}], \"segments\": [{\"id\": \"writers\", \"weights\": {\"post\": 1}}],"
             " \"leaderboards\": [{\"id\": \"l\", \"period\": \"week\", \"segment\": \"writer\"}]}",
         "leaderboards[0].segment: unknown segment \"writer\" (did you mean \"writers\"?)"},
        {HDR "\"actions\": [{\"id\": \"post\", \"points\": 1}], \"segments\": [{\"id\": \"s\", \"weights\": {\"psot\": 1}}]}",
         "segments[0].weights.psot: unknown action \"psot\" (did you mean \"post\"?)"},
        {HDR "\"actions\": [{\"id\": \"post\", \"points\": 1}], \"badges\": [{\"id\": \"b\", \"when\": {\"action\": \"zzzzzzzz\", \"count\": 1}}]}",
         "badges[0].when.action: unknown action \"zzzzzzzz\""},
        {HDR "\"timezone\": \"Europe/Amsterdm\"}",
         "timezone: unknown time zone \"Europe/Amsterdm\" (did you mean \"Europe/Amsterdam\"?)"},
    };
    for (size_t i = 0; i < sizeof loads / sizeof *loads; i++) {
        plaudit_ctx *ctx = new_ctx();
        assert_true(plaudit_program_load_json(ctx, loads[i].doc, strlen(loads[i].doc)) < 0);
        if (strcmp(plaudit_errmsg(ctx), loads[i].msg)) fail_msg("load %zu: %s", i, plaudit_errmsg(ctx));
        plaudit_ctx_free(ctx);
    }
    static const char prog[] = HDR "\"actions\": [{\"id\": \"forum.answer\", \"points\": 5}],"
        " \"segments\": [{\"id\": \"helpers\", \"weights\": {\"forum.answer\": 1}}],"
        " \"badges\": [{\"id\": \"mvp\", \"manual\": true}], \"rewards\": [{\"id\": \"mug\", \"cost\": 0}]}";
    static const struct {
        const char *line, *msg;
    } lines[] = {
        {"{\"ts\": 1, \"member\": \"a\", \"action\": \"forum.anser\"}",
         "unknown action \"forum.anser\" (did you mean \"forum.answer\"?)"},
        {"{\"ts\": 1, \"type\": \"redeem\", \"member\": \"a\", \"reward\": \"mugg\"}",
         "unknown reward \"mugg\" (did you mean \"mug\"?)"},
        {"{\"ts\": 1, \"type\": \"award\", \"member\": \"a\", \"badge\": \"mpv\"}",
         "unknown badge \"mpv\" (did you mean \"mvp\"?)"},
        {"{\"ts\": 1, \"type\": \"segment\", \"member\": \"a\", \"segment\": \"helper\"}",
         "unknown segment \"helper\" (did you mean \"helpers\"?)"},
        {"{\"ts\": 1, \"member\": \"a\", \"action\": \"forum.answer\", \"reason\": \"x\"}",
         "\"reason\": unknown key for an action event"},
        {"{\"ts\": 1, \"member\": \"a\", \"action\": \"forum.answer\"",
         "malformed line: '}' expected near end of line (column 49)"},
    };
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_load_json(ctx, prog, sizeof prog - 1), PLAUDIT_OK);
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        assert_true(plaudit_record_json(ctx, lines[i].line, strlen(lines[i].line), NULL) < 0);
        if (strcmp(plaudit_errmsg(ctx), lines[i].msg)) fail_msg("line %zu: %s", i, plaudit_errmsg(ctx));
    }
    plaudit_ctx_free(ctx);
}

/* Format 2 rules: the closest id for a misspelt action or tier in a
 * campaign or a challenge, through the declaration API and the loader; a
 * misspelt team in the team queries; a misspelt rule in plaudit_rule_sentence. */
static void test_messages_v2(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "bug.report";
    a.points = 5;
    assert_int_equal(plaudit_action_declare(ctx, &a), PLAUDIT_OK);
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "silver";
    assert_int_equal(plaudit_tier_declare(ctx, &t), PLAUDIT_OK);
    const char *acts[] = {"bug.reprt"};
    plaudit_campaign_def c = PLAUDIT_CAMPAIGN_DEF_INIT;
    c.id = "launch";
    c.from = 1000;
    c.until = 2000;
    c.percent = 200;
    c.n_actions = 1;
    c.actions = acts;
    assert_int_equal(plaudit_campaign_declare(ctx, &c), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx),
                        "campaign \"launch\": unknown action \"bug.reprt\" (did you mean \"bug.report\"?)");
    plaudit_criterion_def parts[2] = {PLAUDIT_CRITERION_DEF_INIT, PLAUDIT_CRITERION_DEF_INIT};
    parts[0].criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    parts[0].action = "bug.reprot";
    parts[0].threshold = 1;
    parts[1].criterion = PLAUDIT_CRITERION_TIER;
    parts[1].tier = "silvr";
    plaudit_badge_def g = PLAUDIT_BADGE_DEF_INIT;
    g.id = "quarter";
    g.criterion = PLAUDIT_CRITERION_ALL;
    g.n_all = 2;
    g.all = parts;
    assert_int_equal(plaudit_badge_declare(ctx, &g), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx),
                        "badge \"quarter\": all[0]: unknown action \"bug.reprot\" (did you mean \"bug.report\"?)");
    parts[0].action = "bug.report";
    assert_int_equal(plaudit_badge_declare(ctx, &g), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "badge \"quarter\": all[1]: unknown tier \"silvr\" (did you mean \"silver\"?)");
    parts[1].tier = "silver";
    assert_int_equal(plaudit_badge_declare(ctx, &g), PLAUDIT_OK);
    acts[0] = "bug.report";
    assert_int_equal(plaudit_campaign_declare(ctx, &c), PLAUDIT_OK);
    plaudit_leaderboard_def lb = PLAUDIT_LEADERBOARD_DEF_INIT;
    lb.id = "accounts";
    lb.period = PLAUDIT_PERIOD_ALL;
    lb.by = PLAUDIT_BY_TEAM;
    assert_int_equal(plaudit_leaderboard_declare(ctx, &lb), PLAUDIT_OK);
    char *words = NULL;
    assert_int_equal(plaudit_rule_sentence(ctx, "campaign", "lanch", &words, NULL), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown campaign \"lanch\" (did you mean \"launch\"?)");
    assert_int_equal(plaudit_rule_sentence(ctx, "badge", "quartr", &words, NULL), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown badge \"quartr\" (did you mean \"quarter\"?)");
    assert_int_equal(plaudit_rule_sentence(ctx, "leaderboard", "acounts", &words, NULL), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown leaderboard \"acounts\" (did you mean \"accounts\"?)");
    assert_null(words);
    assert_int_equal(plaudit_record_team(ctx, 10, "ann", "acme-corp", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 20, "ann", "bug.report", NULL, NULL), PLAUDIT_OK);
    uint64_t members = 0, rank = 0;
    assert_int_equal(plaudit_team_members(ctx, "acme-crop", &members), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown team \"acme-crop\" (did you mean \"acme-corp\"?)");
    assert_int_equal(plaudit_leaderboard_rank(ctx, "accounts", "acme-cor", &rank, NULL), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown team \"acme-cor\" (did you mean \"acme-corp\"?)");
    assert_int_equal(plaudit_team_members(ctx, "zzzzzzzzz", &members), PLAUDIT_ENOTFOUND);
    assert_string_equal(plaudit_errmsg(ctx), "unknown team \"zzzzzzzzz\"");
    plaudit_ctx_free(ctx);

    static const struct {
        const char *doc, *msg;
    } loads[] = {
        {"{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"review\", \"points\": 1}], \"campaigns\": [{\"id\": "
         "\"c\", \"from\": 1, \"until\": 2, \"percent\": 200, \"actions\": [\"reviw\"]}]}",
         "campaigns[0].actions[0]: unknown action \"reviw\" (did you mean \"review\"?)"},
        {"{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"review\", \"points\": 1}], \"badges\": [{\"id\": "
         "\"q\", \"when\": {\"all\": [{\"action\": \"review\", \"count\": 2}, {\"action\": \"reviw\", \"count\": 1}]}}]}",
         "badges[0].when.all[1].action: unknown action \"reviw\" (did you mean \"review\"?)"},
        {"{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"review\", \"points\": 1}], \"tiers\": [{\"id\": "
         "\"silver\"}], \"badges\": [{\"id\": \"q\", \"when\": {\"all\": [{\"action\": \"review\", \"count\": 2}, "
         "{\"tier\": \"silvr\"}]}}]}",
         "badges[0].when.all[1].tier: unknown tier \"silvr\" (did you mean \"silver\"?)"},
    };
    for (size_t i = 0; i < sizeof loads / sizeof *loads; i++) {
        ctx = new_ctx();
        assert_true(plaudit_program_load_json(ctx, loads[i].doc, strlen(loads[i].doc)) < 0);
        if (strcmp(plaudit_errmsg(ctx), loads[i].msg)) fail_msg("load %zu: %s", i, plaudit_errmsg(ctx));
        plaudit_ctx_free(ctx);
    }
}

static void test_event_ids_and_outcome_json(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx();
    assert_int_equal(plaudit_program_load_json(ctx, event_program, sizeof event_program - 1), PLAUDIT_OK);
    static const char a1[] = "{\"ts\": 10, \"member\": \"x\", \"action\": \"a\", \"id\": \"k\"}";
    static const char a1_reordered[] = "{\"id\": \"k\", \"action\": \"a\", \"member\": \"x\", \"ts\": 10}";
    static const char a1_other[] = "{\"ts\": 11, \"member\": \"x\", \"action\": \"a\", \"id\": \"k\"}";
    plaudit_outcome out;
    assert_int_equal(plaudit_record_json(ctx, a1, sizeof a1 - 1, &out), PLAUDIT_OK);
    char *js;
    assert_int_equal(plaudit_outcome_json(ctx, &out, &js, NULL), PLAUDIT_OK);
    assert_string_equal(js, "{\"status\":\"accepted\",\"code\":0,\"points\":10,\"moments\":[{\"kind\":\"points\",\"ts\":10,"
                            "\"member\":\"x\",\"points\":10,\"source\":\"action\",\"source_id\":\"a\"}]}");
    plaudit_free(ctx, js);
    assert_int_equal(plaudit_record_json(ctx, a1_reordered, sizeof a1_reordered - 1, &out), PLAUDIT_DUPLICATE);
    assert_int_equal(out.status, PLAUDIT_DUPLICATE_EVENT);
    assert_int_equal(plaudit_outcome_json(ctx, &out, &js, NULL), PLAUDIT_OK);
    assert_string_equal(js, "{\"status\":\"duplicate\",\"code\":0,\"points\":0,\"moments\":[]}");
    plaudit_free(ctx, js);
    assert_int_equal(plaudit_record_json(ctx, a1_other, sizeof a1_other - 1, &out), PLAUDIT_ECONFLICT);
    assert_int_equal(plaudit_outcome_json(ctx, &out, &js, NULL), PLAUDIT_OK);
    assert_string_equal(js, "{\"status\":\"rejected\",\"code\":-9,\"error\":\"idempotency key reused with different "
                            "content\",\"message\":\"event id \\\"k\\\" was already used by an event with other "
                            "content\",\"points\":0,\"moments\":[]}");
    plaudit_free(ctx, js);
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.accepted, 1);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.rejected, 1);
    plaudit_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test-json BENCH_PROGRAM EXAMPLE_PROGRAM\n");
        return 2;
    }
    bench_program = argv[1];
    example_program = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_error_late_undoes_all),
        cmocka_unit_test(test_load_misuse),
        cmocka_unit_test(test_load_replaces),
        cmocka_unit_test(test_load_nul),
        cmocka_unit_test(test_round_trip_kitchen_sink),
        cmocka_unit_test(test_round_trip_bench),
        cmocka_unit_test(test_round_trip_example),
        cmocka_unit_test(test_round_trip_spec_section2),
        cmocka_unit_test(test_event_parse_types),
        cmocka_unit_test(test_event_malformed),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_messages_v2),
        cmocka_unit_test(test_event_ids_and_outcome_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
