/* gen-store-seeds.c - writes the seed corpora of fuzz-journal and
 * fuzz-snapshot (corpus/journal, corpus/snapshot): real journals and
 * snapshots of the fuzz program after a few events, in the targets' input
 * layout (mode byte, then data).  Built with -Dfuzz=enabled; run by hand:
 *   build-fuzz/tests/fuzz/gen-store-seeds tests/fuzz/corpus */
#include <stdio.h>

#include "fuzz-common.h"
#include "internal.h"

static void put(const char *dir, const char *name, unsigned char mode, unsigned char chunk, const void *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fputc(mode, f);
    if (chunk != 0xff) fputc(chunk, f);
    fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    char dir[900];
    static const char *const lines[] = {
        "{\"ts\":1767225600,\"member\":\"m0\",\"action\":\"a\",\"id\":\"k0\"}",
        "{\"ts\":1767225601,\"type\":\"kudos\",\"from\":\"m0\",\"to\":\"m1\"}",
        "{\"ts\":1767225602,\"type\":\"adjust\",\"member\":\"m1\",\"points\":-2,\"reason\":\"r\"}",
        "{\"ts\":1767225603,\"type\":\"award\",\"member\":\"m1\",\"badge\":\"man\"}",
        "{\"ts\":1767225604,\"type\":\"redeem\",\"member\":\"m1\",\"reward\":\"r2\"}",
        "{\"ts\":1767225605,\"type\":\"segment\",\"member\":\"m0\",\"segment\":\"s1\"}",
        "{\"ts\":1767225606,\"type\":\"preferences\",\"member\":\"m1\",\"leaderboards\":false}",
        "{\"ts\":1767312000,\"member\":\"m2\",\"action\":\"c\"}",
        "{\"ts\":1767312001,\"member\":\"m2\",\"action\":\"c\"}",
        "{\"ts\":1767398400,\"type\":\"tick\"}",
        "{\"ts\":1767398401,\"type\":\"join\",\"member\":\"m3\"}",
    };
    plaudit_ctx *ctx;
    if (plaudit_ctx_new(&ctx, NULL) || plaudit_program_load_json(ctx, fz_program, strlen(fz_program))) return 1;
    pl_buf j;
    pl_buf_init(&j, &ctx->alloc);
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        plaudit_event ev;
        if (plaudit_event_parse(ctx, lines[i], strlen(lines[i]), &ev)) return 1;
        pl_journal_encode(&j, i + 1, &ev);
        (void)plaudit_record(ctx, &ev, NULL);
        if (i == 2 || i == 10) {
            pl_buf s;
            pl_buf_init(&s, &ctx->alloc);
            if (pl_snapshot_encode(ctx, i + 1, &s)) return 1;
            snprintf(dir, sizeof dir, "%s/snapshot", argv[1]);
            char name[32];
            snprintf(name, sizeof name, "file-%zu", i + 1);
            put(dir, name, 0, 0xff, s.p, s.len);
            snprintf(name, sizeof name, "body-%zu", i + 1);
            put(dir, name, 1, 0xff, s.p + 32, s.len - 32);
            pl_buf_free(&s);
        }
    }
    snprintf(dir, sizeof dir, "%s/journal", argv[1]);
    put(dir, "whole", 0, 0, j.p, j.len);
    put(dir, "chunks-7", 0, 6, j.p, j.len);
    put(dir, "fixup", 1, 12, j.p, j.len);
    put(dir, "torn", 0, 3, j.p, j.len - 5);
    pl_buf_free(&j);
    plaudit_ctx_free(ctx);
    return 0;
}
