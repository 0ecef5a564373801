/*
 * export — EXPORT DOT|GRAPHML|JSON and RENDER: the network drawn for a
 * meeting. The drawing is the engine's (draw.c); here the clauses are read,
 * gaps to highlight are computed, the file is written, and for RENDER the
 * GraphViz `dot` program runs as a child process with a time limit (a
 * missing `dot` or a failed layout is an error, never a crash).
 */
#define _GNU_SOURCE /* close_range */
#include "ast.h"
#include "gen/tsunagi.h"
#include "draw.h"
#include "gaps.h"
#include "structure.h"
#include "query.h"
#include "store.h"
#include "util.h"
#include "atomic.h"
#include "bounds.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RENDER_SECONDS 60
/* dot's default address-space limit: room for any district's picture, far
 * below the 4.4 GB a runaway layout reached before the time limit. */
#define QRY_DOT_MEMORY_MB 2048

/* A clause whose value is one of `words`: its index, or -1 after an error
 * naming `what` (and the word meant, when one is near). */
static int word(qry_session_t *s, const ast_clause_t *c, const char *const *words, const char *what)
{
    const char *w;
    int near, k = qry_choice(s, c->v, words, &w, &near);
    if (k == -1 && near >= 0)
        qry_fail(s, &c->v->tok, "%.*s takes %s, not '%s' (did you mean %s?)", (int)c->key.n, c->key.z, what, w,
                 words[near]);
    else if (k == -1)
        qry_fail(s, &c->v->tok, "%.*s takes %s, not '%s'", (int)c->key.n, c->key.z, what, w);
    return k < 0 ? -1 : k;
}

/* The statement as typed, up to its ';', for the picture's title: read
 * by the tokenizer, so a ';' in any quote a Japanese keyboard types (「…」)
 * stays in the name and a full-width '；' ends it. */
static char *statement_text(const qry_session_t *s, const ast_stmt_t *st)
{
    gram_ctx_t g = {0};
    g.src = s->ctx.src;
    g.len = s->ctx.len;
    size_t pos = (size_t)(st->kw.z - s->ctx.src);
    int line = 1, col = 1;
    const char *end = st->kw.z + st->kw.n;
    for (;;) {
        gram_token_t t = gram_next_token(&g, &pos, &line, &col);
        if (t.type <= 0 || t.type == TK_SEMI) break;
        end = t.z + t.n;
    }
    return util_strndup(st->kw.z, (size_t)(end - st->kw.z));
}

/* A session that writes no files (the fuzz targets) ends here, its output
 * built and dropped. */
static tsg_status_t no_files(qry_session_t *s, const gram_token_t *at)
{
    return gram_fail(&s->ctx, TSG_EIO, at, "this session writes no files");
}

/* Writes a new scratch file (never one that is there already, never
 * through a link). */
static int write_new(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            errno = e;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return close(fd);
}

/* In the child, before exec: no descriptor but 0, 1, 2 and the exec-error
 * pipe (itself close-on-exec) reaches dot. */
static void close_inherited(int keep)
{
#ifdef CLOSE_RANGE_CLOEXEC
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep) close(fd);
}

/* Runs `dot -T<fmt> -o<out> <in>` with its standard error in errpath, for
 * at most RENDER_SECONDS and within the session's memory limit (RLIMIT_AS
 * in the child). Every name is one tsunagi made in a private folder (so none
 * starts with '-'), and -o takes its name in the same argument: no file
 * name can reach dot as an option. The child is reaped on every path. */
static tsg_status_t run_dot(qry_session_t *s, const ast_stmt_t *st, const char *fmt, const char *in, const char *out,
                            const char *errpath)
{
    long mb = s->dot_memory_mb > 0 ? s->dot_memory_mb : QRY_DOT_MEMORY_MB;
    char type[32];
    snprintf(type, sizeof type, "-T%s", fmt);
    char *oarg = util_printf("-o%s", out);
    char *iarg = in[0] == '-' ? util_printf("./%s", in) : util_strdup(in);
    int errfd = open(errpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int pipefd[2] = {-1, -1};
    tsg_status_t rc = TSG_OK;
    if (!oarg || !iarg) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    else if (errfd < 0 || pipe(pipefd) != 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) != 0 ||
             fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "cannot make a temporary file: %s", strerror(errno));
    pid_t pid = rc ? -1 : fork();
    if (!rc && pid < 0) rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "cannot start dot: %s", strerror(errno));
    if (pid == 0) {
        dup2(errfd, STDERR_FILENO);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        close_inherited(pipefd[1]);
        struct rlimit lim = {(rlim_t)mb << 20, (rlim_t)mb << 20};
        setrlimit(RLIMIT_AS, &lim);
        char *argv[] = {"dot", type, oarg, iarg, NULL};
        execvp("dot", argv);
        int e = errno;
        if (write(pipefd[1], &e, sizeof e) < 0) { /* the parent then reads no reason */
        }
        _exit(127);
    }
    if (errfd >= 0) close(errfd);
    if (pipefd[1] >= 0) close(pipefd[1]);
    free(oarg);
    free(iarg);
    if (rc) {
        if (pipefd[0] >= 0) close(pipefd[0]);
        return rc;
    }
    int status = 0, done = 0;
    for (int waited = 0; waited < RENDER_SECONDS * 50 && !done; waited++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) done = 1;
        else if (r < 0 && errno != EINTR) break;
        else if (qry_should_stop(s)) break;
        else {
            struct timespec tick = {0, 20 * 1000 * 1000};
            nanosleep(&tick, NULL);
        }
    }
    if (!done) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    /* Written only when exec failed; the write end is closed either way now. */
    int exec_errno = 0;
    if (read(pipefd[0], &exec_errno, sizeof exec_errno) != (ssize_t)sizeof exec_errno) exec_errno = 0;
    close(pipefd[0]);
    char *msg = NULL;
    size_t len = 0;
    tsg_error_t ignore = {0};
    util_read_file(errpath, &msg, &len, &ignore);
    while (msg && len && (msg[len - 1] == '\n' || msg[len - 1] == '\r')) msg[--len] = '\0';
    /* dot out of memory either says so or, as often, dies of a signal:
     * SIGSEGV in its own code, SIGTRAP or SIGABRT from GLib's g_error. */
    int sig = done && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int memory = sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS || sig == SIGKILL || sig == SIGTRAP ||
                 (done && msg && (strstr(msg, "memory") || strstr(msg, "alloc")));
    if (!done)
        rc = gram_fail(&s->ctx, TSG_EINPUT, &st->kw, s->interrupted ? "interrupted" : "dot took more than %d seconds; "
                                                                                        "draw a smaller district",
                       RENDER_SECONDS);
    else if (exec_errno == ENOENT)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "GraphViz 'dot' was not found; install the graphviz package");
    else if (exec_errno)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "cannot start GraphViz 'dot': %s", strerror(exec_errno));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        rc = TSG_OK;
    else if (memory)
        rc = gram_fail(&s->ctx, TSG_EINPUT, &st->kw,
                       "the drawing needed more memory than allowed (%ld MiB for dot); draw a smaller district "
                       "(OF 'district') or raise TSUNAGI_DOT_MEMORY",
                       mb);
    else
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "dot could not draw the picture: %s", msg && *msg ? msg : "no reason given");
    free(msg);
    return rc;
}

void tsg_session_dot_memory(tsg_session_t *s, long mib) { s->dot_memory_mb = mib > 0 ? mib : 0; }

/* The files EXPORT, RENDER and REPORT must not write over; NULL (with the
 * error recorded) when out of memory. */
static const util_guard_t *guard(qry_session_t *s)
{
    const util_guard_t *g = store_guard(s->db);
    if (!g) gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    return g;
}

/* by nid: the members of the set a word names (made with LET). */
static tsg_status_t set_members(qry_session_t *s, const ast_value_t *v, unsigned char **only)
{
    sqlite3_stmt *st;
    const char *type;
    tsg_status_t rc = qry_set_check(s, v->text, &v->tok, &type);
    if (rc) return rc;
    if (!type)
        return qry_fail(s, &v->tok, "no set named '%s' (make one with LET %s = FIND …; or quote a district: '%s')",
                        v->text, v->text, v->text);
    *only = calloc((size_t)s->net->maxnid + 1, 1);
    if (!*only) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    if (sqlite3_prepare_v2(s->sql, "SELECT nid FROM temp.tsg_set WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
        free(*only);
        *only = NULL;
        return qry_fail_sql(s, &v->tok);
    }
    sqlite3_bind_text(st, 1, v->text, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid > 0 && nid <= s->net->maxnid) (*only)[nid] = 1;
    }
    sqlite3_finalize(st);
    return TSG_OK;
}

/* ---- structure in the picture ---------------------------------------------------------- */

/* CLUSTER BY community (given[nid], names), HIGHLIGHT BROKERS (mark[nid]:
 * the five organisations with the most brokerage) and HIGHLIGHT THIN LINKS
 * (a note naming the five thinnest pairs of sectors). */
static tsg_status_t structure_marks(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, int64_t district,
                                    const eng_graph_t *gr, int community, int highlight, int64_t **given, char **names,
                                    int *ngiven, long **mark, char **note)
{
    tsg_error_t err = {0};
    tsg_status_t rc;
    size_t nn = (size_t)net->maxnid + 1;
    if (community) {
        igraph_vector_int_t membership;
        igraph_integer_t ncom;
        if (eng_communities(gr, 0, &membership, &ncom, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        if (ncom > 256) ncom = 256;
        *given = calloc(nn, sizeof **given);
        if (!*given || eng_community_names(net, gr, &membership, ncom, names, &err)) {
            igraph_vector_int_destroy(&membership);
            return gram_fail(&s->ctx, *given ? err.code : TSG_ENOMEM, &st->kw, "%s", *given ? err.text : "out of memory");
        }
        *ngiven = (int)ncom;
        for (igraph_integer_t v = 0; v < gr->n; v++)
            if (VECTOR(membership)[v] < ncom) (*given)[gr->nid[v]] = VECTOR(membership)[v] + 1;
        igraph_vector_int_destroy(&membership);
    }
    if (highlight == 1) {
        long *roles;
        eng_graph_t arcs; /* brokerage reads referrals in their direction */
        if (eng_graph_build(net, district, 0, 1, NULL, 0, s->suppress_below, &arcs, &err))
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        rc = eng_brokerage(net, &arcs, &roles, &err);
        eng_graph_free(&arcs);
        if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        *mark = calloc(nn, sizeof **mark);
        if (!*mark) {
            free(roles);
            return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
        }
        for (int pick = 0; pick < 5; pick++) {
            long best = 0;
            igraph_integer_t bv = -1;
            for (igraph_integer_t v = 0; v < gr->n; v++) {
                long total = 0;
                for (int k = 0; k < 5; k++) total += roles[v * 5 + k];
                if (total > best && !(*mark)[gr->nid[v]]) best = total, bv = v;
            }
            if (bv >= 0) (*mark)[gr->nid[bv]] = best;
        }
        free(roles);
    }
    if (highlight == 2) {
        int *group = malloc(((size_t)gr->n + 1) * sizeof *group);
        const char *sectors[64];
        int ng = 0;
        long size[64];
        for (igraph_integer_t v = 0; group && v < gr->n; v++) {
            const char *sec = net->sector[gr->nid[v]];
            int k = 0;
            while (sec && k < ng && strcmp(sectors[k], sec)) k++;
            if (sec && k == ng && ng < 64) sectors[ng++] = sec;
            group[v] = sec && k < ng ? k : -1;
        }
        eng_pair_t *pairs = NULL;
        size_t np = 0;
        util_buf_t b = {0};
        if (!group || eng_thin_pairs(gr, group, ng, size, &pairs, &np, &err) || util_buf_adds(&b, "thin links:"))
            err.code = err.code ? err.code : TSG_ENOMEM;
        for (size_t i = 0; !err.code && i < np && i < 5; i++)
            util_buf_printf(&b, "\n%s – %s: %ld ties (%.1f expected)", sectors[pairs[i].a], sectors[pairs[i].b],
                            pairs[i].ties, pairs[i].expected);
        free(group);
        free(pairs);
        if (err.code) {
            util_buf_free(&b);
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text[0] ? err.text : "out of memory");
        }
        *note = b.data;
    }
    return TSG_OK;
}

/* CLUSTER BY forum: frames cannot overlap, so each organisation is drawn in
 * its most specific forum (the one with the fewest members), with the forum
 * itself; organisations in no forum stand outside. */
static tsg_status_t forum_clusters(qry_session_t *s, const eng_net_t *net, int64_t **given, char **names, int *n)
{
    size_t nn = (size_t)net->maxnid + 1;
    long *members = calloc(nn, sizeof *members);
    *given = calloc(nn, sizeof **given);
    if (!members || !*given) {
        free(members);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    for (size_t t = 0; t < net->nties; t++)
        if (net->ties[t].kind == ENG_MEMBERSHIP) members[net->ties[t].dst]++;
    int64_t *best = calloc(nn, sizeof *best); /* by organisation: its forum */
    if (!best) {
        free(members);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind != ENG_MEMBERSHIP) continue;
        int64_t cur = best[tie->src];
        if (!cur || members[tie->dst] < members[cur] || (members[tie->dst] == members[cur] && tie->dst < cur))
            best[tie->src] = tie->dst;
    }
    *n = 0;
    for (int64_t f = 1; f <= net->maxnid && *n < 256; f++) {
        if (net->type[f] != ENG_FORUM) continue;
        int used = 0;
        for (int64_t o = 1; o <= net->maxnid && !used; o++) used = best[o] == f;
        if (!used) continue;
        if (!(names[*n] = util_strdup(net->name[f]))) break;
        (*n)++;
        (*given)[f] = *n;
        for (int64_t o = 1; o <= net->maxnid; o++)
            if (best[o] == f) (*given)[o] = *n;
    }
    free(best);
    free(members);
    return TSG_OK;
}

/* ---- REPORT ---------------------------------------------------------------------- */

/* A result set as an HTML table (the sink REPORT captures results with). */
static tsg_status_t html_table(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    util_buf_t *b = ctx;
    int rc = 0;
    if (r->title) rc = util_buf_adds(b, "<h3>") || eng_html_text(b, r->title) || util_buf_adds(b, "</h3>\n");
    if (r->kind == TSG_RESULT_MESSAGE)
        return rc || util_buf_adds(b, "<p>") || eng_html_text(b, r->cells[0]) || util_buf_adds(b, "</p>\n")
                   ? util_fail(err, TSG_ENOMEM, "out of memory") : TSG_OK;
    rc = rc || util_buf_adds(b, "<table>\n<tr>");
    for (size_t c = 0; !rc && c < r->ncols; c++)
        rc = util_buf_adds(b, "<th>") || eng_html_text(b, r->cols[c]) || util_buf_adds(b, "</th>");
    rc = rc || util_buf_adds(b, "</tr>\n");
    for (size_t i = 0; !rc && i < r->nrows; i++) {
        rc = util_buf_adds(b, "<tr>");
        for (size_t c = 0; !rc && c < r->ncols; c++) {
            const char *cell = r->cells[i * r->ncols + c];
            rc = util_buf_adds(b, r->right[c] ? "<td class=\"n\">" : "<td>") || eng_html_text(b, cell ? cell : "") ||
                 util_buf_adds(b, "</td>");
        }
        rc = rc || util_buf_adds(b, "</tr>\n");
    }
    if (!r->nrows) rc = rc || util_buf_printf(b, "<tr><td colspan=\"%zu\">(none)</td></tr>\n", r->ncols);
    rc = rc || util_buf_adds(b, "</table>\n");
    return rc ? util_fail(err, TSG_ENOMEM, "out of memory") : TSG_OK;
}

/* A statement of another kind over the clauses of this one in slots
 * `keep` (bits 1 << AST_CL_*). */
static ast_stmt_t *sub_statement(qry_session_t *s, const ast_stmt_t *st, ast_skind_t kind, unsigned keep)
{
    ast_stmt_t *sub = ast_alloc(&s->ctx, sizeof *sub);
    if (!sub) return NULL;
    *sub = *st;
    sub->kind = kind;
    for (int i = 0; i < AST_CL_N; i++)
        if (!(keep & (1u << i))) sub->cl[i] = NULL;
    return sub;
}

static const char report_head[] =
    "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
static const char report_style[] =
    "</title>\n<style>\n"
    "body { font-family: 'Noto Sans CJK JP', sans-serif; margin: 2em; color: #222; }\n"
    "h1 { font-size: 1.5em; } h2 { border-bottom: 2px solid #999; margin-top: 2em; }\n"
    "table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }\n"
    "th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; vertical-align: top; }\n"
    "th { background: #eee; } td.n { text-align: right; }\n"
    ".picture svg { max-width: 100%; height: auto; border: 1px solid #ddd; }\n"
    "</style>\n</head>\n<body>\n";

/* REPORT GAPS FOR … AGED … IN '…' [NEEDS …] TO 'report.html': the gap
 * table, the coverage matrix, the horizontal summary and the picture, in one
 * file that opens offline. */
static tsg_status_t exec_report(qry_session_t *s, const ast_stmt_t *st, const char *path, const ast_clause_t *to)
{
    static const char *const gaps_word[] = {"gaps", NULL};
    const char *w;
    int near, k = qry_choice(s, st->v, gaps_word, &w, &near);
    if (k == -2) return s->ctx.code;
    if (k < 0) return qry_fail(s, &st->what, "REPORT makes a GAPS report: REPORT GAPS FOR … AGED … IN '…' TO 'report.html'");
    /* The grammar let through only GAPS' clauses and TO. */
    unsigned gaps_slots = (1u << AST_CL_FOR) | (1u << AST_CL_AGED) | (1u << AST_CL_IN) | (1u << AST_CL_NEEDS) |
                          (1u << AST_CL_BY) | (1u << AST_CL_WITHIN) | (1u << AST_CL_ASOF);
    ast_stmt_t *gaps = sub_statement(s, st, AST_GAPS, gaps_slots);
    ast_stmt_t *coverage = sub_statement(s, st, AST_COVERAGE, gaps_slots & ~(1u << AST_CL_WITHIN));
    ast_stmt_t *horizontal = sub_statement(s, st, AST_HORIZONTAL, 1u << AST_CL_IN);
    if (!gaps || !coverage || !horizontal) return s->ctx.code;
    /* A report that may not be written is refused before the work; the
     * writer checks again. */
    const util_guard_t *g0 = guard(s);
    tsg_error_t gerr = {0};
    if (!g0) return s->ctx.code;
    if (util_guard_check(g0, path, &gerr)) return gram_fail(&s->ctx, gerr.code, &to->v->tok, "%s", gerr.text);
    qry_gaps_args_t a;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    if ((rc = qry_gaps_args(s, gaps, 0, &a)) || (rc = qry_network(s, &net))) return rc;
    util_buf_t b = {0};
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    char *stmt = statement_text(s, st);
    char *title = util_printf("%s — %s %d–%d", net->name[a.q.district], a.q.target, a.q.age_from, a.q.age_to);
    int fail = !stmt || !title || util_buf_adds(&b, report_head) || eng_html_text(&b, title) ||
               util_buf_adds(&b, report_style) || util_buf_adds(&b, "<h1>") || eng_html_text(&b, title) ||
               util_buf_printf(&b, "</h1>\n<p>%s — <code>", date) || eng_html_text(&b, stmt) ||
               util_buf_adds(&b, "</code></p>\n");
    free(stmt);
    free(title);
    /* The tables: the statements' own results, captured as HTML. */
    const tsg_sink_t *saved = s->sink;
    tsg_sink_t capture = {html_table, NULL, &b};
    s->sink = &capture;
    static const char *const heads[] = {"<h2>Gaps</h2>\n", "<h2>Coverage</h2>\n", "<h2>Horizontal links</h2>\n"};
    ast_stmt_t *subs[] = {gaps, coverage, horizontal};
    for (int i = 0; i < 3 && !fail && !rc; i++) {
        fail = util_buf_adds(&b, heads[i]);
        if (!fail) rc = i < 2 ? qry_exec_gaps(s, subs[i]) : qry_exec_structure(s, subs[i]);
    }
    s->sink = saved;
    if (fail && !rc) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    /* The picture, drawn by dot and inlined. */
    eng_gap_t *rows = NULL;
    util_buf_t dot = {0};
    tsg_error_t err = {0};
    const char *keys[64], *labels[64];
    eng_draw_t d = {0};
    if (!rc) {
        d.district = a.q.district;
        d.cluster = ENG_CLUSTER_WARD;
        d.suppress_below = s->suppress_below;
        d.title = "";
        for (size_t i = 0; i < s->vocab.n && d.nsectors < 64; i++)
            if (!strcmp(s->vocab.e[i].kind, "sector")) {
                keys[d.nsectors] = s->vocab.e[i].key;
                labels[d.nsectors++] = s->vocab.e[i].label;
            }
        d.sector_keys = keys;
        d.sector_labels = labels;
        if (eng_gaps(net, &a.q, &rows, &d.ngaps, &err) || (d.gaps = rows, eng_dot(net, &d, &dot, &err)))
            rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    /* dot's input, its picture and its messages live in a private folder. */
    char *dir = NULL, *dotpath = NULL, *svgpath = NULL, *errpath = NULL;
    if (!rc && s->no_files) rc = no_files(s, &st->kw);
    if (!rc && !(dir = util_private_dir(&err))) rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (!rc && (!(dotpath = util_printf("%s/in.dot", dir)) || !(svgpath = util_printf("%s/out.svg", dir)) ||
                !(errpath = util_printf("%s/dot.err", dir))))
        rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    if (!rc && write_new(dotpath, dot.data ? dot.data : "", dot.len) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "cannot write a temporary file: %s", strerror(errno));
    if (!rc) rc = run_dot(s, st, "svg", dotpath, svgpath, errpath);
    char *svg = NULL;
    size_t svglen = 0;
    if (!rc && util_read_file(svgpath, &svg, &svglen, &err)) rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    util_private_dir_remove(dir);
    free(dotpath);
    free(svgpath);
    free(errpath);
    if (!rc) {
        /* Inline SVG starts at <svg: the XML prolog and doctype stay out. */
        const char *start = svg ? strstr(svg, "<svg") : NULL;
        if (util_buf_adds(&b, "<h2>The network</h2>\n<div class=\"picture\">\n") || util_buf_adds(&b, start ? start : "") ||
            util_buf_adds(&b, "</div>\n</body>\n</html>\n"))
            rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    const util_guard_t *g = rc ? NULL : guard(s);
    if (!rc && !g) rc = s->ctx.code;
    if (!rc && util_write_file(path, b.data, b.len, g, &err)) rc = gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    free(svg);
    free(rows);
    util_buf_free(&dot);
    util_buf_free(&b);
    return rc ? rc : qry_emit_done(s, "wrote %s", path);
}

/* Everything a picture needs, and everything it owns (freed in one place). */
typedef struct drawing {
    eng_draw_t d;
    const char *keys[64], *labels[64];
    unsigned char *only;
    eng_gap_t *gaps;
    int64_t *given;
    char *given_names[256];
    int ngiven;
    long *mark;
    char *note, *title;
} drawing_t;

static void drawing_free(drawing_t *w)
{
    free(w->only);
    free(w->gaps);
    free(w->given);
    for (int k = 0; k < w->ngiven; k++) free(w->given_names[k]);
    free(w->mark);
    free(w->note);
    free(w->title);
}

/* HIGHLIGHT GAPS reads FOR, AGED, NEEDS and WITHIN as GAPS does (the same
 * slots, through the same function: the group's usual needs when NEEDS is
 * not given), over the district drawn. */
static tsg_status_t highlight_gaps(qry_session_t *s, const ast_stmt_t *st, drawing_t *w)
{
    tsg_status_t rc;
    if (!st->cl[AST_CL_FOR] || !st->cl[AST_CL_AGED] || !w->d.district)
        return qry_fail(s, &st->cl[AST_CL_HIGHLIGHT]->key, "HIGHLIGHT GAPS needs OF 'district', FOR target and AGED a..b");
    qry_gaps_args_t a;
    if ((rc = qry_gaps_args(s, st, w->d.district, &a))) return rc;
    tsg_error_t err = {0};
    if (eng_gaps(s->net, &a.q, &w->gaps, &w->d.ngaps, &err))
        return gram_fail(&s->ctx, err.code, &st->cl[AST_CL_HIGHLIGHT]->key, "%s", err.text);
    w->d.gaps = w->gaps;
    return TSG_OK;
}

/* Reads EXPORT's and RENDER's drawing clauses into w (which the caller
 * frees with drawing_free whether this succeeds or not). */
static tsg_status_t drawing_setup(qry_session_t *s, const ast_stmt_t *st, drawing_t *w)
{
    memset(w, 0, sizeof *w);
    eng_draw_t *d = &w->d;
    d->suppress_below = s->suppress_below;
    tsg_status_t rc;
    if (!s->net) {
        tsg_error_t err = {0};
        if (eng_net_load(s->db, &s->net, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    const eng_net_t *net = s->net;
    ast_clause_t *const *c = st->cl;
    const ast_node_t *of = c[AST_CL_OF] ? c[AST_CL_OF]->node : NULL;
    if (of && !of->type && of->v->kind == AST_V_WORD) {
        /* OF a set made with LET: draw its members. */
        if ((rc = set_members(s, of->v, &w->only))) return rc;
        d->only = w->only;
    } else if (of) {
        const qry_name_t *n;
        if ((rc = qry_node_ref(s, of, 1u << QRY_DISTRICT, &n))) return rc;
        d->district = n->nid;
    }
    static const char *const cluster_words[] = {"sector", "ward", "community", "forum", NULL};
    static const char *const label_words[] = {"ja", "en", NULL};
    static const char *const highlight_words[] = {"gaps", "brokers", "thin", NULL};
    int cluster = -1, highlight = -1;
    if (c[AST_CL_CLUSTER] && (cluster = word(s, c[AST_CL_CLUSTER], cluster_words, "sector, ward, community or forum")) < 0)
        return s->ctx.code;
    if (cluster >= 0) d->cluster = cluster == 0 ? ENG_CLUSTER_SECTOR : cluster == 1 ? ENG_CLUSTER_WARD : ENG_CLUSTER_GIVEN;
    if (c[AST_CL_LABELS]) {
        int k = word(s, c[AST_CL_LABELS], label_words, "ja or en");
        if (k < 0) return s->ctx.code;
        d->english = k == 1;
    }
    if (c[AST_CL_HIGHLIGHT] && (highlight = word(s, c[AST_CL_HIGHLIGHT], highlight_words, "GAPS, BROKERS or THIN LINKS")) < 0)
        return s->ctx.code;
    if (highlight != 0 && (c[AST_CL_FOR] || c[AST_CL_AGED] || c[AST_CL_NEEDS] || c[AST_CL_WITHIN])) {
        const ast_clause_t *x = c[AST_CL_FOR] ? c[AST_CL_FOR] : c[AST_CL_AGED] ? c[AST_CL_AGED] : c[AST_CL_NEEDS] ? c[AST_CL_NEEDS] : c[AST_CL_WITHIN];
        return qry_fail(s, &x->key, "%.*s belongs to HIGHLIGHT GAPS", (int)x->key.n, x->key.z);
    }
    /* The legend's sectors, in the vocabulary's order. */
    for (size_t i = 0; i < s->vocab.n && d->nsectors < 64; i++)
        if (!strcmp(s->vocab.e[i].kind, "sector")) {
            w->keys[d->nsectors] = s->vocab.e[i].key;
            w->labels[d->nsectors++] = s->vocab.e[i].label;
        }
    d->sector_keys = w->keys;
    d->sector_labels = w->labels;
    /* Forums, communities, brokers and thin links. */
    if (cluster == 3 && (rc = forum_clusters(s, net, &w->given, w->given_names, &w->ngiven))) return rc;
    if (cluster == 2 || highlight == 1 || highlight == 2) {
        eng_graph_t gr;
        tsg_error_t err = {0};
        if (eng_graph_build(net, d->district, 0, 0, NULL, 0, s->suppress_below, &gr, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        rc = structure_marks(s, st, net, d->district, &gr, cluster == 2, highlight, &w->given, w->given_names,
                             &w->ngiven, &w->mark, &w->note);
        eng_graph_free(&gr);
        if (rc) return rc;
    }
    d->given = w->given;
    d->given_labels = (const char *const *)w->given_names;
    d->mark = w->mark;
    d->mark_label = "brokerage";
    d->note = w->note;
    if (highlight == 0 && (rc = highlight_gaps(s, st, w))) return rc;
    /* The title: where, when, and the statement itself. */
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    char *stmt = statement_text(s, st);
    const char *where = d->district ? net->name[d->district] : d->only ? of->v->text : "all districts";
    w->title = util_printf("%s — %s\n%s", where, date, stmt ? stmt : "");
    free(stmt);
    d->title = w->title;
    return TSG_OK;
}

tsg_status_t qry_exec_export(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    /* EXPORT DIRECTORY: the resource list, not a drawing (directory.c). */
    if (st->kind == AST_EXPORT && st->v && st->v->kind == AST_V_WORD && !strcmp(st->v->fold, "directory"))
        return qry_exec_directory(s, st);
    if (!c[AST_CL_TO] && st->kind == AST_REPORT) return qry_fail(s, &st->kw, "REPORT needs TO 'report.html'");
    if (!c[AST_CL_TO]) return qry_fail(s, &st->kw, "%.*s needs TO 'file'", (int)st->kw.n, st->kw.z);
    if (st->kind == AST_REPORT) {
        const char *path = qry_text(s, c[AST_CL_TO]->v, "a file name");
        tsg_status_t rc = path ? qry_load(s) : s->ctx.code;
        return rc ? rc : exec_report(s, st, path, c[AST_CL_TO]);
    }
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    /* What to write, and where. */
    int render = st->kind == AST_RENDER, fmt = 0; /* 0 dot, 1 graphml, 2 json */
    const char *path = qry_text(s, c[AST_CL_TO]->v, "a file name");
    if (!path) return s->ctx.code;
    const char *ext = strrchr(path, '.');
    static const char *const render_formats[] = {"svg", "png", "pdf", NULL};
    const char *render_fmt = NULL;
    if (render) {
        for (int i = 0; ext && render_formats[i]; i++)
            if (!strcasecmp(ext + 1, render_formats[i])) render_fmt = render_formats[i];
        if (!render_fmt) return qry_fail(s, &c[AST_CL_TO]->v->tok, "RENDER writes .svg, .png or .pdf, not '%s'", path);
    } else {
        static const char *const formats[] = {"dot", "graphml", "json", NULL};
        const char *f;
        int near;
        if ((fmt = qry_choice(s, st->v, formats, &f, &near)) == -2) return s->ctx.code;
        if (fmt < 0)
            return qry_fail(s, &st->what, "EXPORT writes DOT, GRAPHML, JSON or DIRECTORY, not '%.*s'%s", (int)st->what.n, st->what.z,
                            strchr("sSpP", st->what.z[0]) ? " (for a picture: RENDER … TO 'file.svg|png|pdf')" : "");
    }
    drawing_t dw;
    rc = drawing_setup(s, st, &dw);
    const eng_net_t *net = s->net;
    util_buf_t b = {0};
    tsg_error_t err = {0};
    tsg_status_t w = rc                             ? rc
                     : !dw.d.title                  ? util_fail(&err, TSG_ENOMEM, "out of memory")
                     : fmt == 1                     ? eng_graphml(net, &dw.d, &b, &err)
                     : fmt == 2                     ? eng_json(net, &dw.d, &b, &err)
                                                    : eng_dot(net, &dw.d, &b, &err);
    drawing_free(&dw);
    if (rc) {
        util_buf_free(&b);
        return rc;
    }
    if (w) {
        util_buf_free(&b);
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    if (s->no_files) {
        util_buf_free(&b);
        return no_files(s, &st->kw);
    }
    const util_guard_t *g = guard(s);
    if (!g) {
        util_buf_free(&b);
        return s->ctx.code;
    }
    if (!render) {
        rc = util_write_file(path, b.data ? b.data : "", b.len, g, &err)
                 ? gram_fail(&s->ctx, err.code, &c[AST_CL_TO]->v->tok, "%s", err.text)
                 : TSG_OK;
        util_buf_free(&b);
        return rc ? rc : qry_emit_done(s, "wrote %s", path);
    }
    /* dot writes the picture into the private folder beside the target;
     * only a complete picture is renamed into place. */
    util_atomic_t a;
    if (util_atomic_begin(&a, path, g, &err)) {
        util_buf_free(&b);
        return gram_fail(&s->ctx, err.code, &c[AST_CL_TO]->v->tok, "%s", err.text);
    }
    close(a.fd);
    a.fd = -1;
    char *dotpath = util_atomic_scratch(&a, "in.dot"), *errpath = util_atomic_scratch(&a, "dot.err");
    if (!dotpath || !errpath) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    else if (write_new(dotpath, b.data ? b.data : "", b.len) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, "cannot write a temporary file: %s", strerror(errno));
    util_buf_free(&b);
    if (!rc) rc = run_dot(s, st, render_fmt, dotpath, a.tmp, errpath);
    free(dotpath);
    free(errpath);
    if (!rc && util_atomic_commit(&a, &err)) rc = gram_fail(&s->ctx, err.code, &c[AST_CL_TO]->v->tok, "%s", err.text);
    util_atomic_abort(&a);
    return rc ? rc : qry_emit_done(s, "drew %s", path);
}
