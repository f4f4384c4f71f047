/* journal.c - the write-ahead journal: encoding an accepted event as a
 * record, appending it (and syncing per the policy) before the event is
 * acknowledged, taking it back when the store fails, and the incremental
 * reader that decodes records at recovery and tells a torn last record from
 * corruption.  The format is in docs/storage-format.md. */
#include <stdio.h>

#include "internal.h"

#define REC_VERSION 1     /* records of format 1 events */
#define REC_VERSION_2 2   /* records with a ref or a document (format 2) */
#define REC_KIND_EVENT 1
#define REC_HDR 8       /* u32 body length, u32 CRC-32C of those 4 bytes */
#define REC_TRAILER 4   /* u32 CRC-32C of the body */
#define REC_FIXED 28    /* version, kind, type, presence, seq, ts, points */
#define REC_MAX (65536u + PL_JOURNAL_DOC_MAX) /* largest body accepted: a
                                                 16 MiB program document
                                                 and the rest */

#define P_ID 1u
#define P_MEMBER 2u
#define P_TARGET 4u
#define P_REASON 8u
#define P_FLAG 16u
#define P_REF 32u       /* version 2: u16 length + bytes */
#define P_DOC 64u       /* version 2: u32 length + bytes */

/* ---- encoding ---------------------------------------------------------- */

/* The record is written in place in one pass: each string's length is
 * taken once, the frame reserved whole, the fields stored without a
 * buffer call each (this runs once per accepted event). */
static unsigned char *put_str(unsigned char *w, const char *s, size_t n)
{
    pl_le16(w, (uint16_t)n);
    memcpy(w + 2, s, n);
    return w + 2 + n;
}

int pl_journal_encode(pl_buf *b, uint64_t seq, const plaudit_event *ev)
{
    return pl_journal_encode_kind(b, seq, PL_REC_EVENT, ev);
}

/* Refuses (PLAUDIT_ELIMIT, nothing appended) what the reader would not
 * accept: a string over a u16 length, a document over PL_JOURNAL_DOC_MAX,
 * a body over REC_MAX.  The event checks keep every accepted event well
 * inside. */
int pl_journal_encode_kind(pl_buf *b, uint64_t seq, int kind, const plaudit_event *ev)
{
    const char *strs[5] = {ev->id, ev->member, ev->target, ev->reason, ev->ref};
    size_t lens[5] = {0};
    size_t body = REC_FIXED, doc = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (!strs[i]) continue;
        size_t n = strnlen(strs[i], UINT16_MAX + 1u);
        if (n > UINT16_MAX) return PLAUDIT_ELIMIT;
        lens[i] = n;
        body += 2 + n;
    }
    if (ev->document) {
        doc = strnlen(ev->document, PL_JOURNAL_DOC_MAX + 1u);
        if (doc > PL_JOURNAL_DOC_MAX) return PLAUDIT_ELIMIT;
        body += 4 + doc;
    }
    if (body > REC_MAX) return PLAUDIT_ELIMIT;
    size_t whole = REC_HDR + body + REC_TRAILER;
    if (pl_buf_reserve(b, whole)) return PLAUDIT_OK; /* b->oom */
    unsigned pres = (ev->id ? P_ID : 0) | (ev->member ? P_MEMBER : 0) | (ev->target ? P_TARGET : 0) |
                    (ev->reason ? P_REASON : 0) | (ev->flag ? P_FLAG : 0) | (ev->ref ? P_REF : 0) |
                    (ev->document ? P_DOC : 0);
    /* Format 1 events keep the version 1 record, byte for byte; the
     * reorder window's kinds come in version 2 records. */
    unsigned char version = pres & (P_REF | P_DOC) || ev->type > PLAUDIT_EVENT_TICK || kind != REC_KIND_EVENT
                                ? REC_VERSION_2
                                : REC_VERSION;
    unsigned char *h = (unsigned char *)b->p + b->len, *w = h + REC_HDR;
    pl_le32(h, (uint32_t)body);
    pl_le32(h + 4, plaudit_crc32c(0, h, 4));
    w[0] = version;
    w[1] = (unsigned char)kind;
    w[2] = (unsigned char)ev->type;
    w[3] = (unsigned char)pres;
    pl_le64(w + 4, seq);
    pl_le64(w + 12, (uint64_t)ev->ts);
    pl_le64(w + 20, (uint64_t)ev->points);
    w += REC_FIXED;
    for (unsigned i = 0; i < 5; i++)
        if (strs[i]) w = put_str(w, strs[i], lens[i]);
    if (ev->document) {
        pl_le32(w, (uint32_t)doc);
        memcpy(w + 4, ev->document, doc);
        w += 4 + doc;
    }
    pl_le32(w, plaudit_crc32c(0, h + REC_HDR, body));
    b->len += whole;
    b->p[b->len] = '\0';
    return PLAUDIT_OK;
}

/* ---- write-ahead ------------------------------------------------------- */

static int want_sync(const pl_store *s)
{
    if (!s->cb.sync) return 0;
    switch (s->opt.sync) {
    case PLAUDIT_SYNC_ALWAYS: return 1;
    case PLAUDIT_SYNC_GROUP: return !s->bg; /* a store without a sync thread: as ALWAYS */
    case PLAUDIT_SYNC_NEVER: return 0;
    default: break;
    }
    if (!s->opt.sync_every_n && !s->opt.sync_every_ms) return 1;
    if (s->opt.sync_every_n && s->unsynced + 1 >= s->opt.sync_every_n) return 1;
    if (s->opt.sync_every_ms && pl_now_ms() - s->last_sync_ms >= (int64_t)s->opt.sync_every_ms) return 1;
    return 0;
}

int pl_journal_log(plaudit_ctx *ctx, const plaudit_event *ev) { return pl_journal_log_kind(ctx, PL_REC_EVENT, ev); }

int pl_journal_log_kind(plaudit_ctx *ctx, int kind, const plaudit_event *ev)
{
    pl_store *s = ctx->store;
    s->failed = 1;
    if (s->broken)
        return pl_err(ctx, PLAUDIT_EIO,
                      "the journal may end in a partial record after a store failure: detach the store and "
                      "attach it again to recover");
    s->buf.len = 0;
    s->buf.oom = 0;
    if (pl_journal_encode_kind(&s->buf, s->seq + 1, kind, ev))
        return pl_err(ctx, PLAUDIT_ELIMIT, "the event does not fit a journal record (a field is longer than the "
                                           "record format holds)");
    if (s->buf.oom) return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory encoding the journal record");
    size_t len = s->buf.len;
    /* The store runs with the guard up: a callback that records an event
     * would journal a second record under the same seq. */
    int g = pl_guard_begin(ctx, PL_IN_STORE);
    int rc = s->cb.journal_append(s->seq + 1, s->buf.p, len, s->cb.payload);
    pl_guard_end(ctx, g);
    if (rc) {
        rc = pl_store_fail(ctx, s, rc, "journal_append");
        if (rc == PLAUDIT_ECORRUPT) s->broken = 1;
        return rc;
    }
    int bg = s->bg && s->opt.sync == PLAUDIT_SYNC_GROUP;
    if (bg || want_sync(s)) {
        /* Group commit: the store's sync thread makes the record durable
         * later; the kick fails only if an earlier background sync did. */
        g = pl_guard_begin(ctx, PL_IN_STORE);
        rc = bg ? s->bg->kick(s->cb.payload) : s->cb.sync(s->cb.payload);
        pl_guard_end(ctx, g);
        if (rc) {
            rc = pl_store_fail(ctx, s, rc, bg ? "sync (the sync thread)" : "sync");
            /* Take the record back: the event is reported as failed. */
            g = pl_guard_begin(ctx, PL_IN_STORE);
            if (!s->cb.journal_cut || s->cb.journal_cut(len, s->cb.payload)) s->broken = 1;
            pl_guard_end(ctx, g);
            return rc;
        }
        if (bg) {
            s->unsynced++;
        } else {
            s->unsynced = 0;
            s->last_sync_ms = pl_now_ms();
        }
    } else {
        s->unsynced++;
    }
    s->seq++;
    s->failed = 0;
    return PLAUDIT_OK;
}

/* ---- framing, for the file store's trim after a crash ------------------- */

uint64_t pl_journal_scan(const unsigned char *p, uint64_t n, uint64_t *rec_len)
{
    uint64_t off = 0;
    *rec_len = 0;
    while (n - off >= REC_HDR) {
        const unsigned char *h = p + off;
        if (plaudit_crc32c(0, h, 4) != pl_rd32(h + 4)) break;
        uint32_t len = pl_rd32(h);
        if (len < REC_FIXED || len > REC_MAX) break;
        uint64_t whole = (uint64_t)REC_HDR + len + REC_TRAILER;
        if (n - off < whole || plaudit_crc32c(0, h + REC_HDR, len) != pl_rd32(h + REC_HDR + len)) {
            *rec_len = whole;
            break;
        }
        off += whole;
    }
    return off;
}

/* ---- reading ------------------------------------------------------------ */

void pl_jreader_init(pl_jreader *r, plaudit_ctx *ctx, pl_jrec_fn fn, void *ud)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->fn = fn;
    r->ud = ud;
    pl_buf_init(&r->carry, &ctx->alloc);
}

void pl_jreader_free(pl_jreader *r)
{
    pl_buf_free(&r->carry);
    pl_free(&r->ctx->alloc, r->strs);
    r->strs = NULL;
}

static int corrupt(pl_jreader *r, uint64_t at, const char *what)
{
    return pl_err(r->ctx, PLAUDIT_ECORRUPT, "journal is corrupt at byte %llu (after record %llu): %s",
                  (unsigned long long)at, (unsigned long long)r->last_seq, what);
}

/* Decode and deliver one complete, checksummed body. */
static int deliver(pl_jreader *r, const unsigned char *p, size_t n, uint64_t at)
{
    if (n < REC_FIXED) return corrupt(r, at, "record shorter than its fixed part");
    if (p[0] != REC_VERSION && p[0] != REC_VERSION_2)
        return pl_err(r->ctx, PLAUDIT_EVERSION,
                      "journal record at byte %llu has version %u (this library reads %d and %d)",
                      (unsigned long long)at, p[0], REC_VERSION, REC_VERSION_2);
    int v2 = p[0] == REC_VERSION_2;
    /* Kinds past 1 (the reorder window's) come in version 2 records. */
    if (p[1] != REC_KIND_EVENT && (!v2 || p[1] < PL_REC_ARRIVAL || p[1] > PL_REC_FLUSH))
        return corrupt(r, at, "unknown record kind");
    if (p[2] > (v2 ? PLAUDIT_EVENT_PROGRAM : PLAUDIT_EVENT_TICK)) return corrupt(r, at, "unknown event type");
    unsigned pres = p[3];
    if (pres & ~(v2 ? 127u : 31u)) return corrupt(r, at, "unknown presence bits");
    uint64_t seq = pl_rd64(p + 4);
    if (r->records && seq != r->last_seq + 1) return corrupt(r, at, "records out of sequence");
    if (seq == 0) return corrupt(r, at, "record sequence number 0");
    plaudit_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (plaudit_event_type)p[2];
    ev.ts = (int64_t)pl_rd64(p + 12);
    ev.points = (int64_t)pl_rd64(p + 20);
    ev.flag = !!(pres & P_FLAG);
    /* strings: copied NUL-terminated into scratch */
    if (pl_grow(&r->ctx->alloc, (void **)&r->strs, &r->cap_strs, n + 7, 1))
        return pl_err(r->ctx, PLAUDIT_ENOMEM, "out of memory reading the journal");
    size_t off = REC_FIXED, so = 0;
    const char **dst[7] = {&ev.id, &ev.member, &ev.target, &ev.reason, NULL, &ev.ref, &ev.document};
    for (unsigned i = 0; i < 7; i++) {
        if (!(pres & (1u << i)) || !dst[i]) continue;
        size_t lw = i == 6 ? 4 : 2; /* the document has a 32-bit length */
        if (n - off < lw) return corrupt(r, at, "string length past the record's end");
        size_t l = lw == 4 ? pl_rd32(p + off) : pl_rd16(p + off);
        off += lw;
        if (n - off < l) return corrupt(r, at, "string past the record's end");
        if (memchr(p + off, 0, l)) return corrupt(r, at, "NUL byte in a string");
        memcpy(r->strs + so, p + off, l);
        r->strs[so + l] = '\0';
        *dst[i] = r->strs + so;
        so += l + 1;
        off += l;
    }
    if (off != n) return corrupt(r, at, "bytes after the last field");
    if (!r->records) r->first_seq = seq;
    r->records++;
    r->last_seq = seq;
    r->kind = p[1];
    return r->fn(r->ctx, seq, &ev, r->ud);
}

/* Parse what complete records p[0..n) holds; *used receives the bytes
 * consumed.  Stops at a partial record (needs more bytes) or a bad one. */
static int parse(pl_jreader *r, const unsigned char *p, size_t n, size_t *used)
{
    size_t off = 0;
    int rc = 0;
    while (!r->bad && n - off >= REC_HDR) {
        const unsigned char *h = p + off;
        uint64_t at = r->pos + off;
        if (plaudit_crc32c(0, h, 4) != pl_rd32(h + 4)) {
            r->bad = 1;   /* torn only if nothing but zeros follows */
            break;
        }
        uint32_t len = pl_rd32(h);
        if (len < REC_FIXED || len > REC_MAX) {
            rc = corrupt(r, at, "record length out of range");
            break;
        }
        if (n - off < (size_t)REC_HDR + len + REC_TRAILER) break;  /* need more */
        if (plaudit_crc32c(0, h + REC_HDR, len) != pl_rd32(h + REC_HDR + len)) {
            r->bad = 2;   /* torn only if it is the last thing */
            off += REC_HDR + len + REC_TRAILER;
            break;
        }
        if ((rc = deliver(r, h + REC_HDR, len, at))) break;
        off += REC_HDR + len + REC_TRAILER;
        r->good_end = r->pos + off;
    }
    *used = off;
    return rc;
}

static void scan_bad(pl_jreader *r, const unsigned char *p, size_t n)
{
    if (r->bad == 2) r->bad_extra += n;
    else
        for (size_t i = 0; i < n && !r->bad_nonzero; i++) r->bad_nonzero |= p[i] != 0;
}

/* How many more bytes the record begun in the carry needs to be whole (0:
 * its header is bad or out of range; parse then says what it is). */
static size_t carry_need(const pl_jreader *r)
{
    const unsigned char *c = (const unsigned char *)r->carry.p;
    if (r->carry.len < REC_HDR) return REC_HDR - r->carry.len;
    if (plaudit_crc32c(0, c, 4) != pl_rd32(c + 4)) return 0;
    uint32_t len = pl_rd32(c);
    if (len < REC_FIXED || len > REC_MAX) return 0;
    size_t whole = (size_t)REC_HDR + len + REC_TRAILER;
    return whole > r->carry.len ? whole - r->carry.len : 0;
}

int pl_jreader_feed(pl_jreader *r, const void *data, size_t len)
{
    const unsigned char *p = data;
    r->total += len;
    if (r->bad) {
        scan_bad(r, p, len);
        return 0;
    }
    size_t used;
    int rc;
    /* A record split across chunks: complete it in the carry with only the
     * bytes it lacks, then go on in the chunk itself (no copy of the rest). */
    while (r->carry.len && len) {
        size_t need = carry_need(r);
        size_t take = need < len ? need : len;
        if (!need) take = len; /* a bad header: parse judges the rest */
        pl_buf_put(&r->carry, p, take);
        if (r->carry.oom) return pl_err(r->ctx, PLAUDIT_ENOMEM, "out of memory reading the journal");
        p += take;
        len -= take;
        if (need && need > take) return 0; /* still short: wait for more */
        const unsigned char *c = (const unsigned char *)r->carry.p;
        rc = parse(r, c, r->carry.len, &used);
        if (rc) return rc;
        r->pos += used;
        if (r->bad) {
            scan_bad(r, c + used, r->carry.len - used);
            r->carry.len = 0;
            scan_bad(r, p, len);
            return 0;
        }
        memmove(r->carry.p, r->carry.p + used, r->carry.len - used);
        r->carry.len -= used;
    }
    if (!len) return 0;
    rc = parse(r, p, len, &used);
    if (rc) return rc;
    r->pos += used;
    if (r->bad) scan_bad(r, p + used, len - used);
    else if (used < len) {
        pl_buf_put(&r->carry, p + used, len - used);
        if (r->carry.oom) return pl_err(r->ctx, PLAUDIT_ENOMEM, "out of memory reading the journal");
    }
    return 0;
}

int pl_jreader_finish(pl_jreader *r, uint64_t *dropped, int *damaged)
{
    *dropped = 0;
    *damaged = 0;
    if (r->bad == 1 && r->bad_nonzero) return corrupt(r, r->good_end, "record header fails its checksum");
    if (r->bad == 2 && r->bad_extra)
        return corrupt(r, r->good_end, "record fails its checksum and is not the last one");
    /* A prefix of a record or zeros: the torn end of a crashed append.  A
     * last record that is all there but fails its checksum was written
     * whole (and maybe acknowledged) and damaged since: dropped too, so
     * the store can be used, but told apart. */
    *dropped = r->total - r->good_end;
    *damaged = r->bad == 2;
    return 0;
}
