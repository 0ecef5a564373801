/* fuzz_hsds — a folder of Open Referral files (any of the three layouts
 * import-hsds reads; see fuzz.h for how one input holds them) imported
 * with the built-in mapping, or with the input's own mapping.csv. A failed
 * import must leave the database exactly as it was; a successful one must
 * pass SQLite's integrity check and write its report. */
#include "dump.h"
#include "fuzz.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tsg_db_t *db;
static char in[256], mapping[300], report[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        char path[256];
        tsg_error_t err = {0};
        snprintf(path, sizeof path, "%s/hsds.db", fuzz_workdir());
        FUZZ_CHECK(!tsg_create(path, &db, &err), "%s", err.text);
        snprintf(in, sizeof in, "%s/hsds", fuzz_workdir());
        snprintf(mapping, sizeof mapping, "%s/mapping.csv", in);
        snprintf(report, sizeof report, "%s/report.csv", fuzz_workdir());
    }
    fuzz_write_files(data, size, in);
    char *before = fuzz_dump(db->sql);
    tsg_error_t err = {0};
    tsg_hsds_report_t *r = NULL;
    tsg_status_t st = tsg_import_hsds(db, in, access(mapping, F_OK) ? NULL : mapping, &r, &err);
    if (st) {
        FUZZ_CHECK(err.text[0], "a failed import without a message");
        FUZZ_CHECK(!r, "a report from a failed import");
        char *after = fuzz_dump(db->sql);
        FUZZ_CHECK(!strcmp(before, after), "a failed import changed the database: %s", err.text);
        free(after);
    } else {
        FUZZ_CHECK(r && r->layout, "no report");
        FUZZ_CHECK(!tsg_hsds_report_write(r, report, &err), "report: %s", err.text);
        sqlite3_stmt *q;
        FUZZ_CHECK(sqlite3_prepare_v2(db->sql, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK, "integrity_check");
        FUZZ_CHECK(sqlite3_step(q) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(q, 0), "ok"),
                   "integrity_check is not ok");
        sqlite3_finalize(q);
    }
    tsg_hsds_report_free(r);
    free(before);
    return 0;
}
