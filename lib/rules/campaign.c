/* campaign.c - campaigns (format 2): time-boxed point multipliers for some
 * or all actions.  Declared after the actions; at seal each action gets the
 * list of campaigns that name it, so an occurrence looks only at those (an
 * action no campaign names pays nothing for the feature). */
#include <stdio.h>

#include "internal.h"

pl_campaign *pl_campaign_find(const plaudit_ctx *ctx, const char *id)
{
    pl_campaign *c = NULL;
    if (id) HASH_FIND(hh, ctx->campaign_h, id, strlen(id), c);
    return c;
}

static void campaign_free(plaudit_ctx *ctx, pl_campaign *c)
{
    if (!c) return;
    pl_free(&ctx->alloc, c->id);
    pl_free(&ctx->alloc, c->name);
    pl_free(&ctx->alloc, c->description);
    pl_free(&ctx->alloc, c->actions);
    pl_free(&ctx->alloc, c);
}

void pl_campaigns_free(plaudit_ctx *ctx)
{
    PL_UH(&ctx->alloc);
    HASH_CLEAR(hh, ctx->campaign_h);
    for (size_t i = 0; i < ctx->n_campaigns; i++) campaign_free(ctx, ctx->campaigns[i]);
    pl_free(&ctx->alloc, ctx->campaigns);
    ctx->campaigns = NULL;
    ctx->n_campaigns = ctx->cap_campaigns = 0;
}

static int text(plaudit_ctx *ctx, const char *id, const char *field, const char *s, size_t max)
{
    if (!s) return PLAUDIT_OK;
    char what[128];
    snprintf(what, sizeof what, "campaign \"%s\": %s", id, field);
    int rc = pl_check_text(s, 0, max, ctx->errmsg, sizeof ctx->errmsg, what);
    if (rc) ctx->err_code = rc;
    return rc;
}

int plaudit_campaign_declare(plaudit_ctx *ctx, const plaudit_campaign_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!d) return pl_err(ctx, PLAUDIT_EINVAL, "campaign definition is NULL");
    if (d->version != PLAUDIT_CAMPAIGN_DEF_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "campaign definition version %u is not supported (expected %u)",
                      d->version, PLAUDIT_CAMPAIGN_DEF_VERSION);
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "cannot declare rules from inside a listener");
    if (ctx->sealed)
        return pl_err(ctx, PLAUDIT_ESTATE, "cannot declare campaign: the program is sealed once events are recorded");
    int rc = pl_check_rule_id(d->id, ctx->errmsg, sizeof ctx->errmsg, "campaign");
    if (rc) return ctx->err_code = rc;
    if (ctx->format < 2)
        return pl_err(ctx, PLAUDIT_EVERSION, "campaign \"%s\": campaigns need a program of format 2 (plaudit.program/2)",
                      d->id);
    if (pl_campaign_find(ctx, d->id)) return pl_err(ctx, PLAUDIT_EEXIST, "campaign \"%s\": duplicate id", d->id);
    if ((rc = text(ctx, d->id, "name", d->name, PL_NAME_MAX)) ||
        (rc = text(ctx, d->id, "description", d->description, PL_DESC_MAX)))
        return rc;
    if (d->from == PLAUDIT_UNSET || d->until == PLAUDIT_UNSET)
        return pl_err(ctx, PLAUDIT_EINVAL, "campaign \"%s\": needs both from and until", d->id);
    if (d->from < 0 || d->from > PLAUDIT_MAX_TS || d->until < 0 || d->until > PLAUDIT_MAX_TS)
        return pl_err(ctx, PLAUDIT_ERANGE, "campaign \"%s\": from and until must be timestamps (0 to 2^37)", d->id);
    if (d->from >= d->until)
        return pl_err(ctx, PLAUDIT_EINVAL, "campaign \"%s\": from (%lld) must be before until (%lld)", d->id,
                      (long long)d->from, (long long)d->until);
    if (d->percent < 1 || d->percent > 1000)
        return pl_err(ctx, PLAUDIT_ERANGE, "campaign \"%s\": percent %lld is out of range (1 to 1000)", d->id,
                      (long long)d->percent);
    if (d->n_actions && !d->actions)
        return pl_err(ctx, PLAUDIT_EINVAL, "campaign \"%s\": actions given without their array", d->id);
    for (size_t i = 0; i < d->n_actions; i++) {
        if (!d->actions[i] || !pl_action_find(ctx, d->actions[i]))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "campaign \"%s\": unknown action \"%s\"%s", d->id,
                          d->actions[i] ? d->actions[i] : "(null)",
                          d->actions[i] ? pl_did_you_mean(ctx, PL_K_ACTION, d->actions[i]) : "");
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->actions[j], d->actions[i]) == 0)
                return pl_err(ctx, PLAUDIT_EEXIST, "campaign \"%s\": action \"%s\" is listed twice", d->id,
                              d->actions[i]);
    }
    PL_UH(&ctx->alloc);
    if (ctx->n_campaigns >= ctx->max_rules)
        return pl_err(ctx, PLAUDIT_ELIMIT, "campaign \"%s\": too many rules of this kind (the limit is %u)", d->id,
                      ctx->max_rules);
    pl_campaign *c = pl_malloc(&ctx->alloc, sizeof *c);
    if (!c) goto oom;
    memset(c, 0, sizeof *c);
    c->id = pl_strdup(&ctx->alloc, d->id);
    c->name = pl_strdup(&ctx->alloc, d->name);
    c->description = pl_strdup(&ctx->alloc, d->description);
    c->actions = pl_malloc(&ctx->alloc, sizeof *c->actions * (d->n_actions ? d->n_actions : 1));
    if (!c->id || (d->name && !c->name) || (d->description && !c->description) || !c->actions) goto oom;
    c->from = d->from;
    c->until = d->until;
    c->percent = d->percent;
    c->n_actions = d->n_actions;
    for (size_t i = 0; i < d->n_actions; i++) c->actions[i] = pl_action_find(ctx, d->actions[i])->idx;
    if (pl_grow(&ctx->alloc, (void **)&ctx->campaigns, &ctx->cap_campaigns, ctx->n_campaigns + 1,
                sizeof *ctx->campaigns))
        goto oom;
    HASH_ADD_KEYPTR(hh, ctx->campaign_h, c->id, strlen(c->id), c);
    if (pl_uh_oom) goto oom;
    c->idx = (uint32_t)ctx->n_campaigns;
    ctx->campaigns[ctx->n_campaigns++] = c;
    pl_ok(ctx);
    return PLAUDIT_OK;
oom:
    campaign_free(ctx, c);
    return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory declaring campaign \"%s\"", d->id);
}

/* The action's campaigns are few (its own list): the highest percent of
 * those whose range holds ts. */
int64_t pl_campaign_points(const plaudit_ctx *ctx, const pl_action *a, int64_t ts)
{
    int64_t best = 0;
    for (uint32_t i = 0; i < a->n_camp; i++) {
        const pl_campaign *c = ctx->campaigns[a->camp[i]];
        if (ts >= c->from && ts < c->until && c->percent > best) best = c->percent;
    }
    if (!best) return a->points;
    return a->points * best / 100; /* points <= 10^9, percent <= 1000: no overflow */
}
