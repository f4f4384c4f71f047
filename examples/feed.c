/* feed.c - feeding an event file to contexts for the plaudit tool: one
 * record call per line, rejection reports by line number (a line a reorder
 * window held is reported by its own number when it is released), the
 * --trace lines, the progress indicator, the flush at the end of the
 * input, and --moments: the outbox written to a file, synced, then
 * acknowledged, so that a crash never loses a moment. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feed.h"

static const char *prog = "plaudit";

enum { FD_OK = 0, FD_PROGRAM = 1, FD_IO = 3, FD_STORE = 4, FD_INTERNAL = 5 };

/* ---- progress indicator ---------------------------------------------------------- */

typedef struct progress {
    int on;
    off_t total;      /* bytes, 0 when unknown */
    double start, last;
    int shown;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_init(progress *p, int enabled, FILE *in)
{
    memset(p, 0, sizeof *p);
    p->on = enabled && isatty(STDERR_FILENO);
    if (!p->on) return;
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) p->total = st.st_size;
    p->start = p->last = now_s();
}

static void progress_tick(progress *p, uint64_t lines, off_t bytes)
{
    if (!p->on || (lines & 1023)) return;
    double t = now_s();
    /* Only for long inputs: nothing in the first second, then 4 times a second. */
    if (t - p->start < 1.0 || t - p->last < 0.25) return;
    p->last = t;
    p->shown = 1;
    double rate = (double)lines / (t - p->start);
    if (p->total > 0)
        fprintf(stderr, "\r%s: %5.1f%%  %" PRIu64 " lines  %.0f lines/s ", prog, 100.0 * (double)bytes / (double)p->total,
                lines, rate);
    else
        fprintf(stderr, "\r%s: %" PRIu64 " lines  %.0f lines/s ", prog, lines, rate);
}

static void progress_done(progress *p)
{
    if (p->on && p->shown) fprintf(stderr, "\r\033[K");
}

/* ---- moments file ------------------------------------------------------------------ */

static FILE *moments_f;

/* A kill -9 in the middle of a write leaves the file ending in part of a
 * line.  That moment was never acknowledged, so it comes again: cut the
 * partial line off, so the next moment starts a line of its own. */
static int moments_cut_torn(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    off_t end = st.st_size;
    char buf[4096];
    while (end > 0) {
        size_t n = end < (off_t)sizeof buf ? (size_t)end : sizeof buf;
        if (pread(fd, buf, n, end - (off_t)n) != (ssize_t)n) return -1;
        size_t i = n;
        while (i > 0 && buf[i - 1] != '\n') i--;
        if (i > 0) {
            end = end - (off_t)n + (off_t)i;
            break;
        }
        end -= (off_t)n;
    }
    if (end == st.st_size) return 0;
    return ftruncate(fd, end) == 0 && fsync(fd) == 0 ? 0 : -1;
}

int plaudit_moments_open(plaudit_ctx *ctx, const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0 && moments_cut_torn(fd) != 0) {
        fprintf(stderr, "%s: --moments %s: %s\n", prog, path, strerror(errno));
        close(fd);
        return FD_IO;
    }
    if (fd < 0 || !(moments_f = fdopen(fd, "a"))) {
        fprintf(stderr, "%s: --moments %s: %s\n", prog, path, strerror(errno));
        if (fd >= 0) close(fd);
        return FD_IO;
    }
    if (plaudit_outbox_enable(ctx, 0) != PLAUDIT_OK) {
        fprintf(stderr, "%s: --moments: %s\n", prog, plaudit_errmsg(ctx));
        return FD_INTERNAL;
    }
    return FD_OK;
}

void plaudit_moments_close(void)
{
    if (moments_f) fclose(moments_f);
    moments_f = NULL;
}

/* Append every pending moment, make the file durable, then acknowledge:
 * a crash before the acknowledgement only repeats moments. */
int plaudit_moments_drain(plaudit_ctx *ctx)
{
    if (!moments_f) return FD_OK;
    const plaudit_moment *m;
    size_t n;
    uint64_t last = 0;
    for (;;) {
        if (plaudit_outbox_read(ctx, last, 4096, &m, &n) != PLAUDIT_OK) return FD_INTERNAL;
        if (!n) break;
        for (size_t i = 0; i < n; i++) {
            char *js;
            if (plaudit_moment_json(ctx, &m[i], &js, NULL) != PLAUDIT_OK) return FD_INTERNAL;
            fprintf(moments_f, "%s\n", js);
            plaudit_free(ctx, js);
        }
        last = m[n - 1].seq;
    }
    if (!last) return FD_OK;
    if (fflush(moments_f) != 0 || fsync(fileno(moments_f)) != 0) {
        fprintf(stderr, "%s: --moments: %s\n", prog, strerror(errno));
        return FD_IO;
    }
    if (plaudit_outbox_ack(ctx, last) != PLAUDIT_OK) {
        fprintf(stderr, "%s: --moments: %s\n", prog, plaudit_errmsg(ctx));
        return FD_STORE;
    }
    return FD_OK;
}

/* ---- lines held by a reorder window ------------------------------------------------------- */

/* Per context: the line of each arrival this run, to report a released
 * line by its own number. */
typedef struct feeder {
    plaudit_ctx *ctx;
    const char *label;
    const char *path;         /* the events file, for labelled reports */
    const feed_opts *o;
    int trace;
    uint64_t base;            /* arrival number of lines[0] */
    uint64_t *lines;
    size_t n, cap;
    uint64_t cur;             /* line being read; 0 at the end (flush) */
    int oom;
} feeder;

static void note_arrival(feeder *f, uint64_t arrival, uint64_t line)
{
    if (!f->n) f->base = arrival;
    if (arrival != f->base + f->n) return; /* not one after the other: cannot be */
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 1024;
        uint64_t *p = realloc(f->lines, cap * sizeof *p);
        if (!p) {
            f->oom = 1;
            return;
        }
        f->lines = p;
        f->cap = cap;
    }
    f->lines[f->n++] = line;
}

static uint64_t line_of(const feeder *f, uint64_t arrival)
{
    return f->n && arrival >= f->base && arrival - f->base < f->n ? f->lines[arrival - f->base] : 0;
}

static void report(const feeder *f, uint64_t line, const char *msg)
{
    if (f->o->quiet) return;
    /* Labelled (what-if): the line is the events file's, the label says
     * under which program it was rejected. */
    if (f->label) fprintf(stderr, "%s: ", strcmp(f->path, "-") ? f->path : "standard input");
    if (line) fprintf(stderr, "line %" PRIu64, line);
    else fprintf(stderr, "a line held before the restart");
    if (f->label) fprintf(stderr, " (%s)", f->label);
    fprintf(stderr, ": %s\n", msg);
}

static void trace_line(const feeder *f, uint64_t line, const plaudit_outcome *out, int released)
{
    char *js;
    if (plaudit_outcome_json(f->ctx, out, &js, NULL) != PLAUDIT_OK) return;
    printf("{\"line\":%" PRIu64 ",", line);
    if (released) {
        if (f->cur) printf("\"released\":%" PRIu64 ",", f->cur);
        else printf("\"released\":\"end\",");
    }
    printf("%s\n", js + 1);
    plaudit_free(f->ctx, js);
}

static void on_outcome(const plaudit_event *ev, const plaudit_outcome *out, void *payload)
{
    (void)ev;
    feeder *f = payload;
    uint64_t line = line_of(f, out->arrival);
    if (out->status == PLAUDIT_REJECTED) report(f, line, out->message);
    if (f->trace) trace_line(f, line, out, 1);
}

/* ---- reading lines ------------------------------------------------------------------------ */

/* Lines of at most `max` bytes (line end included), read in blocks: a line
 * longer than that keeps only its first max + 1 bytes (so it is known to be
 * too long) and the rest is skipped up to its end, so an endless line costs
 * no more memory than the limit. */
#define LR_BLOCK 65536
typedef struct lreader {
    FILE *in;
    char *blk, *line;
    size_t blen, bpos, max;
} lreader;

static int lr_init(lreader *r, FILE *in, size_t max)
{
    r->in = in;
    r->blen = r->bpos = 0;
    r->max = max;
    r->blk = malloc(LR_BLOCK);
    r->line = malloc(max + 1);
    return r->blk && r->line ? 0 : -1;
}

static void lr_free(lreader *r)
{
    free(r->blk);
    free(r->line);
}

/* Next line into r->line: *len bytes kept (at most max + 1), *raw the bytes
 * it really had.  Returns 1 for a line, 0 at the end (or a read error:
 * ferror). */
static int lr_next(lreader *r, size_t *len, uint64_t *raw)
{
    size_t n = 0;
    uint64_t total = 0;
    for (;;) {
        if (r->bpos == r->blen) {
            r->blen = fread(r->blk, 1, LR_BLOCK, r->in);
            r->bpos = 0;
            if (!r->blen) break;
        }
        const char *p = r->blk + r->bpos;
        size_t avail = r->blen - r->bpos;
        const char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) + 1 : avail;
        size_t room = r->max + 1 - n;
        memcpy(r->line + n, p, take < room ? take : room);
        n += take < room ? take : room;
        total += take;
        r->bpos += take;
        if (nl) break;
    }
    *len = n;
    *raw = total;
    return total > 0;
}

/* ---- feeding ---------------------------------------------------------------------------- */

static int store_failed(int r)
{
    return r == PLAUDIT_EUSER || r == PLAUDIT_EIO || r == PLAUDIT_ECORRUPT || r == PLAUDIT_ELOCKED ||
           r == PLAUDIT_ENOMEM;
}

/* what-if --from: the program event. */
static int switch_program(plaudit_ctx *ctx, const feed_opts *o)
{
    plaudit_outcome out;
    int r = plaudit_program_update(ctx, o->switch_ts, o->switch_doc, NULL, &out);
    if (r == PLAUDIT_OK || r == PLAUDIT_HELD) return FD_OK;
    fprintf(stderr, "%s: %s: the program event at %" PRId64 " is rejected: %s\n", prog, o->switch_name, o->switch_ts,
            plaudit_errmsg(ctx));
    return FD_PROGRAM;
}

int plaudit_feed(plaudit_ctx **ctxs, const char **labels, int n, const char *path, const feed_opts *o)
{
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return FD_IO;
    }
    feeder *fs = calloc((size_t)n, sizeof *fs);
    if (!fs) {
        if (in != stdin) fclose(in);
        return FD_INTERNAL;
    }
    for (int c = 0; c < n; c++) {
        fs[c].ctx = ctxs[c];
        fs[c].label = labels ? labels[c] : NULL;
        fs[c].path = path;
        fs[c].o = o;
        fs[c].trace = c == 0 && o->trace;
        plaudit_listener L = PLAUDIT_LISTENER_INIT;
        L.on_outcome = on_outcome;
        L.payload = &fs[c];
        plaudit_listener_set(ctxs[c], &L);
    }
    progress pg;
    progress_init(&pg, o->progress, in);
    lreader lr;
    int rc = FD_OK;
    if (lr_init(&lr, in, PLAUDIT_DEFAULT_MAX_LINE_BYTES)) {
        fprintf(stderr, "%s: out of memory\n", prog);
        rc = FD_INTERNAL;
        goto out;
    }
    const char *line = lr.line;
    size_t len;
    uint64_t lineno = 0, raw;
    off_t bytes = 0;
    if (o->moments && (rc = plaudit_moments_drain(ctxs[0]))) goto out; /* what recovery put back */
    int switched = !o->switch_doc;
    while (lr_next(&lr, &len, &raw)) {
        lineno++;
        bytes += (off_t)raw;
        plaudit_event ev;
        if (!switched && plaudit_event_parse(ctxs[n - 1], line, len, &ev) == PLAUDIT_OK && ev.ts >= o->switch_ts) {
            if ((rc = switch_program(ctxs[n - 1], o))) goto out;
            switched = 1;
        }
        for (int c = 0; c < n; c++) {
            feeder *f = &fs[c];
            f->cur = lineno;
            plaudit_outcome out;
            /* An over-long line reaches the library cut at the limit + 1
             * byte: rejected (and counted) as too long, without the rest. */
            int r = plaudit_record_json(ctxs[c], line, len, &out);
            if (r == PLAUDIT_ENOTFOUND && out.status == PLAUDIT_ACCEPTED && out.message == NULL) continue; /* blank */
            if (out.arrival) note_arrival(f, out.arrival, lineno);
            if (r < 0) {
                char toolong[96];
                const char *msg = plaudit_errmsg(ctxs[c]);
                if (len > lr.max) {
                    snprintf(toolong, sizeof toolong, "the line has %" PRIu64 " bytes, more than the limit of %zu",
                             raw, lr.max);
                    msg = toolong;
                }
                report(f, lineno, msg);
            }
            if (o->store && store_failed(r)) {
                /* A store failure: the event was not recorded; stop here. */
                fprintf(stderr, "%s: the store failed at line %" PRIu64 "; stopping\n", prog, lineno);
                rc = FD_STORE;
                goto out;
            }
            if (f->trace) trace_line(f, lineno, &out, 0);
        }
        if (o->moments && ((lineno & 255) == 0) && (rc = plaudit_moments_drain(ctxs[0]))) goto out;
        progress_tick(&pg, lineno, bytes);
    }
    if (ferror(in)) {
        fprintf(stderr, "%s: %s: read error: %s\n", prog, path, strerror(errno));
        rc = FD_IO;
        goto out;
    }
    if (!switched && (rc = switch_program(ctxs[n - 1], o))) goto out;
    /* The end of the input releases what the reorder window holds. */
    for (int c = 0; c < n; c++) {
        fs[c].cur = 0;
        if (plaudit_flush(ctxs[c]) != PLAUDIT_OK) {
            fprintf(stderr, "%s: releasing the held events: %s\n", prog, plaudit_errmsg(ctxs[c]));
            rc = o->store ? FD_STORE : FD_INTERNAL;
            goto out;
        }
    }
    if (o->moments) rc = plaudit_moments_drain(ctxs[0]);
out:
    progress_done(&pg);
    for (int c = 0; c < n; c++) {
        plaudit_listener_set(ctxs[c], NULL);
        if (fs[c].oom && !rc) {
            fprintf(stderr, "%s: out of memory\n", prog);
            rc = FD_INTERNAL;
        }
        free(fs[c].lines);
    }
    free(fs);
    lr_free(&lr);
    if (in != stdin) fclose(in);
    return rc;
}
