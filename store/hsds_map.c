/* hsds_map — HSDS records onto tsunagi's model: districts from addresses,
 * organisations, and programs with their targets, needs, ages and areas,
 * written as tsunagi's CSV files in memory (see hsds_import.h). */
#include "agetext.h"
#include "csv.h"
#include "hsds.h"
#include "hsds_import.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A report's reason is a stable key, translated where it is shown; the age
 * bound is written out in one (a macro cannot be in a msgid). */
_Static_assert(UTIL_MAX_AGE == 150, "the reason 'an age column is not a number from 0 to 150' names the bound");

/* ---- text ------------------------------------------------------------------ */

/* A name as tsunagi keeps it: the two characters \n or \r, and control
 * characters, become a space, runs of spaces one space, no space around;
 * C1 controls, bidirectional controls and zero-width characters, which the
 * language and the CSV import refuse (util_hidden_char), are removed.
 * Returns a new string; *why says what was repaired (NULL: nothing). */
char *store_hsds_clean_name(const char *in, const char **why)
{
    size_t n = strlen(in);
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    *why = NULL;
    size_t k;
    for (const char *p = in; *p; p++) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r')) {
            p++;
            *why = N_("literal \\n or \\r in the name read as a space");
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            if (!*why) *why = N_("a line break or control character in the name read as a space");
        } else if ((k = util_hidden_len(p))) {
            /* Published data often carry a zero-width space or a direction
             * mark: they hide in the name, so they go, with a report row. */
            if (!*why) *why = N_("a control, bidirectional or zero-width character in the name removed");
            p += k - 1;
            continue;
        } else {
            *o++ = *p;
            continue;
        }
        if (o > out && o[-1] != ' ' && p[1] != ' ') *o++ = ' ';
    }
    *o = '\0';
    size_t before = strlen(out);
    store_hsds_trim(out);
    if (!*why && strlen(out) != before) *why = N_("spaces around the name trimmed");
    return out;
}

/* tsunagi ids may not hold ';' (a list separator) or control characters:
 * those bytes are written as %XX, as is '%' itself. */
static char *make_id(const char *prefix, const char *id)
{
    util_buf_t b = {0};
    if (util_buf_adds(&b, prefix)) goto oom;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        /* A hidden character (util_hidden_char) is escaped byte by byte. */
        size_t hidden = util_hidden_len((const char *)p);
        for (size_t i = 1; i < hidden; i++)
            if (util_buf_printf(&b, "%%%02X", *p++)) goto oom;
        int esc = hidden || *p == ';' || *p == '%' || *p < 0x20 || *p == 0x7f ||
                  (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x9b); /* full-width ； */
        if (esc ? util_buf_printf(&b, "%%%02X", *p) : util_buf_addc(&b, (char)*p)) goto oom;
    }
    if (util_buf_addc(&b, '\0')) goto oom;
    return b.data;
oom:
    util_buf_free(&b);
    return NULL;
}

/* ---- districts ------------------------------------------------------------------- */

/* The district of an address: the municipality (city) under its prefecture
 * (state), created on first use; the prefecture when there is no city.
 * NULL when both are empty. */
static tsg_status_t district_for(hsds_t *h, const char *state_in, const char *city_in, const char **id)
{
    *id = NULL;
    char *state = util_strdup(state_in), *city = util_strdup(city_in);
    tsg_status_t s = TSG_OK;
    if (!state || !city) goto oom;
    store_hsds_trim(state);
    store_hsds_trim(city);
    const char *parent = NULL;
    for (int level = 0; level < 2; level++) {
        const char *name = level ? city : state;
        if (!*name) continue;
        char *key = util_printf("%s\x1f%s", state, level ? city : "");
        if (!key) goto oom;
        store_hsds_lower_ascii(key);
        const store_id_t *e = store_idmap_get(&h->distmap, key);
        if (!e) {
            district_t *d = realloc(h->dist, (h->ndist + 1) * sizeof *d);
            if (!d) {
                free(key);
                goto oom;
            }
            h->dist = d;
            d = &h->dist[h->ndist];
            char *raw = level ? util_printf("%s/%s", state, city) : util_strdup(state);
            d->id = raw ? make_id("d:", raw) : NULL;
            free(raw);
            const char *repaired; /* an address, not a row of its own: repaired quietly */
            d->name = store_hsds_clean_name(name, &repaired);
            d->level = level ? "municipality" : "prefecture";
            d->parent = parent ? util_strdup(parent) : NULL;
            h->ndist++;
            if (!d->id || !d->name || (parent && !d->parent) ||
                store_idmap_put(&h->distmap, key, (store_id_t){.aux = h->ndist - 1}, NULL) < 0) {
                free(key);
                goto oom;
            }
            e = store_idmap_get(&h->distmap, key);
        }
        free(key);
        parent = *id = h->dist[e->aux].id;
    }
    goto done;
oom:
    s = store_hsds_nomem(h);
done:
    free(state);
    free(city);
    return s;
}

/* ---- one program at a time ------------------------------------------------------------ */

/* The mapping's scheme for a taxonomy's name: AIRS/211 → airs, Open
 * Eligibility → oe, anything else its own name in lower case. */
static char *scheme_of(const char *name)
{
    char *low = util_strdup(name);
    if (!low) return NULL;
    store_hsds_trim(low);
    store_hsds_lower_ascii(low);
    if (strstr(low, "airs") || strstr(low, "211")) strcpy(low, "airs");
    else if (strstr(low, "open eligibility") || strstr(low, "openeligibility")) strcpy(low, "oe");
    return low;
}

/* The codes of one service, with their schemes. */
typedef struct codes {
    char **scheme, **code;
    size_t n, cap;
} codes_t;

static void codes_clear(codes_t *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->scheme[i]), free(c->code[i]);
    c->n = 0;
}

static int codes_add(codes_t *c, const char *scheme, const char *code)
{
    if (!*code) return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        char **a = realloc(c->scheme, cap * sizeof *a);
        if (!a) return -1;
        c->scheme = a;
        if (!(a = realloc(c->code, cap * sizeof *a))) return -1;
        c->code = a;
        c->cap = cap;
    }
    c->scheme[c->n] = scheme_of(scheme);
    c->code[c->n] = util_strdup(code);
    if (!c->scheme[c->n] || !c->code[c->n]) {
        free(c->scheme[c->n]);
        free(c->code[c->n]);
        return -1;
    }
    store_hsds_trim(c->code[c->n]);
    c->n++;
    return 0;
}

/* A ;-list of keys, each once, in the order first met. */
static int list_add(util_buf_t *b, const char *key)
{
    size_t n = strlen(key);
    const char *p = b->data, *end = b->data ? b->data + b->len : NULL;
    while (p && p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        size_t len = semi ? (size_t)(semi - p) : (size_t)(end - p);
        if (len == n && !memcmp(p, key, n)) return 0;
        p = semi ? semi + 1 : end;
    }
    return (b->len && util_buf_addc(b, ';')) || util_buf_add(b, key, n);
}

/* An HSDS ages column (type number): whole years, min rounded up, max down. */
static int age_cell(const char *text, int up, int *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (*end == ' ') end++;
    if (end == text || *end || errno || !isfinite(v)) return 0;
    v = up ? ceil(v) : floor(v);
    if (v < 0 || v > UTIL_MAX_AGE) return 0;
    *out = (int)v;
    return 1;
}

/* The ages of codes: for each code the most specific age rule, then the
 * union over the codes. Returns 0 when no code has an age rule. */
static int ages_of_codes(hsds_t *h, const codes_t *c, int *lo, int *hi)
{
    int any = 0;
    for (size_t i = 0; i < c->n; i++) {
        const rule_t *best = NULL;
        for (size_t k = 0; k < h->nrules; k++) {
            const rule_t *r = &h->rules[k];
            if (r->kind != R_MAP_CODE || strcmp(r->field, "age") || strcmp(r->scheme, c->scheme[i]) ||
                !store_hsds_covers(r->code, c->code[i]))
                continue;
            if (!best || strlen(r->code) > strlen(best->code)) best = r;
        }
        if (!best) continue;
        if (!any) *lo = best->amin, *hi = best->amax;
        else {
            if (*lo >= 0 && (best->amin < 0 || best->amin < *lo)) *lo = best->amin;
            if (*hi >= 0 && (best->amax < 0 || best->amax > *hi)) *hi = best->amax;
        }
        any = 1;
    }
    return any;
}

static int keys_of_codes(hsds_t *h, const codes_t *c, const char *field, util_buf_t *out)
{
    size_t flen = strlen(field);
    for (size_t i = 0; i < c->n; i++) {
        /* tsunagi's own taxonomy (export-hsds) names keys directly: target:hikikomori. */
        const char *code = c->code[i];
        if (!strcmp(c->scheme[i], "tsunagi") && !strncmp(code, field, flen) && code[flen] == ':' &&
            store_hsds_known_key(h, field, code + flen + 1) && list_add(out, code + flen + 1))
            return -1;
        for (size_t k = 0; k < h->nrules; k++) {
            const rule_t *r = &h->rules[k];
            if (r->kind == R_MAP_CODE && !strcmp(r->field, field) && !strcmp(r->scheme, c->scheme[i]) &&
                store_hsds_covers(r->code, c->code[i]) && list_add(out, r->value))
                return -1;
        }
    }
    return 0;
}

/* Per-service lookups built once: service id → rows of a table. */
typedef struct multimap {
    store_idmap_t first; /* key → first row; rows chain through next[] */
    long *next;
} multimap_t;

static tsg_status_t multimap_build(hsds_t *h, multimap_t *m, const table_t *t, const char *column)
{
    memset(m, 0, sizeof *m);
    int c = store_hsds_col(t, column);
    if (c < 0 || !t->nrows) return TSG_OK;
    if (!(m->next = malloc(t->nrows * sizeof *m->next))) return store_hsds_nomem(h);
    /* Walk backwards so each chain runs in file order. */
    for (size_t r = t->nrows; r-- > 0;) {
        const char *key = store_hsds_cell(t, r, c);
        m->next[r] = -1;
        if (!*key) continue;
        const store_id_t *old;
        int rc = store_idmap_put(&m->first, key, (store_id_t){.aux = r}, &old);
        if (rc < 0) return store_hsds_nomem(h);
        if (rc == 1) {
            m->next[r] = (long)old->aux;
            ((store_id_t *)old)->aux = r;
        }
    }
    return TSG_OK;
}

static long multimap_first(const multimap_t *m, const char *key)
{
    const store_id_t *e = *key ? store_idmap_get(&m->first, key) : NULL;
    return e ? (long)e->aux : -1;
}

static void multimap_free(multimap_t *m)
{
    store_idmap_free(&m->first);
    free(m->next);
}

typedef struct org {
    char *id;   /* tsunagi id, NULL when the row was skipped */
    char *name; /* cleaned */
    store_idmap_t districts; /* district id → how many of its places lie there */
    const char *best;
    size_t best_n;
} org_t;

typedef struct ctx {
    pkg_t *p;
    org_t *orgs;           /* per organizations.csv row */
    multimap_t sal, addr, area, tax, attr;
    codes_t codes;
    util_buf_t targets, needs, area_list;
} ctx_t;

/* The district of a location: its first physical address, else its first
 * postal one (HSDS 3 marks which is which; older layouts have only one). */
static tsg_status_t location_district(hsds_t *h, ctx_t *x, const char *loc_id, const char **id)
{
    *id = NULL;
    const table_t *a = &x->p->addresses;
    int ctype = store_hsds_col(a, "address_type"), ccity = store_hsds_col(a, "city"), cstate = store_hsds_col(a, "state_province");
    for (int postal = 0; postal < 2; postal++)
        for (long r = multimap_first(&x->addr, loc_id); r >= 0; r = x->addr.next[r]) {
            const char *type = store_hsds_cell(a, (size_t)r, ctype);
            if (*type && strcmp(type, postal ? "postal" : "physical")) continue;
            return district_for(h, store_hsds_cell(a, (size_t)r, cstate), store_hsds_cell(a, (size_t)r, ccity), id);
        }
    return TSG_OK;
}

static tsg_status_t org_place(hsds_t *h, org_t *o, const char *district)
{
    if (!district) return TSG_OK;
    const store_id_t *old;
    int rc = store_idmap_put(&o->districts, district, (store_id_t){.aux = 1}, &old);
    if (rc < 0) return store_hsds_nomem(h);
    size_t n = rc ? ++((store_id_t *)old)->aux : 1;
    if (n > o->best_n) o->best_n = n, o->best = rc ? old->key : store_idmap_get(&o->districts, district)->key;
    return TSG_OK;
}

/* The organisation row a service belongs to, or -1 (reported). */
static tsg_status_t service_org(hsds_t *h, ctx_t *x, size_t r, const char *sid, long *org_row)
{
    const pkg_t *p = x->p;
    const table_t *sv = &p->services;
    *org_row = -1;
    if (p->layout == LAYOUT_OHANA) {
        const char *loc = store_hsds_cell(sv, r, store_hsds_col(sv, "location_id"));
        if (!*loc) return store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("no location_id, so no organisation"), NULL);
        long lr = store_hsds_row_of(&p->locations, loc);
        if (lr < 0)
            return store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("location_id names no location"), "location_id %s", loc);
        const char *oid = store_hsds_cell(&p->locations, (size_t)lr, store_hsds_col(&p->locations, "organization_id"));
        if ((*org_row = store_hsds_row_of(&p->orgs, oid)) < 0)
            return store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("the location's organization_id names no organisation"),
                                   "location_id %s, organization_id %s", loc, oid);
        return TSG_OK;
    }
    const char *oid = store_hsds_cell(sv, r, store_hsds_col(sv, "organization_id"));
    if (!*oid) return store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("empty organization_id"), NULL);
    if ((*org_row = store_hsds_row_of(&p->orgs, oid)) >= 0) return TSG_OK;
    /* Miami 211 files a branch under its parent service: follow one hop. */
    long parent = store_hsds_row_of(sv, oid);
    if (parent >= 0) {
        const char *poid = store_hsds_cell(sv, (size_t)parent, store_hsds_col(sv, "organization_id"));
        if ((*org_row = store_hsds_row_of(&p->orgs, poid)) >= 0)
            return store_hsds_note(h, sv->name, sv->line[r], sid, 0,
                                   N_("organization_id names a service; attached to that service's organisation"),
                                   "organization_id %s → %s", oid, poid);
    }
    return store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("organization_id names no organisation"), "organization_id %s", oid);
}

/* The taxonomy codes of a service, from whichever tables the layout has, or
 * of an organisation (HSDS 3 attributes only). */
static tsg_status_t codes_of(hsds_t *h, ctx_t *x, const char *sid, const char *entity)
{
    pkg_t *p = x->p;
    int service = !strcmp(entity, "service");
    codes_clear(&x->codes);
    if (service && p->svc_tax.present) { /* HSDS 1.x: the code is the taxonomy id */
        int ct = store_hsds_col(&p->svc_tax, "taxonomy_id"), cv = store_hsds_col(&p->taxonomy, "vocabulary");
        for (long r = multimap_first(&x->tax, sid); r >= 0; r = x->tax.next[r]) {
            const char *code = store_hsds_cell(&p->svc_tax, (size_t)r, ct);
            long tr = store_hsds_row_of(&p->taxonomy, code);
            const char *scheme = tr >= 0 && cv >= 0 ? store_hsds_cell(&p->taxonomy, (size_t)tr, cv) : "airs";
            if (codes_add(&x->codes, *scheme ? scheme : "airs", code)) return store_hsds_nomem(h);
        }
    }
    if (p->attributes.present) { /* HSDS 3.0: attribute → taxonomy term → taxonomy */
        const table_t *a = &p->attributes, *t = &p->terms;
        int cterm = store_hsds_col(a, "taxonomy_term_id"), cent = store_hsds_col(a, "link_entity");
        for (long r = multimap_first(&x->attr, sid); r >= 0; r = x->attr.next[r]) {
            const char *ent = store_hsds_cell(a, (size_t)r, cent);
            if (service ? *ent && strcmp(ent, entity) : strcmp(ent, entity)) continue;
            long tr = store_hsds_row_of(t, store_hsds_cell(a, (size_t)r, cterm));
            if (tr < 0) continue;
            const char *code = store_hsds_cell(t, (size_t)tr, store_hsds_col(t, "code"));
            const char *scheme = store_hsds_cell(t, (size_t)tr, store_hsds_col(t, "taxonomy"));
            long xr = store_hsds_row_of(&p->taxonomies, store_hsds_cell(t, (size_t)tr, store_hsds_col(t, "taxonomy_id")));
            if (xr >= 0) scheme = store_hsds_cell(&p->taxonomies, (size_t)xr, store_hsds_col(&p->taxonomies, "name"));
            if (codes_add(&x->codes, scheme, *code ? code : store_hsds_cell(t, (size_t)tr, store_hsds_col(t, "name")))) return store_hsds_nomem(h);
        }
    }
    if (service && p->layout == LAYOUT_OHANA) { /* JSON side files */
        json_t *v;
        size_t i;
        json_array_foreach(json_object_get(p->icarol, sid), i, v)
            if (json_is_string(v) && codes_add(&x->codes, "airs", json_string_value(v))) return store_hsds_nomem(h);
        int ctid = store_hsds_col(&p->taxonomy, "taxonomy_id");
        json_array_foreach(json_object_get(p->categories, sid), i, v)
        {
            char num[32];
            const char *ref = json_is_string(v) ? json_string_value(v) : NULL;
            if (json_is_integer(v)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), ref = num;
            long tr = ref ? store_hsds_row_of(&p->taxonomy, ref) : -1;
            if (tr >= 0 && codes_add(&x->codes, "oe", store_hsds_cell(&p->taxonomy, (size_t)tr, ctid))) return store_hsds_nomem(h);
        }
    }
    return TSG_OK;
}

/* The district of services with no known place (hsds.h), made on first use. */
static tsg_status_t unknown_place(hsds_t *h)
{
    for (size_t i = 0; i < h->ndist; i++)
        if (!strcmp(h->dist[i].id, STORE_HSDS_UNKNOWN_PLACE)) return TSG_OK;
    district_t *d = realloc(h->dist, (h->ndist + 1) * sizeof *d);
    if (!d) return store_hsds_nomem(h);
    h->dist = d;
    d = &h->dist[h->ndist++];
    *d = (district_t){util_strdup(STORE_HSDS_UNKNOWN_PLACE), util_strdup(STORE_HSDS_UNKNOWN_PLACE_NAME), NULL, "prefecture"};
    return d->id && d->name ? TSG_OK : store_hsds_nomem(h);
}

/* The program's area: the districts of its locations; else the names of its
 * service areas that are districts; else its organisation's district; else
 * the place-unknown district (not wide-area: that would be coverage
 * everywhere, which nothing in the package says). */
static tsg_status_t service_area(hsds_t *h, ctx_t *x, size_t r, const char *sid, const org_t *o)
{
    pkg_t *p = x->p;
    util_buf_t *b = &x->area_list;
    b->len = 0;
    const char *d;
    tsg_status_t s;
    if (p->layout == LAYOUT_OHANA) {
        if ((s = location_district(h, x, store_hsds_cell(&p->services, r, store_hsds_col(&p->services, "location_id")), &d))) return s;
        if (d && list_add(b, d)) return store_hsds_nomem(h);
    }
    int cloc = store_hsds_col(&p->sal, "location_id");
    for (long k = multimap_first(&x->sal, sid); k >= 0; k = x->sal.next[k]) {
        if ((s = location_district(h, x, store_hsds_cell(&p->sal, (size_t)k, cloc), &d))) return s;
        if (d && list_add(b, d)) return store_hsds_nomem(h);
    }
    int cname = store_hsds_col(&p->areas, "name");
    for (long k = multimap_first(&x->area, sid); k >= 0 && !b->len; k = x->area.next[k]) {
        char *name = util_strdup(store_hsds_cell(&p->areas, (size_t)k, cname));
        if (!name) return store_hsds_nomem(h);
        store_hsds_trim(name);
        store_hsds_lower_ascii(name);
        for (size_t i = 0; i < h->ndist; i++) {
            char *dn = util_strdup(h->dist[i].name);
            if (!dn) {
                free(name);
                return store_hsds_nomem(h);
            }
            store_hsds_lower_ascii(dn);
            int same = !strcmp(dn, name);
            free(dn);
            if (same && list_add(b, h->dist[i].id)) {
                free(name);
                return store_hsds_nomem(h);
            }
        }
        free(name);
    }
    if (!b->len && o->best && list_add(b, o->best)) return store_hsds_nomem(h);
    if (!b->len) {
        h->rep->wide_area++;
        if ((s = unknown_place(h))) return s;
        if (list_add(b, STORE_HSDS_UNKNOWN_PLACE)) return store_hsds_nomem(h);
    }
    return util_buf_addc(b, '\0') ? store_hsds_nomem(h) : TSG_OK;
}

/* Ages: the HSDS columns, then the eligibility text, then age codes. */
static tsg_status_t service_ages(hsds_t *h, ctx_t *x, size_t r, const char *sid, const char *elig, int *lo, int *hi)
{
    const table_t *sv = &x->p->services;
    tsg_hsds_report_t *rep = h->rep;
    *lo = *hi = -1;
    const char *cmin = store_hsds_cell(sv, r, store_hsds_col(sv, "minimum_age")), *cmax = store_hsds_cell(sv, r, store_hsds_col(sv, "maximum_age"));
    if (*cmin || *cmax) {
        int okmin = !*cmin || age_cell(cmin, 1, lo), okmax = !*cmax || age_cell(cmax, 0, hi);
        tsg_status_t s = TSG_OK;
        if (!okmin || !okmax)
            s = store_hsds_note(h, sv->name, sv->line[r], sid, 0, N_("an age column is not a number from 0 to 150; left open"),
                                "minimum_age '%s', maximum_age '%s'", cmin, cmax);
        else if (*lo >= 0 && *hi >= 0 && *lo > *hi) {
            s = store_hsds_note(h, sv->name, sv->line[r], sid, 0, N_("minimum_age is above maximum_age; both left open"),
                                "minimum_age %s, maximum_age %s", cmin, cmax);
            *lo = *hi = -1;
        }
        if (s) return s;
        if (*lo >= 0 || *hi >= 0) {
            rep->age_columns++;
            return TSG_OK;
        }
    }
    if (elig && *elig) {
        char *text = util_strdup(elig);
        if (!text) return store_hsds_nomem(h);
        for (char *p = text; *p; p++) /* literal \n and \r from Miami's export */
            if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r')) p[0] = ' ', p[1] = ' ';
        agetext_t a = agetext_read(text);
        free(text);
        if (a.kind == AGETEXT_NUMERIC) {
            *lo = a.min, *hi = a.max;
            rep->age_text++;
            return TSG_OK;
        }
        if (a.kind == AGETEXT_ALL) {
            rep->age_text_all++;
            return TSG_OK;
        }
        /* The ages of a child the program is not for: open, and the age
         * codes (the child's age group, as a rule) are not asked either. */
        if (a.kind == AGETEXT_DEPENDANT) {
            rep->age_ambiguous++;
            rep->age_open++;
            return store_hsds_note(h, sv->name, sv->line[r], sid, 0,
                                   N_("the eligibility text gives the ages of a dependant, not of the person served; left open"),
                                   "%s", elig);
        }
        if (a.kind == AGETEXT_AMBIGUOUS) rep->age_ambiguous++;
        if (a.kind == AGETEXT_WORDS) rep->age_words++;
    }
    if (ages_of_codes(h, &x->codes, lo, hi) && (*lo >= 0 || *hi >= 0)) rep->age_taxonomy++;
    else rep->age_open++;
    return TSG_OK;
}

int store_hsds_put_row(util_buf_t *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (store_csv_put(b, cells[i], i + 1 == n)) return -1;
    return 0;
}

static tsg_status_t translate_orgs(hsds_t *h, ctx_t *x)
{
    pkg_t *p = x->p;
    table_t *t = &p->orgs;
    int cid = store_hsds_col(t, "id"), cname = store_hsds_col(t, "name");
    store_idmap_t seen = {0};
    tsg_status_t s = TSG_OK;
    for (size_t r = 0; r < t->nrows && !s; r++) {
        const char *why = NULL;
        char *id = util_strdup(store_hsds_cell(t, r, cid)), *name = store_hsds_clean_name(store_hsds_cell(t, r, cname), &why);
        const store_id_t *old;
        int dup = id ? (store_hsds_trim(id), *id ? store_idmap_put(&seen, id, (store_id_t){.line = t->line[r]}, &old) : 0) : -1;
        if (!name || dup < 0) s = store_hsds_nomem(h);
        else if (!*id) s = store_hsds_note(h, t->name, t->line[r], "", 1, N_("empty id"), "name '%s'", name);
        else if (dup) s = store_hsds_note(h, t->name, t->line[r], id, 1, N_("duplicate id"), _("first on line %ld"), old->line);
        else if (!*name) s = store_hsds_note(h, t->name, t->line[r], id, 1, N_("empty name"), NULL);
        else if (!(x->orgs[r].id = make_id("o:", id))) s = store_hsds_nomem(h);
        else {
            x->orgs[r].name = name;
            name = NULL;
            if (why) s = store_hsds_note(h, t->name, t->line[r], id, 0, why, NULL);
        }
        free(id);
        free(name);
    }
    store_idmap_free(&seen);
    if (s) return s;
    /* Where each organisation is: its own locations. */
    const table_t *lt = &p->locations;
    int lid = store_hsds_col(lt, "id"), lorg = store_hsds_col(lt, "organization_id");
    for (size_t r = 0; lorg >= 0 && r < lt->nrows; r++) {
        long orow = store_hsds_row_of(&p->orgs, store_hsds_cell(lt, r, lorg));
        if (orow < 0 || !x->orgs[orow].id) continue;
        const char *d;
        if ((s = location_district(h, x, store_hsds_cell(lt, r, lid), &d)) || (s = org_place(h, &x->orgs[orow], d))) return s;
    }
    return TSG_OK;
}

static tsg_status_t translate_services(hsds_t *h, ctx_t *x)
{
    pkg_t *p = x->p;
    table_t *sv = &p->services;
    int cid = store_hsds_col(sv, "id"), cname = store_hsds_col(sv, "name"), cstatus = store_hsds_col(sv, "status");
    int celig = store_hsds_col(sv, "eligibility_description") >= 0 ? store_hsds_col(sv, "eligibility_description") : store_hsds_col(sv, "eligibility");
    multimap_t elig;
    tsg_status_t s = multimap_build(h, &elig, &p->elig, "service_id");
    if (s) return s;
    store_idmap_t seen = {0};
    const char *dtarget = store_hsds_default_of(h, "target"), *dneed = store_hsds_default_of(h, "need");
    for (size_t r = 0; r < sv->nrows && !s; r++) {
        char *sid = util_strdup(store_hsds_cell(sv, r, cid)), *name = NULL, *pid = NULL;
        if (!sid) {
            s = store_hsds_nomem(h);
            break;
        }
        store_hsds_trim(sid);
        const char *why, *status = store_hsds_cell(sv, r, cstatus);
        long orow;
        const store_id_t *old;
        int dup = *sid ? store_idmap_put(&seen, sid, (store_id_t){.line = sv->line[r]}, &old) : 0;
        if (dup < 0 || !(name = store_hsds_clean_name(store_hsds_cell(sv, r, cname), &why))) s = store_hsds_nomem(h);
        else if (!*sid) s = store_hsds_note(h, sv->name, sv->line[r], "", 1, N_("empty id"), "name '%s'", name);
        else if (dup) s = store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("duplicate id"), _("first on line %ld"), old->line);
        else if (!*name) s = store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("empty name"), NULL);
        else if (!strcmp(status, "inactive") || !strcmp(status, "defunct"))
            s = store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("status inactive or defunct"), "status %s", status);
        else if (!(s = service_org(h, x, r, sid, &orow)) && orow >= 0 && !x->orgs[orow].id)
            s = store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("its organisation's row was skipped"), NULL);
        else if (!s && orow >= 0) {
            if (why && (s = store_hsds_note(h, sv->name, sv->line[r], sid, 0, why, NULL))) goto next;
            if (*status && strcmp(status, "active") && strcmp(status, "temporarily closed") &&
                (s = store_hsds_note(h, sv->name, sv->line[r], sid, 0, N_("unknown status read as active"), "status %s", status)))
                goto next;
            const char *text = store_hsds_cell(sv, r, celig);
            long er = multimap_first(&elig, sid);
            if (!*text && er >= 0) text = store_hsds_cell(&p->elig, (size_t)er, store_hsds_col(&p->elig, "eligibility"));
            int lo, hi;
            x->targets.len = x->needs.len = 0;
            if ((s = codes_of(h, x, sid, "service")) || (s = service_ages(h, x, r, sid, text, &lo, &hi)) ||
                (s = service_area(h, x, r, sid, &x->orgs[orow])))
                goto next;
            if (keys_of_codes(h, &x->codes, "target", &x->targets) || keys_of_codes(h, &x->codes, "need", &x->needs)) {
                s = store_hsds_nomem(h);
                goto next;
            }
            if (!x->targets.len) h->rep->default_target++;
            if (!x->needs.len) h->rep->default_need++;
            if ((!x->targets.len && list_add(&x->targets, dtarget ? dtarget : "everyone")) ||
                (!x->needs.len && dneed && list_add(&x->needs, dneed)) || util_buf_addc(&x->targets, '\0') ||
                util_buf_addc(&x->needs, '\0')) {
                s = store_hsds_nomem(h);
                goto next;
            }
            if (!x->needs.data[0]) {
                s = store_hsds_note(h, sv->name, sv->line[r], sid, 1, N_("no need in the mapping, and no default need"), NULL);
                goto next;
            }
            char amin[16] = "", amax[16] = "";
            if (lo >= 0) snprintf(amin, sizeof amin, "%d", lo);
            if (hi >= 0) snprintf(amax, sizeof amax, "%d", hi);
            if (!(pid = make_id("p:", sid))) {
                s = store_hsds_nomem(h);
                goto next;
            }
            const char *row[] = {pid, name, x->orgs[orow].id, x->targets.data, amin, amax, x->needs.data,
                                 "", "", x->area_list.data, "", ""};
            if (store_hsds_put_row(&h->out[OUT_PROGRAMS], row, 12)) s = store_hsds_nomem(h);
        }
    next:
        free(sid);
        free(name);
        free(pid);
    }
    /* HSDS 1.x eligibility rows that name no service cannot be attached. */
    int esid = store_hsds_col(&p->elig, "service_id");
    for (size_t r = 0; !s && r < p->elig.nrows; r++) {
        const char *k = store_hsds_cell(&p->elig, r, esid);
        if (!*k) s = store_hsds_note(h, p->elig.name, p->elig.line[r], store_hsds_cell(&p->elig, r, store_hsds_col(&p->elig, "id")), 1,
                                     N_("empty service_id: the eligibility cannot be attached to a service"), NULL);
        else if (!store_idmap_get(&seen, k))
            s = store_hsds_note(h, p->elig.name, p->elig.line[r], store_hsds_cell(&p->elig, r, store_hsds_col(&p->elig, "id")), 1,
                                N_("service_id names no service"), "service_id %s", k);
    }
    store_idmap_free(&seen);
    multimap_free(&elig);
    return s;
}

/* Ohana side-file keys that name no service. */
static tsg_status_t check_json_keys(hsds_t *h, pkg_t *p, json_t *obj, const char *file)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        tsg_status_t s = TSG_OK;
        if (store_hsds_row_of(&p->services, key) < 0)
            s = store_hsds_note(h, file, 0, key, 1, N_("the key names no service"), NULL);
        else if (!json_is_array(v))
            s = store_hsds_note(h, file, 0, key, 1, N_("the value is not a list of categories"), NULL);
        if (s) return s;
    }
    return TSG_OK;
}

static tsg_status_t write_outputs(hsds_t *h, ctx_t *x)
{
    tsg_status_t s;
    static const char *const heads[][12] = {
        {"id", "name", "level", "parent_id"},
        {"id", "name", "sector", "district_id"},
        {"id", "name", "org_id", "targets", "age_min", "age_max", "needs", "modes", "approach", "area", "in_system",
         "hours"},
        {"id", "name", "kind", "district_id"},
        {"from_id", "to_id", "kind", "count", "since"},
        {"kind", "key", "label_ja", "aliases"}};
    static const size_t widths[] = {4, 4, 12, 4, 5, 4};
    for (int i = 0; i < 6; i++)
        if (i != OUT_PROGRAMS && store_hsds_put_row(&h->out[i], heads[i], widths[i])) return store_hsds_nomem(h);
    for (size_t i = 0; i < h->ndist; i++) {
        const district_t *d = &h->dist[i];
        const char *row[] = {d->id, d->name, d->level, d->parent};
        if (store_hsds_put_row(&h->out[OUT_DISTRICTS], row, 4)) return store_hsds_nomem(h);
    }
    for (size_t r = 0; r < x->p->orgs.nrows; r++) {
        const org_t *o = &x->orgs[r];
        if (!o->id) continue;
        const char *sector = NULL;
        if ((s = codes_of(h, x, store_hsds_cell(&x->p->orgs, r, store_hsds_col(&x->p->orgs, "id")), "organization"))) return s;
        for (size_t i = 0; i < x->codes.n && !sector; i++)
            if (!strcmp(x->codes.scheme[i], "tsunagi") && !strncmp(x->codes.code[i], "sector:", 7) &&
                store_hsds_known_key(h, "sector", x->codes.code[i] + 7))
                sector = x->codes.code[i] + 7;
        if (!sector) sector = store_hsds_sector_of(h, o->name);
        const char *row[] = {o->id, o->name, sector ? sector : "npo", o->best};
        if (store_hsds_put_row(&h->out[OUT_ORGS], row, 4)) return store_hsds_nomem(h);
    }
    for (size_t i = 0; i < h->nrules; i++) {
        const rule_t *r = &h->rules[i];
        const char *row[] = {r->field, r->code, r->value, ""};
        if (r->kind == R_MAP_KEY && store_hsds_put_row(&h->out[OUT_VOCAB], row, 4)) return store_hsds_nomem(h);
    }
    return TSG_OK;
}

tsg_status_t store_hsds_translate(hsds_t *h, pkg_t *p)
{
    ctx_t x = {.p = p};
    tsg_status_t s = TSG_OK;
    if (!(x.orgs = calloc(p->orgs.nrows + 1, sizeof *x.orgs))) return store_hsds_nomem(h);
    if ((s = multimap_build(h, &x.sal, &p->sal, "service_id")) ||
        (s = multimap_build(h, &x.addr, &p->addresses, "location_id")) ||
        (s = multimap_build(h, &x.area, &p->areas, "service_id")) ||
        (s = multimap_build(h, &x.tax, &p->svc_tax, "service_id")) ||
        (s = multimap_build(h, &x.attr, &p->attributes, "link_id")))
        goto done;
    /* The program header goes first; write_outputs adds the other headers. */
    static const char *const phead[] = {"id", "name", "org_id", "targets", "age_min", "age_max", "needs",
                                        "modes", "approach", "area", "in_system", "hours"};
    if (store_hsds_put_row(&h->out[OUT_PROGRAMS], phead, 12)) {
        s = store_hsds_nomem(h);
        goto done;
    }
    if ((s = translate_orgs(h, &x)) || (s = translate_services(h, &x))) goto done;
    if (p->layout == LAYOUT_OHANA &&
        ((s = check_json_keys(h, p, p->icarol, "service_icarol_categories.json")) ||
         (s = check_json_keys(h, p, p->categories, "service_categories.json"))))
        goto done;
    s = write_outputs(h, &x);
done:
    for (size_t r = 0; r < p->orgs.nrows; r++) {
        free(x.orgs[r].id);
        free(x.orgs[r].name);
        store_idmap_free(&x.orgs[r].districts);
    }
    free(x.orgs);
    multimap_t *mm[] = {&x.sal, &x.addr, &x.area, &x.tax, &x.attr};
    for (size_t i = 0; i < sizeof mm / sizeof *mm; i++) multimap_free(mm[i]);
    codes_clear(&x.codes);
    free(x.codes.scheme);
    free(x.codes.code);
    util_buf_free(&x.targets);
    util_buf_free(&x.needs);
    util_buf_free(&x.area_list);
    return s;
}
