/* cmd-credential.c - `plaudit credential`: replay a program's events and
 * print a member's earned badge as an Open Badges 3.0 credential.
 *
 *   plaudit credential PROGRAM EVENTS MEMBER BADGE --issuer-id URL
 *       --issuer-name NAME --base-url URL [OPTIONS]
 *
 * Entry point for the `plaudit` tool: plaudit_cmd_credential(argc, argv),
 * with argv[0] = "credential" and the command's arguments after it; it
 * returns the process exit status.  Built alone (with
 * -DPLAUDIT_CMD_CREDENTIAL_MAIN) it is the `plaudit-credential` example. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plaudit.h>

#include "cmd-credential.h"

/* The tool's exit codes, plus one for "no such credential". */
enum {
    CR_OK = 0,
    CR_PROGRAM = 1,   /* the program file is invalid or cannot be read */
    CR_USAGE = 2,     /* bad command line */
    CR_IO = 3,        /* the events or the output cannot be read/written */
    CR_INTERNAL = 5,  /* out of memory or another library failure */
    CR_NOTEARNED = 6  /* unknown member or badge, badge or level not earned */
};

const char plaudit_cmd_credential_synopsis[] = "credential [OPTIONS] PROGRAM EVENTS MEMBER BADGE";

const char plaudit_cmd_credential_help[] =
    "      Apply the events, then print MEMBER's earned BADGE as an unsigned\n"
    "      Open Badges 3.0 OpenBadgeCredential (JSON, valid against 1EdTech's\n"
    "      schema; sign it with the issuer's key: docs/credentials.md).\n"
    "      --issuer-id URL       the issuer's id, a URL or DID (required)\n"
    "      --issuer-name NAME    the issuer's name (required)\n"
    "      --base-url URL        where achievements and credentials live\n"
    "                            (required): URL/achievements/BADGE, ...\n"
    "      --issuer-url URL, --issuer-email EMAIL, --issuer-image URL\n"
    "      --subject TEMPLATE    the member's subject id; {member} is replaced\n"
    "                            by the percent-encoded member id (default:\n"
    "                            BASE-URL/members/{member})\n"
    "      --level N             level (levelled badges) or time (repeatable,\n"
    "                            leaderboard, manual badges); default: latest\n"
    "      -o, --output FILE     write the document to FILE\n"
    "      Exit status 6: unknown member or badge, or not earned.\n";

/* "plaudit credential: <what><arg>" and the usage text. */
static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "plaudit credential: %s%s\nUsage: plaudit %s\n%s", what, arg, plaudit_cmd_credential_synopsis,
            plaudit_cmd_credential_help);
    return CR_USAGE;
}

static int replay(plaudit_ctx *ctx, const char *path, int quiet)
{
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in) {
        fprintf(stderr, "plaudit credential: %s: %s\n", path, strerror(errno));
        return CR_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long long lineno = 0;
    int rc = CR_OK;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        int r = plaudit_record_json(ctx, line, (size_t)len, NULL);
        if (r == PLAUDIT_ENOTFOUND && plaudit_errcode(ctx) == PLAUDIT_ENOTFOUND &&
            strspn(line, " \t\r\n") == (size_t)len)
            continue; /* blank line */
        if (r < 0 && !quiet) fprintf(stderr, "line %llu: %s\n", lineno, plaudit_errmsg(ctx));
    }
    if (ferror(in)) {
        fprintf(stderr, "plaudit credential: %s: read error: %s\n", path, strerror(errno));
        rc = CR_IO;
    }
    free(line);
    if (in != stdin) fclose(in);
    return rc;
}

int plaudit_cmd_credential(int argc, char **argv)
{
    const char *pos[4];
    int npos = 0, quiet = 0;
    const char *output = NULL, *subject = NULL;
    unsigned long level = 0;
    plaudit_credential_options o = PLAUDIT_CREDENTIAL_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--issuer-id")) slot = &o.issuer_id;
        else if (!strcmp(a, "--issuer-name")) slot = &o.issuer_name;
        else if (!strcmp(a, "--base-url")) slot = &o.base_url;
        else if (!strcmp(a, "--issuer-url")) slot = &o.issuer_url;
        else if (!strcmp(a, "--issuer-email")) slot = &o.issuer_email;
        else if (!strcmp(a, "--issuer-image")) slot = &o.issuer_image;
        else if (!strcmp(a, "--subject")) slot = &subject;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) slot = &output;
        if (slot || !strcmp(a, "--level")) {
            if (++i == argc) return usage("a value is needed after ", a);
            if (slot) {
                *slot = argv[i];
                continue;
            }
            char *end;
            errno = 0;
            level = strtoul(argv[i], &end, 10);
            if (errno || *end || end == argv[i] || argv[i][0] == '-' || level > 0xffffffffUL)
                return usage("--level needs a level number, not ", argv[i]);
            continue;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("Usage: plaudit %s\n\n%s", plaudit_cmd_credential_synopsis, plaudit_cmd_credential_help);
            return CR_OK;
        }
        if (a[0] == '-' && a[1]) return usage("unknown option ", a);
        if (npos == 4) return usage("too many arguments: ", a);
        pos[npos++] = a;
    }
    if (npos != 4) return usage("expected PROGRAM EVENTS MEMBER BADGE", "");
    if (!o.issuer_id) return usage("--issuer-id is required", "");
    if (!o.issuer_name) return usage("--issuer-name is required", "");
    if (!o.base_url) return usage("--base-url is required", "");

    char *deftpl = NULL;
    if (!subject) {
        size_t n = strlen(o.base_url);
        while (n > 0 && o.base_url[n - 1] == '/') n--;
        deftpl = malloc(n + sizeof "/members/{member}");
        if (!deftpl) return CR_INTERNAL;
        memcpy(deftpl, o.base_url, n);
        strcpy(deftpl + n, "/members/{member}");
        subject = deftpl;
    }
    o.subject_template = subject;

    plaudit_options op = PLAUDIT_OPTIONS_INIT;
    op.tzdir = getenv("TZDIR");
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, &op) != PLAUDIT_OK) {
        free(deftpl);
        fprintf(stderr, "plaudit credential: cannot create a context (out of memory)\n");
        return CR_INTERNAL;
    }
    int rc = CR_OK;
    char *doc = NULL;
    size_t len = 0;
    if (plaudit_program_load_file(ctx, pos[0]) != PLAUDIT_OK) {
        const char *msg = plaudit_errmsg(ctx);
        if (!strncmp(msg, pos[0], strlen(pos[0])) && msg[strlen(pos[0])] == ':') fprintf(stderr, "%s\n", msg);
        else fprintf(stderr, "%s: %s\n", pos[0], msg);
        rc = CR_PROGRAM;
        goto out;
    }
    if ((rc = replay(ctx, pos[1], quiet))) goto out;
    int r = plaudit_credential_export(ctx, pos[2], pos[3], (uint32_t)level, &o, &doc, &len);
    if (r != PLAUDIT_OK) {
        fprintf(stderr, "plaudit %s\n", plaudit_errmsg(ctx)); /* "credential: ..." */
        rc = r == PLAUDIT_ENOTFOUND || r == PLAUDIT_ERANGE ? CR_NOTEARNED
             : r == PLAUDIT_ENOMEM                       ? CR_INTERNAL
                                                         : CR_USAGE;
        goto out;
    }
    FILE *f = output ? fopen(output, "wb") : stdout;
    if (!f || fwrite(doc, 1, len, f) != len || (output ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "plaudit credential: %s: %s\n", output ? output : "standard output", strerror(errno));
        rc = CR_IO;
    }
out:
    plaudit_free(ctx, doc);
    plaudit_ctx_free(ctx);
    free(deftpl);
    return rc;
}

#ifdef PLAUDIT_CMD_CREDENTIAL_MAIN
int main(int argc, char **argv)
{
    /* `plaudit-credential ARGS` behaves as `plaudit credential ARGS`. */
    argv[0] = "credential";
    return plaudit_cmd_credential(argc, argv);
}
#endif
