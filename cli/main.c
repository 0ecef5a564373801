/*
 * tsunagi — the command-line program, a thin client of tsunagi.h.
 *
 *   tsunagi [DB]                      summary of a network (the sample city by default)
 *   tsunagi summary [DB]
 *   tsunagi import [--encoding E] DIR DB
 *   tsunagi export DIR [DB]
 *
 * Commands live in one table; --help is generated from it. Exit status: 0 on
 * success, 1 on an error in the data or the database, 2 on a usage error.
 */
#include "tsunagi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct args {
    const char *pos[4];
    int npos;
    const char *encoding;
    tsg_format_t format;
} args_t;

typedef int (*command_fn)(const args_t *a);

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

/* The database named on the command line, else $TSUNAGI_DB, else the sample city. */
static int open_db(const char *path, tsg_db_t **db, tsg_error_t *err)
{
    if (!path || !*path) path = getenv("TSUNAGI_DB");
    if (path && *path) return tsg_open(path, db, err);
    return tsg_open_sample(db, err);
}

static int cmd_summary(const args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 0 ? a->pos[0] : NULL, &db, &err)) return report(&err);
    tsg_result_t **rs;
    size_t n;
    int rc = 0;
    if (tsg_summary(db, &rs, &n, &err)) {
        rc = report(&err);
    } else {
        if (a->format == TSG_FMT_TABLE) printf("%s\n\n", tsg_db_path(db));
        for (size_t i = 0; i < n && !rc; i++) {
            if (i && a->format != TSG_FMT_CSV) putchar('\n');
            if (tsg_result_print(rs[i], a->format, stdout, &err)) rc = report(&err);
        }
        tsg_results_free(rs, n);
    }
    tsg_close(db);
    return rc;
}

static int cmd_import(const args_t *a)
{
    tsg_error_t err = {0};
    tsg_encoding_t enc = TSG_ENC_AUTO;
    if (a->encoding && tsg_encoding_parse(a->encoding, &enc, &err)) return report(&err);
    const char *path = a->npos > 1 ? a->pos[1] : getenv("TSUNAGI_DB");
    if (!path || !*path) {
        fprintf(stderr, "tsunagi: import needs a database file: tsunagi import %s CITY.db\n"
                        "(the bundled sample city is rebuilt from its own data and is not imported into)\n",
                a->pos[0]);
        return 2;
    }
    tsg_db_t *db;
    if (tsg_open(path, &db, &err)) return report(&err);
    tsg_import_counts_t c;
    int rc = 0;
    if (tsg_import_csv(db, a->pos[0], enc, &c, &err)) {
        rc = report(&err);
        fprintf(stderr, "tsunagi: nothing was imported; %s is unchanged\n", path);
    } else {
        printf("imported into %s: %ld districts, %ld organisations, %ld programs, %ld forums, %ld ties",
               path, c.districts, c.organisations, c.programs, c.forums, c.ties);
        if (c.vocabulary) printf(", %ld vocabulary entries", c.vocabulary);
        printf("\n");
    }
    tsg_close(db);
    return rc;
}

static int cmd_export(const args_t *a)
{
    tsg_error_t err = {0};
    tsg_db_t *db;
    if (open_db(a->npos > 1 ? a->pos[1] : NULL, &db, &err)) return report(&err);
    int rc = tsg_export_csv(db, a->pos[0], &err) ? report(&err) : 0;
    if (!rc) printf("exported %s to %s\n", tsg_db_path(db), a->pos[0]);
    tsg_close(db);
    return rc;
}

static const command_t commands[] = {
    {"summary", "summary [DB]", "counts by sector, ward and target group", 0, 1, cmd_summary},
    {"import", "import [--encoding auto|utf-8|cp932] DIR DB", "replace DB's network by the CSV folder DIR", 1, 2,
     cmd_import},
    {"export", "export DIR [DB]", "write DB's network as a CSV folder DIR", 1, 2, cmd_export},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tsunagi [DB]\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "       tsunagi %-45s %s\n", commands[i].usage, commands[i].help);
    fprintf(out, "options: --format table|csv|json|markdown, --version, --help\n"
                 "DB defaults to $TSUNAGI_DB, else the bundled sample city.\n");
}

static int parse_format(const char *s, tsg_format_t *f)
{
    static const char *const names[] = {"table", "csv", "json", "markdown"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *f = (tsg_format_t)i;
            return 0;
        }
    return -1;
}

int main(int argc, char **argv)
{
    args_t a = {.format = TSG_FMT_TABLE};
    const command_t *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(s, "--version")) {
            char v[256];
            tsg_versions(v, sizeof v);
            printf("%s\n", v);
            return 0;
        } else if (!strcmp(s, "--encoding") || !strcmp(s, "--format")) {
            if (i + 1 == argc) {
                fprintf(stderr, "tsunagi: %s needs a value\n", s);
                return 2;
            }
            if (s[2] == 'e') a.encoding = argv[++i];
            else if (parse_format(argv[++i], &a.format)) {
                fprintf(stderr, "tsunagi: unknown format '%s' (table, csv, json or markdown)\n", argv[i]);
                return 2;
            }
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "tsunagi: unknown option '%s'\n", s);
            usage(stderr);
            return 2;
        } else if (!cmd && a.npos == 0) {
            for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
                if (!strcmp(s, commands[k].name)) cmd = &commands[k];
            if (!cmd) a.pos[a.npos++] = s; /* tsunagi DB */
        } else if (a.npos < 4) {
            a.pos[a.npos++] = s;
        } else {
            fprintf(stderr, "tsunagi: too many arguments\n");
            return 2;
        }
    }
    if (!cmd) cmd = &commands[0];
    if (a.npos < cmd->min_pos || a.npos > cmd->max_pos) {
        fprintf(stderr, "usage: tsunagi %s\n", cmd->usage);
        return 2;
    }
    if (a.encoding && cmd->run != cmd_import) {
        fprintf(stderr, "tsunagi: --encoding applies to import only\n");
        return 2;
    }
    return cmd->run(&a);
}
