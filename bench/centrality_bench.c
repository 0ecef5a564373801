/*
 * centrality_bench — every CENTRALITY measure on one database, through the
 * language, timed per statement after the network is loaded once. Prints one
 * line per measure: name, median and p95 in milliseconds, and the top
 * organisation's id (so a driver can check it against its peer).
 * bench/centrality_vs_networkx.py runs this and NetworkX on the same graph
 * in one run and prints the ratios.
 *
 * usage: centrality_bench DB [runs] [measure …]
 */
#include "tsunagi.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct top {
    char id[128];
} top_t;

static tsg_status_t keep_top(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    top_t *t = ctx;
    t->id[0] = '\0';
    if (r->nrows && r->ncols > 1 && r->cells[1]) snprintf(t->id, sizeof t->id, "%s", r->cells[1]);
    return TSG_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: centrality_bench DB [runs] [measure …]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1) runs = 1;
    static const char *const all[] = {"degree", "betweenness", "closeness", "harmonic", "pagerank",
                                      "eigenvector", "constraint", "effective_size"};
    const char *const *measures = argc > 3 ? (const char *const *)argv + 3 : all;
    int nm = argc > 3 ? argc - 3 : (int)(sizeof all / sizeof all[0]);
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    if (bench_open_session(argv[1], &db, &s)) return 1;
    top_t top;
    tsg_sink_t sink = {keep_top, bench_print_error, &top};
    double t0 = bench_now();
    if (tsg_session_run(s, "CENTRALITY degree TOP 1;", NULL, 0, &sink, &err)) return 1;
    printf("load+degree\t%.3f\n", (bench_now() - t0) * 1e3);
    double *t = calloc((size_t)runs, sizeof *t);
    for (int m = 0; m < nm; m++) {
        char stmt[128];
        snprintf(stmt, sizeof stmt, "CENTRALITY %s TOP 1;", measures[m]);
        for (int r = 0; r < runs; r++) {
            double a = bench_now();
            if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) return 1;
            t[r] = bench_now() - a;
        }
        qsort(t, (size_t)runs, sizeof *t, bench_cmp);
        printf("%s\t%.3f\t%.3f\t%s\n", measures[m], t[runs / 2] * 1e3, t[(runs * 95) / 100] * 1e3, top.id);
        fflush(stdout);
    }
    free(t);
    tsg_session_close(s);
    tsg_close(db);
    return 0;
}
