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
    size_t nsteps = base->off[n], nin = base->in_off[n], nref = base->ref_off[n];
    p->ties = malloc((base->nties + 1) * sizeof *p->ties);
    p->off = malloc((n + 1) * sizeof *p->off);
    p->in_off = malloc((n + 1) * sizeof *p->in_off);
    p->ref_off = malloc((n + 1) * sizeof *p->ref_off);
    p->steps = malloc((nsteps + 2) * sizeof *p->steps);
    p->in_steps = malloc((nin + 1) * sizeof *p->in_steps);
    p->ref_to = malloc((nref + 2) * sizeof *p->ref_to);
    if (!p->ties || !p->off || !p->in_off || !p->ref_off || !p->steps || !p->in_steps || !p->ref_to) {
        eng_plus_free(p);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    /* The ties before the new one never change. */
    if (base->nties) memcpy(p->ties, base->ties, base->nties * sizeof *p->ties);
    return TSG_OK;
}

/* An array of base (total items of `size` bytes) with extra inserted at
 * base positions at[0] <= at[1] (k of them), into out: chunks between the
 * insertion points. */
static void insert_at(void *out, const void *in, size_t size, size_t total, const size_t *at, const void *extra, int k)
{
    char *o = out;
    const char *from = in, *x = extra;
    size_t done = 0;
    for (int i = 0; i < k; i++) {
        memcpy(o, from + done * size, (at[i] - done) * size);
        o += (at[i] - done) * size;
        done = at[i];
        memcpy(o, x + (size_t)i * size, size);
        o += size;
    }
    memcpy(o, from + done * size, (total - done) * size);
}

/* The offsets of base's CSR array plus one item for node a (and one for
 * node b when b >= 0), each the last of its node's. */
static void shift_off(uint32_t *out, const uint32_t *in, size_t n, int64_t a, int64_t b)
{
    for (size_t i = 0; i <= n; i++) out[i] = in[i] + ((int64_t)i > a) + (b >= 0 && (int64_t)i > b);
}

void eng_plus_tie(eng_plus_t *p, const eng_net_t *base, int64_t src, int64_t dst, int kind, int directed)
{
    size_t n = (size_t)base->maxnid + 2, t = base->nties;
    p->net = *base;
    p->ties[t] = (eng_tie_t){src, dst, kind, directed, -1};
    /* A step leaves src (and dst, both ways) last of its steps: inserted at
     * the end of the node's range, the lower node first. The same for a
     * referral between programs in the referral index (network.h). */
    eng_step_t fwd = {(uint32_t)dst, (uint32_t)t, (uint32_t)kind}, back = {(uint32_t)src, (uint32_t)t, (uint32_t)kind};
    size_t at[2], ref_at[2];
    eng_step_t extra[2];
    uint32_t ref_extra[2];
    int k = 0;
    if (directed || src < dst) {
        at[k] = base->off[src + 1], ref_at[k] = base->ref_off[src + 1], ref_extra[k] = (uint32_t)dst, extra[k++] = fwd;
        if (!directed)
            at[k] = base->off[dst + 1], ref_at[k] = base->ref_off[dst + 1], ref_extra[k] = (uint32_t)src, extra[k++] = back;
    } else {
        at[k] = base->off[dst + 1], ref_at[k] = base->ref_off[dst + 1], ref_extra[k] = (uint32_t)src, extra[k++] = back;
        at[k] = base->off[src + 1], ref_at[k] = base->ref_off[src + 1], ref_extra[k] = (uint32_t)dst, extra[k++] = fwd;
    }
    insert_at(p->steps, base->steps, sizeof *p->steps, base->off[n], at, extra, k);
    shift_off(p->off, base->off, n, src, directed ? -1 : dst);
    /* A directed tie is also read backwards, from dst. */
    if (directed) {
        size_t in_at = base->in_off[dst + 1];
        insert_at(p->in_steps, base->in_steps, sizeof *p->in_steps, base->in_off[n], &in_at, &back, 1);
        shift_off(p->in_off, base->in_off, n, dst, -1);
        p->net.in_off = p->in_off;
        p->net.in_steps = p->in_steps;
    }
    if (eng_program_referral(base, src, dst, kind)) {
        insert_at(p->ref_to, base->ref_to, sizeof *p->ref_to, base->ref_off[n], ref_at, ref_extra, k);
        shift_off(p->ref_off, base->ref_off, n, src, directed ? -1 : dst);
        p->net.ref_off = p->ref_off;
        p->net.ref_to = p->ref_to;
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
    free(p->ref_off);
    free(p->ref_to);
    memset(p, 0, sizeof *p);
}
