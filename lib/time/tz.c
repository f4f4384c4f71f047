/* tz.c - time zones for period computation: owns TZif parsing (RFC 8536,
 * v1-v4), the POSIX TZ footer rule, UTC offset lookup and the monotone local
 * day.  Pure integer arithmetic: no libc time functions, no TZ environment,
 * no process-global state. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plaudit.h"
#include "tz.h"

#define SECS_PER_DAY 86400
/* Instants are clamped to [-TS_LIM, TS_LIM] (about +-36 billion years) so
 * that every calendar computation below stays far from int64 overflow. */
#define TS_LIM ((int64_t)1 << 60)
/* UTC offsets accepted from files (RFC 8536 recommended range). */
#define OFF_MIN (-89999)
#define OFF_MAX 93599
/* Largest TZif file pl_tz_load reads. */
#define TZ_FILE_MAX ((size_t)1 << 20)
#define NAME_MAX_LEN 255
/* "No local day reached yet" marker for the envelope. */
#define DAY_NONE INT64_MIN

enum { RULE_JULIAN1 = 1, RULE_JULIAN0, RULE_MONTH };

/* One DST switch of a POSIX TZ rule: "Jn", "n" or "Mm.w.d", plus "/time". */
typedef struct tz_rule {
    int kind;
    int day;   /* Jn: 1..365, n: 0..365, M: day of week 0..6 */
    int month; /* M only: 1..12 */
    int week;  /* M only: 1..5 */
    int32_t time; /* seconds after local midnight, -167h..167h */
} tz_rule;

struct pl_tz {
    size_t n;        /* explicit transitions */
    int64_t *t;      /* transition instants, strictly ascending */
    int64_t *env;    /* env[i]: max local day over all instants < t[i] */
    int32_t *off;    /* offset in force from t[i] */
    int32_t off0;    /* offset before t[0] (time type 0) */
    int has_rule;    /* footer governs instants >= t[n-1] (all when n==0) */
    int has_dst;     /* footer has DST */
    int32_t std_off; /* footer offsets, seconds east */
    int32_t dst_off;
    tz_rule start, end;
};

/* One offset segment around an instant: offset `off` holds on [lo, hi), and
 * `env` is the highest local day reached before lo (DAY_NONE if none). */
typedef struct tz_seg {
    int32_t off;
    int64_t env;
    int64_t lo, hi;
} tz_seg;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- integer calendar ---------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static int is_leap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

static int month_days(int64_t y, int m)
{
    static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md[m - 1] + (m == 2 && is_leap(y));
}

/* Days since 1970-01-01 of proleptic Gregorian y-m-d (H. Hinnant's
 * days_from_civil), exact for any year the clamped instants can reach. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The year of day z (days since 1970-01-01). */
static int64_t year_from_days(int64_t z)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

/* ---- POSIX TZ footer ------------------------------------------------------- */

static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Zone abbreviation: alphabetic, or <...> of alphanumerics and signs. */
static const char *parse_abbr(const char *p)
{
    const char *s;
    if (*p == '<') {
        s = ++p;
        while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-')
            p++;
        if (*p != '>' || p == s)
            return NULL;
        return p + 1;
    }
    s = p;
    while (is_alpha(*p))
        p++;
    return p == s ? NULL : p;
}

/* Unsigned decimal of at most `maxdig` digits, value <= max. */
static const char *parse_num(const char *p, int maxdig, int max, int *out)
{
    int v = 0, nd = 0;
    while (is_digit(*p) && nd < maxdig) {
        v = v * 10 + (*p - '0');
        p++;
        nd++;
    }
    if (nd == 0 || is_digit(*p) || v > max)
        return NULL;
    *out = v;
    return p;
}

/* [+-]hh[:mm[:ss]] as signed seconds; hours at most maxh. */
static const char *parse_hms(const char *p, int maxh, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!(p = parse_num(p, 3, maxh, &h)))
        return NULL;
    if (*p == ':') {
        if (!(p = parse_num(p + 1, 2, 59, &m)))
            return NULL;
        if (*p == ':' && !(p = parse_num(p + 1, 2, 59, &s)))
            return NULL;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *parse_rule(const char *p, tz_rule *r)
{
    if (*p == 'J') {
        r->kind = RULE_JULIAN1;
        if (!(p = parse_num(p + 1, 3, 365, &r->day)) || r->day < 1)
            return NULL;
    } else if (*p == 'M') {
        r->kind = RULE_MONTH;
        if (!(p = parse_num(p + 1, 2, 12, &r->month)) || r->month < 1 || *p != '.')
            return NULL;
        if (!(p = parse_num(p + 1, 1, 5, &r->week)) || r->week < 1 || *p != '.')
            return NULL;
        if (!(p = parse_num(p + 1, 1, 6, &r->day)))
            return NULL;
    } else if (is_digit(*p)) {
        r->kind = RULE_JULIAN0;
        if (!(p = parse_num(p, 3, 365, &r->day)))
            return NULL;
    } else {
        return NULL;
    }
    r->time = 2 * 3600;
    /* RFC 8536 3.3.1 (v3+): transition times may be negative or up to 167h. */
    if (*p == '/' && !(p = parse_hms(p + 1, 167, &r->time)))
        return NULL;
    return p;
}

/* Parses a footer TZ string (NUL-terminated) into tz's rule fields. */
static int parse_footer(const char *s, pl_tz *tz)
{
    int32_t v;
    const char *p = parse_abbr(s);
    if (!p || !(p = parse_hms(p, 24, &v)))
        return -1;
    tz->std_off = -v; /* POSIX offsets are west-positive */
    tz->has_rule = 1;
    if (*p == '\0')
        return 0;
    if (!(p = parse_abbr(p)))
        return -1;
    tz->has_dst = 1;
    tz->dst_off = tz->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if (!(p = parse_hms(p, 24, &v)))
            return -1;
        tz->dst_off = -v;
    }
    if (*p == '\0') {
        /* DST without rules: the POSIX/tzcode default (US rules). */
        tz->start = (tz_rule){RULE_MONTH, 0, 3, 2, 7200};
        tz->end = (tz_rule){RULE_MONTH, 0, 11, 1, 7200};
        return 0;
    }
    if (*p != ',' || !(p = parse_rule(p + 1, &tz->start)))
        return -1;
    if (*p != ',' || !(p = parse_rule(p + 1, &tz->end)))
        return -1;
    return *p == '\0' ? 0 : -1;
}

/* Day (since epoch) on which rule r falls in year y. */
static int64_t rule_day(const tz_rule *r, int64_t y)
{
    int64_t jan1 = days_from_civil(y, 1, 1), first, dd;
    switch (r->kind) {
    case RULE_JULIAN1: /* Feb 29 is never counted */
        return jan1 + r->day - 1 + (is_leap(y) && r->day >= 60);
    case RULE_JULIAN0:
        return jan1 + r->day;
    default:
        first = days_from_civil(y, r->month, 1);
        dd = floor_mod(r->day - floor_mod(first + 4, 7), 7) + 7 * (r->week - 1);
        if (dd >= month_days(y, r->month))
            dd -= 7; /* week 5 = last such weekday */
        return first + dd;
    }
}

typedef struct rule_tr {
    int64_t t;
    int32_t off; /* offset from t on */
} rule_tr;

/* The rule's switches for years y-2..y+1, sorted by instant; ties keep
 * generation order, so the later-generated switch wins (this is what makes
 * "EST5EDT,0/0,J365/25" DST all year). */
static void rule_year_set(const pl_tz *tz, int64_t y, rule_tr out[8])
{
    int i, j, k = 0;
    for (i = -2; i <= 1; i++) {
        out[k].t = rule_day(&tz->start, y + i) * SECS_PER_DAY + tz->start.time - tz->std_off;
        out[k++].off = tz->dst_off;
        out[k].t = rule_day(&tz->end, y + i) * SECS_PER_DAY + tz->end.time - tz->dst_off;
        out[k++].off = tz->std_off;
    }
    for (i = 1; i < 8; i++) {
        rule_tr x = out[i];
        for (j = i; j > 0 && out[j - 1].t > x.t; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
}

/* Segment of instant ts (clamped) in the footer region, which starts at
 * `from` (INT64_MIN when the footer governs all time) with envelope env0.
 * The segment is clipped to ts's UTC year so that every instant of it sees
 * the same generated switch set, keeping [lo, hi) exactly consistent. */
static void footer_seg(const pl_tz *tz, int64_t ts, int64_t from, int64_t env0, tz_seg *sg)
{
    rule_tr set[8];
    int64_t y, ybeg, yend, env = env0, lo = from, hi;
    int32_t cur;
    int k;

    if (!tz->has_dst) {
        sg->off = tz->std_off;
        sg->env = env0;
        sg->lo = from;
        sg->hi = INT64_MAX;
        return;
    }
    y = year_from_days(floor_div(ts, SECS_PER_DAY));
    ybeg = days_from_civil(y, 1, 1) * SECS_PER_DAY;
    yend = days_from_civil(y + 1, 1, 1) * SECS_PER_DAY;
    hi = yend;
    rule_year_set(tz, y, set);
    /* Switches of year y-2 all lie more than a year before ts, so the first
     * group of equal instants only establishes the offset: its envelope term
     * cannot matter. */
    for (k = 0; k + 1 < 8 && set[k + 1].t == set[0].t; k++)
        ;
    cur = set[k].off;
    for (k++; k < 8; k++) {
        if (k + 1 < 8 && set[k + 1].t == set[k].t)
            continue; /* equal instants: the last one applies */
        if (set[k].t > ts) {
            if (set[k].off != cur) {
                hi = min64(hi, set[k].t);
                break;
            }
            continue;
        }
        if (set[k].off != cur && set[k].t > from) {
            /* the local day reached just before the switch */
            env = max64(env, floor_div(set[k].t - 1 + cur, SECS_PER_DAY));
            lo = max64(lo, set[k].t);
        }
        cur = set[k].off;
    }
    sg->off = cur;
    sg->env = env;
    sg->lo = max64(lo, ybeg);
    sg->hi = hi;
}

/* The segment containing ts (already clamped to [-TS_LIM, TS_LIM]). */
static void lookup(const pl_tz *tz, int64_t ts, tz_seg *sg)
{
    size_t lo = 0, hi = tz->n, i;

    if (tz->n == 0 || ts < tz->t[0]) {
        if (tz->n == 0 && tz->has_rule) {
            footer_seg(tz, ts, INT64_MIN, DAY_NONE, sg);
            return;
        }
        sg->off = tz->off0;
        sg->env = DAY_NONE;
        sg->lo = INT64_MIN;
        sg->hi = tz->n ? tz->t[0] : INT64_MAX;
        return;
    }
    /* largest i with t[i] <= ts */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->t[mid] <= ts)
            lo = mid;
        else
            hi = mid;
    }
    i = lo;
    if (i + 1 == tz->n && tz->has_rule) {
        footer_seg(tz, ts, tz->t[i], tz->env[i], sg);
        return;
    }
    sg->off = tz->off[i];
    sg->env = tz->env[i];
    sg->lo = tz->t[i];
    sg->hi = i + 1 < tz->n ? tz->t[i + 1] : INT64_MAX;
}

static int64_t clamp_ts(int64_t ts) { return ts < -TS_LIM ? -TS_LIM : ts > TS_LIM ? TS_LIM : ts; }

int32_t pl_tz_offset(const pl_tz *tz, int64_t ts)
{
    tz_seg sg;
    lookup(tz, clamp_ts(ts), &sg);
    return sg.off;
}

int64_t pl_tz_day(const pl_tz *tz, int64_t ts, int64_t *lo, int64_t *hi)
{
    tz_seg sg;
    int64_t c = clamp_ts(ts), d, v, l, h;

    lookup(tz, c, &sg);
    d = floor_div(c + sg.off, SECS_PER_DAY);
    /* Within a segment the local day only grows, so the maximum over all
     * t <= ts is the larger of the day now and the envelope before lo. */
    if (d > sg.env) {
        v = d;
        l = max64(sg.lo, d * SECS_PER_DAY - sg.off);
    } else {
        v = sg.env;
        l = sg.lo;
    }
    h = min64(sg.hi, (v + 1) * SECS_PER_DAY - sg.off);
    /* Beyond the clamp limits the value is that at the limit. */
    if (h > TS_LIM)
        h = INT64_MAX;
    if (l <= -TS_LIM)
        l = INT64_MIN;
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return v;
}

/* ---- TZif ---------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int32_t be32s(const unsigned char *p)
{
    uint32_t u = be32(p);
    return u > INT32_MAX ? -(int32_t)(~u) - 1 : (int32_t)u;
}

static int64_t be64s(const unsigned char *p)
{
    uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
    return u > INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
}

typedef struct tzif_hdr {
    int version; /* 1, 2, 3, 4 (later versions read as 4) */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_hdr;

#define TZIF_HDR_LEN 44

static int read_hdr(const unsigned char *p, size_t avail, tzif_hdr *h)
{
    if (avail < TZIF_HDR_LEN || memcmp(p, "TZif", 4) != 0)
        return -1;
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '9')
        h->version = p[4] - '0';
    else
        return -1;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return 0;
}

/* Size of the data block after a header, or -1 if it exceeds avail.  The
 * counts are 32-bit, so the sum fits in 64 bits without overflow. */
static int block_len(const tzif_hdr *h, uint64_t tsize, size_t avail, size_t *out)
{
    uint64_t n = (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
                 (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
    if (n > avail)
        return -1;
    *out = (size_t)n;
    return 0;
}

static int corrupt(char *err, size_t errlen, const char *what)
{
    set_err(err, errlen, "invalid TZif data: %s", what);
    return PLAUDIT_ECORRUPT;
}

int pl_tz_parse(const pl_alloc *a, const unsigned char *data, size_t len, pl_tz **out, char *err, size_t errlen)
{
    tzif_hdr h;
    size_t pos = 0, blen, tsize = 4, i, fstart, fend, ntr;
    const unsigned char *tp, *ip, *ty;
    pl_tz tmp, *tz;
    char footer[256];
    unsigned char *mem;

    *out = NULL;
    memset(&tmp, 0, sizeof tmp);
    if (!data || read_hdr(data, len, &h) != 0)
        return corrupt(err, errlen, "not a TZif file");
    pos = TZIF_HDR_LEN;
    if (block_len(&h, 4, len - pos, &blen) != 0)
        return corrupt(err, errlen, "truncated version 1 data");
    if (h.version >= 2) {
        /* Skip the 32-bit block; the 64-bit one after it is authoritative. */
        int v1 = h.version;
        pos += blen;
        if (read_hdr(data + pos, len - pos, &h) != 0 || h.version != v1)
            return corrupt(err, errlen, "missing or mismatched version 2+ header");
        pos += TZIF_HDR_LEN;
        tsize = 8;
        if (block_len(&h, 8, len - pos, &blen) != 0)
            return corrupt(err, errlen, "truncated 64-bit data");
    }
    if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0)
        return corrupt(err, errlen, "bad type or designation count");
    if ((h.isstdcnt != 0 && h.isstdcnt != h.typecnt) || (h.isutcnt != 0 && h.isutcnt != h.typecnt))
        return corrupt(err, errlen, "bad standard/UT indicator count");

    tp = data + pos;                  /* transition times */
    ip = tp + (size_t)h.timecnt * tsize; /* transition type indices */
    ty = ip + h.timecnt;              /* local time type records */
    for (i = 0; i < h.typecnt; i++) {
        int32_t off = be32s(ty + 6 * i);
        if (off < OFF_MIN || off > OFF_MAX)
            return corrupt(err, errlen, "UTC offset out of range");
        if (ty[6 * i + 4] > 1)
            return corrupt(err, errlen, "bad DST flag");
        if (ty[6 * i + 5] >= h.charcnt)
            return corrupt(err, errlen, "bad designation index");
    }
    {
        const unsigned char *ind = ty + (size_t)h.typecnt * 6 + h.charcnt + (size_t)h.leapcnt * (tsize + 4);
        for (i = 0; i < (size_t)h.isstdcnt + h.isutcnt; i++)
            if (ind[i] > 1)
                return corrupt(err, errlen, "bad standard/UT indicator");
    }
    ntr = h.timecnt;
    for (i = 0; i < ntr; i++) {
        if (ip[i] >= h.typecnt)
            return corrupt(err, errlen, "transition type index out of range");
        if (i > 0) {
            int64_t prev = tsize == 8 ? be64s(tp + 8 * (i - 1)) : be32s(tp + 4 * (i - 1));
            int64_t t = tsize == 8 ? be64s(tp + 8 * i) : be32s(tp + 4 * i);
            if (t <= prev)
                return corrupt(err, errlen, "transition times not ascending");
        }
    }
    tmp.off0 = be32s(ty);
    pos += blen;

    if (h.version >= 2) {
        /* Footer: "\n" TZ-string "\n"; an empty string means no rule. */
        if (pos >= len || data[pos] != '\n')
            return corrupt(err, errlen, "missing footer");
        fstart = pos + 1;
        for (fend = fstart; fend < len && data[fend] != '\n'; fend++)
            if (data[fend] == '\0')
                return corrupt(err, errlen, "NUL in footer");
        if (fend >= len)
            return corrupt(err, errlen, "unterminated footer");
        if (fend - fstart >= sizeof footer)
            return corrupt(err, errlen, "footer too long");
        memcpy(footer, data + fstart, fend - fstart);
        footer[fend - fstart] = '\0';
        if (footer[0] != '\0' && parse_footer(footer, &tmp) != 0)
            return corrupt(err, errlen, "invalid TZ string in footer");
    }

    if (ntr > (SIZE_MAX - sizeof(pl_tz)) / 20)
        return corrupt(err, errlen, "too many transitions");
    mem = pl_malloc(a, sizeof(pl_tz) + ntr * 20);
    if (!mem) {
        set_err(err, errlen, "out of memory loading time zone");
        return PLAUDIT_ENOMEM;
    }
    tz = (pl_tz *)(void *)mem;
    *tz = tmp;
    tz->n = ntr;
    /* One block: the struct (8-aligned, it holds int64s), then the arrays. */
    tz->t = (int64_t *)(void *)(mem + sizeof(pl_tz));
    tz->env = tz->t + ntr;
    tz->off = (int32_t *)(void *)(tz->env + ntr);
    for (i = 0; i < ntr; i++) {
        int64_t t = tsize == 8 ? be64s(tp + 8 * i) : be32s(tp + 4 * i);
        int32_t before = i ? tz->off[i - 1] : tz->off0;
        int64_t term;
        tz->t[i] = t;
        tz->off[i] = be32s(ty + 6 * (size_t)ip[i]);
        /* Highest local day before t: that of t-1 under the old offset.
         * Transitions outside the clamp range never matter (they are never
         * reached, or lie so far back that the current day exceeds them),
         * and skipping them avoids overflow. */
        term = (t < -TS_LIM - (1 << 20) || t > TS_LIM) ? DAY_NONE : floor_div(t - 1 + before, SECS_PER_DAY);
        tz->env[i] = i ? max64(tz->env[i - 1], term) : term;
    }
    *out = tz;
    return 0;
}

int pl_tz_fixed(const pl_alloc *a, int32_t offset_s, pl_tz **out)
{
    pl_tz *tz;
    *out = NULL;
    if (offset_s <= -SECS_PER_DAY || offset_s >= SECS_PER_DAY)
        return PLAUDIT_ERANGE;
    tz = pl_malloc(a, sizeof *tz);
    if (!tz)
        return PLAUDIT_ENOMEM;
    memset(tz, 0, sizeof *tz);
    tz->off0 = offset_s;
    *out = tz;
    return 0;
}

void pl_tz_free(const pl_alloc *a, pl_tz *tz) { pl_free(a, tz); }

/* ---- loading from the zone database ------------------------------------------- */

static int valid_name(const char *name)
{
    size_t i, len, comp = 0;
    if (!name)
        return 0;
    len = strlen(name);
    if (len == 0 || len > NAME_MAX_LEN)
        return 0;
    for (i = 0; i <= len; i++) {
        char c = name[i];
        if (c == '/' || c == '\0') {
            /* empty (leading '/', "//", trailing '/'), "." and ".." */
            if (comp == 0 || (comp == 1 && name[i - 1] == '.') ||
                (comp == 2 && name[i - 1] == '.' && name[i - 2] == '.'))
                return 0;
            comp = 0;
            continue;
        }
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '+' || c == '-' || c == '.'))
            return 0;
        comp++;
    }
    return 1;
}

/* Reads the whole regular file fd (at most TZ_FILE_MAX bytes). */
static int read_file(const pl_alloc *a, int fd, const char *path, unsigned char **buf, size_t *len, char *err,
                     size_t errlen)
{
    struct stat st;
    size_t cap, n = 0;
    unsigned char *b, *nb;

    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "cannot stat %s (errno %d)", path, errno);
        return PLAUDIT_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "%s is not a regular file", path);
        return PLAUDIT_ECORRUPT;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > TZ_FILE_MAX) {
        set_err(err, errlen, "%s is too large for a TZif file", path);
        return PLAUDIT_ECORRUPT;
    }
    /* One spare byte detects a file that grew past its stat size. */
    cap = (size_t)st.st_size + 1;
    if (cap < 64)
        cap = 64;
    if (!(b = pl_malloc(a, cap))) {
        set_err(err, errlen, "out of memory reading %s", path);
        return PLAUDIT_ENOMEM;
    }
    for (;;) {
        ssize_t r;
        if (n == cap) {
            size_t ncap = cap * 2 > TZ_FILE_MAX + 1 ? TZ_FILE_MAX + 1 : cap * 2;
            if (n > TZ_FILE_MAX) {
                pl_free(a, b);
                set_err(err, errlen, "%s is too large for a TZif file", path);
                return PLAUDIT_ECORRUPT;
            }
            if (!(nb = pl_realloc(a, b, ncap))) {
                pl_free(a, b);
                set_err(err, errlen, "out of memory reading %s", path);
                return PLAUDIT_ENOMEM;
            }
            b = nb;
            cap = ncap;
        }
        r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            set_err(err, errlen, "cannot read %s (errno %d)", path, errno);
            pl_free(a, b);
            return PLAUDIT_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *buf = b;
    *len = n;
    return 0;
}

int pl_tz_load(const pl_alloc *a, const char *tzdir, const char *name, pl_tz **out, char *err, size_t errlen)
{
    static const char *const dirs[] = {"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"};
    const char *const *list = tzdir ? &tzdir : dirs;
    size_t ndirs = tzdir ? 1 : sizeof dirs / sizeof dirs[0], i;
    char path[4096], detail[128];

    *out = NULL;
    if (!valid_name(name)) {
        set_err(err, errlen, "invalid time zone name");
        return PLAUDIT_ESTRING;
    }
    for (i = 0; i < ndirs; i++) {
        size_t dl = strlen(list[i]), nl = strlen(name);
        unsigned char *buf = NULL;
        size_t len = 0;
        struct stat st;
        int fd, rc;

        if (dl + 1 + nl + 1 > sizeof path) {
            set_err(err, errlen, "time zone directory path too long");
            return PLAUDIT_ESTRING;
        }
        memcpy(path, list[i], dl);
        path[dl] = '/';
        memcpy(path + dl + 1, name, nl + 1);
        /* O_NONBLOCK: never hang on a FIFO planted in the database. */
        do
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG || errno == ELOOP)
                continue;
            set_err(err, errlen, "cannot open %s (errno %d)", path, errno);
            return PLAUDIT_EIO;
        }
        /* A directory (e.g. "Europe") is not a zone. */
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            continue;
        }
        rc = read_file(a, fd, path, &buf, &len, err, errlen);
        close(fd);
        if (rc != 0)
            return rc;
        rc = pl_tz_parse(a, buf, len, out, detail, sizeof detail);
        pl_free(a, buf);
        if (rc == PLAUDIT_ECORRUPT)
            set_err(err, errlen, "time zone \"%s\" (%s): %s", name, path, detail);
        else if (rc != 0)
            set_err(err, errlen, "%s", detail);
        return rc;
    }
    set_err(err, errlen, "unknown time zone \"%s\"", name);
    return PLAUDIT_ENOTFOUND;
}
