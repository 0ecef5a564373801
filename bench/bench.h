/*
 * bench — what every benchmark driver shares: a monotonic clock, the
 * comparison qsort needs to find medians and percentiles, sink callbacks
 * that count rows and print errors, and the SQLite peers' SQL (bench/sql/,
 * the same files `sqlite3 DB < file` runs in bench/scale.py) with their
 * query plans.
 */
#ifndef TSG_BENCH_H
#define TSG_BENCH_H

#include "tsunagi.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A sink's row callback: adds the result's rows to the size_t at ctx. */
static inline tsg_status_t bench_count_rows(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    *(size_t *)ctx += r->nrows;
    return TSG_OK;
}

static inline void bench_print_error(void *ctx, const tsg_error_t *e)
{
    (void)ctx;
    fprintf(stderr, "%s\n", e->text);
}

/* Opens the database at path and a session on it; 0, or 1 with the error
 * printed (a driver's exit status). */
static inline int bench_open_session(const char *path, tsg_db_t **db, tsg_session_t **s)
{
    tsg_error_t err = {0};
    if (tsg_open(path, db, &err) || tsg_session_open(*db, s, &err)) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    return 0;
}

/* A sink's row callback for GAPS: counts the rows, and the coverage rows
 * spanning the statement's whole age range (from..to), which are the school
 * district × need cells no program covers at any of those ages: the cells a
 * peer finds with no covering program. */
typedef struct bench_gaps_count {
    size_t rows, uncovered;
    const char *from, *to; /* the statement's ages, as GAPS prints them */
} bench_gaps_count_t;

static inline tsg_status_t bench_count_gaps(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    bench_gaps_count_t *c = ctx;
    c->rows += r->nrows;
    size_t kind = r->ncols, from = r->ncols, to = r->ncols;
    for (size_t j = 0; j < r->ncols; j++)
        if (!strcmp(r->cols[j], "kind")) kind = j;
        else if (!strcmp(r->cols[j], "age_from")) from = j;
        else if (!strcmp(r->cols[j], "age_to")) to = j;
    if (kind == r->ncols || from == r->ncols || to == r->ncols) return TSG_OK;
    for (size_t i = 0; i < r->nrows; i++) {
        char *const *row = r->cells + i * r->ncols;
        c->uncovered += row[kind] && row[from] && row[to] && !strcmp(row[kind], "coverage") &&
                        !strcmp(row[from], c->from) && !strcmp(row[to], c->to);
    }
    return TSG_OK;
}

/* The text of bench/sql/NAME.sql, found beside this header (the path the
 * compiler was given for it), or in $TSG_BENCH_SQL. The caller frees it. */
static inline char *bench_sql(const char *name)
{
    char path[4096];
    const char *dir = getenv("TSG_BENCH_SQL");
    if (dir) snprintf(path, sizeof path, "%s/%s.sql", dir, name);
    else {
        const char *here = __FILE__, *slash = strrchr(here, '/');
        snprintf(path, sizeof path, "%.*ssql/%s.sql", slash ? (int)(slash - here + 1) : 0, here, name);
    }
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n = -1;
    if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) && (text = malloc((size_t)n + 1)) &&
        fread(text, 1, (size_t)n, f) == (size_t)n)
        text[n] = '\0';
    else {
        free(text);
        text = NULL;
    }
    if (f) fclose(f);
    if (!text) {
        fprintf(stderr, "%s: cannot read (set TSG_BENCH_SQL to the folder of the peers' SQL)\n", path);
        exit(2);
    }
    return text;
}

/* Prepares a peer's SQL on db, or exits saying why. */
static inline sqlite3_stmt *bench_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "peer: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    return st;
}

static inline void bench_bind_int(sqlite3_stmt *st, const char *name, sqlite3_int64 v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_int64(st, i, v);
}

static inline void bench_bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Prints the plan SQLite chose for a peer's SQL as "plan LABEL DEPTH DETAIL"
 * lines (DEPTH: how deep in the plan's tree), for the benchmark's output. */
static inline void bench_print_plan(sqlite3 *db, const char *label, const char *sql)
{
    size_t len = strlen(sql) + 32;
    char *eqp = malloc(len);
    if (!eqp) return;
    snprintf(eqp, len, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = bench_prepare(db, eqp);
    int ids[256], depths[256], n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0), parent = sqlite3_column_int(st, 1), depth = 0;
        for (int k = n - 1; k >= 0; k--)
            if (ids[k] == parent) {
                depth = depths[k] + 1;
                break;
            }
        if (n < 256) ids[n] = id, depths[n++] = depth;
        printf("plan %s %d %s\n", label, depth, sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    free(eqp);
}

/* Page faults so far in this process (getrusage): minor, major. */
static inline void bench_faults(long *minor, long *major)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minor = ru.ru_minflt;
    *major = ru.ru_majflt;
}

/* The process's CPU time so far, user and system (the kernel zeroing the
 * pages it hands out included), in seconds: on a shared machine wall time
 * is partly waiting for a core, CPU time is not. */
static inline double bench_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#endif
