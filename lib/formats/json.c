/* json.c - loading a program document (section 2) on top of the
 * declaration API, with errors that name the JSON path; the readers are
 * shared with the format 2 keys (json_v2.c), the depth check and parse
 * errors with event lines (json_event.c).  Parsing uses jansson when the
 * library is built with the `json` feature. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "plaudit-config.h"

#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

#if !PLAUDIT_HAVE_JSON

static int no_json(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    return pl_err(ctx, PLAUDIT_EUNSUPPORTED, "libplaudit was built without JSON support (jansson)");
}
int plaudit_program_load_json(plaudit_ctx *ctx, const char *json, size_t len) { (void)json; (void)len; return no_json(ctx); }
int plaudit_program_load_file(plaudit_ctx *ctx, const char *path) { (void)path; return no_json(ctx); }

#else

/* ---- input limits ------------------------------------------------------------- */

/* Refuse JSON text nested deeper than the context's limit, before the
 * (recursive) parser sees it.  Brackets inside strings do not count; the
 * text need not be valid JSON (the parser judges that). */
int pl_json_check_depth(plaudit_ctx *ctx, const char *p, size_t n, const char *what)
{
    unsigned depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > ctx->max_depth)
                return pl_err(ctx, PLAUDIT_ELIMIT, "%s: nested deeper than %u levels (byte %zu)", what, ctx->max_depth,
                              i);
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return PLAUDIT_OK;
}

/* what: "program" (positions as line and column) or "malformed line" (an
 * event line is one line: the column only, so that a report "line N: ..."
 * about the input is not contradicted by jansson's "line 1"). */
int pl_json_parse_error(plaudit_ctx *ctx, const json_error_t *e, const char *what)
{
    int one_line = strcmp(what, "program") != 0;
    if (json_error_code(e) == json_error_invalid_utf8) {
        if (one_line) return pl_err(ctx, PLAUDIT_EUTF8, "%s: invalid UTF-8 near column %d", what, e->column);
        return pl_err(ctx, PLAUDIT_EUTF8, "%s: invalid UTF-8 near line %d column %d", what, e->line, e->column);
    }
    if (one_line) {
        /* jansson speaks of a file; an event line ends with the line. */
        char text[sizeof e->text + 8];
        snprintf(text, sizeof text, "%s", e->text);
        char *eof = strstr(text, "end of file");
        if (eof) memcpy(eof, "end of line", 11);
        return pl_err(ctx, PLAUDIT_EPARSE, "%s: %s (column %d)", what, text, e->column);
    }
    return pl_err(ctx, PLAUDIT_EPARSE, "%s: %s (line %d, column %d)", what, e->text, e->line, e->column);
}

/* ---- loading a program --------------------------------------------------------- */

/* jpath and the readers below are shared with json_v2.c (json_load.h). */

/* Append to a path, cutting at the buffer's end (paths are for messages). */
static void jp_cat(jpath *out, size_t *n, const char *s)
{
    while (*s && *n + 1 < sizeof out->s) out->s[(*n)++] = *s++;
    out->s[*n] = '\0';
}

void jp(jpath *out, const jpath *base, const char *key, long index)
{
    size_t n = 0;
    out->s[0] = '\0';
    jp_cat(out, &n, base->s);
    if (index < 0 && base->s[0]) jp_cat(out, &n, ".");
    jp_cat(out, &n, key);
    if (index >= 0) {
        char num[24];
        snprintf(num, sizeof num, "[%ld]", index);
        jp_cat(out, &n, num);
    }
}

int jerr(plaudit_ctx *ctx, int code, const jpath *p, const char *fmt, ...)
{
    char msg[PL_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pl_err(ctx, code, "%s: %s", p->s[0] ? p->s : "(document)", msg);
}

/* Prefix the declaration call's own message with the item's path. */
int decl_fail(plaudit_ctx *ctx, int rc, const jpath *p)
{
    char msg[PL_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", ctx->errmsg);
    return pl_err(ctx, rc, "%s: %s", p->s, msg);
}

/* Reject keys outside `allowed` (NULL-terminated). */
int only_keys(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++) ok |= strcmp(*a, key) == 0;
        if (!ok) {
            jpath q;
            jp(&q, p, key, -1);
            return jerr(ctx, PLAUDIT_EPARSE, &q, "unknown key");
        }
    }
    return PLAUDIT_OK;
}

int get_obj(plaudit_ctx *ctx, json_t *v, const jpath *p, json_t **out)
{
    if (!json_is_object(v)) return jerr(ctx, PLAUDIT_EPARSE, p, "expected an object");
    *out = v;
    return PLAUDIT_OK;
}

/* Optional string member (*out NULL when absent). */
int opt_str(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) return PLAUDIT_OK;
    if (!json_is_string(v)) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "expected a string");
    }
    *out = json_string_value(v);
    return PLAUDIT_OK;
}

int req_str(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, const char **out)
{
    int rc = opt_str(ctx, obj, p, key, out);
    if (rc) return rc;
    if (!*out) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "missing");
    }
    return PLAUDIT_OK;
}

int opt_int(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int64_t *out, int *present)
{
    json_t *v = json_object_get(obj, key);
    if (present) *present = v != NULL;
    if (!v) return PLAUDIT_OK;
    if (!json_is_integer(v)) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "expected an integer");
    }
    *out = (int64_t)json_integer_value(v);
    return PLAUDIT_OK;
}

/* An optional integer that may not be negative: -1 would otherwise read as
 * PLAUDIT_UNSET (no cap, unlimited stock) instead of failing. */
static int opt_nonneg(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int64_t *out, int *present)
{
    int has = 0;
    int64_t v = *out;
    int rc = opt_int(ctx, obj, p, key, &v, &has);
    if (present) *present = has;
    if (rc || !has) return rc;
    if (v < 0) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_ERANGE, &q, "%lld is out of range (0 to %lld)", (long long)v, PLAUDIT_MAX_VALUE);
    }
    *out = v;
    return PLAUDIT_OK;
}

int req_int(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int64_t *out)
{
    int present;
    int rc = opt_int(ctx, obj, p, key, out, &present);
    if (rc) return rc;
    if (!present) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "missing");
    }
    return PLAUDIT_OK;
}

int opt_bool(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return PLAUDIT_OK;
    if (!json_is_boolean(v)) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "expected true or false");
    }
    *out = json_is_true(v);
    return PLAUDIT_OK;
}

int opt_period(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, plaudit_period *out)
{
    const char *s;
    int rc = opt_str(ctx, obj, p, key, &s);
    if (rc || !s) return rc;
    *out = plaudit_period_parse(s);
    if (*out == PLAUDIT_PERIOD_NONE) {
        jpath q;
        jp(&q, p, key, -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "\"%s\" is not a period (day, week, month, quarter, year, all)", s);
    }
    return PLAUDIT_OK;
}

static int get_array(plaudit_ctx *ctx, json_t *root, const char *key, json_t **out)
{
    json_t *v = json_object_get(root, key);
    *out = v;
    if (v && !json_is_array(v)) {
        jpath q = {{0}};
        snprintf(q.s, sizeof q.s, "%s", key);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "expected an array");
    }
    return PLAUDIT_OK;
}

/* {"points"?, "count"?, "per"} */
static int read_cap(plaudit_ctx *ctx, json_t *obj, const jpath *p, const char *key, int allow_points, int64_t *points,
                    int64_t *count, plaudit_period *per)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return PLAUDIT_OK;
    jpath q;
    jp(&q, p, key, -1);
    json_t *c = NULL;
    int rc = get_obj(ctx, v, &q, &c);
    static const char *const with_points[] = {"points", "count", "per", NULL};
    static const char *const count_only[] = {"count", "per", NULL};
    if (rc || (rc = only_keys(ctx, c, &q, allow_points ? with_points : count_only))) return rc;
    int hp = 0, hc = 0;
    if (allow_points && (rc = opt_nonneg(ctx, c, &q, "points", points, &hp))) return rc;
    if ((rc = opt_nonneg(ctx, c, &q, "count", count, &hc))) return rc;
    if (!hp && !hc) return jerr(ctx, PLAUDIT_EPARSE, &q, allow_points ? "needs points or count" : "needs count");
    if (!json_object_get(c, "per")) {
        jpath r;
        jp(&r, &q, "per", -1);
        return jerr(ctx, PLAUDIT_EPARSE, &r, "missing");
    }
    return opt_period(ctx, c, &q, "per", per);
}

static int load_actions(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys[] = {"id", "name", "description", "points", "once", "cooldown_s", "cap", NULL};
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p;
        jp(&p, &root, "actions", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_action_def d = PLAUDIT_ACTION_DEF_INIT;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) || (rc = req_int(ctx, o, &p, "points", &d.points)) ||
            (rc = opt_bool(ctx, o, &p, "once", &d.once)) || (rc = opt_int(ctx, o, &p, "cooldown_s", &d.cooldown_s, NULL)) ||
            (rc = read_cap(ctx, o, &p, "cap", 1, &d.cap_points, &d.cap_count, &d.cap_per)))
            return rc;
        if ((rc = plaudit_action_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    }
    return PLAUDIT_OK;
}

static int load_tiers(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys1[] = {"id", "name", "description", "min_points", "min_distinct_actions",
                                        "min_tenure_days", "lifetime", "window", NULL};
    static const char *const keys2[] = {"id", "name", "description", "min_points", "min_distinct_actions",
                                        "min_tenure_days", "lifetime", "window", "benefits", NULL};
    const char *const *keys = ctx->format >= 2 ? keys2 : keys1;
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p;
        jp(&p, &root, "tiers", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_tier_def d = PLAUDIT_TIER_DEF_INIT;
        const char *benefits[PLAUDIT_MAX_BENEFITS];
        if ((rc = pl_json_tier_v2(ctx, o, &p, &d, benefits))) return rc;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) ||
            (rc = opt_int(ctx, o, &p, "min_points", &d.min_points, NULL)) ||
            (rc = opt_int(ctx, o, &p, "min_distinct_actions", &d.min_distinct_actions, NULL)) ||
            (rc = opt_int(ctx, o, &p, "min_tenure_days", &d.min_tenure_days, NULL)) ||
            (rc = opt_bool(ctx, o, &p, "lifetime", &d.lifetime)) || (rc = opt_period(ctx, o, &p, "window", &d.window)))
            return rc;
        if ((rc = plaudit_tier_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    }
    return PLAUDIT_OK;
}

static int load_segments(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys[] = {"id", "name", "description", "weights", NULL};
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p;
        jp(&p, &root, "segments", (long)i);
        json_t *o = NULL, *w = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_segment_def d = PLAUDIT_SEGMENT_DEF_INIT;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)))
            return rc;
        jpath q;
        jp(&q, &p, "weights", -1);
        json_t *wv = json_object_get(o, "weights");
        if (!wv) return jerr(ctx, PLAUDIT_EPARSE, &q, "missing");
        if ((rc = get_obj(ctx, wv, &q, &w))) return rc;
        size_t n = json_object_size(w);
        const char **acts = pl_malloc(&ctx->alloc, sizeof *acts * (n ? n : 1));
        int64_t *ws = pl_malloc(&ctx->alloc, sizeof *ws * (n ? n : 1));
        if (!acts || !ws) {
            pl_free(&ctx->alloc, acts);
            pl_free(&ctx->alloc, ws);
            return jerr(ctx, PLAUDIT_ENOMEM, &p, "out of memory");
        }
        size_t j = 0;
        const char *key;
        json_t *v;
        json_object_foreach(w, key, v) {
            jpath r;
            jp(&r, &q, key, -1);
            if (!json_is_integer(v)) {
                rc = jerr(ctx, PLAUDIT_EPARSE, &r, "expected an integer weight");
                break;
            }
            if (!pl_action_find(ctx, key)) {
                rc = jerr(ctx, PLAUDIT_ENOTFOUND, &r, "unknown action \"%s\"%s", key,
                          pl_did_you_mean(ctx, PL_K_ACTION, key));
                break;
            }
            acts[j] = key;
            ws[j++] = (int64_t)json_integer_value(v);
        }
        if (!rc) {
            d.n_weights = j;
            d.actions = acts;
            d.weights = ws;
            if ((rc = plaudit_segment_declare(ctx, &d))) rc = decl_fail(ctx, rc, &p);
        }
        pl_free(&ctx->alloc, acts);
        pl_free(&ctx->alloc, ws);
        if (rc) return rc;
    }
    return PLAUDIT_OK;
}

static int load_boards(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys1[] = {"id", "name", "description", "period", "segment", "size", NULL};
    static const char *const keys2[] = {"id", "name", "description", "period", "segment", "size",
                                        "by", "from", "until", NULL};
    const char *const *keys = ctx->format >= 2 ? keys2 : keys1;
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p;
        jp(&p, &root, "leaderboards", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_leaderboard_def d = PLAUDIT_LEADERBOARD_DEF_INIT;
        if ((rc = pl_json_board_v2(ctx, o, &p, &d))) return rc;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) ||
            (rc = opt_period(ctx, o, &p, "period", &d.period)) || (rc = opt_str(ctx, o, &p, "segment", &d.segment)) ||
            (rc = opt_int(ctx, o, &p, "size", &d.size, NULL)))
            return rc;
        jpath q;
        if (!json_object_get(o, "period")) {
            jp(&q, &p, "period", -1);
            return jerr(ctx, PLAUDIT_EPARSE, &q, "missing");
        }
        if (d.segment && !pl_segment_find(ctx, d.segment)) {
            jp(&q, &p, "segment", -1);
            return jerr(ctx, PLAUDIT_ENOTFOUND, &q, "unknown segment \"%s\"%s", d.segment,
                        pl_did_you_mean(ctx, PL_K_SEGMENT, d.segment));
        }
        if ((rc = plaudit_leaderboard_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    }
    return PLAUDIT_OK;
}

/* A threshold: an integer or a non-empty list of integers. */
int read_thresholds(plaudit_ctx *ctx, json_t *v, const jpath *p, int64_t *buf, size_t *n)
{
    if (json_is_integer(v)) {
        buf[0] = (int64_t)json_integer_value(v);
        *n = 1;
        return PLAUDIT_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return jerr(ctx, PLAUDIT_EPARSE, p, "expected an integer or a non-empty list of integers");
    if (json_array_size(v) > PLAUDIT_MAX_LEVELS)
        return jerr(ctx, PLAUDIT_ELIMIT, p, "at most %d levels", PLAUDIT_MAX_LEVELS);
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *x = json_array_get(v, i);
        if (!json_is_integer(x)) {
            jpath q;
            jp(&q, p, "", (long)i);
            return jerr(ctx, PLAUDIT_EPARSE, &q, "expected an integer");
        }
        buf[i] = (int64_t)json_integer_value(x);
        if (i && buf[i] <= buf[i - 1]) return jerr(ctx, PLAUDIT_EINVAL, p, "thresholds must be strictly ascending");
    }
    *n = json_array_size(v);
    return PLAUDIT_OK;
}

int load_when(plaudit_ctx *ctx, json_t *w, const jpath *p, plaudit_badge_def *d, int64_t *thr)
{
    static const struct {
        const char *key;
        plaudit_criterion kind;
    } simple[] = {{"distinct_actions", PLAUDIT_CRITERION_DISTINCT_ACTIONS},
                  {"points", PLAUDIT_CRITERION_POINTS},
                  {"tenure_days", PLAUDIT_CRITERION_TENURE_DAYS},
                  {"kudos_received", PLAUDIT_CRITERION_KUDOS_RECEIVED},
                  {"kudos_given", PLAUDIT_CRITERION_KUDOS_GIVEN}};
    int rc;
    jpath q;
    if (json_object_get(w, "action")) {
        if ((rc = req_str(ctx, w, p, "action", &d->action))) return rc;
        if (!pl_action_find(ctx, d->action)) {
            jp(&q, p, "action", -1);
            return jerr(ctx, PLAUDIT_ENOTFOUND, &q, "unknown action \"%s\"%s", d->action,
                        pl_did_you_mean(ctx, PL_K_ACTION, d->action));
        }
        json_t *c = json_object_get(w, "count"), *s = json_object_get(w, "streak");
        if ((c != NULL) == (s != NULL)) return jerr(ctx, PLAUDIT_EPARSE, p, "an action criterion needs count or streak (one of them)");
        if (c) {
            static const char *const keys[] = {"action", "count", "within", NULL};
            if ((rc = only_keys(ctx, w, p, keys))) return rc;
            d->criterion = PLAUDIT_CRITERION_ACTION_COUNT;
            jp(&q, p, "count", -1);
            if ((rc = read_thresholds(ctx, c, &q, thr, &d->n_thresholds))) return rc;
            return opt_period(ctx, w, p, "within", &d->within);
        }
        static const char *const keys[] = {"action", "streak", "per", NULL};
        if ((rc = only_keys(ctx, w, p, keys))) return rc;
        d->criterion = PLAUDIT_CRITERION_ACTION_STREAK;
        jp(&q, p, "streak", -1);
        if ((rc = read_thresholds(ctx, s, &q, thr, &d->n_thresholds))) return rc;
        if (!json_object_get(w, "per")) {
            jp(&q, p, "per", -1);
            return jerr(ctx, PLAUDIT_EPARSE, &q, "missing");
        }
        return opt_period(ctx, w, p, "per", &d->per);
    }
    if (json_object_get(w, "tier")) {
        static const char *const keys[] = {"tier", NULL};
        if ((rc = only_keys(ctx, w, p, keys)) || (rc = req_str(ctx, w, p, "tier", &d->tier))) return rc;
        d->criterion = PLAUDIT_CRITERION_TIER;
        if (!pl_tier_find(ctx, d->tier)) {
            jp(&q, p, "tier", -1);
            return jerr(ctx, PLAUDIT_ENOTFOUND, &q, "unknown tier \"%s\"%s", d->tier,
                        pl_did_you_mean(ctx, PL_K_TIER, d->tier));
        }
        return PLAUDIT_OK;
    }
    if (json_object_get(w, "leaderboard")) {
        static const char *const keys[] = {"leaderboard", "top", NULL};
        if ((rc = only_keys(ctx, w, p, keys)) || (rc = req_str(ctx, w, p, "leaderboard", &d->leaderboard)) ||
            (rc = req_int(ctx, w, p, "top", &d->top)))
            return rc;
        d->criterion = PLAUDIT_CRITERION_LEADERBOARD;
        if (!pl_board_find(ctx, d->leaderboard)) {
            jp(&q, p, "leaderboard", -1);
            return jerr(ctx, PLAUDIT_ENOTFOUND, &q, "unknown leaderboard \"%s\"%s", d->leaderboard,
                        pl_did_you_mean(ctx, PL_K_BOARD, d->leaderboard));
        }
        return PLAUDIT_OK;
    }
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++) {
        json_t *v = json_object_get(w, simple[i].key);
        if (!v) continue;
        if (json_object_size(w) != 1) return jerr(ctx, PLAUDIT_EPARSE, p, "holds more than one criterion");
        d->criterion = simple[i].kind;
        jp(&q, p, simple[i].key, -1);
        return read_thresholds(ctx, v, &q, thr, &d->n_thresholds);
    }
    if (json_object_size(w) == 0) return jerr(ctx, PLAUDIT_EPARSE, p, "holds no criterion");
    const char *key = json_object_iter_key(json_object_iter(w));
    jp(&q, p, key, -1);
    return jerr(ctx, PLAUDIT_EPARSE, &q, "unknown key");
}

static int load_badges(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys1[] = {"id",    "name",   "description", "image",      "criteria", "when",
                                        "bonus", "hidden", "manual",      "repeatable", NULL};
    static const char *const keys2[] = {"id",    "name",   "description", "image",      "criteria", "when", "bonus",
                                        "hidden", "manual", "repeatable",  "from",       "until",    NULL};
    const char *const *keys = ctx->format >= 2 ? keys2 : keys1;
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p, q;
        jp(&p, &root, "badges", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_badge_def d = PLAUDIT_BADGE_DEF_INIT;
        int64_t thr[PLAUDIT_MAX_LEVELS];
        plaudit_criterion_def parts[PLAUDIT_MAX_ALL];
        if ((rc = pl_json_badge_v2(ctx, o, &p, &d))) return rc;
        int manual = 0;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) || (rc = opt_str(ctx, o, &p, "image", &d.image)) ||
            (rc = opt_str(ctx, o, &p, "criteria", &d.criteria)) || (rc = opt_int(ctx, o, &p, "bonus", &d.bonus, NULL)) ||
            (rc = opt_bool(ctx, o, &p, "hidden", &d.hidden)) || (rc = opt_bool(ctx, o, &p, "manual", &manual)) ||
            (rc = opt_bool(ctx, o, &p, "repeatable", &d.repeatable)))
            return rc;
        json_t *w = json_object_get(o, "when");
        jp(&q, &p, "when", -1);
        if (manual && w) return jerr(ctx, PLAUDIT_EPARSE, &q, "a manual badge has no criterion");
        if (!manual && !w) return jerr(ctx, PLAUDIT_EPARSE, &q, "missing (or set \"manual\": true)");
        if (w) {
            json_t *wo = NULL;
            if ((rc = get_obj(ctx, w, &q, &wo))) return rc;
            if (ctx->format >= 2 && json_object_get(wo, "all")) rc = pl_json_when_all(ctx, wo, &q, &d, parts);
            else rc = load_when(ctx, wo, &q, &d, thr);
            if (rc) return rc;
            d.thresholds = thr;
        }
        if ((rc = plaudit_badge_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    }
    return PLAUDIT_OK;
}

static int load_kudos(plaudit_ctx *ctx, json_t *v)
{
    static const char *const keys[] = {"points", "cap", "give_cap", NULL};
    jpath p = {{0}};
    snprintf(p.s, sizeof p.s, "kudos");
    json_t *o = NULL;
    int rc = get_obj(ctx, v, &p, &o);
    if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
    plaudit_kudos_def d = PLAUDIT_KUDOS_DEF_INIT;
    if ((rc = req_int(ctx, o, &p, "points", &d.points)) ||
        (rc = read_cap(ctx, o, &p, "cap", 1, &d.cap_points, &d.cap_count, &d.cap_per)))
        return rc;
    int64_t unused = PLAUDIT_UNSET;
    if ((rc = read_cap(ctx, o, &p, "give_cap", 0, &unused, &d.give_cap_count, &d.give_cap_per))) return rc;
    if ((rc = plaudit_kudos_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    return PLAUDIT_OK;
}

static int load_rewards(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys[] = {"id", "name", "description", "cost", "stock", NULL};
    jpath root = {{0}};
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p;
        jp(&p, &root, "rewards", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_reward_def d = PLAUDIT_REWARD_DEF_INIT;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) || (rc = req_int(ctx, o, &p, "cost", &d.cost)) ||
            (rc = opt_nonneg(ctx, o, &p, "stock", &d.stock, NULL)))
            return rc;
        if ((rc = plaudit_reward_declare(ctx, &d))) return decl_fail(ctx, rc, &p);
    }
    return PLAUDIT_OK;
}

static int load_doc(plaudit_ctx *ctx, json_t *root)
{
    static const char *const keys1[] = {"format", "name",   "timezone", "utc_offset_minutes", "actions", "tiers",
                                        "badges", "segments", "leaderboards", "kudos", "rewards", NULL};
    /* Format 2 adds top-level keys; a format 1 document does not know them. */
    static const char *const keys2[] = {"format",   "name",         "timezone", "utc_offset_minutes",
                                        "actions",  "tiers",        "badges",   "segments",
                                        "leaderboards", "kudos",    "rewards",  "reorder_window_s",
                                        "campaigns", NULL};
    jpath top = {{0}};
    int rc;
    if (!json_is_object(root)) return jerr(ctx, PLAUDIT_EPARSE, &top, "expected a JSON object");
    const char *format, *name, *zone;
    if ((rc = req_str(ctx, root, &top, "format", &format))) return rc;
    int version = !strcmp(format, "plaudit.program/1") ? 1 : !strcmp(format, "plaudit.program/2") ? 2 : 0;
    if (!version) {
        jpath q = {{0}};
        snprintf(q.s, sizeof q.s, "format");
        return jerr(ctx, PLAUDIT_EVERSION, &q,
                    "\"%s\" is not supported (expected \"plaudit.program/1\" or \"plaudit.program/2\")", format);
    }
    if ((rc = only_keys(ctx, root, &top, version == 2 ? keys2 : keys1))) return rc;
    if ((rc = plaudit_program_set_format(ctx, version))) return rc;
    if ((rc = opt_str(ctx, root, &top, "name", &name)) || (rc = opt_str(ctx, root, &top, "timezone", &zone))) return rc;
    int64_t off = 0;
    int has_off = 0;
    if ((rc = opt_int(ctx, root, &top, "utc_offset_minutes", &off, &has_off))) return rc;
    int64_t window = 0;
    int has_window = 0;
    if ((rc = opt_int(ctx, root, &top, "reorder_window_s", &window, &has_window))) return rc;
    jpath q = {{0}};
    if (name && (rc = plaudit_program_set_name(ctx, name))) {
        snprintf(q.s, sizeof q.s, "name");
        return decl_fail(ctx, rc, &q);
    }
    /* A zone, when given, wins over a fixed offset. */
    if (zone) {
        if ((rc = plaudit_program_set_timezone(ctx, zone))) {
            snprintf(q.s, sizeof q.s, "timezone");
            return decl_fail(ctx, rc, &q);
        }
    } else if (has_off) {
        if (off < -1439 || off > 1439) {
            snprintf(q.s, sizeof q.s, "utc_offset_minutes");
            return jerr(ctx, PLAUDIT_ERANGE, &q, "%lld is out of range (-1439 to 1439)", (long long)off);
        }
        if ((rc = plaudit_program_set_utc_offset(ctx, (int)off))) return rc;
    }
    if (has_window && (rc = plaudit_program_set_reorder_window(ctx, window))) {
        snprintf(q.s, sizeof q.s, "reorder_window_s");
        return decl_fail(ctx, rc, &q);
    }
    json_t *actions, *tiers, *badges, *segments, *boards, *rewards;
    if ((rc = get_array(ctx, root, "actions", &actions)) || (rc = get_array(ctx, root, "tiers", &tiers)) ||
        (rc = get_array(ctx, root, "badges", &badges)) || (rc = get_array(ctx, root, "segments", &segments)) ||
        (rc = get_array(ctx, root, "leaderboards", &boards)) || (rc = get_array(ctx, root, "rewards", &rewards)))
        return rc;
    static const char *const kinds[] = {"actions", "tiers", "badges", "segments", "leaderboards", "rewards"};
    json_t *const arrays[] = {actions, tiers, badges, segments, boards, rewards};
    for (size_t i = 0; i < 6; i++)
        if (arrays[i] && json_array_size(arrays[i]) > ctx->max_rules) {
            snprintf(q.s, sizeof q.s, "%s", kinds[i]);
            return jerr(ctx, PLAUDIT_ELIMIT, &q, "%zu rules, more than the limit of %u", json_array_size(arrays[i]),
                        ctx->max_rules);
        }
    if (actions && (rc = load_actions(ctx, actions))) return rc;
    json_t *campaigns = json_object_get(root, "campaigns");
    if (campaigns && (rc = pl_json_load_campaigns(ctx, campaigns))) return rc;
    if (tiers && (rc = load_tiers(ctx, tiers))) return rc;
    if (segments && (rc = load_segments(ctx, segments))) return rc;
    if (boards && (rc = load_boards(ctx, boards))) return rc;
    if (badges && (rc = load_badges(ctx, badges))) return rc;
    json_t *k = json_object_get(root, "kudos");
    if (k && (rc = load_kudos(ctx, k))) return rc;
    if (rewards && (rc = load_rewards(ctx, rewards))) return rc;
    return PLAUDIT_OK;
}

/* Undo a partial load: back to an empty program. */
static void program_reset(plaudit_ctx *ctx)
{
    pl_program_free(ctx);
    memset(&ctx->kudos, 0, sizeof ctx->kudos);
    ctx->kudos.recv_trk = ctx->kudos.give_trk = -1;
    ctx->utc_offset_min = 0;
    ctx->reorder_window_s = 0;
    ctx->format = 1;
}

int plaudit_program_load_json(plaudit_ctx *ctx, const char *json, size_t len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!json) return pl_err(ctx, PLAUDIT_EINVAL, "json is NULL");
    if (ctx->in_callback) return pl_reentered(ctx, "a program cannot be loaded");
    if (ctx->sealed)
        return pl_err(ctx, PLAUDIT_ESTATE,
                      "a program cannot be loaded once events are recorded or a store is attached (the program is "
                      "sealed)");
    /* A load replaces the whole program (rules, name, time zone); if it
     * fails, the context is left with no program. */
    program_reset(ctx);
    if (len > ctx->max_program)
        return pl_err(ctx, PLAUDIT_ELIMIT, "program: %zu bytes, more than the limit of %zu", len, ctx->max_program);
    /* jansson would stop at a NUL with a vaguer message. */
    const char *nul = memchr(json, '\0', len);
    if (nul) return pl_err(ctx, PLAUDIT_EPARSE, "program: NUL byte at offset %zu", (size_t)(nul - json));
    int rc0 = pl_json_check_depth(ctx, json, len, "program");
    if (rc0) return rc0;
    json_error_t e;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) return pl_json_parse_error(ctx, &e, "program");
    int rc = load_doc(ctx, root);
    json_decref(root);
    if (!rc) rc = pl_program_check_member_bytes(ctx);
    if (rc) {
        char msg[PL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->errmsg);
        program_reset(ctx);
        return pl_err(ctx, rc, "%s", msg);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_program_load_file(plaudit_ctx *ctx, const char *path)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!path) return pl_err(ctx, PLAUDIT_EINVAL, "path is NULL");
    if (ctx->in_callback) return pl_reentered(ctx, "a program cannot be loaded");
    if (ctx->sealed)
        return pl_err(ctx, PLAUDIT_ESTATE,
                      "a program cannot be loaded once events are recorded or a store is attached (the program is "
                      "sealed)");
    program_reset(ctx); /* as plaudit_program_load_json: a failed load leaves no program */
    FILE *f = fopen(path, "rb");
    if (!f) return pl_err(ctx, errno == ENOENT ? PLAUDIT_ENOTFOUND : PLAUDIT_EIO, "%s: %s", path, strerror(errno));
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    char chunk[65536];
    size_t n;
    int rc = PLAUDIT_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        /* Refused rather than read past the limit. */
        if (b.len + n > ctx->max_program) {
            rc = pl_err(ctx, PLAUDIT_ELIMIT, "%s: larger than the limit of %zu bytes", path, ctx->max_program);
            break;
        }
        pl_buf_put(&b, chunk, n);
        if (b.oom) {
            rc = pl_err(ctx, PLAUDIT_ENOMEM, "%s: out of memory reading the file", path);
            break;
        }
    }
    if (!rc && ferror(f)) rc = pl_err(ctx, PLAUDIT_EIO, "%s: read error", path);
    fclose(f);
    if (!rc) rc = plaudit_program_load_json(ctx, b.p ? b.p : "", b.len);
    pl_buf_free(&b);
    return rc;
}

#endif
