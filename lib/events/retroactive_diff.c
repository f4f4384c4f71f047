/* retroactive_diff.c - what a retroactive replay changed: the members whose
 * tier, badges, points or balance differ between the replayed state and
 * the state the store held under the old program (rebuilt from the
 * snapshot and the records after it), listed by plaudit_store_recovery_change. */
#include <stdlib.h>

#include "internal.h"

static const char *tier_of(const plaudit_ctx *c, const pl_member *m)
{
    return m->st.tier >= 0 ? c->tiers[m->st.tier]->id : NULL;
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* Whether every badge a holds, b holds at the same level / times. */
static int badges_within(const plaudit_ctx *ca, const pl_member *a, const plaudit_ctx *cb, const pl_member *b)
{
    for (uint32_t i = 0; i < a->st.n_badges; i++) {
        const pl_earned *e = &a->st.badges[i];
        const char *id = ca->badges[e->badge]->id;
        uint32_t j = 0;
        while (j < b->st.n_badges && strcmp(cb->badges[b->st.badges[j].badge]->id, id) != 0) j++;
        if (j == b->st.n_badges || b->st.badges[j].n != e->n) return 0;
    }
    return 1;
}

static unsigned what_changed(const plaudit_ctx *cn, const pl_member *n, const plaudit_ctx *co, const pl_member *o)
{
    if (!n || !o) return PLAUDIT_CHANGED_MEMBER;
    unsigned w = 0;
    if (!same_str(tier_of(cn, n), tier_of(co, o))) w |= PLAUDIT_CHANGED_TIER;
    if (n->st.n_badges != o->st.n_badges || !badges_within(cn, n, co, o)) w |= PLAUDIT_CHANGED_BADGES;
    if (n->st.points != o->st.points) w |= PLAUDIT_CHANGED_POINTS;
    if (n->st.balance != o->st.balance) w |= PLAUDIT_CHANGED_BALANCE;
    return w;
}

static int add(plaudit_ctx *ctx, pl_store *s, size_t *cap, const pl_member *m, unsigned what)
{
    if (pl_grow(&ctx->alloc, (void **)&s->changes, cap, s->n_changes + 1, sizeof *s->changes)) return PLAUDIT_ENOMEM;
    char *id = pl_strdup(&ctx->alloc, m->id);
    if (!id) return PLAUDIT_ENOMEM;
    s->changes[s->n_changes].id = id;
    s->changes[s->n_changes++].what = what;
    return PLAUDIT_OK;
}

static int cmp_change(const void *a, const void *b)
{
    return strcmp(((const struct pl_change *)a)->id, ((const struct pl_change *)b)->id);
}

int pl_retro_diff(plaudit_ctx *ctx, plaudit_ctx *old, pl_store *s)
{
    size_t cap = 0;
    int rc = PLAUDIT_OK;
    for (size_t i = 0; i < ctx->n_members && !rc; i++) {
        const pl_member *m = ctx->mv[i];
        unsigned w = what_changed(ctx, m, old, pl_member_find(old, m->id));
        if (w) rc = add(ctx, s, &cap, m, w);
    }
    for (size_t i = 0; i < old->n_members && !rc; i++)
        if (!pl_member_find(ctx, old->mv[i]->id)) rc = add(ctx, s, &cap, old->mv[i], PLAUDIT_CHANGED_MEMBER);
    if (rc) {
        pl_retro_free(ctx, s);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory listing what a retroactive replay changed");
    }
    if (s->n_changes) qsort(s->changes, s->n_changes, sizeof *s->changes, cmp_change);
    s->rec.changed_members = s->n_changes;
    return PLAUDIT_OK;
}

void pl_retro_free(plaudit_ctx *ctx, pl_store *s)
{
    for (size_t i = 0; i < s->n_changes; i++) pl_free(&ctx->alloc, s->changes[i].id);
    pl_free(&ctx->alloc, s->changes);
    s->changes = NULL;
    s->n_changes = 0;
}

int plaudit_store_recovery_change(plaudit_ctx *ctx, size_t i, const char **member, unsigned *what)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!member || !what) return pl_err(ctx, PLAUDIT_EINVAL, "member or what is NULL");
    *member = NULL;
    *what = 0;
    if (!ctx->store) return pl_err(ctx, PLAUDIT_ESTATE, "no store is attached");
    if (i >= ctx->store->n_changes)
        return pl_err(ctx, PLAUDIT_ENOTFOUND, "the retroactive replay changed %zu members", ctx->store->n_changes);
    *member = ctx->store->changes[i].id;
    *what = ctx->store->changes[i].what;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
