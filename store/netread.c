/* netread — the network's rows for the engine; see netread.h. */
#include "netread.h"
#include "store.h"
#include "period.h"

#include <stdlib.h>
#include "util.h"
#include "i18n.h"

static store_text_t text_of(sqlite3_stmt *st, int col)
{
    const char *z = (const char *)sqlite3_column_text(st, col);
    return (store_text_t){z, z ? (size_t)sqlite3_column_bytes(st, col) : 0};
}

/* An integer column; SQLite reads NULL as 0. */
static int64_t int_or_0(sqlite3_stmt *st, int col) { return sqlite3_column_int64(st, col); }

/* One read of the network as of a day: the rows that do not exist that
 * day are skipped here, so the reader never sees them. */
typedef struct read {
    const store_net_reader_t *r;
    long day;
    int64_t maxnid;
    unsigned char *gone; /* by nid: 1 when the node does not exist on day */
} read_t;

/* Hands one row to the reader; which is the query's index in each_row. */
typedef tsg_status_t (*row_fn)(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err);

/* Runs sql and hands each row to fn after checking its first column is a
 * nid in 1..maxnid, skipping a row whose node does not exist on the day;
 * stops at the first non-zero status. */
static tsg_status_t each_row(sqlite3 *db, const char *sql, const read_t *rd, row_fn fn, int which, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(db, sql, &st, err);
    if (s) return s;
    int rc = SQLITE_DONE;
    while (!s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid < 1 || nid > rd->maxnid) {
            s = util_fail(err, TSG_EDB, _("database: node %lld is out of range"), (long long)nid);
            break;
        }
        if (rd->gone[nid]) continue;
        s = fn(rd, st, which, err);
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(db, _("database"), err);
    sqlite3_finalize(st);
    return s;
}

static tsg_status_t node_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    return r->node(r->ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), text_of(st, 2), err);
}

static tsg_status_t district_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    store_text_t name = text_of(st, 1);
    return r->district(r->ctx, sqlite3_column_int64(st, 0), name, int_or_0(st, 2),
                       (const char *)sqlite3_column_text(st, 3), err);
}

static tsg_status_t based_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    store_text_t name = text_of(st, 1);
    const char *sector = which ? (const char *)sqlite3_column_text(st, 3) : NULL;
    return r->based(r->ctx, sqlite3_column_int64(st, 0), name, int_or_0(st, 2), sector, err);
}

static tsg_status_t program_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    store_program_row_t p;
    p.nid = sqlite3_column_int64(st, 0);
    p.name = text_of(st, 1);
    p.org = int_or_0(st, 2);
    p.age_min = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
    p.age_max = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
    p.wide = sqlite3_column_int(st, 5);
    p.starts = (const char *)sqlite3_column_text(st, 6);
    p.ends = (const char *)sqlite3_column_text(st, 7);
    return r->program(r->ctx, &p, err);
}

static tsg_status_t list_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    int64_t program = sqlite3_column_int64(st, 0);
    int pos = sqlite3_column_int(st, 1);
    if (which == STORE_LIST_AREA) return r->list_item(r->ctx, which, program, pos, NULL, int_or_0(st, 2), err);
    return r->list_item(r->ctx, which, program, pos, (const char *)sqlite3_column_text(st, 2), 0, err);
}

static tsg_status_t tie_row(const read_t *rd, sqlite3_stmt *st, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    /* A tie exists while it is open and both its ends exist. */
    int64_t dst = int_or_0(st, 1);
    if ((dst >= 1 && dst <= rd->maxnid && rd->gone[dst]) ||
        !store_exists_at((const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 6), rd->day))
        return TSG_OK;
    int64_t count = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    return r->tie(r->ctx, sqlite3_column_int64(st, 0), int_or_0(st, 1), (const char *)sqlite3_column_text(st, 2),
                  sqlite3_column_int(st, 3), count, err);
}

/* Marks the nodes that do not exist on the day: organisations and forums
 * outside their period, programs past their until or of such an
 * organisation. Only rows with a date are read. */
static tsg_status_t mark_gone(sqlite3 *sql, read_t *rd, tsg_error_t *err)
{
    static const char *const q[] = {
        "SELECT nid, since, until, 0 FROM organisation WHERE since IS NOT NULL OR until IS NOT NULL",
        "SELECT nid, since, until, 0 FROM forum WHERE since IS NOT NULL OR until IS NOT NULL",
        /* After the organisations: a program lives only while its org does. */
        "SELECT nid, NULL, until, org FROM program WHERE until IS NOT NULL"
        " OR org IN (SELECT nid FROM organisation WHERE since IS NOT NULL OR until IS NOT NULL)",
    };
    tsg_status_t s = TSG_OK;
    for (size_t i = 0; i < sizeof q / sizeof *q && !s; i++) {
        sqlite3_stmt *st;
        if ((s = store_prepare(sql, q[i], &st, err))) break;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t nid = sqlite3_column_int64(st, 0), org = sqlite3_column_int64(st, 3);
            if (nid < 1 || nid > rd->maxnid) continue; /* each_row refuses it */
            if (!store_exists_at((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                                 rd->day) ||
                (org >= 1 && org <= rd->maxnid && rd->gone[org]))
                rd->gone[nid] = 1;
        }
        if (rc != SQLITE_DONE) s = store_fail_sql(sql, _("database"), err);
        sqlite3_finalize(st);
    }
    return s;
}

static tsg_status_t read_all(tsg_db_t *db, long day, const store_net_reader_t *r, tsg_error_t *err)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT count(*), coalesce(max(nid), 0), coalesce(min(nid), 1) FROM node", &st,
                                   err);
    if (s) return s;
    int64_t count = 0, maxnid = 0, minnid = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        count = sqlite3_column_int64(st, 0);
        maxnid = sqlite3_column_int64(st, 1);
        minnid = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    /* The reader's arrays are by nid: sized by the node count, never by an id. */
    if (minnid < 1) return util_fail(err, TSG_EDB, _("database: node %lld is out of range"), (long long)minnid);
    const char *file = sqlite3_db_filename(sql, "main");
    if ((s = store_check_nids(file ? file : _("database"), count, maxnid, err))) return s;
    if ((s = r->sizes(r->ctx, maxnid, err))) return s;
    read_t rd = {r, day, maxnid, calloc((size_t)maxnid + 1, 1)};
    if (!rd.gone) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if ((s = mark_gone(sql, &rd, err))) {
        free(rd.gone);
        return s;
    }
    static const struct {
        const char *sql;
        row_fn fn;
        int which;
    } q[] = {
        {"SELECT nid, type, id FROM node", node_row, 0},
        {"SELECT nid, name, parent, level FROM district", district_row, 0},
        {"SELECT nid, name, district, sector FROM organisation", based_row, 1},
        {"SELECT nid, name, district FROM forum", based_row, 0},
        {"SELECT nid, name, org, age_min, age_max, wide_area, starts, ends FROM program ORDER BY nid", program_row, 0},
        {"SELECT program, pos, target FROM program_target", list_row, STORE_LIST_TARGET},
        {"SELECT program, pos, need FROM program_need", list_row, STORE_LIST_NEED},
        {"SELECT program, pos, mode FROM program_mode", list_row, STORE_LIST_MODE},
        {"SELECT program, pos, district FROM program_area", list_row, STORE_LIST_AREA},
        {"SELECT src, dst, kind, directed, count, since, until FROM tie ORDER BY tid", tie_row, 0},
    };
    size_t n = sizeof q / sizeof q[0];
    for (size_t i = 0; i < n && !s; i++) {
        const char *text = q[i].sql;
        /* USING confirmed ties: the ties both sides confirmed in the last survey round. */
        if (i == n - 1 && r->confirmed_only)
            text = "SELECT src, dst, kind, directed, count, since, until FROM tie WHERE status = 'confirmed' ORDER BY tid";
        s = each_row(sql, text, &rd, q[i].fn, q[i].which, err);
    }
    free(rd.gone);
    return s;
}

tsg_status_t store_read_network(tsg_db_t *db, long day, const store_net_reader_t *r, tsg_error_t *err)
{
    /* One read transaction, so the tables agree with each other. */
    tsg_status_t s = store_read_begin(db, err);
    if (s) return s;
    s = read_all(db, day, r, err);
    store_read_end(db);
    return s;
}
