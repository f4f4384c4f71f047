/* query.c - read-only questions about members: their state, per-action
 * counts, affinities, earned badges, progress towards the next tier and
 * each visible badge, the member list, and reward stock. */
#include "internal.h"

static int member_arg(plaudit_ctx *ctx, const char *member, pl_member **out)
{
    if (!member) return pl_err(ctx, PLAUDIT_EINVAL, "member is NULL");
    *out = pl_member_find(ctx, member);
    if (!*out) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown member \"%s\"", member);
    return PLAUDIT_OK;
}

int plaudit_member_get(plaudit_ctx *ctx, const char *member, plaudit_member_info *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    pl_member *m;
    int rc = member_arg(ctx, member, &m);
    if (rc) return rc;
    const pl_mstate *st = &m->st;
    out->id = m->id;
    out->joined = st->joined;
    out->last_ts = pl_member_last(ctx, m);
    out->points = st->points;
    out->balance = st->balance;
    out->tier = st->tier >= 0 ? ctx->tiers[st->tier]->id : NULL;
    out->segment = st->segment >= 0 ? ctx->segments[st->segment]->id : NULL;
    out->segment_pinned = !!(st->flags & PL_MF_PINNED);
    out->leaderboards = !(st->flags & PL_MF_OPTED_OUT);
    out->kudos_given = st->kudos_given;
    out->kudos_received = st->kudos_received;
    out->distinct_actions = st->distinct;
    out->n_badges = st->n_badges;
    out->team = pl_team_id(ctx, st->team);
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_member_action_count(plaudit_ctx *ctx, const char *member, const char *action, uint64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = 0;
    pl_member *m;
    int rc = member_arg(ctx, member, &m);
    if (rc) return rc;
    const pl_action *a = action ? pl_action_find(ctx, action) : NULL;
    if (!a) return pl_err(ctx, action ? PLAUDIT_ENOTFOUND : PLAUDIT_EINVAL, "unknown action \"%s\"",
                          action ? action : "(null)");
    *out = PL_CCOUNTS(ctx, m)[a->idx];
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_member_affinity(plaudit_ctx *ctx, const char *member, const char *segment, int64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = 0;
    pl_member *m;
    int rc = member_arg(ctx, member, &m);
    if (rc) return rc;
    const pl_segment *s = segment ? pl_segment_find(ctx, segment) : NULL;
    if (!s) return pl_err(ctx, segment ? PLAUDIT_ENOTFOUND : PLAUDIT_EINVAL, "unknown segment \"%s\"",
                          segment ? segment : "(null)");
    *out = pl_member_affinity(ctx, m, s);
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_member_badges(plaudit_ctx *ctx, const char *member, const plaudit_badge_earned **out, size_t *n)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !n) return pl_err(ctx, PLAUDIT_EINVAL, "out or n is NULL");
    *out = NULL;
    *n = 0;
    pl_member *m;
    int rc = member_arg(ctx, member, &m);
    if (rc) return rc;
    if (pl_grow(&ctx->alloc, (void **)&ctx->q_earned, &ctx->cap_q_earned, m->st.n_badges, sizeof *ctx->q_earned))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory listing badges");
    for (uint32_t i = 0; i < m->st.n_badges; i++) {
        const pl_earned *e = &m->st.badges[i];
        const pl_badge *g = ctx->badges[e->badge];
        plaudit_badge_earned *q = &ctx->q_earned[i];
        q->badge = g->id;
        q->level = g->repeatable || g->kind == PLAUDIT_CRITERION_MANUAL ? 1 : e->n;
        q->times = g->repeatable || g->kind == PLAUDIT_CRITERION_MANUAL ? e->n : 1;
        q->first_ts = e->first_ts;
        q->last_ts = e->last_ts;
    }
    *out = ctx->q_earned;
    *n = m->st.n_badges;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_member_progress(plaudit_ctx *ctx, const char *member, plaudit_progress *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    memset(out, 0, sizeof *out);
    pl_member *m;
    int rc = member_arg(ctx, member, &m);
    if (rc) return rc;
    int64_t ts = ctx->clock > m->st.last_ts ? ctx->clock : m->st.last_ts;
    const uint32_t *K = pl_keys(ctx, ts);
    int32_t tier = pl_tier_now(ctx, m, ts);
    int64_t tenure = ts > m->st.joined ? (ts - m->st.joined) / 86400 : 0;
    out->tier = tier >= 0 ? ctx->tiers[tier]->id : NULL;
    if ((size_t)(tier + 1) < ctx->n_tiers) {
        const pl_tier *t = ctx->tiers[tier + 1];
        int64_t have = m->st.points;
        if (t->trk >= 0) {
            const pl_trk *w = &PL_CTRK(ctx, m)[t->trk];
            have = w->period == K[t->window] ? w->value : 0;
        }
        out->next_tier = t->id;
        out->next_points = have >= t->min_points ? 0 : t->min_points - have;
        out->next_distinct_actions = (int64_t)m->st.distinct >= t->min_distinct ? 0 : t->min_distinct - m->st.distinct;
        out->next_tenure_days = tenure >= t->min_tenure_days ? 0 : t->min_tenure_days - tenure;
    }
    /* The qualification tier the member holds now, if any (the highest). */
    for (size_t i = ctx->n_window_tiers; i-- > 0;) {
        const pl_tier *t = ctx->tiers[ctx->window_tiers[i]];
        const pl_trk *w = &PL_CTRK(ctx, m)[t->trk];
        uint32_t k = K[t->window];
        if (!(w->aux && (w->aux == k || w->aux + 1 == k))) continue;
        int64_t have = w->period == k ? w->value : 0;
        out->keep_tier = t->id;
        out->keep_points = w->aux == k || have >= t->min_points ? 0 : t->min_points - have;
        break;
    }
    if (pl_grow(&ctx->alloc, (void **)&ctx->q_prog, &ctx->cap_q_prog, ctx->n_badges, sizeof *ctx->q_prog))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory computing progress");
    size_t n = 0;
    for (size_t i = 0; i < ctx->n_badges; i++) {
        const pl_badge *g = ctx->badges[i];
        const pl_earned *e = pl_member_earned(ctx, m, (uint32_t)i);
        if (g->kind == PLAUDIT_CRITERION_MANUAL || g->retired) continue;
        if (g->hidden && !e) continue;
        plaudit_badge_progress *p = &ctx->q_prog[n];
        memset(p, 0, sizeof *p);
        p->badge = g->id;
        p->criterion = g->kind;
        if (g->kind == PLAUDIT_CRITERION_LEADERBOARD) {
            pl_boards_sync(ctx);
            const pl_board *b = ctx->boards[g->board];
            const pl_slot *s = &PL_CSLOTS(ctx, m)[b->idx];
            p->levels = 1;
            p->level = e ? 1 : 0;
            p->current = s->ranked && s->period == b->cur ? (int64_t)pl_rank_rank(b->rank, s->score, s->ts, m->idx) : 0;
            p->next = g->top;
            n++;
            continue;
        }
        if (g->repeatable) {
            p->levels = 1;
            p->level = e ? 1 : 0;
            p->current = pl_badge_value(ctx, m, g, ts);
            p->next = g->thr[0];
            p->earned_this_period = e && e->period == K[g->within];
            n++;
            continue;
        }
        uint32_t levels = g->kind == PLAUDIT_CRITERION_TIER ? 1 : g->n_thr;
        uint32_t have = e ? e->n : 0;
        if (have >= levels) continue; /* fully earned */
        p->levels = levels;
        p->level = have;
        p->current = pl_badge_value(ctx, m, g, ts);
        p->next = g->kind == PLAUDIT_CRITERION_TIER ? 1 : g->thr[have];
        n++;
    }
    out->n_badges = n;
    out->badges = ctx->q_prog;
    if (ctx->format >= 2 && (rc = pl_progress_v2(ctx, m, out, tier, ts))) return rc;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

uint64_t plaudit_member_count(const plaudit_ctx *ctx) { return ctx ? ctx->n_members : 0; }

int plaudit_member_list(plaudit_ctx *ctx, uint64_t start, size_t max, const char **ids, size_t *n, uint64_t *next)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!n || (max && !ids)) return pl_err(ctx, PLAUDIT_EINVAL, "ids or n is NULL");
    *n = 0;
    size_t i = 0;
    for (uint64_t j = start; j < ctx->n_members && i < max; j++) ids[i++] = ctx->mv[j]->id;
    *n = i;
    if (next) *next = start + i < ctx->n_members ? start + i : ctx->n_members;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_reward_stock(plaudit_ctx *ctx, const char *reward, int64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !reward) return pl_err(ctx, PLAUDIT_EINVAL, "reward or out is NULL");
    const pl_reward *r = pl_reward_find(ctx, reward);
    if (!r) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown reward \"%s\"", reward);
    *out = r->stock0 == PLAUDIT_UNSET ? PLAUDIT_UNSET : r->stock;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
