/*
 * survey_read — the returned survey forms of a folder read into grids
 * (survey.h): every .xlsx file (xlsx_read.c) and every .csv file saved from
 * one of its sheets (UTF-8 or CP932, textenc.c; the sheet told by its
 * header). survey_in.c checks them.
 */
#include "survey.h"
#include "csv.h"
#include "i18n.h"
#include "textenc.h"
#include "util.h"
#include "xlsx_read.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sv_grid_free(sv_grid_t *g)
{
    if (!g) return;
    for (size_t i = 0; g->cell && i < g->nrows * g->ncols; i++) free(g->cell[i]);
    free(g->cell);
    free(g->file);
    free(g->sheet);
    memset(g, 0, sizeof *g);
}

const char *sv_cell(const sv_grid_t *g, size_t row, size_t col)
{
    if (row >= g->nrows || col >= g->ncols) return NULL;
    const char *s = g->cell[row * g->ncols + col];
    return s && *s ? s : NULL;
}

/* ---- reading the folder ------------------------------------------------------ */

typedef struct grids {
    sv_grid_t *g;
    size_t n;
} grids_t;

static int add_grid(grids_t *gs, sv_grid_t *g)
{
    sv_grid_t *grown = realloc(gs->g, (gs->n + 1) * sizeof *grown);
    if (!grown) return -1;
    gs->g = grown;
    gs->g[gs->n++] = *g;
    return 0;
}

const char *const *const sv_headers[4] = {sv_org_header, sv_programs_header, sv_ties_header, sv_new_header};
const char *const sv_sheet_names[4] = {SV_SHEET_ORG, SV_SHEET_PROGRAMS, SV_SHEET_TIES, SV_SHEET_NEW};

/* A CSV file saved from one sheet: the sheet its first record's header is. */
static tsg_status_t read_csv(const char *path, const char *label, grids_t *gs, tsg_error_t *err)
{
    FILE *f = util_open_regular(path, label, err);
    if (!f) return err ? err->code : TSG_EIO;
    util_buf_t raw = {0};
    char chunk[65536];
    size_t got;
    int nomem = 0;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && !nomem) nomem = util_buf_add(&raw, chunk, got) != 0;
    int bad = ferror(f);
    fclose(f);
    if (nomem || bad) {
        util_buf_free(&raw);
        return nomem ? util_fail(err, TSG_ENOMEM, _("out of memory")) : util_fail(err, TSG_EIO, _("%s: cannot read"), label);
    }
    char *text = NULL;
    size_t len = 0;
    tsg_status_t s = store_decode(label, raw.data ? raw.data : "", raw.len, TSG_ENC_AUTO, &text, &len, err);
    util_buf_free(&raw);
    if (s) return s;
    store_csv_t c;
    store_csv_init(&c, label, text, len);
    sv_grid_t g = {0};
    int have = 1;
    size_t cap = 0;
    while (!s && (s = store_csv_next(&c, &have, err)) == TSG_OK && have) {
        size_t row = (size_t)c.rec_line - 1; /* the row number Excel showed is the line */
        if (row >= SV_XLSX_MAX_ROWS || c.n > SV_XLSX_MAX_COLS) {
            s = util_fail(err, TSG_EINPUT, _("%s: too many rows or columns for a survey form"), label);
            break;
        }
        if (!g.cell) { /* the header: which sheet */
            int k = -1;
            for (int h = 0; h < 4 && k < 0; h++) {
                size_t m = 0;
                while (sv_headers[h][m]) m++;
                if (c.n >= m && !strcmp(c.field[0], sv_headers[h][0]) && !strcmp(c.field[1], sv_headers[h][1]) &&
                    !strcmp(c.field[m - 1], sv_headers[h][m - 1]))
                    k = h;
            }
            if (k < 0) {
                s = util_fail(err, TSG_EINPUT, _("%s:1:A: the first row is not the header of a sheet of the survey form"),
                              label);
                break;
            }
            g.ncols = 0;
            while (sv_headers[k][g.ncols]) g.ncols++;
            g.sheet = strdup(sv_sheet_names[k]);
            g.file = strdup(label);
            if (!g.sheet || !g.file) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
        if (!s && row >= cap) {
            size_t ncap = cap ? cap * 2 : 64;
            while (ncap <= row) ncap *= 2;
            char **grown = realloc(g.cell, ncap * g.ncols * sizeof *grown);
            if (!grown) {
                s = util_fail(err, TSG_ENOMEM, _("out of memory"));
                break;
            }
            memset(grown + cap * g.ncols, 0, (ncap - cap) * g.ncols * sizeof *grown);
            g.cell = grown;
            cap = ncap;
        }
        for (size_t i = 0; !s && i < c.n && i < g.ncols; i++)
            if (*c.field[i] && !(g.cell[row * g.ncols + i] = strdup(c.field[i])))
                s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        for (size_t i = g.ncols; !s && i < c.n; i++)
            if (*c.field[i])
                s = util_fail(err, TSG_EINPUT, _("%s:%ld: a value beyond the form's last column"), label, c.rec_line);
        if (!s) g.nrows = row + 1;
    }
    store_csv_free(&c);
    free(text);
    if (!s && !g.file) s = util_fail(err, TSG_EINPUT, _("%s: the file is empty"), label);
    if (!s && add_grid(gs, &g)) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (s) sv_grid_free(&g);
    return s;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && !strcasecmp(s + n - k, suffix);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every form in dir, in the order of the file names. */
tsg_status_t sv_read_forms(const char *dir, sv_grid_t **grids, size_t *n_grids, tsg_error_t *err)
{
    grids_t all = {0}, *gs = &all;
    *grids = NULL;
    *n_grids = 0;
    DIR *d = opendir(dir);
    if (!d) return util_fail(err, TSG_EIO, _("%s: cannot read the folder: %s"), dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    tsg_status_t s = TSG_OK;
    for (struct dirent *e; !s && (e = readdir(d));) {
        /* Dot files and the lock files Excel leaves beside an open workbook (~$name.xlsx). */
        if (e->d_name[0] == '.' || !strncmp(e->d_name, "~$", 2)) continue;
        if (!ends_with(e->d_name, ".xlsx") && !ends_with(e->d_name, ".csv")) continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown || !(grown[n] = strdup(e->d_name))) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        if (grown) names = grown;
        if (!s) n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && !s; i++) {
        char *path = util_printf("%s/%s", dir, names[i]);
        if (!path) {
            s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        } else if (ends_with(names[i], ".csv")) {
            s = read_csv(path, names[i], gs, err);
        } else {
            sv_grid_t *g = NULL;
            size_t k = 0;
            s = sv_xlsx_read(path, names[i], &g, &k, err);
            for (size_t j = 0; j < k; j++) {
                if (!s && add_grid(gs, &g[j])) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
                else if (s) sv_grid_free(&g[j]);
            }
            free(g);
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (!s && !gs->n) s = util_fail(err, TSG_EINPUT, _("%s: no survey forms (.xlsx or .csv) in the folder"), dir);
    *grids = all.g; /* the caller's, also on failure */
    *n_grids = all.n;
    return s;
}

