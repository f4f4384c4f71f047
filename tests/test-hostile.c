/* test-hostile.c - hostile input: program documents and event lines that
 * are huge, deeply nested, truncated, not UTF-8, hold NUL bytes, integers
 * beyond 64 bits or floats where integers belong.  Each must be rejected
 * with a clear error (code and message), within bounded time and memory,
 * and change nothing (no rule declared, digest unchanged).  Also: the input
 * limits of plaudit_options (version 2) and version 1 compatibility.
 * Prints the number of hostile inputs tried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "plaudit.h"

static long n_tried;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char base_prog[] =
    "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":10}],"
    "\"badges\":[{\"id\":\"b\",\"when\":{\"action\":\"a\",\"count\":1}}],"
    "\"rewards\":[{\"id\":\"r\",\"cost\":5,\"stock\":3}]}";

static plaudit_ctx *new_ctx(const plaudit_options *o)
{
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, o), PLAUDIT_OK);
    return ctx;
}

static int program_empty(plaudit_ctx *ctx)
{
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(ctx, &pi), PLAUDIT_OK);
    return !pi.n_actions && !pi.n_tiers && !pi.n_badges && !pi.n_segments && !pi.n_leaderboards && !pi.n_rewards &&
           !pi.has_kudos && !pi.name;
}

/* A program document that must be refused with `code` (0: any negative). */
static void bad_program(const plaudit_options *o, const char *doc, size_t len, int code)
{
    plaudit_ctx *ctx = new_ctx(o);
    double t0 = now_s();
    int rc = plaudit_program_load_json(ctx, doc, len);
    double dt = now_s() - t0;
    if (code) {
        if (rc != code) fprintf(stderr, "expected %d, got %d: %s\n", code, rc, plaudit_errmsg(ctx));
        assert_int_equal(rc, code);
    } else {
        assert_true(rc < 0);
    }
    assert_true(plaudit_errmsg(ctx)[0] != '\0');
    assert_true(program_empty(ctx));
    assert_true(dt < 20.0);
    /* still usable */
    static const char minimal[] = "{\"format\":\"plaudit.program/1\"}";
    assert_int_equal(plaudit_program_load_json(ctx, minimal, strlen(minimal)), PLAUDIT_OK);
    plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
    d.id = "z";
    assert_int_equal(plaudit_action_declare(ctx, &d), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    n_tried++;
}

/* An event line that must be refused with `code` (0: any negative) and
 * leave the state as it was. */
static void bad_line(plaudit_ctx *ctx, const char *line, size_t len, int code)
{
    uint64_t d0 = plaudit_state_digest(ctx);
    plaudit_stats s0, s1;
    plaudit_stats_get(ctx, &s0);
    plaudit_outcome out;
    double t0 = now_s();
    int rc = plaudit_record_json(ctx, line, len, &out);
    double dt = now_s() - t0;
    if (code) {
        if (rc != code) fprintf(stderr, "expected %d, got %d: %s\n", code, rc, plaudit_errmsg(ctx));
        assert_int_equal(rc, code);
    } else {
        assert_true(rc < 0);
    }
    assert_int_equal(out.status, PLAUDIT_REJECTED);
    assert_true(plaudit_errmsg(ctx)[0] != '\0');
    assert_true(plaudit_state_digest(ctx) == d0);
    plaudit_stats_get(ctx, &s1);
    assert_true(s1.accepted == s0.accepted && s1.rejected == s0.rejected + 1);
    assert_true(dt < 20.0);
    n_tried++;
}

static plaudit_ctx *loaded(const plaudit_options *o)
{
    plaudit_ctx *ctx = new_ctx(o);
    assert_int_equal(plaudit_program_load_json(ctx, base_prog, strlen(base_prog)), PLAUDIT_OK);
    static const char l[] = "{\"ts\":1000,\"member\":\"m\",\"action\":\"a\"}";
    assert_int_equal(plaudit_record_json(ctx, l, strlen(l), NULL), PLAUDIT_OK);
    return ctx;
}

/* ---- huge ------------------------------------------------------------------ */

static void huge_line(void **unused)
{
    (void)unused;
    size_t n = 100u << 20; /* 100 MB */
    char *big = malloc(n + 64);
    assert_non_null(big);
    plaudit_ctx *ctx = loaded(NULL);
    /* a 100 MB member id */
    size_t k = (size_t)sprintf(big, "{\"ts\":2000,\"action\":\"a\",\"member\":\"");
    memset(big + k, 'x', n - k - 3);
    memcpy(big + n - 3, "\"}\n", 3);
    bad_line(ctx, big, n, PLAUDIT_ELIMIT);
    assert_non_null(strstr(plaudit_errmsg(ctx), "limit"));
    /* 100 MB of blanks, of brackets, of one number */
    memset(big, ' ', n);
    bad_line(ctx, big, n, PLAUDIT_ELIMIT);
    memset(big, '[', n);
    bad_line(ctx, big, n, PLAUDIT_ELIMIT);
    memset(big, '9', n);
    bad_line(ctx, big, n, PLAUDIT_ELIMIT);
    /* the limit is exact and configurable */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.max_line_bytes = 100;
    plaudit_ctx *c2 = loaded(&o);
    k = (size_t)sprintf(big, "{\"ts\":2000,\"action\":\"a\",\"member\":\"");
    memset(big + k, 'y', 100 - k - 3);
    memcpy(big + 100 - 3, "\"}\n", 3);
    assert_int_equal(plaudit_record_json(c2, big, 100, NULL), PLAUDIT_OK);
    big[100] = '\n';
    memcpy(big + 100 - 3, "y\"}", 3);
    bad_line(c2, big, 101, PLAUDIT_ELIMIT);
    plaudit_ctx_free(c2);
    plaudit_ctx_free(ctx);
    free(big);
}

static void huge_program(void **unused)
{
    (void)unused;
    size_t n = 100u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    memcpy(big, "{\"format\":\"plaudit.program/1\"}", 30);
    bad_program(NULL, big, n, PLAUDIT_ELIMIT);
    /* a file, read no further than the limit */
    char path[] = "/tmp/plaudit-hostile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_int_equal(fwrite(big, 1, n, f), n);
    fclose(f);
    plaudit_ctx *ctx = new_ctx(NULL);
    assert_int_equal(plaudit_program_load_file(ctx, path), PLAUDIT_ELIMIT);
    assert_true(program_empty(ctx));
    plaudit_ctx_free(ctx);
    n_tried++;
    remove(path);
    free(big);
}

/* A million actions: refused by count before any is declared. */
static void million_actions(void **unused)
{
    (void)unused;
    size_t n_act = 1000000;
    size_t cap = 64 + n_act * 40;
    char *doc = malloc(cap);
    if (!doc) abort(); /* (assert_non_null does not tell the compiler) */
    size_t len = (size_t)sprintf(doc, "{\"format\":\"plaudit.program/1\",\"actions\":[");
    for (size_t i = 0; i < n_act; i++)
        len += (size_t)sprintf(doc + len, "%s{\"id\":\"a%zu\",\"points\":1}", i ? "," : "", i);
    len += (size_t)sprintf(doc + len, "]}");
    /* 28 MB: over the default size limit */
    bad_program(NULL, doc, len, PLAUDIT_ELIMIT);
    /* 100,000 empty actions fit in 300 KB: refused by count */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    len = (size_t)sprintf(doc, "{\"format\":\"plaudit.program/1\",\"actions\":[");
    for (size_t i = 0; i < 100000; i++) len += (size_t)sprintf(doc + len, "%s{}", i ? "," : "");
    len += (size_t)sprintf(doc + len, "]}");
    bad_program(NULL, doc, len, PLAUDIT_ELIMIT);
    assert_true(len < 400000);
    /* a smaller max_rules */
    o.max_rules = 2;
    static const char three[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1},"
                                "{\"id\":\"b\",\"points\":1},{\"id\":\"c\",\"points\":1}]}";
    bad_program(&o, three, strlen(three), PLAUDIT_ELIMIT);
    free(doc);
}

/* ---- nesting ---------------------------------------------------------------- */

static void deep_nesting(void **unused)
{
    (void)unused;
    size_t n = 1000000;
    char *doc = malloc(2 * n + 64);
    if (!doc) abort();
    memset(doc, '[', n);
    memset(doc + n, ']', n);
    bad_program(NULL, doc, 2 * n, PLAUDIT_ELIMIT);
    size_t k = (size_t)sprintf(doc, "{\"format\":\"plaudit.program/1\",\"name\":");
    memset(doc + k, '[', n);
    bad_program(NULL, doc, k + n, PLAUDIT_ELIMIT); /* truncated too */
    for (size_t i = 0; i < n; i++) doc[i] = i % 2 ? '[' : '{';
    bad_program(NULL, doc, n, PLAUDIT_ELIMIT);
    /* brackets inside a string do not count */
    k = (size_t)sprintf(doc, "{\"format\":\"plaudit.program/1\",\"name\":\"");
    memset(doc + k, '[', 200);
    k += 200;
    k += (size_t)sprintf(doc + k, "\"}");
    plaudit_ctx *ctx = new_ctx(NULL);
    assert_int_equal(plaudit_program_load_json(ctx, doc, k), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    /* event lines */
    ctx = loaded(NULL);
    memset(doc, '[', n);
    bad_line(ctx, doc, 60000, PLAUDIT_ELIMIT);
    k = (size_t)sprintf(doc, "{\"ts\":2000,\"member\":\"m\",\"action\":");
    memset(doc + k, '{', 100);
    bad_line(ctx, doc, k + 100, PLAUDIT_ELIMIT);
    /* within the depth limit: a type error */
    k = (size_t)sprintf(doc, "{\"ts\":2000,\"member\":\"m\",\"action\":[[[[]]]]}");
    bad_line(ctx, doc, k, PLAUDIT_EPARSE);
    plaudit_ctx_free(ctx);
    free(doc);
}

/* ---- truncated, not UTF-8, NUL, big numbers ------------------------------------- */

static const char full_prog[] =
    "{\"format\":\"plaudit.program/1\",\"name\":\"n\",\"timezone\":\"UTC\",\n"
    " \"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":20,\"per\":\"day\"}}],\n"
    " \"tiers\":[{\"id\":\"t\",\"min_points\":5,\"window\":\"month\"}],\n"
    " \"segments\":[{\"id\":\"s\",\"weights\":{\"a\":2}}],\n"
    " \"leaderboards\":[{\"id\":\"l\",\"period\":\"week\",\"segment\":\"s\"}],\n"
    " \"badges\":[{\"id\":\"b\",\"when\":{\"action\":\"a\",\"count\":[1,2]},\"bonus\":1},\n"
    "            {\"id\":\"c\",\"when\":{\"leaderboard\":\"l\",\"top\":3}}],\n"
    " \"kudos\":{\"points\":1,\"give_cap\":{\"count\":1,\"per\":\"day\"}},\n"
    " \"rewards\":[{\"id\":\"r\",\"cost\":5}]}";

static void truncated(void **unused)
{
    (void)unused;
    size_t n = strlen(full_prog);
    /* every proper prefix is refused */
    for (size_t i = 0; i < n - 1; i++) bad_program(NULL, full_prog, i, 0);
    plaudit_ctx *ctx = loaded(NULL);
    static const char line[] = "{\"ts\":2000,\"type\":\"adjust\",\"member\":\"m\",\"points\":-5,\"reason\":\"x\"}";
    for (size_t i = 1; i < strlen(line) - 1; i++) {
        if (line[i - 1] == ' ') continue;
        bad_line(ctx, line, i, 0);
    }
    plaudit_ctx_free(ctx);
}

static void not_utf8(void **unused)
{
    (void)unused;
    static const char *const bad[] = {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xf8\x88\x80\x80\x80", "a\x80", "\xc3", "\xe2\x82"};
    char doc[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int n = snprintf(doc, sizeof doc, "{\"format\":\"plaudit.program/1\",\"name\":\"%s\"}", bad[i]);
        bad_program(NULL, doc, (size_t)n, PLAUDIT_EUTF8);
        n = snprintf(doc, sizeof doc, "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"%s\",\"points\":1}]}",
                     bad[i]);
        bad_program(NULL, doc, (size_t)n, PLAUDIT_EUTF8);
    }
    plaudit_ctx *ctx = loaded(NULL);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int n = snprintf(doc, sizeof doc, "{\"ts\":2000,\"member\":\"m%s\",\"action\":\"a\"}", bad[i]);
        bad_line(ctx, doc, (size_t)n, PLAUDIT_EUTF8);
        n = snprintf(doc, sizeof doc, "{\"ts\":2000,\"member\":\"m\",\"action\":\"a\",\"id\":\"%s\"}", bad[i]);
        bad_line(ctx, doc, (size_t)n, PLAUDIT_EUTF8);
        /* and through the C API, which checks UTF-8 itself */
        uint64_t d0 = plaudit_state_digest(ctx);
        snprintf(doc, sizeof doc, "m%s", bad[i]);
        assert_int_equal(plaudit_record_action(ctx, 2000, doc, "a", NULL, NULL), PLAUDIT_EUTF8);
        assert_true(plaudit_state_digest(ctx) == d0);
        n_tried++;
    }
    /* lone surrogate escapes */
    static const char sur[] = "{\"ts\":2000,\"member\":\"\\udc00\",\"action\":\"a\"}";
    bad_line(ctx, sur, strlen(sur), 0);
    plaudit_ctx_free(ctx);
}

static void nul_bytes(void **unused)
{
    (void)unused;
    char doc[128];
    int n = snprintf(doc, sizeof doc, "{\"format\":\"plaudit.program/1\",\"name\":\"ab\"}");
    doc[35] = '\0';
    bad_program(NULL, doc, (size_t)n, 0);
    static const char esc[] = "{\"format\":\"plaudit.program/1\",\"name\":\"a\\u0000b\"}";
    bad_program(NULL, esc, strlen(esc), 0);
    static const char esc2[] = "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\\u0000\",\"points\":1}]}";
    bad_program(NULL, esc2, strlen(esc2), 0);
    plaudit_ctx *ctx = loaded(NULL);
    n = snprintf(doc, sizeof doc, "{\"ts\":2000,\"member\":\"mm\",\"action\":\"a\"}");
    for (int i = 0; i < n; i++) {
        char c = doc[i];
        doc[i] = '\0';
        bad_line(ctx, doc, (size_t)n, PLAUDIT_EPARSE);
        doc[i] = c;
    }
    static const char l2[] = "{\"ts\":2000,\"member\":\"m\\u0000x\",\"action\":\"a\"}";
    bad_line(ctx, l2, strlen(l2), PLAUDIT_EPARSE);
    plaudit_ctx_free(ctx);
}

static void numbers(void **unused)
{
    (void)unused;
    static const char *const bad_ints[] = {"99999999999999999999", "-9223372036854775809", "18446744073709551616",
                                           "1e2", "1.0", "-0.0", "1E400", "0x10", "NaN", "Infinity", "-", "01", "+1",
                                           "\"1\"", "true", "null"};
    char doc[256];
    for (size_t i = 0; i < sizeof bad_ints / sizeof *bad_ints; i++) {
        int n = snprintf(doc, sizeof doc, "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":%s}]}",
                         bad_ints[i]);
        bad_program(NULL, doc, (size_t)n, PLAUDIT_EPARSE);
        n = snprintf(doc, sizeof doc,
                     "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1}],"
                     "\"badges\":[{\"id\":\"b\",\"when\":{\"action\":\"a\",\"count\":[1,%s]}}]}",
                     bad_ints[i]);
        bad_program(NULL, doc, (size_t)n, PLAUDIT_EPARSE);
    }
    /* 64-bit integers out of the rules' range */
    static const char *const range[] = {"9223372036854775807", "-9223372036854775808", "1000000001"};
    for (size_t i = 0; i < 3; i++) {
        int n = snprintf(doc, sizeof doc, "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":%s}]}",
                         range[i]);
        bad_program(NULL, doc, (size_t)n, PLAUDIT_ERANGE);
    }
    plaudit_ctx *ctx = loaded(NULL);
    for (size_t i = 0; i < sizeof bad_ints / sizeof *bad_ints; i++) {
        int n = snprintf(doc, sizeof doc, "{\"ts\":%s,\"member\":\"m\",\"action\":\"a\"}", bad_ints[i]);
        bad_line(ctx, doc, (size_t)n, PLAUDIT_EPARSE);
        n = snprintf(doc, sizeof doc, "{\"ts\":2000,\"type\":\"adjust\",\"member\":\"m\",\"points\":%s}", bad_ints[i]);
        bad_line(ctx, doc, (size_t)n, PLAUDIT_EPARSE);
    }
    static const char *const bad_ts[] = {"-1", "9223372036854775807", "137438953473"};
    for (size_t i = 0; i < 3; i++) {
        int n = snprintf(doc, sizeof doc, "{\"ts\":%s,\"member\":\"m\",\"action\":\"a\"}", bad_ts[i]);
        bad_line(ctx, doc, (size_t)n, PLAUDIT_ERANGE);
    }
    plaudit_ctx_free(ctx);
}

/* Odd but well-formed JSON: duplicate keys, several values, wrong types. */
static void odd_documents(void **unused)
{
    (void)unused;
    static const char *const docs[] = {
        "", " ", "null", "[]", "\"plaudit.program/1\"", "{}", "{\"format\":\"plaudit.program/3\"}",
        "{\"format\":\"plaudit.program/1\",\"format\":\"plaudit.program/1\"}",
        "{\"format\":\"plaudit.program/1\"} {}",
        "{\"format\":\"plaudit.program/1\",\"actions\":{}}",
        "{\"format\":\"plaudit.program/1\",\"actions\":[null]}",
        "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1},{\"id\":\"a\",\"points\":1}]}",
        "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"a\",\"points\":1,\"x\":1}]}",
        "{\"format\":\"plaudit.program/1\",\"utc_offset_minutes\":1440}",
        "{\"format\":\"plaudit.program/1\",\"timezone\":\"../../../../etc/passwd\"}",
        "{\"format\":\"plaudit.program/1\",\"timezone\":\"/etc/passwd\"}",
        "{\"format\":\"plaudit.program/1\",\"timezone\":\"No/Such_Zone\"}",
        "{\"format\":\"plaudit.program/1\",\"kudos\":[]}",
        "\xef\xbb\xbf{\"format\":\"plaudit.program/1\"}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) bad_program(NULL, docs[i], strlen(docs[i]), 0);
    plaudit_ctx *ctx = loaded(NULL);
    static const char *const lines[] = {
        "null", "[]", "1", "\"x\"", "{}", "{\"ts\":2000}", "{\"ts\":2000,\"type\":\"nope\"}",
        "{\"ts\":2000,\"type\":1}", "{\"ts\":2000,\"member\":\"m\",\"action\":\"a\",\"action\":\"a\"}",
        "{\"ts\":2000,\"member\":\"m\",\"action\":\"a\",\"extra\":1}", "{\"ts\":2000,\"member\":\"m\",\"action\":\"a\"} x",
        "{\"ts\":2000,\"type\":\"tick\",\"member\":\"m\"}", "{\"ts\":2000,\"member\":\"m\",\"action\":\"zz\"}",
        "{\"ts\":2000,\"type\":\"redeem\",\"member\":\"m\",\"reward\":\"r\",\"id\":\"\"}",
        "{\"ts\":999,\"member\":\"m\",\"action\":\"a\"}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) bad_line(ctx, lines[i], strlen(lines[i]), 0);
    plaudit_ctx_free(ctx);
}

/* ---- options ------------------------------------------------------------------ */

/* A program that costs much per member: n day leaderboards. */
static char *many_boards(size_t n)
{
    size_t cap = 64 + n * 48;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t len = (size_t)snprintf(doc, cap, "{\"format\": \"plaudit.program/1\", \"leaderboards\": [");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%s{\"id\": \"b%zu\", \"period\": \"day\"}", i ? "," : "", i);
    snprintf(doc + len, cap - len, "]}");
    return doc;
}

/* What a program may cost per member is bounded (max_member_bytes): the
 * load fails with the size, before anything is sealed or allocated per
 * member; the same for a program declared rule by rule, at its first
 * event. */
static void member_state_limit(void **unused)
{
    (void)unused;
    char *doc = many_boards(4000); /* 4000 slots of 24 bytes: about 96 KB */
    plaudit_ctx *ctx = new_ctx(NULL);
    assert_int_equal(plaudit_program_load_json(ctx, doc, strlen(doc)), PLAUDIT_ELIMIT);
    if (!strstr(plaudit_errmsg(ctx), "bytes of state per member, more than the limit of 65536 (max_member_bytes)"))
        fail_msg("%s", plaudit_errmsg(ctx));
    assert_true(program_empty(ctx));
    plaudit_ctx_free(ctx);
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.max_member_bytes = 200000;
    ctx = new_ctx(&o);
    assert_int_equal(plaudit_program_load_json(ctx, doc, strlen(doc)), PLAUDIT_OK);
    uint64_t before, after;
    assert_int_equal(plaudit_program_member_bytes(ctx, &before), PLAUDIT_OK);
    assert_true(before > 4000 * 24 && before < 4000 * 24 + 1024);
    assert_int_equal(plaudit_record_join(ctx, 1, "m", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_member_bytes(ctx, &after), PLAUDIT_OK);
    assert_true(before == after);
    plaudit_ctx_free(ctx);
    free(doc);
    /* declared rule by rule: refused at the first event, nothing changes */
    o.max_member_bytes = 1000;
    ctx = new_ctx(&o);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        plaudit_leaderboard_def d = PLAUDIT_LEADERBOARD_DEF_INIT;
        d.id = id;
        d.period = PLAUDIT_PERIOD_DAY;
        assert_int_equal(plaudit_leaderboard_declare(ctx, &d), PLAUDIT_OK);
    }
    uint64_t dg = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_record_join(ctx, 1, "m", NULL, NULL), PLAUDIT_ELIMIT);
    assert_non_null(strstr(plaudit_errmsg(ctx), "max_member_bytes"));
    assert_true(plaudit_state_digest(ctx) == dg && plaudit_member_count(ctx) == 0);
    plaudit_ctx_free(ctx);
}

/* The version 1 struct, as a caller built against the old header has it. */
typedef struct options_v1 {
    unsigned version;
    plaudit_allocator allocator;
    const char *tzdir;
    int64_t idempotency_retention_s;
    uint64_t max_members;
} options_v1;

/* The version 2 struct (up to max_rules). */
typedef struct options_v2 {
    unsigned version;
    plaudit_allocator allocator;
    const char *tzdir;
    int64_t idempotency_retention_s;
    uint64_t max_members;
    size_t max_line_bytes, max_program_bytes;
    unsigned max_json_depth, max_rules;
} options_v2;

static void options_versions(void **unused)
{
    (void)unused;
    /* version 1: the shorter struct, on its own allocation (ASan checks that
     * nothing past it is read) */
    options_v1 *v1 = malloc(sizeof *v1);
    assert_non_null(v1);
    memset(v1, 0, sizeof *v1);
    v1->version = 1;
    v1->max_members = 1;
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, (const plaudit_options *)(void *)v1), PLAUDIT_OK);
    free(v1);
    assert_int_equal(plaudit_program_load_json(ctx, base_prog, strlen(base_prog)), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 1, "x", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 1, "y", "a", NULL, NULL), PLAUDIT_ELIMIT);
    plaudit_ctx_free(ctx);
    /* version 2: its limits apply, the version 3 field is not read */
    options_v2 *v2 = malloc(sizeof *v2);
    assert_non_null(v2);
    memset(v2, 0, sizeof *v2);
    v2->version = 2;
    v2->max_rules = 1;
    assert_int_equal(plaudit_ctx_new(&ctx, (const plaudit_options *)(void *)v2), PLAUDIT_OK);
    free(v2);
    static const char two[] = "{\"format\": \"plaudit.program/1\", \"actions\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}";
    assert_int_equal(plaudit_program_load_json(ctx, two, sizeof two - 1), PLAUDIT_ELIMIT);
    plaudit_ctx_free(ctx);
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    assert_int_equal(o.version, 4);
    /* version 3: the version 4 field (the points history) is not read */
    o.version = 3;
    o.history_per_member = 5;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, base_prog, strlen(base_prog)), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 1, "x", "a", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_member_history_count(ctx, "x", NULL, NULL), PLAUDIT_ESTATE);
    plaudit_ctx_free(ctx);
    o.history_per_member = 0;
    o.version = 5;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_EVERSION);
    assert_null(ctx);
    o.version = 0;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_EVERSION);
    o.version = PLAUDIT_OPTIONS_VERSION;
    o.max_rules = 65536;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_ERANGE);
    o.max_rules = 0;
    o.max_json_depth = 1;
    ctx = new_ctx(&o);
    /* depth 1 is enough for event lines, not for a program */
    bad_program(&o, base_prog, strlen(base_prog), PLAUDIT_ELIMIT);
    plaudit_ctx_free(ctx);
    o.max_json_depth = 0;
    o.max_program_bytes = 40;
    bad_program(&o, base_prog, strlen(base_prog), PLAUDIT_ELIMIT);
}

static int report(void **unused)
{
    (void)unused;
    printf("hostile inputs tried: %ld\n", n_tried);
    return 0;
}

int main(int argc, char **argv)
{
    /* "heavy": the 100 MB inputs (suite slow, not run under valgrind) */
    int heavy = argc > 1 && strcmp(argv[1], "heavy") == 0;
    const struct CMUnitTest heavy_tests[] = {
        cmocka_unit_test(huge_line),
        cmocka_unit_test(huge_program),
        cmocka_unit_test(million_actions),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deep_nesting), cmocka_unit_test(truncated),     cmocka_unit_test(not_utf8),
        cmocka_unit_test(nul_bytes),    cmocka_unit_test(numbers),       cmocka_unit_test(odd_documents),
        cmocka_unit_test(member_state_limit), cmocka_unit_test(options_versions),
    };
    if (heavy) return cmocka_run_group_tests(heavy_tests, NULL, report);
    return cmocka_run_group_tests(tests, NULL, report);
}
