/* json_event.c - parsing an event line (section 3) into a plaudit_event,
 * and recording it.  Parsing uses jansson when the library is built with
 * the `json` feature. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "plaudit-config.h"

#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

#if !PLAUDIT_HAVE_JSON

static int no_json(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    return pl_err(ctx, PLAUDIT_EUNSUPPORTED, "libplaudit was built without JSON support (jansson)");
}
int plaudit_event_parse(plaudit_ctx *ctx, const char *line, size_t len, plaudit_event *ev)
{
    (void)line; (void)len; (void)ev;
    return no_json(ctx);
}
int plaudit_record_json(plaudit_ctx *ctx, const char *line, size_t len, plaudit_outcome *out)
{
    (void)line; (void)len; (void)out;
    return no_json(ctx);
}

#else

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

/* Copy a string into the context's event buffer; returns its offset. */
static size_t ev_keep(plaudit_ctx *ctx, const char *s)
{
    size_t off = ctx->evbuf.len;
    pl_buf_put(&ctx->evbuf, s, strlen(s) + 1);
    return off;
}

static int ev_err(plaudit_ctx *ctx, const char *key, const char *what)
{
    return pl_err(ctx, PLAUDIT_EPARSE, "\"%s\": %s", key, what);
}

int plaudit_event_parse(plaudit_ctx *ctx, const char *line, size_t len, plaudit_event *ev)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!ev || (!line && len)) return pl_err(ctx, PLAUDIT_EINVAL, "line or ev is NULL");
    memset(ev, 0, sizeof *ev);
    if (len > ctx->max_line)
        return pl_err(ctx, PLAUDIT_ELIMIT, "the line has %zu bytes, more than the limit of %zu", len, ctx->max_line);
    if (len && line[len - 1] == '\n') len--;
    if (len && line[len - 1] == '\r') len--;
    if (is_blank(line, len)) return pl_err(ctx, PLAUDIT_ENOTFOUND, "blank line: nothing to record");
    char msg[128];
    /* jansson stops at a NUL; the line must not hold one. */
    if (memchr(line, '\0', len)) return pl_err(ctx, PLAUDIT_EPARSE, "the line contains a NUL byte");
    int drc = pl_json_check_depth(ctx, line, len, "malformed line");
    if (drc) return drc;
    json_error_t e;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
    if (!o) return pl_json_parse_error(ctx, &e, "malformed line");
    int rc = PLAUDIT_OK;
    const char *key;
    json_t *v;
    if (!json_is_object(o)) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "the line is not a JSON object");
        goto done;
    }
    /* A reorder window holds an invalid event that has a ts. */
    json_t *ts0 = json_object_get(o, "ts");
    if (ts0 && json_is_integer(ts0)) ctx->parse_ts = (int64_t)json_integer_value(ts0);
    json_t *t = json_object_get(o, "type");
    const char *type = "action";
    if (t) {
        if (!json_is_string(t)) {
            rc = ev_err(ctx, "type", "expected a string");
            goto done;
        }
        type = json_string_value(t);
    }
    /* Format 2 event types are unknown to a format 1 program. */
    int last_type = ctx->format >= 2 ? PLAUDIT_EVENT_PROGRAM : PLAUDIT_EVENT_TICK;
    int ty = -1;
    for (int i = 0; i <= last_type; i++)
        if (strcmp(type, plaudit_event_type_name((plaudit_event_type)i)) == 0) ty = i;
    if (ty < 0) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "unknown event type \"%s\"", type);
        goto done;
    }
    ev->type = (plaudit_event_type)ty;
    /* The keys each type takes besides ts, type and id: where each goes,
     * whether it may be absent, and whether it is new in format 2. */
    enum { F_MEMBER, F_TARGET, F_REASON, F_REF, F_POINTS, F_FLAG, F_DOC };
    typedef struct { const char *key; unsigned char field, optional, v2, nullable; } evkey;
    static const evkey per_type[][5] = {
        [PLAUDIT_EVENT_ACTION] = {{"member", F_MEMBER, 0, 0, 0}, {"action", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_JOIN] = {{"member", F_MEMBER, 0, 0, 0}},
        [PLAUDIT_EVENT_KUDOS] = {{"from", F_MEMBER, 0, 0, 0}, {"to", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_REDEEM] = {{"member", F_MEMBER, 0, 0, 0}, {"reward", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_AWARD] = {{"member", F_MEMBER, 0, 0, 0}, {"badge", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_ADJUST] = {{"member", F_MEMBER, 0, 0, 0},
                                  {"points", F_POINTS, 0, 0, 0},
                                  {"reason", F_REASON, 1, 0, 0},
                                  {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_SEGMENT] = {{"member", F_MEMBER, 0, 0, 0}, {"segment", F_TARGET, 0, 0, 1}},
        [PLAUDIT_EVENT_PREFERENCES] = {{"member", F_MEMBER, 0, 0, 0}, {"leaderboards", F_FLAG, 0, 0, 0}},
        [PLAUDIT_EVENT_TICK] = {{NULL, 0, 0, 0, 0}},
        [PLAUDIT_EVENT_REVOKE] = {{"event", F_TARGET, 1, 1, 0}, {"ref", F_REF, 1, 1, 0}, {"reason", F_REASON, 1, 1, 0}},
        [PLAUDIT_EVENT_TEAM] = {{"member", F_MEMBER, 0, 1, 0}, {"team", F_TARGET, 0, 1, 1}},
        [PLAUDIT_EVENT_PROGRAM] = {{"program", F_DOC, 0, 1, 0}}};
    const evkey *K = per_type[ty];
    json_object_foreach(o, key, v) {
        int ok = !strcmp(key, "ts") || !strcmp(key, "type") || !strcmp(key, "id");
        for (int i = 0; i < 5 && K[i].key; i++)
            ok |= !strcmp(key, K[i].key) && (ctx->format >= 2 || !K[i].v2);
        if (!ok) {
            snprintf(msg, sizeof msg, "unknown key for %s %s event", strchr("aeiou", type[0]) ? "an" : "a", type);
            rc = ev_err(ctx, key, msg);
            goto done;
        }
    }
    json_t *ts = json_object_get(o, "ts");
    if (!ts) {
        rc = ev_err(ctx, "ts", "missing");
        goto done;
    }
    if (!json_is_integer(ts)) {
        rc = ev_err(ctx, "ts", "expected an integer");
        goto done;
    }
    ev->ts = (int64_t)json_integer_value(ts);
    ctx->evbuf.len = 0;
    ctx->evbuf.oom = 0;
    /* Offsets into evbuf (it may move while it grows), per field. */
    size_t off[F_DOC + 1], off_id = SIZE_MAX;
    for (int i = 0; i <= F_DOC; i++) off[i] = SIZE_MAX;
    json_t *id = json_object_get(o, "id");
    if (id) {
        if (!json_is_string(id)) {
            rc = ev_err(ctx, "id", "expected a string");
            goto done;
        }
        off_id = ev_keep(ctx, json_string_value(id));
    }
    for (int i = 0; i < 5 && K[i].key; i++) {
        const char *k = K[i].key;
        v = json_object_get(o, k);
        if (!v) {
            if (K[i].optional) continue;
            rc = ev_err(ctx, k, "missing");
            goto done;
        }
        switch (K[i].field) {
        case F_POINTS:
            if (!json_is_integer(v)) {
                rc = ev_err(ctx, k, "expected an integer");
                goto done;
            }
            ev->points = (int64_t)json_integer_value(v);
            break;
        case F_FLAG:
            if (!json_is_boolean(v)) {
                rc = ev_err(ctx, k, "expected true or false");
                goto done;
            }
            ev->flag = json_is_true(v);
            break;
        case F_DOC: {
            if (!json_is_object(v)) {
                rc = ev_err(ctx, k, "expected a program document (a JSON object)");
                goto done;
            }
            /* Sorted keys: the same document in another key order is the
             * same content for idempotency. */
            char *doc = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
            if (!doc) {
                rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading an event");
                goto done;
            }
            off[F_DOC] = ev_keep(ctx, doc);
            free(doc);
            break;
        }
        default:
            if (K[i].nullable && json_is_null(v)) break;
            if (!json_is_string(v)) {
                rc = ev_err(ctx, k, K[i].nullable ? "expected a string or null" : "expected a string");
                goto done;
            }
            off[K[i].field] = ev_keep(ctx, json_string_value(v));
            break;
        }
    }
    if (ctx->evbuf.oom) {
        rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading an event");
        goto done;
    }
    if (ty == PLAUDIT_EVENT_REVOKE && (off[F_TARGET] == SIZE_MAX) == (off[F_REF] == SIZE_MAX)) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "a revoke event takes exactly one of \"event\" and \"ref\"");
        goto done;
    }
    char *base = ctx->evbuf.p;
    ev->id = off_id != SIZE_MAX ? base + off_id : NULL;
    ev->member = off[F_MEMBER] != SIZE_MAX ? base + off[F_MEMBER] : NULL;
    ev->target = off[F_TARGET] != SIZE_MAX ? base + off[F_TARGET] : NULL;
    ev->reason = off[F_REASON] != SIZE_MAX ? base + off[F_REASON] : NULL;
    ev->ref = off[F_REF] != SIZE_MAX ? base + off[F_REF] : NULL;
    ev->document = off[F_DOC] != SIZE_MAX ? base + off[F_DOC] : NULL;
    pl_ok(ctx);
done:
    json_decref(o);
    return rc;
}

int plaudit_record_json(plaudit_ctx *ctx, const char *line, size_t len, plaudit_outcome *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (out) memset(out, 0, sizeof *out);
    if (ctx->in_callback) return pl_reentered(ctx, "events cannot be recorded");
    plaudit_event ev;
    ctx->parse_ts = -1;
    int rc = plaudit_event_parse(ctx, line, len, &ev);
    if (rc == PLAUDIT_ENOTFOUND) return rc;
    if (rc && rc != PLAUDIT_ENOMEM && ctx->reorder_window_s > 0 && ctx->parse_ts >= 0 &&
        ctx->parse_ts <= PLAUDIT_MAX_TS) {
        /* A JSON object with a valid ts: held, rejected at release. */
        char msg[PL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->errmsg);
        plaudit_event bad = PLAUDIT_EVENT_INIT;
        bad.ts = ctx->parse_ts;
        return pl_window_record(ctx, &bad, rc, msg, out);
    }
    if (rc) {
        ctx->rejected++;
        if (out) {
            out->status = PLAUDIT_REJECTED;
            out->code = rc;
            out->message = ctx->errmsg;
        }
        return rc;
    }
    return plaudit_record(ctx, &ev, out);
}


#endif
