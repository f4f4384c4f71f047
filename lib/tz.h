/* tz.h - local time for period computation: a fixed UTC offset or an IANA
 * zone read from the system's TZif files (internal). */
#ifndef PL_TZ_H
#define PL_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

typedef struct pl_tz pl_tz;

/* Load zone `name` (e.g. "Europe/Amsterdam") from `tzdir`, or when tzdir is
 * NULL from the first of /usr/share/zoneinfo, /usr/lib/zoneinfo,
 * /usr/share/lib/zoneinfo that has it.  Parses TZif v1/v2/v3/v4 (64-bit data
 * when present) and the POSIX TZ footer, which governs instants after the
 * last transition.  The name must be a relative path of [A-Za-z0-9/_+-.]
 * components with no "." or ".." component and at most 255 bytes.
 * Returns 0 and *out (allocated with a; free with pl_tz_free), or
 * PLAUDIT_ENOTFOUND (no such zone), PLAUDIT_ESTRING (bad name),
 * PLAUDIT_ECORRUPT (invalid file / footer), PLAUDIT_ENOMEM, PLAUDIT_EIO.
 * On error writes a message into err (errlen bytes, NUL-terminated). */
int pl_tz_load(const pl_alloc *a, const char *tzdir, const char *name, pl_tz **out, char *err, size_t errlen);

/* A zone with a fixed offset (seconds east of UTC, |offset| < 86400). */
int pl_tz_fixed(const pl_alloc *a, int32_t offset_s, pl_tz **out);

/* Load from an in-memory TZif image (for tests and fuzzing). */
int pl_tz_parse(const pl_alloc *a, const unsigned char *data, size_t len, pl_tz **out, char *err, size_t errlen);

void pl_tz_free(const pl_alloc *a, pl_tz *tz);

/* UTC offset in seconds (east positive) in force at instant ts. */
int32_t pl_tz_offset(const pl_tz *tz, int64_t ts);

/* The local calendar day of instant ts, as days since 1970-01-01 (local),
 * made monotone: where an offset change makes the local date step back, the
 * result stays at the latest day already reached, i.e. the result is
 * max over t <= ts of floor((t + offset(t)) / 86400).
 * *lo and *hi (may be NULL) receive a UTC range [lo, hi) containing ts over
 * which the result is the same, for caching (it may be narrower than the
 * whole day, never wider). */
int64_t pl_tz_day(const pl_tz *tz, int64_t ts, int64_t *lo, int64_t *hi);

#endif
