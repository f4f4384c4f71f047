/* test-window.c - the reorder window (spec section 6) and the outbox
 * (section 8) through the public API: release order (equal ts by
 * arrival), an event exactly at H - W and one older, malformed lines
 * unheld, invalid lines held and rejected at release, ticks releasing,
 * flush, duplicates and conflicts found at release, on_outcome, the
 * program key; moment sequence numbers, acknowledgement, a full outbox;
 * with the in-memory store: every store call failed and every allocation
 * failed in turn during a workload of held events and releases (a failed
 * call changes nothing, nothing is lost), a child killed at every store
 * call (recovery gives the state and held set of the uninterrupted run),
 * and redelivery of the outbox after recovery. */
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

#define T 1767225600LL /* 2026-01-01 00:00 UTC */

static const char program[] =
    "{\"format\":\"plaudit.program/2\",\"name\":\"w\",\"reorder_window_s\":120,"
    "\"actions\":[{\"id\":\"post\",\"points\":10},{\"id\":\"answer\",\"points\":15,"
    "\"cap\":{\"points\":40,\"per\":\"day\"}}],"
    "\"tiers\":[{\"id\":\"bronze\",\"min_points\":20}],"
    "\"badges\":[{\"id\":\"first\",\"when\":{\"action\":\"post\",\"count\":1}}],"
    "\"leaderboards\":[{\"id\":\"all\",\"period\":\"all\"},{\"id\":\"daily\",\"period\":\"day\"}],"
    "\"kudos\":{\"points\":5},\"rewards\":[{\"id\":\"mug\",\"cost\":20,\"stock\":2}]}";

static plaudit_ctx *wctx(const plaudit_options *o)
{
    plaudit_ctx *ctx = NULL;
    assert_int_equal(plaudit_ctx_new(&ctx, o), PLAUDIT_OK);
    int rc = plaudit_program_load_json(ctx, program, strlen(program));
    if (rc) print_message("%s\n", plaudit_errmsg(ctx));
    assert_int_equal(rc, PLAUDIT_OK);
    return ctx;
}

/* Released outcomes seen by on_outcome. */
typedef struct seen {
    size_t n;
    uint64_t arrival[64];
    int status[64], code[64];
    int64_t ts[64];
    char member[64][16];
    int moments;
} seen;

static void on_outcome(const plaudit_event *ev, const plaudit_outcome *o, void *p)
{
    seen *s = p;
    assert_true(s->n < 64);
    s->arrival[s->n] = o->arrival;
    s->status[s->n] = (int)o->status;
    s->code[s->n] = o->code;
    s->ts[s->n] = ev->ts;
    snprintf(s->member[s->n], sizeof s->member[0], "%s", ev->member ? ev->member : "");
    s->n++;
}

static void on_moment(const plaudit_moment *m, void *p)
{
    (void)m;
    ((seen *)p)->moments++;
}

static void listen(plaudit_ctx *ctx, seen *s)
{
    memset(s, 0, sizeof *s);
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_outcome = on_outcome;
    L.on_points = on_moment;
    L.payload = s;
    assert_int_equal(plaudit_listener_set(ctx, &L), PLAUDIT_OK);
}

static int line(plaudit_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int line(plaudit_ctx *ctx, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return plaudit_record_json(ctx, buf, strlen(buf), NULL);
}

static plaudit_window_info winfo(plaudit_ctx *ctx)
{
    plaudit_window_info w;
    assert_int_equal(plaudit_window_info_get(ctx, &w), PLAUDIT_OK);
    return w;
}

static int64_t points(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info mi;
    if (plaudit_member_get(ctx, m, &mi)) return -1;
    return mi.points;
}

/* ---- the window's rules ------------------------------------------------------------ */

static void test_release_order(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T + 10, "alice", "post", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(o.status, PLAUDIT_HELD_EVENT);
    assert_int_equal(o.arrival, 1);
    assert_int_equal(plaudit_record_action(ctx, T + 10, "bob", "post", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_kudos(ctx, T + 10, "carol", "alice", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 5, "carol", "post", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(o.arrival, 4);
    plaudit_window_info w = winfo(ctx);
    assert_int_equal(w.window_s, 120);
    assert_int_equal(w.held, 4);
    assert_int_equal(w.high_water, T + 10);
    assert_int_equal(w.oldest_ts, T + 5);
    assert_int_equal(s.n, 0);
    assert_int_equal(plaudit_clock(ctx), -1); /* nothing accepted yet */
    /* H = T + 130 releases everything at or before T + 10, in ts order,
     * equal ts by arrival: carol's post (T+5, 4th), then 1, 2, 3. */
    assert_int_equal(plaudit_record_action(ctx, T + 130, "dave", "post", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(s.n, 4);
    const uint64_t want[] = {4, 1, 2, 3};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s.arrival[i], want[i]);
        assert_int_equal(s.status[i], PLAUDIT_ACCEPTED);
    }
    assert_int_equal(points(ctx, "alice"), 15);
    assert_int_equal(points(ctx, "carol"), 10);
    assert_int_equal(plaudit_clock(ctx), T + 10);
    assert_int_equal(winfo(ctx).held, 1);
    assert_int_equal(s.moments, 4 + 0); /* points moments: three posts, one kudos; via on_points */
    plaudit_ctx_free(ctx);
}

static void test_boundary(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T + 1000, "alice", "post", NULL, &o), PLAUDIT_HELD);
    /* Exactly H - W: released at once, its outcome is the call's. */
    assert_int_equal(plaudit_record_action(ctx, T + 880, "bob", "post", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.status, PLAUDIT_ACCEPTED);
    assert_int_equal(o.arrival, 2);
    assert_int_equal(o.points, 10);
    assert_int_equal(o.n_moments, 2);     /* points and the badge */
    assert_true(o.moments[0].seq >= 1);
    /* One second older, and older than bob's last time: at once, rejected. */
    assert_int_equal(plaudit_record_action(ctx, T + 879, "bob", "post", NULL, &o), PLAUDIT_ETIME);
    assert_int_equal(o.status, PLAUDIT_REJECTED);
    /* Older still, but a new member: accepted although the clock is later. */
    assert_int_equal(plaudit_record_action(ctx, T + 850, "carol", "post", NULL, &o), PLAUDIT_OK);
    assert_int_equal(winfo(ctx).held, 1);
    assert_int_equal(winfo(ctx).high_water, T + 1000);
    assert_int_equal(s.n, 0); /* decided in their own calls: not on_outcome */
    /* One second above H - W stays held. */
    assert_int_equal(plaudit_record_action(ctx, T + 881, "dave", "post", NULL, &o), PLAUDIT_HELD);
    assert_int_equal(winfo(ctx).held, 2);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.arrival[0], 5); /* dave T+881 before alice T+1000 */
    assert_int_equal(s.arrival[1], 1);
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.accepted, 4);
    assert_int_equal(st.rejected, 1);
    plaudit_ctx_free(ctx);
}

static void test_lines(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    assert_int_equal(line(ctx, "{\"ts\":%lld,\"member\":\"alice\",\"action\":\"post\"}", T), PLAUDIT_HELD);
    uint64_t d = plaudit_state_digest(ctx);
    /* Malformed, and no ts: rejected at once, unheld, H unchanged. */
    assert_int_equal(line(ctx, "{\"ts\":%lld,\"member\":", T + 500), PLAUDIT_EPARSE);
    assert_int_equal(line(ctx, "{\"member\":\"alice\",\"action\":\"post\"}"), PLAUDIT_EPARSE);
    assert_int_equal(line(ctx, "{\"ts\":\"%lld\",\"member\":\"a\",\"action\":\"post\"}", T + 500), PLAUDIT_EPARSE);
    assert_int_equal(line(ctx, "[1,2]"), PLAUDIT_EPARSE);
    assert_int_equal(line(ctx, "{\"ts\":%lld,\"ts\":1}", T + 500), PLAUDIT_EPARSE); /* repeated key */
    assert_int_equal(line(ctx, "   "), PLAUDIT_ENOTFOUND);
    assert_int_equal(plaudit_state_digest(ctx), d);
    assert_int_equal(winfo(ctx).held, 1);
    assert_int_equal(winfo(ctx).high_water, T);
    /* A JSON object with a valid ts but an unknown key: held (it raises
     * H), rejected at release with its own code and message. */
    assert_int_equal(line(ctx, "{\"ts\":%lld,\"member\":\"bob\",\"action\":\"post\",\"colour\":1}", T + 60),
                     PLAUDIT_HELD);
    assert_int_equal(winfo(ctx).high_water, T + 60);
    /* An invalid member id through the C API: held, rejected at release. */
    assert_int_equal(plaudit_record_action(ctx, T + 70, "bad\x01id", "post", NULL, NULL), PLAUDIT_HELD);
    /* ts out of range: at once. */
    assert_int_equal(plaudit_record_action(ctx, -1, "bob", "post", NULL, NULL), PLAUDIT_ERANGE);
    assert_int_equal(line(ctx, "{\"ts\":-5,\"type\":\"tick\"}"), PLAUDIT_ERANGE);
    assert_int_equal(winfo(ctx).held, 3);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.status[0], PLAUDIT_ACCEPTED);
    assert_int_equal(s.status[1], PLAUDIT_REJECTED);
    assert_int_equal(s.code[1], PLAUDIT_EPARSE);
    assert_int_equal(s.ts[1], T + 60);
    assert_int_equal(s.status[2], PLAUDIT_REJECTED);
    assert_int_equal(s.code[2], PLAUDIT_ESTRING);
    assert_null(plaudit_member_get(ctx, "bob", &(plaudit_member_info){0}) == PLAUDIT_OK ? "bob" : NULL);
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.accepted, 1);
    assert_int_equal(st.rejected, 9);
    plaudit_ctx_free(ctx);
}

static void test_ticks_and_flush(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    assert_int_equal(plaudit_record_action(ctx, T, "alice", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 30, "bob", "post", NULL, NULL), PLAUDIT_HELD);
    /* A tick is held like any event, and releases what is due. */
    assert_int_equal(plaudit_record_tick(ctx, T + 140, NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.arrival[0], 1);
    assert_int_equal(winfo(ctx).held, 2);
    assert_int_equal(plaudit_record_tick(ctx, T + 260, NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(s.n, 3); /* bob, then the first tick */
    assert_int_equal(s.arrival[1], 2);
    assert_int_equal(s.arrival[2], 3);
    assert_int_equal(plaudit_clock(ctx), T + 140);
    /* A tick older than the clock arriving at once is rejected as usual. */
    assert_int_equal(plaudit_record_tick(ctx, T + 100, NULL, NULL), PLAUDIT_ETIME);
    /* Flush: the rest in order; nothing held afterwards; again: nothing. */
    assert_int_equal(plaudit_record_action(ctx, T + 200, "carol", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.arrival[3], 6); /* carol T+200 before the tick at T+260 */
    assert_int_equal(s.arrival[4], 4);
    assert_int_equal(winfo(ctx).held, 0);
    assert_int_equal(winfo(ctx).oldest_ts, -1);
    assert_int_equal(plaudit_clock(ctx), T + 260);
    uint64_t d = plaudit_state_digest(ctx);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(plaudit_state_digest(ctx), d);
    /* After a flush H stays: an event older than H - W is released at once. */
    assert_int_equal(plaudit_record_action(ctx, T + 10, "dave", "post", NULL, NULL), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
}

static void test_duplicates_at_release(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    /* The same id twice, same content: both held; at release the first is
     * accepted and the second is a duplicate. */
    assert_int_equal(plaudit_record_action(ctx, T, "alice", "post", "e1", NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T, "alice", "post", "e1", NULL), PLAUDIT_HELD);
    /* The same id, other content, earlier ts: released first, so it is the
     * one accepted and the two above conflict. */
    assert_int_equal(plaudit_record_action(ctx, T - 5, "bob", "post", "e2", NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 1, "carol", "post", "e2", NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.arrival[0], 3);
    assert_int_equal(s.status[0], PLAUDIT_ACCEPTED);
    assert_int_equal(s.status[1], PLAUDIT_ACCEPTED);
    assert_int_equal(s.status[2], PLAUDIT_DUPLICATE_EVENT);
    assert_int_equal(s.status[3], PLAUDIT_REJECTED);
    assert_int_equal(s.code[3], PLAUDIT_ECONFLICT);
    assert_int_equal(points(ctx, "alice"), 10);
    assert_int_equal(points(ctx, "carol"), -1);
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    assert_int_equal(st.accepted, 2);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.rejected, 1);
    plaudit_ctx_free(ctx);
}

static int reentered;
static void reenter(const plaudit_event *ev, const plaudit_outcome *o, void *p)
{
    (void)ev;
    (void)o;
    plaudit_ctx *ctx = p;
    reentered = plaudit_record_action(ctx, T + 500, "x", "post", NULL, NULL);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_ESTATE);
    plaudit_window_info w;
    assert_int_equal(plaudit_window_info_get(ctx, &w), PLAUDIT_OK);
}

static void test_listener_and_batch(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    plaudit_listener L = PLAUDIT_LISTENER_INIT;
    L.on_outcome = reenter;
    L.payload = ctx;
    assert_int_equal(plaudit_listener_set(ctx, &L), PLAUDIT_OK);
    plaudit_event ev[3] = {PLAUDIT_EVENT_INIT, PLAUDIT_EVENT_INIT, PLAUDIT_EVENT_INIT};
    ev[0].ts = T;
    ev[0].member = "alice";
    ev[0].target = "post";
    ev[1] = ev[0];
    ev[1].ts = T + 200;
    ev[2] = ev[0];
    ev[2].ts = T - 100; /* older than H - W after ev[1]: at once */
    int codes[3];
    size_t done;
    assert_int_equal(plaudit_record_batch(ctx, ev, 3, codes, &done), PLAUDIT_OK);
    assert_int_equal(done, 3);
    assert_int_equal(codes[0], PLAUDIT_HELD);
    assert_int_equal(codes[1], PLAUDIT_HELD);
    assert_int_equal(codes[2], PLAUDIT_ETIME); /* alice's last time is T */
    assert_int_equal(reentered, PLAUDIT_ESTATE);
    /* A version 1 listener (no on_outcome) is still accepted. */
    plaudit_listener L1 = PLAUDIT_LISTENER_INIT;
    L1.version = 1;
    assert_int_equal(plaudit_listener_set(ctx, &L1), PLAUDIT_OK);
    L1.version = PLAUDIT_LISTENER_VERSION + 1;
    assert_int_equal(plaudit_listener_set(ctx, &L1), PLAUDIT_EVERSION);
    plaudit_ctx_free(ctx);
}

static void test_program_key(void **state)
{
    (void)state;
    plaudit_ctx *ctx;
    const char *bad[] = {
        "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":-1}",
        "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":86401}",
        "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":1.5}",
        "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":\"60\"}",
        "{\"format\":\"plaudit.program/1\",\"reorder_window_s\":60}",
    };
    const int code[] = {PLAUDIT_ERANGE, PLAUDIT_ERANGE, PLAUDIT_EPARSE, PLAUDIT_EPARSE, PLAUDIT_EPARSE};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
        assert_int_equal(plaudit_program_load_json(ctx, bad[i], strlen(bad[i])), code[i]);
        assert_non_null(strstr(plaudit_errmsg(ctx), "reorder_window_s"));
        assert_int_equal(winfo(ctx).window_s, 0);
        plaudit_ctx_free(ctx);
    }
    const char *ok = "{\"format\":\"plaudit.program/2\",\"reorder_window_s\":86400,\"actions\":[]}";
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, ok, strlen(ok)), PLAUDIT_OK);
    assert_int_equal(winfo(ctx).window_s, 86400);
    char *doc;
    assert_int_equal(plaudit_program_export_json(ctx, &doc, NULL), PLAUDIT_OK);
    assert_non_null(strstr(doc, "\"reorder_window_s\":86400"));
    plaudit_ctx *again;
    assert_int_equal(plaudit_ctx_new(&again, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(again, doc, strlen(doc)), PLAUDIT_OK);
    assert_int_equal(winfo(again).window_s, 86400);
    plaudit_free(ctx, doc);
    plaudit_ctx_free(again);
    assert_int_equal(plaudit_record_tick(ctx, T, NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_program_set_reorder_window(ctx, 5), PLAUDIT_ESTATE);
    plaudit_ctx_free(ctx);
    /* The C call: format 1 refuses a window; 0 is fine anywhere. */
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_reorder_window(ctx, 60), PLAUDIT_EVERSION);
    assert_int_equal(plaudit_program_set_reorder_window(ctx, 0), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(ctx, 2), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_reorder_window(ctx, 86401), PLAUDIT_ERANGE);
    assert_int_equal(plaudit_program_set_reorder_window(ctx, 60), PLAUDIT_OK);
    assert_int_equal(plaudit_program_set_format(ctx, 1), PLAUDIT_EVERSION);
    plaudit_ctx_free(ctx);
}

/* A program event inside the window is held and released like any event:
 * the events before its ts are processed under the old rules, those after
 * under the new ones, whatever order they arrived in. */
static void test_program_event_held(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    seen s;
    listen(ctx, &s);
    /* post: 10 -> 30, same window */
    char doc[1200];
    snprintf(doc, sizeof doc, "%s", program);
    char *at = strstr(doc, "\"points\":10}");
    assert_non_null(at);
    memcpy(at, "\"points\":30}", 12);
    char ln[1400];
    snprintf(ln, sizeof ln, "{\"ts\":%lld,\"type\":\"program\",\"program\":%s}", T + 50, doc);
    assert_int_equal(plaudit_record_json(ctx, ln, strlen(ln), NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 60, "bob", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 40, "alice", "post", NULL, NULL), PLAUDIT_HELD); /* late */
    /* Changing the window is refused: held, then rejected at release. */
    char *w = strstr(doc, "\"reorder_window_s\":120");
    assert_non_null(w);
    memcpy(w, "\"reorder_window_s\":121", 22);
    snprintf(ln, sizeof ln, "{\"ts\":%lld,\"type\":\"program\",\"program\":%s}", T + 70, doc);
    assert_int_equal(plaudit_record_json(ctx, ln, strlen(ln), NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.arrival[0], 3); /* alice T+40, then the program, bob, the refused program */
    assert_int_equal(s.arrival[1], 1);
    assert_int_equal(s.status[1], PLAUDIT_ACCEPTED);
    assert_int_equal(s.arrival[2], 2);
    assert_int_equal(s.status[3], PLAUDIT_REJECTED);
    assert_int_equal(points(ctx, "alice"), 10);
    assert_int_equal(points(ctx, "bob"), 30);
    plaudit_ctx_free(ctx);
}

/* W = 0 (format 2): nothing is ever held. */
static void test_no_window(void **state)
{
    (void)state;
    const char *p = "{\"format\":\"plaudit.program/2\",\"actions\":[{\"id\":\"post\",\"points\":10}]}";
    plaudit_ctx *ctx;
    assert_int_equal(plaudit_ctx_new(&ctx, NULL), PLAUDIT_OK);
    assert_int_equal(plaudit_program_load_json(ctx, p, strlen(p)), PLAUDIT_OK);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T + 10, "a", "post", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.arrival, 0);
    assert_int_equal(plaudit_record_action(ctx, T, "a", "post", NULL, &o), PLAUDIT_ETIME);
    assert_int_equal(winfo(ctx).held, 0);
    assert_int_equal(winfo(ctx).arrivals, 0);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    plaudit_ctx_free(ctx);
}

/* ---- the outbox without a store ---------------------------------------------------- */

static void test_outbox(void **state)
{
    (void)state;
    plaudit_ctx *ctx = wctx(NULL);
    const plaudit_moment *m;
    size_t n;
    assert_int_equal(plaudit_outbox_read(ctx, 0, 10, &m, &n), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_outbox_ack(ctx, 0), PLAUDIT_ESTATE);
    assert_int_equal(plaudit_outbox_enable(ctx, 4), PLAUDIT_OK);
    assert_int_equal(plaudit_outbox_enable(ctx, 4), PLAUDIT_ESTATE);
    /* alice: points + the badge; released later. */
    assert_int_equal(plaudit_record_action(ctx, T, "alice", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_outbox_read(ctx, 0, 10, &m, &n), PLAUDIT_OK);
    assert_int_equal(n, 0);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_adjust(ctx, T - 500, "bob", 7, "welcome", NULL, &o), PLAUDIT_OK);
    assert_int_equal(o.moments[0].seq, 1);
    assert_int_equal(plaudit_record_tick(ctx, T + 200, NULL, NULL), PLAUDIT_HELD); /* releases alice */
    assert_int_equal(plaudit_outbox_read(ctx, 0, 10, &m, &n), PLAUDIT_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m[i].seq, i + 1);
        assert_int_equal(m[i].redelivered, 0);
    }
    assert_string_equal(m[0].source_id, "welcome"); /* the reason is the outbox's copy */
    assert_string_equal(m[1].member, "alice");
    assert_int_equal(m[2].kind, PLAUDIT_MOMENT_BADGE);
    assert_int_equal(plaudit_outbox_read(ctx, 2, 10, &m, &n), PLAUDIT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].seq, 3);
    assert_int_equal(plaudit_outbox_read(ctx, 0, 2, &m, &n), PLAUDIT_OK);
    assert_int_equal(n, 2);
    /* Acknowledge up to 1; past the last is refused; earlier is nothing. */
    assert_int_equal(plaudit_outbox_ack(ctx, 4), PLAUDIT_ERANGE);
    assert_int_equal(plaudit_outbox_ack(ctx, 1), PLAUDIT_OK);
    assert_int_equal(plaudit_outbox_ack(ctx, 0), PLAUDIT_OK);
    plaudit_outbox_info oi;
    assert_int_equal(plaudit_outbox_info_get(ctx, &oi), PLAUDIT_OK);
    assert_int_equal(oi.pending, 2);
    assert_int_equal(oi.acked, 1);
    assert_int_equal(oi.last_seq, 3);
    assert_true(oi.bytes >= 2 * sizeof(plaudit_moment));
    /* Full: 4 pending refuse the next arrival; nothing changes. */
    assert_int_equal(plaudit_record_action(ctx, T + 300, "carol", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK); /* carol: 2 moments, 4 pending */
    uint64_t d = plaudit_state_digest(ctx);
    plaudit_window_info w0 = winfo(ctx);
    assert_int_equal(plaudit_record_action(ctx, T + 400, "dave", "post", NULL, &o), PLAUDIT_ELIMIT);
    assert_non_null(strstr(plaudit_errmsg(ctx), "outbox is full"));
    assert_int_equal(plaudit_state_digest(ctx), d);
    assert_int_equal(winfo(ctx).arrivals, w0.arrivals);
    assert_int_equal(plaudit_outbox_info_get(ctx, &oi), PLAUDIT_OK);
    assert_int_equal(oi.refused, 1);
    assert_int_equal(plaudit_outbox_ack(ctx, 3), PLAUDIT_OK);
    assert_int_equal(plaudit_record_action(ctx, T + 400, "dave", "post", NULL, &o), PLAUDIT_HELD);
    plaudit_ctx_free(ctx);
}

/* Sequence numbers without the outbox, and with a format 1 program. */
static void test_seq_without_outbox(void **state)
{
    (void)state;
    plaudit_ctx *ctx = new_ctx(NULL, 0);
    plaudit_outcome o;
    assert_int_equal(plaudit_record_action(ctx, T0_FOR_TESTS, "a", "post", NULL, &o), PLAUDIT_OK);
    assert_true(o.n_moments >= 1);
    assert_int_equal(o.moments[0].seq, 1);
    assert_int_equal(plaudit_record_action(ctx, T0_FOR_TESTS + 1, "a", "post", NULL, &o), PLAUDIT_OK);
    assert_true(o.moments[0].seq >= 2);
    plaudit_outbox_info oi;
    assert_int_equal(plaudit_outbox_info_get(ctx, &oi), PLAUDIT_OK);
    assert_int_equal(oi.enabled, 0);
    assert_int_equal(oi.last_seq, o.moments[o.n_moments - 1].seq);
    assert_int_equal(plaudit_outbox_enable(ctx, 0), PLAUDIT_ESTATE); /* after the first event */
    plaudit_ctx_free(ctx);
}

/* ---- with a store ---------------------------------------------------------------------- */

/* A workload of lines: events (held, released at once, late, invalid,
 * duplicates, conflicts, ticks), "F" (flush) and "S" (snapshot). */
static const char *const wl[] = {
    "{\"ts\":1767225600,\"member\":\"alice\",\"action\":\"post\",\"id\":\"p1\"}",
    "{\"ts\":1767225700,\"type\":\"kudos\",\"from\":\"bob\",\"to\":\"alice\"}",
    "{\"ts\":1767225650,\"member\":\"alice\",\"action\":\"answer\",\"id\":\"a1\"}",
    "{\"ts\":1767225600,\"member\":\"alice\",\"action\":\"post\",\"id\":\"p1\"}",
    "{\"ts\":1767225800,\"member\":\"bob\",\"action\":\"post\"}",
    "S",
    "{\"ts\":1767225810,\"member\":\"bob\",\"action\":\"post\",\"colour\":3}",
    "{\"ts\":1767226000,\"member\":\"carol\",\"action\":\"post\",\"id\":\"c1\"}",
    "{\"ts\":1767225750,\"member\":\"bob\",\"action\":\"post\"}",
    "{\"ts\":1767225760,\"member\":\"dave\",\"action\":\"answer\",\"id\":\"a1\"}",
    "{\"ts\":1767226050,\"type\":\"kudos\",\"from\":\"alice\",\"to\":\"carol\"}",
    "{\"ts\":1767226060,\"member\":",
    "{\"ts\":1767226100,\"type\":\"redeem\",\"member\":\"alice\",\"reward\":\"mug\"}",
    "{\"ts\":1767226000,\"member\":\"carol\",\"action\":\"post\",\"id\":\"c1\"}",
    "{\"ts\":1767226200,\"type\":\"tick\"}",
    "S",
    "{\"ts\":1767226300,\"type\":\"adjust\",\"member\":\"erin\",\"points\":30,\"reason\":\"hello\"}",
    "{\"ts\":1767226250,\"member\":\"erin\",\"action\":\"post\"}",
    "P",
    "{\"ts\":1767226360,\"member\":\"erin\",\"action\":\"post\"}",
    "F",
    "{\"ts\":1767226400,\"member\":\"frank\",\"action\":\"post\",\"id\":\"f1\"}",
    "{\"ts\":1767226500,\"type\":\"redeem\",\"member\":\"erin\",\"reward\":\"mug\"}",
    "{\"ts\":1767226300,\"member\":\"frank\",\"action\":\"post\",\"id\":\"f1\"}",
    "{\"ts\":1767226700,\"type\":\"tick\"}",
};
#define NWL (sizeof wl / sizeof *wl)

/* "P": a program event at 1767226350 (posts earn 12 from then on). */
static int program_line(plaudit_ctx *ctx)
{
    char doc[1200], ln[1400];
    snprintf(doc, sizeof doc, "%s", program);
    char *at = strstr(doc, "\"points\":10}");
    assert_non_null(at);
    memcpy(at, "\"points\":12}", 12);
    snprintf(ln, sizeof ln, "{\"ts\":1767226350,\"type\":\"program\",\"program\":%s}", doc);
    return plaudit_record_json(ctx, ln, strlen(ln), NULL);
}

static int wl_step(plaudit_ctx *ctx, size_t i)
{
    if (!strcmp(wl[i], "S")) return plaudit_store_snapshot(ctx);
    if (!strcmp(wl[i], "F")) return plaudit_flush(ctx);
    if (!strcmp(wl[i], "P")) return program_line(ctx);
    return plaudit_record_json(ctx, wl[i], strlen(wl[i]), NULL);
}

static uint64_t ref_d[NWL + 2];
static uint64_t ref_held[NWL + 1];
static int ref_rc[NWL];

/* Without a store (snapshots skipped), then flushed: digests per step. */
static void wl_reference(void)
{
    plaudit_ctx *ctx = wctx(NULL);
    ref_d[0] = plaudit_state_digest(ctx);
    for (size_t i = 0; i < NWL; i++) {
        ref_rc[i] = strcmp(wl[i], "S") ? wl_step(ctx, i) : PLAUDIT_OK;
        ref_d[i + 1] = plaudit_state_digest(ctx);
        ref_held[i + 1] = winfo(ctx).held;
    }
    assert_true(ref_held[NWL] > 0);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    ref_d[NWL + 1] = plaudit_state_digest(ctx);
    /* 30 adjusted, a post at 10, one after the program event at 12 */
    assert_int_equal(points(ctx, "erin"), 52);
    plaudit_ctx_free(ctx);
}

static plaudit_ctx *wl_attached(memstore *m, const plaudit_options *o, int outbox)
{
    plaudit_ctx *ctx = wctx(o);
    if (outbox) assert_int_equal(plaudit_outbox_enable(ctx, 0), PLAUDIT_OK);
    plaudit_store s = mem_store(m);
    int rc = plaudit_store_attach(ctx, &s, NULL);
    if (rc) print_message("attach: %s\n", plaudit_errmsg(ctx));
    assert_int_equal(rc, PLAUDIT_OK);
    return ctx;
}

static uint64_t recovered(memstore *m)
{
    plaudit_ctx *ctx = wl_attached(m, NULL, 0);
    uint64_t d = plaudit_state_digest(ctx);
    plaudit_ctx_free(ctx);
    return d;
}

static void test_store_roundtrip(void **state)
{
    (void)state;
    wl_reference();
    memstore *m = mem_new();
    plaudit_ctx *ctx = wl_attached(m, NULL, 0);
    for (size_t i = 0; i < NWL; i++) {
        int rc = wl_step(ctx, i);
        assert_int_equal(rc, ref_rc[i]);
        assert_true(plaudit_state_digest(ctx) == ref_d[i + 1]);
        /* recovery at every point gives the same state and held set */
        memstore *copy = mem_new();
        mem_copy(copy, m);
        plaudit_ctx *r = wl_attached(copy, NULL, 0);
        assert_true(plaudit_state_digest(r) == ref_d[i + 1]);
        assert_int_equal(winfo(r).held, ref_held[i + 1]);
        plaudit_ctx_free(r);
        mem_free(copy);
    }
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    assert_true(plaudit_state_digest(ctx) == ref_d[NWL + 1]);
    plaudit_ctx_free(ctx);
    assert_true(recovered(m) == ref_d[NWL + 1]);
    mem_free(m);
}

/* Every store call of the workload failed in turn: the failed call
 * changes nothing; retried, the run ends in the reference state. */
static void test_store_faults(void **state)
{
    (void)state;
    unsigned long points = 0;
    for (uint64_t k = 1;; k++) {
        memstore *m = mem_new();
        plaudit_ctx *ctx = wl_attached(m, NULL, 0);
        m->fail_at = m->calls + k;
        int hit = 0;
        for (size_t i = 0; i < NWL; i++) {
            uint64_t before = plaudit_state_digest(ctx);
            int rc = wl_step(ctx, i);
            if (rc != ref_rc[i] && m->calls >= m->fail_at && !hit) {
                hit = 1;
                points++;
                if (plaudit_state_digest(ctx) != before)
                    print_message("k=%llu step %zu rc %d (want %d): %s\n", (unsigned long long)k, i, rc, ref_rc[i],
                                  plaudit_errmsg(ctx));
                assert_true(plaudit_state_digest(ctx) == before);
                rc = wl_step(ctx, i); /* retried */
            }
            assert_int_equal(rc, ref_rc[i]);
            assert_true(plaudit_state_digest(ctx) == ref_d[i + 1]);
        }
        int more = m->calls >= m->fail_at;
        uint64_t before = plaudit_state_digest(ctx);
        if (plaudit_flush(ctx) != PLAUDIT_OK) {
            /* the flush's record failed: nothing released */
            points++;
            assert_true(plaudit_state_digest(ctx) == before);
            assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
            more = 1;
        }
        assert_true(plaudit_state_digest(ctx) == ref_d[NWL + 1]);
        plaudit_ctx_free(ctx);
        m->fail_at = 0;
        assert_true(recovered(m) == ref_d[NWL + 1]);
        mem_free(m);
        if (!more) break;
    }
    print_message("store faults: %lu calls failed in turn\n", points);
    assert_true(points > NWL);
}

/* Every allocation of the workload failed in turn.  A call that fails
 * changes nothing (it is retried); a release that fails leaves the event
 * held and ready, and a later call releases it: the end state is the
 * reference one, in memory and after recovery. */
static void test_alloc_faults(void **state)
{
    (void)state;
    unsigned long points = 0, stalls = 0;
    for (uint64_t k = 1;; k++) {
        falloc fa = {0};
        plaudit_options o = falloc_options(&fa);
        memstore *m = mem_new();
        plaudit_ctx *ctx = wl_attached(m, &o, 1);
        fa.fail_at = k;
        fa.armed = 1;
        for (size_t i = 0; i < NWL; i++) {
            uint64_t before = plaudit_state_digest(ctx);
            int was = fa.failed;
            int rc = wl_step(ctx, i);
            if (fa.failed && !was) {
                points++;
                if (rc == PLAUDIT_ENOMEM && !strcmp(wl[i], "F")) {
                    /* a flush is journaled first: what it released stays
                     * released, the rest is held and ready */
                    stalls++;
                    assert_true(winfo(ctx).ready > 0);
                    rc = wl_step(ctx, i);
                } else if (rc == PLAUDIT_ENOMEM) {
                    if (plaudit_state_digest(ctx) != before)
                        print_message("k=%llu step %zu: %s\n", (unsigned long long)k, i, plaudit_errmsg(ctx));
                    assert_true(plaudit_state_digest(ctx) == before);
                    rc = wl_step(ctx, i);
                } else if (winfo(ctx).ready) {
                    stalls++;
                }
            }
            if (rc != ref_rc[i]) {
                /* only a stalled release may change what a call returns */
                assert_true(rc == PLAUDIT_HELD || ref_rc[i] == PLAUDIT_HELD);
            }
        }
        int more = fa.failed;
        fa.armed = 0;
        assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
        assert_int_equal(winfo(ctx).ready, 0);
        assert_true(plaudit_state_digest(ctx) == ref_d[NWL + 1]);
        plaudit_ctx_free(ctx);
        assert_int_equal(fa.live, 0);
        assert_true(recovered(m) == ref_d[NWL + 1]);
        mem_free(m);
        if (!more) break;
    }
    print_message("allocation faults: %lu allocations failed in turn (%lu releases kept back)\n", points, stalls);
    assert_true(points > NWL);
}

/* A child killed at every store call of the workload: recovery gives the
 * state (held set included) before or after the step it died in, and the
 * rest of the workload ends in the reference state. */
static void test_crash(void **state)
{
    (void)state;
    unsigned long points = 0;
    memstore *m = mem_new();
    for (uint64_t k = 1;; k++) {
        memset(m, 0, sizeof *m);
        m->crash_at = k;
        m->cur_step = -1;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            plaudit_ctx *ctx = wctx(NULL);
            plaudit_store s = mem_store(m);
            if (plaudit_store_attach(ctx, &s, NULL)) _exit(3);
            for (size_t i = 0; i < NWL; i++) {
                m->cur_step = (int)i;
                wl_step(ctx, i);
            }
            m->cur_step = (int)NWL;
            if (plaudit_flush(ctx)) _exit(4);
            m->cur_step = (int)NWL + 1;
            plaudit_ctx_free(ctx);
            _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        /* killed at a store call (the fixture's crash) or ran to the end */
        assert_true((WIFEXITED(st) && WEXITSTATUS(st) == 0) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL));
        if (m->cur_step == (int)NWL + 1) break;
        points++;
        m->crash_at = 0;
        size_t cur = m->cur_step < 0 ? 0 : (size_t)m->cur_step;
        plaudit_ctx *ctx = wl_attached(m, NULL, 0);
        uint64_t d = plaudit_state_digest(ctx);
        size_t next = 0;
        if (d == ref_d[cur]) next = cur;
        else if (d == ref_d[cur + 1]) next = cur + 1;
        else fail_msg("crash k=%llu at step %zu: the state is neither before nor after", (unsigned long long)k, cur);
        for (size_t i = next; i < NWL; i++) wl_step(ctx, i);
        assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
        assert_true(plaudit_state_digest(ctx) == ref_d[NWL + 1]);
        plaudit_ctx_free(ctx);
        assert_true(recovered(m) == ref_d[NWL + 1]);
    }
    mem_free(m);
    print_message("crash simulation: %lu children killed at a store call\n", points);
    assert_true(points > NWL);
}

/* The outbox across recovery: what was acknowledged stays out, the rest
 * comes back with the same numbers and content, flagged redelivered. */
static void test_redelivery(void **state)
{
    (void)state;
    for (int no_ack = 0; no_ack < 2; no_ack++) {
        memstore *m = mem_new();
        m->no_ack = no_ack;
        plaudit_ctx *ctx = wl_attached(m, NULL, 1);
        char *want[64];
        uint64_t seqs[64];
        size_t nw = 0, acked = 0;
        for (size_t i = 0; i < NWL; i++) {
            wl_step(ctx, i);
            if (i == 9) {
                const plaudit_moment *mo;
                size_t n;
                assert_int_equal(plaudit_outbox_read(ctx, 0, 64, &mo, &n), PLAUDIT_OK);
                assert_true(n >= 2);
                acked = n / 2;
                assert_int_equal(plaudit_outbox_ack(ctx, mo[acked - 1].seq), PLAUDIT_OK);
                if (!no_ack) assert_int_equal(m->ack, mo[acked - 1].seq);
            }
        }
        const plaudit_moment *mo;
        size_t n;
        assert_int_equal(plaudit_outbox_read(ctx, 0, 64, &mo, &n), PLAUDIT_OK);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(mo[i].redelivered, 0);
            assert_int_equal(plaudit_moment_json(ctx, &mo[i], &want[nw], NULL), PLAUDIT_OK);
            seqs[nw++] = mo[i].seq;
        }
        plaudit_outbox_info oi;
        plaudit_outbox_info_get(ctx, &oi);
        uint64_t last = oi.last_seq;
        /* a crash: the context is gone without a word (its store is durable) */
        plaudit_store_detach(ctx);
        plaudit_ctx *r = wl_attached(m, NULL, 1);
        assert_int_equal(plaudit_outbox_read(r, 0, 64, &mo, &n), PLAUDIT_OK);
        plaudit_outbox_info_get(r, &oi);
        assert_int_equal(oi.last_seq, last);
        if (!no_ack) {
            assert_int_equal(n, nw);
            assert_int_equal(oi.redelivered, n);
        } else {
            assert_true(n >= nw); /* no durable position: the acknowledged ones come back too */
        }
        size_t off = n - nw;
        for (size_t i = 0; i < nw; i++) {
            assert_int_equal(mo[off + i].seq, seqs[i]);
            assert_int_equal(mo[off + i].redelivered, 1);
            char *js;
            assert_int_equal(plaudit_moment_json(r, &mo[off + i], &js, NULL), PLAUDIT_OK);
            /* the same moment, now flagged */
            size_t wl0 = strlen(want[i]);
            assert_memory_equal(js, want[i], wl0 - 1);
            assert_string_equal(js + wl0 - 1, ",\"redelivered\":true}");
            plaudit_free(r, js);
            plaudit_free(ctx, want[i]);
        }
        /* new moments continue the numbering */
        plaudit_outcome o;
        assert_int_equal(plaudit_record_adjust(r, T + 100000, "zed", 5, NULL, NULL, &o), PLAUDIT_HELD);
        assert_int_equal(plaudit_flush(r), PLAUDIT_OK);
        plaudit_outbox_info_get(r, &oi);
        assert_int_equal(oi.last_seq, last + 1);
        plaudit_ctx_free(r);
        plaudit_ctx_free(ctx);
        mem_free(m);
    }
}

/* The recovery report counts the arrival records (version 2 of the
 * struct); version 1 leaves the field alone. */
static void test_recovery_counts_arrivals(void **state)
{
    (void)state;
    memstore *m = mem_new();
    plaudit_ctx *ctx = wl_attached(m, NULL, 0);
    assert_int_equal(plaudit_record_action(ctx, T, "amy", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 10, "bob", "post", NULL, NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_record_action(ctx, T + 200, "amy", "post", NULL, NULL), PLAUDIT_HELD); /* releases 2 */
    const char *bad = "{\"ts\": 1767225900, \"member\": \"cy\", \"action\": \"nope\"}"; /* rejected at release */
    assert_int_equal(plaudit_record_json(ctx, bad, strlen(bad), NULL), PLAUDIT_HELD);
    assert_int_equal(plaudit_flush(ctx), PLAUDIT_OK);
    uint64_t d = plaudit_state_digest(ctx);
    plaudit_ctx_free(ctx);
    ctx = wl_attached(m, NULL, 0);
    assert_true(plaudit_state_digest(ctx) == d);
    plaudit_recovery r;
    memset(&r, 0, sizeof r);
    r.arrivals = 77;
    assert_int_equal(plaudit_store_recovery_get(ctx, &r), PLAUDIT_OK);
    assert_int_equal(r.arrivals, 77); /* version 1: not written */
    assert_int_equal(r.replayed, 5);   /* 4 arrivals and the flush */
    assert_int_equal(r.accepted + r.rejected + r.duplicates, 0);
    assert_int_equal(plaudit_store_recovery_get_version(ctx, &r, PLAUDIT_RECOVERY_VERSION), PLAUDIT_OK);
    assert_int_equal(r.arrivals, 4);
    assert_int_equal(r.records, 5);
    assert_int_equal(plaudit_store_recovery_get_version(ctx, &r, PLAUDIT_RECOVERY_VERSION + 1), PLAUDIT_EVERSION);
    assert_int_equal(plaudit_store_recovery_get_version(ctx, &r, 0), PLAUDIT_EVERSION);
    plaudit_ctx_free(ctx);
    mem_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_order),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_ticks_and_flush),
        cmocka_unit_test(test_duplicates_at_release),
        cmocka_unit_test(test_listener_and_batch),
        cmocka_unit_test(test_program_key),
        cmocka_unit_test(test_no_window),
        cmocka_unit_test(test_program_event_held),
        cmocka_unit_test(test_outbox),
        cmocka_unit_test(test_seq_without_outbox),
        cmocka_unit_test(test_store_roundtrip),
        cmocka_unit_test(test_store_faults),
        cmocka_unit_test(test_alloc_faults),
        cmocka_unit_test(test_crash),
        cmocka_unit_test(test_redelivery),
        cmocka_unit_test(test_recovery_counts_arrivals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
