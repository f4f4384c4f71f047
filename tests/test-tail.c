/* test-tail.c - the lazily allocated member state (docs/performance.md,
 * "Member memory"): a member who only joined holds no program-shaped state
 * (counters, trackers, leaderboard slots) of its own and costs less than
 * that state; the first write gives it a copy, and an event that fails
 * after it (a failed allocation at any point, a store that fails to
 * journal) leaves the member exactly as before: same digest, same state
 * document, no memory kept; a snapshot round trip and a program event keep
 * digests, documents and the small cost of members who only joined. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"
#include "byte-counter.h"
#include "store-fixture.h"

#define T0 1767571200LL /* Mon 2026-01-05 00:00 UTC */
#define DAY 86400LL

/* 24 boards give a large tail (24 slots of 24 bytes, besides counters,
 * cooldowns and trackers): a window tier, a cooldown (its template value
 * is not zero), caps, a streak, kudos with caps, a tenure badge whose
 * bonus a tick pays. */
static char *program_doc(int variant)
{
    size_t cap = 16384;
    char *doc = malloc(cap);
    assert_non_null(doc);
    size_t n = (size_t)snprintf(
        doc, cap,
        "{\"format\":\"plaudit.program/1\",\"timezone\":\"UTC\",\"actions\":["
        "{\"id\":\"post\",\"points\":%d,\"cooldown_s\":600},"
        "{\"id\":\"like\",\"points\":1,\"cap\":{\"points\":5,\"per\":\"day\"}},"
        "{\"id\":\"answer\",\"points\":5}%s],"
        "\"tiers\":[{\"id\":\"bronze\",\"min_points\":10},{\"id\":\"gold\",\"min_points\":50,\"window\":\"month\"}],"
        "\"badges\":[{\"id\":\"streak\",\"when\":{\"action\":\"post\",\"streak\":2,\"per\":\"day\"}},"
        "{\"id\":\"likes\",\"when\":{\"action\":\"like\",\"count\":3,\"within\":\"week\"}},"
        "{\"id\":\"veteran\",\"when\":{\"tenure_days\":2},\"bonus\":3}],"
        "\"kudos\":{\"points\":2,\"cap\":{\"count\":3,\"per\":\"day\"},\"give_cap\":{\"count\":4,\"per\":\"week\"}},"
        "\"leaderboards\":[",
        variant ? 20 : 10, variant ? ",{\"id\":\"review\",\"points\":7,\"cooldown_s\":60}" : "");
    for (int i = 0; i < 24; i++) {
        static const char *per[] = {"week", "month", "day", "year"};
        n += (size_t)snprintf(doc + n, cap - n, "%s{\"id\":\"b%d\",\"period\":\"%s\"}", i ? "," : "", i, per[i % 4]);
    }
    /* variant 2 adds a board of period all: every member then has a slot
     * that is not the template's (period 1, its points, its ts) */
    if (variant == 2) n += (size_t)snprintf(doc + n, cap - n, ",{\"id\":\"all\",\"period\":\"all\"}");
    snprintf(doc + n, cap - n, "]}");
    return doc;
}

static plaudit_ctx *ctx_with(counter *c, plaudit_options *base)
{
    plaudit_options o = base ? *base : (plaudit_options)PLAUDIT_OPTIONS_INIT;
    bc_options(&o, c);
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    char *doc = program_doc(0);
    if (plaudit_program_load_json(ctx, doc, strlen(doc))) fail_msg("load: %s", plaudit_errmsg(ctx));
    free(doc);
    return ctx;
}

static char *export_doc(plaudit_ctx *ctx)
{
    char *doc = NULL;
    size_t len = 0;
    assert_int_equal(plaudit_state_export(ctx, &doc, &len), PLAUDIT_OK);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, doc, len);
    copy[len] = '\0';
    plaudit_free(ctx, doc);
    /* the count of rejected events is not state (the digest leaves it
     * out): a rejected event counts there */
    char *r = strstr(copy, "\"rejected\": ");
    if (r)
        for (r += strlen("\"rejected\": "); *r >= '0' && *r <= '9'; r++) *r = '0';
    return copy;
}

static void join_n(plaudit_ctx *ctx, int from, int to, int64_t ts)
{
    char id[32];
    for (int i = from; i < to; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        assert_int_equal(plaudit_record_join(ctx, ts, id, NULL, NULL), PLAUDIT_OK);
    }
}

/* ---- cost -------------------------------------------------------------------- */

#define NM 2000

static void joined_members_cost_less_than_the_tail(void **unused)
{
    (void)unused;
    counter c = {0};
    plaudit_ctx *ctx = ctx_with(&c, NULL);
    assert_int_equal(plaudit_record_tick(ctx, T0, NULL, NULL), PLAUDIT_OK); /* seal */
    uint64_t full = 0;
    assert_int_equal(plaudit_program_member_bytes(ctx, &full), PLAUDIT_OK);
    assert_true(full > 24 * 24);
    size_t base = c.live;
    join_n(ctx, 0, NM, T0 + 1);
    double per_join = (double)(c.live - base) / NM;
    /* the first action of each: its own copy of the state */
    size_t before = c.live;
    char id[32];
    for (int i = 0; i < NM; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        assert_int_equal(plaudit_record_action(ctx, T0 + 2, id, "answer", NULL, NULL), PLAUDIT_OK);
    }
    double per_first = (double)(c.live - before) / NM;
    /* later actions allocate nothing more per member */
    before = c.live;
    for (int i = 0; i < NM; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        assert_int_equal(plaudit_record_action(ctx, T0 + 3, id, "answer", NULL, NULL), PLAUDIT_OK);
    }
    double per_next = (double)(c.live - before) / NM;
    printf("memory: %.0f bytes per member who only joined, %.0f more at its first action (program state %llu "
           "bytes), %.1f at the next\n",
           per_join, per_first, (unsigned long long)full, per_next);
    assert_true(per_join < (double)full - 24 * 24); /* less than the tail alone */
    assert_true(per_first >= 24 * 24);
    assert_true(per_next < 8);
    plaudit_ctx_free(ctx);
    assert_int_equal(c.live, 0);
}

/* ---- failures on a member's first write ------------------------------------- */

typedef int (*event_fn)(plaudit_ctx *ctx);
static int ev_action(plaudit_ctx *ctx) { return plaudit_record_action(ctx, T0 + 5 * DAY, "m1", "post", NULL, NULL); }
static int ev_kudos(plaudit_ctx *ctx) { return plaudit_record_kudos(ctx, T0 + 5 * DAY, "m1", "m2", NULL, NULL); }
static int ev_kudos_new(plaudit_ctx *ctx) { return plaudit_record_kudos(ctx, T0 + 5 * DAY, "m1", "new", NULL, NULL); }
static int ev_action_new(plaudit_ctx *ctx) { return plaudit_record_action(ctx, T0 + 5 * DAY, "new", "like", NULL, NULL); }
/* a tick: the tenure badge (the header first), then its bonus (the tail) */
static int ev_tick(plaudit_ctx *ctx) { return plaudit_record_tick(ctx, T0 + 5 * DAY, NULL, NULL); }
static int ev_adjust(plaudit_ctx *ctx) { return plaudit_record_adjust(ctx, T0 + 5 * DAY, "m2", 30, NULL, NULL, NULL); }

static plaudit_ctx *joined_store(counter *c, memstore *m)
{
    plaudit_ctx *ctx = ctx_with(c, NULL);
    if (m) {
        plaudit_store s = mem_store(m);
        assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_join(ctx, T0, "m1", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_join(ctx, T0, "m2", NULL, NULL), PLAUDIT_OK);
    join_n(ctx, 0, 50, T0 + 1);
    assert_int_equal(plaudit_record_action(ctx, T0 + DAY, "member-000007", "post", NULL, NULL), PLAUDIT_OK);
    return ctx;
}

static plaudit_ctx *joined(counter *c) { return joined_store(c, NULL); }

/* Every allocation of the event fails in turn: the event is rejected and
 * the state (digest, document, live memory) is what it was; then it
 * succeeds, as in a run without failures. */
static void fail_each_allocation(event_fn fn, const char *name)
{
    counter r = {0};
    plaudit_ctx *ref = joined(&r);
    assert_int_equal(fn(ref), PLAUDIT_OK);
    uint64_t want = plaudit_state_digest(ref);
    char *want_doc = export_doc(ref);
    plaudit_ctx_free(ref);

    int done = 0;
    for (uint64_t k = 1; !done && k < 1000; k++) {
        counter c = {0};
        plaudit_ctx *ctx = joined(&c);
        uint64_t d0 = plaudit_state_digest(ctx);
        char *doc0 = export_doc(ctx);
        size_t live0 = c.live, blocks0 = c.blocks;
        c.armed = 1;
        c.calls = 0;
        c.fail_at = k;
        int rc = fn(ctx);
        c.armed = 0;
        if (!c.failed) {
            assert_int_equal(rc, PLAUDIT_OK);
            done = 1;
        } else {
            if (rc != PLAUDIT_ENOMEM) fail_msg("%s, allocation %llu: %d", name, (unsigned long long)k, rc);
            if (plaudit_state_digest(ctx) != d0) fail_msg("%s, allocation %llu: digest", name, (unsigned long long)k);
            char *doc = export_doc(ctx);
            if (strcmp(doc, doc0)) fail_msg("%s, allocation %llu: document", name, (unsigned long long)k);
            free(doc);
            /* nothing kept for the members (scratch room may have grown) */
            assert_true(c.blocks <= blocks0 + 3);
            (void)live0;
            assert_int_equal(fn(ctx), PLAUDIT_OK);
        }
        if (plaudit_state_digest(ctx) != want) fail_msg("%s, allocation %llu: digest after", name, (unsigned long long)k);
        char *doc = export_doc(ctx);
        if (strcmp(doc, want_doc)) fail_msg("%s, allocation %llu: document after", name, (unsigned long long)k);
        free(doc);
        free(doc0);
        plaudit_ctx_free(ctx);
        assert_int_equal(c.live, 0);
    }
    assert_true(done);
    free(want_doc);
}

static void failed_allocation_leaves_member(void **unused)
{
    (void)unused;
    fail_each_allocation(ev_action, "action");
    fail_each_allocation(ev_kudos, "kudos");
    fail_each_allocation(ev_kudos_new, "kudos_new");
    fail_each_allocation(ev_action_new, "action_new");
    fail_each_allocation(ev_tick, "tick");
    fail_each_allocation(ev_adjust, "adjust");
}

/* A rejected event (the store fails to journal it, after it was applied)
 * leaves a member who only joined as it was, memory included. */
static void rejected_event_leaves_member(void **unused)
{
    (void)unused;
    counter c = {0};
    memstore *m = mem_new();
    plaudit_ctx *ctx = joined_store(&c, m);
    uint64_t d0 = plaudit_state_digest(ctx);
    char *doc0 = export_doc(ctx);
    size_t live0 = c.live;
    m->fail_at = m->calls + 1;
    m->fail_code = PLAUDIT_EUSER;
    assert_int_not_equal(ev_action(ctx), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ctx) == d0);
    char *doc = export_doc(ctx);
    assert_string_equal(doc, doc0);
    free(doc);
    assert_true(c.live <= live0 + 256); /* the tail went back: no 600 bytes kept */
    m->fail_at = 0;
    free(doc0);
    plaudit_store_detach(ctx);
    plaudit_ctx_free(ctx);
    mem_free(m);
    assert_int_equal(c.live, 0);
}

/* ---- snapshot round trip and program events ---------------------------------- */

static void run_workload(plaudit_ctx *ctx)
{
    /* 100 members act; the 200 others join later and only join (the
     * tick pays the tenure bonus to the first 100 only) */
    join_n(ctx, 0, 100, T0);
    join_n(ctx, 100, 300, T0 + 2 * DAY);
    char id[32], to[32];
    for (int i = 0; i < 99; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        snprintf(to, sizeof to, "member-%06d", i + 1);
        assert_int_equal(plaudit_record_action(ctx, T0 + 2 * DAY + i, id, i % 2 ? "post" : "like", NULL, NULL),
                         PLAUDIT_OK);
        if (i % 9 == 0)
            assert_int_equal(plaudit_record_kudos(ctx, T0 + 2 * DAY + i, id, to, NULL, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_tick(ctx, T0 + 3 * DAY, NULL, NULL), PLAUDIT_OK);
}

/* Recover a context from m (a snapshot); its live bytes into *live. */
static plaudit_ctx *recover(memstore *m, counter *c)
{
    plaudit_ctx *ctx = ctx_with(c, NULL);
    plaudit_store s = mem_store(m);
    if (plaudit_store_attach(ctx, &s, NULL)) fail_msg("attach: %s", plaudit_errmsg(ctx));
    return ctx;
}

static void snapshot_round_trip(void **unused)
{
    (void)unused;
    counter c = {0};
    plaudit_ctx *ctx = ctx_with(&c, NULL);
    memstore *m = mem_new();
    plaudit_store s = mem_store(m);
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    run_workload(ctx);
    assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
    uint64_t d = plaudit_state_digest(ctx);
    char *doc = export_doc(ctx);
    size_t live = c.live;
    assert_int_equal(plaudit_store_detach(ctx), PLAUDIT_OK);

    counter c2 = {0};
    plaudit_ctx *ctx2 = recover(m, &c2);
    assert_true(plaudit_state_digest(ctx2) == d);
    char *doc2 = export_doc(ctx2);
    assert_string_equal(doc, doc2);
    free(doc2);
    /* members who only joined come back without state of their own */
    printf("memory: %zu bytes before the snapshot, %zu after recovery\n", live, c2.live);
    assert_true(c2.live < live + live / 4);
    /* the same events after it give the same state */
    assert_int_equal(plaudit_record_action(ctx, T0 + 4 * DAY, "member-000002", "post", NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx2, T0 + 4 * DAY, "member-000002", "post", NULL, NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ctx2) == plaudit_state_digest(ctx));
    free(doc);
    plaudit_store_detach(ctx2);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
    mem_free(m);
    assert_int_equal(c.live, 0);
    assert_int_equal(c2.live, 0);
}

/* A program event lays every member out again: members who only joined
 * stay without state of their own unless the new program gives them some
 * (a board of period all); the digest after it equals that of a context
 * recovered from a snapshot taken just after it, and both go on alike. */
static size_t program_change(int variant)
{
    counter c = {0};
    plaudit_ctx *ctx = ctx_with(&c, NULL);
    memstore *m = mem_new();
    plaudit_store s = mem_store(m);
    assert_int_equal(plaudit_store_attach(ctx, &s, NULL), PLAUDIT_OK);
    run_workload(ctx);
    size_t before = c.live;
    char *doc = program_doc(variant);
    plaudit_outcome o;
    if (plaudit_program_update(ctx, T0 + 3 * DAY + 10, doc, NULL, &o))
        fail_msg("program event: %s", plaudit_errmsg(ctx));
    free(doc);
    size_t after = c.live;
    uint64_t full = 0;
    assert_int_equal(plaudit_program_member_bytes(ctx, &full), PLAUDIT_OK);
    printf("memory: program event (variant %d): %zu bytes before, %zu after (program state %llu bytes)\n", variant,
           before, after, (unsigned long long)full);
    /* 200 of the 300 members only joined: no state of their own */
    if (variant == 1) assert_true(after < before + 300 * 64);
    assert_int_equal(plaudit_store_snapshot(ctx), PLAUDIT_OK);
    uint64_t d = plaudit_state_digest(ctx);
    char *sdoc = export_doc(ctx);
    assert_int_equal(plaudit_store_detach(ctx), PLAUDIT_OK);

    counter c2 = {0};
    plaudit_ctx *ctx2 = ctx_with(&c2, NULL);
    plaudit_store s2 = mem_store(m);
    if (plaudit_store_attach(ctx2, &s2, NULL)) fail_msg("attach: %s", plaudit_errmsg(ctx2));
    assert_true(plaudit_state_digest(ctx2) == d);
    char *sdoc2 = export_doc(ctx2);
    assert_string_equal(sdoc, sdoc2);
    free(sdoc2);
    free(sdoc);
    for (int i = 0; i < 6; i++) {
        char id[32];
        snprintf(id, sizeof id, "member-%06d", 100 + i);
        const char *a = variant && i % 2 ? "review" : "post";
        assert_int_equal(plaudit_record_action(ctx, T0 + 4 * DAY + i, id, a, NULL, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_record_action(ctx2, T0 + 4 * DAY + i, id, a, NULL, NULL), PLAUDIT_OK);
    }
    assert_int_equal(plaudit_record_tick(ctx, T0 + 6 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_record_tick(ctx2, T0 + 6 * DAY, NULL, NULL), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ctx2) == plaudit_state_digest(ctx));
    int64_t sc = -1;
    uint64_t rank = 0;
    if (variant == 2) { /* the new board ranks by points */
        assert_int_equal(plaudit_leaderboard_rank(ctx, "all", "member-000001", &rank, &sc), PLAUDIT_OK);
        assert_true(sc > 0 && rank > 0);
    }
    plaudit_store_detach(ctx2);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
    mem_free(m);
    assert_int_equal(c.live, 0);
    assert_int_equal(c2.live, 0);
    return after;
}

static void program_change_keeps_digests(void **unused)
{
    (void)unused;
    size_t v1 = program_change(1), v2 = program_change(2);
    /* with a board of period all, the 200 members who only joined get a
     * slot that is not the template's, so state of their own */
    assert_true(v2 > v1 + 200 * 24 * 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(joined_members_cost_less_than_the_tail),
        cmocka_unit_test(failed_allocation_leaves_member),
        cmocka_unit_test(rejected_event_leaves_member),
        cmocka_unit_test(snapshot_round_trip),
        cmocka_unit_test(program_change_keeps_digests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
