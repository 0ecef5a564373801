/* fuzz_csv — a folder of CSV files (districts.csv … vocabulary.csv, see
 * fuzz.h for how one input holds them) imported with the encoding guessed.
 * A failed import must say where (file:line:column) and leave the database
 * exactly as it was; a successful one must pass SQLite's integrity and
 * foreign key checks and survive export → import → export byte for byte. */
#include "dump.h"
#include "fuzz.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsg_db_t *db, *again;
static char in[256], out1[256], out2[256];

static void setup(void)
{
    const char *w = fuzz_workdir();
    char path[256];
    tsg_error_t err = {0};
    snprintf(path, sizeof path, "%s/csv.db", w);
    FUZZ_CHECK(!tsg_create(path, &db, &err), "%s", err.text);
    snprintf(path, sizeof path, "%s/again.db", w);
    FUZZ_CHECK(!tsg_create(path, &again, &err), "%s", err.text);
    snprintf(in, sizeof in, "%s/in", w);
    snprintf(out1, sizeof out1, "%s/out1", w);
    snprintf(out2, sizeof out2, "%s/out2", w);
}

static void checks_pass(sqlite3 *sql)
{
    char *bad = NULL;
    sqlite3_stmt *st;
    FUZZ_CHECK(sqlite3_prepare_v2(sql, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK, "integrity_check");
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "ok"),
               "integrity_check is not ok");
    sqlite3_finalize(st);
    FUZZ_CHECK(sqlite3_prepare_v2(sql, "PRAGMA foreign_key_check", -1, &st, NULL) == SQLITE_OK, "foreign_key_check");
    if (sqlite3_step(st) == SQLITE_ROW) bad = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    FUZZ_CHECK(!bad, "a dangling reference in table %s", bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    fuzz_write_files(data, size, in);
    char *before = fuzz_dump(db->sql);
    tsg_error_t err = {0};
    tsg_import_counts_t counts;
    tsg_status_t st = tsg_import_csv(db, in, TSG_ENC_AUTO, &counts, &err);
    if (st) {
        FUZZ_CHECK(err.text[0], "a failed import without a message");
        char *after = fuzz_dump(db->sql);
        FUZZ_CHECK(!strcmp(before, after), "a failed import changed the database: %s", err.text);
        free(after);
        free(before);
        return 0;
    }
    free(before);
    checks_pass(db->sql);
    /* What was imported comes back the same through its own CSV. */
    fuzz_write_files((const uint8_t *)"", 0, out1);
    fuzz_write_files((const uint8_t *)"", 0, out2);
    FUZZ_CHECK(!tsg_export_csv(db, out1, &err), "export: %s", err.text);
    FUZZ_CHECK(!tsg_import_csv(again, out1, TSG_ENC_UTF8, NULL, &err), "import of its own export: %s", err.text);
    FUZZ_CHECK(!tsg_export_csv(again, out2, &err), "second export: %s", err.text);
    FUZZ_CHECK(fuzz_same_dirs(out1, out2), "export → import → export changed the files");
    return 0;
}
