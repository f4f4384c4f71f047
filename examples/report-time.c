/* report-time.c - the report's calendar (see report-time.h). */
#include "report-time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void report_local_tm(plaudit_ctx *ctx, int64_t ts, struct tm *out)
{
    plaudit_program_info info;
    int have = plaudit_program_info_get(ctx, &info) == PLAUDIT_OK;
    time_t t = (time_t)ts;
    if (have && info.timezone) {
        /* The C library's zone database: the same IANA rules as the
         * engine's reader of the system's tzdata. */
        const char *old = getenv("TZ");
        char *saved = old ? strdup(old) : NULL;
        setenv("TZ", info.timezone, 1);
        tzset();
        localtime_r(&t, out);
        if (saved) setenv("TZ", saved, 1);
        else unsetenv("TZ");
        tzset();
        free(saved);
        return;
    }
    t += (time_t)(have ? info.utc_offset_minutes : 0) * 60;
    gmtime_r(&t, out);
}

void report_local_date(plaudit_ctx *ctx, int64_t ts, char *buf)
{
    struct tm tm;
    report_local_tm(ctx, ts, &tm);
    snprintf(buf, 16, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
}

int report_data_span(plaudit_ctx *ctx, int64_t *first, int64_t *last)
{
    const char *ids[256];
    uint64_t start = 0, next;
    size_t n;
    int found = 0;
    *first = *last = 0;
    while (plaudit_member_list(ctx, start, 256, ids, &n, &next) == PLAUDIT_OK && n) {
        for (size_t i = 0; i < n; i++) {
            plaudit_member_info m;
            if (plaudit_member_get(ctx, ids[i], &m) != PLAUDIT_OK) continue;
            if (!found || m.joined < *first) *first = m.joined;
            found = 1;
        }
        if (next <= start) break;
        start = next;
    }
    if (found) *last = plaudit_clock(ctx);
    return found;
}

static int64_t local_day(plaudit_ctx *ctx, int64_t ts)
{
    struct tm tm;
    report_local_tm(ctx, ts, &tm);
    return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The first and last day of the period labelled `label`; 0 when the label
 * is not one of the analytics' forms. */
static int label_days(const char *label, plaudit_period p, int64_t *lo, int64_t *hi)
{
    int y, m = 1, d = 1, q;
    switch (p) {
    case PLAUDIT_PERIOD_DAY:
    case PLAUDIT_PERIOD_WEEK:
        if (sscanf(label, "%d-%d-%d", &y, &m, &d) != 3) return 0;
        *lo = days_from_civil(y, m, d);
        *hi = *lo + (p == PLAUDIT_PERIOD_WEEK ? 6 : 0);
        return 1;
    case PLAUDIT_PERIOD_MONTH:
        if (sscanf(label, "%d-%d", &y, &m) != 2) return 0;
        *lo = days_from_civil(y, m, 1);
        *hi = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1;
        return 1;
    case PLAUDIT_PERIOD_QUARTER:
        if (sscanf(label, "%d-Q%d", &y, &q) != 2 || q < 1 || q > 4) return 0;
        *lo = days_from_civil(y, 3 * q - 2, 1);
        *hi = (q == 4 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, 3 * q + 1, 1)) - 1;
        return 1;
    case PLAUDIT_PERIOD_YEAR:
        if (sscanf(label, "%d", &y) != 1) return 0;
        *lo = days_from_civil(y, 1, 1);
        *hi = days_from_civil(y + 1, 1, 1) - 1;
        return 1;
    default: return 0;
    }
}

static void day_text(int64_t day, char *buf)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}

void report_periods(plaudit_ctx *ctx, const plaudit_analytics *a, plaudit_period period, report_period *out)
{
    int64_t first = 0, last = 0, d0 = 0, d1 = 0;
    int have = report_data_span(ctx, &first, &last);
    if (have) {
        d0 = local_day(ctx, first);
        d1 = local_day(ctx, last);
    }
    for (size_t i = 0; i < a->n_periods; i++) {
        report_period *r = &out[i];
        int64_t lo, hi;
        memset(r, 0, sizeof *r);
        if (!label_days(a->periods[i].label, period, &lo, &hi)) {
            snprintf(r->first_day, sizeof r->first_day, "%s", a->periods[i].label);
            snprintf(r->last_day, sizeof r->last_day, "%s", a->periods[i].label);
            continue;
        }
        int64_t f = lo, l = hi;
        if (have && d0 > lo && d0 <= hi) {
            r->partial_start = 1;
            f = d0;
        }
        if (have && d1 >= lo && d1 < hi) {
            r->partial_end = 1;
            l = d1;
        }
        day_text(f, r->first_day);
        day_text(l, r->last_day);
    }
}
