/* One statement, one moment of the database (issue 21, item 6): a reading
 * statement runs several queries (SHOW: the node's fields, then the
 * districts below, then its ties), and another program's commit between
 * two of them must not show half of it. The other program is a second
 * connection that commits from inside the first query: tsg_under, which
 * SHOW of a district calls while it counts the organisations based there,
 * is replaced on the session's connection by one that renames a district
 * below the first time it is called. The oracle is the database as it was
 * before the rename: the whole statement read that moment. */
#include "helpers.h"
#include "store.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef struct seen {
    char text[65536]; /* every result's cells, one row a line */
    char error[2048];
} seen_t;

static tsg_status_t take(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    seen_t *o = ctx;
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < r->ncols; c++)
            snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), "%s|",
                     r->cells[i * r->ncols + c] ? r->cells[i * r->ncols + c] : "");
        snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), "\n");
    }
    return TSG_OK;
}

static void take_error(void *ctx, const tsg_error_t *e) { snprintf(((seen_t *)ctx)->error, 2048, "%s", e->text); }

typedef struct racer {
    const char *path;
    int done;
} racer_t;

/* tsg_under's stand-in: renames 北区 from another connection once, then
 * answers 0 (the count it feeds is not what the test reads). */
static void racing_under(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    racer_t *r = sqlite3_user_data(cx);
    if (!r->done) {
        r->done = 1;
        sqlite3 *other;
        cr_assert_eq(sqlite3_open(r->path, &other), SQLITE_OK);
        sqlite3_busy_timeout(other, 5000);
        char *msg = NULL;
        cr_assert_eq(sqlite3_exec(other, "UPDATE district SET name = '北区（改）' WHERE name = '北区'", NULL, NULL, &msg),
                     SQLITE_OK, "%s", msg ? msg : "");
        sqlite3_close(other);
    }
    sqlite3_result_int(cx, 0);
}

Test(snapshot, a_show_reads_one_moment_across_a_racing_commit)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    tsg_error_t err = {0};
    racer_t racer = {path, 0};
    cr_assert_eq(sqlite3_create_function(db->sql, "tsg_under", 2, SQLITE_UTF8, &racer, racing_under, NULL, NULL),
                 SQLITE_OK);
    seen_t o = {{0}, {0}};
    tsg_sink_t sink = {take, take_error, &o};
    cr_assert_eq(tsg_session_run(s, "SHOW 'd-asahino';", NULL, 0, &sink, &err), TSG_OK, "%s", o.error);
    cr_assert(racer.done, "the statement never called tsg_under, so nothing raced it");
    /* The districts below あさひの市 as they were when the statement began
     * (data/sample/districts.csv: d-kita 北区 is one of them). */
    cr_expect(strstr(o.text, "d-kita|北区|ward|"), "%s", o.text);
    cr_expect(!strstr(o.text, "北区（改）"), "the statement read the racing commit half-way:\n%s", o.text);
    /* The next statement sees the commit. */
    memset(&o, 0, sizeof o);
    cr_assert_eq(tsg_session_run(s, "SHOW 'd-asahino';", NULL, 0, &sink, &err), TSG_OK, "%s", o.error);
    cr_expect(strstr(o.text, "d-kita|北区（改）|ward|"), "%s", o.text);
    tsg_session_close(s);
    tsg_close(db);
    free(dir);
}

/* The statements that read a network beside SQL (EXPORT, RENDER, REPORT,
 * REACH … WHERE) are raced the same way, at a chosen moment: SQLite's
 * statement trace runs before the statement it names takes its snapshot,
 * so a commit made there is seen by that statement and every later one,
 * unless the whole statement reads inside one transaction begun earlier.
 * The commit is made at the first statement whose text holds `fire`, once
 * one holding `arm` (NULL: none needed) has begun. */
typedef struct tracer {
    const char *path, *arm, *fire, *change;
    int armed, done;
} tracer_t;

static int on_statement(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)p;
    tracer_t *t = ctx;
    const char *sql = x;
    if (t->done || !sql) return 0;
    if (!t->armed) {
        t->armed = !t->arm || strstr(sql, t->arm);
        if (t->arm) return 0;
    }
    if (!strstr(sql, t->fire)) return 0;
    t->done = 1;
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(t->path, &other), SQLITE_OK);
    sqlite3_busy_timeout(other, 5000);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(other, t->change, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_close(other);
    return 0;
}

/* Runs text on a fresh session of path with the tracer t set (NULL: none,
 * an unraced run); returns the results' cells. The network is loaded from
 * the database (no cache file), so its queries are there to be raced. */
static char *raced(const char *path, tracer_t *t, const char *text, const char *again)
{
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    if (t) cr_assert_eq(sqlite3_trace_v2(db->sql, SQLITE_TRACE_STMT, on_statement, t), SQLITE_OK);
    seen_t *o = calloc(1, sizeof *o);
    cr_assert(o);
    tsg_sink_t sink = {take, take_error, o};
    cr_assert_eq(tsg_session_run(s, text, NULL, 0, &sink, &err), TSG_OK, "%s", o->error);
    if (t) cr_assert(t->done, "nothing raced the statement (armed: %d)", t->armed);
    /* The next statement sees the commit: the race did happen. */
    if (again) cr_assert_eq(tsg_session_run(s, again, NULL, 0, &sink, &err), TSG_OK, "%s", o->error);
    sqlite3_trace_v2(db->sql, 0, NULL, NULL);
    tsg_session_close(s);
    tsg_close(db);
    char *text_seen = strdup(o->text);
    free(o);
    return text_seen;
}

static char *sample(char **dir)
{
    /* No cache file: the network is read from the database every time. */
    setenv("TSUNAGI_CACHE", "off", 1);
    *dir = th_tempdir();
    char *path = malloc(4096);
    cr_assert(path);
    snprintf(path, 4096, "%s/city.db", *dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    return path;
}

/* EXPORT: the names are read first, the network after them. 北区 is renamed
 * as the network's first query begins; the file must hold the moment the
 * statement began (北区), and the next EXPORT the rename. */
Test(snapshot, an_export_reads_one_moment_across_a_racing_commit)
{
    char *dir, *path = sample(&dir), file[4200], file2[4200], text[8600];
    snprintf(file, sizeof file, "%s/net.json", dir);
    snprintf(file2, sizeof file2, "%s/net2.json", dir);
    snprintf(text, sizeof text, "EXPORT JSON TO '%s';", file);
    char again[4300];
    snprintf(again, sizeof again, "EXPORT JSON TO '%s';", file2);
    tracer_t t = {path, NULL, "SELECT (SELECT count(*) FROM node)",
                  "UPDATE organisation SET name = '北区社会福祉協議会（改）' WHERE name = '北区社会福祉協議会'", 0, 0};
    free(raced(path, &t, text, again));
    char *json = th_read(file), *json2 = th_read(file2);
    cr_expect(strstr(json, "\"北区社会福祉協議会\""), "the export lost 北区社会福祉協議会");
    cr_expect(!strstr(json, "北区社会福祉協議会（改）"), "the export read the racing commit half-way");
    cr_expect(strstr(json2, "北区社会福祉協議会（改）"), "the next export did not see the commit");
    free(json), free(json2), free(path), free(dir);
}

/* REACH … WHERE: the walk reads the network, then WHERE's condition reads
 * the programs' needs in SQL. Every need 'place' is deleted between the
 * two; the oracle is the same REACH run on the file before the race. */
Test(snapshot, a_reach_where_reads_one_moment_across_a_racing_commit)
{
    char *dir, *path = sample(&dir);
    const char *reach = "REACH FROM '北区社会福祉協議会' WITHIN 2 HOPS WHERE need = place;";
    char *before = raced(path, NULL, reach, NULL);
    cr_assert(strstr(before, "|program|"), "the REACH reaches no program: %s", before);
    tracer_t t = {path, "FROM tie", "", "DELETE FROM program_need WHERE need = 'place'", 0, 0};
    char *got = raced(path, &t, reach, NULL);
    cr_expect_str_eq(got, before, "the REACH read the racing commit half-way");
    char *after = raced(path, NULL, reach, NULL);
    cr_expect(!strstr(after, "|program|"), "the commit did not happen: %s", after);
    free(before), free(got), free(after), free(path), free(dir);
}
