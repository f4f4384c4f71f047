/* main.c - an application linking libplaudit built as its subproject. */
#include <plaudit.h>
#include <stdio.h>

int main(void)
{
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, NULL) != PLAUDIT_OK) return 1;
    plaudit_action_def post = PLAUDIT_ACTION_DEF_INIT;
    post.id = "forum.post";
    post.points = 5;
    if (plaudit_action_declare(ctx, &post) != PLAUDIT_OK) return 1;
    plaudit_outcome out;
    if (plaudit_record_action(ctx, 1767225600, "ann", "forum.post", NULL, &out) != PLAUDIT_OK) {
        fprintf(stderr, "rejected: %s\n", plaudit_errmsg(ctx));
        return 1;
    }
    printf("ann +%lld (libplaudit %s)\n", (long long)out.points, plaudit_version());
    plaudit_ctx_free(ctx);
    return 0;
}
