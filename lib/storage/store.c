/* store.c - the store plumbing: checking and copying the caller's store
 * table, recovery at attach (snapshot, then the journal tail, or the whole
 * journal under a changed program), explicit sync, snapshots with
 * compaction, detaching, and turning callback failures into context
 * errors. */
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "internal.h"
#include "store_file.h"

int64_t pl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bytes of a caller's struct of the given version (version 1 ends at
 * payload). */
static size_t store_size(unsigned version)
{
    return version == 1 ? offsetof(plaudit_store, payload) + sizeof(void *) : sizeof(plaudit_store);
}

int plaudit_store_init(plaudit_store *store, unsigned version)
{
    if (!store) return PLAUDIT_EINVAL;
    if (version != 1 && version != PLAUDIT_STORE_VERSION) return PLAUDIT_EVERSION;
    plaudit_store init = PLAUDIT_STORE_INIT;
    init.version = version;
    memcpy(store, &init, store_size(version));
    return PLAUDIT_OK;
}

void plaudit_store_close(plaudit_store *store)
{
    if (!store) return;
    if (store->close) store->close(store->payload);
    unsigned v = store->version == 1 ? 1 : PLAUDIT_STORE_VERSION;
    plaudit_store init = PLAUDIT_STORE_INIT;
    init.version = v;
    memcpy(store, &init, store_size(v));
}

int pl_store_fail(plaudit_ctx *ctx, const pl_store *s, int rc, const char *slot)
{
    if (rc > 0) rc = PLAUDIT_EUSER;
    /* A callback's own pl_err (the chunk function) already explains. */
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    const char *detail = s->cb.errmsg ? s->cb.errmsg(s->cb.payload) : NULL;
    pl_guard_end(ctx, g);
    if (!detail || !*detail) detail = plaudit_strerror(rc);
    return pl_err(ctx, rc, "store %s failed: %s", slot, detail);
}

/* ---- recovery ------------------------------------------------------------- */

typedef struct recov {
    pl_store *s;
    pl_buf snap;
    pl_jreader jr;
    uint64_t base;            /* records up to this seq are in the state */
    uint64_t snap_total;      /* size the snapshot's header gives (0: not
                                 read yet) */
    int chunk_rc;             /* an error raised inside a chunk callback */
    plaudit_ctx *shadow;      /* retroactive: the state under the old
                                 program (its snapshot, then the records
                                 after it), for plaudit_recovery.changed_members */
    uint64_t snap_seq;
    const void *map;          /* the file store's snapshot, mapped */
    size_t map_len;
    /* Records decoded ahead of their replay: a ring of RQ (queue_one),
     * each with its own copy of its strings. */
    struct rq_ent {
        uint64_t seq;
        int kind;
        plaudit_event ev;     /* strings point into strs */
        pl_buf strs;
        uint64_t hm, ht;      /* index slots of its member and target */
    } q[8];
    size_t q_head, nq;
} recov;

#define RQ (sizeof ((recov *)0)->q / sizeof ((recov *)0)->q[0])

/* Collect the snapshot, checking its header as soon as it has arrived:
 * a blob that is not a snapshot, or is longer than its header says, is
 * refused before it is read whole (a store could deliver endless bytes). */
static int snap_chunk(const void *data, size_t len, void *ud)
{
    recov *R = ud;
    plaudit_ctx *ctx = R->jr.ctx;
    if (R->snap_total && len > R->snap_total - R->snap.len) goto longer;
    if (!R->snap_total && R->snap.len + len >= PL_SNAPSHOT_HDR) {
        size_t need = PL_SNAPSHOT_HDR - R->snap.len;
        pl_buf_put(&R->snap, data, need);
        if (R->snap.oom) return R->chunk_rc = PLAUDIT_ENOMEM;
        int rc = pl_snapshot_header(ctx, R->snap.p, R->snap.len, &R->snap_total);
        if (rc) return R->chunk_rc = rc;
        if (R->snap_total > SIZE_MAX / 2)
            return R->chunk_rc = pl_err(ctx, PLAUDIT_ENOMEM, "snapshot of %llu bytes does not fit in memory",
                                        (unsigned long long)R->snap_total);
        data = (const char *)data + need;
        len -= need;
        if (len > R->snap_total - R->snap.len) goto longer;
        /* One allocation of the whole size, not a doubling per chunk. */
        if (pl_buf_reserve(&R->snap, (size_t)(R->snap_total - R->snap.len))) return R->chunk_rc = PLAUDIT_ENOMEM;
    }
    pl_buf_put(&R->snap, data, len);
    if (R->snap.oom) return R->chunk_rc = PLAUDIT_ENOMEM;
    return 0;
longer:
    return R->chunk_rc = pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: longer than the %llu bytes its header says",
                                (unsigned long long)R->snap_total);
}

static int journal_chunk(const void *data, size_t len, void *ud)
{
    recov *R = ud;
    /* Replaying is the library's own work: the guard the store runs under
     * is lowered for it. */
    int g = pl_guard_begin(R->jr.ctx, 0);
    int rc = pl_jreader_feed(&R->jr, data, len);
    pl_guard_end(R->jr.ctx, g);
    if (rc) R->chunk_rc = rc;
    return rc;
}

static int history_gap(plaudit_ctx *ctx, uint64_t first)
{
    return pl_err(ctx, PLAUDIT_EHISTORY,
                  "the program differs from the one that wrote the snapshot, and a retroactive replay needs the "
                  "journal from record 1, but it starts at record %llu (compacted): attach with the program that "
                  "wrote the snapshot, or keep the journal (keep_journal, PLAUDIT_FILE_STORE_ARCHIVE)",
                  (unsigned long long)first);
}

/* A journaled event was accepted when it was written.  If replaying it
 * fails because of a context option (a lower max_members, a longer
 * idempotency_retention_s, ...), recovery would silently build another
 * state: it fails instead, naming the option.  Only a changed program
 * (retroactive replay) may reject journaled events.  Returns 0 when the
 * outcome may stand. */
static int options_differ(plaudit_ctx *ctx, recov *R, uint64_t seq, int rc)
{
    char why[PL_ERRMSG_MAX];
    snprintf(why, sizeof why, "%s", ctx->errmsg);
    if (ctx->limit_option) {
        char val[32] = "";
        if (!strcmp(ctx->limit_option, "max_members"))
            snprintf(val, sizeof val, "=%llu", (unsigned long long)ctx->max_members);
        else if (!strcmp(ctx->limit_option, "max_program_bytes"))
            snprintf(val, sizeof val, "=%zu", ctx->max_program);
        return pl_err(ctx, PLAUDIT_ESTATE,
                      "recovery: journaled event %llu was accepted when it was written but is rejected now: %s "
                      "(the context's %s%s is lower than the store needs: attach with the options it was "
                      "written with)",
                      (unsigned long long)seq, why, ctx->limit_option, val);
    }
    if ((rc == PLAUDIT_DUPLICATE || rc == PLAUDIT_ECONFLICT) && !R->s->rec.retroactive)
        return pl_err(ctx, PLAUDIT_ESTATE,
                      "recovery: journaled event %llu was accepted when it was written but is %s now: %s (the "
                      "context's idempotency_retention_s=%lld keeps keys longer than the context that wrote "
                      "the store did: attach with the retention it was written with)",
                      (unsigned long long)seq, rc == PLAUDIT_DUPLICATE ? "a duplicate" : "rejected", why,
                      (long long)ctx->retention_s);
    return 0;
}

static int replay_one(plaudit_ctx *ctx, recov *R, uint64_t seq, int kind, const plaudit_event *ev)
{
    plaudit_recovery *rep = &R->s->rec;
    rep->records++;
    if (seq <= R->base) {
        rep->skipped++;
        return 0;
    }
    if (seq != R->base + 1 + rep->replayed && rep->replayed == 0 && rep->retroactive)
        return history_gap(ctx, seq);
    if (seq != R->base + 1 + rep->replayed)
        return pl_err(ctx, PLAUDIT_ECORRUPT, "journal is corrupt: record %llu follows the state at record %llu",
                      (unsigned long long)seq, (unsigned long long)(R->base + rep->replayed));
    rep->replayed++;
    if (R->shadow && seq > R->snap_seq) {
        plaudit_ctx *o = R->shadow;
        int src = kind == PL_REC_EVENT ? pl_record_replay(o, ev) : pl_window_replay(o, kind, ev);
        if (src == PLAUDIT_ENOMEM) return pl_err(ctx, src, "out of memory replaying under the old program");
    }
    /* Arrivals go through the reorder window again (reorder.c). */
    int rc = kind == PL_REC_EVENT ? pl_record_replay(ctx, ev) : pl_window_replay(ctx, kind, ev);
    if (kind != PL_REC_EVENT) {
        /* Outcomes come at release; only memory can fail a replay. */
        if (rc == PLAUDIT_ENOMEM) return rc;
        if (kind != PL_REC_FLUSH) rep->arrivals++;
        pl_ok(ctx);
        return 0;
    }
    if (rc == PLAUDIT_ENOMEM) return rc;
    int orc = rc != PLAUDIT_OK ? options_differ(ctx, R, seq, rc) : 0;
    if (orc) return orc;
    if (rc == PLAUDIT_OK) rep->accepted++;
    else if (rc == PLAUDIT_DUPLICATE) rep->duplicates++;
    else rep->rejected++;
    pl_ok(ctx);
    return 0;
}

/* ---- replay, decoded ahead ---------------------------------------------------------- */

/* Records are replayed RQ - 1 records behind the reader, one by one and
 * in order, as they would be without it; meanwhile the memory they will
 * touch is brought in, as plaudit_record_batch does, but further ahead
 * (each step waits on the one before): the index slot of a member when
 * its record is queued, the slot's first entry three records ahead, the
 * member itself one record ahead.  Only hints. */
#define RQ_HEAD_AHEAD 3

static int names_member(int kind, const plaudit_event *ev)
{
    return kind == PL_REC_EVENT && (unsigned)ev->type <= PLAUDIT_EVENT_PREFERENCES && ev->type != PLAUDIT_EVENT_TICK;
}

static struct rq_ent *rq_at(recov *R, size_t i) { return &R->q[(R->q_head + i) % RQ]; }

/* Replay the oldest queued record. */
static int replay_next(plaudit_ctx *ctx, recov *R)
{
    struct rq_ent *e = rq_at(R, 0);
    if (R->nq > 1) {
        const struct rq_ent *n = rq_at(R, 1);
        pl_member_prefetch(ctx, n->hm);
        pl_member_prefetch(ctx, n->ht);
    }
    if (R->nq > RQ_HEAD_AHEAD) {
        const struct rq_ent *n = rq_at(R, RQ_HEAD_AHEAD);
        pl_member_prefetch_head(ctx, n->hm);
        pl_member_prefetch_head(ctx, n->ht);
    }
    R->q_head = (R->q_head + 1) % RQ;
    R->nq--;
    return replay_one(ctx, R, e->seq, e->kind, &e->ev);
}

/* Replay every queued record.  On a failure the rest is dropped:
 * recovery stops there, as it would have. */
static int replay_queue(plaudit_ctx *ctx, recov *R)
{
    int rc = 0;
    while (R->nq && !rc) rc = replay_next(ctx, R);
    R->nq = 0;
    return rc;
}

/* The reader's callback: queue the record (its strings copied, the
 * reader reuses its scratch), replay the oldest when the ring is full. */
static int queue_one(plaudit_ctx *ctx, uint64_t seq, const plaudit_event *ev, void *ud)
{
    recov *R = ud;
    struct rq_ent *e = rq_at(R, R->nq);
    const char *strs[6] = {ev->id, ev->member, ev->target, ev->reason, ev->ref, ev->document};
    size_t off[6];
    e->strs.len = 0;
    for (unsigned k = 0; k < 6; k++) {
        off[k] = e->strs.len;
        if (strs[k]) pl_buf_put(&e->strs, strs[k], strlen(strs[k]) + 1);
    }
    if (e->strs.oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading the journal");
    e->seq = seq;
    e->kind = R->jr.kind;
    e->ev = *ev;
    const char **dst[6] = {&e->ev.id, &e->ev.member, &e->ev.target, &e->ev.reason, &e->ev.ref, &e->ev.document};
    for (unsigned k = 0; k < 6; k++) *dst[k] = strs[k] ? e->strs.p + off[k] : NULL;
    int named = names_member(e->kind, ev) && ev->member;
    e->hm = named ? pl_member_prefetch_slot(ctx, e->ev.member) : 0;
    e->ht = named && ev->type == PLAUDIT_EVENT_KUDOS && ev->target ? pl_member_prefetch_slot(ctx, e->ev.target) : 0;
    R->nq++;
    /* A program document is replayed at once: no 16 MiB kept queued. */
    if (ev->document) return replay_queue(ctx, R);
    if (R->nq < RQ) return 0;
    int rc = replay_next(ctx, R);
    if (rc) R->nq = 0; /* recovery stops at the failing record */
    return rc;
}

/* Before rc, an error raised after the queued records were decoded (a
 * later record is corrupt, the store failed), is returned, the records
 * before it are replayed: one of them failing is the error then, as it
 * was when each record was replayed as soon as it was read. */
static int replay_rest(plaudit_ctx *ctx, recov *R, int rc)
{
    if (!R->nq) return rc;
    char msg[PL_ERRMSG_MAX];
    int code = ctx->err_code;
    if (rc) memcpy(msg, ctx->errmsg, sizeof msg);
    int qrc = replay_queue(ctx, R);
    /* As read_rc says a replay's failure to allocate. */
    if (qrc == PLAUDIT_ENOMEM && ctx->err_code != PLAUDIT_ENOMEM)
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading the store");
    if (qrc || !rc) return qrc;
    ctx->err_code = code;
    memcpy(ctx->errmsg, msg, sizeof msg);
    return rc;
}

/* Read one of the store's streams; a failure inside the chunk function
 * keeps its own message, a failure of the store gets the store's. */
static int read_rc(plaudit_ctx *ctx, recov *R, int rc, const char *slot)
{
    if (!rc) return R->chunk_rc;
    if (R->chunk_rc && rc == R->chunk_rc) {
        if (rc == PLAUDIT_ENOMEM && ctx->err_code != PLAUDIT_ENOMEM)
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading the store");
        return rc;
    }
    return pl_store_fail(ctx, R->s, rc, slot);
}

/* The file store's snapshot, mapped: the checks snap_chunk makes, on the
 * whole of it at once. */
static int snap_mapped(plaudit_ctx *ctx, const unsigned char *p, size_t len)
{
    uint64_t total;
    if (len < PL_SNAPSHOT_HDR) return 0; /* pl_snapshot_check says what it is */
    int rc = pl_snapshot_header(ctx, p, PL_SNAPSHOT_HDR, &total);
    if (rc) return rc;
    if (total > SIZE_MAX / 2)
        return pl_err(ctx, PLAUDIT_ENOMEM, "snapshot of %llu bytes does not fit in memory", (unsigned long long)total);
    if (len > total)
        return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: longer than the %llu bytes its header says",
                      (unsigned long long)total);
    return 0;
}

static int recover(plaudit_ctx *ctx, recov *R)
{
    pl_store *s = R->s;
    plaudit_recovery *rep = &s->rec;
    int rc = pl_file_store_snap_map(&s->cb, &R->map, &R->map_len);
    if (rc < 0) return pl_store_fail(ctx, s, rc, "snapshot_read");
    if (!rc && (rc = snap_mapped(ctx, R->map, R->map_len))) return rc;
    if (rc) {
        R->map = NULL;
        R->map_len = 0;
        int g = pl_guard_begin(ctx, PL_IN_STORE);
        rc = s->cb.snapshot_read(snap_chunk, R, s->cb.payload);
        pl_guard_end(ctx, g);
        if ((rc = read_rc(ctx, R, rc, "snapshot_read"))) return rc;
    }
    const char *snap = R->map ? R->map : R->snap.p;
    size_t snap_len = R->map ? R->map_len : R->snap.len;
    uint64_t snap_seq = 0, snap_fp = 0;
    int have_snap = snap_len > 0, match = 0;
    if (have_snap) {
        if ((rc = pl_snapshot_check(ctx, snap, snap_len, &snap_seq, &snap_fp))) return rc;
        /* The snapshot names the program the context was given when it was
         * written (program events after it are in the snapshot itself). */
        match = s->base_fp == snap_fp;
        if (match) {
            if ((rc = pl_snapshot_load(ctx, snap, snap_len))) return rc;
            rep->snapshot = 1;
            rep->snapshot_seq = snap_seq;
            R->base = snap_seq;
        } else {
            rep->retroactive = 1;
            /* The state under the old program, to tell what the replay
             * changes (a snapshot that carries its program). */
            if (pl_snapshot_has_program(snap)) {
                if ((rc = pl_program_scratch(ctx, &R->shadow))) return rc;
                rc = pl_snapshot_load_as(R->shadow, snap, snap_len, 1);
                if (rc == PLAUDIT_ENOMEM) return pl_err(ctx, rc, "out of memory reading the store");
                if (rc) {
                    plaudit_ctx_free(R->shadow);
                    R->shadow = NULL;
                }
                R->snap_seq = snap_seq;
            }
        }
    }
    pl_buf_free(&R->snap);
    pl_file_store_snap_unmap(R->map, R->map_len);
    R->map = NULL;
    R->chunk_rc = 0;
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    rc = s->cb.journal_read(R->base + 1, journal_chunk, R, s->cb.payload);
    pl_guard_end(ctx, g);
    if ((rc = replay_rest(ctx, R, read_rc(ctx, R, rc, "journal_read")))) return rc;
    uint64_t torn;
    int damaged;
    if ((rc = pl_jreader_finish(&R->jr, &torn, &damaged))) return rc;
    const pl_jreader *jr = &R->jr;
    if (!jr->records) {
        if (rep->retroactive)
            return pl_err(ctx, PLAUDIT_EHISTORY,
                          "the program differs from the one that wrote the snapshot, and a retroactive replay "
                          "needs the journal from record 1, but the journal is empty (compacted up to record "
                          "%llu): attach with the program that wrote the snapshot, or keep the journal "
                          "(keep_journal, PLAUDIT_FILE_STORE_ARCHIVE)",
                          (unsigned long long)snap_seq);
    } else if (jr->first_seq > R->base + 1) {
        if (rep->retroactive) return history_gap(ctx, jr->first_seq);
        return pl_err(ctx, PLAUDIT_ECORRUPT, "journal is corrupt: it starts at record %llu, but the state (%s) "
                      "ends at record %llu", (unsigned long long)jr->first_seq,
                      rep->snapshot ? "snapshot" : "no snapshot", (unsigned long long)R->base);
    }
    if (rep->retroactive && jr->last_seq < snap_seq)
        return pl_err(ctx, PLAUDIT_EHISTORY,
                      "a retroactive replay needs records up to %llu (the snapshot's), but the journal ends at %llu",
                      (unsigned long long)snap_seq, (unsigned long long)jr->last_seq);
    if (torn) {
        if (!s->cb.journal_cut)
            return pl_err(ctx, PLAUDIT_ECORRUPT,
                          "journal ends in a torn record of %llu bytes and the store cannot cut it (no journal_cut)",
                          (unsigned long long)torn);
        g = pl_guard_begin(ctx, PL_IN_STORE);
        rc = s->cb.journal_cut(torn, s->cb.payload);
        pl_guard_end(ctx, g);
        if (rc) return pl_store_fail(ctx, s, rc, "journal_cut");
    }
    rep->torn_bytes = torn;
    if (R->shadow && (rc = pl_retro_diff(ctx, R->shadow, s))) return rc;
    rep->torn_records = torn && !damaged;
    rep->damaged_records = (uint64_t)damaged;
    s->seq = jr->last_seq > snap_seq ? jr->last_seq : snap_seq;
    rep->last_seq = s->seq;
    return PLAUDIT_OK;
}

int plaudit_store_attach(plaudit_ctx *ctx, const plaudit_store *store, const plaudit_store_options *opts)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!store) return pl_err(ctx, PLAUDIT_EINVAL, "store is NULL");
    if (ctx->in_callback) return pl_reentered(ctx, "a store cannot be attached");
    if (store->version != 1 && store->version != PLAUDIT_STORE_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "store version %u is not supported (expected 1 or %d)", store->version,
                      PLAUDIT_STORE_VERSION);
    if (!store->journal_append || !store->journal_read || !store->snapshot_write || !store->snapshot_read)
        return pl_err(ctx, PLAUDIT_EINVAL,
                      "store lacks a must-provide slot (journal_append, journal_read, snapshot_write, snapshot_read)");
    plaudit_store_options def = PLAUDIT_STORE_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version != PLAUDIT_STORE_OPTIONS_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "store options version %u is not supported (expected %d)",
                      opts->version, PLAUDIT_STORE_OPTIONS_VERSION);
    if ((unsigned)opts->sync > PLAUDIT_SYNC_GROUP)
        return pl_err(ctx, PLAUDIT_EINVAL, "unknown sync policy %d", (int)opts->sync);
    if (ctx->store) return pl_err(ctx, PLAUDIT_ESTATE, "a store is already attached");
    if (ctx->clock >= 0 || ctx->n_members || ctx->accepted || ctx->key_h)
        return pl_err(ctx, PLAUDIT_ESTATE, "a store must be attached before the first event");
    int rc = pl_program_seal(ctx);
    if (rc) return rc;
    pl_store *s = pl_malloc(&ctx->alloc, sizeof *s);
    if (!s) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory attaching a store");
    memset(s, 0, sizeof *s);
    memcpy(&s->cb, store, store_size(store->version));
    if (!s->cb.ack_write != !s->cb.ack_read) {
        pl_free(&ctx->alloc, s);
        return pl_err(ctx, PLAUDIT_EINVAL, "store gives one of ack_write and ack_read without the other");
    }
    s->opt = *opts;
    pl_buf_init(&s->buf, &ctx->alloc);
    recov R;
    memset(&R, 0, sizeof R);
    R.s = s;
    pl_buf_init(&R.snap, &ctx->alloc);
    for (size_t i = 0; i < RQ; i++) pl_buf_init(&R.q[i].strs, &ctx->alloc);
    pl_jreader_init(&R.jr, ctx, queue_one, &R);
    int oom = 0;
    s->base_fp = pl_program_fingerprint(ctx, &oom);
    if (oom) rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory attaching a store");
    ctx->keep_initial = 1;
    if (!rc) rc = pl_outbox_recover_begin(ctx, &s->cb);
    if (!rc) rc = recover(ctx, &R);
    /* Group commit tells durability by record: what recovery found is
     * made durable now, so that every record up to s->seq counts. */
    if (!rc && s->opt.sync == PLAUDIT_SYNC_GROUP && s->seq && s->cb.sync) {
        int g = pl_guard_begin(ctx, PL_IN_STORE);
        rc = s->cb.sync(s->cb.payload);
        pl_guard_end(ctx, g);
        if (rc) rc = pl_store_fail(ctx, s, rc, "sync");
    }
    if (!rc) s->durable_base = s->seq;
    if (!rc && s->opt.sync == PLAUDIT_SYNC_GROUP) s->bg = pl_file_store_bg(&s->cb);
    pl_outbox_recover_end(ctx);
    ctx->keep_initial = 0;
    pl_buf_free(&R.snap);
    pl_file_store_snap_unmap(R.map, R.map_len);
    pl_jreader_free(&R.jr);
    for (size_t i = 0; i < RQ; i++) pl_buf_free(&R.q[i].strs);
    plaudit_ctx_free(R.shadow);
    if (rc) pl_retro_free(ctx, s);
    if (rc) pl_program_update_end(ctx, rc); /* a replayed program event cut short */
    if (!rc) pl_program_drop_initial(ctx);
    if (rc) {
        pl_state_reset(ctx);
        pl_program_restore_initial(ctx);
        pl_buf_free(&s->buf);
        pl_free(&ctx->alloc, s);
        return rc;
    }
    s->last_sync_ms = pl_now_ms();
    ctx->store = s;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_store_recovery_get_version(const plaudit_ctx *ctx, plaudit_recovery *out, unsigned version)
{
    if (!ctx || !out) return PLAUDIT_EINVAL;
    if (version < 1 || version > PLAUDIT_RECOVERY_VERSION) return PLAUDIT_EVERSION;
    /* version 1 ends at changed_members */
    size_t n = version == 1 ? offsetof(plaudit_recovery, changed_members) + sizeof out->changed_members : sizeof *out;
    if (ctx->store) memcpy(out, &ctx->store->rec, n);
    else memset(out, 0, n);
    return PLAUDIT_OK;
}

int plaudit_store_recovery_get(const plaudit_ctx *ctx, plaudit_recovery *out)
{
    return plaudit_store_recovery_get_version(ctx, out, 1);
}

static int store_call_ok(plaudit_ctx *ctx, const char *what)
{
    if (ctx->in_callback) {
        char w[64];
        snprintf(w, sizeof w, "%s is not allowed", what);
        return pl_reentered(ctx, w);
    }
    if (!ctx->store) return pl_err(ctx, PLAUDIT_ESTATE, "%s: no store is attached", what);
    return PLAUDIT_OK;
}

static int do_sync(plaudit_ctx *ctx, pl_store *s)
{
    if (!s->cb.sync) return PLAUDIT_OK;
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    int rc = s->cb.sync(s->cb.payload);
    pl_guard_end(ctx, g);
    if (rc) return pl_store_fail(ctx, s, rc, "sync");
    s->unsynced = 0;
    s->last_sync_ms = pl_now_ms();
    return PLAUDIT_OK;
}

int plaudit_store_sync(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = store_call_ok(ctx, "plaudit_store_sync");
    if (rc || (rc = do_sync(ctx, ctx->store))) return rc;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_store_journal_seq(const plaudit_ctx *ctx, uint64_t *seq)
{
    if (!ctx || !seq) return PLAUDIT_EINVAL;
    *seq = ctx->store ? ctx->store->seq : 0;
    return ctx->store ? PLAUDIT_OK : PLAUDIT_ESTATE;
}

/* With the sync thread these two only read what attach fixed and the
 * store's own atomics: they may run on any thread, beside event calls. */
static int sync_thread(const pl_store *s) { return s->bg && s->opt.sync == PLAUDIT_SYNC_GROUP; }

int plaudit_store_durable_seq(const plaudit_ctx *ctx, uint64_t *seq)
{
    if (!ctx || !seq) return PLAUDIT_EINVAL;
    const pl_store *s = ctx->store;
    *seq = 0;
    if (!s) return PLAUDIT_ESTATE;
    if (sync_thread(s)) {
        uint64_t d = s->bg->durable(s->cb.payload);
        *seq = d > s->durable_base ? d : s->durable_base;
    } else {
        *seq = s->cb.sync ? s->seq - s->unsynced : s->seq;
    }
    return PLAUDIT_OK;
}

int plaudit_store_wait_durable(plaudit_ctx *ctx, uint64_t seq)
{
    if (!ctx) return PLAUDIT_EINVAL;
    pl_store *s = ctx->store;
    if (s && sync_thread(s)) {
        /* No message: another thread may be using the context. */
        if (seq <= s->durable_base) return PLAUDIT_OK;
        int rc = s->bg->wait(seq, s->cb.payload);
        return rc > 0 ? PLAUDIT_EUSER : rc;
    }
    int rc = store_call_ok(ctx, "plaudit_store_wait_durable");
    if (rc) return rc;
    s = ctx->store;
    if (seq > s->seq)
        return pl_err(ctx, PLAUDIT_EINVAL, "record %llu is not in the journal (the last is %llu)",
                      (unsigned long long)seq, (unsigned long long)s->seq);
    uint64_t d;
    plaudit_store_durable_seq(ctx, &d);
    if (seq > d && (rc = do_sync(ctx, s))) return rc;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_store_snapshot(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = store_call_ok(ctx, "plaudit_store_snapshot");
    if (rc) return rc;
    pl_store *s = ctx->store;
    if (s->broken)
        return pl_err(ctx, PLAUDIT_EIO, "the journal may end in a partial record after a store failure: detach "
                                        "the store and attach it again to recover");
    /* The journal first, so it never ends before a durable snapshot. */
    if (s->unsynced && (rc = do_sync(ctx, s))) return rc;
    if ((rc = pl_snapshot_encode(ctx, s->seq, &s->buf))) return rc;
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    rc = s->cb.snapshot_write(s->seq, s->buf.p, s->buf.len, s->cb.payload);
    pl_guard_end(ctx, g);
    /* Do not keep a state-sized buffer around. */
    pl_buf_free(&s->buf);
    pl_buf_init(&s->buf, &ctx->alloc);
    if (rc) return pl_store_fail(ctx, s, rc, "snapshot_write");
    if (!s->opt.keep_journal && s->cb.journal_drop) {
        g = pl_guard_begin(ctx, PL_IN_STORE);
        rc = s->cb.journal_drop(s->seq, s->cb.payload);
        pl_guard_end(ctx, g);
        if (rc) {
            rc = pl_store_fail(ctx, s, rc, "journal_drop");
            size_t n = strlen(ctx->errmsg);
            snprintf(ctx->errmsg + n, sizeof ctx->errmsg - n, " (the snapshot was written; nothing is lost)");
            return rc;
        }
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

void pl_store_free(plaudit_ctx *ctx)
{
    pl_store *s = ctx->store;
    if (!s) return;
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    if (s->unsynced && s->cb.sync) s->cb.sync(s->cb.payload);
    if (s->cb.close) s->cb.close(s->cb.payload);
    pl_guard_end(ctx, g);
    pl_buf_free(&s->buf);
    pl_retro_free(ctx, s);
    pl_free(&ctx->alloc, s);
    ctx->store = NULL;
}

int plaudit_store_detach(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_reentered(ctx, "a store cannot be detached");
    if (!ctx->store) {
        pl_ok(ctx);
        return PLAUDIT_OK;
    }
    int rc;
    if (ctx->store->unsynced && (rc = do_sync(ctx, ctx->store))) return rc;
    ctx->store->unsynced = 0;
    pl_store_free(ctx);
    pl_ok(ctx);
    return PLAUDIT_OK;
}
