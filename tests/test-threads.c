/* test-threads.c - the thread model of plaudit.h, tested (run it under
 * ThreadSanitizer: tests/matrix.sh builds with -Db_sanitize=thread):
 *  - separate contexts used from many threads at once give exactly the
 *    results of a single-threaded run (no shared mutable state);
 *  - one context shared by many threads behind the caller's mutex (as the
 *    header says to): every event is applied once, a once-only badge is
 *    awarded exactly once, and the final state equals a sequential run. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plaudit.h"

#define NTHREADS 8
#define NEVENTS 3000

static const char prog[] =
    "{\"format\":\"plaudit.program/1\",\"timezone\":\"Europe/Amsterdam\","
    "\"actions\":[{\"id\":\"a\",\"points\":10,\"cap\":{\"points\":50,\"per\":\"day\"}},{\"id\":\"b\",\"points\":3}],"
    "\"tiers\":[{\"id\":\"t1\",\"min_points\":100},{\"id\":\"t2\",\"min_points\":1000,\"window\":\"month\"}],"
    "\"leaderboards\":[{\"id\":\"w\",\"period\":\"week\"},{\"id\":\"all\",\"period\":\"all\"}],"
    "\"badges\":[{\"id\":\"first\",\"when\":{\"action\":\"a\",\"count\":1},\"bonus\":5},"
    "{\"id\":\"lv\",\"when\":{\"points\":[100,500,1000]}},"
    "{\"id\":\"top\",\"when\":{\"leaderboard\":\"w\",\"top\":3}}],"
    "\"kudos\":{\"points\":2},\"rewards\":[{\"id\":\"r\",\"cost\":20,\"stock\":50}]}";

/* The i-th event of a deterministic stream. */
static void make_event(unsigned i, plaudit_event *ev, char *member, char *key)
{
    memset(ev, 0, sizeof *ev);
    unsigned x = i * 2654435761u;
    snprintf(member, 16, "m%u", (x >> 8) % 50);
    snprintf(key, 16, "k%u", (x >> 4) % 500);
    ev->ts = 1767225600 + (int64_t)i * 1800;
    ev->member = member;
    switch ((x >> 16) % 5) {
    case 0: ev->type = PLAUDIT_EVENT_ACTION; ev->target = "b"; break;
    case 1: ev->type = PLAUDIT_EVENT_KUDOS; ev->target = "m7"; break;
    case 2: ev->type = PLAUDIT_EVENT_REDEEM; ev->target = "r"; break;
    default: ev->type = PLAUDIT_EVENT_ACTION; ev->target = "a"; ev->id = key; break;
    }
}

static uint64_t run_stream(plaudit_ctx *ctx)
{
    for (unsigned i = 0; i < NEVENTS; i++) {
        plaudit_event ev;
        char member[16], key[16];
        make_event(i, &ev, member, key);
        (void)plaudit_record(ctx, &ev, NULL);
    }
    return plaudit_state_digest(ctx);
}

static plaudit_ctx *new_loaded(void)
{
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, prog, strlen(prog)), PLAUDIT_OK);
    return ctx;
}

typedef struct job {
    uint64_t digest;
    char *state;
} job;

static void *separate_worker(void *arg)
{
    job *j = arg;
    plaudit_ctx *ctx = new_loaded(); /* loads the zone: TZif reading in parallel */
    j->digest = run_stream(ctx);
    char *s = NULL;
    assert_int_equal(plaudit_state_export(ctx, &s, NULL), PLAUDIT_OK);
    j->state = strdup(s);
    plaudit_free(ctx, s);
    plaudit_ctx_free(ctx);
    return NULL;
}

static void separate_contexts(void **unused)
{
    (void)unused;
    plaudit_ctx *ctx = new_loaded();
    uint64_t want = run_stream(ctx);
    char *ws = NULL;
    assert_int_equal(plaudit_state_export(ctx, &ws, NULL), PLAUDIT_OK);
    pthread_t th[NTHREADS];
    job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) assert_int_equal(pthread_create(&th[i], NULL, separate_worker, &jobs[i]), 0);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_true(jobs[i].digest == want);
        assert_string_equal(jobs[i].state, ws);
        free(jobs[i].state);
    }
    plaudit_free(ctx, ws);
    plaudit_ctx_free(ctx);
}

/* ---- one context behind a mutex ---------------------------------------------- */

typedef struct shared {
    pthread_mutex_t lock;
    plaudit_ctx *ctx;
    unsigned next;         /* next event of the stream to record */
    int first_awards;      /* BADGE moments of "first" for member "solo" */
    int accepted_solo;
} shared;

static shared S;

static void on_badge(const plaudit_moment *m, void *payload)
{
    shared *s = payload; /* called with s->lock held, on the recording thread */
    if (strcmp(m->badge, "first") == 0 && strcmp(m->member, "solo") == 0) s->first_awards++;
}

static void *shared_worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&S.lock);
        /* everyone races to give "solo" the once-only badge "first" */
        int rc = plaudit_record_action(S.ctx, 1767225600, "solo", "a", "solo-first", NULL);
        if (rc == PLAUDIT_OK) S.accepted_solo++;
        else assert_int_equal(rc, PLAUDIT_DUPLICATE);
        unsigned i = S.next++;
        if (i >= NEVENTS) {
            pthread_mutex_unlock(&S.lock);
            return NULL;
        }
        plaudit_event ev;
        char member[16], key[16];
        make_event(i, &ev, member, key);
        (void)plaudit_record(S.ctx, &ev, NULL);
        plaudit_member_info mi;
        (void)plaudit_member_get(S.ctx, member, &mi);
        pthread_mutex_unlock(&S.lock);
    }
}

static void shared_context(void **unused)
{
    (void)unused;
    /* the same stream, sequentially, with the solo event first */
    plaudit_ctx *ref = new_loaded();
    assert_int_equal(plaudit_record_action(ref, 1767225600, "solo", "a", "solo-first", NULL), PLAUDIT_OK);
    uint64_t want = run_stream(ref);
    plaudit_ctx_free(ref);

    memset(&S, 0, sizeof S);
    pthread_mutex_init(&S.lock, NULL);
    S.ctx = new_loaded();
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_badge = on_badge;
    L.payload = &S;
    assert_int_equal(plaudit_listener_set(S.ctx, &L), PLAUDIT_OK);
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) assert_int_equal(pthread_create(&th[i], NULL, shared_worker, NULL), 0);
    for (int i = 0; i < NTHREADS; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(S.accepted_solo, 1);
    assert_int_equal(S.first_awards, 1);
    const plaudit_badge_earned *be;
    size_t n;
    assert_int_equal(plaudit_member_badges(S.ctx, "solo", &be, &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(be[0].level, 1);
    assert_int_equal(be[0].times, 1);
    assert_true(plaudit_state_digest(S.ctx) == want);
    plaudit_ctx_free(S.ctx);
    pthread_mutex_destroy(&S.lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(separate_contexts),
        cmocka_unit_test(shared_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
