/*
 * changes_draw — RENDER CHANGES and REPORT CHANGES: the picture of what
 * COMPARE found and the council's page around it.
 */
#include "changes.h"

tsg_status_t qry_exec_render_changes(qry_session_t *s, const ast_stmt_t *st)
{
    return qry_fail(s, &st->kw, _("%.*s CHANGES needs TO 'file'"), (int)st->kw.n, st->kw.z);
}

tsg_status_t qry_exec_report_changes(qry_session_t *s, const ast_stmt_t *st)
{
    return qry_fail(s, &st->kw, _("%.*s CHANGES needs TO 'file'"), (int)st->kw.n, st->kw.z);
}
