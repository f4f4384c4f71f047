/* leaderboard.c - leaderboards: who is ranked (score above 0 in the board's
 * current period, not opted out, in the board's segment), the order-
 * statistic index per board, and the top / rank / around queries. */
#include "internal.h"

int pl_boards_init(plaudit_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_boards; i++) {
        pl_board *b = ctx->boards[i];
        b->cur = 0;
        if (!b->rank && pl_rank_new(&ctx->alloc, b->by_team ? pl_team_idcmp : pl_idcmp, ctx, &b->rank))
            return PLAUDIT_ENOMEM;
    }
    return PLAUDIT_OK;
}

int pl_slot_eligible(const plaudit_ctx *ctx, const pl_member *m, const pl_board *b)
{
    return pl_slot_eligible_at(&PL_CSLOTS(ctx, m)[b->idx], m, b);
}

int64_t pl_slot_score(const plaudit_ctx *ctx, const pl_member *m, const pl_board *b)
{
    if (b->period == PLAUDIT_PERIOD_ALL && b->from == PLAUDIT_UNSET) return m->st.points;
    const pl_slot *s = &PL_CSLOTS(ctx, m)[b->idx];
    return s->period == b->cur ? s->score : 0;
}

static int board_arg(plaudit_ctx *ctx, const char *board, pl_board **out)
{
    if (!board) return pl_err(ctx, PLAUDIT_EINVAL, "leaderboard id is NULL");
    *out = pl_board_find(ctx, board);
    if (!*out) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown leaderboard \"%s\"", board);
    pl_boards_sync(ctx); /* the index sees every accepted event */
    return PLAUDIT_OK;
}

static void fill_entries(plaudit_ctx *ctx, const pl_board *b, const pl_rank_entry *e, size_t n, uint64_t first_rank,
                         plaudit_rank_entry *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].member = pl_board_entry_id(ctx, b, e[i].member);
        out[i].score = e[i].score;
        out[i].ts = e[i].ts;
        out[i].rank = first_rank + i;
    }
}

/* Copy up to n entries from rank k into out[]. */
static size_t copy_range(plaudit_ctx *ctx, const pl_board *b, uint64_t k, size_t n, plaudit_rank_entry *out)
{
    /* Walk in chunks into a small buffer to avoid any allocation. */
    pl_rank_entry buf[64];
    size_t done = 0;
    while (done < n) {
        size_t want = n - done < 64 ? n - done : 64;
        size_t got = pl_rank_range(b->rank, k + done, want, buf);
        fill_entries(ctx, b, buf, got, k + done, out + done);
        done += got;
        if (got < want) break;
    }
    return done;
}

int plaudit_leaderboard_top(plaudit_ctx *ctx, const char *board, size_t n, plaudit_rank_entry *out, size_t *n_out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (n_out) *n_out = 0;
    if (!n_out || (n && !out)) return pl_err(ctx, PLAUDIT_EINVAL, "out or n_out is NULL");
    pl_board *b;
    int rc = board_arg(ctx, board, &b);
    if (rc) return rc;
    *n_out = b->rank ? copy_range(ctx, b, 1, n, out) : 0;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_leaderboard_rank(plaudit_ctx *ctx, const char *board, const char *member, uint64_t *rank, int64_t *score)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!rank) return pl_err(ctx, PLAUDIT_EINVAL, "rank is NULL");
    *rank = 0;
    if (score) *score = 0;
    pl_board *b;
    int rc = board_arg(ctx, board, &b);
    if (rc) return rc;
    if (!member) return pl_err(ctx, PLAUDIT_EINVAL, "member is NULL");
    if (b->by_team) {
        int32_t t = pl_team_find(ctx, member);
        if (t < 0) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown team \"%s\"%s", member, pl_team_did_you_mean(ctx, member));
        const pl_slot *ts = pl_team_slot(ctx, t, b);
        int cur = ts->period == b->cur;
        if (score) *score = cur ? ts->score : 0;
        if (ts->ranked && cur) *rank = pl_rank_rank(b->rank, ts->score, ts->ts, (uint32_t)t);
        pl_ok(ctx);
        return PLAUDIT_OK;
    }
    const pl_member *m = pl_member_find(ctx, member);
    if (!m) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown member \"%s\"", member);
    const pl_slot *s = &PL_CSLOTS(ctx, m)[b->idx];
    if (score) *score = pl_slot_score(ctx, m, b);
    if (s->ranked && s->period == b->cur) *rank = pl_rank_rank(b->rank, s->score, s->ts, m->idx);
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_leaderboard_around(plaudit_ctx *ctx, const char *board, const char *member, size_t k,
                               plaudit_rank_entry *out, size_t *n_out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (n_out) *n_out = 0;
    if (!out || !n_out) return pl_err(ctx, PLAUDIT_EINVAL, "out or n_out is NULL");
    if (k > SIZE_MAX / 4) return pl_err(ctx, PLAUDIT_ERANGE, "k is too large");
    uint64_t r;
    int rc = plaudit_leaderboard_rank(ctx, board, member, &r, NULL);
    if (rc || r == 0) return rc;
    const pl_board *b = pl_board_find(ctx, board);
    uint64_t first = r > k ? r - k : 1;
    *n_out = copy_range(ctx, b, first, (size_t)(r - first) + k + 1, out);
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_leaderboard_count(plaudit_ctx *ctx, const char *board, uint64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = 0;
    pl_board *b;
    int rc = board_arg(ctx, board, &b);
    if (rc) return rc;
    *out = b->rank ? pl_rank_count(b->rank) : 0;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
