/*
 * scale_bench — the load, GAPS and REACH on a big network (bench/gen.py),
 * each against its SQLite peer in the same run on the same data:
 *
 *   load   eng_net_load on a fresh connection, against the floor: the same
 *          tables scanned with plain SELECTs, every column read, nothing kept;
 *          both with the page faults and the CPU time they cost (getrusage).
 *          The floor leaves out columns the load must read to know which
 *          rows exist that day (the ties' since and until, a program's
 *          until, an organisation's and a forum's since and until): a second
 *          floor ("load_floor_columns") reads those too, measured in the same
 *          turn, so that both ratios are seen (docs/decisions.md, "Issue 23:
 *          the load near the floor (h-load)");
 *   gaps   GAPS FOR target AGED 18..39 IN 'ward' through the language, against
 *          the coverage part of GAPS as an analyst writes it
 *          (bench/sql/gaps.sql: one GROUP BY over the cells, only the needs
 *          the statement asks) on the peer database. The cells the peer finds
 *          uncovered must be tsunagi's coverage rows over the whole age
 *          range, or the benchmark fails;
 *   reach  REACH FROM 'organisation' WITHIN 3 HOPS VIA any through the
 *          language, against SQL that walks the ties level by level on the
 *          peer database (bench/sql/reach.sql counts the nodes reached,
 *          reach_rows.sql lists them with their hops, ids and names as REACH
 *          does). Both must agree with REACH on the number, or the benchmark
 *          fails. Then GAPS and its SQL, and REACH and the counting SQL,
 *          again, each run back to back with nothing between ("alone"),
 *          where both find their recent pages in cache.
 *   as of  the same GAPS with AS OF AS_OF_DAY (issue 21), each run beside
 *          its plain twin (in turn first), so both meet the same caches,
 *          and REACH with AS OF back to back, beside the plain REACH back
 *          to back (a REACH on another day than the last rebuilds the
 *          session's dated SQL tables: that switch is timed apart):
 *          the session keeps the dated network beside today's (two), and
 *          GAPS also counts only the programs running that day.
 *
 * The queries (wards, target groups, organisations) come from a file that
 * bench/scale.py writes, so that the Node.js peers (DuckDB, Kuzu) run the same
 * ones. Each line: "gaps WARD_NID TARGET WARD_NAME" or "reach ORG_NID ORG_ID".
 * The peer database is a copy of DB with the indexes an analyst would add
 * (bench/scale.py, make_peer_db).
 *
 * Output: one "result NAME N MEDIAN_MS P95_MS" line per timing, "answer KIND
 * LINE N" for what SQLite found for the query on that line of QUERIES
 * (covered school district × need cells; nodes reached), "plan PEER DEPTH
 * DETAIL" for the query plan of each peer's SQL, "info" lines for the rest,
 * for bench/scale.py to read.
 *
 * usage: scale_bench DB PEER_DB QUERIES [runs] [peer_budget_s]
 */
#include "tsunagi.h"

#include "bench.h"
#include "network.h"
#include "period.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The day of the AS OF variants: a day other than today, so that the
 * session keeps a second, dated network. */
#define AS_OF_DAY "2025-04-01"

static void report(const char *name, double *t, size_t n)
{
    if (!n) return;
    qsort(t, n, sizeof *t, bench_cmp);
    size_t p95 = (n * 95 + 99) / 100;
    printf("result %s %zu %.3f %.3f\n", name, n, t[n / 2] * 1e3, t[(p95 ? p95 : 1) - 1] * 1e3);
}

static long rss_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, len)) kb = atol(line + len + 1);
    if (f) fclose(f);
    return kb;
}

/* The floor: what eng_net_load reads, scanned as plainly as SQLite can. */
static const char *const floor_sql[] = {
    "SELECT nid, type, id FROM node",
    "SELECT nid, name, parent, level FROM district",
    "SELECT nid, name, district, sector FROM organisation",
    "SELECT nid, name, org, age_min, age_max, wide_area, starts, ends FROM program",
    "SELECT nid, name, district FROM forum",
    "SELECT program, pos, target FROM program_target",
    "SELECT program, pos, need FROM program_need",
    "SELECT program, pos, mode FROM program_mode",
    "SELECT program, pos, district FROM program_area",
    "SELECT src, dst, kind, directed, count FROM tie",
};

/* The floor with every column the load reads (store/netread.c, read_all):
 * the dates that decide which rows exist on the day besides. Not the tie's
 * tid (read only when some tie has a past value), nor the load's node count
 * and its read of the history table (one row each, or none, here). */
static const char *const floor_columns_sql[] = {
    "SELECT nid, type, id FROM node",
    "SELECT nid, name, parent, level FROM district",
    "SELECT nid, name, district, sector, since, until FROM organisation",
    "SELECT nid, name, org, age_min, age_max, wide_area, starts, ends, until FROM program",
    "SELECT nid, name, district, since, until FROM forum",
    "SELECT program, pos, target FROM program_target",
    "SELECT program, pos, need FROM program_need",
    "SELECT program, pos, mode FROM program_mode",
    "SELECT program, pos, district FROM program_area",
    "SELECT src, dst, kind, directed, count, since, until FROM tie",
};

/* What the session's names read besides: ids, then each kind's names. */
static const char *const names_sql[] = {
    "SELECT nid, type, id FROM node ORDER BY nid",
    "SELECT nid, name FROM district",
    "SELECT nid, name FROM organisation",
    "SELECT nid, name FROM program",
    "SELECT nid, name FROM forum",
};

static double scan(const char *path, const char *const *sql, size_t nsql)
{
    sqlite3 *db;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    double t0 = bench_now();
    long sink = 0;
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (size_t q = 0; q < nsql; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "floor: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        int nc = sqlite3_column_count(st);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < nc; c++)
                if (sqlite3_column_type(st, c) == SQLITE_TEXT) sink += sqlite3_column_bytes(st, c) + (sqlite3_column_text(st, c) != NULL);
                else sink += sqlite3_column_int64(st, c);
        sqlite3_finalize(st);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = bench_now() - t0;
    sqlite3_close(db);
    return sink == -1 ? 0 : t; /* keeps the reads from being optimised away */
}

static double load_once(const char *path, long *grew_kb)
{
    sqlite3 *db;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    long before = rss_kb("VmRSS:");
    double t0 = bench_now();
    eng_net_t *net;
    tsg_error_t err = {0};
    tsg_db_t store = {.sql = db}; /* the raw read-only connection, as the store's handle */
    /* The loader's SQL asks which rows exist today (tsg_day, tsg_exists),
     * which tsg_open registers on its connections; this one is raw. */
    if (store_period_functions(db, &err) || eng_net_load(&store, &net, &err)) {
        fprintf(stderr, "load: %s\n", err.text);
        exit(1);
    }
    double t = bench_now() - t0;
    *grew_kb = rss_kb("VmRSS:") - before;
    eng_net_free(net);
    sqlite3_close(db);
    return t;
}

typedef struct query {
    int gaps;
    sqlite3_int64 nid;
    char target[64], name[256];
} query_t;

/* The GAPS peer (bench/sql/gaps.sql) set for query q: its ward and group,
 * ages 18..39 as tsunagi's statement asks. */
static void gaps_peer_bind(sqlite3_stmt *gq, const query_t *q)
{
    sqlite3_reset(gq);
    bench_bind_int(gq, ":ward", q->nid);
    bench_bind_int(gq, ":age_from", 18);
    bench_bind_int(gq, ":age_to", 39);
    bench_bind_text(gq, ":target", q->target);
}

static query_t *read_queries(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    query_t *q = NULL;
    size_t cap = 0;
    char line[512];
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (*n == cap) q = realloc(q, (cap = cap ? cap * 2 : 64) * sizeof *q);
        query_t *x = &q[*n];
        memset(x, 0, sizeof *x);
        if (sscanf(line, "gaps %lld %63s %255[^\n]", &x->nid, x->target, x->name) == 3) x->gaps = 1;
        else if (sscanf(line, "reach %lld %255s", &x->nid, x->name) == 2) x->gaps = 0;
        else continue;
        (*n)++;
    }
    fclose(f);
    return q;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: scale_bench DB PEER_DB QUERIES [runs] [peer_budget_s]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *path = argv[1];
    int runs = argc > 4 ? atoi(argv[4]) : 5;
    double budget = argc > 5 ? atof(argv[5]) : 120;
    size_t nq;
    query_t *qs = read_queries(argv[3], &nq);

    /* Load against the floor, alternating, after one warm-up of each; wall
     * and CPU time of each (tf, tl, tc: wall; cf, cl, cc: CPU), tc and cc
     * for the floor with every column the load reads. */
    double *tf = calloc((size_t)runs, sizeof *tf), *tl = calloc((size_t)runs, sizeof *tl);
    double *tc = calloc((size_t)runs, sizeof *tc), *cf = calloc((size_t)runs, sizeof *cf);
    double *cl = calloc((size_t)runs, sizeof *cl), *cc = calloc((size_t)runs, sizeof *cc);
    long grew = 0, again;
    const size_t nfloor = sizeof floor_sql / sizeof *floor_sql, nnames = sizeof names_sql / sizeof *names_sql,
                 ncolumns = sizeof floor_columns_sql / sizeof *floor_columns_sql;
    /* Page faults of each (getrusage, minor and major): a fresh allocation
     * costs a fault per page, so where faults are dear the load pays for
     * the memory it keeps, which the floor does not. */
    double *ff = calloc((size_t)runs, sizeof *ff), *fl = calloc((size_t)runs, sizeof *fl);
    double *mf = calloc((size_t)runs, sizeof *mf), *ml = calloc((size_t)runs, sizeof *ml);
    long min0, maj0, min1, maj1;
    scan(path, floor_sql, nfloor);
    bench_faults(&min0, &maj0);
    load_once(path, &grew); /* the first load shows the memory it takes */
    bench_faults(&min1, &maj1);
    printf("info first_load_minflt %ld first_load_majflt %ld\n", min1 - min0, maj1 - maj0);
    scan(path, floor_columns_sql, ncolumns);
    for (int r = 0; r < runs; r++) {
        bench_faults(&min0, &maj0);
        double c0 = bench_cpu();
        tf[r] = scan(path, floor_sql, nfloor);
        double c1 = bench_cpu();
        bench_faults(&min1, &maj1);
        ff[r] = (double)(min1 - min0), mf[r] = (double)(maj1 - maj0);
        tl[r] = load_once(path, &again);
        double c2 = bench_cpu();
        bench_faults(&min0, &maj0);
        fl[r] = (double)(min0 - min1), ml[r] = (double)(maj0 - maj1);
        tc[r] = scan(path, floor_columns_sql, ncolumns);
        cf[r] = c1 - c0, cl[r] = c2 - c1, cc[r] = bench_cpu() - c2;
    }
    qsort(ff, (size_t)runs, sizeof *ff, bench_cmp);
    qsort(fl, (size_t)runs, sizeof *fl, bench_cmp);
    qsort(mf, (size_t)runs, sizeof *mf, bench_cmp);
    qsort(ml, (size_t)runs, sizeof *ml, bench_cmp);
    printf("info floor_minflt %.0f floor_majflt %.0f load_minflt %.0f load_majflt %.0f\n", ff[runs / 2], mf[runs / 2],
           fl[runs / 2], ml[runs / 2]);
    free(ff);
    free(fl);
    free(mf);
    free(ml);
    printf("info network_rss_mb %.0f\n", grew / 1024.0);
    report("load_floor", tf, (size_t)runs);
    report("load", tl, (size_t)runs);
    report("load_floor_columns", tc, (size_t)runs);
    report("load_floor_cpu", cf, (size_t)runs);
    report("load_cpu", cl, (size_t)runs);
    report("load_floor_columns_cpu", cc, (size_t)runs);
    /* The first statement also loads the names; its floor adds their scan. */
    double names_floor = scan(path, names_sql, nnames);

    /* The statements, through a session that keeps the network loaded. */
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    if (tsg_open(path, &db, &err) || tsg_session_open(db, &s, &err)) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    size_t rows = 0;
    tsg_sink_t sink = {bench_count_rows, bench_print_error, &rows};
    /* The first statement loads the network; it is timed apart. */
    char stmt[512];
    double t0 = bench_now();
    snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 1 HOPS;", qs[nq - 1].name);
    if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
        fprintf(stderr, "%s: %s\n", stmt, err.text);
        return 1;
    }
    printf("info first_statement_ms %.1f first_floor_ms %.1f\n", (bench_now() - t0) * 1e3,
           (tf[runs / 2] + names_floor) * 1e3);
    /* The first AS OF statement loads the dated network (eng_net_load_at):
     * timed apart too, as the first plain one is. */
    t0 = bench_now();
    snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 1 HOPS AS OF '" AS_OF_DAY "';", qs[nq - 1].name);
    if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
        fprintf(stderr, "%s: %s\n", stmt, err.text);
        return 1;
    }
    printf("info first_asof_statement_ms %.1f\n", (bench_now() - t0) * 1e3);
    sqlite3 *peer;
    if (sqlite3_open_v2(argv[2], &peer, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", argv[2], sqlite3_errmsg(peer));
        return 1;
    }
    char *gaps_sql = bench_sql("gaps"), *reach_sql = bench_sql("reach"), *reach_rows_sql = bench_sql("reach_rows");
    bench_print_plan(peer, "gaps_sqlite", gaps_sql);
    bench_print_plan(peer, "reach_sqlite", reach_sql);
    bench_print_plan(peer, "reach_sqlite_rows", reach_rows_sql);
    sqlite3_stmt *gq = bench_prepare(peer, gaps_sql), *rq = bench_prepare(peer, reach_sql),
                 *lq = bench_prepare(peer, reach_rows_sql);
    bench_gaps_count_t gc = {0, 0, "18", "39"};
    tsg_sink_t gsink = {bench_count_gaps, bench_print_error, &gc};
    size_t cap = nq * (size_t)runs;
    double *tg = calloc(cap, sizeof *tg), *tr = calloc(cap, sizeof *tr);
    double *tga = calloc(cap, sizeof *tga);
    double *tgt = calloc(cap, sizeof *tgt);
    size_t nga = 0, ngt = 0;
    double *pg = calloc(nq, sizeof *pg), *pr = calloc(nq, sizeof *pr), *pl = calloc(nq, sizeof *pl);
    size_t ng = 0, nr = 0, npg = 0, npr = 0, npl = 0, mismatches = 0, gaps_checked = 0;
    long reached = 0;
    /* Pass 0: each statement alone, then (first run) its peer. Pass 1: each
     * GAPS and its AS OF twin, in turn first (odd runs: the twin first), so
     * neither always meets the other's warm caches. REACH has no twins: a
     * REACH on another day than the last one rebuilds the session's dated
     * SQL tables (qry_dated_tables: node, program and tie copied into temp
     * tables), a load's worth at every switch; its AS OF cost is measured
     * back to back below, and one switch apart. */
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < runs; r++)
            for (size_t i = 0; i < nq; i++) {
                if (pass && !qs[i].gaps) continue;
                if (qs[i].gaps)
                    snprintf(stmt, sizeof stmt, "GAPS FOR %s AGED 18..39 IN '%s';", qs[i].target, qs[i].name);
                else
                    snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 3 HOPS VIA any;", qs[i].name);
                size_t len = strlen(stmt);
                for (int k = 0; k < 1 + pass; k++) {
                    int dated = pass && (k + r) % 2;
                    if (dated) snprintf(stmt + len - 1, sizeof stmt - len + 1, " AS OF '" AS_OF_DAY "';");
                    else stmt[len - 1] = ';', stmt[len] = '\0';
                    rows = 0;
                    /* The GAPS of the first run counts its uncovered cells for
                     * the check against the peer below. */
                    int check = qs[i].gaps && !pass && !r;
                    if (check) gc.rows = gc.uncovered = 0;
                    t0 = bench_now();
                    if (tsg_session_run(s, stmt, NULL, 0, check ? &gsink : &sink, &err)) {
                        fprintf(stderr, "%s: %s\n", stmt, err.text);
                        return 1;
                    }
                    double t = bench_now() - t0;
                    if (!pass) *(qs[i].gaps ? &tg[ng++] : &tr[nr++]) = t;
                    else *(dated ? &tga[nga++] : &tgt[ngt++]) = t;
                }
                stmt[len - 1] = ';';
                stmt[len] = '\0';
                if (pass || r) continue;
                /* The peer, once per query, within its time budget. */
                if (qs[i].gaps && budget > 0) {
                    t0 = bench_now();
                    gaps_peer_bind(gq, &qs[i]);
                    long covered = 0, uncovered = 0;
                    while (sqlite3_step(gq) == SQLITE_ROW)
                        if (sqlite3_column_int64(gq, 2) > 0) covered++;
                        else uncovered++;
                    pg[npg++] = bench_now() - t0;
                    printf("answer gaps %zu %ld\n", i, covered);
                    budget -= pg[npg - 1];
                    if (uncovered != (long)gc.uncovered) {
                        fprintf(stderr, "MISMATCH: %s leaves %zu cells uncovered at all ages, the peer %ld\n", stmt,
                                gc.uncovered, uncovered);
                        mismatches++;
                    }
                    gaps_checked++;
                } else if (!qs[i].gaps && budget > 0) {
                    t0 = bench_now();
                    sqlite3_reset(rq);
                    bench_bind_int(rq, ":org", qs[i].nid);
                    long n = sqlite3_step(rq) == SQLITE_ROW ? sqlite3_column_int64(rq, 0) : -1;
                    pr[npr++] = bench_now() - t0;
                    budget -= pr[npr - 1];
                    reached += n;
                    printf("answer reach %zu %ld\n", i, n);
                    t0 = bench_now();
                    sqlite3_reset(lq);
                    bench_bind_int(lq, ":org", qs[i].nid);
                    long listed = 0;
                    while (sqlite3_step(lq) == SQLITE_ROW) listed++;
                    pl[npl++] = bench_now() - t0;
                    budget -= pl[npl - 1];
                    if (listed != (long)rows) {
                        fprintf(stderr, "MISMATCH: %s lists %zu, the SQL %ld\n", stmt, rows, listed);
                        mismatches++;
                    }
                    if (n != (long)rows) {
                        fprintf(stderr, "MISMATCH: %s reaches %zu, the SQL %ld\n", stmt, rows, n);
                        mismatches++;
                    }
                }
            }
    }
    /* GAPS again back to back, then the peer the same way: above, the peer
     * meets each ward once, its pages perhaps still on disk, and tsunagi
     * meets it warm after its first run; here both meet it warm. */
    double *tgb = calloc(cap, sizeof *tgb), *pgb = calloc(cap, sizeof *pgb);
    size_t ngb = 0, npgb = 0;
    for (int r = 0; r < runs; r++)
        for (size_t i = 0; i < nq; i++) {
            if (!qs[i].gaps) continue;
            snprintf(stmt, sizeof stmt, "GAPS FOR %s AGED 18..39 IN '%s';", qs[i].target, qs[i].name);
            t0 = bench_now();
            if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
                fprintf(stderr, "%s: %s\n", stmt, err.text);
                return 1;
            }
            tgb[ngb++] = bench_now() - t0;
        }
    for (int r = 0; r < runs && budget > 0; r++)
        for (size_t i = 0; i < nq; i++) {
            if (!qs[i].gaps) continue;
            t0 = bench_now();
            gaps_peer_bind(gq, &qs[i]);
            while (sqlite3_step(gq) == SQLITE_ROW) {}
            pgb[npgb++] = bench_now() - t0;
            budget -= pgb[npgb - 1];
        }
    /* REACH again, one after another with nothing between (as when a
     * planner walks outwards from several organisations in a row), then
     * the CTE the same way: both find the neighbourhoods they touched
     * recently in cache, unlike above, where GAPS and the peer run between. */
    double *ta = calloc(cap, sizeof *ta), *pa = calloc(cap, sizeof *pa);
    size_t na = 0, npa = 0;
    for (int r = 0; r < runs; r++)
        for (size_t i = 0; i < nq; i++) {
            if (qs[i].gaps) continue;
            snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 3 HOPS VIA any;", qs[i].name);
            t0 = bench_now();
            if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
                fprintf(stderr, "%s: %s\n", stmt, err.text);
                return 1;
            }
            ta[na++] = bench_now() - t0;
        }
    /* The same back to back AS OF the day: what a dated REACH costs once
     * the session has stopped switching between days. The first of them
     * (the switch) is timed apart, and so is the REACH of today after them. */
    double *taa = calloc(cap, sizeof *taa);
    size_t naa = 0;
    double switch_to = -1;
    size_t last_reach = nq; /* the REACH query timed back on today below: a REACH, whatever the file's order */
    for (int r = 0; r < runs; r++)
        for (size_t i = 0; i < nq; i++) {
            if (qs[i].gaps) continue;
            last_reach = i;
            snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 3 HOPS VIA any AS OF '" AS_OF_DAY "';", qs[i].name);
            t0 = bench_now();
            if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
                fprintf(stderr, "%s: %s\n", stmt, err.text);
                return 1;
            }
            if (switch_to < 0) switch_to = bench_now() - t0;
            else taa[naa++] = bench_now() - t0;
        }
    if (last_reach == nq) {
        fprintf(stderr, "scale_bench: no REACH query to time\n");
        return 1;
    }
    snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN 3 HOPS VIA any;", qs[last_reach].name);
    t0 = bench_now();
    if (tsg_session_run(s, stmt, NULL, 0, &sink, &err)) {
        fprintf(stderr, "%s: %s\n", stmt, err.text);
        return 1;
    }
    printf("info reach_switch_asof_ms %.1f reach_switch_today_ms %.1f\n", switch_to * 1e3, (bench_now() - t0) * 1e3);
    for (int r = 0; r < runs && budget > 0; r++)
        for (size_t i = 0; i < nq; i++) {
            if (qs[i].gaps) continue;
            t0 = bench_now();
            sqlite3_reset(rq);
            bench_bind_int(rq, ":org", qs[i].nid);
            if (sqlite3_step(rq) != SQLITE_ROW) {
                fprintf(stderr, "peer: %s\n", sqlite3_errmsg(peer));
                return 1;
            }
            pa[npa++] = bench_now() - t0;
        }
    printf("info gaps_checked %zu reach_checked %zu reached_total %ld mismatches %zu\n", gaps_checked, npr, reached,
           mismatches);
    printf("info peak_rss_mb %.0f\n", rss_kb("VmHWM:") / 1024.0);
    report("gaps", tg, ng);
    report("reach", tr, nr);
    report("gaps_twin", tgt, ngt);
    report("gaps_asof", tga, nga);

    report("gaps_sqlite", pg, npg);
    report("reach_sqlite", pr, npr);
    report("reach_sqlite_rows", pl, npl);
    report("gaps_alone", tgb, ngb);
    report("gaps_sqlite_alone", pgb, npgb);
    report("reach_alone", ta, na);
    report("reach_asof_alone", taa, naa);
    report("reach_sqlite_alone", pa, npa);
    sqlite3_finalize(gq);
    sqlite3_finalize(rq);
    sqlite3_finalize(lq);
    free(gaps_sql);
    free(reach_sql);
    free(reach_rows_sql);
    sqlite3_close(peer);
    tsg_session_close(s);
    tsg_close(db);
    free(qs);
    free(tf);
    free(tl);
    free(tc);
    free(cf);
    free(cl);
    free(cc);
    free(tg);
    free(tr);
    free(pg);
    free(pr);
    free(pl);
    free(ta);
    free(taa);
    free(tgb);
    free(pgb);
    free(pa);
    free(tga);
    free(tgt);
    return mismatches ? 1 : 0;
}
