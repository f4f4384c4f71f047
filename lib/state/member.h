/* member.h - one member's state: the fixed header (pl_mstate), the
 * program-shaped tail of counters, period trackers and leaderboard slots,
 * its layout, and the accessors that read and write it (internal; included
 * by internal.h, never on its own). */
#ifndef PL_MEMBER_H
#define PL_MEMBER_H

/* A period tracker: a counter that is 0 outside `period`.  Uses: action and
 * kudos caps (aux = earning occurrences, value = points earned), counts
 * within a period (aux), streaks (period = last period with an occurrence,
 * aux = length), kudos give caps (aux), qualification windows (value = net
 * points in `period`, aux = key of the last period qualified in). */
typedef struct pl_trk {
    uint32_t period;
    uint32_t aux;
    int64_t value;
} pl_trk;

/* A member's place on one board. */
typedef struct pl_slot {
    int64_t score;
    int64_t ts;               /* last change of the score */
    uint32_t period;          /* key the score belongs to */
    uint32_t ranked;          /* 1 when in the board's index */
} pl_slot;

/* A badge a member earned.  `at` keeps when each level (levelled badges)
 * or each time (repeatable, leaderboard and manual badges) was earned, for
 * credentials: at[i] is level / time i + 1.  It is allocated only from the
 * second level / time on (until then first_ts says it), grows by doubling,
 * and is shared by the copies of the array made by transactions: entries
 * past a copy's n are never read through it, so appending in place is safe
 * and a replaced `at` goes on the transaction's stale list. */
typedef struct pl_earned {
    uint32_t badge;
    uint32_t n;               /* level, or times for repeatable kinds */
    uint32_t period;          /* repeatable: key of the last period earned */
    uint32_t cap_at;          /* capacity of at[] */
    int64_t first_ts, last_ts;
    int64_t *at;              /* NULL while n <= 1 */
} pl_earned;

/* When level / time k (1-based, 1..e->n) of an earned badge was earned. */
static inline int64_t pl_earned_at(const pl_earned *e, uint32_t k)
{
    return k <= 1 || !e->at ? e->first_ts : e->at[k - 1];
}

/* The fixed part of a member's state; the program-shaped tail follows.
 * The fields a tick writes come first: a tick saves only those
 * (PL_MSTATE_TICK bytes) for its undo, and any other write in a tick goes
 * through pl_touch, which completes the save first (evaluate.c). */
typedef struct pl_mstate {
    pl_earned *badges;
    uint32_t n_badges, cap_badges;
    int32_t tier, lifetime_tier;
    uint32_t flags;           /* PL_MF_* */
    uint32_t lifetime_set;    /* format 2: bit i: lifetime tier i (i < 32)
                                 whose criteria ever held, for the floor a
                                 program event keeps (program_update.c) */
    /* the rest: a tick does not write it without pl_touch */
    int64_t joined, last_ts, points, balance;
    int64_t pts_ts;           /* when points last changed (joined before):
                                 the tie order of a board of period all
                                 that a program event adds */
    uint64_t kudos_given, kudos_received;
    int32_t segment, pin;
    uint32_t distinct;
    int32_t team;             /* format 2: team index, -1: none (team.c) */
} pl_mstate;
#define PL_MSTATE_TICK offsetof(pl_mstate, joined)
#define PL_MF_OPTED_OUT 1u
#define PL_MF_PINNED 2u
/* The program changed since the member's last evaluation: the next one
 * evaluates every badge (the skip lists of evaluate.c assume a fixed point
 * under the program in force). */
#define PL_MF_REEVAL 4u
#define PL_MF_ALL (PL_MF_OPTED_OUT | PL_MF_PINNED | PL_MF_REEVAL)

typedef struct pl_member {
    UT_hash_handle hh;        /* the member index by id (uthash) */
    char *tail;               /* the program-shaped tail (its own allocation,
                                 ctx->lay.tail_size bytes), NULL while it
                                 equals the template ctx->tail0; next to
                                 hh.hashv, in the line a lookup reads */
    const char *id;           /* points into this allocation */
    uint16_t idlen;           /* <= PL_MEMBER_ID_MAX */
    uint16_t held;            /* leaderboard updates held (board_updates.c) */
    uint32_t idx;
    uint32_t mark;            /* txn serial when last snapshotted */
    uint32_t bmark;           /* txn serial when its badge array was copied */
    pl_mstate st;             /* snapshot region starts here */
} pl_member;

/* Offsets into a member's tail, computed at seal.  The tail holds only
 * integers; the padding after the counts is zero (the template's). */
typedef struct pl_layout {
    size_t off_counts;        /* uint32_t[n_actions], at 0 */
    size_t off_cd;            /* int64_t[n_cd] */
    size_t off_trk;           /* pl_trk[n_trk] */
    size_t off_slots;         /* pl_slot[n_boards] */
    size_t tail_size;         /* the end of the tail */
    uint32_t n_cd, n_trk;
} pl_layout;

/* Accessors of a member's tail (c the context, m the member).  The write
 * ones (PL_COUNTS, PL_CD, PL_TRK, PL_SLOTS) need the member touched with
 * pl_touch in this transaction, which gives it a tail of its own (the
 * assert catches a write that would land in the shared template); the read
 * ones (PL_C*) read the template for a member without a tail. */
#define PL_COUNTS(c, m) ((uint32_t *)(void *)(pl_wtail(m) + (c)->lay.off_counts))
#define PL_CD(c, m) ((int64_t *)(void *)(pl_wtail(m) + (c)->lay.off_cd))
#define PL_TRK(c, m) ((pl_trk *)(void *)(pl_wtail(m) + (c)->lay.off_trk))
#define PL_SLOTS(c, m) ((pl_slot *)(void *)(pl_wtail(m) + (c)->lay.off_slots))
#define PL_CCOUNTS(c, m) ((const uint32_t *)(const void *)(pl_ctail((c), (m)) + (c)->lay.off_counts))
#define PL_CCD(c, m) ((const int64_t *)(const void *)(pl_ctail((c), (m)) + (c)->lay.off_cd))
#define PL_CTRK(c, m) ((const pl_trk *)(const void *)(pl_ctail((c), (m)) + (c)->lay.off_trk))
#define PL_CSLOTS(c, m) ((const pl_slot *)(const void *)(pl_ctail((c), (m)) + (c)->lay.off_slots))
static inline char *pl_wtail(const pl_member *m)
{
    assert(m->tail && "a tail write without pl_touch");
    return m->tail;
}

#endif
