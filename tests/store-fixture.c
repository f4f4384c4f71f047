/* store-fixture.c - see store-fixture.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store-fixture.h"

/* A crash is a kill -9: nothing of the process runs after it (no atexit,
 * no leak check of a memory checker, which would count the blocks a
 * killed process still holds through interior pointers as lost). */
static void crash(void)
{
    raise(SIGKILL);
    _exit(0); /* not reached */
}

/* ---- the in-memory store ------------------------------------------------------ */

memstore *mem_new(void)
{
    void *p = mmap(NULL, sizeof(memstore), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) abort();
    memset(p, 0, sizeof(memstore));
    return p;
}

void mem_free(memstore *m)
{
    if (m) munmap(m, sizeof *m);
}

void mem_copy(memstore *dst, const memstore *src) { memcpy(dst, src, sizeof *dst); }

/* Count a call; fail or crash it when asked. */
static int hit(memstore *m, const char *what)
{
    m->calls++;
    if (m->fail_at && m->calls == m->fail_at) {
        snprintf(m->err, sizeof m->err, "injected failure of %s at call %llu", what, (unsigned long long)m->calls);
        return m->fail_code ? m->fail_code : PLAUDIT_EUSER;
    }
    return 0;
}

static int crash_now(const memstore *m) { return m->crash_at && m->calls == m->crash_at; }

static int m_append(uint64_t seq, const void *data, size_t len, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "journal_append");
    if (rc) return rc;
    if (m->jlen + len > MEM_JCAP || m->nrec >= MEM_RCAP) {
        snprintf(m->err, sizeof m->err, "memory store full");
        return PLAUDIT_EUSER;
    }
    m->rec_seq[m->nrec] = seq;
    m->rec_off[m->nrec] = m->jlen;
    m->nrec++;
    if (crash_now(m)) {
        /* die in the middle of the write: half of the record lands */
        memcpy(m->j + m->jlen, data, len / 2);
        m->jlen += len / 2;
        crash();
    }
    memcpy(m->j + m->jlen, data, len);
    m->jlen += len;
    return 0;
}

static int m_sync(void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "sync");
    if (crash_now(m)) crash();
    return rc;
}

static int deliver(memstore *m, const unsigned char *p, size_t n, plaudit_store_chunk_fn fn, void *fp)
{
    static const size_t sizes[] = {7, 64, 1000, 3};
    size_t k = 0, off = 0;
    while (off < n) {
        size_t c = m->chunk ? m->chunk : sizes[k++ % 4];
        if (c > n - off) c = n - off;
        int rc = fn(p + off, c, fp);
        if (rc) return rc;
        off += c;
    }
    return 0;
}

static int m_read(uint64_t from_seq, plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "journal_read");
    if (crash_now(m)) crash();
    if (rc) return rc;
    size_t start = 0;
    for (size_t i = 0; i < m->nrec && m->rec_seq[i] <= from_seq; i++) start = m->rec_off[i];
    return deliver(m, m->j + start, m->jlen - start, fn, fp);
}

static int m_cut(uint64_t nbytes, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "journal_cut");
    if (crash_now(m)) crash();
    if (rc) return rc;
    if (nbytes > m->jlen) {
        snprintf(m->err, sizeof m->err, "cut past the start");
        return PLAUDIT_EUSER;
    }
    m->jlen -= (size_t)nbytes;
    while (m->nrec && m->rec_off[m->nrec - 1] >= m->jlen) m->nrec--;
    m->cuts++;
    return 0;
}

static int m_snap_write(uint64_t seq, const void *data, size_t len, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "snapshot_write");
    if (crash_now(m) && (m->calls & 1)) crash(); /* before */
    if (rc) return rc;
    if (len > MEM_SCAP) {
        snprintf(m->err, sizeof m->err, "snapshot too large");
        return PLAUDIT_EUSER;
    }
    memcpy(m->snap, data, len);
    m->slen = len;
    m->snap_seq = seq;
    if (crash_now(m)) crash(); /* after */
    return 0;
}

static int m_snap_read(plaudit_store_chunk_fn fn, void *fp, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "snapshot_read");
    if (crash_now(m)) crash();
    if (rc) return rc;
    return deliver(m, m->snap, m->slen, fn, fp);
}

static int m_drop(uint64_t upto, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "journal_drop");
    if (crash_now(m) && (m->calls & 1)) crash();
    if (rc) return rc;
    size_t k = 0;
    while (k < m->nrec && m->rec_seq[k] <= upto) k++;
    size_t off = k < m->nrec ? m->rec_off[k] : m->jlen;
    memmove(m->j, m->j + off, m->jlen - off);
    m->jlen -= off;
    for (size_t i = k; i < m->nrec; i++) {
        m->rec_seq[i - k] = m->rec_seq[i];
        m->rec_off[i - k] = m->rec_off[i] - off;
    }
    m->nrec -= k;
    m->drops++;
    if (crash_now(m)) crash();
    return 0;
}

static int m_ack_write(uint64_t seq, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "ack_write");
    if (crash_now(m) && (m->calls & 1)) crash(); /* before */
    if (rc) return rc;
    m->ack = seq;
    if (crash_now(m)) crash(); /* after */
    return 0;
}

static int m_ack_read(uint64_t *seq, void *payload)
{
    memstore *m = payload;
    int rc = hit(m, "ack_read");
    if (crash_now(m)) crash();
    if (rc) return rc;
    *seq = m->ack;
    return 0;
}

static const char *m_errmsg(void *payload) { return ((memstore *)payload)->err; }

plaudit_store mem_store(memstore *m)
{
    plaudit_store s = PLAUDIT_STORE_INIT;
    s.journal_append = m_append;
    s.sync = m_sync;
    s.journal_read = m_read;
    s.journal_cut = m_cut;
    s.snapshot_write = m_snap_write;
    s.snapshot_read = m_snap_read;
    s.journal_drop = m_drop;
    s.errmsg = m_errmsg;
    s.payload = m;
    if (!m->no_ack) {
        s.ack_write = m_ack_write;
        s.ack_read = m_ack_read;
    }
    return s;
}

/* ---- the allocator -------------------------------------------------------------- */

static int fa_fail(falloc *f)
{
    if (!f->armed) return 0;
    f->count++;
    if (f->fail_at && f->count == f->fail_at) {
        f->failed = 1;
        return 1;
    }
    return 0;
}

static void *fa_malloc(size_t n, void *ud)
{
    falloc *f = ud;
    if (fa_fail(f)) return NULL;
    void *p = malloc(n);
    if (p) f->live++;
    return p;
}

static void *fa_realloc(void *ptr, size_t n, void *ud)
{
    falloc *f = ud;
    if (fa_fail(f)) return NULL;
    void *p = realloc(ptr, n);
    if (p && !ptr) f->live++;
    return p;
}

static void fa_free(void *ptr, void *ud)
{
    falloc *f = ud;
    if (ptr) f->live--;
    free(ptr);
}

plaudit_options falloc_options(falloc *f)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.allocator.malloc = fa_malloc;
    o.allocator.realloc = fa_realloc;
    o.allocator.free = fa_free;
    o.allocator.payload = f;
    return o;
}

/* ---- program and workload ------------------------------------------------------ */

#define CHECK(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

static int fixture_format = 1;

#define D 86400
#define T0 1700438400 /* Monday 2023-11-20 00:00 UTC */

/* Format 3 of the fixture: the format 2 rules (a team board, a weekly team
 * board, a season with its badge, two campaigns, a repeatable challenge, a
 * dated badge, tier benefits) on top of the program. */
static int declare_v2_rules(plaudit_ctx *ctx, int variant)
{
    plaudit_leaderboard_def l = PLAUDIT_LEADERBOARD_DEF_INIT;
    l.id = "accounts";
    l.period = PLAUDIT_PERIOD_ALL;
    l.by = PLAUDIT_BY_TEAM;
    CHECK(plaudit_leaderboard_declare(ctx, &l));
    l.id = "accounts-weekly";
    l.period = PLAUDIT_PERIOD_WEEK;
    CHECK(plaudit_leaderboard_declare(ctx, &l));
    l = (plaudit_leaderboard_def)PLAUDIT_LEADERBOARD_DEF_INIT;
    l.id = "autumn";
    l.period = PLAUDIT_PERIOD_ALL;
    l.from = T0;
    l.until = T0 + 3 * D;
    CHECK(plaudit_leaderboard_declare(ctx, &l));
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    b.id = "autumn-winner";
    b.criterion = PLAUDIT_CRITERION_LEADERBOARD;
    b.leaderboard = "autumn";
    b.top = 1;
    b.bonus = 10;
    CHECK(plaudit_badge_declare(ctx, &b));
    const char *post = "post";
    plaudit_campaign_def c = PLAUDIT_CAMPAIGN_DEF_INIT;
    c.id = "launch";
    c.from = T0;
    c.until = T0 + D;
    c.percent = variant ? 300 : 200;
    c.n_actions = 1;
    c.actions = &post;
    CHECK(plaudit_campaign_declare(ctx, &c));
    c = (plaudit_campaign_def)PLAUDIT_CAMPAIGN_DEF_INIT;
    c.id = "all-week";
    c.from = T0 + D / 2;
    c.until = T0 + 8 * D + 30;
    c.percent = 150;
    CHECK(plaudit_campaign_declare(ctx, &c));
    plaudit_criterion_def parts[2] = {PLAUDIT_CRITERION_DEF_INIT, PLAUDIT_CRITERION_DEF_INIT};
    parts[0].criterion = parts[1].criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    parts[0].action = "post";
    parts[0].threshold = 2;
    parts[1].action = "answer";
    parts[1].threshold = 1;
    parts[0].within = parts[1].within = PLAUDIT_PERIOD_WEEK;
    b = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
    b.id = "weekly-mix";
    b.criterion = PLAUDIT_CRITERION_ALL;
    b.n_all = 2;
    b.all = parts;
    b.repeatable = 1;
    b.bonus = 4;
    CHECK(plaudit_badge_declare(ctx, &b));
    const int64_t two = 2;
    b = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
    b.id = "early-poster";
    b.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    b.action = "post";
    b.n_thresholds = 1;
    b.thresholds = &two;
    b.from = T0 + D;
    b.until = T0 + 9 * D;
    CHECK(plaudit_badge_declare(ctx, &b));
    const char *ben[] = {"Early access"};
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "gold";
    t.min_points = 150;
    t.n_benefits = 1;
    t.benefits = ben;
    return plaudit_tier_declare(ctx, &t);
}

int declare_program(plaudit_ctx *ctx, int variant)
{
    if (fixture_format >= 2) CHECK(plaudit_program_set_format(ctx, 2));
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "post";
    a.points = variant ? 25 : 10;
    CHECK(plaudit_action_declare(ctx, &a));
    a = (plaudit_action_def)PLAUDIT_ACTION_DEF_INIT;
    a.id = "answer";
    a.points = 15;
    a.cap_points = 40;
    a.cap_per = PLAUDIT_PERIOD_DAY;
    CHECK(plaudit_action_declare(ctx, &a));
    a = (plaudit_action_def)PLAUDIT_ACTION_DEF_INIT;
    a.id = "login";
    a.points = 1;
    a.cooldown_s = 3600;
    CHECK(plaudit_action_declare(ctx, &a));
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "bronze";
    t.min_points = 20;
    CHECK(plaudit_tier_declare(ctx, &t));
    t.id = "silver";
    t.min_points = variant ? 60 : 80;
    CHECK(plaudit_tier_declare(ctx, &t));
    t = (plaudit_tier_def)PLAUDIT_TIER_DEF_INIT;
    t.id = "weekly";
    t.min_points = 50;
    t.window = PLAUDIT_PERIOD_WEEK;
    CHECK(plaudit_tier_declare(ctx, &t));
    const char *acts[] = {"post", "answer"};
    const int64_t w[] = {1, 2};
    plaudit_segment_def s = PLAUDIT_SEGMENT_DEF_INIT;
    s.id = "helper";
    s.n_weights = 2;
    s.actions = acts;
    s.weights = w;
    CHECK(plaudit_segment_declare(ctx, &s));
    plaudit_leaderboard_def l = PLAUDIT_LEADERBOARD_DEF_INIT;
    l.id = "weekly";
    l.period = PLAUDIT_PERIOD_WEEK;
    CHECK(plaudit_leaderboard_declare(ctx, &l));
    l.id = "alltime";
    l.period = PLAUDIT_PERIOD_ALL;
    CHECK(plaudit_leaderboard_declare(ctx, &l));
    plaudit_badge_def b = PLAUDIT_BADGE_DEF_INIT;
    b.id = "poster";
    b.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    b.action = "post";
    const int64_t thr[] = {2, 4, 8};
    b.n_thresholds = 3;
    b.thresholds = thr;
    b.bonus = 5;
    CHECK(plaudit_badge_declare(ctx, &b));
    b = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
    b.id = "streak";
    b.criterion = PLAUDIT_CRITERION_ACTION_STREAK;
    b.action = "login";
    b.per = PLAUDIT_PERIOD_DAY;
    const int64_t thr2[] = {3};
    b.n_thresholds = 1;
    b.thresholds = thr2;
    CHECK(plaudit_badge_declare(ctx, &b));
    b = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
    b.id = "champion";
    b.criterion = PLAUDIT_CRITERION_LEADERBOARD;
    b.leaderboard = "weekly";
    b.top = 2;
    b.bonus = 3;
    CHECK(plaudit_badge_declare(ctx, &b));
    b = (plaudit_badge_def)PLAUDIT_BADGE_DEF_INIT;
    b.id = "hero";
    b.bonus = 7;
    CHECK(plaudit_badge_declare(ctx, &b));
    plaudit_kudos_def k = PLAUDIT_KUDOS_DEF_INIT;
    k.points = 4;
    k.give_cap_count = 3;
    k.give_cap_per = PLAUDIT_PERIOD_DAY;
    CHECK(plaudit_kudos_declare(ctx, &k));
    plaudit_reward_def r = PLAUDIT_REWARD_DEF_INIT;
    r.id = "mug";
    r.cost = 30;
    r.stock = 2;
    CHECK(plaudit_reward_declare(ctx, &r));
    if (fixture_format == 3) CHECK(declare_v2_rules(ctx, variant));
    return 0;
}

static size_t fixture_hist;

void fixture_history(size_t per_member) { fixture_hist = per_member; }

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}
static uint64_t fnv_str(uint64_t h, const char *s) { return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "\1", 1); }

uint64_t fixture_digest(plaudit_ctx *ctx)
{
    uint64_t d = plaudit_state_digest(ctx);
    if (!fixture_hist) return d;
    /* every member's whole points history (the query allocates nothing) */
    uint64_t h = 14695981039346656037ull;
    uint64_t n_members = plaudit_member_count(ctx);
    for (uint64_t i = 0; i < n_members; i++) {
        const char *id = NULL;
        size_t n = 0;
        uint64_t next = 0, before = 0;
        if (plaudit_member_list(ctx, i, 1, &id, &n, &next) || n != 1) abort();
        h = fnv_str(h, id);
        do {
            plaudit_history_entry e[4];
            if (plaudit_member_history(ctx, id, before, 4, e, &n, &before)) abort();
            for (size_t j = 0; j < n; j++) {
                int64_t v[5] = {(int64_t)e[j].seq, e[j].ts, e[j].points, e[j].balance,
                                (int64_t)e[j].cause * 16 + (int64_t)e[j].event_type};
                h = fnv(h, v, sizeof v);
                h = fnv_str(fnv_str(fnv_str(h, e[j].cause_id), e[j].event_id), e[j].event_ref);
                h = fnv_str(fnv_str(fnv_str(h, e[j].reason), e[j].revoked_event), e[j].revoked_ref);
            }
        } while (before);
    }
    return d ^ h;
}

plaudit_ctx *new_ctx(const plaudit_options *opts, int variant)
{
    plaudit_ctx *ctx = NULL;
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    if (opts) o = *opts;
    o.history_per_member = fixture_hist;
    if (plaudit_ctx_new(&ctx, &o)) return NULL;
    if (declare_program(ctx, variant)) {
        plaudit_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

#define E(ty, t, key, mem, tgt) {0, {ty, T0 + (t), key, mem, tgt, 0, NULL, 0, NULL, NULL}}
#define SNAP {1, {0, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL}}

static const step workload_v1[] = {
    E(PLAUDIT_EVENT_JOIN, 0, "j-ann", "ann", NULL),
    E(PLAUDIT_EVENT_ACTION, 10, "e1", "ann", "post"),
    E(PLAUDIT_EVENT_ACTION, 20, "e2", "bob", "answer"),
    E(PLAUDIT_EVENT_ACTION, 30, NULL, "ann", "login"),
    E(PLAUDIT_EVENT_KUDOS, 40, "k1", "bob", "ann"),
    E(PLAUDIT_EVENT_ACTION, 50, "e3", "ann", "post"),
    E(PLAUDIT_EVENT_REDEEM, 60, "r1", "bob", "mug"),      /* rejected: funds */
    E(PLAUDIT_EVENT_ACTION, 70, "e4", "cy", "answer"),
    E(PLAUDIT_EVENT_ACTION, 80, "e4", "cy", "answer"),    /* duplicate */
    SNAP,
    E(PLAUDIT_EVENT_ACTION, D + 10, "e5", "ann", "login"),
    E(PLAUDIT_EVENT_ACTION, D + 20, "e6", "bob", "answer"),
    E(PLAUDIT_EVENT_ACTION, D + 30, "e7", "bob", "answer"),
    E(PLAUDIT_EVENT_ACTION, D + 40, "e8", "bob", "answer"),
    E(PLAUDIT_EVENT_AWARD, D + 50, "a1", "cy", "hero"),
    {0, {PLAUDIT_EVENT_ADJUST, T0 + D + 60, "adj1", "cy", NULL, 12, "bug bounty", 0, NULL, NULL}},
    E(PLAUDIT_EVENT_SEGMENT, D + 70, "s1", "dee", "helper"),
    {0, {PLAUDIT_EVENT_PREFERENCES, T0 + D + 80, "p1", "dee", NULL, 0, NULL, 0, NULL, NULL}},
    E(PLAUDIT_EVENT_ACTION, 2 * D + 10, "e9", "ann", "login"),
    E(PLAUDIT_EVENT_ACTION, 2 * D + 20, "e10", "ann", "post"),
    E(PLAUDIT_EVENT_REDEEM, 2 * D + 30, "r2", "ann", "mug"),
    E(PLAUDIT_EVENT_KUDOS, 2 * D + 40, "k2", "ann", "ann"), /* rejected: self */
    SNAP,
    E(PLAUDIT_EVENT_TICK, 8 * D, "t1", NULL, NULL),         /* week closes */
    E(PLAUDIT_EVENT_ACTION, 8 * D + 10, "e11", "dee", "post"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 20, NULL, "ann", "post"),
    E(PLAUDIT_EVENT_KUDOS, 8 * D + 30, "k3", "cy", "dee"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 40, "e12", "bob", "post"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 5, "late", "bob", "post"), /* rejected: time */
    E(PLAUDIT_EVENT_REDEEM, 8 * D + 50, "r3", "bob", "mug"),
};

/* Format 2: refs and revokes, some of them across snapshots. */
#define ER(ty, t, key, mem, tgt, ref) {0, {ty, T0 + (t), key, mem, tgt, 0, NULL, 0, ref, NULL}}
#define RV(t, key, evid, ref, why) {0, {PLAUDIT_EVENT_REVOKE, T0 + (t), key, NULL, evid, 0, why, 0, ref, NULL}}
static const step workload_v2[] = {
    E(PLAUDIT_EVENT_JOIN, 0, "j-ann", "ann", NULL),
    ER(PLAUDIT_EVENT_ACTION, 10, "e1", "ann", "post", "p:1"),
    ER(PLAUDIT_EVENT_ACTION, 20, "e2", "bob", "answer", "p:1"),
    E(PLAUDIT_EVENT_ACTION, 30, NULL, "ann", "login"),
    ER(PLAUDIT_EVENT_KUDOS, 40, "k1", "bob", "ann", "p:2"),
    E(PLAUDIT_EVENT_ACTION, 50, "e3", "ann", "post"),
    E(PLAUDIT_EVENT_REDEEM, 60, "r1", "bob", "mug"),      /* rejected: funds */
    E(PLAUDIT_EVENT_ACTION, 70, "e4", "cy", "answer"),
    E(PLAUDIT_EVENT_ACTION, 80, "e4", "cy", "answer"),    /* duplicate */
    SNAP,
    RV(90, "rv1", "e2", NULL, "duplicate"),
    E(PLAUDIT_EVENT_ACTION, D + 10, "e5", "ann", "login"),
    ER(PLAUDIT_EVENT_AWARD, D + 20, "a1", "cy", "hero", "h:1"),
    E(PLAUDIT_EVENT_AWARD, D + 30, "a2", "cy", "hero"),
    RV(D + 40, "rv2", "a1", NULL, NULL),
    {0, {PLAUDIT_EVENT_ADJUST, T0 + D + 50, "adj1", "cy", NULL, 12, "bug bounty", 0, "p:2", NULL}},
    E(PLAUDIT_EVENT_REDEEM, D + 60, "r2", "ann", "mug"),
    SNAP,
    RV(D + 70, "rv3", NULL, "p:1", "thread deleted"),
    RV(D + 80, "rv4", "r2", NULL, "order cancelled"),
    RV(D + 90, NULL, NULL, "p:2", NULL),
    RV(D + 95, "rv1", "e2", NULL, "other"),               /* rejected: conflict */
    E(PLAUDIT_EVENT_TICK, 8 * D, "t1", NULL, NULL),         /* week closes */
    RV(8 * D + 10, "rv5", "e3", NULL, NULL),                /* its week is closed */
    RV(8 * D + 20, "rv6", "e3", NULL, NULL),                /* rejected: already revoked */
    RV(8 * D + 30, "rv7", "nope", NULL, NULL),              /* rejected: unknown */
    E(PLAUDIT_EVENT_ACTION, 8 * D + 40, "e11", "dee", "post"),
    RV(8 * D + 50, "rv8", "a2", NULL, NULL),                /* the last award of hero */
};

/* Format 2 rules: teams joined, switched and left across snapshots, the
 * season's close, campaigns, the challenge in two weeks, revokes. */
#define TM(t, key, mem, team) {0, {PLAUDIT_EVENT_TEAM, T0 + (t), key, mem, team, 0, NULL, 0, NULL, NULL}}
static const step workload_v3[] = {
    TM(0, "t1", "ann", "acme"),
    TM(1, NULL, "bob", "acme"),
    TM(2, "t3", "cy", "globex"),
    ER(PLAUDIT_EVENT_ACTION, 10, "e1", "ann", "post", "p:1"),   /* launch: 200% */
    E(PLAUDIT_EVENT_ACTION, 20, "e2", "bob", "answer"),
    E(PLAUDIT_EVENT_ACTION, 30, "e3", "ann", "post"),
    E(PLAUDIT_EVENT_ACTION, 40, "e4", "ann", "answer"),          /* the challenge */
    E(PLAUDIT_EVENT_KUDOS, 50, "k1", "bob", "cy"),
    SNAP,
    E(PLAUDIT_EVENT_ACTION, D + 10, "e5", "cy", "post"),          /* all-week: 150% */
    TM(D + 20, "t4", "cy", "acme"),                               /* a switch mid-week */
    E(PLAUDIT_EVENT_ACTION, D + 30, "e6", "cy", "post"),          /* early-poster */
    TM(D + 40, "t5", "bob", NULL),                                /* bob leaves */
    E(PLAUDIT_EVENT_ACTION, D + 50, "e7", "bob", "post"),
    TM(D + 60, "t5", "bob", NULL),                                /* duplicate */
    RV(D + 70, "rv1", NULL, "p:1", NULL),                         /* takes back ann's team credit */
    SNAP,
    E(PLAUDIT_EVENT_ACTION, 3 * D + 10, "e8", "dee", "login"),    /* the season closes */
    E(PLAUDIT_EVENT_ACTION, 3 * D + 20, "e9", "ann", "post"),     /* after the season */
    E(PLAUDIT_EVENT_TICK, 8 * D, "tk", NULL, NULL),               /* the week closes */
    E(PLAUDIT_EVENT_ACTION, 8 * D + 10, "e10", "cy", "post"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 20, "e11", "cy", "post"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 30, "e12", "cy", "answer"),   /* the challenge again */
    SNAP,
    TM(8 * D + 40, "t6", "dee", "initech"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 50, "e13", "dee", "post"),
    E(PLAUDIT_EVENT_ACTION, 8 * D + 45, "late", "dee", "post"),   /* rejected: time */
};

const step *workload = workload_v1;
size_t n_workload = sizeof workload_v1 / sizeof workload_v1[0];

void fixture_select(int format)
{
    fixture_format = format;
    workload = format == 3 ? workload_v3 : format == 2 ? workload_v2 : workload_v1;
    n_workload = format == 3   ? sizeof workload_v3 / sizeof workload_v3[0]
                 : format == 2 ? sizeof workload_v2 / sizeof workload_v2[0]
                               : sizeof workload_v1 / sizeof workload_v1[0];
}

int run_step(plaudit_ctx *ctx, size_t i)
{
    if (workload[i].snapshot) return plaudit_store_snapshot(ctx);
    return plaudit_record(ctx, &workload[i].ev, NULL);
}

void reference(int variant, uint64_t *digests, int *codes)
{
    plaudit_ctx *ctx = new_ctx(NULL, variant);
    if (!ctx) abort();
    for (size_t i = 0; i < n_workload; i++) {
        digests[i] = fixture_digest(ctx);
        codes[i] = workload[i].snapshot ? 0 : plaudit_record(ctx, &workload[i].ev, NULL);
    }
    digests[n_workload] = fixture_digest(ctx);
    plaudit_ctx_free(ctx);
}

uint64_t empty_digest(int variant)
{
    plaudit_ctx *ctx = new_ctx(NULL, variant);
    if (!ctx) abort();
    uint64_t d = fixture_digest(ctx);
    plaudit_ctx_free(ctx);
    return d;
}
