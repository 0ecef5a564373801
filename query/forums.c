/*
 * forums — FORUMS OVERLAP [IN 'district']: the inventory of forums (Mihara's
 * 既存会議体の棚卸し). Two tables: each pair of forums that share member
 * organisations, with how many and who (and what part of the smaller forum
 * they are), and each forum's members by sector — so a planner sees which
 * councils meet with the same people and could be merged.
 *
 * Members are the organisations with a membership tie to the forum. IN
 * 'district' keeps the forums based in the district or below it. The counts
 * are of organisations, not people, so --suppress-below leaves them exact
 * (as COUNT's).
 */
#include "ast.h"
#include "query.h"
#include "result.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* The forums in scope (?1: the district, 0 for all) and their members. */
#define MEMBERS                                                                                              \
    "WITH f AS (SELECT nid, name FROM forum_at WHERE ?1 = 0 OR (district IS NOT NULL AND tsg_under(district, ?1))),"\
    " m AS (SELECT t.dst AS forum, t.src AS org FROM tie_at t JOIN f ON f.nid = t.dst"                             \
    "       JOIN organisation_at o ON o.nid = t.src WHERE t.kind = 'membership'),"                                  \
    " size AS (SELECT forum, count(*) AS n FROM m GROUP BY forum) "

/* Pairs: the names are concatenated in name order (the rows come sorted). */
static const char pairs_sql[] =
    MEMBERS
    "SELECT fa.name, fb.name, count(*), (SELECT n FROM size WHERE forum = x.fa),"
    " (SELECT n FROM size WHERE forum = x.fb), group_concat(x.org_name, ?2)"
    " FROM (SELECT a.forum AS fa, b.forum AS fb, o.name AS org_name FROM m a"
    "       JOIN m b ON b.org = a.org AND a.forum < b.forum JOIN organisation o ON o.nid = a.org"
    "       ORDER BY a.forum, b.forum, o.name) x"
    " JOIN f fa ON fa.nid = x.fa JOIN f fb ON fb.nid = x.fb"
    " GROUP BY x.fa, x.fb ORDER BY count(*) DESC, fa.name, fb.name";

static const char sectors_sql[] =
    MEMBERS
    "SELECT f.name, x.sector, count(*), (SELECT n FROM size WHERE forum = f.nid), group_concat(x.org_name, ?2)"
    " FROM (SELECT m.forum, o.sector, o.name AS org_name FROM m JOIN organisation o ON o.nid = m.org"
    "       ORDER BY m.forum, o.sector, o.name) x JOIN f ON f.nid = x.forum"
    " GROUP BY f.nid, x.sector ORDER BY f.name, f.nid, count(*) DESC, x.sector";

static sqlite3_stmt *prepare(qry_session_t *s, const ast_stmt_t *st, const char *sql, int64_t district)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &q, NULL) != SQLITE_OK) {
        qry_fail_sql(s, &st->kw);
        return NULL;
    }
    sqlite3_bind_int64(q, 1, district);
    sqlite3_bind_text(q, 2, s->ja ? "、" : ", ", -1, SQLITE_STATIC);
    return q;
}

static const char *text(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return t ? (const char *)t : "";
}

/* Ends a table's walk: the statement finalised, the table emitted with its
 * two number columns from `num` right-aligned, or the SQL error reported. */
static tsg_status_t finish(qry_session_t *s, const ast_stmt_t *st, sqlite3_stmt *q, tsg_result_t *r, int rc, int num)
{
    int bad = r && rc != SQLITE_DONE;
    sqlite3_finalize(q);
    if (bad) {
        tsg_result_free(r);
        return qry_fail_sql(s, &st->kw);
    }
    if (r) r->right[num] = r->right[num + 1] = 1;
    return qry_emit(s, r);
}

static tsg_status_t pairs(qry_session_t *s, const ast_stmt_t *st, int64_t district)
{
    sqlite3_stmt *q = prepare(s, st, pairs_sql, district);
    if (!q) return s->ctx.code;
    const char *cols[] = {NC_("column", "forum_a"), NC_("column", "forum_b"), NC_("column", "shared"),
                          NC_("column", "percent_of_smaller"), NC_("column", "shared_members")};
    tsg_result_t *r = qry_result_new(_("forums that share members"), 5, cols);
    int rc = SQLITE_DONE;
    while (r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        long shared = sqlite3_column_int64(q, 2), na = sqlite3_column_int64(q, 3), nb = sqlite3_column_int64(q, 4);
        long smaller = na < nb ? na : nb;
        char n[24], share[24];
        snprintf(n, sizeof n, "%ld", shared);
        /* What part of the smaller forum meets again in the other, in
         * percent (a number, so ORDER BY sorts it): 100 is a forum wholly
         * inside another. */
        snprintf(share, sizeof share, "%ld", smaller ? (shared * 100 + smaller / 2) / smaller : 0);
        const char *row[] = {text(q, 0), text(q, 1), n, share, text(q, 5)};
        r = qry_result_row(r, row);
    }
    return finish(s, st, q, r, rc, 2);
}

static tsg_status_t by_sector(qry_session_t *s, const ast_stmt_t *st, int64_t district)
{
    sqlite3_stmt *q = prepare(s, st, sectors_sql, district);
    if (!q) return s->ctx.code;
    const char *cols[] = {NC_("column", "forum"), NC_("column", "sector"), NC_("column", "sector_label"),
                          NC_("column", "members"), NC_("column", "of_forum"), NC_("column", "names")};
    tsg_result_t *r = qry_result_new(_("forum members by sector"), 6, cols);
    if (r && qry_result_keyed(r, 1, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    int rc = SQLITE_DONE;
    while (r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        char n[24], total[24];
        snprintf(n, sizeof n, "%lld", (long long)sqlite3_column_int64(q, 2));
        snprintf(total, sizeof total, "%lld", (long long)sqlite3_column_int64(q, 3));
        const char *row[] = {text(q, 0), text(q, 1), qry_label(s, "sector", text(q, 1)), n, total, text(q, 4)};
        r = qry_result_row(r, row);
    }
    return finish(s, st, q, r, rc, 3);
}

tsg_status_t qry_exec_forums(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    int64_t district = 0;
    if (st->cl[AST_CL_IN]) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, st->cl[AST_CL_IN]->node, 1u << QRY_DISTRICT, &d))) return rc;
        district = d->nid;
    }
    if ((rc = pairs(s, st, district))) return rc;
    return by_sector(s, st, district);
}
