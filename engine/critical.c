/* critical — what each organisation's loss would cost; see critical.h. */
#include "critical.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

typedef struct crit {
    const eng_net_t *net;
    const eng_gaps_query_t *q;
    int32_t *slot;          /* by nid: an organisation's index in v, else -1 */
    eng_critical_t *v;
    size_t n, cap;
    long *stamp;            /* by index in v: the last (cell, need) counted for it, as cells and as reach */
    long *rstamp;
    unsigned char *listed; /* by nid: scratch, 0 between uses */
    int oom;
} crit_t;

static eng_critical_t *entry(crit_t *c, int64_t org)
{
    if (org <= 0 || org > c->net->maxnid) return NULL;
    if (c->slot[org] >= 0) return &c->v[c->slot[org]];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        eng_critical_t *grown = realloc(c->v, cap * sizeof *grown);
        long *st = realloc(c->stamp, cap * sizeof *st);
        if (st) c->stamp = st;
        long *rs = st ? realloc(c->rstamp, cap * sizeof *rs) : NULL;
        if (rs) c->rstamp = rs;
        if (grown) c->v = grown;
        if (!grown || !st || !rs) {
            c->oom = 1;
            return NULL;
        }
        c->cap = cap;
    }
    eng_critical_t *e = &c->v[c->n];
    memset(e, 0, sizeof *e);
    e->org = org;
    e->id = c->net->id[org];
    for (int k = 0; k < 64; k++) e->lo[k] = e->hi[k] = -1;
    c->stamp[c->n] = c->rstamp[c->n] = -1;
    c->slot[org] = (int32_t)c->n++;
    return e;
}

static void widen(eng_critical_t *e, int k, int x)
{
    if (e->lo[k] < 0 || x < e->lo[k]) e->lo[k] = x;
    if (x > e->hi[k]) e->hi[k] = x;
}

/* ---- fragmentation: one depth-first search -------------------------------------- */

/* For every vertex v of a component of C vertices, the pieces the others
 * fall into without v: each DFS child whose subtree has no edge above v
 * (low >= disc[v]) is one, and the rest of the component another. */
static int fragment(crit_t *c, const eng_graph_t *gr)
{
    igraph_integer_t n = gr->n;
    if (!n) return 0;
    igraph_adjlist_t adj;
    if (igraph_adjlist_init(&gr->g, &adj, IGRAPH_ALL, IGRAPH_NO_LOOPS, IGRAPH_NO_MULTIPLE)) return -1;
    long *disc = malloc((size_t)n * sizeof *disc), *low = malloc((size_t)n * sizeof *low);
    long *size = malloc((size_t)n * sizeof *size), *sep = calloc((size_t)n, sizeof *sep);
    long *sq = calloc((size_t)n, sizeof *sq), *pieces = calloc((size_t)n, sizeof *pieces);
    igraph_integer_t *parent = malloc((size_t)n * sizeof *parent), *it = calloc((size_t)n, sizeof *it);
    igraph_integer_t *stack = malloc((size_t)n * sizeof *stack), *order = malloc((size_t)n * sizeof *order);
    int rc = 0;
    if (!disc || !low || !size || !sep || !sq || !pieces || !parent || !it || !stack || !order) rc = -1;
    for (igraph_integer_t v = 0; !rc && v < n; v++) disc[v] = -1;
    long timer = 0;
    for (igraph_integer_t r = 0; !rc && r < n; r++) {
        if (disc[r] >= 0) continue;
        size_t top = 0, norder = 0;
        stack[top++] = r;
        disc[r] = low[r] = timer++;
        size[r] = 1;
        parent[r] = -1;
        order[norder++] = r;
        while (top) {
            igraph_integer_t v = stack[top - 1];
            igraph_vector_int_t *nb = igraph_adjlist_get(&adj, v);
            if (it[v] < igraph_vector_int_size(nb)) {
                igraph_integer_t w = VECTOR(*nb)[it[v]++];
                if (disc[w] < 0) {
                    parent[w] = v;
                    disc[w] = low[w] = timer++;
                    size[w] = 1;
                    stack[top++] = w;
                    order[norder++] = w;
                } else if (w != parent[v] && disc[w] < low[v]) {
                    low[v] = disc[w];
                }
                continue;
            }
            top--;
            igraph_integer_t p = parent[v];
            if (p < 0) continue;
            size[p] += size[v];
            if (low[v] < low[p]) low[p] = low[v];
            if (low[v] >= disc[p]) {
                sep[p] += size[v];
                sq[p] += size[v] * (size[v] - 1) / 2;
                pieces[p]++;
            }
        }
        long C = size[r];
        for (size_t i = 0; i < norder; i++) {
            igraph_integer_t v = order[i];
            long rest = C - 1 - sep[v];
            eng_critical_t *e = entry(c, gr->nid[v]);
            if (!e) {
                rc = -1;
                break;
            }
            e->pairs = (C - 1) * (C - 2) / 2 - sq[v] - rest * (rest - 1) / 2;
            e->cut = pieces[v] + (rest > 0) >= 2;
        }
    }
    /* Partners and the pairs of them it alone joins (no tie between the
     * two): the introductions its loss would cost, cut or not. A pair of
     * partners tied to each other closes a triangle through the vertex, so
     * the brokered pairs are C(degree, 2) less its triangles (igraph's
     * count: the graph is simple, eng_graph_build joins a pair once). */
    igraph_vector_t tri;
    int have_tri = !rc && igraph_vector_init(&tri, 0) == IGRAPH_SUCCESS;
    if (!rc && (!have_tri || igraph_adjacent_triangles(&gr->g, &tri, igraph_vss_all()) != IGRAPH_SUCCESS)) rc = -1;
    for (igraph_integer_t v = 0; !rc && v < n; v++) {
        long d = (long)igraph_vector_int_size(igraph_adjlist_get(&adj, v));
        eng_critical_t *e = entry(c, gr->nid[v]);
        if (!e) {
            rc = -1;
            break;
        }
        e->partners = d;
        e->brokered = d * (d - 1) / 2 - (long)VECTOR(tri)[v];
    }
    if (have_tri) igraph_vector_destroy(&tri);
    free(disc);
    free(low);
    free(size);
    free(sep);
    free(sq);
    free(pieces);
    free(parent);
    free(it);
    free(stack);
    free(order);
    igraph_adjlist_destroy(&adj);
    return rc;
}

/* ---- cells and reach ---------------------------------------------------------------- */

typedef struct walk {
    signed char *d;   /* by nid: ties from an entry point, -1 not reached */
    int64_t *seen;
    size_t n;
} walk_t;

/* Referral steps from the entry points (those serving the cell), as GAPS
 * walks them, with the programs of organisation `without` gone (0: none). */
static void walk(const eng_net_t *net, const eng_gaps_query_t *q, const int32_t *entries, size_t nentries,
                 int64_t without, walk_t *w)
{
    w->n = 0;
    for (size_t i = 0; i < nentries; i++) {
        const eng_program_t *p = &net->programs[entries[i]];
        if ((without && p->org == without) || w->d[p->nid] >= 0) continue;
        w->d[p->nid] = 0;
        w->seen[w->n++] = p->nid;
    }
    for (size_t head = 0; head < w->n; head++) {
        int64_t u = w->seen[head];
        if (w->d[u] >= q->hops) continue;
        for (size_t k = net->ref_off[u]; k < net->ref_off[u + 1]; k++) {
            int64_t v = net->ref_to[k];
            if (w->d[v] >= 0) continue;
            const eng_program_t *p = &net->programs[net->prog[v]];
            if (!eng_running(p, q->as_of) || (without && p->org == without)) continue;
            w->d[v] = (signed char)(w->d[u] + 1);
            w->seen[w->n++] = v;
        }
    }
}

static void unwalk(walk_t *w)
{
    for (size_t i = 0; i < w->n; i++) w->d[w->seen[i]] = -1;
    w->n = 0;
}

/* The programs covering need k of the group in cell s (any age). */
static size_t covering(const eng_net_t *net, const eng_gaps_query_t *q, int k, int64_t s, int32_t *out)
{
    size_t n = 0, a, b;
    const char *need = q->needs[k];
    const int32_t *named = eng_for_group(net, q->target, need, &a);
    const int32_t *all = eng_for_group(net, "everyone", need, &b);
    if (a == (size_t)-1) {
        for (size_t i = 0; i < net->nprograms; i++) {
            const eng_program_t *p = &net->programs[i];
            if (eng_covers(p, q->target, need, -1) && eng_running(p, q->as_of) && eng_serves(net, p, s))
                out[n++] = (int32_t)i;
        }
        return n;
    }
    for (size_t i = 0; i < a + b; i++) {
        int32_t x = i < a ? named[i] : all[i - a];
        const eng_program_t *p = &net->programs[x];
        int dup = 0;
        for (size_t j = 0; j < n && !dup; j++) dup = out[j] == x;
        if (!dup && eng_covers(p, q->target, need, -1) && eng_running(p, q->as_of) && eng_serves(net, p, s))
            out[n++] = x;
    }
    return n;
}

/* One cell: the sole providers of each age (cells), then, for each
 * organisation owning a node the cell's entry points reach, the walk again
 * without it (reach). `cover` holds room for nneeds × (nprograms + 1). */
static void one_cell(crit_t *c, int64_t s, long cellno, const int32_t *entries, size_t nentries, walk_t *w0, walk_t *w1,
                     int32_t *cover, int32_t *serving, int64_t *orgs)
{
    const eng_net_t *net = c->net;
    const eng_gaps_query_t *q = c->q;
    size_t nserving = 0, stride = net->nprograms + 1, ncover[64];
    for (size_t i = 0; i < nentries; i++)
        if (eng_serves(net, &net->programs[entries[i]], s)) serving[nserving++] = entries[i];
    for (int k = 0; k < q->nneeds; k++) ncover[k] = covering(net, q, k, s, &cover[(size_t)k * stride]);
    walk(net, q, serving, nserving, 0, w0);
    /* The organisations that own a node the entry points reach: only their
     * loss can cut the way to a program that stays. */
    size_t norgs = 0;
    for (size_t i = 0; i < w0->n; i++) {
        int64_t o = net->org_of[w0->seen[i]];
        if (o && !c->listed[o]) {
            c->listed[o] = 1;
            orgs[norgs++] = o;
        }
    }
    for (size_t j = 0; j < norgs; j++) c->listed[orgs[j]] = 0;
    for (int k = 0; k < q->nneeds && !c->oom; k++) {
        const int32_t *cv = &cover[(size_t)k * stride];
        if (!ncover[k]) continue;
        long key = cellno * 64 + k;
        for (int x = q->age_from; x <= q->age_to && !c->oom; x++) {
            int64_t sole = 0;
            int count = 0;
            for (size_t i = 0; i < ncover[k] && count < 2; i++) {
                const eng_program_t *p = &net->programs[cv[i]];
                if (!eng_covers(p, q->target, q->needs[k], x)) continue;
                if (!count || p->org != sole) count++, sole = p->org;
            }
            if (count != 1 || !sole) continue;
            eng_critical_t *e = entry(c, sole);
            if (!e) return;
            size_t slot = (size_t)(e - c->v);
            if (c->stamp[slot] != key) e->cells++;
            c->stamp[slot] = key;
            widen(e, k, x);
        }
    }
    for (size_t j = 0; j < norgs && !c->oom; j++) {
        int64_t o = orgs[j];
        walk(net, q, serving, nserving, o, w1);
        for (int k = 0; k < q->nneeds && !c->oom; k++) {
            const int32_t *cv = &cover[(size_t)k * stride];
            long key = cellno * 64 + k;
            for (int x = q->age_from; x <= q->age_to; x++) {
                int reached = 0, stays = 0, still = 0;
                for (size_t i = 0; i < ncover[k]; i++) {
                    const eng_program_t *p = &net->programs[cv[i]];
                    if (!eng_covers(p, q->target, q->needs[k], x)) continue;
                    reached |= w0->d[p->nid] >= 0;
                    if (p->org == o) continue;
                    stays = 1;
                    still |= w1->d[p->nid] >= 0;
                }
                if (!reached || !stays || still) continue;
                eng_critical_t *e = entry(c, o);
                if (!e) break;
                size_t slot = (size_t)(e - c->v);
                if (c->rstamp[slot] != key) e->reach++;
                c->rstamp[slot] = key;
                widen(e, k, x);
            }
        }
        unwalk(w1);
    }
    unwalk(w0);
}

static int gaps_part(crit_t *c, const int64_t *roots, size_t nroots, tsg_error_t *err)
{
    const eng_net_t *net = c->net;
    size_t nn = (size_t)net->maxnid + 1, nentries = 0;
    int32_t *entries = malloc((net->nprograms + 1) * sizeof *entries);
    int32_t *cover = malloc((net->nprograms + 1) * (size_t)(c->q->nneeds ? c->q->nneeds : 1) * sizeof *cover);
    int32_t *serving = malloc((net->nprograms + 1) * sizeof *serving);
    int64_t *orgs = malloc(nn * sizeof *orgs);
    walk_t w0 = {malloc(nn), malloc(nn * sizeof(int64_t)), 0}, w1 = {malloc(nn), malloc(nn * sizeof(int64_t)), 0};
    int rc = 0;
    if (!entries || !cover || !serving || !orgs || !w0.d || !w0.seen || !w1.d || !w1.seen) rc = -1;
    if (!rc) {
        memset(w0.d, -1, nn);
        memset(w1.d, -1, nn);
        for (size_t i = 0; i < net->nprograms; i++)
            if (net->programs[i].entry && eng_running(&net->programs[i], c->q->as_of)) entries[nentries++] = (int32_t)i;
    }
    long cellno = 0;
    for (size_t r = 0; !rc && r < nroots; r++) {
        int64_t *cells;
        size_t ncells;
        if (eng_cells(net, roots[r], c->q->by_ward, &cells, &ncells, err)) {
            rc = -2;
            break;
        }
        for (size_t i = 0; i < ncells && !c->oom; i++) one_cell(c, cells[i], cellno++, entries, nentries, &w0, &w1, cover, serving, orgs);
        free(cells);
    }
    free(entries);
    free(cover);
    free(serving);
    free(orgs);
    free(w0.d);
    free(w0.seen);
    free(w1.d);
    free(w1.seen);
    return rc;
}

tsg_status_t eng_critical(const eng_net_t *net, const eng_gaps_query_t *q, const int64_t *roots, size_t nroots,
                          const eng_graph_t *gr, eng_critical_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    if (q && (q->age_from < 0 || q->age_to > 150 || q->age_from > q->age_to || q->nneeds > 64))
        return util_fail(err, TSG_EINPUT, _("ages run from 0 to 150"));
    crit_t c = {net, q, malloc(((size_t)net->maxnid + 1) * sizeof *c.slot), NULL, 0, 0, NULL, NULL,
                calloc((size_t)net->maxnid + 1, 1), 0};
    if (!c.slot || !c.listed) {
        free(c.slot);
        free(c.listed);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (int64_t i = 0; i <= net->maxnid; i++) c.slot[i] = -1;
    int rc = fragment(&c, gr);
    if (!rc && q) rc = gaps_part(&c, roots, nroots, err);
    free(c.slot);
    free(c.listed);
    free(c.stamp);
    free(c.rstamp);
    if (rc || c.oom) {
        free(c.v);
        return rc == -2 ? err->code : util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    *out = c.v;
    *n = c.n;
    return TSG_OK;
}
