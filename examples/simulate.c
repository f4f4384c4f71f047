/* simulate.c - a community simulation: builds a community whose motivation
 * mix follows the advocate research (about 45% socializers, 20% competitive
 * achievers, under 10% explorers, the rest mixed and quiet), simulates a
 * year of their contributions, kudos and redemptions against a program file
 * (examples/program.json by default), and prints what a program manager
 * wants to see: tier distribution, top badges, the monthly leaderboard, the
 * program analytics and one member's progress.  With a format 2 program
 * members belong to customer accounts (teams; a few change company during
 * the year), the launch campaign draws more bug reports and reviews, and
 * the report shows the accounts board, the season, the quarterly challenge
 * and the campaign's effect.  Deterministic for a seed:
 * standard output depends only on the options (timings go to stderr).
 *
 *   simulate [--members N] [--seed S] [--days D] [--program FILE]
 *            [--events FILE] [--html FILE] [--member ID]
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plaudit.h>

#include "report.h"

#ifndef PLAUDIT_EXAMPLES_DIR
#define PLAUDIT_EXAMPLES_DIR "examples"
#endif

/* ---- deterministic random numbers (splitmix64 seeded xoshiro256**) ---------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rnd(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static uint32_t rnd_below(rng *r, uint32_t n) { return (uint32_t)(rnd(r) * n); }
static double rnd_normal(rng *r)
{
    double u = rnd(r), v = rnd(r);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* ---- the community ----------------------------------------------------------- */

enum { SOCIALIZER, ACHIEVER, EXPLORER, MIXED, QUIET, N_TYPES };
static const char *const type_names[N_TYPES] = {"socializer", "competitive achiever", "explorer", "mixed", "quiet"};
/* Share of the community per type (per mille). */
static const int type_share[N_TYPES] = {450, 200, 80, 150, 120};
/* Mean contributions per active day. */
static const double type_rate[N_TYPES] = {0.30, 0.32, 0.22, 0.14, 0.035};
/* Chance per day of giving kudos (when active). */
static const double type_kudos[N_TYPES] = {0.030, 0.008, 0.006, 0.010, 0.002};

typedef struct weight {
    const char *action;
    int w[N_TYPES];
} weight;

/*                                           soc  ach  exp  mix  quiet */
static const weight actions[] = {
    {"forum.post",              {300,  60,  80, 100, 300}},
    {"forum.answer",            {220, 160,  50, 100, 200}},
    {"forum.answer_accepted",   { 20,  80,  10,  30,  15}},
    {"forum.upvoted",           {150,  40,  40,  80, 150}},
    {"post.downvoted",          { 10,   8,   5,  10,   5}},
    {"kb.article",              {  5,  50,  20,  20,  10}},
    {"kb.edit",                 { 20,  30,  80,  60, 100}},
    {"idea.submitted",          { 10,  20, 200,  50,  30}},
    {"idea.shipped",            {  0,   2,  12,   2,   1}},
    {"beta.joined",             {  2,   5,  40,  10,   2}},
    {"beta.bug_found",          {  5,  10, 250,  40,  20}},
    {"review.published",        {  5,  90,  10,  30,   5}},
    {"case_study.published",    {  1,  10,   1,   2,   0}},
    {"referral.submitted",      {  5, 120,   5,  30,   2}},
    {"referral.closed",         {  1,  45,   1,   8,   0}},
    {"event.attended",          { 90,  40,  20,  60,  20}},
    {"event.spoke",             {  3,  15,   2,   5,   0}},
    {"webinar.hosted",          {  2,  12,   3,   4,   0}},
    {"survey.completed",        { 30,  10,  40,  50, 100}},
    {"profile.completed",       { 10,  10,  10,  10,  10}},
    {"social.shared",           {100,  80,  20,  60,  30}},
    {"mentor.session",          { 40,  30,   5,  20,   0}},
};
#define N_ACTIONS (sizeof actions / sizeof *actions)

typedef struct member {
    char id[16];
    uint8_t type;
    uint32_t account, account2; /* format 2: its account, and the one it moves to */
    int32_t move_day;           /* the day it moves (-1: never) */
    int32_t join_day;   /* day of the year it joins (< 0: before the year) */
    int32_t leave_day;  /* last active day */
    double rate;        /* contributions per active day */
} member;

typedef struct event {
    int64_t ts;
    uint32_t member, other; /* other: kudos receiver */
    int16_t action;         /* -1: kudos, -2: redeem (other = reward), -3: join,
                               -4: team (other = account) */
    int64_t at;             /* --late: when it reaches the engine */
    uint32_t n;             /* its place in ts order */
} event;

/* Delivery order with --late: arrival time, then ts order. */
static int cmp_arrival(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* Outcomes of the events the reorder window held, when released. */
typedef struct released {
    uint64_t rejected, late;  /* late: rejected as time going backwards */
} released;

static void on_outcome(const plaudit_event *ev, const plaudit_outcome *o, void *p)
{
    (void)ev;
    released *r = p;
    if (o->status != PLAUDIT_REJECTED) return;
    r->rejected++;
    r->late += o->code == PLAUDIT_ETIME;
}

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return x->action - y->action;
}

static const char *const rewards[] = {"conference-plus-one", "guru-session", "swag-premium", "charity-donation"};
static const int64_t reward_cost[] = {10000, 6000, 4000, 2500};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fputs("Usage: simulate [OPTIONS]\n"
          "Simulate a year of a community against a recognition program and print\n"
          "what a program manager wants to see.  Deterministic for a seed.\n\n"
          "  --members N     community size (default 20000)\n"
          "  --seed S        random seed (default 42)\n"
          "  --days D        days to simulate (default 365, from 2026-01-01)\n"
          "  --program FILE  program document (default examples/program.json)\n"
          "  --late S        events reach the engine up to S seconds late, in another\n"
          "                  order than they happened (as from several servers and\n"
          "                  queues); the program gets a reorder window of S seconds\n"
          "                  (format 2) that puts them back in order (default 0)\n"
          "  --events FILE   also write the simulated events as JSON lines (in the\n"
          "                  order they reached the engine)\n"
          "                  (replay them with `plaudit replay` or `plaudit report`)\n"
          "  --html FILE     also write the HTML program report\n"
          "  --member ID     whose progress to show (default: a typical active member)\n"
          "  -h, --help      this text\n",
          f);
}

static int opt_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* ---- what the program manager sees -------------------------------------------- */

typedef struct badge_count {
    const char *id;
    uint64_t n;
} badge_count;

static int cmp_badge_count(const void *a, const void *b)
{
    const badge_count *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void print_top_badges(plaudit_ctx *ctx, const member *mv, uint32_t n)
{
    badge_count *bc = calloc(64, sizeof *bc);
    size_t nb = 0;
    for (uint32_t i = 0; i < n; i++) {
        const plaudit_badge_earned *be;
        size_t k;
        if (plaudit_member_badges(ctx, mv[i].id, &be, &k) != PLAUDIT_OK) continue;
        for (size_t j = 0; j < k; j++) {
            size_t x = 0;
            while (x < nb && strcmp(bc[x].id, be[j].badge)) x++;
            if (x == nb) {
                if (nb == 64) continue;
                bc[nb].id = be[j].badge;
                bc[nb++].n = 0;
            }
            bc[x].n++;
        }
    }
    qsort(bc, nb, sizeof *bc, cmp_badge_count);
    printf("\nTop badges (members holding each)\n");
    for (size_t i = 0; i < nb && i < 12; i++) printf("  %-24s %8" PRIu64 "\n", bc[i].id, bc[i].n);
    free(bc);
}

static void print_board(plaudit_ctx *ctx, const char *board, const char *title, const member *mv)
{
    plaudit_rank_entry top[10];
    size_t n;
    if (plaudit_leaderboard_top(ctx, board, 10, top, &n) != PLAUDIT_OK) return;
    printf("\n%s\n", title);
    for (size_t i = 0; i < n; i++) {
        /* ids are "m" + index */
        unsigned long idx = strtoul(top[i].member + 1, NULL, 10);
        plaudit_member_info info;
        plaudit_member_get(ctx, top[i].member, &info);
        printf("  %2" PRIu64 ". %-10s %8" PRId64 " points  (%s, %s)\n", top[i].rank, top[i].member, top[i].score,
               type_names[mv[idx].type], info.tier ? info.tier : "no tier");
    }
}

static void print_progress(plaudit_ctx *ctx, const char *id, const member *mv)
{
    plaudit_member_info info;
    if (plaudit_member_get(ctx, id, &info) != PLAUDIT_OK) {
        printf("\nNo member \"%s\".\n", id);
        return;
    }
    unsigned long idx = strtoul(id + 1, NULL, 10);
    printf("\nProgress of %s (%s)\n", id, type_names[mv[idx].type]);
    uint64_t r_all = 0, r_month = 0;
    int64_t s;
    plaudit_leaderboard_rank(ctx, "all-time", id, &r_all, &s);
    plaudit_leaderboard_rank(ctx, "monthly", id, &r_month, &s);
    printf("  points %" PRId64 ", balance %" PRId64 ", segment %s, %u distinct actions, %" PRIu64
           " kudos received, %" PRIu64 " given\n",
           info.points, info.balance, info.segment ? info.segment : "none", info.distinct_actions, info.kudos_received,
           info.kudos_given);
    printf("  rank %" PRIu64 " all time, ", r_all);
    if (r_month) printf("%" PRIu64 " this month\n", r_month);
    else printf("unranked this month\n");
    plaudit_progress p;
    if (plaudit_member_progress(ctx, id, &p) != PLAUDIT_OK) return;
    printf("  tier %s", p.tier ? p.tier : "none");
    if (p.next_tier) {
        printf("; next: %s, needs %" PRId64 " more points", p.next_tier, p.next_points);
        if (p.next_distinct_actions) printf(", %" PRId64 " more kinds of contribution", p.next_distinct_actions);
        if (p.next_tenure_days) printf(", %" PRId64 " more days", p.next_tenure_days);
    }
    printf("\n");
    if (p.keep_tier) printf("  holds %s; %" PRId64 " more points this period keep it through the next\n", p.keep_tier, p.keep_points);
    const plaudit_badge_earned *be;
    size_t nb;
    if (plaudit_member_badges(ctx, id, &be, &nb) == PLAUDIT_OK && nb) {
        printf("  badges:");
        for (size_t i = 0; i < nb; i++) {
            printf(" %s", be[i].badge);
            if (be[i].times > 1) printf(" x%u", be[i].times);
            else if (be[i].level > 1) printf(" (level %u)", be[i].level);
            printf(i + 1 < nb ? "," : "\n");
        }
    }
    if (plaudit_member_progress(ctx, id, &p) != PLAUDIT_OK) return;
    size_t shown = 0;
    for (size_t i = 0; i < p.n_badges && shown < 6; i++) {
        const plaudit_badge_progress *b = &p.badges[i];
        if (b->criterion == PLAUDIT_CRITERION_LEADERBOARD || b->criterion == PLAUDIT_CRITERION_TIER) continue;
        if (b->next <= 0 || b->current <= 0) continue;
        if (!shown) printf("  closest badges:\n");
        printf("    %-20s %" PRId64 " of %" PRId64 "%s\n", b->badge, b->current, b->next,
               b->levels > 1 ? " (next level)" : "");
        shown++;
    }
}

/* The launch campaign of examples/program.json ("launch-week": 2 to 8
 * March 2026, New York time, double points for these actions): members
 * answer it with more of them, and the report compares the week with the
 * one before. */
static const char *const launch_actions[] = {"beta.bug_found", "review.published"};
enum { LAUNCH_DAY = 60, LAUNCH_DAYS = 7 };

typedef struct campaign_effect {
    uint64_t n[2];          /* occurrences: the week before, the launch week */
    int64_t points[2];      /* points they earned */
} campaign_effect;

static int is_launch_action(const char *a)
{
    return !strcmp(a, launch_actions[0]) || !strcmp(a, launch_actions[1]);
}

static void print_campaign(plaudit_ctx *ctx, const campaign_effect *ce)
{
    char *words = NULL;
    if (plaudit_rule_sentence(ctx, "campaign", "launch-week", &words, NULL) != PLAUDIT_OK) return;
    printf("\nLaunch campaign: %s\n", words);
    plaudit_free(ctx, words);
    printf("  %-16s %8" PRIu64 " bug reports and reviews, %8" PRId64 " points\n", "the week before", ce->n[0],
           ce->points[0]);
    printf("  %-16s %8" PRIu64 " bug reports and reviews, %8" PRId64 " points", "launch week", ce->n[1], ce->points[1]);
    if (ce->n[0] && ce->points[0])
        printf("  (%+.0f%% contributions, %+.0f%% points)", 100.0 * ((double)ce->n[1] / (double)ce->n[0] - 1),
               100.0 * ((double)ce->points[1] / (double)ce->points[0] - 1));
    printf("\n");
}

/* The quarterly challenge: how often it was reached, and one member's way there. */
static void print_challenge(plaudit_ctx *ctx, const member *mv, uint32_t n, const char *who)
{
    const char *id = "quarterly-advocate";
    char *words = NULL;
    if (plaudit_rule_sentence(ctx, "badge", id, &words, NULL) != PLAUDIT_OK) return;
    uint64_t times = 0, holders = 0;
    for (uint32_t i = 0; i < n; i++) {
        const plaudit_badge_earned *be;
        size_t k;
        if (plaudit_member_badges(ctx, mv[i].id, &be, &k) != PLAUDIT_OK) continue;
        for (size_t j = 0; j < k; j++)
            if (!strcmp(be[j].badge, id)) {
                times += be[j].times;
                holders++;
            }
    }
    printf("\nQuarterly challenge: %s\n  reached %" PRIu64 " times by %" PRIu64 " members\n", words, times, holders);
    plaudit_free(ctx, words);
    plaudit_progress p;
    if (!who || plaudit_member_progress(ctx, who, &p) != PLAUDIT_OK) return;
    for (size_t i = 0; i < p.n_badges; i++) {
        const plaudit_badge_progress *b = &p.badges[i];
        if (strcmp(b->badge, id) || !b->n_parts) continue;
        printf("  %s this quarter:", who);
        for (size_t j = 0; j < b->n_parts; j++)
            printf("%s %s %" PRId64 " of %" PRId64 "%s", j ? "," : "", b->parts[j].action ? b->parts[j].action : "tier",
                   b->parts[j].current, b->parts[j].target, b->parts[j].met ? " (met)" : "");
        printf("%s\n", b->earned_this_period ? "; reached" : "");
    }
}

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    uint64_t n_members = 20000, seed = 42, days = 365, late = 0;
    const char *program = PLAUDIT_EXAMPLES_DIR "/program.json", *events_path = NULL, *html = NULL, *who = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--members") && v) bad = opt_u64(v, 2, 10000000, &n_members), i++;
        else if (!strcmp(a, "--seed") && v) bad = opt_u64(v, 0, UINT64_MAX, &seed), i++;
        else if (!strcmp(a, "--days") && v) bad = opt_u64(v, 1, 3660, &days), i++;
        else if (!strcmp(a, "--program") && v) program = v, i++;
        else if (!strcmp(a, "--events") && v) events_path = v, i++;
        else if (!strcmp(a, "--late") && v) bad = opt_u64(v, 0, 86400, &late), i++;
        else if (!strcmp(a, "--html") && v) html = v, i++;
        else if (!strcmp(a, "--member") && v) who = v, i++;
        else bad = 1;
        if (bad) {
            fprintf(stderr, "simulate: bad option or value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    double t0 = now_s();
    plaudit_options op = PLAUDIT_OPTIONS_INIT;
    op.tzdir = getenv("TZDIR");
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, &op) != PLAUDIT_OK) return 5;
    if (plaudit_program_load_file(ctx, program) != PLAUDIT_OK) {
        fprintf(stderr, "simulate: %s: %s\n", program, plaudit_errmsg(ctx));
        plaudit_ctx_free(ctx);
        return 1;
    }
    released rel = {0, 0};
    if (late) {
        /* A reorder window as long as the worst delay: nothing is lost. */
        plaudit_program_info pi;
        plaudit_program_info_get(ctx, &pi);
        if ((pi.format < 2 && plaudit_program_set_format(ctx, 2) != PLAUDIT_OK) ||
            plaudit_program_set_reorder_window(ctx, (int64_t)late) != PLAUDIT_OK) {
            fprintf(stderr, "simulate: --late: %s\n", plaudit_errmsg(ctx));
            plaudit_ctx_free(ctx);
            return 1;
        }
        plaudit_listener L = PLAUDIT_LISTENER_INIT;
        L.on_outcome = on_outcome;
        L.payload = &rel;
        plaudit_listener_set(ctx, &L);
    }
    plaudit_analytics_options ao = PLAUDIT_ANALYTICS_OPTIONS_INIT;
    plaudit_analytics_enable(ctx, &ao);
    FILE *evf = NULL;
    if (events_path && !(evf = fopen(events_path, "w"))) {
        fprintf(stderr, "simulate: %s: %s\n", events_path, strerror(errno));
        plaudit_ctx_free(ctx);
        return 3;
    }

    /* The community. */
    rng r;
    rng_seed(&r, seed);
    uint32_t n = (uint32_t)n_members;
    member *mv = calloc(n, sizeof *mv);
    uint32_t counts[N_TYPES] = {0};
    for (uint32_t i = 0; i < n; i++) {
        member *m = &mv[i];
        snprintf(m->id, sizeof m->id, "m%05u", i);
        uint32_t x = rnd_below(&r, 1000), t = 0, acc = (uint32_t)type_share[0];
        while (x >= acc && t + 1 < N_TYPES) acc += (uint32_t)type_share[++t];
        m->type = (uint8_t)t;
        counts[t]++;
        /* 40% are there when the year starts; the rest join through it. */
        m->join_day = rnd(&r) < 0.4 ? -1 : (int32_t)rnd_below(&r, (uint32_t)days);
        /* Some drift away: an exponential active life, mean about 9 months. */
        double life = -log(1.0 - rnd(&r)) * 270.0;
        m->leave_day = (m->join_day < 0 ? 0 : m->join_day) + (int32_t)life;
        /* Heavy-tailed activity within a type: the vocal few. */
        m->rate = type_rate[t] * exp(0.9 * rnd_normal(&r) - 0.405);
        /* Accounts: a few large customers and a long tail of small ones;
         * about 4% change company during the year. */
        uint32_t n_acc = n / 20 + 1;
        double u = rnd(&r);
        m->account = (uint32_t)(u * u * n_acc);
        m->move_day = -1;
        if (rnd(&r) < 0.04) {
            m->move_day = (int32_t)rnd_below(&r, (uint32_t)days);
            m->account2 = (uint32_t)(rnd(&r) * rnd(&r) * n_acc);
        }
    }
    plaudit_program_info pinfo;
    plaudit_program_info_get(ctx, &pinfo);
    int teams = pinfo.format >= 2; /* team events need format 2 */
    char *cw = NULL;
    int launch = plaudit_rule_sentence(ctx, "campaign", "launch-week", &cw, NULL) == PLAUDIT_OK;
    plaudit_free(ctx, cw);
    campaign_effect ce;
    memset(&ce, 0, sizeof ce);
    /* Cumulative action weights per type. */
    int cum[N_TYPES][N_ACTIONS];
    for (int t = 0; t < N_TYPES; t++) {
        int s = 0;
        for (size_t a = 0; a < N_ACTIONS; a++) cum[t][a] = s += actions[a].w[t];
    }

    const int64_t year_start = 1767243600; /* 2026-01-01 00:00 America/New_York */
    event *ev = NULL;
    size_t cap = 0;
    uint32_t recent[512];
    uint32_t n_recent = 0;
    uint64_t n_events = 0, n_rejected = 0, n_held = 0;
    uint8_t *joined = calloc(n, 1);
    /* Members present at the start join in the first minutes of the year. */
    for (uint64_t d = 0; d < days; d++) {
        size_t ne = 0;
        int64_t day0 = year_start + (int64_t)d * 86400;
        int weekday = (int)((d + 3) % 7); /* 2026-01-01 is a Thursday: 0 = Monday */
        double wk = weekday >= 5 ? 0.55 : 1.0;
        for (uint32_t i = 0; i < n; i++) {
            member *m = &mv[i];
            if ((int64_t)d < m->join_day || (int64_t)d > m->leave_day) continue;
            if (!joined[i] && (m->join_day < 0 || (int64_t)d == m->join_day)) {
                if (ne + 64 > cap) {
                    cap = cap ? cap * 2 : 65536;
                    ev = realloc(ev, cap * sizeof *ev);
                }
                int64_t jts = day0 + (m->join_day < 0 ? (int64_t)rnd_below(&r, 600) : 6 * 3600 + (int64_t)rnd_below(&r, 3600));
                ev[ne++] = (event){jts, i, 0, -3, 0, 0};
                if (teams) ev[ne++] = (event){jts + 1, i, m->account, -4, 0, 0};
                joined[i] = 1;
            }
            if (teams && (int64_t)d == m->move_day && joined[i]) {
                if (ne + 64 > cap) {
                    cap = cap ? cap * 2 : 65536;
                    ev = realloc(ev, cap * sizeof *ev);
                }
                ev[ne++] = (event){day0 + 6 * 3600 + 1800, i, m->account2, -4, 0, 0};
            }
            /* Poisson number of contributions today. */
            double lambda = m->rate * wk, p = exp(-lambda), u = rnd(&r);
            int k = 0;
            while (u > p && k < 40) {
                u -= p;
                k++;
                p *= lambda / k;
            }
            for (int j = 0; j < k; j++) {
                if (ne + 64 > cap) {
                    cap = cap ? cap * 2 : 65536;
                    ev = realloc(ev, cap * sizeof *ev);
                }
                int x = (int)rnd_below(&r, (uint32_t)cum[m->type][N_ACTIONS - 1]);
                int16_t a = 0;
                while (cum[m->type][a] <= x) a++;
                ev[ne++] = (event){day0 + 7 * 3600 + (int64_t)rnd_below(&r, 16 * 3600), i, 0, a, 0, 0};
                /* double points draw more of these in the launch week */
                if (launch && d >= LAUNCH_DAY && d < LAUNCH_DAY + LAUNCH_DAYS && is_launch_action(actions[a].action) &&
                    rnd(&r) < 0.7)
                    ev[ne++] = (event){day0 + 7 * 3600 + (int64_t)rnd_below(&r, 16 * 3600), i, 0, a, 0, 0};
            }
            if (k && rnd(&r) < type_kudos[m->type] * 4 && n_recent) {
                uint32_t to = recent[rnd_below(&r, n_recent < 512 ? n_recent : 512)];
                if (to != i) ev[ne++] = (event){day0 + 7 * 3600 + (int64_t)rnd_below(&r, 16 * 3600), i, to, -1, 0, 0};
            }
            if (k && m->join_day < (int32_t)d) recent[n_recent++ % 512] = i;
        }
        /* Monthly, some members with enough balance redeem a reward. */
        if (d % 30 == 29) {
            for (uint32_t i = 0; i < n; i++) {
                if (!joined[i]) continue;
                plaudit_member_info info;
                if (plaudit_member_get(ctx, mv[i].id, &info) != PLAUDIT_OK || info.balance < 2500) continue;
                if (rnd(&r) > 0.35) continue;
                for (uint32_t w = 0; w < 4; w++) {
                    if (info.balance < reward_cost[w]) continue;
                    int64_t stock;
                    if (plaudit_reward_stock(ctx, rewards[w], &stock) == PLAUDIT_OK && stock == 0) continue;
                    if (ne + 1 > cap) {
                        cap = cap ? cap * 2 : 65536;
                        ev = realloc(ev, cap * sizeof *ev);
                    }
                    ev[ne++] = (event){day0 + 23 * 3600 + (int64_t)rnd_below(&r, 3000), i, w, -2, 0, 0};
                    break;
                }
            }
        }
        qsort(ev, ne, sizeof *ev, cmp_event);
        if (late) {
            for (size_t e = 0; e < ne; e++) {
                ev[e].n = (uint32_t)e;
                ev[e].at = ev[e].ts + (int64_t)rnd_below(&r, (uint32_t)late + 1);
            }
            qsort(ev, ne, sizeof *ev, cmp_arrival);
        }
        for (size_t e = 0; e < ne; e++) {
            const event *x = &ev[e];
            const char *mid = mv[x->member].id;
            int rc;
            switch (x->action) {
            case -4: {
                char acc[24];
                snprintf(acc, sizeof acc, "account-%05u", x->other);
                rc = plaudit_record_team(ctx, x->ts, mid, acc, NULL, NULL);
                if (evf)
                    fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"team\",\"member\":\"%s\",\"team\":\"%s\"}\n", x->ts, mid, acc);
                break;
            }
            case -3:
                rc = plaudit_record_join(ctx, x->ts, mid, NULL, NULL);
                if (evf) fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"join\",\"member\":\"%s\"}\n", x->ts, mid);
                break;
            case -2:
                rc = plaudit_record_redeem(ctx, x->ts, mid, rewards[x->other], NULL, NULL);
                if (evf)
                    fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"redeem\",\"member\":\"%s\",\"reward\":\"%s\"}\n", x->ts,
                            mid, rewards[x->other]);
                break;
            case -1:
                rc = plaudit_record_kudos(ctx, x->ts, mid, mv[x->other].id, NULL, NULL);
                if (evf)
                    fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"kudos\",\"from\":\"%s\",\"to\":\"%s\"}\n", x->ts, mid,
                            mv[x->other].id);
                break;
            default: {
                plaudit_outcome o;
                rc = plaudit_record_action(ctx, x->ts, mid, actions[x->action].action, NULL, &o);
                int64_t dd = (x->ts - year_start) / 86400;
                if (launch && rc == PLAUDIT_OK && is_launch_action(actions[x->action].action) &&
                    dd >= LAUNCH_DAY - LAUNCH_DAYS && dd < LAUNCH_DAY + LAUNCH_DAYS) {
                    int k = dd >= LAUNCH_DAY;
                    ce.n[k]++;
                    ce.points[k] += o.points;
                }
                if (evf)
                    fprintf(evf, "{\"ts\":%" PRId64 ",\"member\":\"%s\",\"action\":\"%s\"}\n", x->ts, mid,
                            actions[x->action].action);
            }
            }
            n_events++;
            if (rc < 0) n_rejected++;
            if (rc == PLAUDIT_HELD) n_held++;
        }
    }
    /* The window releases what it still holds before the year's end. */
    plaudit_flush(ctx);
    /* The community team names a champion of the year: the all-time leader. */
    int64_t end = year_start + (int64_t)days * 86400 - 1;
    plaudit_rank_entry lead;
    size_t nl = 0;
    plaudit_leaderboard_top(ctx, "all-time", 1, &lead, &nl);
    if (nl) {
        char champ[32];
        snprintf(champ, sizeof champ, "%s", lead.member);
        plaudit_record_award(ctx, end - 60, champ, "champion-of-the-year", NULL, NULL);
        if (evf)
            fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"award\",\"member\":\"%s\",\"badge\":\"champion-of-the-year\"}\n",
                    end - 60, champ);
        n_events++;
    }
    /* Bring every member up to the end of the year. */
    plaudit_record_tick(ctx, end, NULL, NULL);
    plaudit_flush(ctx);
    if (evf) {
        fprintf(evf, "{\"ts\":%" PRId64 ",\"type\":\"tick\"}\n", end);
        fclose(evf);
    }
    n_events++;
    double t1 = now_s();

    /* The program manager's view. */
    plaudit_stats st;
    plaudit_stats_get(ctx, &st);
    printf("Simulated community: %u members, seed %" PRIu64 ", %" PRIu64 " days from 2026-01-01\n", n, seed, days);
    printf("  motivation mix:");
    for (int t = 0; t < N_TYPES; t++) printf(" %s %.1f%%%s", type_names[t], 100.0 * counts[t] / n, t + 1 < N_TYPES ? "," : "\n");
    printf("  events: %" PRIu64 " (%" PRIu64 " accepted, %" PRIu64 " rejected by the program's rules)\n", n_events,
           st.accepted, st.rejected);
    if (late)
        printf("  reorder window: events up to %" PRIu64 " s late; %" PRIu64 " held and released in time order, "
               "%" PRIu64 " lost as time going backwards\n",
               late, n_held, rel.late);
    print_top_badges(ctx, mv, n);
    print_board(ctx, "monthly", "Monthly leaderboard (the last month simulated)", mv);
    print_board(ctx, "all-time", "All-time leaderboard", mv);
    printf("\n");
    plaudit_analytics a;
    if (plaudit_analytics_get(ctx, &a, PLAUDIT_ANALYTICS_OPEN, PLAUDIT_ANALYTICS_OPEN) == PLAUDIT_OK) {
        report_text(stdout, ctx, &a, "all time", ao.period);
        if (html) {
            FILE *h = fopen(html, "w");
            if (h) {
                report_html(h, ctx, &a, "the simulated year", ao.period);
                fclose(h);
            } else {
                fprintf(stderr, "simulate: %s: %s\n", html, strerror(errno));
            }
        }
    } else {
        fprintf(stderr, "simulate: analytics: %s\n", plaudit_errmsg(ctx));
    }
    /* A typical active member: the one at the 90th percentile of the
     * all-time board, unless one was named. */
    char pick[32] = "";
    if (who) {
        snprintf(pick, sizeof pick, "%s", who);
    } else {
        uint64_t cnt = 0;
        plaudit_leaderboard_count(ctx, "all-time", &cnt);
        size_t k = (size_t)(cnt / 10 + 1);
        plaudit_rank_entry *top = malloc(k * sizeof *top);
        size_t got = 0;
        if (top && plaudit_leaderboard_top(ctx, "all-time", k, top, &got) == PLAUDIT_OK && got)
            snprintf(pick, sizeof pick, "%s", top[got - 1].member);
        free(top);
    }
    if (pick[0]) print_progress(ctx, pick, mv);
    if (launch) print_campaign(ctx, &ce);
    print_challenge(ctx, mv, n, pick[0] ? pick : NULL);
    double t2 = now_s();
    fprintf(stderr, "simulate: %" PRIu64 " events in %.2f s (%.0f events/s); report in %.2f s\n", n_events, t1 - t0,
            (double)n_events / (t1 - t0), t2 - t1);
    free(joined);
    free(ev);
    free(mv);
    plaudit_ctx_free(ctx);
    return fflush(stdout) ? 3 : 0;
}
