/* fuzz-journal.c - libFuzzer target for the journal decoder (lib/storage/journal.c,
 * pl_jreader_*), as recovery uses it: records are decoded and replayed on a
 * context holding a program with every feature.
 * Input: byte 0 is the mode.  Even: the rest is the journal as is (header
 * and body checksums must hold by chance).  Odd: the rest is a sequence of
 * records whose two CRC-32C fields the target recomputes before decoding,
 * so the fuzzer reaches the body decoder.  Byte 1 chooses how the stream is
 * cut into chunks.  Checks: no crash or leak; the same stream fed whole and
 * fed in chunks gives the same result (code, records, torn bytes, digest);
 * a decoded event that replay rejects leaves the digest unchanged. */
#include "fuzz-common.h"
#include "internal.h"

#define REC_HDR 8
#define REC_TRAILER 4

typedef struct result {
    int rc;
    uint64_t records, torn, digest, last_seq;
} result;

static int on_record(plaudit_ctx *ctx, uint64_t seq, const plaudit_event *ev, void *ud)
{
    (void)seq;
    (void)ud;
    uint64_t d0 = plaudit_state_digest(ctx);
    int rc = pl_record_replay(ctx, ev);
    if (rc != PLAUDIT_OK) FZ_CHECK(plaudit_state_digest(ctx) == d0, "a rejected journal event changed the digest");
    return 0; /* recovery goes on past events the program rejects */
}

static result run(const uint8_t *p, size_t n, size_t chunk)
{
    fz_alloc fa;
    plaudit_ctx *ctx = fz_ctx_new(&fa);
    FZ_CHECK(plaudit_program_load_json(ctx, fz_program, strlen(fz_program)) == PLAUDIT_OK, "load");
    FZ_CHECK(pl_program_seal(ctx) == PLAUDIT_OK, "seal");
    pl_jreader r;
    pl_jreader_init(&r, ctx, on_record, NULL);
    result res = {0, 0, 0, 0, 0};
    size_t off = 0;
    while (off < n && !res.rc) {
        size_t k = n - off < chunk ? n - off : chunk;
        res.rc = pl_jreader_feed(&r, p + off, k);
        off += k;
    }
    int damaged = 0;
    if (!res.rc) res.rc = pl_jreader_finish(&r, &res.torn, &damaged);
    if (res.rc) FZ_CHECK(res.rc < 0 && plaudit_errmsg(ctx)[0], "feed/finish %d without a message", res.rc);
    res.records = r.records;
    res.last_seq = r.last_seq;
    res.digest = plaudit_state_digest(ctx);
    pl_jreader_free(&r);
    fz_check_all(ctx);
    plaudit_ctx_free(ctx);
    return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    int fixup = data[0] & 1;
    size_t chunk = 1 + data[1] % 97;
    size_t n = size - 2;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) abort();
    memcpy(buf, data + 2, n);
    if (fixup) {
        size_t off = 0;
        while (n - off >= REC_HDR) {
            uint32_t len = pl_rd32(buf + off);
            if (len > 65536) len %= 65537;
            if ((size_t)len > n - off - REC_HDR) len = (uint32_t)(n - off - REC_HDR);
            pl_le32(buf + off, len);
            pl_le32(buf + off + 4, plaudit_crc32c(0, buf + off, 4));
            if (n - off - REC_HDR - len < REC_TRAILER) break;
            pl_le32(buf + off + REC_HDR + len, plaudit_crc32c(0, buf + off + REC_HDR, len));
            off += REC_HDR + len + REC_TRAILER;
        }
    }
    result whole = run(buf, n, n ? n : 1);
    result parts = run(buf, n, chunk);
    FZ_CHECK(whole.rc == parts.rc && whole.records == parts.records && whole.torn == parts.torn &&
                 whole.digest == parts.digest && whole.last_seq == parts.last_seq,
             "fed whole: rc %d, %llu records, %llu torn; in chunks of %zu: rc %d, %llu records, %llu torn", whole.rc,
             (unsigned long long)whole.records, (unsigned long long)whole.torn, chunk, parts.rc,
             (unsigned long long)parts.records, (unsigned long long)parts.torn);
    free(buf);
    return 0;
}
