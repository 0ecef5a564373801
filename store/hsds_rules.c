/* hsds_rules — the mapping file (mapping.csv): its rules read and checked,
 * and what they say of a key, a default, a code or a name (see
 * hsds_import.h; the file's format is in hsds.h). */
#include "csv.h"
#include "i18n.h"
#include "hsds.h"
#include "hsds_import.h"
#include "textenc.h"
#include "util.h"
#include "bounds.h"
#include "vocab.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the mapping file ----------------------------------------------------------- */

static int valid_key(const char *k)
{
    if (!islower((unsigned char)*k)) return 0;
    for (; *k; k++)
        if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) && *k != '_') return 0;
    return 1;
}

/* Whether `key` is a key of `kind`: built in, or added by a `key` row. */
int store_hsds_known_key(hsds_t *h, const char *kind, const char *key)
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

tsg_status_t store_hsds_read_mapping(hsds_t *h, const char *path)
{
    char *raw = NULL, *text = NULL;
    size_t rawlen, len;
    const char *label = path ? path : "built-in mapping.csv";
    tsg_status_t s;
    if (path)
        s = util_read_file(path, &raw, &rawlen, h->err);
    else {
        const char *m = tsg_hsds_default_mapping(&rawlen);
        s = (raw = util_strndup(m, rawlen)) ? TSG_OK : store_hsds_nomem(h);
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
        s = util_fail(h->err, TSG_EINPUT, _("%s:1:1: the header must be scheme,code,field,value,note"), label);
        goto done;
    }
    for (int i = 0; i < 5; i++)
        if (strcmp(c.field[i], head[i])) {
            s = util_fail(h->err, TSG_EINPUT, _("%s:%ld:%ld: column %d must be '%s', not '%s'"), label, c.fline[i],
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
            for (int i = 0; i < 4; i++) store_hsds_trim(c.field[i]);
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
                } else if (!store_hsds_known_key(h, field, value)) {
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
                    s = store_hsds_nomem(h);
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
                s = store_hsds_nomem(h);
                goto done;
            }
            if (kind == R_MAP_NAME) store_hsds_lower_ascii(h->rules[h->nrules - 1].code);
        }
    }
done:
    store_csv_free(&c);
    free(text);
    return s;
}

const char *store_hsds_default_of(hsds_t *h, const char *field)
{
    for (size_t i = 0; i < h->nrules; i++)
        if (h->rules[i].kind == R_MAP_DEFAULT && !strcmp(h->rules[i].field, field)) return h->rules[i].value;
    return NULL;
}

/* Whether rule code `p` covers code `c`: equal, or `c` continues it after a
 * '-' or '.' (AIRS YB-8000 covers YB-8000.1500; OE 112 covers 112-04), or
 * `p` is a one- or two-letter AIRS section (L covers LH-3500). */
int store_hsds_covers(const char *p, const char *c)
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
const char *store_hsds_sector_of(hsds_t *h, const char *name)
{
    char *low = util_strdup(name);
    if (!low) return NULL;
    store_hsds_lower_ascii(low);
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
    return sector ? sector : store_hsds_default_of(h, "sector");
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
