/* structure — graph views and measures with igraph; see structure.h. */
#include "structure.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const eng_measure_name[] = {"degree",      "betweenness", "closeness",      "harmonic", "pagerank",
                                        "eigenvector", "constraint",  "effective_size", NULL};

/* igraph calls these from any computation; they hold no state but the flag.
 * The handlers are process-wide in igraph 0.10, so this pointer is the one
 * piece of mutable global state here, with the deadline beside it (see
 * docs/decisions.md). */
static volatile sig_atomic_t *interrupt_flag;
static const int64_t *interrupt_deadline; /* ns on CLOCK_MONOTONIC, 0: none */

static void on_error(const char *reason, const char *file, int line, igraph_error_t code)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)code;
    /* igraph's default aborts; ours frees what igraph registered for cleanup
     * and lets the error code travel back to the caller. */
    IGRAPH_FINALLY_FREE();
}

static igraph_error_t on_interrupt(void *data)
{
    (void)data;
    if (!interrupt_flag) return IGRAPH_SUCCESS;
    if (!*interrupt_flag && interrupt_deadline && *interrupt_deadline) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((int64_t)t.tv_sec * 1000000000 + t.tv_nsec > *interrupt_deadline) *interrupt_flag = 2;
    }
    if (!*interrupt_flag) return IGRAPH_SUCCESS;
    /* igraph 0.10 returns from the interrupted function without freeing its
     * cleanup stack; free it here, or every Ctrl-C leaks. */
    IGRAPH_FINALLY_FREE();
    return IGRAPH_INTERRUPTED;
}

void eng_igraph_setup(volatile sig_atomic_t *flag, const int64_t *deadline)
{
    igraph_set_error_handler(on_error);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
    igraph_set_interruption_handler(on_interrupt);
    interrupt_flag = flag;
    interrupt_deadline = deadline;
}

void eng_igraph_forget(volatile sig_atomic_t *flag)
{
    if (interrupt_flag == flag) interrupt_flag = NULL, interrupt_deadline = NULL;
}

static tsg_status_t ig_fail(igraph_error_t code, tsg_error_t *err)
{
    if (code == IGRAPH_INTERRUPTED) return util_fail(err, TSG_EINPUT, _("interrupted"));
    if (code == IGRAPH_ENOMEM) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    return util_fail(err, TSG_EINPUT, _("graph computation failed: %s"), igraph_strerror(code));
}

int eng_is_government(const eng_net_t *net, int64_t nid)
{
    return net->sector[nid] && !strcmp(net->sector[nid], "government");
}

void eng_graph_free(eng_graph_t *gr)
{
    if (!gr->nid) return;
    igraph_destroy(&gr->g);
    igraph_vector_destroy(&gr->weight);
    free(gr->nid);
    gr->nid = NULL;
}

/* Which vertex a tie end belongs to, or -1: organisations lift their
 * programs' ends; programs stand for themselves. */
static igraph_integer_t vertex_of(const eng_net_t *net, const igraph_integer_t *vertex, int programs, int64_t end)
{
    if (!programs && net->type[end] == ENG_PROGRAM) end = net->org_of[end];
    return end > 0 && end <= net->maxnid ? vertex[end] : -1;
}

static int in_sectors(const eng_net_t *net, int64_t org, const char *const *sectors, int nsectors)
{
    if (!nsectors) return 1;
    for (int i = 0; i < nsectors; i++)
        if (net->sector[org] && !strcmp(net->sector[org], sectors[i])) return 1;
    return 0;
}

tsg_status_t eng_graph_build(const eng_net_t *net, int64_t district, int programs, int directed,
                             const char *const *sectors, int nsectors, long below, eng_graph_t *out, tsg_error_t *err)
{
    memset(out, 0, sizeof *out);
    tsg_status_t opened = eng_igraph_open(err);
    if (opened) return opened;
    size_t nn = (size_t)net->maxnid + 1;
    igraph_integer_t *vertex = malloc(nn * sizeof *vertex);
    int64_t *nid = malloc(nn * sizeof *nid);
    if (!vertex || !nid) {
        free(vertex);
        free(nid);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    igraph_integer_t n = 0;
    for (int64_t v = 0; v <= net->maxnid; v++) {
        vertex[v] = -1;
        int in = 0;
        if (!programs && net->type[v] == ENG_ORGANISATION)
            in = (!district || (net->based[v] && eng_under(net, net->based[v], district))) &&
                 in_sectors(net, v, sectors, nsectors);
        else if (programs && net->type[v] == ENG_PROGRAM)
            in = (!district || eng_meets(net, &net->programs[net->prog[v]], district)) &&
                 in_sectors(net, net->org_of[v], sectors, nsectors);
        if (in) {
            vertex[v] = n;
            nid[n++] = v;
        }
    }
    /* Edges, deduplicated through a pair → edge table (open addressing):
     * unordered pairs, or in the directed view ordered ones (an undirected
     * tie gives an arc each way). A slot holds only its edge's number + 1,
     * the pair being read back from the edge list: four bytes a slot, at
     * most half of them used. (Sixteen bytes, a quarter used, made this
     * table 537 MB for a national network, most of a session's peak.) The
     * edges come in the order the ties first give them, as igraph sees them. */
    size_t most = net->nties * (directed ? 2 : 1), cap = 64;
    while (cap < most * 2 + 2) cap *= 2;
    uint32_t *pair = calloc(cap, sizeof *pair);
    igraph_vector_int_t edges;
    igraph_error_t ic = IGRAPH_SUCCESS;
    int ok = pair && igraph_vector_int_init(&edges, 0) == IGRAPH_SUCCESS;
    int have_edges = ok, have_weight = 0;
    if (ok) have_weight = ok = igraph_vector_init(&out->weight, 0) == IGRAPH_SUCCESS;
    for (size_t t = 0; ok && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind == ENG_MEMBERSHIP) continue;
        igraph_integer_t a = vertex_of(net, vertex, programs, tie->src), b = vertex_of(net, vertex, programs, tie->dst);
        if (a < 0 || b < 0 || a == b) continue;
        /* COUNT 0 (no one recorded this year) weighs like no count: every
         * tie in the view needs a finite distance 1/w, and 1/0 is inf. */
        double w = tie->count >= 1 && tie->count >= below ? (double)tie->count : 1.0;
        int ways = directed && !tie->directed ? 2 : 1;
        for (int way = 0; ok && way < ways; way++) {
            igraph_integer_t from = way ? b : a, to = way ? a : b;
            if (!directed && from > to) from = b, to = a;
            int64_t key = (int64_t)from * (int64_t)(n + 1) + to;
            size_t h = (size_t)((uint64_t)key * 11400714819323198485ull) & (cap - 1);
            const igraph_integer_t *e = VECTOR(edges);
            while (pair[h] && !(e[2 * (size_t)(pair[h] - 1)] == from && e[2 * (size_t)(pair[h] - 1) + 1] == to))
                h = (h + 1) & (cap - 1);
            if (pair[h]) {
                VECTOR(out->weight)[pair[h] - 1] += w;
                continue;
            }
            pair[h] = (uint32_t)igraph_vector_size(&out->weight) + 1;
            ok = igraph_vector_int_push_back(&edges, from) == IGRAPH_SUCCESS &&
                 igraph_vector_int_push_back(&edges, to) == IGRAPH_SUCCESS &&
                 igraph_vector_push_back(&out->weight, w) == IGRAPH_SUCCESS;
        }
    }
    if (ok) ok = (ic = igraph_create(&out->g, &edges, n, directed ? IGRAPH_DIRECTED : IGRAPH_UNDIRECTED)) == IGRAPH_SUCCESS;
    if (have_edges) igraph_vector_int_destroy(&edges);
    free(pair);
    free(vertex);
    if (!ok) {
        if (have_weight) igraph_vector_destroy(&out->weight);
        free(nid);
        return ic ? ig_fail(ic, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    out->nid = nid;
    out->n = n;
    out->directed = directed;
    return TSG_OK;
}

/* The weight of the edge u—v, or 0. */
static double edge_weight(const eng_graph_t *gr, const igraph_vector_t *w, igraph_integer_t u, igraph_integer_t v)
{
    igraph_integer_t eid;
    if (igraph_get_eid(&gr->g, &eid, u, v, IGRAPH_UNDIRECTED, 0) != IGRAPH_SUCCESS || eid < 0) return 0;
    return w ? VECTOR(*w)[eid] : 1.0;
}

/* Burt's effective size: sum over partners j of 1 - sum over partners q of
 * p(v, q) m(j, q), with p the share of v's tie weight going to q and m the
 * weight j—q over j's strongest tie. */
static igraph_error_t effective_size(const eng_graph_t *gr, const igraph_vector_t *w, igraph_vector_t *out)
{
    igraph_error_t ic;
    igraph_vector_int_t nv, nj;
    if ((ic = igraph_vector_resize(out, gr->n))) return ic;
    if ((ic = igraph_vector_int_init(&nv, 0))) return ic;
    if ((ic = igraph_vector_int_init(&nj, 0))) {
        igraph_vector_int_destroy(&nv);
        return ic;
    }
    for (igraph_integer_t v = 0; v < gr->n && !ic; v++) {
        if ((ic = igraph_neighbors(&gr->g, &nv, v, IGRAPH_ALL))) break;
        igraph_integer_t k = igraph_vector_int_size(&nv);
        double total = 0, es = 0;
        for (igraph_integer_t i = 0; i < k; i++) total += edge_weight(gr, w, v, VECTOR(nv)[i]);
        if (k == 0 || total == 0) {
            VECTOR(*out)[v] = 0; /* undefined for an isolated organisation */
            continue;
        }
        for (igraph_integer_t i = 0; i < k && !ic; i++) {
            igraph_integer_t j = VECTOR(nv)[i];
            if ((ic = igraph_neighbors(&gr->g, &nj, j, IGRAPH_ALL))) break;
            double top = 0;
            for (igraph_integer_t q = 0; q < igraph_vector_int_size(&nj); q++) {
                double x = edge_weight(gr, w, j, VECTOR(nj)[q]);
                if (x > top) top = x;
            }
            double redundancy = 0;
            for (igraph_integer_t q = 0; q < k && top > 0; q++)
                if (VECTOR(nv)[q] != j)
                    redundancy += edge_weight(gr, w, v, VECTOR(nv)[q]) / total *
                                  (edge_weight(gr, w, j, VECTOR(nv)[q]) / top);
            es += 1 - redundancy;
        }
        VECTOR(*out)[v] = es;
    }
    igraph_vector_int_destroy(&nv);
    igraph_vector_int_destroy(&nj);
    return ic;
}

/* Path lengths of a weighted view: a tie's weight w is the distance 1/w. */
static igraph_error_t distances_of(const eng_graph_t *gr, igraph_vector_t *dist)
{
    igraph_error_t ic = igraph_vector_init_copy(dist, &gr->weight);
    if (ic) return ic;
    for (igraph_integer_t i = 0; i < igraph_vector_size(dist); i++) VECTOR(*dist)[i] = 1.0 / VECTOR(*dist)[i];
    return IGRAPH_SUCCESS;
}

tsg_status_t eng_centrality(const eng_graph_t *gr, int measure, int weighted, double cutoff, igraph_vector_t *out,
                            tsg_error_t *err)
{
    igraph_error_t ic = igraph_vector_init(out, 0);
    if (ic) return ig_fail(ic, err);
    const igraph_vector_t *w = weighted ? &gr->weight : NULL;
    igraph_vector_t dist;
    int have_dist = 0;
    if (weighted && (measure == ENG_BETWEENNESS || measure == ENG_CLOSENESS || measure == ENG_HARMONIC)) {
        if ((ic = distances_of(gr, &dist))) goto fail;
        have_dist = 1;
    }
    const igraph_vector_t *d = have_dist ? &dist : NULL;
    igraph_vs_t all = igraph_vss_all();
    igraph_bool_t dir = gr->directed;
    igraph_neimode_t in = dir ? IGRAPH_IN : IGRAPH_ALL;
    if (dir && (measure == ENG_CONSTRAINT || measure == ENG_EFFECTIVE_SIZE)) {
        ic = IGRAPH_EINVAL;
        goto fail;
    }
    switch (measure) {
    case ENG_DEGREE:
        if (weighted) {
            ic = igraph_strength(&gr->g, out, all, in, IGRAPH_LOOPS, w);
        } else {
            igraph_vector_int_t deg;
            if (!(ic = igraph_vector_int_init(&deg, 0))) {
                if (!(ic = igraph_degree(&gr->g, &deg, all, in, IGRAPH_LOOPS)) &&
                    !(ic = igraph_vector_resize(out, igraph_vector_int_size(&deg))))
                    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&deg); i++) VECTOR(*out)[i] = (double)VECTOR(deg)[i];
                igraph_vector_int_destroy(&deg);
            }
        }
        break;
    /* A negative cutoff is none: these are the exact measures then. */
    case ENG_BETWEENNESS: ic = igraph_betweenness_cutoff(&gr->g, out, all, dir, d, cutoff); break;
    case ENG_CLOSENESS: ic = igraph_closeness_cutoff(&gr->g, out, NULL, NULL, all, in, d, 1, cutoff); break;
    case ENG_HARMONIC: ic = igraph_harmonic_centrality_cutoff(&gr->g, out, all, in, d, 0, cutoff); break;
    case ENG_PAGERANK:
        ic = igraph_pagerank(&gr->g, IGRAPH_PAGERANK_ALGO_PRPACK, out, NULL, all, dir, 0.85, w, NULL);
        break;
    case ENG_EIGENVECTOR: {
        igraph_arpack_options_t opts;
        igraph_arpack_options_init(&opts);
        ic = igraph_eigenvector_centrality(&gr->g, out, NULL, dir, 1, w, &opts);
        break;
    }
    case ENG_CONSTRAINT: ic = igraph_constraint(&gr->g, out, all, w); break;
    case ENG_EFFECTIVE_SIZE: ic = effective_size(gr, w, out); break;
    default: ic = IGRAPH_EINVAL;
    }
    if (ic) goto fail;
    /* An isolated organisation has no closeness or constraint: 0, not NaN. */
    for (igraph_integer_t i = 0; i < igraph_vector_size(out); i++)
        if (isnan(VECTOR(*out)[i])) VECTOR(*out)[i] = 0;
    if (have_dist) igraph_vector_destroy(&dist);
    return TSG_OK;
fail:
    if (have_dist) igraph_vector_destroy(&dist);
    igraph_vector_destroy(out);
    return ig_fail(ic, err);
}

/* splitmix64: a small generator of our own, so the pivots depend on the seed
 * alone, not on what else used igraph's generator. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

tsg_status_t eng_betweenness_sample(const eng_graph_t *gr, int weighted, igraph_integer_t pivots, uint64_t seed,
                                    igraph_vector_t *out, igraph_vector_t *margin, tsg_error_t *err)
{
    igraph_integer_t n = gr->n, k = pivots < n ? pivots : n;
    int batches = k < ENG_SAMPLE_BATCHES ? (int)k : ENG_SAMPLE_BATCHES;
    igraph_vector_int_t order, batch;
    igraph_vector_t dist, part, sumsq;
    int have[5] = {0};
    igraph_error_t ic;
    if (k < 1 || batches < 2) return util_fail(err, TSG_EINPUT, _("a sample needs at least 2 organisations"));
    if ((ic = igraph_vector_init(out, n))) return ig_fail(ic, err);
    if ((ic = igraph_vector_init(margin, n))) {
        igraph_vector_destroy(out);
        return ig_fail(ic, err);
    }
    if ((ic = igraph_vector_int_init_range(&order, 0, n))) goto fail;
    have[0] = 1;
    if ((ic = igraph_vector_int_init(&batch, 0))) goto fail;
    have[1] = 1;
    if ((ic = igraph_vector_init(&part, 0))) goto fail;
    have[2] = 1;
    if ((ic = igraph_vector_init(&sumsq, n))) goto fail;
    have[3] = 1;
    if (weighted) {
        if ((ic = distances_of(gr, &dist))) goto fail;
        have[4] = 1;
    }
    /* The first k of a seeded shuffle are the pivots. */
    uint64_t state = seed;
    for (igraph_integer_t i = 0; i < k; i++) {
        igraph_integer_t j = i + (igraph_integer_t)(next_random(&state) % (uint64_t)(n - i));
        igraph_integer_t t = VECTOR(order)[i];
        VECTOR(order)[i] = VECTOR(order)[j];
        VECTOR(order)[j] = t;
    }
    /* Each batch of pivots gives its own estimate, n / |batch| times the
     * paths from the batch; the estimate is their mean weighted by size
     * (n / k times the paths from all pivots), and the spread between
     * batches gives the margin. */
    for (int b = 0; b < batches; b++) {
        igraph_integer_t from = k * b / batches, to = k * (b + 1) / batches;
        if ((ic = igraph_vector_int_resize(&batch, to - from))) goto fail;
        for (igraph_integer_t i = from; i < to; i++) VECTOR(batch)[i - from] = VECTOR(order)[i];
        igraph_vs_t sources;
        if ((ic = igraph_vs_vector(&sources, &batch))) goto fail;
        if ((ic = igraph_betweenness_subset(&gr->g, &part, igraph_vss_all(), gr->directed, sources, igraph_vss_all(),
                                            have[4] ? &dist : NULL)))
            goto fail;
        double scale = (double)n / (double)(to - from);
        for (igraph_integer_t v = 0; v < n; v++) {
            double e = VECTOR(part)[v] * scale;
            VECTOR(*out)[v] += e * (double)(to - from) / (double)k;
            VECTOR(sumsq)[v] += e * e;
        }
    }
    /* Sampling without replacement: the finite population correction makes
     * the margin 0 when every organisation is a pivot. */
    double fpc = n > 1 ? sqrt((double)(n - k) / (double)(n - 1)) : 0;
    /* Student's t, 97.5th percentile, for 1 to 9 degrees of freedom. */
    static const double t975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262};
    for (igraph_integer_t v = 0; v < n; v++) {
        double mean = VECTOR(*out)[v], var = (VECTOR(sumsq)[v] - batches * mean * mean) / (batches - 1);
        VECTOR(*margin)[v] = t975[batches - 2] * sqrt(var > 0 ? var : 0) / sqrt((double)batches) * fpc;
    }
    ic = IGRAPH_SUCCESS;
fail:
    if (have[4]) igraph_vector_destroy(&dist);
    if (have[3]) igraph_vector_destroy(&sumsq);
    if (have[2]) igraph_vector_destroy(&part);
    if (have[1]) igraph_vector_int_destroy(&batch);
    if (have[0]) igraph_vector_int_destroy(&order);
    if (!ic) return TSG_OK;
    igraph_vector_destroy(out);
    igraph_vector_destroy(margin);
    return ig_fail(ic, err);
}

void eng_horizontal_free(eng_horizontal_t *h)
{
    igraph_vector_int_destroy(&h->dependent);
    igraph_vector_int_destroy(&h->pieces);
    igraph_vector_int_destroy(&h->articulation);
    igraph_vector_int_destroy(&h->bridges);
}

static int cmp_desc(const void *a, const void *b)
{
    igraph_integer_t x = *(const igraph_integer_t *)a, y = *(const igraph_integer_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

tsg_status_t eng_horizontal(const eng_net_t *net, const eng_graph_t *gr, eng_horizontal_t *h, tsg_error_t *err)
{
    return eng_horizontal_with(net, gr, 1, h, err);
}

tsg_status_t eng_horizontal_with(const eng_net_t *net, const eng_graph_t *gr, int centralization, eng_horizontal_t *h,
                                 tsg_error_t *err)
{
    memset(h, 0, sizeof *h);
    igraph_error_t ic;
    if ((ic = igraph_vector_int_init(&h->dependent, 0)) || (ic = igraph_vector_int_init(&h->pieces, 0)) ||
        (ic = igraph_vector_int_init(&h->articulation, 0)) || (ic = igraph_vector_int_init(&h->bridges, 0)))
    {
        eng_horizontal_free(h); /* vectors not yet made are zeroed, which destroy accepts */
        return ig_fail(ic, err);
    }
    const igraph_t *g = &gr->g;
    h->orgs = gr->n;
    h->ties = igraph_ecount(g);
    igraph_integer_t e_gov = 0, i_gov = 0, e_sec = 0, i_sec = 0;
    for (igraph_integer_t e = 0; e < h->ties; e++) {
        int64_t a = gr->nid[IGRAPH_FROM(g, e)], b = gr->nid[IGRAPH_TO(g, e)];
        int ga = eng_is_government(net, a), gb = eng_is_government(net, b);
        if (!ga && !gb) h->ng_ties++;
        if (ga == gb) i_gov++;
        else e_gov++;
        const char *sa = net->sector[a] ? net->sector[a] : "", *sb = net->sector[b] ? net->sector[b] : "";
        if (strcmp(sa, sb)) e_sec++;
        else i_sec++;
    }
    h->ei_government = h->ties ? (double)(e_gov - i_gov) / (double)h->ties : 0;
    h->ei_sector = h->ties ? (double)(e_sec - i_sec) / (double)h->ties : 0;
    if (centralization && gr->n >= 3) {
        ic = igraph_centralization_betweenness(g, NULL, IGRAPH_UNDIRECTED, &h->centralization, NULL, 1);
        if (ic) goto fail;
    }
    /* Vertical dependence: a non-government organisation with ties, all of
     * them to government. */
    igraph_vector_int_t neis, keep;
    if ((ic = igraph_vector_int_init(&neis, 0))) goto fail;
    if ((ic = igraph_vector_int_init(&keep, 0))) {
        igraph_vector_int_destroy(&neis);
        goto fail;
    }
    for (igraph_integer_t v = 0; v < gr->n && !ic; v++) {
        if (eng_is_government(net, gr->nid[v])) continue;
        if ((ic = igraph_vector_int_push_back(&keep, v)) || (ic = igraph_neighbors(g, &neis, v, IGRAPH_ALL))) break;
        igraph_integer_t k = igraph_vector_int_size(&neis), gov = 0;
        for (igraph_integer_t i = 0; i < k; i++) gov += eng_is_government(net, gr->nid[VECTOR(neis)[i]]);
        if (k > 0 && gov == k) ic = igraph_vector_int_push_back(&h->dependent, v);
    }
    igraph_vector_int_destroy(&neis);
    /* The pieces the non-government organisations fall into without government. */
    if (!ic) {
        igraph_t sub;
        igraph_integer_t no;
        if (!(ic = igraph_induced_subgraph(g, &sub, igraph_vss_vector(&keep), IGRAPH_SUBGRAPH_AUTO))) {
            ic = igraph_connected_components(&sub, NULL, &h->pieces, &no, IGRAPH_WEAK);
            igraph_destroy(&sub);
        }
    }
    igraph_vector_int_destroy(&keep);
    if (ic) goto fail;
    qsort(VECTOR(h->pieces), (size_t)igraph_vector_int_size(&h->pieces), sizeof(igraph_integer_t), cmp_desc);
    if ((ic = igraph_articulation_points(g, &h->articulation)) || (ic = igraph_bridges(g, &h->bridges))) goto fail;
    igraph_vector_int_sort(&h->articulation);
    igraph_vector_int_sort(&h->bridges);
    return TSG_OK;
fail:
    eng_horizontal_free(h);
    return ig_fail(ic, err);
}

/* ---- brokerage ------------------------------------------------------------------- */

static int same_sector(const eng_net_t *net, int64_t a, int64_t b)
{
    const char *x = net->sector[a], *y = net->sector[b];
    return x && y && !strcmp(x, y);
}

tsg_status_t eng_brokerage(const eng_net_t *net, const eng_graph_t *gr, long **roles, tsg_error_t *err)
{
    *roles = NULL;
    if (!gr->directed) return util_fail(err, TSG_EINPUT, _("brokerage needs the directed view of the network"));
    *roles = calloc((size_t)gr->n * 5 + 1, sizeof **roles);
    if (!*roles) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    igraph_adjlist_t out;
    igraph_error_t ic = igraph_adjlist_init(&gr->g, &out, IGRAPH_OUT, IGRAPH_NO_LOOPS, IGRAPH_NO_MULTIPLE);
    if (ic) {
        free(*roles);
        *roles = NULL;
        return ig_fail(ic, err);
    }
    igraph_adjlist_sort(&out);
    /* Every arc A → B followed by B → C, where A has no arc to C. */
    for (igraph_integer_t a = 0; a < gr->n; a++) {
        const igraph_vector_int_t *from_a = igraph_adjlist_get(&out, a);
        for (igraph_integer_t i = 0; i < igraph_vector_int_size(from_a); i++) {
            igraph_integer_t b = VECTOR(*from_a)[i];
            const igraph_vector_int_t *from_b = igraph_adjlist_get(&out, b);
            for (igraph_integer_t j = 0; j < igraph_vector_int_size(from_b); j++) {
                igraph_integer_t c = VECTOR(*from_b)[j];
                if (c == a || igraph_vector_int_binsearch2(from_a, c)) continue;
                int64_t na = gr->nid[a], nb = gr->nid[b], nc = gr->nid[c];
                int ab = same_sector(net, na, nb), bc = same_sector(net, nb, nc), ac = same_sector(net, na, nc);
                int role = ab && bc ? ENG_COORDINATOR : bc ? ENG_GATEKEEPER : ab ? ENG_REPRESENTATIVE
                           : ac ? ENG_ITINERANT : ENG_LIAISON;
                (*roles)[b * 5 + role]++;
            }
        }
    }
    igraph_adjlist_destroy(&out);
    return TSG_OK;
}

tsg_status_t eng_communities(const eng_graph_t *gr, int weighted, igraph_vector_int_t *membership, igraph_integer_t *n,
                             tsg_error_t *err)
{
    igraph_error_t ic = igraph_vector_int_init(membership, 0);
    if (ic) return ig_fail(ic, err);
    if ((ic = igraph_rng_seed(igraph_rng_default(), 20241001)) ||
        (ic = igraph_community_multilevel(&gr->g, weighted ? &gr->weight : NULL, 1.0, membership, NULL, NULL))) {
        igraph_vector_int_destroy(membership);
        return ig_fail(ic, err);
    }
    *n = 0;
    for (igraph_integer_t v = 0; v < igraph_vector_int_size(membership); v++)
        if (VECTOR(*membership)[v] + 1 > *n) *n = VECTOR(*membership)[v] + 1;
    return TSG_OK;
}

void eng_group_ties(const eng_graph_t *gr, const int *group, int ngroups, long *ties)
{
    memset(ties, 0, (size_t)ngroups * (size_t)ngroups * sizeof *ties);
    for (igraph_integer_t e = 0; e < igraph_ecount(&gr->g); e++) {
        int a = group[IGRAPH_FROM(&gr->g, e)], b = group[IGRAPH_TO(&gr->g, e)];
        if (a < 0 || b < 0) continue;
        ties[a * ngroups + b]++;
        if (a != b) ties[b * ngroups + a]++;
    }
}

static int thinnest(const void *x, const void *y)
{
    const eng_pair_t *p = x, *q = y;
    if (p->ratio != q->ratio) return p->ratio < q->ratio ? -1 : 1;
    if (p->expected != q->expected) return p->expected > q->expected ? -1 : 1;
    return p->a != q->a ? p->a - q->a : p->b - q->b;
}

tsg_status_t eng_thin_pairs(const eng_graph_t *gr, const int *group, int ngroups, long *size, eng_pair_t **out,
                            size_t *n, tsg_error_t *err)
{
    long *ties = calloc((size_t)ngroups * (size_t)ngroups + 1, sizeof *ties);
    eng_pair_t *pairs = malloc(((size_t)ngroups * (size_t)ngroups + 1) * sizeof *pairs);
    if (!ties || !pairs) {
        free(ties);
        free(pairs);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    eng_group_ties(gr, group, ngroups, ties);
    memset(size, 0, (size_t)ngroups * sizeof *size);
    long all_n = 0;
    for (igraph_integer_t v = 0; v < gr->n; v++)
        if (group[v] >= 0) size[group[v]]++, all_n++;
    double all = (double)all_n * (double)(all_n - 1) / 2.0, m = 0;
    for (int a = 0; a < ngroups; a++)
        for (int b = a; b < ngroups; b++) m += (double)ties[a * ngroups + b];
    size_t k = 0;
    for (int a = 0; a < ngroups; a++)
        for (int b = a + 1; b < ngroups; b++) {
            double expected = all > 0 ? m * (double)size[a] * (double)size[b] / all : 0;
            long t = ties[a * ngroups + b];
            pairs[k++] = (eng_pair_t){a, b, t, expected, expected > 0 ? (double)t / expected : 0};
        }
    qsort(pairs, k, sizeof *pairs, thinnest);
    free(ties);
    *out = pairs;
    *n = k;
    return TSG_OK;
}

tsg_status_t eng_community_names(const eng_net_t *net, const eng_graph_t *gr, const igraph_vector_int_t *membership,
                                 igraph_integer_t ncom, char **names, tsg_error_t *err)
{
    for (igraph_integer_t k = 0; k < ncom; k++) {
        igraph_integer_t best = -1, best_deg = -1, size = 0;
        for (igraph_integer_t v = 0; v < gr->n; v++) {
            if (VECTOR(*membership)[v] != k) continue;
            igraph_integer_t deg;
            igraph_error_t ic = igraph_degree_1(&gr->g, &deg, v, IGRAPH_ALL, IGRAPH_LOOPS);
            if (ic) {
                while (k-- > 0) free(names[k]);
                return ig_fail(ic, err);
            }
            size++;
            if (deg > best_deg) best_deg = deg, best = v;
        }
        names[k] = util_printf("%ld: %s%s", (long)k + 1, best >= 0 ? net->name[gr->nid[best]] : "", size > 1 ? " …" : "");
        if (!names[k]) {
            while (k-- > 0) free(names[k]);
            return util_fail(err, TSG_ENOMEM, _("out of memory"));
        }
    }
    return TSG_OK;
}
