/*
 * plaudit/store.h - the storage interface of libplaudit, for store writers.
 *
 * Plaudit keeps its state in memory.  Durability comes from a store: a
 * versioned table of callbacks that the caller supplies (or the file store
 * the library ships, plaudit_file_store_open in plaudit.h).  The context
 * writes every accepted event to the store's journal before it reports the
 * event as accepted (write-ahead), writes snapshots of its whole state on
 * request, and on plaudit_store_attach rebuilds its state from the latest
 * snapshot plus the journal written after it.
 *
 * The bytes handed to a store are opaque to it: journal records and
 * snapshots are self-describing, versioned, length-prefixed and
 * checksummed (CRC-32C), little-endian (docs/storage-format.md).  A store
 * only keeps bytes in order; it never needs to parse them.
 *
 * SLOTS
 *  Each slot is marked "must provide" or "may provide" (NULL).  The table
 *  only grows at the end; `version` tells which slots the caller's struct
 *  has.  Start from PLAUDIT_STORE_INIT and set the slots you implement.
 *
 * RETURN VALUES AND ERRORS
 *  A callback returns 0 for success or a negative plaudit_error code.
 *  PLAUDIT_EUSER is reserved for callbacks and is the usual choice;
 *  PLAUDIT_EIO, PLAUDIT_ENOMEM, PLAUDIT_ELOCKED and PLAUDIT_ECORRUPT may be
 *  returned where they fit.  A positive value is treated as PLAUDIT_EUSER.
 *  Right after a callback fails the context asks `errmsg` (if provided) for
 *  the detail and keeps a copy in its own message (plaudit_errmsg), as
 *  "store <slot> failed: <detail>".  The failing call returns the
 *  callback's code to the caller.
 *
 * THREADS AND RE-ENTRANCY
 *  Callbacks run on the thread that called the library, one at a time per
 *  context.  They run under the same guard as listeners: a callback may
 *  call queries on the context it serves, but every call that changes it
 *  (events, declarations and program loads, listener changes, analytics,
 *  store calls) fails with PLAUDIT_ESTATE ("... from inside a store
 *  callback") and changes nothing, so a store cannot, say, journal a
 *  second record under the sequence number it is being given.
 *
 * WHAT THE ENGINE ASSUMES (the contract of every slot is in its comment)
 *  - The journal is one ordered byte stream: the concatenation of the
 *    records appended since the store was created, minus what journal_drop
 *    discarded at the front and journal_cut removed at the end.
 *  - Records are appended strictly in order of increasing seq (1, 2, 3,
 *    ...; seq is never reused, also across restarts and compactions).
 *  - A crash (process kill, power loss) may leave a strict prefix of the
 *    last appended record at the end of the journal ("torn").  The engine
 *    detects it at recovery, reports it and asks journal_cut to remove it.
 *    Bytes that were appended must never be reordered, and nothing but the
 *    last record may be torn.
 *  - What counts as "durable" is the store's business: after `sync`
 *    returns 0, every appended byte must survive a crash.  The sync policy
 *    (plaudit_store_options) decides how often the engine asks.
 */
#ifndef PLAUDIT_STORE_H
#define PLAUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "plaudit/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives bytes read back from a store, in order.  `data` is valid only
 * during the call.  Returns 0 to go on, or a negative code to stop: the
 * store's read callback must then return that code unchanged. */
typedef int (*plaudit_store_chunk_fn)(const void *data, size_t len, void *fn_payload);

#define PLAUDIT_STORE_VERSION 2

typedef struct plaudit_store {
    /* PLAUDIT_STORE_VERSION of the header the store was written against. */
    unsigned version;

    /* ---- Slots of version 1 (later versions only append slots) ---- */

    /* MUST PROVIDE.  Append one journal record of len bytes (the record's
     * sequence number is seq, for stores that index it; the bytes carry it
     * too).  Return 0 when the bytes are written, in order, after all
     * earlier records; they need not be durable yet (see sync).
     * On failure the journal must be as it was before the call: a store
     * that wrote part of the record removes that part again before
     * returning the error.  If it cannot, it must return PLAUDIT_ECORRUPT;
     * the context then refuses further events until it is re-attached
     * (recovery will drop the partial record as torn).  A crash in the
     * middle of append may leave any prefix of the record. */
    int (*journal_append)(uint64_t seq, const void *data, size_t len, void *payload);

    /* MAY PROVIDE (NULL: the store is durable after every append, e.g. a
     * database that commits each insert).  Make every appended byte
     * durable.  On failure the engine removes the record of the event it
     * was accepting with journal_cut and reports the event as failed. */
    int (*sync)(void *payload);

    /* MUST PROVIDE.  Deliver the journal, in order, by calling fn once per
     * chunk (chunks may split records anywhere and have any size; an empty
     * journal means no call).  The delivered bytes start at a record
     * boundary: at the first record still kept, or, as an optimisation, at
     * a later record whose seq is <= from_seq (whole records before it may
     * be skipped).  from_seq is 1 when the engine needs the whole history
     * (retroactive replay): a store that archives compacted records should
     * deliver them then.  If fn returns non-zero, stop and return it. */
    int (*journal_read)(uint64_t from_seq, plaudit_store_chunk_fn fn, void *fn_payload, void *payload);

    /* MAY PROVIDE (needed only by stores whose append is not atomic).
     * Remove the last nbytes bytes of the journal.  Called at recovery to
     * drop a torn record, and after a failed sync to take back the record
     * of the event that is being reported as failed.  Without it, a torn
     * record makes plaudit_store_attach fail with PLAUDIT_ECORRUPT. */
    int (*journal_cut)(uint64_t nbytes, void *payload);

    /* MUST PROVIDE.  Replace the snapshot with these len bytes (which
     * cover the journal up to and including record seq).  Atomic: after a
     * crash or a failure, the store holds either the old snapshot or the
     * new one, whole.  Durable when it returns 0 (a file store writes a
     * temporary file, syncs it, renames it over the old one and syncs the
     * directory). */
    int (*snapshot_write)(uint64_t seq, const void *data, size_t len, void *payload);

    /* MUST PROVIDE.  Deliver the latest snapshot through fn, in order, in
     * chunks (as journal_read).  No snapshot: return 0 without calling fn.
     * If fn returns non-zero, stop and return it. */
    int (*snapshot_read)(plaudit_store_chunk_fn fn, void *fn_payload, void *payload);

    /* MAY PROVIDE (NULL: the journal only grows).  The engine has written
     * a snapshot covering every record up to and including seq: the store
     * may discard (or archive) any of those records, and must keep every
     * later one.  The discarded part must be a prefix of the journal.
     * Called only after snapshot_write returned 0, and never when the
     * options ask to keep the journal (keep_journal). */
    int (*journal_drop)(uint64_t upto_seq, void *payload);

    /* MAY PROVIDE.  The detail of the last failure, as text; the context
     * copies it right after a callback fails.  Owned by the store. */
    const char *(*errmsg)(void *payload);

    /* MAY PROVIDE.  Called once when the context lets go of the store:
     * plaudit_store_detach or plaudit_ctx_free after a successful
     * plaudit_store_attach.  Frees what payload holds, if the store wants
     * the context to own it. */
    void (*close)(void *payload);

    /* The caller's pointer, passed as the last argument of every slot. */
    void *payload;

    /* ---- Slots of version 2 (a version 1 struct ends before them) ---- */

    /* MAY PROVIDE (both or neither; without them the outbox's
     * acknowledged position is not durable: see OUTBOX in plaudit.h).
     * ack_write: make `seq` the acknowledged position of the outbox,
     * durably and atomically (after a crash ack_read gives this value or
     * the one before, never a mix).  Positions only grow.  On failure the
     * old position must still be the one read back. */
    int (*ack_write)(uint64_t seq, void *payload);
    /* Give the last position ack_write stored in *seq (0 when none). */
    int (*ack_read)(uint64_t *seq, void *payload);
} plaudit_store;

#define PLAUDIT_STORE_INIT { PLAUDIT_STORE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* Initialise *store to PLAUDIT_STORE_INIT with the given version (1 or
 * PLAUDIT_STORE_VERSION: a version 1 struct is the shorter one, filled up
 * to payload).  Returns PLAUDIT_OK or PLAUDIT_EVERSION. */
PLAUDIT_EXPORT int plaudit_store_init(plaudit_store *store, unsigned version);

/* Call store->close(store->payload) if the slot is set, then clear *store.
 * For a store that was never attached, or whose attach failed (on success
 * the context closes it).  NULL does nothing. */
PLAUDIT_EXPORT void plaudit_store_close(plaudit_store *store);

/* Encoding helpers for stores and tools in C: CRC-32C (Castagnoli,
 * reflected, initial value and final xor 0xFFFFFFFF) of len bytes,
 * continued from crc (pass 0 to start). */
PLAUDIT_EXPORT uint32_t plaudit_crc32c(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PLAUDIT_STORE_H */
