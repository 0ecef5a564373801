/*
 * commands — what the program's parts share (private to cli/): the parsed
 * command line (main.c), the printing of results and errors (output.c),
 * and the subcommands other than running statements, import, export,
 * summary, the HSDS package and the survey round (commands.c). Each
 * subcommand takes the parsed arguments and returns the exit status
 * (0 done, 1 an error in the data or the database, 2 a usage error).
 */
#ifndef TSG_CLI_COMMANDS_H
#define TSG_CLI_COMMANDS_H

#include "cli.h"

typedef struct cli_args {
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
} cli_args_t;

/* Prints "tsunagi: <error>" to standard error; returns the exit status. */
int cli_report(const tsg_error_t *err);
/* Opens the database named on the command line (path may be NULL); see
 * commands.c. Non-zero with err filled on failure. */
int cli_open_db(const char *path, tsg_db_t **db, tsg_error_t *err);
/* The sink's result callback (cli_sink): ctx is a cli_out_t. */
tsg_status_t cli_print_result(void *ctx, const tsg_result_t *r, tsg_error_t *err);

int cli_cmd_summary(cli_args_t *a);
int cli_cmd_import(cli_args_t *a);
int cli_cmd_export(cli_args_t *a);
int cli_cmd_import_hsds(cli_args_t *a);
int cli_cmd_export_hsds(cli_args_t *a);
int cli_cmd_hsds_mapping(cli_args_t *a);
int cli_cmd_survey_out(cli_args_t *a);
int cli_cmd_survey_in(cli_args_t *a);

#endif
