/* window-bench.c - the cost of live ingestion: events per second through
 * a 60 s reorder window against none (the same events, arriving up to
 * `--late` seconds out of order), and the memory of a pending moment in
 * the outbox.  Compute-bound: timed in the thread's CPU time.
 *
 *   window-bench [--events N] [--members M] [--late S] [--window W]
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plaudit.h>

static const char program_fmt[] =
    "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":%lld,"
    "\"actions\":[{\"id\":\"post\",\"points\":5,\"cap\":{\"points\":100,\"per\":\"day\"}},"
    "{\"id\":\"answer\",\"points\":10}],"
    "\"tiers\":[{\"id\":\"bronze\",\"min_points\":100},{\"id\":\"silver\",\"min_points\":1000}],"
    "\"badges\":[{\"id\":\"helper\",\"when\":{\"action\":\"answer\",\"count\":[5,20,50]}}],"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"week\",\"period\":\"week\"}],"
    "\"kudos\":{\"points\":2}}";

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

/* Bytes the context holds, through its allocator. */
static size_t live;
static void *a_malloc(size_t n, void *p)
{
    (void)p;
    void *q = malloc(n);
    if (q) live += malloc_usable_size(q);
    return q;
}
static void *a_realloc(void *o, size_t n, void *p)
{
    (void)p;
    size_t was = o ? malloc_usable_size(o) : 0;
    void *q = realloc(o, n);
    if (q) live += malloc_usable_size(q) - was;
    return q;
}
static void a_free(void *o, void *p)
{
    (void)p;
    if (o) live -= malloc_usable_size(o);
    free(o);
}

static plaudit_ctx *ctx_for(int64_t window, int outbox)
{
    plaudit_options op = PLAUDIT_OPTIONS_INIT;
    op.allocator.malloc = a_malloc;
    op.allocator.realloc = a_realloc;
    op.allocator.free = a_free;
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, &op)) exit(5);
    char doc[2048];
    snprintf(doc, sizeof doc, program_fmt, (long long)window);
    if (plaudit_program_load_json(ctx, doc, strlen(doc))) {
        fprintf(stderr, "window-bench: %s\n", plaudit_errmsg(ctx));
        exit(1);
    }
    if (outbox && plaudit_outbox_enable(ctx, 0)) exit(5);
    return ctx;
}

typedef struct evt {
    int64_t ts, at;
    uint32_t member, other, kind;
} evt;

static int by_arrival(const void *a, const void *b)
{
    const evt *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static double run(const evt *ev, size_t n, char (*ids)[24], int64_t window, uint64_t *accepted, uint64_t *late)
{
    plaudit_ctx *ctx = ctx_for(window, 0);
    plaudit_event e = PLAUDIT_EVENT_INIT;
    uint64_t lost = 0;
    double t0 = cpu_s();
    for (size_t i = 0; i < n; i++) {
        e.ts = ev[i].ts;
        e.member = ids[ev[i].member];
        e.type = ev[i].kind == 2 ? PLAUDIT_EVENT_KUDOS : PLAUDIT_EVENT_ACTION;
        e.target = ev[i].kind == 2 ? ids[ev[i].other] : ev[i].kind ? "answer" : "post";
        lost += plaudit_record(ctx, &e, NULL) == PLAUDIT_ETIME;
    }
    plaudit_flush(ctx);
    double t = cpu_s() - t0;
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    *accepted = st.accepted;
    *late = lost;
    plaudit_ctx_free(ctx);
    return t;
}

int main(int argc, char **argv)
{
    uint64_t n = 1000000, members = 20000, late = 30;
    int64_t window = 60;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--events")) n = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--members")) members = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--late")) late = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--window")) window = strtoll(argv[i + 1], NULL, 10);
    }
    if (!n || members < 2 || window < 1) return 2;
    char(*ids)[24] = malloc(members * sizeof *ids);
    evt *ev = malloc(n * sizeof *ev);
    if (!ids || !ev) return 5;
    for (uint64_t i = 0; i < members; i++) snprintf(ids[i], sizeof ids[i], "m%06" PRIu64, i);
    /* One event every 0.1 s on average, each arriving up to `late` s late. */
    int64_t t = 1767225600;
    for (uint64_t i = 0; i < n; i++) {
        if (rnd() % 10 == 0) t++;
        ev[i].ts = t;
        ev[i].at = t + (int64_t)(late ? rnd() % (late + 1) : 0);
        ev[i].member = (uint32_t)(rnd() % members);
        ev[i].other = (uint32_t)((ev[i].member + 1 + rnd() % (members - 1)) % members);
        uint64_t k = rnd() % 10;
        ev[i].kind = k < 5 ? 0 : k < 9 ? 1 : 2;
    }
    qsort(ev, n, sizeof *ev, by_arrival);
    uint64_t acc0, acc1, late0, late1;
    double t_none = run(ev, n, ids, 0, &acc0, &late0);
    double t_win = run(ev, n, ids, window, &acc1, &late1);
    printf("events                                   %" PRIu64 " (up to %" PRIu64 " s late, %" PRIu64 " members)\n", n,
           late, members);
    printf("no window: events/s                      %.0f (%" PRIu64 " accepted, %" PRIu64 " lost as late)\n",
           (double)n / t_none, acc0, late0);
    printf("%" PRId64 " s window: events/s                   %.0f (%" PRIu64 " accepted, %" PRIu64 " lost as late)\n",
           window, (double)n / t_win, acc1, late1);
    printf("window cost                              %.1f%% more CPU per event\n", 100.0 * (t_win / t_none - 1));

    /* The outbox: what a context holds with every moment pending, less
     * what the same context holds without the outbox, per moment. */
    size_t held[2];
    plaudit_outbox_info oi = {0};
    for (int with = 0; with < 2; with++) {
        size_t base = live;
        plaudit_ctx *ctx = ctx_for(0, with);
        plaudit_event e = PLAUDIT_EVENT_INIT;
        e.type = PLAUDIT_EVENT_ACTION;
        e.target = "answer";
        for (uint64_t i = 0; i < 200000; i++) {
            e.ts = 1767225600 + (int64_t)i;
            e.member = ids[i % members];
            plaudit_record(ctx, &e, NULL);
        }
        held[with] = live - base;
        if (with) plaudit_outbox_info_get(ctx, &oi);
        plaudit_ctx_free(ctx);
    }
    printf("outbox: pending moments                  %" PRIu64 "\n", oi.pending);
    printf("outbox: bytes per pending moment         %.1f (allocator's usable sizes; the outbox's own count %.1f)\n",
           (double)(held[1] - held[0]) / (double)oi.pending, (double)oi.bytes / (double)oi.pending);
    free(ev);
    free(ids);
    return 0;
}
