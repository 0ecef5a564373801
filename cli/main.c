/*
 * tsunagi — the command-line program, a thin client of tsunagi.h.
 *
 *   tsunagi [DB]                         the REPL (statements from stdin when it is not a terminal)
 *   tsunagi [DB] -c 'STATEMENTS'         run statements and exit
 *   tsunagi [DB] -f SCRIPT.tsq           run a script and exit
 *   tsunagi summary [DB]
 *   tsunagi import [--encoding E] [--as-of DATE] DIR DB
 *   tsunagi export [--bom] DIR [DB]
 *   tsunagi import-hsds [--mapping M] [--report R] DIR [DB]
 *   tsunagi export-hsds [--package-name N] [--title T] [--license L] DIR [DB]
 *   tsunagi hsds-mapping
 *   tsunagi survey-out DIR [DB]
 *   tsunagi survey-in [--as-of DATE] DIR [DB]
 *
 * DB defaults to $TSUNAGI_DB, else the bundled sample city. Exit status: 0 on
 * success, 1 on an error in a statement, the data or the database, 2 on a
 * usage error.
 */
#include "cli.h"
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

typedef struct args {
    const char *pos[4];
    int npos;
    const char *encoding, *command, *script, *xlsx, *mapping, *report, *as_of;
    const char *lang; /* --lang ja|en; NULL: from the environment */
    const char *params[64];
    int nparams;
    int keep_going;
    int format_given, timeout_given; /* to refuse them where they do nothing */
    tsg_hsds_package_t package;      /* export-hsds --package-name, --title, --license */
    long suppress_below;
    long timeout_ms;
    cli_out_t out;
} args_t;

typedef int (*command_fn)(args_t *a);

typedef struct command {
    const char *name, *usage, *help;
    int min_pos, max_pos;
    command_fn run;
} command_t;

static int report(const tsg_error_t *err)
{
    fprintf(stderr, "tsunagi: %s\n", err->text);
    return err->code == TSG_OK ? 0 : 1;
}

/* The database named on the command line, else $TSUNAGI_DB, else the sample
 * city. Only import creates a database: a mistyped path anywhere else would
 * quietly make an empty one and answer every question with nothing. */
static int open_db(const char *path, tsg_db_t **db, tsg_error_t *err)
{
    if (!path || !*path) path = getenv("TSUNAGI_DB");
    if (!path || !*path) return tsg_open_sample(db, err);
    if (access(path, F_OK) != 0) {
        err->code = TSG_EIO;
        snprintf(err->text, sizeof err->text, _("%s: no such database (make one with 'tsunagi import FOLDER %s')"),
                 path, path);
        return 1;
    }
    return tsg_open(path, db, err);
}

/* ---- printing ------------------------------------------------------------------ */

static tsg_status_t print_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
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

tsg_sink_t cli_sink(cli_out_t *out) { return (tsg_sink_t){print_result, print_error, out}; }

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

/* ---- commands ------------------------------------------------------------------ */

static int cmd_summary(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 0 ? a->pos[0] : NULL, &db, &err)) return report(&err);
    a->out.db = db;
    tsg_result_t **rs;
    size_t n;
    int rc = 0;
    if (tsg_summary(db, &rs, &n, &err)) {
        rc = report(&err);
    } else {
        if (a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = report(&err);
        else if (a->out.format == TSG_FMT_TABLE && !a->xlsx) printf("%s\n\n", tsg_db_path(db));
        for (size_t i = 0; i < n && !rc; i++)
            if (print_result(&a->out, rs[i], &err)) rc = report(&err);
        if (cli_xlsx_end(&a->out, rc == 0, &err)) rc = report(&err);
        tsg_results_free(rs, n);
    }
    a->out.db = NULL;
    tsg_close(db);
    return rc;
}

/* Removes a database this run created, with its -wal and -shm. */
static void remove_db(const char *path)
{
    remove(path);
    size_t n = strlen(path) + 5;
    char *side = malloc(n);
    if (!side) return;
    snprintf(side, n, "%s-wal", path);
    remove(side);
    snprintf(side, n, "%s-shm", path);
    remove(side);
    free(side);
}

/* Runs one import into the database at `path`. A database the import
 * created is removed again when it fails; an existing one is unchanged. */
typedef tsg_status_t (*import_fn)(tsg_db_t *db, args_t *a, void *out, tsg_error_t *err);

static int import_into(args_t *a, const char *path, const char *what, import_fn fn, void *out)
{
    tsg_error_t err = {0};
    struct stat sb;
    if (stat(a->pos[0], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, _("tsunagi: %s: not a folder (%s)\n"), a->pos[0], _(what));
        return 1;
    }
    int existed = access(path, F_OK) == 0;
    tsg_db_t *db;
    if (tsg_create(path, &db, &err)) {
        /* Even setting a new database up can fail (a full disk): it is not
         * left behind half made. */
        if (!existed) remove_db(path);
        return report(&err);
    }
    int rc = 0;
    if (fn(db, a, out, &err)) {
        rc = report(&err);
        tsg_close(db);
        if (!existed) {
            remove_db(path);
            fprintf(stderr, _("tsunagi: nothing was imported; %s was not created\n"), path);
        } else {
            fprintf(stderr, _("tsunagi: nothing was imported; %s is unchanged\n"), path);
        }
        return rc;
    }
    tsg_close(db);
    return 0;
}

static void print_counts(const char *path, const tsg_import_counts_t *c)
{
    if (c->vocabulary)
        printf(_("imported into %s: %ld districts, %ld organisations, %ld programs, %ld forums, %ld ties, %ld vocabulary "
                 "entries\n"),
               path, c->districts, c->organisations, c->programs, c->forums, c->ties, c->vocabulary);
    else
        printf(_("imported into %s: %ld districts, %ld organisations, %ld programs, %ld forums, %ld ties\n"), path,
               c->districts, c->organisations, c->programs, c->forums, c->ties);
}

static tsg_status_t run_import_csv(tsg_db_t *db, args_t *a, void *out, tsg_error_t *err)
{
    tsg_encoding_t enc = TSG_ENC_AUTO;
    tsg_status_t s = a->encoding ? tsg_encoding_parse(a->encoding, &enc, err) : TSG_OK;
    return s ? s : tsg_import_csv(db, a->pos[0], enc, out, err);
}

static tsg_status_t run_import_as_of(tsg_db_t *db, args_t *a, void *out, tsg_error_t *err)
{
    tsg_encoding_t enc = TSG_ENC_AUTO;
    tsg_status_t s = a->encoding ? tsg_encoding_parse(a->encoding, &enc, err) : TSG_OK;
    return s ? s : tsg_import_csv_as_of(db, a->pos[0], enc, a->as_of, out, err);
}

/* import --as-of DATE: the folder as a change at DATE to an existing database. */
static int cmd_import_as_of(args_t *a, const char *path)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, _("tsunagi: --as-of brings a folder into an existing database, and %s does not exist (import the "
                          "first year without --as-of)\n"),
                path);
        return 2;
    }
    tsg_change_counts_t c;
    int rc = import_into(a, path, N_("import reads a folder of CSV files"), run_import_as_of, &c);
    if (rc) return rc;
    printf(_("brought %s into %s as of %s: organisations %ld added, %ld ended, %ld changed; programs %ld added, %ld ended, "
             "%ld changed; forums %ld added, %ld ended, %ld changed; ties %ld added, %ld ended, %ld changed; districts %ld "
             "added, %ld changed\n"),
           a->pos[0], path, a->as_of, c.added[TSG_CHANGE_ORGANISATION], c.ended[TSG_CHANGE_ORGANISATION],
           c.changed[TSG_CHANGE_ORGANISATION], c.added[TSG_CHANGE_PROGRAM], c.ended[TSG_CHANGE_PROGRAM],
           c.changed[TSG_CHANGE_PROGRAM], c.added[TSG_CHANGE_FORUM], c.ended[TSG_CHANGE_FORUM], c.changed[TSG_CHANGE_FORUM],
           c.added[TSG_CHANGE_TIE], c.ended[TSG_CHANGE_TIE], c.changed[TSG_CHANGE_TIE], c.added[TSG_CHANGE_DISTRICT],
           c.changed[TSG_CHANGE_DISTRICT]);
    return 0;
}

static int cmd_import(args_t *a)
{
    const char *path = a->npos > 1 ? a->pos[1] : getenv("TSUNAGI_DB");
    if (!path || !*path) {
        fprintf(stderr, _("tsunagi: import needs a database file: tsunagi import %s CITY.db\n"
                          "(the bundled sample city is rebuilt from its own data and is not imported into)\n"),
                a->pos[0]);
        return 2;
    }
    if (a->as_of) return cmd_import_as_of(a, path);
    tsg_import_counts_t c;
    int rc = import_into(a, path, N_("import reads a folder of CSV files"), run_import_csv, &c);
    if (!rc) print_counts(path, &c);
    return rc;
}

static tsg_status_t run_import_hsds(tsg_db_t *db, args_t *a, void *out, tsg_error_t *err)
{
    /* The report is written after the import: refuse one that would replace
     * the database before anything is imported. */
    if (a->report && tsg_db_check_target(db, a->report, err)) return err->code;
    return tsg_import_hsds(db, a->pos[0], a->mapping, out, err);
}

/* The skipped and repaired rows, one line per kind with a few examples. */
static void print_hsds_report(const tsg_hsds_report_t *r)
{
    long skipped = 0, repaired = 0;
    for (size_t i = 0; i < r->nrows; i++) r->rows[i].skipped ? skipped++ : repaired++;
    printf(r->nrows ? _("%ld rows skipped, %ld repaired:\n") : _("%ld rows skipped, %ld repaired\n"), skipped, repaired);
    for (size_t i = 0; i < r->nrows; i++) {
        const tsg_hsds_row_t *w = &r->rows[i];
        int first = 1;
        for (size_t k = 0; k < i && first; k++)
            first = !(r->rows[k].skipped == w->skipped && !strcmp(r->rows[k].file, w->file) &&
                      !strcmp(r->rows[k].reason, w->reason));
        if (!first) continue;
        long n = 0;
        char where[160] = "";
        size_t used = 0;
        for (size_t k = i; k < r->nrows; k++) {
            const tsg_hsds_row_t *v = &r->rows[k];
            if (v->skipped != w->skipped || strcmp(v->file, w->file) || strcmp(v->reason, w->reason)) continue;
            if (++n <= 3 && used < sizeof where) {
                int len = snprintf(where + used, sizeof where - used, "%s", n > 1 ? _(", ") : "");
                if (len > 0) used += (size_t)len;
                if (used >= sizeof where) continue;
                len = v->line ? snprintf(where + used, sizeof where - used, _("line %ld"), v->line)
                              : snprintf(where + used, sizeof where - used, "%s", v->id);
                if (len > 0) used += (size_t)len;
            }
        }
        printf("  %-8s %6ld  %s: %s (%s%s)\n", w->skipped ? _("skipped") : _("repaired"), n, w->file,
               tsg_hsds_reason_text(w->reason), where,
               n > 3 ? _(", …") : "");
    }
}

static int cmd_import_hsds(args_t *a)
{
    char *fallback = NULL;
    const char *path = a->npos > 1 ? a->pos[1] : getenv("TSUNAGI_DB");
    if (!path || !*path) { /* miami211/ → miami211.db in the current folder */
        size_t n = strlen(a->pos[0]);
        while (n > 1 && a->pos[0][n - 1] == '/') n--;
        const char *base = a->pos[0];
        for (size_t i = 0; i < n; i++)
            if (a->pos[0][i] == '/' && i + 1 < n) base = a->pos[0] + i + 1;
        int len = (int)(a->pos[0] + n - base);
        if (!(fallback = malloc((size_t)len + 4))) return 1;
        snprintf(fallback, (size_t)len + 4, "%.*s.db", len, base);
        path = fallback;
    }
    tsg_hsds_report_t *r = NULL;
    int rc = import_into(a, path, N_("import-hsds reads an HSDS package folder"), run_import_hsds, &r);
    if (!rc) {
        tsg_error_t err = {0};
        printf(_("read %s as %s\n"), a->pos[0], r->layout);
        print_counts(path, &r->counts);
        printf(_("ages: %ld from minimum_age/maximum_age; from eligibility text %ld read, %ld all ages,\n"
                 "      %ld ambiguous and %ld with age words only (left open); %ld from taxonomy age groups;\n"
                 "      %ld open\n"),
               r->age_columns, r->age_text, r->age_text_all, r->age_ambiguous, r->age_words, r->age_taxonomy,
               r->age_open);
        printf(_("mapping: %ld programs with no mapped target group, %ld with no mapped need (given the defaults);\n"
                 "         %ld programs with no known place (district d:?, not wide-area)\n"),
               r->default_target, r->default_need, r->wide_area);
        print_hsds_report(r);
        if (a->report) {
            if (tsg_hsds_report_write(r, a->report, &err)) rc = report(&err);
            else printf(_("every skipped and repaired row: %s\n"), a->report);
        } else if (r->nrows) {
            printf(_("every skipped and repaired row: give --report FILE\n"));
        }
    }
    tsg_hsds_report_free(r);
    free(fallback);
    return rc;
}

static int cmd_export_hsds(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return report(&err);
    int rc = tsg_export_hsds_with(db, a->pos[0], &a->package, &err) ? report(&err) : 0;
    if (!rc) printf(_("exported %s to %s as an HSDS 3.0 package\n"), tsg_db_path(db), a->pos[0]);
    tsg_close(db);
    return rc;
}

static int cmd_survey_out(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return report(&err);
    long n = 0;
    int rc = tsg_survey_out_suppressed(db, a->pos[0], a->suppress_below, &n, &err) ? report(&err) : 0;
    if (!rc) printf(_("wrote %ld survey workbooks to %s\n"), n, a->pos[0]);
    tsg_close(db);
    return rc;
}

static int cmd_survey_in(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    struct stat sb;
    if (stat(a->pos[0], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, _("tsunagi: %s: not a folder (survey-in reads the returned survey forms)\n"), a->pos[0]);
        return 1;
    }
    /* The answers change the database: like import, never the bundled
     * sample city, which is rebuilt from its own data. */
    const char *path = a->npos > 1 ? a->pos[1] : getenv("TSUNAGI_DB");
    if (!path || !*path) {
        fprintf(stderr, _("tsunagi: survey-in needs a database file: tsunagi survey-in %s CITY.db\n"), a->pos[0]);
        return 2;
    }
    if (open_db(path, &db, &err)) return report(&err);
    tsg_survey_report_t *r = NULL;
    int rc = 0;
    if (tsg_survey_in(db, a->pos[0], a->as_of, &r, &err)) {
        rc = report(&err);
        fprintf(stderr, _("tsunagi: no answer was applied; %s is unchanged\n"), tsg_db_path(db));
    } else {
        printf(_("%ld organisations answered: %ld rows confirmed, %ld corrected, %ld ended, %ld new ties\n"),
               r->answered, r->confirmed, r->corrected, r->ended, r->added);
        printf(_("ties now: %ld confirmed by both sides, %ld reported by one side, %ld unverified\n"),
               r->ties_confirmed, r->ties_reported, r->ties_unverified);
        if (r->nsilent) printf(_("%zu organisations did not answer (their ties stay, unverified):\n"), r->nsilent);
        for (size_t i = 0; i < r->nsilent; i++) printf("  %s\n", r->silent[i]);
        if (r->nback) printf(_("%zu organisations or programs that had ended answered, and begin again on %s:\n"), r->nback,
                             r->as_of);
        for (size_t i = 0; i < r->nback; i++) printf("  %s\n", r->back[i]);
    }
    tsg_survey_report_free(r);
    tsg_close(db);
    return rc;
}

static int cmd_hsds_mapping(args_t *a)
{
    (void)a;
    size_t len;
    const char *m = tsg_hsds_default_mapping(&len);
    return fwrite(m, 1, len, stdout) == len ? 0 : 1;
}

static int cmd_export(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return report(&err);
    int rc = tsg_export_csv_with(db, a->pos[0], a->out.bom, &err) ? report(&err) : 0;
    if (!rc) printf(_("exported %s to %s\n"), tsg_db_path(db), a->pos[0]);
    tsg_close(db);
    return rc;
}

/* The whole of f into *out (NUL-terminated) and its length into *len, NUL
 * bytes included: the session reports a NUL where it is instead of taking
 * it for the end. 0, or -1 with errno (a read error: a folder given to -f). */
static int read_all(FILE *f, char **out, size_t *len)
{
    size_t cap = 65536, n;
    char *buf = malloc(cap);
    *len = 0;
    while (buf && (n = fread(buf + *len, 1, cap - *len - 1, f)) > 0) {
        *len += n;
        if (cap - *len < 2) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) free(buf);
            buf = grown;
        }
    }
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    if (ferror(f)) {
        int e = errno ? errno : EIO;
        free(buf);
        errno = e;
        return -1;
    }
    buf[*len] = '\0';
    *out = buf;
    return 0;
}

/* tsunagi [DB] [-c …|-f …]: statements from the argument, a script, standard
 * input, or the REPL. */
static int cmd_run(args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 0 ? a->pos[0] : NULL, &db, &err)) return report(&err);
    tsg_session_t *s;
    if (tsg_session_open(db, &s, &err) || tsg_session_lang(s, a->lang, &err)) {
        tsg_session_close(s);
        tsg_close(db);
        return report(&err);
    }
    int rc = 0;
    a->out.db = db;
    tsg_session_suppress_below(s, a->suppress_below);
    tsg_session_timeout(s, a->timeout_ms);
    const char *mem = getenv("TSUNAGI_DOT_MEMORY"); /* MiB dot may use for RENDER and REPORT */
    if (mem && *mem) {
        char *end;
        errno = 0;
        long mib = strtol(mem, &end, 10);
        if (*end || errno || mib <= 0 || mib > 1048576) {
            fprintf(stderr, _("tsunagi: TSUNAGI_DOT_MEMORY takes MiB (1 to 1048576), not '%s'\n"), mem);
            rc = 2;
        } else {
            tsg_session_dot_memory(s, mib);
        }
    }
    for (int i = 0; i < a->nparams && !rc; i++) {
        char *eq = strchr(a->params[i], '=');
        if (!eq) {
            fprintf(stderr, _("tsunagi: -p takes name=value, not '%s'\n"), a->params[i]);
            rc = 2;
            break;
        }
        *eq = '\0';
        if (tsg_session_param(s, a->params[i], eq + 1, &err)) rc = report(&err);
    }
    /* A table wider than the terminal is fitted to it rather than wrapped
     * into unreadable lines; a file or a pipe gets every character. */
    a->out.width = cli_term_width(STDOUT_FILENO);
    tsg_sink_t sink = cli_sink(&a->out);
    if (rc) {
    } else if (a->command || a->script || !isatty(STDIN_FILENO)) {
        char *text = NULL;
        size_t len = 0;
        const char *source = NULL;
        if (a->command) {
            text = strdup(a->command);
            len = text ? strlen(text) : 0;
            if (!text) {
                fprintf(stderr, _("tsunagi: out of memory\n"));
                rc = 1;
            }
        } else if (a->script) {
            FILE *f = fopen(a->script, "rb");
            if (!f || read_all(f, &text, &len)) {
                fprintf(stderr, _("tsunagi: %s: cannot read: %s\n"), a->script, strerror(errno));
                rc = 1;
            }
            if (f) fclose(f);
            source = a->script;
        } else if (read_all(stdin, &text, &len)) {
            fprintf(stderr, _("tsunagi: standard input: cannot read: %s\n"), strerror(errno));
            rc = 1;
        }
        if (!rc && a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = report(&err);
        if (!rc && tsg_session_run_len(s, text, len, source, a->keep_going, &sink, &err)) rc = 1;
        if (cli_xlsx_end(&a->out, rc == 0, &err)) rc = report(&err);
        free(text);
    } else {
        if (a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = report(&err);
        if (!rc) rc = cli_repl(s, db, &a->out);
    }
    tsg_session_close(s);
    a->out.db = NULL;
    tsg_close(db);
    return rc;
}

static const command_t commands[] = {
    /* The usage lines are translated too: their placeholders (DIR, DB) are
     * words a reader fills in. */
    {"summary", "summary [DB]", N_("counts by sector, ward and target group"), 0, 1, cmd_summary},
    {"import", N_("import [--encoding auto|utf-8|cp932] [--as-of DATE] DIR DB"),
     N_("replace DB's network by the CSV folder DIR (--as-of: bring it in as the change at DATE)"), 1,
     2, cmd_import},
    {"export", N_("export [--bom] DIR [DB]"), N_("write DB's network as a CSV folder DIR (--bom: for Excel)"), 1, 2,
     cmd_export},
    {"import-hsds", N_("import-hsds [--mapping M] [--report R] DIR [DB]"),
     N_("replace DB's network by the HSDS package DIR (DB: DIR.db)"), 1, 2, cmd_import_hsds},
    {"export-hsds", N_("export-hsds [--package-name N] [--title T] [--license L] DIR [DB]"),
     N_("write DB's network as an HSDS 3.0 package DIR (no licence unless --license)"), 1, 2, cmd_export_hsds},
    {"hsds-mapping", "hsds-mapping", N_("print the built-in HSDS mapping (to edit for --mapping)"), 0, 0,
     cmd_hsds_mapping},
    {"survey-out", N_("survey-out DIR [DB]"), N_("write a survey workbook for each organisation into DIR"), 1, 2,
     cmd_survey_out},
    {"survey-in", N_("survey-in [--as-of DATE] DIR [DB]"),
     N_("apply the survey answers returned in DIR as a change at DATE (default today)"), 1, 2, cmd_survey_in},
};

/* Columns a text takes on a terminal, for aligning the usage lines. */
static int cli_text_width(const char *s) { return (int)util_display_width(s); }

static void usage(FILE *out)
{
    fprintf(out, _("usage: tsunagi [DB] [-c STATEMENTS | -f SCRIPT] [-p NAME=VALUE]… [--format F] [--keep-going]\n"));
    /* The commands' column is as wide as its widest line, in the display
     * width of the language shown (a Japanese placeholder is two columns a
     * character). */
    int w = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (cli_text_width(_(commands[i].usage)) > w) w = cli_text_width(_(commands[i].usage));
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *u = _(commands[i].usage);
        fprintf(out, "       tsunagi %s%*s  %s\n", u, w - cli_text_width(u), "", _(commands[i].help));
    }
    fprintf(out, _("options: --format table|csv|json|markdown, --bom (CSV for Excel), --xlsx FILE (results as the\n"
                   "         sheets of an Excel workbook), --suppress-below N (publish counts under N as <N),\n"
                   "         --timeout SECONDS (stop any statement that runs longer), --lang ja|en (the language\n"
                   "         of messages and tables; default from $LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG;\n"
                   "         it applies to the whole command line, --help included, wherever it is written),\n"
                   "         --version, --help\n"
                   "DB defaults to $TSUNAGI_DB, else the bundled sample city. Without -c or -f, tsunagi reads\n"
                   "statements from standard input, or opens the REPL when that is a terminal.\n"
                   "$TSUNAGI_DOT_MEMORY: the MiB GraphViz dot may use for RENDER and REPORT (default 2048).\n"));
}

static int takes_value(const char *s)
{
    return !strcmp(s, "--encoding") || !strcmp(s, "--format") || !strcmp(s, "-c") || !strcmp(s, "-f") ||
           !strcmp(s, "-p") || !strcmp(s, "--xlsx") || !strcmp(s, "--mapping") || !strcmp(s, "--report") ||
           !strcmp(s, "--timeout") || !strcmp(s, "--lang") || !strcmp(s, "--package-name") || !strcmp(s, "--title") ||
           !strcmp(s, "--license") || !strcmp(s, "--as-of");
}

int main(int argc, char **argv)
{
    args_t a = {.out = {.format = TSG_FMT_TABLE, .stream = stdout}};
    /* Past the file size limit (ulimit -f) the kernel's SIGXFSZ would kill
     * us without a word; ignored, the write fails with EFBIG and the error
     * names the file, and the database rolls back as on a full disk. */
    signal(SIGXFSZ, SIG_IGN);
    /* The language first, wherever --lang is written (the last one wins),
     * so that --help and every message about the other arguments are in it
     * (docs/decisions.md, "Issue 19: the CLI in Japanese"). The value of
     * another option (-c '--lang') is not an option. --suppress-below's
     * value is read as a value too, so the two scans agree. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc) a.lang = argv[i + 1];
        if ((takes_value(argv[i]) || !strcmp(argv[i], "--suppress-below")) && i + 1 < argc) i++;
    }
    tsg_error_t lerr = {0};
    if (tsg_language(a.lang, &lerr)) {
        fprintf(stderr, "tsunagi: %s\n", lerr.text);
        return 2;
    }
    const command_t *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (takes_value(s) && i + 1 == argc) {
            fprintf(stderr, _("tsunagi: %s needs a value\n"), s);
            return 2;
        }
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(s, "--version")) {
            char v[256];
            tsg_versions(v, sizeof v);
            printf("%s\n", v);
            return 0;
        } else if (!strcmp(s, "--encoding")) {
            a.encoding = argv[++i];
        } else if (!strcmp(s, "--as-of")) {
            a.as_of = argv[++i];
        } else if (!strcmp(s, "--format")) {
            tsg_error_t err = {0};
            a.format_given = 1;
            if (tsg_format_parse(argv[++i], &a.out.format, &err)) {
                fprintf(stderr, "tsunagi: %s\n", err.text);
                return 2;
            }
        } else if (!strcmp(s, "-c")) {
            a.command = argv[++i];
        } else if (!strcmp(s, "-f")) {
            a.script = argv[++i];
        } else if (!strcmp(s, "-p")) {
            if (a.nparams == 64) {
                fprintf(stderr, _("tsunagi: too many -p\n"));
                return 2;
            }
            a.params[a.nparams++] = argv[++i];
        } else if (!strcmp(s, "--suppress-below")) {
            if (i + 1 == argc || cli_whole(argv[++i], &a.suppress_below)) {
                fprintf(stderr, _("tsunagi: --suppress-below takes a whole number of people (0 to %ld)\n"), TSG_MAX_COUNT);
                return 2;
            }
        } else if (!strcmp(s, "--timeout")) {
            a.timeout_given = 1;
            if (cli_seconds(argv[++i], &a.timeout_ms)) {
                fprintf(stderr, _("tsunagi: --timeout takes seconds (e.g. 30 or 0.5; 0: no limit), not '%s'\n"), argv[i]);
                return 2;
            }
        } else if (!strcmp(s, "--lang")) {
            i++; /* read before the loop */
        } else if (!strcmp(s, "--keep-going")) {
            a.keep_going = 1;
        } else if (!strcmp(s, "--bom")) {
            a.out.bom = 1;
        } else if (!strcmp(s, "--xlsx")) {
            a.xlsx = argv[++i];
        } else if (!strcmp(s, "--mapping")) {
            a.mapping = argv[++i];
        } else if (!strcmp(s, "--report")) {
            a.report = argv[++i];
        } else if (!strcmp(s, "--package-name")) {
            a.package.name = argv[++i];
        } else if (!strcmp(s, "--title")) {
            a.package.title = argv[++i];
        } else if (!strcmp(s, "--license")) {
            a.package.license = argv[++i];
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, _("tsunagi: unknown option '%s'\n"), s);
            usage(stderr);
            return 2;
        } else if (!cmd && a.npos == 0) {
            for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
                if (!strcmp(s, commands[k].name)) cmd = &commands[k];
            if (!cmd) a.pos[a.npos++] = s; /* tsunagi DB */
        } else if (a.npos < 4) {
            a.pos[a.npos++] = s;
        } else {
            fprintf(stderr, _("tsunagi: too many arguments\n"));
            return 2;
        }
    }
    if (a.command && a.script) {
        fprintf(stderr, _("tsunagi: give -c or -f, not both\n"));
        return 2;
    }
    if (!cmd) {
        if (a.npos > 1) {
            fprintf(stderr, _("tsunagi: unexpected argument '%s'\n"), a.pos[1]);
            return 2;
        }
        if (a.encoding) {
            fprintf(stderr, _("tsunagi: --encoding applies to import only\n"));
            return 2;
        }
        if (a.as_of) {
            fprintf(stderr, _("tsunagi: --as-of applies to import only (statements take AS OF 'date')\n"));
            return 2;
        }
        if (a.mapping || a.report) {
            fprintf(stderr, _("tsunagi: --mapping and --report go with import-hsds\n"));
            return 2;
        }
        if (a.package.name || a.package.title || a.package.license) {
            fprintf(stderr, _("tsunagi: --package-name, --title and --license go with export-hsds\n"));
            return 2;
        }
        return cmd_run(&a);
    }
    if (a.npos < cmd->min_pos || a.npos > cmd->max_pos) {
        fprintf(stderr, _("usage: tsunagi %s\n"), _(cmd->usage));
        return 2;
    }
    if (a.xlsx && cmd->run != cmd_summary) {
        fprintf(stderr, _("tsunagi: --xlsx writes results: it goes with statements and summary, not %s\n"), cmd->name);
        return 2;
    }
    if (a.encoding && cmd->run != cmd_import) {
        fprintf(stderr, _("tsunagi: --encoding applies to import only\n"));
        return 2;
    }
    if (a.as_of && cmd->run != cmd_import && cmd->run != cmd_survey_in) {
        fprintf(stderr, _("tsunagi: --as-of goes with import and survey-in (statements take AS OF 'date'), not %s\n"),
                cmd->name);
        return 2;
    }
    if ((a.mapping || a.report) && cmd->run != cmd_import_hsds) {
        fprintf(stderr, _("tsunagi: --mapping and --report go with import-hsds, not %s\n"), cmd->name);
        return 2;
    }
    /* Summary holds no counts of people, so it honours any threshold.
     * export-hsds makes a package to publish: under the flag its ties' counts
     * of people under N are left out. The CSV export folder is the office's
     * own exact copy, made to be imported again: a suppressed copy would be
     * neither exact nor safe to publish whole, so it refuses rather than
     * write exact counts under the flag. */
    a.package.suppress_below = a.suppress_below;
    if (a.suppress_below > 0 && cmd->run != cmd_summary && cmd->run != cmd_export_hsds &&
        cmd->run != cmd_survey_out) {
        if (cmd->run == cmd_export)
            fprintf(stderr,
                    _("tsunagi: --suppress-below does not go with %s: it writes the network's exact counts, as a full "
                      "copy to import again, not for publication; publish with statements (FIND, EXPORT, RENDER, "
                      "REPORT) under --suppress-below\n"),
                    cmd->name);
        else
            fprintf(stderr, _("tsunagi: --suppress-below applies to statements, summary, export-hsds and survey-out, not %s\n"), cmd->name);
        return 2;
    }
    /* Every other option a command does nothing with is refused too, not
     * ignored: "export --bom" once wrote no BOM without a word. */
    if ((a.package.name || a.package.title || a.package.license) && cmd->run != cmd_export_hsds) {
        fprintf(stderr, _("tsunagi: --package-name, --title and --license go with export-hsds, not %s\n"), cmd->name);
        return 2;
    }
    if (a.out.bom && cmd->run != cmd_summary && cmd->run != cmd_export) {
        fprintf(stderr, _("tsunagi: --bom goes with statements, summary and export, not %s\n"), cmd->name);
        return 2;
    }
    if (a.out.bom && cmd->run == cmd_summary && a.out.format != TSG_FMT_CSV) {
        fprintf(stderr, _("tsunagi: --bom marks CSV for Excel; summary takes it with --format csv\n"));
        return 2;
    }
    if (a.format_given && cmd->run != cmd_summary) {
        fprintf(stderr, _("tsunagi: --format goes with statements and summary, not %s\n"), cmd->name);
        return 2;
    }
    if (a.timeout_given || a.keep_going) {
        fprintf(stderr, _("tsunagi: --timeout and --keep-going go with statements, not %s\n"), cmd->name);
        return 2;
    }
    if (a.command || a.script || a.nparams) {
        fprintf(stderr, _("tsunagi: -c, -f and -p run statements; they do not go with %s\n"), cmd->name);
        return 2;
    }
    return cmd->run(&a);
}
