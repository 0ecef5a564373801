/* Results through the library's sink (issue 18): every result says whether
 * it is a table or a message, and ORDER BY / LIMIT give the rows of the
 * plain statement in the documented order (docs/language.md, "ORDER BY and
 * LIMIT"), checked against a sort written here from that text: a column of
 * numbers only by value, else by bytes; empty cells last either way; a
 * stable sort, so ties keep the plain statement's order. */
#include "helpers.h"
#include "result.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    tsg_result_kind_t kinds[16];
    size_t n;
    char *cols[32];     /* the last table's header */
    char **cells;       /* the last table's cells */
    size_t ncols, nrows;
    char error[2048];
} seen_t;

static void forget(seen_t *o)
{
    for (size_t c = 0; c < o->ncols; c++) free(o->cols[c]);
    for (size_t i = 0; i < o->ncols * o->nrows; i++) free(o->cells[i]);
    free(o->cells);
    memset(o, 0, sizeof *o);
}

static tsg_status_t take(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    seen_t *o = ctx;
    if (o->n < 16) o->kinds[o->n++] = r->kind;
    if (r->kind != TSG_RESULT_TABLE) return TSG_OK;
    for (size_t c = 0; c < o->ncols; c++) free(o->cols[c]);
    for (size_t i = 0; i < o->ncols * o->nrows; i++) free(o->cells[i]);
    free(o->cells);
    o->ncols = r->ncols < 32 ? r->ncols : 32;
    o->nrows = r->nrows;
    o->cells = calloc(o->nrows * o->ncols + 1, sizeof *o->cells);
    for (size_t c = 0; c < o->ncols; c++) o->cols[c] = strdup(r->cols[c]);
    for (size_t i = 0; i < r->nrows; i++)
        for (size_t c = 0; c < o->ncols; c++) {
            const char *v = r->cells[i * r->ncols + c];
            o->cells[i * o->ncols + c] = strdup(v ? v : "");
        }
    return TSG_OK;
}

static void take_error(void *ctx, const tsg_error_t *e) { snprintf(((seen_t *)ctx)->error, 2048, "%s", e->text); }

static tsg_status_t run(tsg_session_t *s, const char *stmts, seen_t *o)
{
    forget(o);
    tsg_sink_t sink = {take, take_error, o};
    tsg_error_t err = {0};
    return tsg_session_run(s, stmts, NULL, 0, &sink, &err);
}

static tsg_session_t *sample(tsg_db_t **db)
{
    char *dir = th_tempdir(), path[4096];
    snprintf(path, sizeof path, "%s/city.db", dir);
    free(dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_session_t *s;
    cr_assert_eq(tsg_open(path, db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(*db, &s, &err), TSG_OK, "%s", err.text);
    return s;
}

Test(results, a_result_says_whether_it_is_a_table_or_a_message)
{
    tsg_db_t *db;
    tsg_session_t *s = sample(&db);
    seen_t o = {0};
    cr_assert_eq(run(s,
                     "ADD organisation 'x' SECTOR npo IN '北区';"
                     "FIND organisations WHERE name = 'x';"
                     "LET s = FIND organisations WHERE name = 'x';"
                     "PATH FROM '南区総合相談窓口' TO 'あさひの市立北中学校' WITHIN 1 HOPS;"
                     "COUNT organisations WHERE name = 'x' BY sector;"
                     "REMOVE 'x';",
                     &o),
                 TSG_OK, "%s", o.error);
    tsg_result_kind_t want[] = {TSG_RESULT_MESSAGE, TSG_RESULT_TABLE, TSG_RESULT_MESSAGE, TSG_RESULT_MESSAGE,
                                TSG_RESULT_TABLE, TSG_RESULT_MESSAGE};
    cr_assert_eq(o.n, 6);
    for (size_t i = 0; i < 6; i++) cr_expect_eq(o.kinds[i], want[i], "result %zu", i);
    forget(&o);
    tsg_session_close(s);
    tsg_close(db);
}

/* ---- the oracle ------------------------------------------------------------------ */

static int is_number(const char *v)
{
    const char *p = v + (*v == '-');
    size_t digits = strspn(p, "0123456789."), points = 0;
    for (size_t i = 0; i < digits; i++) points += p[i] == '.';
    return *v && digits && !p[digits] && points <= 1 && p[0] != '.' && p[digits - 1] != '.';
}

static const seen_t *sorting;
static size_t sort_col;
static int sort_desc, sort_numbers;

static int oracle_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const char *x = sorting->cells[a * sorting->ncols + sort_col], *y = sorting->cells[b * sorting->ncols + sort_col];
    int c = 0;
    if (!*x || !*y) c = !*x && !*y ? 0 : !*x ? 2 : -2; /* empty last, in both directions */
    else if (sort_numbers) c = strtod(x, NULL) < strtod(y, NULL) ? -1 : strtod(x, NULL) > strtod(y, NULL);
    else c = strcmp(x, y) < 0 ? -1 : strcmp(x, y) > 0;
    if (c == 2 || c == -2) return c / 2;
    if (c) return sort_desc ? -c : c;
    return a < b ? -1 : a > b; /* stable */
}

/* plain: the statement without a tail; col, desc; limit (0: none). */
static void check_order(tsg_session_t *s, const char *plain, const char *col, int desc, size_t limit)
{
    seen_t base = {0}, got = {0};
    cr_assert_eq(run(s, plain, &base), TSG_OK, "%s", base.error);
    char tail[512];
    size_t len = strlen(plain) - 1; /* without ';' */
    if (limit) snprintf(tail, sizeof tail, "%.*s ORDER BY %s%s LIMIT %zu;", (int)len, plain, col, desc ? " DESC" : "", limit);
    else snprintf(tail, sizeof tail, "%.*s ORDER BY %s%s;", (int)len, plain, col, desc ? " DESC" : "");
    cr_assert_eq(run(s, tail, &got), TSG_OK, "%s: %s", tail, got.error);
    size_t c = 0;
    while (c < base.ncols && strcmp(base.cols[c], col)) c++;
    cr_assert_lt(c, base.ncols, "%s has no column %s", plain, col);
    cr_assert_gt(base.nrows, 3, "%s: too few rows to tell an order", plain);
    size_t *perm = malloc(base.nrows * sizeof *perm);
    sort_numbers = 1;
    for (size_t i = 0; i < base.nrows; i++) {
        perm[i] = i;
        const char *v = base.cells[i * base.ncols + c];
        if (*v && !is_number(v)) sort_numbers = 0;
    }
    sorting = &base;
    sort_col = c;
    sort_desc = desc;
    qsort(perm, base.nrows, sizeof *perm, oracle_cmp);
    size_t want = limit && limit < base.nrows ? limit : base.nrows;
    cr_assert_eq(got.nrows, want, "%s: %zu rows, not %zu", tail, got.nrows, want);
    for (size_t i = 0; i < want; i++)
        for (size_t k = 0; k < base.ncols; k++)
            cr_assert_str_eq(got.cells[i * got.ncols + k], base.cells[perm[i] * base.ncols + k], "%s: row %zu, column %s",
                             tail, i + 1, base.cols[k]);
    free(perm);
    forget(&base);
    forget(&got);
}

Test(results, order_by_gives_the_plain_rows_in_the_documented_order)
{
    tsg_db_t *db;
    tsg_session_t *s = sample(&db);
    /* Numbers with many ties and empty counts; dates beside years (text). */
    check_order(s, "FIND ties;", "count", 0, 0);
    check_order(s, "FIND ties;", "count", 1, 0);
    check_order(s, "FIND ties;", "since", 0, 0);
    check_order(s, "FIND ties;", "since", 1, 25);
    check_order(s, "FIND ties WHERE kind = referral;", "to", 0, 0);
    check_order(s, "FIND programs;", "ages", 1, 0);
    check_order(s, "CENTRALITY degree;", "degree", 0, 0);
    check_order(s, "CENTRALITY betweenness;", "name", 1, 10);
    check_order(s, "COUNT programs BY need;", "count", 1, 0);
    check_order(s, "GAPS FOR hikikomori AGED 18..39 IN 'あさひの市';", "district", 0, 0);
    tsg_session_close(s);
    tsg_close(db);
}

/* qry_result_add_refs keeps by pointer only the cells whose bit is set in
 * refs, and refs has 32 bits (result.h): with every bit set, a row of 33
 * columns keeps its first 32 by pointer and copies the 33rd. The oracle is
 * that contract: a cell kept by pointer shows the caller's buffer changed
 * after the call, a copied cell the text as it was. */
Test(results, refs_names_32_columns_and_a_33rd_is_copied)
{
    const char *cols[33];
    char names[33][8], texts[33][8];
    const char *cells[33];
    for (int c = 0; c < 33; c++) {
        snprintf(names[c], sizeof names[c], "c%d", c);
        snprintf(texts[c], sizeof texts[c], "v%d", c);
        cols[c] = names[c];
        cells[c] = texts[c];
    }
    for (size_t ncols = 32; ncols <= 33; ncols++) {
        tsg_result_t *r = qry_result_new("t", ncols, cols);
        cr_assert_not_null(r);
        cr_assert_eq(qry_result_add_refs(r, cells, ~0u), 0);
        for (size_t c = 0; c < ncols; c++) texts[c][0] = 'w';
        for (size_t c = 0; c < ncols; c++) {
            char want[8];
            snprintf(want, sizeof want, "%c%zu", c < 32 ? 'w' : 'v', c);
            cr_expect_str_eq(r->cells[c], want, "%zu columns, column %zu", ncols, c);
        }
        for (size_t c = 0; c < ncols; c++) texts[c][0] = 'v';
        tsg_result_free(r);
    }
}
