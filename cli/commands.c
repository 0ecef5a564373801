/*
 * commands — the subcommands besides running statements: summary, import
 * (CSV, --as-of, HSDS), export (CSV, HSDS), hsds-mapping and the survey
 * round. See commands.h.
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

int cli_report(const tsg_error_t *err)
{
    fprintf(stderr, "tsunagi: %s\n", err->text);
    return err->code == TSG_OK ? 0 : 1;
}

/* The database named on the command line, else $TSUNAGI_DB, else the sample
 * city. Only import creates a database: a mistyped path anywhere else would
 * quietly make an empty one and answer every question with nothing. */
int cli_open_db(const char *path, tsg_db_t **db, tsg_error_t *err)
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

/* ---- commands ------------------------------------------------------------------ */

int cli_cmd_summary(cli_args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (cli_open_db(a->npos > 0 ? a->pos[0] : NULL, &db, &err)) return cli_report(&err);
    a->out.db = db;
    tsg_result_t **rs;
    size_t n;
    int rc = 0;
    if (tsg_summary(db, &rs, &n, &err)) {
        rc = cli_report(&err);
    } else {
        if (a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = cli_report(&err);
        else if (a->out.format == TSG_FMT_TABLE && !a->xlsx) printf("%s\n\n", tsg_db_path(db));
        for (size_t i = 0; i < n && !rc; i++)
            if (cli_print_result(&a->out, rs[i], &err)) rc = cli_report(&err);
        if (cli_xlsx_end(&a->out, rc == 0, &err)) rc = cli_report(&err);
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
typedef tsg_status_t (*import_fn)(tsg_db_t *db, cli_args_t *a, void *out, tsg_error_t *err);

static int import_into(cli_args_t *a, const char *path, const char *what, import_fn fn, void *out)
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
        return cli_report(&err);
    }
    int rc = 0;
    if (fn(db, a, out, &err)) {
        rc = cli_report(&err);
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

static tsg_status_t run_import_csv(tsg_db_t *db, cli_args_t *a, void *out, tsg_error_t *err)
{
    tsg_encoding_t enc = TSG_ENC_AUTO;
    tsg_status_t s = a->encoding ? tsg_encoding_parse(a->encoding, &enc, err) : TSG_OK;
    return s ? s : tsg_import_csv(db, a->pos[0], enc, out, err);
}

static tsg_status_t run_import_as_of(tsg_db_t *db, cli_args_t *a, void *out, tsg_error_t *err)
{
    tsg_encoding_t enc = TSG_ENC_AUTO;
    tsg_status_t s = a->encoding ? tsg_encoding_parse(a->encoding, &enc, err) : TSG_OK;
    return s ? s : tsg_import_csv_as_of(db, a->pos[0], enc, a->as_of, out, err);
}

/* import --as-of DATE: the folder as a change at DATE to an existing database. */
static int cmd_import_as_of(cli_args_t *a, const char *path)
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
    /* A folder exported with its history (data-format.md, history.csv):
     * the dated change takes the folder as the network on that day, and
     * the database keeps its own old values, so the file is not read. */
    char *history = util_printf("%s/history.csv", a->pos[0]);
    if (history && access(history, F_OK) == 0)
        fprintf(stderr, _("tsunagi: note: %s was not read: --as-of takes the folder as the network on %s, and %s keeps "
                          "its own history\n"),
                history, a->as_of, path);
    free(history);
    return 0;
}

int cli_cmd_import(cli_args_t *a)
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

static tsg_status_t run_import_hsds(tsg_db_t *db, cli_args_t *a, void *out, tsg_error_t *err)
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

int cli_cmd_import_hsds(cli_args_t *a)
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
            if (tsg_hsds_report_write(r, a->report, &err)) rc = cli_report(&err);
            else printf(_("every skipped and repaired row: %s\n"), a->report);
        } else if (r->nrows) {
            printf(_("every skipped and repaired row: give --report FILE\n"));
        }
    }
    tsg_hsds_report_free(r);
    free(fallback);
    return rc;
}

int cli_cmd_export_hsds(cli_args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (cli_open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return cli_report(&err);
    int rc = tsg_export_hsds_with(db, a->pos[0], &a->package, &err) ? cli_report(&err) : 0;
    if (!rc) printf(_("exported %s to %s as an HSDS 3.0 package\n"), tsg_db_path(db), a->pos[0]);
    tsg_close(db);
    return rc;
}

int cli_cmd_survey_out(cli_args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (cli_open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return cli_report(&err);
    long n = 0;
    int rc = tsg_survey_out_as_of(db, a->pos[0], a->as_of, a->suppress_below, &n, &err) ? cli_report(&err) : 0;
    if (!rc && a->as_of) printf(_("wrote %ld survey workbooks to %s, of the network as it stands on %s\n"), n, a->pos[0],
                                a->as_of);
    else if (!rc) printf(_("wrote %ld survey workbooks to %s\n"), n, a->pos[0]);
    tsg_close(db);
    return rc;
}

int cli_cmd_survey_in(cli_args_t *a)
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
    /* A file of an older schema is migrated inside survey-in's own write,
     * so a refused survey-in leaves it as it was (cli_open_db says how to
     * make a database that does not exist; survey-in never makes one). */
    if (access(path, F_OK) != 0 ? cli_open_db(path, &db, &err) != 0 : tsg_open_for_write(path, &db, &err) != TSG_OK)
        return cli_report(&err);
    tsg_survey_report_t *r = NULL;
    int rc = 0;
    if (tsg_survey_in(db, a->pos[0], a->as_of, &r, &err)) {
        rc = cli_report(&err);
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

int cli_cmd_hsds_mapping(cli_args_t *a)
{
    (void)a;
    size_t len;
    const char *m = tsg_hsds_default_mapping(&len);
    return fwrite(m, 1, len, stdout) == len ? 0 : 1;
}

int cli_cmd_export(cli_args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (cli_open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return cli_report(&err);
    int rc = tsg_export_csv_with(db, a->pos[0], a->out.bom, &err) ? cli_report(&err) : 0;
    if (!rc) printf(_("exported %s to %s\n"), tsg_db_path(db), a->pos[0]);
    tsg_close(db);
    return rc;
}
