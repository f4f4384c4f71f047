/* revoke.c - undoing events (spec section 5): what each revocable event
 * did (remembered events, 48 bytes each), the interned refs that name
 * them, matching a revoke by id or by ref, undoing the matched events at
 * the revoke's ts, and keeping all of it across retention, snapshots and
 * the digest.
 *
 * Remembered events sit in acceptance order in one array; the live ones
 * are recs[head..n).  Events sharing a ref are chained (next) from the
 * ref's head to its tail, oldest first, so a revoke by ref undoes them in
 * acceptance order.  Retention forgets from the head; the array is
 * compacted (positions rewritten) once half of it is forgotten. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

typedef struct pl_ref {
    UT_hash_handle hh;
    uint32_t slot;            /* index in refv */
    uint32_t n;               /* remembered events naming it */
    uint32_t head, tail;      /* first and last of them (positions) */
    uint32_t len;
    char s[];
} pl_ref;

typedef struct pl_revokes {
    pl_rev *recs;
    size_t n, cap, head;
    pl_ref *ref_h;
    pl_ref **refv;            /* by slot; NULL: free */
    size_t n_refv, cap_refv;
    uint32_t *free_slots;
    size_t n_free, cap_free;
    /* the event being applied */
    int noted;
    pl_rev pend;
    const char *pend_ref;
    pl_ref *ref_new;          /* interned by this event (dropped on rollback) */
    pl_ref *ref_use;
    /* a revoke: what it matched (positions, acceptance order) and the
     * members those events name (first naming order) */
    uint32_t *match;
    size_t n_match, cap_match;
    uint32_t *touched;
    size_t n_touched, cap_touched;
    pl_buf strs;              /* strings of the revoke's moments */
} pl_revokes;

#define NO_NEXT UINT32_MAX

static int rv_get(plaudit_ctx *ctx, pl_revokes **out)
{
    if (!ctx->rv) {
        pl_revokes *rv = pl_malloc(&ctx->alloc, sizeof *rv);
        if (!rv) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory remembering an event");
        memset(rv, 0, sizeof *rv);
        pl_buf_init(&rv->strs, &ctx->alloc);
        ctx->rv = rv;
    }
    *out = ctx->rv;
    return PLAUDIT_OK;
}

static const char *ref_str(const pl_revokes *rv, const pl_rev *r) { return r->ref ? rv->refv[r->ref - 1]->s : NULL; }

/* Whether a remembered event can still be matched (retention). */
static int rec_live(const plaudit_ctx *ctx, const pl_rev *r)
{
    if (r->w & PL_RV_FORGOTTEN) return 0;
    if (!r->key && ctx->retention_s > 0 && ctx->clock - pl_rev_ts(r) > ctx->retention_s) return 0;
    return 1;
}

/* ---- noting what an event did ----------------------------------------------- */

int pl_revoke_note(plaudit_ctx *ctx, const plaudit_event *ev, const pl_member *m, uint32_t other, int64_t p,
                   uint64_t flags, uint32_t aux)
{
    if (ctx->format < 2 || (!ev->id && !ev->ref)) return PLAUDIT_OK;
    pl_revokes *rv = NULL;
    int rc = rv_get(ctx, &rv);
    if (rc || !rv) return rc ? rc : PLAUDIT_ENOMEM; /* !rv: for gcc -O3, which cannot see that rv_get sets it */
    pl_rev *r = &rv->pend;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->w = ((uint64_t)ev->ts & ((1ull << PL_RV_TS_BITS) - 1)) | (uint64_t)ev->type << PL_RV_TS_BITS | flags;
    r->member = m->idx;
    r->other = other;
    /* the team that got the points (a kudos: the receiver's) */
    int32_t team = ev->type == PLAUDIT_EVENT_KUDOS ? ctx->mv[other]->st.team : m->st.team;
    r->team = team >= 0 ? (uint32_t)team : UINT32_MAX;
    r->next = NO_NEXT;
    /* a redeem keeps its stock's generation; the others the program's, so
     * that a revoke leaves alone what a later program event started */
    r->aux = ev->type == PLAUDIT_EVENT_REDEEM ? aux : ctx->prog_gen;
    rv->noted = 1;
    rv->pend_ref = ev->ref;
    return PLAUDIT_OK;
}

/* ---- refs ------------------------------------------------------------------ */

static pl_ref *ref_find(const pl_revokes *rv, const char *s, size_t len)
{
    pl_ref *r = NULL;
    HASH_FIND(hh, rv->ref_h, s, len, r);
    return r;
}

/* Intern a ref (not yet named by any event); NULL when out of memory. */
static pl_ref *ref_new(plaudit_ctx *ctx, pl_revokes *rv, const char *s, size_t len)
{
    PL_UH(&ctx->alloc);
    if (!rv->n_free && pl_grow(&ctx->alloc, (void **)&rv->refv, &rv->cap_refv, rv->n_refv + 1, sizeof *rv->refv))
        return NULL;
    pl_ref *r = pl_malloc(&ctx->alloc, sizeof *r + len + 1);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    memcpy(r->s, s, len);
    r->s[len] = '\0';
    r->len = (uint32_t)len;
    r->head = r->tail = NO_NEXT;
    HASH_ADD(hh, rv->ref_h, s, r->len, r);
    if (pl_uh_oom) {
        pl_free(&ctx->alloc, r);
        return NULL;
    }
    r->slot = rv->n_free ? rv->free_slots[--rv->n_free] : (uint32_t)rv->n_refv++;
    rv->refv[r->slot] = r;
    return r;
}

static void ref_drop(plaudit_ctx *ctx, pl_revokes *rv, pl_ref *r)
{
    PL_UH(&ctx->alloc);
    HASH_DELETE(hh, rv->ref_h, r);
    rv->refv[r->slot] = NULL;
    /* room for the slot was made when the ref was interned or can be now;
     * if not, the slot simply stays unused */
    if (!pl_grow(&ctx->alloc, (void **)&rv->free_slots, &rv->cap_free, rv->n_free + 1, sizeof *rv->free_slots))
        rv->free_slots[rv->n_free++] = r->slot;
    pl_free(&ctx->alloc, r);
}

/* ---- commit ------------------------------------------------------------------ */

int pl_revoke_reserve(plaudit_ctx *ctx, const plaudit_event *ev)
{
    (void)ev;
    pl_revokes *rv = ctx->rv;
    if (!rv || !rv->noted) return PLAUDIT_OK;
    if (rv->n >= UINT32_MAX - 1) return pl_err(ctx, PLAUDIT_ELIMIT, "too many remembered events");
    if (pl_grow(&ctx->alloc, (void **)&rv->recs, &rv->cap, rv->n + 1, sizeof *rv->recs))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory remembering an event");
    rv->ref_use = NULL;
    if (rv->pend_ref) {
        size_t len = strlen(rv->pend_ref);
        pl_ref *r = ref_find(rv, rv->pend_ref, len);
        if (!r) {
            /* freeing a slot later must not fail: room for it now */
            if (pl_grow(&ctx->alloc, (void **)&rv->free_slots, &rv->cap_free, rv->n_refv + 1, sizeof *rv->free_slots) ||
                !(r = ref_new(ctx, rv, rv->pend_ref, len)))
                return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory remembering ref \"%s\"", rv->pend_ref);
            rv->ref_new = r;
        }
        rv->ref_use = r;
    }
    return PLAUDIT_OK;
}

static void rec_append(pl_revokes *rv, const pl_rev *src, pl_ref *ref, pl_key *key)
{
    uint32_t pos = (uint32_t)rv->n++;
    pl_rev *r = &rv->recs[pos];
    *r = *src;
    r->key = key;
    r->next = NO_NEXT;
    r->ref = ref ? ref->slot + 1 : 0;
    if (ref) {
        if (ref->n) rv->recs[ref->tail].next = pos;
        else ref->head = pos;
        ref->tail = pos;
        ref->n++;
    }
    if (key) key->rev = pos + 1;
}

void pl_revoke_commit(plaudit_ctx *ctx, const plaudit_event *ev, pl_key *key)
{
    pl_revokes *rv = ctx->rv;
    if (!rv) return;
    if (rv->noted) rec_append(rv, &rv->pend, rv->ref_use, key);
    if (ev->type == PLAUDIT_EVENT_REVOKE)
        for (size_t i = 0; i < rv->n_match; i++) rv->recs[rv->match[i]].w |= PL_RV_REVOKED;
    rv->noted = 0;
    rv->ref_new = rv->ref_use = NULL;
    rv->pend_ref = NULL;
    rv->n_match = 0;
}

void pl_revoke_abort(plaudit_ctx *ctx)
{
    pl_revokes *rv = ctx->rv;
    if (!rv) return;
    if (rv->ref_new) ref_drop(ctx, rv, rv->ref_new);
    rv->noted = 0;
    rv->ref_new = rv->ref_use = NULL;
    rv->pend_ref = NULL;
    rv->n_match = 0;
}

/* ---- retention --------------------------------------------------------------- */

void pl_revoke_key_forget(plaudit_ctx *ctx, pl_key *k)
{
    if (!ctx->rv || !k->rev) return;
    pl_rev *r = &ctx->rv->recs[k->rev - 1];
    r->w |= PL_RV_FORGOTTEN;
    r->key = NULL;
    k->rev = 0;
}

/* Positions shift down by `by` (compaction). */
static void rv_compact(pl_revokes *rv)
{
    size_t by = rv->head;
    if (!by) return;
    memmove(rv->recs, rv->recs + by, (rv->n - by) * sizeof *rv->recs);
    rv->n -= by;
    rv->head = 0;
    for (size_t i = 0; i < rv->n; i++) {
        pl_rev *r = &rv->recs[i];
        if (r->next != NO_NEXT) r->next -= (uint32_t)by;
        if (r->key) r->key->rev = (uint32_t)i + 1;
    }
    for (size_t i = 0; i < rv->n_refv; i++) {
        pl_ref *f = rv->refv[i];
        if (!f) continue;
        f->head -= (uint32_t)by;
        f->tail -= (uint32_t)by;
    }
}

void pl_revoke_prune(plaudit_ctx *ctx)
{
    pl_revokes *rv = ctx->rv;
    if (!rv || ctx->retention_s <= 0) return;
    size_t h = rv->head;
    while (h < rv->n && !rec_live(ctx, &rv->recs[h])) {
        pl_rev *r = &rv->recs[h];
        if (r->key) r->key->rev = 0;
        if (r->ref) {
            pl_ref *f = rv->refv[r->ref - 1];
            /* chains run in acceptance order: r is its ref's head */
            f->head = r->next;
            if (--f->n == 0) ref_drop(ctx, rv, f);
        }
        h++;
    }
    rv->head = h;
    if (h == rv->n) rv->head = rv->n = 0;
    else if (h > 64 && h * 2 >= rv->n) rv_compact(rv);
}

/* ---- matching ------------------------------------------------------------------ */

typedef struct touch_ord {
    uint32_t member, order;
} touch_ord;

static int cmp_member_ord(const void *a, const void *b)
{
    const touch_ord *x = a, *y = b;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static int cmp_order(const void *a, const void *b)
{
    const touch_ord *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static int add_match(plaudit_ctx *ctx, pl_revokes *rv, uint32_t pos)
{
    if (pl_grow(&ctx->alloc, (void **)&rv->match, &rv->cap_match, rv->n_match + 1, sizeof *rv->match))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory matching a revoke");
    rv->match[rv->n_match++] = pos;
    return PLAUDIT_OK;
}

/* The members the matched events name, deduplicated in first naming order
 * (a kudos names its giver first). */
static int collect_touched(plaudit_ctx *ctx, pl_revokes *rv)
{
    size_t n = 0;
    for (size_t i = 0; i < rv->n_match; i++)
        n += pl_rev_type(&rv->recs[rv->match[i]]) == PLAUDIT_EVENT_KUDOS ? 2 : 1;
    touch_ord *t = pl_malloc(&ctx->alloc, sizeof *t * (n ? n : 1));
    if (!t || pl_grow(&ctx->alloc, (void **)&rv->touched, &rv->cap_touched, n ? n : 1, sizeof *rv->touched)) {
        pl_free(&ctx->alloc, t);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory matching a revoke");
    }
    size_t k = 0;
    for (size_t i = 0; i < rv->n_match; i++) {
        const pl_rev *r = &rv->recs[rv->match[i]];
        t[k].member = r->member;
        t[k].order = (uint32_t)k;
        k++;
        if (pl_rev_type(r) == PLAUDIT_EVENT_KUDOS) {
            t[k].member = r->other;
            t[k].order = (uint32_t)k;
            k++;
        }
    }
    qsort(t, k, sizeof *t, cmp_member_ord);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || t[u - 1].member != t[i].member) t[u++] = t[i];
    qsort(t, u, sizeof *t, cmp_order);
    for (size_t i = 0; i < u; i++) rv->touched[i] = t[i].member;
    rv->n_touched = u;
    pl_free(&ctx->alloc, t);
    return PLAUDIT_OK;
}

int pl_revoke_match(plaudit_ctx *ctx, const plaudit_event *ev)
{
    pl_revokes *rv = ctx->rv;
    if (rv) rv->n_match = rv->n_touched = 0;
    int rc;
    if (ev->target) {
        pl_key *k = NULL;
        HASH_FIND(hh, ctx->key_h, ev->target, strlen(ev->target), k);
        if (!k) return pl_err(ctx, PLAUDIT_ENOTFOUND, "no accepted event has id \"%s\"", ev->target);
        if (!k->rev || !rv)
            return pl_err(ctx, PLAUDIT_EINVAL,
                          "event \"%s\" cannot be revoked: only action, kudos, award, adjust and redeem events of a "
                          "format 2 program can",
                          ev->target);
        const pl_rev *r = &rv->recs[k->rev - 1];
        if (r->w & PL_RV_REVOKED) return pl_err(ctx, PLAUDIT_ENOTFOUND, "event \"%s\" was already revoked", ev->target);
        if ((rc = add_match(ctx, rv, k->rev - 1))) return rc;
    } else {
        const pl_ref *f = rv ? ref_find(rv, ev->ref, strlen(ev->ref)) : NULL;
        if (!f) return pl_err(ctx, PLAUDIT_ENOTFOUND, "no remembered event has ref \"%s\"", ev->ref);
        for (uint32_t p = f->head; p != NO_NEXT; p = rv->recs[p].next) {
            const pl_rev *r = &rv->recs[p];
            if ((r->w & PL_RV_REVOKED) || !rec_live(ctx, r)) continue;
            if ((rc = add_match(ctx, rv, p))) return rc;
        }
        if (!rv->n_match)
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "every event with ref \"%s\" was already revoked or forgotten", ev->ref);
    }
    if ((rc = collect_touched(ctx, rv))) return rc;
    for (size_t i = 0; i < rv->n_touched; i++) {
        const pl_member *m = ctx->mv[rv->touched[i]];
        int64_t last = pl_member_last(ctx, m);
        if (ev->ts < last)
            return pl_err(ctx, PLAUDIT_ETIME,
                          "time went backwards for member \"%s\": ts %lld is before its last event at %lld", m->id,
                          (long long)ev->ts, (long long)last);
    }
    return PLAUDIT_OK;
}

/* ---- undoing ------------------------------------------------------------------- */

typedef struct undo_ctx {
    int64_t ts, ev_ts;
    uint32_t kr[PL_NPERIODS]; /* period keys of the revoke's ts */
    uint32_t ke[PL_NPERIODS]; /* of the revoked event's ts */
    const char *id, *ref;     /* the revoked event's (copies) */
    uint32_t gen;             /* the program generation it was applied in */
} undo_ctx;

/* A member counter of period kind per that counted the event, when the
 * period holding the revoke's ts also holds the event's. */
static int still_current(const undo_ctx *u, const pl_trk *t, plaudit_period per)
{
    return u->kr[per] == u->ke[per] && t->period == u->ke[per];
}

/* Whether tracker trk existed when the event was applied (a program event
 * after it did not start it anew): only then can it have counted it. */
static int counted(const plaudit_ctx *ctx, const undo_ctx *u, uint32_t trk)
{
    return !ctx->trk_gen || ctx->trk_gen[trk] <= u->gen;
}

/* Award -p at the revoke's ts: the floor, the balance, the qualification
 * windows and boards that still hold the event's period.  *d receives the
 * change applied, *db that of the balance. */
static int take_back(plaudit_ctx *ctx, const undo_ctx *u, pl_member *m, int64_t p, uint32_t team, int64_t *d,
                     int64_t *db)
{
    *d = *db = 0;
    if (p == 0 || p == INT64_MIN) return PLAUDIT_OK;
    pl_mstate *st = &m->st;
    int64_t np = pl_sat_add(st->points, -p);
    if (np < 0) np = 0;
    int64_t aw = np - st->points;
    if (aw == 0) return PLAUDIT_OK;
    plaudit_moment *mo = NULL;
    int rc = pl_moment(ctx, &mo);
    if (rc) return rc;
    mo->kind = PLAUDIT_MOMENT_POINTS;
    mo->ts = u->ts;
    mo->member = m->id;
    mo->points = aw;
    mo->source = PLAUDIT_SOURCE_REVOKE;
    mo->source_id = u->id;
    mo->revoked_event = u->id;
    mo->revoked_ref = u->ref;
    int64_t bal = st->balance;
    st->points = np;
    st->pts_ts = u->ts;
    st->balance = pl_sat_add(st->balance, aw);
    if (st->balance < 0) st->balance = 0;
    *d = aw;
    *db = st->balance - bal;
    pl_trk *trk = PL_TRK(ctx, m);
    for (size_t i = 0; i < ctx->n_window_tiers; i++) {
        const pl_tier *t = ctx->tiers[ctx->window_tiers[i]];
        pl_trk *w = &trk[t->trk];
        if (still_current(u, w, t->window) && counted(ctx, u, (uint32_t)t->trk)) w->value = pl_sat_add(w->value, aw);
    }
    pl_slot *slots = PL_SLOTS(ctx, m);
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *b = ctx->boards[i];
        pl_slot *s = &slots[i];
        if (b->by_team) continue; /* below */
        if (b->from != PLAUDIT_UNSET && (b->frozen || u->ev_ts < b->from || u->ev_ts >= b->until)) continue;
        if (b->period == PLAUDIT_PERIOD_ALL && b->from == PLAUDIT_UNSET) {
            s->period = 1;
            s->score = np;
        } else {
            /* the board's current period (the clock has moved) must hold
             * the event, the score must be of that period, and the board
             * must not have been started by a later program event */
            if (u->ke[b->period] != b->cur || s->period != b->cur || b->gen > u->gen) continue;
            s->score = pl_sat_add(s->score, aw);
        }
        s->ts = u->ts;
    }
    ctx->subject_points = pl_sat_add(ctx->subject_points, aw);
    /* team boards: the team the member was in when the event was processed */
    if (team != UINT32_MAX && ctx->n_team_boards) return pl_team_credit_gen(ctx, (int32_t)team, aw, u->ts, u->ev_ts, u->gen);
    return PLAUDIT_OK;
}

/* Give an earning back to cap tracker trk of member tracker array base
 * (action or kudos cap). */
static void cap_give_back(const plaudit_ctx *ctx, const undo_ctx *u, pl_trk *base, int32_t trk, plaudit_period per,
                          int64_t p)
{
    pl_trk *t = &base[trk];
    if (p <= 0 || !still_current(u, t, per) || !counted(ctx, u, (uint32_t)trk)) return;
    t->value = t->value > p ? t->value - p : 0;
    if (t->aux) t->aux--;
}

static void undo_action(plaudit_ctx *ctx, const undo_ctx *u, const pl_rev *r, pl_member *m)
{
    if (r->other == PL_RV_GONE) return; /* no longer declared: no count */
    const pl_action *a = ctx->actions[r->other];
    uint32_t *counts = PL_COUNTS(ctx, m);
    if (counts[a->idx] && --counts[a->idx] == 0 && m->st.distinct) m->st.distinct--;
    pl_trk *trk = PL_TRK(ctx, m);
    for (uint32_t i = 0; i < a->n_within; i++) {
        pl_trk *t = &trk[a->within_trk[i]];
        if (still_current(u, t, (plaudit_period)ctx->trk_per[a->within_trk[i]]) && counted(ctx, u, a->within_trk[i]) &&
            t->aux)
            t->aux--;
    }
    /* dated-badge counts that counted it (their range holds its ts) */
    for (uint32_t i = 0; i < a->n_dated; i++) {
        const struct pl_dated *d = &a->dated[i];
        if ((d->from != PLAUDIT_UNSET && u->ev_ts < d->from) || (d->until != PLAUDIT_UNSET && u->ev_ts >= d->until))
            continue;
        pl_trk *t = &trk[d->trk];
        if (t->period == 1 && counted(ctx, u, d->trk) && t->aux) t->aux--;
    }
    if (a->cap_trk >= 0) cap_give_back(ctx, u, trk, a->cap_trk, a->cap_per, r->p);
    if (a->n_seg && !(m->st.flags & PL_MF_PINNED)) m->st.segment = pl_member_infer_segment(ctx, m);
}

static void undo_kudos(plaudit_ctx *ctx, const undo_ctx *u, const pl_rev *r, pl_member *from, pl_member *to)
{
    const pl_kudos *k = &ctx->kudos;
    if (from->st.kudos_given) from->st.kudos_given--;
    if (to->st.kudos_received) to->st.kudos_received--;
    if (k->give_trk >= 0) {
        pl_trk *t = &PL_TRK(ctx, from)[k->give_trk];
        if (still_current(u, t, k->give_per) && counted(ctx, u, (uint32_t)k->give_trk) && t->aux) t->aux--;
    }
    if (k->recv_trk >= 0) cap_give_back(ctx, u, PL_TRK(ctx, to), k->recv_trk, k->cap_per, r->p);
}

/* Room on the transaction's fresh and stale lists for one more array. */
static int txn_room(plaudit_ctx *ctx)
{
    pl_txn *t = &ctx->txn;
    if (pl_grow(&ctx->alloc, (void **)&t->fresh, &t->cap_fresh, t->n_fresh + 1, sizeof *t->fresh) ||
        pl_grow(&ctx->alloc, (void **)&t->stale, &t->cap_stale, t->n_stale + 1, sizeof *t->stale))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory revoking an award");
    return PLAUDIT_OK;
}

/* One award of manual badge g fewer: the time that award was given goes
 * (the latest one given at its ts); at zero the member no longer holds it.
 * *left receives the awards left. */
static int undo_award(plaudit_ctx *ctx, const undo_ctx *u, pl_member *m, uint32_t g, uint32_t *left)
{
    *left = 0;
    if (!pl_member_earned(ctx, m, g)) return PLAUDIT_OK;
    pl_earned *e;
    int rc = pl_earned_entry(ctx, m, g, u->ts, &e);
    if (rc || (rc = txn_room(ctx))) return rc;
    pl_txn *t = &ctx->txn;
    uint32_t n = e->n, k = n;
    for (uint32_t i = n; i >= 1; i--)
        if (pl_earned_at(e, i) == u->ev_ts) {
            k = i;
            break;
        }
    if (n <= 1) {
        pl_mstate *st = &m->st;
        if (e->at) t->stale[t->n_stale++] = e->at;
        size_t pos = (size_t)(e - st->badges);
        memmove(e, e + 1, sizeof *e * (st->n_badges - pos - 1));
        st->n_badges--;
        return PLAUDIT_OK;
    }
    if (n == 2) {
        int64_t keep = pl_earned_at(e, k == 1 ? 2 : 1);
        if (e->at) t->stale[t->n_stale++] = e->at;
        e->at = NULL;
        e->cap_at = 0;
        e->first_ts = e->last_ts = keep;
    } else {
        int64_t *at = pl_malloc(&ctx->alloc, sizeof *at * (n - 1));
        if (!at) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory revoking an award");
        for (uint32_t i = 1, j = 0; i <= n; i++)
            if (i != k) at[j++] = pl_earned_at(e, i);
        t->fresh[t->n_fresh++] = at;
        if (e->at) t->stale[t->n_stale++] = e->at;
        e->at = at;
        e->cap_at = n - 1;
        e->first_ts = at[0];
        e->last_ts = at[n - 2];
    }
    e->n = n - 1;
    *left = e->n;
    return PLAUDIT_OK;
}

static const char *str_copy(pl_buf *b, const char *s)
{
    if (!s) return NULL;
    const char *p = b->p + b->len;
    pl_buf_put(b, s, strlen(s) + 1);
    return p;
}

static int undo_one(plaudit_ctx *ctx, pl_revokes *rv, undo_ctx *u, const pl_rev *r)
{
    plaudit_event_type ty = pl_rev_type(r);
    u->ev_ts = pl_rev_ts(r);
    u->gen = ty == PLAUDIT_EVENT_REDEEM ? UINT32_MAX : r->aux;
    memcpy(u->ke, pl_keys(ctx, u->ev_ts), sizeof u->ke);
    u->id = str_copy(&rv->strs, r->key ? r->key->key : NULL);
    u->ref = str_copy(&rv->strs, ref_str(rv, r));
    pl_member *m = ctx->mv[r->member];
    pl_member *to = ty == PLAUDIT_EVENT_KUDOS ? ctx->mv[r->other] : NULL;
    size_t at = ctx->n_moments;
    plaudit_moment *mo = NULL;
    int rc = pl_moment(ctx, &mo);
    if (rc) return rc;
    mo->kind = PLAUDIT_MOMENT_REVOKE;
    mo->ts = u->ts;
    mo->member = m->id;
    mo->to = to ? to->id : NULL;
    mo->revoked_event = u->id;
    mo->revoked_ref = u->ref;
    mo->revoked_type = ty;
    mo->revoked_ts = u->ev_ts;
    int64_t d = 0, db = 0;
    uint32_t left = 0;
    switch (ty) {
    case PLAUDIT_EVENT_ACTION:
        if ((rc = take_back(ctx, u, m, r->p, r->team, &d, &db))) return rc;
        undo_action(ctx, u, r, m);
        break;
    case PLAUDIT_EVENT_KUDOS:
        if ((rc = take_back(ctx, u, to, r->p, r->team, &d, &db))) return rc;
        undo_kudos(ctx, u, r, m, to);
        break;
    case PLAUDIT_EVENT_AWARD:
        if ((rc = take_back(ctx, u, m, r->p, r->team, &d, &db))) return rc;
        if (r->other != PL_RV_GONE && (rc = undo_award(ctx, u, m, r->other, &left))) return rc;
        break;
    case PLAUDIT_EVENT_ADJUST:
        if ((rc = take_back(ctx, u, m, r->p, r->team, &d, &db))) return rc;
        break;
    case PLAUDIT_EVENT_REDEEM: {
        pl_reward *w = r->other != PL_RV_GONE ? ctx->rewards[r->other] : NULL;
        int64_t bal = m->st.balance;
        m->st.balance = pl_sat_add(m->st.balance, r->p);
        db = m->st.balance - bal;
        if (w && (r->w & PL_RV_STOCK) && w->stock0 != PLAUDIT_UNSET && w->stock_gen == r->aux) {
            if ((rc = pl_txn_save_stock(ctx, w))) return rc;
            w->stock = pl_sat_add(w->stock, 1);
        }
        break;
    }
    default: break;
    }
    /* the points history: one entry for the member whose points moved */
    if ((rc = pl_history_note(ctx, to ? to : m, d, db, PLAUDIT_SOURCE_REVOKE, u->id, u->ref))) return rc;
    mo = &ctx->moments[at]; /* the array may have moved */
    mo->points = d;
    mo->balance = db;
    if (ty == PLAUDIT_EVENT_AWARD && r->other != PL_RV_GONE) {
        mo->badge = ctx->badges[r->other]->id;
        mo->times = left;
    } else if (ty == PLAUDIT_EVENT_REDEEM) {
        mo->reward = r->other != PL_RV_GONE ? ctx->rewards[r->other]->id : NULL;
        mo->cost = r->p;
    }
    return PLAUDIT_OK;
}

int pl_revoke_apply(plaudit_ctx *ctx, const plaudit_event *ev)
{
    pl_revokes *rv = ctx->rv;
    undo_ctx u;
    memset(&u, 0, sizeof u);
    u.ts = ev->ts;
    memcpy(u.kr, pl_keys(ctx, ev->ts), sizeof u.kr);
    ctx->subject = NULL;
    /* The moments' strings outlive the keys (retention may forget them at
     * commit): copies, in one buffer that never moves while it fills. */
    size_t need = 0;
    for (size_t i = 0; i < rv->n_match; i++) {
        const pl_rev *r = &rv->recs[rv->match[i]];
        if (r->key) need += r->key->len + 1;
        if (r->ref) need += rv->refv[r->ref - 1]->len + 1;
    }
    rv->strs.len = 0;
    rv->strs.oom = 0;
    if (pl_buf_reserve(&rv->strs, need + 1)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory applying a revoke");
    int rc;
    for (size_t i = 0; i < rv->n_touched; i++) {
        pl_member *m = ctx->mv[rv->touched[i]];
        if ((rc = pl_touch(ctx, m))) return rc;
        m->st.last_ts = ev->ts;
    }
    for (size_t i = 0; i < rv->n_match; i++)
        if ((rc = undo_one(ctx, rv, &u, &rv->recs[rv->match[i]]))) return rc;
    for (size_t i = 0; i < rv->n_touched; i++)
        if ((rc = pl_evaluate(ctx, ctx->mv[rv->touched[i]], ev->ts))) return rc;
    return PLAUDIT_OK;
}

/* ---- digest, snapshot section, reset ------------------------------------------- */

static int any_gen(const plaudit_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_rewards; i++)
        if (ctx->rewards[i]->stock_gen) return 1;
    return 0;
}

int pl_revoke_any(const plaudit_ctx *ctx) { return (ctx->rv && ctx->rv->n > ctx->rv->head) || any_gen(ctx); }

uint64_t pl_revoke_digest(const plaudit_ctx *ctx)
{
    const pl_revokes *rv = ctx->rv;
    uint64_t h = 0x7265766f6b65ULL;
    if (!rv) {
        for (size_t i = 0; i < ctx->n_rewards; i++) h = pl_hash_step(h, ctx->rewards[i]->stock_gen);
        return pl_mix64(h);
    }
    for (size_t i = rv->head; i < rv->n; i++) {
        const pl_rev *r = &rv->recs[i];
        if (!rec_live(ctx, r)) continue;
        const pl_member *m = ctx->mv[r->member];
        h = pl_hash_step(h, r->w & ~PL_RV_FORGOTTEN);
        h = pl_hash_step(h, (uint64_t)r->p);
        h = pl_hash_step(h, pl_hash_bytes(m->id, m->idlen));
        if (pl_rev_type(r) == PLAUDIT_EVENT_KUDOS) {
            const pl_member *o = ctx->mv[r->other];
            h = pl_hash_step(h, pl_hash_bytes(o->id, o->idlen));
        } else {
            h = pl_hash_step(h, r->other);
        }
        h = pl_hash_step(h, (uint64_t)r->team << 32 | r->aux);
        h = pl_hash_step(h, r->key ? pl_hash_bytes(r->key->key, r->key->len) : 0);
        const char *ref = ref_str(rv, r);
        h = pl_hash_step(h, ref ? pl_hash_bytes(ref, strlen(ref)) : 1);
    }
    for (size_t i = 0; i < ctx->n_rewards; i++) h = pl_hash_step(h, ctx->rewards[i]->stock_gen);
    return pl_mix64(h);
}

static void put_str16(pl_buf *b, const char *s, size_t n)
{
    pl_put16(b, (uint16_t)n);
    if (n) pl_buf_put(b, s, n);
}

/* Section body: u64 count, then per remembered event that can still be
 * matched, in acceptance order: u8 type, u8 flags (1 revoked, 2 took a
 * unit of stock), i64 ts, i64 p, u32 member, u32 other, u32 team, u32 aux,
 * string key (u16 length, 0: none), string ref (likewise); then u32 R and
 * each reward's stock generation. */
void pl_revoke_encode(const plaudit_ctx *ctx, pl_buf *b)
{
    const pl_revokes *rv = ctx->rv;
    uint64_t n = 0;
    if (rv)
        for (size_t i = rv->head; i < rv->n; i++) n += (uint64_t)rec_live(ctx, &rv->recs[i]);
    pl_put64(b, n);
    for (size_t i = rv ? rv->head : 0; rv && i < rv->n; i++) {
        const pl_rev *r = &rv->recs[i];
        if (!rec_live(ctx, r)) continue;
        unsigned char tf[2] = {(unsigned char)pl_rev_type(r),
                               (unsigned char)((r->w & PL_RV_REVOKED ? 1 : 0) | (r->w & PL_RV_STOCK ? 2 : 0))};
        pl_buf_put(b, tf, 2);
        pl_put64(b, (uint64_t)pl_rev_ts(r));
        pl_put64(b, (uint64_t)r->p);
        pl_put32(b, r->member);
        pl_put32(b, r->other);
        pl_put32(b, r->team);
        pl_put32(b, r->aux);
        put_str16(b, r->key ? r->key->key : NULL, r->key ? r->key->len : 0);
        const char *ref = ref_str(rv, r);
        put_str16(b, ref, ref ? strlen(ref) : 0);
    }
    pl_put32(b, (uint32_t)ctx->n_rewards);
    for (size_t i = 0; i < ctx->n_rewards; i++) pl_put32(b, ctx->rewards[i]->stock_gen);
}

static int dec_bad(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot does not fit the program: remembered events: %s", what);
}

int pl_revoke_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    size_t off = 0;
#define NEED(k) \
    do { \
        if (n - off < (k)) return dec_bad(ctx, "truncated"); \
    } while (0)
    NEED(8);
    uint64_t cnt = pl_rd64(p);
    off = 8;
    if (cnt > (n - off) / 40) return dec_bad(ctx, "count out of range");
    pl_revokes *rv = NULL;
    int rc;
    if (cnt && (rc = rv_get(ctx, &rv))) return rc;
    for (uint64_t i = 0; i < cnt; i++) {
        NEED(36);
        unsigned type = p[off], flags = p[off + 1];
        int64_t ts = (int64_t)pl_rd64(p + off + 2);
        pl_rev r;
        memset(&r, 0, sizeof r);
        r.p = (int64_t)pl_rd64(p + off + 10);
        r.member = pl_rd32(p + off + 18);
        r.other = pl_rd32(p + off + 22);
        r.team = pl_rd32(p + off + 26);
        r.aux = pl_rd32(p + off + 30);
        off += 34;
        size_t lim;
        switch (type) {
        case PLAUDIT_EVENT_ACTION: lim = ctx->n_actions; break;
        case PLAUDIT_EVENT_KUDOS: lim = ctx->n_members; break;
        case PLAUDIT_EVENT_AWARD: lim = ctx->n_badges; break;
        case PLAUDIT_EVENT_REDEEM: lim = ctx->n_rewards; break;
        case PLAUDIT_EVENT_ADJUST: lim = SIZE_MAX; break;
        default: return dec_bad(ctx, "event type");
        }
        if (ts < 0 || ts > PLAUDIT_MAX_TS || flags > 3 || r.member >= ctx->n_members ||
            (r.team != UINT32_MAX && r.team >= plaudit_team_count(ctx)) ||
            (lim != SIZE_MAX && r.other >= lim && !(type != PLAUDIT_EVENT_KUDOS && r.other == PL_RV_GONE)) ||
            (type == PLAUDIT_EVENT_KUDOS && r.other == r.member) ||
            (type == PLAUDIT_EVENT_AWARD && r.other != PL_RV_GONE && ctx->badges[r.other]->kind != PLAUDIT_CRITERION_MANUAL))
            return dec_bad(ctx, "field out of range");
        r.w = (uint64_t)ts | (uint64_t)type << PL_RV_TS_BITS | (flags & 1 ? PL_RV_REVOKED : 0) |
              (flags & 2 ? PL_RV_STOCK : 0);
        NEED(2);
        size_t kl = pl_rd16(p + off);
        off += 2;
        NEED(kl);
        pl_key *key = NULL;
        if (kl) {
            if (kl > PL_KEY_MAX) return dec_bad(ctx, "event id");
            HASH_FIND(hh, ctx->key_h, p + off, kl, key);
            if (!key || key->rev) return dec_bad(ctx, "event id not among the keys, or listed twice");
        }
        off += kl;
        NEED(2);
        size_t fl = pl_rd16(p + off);
        off += 2;
        NEED(fl);
        if (fl > PL_KEY_MAX || memchr(p + off, 0, fl)) return dec_bad(ctx, "ref");
        if (!kl && !fl) return dec_bad(ctx, "an event with neither id nor ref");
        pl_ref *f = NULL;
        if (fl && !(f = ref_find(rv, (const char *)p + off, fl))) {
            if (pl_grow(&ctx->alloc, (void **)&rv->free_slots, &rv->cap_free, rv->n_refv + 1, sizeof *rv->free_slots) ||
                !(f = ref_new(ctx, rv, (const char *)p + off, fl)))
                return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        }
        off += fl;
        if (pl_grow(&ctx->alloc, (void **)&rv->recs, &rv->cap, rv->n + 1, sizeof *rv->recs))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        rec_append(rv, &r, f, key);
    }
    NEED(4);
    if (pl_rd32(p + off) != ctx->n_rewards) return dec_bad(ctx, "reward count");
    off += 4;
    NEED(4 * (size_t)ctx->n_rewards);
    for (size_t i = 0; i < ctx->n_rewards; i++, off += 4) ctx->rewards[i]->stock_gen = pl_rd32(p + off);
#undef NEED
    if (off != n) return dec_bad(ctx, "length");
    return PLAUDIT_OK;
}

void pl_revoke_reset(plaudit_ctx *ctx)
{
    pl_revokes *rv = ctx->rv;
    if (!rv) return;
    PL_UH(&ctx->alloc);
    pl_ref *f, *tmp;
    HASH_ITER(hh, rv->ref_h, f, tmp) {
        HASH_DELETE(hh, rv->ref_h, f);
        pl_free(&ctx->alloc, f);
    }
    rv->n_refv = rv->n_free = 0;
    rv->n = rv->head = 0;
    rv->noted = 0;
    rv->ref_new = rv->ref_use = NULL;
    rv->n_match = rv->n_touched = 0;
}

void pl_revoke_free(plaudit_ctx *ctx)
{
    pl_revokes *rv = ctx->rv;
    if (!rv) return;
    pl_revoke_reset(ctx);
    const pl_alloc *a = &ctx->alloc;
    pl_free(a, rv->recs);
    pl_free(a, rv->refv);
    pl_free(a, rv->free_slots);
    pl_free(a, rv->match);
    pl_free(a, rv->touched);
    pl_buf_free(&rv->strs);
    pl_free(a, rv);
    ctx->rv = NULL;
}

void pl_revoke_usage(const plaudit_ctx *ctx, uint64_t *events, uint64_t *refs, uint64_t *bytes)
{
    const pl_revokes *rv = ctx->rv;
    *events = *refs = *bytes = 0;
    if (!rv) return;
    *events = rv->n - rv->head;
    *bytes = rv->cap * sizeof *rv->recs + rv->cap_refv * sizeof *rv->refv + rv->cap_free * sizeof *rv->free_slots;
    for (const pl_ref *f = rv->ref_h; f; f = f->hh.next) {
        (*refs)++;
        *bytes += sizeof *f + f->len + 1;
    }
    if (rv->ref_h) *bytes += rv->ref_h->hh.tbl->num_buckets * sizeof(UT_hash_bucket) + sizeof(UT_hash_table);
}

/* ---- a program event: rule indexes by id ------------------------------------- */

static uint32_t badge_index(const plaudit_ctx *ctx, const char *id)
{
    const pl_badge *g = pl_badge_find(ctx, id);
    if (g) return g->idx;
    for (size_t i = 0; i < ctx->n_badges; i++) /* retired badges are not indexed */
        if (strcmp(ctx->badges[i]->id, id) == 0) return (uint32_t)i;
    return PL_RV_GONE;
}

void pl_revoke_remap(plaudit_ctx *ctx, const plaudit_ctx *old)
{
    /* a reward's stock is the same one unless it was unlimited before */
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        pl_reward *r = ctx->rewards[i];
        const pl_reward *o = pl_reward_find(old, r->id);
        r->stock_gen = !o ? 0 : o->stock0 == PLAUDIT_UNSET && r->stock0 != PLAUDIT_UNSET ? o->stock_gen + 1 : o->stock_gen;
    }
    pl_revokes *rv = ctx->rv;
    if (!rv) return;
    for (size_t i = rv->head; i < rv->n; i++) {
        pl_rev *r = &rv->recs[i];
        if (r->other == PL_RV_GONE) continue;
        const void *found;
        switch (pl_rev_type(r)) {
        case PLAUDIT_EVENT_ACTION:
            found = pl_action_find(ctx, old->actions[r->other]->id);
            r->other = found ? ((const pl_action *)found)->idx : PL_RV_GONE;
            break;
        case PLAUDIT_EVENT_AWARD: r->other = badge_index(ctx, old->badges[r->other]->id); break;
        case PLAUDIT_EVENT_REDEEM:
            found = pl_reward_find(ctx, old->rewards[r->other]->id);
            r->other = found ? ((const pl_reward *)found)->idx : PL_RV_GONE;
            break;
        default: break;
        }
    }
}
