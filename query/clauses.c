/*
 * clauses — reading a statement's clause list against the table of the
 * clauses it takes (qry_clause_spec_t): each word found once, unknown and
 * repeated words refused with the list of what the statement takes.
 */
#include "query.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Finds each clause of the statement in `spec` (by word, ignoring width and
 * case); found[i] is the clause for spec[i] or NULL. Unknown and repeated
 * clauses are errors. */
tsg_status_t qry_clauses_read(qry_session_t *s, const ast_stmt_t *st, const char *what, const qry_clause_spec_t *spec,
                                 const ast_clause_t **found)
{
    size_t n = 0;
    while (spec[n].name) found[n++] = NULL;
    for (const ast_clause_t *c = st->clauses; c; c = c->next) {
        char *word = util_strndup(c->key.z, c->key.n), *f = word ? util_fold(word) : NULL;
        free(word);
        if (!f) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
        size_t i = 0;
        while (i < n && strcasecmp(f, spec[i].name)) i++;
        free(f);
        if (i == n) {
            util_buf_t list = {0};
            for (size_t k = 0; k < n; k++) util_buf_printf(&list, "%s%s", k ? ", " : "", spec[k].usage);
            tsg_status_t rc = qry_fail(s, &c->key, "%s takes %s; not '%.*s'", what, list.data ? list.data : "",
                                       (int)c->key.n, c->key.z);
            util_buf_free(&list);
            return rc;
        }
        if (found[i]) return qry_fail(s, &c->key, "%s is given twice", spec[i].name);
        found[i] = c;
    }
    return TSG_OK;
}

tsg_status_t qry_one_value(qry_session_t *s, const ast_clause_t *c)
{
    if (c->v && c->v->next) return qry_fail(s, &c->v->next->tok, "%.*s takes one value", (int)c->key.n, c->key.z);
    return TSG_OK;
}

tsg_status_t qry_need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage)
{
    return c ? TSG_OK : qry_fail(s, &st->kw, "%.*s needs %s", (int)st->kw.n, st->kw.z, usage);
}
