/*
 * IN 'district' walks the district tree as it stood on the statement's day
 * (issue 21, item 3). The sample city's 北第二小学校区 is moved from 北区 to
 * 南区 ON 2090-04-01 (SET … UNDER … ON keeps its old parent in history), so
 * it is under 北区 before that day, today included, and under 南区 from it.
 *
 * The oracle is two copies of the database changed by hand: `then`, the
 * district put back under 北区 by an UPDATE and the history emptied (the
 * tree before the day), and `now`, the history emptied (the tree from the
 * day). Every statement that takes IN must answer on the original AS OF
 * the day before as on `then` today, AS OF the day as on `now`, and today
 * as on `then`. The two copies answer differently for the statements
 * marked `moves` (their answers depend on the tree), so the comparison
 * can fail.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *run_on(const char *path, const char *stmt, const char *day)
{
    char text[1024];
    snprintf(text, sizeof text, "%s%s%s%s;", stmt, day ? " AS OF '" : "", day ? day : "", day ? "'" : "");
    return th_run(path, text);
}

static const struct {
    const char *stmt;
    int moves; /* the answer depends on where 北第二小学校区 lies */
} stmts[] = {
    {"COUNT organisations IN '北区'", 1},
    {"COUNT programs IN '北区'", 1},
    {"FIND organisations IN '北区'", 1},
    {"FIND districts IN '南区'", 1},
    {"FIND organisations WHERE district = '北区'", 1},
    {"FIND programs WHERE area = '北区'", 1},
    {"FIND forums IN '北区'", 0},
    {"SHOW '北区'", 1},
    {"GAPS FOR hikikomori AGED 15..39 IN '北区'", 1},
    {"COVERAGE FOR hikikomori AGED 15..39 IN '南区'", 1},
    {"HORIZONTAL IN '北区'", 1},
    {"BROKERS IN '北区'", 1},
    {"THIN LINKS IN '北区'", 0},
    {"CENTRALITY degree OF organisations IN '南区'", 1},
    {"FORUMS OVERLAP IN '北区'", 0},
    {"REACH FROM '北区社会福祉協議会' WITHIN 3 HOPS WHERE area = '南区'", 1},
};

Test(day_tree, in_walks_the_tree_of_the_day)
{
    char *dir = th_tempdir(), orig[4096], then[4096], now[4096];
    snprintf(orig, sizeof orig, "%s/orig.db", dir);
    snprintf(then, sizeof then, "%s/then.db", dir);
    snprintf(now, sizeof now, "%s/now.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(orig, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    char *moved = th_run(orig, "SET '北第二小学校区' UNDER '南区' ON '2090-04-01';");
    cr_assert(!strstr(moved, "error"), "%s", moved);
    free(moved);
    th_copy_db(orig, then);
    th_copy_db(orig, now);
    th_sql(then, "UPDATE district SET parent = (SELECT nid FROM node WHERE id = 'd-kita')"
              " WHERE nid = (SELECT nid FROM node WHERE id = 'd-kita-es2'); DELETE FROM history;");
    th_sql(now, "DELETE FROM history;");
    for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
        const char *s = stmts[i].stmt;
        char *want_then = run_on(then, s, NULL), *want_now = run_on(now, s, NULL);
        char *before = run_on(orig, s, "2090-03-31"), *on = run_on(orig, s, "2090-04-01"), *today = run_on(orig, s, NULL);
        cr_expect(!strstr(want_then, "error"), "%s: %s", s, want_then);
        if (stmts[i].moves) cr_expect_str_neq(want_then, want_now, "%s answers the same on both trees", s);
        cr_expect_str_eq(before, want_then, "%s AS OF the day before", s);
        cr_expect_str_eq(on, want_now, "%s AS OF the day", s);
        cr_expect_str_eq(today, want_then, "%s today", s);
        free(want_then), free(want_now), free(before), free(on), free(today);
    }
    /* COMPARE of the two days IN '北区': the networks' own trees, as
     * COMPARE WITH of the two copies (WITH's file is the earlier side). */
    char with[4200];
    snprintf(with, sizeof with, "COMPARE WITH '%s' IN '北区';", then);
    char *got = th_run(orig, "COMPARE '2090-03-31' TO '2090-04-01' IN '北区';"), *want = th_run(now, with);
    cr_expect_str_eq(got, want);
    free(got), free(want);
    free(dir);
}

/* A day with no parent in history walks the file's tree: the district moved
 * ON a past day is where the file has it on every later day. */
Test(day_tree, a_day_after_every_move_walks_the_file)
{
    char *dir = th_tempdir(), orig[4096];
    snprintf(orig, sizeof orig, "%s/orig.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(orig, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    char *out = th_run(orig, "SET '北第二小学校区' UNDER '南区' ON '2001-04-01';"
                             "FIND districts WHERE id = 'd-kita-es2' IN '南区';"
                             "FIND districts WHERE id = 'd-kita-es2' IN '南区' AS OF '2001-03-31';"
                             "FIND districts WHERE id = 'd-kita-es2' IN '北区' AS OF '2001-03-31';");
    /* Found under 南区 today and under 北区 on the day before the move. */
    const char *first = strstr(out, "d-kita-es2|"), *second = first ? strstr(first + 1, "d-kita-es2|") : NULL;
    cr_expect(first && second && !strstr(second + 1, "d-kita-es2|"), "%s", out);
    cr_expect(second && strstr(second, "北区"), "%s", out);
    free(out);
    free(dir);
}
