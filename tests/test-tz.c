/* test-tz.c - white-box tests of lib/time/tz.c: TZif parsing, POSIX footer rules,
 * offsets, the monotone local day and its caching range.
 *
 * Expected values are hand-computed or taken from glibc (localtime_r with TZ
 * set inside this test only; the library itself never touches TZ). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "plaudit.h"
#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define DAY 86400

static pl_alloc A;

/* ---- helpers ------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Uniform-ish in [a, b]. */
static int64_t rnd_range(int64_t a, int64_t b)
{
    uint64_t span = (uint64_t)b - (uint64_t)a + 1;
    return span == 0 ? (int64_t)rnd() : (int64_t)((uint64_t)a + rnd() % span);
}

static int64_t fdiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0))
        q--;
    return q;
}

/* UTC instant of y-m-d h:mi:s (glibc timegm, test-only). */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

static int64_t dayno(int y, int mo, int d) { return utc(y, mo, d, 0, 0, 0) / DAY; }

static int have_zoneinfo(void)
{
    struct stat st;
    return stat(ZONEINFO "/Europe/Amsterdam", &st) == 0;
}

static pl_tz *load(const char *name)
{
    pl_tz *tz = NULL;
    char err[256];
    int rc = pl_tz_load(&A, NULL, name, &tz, err, sizeof err);
    if (rc != 0)
        fail_msg("loading %s: %d %s", name, rc, err);
    assert_non_null(tz);
    return tz;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long n;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* glibc reference, with TZ set to a zone name, a path or a POSIX string. */
static void g_zone(const char *tzenv)
{
    setenv("TZ", tzenv, 1);
    tzset();
}

static int64_t g_off(int64_t ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    assert_non_null(localtime_r(&t, &tm));
    return tm.tm_gmtoff;
}

static int64_t g_d(int64_t t) { return fdiv(t + g_off(t), DAY); }

/* Monotone day by brute force on glibc: max of the day now and the days
 * reached just before every offset change of the previous 3 days (older
 * changes cannot matter: offsets are within +-26h). */
static int64_t g_mono_day(int64_t ts)
{
    int64_t best = g_d(ts), t0 = ts - 3 * DAY, o0 = g_off(t0);
    while (t0 < ts) {
        int64_t t1 = t0 + 900 < ts ? t0 + 900 : ts, o1 = g_off(t1);
        if (o1 != o0) {
            int64_t a = t0, b = t1; /* offset(a)==o0, offset(b)!=o0 */
            while (b - a > 1) {
                int64_t m = a + (b - a) / 2;
                if (g_off(m) == o0)
                    a = m;
                else
                    b = m;
            }
            if (fdiv(b - 1 + o0, DAY) > best)
                best = fdiv(b - 1 + o0, DAY);
        }
        t0 = t1;
        o0 = o1;
    }
    return best;
}

/* First instant in (t0, t1] whose glibc offset differs from that at t0. */
static int64_t g_next_change(int64_t t0, int64_t t1)
{
    int64_t o = g_off(t0), a = t0, b;
    for (b = t0 + 6 * 3600; b < t1 && g_off(b) == o; b += 6 * 3600)
        a = b;
    if (b >= t1)
        b = t1;
    if (g_off(b) == o)
        return INT64_MIN;
    while (b - a > 1) {
        int64_t m = a + (b - a) / 2;
        if (g_off(m) == o)
            a = m;
        else
            b = m;
    }
    return b;
}

/* Offsets agree with glibc at n random instants of [from, to]. */
static void cmp_offsets(const pl_tz *tz, const char *tzenv, int64_t from, int64_t to, int n)
{
    int i;
    g_zone(tzenv);
    for (i = 0; i < n; i++) {
        int64_t ts = rnd_range(from, to);
        int64_t want = g_off(ts), got = pl_tz_offset(tz, ts);
        if (want != got)
            fail_msg("%s: offset at %lld: got %lld want %lld", tzenv, (long long)ts, (long long)got,
                     (long long)want);
    }
}

static void cmp_day_at(const pl_tz *tz, const char *tzenv, int64_t ts)
{
    int64_t want = g_mono_day(ts), got = pl_tz_day(tz, ts, NULL, NULL);
    if (want != got)
        fail_msg("%s: day at %lld: got %lld want %lld", tzenv, (long long)ts, (long long)got, (long long)want);
}

/* Monotone days agree with the glibc brute force at random instants and
 * around every offset change found from n random starting points. */
static void cmp_days(const pl_tz *tz, const char *tzenv, int64_t from, int64_t to, int n)
{
    static const int64_t around[] = {-DAY - 1, -3600, -1, 0, 1, 1800, 3600, 7200, 12 * 3600, DAY - 1, DAY,
                                     DAY + 3600, 2 * DAY};
    int i;
    size_t k;
    g_zone(tzenv);
    for (i = 0; i < n; i++) {
        int64_t ts = rnd_range(from, to), tr;
        cmp_day_at(tz, tzenv, ts);
        tr = g_next_change(ts, ts + 400 * (int64_t)DAY);
        if (tr == INT64_MIN)
            continue;
        for (k = 0; k < sizeof around / sizeof around[0]; k++)
            cmp_day_at(tz, tzenv, tr + around[k]);
    }
}

static void check_day_const(const pl_tz *tz, int64_t t, int64_t v)
{
    int64_t got = pl_tz_day(tz, t, NULL, NULL);
    if (got != v)
        fail_msg("day at %lld is %lld, range promised %lld", (long long)t, (long long)got, (long long)v);
}

/* M(t) = max(M(t-1), d(t)): the defining recurrence of the monotone day. */
static void check_recurrence(const pl_tz *tz, int64_t t)
{
    int64_t prev = pl_tz_day(tz, t - 1, NULL, NULL), cur = pl_tz_day(tz, t, NULL, NULL);
    int64_t d = fdiv(t + pl_tz_offset(tz, t), DAY);
    int64_t want = prev > d ? prev : d;
    if (cur != want)
        fail_msg("recurrence at %lld: M=%lld, M(t-1)=%lld d=%lld", (long long)t, (long long)cur, (long long)prev,
                 (long long)d);
}

/* The [lo, hi) property and the recurrence, at n random instants of
 * [from, to], and a walk over consecutive ranges from each. */
static void check_ranges(const pl_tz *tz, int64_t from, int64_t to, int n)
{
    int i, j;
    for (i = 0; i < n; i++) {
        int64_t ts = rnd_range(from, to), lo, hi, v, t;
        v = pl_tz_day(tz, ts, &lo, &hi);
        assert_true(lo <= ts);
        assert_true(ts < hi);
        check_day_const(tz, lo, v);
        check_day_const(tz, hi - 1, v);
        for (j = 0; j < 4; j++) {
            int64_t a = lo > ts - 40 * (int64_t)DAY ? lo : ts - 40 * (int64_t)DAY;
            int64_t b = hi - 1 < ts + 40 * (int64_t)DAY ? hi - 1 : ts + 40 * (int64_t)DAY;
            t = rnd_range(a, b);
            check_day_const(tz, t, v);
            assert_true(fdiv(t + pl_tz_offset(tz, t), DAY) <= v);
        }
        check_recurrence(tz, ts);
        /* walk: the value changes only at range ends, as the recurrence says */
        for (j = 0; j < 6 && hi < INT64_MAX - 2; j++) {
            int64_t nlo, nhi, nv;
            check_recurrence(tz, hi);
            nv = pl_tz_day(tz, hi, &nlo, &nhi);
            assert_true(nv >= v);
            assert_true(nlo <= hi && hi < nhi);
            v = nv;
            hi = nhi;
        }
    }
}

/* ---- synthetic TZif images --------------------------------------------------- */

typedef struct syn {
    int version;          /* 1..4 */
    int ntr;
    const int64_t *t;
    const unsigned char *idx;
    int ntypes;
    const int32_t *off;
    const char *footer;   /* v2+: TZ string ("" for none) */
} syn;

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static unsigned char *put_block(unsigned char *p, const syn *s, int tsize, int empty)
{
    int i, ntr = empty ? 0 : s->ntr, nty = empty ? 1 : s->ntypes;
    memcpy(p, "TZif", 4);
    p[4] = s->version == 1 ? 0 : (unsigned char)('0' + s->version);
    memset(p + 5, 0, 15);
    p += 20;
    p = put32(p, 0);                    /* isutcnt */
    p = put32(p, 0);                    /* isstdcnt */
    p = put32(p, 0);                    /* leapcnt */
    p = put32(p, (uint32_t)ntr);        /* timecnt */
    p = put32(p, (uint32_t)nty);        /* typecnt */
    p = put32(p, 4);                    /* charcnt */
    for (i = 0; i < ntr; i++) {
        uint64_t u = (uint64_t)s->t[i];
        if (tsize == 8)
            p = put32(p, (uint32_t)(u >> 32));
        p = put32(p, (uint32_t)u);
    }
    for (i = 0; i < ntr; i++)
        *p++ = s->idx[i];
    for (i = 0; i < nty; i++) {
        p = put32(p, (uint32_t)(empty ? 0 : s->off[i]));
        *p++ = 0;
        *p++ = 0;
    }
    memcpy(p, "XXX", 4);
    return p + 4;
}

/* Writes the image into buf (large enough) and returns its length. */
static size_t build(unsigned char *buf, const syn *s)
{
    unsigned char *p = buf;
    if (s->version == 1)
        return (size_t)(put_block(p, s, 4, 0) - buf);
    p = put_block(p, s, 4, 1); /* a "slim" v1 block */
    p = put_block(p, s, 8, 0);
    *p++ = '\n';
    memcpy(p, s->footer, strlen(s->footer));
    p += strlen(s->footer);
    *p++ = '\n';
    return (size_t)(p - buf);
}

static pl_tz *parse_syn(const syn *s, unsigned char *img, size_t *len)
{
    pl_tz *tz = NULL;
    char err[256];
    int rc;
    *len = build(img, s);
    rc = pl_tz_parse(&A, img, *len, &tz, err, sizeof err);
    if (rc != 0)
        fail_msg("synthetic image: %d %s", rc, err);
    return tz;
}

/* Writes an image to a temporary file so glibc can read it as TZ=path. */
static void write_tmp(const char *path, const unsigned char *img, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Independent reference for synthetic zones: linear scan. */
static int64_t syn_off(const syn *s, int64_t ts)
{
    int i;
    int32_t o = s->off[0];
    for (i = 0; i < s->ntr && s->t[i] <= ts; i++)
        o = s->off[s->idx[i]];
    return o;
}

static int64_t syn_day(const syn *s, int64_t ts)
{
    int64_t best = fdiv(ts + syn_off(s, ts), DAY);
    int i;
    for (i = 0; i < s->ntr && s->t[i] <= ts; i++) {
        int64_t before = fdiv(s->t[i] - 1 + syn_off(s, s->t[i] - 1), DAY);
        if (before > best)
            best = before;
    }
    return best;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_amsterdam(void **state)
{
    pl_tz *tz;
    int64_t dst_on = utc(2026, 3, 29, 1, 0, 0), dst_off = utc(2026, 10, 25, 1, 0, 0), lo, hi, v;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("Europe/Amsterdam");
    assert_int_equal(pl_tz_offset(tz, dst_on - 1), 3600);
    assert_int_equal(pl_tz_offset(tz, dst_on), 7200);
    assert_int_equal(pl_tz_offset(tz, dst_off - 1), 7200);
    assert_int_equal(pl_tz_offset(tz, dst_off), 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 7, 1, 12, 0, 0)), 7200);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 1, 1, 12, 0, 0)), 3600);

    /* Local midnight 2026-03-29 is 2026-03-28 23:00 UTC (CET). */
    assert_int_equal(pl_tz_day(tz, utc(2026, 3, 28, 22, 59, 59), NULL, NULL), dayno(2026, 3, 28));
    v = pl_tz_day(tz, utc(2026, 3, 28, 23, 0, 0), &lo, &hi);
    assert_int_equal(v, dayno(2026, 3, 29));
    assert_int_equal(lo, utc(2026, 3, 28, 23, 0, 0));
    assert_true(hi <= dst_on); /* clipped to the CET segment */
    v = pl_tz_day(tz, dst_on, &lo, &hi);
    assert_int_equal(v, dayno(2026, 3, 29));
    assert_int_equal(lo, dst_on);
    assert_int_equal(hi, utc(2026, 3, 29, 22, 0, 0)); /* CEST midnight */

    /* 25 Oct: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET again. */
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 25, 0, 30, 0), NULL, NULL), dayno(2026, 10, 25));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 25, 1, 30, 0), NULL, NULL), dayno(2026, 10, 25));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 24, 21, 59, 59), NULL, NULL), dayno(2026, 10, 24));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 24, 22, 0, 0), NULL, NULL), dayno(2026, 10, 25));
    v = pl_tz_day(tz, dst_off, &lo, &hi);
    assert_int_equal(v, dayno(2026, 10, 25));
    assert_int_equal(lo, dst_off);
    assert_int_equal(hi, utc(2026, 10, 25, 23, 0, 0)); /* CET midnight */

    cmp_offsets(tz, "Europe/Amsterdam", INT32_MIN, (int64_t)1 << 37, 3000);
    cmp_days(tz, "Europe/Amsterdam", utc(1830, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0), 150);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 3000);
    pl_tz_free(&A, tz);
}

static void test_new_york(void **state)
{
    pl_tz *tz;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("America/New_York");
    assert_int_equal(pl_tz_offset(tz, utc(2026, 3, 8, 6, 59, 59)), -5 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 3, 8, 7, 0, 0)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 11, 1, 5, 59, 59)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 11, 1, 6, 0, 0)), -5 * 3600);
    /* repeated 01:xx on 1 Nov 2026: same local day */
    assert_int_equal(pl_tz_day(tz, utc(2026, 11, 1, 5, 30, 0), NULL, NULL), dayno(2026, 11, 1));
    assert_int_equal(pl_tz_day(tz, utc(2026, 11, 1, 6, 30, 0), NULL, NULL), dayno(2026, 11, 1));
    assert_int_equal(pl_tz_day(tz, utc(2026, 11, 1, 3, 59, 59), NULL, NULL), dayno(2026, 10, 31));
    assert_int_equal(pl_tz_day(tz, utc(2026, 11, 1, 4, 0, 0), NULL, NULL), dayno(2026, 11, 1));

    /* 2100 (footer): 2nd Sunday of March is the 14th, 1st of Nov the 7th. */
    assert_int_equal(pl_tz_offset(tz, utc(2100, 3, 14, 6, 59, 59)), -5 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2100, 3, 14, 7, 0, 0)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2100, 11, 7, 5, 59, 59)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2100, 11, 7, 6, 0, 0)), -5 * 3600);
    /* 6000: 1 Mar 6000 is a Wednesday (Gregorian 400-year cycle: same as
     * 2000), so the 2nd Sunday is 12 Mar; 1 Nov is a Wednesday -> 5 Nov. */
    assert_int_equal(pl_tz_offset(tz, utc(6000, 3, 12, 6, 59, 59)), -5 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(6000, 3, 12, 7, 0, 0)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(6000, 11, 5, 5, 59, 59)), -4 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(6000, 11, 5, 6, 0, 0)), -5 * 3600);
    assert_int_equal(pl_tz_day(tz, utc(6000, 11, 5, 4, 0, 0), NULL, NULL), dayno(6000, 11, 5));
    assert_int_equal(pl_tz_day(tz, utc(6000, 11, 5, 3, 59, 59), NULL, NULL), dayno(6000, 11, 4));
    /* ts = 2^37 is 6325-04-08 15:04:32 UTC: EDT. */
    assert_int_equal(pl_tz_offset(tz, (int64_t)1 << 37), -4 * 3600);
    assert_int_equal(pl_tz_day(tz, (int64_t)1 << 37, NULL, NULL), dayno(6325, 4, 8));

    cmp_offsets(tz, "America/New_York", INT32_MIN, (int64_t)1 << 37, 3000);
    cmp_days(tz, "America/New_York", utc(1850, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0), 100);
    cmp_days(tz, "America/New_York", utc(5000, 1, 1, 0, 0, 0), utc(6300, 1, 1, 0, 0, 0), 30);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 3000);
    pl_tz_free(&A, tz);
}

static void test_lord_howe(void **state)
{
    pl_tz *tz;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("Australia/Lord_Howe");
    /* DST (+11) ends first Sunday of April 02:00 local: 2026-04-05 02:00
     * +11 = 04-04 15:00 UTC; starts first Sunday of October 02:00 +10:30 =
     * 2026-10-03 15:30 UTC. */
    assert_int_equal(pl_tz_offset(tz, utc(2026, 4, 4, 14, 59, 59)), 11 * 3600);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 4, 4, 15, 0, 0)), 10 * 3600 + 1800);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 10, 3, 15, 29, 59)), 10 * 3600 + 1800);
    assert_int_equal(pl_tz_offset(tz, utc(2026, 10, 3, 15, 30, 0)), 11 * 3600);
    assert_int_equal(pl_tz_day(tz, utc(2026, 4, 4, 12, 59, 59), NULL, NULL), dayno(2026, 4, 4));
    assert_int_equal(pl_tz_day(tz, utc(2026, 4, 4, 13, 0, 0), NULL, NULL), dayno(2026, 4, 5));
    assert_int_equal(pl_tz_day(tz, utc(2026, 4, 4, 15, 10, 0), NULL, NULL), dayno(2026, 4, 5));
    cmp_offsets(tz, "Australia/Lord_Howe", INT32_MIN, (int64_t)1 << 37, 2000);
    cmp_days(tz, "Australia/Lord_Howe", utc(1890, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0), 80);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 2000);
    pl_tz_free(&A, tz);
}

static void test_kathmandu(void **state)
{
    pl_tz *tz;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("Asia/Kathmandu");
    assert_int_equal(pl_tz_offset(tz, utc(2026, 6, 1, 0, 0, 0)), 5 * 3600 + 45 * 60);
    assert_int_equal(pl_tz_offset(tz, utc(1985, 12, 31, 18, 29, 59)), 5 * 3600 + 30 * 60);
    assert_int_equal(pl_tz_offset(tz, utc(1985, 12, 31, 18, 30, 0)), 5 * 3600 + 45 * 60);
    assert_int_equal(pl_tz_offset(tz, utc(1900, 1, 1, 0, 0, 0)), 20476); /* LMT */
    assert_int_equal(pl_tz_day(tz, utc(2026, 1, 1, 18, 14, 59), NULL, NULL), dayno(2026, 1, 1));
    assert_int_equal(pl_tz_day(tz, utc(2026, 1, 1, 18, 15, 0), NULL, NULL), dayno(2026, 1, 2));
    /* 1920: LMT +5:41:16 -> +5:30, local time repeats 11 min before midnight */
    assert_int_equal(pl_tz_day(tz, utc(1919, 12, 31, 18, 18, 44), NULL, NULL), dayno(1919, 12, 31));
    assert_int_equal(pl_tz_day(tz, utc(1919, 12, 31, 18, 29, 59), NULL, NULL), dayno(1919, 12, 31));
    assert_int_equal(pl_tz_day(tz, utc(1919, 12, 31, 18, 30, 0), NULL, NULL), dayno(1920, 1, 1));
    cmp_offsets(tz, "Asia/Kathmandu", INT32_MIN, (int64_t)1 << 37, 1000);
    cmp_days(tz, "Asia/Kathmandu", utc(1900, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0), 40);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 1000);
    pl_tz_free(&A, tz);
}

static void test_apia_sitka(void **state)
{
    pl_tz *tz;
    int64_t jump = utc(2011, 12, 30, 10, 0, 0), t, lo, hi, v;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("Pacific/Apia");
    /* 29 Dec 2011 23:59:59 -10 is followed by 31 Dec 00:00 +14. */
    assert_int_equal(pl_tz_offset(tz, jump - 1), -10 * 3600);
    assert_int_equal(pl_tz_offset(tz, jump), 14 * 3600);
    assert_int_equal(pl_tz_day(tz, jump - 1, NULL, NULL), dayno(2011, 12, 29));
    v = pl_tz_day(tz, jump, &lo, &hi);
    assert_int_equal(v, dayno(2011, 12, 31));
    assert_int_equal(lo, jump);
    assert_int_equal(hi, jump + DAY);
    /* no instant has local day 30 Dec */
    for (t = jump - 2 * DAY; t < jump + 2 * DAY; t += 600)
        assert_int_not_equal(pl_tz_day(tz, t, NULL, NULL), dayno(2011, 12, 30));
    /* 1892: +12:33:04 -> -11:26:56, 4 July repeated (no step back of date) */
    assert_int_equal(pl_tz_day(tz, utc(1892, 7, 4, 11, 26, 55), NULL, NULL), dayno(1892, 7, 4));
    assert_int_equal(pl_tz_day(tz, utc(1892, 7, 4, 11, 26, 56), NULL, NULL), dayno(1892, 7, 4));
    assert_int_equal(pl_tz_day(tz, utc(1892, 7, 5, 11, 26, 55), NULL, NULL), dayno(1892, 7, 4));
    assert_int_equal(pl_tz_day(tz, utc(1892, 7, 5, 11, 26, 56), NULL, NULL), dayno(1892, 7, 5));
    cmp_offsets(tz, "Pacific/Apia", INT32_MIN, (int64_t)1 << 37, 1000);
    cmp_days(tz, "Pacific/Apia", utc(1880, 1, 1, 0, 0, 0), utc(2100, 1, 1, 0, 0, 0), 40);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 1000);
    pl_tz_free(&A, tz);

    /* Sitka 1867: 19 Oct 15:29:59 LMT+14:58:47 -> 18 Oct 15:30 LMT-9:01:13.
     * The local date steps back; the monotone day stays on 19 Oct until
     * local midnight of 20 Oct (-9:01:13), i.e. 20 Oct 09:01:13 UTC. */
    tz = load("America/Sitka");
    jump = utc(1867, 10, 19, 0, 31, 13);
    assert_int_equal(pl_tz_offset(tz, jump - 1), 53927);
    assert_int_equal(pl_tz_offset(tz, jump), -32473);
    assert_int_equal(pl_tz_day(tz, jump - 1, NULL, NULL), dayno(1867, 10, 19));
    v = pl_tz_day(tz, jump, &lo, &hi);
    assert_int_equal(v, dayno(1867, 10, 19));
    assert_int_equal(lo, jump);
    assert_int_equal(hi, utc(1867, 10, 20, 9, 1, 13));
    assert_int_equal(pl_tz_day(tz, utc(1867, 10, 20, 9, 1, 12), NULL, NULL), dayno(1867, 10, 19));
    assert_int_equal(pl_tz_day(tz, utc(1867, 10, 20, 9, 1, 13), NULL, NULL), dayno(1867, 10, 20));
    cmp_days(tz, "America/Sitka", utc(1867, 10, 17, 0, 0, 0), utc(1867, 10, 22, 0, 0, 0), 50);
    check_ranges(tz, utc(1867, 10, 10, 0, 0, 0), utc(1867, 10, 30, 0, 0, 0), 500);
    pl_tz_free(&A, tz);
}

static void test_utc_etc(void **state)
{
    pl_tz *tz;
    int64_t lo, hi;
    (void)state;
    if (!have_zoneinfo())
        skip();
    tz = load("UTC");
    assert_int_equal(pl_tz_offset(tz, 0), 0);
    assert_int_equal(pl_tz_offset(tz, (int64_t)1 << 37), 0);
    assert_int_equal(pl_tz_day(tz, -1, &lo, &hi), -1);
    assert_int_equal(lo, -DAY);
    assert_int_equal(hi, 0);
    assert_int_equal(pl_tz_day(tz, DAY * 20000 + 5, &lo, &hi), 20000);
    assert_int_equal(lo, DAY * 20000);
    assert_int_equal(hi, DAY * 20001);
    check_ranges(tz, -((int64_t)1 << 40), (int64_t)1 << 40, 500);
    pl_tz_free(&A, tz);

    tz = load("Etc/GMT+5");
    assert_int_equal(pl_tz_offset(tz, 0), -5 * 3600);
    assert_int_equal(pl_tz_offset(tz, INT64_MIN), -5 * 3600);
    assert_int_equal(pl_tz_offset(tz, INT64_MAX), -5 * 3600);
    assert_int_equal(pl_tz_day(tz, 0, &lo, &hi), -1);
    assert_int_equal(lo, 5 * 3600 - DAY);
    assert_int_equal(hi, 5 * 3600);
    assert_int_equal(pl_tz_day(tz, 5 * 3600, NULL, NULL), 0);
    cmp_offsets(tz, "Etc/GMT+5", INT32_MIN, (int64_t)1 << 37, 200);
    check_ranges(tz, -((int64_t)1 << 40), (int64_t)1 << 40, 500);
    pl_tz_free(&A, tz);
}

static void test_fixed(void **state)
{
    pl_tz *tz;
    int64_t lo, hi;
    (void)state;
    assert_int_equal(pl_tz_fixed(&A, -3600, &tz), 0);
    assert_int_equal(pl_tz_offset(tz, 12345), -3600);
    assert_int_equal(pl_tz_day(tz, 0, &lo, &hi), -1);
    assert_int_equal(lo, -DAY + 3600);
    assert_int_equal(hi, 3600);
    assert_int_equal(pl_tz_day(tz, 3599, NULL, NULL), -1);
    assert_int_equal(pl_tz_day(tz, 3600, NULL, NULL), 0);
    assert_int_equal(pl_tz_day(tz, -DAY + 3599, NULL, NULL), -2);
    check_ranges(tz, -((int64_t)1 << 40), (int64_t)1 << 40, 500);
    pl_tz_free(&A, tz);

    assert_int_equal(pl_tz_fixed(&A, 0, &tz), 0);
    assert_int_equal(pl_tz_day(tz, -1, NULL, NULL), -1);
    assert_int_equal(pl_tz_day(tz, -DAY, NULL, NULL), -1);
    assert_int_equal(pl_tz_day(tz, -DAY - 1, NULL, NULL), -2);
    /* extreme instants: clamped, never overflowing, range still valid */
    assert_int_equal(pl_tz_day(tz, INT64_MAX - 1, &lo, &hi), ((int64_t)1 << 60) / DAY);
    assert_true(lo <= INT64_MAX - 1 && INT64_MAX - 1 < hi);
    assert_int_equal(pl_tz_day(tz, INT64_MIN, &lo, &hi), fdiv(-((int64_t)1 << 60), DAY));
    assert_true(lo == INT64_MIN && INT64_MIN < hi);
    pl_tz_free(&A, tz);

    assert_int_equal(pl_tz_fixed(&A, 5 * 3600 + 45 * 60, &tz), 0);
    assert_int_equal(pl_tz_day(tz, 18 * 3600 + 15 * 60, NULL, NULL), 1);
    assert_int_equal(pl_tz_day(tz, 18 * 3600 + 15 * 60 - 1, NULL, NULL), 0);
    pl_tz_free(&A, tz);

    tz = (pl_tz *)&A; /* must be reset to NULL on failure */
    assert_int_equal(pl_tz_fixed(&A, 86400, &tz), PLAUDIT_ERANGE);
    assert_null(tz);
    assert_int_equal(pl_tz_fixed(&A, -86400, &tz), PLAUDIT_ERANGE);
    assert_int_equal(pl_tz_fixed(&A, 86399, &tz), 0);
    pl_tz_free(&A, tz);
    pl_tz_free(&A, NULL);
}

static void test_names(void **state)
{
    static const char *const bad[] = {
        "", "/etc/passwd", "../etc/passwd", "Europe/../UTC", "./UTC", "Europe/./Amsterdam", "Europe//Amsterdam",
        "Europe/", "/", ".", "..", "a b", "Europe/Amsterdam\n", "Europe\\Amsterdam", "UTC~", "Europe/..",
        "caf\xc3\xa9", "x:y", "*",
    };
    char err[256], longname[300];
    pl_tz *tz;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tz = NULL;
        err[0] = '\0';
        if (pl_tz_load(&A, NULL, bad[i], &tz, err, sizeof err) != PLAUDIT_ESTRING)
            fail_msg("name \"%s\" not rejected", bad[i]);
        assert_null(tz);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(pl_tz_load(&A, NULL, NULL, &tz, err, sizeof err), PLAUDIT_ESTRING);
    memset(longname, 'a', sizeof longname);
    longname[256] = '\0';
    assert_int_equal(pl_tz_load(&A, NULL, longname, &tz, err, sizeof err), PLAUDIT_ESTRING);
    longname[255] = '\0'; /* 255 bytes: a valid name, just missing */
    assert_int_equal(pl_tz_load(&A, NULL, longname, &tz, err, sizeof err), PLAUDIT_ENOTFOUND);

    assert_int_equal(pl_tz_load(&A, NULL, "Nowhere/Atlantis", &tz, err, sizeof err), PLAUDIT_ENOTFOUND);
    assert_null(tz);
    assert_non_null(strstr(err, "Nowhere/Atlantis"));
    assert_int_equal(pl_tz_load(&A, NULL, "a.b/c-d_e+f", &tz, err, sizeof err), PLAUDIT_ENOTFOUND);
    /* err may be NULL */
    assert_int_equal(pl_tz_load(&A, NULL, "Nowhere/Atlantis", &tz, NULL, 0), PLAUDIT_ENOTFOUND);
    assert_int_equal(pl_tz_load(&A, NULL, "..", &tz, NULL, 0), PLAUDIT_ESTRING);
    if (have_zoneinfo()) {
        /* a directory is not a zone */
        assert_int_equal(pl_tz_load(&A, NULL, "Europe", &tz, err, sizeof err), PLAUDIT_ENOTFOUND);
        assert_int_equal(pl_tz_load(&A, ZONEINFO, "Europe/Amsterdam", &tz, err, sizeof err), 0);
        pl_tz_free(&A, tz);
        assert_int_equal(pl_tz_load(&A, "/nonexistent-dir", "Europe/Amsterdam", &tz, err, sizeof err),
                         PLAUDIT_ENOTFOUND);
    }
}

static void test_tzdir(void **state)
{
    char dir[] = "/tmp/test-tz-XXXXXX", path[512], err[256];
    unsigned char *big;
    pl_tz *tz;
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/Bogus", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a TZif file\n", f);
    fclose(f);
    assert_int_equal(pl_tz_load(&A, dir, "Bogus", &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    assert_null(tz);
    assert_non_null(strstr(err, "Bogus"));
    unlink(path);

    snprintf(path, sizeof path, "%s/Empty", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(pl_tz_load(&A, dir, "Empty", &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    unlink(path);

    /* more than 1 MiB: rejected without being parsed */
    snprintf(path, sizeof path, "%s/Big", dir);
    big = calloc(1, (1u << 20) + 100);
    assert_non_null(big);
    memcpy(big, "TZif2", 5);
    write_tmp(path, big, (1u << 20) + 100);
    free(big);
    assert_int_equal(pl_tz_load(&A, dir, "Big", &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    unlink(path);

    if (have_zoneinfo()) {
        size_t len;
        unsigned char *img = slurp(ZONEINFO "/Asia/Kathmandu", &len);
        snprintf(path, sizeof path, "%s/Sub", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/Sub/K", dir);
        write_tmp(path, img, len);
        free(img);
        assert_int_equal(pl_tz_load(&A, dir, "Sub/K", &tz, err, sizeof err), 0);
        assert_int_equal(pl_tz_offset(tz, 1700000000), 20700);
        pl_tz_free(&A, tz);
        unlink(path);
        snprintf(path, sizeof path, "%s/Sub", dir);
        rmdir(path);
    }
    rmdir(dir);
}

/* Every proper prefix of a real file is rejected; the whole is accepted. */
static void truncations(const char *file)
{
    size_t len, n;
    unsigned char *img = slurp(file, &len);
    char err[256];
    pl_tz *tz;
    for (n = 0; n < len; n++) {
        /* copy to an exact-size buffer so ASan/valgrind catch over-reads */
        unsigned char *cut = malloc(n ? n : 1);
        int rc;
        assert_non_null(cut);
        memcpy(cut, img, n);
        tz = (pl_tz *)&A;
        rc = pl_tz_parse(&A, cut, n, &tz, err, sizeof err);
        free(cut);
        if (rc != PLAUDIT_ECORRUPT)
            fail_msg("%s cut at %zu of %zu: rc %d", file, n, len, rc);
        assert_null(tz);
    }
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), 0);
    pl_tz_free(&A, tz);
    free(img);
}

static void test_truncated(void **state)
{
    (void)state;
    if (!have_zoneinfo())
        skip();
    truncations(ZONEINFO "/Europe/Amsterdam");
    truncations(ZONEINFO "/America/New_York");
    truncations(ZONEINFO "/Asia/Kathmandu");
    truncations(ZONEINFO "/Etc/UTC");
}

/* Random corruption: never a crash, only success or ECORRUPT; a parsed zone
 * answers consistently. */
static void test_mutations(void **state)
{
    static const char *const files[] = {ZONEINFO "/Europe/Amsterdam", ZONEINFO "/Asia/Kathmandu",
                                        ZONEINFO "/America/Nuuk", ZONEINFO "/Etc/UTC"};
    size_t f;
    int i, j, ok = 0;
    (void)state;
    if (!have_zoneinfo())
        skip();
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len;
        unsigned char *img = slurp(files[f], &len);
        for (i = 0; i < 3000; i++) {
            unsigned char *m = malloc(len);
            pl_tz *tz;
            size_t mlen = len;
            int rc, nflip = 1 + (int)(rnd() % 4);
            assert_non_null(m);
            memcpy(m, img, len);
            for (j = 0; j < nflip; j++) {
                size_t pos = (size_t)(rnd() % len);
                /* bias towards the headers and the footer */
                if (rnd() % 2)
                    pos = (size_t)(rnd() % 44);
                else if (rnd() % 3 == 0)
                    pos = len - 1 - (size_t)(rnd() % (len < 40 ? len : 40));
                m[pos] = (unsigned char)rnd();
            }
            if (rnd() % 4 == 0)
                mlen = (size_t)(rnd() % len);
            rc = pl_tz_parse(&A, m, mlen, &tz, NULL, 0);
            assert_true(rc == 0 || rc == PLAUDIT_ECORRUPT);
            if (rc == 0) {
                ok++;
                check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 5);
                pl_tz_free(&A, tz);
            }
            free(m);
        }
        free(img);
    }
    assert_true(ok > 0);
}

static void test_bad_images(void **state)
{
    static const int64_t t2[] = {1000, 1000};
    static const int64_t t1[] = {1000};
    static const unsigned char i0[] = {0, 0}, i5[] = {5};
    static const int32_t o1[] = {3600, 7200}, obig[] = {100000};
    unsigned char img[1024];
    pl_tz *tz;
    size_t len;
    char err[256];
    syn s = {2, 0, NULL, NULL, 1, o1, ""};
    (void)state;

    /* ascending times are required */
    s.ntr = 2;
    s.t = t2;
    s.idx = i0;
    len = build(img, &s);
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    /* type index out of range */
    s.ntr = 1;
    s.t = t1;
    s.idx = i5;
    len = build(img, &s);
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    /* offset out of range */
    s.ntr = 0;
    s.off = obig;
    len = build(img, &s);
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    s.off = o1;
    /* bad footers */
    {
        static const char *const bad[] = {"EST", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
                                          "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
                                          "EST5EDT,J0,J100", "EST5EDT,366,1", "EST25", "EST5EDT,M3.2.0/168,M11.1.0",
                                          "EST5:60", "<AB", "<>5", "5", "EST5EDT,M3.2.0,M11.1.0,",
                                          "EST5EDT,M3.2.0,M11.1.0x", "EST 5"};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            s.footer = bad[i];
            len = build(img, &s);
            if (pl_tz_parse(&A, img, len, &tz, err, sizeof err) != PLAUDIT_ECORRUPT)
                fail_msg("footer \"%s\" accepted", bad[i]);
        }
    }
    /* footer without terminating newline / NUL in footer */
    s.footer = "UTC0";
    len = build(img, &s);
    assert_int_equal(pl_tz_parse(&A, img, len - 1, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    img[len - 3] = '\0';
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    /* bad magic, bad version */
    len = build(img, &s);
    img[4] = '1';
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    assert_int_equal(pl_tz_parse(&A, NULL, 0, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    /* huge counts */
    len = build(img, &s);
    memset(img + 32, 0xff, 4);
    assert_int_equal(pl_tz_parse(&A, img, len, &tz, err, sizeof err), PLAUDIT_ECORRUPT);
    assert_true(strstr(err, "TZif") != NULL);
}

/* Large offset decreases across midnight: the day must not step back. */
static void test_monotone_synthetic(void **state)
{
    /* +14 -> -10 at 2011-12-31 11:00 UTC (local 1 Jan 01:00 -> 31 Dec 01:00);
     * then +3 / +1 / -2 in quick succession around 10-11 Jan. */
    static int64_t t[5];
    static const unsigned char idx[] = {1, 2, 3, 4, 0};
    static const int32_t off[] = {14 * 3600, -10 * 3600, 3 * 3600, 1 * 3600, -2 * 3600};
    unsigned char img[2048];
    char tmp[] = "/tmp/test-tz-syn-XXXXXX", path[64];
    size_t len;
    int64_t lo, hi, v, ts;
    int v_, i;
    pl_tz *tz;
    syn s = {2, 5, t, idx, 5, off, ""};
    (void)state;

    t[0] = utc(2011, 12, 31, 11, 0, 0);
    t[1] = utc(2012, 1, 5, 0, 0, 0);
    t[2] = utc(2012, 1, 10, 21, 30, 0); /* +3 -> +1: 11 Jan 00:30 -> 10 Jan 22:30 */
    t[3] = utc(2012, 1, 10, 22, 0, 0);  /* +1 -> -2: 10 Jan 23:00 -> 10 Jan 20:00 */
    t[4] = utc(2012, 2, 1, 0, 0, 0);

    for (v_ = 1; v_ <= 4; v_++) {
        s.version = v_;
        tz = parse_syn(&s, img, &len);
        assert_int_equal(pl_tz_offset(tz, t[0] - 1), 14 * 3600);
        assert_int_equal(pl_tz_offset(tz, t[0]), -10 * 3600);
        assert_int_equal(pl_tz_day(tz, t[0] - 1, NULL, NULL), dayno(2012, 1, 1));
        v = pl_tz_day(tz, t[0], &lo, &hi);
        assert_int_equal(v, dayno(2012, 1, 1));
        assert_int_equal(lo, t[0]);
        assert_int_equal(hi, utc(2012, 1, 2, 10, 0, 0)); /* local (-10) 2 Jan 00:00 */
        assert_int_equal(pl_tz_day(tz, utc(2012, 1, 1, 10, 0, 0), NULL, NULL), dayno(2012, 1, 1));
        assert_int_equal(pl_tz_day(tz, utc(2012, 1, 2, 9, 59, 59), NULL, NULL), dayno(2012, 1, 1));
        assert_int_equal(pl_tz_day(tz, utc(2012, 1, 2, 10, 0, 0), NULL, NULL), dayno(2012, 1, 2));
        /* two decreases in a row: stays on 11 Jan until local (-2) 12 Jan */
        assert_int_equal(pl_tz_day(tz, t[2] - 1, NULL, NULL), dayno(2012, 1, 11));
        assert_int_equal(pl_tz_day(tz, t[2], NULL, NULL), dayno(2012, 1, 11));
        v = pl_tz_day(tz, t[3], &lo, &hi);
        assert_int_equal(v, dayno(2012, 1, 11));
        assert_int_equal(lo, t[3]);
        assert_int_equal(hi, utc(2012, 1, 12, 2, 0, 0));
        assert_int_equal(pl_tz_day(tz, utc(2012, 1, 12, 1, 59, 59), NULL, NULL), dayno(2012, 1, 11));
        assert_int_equal(pl_tz_day(tz, utc(2012, 1, 12, 2, 0, 0), NULL, NULL), dayno(2012, 1, 12));
        /* against the linear-scan reference, densely around the changes */
        for (i = 0; i < 5; i++)
            for (ts = t[i] - 2 * DAY; ts < t[i] + 3 * DAY; ts += 997) {
                assert_int_equal(pl_tz_offset(tz, ts), syn_off(&s, ts));
                assert_int_equal(pl_tz_day(tz, ts, NULL, NULL), syn_day(&s, ts));
            }
        check_ranges(tz, t[0] - 10 * DAY, t[4] + 10 * DAY, 2000);
        pl_tz_free(&A, tz);
    }
    /* and against glibc reading the same image */
    assert_non_null(mkdtemp(tmp));
    snprintf(path, sizeof path, "%s/z", tmp);
    s.version = 2;
    tz = parse_syn(&s, img, &len);
    write_tmp(path, img, len);
    cmp_offsets(tz, path, t[0] - 30 * DAY, t[4] + 30 * DAY, 500);
    cmp_days(tz, path, t[0] - 30 * DAY, t[4] + 30 * DAY, 30);
    pl_tz_free(&A, tz);
    unlink(path);
    rmdir(tmp);
}

/* Zones given only by a footer (no transitions), compared with glibc
 * parsing the same POSIX string. */
static void test_footer_rules(void **state)
{
    static const char *const rules[] = {
        "EST5EDT,M3.2.0,M11.1.0",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "AEST-10AEDT,M10.1.0,M4.1.0/3",
        "<+0330>-3:30",
        "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
        "IST-2IDT,M3.4.4/26,M10.5.0",
        "IST-1GMT0,M10.5.0,M3.5.0/1",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
        "XXX3YYY,J60/2,300",
        "XXX3YYY,59/2,J365/22",
        "NZST-12NZDT,M9.5.0,M4.1.0/3",
        "<+10>-10<+14>-14,M3.2.0/0,M10.1.0/1",
        "<-10>10<+14>-14,J100/0,J200/0",
        "AAA+5:30:15BBB+4:00:45,M4.5.6/1:02:03,M9.1.1/23:59:59",
        "<+0545>-5:45",
    };
    static const int32_t off0[] = {0};
    unsigned char img[1024];
    size_t i, len;
    (void)state;
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        syn s = {3, 0, NULL, NULL, 1, off0, rules[i]};
        pl_tz *tz = parse_syn(&s, img, &len);
        int64_t ts;
        int k;
        /* glibc applies POSIX rules only after 1970 */
        cmp_offsets(tz, rules[i], utc(1971, 1, 1, 0, 0, 0), (int64_t)1 << 37, 1500);
        /* before that: the Gregorian calendar repeats every 400 years */
        for (k = 0; k < 3000; k++) {
            ts = rnd_range(-((int64_t)1 << 37), 0);
            assert_int_equal(pl_tz_offset(tz, ts), pl_tz_offset(tz, ts + (int64_t)146097 * DAY * 24));
            assert_int_equal(pl_tz_day(tz, ts, NULL, NULL) + (int64_t)146097 * 24,
                             pl_tz_day(tz, ts + (int64_t)146097 * DAY * 24, NULL, NULL));
        }
        cmp_offsets(tz, rules[i], utc(2020, 1, 1, 0, 0, 0), utc(2030, 1, 1, 0, 0, 0), 500);
        cmp_days(tz, rules[i], utc(1971, 1, 1, 0, 0, 0), utc(2200, 1, 1, 0, 0, 0), 25);
        cmp_days(tz, rules[i], utc(6000, 1, 1, 0, 0, 0), utc(6300, 1, 1, 0, 0, 0), 5);
        check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 1500);
        pl_tz_free(&A, tz);
    }
}

static void test_footer_special(void **state)
{
    static const int32_t off0[] = {0};
    unsigned char img[1024];
    size_t len;
    int64_t ts, lo, hi, v;
    pl_tz *tz, *ny;
    syn s = {2, 0, NULL, NULL, 1, off0, "EST5EDT,0/0,J365/25"};
    (void)state;

    /* DST all year (RFC 8536 3.3.1) */
    tz = parse_syn(&s, img, &len);
    for (ts = -((int64_t)1 << 37); ts < ((int64_t)1 << 37); ts += ((int64_t)1 << 37) / 5000)
        assert_int_equal(pl_tz_offset(tz, ts), -4 * 3600);
    for (ts = utc(2025, 12, 30, 0, 0, 0); ts < utc(2026, 1, 3, 0, 0, 0); ts += 61)
        assert_int_equal(pl_tz_offset(tz, ts), -4 * 3600);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 1000);
    pl_tz_free(&A, tz);

    /* DST end crossing midnight in the footer: +14 -> +10 at Sunday 01:00
     * local; 2026-10-04 01:00 +14 = 10-03 11:00 UTC -> local 21:00 Sat. */
    s.footer = "<+10>-10<+14>-14,M3.2.0/0,M10.1.0/1";
    tz = parse_syn(&s, img, &len);
    ts = utc(2026, 10, 3, 11, 0, 0);
    assert_int_equal(pl_tz_offset(tz, ts - 1), 14 * 3600);
    assert_int_equal(pl_tz_offset(tz, ts), 10 * 3600);
    assert_int_equal(pl_tz_day(tz, ts - 1, NULL, NULL), dayno(2026, 10, 4));
    v = pl_tz_day(tz, ts, &lo, &hi);
    assert_int_equal(v, dayno(2026, 10, 4));
    assert_int_equal(lo, ts);
    assert_int_equal(hi, utc(2026, 10, 4, 14, 0, 0)); /* local (+10) 5 Oct 00:00 */
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 3, 14, 0, 0), NULL, NULL), dayno(2026, 10, 4));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 4, 13, 59, 59), NULL, NULL), dayno(2026, 10, 4));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 4, 14, 0, 0), NULL, NULL), dayno(2026, 10, 5));
    pl_tz_free(&A, tz);

    /* A footer-only zone equals New York from 2007 on (explicit transitions
     * in the file until 2037, the rule after). */
    if (have_zoneinfo()) {
        s.footer = "EST5EDT,M3.2.0,M11.1.0";
        tz = parse_syn(&s, img, &len);
        ny = load("America/New_York");
        for (ts = utc(2007, 1, 1, 0, 0, 0); ts < utc(2500, 1, 1, 0, 0, 0); ts += 3 * 3600 + 17) {
            int64_t l1, h1, l2, h2;
            if (pl_tz_offset(tz, ts) != pl_tz_offset(ny, ts))
                fail_msg("NY vs rule at %lld", (long long)ts);
            if (pl_tz_day(tz, ts, &l1, &h1) != pl_tz_day(ny, ts, &l2, &h2))
                fail_msg("NY vs rule day at %lld", (long long)ts);
        }
        pl_tz_free(&A, ny);
        pl_tz_free(&A, tz);
    }
}

/* A footer whose offset differs from the last transition's type (allowed
 * by the format, if odd): the footer wins after the last transition and
 * the envelope stays consistent across the switch. */
static void test_footer_after_transitions(void **state)
{
    static int64_t t[2];
    static const unsigned char idx[] = {1, 0};
    static const int32_t off[] = {3600, 14 * 3600};
    unsigned char img[1024];
    size_t len;
    pl_tz *tz;
    syn s = {2, 2, t, idx, 2, off, "<-10>10<-09>,M3.2.0,M11.1.0"};
    (void)state;
    t[0] = utc(2000, 1, 1, 0, 0, 0);
    t[1] = utc(2020, 6, 1, 9, 0, 0); /* type says +1, footer says -9 (DST) */
    tz = parse_syn(&s, img, &len);
    assert_int_equal(pl_tz_offset(tz, t[1] - 1), 14 * 3600);
    assert_int_equal(pl_tz_offset(tz, t[1]), -9 * 3600);
    /* local 1 Jun 23:00 (+14) -> 31 May 24:00 (-9): stays 1 Jun */
    assert_int_equal(pl_tz_day(tz, t[1], NULL, NULL), dayno(2020, 6, 1));
    assert_int_equal(pl_tz_day(tz, utc(2020, 6, 2, 8, 59, 59), NULL, NULL), dayno(2020, 6, 1));
    assert_int_equal(pl_tz_day(tz, utc(2020, 6, 2, 9, 0, 0), NULL, NULL), dayno(2020, 6, 2));
    check_ranges(tz, t[0] - 100 * DAY, t[1] + 800 * DAY, 3000);
    check_ranges(tz, t[1] - 3 * DAY, t[1] + 3 * DAY, 1000);
    pl_tz_free(&A, tz);

    /* The rule's own switches before the last transition are not real:
     * here the rule would drop +14 -> +10 at 2026-10-03 11:00 UTC (a step
     * back from 4 Oct), but the data says UTC until 12:00, then +10. */
    s.footer = "<+10>-10<+14>-14,M3.2.0/0,M10.1.0/1";
    t[1] = utc(2026, 10, 3, 12, 0, 0);
    {
        static const int32_t off2[] = {10 * 3600, 0};
        s.off = off2;
    }
    tz = parse_syn(&s, img, &len);
    assert_int_equal(pl_tz_offset(tz, t[1] - 1), 0);
    assert_int_equal(pl_tz_offset(tz, t[1]), 10 * 3600);
    assert_int_equal(pl_tz_day(tz, t[1], NULL, NULL), dayno(2026, 10, 3));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 3, 13, 59, 59), NULL, NULL), dayno(2026, 10, 3));
    assert_int_equal(pl_tz_day(tz, utc(2026, 10, 3, 14, 0, 0), NULL, NULL), dayno(2026, 10, 4));
    check_ranges(tz, t[1] - 3 * DAY, t[1] + 3 * DAY, 1000);
    pl_tz_free(&A, tz);
}

/* v1 files: 32-bit data, no footer; the last type holds forever. */
static void test_v1(void **state)
{
    static int64_t t[2];
    static const unsigned char idx[] = {1, 0};
    static const int32_t off[] = {3600, 7200};
    unsigned char img[1024];
    size_t len;
    pl_tz *tz;
    syn s = {1, 2, t, idx, 2, off, NULL};
    (void)state;
    t[0] = INT32_MIN;
    t[1] = 1000000000;
    tz = parse_syn(&s, img, &len);
    assert_int_equal(pl_tz_offset(tz, (int64_t)INT32_MIN - 1), 3600);
    assert_int_equal(pl_tz_offset(tz, INT32_MIN), 7200);
    assert_int_equal(pl_tz_offset(tz, 999999999), 7200);
    assert_int_equal(pl_tz_offset(tz, 1000000000), 3600);
    assert_int_equal(pl_tz_offset(tz, (int64_t)1 << 40), 3600);
    check_ranges(tz, -((int64_t)1 << 37), (int64_t)1 << 37, 500);
    pl_tz_free(&A, tz);
}

/* Allocation failures give ENOMEM and leak nothing. */
static int fail_after;

static void *f_malloc(size_t n, void *p)
{
    (void)p;
    if (fail_after-- <= 0)
        return NULL;
    return malloc(n);
}

static void *f_realloc(void *ptr, size_t n, void *p)
{
    (void)p;
    if (fail_after-- <= 0)
        return NULL;
    return realloc(ptr, n);
}

static void f_free(void *ptr, void *p)
{
    (void)p;
    free(ptr);
}

static void test_enomem(void **state)
{
    pl_alloc fa = {f_malloc, f_realloc, f_free, NULL};
    char err[256];
    pl_tz *tz;
    int n, rc;
    (void)state;
    fail_after = 0;
    assert_int_equal(pl_tz_fixed(&fa, 0, &tz), PLAUDIT_ENOMEM);
    if (!have_zoneinfo())
        return;
    for (n = 0;; n++) {
        fail_after = n;
        rc = pl_tz_load(&fa, NULL, "Europe/Amsterdam", &tz, err, sizeof err);
        if (rc == 0)
            break;
        assert_int_equal(rc, PLAUDIT_ENOMEM);
        assert_null(tz);
        assert_true(n < 10);
    }
    assert_int_equal(pl_tz_offset(tz, utc(2026, 7, 1, 0, 0, 0)), 7200);
    pl_tz_free(&fa, tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amsterdam),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_lord_howe),
        cmocka_unit_test(test_kathmandu),
        cmocka_unit_test(test_apia_sitka),
        cmocka_unit_test(test_utc_etc),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_tzdir),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_bad_images),
        cmocka_unit_test(test_monotone_synthetic),
        cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_footer_special),
        cmocka_unit_test(test_footer_after_transitions),
        cmocka_unit_test(test_v1),
        cmocka_unit_test(test_enomem),
    };
    pl_alloc_default(&A);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
