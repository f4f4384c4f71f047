/* team.c - teams (format 2): the team table (ids by first mention, a count
 * of current members), a member's team, and the teams' scores on team
 * boards with their rank indexes.  Teams change inside event transactions
 * like members do: a team is saved before its first change and restored on
 * rollback, a team created by the event is removed, and the rank indexes
 * move only at commit (reserve first, then apply). */
#include <stddef.h>

#include "internal.h"

typedef struct pl_team {
    UT_hash_handle hh;
    const char *id;           /* points into this allocation */
    uint32_t idx, idlen;
    uint32_t mark;            /* transaction serial when saved */
    uint32_t pad_;
    uint64_t members;         /* saved region: members and slots */
    pl_slot slots[];          /* per team board (pl_board.team_slot), then the id */
} pl_team;

typedef struct pl_tundo {
    pl_team *t;
    size_t saved;
    int is_new;
} pl_tundo;

struct pl_teams {
    pl_team *h;
    pl_team **v;
    size_t n, cap;
    uint32_t n_slots;         /* team boards when the teams were made */
    pl_tundo *undo;
    size_t n_undo, cap_undo;
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t serial;
};

static size_t saved_size(const struct pl_teams *T) { return sizeof(uint64_t) + sizeof(pl_slot) * T->n_slots; }

int pl_teams_setup(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) {
        T = pl_malloc(&ctx->alloc, sizeof *T);
        if (!T) return PLAUDIT_ENOMEM;
        memset(T, 0, sizeof *T);
        T->n_slots = ctx->n_team_boards;
        ctx->teams = T;
    }
    return PLAUDIT_OK;
}

static void team_free_all(plaudit_ctx *ctx, struct pl_teams *T)
{
    PL_UH(&ctx->alloc);
    HASH_CLEAR(hh, T->h);
    for (size_t i = 0; i < T->n; i++) pl_free(&ctx->alloc, T->v[i]);
    T->n = 0;
}

void pl_teams_reset(plaudit_ctx *ctx)
{
    if (!ctx->teams) return;
    team_free_all(ctx, ctx->teams);
    ctx->teams->n_slots = ctx->n_team_boards; /* no team left: lay out for the program in force */
}

void pl_teams_free(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return;
    team_free_all(ctx, T);
    pl_free(&ctx->alloc, T->v);
    pl_free(&ctx->alloc, T->undo);
    pl_free(&ctx->alloc, T->arena);
    pl_free(&ctx->alloc, T);
    ctx->teams = NULL;
}

int32_t pl_team_find(const plaudit_ctx *ctx, const char *id)
{
    if (!ctx->teams || !id) return -1;
    pl_team *t = NULL;
    HASH_FIND(hh, ctx->teams->h, id, strlen(id), t);
    return t ? (int32_t)t->idx : -1;
}

const char *pl_team_id(const plaudit_ctx *ctx, int32_t team)
{
    return team >= 0 && ctx->teams && (size_t)team < ctx->teams->n ? ctx->teams->v[team]->id : NULL;
}

const char *pl_team_did_you_mean(plaudit_ctx *ctx, const char *wrong)
{
    pl_suggest s;
    pl_suggest_init(&s, wrong);
    for (size_t i = 0; ctx->teams && i < ctx->teams->n; i++) pl_suggest_add(&s, ctx->teams->v[i]->id, ctx->teams->v[i]->idlen);
    return pl_suggest_text(&s, ctx->suggest, sizeof ctx->suggest);
}

const pl_slot *pl_team_slot(const plaudit_ctx *ctx, int32_t team, const pl_board *b)
{
    return &ctx->teams->v[team]->slots[b->team_slot];
}

const char *pl_board_entry_id(const plaudit_ctx *ctx, const pl_board *b, uint32_t idx)
{
    return b->by_team ? ctx->teams->v[idx]->id : ctx->mv[idx]->id;
}

/* Team boards order ties by team id, bytewise. */
int pl_team_idcmp(uint32_t a, uint32_t b, void *ud)
{
    const plaudit_ctx *ctx = ud;
    const pl_team *ta = ctx->teams->v[a], *tb = ctx->teams->v[b];
    size_t n = ta->idlen < tb->idlen ? ta->idlen : tb->idlen;
    int c = memcmp(ta->id, tb->id, n);
    if (c) return c;
    return (ta->idlen > tb->idlen) - (ta->idlen < tb->idlen);
}

/* ---- transactions -------------------------------------------------------------- */

void pl_teams_txn_begin(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return;
    if (++T->serial == 0) {
        for (size_t i = 0; i < T->n; i++) T->v[i]->mark = 0;
        T->serial = 1;
    }
    T->n_undo = T->arena_len = 0;
    for (uint32_t i = 0; i < ctx->n_season_boards; i++) {
        pl_board *b = ctx->boards[ctx->season_boards[i]];
        b->frozen_saved = b->frozen;
    }
}

static int team_touch(plaudit_ctx *ctx, pl_team *t)
{
    struct pl_teams *T = ctx->teams;
    if (t->mark == T->serial) return PLAUDIT_OK;
    size_t sz = saved_size(T);
    if (pl_grow(&ctx->alloc, (void **)&T->undo, &T->cap_undo, T->n_undo + 1, sizeof *T->undo) ||
        pl_grow(&ctx->alloc, (void **)&T->arena, &T->arena_cap, T->arena_len + sz, 1))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory recording team \"%s\"", t->id);
    pl_tundo *u = &T->undo[T->n_undo++];
    u->t = t;
    u->is_new = 0;
    u->saved = T->arena_len;
    memcpy(T->arena + T->arena_len, &t->members, sz);
    T->arena_len += sz;
    t->mark = T->serial;
    return PLAUDIT_OK;
}

static int team_create(plaudit_ctx *ctx, const char *id, pl_team **out)
{
    struct pl_teams *T = ctx->teams;
    PL_UH(&ctx->alloc);
    size_t idlen = strlen(id);
    if (T->n >= INT32_MAX) return pl_err(ctx, PLAUDIT_ELIMIT, "too many teams");
    if (pl_grow(&ctx->alloc, (void **)&T->v, &T->cap, T->n + 1, sizeof *T->v) ||
        pl_grow(&ctx->alloc, (void **)&T->undo, &T->cap_undo, T->n_undo + 1, sizeof *T->undo))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating team \"%s\"", id);
    size_t off = offsetof(pl_team, slots) + sizeof(pl_slot) * T->n_slots;
    pl_team *t = pl_malloc(&ctx->alloc, off + idlen + 1);
    if (!t) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating team \"%s\"", id);
    memset(t, 0, off + idlen + 1);
    char *idp = (char *)t + off;
    memcpy(idp, id, idlen + 1);
    t->id = idp;
    t->idlen = (uint32_t)idlen;
    t->idx = (uint32_t)T->n;
    t->mark = T->serial;
    HASH_ADD_KEYPTR(hh, T->h, t->id, t->idlen, t);
    if (pl_uh_oom) {
        pl_free(&ctx->alloc, t);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory creating team \"%s\"", id);
    }
    T->v[T->n++] = t;
    pl_tundo *u = &T->undo[T->n_undo++];
    u->t = t;
    u->is_new = 1;
    u->saved = 0;
    *out = t;
    return PLAUDIT_OK;
}

void pl_teams_rollback(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return;
    PL_UH(&ctx->alloc);
    size_t sz = saved_size(T);
    for (size_t i = T->n_undo; i-- > 0;) {
        pl_tundo *u = &T->undo[i];
        if (u->is_new) {
            HASH_DELETE(hh, T->h, u->t);
            T->n--;
            pl_free(&ctx->alloc, u->t);
        } else {
            memcpy(&u->t->members, T->arena + u->saved, sz);
        }
    }
    for (uint32_t i = 0; i < ctx->n_season_boards; i++) {
        pl_board *b = ctx->boards[ctx->season_boards[i]];
        b->frozen = b->frozen_saved;
    }
    T->n_undo = T->arena_len = 0;
}

static int team_eligible(const pl_board *b, const pl_slot *s) { return s->period == b->cur && s->score > 0; }

int pl_teams_reserve(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T || !T->n_undo) return PLAUDIT_OK;
    for (uint32_t i = 0; i < ctx->n_team_boards; i++) {
        const pl_board *b = ctx->boards[ctx->team_boards[i]];
        if (b->frozen) continue;
        size_t inserts = 0;
        for (size_t j = 0; j < T->n_undo; j++) inserts += team_eligible(b, &T->undo[j].t->slots[b->team_slot]);
        if (inserts && pl_rank_reserve(b->rank, inserts))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory updating leaderboard \"%s\"", b->id);
    }
    return PLAUDIT_OK;
}

/* After the engine cleared the indexes of the boards this event closed. */
void pl_teams_commit(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return;
    for (uint32_t i = 0; i < ctx->n_team_boards && T->n_undo; i++) {
        const pl_board *b = ctx->boards[ctx->team_boards[i]];
        if (b->frozen) continue;
        int closed = ctx->txn.board_closed[ctx->team_boards[i]];
        for (size_t j = 0; j < T->n_undo; j++) {
            const pl_tundo *u = &T->undo[j];
            pl_slot *s = &u->t->slots[b->team_slot];
            int now = team_eligible(b, s), was = 0;
            const pl_slot *o = NULL;
            if (!u->is_new && !closed) {
                o = (const pl_slot *)(T->arena + u->saved + sizeof(uint64_t)) + b->team_slot;
                was = o->ranked && o->period == b->cur;
            }
            if (was && now && o->score == s->score && o->ts == s->ts) continue;
            if (was && now) pl_rank_update(b->rank, o->score, o->ts, s->score, s->ts, u->t->idx);
            else if (was) pl_rank_remove(b->rank, o->score, o->ts, u->t->idx);
            else if (now) pl_rank_insert(b->rank, s->score, s->ts, u->t->idx);
            s->ranked = (uint32_t)now;
        }
    }
    T->n_undo = T->arena_len = 0;
}

/* ---- what events do ---------------------------------------------------------------- */

int pl_team_join(plaudit_ctx *ctx, pl_member *m, const char *team)
{
    int32_t old = m->st.team;
    pl_team *nt = NULL;
    int rc;
    if (team) {
        int32_t f = pl_team_find(ctx, team);
        if (f >= 0 && f == old) return PLAUDIT_OK;
        if (f >= 0) nt = ctx->teams->v[f];
        else if ((rc = team_create(ctx, team, &nt))) return rc;
    } else if (old < 0) {
        return PLAUDIT_OK;
    }
    if (old >= 0) {
        pl_team *ot = ctx->teams->v[old];
        if ((rc = team_touch(ctx, ot))) return rc;
        ot->members--;
    }
    if (nt) {
        if ((rc = team_touch(ctx, nt))) return rc;
        nt->members++;
    }
    m->st.team = nt ? (int32_t)nt->idx : -1;
    return PLAUDIT_OK;
}

int pl_team_credit(plaudit_ctx *ctx, int32_t team, int64_t d, int64_t ts, int64_t event_ts)
{
    return pl_team_credit_gen(ctx, team, d, ts, event_ts, UINT32_MAX);
}

int pl_team_credit_gen(plaudit_ctx *ctx, int32_t team, int64_t d, int64_t ts, int64_t event_ts, uint32_t gen)
{
    if (d == 0 || team < 0 || !ctx->teams) return PLAUDIT_OK;
    pl_team *t = ctx->teams->v[team];
    int rc = team_touch(ctx, t);
    if (rc) return rc;
    const uint32_t *K = pl_keys(ctx, event_ts);
    for (uint32_t i = 0; i < ctx->n_team_boards; i++) {
        const pl_board *b = ctx->boards[ctx->team_boards[i]];
        if (b->gen > gen) continue;
        if (b->from != PLAUDIT_UNSET && (b->frozen || event_ts < b->from || event_ts >= b->until)) continue;
        uint32_t k = K[b->period];
        if (k != b->cur) continue;
        pl_slot *s = &t->slots[b->team_slot];
        if (s->period != k) {
            s->period = k;
            s->score = 0;
        }
        s->score = pl_sat_add(s->score, d);
        s->ts = ts;
    }
    return PLAUDIT_OK;
}

/* ---- digest and snapshots ---------------------------------------------------------- */

uint64_t pl_teams_digest(const plaudit_ctx *ctx)
{
    const struct pl_teams *T = ctx->teams;
    if (!T || !T->n) return 0;
    uint64_t h = pl_hash_step(0x7465616d73ULL, T->n);
    for (size_t i = 0; i < T->n; i++) {
        const pl_team *t = T->v[i];
        h = pl_hash_step(h, pl_hash_bytes(t->id, t->idlen));
        h = pl_hash_step(h, t->members);
        for (uint32_t j = 0; j < T->n_slots; j++) {
            const pl_slot *s = &t->slots[j];
            h = pl_hash_step(h, (uint64_t)s->score);
            h = pl_hash_step(h, (uint64_t)s->ts);
            h = pl_hash_step(h, (uint64_t)s->period | (uint64_t)s->ranked << 32);
        }
    }
    return pl_mix64(h);
}

/* The teams section: count, slots per team, then per team its id, members
 * and slots.  Team indexes are positions in this list. */
void pl_teams_encode(const plaudit_ctx *ctx, pl_buf *b)
{
    const struct pl_teams *T = ctx->teams;
    uint64_t n = T ? T->n : 0;
    pl_put64(b, n);
    pl_put32(b, T ? T->n_slots : ctx->n_team_boards);
    for (uint64_t i = 0; i < n && !b->oom; i++) {
        const pl_team *t = T->v[i];
        pl_put16(b, (uint16_t)t->idlen);
        pl_buf_put(b, t->id, t->idlen);
        pl_put64(b, t->members);
        for (uint32_t j = 0; j < T->n_slots; j++) {
            pl_put64(b, (uint64_t)t->slots[j].score);
            pl_put64(b, (uint64_t)t->slots[j].ts);
            pl_put32(b, t->slots[j].period);
            pl_put32(b, t->slots[j].ranked);
        }
    }
}

int pl_teams_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n, size_t *used)
{
    struct pl_teams *T = ctx->teams;
    size_t off = 0;
#define NEED(k) do { if (n - off < (k)) return PLAUDIT_ECORRUPT; } while (0)
    NEED(12);
    uint64_t nt = pl_rd64(p);
    uint32_t ns = pl_rd32(p + 8);
    off = 12;
    if (!T || T->n) return PLAUDIT_ECORRUPT;
    T->n_slots = ctx->n_team_boards; /* an empty table takes the layout of the program in force */
    if (ns != T->n_slots || nt > (n - off) / 10 || nt >= INT32_MAX) return PLAUDIT_ECORRUPT;
    T->serial++;
    T->n_undo = 0;
    for (uint64_t i = 0; i < nt; i++) {
        NEED(2);
        uint16_t len = pl_rd16(p + off);
        off += 2;
        NEED(len);
        char id[PL_MEMBER_ID_MAX + 1];
        if (len == 0 || len > PL_MEMBER_ID_MAX || memchr(p + off, 0, len)) return PLAUDIT_ECORRUPT;
        memcpy(id, p + off, len);
        id[len] = '\0';
        off += len;
        if (pl_team_find(ctx, id) >= 0) return PLAUDIT_ECORRUPT;
        pl_team *t;
        if (team_create(ctx, id, &t)) return PLAUDIT_ENOMEM;
        NEED(8 + 24 * (size_t)ns);
        t->members = pl_rd64(p + off);
        off += 8;
        for (uint32_t j = 0; j < ns; j++) {
            t->slots[j].score = (int64_t)pl_rd64(p + off);
            t->slots[j].ts = (int64_t)pl_rd64(p + off + 8);
            t->slots[j].period = pl_rd32(p + off + 16);
            t->slots[j].ranked = pl_rd32(p + off + 20);
            if (t->slots[j].ranked > 1) return PLAUDIT_ECORRUPT;
            off += 24;
        }
    }
#undef NEED
    T->n_undo = 0;
    *used = off;
    return PLAUDIT_OK;
}

/* Rebuild the team boards' indexes after a snapshot load. */
int pl_teams_reindex(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return PLAUDIT_OK;
    for (uint32_t i = 0; i < ctx->n_team_boards; i++) {
        pl_board *b = ctx->boards[ctx->team_boards[i]];
        for (size_t j = 0; j < T->n; j++) {
            const pl_slot *s = &T->v[j]->slots[b->team_slot];
            if (!s->ranked || s->period != b->cur) continue;
            if (pl_rank_insert(b->rank, s->score, s->ts, (uint32_t)j)) return PLAUDIT_ENOMEM;
        }
    }
    return PLAUDIT_OK;
}

/* ---- program events ---------------------------------------------------------------- */

int pl_teams_prepare(plaudit_ctx *ctx, plaudit_ctx *nx, const int32_t *board_map)
{
    const struct pl_teams *T = ctx->teams;
    if (!T || !T->n) return PLAUDIT_OK;
    if (!nx->teams && pl_teams_setup(nx)) return PLAUDIT_ENOMEM; /* a format 1 program keeps its teams too */
    struct pl_teams *N = nx->teams;
    N->n_slots = nx->n_team_boards;
    for (size_t i = 0; i < T->n; i++) {
        const pl_team *o = T->v[i];
        pl_team *t;
        if (team_create(nx, o->id, &t)) return PLAUDIT_ENOMEM;
        t->members = o->members;
        for (size_t b = 0; b < nx->n_boards; b++) {
            const pl_board *nb = nx->boards[b];
            if (!nb->by_team || board_map[b] < 0) continue;
            pl_slot *s = &t->slots[nb->team_slot];
            *s = o->slots[ctx->boards[board_map[b]]->team_slot];
            /* a score of a period the clock left (it moved to the event's
             * ts first) is not ranked again */
            s->ranked = (uint32_t)team_eligible(nb, s);
        }
    }
    N->n_undo = 0;
    for (size_t b = 0; b < nx->n_boards; b++) {
        const pl_board *nb = nx->boards[b];
        if (!nb->by_team) continue;
        size_t k = 0;
        for (size_t i = 0; i < N->n; i++) k += N->v[i]->slots[nb->team_slot].ranked;
        if (k && pl_rank_reserve(nb->rank, k)) return PLAUDIT_ENOMEM;
    }
    return PLAUDIT_OK;
}

void pl_teams_finish(plaudit_ctx *ctx)
{
    struct pl_teams *T = ctx->teams;
    if (!T) return;
    for (uint32_t b = 0; b < ctx->n_team_boards; b++) {
        pl_board *nb = ctx->boards[ctx->team_boards[b]];
        for (size_t i = 0; i < T->n; i++) {
            const pl_slot *s = &T->v[i]->slots[nb->team_slot];
            if (s->ranked) (void)pl_rank_insert(nb->rank, s->score, s->ts, (uint32_t)i); /* reserved */
        }
    }
}

/* ---- queries ---------------------------------------------------------------------- */

uint64_t plaudit_team_count(const plaudit_ctx *ctx) { return ctx && ctx->teams ? ctx->teams->n : 0; }

int plaudit_team_list(plaudit_ctx *ctx, uint64_t start, size_t max, const char **ids, size_t *n, uint64_t *next)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!n || (max && !ids)) return pl_err(ctx, PLAUDIT_EINVAL, "ids or n is NULL");
    uint64_t total = plaudit_team_count(ctx);
    size_t i = 0;
    for (uint64_t j = start; j < total && i < max; j++) ids[i++] = ctx->teams->v[j]->id;
    *n = i;
    if (next) *next = start + i < total ? start + i : total;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_team_members(plaudit_ctx *ctx, const char *team, uint64_t *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !team) return pl_err(ctx, PLAUDIT_EINVAL, "team or out is NULL");
    *out = 0;
    int32_t t = pl_team_find(ctx, team);
    if (t < 0) return pl_err(ctx, PLAUDIT_ENOTFOUND, "unknown team \"%s\"%s", team, pl_team_did_you_mean(ctx, team));
    *out = ctx->teams->v[t]->members;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
