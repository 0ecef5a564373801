/* backup — sole providers' agreement partners (fragility); see backup.h and gaps.h. */
#include "backup.h"

#include <stdlib.h>

int eng_serves_group(const eng_net_t *net, const eng_gaps_query_t *q, int64_t org, int64_t s, int lo, int hi)
{
    if (org <= 0 || org > net->maxnid || net->type[org] != ENG_ORGANISATION) return 0;
    for (int32_t i = net->first_prog[org]; i >= 0; i = net->next_prog[i]) {
        const eng_program_t *p = &net->programs[i];
        if (eng_list_has(&p->targets, q->target) && eng_running(p, q->as_of) && eng_serves(net, p, s) &&
            (p->age_max < 0 || p->age_max >= lo) && (p->age_min < 0 || p->age_min <= hi))
            return 1;
    }
    return 0;
}

/* Node u's steps out (way 0) or in (way 1): their count, and *st the first. */
static size_t steps_of(const eng_net_t *net, int64_t u, int way, const eng_step_t **st)
{
    *st = way ? &net->in_steps[net->in_off[u]] : &net->steps[net->off[u]];
    return way ? net->in_off[u + 1] - net->in_off[u] : net->off[u + 1] - net->off[u];
}

/* Adds to ages those at which an organisation at the other end of one of
 * node u's agreement ties (either way), other than org, serves the group
 * in s (eng_serves_group, age by age). */
static void partner_ages(const eng_net_t *net, const eng_gaps_query_t *q, const char *target, int64_t s, int64_t org,
                         int64_t u, uint64_t ages[3])
{
    for (int way = 0; way < 2; way++) {
        const eng_step_t *st;
        size_t n = steps_of(net, u, way, &st);
        for (size_t k = 0; k < n; k++) {
            if (st[k].kind != ENG_AGREEMENT) continue;
            int64_t b = net->org_of[st[k].to] ? (int64_t)net->org_of[st[k].to] : st[k].to;
            if (b == org || b <= 0 || b > net->maxnid || net->type[b] != ENG_ORGANISATION) continue;
            for (int32_t i = net->first_prog[b]; i >= 0; i = net->next_prog[i]) {
                const eng_program_t *p = &net->programs[i];
                if (!eng_list_holds(&p->targets, target) || !eng_running(p, q->as_of) || !eng_serves(net, p, s))
                    continue;
                int lo = p->age_min < 0 || p->age_min < q->age_from ? q->age_from : p->age_min;
                int hi = p->age_max < 0 || p->age_max > q->age_to ? q->age_to : p->age_max;
                for (int x = lo; x <= hi; x++) ages[(x - q->age_from) >> 6] |= 1ull << ((x - q->age_from) & 63);
            }
        }
    }
}

/* The ages of the query (as bits) at which org, sole provider in cell s,
 * is backed: an organisation joined to it, or to one of its programs, by
 * an agreement tie serves the group there at that age (gaps.h, fragility). */
static void backup_ages(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, int64_t org, uint64_t ages[3])
{
    ages[0] = ages[1] = ages[2] = 0;
    const char *target = eng_key(net, q->target); /* NULL: no program names the group, none serves it */
    if (!target || org <= 0 || org > net->maxnid || net->type[org] != ENG_ORGANISATION) return;
    partner_ages(net, q, target, s, org, org, ages);
    for (int32_t i = net->first_prog[org]; i >= 0; i = net->next_prog[i])
        partner_ages(net, q, target, s, org, net->programs[i].nid, ages);
}

/* See backup.h. */
int eng_has_backup(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, cell_memo_t *m, int64_t org, int x)
{
    backups_t *b = NULL;
    for (size_t i = 0; i < m->n && !b; i++)
        if (m->v[i].org == org) b = &m->v[i];
    if (!b) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 16;
            backups_t *grown = realloc(m->v, cap * sizeof *grown);
            if (!grown) return -1;
            m->v = grown;
            m->cap = cap;
        }
        b = &m->v[m->n++];
        b->org = org;
        backup_ages(net, q, s, org, b->ages);
    }
    int i = x - q->age_from;
    return (b->ages[i >> 6] >> (i & 63)) & 1;
}
