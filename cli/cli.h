/*
 * cli — the tsunagi program: command-line parsing and script modes
 * (main.c), the other subcommands (commands.c), printing (output.c) and
 * the interactive REPL (repl.c, dot.c). All print results through one
 * output state, which owns the stream results go to.
 */
#ifndef TSG_CLI_H
#define TSG_CLI_H

#include "tsunagi.h"

typedef struct cli_out {
    tsg_format_t format;
    FILE *stream;      /* stdout or a .output file */
    int bom;           /* write a UTF-8 BOM before CSV (for Excel) */
    int printed;       /* results printed so far, for blank lines between them */
    int timer;         /* print each statement's time */
    tsg_xlsx_t *xlsx;  /* --xlsx / .xlsx: results become sheets of this workbook instead */
    tsg_db_t *db;      /* the open database: the workbook is held on it (tsg_db_hold) */
    size_t width;      /* a terminal's columns: tables are fitted to it (0: no limit) */
    int no_pager;      /* the REPL's .pager off */
    char last[1024];   /* the statement that made the last table printed */
} cli_out_t;

/* The columns of the terminal on fd, or 0 when fd is not a terminal. */
size_t cli_term_width(int fd);

/* Starts collecting results into the workbook at path (replacing one being
 * collected, which is written first). */
tsg_status_t cli_xlsx_start(cli_out_t *out, const char *path, tsg_error_t *err);
/* Ends the workbook: keep writes it (and says so on standard output), else
 * it is discarded and an earlier file at its path stays as it was. */
tsg_status_t cli_xlsx_end(cli_out_t *out, int keep, tsg_error_t *err);

/* Reads a time limit in seconds ("30", "0.5"; "0" or "off": none) as
 * milliseconds; -1 when the text is not one. */
int cli_seconds(const char *text, long *ms);
/* A whole number of people, 0 to TSG_MAX_COUNT: digits only, no overflow; 0 or -1. */
int cli_whole(const char *text, long *n);

/* The sink that prints results and errors. */
tsg_sink_t cli_sink(cli_out_t *out);

/* Runs the REPL on an open session until .quit or end of input; returns the
 * exit status. */
int cli_repl(tsg_session_t *s, tsg_db_t *db, cli_out_t *out);

#endif
