/*
 * repl — the interactive prompt: GNU readline in its callback form, so the
 * program waits for input in its own pselect() and a Ctrl-C is a flag read
 * between keys, never a jump out of readline. Statements may span lines and
 * run when tsg_statement_complete() says they end; lines that start with '.'
 * at a fresh prompt are the dot-commands of one table, from which .help is
 * written.
 *
 * Owns: the line buffer, the .output file, its copy of the parameters, and
 * readline's history (read from and written to the history file). The
 * session, database and cli_out_t belong to main.c; out->stream is stdout
 * again when cli_repl returns.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#define PROMPT "tsunagi> "
#define PROMPT_MORE "   ...> "
#define HISTORY_MAX 1000
#define MAX_ARGS 8

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

/* readline's line and completion callbacks and the SIGINT handler take no
 * context argument, so they reach the one REPL through this. It is set
 * before the handler is installed and cleared after it is removed, so the
 * handler never sees it change. */
static repl_t *live;

/* ---- small helpers ------------------------------------------------------------- */

/* Adds a line to the statement being typed. */
static tsg_status_t append(repl_t *r, const char *text)
{
    size_t n = strlen(text);
    if (r->len + n + 2 > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (r->len + n + 2 > cap) cap *= 2;
        char *grown = realloc(r->buf, cap);
        if (!grown) return TSG_ENOMEM;
        r->buf = grown;
        r->cap = cap;
    }
    if (r->len) r->buf[r->len++] = '\n';
    memcpy(r->buf + r->len, text, n + 1);
    r->len += n;
    return TSG_OK;
}

static void discard(repl_t *r)
{
    r->len = 0;
    if (r->buf) r->buf[0] = '\0';
}

static const char *skip_blank(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

__attribute__((format(printf, 3, 4)))
static tsg_status_t fail(tsg_error_t *err, tsg_status_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return err->code = code;
}

/* The whole of a script file, NUL-terminated, into *out and its length (NUL
 * bytes in it included, for the session to report) into *outlen. */
static tsg_status_t read_file(const char *path, char **out, size_t *outlen, tsg_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
    size_t len = 0, cap = 4096, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) free(buf);
            buf = grown;
        }
    }
    tsg_status_t st = TSG_OK;
    if (!buf) st = fail(err, TSG_ENOMEM, "out of memory");
    else if (ferror(f)) st = fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
    fclose(f);
    if (st) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return TSG_OK;
}

/* ---- running statements ---------------------------------------------------------- */

static void run(repl_t *r, const char *text, size_t len, const char *source, int keep_going)
{
    tsg_sink_t sink = cli_sink(r->out);
    tsg_error_t err = {0};
    struct timespec t0, t1;
    /* On the terminal each run starts its own blank-line count; a file keeps
     * counting so its results stay separated and a BOM is written once. */
    if (!r->file) r->out->printed = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->sigint = 0;
    r->running = 1;
    /* The sink has already printed every error with its caret; a failed
     * statement is the user's to read, not a reason to leave the REPL. */
    (void)tsg_session_run_len(r->s, text, len, source, keep_going, &sink, &err);
    r->running = 0;
    r->sigint = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(r->out->stream);
    if (r->out->timer)
        printf("time: %.3f s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    fflush(stdout);
}

/* ---- dot-commands ---------------------------------------------------------------- */

typedef struct dot_args {
    int argc;                   /* words on the line, the command included */
    char *argv[MAX_ARGS];       /* the first MAX_ARGS of them, unquoted */
    const char *tail[MAX_ARGS]; /* the line as typed from each word on */
} dot_args_t;

/* A handler returns TSG_EINPUT with an empty message for wrong arguments, so
 * the caller prints the command's usage from the table. */
typedef tsg_status_t (*dot_fn)(repl_t *r, const dot_args_t *a, tsg_error_t *err);

typedef struct dot_cmd {
    const char *name;
    dot_fn run;
    const char *usage, *help;
} dot_cmd_t;

static tsg_status_t dot_help(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_mode(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_timer(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_suppress(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_output(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_read(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_xlsx(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_param(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_quit(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_timeout(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_lang(repl_t *r, const dot_args_t *a, tsg_error_t *err);

static const dot_cmd_t dot_cmds[] = {
    {".help", dot_help, ".help", "list these commands"},
    {".mode", dot_mode, ".mode [table|csv|json|markdown]", "how results print; alone, the current mode"},
    {".timer", dot_timer, ".timer on|off", "print the wall-clock time of each run"},
    {".output", dot_output, ".output [FILE]", "send results to FILE; alone, back to the terminal"},
    {".xlsx", dot_xlsx, ".xlsx [FILE]", "collect results as sheets of Excel workbook FILE; alone, write it"},
    {".read", dot_read, ".read FILE", "run the statements in FILE, stopping at the first error"},
    {".param", dot_param, ".param set NAME VALUE | list | unset NAME", "parameters ($NAME) for later statements"},
    {".suppress", dot_suppress, ".suppress N", "counts of people under N show as <N (0: show all)"},
    {".timeout", dot_timeout, ".timeout [SECONDS|off]", "stop any statement that runs longer; alone, the limit"},
    {".lang", dot_lang, ".lang [ja|en]", "the language of messages and tables; alone, the current one"},
    {".quit", dot_quit, ".quit", "leave tsunagi (so does Ctrl-D)"},
    {".exit", dot_quit, ".exit", "leave tsunagi"},
};
#define NDOT (sizeof dot_cmds / sizeof dot_cmds[0])

static tsg_status_t dot_help(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    (void)r;
    (void)err;
    if (a->argc != 1) return TSG_EINPUT;
    int w = 0;
    for (size_t i = 0; i < NDOT; i++)
        if ((int)strlen(dot_cmds[i].usage) > w) w = (int)strlen(dot_cmds[i].usage);
    for (size_t i = 0; i < NDOT; i++) printf("%-*s  %s\n", w, dot_cmds[i].usage, dot_cmds[i].help);
    printf("Statements end with ';' and may span lines; Tab completes keywords, keys and names.\n"
           "The language is described in docs/language.md.\n");
    return TSG_OK;
}

static tsg_status_t dot_mode(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc == 1) {
        printf("%s\n", tsg_format_name(r->out->format));
        return TSG_OK;
    }
    if (a->argc != 2) return TSG_EINPUT;
    return tsg_format_parse(a->argv[1], &r->out->format, err);
}

static tsg_status_t dot_suppress(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc != 2) return TSG_EINPUT;
    long n;
    if (cli_whole(a->argv[1], &n))
        return fail(err, TSG_EINPUT, ".suppress takes a whole number of people (0 to %ld), not '%s'", TSG_MAX_COUNT,
                    a->argv[1]);
    tsg_session_suppress_below(r->s, n);
    return TSG_OK;
}

static tsg_status_t dot_timeout(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc == 1) {
        long ms = tsg_session_get_timeout(r->s);
        if (ms) printf("%g s\n", (double)ms / 1000);
        else printf("off\n");
        return TSG_OK;
    }
    if (a->argc != 2) return TSG_EINPUT;
    long ms;
    if (cli_seconds(a->argv[1], &ms))
        return fail(err, TSG_EINPUT, ".timeout takes seconds (e.g. 30 or 0.5) or off, not '%s'", a->argv[1]);
    tsg_session_timeout(r->s, ms);
    return TSG_OK;
}

static tsg_status_t dot_lang(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc == 1) {
        const char *l = tsg_session_get_lang(r->s);
        printf("%s\n", l ? l : "en");
        return TSG_OK;
    }
    if (a->argc != 2 || (strcmp(a->argv[1], "ja") && strcmp(a->argv[1], "en"))) return TSG_EINPUT;
    return tsg_session_lang(r->s, a->argv[1], err);
}

static tsg_status_t dot_timer(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    (void)err;
    if (a->argc != 2) return TSG_EINPUT;
    if (!strcmp(a->argv[1], "on")) r->out->timer = 1;
    else if (!strcmp(a->argv[1], "off")) r->out->timer = 0;
    else return TSG_EINPUT;
    return TSG_OK;
}

/* Closes the .output file, if any; results go to stdout again. */
static tsg_status_t close_output(repl_t *r, tsg_error_t *err)
{
    tsg_status_t st = TSG_OK;
    if (r->file) {
        /* A full disk shows up only when the last buffer is written. */
        if ((ferror(r->file) | fclose(r->file)) != 0)
            st = fail(err, TSG_EIO, "%s: results could not all be written", r->file_name);
        free(r->file_name);
        r->file = NULL;
        r->file_name = NULL;
    }
    r->out->stream = stdout;
    r->out->printed = 0;
    return st;
}

static tsg_status_t dot_output(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc > 2) return TSG_EINPUT;
    /* The old file is closed first: it may be the very file named again. */
    tsg_status_t st = close_output(r, err);
    if (a->argc == 1) return st;
    /* A failure to close the old file is reported, the new one opened anyway. */
    /* Not the database or the workbook being collected: results would
     * overwrite it line by line. */
    if (r->out->db && tsg_db_check_target(r->out->db, a->argv[1], err)) return err->code;
    char *name = strdup(a->argv[1]);
    FILE *f = NULL;
    const char *why = NULL;
    if (name) {
        /* As for every file tsunagi writes (util/atomic.h): a symbolic link
         * at the name is refused, not written through (one planted in /tmp
         * would send the results anywhere), and a FIFO is refused rather
         * than waited on. A device (/dev/null, a terminal) is allowed. */
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
        struct stat sb;
        if (fd < 0 && errno == ELOOP) why = "it is a symbolic link; tsunagi does not write through one";
        else if (fd < 0 && errno == ENXIO) why = "it is a FIFO";
        else if (fd >= 0 && (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode))))
            why = "it is not a file";
        else if (fd >= 0 && fcntl(fd, F_SETFL, 0) == 0) f = fdopen(fd, "w");
        if (!f && fd >= 0) {
            int e = errno;
            close(fd);
            errno = e;
        }
    }
    if (!f) {
        if (!st && !name) st = fail(err, TSG_ENOMEM, "out of memory");
        else if (!st && why) st = fail(err, TSG_EIO, "%s: %s (results go to the terminal)", name, why);
        else if (!st) st = fail(err, TSG_EIO, "%s: %s (results go to the terminal)", name, strerror(errno));
        free(name);
        return st;
    }
    r->file = f;
    r->file_name = name;
    r->out->stream = f;
    return st;
}

static tsg_status_t dot_xlsx(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc > 2) return TSG_EINPUT;
    if (a->argc == 1) return cli_xlsx_end(r->out, 1, err);
    tsg_status_t st = cli_xlsx_start(r->out, a->argv[1], err);
    if (!st) printf("results go to %s until .xlsx\n", a->argv[1]);
    return st;
}

static tsg_status_t dot_read(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc != 2) return TSG_EINPUT;
    char *text = NULL;
    size_t len = 0;
    tsg_status_t st = read_file(a->argv[1], &text, &len, err);
    if (st) return st;
    /* Like tsunagi -f: later statements of a script usually rely on earlier ones. */
    run(r, text, len, a->argv[1], 0);
    free(text);
    return TSG_OK;
}

static size_t param_find(const repl_t *r, const char *name)
{
    size_t i = 0;
    while (i < r->nparams && strcmp(r->pnames[i], name)) i++;
    return i;
}

static tsg_status_t dot_param(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc < 2) return TSG_EINPUT;
    const char *verb = a->argv[1];
    if (!strcmp(verb, "list") && a->argc == 2) {
        for (size_t i = 0; i < r->nparams; i++) printf("$%s = %s\n", r->pnames[i], r->pvalues[i]);
        return TSG_OK;
    }
    if (a->argc < 3) return TSG_EINPUT;
    const char *name = a->argv[2][0] == '$' ? a->argv[2] + 1 : a->argv[2];
    size_t i = param_find(r, name);
    if (!strcmp(verb, "unset") && a->argc == 3) {
        if (i == r->nparams) return fail(err, TSG_EINPUT, "no parameter $%s", name);
        tsg_status_t st = tsg_session_param(r->s, name, NULL, err);
        if (st) return st;
        free(r->pnames[i]);
        free(r->pvalues[i]);
        r->nparams--;
        memmove(r->pnames + i, r->pnames + i + 1, (r->nparams - i) * sizeof *r->pnames);
        memmove(r->pvalues + i, r->pvalues + i + 1, (r->nparams - i) * sizeof *r->pvalues);
        return TSG_OK;
    }
    if (strcmp(verb, "set") || a->argc < 4) return TSG_EINPUT;
    /* The value is raw text: one quoted word loses its quotes, several words
     * are kept as typed, blanks between them included. */
    char *value;
    if (a->argc == 4) {
        value = strdup(a->argv[3]);
    } else {
        size_t n = strlen(a->tail[3]);
        while (n && (a->tail[3][n - 1] == ' ' || a->tail[3][n - 1] == '\t')) n--;
        value = strndup(a->tail[3], n);
    }
    char *copy = i == r->nparams ? strdup(name) : NULL;
    if (!value || (i == r->nparams && !copy)) {
        free(value);
        free(copy);
        return fail(err, TSG_ENOMEM, "out of memory");
    }
    tsg_status_t st = tsg_session_param(r->s, name, value, err);
    if (st) {
        free(value);
        free(copy);
        return st;
    }
    if (i < r->nparams) {
        free(r->pvalues[i]);
        r->pvalues[i] = value;
        return TSG_OK;
    }
    char **names = realloc(r->pnames, (r->nparams + 1) * sizeof *names);
    if (names) r->pnames = names;
    char **values = names ? realloc(r->pvalues, (r->nparams + 1) * sizeof *values) : NULL;
    if (values) r->pvalues = values;
    if (!names || !values) {
        free(value);
        free(copy);
        return fail(err, TSG_ENOMEM, "out of memory (the session has $%s, the list does not)", name);
    }
    r->pnames[r->nparams] = copy;
    r->pvalues[r->nparams++] = value;
    return TSG_OK;
}

static tsg_status_t dot_quit(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    (void)err;
    if (a->argc != 1) return TSG_EINPUT;
    r->quit = 1;
    return TSG_OK;
}

/* Splits a dot-command line in place into words; 'single' or "double"
 * quotes keep blanks inside a word. */
static void split(char *line, const char *orig, dot_args_t *a)
{
    a->argc = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        char *start = p, *w = p;
        if (a->argc < MAX_ARGS) a->tail[a->argc] = orig + (p - line);
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q) *w++ = *p++;
                if (*p) p++;
            } else {
                *w++ = *p++;
            }
        }
        int more = *p != '\0';
        if (more) p++;
        *w = '\0';
        if (a->argc < MAX_ARGS) a->argv[a->argc] = start;
        a->argc++;
        if (!more) break;
    }
}

static void dot_command(repl_t *r, const char *line)
{
    char *words = strdup(line);
    if (!words) {
        fprintf(stderr, "error: out of memory\n");
        return;
    }
    dot_args_t a;
    split(words, line, &a);
    const dot_cmd_t *cmd = NULL;
    for (size_t i = 0; i < NDOT && !cmd; i++)
        if (!strcmp(a.argv[0], dot_cmds[i].name)) cmd = &dot_cmds[i];
    tsg_error_t err = {0};
    if (!cmd) {
        fprintf(stderr, "error: unknown command '%s' (see .help)\n", a.argv[0]);
    } else if (cmd->run(r, &a, &err)) {
        if (err.text[0]) fprintf(stderr, "error: %s\n", err.text);
        else fprintf(stderr, "usage: %s\n", cmd->usage);
    }
    fflush(stdout);
    free(words);
}

/* ---- completion ------------------------------------------------------------------ */

static tsg_status_t add_word(char ***words, size_t *n, const char *w)
{
    char **grown = realloc(*words, (*n + 1) * sizeof *grown);
    if (!grown) return TSG_ENOMEM;
    *words = grown;
    if (!(grown[*n] = strdup(w))) return TSG_ENOMEM;
    (*n)++;
    return TSG_OK;
}

/* readline's form: [0] what replaces the word (the longest common prefix,
 * cut back to a whole UTF-8 character), then the matches, then NULL. The
 * words are taken over. */
static char **to_matches(const char *text, char **words, size_t n)
{
    if (!n) {
        free(words);
        return NULL;
    }
    char **m = malloc((n + 2) * sizeof *m);
    size_t lcd = strlen(words[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < lcd && words[i][k] == words[0][k]) k++;
        lcd = k;
    }
    while (lcd && ((unsigned char)words[0][lcd] & 0xC0) == 0x80) lcd--;
    /* Keywords match whatever the case; a prefix shorter than what was typed
     * would erase the user's text. */
    size_t typed = strlen(text);
    char *head = m ? strndup(lcd < typed ? text : words[0], lcd < typed ? typed : lcd) : NULL;
    if (!m || !head) {
        for (size_t i = 0; i < n; i++) free(words[i]);
        free(words);
        free(m);
        free(head);
        return NULL;
    }
    m[0] = head;
    size_t k = 1;
    if (n == 1) free(words[0]); /* a single match is [0] alone */
    else
        for (size_t i = 0; i < n; i++) m[k++] = words[i];
    m[k] = NULL;
    free(words);
    return m;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    repl_t *r = live;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    /* Inside quotes the user closes the quote (a name may go on with more
     * text); outside, a word is followed by a blank. */
    if (rl_completion_quote_character) {
        rl_completion_suppress_quote = 1;
        rl_completion_suppress_append = 1;
    }
    char **words = NULL;
    size_t n = 0;
    tsg_status_t bad = TSG_OK;
    size_t tlen = strlen(text);
    if (text[0] == '.' && start == 0 && r->len == 0) {
        for (size_t i = 0; i < NDOT && !bad; i++)
            if (!strncmp(dot_cmds[i].name, text, tlen)) bad = add_word(&words, &n, dot_cmds[i].name);
    } else if (text[0] == '$') {
        for (size_t i = 0; i < r->nparams && !bad; i++)
            if (!strncmp(r->pnames[i], text + 1, tlen - 1)) {
                char w[512];
                snprintf(w, sizeof w, "$%s", r->pnames[i]);
                bad = add_word(&words, &n, w);
            }
    } else {
        tsg_error_t err = {0};
        if (tsg_session_complete(r->s, text, &words, &n, &err)) return NULL;
    }
    if (bad) {
        for (size_t i = 0; i < n; i++) free(words[i]);
        free(words);
        return NULL;
    }
    return to_matches(text, words, n);
}

/* ---- reading lines --------------------------------------------------------------- */

static void on_sigint(int sig)
{
    (void)sig;
    repl_t *r = live;
    if (!r) return;
    r->sigint = 1;
    if (r->running) tsg_session_interrupt(r->s);
}

static void on_line(char *line)
{
    /* Removing the handler here keeps readline from drawing the next prompt
     * before the statement has run and printed. */
    rl_callback_handler_remove();
    live->line = line;
    live->line_ready = 1;
}

/* One line into *line (malloc'd). Returns 1 for a line, 0 at end of input,
 * -1 when Ctrl-C dropped what was typed.
 *
 * While the prompt waits, readline's own handlers catch SIGINT, SIGTSTP and
 * the rest (rl_persistent_signal_handlers) and only note the signal; after
 * pselect() is interrupted, rl_check_signals() lets readline restore the
 * terminal, pass the signal on (SIGINT to on_sigint, which sets r->sigint;
 * SIGTSTP to stop the program) and take the terminal back afterwards. */
static int read_line(repl_t *r, const char *prompt, char **line)
{
    /* SIGINT stays blocked except in pselect() and while readline handles
     * it, so a Ctrl-C cannot slip in between looking at the flag and going
     * to sleep. */
    sigset_t block, orig, waiting;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &orig);
    waiting = orig;
    sigdelset(&waiting, SIGINT);
    r->sigint = 0;
    r->line = NULL;
    r->line_ready = 0;
    fflush(r->out->stream);
    fflush(stdout);
    rl_callback_handler_install(prompt, on_line);
    int rc = 1, fd = fileno(rl_instream);
    while (!r->line_ready) {
        if (r->sigint) {
            /* readline has echoed ^C and dropped its undo list. */
            rl_replace_line("", 1);
            fputc('\n', rl_outstream);
            rl_callback_handler_remove();
            rc = -1;
            break;
        }
        fd_set in;
        FD_ZERO(&in);
        FD_SET(fd, &in);
        int k = pselect(fd + 1, &in, NULL, NULL, NULL, &waiting);
        if (k < 0 && errno == EINTR) {
            sigprocmask(SIG_SETMASK, &orig, NULL);
            rl_check_signals();
            sigprocmask(SIG_BLOCK, &block, NULL);
        } else if (k < 0) {
            rl_callback_handler_remove();
            rc = 0;
            break;
        } else {
            rl_callback_read_char();
        }
    }
    sigprocmask(SIG_SETMASK, &orig, NULL);
    if (rc == 1 && !r->line) rc = 0;
    *line = rc == 1 ? r->line : NULL;
    return rc;
}

/* ---- history ------------------------------------------------------------------- */

/* $XDG_STATE_HOME/tsunagi/history, else ~/.local/state/tsunagi/history; the
 * folders are made if missing. NULL when there is no home to put it in. */
static char *history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[4096];
    int n;
    if (state && state[0] == '/') n = snprintf(dir, sizeof dir, "%s/tsunagi", state);
    else if (home && *home) n = snprintf(dir, sizeof dir, "%s/.local/state/tsunagi", home);
    else return NULL;
    if (n < 0 || (size_t)n >= sizeof dir - sizeof "/history") return NULL;
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    if (mkdir(dir, 0700) && errno != EEXIST) return NULL;
    strcat(dir, "/history");
    return strdup(dir);
}

static void history_add(const char *entry)
{
    HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
    if (!last || strcmp(last->line, entry)) add_history(entry);
}

/* ---- the loop ---------------------------------------------------------------------- */

static void setup_readline(repl_t *r)
{
    /* Names are Japanese: readline must count characters and columns the
     * UTF-8 way, whatever locale the terminal was started in. */
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8")) setlocale(LC_CTYPE, "C.UTF-8");
    rl_readline_name = "tsunagi";
    rl_persistent_signal_handlers = 1; /* while waiting too: see read_line */
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n,;()=<>!";
    rl_completer_word_break_characters = rl_basic_word_break_characters;
    rl_completer_quote_characters = "'\"";
    /* A multi-line statement is one history entry: with timestamps, lines
     * that follow an entry's "#<time>" line in the file belong to it. */
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    stifle_history(HISTORY_MAX);
    r->history = history_path();
    if (r->history) read_history(r->history);
}

static void teardown(repl_t *r)
{
    if (r->history && write_history(r->history))
        fprintf(stderr, "tsunagi: could not write the history to %s\n", r->history);
    clear_history();
    tsg_error_t err = {0};
    if (close_output(r, &err)) fprintf(stderr, "error: %s\n", err.text);
    /* A workbook being collected is written on the way out, as .xlsx would. */
    if (cli_xlsx_end(r->out, 1, &err)) fprintf(stderr, "error: %s\n", err.text);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->pnames[i]);
        free(r->pvalues[i]);
    }
    free(r->pnames);
    free(r->pvalues);
    free(r->history);
    free(r->buf);
}

int cli_repl(tsg_session_t *s, tsg_db_t *db, cli_out_t *out)
{
    repl_t r = {.s = s, .out = out};
    setup_readline(&r);
    live = &r;
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    /* Restarted writes keep a Ctrl-C during a long table from cutting the
     * output; pselect() still wakes up. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old);
    /* Ctrl-C must not flush keys the terminal holds: pselect() may have
     * reported them already, and readline would then block in read() with
     * SIGINT held back until the next key. */
    struct termios tio;
    int flsh = tcgetattr(STDIN_FILENO, &tio) == 0 && !(tio.c_lflag & NOFLSH);
    if (flsh) {
        tio.c_lflag |= NOFLSH;
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
    }

    printf("tsunagi %s — %s — .help for help\n", TSG_VERSION, tsg_db_path(db));
    while (!r.quit) {
        char *line;
        int got = read_line(&r, r.len ? PROMPT_MORE : PROMPT, &line);
        if (got < 0) {
            discard(&r);
            continue;
        }
        if (got == 0) {
            /* readline 8.1+ ends the prompt's line itself when it leaves
             * bracketed-paste mode, and only then. */
            const char *bp = rl_variable_value("enable-bracketed-paste");
            if (!bp || strcmp(bp, "on")) putchar('\n');
            if (r.len) fprintf(stderr, "tsunagi: the unfinished statement was not run\n");
            break;
        }
        const char *p = skip_blank(line);
        if (!r.len && *p == '.') {
            history_add(line);
            dot_command(&r, p);
        } else if (r.len || *p) {
            if (append(&r, line)) {
                fprintf(stderr, "error: out of memory; the statement was dropped\n");
                discard(&r);
            } else if (tsg_statement_complete(r.buf)) {
                history_add(r.buf);
                run(&r, r.buf, r.len, NULL, 1);
                discard(&r);
            }
        }
        free(line);
    }

    if (flsh && tcgetattr(STDIN_FILENO, &tio) == 0) {
        tio.c_lflag &= ~(tcflag_t)NOFLSH;
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
    }
    sigaction(SIGINT, &old, NULL);
    live = NULL;
    teardown(&r);
    return 0;
}
