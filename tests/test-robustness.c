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

/* An event call made from inside a listener reset the context's list of
 * moments before refusing with PLAUDIT_ESTATE, so the moments of the event
 * being delivered after that callback were lost. */
static int n_delivered;
static plaudit_ctx *cb_ctx;

static void on_any(const plaudit_moment *m, void *payload)
{
    (void)m;
    (void)payload;
    n_delivered++;
    assert_int_equal(plaudit_record_tick(cb_ctx, 1000, NULL, NULL), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_record_action(cb_ctx, 1000, "m", "a", NULL, NULL), PLAUDIT_ESTATE);
}

static void listener_call_keeps_moments(void **unused)
{
    (void)unused;
    static const char prog[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
                               "\"tiers\":[{\"id\":\"t\",\"min_points\":10}],"
                               "\"badges\":[{\"id\":\"b\",\"when\":{\"action\":\"a\",\"count\":1},\"bonus\":1}]}";
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    cb_ctx = ctx;
    assert_int_equal(plaudit_program_load_json(ctx, prog, strlen(prog)), PLAUDIT_OK);
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_points = L.on_badge = L.on_tier = on_any;
    assert_int_equal(plaudit_listener_set(ctx, &L), PLAUDIT_OK);
    plaudit_outcome out;
    n_delivered = 0;
    assert_int_equal(plaudit_record_action(ctx, 100, "m", "a", NULL, &out), PLAUDIT_OK);
    assert_true(out.n_moments >= 3); /* points, badge, bonus points, tier */
    assert_int_equal(n_delivered, (int)out.n_moments);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_export_without_members),
        cmocka_unit_test(load_after_failed_load),
        cmocka_unit_test(listener_call_keeps_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
