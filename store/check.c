/* check — whether the rows of a database can be trusted; see store.h. */
#include "check.h"
#include "bounds.h"
#include "vocab.h"
#include "util.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void store_check_note(damage_t *d, const char *fmt, ...)
{
    if (d->n++ >= LISTED) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (util_buf_printf(&d->text, "%s%s", d->n > 1 ? C_("between findings", "; ") : "", line)) d->nomem = 1;
}

/* The number past which history's counts are wrong, as SQL reads it (the
 * public constant has an L). */
#define CHECK_MAX_COUNT 100000000
_Static_assert(CHECK_MAX_COUNT == UTIL_MAX_COUNT, "the check's count limit is the import's");

/* The kinds check as SQL (check_kinds): a node with no row in its type's
 * table, then each node table's rows whose node has another type. */
static const char kinds_sql[] =
    "SELECT 'node', n.nid, n.type FROM node n WHERE"
    " (n.type = 'district' AND NOT EXISTS (SELECT 1 FROM district x WHERE x.nid = n.nid))"
    " OR (n.type = 'organisation' AND NOT EXISTS (SELECT 1 FROM organisation x WHERE x.nid = n.nid))"
    " OR (n.type = 'program' AND NOT EXISTS (SELECT 1 FROM program x WHERE x.nid = n.nid))"
    " OR (n.type = 'forum' AND NOT EXISTS (SELECT 1 FROM forum x WHERE x.nid = n.nid))"
    " UNION ALL SELECT 'district', x.nid, n.type FROM district x JOIN node n ON n.nid = x.nid WHERE n.type <> 'district'"
    " UNION ALL SELECT 'organisation', x.nid, n.type FROM organisation x JOIN node n ON n.nid = x.nid"
    "  WHERE n.type <> 'organisation'"
    " UNION ALL SELECT 'program', x.nid, n.type FROM program x JOIN node n ON n.nid = x.nid WHERE n.type <> 'program'"
    " UNION ALL SELECT 'forum', x.nid, n.type FROM forum x JOIN node n ON n.nid = x.nid WHERE n.type <> 'forum'"
    " LIMIT 6";

/* tsg_first_day(date): a checked date's first day as YYYYMMDD. */
static void fn_first_day(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(cx, util_date_first((const char *)sqlite3_value_text(argv[0])));
}

static tsg_status_t check_kinds(sqlite3 *sql, damage_t *d, tsg_error_t *err);

/* The id of node nid, for a message. */
static void node_id(sqlite3 *sql, int64_t nid, char *buf, size_t size)
{
    sqlite3_stmt *st;
    snprintf(buf, size, "%lld", (long long)nid);
    if (sqlite3_prepare_v2(sql, "SELECT id FROM node WHERE nid = ?1", -1, &st, NULL) != SQLITE_OK) return;
    sqlite3_bind_int64(st, 1, nid);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Whether SQLite's foreign_key_check finds a missing row in a table with a
 * foreign key the row scan does not check (into *dangles). */
static tsg_status_t sqlite_fks_dangle(sqlite3 *sql, int *dangles, tsg_error_t *err)
{
    util_buf_t tables = {0};
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_check_sqlite_fk_tables(sql, &tables, err);
    if (!s) s = store_prepare(sql, "SELECT 1 FROM pragma_foreign_key_check(?1) LIMIT 1", &st, err);
    for (char *p = tables.data, *end; !s && p && *p && !*dangles; p = end + 1) {
        end = strchr(p, ' ');
        sqlite3_bind_text(st, 1, p, (int)(end - p), SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) *dangles = 1;
        else if (rc != SQLITE_DONE) s = store_fail_sql(sql, _("database"), err);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    util_buf_free(&tables);
    return s;
}

/* Every reference finds its row, and every node has the row its type
 * names. The row scan answers for the big tables; the SQL below runs when
 * something is missing, to name it in the order it always has (SQLite's
 * foreign_key_check goes through the tables in an order of its own). */
static tsg_status_t check_references(sqlite3 *sql, damage_t *d, const store_check_nodes_t *nodes, tsg_error_t *err)
{
    int dangles = !nodes->type || nodes->dangles;
    tsg_status_t s = dangles ? TSG_OK : sqlite_fks_dangle(sql, &dangles, err);
    if (s) return s;
    /* Nothing dangles (so the scan indexed the nodes): its answer on the kinds stands. */
    if (!dangles) return store_check_kinds_wrong(nodes) ? check_kinds(sql, d, err) : TSG_OK;
    sqlite3_stmt *st, *cols = NULL;
    s = store_prepare(sql, "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check", &st, err);
    if (!s) s = store_prepare(sql, "SELECT group_concat(\"from\", ', ') FROM pragma_foreign_key_list(?1) WHERE id = ?2",
                              &cols, err);
    int rc = SQLITE_DONE;
    /* Past LISTED findings the text is what it will be: a table whose rows
     * all lost their parent is not read to its end, a node's id looked up
     * for each. */
    while (!s && d->n <= LISTED && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        const char *parent = (const char *)sqlite3_column_text(st, 2);
        sqlite3_bind_text(cols, 1, table, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(cols, 2, sqlite3_column_int64(st, 3));
        const char *from = sqlite3_step(cols) == SQLITE_ROW ? (const char *)sqlite3_column_text(cols, 0) : NULL;
        /* Rows of the node tables are named by their node's id too. */
        int64_t row = sqlite3_column_int64(st, 1);
        char id[160] = "";
        if (table && (!strcmp(table, "district") || !strcmp(table, "organisation") || !strcmp(table, "program") ||
                      !strcmp(table, "forum"))) {
            node_id(sql, row, id + 2, sizeof id - 3);
            memcpy(id, " '", 2);
            strcat(id, "'");
        }
        store_check_note(d, _("%s%s row %lld: %s refers to a missing %s row"), table ? table : "?", id, (long long)row,
             from ? from : _("a column"), parent ? parent : "?");
        sqlite3_reset(cols);
    }
    if (!s && rc != SQLITE_DONE && rc != SQLITE_ROW) s = store_fail_sql(sql, _("database"), err);
    sqlite3_finalize(st);
    sqlite3_finalize(cols);
    return s ? s : check_kinds(sql, d, err);
}

/* A node whose type names a table it has no row in, or a row whose node
 * says it is something else: FIND and the loaders look nodes up by type. */
static tsg_status_t check_kinds(sqlite3 *sql, damage_t *d, tsg_error_t *err)
{
    sqlite3_stmt *st;
    int rc;
    tsg_status_t s = store_prepare(sql, kinds_sql, &st, err);
    if (s) return s;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0), *type = (const char *)sqlite3_column_text(st, 2);
        if (!table || !type) {
            d->nomem = 1; /* the only way a literal or a checked type comes back NULL */
            continue;
        }
        if (!strcmp(table, "node"))
            store_check_note(d, _("node %lld has type %s but no row in table %s"), (long long)sqlite3_column_int64(st, 1), type, type);
        else
            store_check_note(d, _("%s row %lld belongs to node %lld, whose type is %s"), table, (long long)sqlite3_column_int64(st, 1),
                 (long long)sqlite3_column_int64(st, 1), type);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : store_fail_sql(sql, _("database"), err);
}

static size_t find_nid(const int64_t *nids, size_t n, int64_t nid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nids[mid] < nid) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && nids[lo] == nid ? lo : (size_t)-1;
}

/* A district that is its own ancestor: every walk up from it would go round
 * for ever. Each district is walked once; a walk stops at a district an
 * earlier walk finished (seen[] < the walk's own stamp) or closes a loop
 * (seen[] == its stamp). */
static tsg_status_t check_tree(sqlite3 *sql, damage_t *d, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT nid, parent FROM district ORDER BY nid", &st, err);
    if (s) return s;
    size_t n = 0, cap = 0;
    int64_t *nid = NULL, *parent = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *a = realloc(nid, cap * sizeof *a), *b = a ? realloc(parent, cap * sizeof *b) : NULL;
            if (a) nid = a;
            if (b) parent = b;
            if (!a || !b) {
                s = util_fail(err, TSG_ENOMEM, _("out of memory"));
                break;
            }
        }
        nid[n] = sqlite3_column_int64(st, 0);
        parent[n++] = sqlite3_column_int64(st, 1);
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(sql, _("database"), err);
    sqlite3_finalize(st);
    size_t *up = s ? NULL : malloc((n ? n : 1) * sizeof *up), *seen = up ? malloc((n ? n : 1) * sizeof *seen) : NULL;
    if (!s && !seen) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t i = 0; !s && i < n; i++) {
        up[i] = parent[i] ? find_nid(nid, n, parent[i]) : (size_t)-1;
        seen[i] = 0;
    }
    for (size_t i = 0; !s && i < n; i++) {
        size_t j = i;
        while (j != (size_t)-1 && !seen[j]) {
            seen[j] = i + 1;
            j = up[j];
        }
        if (j == (size_t)-1 || seen[j] != i + 1) continue;
        /* j is on a loop: name it, up to a few districts. */
        char path[400] = "", id[128];
        size_t len = 0, k = j;
        int steps = 0;
        do {
            node_id(sql, nid[k], id, sizeof id);
            len += (size_t)util_snprintf(path + len, sizeof path - len, "%s'%s'", steps ? " → " : "", id);
            k = up[k];
            if (len >= sizeof path - 1) break;
        } while (k != j && ++steps < 6);
        node_id(sql, nid[j], id, sizeof id);
        if (len < sizeof path - 1)
            util_snprintf(path + len, sizeof path - len, "%s → '%s'", k == j ? "" : " → …", id);
        store_check_note(d, _("district '%s' is its own ancestor (%s)"), id, path);
    }
    free(nid);
    free(parent);
    free(up);
    free(seen);
    return s;
}

/* The import's order of levels (store/import.c, level_order): a district
 * sits under one of a higher level only. Run when the tree has no loop (a
 * loop breaks the order too, and is the better finding). */
static tsg_status_t check_levels(sqlite3 *sql, damage_t *d, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql,
                                   "WITH r(level, k) AS (VALUES ('prefecture', 0), ('municipality', 1), ('ward', 2),"
                                   " ('school_district', 3), ('neighbourhood', 4))"
                                   " SELECT c.rowid, c.level, p.level FROM district c JOIN district p ON p.nid = c.parent"
                                   " JOIN r rc ON rc.level = c.level JOIN r rp ON rp.level = p.level WHERE rc.k <= rp.k"
                                   " LIMIT 6",
                                   &st, err);
    if (s) return s;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        store_check_note(d, _("district row %lld: a %s cannot sit under a %s"), (long long)sqlite3_column_int64(st, 0),
             store_vocab_key_word("level", (const char *)sqlite3_column_text(st, 1)),
             store_vocab_key_word("level", (const char *)sqlite3_column_text(st, 2)));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : store_fail_sql(sql, _("database"), err);
}

/* ---- history ------------------------------------------------------------------------ */

/* What a kept value of each field must be (issue 21): the value is written
 * as the CSV writes it (a reference as the node's id, a list as its ';'
 * text, '*' for a wide area), and the dated readers read it back so: a
 * value they cannot read would be a wrong answer AS OF that day. */
typedef enum { HV_TEXT, HV_NAME, HV_KEY, HV_LIST, HV_AREA, HV_NUMBER, HV_DATE, HV_DISTRICT, HV_ORG } hv_t;

static const struct kept_field {
    const char *type, *field; /* type: the node's, or "tie" */
    hv_t what;
    const char *vocab; /* HV_KEY, HV_LIST: the vocabulary kind */
    long max;          /* HV_NUMBER */
} kept_fields[] = {
    {"district", "name", HV_NAME, NULL, 0},          {"district", "level", HV_KEY, "level", 0},
    {"district", "parent", HV_DISTRICT, NULL, 0},    {"organisation", "name", HV_NAME, NULL, 0},
    {"organisation", "sector", HV_KEY, "sector", 0}, {"organisation", "district", HV_DISTRICT, NULL, 0},
    {"organisation", "since", HV_DATE, NULL, 0},     {"organisation", "until", HV_DATE, NULL, 0},
    {"forum", "name", HV_NAME, NULL, 0},             {"forum", "kind", HV_KEY, "forum_kind", 0},
    {"forum", "district", HV_DISTRICT, NULL, 0},     {"forum", "since", HV_DATE, NULL, 0},
    {"forum", "until", HV_DATE, NULL, 0},            {"program", "name", HV_NAME, NULL, 0},
    {"program", "org", HV_ORG, NULL, 0},             {"program", "targets", HV_LIST, "target", 0},
    {"program", "age_min", HV_NUMBER, NULL, UTIL_MAX_AGE}, {"program", "age_max", HV_NUMBER, NULL, UTIL_MAX_AGE},
    {"program", "needs", HV_LIST, "need", 0},        {"program", "modes", HV_LIST, "mode", 0},
    {"program", "approach", HV_KEY, "approach", 0},  {"program", "area", HV_AREA, NULL, 0},
    {"program", "in_system", HV_KEY, "in_system", 0}, {"program", "hours", HV_TEXT, NULL, 0},
    {"program", "starts", HV_DATE, NULL, 0},         {"program", "ends", HV_DATE, NULL, 0},
    {"program", "until", HV_DATE, NULL, 0},          {"tie", "count", HV_NUMBER, NULL, CHECK_MAX_COUNT},
};

typedef struct hcheck {
    sqlite3_stmt *key, *ref; /* a vocabulary key; a node's type by its id */
    damage_t *d;
    long long row;
    const char *field, *who, *value;
} hcheck_t;

/* Whether key is one of the vocabulary's kind; -1 when the query fails. */
static int is_key(hcheck_t *h, const char *kind, const char *key, size_t n)
{
    sqlite3_bind_text(h->key, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(h->key, 2, key, (int)n, SQLITE_STATIC);
    int rc = sqlite3_step(h->key);
    sqlite3_reset(h->key);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The type of the node with id (n bytes), "" when there is none; NULL when the query fails. */
static const char *type_of(hcheck_t *h, const char *id, size_t n, char *buf, size_t size)
{
    sqlite3_bind_text(h->ref, 1, id, (int)n, SQLITE_STATIC);
    int rc = sqlite3_step(h->ref);
    snprintf(buf, size, "%s", rc == SQLITE_ROW && sqlite3_column_text(h->ref, 0) ? (const char *)sqlite3_column_text(h->ref, 0) : "");
    sqlite3_reset(h->ref);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? buf : NULL;
}

/* A reference to a district (or with org, an organisation) by id; -1 on a failed query. */
static int check_ref(hcheck_t *h, const char *id, size_t n, int org)
{
    char type[32];
    if (!type_of(h, id, n, type, sizeof type)) return -1;
    if (!strcmp(type, org ? "organisation" : "district")) return 0;
    char *one = util_strndup(id, n);
    if (org) store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', which is no organisation's id"), h->row, h->field, h->who,
                  one ? one : h->value);
    else store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', which is no district's id"), h->row, h->field, h->who,
              one ? one : h->value);
    free(one);
    return 1;
}

/* One kept value as its field needs it; -1 when a lookup fails. */
static int check_value(hcheck_t *h, const struct kept_field *f)
{
    const char *v = h->value;
    int empty = !v || !*v;
    switch (f->what) {
    case HV_TEXT: return 0;
    case HV_NAME:
    case HV_ORG:
        if (empty) {
            store_check_note(h->d, _("history row %lld: %s of '%s' was empty, which it cannot be"), h->row, h->field, h->who);
            return 1;
        }
        return f->what == HV_ORG ? check_ref(h, v, strlen(v), 1) : 0;
    case HV_KEY: {
        if (empty && strcmp(f->field, "approach") && strcmp(f->field, "in_system")) {
            store_check_note(h->d, _("history row %lld: %s of '%s' was empty, which it cannot be"), h->row, h->field, h->who);
            return 1;
        }
        int k = empty ? 1 : is_key(h, f->vocab, v, strlen(v));
        if (k == 0) store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', which is no %s the vocabulary knows"), h->row,
                         h->field, h->who, v, store_vocab_kind_noun(f->vocab));
        return k < 0 ? -1 : !k;
    }
    case HV_LIST:
    case HV_AREA:
        if (empty || (f->what == HV_AREA && !strcmp(v, "*"))) return 0;
        for (const char *p = v;;) {
            size_t n = strcspn(p, ";");
            if (f->what == HV_AREA) {
                int r = check_ref(h, p, n, 0);
                if (r) return r;
            } else {
                int k = n ? is_key(h, f->vocab, p, n) : 0;
                if (k < 0) return -1;
                if (!k) {
                    char *one = util_strndup(p, n);
                    store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', which is no %s the vocabulary knows"), h->row,
                         h->field, h->who, one ? one : v, store_vocab_kind_noun(f->vocab));
                    free(one);
                    return 1;
                }
            }
            if (!p[n]) return 0;
            p += n + 1;
        }
    case HV_NUMBER: {
        if (empty) return 0;
        size_t n = strspn(v, "0123456789");
        if (v[n] || n > 12 || (n > 1 && v[0] == '0') || atol(v) > f->max) {
            store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', not a whole number from 0 to %ld"), h->row, h->field,
                 h->who, v, f->max);
            return 1;
        }
        return 0;
    }
    case HV_DATE:
        if (empty || store_check_is_date(v)) return 0;
        store_check_note(h->d, _("history row %lld: %s of '%s' was '%s', not a date"), h->row, h->field, h->who, v);
        return 1;
    case HV_DISTRICT: return empty ? 0 : check_ref(h, v, strlen(v), 0);
    }
    return 0;
}

/* The kept values, field by field; run when the columns and references
 * hold (every history row names a node or tie that is there, and its until
 * is a date). */
static tsg_status_t check_history(sqlite3 *sql, damage_t *d, tsg_error_t *err)
{
    hcheck_t h = {NULL, NULL, d, 0, NULL, NULL, NULL};
    sqlite3_stmt *st = NULL;
    if (sqlite3_create_function(sql, "tsg_first_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_first_day, NULL,
                                NULL) != SQLITE_OK)
        return store_fail_sql(sql, _("database"), err);
    tsg_status_t s = store_prepare(sql, "SELECT 1 FROM vocab WHERE kind = ?1 AND key = ?2", &h.key, err);
    if (!s) s = store_prepare(sql, "SELECT type FROM node WHERE id = ?1", &h.ref, err);
    if (!s)
        s = store_prepare(sql,
                          "SELECT h.hid, h.field, h.value, h.until, coalesce(n.type, 'tie'),"
                          " coalesce(n.id, (SELECT a.id || ' → ' || b.id FROM tie t JOIN node a ON a.nid = t.src"
                          "  JOIN node b ON b.nid = t.dst WHERE t.tid = h.tid))"
                          " FROM history h LEFT JOIN node n ON n.nid = h.nid ORDER BY h.hid",
                          &st, err);
    int rc = SQLITE_DONE;
    while (!s && d->n <= LISTED && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        h.row = sqlite3_column_int64(st, 0);
        h.field = (const char *)sqlite3_column_text(st, 1);
        h.value = (const char *)sqlite3_column_text(st, 2);
        const char *until = (const char *)sqlite3_column_text(st, 3), *type = (const char *)sqlite3_column_text(st, 4);
        h.who = (const char *)sqlite3_column_text(st, 5);
        if (!h.field || !until || !type || !h.who) continue; /* the columns' and references' checks name these */
        const struct kept_field *f = NULL;
        for (size_t k = 0; k < sizeof kept_fields / sizeof *kept_fields; k++)
            if (!strcmp(kept_fields[k].type, type) && !strcmp(kept_fields[k].field, h.field)) f = &kept_fields[k];
        if (!f) {
            store_check_note(d, _("history row %lld: '%s' has no field '%s' to keep"), h.row, h.who, h.field);
            continue;
        }
        int r = check_value(&h, f);
        if (r < 0) s = store_fail_sql(sql, _("database"), err);
        /* A period kept when the row began again ended on or before that day. */
        else if (!r && !strcmp(h.field, "until") && h.value && *h.value &&
                 util_date_first(h.value) > util_date_first(until))
            store_check_note(d, _("history row %lld: until of '%s' was %s, after %s, the day it was kept until"), h.row, h.who,
                 h.value, until);
    }
    if (!s && rc != SQLITE_DONE && rc != SQLITE_ROW) s = store_fail_sql(sql, _("database"), err);
    sqlite3_finalize(st);
    sqlite3_finalize(h.key);
    sqlite3_finalize(h.ref);
    if (s || d->n) return s;
    /* A field's kept values in the order they were replaced: a change is
     * never dated before the field's last kept one (SET … ON refuses it). */
    static const char order_sql[] =
        "SELECT b.hid, b.field, b.until, a.until, a.hid, coalesce(n.id, (SELECT x.id || ' → ' || y.id FROM tie t"
        "  JOIN node x ON x.nid = t.src JOIN node y ON y.nid = t.dst WHERE t.tid = b.tid))"
        " FROM history a JOIN history b ON b.field = a.field AND b.hid > a.hid"
        "  AND (b.nid = a.nid OR b.tid = a.tid) LEFT JOIN node n ON n.nid = b.nid"
        " WHERE tsg_first_day(b.until) < tsg_first_day(a.until) LIMIT 6";
    if ((s = store_prepare(sql, order_sql, &st, err))) return s;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        store_check_note(d, _("history row %lld: %s of '%s' is kept until %s, before %s, the day of an earlier change (history row %lld)"),
             (long long)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
             sqlite3_column_text(st, 5) ? (const char *)sqlite3_column_text(st, 5) : "?",
             (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
             (long long)sqlite3_column_int64(st, 4));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : store_fail_sql(sql, _("database"), err);
}

tsg_status_t store_check(tsg_db_t *db, tsg_error_t *err) { return store_check_with(db, STORE_CHECK_SPLIT_TIES, err); }

tsg_status_t store_check_with(tsg_db_t *db, int64_t split_ties, tsg_error_t *err)
{
    damage_t d = {0};
    /* One read transaction, so the checks see one state of the file. */
    store_check_second_t *second;
    tsg_status_t s = store_check_begin(db, split_ties, &second, err);
    if (s) return s;
    /* A trigger added by another program after the file was opened. */
    if ((s = store_no_triggers(db->sql, db->path, err))) {
        store_check_end(db, second);
        return s;
    }
    store_check_nodes_t nodes = {NULL, NULL, 0, 0};
    if (!(s = store_check_rows(db->sql, &d, &nodes, second, err)) && !d.n) s = check_references(db->sql, &d, &nodes, err);
    store_check_nodes_free(&nodes);
    if (!s && !d.n) s = check_history(db->sql, &d, err);
    /* The tree is walked only when its columns and references hold. */
    if (!s && !d.n) s = check_tree(db->sql, &d, err);
    if (!s && !d.n) s = check_levels(db->sql, &d, err);
    store_check_end(db, second);
    if (!s && d.nomem) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s && d.n > LISTED)
        s = util_fail(err, TSG_EDB,
                      _("%s: damaged database: %s; and more (repair it, e.g. with the sqlite3 shell, or import the network again)"),
                      db->path, d.text.data);
    else if (!s && d.n)
        s = util_fail(err, TSG_EDB,
                      _("%s: damaged database: %s (repair it, e.g. with the sqlite3 shell, or import the network again)"),
                      db->path, d.text.data);
    util_buf_free(&d.text);
    return s;
}

tsg_status_t store_check_nids(const char *path, int64_t count, int64_t maxnid, tsg_error_t *err)
{
    if (maxnid <= 2 * count + STORE_NID_SLACK) return TSG_OK;
    return util_fail(err, TSG_EDB,
                     _("%s: damaged database: node numbers go up to %lld for %lld nodes, which the analyses cannot "
                     "index (renumber them: 'tsunagi export' the network and 'tsunagi import' it again)"),
                     path, (long long)maxnid, (long long)count);
}
