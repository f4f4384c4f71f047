/* util.c - small helpers of `plaudit serve`: a growable buffer, JSON
 * string literals, strict percent-decoding with UTF-8 validation, and a
 * constant-time token comparison. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

void sb_init(sbuf *b) { memset(b, 0, sizeof *b); }

void sb_free(sbuf *b)
{
    free(b->p);
    sb_init(b);
}

static int sb_grow(sbuf *b, size_t more)
{
    if (b->oom) return -1;
    if (b->len + more + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void sb_add(sbuf *b, const void *data, size_t n)
{
    if (sb_grow(b, n)) return;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    if (sb_grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_json_str(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_add(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') continue;
        sb_add(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default: {
            /* Controls, and <>& so that no JSON text is ever HTML. */
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sb_add(b, u, 6);
        }
        }
    }
    sb_add(b, run, (size_t)(s - run));
    sb_add(b, "\"", 1);
}

char *sb_take(sbuf *b, size_t *len)
{
    if (b->oom) {
        sb_free(b);
        return NULL;
    }
    if (!b->p && sb_grow(b, 0)) return NULL;
    if (!b->len) b->p[0] = 0;
    char *p = b->p;
    if (len) *len = b->len;
    sb_init(b);
    return p;
}

int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) k = 1, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF) k = 2, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4) k = 3, cp = c & 0x07, min = 0x10000;
        else return 0;
        if (n - i <= k) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int pct_decode(const char *s, size_t n, int plus, char **out, const char **why)
{
    *out = NULL;
    char *d = malloc(n + 1);
    if (!d) return -2;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(d);
                *why = "a bad percent escape";
                return -1;
            }
            c = (char)(hi << 4 | lo);
            if (!c) {
                free(d);
                *why = "an encoded NUL (%00)";
                return -1;
            }
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        } else if (!c) {
            free(d);
            *why = "a NUL byte";
            return -1;
        }
        d[j++] = c;
    }
    d[j] = 0;
    if (!utf8_valid((const unsigned char *)d, j)) {
        free(d);
        *why = "text that is not valid UTF-8";
        return -1;
    }
    *out = d;
    return 0;
}

int token_equal(const char *expected, size_t elen, const char *got, size_t glen)
{
    /* Both padded to TOKEN_MAX and compared whole: the time depends on
     * neither the content nor the expected token's length. */
    unsigned char a[TOKEN_MAX] = {0}, b[TOKEN_MAX] = {0};
    unsigned diff = (elen != glen) | (glen >= TOKEN_MAX) | (elen == 0);
    memcpy(a, expected, elen < TOKEN_MAX ? elen : TOKEN_MAX);
    memcpy(b, got, glen < TOKEN_MAX ? glen : TOKEN_MAX);
    volatile unsigned char acc = 0;
    for (size_t i = 0; i < TOKEN_MAX; i++) acc |= a[i] ^ b[i];
    return !(diff | acc);
}

double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
