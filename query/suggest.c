/*
 * suggest — SUGGEST TIES: ranked ties a council could build next.
 *
 *   SUGGEST TIES FOR target AGED a..b IN 'district' [NEEDS …] [TOP n]
 *     reach: a referral from an entry point serving the cell to a program
 *            that no entry point reaches (GAPS' reach rows);
 *     seam:  a referral from a program that ends at age x to one for the
 *            group that takes x + 1 (GAPS' seam rows);
 *     fragility: an agreement between the one organisation providing a
 *            need (GAPS' fragility rows) and another that already serves
 *            the group in that cell at those ages, which GAPS then counts
 *            as its backup (engine/gaps.h); more plausible the more its
 *            programs for the group are for that group alone.
 *     Each candidate is added to the network in memory as the TIE would
 *     add it (engine/netplus.h), GAPS is run there, and `closes` is the
 *     number of rows it loses: the effect is measured, not estimated, so
 *     applying the tie gives exactly that.
 *   SUGGEST TIES [IN 'district'] [TOP n]
 *     thin links: a co_support tie between two non-government organisations
 *            of the district's organisation graph that are not yet tied,
 *            plausible by the partners they share (Adamic–Adar) and the
 *            forums they sit in together; `closes` is the pieces of the
 *            network without government the tie joins (0 or 1), and `why`
 *            gives the horizontal share before and after.
 * Never a tie that exists, never an end outside the district's programs or
 * organisation graph, never two government bodies.
 */
#include "scenario.h"
#include "netplus.h"
#include "structure.h"
#include "result.h"
#include "i18n.h"
#include "gen/tsunagi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SG_REACH, SG_SEAM, SG_FRAGILITY, SG_THIN };
static const char *const sg_key[] = {"reach", "seam", "fragility", "thin_links"};
static const char *const sg_label[] = {NC_("suggestion", "reach"), NC_("suggestion", "seam"),
                                       NC_("suggestion", "fragility"), NC_("suggestion", "thin links")};
/* The kind of tie each suggestion is, as TIE names it and as the network
 * holds it (a referral one way, the others both ways, as TIE writes them). */
static const char *const sg_tie[] = {"referral", "referral", "agreement", "co_support"};
static const int sg_eng_kind[] = {ENG_REFERRAL, ENG_REFERRAL, ENG_AGREEMENT, ENG_CO_SUPPORT};

typedef struct cand {
    int kind;
    int64_t from, to;
    double score;
    long closes;
    char why[512];
} cand_t;

typedef struct cands {
    cand_t *v;
    size_t n, cap;
    int oom;    /* a candidate was lost for memory: the answer would be wrong */
} cands_t;

static cand_t *add(cands_t *c, int kind, int64_t from, int64_t to)
{
    /* Already a candidate; an agreement is the same tie either way round
     * (TIE writes it undirected), so b–a is a's backup named twice. */
    for (size_t i = 0; i < c->n; i++)
        if ((c->v[i].from == from && c->v[i].to == to) ||
            (kind == SG_FRAGILITY && c->v[i].kind == SG_FRAGILITY && c->v[i].from == to && c->v[i].to == from))
            return NULL;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        cand_t *grown = realloc(c->v, cap * sizeof *grown);
        if (!grown) {
            c->oom = 1;
            return NULL;
        }
        c->v = grown;
        c->cap = cap;
    }
    cand_t *x = &c->v[c->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->from = from;
    x->to = to;
    return x;
}

/* Whether any tie joins a and b, either way, whatever its kind. */
static int tied(const eng_net_t *net, int64_t a, int64_t b)
{
    for (uint32_t k = net->off[a]; k < net->off[a + 1]; k++)
        if (net->steps[k].to == b) return 1;
    for (uint32_t k = net->off[b]; k < net->off[b + 1]; k++)
        if (net->steps[k].to == a) return 1;
    return 0;
}

/* The forums organisations a and b both belong to. */
static int shared_forums(const eng_net_t *net, int64_t a, int64_t b)
{
    int n = 0;
    for (uint32_t i = net->off[a]; i < net->off[a + 1]; i++) {
        if (net->steps[i].kind != ENG_MEMBERSHIP) continue;
        for (uint32_t j = net->off[b]; j < net->off[b + 1]; j++)
            if (net->steps[j].kind == ENG_MEMBERSHIP && net->steps[j].to == net->steps[i].to) {
                n++;
                break;
            }
    }
    return n;
}

static int64_t owner(const eng_net_t *net, int64_t nid) { return net->org_of[nid] ? net->org_of[nid] : nid; }

/* Each organisation's partners: the organisations it is tied to (a
 * program's ties lifted to its owner, memberships left out), sorted. */
typedef struct partners {
    uint32_t *off;
    int64_t *v;
} partners_t;

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int partners_build(const eng_net_t *net, partners_t *p)
{
    size_t nn = (size_t)net->maxnid + 2;
    p->off = calloc(nn + 1, sizeof *p->off);
    p->v = malloc((2 * net->nties + 1) * sizeof *p->v);
    uint32_t *fill = malloc(nn * sizeof *fill);
    if (!p->off || !p->v || !fill) {
        free(fill);
        return -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            for (size_t i = 1; i <= nn; i++) p->off[i] += p->off[i - 1];
            memcpy(fill, p->off, nn * sizeof *fill);
        }
        for (size_t t = 0; t < net->nties; t++) {
            const eng_tie_t *x = &net->ties[t];
            int64_t u = owner(net, x->src), v = owner(net, x->dst);
            if (x->kind == ENG_MEMBERSHIP || u == v) continue;
            if (!pass) {
                p->off[u + 1]++;
                p->off[v + 1]++;
            } else {
                p->v[fill[u]++] = v;
                p->v[fill[v]++] = u;
            }
        }
    }
    /* Sorted and without repeats; the count of distinct partners is the degree. */
    for (size_t i = 0; i + 1 < nn; i++) {
        qsort(&p->v[p->off[i]], p->off[i + 1] - p->off[i], sizeof *p->v, cmp64);
    }
    free(fill);
    return 0;
}

static void partners_free(partners_t *p)
{
    free(p->off);
    free(p->v);
}

static size_t degree(const partners_t *p, int64_t o)
{
    size_t d = 0;
    for (uint32_t i = p->off[o]; i < p->off[o + 1]; i++) d += i == p->off[o] || p->v[i] != p->v[i - 1];
    return d;
}

/* Adamic–Adar: the partners a and b share, each weighing 1 / log of its
 * own number of partners (a partner of few is a stronger hint). */
static double adamic_adar(const eng_net_t *net, const partners_t *p, int64_t a, int64_t b)
{
    a = owner(net, a);
    b = owner(net, b);
    double s = 0;
    uint32_t i = p->off[a], j = p->off[b];
    int64_t last = -1;
    while (i < p->off[a + 1] && j < p->off[b + 1]) {
        if (p->v[i] < p->v[j]) i++;
        else if (p->v[i] > p->v[j]) j++;
        else {
            int64_t w = p->v[i];
            if (w != last && w != a && w != b) {
                size_t d = degree(p, w);
                if (d > 1) s += 1.0 / log((double)d);
            }
            last = w;
            i++;
            j++;
        }
    }
    return s;
}

/* ---- FOR …: reach, seam and fragility -------------------------------------------------- */

/* An agreement from the sole provider of a fragility row to each other
 * organisation that serves the group in the row's cell at its ages. */
static void fragility_candidates(const eng_net_t *net, const qry_gaps_args_t *a, const eng_gap_t *g, cands_t *cs)
{
    int64_t sole = owner(net, g->program);
    const char *need = g->need;
    for (int k = 0; a->q.need_labels && k < a->q.nneeds; k++)
        if (!strcmp(a->q.needs[k], g->need)) need = a->q.need_labels[k];
    const char *group = a->q.target_label ? a->q.target_label : a->q.target;
    /* GAPS' own test of a backup, so a suggestion is exactly what would
     * close the row; an agreement b already had would have closed it. */
    for (int64_t b = 1; b <= net->maxnid; b++) {
        if (b == sole || !eng_serves_group(net, &a->q, b, g->district, g->age_from, g->age_to)) continue;
        cand_t *x = add(cs, SG_FRAGILITY, sole, b);
        if (!x) continue;
        /* A backup that works with this group above others is likelier to
         * carry its activity on: 1 / the groups its most focused program
         * for the group names. */
        double focus = 0;
        for (int32_t j = net->first_prog[b]; j >= 0; j = net->next_prog[j]) {
            const eng_program_t *q = &net->programs[j];
            if (eng_list_has(&q->targets, a->q.target) && q->targets.n > 0 && 1.0 / q->targets.n > focus)
                focus = 1.0 / q->targets.n;
        }
        x->score = eng_under(net, net->based[b], a->q.district) + focus;
        util_snprintf(x->why, sizeof x->why,
                      _("backup for %1$s of %2$s in %3$s: only '%4$s' provides it, and '%5$s' already serves %2$s there"),
                      need, group, net->name[a->q.district], net->name[sole], net->name[b]);
    }
}

static tsg_status_t group_candidates(qry_session_t *s, const ast_stmt_t *st, int64_t district, const eng_net_t *net,
                                     cands_t *cs)
{
    qry_gaps_args_t a;
    tsg_status_t rc = qry_gaps_args(s, st, district, &a);
    if (rc) return rc;
    eng_gap_t *rows;
    size_t n;
    tsg_error_t err = {0};
    if (eng_gaps(net, &a.q, &rows, &n, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    for (size_t i = 0; i < n; i++) {
        const eng_gap_t *g = &rows[i];
        if (g->kind == ENG_GAP_REACH && g->program) {
            /* Every entry point serving the cell may refer there. */
            for (size_t e = 0; e < net->nprograms; e++) {
                const eng_program_t *p = &net->programs[e];
                if (!p->entry || !eng_running(p, a.q.as_of) || !eng_serves(net, p, g->district) || p->nid == g->program ||
                    tied(net, p->nid, g->program))
                    continue;
                cand_t *x = add(cs, SG_REACH, p->nid, g->program);
                /* An entry point of the district's own organisations first. */
                if (x) x->score = eng_under(net, net->based[owner(net, p->nid)], a.q.district);
                if (x)
                    util_snprintf(x->why, sizeof x->why,
                                  _("'%1$s' is an entry point serving %2$s, where no entry point reaches '%3$s'"),
                                  net->name[p->nid], net->name[g->district], net->name[g->program]);
            }
        } else if (g->kind == ENG_GAP_SEAM && g->program) {
            int x1 = g->age_from + 1;
            for (size_t q = 0; q < net->nprograms; q++) {
                const eng_program_t *p = &net->programs[q];
                if (p->nid == g->program || !eng_running(p, a.q.as_of) || !eng_covers(p, a.q.target, NULL, x1) ||
                    !eng_meets(net, p, g->district) || tied(net, g->program, p->nid))
                    continue;
                cand_t *x = add(cs, SG_SEAM, g->program, p->nid);
                if (x) x->score = eng_under(net, net->based[owner(net, p->nid)], a.q.district);
                if (x)
                    util_snprintf(x->why, sizeof x->why, _("'%1$s' ends at age %2$d; '%3$s' takes %4$s from age %5$d"),
                                  net->name[g->program], g->age_from, net->name[p->nid],
                                  a.q.target_label ? a.q.target_label : a.q.target, x1);
            }
        } else if (g->kind == ENG_GAP_FRAGILITY && g->program) {
            fragility_candidates(net, &a, g, cs);
        }
    }
    free(rows);
    return TSG_OK;
}

/* The rows GAPS would return on net (eng_gaps is what GAPS runs). */
static tsg_status_t gaps_count(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, const qry_gaps_args_t *a,
                               size_t *n)
{
    eng_gap_t *rows;
    tsg_error_t err = {0};
    if (eng_gaps(net, &a->q, &rows, n, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    free(rows);
    return TSG_OK;
}

/* Each candidate added to the network in memory (netplus.h: the network
 * the TIE would load, built without writing it) and GAPS counted there:
 * `closes` is what the planner gets by typing the TIE. */
static tsg_status_t measure(qry_session_t *s, const ast_stmt_t *st, int64_t district, const eng_net_t *net, cands_t *cs)
{
    if (!cs->n) return TSG_OK;
    qry_gaps_args_t a;
    size_t before;
    tsg_status_t rc = qry_gaps_args(s, st, district, &a);
    if (!rc) rc = gaps_count(s, st, net, &a, &before);
    if (rc) return rc;
    eng_plus_t plus;
    tsg_error_t err = {0};
    if ((rc = eng_plus_init(&plus, net, &err))) return gram_fail(&s->ctx, rc, &st->kw, "%s", err.text);
    for (size_t i = 0; !rc && i < cs->n; i++) {
        cand_t *x = &cs->v[i];
        if (qry_should_stop(s)) {
            rc = gram_fail(&s->ctx, TSG_EINPUT, &st->kw, _("interrupted"));
            break;
        }
        eng_plus_tie(&plus, net, x->from, x->to, sg_eng_kind[x->kind], x->kind != SG_FRAGILITY && x->kind != SG_THIN);
        size_t after = before;
        rc = gaps_count(s, st, &plus.net, &a, &after);
        x->closes = (long)before - (long)after;
    }
    eng_plus_free(&plus);
    return rc;
}

/* ---- without FOR: thin links ----------------------------------------------------------- */

static int64_t find(int64_t *up, int64_t x)
{
    while (up[x] != x) x = up[x] = up[up[x]];
    return x;
}

static tsg_status_t thin_candidates(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, const partners_t *p,
                                    const eng_graph_t *gr, cands_t *cs)
{
    igraph_integer_t n = gr->n, ne = igraph_ecount(&gr->g);
    int64_t *up = malloc((size_t)(n ? n : 1) * sizeof *up);
    if (!up) return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    /* The horizontal share, and the pieces of the graph without government. */
    long horizontal = 0;
    for (igraph_integer_t v = 0; v < n; v++) up[v] = v;
    for (igraph_integer_t e = 0; e < ne; e++) {
        igraph_integer_t a = IGRAPH_FROM(&gr->g, e), b = IGRAPH_TO(&gr->g, e);
        if (eng_is_government(net, gr->nid[a]) || eng_is_government(net, gr->nid[b])) continue;
        horizontal++;
        up[find(up, a)] = find(up, b);
    }
    double share0 = ne ? 100.0 * (double)horizontal / (double)ne : 0, share1 = 100.0 * (double)(horizontal + 1) / (double)(ne + 1);
    for (igraph_integer_t u = 0; u < n; u++) {
        int64_t a = gr->nid[u];
        if (eng_is_government(net, a)) continue;
        for (igraph_integer_t v = u + 1; v < n; v++) {
            int64_t b = gr->nid[v];
            if (eng_is_government(net, b)) continue;
            igraph_integer_t eid = -1;
            if (igraph_get_eid(&gr->g, &eid, u, v, IGRAPH_UNDIRECTED, 0) != IGRAPH_SUCCESS) {
                free(up);
                return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
            }
            if (eid >= 0) continue;
            int forums = shared_forums(net, a, b);
            double aa = adamic_adar(net, p, a, b);
            if (aa <= 0 && !forums) continue; /* nothing makes it plausible */
            int joins = find(up, u) != find(up, v);
            cand_t *x = add(cs, SG_THIN, a, b);
            if (!x) continue;
            x->closes = joins;
            x->score = aa + forums + 2.0 * joins;
            if (joins)
                util_snprintf(x->why, sizeof x->why,
                              _("horizontal share %.1f%% -> %.1f%%; joins two pieces of the network without "
                                "government; %d forums together, Adamic-Adar %.2f"),
                              share0, share1, forums, aa);
            else
                util_snprintf(x->why, sizeof x->why,
                              _("horizontal share %.1f%% -> %.1f%%; %d forums together, Adamic-Adar %.2f"), share0,
                              share1, forums, aa);
        }
    }
    free(up);
    return TSG_OK;
}

/* The order: effect first, then effort (a referral or hand-over one
 * counter can start; an agreement needs both boards to sign), then
 * plausibility, then the ids. */
static int by_effect(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->closes != y->closes) return x->closes > y->closes ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* The suggestions, in order, with their effect (group: FOR … was given). */
static tsg_status_t suggestions(qry_session_t *s, const ast_stmt_t *st, int64_t district, int group, const eng_net_t **net,
                                cands_t *cs)
{
    const eng_graph_t *gr;
    partners_t p = {0};
    tsg_status_t rc = qry_graph(s, st, district, 0, 0, NULL, 0, net, &gr);
    if (rc) return rc;
    if (partners_build(*net, &p)) rc = gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    else if (group) {
        if (!(rc = group_candidates(s, st, district, *net, cs)) && cs->oom)
            rc = gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
        if (!rc) rc = measure(s, st, district, *net, cs);
        /* Plausibility: partners in common, forums together. */
        for (size_t i = 0; !rc && i < cs->n; i++)
            cs->v[i].score += adamic_adar(*net, &p, cs->v[i].from, cs->v[i].to) +
                              shared_forums(*net, owner(*net, cs->v[i].from), owner(*net, cs->v[i].to));
    } else {
        rc = thin_candidates(s, st, *net, &p, gr, cs);
        if (!rc && cs->oom) rc = gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    }
    partners_free(&p);
    if (!rc) {
        if (cs->n) qsort(cs->v, cs->n, sizeof *cs->v, by_effect); /* qsort(NULL, 0, …) is undefined */
        /* A tie that changes nothing is no suggestion. */
        size_t k = 0;
        for (size_t i = 0; i < cs->n; i++)
            if (cs->v[i].kind == SG_THIN || cs->v[i].closes > 0) cs->v[k++] = cs->v[i];
        cs->n = k;
    }
    return rc;
}

static int group_asked(ast_clause_t *const *c)
{
    return c[AST_CL_FOR] || c[AST_CL_AGED] || c[AST_CL_NEEDS] || c[AST_CL_WITHIN] || c[AST_CL_BY];
}

tsg_status_t qry_suggest_pairs(qry_session_t *s, const ast_stmt_t *st, int64_t district, long top, int64_t **pairs,
                               size_t *n)
{
    const eng_net_t *net;
    cands_t cs = {0};
    *pairs = NULL;
    *n = 0;
    tsg_status_t rc = qry_today_only(s, st, NULL, "HIGHLIGHT SUGGESTIONS");
    if (rc) return rc;
    rc = suggestions(s, st, district, group_asked(st->cl), &net, &cs);
    size_t k = rc ? 0 : cs.n < (size_t)top ? cs.n : (size_t)top;
    if (!rc && !(*pairs = malloc((2 * k + 1) * sizeof **pairs))) rc = gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    for (size_t i = 0; !rc && i < k; i++) {
        (*pairs)[2 * i] = cs.v[i].from;
        (*pairs)[2 * i + 1] = cs.v[i].to;
    }
    if (!rc) *n = k;
    free(cs.v);
    return rc;
}

tsg_status_t qry_exec_suggest(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    tsg_status_t rc;
    long top = 10;
    if ((rc = qry_today_only(s, st, NULL, "SUGGEST TIES"))) return rc;
    if (c[AST_CL_TOP] && (rc = qry_number(s, c[AST_CL_TOP]->v, &top))) return rc;
    int64_t district = 0;
    if (c[AST_CL_IN]) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, c[AST_CL_IN]->node, 1u << QRY_DISTRICT, &d))) return rc;
        district = d->nid;
    }
    const eng_net_t *net;
    cands_t cs = {0};
    if ((rc = suggestions(s, st, district, group_asked(c), &net, &cs))) {
        free(cs.v);
        return rc;
    }
    static const char *const cols[] = {NC_("column", "from_id"), NC_("column", "from"),  NC_("column", "to_id"),
                                       NC_("column", "to"),      NC_("column", "kind"),  NC_("column", "kind_label"),
                                       NC_("column", "tie"),     NC_("column", "closes"), NC_("column", "why"),
                                       NC_("column", "score")};
    tsg_result_t *r = qry_result_new(NULL, 10, cols);
    if (r && qry_result_keyed(r, 4, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    for (size_t i = 0; r && i < cs.n && (long)i < top; i++) {
        const cand_t *x = &cs.v[i];
        char closes[24], score[32];
        snprintf(closes, sizeof closes, "%ld", x->closes);
        snprintf(score, sizeof score, "%.2f", x->score);
        const char *tie = sg_tie[x->kind];
        const char *row[10] = {net->id[x->from], net->name[x->from], net->id[x->to], net->name[x->to], sg_key[x->kind],
                               util_pgettext_ctx("suggestion", sg_label[x->kind]), qry_label(s, "tie_kind", tie), closes,
                               x->why, score};
        r = qry_result_row(r, row);
    }
    if (r) r->right[7] = r->right[9] = 1;
    free(cs.v);
    return qry_emit(s, r);
}
