/* engine.c - the one engine of `plaudit serve`: a context with the file
 * store attached, behind a mutex, and the group commit that makes events
 * durable before their responses are sent.
 *
 * Group commit: the store's sync policy is PLAUDIT_SYNC_GROUP, so the
 * file store's sync thread calls fdatasync back to back while records
 * arrive.  Events are recorded under the mutex (the record is in the
 * journal, not yet synced); a request then notes the journal's last
 * record, drops the mutex and waits until the store reports that record
 * durable (plaudit_store_wait_durable, which may run beside the other
 * requests' calls).  Other requests keep recording during a sync, and one
 * sync covers every request whose records it found. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

static int fail(char *err, size_t errlen, const char *what, const char *detail)
{
    snprintf(err, errlen, "%s: %s", what, detail);
    return -1;
}

/* ---- open, close, the program ---------------------------------------------------------------- */

static void free_boards(engine *e)
{
    for (size_t i = 0; i < e->n_boards; i++) {
        free(e->boards[i].id);
        free(e->boards[i].name);
        free(e->boards[i].period);
    }
    free(e->boards);
    e->boards = NULL;
    e->n_boards = 0;
}

int engine_program_refresh(engine *e)
{
    char *doc;
    size_t len;
    if (plaudit_program_export_json(e->ctx, &doc, &len) != PLAUDIT_OK) return -1;
    json_error_t jerr;
    json_t *root = json_loadb(doc, len, 0, &jerr);
    if (!root) {
        plaudit_free(e->ctx, doc);
        return -1;
    }
    char *copy = malloc(len + 1);
    json_t *lbs = json_object_get(root, "leaderboards");
    size_t n = json_is_array(lbs) ? json_array_size(lbs) : 0;
    board *bs = calloc(n ? n : 1, sizeof *bs);
    if (!copy || !bs) {
        free(copy);
        free(bs);
        json_decref(root);
        plaudit_free(e->ctx, doc);
        return -1;
    }
    memcpy(copy, doc, len + 1);
    plaudit_free(e->ctx, doc);
    for (size_t i = 0; i < n; i++) {
        json_t *b = json_array_get(lbs, i);
        const char *id = json_string_value(json_object_get(b, "id"));
        const char *name = json_string_value(json_object_get(b, "name"));
        const char *period = json_string_value(json_object_get(b, "period"));
        const char *by = json_string_value(json_object_get(b, "by"));
        bs[i].id = strdup(id ? id : "");
        bs[i].name = name ? strdup(name) : NULL;
        bs[i].period = strdup(period ? period : "all");
        bs[i].by_team = by && !strcmp(by, "team");
    }
    json_decref(root);
    free_boards(e);
    free(e->program_json);
    e->program_json = copy;
    e->program_len = len;
    e->boards = bs;
    e->n_boards = n;
    return 0;
}

const board *engine_board(const engine *e, const char *id)
{
    for (size_t i = 0; i < e->n_boards; i++)
        if (!strcmp(e->boards[i].id, id)) return &e->boards[i];
    return NULL;
}

int engine_open(engine *e, const char *program, const char *store_dir, int sync_mode, uint32_t every_n,
                uint32_t every_ms, int analytics, int outbox, size_t outbox_max, size_t history, metrics *m, char *err,
                size_t errlen)
{
    memset(e, 0, sizeof *e);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->moments_cv, NULL);
    e->sync_mode = sync_mode;
    e->sync_every_ms = every_ms;
    e->m = m;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.history_per_member = history; /* before the store: snapshots and replay carry it */
    e->history = history;
    if (plaudit_ctx_new(&e->ctx, &o) != PLAUDIT_OK) return fail(err, errlen, "creating the engine", "out of memory");
    if (plaudit_program_load_file(e->ctx, program) != PLAUDIT_OK)
        return fail(err, errlen, program, plaudit_errmsg(e->ctx));
    if (analytics) {
        if (plaudit_analytics_enable(e->ctx, NULL) != PLAUDIT_OK)
            return fail(err, errlen, "analytics", plaudit_errmsg(e->ctx));
        e->analytics = 1;
    }
    if (outbox) {
        /* Before the store: recovery puts back what was not acknowledged. */
        if (plaudit_outbox_enable(e->ctx, outbox_max) != PLAUDIT_OK)
            return fail(err, errlen, "outbox", plaudit_errmsg(e->ctx));
        e->outbox = 1;
    }
    plaudit_store st;
    if (plaudit_file_store_open(e->ctx, &st, store_dir, PLAUDIT_FILE_STORE_CREATE | PLAUDIT_FILE_STORE_ARCHIVE, 0) !=
        PLAUDIT_OK)
        return fail(err, errlen, store_dir, plaudit_errmsg(e->ctx));
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.sync = sync_mode == SYNC_GROUP        ? PLAUDIT_SYNC_GROUP
              : sync_mode == SYNC_BATCH_MODE ? PLAUDIT_SYNC_BATCH
                                             : PLAUDIT_SYNC_NEVER;
    so.sync_every_n = every_n;
    so.sync_every_ms = every_ms;
    if (plaudit_store_attach(e->ctx, &st, &so) != PLAUDIT_OK) {
        fail(err, errlen, store_dir, plaudit_errmsg(e->ctx));
        plaudit_store_close(&st);
        return -1;
    }
    /* What recovery found is durable (attach syncs it under GROUP). */
    plaudit_store_journal_seq(e->ctx, &e->written);
    e->synced = e->written;
    if (engine_program_refresh(e)) return fail(err, errlen, "reading the program back", "out of memory");
    return 0;
}

int engine_close(engine *e, int snapshot, char *err, size_t errlen)
{
    int rc = 0;
    pthread_mutex_lock(&e->mu);
    if (snapshot && plaudit_store_snapshot(e->ctx) != PLAUDIT_OK)
        rc = fail(err, errlen, "snapshot", plaudit_errmsg(e->ctx));
    if (plaudit_store_detach(e->ctx) != PLAUDIT_OK && !rc) rc = fail(err, errlen, "closing the store", plaudit_errmsg(e->ctx));
    plaudit_ctx_free(e->ctx);
    e->ctx = NULL;
    pthread_mutex_unlock(&e->mu);
    free_boards(e);
    free(e->program_json);
    e->program_json = NULL;
    return rc;
}

/* ---- durability ------------------------------------------------------------------------------ */

int engine_wait_durable(engine *e, uint64_t upto)
{
    if (e->sync_broken) return -1;
    if (e->synced >= upto) return 0;
    double t0 = now_mono();
    /* Any thread may wait (PLAUDIT_SYNC_GROUP with the file store): the
     * mutex is dropped so that other requests record meanwhile. */
    pthread_mutex_unlock(&e->mu);
    int rc = plaudit_store_wait_durable(e->ctx, upto);
    pthread_mutex_lock(&e->mu);
    uint64_t d = 0;
    if (!rc) rc = plaudit_store_durable_seq(e->ctx, &d);
    if (rc) {
        if (!e->sync_broken) {
            metrics_sync(e->m, 0, now_mono() - t0, 0);
            snprintf(e->sync_error, sizeof e->sync_error, "store sync failed: %s (the store's sync thread)",
                     plaudit_strerror(rc));
        }
        e->sync_broken = 1;
        return -1;
    }
    /* One sync seen by the server: the durable position moved on. */
    if (d > e->synced) {
        metrics_sync(e->m, 1, now_mono() - t0, d - e->synced);
        e->synced = d;
    }
    return 0;
}

void *engine_timer(void *arg)
{
    engine *e = arg;
    uint32_t ms = e->sync_every_ms ? e->sync_every_ms : 1000;
    pthread_mutex_lock(&e->mu);
    while (!e->stopping) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += ms / 1000;
        t.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&e->moments_cv, &e->mu, &t);
        if (e->stopping) break;
        /* Batch mode: the library syncs when events arrive; this covers an
         * idle platform (see SYNC POLICY in plaudit.h). */
        if (e->written > e->synced) {
            double t0 = now_mono();
            int ok = plaudit_store_sync(e->ctx) == PLAUDIT_OK;
            metrics_sync(e->m, ok, now_mono() - t0, e->written - e->synced);
            if (ok) e->synced = e->written;
        }
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}
