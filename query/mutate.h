/*
 * mutate — what the statements that change the network share between
 * mutate.c (ADD, SET, REMOVE, and qry_exec_mutation) and mutate_tie.c (TIE,
 * UNTIE): the statement's state, its SQL runner and its clause reader.
 * Strings these return live in the statement's arena; failures are recorded
 * in the session (qry_fail) and returned as a status.
 */
#ifndef TSG_QUERY_MUTATE_H
#define TSG_QUERY_MUTATE_H

#include "clauses.h"
#include "query.h"
#include "sqlbind.h"

typedef struct field {
    const ast_clause_t *c;    /* NULL when the clause is not given */
    int none;                 /* an optional value cleared */
    const char *text;         /* NAME, ID, HOURS, a date (STARTS, ENDS, SINCE), or a key */
    const char **keys;        /* FOR, NEEDS, MODES */
    const qry_name_t *node;   /* OF, IN */
    const qry_name_t **areas; /* AREA, unless wide */
    size_t n;                 /* items in keys or areas */
    int wide;
    int has_lo, has_hi;
    long lo, hi;              /* AGED; COUNT in lo */
} field_t;

typedef struct mut {
    qry_session_t *s;
    const ast_stmt_t *st;
    int type;               /* QRY_* of the node written, 0 for ties */
    int adding;
    const qry_name_t *node; /* SET, REMOVE: the node */
    field_t f[QRY_F_N];
    int order[QRY_F_N];         /* clauses as written, for SET's message */
    size_t norder;
    unsigned given;
    int64_t changes;        /* rows the last write touched */
    char msg[1024];         /* what the statement did, emitted after commit */
} mut_t;

#define ROW_COLS 8

typedef struct row {
    int64_t num[ROW_COLS];
    const char *text[ROW_COLS]; /* in the statement's arena; NULL for NULL */
} row_t;

/* A copy of z (n bytes) in the statement's arena, or NULL. */
char *qry_mut_strdup(mut_t *m, const char *z, size_t n);
/* Runs one statement; with `out`, keeps its first row. */
tsg_status_t qry_mut_sql(mut_t *m, const char *sql, const qry_bind_t *b, size_t nb, row_t *out);
/* Today (util_today, TSUNAGI_TODAY in tests) as YYYY-MM-DD: the day a change by hand verifies its row. */
void qry_mut_today(char out[11]);
/* Reads every clause of the statement into m->f. */
tsg_status_t qry_mut_clauses(mut_t *m);
/* A vocabulary key as this run's messages name it (its label in Japanese). */
const char *qry_mut_shown(const mut_t *m, const char *kind, const char *key);

/* SET's history (mutate_history.c): before the write, each changed
 * field's old value into old[] (qry_mut_history_nfields() entries; NULL
 * for a field not changed), refusing a change dated before the field's last
 * kept change; after it, a history row (until = `until`) for each field
 * whose value differs. */
size_t qry_mut_history_nfields(void);
tsg_status_t qry_mut_history_before(mut_t *m, int64_t nid, const char *until, const char **old);
tsg_status_t qry_mut_history_after(mut_t *m, int64_t nid, const char *until, const char **old);
/* The statement's ON date (ISO), or today's when it has none, in the
 * statement's arena; NULL when out of memory. */
const char *qry_mut_on(mut_t *m);

/* REMOVE's and UNTIE's clauses: ON 'date' only, into m->f[QRY_F_ON]. */
tsg_status_t qry_mut_on_clause(mut_t *m, const char *label);

/* mutate_period.c. REMOVE … ON date: the node ends that day. */
tsg_status_t qry_mut_end_node(mut_t *m, const char *date);
/* Refuses (caret at `at`) a change on day to node n when n has ended on or
 * before it; as_owner: n is to own a program (ADD/SET … OF n). */
tsg_status_t qry_mut_not_ended(mut_t *m, const qry_name_t *n, const char *day, const gram_token_t *at, int as_owner);
/* ADD's ID clause naming an ended organisation or forum of m->type: that
 * node (its next period), else NULL. */
const qry_name_t *qry_mut_returning(mut_t *m);
/* m->node's next period from day: the earlier since and until kept in
 * history until day; *was gets the earlier until. */
tsg_status_t qry_mut_reopen(mut_t *m, const char *day, const char **was);
/* m->node's name from day (ADD again under another name), the old one kept. */
tsg_status_t qry_mut_rename(mut_t *m, const char *name, const char *day);
tsg_status_t qry_mut_tie(mut_t *m);
tsg_status_t qry_mut_untie(mut_t *m);

#endif
