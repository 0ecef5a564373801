/*
 * mutate_period — when a node exists, as the writing statements see it
 * (issue 21): REMOVE … ON ends a node; a change dated on or after a node's
 * end is refused (the row would change where no reader looks); and ADD
 * with the id of an ended organisation or forum begins its next period,
 * the earlier one kept in `history` as the old values of since and until,
 * so that a day between the periods does not see it (decisions.md,
 * "Issue 21: history and AS OF, the remaining parts").
 */
#include "clauses.h"
#include "period.h"
#include "mutate.h"
#include "query.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <string.h>

/* REMOVE … ON date: the node ends that day (until, exclusive) and stays in
 * the history; an organisation's programs and every tie of the node and of
 * those programs end with it. */
tsg_status_t qry_mut_end_node(mut_t *m, const char *date)
{
    static const char *const period_sql[] = {
        [QRY_ORGANISATION] = "SELECT since, until FROM organisation WHERE nid = ?1",
        [QRY_PROGRAM] = "SELECT NULL, until FROM program WHERE nid = ?1",
        [QRY_FORUM] = "SELECT since, until FROM forum WHERE nid = ?1",
    };
    static const char *const end_sql[] = {
        [QRY_ORGANISATION] = "UPDATE organisation SET until = ?2 WHERE nid = ?1",
        [QRY_PROGRAM] = "UPDATE program SET until = ?2 WHERE nid = ?1",
        [QRY_FORUM] = "UPDATE forum SET until = ?2 WHERE nid = ?1",
    };
    qry_session_t *s = m->s;
    const gram_token_t *at = m->f[QRY_F_ON].c ? &m->f[QRY_F_ON].c->key : &m->st->kw;
    int64_t nid = m->node->nid;
    if (m->type == QRY_DISTRICT)
        return qry_fail(s, at, _("a district is not dated: it cannot end ON a date (REMOVE it without ON once nothing uses it)"));
    row_t r;
    tsg_status_t st = qry_mut_sql(m, period_sql[m->type], QRY_BINDS(qry_b_num(nid)), &r);
    if (st) return st;
    if (r.text[1])
        return qry_fail(s, &m->st->a->v->tok, _("'%s' (%s) already ended on %s"), m->node->name, m->node->id, r.text[1]);
    if (r.text[0] && util_date_first(r.text[0]) >= util_date_first(date))
        return qry_fail(s, at, _("'%s' (%s) begins on %s: it cannot end on %s"), m->node->name, m->node->id, r.text[0], date);
    /* A tie that begins on or after the day cannot end then (UNTIE … ON
     * refuses the same): its row would end before it begins, which
     * store_check calls damaged and an exported folder's import refuses. */
    if ((st = qry_mut_sql(m, "SELECT s.id, d.id, t.since FROM tie t JOIN node s ON s.nid = t.src JOIN node d ON d.nid = t.dst"
                             " WHERE t.until IS NULL AND tsg_day(t.since) >= tsg_day(?2) AND (t.src = ?1 OR t.dst = ?1"
                             " OR t.src IN (SELECT nid FROM program WHERE org = ?1) OR t.dst IN (SELECT nid FROM program WHERE org = ?1))"
                             " ORDER BY tsg_day(t.since) DESC, t.tid LIMIT 1",
                          QRY_BINDS(qry_b_num(nid), qry_b_text(date)), &r)))
        return st;
    if (r.text[0])
        return qry_fail(s, at, _("the tie from '%1$s' to '%2$s' begins on %3$s: '%4$s' (%5$s) can end only after then, not on %6$s"),
                        r.text[0], r.text[1], r.text[2], m->node->name, m->node->id, date);
    if ((st = qry_mut_sql(m, end_sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_text(date)), NULL)) ||
        (m->type == QRY_ORGANISATION &&
         (st = qry_mut_sql(m, "UPDATE program SET until = ?2 WHERE org = ?1 AND until IS NULL",
                           QRY_BINDS(qry_b_num(nid), qry_b_text(date)), NULL))))
        return st;
    int64_t programs = m->type == QRY_ORGANISATION ? m->changes : 0;
    if ((st = qry_mut_sql(m, "UPDATE tie SET until = ?2 WHERE until IS NULL AND (src = ?1 OR dst = ?1"
                             " OR src IN (SELECT nid FROM program WHERE org = ?1) OR dst IN (SELECT nid FROM program WHERE org = ?1))",
                          QRY_BINDS(qry_b_num(nid), qry_b_text(date)), NULL)))
        return st;
    int64_t ties = m->changes;
    if (m->type == QRY_ORGANISATION)
        util_snprintf(m->msg, sizeof m->msg,
                      _("ended %1$s '%2$s' (%3$s) on %4$s, with %5$lld of its programs and %6$lld ties"),
                      qry_type_noun(m->type), m->node->name, m->node->id, date, (long long)programs, (long long)ties);
    else
        util_snprintf(m->msg, sizeof m->msg, _("ended %1$s '%2$s' (%3$s) on %4$s, with its %5$lld ties"),
                      qry_type_noun(m->type), m->node->name, m->node->id, date, (long long)ties);
    return TSG_OK;
}


/* The day n's row (or, for a program, its organisation's) ended, when that
 * is on or before day; NULL when n exists then or was never dated
 * (tsg_ended_by, store/period.c: TIE asks the same). */
static tsg_status_t ended_by(mut_t *m, const qry_name_t *n, const char *day, const char **until)
{
    row_t r;
    tsg_status_t st = qry_mut_sql(m, "SELECT tsg_ended_by(?1, ?2)", QRY_BINDS(qry_b_num(n->nid), qry_b_text(day)), &r);
    *until = st ? NULL : r.text[0];
    return st;
}

tsg_status_t qry_mut_not_ended(mut_t *m, const qry_name_t *n, const char *day, const gram_token_t *at, int as_owner)
{
    const char *until;
    tsg_status_t st = ended_by(m, n, day, &until);
    if (st || !until) return st;
    if (as_owner)
        return qry_fail(m->s, at, _("'%1$s' (%2$s) ended on %3$s, so no program can be given to it on %4$s"), n->name, n->id,
                        until, day);
    return qry_fail(m->s, at,
                    _("'%1$s' (%2$s) ended on %3$s, so it cannot be changed on %4$s (ADD it again with its ID and ON to "
                      "begin a new period)"),
                    n->name, n->id, until, day);
}

const qry_name_t *qry_mut_returning(mut_t *m)
{
    static const char *const ended_sql[] = {
        [QRY_ORGANISATION] = "SELECT count(*) FROM organisation WHERE nid = ?1 AND until IS NOT NULL",
        [QRY_FORUM] = "SELECT count(*) FROM forum WHERE nid = ?1 AND until IS NOT NULL",
    };
    if (m->type != QRY_ORGANISATION && m->type != QRY_FORUM) return NULL;
    const ast_clause_t *id = NULL;
    for (const ast_clause_t *c = m->st->clauses; c; c = c->next)
        if (c->fold && !strcmp(c->fold, "id") && c->v && (c->v->kind == AST_V_STRING || c->v->kind == AST_V_WORD)) id = c;
    if (!id) return NULL;
    const qry_name_t *n = qry_name_find(m->s, id->v->text, 0, 1u << m->type, NULL);
    row_t r;
    if (!n || qry_mut_sql(m, ended_sql[m->type], QRY_BINDS(qry_b_num(n->nid)), &r) || !r.num[0]) return NULL;
    return n;
}

tsg_status_t qry_mut_reopen(mut_t *m, const char *day, const char **was)
{
    static const char *const period_sql[] = {
        [QRY_ORGANISATION] = "SELECT since, until FROM organisation WHERE nid = ?1",
        [QRY_FORUM] = "SELECT since, until FROM forum WHERE nid = ?1",
    };
    int64_t nid = m->node->nid;
    row_t r;
    tsg_status_t st = qry_mut_sql(m, period_sql[m->type], QRY_BINDS(qry_b_num(nid)), &r);
    if (st) return st;
    *was = r.text[1];
    const gram_token_t *at = m->f[QRY_F_ON].c ? &m->f[QRY_F_ON].c->key : &m->st->kw;
    if (util_date_first(day) < util_date_first(r.text[1]))
        return qry_fail(m->s, at, _("'%1$s' (%2$s) ends on %3$s: it can begin again on that day or later, not on %4$s"),
                        m->node->name, m->node->id, r.text[1], day);
    /* The earlier period, as the old values of since and until (the same
     * as import --as-of's return, store/period.c). */
    tsg_error_t err = {0};
    if (store_reopen(m->s->sql, m->type == QRY_ORGANISATION ? "organisation" : "forum", nid, day, &err))
        return gram_fail(&m->s->ctx, err.code, at, "%s", err.text);
    return TSG_OK;
}

tsg_status_t qry_mut_rename(mut_t *m, const char *name, const char *day)
{
    static const char *const name_sql[] = {
        [QRY_ORGANISATION] = "UPDATE organisation SET name = ?2 WHERE nid = ?1 AND name IS NOT ?2",
        [QRY_FORUM] = "UPDATE forum SET name = ?2 WHERE nid = ?1 AND name IS NOT ?2",
    };
    if (!strcmp(name, m->node->name)) return TSG_OK;
    tsg_status_t st = qry_mut_sql(m, "INSERT INTO history(nid, field, value, until) VALUES (?1, 'name', ?2, ?3)",
                                  QRY_BINDS(qry_b_num(m->node->nid), qry_b_text(m->node->name), qry_b_text(day)), NULL);
    return st ? st : qry_mut_sql(m, name_sql[m->type], QRY_BINDS(qry_b_num(m->node->nid), qry_b_text(name)), NULL);
}
