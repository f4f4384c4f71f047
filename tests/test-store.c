/* test-store.c - persistence through the public API with an in-memory
 * store whose calls can fail or crash the process: write-ahead, every
 * store call failed in turn, every allocation failed in turn (recording,
 * snapshotting, recovery), a child killed at every store call, the last
 * journal record cut at every byte, corruption, retroactive replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaudit.h"
#include "store-fixture.h"

#define NW_MAX 64
static uint64_t ref_d[NW_MAX + 1];
static int ref_rc[NW_MAX];
static uint64_t empty_d;

/* Totals printed at the end. */
static unsigned long points_store, points_alloc, points_crash, points_torn, points_corrupt;
static unsigned long divergent;

static int setup(void **state)
{
    (void)state;
    fixture_select(1);
    assert_true(n_workload <= NW_MAX);
    reference(0, ref_d, ref_rc);
    empty_d = empty_digest(0);
    return 0;
}

static int setup2(void **state)
{
    (void)state;
    fixture_select(2);
    assert_true(n_workload <= NW_MAX);
    reference(0, ref_d, ref_rc);
    empty_d = empty_digest(0);
    /* the workload revokes for real */
    int accepted_revokes = 0;
    for (size_t i = 0; i < n_workload; i++)
        if (!workload[i].snapshot && workload[i].ev.type == PLAUDIT_EVENT_REVOKE && ref_rc[i] == 0) accepted_revokes++;
    assert_int_equal(accepted_revokes, 7);
    return 0;
}

static int setup3(void **state)
{
    (void)state;
    fixture_select(3);
    assert_true(n_workload <= NW_MAX);
    reference(0, ref_d, ref_rc);
    empty_d = empty_digest(0);
    /* the workload uses the rules: the season closed with its badge, the
     * challenge earned in two weeks, teams ranked */
    plaudit_ctx *ctx = new_ctx(NULL, 0);
    for (size_t i = 0; i < n_workload; i++) run_step(ctx, i);
    plaudit_leaderboard_info li;
    assert_int_equal(plaudit_leaderboard_info_get(ctx, "autumn", &li), PLAUDIT_OK);
    assert_int_equal(li.frozen, 1);
    plaudit_member_info mi;
    assert_int_equal(plaudit_member_get(ctx, "cy", &mi), PLAUDIT_OK);
    assert_string_equal(mi.team, "acme");
    uint64_t rank = 0;
    assert_int_equal(plaudit_leaderboard_rank(ctx, "accounts", "acme", &rank, NULL), PLAUDIT_OK);
    assert_int_equal(rank, 1);
    size_t earned = 0;
    for (size_t i = 0; i < 2; i++) {
        const char *who = i ? "cy" : "ann";
        const plaudit_badge_earned *bs = NULL;
        size_t n = 0;
        assert_int_equal(plaudit_member_badges(ctx, who, &bs, &n), PLAUDIT_OK);
        for (size_t j = 0; j < n; j++) earned += !strcmp(bs[j].badge, "weekly-mix") ? bs[j].times : 0;
    }
    assert_int_equal(earned, 2);
    assert_int_equal(ref_rc[n_workload - 1], PLAUDIT_ETIME);
    plaudit_ctx_free(ctx);
    return 0;
}

#define DIVERGE(cond, ...)                       \
    do {                                         \
        if (!(cond)) {                           \
            divergent++;                         \
            print_message(__VA_ARGS__);          \
        }                                        \
    } while (0)

static plaudit_ctx *attached(memstore *m, const plaudit_options *o, const plaudit_store_options *so)
{
    plaudit_ctx *ctx = new_ctx(o, 0);
    assert_non_null(ctx);
    plaudit_store s = mem_store(m);
    int rc = plaudit_store_attach(ctx, &s, so);
    if (rc) print_message("attach: %s\n", plaudit_errmsg(ctx));
    assert_int_equal(rc, PLAUDIT_OK);
    return ctx;
}

/* Recover into a fresh context and return its digest. */
static uint64_t recovered_digest(memstore *m, plaudit_recovery *rep)
{
    plaudit_ctx *ctx = attached(m, NULL, NULL);
    uint64_t d = fixture_digest(ctx);
    if (rep) plaudit_store_recovery_get(ctx, rep);
    plaudit_ctx_free(ctx);
    return d;
}

/* ---- basics ------------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    (void)state;
    memstore *m = mem_new();
    plaudit_ctx *ctx = attached(m, NULL, NULL);
    for (size_t i = 0; i < n_workload; i++) {
        int rc = run_step(ctx, i);
        assert_int_equal(rc, ref_rc[i]);
        assert_true(fixture_digest(ctx) == ref_d[i + 1]);
        /* every prefix recovers to the digest it had */
        memstore *c = mem_new();
        mem_copy(c, m);
        assert_true(recovered_digest(c, NULL) == ref_d[i + 1]);
        mem_free(c);
    }
    plaudit_recovery rep;
    assert_true(recovered_digest(m, &rep) == ref_d[n_workload]);
    assert_int_equal(rep.snapshot, 1);
    assert_int_equal(rep.rejected, 0);
    assert_int_equal(rep.torn_bytes, 0);
    assert_true(rep.replayed > 0);
    /* a snapshot taken now loads to the same digest with nothing replayed */
    assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
    assert_true(recovered_digest(m, &rep) == ref_d[n_workload]);
    assert_int_equal(rep.replayed, 0);
    assert_int_equal(m->jlen, 0); /* compacted */
    /* the whole state document (leaderboard order, stats) is the same too */
    plaudit_ctx *back = attached(m, NULL, NULL);
    char *a, *b;
    assert_int_equal(plaudit_state_export(ctx, &a, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_state_export(back, &b, NULL), PLAUDIT_OK);
    assert_string_equal(a, b);
    plaudit_free(ctx, a);
    plaudit_free(back, b);
    plaudit_ctx_free(back);
    plaudit_ctx_free(ctx);
    mem_free(m);
}

static int moments_seen;
static void on_any(const plaudit_moment *mo, void *p)
{
    (void)mo;
    (void)p;
    moments_seen++;
}

static void test_api(void **state)
{
    (void)state;
    assert_int_equal(plaudit_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(plaudit_crc32c(plaudit_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
    memstore *m = mem_new();
    plaudit_ctx *ctx = new_ctx(NULL, 0);
    plaudit_store s = mem_store(m);
    s.version = 99;
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_EVERSION);
    s = mem_store(m);
    s.journal_read = NULL;
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_store_sync(ctx), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_store_detach(ctx), PLAUDIT_OK);
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.version = 7;
    s = mem_store(m);
    assert_int_equal(plaudit_store_attach(ctx, &s, &so), PLAUDIT_EVERSION);
    assert_int_equal(plaudit_record_join(ctx, T0_FOR_TESTS, "zed", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_ESTATE);
    plaudit_ctx_free(ctx);

    /* the callback's message reaches the caller; a batch stops there */
    ctx = attached(m, NULL, NULL);
    plaudit_event evs[3] = {
        {PLAUDIT_EVENT_JOIN, T0_FOR_TESTS, "b1", "u1", NULL, 0, NULL, 0, NULL, NULL},
        {PLAUDIT_EVENT_JOIN, T0_FOR_TESTS, "b2", "u2", NULL, 0, NULL, 0, NULL, NULL},
        {PLAUDIT_EVENT_JOIN, T0_FOR_TESTS, "b3", "u3", NULL, 0, NULL, 0, NULL, NULL},
    };
    int codes[3] = {9, 9, 9};
    size_t done = 99;
    m->fail_at = m->calls + 3; /* append b1, sync b1, append b2 */
    assert_int_equal(plaudit_record_batch(ctx, evs, 3, codes, &done), PLAUDIT_EUSER);
    assert_int_equal(done, 1);
    assert_int_equal(codes[0], PLAUDIT_OK);
    assert_int_equal(codes[1], PLAUDIT_EUSER);
    assert_non_null(strstr(plaudit_errmsg(ctx), "injected failure of journal_append"));
    assert_non_null(strstr(plaudit_errmsg(ctx), "store journal_append failed"));
    assert_int_equal(plaudit_member_count(ctx), 1);
    plaudit_ctx_free(ctx);

    /* listeners are quiet during recovery */
    ctx = new_ctx(NULL, 0);
    plaudit_listener l = PLAUDIT_LISTENER_INIT;
    l.on_points = l.on_badge = l.on_tier = l.on_kudos = l.on_redeem = on_any;
    assert_int_equal(plaudit_listener_set(ctx, &l), PLAUDIT_OK);
    s = mem_store(m);
    moments_seen = 0;
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    assert_int_equal(moments_seen, 0);
    assert_int_equal(plaudit_member_count(ctx), 1);
    assert_int_equal(plaudit_store_detach(ctx), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    mem_free(m);
}

/* ---- every store call failed in turn ------------------------------------------- */

static void store_faults(const plaudit_store_options *so, const char *label)
{
    /* Count the calls of a clean run. */
    memstore *m = mem_new();
    plaudit_ctx *ctx = attached(m, NULL, so);
    for (size_t i = 0; i < n_workload; i++) run_step(ctx, i);
    plaudit_ctx_free(ctx);
    uint64_t total = m->calls;
    unsigned long before = divergent;
    for (uint64_t k = 1; k <= total; k++) {
        memset(m, 0, sizeof *m);
        m->fail_at = k;
        points_store++;
        ctx = new_ctx(NULL, 0);
        plaudit_store s = mem_store(m);
        int rc = plaudit_store_attach(ctx, &s, so);
        if (rc) {
            DIVERGE(rc == PLAUDIT_EUSER && fixture_digest(ctx) == empty_d, "%s k=%llu attach rc %d\n", label,
                    (unsigned long long)k, rc);
            rc = plaudit_store_attach(ctx, &s, so);
            assert_int_equal(rc, PLAUDIT_OK);
        }
        for (size_t i = 0; i < n_workload; i++) {
            uint64_t d0 = fixture_digest(ctx);
            rc = run_step(ctx, i);
            if (rc != ref_rc[i]) {
                DIVERGE(rc == PLAUDIT_EUSER, "%s k=%llu step %zu rc %d (%s)\n", label, (unsigned long long)k, i, rc,
                        plaudit_errmsg(ctx));
                DIVERGE(strstr(plaudit_errmsg(ctx), "injected") != NULL, "%s k=%llu: message lost\n", label,
                        (unsigned long long)k);
                DIVERGE(fixture_digest(ctx) == d0, "%s k=%llu step %zu: digest changed by a failed call\n",
                        label, (unsigned long long)k, i);
                /* what the store holds replays to the same state */
                memstore *c = mem_new();
                mem_copy(c, m);
                c->fail_at = 0;
                DIVERGE(recovered_digest(c, NULL) == d0, "%s k=%llu step %zu: stored state differs\n", label,
                        (unsigned long long)k, i);
                mem_free(c);
                rc = run_step(ctx, i); /* the retry, same key */
                DIVERGE(rc == ref_rc[i], "%s k=%llu step %zu: retry rc %d\n", label, (unsigned long long)k, i, rc);
            }
            DIVERGE(fixture_digest(ctx) == ref_d[i + 1], "%s k=%llu step %zu: digest diverged\n", label,
                    (unsigned long long)k, i);
        }
        m->fail_at = 0;
        DIVERGE(recovered_digest(m, NULL) == ref_d[n_workload], "%s k=%llu: recovery diverged\n", label,
                (unsigned long long)k);
        plaudit_ctx_free(ctx);
    }
    mem_free(m);
    print_message("store faults (%s): %llu store calls failed in turn, %lu divergent\n", label,
                  (unsigned long long)total, divergent - before);
    assert_int_equal(divergent, before);
}

static void test_store_faults(void **state)
{
    (void)state;
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    store_faults(&so, "sync always");
    so.sync = PLAUDIT_SYNC_BATCH;
    so.sync_every_n = 3;
    store_faults(&so, "sync every 3");
    so.sync = PLAUDIT_SYNC_NEVER;
    so.keep_journal = 1;
    store_faults(&so, "sync never, keep journal");
}

/* ---- every allocation failed in turn -------------------------------------------- */

static void test_alloc_faults(void **state)
{
    (void)state;
    unsigned long before = divergent;
    unsigned long rec_points = 0, rec_points2 = 0;
    /* recording and snapshotting */
    for (uint64_t n = 1;; n++) {
        falloc fa = {0};
        plaudit_options o = falloc_options(&fa);
        memstore *m = mem_new();
        plaudit_ctx *ctx = attached(m, &o, NULL);
        fa.armed = 1;
        fa.fail_at = n;
        for (size_t i = 0; i < n_workload; i++) {
            uint64_t d0 = fixture_digest(ctx);
            int rc = run_step(ctx, i);
            if (rc != ref_rc[i]) {
                DIVERGE(rc == PLAUDIT_ENOMEM, "alloc n=%llu step %zu rc %d\n", (unsigned long long)n, i, rc);
                DIVERGE(fixture_digest(ctx) == d0, "alloc n=%llu step %zu: digest changed\n",
                        (unsigned long long)n, i);
                rc = run_step(ctx, i);
                DIVERGE(rc == ref_rc[i], "alloc n=%llu step %zu: retry rc %d\n", (unsigned long long)n, i, rc);
            }
            DIVERGE(fixture_digest(ctx) == ref_d[i + 1], "alloc n=%llu step %zu diverged\n",
                    (unsigned long long)n, i);
        }
        fa.armed = 0;
        int injected = fa.failed;
        DIVERGE(recovered_digest(m, NULL) == ref_d[n_workload], "alloc n=%llu: recovery diverged\n",
                (unsigned long long)n);
        plaudit_ctx_free(ctx);
        DIVERGE(fa.live == 0, "alloc n=%llu: %ld blocks leaked\n", (unsigned long long)n, fa.live);
        mem_free(m);
        if (!injected) break;
        rec_points++;
    }
    /* recovery: snapshot + journal tail + a torn record, and a retroactive
     * replay of a kept journal */
    for (int variant = 0; variant < 2; variant++) {
        memstore *m = mem_new();
        plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
        so.keep_journal = variant;
        plaudit_ctx *ctx = attached(m, NULL, &so);
        for (size_t i = 0; i < n_workload; i++) run_step(ctx, i);
        plaudit_ctx_free(ctx);
        memcpy(m->j + m->jlen, "\x21\x00\x00", 3); /* a torn header */
        m->jlen += 3;
        uint64_t want = ref_d[n_workload];
        if (variant) {
            plaudit_ctx *r = new_ctx(NULL, 1);
            for (size_t i = 0; i < n_workload; i++) run_step(r, i);
            want = fixture_digest(r);
            plaudit_ctx_free(r);
        }
        uint64_t empty = empty_digest(variant);
        for (uint64_t n = 1;; n++) {
            memstore *c = mem_new();
            mem_copy(c, m);
            falloc fa = {0};
            plaudit_options o = falloc_options(&fa);
            ctx = new_ctx(&o, variant);
            plaudit_store s = mem_store(c);
            fa.armed = 1;
            fa.fail_at = n;
            int rc = plaudit_store_attach(ctx, &s, NULL);
            fa.armed = 0;
            int injected = fa.failed;
            if (rc) {
                DIVERGE(rc == PLAUDIT_ENOMEM, "recovery alloc n=%llu rc %d (%s)\n", (unsigned long long)n, rc,
                        plaudit_errmsg(ctx));
                DIVERGE(fixture_digest(ctx) == empty && plaudit_member_count(ctx) == 0,
                        "recovery alloc n=%llu: half a state\n", (unsigned long long)n);
                rc = plaudit_store_attach(ctx, &s, NULL);
                DIVERGE(rc == PLAUDIT_OK, "recovery alloc n=%llu: second attach rc %d\n", (unsigned long long)n, rc);
            }
            DIVERGE(fixture_digest(ctx) == want, "recovery alloc n=%llu: diverged\n", (unsigned long long)n);
            plaudit_ctx_free(ctx);
            DIVERGE(fa.live == 0, "recovery alloc n=%llu: %ld blocks leaked\n", (unsigned long long)n, fa.live);
            mem_free(c);
            if (!injected) break;
            rec_points2++;
        }
        mem_free(m);
    }
    points_alloc += rec_points + rec_points2;
    print_message("allocation faults: %lu while recording/snapshotting, %lu while recovering, %lu divergent\n",
                  rec_points, rec_points2, divergent - before);
    assert_int_equal(divergent, before);
}

/* ---- a child killed at every store call ----------------------------------------- */

static void test_crash(void **state)
{
    (void)state;
    unsigned long before = divergent;
    memstore *m = mem_new();
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    for (uint64_t k = 1;; k++) {
        memset(m, 0, sizeof *m);
        m->crash_at = k;
        m->cur_step = -1;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            plaudit_ctx *ctx = new_ctx(NULL, 0);
            plaudit_store s = mem_store(m);
            if (plaudit_store_attach(ctx, &s, &so)) _exit(3);
            for (size_t i = 0; i < n_workload; i++) {
                m->cur_step = (int)i;
                run_step(ctx, i);
            }
            m->cur_step = (int)n_workload;
            plaudit_ctx_free(ctx);
            _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        /* killed at a store call (the fixture's crash) or ran to the end */
        assert_true((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
        if (m->cur_step == (int)n_workload) break; /* no call left to crash in */
        points_crash++;
        m->crash_at = 0;
        size_t cur = m->cur_step < 0 ? 0 : (size_t)m->cur_step;
        plaudit_ctx *ctx = attached(m, NULL, &so);
        uint64_t d = fixture_digest(ctx);
        size_t next;
        if (m->cur_step < 0) {
            DIVERGE(d == ref_d[0], "crash k=%llu in attach: not empty\n", (unsigned long long)k);
            next = 0;
        } else if (d == ref_d[cur]) {
            next = cur;
        } else if (d == ref_d[cur + 1]) {
            next = cur + 1;
        } else {
            DIVERGE(0, "crash k=%llu at step %zu: state is neither before nor after\n", (unsigned long long)k, cur);
            plaudit_ctx_free(ctx);
            continue;
        }
        /* the store goes on working: finish the workload */
        for (size_t i = next; i < n_workload; i++) {
            int rc = run_step(ctx, i);
            DIVERGE(rc == ref_rc[i] || (i == next && rc == PLAUDIT_DUPLICATE), "crash k=%llu step %zu rc %d\n",
                    (unsigned long long)k, i, rc);
        }
        DIVERGE(fixture_digest(ctx) == ref_d[n_workload], "crash k=%llu: final state diverged\n",
                (unsigned long long)k);
        plaudit_ctx_free(ctx);
        DIVERGE(recovered_digest(m, NULL) == ref_d[n_workload], "crash k=%llu: final recovery diverged\n",
                (unsigned long long)k);
    }
    mem_free(m);
    print_message("crash simulation: %lu children killed at a store call, %lu divergent\n", points_crash,
                  divergent - before);
    assert_int_equal(divergent, before);
}

/* ---- torn and corrupt journals --------------------------------------------------- */

static void test_torn(void **state)
{
    (void)state;
    unsigned long before = divergent;
    memstore *m = mem_new();
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.keep_journal = 1;
    plaudit_ctx *ctx = attached(m, NULL, &so);
    uint64_t before_last = 0, last = 0;
    for (size_t i = 0; i < n_workload; i++) {
        if (workload[i].snapshot) continue;
        uint64_t d0 = fixture_digest(ctx);
        if (run_step(ctx, i) == PLAUDIT_OK) {
            before_last = d0;
            last = fixture_digest(ctx);
        }
    }
    plaudit_ctx_free(ctx);
    size_t start = m->rec_off[m->nrec - 1], len = m->jlen - start;
    for (size_t cut = 0; cut < len; cut++) {
        memstore *c = mem_new();
        mem_copy(c, m);
        c->jlen = start + cut;
        plaudit_recovery rep;
        points_torn++;
        DIVERGE(recovered_digest(c, &rep) == before_last, "torn at %zu: diverged\n", cut);
        DIVERGE(rep.torn_bytes == cut, "torn at %zu: reported %llu bytes\n", cut, (unsigned long long)rep.torn_bytes);
        DIVERGE(rep.torn_records == (cut > 0) && rep.damaged_records == 0, "torn at %zu: reported %llu torn, %llu damaged\n",
                cut, (unsigned long long)rep.torn_records, (unsigned long long)rep.damaged_records);
        DIVERGE(c->jlen == start, "torn at %zu: not cut\n", cut);
        mem_free(c);
    }
    /* zeros after the end (a file system that extended the file) */
    memstore *c = mem_new();
    mem_copy(c, m);
    memset(c->j + c->jlen, 0, 40);
    c->jlen += 40;
    plaudit_recovery rep;
    DIVERGE(recovered_digest(c, &rep) == last && rep.torn_bytes == 40 && rep.torn_records == 1 &&
                rep.damaged_records == 0,
            "zero tail\n");
    /* a bit flipped in the body of the last record, which is all there: it
     * is dropped but reported as damaged, not as torn */
    for (size_t at = start + 8; at < m->jlen; at++) {
        mem_copy(c, m);
        c->j[at] ^= 0x04;
        DIVERGE(recovered_digest(c, &rep) == before_last && rep.damaged_records == 1 && rep.torn_records == 0 &&
                    rep.torn_bytes == len,
                "flip in the last record at %zu: %llu damaged, %llu torn\n", at,
                (unsigned long long)rep.damaged_records, (unsigned long long)rep.torn_records);
    }
    /* a bit flipped anywhere before the last record: nothing loads */
    uint64_t empty = empty_digest(0);
    for (size_t at = 0; at < start; at++) {
        mem_copy(c, m);
        c->j[at] ^= 0x10;
        ctx = new_ctx(NULL, 0);
        plaudit_store s = mem_store(c);
        int rc = plaudit_store_attach(ctx, &s, NULL);
        points_corrupt++;
        DIVERGE(rc == PLAUDIT_ECORRUPT || rc == PLAUDIT_EVERSION, "flip at %zu: rc %d\n", at, rc);
        DIVERGE(fixture_digest(ctx) == empty && plaudit_member_count(ctx) == 0, "flip at %zu: half state\n",
                at);
        plaudit_ctx_free(ctx);
    }
    /* a flipped snapshot byte: nothing loads either */
    mem_copy(c, m);
    ctx = attached(c, NULL, &so);
    assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    for (size_t at = 0; at < c->slen; at += 7) {
        memstore *e = mem_new();
        mem_copy(e, c);
        e->snap[at] ^= 0x01;
        ctx = new_ctx(NULL, 0);
        plaudit_store s = mem_store(e);
        int rc = plaudit_store_attach(ctx, &s, NULL);
        points_corrupt++;
        DIVERGE(rc == PLAUDIT_ECORRUPT || rc == PLAUDIT_EVERSION, "snapshot flip at %zu: rc %d\n", at, rc);
        DIVERGE(plaudit_member_count(ctx) == 0, "snapshot flip at %zu: half state\n", at);
        plaudit_ctx_free(ctx);
        mem_free(e);
    }
    mem_free(c);
    mem_free(m);
    print_message("torn tail: cut at %lu byte offsets; corruption: %lu flipped bytes; %lu divergent\n", points_torn,
                  points_corrupt, divergent - before);
    assert_int_equal(divergent, before);
}

/* ---- retroactive replay ----------------------------------------------------------- */

static void test_retroactive(void **state)
{
    (void)state;
    for (int keep = 0; keep < 2; keep++) {
        memstore *m = mem_new();
        plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
        so.keep_journal = keep;
        plaudit_ctx *ctx = attached(m, NULL, &so);
        for (size_t i = 0; i < n_workload; i++) assert_int_equal(run_step(ctx, i), ref_rc[i]);
        plaudit_ctx_free(ctx);
        /* the same events under the changed rules, from the start */
        plaudit_ctx *r = new_ctx(NULL, 1);
        for (size_t i = 0; i < n_workload; i++) run_step(r, i);
        plaudit_member_info ann;
        assert_int_equal(plaudit_member_get(r, "ann", &ann), PLAUDIT_OK);
        plaudit_ctx *ctx1 = new_ctx(NULL, 1);
        plaudit_store s = mem_store(m);
        int rc = plaudit_store_attach(ctx1, &s, &so);
        if (!keep) {
            if (rc != PLAUDIT_EHISTORY) print_message("%s\n", plaudit_errmsg(ctx1));
            assert_int_equal(rc, PLAUDIT_EHISTORY);
            assert_non_null(strstr(plaudit_errmsg(ctx1), "retroactive"));
            assert_int_equal(plaudit_member_count(ctx1), 0);
        } else {
            assert_int_equal(rc, PLAUDIT_OK);
            plaudit_recovery rep;
            plaudit_store_recovery_get(ctx1, &rep);
            assert_int_equal(rep.retroactive, 1);
            assert_int_equal(rep.snapshot, 0);
            assert_true(fixture_digest(ctx1) == fixture_digest(r));
            plaudit_member_info a1;
            assert_int_equal(plaudit_member_get(ctx1, "ann", &a1), PLAUDIT_OK);
            assert_int_equal(a1.points, ann.points);
            assert_string_equal(a1.tier ? a1.tier : "-", ann.tier ? ann.tier : "-");
            assert_int_equal(a1.n_badges, ann.n_badges);
            /* a snapshot under the new program makes the next start fast */
            assert_int_equal(plaudit_store_snapshot(ctx1), PLAUDIT_OK);
            uint64_t d = fixture_digest(ctx1);
            plaudit_ctx_free(ctx1);
            ctx1 = new_ctx(NULL, 1);
            s = mem_store(m);
            assert_int_equal(plaudit_store_attach(ctx1, &s, &so), PLAUDIT_OK);
            plaudit_store_recovery_get(ctx1, &rep);
            assert_int_equal(rep.retroactive, 0);
            assert_int_equal(rep.snapshot, 1);
            assert_true(fixture_digest(ctx1) == d);
        }
        plaudit_ctx_free(ctx1);
        plaudit_ctx_free(r);
        mem_free(m);
    }
}

/* Idempotency keys survive a restart, and retention works the same way. */
static void test_keys_restart(void **state)
{
    (void)state;
    for (int retention = 0; retention < 2; retention++) {
        plaudit_options o = PLAUDIT_OPTIONS_INIT;
        o.idempotency_retention_s = retention ? 3600 : 0;
        memstore *m = mem_new();
        plaudit_ctx *ctx = attached(m, &o, NULL);
        assert_int_equal(plaudit_record_action(ctx, 1000, "ann", "post", "x1", NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx, 2000, "ann", "post", "x2", NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx, 9000, "bob", "post", "x3", NULL), PLAUDIT_OK);
        uint64_t d = fixture_digest(ctx);
        plaudit_ctx_free(ctx);
        ctx = attached(m, &o, NULL);
        assert_true(fixture_digest(ctx) == d);
        assert_int_equal(plaudit_record_action(ctx, 9000, "bob", "post", "x3", NULL), PLAUDIT_DUPLICATE);
        /* x1 was accepted at clock 1000; the clock is 9000 */
        assert_int_equal(plaudit_record_action(ctx, 9000, "ann", "post", "x1", NULL),
                         retention ? PLAUDIT_OK : PLAUDIT_ECONFLICT);
        plaudit_ctx_free(ctx);
        mem_free(m);
    }
}

/* ---- re-entrancy: a store that calls back into the context ----------------------- */

typedef struct poke {
    plaudit_store inner;      /* the memory store doing the work */
    plaudit_ctx *ctx;         /* the context it serves (NULL: do not poke) */
    unsigned pokes, refused;  /* calls tried / refused with PLAUDIT_ESTATE */
    int in_read;              /* a recovery read is running */
} poke;

/* Every mutating call must be refused and change nothing. */
static void poke_ctx(poke *p)
{
    plaudit_ctx *ctx = p->ctx;
    if (!ctx) return;
    uint64_t d = fixture_digest(ctx);
    plaudit_event ev = {.type = PLAUDIT_EVENT_TICK, .ts = T0_FOR_TESTS + 99999};
    int rcs[] = {
        plaudit_record_tick(ctx, T0_FOR_TESTS + 99999, NULL, NULL),
        plaudit_record_action(ctx, T0_FOR_TESTS + 99999, "intruder", "post", "k", NULL),
        plaudit_record_batch(ctx, &ev, 1, NULL, NULL),
        plaudit_record_json(ctx, "{\"type\":\"tick\",\"ts\":1800000000}", 33, NULL),
        plaudit_store_snapshot(ctx),
        plaudit_store_sync(ctx),
        plaudit_store_detach(ctx),
        plaudit_store_attach(ctx, &p->inner, NULL),
        plaudit_listener_set(ctx, NULL),
        plaudit_program_set_name(ctx, "x"),
        plaudit_program_load_json(ctx, "{}", 2),
        plaudit_analytics_enable(ctx, NULL),
    };
    for (size_t i = 0; i < sizeof rcs / sizeof *rcs; i++) {
        p->pokes++;
        p->refused += rcs[i] == PLAUDIT_ESTATE;
        if (rcs[i] != PLAUDIT_ESTATE) print_message("poke %zu: %d %s\n", i, rcs[i], plaudit_errmsg(ctx));
    }
    assert_non_null(strstr(plaudit_errmsg(ctx), "from inside a store callback"));
    assert_true(fixture_digest(ctx) == d);
    /* queries are fine */
    assert_true(plaudit_member_count(ctx) < 1000);
}

static int pk_append(uint64_t seq, const void *data, size_t len, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.journal_append(seq, data, len, p->inner.payload);
}
static int pk_sync(void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.sync(p->inner.payload);
}
static int pk_read(uint64_t from, plaudit_store_chunk_fn fn, void *fp, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.journal_read(from, fn, fp, p->inner.payload);
}
static int pk_cut(uint64_t n, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.journal_cut(n, p->inner.payload);
}
static int pk_swrite(uint64_t seq, const void *data, size_t len, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.snapshot_write(seq, data, len, p->inner.payload);
}
static int pk_sread(plaudit_store_chunk_fn fn, void *fp, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.snapshot_read(fn, fp, p->inner.payload);
}
static int pk_drop(uint64_t upto, void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.journal_drop(upto, p->inner.payload);
}
static const char *pk_errmsg(void *pl)
{
    poke *p = pl;
    poke_ctx(p);
    return p->inner.errmsg(p->inner.payload);
}
static void pk_close(void *pl)
{
    poke *p = pl;
    poke_ctx(p);
}

static plaudit_store poke_store(poke *p)
{
    plaudit_store s = PLAUDIT_STORE_INIT;
    s.journal_append = pk_append;
    s.sync = pk_sync;
    s.journal_read = pk_read;
    s.journal_cut = pk_cut;
    s.snapshot_write = pk_swrite;
    s.snapshot_read = pk_sread;
    s.journal_drop = pk_drop;
    s.errmsg = pk_errmsg;
    s.close = pk_close;
    s.payload = p;
    return s;
}

/* Store callbacks run under the listeners' guard: a callback that records
 * an event (or makes any other mutating call) is refused, so the journal
 * holds one record per sequence number and recovers to the same state. */
static void test_reentrant_store(void **state)
{
    (void)state;
    memstore *m = mem_new();
    poke p;
    memset(&p, 0, sizeof p);
    p.inner = mem_store(m);
    plaudit_ctx *ctx = new_ctx(NULL, 0);
    p.ctx = ctx;
    plaudit_store s = poke_store(&p);
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    for (size_t i = 0; i < n_workload; i++) run_step(ctx, i);
    /* a failing callback: its errmsg slot pokes too */
    m->fail_at = m->calls + 1;
    assert_int_equal(plaudit_record_tick(ctx, plaudit_clock(ctx) + 1, NULL, NULL), PLAUDIT_EUSER);
    m->fail_at = 0;
    uint64_t d = fixture_digest(ctx);
    for (size_t i = 1; i < m->nrec; i++) assert_true(m->rec_seq[i] == m->rec_seq[i - 1] + 1);
    assert_true(p.pokes > 0);
    assert_int_equal(p.refused, p.pokes);
    plaudit_ctx_free(ctx); /* close pokes a context being freed: refused too */
    /* recovery with a poking store: same state */
    memset(&p, 0, sizeof p);
    p.inner = mem_store(m);
    ctx = new_ctx(NULL, 0);
    p.ctx = ctx;
    s = poke_store(&p);
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    assert_true(fixture_digest(ctx) == d);
    assert_true(p.pokes > 0);
    assert_int_equal(p.refused, p.pokes);
    p.ctx = NULL;
    plaudit_ctx_free(ctx);
    mem_free(m);
}

/* Recovery under other options reproduces the journaled state or fails
 * naming the option; it never succeeds with another state. */
static void test_options_at_recovery(void **state)
{
    (void)state;
    memstore *m = mem_new();
    plaudit_ctx *ctx = attached(m, NULL, NULL);
    for (size_t i = 0; i < n_workload; i++) run_step(ctx, i);
    uint64_t members = plaudit_member_count(ctx), d = fixture_digest(ctx);
    plaudit_ctx_free(ctx);
    assert_true(members > 2);
    /* a lower member limit: journal only, then with a snapshot */
    for (int snap = 0; snap < 2; snap++) {
        memstore *c = mem_new();
        mem_copy(c, m);
        if (snap) {
            ctx = attached(c, NULL, NULL);
            assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
            plaudit_ctx_free(ctx);
        }
        plaudit_options o = PLAUDIT_OPTIONS_INIT;
        o.max_members = 2;
        ctx = new_ctx(&o, 0);
        plaudit_store s = mem_store(c);
        assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_ESTATE);
        if (!strstr(plaudit_errmsg(ctx), "max_members=2")) fail_msg("%s", plaudit_errmsg(ctx));
        assert_int_equal(plaudit_member_count(ctx), 0);
        plaudit_ctx_free(ctx);
        /* a limit the store fits in is fine */
        o.max_members = members;
        ctx = new_ctx(&o, 0);
        s = mem_store(c);
        assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
        assert_true(fixture_digest(ctx) == d);
        plaudit_ctx_free(ctx);
        mem_free(c);
    }
    mem_free(m);
    /* a key reused after the writer's retention forgot it: a reader that
     * keeps keys longer would take the second event for a duplicate */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.idempotency_retention_s = 60;
    m = mem_new();
    ctx = attached(m, &o, NULL);
    assert_int_equal(plaudit_record_action(ctx, 1000, "ann", "post", "x", NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, 1500, "bob", "post", NULL, NULL), PLAUDIT_OK); /* forgets x */
    assert_int_equal(plaudit_record_action(ctx, 2000, "ann", "post", "x", NULL), PLAUDIT_OK);
    d = fixture_digest(ctx);
    plaudit_ctx_free(ctx);
    ctx = attached(m, &o, NULL);
    assert_true(fixture_digest(ctx) == d);
    plaudit_ctx_free(ctx);
    for (int r = 0; r < 2; r++) {
        plaudit_options o2 = PLAUDIT_OPTIONS_INIT;
        o2.idempotency_retention_s = r ? 5000 : 0;
        ctx = new_ctx(&o2, 0);
        plaudit_store s = mem_store(m);
        assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_ESTATE);
        if (!strstr(plaudit_errmsg(ctx), "idempotency_retention_s")) fail_msg("%s", plaudit_errmsg(ctx));
        assert_int_equal(plaudit_member_count(ctx), 0);
        plaudit_ctx_free(ctx);
    }
    mem_free(m);
}

static int teardown(void **state)
{
    (void)state;
    printf("# FIGURES store-call failure points: %lu, allocation failure points: %lu, crash points: %lu, "
           "torn offsets: %lu, corruptions: %lu; divergent states: %lu\n",
           points_store, points_alloc, points_crash, points_torn, points_corrupt, divergent);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),   cmocka_unit_test(test_api),       cmocka_unit_test(test_store_faults),
        cmocka_unit_test(test_alloc_faults), cmocka_unit_test(test_crash),    cmocka_unit_test(test_torn),
        cmocka_unit_test(test_retroactive), cmocka_unit_test(test_keys_restart),
        cmocka_unit_test(test_reentrant_store), cmocka_unit_test(test_options_at_recovery),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    /* the same with a format 2 program whose workload revokes */
    const struct CMUnitTest tests2[] = {
        cmocka_unit_test(test_roundtrip),   cmocka_unit_test(test_store_faults), cmocka_unit_test(test_alloc_faults),
        cmocka_unit_test(test_crash),       cmocka_unit_test(test_torn),         cmocka_unit_test(test_retroactive),
    };
    rc += cmocka_run_group_tests_name("format 2 with revokes", tests2, setup2, teardown);
    /* the same with teams, team boards, a season, campaigns and a challenge */
    rc += cmocka_run_group_tests_name("format 2 rules", tests2, setup3, teardown);
    /* the same with the points history on (3 entries per member, so rings
     * drop entries): the digests compared include every member's history,
     * so a failed store call or allocation, a crash, recovery and a
     * retroactive replay must leave or rebuild it exactly */
    fixture_history(3);
    const struct CMUnitTest tests3[] = {
        cmocka_unit_test(test_roundtrip),   cmocka_unit_test(test_store_faults), cmocka_unit_test(test_alloc_faults),
        cmocka_unit_test(test_crash),       cmocka_unit_test(test_retroactive),
    };
    return rc + cmocka_run_group_tests_name("format 2 with revokes and the points history", tests3, setup2, teardown);
}
