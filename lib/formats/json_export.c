/* json_export.c - the program written back as a JSON document (section 2),
 * so that export then load is a round trip; no parser needed.  The format 2
 * keys are written by json_v2.c. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "plaudit-config.h"

#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

static void ex_display(pl_buf *b, const char *name, const char *desc)
{
    if (name) pl_json_kv_str(b, "name", name);
    if (desc) pl_json_kv_str(b, "description", desc);
}

static void ex_cap(pl_buf *b, const char *key, int64_t points, int64_t count, plaudit_period per)
{
    if (points == PLAUDIT_UNSET && count == PLAUDIT_UNSET) return;
    pl_buf_printf(b, ",\"%s\":{", key);
    int first = 1;
    if (points != PLAUDIT_UNSET) {
        pl_buf_printf(b, "\"points\":%lld", (long long)points);
        first = 0;
    }
    if (count != PLAUDIT_UNSET) pl_buf_printf(b, "%s\"count\":%lld", first ? "" : ",", (long long)count);
    pl_buf_printf(b, ",\"per\":\"%s\"}", plaudit_period_name(per));
}

static void ex_thresholds(pl_buf *b, const char *key, const pl_badge *g, int comma)
{
    pl_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
    if (g->n_thr == 1) {
        pl_buf_printf(b, "%lld", (long long)g->thr[0]);
        return;
    }
    pl_buf_puts(b, "[");
    for (uint32_t i = 0; i < g->n_thr; i++) pl_buf_printf(b, "%s%lld", i ? "," : "", (long long)g->thr[i]);
    pl_buf_puts(b, "]");
}

int plaudit_program_export_json(plaudit_ctx *ctx, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    pl_buf_printf(&b, "{\n \"format\":\"plaudit.program/%d\"", ctx->format);
    if (ctx->name) pl_json_kv_str(&b, "name", ctx->name);
    if (ctx->tzname) pl_json_kv_str(&b, "timezone", ctx->tzname);
    else if (ctx->utc_offset_min) pl_buf_printf(&b, ",\"utc_offset_minutes\":%d", ctx->utc_offset_min);
    if (ctx->reorder_window_s) pl_buf_printf(&b, ",\"reorder_window_s\":%lld", (long long)ctx->reorder_window_s);
    pl_buf_puts(&b, ",\n \"actions\":[");
    for (size_t i = 0; i < ctx->n_actions; i++) {
        const pl_action *a = ctx->actions[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, a->id);
        ex_display(&b, a->name, a->description);
        pl_buf_printf(&b, ",\"points\":%lld", (long long)a->points);
        if (a->once) pl_buf_puts(&b, ",\"once\":true");
        if (a->cooldown_s) pl_buf_printf(&b, ",\"cooldown_s\":%lld", (long long)a->cooldown_s);
        ex_cap(&b, "cap", a->cap_points, a->cap_count, a->cap_per);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"tiers\":[");
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        const pl_tier *t = ctx->tiers[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, t->id);
        ex_display(&b, t->name, t->description);
        pl_buf_printf(&b, ",\"min_points\":%lld", (long long)t->min_points);
        if (t->min_distinct) pl_buf_printf(&b, ",\"min_distinct_actions\":%lld", (long long)t->min_distinct);
        if (t->min_tenure_days) pl_buf_printf(&b, ",\"min_tenure_days\":%lld", (long long)t->min_tenure_days);
        if (t->lifetime) pl_buf_puts(&b, ",\"lifetime\":true");
        if (t->window != PLAUDIT_PERIOD_NONE) pl_buf_printf(&b, ",\"window\":\"%s\"", plaudit_period_name(t->window));
        pl_json_export_tier_v2(ctx, t, &b);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"badges\":[");
    for (size_t i = 0; i < pl_live_badges(ctx); i++) {
        const pl_badge *g = ctx->badges[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, g->id);
        ex_display(&b, g->name, g->description);
        if (g->image) pl_json_kv_str(&b, "image", g->image);
        if (g->criteria) pl_json_kv_str(&b, "criteria", g->criteria);
        if (g->kind == PLAUDIT_CRITERION_MANUAL) {
            pl_buf_puts(&b, ",\"manual\":true");
        } else {
            pl_buf_puts(&b, ",\"when\":{");
            switch (g->kind) {
            case PLAUDIT_CRITERION_ACTION_COUNT:
            case PLAUDIT_CRITERION_ACTION_STREAK:
                pl_buf_puts(&b, "\"action\":");
                pl_buf_json_str(&b, ctx->actions[g->action]->id);
                if (g->kind == PLAUDIT_CRITERION_ACTION_COUNT) {
                    ex_thresholds(&b, "count", g, 1);
                    if (g->within != PLAUDIT_PERIOD_NONE)
                        pl_buf_printf(&b, ",\"within\":\"%s\"", plaudit_period_name(g->within));
                } else {
                    ex_thresholds(&b, "streak", g, 1);
                    pl_buf_printf(&b, ",\"per\":\"%s\"", plaudit_period_name(g->per));
                }
                break;
            case PLAUDIT_CRITERION_TIER:
                pl_buf_puts(&b, "\"tier\":");
                pl_buf_json_str(&b, ctx->tiers[g->tier]->id);
                break;
            case PLAUDIT_CRITERION_ALL: pl_json_export_all(ctx, g, &b); break;
            case PLAUDIT_CRITERION_LEADERBOARD:
                pl_buf_puts(&b, "\"leaderboard\":");
                pl_buf_json_str(&b, ctx->boards[g->board]->id);
                pl_buf_printf(&b, ",\"top\":%lld", (long long)g->top);
                break;
            default: {
                static const char *const keys[] = {[PLAUDIT_CRITERION_DISTINCT_ACTIONS] = "distinct_actions",
                                                   [PLAUDIT_CRITERION_POINTS] = "points",
                                                   [PLAUDIT_CRITERION_TENURE_DAYS] = "tenure_days",
                                                   [PLAUDIT_CRITERION_KUDOS_RECEIVED] = "kudos_received",
                                                   [PLAUDIT_CRITERION_KUDOS_GIVEN] = "kudos_given"};
                ex_thresholds(&b, keys[g->kind], g, 0);
                break;
            }
            }
            pl_buf_puts(&b, "}");
        }
        if (g->bonus) pl_buf_printf(&b, ",\"bonus\":%lld", (long long)g->bonus);
        if (g->hidden) pl_buf_puts(&b, ",\"hidden\":true");
        if (g->repeatable && g->kind != PLAUDIT_CRITERION_LEADERBOARD) pl_buf_puts(&b, ",\"repeatable\":true");
        pl_json_export_dates(&b, g->from, g->until);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"segments\":[");
    for (size_t i = 0; i < ctx->n_segments; i++) {
        const pl_segment *s = ctx->segments[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, s->id);
        ex_display(&b, s->name, s->description);
        pl_buf_puts(&b, ",\"weights\":{");
        for (size_t j = 0; j < s->n; j++) {
            if (j) pl_buf_puts(&b, ",");
            pl_buf_json_str(&b, ctx->actions[s->actions[j]]->id);
            pl_buf_printf(&b, ":%lld", (long long)s->weights[j]);
        }
        pl_buf_puts(&b, "}}");
    }
    pl_buf_puts(&b, "],\n \"leaderboards\":[");
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *lb = ctx->boards[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, lb->id);
        ex_display(&b, lb->name, lb->description);
        pl_buf_printf(&b, ",\"period\":\"%s\"", plaudit_period_name(lb->period));
        if (lb->segment >= 0) pl_json_kv_str(&b, "segment", ctx->segments[lb->segment]->id);
        pl_buf_printf(&b, ",\"size\":%lld", (long long)lb->size);
        if (lb->by_team) pl_buf_puts(&b, ",\"by\":\"team\"");
        pl_json_export_dates(&b, lb->from, lb->until);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "]");
    if (ctx->kudos.declared) {
        const pl_kudos *k = &ctx->kudos;
        pl_buf_printf(&b, ",\n \"kudos\":{\"points\":%lld", (long long)k->points);
        ex_cap(&b, "cap", k->cap_points, k->cap_count, k->cap_per);
        ex_cap(&b, "give_cap", PLAUDIT_UNSET, k->give_cap, k->give_per);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, ",\n \"rewards\":[");
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        const pl_reward *r = ctx->rewards[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, r->id);
        ex_display(&b, r->name, r->description);
        pl_buf_printf(&b, ",\"cost\":%lld", (long long)r->cost);
        if (r->stock0 != PLAUDIT_UNSET) pl_buf_printf(&b, ",\"stock\":%lld", (long long)r->stock0);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "]");
    pl_json_export_campaigns(ctx, &b);
    pl_buf_puts(&b, "\n}\n");
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory exporting the program");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
