/*
 * hsds_import — what the files of the HSDS import share (hsds.h says what
 * the import reads and how it maps it). One job a file:
 *   hsds_read.c    the package: its CSV tables read whole into memory, its
 *                  layout, and Ohana's JSON side files;
 *   hsds_rules.c   the mapping file: its rules read and checked, and what
 *                  they say of a key, a default, a code or a name;
 *   hsds_map.c     HSDS records onto tsunagi's model, written as tsunagi's
 *                  CSV files in memory (hsds_t.out);
 *   hsds_own.c     the same for a package tsunagi wrote: its x_tsunagi_*
 *                  tables give the network back exactly;
 *   hsds_import.c  the whole import, and its report.
 *
 * The import's state (hsds_t) owns everything it points to, and
 * tsg_import_hsds frees it; a pkg_t is freed with store_hsds_pkg_free.
 * Every fallible function returns a status with its message in h->err;
 * out of memory is one too. Text returned from a table (store_hsds_cell)
 * belongs to the table.
 */
#ifndef TSG_STORE_HSDS_IMPORT_H
#define TSG_STORE_HSDS_IMPORT_H

#include "i18n.h"
#include "idmap.h"
#include "tsunagi.h"
#include "util.h"

#include <jansson.h>

/* A whole CSV file in memory: header names and every row's cells. */
typedef struct table {
    const char *name; /* file name as found, e.g. "services.csv" */
    int present;
    size_t ncols, nrows;
    char **cols;
    char **cells; /* nrows * ncols */
    long *line;   /* where each row starts */
    store_idmap_t byid; /* column "id" → row, built on demand */
} table_t;

enum { R_MAP_KEY, R_MAP_DEFAULT, R_MAP_NAME, R_MAP_CODE };

typedef struct rule {
    int kind;
    char *scheme, *code, *field, *value;
    int amin, amax; /* field "age": -1 open */
} rule_t;

typedef struct district {
    char *id, *name, *parent;
    const char *level;
} district_t;

typedef struct hsds {
    tsg_error_t *err;
    char *base;  /* the folder holding the CSV files */
    char *label; /* the folder as the user wrote it */
    tsg_hsds_report_t *rep;
    size_t rowcap;
    rule_t *rules;
    size_t nrules;
    district_t *dist;
    size_t ndist;
    store_idmap_t distmap; /* folded "state\x1fcity" → district */
    util_buf_t out[6];     /* the translated tsunagi files */
} hsds_t;

enum { OUT_DISTRICTS, OUT_ORGS, OUT_PROGRAMS, OUT_FORUMS, OUT_TIES, OUT_VOCAB };

static inline tsg_status_t store_hsds_nomem(hsds_t *h) { return util_fail(h->err, TSG_ENOMEM, _("out of memory")); }

/* ---- hsds_import.c ---------------------------------------------------------- */

/* A row skipped (skipped 1) or repaired for the report; the detail is
 * printf-style, fmt NULL for none. */
tsg_status_t store_hsds_note(hsds_t *h, const char *file, long line, const char *id, int skipped, const char *reason,
                             const char *fmt, ...) UTIL_PRINTF(7, 8);

/* ---- hsds_read.c ------------------------------------------------------------ */

enum { LAYOUT_HSDS, LAYOUT_OHANA };

typedef struct pkg {
    int layout;
    table_t orgs, services, locations, sal, addresses, areas, elig;
    table_t svc_tax, taxonomy, attributes, terms, taxonomies;
    /* tsunagi's own extension tables (a package export-hsds wrote) */
    table_t x_districts, x_orgs, x_services, x_forums, x_ties, x_vocab;
    json_t *icarol, *categories; /* Ohana side files */
} pkg_t;

/* Reads the package in folder `dir` (its CSVs at the top or in data/). */
tsg_status_t store_hsds_load_package(hsds_t *h, pkg_t *p, const char *dir);
void store_hsds_pkg_free(pkg_t *p);
/* The index of column `name`, or -1. */
int store_hsds_col(const table_t *t, const char *name);
/* The cell at row, column c; "" for a missing column (c < 0). */
const char *store_hsds_cell(const table_t *t, size_t row, int c);
/* The row whose id is `id` in a table indexed by id; -1 if none. */
long store_hsds_row_of(const table_t *t, const char *id);
/* Spaces and tabs around s removed, in place. */
void store_hsds_trim(char *s);
/* ASCII letters in s to lower case, in place. */
void store_hsds_lower_ascii(char *s);

/* ---- hsds_rules.c ----------------------------------------------------------- */

/* Reads the mapping file at `path`, or the built-in one when path is NULL,
 * into h->rules. */
tsg_status_t store_hsds_read_mapping(hsds_t *h, const char *path);
int store_hsds_known_key(hsds_t *h, const char *kind, const char *key);
/* The `default` rule's value for field, or NULL. */
const char *store_hsds_default_of(hsds_t *h, const char *field);
int store_hsds_covers(const char *p, const char *c);
const char *store_hsds_sector_of(hsds_t *h, const char *name);

/* ---- hsds_map.c ------------------------------------------------------------- */

/* A name as tsunagi keeps it (control, bidirectional and zero-width
 * characters removed or made spaces, spaces trimmed): a new string, NULL
 * when out of memory; *why says what was repaired, NULL for nothing. */
char *store_hsds_clean_name(const char *in, const char **why);
/* Translates the package into tsunagi's CSV files in h->out. */
tsg_status_t store_hsds_translate(hsds_t *h, pkg_t *p);
/* ---- hsds_own.c ------------------------------------------------------------- */

/* Whether the package is one export-hsds wrote (it has x_tsunagi_services). */
int store_hsds_is_own(const pkg_t *p);
/* Translates such a package into h->out from its x_tsunagi_* tables, with
 * the names and ages of its HSDS organizations and services. */
tsg_status_t store_hsds_own(hsds_t *h, pkg_t *p);

/* Appends one CSV row of n cells to b; -1 when out of memory. */
int store_hsds_put_row(util_buf_t *b, const char *const *cells, size_t n);

#endif
