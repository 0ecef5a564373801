/*
 * warm_bench — the GAPS and REACH statements of bench/scale.py's queries
 * file, run many times back to back in one session that has loaded the
 * network once, to measure (and profile with perf) what one statement costs
 * in a warm session, or to print every answer in full so that two builds can
 * be compared byte for byte.
 *
 *   warm_bench [--as-of DATE] DB QUERIES dump
 *                                         every result of the 50 + 50
 *                                         statements: columns, headers,
 *                                         alignment and cells
 *   warm_bench DB QUERIES time [passes] [gaps|reach|both]
 *                                         passes over the queries of a kind
 *                                         (each statement once a pass, the
 *                                         kinds in turn): median and p95 per
 *                                         statement in µs, wall time and the
 *                                         thread's CPU time (which leaves out
 *                                         what other processes took)
 *
 * --as-of DATE asks every statement AS OF DATE (YYYY-MM-DD): what a dated
 * statement costs against its plain twin, in two runs.
 *
 * The first statement (which loads the network) is not timed. No peer runs
 * here: bench/scale_bench gives the peer's time in the same run.
 */
#include "tsunagi.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct warm_query {
    char stmt[512];
    int gaps;
} warm_query_t;

static warm_query_t *read_queries(const char *path, const char *as_of, size_t *n)
{
    char when[64] = "";
    if (as_of) snprintf(when, sizeof when, " AS OF '%s'", as_of);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    warm_query_t *qs = NULL;
    size_t cap = 0;
    char line[512], kind[16], a[128], b[128], c[256];
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        int k = sscanf(line, "%15s %127s %127s %255s", kind, a, b, c);
        if (*n == cap) qs = realloc(qs, (cap = cap ? cap * 2 : 128) * sizeof *qs);
        warm_query_t *q = &qs[*n];
        if (k == 4 && !strcmp(kind, "gaps")) {
            snprintf(q->stmt, sizeof q->stmt, "GAPS FOR %s AGED 18..39 IN '%s'%s;", b, c, when);
            q->gaps = 1;
        } else if (k == 3 && !strcmp(kind, "reach")) {
            snprintf(q->stmt, sizeof q->stmt, "REACH FROM '%s' WITHIN 3 HOPS VIA any%s;", b, when);
            q->gaps = 0;
        } else
            continue;
        (*n)++;
    }
    fclose(f);
    return qs;
}

static tsg_status_t dump(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)ctx, (void)err;
    printf("kind %d title %s cols %zu rows %zu\n", (int)r->kind, r->title ? r->title : "(null)", r->ncols, r->nrows);
    for (size_t j = 0; j < r->ncols; j++)
        printf("col %s|%s|%d\n", r->cols[j], r->heads && r->heads[j] ? r->heads[j] : "(null)",
               r->right ? r->right[j] : -1);
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t j = 0; j < r->ncols; j++) {
            const char *v = r->cells[i * r->ncols + j];
            printf("%s%s", j ? "\t" : "", v ? v : "(null)");
        }
        putchar('\n');
    }
    return TSG_OK;
}

/* `passes` passes over the statements of one kind (GAPS when gaps), each
 * time into t[*n]. Apart, so that `valgrind --tool=callgrind
 * --toggle-collect=timed_passes` counts the instructions of these
 * statements alone (this machine's VM has no hardware counters for perf). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __attribute__((noinline)) int timed_passes(tsg_session_t *s, const warm_query_t *qs, size_t nq, int gaps,
                                                 int passes, double *t, double *cpu, size_t *n)
{
    static size_t rows;
    tsg_sink_t count = {bench_count_rows, bench_print_error, &rows};
    tsg_error_t err = {0};
    for (int p = 0; p < passes; p++)
        for (size_t i = 0; i < nq; i++) {
            if (qs[i].gaps != gaps) continue;
            double c0 = cpu_now(), t0 = bench_now();
            if (tsg_session_run(s, qs[i].stmt, NULL, 0, &count, &err)) return 1;
            t[*n] = bench_now() - t0;
            cpu[(*n)++] = cpu_now() - c0;
        }
    return 0;
}

static void report(const char *name, double *t, size_t n)
{
    if (!n) return;
    qsort(t, n, sizeof *t, bench_cmp);
    size_t p95 = (n * 95 + 99) / 100;
    printf("%s n %zu median_us %.1f p95_us %.1f\n", name, n, t[n / 2] * 1e6, t[(p95 ? p95 : 1) - 1] * 1e6);
}

int main(int argc, char **argv)
{
    const char *as_of = NULL;
    if (argc > 2 && !strcmp(argv[1], "--as-of")) {
        as_of = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: warm_bench [--as-of DATE] DB QUERIES dump | time [passes] [gaps|reach|both]\n");
        return 2;
    }
    size_t nq = 0;
    warm_query_t *qs = read_queries(argv[2], as_of, &nq);
    if (!qs || !nq) {
        fprintf(stderr, "%s: no queries\n", argv[2]);
        return 1;
    }
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    if (bench_open_session(argv[1], &db, &s)) return 1;
    size_t rows = 0;
    tsg_sink_t count = {bench_count_rows, bench_print_error, &rows};
    tsg_sink_t print = {dump, bench_print_error, NULL};
    /* The first statement loads the network. */
    if (tsg_session_run(s, qs[nq - 1].stmt, NULL, 0, &count, &err)) return 1;
    if (!strcmp(argv[3], "dump")) {
        for (size_t i = 0; i < nq; i++) {
            printf("== %s\n", qs[i].stmt);
            if (tsg_session_run(s, qs[i].stmt, NULL, 0, &print, &err)) printf("error %s\n", err.text);
        }
    } else {
        int passes = argc > 4 ? atoi(argv[4]) : 20;
        const char *which = argc > 5 ? argv[5] : "both";
        size_t cap = nq * (size_t)passes;
        double *tg = calloc(cap, sizeof *tg), *tr = calloc(cap, sizeof *tr);
        double *cg = calloc(cap, sizeof *cg), *cr = calloc(cap, sizeof *cr);
        size_t ng = 0, nr = 0;
        if (strcmp(which, "reach") && timed_passes(s, qs, nq, 1, passes, tg, cg, &ng)) return 1;
        if (strcmp(which, "gaps") && timed_passes(s, qs, nq, 0, passes, tr, cr, &nr)) return 1;
        report("gaps", tg, ng);
        report("reach", tr, nr);
        report("gaps_cpu", cg, ng);
        report("reach_cpu", cr, nr);
        free(tg), free(tr), free(cg), free(cr);
    }
    tsg_session_close(s);
    tsg_close(db);
    free(qs);
    return 0;
}
