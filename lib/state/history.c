/* history.c - the points history (spec section 8): per member, a ring of
 * its newest entries, each one change of its points or balance with its
 * cause and the event's id and ref.
 *
 * Entries are noted where points or balance change (pl_history_note, in
 * the event's transaction), made durable in memory around the commit
 * like the outbox (stage may fail, publish cannot), and are not part of
 * the state digest.  Rule ids are interned once (they outlive a program
 * event that drops the rule); a giver is its member index; the event's
 * own strings (id, ref, reason, the revoked event's id and ref) are one
 * small block per entry, only when it has any. */
#include "internal.h"

/* Strings of an entry's block, in this order (bit i of the mask). */
enum { HS_ID, HS_REF, HS_REASON, HS_RID, HS_RREF, HS_N };

typedef struct pl_hent {
    int64_t ts;
    int64_t points, balance;
    uint32_t w;               /* cause (bits 0-3), event type (4-7), string
                                 mask (8-12) */
    uint32_t name;            /* interned rule id + 1 (action, bonus,
                                 redeem), giver's member index + 1 (kudos),
                                 0: none */
    char *strs;               /* the strings of the mask, each NUL-ended */
} pl_hent;

typedef struct pl_hring {
    uint64_t total;           /* entries ever: the newest seq */
    uint32_t head, len, cap;  /* oldest at e[head] */
    uint32_t pend;            /* notes staged for this member */
    pl_hent *e;
} pl_hring;

typedef struct pl_hname {
    UT_hash_handle hh;
    uint32_t idx, len;
    char s[];
} pl_hname;

typedef struct pl_hnote {
    uint32_t member;
    plaudit_source src;
    int64_t points, balance;
    const char *src_id, *rref;
    pl_hent ent;              /* built by stage */
} pl_hnote;

typedef struct pl_history {
    uint64_t limit;           /* per member (UINT32_MAX and above: all) */
    pl_hring *rings;          /* by member index */
    size_t n_rings, cap_rings;
    pl_hname *name_h;
    pl_hname **names;
    size_t n_names, cap_names;
    pl_hnote *notes;
    size_t n_notes, cap_notes;
} pl_history;

static uint32_t cap_limit(const pl_history *h) { return h->limit >= UINT32_MAX ? UINT32_MAX : (uint32_t)h->limit; }

int pl_history_init(plaudit_ctx *ctx, size_t per_member)
{
    pl_history *h = pl_malloc(&ctx->alloc, sizeof *h);
    if (!h) return PLAUDIT_ENOMEM;
    memset(h, 0, sizeof *h);
    h->limit = per_member;
    ctx->hist = h;
    return PLAUDIT_OK;
}

static void ent_free(plaudit_ctx *ctx, pl_hent *e)
{
    pl_free(&ctx->alloc, e->strs);
    e->strs = NULL;
}

static void rings_clear(plaudit_ctx *ctx, pl_history *h)
{
    for (size_t i = 0; i < h->n_rings; i++) {
        pl_hring *r = &h->rings[i];
        for (uint32_t k = 0; k < r->len; k++) ent_free(ctx, &r->e[(r->head + k) % r->cap]);
        pl_free(&ctx->alloc, r->e);
    }
    pl_free(&ctx->alloc, h->rings);
    h->rings = NULL;
    h->n_rings = h->cap_rings = 0;
}

void pl_history_reset(plaudit_ctx *ctx)
{
    pl_history *h = ctx->hist;
    if (!h) return;
    pl_history_unstage(ctx);
    rings_clear(ctx, h);
}

void pl_history_free(plaudit_ctx *ctx)
{
    pl_history *h = ctx->hist;
    if (!h) return;
    pl_history_reset(ctx);
    PL_UH(&ctx->alloc);
    HASH_CLEAR(hh, h->name_h);
    for (size_t i = 0; i < h->n_names; i++) pl_free(&ctx->alloc, h->names[i]);
    pl_free(&ctx->alloc, h->names);
    pl_free(&ctx->alloc, h->notes);
    pl_free(&ctx->alloc, h);
    ctx->hist = NULL;
}

int pl_history_add(plaudit_ctx *ctx, const pl_member *m, int64_t points, int64_t balance, plaudit_source src,
                   const char *src_id, const char *rref)
{
    pl_history *h = ctx->hist;
    if (pl_grow(&ctx->alloc, (void **)&h->notes, &h->cap_notes, h->n_notes + 1, sizeof *h->notes))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory noting the points history");
    pl_hnote *n = &h->notes[h->n_notes++];
    memset(n, 0, sizeof *n);
    n->member = m->idx;
    n->src = src;
    n->points = points;
    n->balance = balance;
    n->src_id = src_id;
    n->rref = rref;
    return PLAUDIT_OK;
}

/* The index + 1 of rule id s in the interned names (added when new). */
static int intern(plaudit_ctx *ctx, pl_history *h, const char *s, uint32_t *out)
{
    PL_UH(&ctx->alloc);
    size_t len = strlen(s);
    pl_hname *f = NULL;
    HASH_FIND(hh, h->name_h, s, len, f);
    if (f) {
        *out = f->idx + 1;
        return PLAUDIT_OK;
    }
    if (pl_grow(&ctx->alloc, (void **)&h->names, &h->cap_names, h->n_names + 1, sizeof *h->names)) return PLAUDIT_ENOMEM;
    f = pl_malloc(&ctx->alloc, sizeof *f + len + 1);
    if (!f) return PLAUDIT_ENOMEM;
    memset(f, 0, sizeof *f);
    memcpy(f->s, s, len + 1);
    f->len = (uint32_t)len;
    f->idx = (uint32_t)h->n_names;
    HASH_ADD(hh, h->name_h, s, f->len, f);
    if (pl_uh_oom) {
        pl_free(&ctx->alloc, f);
        return PLAUDIT_ENOMEM;
    }
    h->names[h->n_names++] = f;
    *out = f->idx + 1;
    return PLAUDIT_OK;
}

/* One block holding the strings of s[] that are set; *mask says which. */
static int block(plaudit_ctx *ctx, const char *const s[HS_N], char **out, uint32_t *mask)
{
    size_t total = 0;
    *mask = 0;
    *out = NULL;
    for (int i = 0; i < HS_N; i++)
        if (s[i]) {
            total += strlen(s[i]) + 1;
            *mask |= 1u << i;
        }
    if (!total) return PLAUDIT_OK;
    char *p = pl_malloc(&ctx->alloc, total);
    if (!p) return PLAUDIT_ENOMEM;
    *out = p;
    for (int i = 0; i < HS_N; i++)
        if (s[i]) {
            size_t n = strlen(s[i]) + 1;
            memcpy(p, s[i], n);
            p += n;
        }
    return PLAUDIT_OK;
}

/* Make room in member's ring for one more staged entry. */
static int ring_room(plaudit_ctx *ctx, pl_history *h, uint32_t member)
{
    if (member >= h->n_rings) {
        size_t need = (size_t)member + 1;
        if (pl_grow(&ctx->alloc, (void **)&h->rings, &h->cap_rings, need, sizeof *h->rings)) return PLAUDIT_ENOMEM;
        memset(h->rings + h->n_rings, 0, sizeof *h->rings * (need - h->n_rings));
        h->n_rings = need;
    }
    pl_hring *r = &h->rings[member];
    uint32_t lim = cap_limit(h);
    r->pend++;
    uint64_t want = (uint64_t)r->len + r->pend;
    if (want > lim) want = lim;
    if (r->cap >= want) return PLAUDIT_OK;
    /* Below the limit nothing was dropped yet, so the ring has not
     * wrapped (head is 0) and grows in place. */
    uint64_t cap = r->cap ? (uint64_t)r->cap * 2 : 4;
    if (cap < want) cap = want;
    if (cap > lim) cap = lim;
    pl_hent *e = pl_realloc(&ctx->alloc, r->e, (size_t)cap * sizeof *e);
    if (!e) return PLAUDIT_ENOMEM;
    r->e = e;
    r->cap = (uint32_t)cap;
    return PLAUDIT_OK;
}

int pl_history_stage(plaudit_ctx *ctx, const plaudit_event *ev)
{
    pl_history *h = ctx->hist;
    for (size_t i = 0; i < h->n_notes; i++) {
        pl_hnote *n = &h->notes[i];
        pl_hent *e = &n->ent;
        e->ts = ev->ts;
        e->points = n->points;
        e->balance = n->balance;
        const char *s[HS_N] = {ev->id, ev->ref, NULL, NULL, NULL};
        int rc = PLAUDIT_OK;
        switch (n->src) {
        case PLAUDIT_SOURCE_ACTION:
        case PLAUDIT_SOURCE_BONUS:
        case PLAUDIT_SOURCE_REDEEM:
            if (n->src_id) rc = intern(ctx, h, n->src_id, &e->name);
            break;
        case PLAUDIT_SOURCE_KUDOS: {
            const pl_member *g = n->src_id ? pl_member_find(ctx, n->src_id) : NULL;
            e->name = g ? g->idx + 1 : 0;
            break;
        }
        case PLAUDIT_SOURCE_ADJUST: s[HS_REASON] = n->src_id; break;
        case PLAUDIT_SOURCE_REVOKE:
            s[HS_REASON] = ev->reason;
            s[HS_RID] = n->src_id;
            s[HS_RREF] = n->rref;
            break;
        }
        uint32_t mask = 0;
        if (!rc) rc = block(ctx, s, &e->strs, &mask);
        e->w = (uint32_t)n->src | ((uint32_t)ev->type & 15u) << 4 | mask << 8;
        if (!rc) rc = ring_room(ctx, h, n->member);
        if (rc) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory adding to the points history");
    }
    return PLAUDIT_OK;
}

void pl_history_publish(plaudit_ctx *ctx)
{
    pl_history *h = ctx->hist;
    for (size_t i = 0; i < h->n_notes; i++) {
        pl_hnote *n = &h->notes[i];
        pl_hring *r = &h->rings[n->member];
        r->pend = 0;
        if (r->len < r->cap) {
            r->e[(r->head + r->len) % r->cap] = n->ent;
            r->len++;
        } else {
            /* full at the limit: the oldest goes */
            ent_free(ctx, &r->e[r->head]);
            r->e[r->head] = n->ent;
            r->head = (r->head + 1) % r->cap;
        }
        r->total++;
    }
    h->n_notes = 0;
}

void pl_history_unstage(plaudit_ctx *ctx)
{
    pl_history *h = ctx->hist;
    if (!h) return;
    for (size_t i = 0; i < h->n_notes; i++) {
        pl_hnote *n = &h->notes[i];
        ent_free(ctx, &n->ent);
        if (n->member < h->n_rings) h->rings[n->member].pend = 0;
    }
    h->n_notes = 0;
}

/* ---- queries -------------------------------------------------------------- */

static const char *ent_str(const pl_hent *e, int which)
{
    uint32_t mask = e->w >> 8 & 31u;
    if (!(mask & 1u << which)) return NULL;
    const char *p = e->strs;
    for (int i = 0; i < which; i++)
        if (mask & 1u << i) p += strlen(p) + 1;
    return p;
}

static const char *ent_name(const plaudit_ctx *ctx, const pl_history *h, const pl_hent *e)
{
    plaudit_source src = (plaudit_source)(e->w & 15u);
    if (!e->name) return NULL;
    if (src == PLAUDIT_SOURCE_KUDOS) return e->name <= ctx->n_members ? ctx->mv[e->name - 1]->id : NULL;
    return e->name <= h->n_names ? h->names[e->name - 1]->s : NULL;
}

static void ent_fill(const plaudit_ctx *ctx, const pl_history *h, const pl_hent *e, uint64_t seq,
                     plaudit_history_entry *o)
{
    memset(o, 0, sizeof *o);
    o->seq = seq;
    o->ts = e->ts;
    o->points = e->points;
    o->balance = e->balance;
    o->cause = (plaudit_source)(e->w & 15u);
    o->event_type = (plaudit_event_type)(e->w >> 4 & 15u);
    o->event_id = ent_str(e, HS_ID);
    o->event_ref = ent_str(e, HS_REF);
    o->reason = ent_str(e, HS_REASON);
    o->revoked_event = ent_str(e, HS_RID);
    o->revoked_ref = ent_str(e, HS_RREF);
    switch (o->cause) {
    case PLAUDIT_SOURCE_ADJUST: o->cause_id = o->reason; break;
    case PLAUDIT_SOURCE_REVOKE: o->cause_id = o->revoked_event; break;
    default: o->cause_id = ent_name(ctx, h, e); break;
    }
}

static int find_ring(plaudit_ctx *ctx, const char *member, const pl_hring **out)
{
    if (!ctx->hist)
        return pl_err(ctx, PLAUDIT_ESTATE, "the context keeps no points history (set the history_per_member option)");
    if (!member) return pl_err(ctx, PLAUDIT_EINVAL, "member is NULL");
    const pl_member *m = pl_member_find(ctx, member);
    if (!m) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown member \"%.128s\"", member);
    static const pl_hring none;
    *out = m->idx < ctx->hist->n_rings ? &ctx->hist->rings[m->idx] : &none;
    return PLAUDIT_OK;
}

int plaudit_member_history(plaudit_ctx *ctx, const char *member, uint64_t before, size_t max,
                           plaudit_history_entry *out, size_t *n, uint64_t *next)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !n) return pl_err(ctx, PLAUDIT_EINVAL, "out or n is NULL");
    *n = 0;
    if (next) *next = 0;
    const pl_hring *r = NULL; /* set by find_ring on success (gcc -O3 cannot see it) */
    int rc = find_ring(ctx, member, &r);
    if (rc) return rc;
    if (max == 0) return pl_err(ctx, PLAUDIT_ERANGE, "max must be at least 1");
    pl_history *h = ctx->hist;
    /* seq of the entry at ring position k (0: oldest kept) */
    uint64_t first = r->total - r->len + 1;
    uint64_t top = before == 0 || before > r->total ? r->total : before - 1; /* newest seq to give */
    size_t cnt = 0;
    if (r->len && top >= first) {
        uint64_t avail = top - first + 1;
        cnt = avail < max ? (size_t)avail : max;
    }
    for (size_t i = 0; i < cnt; i++) {
        uint64_t seq = top - i;
        uint32_t k = (uint32_t)(seq - first);
        ent_fill(ctx, h, &r->e[(r->head + k) % r->cap], seq, &out[i]);
    }
    *n = cnt;
    if (next && cnt && top - cnt + 1 > first) *next = top - cnt + 1;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_member_history_count(plaudit_ctx *ctx, const char *member, uint64_t *total, uint64_t *kept)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const pl_hring *r = NULL; /* set by find_ring on success (gcc -O3 cannot see it) */
    int rc = find_ring(ctx, member, &r);
    if (rc) return rc;
    if (total) *total = r->total;
    if (kept) *kept = r->len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_history_info_get(const plaudit_ctx *ctx, plaudit_history_info *out)
{
    if (!ctx || !out) return PLAUDIT_EINVAL;
    memset(out, 0, sizeof *out);
    const pl_history *h = ctx->hist;
    if (!h) return PLAUDIT_OK;
    out->per_member = h->limit;
    uint64_t bytes = sizeof *h + h->cap_rings * sizeof *h->rings + h->cap_names * sizeof *h->names;
    for (size_t i = 0; i < h->n_names; i++) bytes += sizeof *h->names[i] + h->names[i]->len + 1;
    for (size_t i = 0; i < h->n_rings; i++) {
        const pl_hring *r = &h->rings[i];
        out->entries += r->len;
        bytes += (uint64_t)r->cap * sizeof *r->e;
        for (uint32_t k = 0; k < r->len; k++) {
            const pl_hent *e = &r->e[(r->head + k) % r->cap];
            for (int j = 0; j < HS_N; j++) {
                const char *s = ent_str(e, j);
                if (s) bytes += strlen(s) + 1;
            }
        }
    }
    out->bytes = bytes;
    return PLAUDIT_OK;
}

/* ---- snapshot section ----------------------------------------------------- */
/* Body: u64 members with history, then each: u32 member index, u64 total,
 * u32 kept, and its entries oldest first: i64 ts, points, balance, u32 w,
 * then the cause name and the HS_N strings, each u16 length (0xffff:
 * none) and bytes.  Names are written as strings (rule ids change with a
 * program event, giver indexes do not but read back through the id). */

int pl_history_any(const plaudit_ctx *ctx)
{
    const pl_history *h = ctx->hist;
    for (size_t i = 0; h && i < h->n_rings; i++)
        if (h->rings[i].total) return 1;
    return 0;
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

void pl_history_encode(const plaudit_ctx *ctx, pl_buf *b)
{
    const pl_history *h = ctx->hist;
    uint64_t cnt = 0;
    for (size_t i = 0; i < h->n_rings && i < ctx->n_members; i++) cnt += h->rings[i].total != 0;
    pl_put64(b, cnt);
    for (size_t i = 0; i < h->n_rings && i < ctx->n_members && !b->oom; i++) {
        const pl_hring *r = &h->rings[i];
        if (!r->total) continue;
        pl_put32(b, (uint32_t)i);
        pl_put64(b, r->total);
        pl_put32(b, r->len);
        for (uint32_t k = 0; k < r->len; k++) {
            const pl_hent *e = &r->e[(r->head + k) % r->cap];
            pl_put64(b, (uint64_t)e->ts);
            pl_put64(b, (uint64_t)e->points);
            pl_put64(b, (uint64_t)e->balance);
            pl_put32(b, e->w & 0xffu);
            put_nstr(b, ent_name(ctx, h, e));
            for (int j = 0; j < HS_N; j++) put_nstr(b, ent_str(e, j));
        }
    }
}

static int snap_bad(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: points history: %s", what);
}

/* A u16-length string of the section at *off into buf (NULL when none). */
static int get_nstr(const unsigned char *p, size_t n, size_t *off, char *buf, size_t cap, const char **out)
{
    *out = NULL;
    if (n - *off < 2) return -1;
    uint16_t len = pl_rd16(p + *off);
    *off += 2;
    if (len == UINT16_MAX) return 0;
    if (len >= cap || n - *off < len || memchr(p + *off, 0, len)) return -1;
    memcpy(buf, p + *off, len);
    buf[len] = '\0';
    *off += len;
    *out = buf;
    return 0;
}

int pl_history_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    pl_history *h = ctx->hist;
    if (n < 8) return snap_bad(ctx, "header");
    uint64_t cnt = pl_rd64(p);
    size_t off = 8;
    uint32_t lim = cap_limit(h);
    if (cnt > ctx->n_members || cnt > (n - off) / 16) return snap_bad(ctx, "count");
    if (ctx->n_members > h->cap_rings) {
        if (pl_grow(&ctx->alloc, (void **)&h->rings, &h->cap_rings, ctx->n_members, sizeof *h->rings))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    }
    if (ctx->n_members > h->n_rings) {
        memset(h->rings + h->n_rings, 0, sizeof *h->rings * (ctx->n_members - h->n_rings));
        h->n_rings = ctx->n_members;
    }
    char str[HS_N + 1][2 * PL_NAME_MAX + 1];
    for (uint64_t i = 0; i < cnt; i++) {
        if (n - off < 16) return snap_bad(ctx, "member");
        uint32_t mi = pl_rd32(p + off);
        uint64_t total = pl_rd64(p + off + 4);
        uint32_t len = pl_rd32(p + off + 12);
        off += 16;
        if (mi >= ctx->n_members || h->rings[mi].total || len > total || len > (n - off) / 40)
            return snap_bad(ctx, "member");
        pl_hring *r = &h->rings[mi];
        uint32_t keep = len < lim ? len : lim;
        if (keep) {
            r->e = pl_malloc(&ctx->alloc, sizeof *r->e * keep);
            if (!r->e) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            r->cap = keep;
        }
        r->total = total;
        for (uint32_t k = 0; k < len; k++) {
            if (n - off < 28) return snap_bad(ctx, "entry");
            pl_hent e;
            memset(&e, 0, sizeof e);
            e.ts = (int64_t)pl_rd64(p + off);
            e.points = (int64_t)pl_rd64(p + off + 8);
            e.balance = (int64_t)pl_rd64(p + off + 16);
            e.w = pl_rd32(p + off + 24);
            off += 28;
            if ((e.w & 15u) > PLAUDIT_SOURCE_REDEEM || (e.w >> 4 & 15u) > PLAUDIT_EVENT_PROGRAM || e.w > 0xffu)
                return snap_bad(ctx, "entry");
            const char *s[HS_N + 1];
            for (int j = 0; j <= HS_N; j++)
                if (get_nstr(p, n, &off, str[j], sizeof str[j], &s[j])) return snap_bad(ctx, "string");
            if (k < len - keep) continue; /* older than this context keeps */
            plaudit_source src = (plaudit_source)(e.w & 15u);
            if (s[0] && src == PLAUDIT_SOURCE_KUDOS) {
                const pl_member *g = pl_member_find(ctx, s[0]);
                e.name = g ? g->idx + 1 : 0;
            } else if (s[0] && (src == PLAUDIT_SOURCE_ACTION || src == PLAUDIT_SOURCE_BONUS || src == PLAUDIT_SOURCE_REDEEM)) {
                if (intern(ctx, h, s[0], &e.name)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            }
            uint32_t mask;
            if (block(ctx, s + 1, &e.strs, &mask)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
            e.w |= mask << 8;
            r->e[r->len++] = e;
        }
    }
    if (off != n) return snap_bad(ctx, "length");
    return PLAUDIT_OK;
}
