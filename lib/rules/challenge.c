/* challenge.c - badges of format 2: challenges (a criterion made of 2 to 16
 * sub-criteria, all of which must hold) and dated badges (evaluated only
 * inside [from, until); an action count without `within` inside one counts
 * only the occurrences in that range).  A sub-criterion is kept as a small
 * pl_badge (one threshold), so pl_badge_value measures it like any badge.
 * At seal the sub-criteria and dated counts get their trackers, indexed per
 * action, and each challenge a synthetic trigger that the triggers of its
 * sub-criteria raise (evaluate.c). */
#include <stdio.h>

#include "internal.h"

static int sub_kind_ok(plaudit_criterion k)
{
    return k >= PLAUDIT_CRITERION_ACTION_COUNT && k <= PLAUDIT_CRITERION_TIER;
}

/* The checks of section 2 on a challenge and on dated badges; the badge's
 * own fields are checked by plaudit_badge_declare. */
int pl_badge_v2_check(plaudit_ctx *ctx, const plaudit_badge_def *d)
{
    if (d->criterion != PLAUDIT_CRITERION_ALL)
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": sub-criteria (all) given for another criterion", d->id);
    if (d->n_all < 2 || d->n_all > PLAUDIT_MAX_ALL || !d->all)
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all needs 2 to %d criteria", d->id, PLAUDIT_MAX_ALL);
    if (d->action || d->within || d->per || d->n_thresholds || d->tier || d->leaderboard || d->top)
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": a challenge sets its criteria in all only", d->id);
    plaudit_period rep = PLAUDIT_PERIOD_NONE;
    int mixed = 0;
    for (size_t i = 0; i < d->n_all; i++) {
        const plaudit_criterion_def *c = &d->all[i];
        if (c->criterion == PLAUDIT_CRITERION_LEADERBOARD)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: a leaderboard criterion cannot be in all",
                          d->id, i);
        if (c->criterion == PLAUDIT_CRITERION_ALL)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: all cannot be nested", d->id, i);
        if (!sub_kind_ok(c->criterion))
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: not a criterion (%d)", d->id, i,
                          (int)c->criterion);
        int is_action = c->criterion == PLAUDIT_CRITERION_ACTION_COUNT || c->criterion == PLAUDIT_CRITERION_ACTION_STREAK;
        if (is_action) {
            if (!c->action || !pl_action_find(ctx, c->action))
                return pl_err(ctx, c->action ? PLAUDIT_ENOTFOUND : PLAUDIT_EINVAL,
                              "badge \"%s\": all[%zu]: unknown action \"%s\"%s", d->id, i,
                              c->action ? c->action : "(null)", c->action ? pl_did_you_mean(ctx, PL_K_ACTION, c->action) : "");
        } else if (c->action) {
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: action given for a criterion without one",
                          d->id, i);
        }
        if (c->criterion == PLAUDIT_CRITERION_ACTION_COUNT) {
            if (c->within != PLAUDIT_PERIOD_NONE && (c->within < PLAUDIT_PERIOD_DAY || c->within > PLAUDIT_PERIOD_ALL))
                return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: within is not a valid period", d->id, i);
        } else if (c->within != PLAUDIT_PERIOD_NONE) {
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: within is only for action counts", d->id, i);
        }
        if (c->criterion == PLAUDIT_CRITERION_ACTION_STREAK) {
            if (c->per != PLAUDIT_PERIOD_DAY && c->per != PLAUDIT_PERIOD_WEEK && c->per != PLAUDIT_PERIOD_MONTH)
                return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: a streak's per must be day, week or month",
                              d->id, i);
        } else if (c->per != PLAUDIT_PERIOD_NONE) {
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: per is only for streaks", d->id, i);
        }
        if (c->criterion == PLAUDIT_CRITERION_TIER) {
            if (!c->tier || !pl_tier_find(ctx, c->tier))
                return pl_err(ctx, c->tier ? PLAUDIT_ENOTFOUND : PLAUDIT_EINVAL,
                              "badge \"%s\": all[%zu]: unknown tier \"%s\"%s", d->id, i, c->tier ? c->tier : "(null)",
                              c->tier ? pl_did_you_mean(ctx, PL_K_TIER, c->tier) : "");
        } else {
            if (c->tier)
                return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": all[%zu]: tier given for a criterion without one",
                              d->id, i);
            if (c->threshold < 0 || c->threshold > PLAUDIT_MAX_VALUE)
                return pl_err(ctx, PLAUDIT_ERANGE, "badge \"%s\": all[%zu]: threshold %lld is out of range (0 to %lld)",
                              d->id, i, (long long)c->threshold, PLAUDIT_MAX_VALUE);
        }
        if (c->criterion == PLAUDIT_CRITERION_ACTION_COUNT && c->within != PLAUDIT_PERIOD_NONE) {
            if (rep == PLAUDIT_PERIOD_NONE) rep = c->within;
            else if (rep != c->within) mixed = 1;
        }
    }
    if (d->repeatable && rep == PLAUDIT_PERIOD_NONE)
        return pl_err(ctx, PLAUDIT_EINVAL,
                      "badge \"%s\": a repeatable challenge needs an action count with within among its criteria", d->id);
    if (d->repeatable && mixed)
        return pl_err(ctx, PLAUDIT_EINVAL,
                      "badge \"%s\": a repeatable challenge needs the same within period in every criterion", d->id);
    return PLAUDIT_OK;
}

int pl_badge_v2_init(plaudit_ctx *ctx, pl_badge *g, const plaudit_badge_def *d)
{
    g->from = d->from;
    g->until = d->until;
    g->dated = d->from != PLAUDIT_UNSET || d->until != PLAUDIT_UNSET;
    g->dtrk = -1;
    if (d->criterion != PLAUDIT_CRITERION_ALL) return PLAUDIT_OK;
    g->thr = pl_malloc(&ctx->alloc, sizeof *g->thr);
    g->sub = pl_malloc(&ctx->alloc, sizeof *g->sub * d->n_all);
    if (!g->thr || !g->sub) return PLAUDIT_ENOMEM;
    memset(g->sub, 0, sizeof *g->sub * d->n_all);
    g->n_thr = 1;
    g->thr[0] = 1; /* the value of a challenge is 1 when every part holds */
    for (size_t i = 0; i < d->n_all; i++) {
        const plaudit_criterion_def *c = &d->all[i];
        pl_badge *s = &g->sub[i];
        s->idx = g->idx;
        s->kind = c->criterion;
        s->action = c->action ? (int32_t)pl_action_find(ctx, c->action)->idx : -1;
        s->within = c->within;
        s->per = c->per;
        s->tier = c->tier ? (int32_t)pl_tier_find(ctx, c->tier)->idx : -1;
        s->board = -1;
        s->trk = s->dtrk = -1;
        s->from = g->from;
        s->until = g->until;
        s->dated = g->dated;
        s->n_thr = 1;
        s->thr = pl_malloc(&ctx->alloc, sizeof *s->thr);
        if (!s->thr) return PLAUDIT_ENOMEM;
        s->thr[0] = c->criterion == PLAUDIT_CRITERION_TIER ? 1 : c->threshold;
        g->n_sub = (uint32_t)i + 1;
        if (c->criterion == PLAUDIT_CRITERION_ACTION_COUNT && c->within != PLAUDIT_PERIOD_NONE &&
            g->within == PLAUDIT_PERIOD_NONE)
            g->within = c->within; /* the period a repeatable challenge repeats in */
    }
    return PLAUDIT_OK;
}

void pl_badge_v2_free(plaudit_ctx *ctx, pl_badge *g)
{
    if (!g->sub) return;
    for (uint32_t i = 0; i < g->n_sub; i++) pl_free(&ctx->alloc, g->sub[i].thr);
    pl_free(&ctx->alloc, g->sub);
    g->sub = NULL;
    g->n_sub = 0;
}

#define DISPLAY(r) ((r)->name ? (r)->name : (r)->id)

static void part_sentence(const plaudit_ctx *ctx, const pl_badge *s, pl_buf *b)
{
    long long n = (long long)s->thr[0];
    const pl_action *a = s->action >= 0 ? ctx->actions[s->action] : NULL;
    switch (s->kind) {
    case PLAUDIT_CRITERION_ACTION_COUNT:
        pl_buf_printf(b, "%lld \"%s\"", n, DISPLAY(a));
        if (s->within != PLAUDIT_PERIOD_NONE && s->within != PLAUDIT_PERIOD_ALL)
            pl_buf_printf(b, " in the %s", plaudit_period_name(s->within));
        break;
    case PLAUDIT_CRITERION_ACTION_STREAK:
        pl_buf_printf(b, "\"%s\" in %lld consecutive %ss", DISPLAY(a), n, plaudit_period_name(s->per));
        break;
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: pl_buf_printf(b, "%lld different actions", n); break;
    case PLAUDIT_CRITERION_POINTS: pl_buf_printf(b, "%lld points", n); break;
    case PLAUDIT_CRITERION_TENURE_DAYS: pl_buf_printf(b, "%lld days of membership", n); break;
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: pl_buf_printf(b, "%lld kudos received", n); break;
    case PLAUDIT_CRITERION_KUDOS_GIVEN: pl_buf_printf(b, "%lld kudos given", n); break;
    case PLAUDIT_CRITERION_TIER: pl_buf_printf(b, "the \"%s\" tier", DISPLAY(ctx->tiers[s->tier])); break;
    default: break;
    }
}

void pl_badge_v2_sentence(const plaudit_ctx *ctx, const pl_badge *g, pl_buf *b)
{
    pl_buf_puts(b, "Reached all of: ");
    for (uint32_t i = 0; i < g->n_sub; i++) {
        if (i) pl_buf_puts(b, i + 1 == g->n_sub ? " and " : ", ");
        part_sentence(ctx, &g->sub[i], b);
    }
}

int64_t pl_challenge_value(plaudit_ctx *ctx, const pl_member *m, const pl_badge *g, int64_t ts)
{
    for (uint32_t i = 0; i < g->n_sub; i++)
        if (pl_badge_value(ctx, m, &g->sub[i], ts) < g->sub[i].thr[0]) return 0;
    return 1;
}

/* ---- sealing ----------------------------------------------------------------- */

/* A dated badge's all-time action count (alone or in a challenge). */
static int dated_count(const pl_badge *s)
{
    return s->dated && s->kind == PLAUDIT_CRITERION_ACTION_COUNT && s->within == PLAUDIT_PERIOD_NONE;
}

uint32_t pl_v2_seal_trackers(plaudit_ctx *ctx, uint32_t n_trk)
{
    for (size_t i = 0; i < ctx->n_badges; i++) {
        pl_badge *g = ctx->badges[i];
        g->dtrk = -1;
        if (dated_count(g)) g->dtrk = (int32_t)n_trk++;
        for (uint32_t j = 0; j < g->n_sub; j++) {
            pl_badge *s = &g->sub[j];
            s->trk = s->dtrk = -1;
            if (dated_count(s)) s->dtrk = (int32_t)n_trk++;
            else if ((s->kind == PLAUDIT_CRITERION_ACTION_COUNT && s->within != PLAUDIT_PERIOD_NONE) ||
                     s->kind == PLAUDIT_CRITERION_ACTION_STREAK)
                s->trk = (int32_t)n_trk++;
        }
    }
    return n_trk;
}

static int push(plaudit_ctx *ctx, uint32_t **list, uint32_t *n, uint32_t v)
{
    uint32_t *nl = pl_realloc(&ctx->alloc, *list, sizeof **list * (*n + 1));
    if (!nl) return PLAUDIT_ENOMEM;
    *list = nl;
    nl[(*n)++] = v;
    return PLAUDIT_OK;
}

static int seal_sub(plaudit_ctx *ctx, pl_badge *s)
{
    pl_action *a = s->action >= 0 ? ctx->actions[s->action] : NULL;
    if (s->dtrk >= 0) {
        ctx->trk_per[s->dtrk] = (uint8_t)PLAUDIT_PERIOD_ALL;
        struct pl_dated *nd = pl_realloc(&ctx->alloc, a->dated, sizeof *nd * (a->n_dated + 1));
        if (!nd) return PLAUDIT_ENOMEM;
        a->dated = nd;
        nd[a->n_dated].from = s->from;
        nd[a->n_dated].until = s->until;
        nd[a->n_dated++].trk = (uint32_t)s->dtrk;
        return PLAUDIT_OK;
    }
    if (s->trk < 0) return PLAUDIT_OK;
    int streak = s->kind == PLAUDIT_CRITERION_ACTION_STREAK;
    ctx->trk_per[s->trk] = (uint8_t)(streak ? s->per : s->within);
    return streak ? push(ctx, &a->streak_trk, &a->n_streak, (uint32_t)s->trk)
                  : push(ctx, &a->within_trk, &a->n_within, (uint32_t)s->trk);
}

int pl_v2_seal(plaudit_ctx *ctx)
{
    ctx->n_chal = 0;
    for (size_t i = 0; i < ctx->n_badges; i++) {
        pl_badge *g = ctx->badges[i];
        if (g->dtrk >= 0 && seal_sub(ctx, g)) return PLAUDIT_ENOMEM;
        for (uint32_t j = 0; j < g->n_sub; j++)
            if (seal_sub(ctx, &g->sub[j])) return PLAUDIT_ENOMEM;
        if (g->kind == PLAUDIT_CRITERION_ALL) g->chal = ctx->n_chal++;
    }
    for (size_t i = 0; i < ctx->n_campaigns; i++) {
        const pl_campaign *c = ctx->campaigns[i];
        if (!c->n_actions) {
            for (size_t j = 0; j < ctx->n_actions; j++)
                if (push(ctx, &ctx->actions[j]->camp, &ctx->actions[j]->n_camp, (uint32_t)i)) return PLAUDIT_ENOMEM;
        } else {
            for (size_t j = 0; j < c->n_actions; j++) {
                pl_action *a = ctx->actions[c->actions[j]];
                if (push(ctx, &a->camp, &a->n_camp, (uint32_t)i)) return PLAUDIT_ENOMEM;
            }
        }
    }
    /* the team boards and the seasons, listed once so that an event visits
     * only those (team.c) */
    ctx->n_team_boards = ctx->n_season_boards = 0;
    pl_free(&ctx->alloc, ctx->team_boards);
    pl_free(&ctx->alloc, ctx->season_boards);
    ctx->team_boards = ctx->season_boards = NULL;
    size_t n_tb = 0, n_sb = 0;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        n_tb += ctx->boards[i]->by_team != 0;
        n_sb += ctx->boards[i]->until != PLAUDIT_UNSET;
    }
    if ((n_tb && !(ctx->team_boards = pl_malloc(&ctx->alloc, sizeof(uint32_t) * n_tb))) ||
        (n_sb && !(ctx->season_boards = pl_malloc(&ctx->alloc, sizeof(uint32_t) * n_sb))))
        return PLAUDIT_ENOMEM;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        pl_board *b = ctx->boards[i];
        b->frozen = 0;
        if (b->by_team) {
            b->team_slot = ctx->n_team_boards;
            ctx->team_boards[ctx->n_team_boards++] = (uint32_t)i;
        }
        if (b->until != PLAUDIT_UNSET) ctx->season_boards[ctx->n_season_boards++] = (uint32_t)i;
    }
    for (size_t i = 0; i < ctx->n_actions; i++) {
        pl_action *a = ctx->actions[i];
        a->has_v2 = a->n_camp || a->n_dated;
    }
    ctx->v2_txn = ctx->format >= 2;
    if (ctx->v2_txn && pl_teams_setup(ctx)) return PLAUDIT_ENOMEM;
    return PLAUDIT_OK;
}

void pl_v2_unseal(plaudit_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_actions; i++) {
        pl_action *a = ctx->actions[i];
        pl_free(&ctx->alloc, a->camp);
        pl_free(&ctx->alloc, a->dated);
        a->camp = NULL;
        a->dated = NULL;
        a->n_camp = a->n_dated = 0;
        a->has_v2 = 0;
    }
    pl_free(&ctx->alloc, ctx->chal_off);
    pl_free(&ctx->alloc, ctx->chal_list);
    ctx->chal_off = ctx->chal_list = NULL;
    pl_free(&ctx->alloc, ctx->team_boards);
    pl_free(&ctx->alloc, ctx->season_boards);
    ctx->team_boards = ctx->season_boards = NULL;
    ctx->n_season_boards = 0;
    ctx->n_chal = 0;
}

void pl_action_dated(plaudit_ctx *ctx, pl_member *m, const pl_action *a, int64_t ts)
{
    pl_trk *trk = PL_TRK(ctx, m);
    for (uint32_t i = 0; i < a->n_dated; i++) {
        const struct pl_dated *d = &a->dated[i];
        if ((d->from != PLAUDIT_UNSET && ts < d->from) || (d->until != PLAUDIT_UNSET && ts >= d->until)) continue;
        pl_trk *t = &trk[d->trk];
        t->period = 1;
        t->aux = pl_sat_inc32(t->aux);
    }
}
