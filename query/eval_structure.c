/*
 * eval_structure — HORIZONTAL, CENTRALITY, BROKERS and THIN LINKS: the
 * structure of the network over the igraph view (cache.c, qry_graph),
 * measured by the engine (engine/structure.c).
 */
#include "choices.h"
#include "query.h"
#include "result.h"
#include "structure.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* The pivots of SAMPLE n are drawn with this seed: the same statement on
 * the same network gives the same estimate. */
#define SAMPLE_SEED 20261124u

/* ---- HORIZONTAL and CENTRALITY ------------------------------------------------------- */

/* The sector set of a SECTORS clause (none: every sector). */
typedef struct sector_set {
    const char *v[64];
    int n;
} sector_set_t;

static tsg_status_t sector_clause(qry_session_t *s, const ast_clause_t *c, sector_set_t *set)
{
    set->n = 0;
    if (!c) return TSG_OK;
    for (const ast_value_t *v = c->v; v; v = v->next) {
        if (set->n == 64) return qry_fail(s, &v->tok, _("at most 64 sectors"));
        tsg_status_t rc = qry_key(s, v, "sector", &set->v[set->n]);
        if (rc) return rc;
        set->n++;
    }
    if (!set->n) return qry_fail(s, &c->key, _("SECTORS names at least one sector"));
    return TSG_OK;
}

static tsg_status_t scope(qry_session_t *s, const ast_clause_t *c, int64_t *district)
{
    *district = 0;
    if (!c) return TSG_OK;
    const qry_name_t *d;
    tsg_status_t rc = qry_node_ref(s, c->node, 1u << QRY_DISTRICT, &d);
    if (rc) return rc;
    *district = d->nid;
    return TSG_OK;
}

/* What the structure statements share: the district, the sector set and
 * TOP (the grammar says which statement takes which clause). */
typedef struct structure_args {
    int64_t district;
    sector_set_t sectors;
    long top;
} structure_args_t;

static tsg_status_t structure_args(qry_session_t *s, const ast_stmt_t *st, structure_args_t *a)
{
    tsg_status_t rc;
    a->top = -1;
    if ((rc = scope(s, st->cl[AST_CL_IN], &a->district)) || (rc = sector_clause(s, st->cl[AST_CL_SECTORS], &a->sectors)))
        return rc;
    if (st->cl[AST_CL_TOP] && (rc = qry_number(s, st->cl[AST_CL_TOP]->v, &a->top))) return rc;
    return TSG_OK;
}

static tsg_status_t graph(qry_session_t *s, const ast_stmt_t *st, int64_t district, int programs, int directed,
                          const sector_set_t *sectors, const eng_net_t **net, const eng_graph_t **gr)
{
    return qry_graph(s, st, district, programs, directed, sectors ? sectors->v : NULL, sectors ? sectors->n : 0, net,
                     gr);
}

/* The sector mixing matrix: ties between each pair of sectors present, in
 * the vocabulary's order (within a sector on the diagonal). */
static tsg_status_t emit_mixing(qry_session_t *s, const eng_net_t *net, const eng_graph_t *gr)
{
    const char *sectors[64];
    int ns = 0;
    for (size_t i = 0; i < s->vocab.n && ns < 64; i++) {
        if (strcmp(s->vocab.e[i].kind, "sector")) continue;
        for (igraph_integer_t v = 0; v < gr->n; v++)
            if (net->sector[gr->nid[v]] && !strcmp(net->sector[gr->nid[v]], s->vocab.e[i].key)) {
                sectors[ns++] = s->vocab.e[i].key;
                break;
            }
    }
    long *m = calloc((size_t)(ns * ns) + 1, sizeof *m);
    if (!m) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    for (igraph_integer_t e = 0; e < igraph_ecount(&gr->g); e++) {
        int a = -1, b = -1;
        const char *sa = net->sector[gr->nid[IGRAPH_FROM(&gr->g, e)]], *sb = net->sector[gr->nid[IGRAPH_TO(&gr->g, e)]];
        for (int k = 0; k < ns; k++) {
            if (sa && !strcmp(sa, sectors[k])) a = k;
            if (sb && !strcmp(sb, sectors[k])) b = k;
        }
        if (a < 0 || b < 0) continue;
        m[a * ns + b]++;
        if (a != b) m[b * ns + a]++;
    }
    const char *cols[66];
    cols[0] = NC_("column", "sector");
    cols[1] = NC_("column", "sector_label");
    for (int k = 0; k < ns; k++) cols[k + 2] = sectors[k];
    tsg_result_t *r = qry_result_new(_("sector mixing (ties between sectors)"), (size_t)ns + 2, cols);
    if (r && qry_result_keyed(r, 0, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    /* A sector's column keeps its key for scripts; people read its label. */
    for (int k = 0; r && k < ns; k++)
        if (qry_label(s, "sector", sectors[k]) != sectors[k] &&
            qry_result_head(r, (size_t)k + 2, qry_label(s, "sector", sectors[k]))) {
            tsg_result_free(r);
            r = NULL;
        }
    char cells[64][24];
    for (int a = 0; r && a < ns; a++) {
        const char *row[66];
        row[0] = sectors[a];
        row[1] = qry_label(s, "sector", sectors[a]);
        for (int b = 0; b < ns; b++) {
            snprintf(cells[b], sizeof cells[b], "%ld", m[a * ns + b]);
            row[b + 2] = cells[b];
        }
        r = qry_result_row(r, row);
    }
    for (int k = 2; r && k < ns + 2; k++) r->right[k] = 1;
    free(m);
    return qry_emit(s, r);
}

static tsg_status_t exec_horizontal(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    structure_args_t a;
    tsg_status_t rc;
    if ((rc = structure_args(s, st, &a)) ||
        (rc = graph(s, st, a.district, 0, 0, &a.sectors, &net, &gr)))
        return rc;
    int64_t district = a.district;
    eng_horizontal_t h;
    tsg_error_t err = {0};
    if (eng_horizontal(net, gr, &h, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    char title[600], buf[12][64];
    if (district) util_snprintf(title, sizeof title, _("horizontal links in %s"), net->name[district]);
    else util_snprintf(title, sizeof title, "%s", _("horizontal links in the whole network"));
    /* measure is the key scripts read; measure_label what people do. */
    static const char *const cols[] = {NC_("column", "measure"), NC_("column", "measure_label"),
                                       NC_("column", "value")};
    tsg_result_t *r = qry_result_new(title, 3, cols);
    if (r && qry_result_keyed(r, 0, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    snprintf(buf[0], 64, "%ld", (long)h.orgs);
    snprintf(buf[1], 64, "%ld", (long)h.ties);
    snprintf(buf[2], 64, "%ld (%.1f%%)", (long)h.ng_ties, h.ties ? 100.0 * (double)h.ng_ties / (double)h.ties : 0.0);
    snprintf(buf[3], 64, "%ld", (long)igraph_vector_int_size(&h.dependent));
    snprintf(buf[4], 64, "%ld", (long)igraph_vector_int_size(&h.pieces));
    util_buf_t sizes = {0};
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&h.pieces); i++)
        util_buf_printf(&sizes, "%s%ld", i ? ", " : "", (long)VECTOR(h.pieces)[i]);
    snprintf(buf[5], 64, "%ld", (long)igraph_vector_int_size(&h.articulation));
    snprintf(buf[6], 64, "%ld", (long)igraph_vector_int_size(&h.bridges) );
    snprintf(buf[7], 64, "%.10g", h.centralization);
    snprintf(buf[8], 64, "%.10g", h.ei_government);
    snprintf(buf[9], 64, "%.10g", h.ei_sector);
    const char *rows[][2] = {
        {NC_("measure", "organisations"), buf[0]},
        {NC_("measure", "ties"), buf[1]},
        {NC_("measure", "ties between two non-government organisations"), buf[2]},
        {NC_("measure", "vertically dependent organisations"), buf[3]},
        {NC_("measure", "pieces without government"), buf[4]},
        {NC_("measure", "sizes of the pieces"), sizes.data ? sizes.data : ""},
        {NC_("measure", "articulation points"), buf[5]},
        {NC_("measure", "bridges"), buf[6]},
        {NC_("measure", "betweenness centralization"), buf[7]},
        {NC_("measure", "E-I index, government / non-government"), buf[8]},
        {NC_("measure", "E-I index, across sectors"), buf[9]},
    };
    for (size_t i = 0; r && i < sizeof rows / sizeof rows[0]; i++) {
        const char *row[3] = {rows[i][0], util_pgettext_ctx("measure", rows[i][0]), rows[i][1]};
        r = qry_result_row(r, row);
    }
    util_buf_free(&sizes);
    rc = qry_emit(s, r);
    /* Who hangs on government alone, and whom the network hangs on. */
    static const char *const dcols[] = {NC_("column", "id"), NC_("column", "name"), NC_("column", "sector"),
                                        NC_("column", "sector_label"), NC_("column", "tied only to")};
    r = rc ? NULL : qry_result_new(_("vertically dependent organisations"), 5, dcols);
    if (r && qry_result_keyed(r, 2, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    igraph_vector_int_t neis;
    igraph_error_t ic = r ? igraph_vector_int_init(&neis, 0) : IGRAPH_SUCCESS;
    int have_neis = r && !ic;
    for (igraph_integer_t i = 0; r && !ic && i < igraph_vector_int_size(&h.dependent); i++) {
        igraph_integer_t v = VECTOR(h.dependent)[i];
        if ((ic = igraph_neighbors(&gr->g, &neis, v, IGRAPH_ALL))) break;
        util_buf_t names = {0};
        for (igraph_integer_t k = 0; k < igraph_vector_int_size(&neis); k++)
            util_buf_printf(&names, "%s%s", k ? _("; ") : "", net->name[gr->nid[VECTOR(neis)[k]]]);
        int64_t nid = gr->nid[v];
        const char *cells[5] = {net->id[nid], net->name[nid], net->sector[nid],
                                qry_label(s, "sector", net->sector[nid]), names.data ? names.data : ""};
        r = qry_result_row(r, cells);
        util_buf_free(&names);
    }
    if (have_neis) igraph_vector_int_destroy(&neis);
    if (ic) {
        /* igraph's error handler returns the code rather than aborting;
         * the only failure here is memory. */
        tsg_result_free(r);
        r = NULL;
        rc = ic == IGRAPH_ENOMEM ? gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"))
                                 : gram_fail(&s->ctx, TSG_EINPUT, &st->kw, _("graph computation failed: %s"),
                                             igraph_strerror(ic));
    }
    if (r) rc = qry_emit(s, r);
    static const char *const acols[] = {NC_("column", "id"), NC_("column", "name"), NC_("column", "sector"),
                                        NC_("column", "sector_label")};
    r = rc ? NULL : qry_result_new(_("articulation points (one organisation whose loss cuts the network)"), 4, acols);
    if (r && qry_result_keyed(r, 2, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    for (igraph_integer_t i = 0; r && i < igraph_vector_int_size(&h.articulation); i++) {
        int64_t nid = gr->nid[VECTOR(h.articulation)[i]];
        const char *cells[4] = {net->id[nid], net->name[nid], net->sector[nid], qry_label(s, "sector", net->sector[nid])};
        r = qry_result_row(r, cells);
    }
    if (r) rc = qry_emit(s, r);
    static const char *const bcols[] = {NC_("column", "from"), NC_("column", "to")};
    r = rc ? NULL : qry_result_new(_("bridges (one tie whose loss cuts the network)"), 2, bcols);
    for (igraph_integer_t i = 0; r && i < igraph_vector_int_size(&h.bridges); i++) {
        igraph_integer_t e = VECTOR(h.bridges)[i];
        const char *cells[2] = {net->name[gr->nid[IGRAPH_FROM(&gr->g, e)]], net->name[gr->nid[IGRAPH_TO(&gr->g, e)]]};
        r = qry_result_row(r, cells);
    }
    if (r) rc = qry_emit(s, r);
    if (!rc) rc = emit_mixing(s, net, gr);
    eng_horizontal_free(&h);
    return rc;
}

typedef struct ranked {
    double value;
    igraph_integer_t v;
} ranked_t;

static int by_value(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? 1 : -1;
    return x->v < y->v ? -1 : x->v > y->v;
}

static tsg_status_t exec_centrality(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    structure_args_t a;
    tsg_status_t rc;
    const char *written;
    int near, measure = qry_choice(s, st->v, eng_measure_name, &written, &near);
    if (measure == -2) return s->ctx.code;
    if (measure < 0)
        return qry_fail(s, &st->what, _("unknown measure '%.*s' (degree, betweenness, closeness, harmonic, pagerank, "
                                         "eigenvector, constraint or effective_size)"), (int)st->what.n, st->what.z);
    if ((rc = structure_args(s, st, &a))) return rc;
    ast_clause_t *const *c = st->cl;
    long top = a.top;
    int programs = 0;
    if (c[AST_CL_OF]) {
        static const char *const words[] = {"organisations", "organisation", "organizations", "organization",
                                            "programs", "program", "programmes", "programme", NULL};
        const char *of;
        int k = qry_choice(s, c[AST_CL_OF]->v, words, &of, &near);
        if (k == -2) return s->ctx.code;
        if (k < 0) return qry_fail(s, &c[AST_CL_OF]->v->tok, _("CENTRALITY is OF organisations or programs, not '%s'"), of);
        programs = k >= 4;
    }
    int directed = c[AST_CL_DIRECTED] != NULL;
    long hops = -1;
    if (c[AST_CL_WITHIN]) {
        if (measure != ENG_BETWEENNESS && measure != ENG_CLOSENESS && measure != ENG_HARMONIC)
            return qry_fail(s, &c[AST_CL_WITHIN]->key, _("WITHIN k HOPS limits betweenness, closeness and harmonic, not %s"),
                            eng_measure_name[measure]);
        if (c[AST_CL_WEIGHTED])
            return qry_fail(s, &c[AST_CL_WITHIN]->key, _("WITHIN counts steps; it does not combine with WEIGHTED"));
        if ((rc = qry_number(s, c[AST_CL_WITHIN]->v, &hops))) return rc;
        if (hops < 1 || hops > UTIL_MAX_CENTRALITY_HOPS)
            return qry_fail(s, &c[AST_CL_WITHIN]->v->tok, _("WITHIN takes 1 to %d hops"), UTIL_MAX_CENTRALITY_HOPS);
    }
    long pivots = -1;
    if (c[AST_CL_SAMPLE]) {
        if (measure != ENG_BETWEENNESS)
            return qry_fail(s, &c[AST_CL_SAMPLE]->key, _("SAMPLE n estimates betweenness, not %s"), eng_measure_name[measure]);
        if (c[AST_CL_WITHIN])
            return qry_fail(s, &c[AST_CL_SAMPLE]->key, _("SAMPLE and WITHIN are two ways to approximate; choose one"));
        if ((rc = qry_number(s, c[AST_CL_SAMPLE]->v, &pivots))) return rc;
        if (pivots < UTIL_MIN_SAMPLE || pivots > UTIL_MAX_SAMPLE)
            return qry_fail(s, &c[AST_CL_SAMPLE]->v->tok, _("SAMPLE takes %d to %ld organisations to start paths from"),
                            UTIL_MIN_SAMPLE, UTIL_MAX_SAMPLE);
    }
    if (directed && (measure == ENG_CONSTRAINT || measure == ENG_EFFECTIVE_SIZE))
        return qry_fail(s, &c[AST_CL_DIRECTED]->key, _("%s looks at who works with whom, in either direction: drop DIRECTED"),
                        eng_measure_name[measure]);
    const eng_graph_t *gr = NULL;
    if ((rc = graph(s, st, a.district, programs, directed, &a.sectors, &net, &gr))) return rc;
    igraph_vector_t val, margin;
    tsg_error_t err = {0};
    int weighted = c[AST_CL_WEIGHTED] != NULL, sampled = pivots > 0;
    if (sampled ? eng_betweenness_sample(gr, weighted, pivots, SAMPLE_SEED, &val, &margin, &err)
                : eng_centrality(gr, measure, weighted, (double)hops, &val, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    ranked_t *order = malloc(((size_t)gr->n + 1) * sizeof *order);
    for (igraph_integer_t v = 0; order && v < gr->n; v++) order[v] = (ranked_t){VECTOR(val)[v], v};
    if (order) qsort(order, (size_t)gr->n, sizeof *order, by_value);
    const char *cols[] = {NC_("column", "rank"), NC_("column", "id"), NC_("column", "name"),
                          programs ? NC_("column", "organisation") : NC_("column", "sector"),
                          NC_("column", "sector_label"), eng_measure_name[measure], NC_("column", "margin_95")};
    /* The measure's column is named by the measure (the key scripts read);
     * its header is the measure's name in the language of the output. */
    static const char *const measure_head[] = {
        NC_("centrality", "degree"),      NC_("centrality", "betweenness"), NC_("centrality", "closeness"),
        NC_("centrality", "harmonic"),    NC_("centrality", "pagerank"),    NC_("centrality", "eigenvector"),
        NC_("centrality", "constraint"),  NC_("centrality", "effective_size")};
    tsg_result_t *r = order ? qry_result_new(NULL, 6 + sampled, cols) : NULL;
    /* A sector is a key with its label beside it (left out for programs,
     * whose column is their organisation's name). */
    if (r && (qry_result_keyed(r, 3, programs ? 0 : s->ja) ||
              ((size_t)measure < sizeof measure_head / sizeof measure_head[0] &&
               qry_result_head(r, 5, util_pgettext_ctx("centrality", measure_head[measure]))))) {
        tsg_result_free(r);
        r = NULL;
    }
    for (igraph_integer_t i = 0; r && i < gr->n && (top < 0 || i < top); i++) {
        int64_t nid = gr->nid[order[i].v];
        char rank[24], value[40], pm[40];
        snprintf(rank, sizeof rank, "%ld", (long)i + 1);
        snprintf(value, sizeof value, "%.12g", order[i].value);
        if (sampled) snprintf(pm, sizeof pm, "%.6g", VECTOR(margin)[order[i].v]);
        const char *cells[7] = {rank, net->id[nid], net->name[nid],
                                programs ? net->name[net->org_of[nid]] : net->sector[nid],
                                programs ? NULL : qry_label(s, "sector", net->sector[nid]), value, pm};
        r = qry_result_row(r, cells);
    }
    if (r) r->right[0] = r->right[5] = 1;
    if (r && sampled) r->right[6] = 1;
    free(order);
    igraph_vector_destroy(&val);
    if (sampled) igraph_vector_destroy(&margin);
    return qry_emit(s, r);
}

/* BROKERS: the organisations that pass people between others, by role. */
static tsg_status_t exec_brokers(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    structure_args_t a;
    tsg_status_t rc;
    if ((rc = structure_args(s, st, &a)) ||
        (rc = graph(s, st, a.district, 0, 1, &a.sectors, &net, &gr)))
        return rc;
    long top = a.top;
    long *roles;
    tsg_error_t err = {0};
    if (eng_brokerage(net, gr, &roles, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    ranked_t *order = malloc(((size_t)gr->n + 1) * sizeof *order);
    igraph_integer_t k = 0;
    for (igraph_integer_t v = 0; order && v < gr->n; v++) {
        long total = 0;
        for (int r = 0; r < 5; r++) total += roles[v * 5 + r];
        if (total) order[k++] = (ranked_t){(double)total, v};
    }
    if (order) qsort(order, (size_t)k, sizeof *order, by_value);
    static const char *const cols[] = {NC_("column", "id"), NC_("column", "name"), NC_("column", "sector"),
                                       NC_("column", "sector_label"), NC_("column", "coordinator"),
                                       NC_("column", "gatekeeper"),
                                       NC_("column", "representative"), NC_("column", "itinerant"), NC_("column", "liaison"), NC_("column", "total")};
    tsg_result_t *r = order ? qry_result_new(NULL, 10, cols) : NULL;
    if (r && qry_result_keyed(r, 2, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    for (igraph_integer_t i = 0; r && i < k && (top < 0 || i < top); i++) {
        igraph_integer_t v = order[i].v;
        int64_t nid = gr->nid[v];
        char num[6][24];
        const char *cells[10] = {net->id[nid], net->name[nid], net->sector[nid], qry_label(s, "sector", net->sector[nid])};
        for (int j = 0; j < 5; j++) {
            snprintf(num[j], sizeof num[j], "%ld", roles[v * 5 + j]);
            cells[4 + j] = num[j];
        }
        snprintf(num[5], sizeof num[5], "%.0f", order[i].value);
        cells[9] = num[5];
        r = qry_result_row(r, cells);
    }
    for (int j = 4; r && j < 10; j++) r->right[j] = 1;
    free(order);
    free(roles);
    return qry_emit(s, r);
}

/* THIN LINKS: pairs of groups (sectors, wards or communities) with the
 * fewest ties for their size (the engine ranks them). */
#define MAX_GROUPS 256

/* Each vertex's group (-1: none) and the groups' names: by sector (0), by
 * ward (1) or by community (2, names malloc'd into owned[]). */
static tsg_status_t groups_of(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, const eng_graph_t *gr,
                              int by, int *group, const char **names, int *ng, char **owned, int *nowned)
{
    *ng = *nowned = 0;
    if (by == 2) {
        igraph_vector_int_t membership;
        igraph_integer_t ncom;
        tsg_error_t err = {0};
        if (eng_communities(gr, 0, &membership, &ncom, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        if (ncom > MAX_GROUPS) ncom = MAX_GROUPS;
        tsg_status_t rc = eng_community_names(net, gr, &membership, ncom, owned, &err);
        if (rc) {
            igraph_vector_int_destroy(&membership);
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        }
        *nowned = *ng = (int)ncom;
        for (int k = 0; k < *ng; k++) names[k] = owned[k];
        for (igraph_integer_t v = 0; v < gr->n; v++)
            group[v] = VECTOR(membership)[v] < ncom ? (int)VECTOR(membership)[v] : -1;
        igraph_vector_int_destroy(&membership);
        return TSG_OK;
    }
    for (igraph_integer_t v = 0; v < gr->n; v++) {
        int64_t nid = gr->nid[v], key = 0;
        const char *name = NULL;
        if (by == 0) {
            name = net->sector[nid];
        } else {
            /* The loader refused a tree with a loop; the bound is a guard. */
            int64_t steps = 0;
            for (int64_t d = net->based[nid]; d > 0 && steps++ <= net->maxnid; d = net->parent[d])
                if (net->level[d] == ENG_WARD) key = d;
            name = key ? net->name[key] : NULL;
        }
        int k = 0;
        while (name && k < *ng && strcmp(names[k], name)) k++;
        if (name && k == *ng && *ng < MAX_GROUPS) names[(*ng)++] = name;
        group[v] = name && k < *ng ? k : -1;
    }
    return TSG_OK;
}

static tsg_status_t exec_thin_links(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    int64_t district;
    tsg_status_t rc;
    if ((rc = scope(s, c[AST_CL_IN], &district))) return rc;
    int by = 0; /* 0 sector, 1 ward, 2 community */
    if (c[AST_CL_BY]) {
        const char *w;
        int near;
        if ((by = qry_choice(s, c[AST_CL_BY]->v, qry_by_group_words, &w, &near)) == -2) return s->ctx.code;
        if (by < 0) return qry_fail(s, &c[AST_CL_BY]->v->tok, _("BY takes sector, ward or community, not '%s'"), w);
    }
    const char *between[2] = {NULL, NULL};
    if (c[AST_CL_BETWEEN]) {
        const ast_value_t *v = c[AST_CL_BETWEEN]->v;
        if (by) return qry_fail(s, &c[AST_CL_BETWEEN]->key, _("BETWEEN names sectors; leave out BY"));
        if ((rc = qry_key(s, v, "sector", &between[0])) || (rc = qry_key(s, v->next, "sector", &between[1]))) return rc;
    }
    long top = -1;
    if (c[AST_CL_TOP] && (rc = qry_number(s, c[AST_CL_TOP]->v, &top))) return rc;
    if ((rc = graph(s, st, district, 0, 0, NULL, &net, &gr))) return rc;
    int *group = malloc(((size_t)gr->n + 1) * sizeof *group);
    const char *names[MAX_GROUPS];
    char *owned[MAX_GROUPS];
    int ng = 0, nowned = 0;
    long size[MAX_GROUPS];
    eng_pair_t *pairs = NULL;
    size_t np = 0;
    tsg_error_t err = {0};
    if (!group) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (!rc) rc = groups_of(s, st, net, gr, by, group, names, &ng, owned, &nowned);
    if (!rc && eng_thin_pairs(gr, group, ng, size, &pairs, &np, &err))
        rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    /* A sector is a key with a label beside it; wards and communities are names. */
    static const char *const cols[] = {NC_("column", "group_a"), NC_("column", "group_a_label"),
                                       NC_("column", "group_b"), NC_("column", "group_b_label"),
                                       NC_("column", "orgs_a"), NC_("column", "orgs_b"),
                                       NC_("column", "ties"), NC_("column", "expected"), NC_("column", "ratio")};
    tsg_result_t *r = rc ? NULL : qry_result_new(by == 0 ? _("sectors") : by == 1 ? _("wards") : _("communities"), 9, cols);
    if (r && (qry_result_keyed(r, 0, s->ja) || qry_result_keyed(r, 2, s->ja))) {
        tsg_result_free(r);
        r = NULL;
    }
    long shown = 0;
    for (size_t i = 0; r && i < np && (top < 0 || shown < top); i++) {
        const char *na_ = names[pairs[i].a], *nb_ = names[pairs[i].b];
        if (between[0] && !((!strcmp(na_, between[0]) && !strcmp(nb_, between[1])) ||
                            (!strcmp(na_, between[1]) && !strcmp(nb_, between[0]))))
            continue;
        char na[24], nb[24], t[24], e[32], q[32];
        snprintf(na, sizeof na, "%ld", size[pairs[i].a]);
        snprintf(nb, sizeof nb, "%ld", size[pairs[i].b]);
        snprintf(t, sizeof t, "%ld", pairs[i].ties);
        snprintf(e, sizeof e, "%.2f", pairs[i].expected);
        snprintf(q, sizeof q, "%.2f", pairs[i].ratio);
        const char *cells[9] = {na_, by == 0 ? qry_label(s, "sector", na_) : na_,
                                nb_, by == 0 ? qry_label(s, "sector", nb_) : nb_, na, nb, t, e, q};
        r = qry_result_row(r, cells);
        shown++;
    }
    for (int j = 4; r && j < 9; j++) r->right[j] = 1;
    if (!rc) rc = qry_emit(s, r);
    for (int k = 0; k < nowned; k++) free(owned[k]);
    free(group);
    free(pairs);
    return rc;
}

tsg_status_t qry_exec_structure(qry_session_t *s, const ast_stmt_t *st)
{
    switch (st->kind) {
    case AST_HORIZONTAL: return exec_horizontal(s, st);
    case AST_CENTRALITY: return exec_centrality(s, st);
    case AST_BROKERS: return exec_brokers(s, st);
    case AST_THIN_LINKS: return exec_thin_links(s, st);
    default: return qry_fail(s, &st->kw, _("not a structure statement"));
    }
}
