/*
 * plaudit.h - the public API of libplaudit, an embeddable recognition and
 * gamification engine (points, tiers, badges, leaderboards, kudos, rewards).
 *
 * The semantics are those of "Plaudit program and event formats, version 2"
 * (docs/program-format.md); this header documents the C binding of it.  A
 * context runs a program of format 1 or 2 (plaudit_program_set_format): a
 * format 1 program behaves exactly as version 1 of the formats said, and
 * everything marked "format 2" below is unknown to it.
 *
 * CONVENTIONS
 *  - Calls that can fail return int: PLAUDIT_OK (0) or a negative
 *    plaudit_error code.  plaudit_strerror() gives the fixed text of a code,
 *    plaudit_errmsg() the detail of the last failure on a context.  Event
 *    calls may also return the positive PLAUDIT_DUPLICATE.
 *  - Out parameters come first after the context.
 *  - Strings passed in are UTF-8, NUL-terminated, and only read during the
 *    call: the context copies what it keeps.
 *  - Strings and arrays returned through `const` pointers are owned by the
 *    context.  Unless a comment says otherwise they stay valid until the next
 *    call that changes the context (a declaration, an event, a store call) or
 *    until the next query that returns the same kind of array, whichever
 *    comes first.  Rule ids and member ids returned by the context stay valid
 *    until plaudit_ctx_free or the next accepted program event
 *    (plaudit_program_update, or a PLAUDIT_EVENT_PROGRAM event), whichever
 *    comes first: a program event replaces the rules and lays every member
 *    out anew, so copy the ids you keep across one.
 *  - Memory returned through `char **` / `void **` is allocated with the
 *    context's allocator and released with plaudit_free(ctx, ptr).
 *  - *_free(NULL) does nothing.
 *
 * THREAD MODEL
 *  A context is used by one thread at a time: calls on the same context must
 *  not overlap (guard it with your own mutex if several threads share it).
 *  Separate contexts are fully independent and may be used from different
 *  threads at once: the library has no global mutable state, never calls
 *  setlocale()/tzset() and never reads the TZ environment variable.
 *  Listener and store callbacks run on the thread that made the call.
 *  Two calls are the exception, with PLAUDIT_SYNC_GROUP and the file store:
 *  plaudit_store_wait_durable and plaudit_store_durable_seq may run on any
 *  thread while another makes calls on the context.  The file store then
 *  runs a thread of its own (its sync thread), which touches no state of
 *  the context.
 *
 * ERRORS AND ATOMICITY
 *  A call that fails changes nothing: the state digest (plaudit_state_digest)
 *  is exactly what it was before.  This holds for allocation failures too:
 *  every event is applied as a transaction that is rolled back on failure.
 *  The only counters that a rejected call changes are the diagnostic
 *  statistics (plaudit_stats), which the digest leaves out by design.
 */
#ifndef PLAUDIT_H
#define PLAUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "plaudit/export.h"
#include "plaudit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

#define PLAUDIT_VERSION_MAJOR 2
#define PLAUDIT_VERSION_MINOR 0
#define PLAUDIT_VERSION_PATCH 0
#define PLAUDIT_VERSION_STRING "2.0.0"
/* major * 10000 + minor * 100 + patch */
#define PLAUDIT_VERSION_NUMBER 20000

/* The library's version as "MAJOR.MINOR.PATCH".  Static storage. */
PLAUDIT_EXPORT const char *plaudit_version(void);
/* The library's version as MAJOR * 10000 + MINOR * 100 + PATCH, for a
 * run-time check against PLAUDIT_VERSION_NUMBER. */
PLAUDIT_EXPORT int plaudit_version_number(void);

/* ------------------------------------------------------------------------ */
/* Error codes                                                               */
/* ------------------------------------------------------------------------ */

/* Codes are only ever added to, never renumbered. */
typedef enum plaudit_error {
    PLAUDIT_OK = 0,
    PLAUDIT_EINVAL = -1,     /* invalid argument: NULL, bad value, wrong kind */
    PLAUDIT_ENOMEM = -2,     /* an allocation failed; nothing changed */
    PLAUDIT_ENOTFOUND = -3,  /* unknown id (rule, member, zone) */
    PLAUDIT_EEXIST = -4,     /* duplicate id, or the member already exists */
    PLAUDIT_ERANGE = -5,     /* value out of range */
    PLAUDIT_EUTF8 = -6,      /* text that is not valid UTF-8 */
    PLAUDIT_ESTRING = -7,    /* empty/over-long string, control characters,
                                characters not allowed in an id */
    PLAUDIT_ETIME = -8,      /* time went backwards */
    PLAUDIT_ECONFLICT = -9,  /* idempotency key reused with other content */
    PLAUDIT_ELIMIT = -10,    /* a give cap or a configured limit was hit */
    PLAUDIT_EFUNDS = -11,    /* balance below the reward's cost */
    PLAUDIT_ESTOCK = -12,    /* reward out of stock */
    PLAUDIT_ESELF = -13,     /* kudos to oneself */
    PLAUDIT_EDISABLED = -14, /* feature not declared (kudos without a
                                kudos section) */
    PLAUDIT_ESTATE = -15,    /* call not allowed now: declaring after the
                                first event, mutating from a listener */
    PLAUDIT_EUSER = -16,     /* reserved for callbacks: a store callback
                                failed (the message is kept on the ctx) */
    PLAUDIT_EIO = -17,       /* an operating-system I/O call failed */
    PLAUDIT_ECORRUPT = -18,  /* stored data failed its checks */
    PLAUDIT_EVERSION = -19,  /* unknown struct or format version */
    PLAUDIT_EPARSE = -20,    /* malformed JSON / event line */
    PLAUDIT_ELOCKED = -21,   /* the store is locked by another process */
    PLAUDIT_EUNSUPPORTED = -22, /* built without the needed feature */
    PLAUDIT_EHISTORY = -23   /* a retroactive replay needs journal records
                                that compaction dropped */
} plaudit_error;

/* Returned (positive) by event calls for a duplicate idempotency key. */
#define PLAUDIT_DUPLICATE 1
/* Returned (positive) by event calls when the event is held by the reorder
 * window (format 2, plaudit_program_set_reorder_window): neither accepted
 * nor rejected yet; its outcome comes when it is released. */
#define PLAUDIT_HELD 2

/* Fixed English text for a code (static storage, never NULL). */
PLAUDIT_EXPORT const char *plaudit_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct plaudit_ctx plaudit_ctx;

/* Allocator hooks.  All three are given, or none (then malloc/realloc/free
 * are used).  Every byte the context holds goes through them, including
 * uthash tables and time-zone data.  The hooks are called on the thread of
 * the calling API function.  realloc(NULL, n) must behave as malloc(n);
 * malloc may return NULL, which the context reports as PLAUDIT_ENOMEM. */
typedef struct plaudit_allocator {
    void *(*malloc)(size_t size, void *payload);
    void *(*realloc)(void *ptr, size_t size, void *payload);
    void (*free)(void *ptr, void *payload);
    void *payload;
} plaudit_allocator;

#define PLAUDIT_OPTIONS_VERSION 4

/* Options for plaudit_ctx_new.  Start from PLAUDIT_OPTIONS_INIT, then set
 * fields; the version field lets the library reject a struct from a newer
 * header.  Fields added later are appended at the end.  Versions 1 (the
 * struct up to max_members), 2 (up to max_rules) and 3 (up to
 * max_member_bytes) are still accepted: the library then reads only those
 * fields and uses the defaults for the rest. */
typedef struct plaudit_options {
    unsigned version;
    plaudit_allocator allocator;
    /* Directory of the system time-zone database (TZif files).  NULL: the
     * usual places (/usr/share/zoneinfo, /usr/lib/zoneinfo,
     * /usr/share/lib/zoneinfo).  The TZDIR environment variable is not read
     * (no global state); pass getenv("TZDIR") here if you want it. Copied. */
    const char *tzdir;
    /* Forget idempotency keys accepted when the clock was more than this
     * many seconds ago.  0 keeps every key (the spec's default guarantee).
     * Forgetting trades the duplicate guarantee for memory.  Format 2:
     * what a revoke needs to know about an event (see
     * plaudit_record_revoke) is forgotten with its key; an event with a
     * ref and no id is forgotten once the clock is more than this many
     * seconds past its ts.  A forgotten event can no longer be revoked. */
    int64_t idempotency_retention_s;
    /* Upper bound on the number of members (0 = unlimited); an event that
     * would create one more is rejected with PLAUDIT_ELIMIT. */
    uint64_t max_members;

    /* Version 2: limits on untrusted input.  0 means the default shown.
     * Input past a limit is rejected with PLAUDIT_ELIMIT before it is
     * parsed, and changes nothing. */
    /* Longest event line for plaudit_event_parse / plaudit_record_json, in
     * bytes, line end included (default 65536; a valid event needs under
     * 1 KB).  Parsing a line peaks at most about 70 times its size. */
    size_t max_line_bytes;
    /* Largest program document for plaudit_program_load_json / _file, in
     * bytes (default 4 MiB, room for tens of thousands of rules).  It also
     * bounds the loader's memory: parsing (jansson) peaks at about 9 times
     * the size for a typical program, and at most about 77 times for a
     * hostile document made only of empty objects (4 MiB: about 320 MB). */
    size_t max_program_bytes;
    /* Deepest nesting of JSON arrays and objects accepted in a program
     * document or an event line (default 32; a program needs 5, an event
     * line 1).  Checked before parsing, so the parser's recursion is
     * bounded by it. */
    unsigned max_json_depth;
    /* Most rules of each kind (actions, tiers, ...) and weights per
     * segment (default and maximum 65535). */
    unsigned max_rules;

    /* Version 3: what a program may cost.  Largest fixed state a member
     * may need, in bytes (default 64 KiB; 0 means the default): its
     * counters, period trackers and leaderboard slots, which every member
     * carries and every event may touch.  A program needing more fails to
     * load (or seal, for one declared rule by rule) with PLAUDIT_ELIMIT
     * and a message giving the size; plaudit_program_member_bytes tells
     * what a program needs (the benchmark's reference program, 22 actions,
     * 5 tiers, 31 badges, 4 leaderboards: 616 bytes; the default holds
     * about 2,700 leaderboards or 16,000 actions). */
    size_t max_member_bytes;

    /* Version 4: the points history (see POINTS HISTORY): how many of its
     * most recent entries each member keeps.  0 (the default): no history
     * is kept; PLAUDIT_HISTORY_ALL: every entry. */
    size_t history_per_member;
} plaudit_options;

/* history_per_member: keep every entry. */
#define PLAUDIT_HISTORY_ALL SIZE_MAX

#define PLAUDIT_DEFAULT_MAX_LINE_BYTES 65536u
#define PLAUDIT_DEFAULT_MAX_PROGRAM_BYTES (4u << 20)
#define PLAUDIT_DEFAULT_MAX_JSON_DEPTH 32u
#define PLAUDIT_DEFAULT_MAX_RULES 65535u
#define PLAUDIT_DEFAULT_MAX_MEMBER_BYTES (64u << 10)

#define PLAUDIT_OPTIONS_INIT { PLAUDIT_OPTIONS_VERSION, { NULL, NULL, NULL, NULL }, NULL, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Create a context.  opts may be NULL for the defaults.
 * On success *out owns a new context, freed with plaudit_ctx_free.
 * Errors: PLAUDIT_EINVAL (out NULL, partial allocator), PLAUDIT_EVERSION
 * (version not 1 to 4), PLAUDIT_ERANGE (negative retention, max_rules
 * above 65535), PLAUDIT_ENOMEM.  On error *out is set to NULL. */
PLAUDIT_EXPORT int plaudit_ctx_new(plaudit_ctx **out, const plaudit_options *opts);

/* Free a context and everything it owns.  NULL does nothing. */
PLAUDIT_EXPORT void plaudit_ctx_free(plaudit_ctx *ctx);

/* Detail of the last failure on ctx ("" when the last call succeeded).
 * Owned by ctx; valid until the next call on ctx.  NULL ctx gives a fixed
 * text. */
PLAUDIT_EXPORT const char *plaudit_errmsg(const plaudit_ctx *ctx);

/* Code of the last failure on ctx (PLAUDIT_OK when the last call succeeded). */
PLAUDIT_EXPORT int plaudit_errcode(const plaudit_ctx *ctx);

/* Free memory that the library returned through a `char **` or `void **`
 * out parameter.  It must come from the same context.  NULL does nothing. */
PLAUDIT_EXPORT void plaudit_free(plaudit_ctx *ctx, void *ptr);

/* ------------------------------------------------------------------------ */
/* Declaring a program                                                       */
/* ------------------------------------------------------------------------ */
/*
 * A program is declared rule by rule.  Each declaration is validated at once
 * (ids, ranges, references to rules declared earlier) and either fully added
 * or rejected with nothing added; the error message names the item.  Rules
 * reference only rules declared before them, so declare in this order:
 * actions, tiers, segments, leaderboards, badges, kudos, rewards (the JSON
 * loader does this for you).  The program is sealed by the first event:
 * declaring afterwards fails with PLAUDIT_ESTATE.
 *
 * Limits: ids are 1-64 bytes of [a-z0-9._-] starting with a letter or digit,
 * unique per kind; `name` up to 256 bytes; `description` up to 2048 bytes;
 * badge `image` and `criteria` up to 2048 bytes; rule values within +-10^9;
 * caps, bonus, cost, stock and thresholds not negative; a badge has at most
 * PLAUDIT_MAX_LEVELS thresholds; a program has at most 65535 rules of each
 * kind (fewer when the context's max_rules option says so).  All strings
 * are copied.
 */

#define PLAUDIT_MAX_LEVELS 64
#define PLAUDIT_MAX_VALUE 1000000000LL
/* Largest accepted timestamp: 2^37 (the year 6325). */
#define PLAUDIT_MAX_TS 137438953472LL
/* Marks an unset optional value (caps, stock). */
#define PLAUDIT_UNSET (-1)

typedef enum plaudit_period {
    PLAUDIT_PERIOD_NONE = 0, /* unset */
    PLAUDIT_PERIOD_DAY,
    PLAUDIT_PERIOD_WEEK,     /* ISO week, Monday 00:00 local */
    PLAUDIT_PERIOD_MONTH,
    PLAUDIT_PERIOD_QUARTER,
    PLAUDIT_PERIOD_YEAR,
    PLAUDIT_PERIOD_ALL       /* never rolls over */
} plaudit_period;

/* "day", "week", ... for a period; NULL for PLAUDIT_PERIOD_NONE. */
PLAUDIT_EXPORT const char *plaudit_period_name(plaudit_period p);
/* Parse a period name; PLAUDIT_PERIOD_NONE when unknown. */
PLAUDIT_EXPORT plaudit_period plaudit_period_parse(const char *name);

/* The format of the program: 1 ("plaudit.program/1", the default) or 2
 * ("plaudit.program/2").  Format 2 enables the rules and event types new in
 * version 2 of the formats (ref and revoke, teams, challenges, campaigns,
 * seasons, dated badges, tier benefits, the reorder window, program
 * events) and makes the state document "plaudit.state/2".  Set it before
 * declaring rules that need it (declaring one with format 1 fails with
 * PLAUDIT_EVERSION); lowering the format of a program that uses format 2
 * rules fails the same way.  PLAUDIT_ERANGE for another value,
 * PLAUDIT_ESTATE once sealed.  The JSON loader sets it from "format". */
PLAUDIT_EXPORT int plaudit_program_set_format(plaudit_ctx *ctx, int format);

/* Program name (display only).  Copied. */
PLAUDIT_EXPORT int plaudit_program_set_name(plaudit_ctx *ctx, const char *name);

/* Local time as a fixed offset from UTC, in minutes (-1439..1439).  Replaces
 * a time zone set earlier. Default: 0 (UTC). */
PLAUDIT_EXPORT int plaudit_program_set_utc_offset(plaudit_ctx *ctx, int minutes);

/* Local time from an IANA zone ("Europe/Amsterdam"), read now from the
 * system's time-zone database (TZif, daylight saving and the footer rule for
 * instants past the last transition included).  PLAUDIT_ENOTFOUND when the
 * database lacks the zone, PLAUDIT_ECORRUPT when its file is invalid. */
PLAUDIT_EXPORT int plaudit_program_set_timezone(plaudit_ctx *ctx, const char *zone);

/* Format 2: the reorder window W in seconds (0..86400; default 0, no
 * window), the program's "reorder_window_s" (spec section 6).  With W > 0
 * every event with a valid ts is held on arrival, and released, in order
 * of ts and then of arrival, once an arrival lifts the highest ts seen (H)
 * to at least its ts + W; see REORDER WINDOW below.  PLAUDIT_ERANGE out of
 * range, PLAUDIT_EVERSION with a format 1 program, PLAUDIT_ESTATE once
 * sealed. */
PLAUDIT_EXPORT int plaudit_program_set_reorder_window(plaudit_ctx *ctx, int64_t seconds);

#define PLAUDIT_ACTION_DEF_VERSION 1
/* An action: a kind of contribution that earns points. */
typedef struct plaudit_action_def {
    unsigned version;
    const char *id;          /* required */
    const char *name;        /* optional display text */
    const char *description; /* optional display text */
    int64_t points;          /* awarded per occurrence, before the limits */
    int once;                /* only the first occurrence earns points */
    int64_t cooldown_s;      /* 0: none; else seconds after the last earning
                                occurrence during which occurrences earn 0 */
    int64_t cap_points;      /* PLAUDIT_UNSET or the points cap per cap_per */
    int64_t cap_count;       /* PLAUDIT_UNSET or the earning-occurrence cap */
    plaudit_period cap_per;  /* required when a cap is set */
} plaudit_action_def;
#define PLAUDIT_ACTION_DEF_INIT \
    { PLAUDIT_ACTION_DEF_VERSION, NULL, NULL, NULL, 0, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE }
PLAUDIT_EXPORT int plaudit_action_declare(plaudit_ctx *ctx, const plaudit_action_def *def);

#define PLAUDIT_TIER_DEF_VERSION 2
/* A tier.  Declare from lowest to highest.  Version 1 (the struct up to
 * window) is still accepted: the library then reads only those fields. */
typedef struct plaudit_tier_def {
    unsigned version;
    const char *id;
    const char *name;
    const char *description;
    int64_t min_points;           /* with a window: net points in one period */
    int64_t min_distinct_actions;
    int64_t min_tenure_days;
    int lifetime;                 /* once held, never lost */
    plaudit_period window;        /* NONE, or a qualification tier's period */
    /* Version 2 (format 2 programs): what the tier gives, display only
     * (returned with a member's progress).  0 to PLAUDIT_MAX_BENEFITS
     * strings of 1 to 256 bytes, copied. */
    size_t n_benefits;
    const char *const *benefits;
} plaudit_tier_def;
#define PLAUDIT_MAX_BENEFITS 16
#define PLAUDIT_TIER_DEF_INIT \
    { PLAUDIT_TIER_DEF_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, PLAUDIT_PERIOD_NONE, 0, NULL }
PLAUDIT_EXPORT int plaudit_tier_declare(plaudit_ctx *ctx, const plaudit_tier_def *def);

#define PLAUDIT_SEGMENT_DEF_VERSION 1
/* A motivation segment: affinity = sum of weight x occurrences. */
typedef struct plaudit_segment_def {
    unsigned version;
    const char *id;
    const char *name;
    const char *description;
    size_t n_weights;
    const char *const *actions; /* n_weights declared action ids, distinct */
    const int64_t *weights;     /* n_weights positive weights */
} plaudit_segment_def;
#define PLAUDIT_SEGMENT_DEF_INIT { PLAUDIT_SEGMENT_DEF_VERSION, NULL, NULL, NULL, 0, NULL, NULL }
PLAUDIT_EXPORT int plaudit_segment_declare(plaudit_ctx *ctx, const plaudit_segment_def *def);

/* What a leaderboard ranks (format 2: teams). */
typedef enum plaudit_board_by {
    PLAUDIT_BY_MEMBER = 0,
    PLAUDIT_BY_TEAM          /* teams: the points their members earned while
                                in them (see TEAMS below) */
} plaudit_board_by;

#define PLAUDIT_LEADERBOARD_DEF_VERSION 2
/* Version 1 (the struct up to size) is still accepted. */
typedef struct plaudit_leaderboard_def {
    unsigned version;
    const char *id;
    const char *name;
    const char *description;
    plaudit_period period;   /* required */
    const char *segment;     /* NULL, or only members of this segment */
    int64_t size;            /* entries listed in the state document */
    /* Version 2 (format 2 programs): */
    plaudit_board_by by;     /* BY_TEAM: a team board (no segment, and no
                                leaderboard badge may name it) */
    /* A season: both PLAUDIT_UNSET, or both set with from < until.  The
     * board counts only points awarded at from <= ts < until (a period
     * `all` season does not follow `points`); when the clock reaches until
     * its current period closes like any close (leaderboard badges are
     * given) and the board is frozen: its last standings stay and answer
     * the rank queries. */
    int64_t from, until;
} plaudit_leaderboard_def;
#define PLAUDIT_LEADERBOARD_DEF_INIT \
    { PLAUDIT_LEADERBOARD_DEF_VERSION, NULL, NULL, NULL, PLAUDIT_PERIOD_NONE, NULL, 10, PLAUDIT_BY_MEMBER, \
      PLAUDIT_UNSET, PLAUDIT_UNSET }
PLAUDIT_EXPORT int plaudit_leaderboard_declare(plaudit_ctx *ctx, const plaudit_leaderboard_def *def);

/* What a badge's `when` holds. */
typedef enum plaudit_criterion {
    PLAUDIT_CRITERION_MANUAL = 0,      /* no `when`: given by award events */
    PLAUDIT_CRITERION_ACTION_COUNT,    /* action, thresholds, within (opt.) */
    PLAUDIT_CRITERION_ACTION_STREAK,   /* action, thresholds, per */
    PLAUDIT_CRITERION_DISTINCT_ACTIONS,
    PLAUDIT_CRITERION_POINTS,
    PLAUDIT_CRITERION_TENURE_DAYS,
    PLAUDIT_CRITERION_KUDOS_RECEIVED,
    PLAUDIT_CRITERION_KUDOS_GIVEN,
    PLAUDIT_CRITERION_TIER,            /* tier */
    PLAUDIT_CRITERION_LEADERBOARD,     /* leaderboard, top */
    PLAUDIT_CRITERION_ALL              /* format 2: a challenge, every one of
                                          n_all sub-criteria (badge def v2) */
} plaudit_criterion;

/* One criterion of a challenge (PLAUDIT_CRITERION_ALL): any criterion
 * kind but MANUAL, LEADERBOARD and ALL, with a single threshold.  A TIER
 * criterion reads `tier` and ignores threshold. */
typedef struct plaudit_criterion_def {
    plaudit_criterion criterion;
    const char *action;      /* ACTION_COUNT / ACTION_STREAK */
    plaudit_period within;   /* ACTION_COUNT: NONE = all time */
    plaudit_period per;      /* ACTION_STREAK */
    int64_t threshold;
    const char *tier;        /* TIER */
} plaudit_criterion_def;
#define PLAUDIT_CRITERION_DEF_INIT \
    { PLAUDIT_CRITERION_MANUAL, NULL, PLAUDIT_PERIOD_NONE, PLAUDIT_PERIOD_NONE, 0, NULL }
#define PLAUDIT_MAX_ALL 16

#define PLAUDIT_BADGE_DEF_VERSION 2
/* Version 1 (the struct up to repeatable) is still accepted. */
typedef struct plaudit_badge_def {
    unsigned version;
    const char *id;
    const char *name;
    const char *description;
    const char *image;       /* URL, display only */
    const char *criteria;    /* how it is earned, display only; NULL: the
                                engine writes one from the criterion */
    plaudit_criterion criterion;
    const char *action;      /* ACTION_COUNT / ACTION_STREAK */
    plaudit_period within;   /* ACTION_COUNT: NONE = all time */
    plaudit_period per;      /* ACTION_STREAK: day, week or month */
    size_t n_thresholds;     /* 1..PLAUDIT_MAX_LEVELS for threshold kinds */
    const int64_t *thresholds; /* strictly ascending; level i = i-th value */
    const char *tier;        /* TIER */
    const char *leaderboard; /* LEADERBOARD */
    int64_t top;             /* LEADERBOARD: first N at a period close */
    int64_t bonus;           /* points paid at each level unlock / award */
    int hidden;              /* not shown in progress until earned */
    int repeatable;          /* only with within and one threshold; a
                                challenge: when one sub-criterion is an
                                action count with within and every within
                                is the same period */
    /* Version 2 (format 2 programs): */
    /* A dated badge: from and/or until (PLAUDIT_UNSET: open), from < until.
     * It is evaluated only at from <= ts < until; inside it an action count
     * without within (alone or in a challenge) counts only the occurrences
     * in that range; a manual badge's awards must fall in it; a leaderboard
     * badge is given at a close of a period that holds an instant of it. */
    int64_t from, until;
    /* PLAUDIT_CRITERION_ALL: 2 to PLAUDIT_MAX_ALL sub-criteria (copied);
     * action, within, per, thresholds, tier, leaderboard and top of the
     * badge itself stay unset.  A challenge has one level. */
    size_t n_all;
    const plaudit_criterion_def *all;
} plaudit_badge_def;
#define PLAUDIT_BADGE_DEF_INIT \
    { PLAUDIT_BADGE_DEF_VERSION, NULL, NULL, NULL, NULL, NULL, PLAUDIT_CRITERION_MANUAL, NULL, \
      PLAUDIT_PERIOD_NONE, PLAUDIT_PERIOD_NONE, 0, NULL, NULL, NULL, 0, 0, 0, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, NULL }
PLAUDIT_EXPORT int plaudit_badge_declare(plaudit_ctx *ctx, const plaudit_badge_def *def);

#define PLAUDIT_KUDOS_DEF_VERSION 1
/* The kudos section (at most one per program). */
typedef struct plaudit_kudos_def {
    unsigned version;
    int64_t points;          /* the receiver earns this per kudos */
    int64_t cap_points;      /* PLAUDIT_UNSET or receiver's points cap */
    int64_t cap_count;       /* PLAUDIT_UNSET or receiver's count cap */
    plaudit_period cap_per;
    int64_t give_cap_count;  /* PLAUDIT_UNSET or kudos a member may give */
    plaudit_period give_cap_per;
} plaudit_kudos_def;
#define PLAUDIT_KUDOS_DEF_INIT \
    { PLAUDIT_KUDOS_DEF_VERSION, 0, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE }
PLAUDIT_EXPORT int plaudit_kudos_declare(plaudit_ctx *ctx, const plaudit_kudos_def *def);

#define PLAUDIT_REWARD_DEF_VERSION 1
typedef struct plaudit_reward_def {
    unsigned version;
    const char *id;
    const char *name;
    const char *description;
    int64_t cost;
    int64_t stock;           /* PLAUDIT_UNSET: unlimited */
} plaudit_reward_def;
#define PLAUDIT_REWARD_DEF_INIT { PLAUDIT_REWARD_DEF_VERSION, NULL, NULL, NULL, 0, PLAUDIT_UNSET }
PLAUDIT_EXPORT int plaudit_reward_declare(plaudit_ctx *ctx, const plaudit_reward_def *def);

#define PLAUDIT_CAMPAIGN_DEF_VERSION 1
/* A campaign (format 2): from <= ts < until, an occurrence of a listed
 * action whose points are positive earns points * percent / 100 (rounded
 * down) in place of points, before once, cooldown_s and caps are applied.
 * When several campaigns apply the highest percent wins.  Kudos, bonuses
 * and adjustments are not multiplied.  Declare after the actions. */
typedef struct plaudit_campaign_def {
    unsigned version;
    const char *id;          /* rule id, unique among campaigns */
    const char *name;
    const char *description;
    int64_t from, until;     /* required, from < until */
    size_t n_actions;        /* 0: every action */
    const char *const *actions; /* n_actions declared action ids, distinct */
    int64_t percent;         /* 1..1000 */
} plaudit_campaign_def;
#define PLAUDIT_CAMPAIGN_DEF_INIT \
    { PLAUDIT_CAMPAIGN_DEF_VERSION, NULL, NULL, NULL, PLAUDIT_UNSET, PLAUDIT_UNSET, 0, NULL, 0 }
PLAUDIT_EXPORT int plaudit_campaign_declare(plaudit_ctx *ctx, const plaudit_campaign_def *def);

/* Number of declared rules of each kind. */
typedef struct plaudit_program_info {
    const char *name;        /* NULL when unset */
    const char *timezone;    /* NULL when a fixed offset is used */
    int utc_offset_minutes;
    size_t n_actions, n_tiers, n_badges, n_segments, n_leaderboards, n_rewards;
    int has_kudos;
    int sealed;              /* 1 once an event was recorded */
    int format;              /* 1 or 2 (plaudit_program_set_format) */
    size_t n_campaigns;      /* format 2 */
} plaudit_program_info;
/* Fill *out.  Strings owned by ctx, valid for its life. */
PLAUDIT_EXPORT int plaudit_program_info_get(plaudit_ctx *ctx, plaudit_program_info *out);

/* The fixed state the context's program gives every member, in bytes
 * (counters per action, period trackers, leaderboard slots, the member's
 * header; not its id, earned badges or idempotency keys), into *out: what
 * the max_member_bytes option bounds.  Works before and after sealing.
 * Errors: PLAUDIT_EINVAL (out NULL). */
PLAUDIT_EXPORT int plaudit_program_member_bytes(plaudit_ctx *ctx, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum plaudit_event_type {
    PLAUDIT_EVENT_ACTION = 0,
    PLAUDIT_EVENT_JOIN,
    PLAUDIT_EVENT_KUDOS,
    PLAUDIT_EVENT_REDEEM,
    PLAUDIT_EVENT_AWARD,
    PLAUDIT_EVENT_ADJUST,
    PLAUDIT_EVENT_SEGMENT,
    PLAUDIT_EVENT_PREFERENCES,
    PLAUDIT_EVENT_TICK,
    /* Format 2 only (a format 1 program rejects them, PLAUDIT_EVERSION): */
    PLAUDIT_EVENT_REVOKE,    /* undo earlier events (spec section 5) */
    PLAUDIT_EVENT_TEAM,      /* join or leave a team */
    PLAUDIT_EVENT_PROGRAM    /* a new program from ts on (section 7);
                                also accepted, through this struct and
                                plaudit_program_update, while a format 1
                                program is in force (the line reader of a
                                format 1 program does not know it) */
} plaudit_event_type;

/* "action", "join", ... ; NULL for an unknown value. */
PLAUDIT_EXPORT const char *plaudit_event_type_name(plaudit_event_type t);

/* One event, as a plain struct (for plaudit_record and batches).  Fields a
 * type does not use must be NULL / 0: an event with one set is rejected
 * with PLAUDIT_EINVAL ("an action event takes no reason ..."), so every
 * byte of an accepted event is checked and fits its journal record.
 *   type         member  target                points reason ref doc flag
 *   action       req.    action id (req.)        -     -    opt.  -   -
 *   join         req.    -                       -     -     -    -   -
 *   kudos        giver   receiver (req.)         -     -    opt.  -   -
 *   redeem       req.    reward id (req.)        -     -    opt.  -   -
 *   award        req.    badge id (req.)         -     -    opt.  -   -
 *   adjust       req.    -                     req.   opt.  opt.  -   -
 *   segment      req.    segment id (opt.)       -     -     -    -   -
 *   preferences  req.    -                       -     -     -    -  any
 *   tick         -       -                       -     -     -    -   -
 *   revoke       -       event id (opt.)         -    opt.  opt.  -   -
 *   team         req.    team id (opt.)          -     -     -    -   -
 *   program      -       -                       -     -     -  req.  -
 * Start from PLAUDIT_EVENT_INIT (or
 * zero it) so that fields added later are NULL / 0.  The struct grew in
 * library version 2 (ref, document): code built against version 1's header
 * must be rebuilt (the soname changed with it). */
typedef struct plaudit_event {
    plaudit_event_type type;
    int64_t ts;              /* Unix seconds, 0..PLAUDIT_MAX_TS */
    const char *id;          /* optional idempotency key, 1-128 bytes */
    const char *member;      /* action, join, redeem, award, adjust,
                                segment, preferences, team; kudos: the
                                giver */
    const char *target;      /* action id; kudos: receiver; reward id;
                                badge id; segment id (NULL = unpin);
                                team: team id (NULL = leave the team);
                                revoke: the id of the event to revoke
                                (NULL when revoking by ref) */
    int64_t points;          /* adjust */
    const char *reason;      /* adjust and revoke, optional, up to 256
                                bytes */
    int flag;                /* preferences: 1 = show on leaderboards */
    /* Format 2: */
    const char *ref;         /* action, kudos, award, adjust, redeem:
                                optional, the object the event is about
                                (1-128 bytes, no control characters);
                                revoke: the ref to revoke (NULL when
                                revoking by id) */
    const char *document;    /* program: the new program document (JSON
                                text, NUL-terminated) */
} plaudit_event;
#define PLAUDIT_EVENT_INIT { PLAUDIT_EVENT_ACTION, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL }

/* What an event did. */
typedef enum plaudit_status {
    PLAUDIT_ACCEPTED = 0,
    PLAUDIT_DUPLICATE_EVENT = 1,  /* same id, same content: changed nothing */
    PLAUDIT_REJECTED = 2,         /* see code and message; changed nothing */
    PLAUDIT_HELD_EVENT = 3        /* held by the reorder window: not decided
                                     yet (the call returned PLAUDIT_HELD) */
} plaudit_status;

/* A recognition moment: a change a member would like to hear about. */
typedef enum plaudit_moment_kind {
    PLAUDIT_MOMENT_POINTS = 0, /* points awarded (net, non-zero) */
    PLAUDIT_MOMENT_BADGE,      /* badge level unlocked / earned again */
    PLAUDIT_MOMENT_TIER,       /* tier promoted or demoted */
    PLAUDIT_MOMENT_REDEEM,     /* reward redeemed */
    PLAUDIT_MOMENT_KUDOS,      /* kudos given */
    PLAUDIT_MOMENT_REVOKE      /* format 2: an earlier event revoked (one
                                  moment per revoked event) */
} plaudit_moment_kind;

/* What a points moment was paid for. */
typedef enum plaudit_source {
    PLAUDIT_SOURCE_ACTION = 0, /* source = action id */
    PLAUDIT_SOURCE_BONUS,      /* source = badge id */
    PLAUDIT_SOURCE_KUDOS,      /* source = giver's member id */
    PLAUDIT_SOURCE_ADJUST,     /* source = reason or NULL */
    PLAUDIT_SOURCE_REVOKE,     /* source = the revoked event's id (NULL when
                                  it had none: see ref) */
    PLAUDIT_SOURCE_REDEEM      /* points history only: source = reward id
                                  (see POINTS HISTORY) */
} plaudit_source;

/* All strings are owned by the context (see CONVENTIONS). */
typedef struct plaudit_moment {
    plaudit_moment_kind kind;
    int64_t ts;              /* stamp of the event that caused it */
    const char *member;      /* who it is about (kudos: the giver) */
    /* POINTS */
    int64_t points;          /* net change of points (after the 0 floor) */
    plaudit_source source;
    const char *source_id;
    /* BADGE */
    const char *badge;
    uint32_t level;          /* levelled badge: level reached (1-based) */
    uint32_t times;          /* repeatable/leaderboard/manual: times earned */
    const char *leaderboard; /* non-NULL when given at a period close */
    /* TIER */
    const char *tier_from;   /* NULL: none */
    const char *tier_to;     /* NULL: none */
    int promoted;            /* 1 promotion, 0 demotion */
    /* REDEEM */
    const char *reward;
    int64_t cost;
    /* KUDOS */
    const char *to;          /* receiver */
    /* Library version 2: */
    uint64_t seq;            /* sequence number: 1, 2, 3, ... over the
                                context's life, the same after recovery
                                from a store (see OUTBOX) */
    int redelivered;         /* outbox: 1 when the moment was put back by
                                recovery (it may have been delivered) */
    /* REVOKE (format 2).  member, to (kudos: the receiver), points (the
     * change of points applied: the receiver's for a kudos), badge and
     * times (award: the manual badge and the awards left; 0 left: no
     * longer held), reward and cost (redeem: refunded) as above. */
    int64_t balance;         /* REVOKE: the change of balance applied */
    const char *revoked_event; /* REVOKE: the revoked event's id, or NULL */
    const char *revoked_ref;   /* REVOKE: its ref, or NULL.  POINTS with
                                  source REVOKE: the same two */
    plaudit_event_type revoked_type; /* REVOKE: its type */
    int64_t revoked_ts;      /* REVOKE: its ts */
} plaudit_moment;

/* The outcome of one event call.  `moments` is owned by the context and
 * valid until the next event call on it. */
typedef struct plaudit_outcome {
    plaudit_status status;
    int code;                /* PLAUDIT_OK, or the rejection code */
    const char *message;     /* "" or the rejection detail (owned by ctx) */
    int64_t points;          /* net points awarded to the event's member
                                (kudos: the receiver), bonuses included;
                                revoke: the sum over the members it touched
                                of the points taken back (negative) or
                                given back, bonuses excluded */
    size_t n_moments;
    const plaudit_moment *moments; /* in the order they happened */
    size_t n_badges;         /* number of BADGE moments */
    size_t n_tier_changes;   /* number of TIER moments */
    /* Library version 2: */
    uint64_t arrival;        /* with a reorder window: the event's arrival
                                number (1, 2, ... over the context's life,
                                the same after recovery), which the outcome
                                of a held event delivered later carries
                                too; 0 without a window */
} plaudit_outcome;

/*
 * Event calls.  `out` may be NULL.  `id` is an optional idempotency key
 * (NULL for none).  Return: PLAUDIT_OK (accepted), PLAUDIT_DUPLICATE
 * (already accepted with the same content: nothing changed), or a negative
 * code (rejected: nothing changed; plaudit_errmsg says why).
 * Events whose ts is earlier than the last time of a member they name are
 * rejected with PLAUDIT_ETIME.  A member named for the first time is created
 * (joined = ts).  From inside a listener or store callback every event call fails
 * with PLAUDIT_ESTATE.
 */
PLAUDIT_EXPORT int plaudit_record(plaudit_ctx *ctx, const plaudit_event *ev, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_action(plaudit_ctx *ctx, int64_t ts, const char *member, const char *action,
                                         const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_join(plaudit_ctx *ctx, int64_t ts, const char *member, const char *id,
                                       plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_kudos(plaudit_ctx *ctx, int64_t ts, const char *from, const char *to,
                                        const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_redeem(plaudit_ctx *ctx, int64_t ts, const char *member, const char *reward,
                                         const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_award(plaudit_ctx *ctx, int64_t ts, const char *member, const char *badge,
                                        const char *id, plaudit_outcome *out);
/* reason may be NULL. */
PLAUDIT_EXPORT int plaudit_record_adjust(plaudit_ctx *ctx, int64_t ts, const char *member, int64_t points,
                                         const char *reason, const char *id, plaudit_outcome *out);
/* The same five with a ref (format 2, spec section 5: the object the
 * event is about, what plaudit_record_revoke matches; 1 to 128 bytes of
 * UTF-8 without control characters, or NULL for none), given before id.
 * Equivalent to plaudit_record with plaudit_event.ref set; a ref under a
 * format 1 program is rejected (PLAUDIT_EVERSION) and changes nothing.
 * ref and id are read during the call only. */
PLAUDIT_EXPORT int plaudit_record_action_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *action,
                                             const char *ref, const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_kudos_ref(plaudit_ctx *ctx, int64_t ts, const char *from, const char *to,
                                            const char *ref, const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_award_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *badge,
                                            const char *ref, const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_adjust_ref(plaudit_ctx *ctx, int64_t ts, const char *member, int64_t points,
                                             const char *reason, const char *ref, const char *id,
                                             plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_redeem_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *reward,
                                             const char *ref, const char *id, plaudit_outcome *out);
/* segment NULL returns the member to inference. */
PLAUDIT_EXPORT int plaudit_record_segment(plaudit_ctx *ctx, int64_t ts, const char *member, const char *segment,
                                          const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_preferences(plaudit_ctx *ctx, int64_t ts, const char *member, int leaderboards,
                                              const char *id, plaudit_outcome *out);
PLAUDIT_EXPORT int plaudit_record_tick(plaudit_ctx *ctx, int64_t ts, const char *id, plaudit_outcome *out);
/* Format 2: put member in team (NULL: take it out of its team).  Touches
 * and may create the member; joining the team one is in, or leaving when
 * in none, is accepted and changes nothing else. */
PLAUDIT_EXPORT int plaudit_record_team(plaudit_ctx *ctx, int64_t ts, const char *member, const char *team,
                                       const char *id, plaudit_outcome *out);

/*
 * Revoke (format 2, spec section 5): undo earlier events at ts.  Exactly
 * one of `event` (the idempotency key of the event to revoke) and `ref`
 * (every event carrying this ref) is given; reason may be NULL.  To give
 * an event a ref, use the per-type calls with a ref
 * (plaudit_record_action_ref and the others) or set plaudit_event.ref and
 * call plaudit_record.
 *
 * What can be revoked: accepted action, kudos, award, adjust and redeem
 * events that carried an id or a ref, recorded under a format 2 program.
 * Matched events are undone in the order they were accepted: their member
 * is awarded -p (p: the points the event itself awarded, bonuses excluded;
 * for an award the bonus it paid) under the 0 floor, on the boards whose
 * current period still holds the event's ts, in the qualification windows,
 * caps and within-period counts whose period holding the revoke's ts also
 * holds the event's; an action's count drops by one, a kudos' counts, a
 * manual badge's awards (at zero it is no longer held), a redemption's
 * cost goes back to the balance and its unit to the stock.  A board or
 * member counter (cap, give cap, kudos cap, within-period or dated count,
 * qualification window) that a program event started after the revoked
 * event was applied is left alone, even inside the same period (and at
 * the same ts: what counts is the order events were applied), and an
 * action count a program event dropped is not taken back.  Badges other
 * than manual awards, and bonuses, are never taken back.  Then the members
 * are evaluated (tiers can drop, never below the lifetime floor).
 * The outcome has one PLAUDIT_MOMENT_REVOKE moment per revoked event (and
 * POINTS moments with source PLAUDIT_SOURCE_REVOKE).
 * Errors: PLAUDIT_ENOTFOUND (no accepted event has that id or ref, or every
 * one that has was already revoked, or was forgotten: see
 * idempotency_retention_s), PLAUDIT_EINVAL (the event with that id is of a
 * type that cannot be revoked, or neither / both of event and ref),
 * PLAUDIT_ETIME (ts before the last time of a member the matched events
 * name), PLAUDIT_EVERSION (a format 1 program); nothing changes.
 */
PLAUDIT_EXPORT int plaudit_record_revoke(plaudit_ctx *ctx, int64_t ts, const char *event, const char *ref,
                                         const char *reason, const char *id, plaudit_outcome *out);

/* The program event (spec section 7): from ts on, `document` (a whole
 * program, JSON text, NUL-terminated, format 1 or 2; read during the call
 * only) is the program, and what members earned stays.  The same as
 * plaudit_record of a PLAUDIT_EVENT_PROGRAM event.
 *
 * Rejected, changing nothing: a document that would not load as a program
 * file (the code of the load error; the message names the JSON path under
 * `program`, e.g. `program.badges[2].when.action: unknown action "x"`); ts
 * earlier than the clock (PLAUDIT_ETIME); a document whose time zone,
 * utc_offset_minutes or reorder_window_s differ from those in force
 * (PLAUDIT_EINVAL; an absent key is its default: no zone, 0, 0); a failed
 * allocation or store call.  Without JSON support: PLAUDIT_EUNSUPPORTED.
 *
 * Accepted: the clock moves to ts under the old program (closing its
 * periods, with their leaderboard badges), then the state carries over by
 * id as section 7 says.  How this library reads it:
 *  - action counts, cooldowns, within-period counts and streaks continue
 *    for actions still declared; a cap's tracker when the action keeps a
 *    cap with the same period; the kudos cap and give cap when their
 *    period is unchanged; a tracker the old program did not keep starts
 *    at 0 at ts (it does not count occurrences before ts);
 *  - `distinct_actions` counts only the actions still declared;
 *  - earned badges stay with their levels and times, also badges no longer
 *    declared (they are listed in the state document and by
 *    plaudit_member_badges, never evaluated, and cannot be awarded);
 *  - a member's tier stays until its next evaluation (none if the tier id
 *    is gone); the lifetime floor becomes the highest tier of the new
 *    list, still lifetime, whose criteria ever held for the member (the
 *    old floor, or a lower lifetime tier it also met: remembered for the
 *    first 32 tiers of each program); qualifications stay for a tier id
 *    with the same window, and the net points of each window kind stay;
 *  - a pinned segment stays while declared (else the member is unpinned);
 *    an inferred segment is inferred again under the new weights at ts;
 *  - a board keeping id, period and segment keeps its scores and period;
 *    another starts empty, except that a board of period `all` ranks by
 *    points (its "last change" time is the member's last change of
 *    points); a season added after its `until` is frozen, empty;
 *  - a reward keeping its id keeps its stock left, moved by the change of
 *    its declared stock (never below 0).
 * After the event every member's next evaluation considers every badge of
 * the new program.  The event names no member and touches none (the
 * outcome has no moments). */
PLAUDIT_EXPORT int plaudit_program_update(plaudit_ctx *ctx, int64_t ts, const char *document, const char *id,
                                          plaudit_outcome *out);

/* Record n events in one call (fewer crossings for bindings).  Each event is
 * its own transaction, exactly as if recorded one by one; a rejected event
 * does not stop the batch.  codes (may be NULL) receives each event's return
 * value; *n_done (may be NULL) how many events were processed.  Returns
 * PLAUDIT_OK, or a negative code for a bad argument (nothing recorded) or a
 * failure of an attached store (processing stops at that event, which is
 * not recorded; the ones before it are).  Moments reach listeners only. */
PLAUDIT_EXPORT int plaudit_record_batch(plaudit_ctx *ctx, const plaudit_event *events, size_t n, int *codes,
                                        size_t *n_done);

/* ------------------------------------------------------------------------ */
/* Reorder window (format 2, spec section 6)                                 */
/* ------------------------------------------------------------------------ */
/*
 * With a window W > 0 (plaudit_program_set_reorder_window, or
 * "reorder_window_s" in the document) events from several servers and
 * queues are put back in time order before they are processed:
 *  - Every event call whose event has a ts in 0..PLAUDIT_MAX_TS holds the
 *    event and returns PLAUDIT_HELD (outcome status PLAUDIT_HELD_EVENT,
 *    with its arrival number).  H is the highest ts of every event held so
 *    far, including events that will be rejected when released.  After
 *    each arrival every held event with ts <= H - W is released, in order
 *    of ts and, for equal ts, of arrival, and processed exactly as without
 *    a window: validated, then accepted, found a duplicate or rejected.
 *    Idempotency keys, conflicts, time going backwards and every other
 *    check are therefore decided at release.
 *  - An event that arrives with ts <= H - W is released at once: the call
 *    returns its outcome as without a window (it cannot be released with
 *    others: those were released by earlier calls).
 *  - An event whose arguments are invalid (an id too long, invalid UTF-8,
 *    an event line with an unknown key or a wrong type, ...) but whose ts
 *    is valid is held too and rejected, with the same code and message,
 *    when released.  No event, a ts out of range, and (plaudit_record_json)
 *    a malformed line or one without an integer ts are rejected at once,
 *    unheld.
 *  - A tick is held and released like any event: a platform that sends a
 *    tick every minute also releases what is held.
 *  - The outcome of a held event reaches the caller when it is released,
 *    through the listener's on_outcome (and its moments through the other
 *    callbacks and the outbox).  Each event's outcome is given exactly
 *    once: by the return value of its call, or by on_outcome.
 *  - plaudit_flush releases every held event in the same order (call it
 *    when the input ends, on shutdown, or to make everything visible).
 *  - With a store attached, each arrival is journaled before its call
 *    returns (with W > 0 the journal records arrivals, rejected ones
 *    included, not accepted events), and recovery feeds them through the
 *    same window: after a crash at any moment the context has exactly the
 *    state and the held events of the uninterrupted run.  Snapshots hold
 *    the held events and H.
 *  - A release that fails for lack of memory leaves that event (and those
 *    after it) held and ready; the next event call or plaudit_flush
 *    releases them first, in order, before anything else (a later
 *    arrival's call fails with PLAUDIT_ENOMEM while they still cannot be
 *    released).  plaudit_window_info counts them in `ready`.
 * With W = 0 nothing is ever held (version 1 behaviour).
 */

/* Release every held event, in order of ts then arrival (each outcome
 * through on_outcome).  With a store the flush is journaled first (a store
 * failure releases nothing).  PLAUDIT_OK (also with nothing held or no
 * window), PLAUDIT_ESTATE inside a listener, PLAUDIT_ENOMEM (the events
 * not yet released stay held and ready, see above), a store's code. */
PLAUDIT_EXPORT int plaudit_flush(plaudit_ctx *ctx);

typedef struct plaudit_window_info {
    int64_t window_s;        /* W (0: no window) */
    uint64_t held;           /* events held now */
    int64_t high_water;      /* H: the highest ts held so far, -1: none */
    uint64_t arrivals;       /* events held so far (arrival numbers) */
    uint64_t ready;          /* held events due for release that a failed
                                allocation kept back (usually 0) */
    int64_t oldest_ts;       /* smallest ts held now, -1 when none */
} plaudit_window_info;
/* Fill *out.  A query: may be called from a listener. */
PLAUDIT_EXPORT int plaudit_window_info_get(const plaudit_ctx *ctx, plaudit_window_info *out);

/* ------------------------------------------------------------------------ */
/* Listeners                                                                 */
/* ------------------------------------------------------------------------ */

#define PLAUDIT_LISTENER_VERSION 3
/*
 * Callbacks for recognition moments (any may be NULL).  They are called on
 * the calling thread after the event has been fully applied (and journaled
 * when a store is attached), in the order of the outcome's moments.  The
 * moment and its strings are valid only during the callback.
 * Re-entrancy: a callback may call queries on the context (plaudit_member_*,
 * plaudit_leaderboard_*, plaudit_state_*); calls that change the context
 * (events, declarations, listener changes, store calls) fail with
 * PLAUDIT_ESTATE and change nothing; store callbacks run under the same
 * guard (plaudit/store.h).  Callbacks return nothing, so they cannot fail
 * an event that is already applied.
 */
typedef struct plaudit_listener {
    unsigned version;
    void (*on_points)(const plaudit_moment *m, void *payload);
    void (*on_badge)(const plaudit_moment *m, void *payload);
    void (*on_tier)(const plaudit_moment *m, void *payload);
    void (*on_redeem)(const plaudit_moment *m, void *payload);
    void (*on_kudos)(const plaudit_moment *m, void *payload);
    void *payload;
    /* Version 2.  The outcome of an event the reorder window held, when it
     * is released (after the moment callbacks of its moments): the event
     * as it arrived (its strings owned by the context) and its outcome
     * (status, code, message, points, moments, arrival).  Both are valid
     * only during the callback.  Not called for events decided in their
     * own call, nor at recovery. */
    void (*on_outcome)(const plaudit_event *ev, const plaudit_outcome *out, void *payload);
    /* Version 3 (a version 1 or 2 struct ends above and is still accepted;
     * its callers do not hear about revokes): an earlier event revoked
     * (format 2), one call per REVOKE moment. */
    void (*on_revoke)(const plaudit_moment *m, void *payload);
} plaudit_listener;
#define PLAUDIT_LISTENER_INIT { PLAUDIT_LISTENER_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* Set (copy) the context's listener; NULL removes it.  Version 1 and 2
 * structs are still accepted: a version 1 struct (up to payload) has no
 * on_outcome, a version 2 one (up to on_outcome) no on_revoke. */
PLAUDIT_EXPORT int plaudit_listener_set(plaudit_ctx *ctx, const plaudit_listener *listener);

/* ------------------------------------------------------------------------ */
/* Outbox: recognition moments that are never lost (spec section 8)          */
/* ------------------------------------------------------------------------ */
/*
 * Every moment gets a sequence number (plaudit_moment.seq: 1, 2, 3, ...
 * over the context's life; recovery from a store regenerates the same
 * numbers).  With the outbox enabled, every moment of an accepted event
 * also waits in the outbox until the platform acknowledges it:
 *   1. read the moments after the last seq handled
 *      (plaudit_outbox_read), deliver them (notify, e-mail, ...);
 *   2. acknowledge up to the last one delivered (plaudit_outbox_ack).
 * With a store attached, the acknowledged position is durable (the
 * store's ack_write / ack_read, plaudit/store.h), and recovery puts every
 * moment after it back in the outbox, flagged `redelivered` (it may have
 * been delivered before the crash): each moment is delivered at least
 * once, and its seq lets the platform drop repeats.  Without ack slots in
 * the store (a version 1 store), recovery puts back every moment since the
 * snapshot's pending ones (more repeats, none lost).
 *
 * FULL.  The outbox holds at most `max_pending` moments.  When it is full
 * an arriving event is refused before anything is done (PLAUDIT_ELIMIT,
 * "the outbox is full", nothing changed, nothing journaled; counted in the
 * rejected statistics): the platform acknowledges and sends the event
 * again.  Moments are never dropped: one event's moments are always all
 * added (so the outbox may pass the bound by one event's moments, and by
 * what recovery puts back).
 *
 * OFF by default: without plaudit_outbox_enable nothing is kept, and the
 * sequence numbers are still assigned (stable across recovery for format 2
 * programs).  Memory: about 230 bytes per pending moment (a copy of the
 * 176-byte plaudit_moment, a 16-byte slot and a copy of its strings, with
 * the allocator's overhead; bench/window-bench measures it).
 */

/* Enable the outbox, bounded to max_pending moments (0: 1048576).  Before
 * the first event and before plaudit_store_attach (so that recovery fills
 * it).  PLAUDIT_ESTATE otherwise or when already enabled, PLAUDIT_ENOMEM. */
PLAUDIT_EXPORT int plaudit_outbox_enable(plaudit_ctx *ctx, size_t max_pending);

/* The pending moments with seq > after, oldest first: up to max of them in
 * *out (an array owned by the context, valid until the next call that
 * changes the context or acknowledges), their number in *n (0: none after
 * `after`).  Pass the last seq you handled, or 0 for everything pending.
 * A query: may be called from a listener.  PLAUDIT_ESTATE when the outbox
 * is not enabled. */
PLAUDIT_EXPORT int plaudit_outbox_read(plaudit_ctx *ctx, uint64_t after, size_t max, const plaudit_moment **out,
                                       size_t *n);

/* Acknowledge every moment with seq <= upto: they leave the outbox.  With a
 * store, the position is written (ack_write) first; if that fails nothing
 * changes and the store's code is returned.  Acknowledging a position at
 * or before the current one does nothing.  PLAUDIT_ERANGE when upto is
 * past the last moment's seq, PLAUDIT_ESTATE (not enabled, inside a
 * listener). */
PLAUDIT_EXPORT int plaudit_outbox_ack(plaudit_ctx *ctx, uint64_t upto);

typedef struct plaudit_outbox_info {
    int enabled;
    uint64_t pending;        /* moments waiting */
    uint64_t acked;          /* the acknowledged position (seq) */
    uint64_t last_seq;       /* seq of the newest moment (0: none yet) */
    uint64_t max_pending;
    uint64_t redelivered;    /* pending moments put back by recovery */
    uint64_t refused;        /* events refused because it was full */
    uint64_t bytes;          /* memory the pending moments use */
} plaudit_outbox_info;
/* Fill *out.  A query. */
PLAUDIT_EXPORT int plaudit_outbox_info_get(const plaudit_ctx *ctx, plaudit_outbox_info *out);

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */
/* ------------------------------------------------------------------------ */

/* The clock: the newest accepted ts, or -1 before the first accepted event. */
PLAUDIT_EXPORT int64_t plaudit_clock(const plaudit_ctx *ctx);

typedef struct plaudit_member_info {
    const char *id;          /* owned by ctx, valid for its life */
    int64_t joined;
    int64_t last_ts;         /* newest accepted event that touched it */
    int64_t points;
    int64_t balance;
    const char *tier;        /* as of the last evaluation; NULL: none */
    const char *segment;     /* current segment; NULL: none */
    int segment_pinned;      /* 1 when a segment event pinned it */
    int leaderboards;        /* 1 = shown on leaderboards (not opted out) */
    uint64_t kudos_given;
    uint64_t kudos_received;
    uint32_t distinct_actions;
    uint32_t n_badges;       /* number of distinct badges earned */
    const char *team;        /* format 2: the member's team, NULL: none
                                (owned by ctx, valid for its life) */
} plaudit_member_info;

/* PLAUDIT_ENOTFOUND for an unknown member. */
PLAUDIT_EXPORT int plaudit_member_get(plaudit_ctx *ctx, const char *member, plaudit_member_info *out);
/* All-time occurrences of an action by a member. */
PLAUDIT_EXPORT int plaudit_member_action_count(plaudit_ctx *ctx, const char *member, const char *action,
                                               uint64_t *out);
/* The member's affinity to a segment. */
PLAUDIT_EXPORT int plaudit_member_affinity(plaudit_ctx *ctx, const char *member, const char *segment, int64_t *out);

typedef struct plaudit_badge_earned {
    const char *badge;       /* owned by ctx, valid for its life */
    uint32_t level;          /* levelled badge: highest level; else 1 */
    uint32_t times;          /* repeatable/leaderboard/manual: times; else 1 */
    int64_t first_ts;        /* when first earned */
    int64_t last_ts;         /* when last unlocked / earned again */
} plaudit_badge_earned;
/* The badges a member earned, in declaration order.  *out is owned by ctx,
 * valid until the next call that changes ctx or the next
 * plaudit_member_badges call. */
PLAUDIT_EXPORT int plaudit_member_badges(plaudit_ctx *ctx, const char *member, const plaudit_badge_earned **out,
                                         size_t *n);

typedef struct plaudit_badge_progress {
    const char *badge;
    plaudit_criterion criterion;
    uint32_t level;          /* levels earned so far (0 = none) */
    uint32_t levels;         /* number of levels */
    int64_t current;         /* the criterion's value now (leaderboard:
                                current rank, 0 when unranked) */
    int64_t next;            /* the next threshold (leaderboard: top N) */
    int earned_this_period;  /* repeatable: already earned this period */
    /* Format 2: */
    int64_t from, until;     /* a dated badge's range (PLAUDIT_UNSET: open) */
    size_t n_parts;          /* a challenge: one entry per sub-criterion
                                (current is 0/1 for a tier, met when
                                current >= target); 0 otherwise */
    const struct plaudit_part_progress *parts;
} plaudit_badge_progress;

/* Progress on one sub-criterion of a challenge. */
typedef struct plaudit_part_progress {
    plaudit_criterion criterion;
    const char *action;      /* action criteria, else NULL */
    const char *tier;        /* TIER, else NULL */
    plaudit_period within;   /* ACTION_COUNT with within, else NONE */
    int64_t current;         /* the value now */
    int64_t target;          /* the threshold (TIER: 1) */
    int met;
} plaudit_part_progress;

typedef struct plaudit_progress {
    const char *tier;        /* current tier (NULL: none) */
    const char *next_tier;   /* next tier above it, NULL at the top */
    int64_t next_points;     /* points still needed (window tier: in the
                                current window period); 0 when met */
    int64_t next_distinct_actions; /* distinct actions still needed */
    int64_t next_tenure_days;      /* days still needed */
    const char *keep_tier;   /* qualification tier held now, or NULL */
    int64_t keep_points;     /* points still needed this period to keep it
                                through the next one (0: requalified) */
    size_t n_badges;
    const plaudit_badge_progress *badges; /* visible badges not fully
                                earned (and repeatable ones), declaration
                                order; hidden ones only once earned */
    /* Format 2: tier benefits (display strings owned by ctx, valid for its
     * life): those of the current tier and what the next tier unlocks. */
    size_t n_benefits;
    const char *const *benefits;
    size_t n_next_benefits;
    const char *const *next_benefits;
} plaudit_progress;
/* A member's progress, as of the context's clock.  Arrays and strings owned
 * by ctx, valid until the next call that changes ctx or the next
 * plaudit_member_progress call. */
PLAUDIT_EXPORT int plaudit_member_progress(plaudit_ctx *ctx, const char *member, plaudit_progress *out);

/* Number of members. */
PLAUDIT_EXPORT uint64_t plaudit_member_count(const plaudit_ctx *ctx);
/* List members in creation order, paged: up to max ids starting at index
 * `start` (0-based).  ids[] receives pointers owned by ctx (valid for its
 * life); *n the number written; *next the start of the next page (equal to
 * plaudit_member_count at the end). */
PLAUDIT_EXPORT int plaudit_member_list(plaudit_ctx *ctx, uint64_t start, size_t max, const char **ids, size_t *n,
                                       uint64_t *next);

/* ------------------------------------------------------------------------ */
/* Points history (spec section 8)                                           */
/* ------------------------------------------------------------------------ */
/*
 * "Why do I have 270 points?"  With the context option history_per_member
 * set (plaudit_options version 4), every change of a member's points or
 * balance is one entry of its history: an action's points, a badge's bonus
 * (also one paid by an award event or at a leaderboard close), kudos
 * received, an adjustment, a redemption (balance only), a revoke (the
 * points taken back, a refund).  One event can add several entries (an
 * action and the bonus of the badge it unlocked; a revoke of several
 * events: one per revoked event and member); an event that changes
 * nothing of a member's points or balance adds none (a join, an action
 * worth 0, a capped occurrence, an adjustment at the 0 floor).
 *
 * Each member keeps its newest history_per_member entries (the oldest is
 * dropped when one more comes); entries are numbered 1, 2, 3, ... per
 * member (`seq`), also the dropped ones, so a page cursor stays valid.
 * Entries are added when their event is accepted, as one transaction with
 * it: a rejected event, a duplicate, a failed allocation or store call
 * adds nothing.  With a reorder window they come when the event is
 * released, in release order.
 *
 * The history is not part of the state: neither the state document nor
 * plaudit_state_digest shows it.  It survives recovery (snapshots carry it
 * and replaying the journal rebuilds the rest), and a retroactive replay
 * (the program changed) recomputes it under the new program.  A snapshot
 * written without the option holds no history: after recovering from it
 * the history starts at the snapshot.  Memory: about 40 bytes per entry,
 * plus the event's id, ref and reason when it has them (test-resources
 * prints the figure).
 */

/* One change of a member's points or balance.  Its strings are owned by
 * the context and valid until the next call that changes it (an event, a
 * store call). */
typedef struct plaudit_history_entry {
    uint64_t seq;            /* the member's entry number (1, 2, ...) */
    int64_t ts;              /* ts of the event that caused it */
    int64_t points;          /* change of points (after the 0 floor) */
    int64_t balance;         /* change of balance (after the 0 floor) */
    plaudit_source cause;    /* what it was for, and cause_id: */
    const char *cause_id;    /* ACTION: action id; BONUS: badge id; KUDOS:
                                the giver's member id; ADJUST: the reason
                                (NULL: none); REDEEM: reward id; REVOKE:
                                the revoked event's id (NULL: it had none,
                                see revoked_ref) */
    plaudit_event_type event_type; /* the event's type (a bonus paid at a
                                leaderboard close: the event that moved
                                the clock, often a tick) */
    const char *event_id;    /* the event's idempotency key, or NULL */
    const char *event_ref;   /* the event's ref, or NULL (revoke by ref:
                                the ref it revoked) */
    const char *reason;      /* adjust and revoke: the event's reason */
    const char *revoked_event; /* REVOKE: the revoked event's id, or NULL */
    const char *revoked_ref;   /* REVOKE: its ref, or NULL */
} plaudit_history_entry;

/* A page of member's history, newest first: up to max entries whose seq
 * is below `before` (0: from the newest) into out[] (room for max, given
 * by the caller; the strings they point to are owned by the context, see
 * plaudit_history_entry), their number in *n.  *next (may be NULL)
 * receives the cursor of the next page: the seq of the last entry given,
 * to pass as `before`, or 0 when no older entry is kept.  A query: it
 * allocates nothing and may be called from a listener.
 * Errors: PLAUDIT_EINVAL (NULL ctx, member, out or n), PLAUDIT_ERANGE (max
 * 0), PLAUDIT_ENOTFOUND (unknown member), PLAUDIT_ESTATE (the context
 * keeps no history: history_per_member is 0). */
PLAUDIT_EXPORT int plaudit_member_history(plaudit_ctx *ctx, const char *member, uint64_t before, size_t max,
                                          plaudit_history_entry *out, size_t *n, uint64_t *next);

/* How many entries member's history ever had (*total, the newest seq) and
 * how many it keeps now (*kept); either may be NULL.  Errors as for
 * plaudit_member_history. */
PLAUDIT_EXPORT int plaudit_member_history_count(plaudit_ctx *ctx, const char *member, uint64_t *total,
                                                uint64_t *kept);

typedef struct plaudit_history_info {
    size_t per_member;       /* the history_per_member option (0: off) */
    uint64_t entries;        /* entries kept now, every member */
    uint64_t bytes;          /* memory they use (entries, their strings,
                                the per-member rings and interned ids) */
} plaudit_history_info;
/* Fill *out.  A query.  PLAUDIT_EINVAL for NULL. */
PLAUDIT_EXPORT int plaudit_history_info_get(const plaudit_ctx *ctx, plaudit_history_info *out);

/* ------------------------------------------------------------------------ */
/* Leaderboards                                                              */
/* ------------------------------------------------------------------------ */
/*
 * Ranked on a board: members with a score above 0 in the board's current
 * period, not opted out and, for a segment board, in that segment.  Order:
 * score descending, then the earlier ts of the last change of the score on
 * that board, then member id bytewise.  Ranks are 1-based.  Updating a score
 * and asking a rank are O(log n).
 */
typedef struct plaudit_rank_entry {
    const char *member;      /* owned by ctx, valid for its life */
    int64_t score;
    uint64_t rank;
    int64_t ts;              /* last change of the score on the board */
} plaudit_rank_entry;

/* Up to n entries from the top into out[]; *n_out the number written. */
PLAUDIT_EXPORT int plaudit_leaderboard_top(plaudit_ctx *ctx, const char *board, size_t n, plaudit_rank_entry *out,
                                           size_t *n_out);
/* A member's rank (0 when not ranked) and score on the board's current
 * period.  PLAUDIT_ENOTFOUND for an unknown board or member. */
PLAUDIT_EXPORT int plaudit_leaderboard_rank(plaudit_ctx *ctx, const char *board, const char *member,
                                            uint64_t *rank, int64_t *score);
/* The member and up to k entries above and below it, in rank order, into
 * out[] (room for 2k+1); *n_out the number written (0 when not ranked). */
PLAUDIT_EXPORT int plaudit_leaderboard_around(plaudit_ctx *ctx, const char *board, const char *member, size_t k,
                                              plaudit_rank_entry *out, size_t *n_out);
/* Number of ranked members on the board. */
PLAUDIT_EXPORT int plaudit_leaderboard_count(plaudit_ctx *ctx, const char *board, uint64_t *out);

/*
 * TEAMS (format 2).  A `team` event (PLAUDIT_EVENT_TEAM) puts a member in a
 * team or (target NULL) takes it out; a member is in at most one team at a
 * time.  Team ids follow the rules of member ids.  A team board
 * (PLAUDIT_BY_TEAM) ranks teams by the net points awarded, in the board's
 * current period, to members while they were in that team (points go to
 * the team of the member at the time of the award; a member in no team
 * earns for no team; a member's opt-out does not remove its points from
 * its team).  Ranked: teams with a score above 0.  Order: score
 * descending, then the earlier ts of the last change of the team's score,
 * then team id bytewise.  The leaderboard calls above work on team boards:
 * entries' `member` is then a team id, and plaudit_leaderboard_rank /
 * _around take a team id in place of a member id (PLAUDIT_ENOTFOUND for a
 * team never named by a team event).
 */

typedef struct plaudit_leaderboard_info {
    const char *id;          /* owned by ctx, valid for its life */
    const char *name;        /* NULL when unset */
    plaudit_period period;
    plaudit_board_by by;
    const char *segment;     /* NULL: every member */
    int64_t from, until;     /* a season's range, PLAUDIT_UNSET otherwise */
    int frozen;              /* a season whose until the clock reached */
    uint64_t count;          /* ranked entries now */
} plaudit_leaderboard_info;
/* The id of the i-th declared leaderboard (0-based), NULL past the last;
 * owned by ctx, valid for its life. */
PLAUDIT_EXPORT const char *plaudit_leaderboard_at(const plaudit_ctx *ctx, size_t i);
/* What a board is and ranks.  PLAUDIT_ENOTFOUND for an unknown board. */
PLAUDIT_EXPORT int plaudit_leaderboard_info_get(plaudit_ctx *ctx, const char *board,
                                                plaudit_leaderboard_info *out);

/* Number of teams ever named by a team event. */
PLAUDIT_EXPORT uint64_t plaudit_team_count(const plaudit_ctx *ctx);
/* List teams in the order they were first named, paged as
 * plaudit_member_list does (ids owned by ctx, valid for its life). */
PLAUDIT_EXPORT int plaudit_team_list(plaudit_ctx *ctx, uint64_t start, size_t max, const char **ids, size_t *n,
                                     uint64_t *next);
/* How many members are in a team now.  PLAUDIT_ENOTFOUND for a team
 * never named. */
PLAUDIT_EXPORT int plaudit_team_members(plaudit_ctx *ctx, const char *team, uint64_t *out);

/* A rule in words, for people reading a program: kind "badge" (its
 * criterion, dates included), "campaign" ("double points for Bug found and
 * Review published, 1 to 7 June 2026 (Europe/Amsterdam)"), "leaderboard"
 * (what it ranks, a season's dates) or "tier" (its benefits).  *out is
 * allocated with the context's allocator (plaudit_free); *len (may be
 * NULL) its length.  PLAUDIT_ENOTFOUND for an unknown id, PLAUDIT_EINVAL
 * for another kind. */
PLAUDIT_EXPORT int plaudit_rule_sentence(plaudit_ctx *ctx, const char *kind, const char *id, char **out, size_t *len);

/* A tier's benefits (format 2), display strings owned by ctx and valid for
 * its life; *n 0 when it has none.  PLAUDIT_ENOTFOUND for an unknown tier. */
PLAUDIT_EXPORT int plaudit_tier_benefits(plaudit_ctx *ctx, const char *tier, const char *const **out, size_t *n);

/* ------------------------------------------------------------------------ */
/* Rewards                                                                   */
/* ------------------------------------------------------------------------ */

/* Stock left (PLAUDIT_UNSET when unlimited). */
PLAUDIT_EXPORT int plaudit_reward_stock(plaudit_ctx *ctx, const char *reward, int64_t *out);

/* ------------------------------------------------------------------------ */
/* State                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct plaudit_stats {
    uint64_t accepted;
    uint64_t duplicates;
    uint64_t rejected;       /* includes malformed lines given to the
                                library's event reader */
} plaudit_stats;
PLAUDIT_EXPORT int plaudit_stats_get(const plaudit_ctx *ctx, plaudit_stats *out);

/* The final-state document of the spec's section 4 ("plaudit.state/1"),
 * deterministic to the byte, with a trailing newline.  *out is allocated
 * with the context's allocator (free with plaudit_free); *len (may be NULL)
 * receives its length without the NUL. */
PLAUDIT_EXPORT int plaudit_state_export(plaudit_ctx *ctx, char **out, size_t *len);

/* A 64-bit digest of the whole state: every member counter, period tracker,
 * badge, leaderboard, reward stock, idempotency key, the clock and the
 * accepted count.  Diagnostic counters (duplicates, rejected) are left out,
 * so a rejected call never changes it.  Independent of memory layout and of
 * the order in which members were created. */
PLAUDIT_EXPORT uint64_t plaudit_state_digest(const plaudit_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Program analytics                                                         */
/* ------------------------------------------------------------------------ */
/*
 * What a program does to its community, for one period or all time: who
 * takes part, how often and how broadly, how long members stay, where they
 * sit, and whether recognition reaches the quiet contributors or only the
 * vocal few.
 *
 * A CONTRIBUTION is an accepted `action` event (kudos, redemptions and the
 * other event types are not contributions).  A RECOGNITION of a member is a
 * badge moment (a level unlocked, a repeatable/leaderboard/manual badge
 * earned again), a kudos received, or a tier promotion to a tier above the
 * first declared one.
 *
 * The engine's member state keeps no history, so the figures come from an
 * optional recorder.  plaudit_analytics_enable() switches it on; it must be
 * called before the first event.  It sees the events the context applies
 * from then on, including journal records a store replays at recovery
 * (enable before attaching the store), but not the history folded into a
 * store's snapshot: after a recovery from a snapshot the figures cover
 * only the events after it.  The recorder then
 * observes every accepted event after it is applied and keeps a few bytes
 * per member and active period on the context's allocator.  If one of its
 * allocations fails, the event is still applied (the recorder never changes
 * engine state) and the next plaudit_analytics_get() reports PLAUDIT_ENOMEM:
 * from then on its figures would be incomplete.
 */

#define PLAUDIT_ANALYTICS_OPTIONS_VERSION 1
typedef struct plaudit_analytics_options {
    unsigned version;
    /* Granularity of "periods": repeat participation counts participants
     * active in at least two distinct periods, and the participation series
     * has one entry per period.  DAY..YEAR (ALL is refused).  Default
     * MONTH. */
    plaudit_period period;
    /* Quiet contributors: the window of the last N local days up to the
     * clock (1..3660).  Default 30. */
    int64_t quiet_days;
    /* How many quiet contributors plaudit_analytics_get lists at most
     * (the count of all of them is given too).  Default 10. */
    size_t quiet_max;
} plaudit_analytics_options;
#define PLAUDIT_ANALYTICS_OPTIONS_INIT { PLAUDIT_ANALYTICS_OPTIONS_VERSION, PLAUDIT_PERIOD_MONTH, 30, 10 }

/* Switch the analytics recorder on (opts NULL: the defaults).  The options
 * are copied.  Errors: PLAUDIT_ESTATE after the first event (or when already
 * enabled), PLAUDIT_EVERSION, PLAUDIT_EINVAL / PLAUDIT_ERANGE for a bad
 * option, PLAUDIT_ENOMEM. */
PLAUDIT_EXPORT int plaudit_analytics_enable(plaudit_ctx *ctx, const plaudit_analytics_options *opts);

/* A count per tier or segment.  id NULL stands for "none". */
typedef struct plaudit_analytics_count {
    const char *id;          /* rule id (owned by ctx, valid for its life) */
    uint64_t members;
} plaudit_analytics_count;

/* One period of the participation series. */
typedef struct plaudit_analytics_period {
    char label[16];          /* "2026-03-05" (day; week: its Monday),
                                "2026-03", "2026-Q1", "2026" */
    uint64_t members;        /* members who joined by the end of it */
    uint64_t new_members;    /* members who joined in it */
    uint64_t participants;   /* members with a contribution in it */
    uint64_t contributions;
    uint64_t redemptions;
    uint64_t revocations;    /* format 2: revoke events in it */
} plaudit_analytics_period;

/* A member who contributed in the quiet window without being recognized
 * in it. */
typedef struct plaudit_quiet_contributor {
    const char *member;      /* owned by ctx, valid for its life */
    uint64_t contributions;  /* in the last quiet_days days */
    int64_t last_recognized; /* ts of its newest recognition, -1: never */
} plaudit_quiet_contributor;

/* Format 2: one team's participation and fairness figures.  Members
 * count in the team they are in now (as the tier and segment mix); the
 * figures are those of plaudit_analytics for these members only. */
typedef struct plaudit_analytics_team {
    const char *id;              /* team id (owned by ctx, valid until the
                                    next plaudit_analytics_get or a call that
                                    changes ctx); NULL: in no team */
    uint64_t members;            /* joined by the end of the window */
    uint64_t participants;       /* >= 1 contribution in the window */
    uint64_t contributions;      /* in the window */
    double participation_rate;   /* participants / members (0 if none) */
    int64_t points;              /* net points awarded to its participants
                                    in the window (negative totals as 0),
                                    wherever they were then: not a team
                                    board's score */
    double gini;                 /* of those points, among its participants */
    uint64_t never_recognized;   /* participants with no recognition in
                                    the window */
    double never_recognized_rate;/* never_recognized / participants */
} plaudit_analytics_team;

#define PLAUDIT_LORENZ_POINTS 21
typedef struct plaudit_analytics {
    /* The periods (of the chosen granularity) covered: the one holding
     * `from` through the one holding `to - 1`; labels of the first and
     * last.  All time: the first and last period with an event. */
    char first_period[16], last_period[16];
    uint64_t members;              /* joined by the end of the window */
    uint64_t participants;         /* >= 1 contribution in the window */
    uint64_t contributions;        /* in the window */
    double participation_rate;     /* participants / members (0 if none) */
    uint64_t repeat_participants;  /* contributions in >= 2 periods */
    double repeat_rate;            /* repeat / participants */
    uint64_t diverse_participants; /* >= 2 distinct actions in the window */
    double diversity_rate;         /* diverse / participants */
    double tenure_avg_days;        /* members, whole days from joining to
                                      `to - 1` as given (not rounded out),
                                      or to the clock if earlier or open */
    double tenure_median_days;
    /* As of now (the last evaluation of each member), for the members
     * counted above: tier distribution, lowest to highest, then "none";
     * segment mix in declaration order, then "none". */
    size_t n_tiers;
    const plaudit_analytics_count *tiers;
    size_t n_segments;
    const plaudit_analytics_count *segments;
    uint64_t rewards_redeemed;     /* redeem events in the window */
    int64_t points_redeemed;       /* their total cost */
    /* Recognition fairness, among participants: the Gini coefficient of
     * the net points awarded in the window (negative totals count as 0;
     * 0 = all equal, near 1 = one member has all), and the Lorenz curve:
     * lorenz[i] = share of those points held by the poorest
     * i / (PLAUDIT_LORENZ_POINTS - 1) of participants. */
    double gini;
    double lorenz[PLAUDIT_LORENZ_POINTS];
    uint64_t never_recognized;     /* participants with no recognition in
                                      the window */
    double never_recognized_rate;  /* never_recognized / participants */
    /* Quiet contributors: contributions in the last quiet_days local days
     * up to the clock, no recognition in those days; most contributions
     * first, then member id.  At most quiet_max are listed. */
    int64_t quiet_days;
    uint64_t n_quiet_total;
    size_t n_quiet;
    const plaudit_quiet_contributor *quiet;
    /* Participation over time: every period of the window from the first
     * to the last with an event, in order. */
    size_t n_periods;
    const plaudit_analytics_period *periods;
    /* Format 2: revoke events in the window.  A revoked action no longer
     * counts as a contribution, nor a refunded redemption as one, in the
     * period of the revoked event; the points a revoke takes back count
     * in the revoke's period. */
    uint64_t revocations;
    /* Format 2: participation and fairness by team, in the order teams
     * were first named (plaudit_team_list), then "none" (members in no
     * team); n_teams is 0 for a format 1 program. */
    size_t n_teams;
    const plaudit_analytics_team *teams;
} plaudit_analytics;

/* Use for `from` / `to` to leave a side of the window open. */
#define PLAUDIT_ANALYTICS_OPEN INT64_MIN

/* Fill *out with the analytics of the window [from, to) rounded out to
 * whole periods of the recorder's granularity (PLAUDIT_ANALYTICS_OPEN on
 * either side for no bound; both open: all time).  The arrays and labels
 * in *out are owned by ctx and stay valid until the next call that changes
 * ctx or the next plaudit_analytics_get.  O(m log m) for m members.
 * Errors: PLAUDIT_ESTATE (recorder not enabled), PLAUDIT_ERANGE (to <=
 * from), PLAUDIT_ENOMEM (now, or earlier inside the recorder: see above). */
PLAUDIT_EXPORT int plaudit_analytics_get(plaudit_ctx *ctx, plaudit_analytics *out, int64_t from, int64_t to);

/* ------------------------------------------------------------------------ */
/* Persistence: stores, write-ahead journal, snapshots, recovery              */
/* ------------------------------------------------------------------------ */
/*
 * A context keeps its state in memory; a store makes it durable.  The store
 * is a table of callbacks (plaudit/store.h, for store writers) or the file
 * store shipped in the library (plaudit_file_store_open).
 *
 * WRITE-AHEAD.  Once a store is attached, an event is accepted only after
 * its journal record has been appended (and synced, per the policy).  If
 * the store fails, the event call returns the store's code (PLAUDIT_EUSER,
 * PLAUDIT_EIO, ...) with the store's detail in plaudit_errmsg, the state
 * digest is exactly what it was before, nothing stays in the journal, and
 * the event can be retried with the same idempotency key.  Duplicate and
 * rejected events are never journaled (with a reorder window the journal
 * records every arrival instead, see REORDER WINDOW).  plaudit_record_batch stops at an
 * event the store failed (see there).
 *
 * SYNC POLICY (group commit).  PLAUDIT_SYNC_ALWAYS syncs after every
 * event: an accepted event survives power loss, at the price of one
 * fsync per event (typically 0.1-10 ms).  PLAUDIT_SYNC_BATCH syncs after
 * every sync_every_n events or once sync_every_ms milliseconds passed
 * since the last sync (checked when an event arrives; no thread runs in
 * the background, so call plaudit_store_sync from a timer when the
 * platform can go idle): up to that many acknowledged events, or that much
 * time, can be lost to a power failure, never to a process crash.
 * PLAUDIT_SYNC_NEVER leaves syncing to the operating system and to
 * plaudit_store_sync / plaudit_store_snapshot / plaudit_store_detach.
 * PLAUDIT_SYNC_GROUP is group commit off the calling thread: event calls
 * never wait for a sync; the file store runs a sync thread that syncs the
 * journal back to back while records arrive (each sync covers every record
 * written before it began), and the caller learns when its events are
 * durable by their journal record (plaudit_store_journal_seq right after
 * the call, then plaudit_store_wait_durable or plaudit_store_durable_seq,
 * which may be called from another thread).  An event is acknowledged as
 * accepted before it is durable: only what wait_durable reported durable
 * is sure to survive power loss.  Attach syncs the records recovery found.
 * If a background sync fails, no later record is reported durable, the
 * waits return PLAUDIT_EIO, and the next event call fails with the
 * store's message (its record taken back).  sync_every_n and
 * sync_every_ms are not used.  With another store, GROUP syncs on the
 * calling thread after every event, as ALWAYS.
 * With every policy a crash of the process loses nothing that was
 * accepted, because the record is written (to the store) before the event
 * is acknowledged; and recovery never sees half an event.
 *
 * RECOVERY.  plaudit_store_attach loads the latest snapshot and replays
 * the journal after it: the context then has exactly the state digest it
 * had when the last record was written.  A torn last record (cut short by
 * a crash in the middle of an append) is detected, dropped (journal_cut)
 * and reported (torn_records); a last record that is whole but fails its
 * checksum (damaged after it was written) is dropped the same way but
 * reported apart (damaged_records), since its event may have been
 * acknowledged; a failed check anywhere else is PLAUDIT_ECORRUPT and loads
 * nothing.  Idempotency keys are part of the state and survive restarts;
 * idempotency_retention_s (plaudit_options) forgets keys older than that
 * many seconds of the event clock, the same way before and after a
 * restart.  The diagnostic counters (duplicates, rejected) are restored as
 * of the last snapshot only (duplicates and rejections are not journaled).
 * Recovery runs under the context's options: attach with those the store
 * was written with.  A journaled event was accepted, so if an option
 * would now reject it (a lower max_members or max_program_bytes, a longer
 * idempotency_retention_s that makes it a duplicate), or a snapshot holds
 * more members than max_members, the attach fails with PLAUDIT_ESTATE and
 * a message naming the option, rather than build another state.
 *
 * RETROACTIVE RECALCULATION.  A snapshot carries a fingerprint of the
 * program that wrote it (every rule's id and values, the time zone; not
 * names or descriptions).  If the context's program differs, the snapshot
 * is not loaded: the whole journal is replayed from record 1 under the new
 * program, rebuilding every member's points, tiers, badges and boards as
 * if the new rules had always applied (events the new program rejects are
 * counted in plaudit_recovery.rejected and have no effect).  That needs
 * the whole history: by default plaudit_store_snapshot compacts the
 * journal (journal_drop), and a later retroactive replay then fails with
 * PLAUDIT_EHISTORY.  Set keep_journal (the snapshot then only speeds up
 * recovery), or open the file store with PLAUDIT_FILE_STORE_ARCHIVE (which
 * moves compacted segments to an archive/ folder and reads them back for
 * a retroactive replay), to keep that possibility.  After a retroactive
 * replay, call plaudit_store_snapshot so the next start is fast.
 *
 * PROGRAM EVENTS.  A program event (plaudit_program_update) is an event
 * like any other: journaled, replayed by recovery, and its effect is part
 * of the state.  The program the context is given before attaching is the
 * program in force before the first event; recovery switches to the
 * program each replayed program event sets.  A snapshot taken after a
 * program event holds the program in force (its document, and the badges
 * kept only because members earned them), and its fingerprint is that of
 * the program the context was given at attach, not of the program in
 * force: attach with the same initial program and the snapshot loads
 * (switching the context to the snapshot's program); attach with another
 * one and the journal is replayed retroactively from record 1 under it,
 * program events included (each still replaces the program from its ts
 * on).  A failed attach leaves the context with the program it was given.
 * A retroactive replay reports what it changed: snapshots (written with
 * JSON support) carry the program in force, so recovery rebuilds the state
 * under the old program (the snapshot, then the records after it) beside
 * the replay, and lists the members whose tier, badges, points or balance
 * differ (plaudit_recovery.changed_members, plaudit_store_recovery_change).
 */

typedef enum plaudit_sync_policy {
    PLAUDIT_SYNC_ALWAYS = 0, /* sync after every accepted event (default) */
    PLAUDIT_SYNC_BATCH,      /* every sync_every_n events / sync_every_ms */
    PLAUDIT_SYNC_NEVER,      /* only on request */
    PLAUDIT_SYNC_GROUP       /* group commit on the file store's sync
                                thread; see plaudit_store_wait_durable */
} plaudit_sync_policy;

#define PLAUDIT_STORE_OPTIONS_VERSION 1
typedef struct plaudit_store_options {
    unsigned version;
    plaudit_sync_policy sync;
    uint32_t sync_every_n;   /* BATCH: sync once this many events are
                                unsynced (0: no count bound) */
    uint32_t sync_every_ms;  /* BATCH: sync when an event arrives this many
                                ms after the last sync (0: no time bound);
                                both 0 behaves as ALWAYS */
    int keep_journal;        /* 1: snapshots never drop journal records, so
                                a retroactive replay stays possible */
} plaudit_store_options;
#define PLAUDIT_STORE_OPTIONS_INIT { PLAUDIT_STORE_OPTIONS_VERSION, PLAUDIT_SYNC_ALWAYS, 0, 0, 0 }

/* What plaudit_store_attach found and did.  Version 2 of the struct
 * appended `arrivals`: plaudit_store_recovery_get fills version 1 (the
 * fields up to changed_members, as before), plaudit_store_recovery_get_version
 * the version a caller asks for. */
#define PLAUDIT_RECOVERY_VERSION 2
typedef struct plaudit_recovery {
    int snapshot;            /* 1 when a snapshot was loaded */
    uint64_t snapshot_seq;   /* last record the snapshot covers (0: none) */
    int retroactive;         /* 1: the program changed; the whole journal
                                was replayed and the snapshot ignored */
    uint64_t records;        /* journal records read */
    uint64_t skipped;        /* of them, already covered by the snapshot */
    uint64_t replayed;       /* of them, replayed */
    uint64_t accepted;       /* replayed records accepted */
    uint64_t rejected;       /* replayed records the program rejected (0
                                unless the program changed) */
    uint64_t duplicates;     /* replayed records that were duplicates */
    uint64_t torn_bytes;     /* bytes dropped at the end of the journal,
                                torn or damaged (0: it ended cleanly) */
    uint64_t last_seq;       /* seq of the last record; the next is +1 */
    /* Library 2.0 (the struct grew with the soname): what was dropped. */
    uint64_t torn_records;   /* 1 when the journal ended in a record cut
                                short (or zeros): a crash in the middle of
                                an append, whose event was never
                                acknowledged */
    uint64_t damaged_records; /* 1 when the last record was all there but
                                failed its checksum: it was written whole,
                                so its event may have been acknowledged,
                                and it is lost (a warning; anywhere but at
                                the end this is PLAUDIT_ECORRUPT) */
    /* A retroactive replay: how many members it changed against the state
     * the store held under the program that wrote the snapshot (the
     * snapshot, then the later records replayed under that program):
     * their tier, badges, points or balance (a redemption the new program
     * rejects shows in the balance) differ.  plaudit_store_recovery_change
     * lists them.  0 without a retroactive replay, or when the snapshot
     * does not carry its program (written without JSON support). */
    uint64_t changed_members;
    /* Version 2: replayed records that are arrivals of events the reorder
     * window held (spec section 6), those released later as accepted and
     * those rejected at release alike.  An arrival's event is decided when
     * it is released, so it is not in accepted, rejected or duplicates;
     * replayed = accepted + rejected + duplicates + arrivals + the flush
     * marks (plaudit_flush) replayed. */
    uint64_t arrivals;
} plaudit_recovery;

/* What differs for a member a retroactive replay changed (bits). */
#define PLAUDIT_CHANGED_TIER 1u
#define PLAUDIT_CHANGED_BADGES 2u
#define PLAUDIT_CHANGED_POINTS 4u
#define PLAUDIT_CHANGED_BALANCE 8u
#define PLAUDIT_CHANGED_MEMBER 16u /* exists under one program only */

/* The i-th member (0 <= i < changed_members, in id order) the last
 * retroactive replay changed: *member (owned by ctx, valid until the store
 * is detached or the next attach) and *what (PLAUDIT_CHANGED_* bits).
 * PLAUDIT_ENOTFOUND past the end; PLAUDIT_ESTATE without a store. */
PLAUDIT_EXPORT int plaudit_store_recovery_change(plaudit_ctx *ctx, size_t i, const char **member, unsigned *what);

/* Attach a store to a context whose program is declared and which has not
 * recorded any event yet, and recover from it (see RECOVERY).  The program
 * is sealed.  The store struct is copied and its version checked
 * (PLAUDIT_EVERSION); opts may be NULL for PLAUDIT_STORE_OPTIONS_INIT.
 * On success the context owns the store: it calls store->close (if set)
 * at plaudit_store_detach or plaudit_ctx_free, and from now on journals
 * every accepted event.  On failure the context is left with an empty
 * state, the store is not owned (close it with plaudit_store_close) and
 * plaudit_errmsg says what failed.
 * Errors: PLAUDIT_EINVAL (NULL, a must-provide slot missing), PLAUDIT_ESTATE
 * (events already recorded, a store already attached, inside a listener or
 * store callback, the context's options reject what the store holds),
 * PLAUDIT_EVERSION (struct, record or snapshot version), PLAUDIT_ECORRUPT,
 * PLAUDIT_EHISTORY, PLAUDIT_ENOMEM, or a store callback's code. */
PLAUDIT_EXPORT int plaudit_store_attach(plaudit_ctx *ctx, const plaudit_store *store,
                                        const plaudit_store_options *opts);

/* The report of the last successful plaudit_store_attach (zeros before):
 * the fields of struct version 1 (up to changed_members; a caller built
 * against an older header has no room for more). */
PLAUDIT_EXPORT int plaudit_store_recovery_get(const plaudit_ctx *ctx, plaudit_recovery *out);
/* The same, filling the fields of struct version `version` (1 or
 * PLAUDIT_RECOVERY_VERSION; PLAUDIT_EVERSION otherwise, out untouched). */
PLAUDIT_EXPORT int plaudit_store_recovery_get_version(const plaudit_ctx *ctx, plaudit_recovery *out,
                                                      unsigned version);

/* Make every journaled event durable now (store->sync).  PLAUDIT_ESTATE
 * without a store. */
PLAUDIT_EXPORT int plaudit_store_sync(plaudit_ctx *ctx);

/* *seq receives the sequence number of the last journal record (0: none):
 * right after an event call that journaled its event, that event's
 * record.  A query (no message); PLAUDIT_ESTATE without a store. */
PLAUDIT_EXPORT int plaudit_store_journal_seq(const plaudit_ctx *ctx, uint64_t *seq);

/* *seq receives the last journal record known durable (every record up to
 * it is).  PLAUDIT_SYNC_GROUP with the file store: may be called from any
 * thread, also while another thread makes calls on ctx (not concurrently
 * with plaudit_store_detach or plaudit_ctx_free), and never blocks.
 * PLAUDIT_ESTATE without a store (*seq = 0); sets no message. */
PLAUDIT_EXPORT int plaudit_store_durable_seq(const plaudit_ctx *ctx, uint64_t *seq);

/* Return once journal record seq is durable.  PLAUDIT_SYNC_GROUP with the
 * file store: may be called from any thread, also while another thread
 * makes calls on ctx (not concurrently with plaudit_store_detach or
 * plaudit_ctx_free); it waits for the sync thread, sets no message, and
 * returns PLAUDIT_OK, PLAUDIT_EINVAL (seq was not journaled), or
 * PLAUDIT_EIO (a background sync failed: the detail comes with the next
 * event call's error).  Otherwise it is an ordinary call on ctx: it
 * syncs the journal (as plaudit_store_sync) if seq is not durable yet;
 * PLAUDIT_EINVAL past the last record, PLAUDIT_ESTATE without a store or
 * inside a callback, a store's code. */
PLAUDIT_EXPORT int plaudit_store_wait_durable(plaudit_ctx *ctx, uint64_t seq);

/* Write a snapshot of the whole state (after syncing the journal), then,
 * unless keep_journal is set, let the store drop the journal records it
 * covers.  The state is unchanged either way.  If dropping fails, the
 * snapshot is written and the error is returned (the journal is longer
 * than needed, nothing is lost).  PLAUDIT_ESTATE without a store or
 * inside a listener or store callback; PLAUDIT_ENOMEM; a store callback's code. */
PLAUDIT_EXPORT int plaudit_store_snapshot(plaudit_ctx *ctx);

/* Sync and let go of the store (store->close).  The context keeps its
 * state in memory and stops journaling.  If the sync fails the store stays
 * attached and the error is returned.  No store: PLAUDIT_OK.
 * plaudit_ctx_free detaches too (a failing sync is then ignored). */
PLAUDIT_EXPORT int plaudit_store_detach(plaudit_ctx *ctx);

/* ---- The file store ------------------------------------------------------ */
/*
 * A store in a directory, shipped in the library:
 *   (the directory itself)       held with flock() while open
 *   LOCK                         held with flock() too (older libraries)
 *   journal-<first seq>.log      append-only journal segments (20 digits)
 *   snapshot                     the latest snapshot
 *   snapshot.tmp                 a snapshot being written (then renamed)
 *   archive/journal-*.log        compacted segments (ARCHIVE flag)
 *   ack                          the outbox's acknowledged position (u64 seq
 *                                and its CRC-32C), replaced like the
 *                                snapshot (ack.tmp, synced, renamed)
 * fsync follows the context's sync policy; creating or removing a segment
 * and renaming the snapshot also sync the directory.  A second open of the
 * same directory, from any process, fails with PLAUDIT_ELOCKED (deleting
 * LOCK does not defeat the lock).  Nothing is opened through a symbolic
 * link and only regular files are read: a link, FIFO or device named like
 * a store file fails the open or attach with PLAUDIT_EIO.
 * See docs/storage-format.md.
 */
#define PLAUDIT_FILE_STORE_CREATE 1u  /* create the directory if missing */
#define PLAUDIT_FILE_STORE_ARCHIVE 2u /* archive compacted segments */

/* Open the store in directory dir and fill *out (its payload is owned by
 * the store: attach it, whereupon the context closes it, or release it
 * with plaudit_store_close).  Memory comes from ctx's allocator, which
 * must outlive the store; errors are reported on ctx.  segment_bytes: roll
 * to a new journal segment after this size (0: 64 MiB).
 * Errors: PLAUDIT_ENOTFOUND (no such directory, without CREATE),
 * PLAUDIT_EIO (not a directory, permission denied, read-only file system,
 * disk full, other OS errors; the message names the call, the path and the
 * system's error text), PLAUDIT_ELOCKED, PLAUDIT_ENOMEM, PLAUDIT_EINVAL. */
PLAUDIT_EXPORT int plaudit_file_store_open(plaudit_ctx *ctx, plaudit_store *out, const char *dir, unsigned flags,
                                           uint64_t segment_bytes);

/* ------------------------------------------------------------------------ */
/* Portable recognition: Open Badges 3.0 credentials                         */
/* ------------------------------------------------------------------------ */
/*
 * An earned badge as an unsigned 1EdTech Open Badges 3.0 OpenBadgeCredential
 * (a W3C Verifiable Credential 2.0), valid against 1EdTech's JSON Schema.
 * Signing is the issuer's job, with its own keys: see docs/credentials.md
 * (VC-JWT or a Data Integrity proof over the document).  Always available
 * (it does not need the `json` feature).
 *
 * The document is deterministic: the same program, events and options give
 * the same bytes.  Mapping:
 *   id          base_url "/credentials/" badge "/" m "/" k, where m is the
 *               first 32 hex digits of SHA-256(member id) and k the level
 *               (levelled badges) or the time (repeatable, leaderboard and
 *               manual badges); 1 for the others.
 *   issuer      Profile: issuer_id, issuer_name, and issuer_url,
 *               issuer_email, issuer_image when given.
 *   validFrom   when level / time k was earned (RFC 3339, UTC, "Z"); also
 *               awardedDate.
 *   achievement id base_url "/achievements/" badge (levelled badges:
 *               ".../levels/" k), type Achievement, achievementType Badge,
 *               name (the badge's name or id; levelled: "NAME (level k of
 *               n)"), description (the badge's, else its criteria
 *               sentence), image (when the badge has one), and
 *               criteria.narrative: the badge's criteria text, else the
 *               sentence the engine writes from its criterion; for a level,
 *               the sentence states that level's threshold.
 *   subject     from exactly one of subject_template, subject_id or
 *               subject_email (see below).
 */

#define PLAUDIT_CREDENTIAL_OPTIONS_VERSION 1

/* Options for plaudit_credential_export.  Start from
 * PLAUDIT_CREDENTIAL_OPTIONS_INIT.  Strings are UTF-8 and only read during
 * the call.  Fields added later are appended at the end. */
typedef struct plaudit_credential_options {
    unsigned version;
    /* The issuer's profile.  issuer_id (a URL or DID) and issuer_name are
     * required; the others may be NULL. */
    const char *issuer_id;
    const char *issuer_name;
    const char *issuer_url;
    const char *issuer_email;
    const char *issuer_image;     /* URL of the issuer's logo */
    /* Required: where the issuer publishes achievements and credentials,
     * e.g. "https://community.example/badges" (a trailing '/' is dropped). */
    const char *base_url;
    /* The subject (the member), exactly one of these three: */
    /* (1) A template: "{member}" is replaced by the member id, percent-
     * encoded (RFC 3986: everything but A-Z a-z 0-9 - . _ ~), e.g.
     * "https://community.example/members/{member}" or "did:web:example.com:
     * members:{member}".  Without "{member}" it is used as it is. */
    const char *subject_template;
    /* (2) A callback giving the subject id (URL or DID) of a member.  The
     * returned string must stay valid until the call returns (the library
     * copies it); NULL fails the call with PLAUDIT_EUSER. */
    const char *(*subject_id)(const char *member, void *payload);
    /* (3) Hashed email: the callback sets *email (required) and *salt (may
     * be NULL) for the member, valid until the call returns, and returns
     * 0, or non-zero to fail the call with PLAUDIT_EUSER.  The subject then
     * carries an IdentityObject (identityType emailAddress, hashed, with
     * identityHash "sha256$" + hex SHA-256 of email followed by salt, as in
     * Open Badges 2.0 and 3.0) and no id.  The email is hashed exactly as
     * given: normalise it (e.g. lower-case) yourself if you need to. */
    int (*subject_email)(const char *member, const char **email, const char **salt, void *payload);
    void *payload;                /* passed to the callbacks */
} plaudit_credential_options;

#define PLAUDIT_CREDENTIAL_OPTIONS_INIT \
    { PLAUDIT_CREDENTIAL_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* Write the OpenBadgeCredential of `member`'s badge `badge`.
 * level_or_time: for a levelled badge the level (1..earned level), for a
 * repeatable, leaderboard or manual badge the time (1..times earned);
 * 0 = the latest (highest level / last time).
 * On success *out holds the JSON document (pretty-printed, 2 spaces, with a
 * trailing newline), allocated with the context's allocator (free with
 * plaudit_free); *len (may be NULL) its length without the NUL.
 * Errors (with a message in plaudit_errmsg): PLAUDIT_EINVAL (NULL
 * arguments, missing issuer_id / issuer_name / base_url, not exactly one
 * subject mode), PLAUDIT_EVERSION, PLAUDIT_ENOTFOUND (unknown member or
 * badge, or the member has not earned the badge), PLAUDIT_ERANGE
 * (level_or_time beyond what was earned), PLAUDIT_EUTF8 / PLAUDIT_ESTRING
 * (an option or callback string that is not valid text), PLAUDIT_EUSER (a
 * subject callback failed), PLAUDIT_ENOMEM.  On error *out is NULL.
 * A query: it changes nothing and may be called from a listener. */
PLAUDIT_EXPORT int plaudit_credential_export(plaudit_ctx *ctx, const char *member, const char *badge,
                                             uint32_t level_or_time, const plaudit_credential_options *opts,
                                             char **out, size_t *len);

/* ------------------------------------------------------------------------ */
/* JSON: program documents, event lines, outcomes                            */
/* ------------------------------------------------------------------------ */
/*
 * Available when the library is built with the `json` feature (jansson);
 * otherwise these return PLAUDIT_EUNSUPPORTED.  plaudit_has_json() tells.
 */

/* 1 when the JSON functions are available. */
PLAUDIT_EXPORT int plaudit_has_json(void);

/* Load a program document ("plaudit.program/1", spec section 2).  Before
 * the first event (and before a store is attached) a load REPLACES the
 * whole program: every rule declared or loaded earlier, the name, the time
 * zone and the UTC offset are dropped first, so the context then holds
 * exactly what the document says (a field the document leaves out has
 * its default, whatever an earlier load set).  Once the program is sealed
 * it fails with PLAUDIT_ESTATE and changes nothing.  Every error names the
 * JSON path and what is wrong (`badges[3].when.action: unknown action
 * "forum.anser"`), and leaves the context with no program at all (neither
 * the document's nor the one it was to replace).
 * Errors: PLAUDIT_EPARSE (not JSON / wrong type / unknown key / a NUL byte,
 * "NUL byte at offset N"), the codes of the declaration calls,
 * PLAUDIT_ESTATE (sealed, inside a listener or store callback), PLAUDIT_ELIMIT (larger than
 * max_program_bytes, nested deeper than max_json_depth, more than
 * max_rules rules of a kind). */
PLAUDIT_EXPORT int plaudit_program_load_json(plaudit_ctx *ctx, const char *json, size_t len);
/* The same, reading a file (PLAUDIT_EIO when it cannot be read). */
PLAUDIT_EXPORT int plaudit_program_load_file(plaudit_ctx *ctx, const char *path);
/* The context's program as a JSON document that loads back to the same
 * program.  *out is allocated with the context's allocator (plaudit_free);
 * *len (may be NULL) its length. */
PLAUDIT_EXPORT int plaudit_program_export_json(plaudit_ctx *ctx, char **out, size_t *len);

/* Parse one event line (spec section 3) into *ev.  The strings *ev points to
 * are owned by ctx and valid until the next plaudit_event_parse or
 * plaudit_record_json call on it.  A malformed line gives PLAUDIT_EPARSE
 * (or PLAUDIT_EUTF8), with the reason in plaudit_errmsg; a line longer than
 * the context's max_line_bytes or nested deeper than its max_json_depth
 * gives PLAUDIT_ELIMIT.  A blank line gives
 * PLAUDIT_ENOTFOUND ("nothing to record"). */
PLAUDIT_EXPORT int plaudit_event_parse(plaudit_ctx *ctx, const char *line, size_t len, plaudit_event *ev);

/* Parse and record one event line.  Return as plaudit_record; a malformed
 * line is rejected (and counted in the stats) with PLAUDIT_EPARSE or
 * PLAUDIT_EUTF8; a blank line returns PLAUDIT_ENOTFOUND and is not counted. */
PLAUDIT_EXPORT int plaudit_record_json(plaudit_ctx *ctx, const char *line, size_t len, plaudit_outcome *out);

/* An outcome as one line of JSON (no newline), as `plaudit replay --trace`
 * prints it.  *out allocated with the context's allocator (plaudit_free). */
PLAUDIT_EXPORT int plaudit_outcome_json(plaudit_ctx *ctx, const plaudit_outcome *outcome, char **out, size_t *len);

/* One moment as a line of JSON (no newline) with its seq (and
 * "redelivered":true when set), as `plaudit replay --moments` writes it.
 * *out allocated with the context's allocator (plaudit_free). */
PLAUDIT_EXPORT int plaudit_moment_json(plaudit_ctx *ctx, const plaudit_moment *moment, char **out, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* PLAUDIT_H */
