/*
 * clauses — the field clauses of ADD, SET and TIE: one declarative table
 * (word, where it belongs, the kind of value it takes, the noun SET
 * reports, its usage line) and the one reader of that open word list
 * (clauses.c). The analyses' clauses are grammar rules (tsunagi.y); what
 * they share with these (a date) is a value kind here too.
 */
#ifndef TSG_QUERY_CLAUSES_H
#define TSG_QUERY_CLAUSES_H

#include "query.h"

/* The fields, in the order they are written. */
enum {
    QRY_F_NAME, QRY_F_SECTOR, QRY_F_KIND, QRY_F_LEVEL, QRY_F_OF, QRY_F_FOR, QRY_F_AGED, QRY_F_NEEDS, QRY_F_MODES,
    QRY_F_APPROACH, QRY_F_AREA, QRY_F_IN_SYSTEM, QRY_F_HOURS, QRY_F_STARTS, QRY_F_ENDS, QRY_F_IN, QRY_F_ID,
    QRY_F_COUNT, QRY_F_SINCE, QRY_F_ON, QRY_F_N
};

/* Where a clause word may appear: bit 1 << QRY_* for ADD/SET of that type,
 * bit 0 for TIE. */
#define QRY_W_TIE 1u
#define QRY_W_D (1u << QRY_DISTRICT)
#define QRY_W_O (1u << QRY_ORGANISATION)
#define QRY_W_P (1u << QRY_PROGRAM)
#define QRY_W_F (1u << QRY_FORUM)
/* REMOVE and UNTIE, which take ON 'date' only. */
#define QRY_W_END (1u << 5)

/* The kinds of value a field clause takes. */
typedef enum qry_vkind {
    QRY_VK_NAME,  /* a node's new name */
    QRY_VK_ID,    /* a node's new id */
    QRY_VK_KEY,   /* one vocabulary key (kind) */
    QRY_VK_KEYS,  /* a list of them */
    QRY_VK_NODE,  /* one node of the types in `nodes` */
    QRY_VK_AREA,  /* districts, or * */
    QRY_VK_AGES,  /* an age range */
    QRY_VK_TEXT,  /* free text */
    QRY_VK_COUNT, /* a count of people a year */
    QRY_VK_DATE   /* a date (qry_date) */
} qry_vkind_t;

typedef struct qry_field_info {
    qry_vkind_t value;
    const char *kind;  /* vocabulary kind of its keys, or NULL */
    unsigned nodes;    /* QRY_VK_NODE: the node types */
    const char *noun;  /* what SET reports as changed (msgctxt "field", translated where shown) */
    const char *usage; /* how to write it, for a missing required clause */
    int list;          /* takes several values */
    int clearable;     /* optional, so SET may clear it with the word none */
} qry_field_info_t;

extern const qry_field_info_t qry_field_info[QRY_F_N];

/* Finds each clause of `list` in the table among the words that belong
 * `where` (a QRY_W_* bit; NAME only when not adding, since ADD names the
 * node before its clauses): found[f] is field f's clause or NULL, order[]
 * the fields as written (*norder of them). An unknown word, one of another
 * statement and a field given twice are errors naming `label` (e.g. "ADD
 * program") and the words it takes. */
tsg_status_t qry_fields_read(qry_session_t *s, const ast_clause_t *list, unsigned where, int adding, const char *label,
                             const ast_clause_t **found, int *order, size_t *norder);

/* What the table of a statement (its text, as tsg_result_t.statement)
 * holds, translated ("gaps", "centrality", and for FIND the kind it finds,
 * copied into word), for an untitled table's sheet name; NULL if nothing
 * is known. */
const char *qry_statement_holds(const char *statement, char *word, size_t size);

#endif
