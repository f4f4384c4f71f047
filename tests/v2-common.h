/* v2-common.h - helpers of the tests of format 2 rules (teams, campaigns,
 * challenges, seasons): loading a document, recording team events, and a
 * member's team. */
#ifndef PLAUDIT_TEST_V2_COMMON_H
#define PLAUDIT_TEST_V2_COMMON_H

#include "common.h"

static inline plaudit_ctx *load_doc(const char *doc)
{
    plaudit_ctx *ctx = ctx_new();
    int rc = plaudit_program_load_json(ctx, doc, strlen(doc));
    if (rc) fail_msg("load: %s", plaudit_errmsg(ctx));
    return ctx;
}

/* The load fails with code, and the message holds `where`. */
static inline void load_fails(const char *doc, int code, const char *where)
{
    plaudit_ctx *ctx = ctx_new();
    int rc = plaudit_program_load_json(ctx, doc, strlen(doc));
    if (rc != code) fail_msg("load %s: got %d (%s), want %d", doc, rc, plaudit_errmsg(ctx), code);
    if (!strstr(plaudit_errmsg(ctx), where)) fail_msg("message \"%s\" does not name \"%s\"", plaudit_errmsg(ctx), where);
    plaudit_program_info pi;
    assert_int_equal(plaudit_program_info_get(ctx, &pi), PLAUDIT_OK);
    assert_int_equal(pi.n_actions + pi.n_badges + pi.n_leaderboards + pi.n_campaigns, 0); /* nothing loaded */
    plaudit_ctx_free(ctx);
}

#define TEAM(ctx, ts, m, t) assert_int_equal(plaudit_record_team((ctx), (ts), (m), (t), NULL, NULL), PLAUDIT_OK)

static inline const char *team_of(plaudit_ctx *ctx, const char *m)
{
    plaudit_member_info i;
    assert_int_equal(plaudit_member_get(ctx, m, &i), PLAUDIT_OK);
    return i.team;
}

static inline char *state_of(plaudit_ctx *ctx)
{
    char *s = NULL;
    assert_int_equal(plaudit_state_export(ctx, &s, NULL), PLAUDIT_OK);
    return s;
}

#endif
