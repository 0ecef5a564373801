/* result — see result.h. */
#include "result.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

tsg_result_t *qry_result_new(const char *title, size_t ncols, const char *const *cols)
{
    tsg_result_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ncols = ncols;
    r->cols = calloc(ncols ? ncols : 1, sizeof *r->cols);
    r->right = calloc(ncols ? ncols : 1, 1);
    if (!r->cols || !r->right || (title && !(r->title = util_strdup(title)))) goto fail;
    for (size_t c = 0; c < ncols; c++)
        if (!(r->cols[c] = util_strdup(cols[c]))) goto fail;
    return r;
fail:
    tsg_result_free(r);
    return NULL;
}

tsg_result_t *qry_result_message(const char *text)
{
    static const char *const col = "message";
    tsg_result_t *r = qry_result_row(qry_result_new(NULL, 1, &col), &text);
    if (r) r->kind = TSG_RESULT_MESSAGE;
    return r;
}

/* The cells' strings, copied one after another into blocks that double in
 * size up to TEXT_BLOCK_MAX; tsg_result_free frees the blocks, not each cell.
 * A result of thousands of rows costs a few allocations, not one per cell. */
struct tsg_result_text {
    struct tsg_result_text *older;
    size_t used, size;
    char data[];
};

#define TEXT_BLOCK_MIN 4096u
#define TEXT_BLOCK_MAX (1024u * 1024u)

static char *text_copy(tsg_result_t *r, const char *s)
{
    size_t n = strlen(s) + 1;
    struct tsg_result_text *b = r->text;
    if (!b || b->size - b->used < n) {
        size_t size = b ? b->size * 2 : TEXT_BLOCK_MIN;
        if (size > TEXT_BLOCK_MAX) size = TEXT_BLOCK_MAX;
        if (size < n) size = n;
        struct tsg_result_text *nb = malloc(sizeof *nb + size);
        if (!nb) return NULL;
        nb->older = b;
        nb->used = 0;
        nb->size = size;
        r->text = b = nb;
    }
    char *t = memcpy(b->data + b->used, s, n);
    b->used += n;
    return t;
}

int qry_result_add(tsg_result_t *r, const char *const *cells) { return qry_result_add_refs(r, cells, 0); }

int qry_result_add_refs(tsg_result_t *r, const char *const *cells, unsigned refs)
{
    if (r->nrows > QRY_MAX_ROWS) return 0; /* qry_emit refuses it; memory stays bounded */
    /* Room doubles at each power of two: appends stay O(1) without a
     * capacity field in the public struct. */
    if ((r->nrows & (r->nrows - 1)) == 0) {
        size_t room = r->nrows ? r->nrows * 2 : 1;
        char **grown = realloc(r->cells, room * r->ncols * sizeof *grown);
        if (!grown && r->ncols) return -1;
        r->cells = grown;
    }
    char **row = r->cells + r->nrows * r->ncols;
    int fail = 0;
    for (size_t c = 0; c < r->ncols; c++) {
        if (c < 32 && (refs >> c & 1u)) row[c] = (char *)cells[c];
        else row[c] = cells[c] ? text_copy(r, cells[c]) : NULL;
        if (cells[c] && !row[c]) fail = 1;
    }
    r->nrows++;
    return fail ? -1 : 0;
}

const char *qry_result_text(tsg_result_t *r, const char *text) { return text_copy(r, text); }

int qry_result_set(tsg_result_t *r, size_t row, size_t col, const char *text)
{
    char *t = text ? text_copy(r, text) : NULL;
    if (text && !t) return -1;
    r->cells[row * r->ncols + col] = t;
    return 0;
}

void tsg_result_free(tsg_result_t *r)
{
    if (!r) return;
    for (struct tsg_result_text *b = r->text, *older; b; b = older) {
        older = b->older;
        free(b);
    }
    for (size_t c = 0; r->cols && c < r->ncols; c++) free(r->cols[c]);
    free(r->cells);
    free(r->cols);
    free(r->right);
    free(r->title);
    free(r);
}

void tsg_results_free(tsg_result_t **rs, size_t n)
{
    for (size_t i = 0; rs && i < n; i++) tsg_result_free(rs[i]);
    free(rs);
}

tsg_status_t qry_result_from_sql(sqlite3 *db, const char *sql, const char *title, tsg_result_t **out,
                                 tsg_error_t *err)
{
    *out = NULL;
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(db, sql, &st, err);
    if (s) return s;
    size_t n = (size_t)sqlite3_column_count(st);
    const char *cols[32];
    for (size_t c = 0; c < n && c < 32; c++) cols[c] = sqlite3_column_name(st, (int)c);
    tsg_result_t *r = qry_result_new(title, n < 32 ? n : 32, cols);
    if (!r) {
        sqlite3_finalize(st);
        return util_fail(err, TSG_ENOMEM, "out of memory");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cells[32];
        for (size_t c = 0; c < r->ncols; c++) {
            cells[c] = (const char *)sqlite3_column_text(st, (int)c);
            int t = sqlite3_column_type(st, (int)c);
            if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) r->right[c] = 1;
        }
        if (qry_result_add(r, cells)) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    if (rc != SQLITE_DONE) {
        s = rc == SQLITE_NOMEM ? util_fail(err, TSG_ENOMEM, "out of memory") : store_fail_sql(db, "query", err);
        tsg_result_free(r);
    } else {
        *out = r;
    }
    sqlite3_finalize(st);
    return s;
}

tsg_result_t *qry_result_row(tsg_result_t *r, const char *const *cells) { return qry_result_row_refs(r, cells, 0); }

tsg_result_t *qry_result_row_refs(tsg_result_t *r, const char *const *cells, unsigned refs)
{
    if (r && qry_result_add_refs(r, cells, refs)) {
        tsg_result_free(r);
        return NULL;
    }
    return r;
}
