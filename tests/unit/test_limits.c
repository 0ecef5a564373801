/* The limits that turn a runaway question into an error (docs/reliability.md):
 * result size and a statement's time. The parser's limits (nesting, name
 * and statement length) are in test_parse.c and tests/lang/errors.test. */
#include "helpers.h"
#include "query.h"
#include "result.h"

#include <criterion/criterion.h>
#include <string.h>

/* A session on a fresh copy of the sample city. */
static tsg_session_t *sample_session(tsg_db_t **db)
{
    char *dir = th_tempdir();
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/city.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_session_t *s;
    cr_assert_eq(tsg_open(path, db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(*db, &s, &err), TSG_OK, "%s", err.text);
    free(dir);
    free(path);
    return s;
}

Test(limits, a_result_keeps_one_row_past_the_limit_and_emit_refuses_it)
{
    const char *col = "n";
    tsg_result_t *r = qry_result_new("big", 1, &col);
    cr_assert(r);
    char cell[32];
    const char *cells[] = {cell};
    for (unsigned i = 0; i < QRY_MAX_ROWS + 10; i++) {
        snprintf(cell, sizeof cell, "%u", i);
        cr_assert_eq(qry_result_add(r, cells), 0);
    }
    cr_expect_eq(r->nrows, QRY_MAX_ROWS + 1, "rows kept: %zu", r->nrows);
    cr_expect_str_eq(r->cells[QRY_MAX_ROWS], "1000000");

    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    cr_expect_eq(qry_emit(s, r), TSG_EINPUT);
    cr_expect(strstr(s->ctx.msg, "more than 1000000 rows"), "%s", s->ctx.msg);

    /* One row under the limit is emitted as usual. */
    s->ctx.failed = 0;
    tsg_result_t *ok = qry_result_new("fits", 1, &col);
    for (unsigned i = 0; i < QRY_MAX_ROWS; i++) cr_assert_eq(qry_result_add(ok, cells), 0);
    cr_expect_eq(qry_emit(s, ok), TSG_OK);
    tsg_session_close(s);
    tsg_close(db);
}

static tsg_status_t count_results(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    (void)r;
    (*(int *)ctx)++;
    return TSG_OK;
}

static void keep_error(void *ctx, const tsg_error_t *e) { (void)ctx, (void)e; }

Test(limits, a_statement_past_its_time_stops_and_the_next_one_runs)
{
    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    tsg_error_t err = {0};
    int results = 0;
    tsg_sink_t sink = {count_results, keep_error, &results};

    /* Loading the network and betweenness over every program cannot finish
     * in a millisecond; the limit covers SQLite and igraph alike. */
    tsg_session_timeout(s, 1);
    cr_expect_eq(tsg_session_get_timeout(s), 1);
    tsg_status_t st = tsg_session_run(s, "CENTRALITY betweenness OF programs WEIGHTED;", NULL, 0, &sink, &err);
    cr_expect_eq(st, TSG_EINPUT);
    cr_expect(strstr(err.text, "line 1, column 1: the statement ran longer than the time limit of 0.001 s"), "%s",
              err.text);
    cr_expect_eq(results, 0);

    /* With --keep-going the next statement runs: the limit is per statement. */
    tsg_session_timeout(s, 60 * 1000);
    st = tsg_session_run(s, "CENTRALITY betweenness OF programs WEIGHTED TOP 3; COUNT organisations BY sector;", NULL,
                         1, &sink, &err);
    cr_expect_eq(st, TSG_OK, "%s", err.text);
    cr_expect_eq(results, 2);

    tsg_session_close(s);
    tsg_close(db);
}
