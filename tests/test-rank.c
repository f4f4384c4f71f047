/* test-rank.c - white-box tests of the order-statistic index (lib/state/rank.c)
 * against a naive sorted-array model, with counting and failing
 * allocators.  Also meaningful when rank.c is built with tiny nodes
 * (-DPL_RANK_LEAF_MAX=4 -DPL_RANK_FANOUT=4), which drives splits, borrows
 * and merges through many levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"
#include "rank.h"

/* ---- deterministic PRNG (splitmix64) -------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rndn(uint64_t n) { return rnd() % n; }

/* ---- allocator that counts and can fail the k-th allocation --------------- */

typedef struct counting {
    size_t allocs;  /* successful + failed attempts */
    size_t live;    /* blocks not yet freed */
    size_t fail_at; /* 1-based attempt number to fail; 0 = never */
} counting;

static void *c_malloc(size_t n, void *p)
{
    counting *c = p;
    c->allocs++;
    if (c->fail_at && c->allocs == c->fail_at)
        return NULL;
    void *q = malloc(n);
    if (q)
        c->live++;
    return q;
}

static void *c_realloc(void *ptr, size_t n, void *p)
{
    counting *c = p;
    c->allocs++;
    if (c->fail_at && c->allocs == c->fail_at)
        return NULL;
    void *q = realloc(ptr, n);
    if (q && !ptr)
        c->live++;
    return q;
}

static void c_free(void *ptr, void *p)
{
    counting *c = p;
    if (ptr)
        c->live--;
    free(ptr);
}

static pl_alloc counting_alloc(counting *c)
{
    pl_alloc a;
    memset(c, 0, sizeof *c);
    a.malloc = c_malloc;
    a.realloc = c_realloc;
    a.free = c_free;
    a.payload = c;
    return a;
}

/* ---- member ids: index order differs from id order ------------------------ */

#define MAXM 300000
static char (*ids)[12];
static uint32_t n_ids;

/* Strings whose bytewise order is a scramble of the index order, with
 * shared prefixes and differing lengths. */
static void make_ids(uint32_t n)
{
    if (!ids)
        ids = malloc((size_t)MAXM * sizeof *ids);
    assert_non_null(ids);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = (i * 2654435761u) ^ 0x5bd1e995u;
        snprintf(ids[i], sizeof ids[i], "%c%x", "mzab"[i % 4], x % (i % 3 == 0 ? 4096u : 0xffffffu));
        /* disambiguate collisions, keeping the scramble */
        size_t len = strlen(ids[i]);
        if (len < 9)
            snprintf(ids[i] + len, sizeof ids[i] - len, "_%u", i % 97);
    }
    n_ids = n;
}

static int id_cmp(uint32_t a, uint32_t b, void *ud)
{
    (void)ud;
    int c = strcmp(ids[a], ids[b]);
    return c ? c : (a < b ? -1 : a > b); /* collisions (if any) by index */
}

static int ent_cmp(const pl_rank_entry *x, const pl_rank_entry *y)
{
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return id_cmp(x->member, y->member, NULL);
}

static int ent_qcmp(const void *a, const void *b) { return ent_cmp(a, b); }

/* ---- the naive model ------------------------------------------------------- */

typedef struct model {
    pl_rank_entry *v; /* sorted */
    size_t n;
    pl_rank_entry *key; /* per member */
    unsigned char *present;
} model;

static void model_init(model *m, uint32_t nm)
{
    m->v = calloc(nm + 1, sizeof *m->v);
    m->key = calloc(nm, sizeof *m->key);
    m->present = calloc(nm, 1);
    m->n = 0;
    assert_true(m->v && m->key && m->present);
}

static void model_fini(model *m)
{
    free(m->v);
    free(m->key);
    free(m->present);
}

static size_t model_pos(const model *m, const pl_rank_entry *e)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ent_cmp(&m->v[mid], e) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void model_insert(model *m, pl_rank_entry e)
{
    size_t p = model_pos(m, &e);
    memmove(&m->v[p + 1], &m->v[p], (m->n - p) * sizeof *m->v);
    m->v[p] = e;
    m->n++;
    m->key[e.member] = e;
    m->present[e.member] = 1;
}

static void model_remove(model *m, uint32_t member)
{
    size_t p = model_pos(m, &m->key[member]);
    assert_true(p < m->n && m->v[p].member == member);
    memmove(&m->v[p], &m->v[p + 1], (m->n - p - 1) * sizeof *m->v);
    m->n--;
    m->present[member] = 0;
}

static void model_clear(model *m, uint32_t nm)
{
    m->n = 0;
    memset(m->present, 0, nm);
}

static void assert_entry_eq(const pl_rank_entry *a, const pl_rank_entry *b)
{
    assert_int_equal(a->score, b->score);
    assert_int_equal(a->ts, b->ts);
    assert_int_equal(a->member, b->member);
}

/* Everything: order, ranks, at(), ranges from several starts, structure. */
static void full_compare(const pl_rank *r, const model *m)
{
    assert_int_equal(pl_rank_check(r), 0);
    assert_int_equal(pl_rank_count(r), m->n);
    pl_rank_entry *buf = malloc((m->n + 1) * sizeof *buf);
    assert_non_null(buf);
    assert_int_equal(pl_rank_range(r, 1, m->n + 10, buf), m->n);
    for (size_t i = 0; i < m->n; i++) {
        assert_entry_eq(&buf[i], &m->v[i]);
        assert_int_equal(pl_rank_rank(r, m->v[i].score, m->v[i].ts, m->v[i].member), i + 1);
    }
    for (int j = 0; j < 8 && m->n; j++) {
        uint64_t k = 1 + rndn(m->n);
        pl_rank_entry e;
        assert_int_equal(pl_rank_at(r, k, &e), 0);
        assert_entry_eq(&e, &m->v[k - 1]);
        size_t want = m->n - (k - 1) < 37 ? m->n - (k - 1) : 37;
        assert_int_equal(pl_rank_range(r, k, 37, buf), want);
        for (size_t i = 0; i < want; i++)
            assert_entry_eq(&buf[i], &m->v[k - 1 + i]);
    }
    pl_rank_entry e;
    assert_int_equal(pl_rank_at(r, 0, &e), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_at(r, m->n + 1, &e), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_range(r, m->n + 1, 5, buf), 0);
    assert_int_equal(pl_rank_range(r, 0, 5, buf), 0);
    free(buf);
}

/* Cheap per-op spot checks. */
static void spot_compare(const pl_rank *r, const model *m, uint32_t member)
{
    assert_int_equal(pl_rank_count(r), m->n);
    if (m->present[member]) {
        const pl_rank_entry *k = &m->key[member];
        assert_int_equal(pl_rank_rank(r, k->score, k->ts, k->member), model_pos(m, k) + 1);
    }
    if (m->n) {
        uint64_t k = 1 + rndn(m->n);
        pl_rank_entry e, buf[5];
        assert_int_equal(pl_rank_at(r, k, &e), 0);
        assert_entry_eq(&e, &m->v[k - 1]);
        size_t got = pl_rank_range(r, k, 5, buf);
        assert_int_equal(got, m->n - (k - 1) < 5 ? m->n - (k - 1) : 5);
        for (size_t i = 0; i < got; i++)
            assert_entry_eq(&buf[i], &m->v[k - 1 + i]);
    }
}

/* ---- tests ----------------------------------------------------------------- */

static void test_empty_and_absent(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    pl_rank_entry e;
    make_ids(100);
    assert_int_equal(pl_rank_new(&a, id_cmp, NULL, &r), 0);
    assert_int_equal(pl_rank_check(r), 0);
    assert_int_equal(pl_rank_count(r), 0);
    assert_int_equal(pl_rank_rank(r, 1, 2, 3), 0);
    assert_int_equal(pl_rank_at(r, 1, &e), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_range(r, 1, 10, &e), 0);
    assert_int_equal(pl_rank_remove(r, 1, 2, 3), PLAUDIT_ENOTFOUND);
    assert_true(pl_rank_memory(r) > 0);

    assert_int_equal(pl_rank_insert(r, 10, 5, 3), 0);
    assert_int_equal(pl_rank_insert(r, 10, 5, 3), PLAUDIT_EEXIST); /* exact duplicate refused */
    /* absent keys close to a present one */
    assert_int_equal(pl_rank_remove(r, 11, 5, 3), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_remove(r, 10, 6, 3), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_remove(r, 10, 5, 4), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_rank(r, 10, 5, 4), 0);
    assert_int_equal(pl_rank_count(r), 1);
    assert_int_equal(pl_rank_rank(r, 10, 5, 3), 1);
    assert_int_equal(pl_rank_check(r), 0);
    assert_int_equal(pl_rank_remove(r, 10, 5, 3), 0);
    assert_int_equal(pl_rank_remove(r, 10, 5, 3), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_rank_count(r), 0);

    /* extreme key values */
    assert_int_equal(pl_rank_insert(r, INT64_MIN, INT64_MAX, 1), 0);
    assert_int_equal(pl_rank_insert(r, INT64_MAX, INT64_MIN, 2), 0);
    assert_int_equal(pl_rank_insert(r, 0, 0, 0), 0);
    assert_int_equal(pl_rank_at(r, 1, &e), 0);
    assert_int_equal(e.member, 2);
    assert_int_equal(pl_rank_at(r, 3, &e), 0);
    assert_int_equal(e.member, 1);
    assert_int_equal(pl_rank_check(r), 0);
    pl_rank_free(r);
    pl_rank_free(NULL);
    assert_int_equal(c.live, 0);
}

/* Randomized ops against the model. */
static void run_random(uint64_t seed, uint32_t nm, long ops, int64_t score_range, int64_t ts_range,
                       int full_every)
{
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    model m;
    rng_state = seed;
    make_ids(nm);
    model_init(&m, nm);
    assert_int_equal(pl_rank_new(&a, id_cmp, NULL, &r), 0);
    /* Phases bias toward growth, then churn, then shrink, so trees both
     * gain and lose levels. */
    for (long op = 0; op < ops; op++) {
        long phase = op * 4 / ops; /* 0 grow, 1 churn, 2 shrink, 3 churn */
        uint64_t roll = rndn(100);
        uint32_t mem = (uint32_t)rndn(nm);
        if (roll == 0 && rndn(20) == 0) {
            size_t before = pl_rank_memory(r);
            pl_rank_clear(r);
            model_clear(&m, nm);
            assert_int_equal(pl_rank_memory(r), before);
        } else if (!m.present[mem]) {
            int ins = phase == 2 ? roll < 30 : roll < 85;
            if (ins) {
                pl_rank_entry e = { (int64_t)rndn((uint64_t)score_range) - score_range / 2,
                                    (int64_t)rndn((uint64_t)ts_range), mem };
                assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
                model_insert(&m, e);
            } else {
                /* absent member, maybe with a key equal to a present one's */
                int64_t s = (int64_t)rndn((uint64_t)score_range) - score_range / 2, t = (int64_t)rndn((uint64_t)ts_range);
                if (m.n) {
                    const pl_rank_entry *o = &m.v[rndn(m.n)];
                    s = o->score;
                    t = o->ts;
                }
                assert_int_equal(pl_rank_remove(r, s, t, mem), PLAUDIT_ENOTFOUND);
                assert_int_equal(pl_rank_rank(r, s, t, mem), 0);
            }
        } else {
            pl_rank_entry old = m.key[mem];
            int del = phase == 0 ? roll < 25 : phase == 2 ? roll < 80 : roll < 50;
            if (roll % 7 == 0) /* present member, wrong key */
                assert_int_equal(pl_rank_remove(r, old.score, old.ts + 1, mem), PLAUDIT_ENOTFOUND);
            assert_int_equal(pl_rank_remove(r, old.score, old.ts, mem), 0);
            model_remove(&m, mem);
            if (!del) {
                /* re-insert with a changed score (an update) */
                pl_rank_entry e = old;
                e.score += (int64_t)rndn(7) - 3;
                if (rndn(4) == 0)
                    e.ts = (int64_t)rndn((uint64_t)ts_range);
                assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
                model_insert(&m, e);
            }
        }
        spot_compare(r, &m, mem);
        if (op % full_every == 0)
            full_compare(r, &m);
    }
    full_compare(r, &m);
    /* drain completely, checking the shrink path down to an empty root */
    while (m.n) {
        pl_rank_entry e = m.v[rndn(m.n)];
        assert_int_equal(pl_rank_remove(r, e.score, e.ts, e.member), 0);
        model_remove(&m, e.member);
        if (m.n % 97 == 0)
            full_compare(r, &m);
    }
    full_compare(r, &m);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
    model_fini(&m);
}

static void test_random_seeds(void **state)
{
    (void)state;
    static const uint64_t seeds[] = { 1, 2, 3, 0xdeadbeef, 42 };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        run_random(seeds[i], 3000, 40000, 200, 50, 64);
}

/* Many exact (score, ts) ties: order is decided by the id strings. */
static void test_random_ties(void **state)
{
    (void)state;
    run_random(7, 2000, 30000, 3, 2, 50);
    run_random(8, 500, 20000, 1, 1, 25);
}

/* A tree big enough for several levels with default node sizes. */
static void test_random_large(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    model m;
    const uint32_t nm = MAXM;
    rng_state = 99;
    make_ids(nm);
    model_init(&m, nm);
    assert_int_equal(pl_rank_new(&a, id_cmp, NULL, &r), 0);
    /* Bulk-load unsorted, then compare (model sorted once). */
    for (uint32_t i = 0; i < nm; i++) {
        pl_rank_entry e = { (int64_t)rndn(1000000), (int64_t)rndn(1000), i };
        assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
        m.v[i] = e;
        m.key[i] = e;
        m.present[i] = 1;
    }
    m.n = nm;
    qsort(m.v, m.n, sizeof *m.v, ent_qcmp);
    full_compare(r, &m);
    /* Remove 90% in random order, with periodic structure checks. */
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t j = i + (uint32_t)rndn(nm - i);
        pl_rank_entry t = m.key[j];
        m.key[j] = m.key[i];
        m.key[i] = t;
    }
    for (uint32_t i = 0; i < nm / 10 * 9; i++) {
        pl_rank_entry e = m.key[i];
        assert_int_equal(pl_rank_remove(r, e.score, e.ts, e.member), 0);
        if (i % 20000 == 0)
            assert_int_equal(pl_rank_check(r), 0);
    }
    /* rebuild the model from what is left */
    m.n = 0;
    for (uint32_t i = nm / 10 * 9; i < nm; i++)
        m.v[m.n++] = m.key[i];
    qsort(m.v, m.n, sizeof *m.v, ent_qcmp);
    full_compare(r, &m);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
    model_fini(&m);
}

/* Sorted insertion orders split the same edge of the tree every time. */
static void test_sequential(void **state)
{
    (void)state;
    make_ids(20000);
    for (int dir = 0; dir < 3; dir++) {
        counting c;
        pl_alloc a = counting_alloc(&c);
        pl_rank *r;
        model m;
        model_init(&m, 20000);
        assert_int_equal(pl_rank_new(&a, id_cmp, NULL, &r), 0);
        for (uint32_t i = 0; i < 20000; i++) {
            /* ascending, descending, and all-equal (score, ts) */
            int64_t s = dir == 0 ? (int64_t)i : dir == 1 ? -(int64_t)i : 5;
            pl_rank_entry e = { s, 0, i };
            assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
            model_insert(&m, e);
        }
        full_compare(r, &m);
        for (uint32_t i = 0; i < 20000; i += 2) {
            assert_int_equal(pl_rank_remove(r, m.key[i].score, m.key[i].ts, i), 0);
            model_remove(&m, i);
        }
        full_compare(r, &m);
        for (uint32_t i = 19999; i > 10000; i -= 2) {
            assert_int_equal(pl_rank_remove(r, m.key[i].score, m.key[i].ts, i), 0);
            model_remove(&m, i);
        }
        full_compare(r, &m);
        pl_rank_free(r);
        assert_int_equal(c.live, 0);
        model_fini(&m);
    }
}

/* Fail the k-th allocation, for every k over a workload: the failing
 * insert (or reserve) returns PLAUDIT_ENOMEM and the tree is unchanged. */
static void test_enomem(void **state)
{
    (void)state;
    const uint32_t nm = 3000;
    make_ids(nm);
    size_t total_allocs = 0;
    pl_rank_entry *snap = malloc((nm + 1) * sizeof *snap);
    pl_rank_entry *snap2 = malloc((nm + 1) * sizeof *snap2);
    assert_true(snap && snap2);
    for (size_t k = 1;; k++) {
        counting c;
        pl_alloc a = counting_alloc(&c);
        pl_rank *r;
        model m;
        int failed = 0;
        c.fail_at = k;
        rng_state = 1234;
        int rc = pl_rank_new(&a, id_cmp, NULL, &r);
        if (rc) {
            assert_int_equal(rc, PLAUDIT_ENOMEM);
            assert_int_equal(c.live, 0);
            continue;
        }
        model_init(&m, nm);
        for (int op = 0; op < 6000; op++) {
            uint32_t mem = (uint32_t)rndn(nm);
            if (m.present[mem]) {
                pl_rank_entry e = m.key[mem];
                assert_int_equal(pl_rank_remove(r, e.score, e.ts, mem), 0);
                model_remove(&m, mem);
                continue;
            }
            pl_rank_entry e = { (int64_t)rndn(100), (int64_t)rndn(3), mem };
            size_t mem_before = pl_rank_memory(r);
            size_t n_before = pl_rank_range(r, 1, nm, snap);
            if (op % 500 == 499) {
                rc = pl_rank_reserve(r, 200);
                if (rc) {
                    assert_int_equal(rc, PLAUDIT_ENOMEM);
                    failed = 1;
                    assert_int_equal(pl_rank_memory(r), mem_before);
                    assert_int_equal(pl_rank_check(r), 0);
                }
            }
            rc = pl_rank_insert(r, e.score, e.ts, e.member);
            if (rc) {
                assert_int_equal(rc, PLAUDIT_ENOMEM);
                failed = 1;
                /* unchanged: same entries, same memory, still sound */
                assert_int_equal(pl_rank_check(r), 0);
                assert_int_equal(pl_rank_memory(r), mem_before);
                assert_int_equal(pl_rank_range(r, 1, nm, snap2), n_before);
                for (size_t i = 0; i < n_before; i++)
                    assert_entry_eq(&snap[i], &snap2[i]);
                assert_int_equal(pl_rank_rank(r, e.score, e.ts, e.member), 0);
                /* the allocator works again: retry */
                assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
            }
            model_insert(&m, e);
            if (op % 256 == 0)
                assert_int_equal(pl_rank_check(r), 0);
        }
        full_compare(r, &m);
        pl_rank_free(r);
        assert_int_equal(c.live, 0);
        model_fini(&m);
        if (!failed) {
            total_allocs = c.allocs;
            break; /* k is past the workload's last allocation */
        }
    }
    print_message("enomem: failed each of %zu allocations in turn\n", total_allocs);
    assert_true(total_allocs > 20);
    free(snap);
    free(snap2);
}

/* After pl_rank_reserve(n), n inserts (with removes between) never call
 * the allocator. */
static void reserve_case(uint32_t prefill, uint32_t n, int pattern, uint64_t seed)
{
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    uint32_t nm = prefill + n;
    unsigned char *present = calloc(nm, 1);
    pl_rank_entry *keys = calloc(nm, sizeof *keys);
    assert_true(present && keys);
    rng_state = seed;
    assert_int_equal(pl_rank_new(&a, NULL, NULL, &r), 0); /* NULL cmp: ties by index */
    for (uint32_t i = 0; i < prefill; i++) {
        keys[i] = (pl_rank_entry){ (int64_t)rndn(1000), 0, i };
        assert_int_equal(pl_rank_insert(r, keys[i].score, 0, i), 0);
        present[i] = 1;
    }
    assert_int_equal(pl_rank_reserve(r, n), 0);
    size_t allocs = c.allocs;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = prefill + j;
        int64_t s = pattern == 0 ? (int64_t)rndn(1000) : pattern == 1 ? (int64_t)i : -(int64_t)i;
        keys[i] = (pl_rank_entry){ s, 0, i };
        assert_int_equal(pl_rank_insert(r, s, 0, i), 0);
        present[i] = 1;
        if (pattern == 0 && rndn(3) == 0) { /* removes in between */
            uint32_t v = (uint32_t)rndn(i + 1);
            if (present[v]) {
                assert_int_equal(pl_rank_remove(r, keys[v].score, 0, v), 0);
                present[v] = 0;
            }
        }
    }
    assert_int_equal(c.allocs, allocs);
    assert_int_equal(pl_rank_check(r), 0);
    /* reserve(0) and an already covered reserve don't allocate either */
    assert_int_equal(pl_rank_reserve(r, 0), 0);
    assert_int_equal(c.allocs, allocs);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
    free(present);
    free(keys);
}

static void test_reserve(void **state)
{
    (void)state;
    for (int pattern = 0; pattern < 3; pattern++) {
        reserve_case(0, 1, pattern, 1);
        reserve_case(0, 5000, pattern, 2);
        reserve_case(5000, 1, pattern, 3);
        reserve_case(5000, 3, pattern, 4);
        reserve_case(20000, 20000, pattern, 5);
        reserve_case(100, 100000, pattern, 6);
    }
    for (uint32_t n = 1; n < 300; n += 7)
        reserve_case(n * 13, n, 0, n);
}

/* reserve(1) before every insert: each insert is then allocation-free. */
static void test_reserve_each(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    rng_state = 77;
    assert_int_equal(pl_rank_new(&a, NULL, NULL, &r), 0);
    for (uint32_t i = 0; i < 50000; i++) {
        assert_int_equal(pl_rank_reserve(r, 1), 0);
        size_t allocs = c.allocs;
        assert_int_equal(pl_rank_insert(r, (int64_t)rndn(100000), 0, i), 0);
        assert_int_equal(c.allocs, allocs);
    }
    assert_int_equal(pl_rank_check(r), 0);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
}

/* clear keeps the memory, and refilling to the same size reuses it. */
static void test_clear(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    assert_int_equal(pl_rank_new(&a, NULL, NULL, &r), 0);
    for (int round = 0; round < 4; round++) {
        size_t start = c.allocs;
        for (uint32_t i = 0; i < 30000; i++)
            assert_int_equal(pl_rank_insert(r, (int64_t)(i * 7919u % 30011u), 0, i), 0);
        assert_int_equal(pl_rank_check(r), 0);
        size_t mem = pl_rank_memory(r), allocs = c.allocs;
        pl_rank_clear(r);
        assert_int_equal(pl_rank_count(r), 0);
        assert_int_equal(pl_rank_check(r), 0);
        assert_int_equal(pl_rank_memory(r), mem);
        assert_int_equal(c.allocs, allocs);
        pl_rank_entry e;
        assert_int_equal(pl_rank_at(r, 1, &e), PLAUDIT_ENOTFOUND);
        if (round > 0) /* same inserts, same shape: no new memory */
            assert_int_equal(allocs, start);
    }
    pl_rank_clear(r);
    pl_rank_clear(r);
    assert_int_equal(pl_rank_check(r), 0);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
}

/* Removes never allocate, even when they merge nodes. */
static void test_remove_no_alloc(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    rng_state = 5;
    assert_int_equal(pl_rank_new(&a, NULL, NULL, &r), 0);
    for (uint32_t i = 0; i < 40000; i++)
        assert_int_equal(pl_rank_insert(r, (int64_t)(i % 1000), (int64_t)(i / 1000), i), 0);
    size_t allocs = c.allocs;
    c.fail_at = allocs + 1; /* any allocation would now fail */
    for (uint32_t i = 0; i < 40000; i++) {
        uint32_t k = (i * 40503u) % 40000u;
        assert_int_equal(pl_rank_remove(r, (int64_t)(k % 1000), (int64_t)(k / 1000), k), 0);
    }
    assert_int_equal(c.allocs, allocs);
    assert_int_equal(pl_rank_count(r), 0);
    assert_int_equal(pl_rank_check(r), 0);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
}

/* pl_rank_update against the model: small moves (mostly within a leaf),
 * large ones (across leaves), exact ties decided by the ids, same-key
 * updates and wrong old keys, with inserts and removes in between so the
 * tree also changes shape.  `fail_all` makes every allocation after the
 * initial fill fail: an update must then either succeed or change nothing. */
static void run_update(uint64_t seed, uint32_t nm, long ops, int64_t score_range, int64_t ts_range,
                       int full_every, int fail_all)
{
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    model m;
    long n_enomem = 0;
    rng_state = seed;
    make_ids(nm);
    model_init(&m, nm);
    assert_int_equal(pl_rank_new(&a, id_cmp, NULL, &r), 0);
    for (uint32_t i = 0; i < nm; i++) {
        if (rndn(10) < 8) {
            pl_rank_entry e = { (int64_t)rndn((uint64_t)score_range) - score_range / 2,
                                (int64_t)rndn((uint64_t)ts_range), i };
            assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
            model_insert(&m, e);
        }
    }
    full_compare(r, &m);
    if (fail_all) /* the next attempt fails, and is re-armed after each refusal */
        c.fail_at = c.allocs + 1;
    for (long op = 0; op < ops; op++) {
        uint32_t mem = (uint32_t)rndn(nm);
        uint64_t roll = rndn(100);
        if (!m.present[mem]) {
            pl_rank_entry e = { (int64_t)rndn((uint64_t)score_range) - score_range / 2,
                                (int64_t)rndn((uint64_t)ts_range), mem };
            /* absent member: update refused, nothing changes */
            assert_int_equal(pl_rank_update(r, e.score, e.ts, e.score + 1, e.ts, mem),
                             PLAUDIT_ENOTFOUND);
            if (roll < 50 && !fail_all) {
                assert_int_equal(pl_rank_insert(r, e.score, e.ts, e.member), 0);
                model_insert(&m, e);
            }
        } else if (roll < 5 && !fail_all) {
            assert_int_equal(pl_rank_remove(r, m.key[mem].score, m.key[mem].ts, mem), 0);
            model_remove(&m, mem);
        } else {
            pl_rank_entry old = m.key[mem], e = old;
            if (roll % 9 == 0) /* present member, wrong old key */
                assert_int_equal(pl_rank_update(r, old.score, old.ts - 1, old.score + 1, old.ts, mem),
                                 PLAUDIT_ENOTFOUND);
            if (roll < 50) { /* small move */
                e.score += (int64_t)rndn(5) - 2;
                if (rndn(3) == 0)
                    e.ts += (int64_t)rndn(3) - 1;
            } else if (roll < 65 && m.n) { /* onto another entry's (score, ts) */
                const pl_rank_entry *o = &m.v[rndn(m.n)];
                e.score = o->score;
                e.ts = o->ts;
            } else if (roll < 70) { /* same key */
            } else { /* anywhere */
                e.score = (int64_t)rndn((uint64_t)score_range) - score_range / 2;
                e.ts = (int64_t)rndn((uint64_t)ts_range);
            }
            int rc = pl_rank_update(r, old.score, old.ts, e.score, e.ts, mem);
            if (rc == PLAUDIT_ENOMEM) {
                assert_true(fail_all);
                n_enomem++;
                c.fail_at = c.allocs + 1; /* only the k-th attempt fails: re-arm */
            } else {
                assert_int_equal(rc, 0);
                model_remove(&m, mem);
                model_insert(&m, e);
            }
        }
        spot_compare(r, &m, mem);
        if (op % full_every == 0)
            full_compare(r, &m);
    }
    full_compare(r, &m);
    if (fail_all)
        print_message("update: %ld of %ld ops refused for memory\n", n_enomem, ops);
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
    model_fini(&m);
}

static void test_update_random(void **state)
{
    (void)state;
    run_update(11, 3000, 40000, 200, 50, 64, 0);
    run_update(12, 5000, 30000, 100000, 1000, 100, 0);
    run_update(13, 200, 20000, 1000, 10, 16, 0);
    run_update(14, 1, 200, 5, 2, 1, 0); /* a single-entry root leaf */
}

static void test_update_ties(void **state)
{
    (void)state;
    run_update(21, 2000, 30000, 3, 2, 50, 0);
    run_update(22, 500, 20000, 1, 1, 25, 0);
    run_update(23, 3000, 30000, 20, 1, 50, 0);
}

/* Without memory an update either stays in place or is refused whole. */
static void test_update_enomem(void **state)
{
    (void)state;
    run_update(31, 3000, 20000, 200, 50, 64, 1);
    run_update(32, 1000, 20000, 2, 2, 64, 1);
}

/* After reserve(n), n updates (mixed with removes) never allocate. */
static void test_update_reserve(void **state)
{
    (void)state;
    counting c;
    pl_alloc a = counting_alloc(&c);
    pl_rank *r;
    const uint32_t nm = 20000;
    pl_rank_entry *keys = calloc(nm, sizeof *keys);
    unsigned char *present = calloc(nm, 1);
    assert_true(keys && present);
    rng_state = 41;
    assert_int_equal(pl_rank_new(&a, NULL, NULL, &r), 0);
    for (uint32_t i = 0; i < nm; i++) {
        keys[i] = (pl_rank_entry){ (int64_t)rndn(5000), (int64_t)rndn(3), i };
        assert_int_equal(pl_rank_insert(r, keys[i].score, keys[i].ts, i), 0);
        present[i] = 1;
    }
    for (int round = 0; round < 20; round++) {
        uint32_t n = 1 + (uint32_t)rndn(3000);
        assert_int_equal(pl_rank_reserve(r, n), 0);
        size_t allocs = c.allocs;
        for (uint32_t j = 0; j < n; j++) {
            uint32_t v = (uint32_t)rndn(nm);
            if (!present[v])
                continue;
            if (rndn(4) == 0) {
                assert_int_equal(pl_rank_remove(r, keys[v].score, keys[v].ts, v), 0);
                present[v] = 0;
                continue;
            }
            int64_t s = rndn(2) ? keys[v].score + (int64_t)rndn(5) - 2 : (int64_t)rndn(5000);
            int64_t t = (int64_t)rndn(3);
            assert_int_equal(pl_rank_update(r, keys[v].score, keys[v].ts, s, t, v), 0);
            keys[v].score = s;
            keys[v].ts = t;
        }
        assert_int_equal(c.allocs, allocs);
        assert_int_equal(pl_rank_check(r), 0);
        for (uint32_t v = 0; v < nm; v++) /* refill for the next round */
            if (!present[v]) {
                assert_int_equal(pl_rank_insert(r, keys[v].score, keys[v].ts, v), 0);
                present[v] = 1;
            }
    }
    pl_rank_free(r);
    assert_int_equal(c.live, 0);
    free(keys);
    free(present);
}

static int teardown_ids(void **state)
{
    (void)state;
    free(ids);
    ids = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_absent),
        cmocka_unit_test(test_random_seeds),
        cmocka_unit_test(test_random_ties),
        cmocka_unit_test(test_random_large),
        cmocka_unit_test(test_sequential),
        cmocka_unit_test(test_enomem),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reserve_each),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_remove_no_alloc),
        cmocka_unit_test(test_update_random),
        cmocka_unit_test(test_update_ties),
        cmocka_unit_test(test_update_enomem),
        cmocka_unit_test(test_update_reserve),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_ids);
}
