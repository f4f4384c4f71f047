/* test-credential.c - Open Badges 3.0 credentials through the public API:
 * errors, determinism, JSON escaping, levels and times with their dates,
 * subject modes, the display fields of the program format, and the
 * atomicity of badge changes under allocation failure.  SHA-256 is checked
 * against FIPS 180-4 vectors (white-box).  Schema validation of every
 * credential kind is in test-credential-schema.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define DAY 86400
/* 2026-01-05 09:00:00 UTC, a Monday. */
#define T0 1767603600LL

/* ---- helpers ---------------------------------------------------------------- */

static void declare(plaudit_ctx *ctx)
{
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "forum.answer";
    a.name = "Answer";
    a.points = 10;
    assert_int_equal(plaudit_action_declare(ctx, &a), 0);
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    static const int64_t thr[] = {10, 50, 250};
    b.id = "helper";
    b.name = "Helper \"Pro\" \\ Zoë 🎉 </script>";
    b.image = "https://example.com/helper.png";
    b.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    b.action = "forum.answer";
    b.n_thresholds = 3;
    b.thresholds = thr;
    b.description = "Answers questions";
    assert_int_equal(plaudit_badge_declare(ctx, &b), 0);
    plaudit_badge_def r = PLAUDIT_BADGE_DEF_INIT;
    static const int64_t one[] = {1};
    r.id = "weekly";
    r.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    r.action = "forum.answer";
    r.within = PLAUDIT_PERIOD_WEEK;
    r.n_thresholds = 1;
    r.thresholds = one;
    r.repeatable = 1;
    assert_int_equal(plaudit_badge_declare(ctx, &r), 0);
    plaudit_badge_def m = PLAUDIT_BADGE_DEF_INIT;
    m.id = "hof";
    m.name = "Hall of fame";
    assert_int_equal(plaudit_badge_declare(ctx, &m), 0);
}

/* Member "zoë": 50 answers in week 1 (levels 1 and 2), 1 in week 2. */
static void record(plaudit_ctx *ctx)
{
    for (int i = 0; i < 50; i++)
        assert_int_equal(plaudit_record_action(ctx, T0 + i * 60, "zoë", "forum.answer", NULL, NULL), 0);
    assert_int_equal(plaudit_record_action(ctx, T0 + 7 * DAY, "zoë", "forum.answer", NULL, NULL), 0);
    assert_int_equal(plaudit_record_join(ctx, T0 + 7 * DAY, "bob", NULL, NULL), 0);
}

static plaudit_ctx *setup_ctx(void)
{
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), 0);
    declare(ctx);
    record(ctx);
    return ctx;
}

static plaudit_credential_options opts(void)
{
    plaudit_credential_options o = PLAUDIT_CREDENTIAL_OPTIONS_INIT;
    o.issuer_id = "https://example.com/issuer";
    o.issuer_name = "Example";
    o.base_url = "https://example.com/badges/";
    o.subject_template = "https://example.com/members/{member}";
    return o;
}

static char *export(plaudit_ctx *ctx, const char *member, const char *badge, uint32_t k,
                    const plaudit_credential_options *o)
{
    char *out = (char *)1;
    size_t len = 0;
    int rc = plaudit_credential_export(ctx, member, badge, k, o, &out, &len);
    if (rc) print_error("%s\n", plaudit_errmsg(ctx));
    assert_int_equal(rc, 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_int_equal(out[len - 1], '\n');
    return out;
}

static void expect_fail(plaudit_ctx *ctx, const char *member, const char *badge, uint32_t k,
                        const plaudit_credential_options *o, int code, const char *msg_part)
{
    char *out = (char *)1;
    size_t len = 99;
    uint64_t d = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_credential_export(ctx, member, badge, k, o, &out, &len), code);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(plaudit_errcode(ctx), code);
    if (msg_part && !strstr(plaudit_errmsg(ctx), msg_part)) fail_msg("message \"%s\" lacks \"%s\"", plaudit_errmsg(ctx), msg_part);
    assert_true(plaudit_state_digest(ctx) == d);
}

/* ---- SHA-256 ---------------------------------------------------------------- */

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    pl_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    pl_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    pl_sha256_hex(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* One million 'a', fed in uneven pieces. */
    pl_sha256 s;
    char a[997];
    memset(a, 'a', sizeof a);
    pl_sha256_init(&s);
    size_t left = 1000000;
    for (size_t step = 1; left; step = step % 997 + 1) {
        size_t k = step < left ? step : left;
        pl_sha256_update(&s, a, k);
        left -= k;
    }
    uint8_t d[32];
    pl_sha256_final(&s, d);
    static const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                     0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                     0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    assert_memory_equal(d, want, 32);
}

/* ---- errors ------------------------------------------------------------------- */

static const char *null_subject(const char *member, void *payload)
{
    (void)member;
    (void)payload;
    return NULL;
}

static int failing_email(const char *member, const char **email, const char **salt, void *payload)
{
    (void)member;
    (void)email;
    (void)salt;
    (void)payload;
    return -1;
}

static void test_errors(void **state)
{
    (void)state;
    plaudit_ctx *ctx = setup_ctx();
    plaudit_credential_options o = opts();
    char *out;
    assert_int_equal(plaudit_credential_export(NULL, "zoë", "helper", 0, &o, &out, NULL), PLAUDIT_EINVAL);
    expect_fail(ctx, NULL, "helper", 0, &o, PLAUDIT_EINVAL, "required");
    expect_fail(ctx, "zoë", NULL, 0, &o, PLAUDIT_EINVAL, "required");
    expect_fail(ctx, "zoë", "helper", 0, NULL, PLAUDIT_EINVAL, "required");
    assert_int_equal(plaudit_credential_export(ctx, "zoë", "helper", 0, &o, NULL, NULL), PLAUDIT_EINVAL);

    plaudit_credential_options v = o;
    v.version = 99;
    expect_fail(ctx, "zoë", "helper", 0, &v, PLAUDIT_EVERSION, "version");

    /* A missing issuer. */
    plaudit_credential_options x = o;
    x.issuer_id = NULL;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EINVAL, "issuer_id is required");
    x = o;
    x.issuer_name = NULL;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EINVAL, "issuer_name is required");
    x = o;
    x.issuer_id = "";
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_ESTRING, "issuer_id");
    x = o;
    x.base_url = NULL;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EINVAL, "base_url is required");
    x = o;
    x.issuer_name = "bad \xff utf-8";
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EUTF8, "issuer_name");
    x = o;
    x.issuer_url = "https://example.com/\n";
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_ESTRING, "issuer_url");

    /* Exactly one subject mode. */
    x = o;
    x.subject_template = NULL;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EINVAL, "exactly one");
    x = o;
    x.subject_id = null_subject;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EINVAL, "exactly one");
    x = o;
    x.subject_template = NULL;
    x.subject_id = null_subject;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EUSER, "subject_id callback failed");
    x = o;
    x.subject_template = NULL;
    x.subject_email = failing_email;
    expect_fail(ctx, "zoë", "helper", 0, &x, PLAUDIT_EUSER, "subject_email callback failed");

    /* Unknown member, unknown badge, unearned badge, level not reached. */
    expect_fail(ctx, "nobody", "helper", 0, &o, PLAUDIT_ENOTFOUND, "unknown member \"nobody\"");
    expect_fail(ctx, "zoë", "nope", 0, &o, PLAUDIT_ENOTFOUND, "unknown badge \"nope\"");
    expect_fail(ctx, "bob", "helper", 0, &o, PLAUDIT_ENOTFOUND, "has not earned badge \"helper\"");
    expect_fail(ctx, "zoë", "hof", 0, &o, PLAUDIT_ENOTFOUND, "has not earned");
    expect_fail(ctx, "zoë", "helper", 3, &o, PLAUDIT_ERANGE, "up to level 2, not 3");
    expect_fail(ctx, "zoë", "weekly", 3, &o, PLAUDIT_ERANGE, "times: 2, not 3");

    /* A failure leaves no stale message behind a later success. */
    out = export(ctx, "zoë", "helper", 0, &o);
    assert_int_equal(plaudit_errcode(ctx), 0);
    assert_string_equal(plaudit_errmsg(ctx), "");
    plaudit_free(ctx, out);
    plaudit_ctx_free(ctx);
}

/* ---- content ------------------------------------------------------------------ */

static void test_levels_and_dates(void **state)
{
    (void)state;
    plaudit_ctx *ctx = setup_ctx();
    plaudit_credential_options o = opts();
    char *l1 = export(ctx, "zoë", "helper", 1, &o);
    char *l2 = export(ctx, "zoë", "helper", 2, &o);
    char *latest = export(ctx, "zoë", "helper", 0, &o);
    assert_string_equal(l2, latest);
    /* Level 1 at the 10th answer (T0 + 9 min), level 2 at the 50th. */
    assert_non_null(strstr(l1, "\"validFrom\": \"2026-01-05T09:09:00Z\""));
    assert_non_null(strstr(l2, "\"validFrom\": \"2026-01-05T09:49:00Z\""));
    assert_non_null(strstr(l2, "\"narrative\": \"Recorded \\\"Answer\\\" 50 times (level 2 of 3).\""));
    assert_non_null(strstr(l1, "\"narrative\": \"Recorded \\\"Answer\\\" 10 times (level 1 of 3).\""));
    assert_non_null(strstr(l2, "\"id\": \"https://example.com/badges/achievements/helper/levels/2\""));
    /* The id: base URL without its '/', badge, member hash, level. */
    char hex[65];
    pl_sha256_hex("zoë", strlen("zoë"), hex);
    hex[32] = '\0';
    char want[256];
    snprintf(want, sizeof want, "\"id\": \"https://example.com/badges/credentials/helper/%s/2\"", hex);
    assert_non_null(strstr(l2, want));
    /* The subject, percent-encoded. */
    assert_non_null(strstr(l2, "\"id\": \"https://example.com/members/zo%C3%AB\""));
    assert_non_null(strstr(l2, "\"description\": \"Answers questions\""));
    assert_non_null(strstr(l2, "\"image\": {\n        \"id\": \"https://example.com/helper.png\",\n        \"type\": \"Image\""));
    plaudit_free(ctx, l1);
    plaudit_free(ctx, l2);
    plaudit_free(ctx, latest);

    /* A repeatable badge: the n-th time and its date. */
    char *w1 = export(ctx, "zoë", "weekly", 1, &o);
    char *w2 = export(ctx, "zoë", "weekly", 0, &o);
    assert_non_null(strstr(w1, "\"validFrom\": \"2026-01-05T09:00:00Z\""));
    assert_non_null(strstr(w2, "\"validFrom\": \"2026-01-12T09:00:00Z\""));
    assert_non_null(strstr(w2, "/2\",\n  \"type\""));
    assert_non_null(strstr(w2, "\"name\": \"weekly\""));
    assert_non_null(strstr(w2, "Can be earned again every week."));
    plaudit_free(ctx, w1);
    plaudit_free(ctx, w2);

    /* A manual badge awarded twice. */
    assert_int_equal(plaudit_record_award(ctx, T0 + 8 * DAY, "zoë", "hof", NULL, NULL), 0);
    assert_int_equal(plaudit_record_award(ctx, T0 + 9 * DAY + 1, "zoë", "hof", NULL, NULL), 0);
    char *h1 = export(ctx, "zoë", "hof", 1, &o);
    char *h2 = export(ctx, "zoë", "hof", 2, &o);
    assert_non_null(strstr(h1, "\"validFrom\": \"2026-01-13T09:00:00Z\""));
    assert_non_null(strstr(h2, "\"validFrom\": \"2026-01-14T09:00:01Z\""));
    assert_non_null(strstr(h2, "\"narrative\": \"Awarded by the program's organizers.\""));
    plaudit_free(ctx, h1);
    plaudit_free(ctx, h2);
    plaudit_ctx_free(ctx);
}

static void test_escaping(void **state)
{
    (void)state;
    plaudit_ctx *ctx = setup_ctx();
    plaudit_credential_options o = opts();
    o.issuer_name = "Ünïcode \"Issuer\" \\ 🎉";
    o.issuer_email = "badges@example.com";
    o.issuer_url = "https://example.com/";
    o.issuer_image = "https://example.com/logo.png";
    char *doc = export(ctx, "zoë", "helper", 0, &o);
    assert_non_null(strstr(doc, "\"name\": \"Helper \\\"Pro\\\" \\\\ Zoë 🎉 </script> (level 2 of 3)\""));
    assert_non_null(strstr(doc, "\"name\": \"Ünïcode \\\"Issuer\\\" \\\\ 🎉\""));
    assert_non_null(strstr(doc, "\"email\": \"badges@example.com\""));
    assert_non_null(strstr(doc, "\"url\": \"https://example.com/\""));
    /* Nothing below U+0020 appears raw except the newlines of the layout. */
    for (const char *p = doc; *p; p++) assert_true((unsigned char)*p >= 0x20 || *p == '\n');
    plaudit_free(ctx, doc);
    plaudit_ctx_free(ctx);
}

static const char *did_subject(const char *member, void *payload)
{
    (void)member;
    return payload;
}

static int email_of(const char *member, const char **email, const char **salt, void *payload)
{
    (void)member;
    *email = "zoe@example.com";
    *salt = payload;
    return 0;
}

static void test_subject_modes(void **state)
{
    (void)state;
    plaudit_ctx *ctx = setup_ctx();
    plaudit_credential_options o = opts();
    o.subject_template = "did:example:{member}:{member}";
    char *doc = export(ctx, "zoë", "helper", 0, &o);
    assert_non_null(strstr(doc, "\"id\": \"did:example:zo%C3%AB:zo%C3%AB\""));
    plaudit_free(ctx, doc);

    o.subject_template = "did:example:fixed";
    doc = export(ctx, "zoë", "helper", 0, &o);
    assert_non_null(strstr(doc, "\"id\": \"did:example:fixed\""));
    plaudit_free(ctx, doc);

    o.subject_template = NULL;
    o.subject_id = did_subject;
    o.payload = "did:web:example.com:u:42";
    doc = export(ctx, "zoë", "helper", 0, &o);
    assert_non_null(strstr(doc, "\"id\": \"did:web:example.com:u:42\""));
    plaudit_free(ctx, doc);

    o.subject_id = NULL;
    o.subject_email = email_of;
    o.payload = "deadsea";
    doc = export(ctx, "zoë", "helper", 0, &o);
    char hex[65];
    pl_sha256_hex("zoe@example.comdeadsea", strlen("zoe@example.comdeadsea"), hex);
    char want[128];
    snprintf(want, sizeof want, "\"identityHash\": \"sha256$%s\"", hex);
    assert_non_null(strstr(doc, want));
    assert_non_null(strstr(doc, "\"salt\": \"deadsea\""));
    assert_non_null(strstr(doc, "\"identityType\": \"emailAddress\""));
    assert_null(strstr(doc, "\"id\": \"https://example.com/members"));
    plaudit_free(ctx, doc);

    o.payload = NULL; /* no salt */
    doc = export(ctx, "zoë", "helper", 0, &o);
    pl_sha256_hex("zoe@example.com", strlen("zoe@example.com"), hex);
    snprintf(want, sizeof want, "\"identityHash\": \"sha256$%s\"", hex);
    assert_non_null(strstr(doc, want));
    assert_null(strstr(doc, "\"salt\""));
    plaudit_free(ctx, doc);
    plaudit_ctx_free(ctx);
}

static void test_determinism(void **state)
{
    (void)state;
    plaudit_ctx *a = setup_ctx(), *b = setup_ctx();
    plaudit_credential_options o = opts();
    char *x = export(a, "zoë", "helper", 1, &o);
    char *y = export(b, "zoë", "helper", 1, &o);
    char *z = export(a, "zoë", "helper", 1, &o);
    assert_string_equal(x, y);
    assert_string_equal(x, z);
    /* Later events do not change an earlier level's credential. */
    for (int i = 0; i < 200; i++)
        assert_int_equal(plaudit_record_action(a, T0 + 10 * DAY + i, "zoë", "forum.answer", NULL, NULL), 0);
    char *w = export(a, "zoë", "helper", 1, &o);
    assert_string_equal(x, w);
    char *l3 = export(a, "zoë", "helper", 3, &o);
    assert_non_null(strstr(l3, "\"validFrom\": \"2026-01-15T09:03:18Z\""));
    plaudit_free(a, x);
    plaudit_free(b, y);
    plaudit_free(a, z);
    plaudit_free(a, w);
    plaudit_free(a, l3);
    plaudit_ctx_free(a);
    plaudit_ctx_free(b);
}

/* Several levels unlocked by one event share its date. */
static void test_levels_at_once(void **state)
{
    (void)state;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), 0);
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "big";
    a.points = 5000;
    assert_int_equal(plaudit_action_declare(ctx, &a), 0);
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    static const int64_t thr[] = {100, 1000, 10000};
    b.id = "points";
    b.criterion = PLAUDIT_CRITERION_POINTS;
    b.n_thresholds = 3;
    b.thresholds = thr;
    assert_int_equal(plaudit_badge_declare(ctx, &b), 0);
    assert_int_equal(plaudit_record_action(ctx, 1000, "m", "big", NULL, NULL), 0);
    assert_int_equal(plaudit_record_action(ctx, 90000, "m", "big", NULL, NULL), 0);
    plaudit_credential_options o = opts();
    char *l1 = export(ctx, "m", "points", 1, &o);
    char *l2 = export(ctx, "m", "points", 2, &o);
    char *l3 = export(ctx, "m", "points", 3, &o);
    assert_non_null(strstr(l1, "\"validFrom\": \"1970-01-01T00:16:40Z\""));
    assert_non_null(strstr(l2, "\"validFrom\": \"1970-01-01T00:16:40Z\""));
    assert_non_null(strstr(l3, "\"validFrom\": \"1970-01-02T01:00:00Z\""));
    assert_non_null(strstr(l3, "Earned 10000 points (level 3 of 3)."));
    plaudit_free(ctx, l1);
    plaudit_free(ctx, l2);
    plaudit_free(ctx, l3);
    plaudit_ctx_free(ctx);
}

/* ---- atomicity under allocation failure ------------------------------------- */

typedef struct failer {
    long left; /* allocations still allowed; < 0: unlimited */
} failer;

static void *f_malloc(size_t n, void *p)
{
    failer *f = p;
    if (f->left == 0) return NULL;
    if (f->left > 0) f->left--;
    return malloc(n);
}
static void *f_realloc(void *ptr, size_t n, void *p)
{
    failer *f = p;
    if (f->left == 0) return NULL;
    if (f->left > 0) f->left--;
    return realloc(ptr, n);
}
static void f_free(void *ptr, void *p)
{
    (void)p;
    free(ptr);
}

/* An event that raises a badge level, unlocks a new one and earns a
 * repeatable one again either fully happens or changes nothing, however
 * many allocations succeed first. */
static void test_badge_atomicity(void **state)
{
    (void)state;
    for (long budget = 0;; budget++) {
        failer f = {-1};
        plaudit_options po = PLAUDIT_OPTIONS_INIT;
        po.allocator.malloc = f_malloc;
        po.allocator.realloc = f_realloc;
        po.allocator.free = f_free;
        po.allocator.payload = &f;
        plaudit_ctx *ctx;
        assert_int_equal(plaudit_ctx_new(&ctx, &po), 0);
        declare(ctx);
        plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
        static const int64_t thr[] = {10, 11};
        b.id = "second";
        b.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
        b.action = "forum.answer";
        b.n_thresholds = 2;
        b.thresholds = thr;
        b.bonus = 1;
        assert_int_equal(plaudit_badge_declare(ctx, &b), 0);
        /* "early" fills the member's badge array (4 entries); "third",
         * earned with second's level 2, needs it to grow. */
        static const int64_t t1[] = {1}, t11[] = {11};
        plaudit_badge_def c = PLAUDIT_BADGE_DEF_INIT;
        c.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
        c.action = "forum.answer";
        c.n_thresholds = 1;
        c.id = "early";
        c.thresholds = t1;
        assert_int_equal(plaudit_badge_declare(ctx, &c), 0);
        c.id = "third";
        c.thresholds = t11;
        assert_int_equal(plaudit_badge_declare(ctx, &c), 0);
        for (int i = 0; i < 9; i++)
            assert_int_equal(plaudit_record_action(ctx, T0 + i, "zoë", "forum.answer", NULL, NULL), 0);
        assert_int_equal(plaudit_record_action(ctx, T0 + 7 * DAY, "zoë", "forum.answer", NULL, NULL), 0);
        /* Now: helper level 1, weekly twice, second level 1, early.  The
         * next answer raises second to level 2 (an entry changed in place
         * before copy-on-write), then earns third (the array grows). */
        uint64_t before = plaudit_state_digest(ctx);
        f.left = budget;
        int rc = plaudit_record_action(ctx, T0 + 7 * DAY + 1, "zoë", "forum.answer", NULL, NULL);
        f.left = -1;
        if (rc == PLAUDIT_ENOMEM) {
            assert_true(plaudit_state_digest(ctx) == before);
            const plaudit_badge_earned *e;
            size_t n;
            assert_int_equal(plaudit_member_badges(ctx, "zoë", &e, &n), 0);
            for (size_t i = 0; i < n; i++)
                if (strcmp(e[i].badge, "second") == 0) assert_int_equal(e[i].level, 1);
            plaudit_credential_options o = opts();
            expect_fail(ctx, "zoë", "second", 2, &o, PLAUDIT_ERANGE, NULL);
            plaudit_ctx_free(ctx);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_true(plaudit_state_digest(ctx) != before);
        plaudit_credential_options o = opts();
        char *doc = export(ctx, "zoë", "second", 2, &o);
        assert_non_null(strstr(doc, "\"validFrom\": \"2026-01-12T09:00:01Z\""));
        plaudit_free(ctx, doc);
        plaudit_ctx_free(ctx);
        assert_true(budget > 0);
        break;
    }
}

/* ---- the program format's display fields ------------------------------------ */

static void test_display_fields(void **state)
{
    (void)state;
    if (!plaudit_has_json()) skip();
    static const char prog[] =
        "{\"format\": \"plaudit.program/1\", \"actions\": [{\"id\": \"a\", \"name\": \"Ask\", \"points\": 1}],"
        " \"badges\": [{\"id\": \"b\", \"name\": \"B\\u00e9 \\\"q\\\"\", \"description\": \"Desc \\\\ \\ud83c\\udf89\","
        " \"image\": \"https://x.example/b.png\", \"criteria\": \"Ask once.\", \"when\": {\"action\": \"a\", \"count\": 1}}]}";
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), 0);
    assert_int_equal(plaudit_program_load_json(ctx, prog, strlen(prog)), 0);
    char *exp1;
    assert_int_equal(plaudit_program_export_json(ctx, &exp1, NULL), 0);
    assert_non_null(strstr(exp1, "\"image\":\"https://x.example/b.png\""));
    assert_non_null(strstr(exp1, "\"criteria\":\"Ask once.\""));
    assert_non_null(strstr(exp1, "\"name\":\"Bé \\\"q\\\"\""));
    assert_non_null(strstr(exp1, "\"description\":\"Desc \\\\ 🎉\""));
    /* The export loads back to the same program. */
    plaudit_ctx *ctx2;
    assert_int_equal(plaudit_ctx_new(&ctx2, NULL), 0);
    assert_int_equal(plaudit_program_load_json(ctx2, exp1, strlen(exp1)), 0);
    char *exp2;
    assert_int_equal(plaudit_program_export_json(ctx2, &exp2, NULL), 0);
    assert_string_equal(exp1, exp2);
    /* And the credential carries them. */
    assert_int_equal(plaudit_record_action(ctx2, 100, "m", "a", NULL, NULL), 0);
    plaudit_credential_options o = opts();
    char *doc = export(ctx2, "m", "b", 0, &o);
    assert_non_null(strstr(doc, "\"narrative\": \"Ask once.\""));
    assert_non_null(strstr(doc, "\"description\": \"Desc \\\\ 🎉\""));
    assert_non_null(strstr(doc, "\"name\": \"Bé \\\"q\\\"\""));
    assert_non_null(strstr(doc, "\"id\": \"https://x.example/b.png\""));
    plaudit_free(ctx2, doc);
    plaudit_free(ctx, exp1);
    plaudit_free(ctx2, exp2);
    plaudit_ctx_free(ctx);
    plaudit_ctx_free(ctx2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_levels_and_dates),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_subject_modes),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_levels_at_once),
        cmocka_unit_test(test_badge_atomicity),
        cmocka_unit_test(test_display_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
