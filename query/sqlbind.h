/*
 * sqlbind — SQL with bound values, the one binder of every evaluator that
 * writes SQL (eval.c's FIND/COUNT/LET, show.c, mutate.c): a value
 * (qry_bind_t: an integer, a text or NULL) per '?' of a statement, bound
 * in order; and a builder (qry_sql_t) that appends SQL text and its values
 * side by side, so a user's value is never spliced into the SQL text.
 *
 * Texts are not copied: they must outlive the statement (the statement's
 * arena or the session hold them). A builder that ran out of memory
 * remembers it (oom) and qry_sql_prepare reports it; qry_sql_free frees
 * what it holds.
 */
#ifndef TSG_QUERY_SQLBIND_H
#define TSG_QUERY_SQLBIND_H

#include "query.h"

typedef struct qry_bind {
    char kind; /* 'i', 't', or 0 for NULL */
    int64_t num;
    const char *text;
} qry_bind_t;

static inline qry_bind_t qry_b_num(int64_t x) { return (qry_bind_t){'i', x, NULL}; }
/* A text, or NULL when t is NULL. */
static inline qry_bind_t qry_b_text(const char *t) { return (qry_bind_t){t ? 't' : 0, 0, t}; }
/* x when has, else NULL. */
static inline qry_bind_t qry_b_opt(int has, int64_t x) { return (qry_bind_t){has ? 'i' : 0, x, NULL}; }

/* A literal list of values and its length, for the calls below:
 * qry_sql_exec(s, at, "… ?1 … ?2", QRY_BINDS(qry_b_text(a), qry_b_num(n))). */
#define QRY_BINDS(...) (const qry_bind_t[]){__VA_ARGS__}, sizeof((const qry_bind_t[]){__VA_ARGS__}) / sizeof(qry_bind_t)

/* Binds b[0..n) to st's parameters 1..n; SQLITE_OK or SQLite's error. */
int qry_bind_apply(sqlite3_stmt *st, const qry_bind_t *b, size_t n);
/* Runs one statement that returns no rows, with b[0..n) bound; errors
 * recorded at `at`. */
tsg_status_t qry_sql_exec(qry_session_t *s, const gram_token_t *at, const char *sql, const qry_bind_t *b, size_t n);

typedef struct qry_sql {
    util_buf_t sql;
    qry_bind_t *b;
    size_t n, cap;
    int alias; /* the next free table alias number (eval.c's nested conditions) */
    int oom;
} qry_sql_t;

void qry_sql_add(qry_sql_t *q, const char *s);
/* Appends a template with every '@' replaced by alias. */
void qry_sql_add_t(qry_sql_t *q, const char *tmpl, const char *alias);
void qry_sql_int(qry_sql_t *q, int64_t i);
void qry_sql_text(qry_sql_t *q, const char *t);
void qry_sql_free(qry_sql_t *q);
/* Prepares q and binds its values; refuses (as an internal error) a
 * statement whose '?' count differs from the values given, which would
 * bind them to the wrong places. Errors are recorded at `at`. */
tsg_status_t qry_sql_prepare(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, sqlite3_stmt **st);
/* Runs q and emits its rows as one table titled `title` (NULL: none);
 * `people` names a column of people counts (published as "<N" under
 * --suppress-below), or is NULL. */
tsg_status_t qry_sql_emit(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, const char *title, const char *people);

/* A column of q that holds vocabulary keys of `kind` (one key, or several
 * joined by ';'; kind "ages": a program's ages, "12..39" or "all"), and the name of the label column put beside it (a msgid
 * of context "column", e.g. NC_("column", "targets_label")). */
/* Two kinds for SHOW's field/value table: the field's name (translated,
 * msgctxt "field"), and a value whose kind is its row's field (the first
 * column: targets → target, kind → forum_kind, …). */
#define QRY_KEYED_FIELD "@field"
#define QRY_KEYED_BY_FIELD "@by-field"
typedef struct qry_keyed_col {
    const char *col, *label, *kind;
} qry_keyed_col_t;
/* qry_sql_emit, with a label column after each of `keyed`'s columns
 * (ended by {NULL}): the keys' labels, shown in Japanese in place of the
 * keys, kept beside them in CSV and JSON, and left out in English
 * (qry_result_keyed). */
tsg_status_t qry_sql_emit_keyed(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, const char *title,
                                const char *people, const qry_keyed_col_t *keyed);

#endif
