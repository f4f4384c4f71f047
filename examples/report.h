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
/* One self-contained page (inline SVG and CSS, no scripts, no network),
 * laid out for a desktop and a phone (report-html.c). */
void report_html(FILE *f, plaudit_ctx *ctx, const plaudit_analytics *a, const char *window, plaudit_period period);

/* Team boards and seasons (format 2), as text or HTML; nothing for a
 * program without them (report-teams.c). */
void report_teams(FILE *f, plaudit_ctx *ctx, int html);
/* Participation and fairness by team (a->teams), as text or HTML; nothing
 * when no team was named. */
void report_team_analytics(FILE *f, const plaudit_analytics *a, int html);

/* Shared by the three: the program's name, and words for its Gini ("no
 * contributions in the window" when there is nothing to compare). */
const char *report_program_name(plaudit_ctx *ctx);
const char *report_gini_words(const plaudit_analytics *a);

#endif
