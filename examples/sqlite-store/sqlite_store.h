/* sqlite_store.h - an example Plaudit store that keeps the journal and the
 * snapshot in the platform's own SQLite database (see sqlite_store.c). */
#ifndef PLAUDIT_EXAMPLE_SQLITE_STORE_H
#define PLAUDIT_EXAMPLE_SQLITE_STORE_H

#include <sqlite3.h>

#include <plaudit.h>

/* Fill *out with a store on db (which the caller opened and keeps open
 * for as long as the store is attached).  Creates the tables
 * plaudit_journal(seq INTEGER PRIMARY KEY, rec BLOB) and
 * plaudit_snapshot(id INTEGER PRIMARY KEY CHECK (id = 1), seq, data) if
 * missing.  The store's payload is freed by out->close (called by the
 * context on detach, or by plaudit_store_close).  Returns 0, or
 * PLAUDIT_EUSER with a message in *err (static text or sqlite3_errmsg). */
int sqlite_store_open(sqlite3 *db, plaudit_store *out, const char **err);

#endif
