/* http.c - the libmicrohttpd side of `plaudit serve`: one thread per
 * connection (so a request may block on the group commit or a moment
 * stream), request bodies collected up to the limit, strict decoding of
 * the path and query, bearer tokens, routing to api.c, security headers,
 * the access log and the latency metrics. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "serve.h"

/* ---- the access log -------------------------------------------------------------------------- */

void log_reopen(server *s)
{
    if (!s->log_path) return;
    pthread_mutex_lock(&s->log_mu);
    FILE *f = fopen(s->log_path, "a");
    if (f) {
        if (s->log && s->log != stderr) fclose(s->log);
        s->log = f;
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_unlock(&s->log_mu);
}

/* The raw path with every byte outside printable ASCII percent-encoded,
 * so the log line is plain text whatever the client sent. */
static void log_path(sbuf *b, const char *p)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c > 0x20 && c < 0x7F && c != '"' && c != '\\') sb_add(b, p, 1);
        else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sb_add(b, e, 3);
        }
    }
}

static void access_log(server *s, const req *r, double secs)
{
    if (!s->log) return;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sbuf b;
    sb_init(&b);
    sb_printf(&b, "{\"time\":\"%s\",\"method\":", when);
    sb_json_str(&b, r->method);
    sb_puts(&b, ",\"path\":\"");
    log_path(&b, r->raw_url ? r->raw_url : "");
    sb_printf(&b, "\",\"status\":%u,\"ms\":%.3f}\n", r->status, secs * 1000.0);
    if (b.oom) {
        sb_free(&b);
        return;
    }
    pthread_mutex_lock(&s->log_mu);
    fwrite(b.p, 1, b.len, s->log);
    pthread_mutex_unlock(&s->log_mu);
    sb_free(&b);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = 0;
    FILE *f = s->log ? s->log : stderr;
    pthread_mutex_lock(&s->log_mu);
    fputs("{\"libmicrohttpd\":", f);
    sbuf b;
    sb_init(&b);
    /* The text is libmicrohttpd's; keep only what is valid UTF-8. */
    if (utf8_valid((const unsigned char *)msg, n)) sb_json_str(&b, msg);
    else sb_puts(&b, "\"(not UTF-8)\"");
    if (!b.oom) fputs(b.p, f);
    fputs("}\n", f);
    pthread_mutex_unlock(&s->log_mu);
    sb_free(&b);
}

/* ---- requests -------------------------------------------------------------------------------- */

static void req_free(req *r)
{
    for (int i = 0; i < r->nseg; i++) free(r->seg[i]);
    for (int i = 0; i < r->nq; i++) {
        free(r->qk[i]);
        free(r->qv[i]);
    }
    free((char *)r->raw_url);
    free(r->body);
    free(r);
}

const char *req_query(const req *r, const char *key)
{
    for (int i = 0; i < r->nq; i++)
        if (!strcmp(r->qk[i], key)) return r->qv[i];
    return NULL;
}

/* Raw query arguments (the unescape callback below leaves them as sent). */
static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    req *r = cls;
    if (r->nq >= 16) {
        r->bad_query = 1;
        return MHD_NO;
    }
    const char *why;
    char *k, *v;
    if (pct_decode(key, strlen(key), 1, &k, &why)) {
        r->bad_query = 1;
        return MHD_NO;
    }
    if (pct_decode(value ? value : "", value ? strlen(value) : 0, 1, &v, &why)) {
        free(k);
        r->bad_query = 1;
        return MHD_NO;
    }
    r->qk[r->nq] = k;
    r->qv[r->nq] = v;
    r->nq++;
    return MHD_YES;
}

/* Keep the path and arguments as sent: they are decoded here, strictly,
 * segment by segment (an encoded '/' stays inside its segment). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
    (void)cls;
    (void)c;
    return strlen(uri);
}

void resp_json(resp *o, unsigned status, char *body, size_t len)
{
    o->status = status;
    o->type = "application/json";
    o->body = body;
    o->len = len;
}

void resp_take(resp *o, unsigned status, sbuf *b, const char *type)
{
    size_t len;
    char *p = sb_take(b, &len);
    if (!p) {
        resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        return;
    }
    resp_json(o, status, p, len);
    if (type) o->type = type;
}

void resp_error(resp *o, unsigned status, int code, const char *message)
{
    sbuf b;
    sb_init(&b);
    const char *name = code ? plaudit_strerror(code) : status == 401 ? "unauthorized"
                                                   : status == 403 ? "forbidden"
                                                   : status == 405 ? "method not allowed"
                                                   : status == 501 ? "not implemented"
                                                   : status == 503 ? "unavailable"
                                                                   : "error";
    sb_puts(&b, "{\"error\":");
    sb_json_str(&b, name);
    sb_printf(&b, ",\"code\":%d,\"message\":", code);
    /* A message may quote client input: only valid UTF-8 is echoed. */
    sb_json_str(&b, utf8_valid((const unsigned char *)message, strlen(message)) ? message : "(invalid text)");
    sb_puts(&b, "}\n");
    free(o->body);
    size_t len;
    char *p = sb_take(&b, &len);
    resp_json(o, status, p, p ? len : 0);
}

static int path_split(req *r, resp *o)
{
    const char *p = r->raw_url;
    if (*p != '/') {
        resp_error(o, 400, PLAUDIT_EINVAL, "the request target must be an absolute path");
        return -1;
    }
    if (!strcmp(p, "/")) return 0;
    p++;
    while (1) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (r->nseg >= 8) {
            resp_error(o, 404, PLAUDIT_ENOTFOUND, "no such resource");
            return -1;
        }
        const char *why;
        char *seg;
        int rc = pct_decode(p, n, 0, &seg, &why);
        if (rc) {
            char msg[160];
            snprintf(msg, sizeof msg, "path segment %d holds %s", r->nseg + 1, rc == -2 ? "too much" : why);
            resp_error(o, 400, why && strstr(why, "UTF-8") ? PLAUDIT_EUTF8 : PLAUDIT_EINVAL, msg);
            return -1;
        }
        r->seg[r->nseg++] = seg;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static int seg_match(const route *rt, const req *r)
{
    const char *p = rt->path;
    if (!strcmp(p, "/")) return r->nseg == 0;
    int i = 0;
    p++;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (i >= r->nseg) return 0;
        if (!(n == 1 && *p == '*') && (strlen(r->seg[i]) != n || memcmp(r->seg[i], p, n))) return 0;
        i++;
        if (!e) break;
        p = e + 1;
    }
    return i == r->nseg;
}

/* 0: allowed; else the response is set. */
static int check_auth(req *r, int scope, resp *o)
{
    server *s = r->s;
    if (scope == 0 || (!s->write_len && !s->read_len)) {
        r->write_scope = 1;
        return 0;
    }
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7)) {
        resp_error(o, 401, 0, "this endpoint needs a bearer token (Authorization: Bearer TOKEN)");
        return -1;
    }
    const char *t = h + 7;
    while (*t == ' ') t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t')) n--;
    int is_write = s->write_len && token_equal(s->write_token, s->write_len, t, n);
    int is_read = s->read_len && token_equal(s->read_token, s->read_len, t, n);
    if (is_write) {
        r->write_scope = 1;
        return 0;
    }
    if (is_read && scope == 1) return 0;
    if (is_read) {
        resp_error(o, 403, 0, "the read token cannot change anything: this endpoint needs the write token");
        return -1;
    }
    resp_error(o, 401, 0, "the bearer token is not valid");
    return -1;
}

static void dispatch(req *r, resp *o)
{
    server *s = r->s;
    if (path_split(r, o)) return;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, r);
    if (r->bad_query) {
        resp_error(o, 400, PLAUDIT_EINVAL, "the query string holds a bad percent escape, a NUL, invalid UTF-8 "
                                           "or more than 16 arguments");
        return;
    }
    const char *m = !strcmp(r->method, "HEAD") ? "GET" : r->method;
    char allow[64] = "";
    for (size_t i = 0; i < api_n_routes; i++) {
        const route *rt = &api_routes[i];
        if (!seg_match(rt, r)) continue;
        if (strcmp(rt->method, m)) {
            if (strlen(allow) + strlen(rt->method) + 8 < sizeof allow) {
                if (allow[0]) strcat(allow, ", ");
                strcat(allow, rt->method);
                if (!strcmp(rt->method, "GET")) strcat(allow, ", HEAD");
            }
            continue;
        }
        if (check_auth(r, rt->scope, o)) return;
        if (r->too_big && strcmp(m, "GET")) {
            char msg[96];
            snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes", s->max_body);
            resp_error(o, 413, PLAUDIT_ELIMIT, msg);
            return;
        }
        rt->fn(r, o);
        return;
    }
    if (allow[0]) {
        resp_error(o, 405, 0, "this method is not allowed on this resource");
        o->allow = strdup(allow); /* freed in queue() */
        return;
    }
    resp_error(o, 404, PLAUDIT_ENOTFOUND, "no such resource");
}

static enum MHD_Result queue(req *r, resp *o)
{
    struct MHD_Response *res;
    if (o->stream) {
        res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, r, NULL);
        o->type = "text/event-stream";
        /* keep proxies from buffering the stream */
        if (res) MHD_add_response_header(res, "X-Accel-Buffering", "no");
    } else {
        if (!o->body) resp_error(o, 500, PLAUDIT_ENOMEM, "out of memory");
        res = MHD_create_response_from_buffer(o->body ? o->len : 0, o->body ? o->body : (char *)"",
                                              o->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    }
    if (!res) {
        free(o->body);
        free(o->allow);
        return MHD_NO;
    }
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, o->type ? o->type : "application/json");
    MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    if (o->type && !strncmp(o->type, "text/html", 9))
        MHD_add_response_header(res, "Content-Security-Policy",
                                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors 'none'");
    else
        MHD_add_response_header(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (o->status == 401) MHD_add_response_header(res, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"plaudit\"");
    if (o->allow) {
        MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, o->allow);
        free(o->allow);
    }
    if (r->s->draining) MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION, "close");
    r->status = o->status;
    enum MHD_Result rc = MHD_queue_response(r->conn, o->status, res);
    MHD_destroy_response(res);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        r->t0 = now_mono();
        r->s = s;
        r->conn = c;
        r->method = method;
        r->raw_url = strdup(url);
        if (!r->raw_url) {
            free(r);
            return MHD_NO;
        }
        pthread_mutex_lock(&s->life_mu);
        s->inflight++;
        r->late = s->draining; /* began after SIGTERM: refused */
        pthread_mutex_unlock(&s->life_mu);
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            errno = 0;
            char *end;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > s->max_body) {
                /* Refuse before reading a byte of the body. */
                r->too_big = 1;
                resp o = {0};
                char msg[96];
                snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes", s->max_body);
                resp_error(&o, 413, PLAUDIT_ELIMIT, msg);
                return queue(r, &o);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big) {
            if (r->body_len + *upload_size > s->max_body) {
                r->too_big = 1;
                free(r->body);
                r->body = NULL;
                r->body_len = 0;
            } else {
                char *nb = realloc(r->body, r->body_len + *upload_size + 1);
                if (!nb) return MHD_NO;
                memcpy(nb + r->body_len, upload, *upload_size);
                r->body = nb;
                r->body_len += *upload_size;
                r->body[r->body_len] = 0;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->status) return MHD_YES; /* answered early (413) */
    resp o = {0};
    if (r->late) resp_error(&o, 503, 0, "the server is shutting down");
    else dispatch(r, &o);
    return queue(r, &o);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    server *s = cls;
    req *r = *con_cls;
    if (!r) return;
    *con_cls = NULL;
    double secs = now_mono() - r->t0;
    if (!r->status) r->status = 499; /* closed before an answer */
    metrics_request(&s->met, r->status, secs);
    access_log(s, r, secs);
    req_free(r);
    pthread_mutex_lock(&s->life_mu);
    s->inflight--;
    if (!s->inflight) pthread_cond_broadcast(&s->idle_cv);
    pthread_mutex_unlock(&s->life_mu);
}

struct MHD_Daemon *http_start(server *s, int listen_fd, char *err, size_t errlen)
{
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        s->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        s->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->mem_limit, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_END);
    if (!d) snprintf(err, errlen, "libmicrohttpd could not start (%s)", strerror(errno));
    return d;
}
