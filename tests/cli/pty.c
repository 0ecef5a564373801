/*
 * pty — the REPL tests' terminal. See pty.h.
 */
#define _GNU_SOURCE
#include "pty.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static void keep(term_t *t, char c)
{
    if (t->len + 2 > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 65536;
        t->log = realloc(t->log, t->cap);
        cr_assert_not_null(t->log);
    }
    t->log[t->len++] = c;
    t->log[t->len] = '\0';
}

/* Drops ESC sequences (CSI up to its final byte, OSC up to BEL or ST). */
static void filter(term_t *t, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        switch (t->esc) {
        case 0:
            if (c == 0x1b) t->esc = 1;
            else if (c != '\r') keep(t, (char)c);
            break;
        case 1:
            t->esc = c == '[' ? 2 : c == ']' ? 3 : 0;
            break;
        case 2:
            if (c >= 0x40 && c <= 0x7e) t->esc = 0;
            break;
        default:
            if (c == 0x07 || c == '\\') t->esc = 0;
        }
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there within ms milliseconds; 0 when nothing came. */
static int pump(term_t *t, int ms)
{
    if (t->eof) return 0;
    struct pollfd p = {t->fd, POLLIN, 0};
    int k = poll(&p, 1, ms);
    if (k <= 0) return 0;
    char buf[4096];
    ssize_t n = read(t->fd, buf, sizeof buf);
    if (n <= 0) { /* EIO once the program has gone and the pty is closed */
        t->eof = 1;
        return 0;
    }
    filter(t, buf, (size_t)n);
    return 1;
}

void transcript(const term_t *t)
{
    fprintf(stderr, "---- transcript ----\n%s\n---- end of transcript ----\n", t->log ? t->log : "");
}

void expect(term_t *t, const char *what)
{
    long long end = now_ms() + TIMEOUT * 1000;
    for (;;) {
        char *hit = t->log ? memmem(t->log + t->mark, t->len - t->mark, what, strlen(what)) : NULL;
        if (hit) {
            t->mark = (size_t)(hit - t->log) + strlen(what);
            return;
        }
        long long left = end - now_ms();
        if (left <= 0 || t->eof) {
            transcript(t);
            cr_assert_fail("did not see \"%s\" within %d s%s", what, TIMEOUT, t->eof ? " (the program ended)" : "");
        }
        pump(t, (int)left);
    }
}

/* The CPU time the program has used, in milliseconds (/proc/PID/stat's
 * utime and stime), or -1 when it cannot be read. */
static long long cpu_ms(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields 14 and 15, counted after the command name's closing ')'. */
    char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (long long)(ut + st) * 1000 / sysconf(_SC_CLK_TCK);
}

void busy(term_t *t, int ms)
{
    long long base = cpu_ms(t->pid), end = now_ms() + TIMEOUT * 1000;
    cr_assert_geq(base, 0, "cannot read /proc/%d/stat", (int)t->pid);
    while (cpu_ms(t->pid) - base < ms) {
        if (now_ms() > end || t->eof) {
            transcript(t);
            cr_assert_fail("the program did not work for %d ms of CPU within %d s", ms, TIMEOUT);
        }
        pump(t, 10);
    }
}

void send(term_t *t, const char *text)
{
    size_t n = strlen(text);
    while (n) {
        ssize_t k = write(t->fd, text, n);
        if (k < 0 && errno == EINTR) continue;
        cr_assert_gt(k, 0, "writing to the terminal: %s", strerror(errno));
        text += k;
        n -= (size_t)k;
    }
}

/* The sample city's database, built once for the whole run. Each test still
 * gets its own copy in its own cache folder (a test that changed the city
 * would change it for itself only), but building it from the CSV took a
 * second of every test, half the suite's time. */
static char shared_cache[64];

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    strcpy(shared_cache, "/tmp/tsunagi-repl-cache-XXXXXX");
    if (!mkdtemp(shared_cache)) {
        shared_cache[0] = '\0';
        return;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "XDG_CACHE_HOME='%s' HOME='%s' '%s' -c 'COUNT districts BY level;' >/dev/null 2>&1",
             shared_cache, shared_cache, TSUNAGI_BIN);
    /* Without it each test builds its own, as a first run does. */
    if (system(cmd) == 0) setenv("TSG_TEST_SAMPLE_CACHE", shared_cache, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    if (shared_cache[0]) nftw(shared_cache, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Copies the run's sample database into the test's own cache folder. */
static void seed_cache(const term_t *t)
{
    const char *shared = getenv("TSG_TEST_SAMPLE_CACHE");
    if (!shared) return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "[ -d '%s/cache/tsunagi' ] || { mkdir -p '%s/cache' && cp -R '%s/tsunagi' '%s/cache/'; }",
             t->dir, t->dir, shared, t->dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* Starts tsunagi on a 200-column terminal, homed in t->dir. */
void start(term_t *t)
{
    struct winsize ws = {.ws_row = 50, .ws_col = (unsigned short)(t->cols ? t->cols : 200)};
    free(t->log);
    t->log = NULL;
    t->len = t->cap = t->mark = 0;
    t->esc = t->eof = 0;
    seed_cache(t);
    pid_t pid = forkpty(&t->fd, NULL, NULL, &ws);
    cr_assert_neq(pid, -1, "forkpty: %s", strerror(errno));
    if (pid == 0) {
        char path[128];
        setenv("HOME", t->dir, 1);
        static const char *const xdg[][2] = {{"XDG_STATE_HOME", "state"},
                                             {"XDG_CACHE_HOME", "cache"},
                                             {"XDG_CONFIG_HOME", "config"},
                                             {"XDG_DATA_HOME", "data"}};
        for (size_t i = 0; i < sizeof xdg / sizeof xdg[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", t->dir, xdg[i][1]);
            setenv(xdg[i][0], path, 1);
        }
        setenv("TERM", "xterm", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        setenv("INPUTRC", "/dev/null", 1); /* not the machine's key bindings */
        setenv("PAGER", t->pager ? t->pager : "cat", 1);
        unsetenv("TSUNAGI_DB");
        const char *argv[6] = {"tsunagi"};
        int argc = 1;
        if (t->db[0]) argv[argc++] = t->db;
        if (t->lang) {
            argv[argc++] = "--lang";
            argv[argc++] = t->lang;
        }
        argv[argc] = NULL;
        execv(TSUNAGI_BIN, (char *const *)argv);
        _exit(127);
    }
    t->pid = pid;
    expect(t, t->lang && !strcmp(t->lang, "ja") ? "— .help でヘルプ" : "— .help for help");
    expect(t, "tsunagi> ");
}

/* Sends `how` (".quit\r", Ctrl-D, …), waits for the program to end, and
 * checks it ended with status 0 and no sanitizer report. */
void finish(term_t *t, const char *how)
{
    send(t, how);
    long long end = now_ms() + TIMEOUT * 1000;
    while (!t->eof && now_ms() < end) pump(t, 100);
    int status = 0;
    pid_t w = 0;
    while (now_ms() < end && (w = waitpid(t->pid, &status, WNOHANG)) == 0) usleep(10000);
    if (w != t->pid) {
        transcript(t);
        cr_assert_fail("tsunagi did not exit");
    }
    t->pid = -1;
    close(t->fd);
    t->fd = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strstr(t->log, "Sanitizer") ||
        strstr(t->log, "runtime error:")) {
        transcript(t);
        cr_assert_fail("tsunagi ended with %s %d", WIFEXITED(status) ? "status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
}

char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* The widest line of the transcript between two marks, in terminal columns
 * as glibc's wcswidth counts them (an oracle independent of the utf8proc
 * widths tsunagi uses: CJK 2, '…' 1). */
int widest_line(const char *from, const char *to)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    int widest = 0;
    for (const char *p = from; p < to;) {
        const char *nl = memchr(p, '\n', (size_t)(to - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(to - p);
        char line[4096];
        wchar_t wide[4096];
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        size_t k = mbstowcs(wide, line, 4096);
        int w = k == (size_t)-1 ? (int)n : wcswidth(wide, k);
        if (w > widest) widest = w;
        p += n + 1;
    }
    return widest;
}

void stop(term_t *t)
{
    if (t->pid > 0) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
    }
    if (t->fd >= 0) close(t->fd);
    free(t->log);
    nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
