/* plaudit.c - the `plaudit` command-line tool: check a program file, replay
 * an event history to the spec's final-state document, compare two programs
 * on the same history (what-if), and report program analytics.  Run
 * `plaudit --help` for the usage text. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <plaudit.h>

#include "cmd-credential.h"
#include "cmd-member.h"
#include "feed.h"
#ifdef PLAUDIT_TOOL_HTTP
#include "serve/cmd-serve.h"
#endif
#include "report.h"

/* Exit codes (documented in the usage text). */
enum {
    EXIT_OKAY = 0,
    EXIT_PROGRAM = 1, /* a program file did not load (invalid, unreadable) */
    EXIT_USAGE = 2,   /* bad command line */
    EXIT_IO = 3,      /* events or an output file could not be read/written */
    EXIT_STORE = 4,   /* the store could not be opened, recovered or written */
    EXIT_INTERNAL = 5 /* out of memory or another failure of the library */
};

static const char *prog = "plaudit";

/* One entry per command: its synopsis, its help (lines indented by 6) and
 * its examples, printed together by `plaudit --help` and alone by
 * `plaudit COMMAND --help`.  A NULL synopsis: the first line of `text` is
 * the synopsis, indented by 2 (the form of plaudit_cmd_serve_usage). */
typedef struct cmd_help {
    const char *name, *synopsis, *text, *examples;
} cmd_help;

#ifdef PLAUDIT_TOOL_HTTP
#define SERVE_USAGE plaudit_cmd_serve_usage
#else
#define SERVE_USAGE                                                                                                    \
    "  serve PROGRAM --store DIR [OPTIONS]\n"                                                                          \
    "      An HTTP server over one engine (not in this build: it needs\n"                                              \
    "      libmicrohttpd, the meson feature `http`).\n"
#endif

static const cmd_help helps[] = {
    {"check", "check [--export] PROGRAM",
     "      Validate a program document and print a summary of its rules.  An\n"
     "      invalid program is reported as `PROGRAM: PATH: reason`, where PATH is\n"
     "      the JSON path of the offending item (badges[3].when.action).\n"
     "      --export   print the normalized program document instead\n",
     "  plaudit check examples/program.json\n"},
    {"replay", "replay [--trace] [--store DIR [--moments FILE]] PROGRAM EVENTS",
     "      Apply the events (JSON lines; `-` reads standard input) and print the\n"
     "      final-state document (\"plaudit.state/1\") on standard output.  Each\n"
     "      rejected or malformed line is reported on standard error as\n"
     "      `line N: reason` and counted; processing continues.  With a reorder\n"
     "      window (format 2, reorder_window_s) lines are held and released in\n"
     "      time order, every held line at the end of the input; a rejected\n"
     "      line is reported by its own number when it is released.\n"
     "      --trace      before the state document, print one outcome per event\n"
     "                   line as a JSON line: {\"line\":N,\"status\":...}; a held\n"
     "                   line prints \"status\":\"held\" and again, with\n"
     "                   \"released\":M (the line that released it, or \"end\"),\n"
     "                   when it is released\n"
     "      --moments FILE  append every recognition moment to FILE as a JSON\n"
     "                   line with its \"seq\", sync FILE, then acknowledge it\n"
     "                   (the outbox): with --store, a crash then the same\n"
     "                   command leaves every moment in FILE at least once\n"
     "                   (repeats carry the same seq and \"redelivered\":true)\n"
     "      --store DIR  keep the state in a file store in DIR (created when\n"
     "                   missing): recover what it holds, then apply the events.\n"
     "                   Running the same command again after a crash picks up\n"
     "                   where it stopped; events with ids already applied come\n"
     "                   back as duplicates (give events ids: one without an id\n"
     "                   is applied again).  The state is snapshotted at the end,\n"
     "                   with each member's newest 100 points history entries\n"
     "                   (for `plaudit member --store DIR`).\n",
     "  plaudit replay program.json events.jsonl > state.json\n"
     "  zcat events.jsonl.gz | plaudit replay --trace program.json - | less\n"},
    {"what-if", "what-if [--board ID] [--json] (OLD NEW EVENTS | --from TS PROGRAM EVENTS NEW)",
     "      Compare two programs on the same history and list, member by member,\n"
     "      what would differ: tier, badges, points, and rank on the leaderboard\n"
     "      ID (default: the first all-time board both programs declare, else the\n"
     "      first board they share).\n"
     "      OLD NEW EVENTS (retroactive): replay the whole history under each\n"
     "                   program, as if NEW had always applied.\n"
     "      --from TS PROGRAM EVENTS NEW (from a date): replay the history under\n"
     "                   PROGRAM, once as it is and once with a program event\n"
     "                   switching to NEW at TS (Unix seconds or YYYY-MM-DD),\n"
     "                   so that what members earned before TS stays.\n"
     "      --json       print the differences as JSON\n",
     "  plaudit what-if program.json program-v2.json events.jsonl\n"
     "  plaudit what-if --from 2026-02-01 program.json events.jsonl program-v2.json\n"},
    {"report", "report [OPTIONS] PROGRAM EVENTS",
     "      Program analytics: participation, repeat participation, activity\n"
     "      diversity, tenure, tier distribution, segment mix, rewards, and\n"
     "      recognition fairness (Gini of points, members never recognized,\n"
     "      quiet contributors).  Contributions are accepted action events.\n"
     "      --json             print the analytics as JSON\n"
     "      --html FILE        also write a self-contained HTML page to FILE\n"
     "      --period P         day, week, month (default), quarter or year\n"
     "      --from T, --to T   only the periods from T up to (not including) T;\n"
     "                         T is Unix seconds or YYYY-MM-DD (UTC)\n"
     "      --quiet-days N     quiet-contributor window in days (default 30)\n"
     "      --quiet-max N      quiet contributors listed (default 10)\n",
     "  plaudit report --html report.html --period week program.json events.jsonl\n"},
    {"credential", plaudit_cmd_credential_synopsis, plaudit_cmd_credential_help,
     "  plaudit credential --issuer-id https://acme.example --issuer-name Acme \\\n"
     "      --base-url https://acme.example/badges program.json events.jsonl alice helper\n"},
    {"member", plaudit_cmd_member_synopsis, plaudit_cmd_member_help,
     "  plaudit member program.json events.jsonl alice\n"},
    {"serve", NULL, SERVE_USAGE, "  plaudit serve examples/program.json --store /var/lib/plaudit --listen 127.0.0.1:8080\n"},
};
#define N_HELPS (sizeof helps / sizeof *helps)

static const char usage_head[] =
    "Usage: plaudit COMMAND [OPTIONS] ARGUMENTS\n"
    "\n"
    "Check, replay and analyse Plaudit recognition programs (program and event\n"
    "formats version 1: docs/program-format.md).  `plaudit COMMAND --help`\n"
    "prints the help of one command.\n"
    "\n"
    "Commands:\n";

static const char common_options[] =
    "Common options:\n"
    "  -q, --quiet      do not report rejected lines (still counted)\n"
    "  --no-progress    no progress indicator (it is shown on standard error\n"
    "                   for long inputs, only when that is a terminal)\n"
    "  -h, --help       this text;  --version  the tool and library version\n";

static const char exit_status[] =
    "Exit status:\n"
    "  0  success: the program loaded and every event line was read, whatever\n"
    "     was rejected (check: the program is valid)\n"
    "  1  a program file is invalid or cannot be read\n"
    "  2  usage error\n"
    "  3  the events or an output file cannot be read or written\n"
    "  4  the store cannot be opened, recovered or written\n"
    "  5  internal failure (out of memory)\n"
    "  6  credential: unknown member or badge, or not earned\n";

/* A command's synopsis (length *n) and the help after it. */
static const char *help_parts(const cmd_help *h, int *n, const char **body)
{
    if (h->synopsis) {
        *n = (int)strlen(h->synopsis);
        *body = h->text;
        return h->synopsis;
    }
    const char *syn = h->text + strspn(h->text, " ");
    const char *nl = strchr(syn, '\n');
    *n = nl ? (int)(nl - syn) : (int)strlen(syn);
    *body = nl ? nl + 1 : "";
    return syn;
}

static void print_usage(void)
{
    fputs(usage_head, stdout);
    for (size_t i = 0; i < N_HELPS; i++) {
        int n;
        const char *body, *syn = help_parts(&helps[i], &n, &body);
        printf("  %.*s\n%s\n", n, syn, body);
    }
    printf("%s\n%s\nExamples:\n", common_options, exit_status);
    for (size_t i = 0; i < N_HELPS; i++) fputs(helps[i].examples, stdout);
}

/* `plaudit COMMAND --help`: the same text as in the whole help, alone. */
static void print_command_usage(const char *cmd)
{
    for (size_t i = 0; i < N_HELPS; i++) {
        if (strcmp(helps[i].name, cmd)) continue;
        int n;
        const char *body, *syn = help_parts(&helps[i], &n, &body);
        printf("Usage: plaudit %.*s\n\n%s\n%s\n%s\nExamples:\n%s", n, syn, body, common_options, exit_status,
               helps[i].examples);
        return;
    }
    print_usage();
}

/* `--help` among a command's arguments (before `--`). */
static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry `%s --help' for more information.\n", prog);
}

/* ---- options ----------------------------------------------------------------- */

typedef struct opts {
    int trace, json, quiet, progress, export_prog;
    const char *store, *html, *board, *moments;
    plaudit_period period;
    int64_t from, to;
    int has_from;             /* what-if --from: a program event */
    const char *switch_doc;   /* what-if --from: the new program's text */
    int64_t quiet_days;
    long quiet_max;
    const char *args[4];
    int n_args;
} opts;

static int parse_time(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!errno && *s && !*end) {
        *out = v;
        return 0;
    }
    int y, m, d;
    char tail;
    if (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 1970) {
        /* days from civil (UTC) */
        int64_t yy = y - (m <= 2);
        int64_t era = yy / 400;
        int64_t yoe = yy - era * 400;
        int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        *out = (era * 146097 + doe - 719468) * 86400;
        return 0;
    }
    return -1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Parse argv for a command; returns -1 after printing a usage error, 1
 * when help was printed. */
static int parse_opts(int argc, char **argv, const char *cmd, opts *o)
{
    memset(o, 0, sizeof *o);
    o->progress = 1;
    o->period = PLAUDIT_PERIOD_MONTH;
    o->from = o->to = PLAUDIT_ANALYTICS_OPEN;
    o->quiet_days = 30;
    o->quiet_max = 10;
    int is_replay = !strcmp(cmd, "replay"), is_report = !strcmp(cmd, "report"), is_whatif = !strcmp(cmd, "what-if");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
#define NEED_VALUE()                                                                                                   \
    do {                                                                                                               \
        if (i + 1 >= argc) {                                                                                           \
            usage_error("%s %s: option %s needs a value", prog, cmd, a);                                               \
            return -1;                                                                                                 \
        }                                                                                                              \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_command_usage(cmd);
            return 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--no-progress")) {
            o->progress = 0;
        } else if (is_replay && !strcmp(a, "--trace")) {
            o->trace = 1;
        } else if (is_replay && !strcmp(a, "--store")) {
            NEED_VALUE();
            o->store = argv[++i];
        } else if (is_replay && !strcmp(a, "--moments")) {
            NEED_VALUE();
            o->moments = argv[++i];
        } else if ((is_report || is_whatif) && !strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(cmd, "check") && !strcmp(a, "--export")) {
            o->export_prog = 1;
        } else if (is_whatif && !strcmp(a, "--board")) {
            NEED_VALUE();
            o->board = argv[++i];
        } else if (is_report && !strcmp(a, "--html")) {
            NEED_VALUE();
            o->html = argv[++i];
        } else if (is_report && !strcmp(a, "--period")) {
            NEED_VALUE();
            o->period = plaudit_period_parse(argv[++i]);
            if (o->period < PLAUDIT_PERIOD_DAY || o->period > PLAUDIT_PERIOD_YEAR) {
                usage_error("--period: \"%s\" is not day, week, month, quarter or year", argv[i]);
                return -1;
            }
        } else if ((is_report && (!strcmp(a, "--from") || !strcmp(a, "--to"))) ||
                   (is_whatif && !strcmp(a, "--from"))) {
            NEED_VALUE();
            int64_t *t = !strcmp(a, "--from") ? &o->from : &o->to;
            o->has_from |= is_whatif;
            if (parse_time(argv[++i], t)) {
                usage_error("%s: \"%s\" is not Unix seconds or YYYY-MM-DD", a, argv[i]);
                return -1;
            }
        } else if (is_report && (!strcmp(a, "--quiet-days") || !strcmp(a, "--quiet-max"))) {
            NEED_VALUE();
            long v;
            if (parse_long(argv[++i], 1, !strcmp(a, "--quiet-days") ? 3660 : 1000000, &v)) {
                usage_error("%s: \"%s\" is not a number in range", a, argv[i]);
                return -1;
            }
            if (!strcmp(a, "--quiet-days")) o->quiet_days = v;
            else o->quiet_max = v;
        } else if (!strcmp(a, "--")) {
            for (i++; i < argc; i++) {
                if (o->n_args >= 4) break;
                o->args[o->n_args++] = argv[i];
            }
            break;
        } else if (a[0] == '-' && a[1]) {
            usage_error("%s: unknown option %s", cmd, a);
            return -1;
        } else {
            if (o->n_args >= 4) {
                usage_error("%s: too many arguments", cmd);
                return -1;
            }
            o->args[o->n_args++] = a;
        }
#undef NEED_VALUE
    }
    return 0;
}

/* ---- loading ----------------------------------------------------------------- */

/* A context; history: the points history entries each member keeps. */
static int new_ctx_history(plaudit_ctx **ctx, size_t history)
{
    plaudit_options op = PLAUDIT_OPTIONS_INIT;
    op.tzdir = getenv("TZDIR");
    op.history_per_member = history;
    if (plaudit_ctx_new(ctx, &op) != PLAUDIT_OK) {
        fprintf(stderr, "%s: cannot create a context (out of memory)\n", prog);
        return EXIT_INTERNAL;
    }
    return EXIT_OKAY;
}

static int new_ctx(plaudit_ctx **ctx) { return new_ctx_history(ctx, 0); }

static int load_program(plaudit_ctx *ctx, const char *path)
{
    if (plaudit_program_load_file(ctx, path) != PLAUDIT_OK) {
        const char *msg = plaudit_errmsg(ctx);
        /* File errors already start with the path. */
        if (!strncmp(msg, path, strlen(path)) && msg[strlen(path)] == ':') fprintf(stderr, "%s\n", msg);
        else fprintf(stderr, "%s: %s\n", path, msg);
        return EXIT_PROGRAM;
    }
    return EXIT_OKAY;
}

/* A whole file as a NUL-terminated string (caller frees), NULL after a
 * message. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, len = 0, k;
    char *b = malloc(cap + 1);
    while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
        len += k;
        if (len == cap) {
            char *nb = cap < PLAUDIT_DEFAULT_MAX_PROGRAM_BYTES ? realloc(b, cap * 2 + 1) : NULL;
            if (!nb) {
                fprintf(stderr, "%s: %s: too large\n", prog, path);
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    if (b && ferror(f)) {
        fprintf(stderr, "%s: %s: read error\n", prog, path);
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[len] = '\0';
    return b;
}

static int feed(plaudit_ctx **ctxs, const char **labels, int n, const char *path, const opts *o)
{
    feed_opts f = {o->trace, o->quiet, o->progress, o->store != NULL, o->moments, o->switch_doc, o->from, o->args[2]};
    return plaudit_feed(ctxs, labels, n, path, &f);
}

static int finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output: %s\n", prog, strerror(errno));
        return EXIT_IO;
    }
    return EXIT_OKAY;
}

/* ---- check ------------------------------------------------------------------------------ */

/* "per day", ..., and "in all" for the period that never rolls over. */
static const char *per_phrase(const char *per, char *buf, size_t n)
{
    if (per && !strcmp(per, "all")) snprintf(buf, n, "in all");
    else snprintf(buf, n, "per %s", per ? per : "?");
    return buf;
}

static void print_cap(json_t *cap)
{
    json_t *p = json_object_get(cap, "points"), *c = json_object_get(cap, "count");
    char per[32];
    per_phrase(json_string_value(json_object_get(cap, "per")), per, sizeof per);
    if (p) printf(", at most %" JSON_INTEGER_FORMAT " points %s", json_integer_value(p), per);
    if (c) printf(", at most %" JSON_INTEGER_FORMAT " earning occurrences %s", json_integer_value(c), per);
}

static void print_thresholds(json_t *v)
{
    if (json_is_integer(v)) {
        printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) printf("%s%" JSON_INTEGER_FORMAT, i ? " / " : "", json_integer_value(x));
    printf(" (%zu levels)", json_array_size(v));
}

static void print_name(json_t *o)
{
    const char *name = json_string_value(json_object_get(o, "name"));
    if (name) printf(" \"%s\"", name);
}

/* A rule in the library's words (format 2 rules). */
static void print_sentence(plaudit_ctx *ctx, const char *kind, json_t *x, const char *sep)
{
    char *s = NULL;
    if (plaudit_rule_sentence(ctx, kind, json_string_value(json_object_get(x, "id")), &s, NULL) != PLAUDIT_OK) return;
    printf("%s%s", sep, s);
    plaudit_free(ctx, s);
}

static int cmd_check(const opts *o)
{
    if (o->n_args != 1) {
        usage_error("check: expected PROGRAM");
        return EXIT_USAGE;
    }
    plaudit_ctx *ctx;
    int rc = new_ctx(&ctx);
    if (rc) return rc;
    if ((rc = load_program(ctx, o->args[0]))) {
        plaudit_ctx_free(ctx);
        return rc;
    }
    char *doc;
    if (plaudit_program_export_json(ctx, &doc, NULL) != PLAUDIT_OK) {
        fprintf(stderr, "%s: %s\n", prog, plaudit_errmsg(ctx));
        plaudit_ctx_free(ctx);
        return EXIT_INTERNAL;
    }
    if (o->export_prog) {
        fputs(doc, stdout);
        plaudit_free(ctx, doc);
        plaudit_ctx_free(ctx);
        return finish_stdout();
    }
    json_error_t e;
    json_t *p = json_loads(doc, 0, &e);
    plaudit_free(ctx, doc);
    plaudit_program_info info;
    plaudit_program_info_get(ctx, &info);
    if (!p) {
        plaudit_ctx_free(ctx);
        return EXIT_INTERNAL;
    }
    printf("%s: valid program \"%s\" (plaudit.program/%d)\n", o->args[0], info.name ? info.name : "", info.format);
    if (info.timezone) printf("local time: %s\n", info.timezone);
    else if (!info.utc_offset_minutes) printf("local time: UTC\n");
    else {
        int m = info.utc_offset_minutes < 0 ? -info.utc_offset_minutes : info.utc_offset_minutes;
        printf("local time: UTC%c%02d:%02d\n", info.utc_offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
    }
    plaudit_window_info wi;
    if (plaudit_window_info_get(ctx, &wi) == PLAUDIT_OK && wi.window_s)
        printf("reorder window: %" PRId64 " s (events are put back in time order before they are processed)\n",
               wi.window_s);
    printf("%zu actions, %zu tiers, %zu badges, %zu segments, %zu leaderboards, %s, %zu rewards\n", info.n_actions,
           info.n_tiers, info.n_badges, info.n_segments, info.n_leaderboards, info.has_kudos ? "kudos" : "no kudos",
           info.n_rewards);
    uint64_t member_bytes = 0;
    if (plaudit_program_member_bytes(ctx, &member_bytes) == PLAUDIT_OK)
        printf("state per member: %" PRIu64 " bytes (counters, trackers and leaderboard slots; the limit is %u, "
               "max_member_bytes)\n",
               member_bytes, PLAUDIT_DEFAULT_MAX_MEMBER_BYTES);
    size_t i;
    json_t *x;
    json_t *arr = json_object_get(p, "actions");
    if (json_array_size(arr)) printf("\nactions\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s %" JSON_INTEGER_FORMAT " points", json_string_value(json_object_get(x, "id")),
               json_integer_value(json_object_get(x, "points")));
        if (json_is_true(json_object_get(x, "once"))) printf(", first time only");
        json_t *cd = json_object_get(x, "cooldown_s");
        if (cd) printf(", cooldown %" JSON_INTEGER_FORMAT " s", json_integer_value(cd));
        json_t *cap = json_object_get(x, "cap");
        if (cap) print_cap(cap);
        printf("\n");
    }
    arr = json_object_get(p, "tiers");
    /* Tiers are declared lowest first: a tier asking fewer points than the
     * one below it is most likely a mistake (it is valid, so a warning). */
    for (i = 1; i < json_array_size(arr); i++) {
        json_t *lo = json_array_get(arr, i - 1), *hi = json_array_get(arr, i);
        json_int_t a = json_integer_value(json_object_get(lo, "min_points"));
        json_int_t b = json_integer_value(json_object_get(hi, "min_points"));
        if (b < a)
            fprintf(stderr,
                    "%s: warning: tier \"%s\" needs %" JSON_INTEGER_FORMAT " points, fewer than the tier below it, \"%s\" (%" JSON_INTEGER_FORMAT
                    "): tiers go from lowest to highest\n",
                    o->args[0], json_string_value(json_object_get(hi, "id")), b,
                    json_string_value(json_object_get(lo, "id")), a);
    }
    if (json_array_size(arr)) printf("\ntiers (lowest first)\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s", json_string_value(json_object_get(x, "id")));
        json_t *w = json_object_get(x, "window");
        printf(" %" JSON_INTEGER_FORMAT " points", json_integer_value(json_object_get(x, "min_points")));
        if (w) printf(" in one %s (qualification: held through the next %s)", json_string_value(w), json_string_value(w));
        json_t *v = json_object_get(x, "min_distinct_actions");
        if (v) printf(", %" JSON_INTEGER_FORMAT " distinct actions", json_integer_value(v));
        v = json_object_get(x, "min_tenure_days");
        if (v) printf(", %" JSON_INTEGER_FORMAT " days of tenure", json_integer_value(v));
        if (json_is_true(json_object_get(x, "lifetime"))) printf(", lifetime");
        print_name(x);
        if (json_object_get(x, "benefits")) print_sentence(ctx, "tier", x, "; ");
        printf("\n");
    }
    arr = json_object_get(p, "badges");
    if (json_array_size(arr)) printf("\nbadges\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s ", json_string_value(json_object_get(x, "id")));
        json_t *w = json_object_get(x, "when");
        int sentence = 0; /* the engine's sentence, which says "again every ..." itself */
        if (!w) {
            printf("given by award events");
        } else if (json_object_get(w, "all") || json_object_get(x, "from") || json_object_get(x, "until")) {
            print_sentence(ctx, "badge", x, "");
            sentence = 1;
        } else if (json_object_get(w, "action")) {
            const char *act = json_string_value(json_object_get(w, "action"));
            json_t *c = json_object_get(w, "count");
            if (c) {
                print_thresholds(c);
                printf(" x %s", act);
                json_t *in = json_object_get(w, "within");
                if (in) printf(" in one %s", json_string_value(in));
            } else {
                printf("%s in ", act);
                print_thresholds(json_object_get(w, "streak"));
                printf(" consecutive %ss", json_string_value(json_object_get(w, "per")));
            }
        } else if (json_object_get(w, "tier")) {
            printf("holds tier %s or higher", json_string_value(json_object_get(w, "tier")));
        } else if (json_object_get(w, "leaderboard")) {
            printf("top %" JSON_INTEGER_FORMAT " of %s when its period closes",
                   json_integer_value(json_object_get(w, "top")), json_string_value(json_object_get(w, "leaderboard")));
        } else {
            const char *k = json_object_iter_key(json_object_iter(w));
            print_thresholds(json_object_get(w, k));
            if (!strcmp(k, "tenure_days")) printf(" days of tenure");
            else
                for (printf(" "); *k; k++) putchar(*k == '_' ? ' ' : *k);
        }
        json_t *b = json_object_get(x, "bonus");
        if (sentence) {
            if (b) printf(" Bonus %" JSON_INTEGER_FORMAT " points.", json_integer_value(b));
            if (json_is_true(json_object_get(x, "hidden"))) printf(" Hidden.");
        } else {
            if (b) printf("; bonus %" JSON_INTEGER_FORMAT, json_integer_value(b));
            if (json_is_true(json_object_get(x, "repeatable"))) printf("; repeatable");
            if (json_is_true(json_object_get(x, "hidden"))) printf("; hidden");
        }
        printf("\n");
    }
    arr = json_object_get(p, "segments");
    if (json_array_size(arr)) printf("\nsegments\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s", json_string_value(json_object_get(x, "id")));
        const char *k;
        json_t *v;
        int first = 1;
        json_object_foreach(json_object_get(x, "weights"), k, v) {
            printf("%s %s x%" JSON_INTEGER_FORMAT, first ? "" : ",", k, json_integer_value(v));
            first = 0;
        }
        printf("\n");
    }
    arr = json_object_get(p, "leaderboards");
    if (json_array_size(arr)) printf("\nleaderboards\n");
    json_array_foreach(arr, i, x) {
        char per[32];
        const char *period = json_string_value(json_object_get(x, "period"));
        if (period && !strcmp(period, "all")) snprintf(per, sizeof per, "all time");
        else per_phrase(period, per, sizeof per);
        printf("  %-24s %s, top %" JSON_INTEGER_FORMAT " listed", json_string_value(json_object_get(x, "id")), per,
               json_integer_value(json_object_get(x, "size")));
        json_t *s = json_object_get(x, "segment");
        if (s) printf(", segment %s only", json_string_value(s));
        if (json_object_get(x, "by") || json_object_get(x, "from")) print_sentence(ctx, "leaderboard", x, "; ");
        printf("\n");
    }
    arr = json_object_get(p, "campaigns");
    if (json_array_size(arr)) printf("\ncampaigns\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s", json_string_value(json_object_get(x, "id")));
        print_sentence(ctx, "campaign", x, " ");
        printf("\n");
    }
    json_t *k = json_object_get(p, "kudos");
    if (k) {
        printf("\nkudos\n  %" JSON_INTEGER_FORMAT " points to the receiver", json_integer_value(json_object_get(k, "points")));
        json_t *cap = json_object_get(k, "cap");
        if (cap) print_cap(cap);
        json_t *g = json_object_get(k, "give_cap");
        if (g) {
            char per[32];
            printf(", at most %" JSON_INTEGER_FORMAT " given %s", json_integer_value(json_object_get(g, "count")),
                   per_phrase(json_string_value(json_object_get(g, "per")), per, sizeof per));
        }
        printf("\n");
    }
    arr = json_object_get(p, "rewards");
    if (json_array_size(arr)) printf("\nrewards\n");
    json_array_foreach(arr, i, x) {
        printf("  %-24s costs %" JSON_INTEGER_FORMAT, json_string_value(json_object_get(x, "id")),
               json_integer_value(json_object_get(x, "cost")));
        json_t *s = json_object_get(x, "stock");
        if (s) printf(", stock %" JSON_INTEGER_FORMAT, json_integer_value(s));
        printf("\n");
    }
    json_decref(p);
    plaudit_ctx_free(ctx);
    return finish_stdout();
}

/* ---- replay ------------------------------------------------------------------------------- */

static int print_state(plaudit_ctx *ctx)
{
    char *state;
    size_t len;
    if (plaudit_state_export(ctx, &state, &len) != PLAUDIT_OK) {
        fprintf(stderr, "%s: %s\n", prog, plaudit_errmsg(ctx));
        return EXIT_INTERNAL;
    }
    fwrite(state, 1, len, stdout);
    plaudit_free(ctx, state);
    return finish_stdout();
}

static int attach_store(plaudit_ctx *ctx, const char *dir, const opts *o);
static int finish_store(plaudit_ctx *ctx, const char *dir);

static int cmd_replay(const opts *o)
{
    if (o->n_args != 2) {
        usage_error("replay: expected PROGRAM EVENTS");
        return EXIT_USAGE;
    }
    plaudit_ctx *ctx;
    /* a store keeps the points history too, for `plaudit member --store` */
    int rc = new_ctx_history(&ctx, o->store ? 100 : 0);
    if (rc) return rc;
    if (!(rc = load_program(ctx, o->args[0])) && !(rc = o->moments ? plaudit_moments_open(ctx, o->moments) : 0) &&
        !(rc = o->store ? attach_store(ctx, o->store, o) : 0) && !(rc = feed(&ctx, NULL, 1, o->args[1], o)) &&
        !(rc = o->store ? finish_store(ctx, o->store) : 0))
        rc = print_state(ctx);
    plaudit_ctx_free(ctx);
    plaudit_moments_close();
    return rc;
}

/* ---- what-if ------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Sorted member ids of a context (caller frees the array). */
static const char **member_ids(plaudit_ctx *ctx, size_t *n)
{
    uint64_t cnt = plaudit_member_count(ctx);
    const char **ids = malloc((size_t)(cnt ? cnt : 1) * sizeof *ids);
    if (!ids) return NULL;
    size_t got = 0;
    uint64_t next = 0;
    while (next < cnt) {
        size_t k;
        if (plaudit_member_list(ctx, next, (size_t)(cnt - next), ids + got, &k, &next) != PLAUDIT_OK) break;
        got += k;
        if (!k) break;
    }
    qsort(ids, got, sizeof *ids, cmp_str);
    *n = got;
    return ids;
}

static const char *pick_board(plaudit_ctx *a, plaudit_ctx *b, const char *want)
{
    if (want) return want;
    /* Boards of `a` via its exported program (the public API lists none). */
    char *doc;
    if (plaudit_program_export_json(a, &doc, NULL) != PLAUDIT_OK) return NULL;
    json_t *p = json_loads(doc, 0, NULL);
    plaudit_free(a, doc);
    static char chosen[80];
    chosen[0] = '\0';
    size_t i;
    json_t *x;
    for (int pass = 0; pass < 2 && !chosen[0]; pass++) {
        json_array_foreach(json_object_get(p, "leaderboards"), i, x) {
            const char *id = json_string_value(json_object_get(x, "id"));
            const char *per = json_string_value(json_object_get(x, "period"));
            uint64_t cnt;
            if (pass == 0 && strcmp(per, "all")) continue;
            if (plaudit_leaderboard_count(b, id, &cnt) != PLAUDIT_OK) continue;
            snprintf(chosen, sizeof chosen, "%s", id);
            break;
        }
    }
    json_decref(p);
    return chosen[0] ? chosen : NULL;
}

typedef struct mview {
    int exists;
    plaudit_member_info info;
    uint64_t rank;
    json_t *badges; /* {"id": level-or-times} */
} mview;

static void view(plaudit_ctx *ctx, const char *member, const char *board, mview *v)
{
    memset(v, 0, sizeof *v);
    v->badges = json_object();
    if (plaudit_member_get(ctx, member, &v->info) != PLAUDIT_OK) return;
    v->exists = 1;
    int64_t score;
    if (board) plaudit_leaderboard_rank(ctx, board, member, &v->rank, &score);
    const plaudit_badge_earned *be;
    size_t n;
    if (plaudit_member_badges(ctx, member, &be, &n) == PLAUDIT_OK)
        for (size_t i = 0; i < n; i++)
            json_object_set_new(v->badges, be[i].badge, json_integer(be[i].times > 1 ? be[i].times : be[i].level));
}

static const char *nz(const char *s) { return s ? s : "none"; }

static int cmd_whatif(const opts *o)
{
    if (o->n_args != 3) {
        usage_error(o->has_from ? "what-if --from TS: expected PROGRAM EVENTS NEW" : "what-if: expected OLD NEW EVENTS");
        return EXIT_USAGE;
    }
    plaudit_ctx *c[2] = {NULL, NULL};
    int rc;
    char *newdoc = NULL;
    opts fo = *o;
    const char *labels[2] = {o->args[0], o->args[1]};
    if ((rc = new_ctx(&c[0])) || (rc = new_ctx(&c[1]))) goto out;
    if (o->has_from) {
        /* PROGRAM EVENTS NEW: both start from PROGRAM; the second switches */
        if ((rc = load_program(c[0], o->args[0])) || (rc = load_program(c[1], o->args[0]))) goto out;
        if (!(newdoc = slurp(o->args[2]))) {
            rc = EXIT_IO;
            goto out;
        }
        fo.switch_doc = newdoc;
        labels[0] = "without the change";
        labels[1] = "with the change";
        if ((rc = feed(c, labels, 2, o->args[1], &fo))) goto out;
    } else {
        if ((rc = load_program(c[0], o->args[0])) || (rc = load_program(c[1], o->args[1]))) goto out;
        if (!strcmp(o->args[0], o->args[1])) {
            labels[0] = "old";
            labels[1] = "new";
        }
        if ((rc = feed(c, labels, 2, o->args[2], o))) goto out;
    }
    const char *board = pick_board(c[0], c[1], o->board);
    uint64_t tmp;
    if (board && (plaudit_leaderboard_count(c[0], board, &tmp) || plaudit_leaderboard_count(c[1], board, &tmp))) {
        fprintf(stderr, "%s: leaderboard \"%s\" is not declared by both programs\n", prog, board);
        rc = EXIT_USAGE;
        goto out;
    }
    size_t n0, n1;
    const char **ids0 = member_ids(c[0], &n0), **ids1 = member_ids(c[1], &n1);
    if (!ids0 || !ids1) {
        free(ids0);
        free(ids1);
        rc = EXIT_INTERNAL;
        goto out;
    }
    json_t *js = json_array();
    size_t i = 0, j = 0, changed = 0, total = 0, ch_tier = 0, ch_badges = 0, ch_points = 0, ch_rank = 0;
    while (i < n0 || j < n1) {
        int cmp = i >= n0 ? 1 : j >= n1 ? -1 : strcmp(ids0[i], ids1[j]);
        const char *id = cmp <= 0 ? ids0[i] : ids1[j];
        if (cmp <= 0) i++;
        if (cmp >= 0) j++;
        total++;
        mview a, b;
        view(c[0], id, board, &a);
        view(c[1], id, board, &b);
        int d_tier = a.exists != b.exists || strcmp(nz(a.info.tier), nz(b.info.tier)) != 0;
        int d_points = a.info.points != b.info.points;
        int d_rank = board && a.rank != b.rank;
        int d_badges = !json_equal(a.badges, b.badges);
        if (d_tier || d_points || d_rank || d_badges) {
            changed++;
            ch_tier += d_tier;
            ch_points += d_points;
            ch_rank += d_rank;
            ch_badges += d_badges;
            json_t *e = json_object();
            json_object_set_new(e, "member", json_string(id));
            if (!o->json) printf("%s:", id);
            if (!a.exists || !b.exists) {
                if (!o->json)
                    printf(" %s", o->has_from ? (a.exists ? "only without the change" : "only with the change")
                                              : (a.exists ? "only under OLD" : "only under NEW"));
                json_object_set_new(e, "only_under", json_string(a.exists ? "old" : "new"));
            }
            if (d_tier) {
                if (!o->json) printf(" tier %s -> %s;", nz(a.info.tier), nz(b.info.tier));
                json_object_set_new(e, "tier", json_pack("[s?s?]", a.info.tier, b.info.tier));
            }
            if (d_points) {
                if (!o->json)
                    printf(" points %" PRId64 " -> %" PRId64 " (%+" PRId64 ");", a.info.points, b.info.points,
                           b.info.points - a.info.points);
                json_object_set_new(e, "points", json_pack("[II]", (json_int_t)a.info.points, (json_int_t)b.info.points));
            }
            if (d_badges) {
                const char *k;
                json_t *v;
                if (!o->json) printf(" badges");
                json_object_foreach(b.badges, k, v) {
                    json_t *old = json_object_get(a.badges, k);
                    if (!old || !json_equal(old, v)) {
                        if (!o->json) {
                            if (old) printf(" %s %" JSON_INTEGER_FORMAT "->%" JSON_INTEGER_FORMAT, k, json_integer_value(old), json_integer_value(v));
                            else printf(" +%s", k);
                        }
                    }
                }
                json_object_foreach(a.badges, k, v) {
                    if (!json_object_get(b.badges, k)) {
                        if (!o->json) printf(" -%s", k);
                    }
                }
                if (!o->json) printf(";");
                json_object_set_new(e, "badges", json_pack("{s:o,s:o}", "old", json_incref(a.badges), "new", json_incref(b.badges)));
            }
            if (d_rank) {
                if (!o->json) {
                    printf(" rank on %s ", board);
                    if (a.rank) printf("%" PRIu64, a.rank);
                    else printf("unranked");
                    printf(" -> ");
                    if (b.rank) printf("%" PRIu64, b.rank);
                    else printf("unranked");
                    printf(";");
                }
                json_object_set_new(e, "rank", json_pack("[II]", (json_int_t)a.rank, (json_int_t)b.rank));
            }
            if (!o->json) printf("\n");
            json_array_append_new(js, e);
        }
        json_decref(a.badges);
        json_decref(b.badges);
    }
    if (o->json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "format", json_string("plaudit.what-if/1"));
        if (o->has_from) json_object_set_new(doc, "from", json_integer((json_int_t)o->from));
        json_object_set_new(doc, "leaderboard", board ? json_string(board) : json_null());
        json_object_set_new(doc, "members", json_integer((json_int_t)total));
        json_object_set_new(doc, "changed", json_integer((json_int_t)changed));
        json_object_set_new(doc, "changes", json_incref(js));
        json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        printf("\n");
        json_decref(doc);
    } else {
        printf("%s%zu of %zu members would change: %zu tier, %zu badges, %zu points", changed ? "\n" : "", changed,
               total, ch_tier, ch_badges, ch_points);
        if (board) printf(", %zu rank on %s", ch_rank, board);
        printf("\n");
    }
    json_decref(js);
    free(ids0);
    free(ids1);
    rc = finish_stdout();
out:
    free(newdoc);
    plaudit_ctx_free(c[0]);
    plaudit_ctx_free(c[1]);
    return rc;
}

/* ---- report ---------------------------------------------------------------------------------- */

static void ymd(int64_t ts, char out[16])
{
    time_t t = (time_t)ts;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static int cmd_report(const opts *o)
{
    if (o->n_args != 2) {
        usage_error("report: expected PROGRAM EVENTS");
        return EXIT_USAGE;
    }
    if (o->from != PLAUDIT_ANALYTICS_OPEN && o->to != PLAUDIT_ANALYTICS_OPEN && o->to <= o->from) {
        usage_error("report: --to must be after --from");
        return EXIT_USAGE;
    }
    plaudit_ctx *ctx;
    int rc = new_ctx(&ctx);
    if (rc) return rc;
    plaudit_analytics_options ao = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    ao.period = o->period;
    ao.quiet_days = o->quiet_days;
    ao.quiet_max = (size_t)o->quiet_max;
    if ((rc = load_program(ctx, o->args[0]))) goto out;
    if (plaudit_analytics_enable(ctx, &ao) != PLAUDIT_OK) {
        fprintf(stderr, "%s: %s\n", prog, plaudit_errmsg(ctx));
        rc = EXIT_INTERNAL;
        goto out;
    }
    if ((rc = feed(&ctx, NULL, 1, o->args[1], o))) goto out;
    plaudit_analytics a;
    if (plaudit_analytics_get(ctx, &a, o->from, o->to) != PLAUDIT_OK) {
        fprintf(stderr, "%s: %s\n", prog, plaudit_errmsg(ctx));
        rc = EXIT_INTERNAL;
        goto out;
    }
    char window[64], f[16], t[16];
    if (o->from == PLAUDIT_ANALYTICS_OPEN && o->to == PLAUDIT_ANALYTICS_OPEN) snprintf(window, sizeof window, "all time");
    else if (o->to == PLAUDIT_ANALYTICS_OPEN) ymd(o->from, f), snprintf(window, sizeof window, "from %s", f);
    else if (o->from == PLAUDIT_ANALYTICS_OPEN) ymd(o->to, t), snprintf(window, sizeof window, "before %s", t);
    else ymd(o->from, f), ymd(o->to, t), snprintf(window, sizeof window, "%s to %s", f, t);
    if (o->json) {
        if (report_json(stdout, ctx, &a, window, o->period)) rc = EXIT_INTERNAL;
    } else {
        report_text(stdout, ctx, &a, window, o->period);
    }
    if (o->html) {
        FILE *h = fopen(o->html, "w");
        if (!h) {
            fprintf(stderr, "%s: %s: %s\n", prog, o->html, strerror(errno));
            rc = EXIT_IO;
            goto out;
        }
        report_html(h, ctx, &a, window, o->period);
        if (fclose(h) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, o->html, strerror(errno));
            rc = EXIT_IO;
            goto out;
        }
    }
    if (!rc) rc = finish_stdout();
out:
    plaudit_ctx_free(ctx);
    return rc;
}

/* ---- store ------------------------------------------------------------------------------------ */

#ifdef PLAUDIT_FILE_STORE_CREATE
/* Open (or create) the file store in dir and recover the context from it.
 * Batched syncs: a crash of the process loses nothing that was accepted
 * (records are written before an event is acknowledged); a power failure
 * may lose the last few, which running the same command again re-applies
 * from the events file. */
static int attach_store(plaudit_ctx *ctx, const char *dir, const opts *o)
{
    plaudit_store st;
    if (plaudit_file_store_open(ctx, &st, dir, PLAUDIT_FILE_STORE_CREATE | PLAUDIT_FILE_STORE_ARCHIVE, 0) !=
        PLAUDIT_OK) {
        fprintf(stderr, "%s: --store %s: %s\n", prog, dir, plaudit_errmsg(ctx));
        return EXIT_STORE;
    }
    plaudit_store_options so = PLAUDIT_STORE_OPTIONS_INIT;
    so.sync = PLAUDIT_SYNC_BATCH;
    so.sync_every_n = 4096;
    so.sync_every_ms = 250;
    if (plaudit_store_attach(ctx, &st, &so) != PLAUDIT_OK) {
        fprintf(stderr, "%s: --store %s: %s\n", prog, dir, plaudit_errmsg(ctx));
        plaudit_store_close(&st);
        return EXIT_STORE;
    }
    plaudit_recovery r;
    if (plaudit_store_recovery_get_version(ctx, &r, PLAUDIT_RECOVERY_VERSION) != PLAUDIT_OK) memset(&r, 0, sizeof r);
    if (!o->quiet && (r.snapshot || r.records)) {
        fprintf(stderr, "%s: --store %s: recovered %s%" PRIu64 " journaled events", prog, dir,
                r.snapshot ? "a snapshot and " : "", r.replayed);
        if (r.arrivals)
            fprintf(stderr, " (%" PRIu64 " of them arrivals of events the reorder window held)", r.arrivals);
        if (r.retroactive) fprintf(stderr, " (the program changed: the whole history was replayed under it)");
        if (r.torn_records)
            fprintf(stderr, " (dropped a torn last record of %" PRIu64 " bytes: an append a crash cut short)",
                    r.torn_bytes);
        fprintf(stderr, "\n");
    }
    /* What a retroactive replay changed, member by member: said even with
     * --quiet (members' standing changed without an event). */
    if (r.changed_members) {
        fprintf(stderr, "%s: --store %s: the retroactive replay changed %" PRIu64 " member%s:\n", prog, dir,
                r.changed_members, r.changed_members == 1 ? "" : "s");
        static const char *const what_names[] = {"tier", "badges", "points", "balance (redemptions)",
                                                 "exists under one program only"};
        for (size_t i = 0; i < r.changed_members; i++) {
            const char *who;
            unsigned what;
            if (plaudit_store_recovery_change(ctx, i, &who, &what) != PLAUDIT_OK) break;
            fprintf(stderr, "  %s:", who);
            for (unsigned b = 0, first = 1; b < 5; b++)
                if (what & (1u << b)) {
                    fprintf(stderr, "%s %s", first ? "" : ",", what_names[b]);
                    first = 0;
                }
            fprintf(stderr, "\n");
        }
    }
    /* Data loss, not a crash artifact: said even with --quiet. */
    if (r.damaged_records)
        fprintf(stderr,
                "%s: warning: --store %s: dropped %" PRIu64 " damaged journal record%s (%" PRIu64
                " bytes at the end, complete but failing its checksum): its event may have been acknowledged and "
                "is lost\n",
                prog, dir, r.damaged_records, r.damaged_records == 1 ? "" : "s", r.torn_bytes);
    return EXIT_OKAY;
}

/* Snapshot (so the next start is fast) and let go of the store. */
static int finish_store(plaudit_ctx *ctx, const char *dir)
{
    if (plaudit_store_snapshot(ctx) != PLAUDIT_OK || plaudit_store_detach(ctx) != PLAUDIT_OK) {
        fprintf(stderr, "%s: --store %s: %s\n", prog, dir, plaudit_errmsg(ctx));
        return EXIT_STORE;
    }
    return EXIT_OKAY;
}
#else
static int attach_store(plaudit_ctx *ctx, const char *dir, const opts *o)
{
    (void)ctx;
    (void)o;
    fprintf(stderr, "%s: --store %s: this build of libplaudit has no file store\n", prog, dir);
    return EXIT_STORE;
}

static int finish_store(plaudit_ctx *ctx, const char *dir)
{
    (void)ctx;
    (void)dir;
    return EXIT_OKAY;
}
#endif

/* ---- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_error("no command given");
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        print_usage();
        return finish_stdout();
    }
    if (!strcmp(cmd, "--version")) {
        printf("plaudit %s (libplaudit %s)\n", PLAUDIT_VERSION_STRING, plaudit_version());
        return finish_stdout();
    }
    if (!plaudit_has_json()) {
        fprintf(stderr, "%s: libplaudit was built without JSON support\n", prog);
        return EXIT_INTERNAL;
    }
    if ((!strcmp(cmd, "credential") || !strcmp(cmd, "serve") || !strcmp(cmd, "member")) &&
        wants_help(argc - 2, argv + 2)) {
        print_command_usage(cmd);
        return finish_stdout();
    }
    if (!strcmp(cmd, "credential")) return plaudit_cmd_credential(argc - 1, argv + 1);
    if (!strcmp(cmd, "member")) return plaudit_cmd_member(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve")) {
#ifdef PLAUDIT_TOOL_HTTP
        return plaudit_cmd_serve(argc - 1, argv + 1);
#else
        fprintf(stderr, "%s serve: this plaudit was built without HTTP support (it needs libmicrohttpd: install "
                        "libmicrohttpd-dev and build with -Dhttp=enabled)\n",
                prog);
        return EXIT_INTERNAL;
#endif
    }
    static const struct {
        const char *name;
        int (*fn)(const opts *);
    } cmds[] = {{"check", cmd_check}, {"replay", cmd_replay}, {"what-if", cmd_whatif}, {"report", cmd_report}};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        if (strcmp(cmd, cmds[i].name)) continue;
        opts o;
        int r = parse_opts(argc - 2, argv + 2, cmd, &o);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) return finish_stdout();
        return cmds[i].fn(&o);
    }
    usage_error("unknown command \"%s\"", cmd);
    return EXIT_USAGE;
}
