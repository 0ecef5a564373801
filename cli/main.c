/*
 * tsunagi — the command-line program, a thin client of tsunagi.h: the
 * command line read and checked, and statements run (-c, -f, standard
 * input or the REPL); the other subcommands are commands.c's, printing is
 * output.c's.
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
 *   tsunagi survey-out [--as-of DATE] DIR [DB]
 *   tsunagi survey-in [--as-of DATE] DIR [DB]
 *
 * DB defaults to $TSUNAGI_DB, else the bundled sample city. Exit status: 0 on
 * success, 1 on an error in a statement, the data or the database, 2 on a
 * usage error.
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

typedef int (*command_fn)(cli_args_t *a);

typedef struct command {
    const char *name, *usage, *help;
    int min_pos, max_pos;
    command_fn run;
} command_t;

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
static int cmd_run(cli_args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (cli_open_db(a->npos > 0 ? a->pos[0] : NULL, &db, &err)) return cli_report(&err);
    tsg_session_t *s;
    if (tsg_session_open(db, &s, &err) || tsg_session_lang(s, a->lang, &err)) {
        tsg_session_close(s);
        tsg_close(db);
        return cli_report(&err);
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
        if (tsg_session_param(s, a->params[i], eq + 1, &err)) rc = cli_report(&err);
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
        if (!rc && a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = cli_report(&err);
        if (!rc && tsg_session_run_len(s, text, len, source, a->keep_going, &sink, &err)) rc = 1;
        if (cli_xlsx_end(&a->out, rc == 0, &err)) rc = cli_report(&err);
        free(text);
    } else {
        if (a->xlsx && cli_xlsx_start(&a->out, a->xlsx, &err)) rc = cli_report(&err);
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
    {"summary", "summary [DB]", N_("counts by sector, ward and target group"), 0, 1, cli_cmd_summary},
    {"import", N_("import [--encoding auto|utf-8|cp932] [--as-of DATE] DIR DB"),
     N_("replace DB's network by the CSV folder DIR (--as-of: bring it in as the change at DATE)"), 1,
     2, cli_cmd_import},
    {"export", N_("export [--bom] DIR [DB]"), N_("write DB's network as a CSV folder DIR (--bom: for Excel)"), 1, 2,
     cli_cmd_export},
    {"import-hsds", N_("import-hsds [--mapping M] [--report R] DIR [DB]"),
     N_("replace DB's network by the HSDS package DIR (DB: DIR.db)"), 1, 2, cli_cmd_import_hsds},
    {"export-hsds", N_("export-hsds [--package-name N] [--title T] [--license L] DIR [DB]"),
     N_("write DB's network as an HSDS 3.0 package DIR (no licence unless --license)"), 1, 2, cli_cmd_export_hsds},
    {"hsds-mapping", "hsds-mapping", N_("print the built-in HSDS mapping (to edit for --mapping)"), 0, 0,
     cli_cmd_hsds_mapping},
    {"survey-out", N_("survey-out [--as-of DATE] DIR [DB]"),
     N_("write a survey workbook for each organisation into DIR (--as-of: the network on DATE)"), 1, 2,
     cli_cmd_survey_out},
    {"survey-in", N_("survey-in [--as-of DATE] DIR [DB]"),
     N_("apply the survey answers returned in DIR as a change at DATE (default today)"), 1, 2, cli_cmd_survey_in},
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
    cli_args_t a = {.out = {.format = TSG_FMT_TABLE, .stream = stdout}};
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
    if (a.xlsx && cmd->run != cli_cmd_summary) {
        fprintf(stderr, _("tsunagi: --xlsx writes results: it goes with statements and summary, not %s\n"), cmd->name);
        return 2;
    }
    if (a.encoding && cmd->run != cli_cmd_import) {
        fprintf(stderr, _("tsunagi: --encoding applies to import only\n"));
        return 2;
    }
    if (a.as_of && cmd->run != cli_cmd_import && cmd->run != cli_cmd_survey_in && cmd->run != cli_cmd_survey_out) {
        fprintf(stderr,
                _("tsunagi: --as-of goes with import, survey-out and survey-in (statements take AS OF 'date'), not %s\n"),
                cmd->name);
        return 2;
    }
    if ((a.mapping || a.report) && cmd->run != cli_cmd_import_hsds) {
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
    if (a.suppress_below > 0 && cmd->run != cli_cmd_summary && cmd->run != cli_cmd_export_hsds &&
        cmd->run != cli_cmd_survey_out) {
        if (cmd->run == cli_cmd_export)
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
    if ((a.package.name || a.package.title || a.package.license) && cmd->run != cli_cmd_export_hsds) {
        fprintf(stderr, _("tsunagi: --package-name, --title and --license go with export-hsds, not %s\n"), cmd->name);
        return 2;
    }
    if (a.out.bom && cmd->run != cli_cmd_summary && cmd->run != cli_cmd_export) {
        fprintf(stderr, _("tsunagi: --bom goes with statements, summary and export, not %s\n"), cmd->name);
        return 2;
    }
    if (a.out.bom && cmd->run == cli_cmd_summary && a.out.format != TSG_FMT_CSV) {
        fprintf(stderr, _("tsunagi: --bom marks CSV for Excel; summary takes it with --format csv\n"));
        return 2;
    }
    if (a.format_given && cmd->run != cli_cmd_summary) {
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
