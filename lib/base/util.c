/* util.c - text validation (UTF-8, ids), hashing, saturating arithmetic
 * helpers and the growable buffer used for JSON output. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

uint64_t pl_mix64(uint64_t x)
{
    /* splitmix64 finaliser: cheap, and every input bit affects every output
     * bit, which the digest's sum of member hashes relies on. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t pl_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) v |= (uint64_t)s[i] << (8 * i); /* little-endian on every host */
        h = (h ^ pl_mix64(v)) * 0x100000001b3ULL;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)s[i] << (8 * i);
    h = (h ^ pl_mix64(v)) * 0x100000001b3ULL;
    return pl_mix64(h);
}

uint64_t pl_hash_str(uint64_t h, const char *s)
{
    if (!s) return pl_hash_step(h, 0xa5a5a5a5ULL);
    return pl_hash_step(h, pl_hash_bytes(s, strlen(s)));
}

/* Decode one UTF-8 sequence strictly (no overlongs, no surrogates, max
 * U+10FFFF).  Returns its length, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t len;
    uint32_t v, min;
    if ((c & 0xe0) == 0xc0) { len = 2; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

const char *pl_a_an(const char *word)
{
    return word && strchr("aeiouAEIOU", word[0]) && word[0] ? "an" : "a";
}

int pl_check_text(const char *s, size_t min_len, size_t max_len, char *msg, size_t msglen, const char *what)
{
    if (!s) {
        snprintf(msg, msglen, "%s is NULL", what);
        return PLAUDIT_EINVAL;
    }
    size_t n = strnlen(s, max_len + 1);
    if (n > max_len) {
        snprintf(msg, msglen, "%s is longer than %zu bytes", what, max_len);
        return PLAUDIT_ESTRING;
    }
    if (n < min_len) {
        snprintf(msg, msglen, "%s is empty", what);
        return PLAUDIT_ESTRING;
    }
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        /* Printable ASCII needs no decoding. */
        if (u[i] >= 0x20 && u[i] < 0x7f) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        if (!l) {
            snprintf(msg, msglen, "%s is not valid UTF-8 (byte %zu)", what, i);
            return PLAUDIT_EUTF8;
        }
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            snprintf(msg, msglen, "%s contains a control character U+%04X at byte %zu", what, (unsigned)cp, i);
            return PLAUDIT_ESTRING;
        }
        i += l;
    }
    return PLAUDIT_OK;
}

int pl_check_rule_id(const char *s, char *msg, size_t msglen, const char *what)
{
    if (!s) {
        snprintf(msg, msglen, "%s: id is NULL", what);
        return PLAUDIT_EINVAL;
    }
    size_t n = strnlen(s, PL_ID_MAX + 1);
    if (n == 0 || n > PL_ID_MAX) {
        snprintf(msg, msglen, "%s: id must be 1 to %d bytes", what, PL_ID_MAX);
        return PLAUDIT_ESTRING;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (alnum || (i > 0 && (c == '.' || c == '_' || c == '-'))) continue;
        /* Invalid UTF-8 is reported as such: it is the more useful word. */
        int rc = pl_check_text(s, 1, PL_ID_MAX, msg, msglen, what);
        if (rc == PLAUDIT_EUTF8) return rc;
        if (c < 0x20 || c == 0x7f)
            snprintf(msg, msglen, "%s: id contains a control character", what);
        else
            snprintf(msg, msglen, "%s: id \"%.*s\" must be [a-z0-9._-] starting with a letter or digit", what,
                     (int)n, s);
        return PLAUDIT_ESTRING;
    }
    return PLAUDIT_OK;
}

void pl_buf_init(pl_buf *b, const pl_alloc *a)
{
    b->a = a;
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void pl_buf_free(pl_buf *b)
{
    pl_free(b->a, b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int pl_buf_reserve(pl_buf *b, size_t extra)
{
    if (b->oom) return PLAUDIT_ENOMEM;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) { b->oom = 1; return PLAUDIT_ENOMEM; }
        cap *= 2;
    }
    char *p = pl_realloc(b->a, b->p, cap);
    if (!p) { b->oom = 1; return PLAUDIT_ENOMEM; }
    b->p = p;
    b->cap = cap;
    return 0;
}

void pl_buf_put(pl_buf *b, const void *p, size_t n)
{
    if (pl_buf_reserve(b, n)) return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void pl_buf_puts(pl_buf *b, const char *s) { pl_buf_put(b, s, strlen(s)); }

void pl_buf_printf(pl_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { pl_buf_put(b, tmp, (size_t)n); return; }
    if (pl_buf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void pl_buf_json_str(pl_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    pl_buf_put(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
        pl_buf_put(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': pl_buf_put(b, "\\\"", 2); break;
        case '\\': pl_buf_put(b, "\\\\", 2); break;
        case '\n': pl_buf_put(b, "\\n", 2); break;
        case '\r': pl_buf_put(b, "\\r", 2); break;
        case '\t': pl_buf_put(b, "\\t", 2); break;
        case '\b': pl_buf_put(b, "\\b", 2); break;
        case '\f': pl_buf_put(b, "\\f", 2); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            pl_buf_put(b, e, 6);
        }
        }
    }
    pl_buf_put(b, run, (size_t)(s - run));
    pl_buf_put(b, "\"", 1);
}

void pl_buf_indent(pl_buf *b, int depth)
{
    pl_buf_put(b, "\n", 1);
    for (int i = 0; i < depth; i++) pl_buf_put(b, " ", 1);
}

char *pl_strdup(const pl_alloc *a, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *p = pl_malloc(a, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

int pl_grow(const pl_alloc *a, void **arr, size_t *cap, size_t need, size_t es)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / es) return PLAUDIT_ENOMEM;
        c *= 2;
    }
    void *p = pl_realloc(a, *arr, c * es);
    if (!p) return PLAUDIT_ENOMEM;
    *arr = p;
    *cap = c;
    return 0;
}
