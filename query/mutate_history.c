/*
 * mutate_history — what SET keeps of the values it replaces (issue 21): each
 * field a SET changes gets a row in `history` holding its old value, as the
 * CSV writes it, and the date the value held until (the statement's ON date,
 * else today). The loader (store/netread.c) gives a field at day d the value
 * of the history row with the smallest until > d, else the row's own.
 *
 * A value is kept as text: keys and numbers as they are, references
 * (organisation, district, parent) as the node's id, lists (targets, needs,
 * modes) as the CSV's ';' list, area as '*' or the districts' ids. The id
 * itself keeps no history: it names the node, and every reference to it
 * changes with it.
 */
#include "clauses.h"
#include "mutate.h"
#include "query.h"
#include "bounds.h"
#include "i18n.h"

#include <string.h>

/* Each clause's stored fields and how to read one as text (?1 = nid). */
static const struct {
    int clause, type; /* type 0: any */
    const char *field, *sql;
} fields[] = {
    {QRY_F_NAME, QRY_DISTRICT, "name", "SELECT name FROM district WHERE nid = ?1"},
    {QRY_F_NAME, QRY_ORGANISATION, "name", "SELECT name FROM organisation WHERE nid = ?1"},
    {QRY_F_NAME, QRY_PROGRAM, "name", "SELECT name FROM program WHERE nid = ?1"},
    {QRY_F_NAME, QRY_FORUM, "name", "SELECT name FROM forum WHERE nid = ?1"},
    {QRY_F_SECTOR, 0, "sector", "SELECT sector FROM organisation WHERE nid = ?1"},
    {QRY_F_KIND, 0, "kind", "SELECT kind FROM forum WHERE nid = ?1"},
    {QRY_F_LEVEL, 0, "level", "SELECT level FROM district WHERE nid = ?1"},
    {QRY_F_OF, 0, "org", "SELECT n.id FROM program p JOIN node n ON n.nid = p.org WHERE p.nid = ?1"},
    {QRY_F_FOR, 0, "targets",
     "SELECT group_concat(target, ';') FROM (SELECT target FROM program_target WHERE program = ?1 ORDER BY pos)"},
    {QRY_F_AGED, 0, "age_min", "SELECT age_min FROM program WHERE nid = ?1"},
    {QRY_F_AGED, 0, "age_max", "SELECT age_max FROM program WHERE nid = ?1"},
    {QRY_F_NEEDS, 0, "needs",
     "SELECT group_concat(need, ';') FROM (SELECT need FROM program_need WHERE program = ?1 ORDER BY pos)"},
    {QRY_F_MODES, 0, "modes",
     "SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode WHERE program = ?1 ORDER BY pos)"},
    {QRY_F_APPROACH, 0, "approach", "SELECT approach FROM program WHERE nid = ?1"},
    {QRY_F_AREA, 0, "area",
     "SELECT CASE WHEN (SELECT wide_area FROM program WHERE nid = ?1) THEN '*' ELSE (SELECT group_concat(id, ';')"
     " FROM (SELECT n.id FROM program_area a JOIN node n ON n.nid = a.district WHERE a.program = ?1 ORDER BY a.pos))"
     " END"},
    {QRY_F_IN_SYSTEM, 0, "in_system", "SELECT in_system FROM program WHERE nid = ?1"},
    {QRY_F_HOURS, 0, "hours", "SELECT hours FROM program WHERE nid = ?1"},
    {QRY_F_STARTS, 0, "starts", "SELECT starts FROM program WHERE nid = ?1"},
    {QRY_F_ENDS, 0, "ends", "SELECT ends FROM program WHERE nid = ?1"},
    {QRY_F_IN, QRY_DISTRICT, "parent", "SELECT n.id FROM district d JOIN node n ON n.nid = d.parent WHERE d.nid = ?1"},
    {QRY_F_IN, QRY_ORGANISATION, "district",
     "SELECT n.id FROM organisation o JOIN node n ON n.nid = o.district WHERE o.nid = ?1"},
    {QRY_F_IN, QRY_FORUM, "district", "SELECT n.id FROM forum f JOIN node n ON n.nid = f.district WHERE f.nid = ?1"},
};

#define NFIELDS (sizeof fields / sizeof fields[0])

static int applies(const mut_t *m, size_t k)
{
    return m->f[fields[k].clause].c && (!fields[k].type || fields[k].type == m->type);
}

tsg_status_t qry_mut_history_before(mut_t *m, int64_t nid, const char *until, const char **old)
{
    tsg_status_t st = TSG_OK;
    for (size_t k = 0; k < NFIELDS && !st; k++) {
        old[k] = NULL;
        if (!applies(m, k)) continue;
        /* A change is appended to the field's past: one dated before the
         * last change kept would have to rewrite what followed it. */
        row_t last;
        if ((st = qry_mut_sql(m, "SELECT until FROM history WHERE nid = ?1 AND field = ?2"
                                 " ORDER BY tsg_day(until) DESC LIMIT 1",
                              QRY_BINDS(qry_b_num(nid), qry_b_text(fields[k].field)), &last)))
            break;
        if (last.text[0] && util_date_first(last.text[0]) > util_date_first(until)) {
            const ast_clause_t *c = m->f[fields[k].clause].c;
            return qry_fail(m->s, &c->key, _("the %s of '%s' was already changed on %s: a change on %s cannot come before it"),
                            util_pgettext_ctx("field", qry_field_info[fields[k].clause].noun), m->node->name,
                            last.text[0], until);
        }
        row_t r;
        if ((st = qry_mut_sql(m, fields[k].sql, QRY_BINDS(qry_b_num(nid)), &r))) break;
        old[k] = r.text[0] ? r.text[0] : "";
    }
    return st;
}

tsg_status_t qry_mut_history_after(mut_t *m, int64_t nid, const char *until, const char **old)
{
    tsg_status_t st = TSG_OK;
    for (size_t k = 0; k < NFIELDS && !st; k++) {
        if (!old[k]) continue;
        row_t r;
        if ((st = qry_mut_sql(m, fields[k].sql, QRY_BINDS(qry_b_num(nid)), &r))) break;
        const char *now = r.text[0] ? r.text[0] : "";
        if (!strcmp(now, old[k])) continue; /* set to what it was: nothing to keep */
        /* An empty old value is stored as NULL: the field was not set. */
        st = qry_mut_sql(m, "INSERT INTO history(nid, field, value, until) VALUES (?1, ?2, ?3, ?4)",
                         QRY_BINDS(qry_b_num(nid), qry_b_text(fields[k].field), qry_b_text(*old[k] ? old[k] : NULL),
                                   qry_b_text(until)),
                         NULL);
    }
    return st;
}

size_t qry_mut_history_nfields(void) { return NFIELDS; }
