/* byte-counter.h - an allocator for the memory tests (test-resources,
 * test-tail): it counts the live bytes (the sizes asked for, not the
 * allocator's rounding), their peak and the live blocks, and can fail the
 * k-th allocation after it is armed.  Header-only; pass the counter as the
 * allocator's payload (bc_options). */
#ifndef PLAUDIT_TEST_BYTE_COUNTER_H
#define PLAUDIT_TEST_BYTE_COUNTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "plaudit.h"

typedef struct counter {
    size_t live, peak, blocks;
    uint64_t calls, fail_at; /* armed: fail the fail_at-th allocation (1-based) */
    int armed, failed;
} counter;

/* Each block starts with its size, so that free and realloc know it;
 * 16 bytes keep the caller's block aligned as malloc's. */
typedef struct hdr {
    size_t n;
    size_t pad;
} hdr;

static int c_fail(counter *c)
{
    if (!c->armed) return 0;
    if (++c->calls != c->fail_at) return 0;
    c->failed = 1;
    return 1;
}

static void c_grew(counter *c)
{
    if (c->live > c->peak) c->peak = c->live;
}

static void *c_malloc(size_t n, void *p)
{
    counter *c = p;
    if (c_fail(c)) return NULL;
    hdr *h = malloc(sizeof *h + n);
    if (!h) return NULL;
    h->n = n;
    c->live += n;
    c->blocks++;
    c_grew(c);
    return h + 1;
}

static void c_free(void *q, void *p)
{
    if (!q) return;
    counter *c = p;
    hdr *h = (hdr *)q - 1;
    c->live -= h->n;
    c->blocks--;
    free(h);
}

static void *c_realloc(void *q, size_t n, void *p)
{
    counter *c = p;
    if (!q) return c_malloc(n, p);
    if (c_fail(c)) return NULL;
    hdr *h = (hdr *)q - 1;
    size_t old = h->n;
    hdr *g = realloc(h, sizeof *g + n);
    if (!g) return NULL;
    g->n = n;
    c->live = c->live - old + n;
    c_grew(c);
    return g + 1;
}

/* Route o's allocator through c. */
static void bc_options(plaudit_options *o, counter *c)
{
    o->allocator.malloc = c_malloc;
    o->allocator.realloc = c_realloc;
    o->allocator.free = c_free;
    o->allocator.payload = c;
}

#endif
