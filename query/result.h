/*
 * result — building tsg_result_t tables (declared in tsunagi.h). A result
 * owns its strings, kept in a few blocks that tsg_result_free releases, except
 * the cells a builder keeps by reference (qry_result_add_refs). Builders copy
 * their arguments. On an allocation failure they return -1 and the result
 * stays valid (possibly with fewer rows), so the caller frees it as usual.
 */
#ifndef TSG_QUERY_RESULT_H
#define TSG_QUERY_RESULT_H

#include "tsunagi.h"
#include <sqlite3.h>

/* A statement keeps at most QRY_MAX_ROWS + 1 rows of one result (the rest
 * are dropped as they come), and qry_emit (query.h) refuses one with more than
 * QRY_MAX_ROWS: a question that big is a dump, which export-csv does. */
#define QRY_MAX_ROWS 1000000u

tsg_result_t *qry_result_new(const char *title, size_t ncols, const char *const *cols);
/* The header people see for column col (NULL: the column is for CSV and
 * JSON only); the key in cols stays. qry_result_new sets each header to the
 * column's translation (msgctxt "column"). -1 when out of memory. */
int qry_result_head(tsg_result_t *r, size_t col, const char *head);
/* Columns key and key + 1 hold a stable key and its label (kind, kind_label).
 * Japanese (ja): tables show the label, CSV and JSON hold both. English: the
 * label column is left out (qry_result_compact), so English output is the
 * key alone, as before labels. -1 when out of memory. */
int qry_result_keyed(tsg_result_t *r, size_t key, int ja);
/* Removes the columns qry_result_keyed left out (qry_emit calls it). */
void qry_result_compact(tsg_result_t *r);
/* A message (TSG_RESULT_MESSAGE): the sentence in column "message". */
tsg_result_t *qry_result_message(const char *text);
/* Appends a row of ncols cells (NULL allowed), copying them. */
int qry_result_add(tsg_result_t *r, const char *const *cells);
/* The same, but the cells whose bit is set in `refs` (bit c for column c,
 * c < 32) are kept by pointer, not copied. They must outlive the result:
 * string literals, or the loaded network's ids and names in a result that
 * the statement which loaded them emits (qry_emit frees it before the next
 * statement can reload the network). */
int qry_result_add_refs(tsg_result_t *r, const char *const *cells, unsigned refs);
/* A copy of `text` in the result's own storage, for the cells of several
 * rows to share by reference; NULL when out of memory. */
const char *qry_result_text(tsg_result_t *r, const char *text);
/* Replaces one cell (NULL: empty); the old text stays until the result is
 * freed. Returns -1 when out of memory, leaving the cell as it was. */
int qry_result_set(tsg_result_t *r, size_t row, size_t col, const char *text);
/* The same for a result being built in a loop: returns r, or frees it and
 * returns NULL when out of memory (and does nothing when r is NULL), so a
 * caller ends with a result or NULL for qry_emit to report. */
tsg_result_t *qry_result_row(tsg_result_t *r, const char *const *cells);
tsg_result_t *qry_result_row_refs(tsg_result_t *r, const char *const *cells, unsigned refs);
/* Rows written in place, every cell kept by pointer (as qry_result_add_refs
 * with every bit set): qry_result_room makes room for *most more rows (fewer
 * where the rows a result keeps end: *most says how many) and returns the
 * first one's cells (ncols a row), NULL when out of memory (r is then as it
 * was); qry_result_filled counts the n of them written, at most *most. For
 * a builder that knows how many rows it may add (REACH: one a node
 * reached): one allocation instead of one a power of two, and no call a
 * row. */
char **qry_result_room(tsg_result_t *r, size_t *most);
void qry_result_filled(tsg_result_t *r, size_t n);
/* Runs `sql` and turns every row into a result row; numeric columns are
 * right-aligned. */
tsg_status_t qry_result_from_sql(sqlite3 *db, const char *sql, const char *title, tsg_result_t **out,
                                 tsg_error_t *err);

#endif
