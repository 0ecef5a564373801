/*
 * Every reader reads the day (issue 21, h-dated): the database check of
 * the history's kept values, and `tsunagi summary` of a file with changes
 * dated after today. Oracles: a copy of the database changed by hand (the
 * check must name exactly what was broken), and the same file before the
 * changes were planted (a change dated after the day asked is not visible
 * on that day, so today's summary cannot differ).
 */
#include "helpers.h"
#include "store.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The small network, with ward e under d for the changes that move things
 * into a ward. */
static void network(void)
{
    th_small_network(1);
}

static void copy(const char *from, const char *to)
{
    char *bytes = th_read(from);
    struct stat sb;
    cr_assert_eq(stat(from, &sb), 0);
    FILE *f = fopen(to, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, (size_t)sb.st_size, f), (size_t)sb.st_size);
    fclose(f);
    free(bytes);
}

/* store_check's answer for the database at path: "" when it holds. */
static char *checked(const char *path)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    tsg_status_t s = store_check(db, &err);
    tsg_close(db);
    char *out = strdup(s ? err.text : "");
    cr_assert_not_null(out);
    return out;
}

/* The small network with history kept by statements: a's name twice,
 * sector and district, pa's lists, ages, area and owner, c ended and back
 * (its earlier period kept), and b → c's count. */
static void kept_history(void)
{
    network();
    char *done = th_run("net.db", "SET 'a' NAME 'A2' SECTOR coop IN 'e' ON '2026-04-01';"
                                  "SET 'A2' NAME 'A3' ON '2026-06-01';"
                                  "SET 'pa' FOR children, poverty AGED 5..10 NEEDS food MODES gathering AREA 'e' ON '2026-04-01';"
                                  "SET 'pa' OF 'b' ON '2026-05-01';"
                                  "REMOVE 'c' ON '2026-05-01'; ADD organisation 'C' ID 'c' ON '2026-06-01';");
    cr_assert_null(strstr(done, "error"), "%s", done);
    free(done);
    /* A count kept as survey-in keeps it (no statement changes a count). */
    th_sql("net.db", "INSERT INTO history(tid, field, value, until) SELECT tid, 'count', '2', '2026-04-01' FROM tie"
                  " WHERE count = 3");
}

/* Each hand edit of one history row, and the finding the check must give
 * for it: the row (its hid, looked up by the edit's own WHERE) and what is
 * wrong in words. */
static const struct {
    const char *where, *set, *finding;
} broken[] = {
    /* A sector key the vocabulary does not have. */
    {"field = 'sector'", "value = 'plumbing'", "sector of 'a' was 'plumbing', which is no sector the vocabulary knows"},
    /* One item of a kept list that is no target group. */
    {"field = 'targets'", "value = 'everyone;martians'",
     "targets of 'pa' was 'martians', which is no target group the vocabulary knows"},
    /* Numbers are whole and 0 or more (ages up to 150, counts up to the import's limit). */
    {"field = 'age_min'", "value = '-3'", "age_min of 'pa' was '-3', not a whole number from 0 to 150"},
    {"field = 'count'", "value = 'many'", "count of 'b → c' was 'many', not a whole number from 0 to 100000000"},
    /* A kept date that does not exist. */
    {"field = 'since'", "value = '2026-02-30'", "since of 'c' was '2026-02-30', not a date"},
    /* A kept end after the day it was replaced: the earlier period would
     * overlap the one that began that day. */
    {"field = 'until'", "value = '2026-09-01'", "until of 'c' was 2026-09-01, after 2026-06-01, the day it was kept until"},
    /* A reference by id to a node that is not of the field's kind. */
    {"field = 'district'", "value = 'pa'", "district of 'a' was 'pa', which is no district's id"},
    {"field = 'org'", "value = 'zzz'", "org of 'pa' was 'zzz', which is no organisation's id"},
    {"field = 'area'", "value = 'e;f'", "area of 'pa' was 'f', which is no district's id"},
    /* A field the node does not have. */
    {"field = 'approach' OR (field = 'name' AND value = 'A')", "field = 'colour'", "'a' has no field 'colour' to keep"},
    /* A name is never empty. */
    {"field = 'name' AND value = 'A2'", "value = NULL", "name of 'a' was empty, which it cannot be"},
    /* Kept in the order replaced: the second kept name of a is dated before the first. */
    {"field = 'name' AND value = 'A2'", "until = '2026-01-01'",
     "name of 'a' is kept until 2026-01-01, before 2026-04-01, the day of an earlier change (history row "},
    /* The row it belongs to is gone (a delete with foreign keys off). */
    {"field = 'hours' OR field = 'modes'", "nid = 9999", "nid refers to a missing node row"},
};

Test(dated, check_names_each_broken_kept_value)
{
    kept_history();
    /* The history as the statements wrote it holds: each finding below is
     * the hand edit's, not a false alarm. */
    char *fine = checked("net.db");
    cr_assert_str_eq(fine, "");
    free(fine);
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        copy("net.db", "hand.db");
        sqlite3 *db;
        cr_assert_eq(sqlite3_open("hand.db", &db), SQLITE_OK);
        char q[300];
        snprintf(q, sizeof q, "SELECT min(hid) FROM history WHERE %s", broken[i].where);
        sqlite3_stmt *st;
        cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        long long hid = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        cr_assert_gt(hid, 0, "no history row where %s", broken[i].where);
        snprintf(q, sizeof q, "UPDATE history SET %s WHERE hid = %lld", broken[i].set, hid);
        cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);
        char *got = checked("hand.db");
        char want[400];
        snprintf(want, sizeof want, "history row %lld: %s", hid, broken[i].finding);
        cr_expect_not_null(strstr(got, want), "edit %zu (%s): want '%s' in '%s'", i, broken[i].set, want, got);
        cr_expect_not_null(strstr(got, "hand.db: damaged database: "), "%s", got);
        free(got);
    }
}

/* Every table of `tsunagi summary` as CSV text, then the freshness line. */
static char *summary_of(const char *path)
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
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(tsg_result_print(rs[i], i + 1 < n ? TSG_FMT_CSV : TSG_FMT_TABLE, f, &err), TSG_OK, "%s", err.text);
    fclose(f);
    tsg_results_free(rs, n);
    tsg_close(db);
    return out;
}

Test(dated, summary_does_not_show_changes_dated_later)
{
    setenv("TSUNAGI_TODAY", "2026-12-02", 1);
    network();
    char *before = summary_of("net.db");
    /* Changes dated after today, each of which would move a count of the
     * summary if read as today's: a's sector (by sector), a moved to ward e
     * (Wards), b's program's targets (by target group), c removed, a tie
     * and a forum that begin later (Network), a's verification (SET dates
     * it on its ON day, so the freshness line too). */
    char *done = th_run("net.db", "SET 'a' SECTOR coop IN 'e' ON '2027-04-01';"
                                  "SET 'pb' FOR children AREA 'e' ON '2027-04-01';"
                                  "REMOVE 'c' ON '2027-01-01';"
                                  "TIE 'a' -> 'c' AS referral SINCE '2026-12-03';"
                                  "ADD forum 'G' ID g KIND platform ON '2027-05-01';");
    cr_assert_null(strstr(done, "error"), "%s", done);
    free(done);
    char *after = summary_of("net.db");
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
    unsetenv("TSUNAGI_TODAY");
}

/* EXPORT DIRECTORY writes today's list: programs, their organisations,
 * lists and places, and the districts' names, as today has them. */
Test(dated, directory_does_not_show_changes_dated_later)
{
    setenv("TSUNAGI_TODAY", "2026-12-02", 1);
    network();
    char *done = th_run("net.db", "EXPORT DIRECTORY OF 'd' TO 'before.html';");
    cr_assert_null(strstr(done, "error"), "%s", done);
    free(done);
    /* Each change dated later would show in the list if read as today's:
     * the scope's name (the title), a program's name, owner, target groups
     * and area, and a program that ends next month. */
    done = th_run("net.db", "SET 'd' NAME '新市' ON '2027-04-01';"
                            "SET 'pa' NAME 'PA2' FOR children AREA 'e' ON '2027-04-01';"
                            "SET 'pa' OF 'b' ON '2027-04-01';"
                            "REMOVE 'pb' ON '2027-01-01';"
                            "EXPORT DIRECTORY OF 'd' TO 'after.html';"
                            "EXPORT DIRECTORY OF '新市' TO 'later.html' AS OF '2027-04-01';");
    cr_assert_null(strstr(done, "error"), "%s", done);
    free(done);
    char *before = th_read("before.html"), *after = th_read("after.html"), *later = th_read("later.html");
    cr_expect_str_eq(after, before);
    /* The same changes are there on their day (so the test can tell). */
    cr_expect_not_null(strstr(later, "<title>Resource list: 新市</title>"), "%s", later);
    cr_expect_not_null(strstr(later, "<td>PA2</td><td>B</td>"), "%s", later);
    cr_expect_null(strstr(later, ">PB<"), "%s", later);
    free(before);
    free(after);
    free(later);
    unsetenv("TSUNAGI_TODAY");
}

static void export_to(const char *path, const char *dir)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_export_csv(db, dir, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
}

/* `tsunagi export` is the file's copy, not a reader of a day (decisions.md,
 * "Issue 21: every reader reads the day"): every row, ended or beginning
 * later, is written with its period, so the folder imported again answers
 * as the file did on every day, today and after each planted date. */
Test(dated, export_keeps_every_row_with_its_period)
{
    setenv("TSUNAGI_TODAY", "2026-12-02", 1);
    network();
    char *done = th_run("net.db", "REMOVE 'c' ON '2027-01-01';"
                                  "TIE 'a' -> 'b' AS referral SINCE '2027-02-01';"
                                  "ADD forum 'G' ID g KIND platform ON '2027-05-01';"
                                  "UNTIE 'a' -> 'b' AS co_support ON '2026-06-01';"
                                  "SET 'pb' ENDS '2027-03-31';");
    cr_assert_null(strstr(done, "error"), "%s", done);
    free(done);
    cr_assert_eq(mkdir("one", 0777), 0);
    export_to("net.db", "one");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("copy.db", "one", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(mkdir("two", 0777), 0);
    export_to("copy.db", "two");
    static const char *const files[] = {"districts.csv", "organisations.csv", "programs.csv", "forums.csv", "ties.csv"};
    char path[64];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "one/%s", files[i]);
        char *a = th_read(path);
        snprintf(path, sizeof path, "two/%s", files[i]);
        char *b = th_read(path);
        cr_expect_str_eq(b, a, "%s", files[i]);
        free(a);
        free(b);
    }
    /* The same answers on each side of each planted date. */
    static const char q[] = "FIND organisations; FIND forums; FIND ties; FIND programs;"
                            "COUNT ties AS OF '2026-05-31'; COUNT ties AS OF '2027-02-01';"
                            "FIND organisations AS OF '2027-01-01'; FIND forums AS OF '2027-05-01';"
                            "GAPS FOR everyone AGED 20..30 IN 'd' NEEDS consultation AS OF '2027-04-01';";
    char *was = th_run("net.db", q), *is = th_run("copy.db", q);
    cr_expect_str_eq(is, was);
    cr_expect_null(strstr(was, "error"), "%s", was);
    free(was);
    free(is);
    unsetenv("TSUNAGI_TODAY");
}

/* A sink that prints each table to a memory stream, and each error. */
static tsg_status_t to_text(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    return tsg_result_print(r, TSG_FMT_CSV, ctx, err);
}

static void error_text(void *ctx, const tsg_error_t *e)
{
    fprintf(ctx, "error: %s\n", e->text);
}

static char *session_run(tsg_session_t *s, const char *stmts)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    tsg_sink_t sink = {to_text, error_text, f};
    tsg_error_t err = {0};
    tsg_session_run(s, stmts, NULL, 1, &sink, &err);
    fclose(f);
    return out;
}

/* A summary opens and closes a session of its own on the caller's
 * connection; a session already open there answers as before it (found by
 * review: closing the summary's session took the dated names and
 * tsg_as_of away from the connection, and every FIND, COUNT and SHOW of
 * the first session failed from then on). Oracle: the same session's
 * answers before the summary. */
Test(dated, a_summary_leaves_another_session_working)
{
    setenv("TSUNAGI_TODAY", "2026-12-02", 1);
    network();
    char *done = th_run("net.db", "REMOVE 'c' ON '2026-06-01';");
    free(done);
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    const char *asked = "COUNT organisations; COUNT organisations AS OF '2026-01-01'; SHOW 'a';";
    char *before = session_run(s, asked);
    cr_assert_null(strstr(before, "error"), "%s", before);
    tsg_result_t **rs;
    size_t n;
    cr_assert_eq(tsg_summary(db, &rs, &n, &err), TSG_OK, "%s", err.text);
    tsg_results_free(rs, n);
    char *after = session_run(s, asked);
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
    tsg_session_close(s);
    tsg_close(db);
    unsetenv("TSUNAGI_TODAY");
}
