/* test-snapshot-load.c - the snapshot loader's bulk path (white-box,
 * lib/storage/snapshot.c and the member index of lib/state/member.c): a
 * snapshot of many members loads to the same digest with every member
 * found, the index sized once for them; members who only joined come back
 * without a tail of their own, the others with theirs; a member listed
 * twice and a member count the file cannot hold are rejected, leave
 * nothing behind and allocate no more than the file's size suggests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "byte-counter.h"
#include "internal.h"

#define T0 1767571200LL /* Mon 2026-01-05 00:00 UTC */
#define SNAP_HDR 32

static const char *program =
    "{\"format\":\"plaudit.program/1\",\"timezone\":\"UTC\","
    "\"actions\":[{\"id\":\"post\",\"points\":5,\"cooldown_s\":60},{\"id\":\"like\",\"points\":1}],"
    "\"tiers\":[{\"id\":\"bronze\",\"min_points\":10}],"
    "\"badges\":[{\"id\":\"first\",\"when\":{\"action\":\"post\",\"count\":1}}],"
    "\"leaderboards\":[{\"id\":\"week\",\"period\":\"week\"},{\"id\":\"all\",\"period\":\"all\"}]}";

static plaudit_ctx *new_ctx(counter *c)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    if (c) bc_options(&o, c);
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    if (plaudit_program_load_json(ctx, program, strlen(program))) fail_msg("load: %s", plaudit_errmsg(ctx));
    assert_int_equal(pl_program_seal(ctx), PLAUDIT_OK);
    return ctx;
}

/* n members "m<i>" (ids of one length: "m" and 6 digits); every third
 * posts, so two thirds only joined. */
static plaudit_ctx *populated(size_t n)
{
    plaudit_ctx *ctx = new_ctx(NULL);
    char id[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "m%06zu", i);
        assert_int_equal(plaudit_record_join(ctx, T0, id, NULL, NULL), PLAUDIT_OK);
        if (i % 3 == 0) assert_int_equal(plaudit_record_action(ctx, T0 + 60, id, "post", NULL, NULL), PLAUDIT_OK);
    }
    return ctx;
}

static void encode(plaudit_ctx *ctx, pl_buf *b)
{
    pl_buf_init(b, &ctx->alloc);
    assert_int_equal(pl_snapshot_encode(ctx, 1, b), PLAUDIT_OK);
    assert_false(b->oom);
}

/* The checksums of a snapshot whose body was edited. */
static void reseal(unsigned char *p, size_t len)
{
    pl_le32(p + 24, plaudit_crc32c(0, p + SNAP_HDR, len - SNAP_HDR));
    pl_le32(p + 28, plaudit_crc32c(0, p, 28));
}

static int load(plaudit_ctx *ctx, const void *p, size_t len)
{
    uint64_t seq, fp;
    int rc = pl_snapshot_check(ctx, p, len, &seq, &fp);
    return rc ? rc : pl_snapshot_load(ctx, p, len);
}

/* Where the body holds `needle` first (or fail). */
static size_t find(const pl_buf *b, const char *needle, size_t len)
{
    for (size_t i = SNAP_HDR; i + len <= b->len; i++)
        if (memcmp(b->p + i, needle, len) == 0) return i;
    fail_msg("%.*s not in the snapshot", (int)len, needle);
    return 0;
}

static void round_trip(void **unused)
{
    (void)unused;
    const size_t n = 30000;
    plaudit_ctx *ctx = populated(n);
    pl_buf b;
    encode(ctx, &b);
    plaudit_ctx *ctx2 = new_ctx(NULL);
    assert_int_equal(load(ctx2, b.p, b.len), PLAUDIT_OK);
    assert_int_equal(plaudit_state_digest(ctx2), plaudit_state_digest(ctx));
    assert_int_equal(plaudit_member_count(ctx2), n);
    /* sized once: about half a member per bucket, as n joins grow it to */
    const UT_hash_table *tbl = ctx2->member_h->hh.tbl;
    assert_true(tbl->num_buckets >= 2 * n);
    assert_true(tbl->num_buckets < 8 * n);
    char id[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "m%06zu", i);
        pl_member *m = pl_member_find(ctx2, id);
        assert_non_null(m);
        assert_int_equal(m->idx, i);
        /* a member who only joined has the template's tail */
        if (i % 3) assert_null(m->tail);
        else assert_non_null(m->tail);
    }
    assert_null(pl_member_find(ctx2, "m999999"));
    /* and it goes on like the original */
    for (size_t i = 0; i < 50; i++) {
        snprintf(id, sizeof id, "m%06zu", i * 7);
        assert_int_equal(plaudit_record_action(ctx, T0 + 3600, id, "like", NULL, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx2, T0 + 3600, id, "like", NULL, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_join(ctx2, T0 + 7200, "newcomer", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_join(ctx, T0 + 7200, "newcomer", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_state_digest(ctx2), plaudit_state_digest(ctx));
    pl_buf_free(&b);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
}

static void listed_twice(void **unused)
{
    (void)unused;
    plaudit_ctx *ctx = populated(3);
    pl_buf b;
    encode(ctx, &b);
    /* the second member takes the first one's id */
    size_t at = find(&b, "m000001", 7);
    memcpy(b.p + at, "m000000", 7);
    reseal((unsigned char *)b.p, b.len);
    plaudit_ctx *ctx2 = new_ctx(NULL);
    uint64_t empty = plaudit_state_digest(ctx2);
    assert_int_equal(load(ctx2, b.p, b.len), PLAUDIT_ECORRUPT);
    assert_non_null(strstr(plaudit_errmsg(ctx2), "member listed twice"));
    assert_int_equal(plaudit_member_count(ctx2), 0);
    assert_int_equal(plaudit_state_digest(ctx2), empty);
    pl_buf_free(&b);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
}

/* A member count as large as the bound of 8 bytes a member allows: the
 * load fails at the end of the file, and the index it sized on the way
 * is bounded by the members the file can hold, not by the count. */
static void count_beyond_the_file(void **unused)
{
    (void)unused;
    plaudit_ctx *ctx = populated(2000);
    pl_buf b;
    encode(ctx, &b);
    size_t first = find(&b, "\x07\x00m000000", 9);
    size_t nm_at = first - 8;
    assert_int_equal(pl_rd64((const unsigned char *)b.p + nm_at), 2000);
    uint64_t huge = (b.len - first) / 8;
    pl_le64((unsigned char *)b.p + nm_at, huge);
    reseal((unsigned char *)b.p, b.len);
    counter c = {0};
    plaudit_ctx *ctx2 = new_ctx(&c);
    size_t before = c.live;
    c.peak = c.live;
    int rc = load(ctx2, b.p, b.len);
    assert_int_equal(rc, PLAUDIT_ECORRUPT);
    assert_int_equal(plaudit_member_count(ctx2), 0);
    /* The member array of the count (8 bytes each: the file's size), the
     * members the file holds (about 1.6 times its size here) and the
     * index, sized for the members the file can hold: about 3.5 times the
     * file.  An index sized by the count alone (32 bytes for each 8 of the
     * file) would take the peak past 6 times. */
    printf("file %zu bytes, peak %zu bytes during the failed load\n", b.len, c.peak - before);
    assert_true(c.peak - before < 5 * b.len);
    pl_buf_free(&b);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(listed_twice),
        cmocka_unit_test(count_beyond_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
