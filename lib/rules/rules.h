/* rules.h - the program's rules as the engine holds them: actions, tiers,
 * segments, leaderboards, badges, rewards and kudos (internal; included by
 * internal.h, never on its own). */
#ifndef PL_RULES_H
#define PL_RULES_H

typedef struct pl_action {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    int64_t points;
    int once;
    int64_t cooldown_s;
    int64_t cap_points, cap_count;
    plaudit_period cap_per;
    /* layout, computed at seal */
    int32_t cd_slot;          /* index into the cooldown array, or -1 */
    int32_t cap_trk;          /* tracker of the cap, or -1 */
    uint32_t n_within, n_streak;
    uint32_t *within_trk;     /* trackers counting per (action, period) */
    uint32_t *streak_trk;     /* trackers of streaks per (action, per) */
    uint32_t n_seg;           /* segments weighting this action */
    /* format 2 (campaign.c, challenge.c): set at seal */
    uint32_t n_camp, n_dated;
    uint32_t *camp;           /* campaigns that list this action */
    struct pl_dated {         /* dated-badge counts of this action */
        int64_t from, until;
        uint32_t trk;
    } *dated;
    int has_v2;               /* n_camp || n_dated */
} pl_action;

typedef struct pl_tier {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    int64_t min_points, min_distinct, min_tenure_days;
    int lifetime;
    plaudit_period window;
    int32_t trk;              /* window tiers: net-points tracker */
    size_t n_benefits;        /* format 2: display strings */
    char **benefits;
} pl_tier;

typedef struct pl_segment {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    size_t n;
    uint32_t *actions;
    int64_t *weights;
} pl_segment;

typedef struct pl_board {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    plaudit_period period;
    int32_t segment;          /* -1: every member */
    int64_t size;
    /* runtime */
    pl_rank *rank;
    uint32_t cur;             /* current period key; 0 before the clock */
    uint32_t n_badges;        /* leaderboard badges on this board */
    uint32_t *badges;
    /* format 2 (team.c, season.c) */
    int by_team;
    uint32_t team_slot;       /* team boards: index into a team's slots */
    int64_t from, until;      /* a season, PLAUDIT_UNSET otherwise */
    int frozen;               /* a season past its until */
    int frozen_saved;         /* frozen when the event began (rollback) */
    uint32_t gen;             /* the program generation that started its
                                 scores (0: the first program; revoke.c) */
} pl_board;

typedef struct pl_badge {
    UT_hash_handle hh;
    char *id, *name, *description, *image, *criteria;
    char *auto_criteria;      /* sentence written from the criterion */
    uint32_t idx;
    plaudit_criterion kind;
    int32_t action;           /* ACTION_* */
    plaudit_period within;    /* ACTION_COUNT */
    plaudit_period per;       /* ACTION_STREAK */
    uint32_t n_thr;
    int64_t *thr;
    int32_t tier;             /* TIER */
    int32_t board;            /* LEADERBOARD */
    int64_t top;
    int64_t bonus;
    int hidden, repeatable;
    int32_t trk;              /* within / streak tracker, or -1 */
    int retired;              /* no longer declared, kept for members who
                                 earned it (program_update.c): never
                                 evaluated, listed or awarded */
    /* format 2 (challenge.c) */
    int64_t from, until;      /* a dated badge, PLAUDIT_UNSET when open */
    int dated;
    int32_t dtrk;             /* dated action count tracker, or -1 */
    uint32_t n_sub;           /* challenge: its sub-criteria, as badges */
    struct pl_badge *sub;
    uint32_t chal;            /* challenge: its ordinal (synthetic trigger) */
} pl_badge;

typedef struct pl_reward {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
    int64_t cost;
    int64_t stock0;           /* declared stock, PLAUDIT_UNSET: unlimited */
    int64_t stock;            /* left */
    uint32_t stock_gen;       /* changes when the stock becomes a new one
                                 (a revoke refunds only the same stock) */
} pl_reward;

typedef struct pl_kudos {
    int declared;
    int64_t points, cap_points, cap_count;
    plaudit_period cap_per;
    int64_t give_cap;
    plaudit_period give_per;
    int32_t recv_trk, give_trk;
} pl_kudos;

#endif
