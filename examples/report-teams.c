/* report-teams.c - the teams part of the reports (format 2 programs with a
 * team board): each team board's standings, with how many members each
 * team has, a season's state, and participation and fairness by team.
 * Programs without team boards, seasons or teams print nothing, so their
 * reports are unchanged. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Boards worth a section: team boards and seasons. */
static int wanted(plaudit_ctx *ctx, const char *id, plaudit_leaderboard_info *li)
{
    return plaudit_leaderboard_info_get(ctx, id, li) == PLAUDIT_OK &&
           (li->by == PLAUDIT_BY_TEAM || li->from != PLAUDIT_UNSET);
}

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

void report_teams(FILE *f, plaudit_ctx *ctx, int html)
{
    int header = 0;
    const char *id;
    for (size_t i = 0; (id = plaudit_leaderboard_at(ctx, i)) != NULL; i++) {
        plaudit_leaderboard_info li;
        if (!wanted(ctx, id, &li)) continue;
        if (!header++) {
            if (html) fprintf(f, "<h2>Teams and seasons</h2>\n<p>%llu teams.</p>\n", (unsigned long long)plaudit_team_count(ctx));
            else fprintf(f, "\nTeams and seasons (%llu teams)\n", (unsigned long long)plaudit_team_count(ctx));
        }
        char *words = NULL;
        plaudit_rule_sentence(ctx, "leaderboard", li.id, &words, NULL);
        if (html) {
            fputs("<h3>", f);
            esc(f, li.name ? li.name : li.id);
            fputs("</h3>\n<p>", f);
            esc(f, words ? words : "");
            fprintf(f, "%s</p>\n<table><tr><th>rank</th><th>%s</th><th>points</th>%s</tr>\n", li.frozen ? " Final standings." : "",
                    li.by == PLAUDIT_BY_TEAM ? "team" : "member", li.by == PLAUDIT_BY_TEAM ? "<th>members</th>" : "");
        } else {
            fprintf(f, "  %s: %s%s\n", li.name ? li.name : li.id, words ? words : "", li.frozen ? " Final standings." : "");
        }
        plaudit_free(ctx, words);
        plaudit_rank_entry top[10];
        size_t n = 0;
        plaudit_leaderboard_top(ctx, li.id, 10, top, &n);
        for (size_t k = 0; k < n; k++) {
            uint64_t members = 0;
            if (li.by == PLAUDIT_BY_TEAM) plaudit_team_members(ctx, top[k].member, &members);
            if (html) {
                fprintf(f, "<tr><td>%llu</td><td>", (unsigned long long)top[k].rank);
                esc(f, top[k].member);
                fprintf(f, "</td><td>%lld</td>", (long long)top[k].score);
                if (li.by == PLAUDIT_BY_TEAM) fprintf(f, "<td>%llu</td>", (unsigned long long)members);
                fputs("</tr>\n", f);
            } else if (li.by == PLAUDIT_BY_TEAM) {
                fprintf(f, "    %3llu. %-32s %10lld points, %llu members\n", (unsigned long long)top[k].rank,
                        top[k].member, (long long)top[k].score, (unsigned long long)members);
            } else {
                fprintf(f, "    %3llu. %-32s %10lld points\n", (unsigned long long)top[k].rank, top[k].member,
                        (long long)top[k].score);
            }
        }
        if (html) fputs("</table>\n", f);
        else if (!n) fputs("    (nobody ranked yet)\n", f);
    }
}

/* The largest teams first (then by id): a program with thousands of
 * accounts shows the first TEAMS_SHOWN and says how many more. */
enum { TEAMS_SHOWN = 20 };

static int by_members(const void *x, const void *y)
{
    const plaudit_analytics_team *a = *(const plaudit_analytics_team *const *)x;
    const plaudit_analytics_team *b = *(const plaudit_analytics_team *const *)y;
    if (a->members != b->members) return a->members > b->members ? -1 : 1;
    return strcmp(a->id, b->id);
}

void report_team_analytics(FILE *f, const plaudit_analytics *a, int html)
{
    if (a->n_teams < 2) return; /* format 1, or no team named yet */
    size_t n = a->n_teams - 1;  /* the last entry is "in no team" */
    const plaudit_analytics_team **v = malloc(n * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) v[i] = &a->teams[i];
    qsort(v, n, sizeof *v, by_members);
    size_t shown = n < TEAMS_SHOWN ? n : TEAMS_SHOWN;
    const plaudit_analytics_team *none = &a->teams[n];
    if (html) {
        fputs("<h2>Participation and fairness by team</h2>\n<p>Members count in the team they are in now; the Gini "
              "is of the points among the team's participants.</p>\n<div class=\"table\"><table><tr><th>team</th>"
              "<th>members</th><th>participants</th><th>rate</th><th>contributions</th><th>points</th><th>Gini</th>"
              "<th>never recognized</th></tr>\n",
              f);
    } else {
        fputs("\nParticipation and fairness by team (members in the team they are in now)\n", f);
        fprintf(f, "  %-24s %8s %12s %7s %13s %10s %6s %9s\n", "team", "members", "participants", "rate",
                "contributions", "points", "Gini", "never rec");
    }
    for (size_t i = 0; i <= shown; i++) {
        const plaudit_analytics_team *t = i < shown ? v[i] : none;
        if (i == shown && !t->members) break;
        char gini[16];
        if (t->participants) snprintf(gini, sizeof gini, "%.3f", t->gini);
        else snprintf(gini, sizeof gini, "n/a");
        if (html) {
            fputs("<tr><td>", f);
            if (t->id) esc(f, t->id);
            else fputs("(no team)", f);
            fprintf(f, "</td><td>%llu</td><td>%llu</td><td>%.1f%%</td><td>%llu</td><td>%lld</td><td>%s</td><td>%.1f%%</td>"
                       "</tr>\n",
                    (unsigned long long)t->members, (unsigned long long)t->participants, 100.0 * t->participation_rate,
                    (unsigned long long)t->contributions, (long long)t->points, gini,
                    100.0 * t->never_recognized_rate);
        } else {
            fprintf(f, "  %-24s %8llu %12llu %6.1f%% %13llu %10lld %6s %8.1f%%\n", t->id ? t->id : "(no team)",
                    (unsigned long long)t->members, (unsigned long long)t->participants, 100.0 * t->participation_rate,
                    (unsigned long long)t->contributions, (long long)t->points, gini, 100.0 * t->never_recognized_rate);
        }
    }
    if (html) fputs("</table></div>\n", f);
    if (n > shown) {
        if (html) fprintf(f, "<p class=\"legend\">%zu more teams not shown.</p>\n", n - shown);
        else fprintf(f, "  (%zu more teams not shown)\n", n - shown);
    }
    free(v);
}
