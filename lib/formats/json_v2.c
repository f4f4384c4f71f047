/* json_v2.c - the program document's format 2 keys: tier benefits, team
 * boards and seasons, dated badges, challenges (`all`) and campaigns, read
 * with the loader's path-precise errors and written back by the exporter. */
#include <stdio.h>

#include "plaudit-config.h"
#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

/* ---- export ------------------------------------------------------------------ */

void pl_json_export_tier_v2(const plaudit_ctx *ctx, const pl_tier *t, pl_buf *b)
{
    (void)ctx;
    if (!t->n_benefits) return;
    pl_buf_puts(b, ",\"benefits\":[");
    for (size_t i = 0; i < t->n_benefits; i++) {
        if (i) pl_buf_puts(b, ",");
        pl_buf_json_str(b, t->benefits[i]);
    }
    pl_buf_puts(b, "]");
}

void pl_json_export_dates(pl_buf *b, int64_t from, int64_t until)
{
    if (from != PLAUDIT_UNSET) pl_buf_printf(b, ",\"from\":%lld", (long long)from);
    if (until != PLAUDIT_UNSET) pl_buf_printf(b, ",\"until\":%lld", (long long)until);
}

static const char *simple_key(plaudit_criterion k)
{
    switch (k) {
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: return "distinct_actions";
    case PLAUDIT_CRITERION_POINTS: return "points";
    case PLAUDIT_CRITERION_TENURE_DAYS: return "tenure_days";
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: return "kudos_received";
    case PLAUDIT_CRITERION_KUDOS_GIVEN: return "kudos_given";
    default: return NULL;
    }
}

void pl_json_export_all(const plaudit_ctx *ctx, const pl_badge *g, pl_buf *b)
{
    pl_buf_puts(b, "\"all\":[");
    for (uint32_t i = 0; i < g->n_sub; i++) {
        const pl_badge *s = &g->sub[i];
        pl_buf_puts(b, i ? ",{" : "{");
        switch (s->kind) {
        case PLAUDIT_CRITERION_ACTION_COUNT:
        case PLAUDIT_CRITERION_ACTION_STREAK:
            pl_buf_puts(b, "\"action\":");
            pl_buf_json_str(b, ctx->actions[s->action]->id);
            if (s->kind == PLAUDIT_CRITERION_ACTION_COUNT) {
                pl_buf_printf(b, ",\"count\":%lld", (long long)s->thr[0]);
                if (s->within != PLAUDIT_PERIOD_NONE)
                    pl_buf_printf(b, ",\"within\":\"%s\"", plaudit_period_name(s->within));
            } else {
                pl_buf_printf(b, ",\"streak\":%lld,\"per\":\"%s\"", (long long)s->thr[0], plaudit_period_name(s->per));
            }
            break;
        case PLAUDIT_CRITERION_TIER:
            pl_buf_puts(b, "\"tier\":");
            pl_buf_json_str(b, ctx->tiers[s->tier]->id);
            break;
        default: pl_buf_printf(b, "\"%s\":%lld", simple_key(s->kind), (long long)s->thr[0]); break;
        }
        pl_buf_puts(b, "}");
    }
    pl_buf_puts(b, "]");
}

void pl_json_export_campaigns(const plaudit_ctx *ctx, pl_buf *b)
{
    if (ctx->format < 2) return;
    pl_buf_puts(b, ",\n \"campaigns\":[");
    for (size_t i = 0; i < ctx->n_campaigns; i++) {
        const pl_campaign *c = ctx->campaigns[i];
        pl_buf_puts(b, i ? ",\n  {" : "\n  {");
        pl_buf_puts(b, "\"id\":");
        pl_buf_json_str(b, c->id);
        if (c->name) {
            pl_buf_puts(b, ",\"name\":");
            pl_buf_json_str(b, c->name);
        }
        if (c->description) {
            pl_buf_puts(b, ",\"description\":");
            pl_buf_json_str(b, c->description);
        }
        pl_buf_printf(b, ",\"from\":%lld,\"until\":%lld", (long long)c->from, (long long)c->until);
        if (c->n_actions) {
            pl_buf_puts(b, ",\"actions\":[");
            for (size_t j = 0; j < c->n_actions; j++) {
                if (j) pl_buf_puts(b, ",");
                pl_buf_json_str(b, ctx->actions[c->actions[j]]->id);
            }
            pl_buf_puts(b, "]");
        }
        pl_buf_printf(b, ",\"percent\":%lld}", (long long)c->percent);
    }
    pl_buf_puts(b, "]");
}

#if PLAUDIT_HAVE_JSON

/* base.key[i] */
static void jp_at(jpath *out, const jpath *base, const char *key, long i)
{
    jpath k;
    jp(&k, base, key, -1);
    jp(out, &k, "", i);
}

/* ---- loading ------------------------------------------------------------------ */

int pl_json_tier_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_tier_def *d, const char **benefits)
{
    json_t *v = json_object_get(o, "benefits");
    if (!v) return PLAUDIT_OK;
    jpath q;
    jp(&q, p, "benefits", -1);
    if (!json_is_array(v)) return jerr(ctx, PLAUDIT_EPARSE, &q, "expected a list of strings");
    if (json_array_size(v) > PLAUDIT_MAX_BENEFITS)
        return jerr(ctx, PLAUDIT_ELIMIT, &q, "at most %d benefits", PLAUDIT_MAX_BENEFITS);
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *x = json_array_get(v, i);
        jpath r;
        jp_at(&r, p, "benefits", (long)i);
        if (!json_is_string(x)) return jerr(ctx, PLAUDIT_EPARSE, &r, "expected a string");
        if (json_string_length(x) == 0 || json_string_length(x) > PL_NAME_MAX)
            return jerr(ctx, PLAUDIT_ESTRING, &r, "a benefit is 1 to %d bytes", PL_NAME_MAX);
        benefits[i] = json_string_value(x);
    }
    d->n_benefits = json_array_size(v);
    d->benefits = benefits;
    return PLAUDIT_OK;
}

/* from / until: non-negative integers, from < until (checked here, so the
 * error names the key). */
static int read_dates(plaudit_ctx *ctx, json_t *o, const jpath *p, int64_t *from, int64_t *until, int both)
{
    int hf = 0, hu = 0, rc;
    int64_t f = PLAUDIT_UNSET, u = PLAUDIT_UNSET;
    if ((rc = opt_int(ctx, o, p, "from", &f, &hf)) || (rc = opt_int(ctx, o, p, "until", &u, &hu))) return rc;
    jpath q;
    if (hf && (f < 0 || f > PLAUDIT_MAX_TS)) {
        jp(&q, p, "from", -1);
        return jerr(ctx, PLAUDIT_ERANGE, &q, "%lld is not a timestamp (0 to 2^37)", (long long)f);
    }
    if (hu && (u < 0 || u > PLAUDIT_MAX_TS)) {
        jp(&q, p, "until", -1);
        return jerr(ctx, PLAUDIT_ERANGE, &q, "%lld is not a timestamp (0 to 2^37)", (long long)u);
    }
    if (both && hf != hu) {
        jp(&q, p, hf ? "until" : "from", -1);
        return jerr(ctx, PLAUDIT_EPARSE, &q, "missing (a season needs from and until)");
    }
    if (hf && hu && f >= u) {
        jp(&q, p, "until", -1);
        return jerr(ctx, PLAUDIT_EINVAL, &q, "%lld is not after from (%lld)", (long long)u, (long long)f);
    }
    *from = hf ? f : PLAUDIT_UNSET;
    *until = hu ? u : PLAUDIT_UNSET;
    return PLAUDIT_OK;
}

int pl_json_board_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_leaderboard_def *d)
{
    const char *by = NULL;
    int rc = opt_str(ctx, o, p, "by", &by);
    if (rc) return rc;
    jpath q;
    if (by) {
        if (!strcmp(by, "team")) d->by = PLAUDIT_BY_TEAM;
        else if (!strcmp(by, "member")) d->by = PLAUDIT_BY_MEMBER;
        else {
            jp(&q, p, "by", -1);
            return jerr(ctx, PLAUDIT_EPARSE, &q, "\"%s\" is not member or team", by);
        }
        if (d->by == PLAUDIT_BY_TEAM && json_object_get(o, "segment")) {
            jp(&q, p, "segment", -1);
            return jerr(ctx, PLAUDIT_EINVAL, &q, "a team board cannot have a segment");
        }
    }
    return read_dates(ctx, o, p, &d->from, &d->until, 1);
}

int pl_json_badge_v2(plaudit_ctx *ctx, json_t *o, const jpath *p, plaudit_badge_def *d)
{
    return read_dates(ctx, o, p, &d->from, &d->until, 0);
}

int pl_json_when_all(plaudit_ctx *ctx, json_t *w, const jpath *p, plaudit_badge_def *d, plaudit_criterion_def *parts)
{
    jpath q;
    if (json_object_size(w) != 1) return jerr(ctx, PLAUDIT_EPARSE, p, "holds more than one criterion");
    json_t *all = json_object_get(w, "all");
    jp(&q, p, "all", -1);
    if (!json_is_array(all)) return jerr(ctx, PLAUDIT_EPARSE, &q, "expected a list of criteria");
    size_t n = json_array_size(all);
    if (n < 2 || n > PLAUDIT_MAX_ALL) return jerr(ctx, PLAUDIT_EINVAL, &q, "needs 2 to %d criteria", PLAUDIT_MAX_ALL);
    for (size_t i = 0; i < n; i++) {
        jpath r;
        jp_at(&r, p, "all", (long)i);
        json_t *c = NULL;
        int rc = get_obj(ctx, json_array_get(all, i), &r, &c);
        if (rc) return rc;
        jpath s;
        if (json_object_get(c, "all")) {
            jp(&s, &r, "all", -1);
            return jerr(ctx, PLAUDIT_EINVAL, &s, "all cannot be nested");
        }
        if (json_object_get(c, "leaderboard")) {
            jp(&s, &r, "leaderboard", -1);
            return jerr(ctx, PLAUDIT_EINVAL, &s, "a leaderboard criterion cannot be in all");
        }
        static const char *const thr_keys[] = {"count", "streak", "distinct_actions", "points", "tenure_days",
                                               "kudos_received", "kudos_given"};
        for (size_t k = 0; k < sizeof thr_keys / sizeof *thr_keys; k++) {
            json_t *t = json_object_get(c, thr_keys[k]);
            if (t && json_is_array(t)) {
                jp(&s, &r, thr_keys[k], -1);
                return jerr(ctx, PLAUDIT_EINVAL, &s, "a criterion inside all has a single threshold");
            }
        }
        plaudit_badge_def sub = PLAUDIT_BADGE_DEF_INIT;
        int64_t thr[PLAUDIT_MAX_LEVELS];
        if ((rc = load_when(ctx, c, &r, &sub, thr))) return rc;
        plaudit_criterion_def *pd = &parts[i];
        *pd = (plaudit_criterion_def)PLAUDIT_CRITERION_DEF_INIT;
        pd->criterion = sub.criterion;
        pd->action = sub.action;
        pd->within = sub.within;
        pd->per = sub.per;
        pd->tier = sub.tier;
        pd->threshold = sub.n_thresholds ? thr[0] : 0;
    }
    d->criterion = PLAUDIT_CRITERION_ALL;
    d->n_all = n;
    d->all = parts;
    if (d->repeatable) {
        /* say where the rule fails, before the declaration's own message */
        plaudit_period rep = PLAUDIT_PERIOD_NONE;
        for (size_t i = 0; i < n; i++) {
            if (parts[i].criterion != PLAUDIT_CRITERION_ACTION_COUNT || parts[i].within == PLAUDIT_PERIOD_NONE) continue;
            if (rep == PLAUDIT_PERIOD_NONE) rep = parts[i].within;
            else if (rep != parts[i].within) {
                jpath r;
                jp_at(&r, p, "all", (long)i);
                jp(&q, &r, "within", -1);
                return jerr(ctx, PLAUDIT_EINVAL, &q,
                            "a repeatable challenge needs the same within period in every criterion (%s, not %s)",
                            plaudit_period_name(rep), plaudit_period_name(parts[i].within));
            }
        }
    }
    return PLAUDIT_OK;
}

int pl_json_load_campaigns(plaudit_ctx *ctx, json_t *arr)
{
    static const char *const keys[] = {"id", "name", "description", "from", "until", "actions", "percent", NULL};
    jpath root = {{0}};
    if (!json_is_array(arr)) {
        jpath q = {{0}};
        snprintf(q.s, sizeof q.s, "campaigns");
        return jerr(ctx, PLAUDIT_EPARSE, &q, "expected an array");
    }
    if (json_array_size(arr) > ctx->max_rules) {
        jpath q = {{0}};
        snprintf(q.s, sizeof q.s, "campaigns");
        return jerr(ctx, PLAUDIT_ELIMIT, &q, "%zu rules, more than the limit of %u", json_array_size(arr),
                    ctx->max_rules);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        jpath p, q;
        jp(&p, &root, "campaigns", (long)i);
        json_t *o = NULL;
        int rc = get_obj(ctx, json_array_get(arr, i), &p, &o);
        if (rc || (rc = only_keys(ctx, o, &p, keys))) return rc;
        plaudit_campaign_def d = PLAUDIT_CAMPAIGN_DEF_INIT;
        if ((rc = req_str(ctx, o, &p, "id", &d.id)) || (rc = opt_str(ctx, o, &p, "name", &d.name)) ||
            (rc = opt_str(ctx, o, &p, "description", &d.description)) ||
            (rc = req_int(ctx, o, &p, "from", &d.from)) || (rc = req_int(ctx, o, &p, "until", &d.until)) ||
            (rc = req_int(ctx, o, &p, "percent", &d.percent)))
            return rc;
        if (d.percent < 1 || d.percent > 1000) {
            jp(&q, &p, "percent", -1);
            return jerr(ctx, PLAUDIT_ERANGE, &q, "%lld is out of range (1 to 1000)", (long long)d.percent);
        }
        if ((rc = read_dates(ctx, o, &p, &d.from, &d.until, 1))) return rc;
        json_t *acts = json_object_get(o, "actions");
        const char **names = NULL;
        if (acts) {
            jp(&q, &p, "actions", -1);
            if (!json_is_array(acts) || json_array_size(acts) == 0)
                return jerr(ctx, PLAUDIT_EPARSE, &q, "expected a non-empty list of action ids");
            size_t n = json_array_size(acts);
            names = pl_malloc(&ctx->alloc, sizeof *names * n);
            if (!names) return jerr(ctx, PLAUDIT_ENOMEM, &p, "out of memory");
            for (size_t j = 0; j < n && !rc; j++) {
                json_t *x = json_array_get(acts, j);
                jpath r;
                jp_at(&r, &p, "actions", (long)j);
                if (!json_is_string(x)) rc = jerr(ctx, PLAUDIT_EPARSE, &r, "expected an action id");
                else if (!pl_action_find(ctx, json_string_value(x)))
                    rc = jerr(ctx, PLAUDIT_ENOTFOUND, &r, "unknown action \"%s\"%s", json_string_value(x),
                              pl_did_you_mean(ctx, PL_K_ACTION, json_string_value(x)));
                else names[j] = json_string_value(x);
            }
            d.n_actions = n;
            d.actions = names;
        }
        if (!rc && (rc = plaudit_campaign_declare(ctx, &d))) rc = decl_fail(ctx, rc, &p);
        pl_free(&ctx->alloc, names);
        if (rc) return rc;
    }
    return PLAUDIT_OK;
}

#endif
