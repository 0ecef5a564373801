/*
 * repl — the interactive prompt: GNU readline in its callback form, so the
 * program waits for input in its own pselect() and a Ctrl-C is a flag read
 * between keys, never a jump out of readline. Statements may span lines and
 * run when tsg_statement_complete() says they end; lines that start with '.'
 * at a fresh prompt are the dot-commands (dot.c). Tab asks the library what
 * the grammar takes at the cursor; a run longer than the terminal goes
 * through the pager.
 *
 * Owns: the line buffer, the .output file, its copy of the parameters, and
 * readline's history (read from and written to the history file). The
 * session, database and cli_out_t belong to main.c; out->stream is stdout
 * again when cli_repl returns.
 */
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#define PROMPT "tsunagi> "
#define PROMPT_MORE "   ...> "
#define HISTORY_MAX 1000

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

tsg_status_t repl_fail(tsg_error_t *err, tsg_status_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return err->code = code;
}

/* ---- running statements ---------------------------------------------------------- */

/* The rows of the terminal on standard output, or 0. */
static size_t term_rows(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_row;
}

/* Shows what a run printed: through $PAGER (else less) when it is longer
 * than the terminal, as psql does, else as it is. A pager that cannot be
 * started leaves the text on the terminal; one the user quits early must
 * not kill tsunagi with SIGPIPE. */
static void page(const char *text, size_t len)
{
    size_t lines = 0, rows = term_rows();
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    const char *pager = getenv("PAGER");
    if (!pager || !*pager) pager = "less -FRX";
    int shown = 0;
    if (rows && lines + 1 >= rows) {
        fflush(stdout);
        struct sigaction ign = {.sa_handler = SIG_IGN}, old;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old);
        FILE *p = popen(pager, "w");
        if (p) {
            fwrite(text, 1, len, p);
            int status = pclose(p);
            /* 127: the shell found no such program. */
            shown = status != -1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 127);
        }
        sigaction(SIGPIPE, &old, NULL);
    }
    if (!shown) fwrite(text, 1, len, stdout);
}

void repl_run(repl_t *r, const char *text, size_t len, const char *source, int keep_going)
{
    tsg_sink_t sink = cli_sink(r->out);
    tsg_error_t err = {0};
    struct timespec t0, t1;
    /* On the terminal each run starts its own blank-line count; a file keeps
     * counting so its results stay separated and a BOM is written once. */
    if (!r->file) {
        r->out->printed = 0;
        r->out->last[0] = '\0';
    }
    /* Tables fit the terminal as it is now (it may have been resized). */
    r->out->width = r->file ? 0 : cli_term_width(STDOUT_FILENO);
    /* For the pager, what goes to the terminal is kept until the run ends,
     * to be measured. Without a terminal there is no pager (and no test
     * can hang on one). */
    char *held = NULL;
    size_t nheld = 0;
    FILE *mem = NULL;
    if (!r->file && !r->out->no_pager && term_rows() && isatty(STDIN_FILENO)) {
        mem = open_memstream(&held, &nheld);
        if (mem) r->out->stream = mem;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->sigint = 0;
    r->running = 1;
    /* The sink has already printed every error with its caret; a failed
     * statement is the user's to read, not a reason to leave the REPL. */
    (void)tsg_session_run_len(r->s, text, len, source, keep_going, &sink, &err);
    r->running = 0;
    r->sigint = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (mem) {
        r->out->stream = stdout;
        if (fclose(mem) == 0 && held) page(held, nheld);
        free(held);
    }
    fflush(r->out->stream);
    if (r->out->timer)
        printf(_("time: %.3f s\n"), (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    fflush(stdout);
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
        for (size_t i = 0; repl_dot_name(i) && !bad; i++)
            if (!strncmp(repl_dot_name(i), text, tlen)) bad = add_word(&words, &n, repl_dot_name(i));
    } else if (text[0] == '$') {
        for (size_t i = 0; i < r->nparams && !bad; i++)
            if (!strncmp(r->pnames[i], text + 1, tlen - 1)) {
                char w[512];
                snprintf(w, sizeof w, "$%s", r->pnames[i]);
                bad = add_word(&words, &n, w);
            }
    } else {
        /* The grammar decides what fits here: the statement so far is the
         * lines already typed and this line up to the word (and its quote). */
        int quoted = rl_completion_quote_character != 0;
        size_t upto = (size_t)start - (quoted && start > 0 ? 1 : 0);
        char *before = malloc(r->len + upto + 2);
        if (!before) return NULL;
        memcpy(before, r->buf ? r->buf : "", r->len);
        size_t k = r->len;
        if (k) before[k++] = '\n';
        memcpy(before + k, rl_line_buffer, upto);
        before[k + upto] = '\0';
        tsg_error_t err = {0};
        tsg_status_t st = tsg_session_complete_at(r->s, before, text, quoted, &words, &n, &err);
        free(before);
        if (st) return NULL;
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
        fprintf(stderr, _("tsunagi: could not write the history to %s\n"), r->history);
    clear_history();
    tsg_error_t err = {0};
    if (repl_close_output(r, &err)) fprintf(stderr, _("error: %s\n"), err.text);
    /* A workbook being collected is written on the way out, as .xlsx would. */
    if (cli_xlsx_end(r->out, 1, &err)) fprintf(stderr, _("error: %s\n"), err.text);
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

    printf(_("tsunagi %s — %s — .help for help\n"), TSG_VERSION, tsg_db_path(db));
    while (!r.quit) {
        char *line;
        /* The session's .asof in the prompt: every answer is of that day;
         * and .whatif's mark: every answer is of the scenario. */
        char prompt[96];
        const char *asof = tsg_session_get_as_of(s);
        int whatif = tsg_session_get_scenario(s) != NULL;
        snprintf(prompt, sizeof prompt, "tsunagi%s%s%s%s%s> ", asof ? "@" : "", asof ? asof : "", whatif ? "[" : "",
                 whatif ? C_("prompt", "what if") : "", whatif ? "]" : "");
        int got = read_line(&r, r.len ? PROMPT_MORE : prompt, &line);
        if (got < 0) {
            discard(&r);
            continue;
        }
        if (got == 0) {
            /* readline 8.1+ ends the prompt's line itself when it leaves
             * bracketed-paste mode, and only then. */
            const char *bp = rl_variable_value("enable-bracketed-paste");
            if (!bp || strcmp(bp, "on")) putchar('\n');
            if (r.len) fprintf(stderr, _("tsunagi: the unfinished statement was not run\n"));
            break;
        }
        const char *p = skip_blank(line);
        if (!r.len && *p == '.') {
            history_add(line);
            repl_dot_command(&r, p);
        } else if (r.len || *p) {
            if (append(&r, line)) {
                fprintf(stderr, _("error: out of memory; the statement was dropped\n"));
                discard(&r);
            } else if (tsg_statement_complete(r.buf)) {
                history_add(r.buf);
                repl_run(&r, r.buf, r.len, NULL, 1);
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
