/* test-robustness.c - regression tests for crashes and undefined behaviour
 * found by fuzzing and the sanitizers (one test per bug, named after it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"

/* plaudit_state_export on a context without members passed NULL to memcpy
 * (undefined behaviour, reported by UBSan). */
static void state_export_without_members(void **unused)
{
    (void)unused;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(plaudit_state_export(ctx, &out, &len), PLAUDIT_OK);
    assert_non_null(out);
    assert_true(len > 0 && strstr(out, "\"members\""));
    plaudit_free(ctx, out);
    plaudit_ctx_free(ctx);
}

/* A program load that failed after declaring rules freed the rule arrays
 * but kept their capacities, so the next declaration (or load) wrote
 * through a NULL array: a crash. */
static void load_after_failed_load(void **unused)
{
    (void)unused;
    static const char bad[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1}],"
                              "\"tiers\":[{\"id\":\"t\",\"min_points\":\"x\"}]}";
    static const char good[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1}],"
                               "\"tiers\":[{\"id\":\"t\",\"min_points\":1}],\"badges\":[{\"id\":\"b\",\"manual\":true}],"
                               "\"rewards\":[{\"id\":\"r\",\"cost\":1}]}";
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, bad, strlen(bad)), PLAUDIT_EPARSE);
    assert_int_equal(plaudit_program_load_json(ctx, good, strlen(good)), PLAUDIT_OK);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(ctx, &pi), PLAUDIT_OK);
    assert_int_equal(pi.n_actions, 1);
    assert_int_equal(pi.n_tiers, 1);
    assert_int_equal(plaudit_record_action(ctx, 100, "m", "a", NULL, NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_export_without_members),
        cmocka_unit_test(load_after_failed_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
