/*
 * eval_paths — PATH and REACH: the endpoints resolved to nodes (an
 * organisation with its programs), the walk done by the engine
 * (engine/paths.c), its steps and hops turned into result sets.
 */
#include "paths.h"
#include "query.h"
#include "result.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { P_FROM, P_TO, P_VIA, P_MAX, P_WITHIN, P_COUNT };

static const qry_clause_spec_t path_spec[] = {
    {"from", "FROM 'name'"}, {"to", "TO 'name'"}, {"via", "VIA referral|any"}, {"max", "MAX k"},
    {"within", "WITHIN k HOPS"}, {NULL, NULL},
};

/* A node and, for an organisation, its programs: where a path may start or end. */
static tsg_status_t endpoint(qry_session_t *s, const eng_net_t *net, const ast_clause_t *c, int64_t **out, size_t *n)
{
    tsg_status_t rc = qry_one_value(s, c);
    const qry_name_t *node;
    if (rc || (rc = qry_node(s, c->v, NULL, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM), &node))) return rc;
    int64_t *v = malloc(((size_t)net->maxnid + 1) * sizeof *v);
    if (!v) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    size_t k = 0;
    v[k++] = node->nid;
    if (node->type == QRY_ORGANISATION)
        for (int32_t i = net->first_prog[node->nid]; i >= 0; i = net->next_prog[i]) v[k++] = net->programs[i].nid;
    *out = v;
    *n = k;
    return TSG_OK;
}

static tsg_status_t via_clause(qry_session_t *s, const ast_clause_t *c, int *any)
{
    *any = 0;
    if (!c) return TSG_OK;
    tsg_status_t rc = qry_one_value(s, c);
    const char *v = rc ? NULL : qry_text(s, c->v, "referral or any");
    if (!v) return s->ctx.code;
    if (!strcasecmp(v, "any")) *any = 1;
    else if (strcasecmp(v, "referral")) return qry_fail(s, &c->v->tok, "VIA takes referral or any, not '%s'", v);
    return TSG_OK;
}

static tsg_status_t hops_clause(qry_session_t *s, const ast_clause_t *c, int dflt, int *out)
{
    *out = dflt;
    if (!c) return TSG_OK;
    long k;
    tsg_status_t rc = qry_one_value(s, c);
    if (rc || (rc = qry_number(s, c->v, &k))) return rc;
    if (k < 0 || k > UTIL_MAX_HOPS) return qry_fail(s, &c->v->tok, "hops run from 0 to %d", UTIL_MAX_HOPS);
    *out = (int)k;
    return TSG_OK;
}

static const char *const tie_kind_name[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};

static tsg_status_t exec_path(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *c[P_COUNT];
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    int any, max;
    if ((rc = qry_clauses_read(s, st, "PATH", path_spec, c)) || (rc = qry_need_clause(s, st, c[P_FROM], "FROM 'name'")) ||
        (rc = qry_need_clause(s, st, c[P_TO], "TO 'name'")) || (rc = via_clause(s, c[P_VIA], &any)) ||
        (rc = hops_clause(s, c[P_MAX] ? c[P_MAX] : c[P_WITHIN], 6, &max)) || (rc = qry_network(s, &net)))
        return rc;
    int64_t *from = NULL, *to = NULL;
    size_t nfrom, nto;
    if ((rc = endpoint(s, net, c[P_FROM], &from, &nfrom)) || (rc = endpoint(s, net, c[P_TO], &to, &nto))) {
        free(from);
        return rc;
    }
    eng_path_t *paths;
    size_t npaths;
    tsg_error_t err = {0};
    rc = eng_paths(net, from, nfrom, to, nto, any, max, 10, &paths, &npaths, &err);
    free(from);
    free(to);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    static const char *const cols[] = {"path", "step", "from", "tie", "count", "to", "to_id"};
    tsg_result_t *r = qry_result_new(NULL, 7, cols);
    for (size_t p = 0; r && p < npaths; p++)
        for (int k = 0; r && k < paths[p].len; k++) {
            char pn[24], sn[16], cn[24];
            snprintf(pn, sizeof pn, "%zu", p + 1);
            snprintf(sn, sizeof sn, "%d", k + 1);
            const eng_tie_t *t = &net->ties[paths[p].ties[k]];
            if (t->count >= 0) snprintf(cn, sizeof cn, "%ld", t->count);
            int64_t a = paths[p].nodes[k], b = paths[p].nodes[k + 1];
            const char *cells[7] = {pn, sn, net->name[a], tie_kind_name[t->kind], t->count >= 0 ? cn : NULL,
                                    net->name[b], net->id[b]};
            r = qry_result_row(r, cells);
        }
    if (r) r->right[0] = r->right[1] = r->right[4] = 1;
    r = qry_suppress(s, r, "count");
    int here = npaths && paths[0].len == 0;
    int64_t where = here ? paths[0].nodes[0] : 0;
    eng_paths_free(paths, npaths);
    if (here) {
        tsg_result_free(r);
        return qry_emit_done(s, "'%s' is already where the path ends: no ties needed", net->name[where]);
    }
    if (r && !r->nrows) {
        tsg_result_free(r);
        return qry_emit_done(s, "no %s of at most %d ties", any ? "path" : "referral path", max);
    }
    return qry_emit(s, r);
}

static tsg_status_t exec_reach(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *c[P_COUNT];
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    int any, max;
    if ((rc = qry_clauses_read(s, st, "REACH", path_spec, c)) || (rc = qry_need_clause(s, st, c[P_FROM], "FROM 'name'")) ||
        (rc = via_clause(s, c[P_VIA], &any)) || (rc = hops_clause(s, c[P_WITHIN] ? c[P_WITHIN] : c[P_MAX], 3, &max)) ||
        (rc = qry_network(s, &net)))
        return rc;
    if (c[P_TO]) return qry_fail(s, &c[P_TO]->key, "REACH has no TO; use PATH FROM … TO …");
    int64_t *from;
    size_t nfrom;
    if ((rc = endpoint(s, net, c[P_FROM], &from, &nfrom))) return rc;
    eng_hop_t *hops;
    size_t nhops;
    tsg_error_t err = {0};
    rc = eng_reach(net, from, nfrom, any, max, &hops, &nhops, &err);
    free(from);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    /* WHERE keeps the reached programs that match it (a program condition). */
    int *keep = NULL;
    if (st->where) {
        ast_stmt_t find = {.kind = AST_FIND, .kw = st->kw, .where = st->where};
        find.what = st->kw;
        rc = qry_match_programs(s, &find, net->maxnid, &keep);
        if (rc) {
            free(hops);
            return rc;
        }
    }
    static const char *const cols[] = {"hops", "type", "id", "name", "via"};
    tsg_result_t *r = qry_result_new(NULL, 5, cols);
    const char *hs = NULL; /* the hops, written once a level and shared by its rows */
    for (size_t i = 0; r && i < nhops; i++) {
        int64_t n = hops[i].node;
        if (i + 8 < nhops) { /* what the rows a little ahead will read, fetched meanwhile */
            __builtin_prefetch(&net->id[hops[i + 8].node]);
            __builtin_prefetch(&net->name[hops[i + 8].node]);
            __builtin_prefetch(&net->type[hops[i + 8].node]);
        }
        if (!hops[i].dist || (keep && !keep[n])) continue;
        if (!hs || hops[i - 1].dist != hops[i].dist) {
            char text[16];
            snprintf(text, sizeof text, "%d", hops[i].dist);
            if (!(hs = qry_result_text(r, text))) {
                tsg_result_free(r);
                r = NULL;
                break;
            }
        }
        const char *type = net->type[n] == ENG_PROGRAM ? "program" : net->type[n] == ENG_ORGANISATION ? "organisation" : "forum";
        const char *cells[5] = {hs, type, net->id[n], net->name[n], net->name[hops[i].via]};
        r = qry_result_row_refs(r, cells, 0x1f); /* the result's own text, literals and the network's */
    }
    if (r) r->right[0] = 1;
    free(hops);
    free(keep);
    return qry_emit(s, r);
}
tsg_status_t qry_exec_paths(qry_session_t *s, const ast_stmt_t *st)
{
    return st->kind == AST_PATH ? exec_path(s, st) : exec_reach(s, st);
}
