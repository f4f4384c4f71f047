/* program.c - declaring a program: validation of every rule as it is
 * declared (all or nothing), the rule indexes, and freeing them all
 * (sealing is in program_seal.c). */
#include <stddef.h>
#include <stdio.h>

#include "internal.h"

/* Every rule struct starts with these fields, in this order. */
typedef struct pl_rule_head {
    UT_hash_handle hh;
    char *id, *name, *description;
    uint32_t idx;
} pl_rule_head;

#define FIND(head, id_, out)                                                                        \
    do {                                                                                            \
        out = NULL;                                                                                 \
        if (id_) HASH_FIND(hh, head, id_, strlen(id_), out);                                        \
    } while (0)

pl_action *pl_action_find(const plaudit_ctx *ctx, const char *id) { pl_action *r; FIND(ctx->action_h, id, r); return r; }
pl_tier *pl_tier_find(const plaudit_ctx *ctx, const char *id) { pl_tier *r; FIND(ctx->tier_h, id, r); return r; }
pl_segment *pl_segment_find(const plaudit_ctx *ctx, const char *id) { pl_segment *r; FIND(ctx->segment_h, id, r); return r; }
pl_board *pl_board_find(const plaudit_ctx *ctx, const char *id) { pl_board *r; FIND(ctx->board_h, id, r); return r; }
pl_badge *pl_badge_find(const plaudit_ctx *ctx, const char *id) { pl_badge *r; FIND(ctx->badge_h, id, r); return r; }
pl_reward *pl_reward_find(const plaudit_ctx *ctx, const char *id) { pl_reward *r; FIND(ctx->reward_h, id, r); return r; }

/* Common entry checks of every declaration.  A struct that grew accepts
 * every version from 1 to expected (expected | PL_OLD_OK). */
#define PL_OLD_OK 0x10000u
static int decl_begin(plaudit_ctx *ctx, const void *def, unsigned version, unsigned expected, const char *kind)
{
    if (!def) return pl_err(ctx, PLAUDIT_EINVAL, "%s definition is NULL", kind);
    int old_ok = (expected & PL_OLD_OK) != 0;
    expected &= ~PL_OLD_OK;
    if (old_ok && version >= 1 && version < expected) version = expected;
    if (version != expected)
        return pl_err(ctx, PLAUDIT_EVERSION, "%s definition version %u is not supported (expected %u)", kind, version,
                      expected);
    if (ctx->in_callback) return pl_reentered(ctx, "rules cannot be declared");
    if (ctx->sealed)
        return pl_err(ctx, PLAUDIT_ESTATE, "cannot declare %s: the program is sealed once events are recorded", kind);
    return PLAUDIT_OK;
}

static int check_id(plaudit_ctx *ctx, const char *id, const char *kind, const void *existing)
{
    char what[64];
    snprintf(what, sizeof what, "%s", kind);
    int rc = pl_check_rule_id(id, ctx->errmsg, sizeof ctx->errmsg, what);
    if (rc) return ctx->err_code = rc;
    if (existing) return pl_err(ctx, PLAUDIT_EEXIST, "%s \"%s\": duplicate id", kind, id);
    return PLAUDIT_OK;
}

static int check_display(plaudit_ctx *ctx, const char *kind, const char *id, const char *field, const char *s,
                         size_t max)
{
    if (!s) return PLAUDIT_OK;
    char what[128];
    snprintf(what, sizeof what, "%s \"%s\": %s", kind, id, field);
    int rc = pl_check_text(s, 0, max, ctx->errmsg, sizeof ctx->errmsg, what);
    if (rc) ctx->err_code = rc;
    return rc;
}

static int check_range(plaudit_ctx *ctx, const char *kind, const char *id, const char *field, int64_t v, int64_t lo,
                       int64_t hi)
{
    if (v >= lo && v <= hi) return PLAUDIT_OK;
    return pl_err(ctx, PLAUDIT_ERANGE, "%s \"%s\": %s %lld is out of range (%lld to %lld)", kind, id, field,
                  (long long)v, (long long)lo, (long long)hi);
}

static int check_period(plaudit_ctx *ctx, const char *kind, const char *id, const char *field, plaudit_period p,
                        int allow_none)
{
    if ((p == PLAUDIT_PERIOD_NONE && allow_none) || (p >= PLAUDIT_PERIOD_DAY && p <= PLAUDIT_PERIOD_ALL))
        return PLAUDIT_OK;
    if (p == PLAUDIT_PERIOD_NONE) return pl_err(ctx, PLAUDIT_EINVAL, "%s \"%s\": %s is required", kind, id, field);
    return pl_err(ctx, PLAUDIT_EINVAL, "%s \"%s\": %s is not a valid period (%d)", kind, id, field, (int)p);
}

/* Caps: each of points and count is PLAUDIT_UNSET or 0..10^9; per is needed
 * exactly when one is set. */
static int check_cap(plaudit_ctx *ctx, const char *kind, const char *id, int64_t cp, int64_t cc, plaudit_period per)
{
    int rc;
    if (cp != PLAUDIT_UNSET && (rc = check_range(ctx, kind, id, "cap points", cp, 0, PLAUDIT_MAX_VALUE))) return rc;
    if (cc != PLAUDIT_UNSET && (rc = check_range(ctx, kind, id, "cap count", cc, 0, PLAUDIT_MAX_VALUE))) return rc;
    if (cp == PLAUDIT_UNSET && cc == PLAUDIT_UNSET) {
        if (per != PLAUDIT_PERIOD_NONE)
            return pl_err(ctx, PLAUDIT_EINVAL, "%s \"%s\": a cap period is given without points or count", kind, id);
        return PLAUDIT_OK;
    }
    return check_period(ctx, kind, id, "cap period", per, 0);
}

/* Allocate the common head (struct of `size` bytes) with copies of id,
 * name and description. */
static void *head_new(plaudit_ctx *ctx, size_t size, const char *id, const char *name, const char *desc)
{
    pl_rule_head *h = pl_malloc(&ctx->alloc, size);
    if (!h) return NULL;
    memset(h, 0, size);
    h->id = pl_strdup(&ctx->alloc, id);
    h->name = pl_strdup(&ctx->alloc, name);
    h->description = pl_strdup(&ctx->alloc, desc);
    if (!h->id || (name && !h->name) || (desc && !h->description)) {
        pl_free(&ctx->alloc, h->id);
        pl_free(&ctx->alloc, h->name);
        pl_free(&ctx->alloc, h->description);
        pl_free(&ctx->alloc, h);
        return NULL;
    }
    return h;
}

static void head_free(plaudit_ctx *ctx, void *p)
{
    pl_rule_head *h = p;
    if (!h) return;
    pl_free(&ctx->alloc, h->id);
    pl_free(&ctx->alloc, h->name);
    pl_free(&ctx->alloc, h->description);
    pl_free(&ctx->alloc, h);
}

static int oom(plaudit_ctx *ctx, const char *kind, const char *id)
{
    return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory declaring %s \"%s\"", kind, id);
}

/* Append rule r to (arr, n, cap) and index it in *hash.  On failure nothing
 * is added.  The macro keeps the typed hash heads. */
#define LINK_RULE(ctx, arr, n, cap, hashp, r, rc)                                                   \
    do {                                                                                            \
        PL_UH(&(ctx)->alloc);                                                                       \
        rc = PLAUDIT_OK;                                                                            \
        if ((n) >= (ctx)->max_rules) {                                                              \
            rc = PLAUDIT_ELIMIT;                                                                    \
            break;                                                                                  \
        }                                                                                           \
        if (pl_grow(&(ctx)->alloc, (void **)&(arr), &(cap), (n) + 1, sizeof *(arr))) {              \
            rc = PLAUDIT_ENOMEM;                                                                    \
            break;                                                                                  \
        }                                                                                           \
        (r)->idx = (uint32_t)(n);                                                                   \
        HASH_ADD_KEYPTR(hh, *(hashp), (r)->id, strlen((r)->id), (r));                               \
        if (pl_uh_oom) {                                                                            \
            rc = PLAUDIT_ENOMEM;                                                                    \
            break;                                                                                  \
        }                                                                                           \
        (arr)[(n)++] = (r);                                                                         \
    } while (0)

static int link_fail(plaudit_ctx *ctx, int rc, const char *kind, const char *id)
{
    if (rc == PLAUDIT_ELIMIT)
        return pl_err(ctx, rc, "%s \"%s\": too many rules of this kind (the limit is %u)", kind, id, ctx->max_rules);
    return oom(ctx, kind, id);
}

/* Whether a declared rule needs format 2 (a program using one cannot be
 * lowered to format 1).  Each format 2 rule adds its test here. */
int pl_program_uses_v2(const plaudit_ctx *ctx)
{
    if (ctx->reorder_window_s > 0 || ctx->n_campaigns) return 1;
    for (size_t i = 0; i < ctx->n_tiers; i++)
        if (ctx->tiers[i]->n_benefits) return 1;
    for (size_t i = 0; i < ctx->n_boards; i++)
        if (ctx->boards[i]->by_team || ctx->boards[i]->from != PLAUDIT_UNSET) return 1;
    for (size_t i = 0; i < ctx->n_badges; i++)
        if (ctx->badges[i]->dated || ctx->badges[i]->kind == PLAUDIT_CRITERION_ALL) return 1;
    return 0;
}

/* A field new in format 2 given to a format 1 program. */
static int needs_v2(plaudit_ctx *ctx, const char *kind, const char *id, const char *field)
{
    return pl_err(ctx, PLAUDIT_EVERSION, "%s \"%s\": %s needs a program of format 2 (plaudit.program/2)", kind, id,
                  field);
}

/* A range [from, until) of a dated rule: each end PLAUDIT_UNSET or a
 * timestamp, from < until; `both` when a range needs its two ends. */
static int check_dates(plaudit_ctx *ctx, const char *kind, const char *id, int64_t from, int64_t until, int both)
{
    int rc;
    if (from == PLAUDIT_UNSET && until == PLAUDIT_UNSET) return PLAUDIT_OK;
    if (ctx->format < 2) return needs_v2(ctx, kind, id, "from/until");
    if (both && (from == PLAUDIT_UNSET || until == PLAUDIT_UNSET))
        return pl_err(ctx, PLAUDIT_EINVAL, "%s \"%s\": needs both from and until", kind, id);
    if (from != PLAUDIT_UNSET && (rc = check_range(ctx, kind, id, "from", from, 0, PLAUDIT_MAX_TS))) return rc;
    if (until != PLAUDIT_UNSET && (rc = check_range(ctx, kind, id, "until", until, 0, PLAUDIT_MAX_TS))) return rc;
    if (from != PLAUDIT_UNSET && until != PLAUDIT_UNSET && from >= until)
        return pl_err(ctx, PLAUDIT_EINVAL, "%s \"%s\": from (%lld) must be before until (%lld)", kind, id,
                      (long long)from, (long long)until);
    return PLAUDIT_OK;
}

int plaudit_program_set_format(plaudit_ctx *ctx, int format)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = decl_begin(ctx, ctx, 1, 1, "program format");
    if (rc) return rc;
    if (format != 1 && format != 2)
        return pl_err(ctx, PLAUDIT_ERANGE, "program format %d is not supported (1 or 2)", format);
    if (format < ctx->format && pl_program_uses_v2(ctx))
        return pl_err(ctx, PLAUDIT_EVERSION, "the program uses rules of format 2: it cannot become format %d",
                      format);
    ctx->format = format;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_program_set_name(plaudit_ctx *ctx, const char *name)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = decl_begin(ctx, name ? name : "", PLAUDIT_ACTION_DEF_VERSION, PLAUDIT_ACTION_DEF_VERSION, "program name");
    if (rc) return rc;
    if (!name) return pl_err(ctx, PLAUDIT_EINVAL, "program name is NULL");
    rc = pl_check_text(name, 0, PL_NAME_MAX, ctx->errmsg, sizeof ctx->errmsg, "program name");
    if (rc) return ctx->err_code = rc;
    char *n = pl_strdup(&ctx->alloc, name);
    if (!n) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory setting the program name");
    pl_free(&ctx->alloc, ctx->name);
    ctx->name = n;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_program_set_utc_offset(plaudit_ctx *ctx, int minutes)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = decl_begin(ctx, ctx, 1, 1, "time zone");
    if (rc) return rc;
    if (minutes < -1439 || minutes > 1439)
        return pl_err(ctx, PLAUDIT_ERANGE, "utc_offset_minutes %d is out of range (-1439 to 1439)", minutes);
    pl_tz *tz;
    if (pl_tz_fixed(&ctx->alloc, (int32_t)minutes * 60, &tz))
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory setting the UTC offset");
    pl_tz_free(&ctx->alloc, ctx->tz);
    pl_free(&ctx->alloc, ctx->tzname);
    ctx->tzname = NULL;
    ctx->tz = tz;
    ctx->utc_offset_min = minutes;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_program_set_timezone(plaudit_ctx *ctx, const char *zone)
{
    if (!ctx) return PLAUDIT_EINVAL;
    int rc = decl_begin(ctx, zone, 1, 1, "time zone");
    if (rc) return rc;
    rc = pl_check_text(zone, 1, 255, ctx->errmsg, sizeof ctx->errmsg, "time zone name");
    if (rc) return ctx->err_code = rc;
    char *name = pl_strdup(&ctx->alloc, zone);
    if (!name) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory loading time zone \"%s\"", zone);
    pl_tz *tz;
    char msg[256];
    rc = pl_tz_load(&ctx->alloc, ctx->tzdir, zone, &tz, msg, sizeof msg);
    if (rc) {
        pl_free(&ctx->alloc, name);
        /* Said once: the loader's message may name the zone already. */
        if (rc == PLAUDIT_ENOTFOUND) {
            char hint[300];
            return pl_err(ctx, rc, "%s%s", msg, pl_suggest_zone(ctx->tzdir, zone, hint, sizeof hint));
        }
        if (strstr(msg, zone)) return pl_err(ctx, rc, "%s", msg);
        return pl_err(ctx, rc, "time zone \"%s\": %s", zone, msg);
    }
    pl_tz_free(&ctx->alloc, ctx->tz);
    pl_free(&ctx->alloc, ctx->tzname);
    ctx->tz = tz;
    ctx->tzname = name;
    ctx->utc_offset_min = 0;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_action_declare(plaudit_ctx *ctx, const plaudit_action_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "action";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_ACTION_DEF_VERSION, K);
    if (rc) return rc;
    if ((rc = check_id(ctx, d->id, K, pl_action_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if ((rc = check_range(ctx, K, d->id, "points", d->points, -PLAUDIT_MAX_VALUE, PLAUDIT_MAX_VALUE))) return rc;
    if ((rc = check_range(ctx, K, d->id, "cooldown_s", d->cooldown_s, 0, PLAUDIT_MAX_VALUE))) return rc;
    if ((rc = check_cap(ctx, K, d->id, d->cap_points, d->cap_count, d->cap_per))) return rc;
    pl_action *a = head_new(ctx, sizeof *a, d->id, d->name, d->description);
    if (!a) return oom(ctx, K, d->id);
    a->points = d->points;
    a->once = !!d->once;
    a->cooldown_s = d->cooldown_s;
    a->cap_points = d->cap_points;
    a->cap_count = d->cap_count;
    a->cap_per = d->cap_per;
    a->cd_slot = a->cap_trk = -1;
    LINK_RULE(ctx, ctx->actions, ctx->n_actions, ctx->cap_actions, &ctx->action_h, a, rc);
    if (rc) {
        head_free(ctx, a);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

static void tier_free(plaudit_ctx *ctx, pl_tier *t)
{
    for (size_t i = 0; i < t->n_benefits; i++) pl_free(&ctx->alloc, t->benefits[i]);
    pl_free(&ctx->alloc, t->benefits);
    head_free(ctx, t);
}

int plaudit_tier_declare(plaudit_ctx *ctx, const plaudit_tier_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "tier";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_TIER_DEF_VERSION | PL_OLD_OK, K);
    if (rc) return rc;
    plaudit_tier_def d2 = PLAUDIT_TIER_DEF_INIT;
    memcpy(&d2, d, d->version >= 2 ? sizeof d2 : offsetof(plaudit_tier_def, n_benefits));
    d = &d2;
    if ((rc = check_id(ctx, d->id, K, pl_tier_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if ((rc = check_range(ctx, K, d->id, "min_points", d->min_points, 0, PLAUDIT_MAX_VALUE))) return rc;
    if ((rc = check_range(ctx, K, d->id, "min_distinct_actions", d->min_distinct_actions, 0, PLAUDIT_MAX_VALUE)))
        return rc;
    if ((rc = check_range(ctx, K, d->id, "min_tenure_days", d->min_tenure_days, 0, PLAUDIT_MAX_VALUE))) return rc;
    if ((rc = check_period(ctx, K, d->id, "window", d->window, 1))) return rc;
    if (d->n_benefits) {
        if (ctx->format < 2) return needs_v2(ctx, K, d->id, "benefits");
        if (d->n_benefits > PLAUDIT_MAX_BENEFITS || !d->benefits)
            return pl_err(ctx, d->benefits ? PLAUDIT_ELIMIT : PLAUDIT_EINVAL,
                          "tier \"%s\": benefits: 1 to %d strings expected", d->id, PLAUDIT_MAX_BENEFITS);
        for (size_t i = 0; i < d->n_benefits; i++) {
            char what[96];
            snprintf(what, sizeof what, "tier \"%s\": benefits[%zu]", d->id, i);
            if (!d->benefits[i]) return pl_err(ctx, PLAUDIT_EINVAL, "%s is NULL", what);
            rc = pl_check_text(d->benefits[i], 1, PL_NAME_MAX, ctx->errmsg, sizeof ctx->errmsg, what);
            if (rc) return ctx->err_code = rc;
        }
    }
    pl_tier *t = head_new(ctx, sizeof *t, d->id, d->name, d->description);
    if (!t) return oom(ctx, K, d->id);
    if (d->n_benefits) {
        t->benefits = pl_malloc(&ctx->alloc, sizeof *t->benefits * d->n_benefits);
        int ok = t->benefits != NULL;
        for (size_t i = 0; ok && i < d->n_benefits; i++) {
            t->benefits[i] = pl_strdup(&ctx->alloc, d->benefits[i]);
            if (t->benefits[i]) t->n_benefits = i + 1;
            else ok = 0;
        }
        if (!ok) {
            tier_free(ctx, t);
            return oom(ctx, K, d->id);
        }
    }
    t->min_points = d->min_points;
    t->min_distinct = d->min_distinct_actions;
    t->min_tenure_days = d->min_tenure_days;
    t->lifetime = !!d->lifetime;
    t->window = d->window;
    t->trk = -1;
    LINK_RULE(ctx, ctx->tiers, ctx->n_tiers, ctx->cap_tiers, &ctx->tier_h, t, rc);
    if (rc) {
        tier_free(ctx, t);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_segment_declare(plaudit_ctx *ctx, const plaudit_segment_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "segment";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_SEGMENT_DEF_VERSION, K);
    if (rc) return rc;
    if ((rc = check_id(ctx, d->id, K, pl_segment_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if (d->n_weights && (!d->actions || !d->weights))
        return pl_err(ctx, PLAUDIT_EINVAL, "segment \"%s\": weights given without their arrays", d->id);
    if (d->n_weights > ctx->max_rules) return pl_err(ctx, PLAUDIT_ELIMIT, "segment \"%s\": too many weights", d->id);
    for (size_t i = 0; i < d->n_weights; i++) {
        const pl_action *a = pl_action_find(ctx, d->actions[i]);
        if (!a)
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "segment \"%s\": weights: unknown action \"%s\"%s", d->id,
                          d->actions[i] ? d->actions[i] : "(null)", pl_did_you_mean(ctx, PL_K_ACTION, d->actions[i]));
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->actions[j], d->actions[i]) == 0)
                return pl_err(ctx, PLAUDIT_EEXIST, "segment \"%s\": action \"%s\" is weighted twice", d->id,
                              d->actions[i]);
        char f[96];
        snprintf(f, sizeof f, "weight of \"%s\"", d->actions[i]);
        if ((rc = check_range(ctx, K, d->id, f, d->weights[i], 1, PLAUDIT_MAX_VALUE))) return rc;
    }
    pl_segment *s = head_new(ctx, sizeof *s, d->id, d->name, d->description);
    if (!s) return oom(ctx, K, d->id);
    s->n = d->n_weights;
    s->actions = pl_malloc(&ctx->alloc, sizeof *s->actions * (s->n ? s->n : 1));
    s->weights = pl_malloc(&ctx->alloc, sizeof *s->weights * (s->n ? s->n : 1));
    if (!s->actions || !s->weights) rc = PLAUDIT_ENOMEM;
    else {
        for (size_t i = 0; i < s->n; i++) {
            s->actions[i] = pl_action_find(ctx, d->actions[i])->idx;
            s->weights[i] = d->weights[i];
        }
        LINK_RULE(ctx, ctx->segments, ctx->n_segments, ctx->cap_segments, &ctx->segment_h, s, rc);
    }
    if (rc) {
        pl_free(&ctx->alloc, s->actions);
        pl_free(&ctx->alloc, s->weights);
        head_free(ctx, s);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_leaderboard_declare(plaudit_ctx *ctx, const plaudit_leaderboard_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "leaderboard";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_LEADERBOARD_DEF_VERSION | PL_OLD_OK, K);
    if (rc) return rc;
    plaudit_leaderboard_def d2 = PLAUDIT_LEADERBOARD_DEF_INIT;
    memcpy(&d2, d, d->version >= 2 ? sizeof d2 : offsetof(plaudit_leaderboard_def, by));
    d = &d2;
    if ((rc = check_id(ctx, d->id, K, pl_board_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if ((rc = check_period(ctx, K, d->id, "period", d->period, 0))) return rc;
    if ((rc = check_range(ctx, K, d->id, "size", d->size, 0, PLAUDIT_MAX_VALUE))) return rc;
    const pl_segment *seg = NULL;
    if (d->segment && !(seg = pl_segment_find(ctx, d->segment)))
        return pl_err(ctx, PLAUDIT_ENOTFOUND, "leaderboard \"%s\": unknown segment \"%s\"%s", d->id, d->segment,
                      pl_did_you_mean(ctx, PL_K_SEGMENT, d->segment));
    if (d->by != PLAUDIT_BY_MEMBER) {
        if (d->by != PLAUDIT_BY_TEAM)
            return pl_err(ctx, PLAUDIT_EINVAL, "leaderboard \"%s\": by is not member or team (%d)", d->id, (int)d->by);
        if (ctx->format < 2) return needs_v2(ctx, K, d->id, "by");
        if (seg) return pl_err(ctx, PLAUDIT_EINVAL, "leaderboard \"%s\": a team board cannot have a segment", d->id);
    }
    if ((rc = check_dates(ctx, K, d->id, d->from, d->until, 1))) return rc;
    pl_board *b = head_new(ctx, sizeof *b, d->id, d->name, d->description);
    if (!b) return oom(ctx, K, d->id);
    b->by_team = d->by == PLAUDIT_BY_TEAM;
    b->from = d->from;
    b->until = d->until;
    b->period = d->period;
    b->segment = seg ? (int32_t)seg->idx : -1;
    b->size = d->size;
    LINK_RULE(ctx, ctx->boards, ctx->n_boards, ctx->cap_boards, &ctx->board_h, b, rc);
    if (rc) {
        head_free(ctx, b);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

static const char *criterion_key(plaudit_criterion k)
{
    switch (k) {
    case PLAUDIT_CRITERION_ACTION_COUNT: return "count";
    case PLAUDIT_CRITERION_ACTION_STREAK: return "streak";
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS: return "distinct_actions";
    case PLAUDIT_CRITERION_POINTS: return "points";
    case PLAUDIT_CRITERION_TENURE_DAYS: return "tenure_days";
    case PLAUDIT_CRITERION_KUDOS_RECEIVED: return "kudos_received";
    case PLAUDIT_CRITERION_KUDOS_GIVEN: return "kudos_given";
    default: return "threshold";
    }
}

static int needs_thresholds(plaudit_criterion k)
{
    return k >= PLAUDIT_CRITERION_ACTION_COUNT && k <= PLAUDIT_CRITERION_KUDOS_GIVEN;
}

/* Thresholds [lo, hi) as "10", "10 or 50", "10, 50 or 250". */
static void list_thresholds(pl_buf *b, const pl_badge *g, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = lo; i < hi; i++) {
        if (i > lo) pl_buf_puts(b, i + 1 == hi ? " or " : ", ");
        pl_buf_printf(b, "%lld", (long long)g->thr[i]);
    }
}

static const char *period_phrase(plaudit_period p)
{
    switch (p) {
    case PLAUDIT_PERIOD_DAY: return "one day";
    case PLAUDIT_PERIOD_WEEK: return "one calendar week";
    case PLAUDIT_PERIOD_MONTH: return "one calendar month";
    case PLAUDIT_PERIOD_QUARTER: return "one calendar quarter";
    case PLAUDIT_PERIOD_YEAR: return "one calendar year";
    default: return "all time";
    }
}

/* Display name of a rule: its name, else its id. */
#define DISPLAY(r) ((r)->name ? (r)->name : (r)->id)

/* "<n> <unit>s" over thresholds [lo, hi), with the singular for a lone 1. */
static void counted(pl_buf *b, const pl_badge *g, uint32_t lo, uint32_t hi, const char *one, const char *many)
{
    list_thresholds(b, g, lo, hi);
    pl_buf_puts(b, hi - lo == 1 && g->thr[lo] == 1 ? one : many);
}

/* A rule's name in quotes: "Answer", or “Say "hi"” when it holds '"'. */
static void quoted(pl_buf *b, const char *name)
{
    int curly = strchr(name, '"') != NULL;
    pl_buf_puts(b, curly ? "\xe2\x80\x9c" : "\"");
    pl_buf_puts(b, name);
    pl_buf_puts(b, curly ? "\xe2\x80\x9d" : "\"");
}

void pl_badge_sentence(const plaudit_ctx *ctx, const pl_badge *g, uint32_t level, pl_buf *b)
{
    const pl_action *a = g->action >= 0 ? ctx->actions[g->action] : NULL;
    /* Which thresholds the sentence states: all of them, or one level's. */
    uint32_t lo = 0, hi = g->n_thr;
    if (level && level <= g->n_thr) {
        lo = level - 1;
        hi = level;
    }
    int once = hi - lo == 1 && g->n_thr && g->thr[lo] == 1;
    switch (g->kind) {
    case PLAUDIT_CRITERION_MANUAL: pl_buf_puts(b, "Awarded by the program's organizers"); break;
    case PLAUDIT_CRITERION_ACTION_COUNT:
        pl_buf_puts(b, "Recorded ");
        quoted(b, DISPLAY(a));
        pl_buf_puts(b, " ");
        if (once) pl_buf_puts(b, "at least once");
        else counted(b, g, lo, hi, " time", " times");
        if (g->within != PLAUDIT_PERIOD_NONE && g->within != PLAUDIT_PERIOD_ALL)
            pl_buf_printf(b, " within %s", period_phrase(g->within));
        break;
    case PLAUDIT_CRITERION_ACTION_STREAK:
        pl_buf_puts(b, "Recorded ");
        quoted(b, DISPLAY(a));
        pl_buf_puts(b, " ");
        if (once) {
            pl_buf_printf(b, "in at least one %s", plaudit_period_name(g->per));
        } else {
            pl_buf_puts(b, "in each of ");
            list_thresholds(b, g, lo, hi);
            pl_buf_printf(b, " consecutive %ss", plaudit_period_name(g->per));
        }
        break;
    case PLAUDIT_CRITERION_DISTINCT_ACTIONS:
        pl_buf_puts(b, "Contributed in ");
        counted(b, g, lo, hi, " way", " different ways");
        break;
    case PLAUDIT_CRITERION_POINTS:
        pl_buf_puts(b, "Earned ");
        counted(b, g, lo, hi, " point", " points");
        break;
    case PLAUDIT_CRITERION_TENURE_DAYS:
        pl_buf_puts(b, "Was a member for ");
        counted(b, g, lo, hi, " day", " days");
        break;
    case PLAUDIT_CRITERION_KUDOS_RECEIVED:
        pl_buf_puts(b, "Received kudos from peers ");
        if (once) pl_buf_puts(b, "at least once");
        else counted(b, g, lo, hi, " time", " times");
        break;
    case PLAUDIT_CRITERION_KUDOS_GIVEN:
        pl_buf_puts(b, "Gave kudos to peers ");
        if (once) pl_buf_puts(b, "at least once");
        else counted(b, g, lo, hi, " time", " times");
        break;
    case PLAUDIT_CRITERION_TIER: {
        const pl_tier *t = ctx->tiers[g->tier];
        pl_buf_puts(b, "Reached the ");
        quoted(b, DISPLAY(t));
        pl_buf_puts(b, " tier");
        if ((size_t)g->tier + 1 < ctx->n_tiers) pl_buf_puts(b, " or a higher one");
        break;
    }
    case PLAUDIT_CRITERION_ALL: pl_badge_v2_sentence(ctx, g, b); break;
    case PLAUDIT_CRITERION_LEADERBOARD: {
        const pl_board *lb = ctx->boards[g->board];
        if (g->top == 1) pl_buf_puts(b, "Finished first on the ");
        else pl_buf_printf(b, "Finished in the top %lld of the ", (long long)g->top);
        quoted(b, DISPLAY(lb));
        pl_buf_puts(b, " leaderboard");
        if (lb->period != PLAUDIT_PERIOD_ALL) pl_buf_printf(b, " at the end of a %s", plaudit_period_name(lb->period));
        break;
    }
    }
    if (g->n_thr > 1) {
        if (level && level <= g->n_thr) pl_buf_printf(b, " (level %u of %u)", level, g->n_thr);
        else pl_buf_puts(b, ", one level for each");
    }
    if (g->dated) {
        pl_buf_puts(b, ", ");
        pl_dates_phrase(ctx, g->from, g->until, b);
    }
    pl_buf_puts(b, ".");
    if (g->repeatable && (g->kind == PLAUDIT_CRITERION_ACTION_COUNT || g->kind == PLAUDIT_CRITERION_ALL))
        pl_buf_printf(b, " Can be earned again every %s.", plaudit_period_name(g->within));
    else if (g->repeatable && g->kind == PLAUDIT_CRITERION_LEADERBOARD && ctx->boards[g->board]->period != PLAUDIT_PERIOD_ALL)
        pl_buf_printf(b, " Can be earned again every %s.", plaudit_period_name(ctx->boards[g->board]->period));
}

/* The plain-English sentence for a badge without `criteria` text. */
static char *write_criteria(plaudit_ctx *ctx, const pl_badge *g)
{
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    pl_badge_sentence(ctx, g, 0, &b);
    if (b.oom || !b.p) {
        pl_buf_free(&b);
        return NULL;
    }
    return b.p;
}

static void badge_free(plaudit_ctx *ctx, pl_badge *g)
{
    pl_badge_v2_free(ctx, g);
    pl_free(&ctx->alloc, g->thr);
    pl_free(&ctx->alloc, g->image);
    pl_free(&ctx->alloc, g->criteria);
    pl_free(&ctx->alloc, g->auto_criteria);
    head_free(ctx, g);
}

int plaudit_badge_declare(plaudit_ctx *ctx, const plaudit_badge_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "badge";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_BADGE_DEF_VERSION | PL_OLD_OK, K);
    if (rc) return rc;
    plaudit_badge_def d2 = PLAUDIT_BADGE_DEF_INIT;
    memcpy(&d2, d, d->version >= 2 ? sizeof d2 : offsetof(plaudit_badge_def, from));
    d = &d2;
    if ((rc = check_id(ctx, d->id, K, pl_badge_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "image", d->image, PL_DESC_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "criteria", d->criteria, PL_DESC_MAX))) return rc;
    if ((rc = check_range(ctx, K, d->id, "bonus", d->bonus, 0, PLAUDIT_MAX_VALUE))) return rc;
    plaudit_criterion k = d->criterion;
    if ((unsigned)k > PLAUDIT_CRITERION_ALL)
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": unknown criterion %d", d->id, (int)k);
    if ((rc = check_dates(ctx, K, d->id, d->from, d->until, 0))) return rc;
    if (k == PLAUDIT_CRITERION_ALL || d->n_all) {
        if (ctx->format < 2) return needs_v2(ctx, K, d->id, "all");
        if ((rc = pl_badge_v2_check(ctx, d))) return rc;
    }
    const pl_action *act = NULL;
    const pl_tier *tier = NULL;
    const pl_board *board = NULL;
    int is_action = k == PLAUDIT_CRITERION_ACTION_COUNT || k == PLAUDIT_CRITERION_ACTION_STREAK;
    if (is_action) {
        if (!d->action) return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": the criterion needs an action", d->id);
        if (!(act = pl_action_find(ctx, d->action)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "badge \"%s\": unknown action \"%s\"%s", d->id, d->action,
                          pl_did_you_mean(ctx, PL_K_ACTION, d->action));
    } else if (d->action) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": action given for a criterion without one", d->id);
    }
    if (k == PLAUDIT_CRITERION_ACTION_COUNT) {
        if ((rc = check_period(ctx, K, d->id, "within", d->within, 1))) return rc;
    } else if (d->within != PLAUDIT_PERIOD_NONE) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": within is only for action counts", d->id);
    }
    if (k == PLAUDIT_CRITERION_ACTION_STREAK) {
        if (d->per != PLAUDIT_PERIOD_DAY && d->per != PLAUDIT_PERIOD_WEEK && d->per != PLAUDIT_PERIOD_MONTH)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": a streak's per must be day, week or month", d->id);
    } else if (d->per != PLAUDIT_PERIOD_NONE) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": per is only for streaks", d->id);
    }
    if (needs_thresholds(k)) {
        if (d->n_thresholds < 1 || d->n_thresholds > PLAUDIT_MAX_LEVELS || !d->thresholds)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": %s needs 1 to %d thresholds", d->id, criterion_key(k),
                          PLAUDIT_MAX_LEVELS);
        for (size_t i = 0; i < d->n_thresholds; i++) {
            if ((rc = check_range(ctx, K, d->id, criterion_key(k), d->thresholds[i], 0, PLAUDIT_MAX_VALUE)))
                return rc;
            if (i && d->thresholds[i] <= d->thresholds[i - 1])
                return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": %s thresholds must be strictly ascending", d->id,
                              criterion_key(k));
        }
    } else if (d->n_thresholds) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": thresholds given for a criterion without them", d->id);
    }
    if (k == PLAUDIT_CRITERION_TIER) {
        if (!d->tier) return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": the criterion needs a tier", d->id);
        if (!(tier = pl_tier_find(ctx, d->tier)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "badge \"%s\": unknown tier \"%s\"%s", d->id, d->tier,
                          pl_did_you_mean(ctx, PL_K_TIER, d->tier));
    } else if (d->tier) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": tier given for a criterion without one", d->id);
    }
    if (k == PLAUDIT_CRITERION_LEADERBOARD) {
        if (!d->leaderboard)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": the criterion needs a leaderboard", d->id);
        if (!(board = pl_board_find(ctx, d->leaderboard)))
            return pl_err(ctx, PLAUDIT_ENOTFOUND, "badge \"%s\": unknown leaderboard \"%s\"%s", d->id, d->leaderboard,
                          pl_did_you_mean(ctx, PL_K_BOARD, d->leaderboard));
        if (board->by_team)
            return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": leaderboard \"%s\" is a team board", d->id,
                          d->leaderboard);
        if ((rc = check_range(ctx, K, d->id, "top", d->top, 1, PLAUDIT_MAX_VALUE))) return rc;
    } else if (d->leaderboard || d->top) {
        return pl_err(ctx, PLAUDIT_EINVAL, "badge \"%s\": leaderboard/top given for another criterion", d->id);
    }
    if (d->repeatable && k != PLAUDIT_CRITERION_ALL &&
        (k != PLAUDIT_CRITERION_ACTION_COUNT || d->within == PLAUDIT_PERIOD_NONE || d->n_thresholds != 1))
        return pl_err(ctx, PLAUDIT_EINVAL,
                      "badge \"%s\": repeatable needs an action count with within and a single threshold", d->id);

    pl_badge *g = head_new(ctx, sizeof *g, d->id, d->name, d->description);
    if (!g) return oom(ctx, K, d->id);
    g->kind = k;
    g->action = act ? (int32_t)act->idx : -1;
    g->within = d->within;
    g->per = d->per;
    g->tier = tier ? (int32_t)tier->idx : -1;
    g->board = board ? (int32_t)board->idx : -1;
    g->top = d->top;
    g->bonus = d->bonus;
    g->hidden = !!d->hidden;
    g->repeatable = !!d->repeatable || k == PLAUDIT_CRITERION_LEADERBOARD;
    g->trk = -1;
    g->n_thr = (uint32_t)d->n_thresholds;
    rc = pl_badge_v2_init(ctx, g, d);
    if (!rc && g->n_thr && !g->thr) {
        g->thr = pl_malloc(&ctx->alloc, sizeof *g->thr * g->n_thr);
        if (!g->thr) rc = PLAUDIT_ENOMEM;
        else memcpy(g->thr, d->thresholds, sizeof *g->thr * g->n_thr);
    }
    if (!rc && d->image && !(g->image = pl_strdup(&ctx->alloc, d->image))) rc = PLAUDIT_ENOMEM;
    if (!rc && d->criteria && !(g->criteria = pl_strdup(&ctx->alloc, d->criteria))) rc = PLAUDIT_ENOMEM;
    if (!rc && !(g->auto_criteria = write_criteria(ctx, g))) rc = PLAUDIT_ENOMEM;
    if (rc && rc != PLAUDIT_ENOMEM) {
        badge_free(ctx, g);
        return rc;
    }
    if (!rc) LINK_RULE(ctx, ctx->badges, ctx->n_badges, ctx->cap_badges, &ctx->badge_h, g, rc);
    if (rc) {
        badge_free(ctx, g);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_kudos_declare(plaudit_ctx *ctx, const plaudit_kudos_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "kudos";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_KUDOS_DEF_VERSION, K);
    if (rc) return rc;
    if (ctx->kudos.declared) return pl_err(ctx, PLAUDIT_EEXIST, "kudos: the section is already declared");
    if ((rc = check_range(ctx, K, "kudos", "points", d->points, -PLAUDIT_MAX_VALUE, PLAUDIT_MAX_VALUE))) return rc;
    if ((rc = check_cap(ctx, K, "kudos", d->cap_points, d->cap_count, d->cap_per))) return rc;
    if (d->give_cap_count != PLAUDIT_UNSET) {
        if ((rc = check_range(ctx, K, "kudos", "give_cap count", d->give_cap_count, 0, PLAUDIT_MAX_VALUE)))
            return rc;
        if ((rc = check_period(ctx, K, "kudos", "give_cap period", d->give_cap_per, 0))) return rc;
    } else if (d->give_cap_per != PLAUDIT_PERIOD_NONE) {
        return pl_err(ctx, PLAUDIT_EINVAL, "kudos: a give_cap period is given without a count");
    }
    pl_kudos *k = &ctx->kudos;
    k->declared = 1;
    k->points = d->points;
    k->cap_points = d->cap_points;
    k->cap_count = d->cap_count;
    k->cap_per = d->cap_per;
    k->give_cap = d->give_cap_count;
    k->give_per = d->give_cap_per;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_reward_declare(plaudit_ctx *ctx, const plaudit_reward_def *d)
{
    if (!ctx) return PLAUDIT_EINVAL;
    const char *K = "reward";
    int rc = decl_begin(ctx, d, d ? d->version : 0, PLAUDIT_REWARD_DEF_VERSION, K);
    if (rc) return rc;
    if ((rc = check_id(ctx, d->id, K, pl_reward_find(ctx, d->id)))) return rc;
    if ((rc = check_display(ctx, K, d->id, "name", d->name, PL_NAME_MAX))) return rc;
    if ((rc = check_display(ctx, K, d->id, "description", d->description, PL_DESC_MAX))) return rc;
    if ((rc = check_range(ctx, K, d->id, "cost", d->cost, 0, PLAUDIT_MAX_VALUE))) return rc;
    if (d->stock != PLAUDIT_UNSET && (rc = check_range(ctx, K, d->id, "stock", d->stock, 0, PLAUDIT_MAX_VALUE)))
        return rc;
    pl_reward *r = head_new(ctx, sizeof *r, d->id, d->name, d->description);
    if (!r) return oom(ctx, K, d->id);
    r->cost = d->cost;
    r->stock0 = r->stock = d->stock;
    LINK_RULE(ctx, ctx->rewards, ctx->n_rewards, ctx->cap_rewards, &ctx->reward_h, r, rc);
    if (rc) {
        head_free(ctx, r);
        return link_fail(ctx, rc, K, d->id);
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_program_info_get(plaudit_ctx *ctx, plaudit_program_info *out)
{
    if (!ctx || !out) return ctx ? pl_err(ctx, PLAUDIT_EINVAL, "out is NULL") : PLAUDIT_EINVAL;
    out->name = ctx->name;
    out->timezone = ctx->tzname;
    out->utc_offset_minutes = ctx->utc_offset_min;
    out->n_actions = ctx->n_actions;
    out->n_tiers = ctx->n_tiers;
    out->n_badges = pl_live_badges(ctx);
    out->n_segments = ctx->n_segments;
    out->n_leaderboards = ctx->n_boards;
    out->n_rewards = ctx->n_rewards;
    out->has_kudos = ctx->kudos.declared;
    out->sealed = ctx->sealed;
    out->format = ctx->format;
    out->n_campaigns = ctx->n_campaigns;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

#define FREE_RULES(arr, n, hash, extra)                                                             \
    do {                                                                                            \
        HASH_CLEAR(hh, hash);                                                                       \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                       \
            extra;                                                                                  \
        }                                                                                           \
        pl_free(&ctx->alloc, arr);                                                                  \
        arr = NULL;                                                                                 \
        n = 0;                                                                                      \
    } while (0)

void pl_program_free(plaudit_ctx *ctx)
{
    PL_UH(&ctx->alloc);
    pl_program_unseal(ctx);
    FREE_RULES(ctx->actions, ctx->n_actions, ctx->action_h, head_free(ctx, ctx->actions[i_]));
    FREE_RULES(ctx->tiers, ctx->n_tiers, ctx->tier_h, tier_free(ctx, ctx->tiers[i_]));
    FREE_RULES(ctx->segments, ctx->n_segments, ctx->segment_h, {
        pl_free(&ctx->alloc, ctx->segments[i_]->actions);
        pl_free(&ctx->alloc, ctx->segments[i_]->weights);
        head_free(ctx, ctx->segments[i_]);
    });
    FREE_RULES(ctx->boards, ctx->n_boards, ctx->board_h, head_free(ctx, ctx->boards[i_]));
    FREE_RULES(ctx->badges, ctx->n_badges, ctx->badge_h, badge_free(ctx, ctx->badges[i_]));
    FREE_RULES(ctx->rewards, ctx->n_rewards, ctx->reward_h, head_free(ctx, ctx->rewards[i_]));
    pl_campaigns_free(ctx);
    /* The arrays are gone: so is their room (a later declaration grows
     * them from scratch; a stale capacity would write through NULL). */
    ctx->cap_actions = ctx->cap_tiers = ctx->cap_segments = ctx->cap_boards = ctx->cap_badges = ctx->cap_rewards = 0;
    pl_tz_free(&ctx->alloc, ctx->tz);
    ctx->tz = NULL;
    pl_free(&ctx->alloc, ctx->tzname);
    pl_free(&ctx->alloc, ctx->name);
    pl_free(&ctx->alloc, ctx->program_doc);
    ctx->tzname = ctx->name = ctx->program_doc = NULL;
    ctx->n_retired = 0;
}
