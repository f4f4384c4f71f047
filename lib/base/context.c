/* context.c - creating and freeing a context, its options, allocator and
 * listener, and the library's version. */
#include <stdio.h>

#include "internal.h"

const char *plaudit_version(void) { return PLAUDIT_VERSION_STRING; }
int plaudit_version_number(void) { return PLAUDIT_VERSION_NUMBER; }

int plaudit_ctx_new(plaudit_ctx **out, const plaudit_options *opts)
{
    if (!out) return PLAUDIT_EINVAL;
    *out = NULL;
    plaudit_options def = PLAUDIT_OPTIONS_INIT;
    if (!opts) opts = &def;
    /* Version 1 callers pass the shorter struct: read only its fields. */
    if (opts->version < 1 || opts->version > PLAUDIT_OPTIONS_VERSION) return PLAUDIT_EVERSION;
    size_t max_line = 0, max_program = 0, max_member = 0;
    unsigned max_depth = 0, max_rules = 0;
    if (opts->version >= 2) {
        max_line = opts->max_line_bytes;
        max_program = opts->max_program_bytes;
        max_depth = opts->max_json_depth;
        max_rules = opts->max_rules;
    }
    if (opts->version >= 3) max_member = opts->max_member_bytes;
    size_t history = opts->version >= 4 ? opts->history_per_member : 0;
    if (max_rules > PLAUDIT_DEFAULT_MAX_RULES) return PLAUDIT_ERANGE;
    const plaudit_allocator *ua = &opts->allocator;
    int n_hooks = !!ua->malloc + !!ua->realloc + !!ua->free;
    if (n_hooks != 0 && n_hooks != 3) return PLAUDIT_EINVAL;
    if (opts->idempotency_retention_s < 0) return PLAUDIT_ERANGE;
    pl_alloc a;
    if (n_hooks) {
        a.malloc = ua->malloc;
        a.realloc = ua->realloc;
        a.free = ua->free;
        a.payload = ua->payload;
    } else {
        pl_alloc_default(&a);
    }
    plaudit_ctx *ctx = pl_malloc(&a, sizeof *ctx);
    if (!ctx) return PLAUDIT_ENOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = a;
    if (opts->tzdir) {
        ctx->tzdir = pl_strdup(&a, opts->tzdir);
        if (!ctx->tzdir) {
            pl_free(&a, ctx);
            return PLAUDIT_ENOMEM;
        }
    }
    ctx->retention_s = opts->idempotency_retention_s;
    ctx->max_members = opts->max_members;
    ctx->max_line = max_line ? max_line : PLAUDIT_DEFAULT_MAX_LINE_BYTES;
    ctx->max_program = max_program ? max_program : PLAUDIT_DEFAULT_MAX_PROGRAM_BYTES;
    ctx->max_depth = max_depth ? max_depth : PLAUDIT_DEFAULT_MAX_JSON_DEPTH;
    ctx->max_rules = max_rules ? max_rules : PLAUDIT_DEFAULT_MAX_RULES;
    ctx->max_member_bytes = max_member ? max_member : PLAUDIT_DEFAULT_MAX_MEMBER_BYTES;
    ctx->format = 1;
    ctx->clock = -1;
    ctx->tick_ts = -1;
    ctx->pc_lo = 1;
    ctx->pc_hi = 0; /* empty cache range */
    ctx->kudos.recv_trk = ctx->kudos.give_trk = -1;
    pl_buf_init(&ctx->evbuf, &ctx->alloc);
    if (history && pl_history_init(ctx, history)) {
        plaudit_ctx_free(ctx);
        return PLAUDIT_ENOMEM;
    }
    *out = ctx;
    return PLAUDIT_OK;
}

void plaudit_ctx_free(plaudit_ctx *ctx)
{
    if (!ctx) return;
    pl_store_free(ctx);
    pl_program_update_end(ctx, PLAUDIT_ESTATE);
    pl_program_drop_initial(ctx);
    pl_alloc a = ctx->alloc;
    PL_UH(&a);
    pl_key *k, *ktmp;
    HASH_ITER(hh, ctx->key_h, k, ktmp) {
        HASH_DELETE(hh, ctx->key_h, k);
        pl_free(&a, k);
    }
    pl_member_index_free(ctx);
    for (size_t i = 0; i < ctx->n_members; i++) pl_member_free(ctx, ctx->mv[i]);
    pl_free(&a, ctx->mv);
    pl_program_free(ctx);
    pl_txn *t = &ctx->txn;
    pl_free(&a, t->undo);
    pl_free(&a, t->arena);
    pl_free(&a, t->fresh);
    pl_free(&a, t->stale);
    pl_free(&a, t->span);
    pl_free(&a, t->board_cur);
    pl_free(&a, t->board_closed);
    pl_free(&a, t->stock_saved);
    pl_revoke_free(ctx);
    pl_free(&a, ctx->moments);
    pl_free(&a, ctx->close_list);
    pl_free(&a, ctx->awarded);
    pl_free(&a, ctx->treeops);
    pl_bupd_free(ctx);
    pl_free(&a, ctx->q_earned);
    pl_free(&a, ctx->q_prog);
    pl_free(&a, ctx->q_parts);
    pl_teams_free(ctx);
    pl_analytics_free(ctx);
    pl_window_free(ctx);
    pl_outbox_free(ctx);
    pl_history_free(ctx);
    pl_free(&a, ctx->tzdir);
    pl_free(&a, ctx->evbuf.p);
    pl_free(&a, ctx);
}

void plaudit_free(plaudit_ctx *ctx, void *ptr)
{
    if (ctx && ptr) pl_free(&ctx->alloc, ptr);
}

int plaudit_listener_set(plaudit_ctx *ctx, const plaudit_listener *listener)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_reentered(ctx, "the listener cannot be changed");
    if (!listener) {
        ctx->has_listener = 0;
        memset(&ctx->listener, 0, sizeof ctx->listener);
        pl_ok(ctx);
        return PLAUDIT_OK;
    }
    if (listener->version < 1 || listener->version > PLAUDIT_LISTENER_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "listener version %u is not supported (expected 1 to %d)",
                      listener->version, PLAUDIT_LISTENER_VERSION);
    /* A version 1 struct ends at payload, a version 2 one at on_outcome. */
    size_t n = listener->version == 1   ? offsetof(plaudit_listener, payload) + sizeof(void *)
               : listener->version == 2 ? offsetof(plaudit_listener, on_outcome) + sizeof listener->on_outcome
                                        : sizeof *listener;
    memset(&ctx->listener, 0, sizeof ctx->listener);
    memcpy(&ctx->listener, listener, n);
    ctx->has_listener = 1;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int64_t plaudit_clock(const plaudit_ctx *ctx) { return ctx ? ctx->clock : -1; }

int plaudit_stats_get(const plaudit_ctx *ctx, plaudit_stats *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) {
        /* Like every other call, report the failure in plaudit_errmsg.
         * The message is a diagnostic beside the state (contexts are never
         * const objects: they come from plaudit_ctx_new). */
        plaudit_ctx *w = (plaudit_ctx *)(uintptr_t)ctx;
        return pl_err(w, PLAUDIT_EINVAL, "out is NULL");
    }
    out->accepted = ctx->accepted;
    out->duplicates = ctx->duplicates;
    out->rejected = ctx->rejected;
    return PLAUDIT_OK;
}
