/* rank.h - an order-statistic index for leaderboards (internal).
 *
 * A counted B+tree of entries (score, ts, member).  Order: score descending,
 * then ts ascending, then member id bytewise ascending (compared through a
 * callback, since the tree stores only the member's index).  Every operation
 * is O(log n); nodes are wide so that a million entries need few cache
 * misses.  Memory comes from the given allocator. */
#ifndef PL_RANK_H
#define PL_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

/* Compares the ids of members a and b bytewise: <0, 0, >0. */
typedef int (*pl_rank_idcmp)(uint32_t a, uint32_t b, void *ud);

typedef struct pl_rank_entry {
    int64_t score;
    int64_t ts;
    uint32_t member;
} pl_rank_entry;

typedef struct pl_rank pl_rank; /* opaque */

/* Create an empty index.  Returns 0 or PLAUDIT_ENOMEM. */
int pl_rank_new(const pl_alloc *a, pl_rank_idcmp cmp, void *ud, pl_rank **out);
void pl_rank_free(pl_rank *r);
/* The comparator's ud from now on (an index moved to another context). */
void pl_rank_set_ud(pl_rank *r, void *ud);

/* Ensure that the next `n_inserts` inserts (with any removes between them)
 * cannot fail for lack of memory.  Returns 0 or PLAUDIT_ENOMEM (nothing
 * changed).  pl_rank_insert after a successful reserve never fails. */
int pl_rank_reserve(pl_rank *r, size_t n_inserts);

/* Insert an entry whose member is not in the index.  Returns 0 or
 * PLAUDIT_ENOMEM (nothing changed). */
int pl_rank_insert(pl_rank *r, int64_t score, int64_t ts, uint32_t member);

/* Remove the entry with exactly this key.  Returns 0, or PLAUDIT_ENOTFOUND.
 * Never allocates (nodes may be kept for reuse). */
int pl_rank_remove(pl_rank *r, int64_t score, int64_t ts, uint32_t member);

/* Move the entry of `member` from key (old_score, old_ts) to (score, ts):
 * equivalent to pl_rank_remove of the old key then pl_rank_insert of the new
 * one, but in one descent when the new key stays in the same leaf.  Returns
 * 0, PLAUDIT_ENOTFOUND (old key absent; nothing changed) or PLAUDIT_ENOMEM
 * (nothing changed; never after a pl_rank_reserve that covers one insert). */
int pl_rank_update(pl_rank *r, int64_t old_score, int64_t old_ts, int64_t score, int64_t ts,
                   uint32_t member);

/* 1-based rank of the entry with this key, 0 when absent. */
uint64_t pl_rank_rank(const pl_rank *r, int64_t score, int64_t ts, uint32_t member);

/* The entry at 1-based rank k (1 <= k <= count).  Returns 0 or
 * PLAUDIT_ENOTFOUND. */
int pl_rank_at(const pl_rank *r, uint64_t k, pl_rank_entry *out);

/* Copy up to n entries starting at 1-based rank k into out; returns the
 * number copied (fast in-order walk of the leaves). */
size_t pl_rank_range(const pl_rank *r, uint64_t k, size_t n, pl_rank_entry *out);

uint64_t pl_rank_count(const pl_rank *r);

/* Remove every entry (keeps memory for reuse).  Never fails. */
void pl_rank_clear(pl_rank *r);

/* Bytes of memory held (for the benchmark's memory figures). */
size_t pl_rank_memory(const pl_rank *r);

/* Check every structural invariant (order, counts, fill); returns 0 when
 * sound, -1 otherwise (tests and fuzzers). */
int pl_rank_check(const pl_rank *r);

#endif
