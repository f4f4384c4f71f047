/* credential-gen.c - writes every credential a replay earns, for the schema
 * test (test-credential-schema.py).
 *
 * Usage: credential-gen PROGRAM.json EVENTS.jsonl
 * Loads the program, records the events, then for every member, every badge
 * it earned and every level / time of it, prints a JSON "meta" object
 * (member, badge, k, mode, email, salt) followed by the credential, cycling
 * through the subject modes (template, callback, hashed email with and
 * without salt) and two issuer profiles (minimal and full). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <plaudit.h>

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *p = malloc(cap);
    size_t r;
    while (p && (r = fread(p + len, 1, cap - len - 1, f)) > 0) {
        len += r;
        if (cap - len - 1 == 0) p = realloc(p, cap *= 2);
    }
    fclose(f);
    if (p) p[len] = '\0';
    *n = len;
    return p;
}

static char subject_buf[512];
static const char *subject_cb(const char *member, void *payload)
{
    (void)payload;
    snprintf(subject_buf, sizeof subject_buf, "did:example:%zu-%02x", strlen(member), (unsigned char)member[0]);
    return subject_buf;
}

static char email_buf[512];
static const char SALT[] = "s@lt \"x\"";
static int email_cb(const char *member, const char **email, const char **salt, void *payload)
{
    snprintf(email_buf, sizeof email_buf, "%s@community.example", member);
    *email = email_buf;
    *salt = payload ? SALT : NULL;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PROGRAM.json EVENTS.jsonl\n", argv[0]);
        return 2;
    }
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, NULL)) return 1;
    if (plaudit_program_load_file(ctx, argv[1])) {
        fprintf(stderr, "program: %s\n", plaudit_errmsg(ctx));
        return 1;
    }
    size_t n;
    char *events = slurp(argv[2], &n);
    if (!events) return 1;
    for (char *line = events; *line;) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) : strlen(line);
        int rc = plaudit_record_json(ctx, line, l, NULL);
        if (rc < 0 && rc != PLAUDIT_ENOTFOUND) {
            fprintf(stderr, "event \"%.*s\": %s\n", (int)l, line, plaudit_errmsg(ctx));
            return 1;
        }
        line += l + (nl != NULL);
    }
    free(events);

    unsigned count = 0;
    uint64_t nm = plaudit_member_count(ctx);
    for (uint64_t i = 0; i < nm; i++) {
        const char *member;
        size_t got;
        uint64_t next;
        if (plaudit_member_list(ctx, i, 1, &member, &got, &next) || got != 1) return 1;
        const plaudit_badge_earned *eb;
        size_t nb;
        if (plaudit_member_badges(ctx, member, &eb, &nb)) return 1;
        /* Copy: exporting does not invalidate, but be safe. */
        plaudit_badge_earned *earned = malloc(sizeof *earned * (nb ? nb : 1));
        memcpy(earned, eb, sizeof *earned * nb);
        for (size_t j = 0; j < nb; j++) {
            uint32_t kmax = earned[j].level > earned[j].times ? earned[j].level : earned[j].times;
            for (uint32_t k = 0; k <= kmax; k++) {
                plaudit_credential_options o = PLAUDIT_CREDENTIAL_OPTIONS_INIT;
                o.issuer_id = "https://community.example/issuer";
                o.issuer_name = "Acme \"Advocates\" — Community";
                o.base_url = "https://community.example/badges/";
                if (count % 2) {
                    o.issuer_url = "https://community.example/";
                    o.issuer_email = "badges@community.example";
                    o.issuer_image = "https://community.example/logo.png";
                }
                const char *mode, *salt = NULL;
                switch (count % 4) {
                case 0: mode = "template"; o.subject_template = "https://community.example/members/{member}"; break;
                case 1: mode = "callback"; o.subject_id = subject_cb; break;
                case 2: mode = "email"; o.subject_email = email_cb; o.payload = &count; salt = SALT; break;
                default: mode = "email"; o.subject_email = email_cb; break;
                }
                count++;
                char *doc;
                size_t len;
                int rc = plaudit_credential_export(ctx, member, earned[j].badge, k, &o, &doc, &len);
                if (rc) {
                    fprintf(stderr, "%s %s %u: %s\n", member, earned[j].badge, k, plaudit_errmsg(ctx));
                    return 1;
                }
                char email[512];
                snprintf(email, sizeof email, "%s@community.example", member);
                json_t *meta = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s?}", "member", member, "badge",
                                         earned[j].badge, "k", (json_int_t)k, "kmax", (json_int_t)kmax, "mode",
                                         mode, "email", email, "salt", salt);
                char *ms = json_dumps(meta, JSON_COMPACT);
                printf("%s\n%s", ms, doc);
                free(ms);
                json_decref(meta);
                plaudit_free(ctx, doc);
            }
        }
        free(earned);
    }
    fprintf(stderr, "%u credentials\n", count);
    plaudit_ctx_free(ctx);
    return 0;
}
