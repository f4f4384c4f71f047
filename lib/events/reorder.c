/* reorder.c - the reorder window (spec section 6): events are held on
 * arrival in a min-heap ordered by (ts, arrival), H is the highest ts held
 * so far, and after each arrival every held event with ts <= H - W is
 * released and processed as without a window.  With a store every arrival
 * is journaled before its call returns, and recovery feeds the journaled
 * arrivals through the same window, so releases happen at the same points
 * and decide the same outcomes.  Snapshots carry the held events. */
#include <stdio.h>

#include "internal.h"

/* One held event: the event with its strings copied into one block (for a
 * line rejected at release, only its ts, with code and the message). */
typedef struct pl_held {
    plaudit_event ev;
    uint64_t arrival;
    int code;                 /* 0, or the rejection decided on arrival */
    char *strs;
    size_t bytes;             /* of strs */
} pl_held;

typedef struct pl_window {
    pl_held *heap;
    size_t n, cap;
    int64_t high;             /* H, -1 before the first arrival */
    uint64_t arrivals;
    int flush_pending;        /* a flush was cut short: release everything */
    int stalled;              /* a release failed for memory */
} pl_window;

int plaudit_program_set_reorder_window(plaudit_ctx *ctx, int64_t seconds)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "the program cannot change inside a listener");
    if (ctx->sealed) return pl_err(ctx, PLAUDIT_ESTATE, "the program is sealed (an event was recorded)");
    if (seconds < 0 || seconds > 86400)
        return pl_err(ctx, PLAUDIT_ERANGE, "reorder window %lld is out of range (0 to 86400 seconds)",
                      (long long)seconds);
    if (seconds && ctx->format < 2)
        return pl_err(ctx, PLAUDIT_EVERSION, "a reorder window needs a program of format 2 (plaudit.program/2)");
    ctx->reorder_window_s = seconds;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

/* ---- the heap ------------------------------------------------------------- */

static int before(const pl_held *a, const pl_held *b)
{
    return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->arrival < b->arrival);
}

static void sift_up(pl_held *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h[i], &h[p])) break;
        pl_held t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void sift_down(pl_held *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m])) m = l;
        if (r < n && before(&h[r], &h[m])) m = r;
        if (m == i) return;
        pl_held t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Room for one more must have been reserved. */
static void heap_push(pl_window *w, const pl_held *e)
{
    w->heap[w->n] = *e;
    sift_up(w->heap, w->n++);
}

static pl_held heap_pop(pl_window *w)
{
    pl_held top = w->heap[0];
    w->heap[0] = w->heap[--w->n];
    sift_down(w->heap, w->n, 0);
    return top;
}

static int window_get(plaudit_ctx *ctx, pl_window **out)
{
    if (!ctx->win) {
        pl_window *w = pl_malloc(&ctx->alloc, sizeof *w);
        if (!w) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory holding an event");
        memset(w, 0, sizeof *w);
        w->high = -1;
        ctx->win = w;
    }
    *out = ctx->win;
    return PLAUDIT_OK;
}

/* ---- held copies ---------------------------------------------------------- */

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *scopy(char **p, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*p, s, n);
    const char *r = *p;
    *p += n;
    return r;
}

/* Copy ev (or, with code != 0, only its ts and msg) into e. */
static int held_make(plaudit_ctx *ctx, const plaudit_event *ev, int code, const char *msg, pl_held *e)
{
    memset(e, 0, sizeof *e);
    e->code = code;
    if (code) {
        e->ev.ts = ev->ts;
        e->bytes = slen(msg ? msg : "");
        if (!(e->strs = pl_malloc(&ctx->alloc, e->bytes)))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory holding an event");
        char *p = e->strs;
        e->ev.reason = scopy(&p, msg ? msg : "");
        return PLAUDIT_OK;
    }
    e->ev = *ev;
    e->bytes = slen(ev->id) + slen(ev->member) + slen(ev->target) + slen(ev->reason) + slen(ev->ref) +
               slen(ev->document);
    if (e->bytes && !(e->strs = pl_malloc(&ctx->alloc, e->bytes)))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory holding an event");
    char *p = e->strs;
    e->ev.id = scopy(&p, ev->id);
    e->ev.member = scopy(&p, ev->member);
    e->ev.target = scopy(&p, ev->target);
    e->ev.reason = scopy(&p, ev->reason);
    e->ev.ref = scopy(&p, ev->ref);
    e->ev.document = scopy(&p, ev->document);
    return PLAUDIT_OK;
}

/* The record of an arrival: the event, or for a line rejected at release
 * its ts, code (as points) and message (as reason). */
static int journal_arrival(plaudit_ctx *ctx, const pl_held *e)
{
    if (!e->code) return pl_journal_log_kind(ctx, PL_REC_ARRIVAL, &e->ev);
    plaudit_event r = PLAUDIT_EVENT_INIT;
    r.ts = e->ev.ts;
    r.points = e->code;
    r.reason = e->ev.reason;
    return pl_journal_log_kind(ctx, PL_REC_INVALID, &r);
}

/* ---- releasing -------------------------------------------------------------- */

static int due(const plaudit_ctx *ctx, const pl_window *w)
{
    return w->n && (w->flush_pending || w->heap[0].ev.ts <= w->high - ctx->reorder_window_s);
}

/* Process one released event.  A line held as invalid is rejected with the
 * code and message it arrived with. */
static int process(plaudit_ctx *ctx, const pl_held *e)
{
    if (!e->code) {
        ctx->in_release = 1;
        int rc = pl_record_replay(ctx, &e->ev);
        ctx->in_release = 0;
        return rc;
    }
    pl_ok(ctx);
    ctx->n_moments = ctx->n_badge_moments = ctx->n_tier_moments = 0;
    ctx->subject = NULL;
    ctx->subject_points = 0;
    ctx->rejected++;
    return pl_err(ctx, e->code, "%s", e->ev.reason);
}

static void tell_outcome(plaudit_ctx *ctx, const pl_held *e, int rc)
{
    pl_deliver(ctx);
    if (!ctx->has_listener || !ctx->listener.on_outcome) return;
    plaudit_outcome o;
    pl_fill_outcome(ctx, rc, &o);
    o.arrival = e->arrival;
    ctx->in_callback = 1;
    ctx->listener.on_outcome(&e->ev, &o, ctx->listener.payload);
    ctx->in_callback = 0;
}

/* Release every due event in order.  self: the arrival of the calling
 * event, whose outcome goes to *self_rc / out instead of on_outcome.
 * live: 0 at recovery (no listeners).  Returns PLAUDIT_ENOMEM when a
 * release failed for memory (that event stays held, first in line). */
static int release_due(plaudit_ctx *ctx, int live, uint64_t self, int *self_rc, plaudit_outcome *out)
{
    pl_window *w = ctx->win;
    while (due(ctx, w)) {
        pl_held e = heap_pop(w);
        int rc = process(ctx, &e);
        if (rc == PLAUDIT_ENOMEM) {
            /* Not an outcome: the event is released again later, so the
             * order stays that of an uninterrupted run. */
            ctx->rejected--;
            heap_push(w, &e);
            w->stalled = 1;
            return rc;
        }
        if (e.arrival == self) {
            *self_rc = rc;
            pl_fill_outcome(ctx, rc, out);
            if (out) out->arrival = e.arrival;
            if (live && rc == PLAUDIT_OK) pl_deliver(ctx);
        } else if (live) {
            tell_outcome(ctx, &e, rc);
        }
        pl_free(&ctx->alloc, e.strs);
    }
    w->stalled = 0;
    w->flush_pending = 0;
    return PLAUDIT_OK;
}

/* Hold e (room reserved), then release what is due. */
static int arrive(plaudit_ctx *ctx, pl_held *e, int live, plaudit_outcome *out)
{
    pl_window *w = ctx->win;
    e->arrival = ++w->arrivals;
    if (e->ev.ts > w->high) w->high = e->ev.ts;
    heap_push(w, e);
    int self_rc = PLAUDIT_HELD;
    int rc = release_due(ctx, live, e->arrival, &self_rc, out);
    if (self_rc == PLAUDIT_HELD && out) {
        memset(out, 0, sizeof *out);
        out->status = PLAUDIT_HELD_EVENT;
        out->arrival = e->arrival;
        out->message = ctx->errmsg;
    }
    if (rc && !live) return rc;
    if (self_rc == PLAUDIT_HELD) pl_ok(ctx);
    return self_rc;
}

static int reject_now(plaudit_ctx *ctx, int rc, plaudit_outcome *out)
{
    ctx->rejected++;
    pl_fill_outcome(ctx, rc, out);
    return rc;
}

int pl_window_record(plaudit_ctx *ctx, const plaudit_event *ev, int code, const char *msg, plaudit_outcome *out)
{
    if (out) memset(out, 0, sizeof *out);
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "events cannot be recorded from inside a listener");
    pl_ok(ctx);
    if (!ev) return reject_now(ctx, pl_err(ctx, PLAUDIT_EINVAL, "event is NULL"), out);
    if (ev->ts < 0 || ev->ts > PLAUDIT_MAX_TS)
        return reject_now(
            ctx, pl_err(ctx, PLAUDIT_ERANGE, "ts %lld is out of range (0 to 2^37)", (long long)ev->ts), out);
    int rc = pl_program_seal(ctx);
    if (!rc && ctx->obx) rc = pl_outbox_admit(ctx);
    if (rc) {
        pl_fill_outcome(ctx, rc, out);
        return rc;
    }
    pl_window *w = NULL; /* set by the call below (-O3 cannot tell) */
    if ((rc = window_get(ctx, &w))) return rc;
    /* Events a failed allocation kept back go first. */
    if (due(ctx, w) && (rc = release_due(ctx, 1, 0, NULL, NULL))) {
        pl_fill_outcome(ctx, rc, out);
        return rc;
    }
    char m[PL_ERRMSG_MAX];
    if (!code && (code = pl_event_check(ctx, ev))) {
        snprintf(m, sizeof m, "%s", ctx->errmsg);
        msg = m;
    }
    pl_ok(ctx);
    pl_held e;
    if ((rc = held_make(ctx, ev, code, msg, &e)) ||
        (pl_grow(&ctx->alloc, (void **)&w->heap, &w->cap, w->n + 1, sizeof *w->heap) &&
         (rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory holding an event"))) ||
        (ctx->store && (rc = journal_arrival(ctx, &e)))) {
        pl_free(&ctx->alloc, e.strs);
        pl_fill_outcome(ctx, rc, out);
        return rc;
    }
    return arrive(ctx, &e, 1, out);
}

int pl_window_replay(plaudit_ctx *ctx, int kind, const plaudit_event *ev)
{
    pl_window *w = NULL;
    int rc;
    if (kind == PL_REC_FLUSH) {
        if (!ctx->win) return PLAUDIT_OK;
        ctx->win->flush_pending = 1;
        return release_due(ctx, 0, 0, NULL, NULL);
    }
    int code = kind == PL_REC_INVALID ? (int)ev->points : 0;
    if (kind == PL_REC_INVALID && (code >= 0 || code == PLAUDIT_ENOMEM))
        return pl_err(ctx, PLAUDIT_ECORRUPT, "journal is corrupt: a held line with rejection code %d", code);
    if (ctx->reorder_window_s <= 0) {
        /* A program without a window replays the history in arrival order. */
        if (!code) return pl_record_replay(ctx, ev);
        ctx->rejected++;
        return code;
    }
    if ((rc = window_get(ctx, &w))) return rc;
    if (due(ctx, w) && (rc = release_due(ctx, 0, 0, NULL, NULL))) return rc;
    pl_held e;
    if ((rc = held_make(ctx, ev, code, ev->reason, &e))) return rc;
    if (pl_grow(&ctx->alloc, (void **)&w->heap, &w->cap, w->n + 1, sizeof *w->heap)) {
        pl_free(&ctx->alloc, e.strs);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory holding an event");
    }
    return arrive(ctx, &e, 0, NULL);
}

int plaudit_flush(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_err(ctx, PLAUDIT_ESTATE, "plaudit_flush is not allowed from inside a listener");
    pl_ok(ctx);
    pl_window *w = ctx->win;
    if (!w || !w->n) return PLAUDIT_OK;
    int rc;
    /* Journaled so that recovery releases at the same point. */
    if (ctx->store && !w->flush_pending) {
        plaudit_event f = PLAUDIT_EVENT_INIT;
        if ((rc = pl_journal_log_kind(ctx, PL_REC_FLUSH, &f))) return rc;
    }
    w->flush_pending = 1;
    if ((rc = release_due(ctx, 1, 0, NULL, NULL))) return rc;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_window_info_get(const plaudit_ctx *ctx, plaudit_window_info *out)
{
    if (!ctx || !out) return PLAUDIT_EINVAL;
    memset(out, 0, sizeof *out);
    out->window_s = ctx->reorder_window_s;
    out->high_water = -1;
    out->oldest_ts = -1;
    const pl_window *w = ctx->win;
    if (!w) return PLAUDIT_OK;
    out->held = w->n;
    out->high_water = w->high;
    out->arrivals = w->arrivals;
    if (w->n) out->oldest_ts = w->heap[0].ev.ts;
    if (w->stalled)
        for (size_t i = 0; i < w->n; i++)
            out->ready += w->flush_pending || w->heap[i].ev.ts <= w->high - ctx->reorder_window_s;
    return PLAUDIT_OK;
}

/* ---- state: reset, free, digest, snapshots ------------------------------------ */

void pl_window_reset(plaudit_ctx *ctx)
{
    pl_window *w = ctx->win;
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) pl_free(&ctx->alloc, w->heap[i].strs);
    w->n = 0;
    w->high = -1;
    w->arrivals = 0;
    w->flush_pending = w->stalled = 0;
}

void pl_window_free(plaudit_ctx *ctx)
{
    if (!ctx->win) return;
    pl_window_reset(ctx);
    pl_free(&ctx->alloc, ctx->win->heap);
    pl_free(&ctx->alloc, ctx->win);
    ctx->win = NULL;
}

static uint64_t held_hash(const pl_held *e)
{
    const plaudit_event *ev = &e->ev;
    uint64_t h = pl_hash_step(0x68656c64ULL, e->arrival);
    h = pl_hash_step(h, (uint64_t)ev->ts);
    h = pl_hash_step(h, (uint64_t)ev->type);
    h = pl_hash_step(h, (uint64_t)e->code);
    h = pl_hash_step(h, (uint64_t)ev->points);
    h = pl_hash_step(h, (uint64_t)ev->flag);
    const char *s[6] = {ev->id, ev->member, ev->target, ev->reason, ev->ref, ev->document};
    for (int i = 0; i < 6; i++) h = s[i] ? pl_hash_str(h, s[i]) : pl_hash_step(h, (uint64_t)i);
    return pl_mix64(h);
}

/* Only programs with a window have one in their digest (format 1 digests
 * are unchanged). */
uint64_t pl_window_digest(const plaudit_ctx *ctx, uint64_t h)
{
    if (ctx->reorder_window_s <= 0) return h;
    const pl_window *w = ctx->win;
    h = pl_hash_step(h, (uint64_t)ctx->reorder_window_s);
    /* Order-independent: a recovered heap may be laid out otherwise. */
    uint64_t sum = 0;
    for (size_t i = 0; w && i < w->n; i++) sum += held_hash(&w->heap[i]);
    h = pl_hash_step(h, sum);
    h = pl_hash_step(h, w ? w->n : 0);
    h = pl_hash_step(h, (uint64_t)(w ? w->high : -1));
    return pl_hash_step(h, w ? w->arrivals : 0);
}

static void put_nstr(pl_buf *b, const char *s)
{
    if (!s) {
        pl_put32(b, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    pl_put32(b, (uint32_t)n);
    pl_buf_put(b, s, n);
}

/* Section body: i64 H, u64 arrivals, u32 flush pending, u64 n, then each
 * held event (docs/storage-format.md). */
void pl_window_snap_encode(plaudit_ctx *ctx, pl_buf *b)
{
    const pl_window *w = ctx->win;
    pl_put64(b, (uint64_t)(w ? w->high : -1));
    pl_put64(b, w ? w->arrivals : 0);
    pl_put32(b, w ? (uint32_t)w->flush_pending : 0);
    pl_put64(b, w ? w->n : 0);
    for (size_t i = 0; w && i < w->n; i++) {
        const pl_held *e = &w->heap[i];
        pl_put64(b, e->arrival);
        pl_put32(b, (uint32_t)e->code);
        pl_put32(b, (uint32_t)e->ev.type);
        pl_put64(b, (uint64_t)e->ev.ts);
        pl_put64(b, (uint64_t)e->ev.points);
        pl_put32(b, (uint32_t)e->ev.flag);
        put_nstr(b, e->ev.id);
        put_nstr(b, e->ev.member);
        put_nstr(b, e->ev.target);
        put_nstr(b, e->ev.reason);
        put_nstr(b, e->ev.ref);
        put_nstr(b, e->ev.document);
    }
}

typedef struct srd {
    const unsigned char *p;
    size_t n, off;
    int bad;
} srd;

static uint64_t s64(srd *r)
{
    if (r->bad || r->n - r->off < 8) return r->bad = 1, 0;
    uint64_t v = pl_rd64(r->p + r->off);
    r->off += 8;
    return v;
}

static uint32_t s32(srd *r)
{
    if (r->bad || r->n - r->off < 4) return r->bad = 1, 0;
    uint32_t v = pl_rd32(r->p + r->off);
    r->off += 4;
    return v;
}

/* A string as a pointer into the section (length in *len), NULL absent. */
static const unsigned char *sstr(srd *r, uint32_t *len)
{
    uint32_t n = s32(r);
    *len = 0;
    if (r->bad || n == UINT32_MAX) return NULL;
    if (r->n - r->off < n) return r->bad = 1, NULL;
    const unsigned char *p = r->p + r->off;
    if (memchr(p, 0, n)) return r->bad = 1, NULL;
    r->off += n;
    *len = n;
    return p;
}

static int snap_bad(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ECORRUPT, "snapshot is corrupt: reorder window: %s", what);
}

int pl_window_snap_load(plaudit_ctx *ctx, const unsigned char *p, size_t n)
{
    srd r = {p, n, 0, 0};
    pl_window *w = NULL;
    int rc = window_get(ctx, &w);
    if (rc) return rc;
    pl_window_reset(ctx);
    w->high = (int64_t)s64(&r);
    w->arrivals = s64(&r);
    w->flush_pending = !!s32(&r);
    uint64_t cnt = s64(&r);
    if (r.bad || (w->high != -1 && (w->high < 0 || w->high > PLAUDIT_MAX_TS)) || cnt > w->arrivals ||
        cnt > (n - r.off) / 60)
        return snap_bad(ctx, "header");
    if (cnt && pl_grow(&ctx->alloc, (void **)&w->heap, &w->cap, (size_t)cnt, sizeof *w->heap))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
    for (uint64_t i = 0; i < cnt; i++) {
        pl_held e;
        memset(&e, 0, sizeof e);
        e.arrival = s64(&r);
        e.code = (int32_t)s32(&r);
        uint32_t type = s32(&r);
        e.ev.type = (plaudit_event_type)type;
        e.ev.ts = (int64_t)s64(&r);
        e.ev.points = (int64_t)s64(&r);
        e.ev.flag = (int)s32(&r);
        const unsigned char *sp[6];
        uint32_t sl[6];
        size_t total = 0;
        for (int k = 0; k < 6; k++) {
            sp[k] = sstr(&r, &sl[k]);
            if (sp[k]) total += sl[k] + 1;
        }
        if (r.bad || type > PLAUDIT_EVENT_PROGRAM || e.ev.ts < 0 || e.ev.ts > w->high || e.arrival == 0 ||
            e.arrival > w->arrivals || e.code > 0 || (e.code && !sp[3]))
            return snap_bad(ctx, "held event");
        if (total && !(e.strs = pl_malloc(&ctx->alloc, total)))
            return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading a snapshot");
        e.bytes = total;
        char *q = e.strs;
        const char **dst[6] = {&e.ev.id, &e.ev.member, &e.ev.target, &e.ev.reason, &e.ev.ref, &e.ev.document};
        for (int k = 0; k < 6; k++) {
            if (!sp[k]) continue;
            memcpy(q, sp[k], sl[k]);
            q[sl[k]] = '\0';
            *dst[k] = q;
            q += sl[k] + 1;
        }
        heap_push(w, &e);
    }
    if (r.off != n) return snap_bad(ctx, "length");
    return PLAUDIT_OK;
}
