/* serve.h - `plaudit serve`: one engine behind an HTTP/1.1 API
 * (libmicrohttpd).  Shared between the files of examples/serve/:
 *   serve.c     command line, start-up, signals, shutdown
 *   engine.c    the engine behind its mutex, group commit, moments
 *   http.c      the libmicrohttpd glue: bodies, limits, auth, routing, log
 *   api.c       the /v1 endpoints
 *   metrics.c   counters and the Prometheus text
 *   util.c      percent-decoding, UTF-8, tokens, a growable buffer
 * The API is documented in docs/http-api.md and docs/openapi.yaml. */
#ifndef PLAUDIT_SERVE_H
#define PLAUDIT_SERVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <plaudit.h>

/* ---- a growable byte buffer (util.c) --------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

void sb_init(sbuf *b);
void sb_free(sbuf *b);
void sb_add(sbuf *b, const void *data, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes included) of s, valid UTF-8 assumed. */
void sb_json_str(sbuf *b, const char *s);
/* Hand the bytes over (NUL-terminated; the caller frees them). */
char *sb_take(sbuf *b, size_t *len);

/* ---- text (util.c) ----------------------------------------------------------------------------- */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const unsigned char *s, size_t n);
/* Percent-decode s[0..n) into a new NUL-terminated string (*out, free()).
 * plus: '+' means a space (query strings).  Returns 0, or -1 for a bad
 * escape, an encoded NUL or invalid UTF-8 (*why says which), -2 when out
 * of memory. */
int pct_decode(const char *s, size_t n, int plus, char **out, const char **why);
/* Compare a presented token with the expected one in time that depends
 * on neither's content nor the expected length. */
int token_equal(const char *expected, size_t elen, const char *got, size_t glen);
#define TOKEN_MAX 256

/* ---- metrics (metrics.c) --------------------------------------------------------------------- */

#define LAT_BUCKETS 14
typedef struct metrics {
    pthread_mutex_t mu;
    uint64_t events[4];           /* accepted, duplicate, rejected, held by the
                                     reorder window (by this server; a held
                                     event's outcome comes at release) */
    uint64_t requests[6];         /* by status class 1xx..5xx (index 1..5) */
    uint64_t lat_counts[LAT_BUCKETS + 1];
    double lat_sum;
    uint64_t lat_n;
    uint64_t syncs, sync_failures;
    double sync_seconds;
    uint64_t group_events;        /* events made durable by the server's syncs */
} metrics;

void metrics_init(metrics *m);
void metrics_request(metrics *m, unsigned status, double seconds);
void metrics_events(metrics *m, uint64_t acc, uint64_t dup, uint64_t rej, uint64_t held);
void metrics_sync(metrics *m, int ok, double seconds, uint64_t events);

/* ---- the engine (engine.c) ------------------------------------------------------------------- */

enum { SYNC_GROUP = 0, SYNC_BATCH_MODE, SYNC_NONE };

typedef struct board {
    char *id;
    char *name;
    char *period;
    int by_team;
} board;

typedef struct engine {
    pthread_mutex_t mu;           /* guards everything below and ctx */
    pthread_cond_t moments_cv;    /* new moments, or stopping */
    plaudit_ctx *ctx;
    int sync_mode;
    uint32_t sync_every_ms;       /* batch mode: the timer's period */
    uint64_t written;             /* the journal's last record (seq) */
    uint64_t synced;              /* the last the server saw durable */
    int sync_broken;              /* a sync failed: refuse writes */
    char sync_error[512];
    /* The program as exported, parsed once per change. */
    char *program_json;
    size_t program_len;
    board *boards;
    size_t n_boards;
    int analytics;                /* the recorder is on */
    int outbox;                   /* the outbox is on */
    size_t history;               /* points history entries per member (0: off) */
    uint64_t moments_seen;        /* bumped per moment (stream wake-ups) */
    int stopping;
    metrics *m;
} engine;

/* Load the program, enable analytics, open and attach the file store. */
int engine_open(engine *e, const char *program, const char *store_dir, int sync_mode, uint32_t every_n,
                uint32_t every_ms, int analytics, int outbox, size_t outbox_max, size_t history, metrics *m, char *err,
                size_t errlen);
/* Snapshot (when snapshot is set) and free the context. */
int engine_close(engine *e, int snapshot, char *err, size_t errlen);
/* Refresh the cached program export and board list (mutex held). */
int engine_program_refresh(engine *e);
const board *engine_board(const engine *e, const char *id);

/* Wait until every journal record up to seq `upto` is durable (group
 * commit on the store's sync thread); mutex held on entry and exit,
 * dropped while waiting.  Returns 0, or -1 when a sync
 * failed (e->sync_error says why). */
int engine_wait_durable(engine *e, uint64_t upto);
/* Batch mode's timer thread body; returns when e->stopping. */
void *engine_timer(void *arg);

/* ---- the server ------------------------------------------------------------------------------ */

typedef struct server {
    engine eng;
    metrics met;
    /* auth: a write token (everything) and a read token (queries) */
    char write_token[TOKEN_MAX];
    size_t write_len;
    char read_token[TOKEN_MAX];
    size_t read_len;
    /* limits */
    size_t max_body;
    size_t max_events;            /* per request */
    unsigned max_connections;
    unsigned per_ip;
    unsigned timeout_s;
    size_t mem_limit;             /* per connection: request line + headers */
    /* the access log */
    pthread_mutex_t log_mu;
    FILE *log;
    char *log_path;
    /* lifecycle */
    pthread_mutex_t life_mu;
    pthread_cond_t idle_cv;
    unsigned inflight;
    int draining;
    const char *listen_desc;
} server;

/* http.c */
struct MHD_Daemon;
struct MHD_Daemon *http_start(server *s, int listen_fd, char *err, size_t errlen);
void log_reopen(server *s);

/* The request and response as the endpoints see them (http.c). */
typedef struct req {
    server *s;
    struct MHD_Connection *conn;
    const char *method;
    const char *raw_url;
    char *seg[8];                 /* decoded path segments */
    int nseg;
    /* decoded query arguments */
    char *qk[16], *qv[16];
    int nq;
    int bad_query;
    char *body;
    size_t body_len;
    int too_big;
    int late;                     /* began while the server was draining */
    int write_scope;              /* the write token was presented */
    double t0;
    unsigned status;
    /* Server-Sent Events */
    uint64_t sse_after;
} req;

typedef struct resp {
    unsigned status;
    const char *type;             /* Content-Type (static) */
    char *body;                   /* malloc'd, freed by http.c */
    size_t len;
    char *allow;                  /* Allow header for 405 (malloc'd) */
    int stream;                   /* api_stream wants a moment stream */
} resp;

const char *req_query(const req *r, const char *key);

/* api.c: the endpoint table and helpers. */
typedef void (*api_fn)(req *r, resp *o);
typedef struct route {
    const char *method;
    const char *path;             /* segments, '*' matches one */
    int scope;                    /* 0 open, 1 read, 2 write */
    api_fn fn;
} route;
extern const route api_routes[];
extern const size_t api_n_routes;

/* teams.c */
void h_teams(req *r, resp *o);
void h_team(req *r, resp *o);
void team_ranks_json(engine *e, sbuf *b, const char *team, int *first);

/* outbox.c */
void h_outbox(req *r, resp *o);
void h_outbox_ack(req *r, resp *o);
void h_stream(req *r, resp *o);
void h_flush(req *r, resp *o);
ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max);

/* Set o to a JSON error {"error":..., "code":..., "message":...}. */
void resp_error(resp *o, unsigned status, int code, const char *message);
void resp_json(resp *o, unsigned status, char *body, size_t len);
/* The buffer's text as the body (500 when it ran out of memory); type NULL
 * keeps application/json. */
void resp_take(resp *o, unsigned status, sbuf *b, const char *type);

/* dashboard.c (generated): the page served at / */
extern const unsigned char serve_dashboard_html[];
extern const size_t serve_dashboard_html_len;

double now_mono(void);

#endif
