/*
 * parse_bench — how fast statements are tokenized and parsed, with SQLite's
 * parser (also lemon-generated) measured in the same run as the peer.
 *
 * Builds a script of about 10 MB from a mix of statements, parses it with
 * tsunagi's tokenizer and parser (no evaluation), and prepares a comparable
 * mix of SQL statements with sqlite3_prepare_v2 on an in-memory database
 * holding tables of the same shape. Prints statements/s and MB/s for both,
 * median of several runs, and the ratio.
 *
 * usage: parse_bench [MB] [runs]
 */
#include "ast.h"
#include "parser.h"

#include "bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const statements[] = {
    "FIND programs WHERE target = hikikomori AND age OVERLAPS 18..39 AND need = place IN '北区';\n",
    "FIND organisations WHERE sector = npo AND NOT TIED TO sector = government IN '南区';\n",
    "COUNT programs WHERE target = ヤングケアラー AND need IN (consultation, place) BY ward;\n",
    "SHOW '北区社会福祉協議会';\n",
    "LET kita_npo = FIND organisations WHERE sector = npo IN '北区'; -- NPOs of 北区\n",
    "FIND ties WHERE kind = referral AND count >= 10 AND since >= '2020';\n",
    "ADD program '若者の居場所' OF 'NPO法人こもれび' FOR hikikomori AGED 15..39 NEEDS place, peer AREA '北区';\n",
    "TIE '北区社会福祉協議会' -> 'みなと若者食堂' AS referral COUNT 12 SINCE 2024;\n",
};

static const char *const sql[] = {
    "SELECT p.nid FROM program p WHERE EXISTS (SELECT 1 FROM program_target t WHERE t.program = p.nid AND t.target = 'hikikomori') AND (p.age_max IS NULL OR p.age_max >= 18) AND (p.age_min IS NULL OR p.age_min <= 39);",
    "SELECT o.nid FROM organisation o WHERE o.sector = 'npo' AND NOT EXISTS (SELECT 1 FROM tie t JOIN organisation g ON g.nid = t.dst WHERE t.src = o.nid AND g.sector = 'government');",
    "SELECT count(*) FROM program p WHERE EXISTS (SELECT 1 FROM program_need n WHERE n.program = p.nid AND n.need IN ('consultation', 'place'));",
    "SELECT * FROM organisation WHERE name = '北区社会福祉協議会';",
    "INSERT INTO tie(src, dst, kind, count, since) VALUES (1, 2, 'referral', 12, '2024');",
};

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 10;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    size_t want = (size_t)(mb * 1e6);

    /* The tsunagi script and the SQL script, each about `want` bytes. */
    char *script = malloc(want + 4096), *sqltext = malloc(want + 4096);
    size_t len = 0, slen = 0, n = 0, sn = 0;
    while (len < want) {
        const char *s = statements[n % (sizeof statements / sizeof statements[0])];
        memcpy(script + len, s, strlen(s));
        len += strlen(s);
        n++;
    }
    script[len] = '\0';
    while (slen < want) {
        const char *s = sql[sn % (sizeof sql / sizeof sql[0])];
        memcpy(sqltext + slen, s, strlen(s));
        slen += strlen(s);
        sn++;
    }
    sqltext[slen] = '\0';

    double *ts = calloc((size_t)runs, sizeof *ts), *tq = calloc((size_t)runs, sizeof *tq);
    gram_ctx_t ctx = {0};
    ctx.arena = ast_arena_new();
    for (int r = 0; r < runs; r++) {
        ctx.src = script;
        ctx.len = len;
        size_t pos = 0, parsed = 0;
        int line = 1, col = 1, done = 0;
        double t0 = bench_now();
        while (!done) {
            ast_arena_reset(ctx.arena);
            ast_stmt_t *st;
            if (gram_parse_next(&ctx, &pos, &line, &col, &st, &done)) {
                fprintf(stderr, "parse error at line %d: %s\n", ctx.at.line, ctx.msg);
                return 1;
            }
            parsed += !done;
        }
        ts[r] = bench_now() - t0;
        if (parsed != n) {
            fprintf(stderr, "parsed %zu statements, expected %zu\n", parsed, n);
            return 1;
        }
    }
    sqlite3 *db;
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db,
                 "CREATE TABLE program(nid INTEGER PRIMARY KEY, org, name, age_min, age_max);"
                 "CREATE TABLE program_target(program, pos, target); CREATE TABLE program_need(program, pos, need);"
                 "CREATE TABLE organisation(nid INTEGER PRIMARY KEY, name, sector, district);"
                 "CREATE TABLE tie(tid INTEGER PRIMARY KEY, src, dst, kind, count, since);",
                 NULL, NULL, NULL);
    for (int r = 0; r < runs; r++) {
        const char *p = sqltext;
        size_t prepared = 0;
        double t0 = bench_now();
        while (*p) {
            sqlite3_stmt *st;
            const char *tail;
            if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK) {
                fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
                return 1;
            }
            sqlite3_finalize(st);
            prepared++;
            p = tail;
            while (*p == '\n' || *p == ' ') p++;
        }
        tq[r] = bench_now() - t0;
        if (prepared != sn) return 1;
    }
    qsort(ts, (size_t)runs, sizeof *ts, bench_cmp);
    qsort(tq, (size_t)runs, sizeof *tq, bench_cmp);
    double mt = ts[runs / 2], mq = tq[runs / 2];
    printf("tsunagi parse: %.1f MB, %zu statements, median %.3f s: %.0f statements/s, %.1f MB/s\n", len / 1e6, n, mt,
           n / mt, len / 1e6 / mt);
    printf("sqlite3_prepare_v2 (peer): %.1f MB, %zu statements, median %.3f s: %.0f statements/s, %.1f MB/s\n",
           slen / 1e6, sn, mq, sn / mq, slen / 1e6 / mq);
    printf("ratio (tsunagi MB/s / sqlite MB/s): %.2f\n", (len / 1e6 / mt) / (slen / 1e6 / mq));
    sqlite3_close(db);
    ast_arena_free(ctx.arena);
    free(script);
    free(sqltext);
    free(ts);
    free(tq);
    return 0;
}
