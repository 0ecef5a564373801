/*
 * failalloc — allocation-failure injection (docs/reliability.md). The
 * library's malloc, calloc, realloc and strdup are wrapped at link time
 * (-Wl,--wrap), and SQLite's allocator through SQLITE_CONFIG_MALLOC, so one
 * counter sees both. For N = 1, 2, … the Nth allocation of a scenario
 * fails; every step must then
 *   - return an error with a message (or succeed with the right answer,
 *     when the code could do without that allocation),
 *   - leave the database as it was (the import),
 *   - leak nothing (LeakSanitizer, in the sanitized build, after each
 *     scenario), and
 *   - let the next statement give the right answer.
 * N stops growing when a run makes no Nth allocation. igraph's own
 * allocations are not counted (its library is not ours to wrap).
 *
 * usage: failalloc SAMPLE_DIR MINI_DIR [STRIDE]   prints the steps of each scenario;
 * STRIDE k tries every kth allocation of the import and GAPS (default 1)
 */
#include "ast.h"
#include "dump.h"
#include "parser.h"
#include "tsunagi.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_recoverable_leak_check()
#else
#define LEAK_CHECK() 0
#endif

/* ---- the counter ----------------------------------------------------------- */

static long fail_at;  /* 0: nothing fails */
static long seen;     /* allocations since the step began */
static int injected;  /* the Nth came and failed */

static int fail_now(void)
{
    if (!fail_at) return 0;
    if (++seen != fail_at) return 0;
    injected = 1;
    return 1;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return fail_now() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }

static sqlite3_mem_methods sqlite_mem;
static void *sql_malloc(int n) { return fail_now() ? NULL : sqlite_mem.xMalloc(n); }
static void *sql_realloc(void *p, int n) { return fail_now() ? NULL : sqlite_mem.xRealloc(p, n); }

static void arm(long n)
{
    fail_at = n;
    seen = 0;
    injected = 0;
}

/* ---- checks ------------------------------------------------------------------ */

static int failures;

static void bad(const char *scenario, long n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s, allocation %ld: ", scenario, n);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* Results and errors of a run, as text. */
typedef struct capture {
    char *text;
    size_t len;
    FILE *f;
} capture_t;

static tsg_status_t on_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    capture_t *c = ctx;
    return tsg_result_print(r, TSG_FMT_CSV, c->f, err);
}

static void on_error(void *ctx, const tsg_error_t *e)
{
    capture_t *c = ctx;
    fprintf(c->f, "error: %s\n", e->text);
}

static tsg_status_t run(tsg_session_t *s, const char *stmts, char **out, tsg_error_t *err)
{
    capture_t c = {0};
    c.f = open_memstream(&c.text, &c.len);
    tsg_sink_t sink = {on_result, on_error, &c};
    tsg_status_t st = tsg_session_run(s, stmts, NULL, 0, &sink, err);
    fclose(c.f);
    *out = c.text;
    return st;
}

/* After a scenario: anything a step leaked is still unreachable now, and
 * LeakSanitizer's report shows where it was allocated (one check per step
 * would cost minutes). */
static void leaks(const char *scenario)
{
    if (LEAK_CHECK()) bad(scenario, 0, "leaks (LeakSanitizer's report above)");
}

/* Ends a step: its outcome. Returns 1 when N went past the
 * scenario's last allocation (the run made fewer than N). */
static int step_end(const char *scenario, long n, tsg_status_t st, const char *msg, int right)
{
    int past = !injected;
    arm(0);
    if (st && !msg[0]) bad(scenario, n, "an error without a message");
    if (!st && !right) bad(scenario, n, "success with a wrong answer");
    if (past && st) bad(scenario, n, "failed with nothing injected: %s", msg);
    return past;
}

/* ---- scenarios ----------------------------------------------------------------- */

static const char script[] = "FIND programs WHERE target = hikikomori AND age OVERLAPS 18..39 AND need = place IN '北区';\n"
                             "COUNT programs WHERE target = ヤングケアラー AND need IN (consultation, place) BY ward;\n"
                             "LET kita = FIND organisations WHERE sector = npo AND NOT TIED TO sector = government;\n"
                             "GAPS FOR hikikomori AGED 18..39 IN '西区' NEEDS consultation, place, outreach;\n"
                             "ADD program '若者の居場所' OF 'NPO法人こもれび' FOR hikikomori AGED 15..39 NEEDS place;\n"
                             "TIE '北区社会福祉協議会' -> 'みなと若者食堂' AS referral COUNT 12 SINCE 2024;\n";

static long parse_steps(void)
{
    long n = 1;
    for (;; n++) {
        arm(n);
        gram_ctx_t ctx = {0};
        tsg_status_t st = TSG_OK;
        int parsed = 0;
        if (!(ctx.arena = ast_arena_new())) {
            st = TSG_ENOMEM;
            snprintf(ctx.msg, sizeof ctx.msg, "out of memory");
        } else {
            ctx.src = script;
            ctx.len = strlen(script);
            size_t pos = 0;
            int line = 1, col = 1, done = 0;
            while (!done && !st) {
                ast_arena_reset(ctx.arena);
                ast_stmt_t *stmt;
                st = gram_parse_next(&ctx, &pos, &line, &col, &stmt, &done);
                parsed += !st && stmt;
            }
            ast_arena_free(ctx.arena);
        }
        if (st && st != TSG_ENOMEM) bad("parse", n, "not 'out of memory' but: %s", ctx.msg);
        if (step_end("parse", n, st, ctx.msg, parsed == 6)) break;
    }
    leaks("parse");
    return n - 1;
}

static long import_steps(const char *mini, const char *dbpath, long stride)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    if (tsg_create(dbpath, &db, &err) || tsg_import_csv(db, mini, TSG_ENC_AUTO, NULL, &err)) {
        bad("import", 0, "setup: %s", err.text);
        return 0;
    }
    sqlite3 *look;
    sqlite3_open(dbpath, &look);
    char *want = fuzz_dump(look);
    long n = 1, steps = 0;
    for (;; n += stride, steps++) {
        arm(n);
        tsg_error_t e = {0};
        tsg_status_t st = tsg_import_csv(db, mini, TSG_ENC_AUTO, NULL, &e);
        int past = !injected;
        arm(0);
        char *now = fuzz_dump(look);
        /* Failed or not, the database holds the mini city exactly once. */
        if (strcmp(now, want)) bad("import", n, "the database changed (%s)", st ? e.text : "after success");
        free(now);
        injected = !past;
        if (step_end("import", n, st, e.text, 1)) break;
    }
    free(want);
    sqlite3_close(look);
    tsg_close(db);
    leaks("import");
    return steps;
}

/* With ORDER BY and LIMIT, so the held results and the sort (query/order.c)
 * meet failed allocations too. */
static const char gaps[] =
    "GAPS FOR hikikomori AGED 18..39 IN '西区' NEEDS consultation, place, outreach ORDER BY need DESC, district LIMIT 40;";

/* warm: the session has loaded its names and network; cold: a new session
 * loads them inside the step. */
static long gaps_steps(const char *dbpath, int warm, long stride)
{
    const char *name = warm ? "GAPS" : "GAPS, first statement";
    tsg_db_t *db;
    tsg_session_t *s = NULL;
    tsg_error_t err = {0};
    char *want = NULL, *got = NULL;
    if (tsg_open(dbpath, &db, &err) || tsg_session_open(db, &s, &err) || run(s, gaps, &want, &err)) {
        bad(name, 0, "setup: %s", err.text);
        return 0;
    }
    long n = 1, steps = 0;
    for (;; n += stride, steps++) {
        if (!warm) {
            tsg_session_close(s);
            if (tsg_session_open(db, &s, &err)) {
                bad(name, n, "session: %s", err.text);
                break;
            }
        }
        arm(n);
        tsg_error_t e = {0};
        tsg_status_t st = run(s, gaps, &got, &e);
        int right = !st && !strcmp(got, want);
        free(got);
        if (step_end(name, n, st, e.text, right)) break;
        /* The next statement, in the same session, gives the answer. */
        if (run(s, gaps, &got, &e) || strcmp(got, want)) bad(name, n, "the next statement failed: %s", e.text);
        free(got);
    }
    free(want);
    tsg_session_close(s);
    tsg_close(db);
    leaks(name);
    return steps;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: failalloc SAMPLE_DIR MINI_DIR [STRIDE]\n");
        return 2;
    }
    /* STRIDE k fails every kth allocation of the import and of GAPS, not
     * each one: the short run the test command can afford under the
     * sanitizers (scripts/reliability runs every step). */
    long stride = argc == 4 ? strtol(argv[3], NULL, 10) : 1;
    if (stride < 1) stride = 1;
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem);
    sqlite3_mem_methods ours = sqlite_mem;
    ours.xMalloc = sql_malloc;
    ours.xRealloc = sql_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &ours);

    char dir[] = "/tmp/tsunagi-failalloc-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char city[64], mini[64];
    snprintf(city, sizeof city, "%s/city.db", dir);
    snprintf(mini, sizeof mini, "%s/mini.db", dir);
    tsg_db_t *db;
    tsg_error_t err = {0};
    if (tsg_create(city, &db, &err) || tsg_import_csv(db, argv[1], TSG_ENC_AUTO, NULL, &err)) {
        fprintf(stderr, "failalloc: %s\n", err.text);
        return 2;
    }
    tsg_close(db);

    printf("parse: %ld allocation failures, each an error\n", parse_steps());
    if (stride > 1) printf("every %ldth allocation of the import and of GAPS\n", stride);
    printf("import: %ld allocation failures, each an error with the database unchanged\n",
           import_steps(argv[2], mini, stride));
    printf("GAPS: %ld allocation failures, each an error, the next statement right\n", gaps_steps(city, 1, stride));
    printf("GAPS, first statement (load included): %ld allocation failures\n", gaps_steps(city, 0, stride));

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) fprintf(stderr, "failalloc: could not remove %s\n", dir);
    if (failures) fprintf(stderr, "failalloc: %d failures\n", failures);
    return failures ? 1 : 0;
}
