/* analytics.c - program analytics: the optional recorder that observes
 * accepted events after commit and keeps compact per-member side data
 * (active periods with their contributions, points and recognitions; recent
 * days for the quiet-contributor window), and plaudit_analytics_get, which
 * turns it into participation, repeat participation, diversity, tenure,
 * tier and segment mix, rewards, and recognition fairness (Gini, Lorenz
 * curve, never recognized, quiet contributors), for the whole program and
 * (format 2) per team.
 *
 * The recorder never changes engine state.  Its allocations go through the
 * context allocator; when one fails it stops recording and remembers it, and
 * the next plaudit_analytics_get reports PLAUDIT_ENOMEM. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* One member's activity in one period of the recorder's granularity. */
typedef struct an_period {
    uint32_t key;
    uint32_t contributions;
    uint32_t recognitions;
    int32_t first_action;     /* action of the first contribution, -1: none */
    int64_t points;           /* net points awarded in the period */
    uint32_t multi;           /* 1: two or more distinct actions */
    uint32_t pad;
} an_period;

/* One member's activity on one local day (quiet window). */
typedef struct an_day {
    uint32_t day;
    uint32_t contributions;
    uint32_t recognitions;
} an_day;

typedef struct an_member {
    int64_t joined;
    int64_t last_recognized;  /* -1: never */
    uint32_t join_key;
    uint32_t n_periods, cap_periods;
    uint32_t n_days, cap_days;
    an_period *periods;       /* ascending keys */
    an_day *days;             /* ascending days, within quiet_days */
} an_member;

/* Program-wide figures per period. */
typedef struct an_series {
    uint32_t key;
    uint64_t contributions, new_members, redemptions;
    int64_t redeemed;
    uint64_t revocations;     /* revoke events in the period */
} an_series;

typedef struct pl_analytics {
    plaudit_analytics_options opt;
    int oom;
    char oom_msg[160];
    an_member *mv;
    size_t n_members, cap_members;
    an_series *series;
    size_t n_series, cap_series;
    /* query results */
    plaudit_analytics_count *q_counts;
    plaudit_quiet_contributor *q_quiet;
    plaudit_analytics_period *q_periods;
    void *q_scratch;
    plaudit_analytics_team *q_teams;
    void *q_tscratch;
} pl_analytics;

int plaudit_analytics_enable(plaudit_ctx *ctx, const plaudit_analytics_options *opts)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (ctx->in_callback) return pl_reentered(ctx, "analytics cannot be enabled");
    if (ctx->an) return pl_err(ctx, PLAUDIT_ESTATE, "analytics are already enabled");
    if (ctx->sealed || ctx->n_members || ctx->clock >= 0)
        return pl_err(ctx, PLAUDIT_ESTATE, "analytics must be enabled before the first event");
    plaudit_analytics_options def = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version != PLAUDIT_ANALYTICS_OPTIONS_VERSION)
        return pl_err(ctx, PLAUDIT_EVERSION, "analytics options version %u is not supported (expected %d)",
                      opts->version, PLAUDIT_ANALYTICS_OPTIONS_VERSION);
    if (opts->period < PLAUDIT_PERIOD_DAY || opts->period > PLAUDIT_PERIOD_YEAR)
        return pl_err(ctx, PLAUDIT_EINVAL, "analytics period must be day, week, month, quarter or year");
    if (opts->quiet_days < 1 || opts->quiet_days > 3660)
        return pl_err(ctx, PLAUDIT_ERANGE, "quiet_days %lld is out of range (1 to 3660)", (long long)opts->quiet_days);
    pl_analytics *an = pl_malloc(&ctx->alloc, sizeof *an);
    if (!an) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory enabling analytics");
    memset(an, 0, sizeof *an);
    an->opt = *opts;
    ctx->an = an;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

void pl_analytics_free(plaudit_ctx *ctx)
{
    pl_analytics *an = ctx->an;
    if (!an) return;
    const pl_alloc *a = &ctx->alloc;
    for (size_t i = 0; i < an->n_members; i++) {
        pl_free(a, an->mv[i].periods);
        pl_free(a, an->mv[i].days);
    }
    pl_free(a, an->mv);
    pl_free(a, an->series);
    pl_free(a, an->q_counts);
    pl_free(a, an->q_quiet);
    pl_free(a, an->q_periods);
    pl_free(a, an->q_scratch);
    pl_free(a, an->q_teams);
    pl_free(a, an->q_tscratch);
    pl_free(a, an);
    ctx->an = NULL;
}

/* ---- recording ------------------------------------------------------------ */

static void an_oom(pl_analytics *an, const char *what)
{
    if (an->oom) return;
    an->oom = 1;
    snprintf(an->oom_msg, sizeof an->oom_msg, "the analytics recorder ran out of memory (%s); its figures are incomplete",
             what);
}

static int grow32(const pl_alloc *a, void **arr, uint32_t *cap, uint32_t need, size_t es)
{
    size_t c = *cap;
    if (pl_grow(a, arr, &c, need, es)) return -1;
    *cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    return 0;
}

/* The series entry for key (inserted in key order). */
static an_series *series_at(plaudit_ctx *ctx, pl_analytics *an, uint32_t key)
{
    size_t lo = 0, hi = an->n_series;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (an->series[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    if (lo < an->n_series && an->series[lo].key == key) return &an->series[lo];
    if (pl_grow(&ctx->alloc, (void **)&an->series, &an->cap_series, an->n_series + 1, sizeof *an->series)) {
        an_oom(an, "periods");
        return NULL;
    }
    memmove(&an->series[lo + 1], &an->series[lo], (an->n_series - lo) * sizeof *an->series);
    an->n_series++;
    memset(&an->series[lo], 0, sizeof an->series[lo]);
    an->series[lo].key = key;
    return &an->series[lo];
}

/* The member's entry for key: keys arrive in ascending order per member
 * (a member's events never go back in time), so it is the last one or new. */
static an_period *period_at(plaudit_ctx *ctx, pl_analytics *an, an_member *m, uint32_t key)
{
    if (m->n_periods && m->periods[m->n_periods - 1].key == key) return &m->periods[m->n_periods - 1];
    if (m->n_periods && m->periods[m->n_periods - 1].key > key) {
        /* Not expected; keep the data consistent anyway. */
        for (uint32_t i = 0; i < m->n_periods; i++)
            if (m->periods[i].key == key) return &m->periods[i];
    }
    if (!series_at(ctx, an, key)) return NULL;
    if (grow32(&ctx->alloc, (void **)&m->periods, &m->cap_periods, m->n_periods + 1, sizeof *m->periods)) {
        an_oom(an, "member periods");
        return NULL;
    }
    uint32_t at = m->n_periods;
    while (at && m->periods[at - 1].key > key) at--;
    memmove(&m->periods[at + 1], &m->periods[at], (m->n_periods - at) * sizeof *m->periods);
    m->n_periods++;
    an_period *p = &m->periods[at];
    memset(p, 0, sizeof *p);
    p->key = key;
    p->first_action = -1;
    return p;
}

static an_day *day_at(plaudit_ctx *ctx, pl_analytics *an, an_member *m, uint32_t day)
{
    if (m->n_days && m->days[m->n_days - 1].day == day) return &m->days[m->n_days - 1];
    if (m->n_days && m->days[m->n_days - 1].day > day) {
        for (uint32_t i = 0; i < m->n_days; i++)
            if (m->days[i].day == day) return &m->days[i];
        return NULL; /* older than the newest day and not kept: outside the window */
    }
    /* Drop days that fell out of the window. */
    uint32_t keep = 0;
    while (keep < m->n_days && (int64_t)m->days[keep].day <= (int64_t)day - an->opt.quiet_days) keep++;
    if (keep) {
        memmove(m->days, m->days + keep, (m->n_days - keep) * sizeof *m->days);
        m->n_days -= keep;
    }
    if (grow32(&ctx->alloc, (void **)&m->days, &m->cap_days, m->n_days + 1, sizeof *m->days)) {
        an_oom(an, "member days");
        return NULL;
    }
    an_day *d = &m->days[m->n_days++];
    memset(d, 0, sizeof *d);
    d->day = day;
    return d;
}

static an_member *an_member_of(plaudit_ctx *ctx, pl_analytics *an, const char *id)
{
    const pl_member *m = pl_member_find(ctx, id);
    if (!m || m->idx >= an->n_members) return NULL;
    return &an->mv[m->idx];
}

static void recognize(plaudit_ctx *ctx, pl_analytics *an, an_member *m, uint32_t key, uint32_t day, int64_t ts)
{
    if (!m) return;
    an_period *p = period_at(ctx, an, m, key);
    if (p) p->recognitions = pl_sat_inc32(p->recognitions);
    an_day *d = day_at(ctx, an, m, day);
    if (d) d->recognitions = pl_sat_inc32(d->recognitions);
    m->last_recognized = ts;
}

/* A revoked contribution or redemption no longer counts, in the period
 * (and day) of the revoked event. */
static void unrecord(plaudit_ctx *ctx, pl_analytics *an, const plaudit_moment *mo)
{
    if (mo->revoked_type != PLAUDIT_EVENT_ACTION && mo->revoked_type != PLAUDIT_EVENT_REDEEM) return;
    const uint32_t *K = pl_keys(ctx, mo->revoked_ts);
    uint32_t key = K[an->opt.period], day = K[PLAUDIT_PERIOD_DAY];
    an_series *s = series_at(ctx, an, key);
    if (mo->revoked_type == PLAUDIT_EVENT_REDEEM) {
        if (s && s->redemptions) {
            s->redemptions--;
            s->redeemed = pl_sat_add(s->redeemed, -mo->cost);
        }
        return;
    }
    an_member *m = an_member_of(ctx, an, mo->member);
    if (!m) return;
    an_period *p = period_at(ctx, an, m, key);
    if (p && p->contributions) p->contributions--;
    an_day *d = day_at(ctx, an, m, day);
    if (d && d->contributions) d->contributions--;
    if (s && s->contributions) s->contributions--;
}

void pl_analytics_observe(plaudit_ctx *ctx, const plaudit_event *ev)
{
    pl_analytics *an = ctx->an;
    if (an->oom) return;
    const pl_alloc *a = &ctx->alloc;
    plaudit_period gran = an->opt.period;
    /* Members created by this event (they are appended to ctx->mv). */
    if (ctx->n_members > an->n_members) {
        if (pl_grow(a, (void **)&an->mv, &an->cap_members, ctx->n_members, sizeof *an->mv)) {
            an_oom(an, "members");
            return;
        }
        for (size_t i = an->n_members; i < ctx->n_members; i++) {
            an_member *m = &an->mv[i];
            memset(m, 0, sizeof *m);
            m->joined = ctx->mv[i]->st.joined;
            m->last_recognized = -1;
            m->join_key = pl_keys(ctx, m->joined)[gran];
            an_series *s = series_at(ctx, an, m->join_key);
            if (!s) return;
            s->new_members++;
        }
        an->n_members = ctx->n_members;
    }
    const uint32_t *K = pl_keys(ctx, ev->ts);
    uint32_t key = K[gran], day = K[PLAUDIT_PERIOD_DAY];
    if (ev->type == PLAUDIT_EVENT_ACTION && ctx->subject && ctx->subject->idx < an->n_members) {
        an_member *m = &an->mv[ctx->subject->idx];
        const pl_action *act = pl_action_find(ctx, ev->target);
        int32_t ai = act ? (int32_t)act->idx : -1;
        an_period *p = period_at(ctx, an, m, key);
        if (p) {
            p->contributions = pl_sat_inc32(p->contributions);
            if (p->first_action < 0) p->first_action = ai;
            else if (p->first_action != ai) p->multi = 1;
        }
        an_day *d = day_at(ctx, an, m, day);
        if (d) d->contributions = pl_sat_inc32(d->contributions);
        an_series *s = series_at(ctx, an, key);
        if (s) s->contributions++;
    }
    const char *first_tier = ctx->n_tiers ? ctx->tiers[0]->id : NULL;
    for (size_t i = 0; i < ctx->n_moments && !an->oom; i++) {
        const plaudit_moment *mo = &ctx->moments[i];
        switch (mo->kind) {
        case PLAUDIT_MOMENT_POINTS: {
            an_member *m = an_member_of(ctx, an, mo->member);
            an_period *p = m ? period_at(ctx, an, m, key) : NULL;
            if (p) p->points = pl_sat_add(p->points, mo->points);
            break;
        }
        case PLAUDIT_MOMENT_BADGE:
            recognize(ctx, an, an_member_of(ctx, an, mo->member), key, day, mo->ts);
            break;
        case PLAUDIT_MOMENT_TIER:
            if (mo->promoted && mo->tier_to && mo->tier_to != first_tier)
                recognize(ctx, an, an_member_of(ctx, an, mo->member), key, day, mo->ts);
            break;
        case PLAUDIT_MOMENT_KUDOS:
            recognize(ctx, an, an_member_of(ctx, an, mo->to), key, day, mo->ts);
            break;
        case PLAUDIT_MOMENT_REDEEM: {
            an_series *s = series_at(ctx, an, key);
            if (s) {
                s->redemptions++;
                s->redeemed = pl_sat_add(s->redeemed, mo->cost);
            }
            break;
        }
        case PLAUDIT_MOMENT_REVOKE: unrecord(ctx, an, mo); break;
        }
    }
    if (ev->type == PLAUDIT_EVENT_REVOKE) {
        an_series *s = series_at(ctx, an, key);
        if (s) s->revocations++;
    }
}

/* ---- period labels ------------------------------------------------------------- */

static void period_label(plaudit_period p, uint32_t key, char out[16])
{
    int64_t y;
    unsigned m, d;
    switch (p) {
    case PLAUDIT_PERIOD_DAY:
    case PLAUDIT_PERIOD_WEEK: {
        int64_t day = p == PLAUDIT_PERIOD_DAY ? (int64_t)key - 3 : ((int64_t)key - 2) * 7 - 3;
        pl_civil_from_days(day, &y, &m, &d);
        snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
        break;
    }
    case PLAUDIT_PERIOD_MONTH: snprintf(out, 16, "%04u-%02u", key / 12, key % 12 + 1); break;
    case PLAUDIT_PERIOD_QUARTER: snprintf(out, 16, "%04u-Q%u", key / 4, key % 4 + 1); break;
    default: snprintf(out, 16, "%04u", key); break;
    }
}

/* ---- the query ------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_quiet(const void *a, const void *b)
{
    const plaudit_quiet_contributor *x = a, *y = b;
    if (x->contributions != y->contributions) return x->contributions > y->contributions ? -1 : 1;
    return strcmp(x->member, y->member);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

/* The Gini coefficient of n values sorted ascending (0 when they sum to 0). */
static double gini_sorted(const int64_t *v, size_t n, double *total_out)
{
    double total = 0, weighted = 0;
    for (size_t i = 0; i < n; i++) {
        total += (double)v[i];
        weighted += (double)(i + 1) * (double)v[i];
    }
    if (total_out) *total_out = total;
    if (!n || total <= 0) return 0.0;
    return 2.0 * weighted / ((double)n * total) - ((double)n + 1.0) / (double)n;
}

/* A participant's points with its team, sorted by team then points so
 * that each team's values are one ascending run. */
typedef struct an_tp {
    size_t team;
    int64_t pts;
} an_tp;

static int cmp_tp(const void *a, const void *b)
{
    const an_tp *x = a, *y = b;
    if (x->team != y->team) return x->team < y->team ? -1 : 1;
    return (x->pts > y->pts) - (x->pts < y->pts);
}

/* Gini per team over the participants' points (tp: n_tp entries, sorted
 * here; vals: scratch of n_tp values). */
static void team_gini(plaudit_analytics_team *teams, an_tp *tp, size_t n_tp, int64_t *vals)
{
    qsort(tp, n_tp, sizeof *tp, cmp_tp);
    for (size_t i = 0; i < n_tp;) {
        size_t j = i;
        while (j < n_tp && tp[j].team == tp[i].team) {
            vals[j - i] = tp[j].pts;
            teams[tp[i].team].points = pl_sat_add(teams[tp[i].team].points, tp[j].pts);
            j++;
        }
        teams[tp[i].team].gini = gini_sorted(vals, j - i, NULL);
        i = j;
    }
}

int plaudit_analytics_get(plaudit_ctx *ctx, plaudit_analytics *out, int64_t from, int64_t to)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!out) return pl_err(ctx, PLAUDIT_EINVAL, "out is NULL");
    memset(out, 0, sizeof *out);
    pl_analytics *an = ctx->an;
    if (!an) return pl_err(ctx, PLAUDIT_ESTATE, "analytics are not enabled (plaudit_analytics_enable)");
    if (an->oom) return pl_err(ctx, PLAUDIT_ENOMEM, "%s", an->oom_msg);
    if (from != PLAUDIT_ANALYTICS_OPEN && to != PLAUDIT_ANALYTICS_OPEN && to <= from)
        return pl_err(ctx, PLAUDIT_ERANGE, "the window is empty: to (%lld) <= from (%lld)", (long long)to,
                      (long long)from);
    const pl_alloc *a = &ctx->alloc;
    plaudit_period gran = an->opt.period;
    uint32_t klo = 0, khi = UINT32_MAX;
    if (from != PLAUDIT_ANALYTICS_OPEN) {
        int64_t f = from < 0 ? 0 : from > PLAUDIT_MAX_TS ? PLAUDIT_MAX_TS : from;
        klo = pl_keys(ctx, f)[gran];
    }
    if (to != PLAUDIT_ANALYTICS_OPEN) {
        int64_t t = to - 1;
        t = t < 0 ? 0 : t > PLAUDIT_MAX_TS ? PLAUDIT_MAX_TS : t;
        khi = pl_keys(ctx, t)[gran];
        if (to <= 0) return pl_err(ctx, PLAUDIT_ERANGE, "the window ends before time 0");
    }
    /* Tenure is measured at the window's end, or the clock if earlier. */
    int64_t tenure_end = ctx->clock < 0 ? 0 : ctx->clock;
    if (to != PLAUDIT_ANALYTICS_OPEN && to - 1 < tenure_end) tenure_end = to - 1;
    int64_t quiet_day_hi = ctx->clock < 0 ? 0 : (int64_t)pl_keys(ctx, ctx->clock)[PLAUDIT_PERIOD_DAY];
    int64_t quiet_day_lo = quiet_day_hi - an->opt.quiet_days + 1;

    size_t n = an->n_members;
    size_t nc = ctx->n_tiers + 1 + ctx->n_segments + 1;
    pl_free(a, an->q_counts);
    pl_free(a, an->q_quiet);
    pl_free(a, an->q_periods);
    pl_free(a, an->q_scratch);
    pl_free(a, an->q_teams);
    pl_free(a, an->q_tscratch);
    an->q_teams = NULL;
    an->q_tscratch = NULL;
    an->q_counts = NULL;
    an->q_quiet = NULL;
    an->q_periods = NULL;
    an->q_scratch = NULL;
    an->q_counts = pl_malloc(a, nc * sizeof *an->q_counts);
    an->q_quiet = pl_malloc(a, (n ? n : 1) * sizeof *an->q_quiet);
    an->q_scratch = pl_malloc(a, (n ? n : 1) * 2 * sizeof(int64_t));
    if (!an->q_counts || !an->q_quiet || !an->q_scratch) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory computing analytics");
    /* format 2: the teams, then "none" */
    size_t n_team = ctx->format >= 2 ? (size_t)plaudit_team_count(ctx) + 1 : 0;
    an_tp *tp = NULL;
    if (n_team) {
        an->q_teams = pl_malloc(a, n_team * sizeof *an->q_teams);
        an->q_tscratch = pl_malloc(a, (n ? n : 1) * sizeof *tp);
        if (!an->q_teams || !an->q_tscratch) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory computing analytics");
        memset(an->q_teams, 0, n_team * sizeof *an->q_teams);
        for (size_t i = 0; i + 1 < n_team; i++) an->q_teams[i].id = pl_team_id(ctx, (int32_t)i);
        tp = an->q_tscratch;
    }
    plaudit_analytics_team *tm = NULL;
    plaudit_analytics_count *tiers = an->q_counts, *segs = an->q_counts + ctx->n_tiers + 1;
    for (size_t i = 0; i < ctx->n_tiers; i++) tiers[i] = (plaudit_analytics_count){ctx->tiers[i]->id, 0};
    tiers[ctx->n_tiers] = (plaudit_analytics_count){NULL, 0};
    for (size_t i = 0; i < ctx->n_segments; i++) segs[i] = (plaudit_analytics_count){ctx->segments[i]->id, 0};
    segs[ctx->n_segments] = (plaudit_analytics_count){NULL, 0};
    int64_t *pts = an->q_scratch, *ten = pts + (n ? n : 1);
    size_t n_pts = 0, n_ten = 0, n_quiet = 0;
    uint64_t never = 0;

    for (size_t i = 0; i < n; i++) {
        const an_member *m = &an->mv[i];
        const pl_member *pm = ctx->mv[i];
        if (m->join_key > khi) continue;
        out->members++;
        int64_t t = tenure_end - m->joined;
        ten[n_ten++] = t > 0 ? t / 86400 : 0;
        int32_t tier = pm->st.tier;
        tiers[tier >= 0 ? (size_t)tier : ctx->n_tiers].members++;
        int32_t seg = pm->st.segment;
        segs[seg >= 0 ? (size_t)seg : ctx->n_segments].members++;
        size_t ti = 0;
        if (n_team) {
            ti = pm->st.team >= 0 ? (size_t)pm->st.team : n_team - 1;
            tm = &an->q_teams[ti];
            tm->members++;
        }
        uint64_t contrib = 0, recog = 0, active = 0;
        int64_t points = 0;
        int multi = 0;
        int32_t act = -1;
        for (uint32_t j = 0; j < m->n_periods; j++) {
            const an_period *p = &m->periods[j];
            if (p->key < klo || p->key > khi) continue;
            points = pl_sat_add(points, p->points);
            recog += p->recognitions;
            if (!p->contributions) continue;
            contrib += p->contributions;
            active++;
            if (p->multi || (act >= 0 && act != p->first_action)) multi = 1;
            act = p->first_action;
        }
        if (contrib) {
            out->participants++;
            out->contributions += contrib;
            if (active >= 2) out->repeat_participants++;
            if (multi) out->diverse_participants++;
            pts[n_pts++] = points > 0 ? points : 0;
            if (!recog) never++;
            if (n_team) {
                tm->participants++;
                tm->contributions += contrib;
                if (!recog) tm->never_recognized++;
                tp[n_pts - 1] = (an_tp){ti, points > 0 ? points : 0};
            }
        }
        uint64_t qc = 0, qr = 0;
        for (uint32_t j = 0; j < m->n_days; j++) {
            const an_day *d = &m->days[j];
            if ((int64_t)d->day < quiet_day_lo || (int64_t)d->day > quiet_day_hi) continue;
            qc += d->contributions;
            qr += d->recognitions;
        }
        if (qc && !qr)
            an->q_quiet[n_quiet++] = (plaudit_quiet_contributor){pm->id, qc, m->last_recognized};
    }
    out->participation_rate = ratio(out->participants, out->members);
    out->repeat_rate = ratio(out->repeat_participants, out->participants);
    out->diversity_rate = ratio(out->diverse_participants, out->participants);
    out->never_recognized = never;
    out->never_recognized_rate = ratio(never, out->participants);

    /* Tenure. */
    if (n_ten) {
        qsort(ten, n_ten, sizeof *ten, cmp_i64);
        double sum = 0;
        for (size_t i = 0; i < n_ten; i++) sum += (double)ten[i];
        out->tenure_avg_days = sum / (double)n_ten;
        out->tenure_median_days =
            n_ten % 2 ? (double)ten[n_ten / 2] : ((double)ten[n_ten / 2 - 1] + (double)ten[n_ten / 2]) / 2.0;
    }
    /* Gini and the Lorenz curve (values ascending). */
    qsort(pts, n_pts, sizeof *pts, cmp_i64);
    double total = 0;
    out->gini = gini_sorted(pts, n_pts, &total);
    for (int k = 0; k < PLAUDIT_LORENZ_POINTS; k++) {
        double share = (double)k / (PLAUDIT_LORENZ_POINTS - 1);
        if (!n_pts || total <= 0) {
            out->lorenz[k] = share;
            continue;
        }
        /* share of points held by the poorest `share` of participants,
         * interpolated between whole members */
        double pos = share * (double)n_pts, cum = 0;
        size_t whole = (size_t)pos;
        for (size_t i = 0; i < whole && i < n_pts; i++) cum += (double)pts[i];
        if (whole < n_pts) cum += (pos - (double)whole) * (double)pts[whole];
        out->lorenz[k] = cum / total;
    }

    /* Quiet contributors. */
    qsort(an->q_quiet, n_quiet, sizeof *an->q_quiet, cmp_quiet);
    out->quiet_days = an->opt.quiet_days;
    out->n_quiet_total = n_quiet;
    out->n_quiet = n_quiet < an->opt.quiet_max ? n_quiet : an->opt.quiet_max;
    out->quiet = an->q_quiet;

    /* The series, clipped to the window and to the periods with events. */
    uint32_t slo = klo, shi = khi;
    if (an->n_series) {
        if (slo < an->series[0].key) slo = an->series[0].key;
        if (shi > an->series[an->n_series - 1].key) shi = an->series[an->n_series - 1].key;
    }
    if (an->n_series && slo <= shi) {
        size_t np = (size_t)(shi - slo) + 1;
        if (np > 100000) np = 100000; /* a guard against absurd windows */
        an->q_periods = pl_malloc(a, np * sizeof *an->q_periods);
        if (!an->q_periods) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory computing analytics");
        memset(an->q_periods, 0, np * sizeof *an->q_periods);
        uint64_t before = 0;
        for (size_t j = 0; j < an->n_series; j++) {
            const an_series *s = &an->series[j];
            if (s->key < slo) {
                before += s->new_members;
                continue;
            }
            if (s->key > shi || s->key - slo >= np) continue;
            plaudit_analytics_period *q = &an->q_periods[s->key - slo];
            q->new_members = s->new_members;
            q->contributions = s->contributions;
            q->redemptions = s->redemptions;
            q->revocations = s->revocations;
            out->revocations += s->revocations;
            out->rewards_redeemed += s->redemptions;
            out->points_redeemed = pl_sat_add(out->points_redeemed, s->redeemed);
        }
        for (size_t i = 0; i < n; i++) {
            const an_member *m = &an->mv[i];
            for (uint32_t j = 0; j < m->n_periods; j++) {
                const an_period *p = &m->periods[j];
                if (p->contributions && p->key >= slo && p->key <= shi && p->key - slo < np)
                    an->q_periods[p->key - slo].participants++;
            }
        }
        for (size_t k = 0; k < np; k++) {
            before += an->q_periods[k].new_members;
            an->q_periods[k].members = before;
            period_label(gran, slo + (uint32_t)k, an->q_periods[k].label);
        }
        out->n_periods = np;
        out->periods = an->q_periods;
        period_label(gran, slo, out->first_period);
        period_label(gran, slo + (uint32_t)(np - 1), out->last_period);
    } else {
        if (klo) period_label(gran, klo, out->first_period);
        if (khi != UINT32_MAX) period_label(gran, khi, out->last_period);
    }
    out->n_tiers = ctx->n_tiers + 1;
    out->tiers = tiers;
    out->n_segments = ctx->n_segments + 1;
    out->segments = segs;
    if (n_team) {
        /* pts is free again: the scratch of each team's run */
        team_gini(an->q_teams, tp, n_pts, pts);
        for (size_t i = 0; i < n_team; i++) {
            plaudit_analytics_team *t = &an->q_teams[i];
            t->participation_rate = ratio(t->participants, t->members);
            t->never_recognized_rate = ratio(t->never_recognized, t->participants);
        }
        out->n_teams = n_team;
        out->teams = an->q_teams;
    }
    pl_ok(ctx);
    return PLAUDIT_OK;
}
