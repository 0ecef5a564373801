/*
 * eval — FIND, COUNT and LET: each statement becomes one SQL query over the
 * store, built from the per-kind field templates and conditions of where.c,
 * with every user value bound as a parameter (sqlbind.h; never spliced into
 * the SQL text). SHOW is in show.c, the SQL functions the templates call in
 * sqlfunc.c.
 *
 * Templates write '@' for the row's table alias; conditions nest (TIED TO
 * takes a condition on organisations) by giving each level its own alias.
 * District scoping uses the SQL function tsg_under(d, anc), answered from the
 * session's cache of district parents.
 */
#include "choices.h"
#include "where.h"
#include "query.h"
#include "sqlbind.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* The headers of the columns FIND's and COUNT's SQL names (the aliases in
 * qry_kinds[].select and exec_count), for xgettext: qry_result_new translates a
 * column's name (msgctxt "column") into its header. */
static const char *const sql_heads[] = {
    NC_("column", "targets"), NC_("column", "ages"),   NC_("column", "needs"),  NC_("column", "modes"),
    NC_("column", "area"),    NC_("column", "members"), NC_("column", "level"), NC_("column", "parent"),
    NC_("column", "since"),   NC_("column", "school_district"), NC_("column", "forum"),
    NC_("column", "forum_kind"), NC_("column", "tie_kind"), NC_("column", "verified"),
};
/* COUNT … BY a vocabulary: its key column is named for the kind. */
static const qry_keyed_col_t count_keyed[] = {{"sector", NC_("column", "sector_label"), "sector"},
                                              {"target", NC_("column", "target_label"), "target"},
                                              {"need", NC_("column", "need_label"), "need"},
                                              {"forum_kind", NC_("column", "forum_kind_label"), "forum_kind"},
                                              {"tie_kind", NC_("column", "tie_kind_label"), "tie_kind"},
                                              {"level", NC_("column", "level_label"), "level"},
                                              {NULL, NULL, NULL}};


/* ---- FIND, COUNT and LET --------------------------------------------------------------- */

typedef struct target {
    const kind_t *kind;
    const char *set;   /* FIND set_name: the set's name */
} target_t;

static tsg_status_t find_target(qry_session_t *s, const gram_token_t *what, target_t *t)
{
    t->set = NULL;
    t->kind = qry_find_kind(what->fold);
    if (t->kind) return TSG_OK;
    char *name = ast_alloc(&s->ctx, what->n + 1);
    if (!name) return s->ctx.code;
    memcpy(name, what->z, what->n);
    const char *type;
    tsg_status_t rc = qry_set_check(s, name, what, &type);
    if (rc) return rc;
    for (size_t i = 0; type && i < qry_nkinds; i++)
        if (!strcmp(qry_kinds[i].singular, type)) t->kind = &qry_kinds[i];
    if (t->kind) {
        t->set = name;
        return TSG_OK;
    }
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (size_t i = 0; i < qry_nkinds; i++) {
        size_t d = util_edit_distance(name, qry_kinds[i].plural);
        if (d < bd) {
            bd = d;
            best = qry_kinds[i].plural;
        }
    }
    if (bd <= 3) return qry_fail(s, what, _("unknown kind '%s' (did you mean %s?)"), name, best);
    return qry_fail(s, what, _("'%s' is neither a kind (organisations, programs, forums, districts, ties) nor a set made with LET"),
                    name);
}

/* FROM … WHERE … for a FIND or COUNT, into q, with the row alias "x". */
static tsg_status_t from_where(qry_session_t *s, qry_sql_t *q, const ast_stmt_t *st, const target_t *t)
{
    tsg_status_t rc;
    qry_sql_add(q, " FROM ");
    qry_sql_add_t(q, t->kind->from, "x");
    qry_sql_add(q, " WHERE 1");
    if (t->set) {
        qry_sql_add(q, " AND x.nid IN (SELECT nid FROM temp.tsg_set WHERE name = ?)");
        qry_sql_text(q, t->set);
    }
    if (st->where) {
        qry_sql_add(q, " AND ");
        if ((rc = qry_cond_sql(s, q, t->kind, "x", st->where))) return rc;
    }
    if (st->scope) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, st->scope, 1u << QRY_DISTRICT, &d))) return rc;
        qry_sql_add(q, " AND ");
        qry_sql_add_t(q, t->kind->scope, "x");
        for (int i = 0; i < t->kind->scope_binds; i++) qry_sql_int(q, d->nid);
    }
    return TSG_OK;
}

static tsg_status_t exec_find(qry_session_t *s, const ast_stmt_t *st)
{
    (void)sql_heads; /* read by xgettext only */
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    qry_sql_t q = {0};
    qry_sql_add(&q, "SELECT ");
    qry_sql_add_t(&q, t.kind->select, "x");
    if (!(rc = from_where(s, &q, st, &t))) {
        qry_sql_add(&q, t.kind->type ? " ORDER BY x.nid" : " ORDER BY x.tid");
        rc = qry_sql_emit_keyed(s, &q, &st->kw, NULL, t.kind->type ? NULL : "count", t.kind->keyed);
    }
    qry_sql_free(&q);
    return rc;
}

/* Runs one statement with up to two text parameters. */
/* LET s = REACH …: the nodes reached, into temp.tsg_set_new. A set holds
 * one kind of node: what REACH reached when it is all one kind, else the
 * organisations reached and those of the programs reached (an organisation
 * stands for itself and its programs, as in PATH and TIED TO); forums
 * reached among others are left out. */
static tsg_status_t let_reach(qry_session_t *s, const ast_stmt_t *st, const char *name, const kind_t **kind)
{
    int64_t *nids;
    size_t n;
    const eng_net_t *net;
    tsg_status_t rc = qry_reach_nodes(s, st->find, &nids, &n);
    if (rc || (rc = qry_network(s, &net))) {
        free(nids);
        return rc;
    }
    int type = n ? net->type[nids[0]] : QRY_ORGANISATION;
    for (size_t i = 1; i < n; i++)
        if (net->type[nids[i]] != type) type = QRY_ORGANISATION;
    for (size_t i = 0; i < qry_nkinds; i++)
        if (qry_kinds[i].type == type && qry_kinds[i].type) *kind = &qry_kinds[i];
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(s->sql, "INSERT OR IGNORE INTO temp.tsg_set_new(name, nid, type, id)"
                                   " SELECT ?1, n.nid, ?2, n.id FROM main.node n WHERE n.nid = ?3"
                                   " AND NOT EXISTS (SELECT 1 FROM temp.tsg_set_new g WHERE g.name = ?1 AND g.nid = n.nid)",
                           -1, &ins, NULL) != SQLITE_OK)
        rc = qry_fail_sql(s, &st->kw);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t nid = nids[i];
        if (net->type[nid] != type) nid = net->type[nid] == ENG_PROGRAM ? net->org_of[nid] : 0;
        if (!nid) continue;
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, (*kind)->singular, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, nid);
        if (sqlite3_step(ins) != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    free(nids);
    return rc;
}

static tsg_status_t exec_let(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_stmt_t *f = st->find;
    char *name = ast_alloc(&s->ctx, st->what.n + 1);
    if (!name) return s->ctx.code;
    memcpy(name, st->what.z, st->what.n);
    if (qry_find_kind(st->what.fold) || gram_keyword(name, strlen(name)))
        return qry_fail(s, &st->what, _("'%s' is a kind or a keyword; choose another name for the set"), name);
    target_t t = {0};
    tsg_status_t rc = f->kind == AST_REACH ? TSG_OK : find_target(s, &f->what, &t);
    if (rc) return rc;
    if (t.kind && !t.kind->type)
        return qry_fail(s, &f->what, _("a set holds organisations, programs, forums or districts, not ties"));
    /* The new rows are computed into a scratch table before the old set goes,
     * so a set can be remade from itself (LET a = FIND a WHERE …); the steps
     * run under one savepoint, so a failure leaves the old set as it was. */
    if (sqlite3_exec(s->sql, "SAVEPOINT tsg_let", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, &st->kw);
    if (f->kind == AST_REACH) {
        rc = let_reach(s, st, name, &t.kind);
    } else {
        qry_sql_t q = {0};
        qry_sql_add(&q, "INSERT INTO temp.tsg_set_new(name, nid, type, id) SELECT ?, x.nid, ?,"
                        " (SELECT n.id FROM main.node n WHERE n.nid = x.nid)");
        qry_sql_text(&q, name);
        qry_sql_text(&q, t.kind->singular);
        sqlite3_stmt *ins;
        if (!(rc = from_where(s, &q, f, &t)) && !(rc = qry_sql_prepare(s, &q, &st->kw, &ins))) {
            if (sqlite3_step(ins) != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
            sqlite3_finalize(ins);
        }
        qry_sql_free(&q);
    }
    if (!rc) rc = qry_sql_exec(s, &st->kw, "DELETE FROM temp.tsg_set WHERE name = ?1", QRY_BINDS(qry_b_text(name)));
    if (!rc) rc = qry_sql_exec(s, &st->kw, "INSERT OR REPLACE INTO temp.tsg_setname(name, type) VALUES (?1, ?2)",
                               QRY_BINDS(qry_b_text(name), qry_b_text(t.kind->singular)));
    if (!rc) rc = qry_sql_exec(s, &st->kw, "INSERT INTO temp.tsg_set(name, nid, type, id) SELECT name, nid, type, id"
                                           " FROM temp.tsg_set_new", NULL, 0);
    sqlite3_exec(s->sql, "DELETE FROM temp.tsg_set_new", NULL, NULL, NULL);
    if (rc) sqlite3_exec(s->sql, "ROLLBACK TO tsg_let", NULL, NULL, NULL);
    sqlite3_exec(s->sql, "RELEASE tsg_let", NULL, NULL, NULL);
    if (rc) return rc;
    sqlite3_stmt *cnt;
    long n = 0;
    if (sqlite3_prepare_v2(s->sql, "SELECT count(*) FROM temp.tsg_set WHERE name = ?", -1, &cnt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(cnt, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(cnt) == SQLITE_ROW) n = sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
    }
    /* A set holds nodes of one type (never ties): a whole sentence for each. */
    static const char *const made[][2] = {
        {"", ""}, {N_("%s: %ld district"), N_("%s: %ld districts")},
        {N_("%s: %ld organisation"), N_("%s: %ld organisations")}, {N_("%s: %ld program"), N_("%s: %ld programs")},
        {N_("%s: %ld forum"), N_("%s: %ld forums")}};
    return qry_emit_done(s, _(made[t.kind->type][n != 1]), name, n);
}

/* COUNT … BY: one row per key of the vocabulary (or per district of a
 * level, or per forum), zeros included: an empty row is often the finding.
 * Without BY, one row: the total. COUNT counts organisations, programs,
 * forums, ties or districts, never people, so nothing here is suppressed. */
static tsg_status_t exec_count(qry_session_t *s, const ast_stmt_t *st)
{
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    qry_sql_t q = {0};
    if (!st->by.n) {
        qry_sql_add(&q, "SELECT count(*) AS count");
        if (!(rc = from_where(s, &q, st, &t))) rc = qry_sql_emit(s, &q, &st->kw, NULL, NULL);
        qry_sql_free(&q);
        return rc;
    }
    /* The word after BY was folded once, by the tokenizer. */
    const char *fby = st->by.fold;
    if (!fby) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    int type = t.kind->type;
    const char *vocab = NULL, *match = NULL;
    const char *level = NULL; /* BY ward, BY school_district: the districts of that level */
    const char *forum = NULL; /* BY forum: how a row sits in forum v (membership is an organisation's) */
    /* The words BY takes are query/choices.c's, the ones Tab offers; the
     * chain below says what each means. */
    size_t wi = 0;
    while (qry_count_by_word(t.kind->plural, wi) && strcmp(qry_count_by_word(t.kind->plural, wi), fby)) wi++;
    const int offered = qry_count_by_word(t.kind->plural, wi) != NULL;
    if (!strcmp(fby, "sector") && type == QRY_ORGANISATION) vocab = "sector", match = "x.sector = v.key";
    else if (!strcmp(fby, "sector") && type == QRY_PROGRAM)
        vocab = "sector", match = "(SELECT sector FROM organisation_at WHERE nid = x.org) = v.key";
    else if (!strcmp(fby, "target") && type == QRY_PROGRAM)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program_target_at t WHERE t.program = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "target") && type == QRY_ORGANISATION)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program_at p JOIN program_target_at t ON t.program = p.nid"
                                  " WHERE p.org = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_PROGRAM)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program_need_at t WHERE t.program = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_ORGANISATION)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program_at p JOIN program_need_at t ON t.program = p.nid"
                                " WHERE p.org = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "kind") && type == QRY_FORUM) vocab = "forum_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "kind") && !type) vocab = "tie_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "level") && type == QRY_DISTRICT) vocab = "level", match = "x.level = v.key";
    else if (!strcmp(fby, "ward") && type && type != QRY_DISTRICT) level = "ward";
    else if (!strcmp(fby, "school_district") && type && type != QRY_DISTRICT) level = "school_district";
    else if (!strcmp(fby, "forum") && type == QRY_ORGANISATION)
        forum = "EXISTS (SELECT 1 FROM tie_at m WHERE m.kind = 'membership' AND m.src = x.nid AND m.dst = v.nid)";
    else if (!strcmp(fby, "forum") && type == QRY_PROGRAM)
        forum = "EXISTS (SELECT 1 FROM tie_at m WHERE m.kind = 'membership' AND m.src = x.org AND m.dst = v.nid)";
    if (!offered || (!vocab && !level && !forum))
        return qry_fail(s, &st->by,
                        _("%s cannot be counted by '%.*s' (organisations and programs: sector, ward, school_district, "
                           "forum, target, need; forums: kind, ward, school_district; ties: kind; districts: level; "
                           "or leave BY out for the total)"),
                        t.kind->plural, (int)st->by.n, st->by.z);
    if (level) {
        qry_sql_add(&q, "SELECT v.name AS ");
        qry_sql_add(&q, level);
        qry_sql_add(&q, ", (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        /* The same test as IN 'district', with the district as the value. */
        const char *scope = t.kind->scope;
        for (const char *p = scope; *p; p++) {
            if (*p == '@') qry_sql_add(&q, "x");
            else if (*p == '?') qry_sql_add(&q, "v.nid");
            else {
                char ch[2] = {*p, 0};
                qry_sql_add(&q, ch);
            }
        }
        qry_sql_add(&q, ") AS count FROM district v WHERE v.level = ? ORDER BY v.nid");
        qry_sql_text(&q, level);
    } else if (forum) {
        qry_sql_add(&q, "SELECT v.name AS forum, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        qry_sql_add(&q, forum);
        qry_sql_add(&q, ") AS count FROM forum_at v ORDER BY v.nid");
    } else {
        qry_sql_add(&q, "SELECT v.key AS ");
        qry_sql_add(&q, vocab);
        /* English keeps its 日本語 column, which scripts read (issue 19,
         * "machine-readable output stays stable"); Japanese shows the label
         * in place of the key and keeps both in CSV/JSON (<kind>_label). */
        qry_sql_add(&q, s->ja ? ", (SELECT count(*)" : ", v.label_ja AS 日本語, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        qry_sql_add(&q, match);
        qry_sql_add(&q, ") AS count FROM vocab v WHERE v.kind = ? ORDER BY v.rowid");
        qry_sql_text(&q, vocab);
    }
    rc = qry_sql_emit_keyed(s, &q, &st->kw, NULL, NULL, count_keyed);
out:
    qry_sql_free(&q);
    return rc;
}

tsg_status_t qry_match_programs(qry_session_t *s, const ast_stmt_t *st, int64_t maxnid, int **keep)
{
    *keep = calloc((size_t)maxnid + 1, sizeof **keep);
    if (!*keep) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    target_t t = {&qry_kinds[1], NULL};
    qry_sql_t q = {0};
    qry_sql_add(&q, "SELECT x.nid");
    tsg_status_t rc = from_where(s, &q, st, &t);
    sqlite3_stmt *sel;
    if (!rc && !(rc = qry_sql_prepare(s, &q, &st->kw, &sel))) {
        int step;
        while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
            int64_t nid = sqlite3_column_int64(sel, 0);
            if (nid >= 0 && nid <= maxnid) (*keep)[nid] = 1;
        }
        if (step != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
        sqlite3_finalize(sel);
    }
    qry_sql_free(&q);
    if (rc) {
        free(*keep);
        *keep = NULL;
    }
    return rc;
}

tsg_status_t qry_exec_read(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    switch (st->kind) {
    case AST_FIND: return exec_find(s, st);
    case AST_COUNT: return exec_count(s, st);
    case AST_SHOW: return qry_exec_show(s, st);
    case AST_LET: return exec_let(s, st);
    default: return qry_fail(s, &st->kw, _("not a reading statement"));
    }
}
