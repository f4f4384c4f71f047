/* rank.c - the order-statistic index behind leaderboards: a counted B+tree
 * (owns its nodes, their pool and free lists, and the leaf chain).
 *
 * Leaves hold sorted entries; internal nodes hold, per child, a lower-bound
 * separator key and the child's subtree count, so rank() and at() are one
 * root-to-leaf walk summing counts.  There are no parent pointers: every
 * mutation descends with an explicit path stack, so splits and merges never
 * have to rewrite the parent field of moved children.
 *
 * Invariants (checked by pl_rank_check):
 *  - all leaves at depth `height`; a non-root leaf holds LMIN..LMAX entries,
 *    a non-root internal node IMIN..IMAX children, an internal root >= 2;
 *  - for child i >= 1 of an internal node, sep[i] <= every key in the child
 *    and every key in child i-1 is < sep[i] (separators may be stale after
 *    removals but always remain valid bounds);
 *  - cnt[i] is the exact number of entries under child i;
 *  - leaves form a doubly linked list in key order.
 * Because the fill rules bound the node count of any tree of N entries,
 * pl_rank_reserve can pre-allocate exactly enough nodes (see reserve_for). */
#include "rank_node.h"

/* Ties of an index without an id callback: by member index. */
static int idx_idcmp(uint32_t a, uint32_t b, void *ud)
{
    (void)ud;
    return a < b ? -1 : a > b;
}

/* ---- node pool ----------------------------------------------------------- */

static leaf *leaf_take(pl_rank *r)
{
    leaf *l = r->free_leaves;
    r->free_leaves = l->next;
    r->live_leaves++;
    l->n = 0;
    l->next = l->prev = NULL;
    return l;
}

static void leaf_put(pl_rank *r, leaf *l)
{
    l->next = r->free_leaves;
    r->free_leaves = l;
    r->live_leaves--;
}

static inode *inode_take(pl_rank *r)
{
    inode *in = r->free_inodes;
    r->free_inodes = in->child[0];
    r->live_inodes++;
    in->n = 0;
    return in;
}

static void inode_put(pl_rank *r, inode *in)
{
    in->child[0] = r->free_inodes;
    r->free_inodes = in;
    r->live_inodes--;
}

/* Bring the allocated totals up to the targets.  All or nothing: on failure
 * the nodes allocated here are released and nothing changes. */
static int grow(pl_rank *r, size_t want_leaves, size_t want_inodes)
{
    leaf *nl = NULL;
    inode *ni = NULL;
    size_t got_l = 0, got_i = 0;
    size_t need_l = want_leaves > r->n_leaves ? want_leaves - r->n_leaves : 0;
    size_t need_i = want_inodes > r->n_inodes ? want_inodes - r->n_inodes : 0;

    for (; got_l < need_l; got_l++) {
        leaf *l = pl_malloc(&r->a, sizeof *l);
        if (!l)
            goto fail;
        l->next = nl;
        nl = l;
    }
    for (; got_i < need_i; got_i++) {
        inode *in = pl_malloc(&r->a, sizeof *in);
        if (!in)
            goto fail;
        in->child[0] = ni;
        ni = in;
    }
    while (nl) {
        leaf *l = nl;
        nl = l->next;
        l->next = r->free_leaves;
        r->free_leaves = l;
    }
    while (ni) {
        inode *in = ni;
        ni = in->child[0];
        in->child[0] = r->free_inodes;
        r->free_inodes = in;
    }
    r->n_leaves += got_l;
    r->n_inodes += got_i;
    return 0;
fail:
    while (nl) {
        leaf *l = nl;
        nl = l->next;
        pl_free(&r->a, l);
    }
    while (ni) {
        inode *in = ni;
        ni = in->child[0];
        pl_free(&r->a, in);
    }
    return PLAUDIT_ENOMEM;
}

/* Upper bounds over every valid tree of n entries: leaves, internal nodes,
 * internal levels.  Non-root leaves hold >= LMIN entries, non-root internal
 * nodes >= IMIN children, so each level has at most max(1, below / min). */
static void tree_bounds(uint64_t n, uint64_t *ml, uint64_t *mi, unsigned *mh)
{
    uint64_t m = n / LMIN, tot = 0;
    unsigned h = 0;
    if (m < 1)
        m = 1;
    *ml = m;
    while (m >= 2) {
        m /= IMIN;
        if (m < 1)
            m = 1;
        tot += m;
        h++;
    }
    *mi = tot;
    *mh = h;
}

/* Make the next n inserts infallible.  Each insert uses at most one leaf and
 * (levels after it) internal nodes, and removals only return nodes, so the
 * live count never exceeds live-now + n * per-insert; nor can it exceed the
 * bound for a tree of count + n entries.  The smaller of the two suffices,
 * and a later reserve_for(1) never asks for more than an earlier reserve
 * covered (both terms are monotone), so a reserved insert never allocates. */
static int reserve_for(pl_rank *r, uint64_t n)
{
    uint64_t total = r->count + n;
    uint64_t ml, mi, wl, wi;
    unsigned mh;
    if (total < n)
        return PLAUDIT_ENOMEM;
    tree_bounds(total, &ml, &mi, &mh);
    if (mh >= MAXDEPTH)
        return PLAUDIT_ENOMEM;
    wl = r->live_leaves + n;
    if (wl > ml)
        wl = ml;
    wi = n > (UINT64_MAX - r->live_inodes) / (mh ? mh : 1) ? UINT64_MAX : r->live_inodes + n * mh;
    if (wi > mi)
        wi = mi;
    if (wl <= r->n_leaves && wi <= r->n_inodes)
        return 0;
    if (wl > SIZE_MAX / sizeof(leaf) || wi > SIZE_MAX / sizeof(inode))
        return PLAUDIT_ENOMEM;
    return grow(r, (size_t)wl, (size_t)wi);
}

/* ---- public: life cycle -------------------------------------------------- */

int pl_rank_new(const pl_alloc *a, pl_rank_idcmp cmp, void *ud, pl_rank **out)
{
    pl_alloc def;
    pl_rank *r;
    *out = NULL;
    if (!a) {
        pl_alloc_default(&def);
        a = &def;
    }
    r = pl_malloc(a, sizeof *r);
    if (!r)
        return PLAUDIT_ENOMEM;
    memset(r, 0, sizeof *r);
    r->a = *a;
    r->idcmp = cmp ? cmp : idx_idcmp; /* NULL: order ties by member index */
    r->ud = ud;
    if (grow(r, 1, 0)) {
        pl_free(a, r);
        return PLAUDIT_ENOMEM;
    }
    r->first = leaf_take(r);
    r->root = r->first;
    *out = r;
    return 0;
}

/* Move every live node to the free lists, leaving one empty root leaf. */
static void drop_all(pl_rank *r)
{
    leaf *l = r->first;
    while (l) {
        leaf *nx = l->next;
        leaf_put(r, l);
        l = nx;
    }
    if (r->height > 0) {
        /* Depth-first over internal nodes only; leaves went via the chain. */
        inode *st[MAXDEPTH];
        uint32_t si[MAXDEPTH];
        int sp = 0;
        st[0] = r->root;
        si[0] = 0;
        while (sp >= 0) {
            inode *in = st[sp];
            if ((unsigned)sp + 1 < r->height && si[sp] < in->n) {
                st[sp + 1] = in->child[si[sp]++];
                si[sp + 1] = 0;
                sp++;
                continue;
            }
            inode_put(r, in);
            sp--;
        }
    }
    r->height = 0;
    r->count = 0;
    r->first = leaf_take(r);
    r->root = r->first;
}

void pl_rank_clear(pl_rank *r)
{
    drop_all(r);
}

void pl_rank_set_ud(pl_rank *r, void *ud) { r->ud = ud; }

void pl_rank_free(pl_rank *r)
{
    if (!r)
        return;
    drop_all(r);
    leaf_put(r, r->first);
    while (r->free_leaves) {
        leaf *l = r->free_leaves;
        r->free_leaves = l->next;
        pl_free(&r->a, l);
    }
    while (r->free_inodes) {
        inode *in = r->free_inodes;
        r->free_inodes = in->child[0];
        pl_free(&r->a, in);
    }
    pl_alloc a = r->a;
    pl_free(&a, r);
}

int pl_rank_reserve(pl_rank *r, size_t n_inserts)
{
    return reserve_for(r, n_inserts);
}

uint64_t pl_rank_count(const pl_rank *r)
{
    return r->count;
}

size_t pl_rank_memory(const pl_rank *r)
{
    return sizeof *r + r->n_leaves * sizeof(leaf) + r->n_inodes * sizeof(inode);
}

/* ---- insert -------------------------------------------------------------- */

static inline void leaf_set(leaf *l, uint32_t i, int64_t s, int64_t t, uint32_t m)
{
    l->score[i] = s;
    l->ts[i] = t;
    l->member[i] = m;
}

/* Open a hole of `k` entries at position i (k > 0) or close one (k < 0). */
static inline void leaf_shift(leaf *l, uint32_t i, int k)
{
    uint32_t tail = l->n - i;
    memmove(&l->score[(int)i + k], &l->score[i], tail * sizeof l->score[0]);
    memmove(&l->ts[(int)i + k], &l->ts[i], tail * sizeof l->ts[0]);
    memmove(&l->member[(int)i + k], &l->member[i], tail * sizeof l->member[0]);
}

static inline void leaf_ins(leaf *l, uint32_t i, int64_t s, int64_t t, uint32_t m)
{
    leaf_shift(l, i, 1);
    leaf_set(l, i, s, t, m);
    l->n++;
}

/* Copy k entries from src[si] to dst[di]. */
static inline void leaf_copy(leaf *dst, uint32_t di, const leaf *src, uint32_t si, uint32_t k)
{
    memcpy(&dst->score[di], &src->score[si], k * sizeof dst->score[0]);
    memcpy(&dst->ts[di], &src->ts[si], k * sizeof dst->ts[0]);
    memcpy(&dst->member[di], &src->member[si], k * sizeof dst->member[0]);
}

static inline void inode_shift(inode *in, uint32_t i, int k)
{
    uint32_t tail = in->n - i;
    memmove(&in->score[(int)i + k], &in->score[i], tail * sizeof in->score[0]);
    memmove(&in->ts[(int)i + k], &in->ts[i], tail * sizeof in->ts[0]);
    memmove(&in->member[(int)i + k], &in->member[i], tail * sizeof in->member[0]);
    memmove(&in->cnt[(int)i + k], &in->cnt[i], tail * sizeof in->cnt[0]);
    memmove(&in->child[(int)i + k], &in->child[i], tail * sizeof in->child[0]);
}

static inline void inode_copy(inode *dst, uint32_t di, const inode *src, uint32_t si, uint32_t k)
{
    memcpy(&dst->score[di], &src->score[si], k * sizeof dst->score[0]);
    memcpy(&dst->ts[di], &src->ts[si], k * sizeof dst->ts[0]);
    memcpy(&dst->member[di], &src->member[si], k * sizeof dst->member[0]);
    memcpy(&dst->cnt[di], &src->cnt[si], k * sizeof dst->cnt[0]);
    memcpy(&dst->child[di], &src->child[si], k * sizeof dst->child[0]);
}

static inline void inode_ins(inode *in, uint32_t i, int64_t s, int64_t t, uint32_t m, void *c, uint32_t cnt)
{
    inode_shift(in, i, 1);
    in->score[i] = s;
    in->ts[i] = t;
    in->member[i] = m;
    in->cnt[i] = cnt;
    in->child[i] = c;
    in->n++;
}

static inline void inode_del(inode *in, uint32_t i)
{
    inode_shift(in, i + 1, -1);
    in->n--;
}

/* Returns 0, PLAUDIT_ENOMEM (nothing changed), or PLAUDIT_EEXIST when this
 * exact key is already present (a caller bug; refused rather than letting
 * the tree hold a duplicate). */
int pl_rank_insert(pl_rank *r, int64_t s, int64_t t, uint32_t m)
{
    inode *path[MAXDEPTH];
    uint32_t pidx[MAXDEPTH];
    void *node = r->root;
    unsigned h = r->height, d;

    /* Secure the nodes before touching the tree (worst case: a leaf plus a
     * split at every level and a new root). */
    if (!r->free_leaves || r->n_inodes - r->live_inodes < h + 1) {
        int e = reserve_for(r, 1);
        if (e)
            return e;
    }

    for (d = 0; d < h; d++) {
        inode *in = node;
        uint32_t i = inode_find(r, in, s, t, m);
        path[d] = in;
        pidx[d] = i;
        node = in->child[i];
    }
    leaf *l = node;
    uint32_t pos = leaf_lb(r, l, s, t, m);
    if (pos < l->n && l->member[pos] == m && l->score[pos] == s && l->ts[pos] == t)
        return PLAUDIT_EEXIST;

    for (d = 0; d < h; d++)
        path[d]->cnt[pidx[d]]++;
    r->count++;
    if (l->n < LMAX) {
        leaf_ins(l, pos, s, t, m);
        return 0;
    }

    /* Split the full leaf in halves, then insert into the proper half. */
    leaf *nl = leaf_take(r);
    uint32_t half = LMAX / 2;
    leaf_copy(nl, 0, l, half, LMAX - half);
    nl->n = LMAX - half;
    l->n = half;
    if (pos <= half)
        leaf_ins(l, pos, s, t, m);
    else
        leaf_ins(nl, pos - half, s, t, m);
    nl->prev = l;
    nl->next = l->next;
    if (l->next)
        l->next->prev = nl;
    l->next = nl;

    /* Push (separator, new node) up while parents split. */
    void *newc = nl;
    int64_t ks = nl->score[0], kt = nl->ts[0];
    uint32_t km = nl->member[0];
    uint64_t lc = l->n, rc = nl->n;
    void *leftc = l;
    for (d = h; d-- > 0;) {
        inode *p = path[d];
        uint32_t i = pidx[d];
        p->cnt[i] = (uint32_t)lc;
        if (p->n < IMAX) {
            inode_ins(p, i + 1, ks, kt, km, newc, (uint32_t)rc);
            return 0;
        }
        inode *q = inode_take(r);
        uint32_t ih = IMAX / 2;
        inode_copy(q, 0, p, ih, IMAX - ih); /* q's slot 0 = separator to push */
        q->n = IMAX - ih;
        p->n = ih;
        if (i + 1 <= ih)
            inode_ins(p, i + 1, ks, kt, km, newc, (uint32_t)rc);
        else
            inode_ins(q, i + 1 - ih, ks, kt, km, newc, (uint32_t)rc);
        rc = sum_cnt(q->cnt, q->n);
        lc = sum_cnt(p->cnt, p->n);
        ks = q->score[0];
        kt = q->ts[0];
        km = q->member[0];
        newc = q;
        leftc = p;
    }
    /* The root split: grow a level. */
    inode *nr = inode_take(r);
    nr->n = 2;
    nr->child[0] = leftc;
    nr->cnt[0] = (uint32_t)lc;
    nr->child[1] = newc;
    nr->cnt[1] = (uint32_t)rc;
    nr->score[1] = ks;
    nr->ts[1] = kt;
    nr->member[1] = km;
    r->root = nr;
    r->height = h + 1;
    return 0;
}

/* ---- remove -------------------------------------------------------------- */

/* Leaf l (child i of p) is below LMIN: borrow one entry from a sibling that
 * can spare it, else merge with it.  Returns 1 when p lost a child. */
static int fix_leaf(pl_rank *r, inode *p, uint32_t i, leaf *l)
{
    if (i > 0) {
        leaf *L = p->child[i - 1];
        if (L->n > LMIN) {
            uint32_t j = L->n - 1;
            leaf_shift(l, 0, 1);
            leaf_set(l, 0, L->score[j], L->ts[j], L->member[j]);
            l->n++;
            L->n--;
            p->score[i] = l->score[0];
            p->ts[i] = l->ts[0];
            p->member[i] = l->member[0];
            p->cnt[i - 1]--;
            p->cnt[i]++;
            return 0;
        }
        leaf_copy(L, L->n, l, 0, l->n);
        L->n += l->n;
        L->next = l->next;
        if (l->next)
            l->next->prev = L;
        p->cnt[i - 1] += p->cnt[i];
        inode_del(p, i);
        leaf_put(r, l);
        return 1;
    }
    leaf *R = p->child[1];
    if (R->n > LMIN) {
        leaf_set(l, l->n, R->score[0], R->ts[0], R->member[0]);
        l->n++;
        leaf_shift(R, 1, -1);
        R->n--;
        p->score[1] = R->score[0];
        p->ts[1] = R->ts[0];
        p->member[1] = R->member[0];
        p->cnt[0]++;
        p->cnt[1]--;
        return 0;
    }
    leaf_copy(l, l->n, R, 0, R->n);
    l->n += R->n;
    l->next = R->next;
    if (R->next)
        R->next->prev = l;
    p->cnt[0] += p->cnt[1];
    inode_del(p, 1);
    leaf_put(r, R);
    return 1;
}

/* Internal node c (child i of p) is below IMIN: same as fix_leaf, with the
 * separators rotating through the parent. */
static int fix_inode(pl_rank *r, inode *p, uint32_t i, inode *c)
{
    if (i > 0) {
        inode *L = p->child[i - 1];
        uint32_t j = L->n - 1;
        if (L->n > IMIN) {
            inode_shift(c, 0, 1);
            c->n++;
            c->child[0] = L->child[j];
            c->cnt[0] = L->cnt[j];
            c->score[1] = p->score[i]; /* old lower bound of c's first child */
            c->ts[1] = p->ts[i];
            c->member[1] = p->member[i];
            p->score[i] = L->score[j];
            p->ts[i] = L->ts[j];
            p->member[i] = L->member[j];
            p->cnt[i - 1] -= c->cnt[0];
            p->cnt[i] += c->cnt[0];
            L->n--;
            return 0;
        }
        inode_copy(L, L->n, c, 0, c->n);
        L->score[L->n] = p->score[i];
        L->ts[L->n] = p->ts[i];
        L->member[L->n] = p->member[i];
        L->n += c->n;
        p->cnt[i - 1] += p->cnt[i];
        inode_del(p, i);
        inode_put(r, c);
        return 1;
    }
    inode *R = p->child[1];
    if (R->n > IMIN) {
        uint32_t j = c->n++;
        c->child[j] = R->child[0];
        c->cnt[j] = R->cnt[0];
        c->score[j] = p->score[1];
        c->ts[j] = p->ts[1];
        c->member[j] = p->member[1];
        p->score[1] = R->score[1];
        p->ts[1] = R->ts[1];
        p->member[1] = R->member[1];
        p->cnt[0] += R->cnt[0];
        p->cnt[1] -= R->cnt[0];
        inode_del(R, 0);
        return 0;
    }
    uint32_t j = c->n;
    inode_copy(c, j, R, 0, R->n);
    c->score[j] = p->score[1];
    c->ts[j] = p->ts[1];
    c->member[j] = p->member[1];
    c->n += R->n;
    p->cnt[0] += p->cnt[1];
    inode_del(p, 1);
    inode_put(r, R);
    return 1;
}

/* Remove entry pos of leaf l, reached through path/pidx (height h). */
static void remove_at(pl_rank *r, inode **path, const uint32_t *pidx, unsigned h, leaf *l,
                      uint32_t pos)
{
    unsigned d;
    for (d = 0; d < h; d++)
        path[d]->cnt[pidx[d]]--;
    r->count--;
    leaf_shift(l, pos + 1, -1);
    l->n--;
    if (h == 0 || l->n >= LMIN)
        return;

    int merged = fix_leaf(r, path[h - 1], pidx[h - 1], l);
    for (d = h - 1; merged && d > 0; d--) {
        if (path[d]->n >= IMIN)
            break;
        merged = fix_inode(r, path[d - 1], pidx[d - 1], path[d]);
    }
    /* A root left with one child gives way to it. */
    inode *root = r->root;
    if (root->n == 1) {
        r->root = root->child[0];
        r->height = h - 1;
        inode_put(r, root);
    }
}

/* Descend to the leaf that would hold the key, recording the path. */
static leaf *descend(const pl_rank *r, int64_t s, int64_t t, uint32_t m, inode **path,
                     uint32_t *pidx)
{
    void *node = r->root;
    for (unsigned d = 0; d < r->height; d++) {
        inode *in = node;
        uint32_t i = inode_find(r, in, s, t, m);
        path[d] = in;
        pidx[d] = i;
        node = in->child[i];
    }
    return node;
}

int pl_rank_remove(pl_rank *r, int64_t s, int64_t t, uint32_t m)
{
    inode *path[MAXDEPTH];
    uint32_t pidx[MAXDEPTH];
    leaf *l = descend(r, s, t, m, path, pidx);
    uint32_t pos = leaf_lb(r, l, s, t, m);
    if (pos >= l->n || l->member[pos] != m || l->score[pos] != s || l->ts[pos] != t)
        return PLAUDIT_ENOTFOUND;
    remove_at(r, path, pidx, r->height, l, pos);
    return 0;
}

/* ---- update -------------------------------------------------------------- */

/* The new key may stay in leaf l when it lies within the leaf's range as the
 * path defines it: sep[i] <= key at the deepest ancestor where the path does
 * not take child 0 (the lower bound), and key < sep[i+1] at the deepest
 * ancestor where it does not take the last child (the upper bound).  Those
 * separators are exactly the bounds the invariants promise for the leaf, so
 * keeping the key inside them keeps every invariant; a key that only the
 * (possibly stale) separators exclude simply takes the slow path. */
static int fits_leaf(const pl_rank *r, inode **path, const uint32_t *pidx, unsigned h, int64_t s,
                     int64_t t, uint32_t m)
{
    int lo_done = 0, hi_done = 0;
    for (unsigned d = h; d-- > 0 && !(lo_done && hi_done);) {
        const inode *in = path[d];
        uint32_t i = pidx[d];
        if (!lo_done && i > 0) {
            if (keycmp(r, in->score[i], in->ts[i], in->member[i], s, t, m) > 0)
                return 0;
            lo_done = 1;
        }
        if (!hi_done && i + 1 < in->n) {
            if (keycmp(r, s, t, m, in->score[i + 1], in->ts[i + 1], in->member[i + 1]) >= 0)
                return 0;
            hi_done = 1;
        }
    }
    return 1;
}

int pl_rank_update(pl_rank *r, int64_t os, int64_t ot, int64_t s, int64_t t, uint32_t m)
{
    inode *path[MAXDEPTH];
    uint32_t pidx[MAXDEPTH];
    unsigned h = r->height;
    leaf *l = descend(r, os, ot, m, path, pidx);
    uint32_t pos = leaf_lb(r, l, os, ot, m);
    if (pos >= l->n || l->member[pos] != m || l->score[pos] != os || l->ts[pos] != ot)
        return PLAUDIT_ENOTFOUND;

    if (fits_leaf(r, path, pidx, h, s, t, m)) {
        /* Same leaf, same size: slide the entries between the old and the
         * new position by one; no count on the path changes.  leaf_lb sees
         * the old entry too, which only shifts the answer past it. */
        uint32_t q = leaf_lb(r, l, s, t, m);
        if (q > pos + 1) {
            q--; /* the slot the entry ends in once it has left pos */
            memmove(&l->score[pos], &l->score[pos + 1], (q - pos) * sizeof l->score[0]);
            memmove(&l->ts[pos], &l->ts[pos + 1], (q - pos) * sizeof l->ts[0]);
            memmove(&l->member[pos], &l->member[pos + 1], (q - pos) * sizeof l->member[0]);
        } else if (q < pos) {
            memmove(&l->score[q + 1], &l->score[q], (pos - q) * sizeof l->score[0]);
            memmove(&l->ts[q + 1], &l->ts[q], (pos - q) * sizeof l->ts[0]);
            memmove(&l->member[q + 1], &l->member[q], (pos - q) * sizeof l->member[0]);
        } else {
            q = pos;
        }
        leaf_set(l, q, s, t, m);
        return 0;
    }

    /* Elsewhere: secure the insert's nodes first (as pl_rank_insert does),
     * so that nothing changes on failure; removal only frees nodes and can
     * only lower the height, so the insert then never allocates. */
    if (!r->free_leaves || r->n_inodes - r->live_inodes < h + 1) {
        int e = reserve_for(r, 1);
        if (e)
            return e;
    }
    remove_at(r, path, pidx, h, l, pos);
    return pl_rank_insert(r, s, t, m);
}
