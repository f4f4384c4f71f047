/* report.h - program analytics as a readable table, JSON and a
 * self-contained HTML page; shared by the plaudit tool and the simulation. */
#ifndef PLAUDIT_EXAMPLES_REPORT_H
#define PLAUDIT_EXAMPLES_REPORT_H

#include <stdio.h>

#include <plaudit.h>

/* `window` describes the window in words ("all time", "2026-03-01 to
 * 2026-06-01"); `period` is the analytics granularity. */
void report_text(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period);
/* Returns 0, or -1 when out of memory. */
int report_json(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period);
void report_html(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period);

#endif
