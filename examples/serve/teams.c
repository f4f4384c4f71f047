/* teams.c - teams in `plaudit serve` (format 2): GET /v1/teams (paged
 * ids), GET /v1/teams/{id} (members and rank on every team board), and
 * the member's team on the team boards for GET /v1/members/{id}. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

void team_ranks_json(engine *e, sbuf *b, const char *team, int *first)
{
    for (size_t i = 0; i < e->n_boards; i++) {
        const board *bd = &e->boards[i];
        if (!bd->by_team) continue;
        uint64_t rank = 0, count = 0;
        int64_t score = 0;
        plaudit_leaderboard_count(e->ctx, bd->id, &count);
        if (team && plaudit_leaderboard_rank(e->ctx, bd->id, team, &rank, &score) != PLAUDIT_OK) rank = 0, score = 0;
        if (!*first) sb_puts(b, ",");
        *first = 0;
        sb_json_str(b, bd->id);
        sb_puts(b, ":{\"team\":");
        if (team) sb_json_str(b, team);
        else sb_puts(b, "null");
        sb_puts(b, ",\"rank\":");
        if (rank) sb_printf(b, "%" PRIu64, rank);
        else sb_puts(b, "null");
        sb_printf(b, ",\"score\":%" PRId64 ",\"ranked\":%" PRIu64 "}", score, count);
    }
}

void h_teams(req *r, resp *o)
{
    engine *e = &r->s->eng;
    uint64_t start = 0, max = 100;
    const char *a = req_query(r, "start"), *m = req_query(r, "max");
    char *end;
    if (a) start = strtoull(a, &end, 10);
    if (m) max = strtoull(m, &end, 10);
    if ((a && (!*a || *a == '-' || strspn(a, "0123456789") != strlen(a))) ||
        (m && (!*m || *m == '-' || strspn(m, "0123456789") != strlen(m) || max > 1000))) {
        resp_error(o, 400, PLAUDIT_ERANGE, "start is an index, max an integer from 0 to 1000");
        return;
    }
    const char *ids[1000];
    size_t n = 0;
    uint64_t next = 0;
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    uint64_t total = plaudit_team_count(e->ctx);
    if (start < total && max) plaudit_team_list(e->ctx, start, (size_t)max, ids, &n, &next);
    else next = start < total ? start : total;
    sb_printf(&b, "{\"count\":%" PRIu64 ",\"next\":%" PRIu64 ",\"teams\":[", total, next);
    for (size_t i = 0; i < n; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, ids[i]);
    }
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "]}\n");
    resp_take(o, 200, &b, NULL);
}

void h_team(req *r, resp *o)
{
    engine *e = &r->s->eng;
    const char *team = r->seg[2];
    sbuf b;
    sb_init(&b);
    pthread_mutex_lock(&e->mu);
    uint64_t members = 0;
    int rc = plaudit_team_members(e->ctx, team, &members);
    if (rc != PLAUDIT_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", plaudit_errmsg(e->ctx));
        pthread_mutex_unlock(&e->mu);
        resp_error(o, rc == PLAUDIT_ENOTFOUND ? 404 : 400, rc, msg);
        sb_free(&b);
        return;
    }
    sb_puts(&b, "{\"id\":");
    sb_json_str(&b, team);
    sb_printf(&b, ",\"members\":%" PRIu64 ",\"ranks\":{", members);
    int first = 1;
    team_ranks_json(e, &b, team, &first);
    pthread_mutex_unlock(&e->mu);
    sb_puts(&b, "}}\n");
    resp_take(o, 200, &b, NULL);
}
