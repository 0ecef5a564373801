/*
 * gaps_bench — GAPS over every ward × every target group of a network (the
 * sample city by default), through the language, timed per statement. The
 * peer, measured in the same run on the same database, is the coverage part
 * of GAPS as an analyst writes it for sqlite3 (bench/sql/gaps.sql: which
 * school district × need cells have a covering program, for the needs the
 * statement asks, in one GROUP BY); its query plan is printed. The cells the
 * peer finds uncovered must be tsunagi's coverage rows over the whole age
 * range, or the benchmark fails.
 *
 * usage: gaps_bench SAMPLE_DIR [runs]
 */
#include "tsunagi.h"

#include "bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gaps_bench SAMPLE_DIR [runs]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    char path[] = "/tmp/tsunagi-gaps-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 2;
    close(fd);
    unlink(path);
    tsg_db_t *db;
    tsg_error_t err = {0};
    if (tsg_create(path, &db, &err) || tsg_import_csv(db, argv[1], TSG_ENC_AUTO, NULL, &err)) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    sqlite3 *raw;
    sqlite3_open(path, &raw);
    /* The index an analyst adds for the peer (bench/scale.py adds it to its
     * peer copies too): the wide-area programs found without a scan, or an
     * automatic index built on every run. tsunagi's network in memory
     * does not read it. */
    if (sqlite3_exec(raw, "CREATE INDEX program_wide ON program(wide_area)", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(raw));
        return 1;
    }
    /* The wards and target groups to run over. */
    char wards[64][128], targets[64][64];
    int nw = 0, nt = 0;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "SELECT name FROM district WHERE level = 'ward' ORDER BY nid", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && nw < 64) snprintf(wards[nw++], 128, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_prepare_v2(raw, "SELECT key FROM vocab WHERE kind = 'target' ORDER BY rowid", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && nt < 64) snprintf(targets[nt++], 64, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);

    tsg_session_t *s;
    tsg_session_open(db, &s, &err);
    size_t rows = 0, mismatches = 0;
    tsg_sink_t sink = {bench_count_rows, bench_print_error, &rows};
    bench_gaps_count_t gc = {0, 0, "0", "100"};
    tsg_sink_t gsink = {bench_count_gaps, bench_print_error, &gc};
    char *peer_sql = bench_sql("gaps");
    bench_print_plan(raw, "gaps_sqlite", peer_sql);
    int nstmt = nw * nt;
    double *t_ours = calloc((size_t)nstmt * (size_t)runs, sizeof(double));
    double *t_peer = calloc((size_t)nstmt * (size_t)runs, sizeof(double));
    /* Warm the caches once (the network is loaded on the first GAPS). */
    tsg_session_run(s, "GAPS FOR hikikomori AGED 0..100 IN 'あさひの市';", NULL, 0, &sink, &err);
    st = bench_prepare(raw, peer_sql);
    for (int r = 0; r < runs; r++)
        for (int w = 0; w < nw; w++)
            for (int t = 0; t < nt; t++) {
                char stmt[1024];
                snprintf(stmt, sizeof stmt, "GAPS FOR %.60s AGED 0..100 IN '%.120s' NEEDS consultation, place, food, employment;",
                         targets[t], wards[w]);
                double t0 = bench_now();
                gc.uncovered = 0;
                tsg_session_run(s, stmt, NULL, 0, r ? &sink : &gsink, &err);
                t_ours[r * nstmt + w * nt + t] = bench_now() - t0;
                sqlite3_int64 ward = 0;
                sqlite3_stmt *q;
                sqlite3_prepare_v2(raw, "SELECT nid FROM district WHERE name = ?", -1, &q, NULL);
                sqlite3_bind_text(q, 1, wards[w], -1, SQLITE_STATIC);
                if (sqlite3_step(q) == SQLITE_ROW) ward = sqlite3_column_int64(q, 0);
                sqlite3_finalize(q);
                t0 = bench_now();
                sqlite3_reset(st);
                bench_bind_int(st, ":ward", ward);
                bench_bind_int(st, ":age_from", 0);
                bench_bind_int(st, ":age_to", 100);
                bench_bind_text(st, ":target", targets[t]);
                bench_bind_text(st, ":needs", "[\"consultation\", \"place\", \"food\", \"employment\"]");
                size_t uncovered = 0;
                while (sqlite3_step(st) == SQLITE_ROW) uncovered += sqlite3_column_int64(st, 2) == 0;
                t_peer[r * nstmt + w * nt + t] = bench_now() - t0;
                if (!r && uncovered != gc.uncovered) {
                    fprintf(stderr, "MISMATCH: %s leaves %zu cells uncovered at all ages, the peer %zu\n", stmt,
                            gc.uncovered, uncovered);
                    mismatches++;
                }
            }
    sqlite3_finalize(st);
    size_t n = (size_t)nstmt * (size_t)runs;
    qsort(t_ours, n, sizeof *t_ours, bench_cmp);
    qsort(t_peer, n, sizeof *t_peer, bench_cmp);
    double m = t_ours[n / 2], p95 = t_ours[n * 95 / 100], pm = t_peer[n / 2], pp95 = t_peer[n * 95 / 100];
    printf("%d wards x %d target groups, %d runs: %zu GAPS statements\n", nw, nt, runs, n);
    printf("tsunagi GAPS (all four kinds): median %.3f ms, p95 %.3f ms per statement\n", m * 1e3, p95 * 1e3);
    printf("sqlite coverage-only query (peer): median %.3f ms, p95 %.3f ms per statement\n", pm * 1e3, pp95 * 1e3);
    printf("ratio (peer median / tsunagi median): %.2f\n", pm / m);
    printf("answers checked: %d statements, %zu mismatches\n", nstmt, mismatches);
    tsg_session_close(s);
    tsg_close(db);
    sqlite3_close(raw);
    unlink(path);
    free(t_ours);
    free(t_peer);
    free(peer_sql);
    return mismatches ? 1 : 0;
}
