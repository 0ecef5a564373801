/* paths — breadth-first search over the tie steps; see paths.h. */
#include "paths.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int usable(const eng_tie_t *t, int any)
{
    return any ? t->kind != ENG_MEMBERSHIP : t->kind == ENG_REFERRAL;
}

void eng_reach(const eng_net_t *net, const int64_t *from, size_t nfrom, int any, int max, int *dist, int64_t *via)
{
    size_t n = (size_t)net->maxnid + 1, head = 0, tail = 0;
    int64_t *queue = malloc(n * sizeof *queue);
    for (size_t i = 0; i < n; i++) {
        dist[i] = -1;
        via[i] = 0;
    }
    if (!queue) return; /* everything stays unreached */
    for (size_t i = 0; i < nfrom; i++)
        if (dist[from[i]] < 0) {
            dist[from[i]] = 0;
            queue[tail++] = from[i];
        }
    while (head < tail) {
        int64_t u = queue[head++];
        if (dist[u] >= max) continue;
        for (size_t k = net->off[u]; k < net->off[u + 1]; k++) {
            const eng_step_t *st = &net->steps[k];
            if (!usable(&net->ties[st->tie], any) || dist[st->to] >= 0) continue;
            dist[st->to] = dist[u] + 1;
            via[st->to] = u;
            queue[tail++] = st->to;
        }
    }
    free(queue);
}

void eng_paths_free(eng_path_t *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(paths[i].nodes);
        free(paths[i].ties);
    }
    free(paths);
}

typedef struct walk {
    const eng_net_t *net;
    const int *dist;
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
    const eng_net_t *net = w->net;
    for (size_t t = 0; t < net->nties && w->n < w->most; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!usable(tie, w->any)) continue;
        int64_t u = tie->dst == v ? tie->src : (!tie->directed && tie->src == v) ? tie->dst : 0;
        if (!u || w->dist[u] != d - 1) continue;
        w->ties[d - 1] = (int32_t)t;
        back(w, u, d - 1, len);
    }
}

tsg_status_t eng_paths(const eng_net_t *net, const int64_t *from, size_t nfrom, const int64_t *to, size_t nto,
                       int any, int max, size_t most, eng_path_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    size_t nn = (size_t)net->maxnid + 1;
    int *dist = malloc(nn * sizeof *dist);
    int64_t *via = malloc(nn * sizeof *via);
    walk_t w = {net, dist, any, most, 0, calloc(most ? most : 1, sizeof(eng_path_t)),
                malloc((size_t)(max + 1) * sizeof(int64_t)), malloc((size_t)(max + 1) * sizeof(int32_t)), 0};
    tsg_status_t s = TSG_OK;
    if (!dist || !via || !w.out || !w.nodes || !w.ties) {
        s = util_fail(err, TSG_ENOMEM, "out of memory");
        goto out;
    }
    eng_reach(net, from, nfrom, any, max, dist, via);
    int best = -1;
    for (size_t i = 0; i < nto; i++)
        if (dist[to[i]] >= 0 && (best < 0 || dist[to[i]] < best)) best = dist[to[i]];
    for (size_t i = 0; best >= 0 && i < nto; i++)
        if (dist[to[i]] == best) back(&w, to[i], best, best);
    if (w.oom) s = util_fail(err, TSG_ENOMEM, "out of memory");
out:
    free(dist);
    free(via);
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
