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
    /* Headers in the language of the run; the keys stay for CSV and JSON. */
    for (size_t c = 0; c < ncols; c++) {
        const char *h = util_pgettext_ctx("column", cols[c]);
        if (h != cols[c] && qry_result_head(r, c, h)) goto fail;
    }
    return r;
fail:
    tsg_result_free(r);
    return NULL;
}

/* The header of a column that qry_result_compact removes (never written). */
static const char dropped_mark[] = "";
#define dropped ((char *)dropped_mark)

static int heads_init(tsg_result_t *r)
{
    if (r->heads) return 0;
    if (!(r->heads = calloc(r->ncols ? r->ncols : 1, sizeof *r->heads))) return -1;
    for (size_t c = 0; c < r->ncols; c++) r->heads[c] = r->cols[c];
    return 0;
}

int qry_result_head(tsg_result_t *r, size_t col, const char *head)
{
    char *h = NULL;
    if (heads_init(r) || (head && !(h = util_strdup(head)))) return -1;
    if (r->heads[col] != r->cols[col] && r->heads[col] != dropped) free(r->heads[col]);
    r->heads[col] = h;
    return 0;
}

int qry_result_keyed(tsg_result_t *r, size_t key, int ja)
{
    /* Japanese: the label for people, the key for scripts (CSV, JSON) beside
     * it. English: the key is what people read too, and the results are
     * what they were before issue 19, label column and all left out. */
    if (ja) return qry_result_head(r, key, NULL);
    if (heads_init(r)) return -1;
    if (r->heads[key + 1] != r->cols[key + 1]) free(r->heads[key + 1]);
    r->heads[key + 1] = dropped;
    return 0;
}

void qry_result_compact(tsg_result_t *r)
{
    if (!r->heads) return;
    size_t keep = 0;
    for (size_t c = 0; c < r->ncols; c++) keep += r->heads[c] != dropped;
    if (keep == r->ncols) return;
    for (size_t i = 0; i < r->nrows; i++) {
        size_t k = 0;
        for (size_t c = 0; c < r->ncols; c++)
            if (r->heads[c] != dropped) r->cells[i * keep + k++] = r->cells[i * r->ncols + c];
    }
    size_t k = 0;
    for (size_t c = 0; c < r->ncols; c++) {
        if (r->heads[c] == dropped) {
            free(r->cols[c]);
            continue;
        }
        r->cols[k] = r->cols[c];
        r->heads[k] = r->heads[c];
        r->right[k++] = r->right[c];
    }
    r->ncols = keep;
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

/* The room qry_result_add_refs keeps for n rows: the next power of two
 * from n (it grows to 2n when a row arrives at a power of two n). */
static size_t room_for(size_t n)
{
    size_t room = 1;
    while (room < n) room *= 2;
    return n ? room : 0;
}

char **qry_result_room(tsg_result_t *r, size_t *most)
{
    /* As qry_result_add_refs, no row past QRY_MAX_ROWS + 1 is kept (qry_emit
     * refuses such a result). */
    size_t keep = r->nrows > QRY_MAX_ROWS ? 0 : QRY_MAX_ROWS + 1 - r->nrows;
    if (*most > keep) *most = keep;
    size_t room = room_for(r->nrows + *most);
    if (!room) room = 1; /* cells to point at even for no rows */
    if (room > room_for(r->nrows)) {
        char **grown = realloc(r->cells, room * r->ncols * sizeof *grown);
        if (!grown && r->ncols) return NULL;
        r->cells = grown;
    }
    return r->cells + r->nrows * r->ncols;
}

void qry_result_filled(tsg_result_t *r, size_t n) { r->nrows += n; }

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
    for (size_t c = 0; r->heads && c < r->ncols; c++)
        if (r->heads[c] != r->cols[c] && r->heads[c] != dropped) free(r->heads[c]);
    free(r->heads);
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
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
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
        s = rc == SQLITE_NOMEM ? util_fail(err, TSG_ENOMEM, _("out of memory")) : store_fail_sql(db, "query", err);
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
