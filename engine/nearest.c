/* nearest — why a GAPS coverage cell is uncovered; see nearest.h. */
#include "nearest.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The ages of a gap row, which the "why" sentence names (one age or a range). */
static void row_ages(char *buf, size_t size, int lo, int hi)
{
    if (lo == hi) snprintf(buf, size, C_("age range", "%d"), lo);
    else eng_age_range(buf, size, lo, hi);
}

static const char *area_name(const eng_net_t *net, const eng_program_t *p)
{
    return p->wide ? _("everywhere") : p->narea ? net->name[p->area[0]] : _("nowhere");
}

static const char *need_name(const eng_gaps_query_t *q, const char *need)
{
    for (int k = 0; q->need_labels && k < q->nneeds; k++)
        if (!strcmp(q->needs[k], need)) return q->need_labels[k];
    return need;
}

/* How many steps up from s until a district that contains one of p's areas'
 * ancestors: 1 for a neighbouring school district in the same ward, … */
static int tree_distance(const eng_net_t *net, const eng_program_t *p, int64_t s)
{
    int best = 1000;
    for (int i = 0; i < p->narea; i++) {
        int k = 0;
        for (int64_t d = s; d > 0 && k < best; d = net->parent[d], k++)
            if (eng_under(net, p->area[i], d)) {
                best = k;
                break;
            }
    }
    return best;
}

/* Classes: 0 serves here for the group, at other ages; 1 for the group at
 * these ages, elsewhere; 2 here at these ages, for other groups. */
static void consider(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need,
                     const eng_gap_t *g, int32_t i, eng_near_t *b)
{
    const eng_program_t *p = &net->programs[i];
    if (!eng_list_holds(&p->needs, need) || !eng_running(p, q->as_of)) return;
    int overlaps = (p->age_max < 0 || p->age_max >= g->age_from) && (p->age_min < 0 || p->age_min <= g->age_to);
    int serves = eng_serves(net, p, s), for_group = eng_covers(p, q->target, need, -1);
    int cls, score;
    if (for_group && serves && !overlaps) {
        cls = 0;
        score = p->age_max >= 0 && p->age_max < g->age_from ? g->age_from - p->age_max : p->age_min - g->age_to;
    } else if (for_group && overlaps && !serves) {
        /* Nearest area first; then the one that covers most of the gap. */
        cls = 1;
        int lo = p->age_min < 0 || p->age_min < g->age_from ? g->age_from : p->age_min;
        int hi = p->age_max < 0 || p->age_max > g->age_to ? g->age_to : p->age_max;
        score = tree_distance(net, p, s) * 1000 - (hi - lo + 1);
    } else if (!for_group && serves && overlaps) {
        cls = 2;
        score = 0;
    } else {
        return;
    }
    if (cls < b->cls || (cls == b->cls && (score < b->score || (score == b->score && i < b->index))))
        *b = (eng_near_t){p, i, cls, score};
}

/* The programs listing a district under the ancestor `up` levels above the
 * district asked about, computed once per statement. */
static const eng_around_t *around(const eng_net_t *net, const eng_gaps_query_t *q, eng_nearest_t *x, int up, int *oom)
{
    eng_around_t *a = &x->around[up - 1];
    if (a->v) return a;
    int64_t d = q->district;
    for (int i = 0; i < up; i++) d = net->parent[d];
    a->v = eng_listing_under(net, d, &a->n);
    if (!a->v) *oom = 1;
    return a->v ? a : NULL;
}

/* The nearest program of class 1 outside the district asked about, found
 * the staged way: in ever larger districts around it, last in the whole
 * network (the programs for the group with the need, from the pair index
 * when there is none). Used without the pair index. */
static void outside_staged(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need, eng_nearest_t *x,
                           const eng_gap_t *g, eng_near_t *b, int *oom)
{
    int up = 1;
    for (int64_t a = net->parent[q->district]; b->cls > 1 && a > 0 && up <= 8; a = net->parent[a], up++) {
        const eng_around_t *ar = around(net, q, x, up, oom);
        if (!ar) return;
        for (size_t i = 0; i < ar->n; i++) consider(net, q, s, need, g, ar->v[i], b);
    }
    if (b->cls <= 1) return;
    for (size_t i = 0; i < net->nprograms; i++) consider(net, q, s, need, g, (int32_t)i, b);
}

/* How many levels above the district asked about (x->anc[0]) lies the
 * lowest district holding one of p's areas: tree_distance from any cell
 * less the cell's depth below that district. 0 when p meets the district
 * (then it is among the candidates, x->cand), INT_MAX when no area lies in
 * its tree at all. */
static int levels_out(const eng_net_t *net, const eng_program_t *p, const eng_nearest_t *x)
{
    int best = INT_MAX;
    for (int i = 0; i < p->narea; i++) {
        int steps = 0;
        for (int64_t d = p->area[i]; d > 0 && d <= net->maxnid && steps <= 16; d = net->parent[d], steps++) {
            int j = 0;
            while (j < x->nanc && x->anc[j] != d) j++;
            if (j == x->nanc) continue;
            if (j == 0 || d == p->area[i]) return 0; /* under the district, or serving it */
            if (j < best) best = j;
            break;
        }
    }
    return best;
}

/* The same as outside_staged, in one pass over the programs for the group
 * with the need (the pair index): a class 1 program outside the district
 * is tree_distance = (the cell's depth below the district) + levels_out
 * from every cell, so the nearest is the same for all of the statement's
 * cells, and it is the one with the fewest levels out, then the most ages
 * covered, then the first; the staged search finds exactly it, level by
 * level. Programs meeting the district are the cell's candidates, already
 * weighed (a class 1 among them ends the search before this). */
static void outside(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need, eng_nearest_t *x,
                    const eng_gap_t *g, eng_near_t *b, int *oom)
{
    size_t n, m;
    const int32_t *named = eng_for_group(net, q->target, need, &n);
    const int32_t *all = eng_for_group(net, "everyone", need, &m);
    if (n == (size_t)-1) {
        outside_staged(net, q, s, need, x, g, b, oom);
        return;
    }
    int best_out = INT_MAX, best_span = 0;
    int32_t best_i = -1;
    for (size_t i = 0, j = 0; i < n || j < m;) {
        int32_t k = j == m || (i < n && named[i] < all[j]) ? named[i++] : all[j++];
        const eng_program_t *p = &net->programs[k];
        if (p->wide || !eng_running(p, q->as_of)) continue;
        if (!((p->age_max < 0 || p->age_max >= g->age_from) && (p->age_min < 0 || p->age_min <= g->age_to))) continue;
        int out = levels_out(net, p, x);
        if (!out) continue;
        int lo = p->age_min < 0 || p->age_min < g->age_from ? g->age_from : p->age_min;
        int hi = p->age_max < 0 || p->age_max > g->age_to ? g->age_to : p->age_max;
        int span = hi - lo + 1;
        if (best_i < 0 || out < best_out || (out == best_out && (span > best_span || (span == best_span && k < best_i)))) {
            best_out = out;
            best_span = span;
            best_i = k;
        }
    }
    (void)s;
    if (best_i >= 0) *b = (eng_near_t){&net->programs[best_i], best_i, 1, (best_out == INT_MAX ? 1000 : best_out) * 1000 - best_span};
}

/* Why a cell is uncovered: the program that comes nearest, and what it
 * lacks: the ages (right group, need and area), the area (right group, need
 * and ages), or the group (right need, area and ages).
 *
 * The programs meeting the district asked about hold every program of
 * class 0 and 2, and any of class 1 there beats those outside. Else class 1
 * is looked for in ever larger districts around it (a nearer area always
 * wins), and last in the whole network. What that last search finds does
 * not depend on the cell (everything it can find lies outside the cell's
 * tree of districts, all equally far), so it is kept for the statement. */
void eng_explain_coverage(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need, eng_nearest_t *x,
                          eng_gap_t *g, int *oom)
{
    eng_near_t b = {NULL, -1, 3, 0};
    need = eng_key(net, need);
    /* The sentences name the row's ages: no program covers them here, and
     * the nearest one of class 0 covers none of them (docs/decisions.md,
     * "Issue 19: whole sentences"). */
    char span[32];
    row_ages(span, sizeof span, g->age_from, g->age_to);
    if (!need) {
        eng_gap_say(g, _("no program anywhere offers %1$s to %2$s aged %3$s"), need_name(q, g->need), eng_gap_target_name(q), span);
        return;
    }
    int k = 0;
    while (k < x->nneed && x->need_key[k] != need) k++;
    if (k == x->nneed && k < 64) {
        int32_t *v = malloc((x->ncand + 1) * sizeof *v);
        if (!v) {
            *oom = 1;
            return;
        }
        size_t n = 0;
        for (size_t i = 0; i < x->ncand; i++) {
            const eng_program_t *p = &net->programs[x->cand[i]];
            if (eng_list_holds(&p->needs, need) && eng_running(p, q->as_of)) v[n++] = x->cand[i];
        }
        x->need_key[k] = need;
        x->need_cand[k] = v;
        x->need_n[k] = n;
        x->nneed++;
    }
    if (k < x->nneed)
        for (size_t i = 0; i < x->need_n[k]; i++) consider(net, q, s, need, g, x->need_cand[k][i], &b);
    else
        for (size_t i = 0; i < x->ncand; i++) consider(net, q, s, need, g, x->cand[i], &b);
    if (b.cls > 1) {
        eng_fallback_t *f = NULL;
        for (size_t i = 0; i < x->nfall && !f; i++)
            if (x->fall[i].need == need && x->fall[i].from == g->age_from && x->fall[i].to == g->age_to) f = &x->fall[i];
        if (!f) {
            if (x->nfall == x->fallcap) {
                size_t cap = x->fallcap ? x->fallcap * 2 : 16;
                eng_fallback_t *grown = realloc(x->fall, cap * sizeof *grown);
                if (!grown) {
                    *oom = 1;
                    return;
                }
                x->fall = grown;
                x->fallcap = cap;
            }
            f = &x->fall[x->nfall++];
            *f = (eng_fallback_t){need, g->age_from, g->age_to, {NULL, -1, 3, 0}};
            outside(net, q, s, need, x, g, &f->best, oom);
        }
        if (f->best.cls < b.cls) b = f->best;
    }
    if (!b.p) {
        eng_gap_say(g, _("no program anywhere offers %1$s to %2$s aged %3$s"), need_name(q, need), eng_gap_target_name(q), span);
        return;
    }
    g->program = b.p->nid;
    char a[32];
    eng_age_range(a, sizeof a, b.p->age_min, b.p->age_max);
    const char *name = net->name[b.p->nid];
    if (b.cls == 0 && g->age_from == g->age_to)
        eng_gap_say(g, _("nearest: '%1$s' (%2$s) serves here, but not age %3$s"), name, a, span);
    else if (b.cls == 0) eng_gap_say(g, _("nearest: '%1$s' (%2$s) serves here, but not ages %3$s"), name, a, span);
    /* The cell is named, not "here": the sentence is read apart from its row too (a report, a picture's label). */
    else if (b.cls == 1) eng_gap_say(g, _("nearest: '%1$s' (%2$s) serves %3$s, not %4$s"), name, a, area_name(net, b.p), net->name[s]);
    else
        eng_gap_say(g, _("nearest: '%1$s' offers %2$s in %3$s, but not for %4$s"), name, need_name(q, need), net->name[s],
            eng_gap_target_name(q));
}

void eng_nearest_free(eng_nearest_t *x)
{
    for (int i = 0; i < 8; i++) free(x->around[i].v);
    for (int i = 0; i < x->nneed; i++) free(x->need_cand[i]);
    free(x->fall);
}
