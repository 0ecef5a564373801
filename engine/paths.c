/* paths — breadth-first search over the tie steps; see paths.h. */
#include "paths.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The kinds of tie a walk may follow, as bits by kind: VIA any, every
 * kind but membership; else referrals only. */
static unsigned usable_kinds(int any) { return any ? ~(1u << ENG_MEMBERSHIP) : 1u << ENG_REFERRAL; }

static int usable(const eng_step_t *st, int any) { return usable_kinds(any) >> st->kind & 1u; }

/* Room for n hops after the first `tail`: 0, or -1 (v as it was) when out
 * of memory. The room doubles, so that the walk copies its hops seldom. */
static int room(eng_hop_t **v, size_t *cap, size_t tail, size_t n)
{
    if (tail + n <= *cap) return 0;
    size_t c = *cap;
    while (c < tail + n) c *= 2;
    eng_hop_t *grown = realloc(*v, c * sizeof *grown);
    if (!grown) return -1;
    *v = grown;
    *cap = c;
    return 0;
}

/* Takes the steps st[0..n) from u (at distance d) that the walk may take
 * (a usable kind; with undirected_only, an undirected tie) to a node it
 * has not reached yet: each is queued at v[tail] and marked d + 1; returns
 * the new tail. v has room for n hops more. Without a branch on whether a
 * node was reached, which goes either way about as often and which the
 * processor cannot foresee: every step writes a hop, and the tail moves
 * past the hops taken only. A node that two of the steps lead to is taken
 * at the first: the second reads the mark the first wrote. */
static inline size_t take(const eng_net_t *net, const eng_step_t *st, size_t n, unsigned kinds, int undirected_only,
                          int32_t u, int d, eng_hop_t *v, size_t tail)
{
    signed char *mark = net->mark, to_d = (signed char)(d + 1);
    for (size_t k = 0; k < n; k++) {
        eng_step_t s = st[k];
        signed char m = mark[s.to];
        unsigned ok = (kinds >> s.kind & 1u) & (m < 0);
        if (undirected_only) ok &= !net->ties[s.tie].directed;
        v[tail] = (eng_hop_t){(int32_t)s.to, u, d + 1};
        mark[s.to] = ok ? to_d : m;
        tail += ok;
    }
    return tail;
}

/* The walk itself: leaves net->mark set to the distance of every node it
 * reached (listed in q, in the order reached), for the caller to read and
 * then put back with unmark. */
static tsg_status_t walk_out(const eng_net_t *net, const int64_t *from, size_t nfrom, int any, int max, int reverse,
                             eng_hop_t **q, size_t *n, tsg_error_t *err)
{
    size_t cap = 256, tail = 0;
    eng_hop_t *v = malloc(cap * sizeof *v);
    if (!v) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    unsigned kinds = usable_kinds(any);
    for (size_t i = 0; i < nfrom; i++)
        if (net->mark[from[i]] < 0) {
            if (room(&v, &cap, tail, 1)) goto oom;
            net->mark[from[i]] = 0;
            v[tail++] = (eng_hop_t){(int32_t)from[i], 0, 0};
        }
    for (size_t head = 0; head < tail; head++) {
        int32_t u = v[head].node;
        int d = v[head].dist;
        if (d >= max) continue;
        /* The nodes a few places ahead in the queue: where their steps
         * start, and the steps, each fetched while this one is walked. The
         * marks the steps lead to are not fetched ahead: since `take` has
         * no branch on them, their reads overlap, and fetching them ahead
         * (a second pass over each node's steps) cost 10%. */
        if (head + 12 < tail) __builtin_prefetch(&net->off[v[head + 12].node]);
        if (head + 6 < tail && v[head + 6].dist < max) __builtin_prefetch(&net->steps[net->off[v[head + 6].node]]);
        /* Forwards, a node's steps are the ties leaving it; backwards, the
         * directed ties into it (in_steps) and its undirected ties (among
         * the steps leaving it). */
        size_t out = net->off[u + 1] - net->off[u], in = reverse ? net->in_off[u + 1] - net->in_off[u] : 0;
        if (room(&v, &cap, tail, out + in)) goto oom;
        tail = take(net, &net->steps[net->off[u]], out, kinds, reverse, u, d, v, tail);
        if (in) tail = take(net, &net->in_steps[net->in_off[u]], in, kinds, 0, u, d, v, tail);
    }
    *q = v;
    *n = tail;
    return TSG_OK;
oom:
    for (size_t i = 0; i < tail; i++) net->mark[v[i].node] = -1;
    free(v);
    return util_fail(err, TSG_ENOMEM, _("out of memory"));
}

static void unmark(const eng_net_t *net, const eng_hop_t *q, size_t n)
{
    for (size_t i = 0; i < n; i++) net->mark[q[i].node] = -1;
}

/* Sorts one level h[0..n) by node. A short run by insertion; a longer one
 * as 8-byte words, node above via (the level's distance is the same in
 * every hop), by radix on the node's bytes, least significant first, each
 * pass stable, skipping the bytes every node of the level shares (nids are
 * dense: two or three passes even nationally); the counts of all four
 * bytes taken in the loop that makes the words. `a` and `b` have room for n
 * words each. A generic qsort with a comparison callback was most of
 * REACH's time; sorting the 24-byte hops themselves (a pass moving three
 * words a hop, one loop counting every pass) a quarter of it. */
static void sort_by_node(eng_hop_t *h, uint64_t *a, uint64_t *b, size_t n)
{
    if (n < 32) {
        for (size_t i = 1; i < n; i++) {
            eng_hop_t x = h[i];
            size_t j = i;
            for (; j > 0 && h[j - 1].node > x.node; j--) h[j] = h[j - 1];
            h[j] = x;
        }
        return;
    }
    /* Every byte's counts while the words are made; a byte whose count
     * is n at one value (the first node's) is shared by the level. */
    uint32_t at[4][256];
    memset(at, 0, sizeof at);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)h[i].node;
        at[0][v & 0xff]++;
        at[1][(v >> 8) & 0xff]++;
        at[2][(v >> 16) & 0xff]++;
        at[3][v >> 24]++;
        a[i] = (uint64_t)v << 32 | (uint32_t)h[i].via;
    }
    uint64_t *src = a, *dst = b;
    for (unsigned p = 0; p < 4; p++) {
        unsigned shift = 32 + 8 * p;
        if (at[p][(src[0] >> shift) & 0xff] == n) continue;
        uint32_t sum = 0;
        for (int k = 0; k < 256; k++) {
            uint32_t c = at[p][k];
            at[p][k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[at[p][(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++) {
        h[i].node = (int32_t)(src[i] >> 32);
        h[i].via = (int32_t)(uint32_t)src[i];
    }
}

static tsg_status_t reach(const eng_net_t *net, const int64_t *from, size_t nfrom, int any, int max, int reverse,
                          eng_hop_t **out, size_t *n, tsg_error_t *err)
{
    tsg_status_t s = walk_out(net, from, nfrom, any, max, reverse, out, n, err);
    if (s) return s;
    unmark(net, *out, *n);
    /* Levels are contiguous in reaching order; nid order within each (the
     * start nodes, level 0, stay as given). */
    eng_hop_t *h = *out;
    uint64_t *words = malloc((*n ? *n : 1) * 2 * sizeof *words);
    if (!words) {
        free(h);
        *out = NULL;
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    size_t start = 0;
    while (start < *n && h[start].dist == 0) start++;
    while (start < *n) {
        size_t end = start;
        while (end < *n && h[end].dist == h[start].dist) end++;
        sort_by_node(h + start, words, words + (end - start), end - start);
        start = end;
    }
    free(words);
    return TSG_OK;
}

tsg_status_t eng_reach(const eng_net_t *net, const int64_t *from, size_t nfrom, int any, int max, eng_hop_t **out,
                       size_t *n, tsg_error_t *err)
{
    return reach(net, from, nfrom, any, max, 0, out, n, err);
}

tsg_status_t eng_reach_to(const eng_net_t *net, const int64_t *to, size_t nto, int any, int max, eng_hop_t **out,
                          size_t *n, tsg_error_t *err)
{
    return reach(net, to, nto, any, max, 1, out, n, err);
}

void eng_paths_free(eng_path_t *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(paths[i].nodes);
        free(paths[i].ties);
    }
    free(paths);
}

static int step_cmp(const void *a, const void *b)
{
    const eng_step_t *x = a, *y = b;
    return (x->tie > y->tie) - (x->tie < y->tie);
}

typedef struct walk {
    const eng_net_t *net;
    int any;
    size_t most, n;
    eng_path_t *out;
    int64_t *nodes; /* the path so far, from the end backwards */
    int32_t *ties;
    int oom;
} walk_t;

/* Extends the path backwards from v (at depth d) over every tie that a
 * shortest path can have come through. */
static void back(walk_t *w, int64_t v, int d, int len)
{
    if (w->oom || w->n >= w->most) return;
    w->nodes[d] = v;
    if (d == 0) {
        eng_path_t *p = &w->out[w->n];
        p->len = len;
        p->nodes = malloc((size_t)(len + 1) * sizeof *p->nodes);
        p->ties = malloc((size_t)(len ? len : 1) * sizeof *p->ties);
        if (!p->nodes || !p->ties) {
            free(p->nodes);
            free(p->ties);
            w->oom = 1;
            return;
        }
        memcpy(p->nodes, w->nodes, (size_t)(len + 1) * sizeof *p->nodes);
        memcpy(p->ties, w->ties, (size_t)len * sizeof *p->ties);
        w->n++;
        return;
    }
    /* The ties a shortest path can have come in by, in tie order:
     * undirected ones at v, and directed ones into v. */
    const eng_net_t *net = w->net;
    size_t cap = (net->off[v + 1] - net->off[v]) + (net->in_off[v + 1] - net->in_off[v]), k = 0;
    eng_step_t *in = malloc((cap ? cap : 1) * sizeof *in);
    if (!in) {
        w->oom = 1;
        return;
    }
    for (size_t i = net->off[v]; i < net->off[v + 1]; i++)
        if (!net->ties[net->steps[i].tie].directed) in[k++] = net->steps[i];
    for (size_t i = net->in_off[v]; i < net->in_off[v + 1]; i++) in[k++] = net->in_steps[i];
    qsort(in, k, sizeof *in, step_cmp);
    for (size_t i = 0; i < k && w->n < w->most; i++) {
        if (!usable(&in[i], w->any) || net->mark[in[i].to] != d - 1) continue;
        w->ties[d - 1] = in[i].tie;
        back(w, in[i].to, d - 1, len);
    }
    free(in);
}

tsg_status_t eng_paths(const eng_net_t *net, const int64_t *from, size_t nfrom, const int64_t *to, size_t nto,
                       int any, int max, size_t most, eng_path_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    eng_hop_t *q = NULL;
    size_t nq = 0;
    walk_t w = {net, any, most, 0, calloc(most ? most : 1, sizeof(eng_path_t)),
                malloc((size_t)(max + 1) * sizeof(int64_t)), malloc((size_t)(max + 1) * sizeof(int32_t)), 0};
    tsg_status_t s = TSG_OK;
    if (!w.out || !w.nodes || !w.ties) {
        s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        goto out;
    }
    if ((s = walk_out(net, from, nfrom, any, max, 0, &q, &nq, err))) goto out;
    int best = -1;
    for (size_t i = 0; i < nto; i++)
        if (net->mark[to[i]] >= 0 && (best < 0 || net->mark[to[i]] < best)) best = net->mark[to[i]];
    for (size_t i = 0; best >= 0 && i < nto; i++)
        if (net->mark[to[i]] == best) back(&w, to[i], best, best);
    unmark(net, q, nq);
    if (w.oom) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
out:
    free(q);
    free(w.nodes);
    free(w.ties);
    if (s) {
        eng_paths_free(w.out, w.n);
        return s;
    }
    *out = w.out;
    *n = w.n;
    return TSG_OK;
}
