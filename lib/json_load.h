/* json_load.h - what the JSON files of lib/formats share: the program
 * loader's readers (json.c) used by the format 2 keys (json_v2.c), the
 * depth check and parse errors used by event lines (json_event.c), and the
 * writers' helpers (json_out.c, json_export.c, json_v2.c)
 * (internal; never installed). */
#ifndef PL_JSON_LOAD_H
#define PL_JSON_LOAD_H

#include "internal.h"

/* ,"k":"v" (or null) appended to an object being written. */
void pl_json_kv_str(pl_buf *b, const char *k, const char *v);

/* Export (no parser needed): format 2 keys of a tier, dates, a challenge's
 * `all`, the campaigns list. */
void pl_json_export_tier_v2(const plaudit_ctx *ctx, const pl_tier *t, pl_buf *b);
void pl_json_export_dates(pl_buf *b, int64_t from, int64_t until);
void pl_json_export_all(const plaudit_ctx *ctx, const pl_badge *g, pl_buf *b);
void pl_json_export_campaigns(const plaudit_ctx *ctx, pl_buf *b);

#if PLAUDIT_HAVE_JSON
/* The JSON path of the item being read, e.g. "badges[3].when". */
typedef struct jpath {
    char s[256];
} jpath;

/* Refuse text nested deeper than ctx->max_depth before the parser sees it;
 * what prefixes the message ("program", "malformed line"). */
int pl_json_check_depth(plaudit_ctx *ctx, const char *p, size_t n, const char *what);
int pl_json_parse_error(plaudit_ctx *ctx, const json_error_t *e, const char *what);

void jp(jpath *out, const jpath *base, const char *key, long index);
int jerr(plaudit_ctx *ctx, int code, const jpath *p, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int decl_fail(plaudit_ctx *ctx, int rc, const jpath *p);
int only_keys(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *const *allowed);
int get_obj(plaudit_ctx *ctx, json_t *v, const jpath *p, json_t **out);
int opt_str(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, const char **out);
int req_str(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, const char **out);
int opt_int(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int64_t *out, int *present);
int req_int(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int64_t *out);
int opt_bool(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int *out);
int opt_period(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, plaudit_period *out);
int read_thresholds(plaudit_ctx *ctx, json_t *v, const jpath *p, int64_t *buf, size_t *n);
int load_when(plaudit_ctx *ctx, json_t *w, const jpath *p, plaudit_badge_def *d, int64_t *thr);

/* Format 2 keys (json_v2.c).  Each reads only what a format 2 document may
 * carry (only_keys has already refused them in format 1). */
int pl_json_tier_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_tier_def *d, const char **benefits);
int pl_json_board_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_leaderboard_def *d);
int pl_json_badge_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_badge_def *d);
int pl_json_when_all(plaudit_ctx *ctx, json_t *w, const jpath *p, plaudit_badge_def *d,
                     plaudit_criterion_def *parts);
int pl_json_load_campaigns(plaudit_ctx *ctx, json_t *arr);
#endif

#endif
