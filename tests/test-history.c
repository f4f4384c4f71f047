/* test-history.c - the points history (spec section 8) through the public
 * API: every cause, paging (limit, before, the end), the per-member bound
 * (oldest dropped), 0 = none and PLAUDIT_HISTORY_ALL, events that change
 * nothing or are rejected add nothing, revoke entries, the reorder window
 * (entries come at release), recovery from snapshot + journal equal to the
 * uninterrupted run, a retroactive replay recomputes it, the digest does
 * not see it, a program event keeps the causes of older entries, and bad
 * input. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

#define T (T_MON_JAN5 + 12 * HOUR) /* Monday 5 January 2026, noon UTC */
#define OK(call) assert_int_equal((call), PLAUDIT_OK)

static plaudit_ctx *hctx(size_t per_member)
{
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.history_per_member = per_member;
    plaudit_ctx *c = NULL;
    OK(plaudit_ctx_new(&c, &o));
    OK(plaudit_program_set_format(c, 2));
    return c;
}

/* answer 10 (first answer: badge "first", bonus 5), zero 0, manual badge
 * hero (bonus 20), weekly board with badge "top" (bonus 7), kudos 3, mug
 * costs 15.  answer_points changes the program (retroactive replay). */
static void program(plaudit_ctx *c, int64_t answer_points)
{
    action(c, "answer", answer_points);
    action(c, "zero", 0);
    board(c, "weekly", PLAUDIT_PERIOD_WEEK);
    OK(badge_one(c, "first", PLAUDIT_CRITERION_ACTION_COUNT, "answer", 1, 5));
    OK(badge_manual(c, "hero", 20));
    OK(badge_board(c, "top", "weekly", 1, 7));
    OK(kudos_full(c, 3, PLAUDIT_UNSET, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE, PLAUDIT_UNSET, PLAUDIT_PERIOD_NONE));
    OK(reward(c, "mug", 15, PLAUDIT_UNSET));
}

static int rec(plaudit_ctx *c, plaudit_event_type t, int64_t ts, const char *m, const char *target, int64_t pts,
               const char *reason, const char *id, const char *ref)
{
    plaudit_event ev = PLAUDIT_EVENT_INIT;
    ev.type = t;
    ev.ts = ts;
    ev.member = m;
    ev.target = target;
    ev.points = pts;
    ev.reason = reason;
    ev.id = id;
    ev.ref = ref;
    return plaudit_record(c, &ev, NULL);
}

static uint64_t total_of(plaudit_ctx *c, const char *m)
{
    uint64_t total = 99, kept = 99;
    OK(plaudit_member_history_count(c, m, &total, &kept));
    return total;
}

static uint64_t kept_of(plaudit_ctx *c, const char *m)
{
    uint64_t kept = 99;
    OK(plaudit_member_history_count(c, m, NULL, &kept));
    return kept;
}

/* The whole history of m, newest first, one line per entry, paged by
 * `page`: what recovery must give back exactly.  Caller frees. */
static char *dump(plaudit_ctx *c, const char *m, size_t page)
{
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    uint64_t before = 0;
    for (;;) {
        plaudit_history_entry e[128];
        size_t n;
        uint64_t next = 99;
        OK(plaudit_member_history(c, m, before, page, e, &n, &next));
        for (size_t i = 0; i < n; i++) {
            int w = snprintf(s + len, cap - len, "%llu %lld %lld %lld %d %s %s %s %s %s %s %s\n",
                             (unsigned long long)e[i].seq, (long long)e[i].ts, (long long)e[i].points,
                             (long long)e[i].balance, (int)e[i].cause, e[i].cause_id ? e[i].cause_id : "-",
                             plaudit_event_type_name(e[i].event_type), e[i].event_id ? e[i].event_id : "-",
                             e[i].event_ref ? e[i].event_ref : "-", e[i].reason ? e[i].reason : "-",
                             e[i].revoked_event ? e[i].revoked_event : "-", e[i].revoked_ref ? e[i].revoked_ref : "-");
            assert_true(w > 0 && (size_t)w < cap - len);
            len += (size_t)w;
        }
        if (!next) break;
        assert_true(next < before || before == 0);
        before = next;
    }
    return s;
}

static const plaudit_history_entry *newest(plaudit_ctx *c, const char *m, size_t k, size_t *n)
{
    static plaudit_history_entry e[128];
    assert_true(k <= 128);
    OK(plaudit_member_history(c, m, 0, k, e, n, NULL));
    return e;
}

#define CAUSE(e, src, id, pts, bal)                                  \
    do {                                                             \
        assert_int_equal((e).cause, (src));                          \
        assert_str_or_null((e).cause_id, (id));                      \
        assert_int_equal((e).points, (pts));                         \
        assert_int_equal((e).balance, (bal));                        \
    } while (0)

/* ---- every cause ------------------------------------------------------------ */

static void every_cause(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(100);
    program(c, 10);
    OK(rec(c, PLAUDIT_EVENT_ACTION, T, "alice", "answer", 0, NULL, "a1", "post:1"));
    size_t n;
    const plaudit_history_entry *e = newest(c, "alice", 10, &n);
    /* the action, then the bonus of the badge it unlocked (newest first) */
    assert_int_equal(n, 2);
    CAUSE(e[0], PLAUDIT_SOURCE_BONUS, "first", 5, 5);
    assert_int_equal(e[0].seq, 2);
    assert_int_equal(e[0].event_type, PLAUDIT_EVENT_ACTION);
    assert_string_equal(e[0].event_id, "a1");
    CAUSE(e[1], PLAUDIT_SOURCE_ACTION, "answer", 10, 10);
    assert_int_equal(e[1].seq, 1);
    assert_int_equal(e[1].ts, T);
    assert_string_equal(e[1].event_id, "a1");
    assert_string_equal(e[1].event_ref, "post:1");
    assert_null(e[1].reason);
    assert_null(e[1].revoked_event);

    OK(rec(c, PLAUDIT_EVENT_KUDOS, T + 10, "bob", "alice", 0, NULL, "k1", NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_KUDOS, "bob", 3, 3);
    assert_int_equal(e[0].event_type, PLAUDIT_EVENT_KUDOS);
    /* the giver's points did not change: nothing in its history */
    assert_int_equal(total_of(c, "bob"), 0);

    OK(rec(c, PLAUDIT_EVENT_ADJUST, T + 20, "alice", NULL, -2, "spam <b>x</b>", NULL, NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_ADJUST, "spam <b>x</b>", -2, -2);
    assert_string_equal(e[0].reason, "spam <b>x</b>");
    assert_null(e[0].event_id);

    OK(rec(c, PLAUDIT_EVENT_REDEEM, T + 30, "alice", "mug", 0, NULL, "r1", "order:9"));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_REDEEM, "mug", 0, -15);
    assert_int_equal(balance_of(c, "alice"), 1);
    OK(rec(c, PLAUDIT_EVENT_AWARD, T + 40, "alice", "hero", 0, NULL, "h1", NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_BONUS, "hero", 20, 20);
    assert_int_equal(e[0].event_type, PLAUDIT_EVENT_AWARD);
    assert_int_equal(points_of(c, "alice"), 36);
    assert_int_equal(balance_of(c, "alice"), 21);

    /* revokes: the action by id (points back), the redemption by ref (a
     * refund), each with the revoke's reason and the revoked event */
    OK(plaudit_record_revoke(c, T + 50, "a1", NULL, "deleted", "rv1", NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_REVOKE, "a1", -10, -10);
    assert_int_equal(e[0].event_type, PLAUDIT_EVENT_REVOKE);
    assert_string_equal(e[0].revoked_event, "a1");
    assert_string_equal(e[0].revoked_ref, "post:1");
    assert_string_equal(e[0].reason, "deleted");
    assert_string_equal(e[0].event_id, "rv1");
    OK(plaudit_record_revoke(c, T + 60, NULL, "order:9", NULL, NULL, NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_REVOKE, "r1", 0, 15);
    assert_string_equal(e[0].revoked_ref, "order:9");
    assert_string_equal(e[0].event_ref, "order:9");
    assert_null(e[0].reason);
    /* a kudos revoked: the receiver's entry */
    OK(plaudit_record_revoke(c, T + 70, "k1", NULL, NULL, NULL, NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_REVOKE, "k1", -3, -3);
    assert_int_equal(total_of(c, "bob"), 0);

    /* a leaderboard badge's bonus at the week's close, paid by a tick */
    OK(plaudit_record_tick(c, T + 7 * DAY, "tick1", NULL));
    e = newest(c, "alice", 1, &n);
    CAUSE(e[0], PLAUDIT_SOURCE_BONUS, "top", 7, 7);
    assert_int_equal(e[0].event_type, PLAUDIT_EVENT_TICK);
    assert_string_equal(e[0].event_id, "tick1");

    /* the sum of the history is the member's points and balance */
    plaudit_history_entry all[128];
    OK(plaudit_member_history(c, "alice", 0, 100, all, &n, NULL));
    int64_t sp = 0, sb = 0;
    for (size_t i = 0; i < n; i++) {
        sp += all[i].points;
        sb += all[i].balance;
        assert_int_equal(all[i].seq, n - i);
    }
    assert_int_equal(sp, points_of(c, "alice"));
    assert_int_equal(sb, balance_of(c, "alice"));
    assert_int_equal(n, 10);
    assert_int_equal(sp, 30);
    assert_int_equal(sb, 30);
    plaudit_ctx_free(c);
}

/* ---- events that change nothing add nothing --------------------------------- */

static void nothing_changed(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(100);
    program(c, 10);
    OK(plaudit_record_join(c, T, "carol", NULL, NULL));
    OK(rec(c, PLAUDIT_EVENT_ACTION, T + 1, "carol", "zero", 0, NULL, NULL, NULL));
    OK(rec(c, PLAUDIT_EVENT_ADJUST, T + 2, "carol", NULL, -5, "at the floor", NULL, NULL));
    OK(plaudit_record_preferences(c, T + 3, "carol", 0, NULL, NULL));
    assert_int_equal(total_of(c, "carol"), 0);
    size_t n = 9;
    uint64_t next = 9;
    plaudit_history_entry e[128];
    OK(plaudit_member_history(c, "carol", 0, 10, e, &n, &next));
    assert_int_equal(n, 0);
    assert_int_equal(next, 0);
    plaudit_ctx_free(c);
}

/* ---- rejected events add nothing -------------------------------------------- */

static void rejected_adds_nothing(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(100);
    program(c, 10);
    OK(rec(c, PLAUDIT_EVENT_ACTION, T + 100, "alice", "answer", 0, NULL, "a1", NULL));
    OK(rec(c, PLAUDIT_EVENT_REDEEM, T + 100, "alice", "mug", 0, NULL, NULL, NULL));
    char *before = dump(c, "alice", 3);
    REJECTS(c, PLAUDIT_ETIME, rec(c, PLAUDIT_EVENT_ACTION, T, "alice", "answer", 0, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, rec(c, PLAUDIT_EVENT_ACTION, T + 200, "alice", "answr", 0, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EFUNDS, rec(c, PLAUDIT_EVENT_REDEEM, T + 200, "alice", "mug", 0, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_ECONFLICT, rec(c, PLAUDIT_EVENT_ACTION, T + 200, "alice", "zero", 0, NULL, "a1", NULL));
    REJECTS(c, PLAUDIT_ENOTFOUND, plaudit_record_revoke(c, T + 200, "nope", NULL, NULL, NULL, NULL));
    REJECTS(c, PLAUDIT_EUTF8, rec(c, PLAUDIT_EVENT_ADJUST, T + 200, "alice", NULL, 5, "bad \xff", NULL, NULL));
    /* a duplicate changes nothing */
    assert_int_equal(rec(c, PLAUDIT_EVENT_ACTION, T + 100, "alice", "answer", 0, NULL, "a1", NULL), PLAUDIT_DUPLICATE);
    char *after = dump(c, "alice", 3);
    assert_string_equal(before, after);
    free(before);
    free(after);
    plaudit_ctx_free(c);
}

/* ---- paging ------------------------------------------------------------------- */

static void paging(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(PLAUDIT_HISTORY_ALL);
    action(c, "post", 1);
    for (int i = 0; i < 25; i++) ACT(c, T + i, "dana", "post");
    plaudit_history_entry e[128];
    size_t n;
    uint64_t next;
    OK(plaudit_member_history(c, "dana", 0, 10, e, &n, &next));
    assert_int_equal(n, 10);
    assert_int_equal(e[0].seq, 25);
    assert_int_equal(e[0].ts, T + 24);
    assert_int_equal(e[9].seq, 16);
    assert_int_equal(next, 16);
    OK(plaudit_member_history(c, "dana", next, 10, e, &n, &next));
    assert_int_equal(n, 10);
    assert_int_equal(e[0].seq, 15);
    assert_int_equal(e[9].seq, 6);
    assert_int_equal(next, 6);
    OK(plaudit_member_history(c, "dana", next, 10, e, &n, &next));
    assert_int_equal(n, 5);
    assert_int_equal(e[0].seq, 5);
    assert_int_equal(e[4].seq, 1);
    assert_int_equal(e[4].ts, T);
    assert_int_equal(next, 0); /* the end */
    /* past the end, and a cursor beyond the newest */
    OK(plaudit_member_history(c, "dana", 1, 10, e, &n, &next));
    assert_int_equal(n, 0);
    assert_int_equal(next, 0);
    OK(plaudit_member_history(c, "dana", 1000, 3, e, &n, &next));
    assert_int_equal(n, 3);
    assert_int_equal(e[0].seq, 25);
    /* an exact last page says there is no more */
    OK(plaudit_member_history(c, "dana", 6, 5, e, &n, &next));
    assert_int_equal(n, 5);
    assert_int_equal(next, 0);
    plaudit_ctx_free(c);
}

/* ---- the bound, none, all ------------------------------------------------------ */

static void bound_drops_oldest(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(5);
    action(c, "post", 1);
    for (int i = 0; i < 12; i++) ACT(c, T + i, "erin", "post");
    assert_int_equal(total_of(c, "erin"), 12);
    assert_int_equal(kept_of(c, "erin"), 5);
    plaudit_history_entry e[128];
    size_t n;
    uint64_t next;
    OK(plaudit_member_history(c, "erin", 0, 100, e, &n, &next));
    assert_int_equal(n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(e[i].seq, 12 - i);
        assert_int_equal(e[i].ts, T + 11 - (int64_t)i);
    }
    assert_int_equal(next, 0);
    OK(plaudit_member_history(c, "erin", 10, 1, e, &n, &next));
    assert_int_equal(n, 1);
    assert_int_equal(e[0].seq, 9);
    assert_int_equal(next, 9);
    OK(plaudit_member_history(c, "erin", 9, 10, e, &n, &next));
    assert_int_equal(n, 1);
    assert_int_equal(e[0].seq, 8);
    assert_int_equal(next, 0); /* 7 and older were dropped */
    plaudit_history_info hi;
    OK(plaudit_history_info_get(c, &hi));
    assert_int_equal(hi.per_member, 5);
    assert_int_equal(hi.entries, 5);
    assert_true(hi.bytes > 5 * 32);
    plaudit_ctx_free(c);
}

static void none_by_default(void **state)
{
    (void)state;
    plaudit_ctx *c = ctx_new();
    action(c, "post", 1);
    ACT(c, T, "fred", "post");
    plaudit_history_entry e[10];
    size_t n = 7;
    assert_int_equal(plaudit_member_history(c, "fred", 0, 10, e, &n, NULL), PLAUDIT_ESTATE);
    assert_int_equal(n, 0);
    assert_non_null(strstr(plaudit_errmsg(c), "history_per_member"));
    plaudit_history_info hi;
    OK(plaudit_history_info_get(c, &hi));
    assert_int_equal(hi.per_member, 0);
    assert_int_equal(hi.entries, 0);
    plaudit_ctx_free(c);
    /* a version 3 options struct (no history field) keeps none either */
    plaudit_options o = PLAUDIT_OPTIONS_INIT;
    o.version = 3;
    OK(plaudit_ctx_new(&c, &o));
    action(c, "post", 1);
    ACT(c, T, "fred", "post");
    assert_int_equal(plaudit_member_history_count(c, "fred", NULL, NULL), PLAUDIT_ESTATE);
    plaudit_ctx_free(c);
}

static void keep_all(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(PLAUDIT_HISTORY_ALL);
    action(c, "post", 2);
    for (int i = 0; i < 3000; i++) ACT(c, T + i, "gina", "post");
    assert_int_equal(kept_of(c, "gina"), 3000);
    plaudit_history_entry e[128];
    size_t n;
    OK(plaudit_member_history(c, "gina", 2, 10, e, &n, NULL));
    assert_int_equal(n, 1);
    assert_int_equal(e[0].ts, T);
    assert_int_equal(e[0].points, 2);
    plaudit_ctx_free(c);
}

/* ---- the digest does not see the history --------------------------------------- */

/* Events of every kind for three members; redeem 0 leaves redemptions
 * out (whether one is affordable depends on the program). */
static void workload(plaudit_ctx *c, int from, int to, int redeem)
{
    static const char *const who[] = {"alice", "bob", "carol"};
    for (int i = from; i < to; i++) {
        char id[32], ref[32];
        snprintf(id, sizeof id, "e%d", i);
        snprintf(ref, sizeof ref, "post:%d", i / 3);
        const char *m = who[i % 3];
        int64_t ts = T + i * HOUR;
        switch (i % 7) {
        case 0: OK(rec(c, PLAUDIT_EVENT_KUDOS, ts, m, who[(i + 1) % 3], 0, NULL, id, NULL)); break;
        case 3: OK(rec(c, PLAUDIT_EVENT_ADJUST, ts, m, NULL, 2, "bug report", id, ref)); break;
        case 5:
            if (i % 2) {
                /* the ref of the action just before (i - 1: a plain action) */
                snprintf(ref, sizeof ref, "post:%d", (i - 1) / 3);
                OK(plaudit_record_revoke(c, ts, NULL, ref, "removed", id, NULL));
            }
            else OK(rec(c, PLAUDIT_EVENT_ACTION, ts, m, "answer", 0, NULL, id, NULL));
            break;
        case 6: {
            if (!redeem) {
                OK(rec(c, PLAUDIT_EVENT_ACTION, ts, m, "answer", 0, NULL, id, NULL));
                break;
            }
            int rc = rec(c, PLAUDIT_EVENT_REDEEM, ts, m, "mug", 0, NULL, id, NULL);
            assert_true(rc == PLAUDIT_OK || rc == PLAUDIT_EFUNDS);
            break;
        }
        default: OK(rec(c, PLAUDIT_EVENT_ACTION, ts, m, "answer", 0, NULL, id, ref)); break;
        }
    }
}

static void digest_unchanged(void **state)
{
    (void)state;
    plaudit_ctx *a = hctx(0), *b = hctx(4);
    program(a, 10);
    program(b, 10);
    workload(a, 0, 60, 1);
    workload(b, 0, 60, 1);
    assert_true(plaudit_state_digest(a) == plaudit_state_digest(b));
    char *sa = NULL, *sb = NULL;
    OK(plaudit_state_export(a, &sa, NULL));
    OK(plaudit_state_export(b, &sb, NULL));
    assert_string_equal(sa, sb);
    plaudit_free(a, sa);
    plaudit_free(b, sb);
    plaudit_ctx_free(a);
    plaudit_ctx_free(b);
}

/* ---- the reorder window: entries at release, in release order ------------------- */

static void reorder_window(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(100);
    program(c, 10);
    OK(plaudit_program_set_reorder_window(c, 60));
    assert_int_equal(rec(c, PLAUDIT_EVENT_ACTION, T + 30, "hugo", "answer", 0, NULL, "late", NULL), PLAUDIT_HELD);
    assert_int_equal(rec(c, PLAUDIT_EVENT_ADJUST, T + 10, "hugo", NULL, 1, "early", NULL, NULL), PLAUDIT_HELD);
    /* held: nothing yet (the member does not even exist) */
    plaudit_history_entry e[128];
    size_t n;
    assert_int_equal(plaudit_member_history(c, "hugo", 0, 10, e, &n, NULL), PLAUDIT_ENOTFOUND);
    /* H = T + 75 releases the adjust (T + 10 <= T + 15) only */
    assert_int_equal(rec(c, PLAUDIT_EVENT_ACTION, T + 75, "ivan", "zero", 0, NULL, NULL, NULL), PLAUDIT_HELD);
    OK(plaudit_member_history(c, "hugo", 0, 10, e, &n, NULL));
    assert_int_equal(n, 1);
    CAUSE(e[0], PLAUDIT_SOURCE_ADJUST, "early", 1, 1);
    OK(plaudit_flush(c));
    OK(plaudit_member_history(c, "hugo", 0, 10, e, &n, NULL));
    assert_int_equal(n, 3); /* the action and its badge's bonus, released after */
    CAUSE(e[1], PLAUDIT_SOURCE_ACTION, "answer", 10, 10);
    assert_string_equal(e[1].event_id, "late");
    assert_int_equal(e[2].seq, 1);
    assert_int_equal(e[2].ts, T + 10);
    plaudit_ctx_free(c);
}

/* ---- recovery and retroactive replay --------------------------------------------- */

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/plaudit-history-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static plaudit_ctx *attach(const char *dir, size_t per_member, int64_t answer_points, int keep)
{
    plaudit_ctx *c = hctx(per_member);
    program(c, answer_points);
    plaudit_store st;
    OK(plaudit_file_store_open(c, &st, dir, PLAUDIT_FILE_STORE_CREATE, 0));
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.sync = PLAUDIT_SYNC_NEVER;
    so.keep_journal = keep;
    int rc = plaudit_store_attach(c, &st, &so);
    if (rc) fail_msg("attach: %s", plaudit_errmsg(c));
    return c;
}

static char *dump_all(plaudit_ctx *c)
{
    static const char *const who[] = {"alice", "bob", "carol"};
    size_t cap = 1 << 18, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i < 3; i++) {
        char *d = dump(c, who[i], 7);
        size_t k = strlen(d);
        assert_true(len + k + 1 < cap);
        memcpy(s + len, d, k + 1);
        len += k;
        free(d);
    }
    return s;
}

static void recovery_equals_uninterrupted(void **state)
{
    (void)state;
    /* the uninterrupted run */
    plaudit_ctx *u = hctx(6);
    program(u, 10);
    workload(u, 0, 80, 1);
    char *want = dump_all(u);
    uint64_t dig = plaudit_state_digest(u);

    char *dir = tmpdir();
    plaudit_ctx *c = attach(dir, 6, 10, 0);
    workload(c, 0, 40, 1);
    OK(plaudit_store_snapshot(c)); /* compacts: the history before it is in the snapshot only */
    workload(c, 40, 80, 1);
    plaudit_ctx_free(c);

    c = attach(dir, 6, 10, 0);
    plaudit_recovery r;
    OK(plaudit_store_recovery_get(c, &r));
    assert_int_equal(r.snapshot, 1);
    assert_true(r.replayed > 0);
    char *got = dump_all(c);
    assert_string_equal(got, want);
    assert_true(plaudit_state_digest(c) == dig);
    free(got);
    /* a snapshot taken with history recovers into a context without it,
     * and into one keeping fewer entries (the newest) */
    OK(plaudit_store_snapshot(c));
    plaudit_ctx_free(c);
    c = attach(dir, 0, 10, 0);
    assert_true(plaudit_state_digest(c) == dig);
    plaudit_ctx_free(c);
    c = attach(dir, 2, 10, 0);
    assert_true(plaudit_state_digest(c) == dig);
    assert_int_equal(kept_of(c, "alice"), 2);
    plaudit_history_entry e[8], w[8];
    size_t n, nw;
    OK(plaudit_member_history(c, "alice", 0, 2, e, &n, NULL));
    assert_int_equal(n, 2);
    char *e0 = strdup(e[0].event_id ? e[0].event_id : "-");
    uint64_t s0 = e[0].seq;
    OK(plaudit_member_history(u, "alice", 0, 1, w, &nw, NULL));
    assert_int_equal(s0, w[0].seq);
    assert_string_equal(e0, w[0].event_id ? w[0].event_id : "-");
    free(e0);
    assert_int_equal(total_of(c, "alice"), total_of(u, "alice"));
    plaudit_ctx_free(c);
    rmtree(dir);
    free(dir);
    free(want);
    plaudit_ctx_free(u);
}

static void retroactive_recomputes(void **state)
{
    (void)state;
    char *dir = tmpdir();
    plaudit_ctx *c = attach(dir, 50, 10, 1);
    workload(c, 0, 30, 0);
    OK(plaudit_store_snapshot(c));
    workload(c, 30, 40, 0);
    plaudit_ctx_free(c);
    /* the program changed: answers are worth 25; the history is that of
     * the new rules from the first event */
    c = attach(dir, 50, 25, 1);
    plaudit_recovery r;
    OK(plaudit_store_recovery_get(c, &r));
    assert_int_equal(r.retroactive, 1);
    plaudit_ctx *u = hctx(50);
    program(u, 25);
    workload(u, 0, 40, 0);
    char *want = dump_all(u), *got = dump_all(c);
    assert_string_equal(got, want);
    assert_non_null(strstr(got, " 25 25 0 answer "));
    assert_null(strstr(got, " 10 10 0 answer "));
    free(want);
    free(got);
    plaudit_ctx_free(u);
    plaudit_ctx_free(c);
    rmtree(dir);
    free(dir);
}

/* ---- a program event: the entries keep their causes ------------------------------- */

static void across_program_event(void **state)
{
    (void)state;
    if (!plaudit_has_json()) {
        print_message("(skipped: built without JSON)\n");
        return;
    }
    plaudit_ctx *c = hctx(10);
    program(c, 10);
    OK(rec(c, PLAUDIT_EVENT_ACTION, T, "alice", "answer", 0, NULL, "a1", NULL));
    OK(rec(c, PLAUDIT_EVENT_KUDOS, T + 1, "bob", "alice", 0, NULL, NULL, NULL));
    /* the new program has no "answer" and no badge "first" */
    static const char doc[] = "{\"format\": \"plaudit.program/2\", \"actions\": [{\"id\": \"reply\", \"points\": 3}],"
                              " \"kudos\": {\"points\": 1}}";
    plaudit_outcome o;
    if (plaudit_program_update(c, T + 2, doc, NULL, &o) != PLAUDIT_OK) fail_msg("update: %s", plaudit_errmsg(c));
    OK(rec(c, PLAUDIT_EVENT_ACTION, T + 3, "alice", "reply", 0, NULL, NULL, NULL));
    char *d = dump(c, "alice", 2);
    assert_non_null(strstr(d, "4 1767614403 3 3 0 reply action"));
    assert_non_null(strstr(d, "3 1767614401 3 3 2 bob kudos"));
    assert_non_null(strstr(d, "2 1767614400 5 5 1 first action a1"));
    assert_non_null(strstr(d, "1 1767614400 10 10 0 answer action a1"));
    free(d);
    plaudit_ctx_free(c);
}

/* ---- bad input --------------------------------------------------------------------- */

static void bad_input(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(10);
    program(c, 10);
    ACT(c, T, "alice", "answer");
    plaudit_history_entry e[128];
    size_t n;
    uint64_t next;
    assert_int_equal(plaudit_member_history(NULL, "alice", 0, 1, e, &n, &next), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_member_history(c, NULL, 0, 1, e, &n, &next), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_member_history(c, "alice", 0, 1, NULL, &n, &next), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_member_history(c, "alice", 0, 1, e, NULL, &next), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_member_history(c, "nobody", 0, 1, e, &n, &next), PLAUDIT_ENOTFOUND);
    assert_non_null(strstr(plaudit_errmsg(c), "nobody"));
    assert_int_equal(plaudit_member_history(c, "bad \xff", 0, 1, e, &n, &next), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_member_history(c, "alice", 0, 0, e, &n, &next), PLAUDIT_ERANGE);
    assert_int_equal(plaudit_member_history_count(NULL, "alice", NULL, NULL), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_member_history_count(c, "nobody", NULL, NULL), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_history_info_get(NULL, NULL), PLAUDIT_EINVAL);
    assert_int_equal(plaudit_history_info_get(c, NULL), PLAUDIT_EINVAL);
    /* next may be NULL */
    OK(plaudit_member_history(c, "alice", 0, 1, e, &n, NULL));
    assert_int_equal(n, 1);
    plaudit_ctx_free(c);
}

/* A query from inside a listener sees the event's entries. */
static size_t seen_in_listener;
static void on_points(const plaudit_moment *m, void *payload)
{
    plaudit_ctx *c = payload;
    plaudit_history_entry e[128];
    size_t n = 0;
    if (plaudit_member_history(c, m->member, 0, 10, e, &n, NULL) == PLAUDIT_OK) seen_in_listener = n;
}

static void from_listener(void **state)
{
    (void)state;
    plaudit_ctx *c = hctx(10);
    program(c, 10);
    plaudit_listener l = PLAUDIT_LISTENER_INIT;
    l.on_points = on_points;
    l.payload = c;
    OK(plaudit_listener_set(c, &l));
    ACT(c, T, "alice", "answer");
    assert_int_equal(seen_in_listener, 2);
    plaudit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_cause),
        cmocka_unit_test(nothing_changed),
        cmocka_unit_test(rejected_adds_nothing),
        cmocka_unit_test(paging),
        cmocka_unit_test(bound_drops_oldest),
        cmocka_unit_test(none_by_default),
        cmocka_unit_test(keep_all),
        cmocka_unit_test(digest_unchanged),
        cmocka_unit_test(reorder_window),
        cmocka_unit_test(recovery_equals_uninterrupted),
        cmocka_unit_test(retroactive_recomputes),
        cmocka_unit_test(across_program_event),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(from_listener),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
