/* program_seal.c - sealing a program at its first event: numbering the
 * per-member counters, cooldowns and trackers, computing the member layout
 * and its size limit, and building the lookup lists used on every event;
 * unsealing frees all of that again. */
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

/* ---- sealing ------------------------------------------------------------ */

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Find or make the tracker for (action, period) among the badges before
 * index `upto` of the same kind. */
static int32_t shared_trk(plaudit_ctx *ctx, size_t upto, const pl_badge *g, uint32_t *n_trk)
{
    for (size_t i = 0; i < upto; i++) {
        const pl_badge *o = ctx->badges[i];
        if (o->kind == g->kind && o->action == g->action && o->within == g->within && o->per == g->per && o->trk >= 0)
            return o->trk;
    }
    return (int32_t)(*n_trk)++;
}

void pl_program_unseal(plaudit_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_actions; i++) {
        pl_action *a = ctx->actions[i];
        pl_free(&ctx->alloc, a->within_trk);
        pl_free(&ctx->alloc, a->streak_trk);
        a->within_trk = a->streak_trk = NULL;
        a->n_within = a->n_streak = 0;
    }
    for (size_t i = 0; i < ctx->n_boards; i++) {
        pl_board *b = ctx->boards[i];
        pl_rank_free(b->rank);
        b->rank = NULL;
        pl_free(&ctx->alloc, b->badges);
        b->badges = NULL;
        b->n_badges = 0;
    }
    pl_v2_unseal(ctx);
    pl_eval_lists_free(ctx);
    pl_free(&ctx->alloc, ctx->eval_badges);
    pl_free(&ctx->alloc, ctx->window_tiers);
    pl_free(&ctx->alloc, ctx->trk_per);
    pl_free(&ctx->alloc, ctx->trk_gen);
    ctx->trk_gen = NULL;
    pl_free(&ctx->alloc, ctx->txn.board_cur);
    pl_free(&ctx->alloc, ctx->txn.board_closed);
    pl_free(&ctx->alloc, ctx->tail0);
    ctx->tail0 = NULL;
    ctx->eval_badges = ctx->window_tiers = NULL;
    ctx->trk_per = NULL;
    ctx->txn.board_cur = NULL;
    ctx->txn.board_closed = NULL;
}

/* The counting phase of sealing: number the cooldown slots and period
 * trackers (assigning each rule its own).  Allocates nothing; sealing
 * redoes it, so it may also run on an unsealed program just to measure. */
static void layout_count(plaudit_ctx *ctx, uint32_t *n_cd_out, uint32_t *n_trk_out, size_t *n_window_out)
{
    uint32_t n_trk = 0, n_cd = 0;
    for (size_t i = 0; i < ctx->n_actions; i++) {
        pl_action *a = ctx->actions[i];
        a->cd_slot = a->cooldown_s > 0 && a->points > 0 ? (int32_t)n_cd++ : -1;
        a->cap_trk = (a->cap_points != PLAUDIT_UNSET || a->cap_count != PLAUDIT_UNSET) ? (int32_t)n_trk++ : -1;
    }
    for (size_t i = 0; i < ctx->n_badges; i++) {
        pl_badge *g = ctx->badges[i];
        g->trk = -1;
        if (g->retired) continue;
        if ((g->kind == PLAUDIT_CRITERION_ACTION_COUNT && g->within != PLAUDIT_PERIOD_NONE) ||
            g->kind == PLAUDIT_CRITERION_ACTION_STREAK)
            g->trk = shared_trk(ctx, i, g, &n_trk);
    }
    n_trk = pl_v2_seal_trackers(ctx, n_trk);
    pl_kudos *k = &ctx->kudos;
    k->recv_trk = k->declared && (k->cap_points != PLAUDIT_UNSET || k->cap_count != PLAUDIT_UNSET) ? (int32_t)n_trk++ : -1;
    k->give_trk = k->declared && k->give_cap != PLAUDIT_UNSET ? (int32_t)n_trk++ : -1;
    size_t n_window = 0;
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        pl_tier *t = ctx->tiers[i];
        t->trk = t->window != PLAUDIT_PERIOD_NONE ? (int32_t)n_trk++ : -1;
        n_window += t->trk >= 0;
    }
    *n_cd_out = n_cd;
    *n_trk_out = n_trk;
    *n_window_out = n_window;
}

/* The layout's size for n_cd cooldown slots and n_trk trackers. */
static uint64_t tail_bytes(const plaudit_ctx *ctx, uint64_t n_cd, uint64_t n_trk)
{
    return (uint64_t)align8(sizeof(uint32_t) * ctx->n_actions) + sizeof(int64_t) * n_cd + sizeof(pl_trk) * n_trk +
           sizeof(pl_slot) * (uint64_t)ctx->n_boards;
}

/* A member's header and a tail of its own (a member without a tail needs
 * less: the header alone). */
static uint64_t layout_bytes(const plaudit_ctx *ctx, uint64_t n_cd, uint64_t n_trk)
{
    return (uint64_t)align8(sizeof(pl_member)) + tail_bytes(ctx, n_cd, n_trk);
}

/* What sealing will lay out, measured without sealing. */
uint64_t pl_program_member_bytes(plaudit_ctx *ctx)
{
    if (ctx->sealed) return align8(sizeof(pl_member)) + ctx->lay.tail_size;
    uint32_t n_cd, n_trk;
    size_t n_window;
    layout_count(ctx, &n_cd, &n_trk, &n_window);
    return layout_bytes(ctx, n_cd, n_trk);
}

static int member_bytes_over(plaudit_ctx *ctx, uint64_t bytes)
{
    return pl_err(ctx, PLAUDIT_ELIMIT,
                  "the program needs %llu bytes of state per member, more than the limit of %zu (max_member_bytes): "
                  "%zu actions, %zu leaderboards and their trackers",
                  (unsigned long long)bytes, ctx->max_member_bytes, ctx->n_actions, ctx->n_boards);
}

int pl_program_check_member_bytes(plaudit_ctx *ctx)
{
    uint64_t bytes = pl_program_member_bytes(ctx);
    return bytes > ctx->max_member_bytes ? member_bytes_over(ctx, bytes) : PLAUDIT_OK;
}

int plaudit_program_member_bytes(plaudit_ctx *ctx, uint64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = pl_program_member_bytes(ctx);
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int pl_program_seal(plaudit_ctx *ctx)
{
    if (ctx->sealed) return PLAUDIT_OK;
    const pl_alloc *A = &ctx->alloc;
    /* Before any of the layout's allocations (which grow with the rules). */
    int brc = pl_program_check_member_bytes(ctx);
    if (brc) return brc;
    if (!ctx->tz && pl_tz_fixed(A, 0, &ctx->tz)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory sealing the program");
    uint32_t n_trk, n_cd;
    size_t n_window;
    layout_count(ctx, &n_cd, &n_trk, &n_window);
    for (size_t i = 0; i < ctx->n_actions; i++) ctx->actions[i]->n_seg = 0;
    pl_kudos *k = &ctx->kudos;
    for (size_t i = 0; i < ctx->n_segments; i++)
        for (size_t j = 0; j < ctx->segments[i]->n; j++) ctx->actions[ctx->segments[i]->actions[j]]->n_seg++;

    ctx->trk_per = pl_malloc(A, n_trk ? n_trk : 1);
    ctx->eval_badges = pl_malloc(A, sizeof(uint32_t) * (ctx->n_badges ? ctx->n_badges : 1));
    ctx->window_tiers = pl_malloc(A, sizeof(uint32_t) * (n_window ? n_window : 1));
    size_t nb = ctx->n_boards ? ctx->n_boards : 1;
    ctx->txn.board_cur = pl_malloc(A, sizeof(uint32_t) * nb);
    ctx->txn.board_closed = pl_malloc(A, nb);
    if (!ctx->trk_per || !ctx->eval_badges || !ctx->window_tiers || !ctx->txn.board_cur || !ctx->txn.board_closed)
        goto fail;
    memset(ctx->trk_per, 0, n_trk ? n_trk : 1);
    for (size_t i = 0; i < ctx->n_actions; i++)
        if (ctx->actions[i]->cap_trk >= 0) ctx->trk_per[ctx->actions[i]->cap_trk] = (uint8_t)ctx->actions[i]->cap_per;
    if (k->recv_trk >= 0) ctx->trk_per[k->recv_trk] = (uint8_t)k->cap_per;
    if (k->give_trk >= 0) ctx->trk_per[k->give_trk] = (uint8_t)k->give_per;
    ctx->n_window_tiers = 0;
    for (size_t i = 0; i < ctx->n_tiers; i++)
        if (ctx->tiers[i]->trk >= 0) {
            ctx->trk_per[ctx->tiers[i]->trk] = (uint8_t)ctx->tiers[i]->window;
            ctx->window_tiers[ctx->n_window_tiers++] = (uint32_t)i;
        }
    ctx->n_eval_badges = 0;
    for (size_t i = 0; i < ctx->n_badges; i++) {
        pl_badge *g = ctx->badges[i];
        if (g->kind == PLAUDIT_CRITERION_MANUAL || g->retired) continue;
        if (g->kind == PLAUDIT_CRITERION_LEADERBOARD) {
            pl_board *b = ctx->boards[g->board];
            uint32_t *nbd = pl_realloc(A, b->badges, sizeof *nbd * (b->n_badges + 1));
            if (!nbd) goto fail;
            b->badges = nbd;
            b->badges[b->n_badges++] = (uint32_t)i;
            continue;
        }
        ctx->eval_badges[ctx->n_eval_badges++] = (uint32_t)i;
        if (g->trk < 0) continue;
        pl_action *a = ctx->actions[g->action];
        int streak = g->kind == PLAUDIT_CRITERION_ACTION_STREAK;
        ctx->trk_per[g->trk] = (uint8_t)(streak ? g->per : g->within);
        uint32_t **list = streak ? &a->streak_trk : &a->within_trk;
        uint32_t *n = streak ? &a->n_streak : &a->n_within;
        int dup = 0;
        for (uint32_t j = 0; j < *n; j++) dup |= (*list)[j] == (uint32_t)g->trk;
        if (dup) continue;
        uint32_t *nl = pl_realloc(A, *list, sizeof **list * (*n + 1));
        if (!nl) goto fail;
        *list = nl;
        nl[(*n)++] = (uint32_t)g->trk;
    }
    if (pl_v2_seal(ctx) || pl_boards_init(ctx) || pl_eval_lists_build(ctx)) goto fail;

    pl_layout *L = &ctx->lay;
    L->n_cd = n_cd;
    L->n_trk = n_trk;
    L->off_counts = 0;
    L->off_cd = align8(sizeof(uint32_t) * ctx->n_actions);
    L->off_trk = L->off_cd + sizeof(int64_t) * n_cd;
    L->off_slots = L->off_trk + sizeof(pl_trk) * n_trk;
    L->tail_size = L->off_slots + sizeof(pl_slot) * ctx->n_boards;
    /* The template: what every member's tail is until it is first written
     * (zeros, padding included; no cooldown yet). */
    if (!(ctx->tail0 = pl_malloc(A, L->tail_size))) goto fail;
    memset(ctx->tail0, 0, L->tail_size);
    for (uint32_t i = 0; i < n_cd; i++) ((int64_t *)(void *)(ctx->tail0 + L->off_cd))[i] = INT64_MIN;
    ctx->sealed = 1;
    return PLAUDIT_OK;
fail:
    pl_program_unseal(ctx);
    return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory sealing the program");
}
