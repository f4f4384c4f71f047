/* engine.c - processing one event: argument checks, idempotency keys,
 * validation against the state, the transaction (snapshot, rollback,
 * commit), the clock and leaderboard period closes, what each event type
 * does, and delivering the outcome to the caller and the listener. */
#include <stdio.h>

#include "internal.h"

const uint32_t *pl_keys(plaudit_ctx *ctx, int64_t ts)
{
    if (ts >= ctx->pc_lo && ts < ctx->pc_hi) return ctx->pc_keys;
    int64_t lo, hi;
    int64_t day = pl_tz_day(ctx->tz, ts, &lo, &hi);
    pl_period_keys(day, ctx->pc_keys);
    ctx->pc_lo = lo;
    ctx->pc_hi = hi;
    return ctx->pc_keys;
}

static const char *const type_names[] = {"action", "join",        "kudos", "redeem", "award",  "adjust",
                                         "segment", "preferences", "tick",  "revoke", "team",   "program"};

const char *plaudit_event_type_name(plaudit_event_type t)
{
    return (unsigned)t <= PLAUDIT_EVENT_PROGRAM ? type_names[t] : NULL;
}

/* ---- idempotency ---------------------------------------------------------- */

/* The content of an event, key order aside: the fields its type uses. */
static uint64_t event_content(const plaudit_event *ev)
{
    uint64_t h = pl_hash_step(0x706c6175646974ULL, (uint64_t)ev->type);
    h = pl_hash_step(h, (uint64_t)ev->ts);
    switch (ev->type) {
    case PLAUDIT_EVENT_TICK: break;
    case PLAUDIT_EVENT_JOIN: h = pl_hash_str(h, ev->member); break;
    case PLAUDIT_EVENT_ADJUST:
        h = pl_hash_str(h, ev->member);
        h = pl_hash_step(h, (uint64_t)ev->points);
        h = pl_hash_str(h, ev->reason);
        break;
    case PLAUDIT_EVENT_PREFERENCES:
        h = pl_hash_str(h, ev->member);
        h = pl_hash_step(h, (uint64_t)!!ev->flag);
        break;
    case PLAUDIT_EVENT_REVOKE:
        h = pl_hash_str(h, ev->target);
        h = pl_hash_str(h, ev->reason);
        break;
    case PLAUDIT_EVENT_PROGRAM: h = pl_hash_str(h, ev->document); break;
    default:
        h = pl_hash_str(h, ev->member);
        h = pl_hash_str(h, ev->target);
        break;
    }
    /* Hashed only when present, so that format 1 contents are unchanged. */
    if (ev->ref) h = pl_hash_str(pl_hash_step(h, 0x726566ULL), ev->ref);
    return h;
}

static pl_key *key_find(const plaudit_ctx *ctx, const char *id)
{
    pl_key *k = NULL;
    HASH_FIND(hh, ctx->key_h, id, strlen(id), k);
    return k;
}

/* Forget keys accepted more than retention_s before the clock.  Keys sit
 * in acceptance order and the clock never goes back, so the old ones are
 * at the head. */
static void keys_prune(plaudit_ctx *ctx)
{
    if (ctx->retention_s <= 0) return;
    PL_UH(&ctx->alloc);
    while (ctx->key_h && ctx->clock - ctx->key_h->clock > ctx->retention_s) {
        pl_key *k = ctx->key_h;
        HASH_DELETE(hh, ctx->key_h, k);
        pl_revoke_key_forget(ctx, k);
        pl_free(&ctx->alloc, k);
    }
    pl_revoke_prune(ctx);
}

/* ---- argument checks -------------------------------------------------------- */

static int check_member_id(plaudit_ctx *ctx, const char *s, const char *what)
{
    int rc = pl_check_text(s, 1, PL_MEMBER_ID_MAX, ctx->errmsg, sizeof ctx->errmsg, what);
    if (rc) ctx->err_code = rc;
    return rc;
}

static int check_text(plaudit_ctx *ctx, const char *s, size_t min, size_t max, const char *what)
{
    int rc = pl_check_text(s, min, max, ctx->errmsg, sizeof ctx->errmsg, what);
    if (rc) ctx->err_code = rc;
    return rc;
}

/* How each event type uses the fields of plaudit_event.  A field a type
 * does not use must be NULL / 0: it is neither applied nor journaled
 * wrongly, and it cannot carry bytes the journal could not hold. */
enum { T_NONE = 0, T_RULE, T_MEMBER, T_KEY };
typedef struct field_use {
    const char *member;       /* label of member, NULL: not used */
    const char *target;       /* label of target, NULL: not used */
    unsigned char target_kind; /* T_RULE, T_MEMBER (text like a member id),
                                  T_KEY (an event id) */
    unsigned char target_opt; /* target may be NULL */
    unsigned char points, reason, flag, ref, document;
} field_use;

static const field_use uses[] = {
    [PLAUDIT_EVENT_ACTION] = {"member", "action", T_RULE, 0, 0, 0, 0, 1, 0},
    [PLAUDIT_EVENT_JOIN] = {"member", NULL, T_NONE, 0, 0, 0, 0, 0, 0},
    [PLAUDIT_EVENT_KUDOS] = {"kudos from", "kudos to", T_MEMBER, 0, 0, 0, 0, 1, 0},
    [PLAUDIT_EVENT_REDEEM] = {"member", "reward", T_RULE, 0, 0, 0, 0, 1, 0},
    [PLAUDIT_EVENT_AWARD] = {"member", "badge", T_RULE, 0, 0, 0, 0, 1, 0},
    [PLAUDIT_EVENT_ADJUST] = {"member", NULL, T_NONE, 0, 1, 1, 0, 1, 0},
    [PLAUDIT_EVENT_SEGMENT] = {"member", "segment", T_RULE, 1, 0, 0, 0, 0, 0},
    [PLAUDIT_EVENT_PREFERENCES] = {"member", NULL, T_NONE, 0, 0, 0, 1, 0, 0},
    [PLAUDIT_EVENT_TICK] = {NULL, NULL, T_NONE, 0, 0, 0, 0, 0, 0},
    [PLAUDIT_EVENT_REVOKE] = {NULL, "revoked event id", T_KEY, 1, 0, 1, 0, 1, 0},
    [PLAUDIT_EVENT_TEAM] = {"member", "team", T_MEMBER, 1, 0, 0, 0, 0, 0},
    [PLAUDIT_EVENT_PROGRAM] = {NULL, NULL, T_NONE, 0, 0, 0, 0, 0, 1},
};

static int unused(plaudit_ctx *ctx, const plaudit_event *ev, const char *field)
{
    const char *t = plaudit_event_type_name(ev->type);
    return pl_err(ctx, PLAUDIT_EINVAL, "%s %s event takes no %s (fields a type does not use must be NULL or 0)",
                  pl_a_an(t), t, field);
}

static int check_target(plaudit_ctx *ctx, const field_use *u, const char *s)
{
    switch (u->target_kind) {
    case T_RULE: {
        int rc = pl_check_rule_id(s, ctx->errmsg, sizeof ctx->errmsg, u->target);
        if (rc) ctx->err_code = rc;
        return rc;
    }
    case T_MEMBER: return check_member_id(ctx, s, u->target);
    default: return check_text(ctx, s, 1, PL_KEY_MAX, u->target);
    }
}

/* The fields new in format 2 need a format 2 program. */
static int check_format(plaudit_ctx *ctx, const plaudit_event *ev)
{
    /* A program event is also how a format 1 program moves on (through the
     * C API: to the line reader of a format 1 program it is unknown). */
    if (ev->type > PLAUDIT_EVENT_TICK && ev->type != PLAUDIT_EVENT_PROGRAM && ctx->format < 2)
        return pl_err(ctx, PLAUDIT_EVERSION, "event type \"%s\" needs a program of format 2 (plaudit.program/2)",
                      plaudit_event_type_name(ev->type));
    if (ev->ref && ctx->format < 2)
        return pl_err(ctx, PLAUDIT_EVERSION, "ref needs a program of format 2 (plaudit.program/2)");
    return PLAUDIT_OK;
}

/* Every field of the event, before anything is looked up or applied. */
static int check_args(plaudit_ctx *ctx, const plaudit_event *ev)
{
    int rc;
    if ((unsigned)ev->type > PLAUDIT_EVENT_PROGRAM)
        return pl_err(ctx, PLAUDIT_EINVAL, "unknown event type %d", (int)ev->type);
    if (ev->ts < 0 || ev->ts > PLAUDIT_MAX_TS)
        return pl_err(ctx, PLAUDIT_ERANGE, "ts %lld is out of range (0 to 2^37)", (long long)ev->ts);
    if (ev->id && (rc = check_text(ctx, ev->id, 1, PL_KEY_MAX, "event id"))) return rc;
    if ((rc = check_format(ctx, ev))) return rc;
    const field_use *u = &uses[ev->type];
    if (u->member) {
        if ((rc = check_member_id(ctx, ev->member, u->member))) return rc;
    } else if (ev->member) {
        return unused(ctx, ev, "member");
    }
    if (u->target) {
        if ((ev->target || !u->target_opt) && (rc = check_target(ctx, u, ev->target))) return rc;
    } else if (ev->target) {
        return unused(ctx, ev, "target");
    }
    if (!u->points && ev->points) return unused(ctx, ev, "points");
    if (u->points && (ev->points < -PLAUDIT_MAX_VALUE || ev->points > PLAUDIT_MAX_VALUE))
        return pl_err(ctx, PLAUDIT_ERANGE, "adjust points %lld is out of range (-10^9 to 10^9)", (long long)ev->points);
    if (!u->reason && ev->reason) return unused(ctx, ev, "reason");
    if (ev->reason && (rc = check_text(ctx, ev->reason, 0, PL_REASON_MAX, "reason"))) return rc;
    if (!u->flag && ev->flag) return unused(ctx, ev, "flag");
    if (!u->ref && ev->ref) return unused(ctx, ev, "ref");
    if (ev->ref && (rc = check_text(ctx, ev->ref, 1, PL_KEY_MAX, "ref"))) return rc;
    if (!u->document && ev->document) return unused(ctx, ev, "document");
    switch (ev->type) {
    case PLAUDIT_EVENT_REVOKE:
        if (!ev->target == !ev->ref)
            return pl_err(ctx, PLAUDIT_EINVAL, "a revoke names exactly one of an event id (target) and a ref");
        return PLAUDIT_OK;
    case PLAUDIT_EVENT_PROGRAM: {
        if (!ev->document) return pl_err(ctx, PLAUDIT_EINVAL, "a program event needs a document");
        /* Bounded before anything reads it whole; the journal holds it. */
        size_t n = strnlen(ev->document, ctx->max_program + 1);
        if (n > ctx->max_program) {
            ctx->limit_option = "max_program_bytes";
            return pl_err(ctx, PLAUDIT_ELIMIT, "document: larger than the limit of %zu bytes (max_program_bytes)",
                          ctx->max_program);
        }
        if (n > PL_JOURNAL_DOC_MAX)
            return pl_err(ctx, PLAUDIT_ELIMIT, "document: %zu bytes, more than a journal record holds (%u)", n,
                          (unsigned)PL_JOURNAL_DOC_MAX);
        return PLAUDIT_OK;
    }
    default: return PLAUDIT_OK;
    }
}

/* ---- validation against the state ------------------------------------------- */

typedef struct resolved {
    pl_member *m, *m2;   /* member (kudos: giver), kudos receiver */
    pl_action *a;
    pl_reward *r;
    pl_badge *g;
    pl_segment *s;
} resolved;

static int check_time(plaudit_ctx *ctx, const pl_member *m, int64_t ts)
{
    if (!m) return PLAUDIT_OK;
    int64_t last = pl_member_last(ctx, m);
    if (ts >= last) return PLAUDIT_OK;
    return pl_err(ctx, PLAUDIT_ETIME, "time went backwards for member \"%s\": ts %lld is before its last event at %lld",
                  m->id, (long long)ts, (long long)last);
}

static int validate(plaudit_ctx *ctx, const plaudit_event *ev, resolved *R)
{
    memset(R, 0, sizeof *R);
    int rc;
    if (ev->type == PLAUDIT_EVENT_REVOKE) return pl_revoke_match(ctx, ev);
    if (ev->type == PLAUDIT_EVENT_PROGRAM) return pl_program_update_check(ctx, ev);
    if (ev->type == PLAUDIT_EVENT_TICK) {
        if (ev->ts < ctx->clock)
            return pl_err(ctx, PLAUDIT_ETIME, "tick at %lld is earlier than the clock %lld", (long long)ev->ts,
                          (long long)ctx->clock);
        return PLAUDIT_OK;
    }
    R->m = pl_member_find(ctx, ev->member);
    size_t new_members = !R->m;
    switch (ev->type) {
    case PLAUDIT_EVENT_ACTION:
        if (!(R->a = pl_action_find(ctx, ev->target)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown action \"%s\"%s", ev->target,
                          pl_did_you_mean(ctx, PL_K_ACTION, ev->target));
        break;
    case PLAUDIT_EVENT_JOIN:
        if (R->m) return pl_err(ctx, PLAUDIT_EEXIST, "member \"%s\" already exists", ev->member);
        break;
    case PLAUDIT_EVENT_KUDOS: {
        if (!ctx->kudos.declared) return pl_err(ctx, PLAUDIT_EDISABLED, "the program has no kudos section");
        if (strcmp(ev->member, ev->target) == 0)
            return pl_err(ctx, PLAUDIT_ESELF, "member \"%s\" cannot give kudos to themselves", ev->member);
        R->m2 = pl_member_find(ctx, ev->target);
        new_members += !R->m2;
        if ((rc = check_time(ctx, R->m2, ev->ts))) return rc;
        if (ctx->kudos.give_trk >= 0) {
            /* Kudos given in the current period: 0 for a new member or a
             * tracker left from an earlier period. */
            int64_t given = 0;
            if (R->m) {
                const pl_trk *t = &PL_CTRK(ctx, R->m)[ctx->kudos.give_trk];
                if (t->period == pl_keys(ctx, ev->ts)[ctx->kudos.give_per]) given = (int64_t)t->aux;
            }
            if (ctx->kudos.give_cap == 0) return pl_err(ctx, PLAUDIT_ELIMIT, "the give cap allows no kudos");
            if (given >= ctx->kudos.give_cap)
                return pl_err(ctx, PLAUDIT_ELIMIT, "member \"%s\" already gave %lld kudos this %s (the give cap)",
                              ev->member, (long long)ctx->kudos.give_cap, plaudit_period_name(ctx->kudos.give_per));
        }
        break;
    }
    case PLAUDIT_EVENT_REDEEM: {
        if (!(R->r = pl_reward_find(ctx, ev->target)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown reward \"%s\"%s", ev->target,
                          pl_did_you_mean(ctx, PL_K_REWARD, ev->target));
        if (R->r->stock0 != PLAUDIT_UNSET && R->r->stock <= 0)
            return pl_err(ctx, PLAUDIT_ESTOCK, "reward \"%s\" is out of stock", ev->target);
        int64_t bal = R->m ? R->m->st.balance : 0;
        if (bal < R->r->cost)
            return pl_err(ctx, PLAUDIT_EFUNDS, "member \"%s\" has a balance of %lld, reward \"%s\" costs %lld",
                          ev->member, (long long)bal, ev->target, (long long)R->r->cost);
        break;
    }
    case PLAUDIT_EVENT_AWARD:
        if (!(R->g = pl_badge_find(ctx, ev->target)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown badge \"%s\"%s", ev->target,
                          pl_did_you_mean(ctx, PL_K_BADGE, ev->target));
        if (R->g->kind != PLAUDIT_CRITERION_MANUAL)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\" is not manual: it is earned by its criterion",
                          ev->target);
        if (R->g->dated && !pl_badge_in_range(R->g, ev->ts))
            return pl_err(ctx, PLAUDIT_ERANGE, "badge \"%s\" can only be awarded within its dates", ev->target);
        break;
    case PLAUDIT_EVENT_SEGMENT:
        if (ev->target && !(R->s = pl_segment_find(ctx, ev->target)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown segment \"%s\"%s", ev->target,
                          pl_did_you_mean(ctx, PL_K_SEGMENT, ev->target));
        break;
    default: break;
    }
    if ((rc = check_time(ctx, R->m, ev->ts))) return rc;
    if (ctx->max_members && ctx->n_members + new_members > ctx->max_members) {
        ctx->limit_option = "max_members";
        return pl_err(ctx, PLAUDIT_ELIMIT, "the context's limit of %llu members is reached",
                      (unsigned long long)ctx->max_members);
    }
    return PLAUDIT_OK;
}

/* ---- transactions ------------------------------------------------------------ */

static void txn_begin(plaudit_ctx *ctx)
{
    pl_txn *t = &ctx->txn;
    if (++t->serial == 0) {
        /* After 2^32 events old marks could collide: clear them. */
        for (size_t i = 0; i < ctx->n_members; i++) ctx->mv[i]->mark = ctx->mv[i]->bmark = 0;
        t->serial = 1;
    }
    t->n_undo = t->arena_len = t->n_fresh = t->n_stale = t->n_span = 0;
    t->head_touch = 0;
    t->clock = ctx->clock;
    t->tick_ts = ctx->tick_ts;
    t->tick_members = ctx->tick_members;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        t->board_cur[i] = ctx->boards[i]->cur;
        t->board_closed[i] = 0;
    }
    t->reward = -1;
    t->n_stock_saved = 0;
    t->active = 1;
    if (ctx->v2_txn) pl_teams_txn_begin(ctx);
    ctx->n_moments = ctx->n_badge_moments = ctx->n_tier_moments = 0;
    ctx->n_awarded = 0;
}

static void txn_rollback(plaudit_ctx *ctx)
{
    pl_txn *t = &ctx->txn;
    PL_UH(&ctx->alloc);
    /* Badge entries changed in place, newest first: they sit in arrays that
     * existed before the event (neither fresh nor freed here). */
    for (size_t i = t->n_span; i-- > 0;) memcpy(t->span[i].addr, t->arena + t->span[i].saved, t->span[i].len);
    for (size_t i = t->n_undo; i-- > 0;) {
        pl_undo *u = &t->undo[i];
        if (u->is_new) {
            pl_member_index_del(ctx, u->m);
            ctx->n_members--;
            pl_member_block_free(&ctx->alloc, u->m); /* its badge array, if any, is fresh */
        } else {
            pl_member *m = u->m;
            memcpy(&m->st, t->arena + u->saved, u->head ? PL_MSTATE_TICK : sizeof(pl_mstate));
            if (u->tail_new) { /* back to the template */
                pl_free(&ctx->alloc, m->tail);
                m->tail = NULL;
            } else if (!u->head) {
                memcpy(m->tail, t->arena + u->saved + sizeof(pl_mstate), ctx->lay.tail_size);
            }
        }
    }
    for (size_t i = 0; i < t->n_fresh; i++) pl_free(&ctx->alloc, t->fresh[i]);
    ctx->clock = t->clock;
    ctx->tick_ts = t->tick_ts;
    ctx->tick_members = t->tick_members;
    for (size_t i = 0; i < ctx->n_boards; i++) ctx->boards[i]->cur = t->board_cur[i];
    if (t->reward >= 0) ctx->rewards[t->reward]->stock = t->reward_stock;
    for (size_t i = t->n_stock_saved; i-- > 0;) ctx->rewards[t->stock_saved[2 * i]]->stock = t->stock_saved[2 * i + 1];
    t->n_stock_saved = 0;
    pl_revoke_abort(ctx);
    if (ctx->v2_txn) pl_teams_rollback(ctx);
    t->n_undo = t->arena_len = t->n_fresh = t->n_stale = t->n_span = 0;
    t->active = 0;
    ctx->n_moments = ctx->n_badge_moments = ctx->n_tier_moments = 0;
}

int pl_txn_save_stock(plaudit_ctx *ctx, const pl_reward *r)
{
    pl_txn *t = &ctx->txn;
    size_t cap = t->cap_stock_saved;
    if (pl_grow(&ctx->alloc, (void **)&t->stock_saved, &cap, 2 * (t->n_stock_saved + 1), sizeof *t->stock_saved))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory refunding a reward");
    t->cap_stock_saved = cap;
    t->stock_saved[2 * t->n_stock_saved] = r->idx;
    t->stock_saved[2 * t->n_stock_saved + 1] = r->stock;
    t->n_stock_saved++;
    return PLAUDIT_OK;
}

/* A member created by this event: indexed now, removed on rollback. */
static int member_create(plaudit_ctx *ctx, const char *id, int64_t ts, pl_member **out)
{
    pl_txn *t = &ctx->txn;
    PL_UH(&ctx->alloc);
    if (pl_grow(&ctx->alloc, (void **)&ctx->mv, &ctx->cap_members, ctx->n_members + 1, sizeof *ctx->mv) ||
        pl_grow(&ctx->alloc, (void **)&t->undo, &t->cap_undo, t->n_undo + 1, sizeof *t->undo))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating member \"%s\"", id);
    pl_member *m;
    if (pl_member_alloc(ctx, id, ts, &m)) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating member \"%s\"", id);
    if (pl_member_index_add(ctx, m)) {
        pl_member_free(ctx, m);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating member \"%s\"", id);
    }
    m->idx = (uint32_t)ctx->n_members;
    m->mark = t->serial;
    ctx->mv[ctx->n_members++] = m;
    pl_undo *u = &t->undo[t->n_undo++];
    u->m = m;
    u->is_new = 1;
    u->head = 0;
    u->tail_new = 0;
    u->saved = 0;
    *out = m;
    return PLAUDIT_OK;
}

static int member_get(plaudit_ctx *ctx, pl_member *found, const char *id, int64_t ts, pl_member **out)
{
    if (found) {
        *out = found;
        return pl_touch(ctx, found);
    }
    return member_create(ctx, id, ts, out);
}

/* Note that m was awarded at a close (once). */
static int awarded_add(plaudit_ctx *ctx, pl_member *m)
{
    for (size_t i = 0; i < ctx->n_awarded; i++)
        if (ctx->awarded[i] == m->idx) return PLAUDIT_OK;
    if (pl_grow(&ctx->alloc, (void **)&ctx->awarded, &ctx->cap_awarded, ctx->n_awarded + 1, sizeof *ctx->awarded))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory closing a leaderboard period");
    ctx->awarded[ctx->n_awarded++] = m->idx;
    return PLAUDIT_OK;
}

/* Move the clock to ts, closing the leaderboard periods it passes: every
 * closing board moves on first, then their badges are given (board by
 * board, badge by badge, members in rank order), then the members who
 * earned one are evaluated. */
static int advance_clock(plaudit_ctx *ctx, int64_t ts)
{
    const uint32_t *K = pl_keys(ctx, ts);
    if (ctx->clock < 0) {
        for (size_t i = 0; i < ctx->n_boards; i++) {
            ctx->boards[i]->cur = K[ctx->boards[i]->period];
            pl_board_move(ctx->boards[i], K, ts); /* a season already over */
        }
        ctx->clock = ts;
        return PLAUDIT_OK;
    }
    if (ts <= ctx->clock) return PLAUDIT_OK;
    int any = 0;
    for (size_t i = 0; i < ctx->n_boards; i++)
        if (pl_board_closes(ctx->boards[i], K, ts)) any = ctx->txn.board_closed[i] = 1;
    ctx->clock = ts;
    if (!any) return PLAUDIT_OK;
    /* The closes read the boards' order as of the last accepted event (no
     * member is changed yet).  A board that freezes keeps its index as its
     * last standings, so that one catches up first; the others are read
     * without catching up (board_updates.c). */
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *b = ctx->boards[i];
        if (ctx->txn.board_closed[i] && b->until != PLAUDIT_UNSET && ts >= b->until) {
            pl_boards_sync(ctx);
            break;
        }
    }

    ctx->n_close = 0;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *b = ctx->boards[i];
        if (!ctx->txn.board_closed[i] || !b->n_badges) continue;
        uint64_t k = 0;
        for (uint32_t j = 0; j < b->n_badges; j++) {
            const pl_badge *g = ctx->badges[b->badges[j]];
            if (g->top > 0 && (uint64_t)g->top > k) k = (uint64_t)g->top;
        }
        const pl_rank_entry *std;
        size_t n_std;
        uint64_t ranked;
        int rc = pl_board_standings(ctx, b, k, &std, &n_std, &ranked);
        if (rc) return rc;
        for (uint32_t j = 0; j < b->n_badges; j++) {
            const pl_badge *g = ctx->badges[b->badges[j]];
            if (g->dated && !pl_close_in_range(ctx, g, b, ctx->txn.clock, ts)) continue;
            uint64_t top = (uint64_t)g->top < ranked ? (uint64_t)g->top : ranked;
            if (top > n_std) top = n_std;
            if (pl_grow(&ctx->alloc, (void **)&ctx->close_list, &ctx->cap_close, ctx->n_close + 2 * top,
                        sizeof *ctx->close_list))
                return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory closing leaderboard \"%s\"", b->id);
            for (uint64_t r = 0; r < top; r++) {
                ctx->close_list[ctx->n_close++] = g->idx;
                ctx->close_list[ctx->n_close++] = std[r].member;
            }
        }
    }
    for (size_t i = 0; i < ctx->n_boards; i++) pl_board_move(ctx->boards[i], K, ts);
    int rc;
    for (size_t i = 0; i < ctx->n_close; i += 2) {
        const pl_badge *g = ctx->badges[ctx->close_list[i]];
        pl_member *m = ctx->mv[ctx->close_list[i + 1]];
        const pl_board *b = ctx->boards[g->board];
        if ((rc = pl_touch(ctx, m))) return rc;
        m->st.last_ts = ts;
        if ((rc = pl_badge_credit(ctx, m, g, ts, ctx->txn.board_cur[g->board], b->id))) return rc;
        if ((rc = awarded_add(ctx, m))) return rc;
    }
    for (size_t i = 0; i < ctx->n_awarded; i++)
        if ((rc = pl_evaluate(ctx, ctx->mv[ctx->awarded[i]], ts))) return rc;
    return PLAUDIT_OK;
}

/* The action/kudos cap: how much of pts may be earned now; updates the
 * tracker when something is earned. */
static int64_t cap_apply(pl_trk *t, int64_t cap_points, int64_t cap_count, uint32_t k, int64_t pts)
{
    if (t->period != k) {
        t->period = k;
        t->aux = 0;
        t->value = 0;
    }
    if (cap_count != PLAUDIT_UNSET && (int64_t)t->aux >= cap_count) return 0;
    if (cap_points != PLAUDIT_UNSET) {
        int64_t room = cap_points - t->value;
        if (room < 0) room = 0;
        if (pts > room) pts = room;
    }
    if (pts > 0) {
        t->aux = pl_sat_inc32(t->aux);
        t->value += pts;
    }
    return pts;
}

static int apply_action(plaudit_ctx *ctx, const plaudit_event *ev, resolved *R)
{
    pl_member *m;
    int rc = member_get(ctx, R->m, ev->member, ev->ts, &m);
    if (rc) return rc;
    ctx->subject = m;
    if ((rc = pl_touch(ctx, m))) return rc; /* a new member's tail */
    const pl_action *a = R->a;
    const uint32_t *K = pl_keys(ctx, ev->ts);
    uint32_t *counts = PL_COUNTS(ctx, m);
    uint32_t before = counts[a->idx];
    counts[a->idx] = pl_sat_inc32(before);
    if (before == 0) m->st.distinct++;
    pl_trk *trk = PL_TRK(ctx, m);
    for (uint32_t i = 0; i < a->n_within; i++) {
        pl_trk *t = &trk[a->within_trk[i]];
        uint32_t k = K[ctx->trk_per[a->within_trk[i]]];
        if (t->period != k) {
            t->period = k;
            t->aux = 0;
        }
        t->aux = pl_sat_inc32(t->aux);
    }
    for (uint32_t i = 0; i < a->n_streak; i++) {
        pl_trk *t = &trk[a->streak_trk[i]];
        uint32_t k = K[ctx->trk_per[a->streak_trk[i]]];
        if (t->period == k) continue;
        t->aux = t->period && t->period + 1 == k ? pl_sat_inc32(t->aux) : 1;
        t->period = k;
    }
    int64_t pts = a->points;
    if (a->has_v2) {
        if (a->n_dated) pl_action_dated(ctx, m, a, ev->ts);
        if (pts > 0 && a->n_camp) pts = pl_campaign_points(ctx, a, ev->ts);
    }
    if (pts > 0) {
        /* once, cooldown, count cap, points cap: in that order */
        if (a->once && before > 0) pts = 0;
        int64_t *cd = a->cd_slot >= 0 ? &PL_CD(ctx, m)[a->cd_slot] : NULL;
        if (pts && cd && *cd != INT64_MIN && ev->ts - *cd < a->cooldown_s) pts = 0;
        if (pts && a->cap_trk >= 0) pts = cap_apply(&trk[a->cap_trk], a->cap_points, a->cap_count, K[a->cap_per], pts);
        if (pts > 0 && cd) *cd = ev->ts;
    }
    if (a->n_seg && !(m->st.flags & PL_MF_PINNED)) m->st.segment = pl_member_infer_segment(ctx, m);
    m->st.last_ts = ev->ts;
    int64_t p0 = m->st.points;
    if ((rc = pl_award(ctx, m, pts, ev->ts, PLAUDIT_SOURCE_ACTION, a->id))) return rc;
    if ((rc = pl_revoke_note(ctx, ev, m, a->idx, m->st.points - p0, 0, 0))) return rc;
    return pl_evaluate_after(ctx, m, ev->ts, PL_EVL_ACTION + a->idx);
}

static int apply_kudos(plaudit_ctx *ctx, const plaudit_event *ev, resolved *R)
{
    pl_member *from, *to;
    int rc = member_get(ctx, R->m, ev->member, ev->ts, &from);
    if (rc || (rc = member_get(ctx, R->m2, ev->target, ev->ts, &to))) return rc;
    ctx->subject = to;
    const pl_kudos *k = &ctx->kudos;
    const uint32_t *K = pl_keys(ctx, ev->ts);
    from->st.kudos_given = pl_sat_inc64(from->st.kudos_given);
    if (k->give_trk >= 0) {
        if ((rc = pl_touch(ctx, from))) return rc; /* a new member's tail */
        pl_trk *t = &PL_TRK(ctx, from)[k->give_trk];
        uint32_t key = K[k->give_per];
        if (t->period != key) {
            t->period = key;
            t->aux = 0;
        }
        t->aux = pl_sat_inc32(t->aux);
    }
    to->st.kudos_received = pl_sat_inc64(to->st.kudos_received);
    from->st.last_ts = to->st.last_ts = ev->ts;
    plaudit_moment *mo = NULL;
    if ((rc = pl_moment(ctx, &mo))) return rc;
    mo->kind = PLAUDIT_MOMENT_KUDOS;
    mo->ts = ev->ts;
    mo->member = from->id;
    mo->to = to->id;
    int64_t pts = k->points;
    if (pts > 0 && k->recv_trk >= 0) {
        if ((rc = pl_touch(ctx, to))) return rc;
        pts = cap_apply(&PL_TRK(ctx, to)[k->recv_trk], k->cap_points, k->cap_count, K[k->cap_per], pts);
    }
    int64_t p0 = to->st.points;
    if ((rc = pl_award(ctx, to, pts, ev->ts, PLAUDIT_SOURCE_KUDOS, from->id))) return rc;
    if ((rc = pl_revoke_note(ctx, ev, from, to->idx, to->st.points - p0, 0, 0))) return rc;
    if ((rc = pl_evaluate_after(ctx, from, ev->ts, PL_EVL_KUDOS_GIVEN))) return rc;
    return pl_evaluate_after(ctx, to, ev->ts, PL_EVL_KUDOS_RECEIVED);
}

static int apply_member_event(plaudit_ctx *ctx, const plaudit_event *ev, resolved *R)
{
    pl_member *m;
    int rc = member_get(ctx, R->m, ev->member, ev->ts, &m);
    if (rc) return rc;
    ctx->subject = m;
    m->st.last_ts = ev->ts;
    switch (ev->type) {
    case PLAUDIT_EVENT_REDEEM: {
        pl_reward *r = R->r;
        if ((rc = pl_history_note(ctx, m, 0, -r->cost, PLAUDIT_SOURCE_REDEEM, r->id, NULL))) return rc;
        m->st.balance -= r->cost;
        if (r->stock0 != PLAUDIT_UNSET) {
            ctx->txn.reward = (int32_t)r->idx;
            ctx->txn.reward_stock = r->stock;
            r->stock--;
        }
        plaudit_moment *mo = NULL;
        if ((rc = pl_moment(ctx, &mo))) return rc;
        mo->kind = PLAUDIT_MOMENT_REDEEM;
        mo->ts = ev->ts;
        mo->member = m->id;
        mo->reward = r->id;
        mo->cost = r->cost;
        if ((rc = pl_revoke_note(ctx, ev, m, r->idx, r->cost, r->stock0 != PLAUDIT_UNSET ? PL_RV_STOCK : 0,
                                 r->stock_gen)))
            return rc;
        break;
    }
    case PLAUDIT_EVENT_AWARD: {
        int64_t p0 = m->st.points;
        if ((rc = pl_badge_credit(ctx, m, R->g, ev->ts, 0, NULL))) return rc;
        if ((rc = pl_revoke_note(ctx, ev, m, R->g->idx, m->st.points - p0, 0, 0))) return rc;
        break;
    }
    case PLAUDIT_EVENT_ADJUST: {
        const char *reason = NULL;
        if (ev->reason) {
            /* The caller's string lives only during the call; moments outlive it. */
            snprintf(ctx->reason, sizeof ctx->reason, "%s", ev->reason);
            reason = ctx->reason;
        }
        int64_t p0 = m->st.points;
        if ((rc = pl_award(ctx, m, ev->points, ev->ts, PLAUDIT_SOURCE_ADJUST, reason))) return rc;
        if ((rc = pl_revoke_note(ctx, ev, m, 0, m->st.points - p0, 0, 0))) return rc;
        break;
    }
    case PLAUDIT_EVENT_SEGMENT:
        if (R->s) {
            m->st.flags |= PL_MF_PINNED;
            m->st.pin = m->st.segment = (int32_t)R->s->idx;
        } else {
            m->st.flags &= ~PL_MF_PINNED;
            m->st.pin = -1;
            m->st.segment = pl_member_infer_segment(ctx, m);
        }
        break;
    case PLAUDIT_EVENT_PREFERENCES:
        if (ev->flag) m->st.flags &= ~PL_MF_OPTED_OUT;
        else m->st.flags |= PL_MF_OPTED_OUT;
        break;
    case PLAUDIT_EVENT_TEAM:
        if ((rc = pl_team_join(ctx, m, ev->target))) return rc;
        break;
    default: break; /* join: creation is all */
    }
    /* What the event changed, for the first evaluation pass. */
    uint32_t list = ev->type == PLAUDIT_EVENT_AWARD || ev->type == PLAUDIT_EVENT_ADJUST ? PL_EVL_POINTS : PL_EVL_TIME;
    return pl_evaluate_after(ctx, m, ev->ts, list);
}

static int apply_tick(plaudit_ctx *ctx, const plaudit_event *ev)
{
    ctx->tick_ts = ev->ts;
    ctx->tick_members = ctx->n_members;
    ctx->subject = NULL;
    /* Members the tick changes are snapshotted when first written, and
     * most of them only in their header (evaluate.c). */
    ctx->txn.head_touch = 1;
    int rc;
    for (size_t i = 0; i < ctx->n_members; i++) {
        /* Headers are in creation order, tails wherever their first write
         * put them: start a tail a few members ahead. */
        if (i + 4 < ctx->n_members && ctx->mv[i + 4]->tail)
            for (size_t off = 0; off < ctx->lay.tail_size; off += 64) __builtin_prefetch(ctx->mv[i + 4]->tail + off);
        if ((rc = pl_evaluate_after(ctx, ctx->mv[i], ev->ts, PL_EVL_TIME))) return rc;
    }
    return PLAUDIT_OK;
}

static int apply(plaudit_ctx *ctx, const plaudit_event *ev, resolved *R)
{
    int rc;
    /* Members named by the event exist before the clock moves, so a period
     * close that awards them sees them (they cannot be ranked yet). */
    if ((rc = advance_clock(ctx, ev->ts))) return rc;
    switch (ev->type) {
    case PLAUDIT_EVENT_ACTION: return apply_action(ctx, ev, R);
    case PLAUDIT_EVENT_KUDOS: return apply_kudos(ctx, ev, R);
    case PLAUDIT_EVENT_TICK: return apply_tick(ctx, ev);
    case PLAUDIT_EVENT_REVOKE: return pl_revoke_apply(ctx, ev);
    case PLAUDIT_EVENT_PROGRAM: return pl_program_update_prepare(ctx);
    default: return apply_member_event(ctx, ev, R);
    }
}

/* ---- commit: leaderboard indexes, the key, then nothing can fail --------- */

static int commit(plaudit_ctx *ctx, const plaudit_event *ev)
{
    pl_txn *t = &ctx->txn;
    PL_UH(&ctx->alloc);
    /* 1. room to hold the event's leaderboard updates (board_updates.c) */
    int rc = pl_bupd_reserve(ctx);
    if (rc) return rc;
    rc = pl_revoke_reserve(ctx, ev);
    if (rc) return rc;
    if (ctx->v2_txn && pl_teams_reserve(ctx)) return PLAUDIT_ENOMEM;
    /* 2. the idempotency key */
    pl_key *key = NULL;
    if (ev->id) {
        size_t n = strlen(ev->id);
        key = pl_malloc(&ctx->alloc, sizeof *key + n + 1);
        if (!key) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory storing event id");
        memset(key, 0, sizeof *key);
        memcpy(key->key, ev->id, n + 1);
        key->len = (uint32_t)n;
        key->content = event_content(ev);
        key->clock = ctx->clock;
        HASH_ADD(hh, ctx->key_h, key, key->len, key);
        if (pl_uh_oom) {
            pl_free(&ctx->alloc, key);
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory storing event id");
        }
    }
    /* 2b. write-ahead: the event's journal record (journal.c); a failure
     * takes the key back and the caller rolls the event back.  A released
     * event was journaled when it arrived (reorder.c). */
    if (ctx->store && !ctx->in_release) {
        rc = pl_journal_log(ctx, ev);
        if (rc) {
            if (key) {
                HASH_DELETE(hh, ctx->key_h, key);
                pl_free(&ctx->alloc, key);
            }
            return rc;
        }
    }
    /* 3. from here on nothing fails. */
    pl_revoke_commit(ctx, ev, key);
    pl_bupd_commit(ctx);
    if (ctx->v2_txn) pl_teams_commit(ctx);
    for (size_t i = 0; i < t->n_stale; i++) pl_free(&ctx->alloc, t->stale[i]);
    t->n_undo = t->arena_len = t->n_fresh = t->n_stale = t->n_span = 0;
    t->active = 0;
    ctx->accepted++;
    keys_prune(ctx);
    pl_bupd_after_commit(ctx);
    return PLAUDIT_OK;
}

/* ---- the event call ---------------------------------------------------------- */

void pl_deliver(plaudit_ctx *ctx)
{
    if (!ctx->has_listener) return;
    const plaudit_listener *L = &ctx->listener;
    ctx->in_callback = PL_IN_LISTENER;
    for (size_t i = 0; i < ctx->n_moments; i++) {
        const plaudit_moment *mo = &ctx->moments[i];
        void (*cb)(const plaudit_moment *, void *) = NULL;
        switch (mo->kind) {
        case PLAUDIT_MOMENT_POINTS: cb = L->on_points; break;
        case PLAUDIT_MOMENT_BADGE: cb = L->on_badge; break;
        case PLAUDIT_MOMENT_TIER: cb = L->on_tier; break;
        case PLAUDIT_MOMENT_REDEEM: cb = L->on_redeem; break;
        case PLAUDIT_MOMENT_KUDOS: cb = L->on_kudos; break;
        case PLAUDIT_MOMENT_REVOKE: cb = L->version >= 3 ? L->on_revoke : NULL; break;
        }
        if (cb) cb(mo, L->payload);
    }
    ctx->in_callback = 0;
}

/* Process one event; returns PLAUDIT_OK, PLAUDIT_DUPLICATE or a negative
 * code.  Leaves the moments of an accepted event in ctx->moments. */
static int record_one(plaudit_ctx *ctx, const plaudit_event *ev)
{
    /* Before anything is reset: the moments may be being delivered. */
    if (ctx->in_callback) return pl_reentered(ctx, "events cannot be recorded");
    pl_ok(ctx);
    ctx->limit_option = NULL;
    ctx->n_moments = ctx->n_badge_moments = ctx->n_tier_moments = 0;
    ctx->subject = NULL;
    ctx->subject_points = 0;
    int rc;
    if (!ev) rc = pl_err(ctx, PLAUDIT_EINVAL, "event is NULL");
    else rc = check_args(ctx, ev);
    if (!rc) rc = pl_program_seal(ctx);
    if (!rc && ev->id) {
        const pl_key *k = key_find(ctx, ev->id);
        if (k) {
            if (k->content == event_content(ev)) {
                ctx->duplicates++;
                pl_err(ctx, PLAUDIT_OK, "event \"%s\" was already accepted", ev->id);
                ctx->err_code = PLAUDIT_OK;
                return PLAUDIT_DUPLICATE;
            }
            rc = pl_err(ctx, PLAUDIT_ECONFLICT, "event id \"%s\" was already used by an event with other content",
                        ev->id);
        }
    }
    resolved R;
    if (!rc) rc = validate(ctx, ev, &R);
    if (!rc) {
        txn_begin(ctx);
        rc = apply(ctx, ev, &R);
        /* The outbox's copies are made before the commit, which cannot
         * be undone (outbox.c). */
        if (!rc) rc = pl_outbox_stage(ctx);
        if (!rc && ctx->hist) rc = pl_history_stage(ctx, ev);
        if (!rc) rc = commit(ctx, ev);
        if (rc) {
            txn_rollback(ctx);
            pl_outbox_unstage(ctx);
            if (ctx->hist) pl_history_unstage(ctx);
        }
        if (ctx->pu) pl_program_update_end(ctx, rc);
        if (!rc) {
            pl_outbox_publish(ctx);
            if (ctx->hist) pl_history_publish(ctx);
            if (ctx->an) pl_analytics_observe(ctx, ev);
        }
    }
    if (rc) ctx->rejected++;
    return rc;
}

int pl_record_replay(plaudit_ctx *ctx, const plaudit_event *ev) { return record_one(ctx, ev); }

int pl_event_check(plaudit_ctx *ctx, const plaudit_event *ev) { return check_args(ctx, ev); }

void pl_fill_outcome(plaudit_ctx *ctx, int rc, plaudit_outcome *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->status = rc == PLAUDIT_OK          ? PLAUDIT_ACCEPTED
                  : rc == PLAUDIT_DUPLICATE ? PLAUDIT_DUPLICATE_EVENT
                  : rc == PLAUDIT_HELD      ? PLAUDIT_HELD_EVENT
                                            : PLAUDIT_REJECTED;
    out->code = rc < 0 ? rc : PLAUDIT_OK;
    out->message = ctx->errmsg;
    if (rc != PLAUDIT_OK) return;
    out->points = ctx->subject_points;
    out->n_moments = ctx->n_moments;
    out->moments = ctx->moments;
    out->n_badges = ctx->n_badge_moments;
    out->n_tier_changes = ctx->n_tier_moments;
}

int plaudit_record(plaudit_ctx *ctx, const plaudit_event *ev, plaudit_outcome *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->reorder_window_s > 0) return pl_window_record(ctx, ev, 0, NULL, out);
    int rc = ctx->obx && !ctx->in_callback ? pl_outbox_admit(ctx) : PLAUDIT_OK;
    if (!rc) rc = record_one(ctx, ev);
    pl_fill_outcome(ctx, rc, out);
    if (rc == PLAUDIT_OK) pl_deliver(ctx);
    return rc;
}

/* Start the memory traffic of the next events early, one dependent step
 * per event so that no step waits: the member ids of event i+4, the index
 * slots of event i+3, the slots' first entries (the start of a member) of
 * event i+2, the rest of the members of event i+1 (its state, tail and
 * badges).  Only hints: a wrong guess costs a wasted line. */
#define BP_RING 8

static inline int names_member(const plaudit_event *ev)
{
    return (unsigned)ev->type <= PLAUDIT_EVENT_PREFERENCES && ev->type != PLAUDIT_EVENT_TICK;
}

static void batch_prefetch(const plaudit_ctx *ctx, const plaudit_event *ev, size_t n, size_t i, uint64_t *hm,
                           uint64_t *ht)
{
    if (i + 4 < n && names_member(&ev[i + 4])) {
        __builtin_prefetch(ev[i + 4].member);
        if (ev[i + 4].type == PLAUDIT_EVENT_KUDOS) __builtin_prefetch(ev[i + 4].target);
    }
    if (i + 3 < n) {
        const plaudit_event *e = &ev[i + 3];
        int named = names_member(e);
        hm[(i + 3) % BP_RING] = named ? pl_member_prefetch_slot(ctx, e->member) : 0;
        ht[(i + 3) % BP_RING] = named && e->type == PLAUDIT_EVENT_KUDOS ? pl_member_prefetch_slot(ctx, e->target) : 0;
    }
    if (i + 2 < n) {
        pl_member_prefetch_head(ctx, hm[(i + 2) % BP_RING]);
        pl_member_prefetch_head(ctx, ht[(i + 2) % BP_RING]);
    }
    if (i + 1 < n) {
        pl_member_prefetch(ctx, hm[(i + 1) % BP_RING]);
        pl_member_prefetch(ctx, ht[(i + 1) % BP_RING]);
    }
}

int plaudit_record_batch(plaudit_ctx *ctx, const plaudit_event *events, size_t n, int *codes, size_t *n_done)
{
    if (n_done) *n_done = 0;
    if (!ctx) return PLAUDIT_EINVAL;
    if (n && !events) return pl_err(ctx, PLAUDIT_EINVAL, "events is NULL");
    if (ctx->in_callback) return pl_reentered(ctx, "events cannot be recorded");
    uint64_t hm[BP_RING] = {0}, ht[BP_RING] = {0};
    for (size_t i = 0; i < n; i++) {
        batch_prefetch(ctx, events, n, i, hm, ht);
        if (ctx->store) ctx->store->failed = 0;
        int rc;
        if (ctx->reorder_window_s > 0) {
            rc = pl_window_record(ctx, &events[i], 0, NULL, NULL);
        } else {
            rc = ctx->obx ? pl_outbox_admit(ctx) : PLAUDIT_OK;
            if (!rc) rc = record_one(ctx, &events[i]);
            if (rc == PLAUDIT_OK) pl_deliver(ctx);
        }
        if (codes) codes[i] = rc;
        if (rc < 0 && ctx->store && ctx->store->failed) return rc; /* not recorded, stop */
        if (n_done) *n_done = i + 1;
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}
