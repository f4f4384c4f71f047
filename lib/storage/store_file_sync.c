/* store_file_sync.c - the file store's sync thread (PLAUDIT_SYNC_GROUP):
 * group commit off the calling thread, and the calls that wait for it
 * (store_file.c has the store itself). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "store_file.h"

/* Group commit off the calling thread: while records arrive, fdatasync
 * the active segment back to back; each round covers every record whose
 * bytes were in the mapping when it began (published by bg_appended after
 * the copy), so its end makes them durable.  Appends never wait and make
 * no fence: they only wake the thread when they see it sleep (bg_idle).
 * An append may publish its seq a moment after it read bg_idle as 0 while
 * the thread went to sleep (no fence orders the two), so the thread first
 * sleeps a short grace period, GRACE_NS, and looks again before it sleeps
 * for good: by then every append that read bg_idle as 0 is visible, and
 * every later one sees bg_idle and wakes it.  A failure is sticky:
 * nothing after it is reported durable, and every later kick returns it. */
#define GRACE_NS 1000000L

static void mono_after(struct timespec *t, long ns)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_nsec += ns;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static int mono_passed(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void *bg_main(void *arg)
{
    fstore *f = arg;
    struct timespec grace = {0, 0};
    pthread_mutex_lock(&f->bg_mu);
    while (!f->bg_stop && !atomic_load(&f->bg_err)) {
        if (f->bg_next_fd >= 0) {
            if (f->bg_fd >= 0) close(f->bg_fd);
            f->bg_fd = f->bg_next_fd;
            f->bg_next_fd = -1;
        }
        uint64_t target = atomic_load(&f->bg_appended);
        if (target <= atomic_load(&f->bg_durable)) {
            if (!atomic_load(&f->bg_idle)) {
                atomic_store(&f->bg_idle, 1); /* kicks from now on wake us */
                mono_after(&grace, GRACE_NS);
            }
            if (!mono_passed(&grace)) pthread_cond_timedwait(&f->bg_wake, &f->bg_mu, &grace);
            else pthread_cond_wait(&f->bg_wake, &f->bg_mu);
            continue;
        }
        atomic_store(&f->bg_idle, 0);
        int fd = f->bg_fd, dir = f->bg_dir;
        f->bg_dir = 0;
        pthread_mutex_unlock(&f->bg_mu);
        int e = 0;
        const char *what = "fsync of the journal";
        if (fd >= 0 && fdatasync(fd)) e = errno;
        if (!e && dir && fsync(f->dirfd)) {
            e = errno;
            what = "fsync of the directory";
        }
        pthread_mutex_lock(&f->bg_mu);
        if (e) {
            char sys[128];
            snprintf(f->bg_msg, sizeof f->bg_msg, "%s%s (sync thread) in %s: %s", pl_fs_kind_of(e), what, f->dir,
                     pl_fs_syserr(e, sys, sizeof sys));
            atomic_store(&f->bg_err, e);
        } else if (target > atomic_load(&f->bg_durable)) {
            atomic_store(&f->bg_durable, target);
        }
        pthread_cond_broadcast(&f->bg_done);
    }
    pthread_cond_broadcast(&f->bg_done);
    pthread_mutex_unlock(&f->bg_mu);
    return NULL;
}

static int bg_failed(fstore *f)
{
    pthread_mutex_lock(&f->bg_mu);
    snprintf(f->err, sizeof f->err, "%s", f->bg_msg);
    pthread_mutex_unlock(&f->bg_mu);
    return PLAUDIT_EIO;
}

/* After an append: the records so far should become durable soon. */
static int f_bg_kick(void *payload)
{
    fstore *f = payload;
    if (atomic_load(&f->bg_err)) return bg_failed(f);
    if (!f->bg_started) {
        int fd = f->fd >= 0 ? dup(f->fd) : -1;
        if (f->fd >= 0 && fd < 0) return pl_fs_ferr(f, errno, "starting the sync thread:", "");
        pthread_mutex_lock(&f->bg_mu);
        f->bg_fd = fd;
        f->bg_dir = f->dir_dirty;
        pthread_mutex_unlock(&f->bg_mu);
        int e = pthread_create(&f->bg_thread, NULL, bg_main, f);
        if (e) {
            if (fd >= 0) close(fd);
            f->bg_fd = -1;
            return pl_fs_ferr(f, e, "starting the sync thread:", "");
        }
        f->bg_started = 1;
    }
    if (atomic_load_explicit(&f->bg_idle, memory_order_relaxed)) {
        pthread_mutex_lock(&f->bg_mu);
        pthread_cond_signal(&f->bg_wake);
        pthread_mutex_unlock(&f->bg_mu);
    }
    return 0;
}

/* Any thread: block until record seq is durable. */
static int f_bg_wait(uint64_t seq, void *payload)
{
    fstore *f = payload;
    if (seq <= atomic_load(&f->bg_durable)) return 0;
    if (seq > atomic_load(&f->bg_appended)) return PLAUDIT_EINVAL;
    pthread_mutex_lock(&f->bg_mu);
    while (seq > atomic_load(&f->bg_durable) && !atomic_load(&f->bg_err) && !f->bg_stop) {
        pthread_cond_signal(&f->bg_wake);
        pthread_cond_wait(&f->bg_done, &f->bg_mu);
    }
    int rc = seq <= atomic_load(&f->bg_durable) ? 0 : PLAUDIT_EIO;
    pthread_mutex_unlock(&f->bg_mu);
    return rc;
}

static uint64_t f_bg_durable(void *payload) { return atomic_load(&((fstore *)payload)->bg_durable); }

const pl_bg_ops pl_fs_bg_ops = {f_bg_kick, f_bg_wait, f_bg_durable};

void pl_fs_bg_stop(fstore *f)
{
    if (f->bg_started) {
        pthread_mutex_lock(&f->bg_mu);
        f->bg_stop = 1;
        pthread_cond_broadcast(&f->bg_wake);
        pthread_mutex_unlock(&f->bg_mu);
        pthread_join(f->bg_thread, NULL);
        f->bg_started = 0;
    }
    if (f->bg_fd >= 0) close(f->bg_fd);
    if (f->bg_next_fd >= 0) close(f->bg_next_fd);
    f->bg_fd = f->bg_next_fd = -1;
}
