/*
 * order — ORDER BY and LIMIT, applied in one place to the tables of any
 * statement (docs/language.md, "ORDER BY and LIMIT"). The session holds a
 * statement's results while it runs when the statement has such a tail
 * (qry_emit) and passes them here before they reach the sink.
 *
 * The order, per key: a column whose shown cells are all numbers (12, -3,
 * 0.25) by value, any other column as text by its bytes (UTF-8, so by code
 * point; a date column holds 2017 and 2015-04-01, which fall in date order
 * as text); empty cells and counts hidden by --suppress-below ("<N") last,
 * in either direction. DESC reverses numbers and text; empty and hidden cells
 * stay last, so a hidden count cannot be placed among the shown ones. The
 * sort is stable: rows that tie on every key keep the statement's own order.
 */
#include "query.h"
#include "result.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { K_NUMBER, K_TEXT, K_NONE };

typedef struct sort_cell {
    int cls;
    double num;
    const char *text;
} sort_cell_t;

typedef struct sorter {
    const sort_cell_t *cells; /* row-major, nkeys per row */
    const int *desc;
    size_t nkeys;
} sorter_t;

/* qsort's comparator has no context argument; the sort runs one at a time
 * per session, but a process may run sessions in threads, hence the
 * permutation carries its sorter. */
typedef struct row_ref {
    size_t row;
    const sorter_t *by;
} row_ref_t;

static int hidden(const qry_session_t *s, const char *cell)
{
    if (s->suppress_below <= 0 || cell[0] != '<') return 0;
    char *end;
    errno = 0;
    long n = strtol(cell + 1, &end, 10);
    return !errno && !*end && end != cell + 1 && n == s->suppress_below;
}

static sort_cell_t classify(const qry_session_t *s, const char *cell)
{
    sort_cell_t c = {K_NONE, 0, NULL};
    if (!cell || !*cell || hidden(s, cell)) return c;
    /* Digits, at most one point and a leading minus: "1e3", "inf", " 5" and
     * "0x10" are text here, as a reader of the table would take them. */
    const char *p = cell + (*cell == '-');
    size_t digits = strspn(p, "0123456789."), points = 0;
    for (size_t i = 0; i < digits; i++) points += p[i] == '.';
    if (digits && !p[digits] && points <= 1 && p[0] != '.' && p[digits - 1] != '.') {
        char *end;
        double v = strtod(cell, &end);
        if (!*end && isfinite(v)) return (sort_cell_t){K_NUMBER, v, cell};
    }
    c.cls = K_TEXT;
    c.text = cell;
    return c;
}

static int compare_rows(const void *pa, const void *pb)
{
    const row_ref_t *a = pa, *b = pb;
    const sorter_t *by = a->by;
    for (size_t k = 0; k < by->nkeys; k++) {
        const sort_cell_t *x = &by->cells[a->row * by->nkeys + k], *y = &by->cells[b->row * by->nkeys + k];
        int c;
        if (x->cls != y->cls) {
            if (x->cls == K_NONE || y->cls == K_NONE) return x->cls == K_NONE ? 1 : -1; /* last either way */
            c = x->cls < y->cls ? -1 : 1; /* not reached: a column is numbers or text */
        } else if (x->cls == K_NONE) {
            c = 0;
        } else if (x->cls == K_NUMBER) {
            c = x->num < y->num ? -1 : x->num > y->num;
        } else {
            c = strcmp(x->text, y->text);
            c = c < 0 ? -1 : c > 0;
        }
        if (c) return by->desc[k] ? -c : c;
    }
    /* Stable: the statement's own order breaks every tie. */
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The folded text of a header or a key, for comparing them as words are
 * compared everywhere (full width and case do not matter). */
static int same_column(const char *header, const char *key)
{
    if (!strcmp(header, key)) return 1;
    char *h = util_fold(header), *k = util_fold(key);
    int same = h && k && !strcmp(h, k);
    free(h);
    free(k);
    return same;
}

static long column_of(const tsg_result_t *r, const char *key)
{
    for (size_t c = 0; c < r->ncols; c++)
        if (same_column(r->cols[c], key)) return (long)c;
    return -1;
}

static tsg_status_t sort_table(qry_session_t *s, const ast_tail_t *tail, tsg_result_t *r, const long *cols,
                               size_t nkeys)
{
    if (r->nrows < 2) return TSG_OK;
    sort_cell_t *cells = malloc(r->nrows * nkeys * sizeof *cells);
    int *desc = malloc(nkeys * sizeof *desc);
    row_ref_t *perm = malloc(r->nrows * sizeof *perm);
    char **sorted = malloc(r->nrows * r->ncols * sizeof *sorted);
    tsg_status_t st = TSG_OK;
    if (!cells || !desc || !perm || !sorted) {
        st = gram_fail(&s->ctx, TSG_ENOMEM, &tail->kw, _("out of memory"));
        goto done;
    }
    const ast_key_t *key = tail->keys;
    for (size_t k = 0; k < nkeys; k++, key = key->next) desc[k] = key->desc;
    sorter_t by = {cells, desc, nkeys};
    for (size_t i = 0; i < r->nrows; i++) {
        perm[i] = (row_ref_t){i, &by};
        for (size_t k = 0; k < nkeys; k++) cells[i * nkeys + k] = classify(s, r->cells[i * r->ncols + (size_t)cols[k]]);
    }
    /* A column with any text in it is text throughout: a date column holds
     * 2017 beside 2015-04-01, and by bytes they fall in date order. */
    for (size_t k = 0; k < nkeys; k++) {
        int text = 0;
        for (size_t i = 0; i < r->nrows && !text; i++) text = cells[i * nkeys + k].cls == K_TEXT;
        for (size_t i = 0; i < r->nrows && text; i++)
            if (cells[i * nkeys + k].cls == K_NUMBER) cells[i * nkeys + k].cls = K_TEXT;
    }
    qsort(perm, r->nrows, sizeof *perm, compare_rows);
    for (size_t i = 0; i < r->nrows; i++)
        memcpy(sorted + i * r->ncols, r->cells + perm[i].row * r->ncols, r->ncols * sizeof *sorted);
    memcpy(r->cells, sorted, r->nrows * r->ncols * sizeof *sorted);
done:
    free(cells);
    free(desc);
    free(perm);
    free(sorted);
    return st;
}

tsg_status_t qry_order(qry_session_t *s, const ast_tail_t *tail, tsg_result_t *const *rs, size_t n)
{
    size_t nkeys = 0, ntables = 0;
    for (const ast_key_t *k = tail->keys; k; k = k->next) nkeys++;
    for (size_t i = 0; i < n; i++) ntables += rs[i]->kind == TSG_RESULT_TABLE;
    long *cols = malloc((nkeys ? nkeys : 1) * sizeof *cols);
    if (!cols) return gram_fail(&s->ctx, TSG_ENOMEM, &tail->kw, _("out of memory"));
    /* A statement of several tables (HORIZONTAL, SHOW) orders those that
     * have every key; each key must be in at least one of them. */
    const ast_key_t *k = tail->keys;
    for (size_t j = 0; ntables && j < nkeys; j++, k = k->next) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = rs[i]->kind == TSG_RESULT_TABLE && column_of(rs[i], k->col->text) >= 0;
        if (found) continue;
        util_buf_t names = {0};
        int full = 0;
        for (size_t i = 0; i < n && !full; i++)
            for (size_t c = 0; rs[i]->kind == TSG_RESULT_TABLE && c < rs[i]->ncols && !full; c++) {
                int seen = 0;
                for (size_t e = 0; e < i && !seen; e++)
                    for (size_t d = 0; rs[e]->kind == TSG_RESULT_TABLE && d < rs[e]->ncols && !seen; d++)
                        seen = !strcmp(rs[e]->cols[d], rs[i]->cols[c]);
                for (size_t d = 0; d < c && !seen; d++) seen = !strcmp(rs[i]->cols[d], rs[i]->cols[c]);
                /* Whole names only, and few enough for the message to hold. */
                if (!seen && names.len + strlen(rs[i]->cols[c]) > 300) full = 1;
                else if (!seen) util_buf_printf(&names, "%s%s", names.len ? ", " : "", rs[i]->cols[c]);
            }
        tsg_status_t st = full ? qry_fail(s, &k->col->tok, _("the result has no column '%s' (its columns: %s, …)"),
                                          k->col->text, names.data ? names.data : "")
                               : qry_fail(s, &k->col->tok, _("the result has no column '%s' (its columns: %s)"),
                                          k->col->text, names.data ? names.data : "");
        util_buf_free(&names);
        free(cols);
        return st;
    }
    /* LIMIT n or LIMIT $n (a parameter's value read as a number is). */
    long limit = -1;
    tsg_status_t st = tail->limit ? qry_number(s, tail->limit, &limit) : TSG_OK;
    for (size_t i = 0; i < n && !st; i++) {
        tsg_result_t *r = rs[i];
        if (r->kind != TSG_RESULT_TABLE) continue;
        int all = 1;
        k = tail->keys;
        for (size_t j = 0; j < nkeys; j++, k = k->next) all &= (cols[j] = column_of(r, k->col->text)) >= 0;
        if (nkeys && all) st = sort_table(s, tail, r, cols, nkeys);
        if (!st && limit >= 0 && (size_t)limit < r->nrows) r->nrows = (size_t)limit;
    }
    free(cols);
    return st;
}
