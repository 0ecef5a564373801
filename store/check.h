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
 * kinds' SQL when the file is whole. at[nid] (nid 1..max) holds the node's
 * type (STORE_NODE_*; 0: no node) and, shifted by 3, one bit per node table
 * that has a row with that nid. at is NULL when the node numbers are too
 * sparse to index: then the SQL checks everything. */
enum { STORE_NODE_DISTRICT = 1, STORE_NODE_ORGANISATION, STORE_NODE_PROGRAM, STORE_NODE_FORUM, STORE_NODE_OTHER };

typedef struct store_check_nodes {
    unsigned char *at;
    int64_t max;
    int dangles; /* a reference the scan checks finds no row */
} store_check_nodes_t;

/* Every column check of every table, findings in order (tables in a fixed
 * order, rows by rowid, a row's first wrong column, LISTED + 1 a table);
 * fills nodes (the caller frees nodes->at). */
tsg_status_t store_check_rows(sqlite3 *sql, damage_t *d, store_check_nodes_t *nodes, tsg_error_t *err);

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
