/*
 * repl — what the REPL's two files share: the loop, line reading,
 * completion and the pager (repl.c), and the dot-commands (dot.c). The REPL
 * state is one object, passed to every handler.
 */
#ifndef TSG_CLI_REPL_H
#define TSG_CLI_REPL_H

#include "cli.h"
#include "i18n.h"

#include <signal.h>
#include <stddef.h>

typedef struct repl {
    tsg_session_t *s;
    cli_out_t *out;
    char *buf;                    /* the statement being typed, lines joined by '\n' */
    size_t len, cap;
    FILE *file;                   /* the .output file, or NULL for stdout */
    char *file_name;
    char **pnames, **pvalues;     /* a copy of the parameters, for .param list */
    size_t nparams;
    char *history;                /* the history file, or NULL when there is no home */
    char *line;                   /* handed over by on_line */
    int line_ready;
    int quit;
    volatile sig_atomic_t running; /* a statement runs: Ctrl-C interrupts it */
    volatile sig_atomic_t sigint;  /* Ctrl-C seen since the flag was cleared */
} repl_t;

/* Runs statements, printing results through the sink (and the pager);
 * under .whatif, on the session's scenario (tsg_session_scenario). */
void repl_run(repl_t *r, const char *text, size_t len, const char *source, int keep_going);
/* Fills err with a formatted message; returns code. */
tsg_status_t repl_fail(tsg_error_t *err, tsg_status_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs one dot-command line; its errors and usage go to standard error. */
void repl_dot_command(repl_t *r, const char *line);
/* Closes the .output file, if any; results go to stdout again. */
tsg_status_t repl_close_output(repl_t *r, tsg_error_t *err);
/* The i-th dot-command's name, for completion; NULL past the last. */
const char *repl_dot_name(size_t i);

#endif
