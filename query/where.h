/*
 * where — the kinds of row FIND, COUNT and LET read, their fields, and
 * conditions as SQL (where.c). Private to query/: the tables are static
 * data; qry_cond_sql appends to q and binds every value, never splicing it.
 */
#ifndef TSG_QUERY_WHERE_H
#define TSG_QUERY_WHERE_H

#include "query.h"
#include "sqlbind.h"

/* F_PEOPLE: a count of people, an F_INT that --suppress-below hides. */
typedef enum { F_KEY, F_NODE, F_TEXT, F_INT, F_AGE, F_DISTRICT, F_AREA, F_DATE, F_PEOPLE } ftype_t;

typedef struct field {
    const char *name;
    ftype_t type;
    const char *vocab;  /* F_KEY: the vocabulary kind */
    unsigned types;     /* F_NODE: the node types allowed */
    const char *sql;    /* '@' = the alias, '?' = the value; F_INT/F_DATE: the column */
} field_t;

typedef struct kind {
    const char *plural, *singular;
    int type;           /* QRY_*, or 0 for ties */
    const char *from;   /* FROM clause, '@' = the alias */
    const char *select; /* the columns FIND shows; the last, verified, the day the row was last confirmed */
    const char *scope;  /* IN 'district', with one '?' (or two for programs) */
    int scope_binds;
    const field_t *fields;
    const qry_keyed_col_t *keyed; /* the columns of vocabulary keys FIND shows, and their labels */
} kind_t;

/* The districts as of the statement's day (tsg_as_of()), a table with the
 * columns nid, name, level, parent. A district is not dated (it exists
 * every day), but SET … ON keeps its old name, level and parent in history,
 * and the dated tables have no district_at: the readers that show a
 * district's name, level or parent select from this instead of district.
 * The rule is the dated tables' (the kept value with the smallest until
 * after the day, else the row's own); the district tree that IN walks is
 * still the file's (the session's cache of parents). */
#define QRY_KEPT(f)                                                                                            \
    "(SELECT h.value FROM main.history h WHERE h.nid = d.nid AND h.field = '" f "'"                           \
    " AND tsg_day(h.until) > tsg_as_of() ORDER BY tsg_day(h.until), h.hid LIMIT 1)"
#define QRY_DISTRICT_AT                                                                                        \
    "(SELECT d.nid AS nid, coalesce(" QRY_KEPT("name") ", d.name) AS name, coalesce(" QRY_KEPT("level")        \
    ", d.level) AS level, CASE WHEN EXISTS " QRY_KEPT("parent") " THEN (SELECT r.nid FROM main.node r"          \
    " WHERE r.id = " QRY_KEPT("parent") ") ELSE d.parent END AS parent FROM main.district d)"

/* Every kind, in the order Tab offers them. */
extern const kind_t qry_kinds[];
extern const size_t qry_nkinds;

/* The kind a word names (folded by the tokenizer), or NULL. */
const kind_t *qry_find_kind(const char *f);
/* Condition c on rows of kind k (table alias `alias`) appended to q. */
tsg_status_t qry_cond_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c);

#endif
