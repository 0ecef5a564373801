/*
 * dot — the REPL's dot-commands: one table (name, handler, usage, help)
 * from which .help is written, the handlers, and the splitting of a
 * command line into words. See repl.h.
 */
#include "repl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 8

/* The whole of a script file, NUL-terminated, into *out and its length (NUL
 * bytes in it included, for the session to report) into *outlen. */
static tsg_status_t read_file(const char *path, char **out, size_t *outlen, tsg_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return repl_fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
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
    if (!buf) st = repl_fail(err, TSG_ENOMEM, _("out of memory"));
    else if (ferror(f)) st = repl_fail(err, TSG_EIO, "%s: %s", path, strerror(errno));
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
static tsg_status_t dot_sets(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_pager(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_asof(repl_t *r, const dot_args_t *a, tsg_error_t *err);
static tsg_status_t dot_whatif(repl_t *r, const dot_args_t *a, tsg_error_t *err);

static const dot_cmd_t dot_cmds[] = {
    /* The usage lines are translated too: their placeholders (FILE, N) are
     * words a reader fills in; the command and its keywords stay. */
    {".help", dot_help, N_(".help [STATEMENT]"), N_("list these commands; with a statement (GAPS, FIND, …), its syntax and an example")},
    {".mode", dot_mode, ".mode [table|csv|json|markdown|line]", N_("how results print (line: one field a line); alone, the current mode")},
    {".pager", dot_pager, ".pager on|off", N_("show results longer than the terminal through $PAGER (on at start)")},
    {".timer", dot_timer, ".timer on|off", N_("print the wall-clock time of each run")},
    {".output", dot_output, N_(".output [FILE]"), N_("send results to FILE; alone, back to the terminal")},
    {".xlsx", dot_xlsx, N_(".xlsx [FILE]"), N_("collect results as sheets of Excel workbook FILE; alone, write it")},
    {".read", dot_read, N_(".read FILE"), N_("run the statements in FILE, stopping at the first error")},
    {".sets", dot_sets, ".sets", N_("list the sets made by LET: name, kind and number of members")},
    {".param", dot_param, N_(".param set NAME VALUE | list | unset NAME"), N_("parameters ($NAME) for later statements")},
    {".suppress", dot_suppress, ".suppress N", N_("counts of people under N show as <N (0: show all)")},
    {".timeout", dot_timeout, N_(".timeout [SECONDS|off]"), N_("stop any statement that runs longer; alone, the limit")},
    {".lang", dot_lang, ".lang [ja|en]", N_("the language of messages and tables; alone, the current one")},
    {".asof", dot_asof, N_(".asof [DATE|off]"),
     N_("answer every reading statement as of DATE (as AS OF DATE does; the prompt shows it); off: today")},
    {".whatif", dot_whatif, N_(".whatif [WITHOUT node, … [WITH TIE a -> b AS kind, …] | off]"),
     N_("run every statement as WHAT IF with this change (the prompt shows it); alone, the change; off: none")},
    {".quit", dot_quit, ".quit", N_("leave tsunagi (so does Ctrl-D)")},
    {".exit", dot_quit, ".exit", N_("leave tsunagi")},
};
#define NDOT (sizeof dot_cmds / sizeof dot_cmds[0])

const char *repl_dot_name(size_t i) { return i < NDOT ? dot_cmds[i].name : NULL; }

static tsg_status_t dot_help(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    (void)r;
    if (a->argc == 2) {
        /* One source: the statement table of query/clauses.c, which also
         * writes the syntax errors. */
        const char *example = NULL, *syntax = tsg_statement_help(a->argv[1], &example);
        if (!syntax)
            return repl_fail(err, TSG_EINPUT, _("'%s' does not begin a statement (try .help GAPS, .help FIND, .help CENTRALITY)"),
                        a->argv[1]);
        printf("%s\n", _(syntax));
        printf(_("example: %s\n"), example);
        return TSG_OK;
    }
    if (a->argc != 1) return TSG_EINPUT;
    /* Aligned by display width: a Japanese placeholder takes two columns a
     * character, and printf pads by bytes. */
    int w = 0;
    for (size_t i = 0; i < NDOT; i++)
        if ((int)util_display_width(_(dot_cmds[i].usage)) > w) w = (int)util_display_width(_(dot_cmds[i].usage));
    for (size_t i = 0; i < NDOT; i++) {
        const char *u = _(dot_cmds[i].usage);
        printf("%s%*s  %s\n", u, w - (int)util_display_width(u), "", _(dot_cmds[i].help));
    }
    printf(_("Statements end with ';' and may span lines; Tab completes keywords, keys and names.\n"
             "The language is described in docs/language.md.\n"));
    return TSG_OK;
}

static tsg_status_t dot_sets(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc != 1) return TSG_EINPUT;
    tsg_result_t *res = NULL;
    tsg_status_t st = tsg_session_sets(r->s, &res, err);
    if (st) return st;
    /* Through the sink, so .mode and .output apply as to any table. */
    tsg_sink_t sink = cli_sink(r->out);
    r->out->printed = 0;
    st = sink.result(sink.ctx, res, err);
    tsg_result_free(res);
    fflush(r->out->stream);
    return st;
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
        return repl_fail(err, TSG_EINPUT, _(".suppress takes a whole number of people (0 to %ld), not '%s'"), TSG_MAX_COUNT,
                    a->argv[1]);
    tsg_session_suppress_below(r->s, n);
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

static tsg_status_t dot_asof(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc == 1) {
        const char *d = tsg_session_get_as_of(r->s);
        if (d) printf("%s\n", d);
        else printf(_("off (today)\n"));
        return TSG_OK;
    }
    if (a->argc != 2) return TSG_EINPUT;
    return tsg_session_as_of(r->s, a->argv[1], err);
}

/* The scenario is the session's (tsg_session_scenario): the copy is made
 * and changed here, once, so an unknown name is an error now, with its
 * caret (docs/decisions.md, "Issue 22: review mends"). */
static tsg_status_t dot_whatif(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    const char *now = tsg_session_get_scenario(r->s);
    if (a->argc == 1) {
        /* WHAT IF is the statement's keyword, the same in every language. */
        if (now) printf(_("WHAT IF %s\n"), now);
        else printf(_("off (the network as it is)\n"));
        return TSG_OK;
    }
    if (a->argc == 2 && !strcmp(a->argv[1], "off")) return tsg_session_scenario(r->s, NULL, err);
    const char *w = a->argv[1];
    if (strcasecmp(w, "WITHOUT") && strcasecmp(w, "WITH")) return TSG_EINPUT;
    size_t n = strlen(a->tail[1]);
    while (n && strchr(" \t;", a->tail[1][n - 1])) n--;
    if (memchr(a->tail[1], ';', n))
        return repl_fail(err, TSG_EINPUT, _(".whatif takes the change alone, without a statement after it"));
    char *change = strndup(a->tail[1], n);
    if (!change) return repl_fail(err, TSG_ENOMEM, _("out of memory"));
    tsg_status_t st = tsg_session_scenario(r->s, change, err);
    free(change);
    return st;
}

static tsg_status_t dot_timeout(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc == 1) {
        long ms = tsg_session_get_timeout(r->s);
        if (ms) printf(_("%g s\n"), (double)ms / 1000);
        else printf(_("off\n"));
        return TSG_OK;
    }
    if (a->argc != 2) return TSG_EINPUT;
    long ms;
    if (cli_seconds(a->argv[1], &ms))
        return repl_fail(err, TSG_EINPUT, _(".timeout takes seconds (e.g. 30 or 0.5) or off, not '%s'"), a->argv[1]);
    tsg_session_timeout(r->s, ms);
    return TSG_OK;
}

static tsg_status_t dot_pager(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    (void)err;
    if (a->argc != 2) return TSG_EINPUT;
    if (!strcmp(a->argv[1], "on")) r->out->no_pager = 0;
    else if (!strcmp(a->argv[1], "off")) r->out->no_pager = 1;
    else return TSG_EINPUT;
    return TSG_OK;
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
tsg_status_t repl_close_output(repl_t *r, tsg_error_t *err)
{
    tsg_status_t st = TSG_OK;
    if (r->file) {
        /* A full disk shows up only when the last buffer is written. */
        if ((ferror(r->file) | fclose(r->file)) != 0)
            st = repl_fail(err, TSG_EIO, _("%s: results could not all be written"), r->file_name);
        free(r->file_name);
        r->file = NULL;
        r->file_name = NULL;
    }
    r->out->stream = stdout;
    r->out->printed = 0;
    r->out->last[0] = '\0';
    return st;
}

static tsg_status_t dot_output(repl_t *r, const dot_args_t *a, tsg_error_t *err)
{
    if (a->argc > 2) return TSG_EINPUT;
    /* The old file is closed first: it may be the very file named again. */
    tsg_status_t st = repl_close_output(r, err);
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
        if (fd < 0 && errno == ELOOP) why = _("it is a symbolic link; tsunagi does not write through one");
        else if (fd < 0 && errno == ENXIO) why = _("it is a FIFO");
        else if (fd >= 0 && (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode))))
            why = _("it is not a file");
        else if (fd >= 0 && fcntl(fd, F_SETFL, 0) == 0) f = fdopen(fd, "w");
        if (!f && fd >= 0) {
            int e = errno;
            close(fd);
            errno = e;
        }
    }
    if (!f) {
        if (!st && !name) st = repl_fail(err, TSG_ENOMEM, _("out of memory"));
        else if (!st && why) st = repl_fail(err, TSG_EIO, _("%s: %s (results go to the terminal)"), name, why);
        else if (!st) st = repl_fail(err, TSG_EIO, _("%s: %s (results go to the terminal)"), name, strerror(errno));
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
    if (!st) printf(_("results go to %s until .xlsx\n"), a->argv[1]);
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
    repl_run(r, text, len, a->argv[1], 0);
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
        if (i == r->nparams) return repl_fail(err, TSG_EINPUT, _("no parameter $%s"), name);
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
        return repl_fail(err, TSG_ENOMEM, _("out of memory"));
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
        return repl_fail(err, TSG_ENOMEM, _("out of memory (the session has $%s, the list does not)"), name);
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

void repl_dot_command(repl_t *r, const char *line)
{
    char *words = strdup(line);
    if (!words) {
        fprintf(stderr, _("error: out of memory\n"));
        return;
    }
    dot_args_t a;
    split(words, line, &a);
    const dot_cmd_t *cmd = NULL;
    for (size_t i = 0; i < NDOT && !cmd; i++)
        if (!strcmp(a.argv[0], dot_cmds[i].name)) cmd = &dot_cmds[i];
    tsg_error_t err = {0};
    if (!cmd) {
        fprintf(stderr, _("error: unknown command '%s' (see .help)\n"), a.argv[0]);
    } else if (cmd->run(r, &a, &err)) {
        if (err.text[0]) fprintf(stderr, _("error: %s\n"), err.text);
        else fprintf(stderr, _("usage: %s\n"), _(cmd->usage));
    }
    fflush(stdout);
    free(words);
}

