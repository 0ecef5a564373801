/*
 * pty — the REPL tests' terminal: the real tsunagi binary (TSUNAGI_BIN) on
 * a pseudo-terminal, against the sample city (or t->db), with HOME and
 * XDG_* in the test's own folder so history and the cached sample database
 * are its own.
 *
 * The transcript is kept without terminal escape sequences and carriage
 * returns, so a test looks for what a user would read on the screen.
 * expect() searches from the end of the previous match onwards.
 */
#ifndef TSG_TEST_PTY_H
#define TSG_TEST_PTY_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <ftw.h>

#define TIMEOUT 10 /* seconds to wait for any one piece of output */

typedef struct term {
    pid_t pid;
    int fd;
    char dir[64];
    char *log; /* what the terminal showed, escape sequences and CRs left out */
    size_t len, cap, mark;
    int esc; /* 0 text, 1 after ESC, 2 in CSI, 3 in OSC */
    int eof;
    char db[128]; /* the database to open, or "" for the sample city */
    int cols;     /* the terminal's width, 200 unless a test sets it */
    const char *pager; /* $PAGER; "cat" unless a test sets it, so no test waits on less */
    const char *lang;  /* --lang's value, or NULL for none */
} term_t;

/* Waits up to TIMEOUT s for `what` in the transcript, past the last match. */
void expect(term_t *t, const char *what);
/* Waits until the program has worked for `ms` of CPU time from now: it is
 * in the middle of a statement that runs that long (a wall-clock sleep
 * would be too short on a busy machine and wasted on an idle one). */
void busy(term_t *t, int ms);
/* Types text on the terminal. */
void send(term_t *t, const char *text);
/* Starts tsunagi on a terminal t->cols wide (200 unless set), homed in t->dir,
 * and waits for its first prompt. */
void start(term_t *t);
/* Sends `how` (".quit\r", Ctrl-D, …), waits for the program to end, and
 * checks it ended with status 0 and no sanitizer report. */
void finish(term_t *t, const char *how);
/* Kills the program if it still runs, closes the terminal, frees the
 * transcript and removes the test's folder (a suite's .fini). */
void stop(term_t *t);
/* Prints the transcript to standard error (for a failure). */
void transcript(const term_t *t);
/* A file's first 64 KiB, in a static buffer. */
char *slurp(const char *path);
/* For nftw: removes one entry of the test's folder. */
int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw);
/* The widest line between two places of the transcript, in terminal
 * columns as glibc's wcswidth counts them (CJK 2, '…' 1). */
int widest_line(const char *from, const char *to);

#endif
