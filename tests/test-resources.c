/* test-resources.c - memory use, measured through the allocator hooks:
 * bytes per member, per badge earned and per idempotency key; that
 * idempotency keys do not grow without bound under a retention period; and
 * that max_members bounds the memory held for members that never come
 * back.  Prints the figures (README "Resource use" quotes them). */
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

/* A typical program: 6 actions, 3 tiers (one a qualification window),
 * 2 segments, 3 leaderboards, 8 badges, kudos, 2 rewards. */
static const char prog[] =
    "{\"format\":\"plaudit.program/1\",\"timezone\":\"Europe/Amsterdam\",\"actions\":["
    "{\"id\":\"forum.answer\",\"points\":10,\"cap\":{\"points\":200,\"per\":\"day\"}},"
    "{\"id\":\"forum.question\",\"points\":2,\"cooldown_s\":600},{\"id\":\"event.attend\",\"points\":50},"
    "{\"id\":\"profile.completed\",\"points\":50,\"once\":true},{\"id\":\"review\",\"points\":15},"
    "{\"id\":\"content.flagged\",\"points\":-20}],"
    "\"tiers\":[{\"id\":\"bronze\",\"min_points\":100},{\"id\":\"silver\",\"min_points\":1000,"
    "\"min_distinct_actions\":3},{\"id\":\"gold\",\"min_points\":2000,\"window\":\"quarter\"}],"
    "\"segments\":[{\"id\":\"helper\",\"weights\":{\"forum.answer\":3,\"review\":2}},"
    "{\"id\":\"social\",\"weights\":{\"event.attend\":5}}],"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"month\",\"period\":\"month\"},"
    "{\"id\":\"helpers\",\"period\":\"week\",\"segment\":\"helper\"}],"
    "\"badges\":[{\"id\":\"b0\",\"when\":{\"action\":\"forum.answer\",\"count\":[1,10,100]}},"
    "{\"id\":\"b1\",\"when\":{\"action\":\"forum.answer\",\"streak\":[3,7],\"per\":\"day\"}},"
    "{\"id\":\"b2\",\"when\":{\"action\":\"review\",\"count\":3,\"within\":\"month\"},\"repeatable\":true},"
    "{\"id\":\"b3\",\"when\":{\"points\":[10,1000]}},{\"id\":\"b4\",\"when\":{\"distinct_actions\":2}},"
    "{\"id\":\"b5\",\"when\":{\"tier\":\"bronze\"}},{\"id\":\"b6\",\"when\":{\"leaderboard\":\"month\",\"top\":3}},"
    "{\"id\":\"m0\",\"manual\":true},{\"id\":\"m1\",\"manual\":true},{\"id\":\"m2\",\"manual\":true},"
    "{\"id\":\"m3\",\"manual\":true},{\"id\":\"m4\",\"manual\":true},{\"id\":\"m5\",\"manual\":true},"
    "{\"id\":\"m6\",\"manual\":true},{\"id\":\"m7\",\"manual\":true}],"
    "\"kudos\":{\"points\":5},\"rewards\":[{\"id\":\"r1\",\"cost\":100},{\"id\":\"r2\",\"cost\":500,\"stock\":10}]}";

static size_t g_hist; /* history_per_member of the contexts made below */

static plaudit_ctx *new_ctx_fmt(counter *c, int64_t retention, uint64_t max_members, int format)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.history_per_member = g_hist;
    bc_options(&o, c);
    o.idempotency_retention_s = retention;
    o.max_members = max_members;
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, &o), PLAUDIT_OK);
    char *doc = strdup(prog);
    assert_non_null(doc);
    if (format == 2) doc[strlen("{\"format\":\"plaudit.program/")] = '2';
    assert_int_equal(plaudit_program_load_json(ctx, doc, strlen(doc)), PLAUDIT_OK);
    free(doc);
    assert_int_equal(plaudit_record_tick(ctx, 1767225600, NULL, NULL), PLAUDIT_OK); /* seal */
    return ctx;
}

static plaudit_ctx *new_ctx(counter *c, int64_t retention, uint64_t max_members)
{
    return new_ctx_fmt(c, retention, max_members, 1);
}

#define NM 100000

static void per_member_and_badge(void **unused)
{
    (void)unused;
    counter c = {0};
    plaudit_ctx *ctx = new_ctx(&c, 0, 0);
    char id[32];
    size_t base = c.live;
    /* members joining (no badge, not ranked) */
    for (int i = 0; i < NM; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        assert_int_equal(plaudit_record_join(ctx, 1767225601, id, NULL, NULL), PLAUDIT_OK);
    }
    double per_member = (double)(c.live - base) / NM;
    /* each earns points (ranked on two boards) */
    size_t before = c.live;
    for (int i = 0; i < NM; i++) {
        snprintf(id, sizeof id, "member-%06d", i);
        assert_int_equal(plaudit_record_action(ctx, 1767225602, id, "event.attend", NULL, NULL), PLAUDIT_OK);
    }
    double per_ranked = (double)(c.live - before) / NM;
    /* each earns 8 manual badges: 8 badge entries */
    before = c.live;
    for (int b = 0; b < 8; b++) {
        char badge[8];
        snprintf(badge, sizeof badge, "m%d", b);
        for (int i = 0; i < NM; i++) {
            snprintf(id, sizeof id, "member-%06d", i);
            assert_int_equal(plaudit_record_award(ctx, 1767225603, id, badge, NULL, NULL), PLAUDIT_OK);
        }
    }
    double per_badge = (double)(c.live - before) / NM / 8;
    printf("memory: %.0f bytes per member (typical program: 6 actions, 3 tiers, 3 boards, 15 badges; id of 13 bytes)\n",
           per_member);
    printf("memory: %.0f more bytes per member once ranked on its boards\n", per_ranked);
    printf("memory: %.1f bytes per badge earned\n", per_badge);
    assert_true(per_member < 2048);
    assert_true(per_badge < 64);
    plaudit_ctx_free(ctx);
    assert_int_equal(c.live, 0);
}

/* What a revoke needs to remember of an event (format 2), beyond its id
 * (the idempotency key, measured above) and its ref. */
#define NR 131072 /* a power of two: arrays are exactly full */
static size_t record_actions(counter *c, int format, int with_id, int ref_every)
{
    c->live = c->peak = 0;
    plaudit_ctx *ctx = new_ctx_fmt(c, 0, 0, format);
    size_t base = c->live;
    char key[48], ref[48];
    for (int i = 0; i < NR; i++) {
        snprintf(key, sizeof key, "event-%08d-0123456789abcdef", i);
        snprintf(ref, sizeof ref, "post:%08d", ref_every ? i / ref_every : i);
        plaudit_event ev = PLAUDIT_EVENT_INIT;
        ev.ts = 1767225601 + i;
        ev.member = "m";
        ev.target = "review";
        ev.id = with_id ? key : NULL;
        ev.ref = ref_every >= 0 && format == 2 ? ref : NULL;
        assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_OK);
    }
    size_t used = c->live - base;
    plaudit_ctx_free(ctx);
    assert_int_equal(c->live, 0);
    return used;
}

static void remembered_events(void **unused)
{
    (void)unused;
    counter c = {0};
    double per_event = (double)(record_actions(&c, 2, 1, -1) - record_actions(&c, 1, 1, -1)) / NR;
    printf("memory: %.1f bytes per remembered event (what a revoke needs) beyond its id\n", per_event);
    assert_true(per_event <= 48.5);
    double shared = (double)record_actions(&c, 2, 0, 8) / NR;
    printf("memory: %.1f bytes per remembered event with a ref (no id) shared by 8 events\n", shared);
    double unique = (double)record_actions(&c, 2, 0, 0) / NR;
    printf("memory: %.1f bytes per remembered event with a ref of its own (13 bytes, no id)\n", unique);
    assert_true(shared < unique);
}

/* The points history: memory per entry, rings full (the bound reached),
 * without and with the event's id (29 bytes) and ref (13 bytes). */
#define HM 256
#define HE 128
static size_t history_run(counter *c, size_t hist, int strings, uint64_t *entries)
{
    g_hist = hist;
    c->live = c->peak = 0;
    plaudit_ctx *ctx = new_ctx_fmt(c, 0, 0, 2);
    g_hist = 0;
    char key[48], ref[48], id[32];
    for (int i = 0; i < HM; i++) {
        snprintf(id, sizeof id, "member-%05d", i);
        assert_int_equal(plaudit_record_join(ctx, 1767225601, id, NULL, NULL), PLAUDIT_OK);
    }
    size_t base = c->live;
    for (int k = 0; k < HE; k++)
        for (int i = 0; i < HM; i++) {
            snprintf(id, sizeof id, "member-%05d", i);
            snprintf(key, sizeof key, "event-%08d-0123456789abcdef", k * HM + i);
            snprintf(ref, sizeof ref, "post:%08d", k * HM + i);
            plaudit_event ev = PLAUDIT_EVENT_INIT;
            ev.ts = 1767225602 + k;
            ev.member = id;
            ev.target = "review";
            ev.ref = strings ? ref : NULL;
            ev.id = strings ? key : NULL;
            assert_int_equal(plaudit_record(ctx, &ev, NULL), PLAUDIT_OK);
        }
    size_t used = c->live - base;
    plaudit_history_info hi;
    assert_int_equal(plaudit_history_info_get(ctx, &hi), PLAUDIT_OK);
    *entries = hi.entries;
    if (hist) assert_true(hi.bytes > 0);
    plaudit_ctx_free(ctx);
    assert_int_equal(c->live, 0);
    return used;
}

static void history_entries(void **unused)
{
    (void)unused;
    counter c = {0};
    uint64_t n0, n1;
    double plain = (double)(history_run(&c, HE, 0, &n1) - history_run(&c, 0, 0, &n0)) / (double)n1;
    assert_int_equal(n0, 0);
    assert_true(n1 >= (uint64_t)HM * HE / 2);
    printf("memory: %.1f bytes per points history entry (no id or ref), rings full\n", plain);
    assert_true(plain <= 44.0);
    double with = (double)(history_run(&c, HE, 1, &n1) - history_run(&c, 0, 1, &n0)) / (double)n1;
    printf("memory: %.1f bytes per points history entry with the event's id (29 bytes) and ref (13 bytes)\n", with);
    assert_true(with <= plain + 48.0); /* the strings, NUL-ended, in one block */
}

static void idempotency_keys(void **unused)
{
    (void)unused;
    /* without retention: one record per key, forever */
    counter c = {0};
    plaudit_ctx *ctx = new_ctx(&c, 0, 0);
    size_t base = c.live;
    char key[48];
    for (int i = 0; i < NM; i++) {
        snprintf(key, sizeof key, "event-%08d-0123456789abcdef", i);
        assert_int_equal(plaudit_record_action(ctx, 1767225601 + i, "m", "review", key, NULL), PLAUDIT_OK);
    }
    double per_key = (double)(c.live - base) / NM;
    printf("memory: %.0f bytes per idempotency key (key of 29 bytes), kept forever without a retention\n", per_key);
    plaudit_ctx_free(ctx);

    /* with a retention of one hour, one event a minute: the memory stops
     * growing after the first hour */
    c.live = c.peak = 0;
    ctx = new_ctx(&c, 3600, 0);
    size_t at_half = 0;
    for (int i = 0; i < 4 * NM; i++) {
        snprintf(key, sizeof key, "event-%08d-0123456789abcdef", i);
        assert_int_equal(plaudit_record_action(ctx, 1767225601 + (int64_t)i * 60, "m", "review", key, NULL),
                         PLAUDIT_OK);
        if (i == 2 * NM) at_half = c.live;
    }
    printf("memory: with a 1 h retention and 1 event/min, %zu bytes after %d events, %zu after %d\n", at_half, 2 * NM,
           c.live, 4 * NM);
    assert_true(c.live <= at_half + 4096);
    /* a key older than the retention is forgotten: accepted again */
    assert_int_equal(plaudit_record_action(ctx, 1767225601 + (int64_t)4 * NM * 60, "m", "review",
                                           "event-00000000-0123456789abcdef", NULL),
                     PLAUDIT_OK);
    plaudit_ctx_free(ctx);
    assert_int_equal(c.live, 0);
}

/* Members are state: they are never dropped (the spec's final state lists
 * every member).  max_members bounds them. */
static void members_bounded(void **unused)
{
    (void)unused;
    counter c = {0};
    plaudit_ctx *ctx = new_ctx(&c, 0, 1000);
    char id[32];
    int accepted = 0;
    size_t at_limit = 0;
    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "drive-by-%06d", i);
        int rc = plaudit_record_action(ctx, 1767225601 + i, id, "forum.question", NULL, NULL);
        if (rc == PLAUDIT_OK) accepted++;
        else assert_int_equal(rc, PLAUDIT_ELIMIT);
        if (i == 999) at_limit = c.live;
    }
    assert_int_equal(accepted, 1000);
    assert_int_equal(plaudit_member_count(ctx), 1000);
    assert_true(c.live <= at_limit + 4096);
    printf("memory: max_members=1000 holds %zu bytes after 20000 distinct members tried\n", c.live);
    plaudit_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_member_and_badge),
        cmocka_unit_test(idempotency_keys),
        cmocka_unit_test(remembered_events),
        cmocka_unit_test(history_entries),
        cmocka_unit_test(members_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
