/* test-program-store.c - program events with a store attached: recovery of
 * a history that changes program several times (journal only, from
 * snapshots written under each program, a retroactive replay with another
 * initial program), every store call of the workload failing in turn, and
 * a crash (the process killed) at every store call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaudit.h"
#include "store-fixture.h"

#define P_A "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"post\",\"points\":%d,\"cap\":{\"points\":50,\"per\":\"day\"}},{\"id\":\"old\",\"points\":3}]," \
    "\"tiers\":[{\"id\":\"t0\",\"min_points\":0},{\"id\":\"t1\",\"min_points\":30,\"window\":\"month\"}]," \
    "\"badges\":[{\"id\":\"lv\",\"when\":{\"action\":\"post\",\"count\":[1,3,6]}},{\"id\":\"o1\",\"when\":{\"action\":\"old\",\"count\":1}}," \
    "{\"id\":\"top\",\"when\":{\"leaderboard\":\"wk\",\"top\":1}}]," \
    "\"kudos\":{\"points\":2}," \
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"wk\",\"period\":\"week\"}]," \
    "\"rewards\":[{\"id\":\"mug\",\"cost\":5,\"stock\":3}]}"

/* The second program: old is gone (o1 is retired), new boards, a restock. */
#define P_B "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"post\",\"points\":7,\"cap\":{\"points\":50,\"per\":\"day\"}},{\"id\":\"new\",\"points\":4}]," \
    "\"tiers\":[{\"id\":\"t0\",\"min_points\":0},{\"id\":\"t1\",\"min_points\":20,\"window\":\"month\"}]," \
    "\"badges\":[{\"id\":\"lv\",\"when\":{\"action\":\"post\",\"count\":[1,2,4,8]}},{\"id\":\"n1\",\"when\":{\"action\":\"new\",\"count\":1},\"bonus\":1}]," \
    "\"kudos\":{\"points\":2}," \
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"m\",\"period\":\"month\"}]," \
    "\"rewards\":[{\"id\":\"mug\",\"cost\":5,\"stock\":5}]}"

/* The third: format 1, lv gone too. */
#define P_C "{\"format\":\"plaudit.program/1\",\"actions\":[{\"id\":\"post\",\"points\":1},{\"id\":\"new\",\"points\":4}]," \
    "\"leaderboards\":[{\"id\":\"m\",\"period\":\"month\"}],\"rewards\":[{\"id\":\"mug\",\"cost\":5}]}"

#define TS0 1767571200 /* Monday 5 January 2026 */
#define DAYS(n) (TS0 + (n) * 86400)

static char program_a[4096], program_a2[4096];

static const char *const workload_lines[] = {
    "{\"ts\":" "1767571200" ",\"member\":\"alice\",\"action\":\"post\",\"id\":\"e1\"}",
    "{\"ts\":1767571260,\"member\":\"alice\",\"action\":\"old\",\"id\":\"e2\"}",
    "{\"ts\":1767571320,\"member\":\"bob\",\"action\":\"post\",\"id\":\"e3\"}",
    "{\"ts\":1767571380,\"type\":\"kudos\",\"from\":\"bob\",\"to\":\"alice\",\"id\":\"e4\"}",
    "{\"ts\":1767571440,\"type\":\"redeem\",\"member\":\"alice\",\"reward\":\"mug\",\"id\":\"e5\"}",
    "SNAP",
    /* the next Monday: wk closes (top) under the first program */
    "{\"ts\":1768176000,\"type\":\"program\",\"id\":\"p2\",\"program\":" P_B "}",
    "{\"ts\":1768176060,\"member\":\"alice\",\"action\":\"post\",\"id\":\"e6\"}",
    "{\"ts\":1768176120,\"member\":\"carol\",\"action\":\"new\",\"id\":\"e7\"}",
    "SNAP",
    /* a revoke across the program event: board m (started by it, in the
     * month of e2) is left alone, the month's window follows */
    "{\"ts\":1768176150,\"type\":\"revoke\",\"event\":\"e2\"}",
    "{\"ts\":1768176180,\"member\":\"bob\",\"action\":\"post\",\"id\":\"e8\"}",
    "{\"ts\":1768176240,\"type\":\"tick\",\"id\":\"e9\"}",
    "{\"ts\":1768262400,\"type\":\"program\",\"id\":\"p3\",\"program\":" P_C "}",
    "{\"ts\":1768262460,\"member\":\"alice\",\"action\":\"post\"}",
    "SNAP",
    "{\"ts\":1768262520,\"member\":\"bob\",\"action\":\"new\"}",
    "{\"ts\":1768262580,\"type\":\"redeem\",\"member\":\"bob\",\"reward\":\"mug\"}",
};
#define NW (sizeof workload_lines / sizeof *workload_lines)

static plaudit_ctx *ctx_with(const char *program)
{
    plaudit_ctx *c = NULL;
    assert_int_equal(plaudit_ctx_new(&c, NULL), PLAUDIT_OK);
    if (plaudit_program_load_json(c, program, strlen(program))) fail_msg("load: %s", plaudit_errmsg(c));
    return c;
}

static int run(plaudit_ctx *c, size_t i)
{
    const char *l = workload_lines[i];
    if (strcmp(l, "SNAP") == 0) return plaudit_store_snapshot(c);
    return plaudit_record_json(c, l, strlen(l), NULL);
}

static uint64_t ref_d[NW + 1], ref2_d[NW + 1];
static int ref_rc[NW];
static char *ref_state;
static unsigned long divergent;

static void reference_run(const char *program, uint64_t *d, int *codes, char **st)
{
    plaudit_ctx *c = ctx_with(program);
    for (size_t i = 0; i < NW; i++) {
        d[i] = plaudit_state_digest(c);
        int rc = strcmp(workload_lines[i], "SNAP") == 0 ? 0 : run(c, i);
        if (codes) codes[i] = rc;
        if (rc && codes) fail_msg("reference step %zu: %s", i, plaudit_errmsg(c));
    }
    d[NW] = plaudit_state_digest(c);
    if (st) {
        char *s = NULL;
        assert_int_equal(plaudit_state_export(c, &s, NULL), PLAUDIT_OK);
        *st = strdup(s);
        plaudit_free(c, s);
    }
    plaudit_ctx_free(c);
}

static int setup(void **state)
{
    (void)state;
    snprintf(program_a, sizeof program_a, P_A, 10);
    snprintf(program_a2, sizeof program_a2, P_A, 12);
    reference_run(program_a, ref_d, ref_rc, &ref_state);
    reference_run(program_a2, ref2_d, NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ref_state);
    return 0;
}

#define DIVERGE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            divergent++;                                                                           \
            print_message(__VA_ARGS__);                                                            \
        }                                                                                          \
    } while (0)

static plaudit_ctx *attached(memstore *m, const char *program, const plaudit_store_options *so)
{
    plaudit_ctx *c = ctx_with(program);
    plaudit_store s = mem_store(m);
    int rc = plaudit_store_attach(c, &s, so);
    if (rc) fail_msg("attach: %s", plaudit_errmsg(c));
    return c;
}

static uint64_t recovered(memstore *m, const char *program, const plaudit_store_options *so, char **st)
{
    plaudit_ctx *c = attached(m, program, so);
    uint64_t d = plaudit_state_digest(c);
    if (st) {
        char *s = NULL;
        assert_int_equal(plaudit_state_export(c, &s, NULL), PLAUDIT_OK);
        *st = strdup(s);
        plaudit_free(c, s);
    }
    plaudit_ctx_free(c);
    return d;
}

/* Recovery after every step: from the journal, the snapshots (written
 * under each program) and both; the recovered context goes on. */
static void test_recovery(void **state)
{
    (void)state;
    memstore *m = mem_new();
    plaudit_store_options keep = PLAUDIT_STORE_OPTIONS_INIT;
    keep.keep_journal = 1;
    const plaudit_store_options *opts[2] = {NULL, &keep};
    for (int o = 0; o < 2; o++) {
        for (size_t cut = 0; cut <= NW; cut++) {
            memset(m, 0, sizeof *m);
            plaudit_ctx *c = attached(m, program_a, opts[o]);
            for (size_t i = 0; i < cut; i++) assert_int_equal(run(c, i), PLAUDIT_OK);
            plaudit_ctx_free(c);
            c = attached(m, program_a, opts[o]);
            DIVERGE(plaudit_state_digest(c) == ref_d[cut], "cut %zu: recovered state differs\n", cut);
            for (size_t i = cut; i < NW; i++) assert_int_equal(run(c, i), PLAUDIT_OK);
            DIVERGE(plaudit_state_digest(c) == ref_d[NW], "cut %zu: final state differs\n", cut);
            plaudit_ctx_free(c);
        }
    }
    /* the final state document too, after a recovery from a snapshot taken
     * under the third program (format 1) */
    char *st = NULL;
    DIVERGE(recovered(m, program_a, NULL, &st) == ref_d[NW], "final recovery differs\n");
    assert_string_equal(st, ref_state);
    assert_non_null(strstr(st, "\"plaudit.state/1\""));
    free(st);
    /* retroactive: another initial program replays the whole journal,
     * program events included */
    memset(m, 0, sizeof *m);
    plaudit_ctx *c = attached(m, program_a, &keep);
    for (size_t i = 0; i < NW; i++) assert_int_equal(run(c, i), PLAUDIT_OK);
    plaudit_ctx_free(c);
    c = attached(m, program_a2, &keep);
    plaudit_recovery rec;
    assert_int_equal(plaudit_store_recovery_get(c, &rec), PLAUDIT_OK);
    assert_int_equal(rec.retroactive, 1);
    DIVERGE(plaudit_state_digest(c) == ref2_d[NW], "retroactive replay differs\n");
    DIVERGE(ref2_d[NW] != ref_d[NW], "the variant changes nothing\n");
    /* what it changed: posts were worth 12 before the second program, so
     * alice and bob have other points; carol only shared (same) */
    assert_int_equal(rec.changed_members, 2);
    const char *who;
    unsigned what;
    assert_int_equal(plaudit_store_recovery_change(c, 0, &who, &what), PLAUDIT_OK);
    assert_string_equal(who, "alice");
    assert_true(what & PLAUDIT_CHANGED_POINTS);
    assert_true(what & PLAUDIT_CHANGED_BALANCE);
    assert_int_equal(plaudit_store_recovery_change(c, 1, &who, &what), PLAUDIT_OK);
    assert_string_equal(who, "bob");
    assert_int_equal(plaudit_store_recovery_change(c, 2, &who, &what), PLAUDIT_ENOTFOUND);
    plaudit_ctx_free(c);
    /* the same program again: no retroactive replay, nothing listed */
    c = attached(m, program_a, &keep);
    assert_int_equal(plaudit_store_recovery_get(c, &rec), PLAUDIT_OK);
    assert_int_equal(rec.retroactive, 0);
    assert_int_equal(rec.changed_members, 0);
    plaudit_ctx_free(c);
    /* a failed attach leaves the program the context was given */
    memset(m, 0, sizeof *m);
    c = attached(m, program_a, NULL);
    for (size_t i = 0; i < NW; i++) assert_int_equal(run(c, i), PLAUDIT_OK);
    plaudit_ctx_free(c);
    c = ctx_with(program_a);
    plaudit_store s = mem_store(m);
    m->fail_at = m->calls + 2; /* the journal read, after the snapshot (third program) loaded */
    assert_int_not_equal(plaudit_store_attach(c, &s, NULL), PLAUDIT_OK);
    m->fail_at = 0;
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(c, &pi), PLAUDIT_OK);
    assert_int_equal(pi.format, 2);
    assert_int_equal(pi.n_actions, 2);
    assert_int_equal(pi.n_badges, 3);
    assert_int_equal(plaudit_store_attach(c, &s, NULL), PLAUDIT_OK);
    DIVERGE(plaudit_state_digest(c) == ref_d[NW], "attach after a failed one differs\n");
    plaudit_ctx_free(c);
    mem_free(m);
    assert_int_equal(divergent, 0);
}

/* Every store call of the workload fails in turn: the failing step
 * changes nothing, the store holds what replays to the same state, the
 * retry succeeds. */
static void test_store_faults(void **state)
{
    (void)state;
    memstore *m = mem_new();
    plaudit_ctx *c = attached(m, program_a, NULL);
    for (size_t i = 0; i < NW; i++) run(c, i);
    plaudit_ctx_free(c);
    uint64_t total = m->calls;
    unsigned long before = divergent;
    for (uint64_t k = 1; k <= total; k++) {
        memset(m, 0, sizeof *m);
        m->fail_at = k;
        c = ctx_with(program_a);
        plaudit_store s = mem_store(m);
        if (plaudit_store_attach(c, &s, NULL)) assert_int_equal(plaudit_store_attach(c, &s, NULL), PLAUDIT_OK);
        for (size_t i = 0; i < NW; i++) {
            uint64_t d0 = plaudit_state_digest(c);
            int rc = run(c, i);
            if (rc != ref_rc[i]) {
                DIVERGE(rc == PLAUDIT_EUSER, "k=%llu step %zu rc %d (%s)\n", (unsigned long long)k, i, rc,
                        plaudit_errmsg(c));
                DIVERGE(plaudit_state_digest(c) == d0, "k=%llu step %zu: a failed call changed the state\n",
                        (unsigned long long)k, i);
                memstore *cp = mem_new();
                mem_copy(cp, m);
                cp->fail_at = 0;
                DIVERGE(recovered(cp, program_a, NULL, NULL) == d0, "k=%llu step %zu: stored state differs\n",
                        (unsigned long long)k, i);
                mem_free(cp);
                rc = run(c, i);
                DIVERGE(rc == ref_rc[i], "k=%llu step %zu: retry rc %d\n", (unsigned long long)k, i, rc);
            }
            DIVERGE(plaudit_state_digest(c) == ref_d[i + 1], "k=%llu step %zu: diverged\n", (unsigned long long)k, i);
        }
        m->fail_at = 0;
        DIVERGE(recovered(m, program_a, NULL, NULL) == ref_d[NW], "k=%llu: recovery diverged\n",
                (unsigned long long)k);
        plaudit_ctx_free(c);
    }
    mem_free(m);
    print_message("store faults: %llu store calls failed in turn, %lu divergent\n", (unsigned long long)total,
                  divergent - before);
    assert_int_equal(divergent, before);
}

/* The process is killed at every store call in turn; recovery gives the
 * state before or after the step, and going on gives the final state. */
static void test_crash(void **state)
{
    (void)state;
    memstore *m = mem_new();
    unsigned long before = divergent, crashes = 0;
    for (uint64_t k = 1;; k++) {
        memset(m, 0, sizeof *m);
        m->crash_at = k;
        m->cur_step = -1;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            plaudit_ctx *c = ctx_with(program_a);
            plaudit_store s = mem_store(m);
            if (plaudit_store_attach(c, &s, NULL)) _exit(3);
            for (size_t i = 0; i < NW; i++) {
                m->cur_step = (int)i;
                run(c, i);
            }
            m->cur_step = (int)NW;
            plaudit_ctx_free(c);
            _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        /* killed at a store call (the fixture's crash) or ran to the end */
        assert_true((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
        if (m->cur_step == (int)NW) break;
        crashes++;
        m->crash_at = 0;
        size_t cur = m->cur_step < 0 ? 0 : (size_t)m->cur_step;
        plaudit_ctx *c = attached(m, program_a, NULL);
        uint64_t d = plaudit_state_digest(c);
        size_t next = cur;
        if (d == ref_d[cur + 1] && m->cur_step >= 0) next = cur + 1;
        else DIVERGE(d == ref_d[cur], "crash k=%llu at step %zu: neither before nor after\n", (unsigned long long)k,
                     cur);
        for (size_t i = next; i < NW; i++) {
            int rc = run(c, i);
            DIVERGE(rc == ref_rc[i], "crash k=%llu step %zu rc %d %s\n", (unsigned long long)k, i, rc,
                    plaudit_errmsg(c));
        }
        DIVERGE(plaudit_state_digest(c) == ref_d[NW], "crash k=%llu: final state diverged\n", (unsigned long long)k);
        plaudit_ctx_free(c);
    }
    mem_free(m);
    print_message("crash simulation: %lu children killed at a store call, %lu divergent\n", crashes,
                  divergent - before);
    assert_true(crashes > 10);
    assert_int_equal(divergent, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_store_faults),
        cmocka_unit_test(test_crash),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
