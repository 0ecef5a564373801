/* hsds_read — an HSDS package read into memory: its CSV tables, its layout,
 * and Ohana's JSON side files (see hsds_import.h). */
#include "csv.h"
#include "i18n.h"
#include "hsds_import.h"
#include "textenc.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- tables ---------------------------------------------------------------- */

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->ncols; i++) free(t->cols[i]);
    for (size_t i = 0; i < t->ncols * t->nrows; i++) free(t->cells[i]);
    free(t->cols);
    free(t->cells);
    free(t->line);
    store_idmap_free(&t->byid);
    memset(t, 0, sizeof *t);
}

int store_hsds_col(const table_t *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i], name)) return (int)i;
    return -1;
}

const char *store_hsds_cell(const table_t *t, size_t row, int c) { return c < 0 ? "" : t->cells[row * t->ncols + (size_t)c]; }

/* Path of `name` in the package, or NULL when there is none. */
static char *find_file(hsds_t *h, const char *name)
{
    char *path = util_printf("%s/%s", h->base, name);
    struct stat sb;
    if (path && stat(path, &sb) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

void store_hsds_trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\t')) a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

void store_hsds_lower_ascii(char *s)
{
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

/* Reads the first of `names` (NULL-terminated) that exists. Rows whose width
 * differs from the header's are skipped and reported; bad quoting or bytes
 * that are not UTF-8 are errors (nothing is imported). */
static tsg_status_t load(hsds_t *h, table_t *t, const char *const *names)
{
    memset(t, 0, sizeof *t);
    char *path = NULL;
    for (; *names && !path; names++) {
        path = find_file(h, *names);
        t->name = *names;
    }
    if (!path) return TSG_OK;
    t->present = 1;
    char *raw = NULL, *text = NULL;
    size_t rawlen = 0, len = 0;
    char *label = util_printf("%s/%s", h->label, t->name);
    tsg_status_t s = label ? util_read_file(path, &raw, &rawlen, h->err) : store_hsds_nomem(h);
    if (!s) s = store_decode(label, raw, rawlen, TSG_ENC_UTF8, &text, &len, h->err);
    free(raw);
    free(path);
    if (s) {
        free(label);
        return s;
    }
    store_csv_t c;
    store_csv_init(&c, label, text, len);
    size_t cap = 0;
    int have;
    if ((s = store_csv_next(&c, &have, h->err))) goto done;
    if (!have) goto done;
    t->ncols = c.n;
    if (!(t->cols = calloc(c.n, sizeof *t->cols))) goto oom;
    for (size_t i = 0; i < c.n; i++) {
        if (!(t->cols[i] = util_strdup(c.field[i]))) goto oom;
        store_hsds_trim(t->cols[i]);
    }
    for (;;) {
        if ((s = store_csv_next(&c, &have, h->err)) || !have) break;
        if (c.n != t->ncols) {
            if ((s = store_hsds_note(h, t->name, c.rec_line, c.field[0], 1, N_("the row's width differs from the header's"),
                                     _("%zu fields, the header has %zu"), c.n, t->ncols)))
                break;
            continue;
        }
        if (t->nrows == cap) {
            cap = cap ? 2 * cap : 256;
            char **cells = realloc(t->cells, cap * t->ncols * sizeof *cells);
            if (!cells) goto oom;
            t->cells = cells;
            long *line = realloc(t->line, cap * sizeof *line);
            if (!line) goto oom;
            t->line = line;
        }
        for (size_t i = 0; i < t->ncols; i++)
            if (!(t->cells[t->nrows * t->ncols + i] = util_strdup(c.field[i]))) {
                while (i--) free(t->cells[t->nrows * t->ncols + i]);
                goto oom;
            }
        t->line[t->nrows++] = c.rec_line;
    }
    goto done;
oom:
    s = store_hsds_nomem(h);
done:
    store_csv_free(&c);
    free(text);
    free(label);
    return s;
}

/* Row of `id` in the table's "id" column; -1 if none. The first row wins. */
static tsg_status_t index_ids(hsds_t *h, table_t *t)
{
    int c = store_hsds_col(t, "id");
    for (size_t r = 0; c >= 0 && r < t->nrows; r++) {
        const char *id = store_hsds_cell(t, r, c);
        if (!*id) continue;
        const store_id_t *old;
        if (store_idmap_put(&t->byid, id, (store_id_t){.aux = r}, &old) < 0) return store_hsds_nomem(h);
    }
    return TSG_OK;
}

long store_hsds_row_of(const table_t *t, const char *id)
{
    const store_id_t *e = *id ? store_idmap_get(&t->byid, id) : NULL;
    return e ? (long)e->aux : -1;
}

/* ---- the package ------------------------------------------------------------------ */

void store_hsds_pkg_free(pkg_t *p)
{
    table_t *all[] = {&p->orgs,    &p->services, &p->locations,  &p->sal,   &p->addresses,  &p->areas,
                      &p->elig,    &p->svc_tax,  &p->taxonomy,   &p->attributes, &p->terms, &p->taxonomies,
                      &p->x_districts, &p->x_orgs, &p->x_services, &p->x_forums, &p->x_ties, &p->x_vocab};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) table_free(all[i]);
    json_decref(p->icarol);
    json_decref(p->categories);
}

static tsg_status_t load_json(hsds_t *h, const char *name, json_t **out)
{
    *out = NULL;
    char *path = find_file(h, name);
    if (!path) return TSG_OK;
    json_error_t je;
    *out = json_load_file(path, 0, &je);
    free(path);
    if (!*out) return util_fail(h->err, TSG_EINPUT, "%s/%s:%d:%d: %s", h->label, name, je.line, je.column, je.text);
    if (!json_is_object(*out))
        return util_fail(h->err, TSG_EINPUT, _("%s/%s:1:1: expected an object of service id → list of categories"),
                         h->label, name);
    return TSG_OK;
}

/* What the package calls itself, from datapackage.json when there is one. */
static tsg_status_t read_layout(hsds_t *h, pkg_t *p, const char *dir)
{
    if (p->layout == LAYOUT_OHANA) return (h->rep->layout = util_strdup(_("Ohana API CSV"))) ? TSG_OK : store_hsds_nomem(h);
    char *path = util_printf("%s/datapackage.json", dir);
    if (!path) return store_hsds_nomem(h);
    json_error_t je;
    json_t *dp = json_load_file(path, 0, &je);
    struct stat sb;
    if (!dp && stat(path, &sb) == 0) {
        /* There, but not JSON: refused, not read as a package without one
         * (which would guess its version). */
        tsg_status_t s = util_fail(h->err, TSG_EINPUT, _("%s:%d:%d: not valid JSON: %s"), path, je.line, je.column, je.text);
        free(path);
        return s;
    }
    free(path);
    const char *version = NULL;
    if (dp) version = json_string_value(json_object_get(dp, "version"));
    /* The version is printed: a hidden character in it (an ESC sequence)
     * is shown as [U+XXXX], as in every text that reaches a terminal. */
    int oom = 0;
    char *seen = version ? util_visible(version, 1, &oom) : NULL;
    if (oom) h->rep->layout = NULL;
    else if (version && !strncmp(version, "3.", 2))
        h->rep->layout = util_printf(_("HSDS %s tabular package"), seen ? seen : version);
    else if (dp)
        h->rep->layout = util_strdup(_("HSDS 1.x tabular package"));
    else
        h->rep->layout = util_strdup(_("HSDS 1.x tabular package (no datapackage.json)"));
    free(seen);
    json_decref(dp);
    return h->rep->layout ? TSG_OK : store_hsds_nomem(h);
}

tsg_status_t store_hsds_load_package(hsds_t *h, pkg_t *p, const char *dir)
{
    struct stat sb;
    char *data = util_printf("%s/data/services.csv", dir), *top = util_printf("%s/services.csv", dir);
    if (!data || !top) {
        free(data);
        free(top);
        return store_hsds_nomem(h);
    }
    int in_data = stat(top, &sb) != 0 && stat(data, &sb) == 0;
    free(data);
    free(top);
    h->base = in_data ? util_printf("%s/data", dir) : util_strdup(dir);
    if (!h->base) return store_hsds_nomem(h);
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
    tsg_status_t s;
    if ((s = load(h, &p->orgs, NAMES("organizations.csv"))) || (s = load(h, &p->services, NAMES("services.csv"))))
        return s;
    if (!p->orgs.present || !p->services.present)
        return util_fail(h->err, TSG_EINPUT,
                         _("%s: not an HSDS package: it needs organizations.csv and services.csv (at the top or in data/)"),
                         h->label);
    if (store_hsds_col(&p->orgs, "id") < 0 || store_hsds_col(&p->orgs, "name") < 0 || store_hsds_col(&p->services, "id") < 0 ||
        store_hsds_col(&p->services, "name") < 0)
        return util_fail(h->err, TSG_EINPUT, _("%s/%s:1:1: organizations.csv and services.csv need columns id and name"),
                         h->label, store_hsds_col(&p->orgs, "id") < 0 || store_hsds_col(&p->orgs, "name") < 0 ? "organizations.csv"
                                                                                          : "services.csv");
    p->layout = store_hsds_col(&p->services, "organization_id") < 0 && store_hsds_col(&p->services, "location_id") >= 0 ? LAYOUT_OHANA
                                                                                                 : LAYOUT_HSDS;
    if ((s = read_layout(h, p, dir)) || (s = load(h, &p->locations, NAMES("locations.csv"))) ||
        (s = load(h, &p->sal, NAMES("service_at_location.csv", "services_at_location.csv"))) ||
        (s = load(h, &p->addresses, NAMES("addresses.csv", "physical_addresses.csv"))) ||
        (s = load(h, &p->areas, NAMES("service_areas.csv"))) || (s = load(h, &p->elig, NAMES("eligibility.csv"))) ||
        (s = load(h, &p->svc_tax, NAMES("services_taxonomy.csv"))) ||
        (s = load(h, &p->taxonomy, NAMES("taxonomy.csv"))) || (s = load(h, &p->attributes, NAMES("attributes.csv"))) ||
        (s = load(h, &p->terms, NAMES("taxonomy_terms.csv"))) || (s = load(h, &p->taxonomies, NAMES("taxonomies.csv"))) ||
        (s = load(h, &p->x_districts, NAMES("x_tsunagi_districts.csv"))) ||
        (s = load(h, &p->x_orgs, NAMES("x_tsunagi_organizations.csv"))) ||
        (s = load(h, &p->x_services, NAMES("x_tsunagi_services.csv"))) ||
        (s = load(h, &p->x_forums, NAMES("x_tsunagi_forums.csv"))) || (s = load(h, &p->x_ties, NAMES("x_tsunagi_ties.csv"))) ||
        (s = load(h, &p->x_vocab, NAMES("x_tsunagi_vocabulary.csv"))))
        return s;
#undef NAMES
    if (p->layout == LAYOUT_OHANA && ((s = load_json(h, "service_icarol_categories.json", &p->icarol)) ||
                                      (s = load_json(h, "service_categories.json", &p->categories))))
        return s;
    table_t *indexed[] = {&p->orgs, &p->services, &p->locations, &p->taxonomy, &p->terms, &p->taxonomies};
    for (size_t i = 0; i < sizeof indexed / sizeof *indexed; i++)
        if ((s = index_ids(h, indexed[i]))) return s;
    return TSG_OK;
}
