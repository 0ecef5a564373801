/* sqlbind — SQL with bound values; see sqlbind.h. */
#include "sqlbind.h"
#include "result.h"
#include "util.h"

#include <stdlib.h>

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
    sqlite3_stmt *st;
    tsg_status_t rc = qry_sql_prepare(s, q, at, &st);
    if (rc) return rc;
    /* qry_result_from_sql prepares its own statement; this one is bound. */
    size_t n = (size_t)sqlite3_column_count(st);
    const char *cols[32];
    for (size_t c = 0; c < n && c < 32; c++) cols[c] = sqlite3_column_name(st, (int)c);
    tsg_result_t *r = qry_result_new(title, n, cols);
    int step;
    while (r && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cells[32];
        for (size_t c = 0; c < n; c++) {
            cells[c] = (const char *)sqlite3_column_text(st, (int)c);
            int type = sqlite3_column_type(st, (int)c);
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) r->right[c] = 1;
        }
        r = qry_result_row(r, cells);
    }
    if (r && step != SQLITE_DONE) {
        tsg_result_free(r);
        sqlite3_finalize(st);
        return qry_fail_sql(s, at);
    }
    sqlite3_finalize(st);
    if (people) r = qry_suppress(s, r, people);
    return qry_emit(s, r);
}
