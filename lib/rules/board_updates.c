/* board_updates.c - leaderboard index updates held until the index is next
 * read.
 *
 * A member's slots (score, ts, ranked) change with every event, but its
 * entry in a board's index only matters when the index is read: a query, a
 * period close, the state document.  So commit only notes the member (with
 * the entry the index holds for it, once, at its first change since the
 * last sync) and pl_boards_sync brings the indexes up to date: one update
 * per member and board however many events it had in between.  The index
 * orders entries by a total key (score, ts, member), so its content, which
 * is all a read sees, is the same as with an update per event.
 *
 * Every slot's `ranked` flag is kept exact at commit (it is state: digests
 * and snapshots see it); only the index lags.  Index memory for the held
 * inserts is reserved at commit, so a sync never fails.  Held members are
 * bounded (a sync runs when their number reaches a share of the members),
 * which bounds the memory of what is held. */
#include "internal.h"

/* An undo entry's member with its slots now (cur) and before the event
 * (prev: the same for a member the event created), found once per member
 * (a tail is reached through its member). */
typedef struct bu_view {
    const pl_undo *u;
    const pl_member *m;
    const pl_slot *cur, *prev;
} bu_view;

static bu_view view_of(const plaudit_ctx *ctx, const pl_undo *u)
{
    bu_view v = {u, u->m, PL_CSLOTS(ctx, u->m), NULL};
    v.prev = u->is_new ? v.cur : (const pl_slot *)(const void *)(pl_undo_tail(ctx, u) + ctx->lay.off_slots);
    return v;
}

/* A tick's undo list holds most members, whose tails are scattered: start
 * the slots of entry i + 8. */
static void undo_prefetch(const plaudit_ctx *ctx, size_t i)
{
    const pl_txn *t = &ctx->txn;
    if (i + 8 >= t->n_undo) return;
    const pl_member *p = t->undo[i + 8].m;
    if (!p->tail) return;
    __builtin_prefetch(p->tail + ctx->lay.off_slots);
    __builtin_prefetch(p->tail + ctx->lay.tail_size - 1);
}

/* The index's entry of the member on board b before this event: the slot
 * before the event, *was whether it is in the index. */
static const pl_slot *old_slot(const plaudit_ctx *ctx, const bu_view *v, size_t b, int *was)
{
    if (v->u->is_new || ctx->txn.board_closed[b]) {
        *was = 0;
        return &v->cur[b];
    }
    const pl_slot *o = &v->prev[b];
    *was = o->ranked && o->period == ctx->boards[b]->cur;
    return o;
}

/* Whether the index changes for the member on board b (now: eligible). */
static int slot_moves(const plaudit_ctx *ctx, const bu_view *v, size_t b, int now)
{
    int was;
    const pl_slot *o = old_slot(ctx, v, b, &was);
    if (was != now) return 1;
    if (!now) return 0;
    const pl_slot *s = &v->cur[b];
    return o->score != s->score || o->ts != s->ts;
}

/* The number of held members past which commits catch up, a slice at a
 * time.  A period close catches up with every held member at once (its
 * badges read the index), so this also bounds that pause: a few thousand
 * members plus 1/32 of the community, held for about as many events as it
 * takes that many others to come by, which keeps the busy members'
 * events coalesced. */
static size_t held_limit(const plaudit_ctx *ctx) { return 4096 + ctx->n_members / 32; }

/* Move the live held entries [bu_head, n_bu) to the front. */
static void bupd_compact(plaudit_ctx *ctx)
{
    size_t nb = ctx->n_boards, live = ctx->n_bu - ctx->bu_head;
    memmove(ctx->bu_m, ctx->bu_m + ctx->bu_head, sizeof *ctx->bu_m * live);
    memmove(ctx->bu_old, ctx->bu_old + ctx->bu_head * nb, sizeof *ctx->bu_old * nb * live);
    ctx->n_bu = live;
    ctx->bu_head = 0;
}

int pl_bupd_reserve(plaudit_ctx *ctx)
{
    const pl_txn *t = &ctx->txn;
    size_t nb = ctx->n_boards;
    if (!nb) return PLAUDIT_OK;
    size_t need = ctx->n_bu + t->n_undo;
    if (need > ctx->cap_bu && ctx->bu_head) { /* room at the front first */
        bupd_compact(ctx);
        need = ctx->n_bu + t->n_undo;
    }
    size_t cap = ctx->cap_bu;
    if (pl_grow(&ctx->alloc, (void **)&ctx->bu_m, &cap, need, sizeof *ctx->bu_m))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory updating the leaderboards");
    ctx->cap_bu = cap;
    if (pl_grow(&ctx->alloc, (void **)&ctx->bu_old, &ctx->cap_bu_old, need * nb, sizeof *ctx->bu_old) ||
        pl_grow(&ctx->alloc, (void **)&ctx->bu_ins, &ctx->cap_bu_ins, nb, sizeof *ctx->bu_ins) ||
        pl_grow(&ctx->alloc, (void **)&ctx->bu_next, &ctx->cap_bu_next, nb, sizeof *ctx->bu_next))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory updating the leaderboards");
    if (ctx->n_bu == 0) memset(ctx->bu_ins, 0, sizeof *ctx->bu_ins * nb);
    /* Inserts a sync can make per board: held members eligible there.  A
     * member held before keeps its entry; its eligibility may change. */
    for (size_t b = 0; b < nb; b++) ctx->bu_next[b] = ctx->bu_ins[b];
    for (size_t i = 0; i < t->n_undo; i++) {
        undo_prefetch(ctx, i);
        const pl_undo *u = &t->undo[i];
        const pl_member *m = u->m;
        bu_view v = view_of(ctx, u);
        int held = !u->is_new && m->held;
        int any = held;
        for (size_t b = 0; b < nb && !any; b++) {
            const pl_board *board = ctx->boards[b];
            if (board->frozen) continue;
            any = slot_moves(ctx, &v, b, pl_slot_eligible_at(&v.cur[b], m, board));
        }
        if (!any) continue;
        for (size_t b = 0; b < nb; b++) {
            const pl_board *board = ctx->boards[b];
            if (board->frozen) continue;
            int now = pl_slot_eligible_at(&v.cur[b], m, board);
            /* ranked is written at commit only: eligible at its last one */
            int before = held ? (int)v.cur[b].ranked : 0;
            ctx->bu_next[b] += (uint64_t)now - (uint64_t)before;
        }
    }
    for (size_t b = 0; b < nb; b++) {
        const pl_board *board = ctx->boards[b];
        if (board->frozen || !ctx->bu_next[b]) continue;
        if (pl_rank_reserve(board->rank, (size_t)ctx->bu_next[b]))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory updating leaderboard \"%s\"", board->id);
    }
    return PLAUDIT_OK;
}

void pl_bupd_commit(plaudit_ctx *ctx)
{
    const pl_txn *t = &ctx->txn;
    size_t nb = ctx->n_boards;
    if (!nb) return;
    for (size_t b = 0; b < nb; b++)
        if (!ctx->boards[b]->frozen && t->board_closed[b]) pl_rank_clear(ctx->boards[b]->rank);
    for (size_t i = 0; i < t->n_undo; i++) {
        undo_prefetch(ctx, i);
        const pl_undo *u = &t->undo[i];
        pl_member *m = u->m;
        bu_view v = view_of(ctx, u);
        if (u->is_new || !m->held) {
            int any = 0;
            for (size_t b = 0; b < nb && !any; b++) {
                const pl_board *board = ctx->boards[b];
                if (board->frozen) continue;
                any = slot_moves(ctx, &v, b, pl_slot_eligible_at(&v.cur[b], m, board));
            }
            if (any) { /* else the index stays as it is */
                pl_slot *old = &ctx->bu_old[ctx->n_bu * nb];
                for (size_t b = 0; b < nb; b++) {
                    int was;
                    old[b] = *old_slot(ctx, &v, b, &was);
                    old[b].ranked = (uint32_t)was; /* in the index */
                }
                ctx->bu_m[ctx->n_bu++] = m->idx;
                m->held = 1;
            }
        }
        /* Written only when it changes: a member without a tail (score 0)
         * is never eligible, as its template slot says. */
        for (size_t b = 0; b < nb; b++) {
            if (ctx->boards[b]->frozen) continue;
            uint32_t r = (uint32_t)pl_slot_eligible_at(&v.cur[b], m, ctx->boards[b]);
            if (v.cur[b].ranked != r) PL_SLOTS(ctx, m)[b].ranked = r;
        }
    }
    memcpy(ctx->bu_ins, ctx->bu_next, sizeof *ctx->bu_ins * nb);
}

/* The slots m had at the end of the last accepted event: inside an event
 * (a store callback's query), a member it changed has them in its
 * snapshot. */
static const pl_slot *committed_slots(const plaudit_ctx *ctx, const pl_member *m)
{
    const pl_txn *t = &ctx->txn;
    if (t->active && m->mark == t->serial)
        for (size_t i = t->n_undo; i-- > 0;) {
            const pl_undo *u = &t->undo[i];
            if (u->m != m) continue;
            if (u->is_new) break;
            return (const pl_slot *)(const void *)(pl_undo_tail(ctx, u) + ctx->lay.off_slots);
        }
    return PL_CSLOTS(ctx, m);
}

/* Bring held entry i's indexes up to date; 0 when done (the member is no
 * longer held), else the member stays held with what is done. */
static int sync_one(plaudit_ctx *ctx, size_t i)
{
    size_t nb = ctx->n_boards;
    pl_member *m = ctx->mv[ctx->bu_m[i]];
    pl_slot *old = &ctx->bu_old[i * nb];
    const pl_slot *s = committed_slots(ctx, m);
    int failed = 0;
    for (size_t b = 0; b < nb; b++) {
        pl_board *board = ctx->boards[b];
        if (board->frozen) continue; /* a season's last standings stay */
        /* A close emptied the index and moved cur on: what an entry or a
         * slot says of an earlier period is not in it (board_standings). */
        int was = old[b].ranked && old[b].period == board->cur, now = s[b].ranked && s[b].period == board->cur;
        if (was && now && old[b].score == s[b].score && old[b].ts == s[b].ts) continue;
        /* Reserved at commit, so none of these fails; should one (a store
         * callback's query inside an event used the room), the member
         * stays held with what is done. */
        int rc = 0;
        if (was && now) rc = pl_rank_update(board->rank, old[b].score, old[b].ts, s[b].score, s[b].ts, m->idx);
        else if (was) rc = pl_rank_remove(board->rank, old[b].score, old[b].ts, m->idx);
        else if (now) rc = pl_rank_insert(board->rank, s[b].score, s[b].ts, m->idx);
        if (rc) {
            failed = 1;
            continue;
        }
        old[b] = s[b];
    }
    if (failed) return 1;
    m->held = 0;
    /* its share of the inserts reserved for held members: pl_bupd_reserve
     * counts each held member's ranked flag as its last commit left it */
    for (size_t b = 0; b < nb; b++)
        if (!ctx->boards[b]->frozen && s[b].ranked && ctx->bu_ins[b]) ctx->bu_ins[b]--;
    return 0;
}

/* Members are scattered and a tail is reached through its member: start
 * the member of held entry i + 8, the slots of entry i + 4. */
static void sync_prefetch(const plaudit_ctx *ctx, size_t i)
{
    if (i + 8 < ctx->n_bu) __builtin_prefetch(&ctx->mv[ctx->bu_m[i + 8]]->tail);
    if (i + 4 < ctx->n_bu) {
        const pl_member *p = ctx->mv[ctx->bu_m[i + 4]];
        if (p->tail) {
            __builtin_prefetch(p->tail + ctx->lay.off_slots);
            __builtin_prefetch(p->tail + ctx->lay.tail_size - 1);
        }
    }
}

void pl_boards_sync(plaudit_ctx *ctx)
{
    size_t nb = ctx->n_boards;
    size_t kept = 0;
    for (size_t i = ctx->bu_head; i < ctx->n_bu; i++) {
        sync_prefetch(ctx, i);
        if (!sync_one(ctx, i)) continue;
        if (kept != i) {
            ctx->bu_m[kept] = ctx->bu_m[i];
            memmove(&ctx->bu_old[kept * nb], &ctx->bu_old[i * nb], sizeof *ctx->bu_old * nb);
        }
        kept++;
    }
    ctx->n_bu = kept;
    ctx->bu_head = 0;
    if (!kept && ctx->bu_ins) memset(ctx->bu_ins, 0, sizeof *ctx->bu_ins * nb);
}

/* Past the limit of held members, each commit brings the longest held
 * slice of them up to date: a bounded pause (about a millisecond) instead
 * of catching up with all of them at once, while members keep being held
 * as long as before, so their events still coalesce.  The live entries are
 * [bu_head, n_bu); the front is compacted once it is the larger part, so
 * each entry moves at most once per slice it outlives. */
#define PL_BUPD_SLICE 1024

void pl_bupd_after_commit(plaudit_ctx *ctx)
{
    if (ctx->n_bu - ctx->bu_head < held_limit(ctx)) return;
    size_t nb = ctx->n_boards, end = ctx->bu_head + PL_BUPD_SLICE;
    if (end > ctx->n_bu) end = ctx->n_bu;
    while (ctx->bu_head < end) {
        sync_prefetch(ctx, ctx->bu_head);
        if (sync_one(ctx, ctx->bu_head)) break;
        ctx->bu_head++;
    }
    size_t live = ctx->n_bu - ctx->bu_head;
    if (ctx->bu_head >= live) bupd_compact(ctx);
    if (!live) memset(ctx->bu_ins, 0, sizeof *ctx->bu_ins * nb);
}

/* ---- the standings of a closing board --------------------------------------
 *
 * A period close needs the top of the closing board, and catching up with
 * every held member for it would pause the event for all of them.  The
 * board's order is that of its index with each held member's entry
 * replaced by its committed slot: so the top k is the merge of the index's
 * entries of members not held (walked from the top) and the best k of the
 * held members' slots. */

static int entry_before(const plaudit_ctx *ctx, const pl_rank_entry *a, const pl_rank_entry *b)
{
    if (a->score != b->score) return a->score > b->score;
    if (a->ts != b->ts) return a->ts < b->ts;
    return pl_idcmp(a->member, b->member, (void *)ctx) < 0;
}

int pl_board_standings(plaudit_ctx *ctx, const pl_board *b, uint64_t want_k, const pl_rank_entry **top,
                       size_t *n_top, uint64_t *count)
{
    size_t nb = ctx->n_boards, bi = b->idx;
    uint64_t cnt = pl_rank_count(b->rank);
    /* no more than the board can hold */
    uint64_t most = cnt + (ctx->n_bu - ctx->bu_head);
    size_t k = (size_t)(want_k < most ? want_k : most);
    size_t nh = 0; /* the best held entries, in order, in std_held */
    int merge = !b->by_team && !b->frozen && ctx->n_bu > ctx->bu_head;
    if (merge) {
        if (pl_grow(&ctx->alloc, (void **)&ctx->std_held, &ctx->cap_std_held, k + 1, sizeof *ctx->std_held))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory closing leaderboard \"%s\"", b->id);
        for (size_t i = ctx->bu_head; i < ctx->n_bu; i++) {
            const pl_slot *o = &ctx->bu_old[i * nb + bi];
            const pl_member *m = ctx->mv[ctx->bu_m[i]];
            const pl_slot *sl = &committed_slots(ctx, m)[bi];
            int was = o->ranked && o->period == b->cur, now = sl->ranked && sl->period == b->cur;
            cnt = cnt - (uint64_t)was + (uint64_t)now;
            if (!now || !k) continue;
            pl_rank_entry e = {sl->score, sl->ts, m->idx};
            if (nh == k && !entry_before(ctx, &e, &ctx->std_held[k - 1])) continue;
            /* binary search for its place among the best so far */
            size_t lo = 0, hi = nh;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (entry_before(ctx, &ctx->std_held[mid], &e)) lo = mid + 1;
                else hi = mid;
            }
            size_t keep = nh < k ? nh : k - 1;
            memmove(&ctx->std_held[lo + 1], &ctx->std_held[lo], sizeof e * (keep - lo));
            ctx->std_held[lo] = e;
            if (nh < k) nh++;
        }
    }
    size_t want = (uint64_t)k < cnt ? k : (size_t)cnt;
    if (pl_grow(&ctx->alloc, (void **)&ctx->std_top, &ctx->cap_std_top, want + 1, sizeof *ctx->std_top))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory closing leaderboard \"%s\"", b->id);
    size_t n = 0, h = 0;
    uint64_t r = 1;
    pl_rank_entry buf[64];
    size_t nbuf = 0, at = 0;
    while (n < want) {
        if (at == nbuf) {
            nbuf = pl_rank_range(b->rank, r, 64, buf);
            r += nbuf;
            at = 0;
        }
        const pl_rank_entry *ix = NULL;
        while (at < nbuf && merge && ctx->mv[buf[at].member]->held) at++; /* its slot is among the held */
        if (at < nbuf) ix = &buf[at];
        else if (nbuf) continue; /* the chunk was all held: the next one */
        if (h < nh && (!ix || entry_before(ctx, &ctx->std_held[h], ix))) {
            ctx->std_top[n++] = ctx->std_held[h++];
        } else if (ix) {
            ctx->std_top[n++] = *ix;
            at++;
        } else {
            break; /* both ran out (cannot happen: the count says so) */
        }
    }
    *top = ctx->std_top;
    *n_top = n;
    *count = cnt;
    return PLAUDIT_OK;
}

void pl_bupd_drop(plaudit_ctx *ctx)
{
    ctx->n_bu = ctx->bu_head = 0;
    if (ctx->bu_ins) memset(ctx->bu_ins, 0, sizeof *ctx->bu_ins * ctx->cap_bu_ins);
}

void pl_bupd_free(plaudit_ctx *ctx)
{
    pl_free(&ctx->alloc, ctx->bu_m);
    pl_free(&ctx->alloc, ctx->bu_old);
    pl_free(&ctx->alloc, ctx->bu_ins);
    pl_free(&ctx->alloc, ctx->bu_next);
    pl_free(&ctx->alloc, ctx->std_held);
    pl_free(&ctx->alloc, ctx->std_top);
    ctx->std_held = ctx->std_top = NULL;
    ctx->cap_std_held = ctx->cap_std_top = 0;
    ctx->bu_m = NULL;
    ctx->bu_old = NULL;
    ctx->bu_ins = ctx->bu_next = NULL;
    ctx->n_bu = ctx->bu_head = ctx->cap_bu = ctx->cap_bu_old = ctx->cap_bu_ins = ctx->cap_bu_next = 0;
}
