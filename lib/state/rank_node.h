/* rank_node.h - the nodes and keys of the leaderboard index (rank.c, its
 * updates; rank_query.c, its queries and checks).  Private to those two. */
#ifndef PL_RANK_NODE_H
#define PL_RANK_NODE_H

#include <string.h>

#include "plaudit.h"
#include "rank.h"

/* Node sizes.  Entries are stored structure-of-arrays so the binary search
 * touches only the score array (8 B/entry) until the (score, ts) tie-break:
 * with 64 entries a leaf's scores span 8 cache lines, a search reads ~6 of
 * them, and a leaf (~1.3 KB) is still a small fraction of L1.  A fanout of
 * 64 gives 4 levels (3 internal + leaves) for a million entries at typical
 * ~70% fill, so a query costs about four node visits; wider nodes would make
 * the per-level count summation and the memmoves of updates dearer for no
 * fewer levels at this size.  Overridable for tests (small nodes exercise
 * splits and merges at every level with few entries). */
#ifndef PL_RANK_LEAF_MAX
#define PL_RANK_LEAF_MAX 64
#endif
#ifndef PL_RANK_FANOUT
#define PL_RANK_FANOUT 64
#endif

#define LMAX ((uint32_t)PL_RANK_LEAF_MAX)
#define LMIN (LMAX / 2)
#define IMAX ((uint32_t)PL_RANK_FANOUT)
#define IMIN (IMAX / 2)
/* Deepest possible tree: with the minimum sizes (4) and 2^32 entries (member
 * is a uint32 and appears at most once) there are at most 31 levels. */
#define MAXDEPTH 40

_Static_assert(PL_RANK_LEAF_MAX >= 4 && PL_RANK_LEAF_MAX <= 65536, "leaf size");
_Static_assert(PL_RANK_FANOUT >= 4 && PL_RANK_FANOUT <= 65536, "fanout");

typedef struct leaf {
    int64_t score[LMAX];
    int64_t ts[LMAX];
    uint32_t member[LMAX];
    uint32_t n;
    struct leaf *next; /* also the free-list link */
    struct leaf *prev;
} leaf;

typedef struct inode {
    /* sep[i] (score, ts, member) is the lower bound of child i, i >= 1.
     * Index 0 is scratch: it carries the separator pushed up by a split. */
    int64_t score[IMAX];
    int64_t ts[IMAX];
    uint32_t member[IMAX];
    /* Subtree sizes.  32 bits suffice: members are unique uint32s and a
     * root has >= 2 children, so no child holds 2^32 entries. */
    uint32_t cnt[IMAX];
    void *child[IMAX]; /* child[0] is also the free-list link */
    uint32_t n;
} inode;

struct pl_rank {
    pl_alloc a;
    pl_rank_idcmp idcmp;
    void *ud;
    void *root;       /* a leaf when height == 0 */
    unsigned height;  /* internal levels above the leaves */
    uint64_t count;
    leaf *first;      /* leftmost leaf */
    leaf *free_leaves;
    inode *free_inodes;
    size_t n_leaves, n_inodes;       /* allocated: live + free */
    size_t live_leaves, live_inodes; /* in the tree */
};

/* Ask for every cache line of an array at once: a binary search would
 * otherwise take its ~log2(B) misses one after another. */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static inline void prefetch_bytes(const void *p, size_t n)
{
    const char *c = p;
    for (size_t o = 0; o < n; o += 64)
        PREFETCH(c + o);
}

/* ---- keys ---------------------------------------------------------------- */

/* score DESC, ts ASC, then member id through the callback.  The callback is
 * reached only on an exact (score, ts) tie.  Equal ids for distinct members
 * break the contract; fall back to the index so the order stays total. */
static inline int keycmp(const pl_rank *r, int64_t s1, int64_t t1, uint32_t m1,
                         int64_t s2, int64_t t2, uint32_t m2)
{
    if (s1 != s2)
        return s1 > s2 ? -1 : 1;
    if (t1 != t2)
        return t1 < t2 ? -1 : 1;
    if (m1 == m2)
        return 0;
    int c = r->idcmp(m1, m2, r->ud);
    if (c)
        return c < 0 ? -1 : 1;
    return m1 < m2 ? -1 : 1;
}

/* First position in the leaf whose entry is >= the key. */
static inline uint32_t leaf_lb(const pl_rank *r, const leaf *l, int64_t s, int64_t t, uint32_t m)
{
    uint32_t lo = 0, hi = l->n;
    prefetch_bytes(l->score, hi * sizeof l->score[0]);
    while (lo < hi) {
        uint32_t mid = (lo + hi) >> 1;
        int64_t ms = l->score[mid];
        int less; /* entry[mid] < key */
        if (ms != s)
            less = ms > s;
        else if (l->ts[mid] != t)
            less = l->ts[mid] < t;
        else
            less = keycmp(r, ms, l->ts[mid], l->member[mid], s, t, m) < 0;
        if (less)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The child of an internal node whose range holds the key: the last i with
 * sep[i] <= key, or 0. */
static inline uint32_t inode_find(const pl_rank *r, const inode *in, int64_t s, int64_t t, uint32_t m)
{
    uint32_t lo = 1, hi = in->n;
    prefetch_bytes(in->score, hi * sizeof in->score[0]);
    while (lo < hi) {
        uint32_t mid = (lo + hi) >> 1;
        int64_t ms = in->score[mid];
        int le; /* sep[mid] <= key */
        if (ms != s)
            le = ms > s;
        else if (in->ts[mid] != t)
            le = in->ts[mid] < t;
        else
            le = keycmp(r, ms, in->ts[mid], in->member[mid], s, t, m) <= 0;
        if (le)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

static inline uint64_t sum_cnt(const uint32_t *c, uint32_t n)
{
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += c[i];
    return s;
}

#endif
