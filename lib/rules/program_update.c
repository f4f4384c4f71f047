/* program_update.c - the program event (spec section 7): a new program from
 * a moment on, with the state carried over by rule id.
 *
 * The per-member layout (pl_layout) follows the program, so every member is
 * laid out again.  The event runs in three steps around the engine's
 * transaction:
 *   check    (validation) the document is loaded into a scratch context,
 *            exactly as a program file is, and compared with the program in
 *            force (time zone, offset and reorder window may not change);
 *   prepare  (inside the transaction, after the clock moved under the old
 *            program) the scratch program is sealed, and every new member
 *            allocation, badge array and leaderboard index room is made and
 *            filled from the old state: nothing of the context changes, so
 *            a failure (or a later failing store call) leaves it whole;
 *   end      (after the commit) the program region of the two contexts is
 *            swapped and the members are replaced in place in the id index:
 *            nothing can fail any more.  The scratch context then holds the
 *            old program and is freed. */
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

typedef struct pl_progupd {
    plaudit_ctx *nx;          /* the new program (a scratch context) */
    pl_member **nm;           /* new allocation of each member, by idx */
    size_t n_nm;
    int prepared;
} pl_progupd;

/* ---- check ---------------------------------------------------------------- */

/* A context with the same allocator and limits, for loading the new
 * program. */
static int scratch_new(plaudit_ctx *ctx, plaudit_ctx **out)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.allocator.malloc = ctx->alloc.malloc;
    o.allocator.realloc = ctx->alloc.realloc;
    o.allocator.free = ctx->alloc.free;
    o.allocator.payload = ctx->alloc.payload;
    o.tzdir = ctx->tzdir;
    o.max_line_bytes = ctx->max_line;
    o.max_program_bytes = ctx->max_program;
    o.max_json_depth = ctx->max_depth;
    o.max_rules = ctx->max_rules;
    int rc = plaudit_ctx_new(out, &o);
    if (rc == PLAUDIT_ENOMEM) return pl_err(ctx, rc, "out of memory reading a program event");
    if (rc) return pl_err(ctx, rc, "program event: cannot make a context for the new program");
    return PLAUDIT_OK;
}

int pl_program_scratch(plaudit_ctx *ctx, plaudit_ctx **out) { return scratch_new(ctx, out); }

static void pu_free(plaudit_ctx *ctx)
{
    pl_progupd *pu = ctx->pu;
    if (!pu) return;
    if (pu->nm) {
        for (size_t i = 0; i < pu->n_nm; i++) {
            pl_member *m = pu->nm[i];
            if (!m) continue;
            /* The `at` arrays are the old member's (shared), not ours. */
            pl_free(&ctx->alloc, m->st.badges);
            pl_member_block_free(&ctx->alloc, m);
        }
        pl_free(&ctx->alloc, pu->nm);
    }
    plaudit_ctx_free(pu->nx);
    pl_free(&ctx->alloc, pu);
    ctx->pu = NULL;
}

static int str_eq(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

int pl_program_update_check(plaudit_ctx *ctx, const plaudit_event *ev)
{
    if (ev->ts < ctx->clock)
        return pl_err(ctx, PLAUDIT_ETIME, "program event at %lld is earlier than the clock %lld", (long long)ev->ts,
                      (long long)ctx->clock);
    pu_free(ctx);
    pl_progupd *pu = pl_malloc(&ctx->alloc, sizeof *pu);
    if (!pu) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading a program event");
    memset(pu, 0, sizeof *pu);
    ctx->pu = pu;
    int rc = scratch_new(ctx, &pu->nx);
    if (rc) {
        pu_free(ctx);
        return rc;
    }
    plaudit_ctx *nx = pu->nx;
    rc = plaudit_program_load_json(nx, ev->document, strlen(ev->document));
    if (rc) {
        /* The loader names the JSON path inside the document: put it under
         * the event's `program` key. */
        const char *m = plaudit_errmsg(nx);
        if (strncmp(m, "program", 7) == 0) pl_err(ctx, rc, "%s", m);
        else if (strncmp(m, "(document)", 10) == 0) pl_err(ctx, rc, "program%s", m + 10);
        else pl_err(ctx, rc, "program.%s", m);
        pu_free(ctx);
        return rc;
    }
    if (!str_eq(ctx->tzname, nx->tzname))
        rc = pl_err(ctx, PLAUDIT_EINVAL, "program.timezone: a program event cannot change the time zone (%s%s%s in force)",
                    ctx->tzname ? "\"" : "", ctx->tzname ? ctx->tzname : "none", ctx->tzname ? "\"" : "");
    else if (!ctx->tzname && ctx->utc_offset_min != nx->utc_offset_min)
        rc = pl_err(ctx, PLAUDIT_EINVAL,
                    "program.utc_offset_minutes: a program event cannot change the UTC offset (%d in force)",
                    ctx->utc_offset_min);
    else if (ctx->reorder_window_s != nx->reorder_window_s)
        rc = pl_err(ctx, PLAUDIT_EINVAL,
                    "program.reorder_window_s: a program event cannot change the reorder window (%lld in force)",
                    (long long)ctx->reorder_window_s);
    /* kept for snapshots: the program in force is this document */
    if (!rc && !(nx->program_doc = pl_strdup(&ctx->alloc, ev->document)))
        rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading a program event");
    if (rc) pu_free(ctx);
    return rc;
}

/* ---- prepare ----------------------------------------------------------------- */

static const char *tier_id(const plaudit_ctx *c, int32_t t) { return t >= 0 ? c->tiers[t]->id : NULL; }

/* A copy of an old badge, kept (undeclared) for the members who earned it. */
static int retire_badge(plaudit_ctx *nx, const pl_badge *o, uint32_t *idx)
{
    const pl_alloc *A = &nx->alloc;
    if (pl_grow(A, (void **)&nx->badges, &nx->cap_badges, nx->n_badges + 1, sizeof *nx->badges))
        return PLAUDIT_ENOMEM;
    pl_badge *g = pl_malloc(A, sizeof *g);
    if (!g) return PLAUDIT_ENOMEM;
    memset(g, 0, sizeof *g);
    g->from = g->until = PLAUDIT_UNSET;
    g->dtrk = -1;
    g->id = pl_strdup(A, o->id);
    g->name = pl_strdup(A, o->name);
    g->description = pl_strdup(A, o->description);
    g->image = pl_strdup(A, o->image);
    g->criteria = pl_strdup(A, o->criteria);
    g->auto_criteria = pl_strdup(A, o->auto_criteria);
    if (o->n_thr && (g->thr = pl_malloc(A, sizeof *g->thr * o->n_thr)))
        memcpy(g->thr, o->thr, sizeof *g->thr * o->n_thr);
    if (!g->id || (o->name && !g->name) || (o->description && !g->description) || (o->image && !g->image) ||
        (o->criteria && !g->criteria) || (o->auto_criteria && !g->auto_criteria) || (o->n_thr && !g->thr)) {
        pl_free(A, g->id);
        pl_free(A, g->name);
        pl_free(A, g->description);
        pl_free(A, g->image);
        pl_free(A, g->criteria);
        pl_free(A, g->auto_criteria);
        pl_free(A, g->thr);
        pl_free(A, g);
        return PLAUDIT_ENOMEM;
    }
    g->kind = o->kind;
    g->n_thr = o->n_thr;
    g->within = o->within;
    g->per = o->per;
    g->top = o->top;
    g->bonus = o->bonus;
    g->hidden = o->hidden;
    g->repeatable = o->repeatable;
    g->action = g->tier = g->board = g->trk = -1;
    g->retired = 1;
    g->idx = (uint32_t)nx->n_badges;
    nx->badges[nx->n_badges++] = g;
    nx->n_retired++;
    *idx = g->idx;
    return PLAUDIT_OK;
}

/* Whether board o of the old program carries over to board b. */
static int board_kept(const plaudit_ctx *ctx, const pl_board *o, const plaudit_ctx *nx, const pl_board *b)
{
    if (o->period != b->period || o->by_team != b->by_team || o->from != b->from || o->until != b->until) return 0;
    const char *os = o->segment >= 0 ? ctx->segments[o->segment]->id : NULL;
    const char *ns = b->segment >= 0 ? nx->segments[b->segment]->id : NULL;
    return str_eq(os, ns);
}

static int same_count(const pl_badge *o, const pl_badge *g)
{
    return o->kind == g->kind && o->within == g->within && o->per == g->per;
}

/* The old tracker a within / streak tracker of action g->action continues
 * (any badge or challenge part counting the same way). */
static int32_t old_badge_trk(const plaudit_ctx *ctx, const plaudit_ctx *nx, const pl_badge *g)
{
    const char *aid = nx->actions[g->action]->id;
    for (size_t i = 0; i < pl_live_badges(ctx); i++) {
        const pl_badge *o = ctx->badges[i];
        if (o->trk >= 0 && same_count(o, g) && strcmp(ctx->actions[o->action]->id, aid) == 0) return o->trk;
        for (uint32_t j = 0; j < o->n_sub; j++) {
            const pl_badge *os = &o->sub[j];
            if (os->trk >= 0 && same_count(os, g) && strcmp(ctx->actions[os->action]->id, aid) == 0) return os->trk;
        }
    }
    return -1;
}

/* A dated count (badge, or part p of a challenge) is kept when the badge
 * keeps its id, from, until and counted action. */
static int32_t old_dated_trk(const plaudit_ctx *ctx, const plaudit_ctx *nx, const pl_badge *g, const pl_badge *p)
{
    const pl_badge *o = pl_badge_find(ctx, g->id);
    if (!o || o->from != g->from || o->until != g->until) return -1;
    const char *aid = nx->actions[p->action]->id;
    if (p == g) return o->dtrk >= 0 && strcmp(ctx->actions[o->action]->id, aid) == 0 ? o->dtrk : -1;
    for (uint32_t j = 0; j < o->n_sub; j++) {
        const pl_badge *os = &o->sub[j];
        if (os->dtrk >= 0 && os->kind == p->kind && strcmp(ctx->actions[os->action]->id, aid) == 0) return os->dtrk;
    }
    return -1;
}

/* Per new tracker: the old tracker it continues (-1: starts empty), and for
 * qualification tiers the old tracker whose qualification (aux) it keeps. */
static void map_trackers(const plaudit_ctx *ctx, const plaudit_ctx *nx, int32_t *src, int32_t *aux_src)
{
    for (uint32_t j = 0; j < nx->lay.n_trk; j++) src[j] = aux_src[j] = -1;
    for (size_t i = 0; i < nx->n_actions; i++) {
        const pl_action *a = nx->actions[i];
        const pl_action *o = pl_action_find(ctx, a->id);
        if (a->cap_trk >= 0 && o && o->cap_trk >= 0 && o->cap_per == a->cap_per) src[a->cap_trk] = o->cap_trk;
    }
    for (size_t i = 0; i < pl_live_badges(nx); i++) {
        const pl_badge *g = nx->badges[i];
        if (g->trk >= 0 && src[g->trk] < 0) src[g->trk] = old_badge_trk(ctx, nx, g);
        if (g->dtrk >= 0) src[g->dtrk] = old_dated_trk(ctx, nx, g, g);
        for (uint32_t j = 0; j < g->n_sub; j++) {
            const pl_badge *p = &g->sub[j];
            if (p->trk >= 0) src[p->trk] = old_badge_trk(ctx, nx, p);
            if (p->dtrk >= 0) src[p->dtrk] = old_dated_trk(ctx, nx, g, p);
        }
    }
    const pl_kudos *k = &nx->kudos, *ok = &ctx->kudos;
    if (k->recv_trk >= 0 && ok->recv_trk >= 0 && ok->cap_per == k->cap_per) src[k->recv_trk] = ok->recv_trk;
    if (k->give_trk >= 0 && ok->give_trk >= 0 && ok->give_per == k->give_per) src[k->give_trk] = ok->give_trk;
    for (size_t i = 0; i < nx->n_tiers; i++) {
        const pl_tier *t = nx->tiers[i];
        if (t->trk < 0) continue;
        /* the net points of the window's period kind: any old tier with
         * that window kept them */
        for (size_t j = 0; j < ctx->n_tiers && src[t->trk] < 0; j++)
            if (ctx->tiers[j]->trk >= 0 && ctx->tiers[j]->window == t->window) src[t->trk] = ctx->tiers[j]->trk;
        const pl_tier *o = pl_tier_find(ctx, t->id);
        if (o && o->trk >= 0 && o->window == t->window) aux_src[t->trk] = o->trk;
    }
}

typedef struct maps {
    int32_t *action;          /* new action -> old, -1 */
    int32_t *cd;              /* new cooldown slot -> old, -1 */
    int32_t *trk, *trk_aux;   /* new tracker -> old, -1 */
    int32_t *board;           /* new board -> old board kept, -1 */
    int32_t all_slot;         /* an old board of period all (its slot ts), -1 */
    uint32_t *badge;          /* old badge -> new (UINT32_MAX: dropped) */
    size_t *eligible;         /* per new board: members to index */
} maps;

static void maps_free(const pl_alloc *A, maps *M)
{
    pl_free(A, M->action);
    pl_free(A, M->cd);
    pl_free(A, M->trk);
    pl_free(A, M->trk_aux);
    pl_free(A, M->board);
    pl_free(A, M->badge);
    pl_free(A, M->eligible);
}

static int cmp_earned(const void *a, const void *b)
{
    uint32_t x = ((const pl_earned *)a)->badge, y = ((const pl_earned *)b)->badge;
    return (x > y) - (x < y);
}

/* The new allocation of member m, filled from its old state.  Its tail is
 * built in `scratch` (nx->lay.tail_size bytes) from m's (its own or the old
 * template) and gets an allocation only when it differs from the new
 * template: a member without a tail keeps none unless the new program
 * gives it state (a new board of period all, say). */
static int member_relayout(plaudit_ctx *ctx, plaudit_ctx *nx, const maps *M, const pl_member *m, char *scratch,
                           pl_member **out)
{
    const pl_alloc *A = &ctx->alloc;
    pl_member *n = pl_member_block_new(A, m->id, m->idlen);
    if (!n) return PLAUDIT_ENOMEM;
    n->idx = m->idx;
    n->st = m->st;
    pl_mstate *st = &n->st;
    st->badges = NULL;
    st->n_badges = st->cap_badges = 0;
    uint32_t nb = 0;
    for (uint32_t i = 0; i < m->st.n_badges; i++) nb += M->badge[m->st.badges[i].badge] != UINT32_MAX;
    if (nb) {
        st->badges = pl_malloc(A, sizeof *st->badges * nb);
        if (!st->badges) {
            pl_member_block_free(A, n);
            return PLAUDIT_ENOMEM;
        }
        for (uint32_t i = 0; i < m->st.n_badges; i++) {
            uint32_t to = M->badge[m->st.badges[i].badge];
            if (to == UINT32_MAX) continue;
            st->badges[st->n_badges] = m->st.badges[i];
            st->badges[st->n_badges++].badge = to;
        }
        st->cap_badges = nb;
        qsort(st->badges, nb, sizeof *st->badges, cmp_earned);
    }
    /* tiers by id; the lifetime floor only where the tier is still lifetime */
    const pl_tier *t = m->st.tier >= 0 ? pl_tier_find(nx, tier_id(ctx, m->st.tier)) : NULL;
    st->tier = t ? (int32_t)t->idx : -1;
    /* the highest new tier still lifetime among those whose criteria ever
     * held (the old floor, and the lower ones the set remembers) */
    st->lifetime_tier = -1;
    st->lifetime_set = 0;
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        int was = (int32_t)i == m->st.lifetime_tier || (i < 32 && (m->st.lifetime_set & 1u << i));
        t = was ? pl_tier_find(nx, ctx->tiers[i]->id) : NULL;
        if (!t || !t->lifetime) continue;
        if ((int32_t)t->idx > st->lifetime_tier) st->lifetime_tier = (int32_t)t->idx;
        if (t->idx < 32) st->lifetime_set |= 1u << t->idx;
    }
    /* counts, cooldowns, trackers: over the new template */
    memcpy(scratch, nx->tail0, nx->lay.tail_size);
    n->tail = scratch;
    const uint32_t *oc = PL_CCOUNTS(ctx, m);
    uint32_t *nc = PL_COUNTS(nx, n);
    st->distinct = 0;
    for (size_t i = 0; i < nx->n_actions; i++) {
        nc[i] = M->action[i] >= 0 ? oc[M->action[i]] : 0;
        st->distinct += nc[i] > 0;
    }
    const int64_t *ocd = PL_CCD(ctx, m);
    int64_t *ncd = PL_CD(nx, n);
    for (uint32_t i = 0; i < nx->lay.n_cd; i++) ncd[i] = M->cd[i] >= 0 ? ocd[M->cd[i]] : INT64_MIN;
    const pl_trk *ot = PL_CTRK(ctx, m);
    pl_trk *nt = PL_TRK(nx, n);
    for (uint32_t i = 0; i < nx->lay.n_trk; i++) {
        if (M->trk[i] >= 0) nt[i] = ot[M->trk[i]];
        if (M->trk_aux[i] >= 0) nt[i].aux = ot[M->trk_aux[i]].aux;
    }
    for (size_t i = 0; i < nx->n_tiers; i++)
        if (nx->tiers[i]->trk >= 0 && M->trk_aux[nx->tiers[i]->trk] < 0) nt[nx->tiers[i]->trk].aux = 0;
    /* segment: a pin stays while its segment is declared; inference follows
     * the new weights */
    if (st->flags & PL_MF_PINNED) {
        const pl_segment *s = pl_segment_find(nx, ctx->segments[m->st.pin]->id);
        if (s) st->pin = st->segment = (int32_t)s->idx;
        else {
            st->flags &= ~PL_MF_PINNED;
            st->pin = -1;
        }
    }
    if (!(st->flags & PL_MF_PINNED)) st->segment = pl_member_infer_segment(nx, n);
    /* leaderboard slots */
    const pl_slot *os = PL_CSLOTS(ctx, m);
    pl_slot *ns = PL_SLOTS(nx, n);
    for (size_t i = 0; i < nx->n_boards; i++) {
        const pl_board *b = nx->boards[i];
        if (M->board[i] >= 0) ns[i] = os[M->board[i]];
        else if (b->period == PLAUDIT_PERIOD_ALL && b->from == PLAUDIT_UNSET && !b->by_team) {
            /* a member board of period all without dates ranks by points */
            ns[i].period = 1;
            ns[i].score = st->points;
            ns[i].ts = M->all_slot >= 0 && os[M->all_slot].period ? os[M->all_slot].ts : st->pts_ts;
        }
        ns[i].ranked = (uint32_t)pl_slot_eligible(nx, n, b);
    }
    st->flags |= PL_MF_REEVAL;
    n->tail = NULL;
    if (nx->lay.tail_size && memcmp(scratch, nx->tail0, nx->lay.tail_size) != 0) {
        if (!(n->tail = pl_malloc(A, nx->lay.tail_size))) {
            pl_free(A, st->badges);
            pl_member_block_free(A, n);
            return PLAUDIT_ENOMEM;
        }
        memcpy(n->tail, scratch, nx->lay.tail_size);
    }
    *out = n;
    return PLAUDIT_OK;
}

static int prepare(plaudit_ctx *ctx, pl_progupd *pu, maps *M)
{
    plaudit_ctx *nx = pu->nx;
    const pl_alloc *A = &ctx->alloc;
    /* badges: by id, and the earned ones no longer declared are retired */
    size_t nob = ctx->n_badges ? ctx->n_badges : 1;
    if (!(M->badge = pl_malloc(A, sizeof *M->badge * nob))) return PLAUDIT_ENOMEM;
    uint8_t *held = pl_malloc(A, nob);
    if (!held) return PLAUDIT_ENOMEM;
    memset(held, 0, nob);
    for (size_t i = 0; i < ctx->n_members; i++)
        for (uint32_t j = 0; j < ctx->mv[i]->st.n_badges; j++) held[ctx->mv[i]->st.badges[j].badge] = 1;
    int rc = PLAUDIT_OK;
    for (size_t i = 0; i < ctx->n_badges && !rc; i++) {
        const pl_badge *g = pl_badge_find(nx, ctx->badges[i]->id);
        M->badge[i] = g ? g->idx : UINT32_MAX;
        if (!g && held[i]) rc = retire_badge(nx, ctx->badges[i], &M->badge[i]);
    }
    pl_free(A, held);
    if (rc || (rc = pl_program_seal(nx))) return PLAUDIT_ENOMEM;

    size_t na = nx->n_actions ? nx->n_actions : 1, nt = nx->lay.n_trk ? nx->lay.n_trk : 1;
    size_t nbd = nx->n_boards ? nx->n_boards : 1, ncd = nx->lay.n_cd ? nx->lay.n_cd : 1;
    M->action = pl_malloc(A, sizeof *M->action * na);
    M->cd = pl_malloc(A, sizeof *M->cd * ncd);
    M->trk = pl_malloc(A, sizeof *M->trk * nt);
    M->trk_aux = pl_malloc(A, sizeof *M->trk_aux * nt);
    M->board = pl_malloc(A, sizeof *M->board * nbd);
    M->eligible = pl_malloc(A, sizeof *M->eligible * nbd);
    if (!M->action || !M->cd || !M->trk || !M->trk_aux || !M->board || !M->eligible) return PLAUDIT_ENOMEM;
    for (size_t i = 0; i < nx->lay.n_cd; i++) M->cd[i] = -1;
    for (size_t i = 0; i < nx->n_actions; i++) {
        const pl_action *a = nx->actions[i], *o = pl_action_find(ctx, a->id);
        M->action[i] = o ? (int32_t)o->idx : -1;
        if (a->cd_slot >= 0 && o && o->cd_slot >= 0) M->cd[a->cd_slot] = o->cd_slot;
    }
    map_trackers(ctx, nx, M->trk, M->trk_aux);
    /* what this program event starts belongs to the next generation */
    uint32_t gen = ctx->prog_gen == UINT32_MAX ? UINT32_MAX : ctx->prog_gen + 1;
    if (nx->lay.n_trk) {
        if (!(nx->trk_gen = pl_malloc(A, sizeof *nx->trk_gen * nx->lay.n_trk))) return PLAUDIT_ENOMEM;
        for (uint32_t j = 0; j < nx->lay.n_trk; j++)
            nx->trk_gen[j] = M->trk[j] < 0 ? gen : ctx->trk_gen ? ctx->trk_gen[M->trk[j]] : 0;
    }
    M->all_slot = -1;
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *o = ctx->boards[i];
        if (o->period == PLAUDIT_PERIOD_ALL && o->from == PLAUDIT_UNSET && !o->by_team && M->all_slot < 0)
            M->all_slot = (int32_t)i;
    }
    const uint32_t *K = pl_keys(nx, ctx->clock);
    for (size_t i = 0; i < nx->n_boards; i++) {
        pl_board *b = nx->boards[i];
        const pl_board *o = pl_board_find(ctx, b->id);
        M->board[i] = o && board_kept(ctx, o, nx, b) ? (int32_t)o->idx : -1;
        b->cur = M->board[i] >= 0 ? o->cur : K[b->period];
        /* a season added after its until is over: frozen, empty */
        b->frozen = M->board[i] >= 0 ? o->frozen : b->until != PLAUDIT_UNSET && ctx->clock >= b->until;
        b->gen = M->board[i] >= 0 ? o->gen : gen;
        M->eligible[i] = 0;
    }
    if (pl_teams_prepare(ctx, nx, M->board)) return PLAUDIT_ENOMEM;
    /* rewards: the stock left moves by the change of the declared stock */
    for (size_t i = 0; i < nx->n_rewards; i++) {
        pl_reward *r = nx->rewards[i];
        const pl_reward *o = pl_reward_find(ctx, r->id);
        if (!o || r->stock0 == PLAUDIT_UNSET || o->stock0 == PLAUDIT_UNSET) continue; /* declared / unlimited */
        int64_t left = o->stock + (r->stock0 - o->stock0);
        r->stock = left < 0 ? 0 : left;
    }
    /* members */
    size_t nm = ctx->n_members ? ctx->n_members : 1;
    if (!(pu->nm = pl_malloc(A, sizeof *pu->nm * nm))) return PLAUDIT_ENOMEM;
    memset(pu->nm, 0, sizeof *pu->nm * nm);
    pu->n_nm = ctx->n_members;
    char *scratch = pl_malloc(A, nx->lay.tail_size);
    if (!scratch) return PLAUDIT_ENOMEM;
    for (size_t i = 0; i < ctx->n_members; i++) {
        if (member_relayout(ctx, nx, M, ctx->mv[i], scratch, &pu->nm[i])) {
            pl_free(A, scratch);
            return PLAUDIT_ENOMEM;
        }
        const pl_slot *s = PL_CSLOTS(nx, pu->nm[i]);
        for (size_t b = 0; b < nx->n_boards; b++) M->eligible[b] += s[b].ranked;
    }
    pl_free(A, scratch);
    for (size_t b = 0; b < nx->n_boards; b++)
        if (M->eligible[b] && pl_rank_reserve(nx->boards[b]->rank, M->eligible[b])) return PLAUDIT_ENOMEM;
    return PLAUDIT_OK;
}

int pl_program_update_prepare(plaudit_ctx *ctx)
{
    pl_progupd *pu = ctx->pu;
    maps M;
    memset(&M, 0, sizeof M);
    int rc = prepare(ctx, pu, &M);
    maps_free(&ctx->alloc, &M);
    if (rc) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory applying a program event");
    ctx->subject = NULL;
    pu->prepared = 1;
    return PLAUDIT_OK;
}

/* ---- end --------------------------------------------------------------------- */

/* Put n in o's place in the member index (uthash), without allocating. */
static void relink(plaudit_ctx *ctx, pl_member *o, pl_member *n)
{
    UT_hash_handle *h = &n->hh;
    *h = o->hh;
    h->key = n->id;
    UT_hash_table *tbl = h->tbl;
    if (h->prev) ((UT_hash_handle *)((char *)h->prev + tbl->hho))->next = n;
    else ctx->member_h = n;
    if (h->next) ((UT_hash_handle *)((char *)h->next + tbl->hho))->prev = n;
    if (tbl->tail == &o->hh) tbl->tail = h;
    if (h->hh_prev) h->hh_prev->hh_next = h;
    if (h->hh_next) h->hh_next->hh_prev = h;
    UT_hash_bucket *bk = &tbl->buckets[h->hashv & (tbl->num_buckets - 1)];
    if (bk->hh_head == &o->hh) bk->hh_head = h;
}

static void swap_bytes(void *a, void *b, size_t n)
{
    unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        unsigned char t = x[i];
        x[i] = y[i];
        y[i] = t;
    }
}

/* Swap the program region of two contexts (and their per-board arrays). */
static void swap_program(plaudit_ctx *ctx, plaudit_ctx *nx)
{
    size_t lo = offsetof(plaudit_ctx, format), hi = offsetof(plaudit_ctx, member_h);
    swap_bytes((char *)ctx + lo, (char *)nx + lo, hi - lo);
    swap_bytes(&ctx->txn.board_cur, &nx->txn.board_cur, sizeof ctx->txn.board_cur);
    swap_bytes(&ctx->txn.board_closed, &nx->txn.board_closed, sizeof ctx->txn.board_closed);
    ctx->pc_lo = nx->pc_lo = 1;
    ctx->pc_hi = nx->pc_hi = 0;
    for (size_t b = 0; b < ctx->n_boards; b++) pl_rank_set_ud(ctx->boards[b]->rank, ctx);
}

/* The old program of a switch: kept while recovering, else freed. */
static void old_program(plaudit_ctx *ctx, plaudit_ctx *nx)
{
    if (ctx->keep_initial && !ctx->initial_program) ctx->initial_program = nx;
    else plaudit_ctx_free(nx);
}

void pl_program_restore_initial(plaudit_ctx *ctx)
{
    plaudit_ctx *ini = ctx->initial_program;
    ctx->initial_program = NULL;
    if (!ini) return;
    swap_program(ctx, ini);
    plaudit_ctx_free(ini);
}

void pl_program_drop_initial(plaudit_ctx *ctx)
{
    plaudit_ctx_free(ctx->initial_program);
    ctx->initial_program = NULL;
}

int pl_program_adopt(plaudit_ctx *ctx, const char *doc, size_t len, const pl_badge *const *retired, size_t n)
{
    plaudit_ctx *nx;
    int rc = scratch_new(ctx, &nx);
    if (rc) return rc;
    rc = plaudit_program_load_json(nx, doc, len);
    if (rc == PLAUDIT_ENOMEM) rc = pl_err(ctx, rc, "out of memory loading a snapshot's program");
    else if (rc) rc = pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot's program does not load: %s", plaudit_errmsg(nx));
    if (!rc && !(nx->program_doc = pl_malloc(&ctx->alloc, len + 1))) rc = PLAUDIT_ENOMEM;
    if (!rc) {
        memcpy(nx->program_doc, doc, len);
        nx->program_doc[len] = '\0';
    }
    uint32_t idx;
    for (size_t i = 0; i < n && !rc; i++)
        if (pl_badge_find(nx, retired[i]->id)) rc = pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot: retired badge declared");
        else rc = retire_badge(nx, retired[i], &idx);
    if (!rc) rc = pl_program_seal(nx);
    if (rc == PLAUDIT_ENOMEM) rc = pl_err(ctx, rc, "out of memory loading a snapshot's program");
    if (rc) {
        plaudit_ctx_free(nx);
        return rc;
    }
    swap_program(ctx, nx);
    old_program(ctx, nx);
    return PLAUDIT_OK;
}

static void finish(plaudit_ctx *ctx, pl_progupd *pu)
{
    plaudit_ctx *nx = pu->nx;
    for (size_t i = 0; i < pu->n_nm; i++) {
        pl_member *o = ctx->mv[i], *n = pu->nm[i];
        relink(ctx, o, n);
        ctx->mv[i] = n;
        pl_free(&ctx->alloc, o->st.badges); /* its `at` arrays moved */
        pl_member_block_free(&ctx->alloc, o);
        pu->nm[i] = NULL;
    }
    swap_program(ctx, nx);
    pl_bupd_drop(ctx); /* the new boards' indexes are built from the slots below */
    swap_bytes(&ctx->teams, &nx->teams, sizeof ctx->teams); /* laid out for the new boards (team.c) */
    pl_revoke_remap(ctx, nx); /* nx holds the old program now */
    if (ctx->prog_gen < UINT32_MAX) ctx->prog_gen++;
    for (size_t b = 0; b < ctx->n_boards; b++) {
        pl_rank *r = ctx->boards[b]->rank;
        for (size_t i = 0; i < ctx->n_members; i++) {
            const pl_member *m = ctx->mv[i];
            const pl_slot *s = &PL_CSLOTS(ctx, m)[b];
            if (s->ranked) (void)pl_rank_insert(r, s->score, s->ts, m->idx); /* reserved */
        }
    }
    pl_teams_finish(ctx);
}

void pl_program_update_end(plaudit_ctx *ctx, int rc)
{
    pl_progupd *pu = ctx->pu;
    if (!pu) return;
    if (!rc && pu->prepared) {
        finish(ctx, pu);
        old_program(ctx, pu->nx);
        pu->nx = NULL;
    }
    pu_free(ctx);
}
