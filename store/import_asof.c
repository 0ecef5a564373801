/*
 * import_asof — a new year's folder into an existing database as a change
 * at one date (tsunagi import --as-of DATE DIR DB; issue 21). The folder is
 * first imported on its own into a scratch database (every check and every
 * file:line:column message of the plain import), then compared with the
 * database by id, in one write transaction:
 *
 *   - an organisation, program or forum new in the folder begins at DATE
 *     (organisations and forums: since = DATE unless the folder gives one;
 *     programs, which have no since: starts = DATE unless given);
 *   - one that is open in the database and gone from the folder ends at
 *     DATE (until = DATE);
 *   - a field that differs keeps its old value in history until DATE and
 *     takes the folder's;
 *   - an open tie is matched by its ends' ids and kind (an undirected one
 *     either way round): new ones begin at DATE, gone ones end at DATE, a
 *     changed count keeps its old value in history;
 *   - districts are not dated: new ones are added, changed ones updated
 *     (their old name, level and parent kept in history), none end.
 *
 * The folder's history.csv is not read: the folder is the network on DATE,
 * and the database keeps its own past (a folder exported from it and edited
 * carries the database's history, which may name rows the edit removed).
 *
 * An organisation, forum or program that ended by DATE and comes back in
 * the folder begins a new period at DATE, counted as added: its earlier
 * since and until are kept in history until DATE, so AS OF a day between
 * the periods does not see it (decisions.md, "Issue 21: history and AS OF,
 * the remaining parts"); its fields are then compared as an open row's.
 */
#include "interchange.h"
#include "store.h"
#include "period.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A field compared between the database (main) and the folder (y): `expr`
 * gives its value as text, with $ for the schema and @ for the row. */
typedef struct field {
    int table; /* TSG_CHANGE_* */
    const char *name, *expr;
    const char *update; /* UPDATE of main.<table> row ?nid from folder row ?ynid, or NULL for a list */
} field_t;

static const char *const table_of[] = {"district", "organisation", "program", "forum"};

#define REF(col) "(SELECT id FROM $.node WHERE nid = @." col ")"
#define LISTX(tbl, col) \
    "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM $." tbl " WHERE program = @.nid ORDER BY pos))"
#define MAPPED(col, tbl) \
    "(SELECT mnid FROM temp.asof_map WHERE ynid = (SELECT " col " FROM y." tbl " WHERE nid = ?2))"
#define COPY(tbl, col) "UPDATE main." tbl " SET " col " = (SELECT " col " FROM y." tbl " WHERE nid = ?2) WHERE nid = ?1"

static const field_t fields[] = {
    {TSG_CHANGE_DISTRICT, "name", "@.name", COPY("district", "name")},
    {TSG_CHANGE_DISTRICT, "level", "@.level", COPY("district", "level")},
    {TSG_CHANGE_DISTRICT, "parent", REF("parent"), "UPDATE main.district SET parent = " MAPPED("parent", "district") " WHERE nid = ?1"},
    {TSG_CHANGE_ORGANISATION, "name", "@.name", COPY("organisation", "name")},
    {TSG_CHANGE_ORGANISATION, "sector", "@.sector", COPY("organisation", "sector")},
    {TSG_CHANGE_ORGANISATION, "district", REF("district"),
     "UPDATE main.organisation SET district = " MAPPED("district", "organisation") " WHERE nid = ?1"},
    {TSG_CHANGE_FORUM, "name", "@.name", COPY("forum", "name")},
    {TSG_CHANGE_FORUM, "kind", "@.kind", COPY("forum", "kind")},
    {TSG_CHANGE_FORUM, "district", REF("district"),
     "UPDATE main.forum SET district = " MAPPED("district", "forum") " WHERE nid = ?1"},
    {TSG_CHANGE_PROGRAM, "name", "@.name", COPY("program", "name")},
    {TSG_CHANGE_PROGRAM, "org", REF("org"), "UPDATE main.program SET org = " MAPPED("org", "program") " WHERE nid = ?1"},
    {TSG_CHANGE_PROGRAM, "age_min", "@.age_min", COPY("program", "age_min")},
    {TSG_CHANGE_PROGRAM, "age_max", "@.age_max", COPY("program", "age_max")},
    {TSG_CHANGE_PROGRAM, "approach", "@.approach", COPY("program", "approach")},
    {TSG_CHANGE_PROGRAM, "in_system", "@.in_system", COPY("program", "in_system")},
    {TSG_CHANGE_PROGRAM, "hours", "@.hours", COPY("program", "hours")},
    {TSG_CHANGE_PROGRAM, "starts", "@.starts", COPY("program", "starts")},
    {TSG_CHANGE_PROGRAM, "ends", "@.ends", COPY("program", "ends")},
    {TSG_CHANGE_PROGRAM, "targets", LISTX("program_target", "target"), NULL},
    {TSG_CHANGE_PROGRAM, "needs", LISTX("program_need", "need"), NULL},
    {TSG_CHANGE_PROGRAM, "modes", LISTX("program_mode", "mode"), NULL},
    {TSG_CHANGE_PROGRAM, "area",
     "CASE WHEN @.wide_area THEN '*' ELSE (SELECT group_concat(id, ';') FROM (SELECT n.id FROM $.program_area a"
     " JOIN $.node n ON n.nid = a.district WHERE a.program = @.nid ORDER BY a.pos)) END",
     NULL},
};

/* A list replaced by the folder's: its rows (?1 main nid, ?2 folder nid). */
static const struct {
    const char *name, *del, *ins;
} lists[] = {
    {"targets", "DELETE FROM main.program_target WHERE program = ?1",
     "INSERT INTO main.program_target(program, pos, target) SELECT ?1, pos, target FROM y.program_target WHERE program = ?2"},
    {"needs", "DELETE FROM main.program_need WHERE program = ?1",
     "INSERT INTO main.program_need(program, pos, need) SELECT ?1, pos, need FROM y.program_need WHERE program = ?2"},
    {"modes", "DELETE FROM main.program_mode WHERE program = ?1",
     "INSERT INTO main.program_mode(program, pos, mode) SELECT ?1, pos, mode FROM y.program_mode WHERE program = ?2"},
    {"area", "DELETE FROM main.program_area WHERE program = ?1",
     "INSERT INTO main.program_area(program, pos, district) SELECT ?1, a.pos, m.mnid FROM y.program_area a"
     " JOIN temp.asof_map m ON m.ynid = a.district WHERE a.program = ?2;"},
};

/* text with $ as schema and @ as alias. */
static char *subst(const char *text, const char *schema, const char *alias)
{
    util_buf_t b = {0};
    for (const char *p = text; *p; p++)
        if (*p == '$') util_buf_adds(&b, schema);
        else if (*p == '@') util_buf_adds(&b, alias);
        else util_buf_addc(&b, *p);
    if (util_buf_addc(&b, '\0')) {
        util_buf_free(&b);
        return NULL;
    }
    return b.data;
}

typedef struct run {
    sqlite3 *sql;
    const char *date;
    tsg_error_t *err;
} run_t;

/* Runs sql with ?1 = the date; *changes gets the rows it changed. */
static tsg_status_t exec(run_t *r, const char *sql, long *changes)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(r->sql, sql, &st, r->err);
    if (s) return s;
    if (sqlite3_bind_parameter_count(st) >= 1) sqlite3_bind_text(st, 1, r->date, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) s = store_fail_sql(r->sql, _("import"), r->err);
    else if (changes) *changes += sqlite3_changes(r->sql);
    sqlite3_finalize(st);
    return s;
}

/* Refuses the import when sql (?1 = the date) finds a row the date would
 * end on or before the day it begins: its period would be empty, a row
 * store_check calls damaged and whose exported folder does not import
 * again. (store_dated_after lets a row begin on the date itself, so that a
 * change made by hand that day can be followed by the folder.) */
static tsg_status_t ends_as_it_begins(run_t *r, const char *sql)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(r->sql, sql, &st, r->err);
    if (s) return s;
    sqlite3_bind_text(st, 1, r->date, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = util_fail(r->err, TSG_EINPUT,
                      _("import as of %1$s would end %2$s, which begins on %3$s and is not in the folder, on the day it "
                        "begins: ERASE it if it was a mistake, or use a later date"),
                      r->date, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
    else if (rc != SQLITE_DONE)
        s = store_fail_sql(r->sql, _("import"), r->err);
    sqlite3_finalize(st);
    return s;
}

/* The fields that differ: history rows, then the folder's values. */
static tsg_status_t changed_fields(run_t *r, tsg_change_counts_t *c)
{
    tsg_status_t s = TSG_OK;
    for (size_t i = 0; i < sizeof fields / sizeof *fields && !s; i++) {
        const field_t *f = &fields[i];
        const char *t = table_of[f->table];
        char *mx = subst(f->expr, "main", "m"), *yx = subst(f->expr, "y", "yy");
        /* Rows open in the database (districts have no until). Every piece
         * is static text of this file: the table, the field's name and its
         * expression (no value of the data is ever put in). */
        util_buf_t b = {0};
        char num[16];
        snprintf(num, sizeof num, "%d", f->table);
        const char *parts[] = {"INSERT INTO temp.asof_diff(mnid, ynid, tbl, field, old) SELECT m.nid, yy.nid, ", num, ", '",
                               f->name, "', ", mx, " FROM main.", t, " m JOIN temp.asof_map mp ON mp.mnid = m.nid JOIN y.",
                               t, " yy ON yy.nid = mp.ynid WHERE ",
                               f->table == TSG_CHANGE_DISTRICT ? "1" : "m.until IS NULL", " AND (", mx, ") IS NOT (", yx,
                               ")"};
        int bad = !mx || !yx;
        for (size_t k = 0; k < sizeof parts / sizeof *parts && !bad; k++) bad = util_buf_adds(&b, parts[k]);
        free(mx);
        free(yx);
        if (bad || util_buf_addc(&b, '\0')) {
            util_buf_free(&b);
            return util_fail(r->err, TSG_ENOMEM, _("out of memory"));
        }
        s = exec(r, b.data, NULL);
        util_buf_free(&b);
    }
    if (s || (s = exec(r, "INSERT INTO main.history(nid, field, value, until)"
                          " SELECT mnid, field, CAST(old AS TEXT), ?1 FROM temp.asof_diff ORDER BY rowid", NULL)))
        return s;
    /* The new values, one changed field of one row at a time. */
    sqlite3_stmt *st;
    if ((s = store_prepare(r->sql, "SELECT mnid, ynid, field, tbl FROM temp.asof_diff ORDER BY rowid", &st, r->err)))
        return s;
    int rc;
    while (!s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t mnid = sqlite3_column_int64(st, 0), ynid = sqlite3_column_int64(st, 1);
        const char *field = (const char *)sqlite3_column_text(st, 2);
        int tbl = sqlite3_column_int(st, 3);
        const char *stmts[3] = {NULL, NULL, NULL};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (fields[i].table == tbl && field && !strcmp(fields[i].name, field)) stmts[0] = fields[i].update;
        for (size_t i = 0; !stmts[0] && i < sizeof lists / sizeof *lists; i++)
            if (field && !strcmp(lists[i].name, field)) {
                stmts[0] = lists[i].del;
                stmts[1] = lists[i].ins;
                if (!strcmp(field, "area"))
                    stmts[2] = "UPDATE main.program SET wide_area = (SELECT wide_area FROM y.program WHERE nid = ?2)"
                               " WHERE nid = ?1";
            }
        for (int k = 0; k < 3 && stmts[k] && !s; k++) {
            sqlite3_stmt *u;
            if ((s = store_prepare(r->sql, stmts[k], &u, r->err))) break;
            sqlite3_bind_int64(u, 1, mnid);
            sqlite3_bind_int64(u, 2, ynid);
            if (sqlite3_step(u) != SQLITE_DONE) s = store_fail_sql(r->sql, _("import"), r->err);
            sqlite3_finalize(u);
        }
    }
    sqlite3_finalize(st);
    if (s) return s;
    if ((s = store_prepare(r->sql, "SELECT tbl, count(DISTINCT mnid) FROM temp.asof_diff GROUP BY tbl", &st, r->err)))
        return s;
    while (sqlite3_step(st) == SQLITE_ROW) c->changed[sqlite3_column_int(st, 0)] += sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return s;
}

/* Rows of one table that ended by the date and are open in the folder
 * begin their next period at the date (store_reopen, as ADD … ID does by
 * hand); each counts as added. */
static tsg_status_t reopen(run_t *r, int table, long *added)
{
#define BACK(tbl) "SELECT nid FROM main." tbl " WHERE until IS NOT NULL AND tsg_day(until) <= tsg_day(?1) AND nid IN" \
                  " (SELECT m.mnid FROM y." tbl " yy JOIN temp.asof_map m ON m.ynid = yy.nid WHERE yy.until IS NULL)" \
                  " ORDER BY nid"
    static const char *const back_sql[] = {[TSG_CHANGE_ORGANISATION] = BACK("organisation"),
                                           [TSG_CHANGE_PROGRAM] = BACK("program"), [TSG_CHANGE_FORUM] = BACK("forum")};
#undef BACK
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(r->sql, back_sql[table], &st, r->err);
    if (s) return s;
    sqlite3_bind_text(st, 1, r->date, -1, SQLITE_STATIC);
    /* The nids first: the rows change under the select otherwise. */
    int64_t *nids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while (!s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            int64_t *more = realloc(nids, (cap = cap ? 2 * cap : 16) * sizeof *nids);
            if (!more) {
                s = util_fail(r->err, TSG_ENOMEM, _("out of memory"));
                break;
            }
            nids = more;
        }
        nids[n++] = sqlite3_column_int64(st, 0);
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(r->sql, _("import"), r->err);
    sqlite3_finalize(st);
    for (size_t i = 0; i < n && !s; i++) s = store_reopen(r->sql, table_of[table], nids[i], r->date, r->err);
    if (!s) *added += (long)n;
    free(nids);
    return s;
}

/* The change itself, inside the write transaction. */
static tsg_status_t apply(run_t *r, tsg_change_counts_t *c)
{
    tsg_status_t s;
    long dummy = 0;
    /* An id must name the same kind of node in both. */
    sqlite3_stmt *st;
    if ((s = store_prepare(r->sql, "SELECT yn.id, mn.type, yn.type FROM y.node yn JOIN main.node mn ON mn.id = yn.id"
                                   " WHERE mn.type <> yn.type LIMIT 1", &st, r->err)))
        return s;
    if (sqlite3_step(st) == SQLITE_ROW)
        s = util_fail(r->err, TSG_EINPUT, _("id '%s' is a %s in the database but a %s in the folder"),
                      (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                      (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (s) return s;
    static const char *const setup[] = {
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TEMP TABLE asof_map(ynid INTEGER PRIMARY KEY, mnid INTEGER NOT NULL)",
        "CREATE TEMP TABLE asof_diff(mnid INTEGER, ynid INTEGER, tbl INTEGER, field TEXT, old)",
        "CREATE TEMP TABLE asof_tie(ytid INTEGER PRIMARY KEY, mtid INTEGER)",
        "INSERT OR IGNORE INTO main.vocab(kind, key, label_ja, builtin) SELECT kind, key, label_ja, 0 FROM y.vocab"
        " WHERE builtin = 0",
        "INSERT OR IGNORE INTO main.vocab_alias(kind, alias, key) SELECT a.kind, a.alias, a.key FROM y.vocab_alias a"
        " JOIN y.vocab v ON v.kind = a.kind AND v.key = a.key WHERE v.builtin = 0",
        "INSERT INTO main.node(id, type) SELECT id, type FROM y.node WHERE id NOT IN (SELECT id FROM main.node)"
        " ORDER BY nid",
        "INSERT INTO temp.asof_map(ynid, mnid) SELECT yn.nid, mn.nid FROM y.node yn JOIN main.node mn ON mn.id = yn.id",
    };
    for (size_t i = 0; i < sizeof setup / sizeof *setup && !s; i++) s = exec(r, setup[i], NULL);
    if (s) return s;
    /* Rows that ended by the date and are back in the folder begin a new
     * period there: the earlier since and until are kept in history until
     * the date, so a day between the periods does not see the row. Before
     * the fields are compared, so that a row back under a new name or
     * sector keeps the old one too. */
    for (int t = TSG_CHANGE_ORGANISATION; t <= TSG_CHANGE_FORUM && !s; t++)
        s = reopen(r, t, &c->added[t]);
    /* Fields that differ, before the new rows exist (they have none to compare). */
    if (s || (s = changed_fields(r, c))) return s;
    const struct {
        int table;
        const char *sql;
    } adds[] = {
        {TSG_CHANGE_DISTRICT,
         "INSERT INTO main.district(nid, name, level, parent) SELECT m.mnid, d.name, d.level,"
         " (SELECT mnid FROM temp.asof_map WHERE ynid = d.parent) FROM y.district d JOIN temp.asof_map m ON m.ynid = d.nid"
         " WHERE m.mnid NOT IN (SELECT nid FROM main.district) ORDER BY d.nid"},
        {TSG_CHANGE_ORGANISATION,
         "INSERT INTO main.organisation(nid, name, sector, district, since, until, verified) SELECT m.mnid, o.name,"
         " o.sector, (SELECT mnid FROM temp.asof_map WHERE ynid = o.district), coalesce(o.since, ?1), o.until, o.verified"
         " FROM y.organisation o JOIN temp.asof_map m ON m.ynid = o.nid"
         " WHERE m.mnid NOT IN (SELECT nid FROM main.organisation) ORDER BY o.nid"},
        {TSG_CHANGE_ORGANISATION,
         "UPDATE main.organisation SET until = NULL WHERE until IS NOT NULL AND nid IN"
         " (SELECT m.mnid FROM y.organisation o JOIN temp.asof_map m ON m.ynid = o.nid WHERE o.until IS NULL)"},
        {TSG_CHANGE_FORUM,
         "INSERT INTO main.forum(nid, name, kind, district, since, until, verified) SELECT m.mnid, f.name, f.kind,"
         " (SELECT mnid FROM temp.asof_map WHERE ynid = f.district), coalesce(f.since, ?1), f.until, f.verified"
         " FROM y.forum f JOIN temp.asof_map m ON m.ynid = f.nid WHERE m.mnid NOT IN (SELECT nid FROM main.forum)"
         " ORDER BY f.nid"},
        {TSG_CHANGE_FORUM,
         "UPDATE main.forum SET until = NULL WHERE until IS NOT NULL AND nid IN"
         " (SELECT m.mnid FROM y.forum f JOIN temp.asof_map m ON m.ynid = f.nid WHERE f.until IS NULL)"},
        {TSG_CHANGE_PROGRAM,
         "INSERT INTO main.program(nid, name, org, age_min, age_max, approach, wide_area, in_system, hours, starts, ends,"
         " until, verified) SELECT m.mnid, p.name, (SELECT mnid FROM temp.asof_map WHERE ynid = p.org), p.age_min,"
         " p.age_max, p.approach, p.wide_area, p.in_system, p.hours, coalesce(p.starts, ?1), p.ends, p.until, p.verified"
         " FROM y.program p JOIN temp.asof_map m ON m.ynid = p.nid WHERE m.mnid NOT IN (SELECT nid FROM main.program)"
         " ORDER BY p.nid"},
        {TSG_CHANGE_PROGRAM,
         "UPDATE main.program SET until = NULL WHERE until IS NOT NULL AND nid IN"
         " (SELECT m.mnid FROM y.program p JOIN temp.asof_map m ON m.ynid = p.nid WHERE p.until IS NULL)"},
    };
    for (size_t i = 0; i < sizeof adds / sizeof *adds && !s; i++) s = exec(r, adds[i].sql, &c->added[adds[i].table]);
    /* The new programs' lists: every list row of a program that has none yet. */
    static const char *const new_lists[] = {
        "INSERT INTO main.program_target(program, pos, target) SELECT m.mnid, t.pos, t.target FROM y.program_target t"
        " JOIN temp.asof_map m ON m.ynid = t.program WHERE m.mnid NOT IN (SELECT program FROM main.program_target)"
        " AND m.mnid NOT IN (SELECT mnid FROM temp.asof_diff)",
        "INSERT INTO main.program_need(program, pos, need) SELECT m.mnid, t.pos, t.need FROM y.program_need t"
        " JOIN temp.asof_map m ON m.ynid = t.program WHERE m.mnid NOT IN (SELECT program FROM main.program_need)"
        " AND m.mnid NOT IN (SELECT mnid FROM temp.asof_diff)",
        "INSERT INTO main.program_mode(program, pos, mode) SELECT m.mnid, t.pos, t.mode FROM y.program_mode t"
        " JOIN temp.asof_map m ON m.ynid = t.program WHERE m.mnid NOT IN (SELECT program FROM main.program_mode)"
        " AND m.mnid NOT IN (SELECT mnid FROM temp.asof_diff)",
        "INSERT INTO main.program_area(program, pos, district) SELECT m.mnid, t.pos, d.mnid FROM y.program_area t"
        " JOIN temp.asof_map m ON m.ynid = t.program JOIN temp.asof_map d ON d.ynid = t.district"
        " WHERE m.mnid NOT IN (SELECT program FROM main.program_area) AND m.mnid NOT IN (SELECT mnid FROM temp.asof_diff)",
    };
    for (size_t i = 0; i < sizeof new_lists / sizeof *new_lists && !s; i++) s = exec(r, new_lists[i], &dummy);
    if (s) return s;
    /* Rows open in the database and gone from the folder end at the date. */
    static const struct {
        int table;
        const char *sql;
    } ends[] = {
        {TSG_CHANGE_ORGANISATION,
         "UPDATE main.organisation SET until = ?1 WHERE until IS NULL AND nid NOT IN"
         " (SELECT m.mnid FROM y.organisation o JOIN temp.asof_map m ON m.ynid = o.nid)"},
        {TSG_CHANGE_FORUM,
         "UPDATE main.forum SET until = ?1 WHERE until IS NULL AND nid NOT IN"
         " (SELECT m.mnid FROM y.forum f JOIN temp.asof_map m ON m.ynid = f.nid)"},
        {TSG_CHANGE_PROGRAM,
         "UPDATE main.program SET until = ?1 WHERE until IS NULL AND nid NOT IN"
         " (SELECT m.mnid FROM y.program p JOIN temp.asof_map m ON m.ynid = p.nid)"},
    };
    if ((s = ends_as_it_begins(r, "SELECT n.id, x.since FROM (SELECT nid, since FROM main.organisation WHERE until IS NULL"
                                  " AND nid NOT IN (SELECT m.mnid FROM y.organisation o JOIN temp.asof_map m ON m.ynid = o.nid)"
                                  " UNION ALL SELECT nid, since FROM main.forum WHERE until IS NULL AND nid NOT IN"
                                  " (SELECT m.mnid FROM y.forum f JOIN temp.asof_map m ON m.ynid = f.nid)) x"
                                  " JOIN main.node n ON n.nid = x.nid WHERE tsg_day(x.since) >= tsg_day(?1) ORDER BY n.id LIMIT 1")))
        return s;
    for (size_t i = 0; i < sizeof ends / sizeof *ends && !s; i++) s = exec(r, ends[i].sql, &c->ended[ends[i].table]);
    if (s) return s;
    /* Ties: the folder's open ties matched to the database's open ones. */
    static const char *const ties[] = {
        "INSERT INTO temp.asof_tie(ytid, mtid) SELECT yt.tid, (SELECT mt.tid FROM main.tie mt WHERE mt.until IS NULL"
        " AND mt.kind = yt.kind AND ((mt.src = s.mnid AND mt.dst = d.mnid) OR (mt.directed = 0 AND mt.src = d.mnid"
        " AND mt.dst = s.mnid)) ORDER BY mt.tid LIMIT 1) FROM y.tie yt JOIN temp.asof_map s ON s.ynid = yt.src"
        " JOIN temp.asof_map d ON d.ynid = yt.dst WHERE yt.until IS NULL",
        "INSERT INTO main.history(tid, field, value, until) SELECT mt.tid, 'count', CAST(mt.count AS TEXT), ?1"
        " FROM temp.asof_tie a JOIN main.tie mt ON mt.tid = a.mtid JOIN y.tie yt ON yt.tid = a.ytid"
        " WHERE mt.count IS NOT yt.count",
    };
    if ((s = exec(r, ties[0], NULL))) return s;
    long counted = 0;
    if ((s = exec(r, ties[1], &counted))) return s;
    c->changed[TSG_CHANGE_TIE] += counted;
    static const char *const tie_writes[] = {
        "UPDATE main.tie SET count = (SELECT yt.count FROM temp.asof_tie a JOIN y.tie yt ON yt.tid = a.ytid"
        " WHERE a.mtid = main.tie.tid), verified = coalesce((SELECT yt.verified FROM temp.asof_tie a JOIN y.tie yt"
        " ON yt.tid = a.ytid WHERE a.mtid = main.tie.tid), verified), status = coalesce((SELECT yt.status FROM"
        " temp.asof_tie a JOIN y.tie yt ON yt.tid = a.ytid WHERE a.mtid = main.tie.tid), status)"
        " WHERE tid IN (SELECT mtid FROM temp.asof_tie)",
    };
    if ((s = exec(r, tie_writes[0], NULL))) return s;
    if ((s = ends_as_it_begins(r, "SELECT a.id || ' -> ' || b.id || ' (' || t.kind || ')', t.since FROM main.tie t"
                                  " JOIN main.node a ON a.nid = t.src JOIN main.node b ON b.nid = t.dst"
                                  " WHERE t.until IS NULL AND tsg_day(t.since) >= tsg_day(?1) AND t.tid NOT IN"
                                  " (SELECT mtid FROM temp.asof_tie WHERE mtid IS NOT NULL) ORDER BY t.tid LIMIT 1")))
        return s;
    if ((s = exec(r, "UPDATE main.tie SET until = ?1 WHERE until IS NULL AND tid NOT IN"
                     " (SELECT mtid FROM temp.asof_tie WHERE mtid IS NOT NULL)",
                  &c->ended[TSG_CHANGE_TIE])))
        return s;
    return exec(r, "INSERT INTO main.tie(src, dst, kind, directed, count, since, verified, status)"
                   " SELECT s.mnid, d.mnid, yt.kind, yt.directed, yt.count,"
                   /* never inside an earlier period of the same pair and kind
                    * (ended before, or ending later: REMOVE … ON ahead), which
                    * would count the tie twice on those days */
                   " (SELECT CASE WHEN tsg_day(p.u) > tsg_day(coalesce(yt.since, ?1)) THEN p.u ELSE coalesce(yt.since, ?1) END"
                   "  FROM (SELECT tsg_pair_ended(s.mnid, d.mnid, yt.kind, yt.directed) AS u) p),"
                   " yt.verified, yt.status"
                   " FROM temp.asof_tie a JOIN y.tie yt ON yt.tid = a.ytid JOIN temp.asof_map s ON s.ynid = yt.src"
                   " JOIN temp.asof_map d ON d.ynid = yt.dst WHERE a.mtid IS NULL ORDER BY yt.tid",
                &c->added[TSG_CHANGE_TIE]);
}

tsg_status_t tsg_import_csv_as_of(tsg_db_t *db, const char *dir, tsg_encoding_t enc, const char *date,
                                  tsg_change_counts_t *counts, tsg_error_t *err)
{
    char iso[11];
    tsg_error_t why = {0}; /* the language's rule for a typed date (util_date_check) */
    if (util_date_check(date ? date : "", iso, &why)) return util_fail(err, why.code, _("--as-of: %s"), why.text);
    tsg_change_counts_t c;
    memset(&c, 0, sizeof c);
    /* The folder alone first: every check of the plain import. */
    const char *tmp = getenv("TMPDIR");
    char *scratch = util_printf("%s/tsunagi-asof-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!scratch) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int fd = mkstemp(scratch);
    if (fd < 0) {
        tsg_status_t s = util_fail(err, TSG_EIO, _("cannot make a scratch file in %s"), tmp && *tmp ? tmp : "/tmp");
        free(scratch);
        return s;
    }
    close(fd);
    tsg_db_t *y = NULL;
    tsg_status_t s = tsg_create(scratch, &y, err);
    if (!s) s = store_import_dir(y, dir, enc, 1, NULL, err); /* the database keeps its own history */
    tsg_close(y);
    if (!s) {
        sqlite3_stmt *at;
        if (!(s = store_prepare(db->sql, "ATTACH ?1 AS y", &at, err))) {
            sqlite3_bind_text(at, 1, scratch, -1, SQLITE_STATIC);
            if (sqlite3_step(at) != SQLITE_DONE) s = store_fail_sql(db->sql, _("import"), err);
            sqlite3_finalize(at);
        }
    }
    int attached = !s;
    run_t r = {db->sql, iso, err};
    if (!s && !(s = store_begin(db, err))) {
        s = store_dated_after(db->sql, iso, "import", err);
        if (!s) s = apply(&r, &c);
        if (!s) s = store_commit(db, err);
        else store_rollback(db);
    }
    sqlite3_exec(db->sql, "DROP TABLE IF EXISTS temp.asof_map; DROP TABLE IF EXISTS temp.asof_diff;"
                          " DROP TABLE IF EXISTS temp.asof_tie", NULL, NULL, NULL);
    if (attached) sqlite3_exec(db->sql, "DETACH y", NULL, NULL, NULL);
    for (const char *suffix = ""; suffix; suffix = !*suffix ? "-wal" : !strcmp(suffix, "-wal") ? "-shm" : NULL) {
        char *f = util_printf("%s%s", scratch, suffix);
        if (f) unlink(f);
        free(f);
    }
    free(scratch);
    if (!s && counts) *counts = c;
    return s;
}
