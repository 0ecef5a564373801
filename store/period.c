/* period — when a row exists; see period.h. */
#include "period.h"
#include "store.h"
#include "bounds.h"
#include "i18n.h"

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
