/* errors.c - error codes, their fixed text, and the per-context message. */
#include <stdio.h>

#include "internal.h"

const char *plaudit_strerror(int code)
{
    switch (code) {
    case PLAUDIT_OK: return "success";
    case PLAUDIT_DUPLICATE: return "duplicate event (already accepted)";
    case PLAUDIT_EINVAL: return "invalid argument";
    case PLAUDIT_ENOMEM: return "out of memory";
    case PLAUDIT_ENOTFOUND: return "not found";
    case PLAUDIT_EEXIST: return "already exists";
    case PLAUDIT_ERANGE: return "value out of range";
    case PLAUDIT_EUTF8: return "invalid UTF-8";
    case PLAUDIT_ESTRING: return "invalid string";
    case PLAUDIT_ETIME: return "time went backwards or is out of range";
    case PLAUDIT_ECONFLICT: return "idempotency key reused with different content";
    case PLAUDIT_ELIMIT: return "limit reached";
    case PLAUDIT_EFUNDS: return "insufficient balance";
    case PLAUDIT_ESTOCK: return "out of stock";
    case PLAUDIT_ESELF: return "kudos to oneself";
    case PLAUDIT_EDISABLED: return "feature not declared in the program";
    case PLAUDIT_ESTATE: return "call not allowed in the current state";
    case PLAUDIT_EUSER: return "callback failed";
    case PLAUDIT_EIO: return "input/output error";
    case PLAUDIT_ECORRUPT: return "corrupt data";
    case PLAUDIT_EVERSION: return "unsupported version";
    case PLAUDIT_EPARSE: return "parse error";
    case PLAUDIT_ELOCKED: return "store is locked by another process";
    case PLAUDIT_EUNSUPPORTED: return "not supported by this build";
    case PLAUDIT_EHISTORY: return "journal history needed for a retroactive replay was compacted";
    default: return "unknown error";
    }
}

int pl_err(plaudit_ctx *ctx, int code, const char *fmt, ...)
{
    ctx->err_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

int pl_reentered(plaudit_ctx *ctx, const char *what)
{
    return pl_err(ctx, PLAUDIT_ESTATE, "%s from inside a %s", what,
                  ctx->in_callback == PL_IN_STORE ? "store callback" : "listener");
}

const char *plaudit_errmsg(const plaudit_ctx *ctx)
{
    if (!ctx) return "no context (NULL)";
    return ctx->errmsg;
}

int plaudit_errcode(const plaudit_ctx *ctx) { return ctx ? ctx->err_code : PLAUDIT_EINVAL; }
