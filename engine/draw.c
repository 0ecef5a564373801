/* draw — DOT, GraphML and JSON writers; see draw.h. */
#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define FONT "Noto Sans CJK JP"

/* ---- escaping ------------------------------------------------------------------ */

/* The next character of s: its length in bytes, and *bad set when the
 * bytes there are not UTF-8 (a database edited by another program can hold
 * any bytes). Writers put U+FFFD in place of such a byte, so every file
 * they make is valid UTF-8 for GraphViz, XML and JSON readers. */
static size_t next_char(const char *s, int *bad)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
    *bad = n <= 0;
    return n <= 0 ? 1 : (size_t)n;
}

#define REPLACEMENT "\xEF\xBF\xBD"

/* A control, bidirectional or zero-width character at s (util_hidden_char)
 * is drawn as [U+XXXX]: in a picture it would vanish, reorder the label or
 * make the SVG that dot writes invalid XML. Returns 1 when s held one. */
static int shown_hidden(util_buf_t *out, const char *s, int *rc)
{
    utf8proc_int32_t c;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c) <= 0 || !util_hidden_char(c)) return 0;
    *rc = util_buf_printf(out, "[U+%04X]", (unsigned)c);
    return 1;
}

int eng_dot_string(util_buf_t *out, const char *s)
{
    int rc = util_buf_addc(out, '"'), bad;
    for (size_t n; *s && !rc; s += n) {
        n = next_char(s, &bad);
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (*s == '"' || *s == '\\') rc = util_buf_addc(out, '\\') || util_buf_addc(out, *s);
        else if (*s == '\n') rc = util_buf_adds(out, "\\n");
        else if (*s == '\r') continue;
        else if (shown_hidden(out, s, &rc)) continue;
        else rc = util_buf_add(out, s, n);
    }
    return rc || util_buf_addc(out, '"');
}

int eng_html_text(util_buf_t *out, const char *s)
{
    int rc = 0, bad;
    for (size_t n; *s && !rc; s += n) {
        n = next_char(s, &bad);
        unsigned char c = (unsigned char)*s;
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (c == '<') rc = util_buf_adds(out, "&lt;");
        else if (c == '>') rc = util_buf_adds(out, "&gt;");
        else if (c == '&') rc = util_buf_adds(out, "&amp;");
        else if (c == '"') rc = util_buf_adds(out, "&quot;");
        else if (c == '\n') rc = util_buf_adds(out, "<br/>");
        else if (c == '\r') continue;
        /* XML 1.0 has no other control characters, not even escaped. */
        else if (c != '\t' && shown_hidden(out, s, &rc)) continue;
        else rc = util_buf_add(out, s, n);
    }
    return rc;
}

static int json_string(util_buf_t *out, const char *s)
{
    int rc = util_buf_addc(out, '"'), bad;
    for (size_t n; s && *s && !rc; s += n) {
        n = next_char(s, &bad);
        unsigned char c = (unsigned char)*s;
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (c == '"' || c == '\\') rc = util_buf_addc(out, '\\') || util_buf_addc(out, (char)c);
        else if (c == '\n') rc = util_buf_adds(out, "\\n");
        else if (c < 0x20) rc = util_buf_printf(out, "\\u%04x", c);
        else rc = util_buf_add(out, s, n);
    }
    return rc || util_buf_addc(out, '"');
}

/* ---- what is drawn ------------------------------------------------------------------ */

static int org_drawn(const eng_net_t *net, const eng_draw_t *d, int64_t nid)
{
    if (d->only) return d->only[nid];
    return !d->district || (net->based[nid] && eng_under(net, net->based[nid], d->district));
}

/* drawn[nid]: 1 for every node drawn. */
static unsigned char *select_nodes(const eng_net_t *net, const eng_draw_t *d)
{
    unsigned char *drawn = calloc((size_t)net->maxnid + 1, 1);
    if (!drawn) return NULL;
    for (int64_t v = 1; v <= net->maxnid; v++)
        if (net->type[v] == ENG_ORGANISATION) drawn[v] = (unsigned char)org_drawn(net, d, v);
    for (int64_t v = 1; v <= net->maxnid; v++) {
        if (net->type[v] == ENG_PROGRAM) drawn[v] = drawn[net->org_of[v]] || (d->only && d->only[v]);
        if (net->type[v] == ENG_FORUM)
            drawn[v] = (unsigned char)(d->only ? d->only[v]
                                          : !d->district || (net->based[v] && eng_under(net, net->based[v], d->district)));
    }
    /* A program of a set brings the organisation that runs it. */
    for (int64_t v = 1; d->only && v <= net->maxnid; v++)
        if (net->type[v] == ENG_PROGRAM && d->only[v]) drawn[net->org_of[v]] = 1;
    /* A forum elsewhere is drawn when a drawn organisation sits in it. */
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind == ENG_MEMBERSHIP && drawn[tie->src]) drawn[tie->dst] = 1;
    }
    return drawn;
}

static const char *const sector_colour[][2] = {
    {"government", "#a6cee3"}, {"shakyo", "#b2df8a"},      {"welfare_corp", "#fb9a99"},
    {"npo", "#fdbf6f"},        {"intermediary", "#cab2d6"}, {"company", "#ffff99"},
    {"coop", "#8dd3c7"},       {"resident", "#fccde5"},     {"medical", "#bebada"},
    {"education", "#80b1d3"},  {"culture_sports", "#ccebc5"}, {"rehabilitation", "#d9d9d9"},
};

static const char *colour_of(const char *sector)
{
    for (size_t i = 0; sector && i < sizeof sector_colour / sizeof sector_colour[0]; i++)
        if (!strcmp(sector_colour[i][0], sector)) return sector_colour[i][1];
    return "#eeeeee";
}

static const char *const kind_name[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};

/* The count as published: "" when unknown, "<N" when below the threshold. */
static void count_text(char *buf, size_t size, long count, long below)
{
    if (count < 0) buf[0] = '\0';
    else if (below > 0 && count < below) snprintf(buf, size, "<%ld", below);
    else snprintf(buf, size, "%ld", count);
}

/* The ward a node is drawn in (for CLUSTER BY ward), or 0. */
static int64_t ward_of(const eng_net_t *net, int64_t nid)
{
    int64_t d = net->type[nid] == ENG_PROGRAM ? net->based[net->org_of[nid]]
                : net->type[nid] == ENG_DISTRICT ? nid
                                                 : net->based[nid];
    /* The loader refused a tree with a loop; the bound is a guard. */
    for (int64_t steps = 0; d > 0 && steps <= net->maxnid; d = net->parent[d], steps++)
        if (net->level[d] == ENG_WARD) return d;
    return 0;
}

/* ---- DOT ------------------------------------------------------------------------- */

/* The cluster a node is drawn in: a sector's place in the legend (from 1),
 * a ward's node id, the caller's number (given), or 0 for none. Forums
 * stand outside clusters unless the caller places them. */
static int64_t cluster_of(const eng_net_t *net, const eng_draw_t *d, int64_t v)
{
    if (d->cluster == ENG_CLUSTER_GIVEN) return d->given[net->type[v] == ENG_PROGRAM ? net->org_of[v] : v];
    if (d->cluster == ENG_CLUSTER_NONE || net->type[v] == ENG_FORUM) return 0;
    if (d->cluster == ENG_CLUSTER_WARD) return ward_of(net, v);
    const char *sec = net->type[v] == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
    for (int i = 0; i < d->nsectors && sec; i++)
        if (!strcmp(d->sector_keys[i], sec)) return i + 1;
    return 0;
}

static int dot_node(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, int64_t v)
{
    int t = net->type[v];
    const char *sector = t == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
    const char *shape = t == ENG_ORGANISATION ? "box" : t == ENG_PROGRAM ? "ellipse" : "hexagon";
    long mark = d->mark ? d->mark[v] : 0;
    util_buf_t label = {0};
    int rc = util_buf_adds(&label, d->english ? net->id[v] : net->name[v]);
    if (!rc && mark > 0) rc = util_buf_printf(&label, "\n★ %s %ld", d->mark_label ? d->mark_label : "", mark);
    rc = rc || util_buf_printf(b, "    n%lld [label=", (long long)v) || eng_dot_string(b, label.data ? label.data : "");
    util_buf_free(&label);
    rc = rc || util_buf_printf(b, ", shape=%s, fillcolor=\"%s\"%s%s, tooltip=", shape, t == ENG_FORUM ? "#ffffff" : colour_of(sector),
                               t == ENG_PROGRAM ? ", fontsize=10" : "", mark > 0 ? ", color=red, penwidth=3" : "");
    return rc || eng_dot_string(b, net->id[v]) || util_buf_adds(b, "];\n");
}

static int dot_cluster_open(util_buf_t *b, int k, const char *label)
{
    return util_buf_printf(b, "  subgraph cluster_%d {\n    label=", k) || eng_dot_string(b, label) ||
           util_buf_adds(b, "; style=rounded; color=\"#999999\";\n");
}

static int dot_gap(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, size_t i)
{
    const eng_gap_t *g = &d->gaps[i];
    static const char *const kinds[] = {N_("coverage gap: %s\n%s, ages %d–%d"), N_("reach gap: %s\n%s, ages %d–%d"),
                                        N_("seam: %s\n%s, ages %d–%d"), N_("single provider: %s\n%s, ages %d–%d")};
    util_buf_t label = {0};
    int rc = util_buf_printf(&label, _(kinds[g->kind]), net->name[g->district], g->need ? g->need : "", g->age_from,
                             g->age_to);
    rc = rc || util_buf_printf(b, "    gap%zu [label=", i) || eng_dot_string(b, label.data ? label.data : "") ||
         util_buf_adds(b, ", shape=box, style=\"dashed\", color=red, fontcolor=red, fillcolor=white];\n");
    util_buf_free(&label);
    return rc;
}

tsg_status_t eng_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = select_nodes(net, d);
    if (!drawn) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int rc = util_buf_adds(b, "digraph tsunagi {\n  graph [fontname=\"" FONT "\", labelloc=t, fontsize=18, label=") ||
             eng_dot_string(b, d->title ? d->title : "") ||
             util_buf_adds(b, ", rankdir=LR, newrank=true];\n"
                              "  node [fontname=\"" FONT "\", style=\"filled\", fontsize=12];\n"
                              "  edge [fontname=\"" FONT "\", fontsize=9];\n");
    /* Nodes, in clusters when asked. */
    int64_t *keys = calloc((size_t)net->maxnid + 2, sizeof *keys);
    if (!keys) rc = 1;
    size_t nk = 0;
    if (!rc && d->cluster != ENG_CLUSTER_NONE) {
        for (int64_t v = 1; v <= net->maxnid; v++) {
            if (!drawn[v]) continue;
            int64_t k = cluster_of(net, d, v);
            size_t j = 0;
            while (j < nk && keys[j] != k) j++;
            if (j == nk && k) keys[nk++] = k;
        }
    }
    for (size_t j = 0; !rc && j < nk; j++) {
        const char *label = d->cluster == ENG_CLUSTER_SECTOR ? (d->english ? d->sector_keys[keys[j] - 1] : d->sector_labels[keys[j] - 1])
                            : d->cluster == ENG_CLUSTER_GIVEN ? d->given_labels[keys[j] - 1]
                                                              : net->name[keys[j]];
        rc = dot_cluster_open(b, (int)j, label);
        for (int64_t v = 1; !rc && v <= net->maxnid; v++)
            if (drawn[v] && cluster_of(net, d, v) == keys[j]) rc = dot_node(b, net, d, v);
        /* A gap is drawn where it is: in its ward's cluster. */
        for (size_t i = 0; !rc && d->cluster == ENG_CLUSTER_WARD && i < d->ngaps; i++)
            if (ward_of(net, d->gaps[i].district) == keys[j]) rc = dot_gap(b, net, d, i);
        rc = rc || util_buf_adds(b, "  }\n");
    }
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v] && !cluster_of(net, d, v)) rc = dot_node(b, net, d, v);
    for (size_t i = 0; !rc && i < d->ngaps; i++)
        if (d->cluster != ENG_CLUSTER_WARD || !ward_of(net, d->gaps[i].district)) rc = dot_gap(b, net, d, i);
    if (!rc && d->note)
        rc = util_buf_adds(b, "  note [label=") || eng_dot_string(b, d->note) ||
             util_buf_adds(b, ", shape=note, style=\"dashed\", color=red, fontcolor=red, fillcolor=white];\n");
    /* A program hangs off its organisation. */
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v] && net->type[v] == ENG_PROGRAM)
            rc = util_buf_printf(b, "  n%lld -> n%lld [style=dotted, arrowhead=none, color=\"#bbbbbb\"];\n",
                                 (long long)net->org_of[v], (long long)v);
    /* Ties: referral an arrow, co_support bold, info_sharing dashed,
     * agreement double, membership dotted grey; width grows with the count. */
    for (size_t t = 0; !rc && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!drawn[tie->src] || !drawn[tie->dst]) continue;
        static const char *const style[] = {
            "style=solid, color=\"#333333\"", "style=bold, dir=none, color=\"#1f78b4\"",
            "style=dashed, dir=none, color=\"#33a02c\"", "color=\"#6a3d9a:invis:#6a3d9a\", dir=none",
            "style=dotted, color=\"#999999\"",
        };
        char c[32];
        count_text(c, sizeof c, tie->count, d->suppress_below);
        /* A suppressed count draws as an unknown one: the width would tell it. */
        int shown = tie->count > 0 && !(d->suppress_below > 0 && tie->count < d->suppress_below);
        double width = shown ? 1.0 + log2(1.0 + (double)tie->count) / 2.0 : 1.0;
        rc = util_buf_printf(b, "  n%lld -> n%lld [%s, penwidth=%.2f, tooltip=\"%s\"", (long long)tie->src,
                             (long long)tie->dst, style[tie->kind], width, kind_name[tie->kind]);
        if (!rc && c[0]) rc = util_buf_printf(b, ", label=\"%s\"", c);
        rc = rc || util_buf_adds(b, "];\n");
    }
    /* The legend: sectors (HTML-like, so every label is escaped for it) and
     * tie kinds. */
    rc = rc || util_buf_adds(b, "  legend [shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"1\" "
                                "cellspacing=\"0\"><tr><td colspan=\"2\"><b>");
    rc = rc || eng_html_text(b, _("legend")) || util_buf_adds(b, "</b></td></tr>");
    for (int i = 0; !rc && i < d->nsectors; i++) {
        rc = util_buf_printf(b, "<tr><td bgcolor=\"%s\">  </td><td align=\"left\">", colour_of(d->sector_keys[i])) ||
             eng_html_text(b, d->english ? d->sector_keys[i] : d->sector_labels[i]) || util_buf_adds(b, "</td></tr>");
    }
    static const char *const rows[][2] = {{"→", N_("referral")},     {"━", N_("co-support")}, {"┄", N_("information sharing")},
                                          {"═", N_("agreement")},    {"┈", N_("membership")}, {"<font color=\"red\">▭</font>", N_("gap")}};
    for (size_t i = 0; !rc && i < sizeof rows / sizeof rows[0]; i++)
        rc = util_buf_printf(b, "<tr><td>%s</td><td align=\"left\">", rows[i][0]) || eng_html_text(b, _(rows[i][1])) ||
             util_buf_adds(b, "</td></tr>");
    rc = rc || util_buf_adds(b, "</table>>];\n}\n");
    free(keys);
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

/* ---- GraphML and JSON -------------------------------------------------------------- */

static const char *type_name(int t)
{
    return t == ENG_ORGANISATION ? "organisation" : t == ENG_PROGRAM ? "program" : t == ENG_FORUM ? "forum" : "district";
}

tsg_status_t eng_graphml(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = select_nodes(net, d);
    if (!drawn) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int rc = util_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
                              "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
                              "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
                              "  <key id=\"sector\" for=\"node\" attr.name=\"sector\" attr.type=\"string\"/>\n"
                              "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
                              "  <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"string\"/>\n"
                              "  <graph id=\"tsunagi\" edgedefault=\"directed\">\n");
    for (int64_t v = 1; !rc && v <= net->maxnid; v++) {
        if (!drawn[v]) continue;
        const char *sector = net->type[v] == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
        rc = util_buf_adds(b, "    <node id=\"") || eng_html_text(b, net->id[v]) ||
             util_buf_printf(b, "\"><data key=\"type\">%s</data><data key=\"name\">", type_name(net->type[v])) ||
             eng_html_text(b, net->name[v]) || util_buf_adds(b, "</data><data key=\"sector\">") ||
             eng_html_text(b, sector ? sector : "") || util_buf_adds(b, "</data></node>\n");
    }
    for (size_t t = 0; !rc && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!drawn[tie->src] || !drawn[tie->dst]) continue;
        char c[32];
        count_text(c, sizeof c, tie->count, d->suppress_below);
        rc = util_buf_adds(b, "    <edge source=\"") || eng_html_text(b, net->id[tie->src]) ||
             util_buf_adds(b, "\" target=\"") || eng_html_text(b, net->id[tie->dst]) ||
             util_buf_printf(b, "\" directed=\"%s\"><data key=\"kind\">%s</data><data key=\"count\">",
                             tie->directed ? "true" : "false", kind_name[tie->kind]) ||
             eng_html_text(b, c) || util_buf_adds(b, "</data></edge>\n");
    }
    rc = rc || util_buf_adds(b, "  </graph>\n</graphml>\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

tsg_status_t eng_json(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = select_nodes(net, d);
    if (!drawn) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int rc = util_buf_adds(b, "{\"nodes\": [");
    int first = 1;
    for (int64_t v = 1; !rc && v <= net->maxnid; v++) {
        if (!drawn[v]) continue;
        const char *sector = net->type[v] == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
        rc = util_buf_adds(b, first ? "\n  {\"id\": " : ",\n  {\"id\": ") || json_string(b, net->id[v]) ||
             util_buf_printf(b, ", \"type\": \"%s\", \"name\": ", type_name(net->type[v])) ||
             json_string(b, net->name[v]) || util_buf_adds(b, ", \"sector\": ") ||
             (sector ? json_string(b, sector) : util_buf_adds(b, "null")) || util_buf_addc(b, '}');
        first = 0;
    }
    rc = rc || util_buf_adds(b, "],\n \"links\": [");
    first = 1;
    for (size_t t = 0; !rc && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!drawn[tie->src] || !drawn[tie->dst]) continue;
        char c[32];
        count_text(c, sizeof c, tie->count, d->suppress_below);
        rc = util_buf_adds(b, first ? "\n  {\"source\": " : ",\n  {\"source\": ") || json_string(b, net->id[tie->src]) ||
             util_buf_adds(b, ", \"target\": ") || json_string(b, net->id[tie->dst]) ||
             util_buf_printf(b, ", \"kind\": \"%s\", \"directed\": %s, \"count\": ", kind_name[tie->kind],
                             tie->directed ? "true" : "false") ||
             (!c[0] ? util_buf_adds(b, "null") : c[0] == '<' ? json_string(b, c) : util_buf_adds(b, c)) ||
             util_buf_addc(b, '}');
        first = 0;
    }
    rc = rc || util_buf_adds(b, "]}\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
