/*
 * suggest_bench — SUGGEST TIES, whose cost is measuring each candidate tie
 * (GAPS with the tie added), against GAPS of the same clauses in the same
 * run: the ratio says how many GAPS runs one SUGGEST costs, which is the
 * number to watch when the way a candidate is measured changes
 * (docs/performance.md, "SUGGEST TIES: candidates measured in memory").
 *
 * usage: suggest_bench [DB] [runs] ["FOR … AGED … IN '…'"]
 * (DB: the bundled sample city when absent or "-")
 */
#include "tsunagi.h"

#include "bench.h"

static double median(tsg_session_t *s, const char *stmt, int runs, size_t *rows)
{
    tsg_error_t err = {0};
    tsg_sink_t count = {bench_count_rows, bench_print_error, rows};
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t) return -1;
    for (int i = 0; i < runs; i++) {
        *rows = 0;
        double t0 = bench_now();
        if (tsg_session_run(s, stmt, NULL, 0, &count, &err)) {
            free(t);
            return -1;
        }
        t[i] = bench_now() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, bench_cmp);
    double m = t[runs / 2];
    free(t);
    return m;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 && strcmp(argv[1], "-") ? argv[1] : NULL;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    const char *group = argc > 3 ? argv[3] : "FOR hikikomori AGED 18..39 IN '東区'";
    if (runs < 1) runs = 1;
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    if ((path ? tsg_open(path, &db, &err) : tsg_open_sample(&db, &err)) || tsg_session_open(db, &s, &err)) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    char suggest[1024], gaps[1024];
    snprintf(suggest, sizeof suggest, "SUGGEST TIES %s TOP 1000;", group);
    snprintf(gaps, sizeof gaps, "GAPS %s;", group);
    size_t nsuggest = 0, ngaps = 0;
    /* The first run of each loads the network and the names, which both share. */
    double t0 = bench_now();
    if (median(s, gaps, 1, &ngaps) < 0 || median(s, suggest, 1, &nsuggest) < 0) return 1;
    double first = bench_now() - t0;
    double g = median(s, gaps, runs, &ngaps), sg = median(s, suggest, runs, &nsuggest);
    if (g < 0 || sg < 0) return 1;
    printf("%s: first runs %.3f s; GAPS median of %d %.4f s (%zu rows); SUGGEST TIES %.4f s (%zu suggestions); "
           "SUGGEST / GAPS %.1f\n",
           group, first, runs, g, ngaps, sg, nsuggest, g > 0 ? sg / g : 0);
    tsg_session_close(s);
    tsg_close(db);
    return 0;
}
