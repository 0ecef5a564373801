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
    char *dir = th_tempdir(), path[4096];
    snprintf(path, sizeof path, "%s/city.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_db_t *db;
    tsg_session_t *s;
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
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
