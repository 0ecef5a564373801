/*
 * sqlfunc — the SQL functions the evaluators' queries call, registered on
 * the session's connection: tsg_under(d, anc), district ancestry from the
 * session's cache of parents, and tsg_match(text, pattern), a comparison
 * ignoring width and case with '*' as a wildcard.
 */
#include "query.h"
#include "util.h"

#include <stdlib.h>

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

tsg_status_t qry_register_functions(qry_session_t *s)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(s->sql, "tsg_under", 2, flags, s, fn_under, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_match", 2, flags, s, fn_match, NULL, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    return TSG_OK;
}
