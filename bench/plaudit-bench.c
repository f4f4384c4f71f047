/* plaudit-bench.c - measured speed, memory and scaling of libplaudit, side
 * by side with the alternatives a platform would otherwise write: a points
 * table in SQLite (in memory and in a WAL file) and a bare uthash points
 * table in C.
 *
 * The workload is deterministic (fixed seed): the reference program
 * (shared/bench/program.json), N members who all join first (an import),
 * then M events over a simulated year whose members are drawn from a Zipf
 * distribution (s = 1.1: a few members do most of the work, as in every
 * community), with the action mix of an advocacy community, kudos and
 * redemptions included.  Events are generated in memory before any timing
 * starts (compact records expanded chunk by chunk outside the timed
 * regions), with interned member-id strings.
 *
 * Output: one `name value unit` line per figure on stdout; progress on
 * stderr.  Not part of the test suite; never assert timings. */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <plaudit.h>
#include <uthash.h>

#include "bench-config.h"

#if BENCH_HAVE_SQLITE
#include <sqlite3.h>
#endif
#if BENCH_HAVE_STORE
#include <plaudit/store.h>
#endif

/* ---- options ---------------------------------------------------------- */

typedef struct opts {
    const char *program;
    const char *program_v2;   /* the format 2 reference program, "" for none */
    uint64_t members, events;
    uint64_t sqlite_events;   /* prefix of the stream replayed on SQLite */
    uint64_t sync_events;     /* events for the sync-per-event runs */
    uint64_t queries;
    uint64_t curve[8];
    size_t n_curve;
    uint64_t seed;
    const char *dir;
    int sqlite, latency, batch, durable, uthash_base;
    int live;                 /* the reorder window and outbox runs (--no-live) */
    int digest;
    int durable_only;         /* --durable-only: the file store phases alone */
    int keep_stores;          /* --keep-stores: leave the stores in --dir */
    int group_thread;         /* the PLAUDIT_SYNC_GROUP phase (--no-group-thread) */
    uint64_t teams;
} opts;

/* ---- small helpers ------------------------------------------------------ */

/* Compute-bound phases are timed in the thread's CPU time, which other
 * processes on a busy machine do not inflate (they still share caches);
 * phases that wait for the disk (file store, SQLite files) in wall time.
 * --wall times everything in wall time. */
static int g_wall;
static double now_wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now_s(void)
{
    if (g_wall) return now_wall();
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
/* The clock of the current phase (wall for disk phases). */
static double (*g_clock)(void) = now_s;

static inline uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void out(const char *name, double v, const char *unit)
{
    if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 0.01))
        printf("%-40s %.4g %s\n", name, v, unit);
    else
        printf("%-40s %.2f %s\n", name, v, unit);
    fflush(stdout);
}

static void outu(const char *name, uint64_t v, const char *unit)
{
    printf("%-40s %" PRIu64 " %s\n", name, v, unit);
    fflush(stdout);
}

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("plaudit-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

/* splitmix64: deterministic and fast. */
typedef struct rng {
    uint64_t s;
} rng;
static inline uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static inline double runif(rng *r) { return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0); }
static inline uint64_t rbelow(rng *r, uint64_t n) { return (uint64_t)(runif(r) * (double)n); }

static long rss_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* ---- a counting allocator (bytes the context holds) --------------------- */

typedef struct counter {
    size_t live, peak, allocs;
} counter;

/* Heap bytes of a block: usable size plus glibc's 8-byte chunk header. */
static size_t blk(void *p) { return p ? malloc_usable_size(p) + 8 : 0; }

static void *c_malloc(size_t n, void *pl)
{
    counter *c = pl;
    void *p = malloc(n);
    if (p) {
        c->live += blk(p);
        c->allocs++;
        if (c->live > c->peak) c->peak = c->live;
    }
    return p;
}
static void *c_realloc(void *ptr, size_t n, void *pl)
{
    counter *c = pl;
    size_t old = blk(ptr);
    void *p = realloc(ptr, n);
    if (p) {
        c->live += blk(p) - old;
        if (!ptr) c->allocs++;
        if (c->live > c->peak) c->peak = c->live;
    }
    return p;
}
static void c_free(void *ptr, void *pl)
{
    counter *c = pl;
    c->live -= blk(ptr);
    free(ptr);
}

/* ---- the workload ------------------------------------------------------- */

/* 2025-01-01 00:00 in America/New_York (the reference program's zone). */
#define T0 1735707600LL
#define YEAR_S (365LL * 86400)

enum { K_ACTION, K_KUDOS, K_REDEEM, K_ADJUST, K_AWARD, K_PREFS };

typedef struct mixent {
    const char *name;   /* action id, reward id, badge id */
    int kind;
    int points;         /* the base points a plain points table would add */
    double weight;
} mixent;

/* An advocacy community: mostly forum traffic and votes, some content,
 * rare big-ticket contributions (case studies, referrals, talks), peer
 * kudos, and redemptions. */
static const mixent MIX[] = {
    {"forum.post", K_ACTION, 5, 17.0},
    {"forum.answer", K_ACTION, 10, 12.0},
    {"forum.answer_accepted", K_ACTION, 25, 3.0},
    {"forum.upvoted", K_ACTION, 2, 22.0},
    {"post.downvoted", K_ACTION, -2, 1.5},
    {"kb.article", K_ACTION, 50, 0.5},
    {"kb.edit", K_ACTION, 5, 3.0},
    {"idea.submitted", K_ACTION, 10, 2.0},
    {"idea.shipped", K_ACTION, 300, 0.1},
    {"beta.joined", K_ACTION, 40, 0.5},
    {"beta.bug_found", K_ACTION, 30, 1.5},
    {"review.published", K_ACTION, 100, 0.5},
    {"case_study.published", K_ACTION, 750, 0.05},
    {"referral.submitted", K_ACTION, 50, 0.5},
    {"referral.closed", K_ACTION, 500, 0.2},
    {"event.attended", K_ACTION, 20, 2.0},
    {"event.spoke", K_ACTION, 400, 0.1},
    {"webinar.hosted", K_ACTION, 250, 0.05},
    {"survey.completed", K_ACTION, 5, 2.0},
    {"profile.completed", K_ACTION, 50, 0.5},
    {"social.shared", K_ACTION, 3, 6.0},
    {"mentor.session", K_ACTION, 60, 1.0},
    {NULL, K_KUDOS, 5, 10.0},
    {"charity-donation", K_REDEEM, 2500, 0.3},
    {"guru-session", K_REDEEM, 6000, 0.1},
    {"swag-premium", K_REDEEM, 4000, 0.08},
    {"conference-plus-one", K_REDEEM, 10000, 0.02},
    {"moderation", K_ADJUST, -10, 0.05},
    {"champion-of-the-year", K_AWARD, 1000, 0.0005},
    {NULL, K_PREFS, 0, 0.01},
};
#define NMIX (sizeof MIX / sizeof MIX[0])

/* One generated event, compact; expanded to plaudit_event outside timing. */
typedef struct gev {
    uint32_t dts;       /* seconds after T0 */
    uint32_t m, m2;     /* member indexes (kudos: giver, receiver) */
    uint16_t mix;       /* index into MIX */
    uint16_t flag;
} gev;

typedef struct world {
    uint64_t n;
    char **ids;         /* interned member ids, index = join order */
    char *pool;
    uint32_t *perm;     /* Zipf rank -> member index */
    double *cdf;        /* Zipf CDF over ranks */
} world;

static void world_init(world *w, uint64_t n, uint64_t seed)
{
    w->n = n;
    w->ids = xmalloc(sizeof *w->ids * n);
    w->pool = xmalloc((size_t)n * 16);
    char *p = w->pool;
    for (uint64_t i = 0; i < n; i++) {
        w->ids[i] = p;
        p += sprintf(p, "member-%07" PRIu64, i) + 1;
    }
    rng r = {seed ^ 0x5bd1e995ULL};
    w->perm = xmalloc(sizeof *w->perm * n);
    for (uint64_t i = 0; i < n; i++) w->perm[i] = (uint32_t)i;
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t j = rbelow(&r, i + 1);
        uint32_t t = w->perm[i];
        w->perm[i] = w->perm[j];
        w->perm[j] = t;
    }
    w->cdf = xmalloc(sizeof *w->cdf * n);
    double s = 0;
    for (uint64_t i = 0; i < n; i++) {
        s += pow((double)(i + 1), -1.1);
        w->cdf[i] = s;
    }
    for (uint64_t i = 0; i < n; i++) w->cdf[i] /= s;
}

static void world_free(world *w)
{
    free(w->ids);
    free(w->pool);
    free(w->perm);
    free(w->cdf);
}

static uint32_t zipf_member(const world *w, rng *r)
{
    double u = runif(r);
    uint64_t lo = 0, hi = w->n - 1;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (w->cdf[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return w->perm[lo];
}

static gev *gen_events(const world *w, uint64_t m, uint64_t seed)
{
    gev *ev = xmalloc(sizeof *ev * (m ? m : 1));
    rng r = {seed};
    double cum[NMIX], tot = 0;
    for (size_t i = 0; i < NMIX; i++) cum[i] = (tot += MIX[i].weight);
    for (uint64_t i = 0; i < m; i++) {
        gev *e = &ev[i];
        e->dts = (uint32_t)((double)i * (double)YEAR_S / (double)m);
        double u = runif(&r) * tot;
        size_t k = 0;
        while (k + 1 < NMIX && cum[k] <= u) k++;
        e->mix = (uint16_t)k;
        e->m = zipf_member(w, &r);
        e->m2 = 0;
        e->flag = 0;
        if (MIX[k].kind == K_KUDOS) {
            do e->m2 = zipf_member(w, &r);
            while (e->m2 == e->m && w->n > 1);
        } else if (MIX[k].kind == K_PREFS) {
            e->flag = (uint16_t)(rnext(&r) & 1);
        }
    }
    return ev;
}

static int64_t join_ts(const world *w, uint64_t i) { return T0 - 86400 + (int64_t)(i * 86400ULL / w->n); }

static void expand(const world *w, const gev *g, size_t n, plaudit_event *out)
{
    for (size_t i = 0; i < n; i++) {
        const mixent *x = &MIX[g[i].mix];
        plaudit_event *e = &out[i];
        memset(e, 0, sizeof *e);
        e->ts = T0 + g[i].dts;
        e->member = w->ids[g[i].m];
        switch (x->kind) {
        case K_ACTION: e->type = PLAUDIT_EVENT_ACTION; e->target = x->name; break;
        case K_KUDOS: e->type = PLAUDIT_EVENT_KUDOS; e->target = w->ids[g[i].m2]; break;
        case K_REDEEM: e->type = PLAUDIT_EVENT_REDEEM; e->target = x->name; break;
        case K_ADJUST:
            e->type = PLAUDIT_EVENT_ADJUST;
            e->points = x->points;
            e->reason = x->name;
            break;
        case K_AWARD: e->type = PLAUDIT_EVENT_AWARD; e->target = x->name; break;
        case K_PREFS: e->type = PLAUDIT_EVENT_PREFERENCES; e->flag = g[i].flag; break;
        }
    }
}

/* ---- plaudit runs -------------------------------------------------------- */

static int g_hash_outcomes;
static void outcome_hash(int rc, const plaudit_outcome *oc);

#define CHUNK 1024

enum { MODE_RECORD, MODE_BATCH, MODE_LATENCY };

typedef struct run {
    plaudit_ctx *ctx;
    counter cnt;
    double load_s;
    double join_s;
    double ev_s;              /* timed seconds for all events */
    double cpu_s;             /* the same, in the thread's CPU time */
    double prefix_s;          /* timed seconds for the first prefix_n events */
    uint64_t prefix_n;
    uint64_t accepted, rejected, duplicates;
    size_t bytes_after_join, bytes_after_events;
    uint32_t *lat;            /* MODE_LATENCY: ns per call */
} run;

static size_t g_history; /* history_per_member of the contexts new_ctx makes */

/* The outbox phase: after each chunk (inside the timed region) read every
 * pending moment and acknowledge the last, as a platform that delivers
 * them would; g_delivered counts them. */
static int g_deliver;
static uint64_t g_delivered;

static void deliver(plaudit_ctx *ctx)
{
    for (;;) {
        const plaudit_moment *ms;
        size_t n = 0;
        if (plaudit_outbox_read(ctx, 0, 4096, &ms, &n)) die("plaudit_outbox_read: %s", plaudit_errmsg(ctx));
        if (!n) return;
        g_delivered += n;
        if (plaudit_outbox_ack(ctx, ms[n - 1].seq)) die("plaudit_outbox_ack: %s", plaudit_errmsg(ctx));
    }
}

static plaudit_ctx *new_ctx(const opts *o, counter *c, double *load_s)
{
    plaudit_options po = PLAUDIT_OPTIONS_INIT;
    po.history_per_member = g_history;
    po.allocator.malloc = c_malloc;
    po.allocator.realloc = c_realloc;
    po.allocator.free = c_free;
    po.allocator.payload = c;
    plaudit_ctx *ctx;
    int rc = plaudit_ctx_new(&ctx, &po);
    if (rc) die("plaudit_ctx_new: %s", plaudit_strerror(rc));
    double t = now_s();
    rc = plaudit_program_load_file(ctx, o->program);
    if (load_s) *load_s = now_s() - t;
    if (rc) die("%s: %s", o->program, plaudit_errmsg(ctx));
    return ctx;
}

static void run_joins(run *R, const world *w, const char *label)
{
    plaudit_event ev[CHUNK];
    double t = 0;
    for (uint64_t i = 0; i < w->n; i += CHUNK) {
        size_t n = w->n - i < CHUNK ? (size_t)(w->n - i) : CHUNK;
        for (size_t j = 0; j < n; j++) {
            memset(&ev[j], 0, sizeof ev[j]);
            ev[j].type = PLAUDIT_EVENT_JOIN;
            ev[j].ts = join_ts(w, i + j);
            ev[j].member = w->ids[i + j];
        }
        double t0 = g_clock();
        for (size_t j = 0; j < n; j++)
            if (plaudit_record(R->ctx, &ev[j], NULL) != PLAUDIT_OK)
                die("join %s: %s", ev[j].member, plaudit_errmsg(R->ctx));
        t += g_clock() - t0;
    }
    R->join_s = t;
    R->bytes_after_join = R->cnt.live;
    progress("  %s: %" PRIu64 " members joined in %.2f s\n", label, w->n, t);
}

static void run_events(run *R, const world *w, const gev *g, uint64_t m, int mode, const char *label)
{
    static plaudit_event ev[CHUNK];
    static int codes[CHUNK];
    plaudit_outcome oc;
    double t = 0, last_report = now_s();
    uint64_t acc = 0, rej = 0;
    if (mode == MODE_LATENCY) R->lat = xmalloc(sizeof *R->lat * (m ? m : 1));
    for (uint64_t i = 0; i < m; i += CHUNK) {
        size_t n = m - i < CHUNK ? (size_t)(m - i) : CHUNK;
        expand(w, g + i, n, ev);
        if (mode == MODE_RECORD) {
            double t0 = g_clock(), c0 = now_cpu();
            if (g_hash_outcomes) {
                for (size_t j = 0; j < n; j++) {
                    codes[j] = plaudit_record(R->ctx, &ev[j], &oc);
                    outcome_hash(codes[j], &oc);
                }
            } else {
                for (size_t j = 0; j < n; j++) codes[j] = plaudit_record(R->ctx, &ev[j], &oc);
            }
            if (g_deliver) deliver(R->ctx);
            t += g_clock() - t0;
            R->cpu_s += now_cpu() - c0;
        } else if (mode == MODE_BATCH) {
            double t0 = g_clock(), c0 = now_cpu();
            size_t done;
            int rc = plaudit_record_batch(R->ctx, ev, n, codes, &done);
            t += g_clock() - t0;
            R->cpu_s += now_cpu() - c0;
            if (rc || done != n) die("plaudit_record_batch: %s", plaudit_strerror(rc));
        } else {
            uint64_t a = now_ns();
            for (size_t j = 0; j < n; j++) {
                codes[j] = plaudit_record(R->ctx, &ev[j], &oc);
                uint64_t b = now_ns();
                R->lat[i + j] = (uint32_t)(b - a > UINT32_MAX ? UINT32_MAX : b - a);
                a = b;
            }
        }
        for (size_t j = 0; j < n; j++) {
            if (codes[j] == PLAUDIT_OK) acc++;
            else if (codes[j] < 0) rej++;
        }
        if (R->prefix_n && i < R->prefix_n && i + n >= R->prefix_n) R->prefix_s = t; /* chunk-rounded */
        double nw = now_s();
        if (nw - last_report > 2.0) {
            progress("  %s: %" PRIu64 "/%" PRIu64 " events\n", label, i + n, m);
            last_report = nw;
        }
    }
    if (mode == MODE_LATENCY)
        for (uint64_t i = 0; i < m; i++) t += R->lat[i] * 1e-9;
    R->ev_s = t;
    R->accepted = acc;
    R->rejected = rej;
    R->bytes_after_events = R->cnt.live;
}

/* FNV-1a over the observable result of every event (--digest). */
static uint64_t g_outcome_hash = 0xcbf29ce484222325ULL;
static void oh_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) g_outcome_hash = (g_outcome_hash ^ b[i]) * 0x100000001b3ULL;
}
static void oh_u64(uint64_t v) { oh_bytes(&v, sizeof v); }
static void oh_str(const char *s)
{
    if (s) oh_bytes(s, strlen(s) + 1);
    else oh_u64(0xdead);
}
static void outcome_hash(int rc, const plaudit_outcome *oc)
{
    oh_u64((uint64_t)(int64_t)rc);
    oh_u64((uint64_t)oc->status);
    oh_u64((uint64_t)(int64_t)oc->code);
    oh_str(oc->message);
    oh_u64((uint64_t)oc->points);
    oh_u64(oc->n_moments);
    oh_u64(oc->n_badges);
    oh_u64(oc->n_tier_changes);
    for (size_t i = 0; i < oc->n_moments; i++) {
        const plaudit_moment *m = &oc->moments[i];
        oh_u64((uint64_t)m->kind);
        oh_u64((uint64_t)m->ts);
        oh_str(m->member);
        oh_u64((uint64_t)m->points);
        oh_u64((uint64_t)m->source);
        oh_str(m->source_id);
        oh_str(m->badge);
        oh_u64(m->level);
        oh_u64(m->times);
        oh_str(m->leaderboard);
        oh_str(m->tier_from);
        oh_str(m->tier_to);
        oh_u64((uint64_t)m->promoted);
        oh_str(m->reward);
        oh_u64((uint64_t)m->cost);
        oh_str(m->to);
    }
}
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* ---- the uthash baseline ------------------------------------------------- */

typedef struct ut_member {
    UT_hash_handle hh;
    const char *id;
    int64_t points, balance;
} ut_member;

static void uthash_baseline(const world *w, const gev *g, uint64_t m, double *join_s, double *ev_s)
{
    ut_member *h = NULL;
    ut_member *ms = xmalloc(sizeof *ms * w->n);
    double t0 = now_s();
    for (uint64_t i = 0; i < w->n; i++) {
        ut_member *x = &ms[i];
        x->id = w->ids[i];
        x->points = x->balance = 0;
        HASH_ADD_KEYPTR(hh, h, x->id, strlen(x->id), x);
    }
    *join_s = now_s() - t0;
    static plaudit_event ev[CHUNK];
    double t = 0;
    for (uint64_t i = 0; i < m; i += CHUNK) {
        size_t n = m - i < CHUNK ? (size_t)(m - i) : CHUNK;
        expand(w, g + i, n, ev);
        double a = now_s();
        for (size_t j = 0; j < n; j++) {
            const mixent *x = &MIX[g[i + j].mix];
            const char *who = x->kind == K_KUDOS ? ev[j].target : ev[j].member;
            ut_member *u;
            HASH_FIND_STR(h, who, u);
            if (!u) continue;
            if (x->kind == K_REDEEM) {
                if (u->balance >= x->points) u->balance -= x->points;
            } else if (x->kind != K_PREFS) {
                u->points += x->points;
                if (u->points < 0) u->points = 0;
                u->balance += x->points;
                if (u->balance < 0) u->balance = 0;
            }
        }
        t += now_s() - a;
    }
    *ev_s = t;
    HASH_CLEAR(hh, h);
    free(ms);
}

/* ---- the SQLite baseline ------------------------------------------------- */

#if BENCH_HAVE_SQLITE
typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *up, *redeem, *begin, *commit, *rank, *top;
} sq;

static void sq_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) die("sqlite: %s: %s", sql, err ? err : "?");
}

static void sq_prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) die("sqlite: %s: %s", sql, sqlite3_errmsg(db));
}

static void sq_step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) die("sqlite step: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

/* The points table a platform would write: one row per member, an upsert
 * per event, a conditional update per redemption. */
static void sq_open(sq *s, const char *path, const char *sync)
{
    if (path) unlink(path);
    char wal[1024];
    if (path) {
        snprintf(wal, sizeof wal, "%s-wal", path);
        unlink(wal);
        snprintf(wal, sizeof wal, "%s-shm", path);
        unlink(wal);
    }
    if (sqlite3_open(path ? path : ":memory:", &s->db) != SQLITE_OK) die("sqlite open failed");
    if (path) {
        sq_exec(s->db, "PRAGMA journal_mode=WAL");
        char q[128];
        snprintf(q, sizeof q, "PRAGMA synchronous=%s", sync);
        sq_exec(s->db, q);
    }
    sq_exec(s->db, "CREATE TABLE points (member TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0,"
                   " balance INTEGER NOT NULL DEFAULT 0, joined INTEGER NOT NULL DEFAULT 0)");
    sq_prep(s->db,
            "INSERT INTO points (member, points, balance, joined) VALUES (?1, max(?2, 0), max(?2, 0), ?3) "
            "ON CONFLICT(member) DO UPDATE SET points = max(points + ?2, 0), balance = max(balance + ?2, 0)",
            &s->up);
    sq_prep(s->db, "UPDATE points SET balance = balance - ?2 WHERE member = ?1 AND balance >= ?2", &s->redeem);
    sq_prep(s->db, "BEGIN", &s->begin);
    sq_prep(s->db, "COMMIT", &s->commit);
    sq_prep(s->db, "SELECT 1 + (SELECT count(*) FROM points WHERE points > p.points) FROM points p WHERE member = ?1",
            &s->rank);
    sq_prep(s->db, "SELECT member, points FROM points ORDER BY points DESC, member LIMIT 10", &s->top);
}

static void sq_close(sq *s)
{
    sqlite3_finalize(s->up);
    sqlite3_finalize(s->redeem);
    sqlite3_finalize(s->begin);
    sqlite3_finalize(s->commit);
    sqlite3_finalize(s->rank);
    sqlite3_finalize(s->top);
    sqlite3_close(s->db);
}

static void sq_joins(sq *s, const world *w)
{
    sq_step(s->db, s->begin);
    for (uint64_t i = 0; i < w->n; i++) {
        sqlite3_bind_text(s->up, 1, w->ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->up, 2, 0);
        sqlite3_bind_int64(s->up, 3, join_ts(w, i));
        sq_step(s->db, s->up);
    }
    sq_step(s->db, s->commit);
}

/* Replay m events; group > 1 wraps every `group` events in a transaction. */
static double sq_events(sq *s, const world *w, const gev *g, uint64_t m, uint64_t group, const char *label)
{
    static plaudit_event ev[CHUNK];
    double t = 0, last = g_clock();
    uint64_t in_txn = 0;
    for (uint64_t i = 0; i < m; i += CHUNK) {
        size_t n = m - i < CHUNK ? (size_t)(m - i) : CHUNK;
        expand(w, g + i, n, ev);
        double a = g_clock();
        for (size_t j = 0; j < n; j++) {
            const mixent *x = &MIX[g[i + j].mix];
            if (group > 1 && in_txn == 0) sq_step(s->db, s->begin);
            if (x->kind == K_REDEEM) {
                sqlite3_bind_text(s->redeem, 1, ev[j].member, -1, SQLITE_STATIC);
                sqlite3_bind_int64(s->redeem, 2, x->points);
                sq_step(s->db, s->redeem);
            } else if (x->kind != K_PREFS) {
                sqlite3_bind_text(s->up, 1, x->kind == K_KUDOS ? ev[j].target : ev[j].member, -1, SQLITE_STATIC);
                sqlite3_bind_int64(s->up, 2, x->points);
                sqlite3_bind_int64(s->up, 3, ev[j].ts);
                sq_step(s->db, s->up);
            }
            if (group > 1 && ++in_txn == group) {
                sq_step(s->db, s->commit);
                in_txn = 0;
            }
        }
        t += g_clock() - a;
        if (g_clock() - last > 2.0) {
            progress("  %s: %" PRIu64 "/%" PRIu64 " events\n", label, i + n, m);
            last = g_clock();
        }
    }
    if (in_txn) {
        double a = g_clock();
        sq_step(s->db, s->commit);
        t += g_clock() - a;
    }
    return t;
}
#endif


/* ---- the file store ------------------------------------------------------ */

#if BENCH_HAVE_STORE
static uint64_t dir_bytes(const char *dir, const char *prefix)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "du -sb --apparent-size %s/%s* 2>/dev/null | awk '{s+=$1} END {print s+0}'", dir,
             prefix);
    FILE *f = popen(cmd, "r");
    if (!f) return 0;
    unsigned long long v = 0;
    if (fscanf(f, "%llu", &v) != 1) v = 0;
    pclose(f);
    return v;
}

static void rm_rf(const char *dir)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) progress("warning: could not remove %s\n", dir);
}

/* Process CPU seconds of the last attach (every thread's). */
static double g_attach_cpu;
static double now_proc_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A context on a file store in dir (created), with a sync policy. */
static plaudit_ctx *store_ctx(const opts *o, counter *c, const char *dir, plaudit_sync_policy pol, uint32_t every_n,
                              uint32_t every_ms, double *attach_s, plaudit_recovery *rec)
{
    plaudit_ctx *ctx = new_ctx(o, c, NULL);
    plaudit_store st;
    int rc = plaudit_file_store_open(ctx, &st, dir, PLAUDIT_FILE_STORE_CREATE, 0);
    if (rc) die("plaudit_file_store_open %s: %s", dir, plaudit_errmsg(ctx));
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.sync = pol;
    so.sync_every_n = every_n;
    so.sync_every_ms = every_ms;
    double t = now_wall(), c0 = now_proc_cpu();
    rc = plaudit_store_attach(ctx, &st, &so);
    if (attach_s) *attach_s = now_wall() - t;
    g_attach_cpu = now_proc_cpu() - c0;
    if (rc) die("plaudit_store_attach %s: %s", dir, plaudit_errmsg(ctx));
    if (rec) plaudit_store_recovery_get(ctx, rec);
    return ctx;
}

static void durable_runs(const opts *o, const world *w, const gev *g)
{
    g_clock = now_wall;
    char dir[1024];
    uint64_t M = o->events;

    /* no sync: the journal is written, the OS decides when it reaches disk */
    snprintf(dir, sizeof dir, "%s/store-nosync", o->dir);
    rm_rf(dir);
    progress("file store, no sync...\n");
    run R = {0};
    R.ctx = store_ctx(o, &R.cnt, dir, PLAUDIT_SYNC_NEVER, 0, 0, NULL, NULL);
    run_joins(&R, w, "store nosync");
    run_events(&R, w, g, M, MODE_RECORD, "store nosync");
    out("store_nosync_events_per_s", (double)M / R.ev_s, "events/s");
    out("store_nosync_ns_per_event", R.ev_s * 1e9 / (double)M, "ns");
    out("store_nosync_cpu_ns_per_event", R.cpu_s * 1e9 / (double)M, "ns");
    uint64_t digest = plaudit_state_digest(R.ctx);
    double t = now_wall();
    int rc = plaudit_store_snapshot(R.ctx);
    double snap_s = now_wall() - t;
    if (rc) die("plaudit_store_snapshot: %s", plaudit_errmsg(R.ctx));
    uint64_t sbytes = dir_bytes(dir, "snapshot");
    out("snapshot_write", snap_s * 1e3, "ms");
    out("snapshot_size", (double)sbytes / 1048576.0, "MiB");
    out("snapshot_write_mb_per_s", (double)sbytes / 1e6 / snap_s, "MB/s");
    plaudit_ctx_free(R.ctx);
    {
        counter c = {0};
        double as;
        plaudit_recovery rec;
        plaudit_ctx *ctx = store_ctx(o, &c, dir, PLAUDIT_SYNC_NEVER, 0, 0, &as, &rec);
        out("recovery_from_snapshot", as * 1e3, "ms");
        out("recovery_from_snapshot_mb_per_s", (double)sbytes / 1e6 / as, "MB/s");
        out("recovery_from_snapshot_cpu", g_attach_cpu * 1e3, "ms");
        if (plaudit_state_digest(ctx) != digest) die("recovered state differs from the state before");
        plaudit_ctx_free(ctx);
    }
    if (!o->keep_stores) rm_rf(dir);

    /* group commit */
    snprintf(dir, sizeof dir, "%s/store-group", o->dir);
    rm_rf(dir);
    progress("file store, group commit (sync every 10,000 events or 10 ms)...\n");
    run G = {0};
    G.ctx = store_ctx(o, &G.cnt, dir, PLAUDIT_SYNC_BATCH, 10000, 10, NULL, NULL);
    run_joins(&G, w, "store group");
    run_events(&G, w, g, M, MODE_RECORD, "store group");
    out("store_group_commit_events_per_s", (double)M / G.ev_s, "events/s");
    out("store_group_commit_ns_per_event", G.ev_s * 1e9 / (double)M, "ns");
    out("store_group_commit_cpu_ns_per_event", G.cpu_s * 1e9 / (double)M, "ns");
    digest = plaudit_state_digest(G.ctx);
    plaudit_ctx_free(G.ctx);
    /* measured closed: an open store's active segment is preallocated */
    out("journal_bytes_per_event", (double)dir_bytes(dir, "journal-") / (double)(M + w->n), "B");
    {
        /* recovery of the whole journal: joins and M events, no snapshot */
        progress("recovery of the journal (%" PRIu64 " records)...\n", M + w->n);
        counter c = {0};
        double as;
        plaudit_recovery rec;
        plaudit_ctx *ctx = store_ctx(o, &c, dir, PLAUDIT_SYNC_NEVER, 0, 0, &as, &rec);
        outu("recovery_journal_records", rec.records, "records");
        out("recovery_journal", as, "s");
        out("recovery_journal_cpu", g_attach_cpu, "s");
        out("recovery_journal_records_per_s", (double)rec.records / as, "records/s");
        out("recovery_journal_mb_per_s", (double)dir_bytes(dir, "journal-") / 1e6 / as, "MB/s");
        if (plaudit_state_digest(ctx) != digest) die("recovered state differs from the state before");
        plaudit_ctx_free(ctx);
    }
    if (!o->keep_stores) rm_rf(dir);

    /* group commit on the store's sync thread: calls never wait for an
     * fsync; the timing ends when the last event is durable */
    if (o->group_thread) {
        snprintf(dir, sizeof dir, "%s/store-gthread", o->dir);
        rm_rf(dir);
        progress("file store, group commit on the sync thread...\n");
        run T = {0};
        T.ctx = store_ctx(o, &T.cnt, dir, PLAUDIT_SYNC_GROUP, 0, 0, NULL, NULL);
        run_joins(&T, w, "store group thread");
        run_events(&T, w, g, M, MODE_RECORD, "store group thread");
        double t0 = now_wall(), c0 = now_cpu();
        uint64_t seq = 0;
        if (plaudit_store_journal_seq(T.ctx, &seq) || plaudit_store_wait_durable(T.ctx, seq))
            die("plaudit_store_wait_durable: %s", plaudit_errmsg(T.ctx));
        T.ev_s += now_wall() - t0;
        T.cpu_s += now_cpu() - c0;
        out("store_group_thread_events_per_s", (double)M / T.ev_s, "events/s");
        out("store_group_thread_ns_per_event", T.ev_s * 1e9 / (double)M, "ns");
        out("store_group_thread_cpu_ns_per_event", T.cpu_s * 1e9 / (double)M, "ns");
        if (plaudit_state_digest(T.ctx) != digest) die("group commit state differs from the group commit before");
        plaudit_ctx_free(T.ctx);
        rm_rf(dir);
    }

    /* sync per event: the members join without syncing, then a new context
     * recovers them and records with an fsync per event */
    uint64_t S = o->sync_events < M ? o->sync_events : M;
    snprintf(dir, sizeof dir, "%s/store-sync", o->dir);
    rm_rf(dir);
    progress("file store, sync per event (%" PRIu64 " events)...\n", S);
    {
        run J = {0};
        J.ctx = store_ctx(o, &J.cnt, dir, PLAUDIT_SYNC_NEVER, 0, 0, NULL, NULL);
        run_joins(&J, w, "store sync");
        plaudit_ctx_free(J.ctx);
        run A = {0};
        A.ctx = store_ctx(o, &A.cnt, dir, PLAUDIT_SYNC_ALWAYS, 0, 0, NULL, NULL);
        run_events(&A, w, g, S, MODE_RECORD, "store sync");
        out("store_sync_each_events_per_s", (double)S / A.ev_s, "events/s");
        out("store_sync_each_latency", A.ev_s * 1e6 / (double)S, "us");
        plaudit_ctx_free(A.ctx);
    }
    rm_rf(dir);
    g_clock = now_s;
}
#endif

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: plaudit-bench [options]\n"
            "  --program PATH      reference program (default: %s)\n"
            "  --program-v2 PATH   format 2 reference program, run next to it (default: %s; \"\" for none)\n"
            "  --teams T           teams the members of the format 2 run belong to (default 3000)\n"
            "  --members N         members (default 1000000)\n"
            "  --events M          events over the simulated year (default 10000000)\n"
            "  --quick             100,000 members, 1,000,000 events, short curve\n"
            "  --curve A,B,...     member counts for the cost curve (default 10000,1000000,10000000)\n"
            "  --no-curve  --no-sqlite  --no-latency  --no-batch  --no-durable  --no-uthash\n"
            "  --no-live           leave out the format 2 runs with a 60 s reorder window and with the outbox\n"
            "  --durable-only      only the file store phases (no in-memory runs, baselines or curve)\n"
            "  --no-group-thread   leave out the group commit on the file store's sync thread\n"
            "  --keep-stores       leave the stores of the file store phases in --dir (store-nosync: the\n"
            "                      snapshot; store-group: the whole journal)\n"
            "  --sqlite-events S   events replayed on SQLite (default min(M, 1000000))\n"
            "  --sync-events S     events for sync-per-event runs (default 2000)\n"
            "  --queries Q         queries per query figure (default 1000000)\n"
            "  --dir DIR           directory for files (default: a new one under /tmp)\n"
            "  --seed S            workload seed (default 1)\n"
            "  --digest            print the state digest of the main run (for checks)\n"
            "  --wall              time compute-bound phases in wall time too (default: thread CPU time)\n",
            BENCH_DEFAULT_PROGRAM, BENCH_DEFAULT_PROGRAM_V2);
    exit(2);
}

/* A context of the format 2 reference program with every member joined
 * and in one of o->teams teams, a reorder window of `window` seconds and
 * the outbox when `outbox`; returns the seconds the team events took.
 * With a window the joins and team events are held (a positive code) and
 * released in order as the clock moves on. */
static double v2_setup(const opts *o, const world *w, run *R, int64_t window, int outbox)
{
    opts o2 = *o;
    o2.program = o->program_v2;
    R->ctx = new_ctx(&o2, &R->cnt, &R->load_s);
    if (window && plaudit_program_set_reorder_window(R->ctx, window))
        die("reorder window: %s", plaudit_errmsg(R->ctx));
    if (outbox && plaudit_outbox_enable(R->ctx, 0)) die("outbox: %s", plaudit_errmsg(R->ctx));
    if (!window) run_joins(R, w, "record (format 2)");
    for (uint64_t i = 0; window && i < w->n; i++) {
        plaudit_event ev = {.type = PLAUDIT_EVENT_JOIN, .ts = join_ts(w, i), .member = w->ids[i]};
        if (plaudit_record(R->ctx, &ev, NULL) < 0) die("join %s: %s", ev.member, plaudit_errmsg(R->ctx));
    }
    char name[32];
    double t = 0;
    for (uint64_t i = 0; i < w->n; i++) {
        snprintf(name, sizeof name, "account-%05" PRIu64, o->teams ? i % o->teams : 0);
        plaudit_event ev = {.type = PLAUDIT_EVENT_TEAM, .ts = join_ts(w, i), .member = w->ids[i], .target = name};
        double t0 = g_clock();
        if (plaudit_record(R->ctx, &ev, NULL) < 0) die("team %s: %s", ev.member, plaudit_errmsg(R->ctx));
        t += g_clock() - t0;
    }
    if (outbox) deliver(R->ctx);
    return t;
}

/* FNV-1a of the state document (plaudit_state_export): what the state
 * digest covers less the bookkeeping of a reorder window. */
static uint64_t doc_hash(plaudit_ctx *ctx)
{
    char *doc;
    size_t len;
    if (plaudit_state_export(ctx, &doc, &len) != PLAUDIT_OK) die("plaudit_state_export: %s", plaudit_errmsg(ctx));
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)doc[i]) * 0x100000001b3ULL;
    plaudit_free(ctx, doc);
    return h;
}

/* The cost of live ingestion on the format 2 program, in this run: the same
 * stream with a 60 s reorder window (every event held for 60 s of event
 * time, then released in order: the stream arrives in order, so the state
 * must end as without the window: the same state document) and with the
 * outbox (every moment kept until delivered: read and acknowledged after
 * each chunk of 1024 events; the same state digest), each against the
 * plain run of the same program. */
static void run_live(const opts *o, const world *w, const gev *g, double v2_rate, uint64_t v2_digest,
                     uint64_t v2_doc)
{
    progress("plaudit_record, format 2 program with a 60 s reorder window...\n");
    run W = {0};
    v2_setup(o, w, &W, 60, 0);
    run_events(&W, w, g, o->events, MODE_RECORD, "60 s window");
    double t0 = g_clock();
    if (plaudit_flush(W.ctx) != PLAUDIT_OK) die("plaudit_flush: %s", plaudit_errmsg(W.ctx));
    W.ev_s += g_clock() - t0;
    plaudit_stats st;
    plaudit_stats_get(W.ctx, &st);
    double w_rate = (double)o->events / W.ev_s;
    out("window60_events_per_s", w_rate, "events/s (format 2 program, flush included)");
    out("window60_cost", 100.0 * (v2_rate / w_rate - 1), "% more time per event than without");
    if (doc_hash(W.ctx) != v2_doc) die("the reorder window changed the state document");
    plaudit_ctx_free(W.ctx);

    progress("plaudit_record, format 2 program with the outbox...\n");
    run B = {0};
    v2_setup(o, w, &B, 0, 1);
    g_deliver = 1;
    g_delivered = 0;
    run_events(&B, w, g, o->events, MODE_RECORD, "outbox");
    g_deliver = 0;
    double b_rate = (double)o->events / B.ev_s;
    plaudit_outbox_info oi;
    plaudit_outbox_info_get(B.ctx, &oi);
    out("outbox_events_per_s", b_rate, "events/s (format 2 program, every moment read and acknowledged)");
    out("outbox_cost", 100.0 * (v2_rate / b_rate - 1), "% more time per event than without");
    outu("outbox_moments_delivered", g_delivered, "moments");
    outu("outbox_refused", oi.refused, "events");
    if (plaudit_state_digest(B.ctx) != v2_digest) die("the outbox changed the state digest");
    plaudit_ctx_free(B.ctx);
}

/* The same workload on the format 2 reference program (campaigns, a season,
 * challenges, a team board), with every member in one of o->teams teams. */
static void run_v2(const opts *o, const world *w, const gev *g, double ref_rate)
{
    progress("plaudit_record, format 2 program %s...\n", o->program_v2);
    run R = {0};
    double t = v2_setup(o, w, &R, 0, 0);
    out("v2_team_events_per_s", (double)w->n / t, "events/s");
    run_events(&R, w, g, o->events, MODE_RECORD, "record (format 2)");
    out("v2_record_events_per_s", (double)o->events / R.ev_s, "events/s");
    out("v2_record_ns_per_event", R.ev_s * 1e9 / (double)o->events, "ns");
    out("v2_vs_reference_speed", 100.0 * ((double)o->events / R.ev_s) / ref_rate, "%");
    outu("v2_record_accepted", R.accepted, "events");
    outu("v2_teams", plaudit_team_count(R.ctx), "teams");
    out("v2_bytes_per_member_after_year", (double)R.bytes_after_events / (double)o->members, "B");
    plaudit_rank_entry top[3];
    size_t n = 0;
    plaudit_leaderboard_top(R.ctx, "accounts-monthly", 3, top, &n);
    if (n) printf("# accounts-monthly leader: %s (%lld)\n", top[0].member, (long long)top[0].score);
    uint64_t v2_digest = plaudit_state_digest(R.ctx), v2_doc = o->live ? doc_hash(R.ctx) : 0;
    if (o->digest) printf("%-40s %016" PRIx64 " digest\n", "v2_state_digest", v2_digest);
    /* what revokes need: posts with an id and a ref (4 posts a ref), then
     * every ref revoked */
    uint64_t nr = o->events < 200000 ? o->events : 200000;
    int64_t ts = plaudit_clock(R.ctx) + 1;
    size_t before = R.cnt.live, keys_only = 0;
    char id[48], ref[48];
    for (uint64_t i = 0; i < nr; i++) {
        snprintf(id, sizeof id, "post-%010" PRIu64, i);
        snprintf(ref, sizeof ref, "thread:%08" PRIu64, i / 4);
        plaudit_event ev = {.type = PLAUDIT_EVENT_ACTION, .ts = ts, .member = w->ids[0], .target = "forum.post",
                            .id = id, .ref = ref};
        if (plaudit_record(R.ctx, &ev, NULL) < 0) die("post %s: %s", id, plaudit_errmsg(R.ctx));
    }
    size_t with_refs = R.cnt.live - before;
    /* the same posts' keys alone, on the format 1 program (which remembers
     * nothing for revokes) */
    {
        counter c1 = {0};
        opts o1 = *o;
        plaudit_ctx *k = new_ctx(&o1, &c1, NULL); /* the format 1 program: keys, no remembered events */
        size_t b1 = c1.live;
        for (uint64_t i = 0; i < nr; i++) {
            snprintf(id, sizeof id, "post-%010" PRIu64, i);
            if (plaudit_record_action(k, ts, w->ids[0], "forum.post", id, NULL) < 0)
                die("post %s: %s", id, plaudit_errmsg(k));
        }
        keys_only = c1.live - b1;
        plaudit_ctx_free(k);
    }
    /* a ref of 15 bytes shared by 4 events, beyond the ids */
    out("v2_bytes_per_remembered_event", (double)(with_refs > keys_only ? with_refs - keys_only : 0) / (double)nr,
        "B");
    double t0 = g_clock();
    for (uint64_t i = 0; i < nr / 4; i++) {
        snprintf(ref, sizeof ref, "thread:%08" PRIu64, i);
        if (plaudit_record_revoke(R.ctx, ts + 1, NULL, ref, NULL, NULL, NULL) != PLAUDIT_OK)
            die("revoke %s: %s", ref, plaudit_errmsg(R.ctx));
    }
    double rt = g_clock() - t0;
    out("v2_revokes_per_s", (double)(nr / 4) / rt, "revokes/s (4 events each)");
    plaudit_ctx_free(R.ctx);
    if (o->live) run_live(o, w, g, (double)o->events / R.ev_s, v2_digest, v2_doc);
}

static uint64_t parse_u64(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < 0) die("not a count: %s", s);
    return (uint64_t)v;
}

static void parse_curve(opts *o, const char *s)
{
    o->n_curve = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok && o->n_curve < 8; tok = strtok(NULL, ","))
        o->curve[o->n_curve++] = parse_u64(tok);
}

int main(int argc, char **argv)
{
    opts o = {0};
    o.program = BENCH_DEFAULT_PROGRAM;
    o.program_v2 = BENCH_DEFAULT_PROGRAM_V2;
    o.teams = 3000;
    o.members = 1000000;
    o.events = 10000000;
    o.sqlite_events = 0;
    o.sync_events = 2000;
    o.queries = 1000000;
    o.seed = 1;
    o.sqlite = o.latency = o.batch = o.durable = o.uthash_base = o.live = 1;
    o.group_thread = 1;
    parse_curve(&o, "10000,1000000,10000000");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && (v || (usage(), 0)) && ++i)
        if (ARG("--program")) o.program = v;
        else if (ARG("--program-v2")) o.program_v2 = v;
        else if (ARG("--teams")) o.teams = parse_u64(v);
        else if (ARG("--members")) o.members = parse_u64(v);
        else if (ARG("--events")) o.events = parse_u64(v);
        else if (ARG("--curve")) parse_curve(&o, v);
        else if (ARG("--sqlite-events")) o.sqlite_events = parse_u64(v);
        else if (ARG("--sync-events")) o.sync_events = parse_u64(v);
        else if (ARG("--queries")) o.queries = parse_u64(v);
        else if (ARG("--dir")) o.dir = v;
        else if (ARG("--seed")) o.seed = parse_u64(v);
        else if (strcmp(a, "--quick") == 0) {
            o.members = 100000;
            o.events = 1000000;
            o.queries = 200000;
            parse_curve(&o, "10000,100000,1000000");
        } else if (strcmp(a, "--no-curve") == 0) o.n_curve = 0;
        else if (strcmp(a, "--no-sqlite") == 0) o.sqlite = 0;
        else if (strcmp(a, "--no-latency") == 0) o.latency = 0;
        else if (strcmp(a, "--no-batch") == 0) o.batch = 0;
        else if (strcmp(a, "--no-durable") == 0) o.durable = 0;
        else if (strcmp(a, "--durable-only") == 0) o.durable_only = 1;
        else if (strcmp(a, "--keep-stores") == 0) o.keep_stores = 1;
        else if (strcmp(a, "--no-group-thread") == 0) o.group_thread = 0;
        else if (strcmp(a, "--no-uthash") == 0) o.uthash_base = 0;
        else if (strcmp(a, "--no-live") == 0) o.live = 0;
        else if (strcmp(a, "--digest") == 0) o.digest = g_hash_outcomes = 1;
        else if (strcmp(a, "--wall") == 0) g_wall = 1;
        else usage();
#undef ARG
    }
    if (o.members < 2) die("--members must be at least 2");
    if (!o.sqlite_events) o.sqlite_events = o.events < 1000000 ? o.events : 1000000;
    if (o.sqlite_events > o.events) o.sqlite_events = o.events;
    char dirbuf[] = "/tmp/plaudit-bench-XXXXXX";
    if (!o.dir) {
        if (!mkdtemp(dirbuf)) die("mkdtemp: %s", strerror(errno));
        o.dir = dirbuf;
    }

    printf("# plaudit-bench %s: %" PRIu64 " members, %" PRIu64 " events, program %s\n", plaudit_version(),
           o.members, o.events, o.program);
    printf("# timing: %s\n", g_wall ? "wall clock" : "thread CPU time (wall clock for the file store and SQLite files)");
    progress("generating the workload...\n");
    world w;
    world_init(&w, o.members, o.seed);
    gev *g = gen_events(&w, o.events, o.seed);
    long rss_base = rss_kb("VmRSS");
#if BENCH_HAVE_STORE
    if (o.durable_only) {
        durable_runs(&o, &w, g);
        printf("%-40s %.2f MiB\n", "peak_rss_whole_run", (double)rss_kb("VmHWM") / 1024.0);
        free(g);
        world_free(&w);
        if (o.dir == dirbuf) rmdir(dirbuf);
        return 0;
    }
#endif

    /* program load time: best of a few loads */
    {
        double best = 1e9;
        for (int i = 0; i < 20; i++) {
            counter c = {0};
            double s;
            plaudit_ctx *ctx = new_ctx(&o, &c, &s);
            if (s < best) best = s;
            plaudit_ctx_free(ctx);
        }
        out("program_load", best * 1e6, "us");
    }

    /* 1. in memory, plaudit_record */
    progress("plaudit_record, in memory...\n");
    run R = {0};
    R.ctx = new_ctx(&o, &R.cnt, &R.load_s);
    R.prefix_n = o.sqlite_events;
    run_joins(&R, &w, "record");
    size_t member_bytes = R.bytes_after_join;
    run_events(&R, &w, g, o.events, MODE_RECORD, "record");
    long rss_peak_main = rss_kb("VmHWM");
    long rss_now = rss_kb("VmRSS");
    out("join_events_per_s", (double)o.members / R.join_s, "events/s");
    out("record_events_per_s", (double)o.events / R.ev_s, "events/s");
    out("record_ns_per_event", R.ev_s * 1e9 / (double)o.events, "ns");
    outu("record_accepted", R.accepted, "events");
    outu("record_rejected", R.rejected, "events");
    out("bytes_per_member_before_badges", (double)member_bytes / (double)o.members, "B");
    out("bytes_per_member_after_year", (double)R.bytes_after_events / (double)o.members, "B");
    out("context_heap_after_year", (double)R.bytes_after_events / 1048576.0, "MiB");
    out("rss_context_delta", (double)(rss_now - rss_base) / 1024.0, "MiB");
    out("peak_rss", (double)rss_peak_main / 1024.0, "MiB");
    if (o.digest) {
        printf("%-40s %016" PRIx64 " digest\n", "state_digest", plaudit_state_digest(R.ctx));
        printf("%-40s %016" PRIx64 " digest\n", "outcome_digest", g_outcome_hash);
        char *doc;
        size_t len;
        if (plaudit_state_export(R.ctx, &doc, &len) == PLAUDIT_OK) {
            uint64_t h = 0xcbf29ce484222325ULL;
            for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)doc[i]) * 0x100000001b3ULL;
            printf("%-40s %016" PRIx64 " digest\n", "state_document_digest", h);
            plaudit_free(R.ctx, doc);
        }
    }

    /* queries on the state after the year */
    {
        rng r = {o.seed * 7 + 3};
        uint64_t q = o.queries;
        const char **who = xmalloc(sizeof *who * (q ? q : 1));
        for (uint64_t i = 0; i < q; i++) who[i] = w.ids[zipf_member(&w, &r)];
        const char **uni = xmalloc(sizeof *uni * (q ? q : 1));
        for (uint64_t i = 0; i < q; i++) uni[i] = w.ids[rbelow(&r, w.n)];
        uint64_t rank, ranked = 0, sink = 0;
        int64_t score;
        double t0 = now_s();
        for (uint64_t i = 0; i < q; i++) {
            plaudit_leaderboard_rank(R.ctx, "all-time", who[i], &rank, &score);
            ranked += rank != 0;
            sink += rank;
        }
        double t_active = now_s() - t0;
        t0 = now_s();
        uint64_t ranked_u = 0;
        for (uint64_t i = 0; i < q; i++) {
            plaudit_leaderboard_rank(R.ctx, "all-time", uni[i], &rank, &score);
            ranked_u += rank != 0;
            sink += rank;
        }
        double t_uni = now_s() - t0;
        plaudit_rank_entry top[11];
        size_t n;
        t0 = now_s();
        for (uint64_t i = 0; i < q; i++) {
            plaudit_leaderboard_top(R.ctx, "all-time", 10, top, &n);
            sink += n;
        }
        double t_top = now_s() - t0;
        t0 = now_s();
        for (uint64_t i = 0; i < q; i++) {
            plaudit_leaderboard_top(R.ctx, "weekly", 10, top, &n);
            sink += n;
        }
        double t_topw = now_s() - t0;
        t0 = now_s();
        for (uint64_t i = 0; i < q; i++) {
            plaudit_leaderboard_around(R.ctx, "all-time", who[i], 5, top, &n);
            sink += n;
        }
        double t_around = now_s() - t0;
        uint64_t nranked = 0;
        plaudit_leaderboard_count(R.ctx, "all-time", &nranked);
        outu("alltime_ranked_members", nranked, "members");
        out("rank_query_active_member", t_active * 1e9 / (double)q, "ns");
        out("rank_query_random_member", t_uni * 1e9 / (double)q, "ns");
        out("rank_query_random_member_ranked_share", 100.0 * (double)ranked_u / (double)q, "%");
        out("top10_query_alltime", t_top * 1e9 / (double)q, "ns");
        out("top10_query_weekly", t_topw * 1e9 / (double)q, "ns");
        out("around_query_k5", t_around * 1e9 / (double)q, "ns");
        if (sink == 42) puts("");
        (void)ranked;
        free(who);
        free(uni);

        /* a tick re-evaluates every member (tenure, windows) */
        plaudit_event tick = {.type = PLAUDIT_EVENT_TICK, .ts = T0 + YEAR_S};
        t0 = now_s();
        int rc = plaudit_record(R.ctx, &tick, NULL);
        double t_tick = now_s() - t0;
        if (rc) die("tick: %s", plaudit_errmsg(R.ctx));
        out("tick_all_members", t_tick * 1e3, "ms");
        if (o.digest) printf("%-40s %016" PRIx64 " digest\n", "state_digest_after_tick", plaudit_state_digest(R.ctx));
    }
    double plaudit_prefix_rate = R.prefix_s > 0 ? (double)o.sqlite_events / R.prefix_s : 0;
    double plaudit_rate = (double)o.events / R.ev_s;
    plaudit_ctx_free(R.ctx);
    if (o.program_v2[0]) run_v2(&o, &w, g, plaudit_rate);

    /* 2. plaudit_record_batch */
    if (o.batch) {
        progress("plaudit_record_batch, in memory...\n");
        run B = {0};
        B.ctx = new_ctx(&o, &B.cnt, NULL);
        run_joins(&B, &w, "batch");
        run_events(&B, &w, g, o.events, MODE_BATCH, "batch");
        out("batch_events_per_s", (double)o.events / B.ev_s, "events/s");
        out("batch_ns_per_event", B.ev_s * 1e9 / (double)o.events, "ns");
        if (o.digest) printf("%-40s %016" PRIx64 " digest\n", "batch_state_digest", plaudit_state_digest(B.ctx));
        plaudit_ctx_free(B.ctx);
    }

    /* 2b. the cost of the points history: the same stream with it off and
     * with 100 entries per member, one after the other in this run */
    {
        progress("points history, off and on (100 per member)...\n");
        run H[2];
        memset(H, 0, sizeof H);
        for (int on = 0; on < 2; on++) {
            g_history = on ? 100 : 0;
            H[on].ctx = new_ctx(&o, &H[on].cnt, NULL);
            g_history = 0;
            run_joins(&H[on], &w, on ? "history on" : "history off");
            run_events(&H[on], &w, g, o.events, MODE_RECORD, on ? "history on" : "history off");
        }
        plaudit_history_info hi;
        plaudit_history_info_get(H[1].ctx, &hi);
        double off_rate = (double)o.events / H[0].ev_s, on_rate = (double)o.events / H[1].ev_s;
        out("history_off_events_per_s", off_rate, "events/s");
        out("history_on_events_per_s", on_rate, "events/s (100 entries per member)");
        out("history_cost", 100.0 * (1.0 - on_rate / off_rate), "% of the rate");
        outu("history_entries", hi.entries, "entries");
        size_t extra = H[1].bytes_after_events > H[0].bytes_after_events ? H[1].bytes_after_events - H[0].bytes_after_events : 0;
        out("history_bytes_per_entry", hi.entries ? (double)extra / (double)hi.entries : 0, "B (malloc blocks included)");
        if (plaudit_state_digest(H[0].ctx) != plaudit_state_digest(H[1].ctx)) die("the history changed the digest");
        plaudit_ctx_free(H[0].ctx);
        plaudit_ctx_free(H[1].ctx);
    }

    /* 3. latency of single calls */
    if (o.latency) {
        progress("per-call latency...\n");
        run L = {0};
        L.ctx = new_ctx(&o, &L.cnt, NULL);
        run_joins(&L, &w, "latency");
        run_events(&L, &w, g, o.events, MODE_LATENCY, "latency");
        uint64_t a = now_ns(), b = a;
        for (int i = 0; i < 1000; i++) b = now_ns();
        double timer = (double)(b - a) / 1000.0;
        qsort(L.lat, o.events, sizeof *L.lat, cmp_u32);
        out("record_latency_p50", L.lat[o.events / 2], "ns");
        out("record_latency_p99", L.lat[(uint64_t)(o.events * 0.99)], "ns");
        out("record_latency_p999", L.lat[(uint64_t)(o.events * 0.999)], "ns");
        out("record_latency_max", L.lat[o.events - 1] / 1000.0, "us");
        out("timer_overhead_included", timer, "ns");
        free(L.lat);
        plaudit_ctx_free(L.ctx);
    }

#if BENCH_HAVE_STORE
    if (o.durable) durable_runs(&o, &w, g);
#else
    if (o.durable) progress("(built without the file store: no durable figures)\n");
#endif

    /* 4. baselines */
    double ut_rate = 0;
    if (o.uthash_base) {
        progress("uthash baseline...\n");
        double js, es;
        uthash_baseline(&w, g, o.events, &js, &es);
        ut_rate = (double)o.events / es;
        out("uthash_events_per_s", ut_rate, "events/s");
        out("uthash_ns_per_event", es * 1e9 / (double)o.events, "ns");
    }
#if BENCH_HAVE_SQLITE
    if (o.sqlite) {
        uint64_t S = o.sqlite_events;
        outu("sqlite_events_replayed", S, "events");
        out("plaudit_events_per_s_same_prefix", plaudit_prefix_rate, "events/s");
        progress("SQLite baseline, in memory (%" PRIu64 " events)...\n", S);
        sq s;
        sq_open(&s, NULL, NULL);
        sq_joins(&s, &w);
        double t = sq_events(&s, &w, g, S, 1, "sqlite memory");
        double sq_mem = (double)S / t;
        out("sqlite_memory_events_per_s", sq_mem, "events/s");
        /* rank by count and top-10 on the in-memory table */
        {
            rng r = {o.seed * 11 + 5};
            int nq = 50;
            double t0 = now_s();
            for (int i = 0; i < nq; i++) {
                sqlite3_bind_text(s.rank, 1, w.ids[zipf_member(&w, &r)], -1, SQLITE_STATIC);
                sq_step(s.db, s.rank);
            }
            out("sqlite_rank_query", (now_s() - t0) * 1e3 / nq, "ms");
            t0 = now_s();
            for (int i = 0; i < 10; i++) {
                while (sqlite3_step(s.top) == SQLITE_ROW) {}
                sqlite3_reset(s.top);
            }
            out("sqlite_top10_query", (now_s() - t0) * 1e3 / 10, "ms");
        }
        sq_close(&s);

        char path[1024];
        snprintf(path, sizeof path, "%s/points.db", o.dir);
        g_clock = now_wall;
        progress("SQLite baseline, WAL file, synchronous=NORMAL (commit per event)...\n");
        sq_open(&s, path, "NORMAL");
        sq_joins(&s, &w);
        t = sq_events(&s, &w, g, S, 1, "sqlite wal");
        double sq_wal = (double)S / t;
        out("sqlite_wal_events_per_s", sq_wal, "events/s");
        sq_close(&s);

        progress("SQLite baseline, WAL file, synchronous=FULL, 1000 events per transaction...\n");
        sq_open(&s, path, "FULL");
        sq_joins(&s, &w);
        t = sq_events(&s, &w, g, S, 1000, "sqlite wal group");
        double sq_group = (double)S / t;
        out("sqlite_wal_group1000_events_per_s", sq_group, "events/s");
        sq_close(&s);

        uint64_t SS = o.sync_events < S ? o.sync_events : S;
        progress("SQLite baseline, WAL file, synchronous=FULL, commit per event (%" PRIu64 " events)...\n", SS);
        sq_open(&s, path, "FULL");
        sq_joins(&s, &w);
        t = sq_events(&s, &w, g, SS, 1, "sqlite wal sync");
        out("sqlite_wal_sync_events_per_s", (double)SS / t, "events/s");
        sq_close(&s);
        unlink(path);
        g_clock = now_s;

        out("ratio_plaudit_vs_sqlite_memory", plaudit_prefix_rate / sq_mem, "x");
        out("ratio_plaudit_vs_sqlite_wal", plaudit_prefix_rate / sq_wal, "x");
        out("ratio_plaudit_vs_sqlite_wal_group", plaudit_prefix_rate / sq_group, "x");
    }
#endif
    if (ut_rate > 0) out("ratio_plaudit_vs_uthash", plaudit_rate / ut_rate, "x");

    /* 5. the cost curve */
    if (o.n_curve) {
        for (size_t i = 0; i < o.n_curve; i++) {
            uint64_t n = o.curve[i];
            double rate;
            double bpm;
            if (n == o.members) {
                rate = plaudit_rate;
                bpm = (double)member_bytes / (double)n;
            } else {
                progress("cost curve: %" PRIu64 " members...\n", n);
                world cw;
                world_init(&cw, n, o.seed);
                gev *cg = gen_events(&cw, o.events, o.seed);
                run C = {0};
                C.ctx = new_ctx(&o, &C.cnt, NULL);
                run_joins(&C, &cw, "curve");
                run_events(&C, &cw, cg, o.events, MODE_RECORD, "curve");
                rate = (double)o.events / C.ev_s;
                bpm = (double)C.bytes_after_join / (double)n;
                plaudit_ctx_free(C.ctx);
                free(cg);
                world_free(&cw);
            }
            char name[64];
            snprintf(name, sizeof name, "curve_events_per_s_%" PRIu64 "_members", n);
            out(name, rate, "events/s");
            snprintf(name, sizeof name, "curve_bytes_per_member_%" PRIu64 "_members", n);
            out(name, bpm, "B");
        }
    }
    printf("%-40s %.2f MiB\n", "peak_rss_whole_run", (double)rss_kb("VmHWM") / 1024.0);
    free(g);
    world_free(&w);
    if (o.dir == dirbuf) rmdir(dirbuf);
    return 0;
}
