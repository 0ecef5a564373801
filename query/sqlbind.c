/* sqlbind — SQL with bound values; see sqlbind.h. */
#include "sqlbind.h"
#include "result.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

int qry_bind_apply(sqlite3_stmt *st, const qry_bind_t *b, size_t n)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        int p = (int)i + 1;
        if (b[i].kind == 'i') rc = sqlite3_bind_int64(st, p, b[i].num);
        else if (b[i].kind == 't') rc = sqlite3_bind_text(st, p, b[i].text, -1, SQLITE_STATIC);
        else rc = sqlite3_bind_null(st, p);
    }
    return rc;
}

tsg_status_t qry_sql_exec(qry_session_t *s, const gram_token_t *at, const char *sql, const qry_bind_t *b, size_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &st, NULL) != SQLITE_OK) return qry_fail_sql(s, at);
    int rc = qry_bind_apply(st, b, n);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    tsg_status_t status = rc == SQLITE_DONE ? TSG_OK : qry_fail_sql(s, at);
    sqlite3_finalize(st);
    return status;
}

void qry_sql_add(qry_sql_t *q, const char *s)
{
    if (util_buf_adds(&q->sql, s)) q->oom = 1;
}

void qry_sql_add_t(qry_sql_t *q, const char *tmpl, const char *alias)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p == '@') {
            if (util_buf_adds(&q->sql, alias)) q->oom = 1;
        } else if (util_buf_addc(&q->sql, *p)) {
            q->oom = 1;
        }
    }
}

static void push(qry_sql_t *q, qry_bind_t b)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        qry_bind_t *grown = realloc(q->b, cap * sizeof *grown);
        if (!grown) {
            q->oom = 1;
            return;
        }
        q->b = grown;
        q->cap = cap;
    }
    q->b[q->n++] = b;
}

void qry_sql_int(qry_sql_t *q, int64_t i) { push(q, qry_b_num(i)); }
void qry_sql_text(qry_sql_t *q, const char *t) { push(q, qry_b_text(t)); }

void qry_sql_free(qry_sql_t *q)
{
    util_buf_free(&q->sql);
    free(q->b);
}

tsg_status_t qry_sql_prepare(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, sqlite3_stmt **st)
{
    if (q->oom) return gram_fail(&s->ctx, TSG_ENOMEM, at, _("out of memory"));
    if (sqlite3_prepare_v2(s->sql, q->sql.data, -1, st, NULL) != SQLITE_OK) return qry_fail_sql(s, at);
    /* A template with a '?' too many or too few would bind values to the
     * wrong places and answer wrongly without a word: refuse it. */
    int placeholders = sqlite3_bind_parameter_count(*st);
    if ((size_t)placeholders != q->n) {
        sqlite3_finalize(*st);
        *st = NULL;
        return gram_fail(&s->ctx, TSG_EDB, at, _("internal: %d placeholders for %zu values"), placeholders, q->n);
    }
    if (qry_bind_apply(*st, q->b, q->n) != SQLITE_OK) {
        tsg_status_t rc = qry_fail_sql(s, at);
        sqlite3_finalize(*st);
        *st = NULL;
        return rc;
    }
    return TSG_OK;
}

tsg_status_t qry_sql_emit(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, const char *title, const char *people)
{
    return qry_sql_emit_keyed(s, q, at, title, people, NULL);
}

/* A program's ages as FIND writes them ("all", "12..39", "65..", "..18"),
 * as people read them (全年齢, 12〜39歳, 65歳以上, 18歳以下). */
static const char *ages_label(const char *ages, util_buf_t *b)
{
    const char *dots = strstr(ages, "..");
    b->len = 0;
    if (!strcmp(ages, "all")) util_buf_adds(b, C_("ages", "all ages"));
    else if (!dots) return ages;
    else if (dots == ages) util_buf_printf(b, C_("ages", "up to %s"), dots + 2);
    else if (!dots[2]) util_buf_printf(b, C_("ages", "%.*s and over"), (int)(dots - ages), ages);
    else util_buf_printf(b, C_("ages", "%.*s to %s"), (int)(dots - ages), ages, dots + 2);
    return b->data ? b->data : ages;
}

/* A program's area: district names as they are, and the wide-area mark
 * FIND writes '*' (SHOW '* (wide-area)') as people read it (全域). */
static const char *area_label(const char *area)
{
    if (!strcmp(area, "*")) return C_("area", "*");
    if (!strcmp(area, "* (wide-area)")) return C_("area", "* (wide-area)");
    return area;
}

/* SHOW's value column: the vocabulary kind of the row's field. */
static const char *field_kind(const char *field)
{
    static const char *const kinds[][2] = {{"sector", "sector"}, {"targets", "target"},   {"needs", "need"},
                                           {"modes", "mode"},    {"approach", "approach"}, {"in_system", "in_system"},
                                           {"level", "level"},   {"kind", "forum_kind"},  {"ages", "ages"},
                                           {"area", "area"}};
    for (size_t i = 0; field && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(field, kinds[i][0])) return kinds[i][1];
    return NULL;
}

/* The labels of a cell of keys joined by ';', joined the same way. */
static const char *labels(const qry_session_t *s, const char *kind, const char *keys, util_buf_t *b)
{
    if (!keys) return NULL;
    if (!strcmp(kind, "ages")) return ages_label(keys, b);
    if (!strcmp(kind, "area")) return area_label(keys);
    if (!strcmp(kind, QRY_KEYED_FIELD)) return util_pgettext_ctx("field", keys);
    b->len = 0;
    for (const char *p = keys;;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char key[256];
        const char *l = NULL;
        if (n < sizeof key) {
            memcpy(key, p, n);
            key[n] = 0;
            l = store_vocab_label(&s->vocab, kind, key);
        }
        if (l && *l && l != key) util_buf_adds(b, l);
        else util_buf_add(b, p, n);
        if (!e) break;
        util_buf_addc(b, ';');
        p = e + 1;
    }
    return b->data ? b->data : "";
}

tsg_status_t qry_sql_emit_keyed(qry_session_t *s, qry_sql_t *q, const gram_token_t *at, const char *title,
                                const char *people, const qry_keyed_col_t *keyed)
{
    sqlite3_stmt *st;
    tsg_status_t rc = qry_sql_prepare(s, q, at, &st);
    if (rc) return rc;
    /* qry_result_from_sql prepares its own statement; this one is bound.
     * from[k]: the SQL column of output column k; kind[k]: the vocabulary
     * kind when k is a label column. */
    size_t n = (size_t)sqlite3_column_count(st), m = 0;
    const char *cols[32], *kind[32];
    int from[32];
    for (size_t c = 0; c < n && m < 32; c++) {
        cols[m] = sqlite3_column_name(st, (int)c), kind[m] = NULL, from[m++] = (int)c;
        for (const qry_keyed_col_t *k = keyed; k && k->col && m < 32; k++)
            if (!strcmp(k->col, cols[m - 1])) cols[m] = k->label, kind[m] = k->kind, from[m++] = (int)c;
    }
    tsg_result_t *r = qry_result_new(title, m, cols);
    for (size_t c = 1; r && c < m; c++)
        if (kind[c] && qry_result_keyed(r, c - 1, s->ja)) {
            tsg_result_free(r);
            r = NULL;
        }
    util_buf_t b[32] = {{0}};
    int step;
    while (r && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cells[32];
        for (size_t c = 0; c < m; c++) {
            cells[c] = (const char *)sqlite3_column_text(st, from[c]);
            const char *k = kind[c];
            if (k && !strcmp(k, QRY_KEYED_BY_FIELD))
                k = field_kind((const char *)sqlite3_column_text(st, 0));
            if (kind[c]) cells[c] = k ? labels(s, k, cells[c], &b[c]) : cells[c];
            int type = sqlite3_column_type(st, from[c]);
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) r->right[c] = 1;
        }
        r = qry_result_row(r, cells);
    }
    for (size_t c = 0; c < m; c++) util_buf_free(&b[c]);
    if (r && step != SQLITE_DONE) {
        tsg_result_free(r);
        sqlite3_finalize(st);
        return qry_fail_sql(s, at);
    }
    sqlite3_finalize(st);
    if (people) r = qry_suppress(s, r, people);
    return qry_emit(s, r);
}
