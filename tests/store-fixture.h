/* store-fixture.h - shared by the store tests: an in-memory store (in
 * shared memory, so a forked child's writes survive its death) whose calls
 * can be made to fail or to crash the process, a counting allocator that
 * can fail the n-th allocation, a program and a workload. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "plaudit.h"

#define T0_FOR_TESTS 1700438400

#define MEM_JCAP (1u << 20)
#define MEM_SCAP (1u << 20)
#define MEM_RCAP 8192

typedef struct memstore {
    /* journal bytes and record boundaries */
    size_t jlen;
    size_t nrec;
    uint64_t rec_seq[MEM_RCAP];
    size_t rec_off[MEM_RCAP];
    unsigned char j[MEM_JCAP];
    /* snapshot */
    size_t slen;
    uint64_t snap_seq;
    unsigned char snap[MEM_SCAP];
    /* fault injection */
    uint64_t calls;           /* store calls so far */
    uint64_t fail_at;         /* fail exactly this call (1-based; 0 never) */
    int fail_code;
    uint64_t crash_at;        /* _exit(0) at this call */
    int cur_step;             /* written by the workload before each step */
    uint64_t cuts, drops;
    unsigned chunk;           /* read chunk size (0: 7, 64, 1000 rotating) */
    uint64_t ack;             /* the outbox's acknowledged position */
    int no_ack;               /* mem_store leaves out ack_write/ack_read */
    char err[128];
} memstore;

memstore *mem_new(void);           /* shared, zeroed */
void mem_free(memstore *m);
void mem_copy(memstore *dst, const memstore *src);
plaudit_store mem_store(memstore *m);

/* Counting, failing allocator. */
typedef struct falloc {
    long live;                /* blocks held */
    uint64_t count;           /* allocations so far (malloc + realloc) */
    uint64_t fail_at;         /* fail exactly this allocation (0 never) */
    int armed;                /* count and fail only when set */
    int failed;               /* a failure was injected */
} falloc;
plaudit_options falloc_options(falloc *f);

/* The test program (actions, tiers, a badge, a board, kudos, a reward).
 * variant 1 changes the rules (more points per post). */
int declare_program(plaudit_ctx *ctx, int variant);
plaudit_ctx *new_ctx(const plaudit_options *opts, int variant);

/* A workload step: an event, or a snapshot (type == -1). */
typedef struct step {
    int snapshot;
    plaudit_event ev;
} step;
extern const step *workload;
extern size_t n_workload;
/* Format 1 (the default) or 2: a format 2 program and a workload with refs
 * and revokes; 3: a format 2 program with teams, team boards, a season,
 * campaigns, a challenge and a dated badge, and a workload using them. */
void fixture_select(int format);

/* Run step i on ctx; returns the call's code. */
int run_step(plaudit_ctx *ctx, size_t i);

/* Reference run without a store: digest before each step (n+1 values)
 * and each step's code. */
void reference(int variant, uint64_t *digests, int *codes);

uint64_t empty_digest(int variant);

/* Contexts made by new_ctx keep this many history entries per member (0:
 * none, the default); fixture_digest is then the state digest combined
 * with a hash of every member's points history. */
void fixture_history(size_t per_member);
uint64_t fixture_digest(plaudit_ctx *ctx);

#endif
