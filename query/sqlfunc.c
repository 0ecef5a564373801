/*
 * sqlfunc — the SQL functions the evaluators' queries call, registered on
 * the session's connection: tsg_under(d, anc), district ancestry from the
 * session's cache of parents, and tsg_match(text, pattern), a comparison
 * ignoring width and case with '*' as a wildcard; tsg_as_of(), the day the
 * running statement reads (session.c), and the dated views the readers'
 * SQL selects from (qry_dated_views).
 */
#include "query.h"
#include "util.h"

#include "bounds.h"

#include <stdlib.h>

/* tsg_as_of(): the running statement's day, YYYYMMDD (today without AS OF
 * or .asof). Not deterministic: it changes between statements. */
static void fn_as_of(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    const qry_session_t *s = sqlite3_user_data(cx);
    sqlite3_result_int64(cx, s->as_of ? s->as_of : util_today());
}

/* A field's value on tsg_as_of(), for the row aliased x: the history
 * row with the smallest until after the day (store/netpast.h's rule),
 * else the row's own value. (history.value is text: numbers are cast.) */
#define PAST_WHERE(f) "FROM main.history h WHERE h.nid = x.nid AND h.field = '" f "' AND tsg_day(h.until) > tsg_as_of()"
#define PAST(f, value)                                                                                       \
    " iif(EXISTS (SELECT 1 " PAST_WHERE(f) "), (SELECT " value " " PAST_WHERE(f)                              \
    " ORDER BY tsg_day(h.until) LIMIT 1), x." f ") AS " f

/* The rows that exist on tsg_as_of(), by the rule of store/period.h
 * (tsg_exists), with the values they had that day: organisations and
 * forums in their period, programs before their until while their
 * organisation exists, nodes that are one of those (districts always),
 * ties in their period between two nodes that exist. Views of the
 * session's connection (TEMP), with the tables' own columns. Readers
 * do not read these views: a view is computed again for every row that
 * looks into it (a TIED TO over tie_atv took seconds on the sample city),
 * so qry_dated_tables copies them into indexed TEMP tables of the same
 * names without the v, once per day and change; a reader's SQL says
 * organisation_at where it said organisation and nothing else changes;
 * writers keep the tables. The lists of a program (targets,
 * needs, modes, area) are read as they are now. */
static const char dated_views[] =
    "CREATE TEMP VIEW IF NOT EXISTS organisation_atv AS SELECT x.nid," PAST("name", "h.value") "," PAST("sector", "h.value") ","
    " x.district, x.since, x.until, x.verified"
    " FROM main.organisation x WHERE tsg_exists(x.since, x.until, tsg_as_of());"
    "CREATE TEMP VIEW IF NOT EXISTS forum_atv AS SELECT x.nid," PAST("name", "h.value") "," PAST("kind", "h.value") ","
    " x.district, x.since, x.until, x.verified"
    " FROM main.forum x WHERE tsg_exists(x.since, x.until, tsg_as_of());"
    "CREATE TEMP VIEW IF NOT EXISTS program_atv AS SELECT x.nid," PAST("name", "h.value") ", x.org,"
    PAST("age_min", "CAST(h.value AS INTEGER)") "," PAST("age_max", "CAST(h.value AS INTEGER)") "," PAST("approach", "h.value") ", x.wide_area,"
    PAST("in_system", "h.value") "," PAST("hours", "h.value") "," PAST("starts", "h.value") "," PAST("ends", "h.value") ", x.until, x.verified"
    " FROM main.program x WHERE tsg_exists(NULL, x.until, tsg_as_of())"
    " AND EXISTS (SELECT 1 FROM main.organisation o WHERE o.nid = x.org AND tsg_exists(o.since, o.until, tsg_as_of()));"
    "CREATE TEMP VIEW IF NOT EXISTS node_atv AS"
    " SELECT n.* FROM main.node n WHERE CASE n.type WHEN 'district' THEN 1"
    "  WHEN 'organisation' THEN EXISTS (SELECT 1 FROM main.organisation o WHERE o.nid = n.nid"
    "   AND tsg_exists(o.since, o.until, tsg_as_of()))"
    "  WHEN 'program' THEN EXISTS (SELECT 1 FROM main.program p JOIN main.organisation o ON o.nid = p.org"
    "   WHERE p.nid = n.nid AND tsg_exists(NULL, p.until, tsg_as_of()) AND tsg_exists(o.since, o.until, tsg_as_of()))"
    "  ELSE EXISTS (SELECT 1 FROM main.forum f WHERE f.nid = n.nid AND tsg_exists(f.since, f.until, tsg_as_of())) END;"
    "CREATE TEMP VIEW IF NOT EXISTS tie_atv AS"
    " SELECT t.* FROM main.tie t WHERE tsg_exists(t.since, t.until, tsg_as_of())"
    " AND EXISTS (SELECT 1 FROM node_atv a WHERE a.nid = t.src) AND EXISTS (SELECT 1 FROM node_atv b WHERE b.nid = t.dst);";

/* tsg_under(d, anc): whether district d is anc or below it. */
static void fn_under(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    qry_session_t *s = sqlite3_user_data(cx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(cx, 0);
        return;
    }
    sqlite3_result_int(cx, qry_under(s, sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1])));
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

/* The dated tables the readers use, made from the views. */
static const char dated_tables[] =
    "DROP TABLE IF EXISTS temp.organisation_at; DROP TABLE IF EXISTS temp.forum_at;"
    "DROP TABLE IF EXISTS temp.program_at; DROP TABLE IF EXISTS temp.node_at; DROP TABLE IF EXISTS temp.tie_at;"
    "CREATE TEMP TABLE node_at AS SELECT * FROM node_atv;"
    "CREATE UNIQUE INDEX temp.node_at_nid ON node_at(nid);"
    "CREATE TEMP TABLE organisation_at AS SELECT * FROM organisation_atv;"
    "CREATE UNIQUE INDEX temp.organisation_at_nid ON organisation_at(nid);"
    "CREATE TEMP TABLE forum_at AS SELECT * FROM forum_atv;"
    "CREATE UNIQUE INDEX temp.forum_at_nid ON forum_at(nid);"
    "CREATE TEMP TABLE program_at AS SELECT * FROM program_atv;"
    "CREATE UNIQUE INDEX temp.program_at_nid ON program_at(nid);"
    "CREATE INDEX temp.program_at_org ON program_at(org);"
    "CREATE TEMP TABLE tie_at AS SELECT * FROM tie_atv;"
    "CREATE INDEX temp.tie_at_src ON tie_at(src, kind);"
    "CREATE INDEX temp.tie_at_dst ON tie_at(dst, kind);";

tsg_status_t qry_dated_tables(qry_session_t *s)
{
    tsg_status_t st = qry_check_version(s);
    if (st) return st;
    long day = s->as_of ? s->as_of : util_today();
    if (s->dated_made && s->dated_day == day) return TSG_OK;
    s->dated_made = 0;
    if (sqlite3_exec(s->sql, "SAVEPOINT tsg_dated", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
    if (sqlite3_exec(s->sql, dated_tables, NULL, NULL, NULL) != SQLITE_OK) {
        st = qry_fail_sql(s, NULL);
        sqlite3_exec(s->sql, "ROLLBACK TO tsg_dated; RELEASE tsg_dated;", NULL, NULL, NULL);
        return st;
    }
    if (sqlite3_exec(s->sql, "RELEASE tsg_dated", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
    s->dated_made = 1;
    s->dated_day = day;
    return TSG_OK;
}

tsg_status_t qry_register_functions(qry_session_t *s)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(s->sql, "tsg_under", 2, flags, s, fn_under, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_match", 2, flags, s, fn_match, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_as_of", 0, SQLITE_UTF8, s, fn_as_of, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->sql, dated_views, NULL, NULL, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    return TSG_OK;
}
