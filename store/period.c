/* period — when a row exists; see period.h. */
#include "period.h"
#include "store.h"
#include "bounds.h"
#include "i18n.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int store_exists_at(const char *since, const char *until, long day)
{
    long first = since ? util_date_first(since) : 0, end = until ? util_date_first(until) : 0;
    return (!first || first <= day) && (!end || day < end);
}

/* tsg_day(text): the first day of a date as YYYYMMDD, NULL when none. */
static void fn_day(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    long d = sqlite3_value_type(argv[0]) == SQLITE_NULL ? 0 : util_date_first((const char *)sqlite3_value_text(argv[0]));
    if (d) sqlite3_result_int64(cx, d);
    else sqlite3_result_null(cx);
}

/* tsg_exists(since, until, day). */
static void fn_exists(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *since = sqlite3_value_type(argv[0]) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(argv[0]);
    const char *until = sqlite3_value_type(argv[1]) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(argv[1]);
    sqlite3_result_int(cx, store_exists_at(since, until, (long)sqlite3_value_int64(argv[2])));
}

/* One text (or NULL) that a query of the connection gives for the bound
 * arguments: the result of the two functions below. */
static void fn_query(sqlite3_context *cx, const char *text, int argc, sqlite3_value **argv)
{
    sqlite3 *sql = sqlite3_context_db_handle(cx);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sql, text, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_result_error(cx, sqlite3_errmsg(sql), -1);
        return;
    }
    for (int i = 0; i < argc; i++) sqlite3_bind_value(st, i + 1, argv[i]);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) sqlite3_result_value(cx, sqlite3_column_value(st, 0));
    else if (rc == SQLITE_DONE) sqlite3_result_null(cx);
    else sqlite3_result_error(cx, sqlite3_errmsg(sql), -1);
    sqlite3_finalize(st);
}

/* tsg_ended_by(nid, day): see period.h. A program ends with its
 * organisation, so the organisation's end counts for it too. */
static void fn_ended_by(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    fn_query(cx,
             "SELECT u FROM (SELECT until AS u FROM main.organisation WHERE nid = ?1"
             " UNION ALL SELECT until FROM main.forum WHERE nid = ?1 UNION ALL SELECT until FROM main.program WHERE nid = ?1"
             " UNION ALL SELECT o.until FROM main.program p JOIN main.organisation o ON o.nid = p.org WHERE p.nid = ?1)"
             " WHERE u IS NOT NULL AND tsg_day(u) <= tsg_day(?2) ORDER BY tsg_day(u) LIMIT 1",
             argc, argv);
}

/* tsg_pair_ended(src, dst, kind, directed): see period.h. */
static void fn_pair_ended(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    fn_query(cx,
             "SELECT until FROM main.tie WHERE until IS NOT NULL AND kind = ?3"
             " AND ((src = ?1 AND dst = ?2) OR (?4 = 0 AND src = ?2 AND dst = ?1)) ORDER BY tsg_day(until) DESC LIMIT 1",
             argc, argv);
}

tsg_status_t store_period_functions(sqlite3 *sql, tsg_error_t *err)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    /* The two that read the tables are neither deterministic (the rows
     * change) nor for a view or trigger's use. */
    int reads = SQLITE_UTF8 | SQLITE_DIRECTONLY;
    if (sqlite3_create_function(sql, "tsg_day", 1, flags, NULL, fn_day, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(sql, "tsg_exists", 3, flags, NULL, fn_exists, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(sql, "tsg_ended_by", 2, reads, NULL, fn_ended_by, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(sql, "tsg_pair_ended", 4, reads, NULL, fn_pair_ended, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(sql, _("database"), err);
    return TSG_OK;
}

/* See period.h. */
tsg_status_t store_reopen(sqlite3 *sql, const char *table, int64_t nid, const char *day, tsg_error_t *err)
{
    /* Static statements by table. Programs have no since: their until alone
     * (they did not exist between). */
    static const struct {
        const char *table, *keep, *open;
    } by[] = {
        {"organisation",
         "INSERT INTO main.history(nid, field, value, until) SELECT nid, 'since', since, ?2 FROM main.organisation"
         " WHERE nid = ?1 UNION ALL SELECT nid, 'until', until, ?2 FROM main.organisation WHERE nid = ?1",
         "UPDATE main.organisation SET since = ?2, until = NULL WHERE nid = ?1"},
        {"forum",
         "INSERT INTO main.history(nid, field, value, until) SELECT nid, 'since', since, ?2 FROM main.forum"
         " WHERE nid = ?1 UNION ALL SELECT nid, 'until', until, ?2 FROM main.forum WHERE nid = ?1",
         "UPDATE main.forum SET since = ?2, until = NULL WHERE nid = ?1"},
        {"program", "INSERT INTO main.history(nid, field, value, until) SELECT nid, 'until', until, ?2 FROM main.program"
                    " WHERE nid = ?1",
         "UPDATE main.program SET until = NULL WHERE nid = ?1"},
    };
    size_t t = 0;
    while (t < sizeof by / sizeof by[0] && strcmp(by[t].table, table)) t++;
    if (t == sizeof by / sizeof by[0]) return util_fail(err, TSG_EINPUT, "%s: %s", _("database"), table); /* a caller's mistake: no such table */
    tsg_status_t s = TSG_OK;
    for (int i = 0; i < 2 && !s; i++) {
        sqlite3_stmt *st;
        if ((s = store_prepare(sql, i ? by[t].open : by[t].keep, &st, err))) break;
        sqlite3_bind_int64(st, 1, nid);
        sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) s = store_fail_sql(sql, _("database"), err);
        sqlite3_finalize(st);
    }
    return s;
}

/* See store.h. */
tsg_status_t store_dated_after(sqlite3 *sql, const char *iso, const char *what, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(
        sql,
        "WITH d(v) AS (SELECT until FROM history UNION ALL SELECT since FROM organisation"
        " UNION ALL SELECT since FROM forum UNION ALL SELECT since FROM tie)"
        " SELECT v FROM d WHERE v IS NOT NULL AND tsg_day(v) > tsg_day(?1) ORDER BY tsg_day(v) DESC LIMIT 1",
        &st, err);
    if (s) return s;
    sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = util_fail(err, TSG_EINPUT,
                      _("%1$s as of %2$s would come before a change the database already dates %3$s (a SET … ON, or a row "
                        "that begins then): bring the years in in order, or use a date on or after %3$s"),
                      what, iso, (const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_DONE)
        s = store_fail_sql(sql, _("database"), err);
    sqlite3_finalize(st);
    return s;
}
