/*
 * import — the CSV folder into the database, in one transaction. See
 * interchange.h for the contract and docs/data-format.md for every rule and
 * message. Files are read in dependency order (vocabulary, districts,
 * organisations, programs, forums, ties, then history if the folder has it:
 * import_history.c), so every reference points to a file already read or to
 * the file itself (district parents). Here is what each
 * file's rows mean, checked against each other and written; a file's header,
 * rows and cells are read and checked by import_cells.c.
 */
#include "import_cells.h"
#include "interchange.h"
#include "store.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"
#include "vocab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const spec_t vocab_spec = {"vocabulary.csv", {"kind", "key", "label_ja", "aliases"}, 0};
static const spec_t needs_spec = {"default_needs.csv", {"target", "needs"}, 0};
static const spec_t district_spec = {"districts.csv", {"id", "name", "level", "parent_id"}, 0};
/* since, until and verified (issue 21) are optional: a folder written
 * before the history has none of them. */
static const spec_t org_spec = {"organisations.csv", {"id", "name", "sector", "district_id", "since", "until", "verified"}, 4};
static const spec_t program_spec = {"programs.csv",
                                    {"id", "name", "org_id", "targets", "age_min", "age_max", "needs",
                                     "modes", "approach", "area", "in_system", "hours", "start", "end", "until",
                                     "verified"},
                                    12};
static const spec_t forum_spec = {"forums.csv", {"id", "name", "kind", "district_id", "since", "until", "verified"}, 4};
static const spec_t tie_spec = {"ties.csv", {"from_id", "to_id", "kind", "count", "since", "until", "verified", "status"}, 5};

typedef struct drow {
    int64_t nid;
    char *id, *name, *parent;
    const char *level;
    long line, pcol, lcol;
    size_t up; /* index of the parent row, or SIZE_MAX */
    int color;
} drow_t;

static const char *const stmt_sql[S_COUNT] = {
    "INSERT INTO node(id, type) VALUES (?1, ?2)",
    "INSERT INTO district(nid, name, level, parent) VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO organisation(nid, name, sector, district, since, until, verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    ("INSERT INTO program(nid, name, org, age_min, age_max, approach, wide_area, in_system, hours, starts, ends,"
     " until, verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"), /* one string (clang asks) */
    "INSERT INTO program_target(program, pos, target) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_need(program, pos, need) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_mode(program, pos, mode) VALUES (?1, ?2, ?3)",
    "INSERT INTO program_area(program, pos, district) VALUES (?1, ?2, ?3)",
    "INSERT INTO forum(nid, name, kind, district, since, until, verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    ("INSERT INTO tie(src, dst, kind, directed, count, since, until, verified, status)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    "INSERT INTO vocab(kind, key, label_ja, builtin) VALUES (?1, ?2, ?3, 0)",
    "INSERT INTO vocab_alias(kind, alias, key) VALUES (?1, ?2, ?3)",
};

/* ---- tables ----------------------------------------------------------------- */

static tsg_status_t read_vocabulary(imp_t *im)
{
    int present;
    tsg_status_t s = store_imp_open_file(im, &vocab_spec, &present);
    if (s || !present) return s;
    store_vocab_t v;
    if ((s = store_vocab_load(im->sql, &v, im->err))) return s;
    int have;
    while (!(s = store_imp_next_row(im, &have)) && have) {
        const char *kind = store_imp_trim_cell(im, 0), *key = store_imp_trim_cell(im, 1), *label;
        int k = 0;
        while (store_vocab_kinds[k] && strcmp(store_vocab_kinds[k], kind)) k++;
        if (!store_vocab_kinds[k]) { s = FAILC(im, 0, _("unknown vocabulary kind '%s' (one of: sector, target, need, mode, forum_kind)"), kind); break; }
        if (store_vocab_kind_closed(kind)) { s = FAILC(im, 0, _("the %s vocabulary is fixed; keys cannot be added to it"), kind); break; }
        int ok = (*key >= 'a' && *key <= 'z');
        for (const char *p = key; *p && ok; p++) ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok) { s = FAILC(im, 1, _("key '%s' must be lower-case ASCII letters, digits and '_', starting with a letter"), key); break; }
        store_imp_trim_cell(im, 2);
        if ((s = store_imp_name_cell(im, 2, &label))) break;
        const char *hint, *clash = store_vocab_resolve(&v, kind, key, &hint);
        if (!clash) clash = store_vocab_resolve(&v, kind, label, &hint);
        if (clash) { s = FAILC(im, 1, _("%s '%s' or its label is already in the vocabulary (as %s)"), store_vocab_kind_noun(kind), key, clash); break; }
        sqlite3_bind_text(im->st[S_VOCAB], 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->st[S_VOCAB], 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->st[S_VOCAB], 3, label, -1, SQLITE_STATIC);
        if ((s = store_imp_step(im, S_VOCAB))) break;
        if ((s = store_imp_split(im, 3, "aliases"))) break;
        for (size_t i = 0; i < im->nitems && !s; i++) {
            if (store_vocab_resolve(&v, kind, im->items[i], &hint)) {
                s = store_imp_fail_at(im, FIELD_LINE(im, 3), im->item_col[i], _("alias '%s' already names a %s"), im->items[i], store_vocab_kind_noun(kind));
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
                s = store_imp_fail_at(im, FIELD_LINE(im, 3), im->item_col[i], _("alias '%s' is used twice"), im->items[i]);
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
    if (s || (s = store_imp_open_file(im, &needs_spec, &present)) || !present) return s;
    sqlite3_stmt *del = NULL, *ins = NULL;
    if ((s = store_prepare(im->sql, "DELETE FROM default_need WHERE target = ?1", &del, im->err)) ||
        (s = store_prepare(im->sql, "INSERT INTO default_need(target, pos, need) VALUES (?1, ?2, ?3)", &ins, im->err)))
        goto out;
    int have;
    while (!(s = store_imp_next_row(im, &have)) && have) {
        const char *target;
        if ((s = store_imp_key_cell(im, 0, "target", 0, &target)) || (s = store_imp_split(im, 1, "needs"))) break;
        sqlite3_bind_text(del, 1, target, -1, SQLITE_STATIC);
        sqlite3_step(del);
        sqlite3_reset(del);
        for (size_t i = 0; i < im->nitems && !s; i++) {
            const char *need;
            if ((s = store_imp_resolve_at(im, "need", im->items[i], FIELD_LINE(im, 1), im->item_col[i], &need))) break;
            sqlite3_bind_text(ins, 1, target, -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 2, (int)i);
            sqlite3_bind_text(ins, 3, need, -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                sqlite3_reset(ins);
                s = store_imp_fail_at(im, FIELD_LINE(im, 1), im->item_col[i], _("need '%s' is listed twice"), need);
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
            tsg_status_t s = chain.data ? store_imp_fail_at(im, rows[first].line, rows[first].pcol,
                                                            _("the district tree has a cycle: %s"), chain.data)
                                        : store_imp_nomem(im);
            util_buf_free(&chain);
            return s;
        }
        for (j = i; j != SIZE_MAX && rows[j].color == 1; j = rows[j].up) rows[j].color = 2;
    }
    return TSG_OK;
}

static tsg_status_t read_districts(imp_t *im)
{
    tsg_status_t s = store_imp_open_file(im, &district_spec, NULL);
    if (s) return s;
    drow_t *rows = NULL;
    size_t n = 0, cap = 0;
    int have;
    while (!(s = store_imp_next_row(im, &have)) && have) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            drow_t *r = realloc(rows, cap * sizeof *r);
            if (!r) { s = store_imp_nomem(im); break; }
            rows = r;
        }
        drow_t *r = &rows[n];
        memset(r, 0, sizeof *r);
        const char *name;
        if ((s = store_imp_new_id(im, 0, T_DISTRICT, &r->nid, n)) || (s = store_imp_name_cell(im, 1, &name)) ||
            (s = store_imp_key_cell(im, 2, "level", 0, &r->level)))
            break;
        n++;
        r->id = util_strdup(store_imp_cell(im, 0));
        r->name = util_strdup(name);
        r->parent = util_strdup(store_imp_trim_cell(im, 3));
        r->line = im->csv.rec_line;
        r->pcol = FIELD_COL(im, 3);
        r->lcol = FIELD_COL(im, 2);
        r->up = SIZE_MAX;
        if (!r->id || !r->name || !r->parent) { s = store_imp_nomem(im); break; }
    }
    for (size_t i = 0; i < n && !s; i++) {
        if (!*rows[i].parent) continue;
        /* The districts are stored after this loop, so ids_named cannot
         * see them: a parent written by its name is looked up here. */
        for (size_t j = 0; j < n && !store_idmap_get(&im->ids, rows[i].parent); j++)
            if (!strcmp(rows[j].name, rows[i].parent)) {
                s = store_imp_fail_at(im, rows[i].line, rows[i].pcol, store_imp_ref_named_fmt(REF_PARENT),
                                      rows[i].parent, rows[j].id);
                break;
            }
        if (s) break;
        const store_id_t *e;
        if ((s = store_imp_ref_at(im, rows[i].parent, REF_PARENT, rows[i].line, rows[i].pcol, &e))) break;
        rows[i].up = e->aux;
    }
    if (!s) s = check_cycles(im, rows, n);
    for (size_t i = 0; i < n && !s; i++) {
        drow_t *r = &rows[i];
        if (r->up != SIZE_MAX && level_rank(r->level) <= level_rank(rows[r->up].level)) {
            const char *up = store_vocab_key_word("level", rows[r->up].level);
            s = store_imp_fail_at(im, r->line, r->lcol, _("a %s cannot sit under a %s ('%s' is a %s)"),
                                  store_vocab_key_word("level", r->level), up, rows[r->up].id, up);
            break;
        }
        sqlite3_stmt *st = im->st[S_DISTRICT];
        sqlite3_bind_int64(st, 1, r->nid);
        sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->level, -1, SQLITE_STATIC);
        if (r->up != SIZE_MAX) sqlite3_bind_int64(st, 4, rows[r->up].nid);
        s = store_imp_step(im, S_DISTRICT);
        im->counts.districts++;
    }
    drows_free(rows, n);
    return s;
}

static tsg_status_t optional_district(imp_t *im, int c, sqlite3_stmt *st, int param)
{
    const char *id = store_imp_trim_cell(im, c);
    if (!*id) return TSG_OK;
    const store_id_t *e;
    tsg_status_t s = store_imp_ref_at(im, id, REF_DISTRICT, FIELD_LINE(im, c), FIELD_COL(im, c), &e);
    if (!s) sqlite3_bind_int64(st, param, e->nid);
    return s;
}

/* The optional dates of a row (issue 21): since (column c_since, -1 for
 * none), until and verified, bound from parameter `param` on in that order
 * (without since: until and verified). A row ends after it begins. */
static tsg_status_t dates(imp_t *im, int c_since, int c_until, int c_verified, sqlite3_stmt *st, int param)
{
    char since[40], until[40], verified[40];
    int since_null = 1, until_null, verified_null;
    tsg_status_t s;
    if ((c_since >= 0 && (s = store_imp_date_cell(im, c_since, since, &since_null))) ||
        (s = store_imp_date_cell(im, c_until, until, &until_null)) ||
        (s = store_imp_date_cell(im, c_verified, verified, &verified_null)))
        return s;
    if (!since_null && !until_null && util_date_first(since) >= util_date_first(until))
        return FAILC(im, c_until, _("until %s is not after since %s (a row ends after it begins)"), until, since);
    if (c_since >= 0 && !since_null) sqlite3_bind_text(st, param, since, -1, SQLITE_TRANSIENT);
    param += c_since >= 0;
    if (!until_null) sqlite3_bind_text(st, param, until, -1, SQLITE_TRANSIENT);
    if (!verified_null) sqlite3_bind_text(st, param + 1, verified, -1, SQLITE_TRANSIENT);
    return TSG_OK;
}

static tsg_status_t read_organisations(imp_t *im)
{
    tsg_status_t s = store_imp_open_file(im, &org_spec, NULL);
    int have;
    while (!s && !(s = store_imp_next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *sector;
        sqlite3_stmt *st = im->st[S_ORG];
        if ((s = store_imp_new_id(im, 0, T_ORGANISATION, &nid, 0)) || (s = store_imp_name_cell(im, 1, &name)) ||
            (s = store_imp_key_cell(im, 2, "sector", 0, &sector)) || (s = optional_district(im, 3, st, 4)) ||
            (s = dates(im, 4, 5, 6, st, 5)))
            break;
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sector, -1, SQLITE_STATIC);
        if ((s = store_imp_step(im, S_ORG))) break;
        im->counts.organisations++;
    }
    return s;
}

/* Writes the items of a key list cell into one of the program_* tables. */
static tsg_status_t key_list(imp_t *im, int c, const char *kind, int required, int which, int64_t nid)
{
    tsg_status_t s = store_imp_split(im, c, im->spec->cols[c]);
    if (s) return s;
    if (required && !im->nitems) return FAILC(im, c, _("%s is empty (list at least one)"), im->spec->cols[c]);
    const char *keys[MAX_ITEMS];
    for (size_t i = 0; i < im->nitems; i++) {
        if ((s = store_imp_resolve_at(im, kind, im->items[i], FIELD_LINE(im, c), im->item_col[i], &keys[i]))) return s;
        for (size_t j = 0; j < i; j++)
            if (keys[j] == keys[i])
                return store_imp_fail_at(im, FIELD_LINE(im, c), im->item_col[i], _("%s '%s' is listed twice"), store_vocab_kind_noun(kind), keys[i]);
    }
    for (size_t i = 0; i < im->nitems; i++) {
        sqlite3_stmt *st = im->st[which];
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, keys[i], -1, SQLITE_STATIC);
        if ((s = store_imp_step(im, which))) return s;
    }
    return TSG_OK;
}

static tsg_status_t program_area(imp_t *im, int c, int64_t nid, int *wide)
{
    tsg_status_t s = store_imp_split(im, c, "area");
    if (s) return s;
    *wide = 0;
    if (!im->nitems) return FAILC(im, c, _("area is empty (list the district ids served, or * for wide-area)"));
    if (im->nitems == 1 && !strcmp(im->items[0], "*")) {
        *wide = 1;
        return TSG_OK;
    }
    for (size_t i = 0; i < im->nitems; i++) {
        if (!strcmp(im->items[i], "*"))
            return store_imp_fail_at(im, FIELD_LINE(im, c), im->item_col[i], _("* (wide-area) stands alone; do not list districts with it"));
        const store_id_t *e;
        if ((s = store_imp_ref_at(im, im->items[i], REF_DISTRICT, FIELD_LINE(im, c), im->item_col[i], &e))) return s;
        sqlite3_stmt *st = im->st[S_AREA];
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 3, e->nid);
        if ((s = store_imp_step(im, S_AREA))) return s;
    }
    return TSG_OK;
}

static tsg_status_t read_programs(imp_t *im)
{
    enum { ID, NAME, ORG, TARGETS, AGE_MIN, AGE_MAX, NEEDS, MODES, APPROACH, AREA, IN_SYSTEM, HOURS, START, END, UNTIL,
           VERIFIED };
    tsg_status_t s = store_imp_open_file(im, &program_spec, NULL);
    int have;
    while (!s && !(s = store_imp_next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *approach, *in_system;
        const store_id_t *org;
        int min_null, max_null, wide;
        long age_min = 0, age_max = 0;
        if ((s = store_imp_new_id(im, ID, T_PROGRAM, &nid, 0)) || (s = store_imp_name_cell(im, NAME, &name))) break;
        const char *org_id = store_imp_trim_cell(im, ORG);
        if (!*org_id) { s = FAILC(im, ORG, _("org_id is empty (every program belongs to an organisation)")); break; }
        if ((s = store_imp_ref_at(im, org_id, REF_ORG, FIELD_LINE(im, ORG), FIELD_COL(im, ORG), &org)) ||
            (s = store_imp_int_cell(im, AGE_MIN, 0, UTIL_MAX_AGE, 1, &min_null, &age_min)) ||
            (s = store_imp_int_cell(im, AGE_MAX, 0, UTIL_MAX_AGE, 1, &max_null, &age_max)))
            break;
        if (!min_null && !max_null && age_min > age_max) {
            s = FAILC(im, AGE_MIN, _("age_min %ld is greater than age_max %ld"), age_min, age_max);
            break;
        }
        char start[40], end[40];
        int start_null, end_null;
        if ((s = store_imp_key_cell(im, APPROACH, "approach", 1, &approach)) ||
            (s = store_imp_key_cell(im, IN_SYSTEM, "in_system", 1, &in_system)) ||
            (s = store_imp_date_cell(im, START, start, &start_null)) || (s = store_imp_date_cell(im, END, end, &end_null)))
            break;
        if (!start_null && !end_null && util_date_first(start) > util_date_last(end)) {
            s = FAILC(im, START, _("start %s is after end %s"), start, end);
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
        if (store_imp_cell(im, HOURS)[0]) sqlite3_bind_text(st, 9, store_imp_cell(im, HOURS), -1, SQLITE_STATIC);
        if (!start_null) sqlite3_bind_text(st, 10, start, -1, SQLITE_STATIC);
        if (!end_null) sqlite3_bind_text(st, 11, end, -1, SQLITE_STATIC);
        if ((s = dates(im, -1, UNTIL, VERIFIED, st, 12)) || (s = store_imp_step(im, S_PROGRAM))) break;
        if ((s = key_list(im, TARGETS, "target", 1, S_TARGET, nid)) ||
            (s = key_list(im, NEEDS, "need", 1, S_NEED, nid)) ||
            (s = key_list(im, MODES, "mode", 0, S_MODE, nid)) || (s = program_area(im, AREA, nid, &wide)))
            break;
        if (wide) {
            char *upd = sqlite3_mprintf("UPDATE program SET wide_area = 1 WHERE nid = %lld", (long long)nid);
            s = upd ? store_exec(im->sql, upd, im->label, im->err) : store_imp_nomem(im);
            sqlite3_free(upd);
            if (s) break;
        }
        im->counts.programs++;
    }
    return s;
}

static tsg_status_t read_forums(imp_t *im)
{
    tsg_status_t s = store_imp_open_file(im, &forum_spec, NULL);
    int have;
    while (!s && !(s = store_imp_next_row(im, &have)) && have) {
        int64_t nid;
        const char *name, *kind;
        sqlite3_stmt *st = im->st[S_FORUM];
        if ((s = store_imp_new_id(im, 0, T_FORUM, &nid, 0)) || (s = store_imp_name_cell(im, 1, &name)) ||
            (s = store_imp_key_cell(im, 2, "forum_kind", 0, &kind)) || (s = optional_district(im, 3, st, 4)) ||
            (s = dates(im, 4, 5, 6, st, 5)))
            break;
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        if ((s = store_imp_step(im, S_FORUM))) break;
        im->counts.forums++;
    }
    return s;
}

static tsg_status_t tie_end(imp_t *im, int c, const char *kind, const store_id_t **e)
{
    const char *id = store_imp_trim_cell(im, c);
    if (!*id) return FAILC(im, c, _("%s is empty"), im->spec->cols[c]);
    if (!strcmp(kind, "membership"))
        return store_imp_ref_at(im, id, c == 0 ? REF_MEMBER_ORG : REF_MEMBER_FORUM, FIELD_LINE(im, c), FIELD_COL(im, c), e);
    return store_imp_ref_at(im, id, REF_TIE_END, FIELD_LINE(im, c), FIELD_COL(im, c), e);
}

static tsg_status_t read_ties(imp_t *im)
{
    enum { FROM, TO, KIND, COUNT, SINCE, UNTIL, VERIFIED, STATUS };
    tsg_status_t s = store_imp_open_file(im, &tie_spec, NULL);
    int have;
    while (!s && !(s = store_imp_next_row(im, &have)) && have) {
        const char *kind;
        const store_id_t *a, *b;
        int count_null, since_null;
        long count = 0;
        char since[40];
        if ((s = store_imp_key_cell(im, KIND, "tie_kind", 0, &kind)) || (s = tie_end(im, FROM, kind, &a)) ||
            (s = tie_end(im, TO, kind, &b)))
            break;
        if (a == b) { s = FAILC(im, TO, _("a tie from '%s' to itself"), a->key); break; }
        if ((s = store_imp_int_cell(im, COUNT, 0, UTIL_MAX_COUNT, 0, &count_null, &count)) ||
            (s = store_imp_date_cell(im, SINCE, since, &since_null)))
            break;
        char until[40];
        int until_null;
        if ((s = store_imp_date_cell(im, UNTIL, until, &until_null))) break;
        if (!since_null && !until_null && util_date_first(since) >= util_date_first(until)) {
            s = FAILC(im, UNTIL, _("until %s is not after since %s (a row ends after it begins)"), until, since);
            break;
        }
        const char *status = im->map[STATUS] < 0 ? "" : store_imp_trim_cell(im, STATUS);
        if (*status && strcmp(status, "reported") && strcmp(status, "confirmed") && strcmp(status, "unverified")) {
            s = FAILC(im, STATUS, _("status '%s' is not reported, confirmed or unverified"), status);
            break;
        }
        int directed = !strcmp(kind, "referral") || !strcmp(kind, "membership");
        /* One open tie per pair and kind; an undirected tie is the same either
         * way round. Ended ties (until) may repeat: a tie lost and regained. */
        char *key = util_printf("%s\x1f%s\x1f%s", a->key, b->key, kind);
        char *rev = util_printf("%s\x1f%s\x1f%s", b->key, a->key, kind);
        const store_id_t *old = NULL;
        int rc = -1;
        if (key && rev && !until_null) rc = 0; /* ended */
        else if (key && rev) { /* open */
            old = directed ? NULL : store_idmap_get(&im->ties, rev);
            rc = old ? 1 : store_idmap_put(&im->ties, key, (store_id_t){NULL, 0, 0, im->spec->file, im->csv.rec_line, 0}, &old);
        }
        free(key);
        free(rev);
        if (rc < 0) { s = store_imp_nomem(im); break; }
        if (rc > 0) { s = FAILC(im, FROM, _("duplicate %s tie between '%s' and '%s' (already at line %ld)"), store_vocab_key_word("tie_kind", kind), a->key, b->key, old->line); break; }
        sqlite3_stmt *st = im->st[S_TIE];
        sqlite3_bind_int64(st, 1, a->nid);
        sqlite3_bind_int64(st, 2, b->nid);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, directed);
        if (!count_null) sqlite3_bind_int64(st, 5, count);
        if (!since_null) sqlite3_bind_text(st, 6, since, -1, SQLITE_STATIC);
        if (*status) sqlite3_bind_text(st, 9, status, -1, SQLITE_STATIC);
        if ((s = dates(im, -1, UNTIL, VERIFIED, st, 7)) || (s = store_imp_step(im, S_TIE))) break;
        im->counts.ties++;
    }
    return s;
}

/* ---- the whole import ---------------------------------------------------------- */

static const char clear_sql[] =
    "DELETE FROM history; DELETE FROM tie; DELETE FROM program_target; DELETE FROM program_need; DELETE FROM program_mode;"
    "DELETE FROM program_area; DELETE FROM program; DELETE FROM forum; DELETE FROM organisation;"
    "DELETE FROM district; DELETE FROM node; DELETE FROM vocab WHERE builtin = 0;";

tsg_status_t store_import(tsg_db_t *db, const store_source_t *src, tsg_encoding_t enc,
                          tsg_import_counts_t *counts, tsg_error_t *err)
{
    imp_t *im = calloc(1, sizeof *im);
    if (!im) return util_fail(err, TSG_ENOMEM, _("out of memory"));
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
    if ((s = store_exec(db->sql, "PRAGMA defer_foreign_keys = ON", _("import"), err)) ||
        (s = store_exec(db->sql, clear_sql, _("import"), err)))
        goto done;
    for (int i = 0; i < S_COUNT; i++)
        if ((s = store_prepare(db->sql, stmt_sql[i], &im->st[i], err))) goto done;
    if ((s = read_vocabulary(im)) || (s = store_vocab_load(db->sql, &im->vocab, err)) ||
        (s = read_default_needs(im)) || (s = read_districts(im)) ||
        (s = read_organisations(im)) || (s = read_programs(im)) || (s = read_forums(im)) || (s = read_ties(im)) ||
        (s = store_imp_history(im)))
        goto done;
    store_imp_close_file(im);
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(im->st[i]);
        im->st[i] = NULL;
    }
    s = store_commit(db, err);
done:
    if (s) store_rollback(db);
    for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(im->st[i]);
    store_imp_close_file(im);
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
    if (!path) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    struct stat sb;
    *found = stat(path, &sb) == 0;
    tsg_status_t s = TSG_OK;
    if (*found) s = util_read_file(path, data, len, err);
    else if (errno != ENOENT) s = util_fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
    free(path);
    return s;
}

/* The folder without its history.csv (import --as-of: import_asof.c). */
static tsg_status_t dir_read_no_history(const store_source_t *src, const char *name, char **data, size_t *len,
                                        int *found, tsg_error_t *err)
{
    if (strcmp(name, "history.csv")) return dir_read(src, name, data, len, found, err);
    *found = 0;
    return TSG_OK;
}

tsg_status_t tsg_import_csv(tsg_db_t *db, const char *dir, tsg_encoding_t enc, tsg_import_counts_t *counts,
                            tsg_error_t *err)
{
    return store_import_dir(db, dir, enc, 0, counts, err);
}

tsg_status_t store_import_dir(tsg_db_t *db, const char *dir, tsg_encoding_t enc, int skip_history,
                              tsg_import_counts_t *counts, tsg_error_t *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return util_fail(err, TSG_EIO, _("%s: not a folder (import reads a folder of CSV files)"), dir);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char *label = util_strndup(dir, n);
    if (!label) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    store_source_t src = {label, skip_history ? dir_read_no_history : dir_read, label};
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
        if (!(*data = util_strndup((const char *)f->data, f->len))) return util_fail(err, TSG_ENOMEM, _("out of memory"));
        return TSG_OK;
    }
    *found = 0;
    return TSG_OK;
}
