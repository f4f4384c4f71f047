/* test-spec-examples.c - the spec's worked examples (shared/spec/examples):
 * load each program.json, record each line of events.jsonl through the
 * library's event reader, and compare the exported state with expected.json
 * as JSON values (key order and white space free, as the examples say). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "plaudit.h"

static const char *examples_dir;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

static void run_example(const char *name)
{
    char path[1024];
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    snprintf(path, sizeof path, "%s/%s/program.json", examples_dir, name);
    int rc = plaudit_program_load_file(ctx, path);
    if (rc) fail_msg("%s: %s", path, plaudit_errmsg(ctx));
    snprintf(path, sizeof path, "%s/%s/events.jsonl", examples_dir, name);
    size_t len;
    char *events = slurp(path, &len);
    for (char *line = events; line < events + len;) {
        char *nl = memchr(line, '\n', (size_t)(events + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(events + len - line);
        plaudit_record_json(ctx, line, n, NULL);
        line += n + 1;
    }
    free(events);
    char *state;
    assert_int_equal(plaudit_state_export(ctx, &state, NULL), PLAUDIT_OK);
    snprintf(path, sizeof path, "%s/%s/expected.json", examples_dir, name);
    json_error_t e;
    json_t *want = json_load_file(path, 0, &e);
    json_t *got = json_loads(state, 0, &e);
    assert_non_null(want);
    if (!got) fail_msg("state is not JSON: %s\n%s", e.text, state);
    if (!json_equal(want, got)) {
        char *w = json_dumps(want, JSON_INDENT(1));
        fail_msg("%s: state differs\n--- expected\n%s\n--- got\n%s", name, w, state);
    }
    /* The document is the expected one byte for byte, as Python's
     * json.dumps(indent=1) writes it, with a trailing newline. */
    char *raw = slurp(path, &len);
    while (len && (raw[len - 1] == '\n' || raw[len - 1] == ' ')) raw[--len] = '\0';
    size_t sl = strlen(state);
    assert_true(sl > 0 && state[sl - 1] == '\n');
    state[sl - 1] = '\0';
    assert_string_equal(raw, state);
    free(raw);
    json_decref(want);
    json_decref(got);
    plaudit_free(ctx, state);
    plaudit_ctx_free(ctx);
}

static void test_01(void **s) { (void)s; run_example("01-caps-cooldown-once"); }
static void test_02(void **s) { (void)s; run_example("02-leaderboard-ties-and-close"); }
static void test_03(void **s) { (void)s; run_example("03-qualification-and-lifetime-tiers"); }
static void test_04(void **s) { (void)s; run_example("04-dst-days-streaks-repeatable"); }
static void test_05(void **s) { (void)s; run_example("05-kudos-rewards-idempotency"); }

int main(int argc, char **argv)
{
    examples_dir = argc > 1 ? argv[1] : "../shared/spec/examples";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01), cmocka_unit_test(test_02), cmocka_unit_test(test_03),
        cmocka_unit_test(test_04), cmocka_unit_test(test_05),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
