/* check_rows — every row read once, its columns checked in C; see check.h. */
#include "check.h"
#include "bounds.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* What a column must hold. The rules of a table are tried in order and the
 * first that fails is the row's finding, as the CASE query that came
 * before this scan had it (docs/decisions.md, h-check). */
typedef enum {
    R_TEXT,      /* text */
    R_TEXT_NULL, /* text or NULL */
    R_INT,       /* integer */
    R_INT_NULL,  /* integer or NULL */
    R_ONE_OF,    /* NULL or one of set (comma-separated) */
    R_KEY,       /* NULL or a key of the vocabulary's kind set */
    R_MAX,       /* NULL or at most max */
    R_DATE,      /* NULL or a date as the import stores it */
    R_AFTER,     /* starts (column) not after ends (other) */
    R_POSITIVE,  /* at least 1 */
} rule_kind_t;

typedef struct rule {
    rule_kind_t kind;
    const char *column, *set, *other;
    long long max;
} rule_t;

#define T(c) {R_TEXT, c, NULL, NULL, 0}
#define t(c) {R_TEXT_NULL, c, NULL, NULL, 0}
#define I(c) {R_INT, c, NULL, NULL, 0}
#define i(c) {R_INT_NULL, c, NULL, NULL, 0}
#define IN(c, set) {R_ONE_OF, c, set, NULL, 0}
/* A key the vocabulary does not know (the import refuses it; a statement
 * would silently leave the row out of every group). */
#define K(c, kind) {R_KEY, c, kind, NULL, 0}
/* A number past the import's limit (the loaders read it as it is, and an
 * export of it could not be imported again). */
#define MAX(c, max) {R_MAX, c, NULL, NULL, max}
/* A date the import would refuse (util_date_parse, ISO form). */
#define D(c) {R_DATE, c, NULL, NULL, 0}

/* The scan's own reference checks: a column (or the row's nid) and the
 * rows it must find. */
typedef enum { TO_NONE, TO_NODE, TO_DISTRICT, TO_ORGANISATION, TO_PROGRAM } target_t;

typedef struct ref {
    const char *column;
    target_t to;
} ref_t;

enum { MAX_RULES = 24, MAX_REFS = 3 };

static const struct table_rules {
    const char *table;
    rule_t rules[MAX_RULES];
    int node_bit; /* the node type whose rows this table holds (STORE_NODE_*), 0 none */
    ref_t refs[MAX_REFS];
} tables[] = {
    {"vocab", {T("kind"), T("key"), T("label_ja"), I("builtin")}, 0, {{0}}},
    {"vocab_alias", {T("kind"), T("alias"), T("key")}, 0, {{0}}},
    {"node", {{R_POSITIVE, "nid", NULL, NULL, 0}, T("id"), T("type"), IN("type", "district,organisation,program,forum")},
     0, {{0}}},
    {"district", {T("name"), T("level"), i("parent"), IN("level", "prefecture,municipality,ward,school_district,neighbourhood")},
     STORE_NODE_DISTRICT, {{0}}},
    {"organisation", {T("name"), T("sector"), i("district"), t("since"), t("until"), t("verified"), K("sector", "sector"),
                      D("since"), D("until"), D("verified")},
     STORE_NODE_ORGANISATION, {{"nid", TO_NODE}, {"district", TO_DISTRICT}}},
    {"program", {T("name"), I("org"), i("age_min"), i("age_max"), t("approach"), I("wide_area"), t("in_system"),
                 t("hours"), t("starts"), t("ends"), t("until"), t("verified"), MAX("age_min", UTIL_MAX_AGE),
                 MAX("age_max", UTIL_MAX_AGE), D("starts"), D("ends"), D("until"), D("verified"),
                 {R_AFTER, "starts", NULL, "ends", 0}},
     STORE_NODE_PROGRAM, {{"nid", TO_NODE}, {"org", TO_ORGANISATION}}},
    {"program_target", {I("program"), I("pos"), T("target"), K("target", "target")}, 0, {{"program", TO_PROGRAM}}},
    {"program_need", {I("program"), I("pos"), T("need"), K("need", "need")}, 0, {{"program", TO_PROGRAM}}},
    {"program_mode", {I("program"), I("pos"), T("mode"), K("mode", "mode")}, 0, {{"program", TO_PROGRAM}}},
    {"program_area", {I("program"), I("pos"), I("district")}, 0, {{"program", TO_PROGRAM}, {"district", TO_DISTRICT}}},
    {"forum", {T("name"), T("kind"), i("district"), t("since"), t("until"), t("verified"), K("kind", "forum_kind"),
               D("since"), D("until"), D("verified")},
     STORE_NODE_FORUM, {{0}}},
    {"tie", {I("src"), I("dst"), T("kind"), I("directed"), i("count"), t("since"), t("until"), t("verified"),
             t("status"), IN("kind", "referral,co_support,info_sharing,agreement,membership"), IN("directed", "0,1"),
             MAX("count", UTIL_MAX_COUNT), D("since"), D("until"), D("verified"),
             IN("status", "reported,confirmed,unverified")},
     0, {{"src", TO_NODE}, {"dst", TO_NODE}}},
    {"history", {i("nid"), i("tid"), T("field"), t("value"), T("until"), D("until")}, 0, {{0}}},
    {"default_need", {T("target"), I("pos"), T("need"), K("target", "target"), K("need", "need")}, 0, {{0}}},
};

#undef T
#undef t
#undef I
#undef i
#undef IN
#undef K
#undef MAX
#undef D

/* The refs above, as the schema's foreign_key_list names them. */
const char store_check_scanned_fks[] = " organisation.nid>node organisation.district>district program.nid>node "
                                       "program.org>organisation program_target.program>program "
                                       "program_need.program>program program_mode.program>program "
                                       "program_area.program>program program_area.district>district tie.src>node "
                                       "tie.dst>node ";

/* ---- the words of a finding ------------------------------------------------------ */

/* A column's type as the check names it (SQLite's typeof). */
static const char *type_word(int type)
{
    static const char *const words[] = {NC_("SQL type", "integer"), NC_("SQL type", "real"), NC_("SQL type", "text"),
                                        NC_("SQL type", "blob"), NC_("SQL type", "null")};
    return util_pgettext_ctx("SQL type", words[type >= SQLITE_INTEGER && type <= SQLITE_NULL ? type - 1 : 4]);
}

/* One wrong column of a row: "what\x1Fcolumn\x1Fvalue[\x1Fmore]", the
 * form the CASE query gave (and cut at the same length). */
static void note_column(damage_t *d, const char *table, long long row, const char *w)
{
    char buf[512];
    char *f[4] = {NULL, NULL, NULL, NULL};
    util_snprintf(buf, sizeof buf, "%s", w);
    char *p = buf;
    for (int k = 0; k < 4 && p; k++) {
        f[k] = p;
        p = strchr(p, '\x1f');
        if (p) *p++ = '\0';
    }
    const char *c = f[1] ? f[1] : "?", *v = f[2] ? f[2] : "?", *more = f[3] ? f[3] : "?";
    switch (f[0][0]) {
    case 'v': store_check_note(d, _("%s row %lld: %s is %s"), table, row, c, v); break;
    case 'm': store_check_note(d, _("%s row %lld: %s is %s, over %s"), table, row, c, v, more); break;
    case 'd': store_check_note(d, _("%s row %lld: %s is %s, not a date"), table, row, c, v); break;
    case 'a': store_check_note(d, _("%s row %lld: starts %s is after ends %s"), table, row, v, more); break;
    default: store_check_note(d, C_("damage", "%s row %lld: %s is %s"), table, row, c, v);
    }
}

/* ---- one table -------------------------------------------------------------------- */

/* A vocabulary kind's keys, as `key NOT IN (SELECT key FROM vocab WHERE
 * kind = …)` compares them: text by its bytes, a number by its text (the
 * comparison's text affinity), a blob equal to no text; a NULL key makes
 * NOT IN unknown for every value the keys lack, so nothing is wrong. */
typedef struct keyset {
    char **key;
    size_t *len;
    size_t n;
    int has_null;
} keyset_t;

static void keyset_free(keyset_t *k)
{
    for (size_t j = 0; j < k->n; j++) free(k->key[j]);
    free(k->key);
    free(k->len);
    memset(k, 0, sizeof *k);
}

static tsg_status_t keyset_load(sqlite3 *sql, const char *kind, keyset_t *k, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT key FROM vocab WHERE kind = ?1", &st, err);
    if (s) return s;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int type = sqlite3_column_type(st, 0);
        if (type == SQLITE_NULL) k->has_null = 1;
        if (type == SQLITE_NULL || type == SQLITE_BLOB) continue;
        const char *text = (const char *)sqlite3_column_text(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        char **key = realloc(k->key, (k->n + 1) * sizeof *key);
        if (key) k->key = key;
        size_t *len = key ? realloc(k->len, (k->n + 1) * sizeof *len) : NULL;
        if (len) k->len = len;
        char *copy = len && text ? malloc(n + 1) : NULL;
        if (!copy) {
            sqlite3_finalize(st);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
        memcpy(copy, text, n + 1);
        k->key[k->n] = copy;
        k->len[k->n++] = n;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : store_fail_sql(sql, _("database"), err);
}

/* A vocabulary holds a few dozen keys of a kind: a look at each is quick. */
static int keyset_lacks(const keyset_t *k, const char *text, size_t n)
{
    for (size_t j = 0; j < k->n; j++)
        if (k->len[j] == n && !memcmp(k->key[j], text, n)) return 0;
    return !k->has_null;
}

static int one_of(const char *set, const char *text, size_t n)
{
    for (const char *p = set;;) {
        size_t len = strcspn(p, ",");
        if (len == n && !memcmp(p, text, n)) return 1;
        if (!p[len]) return 0;
        p += len + 1;
    }
}

/* The ISO form written out for each of the millions of dates cost a
 * second: the text's shape says the same. */
int store_check_is_date(const char *text)
{
    int n = text ? util_date_parse(text, NULL) : 0;
    size_t len = n ? strlen(text) : 0;
    return n && len == (n == 1 ? 4u : n == 2 ? 7u : 10u) && (n < 2 || text[4] == '-') && (n < 3 || text[7] == '-');
}

/* The scan of one table: its statement, where each rule's column is in
 * it, its keys. */
typedef struct scan {
    const struct table_rules *tr;
    sqlite3_stmt *st, *quote;
    int col[MAX_RULES], other[MAX_RULES], ref[MAX_REFS], ncols;
    int node_type; /* node: where its type is; 0 in another table */
    keyset_t keys[MAX_RULES];
    sqlite3_value *v[MAX_RULES + MAX_REFS + 1]; /* this row's columns */
    int type[MAX_RULES + MAX_REFS + 1];
} scan_t;

/* The column's place in the statement, added to names when new. */
static int column_at(const char *names[], int *n, const char *column)
{
    for (int k = 0; k < *n; k++)
        if (!strcmp(names[k], column)) return k + 1;
    names[(*n)++] = column;
    return *n;
}

static tsg_status_t scan_open(sqlite3 *sql, const struct table_rules *tr, scan_t *sc, tsg_error_t *err)
{
    const char *names[MAX_RULES + MAX_REFS];
    int n = 0;
    memset(sc, 0, sizeof *sc);
    sc->tr = tr;
    tsg_status_t s = TSG_OK;
    for (int r = 0; r < MAX_RULES && tr->rules[r].column; r++) {
        sc->col[r] = column_at(names, &n, tr->rules[r].column);
        if (tr->rules[r].other) sc->other[r] = column_at(names, &n, tr->rules[r].other);
        if (!s && tr->rules[r].kind == R_KEY) s = keyset_load(sql, tr->rules[r].set, &sc->keys[r], err);
    }
    for (int r = 0; r < MAX_REFS && tr->refs[r].column; r++) sc->ref[r] = column_at(names, &n, tr->refs[r].column);
    if (!strcmp(tr->table, "node")) sc->node_type = column_at(names, &n, "type");
    sc->ncols = n;
    /* Names from tables[] only, never from the file or the user. */
    util_buf_t select = {0};
    int nomem = util_buf_adds(&select, "SELECT rowid");
    for (int k = 0; k < n; k++) nomem |= util_buf_printf(&select, ", \"%s\"", names[k]);
    nomem |= util_buf_printf(&select, " FROM \"%s\" ORDER BY rowid", tr->table);
    if (!s && nomem) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s) s = store_prepare(sql, select.data, &sc->st, err);
    util_buf_free(&select);
    return s;
}

static void scan_close(scan_t *sc)
{
    sqlite3_finalize(sc->st);
    sqlite3_finalize(sc->quote);
    for (int r = 0; r < MAX_RULES; r++) keyset_free(&sc->keys[r]);
}

/* SQLite's quote() of column k, as the CASE query put it in its message
 * (a number by hand: one read as text would be quoted as text). */
static const char *quoted(scan_t *sc, int k, char *buf, size_t size)
{
    if (sc->type[k] == SQLITE_INTEGER) {
        snprintf(buf, size, "%lld", (long long)sqlite3_value_int64(sc->v[k]));
        return buf;
    }
    snprintf(buf, size, "?");
    if (!sc->quote && sqlite3_prepare_v2(sqlite3_db_handle(sc->st), "SELECT quote(?1)", -1, &sc->quote, NULL))
        return buf;
    sqlite3_bind_value(sc->quote, 1, sc->v[k]);
    if (sqlite3_step(sc->quote) == SQLITE_ROW && sqlite3_column_text(sc->quote, 0))
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(sc->quote, 0));
    sqlite3_reset(sc->quote);
    return buf;
}

/* v in decimal, into buf (24 bytes). */
static const char *decimal(int64_t v, char *buf)
{
    char *p = buf + 23;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    *p = '\0';
    do *--p = (char)('0' + u % 10); while (u /= 10);
    if (v < 0) *--p = '-';
    return p;
}

/* The row's first wrong column as "what\x1Fcolumn\x1Fvalue[\x1Fmore]" into
 * w; 0 when the row is right. */
static int wrong_column(scan_t *sc, char *w, size_t size)
{
    char value[512], num[24];
    for (int r = 0; r < MAX_RULES && sc->tr->rules[r].column; r++) {
        const rule_t *rule = &sc->tr->rules[r];
        int k = sc->col[r], type = sc->type[k];
        const char *text;
        switch (rule->kind) {
        case R_TEXT:
        case R_TEXT_NULL:
        case R_INT:
        case R_INT_NULL: {
            int want = rule->kind <= R_TEXT_NULL ? SQLITE_TEXT : SQLITE_INTEGER;
            if (type == want || (type == SQLITE_NULL && (rule->kind == R_TEXT_NULL || rule->kind == R_INT_NULL)))
                continue;
            util_snprintf(w, size, "t\x1f%s\x1f%s", rule->column, type_word(type));
            return 1;
        }
        case R_ONE_OF:
        case R_KEY:
            if (type == SQLITE_NULL) continue;
            /* A number as the text it equals (directed IN (0,1)). */
            text = type == SQLITE_INTEGER ? decimal(sqlite3_value_int64(sc->v[k]), num)
                                          : (const char *)sqlite3_value_text(sc->v[k]);
            size_t n = type == SQLITE_INTEGER ? strlen(text) : (size_t)sqlite3_value_bytes(sc->v[k]);
            if (rule->kind == R_ONE_OF ? one_of(rule->set, text ? text : "", n) : !keyset_lacks(&sc->keys[r], text ? text : "", n))
                continue;
            util_snprintf(w, size, "v\x1f%s\x1f%s", rule->column, quoted(sc, k, value, sizeof value));
            return 1;
        case R_POSITIVE:
            if (sqlite3_value_int64(sc->v[k]) >= 1) continue;
            util_snprintf(w, size, "v\x1f%s\x1f%lld", rule->column, (long long)sqlite3_value_int64(sc->v[k]));
            return 1;
        case R_MAX:
            if (type == SQLITE_NULL || sqlite3_value_int64(sc->v[k]) <= rule->max) continue;
            util_snprintf(w, size, "m\x1f%s\x1f%lld\x1f%lld", rule->column, (long long)sqlite3_value_int64(sc->v[k]),
                          rule->max);
            return 1;
        case R_DATE:
            if (type == SQLITE_NULL || store_check_is_date((const char *)sqlite3_value_text(sc->v[k]))) continue;
            util_snprintf(w, size, "d\x1f%s\x1f%s", rule->column, quoted(sc, k, value, sizeof value));
            return 1;
        case R_AFTER: {
            const char *starts = (const char *)sqlite3_value_text(sc->v[k]);
            const char *ends = (const char *)sqlite3_value_text(sc->v[sc->other[r]]);
            long first = util_date_first(starts), last = util_date_last(ends);
            if (!first || !last || first <= last) continue;
            util_snprintf(w, size, "a\x1f%s\x1f%s\x1f%s", rule->column, starts, ends);
            return 1;
        }
        }
    }
    return 0;
}

/* ---- the nodes ---------------------------------------------------------------------- */

static int node_type(const char *type)
{
    static const char *const names[] = {"district", "organisation", "program", "forum"};
    for (int k = 0; k < 4; k++)
        if (type && !strcmp(type, names[k])) return k + 1;
    return STORE_NODE_OTHER;
}

/* What the row tells the nodes: the node's type, the node table's row, a
 * reference that finds nothing (into f). The type of a node is written by
 * the scan of node only, before the tie scan reads it on another thread;
 * the rows' bits, by the node tables' scans, which that one does not read. */
static void note_nodes(store_check_nodes_t *nodes, const scan_t *sc, int64_t rowid, store_check_found_t *f)
{
    int64_t max = nodes->max;
    if (sc->node_type) {
        if (rowid >= 1 && rowid <= max)
            nodes->type[rowid] = (unsigned char)node_type((const char *)sqlite3_value_text(sc->v[sc->node_type]));
        return;
    }
    if (sc->tr->node_bit && rowid >= 1 && rowid <= max) nodes->rows[rowid] |= (unsigned char)(1u << (sc->tr->node_bit - 1));
    for (int r = 0; r < MAX_REFS && sc->tr->refs[r].column; r++) {
        int k = sc->ref[r];
        if (sc->type[k] == SQLITE_NULL) continue;
        int64_t v = sqlite3_value_int64(sc->v[k]);
        int ok = sc->type[k] == SQLITE_INTEGER && v >= 1 && v <= max;
        switch (sc->tr->refs[r].to) {
        case TO_NODE: ok = ok && nodes->type[v]; break;
        case TO_DISTRICT: ok = ok && (nodes->rows[v] & 1u << (STORE_NODE_DISTRICT - 1)); break;
        case TO_ORGANISATION: ok = ok && (nodes->rows[v] & 1u << (STORE_NODE_ORGANISATION - 1)); break;
        case TO_PROGRAM: ok = ok && (nodes->rows[v] & 1u << (STORE_NODE_PROGRAM - 1)); break;
        case TO_NONE: break;
        }
        if (!ok) f->dangles = 1;
    }
}

int store_check_kinds_wrong(const store_check_nodes_t *nodes)
{
    for (int64_t nid = 1; nid <= nodes->max; nid++) {
        unsigned type = nodes->type[nid], rows = nodes->rows[nid];
        /* A node and no row; a row whose node has another type. */
        if (type && type != STORE_NODE_OTHER && !(rows & 1u << (type - 1))) return 1;
        if (type && rows & ~(type == STORE_NODE_OTHER ? 0u : 1u << (type - 1))) return 1;
    }
    return 0;
}

/* The nodes are indexed by nid when that takes no more than this. */
enum { MAX_INDEXED_NID = 1 << 28 };

static tsg_status_t nodes_init(sqlite3 *sql, store_check_nodes_t *nodes, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT max(nid) FROM node", &st, err);
    if (s) return s;
    int rc = sqlite3_step(st);
    int64_t max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) return store_fail_sql(sql, _("database"), err);
    nodes->max = max < 0 ? 0 : max;
    nodes->dangles = 0;
    if (max > MAX_INDEXED_NID) return TSG_OK;
    /* calloc: the pages a sparse file never touches stay unmapped. */
    nodes->type = calloc((size_t)nodes->max + 1, 1);
    nodes->rows = nodes->type ? calloc((size_t)nodes->max + 1, 1) : NULL;
    if (!nodes->rows) {
        free(nodes->type);
        nodes->type = NULL;
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    return TSG_OK;
}

void store_check_nodes_free(store_check_nodes_t *nodes)
{
    free(nodes->type);
    free(nodes->rows);
    nodes->type = nodes->rows = NULL;
}

/* The checks of one table, into f; with refs (and nodes indexed), its
 * references and node rows too. Reads nodes->type; writes it (table node)
 * or nodes->rows (a node table) only. */
static tsg_status_t check_table(sqlite3 *sql, const struct table_rules *tr, store_check_nodes_t *nodes, int refs,
                                store_check_found_t *f, tsg_error_t *err)
{
    memset(f, 0, sizeof *f);
    refs = refs && nodes->type;
    scan_t sc;
    tsg_status_t s = scan_open(sql, tr, &sc, err);
    /* Held, the connection's mutex makes the rows' values safe to read with
     * sqlite3_value_*, which take it no more (sqlite3_column_* took it for
     * each column of each row: a sixth of the scan). */
    sqlite3_mutex *mutex = sqlite3_db_mutex(sql);
    sqlite3_mutex_enter(mutex);
    int rc = SQLITE_DONE;
    while (!s && f->n <= LISTED && (rc = sqlite3_step(sc.st)) == SQLITE_ROW) {
        for (int c = 0; c <= sc.ncols; c++) {
            sc.v[c] = sqlite3_column_value(sc.st, c);
            sc.type[c] = sqlite3_value_type(sc.v[c]);
        }
        int64_t rowid = sqlite3_value_int64(sc.v[0]);
        if (wrong_column(&sc, f->w[f->n], sizeof f->w[f->n])) f->row[f->n++] = rowid;
        /* The nodes matter only to a file whose columns hold. */
        else if (refs && !f->n) note_nodes(nodes, &sc, rowid, f);
    }
    if (!s && rc != SQLITE_DONE && rc != SQLITE_ROW) s = store_fail_sql(sql, _("database"), err);
    sqlite3_mutex_leave(mutex);
    scan_close(&sc);
    return s;
}

tsg_status_t store_check_ties(sqlite3 *sql, store_check_nodes_t *nodes, store_check_found_t *f, tsg_error_t *err)
{
    for (size_t k = 0; k < sizeof tables / sizeof *tables; k++)
        if (!strcmp(tables[k].table, "tie")) return check_table(sql, &tables[k], nodes, 1, f, err);
    return TSG_OK; /* not reached: tables[] has tie */
}

/* The findings of f in words, into d. */
static void found_note(damage_t *d, const char *table, const store_check_found_t *f)
{
    for (int i = 0; i < f->n; i++) note_column(d, table, (long long)f->row[i], f->w[i]);
}

tsg_status_t store_check_rows(sqlite3 *sql, damage_t *d, store_check_nodes_t *nodes, store_check_second_t *second,
                              tsg_error_t *err)
{
    tsg_status_t s = nodes_init(sql, nodes, err);
    int tie_there = 0; /* the tie table is being checked on the second connection */
    store_check_found_t f;
    for (size_t k = 0; !s && k < sizeof tables / sizeof *tables; k++) {
        const char *table = tables[k].table;
        if (tie_there && !strcmp(table, "tie")) {
            const store_check_found_t *there;
            tie_there = 0;
            if ((s = store_check_second_join(second, &there, err))) break;
            found_note(d, table, there);
            nodes->dangles |= there->dangles;
            continue;
        }
        /* Past LISTED findings the text is what it will be (the second
         * connection's is waited for all the same). */
        if (d->n > LISTED && !tie_there) break;
        if (d->n > LISTED) continue;
        if ((s = check_table(sql, &tables[k], nodes, !d->n, &f, err))) break;
        found_note(d, table, &f);
        nodes->dangles |= f.dangles;
        /* The node types are known: the ties can be checked beside the rest
         * (unless the findings are already all that will be listed). */
        if (!strcmp(table, "node") && second && d->n <= LISTED) tie_there = !store_check_second_start(second, nodes);
    }
    if (tie_there) {
        const store_check_found_t *there;
        store_check_second_join(second, &there, NULL);
    }
    return s;
}

tsg_status_t store_check_sqlite_fk_tables(sqlite3 *sql, util_buf_t *out, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql,
                                   "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_schema m,"
                                   " pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY m.rowid, f.id",
                                   &st, err);
    if (s) return s;
    char last[128] = "", fk[256];
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        util_snprintf(fk, sizeof fk, " %s.%s>%s ", table, (const char *)sqlite3_column_text(st, 1),
                      (const char *)sqlite3_column_text(st, 2));
        if (strstr(store_check_scanned_fks, fk) || !strcmp(table, last)) continue;
        util_snprintf(last, sizeof last, "%s", table);
        if (util_buf_printf(out, "%s ", table)) {
            sqlite3_finalize(st);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : store_fail_sql(sql, _("database"), err);
}
