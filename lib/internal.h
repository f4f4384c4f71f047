/* internal.h - the context's data structures, shared by the library's files
 * (internal; never installed).
 *
 * Layout in brief: rules live in arrays of individually allocated structs
 * with a uthash index by id.  When the program is sealed (first event) a
 * per-member layout is computed: every member is one allocation holding
 * its id and a fixed header (pl_mstate), and points to a program-shaped
 * tail of counters, period trackers and leaderboard slots.  The tail is
 * allocated at the member's first write to it: until then the pointer is
 * NULL and the member's tail is the context's template (tail0), so a member
 * who only joined costs its header alone.  Events run as transactions: a
 * member is snapshotted before its first change, and a failure restores
 * the snapshots (and frees a tail the event allocated), so no state is
 * ever half-applied. */
#ifndef PL_INTERNAL_H
#define PL_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "plaudit.h"
#include "plaudit/store.h"
#include "alloc.h"
#include "rank.h"
#include "tz.h"

/* uthash through the context allocator, with allocation failure reported
 * instead of aborting.  A function using HASH_ADD declares PL_UH(alloc). */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) pl_malloc(pl_uh_alloc, (sz))
#define uthash_free(ptr, sz) pl_free(pl_uh_alloc, (ptr))
#define uthash_nonfatal_oom(obj) do { pl_uh_oom = 1; (void)(obj); } while (0)
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = (unsigned)pl_hash_bytes((keyptr), (keylen)))
#include <uthash.h>
#define PL_UH(a) const pl_alloc *pl_uh_alloc = (a); int pl_uh_oom = 0; (void)pl_uh_alloc; (void)pl_uh_oom

#define PL_ERRMSG_MAX 512
#define PL_ID_MAX 64
#define PL_MEMBER_ID_MAX 128
#define PL_KEY_MAX 128
#define PL_NAME_MAX 256
#define PL_DESC_MAX 2048
#define PL_REASON_MAX 256
#define PL_NONE (-1)
#define PL_NPERIODS 7

/* ---- util.c ---------------------------------------------------------- */
uint64_t pl_hash_bytes(const void *p, size_t n);
uint64_t pl_mix64(uint64_t x);
static inline uint64_t pl_hash_step(uint64_t h, uint64_t v) { return pl_mix64(h ^ pl_mix64(v + 0x9e3779b97f4a7c15ULL)); }
uint64_t pl_hash_str(uint64_t h, const char *s);

static inline int64_t pl_sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}
static inline uint32_t pl_sat_inc32(uint32_t v) { return v == UINT32_MAX ? v : v + 1; }
static inline uint64_t pl_sat_inc64(uint64_t v) { return v == UINT64_MAX ? v : v + 1; }

/* Validate text: UTF-8, no control characters (C0, DEL, C1), 1..max bytes
 * (min_len 0 allows empty).  Returns 0 or PLAUDIT_EUTF8/PLAUDIT_ESTRING
 * with a message in msg. */
int pl_check_text(const char *s, size_t min_len, size_t max_len, char *msg, size_t msglen, const char *what);
/* "a" or "an" before word (by its first letter: "an action event"). */
const char *pl_a_an(const char *word);
/* Rule id: 1-64 bytes of [a-z0-9._-], first a letter or digit. */
int pl_check_rule_id(const char *s, char *msg, size_t msglen, const char *what);

/* Growable byte buffer on the context allocator. */
typedef struct pl_buf {
    const pl_alloc *a;
    char *p;
    size_t len, cap;
    int oom;
} pl_buf;
void pl_buf_init(pl_buf *b, const pl_alloc *a);
void pl_buf_free(pl_buf *b);
int pl_buf_reserve(pl_buf *b, size_t extra);
void pl_buf_put(pl_buf *b, const void *p, size_t n);
void pl_buf_puts(pl_buf *b, const char *s);
void pl_buf_printf(pl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pl_buf_json_str(pl_buf *b, const char *s);
void pl_buf_indent(pl_buf *b, int depth);

char *pl_strdup(const pl_alloc *a, const char *s);

/* Grow *arr (element size es) to hold at least need elements. */
int pl_grow(const pl_alloc *a, void **arr, size_t *cap, size_t need, size_t es);

/* ---- sha256.c -------------------------------------------------------- */
typedef struct pl_sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    uint32_t fill;
} pl_sha256;
void pl_sha256_init(pl_sha256 *s);
void pl_sha256_update(pl_sha256 *s, const void *data, size_t n);
void pl_sha256_final(pl_sha256 *s, uint8_t out[32]);
/* Lowercase hex digest of n bytes, NUL-terminated. */
void pl_sha256_hex(const void *data, size_t n, char out[65]);

/* ---- period.c -------------------------------------------------------- */
/* Period keys are >= 1 for every instant (0 means "never"); consecutive
 * periods of one kind have consecutive keys. */
void pl_period_keys(int64_t local_day, uint32_t keys[PL_NPERIODS]);
void pl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* ---- the program's rules (rules/rules.h) and a member (state/member.h) */
#include "rules/rules.h"
#include "state/member.h"

/* Idempotency key record. */
typedef struct pl_key {
    UT_hash_handle hh;
    uint64_t content;         /* hash of the event's content */
    int64_t clock;            /* the clock when accepted (for retention) */
    uint32_t len;
    uint32_t rev;             /* its remembered event (revoke.c) + 1, 0: none */
    char key[];
} pl_key;

/* ---- transactions (engine.c) ------------------------------------------ */
typedef struct pl_undo {
    pl_member *m;
    size_t saved;             /* offset of the snapshot in the arena: the
                                 pl_mstate header, then the tail unless
                                 head or tail_new */
    int is_new;               /* created by this event (its block and tail
                                 are freed on rollback) */
    int head;                 /* only the tick part of the header was saved
                                 (PL_MSTATE_TICK bytes: a tick, evaluate.c) */
    int tail_new;             /* the member had no tail (the template's):
                                 this event allocated it, rollback frees it */
} pl_undo;

/* Bytes of a badge array changed in place (evaluate.c): `len` bytes at
 * `addr`, saved at arena offset `saved`, written back on rollback. */
typedef struct pl_span {
    void *addr;
    size_t len, saved;
} pl_span;

typedef struct pl_treeop {
    uint32_t board, member;
} pl_treeop;

typedef struct pl_txn {
    pl_undo *undo;
    size_t n_undo, cap_undo;
    char *arena;
    size_t arena_len, arena_cap;
    void **fresh;             /* badge arrays allocated in this txn */
    size_t n_fresh, cap_fresh;
    void **stale;             /* badge arrays replaced in this txn */
    size_t n_stale, cap_stale;
    pl_span *span;            /* badge entries changed in place */
    size_t n_span, cap_span;
    /* saved globals */
    int64_t clock, tick_ts;
    uint64_t tick_members;
    uint32_t *board_cur;      /* per board, before */
    uint8_t *board_closed;    /* per board: closed by this event */
    int32_t reward;           /* reward whose stock changed, or -1 */
    int64_t reward_stock;
    int64_t *stock_saved;     /* revoke: (reward, stock before) pairs */
    size_t n_stock_saved, cap_stock_saved;
    uint32_t serial;
    int active;
    int head_touch;           /* a tick: pl_touch_head saves headers only */
} pl_txn;

/* ---- the context ------------------------------------------------------ */
struct plaudit_ctx {
    pl_alloc alloc;
    char *tzdir;
    int64_t retention_s;
    uint64_t max_members;
    size_t max_line, max_program; /* input limits (plaudit_options v2) */
    unsigned max_depth, max_rules;
    size_t max_member_bytes;      /* plaudit_options v3 */

    int err_code;
    char errmsg[PL_ERRMSG_MAX];
    /* The context option (plaudit_options field name) that made the last
     * event fail, or NULL: recovery tells a journaled event rejected by a
     * different option from one a changed program rejects. */
    const char *limit_option;
    char suggest[300];            /* pl_did_you_mean's text */

    /* program: everything from `format` to `member_h` is the program in
     * force.  A program event (program_update.c) swaps this whole region
     * with a context that loaded the new program, so state that must
     * survive a program event goes below `member_h`, never here. */
    int format;               /* 1 or 2 (plaudit.program/N) */
    int64_t reorder_window_s; /* W of the reorder window (reorder.c, section 6), 0: none */
    char *name;
    char *tzname;
    int utc_offset_min;
    pl_tz *tz;
    int sealed;
    pl_action **actions; size_t n_actions, cap_actions; pl_action *action_h;
    pl_tier **tiers; size_t n_tiers, cap_tiers; pl_tier *tier_h;
    pl_segment **segments; size_t n_segments, cap_segments; pl_segment *segment_h;
    pl_board **boards; size_t n_boards, cap_boards; pl_board *board_h;
    pl_badge **badges; size_t n_badges, cap_badges; pl_badge *badge_h;
    size_t n_retired;         /* the last n_retired badges are retired */
    char *program_doc;        /* the document a program event set (NULL:
                                 the program the context was given) */
    pl_reward **rewards; size_t n_rewards, cap_rewards; pl_reward *reward_h;
    pl_kudos kudos;
    pl_layout lay;
    char *tail0;              /* the template tail, lay.tail_size bytes: what
                                 a member without a tail has (zeros, every
                                 cooldown INT64_MIN); built at seal */
    uint32_t *eval_badges;    /* badges evaluated per member (no manual /
                                 leaderboard), in declaration order */
    size_t n_eval_badges;
    /* Skipping badges that cannot change (evaluate.c): per eval_badges
     * position its trigger and the epoch of its last evaluation; per
     * trigger the epoch of its last change. */
    uint32_t *evl_trig, *evl_last, *trg_epoch;
    size_t n_trg;
    uint32_t epoch;
    uint32_t *window_tiers; size_t n_window_tiers;
    uint8_t *trk_per;         /* period kind of each tracker */
    uint32_t *trk_gen;        /* per tracker, the program generation that
                                 started it (NULL: all 0); a revoke leaves
                                 a counter started after the event alone */
    int has_window_tiers;

    /* format 2 rules (campaign.c, challenge.c, team.c): part of the
     * program region that a program event swaps (program_update.c) */
    struct pl_campaign **campaigns; size_t n_campaigns, cap_campaigns; struct pl_campaign *campaign_h;
    uint32_t n_team_boards;
    uint32_t *team_boards;    /* board index of each team board, by team_slot (team.c) */
    uint32_t *season_boards;  /* boards with a range: the only ones that freeze */
    uint32_t n_season_boards;
    int v2_txn;               /* the format 2 transaction hooks run */
    uint32_t n_chal;          /* challenges (synthetic triggers) */
    uint32_t *chal_off, *chal_list; /* per base trigger, its challenges' triggers */

    /* state */
    pl_member *member_h;      /* member index by id (uthash, member.c) */
    pl_member **mv; size_t n_members, cap_members;
    pl_key *key_h;
    int64_t clock;            /* -1: none yet */
    uint32_t prog_gen;        /* program events applied (saturating) */
    int64_t tick_ts;          /* ts of the last tick (-1: none) */
    uint64_t tick_members;    /* members that existed at the last tick */
    uint64_t accepted, duplicates, rejected;

    /* period cache */
    int64_t pc_lo, pc_hi;
    uint32_t pc_keys[PL_NPERIODS];

    /* event scratch */
    pl_txn txn;
    plaudit_moment *moments; size_t n_moments, cap_moments;
    size_t n_badge_moments, n_tier_moments;
    pl_member *subject;       /* whose points the outcome reports */
    int64_t subject_points;
    char reason[PL_REASON_MAX + 1];
    pl_buf evbuf;             /* strings of the last parsed event line */
    int64_t parse_ts;         /* its integer ts (-1: none), also when the
                                 line was invalid (the reorder window) */
    uint32_t *close_list; size_t n_close, cap_close; /* (badge, member) */
    uint32_t *awarded; size_t n_awarded, cap_awarded;
    pl_treeop *treeops; size_t cap_treeops;
    /* leaderboard index updates held until the next read (board_updates.c):
     * the members, and per member and board the index's entry (ranked: in
     * the index); per board the inserts a sync can make, and the same
     * during a commit */
    uint32_t *bu_m; size_t n_bu, cap_bu;
    size_t bu_head;           /* entries before it are done (board_updates.c) */
    pl_rank_entry *std_held, *std_top; size_t cap_std_held, cap_std_top; /* pl_board_standings */
    pl_slot *bu_old; size_t cap_bu_old;
    uint64_t *bu_ins, *bu_next; size_t cap_bu_ins, cap_bu_next;

    /* listener */
    plaudit_listener listener;
    int has_listener;
    int in_callback;          /* PL_IN_LISTENER / PL_IN_STORE: a callback
                                 runs; mutating calls fail (pl_reentered) */

    /* analytics recorder (analytics.c), NULL unless enabled */
    struct pl_analytics *an;
    /* the reorder window's held events (reorder.c), NULL until the first */
    struct pl_window *win;
    int in_release;           /* processing a released event: its arrival
                                 was journaled already */
    /* moments' sequence numbers and the outbox (outbox.c) */
    uint64_t moment_seq;      /* seq of the last moment */
    struct pl_outbox *obx;    /* NULL unless enabled */
    /* store (store.c); NULL when none is attached */
    struct pl_store *store;
    /* remembered events and refs for revoke (revoke.c) */
    struct pl_revokes *rv;
    /* a program event between its validation and its end
     * (program_update.c), NULL otherwise */
    struct pl_progupd *pu;
    /* While a store is attached (keep_initial), the program the context
     * was given, kept when recovery moves to another one (a snapshot's or
     * a replayed program event's), so that a failed attach restores it. */
    plaudit_ctx *initial_program;
    int keep_initial;

    /* query scratch */
    plaudit_badge_earned *q_earned; size_t cap_q_earned;
    plaudit_badge_progress *q_prog; size_t cap_q_prog;

    /* format 2 state: the team table and team-board scores (team.c) */
    struct pl_teams *teams;
    plaudit_part_progress *q_parts; size_t cap_q_parts;

    /* the points history (history.c), NULL unless the history option is
     * set; outside the program region, so a program event keeps it */
    struct pl_history *hist;
};

/* A member's tail for reading: its own, or the template. */
static inline const char *pl_ctail(const plaudit_ctx *c, const pl_member *m) { return m->tail ? m->tail : c->tail0; }

/* The tail the member of undo entry u (not created by the event) had
 * before the event. */
static inline const char *pl_undo_tail(const plaudit_ctx *c, const pl_undo *u)
{
    if (u->tail_new) return c->tail0;
    if (u->head) return pl_ctail(c, u->m); /* not written yet */
    return c->txn.arena + u->saved + sizeof(pl_mstate);
}

/* ---- errors.c --------------------------------------------------------- */
int pl_err(plaudit_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void pl_ok(plaudit_ctx *ctx) { ctx->err_code = PLAUDIT_OK; ctx->errmsg[0] = '\0'; }
/* The re-entrancy guard.  Listener and store callbacks run with
 * ctx->in_callback set; a call that changes the context then fails with
 * PLAUDIT_ESTATE: "<what> from inside a listener" (or "a store callback"). */
#define PL_IN_LISTENER 1
#define PL_IN_STORE 2
int pl_reentered(plaudit_ctx *ctx, const char *what);
/* Raise the guard around a store callback; returns the previous value for
 * pl_guard_end (the library's own chunk functions lower it while they
 * replay). */
static inline int pl_guard_begin(plaudit_ctx *ctx, int kind)
{
    int was = ctx->in_callback;
    ctx->in_callback = kind;
    return was;
}
static inline void pl_guard_end(plaudit_ctx *ctx, int was) { ctx->in_callback = was; }

/* ---- suggest.c: "did you mean" ------------------------------------------ */
typedef enum pl_rule_kind { PL_K_ACTION, PL_K_TIER, PL_K_SEGMENT, PL_K_BOARD, PL_K_BADGE, PL_K_REWARD, PL_K_CAMPAIGN } pl_rule_kind;
/* " (did you mean \"forum.answer\"?)" for the declared id of that kind
 * closest to `wrong`, or "" when none is close.  Valid until the next
 * call (ctx->suggest). */
const char *pl_did_you_mean(plaudit_ctx *ctx, pl_rule_kind kind, const char *wrong);
/* The same over any names: init, add each candidate, then the text. */
typedef struct pl_suggest {
    const char *wrong;
    size_t len, limit, best_d, seen;
    char best[256];
} pl_suggest;
void pl_suggest_init(pl_suggest *s, const char *wrong);
void pl_suggest_add(pl_suggest *s, const char *cand, size_t n);
const char *pl_suggest_text(pl_suggest *s, char *buf, size_t n);
/* The zone name of the database (tzdir, NULL: the usual places) closest
 * to `wrong`, as pl_suggest_text gives it, into buf. */
const char *pl_suggest_zone(const char *tzdir, const char *wrong, char *buf, size_t n);

/* ---- program_seal.c: the layout and lookup lists of a sealed program ---- */
int pl_program_seal(plaudit_ctx *ctx);
/* Frees what sealing built (the program's rules stay). */
void pl_program_unseal(plaudit_ctx *ctx);
/* The member allocation the program needs, id aside (what the seal lays
 * out), computed without sealing. */
uint64_t pl_program_member_bytes(plaudit_ctx *ctx);
/* PLAUDIT_ELIMIT (with the size) when it is above max_member_bytes. */
int pl_program_check_member_bytes(plaudit_ctx *ctx);

/* ---- program.c -------------------------------------------------------- */
int pl_program_uses_v2(const plaudit_ctx *ctx);
void pl_program_free(plaudit_ctx *ctx);
pl_action *pl_action_find(const plaudit_ctx *ctx, const char *id);
pl_tier *pl_tier_find(const plaudit_ctx *ctx, const char *id);
pl_segment *pl_segment_find(const plaudit_ctx *ctx, const char *id);
pl_board *pl_board_find(const plaudit_ctx *ctx, const char *id);
pl_badge *pl_badge_find(const plaudit_ctx *ctx, const char *id);
pl_reward *pl_reward_find(const plaudit_ctx *ctx, const char *id);

/* The plain-English sentence of a badge's criterion: level 0 for the whole
 * badge (every threshold), level k for the k-th threshold only (with "level
 * k of n" when there are several).  Appended to b. */
void pl_badge_sentence(const plaudit_ctx *ctx, const pl_badge *g, uint32_t level, pl_buf *b);

/* ---- member.c --------------------------------------------------------- */
pl_member *pl_member_find(const plaudit_ctx *ctx, const char *id);
/* A member's allocation holds its id first (NUL-terminated, padded to 8
 * bytes), then the pl_member: the index's key compare reads bytes next to
 * the hash its lookup has just read.
 * block_new: a zeroed member with that id and no tail, NULL when out of
 * memory; block_free frees the allocation and its tail (not the badge
 * array). */
static inline size_t pl_member_id_room(size_t idlen) { return (idlen + 8) & ~(size_t)7; }
pl_member *pl_member_block_new(const pl_alloc *a, const char *id, size_t idlen);
void pl_member_block_free(const pl_alloc *a, pl_member *m);
/* Give m (without a tail) a tail of its own, a copy of the template;
 * PLAUDIT_ENOMEM (nothing changed) when out of memory. */
int pl_member_tail_own(plaudit_ctx *ctx, pl_member *m);
/* Allocate (not yet indexed) a member with fresh state. */
int pl_member_alloc(plaudit_ctx *ctx, const char *id, int64_t ts, pl_member **out);
void pl_member_free(plaudit_ctx *ctx, pl_member *m);
int64_t pl_member_last(const plaudit_ctx *ctx, const pl_member *m);
int32_t pl_member_infer_segment(const plaudit_ctx *ctx, const pl_member *m);
int64_t pl_member_affinity(const plaudit_ctx *ctx, const pl_member *m, const pl_segment *s);
pl_earned *pl_member_earned(const plaudit_ctx *ctx, const pl_member *m, uint32_t badge);
int pl_idcmp(uint32_t a, uint32_t b, void *ud);

/* The member index, a uthash table on the members' hh through the context
 * allocator.  add fails (PLAUDIT_ENOMEM, nothing added) only when the
 * table itself cannot be allocated; a failed growth of the bucket array is
 * not an error (uthash keeps the smaller one).  del takes a member out
 * (rollback); clear and free empty it. */
int pl_member_index_add(plaudit_ctx *ctx, pl_member *m);
void pl_member_index_del(plaudit_ctx *ctx, pl_member *m);
/* For a bulk load: find and add with the id's hash (HASH_VALUE) computed
 * once, prefetch the slot of a hash, and room for n members (a hint). */
pl_member *pl_member_find_hv(const plaudit_ctx *ctx, const char *id, size_t len, unsigned hv);
int pl_member_index_add_hv(plaudit_ctx *ctx, pl_member *m, unsigned hv);
void pl_member_prefetch_hv(const plaudit_ctx *ctx, unsigned hv);
void pl_member_index_reserve(plaudit_ctx *ctx, size_t n);
void pl_member_index_clear(plaudit_ctx *ctx);
void pl_member_index_free(plaudit_ctx *ctx);
uint64_t pl_member_prefetch_slot(const plaudit_ctx *ctx, const char *id);
void pl_member_prefetch_head(const plaudit_ctx *ctx, uint64_t hash);
void pl_member_prefetch(const plaudit_ctx *ctx, uint64_t hash);

/* ---- period keys for an instant (engine.c) ---------------------------- */
const uint32_t *pl_keys(plaudit_ctx *ctx, int64_t ts);

/* ---- evaluation (evaluate.c) ------------------------------------------ */
/* Inside a transaction: make m writable (snapshot before first change). */
int pl_touch(plaudit_ctx *ctx, pl_member *m);
/* Snapshot before a write to m's pl_mstate header only (not its counters,
 * trackers or slots); the same as pl_touch outside a tick. */
int pl_touch_head(plaudit_ctx *ctx, pl_member *m);
int pl_moment(plaudit_ctx *ctx, plaudit_moment **out);
/* Award d points (floored at 0) to m at ts, updating balance, windows and
 * boards, with a POINTS moment.  m must be touched. */
int pl_award(plaudit_ctx *ctx, pl_member *m, int64_t d, int64_t ts, plaudit_source src, const char *src_id);
/* Evaluate tiers and badges until nothing changes. */
int pl_evaluate(plaudit_ctx *ctx, pl_member *m, int64_t ts);
/* The same, for a member that was at a fixed point of evaluation before
 * the current event made only the changes of kind `list` (PL_EVL_*): badges
 * whose value nothing since can have raised are skipped.  Results and
 * moments are exactly those of pl_evaluate. */
int pl_evaluate_after(plaudit_ctx *ctx, pl_member *m, int64_t ts, uint32_t list);
/* List ids: PL_EVL_ACTION + action index, or one of these. */
enum { PL_EVL_TIME = 0, PL_EVL_POINTS, PL_EVL_KUDOS_GIVEN, PL_EVL_KUDOS_RECEIVED, PL_EVL_ACTION };
int pl_eval_lists_build(plaudit_ctx *ctx);
void pl_eval_lists_free(plaudit_ctx *ctx);
/* Credit one more earning of badge b (manual / leaderboard / repeatable). */
int pl_badge_credit(plaudit_ctx *ctx, pl_member *m, const pl_badge *b, int64_t ts, uint32_t period,
                    const char *board);
int32_t pl_tier_now(plaudit_ctx *ctx, const pl_member *m, int64_t ts);
int64_t pl_badge_value(plaudit_ctx *ctx, const pl_member *m, const pl_badge *b, int64_t ts);

/* ---- leaderboard.c ---------------------------------------------------- */
int pl_boards_init(plaudit_ctx *ctx);
/* Whether m belongs on board b now, and with what key. */
int pl_slot_eligible(const plaudit_ctx *ctx, const pl_member *m, const pl_board *b);
/* The same with m's slot s on b at hand. */
static inline int pl_slot_eligible_at(const pl_slot *s, const pl_member *m, const pl_board *b)
{
    if (s->period != b->cur || s->score <= 0 || b->by_team) return 0;
    if (m->st.flags & PL_MF_OPTED_OUT) return 0;
    return b->segment < 0 || m->st.segment == b->segment;
}
int64_t pl_slot_score(const plaudit_ctx *ctx, const pl_member *m, const pl_board *b);

/* ---- board_updates.c: leaderboard index updates held until read ------- */
/* Commit, step 1 (may fail; nothing observable changes): room to hold the
 * updates of the event's members and index room for what a sync inserts. */
int pl_bupd_reserve(plaudit_ctx *ctx);
/* Commit, step 3 (cannot fail): clear the boards this event closed, hold
 * the event's members, set their slots' ranked flags. */
void pl_bupd_commit(plaudit_ctx *ctx);
/* After the commit: sync when many members are held. */
void pl_bupd_after_commit(plaudit_ctx *ctx);
/* The first min(k, count) entries of board b's order as of the last accepted
 * event, without catching up the index (a period close): *top points into
 * the context (valid until the next call), *count the board's entries. */
int pl_board_standings(plaudit_ctx *ctx, const pl_board *b, uint64_t k, const pl_rank_entry **top, size_t *n_top,
                       uint64_t *count);
/* Bring every board's index up to date with the accepted events; before
 * anything reads an index.  Cannot fail; changes nothing observable. */
void pl_boards_sync(plaudit_ctx *ctx);
/* The same from a function that reads the state only. */
static inline void pl_boards_sync_c(const plaudit_ctx *ctx) { pl_boards_sync((plaudit_ctx *)ctx); }
/* Forget what is held (the indexes were rebuilt or emptied). */
void pl_bupd_drop(plaudit_ctx *ctx);
void pl_bupd_free(plaudit_ctx *ctx);

/* ---- analytics.c ------------------------------------------------------ */
/* Observe an accepted event after commit (never changes engine state;
 * allocation failure is remembered and reported by plaudit_analytics_get). */
void pl_analytics_observe(plaudit_ctx *ctx, const plaudit_event *ev);
void pl_analytics_free(plaudit_ctx *ctx);

/* ---- program_update.c: the program event (spec section 7) --------------- */
/* Validation: load the document into a scratch context (kept in ctx->pu)
 * and check what may not change.  On failure nothing is kept. */
int pl_program_update_check(plaudit_ctx *ctx, const plaudit_event *ev);
/* Inside the event's transaction, after the clock moved: allocate every
 * new member state and rule structure (nothing of ctx changes). */
int pl_program_update_prepare(plaudit_ctx *ctx);
/* After the transaction: rc 0 swaps the program and the members (cannot
 * fail); otherwise frees what was prepared. */
void pl_program_update_end(plaudit_ctx *ctx, int rc);
/* A snapshot's program: load `doc` (with the retired badges listed) as the
 * program in force of a context without members.  On failure nothing
 * changed. */
int pl_program_adopt(plaudit_ctx *ctx, const char *doc, size_t len, const pl_badge *const *retired, size_t n);
/* Attach: back to the program the context was given (after the state was
 * reset), or forget it. */
void pl_program_restore_initial(plaudit_ctx *ctx);
void pl_program_drop_initial(plaudit_ctx *ctx);
/* A context of no program with ctx's allocator and limits. */
int pl_program_scratch(plaudit_ctx *ctx, plaudit_ctx **out);

/* ---- retroactive_diff.c: what a retroactive replay changed ------------- */
/* Members whose tier, badges, points or balance differ between ctx and
 * old (the state under the old program) into s->changes. */
int pl_retro_diff(plaudit_ctx *ctx, plaudit_ctx *old, struct pl_store *s);
void pl_retro_free(plaudit_ctx *ctx, struct pl_store *s);
/* Badges declared by the program in force (the retired ones follow). */
static inline size_t pl_live_badges(const plaudit_ctx *ctx) { return ctx->n_badges - ctx->n_retired; }

/* ---- history.c: the points history (spec section 8) -------------------- */
/* Where points or balance change, inside the event's transaction: note
 * the change for member m (nothing when both are 0 or history is off).
 * src_id (action, badge, reward or giver id; adjust: the reason; revoke:
 * the revoked event's id) and rref (revoke: the revoked event's ref) must
 * stay valid until the event ends.  Fails only for lack of memory. */
int pl_history_add(plaudit_ctx *ctx, const pl_member *m, int64_t points, int64_t balance, plaudit_source src,
                   const char *src_id, const char *rref);
static inline int pl_history_note(plaudit_ctx *ctx, const pl_member *m, int64_t points, int64_t balance,
                                  plaudit_source src, const char *src_id, const char *rref)
{
    return ctx->hist && (points || balance) ? pl_history_add(ctx, m, points, balance, src, src_id, rref) : 0;
}
/* Around the commit (engine.c), like the outbox: stage makes every room
 * and copy the notes need (may fail: the event is rolled back), publish
 * appends them (cannot fail), unstage drops them. */
int pl_history_stage(plaudit_ctx *ctx, const plaudit_event *ev);
void pl_history_publish(plaudit_ctx *ctx);
void pl_history_unstage(plaudit_ctx *ctx);
int pl_history_init(plaudit_ctx *ctx, size_t per_member);
int pl_history_any(const plaudit_ctx *ctx);
void pl_history_encode(const plaudit_ctx *ctx, pl_buf *b);
int pl_history_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n);
void pl_history_reset(plaudit_ctx *ctx);
void pl_history_free(plaudit_ctx *ctx);

/* ---- state.c ---------------------------------------------------------- */
uint64_t pl_member_digest(const plaudit_ctx *ctx, const pl_member *m);

/* ---- persistence: store.c, journal.c, snapshot.c, crc32c.c --------------- */

/* The attached store and its bookkeeping. */
/* The file store's sync thread (store_file.c), for PLAUDIT_SYNC_GROUP:
 * kick after an append (never waits; a failed background sync: its
 * code), wait for a record from any thread, the last durable record. */
typedef struct pl_bg_ops {
    int (*kick)(void *payload);
    int (*wait)(uint64_t seq, void *payload);
    uint64_t (*durable)(void *payload);
} pl_bg_ops;
/* NULL for a store that is not the file store. */
const pl_bg_ops *pl_file_store_bg(const plaudit_store *cb);

typedef struct pl_store {
    plaudit_store cb;
    plaudit_store_options opt;
    uint64_t seq;             /* seq of the last record in the journal */
    uint64_t unsynced;        /* records appended since the last sync */
    int64_t last_sync_ms;     /* monotonic ms of the last sync */
    int broken;               /* the journal may end in a partial record */
    int failed;               /* the last event failed in the store */
    plaudit_recovery rec;
    pl_buf buf;               /* encoding scratch */
    uint64_t base_fp;         /* fingerprint of the program the context was
                                 given at attach (snapshots carry it) */
    struct pl_change { char *id; unsigned what; } *changes; /* retroactive_diff.c */
    size_t n_changes;
    const pl_bg_ops *bg;      /* PLAUDIT_SYNC_GROUP with the file store: its
                                 sync thread (NULL: syncs on this thread) */
    uint64_t durable_base;    /* records up to this one were synced at attach */
} pl_store;

/* Record an event without journaling or listeners (recovery). engine.c */
int pl_record_replay(plaudit_ctx *ctx, const plaudit_event *ev);
/* The pieces of an event call the reorder window reuses (engine.c):
 * argument checks alone, processing (as pl_record_replay), the outcome of
 * the last processed event, and its moments to the listener. */
int pl_event_check(plaudit_ctx *ctx, const plaudit_event *ev);
void pl_fill_outcome(plaudit_ctx *ctx, int rc, plaudit_outcome *out);
void pl_deliver(plaudit_ctx *ctx);

/* ---- reorder.c: the reorder window (spec section 6) ------------------- */
/* An event call with a window: hold ev (code != 0: a line rejected at
 * release with that code and msg), journal the arrival, release what is
 * due.  Returns PLAUDIT_HELD or the outcome of ev if released at once. */
int pl_window_record(plaudit_ctx *ctx, const plaudit_event *ev, int code, const char *msg, plaudit_outcome *out);
/* Recovery: a journaled arrival (kind PL_REC_ARRIVAL / _INVALID) or flush. */
int pl_window_replay(plaudit_ctx *ctx, int kind, const plaudit_event *ev);
void pl_window_reset(plaudit_ctx *ctx);
void pl_window_free(plaudit_ctx *ctx);
uint64_t pl_window_digest(const plaudit_ctx *ctx, uint64_t h);
void pl_window_snap_encode(plaudit_ctx *ctx, pl_buf *b);
int pl_window_snap_load(plaudit_ctx *ctx, const unsigned char *p, size_t n);

/* ---- outbox.c: moment sequence numbers and the outbox ----------------- */
/* Around the commit of an event (engine.c): stage copies the event's
 * moments into reserved room (may fail: the event is rolled back), publish
 * numbers them and makes them pending (cannot fail), unstage drops them. */
int pl_outbox_stage(plaudit_ctx *ctx);
void pl_outbox_publish(plaudit_ctx *ctx);
void pl_outbox_unstage(plaudit_ctx *ctx);
/* Refuse an arrival when the outbox is full (PLAUDIT_ELIMIT). */
int pl_outbox_admit(plaudit_ctx *ctx);
/* Recovery (store.c): read the acknowledged position before replaying,
 * and mark what replay puts back as redelivered. */
int pl_outbox_recover_begin(plaudit_ctx *ctx, const plaudit_store *cb);
void pl_outbox_recover_end(plaudit_ctx *ctx);
void pl_outbox_reset(plaudit_ctx *ctx);
void pl_outbox_free(plaudit_ctx *ctx);
void pl_outbox_snap_encode(plaudit_ctx *ctx, pl_buf *b);
int pl_outbox_snap_load(plaudit_ctx *ctx, const unsigned char *p, size_t n);

/* Turn a callback's return value into a context error.  store.c */
int pl_store_fail(plaudit_ctx *ctx, const pl_store *s, int rc, const char *slot);
int64_t pl_now_ms(void);

/* Append the event's record (and sync per the policy); on failure nothing
 * stays in the journal, or the store is marked broken.  journal.c */
int pl_journal_log(plaudit_ctx *ctx, const plaudit_event *ev);
/* Record kinds: an accepted event; with a reorder window an arrival, an
 * arrival rejected at release (points = code, reason = message), a flush. */
enum { PL_REC_EVENT = 1, PL_REC_ARRIVAL = 2, PL_REC_INVALID = 3, PL_REC_FLUSH = 4 };
int pl_journal_log_kind(plaudit_ctx *ctx, int kind, const plaudit_event *ev);
/* Encode one record into b (appending). */
/* Returns PLAUDIT_OK, or PLAUDIT_ELIMIT (nothing appended) when a field is
 * longer than the record format holds, so that no record is written that
 * recovery could not read back.  Out of memory: b->oom. */
int pl_journal_encode(pl_buf *b, uint64_t seq, const plaudit_event *ev);
int pl_journal_encode_kind(pl_buf *b, uint64_t seq, int kind, const plaudit_event *ev);
/* Largest program document a journal record holds. */
#define PL_JOURNAL_DOC_MAX (16u << 20)

/* Incremental journal reader: feed chunks, get each record. */
typedef int (*pl_jrec_fn)(plaudit_ctx *ctx, uint64_t seq, const plaudit_event *ev, void *ud);
typedef struct pl_jreader {
    plaudit_ctx *ctx;
    pl_jrec_fn fn;
    void *ud;
    pl_buf carry;             /* bytes of a record split across chunks */
    uint64_t pos;             /* stream offset of the first byte not parsed */
    uint64_t total;           /* bytes fed */
    uint64_t good_end;        /* stream offset after the last good record */
    uint64_t records, first_seq, last_seq;
    int kind;                 /* PL_REC_* of the record being delivered */
    int bad;                  /* 0, 1: bad header (rest must be zeros),
                                 2: bad body checksum (must be the end) */
    uint64_t bad_extra;       /* bytes after a bad body record */
    int bad_nonzero;          /* a non-zero byte after a bad header */
    char *strs;               /* decoded strings scratch */
    size_t cap_strs;
} pl_jreader;
void pl_jreader_init(pl_jreader *r, plaudit_ctx *ctx, pl_jrec_fn fn, void *ud);
void pl_jreader_free(pl_jreader *r);
int pl_jreader_feed(pl_jreader *r, const void *data, size_t len);
/* End of stream: *dropped receives the bytes at the end that are not a
 * good record (0 when none), *damaged 1 when they are a whole last record
 * whose checksum fails (else they are a torn record: a prefix, or zeros).
 * Returns 0 or PLAUDIT_ECORRUPT. */
int pl_jreader_finish(pl_jreader *r, uint64_t *dropped, int *damaged);

/* The bytes of p[0..n) that are whole, checksummed records from the
 * start; *rec_len receives the length of the record that begins there
 * when its header is good (0 otherwise).  journal.c */
uint64_t pl_journal_scan(const unsigned char *p, uint64_t n, uint64_t *rec_len);

/* snapshot.c */
uint64_t pl_program_fingerprint(plaudit_ctx *ctx, int *oom);
int pl_snapshot_encode(plaudit_ctx *ctx, uint64_t seq, pl_buf *b);
/* Check the 32-byte header at the start of data[0..len): magic, checksum,
 * version; *total receives the size the whole snapshot must have. */
int pl_snapshot_header(plaudit_ctx *ctx, const void *data, size_t len, uint64_t *total);
#define PL_SNAPSHOT_HDR 32
/* Check a snapshot's header and checksums; *seq, *fingerprint from it. */
int pl_snapshot_check(plaudit_ctx *ctx, const void *data, size_t len, uint64_t *seq, uint64_t *fingerprint);
/* Load a checked snapshot into an empty state (on failure the state is
 * reset to empty). */
int pl_snapshot_load(plaudit_ctx *ctx, const void *data, size_t len);
/* The same into a context of no program (force: adopt the snapshot's
 * program, also the given one), for the old state of a retroactive
 * replay; whether the snapshot carries its program. */
int pl_snapshot_load_as(plaudit_ctx *ctx, const void *data, size_t len, int force);
int pl_snapshot_has_program(const void *data);
/* Back to the state of a context that never saw an event. */
void pl_state_reset(plaudit_ctx *ctx);
void pl_store_free(plaudit_ctx *ctx);

/* Little-endian encoding helpers. */
static inline void pl_le16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static inline void pl_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void pl_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint16_t pl_rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t pl_rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t pl_rd64(const unsigned char *p) { return (uint64_t)pl_rd32(p) | (uint64_t)pl_rd32(p + 4) << 32; }
static inline void pl_put16(pl_buf *b, uint16_t v) { unsigned char x[2]; pl_le16(x, v); pl_buf_put(b, x, 2); }
static inline void pl_put32(pl_buf *b, uint32_t v) { unsigned char x[4]; pl_le32(x, v); pl_buf_put(b, x, 4); }
static inline void pl_put64(pl_buf *b, uint64_t v) { unsigned char x[8]; pl_le64(x, v); pl_buf_put(b, x, 8); }

/* ---- revoke.c: remembered events, ref and revoke (spec section 5) ------ */

/* What a revocable event (action, kudos, award, adjust, redeem with an id
 * or a ref, format 2) did, as much as undoing it needs: 48 bytes, beyond
 * its id (in its pl_key) and its ref (interned, shared by the events that
 * name it).  Period keys are recomputed from ts when needed. */
typedef struct pl_rev {
    int64_t p;                /* net points the event awarded its member
                                 (kudos: the receiver; award: the bonus;
                                 redeem: the cost paid), bonuses excluded */
    pl_key *key;              /* its idempotency key, NULL when it has none */
    uint64_t w;               /* ts (bits 0-37), type (38-41), PL_RV_* */
    uint32_t member;          /* index of its member (kudos: the giver) */
    uint32_t other;           /* action / badge / reward index; kudos:
                                 the receiver's member index */
    uint32_t team;            /* the member's team then (UINT32_MAX: none) */
    uint32_t ref;             /* interned ref + 1, 0: none */
    uint32_t next;            /* next event with the same ref, UINT32_MAX */
    uint32_t aux;             /* redeem: the stock's generation; other
                                 types: the program generation in force
                                 (prog_gen) when it was applied */
} pl_rev;
#define PL_RV_TS_BITS 38
#define PL_RV_REVOKED (1ull << 42)
#define PL_RV_FORGOTTEN (1ull << 43) /* its key was forgotten (retention) */
#define PL_RV_STOCK (1ull << 44)     /* redeem: took a unit of stock */
static inline int64_t pl_rev_ts(const pl_rev *r) { return (int64_t)(r->w & ((1ull << PL_RV_TS_BITS) - 1)); }
static inline plaudit_event_type pl_rev_type(const pl_rev *r)
{
    return (plaudit_event_type)((r->w >> PL_RV_TS_BITS) & 15u);
}

/* The apply step notes what the event did (only kept when the event has
 * an id or a ref and the program is format 2).  other, p as in pl_rev. */
int pl_revoke_note(plaudit_ctx *ctx, const plaudit_event *ev, const pl_member *m, uint32_t other, int64_t p,
                   uint64_t flags, uint32_t aux);
/* Validation of a revoke: find what it matches, check the members' times. */
int pl_revoke_match(plaudit_ctx *ctx, const plaudit_event *ev);
/* Apply a validated revoke (after the clock moved). */
int pl_revoke_apply(plaudit_ctx *ctx, const plaudit_event *ev);
/* Commit, step 1 (may fail): room for what commit will remember. */
int pl_revoke_reserve(plaudit_ctx *ctx, const plaudit_event *ev);
/* Commit, step 3 (cannot fail): remember the event, mark what a revoke
 * matched as revoked. */
void pl_revoke_commit(plaudit_ctx *ctx, const plaudit_event *ev, pl_key *key);
/* Rollback: drop what the event noted or reserved. */
void pl_revoke_abort(plaudit_ctx *ctx);
/* Retention: key k is being forgotten; then drop what is forgotten. */
void pl_revoke_key_forget(plaudit_ctx *ctx, pl_key *k);
void pl_revoke_prune(plaudit_ctx *ctx);
/* Digest of the remembered events; snapshot section; reset; free. */
int pl_revoke_any(const plaudit_ctx *ctx); /* anything remembered */
uint64_t pl_revoke_digest(const plaudit_ctx *ctx);
void pl_revoke_encode(const plaudit_ctx *ctx, pl_buf *b);
int pl_revoke_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n);
void pl_revoke_reset(plaudit_ctx *ctx);
void pl_revoke_free(plaudit_ctx *ctx);
/* Remembered events and interned refs, and the bytes they hold. */
void pl_revoke_usage(const plaudit_ctx *ctx, uint64_t *events, uint64_t *refs, uint64_t *bytes);

/* A program event replaced the program `old` (its rules) by ctx's: rule
 * indexes of the remembered events follow by id (PL_RV_GONE when the rule
 * is no longer declared: a revoke then only takes the points back), and
 * rewards get their stock generation.  Cannot fail. */
#define PL_RV_GONE UINT32_MAX
void pl_revoke_remap(plaudit_ctx *ctx, const plaudit_ctx *old);

/* Save a reward's stock for rollback (a revoke can refund several). */
int pl_txn_save_stock(plaudit_ctx *ctx, const pl_reward *r);

/* evaluate.c: the member's earned entry of badge b, writable in this
 * transaction (created when missing). */
int pl_earned_entry(plaudit_ctx *ctx, pl_member *m, uint32_t b, int64_t ts, pl_earned **out);

/* ---- format 2 rules ------------------------------------------------------ */

typedef struct pl_campaign {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    int64_t from, until, percent;
    size_t n_actions;         /* 0: every action */
    uint32_t *actions;
} pl_campaign;

/* campaign.c */
pl_campaign *pl_campaign_find(const plaudit_ctx *ctx, const char *id);
/* The points of an occurrence of a (points > 0) at ts under the campaigns. */
int64_t pl_campaign_points(const plaudit_ctx *ctx, const pl_action *a, int64_t ts);
void pl_campaigns_free(plaudit_ctx *ctx);

/* challenge.c: sub-criteria, dated counts, their trackers and triggers */
int pl_badge_v2_check(plaudit_ctx *ctx, const plaudit_badge_def *d);
int pl_badge_v2_init(plaudit_ctx *ctx, pl_badge *g, const plaudit_badge_def *d);
void pl_badge_v2_free(plaudit_ctx *ctx, pl_badge *g);
void pl_badge_v2_sentence(const plaudit_ctx *ctx, const pl_badge *g, pl_buf *b);
int64_t pl_challenge_value(plaudit_ctx *ctx, const pl_member *m, const pl_badge *g, int64_t ts);
/* Seal: number the trackers of sub-criteria and dated counts from n_trk;
 * then (once trk_per exists) index them per action, with the campaigns. */
uint32_t pl_v2_seal_trackers(plaudit_ctx *ctx, uint32_t n_trk);
int pl_v2_seal(plaudit_ctx *ctx);
void pl_v2_unseal(plaudit_ctx *ctx);
/* An occurrence of a at ts: dated counts. m is touched. */
void pl_action_dated(plaudit_ctx *ctx, pl_member *m, const pl_action *a, int64_t ts);
static inline int pl_badge_in_range(const pl_badge *g, int64_t ts)
{
    return (g->from == PLAUDIT_UNSET || ts >= g->from) && (g->until == PLAUDIT_UNSET || ts < g->until);
}

/* team.c */
struct pl_teams;
/* Put m (touched) in team `team` (NULL: none), creating the team. */
int pl_team_join(plaudit_ctx *ctx, pl_member *m, const char *team);
/* Add d to team's score at ts, on each team board whose current period
 * (and season range, unfrozen) holds event_ts (= ts for a new award). */
int pl_team_credit(plaudit_ctx *ctx, int32_t team, int64_t d, int64_t ts, int64_t event_ts);
/* The same for a revoke: only boards that a program event did not start
 * after generation gen (the revoked event's). */
int pl_team_credit_gen(plaudit_ctx *ctx, int32_t team, int64_t d, int64_t ts, int64_t event_ts, uint32_t gen);
const char *pl_team_id(const plaudit_ctx *ctx, int32_t team);
/* " (did you mean \"red\"?)" for the team closest to wrong, or "". */
const char *pl_team_did_you_mean(plaudit_ctx *ctx, const char *wrong);
int32_t pl_team_find(const plaudit_ctx *ctx, const char *id);
const pl_slot *pl_team_slot(const plaudit_ctx *ctx, int32_t team, const pl_board *b);
int pl_teams_setup(plaudit_ctx *ctx);     /* at seal, format 2 */
int pl_team_idcmp(uint32_t a, uint32_t b, void *ud);
int pl_teams_reindex(plaudit_ctx *ctx);   /* after a snapshot load */
/* A program event (program_update.c): lay the teams out again in the new
 * program nx (board_map: new board -> old board kept, or -1), reserving
 * the team boards' index room; after the swap, index them (cannot fail). */
int pl_teams_prepare(plaudit_ctx *ctx, plaudit_ctx *nx, const int32_t *board_map);
void pl_teams_finish(plaudit_ctx *ctx);
void pl_teams_txn_begin(plaudit_ctx *ctx);
void pl_teams_rollback(plaudit_ctx *ctx);
int pl_teams_reserve(plaudit_ctx *ctx);
void pl_teams_commit(plaudit_ctx *ctx);
void pl_teams_free(plaudit_ctx *ctx);
void pl_teams_reset(plaudit_ctx *ctx);
uint64_t pl_teams_digest(const plaudit_ctx *ctx);
void pl_teams_encode(const plaudit_ctx *ctx, pl_buf *b);
int pl_teams_decode(plaudit_ctx *ctx, const unsigned char *p, size_t n, size_t *used);
/* The id shown for an entry of board b (a member or a team). */
const char *pl_board_entry_id(const plaudit_ctx *ctx, const pl_board *b, uint32_t idx);

/* progress_v2.c: benefits, dated ranges and challenge parts in progress */
int pl_progress_v2(plaudit_ctx *ctx, const pl_member *m, plaudit_progress *out, int32_t tier, int64_t ts);

/* season.c */
static inline int pl_board_closes(const pl_board *b, const uint32_t *K, int64_t ts)
{
    if (b->frozen) return 0;
    return K[b->period] != b->cur || (b->until != PLAUDIT_UNSET && ts >= b->until);
}
/* After a close: move the board on to the clock's period, or freeze it. */
static inline void pl_board_move(pl_board *b, const uint32_t *K, int64_t ts)
{
    if (b->frozen) return;
    if (b->until != PLAUDIT_UNSET && ts >= b->until) b->frozen = 1;
    else b->cur = K[b->period];
}
/* "1 to 7 June 2026 (Europe/Amsterdam)", "from 1 June 2026 (UTC)": the
 * local dates of [from, until), either end PLAUDIT_UNSET for open. */
void pl_dates_phrase(const plaudit_ctx *ctx, int64_t from, int64_t until, pl_buf *b);
/* Whether the period of board b that holds `old` (closing as the clock
 * moves to ts) holds an instant of dated badge g's range.  Refills the
 * period cache for ts. */
int pl_close_in_range(plaudit_ctx *ctx, const pl_badge *g, const pl_board *b, int64_t old, int64_t ts);

#endif
