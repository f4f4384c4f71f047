/* rank_query.c - the leaderboard index's queries (rank of a key, entry at
 * a rank, a range of ranks) and its structural check (tests, fuzzers). */
#include "rank_node.h"

/* ---- queries ------------------------------------------------------------- */

uint64_t pl_rank_rank(const pl_rank *r, int64_t s, int64_t t, uint32_t m)
{
    const void *node = r->root;
    uint64_t before = 0;
    for (unsigned d = 0; d < r->height; d++) {
        const inode *in = node;
        uint32_t i = inode_find(r, in, s, t, m);
        before += sum_cnt(in->cnt, i);
        node = in->child[i];
    }
    const leaf *l = node;
    uint32_t pos = leaf_lb(r, l, s, t, m);
    if (pos >= l->n || l->member[pos] != m || l->score[pos] != s || l->ts[pos] != t)
        return 0;
    return before + pos + 1;
}

/* The leaf holding 0-based position k (< count) and the index in it. */
static const leaf *find_pos(const pl_rank *r, uint64_t k, uint32_t *idx)
{
    const void *node = r->root;
    for (unsigned d = 0; d < r->height; d++) {
        const inode *in = node;
        uint32_t i = 0;
        while (k >= in->cnt[i])
            k -= in->cnt[i++];
        node = in->child[i];
    }
    *idx = (uint32_t)k;
    return node;
}

int pl_rank_at(const pl_rank *r, uint64_t k, pl_rank_entry *out)
{
    uint32_t i;
    if (k < 1 || k > r->count)
        return PLAUDIT_ENOTFOUND;
    const leaf *l = find_pos(r, k - 1, &i);
    out->score = l->score[i];
    out->ts = l->ts[i];
    out->member = l->member[i];
    return 0;
}

size_t pl_rank_range(const pl_rank *r, uint64_t k, size_t n, pl_rank_entry *out)
{
    uint32_t i;
    size_t got = 0;
    if (k < 1 || k > r->count || n == 0)
        return 0;
    const leaf *l = find_pos(r, k - 1, &i);
    while (l && got < n) {
        for (; i < l->n && got < n; i++, got++) {
            out[got].score = l->score[i];
            out[got].ts = l->ts[i];
            out[got].member = l->member[i];
        }
        l = l->next;
        i = 0;
    }
    return got;
}

/* ---- checking ------------------------------------------------------------ */

typedef struct ckey {
    int64_t s, t;
    uint32_t m;
    int set; /* 0: unbounded */
} ckey;

typedef struct check_state {
    const leaf *prev_leaf;
    const leaf *last_entry_leaf;
    int have_last;
    int64_t ls, lt;
    uint32_t lm;
    size_t leaves, inodes;
} check_state;

/* Recursion is fine here: depth is at most MAXDEPTH and this is test-only. */
static int check_node(const pl_rank *r, const void *node, unsigned depth, ckey lo, ckey hi,
                      uint64_t *count, check_state *cs)
{
    if (depth == r->height) {
        const leaf *l = node;
        cs->leaves++;
        if (l->n > LMAX)
            return -1;
        if (depth > 0 && l->n < LMIN)
            return -1;
        if (depth == 0 && l != r->first)
            return -1;
        if (l->prev != cs->prev_leaf)
            return -1;
        if (cs->prev_leaf ? cs->prev_leaf->next != l : r->first != l)
            return -1;
        cs->prev_leaf = l;
        for (uint32_t i = 0; i < l->n; i++) {
            if (cs->have_last &&
                keycmp(r, cs->ls, cs->lt, cs->lm, l->score[i], l->ts[i], l->member[i]) >= 0)
                return -1;
            if (lo.set && keycmp(r, lo.s, lo.t, lo.m, l->score[i], l->ts[i], l->member[i]) > 0)
                return -1;
            if (hi.set && keycmp(r, l->score[i], l->ts[i], l->member[i], hi.s, hi.t, hi.m) >= 0)
                return -1;
            cs->have_last = 1;
            cs->ls = l->score[i];
            cs->lt = l->ts[i];
            cs->lm = l->member[i];
        }
        *count = l->n;
        return 0;
    }
    const inode *in = node;
    cs->inodes++;
    if (in->n > IMAX || in->n < (depth == 0 ? 2u : IMIN))
        return -1;
    uint64_t total = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        ckey clo = lo, chi = hi;
        if (i > 0) {
            clo.s = in->score[i];
            clo.t = in->ts[i];
            clo.m = in->member[i];
            clo.set = 1;
            if (lo.set && keycmp(r, lo.s, lo.t, lo.m, clo.s, clo.t, clo.m) > 0)
                return -1;
            if (hi.set && keycmp(r, clo.s, clo.t, clo.m, hi.s, hi.t, hi.m) >= 0)
                return -1;
        }
        if (i + 1 < in->n) {
            chi.s = in->score[i + 1];
            chi.t = in->ts[i + 1];
            chi.m = in->member[i + 1];
            chi.set = 1;
            if (clo.set && keycmp(r, clo.s, clo.t, clo.m, chi.s, chi.t, chi.m) >= 0)
                return -1;
        }
        uint64_t c;
        if (!in->child[i] || check_node(r, in->child[i], depth + 1, clo, chi, &c, cs))
            return -1;
        if (c != in->cnt[i])
            return -1;
        total += c;
    }
    *count = total;
    return 0;
}

int pl_rank_check(const pl_rank *r)
{
    check_state cs;
    ckey none;
    uint64_t total;
    size_t nf;
    memset(&cs, 0, sizeof cs);
    memset(&none, 0, sizeof none);
    if (!r || !r->root || r->height >= MAXDEPTH)
        return -1;
    if (check_node(r, r->root, 0, none, none, &total, &cs))
        return -1;
    if (total != r->count || !cs.prev_leaf || cs.prev_leaf->next)
        return -1;
    if (cs.leaves != r->live_leaves || cs.inodes != r->live_inodes)
        return -1;
    nf = 0;
    for (const leaf *l = r->free_leaves; l; l = l->next)
        if (++nf > r->n_leaves)
            return -1;
    if (nf + r->live_leaves != r->n_leaves)
        return -1;
    nf = 0;
    for (const inode *in = r->free_inodes; in; in = in->child[0])
        if (++nf > r->n_inodes)
            return -1;
    if (nf + r->live_inodes != r->n_inodes)
        return -1;
    return 0;
}
