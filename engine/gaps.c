/* gaps — coverage, reach, seam and fragility gaps; see gaps.h. */
#include "gaps.h"
#include "backup.h"
#include "nearest.h"
#include "util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int eng_covers(const eng_program_t *p, const char *target, const char *need, int x)
{
    if (!eng_list_has(&p->targets, target) && !eng_list_has(&p->targets, "everyone")) return 0;
    if (need && !eng_list_has(&p->needs, need)) return 0;
    if (x >= 0 && ((p->age_min >= 0 && x < p->age_min) || (p->age_max >= 0 && x > p->age_max))) return 0;
    return 1;
}

int eng_running(const eng_program_t *p, long day)
{
    return !day || ((!p->starts || p->starts <= day) && (!p->ends || day <= p->ends));
}

/* eng_list_holds, here where the candidates are looped over. */
static inline int holds(const eng_list_t *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i] == key) return 1;
    return 0;
}

static int nid_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A growing list of nids. */
typedef struct nids {
    int64_t *v;
    size_t n, cap;
} nids_t;

static inline int push(nids_t *l, int64_t x)
{
    if (__builtin_expect(l->n == l->cap, 0)) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *grown = realloc(l->v, cap * sizeof *grown);
        if (!grown) return -1;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 0;
}

/* Appends the districts of the subtree of d (d included), breadth-first;
 * -1 when out of memory. */
static int subtree(const eng_net_t *net, int64_t d, nids_t *l)
{
    if (d < 1 || d > net->maxnid) return 0;
    size_t i = l->n, first = l->n;
    if (push(l, d)) return -1;
    /* A tree holds each district once (the loader refused loops); the
     * bound keeps a walk down finite whatever the data. */
    for (; i < l->n && l->n - first <= (size_t)net->maxnid; i++)
        for (uint32_t k = net->child_off[l->v[i]]; k < net->child_off[l->v[i] + 1]; k++)
            if (push(l, net->children[k])) return -1;
    return 0;
}

tsg_status_t eng_cells(const eng_net_t *net, int64_t district, int by_ward, int64_t **out, size_t *n, tsg_error_t *err)
{
    int want = by_ward ? ENG_WARD : ENG_SCHOOL_DISTRICT;
    nids_t below = {0};
    size_t k = 0;
    if (subtree(net, district, &below)) {
        free(below.v);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (size_t i = 0; i < below.n; i++)
        if (net->type[below.v[i]] == ENG_DISTRICT && net->level[below.v[i]] == want) below.v[k++] = below.v[i];
    qsort(below.v, k, sizeof *below.v, nid_cmp);
    below.n = k;
    if (!k && push(&below, district)) {
        free(below.v);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    *out = below.v;
    *n = below.n;
    return TSG_OK;
}

/* Sorts program indexes (non-negative) ascending: insertion for a few, else
 * radix by bytes, least significant first, skipping the bytes all share.
 * qsort's comparison calls were a tenth of a GAPS statement. -1 when out
 * of memory. */
static int sort_progs(int32_t *v, size_t n)
{
    if (n < 48) {
        for (size_t i = 1; i < n; i++) {
            int32_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
        return 0;
    }
    uint32_t any = 0, all = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        any |= (uint32_t)v[i];
        all &= (uint32_t)v[i];
    }
    int32_t *tmp = malloc(n * sizeof *tmp), *src = v, *dst = tmp;
    if (!tmp) return -1;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        if (!(((any ^ all) >> shift) & 0xff)) continue;
        size_t at[256] = {0}, sum = 0;
        for (size_t i = 0; i < n; i++) at[((uint32_t)src[i] >> shift) & 0xff]++;
        for (int b = 0; b < 256; b++) {
            size_t c = at[b];
            at[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[at[((uint32_t)src[i] >> shift) & 0xff]++] = src[i];
        int32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(tmp);
    return 0;
}

/* The programs whose area lists one of the districts ds, in program order
 * without repeats; with `wide`, the wide-area programs too. */
static int32_t *listing(const eng_net_t *net, const nids_t *ds, int wide, size_t *n)
{
    size_t total = wide ? net->nwide : 0, k = 0;
    for (size_t i = 0; i < ds->n; i++) total += net->area_off[ds->v[i] + 1] - net->area_off[ds->v[i]];
    int32_t *v = malloc((total ? total : 1) * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; wide && i < net->nwide; i++) v[k++] = net->wide[i];
    for (size_t i = 0; i < ds->n; i++)
        for (uint32_t j = net->area_off[ds->v[i]]; j < net->area_off[ds->v[i] + 1]; j++) v[k++] = net->area_progs[j];
    if (sort_progs(v, k)) {
        free(v);
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (!m || v[m - 1] != v[i]) v[m++] = v[i];
    *n = m;
    return v;
}

/* The programs whose area meets district d (wide, or listing d, a district
 * above it or one below it), in program order: all that a question about
 * d needs to look at. NULL when out of memory. */
static int32_t *meeting(const eng_net_t *net, int64_t d, size_t *n)
{
    nids_t ds = {0};
    int32_t *v = NULL;
    if (!subtree(net, d, &ds)) {
        int ok = 1;
        for (int64_t a = ds.n ? net->parent[d] : 0; ok && a > 0 && ds.n <= (size_t)net->maxnid; a = net->parent[a])
            ok = !push(&ds, a);
        if (ok) v = listing(net, &ds, 1, n);
    }
    free(ds.v);
    return v;
}

int32_t *eng_listing_under(const eng_net_t *net, int64_t d, size_t *n)
{
    nids_t ds = {0};
    int32_t *v = subtree(net, d, &ds) ? NULL : listing(net, &ds, 0, n);
    free(ds.v);
    return v;
}

int32_t *eng_meeting(const eng_net_t *net, int64_t d, size_t *n)
{
    *n = 0;
    if (d < 1 || d > net->maxnid) return malloc(sizeof(int32_t));
    return meeting(net, d, n);
}

/* ---- rows ------------------------------------------------------------------------- */

typedef struct rows {
    eng_gap_t *v;
    size_t n, cap;
    int oom;
} rows_t;

static eng_gap_t *row(rows_t *r, int kind, int64_t district, const char *need, int from, int to, int64_t program)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        eng_gap_t *grown = realloc(r->v, cap * sizeof *grown);
        if (!grown) {
            r->oom = 1;
            return NULL;
        }
        r->v = grown;
        r->cap = cap;
    }
    eng_gap_t *g = &r->v[r->n++];
    *g = (eng_gap_t){kind, district, need, from, to, program, ""};
    return g;
}

void eng_gap_say(eng_gap_t *g, const char *fmt, ...)
{
    if (!g) return;
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(g->why, sizeof g->why, fmt, ap);
    va_end(ap);
}

void eng_age_range(char *buf, size_t size, int lo, int hi)
{
    if (lo < 0 && hi < 0) snprintf(buf, size, "%s", _("all ages"));
    else if (hi < 0) snprintf(buf, size, C_("age range", "%d.."), lo);
    else if (lo < 0) snprintf(buf, size, C_("age range", "..%d"), hi);
    else snprintf(buf, size, C_("age range", "%d..%d"), lo, hi);
}

const char *eng_gap_target_name(const eng_gaps_query_t *q)
{
    return q->target_label ? q->target_label : q->target;
}

/* ---- the cells ---------------------------------------------------------------------- */

/* The marks a walk changed, with what they were, to be put back. */
typedef struct undo {
    int64_t *nid;
    signed char *was;
    size_t n, cap;
} undo_t;

static inline int log_mark(const eng_net_t *net, undo_t *u, int64_t nid, signed char to)
{
    if (__builtin_expect(u->n == u->cap, 0)) {
        size_t cap = u->cap ? u->cap * 2 : 256;
        int64_t *nid_grown = realloc(u->nid, cap * sizeof *nid_grown);
        if (nid_grown) u->nid = nid_grown;
        signed char *was_grown = nid_grown ? realloc(u->was, cap) : NULL;
        if (!was_grown) return -1;
        u->was = was_grown;
        u->cap = cap;
    }
    u->nid[u->n] = nid;
    u->was[u->n++] = net->mark[nid];
    net->mark[nid] = to;
    return 0;
}

/* Puts back the marks logged since `since`, the latest first. */
static void undo_to(const eng_net_t *net, undo_t *u, size_t since)
{
    while (u->n > since) {
        u->n--;
        net->mark[u->nid[u->n]] = u->was[u->n];
    }
}

/* Referral steps from the entry points `from`, program to program: lowers
 * net->mark[nid] to the number of ties from the nearest of them (at most
 * `hops`; -1 unreached) wherever this walk comes nearer than the marks
 * already there, logging each change in *log. A node this walk does not
 * bring nearer is not walked on: the walk that marked it walked from it.
 * So a walk from the entry points serving the whole district, then one from
 * those serving one cell only, marks what one walk from all of the cell's
 * entry points would (the fewest ties from any). The walk reads the
 * network's referral index (ref_off, ref_to), not every step of a node. */
static int walk_referrals(const eng_net_t *net, const int64_t *from, size_t nfrom, int hops, long day, undo_t *log,
                          nids_t *queue)
{
    queue->n = 0;
    for (size_t i = 0; i < nfrom; i++)
        if (net->mark[from[i]] != 0 && (log_mark(net, log, from[i], 0) || push(queue, from[i]))) return -1;
    for (size_t head = 0; head < queue->n; head++) {
        int64_t u = queue->v[head];
        int d = net->mark[u];
        if (d >= hops) continue;
        /* As REACH's walk (paths.c): the referral lists of the nodes a
         * few places ahead in the queue, and where those start, fetched
         * while this one is walked. */
        if (head + 8 < queue->n) __builtin_prefetch(&net->ref_off[queue->v[head + 8]]);
        if (head + 4 < queue->n) __builtin_prefetch(&net->ref_to[net->ref_off[queue->v[head + 4]]]);
        for (size_t k = net->ref_off[u]; k < net->ref_off[u + 1]; k++) {
            int64_t v = net->ref_to[k];
            /* The program's dates are fetched only when a day is asked. */
            if ((net->mark[v] >= 0 && net->mark[v] <= d + 1) ||
                (day && !eng_running(&net->programs[net->prog[v]], day)))
                continue;
            if (log_mark(net, log, v, (signed char)(d + 1)) || push(queue, v)) return -1;
        }
    }
    return 0;
}

/* The state of one age in one cell. */
typedef struct age_state {
    int covered, reached;
    int64_t only_org;    /* the one organisation covering it, or 0 */
    int64_t program;     /* a covering program (for reach rows) */
} age_state_t;

/* The bits lo..hi of a 64-bit word, cut to 0..63 (0 when none). */
static inline uint64_t age_bits(int lo, int hi)
{
    if (hi < 0 || lo > 63) return 0;
    if (lo < 0) lo = 0;
    if (hi > 63) hi = 63;
    return (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
}

/* cover: the programs covering need in s at some age (they name the group
 * or everyone, offer the need, run on the day and serve s). */
static void cell_rows(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need, eng_nearest_t *ctx,
                      cell_memo_t *memo, const int32_t *cover, size_t ncover, rows_t *r)
{
    int span = q->age_to - q->age_from + 1, words = (span + 63) / 64;
    age_state_t st[152];
    /* By age (a bit each): covered, reached, covered by one organisation
     * only so far (its own in st[].only_org), by two or more. */
    uint64_t covered[3] = {0}, reached[3] = {0}, one_org[3] = {0};
    /* Each program over the ages it covers, in cover order: every age sees
     * the programs covering it in that order, as it did when each age
     * looked at every program (a third of a GAPS statement), and an age's
     * fields are written only when they change: the first program covering
     * it, and its organisations while there is one. */
    for (size_t k = 0; k < ncover; k++) {
        const eng_program_t *p = &net->programs[cover[k]];
        int lo = p->age_min > q->age_from ? p->age_min - q->age_from : 0;
        int hi = p->age_max >= 0 && p->age_max < q->age_to ? p->age_max - q->age_from : span - 1;
        if (lo > hi) continue;
        int marked = net->mark[p->nid] >= 0;
        for (int w = 0; w < words; w++) {
            uint64_t m = age_bits(lo - 64 * w, hi - 64 * w);
            if (!m) continue;
            uint64_t fresh = m & ~covered[w], again = m & one_org[w] & ~fresh;
            for (uint64_t b = fresh; b; b &= b - 1) {
                age_state_t *a = &st[64 * w + __builtin_ctzll(b)];
                a->program = p->nid;
                a->only_org = p->org;
            }
            for (uint64_t b = again; b; b &= b - 1) {
                int i = 64 * w + __builtin_ctzll(b);
                if (st[i].only_org != p->org) one_org[w] &= ~(1ull << (i - 64 * w));
            }
            covered[w] |= m;
            one_org[w] |= fresh;
            if (marked) reached[w] |= m;
        }
    }
    for (int i = 0; i < span; i++) {
        int x = q->age_from + i;
        uint64_t bit = 1ull << (i % 64);
        age_state_t a = {!!(covered[i / 64] & bit), !!(reached[i / 64] & bit), 0, 0};
        if (a.covered) a.program = st[i].program, a.only_org = st[i].only_org;
        /* A sole provider with a continuity agreement is not fragile
         * (docs/decisions.md, "Issue 22: fragility and agreements"). */
        if (one_org[i / 64] & bit) {
            int b = eng_has_backup(net, q, s, memo, a.only_org, x);
            if (b < 0) {
                r->oom = 1;
                return;
            }
            if (b) a.only_org = 0;
        } else {
            a.only_org = 0;
        }
        st[i] = a;
    }
/* Runs of equal state, one kind at a time, in age order. */
    for (int kind = ENG_GAP_COVERAGE; kind <= ENG_GAP_FRAGILITY; kind++) {
        if (kind == ENG_GAP_SEAM) continue;
        for (int i = 0; i < span;) {
            int hit = kind == ENG_GAP_COVERAGE ? !st[i].covered
                      : kind == ENG_GAP_REACH  ? st[i].covered && !st[i].reached
                                               : st[i].only_org != 0;
            if (!hit) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < span && (kind == ENG_GAP_COVERAGE ? !st[j].covered
                                : kind == ENG_GAP_REACH  ? st[j].covered && !st[j].reached
                                                         : st[j].only_org == st[i].only_org))
                j++;
            eng_gap_t *g = row(r, kind, s, need, q->age_from + i, q->age_from + j - 1, st[i].program);
            if (g && kind == ENG_GAP_COVERAGE) {
                eng_explain_coverage(net, q, s, need, ctx, g, &r->oom);
            } else if (g && kind == ENG_GAP_REACH) {
                eng_gap_say(g, _("'%1$s' covers it, but no entry point serving %2$s reaches it within %3$d referral ties"),
                    net->name[st[i].program], net->name[s], q->hops);
            } else if (g) {
                g->program = st[i].program;
                eng_gap_say(g, _("only '%1$s' (%2$s) provides it"), net->name[st[i].only_org], net->id[st[i].only_org]);
            }
            i = j;
        }
    }
}

/* The group's and everyone's keys as the network holds them (eng_key):
 * the seams' tests compare list items by address. */
typedef struct group_keys {
    const char *target, *everyone;
} group_keys_t;

/* Whether node nid is a program for the group that serves age x + 1. */
static int takes_over(const eng_net_t *net, const eng_gaps_query_t *q, const group_keys_t *k, int64_t nid, int x)
{
    if (nid <= 0 || nid > net->maxnid || net->prog[nid] < 0) return 0;
    const eng_program_t *p = &net->programs[net->prog[nid]];
    return eng_running(p, q->as_of) && (holds(&p->targets, k->target) || holds(&p->targets, k->everyone)) &&
           (p->age_min < 0 || x + 1 >= p->age_min) && (p->age_max < 0 || x + 1 <= p->age_max);
}

/* The step's own copy of its tie's kind: the tie is not fetched. */
static int steps_to_taker(const eng_net_t *net, const eng_gaps_query_t *q, const group_keys_t *k, const eng_step_t *st,
                          int x)
{
    return st->kind != ENG_MEMBERSHIP && takes_over(net, q, k, st->to, x);
}

/* A program for the group that ends inside the range and hands over to no
 * program for the group that takes the next age. */
static void seams(const eng_net_t *net, const eng_gaps_query_t *q, const int32_t *cand, size_t ncand, rows_t *r)
{
    group_keys_t keys = {eng_key(net, q->target), eng_key(net, "everyone")};
    for (size_t i = 0; i < ncand; i++) {
        const eng_program_t *p = &net->programs[cand[i]];
        int x = p->age_max;
        if (x < q->age_from || x > q->age_to || !holds(&p->targets, keys.target) || !eng_running(p, q->as_of) ||
            !eng_meets(net, p, q->district))
            continue;
        int handed = 0;
        for (size_t k = net->off[p->nid]; k < net->off[p->nid + 1] && !handed; k++)
            handed = steps_to_taker(net, q, &keys, &net->steps[k], x);
        /* Ties into p count too (a taker may have listed the hand-over). */
        for (uint32_t k = net->in_off[p->nid]; k < net->in_off[p->nid + 1] && !handed; k++)
            handed = steps_to_taker(net, q, &keys, &net->in_steps[k], x);
        if (handed) continue;
        int64_t where = q->district;
        for (int k = 0; k < p->narea; k++)
            if (eng_under(net, p->area[k], q->district) || eng_under(net, q->district, p->area[k])) {
                where = p->area[k];
                break;
            }
        char a[32];
        eng_age_range(a, sizeof a, p->age_min, p->age_max);
        eng_gap_t *g = row(r, ENG_GAP_SEAM, where, NULL, x, x + 1, p->nid);
        eng_gap_say(g, _("'%1$s' (%2$s) ends at %3$d and has no tie to a program for %4$s from age %5$d"), net->name[p->nid],
            a, x, eng_gap_target_name(q), x + 1);
    }
}

tsg_status_t eng_gaps(const eng_net_t *net, const eng_gaps_query_t *q, eng_gap_t **out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    if (q->age_from < 0 || q->age_to > 150 || q->age_from > q->age_to)
        return util_fail(err, TSG_EINPUT, _("ages run from 0 to 150"));
    if (q->district < 1 || q->district > net->maxnid) return util_fail(err, TSG_EINPUT, _("no such district"));
    int64_t *cells;
    size_t ncells, ncand = 0;
    tsg_status_t s = eng_cells(net, q->district, q->by_ward, &cells, &ncells, err);
    if (s) return s;
    /* Everything below looks only at the programs meeting the district. */
    int32_t *cand = meeting(net, q->district, &ncand);
    /* cover, then the candidates for the group, those serving a cell, and entry points */
    int32_t *cover = malloc(4 * (ncand + 1) * sizeof *cover);
    int32_t *group = cover ? cover + ncand + 1 : NULL, *here = cover ? group + ncand + 1 : NULL;
    int32_t *entry = cover ? here + ncand + 1 : NULL; /* the entry points serving some cells only */
    /* By candidate for the group: which of the needs asked it offers (bit
     * k: need k), and whether it serves the whole district (so every cell). */
    uint64_t *offers = malloc(2 * (ncand + 1) * sizeof *offers), *here_offers = offers ? offers + ncand + 1 : NULL;
    unsigned char *whole = malloc(ncand + 1);
    rows_t r = {0};
    eng_nearest_t x = {.cand = cand, .ncand = ncand};
    cell_memo_t memo = {0};
    if (!cand || !cover || !offers || !whole) r.oom = 1;
    for (int64_t a = q->district; a > 0 && x.nanc < 9; a = net->parent[a]) x.anc[x.nanc++] = a;
    /* The network's copies of the keys: lists are searched by address. */
    const char *target = eng_key(net, q->target), *everyone = eng_key(net, "everyone");
    const char *need_keys[64];
    int nneeds = q->nneeds < 64 ? q->nneeds : 64;
    for (int k = 0; k < nneeds; k++) need_keys[k] = eng_key(net, q->needs[k]);
    /* One pass over the candidates: those that can cover (they name the
     * group or everyone and run on the day), and the entry points: those
     * serving the whole district are walked from once; each cell adds its
     * own (docs/decisions.md, issue 23). */
    nids_t common = {0}, own = {0}, queue = {0};
    undo_t log = {0};
    /* The walk tests a program's dates only for a day other than the
     * network's: every program in a network runs on its day (the loader
     * leaves out the others), and the test reads the program, spread over
     * the network, at every step. */
    long walk_day = q->as_of == net->day ? 0 : q->as_of;
    size_t ngroup = 0, nentry = 0;
    for (size_t i = 0; !r.oom && i < ncand; i++) {
        const eng_program_t *p = &net->programs[cand[i]];
        if (!eng_running(p, q->as_of)) continue;
        if (p->entry && (eng_serves(net, p, q->district) ? push(&common, p->nid) : (entry[nentry++] = cand[i], 0)))
            r.oom = 1;
        if (!holds(&p->targets, target) && !holds(&p->targets, everyone)) continue;
        uint64_t bits = 0;
        for (int j = 0; j < p->needs.n; j++)
            for (int k = 0; k < nneeds; k++)
                if (p->needs.v[j] == need_keys[k]) bits |= 1ull << k;
        offers[ngroup] = bits;
        whole[ngroup] = (unsigned char)eng_serves(net, p, q->district);
        group[ngroup++] = cand[i];
    }
    if (!r.oom && walk_referrals(net, common.v, common.n, q->hops, walk_day, &log, &queue)) r.oom = 1;
    size_t walked = log.n;
    for (size_t c = 0; c < ncells && !r.oom; c++) {
        int64_t cell = cells[c];
        own.n = 0;
        for (size_t i = 0; i < nentry && !r.oom; i++)
            if (eng_serves(net, &net->programs[entry[i]], cell) && push(&own, net->programs[entry[i]].nid)) r.oom = 1;
        if (!r.oom && walk_referrals(net, own.v, own.n, q->hops, walk_day, &log, &queue)) r.oom = 1;
        /* Those serving the cell, whatever the need, in program order. */
        size_t nhere = 0;
        for (size_t i = 0; i < ngroup; i++)
            if (whole[i] || eng_serves(net, &net->programs[group[i]], cell)) {
                here_offers[nhere] = offers[i];
                here[nhere++] = group[i];
            }
        memo.n = 0;
        for (int k = 0; k < q->nneeds && !r.oom; k++) {
            size_t ncover = 0;
            for (size_t i = 0; k < 64 && i < nhere; i++)
                if (here_offers[i] >> k & 1) cover[ncover++] = here[i];
            cell_rows(net, q, cell, q->needs[k], &x, &memo, cover, ncover, &r);
        }
        undo_to(net, &log, walked);
    }
    undo_to(net, &log, 0);
    free(common.v);
    free(own.v);
    free(queue.v);
    free(log.nid);
    free(log.was);
    if (!r.oom) seams(net, q, cand, ncand, &r);
    free(cells);
    free(cand);
    free(cover);
    free(offers);
    free(whole);
    eng_nearest_free(&x);
    free(memo.v);
    if (r.oom) {
        free(r.v);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    *out = r.v;
    *n = r.n;
    return TSG_OK;
}
