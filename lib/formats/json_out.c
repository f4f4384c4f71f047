/* json_out.c - outcomes and moments written as JSON (section 3's outcome
 * lines); no parser needed. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "plaudit-config.h"

#if PLAUDIT_HAVE_JSON
#include <jansson.h>
#endif
#include "json_load.h"

int plaudit_has_json(void) { return PLAUDIT_HAVE_JSON; }

/* ---- outcome as JSON (no parser needed) ------------------------------------ */

static const char *source_name(plaudit_source s)
{
    switch (s) {
    case PLAUDIT_SOURCE_ACTION: return "action";
    case PLAUDIT_SOURCE_BONUS: return "bonus";
    case PLAUDIT_SOURCE_KUDOS: return "kudos";
    case PLAUDIT_SOURCE_REVOKE: return "revoke";
    case PLAUDIT_SOURCE_REDEEM: return "redeem";
    default: return "adjust";
    }
}

void pl_json_kv_str(pl_buf *b, const char *k, const char *v)
{
    pl_buf_printf(b, ",\"%s\":", k);
    if (v) pl_buf_json_str(b, v);
    else pl_buf_puts(b, "null");
}

/* One moment as a JSON object; with_seq adds seq (and redelivered). */
static void moment_json(pl_buf *b, const plaudit_moment *m, int with_seq)
{
    static const char *const kinds[] = {"points", "badge", "tier", "redeem", "kudos", "revoke"};
    pl_buf_puts(b, "{");
    if (with_seq) pl_buf_printf(b, "\"seq\":%llu,", (unsigned long long)m->seq);
    pl_buf_printf(b, "\"kind\":\"%s\",\"ts\":%lld", (unsigned)m->kind <= 5 ? kinds[m->kind] : "?",
                  (long long)m->ts);
    pl_json_kv_str(b, "member", m->member);
    switch (m->kind) {
    case PLAUDIT_MOMENT_POINTS:
        pl_buf_printf(b, ",\"points\":%lld,\"source\":\"%s\"", (long long)m->points, source_name(m->source));
        pl_json_kv_str(b, "source_id", m->source_id);
        if (m->source == PLAUDIT_SOURCE_REVOKE) pl_json_kv_str(b, "revoked_ref", m->revoked_ref);
        break;
    case PLAUDIT_MOMENT_BADGE:
        pl_json_kv_str(b, "badge", m->badge);
        pl_buf_printf(b, ",\"level\":%u,\"times\":%u", m->level, m->times);
        if (m->leaderboard) pl_json_kv_str(b, "leaderboard", m->leaderboard);
        break;
    case PLAUDIT_MOMENT_TIER:
        pl_json_kv_str(b, "from", m->tier_from);
        pl_json_kv_str(b, "to", m->tier_to);
        pl_buf_printf(b, ",\"promoted\":%s", m->promoted ? "true" : "false");
        break;
    case PLAUDIT_MOMENT_REDEEM:
        pl_json_kv_str(b, "reward", m->reward);
        pl_buf_printf(b, ",\"cost\":%lld", (long long)m->cost);
        break;
    case PLAUDIT_MOMENT_KUDOS: pl_json_kv_str(b, "to", m->to); break;
    case PLAUDIT_MOMENT_REVOKE:
        pl_json_kv_str(b, "event", m->revoked_event);
        pl_json_kv_str(b, "ref", m->revoked_ref);
        pl_json_kv_str(b, "type", plaudit_event_type_name(m->revoked_type));
        pl_buf_printf(b, ",\"event_ts\":%lld,\"points\":%lld,\"balance\":%lld", (long long)m->revoked_ts,
                      (long long)m->points, (long long)m->balance);
        if (m->to) pl_json_kv_str(b, "to", m->to);
        if (m->badge) {
            pl_json_kv_str(b, "badge", m->badge);
            pl_buf_printf(b, ",\"times\":%u", m->times);
        }
        if (m->reward) {
            pl_json_kv_str(b, "reward", m->reward);
            pl_buf_printf(b, ",\"cost\":%lld", (long long)m->cost);
        }
        break;
    }
    if (with_seq && m->redelivered) pl_buf_puts(b, ",\"redelivered\":true");
    pl_buf_puts(b, "}");
}

int plaudit_outcome_json(plaudit_ctx *ctx, const plaudit_outcome *o, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!o || !out) return pl_err(ctx, PLAUDIT_EINVAL, "outcome or out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    static const char *const st[] = {"accepted", "duplicate", "rejected", "held"};
    pl_buf_printf(&b, "{\"status\":\"%s\",\"code\":%d", (unsigned)o->status <= 3 ? st[o->status] : "rejected", o->code);
    if (o->status == PLAUDIT_REJECTED) {
        pl_json_kv_str(&b, "error", plaudit_strerror(o->code));
        pl_json_kv_str(&b, "message", o->message ? o->message : "");
    }
    /* Only with a reorder window (format 1 traces are unchanged). */
    if (o->arrival) pl_buf_printf(&b, ",\"arrival\":%llu", (unsigned long long)o->arrival);
    pl_buf_printf(&b, ",\"points\":%lld,\"moments\":[", (long long)o->points);
    for (size_t i = 0; i < o->n_moments; i++) {
        if (i) pl_buf_puts(&b, ",");
        moment_json(&b, &o->moments[i], 0);
    }
    pl_buf_puts(&b, "]}");
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing an outcome");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}

int plaudit_moment_json(plaudit_ctx *ctx, const plaudit_moment *m, char **out, size_t *len)
{
    if (!ctx) return PLAUDIT_EINVAL;
    if (!m || !out) return pl_err(ctx, PLAUDIT_EINVAL, "moment or out is NULL");
    *out = NULL;
    pl_buf b;
    pl_buf_init(&b, &ctx->alloc);
    moment_json(&b, m, 1);
    if (b.oom) {
        pl_buf_free(&b);
        return pl_err(ctx, PLAUDIT_ENOMEM, "out of memory writing a moment");
    }
    *out = b.p;
    if (len) *len = b.len;
    pl_ok(ctx);
    return PLAUDIT_OK;
}
