/*
 * gaps_bench — GAPS over every ward × every target group of a network (the
 * sample city by default), through the language, timed per statement. The
 * peer, measured in the same run on the same database, is the coverage part
 * of GAPS written as one SQL query per statement (which school district ×
 * need cells have a covering program), as an analyst would write it.
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

/* Cells (school district × need) under a ward with a program covering the
 * group at some age in a..b: the SQL an analyst would write for coverage. */
static const char peer_sql[] =
    "WITH RECURSIVE up(s, d) AS (SELECT nid, nid FROM district WHERE level = 'school_district'"
    "  UNION ALL SELECT up.s, x.parent FROM up JOIN district x ON x.nid = up.d WHERE x.parent IS NOT NULL),"
    " cells(s) AS (SELECT s FROM up WHERE d = ?1)"
    " SELECT c.s, n.need, count(DISTINCT p.nid) FROM cells c"
    " CROSS JOIN (SELECT DISTINCT need FROM program_need) n"
    " LEFT JOIN program p ON (p.age_min IS NULL OR p.age_min <= ?3) AND (p.age_max IS NULL OR p.age_max >= ?2)"
    "  AND EXISTS (SELECT 1 FROM program_target t WHERE t.program = p.nid AND t.target IN (?4, 'everyone'))"
    "  AND EXISTS (SELECT 1 FROM program_need k WHERE k.program = p.nid AND k.need = n.need)"
    "  AND (p.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area a JOIN up u ON u.d = a.district"
    "   WHERE a.program = p.nid AND u.s = c.s))"
    " GROUP BY c.s, n.need";

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
    size_t rows = 0;
    tsg_sink_t sink = {bench_count_rows, bench_print_error, &rows};
    int nstmt = nw * nt;
    double *t_ours = calloc((size_t)nstmt * (size_t)runs, sizeof(double));
    double *t_peer = calloc((size_t)nstmt * (size_t)runs, sizeof(double));
    /* Warm the caches once (the network is loaded on the first GAPS). */
    tsg_session_run(s, "GAPS FOR hikikomori AGED 0..100 IN 'あさひの市';", NULL, 0, &sink, &err);
    sqlite3_prepare_v2(raw, peer_sql, -1, &st, NULL);
    for (int r = 0; r < runs; r++)
        for (int w = 0; w < nw; w++)
            for (int t = 0; t < nt; t++) {
                char stmt[1024];
                snprintf(stmt, sizeof stmt, "GAPS FOR %.60s AGED 0..100 IN '%.120s' NEEDS consultation, place, food, employment;",
                         targets[t], wards[w]);
                double t0 = bench_now();
                tsg_session_run(s, stmt, NULL, 0, &sink, &err);
                t_ours[r * nstmt + w * nt + t] = bench_now() - t0;
                sqlite3_int64 ward = 0;
                sqlite3_stmt *q;
                sqlite3_prepare_v2(raw, "SELECT nid FROM district WHERE name = ?", -1, &q, NULL);
                sqlite3_bind_text(q, 1, wards[w], -1, SQLITE_STATIC);
                if (sqlite3_step(q) == SQLITE_ROW) ward = sqlite3_column_int64(q, 0);
                sqlite3_finalize(q);
                t0 = bench_now();
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, ward);
                sqlite3_bind_int(st, 2, 0);
                sqlite3_bind_int(st, 3, 100);
                sqlite3_bind_text(st, 4, targets[t], -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {}
                t_peer[r * nstmt + w * nt + t] = bench_now() - t0;
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
    tsg_session_close(s);
    tsg_close(db);
    sqlite3_close(raw);
    unlink(path);
    free(t_ours);
    free(t_peer);
    return 0;
}
