/*
 * The database check (store_check) after it became one scan of each table
 * in C (issue 23, h-check). Oracle: the small network changed by hand
 * through SQLite, foreign keys and CHECKs off as the sqlite3 shell has them;
 * each change plants one kind of damage the CASE queries, foreign_key_check
 * and the kinds query used to find, and the finding must name that row,
 * that column and that value, in the words and order they had: tables in
 * the check's order, rows by rowid, a row's first wrong column, five listed
 * and "and more". (tests/reliability/damaged_check.py plants the same kinds
 * in the sample city through the program; this test pins the whole text.)
 * The small network: municipality d (nid 1), organisations a, b, c (2-4),
 * programs pa, pb (5, 6; rowids of program as well), forum f (7); ties
 * 1 a — b co_support, 2 b → c referral count 3, 3 a → f, 4 b → f membership.
 */
#include "helpers.h"
#include "check.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The database at path, opened as the program opens it. */
static tsg_db_t *opened(const char *path)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    return db;
}

/* store_check's answer for the database at path: "" when it holds. With
 * split, the tie table is checked on the second connection, beside the
 * others (on a file of any size), else on the one connection. */
static char *checked(const char *path, int split)
{
    tsg_db_t *db = opened(path);
    tsg_error_t err = {0};
    tsg_status_t s = store_check_with(db, split ? 0 : INT64_MAX, &err);
    tsg_close(db);
    char *out = strdup(s ? err.text : "");
    cr_assert_not_null(out);
    return out;
}

#define FIX " (repair it, e.g. with the sqlite3 shell, or import the network again)"
#define MORE "; and more" FIX

static const struct {
    const char *what, *edit, *findings;
} planted[] = {
    /* A wrong type: count is an integer or NULL. */
    {"wrong type", "UPDATE tie SET count = 'many' WHERE tid = 2", "tie row 2: count is text" FIX},
    /* A value outside its enumeration. */
    {"bad enum", "UPDATE tie SET kind = 'hug' WHERE tid = 1", "tie row 1: kind is 'hug'" FIX},
    {"bad enum, a number", "UPDATE tie SET directed = 2 WHERE tid = 3", "tie row 3: directed is 2" FIX},
    /* A key the vocabulary does not have (program_need's rowid 1 is pa's). */
    {"unknown vocab key", "UPDATE program_need SET need = 'nosuch' WHERE rowid = 1",
     "program_need row 1: need is 'nosuch'" FIX},
    {"unknown sector", "UPDATE organisation SET sector = 'it''s' WHERE nid = 3", "organisation row 3: sector is 'it''s'" FIX},
    /* Past the import's limit. */
    {"over max", "UPDATE program SET age_max = 151 WHERE nid = 6", "program row 6: age_max is 151, over 150" FIX},
    /* A date that does not exist, and one written another way. */
    {"bad date", "UPDATE organisation SET since = '2026-02-30' WHERE nid = 2",
     "organisation row 2: since is '2026-02-30', not a date" FIX},
    {"date not as stored", "UPDATE tie SET until = '2026/4/1' WHERE tid = 4", "tie row 4: until is '2026/4/1', not a date" FIX},
    /* A program that starts after it ends (a month ends on its last day: 2021-05 begins after 2021-04-30). */
    {"starts after ends", "UPDATE program SET starts = '2021-05', ends = '2021-04-30' WHERE nid = 5",
     "program row 5: starts 2021-05 is after ends 2021-04-30" FIX},
    /* A reference that finds no row: ones the scan checks, one SQLite's foreign_key_check does. */
    {"FK missing, tie", "UPDATE tie SET dst = 9999 WHERE tid = 2", "tie row 2: dst refers to a missing node row" FIX},
    {"FK missing, program.org", "UPDATE program SET org = 9999 WHERE nid = 6",
     "program 'pb' row 6: org refers to a missing organisation row" FIX},
    {"FK missing, program_area", "UPDATE program_area SET program = 9999 WHERE rowid = 2",
     "program_area row 2: program refers to a missing program row" FIX},
    {"FK missing, forum (SQLite's)", "UPDATE forum SET district = 9999", "forum 'f' row 7: district refers to a missing district row" FIX},
    /* A node whose type's table has no row for it, and a row whose node has another type. */
    {"kind mismatch", "UPDATE node SET type = 'forum' WHERE id = 'c'",
     "node 4 has type forum but no row in table forum; organisation row 4 belongs to node 4, whose type is forum" FIX},
    {"node without its row", "DELETE FROM forum", "node 7 has type forum but no row in table forum" FIX},
    /* A row's first wrong column only: kind comes before since in the check's order. */
    {"first wrong column", "UPDATE tie SET since = 'soon', kind = 'hug' WHERE tid = 1", "tie row 1: kind is 'hug'" FIX},
    /* Tables in order (program before tie), rows by rowid, five listed. */
    {"order and more", "UPDATE tie SET status = 'x'; UPDATE program SET starts = 'soon'",
     "program row 5: starts is 'soon', not a date; program row 6: starts is 'soon', not a date; tie row 1: status is 'x'; "
     "tie row 2: status is 'x'; tie row 3: status is 'x'" MORE},
};

Test(check, names_each_planted_damage)
{
    th_small_network(0);
    /* The file as imported holds: every finding below is the edit's. */
    for (int split = 0; split < 2; split++) {
        char *fine = checked("net.db", split);
        cr_assert_str_eq(fine, "");
        free(fine);
    }
    for (size_t i = 0; i < sizeof planted / sizeof *planted; i++) {
        char name[32], edit[600];
        snprintf(name, sizeof name, "hand%zu.db", i);
        snprintf(edit, sizeof edit, "VACUUM INTO '%s'", name);
        th_sql("net.db", edit);
        snprintf(edit, sizeof edit, "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON; %s", planted[i].edit);
        th_sql(name, edit);
        char want[1200];
        snprintf(want, sizeof want, "%s: damaged database: %s", name, planted[i].findings);
        for (int split = 0; split < 2; split++) {
            char *got = checked(name, split);
            cr_expect_str_eq(got, want, "%s%s", planted[i].what, split ? ", ties on the second connection" : "");
            free(got);
        }
    }
}

/* The second connection is there when asked for (so the test above
 * checks the ties on it), and not inside a read already begun: that read's
 * moment may be older than the one the second connection would see. */
Test(check, second_connection_only_for_a_fresh_read)
{
    th_small_network(0);
    tsg_db_t *db = opened("net.db");
    tsg_error_t err = {0};
    store_check_second_t *second = NULL;
    cr_assert_eq(store_check_begin(db, 0, &second, &err), TSG_OK, "%s", err.text);
    cr_expect_not_null(second);
    store_check_end(db, second);
    cr_assert_eq(store_check_begin(db, INT64_MAX, &second, &err), TSG_OK, "%s", err.text);
    cr_expect_null(second, "a city's ties are checked on the one connection");
    store_check_end(db, second);
    cr_assert_eq(store_read_begin(db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(sqlite3_exec(db->sql, "SELECT 1 FROM node LIMIT 1", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(store_check_begin(db, 0, &second, &err), TSG_OK, "%s", err.text);
    cr_expect_null(second, "inside a read already begun");
    store_check_end(db, second);
    store_read_end(db);
    tsg_close(db);
}

/* Another program's commit, made the moment db's first read of the check
 * has fixed what db's transaction sees (SQLITE_TRACE_PROFILE: a statement
 * ends): the damage planted in tie 1 repaired. */
static sqlite3 *repairer;
static int repaired;
static int repair_after_first_read(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)ctx, (void)p, (void)x;
    if (!repaired++)
        cr_expect_eq(sqlite3_exec(repairer, "UPDATE tie SET kind = 'co_support' WHERE tid = 1", NULL, NULL, NULL), SQLITE_OK);
    return 0;
}

/* A transaction begun that has read nothing yet (store_read_begin) is no
 * fresh read once the check's own first statement on db has read: from
 * then on db sees that moment, whatever another program commits. The rule:
 * the check reports the rows db's transaction reads (the network is loaded
 * from them next); the oracle is that transaction's own SELECT. Tie 1 is
 * damaged in db's moment and repaired by a commit right after the check's
 * first read on db: checked on a second connection opened after it, the
 * ties were the repaired ones, and the check passed a file whose ties, as
 * db reads them, are damaged. */
Test(check, a_transaction_that_read_is_checked_in_its_own_moment)
{
    th_small_network(0);
    th_sql("net.db", "PRAGMA ignore_check_constraints = ON; UPDATE tie SET kind = 'hug' WHERE tid = 1");
    tsg_db_t *db = opened("net.db");
    tsg_error_t err = {0};
    sqlite3 *s = db->sql;
    cr_assert_eq(sqlite3_open("net.db", &repairer), SQLITE_OK);
    sqlite3_exec(repairer, "PRAGMA ignore_check_constraints = ON", NULL, NULL, NULL);
    cr_assert_eq(store_read_begin(db, &err), TSG_OK, "%s", err.text);
    repaired = 0;
    sqlite3_trace_v2(s, SQLITE_TRACE_PROFILE, repair_after_first_read, NULL);
    tsg_status_t got = store_check_with(db, 0, &err);
    sqlite3_trace_v2(s, 0, NULL, NULL);
    cr_assert_gt(repaired, 0, "the repair was committed during the check");
    /* What db's transaction reads: the damaged tie. */
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(s, "SELECT kind FROM tie WHERE tid = 1", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "hug");
    sqlite3_finalize(st);
    cr_expect_eq(got, TSG_EDB, "the ties db reads are damaged");
    if (got) cr_expect_str_eq(err.text, "net.db: damaged database: tie row 1: kind is 'hug'" FIX);
    store_read_end(db);
    sqlite3_close(repairer);
    tsg_close(db);
}

/* Every foreign key of the schema is checked, by the scan or by SQLite's
 * foreign_key_check, and the scan checks what it says it does. A new
 * foreign key on a table the scan checks sends that whole table to SQLite
 * again (seconds on a national file): this test then fails, to say the
 * scan should check it too (check_rows.c, tables[].refs). */
Test(check, every_foreign_key_is_checked)
{
    th_small_network(0);
    tsg_db_t *db = opened("net.db");
    tsg_error_t err = {0};
    sqlite3 *s = db->sql;
    util_buf_t by_sqlite = {0};
    cr_assert_eq(store_check_sqlite_fk_tables(s, &by_sqlite, &err), TSG_OK, "%s", err.text);
    /* The small tables only. */
    cr_expect_str_eq(by_sqlite.data, "vocab_alias district forum history ");
    char tables[200];
    snprintf(tables, sizeof tables, " %s", by_sqlite.data);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(s,
                                    "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_schema m,"
                                    " pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
                                    -1, &st, NULL),
                 SQLITE_OK);
    size_t scanned = 0, n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char fk[200], table[80];
        snprintf(fk, sizeof fk, " %s.%s>%s ", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                 sqlite3_column_text(st, 2));
        snprintf(table, sizeof table, " %s ", sqlite3_column_text(st, 0));
        int by_scan = strstr(store_check_scanned_fks, fk) != NULL;
        int whole = strstr(tables, table) != NULL;
        cr_expect(by_scan || whole, "foreign key%s is checked by neither the scan nor SQLite", fk);
        scanned += (size_t)by_scan;
        n++;
    }
    sqlite3_finalize(st);
    /* Each entry of the scan's list is a foreign key of the schema. */
    size_t listed = 0;
    for (const char *p = store_check_scanned_fks; *p; p++) listed += *p == '>';
    cr_expect_eq(scanned, listed, "the scan names %zu foreign keys, the schema has %zu of them", listed, scanned);
    cr_expect_gt(n, scanned);
    util_buf_free(&by_sqlite);
    tsg_close(db);
}

/* SQLite's foreign_key_check, read for the tables the scan leaves to it,
 * lists five findings and "and more" as the scan does (check.h: LISTED + 1
 * read, five told): every vocabulary alias pointed at a key that is not
 * there. The oracle is the file itself, asked by SQL for the aliases'
 * first rowids, and the rule "five listed and 'and more'". */
Test(check, sqlite_s_findings_are_five_and_more)
{
    th_small_network(0);
    th_sql("net.db", "VACUUM INTO 'aliases.db'");
    th_sql("aliases.db", "PRAGMA foreign_keys = OFF; UPDATE vocab_alias SET key = 'nosuch'");
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open("aliases.db", &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT rowid FROM vocab_alias ORDER BY rowid", -1, &st, NULL), SQLITE_OK);
    char want[2000] = "aliases.db: damaged database: ";
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n < 5)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%svocab_alias row %lld: kind, key refers to a missing vocab row",
                     n ? "; " : "", (long long)sqlite3_column_int64(st, 0));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    cr_assert_gt(n, 6, "the small network has %d aliases: too few to pass five", n);
    strcat(want, MORE);
    for (int split = 0; split < 2; split++) {
        char *got = checked("aliases.db", split);
        cr_expect_str_eq(got, want, "%s", split ? "ties on the second connection" : "one connection");
        free(got);
    }
}
