/* season.c - dated rules (format 2): seasons (leaderboards with a range,
 * closed and frozen when the clock reaches `until`), the period test for a
 * dated leaderboard badge at a close, the words for a date range, and the
 * leaderboard info query. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* The first instant of the period of kind `per` holding ts: period keys
 * never decrease with time, so a binary search finds where the key starts
 * (only at a close with a dated leaderboard badge). */
static int64_t period_start(plaudit_ctx *ctx, plaudit_period per, int64_t ts)
{
    uint32_t k = pl_keys(ctx, ts)[per];
    int64_t lo = 0, hi = ts; /* key(hi) == k */
    if (pl_keys(ctx, 0)[per] == k) return 0;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (pl_keys(ctx, mid)[per] == k) hi = mid;
        else lo = mid;
    }
    return hi;
}

/* The first instant after ts in a later period (or PLAUDIT_MAX_TS + 1). */
static int64_t period_end(plaudit_ctx *ctx, plaudit_period per, int64_t ts)
{
    uint32_t k = pl_keys(ctx, ts)[per];
    int64_t lo = ts, hi = PLAUDIT_MAX_TS + 1;
    if (pl_keys(ctx, PLAUDIT_MAX_TS)[per] == k) return hi;
    hi = PLAUDIT_MAX_TS;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (pl_keys(ctx, mid)[per] == k) lo = mid;
        else hi = mid;
    }
    return hi;
}

int pl_close_in_range(plaudit_ctx *ctx, const pl_badge *g, const pl_board *b, int64_t old, int64_t ts)
{
    int ok = 1;
    if (b->period != PLAUDIT_PERIOD_ALL) {
        int64_t start = period_start(ctx, b->period, old), end = period_end(ctx, b->period, old);
        if (b->from != PLAUDIT_UNSET) {
            if (start < b->from) start = b->from;
            if (end > b->until) end = b->until;
        }
        ok = (g->until == PLAUDIT_UNSET || start < g->until) && (g->from == PLAUDIT_UNSET || g->from < end);
        pl_keys(ctx, ts); /* the caller's keys are those of ts */
    } else if (b->from != PLAUDIT_UNSET) {
        ok = (g->until == PLAUDIT_UNSET || b->from < g->until) && (g->from == PLAUDIT_UNSET || g->from < b->until);
    }
    return ok;
}

static const char *const months[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};

static void local_date(const plaudit_ctx *ctx, int64_t ts, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t lo, hi;
    /* before sealing a UTC program has no zone object: the offset says it */
    int64_t day = ctx->tz ? pl_tz_day(ctx->tz, ts, &lo, &hi) : (ts + ctx->utc_offset_min * 60) / 86400;
    pl_civil_from_days(day, y, m, d);
}

void pl_dates_phrase(const plaudit_ctx *ctx, int64_t from, int64_t until, pl_buf *b)
{
    int64_t y1 = 0, y2 = 0;
    unsigned m1 = 1, d1 = 1, m2 = 1, d2 = 1;
    if (from != PLAUDIT_UNSET) local_date(ctx, from, &y1, &m1, &d1);
    if (until != PLAUDIT_UNSET) local_date(ctx, until > 0 ? until - 1 : 0, &y2, &m2, &d2); /* until is exclusive */
    if (from != PLAUDIT_UNSET && until != PLAUDIT_UNSET) {
        if (y1 == y2 && m1 == m2 && d1 == d2)
            pl_buf_printf(b, "on %u %s %lld", d1, months[m1 - 1], (long long)y1);
        else if (y1 == y2 && m1 == m2)
            pl_buf_printf(b, "%u to %u %s %lld", d1, d2, months[m1 - 1], (long long)y1);
        else if (y1 == y2)
            pl_buf_printf(b, "%u %s to %u %s %lld", d1, months[m1 - 1], d2, months[m2 - 1], (long long)y1);
        else
            pl_buf_printf(b, "%u %s %lld to %u %s %lld", d1, months[m1 - 1], (long long)y1, d2, months[m2 - 1],
                          (long long)y2);
    } else if (from != PLAUDIT_UNSET) {
        pl_buf_printf(b, "from %u %s %lld", d1, months[m1 - 1], (long long)y1);
    } else {
        pl_buf_printf(b, "until %u %s %lld", d2, months[m2 - 1], (long long)y2);
    }
    if (ctx->tzname) pl_buf_printf(b, " (%s)", ctx->tzname);
    else if (ctx->utc_offset_min)
        pl_buf_printf(b, " (UTC%c%02d:%02d)", ctx->utc_offset_min < 0 ? '-' : '+', abs(ctx->utc_offset_min) / 60,
                      abs(ctx->utc_offset_min) % 60);
    else pl_buf_puts(b, " (UTC)");
}

const char *plaudit_leaderboard_at(const plaudit_ctx *ctx, size_t i)
{
    return ctx && i < ctx->n_boards ? ctx->boards[i]->id : NULL;
}

int plaudit_leaderboard_info_get(plaudit_ctx *ctx, const char *board, plaudit_leaderboard_info *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !board) return pl_err(ctx, PLAUDIT_EINVAL, "board or out is NULL");
    memset(out, 0, sizeof *out);
    const pl_board *b = pl_board_find(ctx, board);
    if (!b) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown leaderboard \"%s\"", board);
    out->id = b->id;
    out->name = b->name;
    out->period = b->period;
    out->by = b->by_team ? PLAUDIT_BY_TEAM : PLAUDIT_BY_MEMBER;
    out->segment = b->segment >= 0 ? ctx->segments[b->segment]->id : NULL;
    out->from = b->from;
    out->until = b->until;
    out->frozen = b->frozen;
    pl_boards_sync(ctx);
    out->count = b->rank ? pl_rank_count(b->rank) : 0;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
