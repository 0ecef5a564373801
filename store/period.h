/*
 * period — when a row exists (issue 21's history): organisations and forums
 * from `since` until `until`, programs until `until`, ties from `since` until
 * `until`; `until` is exclusive (a row ended ON '2026-04-01' is gone that
 * day). Dates are stored as the CSV gives them ('YYYY', 'YYYY-MM' or
 * 'YYYY-MM-DD') and compared by their first day (util_date_first), so
 * since '2026' begins on 2026-01-01 and until '2026' ends before it.
 *
 * The same rule for SQL: store_period_functions registers, on every
 * connection store.c opens,
 *   tsg_day(text)               the date's first day as YYYYMMDD, NULL for
 *                               NULL or a text that is no date;
 *   tsg_exists(since, until, d) 1 when a row with that period exists on day
 *                               d (YYYYMMDD), else 0;
 *   tsg_ended_by(nid, date)     the earliest end (until) on or before date of
 *                               node nid, or for a program of it or its
 *                               organisation; NULL when it has not ended
 *                               by then (the one "has this node ended");
 *   tsg_pair_ended(src, dst, kind, directed)
 *                               the latest until of the ended ties from src
 *                               to dst of that kind (an undirected one either
 *                               way round), NULL for none: where a new tie of
 *                               the pair may begin, never inside an old one.
 * The last two read the tables (main), so they are for statements, not
 * views or triggers.
 */
#ifndef TSG_STORE_PERIOD_H
#define TSG_STORE_PERIOD_H

#include "tsunagi.h"
#include <sqlite3.h>
#include <stdint.h>

/* Whether a row with this period (either end NULL: open) exists on day
 * (YYYYMMDD). A date that does not parse counts as open. */
int store_exists_at(const char *since, const char *until, long day);

tsg_status_t store_period_functions(sqlite3 *sql, tsg_error_t *err);

/* An organisation, forum or program (table: its table's name) that ended
 * begins its next period on day: its since (none for a program) and until
 * kept in history until day, since = day and until cleared. A day between
 * the periods then reads the earlier until, so the row does not exist then
 * (decisions.md, "Issue 21: history and AS OF, the remaining parts"). The
 * caller checks that day is not before the end; inside its transaction. */
tsg_status_t store_reopen(sqlite3 *sql, const char *table, int64_t nid, const char *day, tsg_error_t *err);

/* TSG_EINPUT naming what (a command) when the database already holds a
 * change dated after iso (an old value kept until then, or a row that
 * begins then): a change at iso would be written under it and rewrite
 * history. Inside the caller's transaction. */
tsg_status_t store_dated_after(sqlite3 *sql, const char *iso, const char *what, tsg_error_t *err);

#endif
