/* check_split — the tie table checked on a second connection, on a thread
 * of its own, beside the other tables; see check.h. A national file's ties
 * are half of its rows: on two cores the check takes the time of the
 * larger half. */
#include "check.h"
#include "i18n.h"

#include <pthread.h>
#include <stdlib.h>

struct store_check_second {
    sqlite3 *sql; /* reading the moment the check's read of db reads */
    pthread_t thread;
    int running;
    store_check_nodes_t *nodes;
    store_check_found_t found;
    tsg_status_t s;
    tsg_error_t err;
};

/* The number of ties, near enough (tid is the rowid: max(tid) is one look). */
static int64_t ties_of(sqlite3 *sql)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(sql, "SELECT max(tid) FROM main.tie", -1, &st, NULL) != SQLITE_OK) return 0;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *open_file(const char *file, int flags)
{
    sqlite3 *c = NULL;
    if (sqlite3_open_v2(file, &c, flags, NULL) == SQLITE_OK) return c;
    sqlite3_close(c);
    return NULL;
}

static void close_second(store_check_second_t *sc)
{
    if (!sc) return;
    if (sc->running) pthread_join(sc->thread, NULL);
    sqlite3_close(sc->sql); /* its read ends with it */
    free(sc);
}

tsg_status_t store_check_begin(tsg_db_t *db, int64_t split_ties, store_check_second_t **second, tsg_error_t *err)
{
    sqlite3 *sql = db->sql, *lock = NULL;
    store_check_second_t *sc = NULL;
    /* A file of its own, read and written with SQLite's locks (not a copy in
     * memory, not opened read-only or immutable), and no read of db open
     * yet: one begun earlier may have seen an earlier moment. The ties are
     * counted first: inside a transaction that has read nothing yet, the
     * count is its first read, and fixes its moment before the lock. */
    const char *file = sqlite3_db_filename(sql, "main");
    int split = file && *file && !sqlite3_db_readonly(sql, "main") && ties_of(sql) >= split_ties &&
                sqlite3_txn_state(sql, "main") == SQLITE_TXN_NONE;
    if (split && (sc = calloc(1, sizeof *sc)) && (lock = open_file(file, SQLITE_OPEN_READWRITE)) &&
        sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
        (sc->sql = open_file(file, SQLITE_OPEN_READONLY)) &&
        sqlite3_exec(sc->sql, "BEGIN; SELECT 1 FROM main.sqlite_master LIMIT 1", NULL, NULL, NULL) == SQLITE_OK) {
        *second = sc;
        sc = NULL;
    } else {
        *second = NULL;
    }
    close_second(sc);
    tsg_status_t s = store_exec(sql, "SAVEPOINT store_check", _("database"), err);
    /* db's first read fixes its moment: still under the lock, so the same
     * as the second connection's. */
    if (!s && sqlite3_exec(sql, "SELECT 1 FROM main.sqlite_master LIMIT 1", NULL, NULL, NULL) != SQLITE_OK) {
        s = store_fail_sql(sql, _("database"), err);
        sqlite3_exec(sql, "RELEASE store_check", NULL, NULL, NULL);
    }
    if (lock) sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(lock);
    if (s) {
        close_second(*second);
        *second = NULL;
    }
    return s;
}

static void *check_ties(void *arg)
{
    store_check_second_t *sc = arg;
    sc->s = store_check_ties(sc->sql, sc->nodes, &sc->found, &sc->err);
    return NULL;
}

int store_check_second_start(store_check_second_t *second, store_check_nodes_t *nodes)
{
    second->nodes = nodes;
    if (pthread_create(&second->thread, NULL, check_ties, second)) return -1;
    second->running = 1;
    return 0;
}

tsg_status_t store_check_second_join(store_check_second_t *second, const store_check_found_t **found, tsg_error_t *err)
{
    if (second->running) pthread_join(second->thread, NULL);
    second->running = 0;
    *found = &second->found;
    if (second->s && err) *err = second->err;
    return second->s;
}

void store_check_end(tsg_db_t *db, store_check_second_t *second)
{
    close_second(second);
    sqlite3_exec(db->sql, "RELEASE store_check", NULL, NULL, NULL);
}
