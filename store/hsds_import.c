/* hsds_import — an HSDS directory into tsunagi (see hsds.h for the layouts). */
#include "agetext.h"
#include "csv.h"
#include "hsds.h"
#include "idmap.h"
#include "store.h"
#include "textenc.h"
#include "util.h"
#include "bounds.h"
#include "vocab.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- tables ---------------------------------------------------------------- */

/* A whole CSV file in memory: header names and every row's cells. */
typedef struct table {
    const char *name; /* file name as found, e.g. "services.csv" */
    int present;
    size_t ncols, nrows;
    char **cols;
    char **cells; /* nrows * ncols */
    long *line;   /* where each row starts */
    store_idmap_t byid; /* column "id" → row, built on demand */
} table_t;

enum { R_MAP_KEY, R_MAP_DEFAULT, R_MAP_NAME, R_MAP_CODE };

typedef struct rule {
    int kind;
    char *scheme, *code, *field, *value;
    int amin, amax; /* field "age": -1 open */
} rule_t;

typedef struct district {
    char *id, *name, *parent;
    const char *level;
} district_t;

typedef struct hsds {
    tsg_error_t *err;
    char *base;  /* the folder holding the CSV files */
    char *label; /* the folder as the user wrote it */
    tsg_hsds_report_t *rep;
    size_t rowcap;
    rule_t *rules;
    size_t nrules;
    district_t *dist;
    size_t ndist;
    store_idmap_t distmap; /* folded "state\x1fcity" → district */
    util_buf_t out[6];     /* the translated tsunagi files */
} hsds_t;

enum { OUT_DISTRICTS, OUT_ORGS, OUT_PROGRAMS, OUT_FORUMS, OUT_TIES, OUT_VOCAB };
static const char *const out_name[] = {"districts.csv", "organisations.csv", "programs.csv",
                                        "forums.csv", "ties.csv", "vocabulary.csv"};

static tsg_status_t nomem(hsds_t *h) { return util_fail(h->err, TSG_ENOMEM, "out of memory"); }

/* Adds a skipped or repaired row to the report. */
static tsg_status_t note(hsds_t *h, const char *file, long line, const char *id, int skipped, const char *reason,
                         const char *fmt, ...) UTIL_PRINTF(7, 8);
static tsg_status_t note(hsds_t *h, const char *file, long line, const char *id, int skipped, const char *reason,
                         const char *fmt, ...)
{
    tsg_hsds_report_t *r = h->rep;
    if (r->nrows == h->rowcap) {
        size_t cap = h->rowcap ? 2 * h->rowcap : 64;
        tsg_hsds_row_t *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows) return nomem(h);
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
    if (oom || !row->file || !row->id || !row->reason || !row->detail) return nomem(h);
    return TSG_OK;
}

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

static int col(const table_t *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i], name)) return (int)i;
    return -1;
}

static const char *cell(const table_t *t, size_t row, int c) { return c < 0 ? "" : t->cells[row * t->ncols + (size_t)c]; }

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

static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\t')) a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
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
    tsg_status_t s = label ? util_read_file(path, &raw, &rawlen, h->err) : nomem(h);
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
        trim(t->cols[i]);
    }
    for (;;) {
        if ((s = store_csv_next(&c, &have, h->err)) || !have) break;
        if (c.n != t->ncols) {
            if ((s = note(h, t->name, c.rec_line, c.field[0], 1, "the row's width differs from the header's",
                          "%zu fields, the header has %zu", c.n, t->ncols)))
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
    s = nomem(h);
done:
    store_csv_free(&c);
    free(text);
    free(label);
    return s;
}

/* Row of `id` in the table's "id" column; -1 if none. The first row wins. */
static tsg_status_t index_ids(hsds_t *h, table_t *t)
{
    int c = col(t, "id");
    for (size_t r = 0; c >= 0 && r < t->nrows; r++) {
        const char *id = cell(t, r, c);
        if (!*id) continue;
        const store_id_t *old;
        if (store_idmap_put(&t->byid, id, (store_id_t){.aux = r}, &old) < 0) return nomem(h);
    }
    return TSG_OK;
}

static long row_of(const table_t *t, const char *id)
{
    const store_id_t *e = *id ? store_idmap_get(&t->byid, id) : NULL;
    return e ? (long)e->aux : -1;
}

/* ---- text ------------------------------------------------------------------ */

/* A name as tsunagi keeps it: the two characters \n or \r, and control
 * characters, become a space, runs of spaces one space, no space around;
 * C1 controls, bidirectional controls and zero-width characters, which the
 * language and the CSV import refuse (util_hidden_char), are removed.
 * Returns a new string; *why says what was repaired (NULL: nothing). */
static char *clean_name(const char *in, const char **why)
{
    size_t n = strlen(in);
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    *why = NULL;
    size_t k;
    for (const char *p = in; *p; p++) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r')) {
            p++;
            *why = "literal \\n or \\r in the name read as a space";
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            if (!*why) *why = "a line break or control character in the name read as a space";
        } else if ((k = util_hidden_len(p))) {
            /* Published data often carry a zero-width space or a direction
             * mark: they hide in the name, so they go, with a report row. */
            if (!*why) *why = "a control, bidirectional or zero-width character in the name removed";
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
    trim(out);
    if (!*why && strlen(out) != before) *why = "spaces around the name trimmed";
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

static void lower_ascii(char *s)
{
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

/* ---- the mapping file ----------------------------------------------------------- */

static int valid_key(const char *k)
{
    if (!islower((unsigned char)*k)) return 0;
    for (; *k; k++)
        if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) && *k != '_') return 0;
    return 1;
}

/* Whether `key` is a key of `kind`: built in, or added by a `key` row. */
static int known_key(hsds_t *h, const char *kind, const char *key)
{
    for (const store_vocab_builtin_t *b = store_vocab_builtin; b->kind; b++)
        if (!strcmp(b->kind, kind) && !strcmp(b->key, key)) return 1;
    for (size_t i = 0; i < h->nrules; i++)
        if (h->rules[i].kind == R_MAP_KEY && !strcmp(h->rules[i].field, kind) && !strcmp(h->rules[i].code, key))
            return 1;
    return 0;
}

static const char *closest_key(hsds_t *h, const char *kind, const char *key)
{
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (const store_vocab_builtin_t *b = store_vocab_builtin; b->kind; b++) {
        if (strcmp(b->kind, kind)) continue;
        size_t d = util_edit_distance(key, b->key);
        if (d < bd) bd = d, best = b->key;
    }
    for (size_t i = 0; i < h->nrules; i++) {
        const rule_t *r = &h->rules[i];
        if (r->kind != R_MAP_KEY || strcmp(r->field, kind)) continue;
        size_t d = util_edit_distance(key, r->code);
        if (d < bd) bd = d, best = r->code;
    }
    return bd <= 3 ? best : NULL;
}

/* "13-17", "60-", "-5", "0-0": whole years, an empty side open. */
static int parse_age(const char *v, int *lo, int *hi)
{
    const char *dash = strchr(v, '-');
    if (!dash || strchr(dash + 1, '-')) return 0;
    int *side[2] = {lo, hi};
    const char *from[2] = {v, dash + 1}, *to[2] = {dash, v + strlen(v)};
    for (int i = 0; i < 2; i++) {
        *side[i] = -1;
        if (from[i] == to[i]) continue;
        int x = 0;
        for (const char *p = from[i]; p < to[i]; p++) {
            if (!isdigit((unsigned char)*p) || x > UTIL_MAX_AGE) return 0;
            x = x * 10 + (*p - '0');
        }
        if (x > UTIL_MAX_AGE) return 0;
        *side[i] = x;
    }
    return *lo < 0 || *hi < 0 || *lo <= *hi;
}

static tsg_status_t read_mapping(hsds_t *h, const char *path)
{
    char *raw = NULL, *text = NULL;
    size_t rawlen, len;
    const char *label = path ? path : "built-in mapping.csv";
    tsg_status_t s;
    if (path)
        s = util_read_file(path, &raw, &rawlen, h->err);
    else {
        const char *m = tsg_hsds_default_mapping(&rawlen);
        s = (raw = util_strndup(m, rawlen)) ? TSG_OK : nomem(h);
    }
    if (!s) s = store_decode(label, raw, rawlen, TSG_ENC_AUTO, &text, &len, h->err);
    free(raw);
    if (s) return s;
    store_csv_t c;
    store_csv_init(&c, label, text, len);
    static const char *const head[] = {"scheme", "code", "field", "value", "note"};
    int have;
    if ((s = store_csv_next(&c, &have, h->err))) goto done;
    if (!have || c.n != 5) {
        s = util_fail(h->err, TSG_EINPUT, "%s:1:1: the header must be scheme,code,field,value,note", label);
        goto done;
    }
    for (int i = 0; i < 5; i++)
        if (strcmp(c.field[i], head[i])) {
            s = util_fail(h->err, TSG_EINPUT, "%s:%ld:%ld: column %d must be '%s', not '%s'", label, c.fline[i],
                          c.fcol[i], i + 1, head[i], c.field[i]);
            goto done;
        }
    size_t cap = 0;
    /* Two passes over the rows: `key` rows first, so any row may use a key
     * the file adds, whatever the order. */
    for (int pass = 0; pass < 2 && !s; pass++) {
        if (pass == 1) {
            store_csv_free(&c);
            store_csv_init(&c, label, text, len);
            if ((s = store_csv_next(&c, &have, h->err))) break;
        }
        for (;;) {
            if ((s = store_csv_next(&c, &have, h->err)) || !have) break;
#define MFAIL(i, ...)                                                                                   \
    do {                                                                                                \
        char m_[512];                                                                                   \
        snprintf(m_, sizeof m_, __VA_ARGS__);                                                           \
        s = util_fail(h->err, TSG_EINPUT, "%s:%ld:%ld: %s", label, c.fline[i], c.fcol[i], m_);          \
        goto done;                                                                                      \
    } while (0)
            if (c.n != 5) MFAIL(0, "this row has %zu fields but the header has 5", c.n);
            for (int i = 0; i < 4; i++) trim(c.field[i]);
            const char *scheme = c.field[0], *code = c.field[1], *field = c.field[2], *value = c.field[3];
            int kind = !strcmp(scheme, "key")       ? R_MAP_KEY
                       : !strcmp(scheme, "default") ? R_MAP_DEFAULT
                       : !strcmp(scheme, "name")    ? R_MAP_NAME
                                                    : R_MAP_CODE;
            if ((kind == R_MAP_KEY) != (pass == 0)) continue;
            if (!*scheme) MFAIL(0, "scheme is empty (a taxonomy such as airs or oe, or name, default, key)");
            rule_t r = {.kind = kind, .amin = -1, .amax = -1};
            if (kind == R_MAP_KEY) {
                if (strcmp(field, "target") && strcmp(field, "need") && strcmp(field, "sector") &&
                    strcmp(field, "mode"))
                    MFAIL(2, "a key row adds a target, need, sector or mode, not '%s'", field);
                if (!valid_key(code))
                    MFAIL(1, "'%s' is not a key: lower-case ASCII letters, digits and _, starting with a letter",
                          code);
                if (!*value) MFAIL(3, "a new key needs its Japanese label in value");
            } else {
                int age = !strcmp(field, "age");
                if (!age && strcmp(field, "target") && strcmp(field, "need") && strcmp(field, "sector"))
                    MFAIL(2, "field must be target, need, sector or age, not '%s'", field);
                if ((kind == R_MAP_NAME) != !strcmp(field, "sector") && kind != R_MAP_DEFAULT)
                    MFAIL(2, kind == R_MAP_NAME ? "a name rule gives a sector, not a %s"
                                                : "a taxonomy code gives a target, need or age, not a %s",
                          field);
                if (kind == R_MAP_DEFAULT && age) MFAIL(2, "ages have no default: an unknown age stays open");
                if (kind != R_MAP_DEFAULT && !*code) MFAIL(1, "code is empty");
                if (age) {
                    if (!parse_age(value, &r.amin, &r.amax))
                        MFAIL(3, "'%s' is not an age range such as 13-17, 60- or -5 (whole years up to %d)", value, UTIL_MAX_AGE);
                } else if (!known_key(h, field, value)) {
                    const char *hint = closest_key(h, field, value);
                    if (hint) MFAIL(3, "unknown %s '%s' (did you mean %s?)", field, value, hint);
                    MFAIL(3, "unknown %s '%s' (add it with a row: key,%s,%s,<label>,)", field, value, value, field);
                }
            }
#undef MFAIL
            if (h->nrules == cap) {
                cap = cap ? 2 * cap : 256;
                rule_t *rules = realloc(h->rules, cap * sizeof *rules);
                if (!rules) {
                    s = nomem(h);
                    goto done;
                }
                h->rules = rules;
            }
            r.scheme = util_strdup(scheme);
            r.code = util_strdup(code);
            r.field = util_strdup(field);
            r.value = util_strdup(value);
            h->rules[h->nrules++] = r;
            if (!r.scheme || !r.code || !r.field || !r.value) {
                s = nomem(h);
                goto done;
            }
            if (kind == R_MAP_NAME) lower_ascii(h->rules[h->nrules - 1].code);
        }
    }
done:
    store_csv_free(&c);
    free(text);
    return s;
}

static const char *default_of(hsds_t *h, const char *field)
{
    for (size_t i = 0; i < h->nrules; i++)
        if (h->rules[i].kind == R_MAP_DEFAULT && !strcmp(h->rules[i].field, field)) return h->rules[i].value;
    return NULL;
}

/* Whether rule code `p` covers code `c`: equal, or `c` continues it after a
 * '-' or '.' (AIRS YB-8000 covers YB-8000.1500; OE 112 covers 112-04), or
 * `p` is a one- or two-letter AIRS section (L covers LH-3500). */
static int covers(const char *p, const char *c)
{
    size_t n = strlen(p);
    if (strncmp(p, c, n)) return 0;
    if (!c[n] || c[n] == '-' || c[n] == '.') return 1;
    if (n > 2) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)p[i])) return 0;
    return 1;
}

/* The sector an organisation's name suggests: the first name rule whose
 * words occur in it as whole words (case-insensitive). */
static const char *sector_of(hsds_t *h, const char *name)
{
    char *low = util_strdup(name);
    if (!low) return NULL;
    lower_ascii(low);
    const char *sector = NULL;
    for (size_t i = 0; i < h->nrules && !sector; i++) {
        const rule_t *r = &h->rules[i];
        if (r->kind != R_MAP_NAME) continue;
        size_t n = strlen(r->code);
        for (const char *p = strstr(low, r->code); p; p = strstr(p + 1, r->code)) {
            int before = p == low || !isalnum((unsigned char)p[-1]);
            int after = !isalnum((unsigned char)p[n]);
            if (before && after) {
                sector = r->value;
                break;
            }
        }
    }
    free(low);
    return sector ? sector : default_of(h, "sector");
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
    trim(state);
    trim(city);
    const char *parent = NULL;
    for (int level = 0; level < 2; level++) {
        const char *name = level ? city : state;
        if (!*name) continue;
        char *key = util_printf("%s\x1f%s", state, level ? city : "");
        if (!key) goto oom;
        lower_ascii(key);
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
            d->name = clean_name(name, &repaired);
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
    s = nomem(h);
done:
    free(state);
    free(city);
    return s;
}

/* ---- the package ------------------------------------------------------------------ */

enum { LAYOUT_HSDS, LAYOUT_OHANA };

typedef struct pkg {
    int layout;
    table_t orgs, services, locations, sal, addresses, areas, elig;
    table_t svc_tax, taxonomy, attributes, terms, taxonomies;
    json_t *icarol, *categories; /* Ohana side files */
} pkg_t;

static void pkg_free(pkg_t *p)
{
    table_t *all[] = {&p->orgs,    &p->services, &p->locations,  &p->sal,   &p->addresses,  &p->areas,
                      &p->elig,    &p->svc_tax,  &p->taxonomy,   &p->attributes, &p->terms, &p->taxonomies};
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
        return util_fail(h->err, TSG_EINPUT, "%s/%s:1:1: expected an object of service id → list of categories",
                         h->label, name);
    return TSG_OK;
}

/* What the package calls itself, from datapackage.json when there is one. */
static tsg_status_t read_layout(hsds_t *h, pkg_t *p, const char *dir)
{
    if (p->layout == LAYOUT_OHANA) return (h->rep->layout = util_strdup("Ohana API CSV")) ? TSG_OK : nomem(h);
    char *path = util_printf("%s/datapackage.json", dir);
    if (!path) return nomem(h);
    json_error_t je;
    json_t *dp = json_load_file(path, 0, &je);
    struct stat sb;
    if (!dp && stat(path, &sb) == 0) {
        /* There, but not JSON: refused, not read as a package without one
         * (which would guess its version). */
        tsg_status_t s = util_fail(h->err, TSG_EINPUT, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
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
        h->rep->layout = util_printf("HSDS %s tabular package", seen ? seen : version);
    else
        h->rep->layout = util_printf("HSDS 1.x tabular package%s", dp ? "" : " (no datapackage.json)");
    free(seen);
    json_decref(dp);
    return h->rep->layout ? TSG_OK : nomem(h);
}

static tsg_status_t load_package(hsds_t *h, pkg_t *p, const char *dir)
{
    struct stat sb;
    char *data = util_printf("%s/data/services.csv", dir), *top = util_printf("%s/services.csv", dir);
    if (!data || !top) {
        free(data);
        free(top);
        return nomem(h);
    }
    int in_data = stat(top, &sb) != 0 && stat(data, &sb) == 0;
    free(data);
    free(top);
    h->base = in_data ? util_printf("%s/data", dir) : util_strdup(dir);
    if (!h->base) return nomem(h);
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
    tsg_status_t s;
    if ((s = load(h, &p->orgs, NAMES("organizations.csv"))) || (s = load(h, &p->services, NAMES("services.csv"))))
        return s;
    if (!p->orgs.present || !p->services.present)
        return util_fail(h->err, TSG_EINPUT,
                         "%s: not an HSDS package: it needs organizations.csv and services.csv (at the top or in data/)",
                         h->label);
    if (col(&p->orgs, "id") < 0 || col(&p->orgs, "name") < 0 || col(&p->services, "id") < 0 ||
        col(&p->services, "name") < 0)
        return util_fail(h->err, TSG_EINPUT, "%s/%s:1:1: organizations.csv and services.csv need columns id and name",
                         h->label, col(&p->orgs, "id") < 0 || col(&p->orgs, "name") < 0 ? "organizations.csv"
                                                                                          : "services.csv");
    p->layout = col(&p->services, "organization_id") < 0 && col(&p->services, "location_id") >= 0 ? LAYOUT_OHANA
                                                                                                 : LAYOUT_HSDS;
    if ((s = read_layout(h, p, dir)) || (s = load(h, &p->locations, NAMES("locations.csv"))) ||
        (s = load(h, &p->sal, NAMES("service_at_location.csv", "services_at_location.csv"))) ||
        (s = load(h, &p->addresses, NAMES("addresses.csv", "physical_addresses.csv"))) ||
        (s = load(h, &p->areas, NAMES("service_areas.csv"))) || (s = load(h, &p->elig, NAMES("eligibility.csv"))) ||
        (s = load(h, &p->svc_tax, NAMES("services_taxonomy.csv"))) ||
        (s = load(h, &p->taxonomy, NAMES("taxonomy.csv"))) || (s = load(h, &p->attributes, NAMES("attributes.csv"))) ||
        (s = load(h, &p->terms, NAMES("taxonomy_terms.csv"))) || (s = load(h, &p->taxonomies, NAMES("taxonomies.csv"))))
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

/* The mapping's scheme for a taxonomy's name: AIRS/211 → airs, Open
 * Eligibility → oe, anything else its own name in lower case. */
static char *scheme_of(const char *name)
{
    char *low = util_strdup(name);
    if (!low) return NULL;
    trim(low);
    lower_ascii(low);
    if (strstr(low, "airs") || strstr(low, "211")) strcpy(low, "airs");
    else if (strstr(low, "open eligibility") || strstr(low, "openeligibility")) strcpy(low, "oe");
    return low;
}

/* ---- one program at a time ------------------------------------------------------------ */

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
    trim(c->code[c->n]);
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
                !covers(r->code, c->code[i]))
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
            known_key(h, field, code + flen + 1) && list_add(out, code + flen + 1))
            return -1;
        for (size_t k = 0; k < h->nrules; k++) {
            const rule_t *r = &h->rules[k];
            if (r->kind == R_MAP_CODE && !strcmp(r->field, field) && !strcmp(r->scheme, c->scheme[i]) &&
                covers(r->code, c->code[i]) && list_add(out, r->value))
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
    int c = col(t, column);
    if (c < 0 || !t->nrows) return TSG_OK;
    if (!(m->next = malloc(t->nrows * sizeof *m->next))) return nomem(h);
    /* Walk backwards so each chain runs in file order. */
    for (size_t r = t->nrows; r-- > 0;) {
        const char *key = cell(t, r, c);
        m->next[r] = -1;
        if (!*key) continue;
        const store_id_t *old;
        int rc = store_idmap_put(&m->first, key, (store_id_t){.aux = r}, &old);
        if (rc < 0) return nomem(h);
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
    int ctype = col(a, "address_type"), ccity = col(a, "city"), cstate = col(a, "state_province");
    for (int postal = 0; postal < 2; postal++)
        for (long r = multimap_first(&x->addr, loc_id); r >= 0; r = x->addr.next[r]) {
            const char *type = cell(a, (size_t)r, ctype);
            if (*type && strcmp(type, postal ? "postal" : "physical")) continue;
            return district_for(h, cell(a, (size_t)r, cstate), cell(a, (size_t)r, ccity), id);
        }
    return TSG_OK;
}

static tsg_status_t org_place(hsds_t *h, org_t *o, const char *district)
{
    if (!district) return TSG_OK;
    const store_id_t *old;
    int rc = store_idmap_put(&o->districts, district, (store_id_t){.aux = 1}, &old);
    if (rc < 0) return nomem(h);
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
        const char *loc = cell(sv, r, col(sv, "location_id"));
        if (!*loc) return note(h, sv->name, sv->line[r], sid, 1, "no location_id, so no organisation", NULL);
        long lr = row_of(&p->locations, loc);
        if (lr < 0)
            return note(h, sv->name, sv->line[r], sid, 1, "location_id names no location", "location_id %s", loc);
        const char *oid = cell(&p->locations, (size_t)lr, col(&p->locations, "organization_id"));
        if ((*org_row = row_of(&p->orgs, oid)) < 0)
            return note(h, sv->name, sv->line[r], sid, 1, "the location's organization_id names no organisation",
                        "location %s, organization_id %s", loc, oid);
        return TSG_OK;
    }
    const char *oid = cell(sv, r, col(sv, "organization_id"));
    if (!*oid) return note(h, sv->name, sv->line[r], sid, 1, "empty organization_id", NULL);
    if ((*org_row = row_of(&p->orgs, oid)) >= 0) return TSG_OK;
    /* Miami 211 files a branch under its parent service: follow one hop. */
    long parent = row_of(sv, oid);
    if (parent >= 0) {
        const char *poid = cell(sv, (size_t)parent, col(sv, "organization_id"));
        if ((*org_row = row_of(&p->orgs, poid)) >= 0)
            return note(h, sv->name, sv->line[r], sid, 0,
                        "organization_id names a service; attached to that service's organisation",
                        "organization_id %s → %s", oid, poid);
    }
    return note(h, sv->name, sv->line[r], sid, 1, "organization_id names no organisation", "organization_id %s", oid);
}

/* The taxonomy codes of a service, from whichever tables the layout has, or
 * of an organisation (HSDS 3 attributes only). */
static tsg_status_t codes_of(hsds_t *h, ctx_t *x, const char *sid, const char *entity)
{
    pkg_t *p = x->p;
    int service = !strcmp(entity, "service");
    codes_clear(&x->codes);
    if (service && p->svc_tax.present) { /* HSDS 1.x: the code is the taxonomy id */
        int ct = col(&p->svc_tax, "taxonomy_id"), cv = col(&p->taxonomy, "vocabulary");
        for (long r = multimap_first(&x->tax, sid); r >= 0; r = x->tax.next[r]) {
            const char *code = cell(&p->svc_tax, (size_t)r, ct);
            long tr = row_of(&p->taxonomy, code);
            const char *scheme = tr >= 0 && cv >= 0 ? cell(&p->taxonomy, (size_t)tr, cv) : "airs";
            if (codes_add(&x->codes, *scheme ? scheme : "airs", code)) return nomem(h);
        }
    }
    if (p->attributes.present) { /* HSDS 3.0: attribute → taxonomy term → taxonomy */
        const table_t *a = &p->attributes, *t = &p->terms;
        int cterm = col(a, "taxonomy_term_id"), cent = col(a, "link_entity");
        for (long r = multimap_first(&x->attr, sid); r >= 0; r = x->attr.next[r]) {
            const char *ent = cell(a, (size_t)r, cent);
            if (service ? *ent && strcmp(ent, entity) : strcmp(ent, entity)) continue;
            long tr = row_of(t, cell(a, (size_t)r, cterm));
            if (tr < 0) continue;
            const char *code = cell(t, (size_t)tr, col(t, "code"));
            const char *scheme = cell(t, (size_t)tr, col(t, "taxonomy"));
            long xr = row_of(&p->taxonomies, cell(t, (size_t)tr, col(t, "taxonomy_id")));
            if (xr >= 0) scheme = cell(&p->taxonomies, (size_t)xr, col(&p->taxonomies, "name"));
            if (codes_add(&x->codes, scheme, *code ? code : cell(t, (size_t)tr, col(t, "name")))) return nomem(h);
        }
    }
    if (service && p->layout == LAYOUT_OHANA) { /* JSON side files */
        json_t *v;
        size_t i;
        json_array_foreach(json_object_get(p->icarol, sid), i, v)
            if (json_is_string(v) && codes_add(&x->codes, "airs", json_string_value(v))) return nomem(h);
        int ctid = col(&p->taxonomy, "taxonomy_id");
        json_array_foreach(json_object_get(p->categories, sid), i, v)
        {
            char num[32];
            const char *ref = json_is_string(v) ? json_string_value(v) : NULL;
            if (json_is_integer(v)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), ref = num;
            long tr = ref ? row_of(&p->taxonomy, ref) : -1;
            if (tr >= 0 && codes_add(&x->codes, "oe", cell(&p->taxonomy, (size_t)tr, ctid))) return nomem(h);
        }
    }
    return TSG_OK;
}

/* The program's area: the districts of its locations; else the names of its
 * service areas that are districts; else its organisation's district; else
 * wide-area (*). */
static tsg_status_t service_area(hsds_t *h, ctx_t *x, size_t r, const char *sid, const org_t *o)
{
    pkg_t *p = x->p;
    util_buf_t *b = &x->area_list;
    b->len = 0;
    const char *d;
    tsg_status_t s;
    if (p->layout == LAYOUT_OHANA) {
        if ((s = location_district(h, x, cell(&p->services, r, col(&p->services, "location_id")), &d))) return s;
        if (d && list_add(b, d)) return nomem(h);
    }
    int cloc = col(&p->sal, "location_id");
    for (long k = multimap_first(&x->sal, sid); k >= 0; k = x->sal.next[k]) {
        if ((s = location_district(h, x, cell(&p->sal, (size_t)k, cloc), &d))) return s;
        if (d && list_add(b, d)) return nomem(h);
    }
    int cname = col(&p->areas, "name");
    for (long k = multimap_first(&x->area, sid); k >= 0 && !b->len; k = x->area.next[k]) {
        char *name = util_strdup(cell(&p->areas, (size_t)k, cname));
        if (!name) return nomem(h);
        trim(name);
        lower_ascii(name);
        for (size_t i = 0; i < h->ndist; i++) {
            char *dn = util_strdup(h->dist[i].name);
            if (!dn) {
                free(name);
                return nomem(h);
            }
            lower_ascii(dn);
            int same = !strcmp(dn, name);
            free(dn);
            if (same && list_add(b, h->dist[i].id)) {
                free(name);
                return nomem(h);
            }
        }
        free(name);
    }
    if (!b->len && o->best && list_add(b, o->best)) return nomem(h);
    if (!b->len) {
        h->rep->wide_area++;
        if (util_buf_addc(b, '*')) return nomem(h);
    }
    return util_buf_addc(b, '\0') ? nomem(h) : TSG_OK;
}

/* Ages: the HSDS columns, then the eligibility text, then age codes. */
static tsg_status_t service_ages(hsds_t *h, ctx_t *x, size_t r, const char *sid, const char *elig, int *lo, int *hi)
{
    const table_t *sv = &x->p->services;
    tsg_hsds_report_t *rep = h->rep;
    *lo = *hi = -1;
    const char *cmin = cell(sv, r, col(sv, "minimum_age")), *cmax = cell(sv, r, col(sv, "maximum_age"));
    if (*cmin || *cmax) {
        int okmin = !*cmin || age_cell(cmin, 1, lo), okmax = !*cmax || age_cell(cmax, 0, hi);
        tsg_status_t s = TSG_OK;
        if (!okmin || !okmax)
            s = note(h, sv->name, sv->line[r], sid, 0, "an age column is not a number from 0 to " UTIL_STR(UTIL_MAX_AGE) "; left open",
                     "minimum_age '%s', maximum_age '%s'", cmin, cmax);
        else if (*lo >= 0 && *hi >= 0 && *lo > *hi) {
            s = note(h, sv->name, sv->line[r], sid, 0, "minimum_age is above maximum_age; both left open",
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
        if (!text) return nomem(h);
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
        if (a.kind == AGETEXT_AMBIGUOUS) rep->age_ambiguous++;
        if (a.kind == AGETEXT_WORDS) rep->age_words++;
    }
    if (ages_of_codes(h, &x->codes, lo, hi) && (*lo >= 0 || *hi >= 0)) rep->age_taxonomy++;
    else rep->age_open++;
    return TSG_OK;
}

static int put_row(util_buf_t *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (store_csv_put(b, cells[i], i + 1 == n)) return -1;
    return 0;
}

static tsg_status_t translate_orgs(hsds_t *h, ctx_t *x)
{
    pkg_t *p = x->p;
    table_t *t = &p->orgs;
    int cid = col(t, "id"), cname = col(t, "name");
    store_idmap_t seen = {0};
    tsg_status_t s = TSG_OK;
    for (size_t r = 0; r < t->nrows && !s; r++) {
        const char *why = NULL;
        char *id = util_strdup(cell(t, r, cid)), *name = clean_name(cell(t, r, cname), &why);
        const store_id_t *old;
        int dup = id ? (trim(id), *id ? store_idmap_put(&seen, id, (store_id_t){.line = t->line[r]}, &old) : 0) : -1;
        if (!name || dup < 0) s = nomem(h);
        else if (!*id) s = note(h, t->name, t->line[r], "", 1, "empty id", "name '%s'", name);
        else if (dup) s = note(h, t->name, t->line[r], id, 1, "duplicate id", "first on line %ld", old->line);
        else if (!*name) s = note(h, t->name, t->line[r], id, 1, "empty name", NULL);
        else if (!(x->orgs[r].id = make_id("o:", id))) s = nomem(h);
        else {
            x->orgs[r].name = name;
            name = NULL;
            if (why) s = note(h, t->name, t->line[r], id, 0, why, NULL);
        }
        free(id);
        free(name);
    }
    store_idmap_free(&seen);
    if (s) return s;
    /* Where each organisation is: its own locations. */
    const table_t *lt = &p->locations;
    int lid = col(lt, "id"), lorg = col(lt, "organization_id");
    for (size_t r = 0; lorg >= 0 && r < lt->nrows; r++) {
        long orow = row_of(&p->orgs, cell(lt, r, lorg));
        if (orow < 0 || !x->orgs[orow].id) continue;
        const char *d;
        if ((s = location_district(h, x, cell(lt, r, lid), &d)) || (s = org_place(h, &x->orgs[orow], d))) return s;
    }
    return TSG_OK;
}

static tsg_status_t translate_services(hsds_t *h, ctx_t *x)
{
    pkg_t *p = x->p;
    table_t *sv = &p->services;
    int cid = col(sv, "id"), cname = col(sv, "name"), cstatus = col(sv, "status");
    int celig = col(sv, "eligibility_description") >= 0 ? col(sv, "eligibility_description") : col(sv, "eligibility");
    multimap_t elig;
    tsg_status_t s = multimap_build(h, &elig, &p->elig, "service_id");
    if (s) return s;
    store_idmap_t seen = {0};
    const char *dtarget = default_of(h, "target"), *dneed = default_of(h, "need");
    for (size_t r = 0; r < sv->nrows && !s; r++) {
        char *sid = util_strdup(cell(sv, r, cid)), *name = NULL, *pid = NULL;
        if (!sid) {
            s = nomem(h);
            break;
        }
        trim(sid);
        const char *why, *status = cell(sv, r, cstatus);
        long orow;
        const store_id_t *old;
        int dup = *sid ? store_idmap_put(&seen, sid, (store_id_t){.line = sv->line[r]}, &old) : 0;
        if (dup < 0 || !(name = clean_name(cell(sv, r, cname), &why))) s = nomem(h);
        else if (!*sid) s = note(h, sv->name, sv->line[r], "", 1, "empty id", "name '%s'", name);
        else if (dup) s = note(h, sv->name, sv->line[r], sid, 1, "duplicate id", "first on line %ld", old->line);
        else if (!*name) s = note(h, sv->name, sv->line[r], sid, 1, "empty name", NULL);
        else if (!strcmp(status, "inactive") || !strcmp(status, "defunct"))
            s = note(h, sv->name, sv->line[r], sid, 1, "status inactive or defunct", "status %s", status);
        else if (!(s = service_org(h, x, r, sid, &orow)) && orow >= 0 && !x->orgs[orow].id)
            s = note(h, sv->name, sv->line[r], sid, 1, "its organisation's row was skipped", NULL);
        else if (!s && orow >= 0) {
            if (why && (s = note(h, sv->name, sv->line[r], sid, 0, why, NULL))) goto next;
            if (*status && strcmp(status, "active") && strcmp(status, "temporarily closed") &&
                (s = note(h, sv->name, sv->line[r], sid, 0, "unknown status read as active", "status %s", status)))
                goto next;
            const char *text = cell(sv, r, celig);
            long er = multimap_first(&elig, sid);
            if (!*text && er >= 0) text = cell(&p->elig, (size_t)er, col(&p->elig, "eligibility"));
            int lo, hi;
            x->targets.len = x->needs.len = 0;
            if ((s = codes_of(h, x, sid, "service")) || (s = service_ages(h, x, r, sid, text, &lo, &hi)) ||
                (s = service_area(h, x, r, sid, &x->orgs[orow])))
                goto next;
            if (keys_of_codes(h, &x->codes, "target", &x->targets) || keys_of_codes(h, &x->codes, "need", &x->needs)) {
                s = nomem(h);
                goto next;
            }
            if (!x->targets.len) h->rep->default_target++;
            if (!x->needs.len) h->rep->default_need++;
            if ((!x->targets.len && list_add(&x->targets, dtarget ? dtarget : "everyone")) ||
                (!x->needs.len && dneed && list_add(&x->needs, dneed)) || util_buf_addc(&x->targets, '\0') ||
                util_buf_addc(&x->needs, '\0')) {
                s = nomem(h);
                goto next;
            }
            if (!x->needs.data[0]) {
                s = note(h, sv->name, sv->line[r], sid, 1, "no need in the mapping, and no default need", NULL);
                goto next;
            }
            char amin[16] = "", amax[16] = "";
            if (lo >= 0) snprintf(amin, sizeof amin, "%d", lo);
            if (hi >= 0) snprintf(amax, sizeof amax, "%d", hi);
            if (!(pid = make_id("p:", sid))) {
                s = nomem(h);
                goto next;
            }
            const char *row[] = {pid, name, x->orgs[orow].id, x->targets.data, amin, amax, x->needs.data,
                                 "", "", x->area_list.data, "", ""};
            if (put_row(&h->out[OUT_PROGRAMS], row, 12)) s = nomem(h);
        }
    next:
        free(sid);
        free(name);
        free(pid);
    }
    /* HSDS 1.x eligibility rows that name no service cannot be attached. */
    int esid = col(&p->elig, "service_id");
    for (size_t r = 0; !s && r < p->elig.nrows; r++) {
        const char *k = cell(&p->elig, r, esid);
        if (!*k) s = note(h, p->elig.name, p->elig.line[r], cell(&p->elig, r, col(&p->elig, "id")), 1,
                          "empty service_id: the eligibility cannot be attached to a service", NULL);
        else if (!store_idmap_get(&seen, k))
            s = note(h, p->elig.name, p->elig.line[r], cell(&p->elig, r, col(&p->elig, "id")), 1,
                     "service_id names no service", "service_id %s", k);
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
        if (row_of(&p->services, key) < 0)
            s = note(h, file, 0, key, 1, "the key names no service", NULL);
        else if (!json_is_array(v))
            s = note(h, file, 0, key, 1, "the value is not a list of categories", NULL);
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
        if (i != OUT_PROGRAMS && put_row(&h->out[i], heads[i], widths[i])) return nomem(h);
    for (size_t i = 0; i < h->ndist; i++) {
        const district_t *d = &h->dist[i];
        const char *row[] = {d->id, d->name, d->level, d->parent};
        if (put_row(&h->out[OUT_DISTRICTS], row, 4)) return nomem(h);
    }
    for (size_t r = 0; r < x->p->orgs.nrows; r++) {
        const org_t *o = &x->orgs[r];
        if (!o->id) continue;
        const char *sector = NULL;
        if ((s = codes_of(h, x, cell(&x->p->orgs, r, col(&x->p->orgs, "id")), "organization"))) return s;
        for (size_t i = 0; i < x->codes.n && !sector; i++)
            if (!strcmp(x->codes.scheme[i], "tsunagi") && !strncmp(x->codes.code[i], "sector:", 7) &&
                known_key(h, "sector", x->codes.code[i] + 7))
                sector = x->codes.code[i] + 7;
        if (!sector) sector = sector_of(h, o->name);
        const char *row[] = {o->id, o->name, sector ? sector : "npo", o->best};
        if (put_row(&h->out[OUT_ORGS], row, 4)) return nomem(h);
    }
    for (size_t i = 0; i < h->nrules; i++) {
        const rule_t *r = &h->rules[i];
        const char *row[] = {r->field, r->code, r->value, ""};
        if (r->kind == R_MAP_KEY && put_row(&h->out[OUT_VOCAB], row, 4)) return nomem(h);
    }
    return TSG_OK;
}

static tsg_status_t translate(hsds_t *h, pkg_t *p)
{
    ctx_t x = {.p = p};
    tsg_status_t s = TSG_OK;
    if (!(x.orgs = calloc(p->orgs.nrows + 1, sizeof *x.orgs))) return nomem(h);
    if ((s = multimap_build(h, &x.sal, &p->sal, "service_id")) ||
        (s = multimap_build(h, &x.addr, &p->addresses, "location_id")) ||
        (s = multimap_build(h, &x.area, &p->areas, "service_id")) ||
        (s = multimap_build(h, &x.tax, &p->svc_tax, "service_id")) ||
        (s = multimap_build(h, &x.attr, &p->attributes, "link_id")))
        goto done;
    /* The program header goes first; write_outputs adds the other headers. */
    static const char *const phead[] = {"id", "name", "org_id", "targets", "age_min", "age_max", "needs",
                                        "modes", "approach", "area", "in_system", "hours"};
    if (put_row(&h->out[OUT_PROGRAMS], phead, 12)) {
        s = nomem(h);
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

/* ---- the whole import ------------------------------------------------------------------- */

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

tsg_status_t tsg_import_hsds(tsg_db_t *db, const char *dir, const char *mapping, tsg_hsds_report_t **report,
                             tsg_error_t *err)
{
    *report = NULL;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return util_fail(err, TSG_EIO, "%s: not a folder (import-hsds reads an HSDS package folder)", dir);
    hsds_t h = {.err = err};
    pkg_t p = {0};
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    h.label = util_strndup(dir, n);
    h.rep = calloc(1, sizeof *h.rep);
    tsg_status_t s = h.label && h.rep ? TSG_OK : nomem(&h);
    if (!s) s = read_mapping(&h, mapping);
    if (!s) s = load_package(&h, &p, h.label);
    if (!s) s = translate(&h, &p);
    if (!s) {
        store_embedded_t files[7] = {{0}};
        for (int i = 0; i < 6; i++)
            files[i] = (store_embedded_t){out_name[i], (const unsigned char *)(h.out[i].data ? h.out[i].data : ""),
                                          h.out[i].len};
        char *label = util_printf("%s (as tsunagi CSV)", h.label);
        store_source_t src = {label ? label : "hsds", store_embedded_read, files};
        s = label ? store_import(db, &src, TSG_ENC_UTF8, &h.rep->counts, err) : nomem(&h);
        free(label);
    }
    pkg_free(&p);
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

/* Whether Excel would run a cell starting like s as a formula (the rule of
 * query/format.c's formula_lead; the report has no plain numbers to spare). */
static int formula_lead(const char *s) { return s && *s && strchr("=+-@\t\r", *s); }

tsg_status_t tsg_hsds_report_write(const tsg_hsds_report_t *r, const char *path, tsg_error_t *err)
{
    util_buf_t b = {0};
    static const char *const head[] = {"file", "line", "id", "action", "reason", "detail"};
    int bad = put_row(&b, head, 6);
    for (size_t i = 0; i < r->nrows && !bad; i++) {
        const tsg_hsds_row_t *w = &r->rows[i];
        char line[24] = "";
        if (w->line) snprintf(line, sizeof line, "%ld", w->line);
        /* A cell quoting the package that Excel would run as a formula
         * gets a leading ' (OWASP, as --format csv does; issue 17, item 16). */
        char *id = formula_lead(w->id) ? util_printf("'%s", w->id) : NULL;
        char *detail = formula_lead(w->detail) ? util_printf("'%s", w->detail) : NULL;
        const char *row[] = {w->file, line, id ? id : w->id, w->skipped ? "skipped" : "repaired", w->reason,
                             detail ? detail : w->detail};
        bad = (formula_lead(w->id) && !id) || (formula_lead(w->detail) && !detail) || put_row(&b, row, 6);
        free(id);
        free(detail);
    }
    tsg_status_t s = bad ? util_fail(err, TSG_ENOMEM, "out of memory") : util_write_file(path, b.data ? b.data : "", b.len, NULL, err);
    util_buf_free(&b);
    return s;
}

const char *tsg_hsds_default_mapping(size_t *len)
{
    for (const store_embedded_t *f = store_hsds_files; f->name; f++)
        if (!strcmp(f->name, "mapping.csv")) {
            *len = f->len;
            return (const char *)f->data;
        }
    *len = 0;
    return "";
}
