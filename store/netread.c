/* netread — the network's rows for the engine; see netread.h. */
#include "netread.h"
#include "store.h"
#include "period.h"
#include "netpast.h"
#include "bounds.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
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
    unsigned char *gone; /* by nid: GONE when the node does not exist on day, PAST when */
    store_past_t past;   /* it has a field whose value that day is a past one */
    int past_ties;       /* some tie has a past value that day */
} read_t;

enum { GONE = 1, PAST = 2 };

/* The value field of node nid held on the day: a past one, or the row's. */
static const char *node_text(const read_t *rd, int64_t nid, const char *field, const char *now)
{
    const char *v;
    return rd->gone[nid] & PAST && store_past_value(&rd->past, 0, nid, field, &v) ? v : now;
}

static store_text_t node_name(const read_t *rd, int64_t nid, store_text_t now)
{
    const char *v;
    if (!(rd->gone[nid] & PAST) || !store_past_value(&rd->past, 0, nid, "name", &v)) return now;
    return (store_text_t){v, v ? strlen(v) : 0};
}

/* A reference (org, district, parent) the day's way: the row's nid, or the
 * node a past value names by id. */
static int64_t node_ref(const read_t *rd, int64_t nid, const char *field, int64_t now)
{
    const char *v;
    if (!(rd->gone[nid] & PAST) || !store_past_value(&rd->past, 0, nid, field, &v)) return now;
    return store_past_nid(&rd->past, v);
}

/* A number the day's way: -1 for none. */
static int node_number(const read_t *rd, int64_t nid, const char *field, int64_t now)
{
    const char *v;
    if ((rd->gone[nid] & PAST) && store_past_value(&rd->past, 0, nid, field, &v)) now = v && *v ? strtoll(v, NULL, 10) : -1;
    /* Out of int's range, now or then: as far out as the network's fields
     * refuse (network.c), never wrapped into range (atoi's 2^32 + 18 was 18). */
    return now < INT_MIN ? INT_MIN : now > INT_MAX ? INT_MAX : (int)now;
}

/* Hands one row to the reader: nid is its first column, which each_row has
 * read and checked (each column asked for again is one more call into
 * SQLite, which takes the connection's mutex: 19 million calls a national
 * load); which is the query's index in each_row. */
typedef tsg_status_t (*row_fn)(const read_t *rd, sqlite3_stmt *st, int64_t nid, int which, tsg_error_t *err);

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
        if (rd->gone[nid] & GONE) continue;
        s = fn(rd, st, nid, which, err);
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(db, _("database"), err);
    sqlite3_finalize(st);
    return s;
}

static tsg_status_t node_row(const read_t *rd, sqlite3_stmt *st, int64_t nid, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    return r->node(r->ctx, nid, (const char *)sqlite3_column_text(st, 1), text_of(st, 2), err);
}

/* A nullable integer column, -1 for NULL: its type is asked only when its
 * value reads 0, which NULL also reads as (one call, not two, a row). */
static int64_t int_or_none(sqlite3_stmt *st, int col)
{
    int64_t v = sqlite3_column_int64(st, col);
    return v || sqlite3_column_type(st, col) != SQLITE_NULL ? v : -1;
}

static tsg_status_t district_row(const read_t *rd, sqlite3_stmt *st, int64_t nid, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    return r->district(r->ctx, nid, node_name(rd, nid, text_of(st, 1)), node_ref(rd, nid, "parent", int_or_0(st, 2)),
                       node_text(rd, nid, "level", (const char *)sqlite3_column_text(st, 3)), err);
}

/* Organisations (which 1: with a sector, column 3) and forums (which 0),
 * read before every other table: one outside its period that day is
 * marked gone here, as its row is read, so that its programs, its node
 * row and its ties are skipped after. The rule is the one a separate scan
 * of the dated rows applied before (only a row with a since or an until of
 * its own is judged, by the day's values of both), without that scan. */
static tsg_status_t based_row(const read_t *rd, sqlite3_stmt *st, int64_t nid, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    const char *since = (const char *)sqlite3_column_text(st, which ? 4 : 3);
    const char *until = (const char *)sqlite3_column_text(st, which ? 5 : 4);
    if ((since || until) &&
        !store_exists_at(node_text(rd, nid, "since", since), node_text(rd, nid, "until", until), rd->day)) {
        rd->gone[nid] |= GONE;
        return TSG_OK;
    }
    const char *sector = which ? node_text(rd, nid, "sector", (const char *)sqlite3_column_text(st, 3)) : NULL;
    return r->based(r->ctx, nid, node_name(rd, nid, text_of(st, 1)), node_ref(rd, nid, "district", int_or_0(st, 2)),
                    sector, err);
}

/* Whether a program runs on day by its STARTS and ENDS (the day's): from
 * the first day of its start to the last of its end, either open. The
 * engine's eng_running reads the same dates the same way. */
static int runs_on(const char *starts, const char *ends, long day)
{
    long from = starts && *starts ? util_date_first(starts) : 0, to = ends && *ends ? util_date_last(ends) : 0;
    return (!from || from <= day) && (!to || day <= to);
}

/* A program exists on the day while its until has not come, its
 * organisation exists, and it runs that day: decided here as its row is
 * read (after the organisations', before the other tables), not in a scan
 * of its own (a tenth of the national load's work beyond its floor;
 * h-lean). */
static tsg_status_t program_row(const read_t *rd, sqlite3_stmt *st, int64_t nid, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    store_program_row_t p;
    p.nid = nid;
    p.org = node_ref(rd, nid, "org", int_or_0(st, 2));
    p.starts = node_text(rd, nid, "starts", (const char *)sqlite3_column_text(st, 6));
    p.ends = node_text(rd, nid, "ends", (const char *)sqlite3_column_text(st, 7));
    if (!store_exists_at(node_text(rd, nid, "since", NULL), node_text(rd, nid, "until", (const char *)sqlite3_column_text(st, 8)), rd->day) ||
        (p.org >= 1 && p.org <= rd->maxnid && rd->gone[p.org] & GONE) || !runs_on(p.starts, p.ends, rd->day)) {
        rd->gone[nid] |= GONE;
        return TSG_OK;
    }
    p.name = node_name(rd, nid, text_of(st, 1));
    p.age_min = node_number(rd, nid, "age_min", int_or_none(st, 3));
    p.age_max = node_number(rd, nid, "age_max", int_or_none(st, 4));
    const char *area;
    p.wide = rd->gone[nid] & PAST && store_past_value(&rd->past, 0, nid, "area", &area) ? area && !strcmp(area, "*")
                                                                                       : sqlite3_column_int(st, 5);
    return r->program(r->ctx, &p, err);
}

/* The history's field of each list. */
static const char *const list_field[] = {
    [STORE_LIST_TARGET] = "targets", [STORE_LIST_NEED] = "needs", [STORE_LIST_MODE] = "modes", [STORE_LIST_AREA] = "area"};

/* The lists whose value on the day is a past one: the ';' list kept in
 * history, item by item (an area's districts by id; '*' has none). */
static tsg_status_t past_lists(const read_t *rd, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    tsg_status_t s = TSG_OK;
    for (size_t i = 0; i < rd->past.n && !s; i++) {
        const store_past_item_t *it = &rd->past.v[i];
        if (it->tie || strcmp(it->field, list_field[which]) || it->key < 1 || it->key > rd->maxnid ||
            rd->gone[it->key] & GONE || !it->value)
            continue;
        int pos = 0;
        for (const char *p = it->value; *p && !s;) {
            size_t n = strcspn(p, ";");
            char *item = util_strndup(p, n);
            if (!item) return util_fail(err, TSG_ENOMEM, _("out of memory"));
            if (which != STORE_LIST_AREA) s = r->list_item(r->ctx, which, it->key, pos++, item, 0, err);
            else if (strcmp(item, "*")) s = r->list_item(r->ctx, which, it->key, pos++, NULL, store_past_nid(&rd->past, item), err);
            free(item);
            p += n + (p[n] == ';');
        }
    }
    return s;
}

static tsg_status_t list_row(const read_t *rd, sqlite3_stmt *st, int64_t program, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    int pos = sqlite3_column_int(st, 1);
    const char *v;
    /* A list with a past value that day is that value, handed on by past_lists. */
    if (rd->gone[program] & PAST && store_past_value(&rd->past, 0, program, list_field[which], &v)) return TSG_OK;
    if (which == STORE_LIST_AREA) return r->list_item(r->ctx, which, program, pos, NULL, int_or_0(st, 2), err);
    return r->list_item(r->ctx, which, program, pos, (const char *)sqlite3_column_text(st, 2), 0, err);
}

static tsg_status_t tie_row(const read_t *rd, sqlite3_stmt *st, int64_t src, int which, tsg_error_t *err)
{
    const store_net_reader_t *r = rd->r;
    (void)which;
    /* A tie exists while it is open and both its ends exist. */
    int64_t dst = int_or_0(st, 1);
    if ((dst >= 1 && dst <= rd->maxnid && rd->gone[dst] & GONE) ||
        !store_exists_at((const char *)sqlite3_column_text(st, 5), (const char *)sqlite3_column_text(st, 6), rd->day))
        return TSG_OK;
    int64_t count = int_or_none(st, 4);
    const char *v;
    /* The tid only when some tie has a past value: one call a tie fewer. */
    if (rd->past_ties && store_past_value(&rd->past, 1, sqlite3_column_int64(st, 7), "count", &v))
        count = v && *v ? atoll(v) : -1;
    return r->tie(r->ctx, src, dst, (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3), count, err);
}

/* What tie_row reads: plain columns (an expression such as coalesce(count,
 * -1), to save a call, cost SQLite more than the call: measured). The tid
 * (column 7) only when some tie has a past value that day: a column fewer
 * for SQLite to produce, nearly five million times a national load. */
#define TIE_COLUMNS "src, dst, kind, directed, count, since, until"

static tsg_status_t read_all(tsg_db_t *db, long day, const store_net_reader_t *r, tsg_error_t *err)
{
    sqlite3 *sql = db->sql;
    sqlite3_stmt *st;
    /* Three sub-selects, not one aggregate: alone, count(*) counts the
     * table's pages' cells (OP_Count) and max and min each read one row,
     * where together they stepped through every node (a tenth of the
     * national load's SQL). */
    tsg_status_t s = store_prepare(sql, "SELECT (SELECT count(*) FROM node), coalesce((SELECT max(nid) FROM node), 0),"
                                        " coalesce((SELECT min(nid) FROM node), 1)", &st, err);
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
    read_t rd = {r, day, maxnid, calloc((size_t)maxnid + 1, 1), {0}, 0};
    if (!rd.gone) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if ((s = store_past_load(sql, day, &rd.past, err))) {
        free(rd.gone);
        return s;
    }
    for (size_t i = 0; i < rd.past.n; i++) {
        if (!rd.past.v[i].tie && rd.past.v[i].key >= 1 && rd.past.v[i].key <= maxnid) rd.gone[rd.past.v[i].key] |= PAST;
        if (rd.past.v[i].tie) rd.past_ties = 1;
    }
    static const struct {
        const char *sql;
        row_fn fn;
        int which;
    } q[] = {
        /* The nodes that are not part of the day's network are marked
         * as their rows are read, so that every table after skips them:
         * organisations and forums outside their period (based_row), then
         * programs past their until, of such an organisation, or not
         * running that day (before their STARTS or after their ENDS: a
         * program that has not started or has ended serves nobody that
         * day, as GAPS has always counted it; docs/decisions.md, "Issue
         * 21: a day's districts, moment and programs (h-asof)";
         * program_row). A row that began again keeps its earlier since
         * and until in history: the day's are used. */
        {"SELECT nid, name, district, sector, since, until FROM organisation", based_row, 1},
        {"SELECT nid, name, district, since, until FROM forum", based_row, 0},
        {"SELECT nid, name, org, age_min, age_max, wide_area, starts, ends, until FROM program ORDER BY nid", program_row, 0},
        {"SELECT nid, type, id FROM node", node_row, 0},
        {"SELECT nid, name, parent, level FROM district", district_row, 0},
        {"SELECT program, pos, target FROM program_target", list_row, STORE_LIST_TARGET},
        {"SELECT program, pos, need FROM program_need", list_row, STORE_LIST_NEED},
        {"SELECT program, pos, mode FROM program_mode", list_row, STORE_LIST_MODE},
        {"SELECT program, pos, district FROM program_area", list_row, STORE_LIST_AREA},
        {NULL, tie_row, 0}, /* the ties: tie_sql */
    };
    /* The ties in tid order, their tid last when some has a past value that
     * day; USING confirmed ties: the ties both sides confirmed in the last
     * survey round. */
    static const char *const tie_sql[2][2] = {
        {"SELECT " TIE_COLUMNS " FROM tie ORDER BY tid", "SELECT " TIE_COLUMNS ", tid FROM tie ORDER BY tid"},
        {"SELECT " TIE_COLUMNS " FROM tie WHERE status = 'confirmed' ORDER BY tid",
         "SELECT " TIE_COLUMNS ", tid FROM tie WHERE status = 'confirmed' ORDER BY tid"},
    };
    size_t n = sizeof q / sizeof q[0];
    for (size_t i = 0; i < n && !s; i++) {
        const char *text = q[i].sql ? q[i].sql : tie_sql[r->confirmed_only != 0][rd.past_ties];
        s = each_row(sql, text, &rd, q[i].fn, q[i].which, err);
        if (!s && q[i].fn == list_row) s = past_lists(&rd, q[i].which, err);
    }
    store_past_free(&rd.past);
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
