/* fuzz_exec — any text run as statements against the sample city, with
 * every result printed in every format. Errors must carry "line L, column
 * C" and a message; the session must take the next statement. The session
 * writes no files (s->no_files: names of files here are random bytes) and
 * stops a statement after a second. When a statement changed the database,
 * the pristine copy is put back, so an input replays alone as it ran. */
#include "fuzz.h"
#include "query.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char pristine[256], work[256];
static tsg_db_t *db;
static sqlite3 *watch; /* a second connection: its data_version moves when db commits */
static FILE *devnull;

static long data_version(void)
{
    sqlite3_stmt *st;
    long v = -1;
    if (sqlite3_prepare_v2(watch, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void open_work(void)
{
    tsg_error_t err = {0};
    FUZZ_CHECK(!tsg_open(work, &db, &err), "%s", err.text);
    FUZZ_CHECK(sqlite3_open(work, &watch) == SQLITE_OK, "watch");
}

static void restore(void)
{
    tsg_close(db);
    sqlite3_close(watch);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", work);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", work);
    unlink(side);
    fuzz_copy(pristine, work);
    open_work();
}

static void setup(void)
{
    char cache[200];
    snprintf(cache, sizeof cache, "%s/cache", fuzz_workdir());
    setenv("XDG_CACHE_HOME", cache, 1);
    tsg_error_t err = {0};
    tsg_db_t *sample;
    FUZZ_CHECK(!tsg_open_sample(&sample, &err), "%s", err.text);
    snprintf(pristine, sizeof pristine, "%s", tsg_db_path(sample));
    tsg_close(sample);
    snprintf(work, sizeof work, "%s/exec.db", fuzz_workdir());
    fuzz_copy(pristine, work);
    open_work();
    devnull = fopen("/dev/null", "w");
}

static tsg_status_t on_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)ctx;
    FUZZ_CHECK(r->ncols > 0 && r->cols, "a result without columns");
    for (tsg_format_t f = TSG_FMT_TABLE; f <= TSG_FMT_LINE; f++)
        FUZZ_CHECK(!tsg_result_print(r, f, devnull, err), "printing as %s: %s", tsg_format_name(f), err->text);
    return TSG_OK;
}

static void on_error(void *ctx, const tsg_error_t *e)
{
    (void)ctx;
    FUZZ_CHECK(!strncmp(e->text, "line ", 5) && strstr(e->text, ", column ") && strstr(e->text, ": "),
               "an error without its place: %s", e->text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    long before = data_version();
    tsg_session_t *s;
    tsg_error_t err = {0};
    FUZZ_CHECK(!tsg_session_open(db, &s, &err), "%s", err.text);
    s->no_files = 1;
    tsg_session_timeout(s, 1000);
    tsg_sink_t sink = {on_result, on_error, NULL};
    tsg_status_t st = tsg_session_run(s, text, NULL, 1, &sink, &err);
    FUZZ_CHECK(st == TSG_OK || err.text[0], "a failed run without a message");
    /* The session still works. */
    FUZZ_CHECK(!tsg_session_run(s, "COUNT organisations BY sector;", NULL, 0, &sink, &err), "after the input: %s", err.text);
    tsg_session_close(s);
    free(text);
    if (data_version() != before) restore();
    return 0;
}
