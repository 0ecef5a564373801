/*
 * forumview — the forum inventory as a picture (FORUMS OVERLAP … TO
 * 'file'; draw.h). Each forum is a box as wide as its members, with a bar
 * of their sectors (one cell per sector, as wide as its members, the
 * number inside when it fits), as the city view draws a ward's sectors. A
 * line between two forums carries the number of members they share and
 * grows with it. A pair whose shared members are at least half of the
 * smaller forum is drawn red: one council largely inside another is what
 * a planner looks for when asking which could be merged. Laid out by
 * neato, as the city view is: a score of forums has no order of ranks, and
 * forums sharing many members are drawn close together (`len` shrinks with
 * the count).
 */
#include "draw.h"

#include <math.h>
#include <stdlib.h>

#define FONT "Noto Sans CJK JP"
/* Points of bar per member: the largest council of the sample city (50)
 * is a 300 pt bar, a forum of 3 members still a visible one. */
#define PT_PER_MEMBER 6
/* A cell this wide holds its number at the bar's font size. */
#define CELL_FITS_NUMBER 18
/* At least this share of the smaller forum in common: a candidate to merge. */
#define MERGE_PERCENT 50

static int forum_node(util_buf_t *b, const eng_forum_view_t *v, size_t i)
{
    int cells = 0;
    for (int s = 0; s < v->nsectors; s++) cells += v->by_sector[i * (size_t)v->nsectors + (size_t)s] > 0;
    util_buf_t name = {0};
    int rc = eng_wrapped(&name, v->name[i], 20);
    rc = rc || util_buf_printf(b, "  f%zu [tooltip=", i) || eng_dot_string(b, v->name[i]) ||
         util_buf_printf(b, ", label=<<table border=\"1\" color=\"#666666\" cellborder=\"0\" cellspacing=\"0\" "
                            "cellpadding=\"3\" bgcolor=\"white\"><tr><td colspan=\"%d\"><b>",
                         cells ? cells : 1) ||
         eng_html_text(b, name.data ? name.data : "") || util_buf_printf(b, "</b></td></tr><tr><td colspan=\"%d\">", cells ? cells : 1);
    util_buf_free(&name);
    char *line = util_printf(_("%ld members"), v->members[i]);
    rc = rc || !line || eng_html_text(b, line) || util_buf_adds(b, "</td></tr>");
    free(line);
    if (!rc && cells) rc = util_buf_adds(b, "<tr>");
    for (int s = 0; !rc && s < v->nsectors; s++) {
        long n = v->by_sector[i * (size_t)v->nsectors + (size_t)s];
        if (n <= 0) continue;
        long width = PT_PER_MEMBER * n;
        rc = util_buf_printf(b, "<td bgcolor=\"%s\" width=\"%ld\" height=\"22\" fixedsize=\"%s\">",
                             eng_sector_colour(v->sector_keys[s]), width, width >= CELL_FITS_NUMBER ? "false" : "true");
        if (!rc && width >= CELL_FITS_NUMBER) rc = util_buf_printf(b, "%ld", n);
        rc = rc || util_buf_adds(b, "</td>");
    }
    if (!rc && cells) rc = util_buf_adds(b, "</tr>");
    return rc || util_buf_adds(b, "</table>>];\n");
}

/* The title and, under it, the legend, as the graph's label: a legend node
 * is placed by neato wherever it fits and widened the picture. Sectors run
 * six to a row, the lines one to a row under them. */
#define SECTOR_ROW 6
static int forum_legend(util_buf_t *b, const eng_forum_view_t *v)
{
    int rc = util_buf_adds(b, "  label=<<table border=\"0\" cellspacing=\"6\"><tr><td><font point-size=\"30\">") ||
             eng_html_text(b, v->title ? v->title : "") ||
             util_buf_printf(b, "</font></td></tr><tr><td><table border=\"0\" cellborder=\"1\" cellspacing=\"0\" "
                                "cellpadding=\"4\"><tr><td colspan=\"%d\"><b>", 2 * SECTOR_ROW) ||
             eng_html_text(b, _("legend")) || util_buf_adds(b, "</b></td></tr><tr>");
    int n = 0;
    for (int s = 0; !rc && s < v->nsectors; s++) {
        long used = 0;
        for (size_t i = 0; i < v->n; i++) used += v->by_sector[i * (size_t)v->nsectors + (size_t)s];
        if (!used) continue;
        rc = (n && n % SECTOR_ROW == 0 && util_buf_adds(b, "</tr><tr>")) ||
             util_buf_printf(b, "<td bgcolor=\"%s\">    </td><td align=\"left\">", eng_sector_colour(v->sector_keys[s])) ||
             eng_html_text(b, v->english ? v->sector_keys[s] : v->sector_labels[s]) || util_buf_adds(b, "</td>");
        n++;
    }
    rc = rc || util_buf_adds(b, "</tr>");
    static const char *const rows[][2] = {
        {"▭", N_("a forum: its members, and a bar of their sectors (each as wide as its members)")},
        {"<font color=\"#4d4d4d\">━ 3</font>", N_("members two forums share (the line grows with them)")},
        {"<font color=\"#b2182b\">━ 8</font>",
         N_("at least half of the smaller forum's members sit in the other too: a candidate to merge")},
        {"", N_("one member in common draws no line (FORUMS OVERLAP without TO lists every pair)")},
    };
    for (size_t i = 0; !rc && i < sizeof rows / sizeof rows[0]; i++)
        rc = util_buf_printf(b, "<tr><td>%s</td><td align=\"left\" colspan=\"%d\">", rows[i][0], 2 * SECTOR_ROW - 1) ||
             eng_html_text(b, _(rows[i][1])) || util_buf_adds(b, "</td></tr>");
    return rc || util_buf_adds(b, "</table></td></tr></table>>;\n");
}

tsg_status_t eng_forums_dot(const eng_forum_view_t *v, util_buf_t *b, tsg_error_t *err)
{
    int rc = util_buf_adds(b, "graph tsunagi_forums {\n  graph [fontname=\"" FONT "\", labelloc=t, fontsize=18, "
                              "layout=neato, overlap=false, sep=\"+6\", splines=true, mode=major, "
                              "outputorder=edgesfirst, pad=0.3];\n"
                              "  node [fontname=\"" FONT "\", shape=plaintext, fontsize=18];\n"
                              "  edge [fontname=\"" FONT "\", fontsize=20];\n");
    for (size_t i = 0; !rc && i < v->n; i++) rc = forum_node(b, v, i);
    long most = 1;
    for (size_t k = 0; k < v->npairs; k++)
        if (v->shared[k] > most) most = v->shared[k];
    for (size_t k = 0; !rc && k < v->npairs; k++) {
        size_t a = v->pair[k][0], z = v->pair[k][1];
        if (v->shared[k] < ENG_FORUMS_MIN_SHARED) continue;
        long shared = v->shared[k], smaller = v->members[a] < v->members[z] ? v->members[a] : v->members[z];
        int merge = smaller > 0 && shared * 100 >= MERGE_PERCENT * smaller;
        double share = (double)shared / (double)most;
        rc = util_buf_printf(b, "  f%zu -- f%zu [label=\"%ld\", color=\"%s\", fontcolor=\"%s\", penwidth=%.2f, len=%.2f, "
                                "tooltip=\"%s\"];\n",
                             a, z, shared, merge ? "#b2182b" : "#4d4d4d", merge ? "#b2182b" : "#222222",
                             1.0 + 6.0 * sqrt(share), 3.0 - 1.8 * share, merge ? "merge candidate" : "shared members");
    }
    rc = rc || forum_legend(b, v) || util_buf_adds(b, "}\n");
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
