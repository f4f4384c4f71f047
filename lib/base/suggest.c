/* suggest.c - "did you mean": the declared id (or time-zone name) closest
 * to a misspelt one, by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours), for the messages of the
 * loader and of event validation. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SUGGEST_MAX_LEN 255      /* longer names are not compared */
#define SUGGEST_MAX_CANDIDATES 20000 /* bound the work on an error path */

/* The distance between a and b, or more than `limit` (then any value
 * above it): the optimal string alignment distance, one row band. */
static size_t distance(const char *a, size_t na, const char *b, size_t nb, size_t limit)
{
    if ((na > nb ? na - nb : nb - na) > limit) return limit + 1;
    size_t rows[3][SUGGEST_MAX_LEN + 2];
    size_t *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= nb; j++) p[j] = j;
    for (size_t i = 1; i <= na; i++) {
        c[0] = i;
        size_t best = c[0];
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = p[j - 1] + cost;
            if (p[j] + 1 < v) v = p[j] + 1;
            if (c[j - 1] + 1 < v) v = c[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < best) best = v;
        }
        if (best > limit) return limit + 1;
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[nb];
}

void pl_suggest_init(pl_suggest *s, const char *wrong)
{
    s->wrong = wrong;
    s->len = wrong ? strlen(wrong) : 0;
    /* A third of the name, at least one edit, at most four; a name of one
     * or two characters has no meaningful neighbour. */
    s->limit = s->len / 3;
    if (s->limit < 1) s->limit = 1;
    if (s->limit > 4) s->limit = 4;
    if (s->len < 3) s->wrong = NULL;
    s->best_d = s->limit + 1;
    s->best[0] = '\0';
    s->seen = 0;
}

void pl_suggest_add(pl_suggest *s, const char *cand, size_t n)
{
    if (!s->wrong || s->len > SUGGEST_MAX_LEN || n > SUGGEST_MAX_LEN || s->seen >= SUGGEST_MAX_CANDIDATES) return;
    s->seen++;
    size_t d = distance(s->wrong, s->len, cand, n, s->best_d - 1 < s->limit ? s->best_d - 1 : s->limit);
    /* ties: the first declared */
    if (d < s->best_d && d > 0) {
        s->best_d = d;
        memcpy(s->best, cand, n);
        s->best[n] = '\0';
    }
}

const char *pl_suggest_text(pl_suggest *s, char *buf, size_t n)
{
    if (!s->best[0]) snprintf(buf, n, "%s", "");
    else snprintf(buf, n, " (did you mean \"%s\"?)", s->best);
    return buf;
}

/* Every rule struct starts with the hash handle and the id. */
typedef struct rule_head {
    UT_hash_handle hh;
    char *id;
} rule_head;

const char *pl_did_you_mean(plaudit_ctx *ctx, pl_rule_kind kind, const char *wrong)
{
    void *const *arr = NULL;
    size_t n = 0;
    switch (kind) {
    case PL_K_ACTION: arr = (void *const *)ctx->actions, n = ctx->n_actions; break;
    case PL_K_TIER: arr = (void *const *)ctx->tiers, n = ctx->n_tiers; break;
    case PL_K_SEGMENT: arr = (void *const *)ctx->segments, n = ctx->n_segments; break;
    case PL_K_BOARD: arr = (void *const *)ctx->boards, n = ctx->n_boards; break;
    case PL_K_BADGE: arr = (void *const *)ctx->badges, n = ctx->n_badges; break;
    case PL_K_REWARD: arr = (void *const *)ctx->rewards, n = ctx->n_rewards; break;
    case PL_K_CAMPAIGN: arr = (void *const *)ctx->campaigns, n = ctx->n_campaigns; break;
    }
    pl_suggest s;
    pl_suggest_init(&s, wrong);
    for (size_t i = 0; i < n; i++) {
        const char *id = ((const rule_head *)arr[i])->id;
        pl_suggest_add(&s, id, strlen(id));
    }
    return pl_suggest_text(&s, ctx->suggest, sizeof ctx->suggest);
}

/* ---- time-zone names ------------------------------------------------------ */

/* Add the names a zone list file of dir holds: tzdata.zi ("Z name ...",
 * "L target name") or zone1970.tab / zone.tab (the third column).  Read
 * only if it is a regular file, at most 4 MiB.  Returns 1 when one was
 * read. */
static int add_zone_file(pl_suggest *s, const char *dir, const char *file, int zi)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return 0;
    struct stat st;
    FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (4 << 20) ? fdopen(fd, "r") : NULL;
    if (!f) {
        close(fd);
        return 0;
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *fields[3] = {NULL, NULL, NULL}, *save = NULL;
        const char *sep = zi ? " \t\n" : "\t\n";
        size_t k = 0;
        for (char *t = strtok_r(line, sep, &save); t && k < 3; t = strtok_r(NULL, sep, &save)) fields[k++] = t;
        const char *name = NULL;
        if (zi && fields[0] && !strcmp(fields[0], "Z")) name = fields[1];
        else if (zi && fields[0] && !strcmp(fields[0], "L")) name = fields[2];
        else if (!zi && fields[0] && fields[0][0] != '#') name = fields[2];
        if (name) pl_suggest_add(s, name, strlen(name));
    }
    fclose(f);
    return 1;
}

const char *pl_suggest_zone(const char *tzdir, const char *wrong, char *buf, size_t n)
{
    static const char *const dirs[] = {"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"};
    pl_suggest s;
    pl_suggest_init(&s, wrong);
    const char *const *list = tzdir ? &tzdir : dirs;
    size_t nd = tzdir ? 1 : sizeof dirs / sizeof *dirs;
    for (size_t i = 0; i < nd; i++)
        if (add_zone_file(&s, list[i], "tzdata.zi", 1) || add_zone_file(&s, list[i], "zone1970.tab", 0) ||
            add_zone_file(&s, list[i], "zone.tab", 0))
            break;
    return pl_suggest_text(&s, buf, n);
}
