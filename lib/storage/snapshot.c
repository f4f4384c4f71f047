/* snapshot.c - snapshots: the program fingerprint, encoding every piece of
 * state the digest covers (plus the statistics) field by field in
 * little-endian, checking a snapshot's header and checksums, loading it
 * (leaderboard indexes rebuilt from the slots), and resetting a context to
 * the empty state when a recovery fails.  Format: docs/storage-format.md. */
#include <stdio.h>

#include "internal.h"

#define SNAP_MAGIC "PLDTSNAP"
#define SNAP_VERSION 1
/* Version 2: a program event set the program in force; its document and
 * the retired badges follow the fingerprint (docs/storage-format.md). */
#define SNAP_VERSION_PROGRAM 2
#define SNAP_HDR 32

/* ---- program fingerprint ---------------------------------------------- */

static void fp_str(pl_buf *b, const char *s)
{
    if (!s) {
        pl_put32(b, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    pl_put32(b, (uint32_t)n);
    pl_buf_put(b, s, n);
}

/* The rules of format 2 (benefits are display only). */
static void fp_v2(const plaudit_ctx *ctx, pl_buf *b)
{
    fp_str(b, "v2");
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *lb = ctx->boards[i];
        pl_put32(b, (uint32_t)lb->by_team);
        pl_put64(b, (uint64_t)lb->from);
        pl_put64(b, (uint64_t)lb->until);
    }
    for (size_t i = 0; i < ctx->n_badges; i++) {
        const pl_badge *g = ctx->badges[i];
        pl_put64(b, (uint64_t)g->from);
        pl_put64(b, (uint64_t)g->until);
        pl_put32(b, g->n_sub);
        for (uint32_t j = 0; j < g->n_sub; j++) {
            const pl_badge *s = &g->sub[j];
            pl_put32(b, (uint32_t)s->kind);
            pl_put32(b, (uint32_t)s->action);
            pl_put32(b, (uint32_t)s->within);
            pl_put32(b, (uint32_t)s->per);
            pl_put32(b, (uint32_t)s->tier);
            pl_put64(b, (uint64_t)s->thr[0]);
        }
    }
    pl_put32(b, (uint32_t)ctx->n_campaigns);
    for (size_t i = 0; i < ctx->n_campaigns; i++) {
        const pl_campaign *c = ctx->campaigns[i];
        fp_str(b, c->id);
        pl_put64(b, (uint64_t)c->from);
        pl_put64(b, (uint64_t)c->until);
        pl_put64(b, (uint64_t)c->percent);
        pl_put32(b, (uint32_t)c->n_actions);
        for (size_t j = 0; j < c->n_actions; j++) pl_put32(b, c->actions[j]);
    }
}

/* FNV-1a, 64 bits, over a canonical little-endian encoding of every rule's
 * id and values (names, descriptions and images are display only). */
uint64_t pl_program_fingerprint(plaudit_ctx *ctx, int *oom)
{
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    fp_str(&b, "plaudit.program.fp/1");
    /* Format 1 programs keep the fingerprint they always had. */
    if (ctx->format != 1) pl_put32(&b, (uint32_t)ctx->format);
    fp_str(&b, ctx->tzname);
    pl_put32(&b, (uint32_t)ctx->utc_offset_min);
    /* Another window releases at other points: a retroactive replay. */
    if (ctx->reorder_window_s) pl_put64(&b, (uint64_t)ctx->reorder_window_s);
    pl_put32(&b, (uint32_t)ctx->n_actions);
    for (size_t i = 0; i < ctx->n_actions; i++) {
        const pl_action *a = ctx->actions[i];
        fp_str(&b, a->id);
        pl_put64(&b, (uint64_t)a->points);
        pl_put32(&b, (uint32_t)a->once);
        pl_put64(&b, (uint64_t)a->cooldown_s);
        pl_put64(&b, (uint64_t)a->cap_points);
        pl_put64(&b, (uint64_t)a->cap_count);
        pl_put32(&b, (uint32_t)a->cap_per);
    }
    pl_put32(&b, (uint32_t)ctx->n_tiers);
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        const pl_tier *t = ctx->tiers[i];
        fp_str(&b, t->id);
        pl_put64(&b, (uint64_t)t->min_points);
        pl_put64(&b, (uint64_t)t->min_distinct);
        pl_put64(&b, (uint64_t)t->min_tenure_days);
        pl_put32(&b, (uint32_t)t->lifetime);
        pl_put32(&b, (uint32_t)t->window);
    }
    pl_put32(&b, (uint32_t)ctx->n_segments);
    for (size_t i = 0; i < ctx->n_segments; i++) {
        const pl_segment *g = ctx->segments[i];
        fp_str(&b, g->id);
        pl_put32(&b, (uint32_t)g->n);
        for (size_t j = 0; j < g->n; j++) {
            pl_put32(&b, g->actions[j]);
            pl_put64(&b, (uint64_t)g->weights[j]);
        }
    }
    pl_put32(&b, (uint32_t)ctx->n_boards);
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *lb = ctx->boards[i];
        fp_str(&b, lb->id);
        pl_put32(&b, (uint32_t)lb->period);
        pl_put32(&b, (uint32_t)lb->segment);
        pl_put64(&b, (uint64_t)lb->size);
    }
    pl_put32(&b, (uint32_t)ctx->n_badges);
    for (size_t i = 0; i < ctx->n_badges; i++) {
        const pl_badge *g = ctx->badges[i];
        fp_str(&b, g->id);
        pl_put32(&b, (uint32_t)g->kind);
        pl_put32(&b, (uint32_t)g->action);
        pl_put32(&b, (uint32_t)g->within);
        pl_put32(&b, (uint32_t)g->per);
        pl_put32(&b, g->n_thr);
        for (uint32_t j = 0; j < g->n_thr; j++) pl_put64(&b, (uint64_t)g->thr[j]);
        pl_put32(&b, (uint32_t)g->tier);
        pl_put32(&b, (uint32_t)g->board);
        pl_put64(&b, (uint64_t)g->top);
        pl_put64(&b, (uint64_t)g->bonus);
        pl_put32(&b, (uint32_t)g->hidden);
        pl_put32(&b, (uint32_t)g->repeatable);
    }
    const pl_kudos *k = &ctx->kudos;
    pl_put32(&b, (uint32_t)k->declared);
    pl_put64(&b, (uint64_t)k->points);
    pl_put64(&b, (uint64_t)k->cap_points);
    pl_put64(&b, (uint64_t)k->cap_count);
    pl_put32(&b, (uint32_t)k->cap_per);
    pl_put64(&b, (uint64_t)k->give_cap);
    pl_put32(&b, (uint32_t)k->give_per);
    pl_put32(&b, (uint32_t)ctx->n_rewards);
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        const pl_reward *r = ctx->rewards[i];
        fp_str(&b, r->id);
        pl_put64(&b, (uint64_t)r->cost);
        pl_put64(&b, (uint64_t)r->stock0);
    }
    if (ctx->format != 1) fp_v2(ctx, &b);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < b.len; i++) h = (h ^ (unsigned char)b.p[i]) * 0x100000001b3ULL;
    *oom = b.oom;
    pl_buf_free(&b);
    return h;
}

/* ---- encoding ------------------------------------------------------------ */

/* Tagged sections after the idempotency keys: u32 tag, u64 length, body.
 * A format 1 program without an outbox writes none (its snapshots are
 * those of version 1). */
#define SEC_WINDOW 0x57444e57u /* "WNDW": the reorder window (reorder.c) */
#define SEC_OUTBOX 0x58424f4du /* "MOBX": moment numbers, outbox (outbox.c) */
#define SEC_TEAMS 0x4d414554u  /* "TEAM": teams, members' teams, frozen seasons */
#define SEC_REVOKE 0x4b565652u /* "RVVK": remembered events, refs (revoke.c) */
#define SEC_GEN 0x4e454750u    /* "PGEN": program generations, points times */
#define SEC_HISTORY 0x54534948u /* "HIST": the points history (history.c) */

static void revoke_encode(plaudit_ctx *ctx, pl_buf *b) { pl_revoke_encode(ctx, b); }
static void history_encode(plaudit_ctx *ctx, pl_buf *b) { pl_history_encode(ctx, b); }

static void section(plaudit_ctx *ctx, pl_buf *b, uint32_t tag, void (*fn)(plaudit_ctx *, pl_buf *))
{
    size_t at = b->len;
    pl_put32(b, tag);
    pl_put64(b, 0);
    fn(ctx, b);
    if (!b->oom) pl_le64((unsigned char *)b->p + at + 4, (uint64_t)(b->len - at - 12));
}

/* The format 2 section (team.c): each board's frozen flag, each member's
 * team (in member order) and the teams. */
static void v2_encode(plaudit_ctx *ctx, pl_buf *b)
{
    for (size_t i = 0; i < ctx->n_boards; i++) pl_put32(b, (uint32_t)ctx->boards[i]->frozen);
    for (size_t i = 0; i < ctx->n_members; i++) pl_put32(b, (uint32_t)ctx->mv[i]->st.team);
    pl_teams_encode(ctx, b);
}

/* Format 2: u32 program generation; u32 B and each board's generation;
 * u32 T and each tracker's (T = 0: all 0); u64 M and per member the time
 * of its last change of points (i64) and its lifetime tier set (u32). */
static void gen_encode(plaudit_ctx *ctx, pl_buf *b)
{
    pl_put32(b, ctx->prog_gen);
    pl_put32(b, (uint32_t)ctx->n_boards);
    for (size_t i = 0; i < ctx->n_boards; i++) pl_put32(b, ctx->boards[i]->gen);
    uint32_t nt = ctx->trk_gen ? ctx->lay.n_trk : 0;
    pl_put32(b, nt);
    for (uint32_t i = 0; i < nt; i++) pl_put32(b, ctx->trk_gen[i]);
    pl_put64(b, ctx->n_members);
    for (size_t i = 0; i < ctx->n_members; i++) {
        pl_put64(b, (uint64_t)ctx->mv[i]->st.pts_ts);
        pl_put32(b, ctx->mv[i]->st.lifetime_set);
    }
}

static int gen_load(plaudit_ctx *ctx, const unsigned char *p, size_t n);

/* The program a program event set: its document, then the badges kept
 * only because members earned them. */
static void put_program(const plaudit_ctx *ctx, pl_buf *b, const char *doc, size_t n)
{
    pl_put32(b, ctx->program_doc ? 1u : 0u); /* 1: a program event set it */
    pl_put32(b, (uint32_t)n);
    pl_buf_put(b, doc, n);
    pl_put32(b, (uint32_t)ctx->n_retired);
    for (size_t i = pl_live_badges(ctx); i < ctx->n_badges; i++) {
        const pl_badge *g = ctx->badges[i];
        fp_str(b, g->id);
        fp_str(b, g->name);
        pl_put32(b, (uint32_t)g->kind);
        pl_put32(b, (uint32_t)g->within);
        pl_put32(b, (uint32_t)g->per);
        pl_put32(b, (uint32_t)g->hidden);
        pl_put32(b, (uint32_t)g->repeatable);
        pl_put32(b, g->n_thr);
        for (uint32_t j = 0; j < g->n_thr; j++) pl_put64(b, (uint64_t)g->thr[j]);
    }
}

/* Little-endian stores at a cursor the caller made room for. */
static inline unsigned char *w16(unsigned char *p, uint16_t v) { pl_le16(p, v); return p + 2; }
static inline unsigned char *w32(unsigned char *p, uint32_t v) { pl_le32(p, v); return p + 4; }
static inline unsigned char *w64(unsigned char *p, uint64_t v) { pl_le64(p, v); return p + 8; }

/* Bytes of a member's record between its id and its badges: the header
 * (6 x 64-bit, 6 x 32-bit fields), the tail (counts, cooldowns, trackers,
 * slots) and the badge count. */
static size_t member_fixed_size(const plaudit_ctx *ctx)
{
    return 6 * 8 + 6 * 4 + 4 * ctx->n_actions + 8 * (size_t)ctx->lay.n_cd + 16 * (size_t)ctx->lay.n_trk +
           24 * ctx->n_boards + 4;
}

/* One member of the body (see docs/storage-format.md), written with one
 * reservation: a snapshot is a million of these. */
static void put_member(const plaudit_ctx *ctx, pl_buf *b, const pl_member *m)
{
    const pl_mstate *st = &m->st;
    size_t size = 2 + (size_t)m->idlen + member_fixed_size(ctx);
    for (uint32_t j = 0; j < st->n_badges; j++) {
        const pl_earned *e = &st->badges[j];
        size += 4 * 3 + 8 * 2 + 4 + (e->at ? 8 * (size_t)e->n : 0);
    }
    if (pl_buf_reserve(b, size)) return;
    unsigned char *p = (unsigned char *)b->p + b->len, *start = p;
    p = w16(p, (uint16_t)m->idlen);
    memcpy(p, m->id, m->idlen);
    p += m->idlen;
    p = w64(p, (uint64_t)st->joined);
    p = w64(p, (uint64_t)st->last_ts);
    p = w64(p, (uint64_t)st->points);
    p = w64(p, (uint64_t)st->balance);
    p = w64(p, st->kudos_given);
    p = w64(p, st->kudos_received);
    p = w32(p, (uint32_t)st->tier);
    p = w32(p, (uint32_t)st->lifetime_tier);
    p = w32(p, (uint32_t)st->segment);
    p = w32(p, (uint32_t)st->pin);
    p = w32(p, st->distinct);
    p = w32(p, st->flags);
    const uint32_t *counts = PL_CCOUNTS(ctx, m);
    for (size_t j = 0; j < ctx->n_actions; j++) p = w32(p, counts[j]);
    const int64_t *cd = PL_CCD(ctx, m);
    for (uint32_t j = 0; j < ctx->lay.n_cd; j++) p = w64(p, (uint64_t)cd[j]);
    const pl_trk *trk = PL_CTRK(ctx, m);
    for (uint32_t j = 0; j < ctx->lay.n_trk; j++) {
        p = w32(p, trk[j].period);
        p = w32(p, trk[j].aux);
        p = w64(p, (uint64_t)trk[j].value);
    }
    const pl_slot *sl = PL_CSLOTS(ctx, m);
    for (size_t j = 0; j < ctx->n_boards; j++) {
        p = w64(p, (uint64_t)sl[j].score);
        p = w64(p, (uint64_t)sl[j].ts);
        p = w32(p, sl[j].period);
        p = w32(p, sl[j].ranked);
    }
    p = w32(p, st->n_badges);
    for (uint32_t j = 0; j < st->n_badges; j++) {
        const pl_earned *e = &st->badges[j];
        p = w32(p, e->badge);
        p = w32(p, e->n);
        p = w32(p, e->period);
        p = w64(p, (uint64_t)e->first_ts);
        p = w64(p, (uint64_t)e->last_ts);
        /* when each level / time was earned, once there are several */
        uint32_t n_at = e->at ? e->n : 0;
        p = w32(p, n_at);
        for (uint32_t k = 0; k < n_at; k++) p = w64(p, (uint64_t)e->at[k]);
    }
    assert((size_t)(p - start) == size);
    (void)start;
    b->len += size;
    b->p[b->len] = '\0';
}

int pl_snapshot_encode(plaudit_ctx *ctx, uint64_t seq, pl_buf *b)
{
    int oom = 0;
    /* The fingerprint of the program the context was given: program
     * events are part of the state. */
    uint64_t fp = ctx->store ? ctx->store->base_fp : pl_program_fingerprint(ctx, &oom);
    if (oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a snapshot");
    b->len = 0;
    b->oom = 0;
    unsigned char hdr[SNAP_HDR] = {0};
    pl_buf_put(b, hdr, sizeof hdr);
    pl_put64(b, seq);
    pl_put64(b, fp);
    /* The program in force, so that a retroactive replay can tell what it
     * changed (the document of the given program is its export; without
     * JSON support only a program event's document is there). */
    char *exported = NULL;
    size_t doc_len = 0;
    if (!ctx->program_doc) {
        int rc = plaudit_program_export_json(ctx, &exported, &doc_len);
        if (rc == PLAUDIT_ENOMEM) return rc;
        if (rc) exported = NULL;
    }
    const char *doc = ctx->program_doc ? ctx->program_doc : exported;
    if (doc) put_program(ctx, b, doc, ctx->program_doc ? strlen(doc) : doc_len);
    pl_free(&ctx->alloc, exported);
    pl_put32(b, (uint32_t)ctx->n_actions);
    pl_put32(b, ctx->lay.n_cd);
    pl_put32(b, ctx->lay.n_trk);
    pl_put32(b, (uint32_t)ctx->n_boards);
    pl_put32(b, (uint32_t)ctx->n_rewards);
    pl_put32(b, (uint32_t)ctx->n_badges);
    pl_put64(b, (uint64_t)ctx->clock);
    pl_put64(b, (uint64_t)ctx->tick_ts);
    pl_put64(b, ctx->tick_members);
    pl_put64(b, ctx->accepted);
    pl_put64(b, ctx->duplicates);
    pl_put64(b, ctx->rejected);
    for (size_t i = 0; i < ctx->n_boards; i++) pl_put32(b, ctx->boards[i]->cur);
    for (size_t i = 0; i < ctx->n_rewards; i++) pl_put64(b, (uint64_t)ctx->rewards[i]->stock);
    pl_put64(b, ctx->n_members);
    for (size_t i = 0; i < ctx->n_members && !b->oom; i++) {
        put_member(ctx, b, ctx->mv[i]);
    }
    uint64_t n_keys = 0;
    for (const pl_key *k = ctx->key_h; k; k = k->hh.next) n_keys++;
    pl_put64(b, n_keys);
    for (const pl_key *k = ctx->key_h; k && !b->oom; k = k->hh.next) {
        pl_put16(b, (uint16_t)k->len);
        pl_buf_put(b, k->key, k->len);
        pl_put64(b, k->content);
        pl_put64(b, (uint64_t)k->clock);
    }
    if (ctx->reorder_window_s > 0) section(ctx, b, SEC_WINDOW, pl_window_snap_encode);
    if (ctx->format >= 2 || ctx->obx) section(ctx, b, SEC_OUTBOX, pl_outbox_snap_encode);
    if (ctx->teams) section(ctx, b, SEC_TEAMS, v2_encode);
    /* after the teams: remembered events name them */
    if (pl_revoke_any(ctx)) section(ctx, b, SEC_REVOKE, revoke_encode);
    if (ctx->format >= 2 || ctx->prog_gen) section(ctx, b, SEC_GEN, gen_encode);
    /* only with the history option: no section otherwise */
    if (pl_history_any(ctx)) section(ctx, b, SEC_HISTORY, history_encode);
    if (b->oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a snapshot");
    unsigned char *h = (unsigned char *)b->p;
    size_t body = b->len - SNAP_HDR;
    memcpy(h, SNAP_MAGIC, 8);
    pl_le32(h + 8, doc ? SNAP_VERSION_PROGRAM : SNAP_VERSION);
    pl_le32(h + 12, 0);
    pl_le64(h + 16, body);
    pl_le32(h + 24, plaudit_crc32c(0, h + SNAP_HDR, body));
    pl_le32(h + 28, plaudit_crc32c(0, h, 28));
    return PLAUDIT_OK;
}

/* ---- checking and loading ------------------------------------------------- */

int pl_snapshot_header(plaudit_ctx *ctx, const void *data, size_t len, uint64_t *total)
{
    const unsigned char *h = data;
    if (len < SNAP_HDR || memcmp(h, SNAP_MAGIC, 8) != 0)
        return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: bad magic or shorter than its header");
    if (plaudit_crc32c(0, h, 28) != pl_rd32(h + 28))
        return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: header fails its checksum");
    if (pl_rd32(h + 8) != SNAP_VERSION && pl_rd32(h + 8) != SNAP_VERSION_PROGRAM)
        return pl_err(ctx, PLAUDIT_EVERSION, "snapshot has format version %u (this library reads %d and %d)",
                      pl_rd32(h + 8), SNAP_VERSION, SNAP_VERSION_PROGRAM);
    uint64_t body = pl_rd64(h + 16);
    if (body > UINT64_MAX - SNAP_HDR) return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: body length");
    *total = body + SNAP_HDR;
    return PLAUDIT_OK;
}

int pl_snapshot_check(plaudit_ctx *ctx, const void *data, size_t len, uint64_t *seq, uint64_t *fingerprint)
{
    const unsigned char *h = data;
    uint64_t total;
    int rc = pl_snapshot_header(ctx, data, len, &total);
    if (rc) return rc;
    uint64_t body = pl_rd64(h + 16);
    if (body != len - SNAP_HDR || body < 16)
        return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: %zu bytes, the header says %llu", len,
                      (unsigned long long)(body + SNAP_HDR));
    if (plaudit_crc32c(0, h + SNAP_HDR, (size_t)body) != pl_rd32(h + 24))
        return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: body fails its checksum");
    *seq = pl_rd64(h + SNAP_HDR);
    *fingerprint = pl_rd64(h + SNAP_HDR + 8);
    return PLAUDIT_OK;
}

void pl_state_reset(plaudit_ctx *ctx)
{
    PL_UH(&ctx->alloc);
    pl_key *k, *ktmp;
    HASH_ITER(hh, ctx->key_h, k, ktmp) {
        HASH_DELETE(hh, ctx->key_h, k);
        pl_free(&ctx->alloc, k);
    }
    pl_revoke_reset(ctx);
    pl_bupd_drop(ctx);
    pl_member_index_clear(ctx);
    for (size_t i = 0; i < ctx->n_members; i++) pl_member_free(ctx, ctx->mv[i]);
    ctx->n_members = 0;
    ctx->clock = ctx->tick_ts = -1;
    ctx->tick_members = 0;
    ctx->prog_gen = 0;
    pl_free(&ctx->alloc, ctx->trk_gen);
    ctx->trk_gen = NULL;
    ctx->accepted = ctx->duplicates = ctx->rejected = 0;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        ctx->boards[i]->cur = 0;
        ctx->boards[i]->frozen = 0;
        ctx->boards[i]->gen = 0;
        if (ctx->boards[i]->rank) pl_rank_clear(ctx->boards[i]->rank);
    }
    pl_teams_reset(ctx);
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        ctx->rewards[i]->stock = ctx->rewards[i]->stock0;
        ctx->rewards[i]->stock_gen = 0;
    }
    ctx->n_moments = ctx->n_badge_moments = ctx->n_tier_moments = 0;
    pl_window_reset(ctx);
    pl_outbox_reset(ctx);
    pl_history_reset(ctx);
}

typedef struct rd {
    const unsigned char *p;
    size_t n, off;
    int short_;
} rd;

static const unsigned char *take(rd *r, size_t n)
{
    if (r->short_ || r->n - r->off < n) {
        r->short_ = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->off;
    r->off += n;
    return p;
}
static uint32_t g32(rd *r)
{
    const unsigned char *p = take(r, 4);
    return p ? pl_rd32(p) : 0;
}
static uint64_t g64(rd *r)
{
    const unsigned char *p = take(r, 8);
    return p ? pl_rd64(p) : 0;
}
/* Reads inside a piece already taken whole. */
static inline uint32_t q32(const unsigned char **q)
{
    uint32_t v = pl_rd32(*q);
    *q += 4;
    return v;
}
static inline uint64_t q64(const unsigned char **q)
{
    uint64_t v = pl_rd64(*q);
    *q += 8;
    return v;
}

static uint16_t g16(rd *r)
{
    const unsigned char *p = take(r, 2);
    return p ? pl_rd16(p) : 0;
}

static int bad(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot does not fit the program: %s", what);
}

static int ts_ok(int64_t t) { return t >= 0 && t <= PLAUDIT_MAX_TS; }
static int in_range(int32_t v, size_t n) { return v >= -1 && (v < 0 || (size_t)v < n); }

/* A string of fp_str (UINT32_MAX: NULL) into *out (allocated). */
static int get_str(plaudit_ctx *ctx, rd *r, size_t max, char **out)
{
    *out = NULL;
    uint32_t n = g32(r);
    if (n == UINT32_MAX) return PLAUDIT_OK;
    const unsigned char *p = n <= max ? take(r, n) : NULL;
    if (!p || memchr(p, 0, n)) return bad(ctx, "program string");
    if (!(*out = pl_malloc(&ctx->alloc, (size_t)n + 1))) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    memcpy(*out, p, n);
    (*out)[n] = '\0';
    return PLAUDIT_OK;
}

/* The program section of a version 2 snapshot: adopt it. */
static int load_program(plaudit_ctx *ctx, rd *r, int force)
{
    uint32_t set = g32(r);
    uint32_t n = g32(r);
    const unsigned char *doc = n <= ctx->max_program ? take(r, n) : NULL;
    if (!doc) return bad(ctx, "program document");
    uint32_t nr = g32(r);
    if (r->short_ || nr > ctx->max_rules * 64u || nr > (r->n - r->off) / 32) return bad(ctx, "retired badges");
    pl_badge *gs = pl_malloc(&ctx->alloc, sizeof *gs * (nr ? nr : 1));
    const pl_badge **ptr = pl_malloc(&ctx->alloc, sizeof *ptr * (nr ? nr : 1));
    int rc = gs && ptr ? PLAUDIT_OK : pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    if (gs) memset(gs, 0, sizeof *gs * (nr ? nr : 1));
    uint32_t done = 0;
    for (; done < nr && !rc; done++) {
        pl_badge *g = &gs[done];
        ptr[done] = g;
        if ((rc = get_str(ctx, r, PL_ID_MAX, &g->id)) || (rc = get_str(ctx, r, PL_NAME_MAX, &g->name))) break;
        g->kind = (plaudit_criterion)g32(r);
        g->within = (plaudit_period)g32(r);
        g->per = (plaudit_period)g32(r);
        g->hidden = (int)g32(r);
        g->repeatable = (int)g32(r);
        g->n_thr = g32(r);
        if (!g->id || r->short_ || g->n_thr > PLAUDIT_MAX_LEVELS) {
            rc = bad(ctx, "retired badge");
            break;
        }
        if (g->n_thr && !(g->thr = pl_malloc(&ctx->alloc, sizeof *g->thr * g->n_thr))) {
            rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            break;
        }
        for (uint32_t j = 0; j < g->n_thr; j++) g->thr[j] = (int64_t)g64(r);
    }
    if (!rc && r->short_) rc = bad(ctx, "retired badges");
    if (!rc && set > 1) rc = bad(ctx, "program flag");
    /* The given program is the context's already (the fingerprints
     * matched); a shadow of the old state (force) loads it. */
    if (!rc && (set || force)) rc = pl_program_adopt(ctx, (const char *)doc, n, ptr, nr);
    for (uint32_t i = 0; gs && i < nr; i++) {
        pl_free(&ctx->alloc, gs[i].id);
        pl_free(&ctx->alloc, gs[i].name);
        pl_free(&ctx->alloc, gs[i].thr);
    }
    pl_free(&ctx->alloc, gs);
    pl_free(&ctx->alloc, ptr);
    return rc;
}

static int v2_load(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    rd r0 = {p, n, 0, 0}, *r = &r0;
    if (!ctx->teams && pl_teams_setup(ctx)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    for (size_t i = 0; i < ctx->n_boards; i++) {
        uint32_t f = g32(r);
        if (f > 1 || (f && ctx->boards[i]->until == PLAUDIT_UNSET)) return bad(ctx, "frozen flag");
        ctx->boards[i]->frozen = (int)f;
    }
    for (size_t i = 0; i < ctx->n_members; i++) ctx->mv[i]->st.team = (int32_t)g32(r);
    if (r->short_) return bad(ctx, "teams section");
    size_t used = 0;
    int trc = pl_teams_decode(ctx, p + r->off, n - r->off, &used);
    if (trc == PLAUDIT_ENOMEM) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    if (trc || r->off + used != n) return bad(ctx, "teams");
    for (size_t i = 0; i < ctx->n_members; i++)
        if (!in_range(ctx->mv[i]->st.team, plaudit_team_count(ctx))) return bad(ctx, "member team");
    return PLAUDIT_OK;
}

static int gen_load(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    rd r0 = {p, n, 0, 0}, *r = &r0;
    uint32_t pg = g32(r);
    if (g32(r) != ctx->n_boards) return bad(ctx, "generations: board count");
    for (size_t i = 0; i < ctx->n_boards; i++) {
        ctx->boards[i]->gen = g32(r);
        if (ctx->boards[i]->gen > pg) return bad(ctx, "board generation");
    }
    uint32_t nt = g32(r);
    if (r->short_ || (nt && nt != ctx->lay.n_trk)) return bad(ctx, "generations: tracker count");
    if (nt) {
        uint32_t *g = pl_malloc(&ctx->alloc, sizeof *g * nt);
        if (!g) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        pl_free(&ctx->alloc, ctx->trk_gen);
        ctx->trk_gen = g;
        for (uint32_t i = 0; i < nt; i++)
            if ((g[i] = g32(r)) > pg) return bad(ctx, "tracker generation");
    }
    if (g64(r) != ctx->n_members) return bad(ctx, "generations: member count");
    for (size_t i = 0; i < ctx->n_members; i++) {
        pl_mstate *st = &ctx->mv[i]->st;
        st->pts_ts = (int64_t)g64(r);
        st->lifetime_set = g32(r);
        if (!ts_ok(st->pts_ts) || st->pts_ts < st->joined || st->pts_ts > ctx->clock)
            return bad(ctx, "member points time");
        if (ctx->n_tiers < 32 && (st->lifetime_set >> ctx->n_tiers)) return bad(ctx, "member lifetime tiers");
    }
    if (r->short_ || r->off != n) return bad(ctx, "generations section");
    ctx->prog_gen = pg;
    return PLAUDIT_OK;
}

/* The members of a snapshot (after their count): index, header, tail,
 * earned badges.  scratch holds a tail, its padding zero. */
static int load_members(plaudit_ctx *ctx, rd *r, uint64_t nm, char *scratch)
{
    const size_t fixed = member_fixed_size(ctx);
    char id[PL_MEMBER_ID_MAX + 1];
    unsigned next_hv = 0;
    int have_next = 0;
    for (uint64_t i = 0; i < nm; i++) {
        uint16_t idlen = g16(r);
        const unsigned char *idp = take(r, idlen);
        if (!idp || idlen == 0 || idlen > PL_MEMBER_ID_MAX || memchr(idp, 0, idlen)) return bad(ctx, "member id");
        memcpy(id, idp, idlen);
        id[idlen] = '\0';
        /* One hash of the id for the duplicate check and the insertion,
         * computed (and its index slot started) while the member before
         * was decoded; the member is indexed once decoded, so that the
         * next one's slot has the time to arrive.  Until then it is only
         * in mv, from where a failure frees it (pl_state_reset). */
        unsigned hv;
        if (have_next) hv = next_hv;
        else HASH_VALUE(id, idlen, hv);
        pl_member *m = NULL;
        if (pl_member_alloc(ctx, id, 0, &m)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        m->idx = (uint32_t)ctx->n_members;
        ctx->mv[ctx->n_members++] = m;
        /* The fixed part (header, tail, badge count) in one piece. */
        const unsigned char *q = take(r, fixed);
        if (!q) return bad(ctx, "member record cut short");
        pl_mstate *st = &m->st;
        st->joined = (int64_t)q64(&q);
        st->last_ts = (int64_t)q64(&q);
        st->pts_ts = st->last_ts; /* a snapshot without the PGEN section */
        st->points = (int64_t)q64(&q);
        st->balance = (int64_t)q64(&q);
        st->kudos_given = q64(&q);
        st->kudos_received = q64(&q);
        st->tier = (int32_t)q32(&q);
        st->lifetime_tier = (int32_t)q32(&q);
        st->segment = (int32_t)q32(&q);
        st->pin = (int32_t)q32(&q);
        st->distinct = q32(&q);
        st->flags = q32(&q);
        /* Times are used in arithmetic (tenure, cooldowns): keep them in
         * the range events can produce. */
        if (!ts_ok(st->joined) || !ts_ok(st->last_ts) || st->joined > st->last_ts || st->points < 0 ||
            st->balance < 0)
            return bad(ctx, "member time or points out of range");
        if (!in_range(st->tier, ctx->n_tiers) || !in_range(st->lifetime_tier, ctx->n_tiers) ||
            !in_range(st->segment, ctx->n_segments) || !in_range(st->pin, ctx->n_segments) ||
            (st->flags & ~PL_MF_ALL))
            return bad(ctx, "member field out of range");
        /* The tail is read into the scratch buffer and copied into one of
         * the member's own unless it equals the template (a member who
         * only joined). */
        uint32_t *counts = (uint32_t *)(void *)(scratch + ctx->lay.off_counts);
        for (size_t j = 0; j < ctx->n_actions; j++) counts[j] = q32(&q);
        int64_t *cd = (int64_t *)(void *)(scratch + ctx->lay.off_cd);
        for (uint32_t j = 0; j < ctx->lay.n_cd; j++) {
            cd[j] = (int64_t)q64(&q);
            if (cd[j] != INT64_MIN && !ts_ok(cd[j])) return bad(ctx, "cooldown time out of range");
        }
        pl_trk *trk = (pl_trk *)(void *)(scratch + ctx->lay.off_trk);
        for (uint32_t j = 0; j < ctx->lay.n_trk; j++) {
            trk[j].period = q32(&q);
            trk[j].aux = q32(&q);
            trk[j].value = (int64_t)q64(&q);
        }
        pl_slot *sl = (pl_slot *)(void *)(scratch + ctx->lay.off_slots);
        for (size_t j = 0; j < ctx->n_boards; j++) {
            sl[j].score = (int64_t)q64(&q);
            sl[j].ts = (int64_t)q64(&q);
            sl[j].period = q32(&q);
            sl[j].ranked = q32(&q);
            if (sl[j].ranked > 1) return bad(ctx, "slot flag");
        }
        if (ctx->lay.tail_size && memcmp(scratch, ctx->tail0, ctx->lay.tail_size) != 0) {
            if (pl_member_tail_own(ctx, m)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            memcpy(m->tail, scratch, ctx->lay.tail_size);
        }
        uint32_t nb = q32(&q);
        if (nb > ctx->n_badges) return bad(ctx, "badge count");
        if (nb) {
            st->badges = pl_malloc(&ctx->alloc, sizeof *st->badges * nb);
            if (!st->badges) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            memset(st->badges, 0, sizeof *st->badges * nb);
            st->cap_badges = nb;
        }
        for (uint32_t j = 0; j < nb; j++) {
            pl_earned *e = &st->badges[j];
            e->badge = g32(r);
            e->n = g32(r);
            e->period = g32(r);
            e->first_ts = (int64_t)g64(r);
            e->last_ts = (int64_t)g64(r);
            if (e->badge >= ctx->n_badges || (j && e->badge <= st->badges[j - 1].badge))
                return bad(ctx, "badge list");
            st->n_badges = j + 1;
            uint32_t n_at = g32(r);
            /* n >= 2 comes with its n times (and n bounded by the file's
             * size): the next earning copies them, 8 bytes each. */
            if (r->short_ || e->n == 0 || (e->n >= 2 ? n_at != e->n : n_at != 0) || n_at > (r->n - r->off) / 8)
                return bad(ctx, "badge times");
            if (n_at) {
                e->at = pl_malloc(&ctx->alloc, sizeof *e->at * n_at);
                if (!e->at) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
                e->cap_at = n_at;
                for (uint32_t k = 0; k < n_at; k++) e->at[k] = (int64_t)g64(r);
            }
        }
        if (r->short_) break;
        /* the next member's id: hash it and start its index slot */
        have_next = 0;
        if (i + 1 < nm && r->n - r->off >= 2) {
            uint16_t nl = pl_rd16(r->p + r->off);
            if (nl && nl <= PL_MEMBER_ID_MAX && r->n - r->off - 2 >= nl) {
                HASH_VALUE(r->p + r->off + 2, nl, next_hv);
                pl_member_prefetch_hv(ctx, next_hv);
                have_next = 1;
            }
        }
        /* then index this one, its slot started a member ago */
        if (pl_member_find_hv(ctx, m->id, m->idlen, hv)) return bad(ctx, "member listed twice");
        if (pl_member_index_add_hv(ctx, m, hv)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        if (i == 0) { /* the table exists now: room for the members the file can hold */
            size_t fit = (r->n - r->off) / (2 + 1 + fixed) + 1;
            pl_member_index_reserve(ctx, nm < fit ? (size_t)nm : fit);
        }
    }
    return PLAUDIT_OK;
}

static int load(plaudit_ctx *ctx, rd *r, unsigned version, int force)
{
    PL_UH(&ctx->alloc);
    g64(r); /* seq */
    g64(r); /* fingerprint */
    if (version == SNAP_VERSION_PROGRAM) {
        int rc = load_program(ctx, r, force);
        if (rc) return rc;
    }
    if (g32(r) != ctx->n_actions || g32(r) != ctx->lay.n_cd || g32(r) != ctx->lay.n_trk ||
        g32(r) != ctx->n_boards || g32(r) != ctx->n_rewards || g32(r) != ctx->n_badges)
        return bad(ctx, "rule counts differ");
    ctx->clock = (int64_t)g64(r);
    ctx->tick_ts = (int64_t)g64(r);
    ctx->tick_members = g64(r);
    if ((ctx->clock != -1 && !ts_ok(ctx->clock)) || (ctx->tick_ts != -1 && !ts_ok(ctx->tick_ts)))
        return bad(ctx, "clock out of range");
    ctx->accepted = g64(r);
    ctx->duplicates = g64(r);
    ctx->rejected = g64(r);
    for (size_t i = 0; i < ctx->n_boards; i++) ctx->boards[i]->cur = g32(r);
    for (size_t i = 0; i < ctx->n_rewards; i++) ctx->rewards[i]->stock = (int64_t)g64(r);
    uint64_t nm = g64(r);
    if (r->short_ || nm > (r->n - r->off) / 8) return bad(ctx, "member count out of range");
    if (ctx->tick_members > nm) return bad(ctx, "tick member count out of range");
    if (ctx->max_members && nm > ctx->max_members)
        return pl_err(ctx, PLAUDIT_ESTATE,
                      "recovery: the snapshot holds %llu members, more than the context's max_members=%llu: attach "
                      "with the options the store was written with",
                      (unsigned long long)nm, (unsigned long long)ctx->max_members);
    if (pl_grow(&ctx->alloc, (void **)&ctx->mv, &ctx->cap_members, (size_t)nm ? (size_t)nm : 1, sizeof *ctx->mv))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    /* Members decode their tail into one scratch buffer: only a tail
     * that differs from the template is allocated. */
    char *scratch = pl_malloc(&ctx->alloc, ctx->lay.tail_size ? ctx->lay.tail_size : 1);
    if (!scratch) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    if (ctx->lay.tail_size) memcpy(scratch, ctx->tail0, ctx->lay.tail_size); /* its padding stays zero */
    int mrc = load_members(ctx, r, nm, scratch);
    pl_free(&ctx->alloc, scratch);
    if (mrc) return mrc;
    uint64_t nk = g64(r);
    if (r->short_ || nk > (r->n - r->off) / 18) return bad(ctx, "key count out of range");
    for (uint64_t i = 0; i < nk; i++) {
        uint16_t kl = g16(r);
        const unsigned char *kp = take(r, kl);
        if (!kp || kl == 0 || kl > PL_KEY_MAX || memchr(kp, 0, kl)) return bad(ctx, "idempotency key");
        pl_key *k = pl_malloc(&ctx->alloc, sizeof *k + kl + 1);
        if (!k) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        memset(k, 0, sizeof *k);
        memcpy(k->key, kp, kl);
        k->key[kl] = '\0';
        k->len = kl;
        k->content = g64(r);
        k->clock = (int64_t)g64(r);
        pl_key *dup = NULL;
        HASH_FIND(hh, ctx->key_h, k->key, k->len, dup);
        if (dup) {
            pl_free(&ctx->alloc, k);
            return bad(ctx, "idempotency key listed twice");
        }
        HASH_ADD(hh, ctx->key_h, key, k->len, k);
        if (pl_uh_oom) {
            pl_free(&ctx->alloc, k);
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        }
    }
    while (!r->short_ && r->off < r->n) {
        uint32_t tag = g32(r);
        uint64_t n = g64(r);
        if (r->short_ || n > r->n - r->off) return bad(ctx, "section length");
        const unsigned char *p = take(r, (size_t)n);
        int rc;
        if (tag == SEC_WINDOW && ctx->reorder_window_s > 0) rc = pl_window_snap_load(ctx, p, (size_t)n);
        else if (tag == SEC_OUTBOX) rc = pl_outbox_snap_load(ctx, p, (size_t)n);
        else if (tag == SEC_TEAMS) rc = v2_load(ctx, p, (size_t)n);
        else if (tag == SEC_REVOKE) rc = pl_revoke_decode(ctx, p, (size_t)n);
        else if (tag == SEC_GEN) rc = gen_load(ctx, p, (size_t)n);
        else if (tag == SEC_HISTORY) rc = ctx->hist ? pl_history_decode(ctx, p, (size_t)n) : PLAUDIT_OK;
        else return bad(ctx, "unknown section");
        if (rc) return rc;
    }
    if (r->short_ || r->off != r->n) return bad(ctx, "length of the body");
    /* leaderboard indexes, from the slots */
    for (size_t b = 0; b < ctx->n_boards; b++) {
        pl_board *lb = ctx->boards[b];
        for (size_t i = 0; i < ctx->n_members; i++) {
            pl_member *m = ctx->mv[i];
            const pl_slot *s = &PL_CSLOTS(ctx, m)[b];
            if (!s->ranked || s->period != lb->cur) continue;
            if (pl_rank_insert(lb->rank, s->score, s->ts, m->idx))
                return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory rebuilding leaderboard \"%s\"", lb->id);
        }
    }
    if (pl_teams_reindex(ctx)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory rebuilding the team boards");
    return PLAUDIT_OK;
}

int pl_snapshot_has_program(const void *data) { return pl_rd32((const unsigned char *)data + 8) == SNAP_VERSION_PROGRAM; }

int pl_snapshot_load_as(plaudit_ctx *ctx, const void *data, size_t len, int force)
{
    rd r = {(const unsigned char *)data + SNAP_HDR, len - SNAP_HDR, 0, 0};
    int rc = load(ctx, &r, pl_rd32((const unsigned char *)data + 8), force);
    if (rc) pl_state_reset(ctx);
    return rc;
}

int pl_snapshot_load(plaudit_ctx *ctx, const void *data, size_t len)
{
    rd r = {(const unsigned char *)data + SNAP_HDR, len - SNAP_HDR, 0, 0};
    int rc = load(ctx, &r, pl_rd32((const unsigned char *)data + 8), 0);
    if (rc) pl_state_reset(ctx);
    return rc;
}
