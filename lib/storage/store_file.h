/* store_file.h - the file store's own parts: its state, shared by
 * store_file.c and store_file_sync.c, and what recovery (store.c) asks of
 * it past the callback table. */
#ifndef PL_STORE_FILE_H
#define PL_STORE_FILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "internal.h"

/* A file store (store_file.c; its sync thread in store_file_sync.c). */
typedef struct fstore {
    pl_alloc a;
    char *dir;
    int dirfd, lockfd;
    unsigned flags;
    uint64_t seg_bytes;
    int fd;                   /* active segment, -1: none open */
    uint64_t fd_size, fd_first;   /* bytes of records in it, its first seq */
    uint64_t fd_alloc;        /* its size on disk (records, then zeros) */
    unsigned char *map;       /* fd_alloc bytes of it mapped, or NULL */
    uint64_t sync_from;       /* bytes before this are synced */
    uint64_t page;            /* the system's page size */
    uint64_t fsize_max;       /* RLIMIT_FSIZE: preallocation stays below it
                                 (past it the process gets SIGXFSZ) */
    uint64_t last_seq;        /* last appended seq (0: none since open) */
    int fd_dirty, dir_dirty;
    char err[PL_ERRMSG_MAX];
    /* The sync thread (PLAUDIT_SYNC_GROUP), started by the first kick.
     * Under bg_mu: bg_fd (its own descriptor of the segment it syncs),
     * bg_next_fd (the next segment's, taken at its next round), bg_dir
     * (the directory needs an fsync), bg_stop, bg_msg. */
    pthread_mutex_t bg_mu;
    pthread_cond_t bg_wake, bg_done;
    pthread_t bg_thread;
    int bg_started, bg_fd, bg_next_fd, bg_dir, bg_stop;
    _Atomic uint64_t bg_appended; /* last record whose bytes are in the file */
    _Atomic uint64_t bg_durable;  /* last record known durable */
    _Atomic int bg_idle;          /* the thread waits for appends */
    _Atomic int bg_err;           /* the errno of a failed sync (sticky) */
    char bg_msg[PL_ERRMSG_MAX];
} fstore;

/* Errors: the kind of a failure ("disk full: ", ...), strerror_r's
 * text, and f->err set from both (returns PLAUDIT_EIO). */
const char *pl_fs_kind_of(int e);
const char *pl_fs_syserr(int e, char *buf, size_t n);
int pl_fs_ferr(fstore *f, int e, const char *call, const char *name);

/* The sync thread's calls (pl_file_store_bg hands them out), and its
 * end: stop and join it, close its descriptors. */
extern const pl_bg_ops pl_fs_bg_ops;
void pl_fs_bg_stop(fstore *f);

/* The snapshot of the file store cb, mapped read-only whole, for recovery
 * to load in place (no copy into a buffer of its size).  Returns 0 with
 * *data and *len set (*len 0 and *data NULL: no snapshot); 1 when cb is
 * not the file store or the file cannot be mapped (read it through
 * snapshot_read); or a negative code, the detail in the store's errmsg.
 * Release a mapping with pl_file_store_snap_unmap. */
int pl_file_store_snap_map(const plaudit_store *cb, const void **data, size_t *len);
void pl_file_store_snap_unmap(const void *data, size_t len);

#endif
