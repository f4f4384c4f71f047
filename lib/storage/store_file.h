/* store_file.h - what recovery (store.c) asks of the file store itself,
 * past the callback table. */
#ifndef PL_STORE_FILE_H
#define PL_STORE_FILE_H

#include <stddef.h>

#include "plaudit/store.h"

/* The snapshot of the file store cb, mapped read-only whole, for recovery
 * to load in place (no copy into a buffer of its size).  Returns 0 with
 * *data and *len set (*len 0 and *data NULL: no snapshot); 1 when cb is
 * not the file store or the file cannot be mapped (read it through
 * snapshot_read); or a negative code, the detail in the store's errmsg.
 * Release a mapping with pl_file_store_snap_unmap. */
int pl_file_store_snap_map(const plaudit_store *cb, const void **data, size_t *len);
void pl_file_store_snap_unmap(const void *data, size_t len);

#endif
