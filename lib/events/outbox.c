/* outbox.c - recognition moments that are never lost (spec section 8):
 * every moment gets a sequence number when its event commits; with the
 * outbox enabled it also waits in a queue until the platform acknowledges
 * it.  The acknowledged position goes to the store (ack_write), and
 * recovery, which regenerates the moments of the journal in the same
 * order, puts back every one after it, flagged as redelivered.  Moments
 * pending at a snapshot are kept in it. */
#include <stdio.h>

#include "internal.h"

#define OBX_DEFAULT_MAX (1u << 20)

/* Strings a pending moment owns (NULL, 0: none). */
typedef struct pl_own {
    char *p;
    size_t n;
} pl_own;

typedef struct pl_outbox {
    size_t max;
    plaudit_moment *q;        /* pending moments are q[head..len) */
    pl_own *own;              /* per moment */
    size_t head, len, cap;
    char **stage;             /* owned strings of the event committing */
    size_t n_stage, cap_stage;
    size_t own_bytes;
    uint64_t acked;
    uint64_t refused;
    int recovering;
} pl_outbox;

int plaudit_outbox_enable(plaudit_ctx *ctx, size_t max_pending)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "the outbox cannot be enabled inside a listener");
    if (ctx->obx) return pl_err(ctx, PLAUDIT_ESTATE, "the outbox is already enabled");
    if (ctx->sealed || ctx->store || ctx->clock >= 0 || ctx->win)
        return pl_err(ctx, PLAUDIT_ESTATE, "the outbox must be enabled before the first event and the store");
    pl_outbox *o = pl_malloc(&ctx->alloc, sizeof *o);
    if (!o) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory enabling the outbox");
    memset(o, 0, sizeof *o);
    o->max = max_pending ? max_pending : OBX_DEFAULT_MAX;
    ctx->obx = o;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

static size_t pending(const pl_outbox *o) { return o->len - o->head; }

int pl_outbox_admit(plaudit_ctx *ctx)
{
    pl_outbox *o = ctx->obx;
    if (!o || pending(o) < o->max) return PLAUDIT_OK;
    o->refused++;
    ctx->rejected++;
    return pl_err(ctx, PLAUDIT_ELIMIT,
                  "the outbox is full (%zu moments wait for acknowledgement): acknowledge moments "
                  "(plaudit_outbox_ack) and send the event again",
                  pending(o));
}

/* Room for n more at the end, moving the pending ones to the front. */
static int reserve(plaudit_ctx *ctx, pl_outbox *o, size_t n)
{
    if (o->head && o->len + n > o->cap) {
        size_t k = pending(o);
        memmove(o->q, o->q + o->head, k * sizeof *o->q);
        memmove(o->own, o->own + o->head, k * sizeof *o->own);
        o->head = 0;
        o->len = k;
    }
    if (o->len + n <= o->cap) return PLAUDIT_OK;
    size_t cap = o->cap, cap2 = o->cap;
    if (pl_grow(&ctx->alloc, (void **)&o->q, &cap, o->len + n, sizeof *o->q)) return PLAUDIT_ENOMEM;
    if (pl_grow(&ctx->alloc, (void **)&o->own, &cap2, cap, sizeof *o->own)) {
        /* q grew; keep the larger array but the old usable cap. */
        return PLAUDIT_ENOMEM;
    }
    o->cap = cap < cap2 ? cap : cap2;
    return PLAUDIT_OK;
}

/* A moment's strings, in one order (the snapshot's too). */
#define N_STRS 10
static void strs_of(plaudit_moment *m, const char **s[N_STRS])
{
    s[0] = &m->member;
    s[1] = &m->source_id;
    s[2] = &m->badge;
    s[3] = &m->leaderboard;
    s[4] = &m->tier_from;
    s[5] = &m->tier_to;
    s[6] = &m->reward;
    s[7] = &m->to;
    s[8] = &m->revoked_event;
    s[9] = &m->revoked_ref;
}

/* Copy m's strings into one block (a pending moment outlives its event's
 * scratch, and a program event replaces the members and rules that the
 * event's pointers name).  NULL with *n == 0 when it has none. */
static char *copy_strs(plaudit_ctx *ctx, const plaudit_moment *m, size_t *n)
{
    plaudit_moment t = *m;
    const char **s[N_STRS];
    strs_of(&t, s);
    size_t total = 0;
    for (int k = 0; k < N_STRS; k++)
        if (*s[k]) total += strlen(*s[k]) + 1;
    *n = total;
    if (!total) return NULL;
    char *p = pl_malloc(&ctx->alloc, total);
    if (!p) return NULL;
    char *q = p;
    for (int k = 0; k < N_STRS; k++) {
        if (!*s[k]) continue;
        size_t l = strlen(*s[k]) + 1;
        memcpy(q, *s[k], l);
        q += l;
    }
    return p;
}

/* Point m's strings into the block copy_strs made. */
static void point_strs(plaudit_moment *m, char *p)
{
    const char **s[N_STRS];
    strs_of(m, s);
    for (int k = 0; k < N_STRS; k++) {
        if (!*s[k]) continue;
        *s[k] = p;
        p += strlen(p) + 1;
    }
}

int pl_outbox_stage(plaudit_ctx *ctx)
{
    pl_outbox *o = ctx->obx;
    if (!o || !ctx->n_moments) return PLAUDIT_OK;
    o->n_stage = 0;
    if (reserve(ctx, o, ctx->n_moments) ||
        pl_grow(&ctx->alloc, (void **)&o->stage, &o->cap_stage, ctx->n_moments, sizeof *o->stage))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory keeping moments in the outbox");
    for (size_t i = 0; i < ctx->n_moments; i++) {
        size_t n;
        o->stage[i] = copy_strs(ctx, &ctx->moments[i], &n);
        o->n_stage = i + 1;
        if (n && !o->stage[i]) {
            pl_outbox_unstage(ctx);
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory keeping moments in the outbox");
        }
    }
    return PLAUDIT_OK;
}

void pl_outbox_unstage(plaudit_ctx *ctx)
{
    pl_outbox *o = ctx->obx;
    if (!o) return;
    for (size_t i = 0; i < o->n_stage; i++) pl_free(&ctx->alloc, o->stage[i]);
    o->n_stage = 0;
}

void pl_outbox_publish(plaudit_ctx *ctx)
{
    pl_outbox *o = ctx->obx;
    for (size_t i = 0; i < ctx->n_moments; i++) {
        plaudit_moment *m = &ctx->moments[i];
        m->seq = ++ctx->moment_seq;
        m->redelivered = o && o->recovering;
        if (!o) continue;
        char *own = i < o->n_stage ? o->stage[i] : NULL;
        if (o->recovering && m->seq <= o->acked) {
            pl_free(&ctx->alloc, own);
            continue;
        }
        plaudit_moment *d = &o->q[o->len];
        *d = *m;
        size_t n = 0;
        if (own) {
            point_strs(d, own);
            const char **s[N_STRS];
            strs_of(d, s);
            for (int k = 0; k < N_STRS; k++) n += *s[k] ? strlen(*s[k]) + 1 : 0;
        }
        pl_own w = {own, n};
        o->own_bytes += n;
        o->own[o->len++] = w;
    }
    if (o) o->n_stage = 0;
}

/* ---- reading and acknowledging ------------------------------------------------- */

int plaudit_outbox_read(plaudit_ctx *ctx, uint64_t after, size_t max, const plaudit_moment **out, size_t *n)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !n) return pl_err(ctx, PLAUDIT_EINVAL, "out or n is NULL");
    *out = NULL;
    *n = 0;
    pl_outbox *o = ctx->obx;
    if (!o) return pl_err(ctx, PLAUDIT_ESTATE, "the outbox is not enabled (plaudit_outbox_enable)");
    /* Pending seqs ascend: the first one past `after`. */
    size_t lo = o->head, hi = o->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o->q[mid].seq <= after) lo = mid + 1;
        else hi = mid;
    }
    size_t k = o->len - lo;
    *n = k < max ? k : max;
    *out = *n ? &o->q[lo] : NULL;
    if (!ctx->in_callback) pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_outbox_ack(plaudit_ctx *ctx, uint64_t upto)
{
    if (!ctx) return PLAUDIT_EINVAL;
    pl_outbox *o = ctx->obx;
    if (!o) return pl_err(ctx, PLAUDIT_ESTATE, "the outbox is not enabled (plaudit_outbox_enable)");
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "moments cannot be acknowledged inside a listener");
    if (upto > ctx->moment_seq)
        return pl_err(ctx, PLAUDIT_ERANGE, "cannot acknowledge moment %llu: the last one is %llu",
                      (unsigned long long)upto, (unsigned long long)ctx->moment_seq);
    if (upto <= o->acked) {
        pl_ok(ctx);
        return PLAUDIT_OK;
    }
    pl_store *s = ctx->store;
    if (s && s->cb.ack_write) {
        int rc = s->cb.ack_write(upto, s->cb.payload);
        if (rc) return pl_store_fail(ctx, s, rc, "ack_write");
    }
    while (o->head < o->len && o->q[o->head].seq <= upto) {
        pl_own *w = &o->own[o->head++];
        o->own_bytes -= w->n;
        pl_free(&ctx->alloc, w->p);
    }
    if (o->head == o->len) o->head = o->len = 0;
    o->acked = upto;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_outbox_info_get(const plaudit_ctx *ctx, plaudit_outbox_info *out)
{
    if (!ctx || !out) return PLAUDIT_EINVAL;
    memset(out, 0, sizeof *out);
    out->last_seq = ctx->moment_seq;
    const pl_outbox *o = ctx->obx;
    if (!o) return PLAUDIT_OK;
    out->enabled = 1;
    out->pending = pending(o);
    out->acked = o->acked;
    out->max_pending = o->max;
    out->refused = o->refused;
    for (size_t i = o->head; i < o->len; i++) out->redelivered += !!o->q[i].redelivered;
    out->bytes = pending(o) * (sizeof *o->q + sizeof *o->own) + o->own_bytes;
    return PLAUDIT_OK;
}

/* ---- recovery, reset, snapshots ---------------------------------------------------- */

int pl_outbox_recover_begin(plaudit_ctx *ctx, const plaudit_store *cb)
{
    pl_outbox *o = ctx->obx;
    if (!o) return PLAUDIT_OK;
    o->recovering = 1;
    uint64_t acked = 0;
    if (cb->ack_read) {
        int rc = cb->ack_read(&acked, cb->payload);
        if (rc) {
            if (rc > 0) rc = PLAUDIT_EUSER;
            const char *d = cb->errmsg ? cb->errmsg(cb->payload) : NULL;
            return pl_err(ctx, rc, "store ack_read failed: %s", d && *d ? d : plaudit_strerror(rc));
        }
    }
    o->acked = acked;
    return PLAUDIT_OK;
}

void pl_outbox_recover_end(plaudit_ctx *ctx)
{
    if (ctx->obx) ctx->obx->recovering = 0;
}

void pl_outbox_reset(plaudit_ctx *ctx)
{
    ctx->moment_seq = 0;
    pl_outbox *o = ctx->obx;
    if (!o) return;
    for (size_t i = o->head; i < o->len; i++) pl_free(&ctx->alloc, o->own[i].p);
    o->head = o->len = 0;
    o->own_bytes = 0;
}

void pl_outbox_free(plaudit_ctx *ctx)
{
    pl_outbox *o = ctx->obx;
    if (!o) return;
    pl_outbox_unstage(ctx);
    pl_outbox_reset(ctx);
    pl_free(&ctx->alloc, o->q);
    pl_free(&ctx->alloc, o->own);
    pl_free(&ctx->alloc, o->stage);
    pl_free(&ctx->alloc, o);
    ctx->obx = NULL;
}

static void put_nstr(pl_buf *b, const char *s)
{
    if (!s) {
        pl_put16(b, UINT16_MAX);
        return;
    }
    size_t n = strlen(s);
    pl_put16(b, (uint16_t)n);
    pl_buf_put(b, s, n);
}

/* Section body: u64 last seq, u64 n, then each pending moment
 * (docs/storage-format.md). */
void pl_outbox_snap_encode(plaudit_ctx *ctx, pl_buf *b)
{
    const pl_outbox *o = ctx->obx;
    pl_put64(b, ctx->moment_seq);
    pl_put64(b, o ? pending(o) : 0);
    for (size_t i = o ? o->head : 0; o && i < o->len; i++) {
        const plaudit_moment *m = &o->q[i];
        pl_put64(b, m->seq);
        pl_put32(b, (uint32_t)m->kind);
        pl_put64(b, (uint64_t)m->ts);
        pl_put64(b, (uint64_t)m->points);
        pl_put32(b, (uint32_t)m->source);
        pl_put32(b, m->level);
        pl_put32(b, m->times);
        pl_put32(b, (uint32_t)m->promoted);
        pl_put64(b, (uint64_t)m->cost);
        const char *s[8] = {m->member, m->source_id, m->badge, m->leaderboard, m->tier_from, m->tier_to, m->reward, m->to};
        for (int k = 0; k < 8; k++) put_nstr(b, s[k]);
        if (m->kind == PLAUDIT_MOMENT_REVOKE || (m->kind == PLAUDIT_MOMENT_POINTS && m->source == PLAUDIT_SOURCE_REVOKE)) {
            /* format 2: what a revoke reversed */
            pl_put64(b, (uint64_t)m->balance);
            pl_put32(b, (uint32_t)m->revoked_type);
            pl_put64(b, (uint64_t)m->revoked_ts);
            put_nstr(b, m->revoked_event);
            put_nstr(b, m->revoked_ref);
        }
    }
}

static int snap_bad(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: outbox: %s", what);
}

int pl_outbox_snap_load(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    if (n < 16) return snap_bad(ctx, "header");
    ctx->moment_seq = pl_rd64(p);
    uint64_t cnt = pl_rd64(p + 8);
    size_t off = 16;
    pl_outbox *o = ctx->obx;
    if (cnt > (n - off) / 60) return snap_bad(ctx, "count");
    if (o && cnt && reserve(ctx, o, (size_t)cnt)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    uint64_t prev = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (n - off < 44) return snap_bad(ctx, "moment");
        plaudit_moment m;
        memset(&m, 0, sizeof m);
        m.seq = pl_rd64(p + off);
        m.kind = (plaudit_moment_kind)pl_rd32(p + off + 8);
        m.ts = (int64_t)pl_rd64(p + off + 12);
        m.points = (int64_t)pl_rd64(p + off + 20);
        m.source = (plaudit_source)pl_rd32(p + off + 28);
        m.level = pl_rd32(p + off + 32);
        m.times = pl_rd32(p + off + 36);
        m.promoted = (int)pl_rd32(p + off + 40);
        if (n - off < 52) return snap_bad(ctx, "moment");
        m.cost = (int64_t)pl_rd64(p + off + 44);
        off += 52;
        if (m.seq <= prev || m.seq > ctx->moment_seq || (unsigned)m.kind > PLAUDIT_MOMENT_REVOKE ||
            (unsigned)m.source > PLAUDIT_SOURCE_REVOKE)
            return snap_bad(ctx, "moment");
        prev = m.seq;
        /* The strings, copied into one block the moment owns. */
        size_t at = off, total = 0;
        uint16_t len[N_STRS];
        int revoke = m.kind == PLAUDIT_MOMENT_REVOKE || (m.kind == PLAUDIT_MOMENT_POINTS && m.source == PLAUDIT_SOURCE_REVOKE);
        size_t at2 = 0;
        for (int k = 0; k < N_STRS; k++) {
            len[k] = UINT16_MAX;
            if (k == 8) {
                if (!revoke) break;
                if (n - off < 20) return snap_bad(ctx, "revoke");
                m.balance = (int64_t)pl_rd64(p + off);
                m.revoked_type = (plaudit_event_type)pl_rd32(p + off + 8);
                m.revoked_ts = (int64_t)pl_rd64(p + off + 12);
                off += 20;
                at2 = off;
            }
            if (n - off < 2) return snap_bad(ctx, "string");
            len[k] = pl_rd16(p + off);
            off += 2;
            if (len[k] == UINT16_MAX) continue;
            if (n - off < len[k] || memchr(p + off, 0, len[k])) return snap_bad(ctx, "string");
            off += len[k];
            total += (size_t)len[k] + 1;
        }
        if (!o || m.seq <= o->acked) continue;
        char *own = total ? pl_malloc(&ctx->alloc, total) : NULL;
        if (total && !own) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        const char **dst[N_STRS];
        strs_of(&m, dst);
        char *q = own;
        for (int k = 0; k < N_STRS; k++) {
            if (k == 8) {
                if (!revoke) break;
                at = at2;
            }
            at += 2;
            if (len[k] == UINT16_MAX) continue;
            memcpy(q, p + at, len[k]);
            q[len[k]] = '\0';
            *dst[k] = q;
            q += len[k] + 1;
            at += len[k];
        }
        m.redelivered = 1;
        o->q[o->len] = m;
        pl_own w = {own, total};
        o->own[o->len++] = w;
        o->own_bytes += total;
    }
    if (off != n) return snap_bad(ctx, "length");
    return PLAUDIT_OK;
}
