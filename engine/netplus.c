/* netplus — a network with one tie more; see netplus.h. */
#include "netplus.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

tsg_status_t eng_plus_init(eng_plus_t *p, const eng_net_t *base, tsg_error_t *err)
{
    memset(p, 0, sizeof *p);
    if (base->nties >= ENG_MAX_TIES)
        return util_fail(err, TSG_EINPUT, _("the network is too big to load: more than %u ties"), ENG_MAX_TIES);
    size_t n = (size_t)base->maxnid + 2;
    size_t nsteps = base->off[n], nin = base->in_off[n];
    p->ties = malloc((base->nties + 1) * sizeof *p->ties);
    p->off = malloc((n + 1) * sizeof *p->off);
    p->in_off = malloc((n + 1) * sizeof *p->in_off);
    p->steps = malloc((nsteps + 2) * sizeof *p->steps);
    p->in_steps = malloc((nin + 1) * sizeof *p->in_steps);
    if (!p->ties || !p->off || !p->in_off || !p->steps || !p->in_steps) {
        eng_plus_free(p);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    /* The ties before the new one never change. */
    if (base->nties) memcpy(p->ties, base->ties, base->nties * sizeof *p->ties);
    return TSG_OK;
}

/* steps of base with extra inserted at base positions at[0] <= at[1] (k of
 * them), into out: chunks between the insertion points. */
static void insert_steps(eng_step_t *out, const eng_step_t *in, size_t total, const size_t *at, const eng_step_t *extra,
                         int k)
{
    size_t from = 0, to = 0;
    for (int i = 0; i < k; i++) {
        memcpy(out + to, in + from, (at[i] - from) * sizeof *out);
        to += at[i] - from;
        from = at[i];
        out[to++] = extra[i];
    }
    memcpy(out + to, in + from, (total - from) * sizeof *out);
}

void eng_plus_tie(eng_plus_t *p, const eng_net_t *base, int64_t src, int64_t dst, int kind, int directed)
{
    size_t n = (size_t)base->maxnid + 2, t = base->nties;
    p->net = *base;
    p->ties[t] = (eng_tie_t){src, dst, kind, directed, -1};
    /* A step leaves src (and dst, both ways) last of its steps: inserted at
     * the end of the node's range, the lower node first. */
    eng_step_t fwd = {(uint32_t)dst, (uint32_t)t, (uint32_t)kind}, back = {(uint32_t)src, (uint32_t)t, (uint32_t)kind};
    size_t at[2];
    eng_step_t extra[2];
    int k = 0;
    if (directed || src < dst) {
        at[k] = base->off[src + 1], extra[k++] = fwd;
        if (!directed) at[k] = base->off[dst + 1], extra[k++] = back;
    } else {
        at[k] = base->off[dst + 1], extra[k++] = back;
        at[k] = base->off[src + 1], extra[k++] = fwd;
    }
    insert_steps(p->steps, base->steps, base->off[n], at, extra, k);
    for (size_t i = 0; i <= n; i++)
        p->off[i] = base->off[i] + ((int64_t)i > src) + (!directed && (int64_t)i > dst);
    /* A directed tie is also read backwards, from dst. */
    if (directed) {
        size_t in_at = base->in_off[dst + 1];
        insert_steps(p->in_steps, base->in_steps, base->in_off[n], &in_at, &back, 1);
        for (size_t i = 0; i <= n; i++) p->in_off[i] = base->in_off[i] + ((int64_t)i > dst);
        p->net.in_off = p->in_off;
        p->net.in_steps = p->in_steps;
    }
    p->net.ties = p->ties;
    p->net.nties = t + 1;
    p->net.off = p->off;
    p->net.steps = p->steps;
}

void eng_plus_free(eng_plus_t *p)
{
    free(p->ties);
    free(p->off);
    free(p->in_off);
    free(p->steps);
    free(p->in_steps);
    memset(p, 0, sizeof *p);
}
