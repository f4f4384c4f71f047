/* evaluate.c - what happens to one member inside an event: points awarded
 * (floors, balance, qualification windows, leaderboard slots), tier
 * evaluation (qualification windows and the lifetime floor), badge
 * evaluation (levels, repeatable badges, bonuses), and the recognition
 * moments they produce.  Every write goes through pl_touch first, so the
 * transaction can roll it back. */
#include "internal.h"

static int touch_room(plaudit_ctx *ctx, pl_member *m, size_t sz)
{
    pl_txn *t = &ctx->txn;
    if (pl_grow(&ctx->alloc, (void **)&t->undo, &t->cap_undo, t->n_undo + 1, sizeof *t->undo) ||
        pl_grow(&ctx->alloc, (void **)&t->arena, &t->arena_cap, t->arena_len + sz, 1))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording member \"%s\"", m->id);
    return PLAUDIT_OK;
}

/* A member without a tail gets its own (a copy of the template) before
 * its first tail write; the undo entry frees it on rollback. */
static int tail_own(plaudit_ctx *ctx, pl_member *m)
{
    if (pl_member_tail_own(ctx, m)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording member \"%s\"", m->id);
    return PLAUDIT_OK;
}

/* A member whose header only was saved gets a full snapshot before the
 * rest of it is written: its header before the event (the saved tick part,
 * the rest as it is: nothing wrote it yet) and its tail, which nothing
 * wrote yet either; or, without a tail, one of its own. */
static int touch_upgrade(plaudit_ctx *ctx, pl_member *m)
{
    pl_txn *t = &ctx->txn;
    size_t i = t->n_undo;
    while (i > 0 && t->undo[i - 1].m != m) i--; /* a tick evaluates one member at a time: the last */
    if (i == 0 || !t->undo[i - 1].head) return PLAUDIT_OK;
    int rc;
    size_t tsz = m->tail ? ctx->lay.tail_size : 0;
    if ((rc = touch_room(ctx, m, sizeof(pl_mstate) + tsz))) return rc;
    if (!m->tail && (rc = tail_own(ctx, m))) return rc;
    pl_undo *u = &t->undo[i - 1];
    char *dst = t->arena + t->arena_len;
    memcpy(dst, &m->st, sizeof(pl_mstate));
    memcpy(dst, t->arena + u->saved, PL_MSTATE_TICK);
    if (tsz) memcpy(dst + sizeof(pl_mstate), m->tail, tsz);
    else u->tail_new = 1;
    u->saved = t->arena_len;
    u->head = 0;
    t->arena_len += sizeof(pl_mstate) + tsz;
    return PLAUDIT_OK;
}

/* Save m's header (in a tick, head: its tick part only), and its tail
 * unless head (or it has none: the template is its value before, and it
 * gets a tail of its own unless head). */
static int touch(plaudit_ctx *ctx, pl_member *m, int head)
{
    pl_txn *t = &ctx->txn;
    int fresh = !head && !m->tail;
    size_t hsz = head ? PL_MSTATE_TICK : sizeof(pl_mstate);
    size_t sz = hsz + (head || fresh ? 0 : ctx->lay.tail_size);
    int rc = touch_room(ctx, m, sz);
    if (!rc && fresh) rc = tail_own(ctx, m);
    if (rc) return rc;
    pl_undo *u = &t->undo[t->n_undo++];
    u->m = m;
    u->is_new = 0;
    u->head = head;
    u->tail_new = fresh;
    u->saved = t->arena_len;
    memcpy(t->arena + t->arena_len, &m->st, hsz);
    /* the earned badges, a separate allocation the evaluation reads last */
    if (m->st.badges) __builtin_prefetch(m->st.badges);
    if (sz > hsz) memcpy(t->arena + t->arena_len + hsz, m->tail, sz - hsz);
    t->arena_len += sz;
    m->mark = t->serial;
    return PLAUDIT_OK;
}

int pl_touch(plaudit_ctx *ctx, pl_member *m)
{
    const pl_txn *t = &ctx->txn;
    if (m->mark != t->serial) return touch(ctx, m, 0);
    if (t->head_touch) {
        int rc = touch_upgrade(ctx, m);
        if (rc || m->tail) return rc;
    }
    /* A member this event created: its tail goes with it on rollback. */
    return m->tail ? PLAUDIT_OK : tail_own(ctx, m);
}

/* A tick changes most members' headers only (a tier, a badge array): saving
 * just the header keeps the tick's undo small. */
int pl_touch_head(plaudit_ctx *ctx, pl_member *m)
{
    if (m->mark == ctx->txn.serial) return PLAUDIT_OK;
    return touch(ctx, m, ctx->txn.head_touch);
}

int pl_moment(plaudit_ctx *ctx, plaudit_moment **out)
{
    if (pl_grow(&ctx->alloc, (void **)&ctx->moments, &ctx->cap_moments, ctx->n_moments + 1, sizeof *ctx->moments))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording an outcome");
    plaudit_moment *mo = &ctx->moments[ctx->n_moments++];
    memset(mo, 0, sizeof *mo);
    *out = mo;
    return PLAUDIT_OK;
}

static const char *tier_id(const plaudit_ctx *ctx, int32_t t) { return t >= 0 ? ctx->tiers[t]->id : NULL; }

int pl_award(plaudit_ctx *ctx, pl_member *m, int64_t d, int64_t ts, plaudit_source src, const char *src_id)
{
    if (d == 0) return PLAUDIT_OK;
    pl_mstate *st = &m->st;
    int64_t np = pl_sat_add(st->points, d);
    if (np < 0) np = 0;
    int64_t aw = np - st->points;
    if (aw == 0) return PLAUDIT_OK;
    plaudit_moment *mo = NULL;
    int rc = pl_touch(ctx, m); /* after a header-only snapshot (a bonus in a tick) */
    if (!rc) rc = pl_moment(ctx, &mo);
    if (rc) return rc;
    mo->kind = PLAUDIT_MOMENT_POINTS;
    mo->ts = ts;
    mo->member = m->id;
    mo->points = aw;
    mo->source = src;
    mo->source_id = src_id;

    int64_t bal = st->balance;
    st->points = np;
    st->pts_ts = ts;
    st->balance = pl_sat_add(st->balance, aw);
    if (st->balance < 0) st->balance = 0;
    if ((rc = pl_history_note(ctx, m, aw, st->balance - bal, src, src_id, NULL))) return rc;
    const uint32_t *K = pl_keys(ctx, ts);
    pl_trk *trk = PL_TRK(ctx, m);
    for (size_t i = 0; i < ctx->n_window_tiers; i++) {
        const pl_tier *t = ctx->tiers[ctx->window_tiers[i]];
        pl_trk *w = &trk[t->trk];
        uint32_t k = K[t->window];
        if (w->period != k) {
            w->period = k;
            w->value = 0;
        }
        w->value = pl_sat_add(w->value, aw);
    }
    pl_slot *slots = PL_SLOTS(ctx, m);
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *b = ctx->boards[i];
        pl_slot *s = &slots[i];
        if (b->by_team) continue; /* team.c */
        if (b->from != PLAUDIT_UNSET) {
            /* a season: only what is awarded in its range, until frozen */
            if (b->frozen || ts < b->from || ts >= b->until) continue;
            uint32_t k = K[b->period];
            if (k != b->cur) continue;
            if (s->period != k) {
                s->period = k;
                s->score = 0;
            }
            s->score = pl_sat_add(s->score, aw);
        } else if (b->period == PLAUDIT_PERIOD_ALL) {
            s->period = 1;
            s->score = np;
        } else {
            uint32_t k = K[b->period];
            if (k != b->cur) continue; /* an earlier period: not on the board */
            if (s->period != k) {
                s->period = k;
                s->score = 0;
            }
            s->score = pl_sat_add(s->score, aw);
        }
        s->ts = ts;
    }
    if (m == ctx->subject) ctx->subject_points = pl_sat_add(ctx->subject_points, aw);
    if (st->team >= 0 && ctx->n_team_boards) return pl_team_credit(ctx, st->team, aw, ts, ts);
    return PLAUDIT_OK;
}

static int64_t tenure_days(const pl_member *m, int64_t ts)
{
    return ts > m->st.joined ? (ts - m->st.joined) / 86400 : 0;
}

int64_t pl_badge_value(plaudit_ctx *ctx, const pl_member *m, const pl_badge *g, int64_t ts)
{
    const pl_mstate *st = &m->st;
    switch (g->kind) {
    case PLAUDIT_CRITERION_ACTION_COUNT:
        if (g->dtrk >= 0) return PL_CTRK(ctx, m)[g->dtrk].aux; /* a dated badge's count */
        if (g->trk < 0) return PL_CCOUNTS(ctx, m)[g->action];
        /* fallthrough */
    case PLAUDIT_CRITERION_ACTION_STREAK: {
        const pl_trk *t = &PL_CTRK(ctx, m)[g->trk];
        uint32_t k = pl_keys(ctx, ts)[g->kind == PLAUDIT_CRITERION_ACTION_STREAK ? g->per : g->within];
        return t->period == k ? (int64_t)t->aux : 0;
    }
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: return st->distinct;
    case PLAUDIT_CRITERION_POINTS: return st->points;
    case PLAUDIT_CRITERION_TENURE_DAYS: return tenure_days(m, ts);
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: return st->kudos_received > INT64_MAX ? INT64_MAX : (int64_t)st->kudos_received;
    case PLAUDIT_CRITERION_KUDOS_GIVEN: return st->kudos_given > INT64_MAX ? INT64_MAX : (int64_t)st->kudos_given;
    case PLAUDIT_CRITERION_TIER: return st->tier >= g->tier ? 1 : 0;
    case PLAUDIT_CRITERION_ALL: return pl_challenge_value(ctx, m, g, ts);
    default: return 0;
    }
}

/* Whether tier t's criteria hold for m at ts (window tiers: in the window
 * period holding ts). */
static int tier_criteria(plaudit_ctx *ctx, const pl_member *m, const pl_tier *t, int64_t ts, const uint32_t *K)
{
    if ((int64_t)m->st.distinct < t->min_distinct || tenure_days(m, ts) < t->min_tenure_days) return 0;
    if (t->trk < 0) return m->st.points >= t->min_points;
    const pl_trk *w = &PL_CTRK(ctx, m)[t->trk];
    int64_t sum = w->period == K[t->window] ? w->value : 0;
    return sum >= t->min_points;
}

static int window_held(const pl_trk *w, uint32_t k) { return w->aux && (w->aux == k || w->aux + 1 == k); }

int32_t pl_tier_now(plaudit_ctx *ctx, const pl_member *m, int64_t ts)
{
    const uint32_t *K = pl_keys(ctx, ts);
    int32_t held = -1;
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        const pl_tier *t = ctx->tiers[i];
        int ok = tier_criteria(ctx, m, t, ts, K);
        if (t->trk >= 0) ok = ok || window_held(&PL_CTRK(ctx, m)[t->trk], K[t->window]);
        if (ok) held = (int32_t)i;
    }
    return held > m->st.lifetime_tier ? held : m->st.lifetime_tier;
}

static int eval_tiers(plaudit_ctx *ctx, pl_member *m, int64_t ts, int *changed)
{
    const uint32_t *K = pl_keys(ctx, ts);
    int32_t held = -1;
    int rc;
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        const pl_tier *t = ctx->tiers[i];
        int ok = tier_criteria(ctx, m, t, ts, K);
        int h = ok;
        if (t->trk >= 0) {
            uint32_t k = K[t->window];
            if (ok && PL_CTRK(ctx, m)[t->trk].aux != k) {
                if ((rc = pl_touch(ctx, m))) return rc;
                PL_TRK(ctx, m)[t->trk].aux = k; /* qualified in this period */
            }
            h = window_held(&PL_CTRK(ctx, m)[t->trk], k);
        }
        if (ok && t->lifetime && (int32_t)i > m->st.lifetime_tier) {
            if ((rc = pl_touch_head(ctx, m))) return rc;
            m->st.lifetime_tier = (int32_t)i;
        }
        if (ok && t->lifetime && i < 32 && ctx->format >= 2 && !(m->st.lifetime_set & 1u << i)) {
            if ((rc = pl_touch_head(ctx, m))) return rc;
            m->st.lifetime_set |= 1u << i;
        }
        if (h) held = (int32_t)i;
    }
    int32_t tier = held > m->st.lifetime_tier ? held : m->st.lifetime_tier;
    if (tier == m->st.tier) return PLAUDIT_OK;
    if ((rc = pl_touch_head(ctx, m))) return rc;
    plaudit_moment *mo = NULL;
    if ((rc = pl_moment(ctx, &mo))) return rc;
    mo->kind = PLAUDIT_MOMENT_TIER;
    mo->ts = ts;
    mo->member = m->id;
    mo->tier_from = tier_id(ctx, m->st.tier);
    mo->tier_to = tier_id(ctx, tier);
    mo->promoted = tier > m->st.tier;
    ctx->n_tier_moments++;
    m->st.tier = tier;
    *changed = 1;
    return PLAUDIT_OK;
}

/* Room on the transaction's fresh and stale lists for one more array. */
static int txn_room(plaudit_ctx *ctx)
{
    pl_txn *t = &ctx->txn;
    if (pl_grow(&ctx->alloc, (void **)&t->fresh, &t->cap_fresh, t->n_fresh + 1, sizeof *t->fresh) ||
        pl_grow(&ctx->alloc, (void **)&t->stale, &t->cap_stale, t->n_stale + 1, sizeof *t->stale))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
    return PLAUDIT_OK;
}

/* Save `len` bytes at `addr` for the rollback (engine.c writes them back). */
static int span_save(plaudit_ctx *ctx, void *addr, size_t len)
{
    pl_txn *t = &ctx->txn;
    if (pl_grow(&ctx->alloc, (void **)&t->span, &t->cap_span, t->n_span + 1, sizeof *t->span) ||
        pl_grow(&ctx->alloc, (void **)&t->arena, &t->arena_cap, t->arena_len + len, 1))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
    pl_span *sp = &t->span[t->n_span++];
    sp->addr = addr;
    sp->len = len;
    sp->saved = t->arena_len;
    memcpy(t->arena + t->arena_len, addr, len);
    t->arena_len += len;
    return PLAUDIT_OK;
}

/* Find or insert (sorted) the earned entry of badge b; the caller changes
 * only that entry.  Within its capacity the member's array is changed in
 * place: the entries a change moves or writes are saved first (a span) and
 * a rollback writes them back, while the header's saved count hides an
 * appended entry.  An array that grows is copied (fresh in this event, the
 * old one stale), and changes to a fresh array need no saving. */
static int earned_entry(plaudit_ctx *ctx, pl_member *m, uint32_t b, int64_t ts, pl_earned **out)
{
    pl_mstate *st = &m->st;
    pl_txn *t = &ctx->txn;
    uint32_t pos = 0;
    while (pos < st->n_badges && st->badges[pos].badge < b) pos++;
    int found = pos < st->n_badges && st->badges[pos].badge == b;
    uint32_t need = st->n_badges + !found;
    int rc;
    if (need > st->cap_badges) {
        /* room for one, then doubling to 4, then half as much again: most
         * members hold a few badges, and an array is at most a third empty */
        uint32_t c0 = st->cap_badges, cap = c0 < 4 ? (c0 ? c0 * 2 : 1) : c0 + c0 / 2;
        if ((rc = txn_room(ctx))) return rc;
        pl_earned *nb = pl_malloc(&ctx->alloc, sizeof *nb * cap);
        if (!nb) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
        if (st->n_badges) memcpy(nb, st->badges, sizeof *nb * st->n_badges);
        t->fresh[t->n_fresh++] = nb;
        if (st->badges) t->stale[t->n_stale++] = st->badges;
        st->badges = nb;
        st->cap_badges = cap;
        m->bmark = t->serial;
    } else if (m->bmark != t->serial) {
        /* found: the entry the caller writes; else the entries it moves */
        uint32_t n = found ? 1 : st->n_badges - pos;
        if (n && (rc = span_save(ctx, &st->badges[pos], sizeof *st->badges * n))) return rc;
    }
    if (found) {
        *out = &st->badges[pos];
        return PLAUDIT_OK;
    }
    memmove(&st->badges[pos + 1], &st->badges[pos], sizeof *st->badges * (st->n_badges - pos));
    pl_earned *e = &st->badges[pos];
    memset(e, 0, sizeof *e);
    e->badge = b;
    e->first_ts = e->last_ts = ts;
    st->n_badges++;
    *out = e;
    return PLAUDIT_OK;
}

/* For a caller that may also move entries (revoke.c removes one): the
 * array is private to this event, copied if it was not yet. */
static int earned_entry_own(plaudit_ctx *ctx, pl_member *m, uint32_t b, int64_t ts, pl_earned **out)
{
    pl_mstate *st = &m->st;
    pl_txn *t = &ctx->txn;
    if (m->bmark != t->serial && st->n_badges) {
        int rc = txn_room(ctx);
        if (rc) return rc;
        pl_earned *nb = pl_malloc(&ctx->alloc, sizeof *nb * st->cap_badges);
        if (!nb) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
        memcpy(nb, st->badges, sizeof *nb * st->n_badges);
        t->fresh[t->n_fresh++] = nb;
        t->stale[t->n_stale++] = st->badges;
        st->badges = nb;
        m->bmark = t->serial;
    }
    return earned_entry(ctx, m, b, ts, out);
}

/* Record that levels / times (e->n, to] were earned at ts (before e->n is
 * raised to `to`). */
static int earned_stamp(plaudit_ctx *ctx, pl_earned *e, uint32_t to, int64_t ts)
{
    if (to <= 1 || to <= e->n) return PLAUDIT_OK;
    if (to > e->cap_at) {
        pl_txn *t = &ctx->txn;
        uint32_t cap = e->cap_at ? e->cap_at : 2;
        while (cap < to) cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
#if SIZE_MAX <= UINT32_MAX
        if (cap > SIZE_MAX / sizeof *e->at) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
#endif
        int rc = txn_room(ctx);
        if (rc) return rc;
        int64_t *at = pl_malloc(&ctx->alloc, sizeof *at * cap);
        if (!at) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
        if (e->at) memcpy(at, e->at, sizeof *at * e->n);
        else if (e->n) at[0] = e->first_ts;
        t->fresh[t->n_fresh++] = at;
        if (e->at) t->stale[t->n_stale++] = e->at;
        e->at = at;
        e->cap_at = cap;
    }
    for (uint32_t k = e->n ? e->n : 1; k < to; k++) e->at[k] = ts;
    if (e->n == 0) e->at[0] = ts;
    return PLAUDIT_OK;
}

static int badge_moment(plaudit_ctx *ctx, pl_member *m, const pl_badge *g, int64_t ts, uint32_t level,
                        uint32_t times, const char *board)
{
    plaudit_moment *mo = NULL;
    int rc = pl_moment(ctx, &mo);
    if (rc) return rc;
    mo->kind = PLAUDIT_MOMENT_BADGE;
    mo->ts = ts;
    mo->member = m->id;
    mo->badge = g->id;
    mo->level = level;
    mo->times = times;
    mo->leaderboard = board;
    ctx->n_badge_moments++;
    return pl_award(ctx, m, g->bonus, ts, PLAUDIT_SOURCE_BONUS, g->id);
}

int pl_badge_credit(plaudit_ctx *ctx, pl_member *m, const pl_badge *g, int64_t ts, uint32_t period,
                    const char *board)
{
    int rc = pl_touch_head(ctx, m);
    pl_earned *e;
    if (rc || (rc = earned_entry(ctx, m, g->idx, ts, &e))) return rc;
    uint32_t n = pl_sat_inc32(e->n);
    if ((rc = earned_stamp(ctx, e, n, ts))) return rc;
    e->n = n;
    e->period = period;
    e->last_ts = ts;
    return badge_moment(ctx, m, g, ts, 1, e->n, board);
}

/* Unlock levels (from, to] of a levelled badge, each with its bonus. */
static int unlock_levels(plaudit_ctx *ctx, pl_member *m, const pl_badge *g, int64_t ts, uint32_t to)
{
    int rc = pl_touch_head(ctx, m);
    pl_earned *e;
    if (rc || (rc = earned_entry(ctx, m, g->idx, ts, &e))) return rc;
    uint32_t from = e->n;
    if ((rc = earned_stamp(ctx, e, to, ts))) return rc;
    e->n = to;
    e->last_ts = ts;
    for (uint32_t l = from + 1; l <= to; l++)
        if ((rc = badge_moment(ctx, m, g, ts, l, 1, NULL))) return rc;
    return PLAUDIT_OK;
}

/* ---- badge evaluation, skipping what cannot change ------------------------
 *
 * A badge's value depends on a few parts of a member's state and on the
 * time.  After an evaluation reaches its fixed point, every badge is at the
 * highest level its value allows (a repeatable one is earned in the current
 * period, or below its threshold), so evaluating it again changes nothing
 * until one of its inputs rises.  Each evaluated badge has a trigger (what
 * can raise its value); each call knows which triggers the event changed
 * before it, and notes those that change during it (the tier, points paid
 * as bonuses).  A badge is evaluated only if its trigger changed after its
 * last evaluation, which skips exactly the evaluations that would change
 * nothing: the results and the order of moments are those of evaluating
 * every badge in every pass.
 *
 * Time alone raises tenure; it lowers counts within a period and streaks
 * (a new period starts them at 0), which matters only for a badge whose
 * first threshold is 0: such badges are time-triggered, evaluated once in
 * every call.  A member created by the event counts as evaluated before it
 * with every counter at 0, when only those badges hold. */

enum { TRG_TIME = 0, TRG_POINTS, TRG_DISTINCT, TRG_GIVEN, TRG_RECEIVED, TRG_TIER, TRG_ACTION };

/* What can raise a badge's value, its dates aside. */
static uint32_t base_trigger(const plaudit_ctx *ctx, const pl_badge *g)
{
    switch (g->kind) {
    case PLAUDIT_CRITERION_ALL: return TRG_ACTION + (uint32_t)ctx->n_actions + g->chal; /* its own, see below */
    case PLAUDIT_CRITERION_ACTION_COUNT:
    case PLAUDIT_CRITERION_ACTION_STREAK: return TRG_ACTION + (uint32_t)g->action;
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: return TRG_DISTINCT;
    case PLAUDIT_CRITERION_POINTS: return TRG_POINTS;
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: return TRG_RECEIVED;
    case PLAUDIT_CRITERION_KUDOS_GIVEN: return TRG_GIVEN;
    case PLAUDIT_CRITERION_TIER: return TRG_TIER;
    default: return TRG_TIME; /* tenure, and anything not listed above */
    }
}

/* ... and what else can, for a part of a challenge (a dated challenge's
 * parts are dated too) */
static uint32_t undated_trigger(const plaudit_ctx *ctx, const pl_badge *g)
{
    if (g->n_thr && g->thr[0] <= 0) return TRG_TIME; /* holds with nothing done */
    return base_trigger(ctx, g);
}

static uint32_t badge_trigger(const plaudit_ctx *ctx, const pl_badge *g)
{
    if (g->dated) return TRG_TIME; /* can start to hold when its range starts */
    return undated_trigger(ctx, g);
}

/* A challenge holds when all its parts do, so any part's trigger can raise
 * it: each challenge has a synthetic trigger (after the action triggers),
 * and chal_off / chal_list give, per base trigger, the synthetic triggers
 * it raises.  A part that is time-triggered makes its challenge raised in
 * every call, through TRG_TIME. */
static int chal_lists_build(plaudit_ctx *ctx)
{
    size_t nbase = TRG_ACTION + ctx->n_actions, total = 0;
    ctx->chal_off = pl_malloc(&ctx->alloc, sizeof(uint32_t) * (nbase + 1));
    if (!ctx->chal_off) return PLAUDIT_ENOMEM;
    memset(ctx->chal_off, 0, sizeof(uint32_t) * (nbase + 1));
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            for (size_t t = 0; t < nbase; t++) ctx->chal_off[t + 1] += ctx->chal_off[t];
            ctx->chal_list = pl_malloc(&ctx->alloc, sizeof(uint32_t) * (total ? total : 1));
            if (!ctx->chal_list) return PLAUDIT_ENOMEM;
        }
        for (size_t i = 0; i < ctx->n_badges; i++) {
            const pl_badge *g = ctx->badges[i];
            if (g->kind != PLAUDIT_CRITERION_ALL) continue;
            for (uint32_t j = 0; j < g->n_sub; j++) {
                uint32_t t = undated_trigger(ctx, &g->sub[j]);
                if (!pass) {
                    ctx->chal_off[t + 1]++;
                    total++;
                } else {
                    /* chal_off[t] is the next free place of list t while filling */
                    ctx->chal_list[ctx->chal_off[t]++] = (uint32_t)nbase + g->chal;
                }
            }
        }
    }
    /* filling moved each start to its end: shift back */
    for (size_t t = nbase; t > 0; t--) ctx->chal_off[t] = ctx->chal_off[t - 1];
    ctx->chal_off[0] = 0;
    return PLAUDIT_OK;
}

int pl_eval_lists_build(plaudit_ctx *ctx)
{
    size_t nb = ctx->n_eval_badges ? ctx->n_eval_badges : 1;
    ctx->n_trg = TRG_ACTION + ctx->n_actions + ctx->n_chal;
    if (ctx->n_chal && chal_lists_build(ctx)) return PLAUDIT_ENOMEM;
    ctx->evl_trig = pl_malloc(&ctx->alloc, sizeof(uint32_t) * nb);
    ctx->evl_last = pl_malloc(&ctx->alloc, sizeof(uint32_t) * nb);
    ctx->trg_epoch = pl_malloc(&ctx->alloc, sizeof(uint32_t) * ctx->n_trg);
    if (!ctx->evl_trig || !ctx->evl_last || !ctx->trg_epoch) {
        pl_eval_lists_free(ctx);
        return PLAUDIT_ENOMEM;
    }
    for (size_t i = 0; i < ctx->n_eval_badges; i++) {
        ctx->evl_trig[i] = badge_trigger(ctx, ctx->badges[ctx->eval_badges[i]]);
        ctx->evl_last[i] = 0;
    }
    ctx->epoch = 1;
    return PLAUDIT_OK;
}

void pl_eval_lists_free(plaudit_ctx *ctx)
{
    pl_free(&ctx->alloc, ctx->evl_trig);
    pl_free(&ctx->alloc, ctx->evl_last);
    pl_free(&ctx->alloc, ctx->trg_epoch);
    ctx->evl_trig = ctx->evl_last = ctx->trg_epoch = NULL;
}

/* Raise the challenges that base trigger t feeds to epoch e. */
static void chal_dirty(plaudit_ctx *ctx, uint32_t t, uint32_t e)
{
    for (uint32_t j = ctx->chal_off[t]; j < ctx->chal_off[t + 1]; j++) ctx->trg_epoch[ctx->chal_list[j]] = e;
}

/* Note that the inputs of trigger t changed. */
static inline void trg_dirty(plaudit_ctx *ctx, uint32_t t)
{
    ctx->trg_epoch[t] = ++ctx->epoch;
    if (ctx->n_chal) chal_dirty(ctx, t, ctx->epoch);
}

/* Evaluate badge eval_badges[i]; *cur walks the member's sorted earned list
 * alongside (badges are visited in index order). */
static inline int eval_one(plaudit_ctx *ctx, pl_member *m, int64_t ts, const uint32_t *K, size_t i, uint32_t *cur,
                           int *changed)
{
    const pl_badge *g = ctx->badges[ctx->eval_badges[i]];
    const pl_earned *bs = m->st.badges, *e = NULL;
    uint32_t c = *cur, nb = m->st.n_badges;
    while (c < nb && bs[c].badge < g->idx) c++;
    if (c < nb && bs[c].badge == g->idx) e = &bs[c];
    *cur = c;
    int rc;
    if (g->dated && !pl_badge_in_range(g, ts)) return PLAUDIT_OK; /* not evaluated outside its range */
    if (g->repeatable) {
        uint32_t k = K[g->within];
        if (e && e->period == k) return PLAUDIT_OK;
        if (pl_badge_value(ctx, m, g, ts) < g->thr[0]) return PLAUDIT_OK;
        if ((rc = pl_badge_credit(ctx, m, g, ts, k, NULL))) return rc;
    } else {
        uint32_t have = e ? e->n : 0;
        uint32_t levels = g->kind == PLAUDIT_CRITERION_TIER ? 1 : g->n_thr;
        if (have >= levels) return PLAUDIT_OK;
        int64_t v = pl_badge_value(ctx, m, g, ts);
        uint32_t to = have;
        if (g->kind == PLAUDIT_CRITERION_TIER) to = v ? 1 : 0;
        else
            while (to < levels && v >= g->thr[to]) to++;
        if (to == have) return PLAUDIT_OK;
        if ((rc = unlock_levels(ctx, m, g, ts, to))) return rc;
    }
    *changed = 1;
    if (g->bonus) trg_dirty(ctx, TRG_POINTS);
    return PLAUDIT_OK;
}

/* One pass over the badges in declaration order, skipping those whose
 * trigger did not change since their last evaluation. */
static int eval_badges(plaudit_ctx *ctx, pl_member *m, int64_t ts, int *changed)
{
    const uint32_t *K = pl_keys(ctx, ts);
    const uint32_t *trig = ctx->evl_trig, *te = ctx->trg_epoch;
    uint32_t *last = ctx->evl_last;
    uint32_t cur = 0;
    int rc;
    for (size_t i = 0; i < ctx->n_eval_badges; i++) {
        if (te[trig[i]] <= last[i]) {
            /* a dated badge is time-triggered (its range can start), and
             * within a call its value still rises with its own inputs (a
             * bonus paid, a tier reached in an earlier pass) */
            const pl_badge *g = ctx->badges[ctx->eval_badges[i]];
            if (!g->dated || te[base_trigger(ctx, g)] <= last[i]) continue;
        }
        last[i] = ctx->epoch;
        if ((rc = eval_one(ctx, m, ts, K, i, &cur, changed))) return rc;
    }
    return PLAUDIT_OK;
}

/* Start a call: every trigger in `mask` (bits of TRG_* below TRG_ACTION)
 * and the action trigger `action` (or -1) count as changed; `all` marks
 * every trigger. */
static void eval_start(plaudit_ctx *ctx, unsigned mask, int64_t action, int all)
{
    if (++ctx->epoch >= UINT32_MAX - 1024) {
        /* Wrap: forget every last evaluation (a badge then counts as not
         * yet evaluated in this call, which is always sound). */
        for (size_t i = 0; i < ctx->n_eval_badges; i++) ctx->evl_last[i] = 0;
        ctx->epoch = 1;
    }
    uint32_t e = ctx->epoch;
    for (size_t t = 0; t < ctx->n_trg; t++) ctx->trg_epoch[t] = all ? e : 0;
    if (all) return;
    for (uint32_t t = 0; t < TRG_ACTION; t++)
        if (mask & (1u << t)) ctx->trg_epoch[t] = e;
    if (action >= 0) ctx->trg_epoch[TRG_ACTION + action] = e;
    if (ctx->n_chal) {
        for (uint32_t t = 0; t < TRG_ACTION; t++)
            if (mask & (1u << t)) chal_dirty(ctx, t, e);
        if (action >= 0) chal_dirty(ctx, TRG_ACTION + (uint32_t)action, e);
    }
}

static int evaluate(plaudit_ctx *ctx, pl_member *m, int64_t ts)
{
    /* Bonuses only add points, so each pass can only unlock more: the loop
     * ends after at most (levels + tiers) passes. */
    for (;;) {
        int changed = 0, rc;
        if ((rc = eval_tiers(ctx, m, ts, &changed))) return rc;
        if (changed) trg_dirty(ctx, TRG_TIER);
        if ((rc = eval_badges(ctx, m, ts, &changed))) return rc;
        if (!changed) return PLAUDIT_OK;
    }
}

/* A member the program changed under: every badge, once. */
static int reeval(plaudit_ctx *ctx, pl_member *m)
{
    int rc = pl_touch_head(ctx, m);
    if (rc) return rc;
    m->st.flags &= ~PL_MF_REEVAL;
    return PLAUDIT_OK;
}

int pl_evaluate(plaudit_ctx *ctx, pl_member *m, int64_t ts)
{
    int rc;
    if ((m->st.flags & PL_MF_REEVAL) && (rc = reeval(ctx, m))) return rc;
    eval_start(ctx, 0, -1, 1);
    return evaluate(ctx, m, ts);
}

int pl_evaluate_after(plaudit_ctx *ctx, pl_member *m, int64_t ts, uint32_t list)
{
    if (m->st.flags & PL_MF_REEVAL) return pl_evaluate(ctx, m, ts);
    unsigned mask = 1u << TRG_TIME;
    int64_t action = -1;
    switch (list) {
    case PL_EVL_TIME: break;
    case PL_EVL_POINTS: mask |= 1u << TRG_POINTS; break;
    case PL_EVL_KUDOS_GIVEN: mask |= 1u << TRG_GIVEN; break;
    case PL_EVL_KUDOS_RECEIVED: mask |= 1u << TRG_RECEIVED | 1u << TRG_POINTS; break;
    default:
        mask |= 1u << TRG_POINTS | 1u << TRG_DISTINCT;
        action = (int64_t)(list - PL_EVL_ACTION);
        break;
    }
    eval_start(ctx, mask, action, 0);
    return evaluate(ctx, m, ts);
}

int pl_earned_entry(plaudit_ctx *ctx, pl_member *m, uint32_t b, int64_t ts, pl_earned **out)
{
    int rc = pl_touch(ctx, m);
    return rc ? rc : earned_entry_own(ctx, m, b, ts, out);
}
