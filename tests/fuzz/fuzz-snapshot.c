/* fuzz-snapshot.c - libFuzzer target for the snapshot decoder
 * (lib/storage/snapshot.c: pl_snapshot_check, pl_snapshot_load), as recovery uses
 * it, on a context holding a program with every feature.
 * Input: byte 0 is the mode.  Even: the rest is the snapshot file as is.
 * Odd: the rest is the body, and the target writes the 32-byte header with
 * the right magic, version, length and checksums, so the fuzzer reaches the
 * body decoder.  Checks: no crash or leak; a rejected snapshot leaves the
 * state empty; a loaded one can be queried, exported, re-encoded (and the
 * re-encoded snapshot loads to the same digest), and takes more events. */
#include "fuzz-common.h"
#include "internal.h"

#define SNAP_HDR 32

static plaudit_ctx *new_sealed(fz_alloc *fa)
{
    plaudit_ctx *ctx = fz_ctx_new(fa);
    FZ_CHECK(plaudit_program_load_json(ctx, fz_program, strlen(fz_program)) == PLAUDIT_OK, "load");
    FZ_CHECK(pl_program_seal(ctx) == PLAUDIT_OK, "seal");
    return ctx;
}

static int load(plaudit_ctx *ctx, const uint8_t *p, size_t n)
{
    uint64_t seq, fp;
    int rc = pl_snapshot_check(ctx, p, n, &seq, &fp);
    if (rc) return rc;
    return pl_snapshot_load(ctx, p, n);
}

static void poke(plaudit_ctx *ctx)
{
    /* queries on every member, then events that evaluate them */
    uint64_t total = plaudit_member_count(ctx);
    for (uint64_t start = 0; start < total && start < 64;) {
        const char *ids[16];
        size_t n = 0;
        uint64_t next = 0;
        if (plaudit_member_list(ctx, start, 16, ids, &n, &next) != PLAUDIT_OK || n == 0) break;
        for (size_t i = 0; i < n; i++) {
            plaudit_member_info mi;
            plaudit_progress pr;
            const plaudit_badge_earned *be;
            size_t nb;
            (void)plaudit_member_get(ctx, ids[i], &mi);
            (void)plaudit_member_progress(ctx, ids[i], &pr);
            (void)plaudit_member_badges(ctx, ids[i], &be, &nb);
            int64_t ts = plaudit_clock(ctx);
            if (ts < 0) ts = 0;
            (void)plaudit_record_action(ctx, ts, ids[i], "a", NULL, NULL);
            (void)plaudit_record_kudos(ctx, ts, ids[i], "m0", NULL, NULL);
        }
        start = next;
    }
    for (size_t b = 0; b < sizeof fz_boards / sizeof *fz_boards; b++) {
        plaudit_rank_entry e[8];
        size_t n;
        (void)plaudit_leaderboard_top(ctx, fz_boards[b], 8, e, &n);
    }
    int64_t clock = plaudit_clock(ctx);
    if (clock >= 0 && clock < PLAUDIT_MAX_TS - 40 * 86400) (void)plaudit_record_tick(ctx, clock + 40 * 86400, NULL, NULL);
    char *s = NULL;
    if (plaudit_state_export(ctx, &s, NULL) == PLAUDIT_OK) plaudit_free(ctx, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n = size - 1;
    uint8_t *buf;
    size_t len;
    if (data[0] & 1) {
        len = SNAP_HDR + n;
        buf = calloc(1, len);
        if (!buf) abort();
        memcpy(buf, "PLDTSNAP", 8);
        pl_le32(buf + 8, 1);
        pl_le64(buf + 16, (uint64_t)n);
        memcpy(buf + SNAP_HDR, data + 1, n);
        pl_le32(buf + 24, plaudit_crc32c(0, buf + SNAP_HDR, n));
        pl_le32(buf + 28, plaudit_crc32c(0, buf, 28));
    } else {
        len = n;
        buf = malloc(len ? len : 1);
        if (!buf) abort();
        memcpy(buf, data + 1, n);
    }
    fz_alloc fa;
    plaudit_ctx *ctx = new_sealed(&fa);
    uint64_t empty = plaudit_state_digest(ctx);
    int rc = load(ctx, buf, len);
    if (rc) {
        FZ_CHECK(rc < 0 && plaudit_errmsg(ctx)[0], "rejected (%d) without a message", rc);
        FZ_CHECK(plaudit_state_digest(ctx) == empty && plaudit_member_count(ctx) == 0,
                 "a rejected snapshot left state behind");
    } else {
        /* re-encode and load again: the same digest */
        uint64_t d = plaudit_state_digest(ctx);
        pl_buf b;
        pl_buf_init(&b, &ctx->alloc);
        FZ_CHECK(pl_snapshot_encode(ctx, 1, &b) == PLAUDIT_OK && !b.oom, "encode");
        fz_alloc fb;
        plaudit_ctx *ctx2 = new_sealed(&fb);
        FZ_CHECK(load(ctx2, (const uint8_t *)b.p, b.len) == PLAUDIT_OK, "re-encoded snapshot: %s", plaudit_errmsg(ctx2));
        FZ_CHECK(plaudit_state_digest(ctx2) == d, "re-encoded snapshot: digest differs");
        pl_buf_free(&b);
        plaudit_ctx_free(ctx2);
        poke(ctx);
    }
    plaudit_ctx_free(ctx);
    free(buf);
    return 0;
}
