/*
 * interchange — the CSV folder format of docs/data-format.md: import (all
 * checks, one transaction, replaces the network) and export (canonical form).
 *
 * Import reads its files through a store_source_t, so the same code reads a
 * folder on disk and the sample city compiled into the library. A source
 * returns each file's raw bytes (the importer decodes them); `found` is 0 for
 * a file that does not exist. The bytes returned belong to the caller of
 * read(), who frees them with free().
 */
#ifndef TSG_STORE_INTERCHANGE_H
#define TSG_STORE_INTERCHANGE_H

#include "tsunagi.h"

typedef struct store_source store_source_t;
struct store_source {
    const char *label; /* prefix of file names in messages ("mycity") */
    tsg_status_t (*read)(const store_source_t *src, const char *name, char **data, size_t *len,
                         int *found, tsg_error_t *err);
    const void *ctx;
};

tsg_status_t store_import(tsg_db_t *db, const store_source_t *src, tsg_encoding_t enc,
                          tsg_import_counts_t *counts, tsg_error_t *err);

/* tsg_import_csv, and with skip_history the folder's history.csv left unread. */
tsg_status_t store_import_dir(tsg_db_t *db, const char *dir, tsg_encoding_t enc, int skip_history,
                              tsg_import_counts_t *counts, tsg_error_t *err);

/* A file compiled into the library (the sample city). */
typedef struct store_embedded {
    const char *name;
    const unsigned char *data;
    size_t len;
} store_embedded_t;

extern const store_embedded_t store_sample_files[]; /* ends with a NULL name */

/* A source over an array of embedded files. */
tsg_status_t store_embedded_read(const store_source_t *src, const char *name, char **data, size_t *len,
                                 int *found, tsg_error_t *err);

#endif
