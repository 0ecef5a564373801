/* check — the parts of store_check (store.h) shared by check.c, which
 * orders the checks and words the references', the tree's and the
 * history's findings, and check_rows.c, which reads every row once in C:
 * each column's type and value, and on the way what the references and
 * the node kinds need (a national file's rows are checked in a few
 * seconds, not the 15 s the same checks took as SQL).
 *
 * A damage_t owns its text; store_check frees it. */
#ifndef TSG_STORE_CHECK_H
#define TSG_STORE_CHECK_H

#include "store.h"
#include "util.h"

#include <stdint.h>

/* The problems found, the first few of them in words. */
typedef struct damage {
    util_buf_t text;
    long n;
    int nomem;
} damage_t;

/* Findings worded; each table lists at most LISTED + 1 (one more tells
 * "and more"). */
enum { LISTED = 5 };

void store_check_note(damage_t *d, const char *fmt, ...) UTIL_PRINTF(2, 3);

/* What the row scan learnt of the nodes, to spare the references' and the
 * kinds' SQL when the file is whole. type[nid] (nid 1..max) is the node's
 * type (STORE_NODE_*; 0: no node), rows[nid] one bit (1 << (type - 1)) per
 * node table that has a row with that nid. Both NULL when the node numbers
 * are too sparse to index: then the SQL checks everything. */
enum { STORE_NODE_DISTRICT = 1, STORE_NODE_ORGANISATION, STORE_NODE_PROGRAM, STORE_NODE_FORUM, STORE_NODE_OTHER };

typedef struct store_check_nodes {
    unsigned char *type, *rows;
    int64_t max;
    int dangles; /* a reference the scan checks finds no row */
} store_check_nodes_t;

void store_check_nodes_free(store_check_nodes_t *nodes);

/* One table's findings: its first LISTED + 1 wrong rows, each as
 * "what\x1Fcolumn\x1Fvalue[\x1Fmore]", and whether a reference it holds
 * finds no row. */
typedef struct store_check_found {
    int64_t row[LISTED + 1];
    char w[LISTED + 1][512];
    int n;
    int dangles;
} store_check_found_t;

/* The checks of the tie table, its references too (nodes indexed), into
 * f: the second connection's part. Reads nodes->type only. */
tsg_status_t store_check_ties(sqlite3 *sql, store_check_nodes_t *nodes, store_check_found_t *f, tsg_error_t *err);

/* A second connection that reads the moment db's check reads
 * (check_split.c): on a big file the tie table is checked on it, on a
 * thread of its own, while the other tables are checked on db's. */
typedef struct store_check_second store_check_second_t;

/* Opens the check's read of db (SAVEPOINT store_check, its first read
 * made) and, when db has at least split_ties ties and the moment can be
 * made certainly the same, a second connection reading that moment
 * (*second; NULL when not). Without SQLite's snapshots, the moment is
 * made one by a third connection holding the write lock (BEGIN IMMEDIATE)
 * while both reads begin: no commit can come between them. Where it cannot
 * take the lock (a read-only file, a writer at work) or db is already in a
 * transaction, there is no second connection. */
tsg_status_t store_check_begin(tsg_db_t *db, int64_t split_ties, store_check_second_t **second, tsg_error_t *err);
/* Starts the tie table's check on the second connection (nodes' types are
 * read, not written, until the join); 0 when started. */
int store_check_second_start(store_check_second_t *second, store_check_nodes_t *nodes);
/* Waits for it; *found is second's (valid until store_check_end). */
tsg_status_t store_check_second_join(store_check_second_t *second, const store_check_found_t **found, tsg_error_t *err);
/* Ends the check's read of db and closes second (NULL: none). */
void store_check_end(tsg_db_t *db, store_check_second_t *second);

/* store_check with the tie table checked on a second connection when it
 * has split_ties rows or more (and the moment can be shared); store_check
 * splits at STORE_CHECK_SPLIT_TIES (a thread and two connections cost a
 * few milliseconds: a city's file is checked in one piece). */
#define STORE_CHECK_SPLIT_TIES 200000
tsg_status_t store_check_with(tsg_db_t *db, int64_t split_ties, tsg_error_t *err);

/* Every column check of every table, findings in order (tables in a fixed
 * order, rows by rowid, a row's first wrong column, LISTED + 1 a table);
 * fills nodes (freed with store_check_nodes_free). With second, the tie
 * table is checked there, beside the others. */
tsg_status_t store_check_rows(sqlite3 *sql, damage_t *d, store_check_nodes_t *nodes, store_check_second_t *second,
                              tsg_error_t *err);
/* Whether text is a date as the import stores it: util_date_parse's ISO
 * form is the text itself, every part its full width, dashes between. */
int store_check_is_date(const char *text);

/* Whether some node lacks the row its type names or a row's node has
 * another type (the scan's answer to check.c's kinds query). */
int store_check_kinds_wrong(const store_check_nodes_t *nodes);

/* The foreign keys the scan checks itself, as "table.column>parent" each
 * followed by a space; any other foreign key of the schema is left to
 * SQLite's foreign_key_check, table by table. */
extern const char store_check_scanned_fks[];

/* The tables whose foreign keys store_check hands to SQLite's
 * foreign_key_check (those with one the scan does not check), each
 * followed by a space, into out. For a test: a new foreign key on a big
 * table must be checked by the scan, or its whole table is read again. */
tsg_status_t store_check_sqlite_fk_tables(sqlite3 *sql, util_buf_t *out, tsg_error_t *err);

#endif
