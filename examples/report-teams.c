/* report-teams.c - the teams part of the reports (format 2 programs with a
 * team board): each team board's standings, with how many members each
 * team has, and a season's state.  Programs without team boards or seasons
 * print nothing, so their reports are unchanged. */
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
