/* report-time.h - the report's calendar: a program's local time and the
 * bounds of the analytics periods, to tell a partial period (the data
 * starts or ends inside it) from a real drop. */
#ifndef PLAUDIT_EXAMPLES_REPORT_TIME_H
#define PLAUDIT_EXAMPLES_REPORT_TIME_H

#include <stdint.h>
#include <time.h>

#include <plaudit.h>

/* `ts` in the program's local time (its IANA zone, else its fixed offset). */
void report_local_tm(plaudit_ctx *ctx, int64_t ts, struct tm *out);
/* "YYYY-MM-DD" of `ts` in local time; buf holds at least 16 bytes. */
void report_local_date(plaudit_ctx *ctx, int64_t ts, char *buf);

/* The span of the data: the first event that named a member (the earliest
 * `joined`) and the clock.  0 when there is no member. */
int report_data_span(plaudit_ctx *ctx, int64_t *first, int64_t *last);

/* What the report knows of one period of the series. */
typedef struct report_period {
    int partial_start, partial_end; /* the data starts / ends inside it */
    char first_day[16];             /* its first day with data, "YYYY-MM-DD" */
    char last_day[16];              /* its last day with data */
} report_period;

/* Fill out[0..a->n_periods-1]. */
void report_periods(plaudit_ctx *ctx, const plaudit_analytics *a, plaudit_period period, report_period *out);

#endif
