/*
 * csv — RFC 4180 reading and writing, with positions for error messages.
 *
 * The reader works on a UTF-8 buffer it does not own (see textenc.h for
 * getting one from a file's bytes) and yields one record at a time; the
 * fields of the current record, and their line and column, belong to the
 * reader and are valid until the next call. Columns count characters (code
 * points) from 1, as an editor shows them. A record may span lines inside
 * quotes; lines that are completely empty are not records and are skipped.
 *
 * Malformed quoting is an error naming file:line:column; nothing is guessed.
 */
#ifndef TSG_STORE_CSV_H
#define TSG_STORE_CSV_H

#include "tsunagi.h"
#include "util.h"

typedef struct store_csv {
    const char *file;        /* label for messages, e.g. "mycity/ties.csv" */
    const char *p, *end;
    long line, col;          /* position of p */
    util_buf_t text;         /* the record's unescaped fields, NUL-separated */
    size_t n, cap;
    size_t *off;
    long *fline, *fcol;
    char **field;            /* n pointers into text */
    long rec_line;           /* line where the record starts */
} store_csv_t;

void store_csv_init(store_csv_t *c, const char *file, const char *data, size_t len);
void store_csv_free(store_csv_t *c);

/* Reads the next record: *have is 1 with a record, 0 at end of input. */
tsg_status_t store_csv_next(store_csv_t *c, int *have, tsg_error_t *err);

/* Appends one field (quoted only when it must be) and, unless last, a comma;
 * after the last field of a row a "\n". NULL writes an empty field. */
int store_csv_put(util_buf_t *out, const char *field, int last);

#endif
