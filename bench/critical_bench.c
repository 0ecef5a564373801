/*
 * critical_bench — CRITICAL (one pass over all organisations) against the
 * naive loop it replaces: each organisation removed in turn and GAPS and
 * HORIZONTAL run again, here as WHAT IF WITHOUT (a copy of the database with
 * the REMOVE made, then the statements), for the district's organisations.
 * The naive loop is timed on the first K organisations and scaled to all of
 * them (it is linear in their number).
 *
 * usage: critical_bench DB DISTRICT_ID "FOR … AGED …" [runs] [K]
 * (bench/critical_bench.py makes the databases with gen.py and runs this)
 */
#include "tsunagi.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ids {
    char **v;
    size_t n;
} ids_t;

/* Keeps column "id" of the table (CRITICAL's organisations, in rank order). */
static tsg_status_t take_ids(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    ids_t *ids = ctx;
    size_t col = r->ncols;
    for (size_t c = 0; c < r->ncols; c++)
        if (!strcmp(r->cols[c], "id")) col = c;
    if (col == r->ncols || r->kind != TSG_RESULT_TABLE) return TSG_OK;
    ids->v = malloc((r->nrows + 1) * sizeof *ids->v);
    for (size_t i = 0; ids->v && i < r->nrows; i++) ids->v[ids->n++] = strdup(r->cells[i * r->ncols + col]);
    return TSG_OK;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: critical_bench DB DISTRICT_ID \"FOR … AGED …\" [runs] [K]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    size_t k = argc > 5 ? (size_t)atol(argv[5]) : 5;
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    if (bench_open_session(argv[1], &db, &s)) return 1;
    char stmt[1024];
    snprintf(stmt, sizeof stmt, "CRITICAL IN '%s' %s;", argv[2], argv[3]);
    ids_t ids = {0};
    tsg_sink_t keep = {take_ids, bench_print_error, &ids};
    /* The first run loads the network and the graph, which both ways share. */
    double t0 = bench_now();
    if (tsg_session_run(s, stmt, NULL, 0, &keep, &err)) return 1;
    double first = bench_now() - t0;
    size_t rows = 0;
    tsg_sink_t count = {bench_count_rows, bench_print_error, &rows};
    double *t = malloc((size_t)runs * sizeof *t);
    for (int i = 0; i < runs; i++) {
        t0 = bench_now();
        if (tsg_session_run(s, stmt, NULL, 0, &count, &err)) return 1;
        t[i] = bench_now() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, bench_cmp);
    double one_pass = t[runs / 2];
    if (k > ids.n) k = ids.n;
    const char *group = argv[3];
    t0 = bench_now();
    for (size_t i = 0; i < k; i++) {
        char naive[2048];
        snprintf(naive, sizeof naive,
                 "WHAT IF WITHOUT organisation '%s' GAPS %s IN '%s'; WHAT IF WITHOUT organisation '%s' HORIZONTAL IN '%s';",
                 ids.v[i], group, argv[2], ids.v[i], argv[2]);
        if (tsg_session_run(s, naive, NULL, 0, &count, &err)) return 1;
    }
    double per_org = k ? (bench_now() - t0) / (double)k : 0;
    printf("organisations %zu, first run (loads the network) %.3f s, CRITICAL median of %d %.4f s, "
           "naive per organisation %.3f s (mean of %zu), naive for all %.1f s, speed-up %.0f×\n",
           ids.n, first, runs, one_pass, per_org, k, per_org * (double)ids.n,
           one_pass > 0 ? per_org * (double)ids.n / one_pass : 0);
    for (size_t i = 0; i < ids.n; i++) free(ids.v[i]);
    free(ids.v);
    free(t);
    tsg_session_close(s);
    tsg_close(db);
    return 0;
}
