/*
 * History (issue 21): schema v3's migration keeps every tie and its tid,
 * and eng_net_load_at sees only the rows that existed on the day asked
 * (store/period.h: since inclusive, until exclusive; a program only while
 * its organisation exists, a tie only while both its ends do).
 */
#include "helpers.h"
#include "network.h"
#include "bounds.h"
#include "store.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A small network in a fresh temp dir: three organisations, a program
 * each for a and b, a forum with a and b as members, and ties. */
static void network(void)
{
    th_small_network(0);
}

/* The network of a day in words: the nodes that exist ("id" each, in nid
 * order) and the ties ("src>dst" each, in tie order). */
static char *seen(long day)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_at(db, day, &net, &err), TSG_OK, "%s", err.text);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (int64_t n = 1; n <= net->maxnid; n++)
        if (net->type[n] && net->type[n] != ENG_DISTRICT) fprintf(f, "%s ", net->id[n]);
    fputs("|", f);
    for (size_t i = 0; i < net->nties; i++) fprintf(f, " %s>%s", net->id[net->ties[i].src], net->id[net->ties[i].dst]);
    fclose(f);
    eng_net_free(net);
    tsg_close(db);
    return out;
}

Test(history, today_honours_the_environment)
{
    setenv("TSUNAGI_TODAY", "2031-02-03", 1);
    cr_expect_eq(util_today(), 20310203);
    setenv("TSUNAGI_TODAY", "not a date", 1);
    cr_expect_gt(util_today(), 20200101, "a bad TSUNAGI_TODAY falls back to the clock");
    unsetenv("TSUNAGI_TODAY");
    cr_expect_gt(util_today(), 20200101);
}

Test(history, rows_exist_within_their_period)
{
    network();
    /* c leaves at 2025-04-01 (until is exclusive); b joins in 2021; the
     * program pa ends in 2024-07; the a–b tie ends in 2023 and a second
     * one begins in 2024. */
    th_sql("net.db", "UPDATE organisation SET until = '2025-04-01' WHERE nid = (SELECT nid FROM node WHERE id = 'c');"
        "UPDATE organisation SET since = '2021' WHERE nid = (SELECT nid FROM node WHERE id = 'b');"
        "UPDATE program SET until = '2024-07' WHERE nid = (SELECT nid FROM node WHERE id = 'pa');"
        "UPDATE tie SET until = '2023-01-01' WHERE kind = 'co_support';"
        "INSERT INTO tie(src, dst, kind, directed, since) SELECT src, dst, kind, directed, '2024' FROM tie"
        " WHERE kind = 'co_support';");
    char *a = seen(20200601);
    /* b does not exist yet: its program, its ties and its membership go with it. */
    cr_expect_str_eq(a, "a c pa f | a>f");
    char *b = seen(20220101);
    cr_expect_str_eq(b, "a b c pa pb f | a>b b>c a>f b>f");
    char *c = seen(20250331);
    cr_expect_str_eq(c, "a b c pb f | b>c a>f b>f a>b");
    char *d = seen(20250401);
    cr_expect_str_eq(d, "a b pb f | a>f b>f a>b");
    free(a), free(b), free(c), free(d);
    /* An organisation that ends takes its programs with it. */
    th_sql("net.db", "UPDATE organisation SET until = '2026' WHERE nid = (SELECT nid FROM node WHERE id = 'b')");
    char *e = seen(20260101);
    cr_expect_str_eq(e, "a f | a>f");
    free(e);
    /* Today (0) is the clock's, fixed by the environment. */
    setenv("TSUNAGI_TODAY", "2025-12-31", 1);
    char *f = seen(0);
    cr_expect_str_eq(f, "a b pb f | a>f b>f a>b");
    unsetenv("TSUNAGI_TODAY");
    free(f);
}

Test(history, a_version_2_database_migrates_keeping_its_ties)
{
    network();
    /* Back to schema 2 as an older tsunagi wrote it: the tie table with its
     * UNIQUE, without the new columns and the history table; tids with gaps. */
    th_sql("net.db", "DELETE FROM tie WHERE kind = 'co_support';"
        "CREATE TABLE tie2(tid INTEGER PRIMARY KEY, src INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,"
        " dst INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE, kind TEXT NOT NULL, directed INTEGER NOT NULL,"
        " count INTEGER, since TEXT, CHECK(src <> dst), UNIQUE(src, dst, kind));"
        "INSERT INTO tie2 SELECT tid * 7, src, dst, kind, directed, count, since FROM tie;"
        "DROP TABLE tie; ALTER TABLE tie2 RENAME TO tie; CREATE INDEX tie_dst ON tie(dst);"
        "DROP TABLE history;"
        "ALTER TABLE organisation DROP COLUMN since; ALTER TABLE organisation DROP COLUMN until;"
        "ALTER TABLE organisation DROP COLUMN verified; ALTER TABLE forum DROP COLUMN since;"
        "ALTER TABLE forum DROP COLUMN until; ALTER TABLE forum DROP COLUMN verified;"
        "ALTER TABLE program DROP COLUMN until; ALTER TABLE program DROP COLUMN verified;"
        "PRAGMA user_version = 2;");
    sqlite3 *raw;
    cr_assert_eq(sqlite3_open("net.db", &raw), SQLITE_OK);
    char *old = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&old, &len);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(raw, "SELECT tid, src, dst, kind, count, since FROM tie ORDER BY tid", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%lld %lld %lld %s %s %s\n", sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                sqlite3_column_int64(st, 2), sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                sqlite3_column_text(st, 5));
    sqlite3_finalize(st);
    fclose(f);
    sqlite3_close(raw);

    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(store_check(db, &err), TSG_OK, "%s", err.text);
    tsg_close(db);

    cr_assert_eq(sqlite3_open("net.db", &raw), SQLITE_OK);
    char *now = NULL;
    f = open_memstream(&now, &len);
    sqlite3_prepare_v2(raw, "SELECT tid, src, dst, kind, count, since FROM tie ORDER BY tid", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(f, "%lld %lld %lld %s %s %s\n", sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                sqlite3_column_int64(st, 2), sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
                sqlite3_column_text(st, 5));
    sqlite3_finalize(st);
    fclose(f);
    cr_expect_str_eq(now, old, "the ties and their tids are kept");
    sqlite3_prepare_v2(raw, "SELECT (SELECT user_version FROM pragma_user_version),"
                            " (SELECT sql FROM sqlite_schema WHERE name = 'tie_open'),"
                            " (SELECT count(*) FROM pragma_table_info('tie') WHERE name IN ('until','verified','status')),"
                            " (SELECT count(*) FROM pragma_table_info('organisation') WHERE name IN ('since','until','verified')),"
                            " (SELECT count(*) FROM sqlite_schema WHERE name = 'history')",
                       -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(st, 0), 4);
    cr_expect_str_eq((const char *)sqlite3_column_text(st, 1),
                     "CREATE UNIQUE INDEX tie_open ON tie(src, dst, kind) WHERE until IS NULL");
    cr_expect_eq(sqlite3_column_int(st, 2), 3);
    cr_expect_eq(sqlite3_column_int(st, 3), 3);
    cr_expect_eq(sqlite3_column_int(st, 4), 1);
    sqlite3_finalize(st);
    /* One open tie per pair and kind; an ended one may be joined by a new one. */
    cr_expect_neq(sqlite3_exec(raw, "INSERT INTO tie(src, dst, kind, directed) SELECT src, dst, kind, directed FROM tie"
                                    " WHERE kind = 'referral'", NULL, NULL, NULL), SQLITE_OK);
    cr_expect_eq(sqlite3_exec(raw, "UPDATE tie SET until = '2024' WHERE kind = 'referral';"
                                   "INSERT INTO tie(src, dst, kind, directed) SELECT src, dst, kind, directed FROM tie"
                                   " WHERE kind = 'referral'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    free(old);
    free(now);
}

/* The most full-scan steps any statement reading the day's ties took
 * (SQLite's own count, SQLITE_STMTSTATUS_FULLSCAN_STEP, read as each one
 * finishes). The session's check of the file at open (column types, every
 * row) reads `tie` itself and is no look-up: not counted. */
static int scan_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)x;
    const char *text = type == SQLITE_TRACE_PROFILE ? sqlite3_sql(p) : NULL;
    if (text && strstr(text, "tie_at")) {
        int n = sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
        if (n > *(int *)ctx) *(int *)ctx = n;
    }
    return 0;
}

static tsg_status_t count_rows(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    *(size_t *)ctx += r->nrows;
    return TSG_OK;
}

/* SHOW of organisation a (its ties, its programs' ties, its forums)
 * through a session; returns the most full-scan steps of a tie statement. */
static int show_scans(void)
{
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    int most = 0;
    size_t rows = 0;
    tsg_sink_t sink = {count_rows, NULL, &rows};
    sqlite3_trace_v2(db->sql, SQLITE_TRACE_PROFILE, scan_trace, &most);
    cr_assert_eq(tsg_session_run(s, "SHOW 'a';", NULL, 0, &sink, &err), TSG_OK, "%s", err.text);
    cr_assert_gt(rows, 0);
    sqlite3_trace_v2(db->sql, 0, NULL, NULL);
    tsg_session_close(s);
    tsg_close(db);
    return most;
}

Test(history, a_version_3_database_migrates_to_ties_by_source)
{
    network();
    /* 3,000 ended ties between b and c: a statement that scans the tie
     * table to find a's ties steps over each of them. */
    th_sql("net.db", "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000)"
        " INSERT INTO tie(src, dst, kind, directed, since, until) SELECT (SELECT nid FROM node WHERE id = 'b'),"
        " (SELECT nid FROM node WHERE id = 'c'), 'referral', 1, '2001-01-01', '2002-01-01' FROM k;"
        "DROP INDEX tie_src; PRAGMA user_version = 3;");
    sqlite3 *raw;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open("net.db", &raw), SQLITE_OK);
    sqlite3_prepare_v2(raw, "SELECT count(*) FROM tie", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    int ties = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    /* The session's open migrates the file; SHOW then finds a's ties by
     * their ends: no tie statement steps over the ended ties. */
    cr_expect_lt(show_scans(), 3000);
    sqlite3_prepare_v2(raw, "SELECT (SELECT user_version FROM pragma_user_version),"
                            " (SELECT sql FROM sqlite_schema WHERE name = 'tie_src'), (SELECT count(*) FROM tie)",
                       -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(st, 0), 4, "the open migrated the file");
    cr_expect_str_eq((const char *)sqlite3_column_text(st, 1), "CREATE INDEX tie_src ON tie(src)");
    cr_expect_eq(sqlite3_column_int(st, 2), ties, "every tie is kept");
    sqlite3_finalize(st);
    /* The plan of a look-up by source with a filter on the dates, as the
     * dated views put it: a search of tie_src, not a scan. */
    cr_assert_eq(sqlite3_prepare_v2(raw, "EXPLAIN QUERY PLAN SELECT tid FROM tie t WHERE (t.since IS NULL OR"
                                         " t.since <= '2026-12-02') AND t.src = ?1", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_not_null(strstr((const char *)sqlite3_column_text(st, 3), "USING INDEX tie_src (src=?)"), "%s",
                       sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    /* Without the index (schema 3's ties) the same SHOW scans them all:
     * the count above can fail. */
    cr_assert_eq(sqlite3_exec(raw, "DROP INDEX tie_src", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    cr_expect_geq(show_scans(), 3000);
}

/* A node's fields as the network of a day holds them, in words. */
static char *fields(long day, const char *id)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_at(db, day, &net, &err), TSG_OK, "%s", err.text);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (int64_t n = 1; n <= net->maxnid; n++) {
        if (!net->type[n] || strcmp(net->id[n], id)) continue;
        fprintf(f, "%s", net->name[n]);
        if (net->sector[n]) fprintf(f, " %s", net->sector[n]);
        if (net->based[n]) fprintf(f, " in %s", net->id[net->based[n]]);
        if (net->prog[n] >= 0) {
            const eng_program_t *p = &net->programs[net->prog[n]];
            fprintf(f, " of %s aged %d..%d for", net->id[p->org], p->age_min, p->age_max);
            for (int i = 0; i < p->targets.n; i++) fprintf(f, " %s", p->targets.v[i]);
            fprintf(f, " area%s", p->wide ? " *" : "");
            for (int i = 0; i < p->narea; i++) fprintf(f, " %s", net->id[p->area[i]]);
        }
    }
    fclose(f);
    eng_net_free(net);
    tsg_close(db);
    return out;
}

Test(history, set_keeps_the_old_value_until_its_date)
{
    network();
    th_write("net/districts.csv", "id,name,level,parent_id\nd,市,municipality,\nw,西区,ward,d\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
    char *out = th_run("net.db", "SET 'a' SECTOR coop IN '西区' ON '2025-04-01';"
                                 "SET 'a' NAME 'A2' SECTOR company ON '2026-04-01';"
                                 "SET 'pa' AGED 18..39 FOR hikikomori, children AREA '西区' ON '2025-04-01';"
                                 "SET 'pa' AREA * OF 'b' ON '2026';");
    cr_assert_eq(strstr(out, "error"), NULL, "%s", out);
    free(out);
    /* Each field at a day: the value of the history row with the smallest
     * until after the day, else the current one. */
    const struct {
        long day;
        const char *a, *pa;
    } want[] = {
        {20250331, "A npo in d", "PA of a aged -1..-1 for everyone area d"},
        {20250401, "A coop in w", "PA of a aged 18..39 for hikikomori children area w"},
        {20251231, "A coop in w", "PA of a aged 18..39 for hikikomori children area w"},
        {20260101, "A coop in w", "PA of b aged 18..39 for hikikomori children area *"},
        {20260401, "A2 company in w", "PA of b aged 18..39 for hikikomori children area *"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *a = fields(want[i].day, "a"), *pa = fields(want[i].day, "pa");
        cr_expect_str_eq(a, want[i].a, "a on %ld", want[i].day);
        cr_expect_str_eq(pa, want[i].pa, "pa on %ld", want[i].day);
        free(a);
        free(pa);
    }
}

/* The dates travel through the CSV folder: import reads every optional
 * column, export writes them back byte for byte (its canonical form: the
 * dated header once a row has a date), and the network of a day follows. */
Test(history, csv_carries_the_dates)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("in", 0777), 0);
    const char *files[][2] = {
        {"in/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n"},
        {"in/organisations.csv", "id,name,sector,district_id,since,until,verified\n"
                                 "a,A,npo,d,2020,,2025-05-01\nb,B,shakyo,d,,2026-04-01,\n"},
        {"in/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours,start,end,"
                            "until,verified\npa,PA,a,everyone,,,consultation,counter,,d,,,,,2025-03,\n"},
        {"in/forums.csv", "id,name,kind,district_id,since,until,verified\nf,F,platform,d,2021,,\n"},
        {"in/ties.csv", "from_id,to_id,kind,count,since,until,verified,status\na,b,co_support,,2020,2022,,\n"
                        "a,b,co_support,,2023,,,confirmed\nb,a,co_support,,2019,2020,,\n"
                        "a,f,membership,,,,2025-01-01,reported\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) th_write(files[i][0], files[i][1]);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "in", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
    tsg_db_t *db;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_export_csv(db, "out", &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char out[64];
        snprintf(out, sizeof out, "out/%s", files[i][0] + 3);
        char *got = th_read(out);
        cr_expect_str_eq(got, files[i][1], "%s", out);
        free(got);
    }
    char *d2019 = seen(20190601), *d2021 = seen(20210601), *d2025 = seen(20250601), *d2026 = seen(20260401);
    /* 2019: a joins in 2020, so its program and the tie b → a of 2019 are
     * not there either; f begins in 2021. */
    cr_expect_str_eq(d2019, "b |", "%s", d2019);
    cr_expect_str_eq(d2021, "a b pa f | a>b a>f", "%s", d2021);
    cr_expect_str_eq(d2025, "a b f | a>b a>f", "pa is gone from 2025-03");
    cr_expect_str_eq(d2026, "a f | a>f", "b left on 2026-04-01");
    free(d2019), free(d2021), free(d2025), free(d2026);
    /* A row ends after it begins; a status is one of three words; nothing is
     * imported when a cell is wrong. */
    th_write("in/ties.csv", "from_id,to_id,kind,count,since,until\na,b,co_support,,2020,2020\n");
    cr_expect_neq(th_import("bad.db", "in", TSG_ENC_UTF8, &err), TSG_OK);
    cr_expect_str_eq(err.text, "in/ties.csv:2:22: until 2020 is not after since 2020 (a row ends after it begins)");
    th_write("in/ties.csv", "from_id,to_id,kind,count,since,until,verified,status\na,b,co_support,,,,,sure\n");
    cr_expect_neq(th_import("bad.db", "in", TSG_ENC_UTF8, &err), TSG_OK);
    cr_expect_str_eq(err.text, "in/ties.csv:2:20: status 'sure' is not reported, confirmed or unverified");
    /* Two open ties of a pair and kind are one too many. */
    th_write("in/ties.csv", "from_id,to_id,kind,count,since,until\na,b,co_support,,2020,\nb,a,co_support,,2023,\n");
    cr_expect_neq(th_import("bad.db", "in", TSG_ENC_UTF8, &err), TSG_OK);
    cr_expect_str_eq(err.text, "in/ties.csv:3:1: duplicate co_support tie between 'b' and 'a' (already at line 2)");
}

/* import --as-of: the next year's folder as a change at one date. The
 * network before the date is the old one, from it the folder's; a bad
 * folder changes nothing. */
Test(history, import_as_of_brings_a_year_in)
{
    network();
    /* Next year: c is gone (with its tie), e is new, b renamed and its
     * program's ages set, the a–b tie's count known, a new tie a → e. */
    th_write("net/organisations.csv", "id,name,sector,district_id\na,A,npo,d\nb,B2,shakyo,d\ne,E,coop,d\n");
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n"
                                 "pa,PA,a,everyone,,,consultation,counter,,d,,\npb,PB,b,everyone,18,39,consultation,counter,,d,,\n");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,5,\na,f,membership,,\nb,f,membership,,\n"
                             "a,e,referral,,\n");
    tsg_db_t *db;
    tsg_error_t err = {0};
    tsg_change_counts_t c;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_import_csv_as_of(db, "net", TSG_ENC_UTF8, "2026-04-01", &c, &err), TSG_OK, "%s", err.text);
    cr_expect_eq(c.added[TSG_CHANGE_ORGANISATION], 1);
    cr_expect_eq(c.ended[TSG_CHANGE_ORGANISATION], 1);
    cr_expect_eq(c.changed[TSG_CHANGE_ORGANISATION], 1);
    cr_expect_eq(c.changed[TSG_CHANGE_PROGRAM], 1);
    cr_expect_eq(c.added[TSG_CHANGE_TIE], 1);
    cr_expect_eq(c.ended[TSG_CHANGE_TIE], 1, "b → c, whose end is gone");
    cr_expect_eq(c.changed[TSG_CHANGE_TIE], 1, "the a–b count");
    /* The same folder again changes nothing. */
    cr_assert_eq(tsg_import_csv_as_of(db, "net", TSG_ENC_UTF8, "2026-04-01", &c, &err), TSG_OK, "%s", err.text);
    long total = 0;
    for (int t = 0; t < TSG_CHANGE_N; t++) total += c.added[t] + c.ended[t] + c.changed[t];
    cr_expect_eq(total, 0);
    /* A folder dated before a change the database holds (b renamed on
     * 2026-04-01 above) would be written under it: refused, nothing
     * changed (an attack on issue 21 found the old value put after the new). */
    char *held = th_dump("net.db");
    cr_expect_neq(tsg_import_csv_as_of(db, "net", TSG_ENC_UTF8, "2026-01-01", &c, &err), TSG_OK);
    cr_expect(strstr(err.text, "already dates 2026-04-01") != NULL, "%s", err.text);
    char *still = th_dump("net.db");
    cr_expect_str_eq(still, held);
    free(held), free(still);
    tsg_close(db);
    char *before = seen(20260331), *after = seen(20260401);
    cr_expect_str_eq(before, "a b c pa pb f | a>b b>c a>f b>f");
    cr_expect_str_eq(after, "a b pa pb f e | a>b a>f b>f a>e");
    free(before), free(after);
    char *b0 = fields(20260331, "b"), *b1 = fields(20260401, "b"), *p0 = fields(20260331, "pb"), *p1 = fields(20260401, "pb");
    cr_expect_str_eq(b0, "B shakyo in d");
    cr_expect_str_eq(b1, "B2 shakyo in d");
    cr_expect_str_eq(p0, "PB of b aged -1..-1 for everyone area d");
    cr_expect_str_eq(p1, "PB of b aged 18..39 for everyone area d");
    free(b0), free(b1), free(p0), free(p1);
    /* A bad cell: the file's message, and the database as it was. */
    char *was = th_dump("net.db");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,many,\n");
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_expect_neq(tsg_import_csv_as_of(db, "net", TSG_ENC_UTF8, "2027-04-01", &c, &err), TSG_OK);
    cr_expect_str_eq(err.text, "net/ties.csv:2:16: count 'many' is not a whole number");
    tsg_close(db);
    char *is = th_dump("net.db");
    cr_expect_str_eq(is, was);
    free(was), free(is);
}

/* Every table of `tsunagi summary` of a database as CSV text, and the
 * freshness line apart. */
static char *summary_of(const char *path, char **line)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    tsg_result_t **rs;
    size_t n;
    cr_assert_eq(tsg_summary(db, &rs, &n, &err), TSG_OK, "%s", err.text);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (size_t i = 0; i + 1 < n; i++) cr_assert_eq(tsg_result_print(rs[i], TSG_FMT_CSV, f, &err), TSG_OK, "%s", err.text);
    fclose(f);
    cr_assert_eq(rs[n - 1]->kind, TSG_RESULT_MESSAGE);
    f = open_memstream(line, &len);
    cr_assert_eq(tsg_result_print(rs[n - 1], TSG_FMT_TABLE, f, &err), TSG_OK, "%s", err.text);
    fclose(f);
    tsg_results_free(rs, n);
    tsg_close(db);
    return out;
}

Test(history, summary_counts_the_rows_of_today)
{
    setenv("TSUNAGI_TODAY", "2026-12-02", 1);
    network();
    /* c ends (with its tie b>c) before today; forum g begins after it.
     * Verified: a and pa inside the 12 months up to today (2025-12-02 is
     * the first day in), pb the day before them, c recently but ended. */
    char *done = th_run("net.db", "REMOVE 'c' ON '2026-06-01'; ADD forum 'G' ID g KIND platform ON '2027-05-01';");
    cr_expect_null(strstr(done, "error"), "%s", done);
    free(done);
    th_sql("net.db", "UPDATE organisation SET verified = '2026-01-01' WHERE nid = (SELECT nid FROM node WHERE id = 'a');"
        "UPDATE organisation SET verified = '2026-11-30' WHERE nid = (SELECT nid FROM node WHERE id = 'c');"
        "UPDATE program SET verified = '2025-12-02' WHERE nid = (SELECT nid FROM node WHERE id = 'pa');"
        "UPDATE program SET verified = '2025-12-01' WHERE nid = (SELECT nid FROM node WHERE id = 'pb');");
    /* The oracle: a copy with c, its tie and g deleted by hand, which must
     * read the same as the history-keeping file. */
    char *bytes = th_read("net.db");
    struct stat sb;
    cr_assert_eq(stat("net.db", &sb), 0);
    FILE *copy = fopen("hand.db", "wb");
    cr_assert_not_null(copy);
    cr_assert_eq(fwrite(bytes, 1, (size_t)sb.st_size, copy), (size_t)sb.st_size);
    fclose(copy);
    free(bytes);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open("hand.db", &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "DELETE FROM tie WHERE src IN (SELECT nid FROM node WHERE id IN ('c', 'g'))"
                                 " OR dst IN (SELECT nid FROM node WHERE id IN ('c', 'g'));"
                                 "DELETE FROM organisation WHERE nid = (SELECT nid FROM node WHERE id = 'c');"
                                 "DELETE FROM forum WHERE nid = (SELECT nid FROM node WHERE id = 'g');"
                                 "DELETE FROM node WHERE id IN ('c', 'g');",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(h);
    char *line = NULL, *hand_line = NULL;
    char *kept = summary_of("net.db", &line), *hand = summary_of("hand.db", &hand_line);
    cr_expect_str_eq(kept, hand);
    cr_expect_not_null(strstr(kept, "organisations,2\n"), "%s", kept);
    cr_expect_not_null(strstr(kept, "forums,1\n"), "%s", kept);
    /* Today's rows: a, b; pa, pb; a-b, a>f, b>f: 7. Fresh: a and pa. */
    cr_expect_str_eq(line, "29% verified in the last 12 months (2 of 7 organisations, programs and ties)\n");
    cr_expect_str_eq(line, hand_line);
    free(kept);
    free(hand);
    free(line);
    free(hand_line);
    unsetenv("TSUNAGI_TODAY");
}

Test(history, import_as_of_a_return_is_a_second_period)
{
    network();
    /* 2026-04-01: c is gone (with its program-less self and the b → c tie);
     * 2027-04-01: c is back as C2 (a coop now). The days between do not see
     * it; the first period reads C, the second C2. */
    static const char *const orgs[] = {"id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\n",
                                       "id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\nc,C2,coop,d\n"};
    static const char *const days[] = {"2026-04-01", "2027-04-01"};
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,,\na,f,membership,,\nb,f,membership,,\n");
    tsg_error_t err = {0};
    tsg_change_counts_t c;
    for (int i = 0; i < 2; i++) {
        tsg_db_t *db;
        th_write("net/organisations.csv", orgs[i]);
        cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
        cr_assert_eq(tsg_import_csv_as_of(db, "net", TSG_ENC_UTF8, days[i], &c, &err), TSG_OK, "%s", err.text);
        tsg_close(db);
    }
    cr_expect_eq(c.added[TSG_CHANGE_ORGANISATION], 1, "c, back");
    cr_expect_eq(c.changed[TSG_CHANGE_ORGANISATION], 1, "c's name and sector, compared as an open row's");
    char *first = seen(20260331), *between = seen(20270331), *second = seen(20270401);
    cr_expect_str_eq(first, "a b c pa pb f | a>b b>c a>f b>f");
    cr_expect_str_eq(between, "a b pa pb f | a>b a>f b>f");
    cr_expect_str_eq(second, "a b c pa pb f | a>b a>f b>f", "the b → c tie stays ended: a new one would be a new row");
    free(first), free(between), free(second);
    char *c0 = fields(20260331, "c"), *c2 = fields(20270401, "c");
    cr_expect_str_eq(c0, "C company in d");
    cr_expect_str_eq(c2, "C2 coop in d");
    free(c0), free(c2);
    /* The SQL readers (the dated tables) agree with the network in memory. */
    char *found = th_run("net.db", "COUNT organisations AS OF '2026-03-31'; COUNT organisations AS OF '2027-03-31';"
                                   " COUNT organisations AS OF '2027-04-01'; FIND organisations WHERE id = 'c' AS OF '2026-03-31';");
    /* FIND's last column, verified, is empty: an import is not a confirmation. */
    cr_expect_str_eq(found, "3\n2\n3\nc|C|company|市|\n", "%s", found);
    free(found);
}
