/* member.c - members: the id index, allocation of a member's program-shaped
 * state, segment inference and badge lookups. */
#include "internal.h"

/* ---- the id index ------------------------------------------------------------ */

pl_member *pl_member_find(const plaudit_ctx *ctx, const char *id)
{
    if (!ctx->mix_cap) return NULL;
    size_t len = strlen(id);
    uint64_t h = pl_hash_bytes(id, len);
    size_t mask = ctx->mix_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const pl_mslot *s = &ctx->mix[i];
        if (!s->m) return NULL;
        if (s->hash == h && s->m->idlen == len && memcmp(s->m->id, id, len) == 0) return s->m;
    }
}

/* Batches prefetch ahead (engine.c): first hash an id and prefetch its
 * index slot, an event later read the slot and prefetch the member's
 * state, so that the misses of several events overlap. */
uint64_t pl_member_prefetch_slot(const plaudit_ctx *ctx, const char *id)
{
    if (!ctx->mix_cap || !id) return 0;
    uint64_t h = pl_hash_bytes(id, strlen(id));
    __builtin_prefetch(&ctx->mix[(size_t)h & (ctx->mix_cap - 1)]);
    return h;
}

void pl_member_prefetch(const plaudit_ctx *ctx, uint64_t h)
{
    if (!ctx->mix_cap || !h) return;
    size_t mask = ctx->mix_cap - 1, i = (size_t)h & mask;
    for (int k = 0; k < 4 && ctx->mix[i].m; k++, i = (i + 1) & mask) {
        if (ctx->mix[i].hash != h) continue;
        const char *p = (const char *)ctx->mix[i].m;
        size_t size = ctx->sealed ? ctx->lay.off_id + 16 : 64;
        for (size_t off = 0; off < size; off += 64) __builtin_prefetch(p + off, 1);
        return;
    }
}

static void mix_put(pl_mslot *tab, size_t cap, pl_member *m, uint64_t h)
{
    size_t mask = cap - 1, i = (size_t)h & mask;
    while (tab[i].m) i = (i + 1) & mask;
    tab[i].m = m;
    tab[i].hash = h;
}

int pl_member_index_reserve(plaudit_ctx *ctx, size_t n)
{
    size_t need = ctx->n_members + n;
    if (need < ctx->n_members) return PLAUDIT_ENOMEM;
    if (ctx->mix_cap && need <= ctx->mix_cap / 4 * 3) return PLAUDIT_OK;
    size_t cap = ctx->mix_cap ? ctx->mix_cap : 64;
    while (need > cap / 4 * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(pl_mslot)) return PLAUDIT_ENOMEM;
        cap *= 2;
    }
    pl_mslot *tab = pl_malloc(&ctx->alloc, cap * sizeof *tab);
    if (!tab) return PLAUDIT_ENOMEM;
    memset(tab, 0, cap * sizeof *tab);
    for (size_t i = 0; i < ctx->mix_cap; i++)
        if (ctx->mix[i].m) mix_put(tab, cap, ctx->mix[i].m, ctx->mix[i].hash);
    pl_free(&ctx->alloc, ctx->mix);
    ctx->mix = tab;
    ctx->mix_cap = cap;
    return PLAUDIT_OK;
}

void pl_member_index_add(plaudit_ctx *ctx, pl_member *m)
{
    mix_put(ctx->mix, ctx->mix_cap, m, pl_hash_bytes(m->id, m->idlen));
}

void pl_member_index_del(plaudit_ctx *ctx, const pl_member *m)
{
    if (!ctx->mix_cap) return;
    size_t mask = ctx->mix_cap - 1;
    size_t i = (size_t)pl_hash_bytes(m->id, m->idlen) & mask;
    while (ctx->mix[i].m && ctx->mix[i].m != m) i = (i + 1) & mask;
    if (!ctx->mix[i].m) return;
    /* Backward-shift deletion: pull later entries of the run into the hole
     * when their home slot does not lie (cyclically) after it. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; ctx->mix[j].m; j = (j + 1) & mask) {
        size_t home = (size_t)ctx->mix[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            ctx->mix[hole] = ctx->mix[j];
            hole = j;
        }
    }
    ctx->mix[hole].m = NULL;
    ctx->mix[hole].hash = 0;
}

void pl_member_index_clear(plaudit_ctx *ctx)
{
    if (ctx->mix) memset(ctx->mix, 0, ctx->mix_cap * sizeof *ctx->mix);
}

void pl_member_index_free(plaudit_ctx *ctx)
{
    pl_free(&ctx->alloc, ctx->mix);
    ctx->mix = NULL;
    ctx->mix_cap = 0;
}

/* ---- members ---------------------------------------------------------------- */

int pl_member_alloc(plaudit_ctx *ctx, const char *id, int64_t ts, pl_member **out)
{
    size_t idlen = strlen(id);
    size_t size = ctx->lay.off_id + idlen + 1;
    pl_member *m = pl_malloc(&ctx->alloc, size);
    if (!m) return PLAUDIT_ENOMEM;
    /* Zeroed whole, padding included, so snapshots and digests see only
     * defined bytes. */
    memset(m, 0, size);
    char *idp = (char *)m + ctx->lay.off_id;
    memcpy(idp, id, idlen + 1);
    m->id = idp;
    m->idlen = (uint32_t)idlen;
    m->st.joined = ts;
    m->st.last_ts = ts;
    m->st.tier = m->st.lifetime_tier = m->st.segment = m->st.pin = -1;
    int64_t *cd = PL_CD(ctx, m);
    for (uint32_t i = 0; i < ctx->lay.n_cd; i++) cd[i] = INT64_MIN;
    *out = m;
    return PLAUDIT_OK;
}

void pl_member_free(plaudit_ctx *ctx, pl_member *m)
{
    if (!m) return;
    for (uint32_t i = 0; i < m->st.n_badges; i++) pl_free(&ctx->alloc, m->st.badges[i].at);
    pl_free(&ctx->alloc, m->st.badges);
    pl_free(&ctx->alloc, m);
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
