/*
 * cityview — the whole city at a glance, and the sector × sector heat map
 * (draw.h). A city's full network is a hairball nobody reads (1,300 ties,
 * 16,000 px, 97 s of dot); a council asks first how the wards hang
 * together. So the city view draws one node per ward (and one for the
 * organisations that serve the whole city), sized by its organisations,
 * with a bar of its sectors; a line between two wards carries the number
 * of ties between them, told apart by kind: horizontal (no government
 * office at either end) in green, through government in dashed blue. Few
 * horizontal ties between two wards are a thin link, drawn red; a ward
 * with gaps is framed red with their number. Laid out by neato (a handful
 * of nodes: a ring reads better than dot's ranks), it draws in well under
 * a second. The heat map counts ties between sectors, one cell per pair.
 */
#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FONT "Noto Sans CJK JP"
/* Fewer horizontal ties than this between two wards is a thin link. */
#define THIN_BELOW 3

typedef struct group {
    int64_t ward; /* 0: the organisations above any ward */
    long orgs, programs, inside, inside_horizontal, gaps;
    long *by_sector; /* by legend place */
} group_t;

typedef struct city {
    group_t *g;
    int n;
    int *of;   /* by nid: the group (from 0), -1 none */
    long *h, *v; /* n × n: horizontal and through-government ties between groups */
} city_t;

static void city_free(city_t *c)
{
    for (int i = 0; c->g && i < c->n; i++) free(c->g[i].by_sector);
    free(c->g);
    free(c->of);
    free(c->h);
    free(c->v);
}

static int in_scope(const eng_net_t *net, const eng_draw_t *d, int64_t org)
{
    if (d->only) return d->only[org];
    return !d->district || (net->based[org] && eng_under(net, net->based[org], d->district));
}

static int sector_place(const eng_draw_t *d, const char *sector)
{
    for (int i = 0; sector && i < d->nsectors; i++)
        if (!strcmp(d->sector_keys[i], sector)) return i;
    return -1;
}

/* The organisation a tie's end stands for (a program's), or 0. */
static int64_t org_end(const eng_net_t *net, int64_t v)
{
    return net->type[v] == ENG_PROGRAM ? net->org_of[v] : net->type[v] == ENG_ORGANISATION ? v : 0;
}

static int is_government(const eng_net_t *net, int64_t org)
{
    return net->sector[org] && !strcmp(net->sector[org], "government");
}

static tsg_status_t city_count(const eng_net_t *net, const eng_draw_t *d, city_t *c, tsg_error_t *err)
{
    size_t nn = (size_t)net->maxnid + 1;
    memset(c, 0, sizeof *c);
    c->of = malloc(nn * sizeof *c->of);
    c->g = calloc(nn + 1, sizeof *c->g);
    if (!c->of || !c->g) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t v = 0; v < nn; v++) c->of[v] = -1;
    /* The wards in tree order (node order), then the city-wide group. */
    int citywide = -1;
    for (int64_t v = 1; v <= net->maxnid; v++) {
        if (net->type[v] != ENG_ORGANISATION || !in_scope(net, d, v)) continue;
        int64_t w = eng_ward_of(net, v);
        int k = 0;
        while (k < c->n && c->g[k].ward != w) k++;
        if (k == c->n) {
            c->g[c->n].ward = w;
            if (!(c->g[c->n].by_sector = calloc((size_t)d->nsectors + 1, sizeof(long))))
                return util_fail(err, TSG_ENOMEM, _("out of memory"));
            if (!w) citywide = c->n;
            c->n++;
        }
        c->of[v] = k;
        c->g[k].orgs++;
        int s = sector_place(d, net->sector[v]);
        if (s >= 0) c->g[k].by_sector[s]++;
    }
    (void)citywide;
    for (int64_t v = 1; v <= net->maxnid; v++)
        if (net->type[v] == ENG_PROGRAM && c->of[net->org_of[v]] >= 0) c->g[c->of[net->org_of[v]]].programs++;
    size_t n = (size_t)c->n;
    c->h = calloc(n * n + 1, sizeof *c->h);
    c->v = calloc(n * n + 1, sizeof *c->v);
    if (!c->h || !c->v) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind == ENG_MEMBERSHIP) continue;
        int64_t a = org_end(net, tie->src), z = org_end(net, tie->dst);
        if (!a || !z || c->of[a] < 0 || c->of[z] < 0) continue;
        int ga = c->of[a], gz = c->of[z], gov = is_government(net, a) || is_government(net, z);
        if (ga == gz) {
            c->g[ga].inside++;
            c->g[ga].inside_horizontal += !gov;
            continue;
        }
        if (ga > gz) {
            int x = ga;
            ga = gz;
            gz = x;
        }
        (gov ? c->v : c->h)[(size_t)ga * n + (size_t)gz]++;
    }
    for (size_t i = 0; i < d->ngaps; i++) {
        int64_t w = eng_ward_of(net, d->gaps[i].district);
        for (int k = 0; k < c->n; k++)
            if (c->g[k].ward == w) c->g[k].gaps++;
    }
    return TSG_OK;
}

static int city_node(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, const group_t *g, int k)
{
    int cells = 0;
    for (int s = 0; s < d->nsectors; s++) cells += g->by_sector[s] > 0;
    if (!cells) cells = 1;
    int rc = util_buf_printf(b, "  g%d [label=<<table border=\"%d\" color=\"%s\" cellborder=\"0\" cellspacing=\"0\" "
                                "cellpadding=\"4\" bgcolor=\"white\"><tr><td colspan=\"%d\"><font point-size=\"26\"><b>",
                             k, g->gaps ? 4 : 1, g->gaps ? "red" : "#666666", cells);
    rc = rc || eng_html_text(b, g->ward ? net->name[g->ward] : _("city-wide")) ||
         util_buf_printf(b, "</b></font></td></tr><tr><td colspan=\"%d\">", cells);
    char *line = util_printf(_("%ld organisations, %ld programs"), g->orgs, g->programs);
    rc = rc || !line || eng_html_text(b, line) || util_buf_adds(b, "</td></tr><tr>");
    free(line);
    /* The sector bar: a cell per sector, as wide as its organisations. */
    for (int s = 0; !rc && s < d->nsectors; s++)
        if (g->by_sector[s] > 0)
            rc = util_buf_printf(b, "<td bgcolor=\"%s\" width=\"%ld\" height=\"24\">%ld</td>",
                                 eng_sector_colour(d->sector_keys[s]), 12 * g->by_sector[s], g->by_sector[s]);
    line = util_printf(_("ties inside: %ld (horizontal %ld)"), g->inside, g->inside_horizontal);
    rc = rc || !line || util_buf_printf(b, "</tr><tr><td colspan=\"%d\">", cells) || eng_html_text(b, line) ||
         util_buf_adds(b, "</td></tr>");
    free(line);
    if (!rc && g->gaps) {
        line = util_printf(_("gaps: %ld"), g->gaps);
        rc = !line || util_buf_printf(b, "<tr><td colspan=\"%d\"><font color=\"#b00000\"><b>", cells) ||
             eng_html_text(b, line) || util_buf_adds(b, "</b></font></td></tr>");
        free(line);
    }
    return rc || util_buf_adds(b, "</table>>];\n");
}

static int city_legend(util_buf_t *b, const eng_draw_t *d, const city_t *c)
{
    int rc = util_buf_adds(b, "  legend [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">"
                              "<tr><td colspan=\"2\"><b>");
    rc = rc || eng_html_text(b, _("legend")) || util_buf_adds(b, "</b></td></tr>");
    for (int s = 0; !rc && s < d->nsectors; s++) {
        long used = 0;
        for (int k = 0; k < c->n; k++) used += c->g[k].by_sector[s];
        if (!used) continue;
        rc = util_buf_printf(b, "<tr><td bgcolor=\"%s\">    </td><td align=\"left\">", eng_sector_colour(d->sector_keys[s])) ||
             eng_html_text(b, d->english ? d->sector_keys[s] : d->sector_labels[s]) || util_buf_adds(b, "</td></tr>");
    }
    static const char *const rows[][2] = {
        {"<font color=\"#33a02c\">━━━</font>", N_("horizontal ties (no government office at either end), the number of ties")},
        {"<font color=\"#1f78b4\">╍╍╍</font>", N_("ties through government (a government office at one end)")},
        {"<font color=\"red\">╍╍╍</font>", N_("thin link: fewer than 3 horizontal ties between two wards")},
        {"<font color=\"red\">▣</font>", N_("a ward framed red has gaps (their number inside)")},
        {"▭", N_("a ward: its organisations and programs, a bar of its sectors, the ties inside it")},
    };
    for (size_t i = 0; !rc && i < sizeof rows / sizeof rows[0]; i++) {
        if (i == 3 && !d->ngaps) continue;
        rc = util_buf_printf(b, "<tr><td>%s</td><td align=\"left\">", rows[i][0]) || eng_html_text(b, _(rows[i][1])) ||
             util_buf_adds(b, "</td></tr>");
    }
    return rc || util_buf_adds(b, "</table>>];\n");
}

tsg_status_t eng_city_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    city_t c;
    tsg_status_t st = city_count(net, d, &c, err);
    if (st) {
        city_free(&c);
        return st;
    }
    int rc = util_buf_adds(b, "graph tsunagi_city {\n  graph [fontname=\"" FONT "\", labelloc=t, fontsize=30, label=") ||
             eng_dot_string(b, d->title ? d->title : "") ||
             util_buf_adds(b, ", layout=neato, overlap=false, sep=\"+30\", splines=true, mode=major, "
                              "outputorder=edgesfirst, pad=0.3];\n"
                              "  node [fontname=\"" FONT "\", shape=plaintext, fontsize=18];\n"
                              "  edge [fontname=\"" FONT "\", fontsize=20, fontcolor=\"#222222\"];\n");
    for (int k = 0; !rc && k < c.n; k++) rc = city_node(b, net, d, &c.g[k], k);
    size_t n = (size_t)c.n;
    long most = 1;
    for (size_t i = 0; i < n * n; i++) {
        if (c.h[i] > most) most = c.h[i];
        if (c.v[i] > most) most = c.v[i];
    }
    for (int a = 0; !rc && a < c.n; a++)
        for (int z = a + 1; !rc && z < c.n; z++) {
            long h = c.h[(size_t)a * n + (size_t)z], v = c.v[(size_t)a * n + (size_t)z];
            /* Length: wards with many ties sit close. */
            double len = 3.5 - 1.5 * (double)(h + v) / (double)most;
            int thin = h < THIN_BELOW && c.g[a].ward && c.g[z].ward;
            if (h || thin)
                rc = util_buf_printf(b, "  g%d -- g%d [color=\"%s\", fontcolor=\"%s\", style=%s, penwidth=%.2f, len=%.2f, "
                                        "label=\"%s%ld\", tooltip=\"horizontal\"];\n",
                                     a, z, thin ? "red" : "#33a02c", thin ? "#b00000" : "#1b6e1b", thin ? "dashed" : "solid",
                                     1.0 + 6.0 * sqrt((double)h / (double)most), len, thin ? "⚠ " : "", h);
            if (!rc && v)
                rc = util_buf_printf(b, "  g%d -- g%d [color=\"#1f78b4\", fontcolor=\"#1f5f9f\", style=dashed, penwidth=%.2f, len=%.2f, "
                                        "label=\"%ld\", tooltip=\"through government\"];\n",
                                     a, z, 1.0 + 6.0 * sqrt((double)v / (double)most), len, v);
        }
    rc = rc || city_legend(b, d, &c) || util_buf_adds(b, "}\n");
    city_free(&c);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

/* ---- the heat map ------------------------------------------------------------------ */

/* ColorBrewer's Reds, light to dark: the darker the cell, the more ties. */
static const char *const reds[] = {"#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a",
                                   "#ef3b2c", "#cb181d", "#a50f15", "#67000d"};

tsg_status_t eng_matrix_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    int ns = d->nsectors;
    long *m = calloc((size_t)ns * (size_t)ns + 1, sizeof *m);
    if (!m) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind == ENG_MEMBERSHIP) continue;
        int64_t a = org_end(net, tie->src), z = org_end(net, tie->dst);
        if (!a || !z || !in_scope(net, d, a) || !in_scope(net, d, z)) continue;
        int sa = sector_place(d, net->sector[a]), sz = sector_place(d, net->sector[z]);
        if (sa < 0 || sz < 0) continue;
        m[(size_t)sa * (size_t)ns + (size_t)sz]++;
        if (sa != sz) m[(size_t)sz * (size_t)ns + (size_t)sa]++;
    }
    long most = 1;
    for (int i = 0; i < ns * ns; i++)
        if (m[i] > most) most = m[i];
    int rc = util_buf_adds(b, "digraph tsunagi_matrix {\n  graph [fontname=\"" FONT "\", labelloc=t, fontsize=24, label=") ||
             eng_dot_string(b, d->title ? d->title : "") ||
             util_buf_adds(b, ", pad=0.3];\n  node [fontname=\"" FONT "\", shape=plaintext, fontsize=16];\n"
                              "  matrix [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"6\">"
                              "<tr><td>");
    rc = rc || eng_html_text(b, _("ties between sectors")) || util_buf_adds(b, "</td>");
    for (int s = 0; !rc && s < ns; s++)
        rc = util_buf_adds(b, "<td><b>") || eng_html_text(b, d->english ? d->sector_keys[s] : d->sector_labels[s]) ||
             util_buf_adds(b, "</b></td>");
    rc = rc || util_buf_adds(b, "</tr>");
    for (int r = 0; !rc && r < ns; r++) {
        rc = util_buf_printf(b, "<tr><td align=\"left\" bgcolor=\"%s\"><b>", eng_sector_colour(d->sector_keys[r])) ||
             eng_html_text(b, d->english ? d->sector_keys[r] : d->sector_labels[r]) || util_buf_adds(b, "</b></td>");
        for (int s = 0; !rc && s < ns; s++) {
            long v = m[(size_t)r * (size_t)ns + (size_t)s];
            int shade = v ? 1 + (int)((double)v / (double)most * 7.999) : 0;
            rc = util_buf_printf(b, "<td bgcolor=\"%s\" width=\"48\"><font color=\"%s\">%ld</font></td>", reds[shade],
                                 shade >= 5 ? "white" : "#222222", v);
        }
        rc = rc || util_buf_adds(b, "</tr>");
    }
    rc = rc || util_buf_adds(b, "</table>>];\n}\n");
    free(m);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
