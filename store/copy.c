/* copy — a database copied into memory (store_copy, store.h): what WHAT IF
 * changes instead of the file. */
#include "store.h"
#include "period.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>

tsg_status_t store_copy(tsg_db_t *db, tsg_db_t **out, tsg_error_t *err)
{
    *out = NULL;
    tsg_db_t *c = calloc(1, sizeof *c);
    /* The copy answers to the original's name, so a statement run on it
     * (RENDER) still refuses to write over the original's files. */
    if (!c || !(c->path = util_strdup(db->path))) {
        free(c);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    tsg_status_t s = TSG_OK;
    if (sqlite3_open_v2(":memory:", &c->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        goto fail;
    }
    sqlite3_extended_result_codes(c->sql, 1);
    /* One read transaction on the original: the copy is one moment of it,
     * even while another program writes. */
    sqlite3_backup *b = sqlite3_backup_init(c->sql, "main", db->sql, "main");
    if (!b) {
        s = store_fail_sql(c->sql, _("copying the database"), err);
        goto fail;
    }
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        s = store_fail_sql(db->sql, _("copying the database"), err);
        goto fail;
    }
    if ((s = store_exec(c->sql, "PRAGMA foreign_keys=ON;", _("copying the database"), err))) goto fail;
    /* The SQL functions every connection of ours has (store.c's open_db). */
    if ((s = store_period_functions(c->sql, err))) goto fail;
    *out = c;
    return TSG_OK;
fail:
    tsg_close(c);
    return s;
}
