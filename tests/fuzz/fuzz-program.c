/* fuzz-program.c - libFuzzer target for the JSON program loader
 * (plaudit_program_load_json).  Any input must either load, or be rejected
 * with a negative code, a message, and no rule declared.  A loaded program
 * must export to a document that loads back to the same export, must load
 * over another program to exactly the same program, and must take events.  Then the load is repeated with one allocation failing: it
 * must fail cleanly (or succeed identically) and leave the context usable. */
#include "fuzz-common.h"

static int program_empty(plaudit_ctx *ctx)
{
    plaudit_program_info pi;
    if (plaudit_program_info_get(ctx, &pi) != PLAUDIT_OK) abort();
    return !pi.n_actions && !pi.n_tiers && !pi.n_badges && !pi.n_segments && !pi.n_leaderboards && !pi.n_rewards &&
           !pi.has_kudos && !pi.sealed && pi.utc_offset_minutes == 0 && !pi.timezone;
}

static void check_rejected(plaudit_ctx *ctx, int rc)
{
    FZ_CHECK(rc < 0, "load returned %d", rc);
    FZ_CHECK(plaudit_errcode(ctx) == rc, "errcode %d, returned %d", plaudit_errcode(ctx), rc);
    FZ_CHECK(plaudit_errmsg(ctx)[0] != '\0', "rejected without a message");
    FZ_CHECK(program_empty(ctx), "a rejected load left rules declared: %s", plaudit_errmsg(ctx));
}

static char *export_program(plaudit_ctx *ctx, size_t *len)
{
    char *out = NULL;
    FZ_CHECK(plaudit_program_export_json(ctx, &out, len) == PLAUDIT_OK, "export: %s", plaudit_errmsg(ctx));
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_alloc fa;
    plaudit_ctx *ctx = fz_ctx_new(&fa);
    unsigned long before = fa.n_allocs;
    int rc = plaudit_program_load_json(ctx, (const char *)data, size);
    unsigned long n_allocs = fa.n_allocs - before;
    if (rc != PLAUDIT_OK) {
        check_rejected(ctx, rc);
        /* The context is still usable. */
        FZ_CHECK(plaudit_program_load_json(ctx, fz_program, strlen(fz_program)) == PLAUDIT_OK, "reload: %s",
                 plaudit_errmsg(ctx));
        plaudit_ctx_free(ctx);
        return 0;
    }
    /* A second load before the first event replaces the whole program:
     * loaded over a different one (the reference program), the result is
     * the same program, every field. */
    size_t len1;
    char *ex1 = export_program(ctx, &len1);
    fz_alloc fc;
    plaudit_ctx *ctx3 = fz_ctx_new(&fc);
    FZ_CHECK(plaudit_program_load_json(ctx3, fz_program, strlen(fz_program)) == PLAUDIT_OK, "load: %s",
             plaudit_errmsg(ctx3));
    rc = plaudit_program_load_json(ctx3, (const char *)data, size);
    FZ_CHECK(rc == PLAUDIT_OK, "second load: %d %s", rc, plaudit_errmsg(ctx3));
    size_t len1b;
    char *ex1b = export_program(ctx3, &len1b);
    FZ_CHECK(len1 == len1b && memcmp(ex1, ex1b, len1) == 0, "INVARIANT BROKEN: second load");
    plaudit_free(ctx3, ex1b);
    plaudit_ctx_free(ctx3);

    /* Round trip: the export loads back to the same export. */
    fz_alloc fb;
    plaudit_ctx *ctx2 = fz_ctx_new(&fb);
    rc = plaudit_program_load_json(ctx2, ex1, len1);
    FZ_CHECK(rc == PLAUDIT_OK, "the export does not load back: %s\n%.*s", plaudit_errmsg(ctx2), (int)len1, ex1);
    size_t len2;
    char *ex2 = export_program(ctx2, &len2);
    FZ_CHECK(len1 == len2 && memcmp(ex1, ex2, len1) == 0, "export -> load -> export differs");
    plaudit_free(ctx2, ex2);
    plaudit_ctx_free(ctx2);

    /* Events run on it (the first event seals the program). */
    plaudit_outcome out;
    rc = plaudit_record_tick(ctx, 1767225600, NULL, &out);
    FZ_CHECK(rc == PLAUDIT_OK, "tick on a loaded program: %s", plaudit_errmsg(ctx));
    rc = plaudit_record_join(ctx, 1767225601, "m", "k", &out);
    FZ_CHECK(rc == PLAUDIT_OK, "join on a loaded program: %s", plaudit_errmsg(ctx));
    char *state = NULL;
    FZ_CHECK(plaudit_state_export(ctx, &state, NULL) == PLAUDIT_OK, "state export");
    plaudit_free(ctx, state);
    plaudit_ctx_free(ctx);

    /* The same load with one allocation failing. */
    if (n_allocs) {
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ULL;
        ctx = fz_ctx_new(&fa);
        fa.countdown = (long)(h % n_allocs) + 1;
        rc = plaudit_program_load_json(ctx, (const char *)data, size);
        fa.countdown = 0;
        if (rc != PLAUDIT_OK) {
            check_rejected(ctx, rc);
            FZ_CHECK(rc == PLAUDIT_ENOMEM, "a failed allocation gave %d: %s", rc, plaudit_errmsg(ctx));
            rc = plaudit_program_load_json(ctx, (const char *)data, size);
            FZ_CHECK(rc == PLAUDIT_OK, "load after a failed allocation: %s", plaudit_errmsg(ctx));
        }
        size_t len3;
        char *ex3 = export_program(ctx, &len3);
        FZ_CHECK(len1 == len3 && memcmp(ex1, ex3, len1) == 0, "load after allocation failure differs");
        plaudit_free(ctx, ex3);
        plaudit_ctx_free(ctx);
    }
    free(ex1); /* the fuzz allocator is malloc underneath */
    return 0;
}
