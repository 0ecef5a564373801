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
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("net", 0777), 0);
    th_write("net/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("net/organisations.csv", "id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\nc,C,company,d\n");
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n"
                                 "pa,PA,a,everyone,,,consultation,counter,,d,,\npb,PB,b,everyone,,,consultation,counter,,d,,\n");
    th_write("net/forums.csv", "id,name,kind,district_id\nf,F,platform,d\n");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,,\nb,c,referral,3,2020\n"
                             "a,f,membership,,\nb,f,membership,,\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
}

static void sql(const char *text)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open("net.db", &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_close(db);
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
    sql("UPDATE organisation SET until = '2025-04-01' WHERE nid = (SELECT nid FROM node WHERE id = 'c');"
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
    sql("UPDATE organisation SET until = '2026' WHERE nid = (SELECT nid FROM node WHERE id = 'b')");
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
    sql("DELETE FROM tie WHERE kind = 'co_support';"
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
    cr_expect_eq(sqlite3_column_int(st, 0), 3);
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
