/*
 * eval_paths — PATH and REACH: the endpoints resolved to nodes (an
 * organisation with its programs), the walk done by the engine
 * (engine/paths.c), its steps and hops turned into result sets.
 */
#include "choices.h"
#include "paths.h"
#include "query.h"
#include "result.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* Where a walk may start or end: organisations and programs (an
 * organisation stands for itself and its programs). */
#define ENDS ((1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM))

static tsg_status_t via_clause(qry_session_t *s, const ast_clause_t *c, int *any)
{
    *any = 0;
    if (!c) return TSG_OK;
    const char *v;
    int near, k = qry_choice(s, c->v, qry_via_words, &v, &near);
    if (k == -2) return s->ctx.code;
    if (k < 0) return qry_fail(s, &c->v->tok, _("VIA takes referral or any, not '%s'"), v);
    *any = k == 1;
    return TSG_OK;
}

/* MAX k and WITHIN k HOPS are two words for one clause: given both, the
 * second is an error, as a field clause's second name is (clauses.c),
 * rather than one of them silently ignored. */
static tsg_status_t hops_clause(qry_session_t *s, ast_clause_t *const *cl, int dflt, int *out)
{
    const ast_clause_t *c = cl[AST_CL_WITHIN] ? cl[AST_CL_WITHIN] : cl[AST_CL_MAX];
    *out = dflt;
    if (cl[AST_CL_WITHIN] && cl[AST_CL_MAX]) {
        const gram_token_t *w = &cl[AST_CL_WITHIN]->key, *m = &cl[AST_CL_MAX]->key;
        const gram_token_t *later = w->z > m->z ? w : m, *first = later == w ? m : w;
        return qry_fail(s, later, _("%.*s repeats %.*s (they mean the same)"), (int)later->n, later->z, (int)first->n,
                        first->z);
    }
    if (!c) return TSG_OK;
    long k;
    tsg_status_t rc = qry_number(s, c->v, &k);
    if (rc) return rc;
    if (k < 0 || k > UTIL_MAX_HOPS) return qry_fail(s, &c->v->tok, _("hops run from 0 to %d"), UTIL_MAX_HOPS);
    *out = (int)k;
    return TSG_OK;
}

static const char *const tie_kind_name[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};

static tsg_status_t exec_path(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    int any, max;
    if ((rc = qry_need_clause(s, st, c[AST_CL_FROM], "FROM 'name'")) ||
        (rc = qry_need_clause(s, st, c[AST_CL_TO], "TO 'name'")) || (rc = via_clause(s, c[AST_CL_VIA], &any)) ||
        (rc = hops_clause(s, c, 6, &max)) ||
        (rc = qry_network_parts(s, QRY_NET_WALK | QRY_NET_TIES, &net)))
        return rc;
    int64_t *from = NULL, *to = NULL;
    size_t nfrom, nto;
    if ((rc = qry_node_set(s, c[AST_CL_FROM]->node, ENDS, 1, net, &from, &nfrom)) ||
        (rc = qry_node_set(s, c[AST_CL_TO]->node, ENDS, 1, net, &to, &nto))) {
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
    /* tie is the kind's key; tie_label what people read (qry_result_keyed). */
    static const char *const cols[] = {NC_("column", "path"), NC_("column", "step"),      NC_("column", "from"),
                                       NC_("column", "tie"),  NC_("column", "tie_label"), NC_("column", "count"),
                                       NC_("column", "to"),   NC_("column", "to_id")};
    tsg_result_t *r = qry_result_new(NULL, 8, cols);
    if (r && qry_result_keyed(r, 3, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    for (size_t p = 0; r && p < npaths; p++)
        for (int k = 0; r && k < paths[p].len; k++) {
            char pn[24], sn[16], cn[24];
            snprintf(pn, sizeof pn, "%zu", p + 1);
            snprintf(sn, sizeof sn, "%d", k + 1);
            const eng_tie_t *t = &net->ties[paths[p].ties[k]];
            if (t->count >= 0) snprintf(cn, sizeof cn, "%ld", (long)t->count);
            int64_t a = paths[p].nodes[k], b = paths[p].nodes[k + 1];
            const char *kind = tie_kind_name[t->kind];
            const char *cells[8] = {pn, sn, net->name[a], kind, store_vocab_label(&s->vocab, "tie_kind", kind),
                                    t->count >= 0 ? cn : NULL, net->name[b], net->id[b]};
            r = qry_result_row(r, cells);
        }
    if (r) r->right[0] = r->right[1] = r->right[5] = 1;
    r = qry_suppress(s, r, "count");
    int here = npaths && paths[0].len == 0;
    int64_t where = here ? paths[0].nodes[0] : 0;
    eng_paths_free(paths, npaths);
    if (here) {
        tsg_result_free(r);
        return qry_emit_done(s, _("'%s' is already where the path ends: no ties needed"), net->name[where]);
    }
    if (r && !r->nrows) {
        tsg_result_free(r);
        return any ? qry_emit_done(s, _("no path of at most %d ties"), max)
                   : qry_emit_done(s, _("no referral path of at most %d ties"), max);
    }
    return qry_emit(s, r);
}

/* REACH's walk: from the FROM nodes (a set: from its nearest member) or,
 * with TO, backwards to the TO nodes; *keep (NULL: all) marks the programs
 * a WHERE keeps. */
static tsg_status_t reach_walk(qry_session_t *s, const ast_stmt_t *st, const eng_net_t **net, eng_hop_t **hops,
                               size_t *nhops, int **keep)
{
    ast_clause_t *const *c = st->cl;
    tsg_status_t rc;
    int any, max;
    *hops = NULL;
    *keep = NULL;
    if (c[AST_CL_FROM] && c[AST_CL_TO])
        return qry_fail(s, &c[AST_CL_TO]->key, _("REACH goes FROM nodes or TO them, not both; use PATH FROM … TO …"));
    const ast_clause_t *end = c[AST_CL_FROM] ? c[AST_CL_FROM] : c[AST_CL_TO];
    if ((rc = qry_need_clause(s, st, end, "FROM 'name' or TO 'name'")) || (rc = via_clause(s, c[AST_CL_VIA], &any)) ||
        (rc = hops_clause(s, c, 3, &max)) ||
        /* A walk backwards asks whether a tie is directed (engine/paths.c). */
        (rc = qry_network_parts(s, QRY_NET_WALK | (c[AST_CL_TO] ? QRY_NET_TIES : 0), net)))
        return rc;
    int64_t *from;
    size_t nfrom;
    if ((rc = qry_node_set(s, end->node, ENDS, 1, *net, &from, &nfrom))) return rc;
    tsg_error_t err = {0};
    rc = c[AST_CL_TO] ? eng_reach_to(*net, from, nfrom, any, max, hops, nhops, &err)
                      : eng_reach(*net, from, nfrom, any, max, hops, nhops, &err);
    free(from);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    /* WHERE keeps the reached programs that match it (a program condition). */
    if (st->where) {
        ast_stmt_t find = {.kind = AST_FIND, .kw = st->kw, .where = st->where};
        find.what = st->kw;
        rc = qry_match_programs(s, &find, (*net)->maxnid, keep);
        if (rc) {
            free(*hops);
            *hops = NULL;
            return rc;
        }
    }
    return TSG_OK;
}

tsg_status_t qry_reach_nodes(qry_session_t *s, const ast_stmt_t *st, int64_t **nids, size_t *n)
{
    const eng_net_t *net;
    eng_hop_t *hops;
    size_t nhops;
    int *keep;
    *nids = NULL;
    *n = 0;
    tsg_status_t rc = reach_walk(s, st, &net, &hops, &nhops, &keep);
    if (rc) return rc;
    int64_t *v = malloc((nhops ? nhops : 1) * sizeof *v);
    if (!v) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    for (size_t i = 0; v && i < nhops; i++)
        if (hops[i].dist && !(keep && !keep[hops[i].node])) v[(*n)++] = hops[i].node;
    free(hops);
    free(keep);
    *nids = v;
    return rc;
}

static tsg_status_t exec_reach(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net;
    eng_hop_t *hops;
    size_t nhops;
    int *keep;
    tsg_status_t rc = reach_walk(s, st, &net, &hops, &nhops, &keep);
    if (rc) return rc;
    /* Backwards, a hop's `via` is the next node on the way to the target.
     * type is the node type's key; type_label what people read. */
    static const char *const cols[] = {NC_("column", "hops"), NC_("column", "type"), NC_("column", "type_label"),
                                       NC_("column", "id"),   NC_("column", "name"), NC_("column", "via")};
    static const char *const back_cols[] = {NC_("column", "hops"), NC_("column", "type"), NC_("column", "type_label"),
                                            NC_("column", "id"),   NC_("column", "name"), NC_("column", "next")};
    /* English leaves type_label out (qry_result_keyed): left out from the
     * start, not dropped from every row afterwards (qry_result_compact). */
    const char *const *names = st->cl[AST_CL_TO] ? back_cols : cols;
    const char *const english[5] = {names[0], names[1], names[3], names[4], names[5]};
    tsg_result_t *r = s->ja ? qry_result_new(NULL, 6, names) : qry_result_new(NULL, 5, english);
    if (r && s->ja && qry_result_keyed(r, 1, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    const char *hs = NULL; /* the hops, written once a level and shared by its rows */
    int hs_dist = -1;      /* the level hs says: the hop before a row may be one WHERE dropped */
    /* The three nouns looked up once: the catalogue's lookup takes a lock,
     * and a national REACH lists thousands of rows. */
    const char *noun[3] = {qry_type_noun(QRY_PROGRAM), qry_type_noun(QRY_ORGANISATION), qry_type_noun(QRY_FORUM)};
    /* Each row written in place, every cell borrowed: the result's own
     * text, literals, the catalogue's and the network's. */
    size_t most = nhops, k = 0;
    char **row = r ? qry_result_room(r, &most) : NULL;
    if (!row && r) {
        tsg_result_free(r);
        r = NULL;
    }
    /* The network's arrays and the language in locals: the rows' stores
     * could alias them, and every row would read them again. */
    char *const *ids = net->id, *const *names_of = net->name;
    const unsigned char *types = net->type;
    const int ja = s->ja;
    /* The type's place in type[] and noun[] by ENG_* (a node reached is an
     * organisation, a program or a forum). */
    static const unsigned char place[8] = {2, 2, 1, 0, 2, 2, 2, 2};
    static const char *const type[3] = {"program", "organisation", "forum"};
    for (size_t i = 0; row && i < nhops && k < most; i++) {
        int32_t n = hops[i].node;
        if (i + 8 < nhops) { /* what the rows a little ahead will read, fetched meanwhile */
            __builtin_prefetch(&ids[hops[i + 8].node]);
            __builtin_prefetch(&names_of[hops[i + 8].node]);
            __builtin_prefetch(&types[hops[i + 8].node]);
        }
        if (!hops[i].dist || (keep && !keep[n])) continue;
        if (hs_dist != hops[i].dist) {
            hs_dist = hops[i].dist;
            char text[16];
            snprintf(text, sizeof text, "%d", hops[i].dist);
            if (!(hs = qry_result_text(r, text))) {
                tsg_result_free(r);
                r = NULL;
                break;
            }
        }
        unsigned qt = place[types[n] & 7];
        char **c = row;
        *c++ = (char *)hs;
        *c++ = (char *)type[qt];
        if (ja) *c++ = (char *)noun[qt];
        *c++ = ids[n];
        *c++ = names_of[n];
        *c++ = names_of[hops[i].via];
        row = c;
        k++;
    }
    if (r) qry_result_filled(r, k);
    if (r) r->right[0] = 1;
    free(hops);
    free(keep);
    return qry_emit(s, r);
}
tsg_status_t qry_exec_paths(qry_session_t *s, const ast_stmt_t *st)
{
    return st->kind == AST_PATH ? exec_path(s, st) : exec_reach(s, st);
}
