/* example.c - keep Plaudit's journal in the platform's own SQLite
 * database: record events, snapshot, restart, and check that the state
 * came back to the same digest; a failing INSERT rejects the event and
 * changes nothing.  Run by `meson test` (exit status 0 = pass).
 * Usage: sqlite-store-example [database-file] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlite_store.h"

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

static plaudit_ctx *platform_ctx(void)
{
    plaudit_ctx *ctx;
    CHECK(plaudit_ctx_new(&ctx, NULL) == PLAUDIT_OK);
    plaudit_action_def a = PLAUDIT_ACTION_DEF_INIT;
    a.id = "answer";
    a.points = 10;
    CHECK(plaudit_action_declare(ctx, &a) == PLAUDIT_OK);
    plaudit_tier_def t = PLAUDIT_TIER_DEF_INIT;
    t.id = "helper";
    t.min_points = 50;
    CHECK(plaudit_tier_declare(ctx, &t) == PLAUDIT_OK);
    plaudit_leaderboard_def l = PLAUDIT_LEADERBOARD_DEF_INIT;
    l.id = "month";
    l.period = PLAUDIT_PERIOD_MONTH;
    CHECK(plaudit_leaderboard_declare(ctx, &l) == PLAUDIT_OK);
    return ctx;
}

static plaudit_ctx *open_platform(sqlite3 *db)
{
    plaudit_ctx *ctx = platform_ctx();
    plaudit_store store;
    const char *err;
    CHECK(sqlite_store_open(db, &store, &err) == 0);
    int rc = plaudit_store_attach(ctx, &store, NULL);
    if (rc) fprintf(stderr, "attach: %s\n", plaudit_errmsg(ctx));
    CHECK(rc == PLAUDIT_OK);
    return ctx;
}

int main(int argc, char **argv)
{
    char path[256];
    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/plaudit-sqlite-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        close(fd);
    }
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL) == SQLITE_OK);

    plaudit_ctx *ctx = open_platform(db);
    char key[32], member[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "answer-%d", i);
        snprintf(member, sizeof member, "user%d", i % 17);
        CHECK(plaudit_record_action(ctx, 1700000000 + i * 600, member, "answer", key, NULL) == PLAUDIT_OK);
        if (i == 120) CHECK(plaudit_store_snapshot(ctx) == PLAUDIT_OK);
    }
    /* The database refuses the INSERT (a row already holds the next seq):
     * the event is rejected with the store's message, nothing changes. */
    uint64_t before = plaudit_state_digest(ctx);
    CHECK(sqlite3_exec(db, "INSERT INTO plaudit_journal VALUES (201, x'00')", NULL, NULL, NULL) == SQLITE_OK);
    int rc = plaudit_record_action(ctx, 1700200000, "user1", "answer", "late-1", NULL);
    CHECK(rc == PLAUDIT_EUSER);
    printf("rejected as expected: %s\n", plaudit_errmsg(ctx));
    CHECK(plaudit_state_digest(ctx) == before);
    CHECK(sqlite3_exec(db, "DELETE FROM plaudit_journal WHERE seq = 201", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(plaudit_record_action(ctx, 1700200000, "user1", "answer", "late-1", NULL) == PLAUDIT_OK);
    uint64_t digest = plaudit_state_digest(ctx);
    plaudit_ctx_free(ctx);

    /* restart */
    ctx = open_platform(db);
    plaudit_recovery rep;
    plaudit_store_recovery_get(ctx, &rep);
    printf("recovered: snapshot at record %llu, %llu records replayed\n", (unsigned long long)rep.snapshot_seq,
           (unsigned long long)rep.replayed);
    CHECK(rep.snapshot == 1 && rep.snapshot_seq == 121 && rep.replayed == 80);
    CHECK(plaudit_state_digest(ctx) == digest);
    CHECK(plaudit_record_action(ctx, 1700200000, "user1", "answer", "late-1", NULL) == PLAUDIT_DUPLICATE);
    plaudit_ctx_free(ctx);
    sqlite3_close(db);
    if (argc <= 1) {
        char side[300];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    printf("ok\n");
    return 0;
}
