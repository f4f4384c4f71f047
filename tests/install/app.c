/* app.c - a newcomer's program, built by tests/test-install.py against an
 * installed libplaudit with nothing but `pkg-config --cflags --libs plaudit`
 * (the C quick start of the README, checking what it prints). */
#include <plaudit.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, NULL) != PLAUDIT_OK) return 1;

    plaudit_action_def answer = PLAUDIT_ACTION_DEF_INIT;
    answer.id = "forum.answer";
    answer.points = 10;
    answer.cap_points = 200;
    answer.cap_per = PLAUDIT_PERIOD_DAY;
    if (plaudit_action_declare(ctx, &answer) != PLAUDIT_OK) return 1;

    int64_t levels[] = {10, 50, 250};
    plaudit_badge_def helper = PLAUDIT_BADGE_DEF_INIT;
    helper.id = "helper";
    helper.criterion = PLAUDIT_CRITERION_ACTION_COUNT;
    helper.action = "forum.answer";
    helper.thresholds = levels;
    helper.n_thresholds = 3;
    if (plaudit_badge_declare(ctx, &helper) != PLAUDIT_OK) return 1;

    plaudit_outcome out;
    for (int i = 0; i < 10; i++) {
        int rc = plaudit_record_action(ctx, 1767225600 + i, "alice", "forum.answer", NULL, &out);
        if (rc < 0) {
            fprintf(stderr, "rejected: %s\n", plaudit_errmsg(ctx));
            return 1;
        }
    }
    for (size_t i = 0; i < out.n_moments; i++)
        if (out.moments[i].kind == PLAUDIT_MOMENT_BADGE)
            printf("%s earned %s level %u\n", out.moments[i].member, out.moments[i].badge, out.moments[i].level);

    char *state;
    if (plaudit_state_export(ctx, &state, NULL) != PLAUDIT_OK) return 1;
    fputs(state, stdout);
    putchar('\n');
    plaudit_free(ctx, state);
    printf("libplaudit %s\n", plaudit_version());
    plaudit_ctx_free(ctx);
    return 0;
}
