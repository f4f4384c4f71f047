/* store_file.c - the embedded default store: a directory with append-only
 * journal segments, a snapshot written to a temporary file and renamed
 * over the old one, fsync of files and of the directory, and an flock()
 * so that two processes cannot open the same store.  It implements the
 * contract of plaudit/store.h with POSIX calls only.  The directory may
 * hold files anyone could have put there: nothing is opened through a
 * symbolic link, only regular files are read (a FIFO would block, a device
 * never end), and a file is read in bounded chunks up to the size it had
 * when it was opened.
 *
 * Appends are copies into a shared mapping of the active segment, not a
 * write() per record: the pages belong to the kernel's page cache, so a
 * killed process loses nothing it copied, and no system call is made per
 * event.  The segment is preallocated ahead (posix_fallocate, so that a
 * full disk fails the append instead of faulting in the mapping) and cut
 * to its records when it is closed; after a crash its zero tail is cut at
 * open (trim_tail). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "store_file.h"

#define SEG_PREFIX "journal-"
#define SEG_SUFFIX ".log"
#define SEG_NAME_MAX 48
#define DEFAULT_SEGMENT (64u << 20)
#define CHUNK (64u << 10)
#define GROW (4u << 20)       /* preallocation step of the active segment */
#define MAP_WINDOW (8u << 20) /* files are read mapped, this much at a time
                                 (a multiple of every page size) */
#define PAGE 4096u            /* page size when sysconf does not tell */


/* ---- errors ----------------------------------------------------------------- */

const char *pl_fs_kind_of(int e)
{
    switch (e) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
    case EFBIG: return "disk full: ";
    case EROFS: return "read-only file system: ";
    case EACCES:
    case EPERM: return "not writable (permission denied): ";
    default: return "";
    }
}

/* strerror_r, not strerror: no shared buffer between contexts. */
const char *pl_fs_syserr(int e, char *buf, size_t n)
{
    if (strerror_r(e, buf, n)) snprintf(buf, n, "error %d", e);
    return buf;
}

int pl_fs_ferr(fstore *f, int e, const char *call, const char *name)
{
    char sys[128];
    pl_fs_syserr(e, sys, sizeof sys);
    snprintf(f->err, sizeof f->err, "%s%s %s/%s: %s", pl_fs_kind_of(e), call, f->dir, name ? name : "", sys);
    return PLAUDIT_EIO;
}

static const char *f_errmsg(void *payload) { return ((fstore *)payload)->err; }

/* Flags for every file opened in the store directory: no symbolic links,
 * and no blocking on a FIFO put there in place of a file. */
#define SAFE_OPEN (O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)

/* Open dir/name (dfd) with flags | SAFE_OPEN and make sure it is a regular
 * file; *st receives its status.  Returns 0, or PLAUDIT_EIO with f->err
 * set (*missing, when not NULL, is set for a file that does not exist). */
static int open_regular(fstore *f, int dfd, const char *name, int flags, struct stat *st, int *fd_out, int *missing)
{
    int fd = openat(dfd, name, flags | SAFE_OPEN, 0644);
    if (fd < 0) {
        if (missing) *missing = errno == ENOENT;
        if (errno == ELOOP) {
            snprintf(f->err, sizeof f->err, "opening %s/%s: a symbolic link (refused: store files are opened "
                     "without following links)", f->dir, name);
            return PLAUDIT_EIO;
        }
        int e = errno;
        /* A FIFO opened for writing without a reader fails (ENXIO): say
         * what it is rather than the system's text. */
        struct stat ls;
        if (e != ENOENT && !fstatat(dfd, name, &ls, AT_SYMLINK_NOFOLLOW) && !S_ISREG(ls.st_mode)) {
            snprintf(f->err, sizeof f->err, "%s/%s is not a regular file (refused)", f->dir, name);
            return PLAUDIT_EIO;
        }
        return pl_fs_ferr(f, e, "opening", name);
    }
    if (fstat(fd, st)) {
        int e = errno;
        close(fd);
        return pl_fs_ferr(f, e, "stat", name);
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        snprintf(f->err, sizeof f->err, "%s/%s is not a regular file (refused)", f->dir, name);
        return PLAUDIT_EIO;
    }
    /* Back to blocking I/O on the regular file (O_NONBLOCK only guarded
     * the open). */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *fd_out = fd;
    return 0;
}

/* ---- segments ----------------------------------------------------------------- */

static void seg_name(char *out, uint64_t first) { snprintf(out, SEG_NAME_MAX, SEG_PREFIX "%020llu" SEG_SUFFIX, (unsigned long long)first); }

static int parse_seg(const char *name, uint64_t *first)
{
    size_t n = strlen(name);
    if (n != 8 + 20 + 4 || memcmp(name, SEG_PREFIX, 8) || strcmp(name + 28, SEG_SUFFIX)) return 0;
    uint64_t v = 0;
    for (int i = 8; i < 28; i++) {
        if (name[i] < '0' || name[i] > '9') return 0;
        v = v * 10 + (uint64_t)(name[i] - '0');
    }
    *first = v;
    return 1;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The first seqs of the segments in dir (sub = NULL) or in dir/sub, sorted. */
static int list_segs(fstore *f, const char *sub, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int dfd = sub ? openat(f->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) : dup(f->dirfd);
    if (dfd < 0) {
        if (sub && errno == ENOENT) return 0;
        return pl_fs_ferr(f, errno, "opening", sub ? sub : ".");
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        int e = errno;
        close(dfd);
        return pl_fs_ferr(f, e, "reading", sub ? sub : ".");
    }
    rewinddir(d);
    size_t cap = 0;
    uint64_t *v = NULL;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        uint64_t first;
        if (!parse_seg(de->d_name, &first)) continue;
        if (pl_grow(&f->a, (void **)&v, &cap, *n + 1, sizeof *v)) {
            rc = PLAUDIT_ENOMEM;
            snprintf(f->err, sizeof f->err, "out of memory listing %s", f->dir);
            break;
        }
        v[(*n)++] = first;
    }
    closedir(d);
    if (rc) {
        pl_free(&f->a, v);
        *n = 0;
        return rc;
    }
    if (*n) qsort(v, *n, sizeof *v, cmp_u64);
    *out = v;
    return 0;
}

static int sync_dir(fstore *f)
{
    if (fsync(f->dirfd)) return pl_fs_ferr(f, errno, "fsync of the directory", "");
    f->dir_dirty = 0;
    return 0;
}

/* Write all of data at the end of fd. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* ---- journal ---------------------------------------------------------------- */

/* Every record appended so far is durable (a sync on this thread). */
static void bg_publish(fstore *f)
{
    pthread_mutex_lock(&f->bg_mu);
    if (f->last_seq > atomic_load(&f->bg_durable)) atomic_store(&f->bg_durable, f->last_seq);
    pthread_cond_broadcast(&f->bg_done);
    pthread_mutex_unlock(&f->bg_mu);
}


static uint64_t round_page(const fstore *f, uint64_t n) { return (n + f->page - 1) / f->page * f->page; }

static void unmap_active(fstore *f)
{
    if (!f->map) return;
    munmap(f->map, (size_t)f->fd_alloc);
    f->map = NULL;
}

/* Make the active segment's appended bytes durable: the mapped range
 * written since the last sync (msync), or the file (fdatasync). */
static int sync_active(fstore *f, const char *name)
{
    if (f->map && f->fd_size > f->sync_from) {
        uint64_t from = f->sync_from / f->page * f->page;
        if (msync(f->map + from, (size_t)(f->fd_size - from), MS_SYNC)) return pl_fs_ferr(f, errno, "msync", name);
    } else if (!f->map && fdatasync(f->fd)) {
        return pl_fs_ferr(f, errno, "fsync", name);
    }
    f->sync_from = f->fd_size;
    f->fd_dirty = 0;
    return 0;
}

/* Cut the active segment's file to its records (the preallocated zeros
 * go) and let go of the mapping. */
static int cut_to_records(fstore *f, const char *name)
{
    unmap_active(f);
    if (f->fd_alloc != f->fd_size) {
        if (ftruncate(f->fd, (off_t)f->fd_size)) return pl_fs_ferr(f, errno, "truncating", name);
        f->fd_alloc = f->fd_size;
        f->fd_dirty = 1; /* the new size reaches the disk with the next sync */
    }
    return 0;
}

/* A segment that is no longer the last one ends exactly after its last
 * record, durably, before a later segment gets any: a zero tail in the
 * middle of the journal would read as corruption. */
static int close_active(fstore *f)
{
    if (f->fd < 0) return 0;
    char name[SEG_NAME_MAX];
    seg_name(name, f->fd_first);
    int rc = f->fd_dirty ? sync_active(f, name) : 0;
    if (!rc) rc = cut_to_records(f, name);
    if (!rc && f->fd_dirty && fsync(f->fd)) rc = pl_fs_ferr(f, errno, "fsync", name);
    if (rc) return rc;
    close(f->fd);
    f->fd = -1;
    f->fd_dirty = 0;
    bg_publish(f);
    return 0;
}

/* Room for len more bytes in the active segment: preallocated on disk (a
 * full disk fails here, not in a write to the mapping) and mapped.  The
 * step grows to GROW, bounded by the segment size.  Without a mapping
 * (mmap refused) appends fall back to pwrite. */
static int reserve(fstore *f, size_t len, const char *name)
{
    uint64_t need = f->fd_size + len;
    if (need <= f->fd_alloc) return 0;
    uint64_t want = f->fd_size + GROW < f->seg_bytes ? f->fd_size + GROW : f->seg_bytes;
    want = round_page(f, want > need ? want : need);
    if (want > f->fsize_max) want = need;
    unmap_active(f);
    int e = posix_fallocate(f->fd, 0, (off_t)want);
    if (e && want > need) e = posix_fallocate(f->fd, 0, (off_t)(want = need));
    if (e) {
        /* A failed preallocation may have grown the file part way. */
        if (ftruncate(f->fd, (off_t)f->fd_alloc)) return PLAUDIT_ECORRUPT;
        return pl_fs_ferr(f, e, "writing", name);
    }
    f->fd_alloc = want;
    void *m = mmap(NULL, (size_t)want, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    f->map = m == MAP_FAILED ? NULL : m;
    return 0;
}

static int pwrite_all(int fd, const void *data, size_t len, uint64_t at)
{
    const char *p = data;
    while (len) {
        ssize_t w = pwrite(fd, p, len, (off_t)at);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        at += (uint64_t)w;
        len -= (size_t)w;
    }
    return 0;
}

/* Publish record seq as appended: a release store (the record's bytes
 * are in the mapping before the sync thread can read the seq), never a
 * seq_cst one, which is an xchg that waits for every store the event
 * made (member updates that missed the cache) to drain.  bg_main's sleep
 * allows for a kick that misses its bg_idle. */
static void set_appended(fstore *f, uint64_t seq) { atomic_store_explicit(&f->bg_appended, seq, memory_order_release); }

/* The copy into the mapping: the frame's header first, in one 8-byte
 * copy: a process killed in the middle leaves a good header and a prefix
 * of the rest (a torn record), never body bytes after a missing header. */
static void copy_in(fstore *f, const void *data, size_t len)
{
    memcpy(f->map + f->fd_size, data, 8);
    atomic_signal_fence(memory_order_seq_cst);
    memcpy(f->map + f->fd_size + 8, (const char *)data + 8, len - 8);
}

static int f_append(uint64_t seq, const void *data, size_t len, void *payload)
{
    fstore *f = payload;
    /* The common case: room in the mapped, preallocated segment. */
    if (f->map && len >= 8 && f->fd_size < f->seg_bytes && len <= f->fd_alloc - f->fd_size) {
        copy_in(f, data, len);
        f->fd_size += len;
        f->fd_dirty = 1;
        f->last_seq = seq;
        set_appended(f, seq);
        return 0;
    }
    char name[SEG_NAME_MAX];
    if (f->fd >= 0 && f->fd_size >= f->seg_bytes) {
        int rc = close_active(f);
        if (rc) return rc;
    }
    if (f->fd < 0) {
        seg_name(name, seq);
        int fd = openat(f->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) return pl_fs_ferr(f, errno, "creating", name);
        f->fd = fd;
        f->fd_size = f->fd_alloc = f->sync_from = 0;
        f->fd_first = seq;
        f->dir_dirty = 1;
        if (f->bg_started) {
            /* The sync thread moves to the new segment before it covers
             * any of its records (the old one was synced when closed). */
            int bfd = dup(fd);
            if (bfd < 0) return pl_fs_ferr(f, errno, "creating", name);
            pthread_mutex_lock(&f->bg_mu);
            if (f->bg_next_fd >= 0) close(f->bg_next_fd);
            f->bg_next_fd = bfd;
            f->bg_dir = 1;
            pthread_mutex_unlock(&f->bg_mu);
        }
    }
    seg_name(name, f->fd_first);
    int rc = reserve(f, len, name);
    if (rc) return rc;
    if (f->map && len >= 8) {
        copy_in(f, data, len);
    } else if (pwrite_all(f->fd, data, len, f->fd_size)) {
        int e = errno;
        pl_fs_ferr(f, e, "writing", name);
        /* Take back what part of the record was written. */
        unmap_active(f);
        if (ftruncate(f->fd, (off_t)f->fd_size)) return PLAUDIT_ECORRUPT;
        f->fd_alloc = f->fd_size;
        return PLAUDIT_EIO;
    }
    f->fd_size += len;
    f->fd_dirty = 1;
    f->last_seq = seq;
    set_appended(f, seq);
    return 0;
}

static int f_sync(void *payload)
{
    fstore *f = payload;
    if (f->fd >= 0 && f->fd_dirty) {
        char name[SEG_NAME_MAX];
        seg_name(name, f->fd_first);
        int rc = sync_active(f, name);
        if (rc) return rc;
    }
    int rc = f->dir_dirty ? sync_dir(f) : 0;
    if (!rc) bg_publish(f);
    return rc;
}

/* After a crash the active segment may end in preallocated zeros, maybe
 * after a record cut short.  Cut the zeros so that the journal reads as
 * it would have been written with write(): the whole records, then (if an
 * append was interrupted) a prefix of the next one, which recovery
 * reports as torn.  A file that ends before its last record would (a
 * prefix written with write()), or whose tail is not a record's start, is
 * left as it is for the reader to judge. */
static int trim_tail(fstore *f, int fd, const char *name, uint64_t *size)
{
    uint64_t n = *size;
    unsigned char last;
    if (!n) return 0;
    if (pread(fd, &last, 1, (off_t)(n - 1)) != 1) return pl_fs_ferr(f, errno, "reading", name);
    if (last) return 0;
    void *m = mmap(NULL, (size_t)n, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return pl_fs_ferr(f, errno, "mapping", name);
    const unsigned char *p = m;
    uint64_t end = n;
    while (end && !p[end - 1]) end--;
    uint64_t keep = 0;
    if (end) {
        uint64_t rec_len;
        uint64_t good = pl_journal_scan(p, n, &rec_len);
        if (good >= end) keep = good;                       /* whole records, then zeros */
        else if (!rec_len && end - good < 8) keep = end;     /* a header cut short, then zeros */
        else if (!rec_len || n < good + rec_len) keep = n;   /* a plain prefix, or not ours to judge */
        else if (end <= good + rec_len) keep = end < good + rec_len ? end : good + rec_len - 1;
        else keep = n;
    }
    munmap(m, (size_t)n);
    if (keep == n) return 0;
    if (ftruncate(fd, (off_t)keep) || fsync(fd)) return pl_fs_ferr(f, errno, "truncating", name);
    *size = keep;
    return 0;
}

/* Stream one regular file through fn in chunks, up to the size it had
 * when it was opened (and at most limit bytes: the active segment's
 * records, not its preallocated tail). */
static int stream_file(fstore *f, int dfd, const char *name, uint64_t limit, plaudit_store_chunk_fn fn, void *fp,
                       int *missing)
{
    struct stat st;
    int fd = -1, absent = 0;
    int rc = open_regular(f, dfd, name, O_RDONLY, &st, &fd, &absent);
    if (rc && absent && missing) {
        *missing = 1;
        return 0;
    }
    if (rc) return rc;
    uint64_t left = (uint64_t)st.st_size < limit ? (uint64_t)st.st_size : limit;
    /* A large file in mapped windows of MAP_WINDOW bytes: no read per
     * 64 KiB and no copy (the reader decodes in place, the snapshot is
     * copied once), and no more than a window of it mapped at a time. */
    int mf = MAP_PRIVATE;
#ifdef MAP_POPULATE
    mf |= MAP_POPULATE;
#endif
    uint64_t at = 0;
    while (left > CHUNK) {
        size_t w = left < MAP_WINDOW ? (size_t)left : MAP_WINDOW;
        void *m = mmap(NULL, w, PROT_READ, mf, fd, (off_t)at);
        if (m == MAP_FAILED) break; /* read() the rest */
        rc = fn(m, w, fp);
        munmap(m, w);
        at += w;
        left -= w;
        if (rc) {
            close(fd);
            return rc;
        }
    }
    if (at && lseek(fd, (off_t)at, SEEK_SET) < 0) {
        rc = pl_fs_ferr(f, errno, "reading", name);
        close(fd);
        return rc;
    }
    if (!left) {
        close(fd);
        return 0;
    }
    char *buf = pl_malloc(&f->a, CHUNK);
    if (!buf) {
        close(fd);
        snprintf(f->err, sizeof f->err, "out of memory reading %s/%s", f->dir, name);
        return PLAUDIT_ENOMEM;
    }
    while (left) {
        ssize_t r = read(fd, buf, left < CHUNK ? (size_t)left : CHUNK);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = pl_fs_ferr(f, errno, "reading", name);
            break;
        }
        if (r == 0) break;
        left -= (uint64_t)r;
        if ((rc = fn(buf, (size_t)r, fp))) break;
    }
    pl_free(&f->a, buf);
    close(fd);
    return rc;
}

static int f_read(uint64_t from_seq, plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    fstore *f = payload;
    uint64_t *live = NULL, *arch = NULL;
    size_t nl = 0, na = 0;
    int rc = list_segs(f, NULL, &live, &nl);
    if (rc) return rc;
    /* History before the live journal comes from the archive. */
    int use_arch = (f->flags & PLAUDIT_FILE_STORE_ARCHIVE) && (!nl || from_seq < live[0]);
    if (use_arch && (rc = list_segs(f, "archive", &arch, &na))) goto out;
    int adfd = -1;
    if (na) {
        adfd = openat(f->dirfd, "archive", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (adfd < 0) {
            rc = pl_fs_ferr(f, errno, "opening", "archive");
            goto out;
        }
    }
    /* Start at the last segment whose first record is <= from_seq. */
    size_t ai = 0, li = 0;
    if (!na) {
        while (li + 1 < nl && live[li + 1] <= from_seq) li++;
    } else {
        while (ai + 1 < na && arch[ai + 1] <= from_seq) ai++;
    }
    char name[SEG_NAME_MAX];
    for (size_t i = ai; i < na && !rc; i++) {
        if (nl && arch[i] >= live[0]) break;
        seg_name(name, arch[i]);
        rc = stream_file(f, adfd, name, UINT64_MAX, fn, fp, NULL);
    }
    for (size_t i = li; i < nl && !rc; i++) {
        seg_name(name, live[i]);
        int active = f->fd >= 0 && f->fd_first == live[i];
        rc = stream_file(f, f->dirfd, name, active ? f->fd_size : UINT64_MAX, fn, fp, NULL);
    }
    if (adfd >= 0) close(adfd);
out:
    pl_free(&f->a, live);
    pl_free(&f->a, arch);
    return rc;
}

static int f_cut(uint64_t nbytes, void *payload)
{
    fstore *f = payload;
    uint64_t *live = NULL;
    size_t nl = 0;
    int rc = list_segs(f, NULL, &live, &nl);
    if (rc) return rc;
    char name[SEG_NAME_MAX];
    for (size_t i = nl; i-- > 0 && nbytes;) {
        seg_name(name, live[i]);
        struct stat st;
        if (fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
            rc = pl_fs_ferr(f, errno, "stat", name);
            break;
        }
        int active = f->fd >= 0 && f->fd_first == live[i];
        uint64_t size = active ? f->fd_size : (uint64_t)st.st_size;
        if (active) unmap_active(f);
        if (size <= nbytes) {
            if (active) {
                close(f->fd);
                f->fd = -1;
                f->fd_dirty = 0;
            }
            if (unlinkat(f->dirfd, name, 0)) {
                rc = pl_fs_ferr(f, errno, "removing", name);
                break;
            }
            f->dir_dirty = 1;
            nbytes -= size;
            continue;
        }
        int fd = f->fd;
        if (!active) {
            struct stat st2;
            if ((rc = open_regular(f, f->dirfd, name, O_WRONLY, &st2, &fd, NULL))) break;
        }
        if (ftruncate(fd, (off_t)(size - nbytes)) || fsync(fd)) rc = pl_fs_ferr(f, errno, "truncating", name);
        if (active) {
            f->fd_size = f->fd_alloc = size - nbytes;
            if (f->sync_from > f->fd_size) f->sync_from = f->fd_size;
        } else {
            close(fd);
        }
        nbytes = 0;
    }
    pl_free(&f->a, live);
    if (!rc && nbytes) {
        snprintf(f->err, sizeof f->err, "cannot cut %llu more bytes: the journal in %s is shorter",
                 (unsigned long long)nbytes, f->dir);
        rc = PLAUDIT_ECORRUPT;
    }
    if (!rc && f->dir_dirty) rc = sync_dir(f);
    return rc;
}

static int f_drop(uint64_t upto, void *payload)
{
    fstore *f = payload;
    uint64_t *live = NULL;
    size_t nl = 0;
    int rc = list_segs(f, NULL, &live, &nl);
    if (rc) return rc;
    int archive = !!(f->flags & PLAUDIT_FILE_STORE_ARCHIVE);
    if (archive && mkdirat(f->dirfd, "archive", 0777) && errno != EEXIST) {
        rc = pl_fs_ferr(f, errno, "creating", "archive");
        goto out;
    }
    char name[SEG_NAME_MAX], to[SEG_NAME_MAX + 8];
    for (size_t i = 0; i < nl; i++) {
        int whole;
        if (i + 1 < nl) whole = live[i + 1] <= upto + 1;
        else whole = f->fd >= 0 && f->fd_first == live[i] && f->last_seq && f->last_seq <= upto;
        if (!whole) break;
        if (f->fd >= 0 && f->fd_first == live[i] && (rc = close_active(f))) break;
        seg_name(name, live[i]);
        if (archive) {
            snprintf(to, sizeof to, "archive/%s", name);
            if (renameat(f->dirfd, name, f->dirfd, to)) rc = pl_fs_ferr(f, errno, "archiving", name);
        } else if (unlinkat(f->dirfd, name, 0)) {
            rc = pl_fs_ferr(f, errno, "removing", name);
        }
        if (rc) break;
        f->dir_dirty = 1;
    }
    if (!rc && f->dir_dirty) rc = sync_dir(f);
    if (!rc && archive) {
        int afd = openat(f->dirfd, "archive", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (afd < 0 || fsync(afd)) rc = pl_fs_ferr(f, errno, "fsync of", "archive");
        if (afd >= 0) close(afd);
    }
out:
    pl_free(&f->a, live);
    return rc;
}

const pl_bg_ops *pl_file_store_bg(const plaudit_store *cb)
{
    return cb->journal_append == f_append && cb->payload ? &pl_fs_bg_ops : NULL;
}

/* ---- snapshot --------------------------------------------------------------- */

static int f_snap_write(uint64_t seq, const void *data, size_t len, void *payload)
{
    (void)seq;
    fstore *f = payload;
    /* A fresh file, never one (or a link) someone left under the name. */
    unlinkat(f->dirfd, "snapshot.tmp", 0);
    int fd = openat(f->dirfd, "snapshot.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return pl_fs_ferr(f, errno, "creating", "snapshot.tmp");
    int rc = 0;
    if (write_all(fd, data, len)) rc = pl_fs_ferr(f, errno, "writing", "snapshot.tmp");
    else if (fsync(fd)) rc = pl_fs_ferr(f, errno, "fsync", "snapshot.tmp");
    close(fd);
    if (!rc && renameat(f->dirfd, "snapshot.tmp", f->dirfd, "snapshot")) rc = pl_fs_ferr(f, errno, "renaming", "snapshot.tmp");
    if (rc) {
        unlinkat(f->dirfd, "snapshot.tmp", 0);
        return rc;
    }
    return sync_dir(f);
}

static int f_snap_read(plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    fstore *f = payload;
    int missing = 0;
    return stream_file(f, f->dirfd, "snapshot", UINT64_MAX, fn, fp, &missing);
}

/* Recovery maps the snapshot whole: page cache pages, no copy, no
 * buffer of the snapshot's size (see store_file.h). */
int pl_file_store_snap_map(const plaudit_store *cb, const void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (cb->journal_append != f_append || !cb->payload) return 1;
    fstore *f = cb->payload;
    struct stat st;
    int fd = -1, absent = 0;
    int rc = open_regular(f, f->dirfd, "snapshot", O_RDONLY, &st, &fd, &absent);
    if (rc) return absent ? 0 : rc;
    uint64_t size = (uint64_t)st.st_size;
    if (!size || size > SIZE_MAX / 2) {
        close(fd);
        return size ? 1 : 0;
    }
    /* Not populated: recovery checks the header first, so that a file
     * that is no snapshot is refused before it is read whole; the loader
     * then reads it front to back. */
    void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return 1;
    madvise(m, (size_t)size, MADV_SEQUENTIAL);
    *data = m;
    *len = (size_t)size;
    return 0;
}

void pl_file_store_snap_unmap(const void *data, size_t len)
{
    if (data) munmap((void *)(uintptr_t)data, len);
}

/* ---- the outbox's acknowledged position -------------------------------------- */

/* "ack": u64 seq, u32 CRC-32C of those 8 bytes; replaced like the snapshot
 * (written to ack.tmp, synced, renamed, the directory synced). */
static int f_ack_write(uint64_t seq, void *payload)
{
    fstore *f = payload;
    unsigned char b[12];
    pl_le64(b, seq);
    pl_le32(b + 8, plaudit_crc32c(0, b, 8));
    unlinkat(f->dirfd, "ack.tmp", 0);
    int fd = openat(f->dirfd, "ack.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return pl_fs_ferr(f, errno, "creating", "ack.tmp");
    int rc = 0;
    if (write_all(fd, b, sizeof b)) rc = pl_fs_ferr(f, errno, "writing", "ack.tmp");
    else if (fsync(fd)) rc = pl_fs_ferr(f, errno, "fsync", "ack.tmp");
    close(fd);
    if (!rc && renameat(f->dirfd, "ack.tmp", f->dirfd, "ack")) rc = pl_fs_ferr(f, errno, "renaming", "ack.tmp");
    if (rc) {
        unlinkat(f->dirfd, "ack.tmp", 0);
        return rc;
    }
    return sync_dir(f);
}

static int ack_chunk(const void *data, size_t len, void *ud)
{
    pl_buf *b = ud;
    if (b->len + len > 12) return PLAUDIT_ECORRUPT;
    pl_buf_put(b, data, len);
    return b->oom ? PLAUDIT_ENOMEM : 0;
}

static int f_ack_read(uint64_t *seq, void *payload)
{
    fstore *f = payload;
    pl_buf b;
    pl_buf_init(&b, &f->a);
    int missing = 0;
    int rc = stream_file(f, f->dirfd, "ack", UINT64_MAX, ack_chunk, &b, &missing);
    *seq = 0;
    if (!rc && !missing) {
        const unsigned char *p = (const unsigned char *)b.p;
        if (b.len != 12 || plaudit_crc32c(0, p, 8) != pl_rd32(p + 8)) {
            snprintf(f->err, sizeof f->err, "%s/ack is corrupt", f->dir);
            rc = PLAUDIT_ECORRUPT;
        } else {
            *seq = pl_rd64(p);
        }
    } else if (rc == PLAUDIT_ECORRUPT) {
        snprintf(f->err, sizeof f->err, "%s/ack is corrupt (longer than 12 bytes)", f->dir);
    }
    pl_buf_free(&b);
    return rc;
}

/* ---- open / close ----------------------------------------------------------- */

static void f_close(void *payload)
{
    fstore *f = payload;
    if (!f) return;
    pl_fs_bg_stop(f);
    if (f->fd >= 0) {
        char name[SEG_NAME_MAX];
        seg_name(name, f->fd_first);
        if (f->fd_dirty) sync_active(f, name);
        cut_to_records(f, name);
        if (f->fd_dirty) fsync(f->fd);
        close(f->fd);
    }
    if (f->dir_dirty) fsync(f->dirfd);
    if (f->lockfd >= 0) close(f->lockfd); /* releases the flock */
    if (f->dirfd >= 0) close(f->dirfd);
    pthread_mutex_destroy(&f->bg_mu);
    pthread_cond_destroy(&f->bg_wake);
    pthread_cond_destroy(&f->bg_done);
    pl_alloc a = f->a;
    pl_free(&a, f->dir);
    pl_free(&a, f);
}

static int locked(fstore *f)
{
    snprintf(f->err, sizeof f->err, "store %s is locked by another process (or another open)", f->dir);
    return PLAUDIT_ELOCKED;
}

/* Lock the store against every other open, in this process or another.
 * The lock is on the directory itself, which a second writer cannot swap
 * from under the holder (deleting or replacing LOCK does not defeat it).
 * LOCK is locked too, for libraries that lock only it; where a file
 * system cannot lock a directory, LOCK alone holds, and its identity is
 * checked after locking so that a LOCK deleted or replaced meanwhile is
 * noticed. */
static int lock_store(fstore *f)
{
    int dir_locked = 0;
    if (flock(f->dirfd, LOCK_EX | LOCK_NB) == 0) dir_locked = 1;
    else if (errno == EWOULDBLOCK) return locked(f);
    f->lockfd = openat(f->dirfd, "LOCK", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (f->lockfd < 0) return pl_fs_ferr(f, errno, "opening", "LOCK");
    if (flock(f->lockfd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK) return locked(f);
        return pl_fs_ferr(f, errno, "locking", "LOCK");
    }
    if (dir_locked) return 0;
    struct stat held, named;
    if (fstat(f->lockfd, &held)) return pl_fs_ferr(f, errno, "stat", "LOCK");
    if (fstatat(f->dirfd, "LOCK", &named, AT_SYMLINK_NOFOLLOW) || held.st_dev != named.st_dev ||
        held.st_ino != named.st_ino)
        return locked(f); /* LOCK was replaced: another open may hold the new one */
    return 0;
}

int plaudit_file_store_open(plaudit_ctx *ctx, plaudit_store *out, const char *dir, unsigned flags,
                            uint64_t segment_bytes)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out || !dir || !*dir) return pl_err(ctx, PLAUDIT_EINVAL, "out or dir is NULL or empty");
    if (flags & ~(PLAUDIT_FILE_STORE_CREATE | PLAUDIT_FILE_STORE_ARCHIVE))
        return pl_err(ctx, PLAUDIT_EINVAL, "unknown file store flags 0x%x", flags);
    plaudit_store init = PLAUDIT_STORE_INIT;
    *out = init;
    struct stat st;
    char sys[128];
    if (stat(dir, &st)) {
        int e = errno;
        if (e == ENOENT && (flags & PLAUDIT_FILE_STORE_CREATE)) {
            if (mkdir(dir, 0777)) {
                e = errno;
                return pl_err(ctx, PLAUDIT_EIO, "%screating store directory %s: %s", pl_fs_kind_of(e), dir, pl_fs_syserr(e, sys, sizeof sys));
            }
        } else if (e == ENOENT) {
            return pl_err(ctx, PLAUDIT_ENOTFOUND,
                          "store directory %s does not exist (pass PLAUDIT_FILE_STORE_CREATE to create it)", dir);
        } else {
            return pl_err(ctx, PLAUDIT_EIO, "store directory %s: %s", dir, pl_fs_syserr(e, sys, sizeof sys));
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return pl_err(ctx, PLAUDIT_EIO, "store path %s is not a directory", dir);
    }
    fstore *f = pl_malloc(&ctx->alloc, sizeof *f);
    if (!f) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory opening the file store");
    memset(f, 0, sizeof *f);
    f->a = ctx->alloc;
    f->fd = f->dirfd = f->lockfd = -1;
    f->bg_fd = f->bg_next_fd = -1;
    pthread_mutex_init(&f->bg_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the grace sleep (bg_main) */
    pthread_cond_init(&f->bg_wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&f->bg_done, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    f->page = pg > 0 ? (uint64_t)pg : PAGE;
    struct rlimit rl;
    f->fsize_max = !getrlimit(RLIMIT_FSIZE, &rl) && rl.rlim_cur != RLIM_INFINITY ? (uint64_t)rl.rlim_cur : UINT64_MAX;
    f->flags = flags;
    f->seg_bytes = segment_bytes ? segment_bytes : DEFAULT_SEGMENT;
    f->dir = pl_strdup(&ctx->alloc, dir);
    if (!f->dir) {
        f_close(f);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory opening the file store");
    }
    int rc = 0;
    f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f->dirfd < 0) {
        rc = pl_fs_ferr(f, errno, "opening", "");
        goto fail;
    }
    if (access(dir, W_OK)) {
        rc = pl_fs_ferr(f, errno, "opening", "");
        goto fail;
    }
    if ((rc = lock_store(f))) goto fail;
    unlinkat(f->dirfd, "snapshot.tmp", 0); /* a snapshot a crash interrupted */
    unlinkat(f->dirfd, "ack.tmp", 0);
    uint64_t *live = NULL;
    size_t nl = 0;
    if ((rc = list_segs(f, NULL, &live, &nl))) goto fail;
    if (nl) {
        char name[SEG_NAME_MAX];
        seg_name(name, live[nl - 1]);
        rc = open_regular(f, f->dirfd, name, O_RDWR, &st, &f->fd, NULL);
        uint64_t size = (uint64_t)st.st_size;
        if (!rc) rc = trim_tail(f, f->fd, name, &size);
        if (!rc) {
            f->fd_first = live[nl - 1];
            f->fd_size = f->fd_alloc = f->sync_from = size;
        }
    }
    pl_free(&f->a, live);
    if (rc) goto fail;
    out->journal_append = f_append;
    out->sync = f_sync;
    out->journal_read = f_read;
    out->journal_cut = f_cut;
    out->snapshot_write = f_snap_write;
    out->snapshot_read = f_snap_read;
    out->journal_drop = f_drop;
    out->ack_write = f_ack_write;
    out->ack_read = f_ack_read;
    out->errmsg = f_errmsg;
    out->close = f_close;
    out->payload = f;
    pl_ok(ctx);
    return PLAUDIT_OK;
fail:
    pl_err(ctx, rc, "%s", f->err);
    f_close(f);
    return rc;
}
