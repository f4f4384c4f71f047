/* sqlite_store.c - an example of a real database adapter for Plaudit: the
 * journal is a table with one row per record, the snapshot one row, both
 * in the platform's own SQLite database.
 *
 * How it meets the store contract (plaudit/store.h):
 *  - journal_append is one INSERT in autocommit mode: SQLite commits it
 *    atomically and durably (with the default synchronous=FULL, or NORMAL
 *    in WAL mode, where a power loss may lose the last commits but never
 *    tears one).  So `sync` is not needed (NULL) and a torn record cannot
 *    happen: journal_cut only serves to take back a record.
 *  - journal_read selects the rows in seq order, starting at the last row
 *    with seq <= from_seq (whole records: a record boundary).
 *  - snapshot_write replaces the single snapshot row inside a transaction:
 *    atomic.
 *  - journal_drop deletes the rows the snapshot covers (a platform that
 *    wants to keep history for retroactive replay would move them to an
 *    archive table instead, and deliver them when from_seq is 1).
 * A platform that wants the event and its own writes in one transaction
 * can BEGIN before plaudit_record and COMMIT after it: the INSERT then
 * becomes part of that transaction (and the store's sync slot would be
 * where to COMMIT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *ins, *sel, *last, *del_last, *upd_last, *snap_put, *snap_get, *drop;
    char err[256];
} sq;

static int fail(sq *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
    return PLAUDIT_EUSER;
}

static const char *sq_errmsg(void *p) { return ((sq *)p)->err; }

static int sq_append(uint64_t seq, const void *data, size_t len, void *p)
{
    sq *s = p;
    sqlite3_reset(s->ins);
    sqlite3_bind_int64(s->ins, 1, (sqlite3_int64)seq);
    sqlite3_bind_blob(s->ins, 2, data, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(s->ins);
    sqlite3_clear_bindings(s->ins);
    /* A failed INSERT in autocommit mode leaves nothing behind. */
    return rc == SQLITE_DONE ? 0 : fail(s, "appending a journal record");
}

static int sq_read(uint64_t from_seq, plaudit_store_chunk_fn fn, void *fp, void *p)
{
    sq *s = p;
    sqlite3_reset(s->sel);
    sqlite3_bind_int64(s->sel, 1, (sqlite3_int64)from_seq);
    int rc;
    while ((rc = sqlite3_step(s->sel)) == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(s->sel, 0);
        int n = sqlite3_column_bytes(s->sel, 0);
        int r = n ? fn(b, (size_t)n, fp) : 0;
        if (r) {
            sqlite3_reset(s->sel);
            return r;
        }
    }
    sqlite3_reset(s->sel);
    return rc == SQLITE_DONE ? 0 : fail(s, "reading the journal");
}

/* Remove nbytes from the end: whole rows, then a shortened last row. */
static int sq_cut(uint64_t nbytes, void *p)
{
    sq *s = p;
    while (nbytes) {
        sqlite3_reset(s->last);
        if (sqlite3_step(s->last) != SQLITE_ROW) return fail(s, "cutting the journal (it is shorter)");
        sqlite3_int64 seq = sqlite3_column_int64(s->last, 0);
        uint64_t n = (uint64_t)sqlite3_column_int64(s->last, 1);
        sqlite3_reset(s->last);
        sqlite3_stmt *st = n <= nbytes ? s->del_last : s->upd_last;
        sqlite3_reset(st);
        if (st == s->upd_last) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)(n - nbytes));
            sqlite3_bind_int64(st, 2, seq);
        } else {
            sqlite3_bind_int64(st, 1, seq);
        }
        if (sqlite3_step(st) != SQLITE_DONE) return fail(s, "cutting the journal");
        nbytes -= n <= nbytes ? n : nbytes;
    }
    return 0;
}

static int sq_snap_write(uint64_t seq, const void *data, size_t len, void *p)
{
    sq *s = p;
    sqlite3_reset(s->snap_put);
    sqlite3_bind_int64(s->snap_put, 1, (sqlite3_int64)seq);
    sqlite3_bind_blob64(s->snap_put, 2, data, len, SQLITE_STATIC);
    int rc = sqlite3_step(s->snap_put); /* one statement: atomic */
    sqlite3_clear_bindings(s->snap_put);
    return rc == SQLITE_DONE ? 0 : fail(s, "writing the snapshot");
}

static int sq_snap_read(plaudit_store_chunk_fn fn, void *fp, void *p)
{
    sq *s = p;
    sqlite3_reset(s->snap_get);
    int rc = sqlite3_step(s->snap_get);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) return fail(s, "reading the snapshot");
    const void *b = sqlite3_column_blob(s->snap_get, 0);
    int n = sqlite3_column_bytes(s->snap_get, 0);
    int r = n ? fn(b, (size_t)n, fp) : 0;
    sqlite3_reset(s->snap_get);
    return r;
}

static int sq_drop(uint64_t upto, void *p)
{
    sq *s = p;
    sqlite3_reset(s->drop);
    sqlite3_bind_int64(s->drop, 1, (sqlite3_int64)upto);
    return sqlite3_step(s->drop) == SQLITE_DONE ? 0 : fail(s, "compacting the journal");
}

static void sq_close(void *p)
{
    sq *s = p;
    if (!s) return;
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->sel);
    sqlite3_finalize(s->last);
    sqlite3_finalize(s->del_last);
    sqlite3_finalize(s->upd_last);
    sqlite3_finalize(s->snap_put);
    sqlite3_finalize(s->snap_get);
    sqlite3_finalize(s->drop);
    free(s);
}

int sqlite_store_open(sqlite3 *db, plaudit_store *out, const char **err)
{
    static const char schema[] =
        "CREATE TABLE IF NOT EXISTS plaudit_journal(seq INTEGER PRIMARY KEY, rec BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS plaudit_snapshot(id INTEGER PRIMARY KEY CHECK (id = 1),"
        " seq INTEGER NOT NULL, data BLOB NOT NULL);";
    *err = NULL;
    if (plaudit_store_init(out, PLAUDIT_STORE_VERSION)) {
        *err = "store version mismatch";
        return PLAUDIT_EVERSION;
    }
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        *err = sqlite3_errmsg(db);
        return PLAUDIT_EUSER;
    }
    sq *s = calloc(1, sizeof *s);
    if (!s) {
        *err = "out of memory";
        return PLAUDIT_ENOMEM;
    }
    s->db = db;
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } q[] = {
        {&s->ins, "INSERT INTO plaudit_journal(seq, rec) VALUES (?, ?)"},
        {&s->sel, "SELECT rec FROM plaudit_journal WHERE seq >= "
                  "coalesce((SELECT max(seq) FROM plaudit_journal WHERE seq <= ?1), 0) ORDER BY seq"},
        {&s->last, "SELECT seq, length(rec) FROM plaudit_journal ORDER BY seq DESC LIMIT 1"},
        {&s->del_last, "DELETE FROM plaudit_journal WHERE seq = ?"},
        {&s->upd_last, "UPDATE plaudit_journal SET rec = substr(rec, 1, ?) WHERE seq = ?"},
        {&s->snap_put, "INSERT OR REPLACE INTO plaudit_snapshot(id, seq, data) VALUES (1, ?, ?)"},
        {&s->snap_get, "SELECT data FROM plaudit_snapshot WHERE id = 1"},
        {&s->drop, "DELETE FROM plaudit_journal WHERE seq <= ?"},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if (sqlite3_prepare_v2(db, q[i].sql, -1, q[i].st, NULL) != SQLITE_OK) {
            *err = sqlite3_errmsg(db);
            sq_close(s);
            return PLAUDIT_EUSER;
        }
    out->journal_append = sq_append;
    out->journal_read = sq_read;
    out->journal_cut = sq_cut;
    out->snapshot_write = sq_snap_write;
    out->snapshot_read = sq_snap_read;
    out->journal_drop = sq_drop;
    out->errmsg = sq_errmsg;
    out->close = sq_close;
    out->payload = s;
    return 0;
}
