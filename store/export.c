/*
 * export — the database as a CSV folder in canonical form (see interchange.h):
 * UTF-8 without BOM, LF line ends, the header in the documented column order,
 * rows in the order they were written (nid order), keys rather than labels,
 * list items in their stored order (with bom, each file starts with a
 * byte-order mark for Excel). Import of this output, then export
 * again, gives the same bytes. Each file is written beside its final name
 * and renamed into place, so a failed export leaves no half-written file
 * (util/atomic.h), and none replaces the database or its -wal/-shm.
 */
#include "interchange.h"
#include "csv.h"
#include "i18n.h"
#include "store.h"
#include "util.h"
#include "vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct table {
    const char *file, *header, *sql;
} table_t;

#define LIST(tbl, col) \
    "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM " tbl " WHERE program = p.nid ORDER BY pos))"

#define PROGRAM_COLUMNS                                                                                      \
    "n.id, p.name, o.id, " LIST("program_target", "target") ", p.age_min, p.age_max, " LIST("program_need", "need") \
    ", " LIST("program_mode", "mode") ", p.approach,"                                                              \
    " CASE WHEN p.wide_area THEN '*' ELSE (SELECT group_concat(id, ';') FROM"                                       \
    "  (SELECT an.id FROM program_area a JOIN node an ON an.nid = a.district WHERE a.program = p.nid ORDER BY a.pos))" \
    " END, p.in_system, p.hours"

/* programs.csv with the optional dates, written only when a program has one,
 * so folders without dates keep the documented header. */
static const table_t programs_dated = {
    "programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours,start,end",
    "SELECT " PROGRAM_COLUMNS ", p.starts, p.ends"
    " FROM program p JOIN node n ON n.nid = p.nid JOIN node o ON o.nid = p.org ORDER BY p.nid"};

/* The history's columns (issue 21), written only when a row of the table
 * has one, so a folder without history keeps the documented header. */
/* A macro, not a const object: C does not take an object as a constant
 * initializer (clang refuses it; the fuzz build uses clang). */
#define PROGRAMS_PAST {                                                                                  \
    "programs.csv",                                                                                    \
    "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours,start,end,until,verified", \
    "SELECT " PROGRAM_COLUMNS ", p.starts, p.ends, p.until, p.verified"                                 \
    " FROM program p JOIN node n ON n.nid = p.nid JOIN node o ON o.nid = p.org ORDER BY p.nid"}

static const struct {
    const char *file, *when;
    table_t t;
} dated_tables[] = {
    {"organisations.csv",
     "SELECT 1 FROM organisation WHERE since IS NOT NULL OR until IS NOT NULL OR verified IS NOT NULL LIMIT 1",
     {"organisations.csv", "id,name,sector,district_id,since,until,verified",
      "SELECT n.id, o.name, o.sector, dn.id, o.since, o.until, o.verified FROM organisation o"
      " JOIN node n ON n.nid = o.nid LEFT JOIN node dn ON dn.nid = o.district ORDER BY o.nid"}},
    {"programs.csv", "SELECT 1 FROM program WHERE until IS NOT NULL OR verified IS NOT NULL LIMIT 1", PROGRAMS_PAST},
    {"forums.csv", "SELECT 1 FROM forum WHERE since IS NOT NULL OR until IS NOT NULL OR verified IS NOT NULL LIMIT 1",
     {"forums.csv", "id,name,kind,district_id,since,until,verified",
      "SELECT n.id, f.name, f.kind, dn.id, f.since, f.until, f.verified FROM forum f JOIN node n ON n.nid = f.nid"
      " LEFT JOIN node dn ON dn.nid = f.district ORDER BY f.nid"}},
    {"ties.csv", "SELECT 1 FROM tie WHERE until IS NOT NULL OR verified IS NOT NULL OR status IS NOT NULL LIMIT 1",
     {"ties.csv", "from_id,to_id,kind,count,since,until,verified,status",
      "SELECT a.id, b.id, t.kind, t.count, t.since, t.until, t.verified, t.status FROM tie t"
      " JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst ORDER BY t.tid"}},
};

/* The old values SET keeps (issue 21), one row per history row in the order
 * they were kept: a node by its id; a tie by its from_id, to_id, kind and
 * since as ties.csv writes them (an ended pair tied again begins a new
 * period, so the since tells its rows apart). The value is stored as the
 * CSV writes it already (ids, ';' lists, '*'). Written only when the
 * history has rows, so a folder without history keeps its files. */
static const table_t history_table = {
    "history.csv", "id,field,value,until,to_id,kind,since",
    "SELECT coalesce(n.id, a.id), h.field, h.value, h.until, b.id, t.kind, t.since FROM history h"
    " LEFT JOIN node n ON n.nid = h.nid LEFT JOIN tie t ON t.tid = h.tid LEFT JOIN node a ON a.nid = t.src"
    " LEFT JOIN node b ON b.nid = t.dst ORDER BY h.hid"};

/* Whether the query finds a row. */
static int any_row(sqlite3 *sql, const char *when)
{
    sqlite3_stmt *q;
    /* Unsure: the dated header, which loses nothing. */
    if (sqlite3_prepare_v2(sql, when, -1, &q, NULL) != SQLITE_OK) return 1;
    int found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}

static const table_t tables[] = {
    {"districts.csv", "id,name,level,parent_id",
     "SELECT n.id, d.name, d.level, pn.id FROM district d JOIN node n ON n.nid = d.nid"
     " LEFT JOIN node pn ON pn.nid = d.parent ORDER BY d.nid"},
    {"organisations.csv", "id,name,sector,district_id",
     "SELECT n.id, o.name, o.sector, dn.id FROM organisation o JOIN node n ON n.nid = o.nid"
     " LEFT JOIN node dn ON dn.nid = o.district ORDER BY o.nid"},
    {"programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours",
     "SELECT " PROGRAM_COLUMNS " FROM program p JOIN node n ON n.nid = p.nid JOIN node o ON o.nid = p.org ORDER BY p.nid"},
    {"forums.csv", "id,name,kind,district_id",
     "SELECT n.id, f.name, f.kind, dn.id FROM forum f JOIN node n ON n.nid = f.nid"
     " LEFT JOIN node dn ON dn.nid = f.district ORDER BY f.nid"},
    {"ties.csv", "from_id,to_id,kind,count,since",
     "SELECT a.id, b.id, t.kind, t.count, t.since FROM tie t JOIN node a ON a.nid = t.src"
     " JOIN node b ON b.nid = t.dst ORDER BY t.tid"},
};

/* User-added vocabulary only: the built-in entries come with every build. */
static const table_t vocab_table = {
    "vocabulary.csv", "kind,key,label_ja,aliases",
    "SELECT v.kind, v.key, v.label_ja, (SELECT group_concat(alias, ';') FROM"
    " (SELECT alias FROM vocab_alias a WHERE a.kind = v.kind AND a.key = v.key ORDER BY a.rowid))"
    " FROM vocab v WHERE v.builtin = 0 ORDER BY v.rowid"};

/* A file of the folder; with bom, it starts with a UTF-8 byte-order mark
 * (for Excel, which reads a CSV file without one as the local code page;
 * import reads either). */
static tsg_status_t write_file(tsg_db_t *db, const char *dir, const char *file, util_buf_t *b, int bom,
                               tsg_error_t *err)
{
    char *path = util_printf("%s/%s", dir, file);
    const util_guard_t *g = store_guard(db);
    tsg_status_t s = TSG_OK;
    if (!path || !g) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    else if (bom) {
        util_buf_t with = {0};
        if (util_buf_adds(&with, "\xEF\xBB\xBF") || util_buf_add(&with, b->data ? b->data : "", b->len))
            s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        else
            s = util_write_file(path, with.data, with.len, g, err);
        util_buf_free(&with);
    } else
        s = util_write_file(path, b->data ? b->data : "", b->len, g, err);
    free(path);
    return s;
}

/* Runs a table's query into CSV text; *rows receives the row count. */
static tsg_status_t render(sqlite3 *sql, const table_t *t, util_buf_t *b, long *rows, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, t->sql, &st, err);
    if (s) return s;
    int fail = util_buf_adds(b, t->header) || util_buf_addc(b, '\n');
    int rc, ncols = sqlite3_column_count(st);
    *rows = 0;
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncols && !fail; c++)
            fail = store_csv_put(b, (const char *)sqlite3_column_text(st, c), c == ncols - 1);
        (*rows)++;
    }
    if (fail) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    else if (rc != SQLITE_DONE) s = store_fail_sql(sql, t->file, err);
    sqlite3_finalize(st);
    return s;
}

/* default_needs.csv holds the groups whose needs differ from the built-in
 * table (an empty list for a group whose defaults were removed); without
 * any, there is no file, and a stale one is removed. */
static tsg_status_t write_default_needs(tsg_db_t *db, const char *dir, util_buf_t *b, int bom, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(db->sql,
                                   "SELECT v.key, (SELECT group_concat(need, ';') FROM (SELECT need FROM default_need d"
                                   " WHERE d.target = v.key ORDER BY pos)) FROM vocab v WHERE v.kind = 'target'"
                                   " ORDER BY v.rowid", &st, err);
    if (s) return s;
    b->len = 0;
    int rows = 0, fail = util_buf_adds(b, "target,needs\n");
    int rc = SQLITE_DONE;
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *target = (const char *)sqlite3_column_text(st, 0);
        const char *needs = (const char *)sqlite3_column_text(st, 1);
        const char *builtin = NULL;
        if (!target) continue; /* store_check refused such a file before */
        for (const store_default_needs_t *d = store_default_needs; d->target; d++)
            if (!strcmp(d->target, target)) builtin = d->needs;
        if ((!needs && !builtin) || (needs && builtin && !strcmp(needs, builtin))) continue;
        fail = store_csv_put(b, target, 0) || store_csv_put(b, needs ? needs : "", 1);
        rows++;
    }
    /* A folder written from half the table would be a smaller, wrong city. */
    if (!fail && rc != SQLITE_DONE) {
        s = store_fail_sql(db->sql, _("database"), err);
        sqlite3_finalize(st);
        return s;
    }
    sqlite3_finalize(st);
    if (fail) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (rows) return write_file(db, dir, "default_needs.csv", b, bom, err);
    char *old = util_printf("%s/default_needs.csv", dir);
    if (!old) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (unlink(old) != 0 && errno != ENOENT) s = util_fail(err, TSG_EIO, _("%s: cannot remove: %s"), old, strerror(errno));
    free(old);
    return s;
}

/* Every name the export writes or removes, checked before anything is
 * touched: a database kept in the folder under one of these names (or a
 * link to it), a link, a folder or a device stops the export, not only the
 * one file (found at its turn, it left the files before it written). */
static tsg_status_t check_names(tsg_db_t *db, const char *dir, tsg_error_t *err)
{
    static const char *const extra[] = {"default_needs.csv", "vocabulary.csv", "programs.csv", "history.csv"};
    const util_guard_t *g = store_guard(db);
    if (!g) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    tsg_status_t s = TSG_OK;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] + sizeof extra / sizeof *extra && !s; i++) {
        char *path = util_printf("%s/%s", dir, i < sizeof tables / sizeof tables[0] ? tables[i].file
                                                                                  : extra[i - sizeof tables / sizeof tables[0]]);
        s = path ? util_target_check(g, path, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
        free(path);
    }
    return s;
}

/* A file written only when its query has rows; otherwise one left in the
 * folder is removed. */
static tsg_status_t write_optional(tsg_db_t *db, const char *dir, const table_t *t, util_buf_t *b, int bom,
                                   tsg_error_t *err)
{
    long rows;
    b->len = 0;
    tsg_status_t s = render(db->sql, t, b, &rows, err);
    if (s || rows) return s ? s : write_file(db, dir, t->file, b, bom, err);
    char *old = util_printf("%s/%s", dir, t->file);
    if (!old) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (unlink(old) != 0 && errno != ENOENT) s = util_fail(err, TSG_EIO, _("%s: cannot remove: %s"), old, strerror(errno));
    free(old);
    return s;
}

tsg_status_t tsg_export_csv(tsg_db_t *db, const char *dir, tsg_error_t *err)
{
    return tsg_export_csv_with(db, dir, 0, err);
}

tsg_status_t tsg_export_csv_with(tsg_db_t *db, const char *dir, int bom, tsg_error_t *err)
{
    /* A damaged network would be written as a folder import refuses. */
    tsg_status_t checked = store_check(db, err);
    if (checked) return checked;
    tsg_status_t s0 = check_names(db, dir, err);
    if (s0) return s0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return util_fail(err, TSG_EIO, _("%s: cannot create folder: %s"), dir, strerror(errno));
    /* One read transaction, so the files agree with each other even while
     * another process writes. */
    tsg_status_t s = store_exec(db->sql, "BEGIN", "export", err);
    if (s) return s;
    util_buf_t b = {0};
    long rows;
    int dated = 0;
    sqlite3_stmt *q;
    if (!s && !(s = store_prepare(db->sql, "SELECT 1 FROM program WHERE starts IS NOT NULL OR ends IS NOT NULL LIMIT 1",
                                  &q, err))) {
        dated = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && !s; i++) {
        const table_t *t = dated && !strcmp(tables[i].file, "programs.csv") ? &programs_dated : &tables[i];
        for (size_t k = 0; k < sizeof dated_tables / sizeof *dated_tables; k++)
            if (!strcmp(dated_tables[k].file, t->file) && any_row(db->sql, dated_tables[k].when)) t = &dated_tables[k].t;
        b.len = 0;
        if (!(s = render(db->sql, t, &b, &rows, err))) s = write_file(db, dir, t->file, &b, bom, err);
    }
    if (!s) s = write_default_needs(db, dir, &b, bom, err);
    /* A vocabulary.csv or history.csv left from an earlier export would
     * come back in on import; without rows there must be none. */
    if (!s) s = write_optional(db, dir, &vocab_table, &b, bom, err);
    if (!s) s = write_optional(db, dir, &history_table, &b, bom, err);
    util_buf_free(&b);
    sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL);
    return s;
}
