/*
 * import_cells — one file of the CSV folder as the import reads it, for the
 * tables that make sense of its rows (import.c): the file read through the
 * source and decoded, its header matched to the file's columns (spec_t),
 * its rows one at a time, and each cell trimmed, split into a list, or
 * checked as a name, a vocabulary key, a new id or a reference to one
 * already read, a whole number or a date.
 *
 * All state is the import's imp_t, made and freed by store_import. A cell's
 * text belongs to the reader and lives until the next row; a key a cell
 * resolves to belongs to im->vocab; an id's entry to im->ids. A check that
 * fails returns TSG_EINPUT with "file:line:column: message" in im->err,
 * the column being the cell's, or the item's in a list.
 */
#ifndef TSG_STORE_IMPORT_CELLS_H
#define TSG_STORE_IMPORT_CELLS_H

#include "csv.h"
#include "idmap.h"
#include "interchange.h"
#include "store.h"
#include "util.h"
#include "vocab.h"

enum { T_DISTRICT = 1, T_ORGANISATION, T_PROGRAM, T_FORUM };

#define MAX_COLS 16
#define MAX_ITEMS 256

typedef struct spec {
    const char *file;
    const char *cols[MAX_COLS + 1];
    int required; /* the first `required` columns must be there; 0: all of them */
} spec_t;

/* The INSERTs of import.c's stmt_sql, by index into imp_t.st. */
enum { S_NODE, S_DISTRICT, S_ORG, S_PROGRAM, S_TARGET, S_NEED, S_MODE, S_AREA, S_FORUM, S_TIE, S_VOCAB,
       S_ALIAS, S_COUNT };

typedef struct imp {
    sqlite3 *sql;
    const store_source_t *src;
    tsg_encoding_t enc;
    tsg_error_t *err;
    store_vocab_t vocab;
    store_idmap_t ids, ties;
    tsg_import_counts_t counts;
    char label[1024];
    char *text;
    store_csv_t csv;
    const spec_t *spec;
    int map[MAX_COLS];   /* spec column -> field index in the record */
    size_t header_n;
    char *items[MAX_ITEMS];
    long item_col[MAX_ITEMS];
    size_t nitems;
    sqlite3_stmt *st[16];
} imp_t;

/* ---- errors ---------------------------------------------------------------- */

/* An input error at line:col of the current file. */
tsg_status_t store_imp_fail_at(imp_t *im, long line, long col, const char *fmt, ...) UTIL_PRINTF(4, 5);

#define FIELD_LINE(im, c) ((im)->csv.fline[(im)->map[c]])
#define FIELD_COL(im, c) ((im)->csv.fcol[(im)->map[c]])
#define FAILC(im, c, ...) store_imp_fail_at((im), FIELD_LINE(im, c), FIELD_COL(im, c), __VA_ARGS__)

tsg_status_t store_imp_nomem(imp_t *im);
tsg_status_t store_imp_step(imp_t *im, int which);

/* ---- files ----------------------------------------------------------------- */

/* Opens spec's file and reads its header. A missing file is an error unless
 * `present` is given, where it is 0. */
tsg_status_t store_imp_open_file(imp_t *im, const spec_t *spec, int *present);
tsg_status_t store_imp_next_row(imp_t *im, int *have);
void store_imp_close_file(imp_t *im);

/* ---- cells: c is the index of a column in the file's spec ------------------ */

/* The cell as read, untrimmed. */
const char *store_imp_cell(imp_t *im, int c);
char *store_imp_trim_cell(imp_t *im, int c);
/* The items go to im->items, their columns to im->item_col. */
tsg_status_t store_imp_split(imp_t *im, int c, const char *what);
/* The key of `text` in vocabulary kind `kind`, or an error at line:col. */
tsg_status_t store_imp_resolve_at(imp_t *im, const char *kind, const char *text, long line, long col,
                                  const char **key);
tsg_status_t store_imp_key_cell(imp_t *im, int c, const char *kind, int optional, const char **key);
tsg_status_t store_imp_name_cell(imp_t *im, int c, const char **name);
/* What a reference may point to: each has its own messages (import_cells.c). */
enum { REF_DISTRICT, REF_PARENT, REF_ORG, REF_MEMBER_ORG, REF_MEMBER_FORUM, REF_TIE_END, REF_NODE /* any */ };
tsg_status_t store_imp_ref_at(imp_t *im, const char *id, int ref, long line, long col, const store_id_t **out);
/* The translated "unknown … id '%s' (did you mean %s?)" of a reference. */
const char *store_imp_ref_named_fmt(int ref);
/* A new node's id: checked, recorded in im->ids with `aux`, and its node
 * row written; *nid is the row's. */
tsg_status_t store_imp_new_id(imp_t *im, int c, int type, int64_t *nid, size_t aux);
/* years: the number is an age ("… is not a whole number of years"). */
tsg_status_t store_imp_int_cell(imp_t *im, int c, long lo, long hi, int years, int *null, long *val);
tsg_status_t store_imp_date_cell(imp_t *im, int c, char *out, int *null);

/* ---- history.csv (import_history.c) ---------------------------------------- */

/* The folder's history.csv, if it has one, read after ties.csv: every row
 * checked against the rows already read and written to `history`. */
tsg_status_t store_imp_history(imp_t *im);

#endif
