/* period.c - calendar periods: from a local day number to the keys of its
 * day, ISO week, month, quarter and year. */
#include "internal.h"

static const char *const period_names[] = {NULL, "day", "week", "month", "quarter", "year", "all"};

const char *plaudit_period_name(plaudit_period p)
{
    return (unsigned)p < PL_NPERIODS ? period_names[p] : NULL;
}

plaudit_period plaudit_period_parse(const char *name)
{
    if (!name) return PLAUDIT_PERIOD_NONE;
    for (int i = 1; i < PL_NPERIODS; i++)
        if (strcmp(name, period_names[i]) == 0) return (plaudit_period)i;
    return PLAUDIT_PERIOD_NONE;
}

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* Howard Hinnant's civil_from_days: exact for the whole int64 day range we
 * use, with no libc time functions. */
void pl_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = floordiv(z, 146097);
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void pl_period_keys(int64_t day, uint32_t keys[PL_NPERIODS])
{
    int64_t y;
    unsigned m, d;
    pl_civil_from_days(day, &y, &m, &d);
    keys[PLAUDIT_PERIOD_NONE] = 0;
    /* Offsets keep every key >= 1 for ts >= 0 (local day >= -2). */
    keys[PLAUDIT_PERIOD_DAY] = (uint32_t)(day + 3);
    /* Day 0 (1970-01-01) is a Thursday; ISO weeks start on Monday (day -3). */
    keys[PLAUDIT_PERIOD_WEEK] = (uint32_t)(floordiv(day + 3, 7) + 2);
    keys[PLAUDIT_PERIOD_MONTH] = (uint32_t)(y * 12 + (int64_t)m - 1);
    keys[PLAUDIT_PERIOD_QUARTER] = (uint32_t)(y * 4 + (int64_t)(m - 1) / 3);
    keys[PLAUDIT_PERIOD_YEAR] = (uint32_t)y;
    keys[PLAUDIT_PERIOD_ALL] = 1;
}
