/*
 * summary — the first look at a network: what is in it, who runs programs,
 * how each ward is served, and which groups the programs name. Each is one
 * SQL query over the store, returned as result sets.
 */
#include "result.h"
#include "store.h"
#include "util.h"
#include "i18n.h"

#include <igraph_version.h>
#include <stdlib.h>
#include <utf8proc.h>

static const struct { const char *title, *sql; } parts[] = {
    {N_("Network"),
     "SELECT 'districts' AS what, count(*) AS count FROM district"
     " UNION ALL SELECT 'organisations', count(*) FROM organisation"
     " UNION ALL SELECT 'programs', count(*) FROM program"
     " UNION ALL SELECT 'forums', count(*) FROM forum"
     " UNION ALL SELECT 'ties: ' || v.key, (SELECT count(*) FROM tie t WHERE t.kind = v.key)"
     "  FROM vocab v WHERE v.kind = 'tie_kind'"},
    {N_("Organisations by sector"),
     "SELECT v.key AS sector, v.label_ja AS 日本語,"
     " (SELECT count(*) FROM organisation o WHERE o.sector = v.key) AS organisations,"
     " (SELECT count(*) FROM program p JOIN organisation o ON o.nid = p.org WHERE o.sector = v.key) AS programs"
     " FROM vocab v WHERE v.kind = 'sector' ORDER BY v.rowid"},
    /* "in ward": the program's area lies inside the ward; "reaching it" adds
     * programs for the whole city or prefecture and wide-area ones. */
    {N_("Wards"),
     "WITH RECURSIVE below(ward, d) AS ("
     "  SELECT nid, nid FROM district WHERE level = 'ward'"
     "  UNION SELECT below.ward, c.nid FROM district c JOIN below ON c.parent = below.d),"
     " above(ward, d) AS ("
     "  SELECT nid, parent FROM district WHERE level = 'ward' AND parent IS NOT NULL"
     "  UNION SELECT above.ward, x.parent FROM district x JOIN above ON x.nid = above.d WHERE x.parent IS NOT NULL)"
     " SELECT w.name AS ward,"
     " (SELECT count(*) FROM below b JOIN district x ON x.nid = b.d"
     "   WHERE b.ward = w.nid AND x.level = 'school_district') AS school_districts,"
     " (SELECT count(*) FROM organisation o WHERE o.district IN (SELECT d FROM below WHERE ward = w.nid)) AS organisations,"
     " (SELECT count(DISTINCT a.program) FROM program_area a"
     "   WHERE a.district IN (SELECT d FROM below WHERE ward = w.nid)) AS programs_in_ward,"
     " (SELECT count(*) FROM program p WHERE p.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area a"
     "   WHERE a.program = p.nid AND (a.district IN (SELECT d FROM below WHERE ward = w.nid)"
     "   OR a.district IN (SELECT d FROM above WHERE ward = w.nid)))) AS programs_reaching_it"
     " FROM district w WHERE w.level = 'ward' ORDER BY w.nid"},
    {N_("Programs by target group"),
     "SELECT v.key AS target, v.label_ja AS 日本語,"
     " (SELECT count(*) FROM program_target t WHERE t.target = v.key) AS programs,"
     " (SELECT count(*) FROM program_target t JOIN program p ON p.nid = t.program"
     "   WHERE t.target = v.key AND p.in_system = 'no') AS out_of_system"
     " FROM vocab v WHERE v.kind = 'target' ORDER BY v.rowid"},
};

/* The columns the queries above name, translated where the table shows its
 * headers (result.c); listed so that the catalogue has them. */
static const char *const columns[] = {
    NC_("column", "what"), NC_("column", "organisations"), NC_("column", "programs"), NC_("column", "ward"),
    NC_("column", "school_districts"), NC_("column", "programs_in_ward"), NC_("column", "programs_reaching_it"),
    NC_("column", "target"), NC_("column", "out_of_system"),
};

tsg_status_t tsg_summary(tsg_db_t *db, tsg_result_t ***out, size_t *n, tsg_error_t *err)
{
    (void)columns;
    size_t k = sizeof parts / sizeof parts[0];
    *out = NULL;
    *n = 0;
    /* Damaged rows would be dropped by the joins without a word. */
    tsg_status_t checked = store_check(db, err);
    if (checked) return checked;
    tsg_result_t **rs = calloc(k, sizeof *rs);
    if (!rs) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    /* One read transaction: the four tables describe the same moment. */
    tsg_status_t s = store_read_begin(db, err);
    int reading = !s;
    for (size_t i = 0; i < k && !s; i++) s = qry_result_from_sql(db->sql, parts[i].sql, _(parts[i].title), &rs[i], err);
    if (reading) store_read_end(db);
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
