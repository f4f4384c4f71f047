/* member.c - members: the id index, allocation of a member's header and
 * of its program-shaped tail (lazily: see internal.h), segment inference
 * and badge lookups. */
#include "internal.h"

/* The member index grows its bucket array when a chain reaches this many
 * members (uthash's default is 10, an average chain of about two): each
 * member a lookup passes is a cache miss in a large community. */
#undef HASH_BKT_CAPACITY_THRESH
#define HASH_BKT_CAPACITY_THRESH 7U

/* ---- the id index ------------------------------------------------------------ */

pl_member *pl_member_find(const plaudit_ctx *ctx, const char *id)
{
    pl_member *m = NULL;
    HASH_FIND(hh, ctx->member_h, id, strlen(id), m);
    /* The tail is a second allocation: start its lines now, while the
     * event is validated (the pointer is in the line just read). */
    if (m) {
        /* and the rest of the member: the lookup read its first line */
        for (size_t off = 64; off < sizeof *m; off += 64) __builtin_prefetch((const char *)m + off, 1);
        if (m->tail)
            for (size_t off = 0; off < ctx->lay.tail_size; off += 64) __builtin_prefetch(m->tail + off, 1);
    }
    return m;
}

/* The index slot of a hash (HASH_VALUE of an id). */
void pl_member_prefetch_hv(const plaudit_ctx *ctx, unsigned hv)
{
    if (!ctx->member_h) return;
    const UT_hash_table *tbl = ctx->member_h->hh.tbl;
    __builtin_prefetch(&tbl->buckets[hv & (tbl->num_buckets - 1)]);
}

/* Batches prefetch ahead (engine.c): first hash an id and prefetch its
 * bucket, then follow the bucket to the member's first line, then prefetch
 * the rest of its state, so that the misses of several events overlap. */
uint64_t pl_member_prefetch_slot(const plaudit_ctx *ctx, const char *id)
{
    if (!ctx->member_h || !id) return 0;
    unsigned h = (unsigned)pl_hash_bytes(id, strlen(id));
    pl_member_prefetch_hv(ctx, h);
    return (uint64_t)h | 1ull << 32; /* never 0 */
}

/* The first entry of an index slot whose line pl_member_prefetch_slot
 * brought in: reading the slot does not wait, the entry's line then comes
 * (it is the start of the member: hh is its first field). */
void pl_member_prefetch_head(const plaudit_ctx *ctx, uint64_t h)
{
    if (!ctx->member_h || !h) return;
    const UT_hash_table *tbl = ctx->member_h->hh.tbl;
    const UT_hash_handle *hh = tbl->buckets[(unsigned)h & (tbl->num_buckets - 1)].hh_head;
    if (hh) __builtin_prefetch(hh);
}

void pl_member_prefetch(const plaudit_ctx *ctx, uint64_t h)
{
    if (!ctx->member_h || !h) return;
    const UT_hash_table *tbl = ctx->member_h->hh.tbl;
    unsigned hv = (unsigned)h;
    const UT_hash_handle *hh = tbl->buckets[hv & (tbl->num_buckets - 1)].hh_head;
    for (int k = 0; k < 4 && hh; k++, hh = hh->hh_next) {
        if (hh->hashv != hv) continue;
        const pl_member *m = (const pl_member *)ELMT_FROM_HH(tbl, hh);
        const char *p = (const char *)m;
        for (size_t off = 0; off < sizeof *m; off += 64) __builtin_prefetch(p + off, 1);
        /* the tail pointer sits next to the hash just read */
        if (m->tail)
            for (size_t off = 0; off < ctx->lay.tail_size; off += 64) __builtin_prefetch(m->tail + off, 1);
        /* the earned badges, a separate allocation evaluation reads */
        if (m->st.badges) __builtin_prefetch(m->st.badges);
        return;
    }
}

int pl_member_index_add(plaudit_ctx *ctx, pl_member *m)
{
    PL_UH(&ctx->alloc);
    HASH_ADD_KEYPTR(hh, ctx->member_h, m->id, m->idlen, m);
    return pl_uh_oom ? PLAUDIT_ENOMEM : PLAUDIT_OK;
}

/* A bulk load (a snapshot) hashes each id once, for the duplicate check
 * and the insertion, and starts the next id's slot early. */
pl_member *pl_member_find_hv(const plaudit_ctx *ctx, const char *id, size_t len, unsigned hv)
{
    pl_member *m = NULL;
    HASH_FIND_BYHASHVALUE(hh, ctx->member_h, id, len, hv, m);
    return m;
}

int pl_member_index_add_hv(plaudit_ctx *ctx, pl_member *m, unsigned hv)
{
    PL_UH(&ctx->alloc);
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, ctx->member_h, m->id, m->idlen, hv, m);
    return pl_uh_oom ? PLAUDIT_ENOMEM : PLAUDIT_OK;
}

/* Grow the bucket array at once to about what n insertions grow it to
 * (a power of two of at least 2n: about half a member per bucket, as
 * HASH_BKT_CAPACITY_THRESH above gives a million members), so that a bulk
 * load rehashes nothing as it goes (each rehash reads every member
 * indexed so far, a cache miss each).  Only a hint: a failed growth keeps
 * the smaller array, as uthash does. */
void pl_member_index_reserve(plaudit_ctx *ctx, size_t n)
{
    if (!ctx->member_h || n > (SIZE_MAX >> 2)) return;
    PL_UH(&ctx->alloc);
    UT_hash_table *tbl = ctx->member_h->hh.tbl;
    while (!tbl->noexpand && tbl->num_buckets < 2 * n && tbl->num_buckets < (1u << 30)) {
        unsigned before = tbl->num_buckets;
        HASH_EXPAND_BUCKETS(hh, tbl, pl_uh_oom);
        if (pl_uh_oom || tbl->num_buckets == before) return;
    }
}

void pl_member_index_del(plaudit_ctx *ctx, pl_member *m)
{
    PL_UH(&ctx->alloc);
    HASH_DELETE(hh, ctx->member_h, m);
}

void pl_member_index_clear(plaudit_ctx *ctx)
{
    PL_UH(&ctx->alloc);
    HASH_CLEAR(hh, ctx->member_h);
}

void pl_member_index_free(plaudit_ctx *ctx) { pl_member_index_clear(ctx); }

/* ---- members ---------------------------------------------------------------- */

pl_member *pl_member_block_new(const pl_alloc *a, const char *id, size_t idlen)
{
    size_t room = pl_member_id_room(idlen);
    size_t size = room + sizeof(pl_member);
    char *p = pl_malloc(a, size);
    if (!p) return NULL;
    memset(p, 0, size);
    memcpy(p, id, idlen);
    pl_member *m = (pl_member *)(void *)(p + room);
    m->id = p;
    m->idlen = (uint16_t)idlen;
    return m;
}

void pl_member_block_free(const pl_alloc *a, pl_member *m)
{
    if (!m) return;
    pl_free(a, m->tail);
    pl_free(a, (char *)m - pl_member_id_room(m->idlen));
}

/* A copy of the template, padding included, so snapshots and digests see
 * only defined bytes. */
int pl_member_tail_own(plaudit_ctx *ctx, pl_member *m)
{
    char *t = pl_malloc(&ctx->alloc, ctx->lay.tail_size);
    if (!t) return PLAUDIT_ENOMEM;
    if (ctx->lay.tail_size) memcpy(t, ctx->tail0, ctx->lay.tail_size);
    m->tail = t;
    return PLAUDIT_OK;
}

/* A new member has no tail: the template (zeros, cooldowns INT64_MIN) is
 * its state until its first write (pl_touch). */
int pl_member_alloc(plaudit_ctx *ctx, const char *id, int64_t ts, pl_member **out)
{
    pl_member *m = pl_member_block_new(&ctx->alloc, id, strlen(id));
    if (!m) return PLAUDIT_ENOMEM;
    m->st.joined = ts;
    m->st.last_ts = ts;
    m->st.pts_ts = ts;
    m->st.tier = m->st.lifetime_tier = m->st.segment = m->st.pin = m->st.team = -1;
    *out = m;
    return PLAUDIT_OK;
}

void pl_member_free(plaudit_ctx *ctx, pl_member *m)
{
    if (!m) return;
    for (uint32_t i = 0; i < m->st.n_badges; i++) pl_free(&ctx->alloc, m->st.badges[i].at);
    pl_free(&ctx->alloc, m->st.badges);
    pl_member_block_free(&ctx->alloc, m);
}

/* A tick touches every member that exists then, without writing to each:
 * its ts and the member count at that moment are kept once on the context
 * (members are numbered in creation order). */
int64_t pl_member_last(const plaudit_ctx *ctx, const pl_member *m)
{
    if (m->idx < ctx->tick_members && ctx->tick_ts > m->st.last_ts) return ctx->tick_ts;
    return m->st.last_ts;
}

int64_t pl_member_affinity(const plaudit_ctx *ctx, const pl_member *m, const pl_segment *s)
{
    const uint32_t *counts = PL_CCOUNTS(ctx, m);
    int64_t sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        int64_t v;
        if (__builtin_mul_overflow((int64_t)counts[s->actions[i]], s->weights[i], &v)) v = INT64_MAX;
        sum = pl_sat_add(sum, v);
    }
    return sum;
}

int32_t pl_member_infer_segment(const plaudit_ctx *ctx, const pl_member *m)
{
    int32_t best = -1;
    int64_t best_v = 0;
    for (size_t i = 0; i < ctx->n_segments; i++) {
        int64_t v = pl_member_affinity(ctx, m, ctx->segments[i]);
        if (v > best_v) { /* strict: ties go to the one declared first */
            best_v = v;
            best = (int32_t)i;
        }
    }
    return best;
}

pl_earned *pl_member_earned(const plaudit_ctx *ctx, const pl_member *m, uint32_t badge)
{
    (void)ctx;
    /* Kept sorted by badge index; lists are short, so a linear scan that
     * stops early beats a binary search. */
    pl_earned *e = m->st.badges;
    for (uint32_t i = 0; i < m->st.n_badges; i++) {
        if (e[i].badge == badge) return &e[i];
        if (e[i].badge > badge) break;
    }
    return NULL;
}

int pl_idcmp(uint32_t a, uint32_t b, void *ud)
{
    const plaudit_ctx *ctx = ud;
    const pl_member *ma = ctx->mv[a], *mb = ctx->mv[b];
    size_t n = ma->idlen < mb->idlen ? ma->idlen : mb->idlen;
    int c = memcmp(ma->id, mb->id, n);
    if (c) return c;
    return (ma->idlen > mb->idlen) - (ma->idlen < mb->idlen);
}
