/*
 * summary — the first look at a network: what is in it, who runs programs,
 * how each ward is served, and which groups the programs name. Each is one
 * SQL query over the store, returned as result sets.
 */
#include "query.h"
#include "where.h"
#include "result.h"
#include "store.h"
#include "vocab.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <igraph_version.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The rows that exist today, with their values of today: the session's
 * dated tables (query/sqlfunc.c, the rule every reader of a day uses), so
 * an organisation in its period, a program before its until while its
 * organisation exists, a tie in its period between two of those, and each
 * field as history says it is today: a change dated later (SET … ON next
 * April) is not made yet. Ended rows stay in the file as history; a
 * summary of the network is of today's. */
#define LIVE \
    "WITH RECURSIVE live_o AS (SELECT * FROM organisation_at), live_f AS (SELECT * FROM forum_at)," \
    " live_p AS (SELECT * FROM program_at), live_t AS (SELECT * FROM tie_at)," \
    " live_d AS (SELECT * FROM " QRY_DISTRICT_AT ")"

/* Each part follows LIVE: a SELECT, or more common tables. */
static const struct { const char *title, *sql; } parts[] = {
    {N_("Network"),
     " SELECT 'districts' AS what, count(*) AS count FROM live_d"
     " UNION ALL SELECT 'organisations', count(*) FROM live_o"
     " UNION ALL SELECT 'programs', count(*) FROM live_p"
     " UNION ALL SELECT 'forums', count(*) FROM live_f"
     " UNION ALL SELECT 'ties: ' || v.key, (SELECT count(*) FROM live_t t WHERE t.kind = v.key)"
     "  FROM vocab v WHERE v.kind = 'tie_kind'"},
    {N_("Organisations by sector"),
     " SELECT v.key AS sector, v.label_ja AS 日本語,"
     " (SELECT count(*) FROM live_o o WHERE o.sector = v.key) AS organisations,"
     " (SELECT count(*) FROM live_p p JOIN live_o o ON o.nid = p.org WHERE o.sector = v.key) AS programs"
     " FROM vocab v WHERE v.kind = 'sector' ORDER BY v.rowid"},
    /* "in ward": the program's area lies inside the ward; "reaching it" adds
     * programs for the whole city or prefecture and wide-area ones. */
    {N_("Wards"),
     ", below(ward, d) AS ("
     "  SELECT nid, nid FROM live_d WHERE level = 'ward'"
     "  UNION SELECT below.ward, c.nid FROM live_d c JOIN below ON c.parent = below.d),"
     " above(ward, d) AS ("
     "  SELECT nid, parent FROM live_d WHERE level = 'ward' AND parent IS NOT NULL"
     "  UNION SELECT above.ward, x.parent FROM live_d x JOIN above ON x.nid = above.d WHERE x.parent IS NOT NULL)"
     " SELECT w.name AS ward,"
     " (SELECT count(*) FROM below b JOIN live_d x ON x.nid = b.d"
     "   WHERE b.ward = w.nid AND x.level = 'school_district') AS school_districts,"
     " (SELECT count(*) FROM live_o o WHERE o.district IN (SELECT d FROM below WHERE ward = w.nid)) AS organisations,"
     " (SELECT count(DISTINCT a.program) FROM program_area_at a JOIN live_p p ON p.nid = a.program"
     "   WHERE a.district IN (SELECT d FROM below WHERE ward = w.nid)) AS programs_in_ward,"
     " (SELECT count(*) FROM live_p p WHERE p.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area_at a"
     "   WHERE a.program = p.nid AND (a.district IN (SELECT d FROM below WHERE ward = w.nid)"
     "   OR a.district IN (SELECT d FROM above WHERE ward = w.nid)))) AS programs_reaching_it"
     " FROM live_d w WHERE w.level = 'ward' ORDER BY w.nid"},
    {N_("Programs by target group"),
     " SELECT v.key AS target, v.label_ja AS 日本語,"
     " (SELECT count(*) FROM program_target_at t JOIN live_p p ON p.nid = t.program WHERE t.target = v.key) AS programs,"
     " (SELECT count(*) FROM program_target_at t JOIN live_p p ON p.nid = t.program"
     "   WHERE t.target = v.key AND p.in_system = 'no') AS out_of_system"
     " FROM vocab v WHERE v.kind = 'target' ORDER BY v.rowid"},
};

/* LIVE followed by a part; NULL when out of memory. */
static char *live_sql(const char *part) { return util_printf("%s%s", LIVE, part); }

/* The columns the queries above name, translated where the table shows its
 * headers (result.c); listed so that the catalogue has them. */
static const char *const columns[] = {
    NC_("column", "what"), NC_("column", "organisations"), NC_("column", "programs"), NC_("column", "ward"),
    NC_("column", "school_districts"), NC_("column", "programs_in_ward"), NC_("column", "programs_reaching_it"),
    NC_("column", "target"), NC_("column", "out_of_system"),
};

/* Japanese: the network table's rows named in Japanese (what_label beside
 * the stable key what), as every Japanese table shows labels. NULL when out
 * of memory (r is freed either way). */
static tsg_result_t *network_ja(tsg_result_t *r)
{
    static const char *const cols[] = {"what", NC_("column", "what_label"), "count"};
    static const char *const rows[][2] = {{"districts", NC_("summary row", "districts")},
                                          {"organisations", NC_("summary row", "organisations")},
                                          {"programs", NC_("summary row", "programs")},
                                          {"forums", NC_("summary row", "forums")}};
    tsg_result_t *j = qry_result_new(r->title, 3, cols);
    if (j && qry_result_keyed(j, 0, 1)) {
        tsg_result_free(j);
        j = NULL;
    }
    for (size_t i = 0; j && i < r->nrows; i++) {
        const char *what = r->cells[i * r->ncols], *label = what;
        char buf[200];
        for (size_t k = 0; what && k < sizeof rows / sizeof rows[0]; k++)
            if (!strcmp(what, rows[k][0])) label = util_pgettext_ctx("summary row", rows[k][1]);
        if (what && !strncmp(what, "ties: ", 6)) {
            util_snprintf(buf, sizeof buf, C_("summary row", "ties: %s"), store_vocab_key_word("tie_kind", what + 6));
            label = buf;
        }
        const char *cells[3] = {what, label, r->cells[i * r->ncols + 1]};
        j = qry_result_row(j, cells);
    }
    if (j) j->right[2] = 1;
    tsg_result_free(r);
    return j;
}

/* Japanese: a table's key column (sector, target) shows the label that the
 * query's 日本語 column holds, and CSV/JSON keep both (<key>_label). */
static int keyed_ja(tsg_result_t *r, const char *label_col)
{
    char *c = util_strdup(label_col);
    if (!c || qry_result_head(r, 1, util_pgettext_ctx("column", label_col))) {
        free(c);
        return -1;
    }
    free(r->cols[1]);
    r->cols[1] = c;
    return qry_result_keyed(r, 0, 1);
}

/* Issue 21 item 8: how fresh the network is before a meeting, as one line:
 * the share of today's organisations, programs and ties confirmed (by a
 * survey answer or by hand) in the 12 months up to today. A year back from
 * 29 February is the 28th (util_date_text writes whatever day it is given). */
static tsg_status_t freshness(tsg_db_t *db, long today, tsg_result_t **out, tsg_error_t *err)
{
    char since[11];
    int y = (int)(today / 10000) - 1, m = (int)(today / 100 % 100), d = (int)(today % 100);
    if (d > util_month_days(y, m)) d = util_month_days(y, m); /* 29 February: the 28th a year back */
    util_date_text((long)y * 10000 + m * 100 + d, since);
    sqlite3_stmt *st = NULL;
    char *sql = live_sql(" SELECT coalesce(sum(v >= ?1), 0), count(*) FROM ("
                                " SELECT coalesce(verified, '') AS v FROM live_o"
                                " UNION ALL SELECT coalesce(verified, '') FROM live_p"
                                " UNION ALL SELECT coalesce(verified, '') FROM live_t)");
    if (!sql) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    tsg_status_t s = store_prepare(db->sql, sql, &st, err);
    free(sql);
    if (s) return s;
    sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
    long fresh = 0, all = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        fresh = sqlite3_column_int(st, 0);
        all = sqlite3_column_int(st, 1);
    } else {
        s = store_fail_sql(db->sql, _("database"), err);
    }
    sqlite3_finalize(st);
    if (s) return s;
    char text[300];
    util_snprintf(text, sizeof text, _("%1$ld%% verified in the last 12 months (%2$ld of %3$ld organisations, programs and ties)"),
                  all ? (100 * fresh + all / 2) / all : 0, fresh, all);
    if (!(*out = qry_result_message(text))) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    return TSG_OK;
}

tsg_status_t tsg_summary(tsg_db_t *db, tsg_result_t ***out, size_t *n, tsg_error_t *err)
{
    (void)columns;
    size_t k = sizeof parts / sizeof parts[0] + 1; /* the tables, then the freshness line */
    *out = NULL;
    *n = 0;
    /* Damaged rows would be dropped by the joins without a word. */
    tsg_status_t checked = store_check(db, err);
    if (checked) return checked;
    tsg_result_t **rs = calloc(k, sizeof *rs);
    if (!rs) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    /* One read transaction: the four tables describe the same moment. The
     * dated tables are a session's (their day is its tsg_as_of()): one is
     * opened for them, with no AS OF, so the day is today. */
    tsg_session_t *sess = NULL;
    tsg_status_t s = tsg_session_open(db, &sess, err);
    int reading = 0;
    if (!s) reading = !(s = store_read_begin(db, err));
    if (!s && qry_dated_tables(sess)) s = util_fail(err, sess->ctx.code, "%s", sess->ctx.msg);
    long today = util_today();
    for (size_t i = 0; i + 1 < k && !s; i++) {
        char *sql = live_sql(parts[i].sql);
        s = sql ? qry_result_from_sql(db->sql, sql, _(parts[i].title), &rs[i], err)
                : util_fail(err, TSG_ENOMEM, _("out of memory"));
        free(sql);
    }
    if (!s) s = freshness(db, today, &rs[k - 1], err);
    if (reading) store_read_end(db);
    tsg_session_close(sess);
    if (!s && util_lang_ja()) {
        if (!(rs[0] = network_ja(rs[0])) || keyed_ja(rs[1], NC_("column", "sector_label")) ||
            keyed_ja(rs[3], NC_("column", "target_label")))
            s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    if (s) {
        tsg_results_free(rs, k);
        return s;
    }
    *out = rs;
    *n = k;
    return TSG_OK;
}

void tsg_versions(char *buf, size_t size)
{
    const char *ig;
    int major, minor, patch;
    igraph_version(&ig, &major, &minor, &patch);
    snprintf(buf, size, "tsunagi %s (SQLite %s, igraph %s, utf8proc %s)", TSG_VERSION, sqlite3_libversion(), ig,
             utf8proc_version());
}
