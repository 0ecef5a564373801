/*
 * import_history — the folder's history.csv (issue 21): the old values SET
 * keeps, which `AS OF` an earlier day reads, back into `history`.
 *
 * One row per kept value, in the order the values were replaced:
 *
 *   id,field,value,until,to_id,kind,since
 *
 * A node's row names it by id and leaves to_id, kind and since empty; a
 * tie's row names the tie as ties.csv does (id is its from_id, then to_id,
 * kind and since; an undirected tie either way round). The value is written
 * as the CSV writes the field (a reference as the node's id, a list as its
 * ';' items, an area as '*' or district ids), and is kept as the database
 * keeps it: keys rather than labels, dates in ISO form, empty as NULL.
 *
 * Each cell is checked here with its file:line:column, as store_check
 * (check.c, check_history) would check the row afterwards; the check that
 * needs the whole file (a field's changes in date order) runs once the rows
 * are in, and names the row's line.
 */
#include "import_cells.h"
#include "store.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"
#include "vocab.h"

#include <stdlib.h>
#include <string.h>

enum { ID, FIELD, VALUE, UNTIL, TO, KIND, SINCE };

static const spec_t history_spec = {"history.csv", {"id", "field", "value", "until", "to_id", "kind", "since"}, 4};

#define T_TIE (T_FORUM + 1)

/* How a kept value is read: as check.c's kept_fields, with the CSV's rules
 * for each column (keys resolved from labels and aliases, ages in years). */
typedef enum { V_TEXT, V_NAME, V_KEY, V_OPTKEY, V_LIST, V_AREA, V_AGE, V_COUNT, V_DATE, V_DISTRICT, V_PARENT, V_ORG } kind_t;

static const struct kept {
    int type;
    const char *field;
    kind_t how;
    const char *vocab;
} kept[] = {
    {T_DISTRICT, "name", V_NAME, NULL},           {T_DISTRICT, "level", V_KEY, "level"},
    {T_DISTRICT, "parent", V_PARENT, NULL},       {T_ORGANISATION, "name", V_NAME, NULL},
    {T_ORGANISATION, "sector", V_KEY, "sector"},  {T_ORGANISATION, "district", V_DISTRICT, NULL},
    {T_ORGANISATION, "since", V_DATE, NULL},      {T_ORGANISATION, "until", V_DATE, NULL},
    {T_PROGRAM, "name", V_NAME, NULL},            {T_PROGRAM, "org", V_ORG, NULL},
    {T_PROGRAM, "targets", V_LIST, "target"},     {T_PROGRAM, "age_min", V_AGE, NULL},
    {T_PROGRAM, "age_max", V_AGE, NULL},          {T_PROGRAM, "needs", V_LIST, "need"},
    {T_PROGRAM, "modes", V_LIST, "mode"},         {T_PROGRAM, "approach", V_OPTKEY, "approach"},
    {T_PROGRAM, "area", V_AREA, NULL},            {T_PROGRAM, "in_system", V_OPTKEY, "in_system"},
    {T_PROGRAM, "hours", V_TEXT, NULL},           {T_PROGRAM, "starts", V_DATE, NULL},
    {T_PROGRAM, "ends", V_DATE, NULL},            {T_PROGRAM, "until", V_DATE, NULL},
    {T_FORUM, "name", V_NAME, NULL},              {T_FORUM, "kind", V_KEY, "forum_kind"},
    {T_FORUM, "district", V_DISTRICT, NULL},      {T_FORUM, "since", V_DATE, NULL},
    {T_FORUM, "until", V_DATE, NULL},             {T_TIE, "count", V_COUNT, NULL},
};

/* Where each row kept went, for the checks made on the whole file. */
typedef struct line_of {
    int64_t hid;
    long line, until_col;
} line_of_t;

typedef struct hist {
    imp_t *im;
    sqlite3_stmt *tie, *ins;
    line_of_t *rows;
    size_t n, cap;
    util_buf_t value; /* the value as kept */
} hist_t;

/* The fields a type keeps, for the message naming an unknown one. */
static void fields_of(int type, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof kept / sizeof *kept; k++)
        if (kept[k].type == type && len < size)
            len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "", kept[k].field);
}

/* A tie's end, checked as ties.csv checks it. */
static tsg_status_t tie_end(imp_t *im, int c, const char *kind, const store_id_t **e)
{
    const char *id = store_imp_trim_cell(im, c);
    if (!*id) return FAILC(im, c, _("%s is empty"), im->spec->cols[c]);
    int ref = !strcmp(kind, "membership") ? (c == ID ? REF_MEMBER_ORG : REF_MEMBER_FORUM) : REF_TIE_END;
    return store_imp_ref_at(im, id, ref, FIELD_LINE(im, c), FIELD_COL(im, c), e);
}

/* The tie a row names: one of ties.csv's rows, by its ends, kind and since. */
static tsg_status_t find_tie(hist_t *h, int64_t *tid)
{
    imp_t *im = h->im;
    const char *kind;
    const store_id_t *a, *b;
    char since[40];
    int since_null;
    tsg_status_t s;
    if ((s = store_imp_key_cell(im, KIND, "tie_kind", 0, &kind)) || (s = tie_end(im, ID, kind, &a)) ||
        (s = tie_end(im, TO, kind, &b)) || (s = store_imp_date_cell(im, SINCE, since, &since_null)))
        return s;
    sqlite3_stmt *st = h->tie;
    sqlite3_bind_int64(st, 1, a->nid);
    sqlite3_bind_int64(st, 2, b->nid);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    if (!since_null) sqlite3_bind_text(st, 4, since, -1, SQLITE_STATIC);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *tid = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return store_fail_sql(im->sql, im->label, im->err);
    const char *word = store_vocab_key_word("tie_kind", kind);
    if (n == 0 && since_null)
        return FAILC(im, ID, _("ties.csv has no %s tie from '%s' to '%s' without a since"), word, a->key, b->key);
    if (n == 0) return FAILC(im, ID, _("ties.csv has no %s tie from '%s' to '%s' since %s"), word, a->key, b->key, since);
    if (n > 1)
        return FAILC(im, ID, _("ties.csv has %d %s ties from '%s' to '%s' with this since: history.csv cannot tell them apart"),
                     n, word, a->key, b->key);
    return TSG_OK;
}

/* Appends text to the value kept, ';' before all but the first item. */
static int add_item(hist_t *h, const char *text, size_t i)
{
    return (i && util_buf_addc(&h->value, ';')) || util_buf_add(&h->value, text, strlen(text));
}

/* The value cell as the field keeps it, in h->value; *null for none. */
static tsg_status_t read_value(hist_t *h, const struct kept *f, int *null)
{
    imp_t *im = h->im;
    tsg_status_t s = TSG_OK;
    const char *text = NULL;
    char buf[40];
    h->value.len = 0;
    *null = 0;
    switch (f->how) {
    case V_TEXT: text = store_imp_cell(im, VALUE); break; /* hours, as programs.csv keeps them */
    case V_NAME: s = store_imp_name_cell(im, VALUE, &text); break;
    case V_KEY:
    case V_OPTKEY: s = store_imp_key_cell(im, VALUE, f->vocab, f->how == V_OPTKEY, &text); break;
    case V_AGE:
    case V_COUNT: {
        long v = 0;
        s = store_imp_int_cell(im, VALUE, 0, f->how == V_AGE ? UTIL_MAX_AGE : UTIL_MAX_COUNT, f->how == V_AGE, null, &v);
        if (!s && !*null) snprintf(buf, sizeof buf, "%ld", v), text = buf;
        break;
    }
    case V_DATE:
        s = store_imp_date_cell(im, VALUE, buf, null);
        text = *null ? NULL : buf;
        break;
    case V_DISTRICT:
    case V_PARENT:
    case V_ORG: {
        const char *id = store_imp_trim_cell(im, VALUE);
        const store_id_t *e;
        if (!*id && f->how == V_ORG) return FAILC(im, VALUE, _("%s is empty"), im->spec->cols[VALUE]);
        if (*id && !(s = store_imp_ref_at(im, id, f->how == V_ORG ? REF_ORG : f->how == V_PARENT ? REF_PARENT : REF_DISTRICT,
                                          FIELD_LINE(im, VALUE), FIELD_COL(im, VALUE), &e)))
            text = e->key;
        break;
    }
    case V_LIST:
    case V_AREA:
        if ((s = store_imp_split(im, VALUE, f->field))) return s;
        if (f->how == V_AREA && im->nitems == 1 && !strcmp(im->items[0], "*")) {
            text = "*";
            break;
        }
        for (size_t i = 0; i < im->nitems && !s; i++) {
            const char *key;
            const store_id_t *e;
            if (f->how == V_AREA && !strcmp(im->items[i], "*"))
                return store_imp_fail_at(im, FIELD_LINE(im, VALUE), im->item_col[i],
                                         _("* (wide-area) stands alone; do not list districts with it"));
            if (f->how == V_AREA) {
                s = store_imp_ref_at(im, im->items[i], REF_DISTRICT, FIELD_LINE(im, VALUE), im->item_col[i], &e);
                key = s ? NULL : e->key;
            } else
                s = store_imp_resolve_at(im, f->vocab, im->items[i], FIELD_LINE(im, VALUE), im->item_col[i], &key);
            if (!s && add_item(h, key, i)) return store_imp_nomem(im);
        }
        *null = !s && !h->value.len;
        return s;
    }
    if (s) return s;
    if (!text || !*text) {
        *null = 1;
        return TSG_OK;
    }
    return util_buf_add(&h->value, text, strlen(text)) ? store_imp_nomem(im) : TSG_OK;
}

/* One row: what it names, its field, value and date, written. */
static tsg_status_t read_row(hist_t *h)
{
    imp_t *im = h->im;
    tsg_status_t s;
    int type, is_tie = im->map[TO] >= 0 && *store_imp_trim_cell(im, TO);
    int64_t nid = 0, tid = 0;
    const char *who = store_imp_trim_cell(im, ID);
    if (!*who) return FAILC(im, ID, _("%s is empty"), im->spec->cols[ID]);
    if (is_tie) {
        if ((s = find_tie(h, &tid))) return s;
        type = T_TIE;
    } else {
        for (int c = KIND; c <= SINCE; c++)
            if (im->map[c] >= 0 && *store_imp_trim_cell(im, c))
                return FAILC(im, c, _("%s names a tie, whose to_id is empty (a node's row leaves kind and since empty)"),
                             im->spec->cols[c]);
        const store_id_t *e;
        if ((s = store_imp_ref_at(im, who, REF_NODE, FIELD_LINE(im, ID), FIELD_COL(im, ID), &e))) return s;
        nid = e->nid;
        type = e->type;
    }
    const char *field = store_imp_trim_cell(im, FIELD);
    const struct kept *f = NULL;
    for (size_t k = 0; k < sizeof kept / sizeof *kept; k++)
        if (kept[k].type == type && !strcmp(kept[k].field, field)) f = &kept[k];
    if (!f) {
        char list[200];
        fields_of(type, list, sizeof list);
        if (!*field) return FAILC(im, FIELD, _("%s is empty"), im->spec->cols[FIELD]);
        return FAILC(im, FIELD, _("no history is kept of a field '%s' here (the fields kept: %s)"), field, list);
    }
    char until[40];
    int until_null, null;
    if ((s = store_imp_date_cell(im, UNTIL, until, &until_null))) return s;
    if (until_null) return FAILC(im, UNTIL, _("%s is empty"), im->spec->cols[UNTIL]);
    if ((s = read_value(h, f, &null))) return s;
    if (util_buf_addc(&h->value, '\0')) return store_imp_nomem(im);
    /* A period kept when its row began again ended on or before that day. */
    if (!null && f->how == V_DATE && !strcmp(f->field, "until") &&
        util_date_first(h->value.data) > util_date_first(until))
        return FAILC(im, VALUE, _("until %s is after %s, the day this value was kept until"), h->value.data, until);
    sqlite3_stmt *st = h->ins;
    if (nid) sqlite3_bind_int64(st, 1, nid);
    else sqlite3_bind_int64(st, 2, tid);
    sqlite3_bind_text(st, 3, f->field, -1, SQLITE_STATIC);
    if (!null) sqlite3_bind_text(st, 4, h->value.data, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, until, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return store_fail_sql(im->sql, im->label, im->err);
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        line_of_t *rows = realloc(h->rows, cap * sizeof *rows);
        if (!rows) return store_imp_nomem(im);
        h->rows = rows;
        h->cap = cap;
    }
    h->rows[h->n++] = (line_of_t){sqlite3_last_insert_rowid(im->sql), FIELD_LINE(im, UNTIL), FIELD_COL(im, UNTIL)};
    return TSG_OK;
}

static const line_of_t *line_of(const hist_t *h, int64_t hid)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->rows[i].hid == hid) return &h->rows[i];
    return NULL;
}

/* The check over the whole file, named at the later row's until: a field's
 * changes come in date order (SET … ON refuses one dated before the
 * field's last, and store_check calls a file that has one damaged). A
 * change dated before its row began is not refused: SET allows it (the
 * value is then never read), and the folder keeps what the file held. */
static tsg_status_t in_order(hist_t *h)
{
    imp_t *im = h->im;
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(im->sql,
                                   "SELECT b.hid, a.hid, b.field, b.until, a.until FROM history a JOIN history b"
                                   " ON b.field = a.field AND b.hid > a.hid AND (b.nid = a.nid OR b.tid = a.tid)"
                                   " WHERE tsg_day(b.until) < tsg_day(a.until) ORDER BY b.hid, a.hid LIMIT 1",
                                   &st, im->err);
    if (s) return s;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const line_of_t *b = line_of(h, sqlite3_column_int64(st, 0)), *a = line_of(h, sqlite3_column_int64(st, 1));
        s = store_imp_fail_at(im, b ? b->line : 0, b ? b->until_col : 0,
                              _("this change of %s is dated %s, before %s, the day of its change at line %ld "
                                "(a field's changes are listed in the order they were made)"),
                              (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                              (const char *)sqlite3_column_text(st, 4), a ? a->line : 0L);
    } else if (rc != SQLITE_DONE)
        s = store_fail_sql(im->sql, im->label, im->err);
    sqlite3_finalize(st);
    return s;
}

tsg_status_t store_imp_history(imp_t *im)
{
    int present;
    tsg_status_t s = store_imp_open_file(im, &history_spec, &present);
    if (s || !present) return s;
    /* A tie is named by to_id and kind together (since may be left out). */
    if (im->map[TO] >= 0 && im->map[KIND] < 0)
        return store_imp_fail_at(im, im->csv.rec_line, 1, _("missing column '%s'"), history_spec.cols[KIND]);
    hist_t h = {im, NULL, NULL, NULL, 0, 0, {0}};
    s = store_prepare(im->sql,
                      "SELECT tid FROM tie WHERE kind = ?3 AND since IS ?4 AND ((src = ?1 AND dst = ?2)"
                      " OR (directed = 0 AND src = ?2 AND dst = ?1)) LIMIT 2",
                      &h.tie, im->err);
    if (!s)
        s = store_prepare(im->sql, "INSERT INTO history(nid, tid, field, value, until) VALUES (?1, ?2, ?3, ?4, ?5)",
                          &h.ins, im->err);
    int have;
    while (!s && !(s = store_imp_next_row(im, &have)) && have) s = read_row(&h);
    if (!s) s = in_order(&h);
    sqlite3_finalize(h.tie);
    sqlite3_finalize(h.ins);
    free(h.rows);
    util_buf_free(&h.value);
    return s;
}
