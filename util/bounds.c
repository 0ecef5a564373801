/*
 * bounds — number and date checks shared by the language, the importers
 * and the CLI; see bounds.h.
 */
#include "bounds.h"
#include "i18n.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

int util_parse_whole(const char *text, long max, long *out)
{
    long v = 0;
    int digits = 0, over = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; digits++) {
        int d;
        if (*p >= '0' && *p <= '9') d = *p++ - '0';
        else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) d = p[2] - 0x90, p += 3;
        else return -1;
        /* Once above max, stay there: the digits are still read to the end
         * so that "12x" is not a number rather than a large one. */
        if (!over && v > (max - d) / 10) over = 1;
        else if (!over) v = v * 10 + d;
    }
    if (!digits) return -1;
    if (over) return -2;
    *out = v;
    return 0;
}

int util_month_days(int year, int month)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return mdays[month - 1] + (month == 2 && leap);
}

/* Splits text into its parts; returns their number or 0. */
static int date_parts(const char *text, int part[3])
{
    int n = 0;
    char sep = 0;
    const char *z = text;
    if (!z) return 0;
    for (;;) {
        const char *start = z;
        int v = 0;
        while (*z >= '0' && *z <= '9' && z - start < 4) v = v * 10 + (*z++ - '0');
        long len = z - start;
        if (n == 0 ? len != 4 : (len < 1 || len > 2)) return 0;
        part[n++] = v;
        if (!*z) break;
        if (n == 3 || (*z != '-' && *z != '/') || (sep && *z != sep)) return 0;
        sep = *z++;
    }
    if (part[0] < UTIL_MIN_YEAR || part[0] > UTIL_MAX_YEAR) return 0;
    if (n >= 2 && (part[1] < 1 || part[1] > 12)) return 0;
    if (n == 3 && (part[2] < 1 || part[2] > util_month_days(part[0], part[1]))) return 0;
    return n;
}

int util_date_parse(const char *text, char iso[11])
{
    int part[3] = {0, 0, 0};
    int n = date_parts(text, part);
    if (!n || !iso) return n;
    if (n == 1) snprintf(iso, 11, "%04d", part[0]);
    else if (n == 2) snprintf(iso, 11, "%04d-%02d", part[0], part[1]);
    else snprintf(iso, 11, "%04d-%02d-%02d", part[0], part[1], part[2]);
    return n;
}

tsg_status_t util_date_check(const char *text, char iso[11], tsg_error_t *err)
{
    /* Full-width digits read as ASCII, as the tokenizer reads them. */
    char *fold = util_fold(text ? text : "");
    if (!fold) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    /* Written as tsunagi writes a date: YYYY, YYYY-MM or YYYY-MM-DD, every
     * part its full width. Excel's 2025/4/1, which the CSV importer reads,
     * and 2025-1-1 are dates too, but a second spelling of one day in the
     * language is a second thing to read (and '2025-1-10' beside
     * '2025-11-0' is a trap): they are refused with the spelling to use. */
    size_t n = strlen(fold);
    int written = n == 4 || n == 7 || n == 10;
    for (size_t i = 0; written && i < n; i++)
        written = i == 4 || i == 7 ? fold[i] == '-' : fold[i] >= '0' && fold[i] <= '9';
    char probe[11];
    int parts = util_date_parse(fold, probe);
    /* A date of the calendar outside the years kept is told as such: the
     * same text with a year inside the range is a date. */
    int out_of_range = 0;
    if (!parts && strspn(fold, "0123456789") == 4) {
        long year = strtol(fold, NULL, 10);
        char spare[11];
        memcpy(fold, "2000", 4); /* a leap year: 29 February stays a date */
        out_of_range = (year < UTIL_MIN_YEAR || year > UTIL_MAX_YEAR) && util_date_parse(fold, spare) > 0;
    }
    free(fold);
    if (written && parts) {
        memcpy(iso, probe, sizeof probe);
        return TSG_OK;
    }
    if (parts)
        return util_fail(err, TSG_EINPUT, _("'%1$s' is not written as tsunagi writes a date: write '%2$s' (YYYY-MM-DD)"),
                         text, probe);
    if (out_of_range)
        return util_fail(err, TSG_EINPUT, _("'%1$s' is outside the years tsunagi keeps dates for (%2$d to %3$d)"), text,
                         UTIL_MIN_YEAR, UTIL_MAX_YEAR);
    return util_fail(err, TSG_EINPUT, _("'%s' is not a date that exists (YYYY, YYYY-MM or YYYY-MM-DD)"), text);
}

static long date_number(const char *text, int last)
{
    int part[3] = {0, 0, 0};
    int n = date_parts(text, part);
    if (!n) return 0;
    if (n < 2) part[1] = last ? 12 : 1;
    if (n < 3) part[2] = last ? util_month_days(part[0], part[1]) : 1;
    return (long)part[0] * 10000 + part[1] * 100 + part[2];
}

long util_date_first(const char *text) { return date_number(text, 0); }
long util_date_last(const char *text) { return date_number(text, 1); }

long util_today(void)
{
    const char *fixed = getenv("TSUNAGI_TODAY");
    long d = fixed && *fixed ? util_date_first(fixed) : 0;
    if (d) return d;
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !localtime_r(&now, &tm)) return 20000101; /* no clock: an early day, never 0 */
    return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void util_date_text(long day, char iso[11])
{
    unsigned y = (unsigned)(day / 10000 % 10000), m = (unsigned)(day / 100 % 100), d = (unsigned)(day % 100);
    iso[0] = (char)('0' + y / 1000 % 10), iso[1] = (char)('0' + y / 100 % 10), iso[2] = (char)('0' + y / 10 % 10);
    iso[3] = (char)('0' + y % 10), iso[4] = '-', iso[5] = (char)('0' + m / 10 % 10), iso[6] = (char)('0' + m % 10);
    iso[7] = '-', iso[8] = (char)('0' + d / 10 % 10), iso[9] = (char)('0' + d % 10), iso[10] = '\0';
}
