/* hsds_import — an HSDS directory into tsunagi: the whole import, and its
 * report of the rows skipped and repaired (see hsds.h for the layouts and
 * hsds_import.h for the files that do the work). */
#include "hsds_import.h"
#include "i18n.h"
#include "interchange.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the whole import ------------------------------------------------------------------- */

static const char *const out_name[] = {"districts.csv", "organisations.csv", "programs.csv",
                                        "forums.csv", "ties.csv", "vocabulary.csv"};

tsg_status_t tsg_import_hsds(tsg_db_t *db, const char *dir, const char *mapping, tsg_hsds_report_t **report,
                             tsg_error_t *err)
{
    *report = NULL;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return util_fail(err, TSG_EIO, _("%s: not a folder (import-hsds reads an HSDS package folder)"), dir);
    hsds_t h = {.err = err};
    pkg_t p = {0};
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    h.label = util_strndup(dir, n);
    h.rep = calloc(1, sizeof *h.rep);
    tsg_status_t s = h.label && h.rep ? TSG_OK : store_hsds_nomem(&h);
    if (!s) s = store_hsds_read_mapping(&h, mapping);
    if (!s) s = store_hsds_load_package(&h, &p, h.label);
    if (!s) s = store_hsds_is_own(&p) ? store_hsds_own(&h, &p) : store_hsds_translate(&h, &p);
    if (!s) {
        store_embedded_t files[7] = {{0}};
        for (int i = 0; i < 6; i++)
            files[i] = (store_embedded_t){out_name[i], (const unsigned char *)(h.out[i].data ? h.out[i].data : ""),
                                          h.out[i].len};
        char *label = util_printf("%s (as tsunagi CSV)", h.label);
        store_source_t src = {label ? label : "hsds", store_embedded_read, files};
        s = label ? store_import(db, &src, TSG_ENC_UTF8, &h.rep->counts, err) : store_hsds_nomem(&h);
        free(label);
    }
    store_hsds_pkg_free(&p);
    for (size_t i = 0; i < h.nrules; i++) {
        free(h.rules[i].scheme);
        free(h.rules[i].code);
        free(h.rules[i].field);
        free(h.rules[i].value);
    }
    free(h.rules);
    for (size_t i = 0; i < h.ndist; i++) {
        free(h.dist[i].id);
        free(h.dist[i].name);
        free(h.dist[i].parent);
    }
    free(h.dist);
    store_idmap_free(&h.distmap);
    for (int i = 0; i < 6; i++) util_buf_free(&h.out[i]);
    free(h.base);
    free(h.label);
    if (s) tsg_hsds_report_free(h.rep);
    else *report = h.rep;
    return s;
}

/* ---- the report -------------------------------------------------------------------------- */

/* Adds a skipped or repaired row to the report. */
tsg_status_t store_hsds_note(hsds_t *h, const char *file, long line, const char *id, int skipped, const char *reason,
                             const char *fmt, ...)
{
    tsg_hsds_report_t *r = h->rep;
    if (r->nrows == h->rowcap) {
        size_t cap = h->rowcap ? 2 * h->rowcap : 64;
        tsg_hsds_row_t *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows) return store_hsds_nomem(h);
        r->rows = rows;
        h->rowcap = cap;
    }
    char detail[1024] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        util_vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    tsg_hsds_row_t *row = &r->rows[r->nrows];
    /* The id and the detail quote the package, which may hold control
     * characters (an ESC sequence in an id): the report, printed or read in
     * a terminal, shows them as [U+XXXX] (issue 17, item 15). */
    int oom = 0;
    char *id_seen = util_visible(id ? id : "", 0, &oom), *detail_seen = util_visible(detail, 0, &oom);
    row->file = util_strdup(file);
    row->id = id_seen ? id_seen : util_strdup(id ? id : "");
    row->reason = util_strdup(reason);
    row->detail = detail_seen ? detail_seen : util_strdup(detail);
    row->line = line;
    row->skipped = skipped;
    r->nrows++;
    if (oom || !row->file || !row->id || !row->reason || !row->detail) return store_hsds_nomem(h);
    return TSG_OK;
}

const char *tsg_hsds_reason_text(const char *reason)
{
    return reason && *reason ? _(reason) : "";
}

void tsg_hsds_report_free(tsg_hsds_report_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nrows; i++) {
        free(r->rows[i].file);
        free(r->rows[i].id);
        free(r->rows[i].reason);
        free(r->rows[i].detail);
    }
    free(r->rows);
    free(r->layout);
    free(r);
}

/* Whether Excel would run a cell starting like s as a formula (the rule of
 * query/format.c's formula_lead; the report has no plain numbers to spare). */
static int formula_lead(const char *s) { return s && *s && strchr("=+-@\t\r", *s); }

tsg_status_t tsg_hsds_report_write(const tsg_hsds_report_t *r, const char *path, tsg_error_t *err)
{
    util_buf_t b = {0};
    /* reason is the stable key (the same English text for every row of a
     * kind, for programs and tests); explanation is that reason in the
     * language of the messages, for the planner reading the file. */
    static const char *const head[] = {"file", "line", "id", "action", "reason", "detail", "explanation"};
    int bad = store_hsds_put_row(&b, head, 7);
    for (size_t i = 0; i < r->nrows && !bad; i++) {
        const tsg_hsds_row_t *w = &r->rows[i];
        char line[24] = "";
        if (w->line) snprintf(line, sizeof line, "%ld", w->line);
        /* A cell quoting the package that Excel would run as a formula
         * gets a leading ' (OWASP, as --format csv does; issue 17, item 16). */
        char *id = formula_lead(w->id) ? util_printf("'%s", w->id) : NULL;
        char *detail = formula_lead(w->detail) ? util_printf("'%s", w->detail) : NULL;
        const char *row[] = {w->file, line, id ? id : w->id, w->skipped ? "skipped" : "repaired", w->reason,
                             detail ? detail : w->detail, tsg_hsds_reason_text(w->reason)};
        bad = (formula_lead(w->id) && !id) || (formula_lead(w->detail) && !detail) || store_hsds_put_row(&b, row, 7);
        free(id);
        free(detail);
    }
    tsg_status_t s = bad ? util_fail(err, TSG_ENOMEM, _("out of memory")) : util_write_file(path, b.data ? b.data : "", b.len, NULL, err);
    util_buf_free(&b);
    return s;
}
