/*
 * sqlfunc — the SQL functions the evaluators' queries call, registered on
 * the session's connection: tsg_under(d, anc), district ancestry from the
 * session's cache of parents, and tsg_match(text, pattern), a comparison
 * ignoring width and case with '*' as a wildcard; tsg_as_of(), the day the
 * running statement reads (session.c), and the dated tables the readers'
 * SQL selects from (qry_dated_tables).
 */
#include "query.h"
#include "util.h"

#include "bounds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tsg_as_of(): the running statement's day, YYYYMMDD (today without AS OF
 * or .asof). Not deterministic: it changes between statements. */
static void fn_as_of(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    const qry_session_t *s = sqlite3_user_data(cx);
    sqlite3_result_int64(cx, s->as_of ? s->as_of : util_today());
}

/* tsg_under(d, anc): whether district d is anc or below it on the
 * statement's day (a parent SET … ON a later day is not yet the parent). */
static void fn_under(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    qry_session_t *s = sqlite3_user_data(cx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(cx, 0);
        return;
    }
    sqlite3_result_int(cx, qry_under_day(s, sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1])));
}

/* Whether folded text matches a folded pattern in which '*' stands for any
 * run. Linear: only the last '*' is ever backtracked to (bytes compare
 * equal exactly when the UTF-8 characters do). */
static int glob(const char *t, const char *p)
{
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            while (*p == '*') p++;
            star = p;
            resume = t;
        } else if (*p && *p == *t) {
            p++;
            t++;
        } else if (star) {
            p = star;
            t = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*') p++;
    return !*p;
}

/* tsg_match(text, pattern): equal ignoring width and case; '*' is a wildcard. */
static void fn_match(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]), *p = (const char *)sqlite3_value_text(argv[1]);
    if (!t || !p) {
        sqlite3_result_int(cx, 0);
        return;
    }
    char *ft = util_fold(t), *fp = util_fold(p);
    if (!ft || !fp) sqlite3_result_error_nomem(cx);
    else sqlite3_result_int(cx, glob(ft, fp));
    free(ft);
    free(fp);
}

/* The dated tables: the rows that exist on tsg_as_of() (store/period.h's
 * rule, tsg_exists), each field with its value of that day from `history`
 * (store/netpast.h's rule: the history row with the smallest until after
 * the day, else the row's own value). past_at holds those history rows,
 * one per node or tie and field; a row without one reads its own columns.
 * The tables are copied once per day and change, indexed, because a
 * reader looks into them for every row (views computed on each look took
 * seconds for a TIED TO on the sample city). A reader's SQL says
 * organisation_at where it said organisation, program_target_at where it
 * said program_target, and nothing else changes; writers keep the tables.
 *
 * An organisation's or forum's since and until are fields like the others:
 * a row that ended and began again keeps its earlier period in history
 * (decisions.md, "Issue 21: history and AS OF, the remaining parts"), so
 * it exists on a day by the day's since and until. A program's lists (targets, needs,
 * modes, area) are kept as the CSV's ';' list: the day's list is split
 * back into rows here, an area's districts by id ('*' is wide_area). */
#define PJ(f) " LEFT JOIN temp.past_at p_" f " ON p_" f ".nid = x.nid AND p_" f ".field = '" f "'"
#define PV(f) " iif(p_" f ".nid IS NULL, x." f ", p_" f ".value) AS " f
#define PN(f) " iif(p_" f ".nid IS NULL, x." f ", CAST(p_" f ".value AS INTEGER)) AS " f
/* When a row was last verified, as known on the day: a later check is not
 * yet known then (the history keeps no earlier verified dates). */
#define VER(a) " iif(tsg_day(" a ".verified) <= tsg_as_of(), " a ".verified, NULL) AS verified"
#define PR(f) " iif(p_" f ".nid IS NULL, x." f ", (SELECT r.nid FROM main.node r WHERE r.id = p_" f ".value)) AS " f
/* The day's list of field f of the programs in program_at as rows
 * (program, pos, col): the table's rows where no past list holds that day,
 * else the past list split at ';' (item maps the text to the column). */
#define LIST_AT(tbl, f, col, item)                                                                                  \
    "CREATE TEMP TABLE " tbl "_at AS WITH RECURSIVE s(program, pos, item, rest) AS ("                                \
    " SELECT h.nid, -1, NULL, h.value || ';' FROM temp.past_at h JOIN temp.program_at p ON p.nid = h.nid"             \
    "  WHERE h.field = '" f "' AND h.value IS NOT NULL AND h.value <> '*'"                                           \
    " UNION ALL SELECT program, pos + 1, substr(rest, 1, instr(rest, ';') - 1), substr(rest, instr(rest, ';') + 1)"  \
    "  FROM s WHERE rest <> '')"                                                                                     \
    " SELECT t.program, t.pos, t." col " FROM main." tbl " t JOIN temp.program_at p ON p.nid = t.program"            \
    "  WHERE NOT EXISTS (SELECT 1 FROM temp.past_at h WHERE h.nid = t.program AND h.field = '" f "')"                \
    " UNION ALL SELECT program, pos, " item " FROM s WHERE pos >= 0 AND item <> '';"                                 \
    "CREATE INDEX temp." tbl "_at_program ON " tbl "_at(program);"

static const char dated_tables[] =
    "CREATE TEMP TABLE past_at AS SELECT nid, tid, field, value FROM (SELECT h.nid, h.tid, h.field, h.value,"
    " row_number() OVER (PARTITION BY h.nid, h.tid, h.field ORDER BY tsg_day(h.until), h.hid) AS k"
    " FROM main.history h WHERE tsg_day(h.until) > tsg_as_of()) WHERE k = 1;"
    "CREATE INDEX temp.past_at_nid ON past_at(nid, field);"
    "CREATE INDEX temp.past_at_tid ON past_at(tid, field);"
    "CREATE TEMP TABLE organisation_at AS SELECT * FROM (SELECT x.nid," PV("name") "," PV("sector") "," PR("district") ","
    PV("since") "," PV("until") "," VER("x") " FROM main.organisation x" PJ("name") PJ("sector") PJ("district") PJ("since")
    PJ("until") ") WHERE tsg_exists(since, until, tsg_as_of());"
    "CREATE UNIQUE INDEX temp.organisation_at_nid ON organisation_at(nid);"
    "CREATE TEMP TABLE forum_at AS SELECT * FROM (SELECT x.nid," PV("name") "," PV("kind") "," PR("district") ","
    PV("since") "," PV("until") "," VER("x") " FROM main.forum x" PJ("name") PJ("kind") PJ("district") PJ("since")
    PJ("until") ") WHERE tsg_exists(since, until, tsg_as_of());"
    "CREATE UNIQUE INDEX temp.forum_at_nid ON forum_at(nid);"
    /* A program lives while its until is ahead and its organisation of the day exists. */
    "CREATE TEMP TABLE program_at AS SELECT * FROM (SELECT x.nid," PV("name") "," PR("org") "," PN("age_min") ","
    PN("age_max") "," PV("approach") ", iif(p_area.nid IS NULL, x.wide_area, coalesce(p_area.value = '*', 0)) AS wide_area,"
    PV("in_system") "," PV("hours") "," PV("starts") "," PV("ends") "," PV("until") "," VER("x") " FROM main.program x"
    PJ("name") PJ("org") PJ("age_min") PJ("age_max") PJ("approach") PJ("area") PJ("in_system") PJ("hours") PJ("starts")
    PJ("ends") PJ("until") ") y WHERE tsg_exists(NULL, until, tsg_as_of())"
    " AND EXISTS (SELECT 1 FROM temp.organisation_at o WHERE o.nid = y.org);"
    "CREATE UNIQUE INDEX temp.program_at_nid ON program_at(nid);"
    "CREATE INDEX temp.program_at_org ON program_at(org);"
    "CREATE TEMP TABLE node_at AS SELECT n.* FROM main.node n WHERE CASE n.type WHEN 'district' THEN 1"
    " WHEN 'organisation' THEN n.nid IN (SELECT nid FROM temp.organisation_at)"
    " WHEN 'program' THEN n.nid IN (SELECT nid FROM temp.program_at)"
    " ELSE n.nid IN (SELECT nid FROM temp.forum_at) END;"
    "CREATE UNIQUE INDEX temp.node_at_nid ON node_at(nid);"
    /* The tie table's columns, in its order, the count the day's. */
    "CREATE TEMP TABLE tie_at AS SELECT t.tid, t.src, t.dst, t.kind, t.directed,"
    " iif(c.tid IS NULL, t.count, CAST(c.value AS INTEGER)) AS count, t.since, t.until,"
    VER("t") ", t.status"
    " FROM main.tie t LEFT JOIN temp.past_at c ON c.tid = t.tid AND c.field = 'count'"
    " WHERE tsg_exists(t.since, t.until, tsg_as_of())"
    " AND t.src IN (SELECT nid FROM temp.node_at) AND t.dst IN (SELECT nid FROM temp.node_at);"
    "CREATE INDEX temp.tie_at_src ON tie_at(src, kind);"
    "CREATE INDEX temp.tie_at_dst ON tie_at(dst, kind);"
    LIST_AT("program_target", "targets", "target", "item")
    LIST_AT("program_need", "needs", "need", "item")
    LIST_AT("program_mode", "modes", "mode", "item")
    LIST_AT("program_area", "area", "district", "(SELECT r.nid FROM main.node r WHERE r.id = item)")
    "CREATE INDEX temp.program_area_at_district ON program_area_at(district);";

/* The dated names as views over the tables, for a day no history row
 * reaches (no row of `history` ends after it): then each field's value of
 * the day is the row's own, and the day's rows are the tables' rows that
 * exist on it, their lists the tables' lists. The same rows and columns as
 * dated_tables gives with past_at empty, read where the statement looks
 * instead of copied whole: a cold statement on a national file pays for the
 * rows it reads, not the 7 million it might (docs/decisions.md, "Issue 23:
 * lazy dated tables and lazy cache"). Existence checks are correlated
 * EXISTS, not IN (SELECT …), which SQLite would build as a whole list. */
#define ORG_LIVE(n) "EXISTS (SELECT 1 FROM main.organisation o WHERE o.nid = " n " AND tsg_exists(o.since, o.until, tsg_as_of()))"
#define TIE_ENDS "AND EXISTS (SELECT 1 FROM temp.node_at a WHERE a.nid = t.src) AND EXISTS (SELECT 1 FROM temp.node_at b WHERE b.nid = t.dst)"
#define LIST_VIEW(tbl, col) \
    "CREATE TEMP VIEW " tbl "_at(program, pos, " col ") AS SELECT t.program, t.pos, t." col " FROM main." tbl " t"  \
    " WHERE EXISTS (SELECT 1 FROM temp.program_at p WHERE p.nid = t.program);"
static const char dated_views[] =
    "CREATE TEMP VIEW organisation_at(nid, name, sector, district, since, until, verified) AS"
    " SELECT x.nid, x.name, x.sector, x.district, x.since, x.until," VER("x") " FROM main.organisation x"
    " WHERE tsg_exists(x.since, x.until, tsg_as_of());"
    "CREATE TEMP VIEW forum_at(nid, name, kind, district, since, until, verified) AS"
    " SELECT x.nid, x.name, x.kind, x.district, x.since, x.until," VER("x") " FROM main.forum x"
    " WHERE tsg_exists(x.since, x.until, tsg_as_of());"
    "CREATE TEMP VIEW program_at(nid, name, org, age_min, age_max, approach, wide_area, in_system, hours, starts, ends,"
    " until, verified) AS SELECT x.nid, x.name, x.org, x.age_min, x.age_max, x.approach, x.wide_area, x.in_system,"
    " x.hours, x.starts, x.ends, x.until," VER("x") " FROM main.program x"
    " WHERE tsg_exists(NULL, x.until, tsg_as_of()) AND " ORG_LIVE("x.org") ";"
    "CREATE TEMP VIEW node_at(nid, id, type) AS SELECT n.nid, n.id, n.type FROM main.node n WHERE CASE n.type"
    " WHEN 'district' THEN 1 WHEN 'organisation' THEN " ORG_LIVE("n.nid")
    " WHEN 'program' THEN EXISTS (SELECT 1 FROM main.program p WHERE p.nid = n.nid"
    "  AND tsg_exists(NULL, p.until, tsg_as_of()) AND " ORG_LIVE("p.org") ")"
    " ELSE EXISTS (SELECT 1 FROM main.forum f WHERE f.nid = n.nid AND tsg_exists(f.since, f.until, tsg_as_of())) END;"
    /* One SELECT, not open and ended ties apart (the open ones' index,
     * tie_open, serves a look-up by src only where the query says until IS
     * NULL): SQLite flattens a plain view into a join or an OR of look-ups,
     * where a compound one is read whole (a SHOW took seconds). */
    "CREATE TEMP VIEW tie_at(tid, src, dst, kind, directed, count, since, until, verified, status) AS"
    " SELECT t.tid, t.src, t.dst, t.kind, t.directed, t.count, t.since, t.until," VER("t") ", t.status FROM main.tie t"
    " WHERE tsg_exists(t.since, t.until, tsg_as_of()) " TIE_ENDS ";"
    LIST_VIEW("program_target", "target")
    LIST_VIEW("program_need", "need")
    LIST_VIEW("program_mode", "mode")
    LIST_VIEW("program_area", "district");

/* The dated names, whichever they are now (tables or views), dropped:
 * each name with its two statements, literals. */
#define DATED_NAME(n) {#n, "DROP TABLE temp." #n, "DROP VIEW temp." #n}
static const struct {
    const char *name, *drop_table, *drop_view;
} dated_names[] = {
    DATED_NAME(program_target_at), DATED_NAME(program_need_at), DATED_NAME(program_mode_at),
    DATED_NAME(program_area_at),   DATED_NAME(tie_at),          DATED_NAME(node_at),
    DATED_NAME(program_at),        DATED_NAME(forum_at),        DATED_NAME(organisation_at),
    DATED_NAME(past_at),
};

static int drop_dated(sqlite3 *sql)
{
    for (size_t i = 0; i < sizeof dated_names / sizeof *dated_names; i++) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(sql, "SELECT type = 'view' FROM temp.sqlite_master WHERE name = ?", -1, &q, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_text(q, 1, dated_names[i].name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q), view = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -1;
        if (rc == SQLITE_ROW && view && sqlite3_exec(sql, dated_names[i].drop_view, NULL, NULL, NULL) != SQLITE_OK) return -1;
        if (rc == SQLITE_ROW && !view && sqlite3_exec(sql, dated_names[i].drop_table, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

/* Whether a history row reaches day: one that ends after it holds a value
 * the day reads instead of the row's own. 1, 0, or -1 on error. */
static int history_reaches(sqlite3 *sql, long day)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(sql, "SELECT 1 FROM main.history WHERE tsg_day(until) > ? LIMIT 1", -1, &q, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(q, 1, day);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

tsg_status_t qry_dated_tables(qry_session_t *s)
{
    tsg_status_t st = qry_check_version(s);
    if (st) return st;
    long day = s->as_of ? s->as_of : util_today();
    if (s->dated_made && s->dated_day == day) return TSG_OK;
    s->dated_made = 0;
    if (sqlite3_exec(s->sql, "SAVEPOINT tsg_dated", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
    /* TSUNAGI_DATED=copy copies the rows whatever the day (tests compare
     * the two ways). */
    const char *how = getenv("TSUNAGI_DATED");
    int copied = how && !strcmp(how, "copy") ? 1 : history_reaches(s->sql, day);
    int made = copied >= 0 && !drop_dated(s->sql);
    if (made && copied) made = sqlite3_exec(s->sql, dated_tables, NULL, NULL, NULL) == SQLITE_OK;
    else if (made) made = sqlite3_exec(s->sql, dated_views, NULL, NULL, NULL) == SQLITE_OK;
    if (!made) {
        st = qry_fail_sql(s, NULL);
        sqlite3_exec(s->sql, "ROLLBACK TO tsg_dated; RELEASE tsg_dated;", NULL, NULL, NULL);
        return st;
    }
    if (sqlite3_exec(s->sql, "RELEASE tsg_dated", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
    if ((st = qry_day_parents(s, copied))) return st;
    s->dated_made = 1;
    s->dated_day = day;
    return TSG_OK;
}

tsg_status_t qry_register_functions(qry_session_t *s)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(s->sql, "tsg_under", 2, flags, s, fn_under, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_match", 2, flags, s, fn_match, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_as_of", 0, SQLITE_UTF8, s, fn_as_of, NULL, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    s->db->functions_of = s;
    return TSG_OK;
}

tsg_status_t qry_claim_functions(qry_session_t *s)
{
    if (s->db->functions_of == s) return TSG_OK;
    /* Another session on this connection registered its own, or closed
     * and took them away: the dated names were made for it (or dropped). */
    s->dated_made = 0;
    return qry_register_functions(s);
}

void qry_unregister_functions(qry_session_t *s)
{
    /* The session's dated names and functions go with it: the connection
     * outlives a session (tsunagi summary opens one and closes it), and a
     * view or a later query calling tsg_as_of would reach the freed
     * session. Errors are ignored: nothing is left to report them to.
     * When another session holds them now, they are its own. */
    if (s->db->functions_of != s) return;
    s->db->functions_of = NULL;
    drop_dated(s->sql);
    s->dated_made = 0;
    sqlite3_create_function(s->sql, "tsg_under", 2, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    sqlite3_create_function(s->sql, "tsg_match", 2, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    sqlite3_create_function(s->sql, "tsg_as_of", 0, SQLITE_UTF8, NULL, NULL, NULL, NULL);
}
