/*
 * store — the SQLite file behind a tsg_db_t: opening, the schema and its
 * migrations (PRAGMA user_version), and transactions.
 *
 * Every table holding the network keys its rows by node.nid, so ids are unique
 * across districts, organisations, programs and forums, ties reference nodes
 * by integer, and rows keep the order they were written in (nid order), which
 * is the order export writes them back in.
 *
 * Foreign keys are on, the journal is WAL, and a busy timeout lets a reader
 * and a writer share the file. store_begin/commit/rollback wrap one write;
 * a failed write is rolled back by its caller, never half-committed.
 */
#ifndef TSG_STORE_H
#define TSG_STORE_H

#include "tsunagi.h"
#include "atomic.h"
#include <sqlite3.h>
#include <stdint.h>

struct tsg_db {
    sqlite3 *sql;
    char *path;
    char *held;          /* a file in use beside the database (tsg_db_hold), or NULL */
    util_guard_t guard;  /* built by store_guard */
    int migrate_from;    /* an older schema tsg_create left to the first write (store_begin), or 0 */
    const void *functions_of; /* the session whose SQL functions and dated names the connection holds */
    unsigned long writes;     /* bumped by a session's write (qry_data_changed): data_version does not move
                               * for this connection's own commits, which its other sessions must see */
};

/* The files no writer may replace while db is open: the database and its
 * -wal, -shm and -journal (under the name given and the name its links
 * resolve to, where SQLite keeps them), and the held file. Rebuilt on each
 * call; NULL when out of memory, which a writer treats as a refusal. */
const util_guard_t *store_guard(tsg_db_t *db);

/* The longest name (bytes) the store takes: the language's quoted-name
 * limit (GRAM_MAX_STRING), so every stored name can be written in it. */
#define STORE_MAX_NAME 65536u

/* Whether a column name means data about one person (a client's name,
 * birth date, address …): such columns are refused, never stored. */
int store_personal_column(const char *name);

/* Whether the rows can be trusted (TSG_EDB "PATH: damaged database: …"
 * otherwise, naming up to five broken rows): every column the loaders read
 * holds the type they need, every reference (foreign key) finds its row,
 * every node has the row its type names, and no district is its own
 * ancestor. Reads only (on a big file a second connection reads the ties,
 * and a third holds the write lock while the two reads begin, writing
 * nothing: check.h). The calls that read the network run it: a session
 * once per change of the file, summary and the exports once per call. */
tsg_status_t store_check(tsg_db_t *db, tsg_error_t *err);

/* Refuses a database that holds a trigger (tsunagi makes none; one would run
 * with tsunagi's own changes), naming it; path names the file. */
tsg_status_t store_no_triggers(sqlite3 *sql, const char *path, tsg_error_t *err);

/* The in-memory indexes are arrays by nid, so node numbers far beyond the
 * node count (a hand-edited file) would size them by an id's value: such a
 * file is refused (renumbered by export and import) rather than indexed. */
#define STORE_NID_SLACK 65536
tsg_status_t store_check_nids(const char *path, int64_t count, int64_t maxnid, tsg_error_t *err);

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION 4

/* Dates as numbers for comparisons: util_date_first/last (util/bounds.h). */

/* A database read and never written (COMPARE WITH's other file): opened
 * SQLITE_OPEN_READONLY, its journal mode left as it is; a WAL file with no
 * log beside it is read as immutable, so no -wal or -shm is made beside it.
 * A file of an older schema is refused (TSG_EDB), not migrated: the message
 * says how to bring it up to date. */
tsg_status_t store_open_read_only(const char *path, tsg_db_t **out, tsg_error_t *err);

/* The one transaction API. A write: store_begin (BEGIN IMMEDIATE, so a
 * concurrent writer is waited for at the start, not met half-way), then
 * store_commit (which rolls back if the commit fails) or store_rollback.
 * A database tsg_create found in an older schema is migrated at the start
 * of its first write, inside that transaction: a write that fails leaves
 * the file in its old schema, byte for byte.
 * A read that must see one moment across tables: store_read_begin, then
 * store_read_end; a savepoint, so it nests inside a write or another read. */
tsg_status_t store_begin(tsg_db_t *db, tsg_error_t *err);
tsg_status_t store_commit(tsg_db_t *db, tsg_error_t *err);
void store_rollback(tsg_db_t *db);
tsg_status_t store_read_begin(tsg_db_t *db, tsg_error_t *err);
void store_read_end(tsg_db_t *db);

/* A copy of db in memory (copy.c), to change without changing db: one
 * moment of the file, taken with SQLite's backup; closed with tsg_close.
 * Its path is db's, so writers still refuse db's own files. */
tsg_status_t store_copy(tsg_db_t *db, tsg_db_t **out, tsg_error_t *err);

/* Runs SQL without results; on failure the message names `what`. */
tsg_status_t store_exec(sqlite3 *sql, const char *stmts, const char *what, tsg_error_t *err);

/* Prepares a statement; reports SQLite's message on failure. */
tsg_status_t store_prepare(sqlite3 *sql, const char *text, sqlite3_stmt **st, tsg_error_t *err);

/* Sets err from SQLite's last error on `sql`. */
tsg_status_t store_fail_sql(sqlite3 *sql, const char *what, tsg_error_t *err);

/* SQLite's last error on sql for a user: a read-only database, a full disk
 * or a failed write named with the database file (into text), else msg or
 * SQLite's own message. */
const char *store_sql_reason(sqlite3 *sql, const char *msg, char *text, size_t size);

#endif
