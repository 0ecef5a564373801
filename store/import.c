/*
 * import — the CSV folder into the database, in one transaction. See
 * interchange.h for the contract and docs/data-format.md for every rule and
 * message. Files are read in dependency order (vocabulary, districts,
 * organisations, programs, forums, ties), so every reference points to a file
 * already read or to the file itself (district parents).
 */
#include "interchange.h"
#include "csv.h"
#include "idmap.h"
#include "store.h"
#include "textenc.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"
#include "vocab.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { T_DISTRICT = 1, T_ORGANISATION, T_PROGRAM, T_FORUM };
static const char *const type_name[] = {"", "district", "organisation", "program", "forum"};

#define MAX_COLS 14
#define MAX_ITEMS 256

typedef struct spec {
    const char *file;
    const char *cols[MAX_COLS + 1];
    int required; /* the first `required` columns must be there; 0: all of them */
} spec_t;

static const spec_t vocab_spec = {"vocabulary.csv", {"kind", "key", "label_ja", "aliases"}, 0};
static const spec_t needs_spec = {"default_needs.csv", {"target", "needs"}, 0};
static const spec_t district_spec = {"districts.csv", {"id", "name", "level", "parent_id"}, 0};
static const spec_t org_spec = {"organisations.csv", {"id", "name", "sector", "district_id"}, 0};
static const spec_t program_spec = {"programs.csv",
                                    {"id", "name", "org_id", "targets", "age_min", "age_max", "needs",
                                     "modes", "approach", "area", "in_system", "hours", "start", "end"},
                                    12};
static const spec_t forum_spec = {"forums.csv", {"id", "name", "kind", "district_id"}, 0};
static const spec_t tie_spec = {"ties.csv", {"from_id", "to_id", "kind", "count", "since"}, 0};

/* What a vocabulary kind is called in a message. */
static const char *kind_noun(const char *kind)
{
    static const char *const names[][2] = {
        {"target", "target group"}, {"tie_kind", "tie kind"}, {"forum_kind", "forum kind"},
        {"in_system", "in_system value"}, {"level", "district level"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(kind, names[i][0])) return names[i][1];
    return kind;
}

typedef struct drow {
    int64_t nid;
    char *id, *name, *parent;
    const char *level;
    long line, pcol, lcol;
    size_t up; /* index of the parent row, or SIZE_MAX */
    int color;
} drow_t;

typedef struct imp {
    sqlite3 *sql;
    const store_source_t *src;
    tsg_encoding_t enc;
    tsg_error_t *err;
    store_vocab_t vocab;
    store_idmap_t ids, ties;
    tsg_import_counts_t counts;
    char label[1024];
    char *text;
    store_csv_t csv;
    const spec_t *spec;
    int map[MAX_COLS];   /* spec column -> field index in the record */
    size_t header_n;
    char *items[MAX_ITEMS];
    long item_col[MAX_ITEMS];
    size_t nitems;
    sqlite3_stmt *st[16];
} imp_t;

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

enum { S_NODE, S_DISTRICT, S_ORG, S_PROGRAM, S_TARGET, S_NEED, S_MODE, S_AREA, S_FORUM, S_TIE, S_VOCAB,
       S_ALIAS, S_COUNT };

static const char *const stmt_sql[S_COUNT] = {
    "INSERT INTO node(id, type) VALUES (?1, ?2)",
    "INSERT INTO district(nid, name, level, parent) VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO organisation(nid, name, sector, district) VALUES (?1, ?2, ?3, ?4)",
    ("INSERT INTO program(nid, name, org, age_min, age_max, approach, wide_area, in_system, hours, starts, ends)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"), /* one string (clang asks) */
    "INSERT INTO program_target(program, pos, target) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_need(program, pos, need) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_mode(program, pos, mode) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_area(program, pos, district) VALUES (?1, ?2, ?3)",
    "INSERT INTO forum(nid, name, kind, district) VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO tie(src, dst, kind, directed, count, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO vocab(kind, key, label_ja, builtin) VALUES (?1, ?2, ?3, 0)",
    "INSERT INTO vocab_alias(kind, alias, key) VALUES (?1, ?2, ?3)",
};

/* ---- errors ---------------------------------------------------------------- */

static tsg_status_t fail_at(imp_t *im, long line, long col, const char *fmt, ...) UTIL_PRINTF(4, 5);
static tsg_status_t fail_at(imp_t *im, long line, long col, const char *fmt, ...)
{
    char msg[800];
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return util_fail(im->err, TSG_EINPUT, "%s:%ld:%ld: %s", im->label, line, col, msg);
}

#define FIELD_LINE(im, c) ((im)->csv.fline[(im)->map[c]])
#define FIELD_COL(im, c) ((im)->csv.fcol[(im)->map[c]])
#define FAILC(im, c, ...) fail_at((im), FIELD_LINE(im, c), FIELD_COL(im, c), __VA_ARGS__)

static tsg_status_t nomem(imp_t *im) { return util_fail(im->err, TSG_ENOMEM, "%s: out of memory", im->label); }

/* Runs an INSERT and clears its parameters. Text is bound SQLITE_STATIC:
 * the cells live until this step, and a copy (SQLITE_TRANSIENT) that fails
 * for memory leaves the parameter NULL without a word, which the INSERT
 * would then store (found by tests/reliability/failalloc.c). */
static tsg_status_t step(imp_t *im, int which)
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
        return store_fail_sql(im->sql, "import", im->err);
    return store_fail_sql(im->sql, im->label, im->err);
}

/* ---- cells ----------------------------------------------------------------- */

static const char *cell(imp_t *im, int c) { return im->csv.field[im->map[c]]; }

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
static char *trim_cell(imp_t *im, int c)
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
static tsg_status_t split(imp_t *im, int c, const char *what)
{
    char *s = trim_cell(im, c);
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
            return fail_at(im, FIELD_LINE(im, c), col, "empty item in the %s list (two ';' in a row, or one at an end)", what);
        if (im->nitems == MAX_ITEMS)
            return fail_at(im, FIELD_LINE(im, c), col, "more than %d items in one %s list", MAX_ITEMS, what);
        for (size_t i = 0; i < im->nitems; i++)
            if (!strcmp(im->items[i], item))
                return fail_at(im, FIELD_LINE(im, c), col, "'%s' is listed twice in %s", item, what);
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

static tsg_status_t resolve_at(imp_t *im, const char *kind, const char *text, long line, long col,
                               const char **key)
{
    const char *hint;
    *key = store_vocab_resolve(&im->vocab, kind, text, &hint);
    if (*key) return TSG_OK;
    if (hint) return fail_at(im, line, col, "unknown %s '%s' (did you mean %s?)", kind_noun(kind), text, hint);
    char keys[400];
    known_keys(&im->vocab, kind, keys, sizeof keys);
    if (keys[0]) return fail_at(im, line, col, "unknown %s '%s' (one of: %s)", kind_noun(kind), text, keys);
    return fail_at(im, line, col, "unknown %s '%s' (see docs/data-format.md for the keys)", kind_noun(kind), text);
}

/* A key cell; empty is allowed only when `optional`, giving *key = NULL. */
static tsg_status_t key_cell(imp_t *im, int c, const char *kind, int optional, const char **key)
{
    const char *s = trim_cell(im, c);
    *key = NULL;
    if (!*s) return optional ? TSG_OK : FAILC(im, c, "%s is empty", im->spec->cols[c]);
    return resolve_at(im, kind, s, FIELD_LINE(im, c), FIELD_COL(im, c), key);
}

static tsg_status_t name_cell(imp_t *im, int c, const char **name)
{
    *name = cell(im, c);
    const char *s = *name;
    size_t k;
    while ((k = blank(s))) s += k;
    if (!*s) return FAILC(im, c, "%s is empty", im->spec->cols[c]);
    /* The language reads no longer name, and no name holds a control
     * character but tab and line breaks (docs/reliability.md). */
    size_t n = strlen(*name);
    if (n > STORE_MAX_NAME) return FAILC(im, c, "%s is longer than %u bytes", im->spec->cols[c], STORE_MAX_NAME);
    int32_t cp;
    if (util_find_hidden(*name, n, &cp, NULL) >= 0)
        return FAILC(im, c, "%s holds the %s U+%04X", im->spec->cols[c], util_hidden_kind(cp), (unsigned)cp);
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

static const char *article(int type) { return type == T_ORGANISATION ? "an" : "a"; }

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

/* Looks up a referenced id that must have one of the types in `mask`
 * (bit 1 << type); `note`, if any, explains the rule when the type is wrong. */
static tsg_status_t ref_at(imp_t *im, const char *id, unsigned mask, const char *what, const char *note,
                           long line, long col, const store_id_t **out)
{
    const store_id_t *e = store_idmap_get(&im->ids, id);
    if (!e) {
        int type = 0;
        for (int t = T_DISTRICT; t <= T_FORUM; t++)
            if (mask == (1u << t)) type = t;
        char named[256];
        ids_named(im, id, mask, named, sizeof named);
        if (*named) return fail_at(im, line, col, _("unknown %s id '%s' (did you mean %s?)"), what, id, named);
        const char *hint = closest_id(im, id, type);
        if (hint) return fail_at(im, line, col, "unknown %s '%s' (did you mean %s?)", what, id, hint);
        return fail_at(im, line, col, "unknown %s '%s' (no such id)", what, id);
    }
    if (!(mask & (1u << e->type)))
        return fail_at(im, line, col, "'%s' is %s %s (%s:%ld), not %s %s%s%s", id, article(e->type),
                       type_name[e->type], e->where, e->line, strncmp(what, "org", 3) ? "a" : "an", what,
                       note && e->type != T_DISTRICT ? "; " : "", note && e->type != T_DISTRICT ? note : "");
    *out = e;
    return TSG_OK;
}

static tsg_status_t new_id(imp_t *im, int c, int type, int64_t *nid, size_t aux)
{
    const char *id = trim_cell(im, c);
    if (!*id) return FAILC(im, c, "id is empty");
    if (strchr(id, ';') || strstr(id, "\xEF\xBC\x9B") || !strcmp(id, "*"))
        return FAILC(im, c, "id '%s' may not contain ';' or be '*' (they separate lists and mean wide-area)", id);
    int32_t cp;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p < 0x20) return FAILC(im, c, "id contains the control character U+%04X", (unsigned)*p);
    if (util_find_hidden(id, strlen(id), &cp, NULL) >= 0)
        return FAILC(im, c, "id contains the %s U+%04X", util_hidden_kind(cp), (unsigned)cp);
    const store_id_t *old;
    store_id_t val = {NULL, 0, type, im->spec->file, im->csv.rec_line, aux};
    int rc = store_idmap_put(&im->ids, id, val, &old);
    if (rc < 0) return nomem(im);
    if (rc > 0) return FAILC(im, c, "duplicate id '%s' (already used by %s %s at %s:%ld)", id, article(old->type),
                             type_name[old->type], old->where, old->line);
    sqlite3_bind_text(im->st[S_NODE], 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(im->st[S_NODE], 2, type_name[type], -1, SQLITE_STATIC);
    tsg_status_t s = step(im, S_NODE);
    if (s) return s;
    *nid = sqlite3_last_insert_rowid(im->sql);
    ((store_id_t *)store_idmap_get(&im->ids, id))->nid = *nid;
    return TSG_OK;
}

/* An optional whole number in [lo, hi]; full-width digits (０-９) are
 * accepted, other digit-like characters (①, ¹) are not. */
static tsg_status_t int_cell(imp_t *im, int c, long lo, long hi, const char *unit, int *null, long *val)
{
    const char *s = trim_cell(im, c);
    *null = !*s;
    if (*null) return TSG_OK;
    long v = 0;
    int r = util_parse_whole(s, hi, &v);
    if (r == -1) return FAILC(im, c, "%s '%s' is not a whole number%s", im->spec->cols[c], s, unit);
    if (r == -2 || v < lo)
        return FAILC(im, c, "%s %s is out of range (%ld to %ld)", im->spec->cols[c], s, lo, hi);
    *val = v;
    return TSG_OK;
}

/* YYYY, YYYY-MM or YYYY-MM-DD; Excel's YYYY/M/D is accepted and written in
 * ISO form. *out is NULL for an empty cell. */
static tsg_status_t date_cell(imp_t *im, int c, char *out, int *null)
{
    *null = 1;
    if (im->map[c] < 0) return TSG_OK; /* an optional column the file leaves out */
    const char *s = trim_cell(im, c);
    *null = !*s;
    if (*null) return TSG_OK;
    char iso[11];
    if (!util_date_parse(s, iso))
        return FAILC(im, c, "%s '%s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", im->spec->cols[c], s);
    snprintf(out, 40, "%s", iso);
    return TSG_OK;
}

/* ---- files ------------------------------------------------------------------ */

static void close_file(imp_t *im)
{
    store_csv_free(&im->csv);
    free(im->text);
    im->text = NULL;
}

static tsg_status_t open_file(imp_t *im, const spec_t *spec, int *present)
{
    close_file(im);
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
        return util_fail(im->err, TSG_EINPUT, "%s: missing file (every folder needs %s)", im->label, spec->file);
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
    if (!have) return fail_at(im, 1, 1, "the file is empty; its first row must be the header");
    for (size_t c = 0; c < ncols; c++) im->map[c] = -1;
    for (size_t f = 0; f < im->csv.n; f++) {
        char *name = im->csv.field[f];
        size_t skip, n;
        while ((skip = blank(name))) name += skip, im->csv.fcol[f]++;
        for (n = strlen(name); n && (name[n - 1] == ' ' || name[n - 1] == '\t'); n--) name[n - 1] = '\0';
        size_t c = 0;
        while (c < ncols && strcmp(spec->cols[c], name)) c++;
        if (c == ncols && store_personal_column(name))
            return fail_at(im, im->csv.fline[f], im->csv.fcol[f],
                           "column '%s' would hold personal data about individuals; tsunagi keeps organisations, "
                           "programs and their ties, never the people they serve (docs/reliability.md, Privacy)",
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
                return fail_at(im, im->csv.fline[f], im->csv.fcol[f], "unknown column '%s' (did you mean %s?)", name, best);
            return fail_at(im, im->csv.fline[f], im->csv.fcol[f], "unknown column '%s'", name);
        }
        if (im->map[c] >= 0)
            return fail_at(im, im->csv.fline[f], im->csv.fcol[f], "column '%s' appears twice", name);
        im->map[c] = (int)f;
    }
    for (size_t c = 0; c < ncols; c++)
        if (im->map[c] < 0 && (!spec->required || (int)c < spec->required))
            return fail_at(im, im->csv.rec_line, 1, "missing column '%s'", spec->cols[c]);
    im->header_n = im->csv.n;
    return TSG_OK;
}

/* Next data row with exactly the header's number of fields; rows whose cells
 * are all empty (Excel leaves them behind) carry nothing and are passed over. */
static tsg_status_t next_row(imp_t *im, int *have)
{
    for (;;) {
        tsg_status_t s = store_csv_next(&im->csv, have, im->err);
        if (s || !*have) return s;
        store_csv_t *c = &im->csv;
        if (c->n > im->header_n)
            return fail_at(im, c->fline[im->header_n], c->fcol[im->header_n],
                           "this row has %zu fields but the header has %zu", c->n, im->header_n);
        if (c->n < im->header_n) {
            size_t last = c->n - 1;
            return fail_at(im, c->fline[last], c->fcol[last] + (long)chars(c->field[last], strlen(c->field[last])),
                           "this row has %zu field%s but the header has %zu", c->n, c->n == 1 ? "" : "s",
                           im->header_n);
        }
        int empty = 1;
        for (size_t f = 0; f < c->n && empty; f++) empty = c->field[f][0] == '\0';
        if (!empty) return TSG_OK;
    }
}

/* ---- tables ----------------------------------------------------------------- */

static tsg_status_t read_vocabulary(imp_t *im)
{
    int present;
    tsg_status_t s = open_file(im, &vocab_spec, &present);
    if (s || !present) return s;
    store_vocab_t v;
    if ((s = store_vocab_load(im->sql, &v, im->err))) return s;
    int have;
    while (!(s = next_row(im, &have)) && have) {
        const char *kind = trim_cell(im, 0), *key = trim_cell(im, 1), *label;
        int k = 0;
        while (store_vocab_kinds[k] && strcmp(store_vocab_kinds[k], kind)) k++;
        if (!store_vocab_kinds[k]) { s = FAILC(im, 0, "unknown vocabulary kind '%s' (one of: sector, target, need, mode, forum_kind)", kind); break; }
        if (store_vocab_kind_closed(kind)) { s = FAILC(im, 0, "the %s vocabulary is fixed; keys cannot be added to it", kind); break; }
        int ok = (*key >= 'a' && *key <= 'z');
        for (const char *p = key; *p && ok; p++) ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok) { s = FAILC(im, 1, "key '%s' must be lower-case ASCII letters, digits and '_', starting with a letter", key); break; }
        trim_cell(im, 2);
        if ((s = name_cell(im, 2, &label))) break;
        const char *hint, *clash = store_vocab_resolve(&v, kind, key, &hint);
        if (!clash) clash = store_vocab_resolve(&v, kind, label, &hint);
        if (clash) { s = FAILC(im, 1, "%s '%s' or its label is already in the vocabulary (as %s)", kind_noun(kind), key, clash); break; }
        sqlite3_bind_text(im->st[S_VOCAB], 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->st[S_VOCAB], 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->st[S_VOCAB], 3, label, -1, SQLITE_STATIC);
        if ((s = step(im, S_VOCAB))) break;
        if ((s = split(im, 3, "aliases"))) break;
        for (size_t i = 0; i < im->nitems && !s; i++) {
            if (store_vocab_resolve(&v, kind, im->items[i], &hint)) {
                s = fail_at(im, FIELD_LINE(im, 3), im->item_col[i], "alias '%s' already names a %s", im->items[i], kind_noun(kind));
                break;
            }
            sqlite3_bind_text(im->st[S_ALIAS], 1, kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(im->st[S_ALIAS], 2, im->items[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(im->st[S_ALIAS], 3, key, -1, SQLITE_STATIC);
            int rc = sqlite3_step(im->st[S_ALIAS]);
            sqlite3_clear_bindings(im->st[S_ALIAS]);
            if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT) {
                s = store_fail_sql(im->sql, im->label, im->err);
                sqlite3_reset(im->st[S_ALIAS]);
                break;
            }
            if (rc != SQLITE_DONE) {
                sqlite3_reset(im->st[S_ALIAS]);
                s = fail_at(im, FIELD_LINE(im, 3), im->item_col[i], "alias '%s' is used twice", im->items[i]);
                break;
            }
            sqlite3_reset(im->st[S_ALIAS]);
        }
        if (s) break;
        /* Later rows must see this one, for clashes between new entries. */
        store_vocab_free(&v);
        if ((s = store_vocab_load(im->sql, &v, im->err))) return s;
        im->counts.vocabulary++;
    }
    store_vocab_free(&v);
    return s;
}

/* default_needs.csv: the needs GAPS checks for a group when a statement
 * names none. The built-in table applies first; each row replaces one
 * group's list (an empty list: the group has no defaults). */
static tsg_status_t read_default_needs(imp_t *im)
{
    tsg_status_t s = store_default_needs_seed(im->sql, im->err);
    int present;
    if (s || (s = open_file(im, &needs_spec, &present)) || !present) return s;
    sqlite3_stmt *del = NULL, *ins = NULL;
    if ((s = store_prepare(im->sql, "DELETE FROM default_need WHERE target = ?1", &del, im->err)) ||
        (s = store_prepare(im->sql, "INSERT INTO default_need(target, pos, need) VALUES (?1, ?2, ?3)", &ins, im->err)))
        goto out;
    int have;
    while (!(s = next_row(im, &have)) && have) {
        const char *target;
        if ((s = key_cell(im, 0, "target", 0, &target)) || (s = split(im, 1, "needs"))) break;
        sqlite3_bind_text(del, 1, target, -1, SQLITE_STATIC);
        sqlite3_step(del);
        sqlite3_reset(del);
        for (size_t i = 0; i < im->nitems && !s; i++) {
            const char *need;
            if ((s = resolve_at(im, "need", im->items[i], FIELD_LINE(im, 1), im->item_col[i], &need))) break;
            sqlite3_bind_text(ins, 1, target, -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 2, (int)i);
            sqlite3_bind_text(ins, 3, need, -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                sqlite3_reset(ins);
                s = fail_at(im, FIELD_LINE(im, 1), im->item_col[i], "need '%s' is listed twice", need);
                break;
            }
            sqlite3_reset(ins);
        }
        if (s) break;
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return s;
}

static const char *const level_order[] = {"prefecture", "municipality", "ward", "school_district", "neighbourhood"};

static int level_rank(const char *level)
{
    for (int i = 0; i < 5; i++)
        if (!strcmp(level_order[i], level)) return i;
    return -1;
}

static void drows_free(drow_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].id);
        free(rows[i].name);
        free(rows[i].parent);
    }
    free(rows);
}

/* Follows parent links from every row; a link back into the current walk is
 * a cycle, reported at the row of the cycle that comes first in the file. */
static tsg_status_t check_cycles(imp_t *im, drow_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j != SIZE_MAX && rows[j].color == 0) {
            rows[j].color = 1;
            j = rows[j].up;
        }
        if (j != SIZE_MAX && rows[j].color == 1) {
            size_t first = j;
            for (size_t k = rows[j].up; k != j; k = rows[k].up)
                if (rows[k].line < rows[first].line) first = k;
            util_buf_t chain = {0};
            size_t k = first;
            do {
                util_buf_printf(&chain, "%s → ", rows[k].id);
                k = rows[k].up;
            } while (k != first);
            util_buf_adds(&chain, rows[first].id);
            tsg_status_t s = chain.data ? fail_at(im, rows[first].line, rows[first].pcol,
                                                  "the district tree has a cycle: %s", chain.data)
                                        : nomem(im);
            util_buf_free(&chain);
            return s;
        }
        for (j = i; j != SIZE_MAX && rows[j].color == 1; j = rows[j].up) rows[j].color = 2;
    }
    return TSG_OK;
}

static tsg_status_t read_districts(imp_t *im)
{
    tsg_status_t s = open_file(im, &district_spec, NULL);
    if (s) return s;
    drow_t *rows = NULL;
    size_t n = 0, cap = 0;
    int have;
    while (!(s = next_row(im, &have)) && have) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            drow_t *r = realloc(rows, cap * sizeof *r);
            if (!r) { s = nomem(im); break; }
            rows = r;
        }
        drow_t *r = &rows[n];
        memset(r, 0, sizeof *r);
        const char *name;
        if ((s = new_id(im, 0, T_DISTRICT, &r->nid, n)) || (s = name_cell(im, 1, &name)) ||
            (s = key_cell(im, 2, "level", 0, &r->level)))
            break;
        n++;
        r->id = util_strdup(cell(im, 0));
        r->name = util_strdup(name);
        r->parent = util_strdup(trim_cell(im, 3));
        r->line = im->csv.rec_line;
        r->pcol = FIELD_COL(im, 3);
        r->lcol = FIELD_COL(im, 2);
        r->up = SIZE_MAX;
        if (!r->id || !r->name || !r->parent) { s = nomem(im); break; }
    }
    for (size_t i = 0; i < n && !s; i++) {
        if (!*rows[i].parent) continue;
        /* The districts are stored after this loop, so ids_named cannot
         * see them: a parent written by its name is looked up here. */
        for (size_t j = 0; j < n && !store_idmap_get(&im->ids, rows[i].parent); j++)
            if (!strcmp(rows[j].name, rows[i].parent)) {
                s = fail_at(im, rows[i].line, rows[i].pcol, _("unknown %s id '%s' (did you mean %s?)"),
                            "parent district", rows[i].parent, rows[j].id);
                break;
            }
        if (s) break;
        const store_id_t *e;
        if ((s = ref_at(im, rows[i].parent, 1u << T_DISTRICT, "parent district", NULL, rows[i].line, rows[i].pcol, &e))) break;
        rows[i].up = e->aux;
    }
    if (!s) s = check_cycles(im, rows, n);
    for (size_t i = 0; i < n && !s; i++) {
        drow_t *r = &rows[i];
        if (r->up != SIZE_MAX && level_rank(r->level) <= level_rank(rows[r->up].level)) {
            s = fail_at(im, r->line, r->lcol, "a %s cannot sit under a %s ('%s' is a %s)", r->level,
                        rows[r->up].level, rows[r->up].id, rows[r->up].level);
            break;
        }
        sqlite3_stmt *st = im->st[S_DISTRICT];
        sqlite3_bind_int64(st, 1, r->nid);
        sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->level, -1, SQLITE_STATIC);
        if (r->up != SIZE_MAX) sqlite3_bind_int64(st, 4, rows[r->up].nid);
        s = step(im, S_DISTRICT);
        im->counts.districts++;
    }
    drows_free(rows, n);
    return s;
}

static tsg_status_t optional_district(imp_t *im, int c, sqlite3_stmt *st, int param)
{
    const char *id = trim_cell(im, c);
    if (!*id) return TSG_OK;
    const store_id_t *e;
    tsg_status_t s = ref_at(im, id, 1u << T_DISTRICT, "district", NULL, FIELD_LINE(im, c), FIELD_COL(im, c), &e);
    if (!s) sqlite3_bind_int64(st, param, e->nid);
    return s;
}

static tsg_status_t read_organisations(imp_t *im)
{
    tsg_status_t s = open_file(im, &org_spec, NULL);
    int have;
    while (!s && !(s = next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *sector;
        sqlite3_stmt *st = im->st[S_ORG];
        if ((s = new_id(im, 0, T_ORGANISATION, &nid, 0)) || (s = name_cell(im, 1, &name)) ||
            (s = key_cell(im, 2, "sector", 0, &sector)) || (s = optional_district(im, 3, st, 4)))
            break;
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sector, -1, SQLITE_STATIC);
        if ((s = step(im, S_ORG))) break;
        im->counts.organisations++;
    }
    return s;
}

/* Writes the items of a key list cell into one of the program_* tables. */
static tsg_status_t key_list(imp_t *im, int c, const char *kind, int required, int which, int64_t nid)
{
    tsg_status_t s = split(im, c, im->spec->cols[c]);
    if (s) return s;
    if (required && !im->nitems) return FAILC(im, c, "%s is empty (list at least one)", im->spec->cols[c]);
    const char *keys[MAX_ITEMS];
    for (size_t i = 0; i < im->nitems; i++) {
        if ((s = resolve_at(im, kind, im->items[i], FIELD_LINE(im, c), im->item_col[i], &keys[i]))) return s;
        for (size_t j = 0; j < i; j++)
            if (keys[j] == keys[i])
                return fail_at(im, FIELD_LINE(im, c), im->item_col[i], "%s '%s' is listed twice", kind_noun(kind), keys[i]);
    }
    for (size_t i = 0; i < im->nitems; i++) {
        sqlite3_stmt *st = im->st[which];
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, keys[i], -1, SQLITE_STATIC);
        if ((s = step(im, which))) return s;
    }
    return TSG_OK;
}

static tsg_status_t program_area(imp_t *im, int c, int64_t nid, int *wide)
{
    tsg_status_t s = split(im, c, "area");
    if (s) return s;
    *wide = 0;
    if (!im->nitems) return FAILC(im, c, "area is empty (list the district ids served, or * for wide-area)");
    if (im->nitems == 1 && !strcmp(im->items[0], "*")) {
        *wide = 1;
        return TSG_OK;
    }
    for (size_t i = 0; i < im->nitems; i++) {
        if (!strcmp(im->items[i], "*"))
            return fail_at(im, FIELD_LINE(im, c), im->item_col[i], "* (wide-area) stands alone; do not list districts with it");
        const store_id_t *e;
        if ((s = ref_at(im, im->items[i], 1u << T_DISTRICT, "district", NULL, FIELD_LINE(im, c), im->item_col[i], &e))) return s;
        sqlite3_stmt *st = im->st[S_AREA];
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 3, e->nid);
        if ((s = step(im, S_AREA))) return s;
    }
    return TSG_OK;
}

static tsg_status_t read_programs(imp_t *im)
{
    enum { ID, NAME, ORG, TARGETS, AGE_MIN, AGE_MAX, NEEDS, MODES, APPROACH, AREA, IN_SYSTEM, HOURS, START, END };
    tsg_status_t s = open_file(im, &program_spec, NULL);
    int have;
    while (!s && !(s = next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *approach, *in_system;
        const store_id_t *org;
        int min_null, max_null, wide;
        long age_min = 0, age_max = 0;
        if ((s = new_id(im, ID, T_PROGRAM, &nid, 0)) || (s = name_cell(im, NAME, &name))) break;
        const char *org_id = trim_cell(im, ORG);
        if (!*org_id) { s = FAILC(im, ORG, "org_id is empty (every program belongs to an organisation)"); break; }
        if ((s = ref_at(im, org_id, 1u << T_ORGANISATION, "organisation", NULL, FIELD_LINE(im, ORG), FIELD_COL(im, ORG), &org)) ||
            (s = int_cell(im, AGE_MIN, 0, UTIL_MAX_AGE, " of years", &min_null, &age_min)) ||
            (s = int_cell(im, AGE_MAX, 0, UTIL_MAX_AGE, " of years", &max_null, &age_max)))
            break;
        if (!min_null && !max_null && age_min > age_max) {
            s = FAILC(im, AGE_MIN, "age_min %ld is greater than age_max %ld", age_min, age_max);
            break;
        }
        char start[40], end[40];
        int start_null, end_null;
        if ((s = key_cell(im, APPROACH, "approach", 1, &approach)) ||
            (s = key_cell(im, IN_SYSTEM, "in_system", 1, &in_system)) ||
            (s = date_cell(im, START, start, &start_null)) || (s = date_cell(im, END, end, &end_null)))
            break;
        if (!start_null && !end_null && util_date_first(start) > util_date_last(end)) {
            s = FAILC(im, START, "start %s is after end %s", start, end);
            break;
        }
        /* The program row goes in before its lists, which reference it. */
        sqlite3_stmt *st = im->st[S_PROGRAM];
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, org->nid);
        if (!min_null) sqlite3_bind_int64(st, 4, age_min);
        if (!max_null) sqlite3_bind_int64(st, 5, age_max);
        if (approach) sqlite3_bind_text(st, 6, approach, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, 0);
        if (in_system) sqlite3_bind_text(st, 8, in_system, -1, SQLITE_STATIC);
        if (cell(im, HOURS)[0]) sqlite3_bind_text(st, 9, cell(im, HOURS), -1, SQLITE_STATIC);
        if (!start_null) sqlite3_bind_text(st, 10, start, -1, SQLITE_STATIC);
        if (!end_null) sqlite3_bind_text(st, 11, end, -1, SQLITE_STATIC);
        if ((s = step(im, S_PROGRAM))) break;
        if ((s = key_list(im, TARGETS, "target", 1, S_TARGET, nid)) ||
            (s = key_list(im, NEEDS, "need", 1, S_NEED, nid)) ||
            (s = key_list(im, MODES, "mode", 0, S_MODE, nid)) || (s = program_area(im, AREA, nid, &wide)))
            break;
        if (wide) {
            char *upd = sqlite3_mprintf("UPDATE program SET wide_area = 1 WHERE nid = %lld", (long long)nid);
            s = upd ? store_exec(im->sql, upd, im->label, im->err) : nomem(im);
            sqlite3_free(upd);
            if (s) break;
        }
        im->counts.programs++;
    }
    return s;
}

static tsg_status_t read_forums(imp_t *im)
{
    tsg_status_t s = open_file(im, &forum_spec, NULL);
    int have;
    while (!s && !(s = next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *kind;
        sqlite3_stmt *st = im->st[S_FORUM];
        if ((s = new_id(im, 0, T_FORUM, &nid, 0)) || (s = name_cell(im, 1, &name)) ||
            (s = key_cell(im, 2, "forum_kind", 0, &kind)) || (s = optional_district(im, 3, st, 4)))
            break;
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        if ((s = step(im, S_FORUM))) break;
        im->counts.forums++;
    }
    return s;
}

static tsg_status_t tie_end(imp_t *im, int c, const char *kind, const store_id_t **e)
{
    const char *id = trim_cell(im, c);
    if (!*id) return FAILC(im, c, "%s is empty", im->spec->cols[c]);
    if (!strcmp(kind, "membership"))
        return ref_at(im, id, c == 0 ? 1u << T_ORGANISATION : 1u << T_FORUM, c == 0 ? "organisation" : "forum",
                      "a membership goes from an organisation to a forum", FIELD_LINE(im, c), FIELD_COL(im, c), e);
    return ref_at(im, id, (1u << T_ORGANISATION) | (1u << T_PROGRAM), "organisation or program",
                  "only membership ties reach forums", FIELD_LINE(im, c), FIELD_COL(im, c), e);
}

static tsg_status_t read_ties(imp_t *im)
{
    enum { FROM, TO, KIND, COUNT, SINCE };
    tsg_status_t s = open_file(im, &tie_spec, NULL);
    int have;
    while (!s && !(s = next_row(im, &have)) && have) {
        const char *kind;
        const store_id_t *a, *b;
        int count_null, since_null;
        long count = 0;
        char since[40];
        if ((s = key_cell(im, KIND, "tie_kind", 0, &kind)) || (s = tie_end(im, FROM, kind, &a)) ||
            (s = tie_end(im, TO, kind, &b)))
            break;
        if (a == b) { s = FAILC(im, TO, "a tie from '%s' to itself", a->key); break; }
        if ((s = int_cell(im, COUNT, 0, UTIL_MAX_COUNT, "", &count_null, &count)) ||
            (s = date_cell(im, SINCE, since, &since_null)))
            break;
        int directed = !strcmp(kind, "referral") || !strcmp(kind, "membership");
        /* One tie per pair and kind; an undirected tie is the same either way round. */
        char *key = util_printf("%s\x1f%s\x1f%s", a->key, b->key, kind);
        char *rev = util_printf("%s\x1f%s\x1f%s", b->key, a->key, kind);
        const store_id_t *old = NULL;
        int rc = -1;
        if (key && rev) {
            old = directed ? NULL : store_idmap_get(&im->ties, rev);
            rc = old ? 1 : store_idmap_put(&im->ties, key, (store_id_t){NULL, 0, 0, im->spec->file, im->csv.rec_line, 0}, &old);
        }
        free(key);
        free(rev);
        if (rc < 0) { s = nomem(im); break; }
        if (rc > 0) { s = FAILC(im, FROM, "duplicate %s tie between '%s' and '%s' (already at line %ld)", kind, a->key, b->key, old->line); break; }
        sqlite3_stmt *st = im->st[S_TIE];
        sqlite3_bind_int64(st, 1, a->nid);
        sqlite3_bind_int64(st, 2, b->nid);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, directed);
        if (!count_null) sqlite3_bind_int64(st, 5, count);
        if (!since_null) sqlite3_bind_text(st, 6, since, -1, SQLITE_STATIC);
        if ((s = step(im, S_TIE))) break;
        im->counts.ties++;
    }
    return s;
}

/* ---- the whole import ---------------------------------------------------------- */

static const char clear_sql[] =
    "DELETE FROM tie; DELETE FROM program_target; DELETE FROM program_need; DELETE FROM program_mode;"
    "DELETE FROM program_area; DELETE FROM program; DELETE FROM forum; DELETE FROM organisation;"
    "DELETE FROM district; DELETE FROM node; DELETE FROM vocab WHERE builtin = 0;";

tsg_status_t store_import(tsg_db_t *db, const store_source_t *src, tsg_encoding_t enc,
                          tsg_import_counts_t *counts, tsg_error_t *err)
{
    imp_t *im = calloc(1, sizeof *im);
    if (!im) return util_fail(err, TSG_ENOMEM, "out of memory");
    im->sql = db->sql;
    im->src = src;
    im->enc = enc;
    im->err = err;
    snprintf(im->label, sizeof im->label, "%s", src->label);
    tsg_status_t s = store_begin(db, err);
    if (s) {
        free(im);
        return s;
    }
    if ((s = store_exec(db->sql, "PRAGMA defer_foreign_keys = ON", "import", err)) ||
        (s = store_exec(db->sql, clear_sql, "import", err)))
        goto done;
    for (int i = 0; i < S_COUNT; i++)
        if ((s = store_prepare(db->sql, stmt_sql[i], &im->st[i], err))) goto done;
    if ((s = read_vocabulary(im)) || (s = store_vocab_load(db->sql, &im->vocab, err)) ||
        (s = read_default_needs(im)) || (s = read_districts(im)) ||
        (s = read_organisations(im)) || (s = read_programs(im)) || (s = read_forums(im)) || (s = read_ties(im)))
        goto done;
    close_file(im);
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(im->st[i]);
        im->st[i] = NULL;
    }
    s = store_commit(db, err);
done:
    if (s) store_rollback(db);
    for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(im->st[i]);
    close_file(im);
    store_vocab_free(&im->vocab);
    store_idmap_free(&im->ids);
    store_idmap_free(&im->ties);
    if (!s && counts) *counts = im->counts;
    free(im);
    return s;
}

/* ---- sources ------------------------------------------------------------------- */

static tsg_status_t dir_read(const store_source_t *src, const char *name, char **data, size_t *len, int *found,
                             tsg_error_t *err)
{
    char *path = util_printf("%s/%s", (const char *)src->ctx, name);
    if (!path) return util_fail(err, TSG_ENOMEM, "out of memory");
    struct stat sb;
    *found = stat(path, &sb) == 0;
    tsg_status_t s = TSG_OK;
    if (*found) s = util_read_file(path, data, len, err);
    else if (errno != ENOENT) s = util_fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
    free(path);
    return s;
}

tsg_status_t tsg_import_csv(tsg_db_t *db, const char *dir, tsg_encoding_t enc, tsg_import_counts_t *counts,
                            tsg_error_t *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return util_fail(err, TSG_EIO, "%s: not a folder (import reads a folder of CSV files)", dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char *label = util_strndup(dir, n);
    if (!label) return util_fail(err, TSG_ENOMEM, "out of memory");
    store_source_t src = {label, dir_read, label};
    tsg_status_t s = store_import(db, &src, enc, counts, err);
    free(label);
    return s;
}

tsg_status_t store_embedded_read(const store_source_t *src, const char *name, char **data, size_t *len,
                                 int *found, tsg_error_t *err)
{
    const store_embedded_t *f = src->ctx;
    for (; f->name; f++) {
        if (strcmp(f->name, name)) continue;
        *found = 1;
        *len = f->len;
        if (!(*data = util_strndup((const char *)f->data, f->len))) return util_fail(err, TSG_ENOMEM, "out of memory");
        return TSG_OK;
    }
    *found = 0;
    return TSG_OK;
}
