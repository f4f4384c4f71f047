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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_export_without_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
