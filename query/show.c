/*
 * show — SHOW: everything about one node, as a few tables: its fields, then
 * (by type) its programs or the districts below, its ties (an
 * organisation's include its programs', named under "via"), and its forums
 * or members. Each table is one SQL query with the node bound.
 */
#include "query.h"
#include "sqlbind.h"
#include "where.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* The key columns of SHOW's tables, with the label beside each
 * (qry_sql_emit_keyed): shown in Japanese, both kept in CSV/JSON. */
static const qry_keyed_col_t show_keyed[] = {
    {"field", NC_("column", "field_label"), QRY_KEYED_FIELD},
    {"value", NC_("column", "value_label"), QRY_KEYED_BY_FIELD},
    {"kind", NC_("column", "kind_label"), "tie_kind"},
    {"level", NC_("column", "level_label"), "level"},
    {"sector", NC_("column", "sector_label"), "sector"},
    {NULL, NULL, NULL},
};
/* The forums table's kind is a forum's. */
static const qry_keyed_col_t forum_keyed[] = {{"kind", NC_("column", "kind_label"), "forum_kind"}, {NULL, NULL, NULL}};

/* The fields SHOW names (its first table's keys) and the headers of its
 * tables' SQL columns, for xgettext. */
static const char *const show_fields[] = {
    NC_("field", "id"),       NC_("field", "name"),  NC_("field", "level"),     NC_("field", "parent"),
    NC_("field", "organisations based here"), NC_("field", "sector"), NC_("field", "district"),
    NC_("field", "organisation"), NC_("field", "targets"), NC_("field", "ages"), NC_("field", "needs"),
    NC_("field", "modes"),    NC_("field", "approach"), NC_("field", "area"), NC_("field", "in_system"),
    NC_("field", "hours"),    NC_("field", "runs"),  NC_("field", "kind"),
    NC_("column", "dir"),     NC_("column", "other"), NC_("column", "other_id"),
};

/* `key` names the table (msgctxt "SHOW table"); its title is its translation. */
static tsg_status_t show_sql(qry_session_t *s, const gram_token_t *at, const char *key, const char *sql, int64_t nid)
{
    (void)show_fields; /* read by xgettext only */
    const char *people = !strcmp(key, "ties") ? "count" : NULL;
    const char *title = util_pgettext_ctx("SHOW table", key);
    qry_sql_t q = {0};
    qry_sql_add(&q, sql);
    for (const char *p = sql; *p; p++)
        if (*p == '?') qry_sql_int(&q, nid);
    tsg_status_t rc = qry_sql_emit_keyed(s, &q, at, title, people,
                                         !strcmp(key, "forums") ? forum_keyed : show_keyed);
    qry_sql_free(&q);
    return rc;
}

#define NAME_OF(n)                                                                                    \
    "(SELECT coalesce(d.name, o.name, p.name, f.name) FROM node nn LEFT JOIN " QRY_DISTRICT_AT " d ON d.nid = nn.nid" \
    " LEFT JOIN organisation_at o ON o.nid = nn.nid LEFT JOIN program_at p ON p.nid = nn.nid"                 \
    " LEFT JOIN forum_at f ON f.nid = nn.nid WHERE nn.nid = " n ")"

static const char *const show_attrs[] = {
    "",
    /* district */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM " QRY_DISTRICT_AT " WHERE nid = ?"
    " UNION ALL SELECT 'level', level FROM " QRY_DISTRICT_AT " WHERE nid = ?"
    " UNION ALL SELECT 'parent', " NAME_OF("(SELECT parent FROM " QRY_DISTRICT_AT " WHERE nid = ?)")
    " UNION ALL SELECT 'organisations based here', count(*) FROM organisation_at WHERE tsg_under(district, ?)",
    /* organisation */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM organisation_at WHERE nid = ?"
    " UNION ALL SELECT 'sector', sector FROM organisation_at WHERE nid = ?"
    " UNION ALL SELECT 'district', " NAME_OF("(SELECT district FROM organisation_at WHERE nid = ?)"),
    /* program */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'organisation', " NAME_OF("(SELECT org FROM program_at WHERE nid = ?)")
    " UNION ALL SELECT 'targets', (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target_at WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'ages', CASE WHEN age_min IS NULL AND age_max IS NULL THEN 'all'"
    "  ELSE coalesce(age_min, '') || '..' || coalesce(age_max, '') END FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'needs', (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need_at WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'modes', (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode_at WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'approach', approach FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'area', CASE WHEN wide_area THEN '* (wide-area)' ELSE (SELECT group_concat(name, ';') FROM"
    "  (SELECT d.name FROM program_area_at a JOIN " QRY_DISTRICT_AT " d ON d.nid = a.district WHERE a.program = ? ORDER BY a.pos)) END"
    "  FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'in_system', in_system FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'hours', hours FROM program_at WHERE nid = ?"
    " UNION ALL SELECT 'runs', coalesce(starts, '') || '..' || coalesce(ends, '') FROM program_at"
    "  WHERE nid = ? AND (starts IS NOT NULL OR ends IS NOT NULL)",
    /* forum */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM forum_at WHERE nid = ?"
    " UNION ALL SELECT 'kind', kind FROM forum_at WHERE nid = ?"
    " UNION ALL SELECT 'district', " NAME_OF("(SELECT district FROM forum_at WHERE nid = ?)"),
};

tsg_status_t qry_exec_show(qry_session_t *s, const ast_stmt_t *st)
{
    const qry_name_t *n;
    /* The name of the day finds the node (an old name AS OF a day it had it). */
    tsg_status_t rc = qry_node_ref(s, st->a, QRY_ANY | QRY_DAY_NAMES, &n);
    if (rc) return rc;
    int64_t nid = n->nid;
    /* A node is found by its name whatever the day; shown only on a day it
     * exists (the statement's AS OF, .asof, or today). */
    sqlite3_stmt *ex;
    if (sqlite3_prepare_v2(s->sql, "SELECT 1 FROM node_at WHERE nid = ?", -1, &ex, NULL) != SQLITE_OK)
        return qry_fail_sql(s, &st->kw);
    sqlite3_bind_int64(ex, 1, nid);
    int step = sqlite3_step(ex);
    sqlite3_finalize(ex);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return qry_fail_sql(s, &st->kw);
    if (step == SQLITE_DONE) {
        char day[16];
        qry_day_text(s, day);
        return qry_fail(s, &st->a->v->tok, _("'%s' did not exist on %s (it began later or was removed before)"), n->name,
                        day);
    }
    /* The title names the node as the day does, as its first table does:
     * n->name is the file's, which a change dated later has already set. */
    char title[600], *name = NULL;
    static const char title_sql[] = "SELECT " NAME_OF("?1");
    if (sqlite3_prepare_v2(s->sql, title_sql, -1, &ex, NULL) != SQLITE_OK) return qry_fail_sql(s, &st->kw);
    sqlite3_bind_int64(ex, 1, nid);
    if ((step = sqlite3_step(ex)) == SQLITE_ROW && sqlite3_column_text(ex, 0))
        name = util_strdup((const char *)sqlite3_column_text(ex, 0));
    sqlite3_finalize(ex);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return qry_fail_sql(s, &st->kw);
    static const char *const titled[] = {"", N_("district %s"), N_("organisation %s"), N_("program %s"), N_("forum %s")};
    util_snprintf(title, sizeof title, _(titled[n->type]), name ? name : n->name);
    free(name);
    if ((rc = show_sql(s, &st->kw, title, show_attrs[n->type], nid))) return rc;
    if (n->type == QRY_ORGANISATION &&
        (rc = show_sql(s, &st->kw, NC_("SHOW table", "programs"),
                       "SELECT nn.id AS id, p.name AS name FROM program_at p JOIN node nn ON nn.nid = p.nid"
                       " WHERE p.org = ? ORDER BY p.nid", nid)))
        return rc;
    if (n->type == QRY_DISTRICT &&
        (rc = show_sql(s, &st->kw, NC_("SHOW table", "districts below"),
                       "SELECT nn.id AS id, d.name AS name, d.level AS level FROM " QRY_DISTRICT_AT " d JOIN node nn ON nn.nid = d.nid"
                       " WHERE d.parent = ? ORDER BY d.nid", nid)))
        return rc;
    if (n->type == QRY_DISTRICT) return TSG_OK;
    /* Ties: → out, ← in, — undirected either way. An organisation's ties
     * include its programs' (named under "via"), as the network sees them. */
    if ((rc = show_sql(s, &st->kw, NC_("SHOW table", "ties"),
                       "WITH own(nid) AS (SELECT ? UNION ALL SELECT nid FROM program_at WHERE org = ?)"
                       " SELECT CASE WHEN t.directed = 0 THEN '—' WHEN t.src IN own THEN '→' ELSE '←' END AS dir,"
                       " t.kind AS kind, (SELECT name FROM program_at WHERE nid = CASE WHEN t.src IN own THEN t.src ELSE t.dst END AND nid <> ?) AS via,"
                       " " NAME_OF("CASE WHEN t.src IN own THEN t.dst ELSE t.src END") " AS other,"
                       " (SELECT id FROM node WHERE nid = CASE WHEN t.src IN own THEN t.dst ELSE t.src END) AS other_id,"
                       " t.count AS count, t.since AS since FROM tie_at t WHERE (t.src IN own OR t.dst IN own)"
                       " AND t.kind <> 'membership' ORDER BY t.tid", nid)))
        return rc;
    if (n->type == QRY_ORGANISATION)
        return show_sql(s, &st->kw, NC_("SHOW table", "forums"),
                        "SELECT nn.id AS id, f.name AS name, f.kind AS kind FROM tie_at t JOIN forum_at f ON f.nid = t.dst"
                        " JOIN node nn ON nn.nid = f.nid WHERE t.src = ? AND t.kind = 'membership' ORDER BY t.tid", nid);
    if (n->type == QRY_FORUM)
        return show_sql(s, &st->kw, NC_("SHOW table", "members"),
                        "SELECT nn.id AS id, o.name AS name, o.sector AS sector FROM tie_at t JOIN organisation_at o ON o.nid = t.src"
                        " JOIN node nn ON nn.nid = o.nid WHERE t.dst = ? AND t.kind = 'membership' ORDER BY t.tid", nid);
    return TSG_OK;
}
