/* period — when a row exists; see period.h. */
#include "period.h"
#include "store.h"
#include "bounds.h"
#include "i18n.h"
#include "util.h"

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

tsg_status_t store_period_functions(sqlite3 *sql, tsg_error_t *err)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(sql, "tsg_day", 1, flags, NULL, fn_day, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(sql, "tsg_exists", 3, flags, NULL, fn_exists, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(sql, _("database"), err);
    return TSG_OK;
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
