/* feed.h - feeding an event file to contexts, for the plaudit tool:
 * rejection reports by line number (also for lines a reorder window held
 * and released later), --trace, the progress indicator, and writing the
 * outbox's moments to a file (--moments). */
#ifndef PLAUDIT_FEED_H
#define PLAUDIT_FEED_H

#include <plaudit.h>

typedef struct feed_opts {
    int trace;               /* print outcomes of ctxs[0] as JSON lines */
    int quiet;               /* no rejection reports */
    int progress;            /* progress indicator on a terminal */
    int store;               /* a store is attached: stop at its failure */
    const char *moments;     /* append ctxs[0]'s outbox to this file */
    /* what-if --from: a program event switching the last context to this
     * document at switch_ts, before the first line at or after it (at the
     * end when there is none); NULL: none.  switch_name names it in a
     * rejection (exit status 1). */
    const char *switch_doc;
    int64_t switch_ts;
    const char *switch_name;
} feed_opts;

/* Record every line of `path` ("-": standard input) in each context, then
 * release what a reorder window holds (plaudit_flush).  labels[i] (may be
 * NULL) prefixes the rejection reports of context i.  Returns an exit
 * status of the tool: 0, 3 (I/O), 4 (store), 5 (internal). */
int plaudit_feed(plaudit_ctx **ctxs, const char **labels, int n, const char *path, const feed_opts *o);

/* --moments FILE: open FILE for appending and enable ctx's outbox (before
 * the store is attached); then plaudit_feed drains the outbox to it:
 * moments as JSON lines, flushed and synced, then acknowledged.  Returns 0
 * or an exit status after printing why. */
int plaudit_moments_open(plaudit_ctx *ctx, const char *path);
/* Write and acknowledge what the outbox holds (after recovery, at the
 * end).  Returns 0 or an exit status. */
int plaudit_moments_drain(plaudit_ctx *ctx);
void plaudit_moments_close(void);

#endif
