/* xlsx_read — see xlsx_read.h. */
#include "xlsx_read.h"
#include "i18n.h"
#include "util.h"
#include "xlsx_lazy.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

/* Element and attribute names without a namespace prefix (x:c is c). */
static const char *local(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), name)) return atts[i + 1];
    return NULL;
}

typedef struct part {
    char *data;
    size_t len;
} part_t;

/* The uncompressed bytes of one member of the ZIP; found 0 when absent. */
static tsg_status_t read_part(unzFile z, const char *label, const char *name, part_t *p, int *found,
                              tsg_error_t *err)
{
    p->data = NULL;
    p->len = 0;
    *found = 0;
    if (unzLocateFile(z, name, 1) != UNZ_OK) return TSG_OK;
    unz_file_info info;
    if (unzGetCurrentFileInfo(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK || unzOpenCurrentFile(z) != UNZ_OK)
        return util_fail(err, TSG_EINPUT, _("%s: not a readable workbook: cannot open %s in it"), label, name);
    if (info.uncompressed_size > SV_XLSX_MAX_PART) {
        unzCloseCurrentFile(z);
        return util_fail(err, TSG_EINPUT, _("%s: %s in the workbook is too large to be a survey form"), label, name);
    }
    p->data = malloc(info.uncompressed_size + 1);
    if (!p->data) {
        unzCloseCurrentFile(z);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    int got = info.uncompressed_size ? unzReadCurrentFile(z, p->data, (unsigned)info.uncompressed_size) : 0;
    int crc = unzCloseCurrentFile(z);
    if (got < 0 || (uLong)got != info.uncompressed_size || crc != UNZ_OK) {
        free(p->data);
        p->data = NULL;
        return util_fail(err, TSG_EINPUT, _("%s: not a readable workbook: %s in it is damaged"), label, name);
    }
    p->data[got] = '\0';
    p->len = (size_t)got;
    *found = 1;
    return TSG_OK;
}

/* ---- parsing -------------------------------------------------------------- */

typedef struct cellv {
    long row, col;
    char *text;
} cellv_t;

typedef struct sheetref {
    char *name, *rid, *target;
} sheetref_t;

typedef struct xp {
    int failed; /* out of memory or beyond the limits */
    /* workbook.xml and its relations */
    sheetref_t *sheets;
    size_t nsheets;
    /* sharedStrings.xml */
    char **strings;
    size_t nstrings;
    int in_si, in_t, in_rph;
    util_buf_t text;
    /* a sheet */
    cellv_t *cells;
    size_t ncells;
    long row, col, maxrow, maxcol;
    char type[16];
    int in_v, in_is;
} xp_t;

static int grow(void **arr, size_t n, size_t size)
{
    if (n & (n - 1)) return 0; /* not a power of two: room left */
    void *g = realloc(*arr, (n ? n * 2 : 8) * size);
    if (!g) return -1;
    *arr = g;
    return 0;
}

static void XMLCALL wb_start(void *ud, const char *name, const char **atts)
{
    xp_t *x = ud;
    if (strcmp(local(name), "sheet") || x->failed) return;
    const char *n = attr(atts, "name"), *rid = attr(atts, "id");
    if (!n || !rid || grow((void **)&x->sheets, x->nsheets, sizeof *x->sheets)) {
        x->failed = 1;
        return;
    }
    sheetref_t *s = &x->sheets[x->nsheets++];
    s->name = strdup(n);
    s->rid = strdup(rid);
    s->target = NULL;
    if (!s->name || !s->rid) x->failed = 1;
}

static void XMLCALL rels_start(void *ud, const char *name, const char **atts)
{
    xp_t *x = ud;
    if (strcmp(local(name), "Relationship")) return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
    for (size_t i = 0; id && target && i < x->nsheets; i++)
        if (!strcmp(x->sheets[i].rid, id) && !x->sheets[i].target) {
            /* Relative to xl/, or absolute within the package. */
            x->sheets[i].target = target[0] == '/' ? strdup(target + 1) : util_printf("xl/%s", target);
            if (!x->sheets[i].target) x->failed = 1;
        }
}

static void XMLCALL ss_start(void *ud, const char *name, const char **atts)
{
    (void)atts;
    xp_t *x = ud;
    const char *l = local(name);
    if (!strcmp(l, "si")) {
        x->in_si = 1;
        x->text.len = 0;
    } else if (!strcmp(l, "rPh")) {
        x->in_rph = 1; /* the reading of Japanese text (furigana): not the cell's text */
    } else if (!strcmp(l, "t")) {
        x->in_t = 1;
    }
}

static void XMLCALL ss_end(void *ud, const char *name)
{
    xp_t *x = ud;
    const char *l = local(name);
    if (!strcmp(l, "t")) {
        x->in_t = 0;
    } else if (!strcmp(l, "rPh")) {
        x->in_rph = 0;
    } else if (!strcmp(l, "si") && !x->failed) {
        x->in_si = 0;
        if (grow((void **)&x->strings, x->nstrings, sizeof *x->strings) || util_buf_addc(&x->text, '\0')) {
            x->failed = 1;
            return;
        }
        if (!(x->strings[x->nstrings++] = strdup(x->text.data))) x->failed = 1;
    }
}

static void XMLCALL text_data(void *ud, const char *s, int len)
{
    xp_t *x = ud;
    int want = (x->in_si && x->in_t && !x->in_rph) || x->in_v || (x->in_is && x->in_t && !x->in_rph);
    if (want && !x->failed && (x->text.len + (size_t)len > SV_XLSX_MAX_PART || util_buf_add(&x->text, s, (size_t)len)))
        x->failed = 1;
}

/* "BC12" → column 54 (0-based 54 - 1) and row 12; 0 when it is no reference. */
static int cell_ref(const char *r, long *row, long *col)
{
    long c = 0, n = 0;
    const char *p = r;
    for (; *p >= 'A' && *p <= 'Z' && c <= SV_XLSX_MAX_COLS * 26; p++) c = c * 26 + (*p - 'A' + 1);
    for (; *p >= '0' && *p <= '9' && n <= SV_XLSX_MAX_ROWS * 10L; p++) n = n * 10 + (*p - '0');
    if (*p || !c || !n) return 0;
    *row = n - 1;
    *col = c - 1;
    return 1;
}

static void XMLCALL sheet_start(void *ud, const char *name, const char **atts)
{
    xp_t *x = ud;
    const char *l = local(name);
    if (!strcmp(l, "row")) {
        const char *r = attr(atts, "r");
        x->row = r ? atol(r) - 1 : x->row + 1;
        x->col = -1;
    } else if (!strcmp(l, "c")) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t");
        long row = x->row, col = x->col + 1;
        if (r && !cell_ref(r, &row, &col)) x->failed = 1;
        x->row = row;
        x->col = col;
        util_snprintf(x->type, sizeof x->type, "%s", t ? t : "n");
        x->text.len = 0;
    } else if (!strcmp(l, "v")) {
        x->in_v = 1;
    } else if (!strcmp(l, "is")) {
        x->in_is = 1;
    } else if (!strcmp(l, "t")) {
        x->in_t = 1;
    } else if (!strcmp(l, "rPh")) {
        x->in_rph = 1;
    }
}

static void XMLCALL sheet_end(void *ud, const char *name)
{
    xp_t *x = ud;
    const char *l = local(name);
    if (!strcmp(l, "v")) x->in_v = 0;
    else if (!strcmp(l, "t")) x->in_t = 0;
    else if (!strcmp(l, "rPh")) x->in_rph = 0;
    else if (!strcmp(l, "is")) x->in_is = 0;
    if (strcmp(l, "c") || x->failed || !x->text.len) return;
    if (x->row < 0 || x->col < 0 || x->row >= SV_XLSX_MAX_ROWS || x->col >= SV_XLSX_MAX_COLS ||
        util_buf_addc(&x->text, '\0')) {
        x->failed = 1;
        return;
    }
    const char *v = x->text.data;
    char *text;
    if (!strcmp(x->type, "s")) {
        char *end;
        unsigned long k = strtoul(v, &end, 10);
        if (*end || k >= x->nstrings) {
            x->failed = 1;
            return;
        }
        text = strdup(x->strings[k]);
    } else if (!strcmp(x->type, "b")) {
        text = strdup(strcmp(v, "1") ? "FALSE" : "TRUE");
    } else {
        text = strdup(v); /* n, str, inlineStr, e */
    }
    if (!text || grow((void **)&x->cells, x->ncells, sizeof *x->cells)) {
        free(text);
        x->failed = 1;
        return;
    }
    x->cells[x->ncells++] = (cellv_t){x->row, x->col, text};
    if (x->row > x->maxrow) x->maxrow = x->row;
    if (x->col > x->maxcol) x->maxcol = x->col;
}

static tsg_status_t parse(xp_t *x, const part_t *p, XML_StartElementHandler start, XML_EndElementHandler end,
                          const char *label, const char *name, tsg_error_t *err)
{
    XML_Parser ps = XML_ParserCreate("UTF-8");
    if (!ps) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    XML_SetUserData(ps, x);
    XML_SetElementHandler(ps, start, end);
    XML_SetCharacterDataHandler(ps, text_data);
    int ok = XML_Parse(ps, p->data, (int)p->len, 1) == XML_STATUS_OK;
    long line = (long)XML_GetCurrentLineNumber(ps);
    XML_ParserFree(ps);
    if (x->failed) return util_fail(err, TSG_EINPUT, _("%s: %s in the workbook is damaged or too large"), label, name);
    if (!ok) return util_fail(err, TSG_EINPUT, _("%s: %s in the workbook is not well-formed XML (line %ld)"), label,
                              name, line);
    return TSG_OK;
}

static void xp_free(xp_t *x)
{
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].rid);
        free(x->sheets[i].target);
    }
    free(x->sheets);
    for (size_t i = 0; i < x->nstrings; i++) free(x->strings[i]);
    free(x->strings);
    for (size_t i = 0; i < x->ncells; i++) free(x->cells[i].text);
    free(x->cells);
    util_buf_free(&x->text);
}

/* The cells collected for one sheet as a grid; the texts move into it. */
static tsg_status_t to_grid(xp_t *x, const char *label, const char *sheet, sv_grid_t *g, tsg_error_t *err)
{
    memset(g, 0, sizeof *g);
    g->nrows = x->ncells ? (size_t)x->maxrow + 1 : 0;
    g->ncols = x->ncells ? (size_t)x->maxcol + 1 : 0;
    g->file = strdup(label);
    g->sheet = strdup(sheet);
    g->cell = g->nrows ? calloc(g->nrows * g->ncols, sizeof *g->cell) : NULL;
    if (!g->file || !g->sheet || (g->nrows && !g->cell)) {
        sv_grid_free(g);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (size_t i = 0; i < x->ncells; i++) {
        char **slot = &g->cell[(size_t)x->cells[i].row * g->ncols + (size_t)x->cells[i].col];
        free(*slot); /* a cell written twice: the last one counts, as Excel reads it */
        *slot = x->cells[i].text;
        x->cells[i].text = NULL;
    }
    x->ncells = 0;
    return TSG_OK;
}

tsg_status_t sv_xlsx_read(const char *path, const char *label, sv_grid_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    tsg_status_t opened = store_minizip_open(err);
    if (opened) return opened;
    /* minizip opens by name: a FIFO would block it; refuse what is not a file. */
    FILE *f = util_open_regular(path, label, err);
    if (!f) return err ? err->code : TSG_EIO;
    fclose(f);
    unzFile z = unzOpen(path);
    if (!z) return util_fail(err, TSG_EINPUT, _("%s: not an Excel workbook (.xlsx) or damaged"), label);
    xp_t x = {0};
    part_t p = {0};
    int found;
    tsg_status_t s = read_part(z, label, "xl/workbook.xml", &p, &found, err);
    if (!s && !found) s = util_fail(err, TSG_EINPUT, _("%s: not an Excel workbook (.xlsx): it has no xl/workbook.xml"), label);
    if (!s) s = parse(&x, &p, wb_start, NULL, label, "xl/workbook.xml", err);
    free(p.data);
    if (!s) s = read_part(z, label, "xl/_rels/workbook.xml.rels", &p, &found, err);
    if (!s && found) s = parse(&x, &p, rels_start, NULL, label, "xl/_rels/workbook.xml.rels", err);
    free(p.data);
    if (!s) s = read_part(z, label, "xl/sharedStrings.xml", &p, &found, err);
    if (!s && found) s = parse(&x, &p, ss_start, ss_end, label, "xl/sharedStrings.xml", err);
    free(p.data);
    x.in_si = x.in_t = x.in_rph = 0;
    sv_grid_t *grids = s || !x.nsheets ? NULL : calloc(x.nsheets, sizeof *grids);
    if (!s && x.nsheets && !grids) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    size_t made = 0;
    for (size_t i = 0; i < x.nsheets && !s; i++) {
        if (!x.sheets[i].target) {
            s = util_fail(err, TSG_EINPUT, _("%s: sheet %s has no part in the workbook"), label, x.sheets[i].name);
            break;
        }
        s = read_part(z, label, x.sheets[i].target, &p, &found, err);
        if (!s && !found)
            s = util_fail(err, TSG_EINPUT, _("%s: sheet %s has no part in the workbook"), label, x.sheets[i].name);
        x.row = -1;
        x.col = -1;
        x.maxrow = x.maxcol = 0;
        if (!s) s = parse(&x, &p, sheet_start, sheet_end, label, x.sheets[i].target, err);
        free(p.data);
        if (!s && !(s = to_grid(&x, label, x.sheets[i].name, &grids[made], err))) made++;
    }
    unzClose(z);
    xp_free(&x);
    if (s) {
        for (size_t i = 0; i < made; i++) sv_grid_free(&grids[i]);
        free(grids);
        return s;
    }
    *out = grids;
    *n = made;
    return TSG_OK;
}
