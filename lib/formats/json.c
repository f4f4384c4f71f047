/* json.c - the JSON side of the spec: loading a program document (section
 * 2) on top of the declaration API with errors that name the JSON path,
 * parsing event lines (section 3), and writing outcomes as JSON.  Parsing
 * uses jansson when the library is built with the `json` feature. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "plaudit-config.h"

#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

int plaudit_has_json(void) { return PLAUDIT_HAVE_JSON; }

/* ---- outcome as JSON (no parser needed) ------------------------------------ */

static const char *source_name(plaudit_source s)
{
    switch (s) {
    case PLAUDIT_SOURCE_ACTION: return "action";
    case PLAUDIT_SOURCE_BONUS: return "bonus";
    case PLAUDIT_SOURCE_KUDOS: return "kudos";
    case PLAUDIT_SOURCE_REVOKE: return "revoke";
    case PLAUDIT_SOURCE_REDEEM: return "redeem";
    default: return "adjust";
    }
}

static void kv_str(pl_buf *b, const char *k, const char *v)
{
    pl_buf_printf(b, ",\"%s\":", k);
    if (v) pl_buf_json_str(b, v);
    else pl_buf_puts(b, "null");
}

/* One moment as a JSON object; with_seq adds seq (and redelivered). */
static void moment_json(pl_buf *b, const plaudit_moment *m, int with_seq)
{
    static const char *const kinds[] = {"points", "badge", "tier", "redeem", "kudos", "revoke"};
    pl_buf_puts(b, "{");
    if (with_seq) pl_buf_printf(b, "\"seq\":%llu,", (unsigned long long)m->seq);
    pl_buf_printf(b, "\"kind\":\"%s\",\"ts\":%lld", (unsigned)m->kind <= 5 ? kinds[m->kind] : "?",
                  (long long)m->ts);
    kv_str(b, "member", m->member);
    switch (m->kind) {
    case PLAUDIT_MOMENT_POINTS:
        pl_buf_printf(b, ",\"points\":%lld,\"source\":\"%s\"", (long long)m->points, source_name(m->source));
        kv_str(b, "source_id", m->source_id);
        if (m->source == PLAUDIT_SOURCE_REVOKE) kv_str(b, "revoked_ref", m->revoked_ref);
        break;
    case PLAUDIT_MOMENT_BADGE:
        kv_str(b, "badge", m->badge);
        pl_buf_printf(b, ",\"level\":%u,\"times\":%u", m->level, m->times);
        if (m->leaderboard) kv_str(b, "leaderboard", m->leaderboard);
        break;
    case PLAUDIT_MOMENT_TIER:
        kv_str(b, "from", m->tier_from);
        kv_str(b, "to", m->tier_to);
        pl_buf_printf(b, ",\"promoted\":%s", m->promoted ? "true" : "false");
        break;
    case PLAUDIT_MOMENT_REDEEM:
        kv_str(b, "reward", m->reward);
        pl_buf_printf(b, ",\"cost\":%lld", (long long)m->cost);
        break;
    case PLAUDIT_MOMENT_KUDOS: kv_str(b, "to", m->to); break;
    case PLAUDIT_MOMENT_REVOKE:
        kv_str(b, "event", m->revoked_event);
        kv_str(b, "ref", m->revoked_ref);
        kv_str(b, "type", plaudit_event_type_name(m->revoked_type));
        pl_buf_printf(b, ",\"event_ts\":%lld,\"points\":%lld,\"balance\":%lld", (long long)m->revoked_ts,
                      (long long)m->points, (long long)m->balance);
        if (m->to) kv_str(b, "to", m->to);
        if (m->badge) {
            kv_str(b, "badge", m->badge);
            pl_buf_printf(b, ",\"times\":%u", m->times);
        }
        if (m->reward) {
            kv_str(b, "reward", m->reward);
            pl_buf_printf(b, ",\"cost\":%lld", (long long)m->cost);
        }
        break;
    }
    if (with_seq && m->redelivered) pl_buf_puts(b, ",\"redelivered\":true");
    pl_buf_puts(b, "}");
}

int plaudit_outcome_json(plaudit_ctx *ctx, const plaudit_outcome *o, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!o || !out) return pl_err(ctx, PLAUDIT_EINVAL, "outcome or out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    static const char *const st[] = {"accepted", "duplicate", "rejected", "held"};
    pl_buf_printf(&b, "{\"status\":\"%s\",\"code\":%d", (unsigned)o->status <= 3 ? st[o->status] : "rejected", o->code);
    if (o->status == PLAUDIT_REJECTED) {
        kv_str(&b, "error", plaudit_strerror(o->code));
        kv_str(&b, "message", o->message ? o->message : "");
    }
    /* Only with a reorder window (format 1 traces are unchanged). */
    if (o->arrival) pl_buf_printf(&b, ",\"arrival\":%llu", (unsigned long long)o->arrival);
    pl_buf_printf(&b, ",\"points\":%lld,\"moments\":[", (long long)o->points);
    for (size_t i = 0; i < o->n_moments; i++) {
        if (i) pl_buf_puts(&b, ",");
        moment_json(&b, &o->moments[i], 0);
    }
    pl_buf_puts(&b, "]}");
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing an outcome");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_moment_json(plaudit_ctx *ctx, const plaudit_moment *m, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!m || !out) return pl_err(ctx, PLAUDIT_EINVAL, "moment or out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    moment_json(&b, m, 1);
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a moment");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

/* ---- program export (no parser needed) --------------------------------------- */

static void ex_display(pl_buf *b, const char *name, const char *desc)
{
    if (name) kv_str(b, "name", name);
    if (desc) kv_str(b, "description", desc);
}

static void ex_cap(pl_buf *b, const char *key, int64_t points, int64_t count, plaudit_period per)
{
    if (points == PLAUDIT_UNSET && count == PLAUDIT_UNSET) return;
    pl_buf_printf(b, ",\"%s\":{", key);
    int first = 1;
    if (points != PLAUDIT_UNSET) {
        pl_buf_printf(b, "\"points\":%lld", (long long)points);
        first = 0;
    }
    if (count != PLAUDIT_UNSET) pl_buf_printf(b, "%s\"count\":%lld", first ? "" : ",", (long long)count);
    pl_buf_printf(b, ",\"per\":\"%s\"}", plaudit_period_name(per));
}

static void ex_thresholds(pl_buf *b, const char *key, const pl_badge *g, int comma)
{
    pl_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
    if (g->n_thr == 1) {
        pl_buf_printf(b, "%lld", (long long)g->thr[0]);
        return;
    }
    pl_buf_puts(b, "[");
    for (uint32_t i = 0; i < g->n_thr; i++) pl_buf_printf(b, "%s%lld", i ? "," : "", (long long)g->thr[i]);
    pl_buf_puts(b, "]");
}

int plaudit_program_export_json(plaudit_ctx *ctx, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    pl_buf_printf(&b, "{\n \"format\":\"plaudit.program/%d\"", ctx->format);
    if (ctx->name) kv_str(&b, "name", ctx->name);
    if (ctx->tzname) kv_str(&b, "timezone", ctx->tzname);
    else if (ctx->utc_offset_min) pl_buf_printf(&b, ",\"utc_offset_minutes\":%d", ctx->utc_offset_min);
    if (ctx->reorder_window_s) pl_buf_printf(&b, ",\"reorder_window_s\":%lld", (long long)ctx->reorder_window_s);
    pl_buf_puts(&b, ",\n \"actions\":[");
    for (size_t i = 0; i < ctx->n_actions; i++) {
        const pl_action *a = ctx->actions[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, a->id);
        ex_display(&b, a->name, a->description);
        pl_buf_printf(&b, ",\"points\":%lld", (long long)a->points);
        if (a->once) pl_buf_puts(&b, ",\"once\":true");
        if (a->cooldown_s) pl_buf_printf(&b, ",\"cooldown_s\":%lld", (long long)a->cooldown_s);
        ex_cap(&b, "cap", a->cap_points, a->cap_count, a->cap_per);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"tiers\":[");
    for (size_t i = 0; i < ctx->n_tiers; i++) {
        const pl_tier *t = ctx->tiers[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, t->id);
        ex_display(&b, t->name, t->description);
        pl_buf_printf(&b, ",\"min_points\":%lld", (long long)t->min_points);
        if (t->min_distinct) pl_buf_printf(&b, ",\"min_distinct_actions\":%lld", (long long)t->min_distinct);
        if (t->min_tenure_days) pl_buf_printf(&b, ",\"min_tenure_days\":%lld", (long long)t->min_tenure_days);
        if (t->lifetime) pl_buf_puts(&b, ",\"lifetime\":true");
        if (t->window != PLAUDIT_PERIOD_NONE) pl_buf_printf(&b, ",\"window\":\"%s\"", plaudit_period_name(t->window));
        pl_json_export_tier_v2(ctx, t, &b);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"badges\":[");
    for (size_t i = 0; i < pl_live_badges(ctx); i++) {
        const pl_badge *g = ctx->badges[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, g->id);
        ex_display(&b, g->name, g->description);
        if (g->image) kv_str(&b, "image", g->image);
        if (g->criteria) kv_str(&b, "criteria", g->criteria);
        if (g->kind == PLAUDIT_CRITERION_MANUAL) {
            pl_buf_puts(&b, ",\"manual\":true");
        } else {
            pl_buf_puts(&b, ",\"when\":{");
            switch (g->kind) {
            case PLAUDIT_CRITERION_ACTION_COUNT:
            case PLAUDIT_CRITERION_ACTION_STREAK:
                pl_buf_puts(&b, "\"action\":");
                pl_buf_json_str(&b, ctx->actions[g->action]->id);
                if (g->kind == PLAUDIT_CRITERION_ACTION_COUNT) {
                    ex_thresholds(&b, "count", g, 1);
                    if (g->within != PLAUDIT_PERIOD_NONE)
                        pl_buf_printf(&b, ",\"within\":\"%s\"", plaudit_period_name(g->within));
                } else {
                    ex_thresholds(&b, "streak", g, 1);
                    pl_buf_printf(&b, ",\"per\":\"%s\"", plaudit_period_name(g->per));
                }
                break;
            case PLAUDIT_CRITERION_TIER:
                pl_buf_puts(&b, "\"tier\":");
                pl_buf_json_str(&b, ctx->tiers[g->tier]->id);
                break;
            case PLAUDIT_CRITERION_ALL: pl_json_export_all(ctx, g, &b); break;
            case PLAUDIT_CRITERION_LEADERBOARD:
                pl_buf_puts(&b, "\"leaderboard\":");
                pl_buf_json_str(&b, ctx->boards[g->board]->id);
                pl_buf_printf(&b, ",\"top\":%lld", (long long)g->top);
                break;
            default: {
                static const char *const keys[] = {[PLAUDIT_CRITERION_DISTINCT_ACTIONS] = "distinct_actions",
                                                   [PLAUDIT_CRITERION_POINTS] = "points",
                                                   [PLAUDIT_CRITERION_TENURE_DAYS] = "tenure_days",
                                                   [PLAUDIT_CRITERION_KUDOS_RECEIVED] = "kudos_received",
                                                   [PLAUDIT_CRITERION_KUDOS_GIVEN] = "kudos_given"};
                ex_thresholds(&b, keys[g->kind], g, 0);
                break;
            }
            }
            pl_buf_puts(&b, "}");
        }
        if (g->bonus) pl_buf_printf(&b, ",\"bonus\":%lld", (long long)g->bonus);
        if (g->hidden) pl_buf_puts(&b, ",\"hidden\":true");
        if (g->repeatable && g->kind != PLAUDIT_CRITERION_LEADERBOARD) pl_buf_puts(&b, ",\"repeatable\":true");
        pl_json_export_dates(&b, g->from, g->until);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "],\n \"segments\":[");
    for (size_t i = 0; i < ctx->n_segments; i++) {
        const pl_segment *s = ctx->segments[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, s->id);
        ex_display(&b, s->name, s->description);
        pl_buf_puts(&b, ",\"weights\":{");
        for (size_t j = 0; j < s->n; j++) {
            if (j) pl_buf_puts(&b, ",");
            pl_buf_json_str(&b, ctx->actions[s->actions[j]]->id);
            pl_buf_printf(&b, ":%lld", (long long)s->weights[j]);
        }
        pl_buf_puts(&b, "}}");
    }
    pl_buf_puts(&b, "],\n \"leaderboards\":[");
    for (size_t i = 0; i < ctx->n_boards; i++) {
        const pl_board *lb = ctx->boards[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, lb->id);
        ex_display(&b, lb->name, lb->description);
        pl_buf_printf(&b, ",\"period\":\"%s\"", plaudit_period_name(lb->period));
        if (lb->segment >= 0) kv_str(&b, "segment", ctx->segments[lb->segment]->id);
        pl_buf_printf(&b, ",\"size\":%lld", (long long)lb->size);
        if (lb->by_team) pl_buf_puts(&b, ",\"by\":\"team\"");
        pl_json_export_dates(&b, lb->from, lb->until);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "]");
    if (ctx->kudos.declared) {
        const pl_kudos *k = &ctx->kudos;
        pl_buf_printf(&b, ",\n \"kudos\":{\"points\":%lld", (long long)k->points);
        ex_cap(&b, "cap", k->cap_points, k->cap_count, k->cap_per);
        ex_cap(&b, "give_cap", PLAUDIT_UNSET, k->give_cap, k->give_per);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, ",\n \"rewards\":[");
    for (size_t i = 0; i < ctx->n_rewards; i++) {
        const pl_reward *r = ctx->rewards[i];
        pl_buf_puts(&b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(&b, "\"id\":");
        pl_buf_json_str(&b, r->id);
        ex_display(&b, r->name, r->description);
        pl_buf_printf(&b, ",\"cost\":%lld", (long long)r->cost);
        if (r->stock0 != PLAUDIT_UNSET) pl_buf_printf(&b, ",\"stock\":%lld", (long long)r->stock0);
        pl_buf_puts(&b, "}");
    }
    pl_buf_puts(&b, "]");
    pl_json_export_campaigns(ctx, &b);
    pl_buf_puts(&b, "\n}\n");
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory exporting the program");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

#if !PLAUDIT_HAVE_JSON

static int no_json(plaudit_ctx *ctx)
{
    if (!ctx) return PLAUDIT_EINVAL;
    return pl_err(ctx, PLAUDIT_EUNSUPPORTED, "libplaudit was built without JSON support (jansson)");
}
int plaudit_program_load_json(plaudit_ctx *ctx, const char *json, size_t len) { (void)json; (void)len; return no_json(ctx); }
int plaudit_program_load_file(plaudit_ctx *ctx, const char *path) { (void)path; return no_json(ctx); }
int plaudit_event_parse(plaudit_ctx *ctx, const char *line, size_t len, plaudit_event *ev)
{
    (void)line; (void)len; (void)ev;
    return no_json(ctx);
}
int plaudit_record_json(plaudit_ctx *ctx, const char *line, size_t len, plaudit_outcome *out)
{
    (void)line; (void)len; (void)out;
    return no_json(ctx);
}

#else

/* ---- input limits ------------------------------------------------------------- */

/* Refuse JSON text nested deeper than the context's limit, before the
 * (recursive) parser sees it.  Brackets inside strings do not count; the
 * text need not be valid JSON (the parser judges that). */
static int check_depth(plaudit_ctx *ctx, const char *p, size_t n, const char *what)
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

/* what: "program" (positions as line and column) or "malformed line" (an
 * event line is one line: the column only, so that a report "line N: ..."
 * about the input is not contradicted by jansson's "line 1"). */
static int parse_error(plaudit_ctx *ctx, const json_error_t *e, const char *what)
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
    int rc0 = check_depth(ctx, json, len, "program");
    if (rc0) return rc0;
    json_error_t e;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) return parse_error(ctx, &e, "program");
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

/* ---- event lines --------------------------------------------------------------- */

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

/* Copy a string into the context's event buffer; returns its offset. */
static size_t ev_keep(plaudit_ctx *ctx, const char *s)
{
    size_t off = ctx->evbuf.len;
    pl_buf_put(&ctx->evbuf, s, strlen(s) + 1);
    return off;
}

static int ev_err(plaudit_ctx *ctx, const char *key, const char *what)
{
    return pl_err(ctx, PLAUDIT_EPARSE, "\"%s\": %s", key, what);
}

int plaudit_event_parse(plaudit_ctx *ctx, const char *line, size_t len, plaudit_event *ev)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!ev || (!line && len)) return pl_err(ctx, PLAUDIT_EINVAL, "line or ev is NULL");
    memset(ev, 0, sizeof *ev);
    if (len > ctx->max_line)
        return pl_err(ctx, PLAUDIT_ELIMIT, "the line has %zu bytes, more than the limit of %zu", len, ctx->max_line);
    if (len && line[len - 1] == '\n') len--;
    if (len && line[len - 1] == '\r') len--;
    if (is_blank(line, len)) return pl_err(ctx, PLAUDIT_ENOTFOUND, "blank line: nothing to record");
    char msg[128];
    /* jansson stops at a NUL; the line must not hold one. */
    if (memchr(line, '\0', len)) return pl_err(ctx, PLAUDIT_EPARSE, "the line contains a NUL byte");
    int drc = check_depth(ctx, line, len, "malformed line");
    if (drc) return drc;
    json_error_t e;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
    if (!o) return parse_error(ctx, &e, "malformed line");
    int rc = PLAUDIT_OK;
    const char *key;
    json_t *v;
    if (!json_is_object(o)) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "the line is not a JSON object");
        goto done;
    }
    /* A reorder window holds an invalid event that has a ts. */
    json_t *ts0 = json_object_get(o, "ts");
    if (ts0 && json_is_integer(ts0)) ctx->parse_ts = (int64_t)json_integer_value(ts0);
    json_t *t = json_object_get(o, "type");
    const char *type = "action";
    if (t) {
        if (!json_is_string(t)) {
            rc = ev_err(ctx, "type", "expected a string");
            goto done;
        }
        type = json_string_value(t);
    }
    /* Format 2 event types are unknown to a format 1 program. */
    int last_type = ctx->format >= 2 ? PLAUDIT_EVENT_PROGRAM : PLAUDIT_EVENT_TICK;
    int ty = -1;
    for (int i = 0; i <= last_type; i++)
        if (strcmp(type, plaudit_event_type_name((plaudit_event_type)i)) == 0) ty = i;
    if (ty < 0) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "unknown event type \"%s\"", type);
        goto done;
    }
    ev->type = (plaudit_event_type)ty;
    /* The keys each type takes besides ts, type and id: where each goes,
     * whether it may be absent, and whether it is new in format 2. */
    enum { F_MEMBER, F_TARGET, F_REASON, F_REF, F_POINTS, F_FLAG, F_DOC };
    typedef struct { const char *key; unsigned char field, optional, v2, nullable; } evkey;
    static const evkey per_type[][5] = {
        [PLAUDIT_EVENT_ACTION] = {{"member", F_MEMBER, 0, 0, 0}, {"action", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_JOIN] = {{"member", F_MEMBER, 0, 0, 0}},
        [PLAUDIT_EVENT_KUDOS] = {{"from", F_MEMBER, 0, 0, 0}, {"to", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_REDEEM] = {{"member", F_MEMBER, 0, 0, 0}, {"reward", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_AWARD] = {{"member", F_MEMBER, 0, 0, 0}, {"badge", F_TARGET, 0, 0, 0}, {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_ADJUST] = {{"member", F_MEMBER, 0, 0, 0},
                                  {"points", F_POINTS, 0, 0, 0},
                                  {"reason", F_REASON, 1, 0, 0},
                                  {"ref", F_REF, 1, 1, 0}},
        [PLAUDIT_EVENT_SEGMENT] = {{"member", F_MEMBER, 0, 0, 0}, {"segment", F_TARGET, 0, 0, 1}},
        [PLAUDIT_EVENT_PREFERENCES] = {{"member", F_MEMBER, 0, 0, 0}, {"leaderboards", F_FLAG, 0, 0, 0}},
        [PLAUDIT_EVENT_TICK] = {{NULL, 0, 0, 0, 0}},
        [PLAUDIT_EVENT_REVOKE] = {{"event", F_TARGET, 1, 1, 0}, {"ref", F_REF, 1, 1, 0}, {"reason", F_REASON, 1, 1, 0}},
        [PLAUDIT_EVENT_TEAM] = {{"member", F_MEMBER, 0, 1, 0}, {"team", F_TARGET, 0, 1, 1}},
        [PLAUDIT_EVENT_PROGRAM] = {{"program", F_DOC, 0, 1, 0}}};
    const evkey *K = per_type[ty];
    json_object_foreach(o, key, v) {
        int ok = !strcmp(key, "ts") || !strcmp(key, "type") || !strcmp(key, "id");
        for (int i = 0; i < 5 && K[i].key; i++)
            ok |= !strcmp(key, K[i].key) && (ctx->format >= 2 || !K[i].v2);
        if (!ok) {
            snprintf(msg, sizeof msg, "unknown key for %s %s event", strchr("aeiou", type[0]) ? "an" : "a", type);
            rc = ev_err(ctx, key, msg);
            goto done;
        }
    }
    json_t *ts = json_object_get(o, "ts");
    if (!ts) {
        rc = ev_err(ctx, "ts", "missing");
        goto done;
    }
    if (!json_is_integer(ts)) {
        rc = ev_err(ctx, "ts", "expected an integer");
        goto done;
    }
    ev->ts = (int64_t)json_integer_value(ts);
    ctx->evbuf.len = 0;
    ctx->evbuf.oom = 0;
    /* Offsets into evbuf (it may move while it grows), per field. */
    size_t off[F_DOC + 1], off_id = SIZE_MAX;
    for (int i = 0; i <= F_DOC; i++) off[i] = SIZE_MAX;
    json_t *id = json_object_get(o, "id");
    if (id) {
        if (!json_is_string(id)) {
            rc = ev_err(ctx, "id", "expected a string");
            goto done;
        }
        off_id = ev_keep(ctx, json_string_value(id));
    }
    for (int i = 0; i < 5 && K[i].key; i++) {
        const char *k = K[i].key;
        v = json_object_get(o, k);
        if (!v) {
            if (K[i].optional) continue;
            rc = ev_err(ctx, k, "missing");
            goto done;
        }
        switch (K[i].field) {
        case F_POINTS:
            if (!json_is_integer(v)) {
                rc = ev_err(ctx, k, "expected an integer");
                goto done;
            }
            ev->points = (int64_t)json_integer_value(v);
            break;
        case F_FLAG:
            if (!json_is_boolean(v)) {
                rc = ev_err(ctx, k, "expected true or false");
                goto done;
            }
            ev->flag = json_is_true(v);
            break;
        case F_DOC: {
            if (!json_is_object(v)) {
                rc = ev_err(ctx, k, "expected a program document (a JSON object)");
                goto done;
            }
            /* Sorted keys: the same document in another key order is the
             * same content for idempotency. */
            char *doc = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
            if (!doc) {
                rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading an event");
                goto done;
            }
            off[F_DOC] = ev_keep(ctx, doc);
            free(doc);
            break;
        }
        default:
            if (K[i].nullable && json_is_null(v)) break;
            if (!json_is_string(v)) {
                rc = ev_err(ctx, k, K[i].nullable ? "expected a string or null" : "expected a string");
                goto done;
            }
            off[K[i].field] = ev_keep(ctx, json_string_value(v));
            break;
        }
    }
    if (ctx->evbuf.oom) {
        rc = pl_err(ctx, PLAUDIT_ENOMEM, "out of memory reading an event");
        goto done;
    }
    if (ty == PLAUDIT_EVENT_REVOKE && (off[F_TARGET] == SIZE_MAX) == (off[F_REF] == SIZE_MAX)) {
        rc = pl_err(ctx, PLAUDIT_EPARSE, "a revoke event takes exactly one of \"event\" and \"ref\"");
        goto done;
    }
    char *base = ctx->evbuf.p;
    ev->id = off_id != SIZE_MAX ? base + off_id : NULL;
    ev->member = off[F_MEMBER] != SIZE_MAX ? base + off[F_MEMBER] : NULL;
    ev->target = off[F_TARGET] != SIZE_MAX ? base + off[F_TARGET] : NULL;
    ev->reason = off[F_REASON] != SIZE_MAX ? base + off[F_REASON] : NULL;
    ev->ref = off[F_REF] != SIZE_MAX ? base + off[F_REF] : NULL;
    ev->document = off[F_DOC] != SIZE_MAX ? base + off[F_DOC] : NULL;
    pl_ok(ctx);
done:
    json_decref(o);
    return rc;
}

int plaudit_record_json(plaudit_ctx *ctx, const char *line, size_t len, plaudit_outcome *out)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (out) memset(out, 0, sizeof *out);
    if (ctx->in_callback) return pl_reentered(ctx, "events cannot be recorded");
    plaudit_event ev;
    ctx->parse_ts = -1;
    int rc = plaudit_event_parse(ctx, line, len, &ev);
    if (rc == PLAUDIT_ENOTFOUND) return rc;
    if (rc && rc != PLAUDIT_ENOMEM && ctx->reorder_window_s > 0 && ctx->parse_ts >= 0 &&
        ctx->parse_ts <= PLAUDIT_MAX_TS) {
        /* A JSON object with a valid ts: held, rejected at release. */
        char msg[PL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->errmsg);
        plaudit_event bad = PLAUDIT_EVENT_INIT;
        bad.ts = ctx->parse_ts;
        return pl_window_record(ctx, &bad, rc, msg, out);
    }
    if (rc) {
        ctx->rejected++;
        if (out) {
            out->status = PLAUDIT_REJECTED;
            out->code = rc;
            out->message = ctx->errmsg;
        }
        return rc;
    }
    return plaudit_record(ctx, &ev, out);
}

#endif
