/*
 * import_cells — one file of the CSV folder as the import reads it: opened,
 * its header matched to the file's columns, its rows, and each cell checked
 * (see import_cells.h). What the rows mean is import.c's.
 */
#include "import_cells.h"
#include "textenc.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_name[] = {"", "district", "organisation", "program", "forum"};

/* What each reference may point to, and its messages, one whole sentence
 * per noun so each reads as its language says it (issue 19): "unknown
 * district id '北区' (did you mean d-kita?)", 地区ID「北区」は登録されていません. */
static const struct ref_kind {
    unsigned mask;
    const char *named; /* a node's name written where its id belongs */
    const char *close; /* an id one slip away from an existing one */
    const char *none;
    const char *noun; /* "not %s" when the id is of another type (msgctxt "not") */
    const char *note; /* the rule, when the id is of another type */
} refs[] = {
    [REF_DISTRICT] = {1u << T_DISTRICT, N_("unknown district id '%s' (did you mean %s?)"),
                      N_("unknown district '%s' (did you mean %s?)"), N_("unknown district '%s' (no such id)"),
                      NC_("not", "a district"), NULL},
    [REF_PARENT] = {1u << T_DISTRICT, N_("unknown parent district id '%s' (did you mean %s?)"),
                    N_("unknown parent district '%s' (did you mean %s?)"),
                    N_("unknown parent district '%s' (no such id)"), NC_("not", "a parent district"), NULL},
    [REF_ORG] = {1u << T_ORGANISATION, N_("unknown organisation id '%s' (did you mean %s?)"),
                 N_("unknown organisation '%s' (did you mean %s?)"), N_("unknown organisation '%s' (no such id)"),
                 NC_("not", "an organisation"), NULL},
    [REF_MEMBER_ORG] = {1u << T_ORGANISATION, N_("unknown organisation id '%s' (did you mean %s?)"),
                        N_("unknown organisation '%s' (did you mean %s?)"),
                        N_("unknown organisation '%s' (no such id)"), NC_("not", "an organisation"),
                        N_("a membership goes from an organisation to a forum")},
    [REF_MEMBER_FORUM] = {1u << T_FORUM, N_("unknown forum id '%s' (did you mean %s?)"),
                          N_("unknown forum '%s' (did you mean %s?)"), N_("unknown forum '%s' (no such id)"),
                          NC_("not", "a forum"), N_("a membership goes from an organisation to a forum")},
    [REF_NODE] = {(1u << T_DISTRICT) | (1u << T_ORGANISATION) | (1u << T_PROGRAM) | (1u << T_FORUM),
                  N_("unknown id '%s' (did you mean %s?)"), N_("unknown id '%s' (did you mean %s?)"),
                  N_("unknown id '%s' (no district, organisation, program or forum has it)"), NC_("not", "a district"),
                  NULL},
    [REF_TIE_END] = {(1u << T_ORGANISATION) | (1u << T_PROGRAM),
                     N_("unknown organisation or program id '%s' (did you mean %s?)"),
                     N_("unknown organisation or program '%s' (did you mean %s?)"),
                     N_("unknown organisation or program '%s' (no such id)"), NC_("not", "an organisation or program"),
                     N_("only membership ties reach forums")},
};

/* "'x' is a program (programs.csv:3), not %s", by the type x has. */
static const char *const is_type[][2] = {
    {"", ""},
    {N_("'%s' is a district (%s:%ld), not %s"), N_("'%s' is a district (%s:%ld), not %s; %s")},
    {N_("'%s' is an organisation (%s:%ld), not %s"), N_("'%s' is an organisation (%s:%ld), not %s; %s")},
    {N_("'%s' is a program (%s:%ld), not %s"), N_("'%s' is a program (%s:%ld), not %s; %s")},
    {N_("'%s' is a forum (%s:%ld), not %s"), N_("'%s' is a forum (%s:%ld), not %s; %s")},
};

/* "duplicate id 'x' (already used by a program at programs.csv:3)". */
static const char *const used_by[] = {
    "",
    N_("duplicate id '%s' (already used by a district at %s:%ld)"),
    N_("duplicate id '%s' (already used by an organisation at %s:%ld)"),
    N_("duplicate id '%s' (already used by a program at %s:%ld)"),
    N_("duplicate id '%s' (already used by a forum at %s:%ld)"),
};

const char *store_imp_ref_named_fmt(int ref) { return _(refs[ref].named); }

/* Column names that mean data about one person, in English and Japanese,
 * compared ignoring case, '_', '-' and ' ' (docs/reliability.md, Privacy). */
static const char *const personal_columns[] = {
    "person", "personname", "client", "clientname", "clientid", "caseid", "casenumber", "patient", "patientid",
    "fullname", "firstname", "lastname", "surname", "givenname", "familyname", "kana", "furigana",
    "birth", "birthday", "birthdate", "dateofbirth", "dob", "gender", "sex", "nationality",
    "phone", "phonenumber", "tel", "telephone", "mobile", "email", "mail", "address", "homeaddress", "postalcode",
    "zipcode", "mynumber", "individualnumber", "insurancenumber", "diagnosis", "disability", "income",
    "氏名", "本人氏名", "利用者", "利用者名", "相談者", "相談者名", "ふりがな", "フリガナ", "生年月日", "年齢", "性別",
    "住所", "電話", "電話番号", "携帯", "メール", "メールアドレス", "郵便番号", "マイナンバー", "個人番号",
    "病名", "診断名", "障害名", "収入", "世帯", "世帯主", NULL,
};

int store_personal_column(const char *name)
{
    char folded[256];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof folded; p++) {
        if (*p == '_' || *p == '-' || *p == ' ') continue;
        folded[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    folded[n] = '\0';
    for (const char *const *c = personal_columns; *c; c++)
        if (!strcmp(folded, *c)) return 1;
    return 0;
}

/* ---- errors ---------------------------------------------------------------- */

tsg_status_t store_imp_fail_at(imp_t *im, long line, long col, const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return util_fail(im->err, TSG_EINPUT, "%s:%ld:%ld: %s", im->label, line, col, msg);
}

tsg_status_t store_imp_nomem(imp_t *im) { return util_fail(im->err, TSG_ENOMEM, _("%s: out of memory"), im->label); }

/* Runs an INSERT and clears its parameters. Text is bound SQLITE_STATIC:
 * the cells live until this step, and a copy (SQLITE_TRANSIENT) that fails
 * for memory leaves the parameter NULL without a word, which the INSERT
 * would then store (found by tests/reliability/failalloc.c). */
tsg_status_t store_imp_step(imp_t *im, int which)
{
    sqlite3_stmt *st = im->st[which];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE) return TSG_OK;
    /* A full disk or a read-only database is the database's fault, not the
     * CSV row's being written when it happened. */
    int code = sqlite3_errcode(im->sql) & 0xff;
    if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_READONLY)
        return store_fail_sql(im->sql, _("import"), im->err);
    return store_fail_sql(im->sql, im->label, im->err);
}

/* ---- cells ----------------------------------------------------------------- */

const char *store_imp_cell(imp_t *im, int c) { return im->csv.field[im->map[c]]; }

static size_t chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Length of the white space at s: ASCII blanks or U+3000 (full-width space). */
static size_t blank(const char *s)
{
    if (*s == ' ' || *s == '\t') return 1;
    if (s[0] == '\xE3' && s[1] == '\x80' && s[2] == '\x80') return 3; /* stops at the NUL */
    return 0;
}

/* Trims white space around a cell in place; columns follow the trimmed text. */
char *store_imp_trim_cell(imp_t *im, int c)
{
    size_t f = (size_t)im->map[c];
    char *s = im->csv.field[f];
    size_t k;
    while ((k = blank(s))) {
        s += k;
        im->csv.fcol[f]++;
    }
    size_t n = strlen(s);
    while (n) {
        if (s[n - 1] == ' ' || s[n - 1] == '\t') n--;
        else if (n >= 3 && !memcmp(s + n - 3, "\xE3\x80\x80", 3)) n -= 3;
        else break;
    }
    s[n] = '\0';
    im->csv.field[f] = s;
    return s;
}

/* Splits a ';' list cell (full-width '；' too) into trimmed items. */
tsg_status_t store_imp_split(imp_t *im, int c, const char *what)
{
    char *s = store_imp_trim_cell(im, c);
    long col0 = FIELD_COL(im, c);
    im->nitems = 0;
    if (!*s) return TSG_OK;
    char *base = s;
    for (;;) {
        char *end = s;
        size_t sep = 0;
        while (*end && !(sep = (*end == ';')                                                 ? 1
                              : end[0] == '\xEF' && end[1] == '\xBC' && end[2] == '\x9B' ? 3
                                                                                          : 0))
            end++;
        char *item = s;
        size_t k;
        while ((k = blank(item)) && item < end) item += k;
        char *stop = end;
        for (;;) {
            if (stop > item && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
            else if (stop - item >= 3 && !memcmp(stop - 3, "\xE3\x80\x80", 3)) stop -= 3;
            else break;
        }
        long col = col0 + (long)chars(base, (size_t)(item - base));
        int last = !*end;
        *stop = '\0';
        if (!*item)
            return store_imp_fail_at(im, FIELD_LINE(im, c), col, _("empty item in the %s list (two ';' in a row, or one at an end)"), what);
        if (im->nitems == MAX_ITEMS)
            return store_imp_fail_at(im, FIELD_LINE(im, c), col, _("more than %d items in one %s list"), MAX_ITEMS, what);
        for (size_t i = 0; i < im->nitems; i++)
            if (!strcmp(im->items[i], item))
                return store_imp_fail_at(im, FIELD_LINE(im, c), col, _("'%s' is listed twice in %s"), item, what);
        im->items[im->nitems] = item;
        im->item_col[im->nitems] = col;
        im->nitems++;
        if (last) break;
        s = end + sep;
    }
    return TSG_OK;
}

/* A comma-separated list of a kind's keys, for messages about short kinds. */
static void known_keys(const store_vocab_t *v, const char *kind, char *buf, size_t size)
{
    size_t n = 0, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->e[i].kind, kind)) continue;
        if (++n > 12) {
            buf[0] = '\0';
            return;
        }
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", n > 1 ? ", " : "", v->e[i].key);
    }
}

tsg_status_t store_imp_resolve_at(imp_t *im, const char *kind, const char *text, long line, long col,
                               const char **key)
{
    const char *hint;
    *key = store_vocab_resolve(&im->vocab, kind, text, &hint);
    if (*key) return TSG_OK;
    const char *noun = store_vocab_kind_noun(kind);
    if (hint) return store_imp_fail_at(im, line, col, _("unknown %s '%s' (did you mean %s?)"), noun, text, hint);
    char keys[400];
    known_keys(&im->vocab, kind, keys, sizeof keys);
    if (keys[0]) return store_imp_fail_at(im, line, col, _("unknown %s '%s' (one of: %s)"), noun, text, keys);
    return store_imp_fail_at(im, line, col, _("unknown %s '%s' (see docs/data-format.md for the keys)"), noun, text);
}

/* A key cell; empty is allowed only when `optional`, giving *key = NULL. */
tsg_status_t store_imp_key_cell(imp_t *im, int c, const char *kind, int optional, const char **key)
{
    const char *s = store_imp_trim_cell(im, c);
    *key = NULL;
    if (!*s) return optional ? TSG_OK : FAILC(im, c, _("%s is empty"), im->spec->cols[c]);
    return store_imp_resolve_at(im, kind, s, FIELD_LINE(im, c), FIELD_COL(im, c), key);
}

tsg_status_t store_imp_name_cell(imp_t *im, int c, const char **name)
{
    *name = store_imp_cell(im, c);
    const char *s = *name;
    size_t k;
    while ((k = blank(s))) s += k;
    if (!*s) return FAILC(im, c, _("%s is empty"), im->spec->cols[c]);
    /* The language reads no longer name, and no name holds a control
     * character but tab and line breaks (docs/reliability.md). */
    size_t n = strlen(*name);
    if (n > STORE_MAX_NAME) return FAILC(im, c, _("%s is longer than %u bytes"), im->spec->cols[c], STORE_MAX_NAME);
    int32_t cp;
    if (util_find_hidden(*name, n, &cp, NULL) >= 0)
        return FAILC(im, c, _("%s holds the %s U+%04X"), im->spec->cols[c], util_hidden_kind(cp), (unsigned)cp);
    return TSG_OK;
}

/* The closest existing id of a type, for "did you mean". */
static const char *closest_id(imp_t *im, const char *id, int type)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < im->ids.cap; i++) {
        const store_id_t *e = &im->ids.slot[i];
        if (!e->key || (type && e->type != type)) continue;
        size_t d = util_edit_distance(id, e->key);
        if (d < best_d || (d == best_d && strcmp(e->key, best) < 0)) {
            best_d = d;
            best = e->key;
        }
    }
    size_t len = chars(id, strlen(id));
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    return best_d <= limit && best_d < len ? best : NULL;
}

/* The ids of the nodes already read whose name is `name` and whose type is
 * in `mask`, as "d-kita" or "d-a, d-b" in out (empty when none): a name
 * written where an id belongs ('北区' for d-kita) is the likeliest slip in
 * a sheet typed by hand. The lookup runs only on the way to an error, so
 * a failure just leaves out the hint. */
static void ids_named(imp_t *im, const char *name, unsigned mask, char *out, size_t size)
{
    static const char sql[] = "SELECT n.id FROM node n JOIN (SELECT nid, name FROM district UNION ALL "
                              "SELECT nid, name FROM organisation UNION ALL SELECT nid, name FROM program "
                              "UNION ALL SELECT nid, name FROM forum) x ON x.nid = n.nid WHERE x.name = ?1 "
                              "ORDER BY n.id LIMIT 20";
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    out[0] = '\0';
    if (sqlite3_prepare_v2(im->sql, sql, -1, &st, NULL) != SQLITE_OK) return;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const store_id_t *e = id ? store_idmap_get(&im->ids, id) : NULL;
        if (!e || !(mask & (1u << e->type))) continue;
        int n = snprintf(out + len, size - len, "%s%s", len ? ", " : "", id);
        if (n < 0 || (size_t)n >= size - len) break; /* keep the ids that fit whole */
        len += (size_t)n;
    }
    out[len] = '\0';
    sqlite3_finalize(st);
}

/* Looks up a referenced id that must be of the kind `ref` names (REF_…);
 * its note, if any, explains the rule when the type is wrong. */
tsg_status_t store_imp_ref_at(imp_t *im, const char *id, int ref, long line, long col, const store_id_t **out)
{
    const struct ref_kind *r = &refs[ref];
    const store_id_t *e = store_idmap_get(&im->ids, id);
    if (!e) {
        int type = 0;
        for (int t = T_DISTRICT; t <= T_FORUM; t++)
            if (r->mask == (1u << t)) type = t;
        char named[256];
        ids_named(im, id, r->mask, named, sizeof named);
        if (*named) return store_imp_fail_at(im, line, col, _(r->named), id, named);
        const char *hint = closest_id(im, id, type);
        if (hint) return store_imp_fail_at(im, line, col, _(r->close), id, hint);
        return store_imp_fail_at(im, line, col, _(r->none), id);
    }
    if (!(r->mask & (1u << e->type))) {
        const char *noun = util_pgettext_ctx("not", r->noun);
        if (r->note && e->type != T_DISTRICT)
            return store_imp_fail_at(im, line, col, _(is_type[e->type][1]), id, e->where, e->line, noun, _(r->note));
        return store_imp_fail_at(im, line, col, _(is_type[e->type][0]), id, e->where, e->line, noun);
    }
    *out = e;
    return TSG_OK;
}

tsg_status_t store_imp_new_id(imp_t *im, int c, int type, int64_t *nid, size_t aux)
{
    const char *id = store_imp_trim_cell(im, c);
    if (!*id) return FAILC(im, c, _("id is empty"));
    if (strchr(id, ';') || strstr(id, "\xEF\xBC\x9B") || !strcmp(id, "*"))
        return FAILC(im, c, _("id '%s' may not contain ';' or be '*' (they separate lists and mean wide-area)"), id);
    int32_t cp;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p < 0x20) return FAILC(im, c, _("id contains the control character U+%04X"), (unsigned)*p);
    if (util_find_hidden(id, strlen(id), &cp, NULL) >= 0)
        return FAILC(im, c, _("id contains the %s U+%04X"), util_hidden_kind(cp), (unsigned)cp);
    const store_id_t *old;
    store_id_t val = {NULL, 0, type, im->spec->file, im->csv.rec_line, aux};
    int rc = store_idmap_put(&im->ids, id, val, &old);
    if (rc < 0) return store_imp_nomem(im);
    if (rc > 0) return FAILC(im, c, _(used_by[old->type]), id, old->where, old->line);
    sqlite3_bind_text(im->st[S_NODE], 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(im->st[S_NODE], 2, type_name[type], -1, SQLITE_STATIC);
    tsg_status_t s = store_imp_step(im, S_NODE);
    if (s) return s;
    *nid = sqlite3_last_insert_rowid(im->sql);
    ((store_id_t *)store_idmap_get(&im->ids, id))->nid = *nid;
    return TSG_OK;
}

/* An optional whole number in [lo, hi]; full-width digits (０-９) are
 * accepted, other digit-like characters (①, ¹) are not. */
tsg_status_t store_imp_int_cell(imp_t *im, int c, long lo, long hi, int years, int *null, long *val)
{
    const char *s = store_imp_trim_cell(im, c);
    *null = !*s;
    if (*null) return TSG_OK;
    long v = 0;
    int r = util_parse_whole(s, hi, &v);
    if (r == -1 && years) return FAILC(im, c, _("%s '%s' is not a whole number of years"), im->spec->cols[c], s);
    if (r == -1) return FAILC(im, c, _("%s '%s' is not a whole number"), im->spec->cols[c], s);
    if (r == -2 || v < lo)
        return FAILC(im, c, _("%s %s is out of range (%ld to %ld)"), im->spec->cols[c], s, lo, hi);
    *val = v;
    return TSG_OK;
}

/* YYYY, YYYY-MM or YYYY-MM-DD; Excel's YYYY/M/D is accepted and written in
 * ISO form. *out is NULL for an empty cell. */
tsg_status_t store_imp_date_cell(imp_t *im, int c, char *out, int *null)
{
    *null = 1;
    if (im->map[c] < 0) return TSG_OK; /* an optional column the file leaves out */
    const char *s = store_imp_trim_cell(im, c);
    *null = !*s;
    if (*null) return TSG_OK;
    char iso[11];
    if (!util_date_parse(s, iso))
        return FAILC(im, c, _("%s '%s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"), im->spec->cols[c], s);
    snprintf(out, 40, "%s", iso);
    return TSG_OK;
}

/* ---- files ------------------------------------------------------------------ */

void store_imp_close_file(imp_t *im)
{
    store_csv_free(&im->csv);
    free(im->text);
    im->text = NULL;
}

tsg_status_t store_imp_open_file(imp_t *im, const spec_t *spec, int *present)
{
    store_imp_close_file(im);
    im->spec = spec;
    snprintf(im->label, sizeof im->label, "%s/%s", im->src->label, spec->file);
    char *raw = NULL;
    size_t rawlen = 0, len = 0;
    int found = 0;
    tsg_status_t s = im->src->read(im->src, spec->file, &raw, &rawlen, &found, im->err);
    if (s) return s;
    if (!found) {
        if (present) {
            *present = 0;
            return TSG_OK;
        }
        return util_fail(im->err, TSG_EINPUT, _("%s: missing file (every folder needs %s)"), im->label, spec->file);
    }
    if (present) *present = 1;
    s = store_decode(im->label, raw, rawlen, im->enc, &im->text, &len, im->err);
    free(raw);
    if (s) return s;
    store_csv_init(&im->csv, im->label, im->text, len);

    int have;
    if ((s = store_csv_next(&im->csv, &have, im->err))) return s;
    size_t ncols = 0;
    while (spec->cols[ncols]) ncols++;
    if (!have) return store_imp_fail_at(im, 1, 1, _("the file is empty; its first row must be the header"));
    for (size_t c = 0; c < ncols; c++) im->map[c] = -1;
    for (size_t f = 0; f < im->csv.n; f++) {
        char *name = im->csv.field[f];
        size_t skip, n;
        while ((skip = blank(name))) name += skip, im->csv.fcol[f]++;
        for (n = strlen(name); n && (name[n - 1] == ' ' || name[n - 1] == '\t'); n--) name[n - 1] = '\0';
        size_t c = 0;
        while (c < ncols && strcmp(spec->cols[c], name)) c++;
        if (c == ncols && store_personal_column(name))
            return store_imp_fail_at(im, im->csv.fline[f], im->csv.fcol[f],
                                     _("column '%s' would hold personal data about individuals; tsunagi keeps organisations, "
                                       "programs and their ties, never the people they serve (docs/reliability.md, Privacy)"),
                                     name);
        if (c == ncols) {
            const char *best = NULL;
            size_t best_d = (size_t)-1;
            for (size_t k = 0; k < ncols; k++) {
                size_t d = util_edit_distance(name, spec->cols[k]);
                if (d < best_d) { best_d = d; best = spec->cols[k]; }
            }
            size_t nlen = chars(name, strlen(name));
            if (best_d <= 3 && best_d < nlen)
                return store_imp_fail_at(im, im->csv.fline[f], im->csv.fcol[f], _("unknown column '%s' (did you mean %s?)"), name, best);
            return store_imp_fail_at(im, im->csv.fline[f], im->csv.fcol[f], _("unknown column '%s'"), name);
        }
        if (im->map[c] >= 0)
            return store_imp_fail_at(im, im->csv.fline[f], im->csv.fcol[f], _("column '%s' appears twice"), name);
        im->map[c] = (int)f;
    }
    for (size_t c = 0; c < ncols; c++)
        if (im->map[c] < 0 && (!spec->required || (int)c < spec->required))
            return store_imp_fail_at(im, im->csv.rec_line, 1, _("missing column '%s'"), spec->cols[c]);
    im->header_n = im->csv.n;
    return TSG_OK;
}

static const char *fields_msg(size_t n)
{
    return dngettext(TSG_TEXTDOMAIN, "this row has %zu field but the header has %zu",
                     "this row has %zu fields but the header has %zu", n);
}

/* Next data row with exactly the header's number of fields; rows whose cells
 * are all empty (Excel leaves them behind) carry nothing and are passed over. */
tsg_status_t store_imp_next_row(imp_t *im, int *have)
{
    for (;;) {
        tsg_status_t s = store_csv_next(&im->csv, have, im->err);
        if (s || !*have) return s;
        store_csv_t *c = &im->csv;
        if (c->n > im->header_n)
            return store_imp_fail_at(im, c->fline[im->header_n], c->fcol[im->header_n],
                                     fields_msg(c->n), c->n, im->header_n);
        if (c->n < im->header_n) {
            size_t last = c->n - 1;
            return store_imp_fail_at(im, c->fline[last], c->fcol[last] + (long)chars(c->field[last], strlen(c->field[last])),
                                     fields_msg(c->n), c->n, im->header_n);
        }
        int empty = 1;
        for (size_t f = 0; f < c->n && empty; f++) empty = c->field[f][0] == '\0';
        if (!empty) return TSG_OK;
    }
}
