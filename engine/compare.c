/* compare — the differences between two networks; see compare.h. */
#include "compare.h"
#include "gaps.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *const eng_change_name[] = {"kept", "gained", "lost", "changed", "joined", "left", "opened", "closed", NULL};

int64_t eng_nid_of(const eng_net_t *net, const char *id)
{
    for (int64_t v = 1; v <= net->maxnid; v++)
        if (net->type[v] && net->id[v] && !strcmp(net->id[v], id)) return v;
    return 0;
}

int eng_in_scope(const eng_net_t *net, int64_t nid, int64_t district)
{
    if (district < 0) return 0;
    if (!district) return 1;
    if (net->type[nid] == ENG_PROGRAM) nid = net->org_of[nid];
    return nid > 0 && net->based[nid] && eng_under(net, net->based[nid], district);
}

static const char *safe(const char *s) { return s ? s : ""; }

static int same_text(const char *x, const char *y) { return !strcmp(safe(x), safe(y)); }

/* ---- nodes -------------------------------------------------------------------------- */

typedef struct keyed {
    const char *k1, *k2; /* the key, compared in order */
    long k3, k4;
    int side;            /* 0: a, 1: b */
    int64_t nid;
    size_t at;           /* index of a tie or a gap */
} keyed_t;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed_t *p = x, *q = y;
    int c = strcmp(p->k1, q->k1);
    if (!c) c = strcmp(p->k2, q->k2);
    if (!c) c = p->k3 < q->k3 ? -1 : p->k3 > q->k3;
    if (!c) c = p->k4 < q->k4 ? -1 : p->k4 > q->k4;
    if (!c) c = p->side - q->side;
    if (!c) c = p->at < q->at ? -1 : p->at > q->at;
    return c;
}

/* Whether all[i] (from a) and all[i + 1] (from b) are the same thing on both
 * sides: sorted by key then side, a pair is always adjacent. */
static int paired(const keyed_t *all, size_t i, size_t k)
{
    const keyed_t *p = &all[i], *q = &all[i + 1];
    return i + 1 < k && p->side == 0 && q->side == 1 && !strcmp(p->k1, q->k1) && !strcmp(p->k2, q->k2) &&
           p->k3 == q->k3 && p->k4 == q->k4;
}

/* The sort buffer and the rows of one diff, cap entries each; both or neither. */
static tsg_status_t diff_buffers(size_t cap, size_t row_size, keyed_t **all, void **rows, tsg_error_t *err)
{
    *all = malloc(cap * sizeof **all);
    *rows = malloc(cap * row_size);
    if (*all && *rows) return TSG_OK;
    free(*all);
    free(*rows);
    *all = NULL;
    *rows = NULL;
    return util_fail(err, TSG_ENOMEM, _("out of memory"));
}

static int is_member(const eng_net_t *net, int64_t v)
{
    int t = net->type[v];
    return t == ENG_ORGANISATION || t == ENG_PROGRAM || t == ENG_FORUM;
}

/* Which organisations, programs and forums of each side are also on the
 * other side (the same id): *ma and *mb, by nid, hold the nid it has there
 * (0: none). */
static tsg_status_t match_ids(const eng_net_t *a, const eng_net_t *b, int64_t **ma, int64_t **mb, tsg_error_t *err)
{
    *ma = calloc((size_t)a->maxnid + 1, sizeof **ma);
    *mb = calloc((size_t)b->maxnid + 1, sizeof **mb);
    size_t cap = (size_t)a->maxnid + (size_t)b->maxnid + 2, k = 0;
    keyed_t *all = *ma && *mb ? malloc(cap * sizeof *all) : NULL;
    if (!all) {
        free(*ma);
        free(*mb);
        *ma = *mb = NULL;
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (int side = 0; side < 2; side++) {
        const eng_net_t *net = side ? b : a;
        for (int64_t v = 1; v <= net->maxnid; v++)
            if (is_member(net, v)) all[k++] = (keyed_t){net->id[v], "", 0, 0, side, v, 0};
    }
    qsort(all, k, sizeof *all, cmp_keyed);
    for (size_t i = 0; i + 1 < k; i++)
        if (paired(all, i, k)) {
            (*ma)[all[i].nid] = all[i + 1].nid;
            (*mb)[all[i + 1].nid] = all[i].nid;
        }
    free(all);
    return TSG_OK;
}

/* Which organisations, programs and forums of each side are in scope: in
 * the district on that side, or the same node (by id) in it on the other
 * side. A node that moved into or out of the district is on both sides, a
 * changed node, and its ties are the same ties on both: kept, not lost and
 * gained. Without a district every node is. *ina and *inb by nid. */
static tsg_status_t scope_both(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db, unsigned char **ina,
                               unsigned char **inb, tsg_error_t *err)
{
    int64_t *ma = NULL, *mb = NULL;
    /* Without a district everything is in scope on both sides: no match needed. */
    tsg_status_t st = da || db ? match_ids(a, b, &ma, &mb, err) : TSG_OK;
    if (st) return st;
    *ina = calloc((size_t)a->maxnid + 1, 1);
    *inb = calloc((size_t)b->maxnid + 1, 1);
    if (!*ina || !*inb) {
        free(*ina);
        free(*inb);
        *ina = *inb = NULL;
        st = util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (int side = 0; !st && side < 2; side++) {
        const eng_net_t *net = side ? b : a;
        unsigned char *in = side ? *inb : *ina;
        for (int64_t v = 1; v <= net->maxnid; v++)
            if (is_member(net, v)) in[v] = (unsigned char)eng_in_scope(net, v, side ? db : da);
    }
    for (int64_t v = 1; !st && ma && v <= a->maxnid; v++)
        if (ma[v] && ((*ina)[v] || (*inb)[ma[v]])) (*ina)[v] = (*inb)[ma[v]] = 1;
    free(ma);
    free(mb);
    return st;
}

/* What differs between x (a, on day_a) and y (b, on day_b): ENG_DIFF_* bits. */
unsigned eng_node_diff(const eng_net_t *a, int64_t x, long day_a, const eng_net_t *b, int64_t y, long day_b)
{
    unsigned d = 0;
    if (a->type[x] != b->type[y]) return ENG_DIFF_NAME;
    if (!same_text(a->name[x], b->name[y])) d |= ENG_DIFF_NAME;
    if (!same_text(a->sector[x], b->sector[y])) d |= ENG_DIFF_SECTOR;
    if (a->type[x] == ENG_PROGRAM) {
        int64_t ox = a->org_of[x], oy = b->org_of[y];
        if (!same_text(ox ? a->id[ox] : NULL, oy ? b->id[oy] : NULL)) d |= ENG_DIFF_OWNER;
        if (eng_running(&a->programs[a->prog[x]], day_a) != eng_running(&b->programs[b->prog[y]], day_b))
            d |= ENG_DIFF_RUNNING;
    } else {
        int64_t dx = a->based[x], dy = b->based[y];
        if (!same_text(dx ? a->id[dx] : NULL, dy ? b->id[dy] : NULL)) d |= ENG_DIFF_DISTRICT;
    }
    return d;
}

tsg_status_t eng_diff_nodes(const eng_net_t *a, int64_t da, long day_a, const eng_net_t *b, int64_t db, long day_b,
                            eng_node_change_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = (size_t)a->maxnid + (size_t)b->maxnid + 2, k = 0;
    keyed_t *all;
    eng_node_change_t *rows;
    tsg_status_t st = diff_buffers(cap, sizeof *rows, &all, (void **)&rows, err);
    if (st) return st;
    unsigned char *ina, *inb;
    if ((st = scope_both(a, da, b, db, &ina, &inb, err))) {
        free(all);
        free(rows);
        return st;
    }
    for (int side = 0; side < 2; side++) {
        const eng_net_t *net = side ? b : a;
        const unsigned char *in = side ? inb : ina;
        for (int64_t v = 1; v <= net->maxnid; v++)
            if (in[v]) all[k++] = (keyed_t){net->id[v], "", 0, 0, side, v, 0};
    }
    free(ina);
    free(inb);
    qsort(all, k, sizeof *all, cmp_keyed);
    size_t m = 0;
    for (size_t i = 0; i < k;) {
        if (paired(all, i, k)) {
            if (eng_node_diff(a, all[i].nid, day_a, b, all[i + 1].nid, day_b))
                rows[m++] = (eng_node_change_t){ENG_CHANGED, all[i].nid, all[i + 1].nid};
            i += 2;
            continue;
        }
        rows[m++] = all[i].side ? (eng_node_change_t){ENG_JOINED, 0, all[i].nid}
                                : (eng_node_change_t){ENG_LEFT, all[i].nid, 0};
        i++;
    }
    free(all);
    *out = rows;
    *n = m;
    return TSG_OK;
}

/* ---- ties --------------------------------------------------------------------------- */

tsg_status_t eng_diff_ties(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db, eng_tie_change_t **out,
                           size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = a->nties + b->nties + 1, k = 0;
    keyed_t *all;
    eng_tie_change_t *rows;
    tsg_status_t st = diff_buffers(cap, sizeof *rows, &all, (void **)&rows, err);
    if (st) return st;
    unsigned char *ina, *inb;
    if ((st = scope_both(a, da, b, db, &ina, &inb, err))) {
        free(all);
        free(rows);
        return st;
    }
    for (int side = 0; side < 2; side++) {
        const eng_net_t *net = side ? b : a;
        const unsigned char *in = side ? inb : ina;
        for (size_t t = 0; t < net->nties; t++) {
            const eng_tie_t *tie = &net->ties[t];
            if (!in[tie->src] && !in[tie->dst]) continue;
            const char *s = safe(net->id[tie->src]), *e = safe(net->id[tie->dst]);
            /* An undirected tie is the same tie written either way round. */
            if (!tie->directed && strcmp(s, e) > 0) {
                const char *x = s;
                s = e;
                e = x;
            }
            all[k++] = (keyed_t){s, e, tie->kind, 0, side, 0, t};
        }
    }
    free(ina);
    free(inb);
    qsort(all, k, sizeof *all, cmp_keyed);
    size_t m = 0;
    for (size_t i = 0; i < k;) {
        if (paired(all, i, k)) {
            const eng_tie_t *x = &a->ties[all[i].at], *y = &b->ties[all[i + 1].at];
            rows[m++] = (eng_tie_change_t){x->count == y->count ? ENG_KEPT : ENG_CHANGED, x, y};
            i += 2;
            continue;
        }
        rows[m++] = all[i].side ? (eng_tie_change_t){ENG_GAINED, NULL, &b->ties[all[i].at]}
                                : (eng_tie_change_t){ENG_LOST, &a->ties[all[i].at], NULL};
        i++;
    }
    free(all);
    *out = rows;
    *n = m;
    return TSG_OK;
}

/* ---- gaps --------------------------------------------------------------------------- */

tsg_status_t eng_diff_gaps(const eng_net_t *a, const eng_gap_t *ga, size_t na, const eng_net_t *b, const eng_gap_t *gb,
                           size_t nb, eng_gap_change_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    size_t k = 0;
    keyed_t *all;
    eng_gap_change_t *rows;
    tsg_status_t st = diff_buffers(na + nb + 1, sizeof *rows, &all, (void **)&rows, err);
    if (st) return st;
    /* kind and ages in one number, so the key stays four fields. */
    for (int side = 0; side < 2; side++) {
        const eng_net_t *net = side ? b : a;
        const eng_gap_t *g = side ? gb : ga;
        for (size_t i = 0, ng = side ? nb : na; i < ng; i++)
            all[k++] = (keyed_t){safe(net->id[g[i].district]), safe(g[i].need), g[i].kind,
                                 (long)g[i].age_from * 1000 + g[i].age_to, side, 0, i};
    }
    qsort(all, k, sizeof *all, cmp_keyed);
    size_t m = 0;
    for (size_t i = 0; i < k;) {
        if (paired(all, i, k)) {
            i += 2;
            continue;
        }
        rows[m++] = all[i].side ? (eng_gap_change_t){ENG_OPENED, &gb[all[i].at]}
                                : (eng_gap_change_t){ENG_CLOSED, &ga[all[i].at]};
        i++;
    }
    free(all);
    *out = rows;
    *n = m;
    return TSG_OK;
}

/* ---- organisations' degree and brokerage ------------------------------------------- */

static long *degrees(const eng_graph_t *g)
{
    long *d = calloc((size_t)g->n + 1, sizeof *d);
    if (!d) return NULL;
    for (igraph_integer_t e = 0; e < igraph_ecount(&g->g); e++) {
        d[IGRAPH_FROM(&g->g, e)]++;
        d[IGRAPH_TO(&g->g, e)]++;
    }
    return d;
}

static long labs_(long x) { return x < 0 ? -x : x; }

static int larger_change(const void *x, const void *y)
{
    const eng_org_change_t *p = x, *q = y;
    long dp = labs_(p->degree_b - p->degree_a), dq = labs_(q->degree_b - q->degree_a);
    if (dp != dq) return dp > dq ? -1 : 1;
    dp = labs_(p->brokerage_b - p->brokerage_a), dq = labs_(q->brokerage_b - q->brokerage_a);
    if (dp != dq) return dp > dq ? -1 : 1;
    return 0; /* qsort is not stable: the caller's keys break ties (see below) */
}

/* The id the row is known by, for the last tie-break. */
typedef struct org_row {
    eng_org_change_t r;
    const char *id;
} org_row_t;

static int larger_change_then_id(const void *x, const void *y)
{
    const org_row_t *p = x, *q = y;
    int c = larger_change(&p->r, &q->r);
    return c ? c : strcmp(p->id, q->id);
}

tsg_status_t eng_diff_orgs(const eng_net_t *a, const eng_graph_t *ua, const eng_graph_t *wa, const eng_net_t *b,
                           const eng_graph_t *ub, const eng_graph_t *wb, eng_org_change_t **out, size_t *n,
                           tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    long *dega = degrees(ua), *degb = degrees(ub), *ra = NULL, *rb = NULL;
    size_t cap = (size_t)ua->n + (size_t)ub->n + 1, k = 0;
    keyed_t *all = malloc(cap * sizeof *all);
    org_row_t *rows = malloc(cap * sizeof *rows);
    /* Brokerage needs the directed view; its vertices are the undirected
     * view's (the same organisations in the same order, eng_graph_build). */
    int64_t *ma = NULL, *mb = NULL;
    tsg_status_t rc = TSG_OK;
    if (!dega || !degb || !all || !rows) rc = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!rc) rc = eng_brokerage(a, wa, &ra, err);
    if (!rc) rc = eng_brokerage(b, wb, &rb, err);
    if (!rc) {
        for (int side = 0; side < 2; side++) {
            const eng_graph_t *g = side ? ub : ua;
            const eng_net_t *net = side ? b : a;
            for (igraph_integer_t v = 0; v < g->n; v++)
                all[k++] = (keyed_t){safe(net->id[g->nid[v]]), "", 0, 0, side, g->nid[v], (size_t)v};
        }
        qsort(all, k, sizeof *all, cmp_keyed);
        size_t m = 0;
        for (size_t i = 0; i < k;) {
            int both = paired(all, i, k);
            const keyed_t *x = all[i].side ? NULL : &all[i], *y = both ? &all[i + 1] : all[i].side ? &all[i] : NULL;
            /* One that is in the other network too (it moved into or out
             * of the district's graph) is changed, as in the node table. */
            if (!both && !ma && (rc = match_ids(a, b, &ma, &mb, err))) break;
            int there = both || (x ? ma[x->nid] != 0 : mb[y->nid] != 0);
            eng_org_change_t r = {there ? ENG_CHANGED : x ? ENG_LEFT : ENG_JOINED, x ? x->nid : 0, y ? y->nid : 0, 0,
                                  0, 0, 0};
            if (x) {
                r.degree_a = dega[x->at];
                for (int role = 0; role < 5; role++) r.brokerage_a += ra[x->at * 5 + role];
            }
            if (y) {
                r.degree_b = degb[y->at];
                for (int role = 0; role < 5; role++) r.brokerage_b += rb[y->at * 5 + role];
            }
            if (!both || r.degree_a != r.degree_b || r.brokerage_a != r.brokerage_b)
                rows[m++] = (org_row_t){r, x ? x->k1 : y->k1};
            i += both ? 2 : 1;
        }
        qsort(rows, m, sizeof *rows, larger_change_then_id);
        eng_org_change_t *res = rc ? NULL : malloc((m + 1) * sizeof *res);
        if (!res && !rc) rc = util_fail(err, TSG_ENOMEM, _("out of memory"));
        for (size_t i = 0; res && i < m; i++) res[i] = rows[i].r;
        *out = res;
        *n = res ? m : 0;
    }
    free(ma);
    free(mb);
    free(dega);
    free(degb);
    free(ra);
    free(rb);
    free(all);
    free(rows);
    return rc;
}
