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

/* Allocation failures: an event that fails with PLAUDIT_ENOMEM changes
 * nothing.  The badge array of a member was changed in place (a level
 * raised, an entry inserted into spare room) and not restored by the
 * rollback when a later allocation of the same event failed. */
typedef struct failing {
    long countdown;
    long failed;
} failing;

static void *f_malloc(size_t n, void *p)
{
    failing *f = p;
    if (f->countdown > 0 && --f->countdown == 0) {
        f->failed++;
        return NULL;
    }
    return malloc(n);
}

static void *f_realloc(void *q, size_t n, void *p)
{
    failing *f = p;
    if (f->countdown > 0 && --f->countdown == 0) {
        f->failed++;
        return NULL;
    }
    return realloc(q, n);
}

static void f_free(void *q, void *p)
{
    (void)p;
    free(q);
}

static const char oom_prog[] =
    "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":10},{\"id\":\"b\",\"points\":1}],"
    "\"tiers\":[{\"id\":\"t1\",\"min_points\":30},{\"id\":\"t2\",\"min_points\":200}],"
    "\"leaderboards\":[{\"id\":\"d\",\"period\":\"day\"}],"
    "\"badges\":[{\"id\":\"lv\",\"when\":{\"action\":\"a\",\"count\":[1,2,3,4,5]},\"bonus\":7},"
    "{\"id\":\"pt\",\"when\":{\"points\":[20,60,120]},\"bonus\":20},"
    "{\"id\":\"bb\",\"when\":{\"action\":\"b\",\"count\":1}},"
    "{\"id\":\"tt\",\"when\":{\"tier\":\"t1\"},\"bonus\":1},"
    "{\"id\":\"top\",\"when\":{\"leaderboard\":\"d\",\"top\":2}},"
    "{\"id\":\"man\",\"manual\":true,\"bonus\":5}]}";

static const char *const oom_events[] = {
    "{\"ts\":1000,\"member\":\"x\",\"action\":\"b\"}",
    "{\"ts\":1001,\"member\":\"x\",\"action\":\"a\"}",
    "{\"ts\":1002,\"member\":\"y\",\"action\":\"a\",\"id\":\"k1\"}",
    "{\"ts\":1003,\"member\":\"x\",\"action\":\"a\"}",
    "{\"ts\":1004,\"type\":\"award\",\"member\":\"x\",\"badge\":\"man\"}",
    "{\"ts\":1005,\"member\":\"x\",\"action\":\"a\"}",
    "{\"ts\":1006,\"type\":\"kudos\",\"from\":\"x\",\"to\":\"y\"}",
    "{\"ts\":90000,\"member\":\"z\",\"action\":\"a\"}",
    "{\"ts\":90001,\"type\":\"award\",\"member\":\"y\",\"badge\":\"man\"}",
    "{\"ts\":90002,\"member\":\"y\",\"action\":\"a\"}",
    "{\"ts\":200000,\"type\":\"tick\"}",
};

static void oom_every_allocation(void **unused)
{
    (void)unused;
    size_t n_ev = sizeof oom_events / sizeof *oom_events;
    long checked = 0;
    for (size_t i = 0; i < n_ev; i++) {
        for (long k = 1;; k++) {
            failing f = {0, 0};
            plaudit_options o = PLAUDIT_OPTIONS_INIT;
            o.allocator.malloc = f_malloc;
            o.allocator.realloc = f_realloc;
            o.allocator.free = f_free;
            o.allocator.payload = &f;
            plaudit_ctx *ctx;
            assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
            assert_int_equal(plaudit_program_load_json(ctx, oom_prog, strlen(oom_prog)), PLAUDIT_OK);
            for (size_t j = 0; j < i; j++) {
                int rc = plaudit_record_json(ctx, oom_events[j], strlen(oom_events[j]), NULL);
                assert_true(rc == PLAUDIT_OK || rc == PLAUDIT_EDISABLED);
            }
            uint64_t d0 = plaudit_state_digest(ctx);
            char *s0 = NULL;
            assert_int_equal(plaudit_state_export(ctx, &s0, NULL), PLAUDIT_OK);
            f.countdown = k;
            int rc = plaudit_record_json(ctx, oom_events[i], strlen(oom_events[i]), NULL);
            f.countdown = 0;
            int failed = f.failed != 0;
            if (rc == PLAUDIT_ENOMEM) {
                assert_true(failed);
                assert_true(plaudit_state_digest(ctx) == d0);
                char *s1 = NULL;
                assert_int_equal(plaudit_state_export(ctx, &s1, NULL), PLAUDIT_OK);
                /* stats differ (one more rejected); the members do not */
                assert_memory_equal(s0, s1, (size_t)(strstr(s0, "\"stats\"") - s0));
                plaudit_free(ctx, s1);
                /* and the event then goes through */
                rc = plaudit_record_json(ctx, oom_events[i], strlen(oom_events[i]), NULL);
                assert_true(rc == PLAUDIT_OK || rc == PLAUDIT_EDISABLED);
                checked++;
            }
            plaudit_free(ctx, s0);
            plaudit_ctx_free(ctx);
            if (!failed) break; /* the event needed fewer than k allocations */
        }
    }
    assert_true(checked > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_export_without_members),
        cmocka_unit_test(load_after_failed_load),
        cmocka_unit_test(listener_call_keeps_moments),
        cmocka_unit_test(oom_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
