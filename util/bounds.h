/*
 * bounds — the one place that says how large a number may be and what a
 * date is, for the language, the importers and the command line alike
 * (docs/language.md, "Limits"; docs/data-format.md).
 *
 * Numbers are parsed with overflow detection: a value too large for a long
 * is "too large", never wrapped through an int or unsigned cast. Each user
 * checks its value against its own named range below where it is used.
 * Dates are checked against the real calendar (month lengths, leap years).
 * Nothing here allocates or fails otherwise, but util_date_check, which
 * words its refusal. (Not named limits.h: this
 * folder is on the include path, where a system header's <limits.h> would
 * find it first.)
 */
#ifndef TSG_UTIL_BOUNDS_H
#define TSG_UTIL_BOUNDS_H

#include "tsunagi.h"
#include <stddef.h>

#define UTIL_MAX_AGE 150               /* ages: 0 to 150 years */
#define UTIL_MAX_COUNT TSG_MAX_COUNT   /* a tie's count of people (public: --suppress-below) */
#define UTIL_MAX_HOPS 50               /* WITHIN/MAX of GAPS, PATH, REACH, HIGHLIGHT GAPS */
#define UTIL_MAX_CENTRALITY_HOPS 1000  /* CENTRALITY … WITHIN k HOPS (at least 1) */
#define UTIL_MIN_SAMPLE 20             /* CENTRALITY … SAMPLE n */
#define UTIL_MAX_SAMPLE 100000000L
#define UTIL_MAX_NUMBER 1000000000L    /* any number written in a statement */
#define UTIL_MAX_IN_LIST 10000         /* values in one IN (…): each binds at most 2 of SQLite's 32766 variables */
#define UTIL_MIN_YEAR 1900             /* dates: STARTS, ENDS, SINCE, AS OF, the CSV columns */
#define UTIL_MAX_YEAR 2999

/* A limit as a string literal, for messages that must be constant text. */
#define UTIL_STR(x) UTIL_STR_(x)
#define UTIL_STR_(x) #x

/* Reads the whole of text as a decimal whole number: ASCII digits, or the
 * full-width ０-９ a Japanese input method types. Returns 0, -1 when text
 * is not digits only (a sign, a blank, nothing at all), or -2 when it
 * exceeds `max` (no overflow however many digits it has). */
int util_parse_whole(const char *text, long max, long *out);

/* A date: YYYY, YYYY-MM or YYYY-MM-DD, or Excel's YYYY/M/D (one kind of
 * separator), year UTIL_MIN_YEAR..UTIL_MAX_YEAR, a month that exists and
 * a day that exists in that month. Returns the number of parts (1, 2, 3),
 * or 0 when text is not such a date. When iso is not NULL it receives the
 * ISO form ("2026", "2026-04", "2026-04-01"; at least 11 bytes). */
int util_date_parse(const char *text, char iso[11]);

/* A date as the language and the command line take it (AS OF, ON, SINCE,
 * STARTS, ENDS, COMPARE, WHERE's dates, .asof, --as-of): util_date_parse's
 * date written YYYY-MM-DD (or YYYY-MM, YYYY for the first day of a month or
 * a year), every part its full width, dashes only; full-width digits are
 * read as ASCII. iso receives the ISO form. TSG_EINPUT says why not: a date
 * written another way (2025-1-1, 2025/4/1; the message gives the spelling
 * to use), one outside the years kept, or no date; TSG_ENOMEM. The one
 * check of a date typed by a person; the CSV importer reads Excel's cells
 * with util_date_parse. */
tsg_status_t util_date_check(const char *text, char iso[11], tsg_error_t *err);

/* A date as YYYYMMDD for comparisons: its first or its last day (a year
 * runs from 0101 to 1231, a month to its real last day); 0 when text is not
 * a date. */
long util_date_first(const char *text);
long util_date_last(const char *text);

/* Today as YYYYMMDD: the TSUNAGI_TODAY environment variable when it holds a
 * date (YYYY-MM-DD, or YYYY / YYYY-MM for their first day; tests fix the
 * clock with it), else the local date of the system clock. */
long util_today(void);

/* A day (YYYYMMDD) as ISO text, "YYYY-MM-DD", into iso (11 bytes). */
void util_date_text(long day, char iso[11]);

/* Days in a month of a year (1-12), by the Gregorian calendar. */
int util_month_days(int year, int month);

#endif
