/* fuzz-tz.c - libFuzzer target for the TZif parser and the zone queries:
 * any input must be rejected cleanly or give a zone whose answers are
 * internally consistent (the [lo, hi) range contains ts and its ends give
 * the same day). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plaudit.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t instants[] = {
        INT64_MIN, -((int64_t)1 << 59), -2208988800, -1, 0, 1, 1711846800, 1792883400, 4102444800,
        (int64_t)1 << 37, ((int64_t)1 << 37) + 12345, INT64_MAX - 1,
    };
    pl_alloc a;
    pl_tz *tz = NULL;
    char err[128];
    size_t i;
    int rc;

    pl_alloc_default(&a);
    rc = pl_tz_parse(&a, data, size, &tz, err, sizeof err);
    if (rc != 0) {
        if (rc != PLAUDIT_ECORRUPT || tz != NULL || memchr(err, '\0', sizeof err) == NULL)
            abort();
        return 0;
    }
    for (i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        int64_t ts = instants[i], lo, hi, v;
        int32_t off = pl_tz_offset(tz, ts);
        if (off < -89999 || off > 93599)
            abort();
        v = pl_tz_day(tz, ts, &lo, &hi);
        if (!(lo <= ts && ts < hi) && ts != INT64_MAX)
            abort();
        if (pl_tz_day(tz, lo, NULL, NULL) != v || pl_tz_day(tz, hi - 1, NULL, NULL) != v)
            abort();
        if (ts > INT64_MIN && pl_tz_day(tz, ts - 1, NULL, NULL) > v)
            abort();
    }
    pl_tz_free(&a, tz);
    return 0;
}
