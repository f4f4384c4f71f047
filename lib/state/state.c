/* state.c - the final-state document ("plaudit.state/1", spec section 4),
 * written deterministically, and the 64-bit digest of the whole state. */
#include <stdlib.h>

#include "internal.h"

/* ---- digest ------------------------------------------------------------- */

uint64_t pl_member_digest(const plaudit_ctx *ctx, const pl_member *m)
{
    const pl_mstate *st = &m->st;
    uint64_t h = pl_hash_bytes(m->id, m->idlen);
    h = pl_hash_step(h, (uint64_t)st->joined);
    h = pl_hash_step(h, (uint64_t)st->last_ts);
    h = pl_hash_step(h, (uint64_t)st->points);
    h = pl_hash_step(h, (uint64_t)st->balance);
    h = pl_hash_step(h, st->kudos_given);
    h = pl_hash_step(h, st->kudos_received);
    h = pl_hash_step(h, (uint64_t)(uint32_t)st->tier | (uint64_t)(uint32_t)st->lifetime_tier << 32);
    h = pl_hash_step(h, (uint64_t)(uint32_t)st->segment | (uint64_t)(uint32_t)st->pin << 32);
    h = pl_hash_step(h, (uint64_t)st->distinct | (uint64_t)st->flags << 32);
    if (st->team >= 0) h = pl_hash_step(h, pl_hash_str(0x7465616dULL, pl_team_id(ctx, st->team)));
    if (ctx->format >= 2) h = pl_hash_step(h, (uint64_t)st->pts_ts ^ (uint64_t)st->lifetime_set << 40);
    /* The program-shaped tail holds only integers (its padding is zero);
     * a member without one has the template's bytes. */
    h = pl_hash_step(h, pl_hash_bytes(pl_ctail(ctx, m), ctx->lay.tail_size));
    for (uint32_t i = 0; i < st->n_badges; i++) {
        const pl_earned *e = &st->badges[i];
        h = pl_hash_step(h, (uint64_t)e->badge | (uint64_t)e->n << 32);
        h = pl_hash_step(h, e->period);
        h = pl_hash_step(h, (uint64_t)e->first_ts);
        h = pl_hash_step(h, (uint64_t)e->last_ts);
        for (uint32_t k = 2; k <= e->n && e->at; k++) h = pl_hash_step(h, (uint64_t)e->at[k - 1]);
    }
    return pl_mix64(h);
}

uint64_t plaudit_state_digest(const plaudit_ctx *ctx)
{
    if (!ctx) return 0;
    pl_boards_sync_c(ctx); /* the index counts below; nothing observable changes */
    /* Members and keys are summed, so the digest does not depend on the
     * order in which they were created. */
    uint64_t sum = 0;
    for (size_t i = 0; i < ctx->n_members; i++) sum += pl_member_digest(ctx, ctx->mv[i]);
    uint64_t ksum = 0;
    for (const pl_key *k = ctx->key_h; k; k = k->hh.next) {
        uint64_t h = pl_hash_bytes(k->key, k->len);
        h = pl_hash_step(h, k->content);
        h = pl_hash_step(h, (uint64_t)k->clock);
        ksum += pl_mix64(h);
    }
    uint64_t h = pl_hash_step(0x5374617465ULL, sum);
    h = pl_hash_step(h, ksum);
    h = pl_hash_step(h, ctx->n_members);
    h = pl_hash_step(h, (uint64_t)ctx->clock);
    h = pl_hash_step(h, (uint64_t)ctx->tick_ts);
    h = pl_hash_step(h, ctx->tick_members);
    h = pl_hash_step(h, ctx->accepted);
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *b = ctx->boards[i];
        h = pl_hash_step(h, b->cur);
        h = pl_hash_step(h, b->rank ? pl_rank_count(b->rank) : 0);
    }
    for (size_t i = 0; i < ctx->n_rewards; i++) h = pl_hash_step(h, (uint64_t)ctx->rewards[i]->stock);
    if (ctx->teams) { /* mixed in only when there is something, so sealing changes nothing */
        uint64_t td = pl_teams_digest(ctx);
        if (td) h = pl_hash_step(h, td);
        for (size_t i = 0; i < ctx->n_boards; i++)
            if (ctx->boards[i]->frozen) h = pl_hash_step(h, 0x66726f7aULL + i);
    }
    h = pl_window_digest(ctx, h);
    /* Format 2 state beyond members (absent from format 1 digests). */
    if (pl_revoke_any(ctx)) h = pl_hash_step(h, pl_revoke_digest(ctx));
    if (ctx->prog_gen) { /* what program events started (revoke.c) */
        h = pl_hash_step(h, ctx->prog_gen);
        for (size_t i = 0; i < ctx->n_boards; i++) h = pl_hash_step(h, ctx->boards[i]->gen);
        for (uint32_t i = 0; ctx->trk_gen && i < ctx->lay.n_trk; i++) h = pl_hash_step(h, ctx->trk_gen[i]);
    }
    return pl_mix64(h);
}

/* ---- the state document --------------------------------------------------- */

static int cmp_member(const void *a, const void *b)
{
    const pl_member *x = *(const pl_member *const *)a, *y = *(const pl_member *const *)b;
    size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
    int c = memcmp(x->id, y->id, n);
    if (c) return c;
    return (x->idlen > y->idlen) - (x->idlen < y->idlen);
}

static void put_key(pl_buf *b, int depth, const char *key)
{
    pl_buf_indent(b, depth);
    pl_buf_json_str(b, key);
    pl_buf_puts(b, ": ");
}

static void put_opt_str(pl_buf *b, const char *s)
{
    if (s) pl_buf_json_str(b, s);
    else pl_buf_puts(b, "null");
}

static void put_member(const plaudit_ctx *ctx, pl_buf *b, const pl_member *m, const pl_badge **sorted, uint32_t *tmp)
{
    const pl_mstate *st = &m->st;
    put_key(b, 2, m->id);
    pl_buf_puts(b, "{");
    put_key(b, 3, "joined");
    pl_buf_printf(b, "%lld,", (long long)st->joined);
    put_key(b, 3, "points");
    pl_buf_printf(b, "%lld,", (long long)st->points);
    put_key(b, 3, "balance");
    pl_buf_printf(b, "%lld,", (long long)st->balance);
    put_key(b, 3, "tier");
    put_opt_str(b, st->tier >= 0 ? ctx->tiers[st->tier]->id : NULL);
    pl_buf_puts(b, ",");
    put_key(b, 3, "segment");
    put_opt_str(b, st->segment >= 0 ? ctx->segments[st->segment]->id : NULL);
    pl_buf_puts(b, ",");
    put_key(b, 3, "badges");
    if (!st->n_badges) {
        pl_buf_puts(b, "{}");
    } else {
        /* Badge ids in byte order: walk the sorted badge list and pick the
         * ones this member has (tmp maps badge index to its entry + 1). */
        for (uint32_t i = 0; i < st->n_badges; i++) tmp[st->badges[i].badge] = i + 1;
        pl_buf_puts(b, "{");
        uint32_t written = 0;
        for (size_t i = 0; i < ctx->n_badges && written < st->n_badges; i++) {
            uint32_t e = tmp[sorted[i]->idx];
            if (!e) continue;
            if (written++) pl_buf_puts(b, ",");
            put_key(b, 4, sorted[i]->id);
            pl_buf_printf(b, "%u", st->badges[e - 1].n);
        }
        for (uint32_t i = 0; i < st->n_badges; i++) tmp[st->badges[i].badge] = 0;
        pl_buf_indent(b, 3);
        pl_buf_puts(b, "}");
    }
    if (st->team >= 0 && ctx->format >= 2) {
        pl_buf_puts(b, ",");
        put_key(b, 3, "team");
        pl_buf_json_str(b, pl_team_id(ctx, st->team));
    }
    pl_buf_indent(b, 2);
    pl_buf_puts(b, "}");
}

static int cmp_badge(const void *a, const void *b)
{
    return strcmp((*(const pl_badge *const *)a)->id, (*(const pl_badge *const *)b)->id);
}

int plaudit_state_export(plaudit_ctx *ctx, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = NULL;
    if (len) *len = 0;
    pl_boards_sync(ctx);
    const pl_alloc *A = &ctx->alloc;
    size_t nm = ctx->n_members, nb = ctx->n_badges;
    pl_member **ms = pl_malloc(A, sizeof *ms * (nm ? nm : 1));
    const pl_badge **bs = pl_malloc(A, sizeof *bs * (nb ? nb : 1));
    uint32_t *tmp = pl_malloc(A, sizeof *tmp * (nb ? nb : 1));
    pl_rank_entry *top = NULL;
    pl_buf b;
    pl_buf_init(&b, A);
    if (!ms || !bs || !tmp) goto oom;
    if (nm) memcpy(ms, ctx->mv, sizeof *ms * nm); /* mv is NULL before the first member */
    qsort(ms, nm, sizeof *ms, cmp_member);
    for (size_t i = 0; i < nb; i++) bs[i] = ctx->badges[i];
    qsort(bs, nb, sizeof *bs, cmp_badge);
    memset(tmp, 0, sizeof *tmp * (nb ? nb : 1));

    pl_buf_puts(&b, "{");
    put_key(&b, 1, "format");
    pl_buf_printf(&b, "\"plaudit.state/%d\",", ctx->format);
    put_key(&b, 1, "clock");
    if (ctx->clock < 0) pl_buf_puts(&b, "null,");
    else pl_buf_printf(&b, "%lld,", (long long)ctx->clock);
    put_key(&b, 1, "members");
    if (!nm) pl_buf_puts(&b, "{}");
    else {
        pl_buf_puts(&b, "{");
        for (size_t i = 0; i < nm; i++) {
            if (i) pl_buf_puts(&b, ",");
            put_member(ctx, &b, ms[i], bs, tmp);
        }
        pl_buf_indent(&b, 1);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, ",");
    put_key(&b, 1, "leaderboards");
    if (!ctx->n_boards) pl_buf_puts(&b, "{}");
    else {
        pl_buf_puts(&b, "{");
        for (size_t i = 0; i < ctx->n_boards; i++) {
            const pl_board *lb = ctx->boards[i];
            if (i) pl_buf_puts(&b, ",");
            put_key(&b, 2, lb->id);
            uint64_t cnt = lb->rank ? pl_rank_count(lb->rank) : 0;
            size_t n = (uint64_t)lb->size < cnt ? (size_t)lb->size : (size_t)cnt;
            if (!n) {
                pl_buf_puts(&b, "[]");
                continue;
            }
            pl_free(A, top);
            top = pl_malloc(A, sizeof *top * n);
            if (!top) goto oom;
            n = pl_rank_range(lb->rank, 1, n, top);
            pl_buf_puts(&b, "[");
            for (size_t j = 0; j < n; j++) {
                if (j) pl_buf_puts(&b, ",");
                pl_buf_indent(&b, 3);
                pl_buf_puts(&b, "[");
                pl_buf_indent(&b, 4);
                pl_buf_json_str(&b, pl_board_entry_id(ctx, lb, top[j].member));
                pl_buf_puts(&b, ",");
                pl_buf_indent(&b, 4);
                pl_buf_printf(&b, "%lld", (long long)top[j].score);
                pl_buf_indent(&b, 3);
                pl_buf_puts(&b, "]");
            }
            pl_buf_indent(&b, 2);
            pl_buf_puts(&b, "]");
        }
        pl_buf_indent(&b, 1);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, ",");
    put_key(&b, 1, "rewards");
    size_t nr = 0;
    pl_buf_puts(&b, "{");
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        const pl_reward *r = ctx->rewards[i];
        if (r->stock0 == PLAUDIT_UNSET) continue;
        if (nr++) pl_buf_puts(&b, ",");
        put_key(&b, 2, r->id);
        pl_buf_puts(&b, "{");
        put_key(&b, 3, "stock");
        pl_buf_printf(&b, "%lld", (long long)r->stock);
        pl_buf_indent(&b, 2);
        pl_buf_puts(&b, "}");
    }
    if (nr) pl_buf_indent(&b, 1);
    pl_buf_puts(&b, "},");
    put_key(&b, 1, "stats");
    pl_buf_puts(&b, "{");
    put_key(&b, 2, "accepted");
    pl_buf_printf(&b, "%llu,", (unsigned long long)ctx->accepted);
    put_key(&b, 2, "duplicates");
    pl_buf_printf(&b, "%llu,", (unsigned long long)ctx->duplicates);
    put_key(&b, 2, "rejected");
    pl_buf_printf(&b, "%llu", (unsigned long long)ctx->rejected);
    pl_buf_indent(&b, 1);
    pl_buf_puts(&b, "}");
    pl_buf_indent(&b, 0);
    pl_buf_puts(&b, "}\n");
    if (b.oom) goto oom;
    pl_free(A, ms);
    pl_free(A, bs);
    pl_free(A, tmp);
    pl_free(A, top);
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
oom:
    pl_free(A, ms);
    pl_free(A, bs);
    pl_free(A, tmp);
    pl_free(A, top);
    pl_buf_free(&b);
    return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing the state document");
}
