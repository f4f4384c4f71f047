/* fuzz-events.c - libFuzzer target for the JSON-lines event reader feeding
 * a context (plaudit_event_parse, plaudit_record_json).  The input is split
 * into lines, each recorded on a context holding a program with every
 * feature.  After every line: a rejected, duplicate or blank line left the
 * state digest unchanged; the parser and the recorder agree; every so often
 * (and at the end) the whole-context invariants hold (fuzz-common.h).  At
 * the end the program is exported and the lines replayed on a fresh
 * context from that export: same digest, same state document. */
#include "fuzz-common.h"

static plaudit_ctx *new_loaded(fz_alloc *fa, const char *program, size_t len)
{
    plaudit_ctx *ctx = fz_ctx_new(fa);
    FZ_CHECK(plaudit_program_load_json(ctx, program, len) == PLAUDIT_OK, "load: %s", plaudit_errmsg(ctx));
    return ctx;
}

static char *state_of(plaudit_ctx *ctx, size_t *len)
{
    char *s = NULL;
    FZ_CHECK(plaudit_state_export(ctx, &s, len) == PLAUDIT_OK, "state export: %s", plaudit_errmsg(ctx));
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_alloc fa, fb;
    plaudit_ctx *ctx = new_loaded(&fa, fz_program, strlen(fz_program));
    const char *p = (const char *)data, *end = p + size;
    unsigned line_no = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        line_no++;
        plaudit_event ev;
        int prc = plaudit_event_parse(ctx, p, len, &ev);
        uint64_t d0 = plaudit_state_digest(ctx);
        plaudit_stats s0, s1;
        plaudit_stats_get(ctx, &s0);
        plaudit_outcome out;
        int rc = plaudit_record_json(ctx, p, len, &out);
        uint64_t d1 = plaudit_state_digest(ctx);
        plaudit_stats_get(ctx, &s1);
        if (prc != PLAUDIT_OK) FZ_CHECK(rc == prc, "line %u: parse %d, record %d", line_no, prc, rc);
        if (rc != PLAUDIT_OK) {
            FZ_CHECK(d0 == d1, "line %u: rejected (%d: %s) but the digest changed", line_no, rc, plaudit_errmsg(ctx));
            FZ_CHECK(s1.accepted == s0.accepted, "line %u: not accepted but counted", line_no);
        }
        if (rc < 0) {
            FZ_CHECK(out.status == PLAUDIT_REJECTED || rc == PLAUDIT_ENOTFOUND, "line %u: status %d for %d", line_no,
                     out.status, rc);
            FZ_CHECK(plaudit_errmsg(ctx)[0], "line %u: rejected without a message", line_no);
        } else if (rc == PLAUDIT_OK) {
            FZ_CHECK(out.status == PLAUDIT_ACCEPTED && s1.accepted == s0.accepted + 1, "line %u: accepted", line_no);
        } else {
            FZ_CHECK(rc == PLAUDIT_DUPLICATE && out.status == PLAUDIT_DUPLICATE_EVENT, "line %u: rc %d", line_no, rc);
        }
        if (out.n_moments || (line_no & 15) == 0) fz_check_all(ctx);
        p += len;
    }
    fz_check_all(ctx);

    /* export -> replay gives the same digest and state. */
    char *prog = NULL;
    size_t plen = 0;
    FZ_CHECK(plaudit_program_export_json(ctx, &prog, &plen) == PLAUDIT_OK, "program export");
    plaudit_ctx *ctx2 = new_loaded(&fb, prog, plen);
    p = (const char *)data;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        plaudit_record_json(ctx2, p, len, NULL);
        p += len;
    }
    FZ_CHECK(plaudit_state_digest(ctx) == plaudit_state_digest(ctx2), "replay on the exported program: digest differs");
    size_t l1, l2;
    char *st1 = state_of(ctx, &l1), *st2 = state_of(ctx2, &l2);
    FZ_CHECK(l1 == l2 && memcmp(st1, st2, l1) == 0, "replay on the exported program: state differs");
    plaudit_free(ctx, st1);
    plaudit_free(ctx2, st2);
    plaudit_free(ctx, prog);
    plaudit_ctx_free(ctx2);
    plaudit_ctx_free(ctx);
    return 0;
}
