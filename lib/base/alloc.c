/* alloc.c - the default allocator behind the per-context hooks. */
#include <stdlib.h>

#include "alloc.h"

static void *def_malloc(size_t n, void *p) { (void)p; return malloc(n); }
static void *def_realloc(void *ptr, size_t n, void *p) { (void)p; return realloc(ptr, n); }
static void def_free(void *ptr, void *p) { (void)p; free(ptr); }

void pl_alloc_default(pl_alloc *a)
{
    a->malloc = def_malloc;
    a->realloc = def_realloc;
    a->free = def_free;
    a->payload = NULL;
}
