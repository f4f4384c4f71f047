/* test-format.c - the program format versions (spec: "Version 2 keeps
 * every rule of version 1"): plaudit_program_set_format, the loader and
 * exporter, the state document's format, and what format 1 does not know
 * (ref, the revoke / team / program event types) through the C API, the
 * event-line reader and the journal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static const char prog1[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"post\",\"points\":5}]}";
static const char prog2[] = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"post\",\"points\":5}]}";

static plaudit_ctx *loaded(const char *doc)
{
    plaudit_ctx *ctx = ctx_new();
    int rc = plaudit_program_load_json(ctx, doc, strlen(doc));
    if (rc) fail_msg("load: %d %s", rc, plaudit_errmsg(ctx));
    return ctx;
}

static int info_format(plaudit_ctx *ctx)
{
    plaudit_program_info info;
    assert_int_equal(plaudit_program_info_get(ctx, &info), PLAUDIT_OK);
    return info.format;
}

static void test_set_format(void **state)
{
    (void)state;
    plaudit_ctx *ctx = ctx_new();
    assert_int_equal(info_format(ctx), 1);
    assert_int_equal(plaudit_program_set_format(ctx, 3), PLAUDIT_ERANGE);
    assert_int_equal(plaudit_program_set_format(ctx, 0), PLAUDIT_ERANGE);
    assert_int_equal(info_format(ctx), 1);
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    assert_int_equal(info_format(ctx), 2);
    assert_int_equal(plaudit_program_set_format(ctx, 1), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    action(ctx, "post", 5);
    ACT(ctx, T_2026, "ann", "post");
    /* sealed by the first event */
    assert_int_equal(plaudit_program_set_format(ctx, 1), PLAUDIT_ESTATE);
    assert_int_equal(info_format(ctx), 2);
    assert_int_equal(plaudit_program_set_format(NULL, 2), PLAUDIT_EINVAL);
    plaudit_ctx_free(ctx);
}

static char *state_doc(plaudit_ctx *ctx)
{
    char *s;
    assert_int_equal(plaudit_state_export(ctx, &s, NULL), PLAUDIT_OK);
    return s;
}

static void test_load_export_state(void **state)
{
    (void)state;
    static const char *const docs[] = {prog1, prog2};
    for (int v = 1; v <= 2; v++) {
        plaudit_ctx *ctx = loaded(docs[v - 1]);
        assert_int_equal(info_format(ctx), v);
        char *ex;
        assert_int_equal(plaudit_program_export_json(ctx, &ex, NULL), PLAUDIT_OK);
        char want[64];
        snprintf(want, sizeof want, "\"format\":\"plaudit.program/%d\"", v);
        assert_non_null(strstr(ex, want));
        /* round trip: the export loads back to the same format and rules */
        plaudit_ctx *again = loaded(ex);
        assert_int_equal(info_format(again), v);
        char *ex2;
        assert_int_equal(plaudit_program_export_json(again, &ex2, NULL), PLAUDIT_OK);
        assert_string_equal(ex, ex2);
        plaudit_free(again, ex2);
        plaudit_ctx_free(again);
        plaudit_free(ctx, ex);

        ACT(ctx, T_2026, "ann", "post");
        char *s = state_doc(ctx);
        snprintf(want, sizeof want, "\"format\": \"plaudit.state/%d\"", v);
        if (!strstr(s, want)) fail_msg("state document of format %d: %.80s", v, s);
        plaudit_free(ctx, s);
        plaudit_ctx_free(ctx);
    }
    /* an unknown format, and a format 2 key in a format 1 document */
    plaudit_ctx *ctx = ctx_new();
    const char *bad = "{\"format\":\"plaudit.program/3\"}";
    assert_int_equal(plaudit_program_load_json(ctx, bad, strlen(bad)), PLAUDIT_EVERSION);
    bad = "{\"format\":\"plaudit.program/1\",\"campaigns\":[]}";
    assert_int_equal(plaudit_program_load_json(ctx, bad, strlen(bad)), PLAUDIT_EPARSE);
    assert_string_equal(plaudit_errmsg(ctx), "campaigns: unknown key");
    assert_int_equal(info_format(ctx), 1);
    /* a failed load leaves format 1 */
    bad = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"x\"}]}";
    assert_true(plaudit_program_load_json(ctx, bad, strlen(bad)) < 0);
    assert_int_equal(info_format(ctx), 1);
    plaudit_ctx_free(ctx);
}

/* Format 1 rejects everything new in format 2, and changes nothing. */
static void test_format1_rejects_v2_events(void **state)
{
    (void)state;
    plaudit_ctx *ctx = loaded(prog1);
    ACT(ctx, T_2026, "ann", "post");
    uint64_t d = plaudit_state_digest(ctx);
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.type = PLAUDIT_EVENT_ACTION;
    ev.ts = T_2026 + 1;
    ev.member = "ann";
    ev.target = "post";
    ev.ref = "post:1";
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_EVERSION);
    assert_non_null(strstr(plaudit_errmsg(ctx), "format 2"));
    plaudit_event rv = PLAUDIT_EVENT_INIT;
    rv.type = PLAUDIT_EVENT_REVOKE;
    rv.ts = T_2026 + 1;
    rv.target = "e1";
    assert_int_equal(plaudit_record(ctx, &rv, NULL), PLAUDIT_EVERSION);
    assert_string_equal(plaudit_errmsg(ctx), "event type \"revoke\" needs a program of format 2 (plaudit.program/2)");
    static const char *const lines[] = {
        "{\"ts\":1767225601,\"member\":\"ann\",\"action\":\"post\",\"ref\":\"p:1\"}",
        "{\"ts\":1767225601,\"type\":\"revoke\",\"event\":\"e1\"}",
        "{\"ts\":1767225601,\"type\":\"team\",\"member\":\"ann\",\"team\":\"acme\"}",
        "{\"ts\":1767225601,\"type\":\"program\",\"program\":{\"format\":\"plaudit.program/1\"}}",
    };
    static const char *const msgs[] = {
        "\"ref\": unknown key for an action event",
        "unknown event type \"revoke\"",
        "unknown event type \"team\"",
        "unknown event type \"program\"",
    };
    for (size_t i = 0; i < 4; i++) {
        plaudit_outcome out;
        assert_int_equal(plaudit_record_json(ctx, lines[i], strlen(lines[i]), &out), PLAUDIT_EPARSE);
        assert_string_equal(plaudit_errmsg(ctx), msgs[i]);
        assert_int_equal(out.status, PLAUDIT_REJECTED);
    }
    assert_true(plaudit_state_digest(ctx) == d);
    plaudit_ctx_free(ctx);
}

static void test_format2_line_reader(void **state)
{
    (void)state;
    plaudit_ctx *ctx = loaded(prog2);
    plaudit_event ev;
    const char *l = "{\"ts\":5,\"member\":\"ann\",\"action\":\"post\",\"id\":\"a1\",\"ref\":\"post:881\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_ACTION);
    assert_string_equal(ev.ref, "post:881");
    assert_string_equal(ev.id, "a1");
    assert_null(ev.document);

    l = "{\"ts\":6,\"type\":\"revoke\",\"ref\":\"post:881\",\"reason\":\"post deleted\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_REVOKE);
    assert_null(ev.target);
    assert_string_equal(ev.ref, "post:881");
    assert_string_equal(ev.reason, "post deleted");
    l = "{\"ts\":6,\"type\":\"revoke\",\"event\":\"a1\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_string_equal(ev.target, "a1");
    assert_null(ev.ref);
    l = "{\"ts\":6,\"type\":\"revoke\",\"event\":\"a1\",\"ref\":\"x\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_EPARSE);
    l = "{\"ts\":6,\"type\":\"revoke\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_EPARSE);
    assert_string_equal(plaudit_errmsg(ctx), "a revoke event takes exactly one of \"event\" and \"ref\"");

    l = "{\"ts\":7,\"type\":\"team\",\"member\":\"ann\",\"team\":null}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_TEAM);
    assert_null(ev.target);
    l = "{\"ts\":7,\"type\":\"team\",\"member\":\"ann\",\"team\":\"acme\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_string_equal(ev.target, "acme");
    l = "{\"ts\":7,\"type\":\"team\",\"member\":\"ann\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_EPARSE);

    /* the document with sorted keys, so key order is not content */
    l = "{\"ts\":8,\"type\":\"program\",\"program\":{\"name\":\"B\",\"format\":\"plaudit.program/2\"}}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_OK);
    assert_int_equal(ev.type, PLAUDIT_EVENT_PROGRAM);
    assert_string_equal(ev.document, "{\"format\":\"plaudit.program/2\",\"name\":\"B\"}");
    l = "{\"ts\":8,\"type\":\"program\",\"program\":\"x\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_EPARSE);
    /* ref only where the spec allows it */
    l = "{\"ts\":8,\"type\":\"join\",\"member\":\"x\",\"ref\":\"r\"}";
    assert_int_equal(plaudit_event_parse(ctx, l, strlen(l), &ev), PLAUDIT_EPARSE);
    assert_string_equal(plaudit_errmsg(ctx), "\"ref\": unknown key for a join event");
    plaudit_ctx_free(ctx);
}

static void test_ref_checks(void **state)
{
    (void)state;
    plaudit_ctx *ctx = loaded(prog2);
    ACT(ctx, T_2026, "ann", "post");
    uint64_t d = plaudit_state_digest(ctx);
    char longref[130];
    memset(longref, 'r', 129);
    longref[129] = '\0';
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.ts = T_2026 + 1;
    ev.member = "ann";
    ev.target = "post";
    ev.ref = longref;
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_ESTRING);
    ev.ref = "";
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_ESTRING);
    ev.ref = "a\tb";
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_ESTRING);
    ev.ref = "\xff";
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_EUTF8);
    ev.type = PLAUDIT_EVENT_JOIN;
    ev.member = "new";
    ev.target = NULL;
    ev.ref = "r";
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_EINVAL);
    plaudit_event rv = PLAUDIT_EVENT_INIT;
    rv.type = PLAUDIT_EVENT_REVOKE;
    rv.ts = T_2026 + 1;
    assert_int_equal(plaudit_record(ctx, &rv, NULL), PLAUDIT_EINVAL); /* neither id nor ref */
    rv.target = "e";
    rv.ref = "r";
    assert_int_equal(plaudit_record(ctx, &rv, NULL), PLAUDIT_EINVAL); /* both */
    plaudit_event pe = PLAUDIT_EVENT_INIT;
    pe.type = PLAUDIT_EVENT_PROGRAM;
    pe.ts = T_2026 + 1;
    assert_int_equal(plaudit_record(ctx, &pe, NULL), PLAUDIT_EINVAL); /* no document */
    ev.type = (plaudit_event_type)(PLAUDIT_EVENT_PROGRAM + 1);
    assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_EINVAL);
    assert_true(plaudit_state_digest(ctx) == d);
    plaudit_ctx_free(ctx);
}

/* A ref is part of an event's content (idempotency), and survives the
 * journal: after recovery the same id with another ref is a conflict. */
static void test_ref_content_and_journal(void **state)
{
    (void)state;
    char dir[] = "/tmp/plaudit-format-XXXXXX";
    assert_non_null(mkdtemp(dir));
    uint64_t digest = 0;
    for (int round = 0; round < 2; round++) {
        plaudit_ctx *ctx = loaded(prog2);
        plaudit_store st;
        assert_int_equal(plaudit_file_store_open(ctx, &st, dir, PLAUDIT_FILE_STORE_CREATE, 0), PLAUDIT_OK);
        assert_int_equal(plaudit_store_attach(ctx, &st, NULL), PLAUDIT_OK);
        plaudit_event ev = PLAUDIT_EVENT_INIT;
        ev.ts = T_2026;
        ev.member = "ann";
        ev.target = "post";
        ev.id = "a1";
        ev.ref = "post:1";
        if (round == 0) {
            assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_OK);
            digest = plaudit_state_digest(ctx);
        } else {
            plaudit_recovery rec;
            assert_int_equal(plaudit_store_recovery_get(ctx, &rec), PLAUDIT_OK);
            assert_int_equal(rec.accepted, 1);
            assert_true(plaudit_state_digest(ctx) == digest);
        }
        assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_DUPLICATE);
        ev.ref = "post:2";
        assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_ECONFLICT);
        ev.ref = NULL;
        assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_ECONFLICT);
        assert_true(plaudit_state_digest(ctx) == digest);
        plaudit_ctx_free(ctx);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_format),
        cmocka_unit_test(test_load_export_state),
        cmocka_unit_test(test_format1_rejects_v2_events),
        cmocka_unit_test(test_format2_line_reader),
        cmocka_unit_test(test_ref_checks),
        cmocka_unit_test(test_ref_content_and_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
