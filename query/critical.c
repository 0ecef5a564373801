/*
 * critical — CRITICAL [IN 'district'] [FOR target AGED a..b [NEEDS …]]
 * [TOP n]: every organisation ranked by what its loss would cost
 * (engine/critical.c computes it for all of them in one pass).
 */
#include "query.h"
#include "critical.h"
#include "result.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* Support lost first (cells opened, then reach cut), then people-routes
 * cut, then cut points; then, for the many whose loss cuts nothing, the
 * pairs of partners it alone introduces (brokerage), then its partners;
 * last the id, so the order is the same every run. */
static int by_cost(const void *a, const void *b)
{
    const eng_critical_t *x = a, *y = b;
    long sx = x->cells + x->reach, sy = y->cells + y->reach;
    if (sx != sy) return sx > sy ? -1 : 1;
    if (x->cells != y->cells) return x->cells > y->cells ? -1 : 1;
    if (x->pairs != y->pairs) return x->pairs > y->pairs ? -1 : 1;
    if (x->cut != y->cut) return x->cut > y->cut ? -1 : 1;
    if (x->brokered != y->brokered) return x->brokered > y->brokered ? -1 : 1;
    if (x->partners != y->partners) return x->partners > y->partners ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The needs and ages a loss would open, as "peer 18..39; place 30..39". */
static void opens(const qry_gaps_args_t *a, const eng_critical_t *e, util_buf_t *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
    for (int k = 0; k < a->q.nneeds; k++) {
        if (e->lo[k] < 0) continue;
        char ages[32];
        if (e->lo[k] == e->hi[k]) snprintf(ages, sizeof ages, C_("age range", "%d"), e->lo[k]);
        else snprintf(ages, sizeof ages, C_("age range", "%d..%d"), e->lo[k], e->hi[k]);
        util_buf_printf(b, _("%s%s %s"), b->len ? _("; ") : "", a->need_labels[k] ? a->need_labels[k] : a->needs[k],
                        ages);
    }
}

tsg_status_t qry_exec_critical(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    tsg_status_t rc;
    int64_t district = 0;
    long top = -1;
    if (c[AST_CL_IN]) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, c[AST_CL_IN]->node, 1u << QRY_DISTRICT, &d))) return rc;
        district = d->nid;
    }
    if (c[AST_CL_TOP] && (rc = qry_number(s, c[AST_CL_TOP]->v, &top))) return rc;
    const eng_net_t *net;
    const eng_graph_t *gr;
    if ((rc = qry_graph(s, st, district, 0, 0, NULL, 0, &net, &gr))) return rc;
    /* The cells: those of the district, or of every top district. */
    size_t nroots = 0;
    int64_t *roots = malloc(((size_t)net->maxnid + 1) * sizeof *roots);
    if (!roots) return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    if (district) roots[nroots++] = district;
    else
        for (int64_t d = 1; d <= net->maxnid; d++)
            if (net->type[d] == ENG_DISTRICT && !net->parent[d]) roots[nroots++] = d;
    qry_gaps_args_t a;
    memset(&a, 0, sizeof a);
    int group = c[AST_CL_FOR] || c[AST_CL_AGED] || c[AST_CL_NEEDS] || c[AST_CL_WITHIN] || c[AST_CL_BY] || c[AST_CL_ASOF];
    if (group && (rc = qry_gaps_args(s, st, nroots ? roots[0] : -1, &a))) {
        free(roots);
        return rc;
    }
    eng_critical_t *v;
    size_t n;
    tsg_error_t err = {0};
    rc = eng_critical(net, group ? &a.q : NULL, roots, nroots, gr, &v, &n, &err);
    free(roots);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (n) qsort(v, n, sizeof *v, by_cost); /* v is NULL when there is no organisation */
    static const char *const cols[] = {NC_("column", "rank"),   NC_("column", "id"),          NC_("column", "name"),
                                       NC_("column", "sector"), NC_("column", "cells"),       NC_("column", "reach"),
                                       NC_("column", "opens"),  NC_("column", "pairs_cut"),   NC_("column", "cut_point"),
                                       NC_("column", "cut_point_label"), NC_("column", "partners"),
                                       NC_("column", "brokered")};
    tsg_result_t *r = qry_result_new(NULL, 12, cols);
    if (r && qry_result_keyed(r, 8, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    util_buf_t b = {0};
    for (size_t i = 0; r && i < n && (top < 0 || (long)i < top); i++) {
        char rank[24], cells[24], reach[24], pairs[24], partners[24], brokered[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        snprintf(cells, sizeof cells, "%ld", v[i].cells);
        snprintf(reach, sizeof reach, "%ld", v[i].reach);
        snprintf(pairs, sizeof pairs, "%ld", v[i].pairs);
        snprintf(partners, sizeof partners, "%ld", v[i].partners);
        snprintf(brokered, sizeof brokered, "%ld", v[i].brokered);
        if (group) opens(&a, &v[i], &b);
        const char *sector = net->sector[v[i].org];
        const char *row[12] = {rank,
                               net->id[v[i].org],
                               net->name[v[i].org],
                               sector ? qry_label(s, "sector", sector) : NULL,
                               group ? cells : NULL,
                               group ? reach : NULL,
                               group && b.len ? b.data : NULL,
                               pairs,
                               v[i].cut ? "yes" : "no",
                               v[i].cut ? C_("cut point", "yes") : C_("cut point", "no"),
                               partners,
                               brokered};
        r = qry_result_row(r, row);
    }
    if (r) r->right[0] = r->right[4] = r->right[5] = r->right[7] = r->right[10] = r->right[11] = 1;
    util_buf_free(&b);
    free(v);
    return qry_emit(s, r);
}
