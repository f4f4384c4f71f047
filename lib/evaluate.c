/* evaluate.c - what happens to one member inside an event: points awarded
 * (floors, balance, qualification windows, leaderboard slots), tier
 * evaluation (qualification windows and the lifetime floor), badge
 * evaluation (levels, repeatable badges, bonuses), and the recognition
 * moments they produce.  Every write goes through pl_touch first, so the
 * transaction can roll it back. */
#include "internal.h"

int pl_touch(plaudit_ctx *ctx, pl_member *m)
{
    pl_txn *t = &ctx->txn;
    if (m->mark == t->serial) return PLAUDIT_OK;
    size_t sz = ctx->lay.state_size;
    if (pl_grow(&ctx->alloc, (void **)&t->undo, &t->cap_undo, t->n_undo + 1, sizeof *t->undo) ||
        pl_grow(&ctx->alloc, (void **)&t->arena, &t->arena_cap, t->arena_len + sz, 1))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording member \"%s\"", m->id);
    pl_undo *u = &t->undo[t->n_undo++];
    u->m = m;
    u->is_new = 0;
    u->saved = t->arena_len;
    memcpy(t->arena + t->arena_len, &m->st, sz);
    t->arena_len += sz;
    m->mark = t->serial;
    return PLAUDIT_OK;
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
    int rc = pl_moment(ctx, &mo);
    if (rc) return rc;
    mo->kind = PLAUDIT_MOMENT_POINTS;
    mo->ts = ts;
    mo->member = m->id;
    mo->points = aw;
    mo->source = src;
    mo->source_id = src_id;

    st->points = np;
    st->balance = pl_sat_add(st->balance, aw);
    if (st->balance < 0) st->balance = 0;
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
        if (b->period == PLAUDIT_PERIOD_ALL) {
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
            if (ok && PL_TRK(ctx, m)[t->trk].aux != k) {
                if ((rc = pl_touch(ctx, m))) return rc;
                PL_TRK(ctx, m)[t->trk].aux = k; /* qualified in this period */
            }
            h = window_held(&PL_TRK(ctx, m)[t->trk], k);
        }
        if (ok && t->lifetime && (int32_t)i > m->st.lifetime_tier) {
            if ((rc = pl_touch(ctx, m))) return rc;
            m->st.lifetime_tier = (int32_t)i;
        }
        if (h) held = (int32_t)i;
    }
    int32_t tier = held > m->st.lifetime_tier ? held : m->st.lifetime_tier;
    if (tier == m->st.tier) return PLAUDIT_OK;
    if ((rc = pl_touch(ctx, m))) return rc;
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

/* Find or insert (sorted) the earned entry of badge b.  Growing the array
 * allocates a new one, so the transaction can restore the old pointer. */
static int earned_entry(plaudit_ctx *ctx, pl_member *m, uint32_t b, int64_t ts, pl_earned **out)
{
    pl_mstate *st = &m->st;
    uint32_t pos = 0;
    while (pos < st->n_badges && st->badges[pos].badge < b) pos++;
    if (pos < st->n_badges && st->badges[pos].badge == b) {
        *out = &st->badges[pos];
        return PLAUDIT_OK;
    }
    if (st->n_badges == st->cap_badges) {
        pl_txn *t = &ctx->txn;
        uint32_t cap = st->cap_badges ? st->cap_badges * 2 : 4;
        if (pl_grow(&ctx->alloc, (void **)&t->fresh, &t->cap_fresh, t->n_fresh + 1, sizeof *t->fresh) ||
            pl_grow(&ctx->alloc, (void **)&t->stale, &t->cap_stale, t->n_stale + 1, sizeof *t->stale))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
        pl_earned *nb = pl_malloc(&ctx->alloc, sizeof *nb * cap);
        if (!nb) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording a badge");
        if (st->n_badges) memcpy(nb, st->badges, sizeof *nb * st->n_badges);
        t->fresh[t->n_fresh++] = nb;
        if (st->badges) t->stale[t->n_stale++] = st->badges;
        st->badges = nb;
        st->cap_badges = cap;
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
    int rc = pl_touch(ctx, m);
    pl_earned *e;
    if (rc || (rc = earned_entry(ctx, m, g->idx, ts, &e))) return rc;
    e->n = pl_sat_inc32(e->n);
    e->period = period;
    e->last_ts = ts;
    return badge_moment(ctx, m, g, ts, 1, e->n, board);
}

/* Unlock levels (from, to] of a levelled badge, each with its bonus. */
static int unlock_levels(plaudit_ctx *ctx, pl_member *m, const pl_badge *g, int64_t ts, uint32_t to)
{
    int rc = pl_touch(ctx, m);
    pl_earned *e;
    if (rc || (rc = earned_entry(ctx, m, g->idx, ts, &e))) return rc;
    uint32_t from = e->n;
    e->n = to;
    e->last_ts = ts;
    for (uint32_t l = from + 1; l <= to; l++)
        if ((rc = badge_moment(ctx, m, g, ts, l, 1, NULL))) return rc;
    return PLAUDIT_OK;
}

/* Evaluate badge eval_badges[i]. */
static inline int eval_one(plaudit_ctx *ctx, pl_member *m, int64_t ts, const uint32_t *K, size_t i, int *changed)
{
    const pl_badge *g = ctx->badges[ctx->eval_badges[i]];
    const pl_earned *e = m->st.n_badges ? pl_member_earned(ctx, m, g->idx) : NULL;
    int rc;
    if (g->repeatable) {
        uint32_t k = K[g->within];
        if (e && e->period == k) return PLAUDIT_OK;
        if (pl_badge_value(ctx, m, g, ts) < g->thr[0]) return PLAUDIT_OK;
        if ((rc = pl_badge_credit(ctx, m, g, ts, k, NULL))) return rc;
        *changed = 1;
        return PLAUDIT_OK;
    }
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
    *changed = 1;
    return PLAUDIT_OK;
}

/* One pass over the badges in declaration order.  With a list, only the
 * listed positions are evaluated until something changes; from then on
 * every later badge is (the skipped ones could not have changed before). */
static int eval_badges(plaudit_ctx *ctx, pl_member *m, int64_t ts, int *changed, const uint32_t *list, size_t n_list)
{
    const uint32_t *K = pl_keys(ctx, ts);
    int rc;
    size_t i = 0;
    if (list && !*changed) {
        for (size_t j = 0; j < n_list; j++) {
            i = list[j];
            if ((rc = eval_one(ctx, m, ts, K, i, changed))) return rc;
            if (*changed) {
                i++;
                goto rest;
            }
        }
        return PLAUDIT_OK;
    }
rest:
    for (; i < ctx->n_eval_badges; i++)
        if ((rc = eval_one(ctx, m, ts, K, i, changed))) return rc;
    return PLAUDIT_OK;
}

static int evaluate(plaudit_ctx *ctx, pl_member *m, int64_t ts, const uint32_t *list, size_t n_list)
{
    /* Bonuses only add points, so each pass can only unlock more: the loop
     * ends after at most (levels + tiers) passes. */
    for (;;) {
        int changed = 0, rc;
        if ((rc = eval_tiers(ctx, m, ts, &changed))) return rc;
        if ((rc = eval_badges(ctx, m, ts, &changed, list, n_list))) return rc;
        if (!changed) return PLAUDIT_OK;
        list = NULL; /* after a change, every badge is evaluated */
    }
}

int pl_evaluate(plaudit_ctx *ctx, pl_member *m, int64_t ts) { return evaluate(ctx, m, ts, NULL, 0); }

int pl_evaluate_after(plaudit_ctx *ctx, pl_member *m, int64_t ts, uint32_t list)
{
    const uint32_t *st = ctx->evl_start;
    if (!st) return evaluate(ctx, m, ts, NULL, 0);
    return evaluate(ctx, m, ts, ctx->evl_pos + st[list], st[list + 1] - st[list]);
}

/* ---- first-pass lists ---------------------------------------------------------
 *
 * Between two evaluations of a member its badge values change only through
 * its state and the time.  After an evaluation reaches its fixed point,
 * every badge is at the highest level its value allows (a repeatable one is
 * earned in the current period or below its threshold).  An event then
 * changes a few counters before evaluating again; a badge whose value none
 * of those changes can raise, and that time alone cannot raise, is still
 * at its level, so the first pass may skip it.  Time alone raises tenure;
 * it lowers counts within a period and streaks (a new period starts them
 * at 0), which matters only for a repeatable badge with a threshold of 0,
 * earned again in every period.  A tier badge changes only with the tier,
 * which eval_tiers reports as a change (then every badge is evaluated).
 * A member created by the event counts as evaluated before it with all its
 * counters at 0: only badges with a threshold of 0 hold then, and those are
 * on every list. */

#define TRIG_TIME 1u
#define TRIG_POINTS 2u
#define TRIG_DISTINCT 4u
#define TRIG_GIVEN 8u
#define TRIG_RECEIVED 16u
#define TRIG_ACTION 32u
#define TRIG_NONE 0u

static unsigned badge_trig(const pl_badge *g)
{
    if (g->n_thr && g->thr[0] <= 0) return TRIG_TIME; /* holds with nothing done */
    switch (g->kind) {
    case PLAUDIT_CRITERION_ACTION_COUNT:
    case PLAUDIT_CRITERION_ACTION_STREAK: return TRIG_ACTION;
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: return TRIG_DISTINCT;
    case PLAUDIT_CRITERION_POINTS: return TRIG_POINTS;
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: return TRIG_RECEIVED;
    case PLAUDIT_CRITERION_KUDOS_GIVEN: return TRIG_GIVEN;
    case PLAUDIT_CRITERION_TIER: return TRIG_NONE;
    default: return TRIG_TIME; /* tenure, and anything not listed above */
    }
}

/* Which changes each list stands for (action lists: TRIG_ACTION for that
 * action, plus these). */
static unsigned list_mask(uint32_t list)
{
    switch (list) {
    case PL_EVL_TIME: return TRIG_TIME;
    case PL_EVL_POINTS: return TRIG_TIME | TRIG_POINTS;
    case PL_EVL_KUDOS_GIVEN: return TRIG_TIME | TRIG_GIVEN;
    case PL_EVL_KUDOS_RECEIVED: return TRIG_TIME | TRIG_RECEIVED | TRIG_POINTS;
    default: return TRIG_TIME | TRIG_POINTS | TRIG_DISTINCT;
    }
}

static int in_list(const plaudit_ctx *ctx, uint32_t list, const pl_badge *g)
{
    unsigned t = badge_trig(g);
    if (t & list_mask(list)) return 1;
    return t == TRIG_ACTION && list >= PL_EVL_ACTION && (uint32_t)g->action == list - PL_EVL_ACTION;
}

int pl_eval_lists_build(plaudit_ctx *ctx)
{
    size_t n_lists = PL_EVL_ACTION + ctx->n_actions;
    size_t total = 0;
    for (uint32_t l = 0; l < n_lists; l++)
        for (size_t i = 0; i < ctx->n_eval_badges; i++) total += in_list(ctx, l, ctx->badges[ctx->eval_badges[i]]);
    ctx->evl_start = pl_malloc(&ctx->alloc, sizeof(uint32_t) * (n_lists + 1));
    ctx->evl_pos = pl_malloc(&ctx->alloc, sizeof(uint32_t) * (total ? total : 1));
    if (!ctx->evl_start || !ctx->evl_pos) {
        pl_eval_lists_free(ctx);
        return PLAUDIT_ENOMEM;
    }
    uint32_t n = 0;
    for (uint32_t l = 0; l < n_lists; l++) {
        ctx->evl_start[l] = n;
        for (size_t i = 0; i < ctx->n_eval_badges; i++)
            if (in_list(ctx, l, ctx->badges[ctx->eval_badges[i]])) ctx->evl_pos[n++] = (uint32_t)i;
    }
    ctx->evl_start[n_lists] = n;
    return PLAUDIT_OK;
}

void pl_eval_lists_free(plaudit_ctx *ctx)
{
    pl_free(&ctx->alloc, ctx->evl_start);
    pl_free(&ctx->alloc, ctx->evl_pos);
    ctx->evl_start = ctx->evl_pos = NULL;
}
