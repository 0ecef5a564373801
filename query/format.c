/*
 * format — printing a tsg_result_t as an aligned table, CSV, JSON or
 * Markdown. Evaluation never prints; this module is the only one that does.
 * Table widths are display widths (a CJK character takes two columns; an
 * East Asian ambiguous one such as → or — takes one, as utf8proc and
 * glibc's wcwidth count it: docs/decisions.md, "Issue 19: the REPL").
 */
#include "csv.h"
#include "i18n.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char *cell(const tsg_result_t *r, size_t row, size_t c)
{
    const char *s = r->cells[row * r->ncols + c];
    return s ? s : "";
}

static void pad(FILE *out, size_t n)
{
    while (n--) fputc(' ', out);
}

/* The narrowest a column is cut to: room for a character and the '…'. */
#define MIN_COLUMN 3

/* Appends s to b, cut to `width` display columns: a cell wider than that
 * keeps what fits in width - 1 columns and ends with '…'. Returns the
 * display width written. */
static size_t add_cut(util_buf_t *b, const char *s, size_t width)
{
    size_t w = util_display_width(s);
    if (w <= width) {
        util_buf_adds(b, s);
        return w;
    }
    size_t used = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        int cw = n <= 0 ? 1 : utf8proc_charwidth(c);
        if (n <= 0) n = 1;
        if (cw < 0) cw = 0;
        if (used + (size_t)cw + 1 > width) break;
        for (utf8proc_ssize_t k = 0; k < n; k++) util_buf_addc(b, (char)p[k]);
        used += (size_t)cw;
        p += n;
    }
    util_buf_adds(b, "…");
    return used + 1;
}

/* The header people see, or NULL for a column only CSV and JSON hold (a
 * key whose label column is shown beside it). */
static const char *head(const tsg_result_t *r, size_t c)
{
    return r->heads ? r->heads[c] : r->cols[c];
}

/* Narrows the widest shown column, one column at a time, until every line
 * and the rule under the header ("-a-+-b-", one column wider) fit in
 * `width` columns or every column is at MIN_COLUMN; 0 means no limit. */
static void fit_widths(const tsg_result_t *r, size_t *w, size_t width)
{
    size_t shown = 0;
    for (size_t c = 0; c < r->ncols; c++) shown += head(r, c) != NULL;
    if (!width || !shown) return;
    for (;;) {
        size_t total = 2 + 3 * (shown - 1), widest = r->ncols;
        for (size_t c = 0; c < r->ncols; c++) {
            if (!head(r, c)) continue;
            total += w[c];
            if (widest == r->ncols || w[c] > w[widest]) widest = c;
        }
        if (total <= width || w[widest] <= MIN_COLUMN) return;
        w[widest]--;
    }
}

static void print_table(const tsg_result_t *r, FILE *out, size_t *w, size_t width)
{
    for (size_t c = 0; c < r->ncols; c++) {
        w[c] = 0;
        if (!head(r, c)) continue;
        w[c] = util_display_width(head(r, c));
        for (size_t i = 0; i < r->nrows; i++) {
            size_t k = util_display_width(cell(r, i, c));
            if (k > w[c]) w[c] = k;
        }
    }
    fit_widths(r, w, width);
    util_buf_t line = {0};
    for (size_t i = 0; i <= r->nrows; i++) {
        line.len = 0;
        int first = 1;
        for (size_t c = 0; c < r->ncols; c++) {
            if (!head(r, c)) continue;
            /* Row 0 is the header; the rule under it follows. */
            const char *s = i ? cell(r, i - 1, c) : head(r, c);
            util_buf_adds(&line, first ? " " : " | ");
            first = 0;
            size_t k = util_display_width(s);
            if (k > w[c]) k = w[c];
            if (r->right[c]) for (size_t p = k; p < w[c]; p++) util_buf_addc(&line, ' ');
            add_cut(&line, s, w[c]);
            if (!r->right[c]) for (size_t p = k; p < w[c]; p++) util_buf_addc(&line, ' ');
        }
        /* No trailing blanks: they are invisible and make diffs noisy. */
        while (line.len && line.data[line.len - 1] == ' ') line.len--;
        if (line.data) fwrite(line.data, 1, line.len, out);
        fputc('\n', out);
        if (i == 0) {
            first = 1;
            for (size_t c = 0; c < r->ncols; c++) {
                if (!head(r, c)) continue;
                fputs(first ? "-" : "-+-", out);
                first = 0;
                for (size_t k = 0; k < w[c]; k++) fputc('-', out);
            }
            fputs("-\n", out);
        }
    }
    util_buf_free(&line);
    fprintf(out, dngettext(TSG_TEXTDOMAIN, "(%zu row)\n", "(%zu rows)\n", r->nrows), r->nrows);
}

/* .mode line: each row as one "column = value" line per field, the names
 * right-aligned, rows apart by a blank line (sqlite3's .mode line, psql's
 * \x): a wide row reads down the screen instead of across it. */
static void print_lines(const tsg_result_t *r, FILE *out)
{
    size_t nw = 0;
    for (size_t c = 0; c < r->ncols; c++)
        if (head(r, c) && util_display_width(head(r, c)) > nw) nw = util_display_width(head(r, c));
    for (size_t i = 0; i < r->nrows; i++) {
        if (i) fputc('\n', out);
        for (size_t c = 0; c < r->ncols; c++) {
            if (!head(r, c)) continue;
            pad(out, nw - util_display_width(head(r, c)));
            fprintf(out, "%s = %s\n", head(r, c), cell(r, i, c));
        }
    }
    fprintf(out, dngettext(TSG_TEXTDOMAIN, "(%zu row)\n", "(%zu rows)\n", r->nrows), r->nrows);
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", out);
        else if (ch == '\r') fputs("\\r", out);
        else if (ch == '\t') fputs("\\t", out);
        else if (ch < 0x20) fprintf(out, "\\u%04x", ch);
        else fputc(ch, out);
    }
    fputc('"', out);
}

/* Whether s is a number as JSON writes one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return *s == '\0';
}

static void print_json(const tsg_result_t *r, FILE *out)
{
    fputc('[', out);
    for (size_t i = 0; i < r->nrows; i++) {
        fputs(i ? ",\n {" : "{", out);
        for (size_t c = 0; c < r->ncols; c++) {
            if (c) fputs(", ", out);
            json_string(out, r->cols[c]);
            fputs(": ", out);
            const char *s = r->cells[i * r->ncols + c];
            if (!s) fputs("null", out);
            else if (r->right[c] && json_number(s)) fputs(s, out);
            else json_string(out, s);
        }
        fputc('}', out);
    }
    fputs("]\n", out);
}

static void markdown_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else if (*s == '\n') fputs("<br>", out);
        else fputc(*s, out);
    }
}

static void print_markdown(const tsg_result_t *r, FILE *out)
{
    if (r->title) fprintf(out, "**%s**\n\n", r->title);
    fputc('|', out);
    for (size_t c = 0; c < r->ncols; c++) {
        if (!head(r, c)) continue;
        fputc(' ', out);
        markdown_cell(out, head(r, c));
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (size_t c = 0; c < r->ncols; c++)
        if (head(r, c)) fputs(r->right[c] ? " ---: |" : " --- |", out);
    fputc('\n', out);
    for (size_t i = 0; i < r->nrows; i++) {
        fputc('|', out);
        for (size_t c = 0; c < r->ncols; c++) {
            if (!head(r, c)) continue;
            fputc(' ', out);
            markdown_cell(out, cell(r, i, c));
            fputs(" |", out);
        }
        fputc('\n', out);
    }
}

/* Whether Excel would run text starting like s as a formula (OWASP's CSV
 * injection list): =, +, -, @, tab, carriage return. A plain number (-3,
 * -0.25) is no formula and stays a number, in whatever column. */
static int formula_lead(const char *s)
{
    if (!s || !*s || !strchr("=+-@\t\r", *s)) return 0;
    return !json_number(s);
}

/* A view of r for a terminal or a page: the strings that hold a control,
 * bidirectional or zero-width character (and, in a table, tab and line
 * breaks) replaced by a visible copy (util_visible), so that a name stored
 * before such names were refused cannot move the cursor, recolour the
 * terminal or reorder the line. The copies are listed in *owned. */
static int visible_view(const tsg_result_t *r, int breaks, tsg_result_t *v, char ***owned, size_t *nowned)
{
    size_t ncells = r->nrows * r->ncols, total = ncells + r->ncols + 1;
    *v = *r;
    *nowned = 0;
    v->cols = malloc((r->ncols ? r->ncols : 1) * sizeof *v->cols);
    v->cells = malloc((ncells ? ncells : 1) * sizeof *v->cells);
    *owned = malloc(total * sizeof **owned);
    if (!v->cols || !v->cells || !*owned) return -1;
    int nomem = 0;
    char *t;
#define SHOW(dst, src)                                                        \
    do {                                                                      \
        (dst) = (src);                                                        \
        if ((src) && (t = util_visible((src), breaks, &nomem))) {             \
            (dst) = t;                                                        \
            (*owned)[(*nowned)++] = t;                                        \
        }                                                                     \
    } while (0)
    SHOW(v->title, r->title);
    for (size_t c = 0; c < r->ncols; c++) SHOW(v->cols[c], r->cols[c]);
    for (size_t i = 0; i < ncells; i++) SHOW(v->cells[i], r->cells[i]);
#undef SHOW
    return nomem ? -1 : 0;
}

static void visible_free(tsg_result_t *v, char **owned, size_t nowned)
{
    for (size_t i = 0; owned && i < nowned; i++) free(owned[i]);
    free(owned);
    free(v->cols);
    free(v->cells);
}

static const char *const format_names[] = {"table", "csv", "json", "markdown", "line"};
#define NFORMATS (sizeof format_names / sizeof format_names[0])

tsg_status_t tsg_format_parse(const char *name, tsg_format_t *out, tsg_error_t *err)
{
    for (int i = 0; i < (int)NFORMATS; i++)
        if (!strcmp(name, format_names[i])) {
            *out = (tsg_format_t)i;
            return TSG_OK;
        }
    return util_fail(err, TSG_EINPUT, _("unknown format '%s' (table, csv, json, markdown or line)"), name);
}

const char *tsg_format_name(tsg_format_t f) { return (unsigned)f < NFORMATS ? format_names[f] : "?"; }

/* A message is a sentence, in every format the line it always was; JSON
 * output stays a stream of JSON documents, so there it is an object, told
 * from a table (an array) by its type. */
static tsg_status_t print_message(const tsg_result_t *r, tsg_format_t fmt, FILE *out, tsg_error_t *err)
{
    const char *text = r->nrows && r->ncols && r->cells[0] ? r->cells[0] : "";
    if (fmt == TSG_FMT_JSON) {
        fputs("{\"message\": ", out);
        json_string(out, text);
        fputs("}\n", out);
    } else {
        fprintf(out, "%s\n", text);
    }
    if (ferror(out)) return util_fail(err, TSG_EIO, _("cannot write the output"));
    return TSG_OK;
}

tsg_status_t tsg_result_print(const tsg_result_t *shown, tsg_format_t fmt, FILE *out, tsg_error_t *err)
{
    return tsg_result_print_fit(shown, fmt, out, 0, err);
}

tsg_status_t tsg_result_print_fit(const tsg_result_t *shown, tsg_format_t fmt, FILE *out, size_t width,
                                  tsg_error_t *err)
{
    if (shown->kind == TSG_RESULT_MESSAGE) return print_message(shown, fmt, out, err);
    const tsg_result_t *r = shown;
    tsg_result_t view;
    char **owned = NULL;
    size_t nowned = 0;
    if (fmt == TSG_FMT_TABLE || fmt == TSG_FMT_MARKDOWN || fmt == TSG_FMT_LINE) {
        if (visible_view(shown, fmt != TSG_FMT_MARKDOWN, &view, &owned, &nowned)) {
            visible_free(&view, owned, nowned);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
        r = &view;
    }
    switch (fmt) {
    case TSG_FMT_TABLE: {
        size_t *w = calloc(r->ncols ? r->ncols : 1, sizeof *w);
        if (!w) {
            visible_free(&view, owned, nowned);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
        if (r->title) fprintf(out, "%s\n", r->title);
        print_table(r, out, w, width);
        free(w);
        break;
    }
    case TSG_FMT_CSV: {
        util_buf_t b = {0};
        int fail = 0;
        for (size_t c = 0; c < r->ncols; c++) fail |= store_csv_put(&b, r->cols[c], c + 1 == r->ncols);
        for (size_t i = 0; i < r->nrows; i++)
            for (size_t c = 0; c < r->ncols; c++) {
                /* CSV is read by spreadsheets: a text cell Excel would run
                 * as a formula gets a leading ' (shown as text, not run). */
                const char *v = r->cells[i * r->ncols + c];
                char *quoted = formula_lead(v) ? util_printf("'%s", v) : NULL;
                if (formula_lead(v) && !quoted) fail = 1;
                fail |= store_csv_put(&b, quoted ? quoted : v, c + 1 == r->ncols);
                free(quoted);
            }
        if (fail) {
            util_buf_free(&b);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
        if (b.len) fwrite(b.data, 1, b.len, out);
        util_buf_free(&b);
        break;
    }
    case TSG_FMT_JSON: print_json(r, out); break;
    case TSG_FMT_MARKDOWN: print_markdown(r, out); break;
    case TSG_FMT_LINE:
        if (r->title) fprintf(out, "%s\n", r->title);
        print_lines(r, out);
        break;
    }
    if (r == &view) visible_free(&view, owned, nowned);
    if (ferror(out)) return util_fail(err, TSG_EIO, _("cannot write the output"));
    return TSG_OK;
}
