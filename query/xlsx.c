/*
 * xlsx — result sets as an Excel workbook (libxlsxwriter), one sheet each.
 *
 * Planners live in Excel: a sheet has the result's columns as a bold,
 * frozen header with a filter, numbers as numbers (cells of a right-aligned
 * column that read whole as a finite number; "<5" and "25 (59.5%)" stay
 * text), and columns as wide as their text. A sheet is named after the
 * result's title, made valid for Excel (31 characters, none of []:*?/\,
 * unique). libxlsxwriter writes the file when the workbook closes; tsunagi
 * has it write into a private folder beside the target (util/atomic.h) and
 * renames it into place, so a run that fails leaves an earlier file of that
 * name as it was.
 */
#include "tsunagi.h"
#include "util.h"
#include "atomic.h"
#include "clauses.h"
#include "xlsx_lazy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Excel's own limits. */
#define SHEET_NAME_MAX 31        /* UTF-16 units */
#define CELL_TEXT_MAX 32767      /* characters in a cell */
#define ROWS_MAX 1048576         /* rows in a sheet, the header included */
#define COLS_MAX 16384
#define NAME_BYTES (SHEET_NAME_MAX * 4 + 16) /* a sheet name in UTF-8, with room for " (n)" */

struct tsg_xlsx {
    lxw_workbook *wb;
    lxw_format *header;
    util_atomic_t file; /* file.tmp: what libxlsxwriter writes */
    char (*names)[NAME_BYTES]; /* sheet names so far */
    size_t nsheets;
};

static void xlsx_free(tsg_xlsx_t *x)
{
    free(x->names);
    util_atomic_abort(&x->file);
    free(x);
}

tsg_status_t tsg_xlsx_open(const char *path, tsg_xlsx_t **out, tsg_error_t *err)
{
    *out = NULL;
    tsg_status_t opened = store_xlsxwriter_open(err);
    if (opened) return opened;
    tsg_xlsx_t *x = calloc(1, sizeof *x);
    if (!x) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    /* Fail now, not after the statements, when the file cannot be written there. */
    tsg_status_t rc = util_atomic_begin(&x->file, path, NULL, err);
    if (rc) {
        x->file.fd = -1;
        xlsx_free(x);
        return rc;
    }
    close(x->file.fd); /* libxlsxwriter writes the file by its name */
    x->file.fd = -1;
    if (!(x->wb = workbook_new(x->file.tmp))) {
        xlsx_free(x);
        return util_fail(err, TSG_ENOMEM, _("out of memory starting the workbook"));
    }
    x->header = workbook_add_format(x->wb);
    if (x->header) {
        format_set_bold(x->header);
        format_set_bottom(x->header, LXW_BORDER_THIN);
    }
    *out = x;
    return TSG_OK;
}

const char *tsg_xlsx_path(const tsg_xlsx_t *x) { return x->file.path; }

/* Bytes of the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* The title cut to `units` UTF-16 units, without the characters Excel
 * refuses in a sheet name ([]:*?/\ and controls become '_') and without
 * apostrophes at either end. */
static void clean_title(const char *title, size_t units, char *out)
{
    size_t len = 0, used = 0;
    for (const char *p = title; *p;) {
        size_t k = utf8_len((unsigned char)*p), u = k == 4 ? 2 : 1;
        for (size_t j = 1; j < k; j++)
            if (!p[j]) k = j; /* a cut sequence: stop at the NUL */
        if (used + u > units) break;
        if (k == 1 && (strchr("[]:*?/\\", *p) || (unsigned char)*p < 0x20)) {
            out[len++] = '_';
        } else {
            memcpy(out + len, p, k);
            len += k;
        }
        used += u;
        p += k;
    }
    out[len] = '\0';
    while (len && out[len - 1] == '\'') out[--len] = '\0';
    if (out[0] == '\'') out[0] = '_';
}

static int sheet_taken(const tsg_xlsx_t *x, const char *name)
{
    for (size_t i = 0; i < x->nsheets; i++)
        if (!strcasecmp(x->names[i], name)) return 1;
    return 0;
}

/* A valid, unused sheet name from the title (or "result N"); a name already
 * used gets " (2)", " (3)", … within the 31 units. */
static void sheet_name(tsg_xlsx_t *x, const char *title, char *out)
{
    char base[SHEET_NAME_MAX * 4 + 1];
    clean_title(title ? title : "", SHEET_NAME_MAX, base);
    if (!*base) snprintf(base, sizeof base, _("result %zu"), x->nsheets + 1);
    snprintf(out, NAME_BYTES, "%s", base);
    if (!sheet_taken(x, out)) return;
    clean_title(base, SHEET_NAME_MAX - 6, base); /* room for " (999)" */
    for (int k = 2; sheet_taken(x, out); k++) snprintf(out, NAME_BYTES, "%s (%d)", base, k);
}

/* A cell of a right-aligned column that reads whole as a finite number. */
static int as_number(const char *s, double *v)
{
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end == '\0' && errno == 0 && isfinite(*v) && end != s;
}

static tsg_status_t lxw_fail(tsg_xlsx_t *x, lxw_error e, tsg_error_t *err)
{
    return util_fail(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TSG_ENOMEM : TSG_EIO, "%s: %s", x->file.path,
                     lxw_strerror(e));
}

tsg_status_t tsg_xlsx_add(tsg_xlsx_t *x, const tsg_result_t *r, tsg_error_t *err)
{
    if (r->kind == TSG_RESULT_MESSAGE) return TSG_OK;
    if (r->nrows + 1 > ROWS_MAX)
        return util_fail(err, TSG_EINPUT, _("%zu rows do not fit an Excel sheet (at most %d); narrow the statement"),
                         r->nrows, ROWS_MAX - 1);
    if (r->ncols > COLS_MAX) return util_fail(err, TSG_EINPUT, _("%zu columns do not fit an Excel sheet"), r->ncols);
    void *grown = realloc(x->names, (x->nsheets + 1) * sizeof *x->names);
    if (!grown) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    x->names = grown;
    char *name = x->names[x->nsheets];
    /* Named after what it holds: its title, else what its statement's
     * tables hold (ギャップ, カバー状況 in Japanese), else the statement. */
    char word[128];
    const char *holds = r->title || !r->statement ? NULL : qry_statement_holds(r->statement, word, sizeof word);
    sheet_name(x, r->title ? r->title : holds ? holds : r->statement, name);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws) return util_fail(err, TSG_ENOMEM, _("out of memory adding a sheet"));
    x->nsheets++;
    size_t *width = calloc(r->ncols + 1, sizeof *width);
    if (!width) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    lxw_error e = LXW_NO_ERROR;
    for (size_t c = 0; c < r->ncols && !e; c++) {
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, r->cols[c], x->header);
        width[c] = util_display_width(r->cols[c]);
    }
    for (size_t i = 0; i < r->nrows && !e; i++)
        for (size_t c = 0; c < r->ncols && !e; c++) {
            const char *s = r->cells[i * r->ncols + c];
            double v;
            if (!s || !*s) continue;
            if (r->right[c] && as_number(s, &v))
                e = worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, v, NULL);
            else
                e = worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, s, NULL);
            if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
                free(width);
                return util_fail(err, TSG_EINPUT, _("row %zu, column %s: text longer than Excel's %d characters"),
                                 i + 1, r->cols[c], CELL_TEXT_MAX);
            }
            size_t w = util_display_width(s);
            if (w > width[c]) width[c] = w;
        }
    for (size_t c = 0; c < r->ncols && !e; c++)
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, (double)(width[c] > 60 ? 60 : width[c]) + 2, NULL);
    free(width);
    if (!e && r->ncols) worksheet_freeze_panes(ws, 1, 0);
    if (!e && r->ncols) e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->nrows, (lxw_col_t)(r->ncols - 1));
    return e ? lxw_fail(x, e, err) : TSG_OK;
}

tsg_status_t tsg_xlsx_close(tsg_xlsx_t *x, int keep, tsg_error_t *err)
{
    if (!x) return TSG_OK;
    tsg_status_t rc = TSG_OK;
    /* An empty workbook is not a valid file for Excel: give it one sheet. */
    if (keep && !x->nsheets) {
        lxw_worksheet *ws = workbook_add_worksheet(x->wb, _("no results"));
        if (ws) worksheet_write_string(ws, 0, 0, _("(no results)"), NULL);
    }
    lxw_error e = workbook_close(x->wb);
    if (keep && e) rc = lxw_fail(x, e, err);
    if (keep && !rc) rc = util_atomic_commit(&x->file, err);
    xlsx_free(x);
    return rc;
}
