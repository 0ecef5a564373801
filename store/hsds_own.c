/*
 * hsds_own — a package export-hsds wrote, read back exactly (see
 * hsds_import.h). HSDS has no place for districts, forums, ties, where a
 * program serves or tsunagi's ids; export-hsds writes them to its
 * x_tsunagi_* extension tables, and this file reads them back, so that
 * export-hsds then import-hsds gives the same network (the same ids,
 * areas, forums and ties; docs/data-format.md §8). Names and ages come
 * from the HSDS organizations and services, so an edit made there in
 * another tool is kept. References between the tables are the HSDS UUIDs;
 * one that names nothing stops the import, as a bad reference in the CSV
 * folder does.
 */
#include "hsds_import.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int store_hsds_is_own(const pkg_t *p) { return p->x_services.present && p->x_orgs.present && p->x_districts.present; }

typedef struct own {
    hsds_t *h;
    pkg_t *p;
    const table_t *tables[4];
    store_idmap_t ids; /* a UUID → (table, row) of the row holding its tsunagi_id */
} own_t;

/* Maps the UUIDs in column `col` of table k to the row's tsunagi_id. */
static tsg_status_t map_ids(own_t *o, int k, const char *col)
{
    const table_t *t = o->tables[k];
    int cu = store_hsds_col(t, col);
    if (cu < 0 || store_hsds_col(t, "tsunagi_id") < 0)
        return util_fail(o->h->err, TSG_EINPUT, _("%s/%s:1:1: a tsunagi extension table needs the columns %s and tsunagi_id"),
                         o->h->label, t->name, col);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *key = store_hsds_cell(t, r, cu);
        const store_id_t *old;
        if (*key && store_idmap_put(&o->ids, key, (store_id_t){.type = k, .aux = r}, &old) < 0)
            return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

/* The tsunagi id a UUID stands for ("" for an empty reference); NULL, with
 * the error set, for a UUID that names nothing. */
static const char *ref(own_t *o, const table_t *t, size_t r, const char *col)
{
    const char *uuid = store_hsds_cell(t, r, store_hsds_col(t, col));
    if (!*uuid) return "";
    const store_id_t *e = store_idmap_get(&o->ids, uuid);
    if (e) {
        const table_t *to = o->tables[e->type];
        return store_hsds_cell(to, e->aux, store_hsds_col(to, "tsunagi_id"));
    }
    util_fail(o->h->err, TSG_EINPUT, _("%s/%s:%ld: %s '%s' names nothing in the package's x_tsunagi tables"),
              o->h->label, t->name, t->line[r], col, uuid);
    return NULL;
}

static const char *cell(const table_t *t, size_t r, const char *col)
{
    return store_hsds_cell(t, r, store_hsds_col(t, col));
}

/* The row of an HSDS record (organizations.csv, services.csv) by its UUID. */
static tsg_status_t record(own_t *o, const table_t *x, size_t r, const char *col, const table_t *in, long *row)
{
    const char *uuid = cell(x, r, col);
    *row = store_hsds_row_of(in, uuid);
    if (*row >= 0) return TSG_OK;
    return util_fail(o->h->err, TSG_EINPUT, _("%s/%s:%ld: %s '%s' names no row of %s"), o->h->label, x->name, x->line[r],
                     col, uuid, in->name);
}

/* A name from the package, as tsunagi wrote it (line breaks and spaces
 * included: the round trip is exact), unless another tool put a character
 * in it that tsunagi refuses (util_hidden_char): then it is cleaned as a
 * name from any directory is, and the repair reported. */
static tsg_status_t clean(own_t *o, const table_t *t, size_t r, const char *raw, char **out)
{
    const char *why = NULL;
    int hidden = 0;
    utf8proc_int32_t c;
    for (const char *p = raw; *p && !hidden;) {
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &c);
        hidden = n > 0 && util_hidden_char(c);
        p += n > 0 ? n : 1;
    }
    *out = hidden ? store_hsds_clean_name(raw, &why) : util_strdup(raw);
    if (!*out) return store_hsds_nomem(o->h);
    return why ? store_hsds_note(o->h, t->name, t->line[r], cell(t, r, "id"), 0, why, NULL) : TSG_OK;
}

static int put(own_t *o, int out, const char *const *cells, size_t n)
{
    return store_hsds_put_row(&o->h->out[out], cells, n);
}

static tsg_status_t districts(own_t *o)
{
    const table_t *t = &o->p->x_districts;
    static const char *const head[] = {"id", "name", "level", "parent_id"};
    if (put(o, OUT_DISTRICTS, head, 4)) return store_hsds_nomem(o->h);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *parent = ref(o, t, r, "parent_id");
        char *name;
        tsg_status_t s = parent ? clean(o, t, r, cell(t, r, "name"), &name) : o->h->err->code;
        if (s) return s;
        const char *row[] = {cell(t, r, "tsunagi_id"), name, cell(t, r, "level"), parent};
        int bad = put(o, OUT_DISTRICTS, row, 4);
        free(name);
        if (bad) return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

static tsg_status_t organisations(own_t *o)
{
    const table_t *t = &o->p->x_orgs, *orgs = &o->p->orgs;
    static const char *const head[] = {"id", "name", "sector", "district_id"};
    if (put(o, OUT_ORGS, head, 4)) return store_hsds_nomem(o->h);
    for (size_t r = 0; r < t->nrows; r++) {
        long row;
        tsg_status_t s = record(o, t, r, "organization_id", orgs, &row);
        if (s) return s;
        const char *district = ref(o, t, r, "district_id");
        char *name;
        if (!district) return o->h->err->code;
        if ((s = clean(o, orgs, (size_t)row, cell(orgs, (size_t)row, "name"), &name))) return s;
        const char *cells[] = {cell(t, r, "tsunagi_id"), name, cell(t, r, "sector"), district};
        int bad = put(o, OUT_ORGS, cells, 4);
        free(name);
        if (bad) return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

static tsg_status_t programs(own_t *o)
{
    const table_t *t = &o->p->x_services, *sv = &o->p->services;
    static const char *const head[] = {"id",    "name",     "org_id", "targets",  "age_min", "age_max", "needs",
                                       "modes", "approach", "area",   "in_system", "hours",  "start",   "end"};
    if (put(o, OUT_PROGRAMS, head, 14)) return store_hsds_nomem(o->h);
    for (size_t r = 0; r < t->nrows; r++) {
        long row;
        tsg_status_t s = record(o, t, r, "service_id", sv, &row);
        if (s) return s;
        const char *org = ref(o, sv, (size_t)row, "organization_id");
        char *name;
        if (!org) return o->h->err->code;
        if ((s = clean(o, sv, (size_t)row, cell(sv, (size_t)row, "name"), &name))) return s;
        const char *lo = cell(sv, (size_t)row, "minimum_age"), *hi = cell(sv, (size_t)row, "maximum_age");
        if (*lo || *hi) o->h->rep->age_columns++;
        else o->h->rep->age_open++;
        const char *cells[] = {cell(t, r, "tsunagi_id"), name, org, cell(t, r, "targets"), lo, hi,
                               cell(t, r, "needs"), cell(t, r, "modes"), cell(t, r, "approach"), cell(t, r, "area"),
                               cell(t, r, "in_system"), cell(t, r, "hours"), cell(t, r, "start"), cell(t, r, "end")};
        int bad = put(o, OUT_PROGRAMS, cells, 14);
        free(name);
        if (bad) return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

static tsg_status_t forums_and_ties(own_t *o)
{
    const table_t *f = &o->p->x_forums, *t = &o->p->x_ties;
    static const char *const fhead[] = {"id", "name", "kind", "district_id"};
    static const char *const thead[] = {"from_id", "to_id", "kind", "count", "since"};
    if (put(o, OUT_FORUMS, fhead, 4) || put(o, OUT_TIES, thead, 5)) return store_hsds_nomem(o->h);
    for (size_t r = 0; r < f->nrows; r++) {
        const char *district = ref(o, f, r, "district_id");
        char *name;
        tsg_status_t s = district ? clean(o, f, r, cell(f, r, "name"), &name) : o->h->err->code;
        if (s) return s;
        const char *cells[] = {cell(f, r, "tsunagi_id"), name, cell(f, r, "kind"), district};
        int bad = put(o, OUT_FORUMS, cells, 4);
        free(name);
        if (bad) return store_hsds_nomem(o->h);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        const char *from = ref(o, t, r, "from_id"), *to = from ? ref(o, t, r, "to_id") : NULL;
        if (!to) return o->h->err->code;
        const char *cells[] = {from, to, cell(t, r, "kind"), cell(t, r, "count"), cell(t, r, "since")};
        if (put(o, OUT_TIES, cells, 5)) return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

static tsg_status_t vocabulary(own_t *o)
{
    const table_t *t = &o->p->x_vocab;
    static const char *const head[] = {"kind", "key", "label_ja", "aliases"};
    if (put(o, OUT_VOCAB, head, 4)) return store_hsds_nomem(o->h);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *cells[] = {cell(t, r, "kind"), cell(t, r, "key"), cell(t, r, "label_ja"), cell(t, r, "aliases")};
        if (put(o, OUT_VOCAB, cells, 4)) return store_hsds_nomem(o->h);
    }
    return TSG_OK;
}

tsg_status_t store_hsds_own(hsds_t *h, pkg_t *p)
{
    own_t o = {h, p, {&p->x_districts, &p->x_orgs, &p->x_services, &p->x_forums}, {0}};
    free(h->rep->layout);
    h->rep->layout = util_strdup(_("an HSDS 3.0 package written by tsunagi (read from its x_tsunagi tables)"));
    tsg_status_t s = h->rep->layout ? TSG_OK : store_hsds_nomem(h);
    if (!s) s = map_ids(&o, 0, "id");
    if (!s) s = map_ids(&o, 1, "organization_id");
    if (!s) s = map_ids(&o, 2, "service_id");
    if (!s && p->x_forums.present) s = map_ids(&o, 3, "id");
    if (!s) s = districts(&o);
    if (!s) s = organisations(&o);
    if (!s) s = programs(&o);
    if (!s) s = forums_and_ties(&o);
    if (!s) s = vocabulary(&o);
    /* A record added in another tool has no tsunagi row: it is reported,
     * not guessed at. */
    for (size_t r = 0; !s && r < p->services.nrows; r++)
        if (!store_idmap_get(&o.ids, cell(&p->services, r, "id")))
            s = store_hsds_note(h, p->services.name, p->services.line[r], cell(&p->services, r, "id"), 1,
                                N_("the service is not in x_tsunagi_services (added outside tsunagi)"), NULL);
    for (size_t r = 0; !s && r < p->orgs.nrows; r++)
        if (!store_idmap_get(&o.ids, cell(&p->orgs, r, "id")))
            s = store_hsds_note(h, p->orgs.name, p->orgs.line[r], cell(&p->orgs, r, "id"), 1,
                                N_("the organization is not in x_tsunagi_organizations (added outside tsunagi)"), NULL);
    store_idmap_free(&o.ids);
    return s;
}
