/* fuzz-api.c - libFuzzer target that turns bytes into a sequence of calls on
 * one context (every event type, batches, JSON lines, queries, invalid
 * arguments, calls from inside the listener, allocation failures) and checks
 * invariants after every call:
 *  - a rejected or duplicate call leaves the state digest unchanged;
 *  - points and balance are never negative; points equal the sum of the
 *    POINTS moments; the balance is never above the points, nor above the
 *    positive POINTS moments (what was earned) minus the costs of the
 *    REDEEM moments;
 *  - a member's tier agrees with the criteria of the tiers;
 *  - leaderboard order and ranks agree with the scores, and the rank
 *    queries with the listing;
 *  - a level of a once-only badge is never awarded twice;
 *  - a failed allocation rejects the event with PLAUDIT_ENOMEM and nothing
 *    changes;
 *  - from inside a listener every mutating call fails with PLAUDIT_ESTATE;
 * and at the end, that the program export loaded into a fresh context and
 * the accepted events replayed one by one give the same digest and state. */
#include "fuzz-common.h"

#define NPOOL 8
static const char long_id[] =
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxx"; /* 128 bytes: the longest member id */
static const char *const pool[NPOOL] = {"m0", "m1", "m2", "m3", "m4", "\xc3\xa9t\xc3\xa9", "z", long_id};
static const char *const keys[] = {"k0", "k1", "k2", "k3", "k\xe2\x82\xac", "k5"};
static const char *const reasons[] = {NULL, "", "spam", "r\xc3\xa9vision"};
static const int64_t adjusts[] = {-1000000001, -1000000000, -50, -1, 0, 1, 7, 100, 1000000000, 1000000001, INT64_MIN,
                                  INT64_MAX};
static const int64_t deltas[] = {0, 1, 59, 3600, 20000, 86399, 86400, 90000, 7 * 86400, 31 * 86400, -1, -3600};

typedef struct model {
    int64_t net[NPOOL], earned[NPOOL], redeemed[NPOOL];
    uint64_t levels[NPOOL][sizeof fz_once_badges / sizeof *fz_once_badges];
    unsigned long n_moments;
    int try_mutate;           /* the listener tries a mutating call */
    plaudit_ctx *ctx;
} model;

static model M;

typedef struct cursor {
    const uint8_t *p, *end;
} cursor;

static unsigned take(cursor *c)
{
    return c->p < c->end ? *c->p++ : 0;
}

static int pool_index(const char *id)
{
    for (int i = 0; i < NPOOL; i++)
        if (strcmp(pool[i], id) == 0) return i;
    fz_die("moment for an unknown member %s", id);
}

static void try_mutate_inside(void)
{
    plaudit_ctx *ctx = M.ctx;
    uint64_t d = plaudit_state_digest(ctx);
    plaudit_member_info mi;
    (void)plaudit_member_get(ctx, "m0", &mi);
    FZ_CHECK(plaudit_record_tick(ctx, PLAUDIT_MAX_TS, NULL, NULL) == PLAUDIT_ESTATE, "tick inside a listener");
    FZ_CHECK(plaudit_record_json(ctx, "{\"ts\":1,\"type\":\"tick\"}", 22, NULL) == PLAUDIT_ESTATE, "json inside");
    plaudit_event ev = {PLAUDIT_EVENT_JOIN, PLAUDIT_MAX_TS, NULL, "new", NULL, 0, NULL, 0, NULL, NULL};
    FZ_CHECK(plaudit_record_batch(ctx, &ev, 1, NULL, NULL) == PLAUDIT_ESTATE, "batch inside a listener");
    FZ_CHECK(plaudit_listener_set(ctx, NULL) == PLAUDIT_ESTATE, "listener_set inside a listener");
    FZ_CHECK(plaudit_state_digest(ctx) == d, "a call from inside a listener changed the state");
}

static void on_moment(const plaudit_moment *m, void *payload)
{
    (void)payload;
    M.n_moments++;
    int i = pool_index(m->member);
    switch (m->kind) {
    case PLAUDIT_MOMENT_POINTS:
        FZ_CHECK(m->points != 0, "a POINTS moment of 0");
        M.net[i] += m->points;
        if (m->points > 0) M.earned[i] += m->points;
        break;
    case PLAUDIT_MOMENT_REDEEM: M.redeemed[i] += m->cost; break;
    case PLAUDIT_MOMENT_BADGE: {
        int b = FZ_INDEX(fz_once_badges, m->badge);
        if (b >= 0) {
            FZ_CHECK(m->level >= 1 && m->level <= 64, "badge level %u", m->level);
            uint64_t bit = 1ULL << (m->level - 1);
            FZ_CHECK(!(M.levels[i][b] & bit), "%s: level %u of once-only badge %s awarded twice", m->member,
                     m->level, m->badge);
            M.levels[i][b] |= bit;
        }
        break;
    }
    case PLAUDIT_MOMENT_KUDOS: pool_index(m->to); break;
    case PLAUDIT_MOMENT_REVOKE: break;
    default: break;
    }
    if (M.try_mutate) try_mutate_inside();
}

/* ---- the log of events, replayed at the end ------------------------------- */

typedef struct evlog {
    plaudit_event *ev;
    size_t n, cap;
} evlog;

static void log_add(evlog *l, const plaudit_event *ev)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->ev = realloc(l->ev, l->cap * sizeof *l->ev);
        if (!l->ev) abort();
    }
    l->ev[l->n++] = *ev;
}

/* ---- event generation ------------------------------------------------------- */

static int64_t cur_ts = 1767225600, hi_ts; /* 2026-01-01 */

static void gen_event(cursor *c, plaudit_event *ev)
{
    memset(ev, 0, sizeof *ev);
    unsigned b = take(c);
    ev->type = (plaudit_event_type)(b % 9);
    int64_t d = deltas[(b >> 4) % (sizeof deltas / sizeof *deltas)];
    cur_ts += d;
    if (cur_ts > hi_ts) hi_ts = cur_ts;
    if (cur_ts < hi_ts - 3600) cur_ts = hi_ts - 3600; /* at most an hour back */
    ev->ts = cur_ts;
    unsigned m = take(c);
    ev->member = pool[m % NPOOL];
    ev->id = (m & 0x80) ? keys[(m >> 3) % 6] : NULL;
    unsigned t = take(c);
    switch (ev->type) {
    case PLAUDIT_EVENT_ACTION: ev->target = fz_actions[t % 6]; break;
    case PLAUDIT_EVENT_KUDOS: ev->target = pool[t % NPOOL]; break;
    case PLAUDIT_EVENT_REDEEM: ev->target = fz_rewards[t % 3]; break;
    case PLAUDIT_EVENT_AWARD: ev->target = (t & 1) ? "man" : fz_badges[(t >> 1) % 12]; break;
    case PLAUDIT_EVENT_ADJUST:
        ev->points = adjusts[t % (sizeof adjusts / sizeof *adjusts)];
        ev->reason = reasons[(t >> 4) % 4];
        break;
    case PLAUDIT_EVENT_SEGMENT: ev->target = (t & 3) == 3 ? NULL : fz_segments[t % 3]; break;
    case PLAUDIT_EVENT_PREFERENCES: ev->flag = (int)(t & 1); break;
    case PLAUDIT_EVENT_TICK: ev->member = NULL; break;
    default: break;
    }
}

/* The JSON line of an event (all strings here need no escaping). */
static size_t event_line(const plaudit_event *ev, char *buf, size_t cap)
{
    static const char *const key2[] = {"action", NULL, "to", "reward", "badge", NULL, "segment", NULL, NULL};
    int n = snprintf(buf, cap, "{\"ts\":%lld,\"type\":\"%s\"", (long long)ev->ts, plaudit_event_type_name(ev->type));
    if (ev->id) n += snprintf(buf + n, cap - (size_t)n, ",\"id\":\"%s\"", ev->id);
    if (ev->member)
        n += snprintf(buf + n, cap - (size_t)n, ",\"%s\":\"%s\"", ev->type == PLAUDIT_EVENT_KUDOS ? "from" : "member",
                      ev->member);
    if (key2[ev->type]) {
        if (ev->target) n += snprintf(buf + n, cap - (size_t)n, ",\"%s\":\"%s\"", key2[ev->type], ev->target);
        else n += snprintf(buf + n, cap - (size_t)n, ",\"%s\":null", key2[ev->type]);
    }
    if (ev->type == PLAUDIT_EVENT_ADJUST) {
        n += snprintf(buf + n, cap - (size_t)n, ",\"points\":%lld", (long long)ev->points);
        if (ev->reason) n += snprintf(buf + n, cap - (size_t)n, ",\"reason\":\"%s\"", ev->reason);
    }
    if (ev->type == PLAUDIT_EVENT_PREFERENCES)
        n += snprintf(buf + n, cap - (size_t)n, ",\"leaderboards\":%s", ev->flag ? "true" : "false");
    n += snprintf(buf + n, cap - (size_t)n, "}\n");
    return (size_t)n;
}

/* ---- checks after a call ------------------------------------------------------ */

static void check_model(plaudit_ctx *ctx)
{
    for (int i = 0; i < NPOOL; i++) {
        plaudit_member_info mi;
        int rc = plaudit_member_get(ctx, pool[i], &mi);
        if (rc == PLAUDIT_ENOTFOUND) {
            FZ_CHECK(M.net[i] == 0, "%s: points moments for a member that does not exist", pool[i]);
            continue;
        }
        FZ_CHECK(mi.points == M.net[i], "%s: points %lld, moments sum to %lld", pool[i], (long long)mi.points,
                 (long long)M.net[i]);
        FZ_CHECK(mi.balance <= M.earned[i] - M.redeemed[i], "%s: balance %lld above earned %lld - redeemed %lld",
                 pool[i], (long long)mi.balance, (long long)M.earned[i], (long long)M.redeemed[i]);
        const plaudit_badge_earned *be;
        size_t nb;
        FZ_CHECK(plaudit_member_badges(ctx, pool[i], &be, &nb) == PLAUDIT_OK, "badges");
        for (size_t j = 0; j < nb; j++) {
            int b = FZ_INDEX(fz_once_badges, be[j].badge);
            if (b < 0) continue;
            FZ_CHECK(be[j].level >= 1 && M.levels[i][b] >> (be[j].level - 1) == 1,
                     "%s: badge %s at level %u, moments say %llx", pool[i], be[j].badge, be[j].level,
                     (unsigned long long)M.levels[i][b]);
        }
    }
    fz_check_all(ctx);
}

/* After a call: rejected / duplicate calls changed nothing. */
static void check_call(plaudit_ctx *ctx, int rc, uint64_t d0, unsigned long moments0, const char *what)
{
    if (rc != PLAUDIT_OK) {
        FZ_CHECK(plaudit_state_digest(ctx) == d0, "%s returned %d (%s) but changed the digest", what, rc,
                 plaudit_errmsg(ctx));
        FZ_CHECK(M.n_moments == moments0, "%s returned %d but produced moments", what, rc);
    }
    if (rc < 0) FZ_CHECK(plaudit_errcode(ctx) == rc && plaudit_errmsg(ctx)[0], "%s: %d without a message", what, rc);
}

static int record_one(plaudit_ctx *ctx, fz_alloc *fa, const plaudit_event *ev, evlog *log, int via_json)
{
    uint64_t d0 = plaudit_state_digest(ctx);
    unsigned long m0 = M.n_moments, f0 = fa->n_failed;
    plaudit_outcome out;
    int rc;
    if (via_json) {
        char line[512];
        size_t n = event_line(ev, line, sizeof line);
        rc = plaudit_record_json(ctx, line, n, &out);
    } else {
        rc = plaudit_record(ctx, ev, &out);
    }
    fa->countdown = 0;
    check_call(ctx, rc, d0, m0, via_json ? "record_json" : "record");
    FZ_CHECK(out.code == (rc < 0 ? rc : 0) || rc == PLAUDIT_DUPLICATE, "outcome code %d for %d", out.code, rc);
    FZ_CHECK(out.n_moments == M.n_moments - m0, "outcome has %zu moments, listener saw %lu", out.n_moments,
             M.n_moments - m0);
    if (fa->n_failed != f0 && rc < 0)
        FZ_CHECK(rc == PLAUDIT_ENOMEM, "a failed allocation gave %d: %s", rc, plaudit_errmsg(ctx));
    if (rc != PLAUDIT_ENOMEM) log_add(log, ev);
    return rc;
}

static void bad_calls(plaudit_ctx *ctx, cursor *c)
{
    static char big[PLAUDIT_MAX_LEVELS * 8];
    memset(big, 'a', sizeof big - 1);
    static const char *const bad_members[] = {NULL, "", "a\x01" "b", "\xff", "\xc0\xaf", "\xed\xa0\x80", "a\x7f",
                                              "\xc2\x85", big};
    static const char *const bad_refs[] = {NULL, "", "A", "-a", "a b", "\xc3\xa9", big};
    unsigned b = take(c), x = take(c);
    plaudit_event ev;
    memset(&ev, 0, sizeof ev);
    ev.ts = cur_ts;
    ev.member = pool[x % NPOOL];
    uint64_t d0 = plaudit_state_digest(ctx);
    unsigned long m0 = M.n_moments;
    int rc;
    switch (b % 12) {
    case 0: ev.type = (plaudit_event_type)(9 + x); ev.target = "a"; rc = plaudit_record(ctx, &ev, NULL); break;
    case 1: ev.ts = (x & 1) ? -1 - (int64_t)x : PLAUDIT_MAX_TS + 1 + x; rc = plaudit_record_tick(ctx, ev.ts, NULL, NULL); break;
    case 2: rc = plaudit_record_action(ctx, ev.ts, bad_members[x % 9], "a", NULL, NULL); break;
    case 3: rc = plaudit_record_action(ctx, ev.ts, ev.member, bad_refs[x % 7], NULL, NULL); break;
    case 4: rc = plaudit_record_action(ctx, ev.ts, ev.member, "a", (x & 1) ? "" : big, NULL); break;
    case 5: rc = plaudit_record_adjust(ctx, ev.ts, ev.member, 1, big + (x & 7), NULL, NULL); break;
    case 6: rc = plaudit_record_kudos(ctx, ev.ts, bad_members[x % 9], ev.member, NULL, NULL); break;
    case 7: case 8: {
        plaudit_program_info pi;
        FZ_CHECK(plaudit_program_info_get(ctx, &pi) == PLAUDIT_OK, "info");
        if (!pi.sealed) {
            /* Until an event is accepted (every one so far was refused or
             * ran out of memory) a load is allowed and replaces the program:
             * loading the same one again succeeds and changes nothing. */
            rc = plaudit_program_load_json(ctx, fz_program, strlen(fz_program));
            FZ_CHECK(rc == PLAUDIT_OK, "reloading an unsealed program: %d (%s)", rc, plaudit_errmsg(ctx));
            FZ_CHECK(plaudit_state_digest(ctx) == d0 && M.n_moments == m0, "reloading the program changed the state");
            return;
        }
        if (b % 12 == 8) {
            rc = plaudit_program_load_json(ctx, fz_program, strlen(fz_program));
            FZ_CHECK(rc == PLAUDIT_ESTATE, "loading a sealed program: %d", rc);
            break;
        }
        plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
        d.id = "late";
        rc = plaudit_action_declare(ctx, &d);
        break;
    }
    case 9: {
        static const char *const lines[] = {
            "{\"ts\":1.0,\"type\":\"tick\"}",
            "{\"ts\":1e3,\"type\":\"tick\"}",
            "{\"ts\":99999999999999999999,\"type\":\"tick\"}",
            "{\"ts\":-1,\"type\":\"tick\"}",
            "{\"ts\":1,\"type\":\"tick\",\"ts\":2}",
            "{\"ts\":1,\"type\":\"adjust\",\"member\":\"m0\",\"points\":1.5}",
            "{\"ts\":1,\"member\":\"m\\u0000\",\"action\":\"a\"}",
            "{\"ts\":1,\"member\":\"\\ud800\",\"action\":\"a\"}",
            "{\"ts\":1,\"member\":\"\xff\",\"action\":\"a\"}",
            "[1,2,3]",
            "{\"ts\":1",
            "{\"ts\":1,\"type\":\"tick\"} {}",
        };
        const char *l = lines[x % 12];
        rc = plaudit_record_json(ctx, l, strlen(l), NULL);
        break;
    }
    case 10: {
        char line[64] = "{\"ts\":1,\"type\":\"tick\"}";
        line[7] = '\0'; /* a NUL inside the line */
        rc = plaudit_record_json(ctx, line, 23, NULL);
        break;
    }
    default: {
        plaudit_event evs[2];
        memset(evs, 0, sizeof evs);
        evs[0].type = PLAUDIT_EVENT_TICK;
        evs[0].ts = -5;
        evs[1].type = PLAUDIT_EVENT_ACTION;
        evs[1].ts = cur_ts;
        evs[1].member = bad_members[x % 9];
        evs[1].target = "a";
        int codes[2];
        size_t done = 0;
        rc = plaudit_record_batch(ctx, evs, 2, codes, &done);
        FZ_CHECK(rc == PLAUDIT_OK && done == 2 && codes[0] < 0 && codes[1] < 0, "batch of bad events");
        FZ_CHECK(plaudit_state_digest(ctx) == d0 && M.n_moments == m0, "a batch of bad events changed the state");
        return; /* the batch itself succeeded: no message to check */
    }
    }
    FZ_CHECK(rc < 0, "bad call %u/%u accepted (%d)", b % 12, x, rc);
    check_call(ctx, rc, d0, m0, "bad call");
}

static void queries(plaudit_ctx *ctx, cursor *c)
{
    unsigned b = take(c);
    const char *m = pool[b % NPOOL];
    uint64_t u;
    int64_t s;
    plaudit_rank_entry e[9];
    size_t n;
    uint64_t d0 = plaudit_state_digest(ctx);
    (void)plaudit_member_action_count(ctx, m, fz_actions[(b >> 3) % 6], &u);
    (void)plaudit_member_affinity(ctx, m, fz_segments[(b >> 3) % 3], &s);
    (void)plaudit_leaderboard_around(ctx, fz_boards[(b >> 5) % 3], m, 4, e, &n);
    (void)plaudit_leaderboard_top(ctx, "nope", 3, e, &n);
    (void)plaudit_reward_stock(ctx, fz_rewards[b % 3], &s);
    char *out = NULL;
    if (plaudit_state_export(ctx, &out, NULL) == PLAUDIT_OK) plaudit_free(ctx, out);
    FZ_CHECK(plaudit_state_digest(ctx) == d0, "a query changed the digest");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_alloc fa;
    memset(&M, 0, sizeof M);
    cur_ts = hi_ts = 1767225600;
    fz_tenure_slack = 3600; /* ts never goes back more than an hour */
    plaudit_ctx *ctx = fz_ctx_new(&fa);
    M.ctx = ctx;
    FZ_CHECK(plaudit_program_load_json(ctx, fz_program, strlen(fz_program)) == PLAUDIT_OK, "load");
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_points = L.on_badge = L.on_tier = L.on_redeem = L.on_kudos = on_moment;
    FZ_CHECK(plaudit_listener_set(ctx, &L) == PLAUDIT_OK, "listener");
    evlog log = {0};
    cursor c = {data, data + size};
    int ops = 0;
    while (c.p < c.end && ops++ < 2000) {
        unsigned op = take(&c);
        plaudit_event ev;
        switch (op % 16) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6:
            gen_event(&c, &ev);
            record_one(ctx, &fa, &ev, &log, 0);
            break;
        case 7: case 8:
            gen_event(&c, &ev);
            record_one(ctx, &fa, &ev, &log, 1);
            break;
        case 9: { /* a batch */
            plaudit_event evs[4];
            int codes[4];
            size_t n = 1 + take(&c) % 4, done = 0;
            for (size_t i = 0; i < n; i++) gen_event(&c, &evs[i]);
            uint64_t d0 = plaudit_state_digest(ctx);
            unsigned long m0 = M.n_moments;
            int rc = plaudit_record_batch(ctx, evs, n, codes, &done);
            fa.countdown = 0;
            FZ_CHECK(rc == PLAUDIT_OK && done == n, "batch: %d, %zu of %zu", rc, done, n);
            int any = 0;
            for (size_t i = 0; i < n; i++) {
                if (codes[i] == PLAUDIT_OK) any = 1;
                if (codes[i] != PLAUDIT_ENOMEM) log_add(&log, &evs[i]);
            }
            if (!any)
                FZ_CHECK(plaudit_state_digest(ctx) == d0 && M.n_moments == m0, "batch: nothing accepted, but the "
                                                                              "state changed");
            break;
        }
        case 10: case 11: /* the next event meets a failing allocation */
            fa.countdown = 1 + (long)(take(&c) % 48);
            gen_event(&c, &ev);
            record_one(ctx, &fa, &ev, &log, op & 1);
            break;
        case 12: bad_calls(ctx, &c); break;
        case 13: queries(ctx, &c); break;
        case 14: M.try_mutate = !M.try_mutate; break;
        default: { /* a tick at the current time */
            gen_event(&c, &ev);
            ev.type = PLAUDIT_EVENT_TICK;
            ev.member = NULL;
            ev.target = NULL;
            record_one(ctx, &fa, &ev, &log, 0);
            break;
        }
        }
        fa.countdown = 0;
        check_model(ctx);
    }

    /* export -> replay (one by one, no allocation failures) */
    char *prog = NULL;
    size_t plen = 0;
    FZ_CHECK(plaudit_program_export_json(ctx, &prog, &plen) == PLAUDIT_OK, "program export");
    plaudit_ctx *ctx2 = NULL;
    FZ_CHECK(plaudit_ctx_new(&ctx2, NULL) == PLAUDIT_OK, "ctx_new");
    FZ_CHECK(plaudit_program_load_json(ctx2, prog, plen) == PLAUDIT_OK, "load export: %s", plaudit_errmsg(ctx2));
    for (size_t i = 0; i < log.n; i++) (void)plaudit_record(ctx2, &log.ev[i], NULL);
    FZ_CHECK(plaudit_state_digest(ctx) == plaudit_state_digest(ctx2), "export -> replay: digest differs");
    plaudit_stats s1, s2;
    plaudit_stats_get(ctx, &s1);
    plaudit_stats_get(ctx2, &s2);
    FZ_CHECK(s1.accepted == s2.accepted && s1.duplicates == s2.duplicates, "export -> replay: stats differ");
    plaudit_free(ctx, prog);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
    free(log.ev);
    return 0;
}
