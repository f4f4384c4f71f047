/* api.c - the endpoints of `plaudit serve` (docs/http-api.md): events,
 * members, leaderboards, state, the program, the report and analytics,
 * metrics and health.  Every handler that reads or changes the engine
 * holds its mutex while it uses strings the context owns. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../report.h"
#include "serve.h"

/* ---- helpers --------------------------------------------------------------------------------- */

/* A copy of a library-owned buffer as the response body. */
static void resp_copy(resp *o, unsigned status, const char *p, size_t len, const char *type)
{
    sbuf b;
    sb_init(&b);
    sb_add(&b, p, len);
    resp_take(o, status, &b, type);
}

/* Unsigned integer query argument: 0 ok (or absent: *out = dflt), -1
 * after setting a 400 response. */
static int query_uint(req *r, resp *o, const char *key, uint64_t dflt, uint64_t max, uint64_t *out)
{
    const char *v = req_query(r, key);
    *out = dflt;
    if (!v) return 0;
    uint64_t n = 0;
    const char *p = v;
    if (!*p) goto bad;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || n > (UINT64_MAX - 9) / 10) goto bad;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (n > max) goto bad;
    *out = n;
    return 0;
bad : {
    char msg[160];
    snprintf(msg, sizeof msg, "query argument %s must be an integer from 0 to %" PRIu64, key, max);
    resp_error(o, 400, PLAUDIT_ERANGE, msg);
    return -1;
}
}

static void kv_str(sbuf *b, const char *key, const char *v)
{
    sb_printf(b, ",\"%s\":", key);
    if (v) sb_json_str(b, v);
    else sb_puts(b, "null");
}

static void kv_int(sbuf *b, const char *key, int64_t v) { sb_printf(b, ",\"%s\":%" PRId64, key, v); }

static const char *criterion_name(plaudit_criterion c)
{
    static const char *const n[] = {"manual",         "action_count",   "action_streak", "distinct_actions",
                                    "points",         "tenure_days",    "kudos_received", "kudos_given",
                                    "tier",           "leaderboard"};
    return (unsigned)c < sizeof n / sizeof *n ? n[c] : "other";
}

/* ---- GET / and /healthz ------------------------------------------------------------------------ */

static void h_dashboard(req *r, resp *o)
{
    (void)r;
    resp_copy(o, 200, (const char *)serve_dashboard_html, serve_dashboard_html_len, "text/html; charset=utf-8");
}

static void h_healthz(req *r, resp *o)
{
    engine *e = &r->s->eng;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    int broken = e->sync_broken;
    sb_printf(&b, "{\"status\":\"%s\",\"members\":%" PRIu64, broken ? "failing" : "ok", plaudit_member_count(e->ctx));
    int64_t clock = plaudit_clock(e->ctx);
    if (clock < 0) sb_puts(&b, ",\"clock\":null");
    else kv_int(&b, "clock", clock);
    kv_int(&b, "unsynced_events", (int64_t)(e->written - e->synced));
    plaudit_window_info wi;
    if (plaudit_window_info_get(e->ctx, &wi) == PLAUDIT_OK) kv_int(&b, "held_events", (int64_t)wi.held);
    plaudit_outbox_info oi;
    if (plaudit_outbox_info_get(e->ctx, &oi) == PLAUDIT_OK && oi.enabled) kv_int(&b, "outbox_depth", (int64_t)oi.pending);
    if (broken) kv_str(&b, "message", e->sync_error);
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "}\n");
    resp_take(o, broken ? 503 : 200, &b, NULL);
}

/* ---- POST /v1/events --------------------------------------------------------------------------- */

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return 0;
    return 1;
}

/* One JSON object sent as application/json may be pretty-printed: its
 * line breaks outside strings become spaces so the library reads it as
 * one event line (a raw line break inside a string stays, and is
 * rejected as the malformed JSON it is). */
static void join_lines(char *p, size_t n)
{
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\' && i + 1 < n) i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '\n' || c == '\r') {
            p[i] = ' ';
        }
    }
}

static int is_store_failure(int code)
{
    return code == PLAUDIT_EIO || code == PLAUDIT_EUSER || code == PLAUDIT_ECORRUPT || code == PLAUDIT_ENOMEM;
}

static unsigned single_status(const plaudit_outcome *out)
{
    if (out->status == PLAUDIT_HELD_EVENT) return 202; /* decided when the window releases it */
    if (out->status != PLAUDIT_REJECTED) return 200;
    switch (out->code) {
    case PLAUDIT_EPARSE:
    case PLAUDIT_EUTF8: return 400;
    case PLAUDIT_ECONFLICT: return 409;
    case PLAUDIT_EUNSUPPORTED: return 501;
    case PLAUDIT_ELIMIT:
        if (out->message && strstr(out->message, "outbox is full")) return 503;
        return out->message && strstr(out->message, "longer") ? 413 : 422;
    default: return is_store_failure(out->code) ? 503 : 422;
    }
}

static int contains(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, needle, k)) return 1;
    return 0;
}

/* Record the lines of body[0..len) (one event when !batch) and answer
 * with their outcomes once they are durable. */
static void record_body(req *r, resp *o, char *body, size_t len, int batch)
{
    server *s = r->s;
    engine *e = &s->eng;
    /* Count the lines first: a batch over the limit is refused whole. */
    size_t lines = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(body + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (body + i)) : len - i;
        if (!blank(body + i, n)) lines++;
        i += n + 1;
    }
    if (lines > s->max_events) {
        char msg[128];
        snprintf(msg, sizeof msg, "%zu events in one request; the limit is %zu", lines, s->max_events);
        resp_error(o, 413, PLAUDIT_ELIMIT, msg);
        return;
    }
    sbuf b;
    sb_init(&b);
    uint64_t acc = 0, dup = 0, rej = 0, held = 0;
    unsigned status = 200;
    size_t lineno = 0;
    int wrote = 0, program_changed = 0;
    pthread_mutex_lock(&e->mu);
    if (e->sync_broken) {
        char msg[sizeof e->sync_error];
        memcpy(msg, e->sync_error, sizeof msg);
        pthread_mutex_unlock(&e->mu);
        resp_error(o, 503, PLAUDIT_EIO, msg);
        return;
    }
    if (batch) sb_puts(&b, "{\"results\":[");
    size_t emitted = 0;
    for (size_t i = 0; i < len;) {
        const char *line = body + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += n + 1;
        lineno++;
        if (blank(line, n)) continue;
        plaudit_outcome out;
        plaudit_record_json(e->ctx, line, n, &out);
        wrote = 1;
        if (out.status == PLAUDIT_ACCEPTED) {
            acc++;
            /* A program event changes the boards: read the program again. */
            if (contains(line, n, "\"program\"")) program_changed = 1;
        } else if (out.status == PLAUDIT_DUPLICATE_EVENT) {
            dup++;
        } else if (out.status == PLAUDIT_HELD_EVENT) {
            held++; /* not decided yet: neither accepted nor rejected */
        } else {
            rej++;
        }
        /* Before plaudit_outcome_json: out.message may be the context's
         * message, which the next call clears. */
        unsigned st = single_status(&out);
        char *js;
        size_t jl;
        if (plaudit_outcome_json(e->ctx, &out, &js, &jl) != PLAUDIT_OK) {
            b.oom = 1;
            break;
        }
        if (batch) {
            sb_printf(&b, "%s{\"line\":%zu,", emitted ? "," : "", lineno);
            sb_add(&b, js + 1, jl - 1);
        } else {
            sb_add(&b, js, jl);
            status = st;
        }
        emitted++;
        plaudit_free(e->ctx, js);
    }
    if (program_changed) engine_program_refresh(e);
    if (wrote) pthread_cond_broadcast(&e->moments_cv); /* the moment streams */
    /* Durable before answered: a duplicate may repeat an event that a
     * concurrent request wrote and has not synced yet, so wait for all. */
    int failed = 0;
    if (wrote) plaudit_store_journal_seq(e->ctx, &e->written);
    if (wrote && e->sync_mode == SYNC_GROUP) failed = engine_wait_durable(e, e->written);
    char sync_error[sizeof e->sync_error];
    if (failed) memcpy(sync_error, e->sync_error, sizeof sync_error);
    pthread_mutex_unlock(&e->mu);
    metrics_events(&s->met, acc, dup, rej, held);
    if (failed) {
        sb_free(&b);
        resp_error(o, 503, PLAUDIT_EIO, sync_error);
        return;
    }
    if (batch)
        sb_printf(&b,
                  "],\"accepted\":%" PRIu64 ",\"duplicates\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"held\":%" PRIu64
                  "}\n",
                  acc, dup, rej, held);
    else sb_puts(&b, "\n");
    resp_take(o, status, &b, NULL);
}

static void h_events(req *r, resp *o)
{
    if (!r->body || blank(r->body, r->body_len)) {
        resp_error(o, 400, PLAUDIT_EPARSE, "the body is empty: send one event (a JSON object) or JSON lines");
        return;
    }
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    int batch = ct && (!strncasecmp(ct, "application/x-ndjson", 20) || !strncasecmp(ct, "application/jsonl", 17) ||
                       !strncasecmp(ct, "application/json-lines", 22) || !strncasecmp(ct, "text/plain", 10));
    if (!batch) join_lines(r->body, r->body_len);
    record_body(r, o, r->body, r->body_len, batch);
}

/* POST /v1/revoke and /v1/program: the body is the event without its
 * `type` (or with the right one); it is recorded as that event. */
static void typed_event(req *r, resp *o, const char *type)
{
    if (!r->body || blank(r->body, r->body_len)) {
        resp_error(o, 400, PLAUDIT_EPARSE, "the body is empty: send the event as a JSON object");
        return;
    }
    if (!utf8_valid((const unsigned char *)r->body, r->body_len)) {
        resp_error(o, 400, PLAUDIT_EUTF8, "the body is not valid UTF-8");
        return;
    }
    json_error_t jerr;
    json_t *ev = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(ev)) {
        char msg[256];
        snprintf(msg, sizeof msg, "the body is not one JSON object: %s", ev ? "another JSON value" : jerr.text);
        json_decref(ev);
        resp_error(o, 400, PLAUDIT_EPARSE, msg);
        return;
    }
    json_t *t = json_object_get(ev, "type");
    if (t && !(json_is_string(t) && !strcmp(json_string_value(t), type))) {
        json_decref(ev);
        char msg[96];
        snprintf(msg, sizeof msg, "type must be \"%s\" here (or absent)", type);
        resp_error(o, 400, PLAUDIT_EPARSE, msg);
        return;
    }
    json_object_set_new(ev, "type", json_string(type));
    char *line = json_dumps(ev, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(ev);
    if (!line) {
        resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        return;
    }
    record_body(r, o, line, strlen(line), 0);
    free(line);
}

/* ---- members ----------------------------------------------------------------------------------- */

static void member_json(engine *e, sbuf *b, const plaudit_member_info *mi)
{
    sb_puts(b, "{\"id\":");
    sb_json_str(b, mi->id);
    kv_int(b, "joined", mi->joined);
    kv_int(b, "last_ts", mi->last_ts);
    kv_int(b, "points", mi->points);
    kv_int(b, "balance", mi->balance);
    kv_str(b, "tier", mi->tier);
    kv_str(b, "segment", mi->segment);
    kv_str(b, "team", mi->team);
    sb_printf(b, ",\"segment_pinned\":%s,\"leaderboards\":%s", mi->segment_pinned ? "true" : "false",
              mi->leaderboards ? "true" : "false");
    kv_int(b, "kudos_given", (int64_t)mi->kudos_given);
    kv_int(b, "kudos_received", (int64_t)mi->kudos_received);
    kv_int(b, "distinct_actions", mi->distinct_actions);
    const plaudit_badge_earned *be;
    size_t nb;
    sb_puts(b, ",\"badges\":[");
    if (plaudit_member_badges(e->ctx, mi->id, &be, &nb) == PLAUDIT_OK) {
        for (size_t i = 0; i < nb; i++) {
            sb_puts(b, i ? ",{\"badge\":" : "{\"badge\":");
            sb_json_str(b, be[i].badge);
            sb_printf(b, ",\"level\":%u,\"times\":%u", be[i].level, be[i].times);
            kv_int(b, "first_ts", be[i].first_ts);
            kv_int(b, "last_ts", be[i].last_ts);
            sb_puts(b, "}");
        }
    }
    sb_puts(b, "]");
    plaudit_progress pg;
    if (plaudit_member_progress(e->ctx, mi->id, &pg) == PLAUDIT_OK) {
        sb_puts(b, ",\"progress\":{\"tier\":");
        if (pg.tier) sb_json_str(b, pg.tier);
        else sb_puts(b, "null");
        kv_str(b, "next_tier", pg.next_tier);
        kv_int(b, "next_points", pg.next_points);
        kv_int(b, "next_distinct_actions", pg.next_distinct_actions);
        kv_int(b, "next_tenure_days", pg.next_tenure_days);
        kv_str(b, "keep_tier", pg.keep_tier);
        kv_int(b, "keep_points", pg.keep_points);
        sb_puts(b, ",\"badges\":[");
        for (size_t i = 0; i < pg.n_badges; i++) {
            const plaudit_badge_progress *p = &pg.badges[i];
            sb_puts(b, i ? ",{\"badge\":" : "{\"badge\":");
            sb_json_str(b, p->badge);
            kv_str(b, "criterion", criterion_name(p->criterion));
            sb_printf(b, ",\"level\":%u,\"levels\":%u", p->level, p->levels);
            kv_int(b, "current", p->current);
            kv_int(b, "next", p->next);
            sb_printf(b, ",\"earned_this_period\":%s}", p->earned_this_period ? "true" : "false");
        }
        sb_puts(b, "]}");
    }
    sb_puts(b, ",\"ranks\":{");
    int first = 1;
    for (size_t i = 0; i < e->n_boards; i++) {
        const board *bd = &e->boards[i];
        if (bd->by_team) continue;
        uint64_t rank = 0, count = 0;
        int64_t score = 0;
        if (plaudit_leaderboard_rank(e->ctx, bd->id, mi->id, &rank, &score) != PLAUDIT_OK) continue;
        plaudit_leaderboard_count(e->ctx, bd->id, &count);
        if (!first) sb_puts(b, ",");
        first = 0;
        sb_json_str(b, bd->id);
        sb_puts(b, ":{\"rank\":");
        if (rank) sb_printf(b, "%" PRIu64, rank);
        else sb_puts(b, "null");
        sb_printf(b, ",\"score\":%" PRId64 ",\"ranked\":%" PRIu64 "}", score, count);
    }
    /* Team boards: the place of the member's team. */
    team_ranks_json(e, b, mi->team, &first);
    sb_puts(b, "}}");
}

static void h_member(req *r, resp *o)
{
    engine *e = &r->s->eng;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    plaudit_member_info mi;
    int rc = plaudit_member_get(e->ctx, r->seg[2], &mi);
    if (rc != PLAUDIT_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        resp_error(o, rc == PLAUDIT_ENOTFOUND ? 404 : 400, rc, msg);
        return;
    }
    member_json(e, &b, &mi);
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "\n");
    resp_take(o, 200, &b, NULL);
}

/* GET /v1/members?start=N&max=M: member ids in creation order, paged. */
static void h_members(req *r, resp *o)
{
    engine *e = &r->s->eng;
    uint64_t start, max;
    if (query_uint(r, o, "start", 0, UINT64_MAX, &start) || query_uint(r, o, "max", 100, 1000, &max)) return;
    const char *ids[1000];
    size_t n = 0;
    uint64_t next = 0, total;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    total = plaudit_member_count(e->ctx);
    if (start < total) plaudit_member_list(e->ctx, start, (size_t)max, ids, &n, &next);
    else next = total;
    sb_printf(&b, "{\"count\":%" PRIu64 ",\"next\":%" PRIu64 ",\"members\":[", total, next);
    for (size_t i = 0; i < n; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, ids[i]);
    }
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

static const char *cause_name(plaudit_source c)
{
    static const char *const n[] = {"action", "bonus", "kudos", "adjust", "revoke", "redeem"};
    return (unsigned)c < sizeof n / sizeof *n ? n[c] : "other";
}

/* GET /v1/members/{id}/history?limit=N&before=SEQ: the member's points
 * history, newest first, a page at a time (next: the cursor of the next
 * page, null at the end). */
static void h_history(req *r, resp *o)
{
    engine *e = &r->s->eng;
    uint64_t limit, before;
    if (query_uint(r, o, "limit", 20, 1000, &limit) || query_uint(r, o, "before", 0, UINT64_MAX, &before)) return;
    if (limit == 0) {
        resp_error(o, 400, PLAUDIT_ERANGE, "query argument limit must be an integer from 1 to 1000");
        return;
    }
    if (!e->history) {
        resp_error(o, 404, PLAUDIT_ESTATE, "the points history is off (the server was started with --history 0)");
        return;
    }
    plaudit_history_entry *page = malloc(sizeof *page * (size_t)limit);
    if (!page) {
        resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        return;
    }
    size_t n = 0;
    uint64_t next = 0, total = 0, kept = 0;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    int rc = plaudit_member_history(e->ctx, r->seg[2], before, (size_t)limit, page, &n, &next);
    if (rc == PLAUDIT_OK) rc = plaudit_member_history_count(e->ctx, r->seg[2], &total, &kept);
    if (rc != PLAUDIT_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        sb_free(&b);
        free(page);
        resp_error(o, rc == PLAUDIT_ENOTFOUND ? 404 : 400, rc, msg);
        return;
    }
    sb_puts(&b, "{\"member\":");
    sb_json_str(&b, r->seg[2]);
    sb_printf(&b, ",\"total\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"next\":", total, kept);
    if (next) sb_printf(&b, "%" PRIu64, next);
    else sb_puts(&b, "null");
    sb_puts(&b, ",\"entries\":[");
    for (size_t i = 0; i < n; i++) {
        const plaudit_history_entry *h = &page[i];
        sb_printf(&b, "%s{\"seq\":%" PRIu64, i ? "," : "", h->seq);
        kv_int(&b, "ts", h->ts);
        kv_int(&b, "points", h->points);
        kv_int(&b, "balance", h->balance);
        kv_str(&b, "cause", cause_name(h->cause));
        kv_str(&b, "cause_id", h->cause_id);
        kv_str(&b, "event_type", plaudit_event_type_name(h->event_type));
        kv_str(&b, "event_id", h->event_id);
        kv_str(&b, "event_ref", h->event_ref);
        kv_str(&b, "reason", h->reason);
        kv_str(&b, "revoked_event", h->revoked_event);
        kv_str(&b, "revoked_ref", h->revoked_ref);
        sb_puts(&b, "}");
    }
    pthread_mutex_unlock(&e->mu);
    free(page);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

/* ---- leaderboards ------------------------------------------------------------------------------ */

static void board_head(engine *e, sbuf *b, const board *bd)
{
    sb_puts(b, "{\"id\":");
    sb_json_str(b, bd->id);
    kv_str(b, "name", bd->name);
    kv_str(b, "period", bd->period);
    kv_str(b, "by", bd->by_team ? "team" : "member");
    plaudit_leaderboard_info li;
    if (plaudit_leaderboard_info_get(e->ctx, bd->id, &li) == PLAUDIT_OK) {
        if (li.segment) kv_str(b, "segment", li.segment);
        /* A season: its range, and whether it is over (frozen standings). */
        if (li.from != PLAUDIT_UNSET) kv_int(b, "from", li.from);
        if (li.until != PLAUDIT_UNSET) kv_int(b, "until", li.until);
        if (li.from != PLAUDIT_UNSET || li.until != PLAUDIT_UNSET)
            sb_printf(b, ",\"frozen\":%s", li.frozen ? "true" : "false");
    }
}

static void h_boards(req *r, resp *o)
{
    engine *e = &r->s->eng;
    sbuf b;
    sb_init(&b);
    sb_puts(&b, "{\"leaderboards\":[");
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_boards; i++) {
        const board *bd = &e->boards[i];
        if (i) sb_puts(&b, ",");
        board_head(e, &b, bd);
        uint64_t count = 0;
        if (plaudit_leaderboard_count(e->ctx, bd->id, &count) == PLAUDIT_OK)
            sb_printf(&b, ",\"count\":%" PRIu64, count);
        sb_puts(&b, "}");
    }
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

static void h_board(req *r, resp *o)
{
    engine *e = &r->s->eng;
    uint64_t limit, k;
    if (query_uint(r, o, "limit", 10, 1000, &limit) || query_uint(r, o, "k", 5, 100, &k)) return;
    const char *around = req_query(r, "around");
    plaudit_rank_entry ents[1000];
    size_t n = 0;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    const board *bd = engine_board(e, r->seg[2]);
    if (!bd) {
        pthread_mutex_unlock(&e->mu);
        resp_error(o, 404, PLAUDIT_ENOTFOUND, "no such leaderboard");
        return;
    }
    int rc = around ? plaudit_leaderboard_around(e->ctx, bd->id, around, (size_t)k, ents, &n)
                    : plaudit_leaderboard_top(e->ctx, bd->id, (size_t)limit, ents, &n);
    if (rc != PLAUDIT_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        resp_error(o, rc == PLAUDIT_ENOTFOUND ? 404 : 400, rc, msg);
        return;
    }
    uint64_t count = 0;
    plaudit_leaderboard_count(e->ctx, bd->id, &count);
    board_head(e, &b, bd);
    sb_printf(&b, ",\"count\":%" PRIu64 ",\"entries\":[", count);
    /* On a team board the entries are teams (and `around` names one). */
    for (size_t i = 0; i < n; i++) {
        sb_printf(&b, "%s{\"rank\":%" PRIu64 ",\"%s\":", i ? "," : "", ents[i].rank, bd->by_team ? "team" : "member");
        sb_json_str(&b, ents[i].member);
        sb_printf(&b, ",\"score\":%" PRId64 ",\"ts\":%" PRId64 "}", ents[i].score, ents[i].ts);
    }
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

/* ---- state, program, report, analytics -------------------------------------------------------- */

static void h_state(req *r, resp *o)
{
    engine *e = &r->s->eng;
    pthread_mutex_lock(&e->mu);
    char *doc;
    size_t len;
    if (plaudit_state_export(e->ctx, &doc, &len) != PLAUDIT_OK) {
        pthread_mutex_unlock(&e->mu);
        resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        return;
    }
    resp_copy(o, 200, doc, len, NULL);
    plaudit_free(e->ctx, doc);
    pthread_mutex_unlock(&e->mu);
}

static void h_program(req *r, resp *o)
{
    engine *e = &r->s->eng;
    pthread_mutex_lock(&e->mu);
    resp_copy(o, 200, e->program_json, e->program_len, NULL);
    pthread_mutex_unlock(&e->mu);
}

static void h_program_post(req *r, resp *o) { typed_event(r, o, "program"); }
static void h_revoke(req *r, resp *o) { typed_event(r, o, "revoke"); }

/* Analytics into a memory stream through the report writers. */
static void analytics(req *r, resp *o, int html)
{
    engine *e = &r->s->eng;
    if (!e->analytics) {
        resp_error(o, 404, PLAUDIT_ESTATE, "analytics are off (the server was started with --no-analytics)");
        return;
    }
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) {
        resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        return;
    }
    pthread_mutex_lock(&e->mu);
    plaudit_analytics a;
    int rc = plaudit_analytics_get(e->ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN);
    char msg[256] = "";
    if (rc == PLAUDIT_OK) {
        if (html) report_html(f, e->ctx, &a, "all time", PLAUDIT_PERIOD_MONTH);
        else if (report_json(f, e->ctx, &a, "all time", PLAUDIT_PERIOD_MONTH)) rc = PLAUDIT_ENOMEM;
    } else {
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
    }
    pthread_mutex_unlock(&e->mu);
    if (fclose(f) && rc == PLAUDIT_OK) rc = PLAUDIT_ENOMEM;
    if (rc != PLAUDIT_OK) {
        free(mem);
        resp_error(o, 500, rc, msg[0] ? msg : "out of memory");
        return;
    }
    resp_json(o, 200, mem, len);
    if (html) o->type = "text/html; charset=utf-8";
}

static void h_report(req *r, resp *o) { analytics(r, o, 1); }
static void h_analytics(req *r, resp *o) { analytics(r, o, 0); }

/* ---- GET /metrics ------------------------------------------------------------------------------ */

extern const double lat_bounds[LAT_BUCKETS];

static void h_metrics(req *r, resp *o)
{
    server *s = r->s;
    engine *e = &s->eng;
    metrics m;
    pthread_mutex_lock(&s->met.mu);
    memcpy(&m, &s->met, sizeof m);
    pthread_mutex_unlock(&s->met.mu);
    sbuf b;
    sb_init(&b);
    sb_puts(&b, "# HELP plaudit_events_total Events posted to this server since it started, by outcome.\n"
                "# TYPE plaudit_events_total counter\n");
    static const char *const st[] = {"accepted", "duplicate", "rejected", "held"};
    for (int i = 0; i < 4; i++) sb_printf(&b, "plaudit_events_total{status=\"%s\"} %" PRIu64 "\n", st[i], m.events[i]);
    pthread_mutex_lock(&e->mu);
    plaudit_stats ps;
    plaudit_stats_get(e->ctx, &ps);
    uint64_t members = plaudit_member_count(e->ctx);
    int64_t clock = plaudit_clock(e->ctx);
    uint64_t unsynced = e->written - e->synced;
    plaudit_window_info wi;
    memset(&wi, 0, sizeof wi);
    plaudit_window_info_get(e->ctx, &wi);
    plaudit_outbox_info oi;
    memset(&oi, 0, sizeof oi);
    plaudit_outbox_info_get(e->ctx, &oi);
    pthread_mutex_unlock(&e->mu);
    sb_printf(&b,
              "# HELP plaudit_held_events Events the reorder window holds.\n# TYPE plaudit_held_events gauge\n"
              "plaudit_held_events %" PRIu64 "\n"
              "# HELP plaudit_outbox_depth Moments waiting in the outbox for acknowledgement.\n"
              "# TYPE plaudit_outbox_depth gauge\nplaudit_outbox_depth %" PRIu64 "\n"
              "# HELP plaudit_outbox_acked_seq The acknowledged position.\n# TYPE plaudit_outbox_acked_seq gauge\n"
              "plaudit_outbox_acked_seq %" PRIu64 "\n"
              "# HELP plaudit_outbox_last_seq The newest moment's sequence number.\n"
              "# TYPE plaudit_outbox_last_seq gauge\nplaudit_outbox_last_seq %" PRIu64 "\n"
              "# HELP plaudit_outbox_refused_total Events refused because the outbox was full.\n"
              "# TYPE plaudit_outbox_refused_total counter\nplaudit_outbox_refused_total %" PRIu64 "\n",
              wi.held, oi.pending, oi.acked, oi.last_seq, oi.refused);
    sb_printf(&b,
              "# HELP plaudit_engine_events_total Events the engine counted, recovered ones included.\n"
              "# TYPE plaudit_engine_events_total counter\n"
              "plaudit_engine_events_total{status=\"accepted\"} %" PRIu64 "\n"
              "plaudit_engine_events_total{status=\"duplicate\"} %" PRIu64 "\n"
              "plaudit_engine_events_total{status=\"rejected\"} %" PRIu64 "\n",
              ps.accepted, ps.duplicates, ps.rejected);
    sb_printf(&b,
              "# HELP plaudit_members Members in the engine.\n# TYPE plaudit_members gauge\nplaudit_members %" PRIu64
              "\n# HELP plaudit_clock_seconds The engine's clock (newest accepted ts).\n"
              "# TYPE plaudit_clock_seconds gauge\nplaudit_clock_seconds %" PRId64 "\n",
              members, clock);
    sb_printf(&b,
              "# HELP plaudit_store_syncs_total Journal syncs made by the server (group commit and timer).\n"
              "# TYPE plaudit_store_syncs_total counter\nplaudit_store_syncs_total %" PRIu64 "\n"
              "# HELP plaudit_store_sync_failures_total Journal syncs that failed.\n"
              "# TYPE plaudit_store_sync_failures_total counter\nplaudit_store_sync_failures_total %" PRIu64 "\n"
              "# HELP plaudit_store_sync_seconds_total Time spent in journal syncs.\n"
              "# TYPE plaudit_store_sync_seconds_total counter\nplaudit_store_sync_seconds_total %.6f\n"
              "# HELP plaudit_store_synced_events_total Journal records made durable by those syncs.\n"
              "# TYPE plaudit_store_synced_events_total counter\nplaudit_store_synced_events_total %" PRIu64 "\n"
              "# HELP plaudit_store_unsynced_events Journal records not yet seen durable by the server.\n"
              "# TYPE plaudit_store_unsynced_events gauge\nplaudit_store_unsynced_events %" PRIu64 "\n",
              m.syncs, m.sync_failures, m.sync_seconds, m.group_events, unsynced);
    sb_puts(&b, "# HELP plaudit_http_requests_total Requests answered, by status class.\n"
                "# TYPE plaudit_http_requests_total counter\n");
    for (int i = 1; i <= 5; i++) sb_printf(&b, "plaudit_http_requests_total{code=\"%dxx\"} %" PRIu64 "\n", i, m.requests[i]);
    sb_puts(&b, "# HELP plaudit_http_request_duration_seconds Time from the request line to the end of the answer.\n"
                "# TYPE plaudit_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < LAT_BUCKETS; i++) {
        cum += m.lat_counts[i];
        sb_printf(&b, "plaudit_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n", lat_bounds[i], cum);
    }
    cum += m.lat_counts[LAT_BUCKETS];
    sb_printf(&b,
              "plaudit_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
              "plaudit_http_request_duration_seconds_sum %.6f\nplaudit_http_request_duration_seconds_count %" PRIu64
              "\n",
              cum, m.lat_sum, m.lat_n);
    resp_take(o, 200, &b, "text/plain; version=0.0.4; charset=utf-8");
}

/* ---- the table --------------------------------------------------------------------------------- */

enum { OPEN = 0, READ = 1, WRITE = 2 };

const route api_routes[] = {
    {"GET", "/", OPEN, h_dashboard},
    {"GET", "/healthz", OPEN, h_healthz},
    {"GET", "/metrics", READ, h_metrics},
    {"POST", "/v1/events", WRITE, h_events},
    {"GET", "/v1/members", READ, h_members},
    {"GET", "/v1/members/*", READ, h_member},
    {"GET", "/v1/members/*/history", READ, h_history},
    {"GET", "/v1/teams", READ, h_teams},
    {"GET", "/v1/teams/*", READ, h_team},
    {"GET", "/v1/leaderboards", READ, h_boards},
    {"GET", "/v1/leaderboards/*", READ, h_board},
    {"GET", "/v1/state", READ, h_state},
    {"GET", "/v1/program", READ, h_program},
    {"POST", "/v1/program", WRITE, h_program_post},
    {"POST", "/v1/revoke", WRITE, h_revoke},
    {"POST", "/v1/flush", WRITE, h_flush},
    {"GET", "/v1/outbox", READ, h_outbox},
    {"POST", "/v1/outbox/ack", WRITE, h_outbox_ack},
    {"GET", "/v1/moments/stream", READ, h_stream},
    {"GET", "/v1/report", READ, h_report},
    {"GET", "/v1/analytics", READ, h_analytics},
};
const size_t api_n_routes = sizeof api_routes / sizeof *api_routes;
