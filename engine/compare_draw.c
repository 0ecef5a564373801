/*
 * compare_draw — the picture of a change (RENDER CHANGES, REPORT CHANGES):
 * one drawing of both dates, so the layout is the same for then and now by
 * construction. Its nodes are the organisations of either side, matched by
 * id; its edges are the organisation pairs joined by a tie then, now or
 * both, program ends lifted to their owners, memberships left out: a pair
 * whose ties were all kept is grey, a tie gained is a thick green line, a
 * tie lost a red dashed one. An organisation that joined has a green double
 * outline, one that left a grey dashed one and a grey fill. The legend, in
 * the language of the output, is the caller's text (eng_change_look_t).
 */
#include "compare.h"
#include "draw.h"

#include <stdlib.h>
#include <string.h>

#define FONT "Noto Sans CJK JP"
#define GAINED_COLOUR "#1a7f37"
#define LOST_COLOUR "#d1242f"
#define KEPT_COLOUR "#b0b0b0"

typedef struct org {
    const char *id, *name, *sector;
    int in_a, in_b;    /* exists on that side (anywhere in its network) */
    int scoped, drawn;
} org_t;

typedef struct pair {
    const char *x, *y; /* ids, x < y */
    int cls;           /* ENG_KEPT, ENG_GAINED, ENG_LOST */
} pair_t;

static int cmp_org(const void *p, const void *q) { return strcmp(((const org_t *)p)->id, ((const org_t *)q)->id); }

static int cmp_pair(const void *p, const void *q)
{
    const pair_t *a = p, *b = q;
    int c = strcmp(a->x, b->x);
    if (!c) c = strcmp(a->y, b->y);
    return c ? c : a->cls - b->cls;
}

static org_t *find(org_t *v, size_t n, const char *id)
{
    org_t key = {.id = id};
    return bsearch(&key, v, n, sizeof *v, cmp_org);
}

/* Every organisation of both networks, one entry per id. */
static org_t *collect(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db, size_t *n)
{
    size_t cap = (size_t)a->maxnid + (size_t)b->maxnid + 2, k = 0;
    org_t *v = malloc(cap * sizeof *v);
    if (!v) return NULL;
    for (int side = 1; side >= 0; side--) {
        const eng_net_t *net = side ? b : a;
        for (int64_t x = 1; x <= net->maxnid; x++)
            if (net->type[x] == ENG_ORGANISATION)
                v[k++] = (org_t){net->id[x], net->name[x], net->sector[x], !side, side,
                                 eng_in_scope(net, x, side ? db : da), 0};
    }
    /* Sorted by id, now's entry first (qsort is not stable: merge by id). */
    qsort(v, k, sizeof *v, cmp_org);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && !strcmp(v[m - 1].id, v[i].id)) {
            org_t *o = &v[m - 1];
            if (v[i].in_b) o->name = v[i].name, o->sector = v[i].sector;
            o->in_a |= v[i].in_a;
            o->in_b |= v[i].in_b;
            o->scoped |= v[i].scoped;
            continue;
        }
        v[m++] = v[i];
    }
    *n = m;
    return v;
}

static const char *owner_id(const eng_net_t *net, int64_t end)
{
    if (net->type[end] == ENG_PROGRAM) end = net->org_of[end];
    return end > 0 && net->type[end] == ENG_ORGANISATION ? net->id[end] : NULL;
}

static int edge_look(util_buf_t *b, int cls)
{
    return util_buf_adds(b, cls == ENG_GAINED ? "color=\"" GAINED_COLOUR "\", penwidth=3"
                            : cls == ENG_LOST ? "color=\"" LOST_COLOUR "\", style=dashed, penwidth=2"
                                              : "color=\"" KEPT_COLOUR "\"");
}

static int legend(util_buf_t *b, const eng_change_look_t *look)
{
    int title = look->title && *look->title;
    static const char *const swatch[] = {
        "<font color=\"" GAINED_COLOUR "\"><b>━━━</b></font>", "<font color=\"" LOST_COLOUR "\">╍╍╍</font>",
        "<font color=\"" KEPT_COLOUR "\">───</font>", "<font color=\"" GAINED_COLOUR "\">◎</font>",
        "<font color=\"#777777\">◌</font>"};
    int rc = util_buf_adds(b, "  labelloc=t;\n  label=<<table border=\"0\" cellspacing=\"6\">") ||
             (title && (util_buf_adds(b, "<tr><td><font point-size=\"26\">") || eng_html_text(b, look->title) ||
                        util_buf_adds(b, "</font></td></tr>"))) ||
             util_buf_adds(b, "<tr><td><table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr>"
                              "<td colspan=\"10\"><b>") ||
             eng_html_text(b, look->legend) || util_buf_adds(b, "</b></td></tr><tr>");
    for (int i = 0; !rc && i < 5; i++)
        rc = util_buf_printf(b, "<td>%s</td><td align=\"left\">", swatch[i]) || eng_html_text(b, look->item[i]) ||
             util_buf_adds(b, "</td>");
    return rc || util_buf_adds(b, "</tr></table></td></tr></table>>;\n");
}

tsg_status_t eng_changes_dot(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db,
                             const eng_tie_change_t *ties, size_t nties, const eng_change_look_t *look, util_buf_t *out,
                             tsg_error_t *err)
{
    size_t norgs = 0, np = 0;
    org_t *orgs = collect(a, da, b, db, &norgs);
    pair_t *pairs = malloc((nties + 1) * sizeof *pairs);
    if (!orgs || !pairs) {
        free(orgs);
        free(pairs);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    for (size_t i = 0; i < nties; i++) {
        const eng_tie_change_t *t = &ties[i];
        const eng_net_t *net = t->b ? b : a;
        const eng_tie_t *tie = t->b ? t->b : t->a;
        if (tie->kind == ENG_MEMBERSHIP) continue;
        const char *x = owner_id(net, tie->src), *y = owner_id(net, tie->dst);
        if (!x || !y || !strcmp(x, y)) continue;
        if (strcmp(x, y) > 0) {
            const char *z = x;
            x = y;
            y = z;
        }
        pairs[np++] = (pair_t){x, y, t->change == ENG_GAINED ? ENG_GAINED : t->change == ENG_LOST ? ENG_LOST : ENG_KEPT};
    }
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    /* What is drawn: every organisation of the district (both sides), or
     * for the whole network only what changed, with the ends of every tie
     * gained or lost (a national picture of everything kept says nothing). */
    for (size_t i = 0; i < norgs; i++)
        orgs[i].drawn = da || db ? orgs[i].scoped : orgs[i].in_a != orgs[i].in_b;
    for (size_t i = 0; i < np; i++)
        if (pairs[i].cls != ENG_KEPT) {
            org_t *x = find(orgs, norgs, pairs[i].x), *y = find(orgs, norgs, pairs[i].y);
            if (x) x->drawn = 1;
            if (y) y->drawn = 1;
        }
    int rc = util_buf_adds(out, "graph changes {\n  graph [fontname=\"" FONT "\", fontsize=14, layout=neato, "
                                "overlap=false, splines=true, sep=\"+6\"];\n"
                                "  node [fontname=\"" FONT "\", style=\"filled\", fontsize=14, shape=box, "
                                "margin=\"0.08,0.04\"];\n  edge [penwidth=1];\n");
    for (size_t i = 0; !rc && i < norgs; i++) {
        const org_t *o = &orgs[i];
        if (!o->drawn) continue;
        rc = util_buf_adds(out, "  ") || eng_dot_string(out, o->id) || util_buf_adds(out, " [label=") ||
             eng_dot_string(out, o->name) ||
             util_buf_printf(out, ", fillcolor=\"%s\"", o->in_b ? eng_sector_colour(o->sector) : "#eeeeee");
        if (!rc && o->in_b && !o->in_a)
            rc = util_buf_adds(out, ", color=\"" GAINED_COLOUR "\", penwidth=2, peripheries=2");
        else if (!rc && o->in_a && !o->in_b)
            rc = util_buf_adds(out, ", style=\"filled,dashed\", color=\"#777777\", fontcolor=\"#777777\"");
        rc = rc || util_buf_adds(out, "];\n");
    }
    for (size_t i = 0; !rc && i < np; i++) {
        /* One line per pair and kind of change: a pair that kept one tie
         * and lost another shows both. */
        if (i && !cmp_pair(&pairs[i - 1], &pairs[i])) continue;
        const org_t *x = find(orgs, norgs, pairs[i].x), *y = find(orgs, norgs, pairs[i].y);
        if (!x || !y || !x->drawn || !y->drawn) continue;
        rc = util_buf_adds(out, "  ") || eng_dot_string(out, x->id) || util_buf_adds(out, " -- ") ||
             eng_dot_string(out, y->id) || util_buf_adds(out, " [") || edge_look(out, pairs[i].cls) ||
             util_buf_adds(out, "];\n");
    }
    rc = rc || legend(out, look) || util_buf_adds(out, "}\n");
    free(orgs);
    free(pairs);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
