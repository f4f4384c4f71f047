/* fuzz-rank.c - libFuzzer target for lib/state/rank.c: the input is a sequence of
 * operations (insert, remove, update, reserve, clear, allocation failures)
 * run on the index and on a naive sorted-array model, compared after every
 * operation.  Build (small nodes reach many levels with few entries):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -D_POSIX_C_SOURCE=200809L -DPL_RANK_LEAF_MAX=4 -DPL_RANK_FANOUT=4 \
 *     -Ilib -Iinclude lib/base/alloc.c lib/state/rank.c tests/fuzz/fuzz-rank.c
 * It is equally valid with the default node sizes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaudit.h"
#include "rank.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NM 512

static char ids[NM][8];
static int ids_ready;

static int idcmp(uint32_t a, uint32_t b, void *ud)
{
    (void)ud;
    return strcmp(ids[a], ids[b]);
}

/* Distinct ids whose order scrambles the index order. */
static void init_ids(void)
{
    for (uint32_t i = 0; i < NM; i++)
        snprintf(ids[i], sizeof ids[i], "%03x", (i * 317u + 101u) % NM * 7u % 4093u);
    ids_ready = 1;
}

typedef struct fa {
    size_t allocs, live, fail_at;
} fa;

static void *f_malloc(size_t n, void *p)
{
    fa *f = p;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *q = malloc(n);
    f->live += q != NULL;
    return q;
}

static void *f_realloc(void *ptr, size_t n, void *p)
{
    fa *f = p;
    if (++f->allocs == f->fail_at)
        return NULL;
    void *q = realloc(ptr, n);
    f->live += q && !ptr;
    return q;
}

static void f_free(void *ptr, void *p)
{
    fa *f = p;
    f->live -= ptr != NULL;
    free(ptr);
}

typedef struct ent {
    int64_t s, t;
    uint32_t m;
} ent;

static int ecmp(const ent *a, const ent *b)
{
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return idcmp(a->m, b->m, NULL);
}

static ent v[NM];
static size_t vn;
static ent key[NM];
static unsigned char present[NM];

static size_t mpos(const ent *e)
{
    size_t lo = 0, hi = vn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ecmp(&v[mid], e) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void m_ins(ent e)
{
    size_t p = mpos(&e);
    memmove(&v[p + 1], &v[p], (vn - p) * sizeof v[0]);
    v[p] = e;
    vn++;
    key[e.m] = e;
    present[e.m] = 1;
}

static void m_del(uint32_t m)
{
    size_t p = mpos(&key[m]);
    if (p >= vn || v[p].m != m)
        abort();
    memmove(&v[p], &v[p + 1], (vn - p - 1) * sizeof v[0]);
    vn--;
    present[m] = 0;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz-rank: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void compare(const pl_rank *r)
{
    static pl_rank_entry buf[NM + 1];
    CHECK(pl_rank_check(r) == 0);
    CHECK(pl_rank_count(r) == vn);
    CHECK(pl_rank_range(r, 1, NM + 1, buf) == vn);
    for (size_t i = 0; i < vn; i++) {
        CHECK(buf[i].score == v[i].s && buf[i].ts == v[i].t && buf[i].member == v[i].m);
        CHECK(pl_rank_rank(r, v[i].s, v[i].t, v[i].m) == i + 1);
        pl_rank_entry e;
        CHECK(pl_rank_at(r, i + 1, &e) == 0 && e.member == v[i].m);
    }
    if (vn) {
        size_t k = vn / 2 + 1;
        size_t got = pl_rank_range(r, k, 3, buf);
        CHECK(got == (vn - k + 1 < 3 ? vn - k + 1 : 3));
        for (size_t i = 0; i < got; i++)
            CHECK(buf[i].member == v[k - 1 + i].m);
    }
    pl_rank_entry e;
    CHECK(pl_rank_at(r, vn + 1, &e) == PLAUDIT_ENOTFOUND);
}

typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd;

static unsigned byte(rd *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fa f = { 0, 0, 0 };
    pl_alloc a = { f_malloc, f_realloc, f_free, &f };
    pl_rank *r;
    rd in = { data, size };
    size_t reserved = 0; /* inserts still covered by a reserve */

    if (!ids_ready)
        init_ids();
    vn = 0;
    memset(present, 0, sizeof present);
    if (pl_rank_new(&a, idcmp, NULL, &r))
        return 0;

    while (in.n) {
        unsigned op = byte(&in) % 10;
        uint32_t m = (byte(&in) << 8 | byte(&in)) % NM;
        /* few distinct scores and timestamps: ties are common */
        int64_t s = (int64_t)(byte(&in) % 24) - 12, t = byte(&in) % 3;
        if (op == 9 && (s & 1))
            s = (int64_t)byte(&in) << 40; /* far-apart scores */
        switch (op) {
        case 0: case 1: case 2: case 3: /* insert */
        case 9:
            if (present[m]) {
                /* refused; ENOMEM is possible too, as the pool is secured
                 * before the descent finds the duplicate */
                int rc = pl_rank_insert(r, key[m].s, key[m].t, m);
                CHECK(rc == PLAUDIT_EEXIST || (rc == PLAUDIT_ENOMEM && !reserved && f.fail_at));
                break;
            }
            {
                size_t allocs = f.allocs, mem = pl_rank_memory(r);
                int rc = pl_rank_insert(r, s, t, m);
                if (reserved) {
                    CHECK(rc == 0 && f.allocs == allocs);
                    reserved--;
                } else if (rc) {
                    CHECK(rc == PLAUDIT_ENOMEM && f.fail_at && pl_rank_memory(r) == mem);
                    compare(r); /* unchanged */
                    break;
                }
                m_ins((ent){ s, t, m });
            }
            break;
        case 4: case 5: /* remove */
            if (!present[m]) {
                CHECK(pl_rank_remove(r, s, t, m) == PLAUDIT_ENOTFOUND);
                if (vn) /* another member's exact (score, ts) */
                    CHECK(pl_rank_remove(r, v[vn / 2].s, v[vn / 2].t, m) == PLAUDIT_ENOTFOUND);
                break;
            }
            {
                size_t allocs = f.allocs;
                if (key[m].t != t)
                    CHECK(pl_rank_remove(r, key[m].s, t, m) == PLAUDIT_ENOTFOUND);
                CHECK(pl_rank_remove(r, key[m].s, key[m].t, m) == 0);
                CHECK(f.allocs == allocs);
                m_del(m);
            }
            break;
        case 6: /* update: remove + insert with a changed score */
            if (!present[m])
                break;
            {
                ent e = key[m];
                CHECK(pl_rank_remove(r, e.s, e.t, m) == 0);
                m_del(m);
                e.s += s;
                int rc = pl_rank_insert(r, e.s, e.t, m);
                if (reserved) {
                    CHECK(rc == 0);
                    reserved--;
                } else if (rc) {
                    CHECK(rc == PLAUDIT_ENOMEM);
                    break;
                }
                m_ins(e);
            }
            break;
        case 7: /* reserve */
            {
                size_t n = (size_t)(byte(&in) % 64), mem = pl_rank_memory(r);
                int rc = pl_rank_reserve(r, n);
                if (rc == 0) {
                    if (n > reserved)
                        reserved = n;
                } else {
                    CHECK(rc == PLAUDIT_ENOMEM && f.fail_at && pl_rank_memory(r) == mem);
                }
            }
            break;
        case 8: /* arm / disarm allocation failure, or clear */
            {
                unsigned b = byte(&in);
                if (b < 16) {
                    size_t mem = pl_rank_memory(r);
                    pl_rank_clear(r);
                    CHECK(pl_rank_memory(r) == mem);
                    vn = 0;
                    memset(present, 0, sizeof present);
                } else if (b < 128) {
                    f.fail_at = f.allocs + 1 + b % 4;
                } else {
                    f.fail_at = 0;
                }
            }
            break;
        default:
            break;
        }
        compare(r);
    }
    pl_rank_free(r);
    CHECK(f.live == 0);
    return 0;
}
