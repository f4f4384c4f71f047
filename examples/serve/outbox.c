/* outbox.c - the outbox endpoints of `plaudit serve` (spec section 8):
 * GET /v1/outbox, POST /v1/outbox/ack, the moment stream (Server-Sent
 * Events that resume from Last-Event-ID) and POST /v1/flush (the reorder
 * window).  A notifier reads after the last seq it handled, delivers, and
 * acknowledges; every moment reaches it at least once across restarts of
 * either side, and its seq lets it drop repeats. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "serve.h"

static int parse_seq(const char *s, uint64_t *out)
{
    if (!s || !*s) return -1;
    uint64_t n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10) return -1;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *out = n;
    return 0;
}

/* The outbox's figures as the start of a JSON object (mutex held). */
static void info_json(engine *e, sbuf *b)
{
    plaudit_outbox_info oi;
    memset(&oi, 0, sizeof oi);
    plaudit_outbox_info_get(e->ctx, &oi);
    sb_printf(b,
              "{\"enabled\":%s,\"acked\":%" PRIu64 ",\"last_seq\":%" PRIu64 ",\"depth\":%" PRIu64
              ",\"max_pending\":%" PRIu64 ",\"redelivered\":%" PRIu64 ",\"refused\":%" PRIu64,
              oi.enabled ? "true" : "false", oi.acked, oi.last_seq, oi.pending, oi.max_pending, oi.redelivered,
              oi.refused);
}

static int outbox_off(engine *e, resp *o)
{
    if (e->outbox) return 0;
    resp_error(o, 404, PLAUDIT_ESTATE, "the outbox is off (the server was started with --no-outbox)");
    return 1;
}

void h_outbox(req *r, resp *o)
{
    engine *e = &r->s->eng;
    if (outbox_off(e, o)) return;
    uint64_t after = 0, max = 100;
    const char *a = req_query(r, "after"), *m = req_query(r, "max");
    if ((a && parse_seq(a, &after)) || (m && (parse_seq(m, &max) || max > 10000))) {
        resp_error(o, 400, PLAUDIT_ERANGE, "after is a sequence number, max an integer from 0 to 10000");
        return;
    }
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    info_json(e, &b);
    const plaudit_moment *ms = NULL;
    size_t n = 0;
    sb_puts(&b, ",\"moments\":[");
    if (max && plaudit_outbox_read(e->ctx, after, (size_t)max, &ms, &n) == PLAUDIT_OK) {
        for (size_t i = 0; i < n; i++) {
            char *js;
            size_t jl;
            if (plaudit_moment_json(e->ctx, &ms[i], &js, &jl) != PLAUDIT_OK) {
                b.oom = 1;
                break;
            }
            if (i) sb_puts(&b, ",");
            sb_add(&b, js, jl);
            plaudit_free(e->ctx, js);
        }
    }
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

void h_outbox_ack(req *r, resp *o)
{
    engine *e = &r->s->eng;
    if (outbox_off(e, o)) return;
    json_error_t jerr;
    json_t *doc = r->body ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    json_t *upto = json_object_get(doc, "upto");
    if (!json_is_object(doc) || json_object_size(doc) != 1 || !json_is_integer(upto) || json_integer_value(upto) < 0) {
        json_decref(doc);
        resp_error(o, 400, PLAUDIT_EPARSE, "send {\"upto\": SEQ}: the last sequence number delivered");
        return;
    }
    uint64_t seq = (uint64_t)json_integer_value(upto);
    json_decref(doc);
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    int rc = plaudit_outbox_ack(e->ctx, seq);
    if (rc != PLAUDIT_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        resp_error(o, rc == PLAUDIT_ERANGE ? 422 : 503, rc, msg);
        return;
    }
    info_json(e, &b);
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "}\n");
    resp_take(o, 200, &b, NULL);
}

void h_flush(req *r, resp *o)
{
    engine *e = &r->s->eng;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    int rc = plaudit_flush(e->ctx);
    if (rc == PLAUDIT_OK) {
        /* The flush is journaled; released events make moments. */
        plaudit_store_journal_seq(e->ctx, &e->written);
        pthread_cond_broadcast(&e->moments_cv);
        if (e->sync_mode == SYNC_GROUP && engine_wait_durable(e, e->written)) rc = PLAUDIT_EIO;
    }
    if (rc != PLAUDIT_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", rc == PLAUDIT_EIO ? e->sync_error : plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        resp_error(o, 503, rc, msg);
        return;
    }
    plaudit_window_info wi;
    memset(&wi, 0, sizeof wi);
    plaudit_window_info_get(e->ctx, &wi);
    sb_printf(&b, "{\"window_s\":%" PRId64 ",\"held\":%" PRIu64 ",\"arrivals\":%" PRIu64 "}\n", wi.window_s, wi.held,
              wi.arrivals);
    pthread_mutex_unlock(&e->mu);
    resp_take(o, 200, &b, NULL);
}

/* ---- GET /v1/moments/stream ------------------------------------------------------------------ */

void h_stream(req *r, resp *o)
{
    engine *e = &r->s->eng;
    if (outbox_off(e, o)) return;
    /* Where to resume: Last-Event-ID (a reconnecting EventSource), else
     * ?after=, else everything pending. */
    const char *last = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    const char *after = req_query(r, "after");
    uint64_t seq = 0;
    if ((last && parse_seq(last, &seq)) || (!last && after && parse_seq(after, &seq))) {
        resp_error(o, 400, PLAUDIT_ERANGE, "Last-Event-ID and after are sequence numbers");
        return;
    }
    r->sse_after = seq;
    o->status = 200;
    o->stream = 1;
}

#define SSE_KEEPALIVE_S 15

/* libmicrohttpd's content reader: blocks (this connection has its own
 * thread) until there are moments after the last one sent, the server
 * stops, or it is time for a keep-alive comment. */
ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    req *r = cls;
    engine *e = &r->s->eng;
    if (pos == 0) {
        static const char hello[] = "retry: 2000\n\n";
        if (max >= sizeof hello - 1) {
            memcpy(buf, hello, sizeof hello - 1);
            return (ssize_t)(sizeof hello - 1);
        }
    }
    size_t used = 0;
    pthread_mutex_lock(&e->mu);
    while (!e->stopping) {
        const plaudit_moment *ms = NULL;
        size_t n = 0;
        if (plaudit_outbox_read(e->ctx, r->sse_after, 64, &ms, &n) == PLAUDIT_OK && n) {
            for (size_t i = 0; i < n; i++) {
                char *js;
                size_t jl;
                if (plaudit_moment_json(e->ctx, &ms[i], &js, &jl) != PLAUDIT_OK) break;
                char head[64];
                int hl = snprintf(head, sizeof head, "id: %" PRIu64 "\nevent: moment\ndata: ", ms[i].seq);
                size_t need = (size_t)hl + jl + 2;
                if (used + need > max) {
                    plaudit_free(e->ctx, js);
                    break;
                }
                memcpy(buf + used, head, (size_t)hl);
                memcpy(buf + used + (size_t)hl, js, jl);
                memcpy(buf + used + (size_t)hl + jl, "\n\n", 2);
                used += need;
                r->sse_after = ms[i].seq;
                plaudit_free(e->ctx, js);
            }
            if (used) break;
        }
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += SSE_KEEPALIVE_S;
        if (pthread_cond_timedwait(&e->moments_cv, &e->mu, &t) == ETIMEDOUT) {
            static const char ka[] = ": keep-alive\n\n";
            memcpy(buf, ka, sizeof ka - 1);
            used = sizeof ka - 1;
            break;
        }
    }
    int stop = e->stopping && !used;
    pthread_mutex_unlock(&e->mu);
    return stop ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)used;
}
