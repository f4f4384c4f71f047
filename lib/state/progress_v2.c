/* progress_v2.c - what a member's progress says of format 2 rules: the
 * benefits of its tier and of the next one, a dated badge's range, and a
 * challenge's parts (each sub-criterion's value and target). */
#include "internal.h"

static const char *const *benefits(const pl_tier *t, size_t *n)
{
    *n = t ? t->n_benefits : 0;
    return *n ? (const char *const *)t->benefits : NULL;
}

int pl_progress_v2(plaudit_ctx *ctx, const pl_member *m, plaudit_progress *out, int32_t tier, int64_t ts)
{
    out->benefits = benefits(tier >= 0 ? ctx->tiers[tier] : NULL, &out->n_benefits);
    out->next_benefits =
        benefits((size_t)(tier + 1) < ctx->n_tiers ? ctx->tiers[tier + 1] : NULL, &out->n_next_benefits);
    size_t parts = 0;
    for (size_t i = 0; i < out->n_badges; i++) {
        const pl_badge *g = pl_badge_find(ctx, out->badges[i].badge);
        parts += g->n_sub;
    }
    if (parts && pl_grow(&ctx->alloc, (void **)&ctx->q_parts, &ctx->cap_q_parts, parts, sizeof *ctx->q_parts))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory computing progress");
    size_t k = 0;
    plaudit_badge_progress *bp = ctx->q_prog;
    for (size_t i = 0; i < out->n_badges; i++) {
        const pl_badge *g = pl_badge_find(ctx, bp[i].badge);
        bp[i].from = g->from;
        bp[i].until = g->until;
        bp[i].n_parts = g->n_sub;
        bp[i].parts = g->n_sub ? &ctx->q_parts[k] : NULL;
        for (uint32_t j = 0; j < g->n_sub; j++, k++) {
            const pl_badge *s = &g->sub[j];
            plaudit_part_progress *p = &ctx->q_parts[k];
            p->criterion = s->kind;
            p->action = s->action >= 0 ? ctx->actions[s->action]->id : NULL;
            p->tier = s->tier >= 0 ? ctx->tiers[s->tier]->id : NULL;
            p->within = s->kind == PLAUDIT_CRITERION_ACTION_COUNT ? s->within : PLAUDIT_PERIOD_NONE;
            p->current = pl_badge_value(ctx, m, s, ts);
            p->target = s->thr[0];
            p->met = p->current >= p->target;
        }
    }
    return PLAUDIT_OK;
}

int plaudit_tier_benefits(plaudit_ctx *ctx, const char *tier, const char *const **out, size_t *n)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !n || !tier) return pl_err(ctx, PLAUDIT_EINVAL, "tier, out or n is NULL");
    *out = NULL;
    *n = 0;
    const pl_tier *t = pl_tier_find(ctx, tier);
    if (!t) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown tier \"%s\"", tier);
    *out = benefits(t, n);
    pl_ok(ctx);
    return PLAUDIT_OK;
}
