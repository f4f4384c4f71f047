/* credential.c - portable recognition: a member's earned badge written as
 * an unsigned 1EdTech Open Badges 3.0 OpenBadgeCredential (W3C Verifiable
 * Credentials 2.0), deterministically.  The mapping is documented in
 * plaudit.h and docs/credentials.md; signing is left to the issuer. */
#include <stdio.h>

#include "internal.h"

#define URL_MAX 2048

static const char CTX_VC2[] = "https://www.w3.org/ns/credentials/v2";
static const char CTX_OB3[] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/* ---- small writers -------------------------------------------------------- */

/* "key": "value" on a new line at depth d, preceded by a comma unless first. */
static void kv(pl_buf *b, int d, int *first, const char *k, const char *v)
{
    if (!*first) pl_buf_puts(b, ",");
    *first = 0;
    pl_buf_indent(b, d);
    pl_buf_json_str(b, k);
    pl_buf_puts(b, ": ");
    pl_buf_json_str(b, v);
}

/* "key": and an opening bracket/brace. */
static void kopen(pl_buf *b, int d, int *first, const char *k, const char *open)
{
    if (!*first) pl_buf_puts(b, ",");
    *first = 0;
    pl_buf_indent(b, d);
    pl_buf_json_str(b, k);
    pl_buf_puts(b, ": ");
    pl_buf_puts(b, open);
}

static void kclose(pl_buf *b, int d, const char *close)
{
    pl_buf_indent(b, d);
    pl_buf_puts(b, close);
}

/* An Image object: {"id": url, "type": "Image"[, "caption": c]}. */
static void image(pl_buf *b, int d, int *first, const char *url, const char *caption)
{
    kopen(b, d, first, "image", "{");
    int f = 1;
    kv(b, d + 2, &f, "id", url);
    kv(b, d + 2, &f, "type", "Image");
    if (caption) kv(b, d + 2, &f, "caption", caption);
    kclose(b, d, "}");
}

/* RFC 3339 in UTC, "YYYY-MM-DDTHH:MM:SSZ", from Unix seconds (0..2^37). */
static void rfc3339(int64_t ts, char out[32])
{
    int64_t days = ts / 86400, sod = ts % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    pl_civil_from_days(days, &y, &mo, &d);
    snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, d, (unsigned)(sod / 3600),
             (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
}

/* Append s percent-encoded: everything but RFC 3986's unreserved set. */
static void pct_encode(pl_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '.' || c == '_' || c == '~';
        if (unreserved) {
            pl_buf_put(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            pl_buf_put(b, e, 3);
        }
    }
}

/* ---- checks ---------------------------------------------------------------- */

static int check_opt(plaudit_ctx *ctx, const char *what, const char *s, int required)
{
    if (!s) {
        if (!required) return PLAUDIT_OK;
        return pl_err(ctx, PLAUDIT_EINVAL, "credential: %s is required", what);
    }
    char msg[PL_ERRMSG_MAX];
    int rc = pl_check_text(s, 1, URL_MAX, msg, sizeof msg, what);
    if (rc) return pl_err(ctx, rc, "credential: %s", msg);
    return PLAUDIT_OK;
}

/* ---- the subject ------------------------------------------------------------- */

typedef struct subject {
    pl_buf id;                /* subject id, or empty in hashed-email mode */
    char hash[7 + 65];        /* "sha256$<hex>" in hashed-email mode */
    const char *salt;
} subject;

static int make_subject(plaudit_ctx *ctx, const plaudit_credential_options *o, const char *member, subject *s)
{
    int rc;
    if (o->subject_template) {
        const char *t = o->subject_template;
        const char *hit;
        while ((hit = strstr(t, "{member}"))) {
            pl_buf_put(&s->id, t, (size_t)(hit - t));
            pct_encode(&s->id, member);
            t = hit + 8;
        }
        pl_buf_puts(&s->id, t);
        if (s->id.oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a credential");
        return PLAUDIT_OK;
    }
    if (o->subject_id) {
        const char *id = o->subject_id(member, o->payload);
        if (!id) return pl_err(ctx, PLAUDIT_EUSER, "credential: the subject_id callback failed for member \"%s\"", member);
        if ((rc = check_opt(ctx, "the subject id from the callback", id, 1))) return rc;
        pl_buf_puts(&s->id, id);
        if (s->id.oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a credential");
        return PLAUDIT_OK;
    }
    const char *email = NULL, *salt = NULL;
    if (o->subject_email(member, &email, &salt, o->payload) || !email)
        return pl_err(ctx, PLAUDIT_EUSER, "credential: the subject_email callback failed for member \"%s\"", member);
    if ((rc = check_opt(ctx, "the email from the callback", email, 1)) ||
        (rc = check_opt(ctx, "the salt from the callback", salt, 0)))
        return rc;
    pl_sha256 h;
    uint8_t d[32];
    pl_sha256_init(&h);
    pl_sha256_update(&h, email, strlen(email));
    if (salt) pl_sha256_update(&h, salt, strlen(salt));
    pl_sha256_final(&h, d);
    static const char hex[] = "0123456789abcdef";
    memcpy(s->hash, "sha256$", 7);
    for (int i = 0; i < 32; i++) {
        s->hash[7 + 2 * i] = hex[d[i] >> 4];
        s->hash[8 + 2 * i] = hex[d[i] & 15];
    }
    s->hash[7 + 64] = '\0';
    s->salt = salt; /* valid until the call returns */
    return PLAUDIT_OK;
}

/* ---- the document -------------------------------------------------------- */

int plaudit_credential_export(plaudit_ctx *ctx, const char *member, const char *badge, uint32_t level_or_time,
                              const plaudit_credential_options *o, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!member || !badge || !o || !out)
        return pl_err(ctx, PLAUDIT_EINVAL, "credential: member, badge, options and out are required");
    if (o->version != PLAUDIT_CREDENTIAL_OPTIONS_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "credential: options version %u is not %u", o->version,
                      PLAUDIT_CREDENTIAL_OPTIONS_VERSION);
    int rc;
    if ((rc = check_opt(ctx, "issuer_id", o->issuer_id, 1)) || (rc = check_opt(ctx, "issuer_name", o->issuer_name, 1)) ||
        (rc = check_opt(ctx, "base_url", o->base_url, 1)) || (rc = check_opt(ctx, "issuer_url", o->issuer_url, 0)) ||
        (rc = check_opt(ctx, "issuer_email", o->issuer_email, 0)) ||
        (rc = check_opt(ctx, "issuer_image", o->issuer_image, 0)) ||
        (rc = check_opt(ctx, "subject_template", o->subject_template, 0)))
        return rc;
    int modes = !!o->subject_template + !!o->subject_id + !!o->subject_email;
    if (modes != 1)
        return pl_err(ctx, PLAUDIT_EINVAL,
                      "credential: give exactly one of subject_template, subject_id and subject_email (%d given)",
                      modes);
    const pl_badge *g = pl_badge_find(ctx, badge);
    if (!g) return pl_err(ctx, PLAUDIT_ENOTFOUND, "credential: unknown badge \"%s\"", badge);
    const pl_member *m = pl_member_find(ctx, member);
    if (!m) return pl_err(ctx, PLAUDIT_ENOTFOUND, "credential: unknown member \"%s\"", member);
    const pl_earned *e = pl_member_earned(ctx, m, g->idx);
    if (!e || !e->n)
        return pl_err(ctx, PLAUDIT_ENOTFOUND, "credential: member \"%s\" has not earned badge \"%s\"", member, badge);
    int times = g->repeatable || g->kind == PLAUDIT_CRITERION_MANUAL;
    int levelled = !times && g->n_thr > 1;
    uint32_t k = level_or_time ? level_or_time : e->n;
    if (k > e->n)
        return pl_err(ctx, PLAUDIT_ERANGE, "credential: member \"%s\" earned badge \"%s\" %s %u, not %u", member,
                      badge, times ? "times:" : "up to level", e->n, k);

    /* Everything below only writes into buffers on the context allocator. */
    subject sub;
    memset(&sub, 0, sizeof sub);
    pl_buf_init(&sub.id, &ctx->alloc);
    if ((rc = make_subject(ctx, o, member, &sub))) {
        pl_buf_free(&sub.id);
        return rc;
    }
    size_t blen = strlen(o->base_url);
    while (blen > 0 && o->base_url[blen - 1] == '/') blen--;
    char mhash[65];
    pl_sha256_hex(m->id, m->idlen, mhash);
    mhash[32] = '\0';
    char when[32];
    rfc3339(pl_earned_at(e, k), when);

    pl_buf b, t; /* t: scratch for composed strings */
    pl_buf_init(&b, &ctx->alloc);
    pl_buf_init(&t, &ctx->alloc);
    int f0 = 1, f1, f2, f3;
    pl_buf_puts(&b, "{");
    kopen(&b, 2, &f0, "@context", "[");
    pl_buf_indent(&b, 4);
    pl_buf_json_str(&b, CTX_VC2);
    pl_buf_puts(&b, ",");
    pl_buf_indent(&b, 4);
    pl_buf_json_str(&b, CTX_OB3);
    kclose(&b, 2, "]");

    pl_buf_put(&t, o->base_url, blen);
    pl_buf_printf(&t, "/credentials/%s/%s/%u", g->id, mhash, k);
    if (!t.oom) kv(&b, 2, &f0, "id", t.p);
    t.len = 0;
    kopen(&b, 2, &f0, "type", "[\"VerifiableCredential\", \"OpenBadgeCredential\"]");

    kopen(&b, 2, &f0, "issuer", "{");
    f1 = 1;
    kv(&b, 4, &f1, "id", o->issuer_id);
    kopen(&b, 4, &f1, "type", "[\"Profile\"]");
    kv(&b, 4, &f1, "name", o->issuer_name);
    if (o->issuer_url) kv(&b, 4, &f1, "url", o->issuer_url);
    if (o->issuer_email) kv(&b, 4, &f1, "email", o->issuer_email);
    if (o->issuer_image) image(&b, 4, &f1, o->issuer_image, NULL);
    kclose(&b, 2, "}");
    kv(&b, 2, &f0, "validFrom", when);
    kv(&b, 2, &f0, "awardedDate", when);

    /* The achievement's name, also the credential's. */
    pl_buf name;
    pl_buf_init(&name, &ctx->alloc);
    pl_buf_puts(&name, g->name ? g->name : g->id);
    if (levelled) pl_buf_printf(&name, " (level %u of %u)", k, g->n_thr);
    if (!name.oom) kv(&b, 2, &f0, "name", name.p);

    kopen(&b, 2, &f0, "credentialSubject", "{");
    f1 = 1;
    if (sub.id.len) kv(&b, 4, &f1, "id", sub.id.p);
    kopen(&b, 4, &f1, "type", "[\"AchievementSubject\"]");
    if (!sub.id.len) {
        kopen(&b, 4, &f1, "identifier", "[");
        pl_buf_indent(&b, 6);
        pl_buf_puts(&b, "{");
        f2 = 1;
        kv(&b, 8, &f2, "type", "IdentityObject");
        kv(&b, 8, &f2, "identityHash", sub.hash);
        kv(&b, 8, &f2, "identityType", "emailAddress");
        kopen(&b, 8, &f2, "hashed", "true");
        if (sub.salt) kv(&b, 8, &f2, "salt", sub.salt);
        kclose(&b, 6, "}");
        kclose(&b, 4, "]");
    }
    kopen(&b, 4, &f1, "achievement", "{");
    f2 = 1;
    pl_buf_put(&t, o->base_url, blen);
    pl_buf_printf(&t, "/achievements/%s", g->id);
    if (levelled) pl_buf_printf(&t, "/levels/%u", k);
    if (!t.oom) kv(&b, 6, &f2, "id", t.p);
    t.len = 0;
    kopen(&b, 6, &f2, "type", "[\"Achievement\"]");
    kv(&b, 6, &f2, "achievementType", "Badge");
    if (!name.oom) kv(&b, 6, &f2, "name", name.p);
    /* The narrative: the badge's own text, with the level's threshold for a
     * level; else the engine's sentence for this level (or the badge). */
    if (g->criteria) {
        pl_buf_puts(&t, g->criteria);
        if (levelled) {
            pl_buf_puts(&t, "\n\n");
            pl_badge_sentence(ctx, g, k, &t);
        }
    } else {
        pl_badge_sentence(ctx, g, levelled ? k : 0, &t);
    }
    if (!t.oom) kv(&b, 6, &f2, "description", g->description ? g->description : t.p);
    kopen(&b, 6, &f2, "criteria", "{");
    f3 = 1;
    if (!t.oom) kv(&b, 8, &f3, "narrative", t.p);
    kclose(&b, 6, "}");
    if (g->image) image(&b, 6, &f2, g->image, NULL);
    kclose(&b, 4, "}");
    kclose(&b, 2, "}");
    kclose(&b, 0, "}\n");

    int oom = b.oom || t.oom || name.oom || sub.id.oom;
    pl_buf_free(&t);
    pl_buf_free(&name);
    pl_buf_free(&sub.id);
    if (oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a credential");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
