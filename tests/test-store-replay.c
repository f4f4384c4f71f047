/* test-store-replay.c - recovery of journals long enough that the records
 * decoded ahead of their replay (store.c) wrap around many times: the
 * recovered digest and the whole recovery report against the writer and a
 * storeless reference, with records the changed program rejects on replay,
 * a program event, duplicates and a reorder window's arrivals (rejected
 * ones and a flush among them); a corrupt record mid-journal stops
 * recovery where it did, and a record before it that fails replay is
 * still the error reported.  Through the in-memory store (odd chunk
 * sizes, records split across chunks) and the file store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaudit.h"
#include "store-fixture.h"

/* A rich and a poor program: a mug costs 5, a post earns 10 or 1 point,
 * so redeems accepted under the first are rejected under the second.  The
 * program event switches to P_NEXT (posts earn 3). */
#define P_FMT                                                                                                  \
    "{\"format\":\"plaudit.program/2\",%s\"actions\":[{\"id\":\"post\",\"points\":%d}]," \
    "\"tiers\":[{\"id\":\"t0\",\"min_points\":0},{\"id\":\"t1\",\"min_points\":40}],"                           \
    "\"badges\":[{\"id\":\"lv\",\"when\":{\"action\":\"post\",\"count\":[1,5,20]}}],"                           \
    "\"kudos\":{\"points\":2},\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},"                            \
    "{\"id\":\"wk\",\"period\":\"week\"}],\"rewards\":[{\"id\":\"mug\",\"cost\":5}]}"
#define P_NEXT                                                                                                 \
    "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"post\",\"points\":3}],"                            \
    "\"kudos\":{\"points\":1},\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"}],"                           \
    "\"rewards\":[{\"id\":\"mug\",\"cost\":5}]}"

#define TS0 1767571200 /* Monday 5 January 2026 */
#define NM 40          /* members */
#define NEV 1500       /* events */

static char rich[2048], poor[2048], windowed[2048];
static char *lines[NEV];

static plaudit_ctx *ctx_with(const char *program, const plaudit_options *o)
{
    plaudit_ctx *c = NULL;
    assert_int_equal(plaudit_ctx_new(&c, o), PLAUDIT_OK);
    if (plaudit_program_load_json(c, program, strlen(program))) fail_msg("load: %s", plaudit_errmsg(c));
    return c;
}

/* The workload: posts, kudos and redeems over NM members, every 7th event
 * repeating an earlier id (a duplicate, or a conflict), a program event
 * in the middle.  late: timestamps out of order by up to 40 s and some
 * events that fail at release (an unknown action), for a window. */
static void make_lines(int late)
{
    unsigned r = 12345;
    for (size_t i = 0; i < NEV; i++) {
        char buf[1024];
        r = r * 1103515245u + 12345u;
        int64_t ts = TS0 + (int64_t)i * 60 - (late ? (int64_t)(r >> 16) % 40 : 0);
        unsigned m = (unsigned)(i < NM ? i : (r >> 8) % NM), k = (r >> 4) % 10;
        char id[32];
        snprintf(id, sizeof id, "e%zu", i % 7 == 6 ? i / 2 : i);
        if (i == NEV / 2 && !late)
            snprintf(buf, sizeof buf, "{\"ts\":%lld,\"type\":\"program\",\"id\":\"prog\",\"program\":%s}",
                     (long long)ts, P_NEXT);
        else if (k < 6 || i < NM)
            snprintf(buf, sizeof buf, "{\"ts\":%lld,\"member\":\"m%u\",\"action\":\"%s\",\"id\":\"%s\"}",
                     (long long)ts, m, late && k == 5 ? "nope" : "post", id);
        else if (k < 8)
            snprintf(buf, sizeof buf, "{\"ts\":%lld,\"type\":\"kudos\",\"from\":\"m%u\",\"to\":\"m%u\",\"id\":\"%s\"}",
                     (long long)ts, m, (m + 1) % NM, id);
        else
            snprintf(buf, sizeof buf, "{\"ts\":%lld,\"type\":\"redeem\",\"member\":\"m%u\",\"reward\":\"mug\",\"id\":\"%s\"}",
                     (long long)ts, m, id);
        free(lines[i]);
        lines[i] = strdup(buf);
    }
}

static int rec(plaudit_ctx *c, size_t i) { return plaudit_record_json(c, lines[i], strlen(lines[i]), NULL); }

static int setup(void **state)
{
    (void)state;
    snprintf(rich, sizeof rich, P_FMT, "", 10);
    snprintf(poor, sizeof poor, P_FMT, "", 1);
    snprintf(windowed, sizeof windowed, P_FMT, "\"reorder_window_s\":30,", 10);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < NEV; i++) free(lines[i]);
    return 0;
}

/* A store: the in-memory one (chunks of 7, 64 and 1000 bytes) or the file
 * store in dir. */
typedef struct where {
    memstore *m;
    const char *dir;
} where;

static int attach(plaudit_ctx *c, const where *w, const plaudit_store_options *so)
{
    plaudit_store s;
    if (w->m) {
        s = mem_store(w->m);
    } else if (plaudit_file_store_open(c, &s, w->dir, PLAUDIT_FILE_STORE_CREATE, 4096)) {
        fail_msg("open: %s", plaudit_errmsg(c));
    }
    int rc = plaudit_store_attach(c, &s, so);
    if (rc) plaudit_store_close(&s);
    return rc;
}

static void rm_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Write the workload through a store; *writer receives the writer's
 * digest, and accepted[i] whether line i was journaled as accepted. */
static void write_all(const where *w, const char *program, int *accepted, uint64_t *writer)
{
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.sync = PLAUDIT_SYNC_NEVER;
    so.keep_journal = 1;
    plaudit_ctx *c = ctx_with(program, NULL);
    assert_int_equal(attach(c, w, &so), PLAUDIT_OK);
    for (size_t i = 0; i < NEV; i++) {
        int rc = rec(c, i);
        if (accepted) accepted[i] = rc == PLAUDIT_OK;
    }
    if (program == windowed) assert_int_equal(plaudit_flush(c), PLAUDIT_OK);
    *writer = plaudit_state_digest(c);
    plaudit_ctx_free(c);
}

static void check_same_program(const where *w)
{
    int accepted[NEV];
    uint64_t d;
    write_all(w, rich, accepted, &d);
    uint64_t n_acc = 0;
    for (size_t i = 0; i < NEV; i++) n_acc += (uint64_t)accepted[i];
    plaudit_ctx *c = ctx_with(rich, NULL);
    assert_int_equal(attach(c, w, NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(c) == d);
    plaudit_recovery rep;
    plaudit_store_recovery_get(c, &rep);
    assert_int_equal(rep.records, n_acc);
    assert_int_equal(rep.replayed, n_acc);
    assert_int_equal(rep.accepted, n_acc);
    assert_int_equal(rep.rejected + rep.duplicates + rep.skipped, 0);
    assert_int_equal(rep.last_seq, n_acc);
    assert_int_equal(rep.retroactive, 0);
    plaudit_ctx_free(c);

    /* under the poor program: a retroactive replay that rejects redeems;
     * the reference records the journaled events without a store */
    plaudit_ctx *ref = ctx_with(poor, NULL);
    uint64_t racc = 0, rrej = 0, rdup = 0;
    for (size_t i = 0; i < NEV; i++) {
        if (!accepted[i]) continue;
        int rc = rec(ref, i);
        if (rc == PLAUDIT_OK) racc++;
        else if (rc == PLAUDIT_DUPLICATE) rdup++;
        else rrej++;
    }
    assert_true(rrej > 10); /* the redeems the poor can no longer pay */
    /* journal only, then from a snapshot written under the rich program
     * (a retroactive replay, the old state beside it) */
    plaudit_store_options keep = PLAUDIT_STORE_OPTIONS_INIT;
    keep.keep_journal = 1;
    for (int snap = 0; snap < 2; snap++) {
        if (snap) {
            c = ctx_with(rich, NULL);
            assert_int_equal(attach(c, w, &keep), PLAUDIT_OK);
            assert_int_equal(plaudit_store_snapshot(c), PLAUDIT_OK);
            plaudit_ctx_free(c);
        }
        c = ctx_with(poor, NULL);
        assert_int_equal(attach(c, w, &keep), PLAUDIT_OK);
        assert_true(plaudit_state_digest(c) == plaudit_state_digest(ref));
        plaudit_store_recovery_get(c, &rep);
        assert_int_equal(rep.retroactive, snap);
        assert_int_equal(rep.snapshot, 0);
        assert_int_equal(rep.records, n_acc);
        assert_int_equal(rep.replayed, n_acc);
        assert_int_equal(rep.accepted, racc);
        assert_int_equal(rep.rejected, rrej);
        assert_int_equal(rep.duplicates, rdup);
        if (snap) assert_true(rep.changed_members > 0);
        char *a = NULL, *b = NULL;
        assert_int_equal(plaudit_state_export(c, &a, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_state_export(ref, &b, NULL), PLAUDIT_OK);
        assert_string_equal(a, b);
        plaudit_free(c, a);
        plaudit_free(ref, b);
        plaudit_ctx_free(c);
    }
    plaudit_ctx_free(ref);
}

static void test_replay_mem(void **state)
{
    (void)state;
    make_lines(0);
    for (unsigned chunk = 0; chunk < 2; chunk++) {
        where w = {mem_new(), NULL};
        w.m->chunk = chunk ? 65536 : 0; /* 7/64/1000 rotating, or large */
        check_same_program(&w);
        mem_free(w.m);
    }
}

static void test_replay_file(void **state)
{
    (void)state;
    make_lines(0);
    char dir[] = "/tmp/plaudit-replay-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/s", dir);
    where w = {NULL, sub};
    check_same_program(&w); /* 4 KiB segments: many files */
    rm_dir(dir);
}

/* A reorder window: arrivals (some rejected at release) and a flush. */
static void test_replay_window(void **state)
{
    (void)state;
    make_lines(1);
    where w = {mem_new(), NULL};
    uint64_t d;
    write_all(&w, windowed, NULL, &d);
    plaudit_ctx *ref = ctx_with(windowed, NULL);
    for (size_t i = 0; i < NEV; i++) rec(ref, i);
    assert_int_equal(plaudit_flush(ref), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ref) == d);
    plaudit_ctx_free(ref);
    plaudit_ctx *c = ctx_with(windowed, NULL);
    assert_int_equal(attach(c, &w, NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(c) == d);
    plaudit_recovery rep;
    assert_int_equal(plaudit_store_recovery_get_version(c, &rep, PLAUDIT_RECOVERY_VERSION), PLAUDIT_OK);
    plaudit_window_info wi;
    memset(&wi, 0, sizeof wi);
    plaudit_window_info_get(c, &wi);
    assert_true(rep.arrivals > NEV / 2);
    assert_int_equal(rep.arrivals, wi.arrivals);
    assert_int_equal(rep.records, rep.replayed);
    assert_int_equal(rep.records, w.m->nrec);
    plaudit_ctx_free(c);
    mem_free(w.m);
}

static uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Record `bad` damaged: a flipped body byte (its checksum fails: found at
 * the end of the stream) or a kind no reader knows under a good checksum
 * (found as it is decoded, ahead of the records before it being
 * replayed).  Recovery fails as corrupt, naming the record before it;
 * with a member limit that record 11 already breaks, that failure is
 * the one reported. */
static void test_corrupt_mid(void **state)
{
    (void)state;
    make_lines(0);
    memstore *m = mem_new();
    uint64_t d;
    write_all(&(where){m, NULL}, rich, NULL, &d);
    assert_true(m->nrec > 100);
    for (int limited = 0; limited < 2; limited++)
        for (int how = 0; how < 2; how++) {
            size_t bad = limited ? 12 : m->nrec / 2; /* record index (seq bad + 1) */
            memstore *c = mem_new();
            mem_copy(c, m);
            unsigned char *h = c->j + c->rec_off[bad];
            uint32_t len = rd32(h);
            if (how) {
                h[8 + 1] = 9; /* the kind */
                uint32_t crc = plaudit_crc32c(0, h + 8, len);
                for (int k = 0; k < 4; k++) h[8 + len + k] = (unsigned char)(crc >> 8 * k);
            } else {
                h[20] ^= 0x40;
            }
            plaudit_options o = PLAUDIT_OPTIONS_INIT;
            o.max_members = 10;
            plaudit_ctx *x = ctx_with(rich, limited ? &o : NULL);
            int rc = attach(x, &(where){c, NULL}, NULL);
            char want[96];
            if (limited) {
                assert_int_equal(rc, PLAUDIT_ESTATE);
                if (!strstr(plaudit_errmsg(x), "max_members=10") || !strstr(plaudit_errmsg(x), "event 11 "))
                    fail_msg("%s", plaudit_errmsg(x));
            } else {
                assert_int_equal(rc, PLAUDIT_ECORRUPT);
                snprintf(want, sizeof want, "at byte %zu (after record %zu): %s", c->rec_off[bad], bad,
                         how ? "unknown record kind" : "record fails its checksum and is not the last one");
                if (!strstr(plaudit_errmsg(x), want)) fail_msg("%s (want %s)", plaudit_errmsg(x), want);
            }
            assert_int_equal(plaudit_member_count(x), 0);
            plaudit_ctx_free(x);
            mem_free(c);
        }
    mem_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_mem),
        cmocka_unit_test(test_replay_file),
        cmocka_unit_test(test_replay_window),
        cmocka_unit_test(test_corrupt_mid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
