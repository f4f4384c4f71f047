/* rank-speed.c - ad-hoc speed check of lib/state/rank.c (not a registered test).
 * Build: cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Ilib -Iinclude \
 *          lib/base/alloc.c lib/state/rank.c tests/rank-speed.c -o rank-speed
 * Prints ns per update (remove + insert with a changed score), ns per rank
 * query, ns per at(), and bytes per entry, for N entries (default 1e6). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "plaudit.h"
#include "rank.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int idcmp(uint32_t a, uint32_t b, void *ud)
{
    (void)ud;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
    long iters = argc > 2 ? strtol(argv[2], NULL, 10) : 2000000;
    pl_alloc a;
    pl_rank *r;
    int64_t *score = malloc(n * sizeof *score), *ts = malloc(n * sizeof *ts);
    volatile uint64_t sink = 0;
    if (!score || !ts)
        return 1;
    pl_alloc_default(&a);
    if (pl_rank_new(&a, idcmp, NULL, &r))
        return 1;
    double t0 = now();
    for (uint32_t i = 0; i < n; i++) {
        score[i] = (int64_t)(rnd() % 10000000u);
        ts[i] = (int64_t)i;
        if (pl_rank_insert(r, score[i], ts[i], i))
            return 1;
    }
    double t1 = now();
    printf("n=%u build %.1f ns/insert, %.1f bytes/entry\n", n, (t1 - t0) / n,
           (double)pl_rank_memory(r) / n);

    /* updates: a random member's score moves by a small random amount */
    t0 = now();
    for (long k = 0; k < iters; k++) {
        uint32_t m = (uint32_t)(rnd() % n);
        if (pl_rank_remove(r, score[m], ts[m], m))
            return 1;
        score[m] += (int64_t)(rnd() % 2001) - 1000;
        ts[m] = (int64_t)n + k;
        if (pl_rank_insert(r, score[m], ts[m], m))
            return 1;
    }
    t1 = now();
    printf("update (remove+insert): %.1f ns\n", (t1 - t0) / (double)iters);

    t0 = now();
    for (long k = 0; k < iters; k++) {
        uint32_t m = (uint32_t)(rnd() % n);
        sink += pl_rank_rank(r, score[m], ts[m], m);
    }
    t1 = now();
    printf("rank query: %.1f ns\n", (t1 - t0) / (double)iters);

    t0 = now();
    for (long k = 0; k < iters; k++) {
        pl_rank_entry e;
        pl_rank_at(r, 1 + rnd() % n, &e);
        sink += e.member;
    }
    t1 = now();
    printf("at query: %.1f ns\n", (t1 - t0) / (double)iters);

    pl_rank_entry page[100];
    t0 = now();
    for (long k = 0; k < iters / 10; k++)
        sink += pl_rank_range(r, 1 + rnd() % n, 100, page);
    t1 = now();
    printf("range(100): %.1f ns\n", (t1 - t0) / (double)(iters / 10));
    printf("after churn: %.1f bytes/entry, check=%d\n", (double)pl_rank_memory(r) / n, pl_rank_check(r));
    pl_rank_free(r);
    free(score);
    free(ts);
    return (int)(sink & 0);
}
