/*
 * output — how the program prints: results through the sink (tables fitted
 * to the terminal, CSV messages kept apart, the workbook of --xlsx and
 * .xlsx), errors, and the numbers options take. See commands.h and cli.h.
 */
#include "commands.h"
#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- printing ------------------------------------------------------------------ */

tsg_status_t cli_print_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    cli_out_t *out = ctx;
    if (r->kind == TSG_RESULT_MESSAGE) {
        /* CSV output is one stream of tables a spreadsheet or a script
         * reads: what a change did goes beside it, to standard error, and
         * does not count as output (the BOM still starts the first table).
         * In JSON it is a {"message": …} document of the stream. */
        if (out->format == TSG_FMT_CSV) {
            fflush(out->stream);
            return tsg_result_print(r, out->format, stderr, err);
        }
        if (out->printed++ && out->format == TSG_FMT_JSON) fputc('\n', out->stream);
        return tsg_result_print(r, out->format, out->stream, err);
    }
    if (out->xlsx) return tsg_xlsx_add(out->xlsx, r, err);
    if (out->printed++ && out->format != TSG_FMT_CSV) {
        /* Tables of several statements in one run are told apart by the
         * statement that made each, as an SQL comment line; the first
         * table goes unlabelled (a run of one statement looks as before),
         * and so does a table after its own statement's message. */
        fputc('\n', out->stream);
        int other = out->last[0] && r->statement && strcmp(r->statement, out->last);
        if (other && out->format != TSG_FMT_JSON) fprintf(out->stream, "-- %s\n", r->statement);
    }
    if (r->statement) snprintf(out->last, sizeof out->last, "%s", r->statement);
    if (out->bom && out->format == TSG_FMT_CSV && out->printed == 1) fputs("\xEF\xBB\xBF", out->stream);
    return tsg_result_print_fit(r, out->format, out->stream, out->width, err);
}

static void print_error(void *ctx, const tsg_error_t *e)
{
    cli_out_t *out = ctx;
    fflush(out->stream);
    fprintf(stderr, _("error: %s\n"), e->text);
}

/* Full-width digits and point (１０, ０．５), as a Japanese keyboard types
 * them and as statements take them, in half width; anything else is copied.
 * Returns buf, or text when it does not fit. */
static const char *half_digits(const char *text, char *buf, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; o++) {
        if (o + 1 >= size) return text;
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            buf[o] = (char)('0' + p[2] - 0x90);
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8E) {
            buf[o] = '.';
            p += 3;
        } else {
            buf[o] = (char)*p++;
        }
    }
    buf[o] = 0;
    return buf;
}

int cli_seconds(const char *text, long *ms)
{
    char half[64];
    text = half_digits(text, half, sizeof half);
    if (!strcmp(text, "off")) {
        *ms = 0;
        return 0;
    }
    /* strtod alone also takes " 5", "+5", "0x10", "1e3", "inf" and "nan":
     * digits and one point only, as --help writes it. */
    size_t len = strlen(text), digits = strspn(text, "0123456789.");
    if (!len || digits != len || strchr(text, '.') != strrchr(text, '.')) return -1;
    char *end;
    errno = 0;
    double sec = strtod(text, &end);
    /* A week at most: a longer limit is no limit, and the product stays a long. */
    if (end == text || *end || errno || !(sec >= 0) || sec > 7 * 24 * 3600.0) return -1;
    *ms = (long)(sec * 1000 + 0.5);
    if (sec > 0 && *ms == 0) *ms = 1;
    return 0;
}

int cli_whole(const char *text, long *n)
{
    /* strtol alone takes "-0", " 5" and "+5", and saturates 10^20 to
     * LONG_MAX without a word: digits only, and no more than a count of
     * people can be (UTIL_MAX_COUNT in the library). */
    char half[64];
    text = half_digits(text, half, sizeof half);
    if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 9) return -1; /* 9 digits cannot overflow a long */
    *n = strtol(text, NULL, 10);
    return *n <= TSG_MAX_COUNT ? 0 : -1;
}

size_t cli_term_width(int fd)
{
    struct winsize ws;
    if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

tsg_sink_t cli_sink(cli_out_t *out) { return (tsg_sink_t){cli_print_result, print_error, out}; }

tsg_status_t cli_xlsx_start(cli_out_t *out, const char *path, tsg_error_t *err)
{
    tsg_status_t rc = cli_xlsx_end(out, 1, err);
    /* Held on the database: it may not be the database, and no statement
     * may write over it while it is collected. */
    if (!rc && out->db) rc = tsg_db_hold(out->db, path, err);
    if (!rc && (rc = tsg_xlsx_open(path, &out->xlsx, err)) && out->db) tsg_db_hold(out->db, NULL, NULL);
    return rc;
}

tsg_status_t cli_xlsx_end(cli_out_t *out, int keep, tsg_error_t *err)
{
    if (!out->xlsx) return TSG_OK;
    char *path = strdup(tsg_xlsx_path(out->xlsx)); /* for the message, after the workbook is gone */
    tsg_status_t rc = tsg_xlsx_close(out->xlsx, keep, err);
    out->xlsx = NULL;
    if (out->db) tsg_db_hold(out->db, NULL, NULL);
    const char *name = path ? path : _("the workbook");
    if (!rc && keep) printf(_("wrote %s\n"), name);
    else if (!keep) fprintf(stderr, _("tsunagi: %s was not written: a statement failed\n"), name);
    free(path);
    return rc;
}
