/* serve.c - `plaudit serve PROGRAM --store DIR`: the command line, the
 * listening socket (loopback unless told otherwise, never beyond it
 * without a token), start-up, and the signal loop: SIGTERM or SIGINT stop
 * accepting, let the requests in flight finish, snapshot and exit 0;
 * SIGHUP reopens the log file. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cmd-serve.h"
#include "serve.h"

enum { S_OK = 0, S_PROGRAM = 1, S_USAGE = 2, S_IO = 3, S_STORE = 4, S_INTERNAL = 5 };

const char plaudit_cmd_serve_usage[] =
    "  serve PROGRAM --store DIR [OPTIONS]\n"
    "      Serve one engine over HTTP/1.1 (JSON API under /v1, a dashboard at /,\n"
    "      /metrics, /healthz: docs/http-api.md).  The state lives in the file\n"
    "      store DIR (created when missing) and is recovered at start.\n"
    "      --listen HOST:PORT    address to listen on (default 127.0.0.1:8080;\n"
    "                            port 0 picks a free one); beyond loopback only\n"
    "                            with --token-file\n"
    "      --token-file F        bearer token for everything (events, program\n"
    "                            changes, acks, revokes, and queries)\n"
    "      --read-token-file F   bearer token for queries and the dashboard\n"
    "      --sync MODE           always (default: an event is answered once it\n"
    "                            is synced; concurrent requests share one sync),\n"
    "                            batch (sync every --sync-every-n events or\n"
    "                            --sync-every-ms ms; answered before), never\n"
    "      --sync-every-n N, --sync-every-ms MS   batch bounds (4096, 200)\n"
    "      --max-body BYTES      largest request body (default 16 MiB)\n"
    "      --max-events N        most events in one request (default 100000)\n"
    "      --max-connections N   open connections (default 256); --per-ip N\n"
    "                            per client address (default 0: no limit)\n"
    "      --timeout S           idle connection timeout (default 60 s)\n"
    "      --max-header-bytes N  request line and headers (default 32768)\n"
    "      --log FILE            access log, one JSON line per request\n"
    "                            (default: none; SIGHUP reopens it)\n"
    "      --no-analytics        do not record analytics (no /v1/report)\n"
    "      --outbox-max N        moments the outbox keeps unacknowledged (default\n"
    "                            1048576; when full, events get 503 until the\n"
    "                            notifier acknowledges: POST /v1/outbox/ack)\n"
    "      --no-outbox           no outbox (no /v1/outbox, no moment stream)\n"
    "      --history N           points history entries each member keeps, for\n"
    "                            GET /v1/members/{id}/history (default 100;\n"
    "                            0: none; all: every one)\n"
    "      SIGTERM: stop accepting, finish requests in flight, snapshot, exit 0.\n";

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "plaudit serve: %s%s\nUsage:\n%s", what, arg, plaudit_cmd_serve_usage);
    return S_USAGE;
}

static int parse_num(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    if (!s || !*s) return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s == '-' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Read a token: the file's first line, trailing white space dropped. */
static int read_token(const char *path, char *out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "plaudit serve: %s: %s\n", path, strerror(errno));
        return S_IO;
    }
    char buf[TOKEN_MAX + 2];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r')) buf[--n] = 0;
    if (n < 16 || n >= TOKEN_MAX) {
        fprintf(stderr, "plaudit serve: %s: a token must be 16 to %d bytes on the first line\n", path, TOKEN_MAX - 1);
        return S_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] >= 0x7F) {
            fprintf(stderr, "plaudit serve: %s: a token is printable ASCII without spaces\n", path);
            return S_USAGE;
        }
    memcpy(out, buf, n + 1);
    *len = n;
    return S_OK;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return 1;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
    }
    return 0;
}

/* Bind and listen; *loopback tells whether the address is loopback. */
static int open_listener(const char *spec, int *loopback, char *desc, size_t desclen)
{
    char host[256], port[16];
    const char *colon = strrchr(spec, ':');
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host) return -2;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = 0;
        colon = close + 1;
    } else if (colon) {
        if ((size_t)(colon - spec) >= sizeof host) return -2;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = 0;
        if (!host[0]) strcpy(host, "127.0.0.1");
    } else {
        return -2;
    }
    if (strlen(colon + 1) >= sizeof port || !colon[1]) return -2;
    strcpy(port, colon + 1);
    struct addrinfo hints = {0}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gr = getaddrinfo(host, port, &hints, &ai);
    if (gr) {
        fprintf(stderr, "plaudit serve: --listen %s: %s\n", spec, gai_strerror(gr));
        return -1;
    }
    *loopback = is_loopback(ai->ai_addr);
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "plaudit serve: socket: %s\n", strerror(errno));
        freeaddrinfo(ai);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
        fprintf(stderr, "plaudit serve: --listen %s: %s\n", spec, strerror(errno));
        close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char h[INET6_ADDRSTRLEN] = "?";
    unsigned p = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, h, sizeof h);
        p = ntohs(in->sin_port);
        snprintf(desc, desclen, "http://%s:%u", h, p);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, h, sizeof h);
        p = ntohs(in6->sin6_port);
        snprintf(desc, desclen, "http://[%s]:%u", h, p);
    }
    return fd;
}

int plaudit_cmd_serve(int argc, char **argv)
{
    const char *program = NULL, *store = NULL, *listen_spec = "127.0.0.1:8080", *token_file = NULL,
               *read_token_file = NULL, *log_path = NULL;
    int sync_mode = SYNC_GROUP, analytics_on = 1, outbox_on = 1;
    unsigned long long every_n = 4096, every_ms = 200, max_body = 16u << 20, max_events = 100000, max_conn = 256,
                       per_ip = 0, timeout = 60, max_header = 32768, outbox_max = 0, history = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define VALUE()                                                                                                        \
    do {                                                                                                               \
        if (i + 1 >= argc) return usage("option needs a value: ", a);                                                 \
        i++;                                                                                                           \
    } while (0)
#define NUM(var, lo, hi)                                                                                               \
    do {                                                                                                               \
        VALUE();                                                                                                       \
        if (parse_num(argv[i], lo, hi, &var)) return usage("not a number in range: ", a);                             \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs("Usage: plaudit serve PROGRAM --store DIR [OPTIONS]\n\n", stdout);
            fputs(plaudit_cmd_serve_usage, stdout);
            return S_OK;
        } else if (!strcmp(a, "--store")) {
            VALUE();
            store = argv[i];
        }
        else if (!strcmp(a, "--listen")) {
            VALUE();
            listen_spec = argv[i];
        }
        else if (!strcmp(a, "--token-file")) {
            VALUE();
            token_file = argv[i];
        }
        else if (!strcmp(a, "--read-token-file")) {
            VALUE();
            read_token_file = argv[i];
        }
        else if (!strcmp(a, "--log")) {
            VALUE();
            log_path = argv[i];
        }
        else if (!strcmp(a, "--no-analytics")) analytics_on = 0;
        else if (!strcmp(a, "--no-outbox")) outbox_on = 0;
        else if (!strcmp(a, "--outbox-max")) NUM(outbox_max, 1, 1ull << 32);
        else if (!strcmp(a, "--history") && i + 1 < argc && !strcmp(argv[i + 1], "all")) {
            history = SIZE_MAX; /* PLAUDIT_HISTORY_ALL */
            i++;
        } else if (!strcmp(a, "--history")) NUM(history, 0, 1ull << 30);
        else if (!strcmp(a, "--sync")) {
            VALUE();
            if (!strcmp(argv[i], "always")) sync_mode = SYNC_GROUP;
            else if (!strcmp(argv[i], "batch")) sync_mode = SYNC_BATCH_MODE;
            else if (!strcmp(argv[i], "never")) sync_mode = SYNC_NONE;
            else return usage("--sync is always, batch or never, not ", argv[i]);
        } else if (!strcmp(a, "--sync-every-n")) NUM(every_n, 0, UINT32_MAX);
        else if (!strcmp(a, "--sync-every-ms")) NUM(every_ms, 0, 3600000);
        else if (!strcmp(a, "--max-body")) NUM(max_body, 1024, 1ull << 32);
        else if (!strcmp(a, "--max-events")) NUM(max_events, 1, 100000000);
        else if (!strcmp(a, "--max-connections")) NUM(max_conn, 1, 65536);
        else if (!strcmp(a, "--per-ip")) NUM(per_ip, 0, 65536);
        else if (!strcmp(a, "--timeout")) NUM(timeout, 1, 86400);
        else if (!strcmp(a, "--max-header-bytes")) NUM(max_header, 4096, 1u << 20);
        else if (a[0] == '-' && a[1]) return usage("unknown option ", a);
        else if (!program) program = a;
        else return usage("too many arguments: ", a);
#undef NUM
#undef VALUE
    }
    if (!program) return usage("expected PROGRAM", "");
    if (!store) return usage("--store DIR is required", "");
    if (read_token_file && !token_file) return usage("--read-token-file needs --token-file too", "");

    static server s;
    memset(&s, 0, sizeof s);
    int rc;
    if (token_file && (rc = read_token(token_file, s.write_token, &s.write_len))) return rc;
    if (read_token_file && (rc = read_token(read_token_file, s.read_token, &s.read_len))) return rc;
    if (s.read_len && token_equal(s.write_token, s.write_len, s.read_token, s.read_len))
        return usage("the read token must differ from the write token", "");
    s.max_body = (size_t)max_body;
    s.max_events = (size_t)max_events;
    s.max_connections = (unsigned)max_conn;
    s.per_ip = (unsigned)per_ip;
    s.timeout_s = (unsigned)timeout;
    s.mem_limit = (size_t)max_header;
    pthread_mutex_init(&s.log_mu, NULL);
    pthread_mutex_init(&s.life_mu, NULL);
    pthread_cond_init(&s.idle_cv, NULL);
    if (log_path) {
        s.log_path = (char *)log_path;
        log_reopen(&s);
        if (!s.log) {
            fprintf(stderr, "plaudit serve: --log %s: %s\n", log_path, strerror(errno));
            return S_IO;
        }
    }

    int loopback = 0;
    char desc[128];
    int lfd = open_listener(listen_spec, &loopback, desc, sizeof desc);
    if (lfd == -2) return usage("--listen is HOST:PORT or [IPV6]:PORT, not ", listen_spec);
    if (lfd < 0) return S_IO;
    if (!loopback && !s.write_len) {
        close(lfd);
        fprintf(stderr, "plaudit serve: --listen %s is not a loopback address: refusing to serve it without "
                        "--token-file\n", listen_spec);
        return S_USAGE;
    }

    metrics_init(&s.met);
    char err[1024];
    if (engine_open(&s.eng, program, store, sync_mode, (uint32_t)every_n, (uint32_t)every_ms, analytics_on, outbox_on,
                    (size_t)outbox_max, (size_t)history, &s.met, err, sizeof err)) {
        fprintf(stderr, "plaudit serve: %s\n", err);
        close(lfd);
        int code = s.eng.ctx ? plaudit_errcode(s.eng.ctx) : PLAUDIT_ENOMEM;
        if (s.eng.ctx) plaudit_ctx_free(s.eng.ctx);
        return strstr(err, program) == err ? S_PROGRAM : code == PLAUDIT_ENOMEM ? S_INTERNAL : S_STORE;
    }

    /* Signals go to this thread only (sigwait below); every thread started
     * from here on inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = http_start(&s, lfd, err, sizeof err);
    if (!d) {
        fprintf(stderr, "plaudit serve: %s\n", err);
        engine_close(&s.eng, 0, err, sizeof err);
        return S_IO;
    }
    pthread_t timer;
    int have_timer = sync_mode == SYNC_BATCH_MODE && pthread_create(&timer, NULL, engine_timer, &s.eng) == 0;
    plaudit_recovery rec;
    plaudit_store_recovery_get(s.eng.ctx, &rec);
    printf("plaudit serve: listening on %s (store %s: %llu members, %llu journaled events replayed)\n", desc, store,
           (unsigned long long)plaudit_member_count(s.eng.ctx), (unsigned long long)rec.replayed);
    fflush(stdout);

    int sig;
    while (1) {
        if (sigwait(&set, &sig)) continue;
        if (sig == SIGHUP) {
            log_reopen(&s);
            continue;
        }
        break;
    }

    /* Stop accepting; let what is in flight finish (streams end). */
    int qfd = MHD_quiesce_daemon(d);
    if (qfd >= 0) close(qfd);
    pthread_mutex_lock(&s.life_mu);
    s.draining = 1;
    pthread_mutex_unlock(&s.life_mu);
    pthread_mutex_lock(&s.eng.mu);
    s.eng.stopping = 1;
    pthread_cond_broadcast(&s.eng.moments_cv);
    pthread_mutex_unlock(&s.eng.mu);
    pthread_mutex_lock(&s.life_mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    while (s.inflight && pthread_cond_timedwait(&s.idle_cv, &s.life_mu, &until) == 0) {
    }
    pthread_mutex_unlock(&s.life_mu);
    MHD_stop_daemon(d);
    if (have_timer) pthread_join(timer, NULL);
    rc = S_OK;
    if (engine_close(&s.eng, 1, err, sizeof err)) {
        fprintf(stderr, "plaudit serve: %s\n", err);
        rc = S_STORE;
    }
    printf("plaudit serve: stopped (signal %d)\n", sig);
    fflush(stdout);
    if (s.log) fclose(s.log);
    return rc;
}
