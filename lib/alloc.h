/* alloc.h - the per-context allocator every internal module allocates
 * through (internal). */
#ifndef PL_ALLOC_H
#define PL_ALLOC_H

#include <stddef.h>

typedef struct pl_alloc {
    void *(*malloc)(size_t size, void *payload);
    void *(*realloc)(void *ptr, size_t size, void *payload);
    void (*free)(void *ptr, void *payload);
    void *payload;
} pl_alloc;

static inline void *pl_malloc(const pl_alloc *a, size_t n) { return a->malloc(n ? n : 1, a->payload); }
static inline void *pl_realloc(const pl_alloc *a, void *p, size_t n) { return a->realloc(p, n ? n : 1, a->payload); }
static inline void pl_free(const pl_alloc *a, void *p) { if (p) a->free(p, a->payload); }

/* The default allocator (malloc/realloc/free). */
void pl_alloc_default(pl_alloc *a);

#endif
