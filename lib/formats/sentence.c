/* sentence.c - a rule in words, for people reading a program (`plaudit
 * check`, reports): a badge's criterion with its dates, a campaign ("double
 * points for Bug found and Review published, 1 to 7 June 2026
 * (Europe/Amsterdam)"), a season or team board, a tier's benefits. */
#include "internal.h"

#define DISPLAY(r) ((r)->name ? (r)->name : (r)->id)

static void campaign_sentence(const plaudit_ctx *ctx, const pl_campaign *c, pl_buf *b)
{
    switch (c->percent) {
    case 200: pl_buf_puts(b, "double points"); break;
    case 300: pl_buf_puts(b, "triple points"); break;
    case 100: pl_buf_puts(b, "the usual points"); break;
    default: pl_buf_printf(b, "%lld%% of the points", (long long)c->percent); break;
    }
    if (!c->n_actions) pl_buf_puts(b, " for every action");
    else {
        pl_buf_puts(b, " for ");
        for (size_t i = 0; i < c->n_actions; i++) {
            if (i) pl_buf_puts(b, i + 1 == c->n_actions ? " and " : ", ");
            pl_buf_puts(b, DISPLAY(ctx->actions[c->actions[i]]));
        }
    }
    pl_buf_puts(b, ", ");
    pl_dates_phrase(ctx, c->from, c->until, b);
}

static void board_sentence(const plaudit_ctx *ctx, const pl_board *lb, pl_buf *b)
{
    pl_buf_puts(b, lb->by_team ? "Ranks teams by the points their members earn" : "Ranks members by the points they earn");
    if (lb->period != PLAUDIT_PERIOD_ALL) pl_buf_printf(b, " each %s", plaudit_period_name(lb->period));
    if (lb->segment >= 0) pl_buf_printf(b, " (segment %s)", DISPLAY(ctx->segments[lb->segment]));
    if (lb->from != PLAUDIT_UNSET) {
        pl_buf_puts(b, "; a season, ");
        pl_dates_phrase(ctx, lb->from, lb->until, b);
        pl_buf_puts(b, ", then frozen");
    }
    pl_buf_puts(b, ".");
}

int plaudit_rule_sentence(plaudit_ctx *ctx, const char *kind, const char *id, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!kind || !id || !out) return pl_err(ctx, PLAUDIT_EINVAL, "kind, id or out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    if (!strcmp(kind, "badge")) {
        const pl_badge *g = pl_badge_find(ctx, id);
        if (!g) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown badge \"%s\"%s", id, pl_did_you_mean(ctx, PL_K_BADGE, id));
        pl_badge_sentence(ctx, g, 0, &b);
    } else if (!strcmp(kind, "campaign")) {
        const pl_campaign *c = pl_campaign_find(ctx, id);
        if (!c)
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown campaign \"%s\"%s", id, pl_did_you_mean(ctx, PL_K_CAMPAIGN, id));
        campaign_sentence(ctx, c, &b);
    } else if (!strcmp(kind, "leaderboard")) {
        const pl_board *lb = pl_board_find(ctx, id);
        if (!lb)
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown leaderboard \"%s\"%s", id, pl_did_you_mean(ctx, PL_K_BOARD, id));
        board_sentence(ctx, lb, &b);
    } else if (!strcmp(kind, "tier")) {
        const pl_tier *t = pl_tier_find(ctx, id);
        if (!t) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown tier \"%s\"%s", id, pl_did_you_mean(ctx, PL_K_TIER, id));
        pl_buf_puts(&b, t->n_benefits ? "Gives: " : "Gives no listed benefits");
        for (size_t i = 0; i < t->n_benefits; i++) {
            if (i) pl_buf_puts(&b, "; ");
            pl_buf_puts(&b, t->benefits[i]);
        }
        pl_buf_puts(&b, ".");
    } else {
        return pl_err(ctx, PLAUDIT_EINVAL, "unknown rule kind \"%s\" (badge, campaign, leaderboard or tier)", kind);
    }
    if (b.oom || !b.p) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a sentence");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
