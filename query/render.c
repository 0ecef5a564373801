/*
 * render — GraphViz `dot` as a child process: the picture RENDER and REPORT
 * draw from the DOT that draw.c writes. dot runs with a time limit and an
 * address-space limit; a missing `dot`, a failed layout, a layout that runs
 * out of time or memory is an error with its reason, never a crash, and the
 * child is reaped on every path.
 */
#define _GNU_SOURCE /* close_range */
#include "query.h"
#include "util.h"
#include "picture.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long dot may run when the statement has no time limit of its own
 * (--timeout, .timeout): room for the whole city drawn in full (97 s on the
 * test machine), short enough that a runaway layout ends (decisions.md,
 * issue 20). */
#define RENDER_DEFAULT_SECONDS 300
/* dot's default address-space limit: room for any district's picture, far
 * below the 4.4 GB a runaway layout reached before the time limit. */
#define QRY_DOT_MEMORY_MB 2048

/* Writes a new scratch file (never one that is there already, never
 * through a link). */
int qry_write_new(const char *path, const char *data, size_t len)
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

/* Whether the picture dot wrote ends as a whole one of its format does. dot
 * does not check its last write: on a full disk it exits 0 with the end of
 * the picture missing, and that file would be renamed into place. */
static int picture_complete(const char *path, const char *fmt)
{
    char tail[33] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > 32 ? end - 32 : 0;
    ssize_t n = end >= 0 && lseek(fd, from, SEEK_SET) == from ? read(fd, tail, 32) : -1;
    close(fd);
    if (n <= 0) return 0;
    if (!strcmp(fmt, "png")) return n >= 12 && !memcmp(tail + n - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' ')) tail[--n] = '\0';
    if (!strcmp(fmt, "svg")) return n >= 6 && !memcmp(tail + n - 6, "</svg>", 6);
    if (!strcmp(fmt, "pdf")) return n >= 5 && !memcmp(tail + n - 5, "%%EOF", 5);
    return 1;
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
 * at most qry_render_seconds and within the session's memory limit (RLIMIT_AS
 * in the child). Every name is one tsunagi made in a private folder (so none
 * starts with '-'), and -o takes its name in the same argument: no file
 * name can reach dot as an option. The child is reaped on every path. */
tsg_status_t qry_run_dot(qry_session_t *s, const ast_stmt_t *st, const char *fmt, const char *in, const char *out,
                            const char *errpath, int *cannot_draw)
{
    if (cannot_draw) *cannot_draw = 0;
    long mb = s->dot_memory_mb > 0 ? s->dot_memory_mb : QRY_DOT_MEMORY_MB;
    char type[32];
    snprintf(type, sizeof type, "-T%s", fmt);
    char *oarg = util_printf("-o%s", out);
    char *iarg = in[0] == '-' ? util_printf("./%s", in) : util_strdup(in);
    int errfd = open(errpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int pipefd[2] = {-1, -1};
    tsg_status_t rc = TSG_OK;
    if (!oarg || !iarg) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    else if (errfd < 0 || pipe(pipefd) != 0 || fcntl(pipefd[0], F_SETFD, FD_CLOEXEC) != 0 ||
             fcntl(pipefd[1], F_SETFD, FD_CLOEXEC) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("cannot make a temporary file: %s"), strerror(errno));
    pid_t pid = rc ? -1 : fork();
    if (!rc && pid < 0) rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("cannot start dot: %s"), strerror(errno));
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
    /* The statement's own limit stops it through qry_should_stop (which
     * says so); without one, RENDER_DEFAULT_SECONDS does. */
    double limit = qry_render_seconds(s);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int late = 0; !done;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        clock_gettime(CLOCK_MONOTONIC, &now);
        late = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 > limit;
        if (r == pid) done = 1;
        else if (r < 0 && errno != EINTR) break;
        else if (qry_should_stop(s) || late) break;
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
    if (cannot_draw) *cannot_draw = !done || exec_errno || (memory && !(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    if (!done)
        rc = s->interrupted ? gram_fail(&s->ctx, TSG_EINPUT, &st->kw, _("interrupted"))
                            : gram_fail(&s->ctx, TSG_EINPUT, &st->kw,
                                        _("dot took more than %d seconds; draw a smaller district, or allow longer "
                                          "with --timeout or .timeout"),
                                        RENDER_DEFAULT_SECONDS);
    else if (exec_errno == ENOENT)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("GraphViz 'dot' was not found; install the graphviz package"));
    else if (exec_errno)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("cannot start GraphViz 'dot': %s"), strerror(exec_errno));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        rc = picture_complete(out, fmt) ? TSG_OK
                                        : gram_fail(&s->ctx, TSG_EIO, &st->kw,
                                                    _("dot did not finish writing the picture (is the disk full?)"));
    else if (memory)
        rc = gram_fail(&s->ctx, TSG_EINPUT, &st->kw,
                       _("the drawing needed more memory than allowed (%ld MiB for dot); draw a smaller district "
                         "(OF 'district') or raise TSUNAGI_DOT_MEMORY"),
                       mb);
    else
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("dot could not draw the picture: %s"), msg && *msg ? msg : _("no reason given"));
    free(msg);
    return rc;
}


double qry_render_seconds(const qry_session_t *s)
{
    return s->timeout_ms > 0 ? (double)s->timeout_ms / 1000 : RENDER_DEFAULT_SECONDS;
}

void tsg_session_dot_memory(tsg_session_t *s, long mib) { s->dot_memory_mb = mib > 0 ? mib : 0; }

/* See picture.h. */
tsg_status_t qry_dot_svg(qry_session_t *s, const ast_stmt_t *st, const util_buf_t *dot, char **svg, int *cannot_draw)
{
    tsg_error_t err = {0};
    tsg_status_t rc = s->no_files ? qry_no_files(s, &st->kw) : TSG_OK;
    char *dir = NULL, *dotpath = NULL, *svgpath = NULL, *errpath = NULL;
    if (!rc && !(dir = util_private_dir(&err))) rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (!rc && (!(dotpath = util_printf("%s/in.dot", dir)) || !(svgpath = util_printf("%s/out.svg", dir)) ||
                !(errpath = util_printf("%s/dot.err", dir))))
        rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (!rc && qry_write_new(dotpath, dot->data ? dot->data : "", dot->len) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("cannot write a temporary file: %s"), strerror(errno));
    if (!rc) rc = qry_run_dot(s, st, "svg", dotpath, svgpath, errpath, cannot_draw);
    size_t len = 0;
    if (!rc && util_read_file(svgpath, svg, &len, &err)) rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (dir) util_private_dir_remove(dir);
    free(dotpath);
    free(svgpath);
    free(errpath);
    return rc;
}
