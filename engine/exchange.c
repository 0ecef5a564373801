/*
 * exchange — the network as GraphML and JSON for other tools; see draw.h.
 *
 * GraphML is read by NetworkX, Gephi and Cytoscape, and NetworkX refuses a
 * file whose edges disagree with the graph's edgedefault. So the graph is
 * directed, and an undirected tie (co_support, info_sharing, agreement) is
 * written as two edges, one each way, that share their `tie` number and say
 * `undirected`: a path search finds the tie from both ends, and a tool that
 * sums weights folds the pair by `tie` (docs/decisions.md, issue 20).
 * Besides the ties, an organisation is linked to each program it runs
 * (kind `runs`), as DOT draws it; CLUSTER BY and HIGHLIGHT, which DOT draws
 * as frames and marks, are node attributes (`cluster`, `brokerage`), gap
 * nodes (type `gap`, linked to the program they concern) and a graph
 * attribute (`note`, THIN LINKS).
 */
#include "draw.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define REPLACEMENT "\xEF\xBF\xBD"

static const char *const gap_kind[] = {"coverage", "reach", "seam", "fragile"};

/* The next character of s (its length), *bad when the bytes are not UTF-8. */
static size_t next_char(const char *s, utf8proc_int32_t *c, int *bad)
{
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, c);
    *bad = n <= 0;
    return n <= 0 ? 1 : (size_t)n;
}

static int json_string(util_buf_t *out, const char *s)
{
    int rc = util_buf_addc(out, '"'), bad;
    utf8proc_int32_t ch;
    for (size_t n; s && *s && !rc; s += n) {
        n = next_char(s, &ch, &bad);
        unsigned char c = (unsigned char)*s;
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (c == '"' || c == '\\') rc = util_buf_addc(out, '\\') || util_buf_addc(out, (char)c);
        else if (c == '\n') rc = util_buf_adds(out, "\\n");
        else if (c < 0x20) rc = util_buf_printf(out, "\\u%04x", c);
        else rc = util_buf_add(out, s, n);
    }
    return rc || util_buf_addc(out, '"');
}

/* Text for an XML attribute or element. A line break stays a line break
 * (&#10;, so that no reader folds it into a space); a character that hides
 * or reorders text (util_hidden_char: controls XML 1.0 cannot hold even
 * escaped, bidirectional and zero-width ones), and XML's two
 * non-characters, are written [U+XXXX], as in the pictures. */
static int xml_text(util_buf_t *out, const char *s)
{
    int rc = 0, bad;
    utf8proc_int32_t ch;
    for (size_t n; s && *s && !rc; s += n) {
        n = next_char(s, &ch, &bad);
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (ch == '<') rc = util_buf_adds(out, "&lt;");
        else if (ch == '>') rc = util_buf_adds(out, "&gt;");
        else if (ch == '&') rc = util_buf_adds(out, "&amp;");
        else if (ch == '"') rc = util_buf_adds(out, "&quot;");
        else if (ch == '\n') rc = util_buf_adds(out, "&#10;");
        else if (ch == '\r') rc = util_buf_adds(out, "&#13;");
        else if (ch == '\t') rc = util_buf_adds(out, "&#9;");
        else if (util_hidden_char(ch) || ch < 0x20 || ch == 0xFFFE || ch == 0xFFFF)
            rc = util_buf_printf(out, "[U+%04X]", (unsigned)ch);
        else rc = util_buf_add(out, s, n);
    }
    return rc;
}

static const char *type_name(int t)
{
    return t == ENG_ORGANISATION ? "organisation" : t == ENG_PROGRAM ? "program" : t == ENG_FORUM ? "forum" : "district";
}

static const char *sector_of(const eng_net_t *net, int64_t v)
{
    return net->type[v] == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
}

/* ---- GraphML ------------------------------------------------------------------------ */

static const char graphml_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
    "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
    "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
    "  <key id=\"sector\" for=\"node\" attr.name=\"sector\" attr.type=\"string\"/>\n"
    "  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"string\"/>\n"
    "  <key id=\"brokerage\" for=\"node\" attr.name=\"brokerage\" attr.type=\"int\"/>\n"
    "  <key id=\"gap_kind\" for=\"node\" attr.name=\"gap_kind\" attr.type=\"string\"/>\n"
    "  <key id=\"district\" for=\"node\" attr.name=\"district\" attr.type=\"string\"/>\n"
    "  <key id=\"need\" for=\"node\" attr.name=\"need\" attr.type=\"string\"/>\n"
    "  <key id=\"age_from\" for=\"node\" attr.name=\"age_from\" attr.type=\"int\"/>\n"
    "  <key id=\"age_to\" for=\"node\" attr.name=\"age_to\" attr.type=\"int\"/>\n"
    "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
    "  <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"int\"/>\n"
    "  <key id=\"count_below\" for=\"edge\" attr.name=\"count_below\" attr.type=\"int\"/>\n"
    "  <key id=\"tie\" for=\"edge\" attr.name=\"tie\" attr.type=\"int\"/>\n"
    "  <key id=\"undirected\" for=\"edge\" attr.name=\"undirected\" attr.type=\"boolean\"/>\n"
    "  <key id=\"note\" for=\"graph\" attr.name=\"note\" attr.type=\"string\"/>\n"
    "  <graph id=\"tsunagi\" edgedefault=\"directed\">\n";

static int xml_data(util_buf_t *b, const char *key, const char *text)
{
    return util_buf_printf(b, "<data key=\"%s\">", key) || xml_text(b, text) || util_buf_adds(b, "</data>");
}

static int graphml_node(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, int64_t v)
{
    const char *sector = sector_of(net, v), *cluster = eng_draw_cluster(net, d, v);
    int rc = util_buf_adds(b, "    <node id=\"") || xml_text(b, net->id[v]) || util_buf_adds(b, "\">") ||
             xml_data(b, "type", type_name(net->type[v])) || xml_data(b, "name", net->name[v]) ||
             (sector && xml_data(b, "sector", sector)) || (cluster && xml_data(b, "cluster", cluster));
    if (!rc && d->mark && d->mark[v] > 0) rc = util_buf_printf(b, "<data key=\"brokerage\">%ld</data>", d->mark[v]);
    return rc || util_buf_adds(b, "</node>\n");
}

/* A gap GAPS found (HIGHLIGHT GAPS): a node of its own, linked to the
 * program it concerns when there is one. */
static int graphml_gap(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, const unsigned char *drawn, size_t i)
{
    const eng_gap_t *g = &d->gaps[i];
    int rc = util_buf_printf(b, "    <node id=\"gap-%zu\">", i + 1) || xml_data(b, "type", "gap") ||
             xml_data(b, "name", g->why) || xml_data(b, "gap_kind", gap_kind[g->kind]) ||
             (g->district > 0 && xml_data(b, "district", net->id[g->district])) || (g->need && xml_data(b, "need", g->need)) ||
             util_buf_printf(b, "<data key=\"age_from\">%d</data><data key=\"age_to\">%d</data></node>\n", g->age_from,
                             g->age_to);
    if (!rc && g->program > 0 && drawn[g->program])
        rc = util_buf_printf(b, "    <edge source=\"gap-%zu\" target=\"", i + 1) || xml_text(b, net->id[g->program]) ||
             util_buf_adds(b, "\"><data key=\"kind\">concerns</data></edge>\n");
    return rc;
}

static int graphml_edge(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, size_t t, int reverse)
{
    const eng_tie_t *tie = &net->ties[t];
    int64_t from = reverse ? tie->dst : tie->src, to = reverse ? tie->src : tie->dst;
    int rc = util_buf_adds(b, "    <edge source=\"") || xml_text(b, net->id[from]) || util_buf_adds(b, "\" target=\"") ||
             xml_text(b, net->id[to]) || util_buf_printf(b, "\"><data key=\"kind\">%s</data><data key=\"tie\">%zu</data>",
                                                         eng_draw_kind(tie->kind), t + 1);
    /* A count below the threshold is left out (a tool would read "<5" as
     * text, or fail): count_below says it was there and small. */
    if (!rc && tie->count >= 0) {
        if (d->suppress_below > 0 && tie->count < d->suppress_below)
            rc = util_buf_printf(b, "<data key=\"count_below\">%ld</data>", d->suppress_below);
        else rc = util_buf_printf(b, "<data key=\"count\">%ld</data>", (long)tie->count);
    }
    if (!rc && !tie->directed) rc = util_buf_adds(b, "<data key=\"undirected\">true</data>");
    return rc || util_buf_adds(b, "</edge>\n");
}

tsg_status_t eng_graphml(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = eng_draw_select(net, d);
    if (!drawn) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int rc = util_buf_adds(b, graphml_head);
    if (!rc && d->note) rc = util_buf_adds(b, "    ") || xml_data(b, "note", d->note) || util_buf_addc(b, '\n');
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v]) rc = graphml_node(b, net, d, v);
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v] && net->type[v] == ENG_PROGRAM)
            rc = util_buf_adds(b, "    <edge source=\"") || xml_text(b, net->id[net->org_of[v]]) ||
                 util_buf_adds(b, "\" target=\"") || xml_text(b, net->id[v]) ||
                 util_buf_adds(b, "\"><data key=\"kind\">runs</data></edge>\n");
    for (size_t t = 0; !rc && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!drawn[tie->src] || !drawn[tie->dst]) continue;
        rc = graphml_edge(b, net, d, t, 0) || (!tie->directed && graphml_edge(b, net, d, t, 1));
    }
    for (size_t i = 0; !rc && i < d->ngaps; i++) rc = graphml_gap(b, net, d, drawn, i);
    rc = rc || util_buf_adds(b, "  </graph>\n</graphml>\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

/* ---- JSON --------------------------------------------------------------------------- */

static int json_link_head(util_buf_t *b, int first, const char *src, const char *dst, const char *kind, int directed)
{
    return util_buf_adds(b, first ? "\n  {\"source\": " : ",\n  {\"source\": ") || json_string(b, src) ||
           util_buf_adds(b, ", \"target\": ") || json_string(b, dst) ||
           util_buf_printf(b, ", \"kind\": \"%s\", \"directed\": %s, \"count\": ", kind, directed ? "true" : "false");
}

tsg_status_t eng_json(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = eng_draw_select(net, d);
    if (!drawn) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    int rc = util_buf_adds(b, "{\"nodes\": [");
    int first = 1;
    for (int64_t v = 1; !rc && v <= net->maxnid; v++) {
        if (!drawn[v]) continue;
        const char *sector = sector_of(net, v), *cluster = eng_draw_cluster(net, d, v);
        rc = util_buf_adds(b, first ? "\n  {\"id\": " : ",\n  {\"id\": ") || json_string(b, net->id[v]) ||
             util_buf_printf(b, ", \"type\": \"%s\", \"name\": ", type_name(net->type[v])) ||
             json_string(b, net->name[v]) || util_buf_adds(b, ", \"sector\": ") ||
             (sector ? json_string(b, sector) : util_buf_adds(b, "null"));
        if (!rc && cluster) rc = util_buf_adds(b, ", \"cluster\": ") || json_string(b, cluster);
        if (!rc && d->mark && d->mark[v] > 0) rc = util_buf_printf(b, ", \"brokerage\": %ld", d->mark[v]);
        rc = rc || util_buf_addc(b, '}');
        first = 0;
    }
    rc = rc || util_buf_adds(b, "],\n \"links\": [");
    first = 1;
    for (int64_t v = 1; !rc && v <= net->maxnid; v++) {
        if (!drawn[v] || net->type[v] != ENG_PROGRAM) continue;
        rc = json_link_head(b, first, net->id[net->org_of[v]], net->id[v], "runs", 1) || util_buf_adds(b, "null}");
        first = 0;
    }
    for (size_t t = 0; !rc && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (!drawn[tie->src] || !drawn[tie->dst]) continue;
        char c[32];
        eng_draw_count(c, sizeof c, tie->count, d->suppress_below);
        rc = json_link_head(b, first, net->id[tie->src], net->id[tie->dst], eng_draw_kind(tie->kind), tie->directed) ||
             (!c[0] ? util_buf_adds(b, "null") : c[0] == '<' ? json_string(b, c) : util_buf_adds(b, c)) ||
             util_buf_addc(b, '}');
        first = 0;
    }
    rc = rc || util_buf_adds(b, "]");
    if (!rc && d->ngaps) {
        rc = util_buf_adds(b, ",\n \"gaps\": [");
        for (size_t i = 0; !rc && i < d->ngaps; i++) {
            const eng_gap_t *g = &d->gaps[i];
            rc = util_buf_printf(b, "%s{\"kind\": \"%s\", \"district\": ", i ? ",\n  " : "\n  ", gap_kind[g->kind]) ||
                 (g->district > 0 ? json_string(b, net->id[g->district]) : util_buf_adds(b, "null")) ||
                 util_buf_adds(b, ", \"need\": ") ||
                 (g->need ? json_string(b, g->need) : util_buf_adds(b, "null")) ||
                 util_buf_printf(b, ", \"age_from\": %d, \"age_to\": %d, \"program\": ", g->age_from, g->age_to) ||
                 (g->program > 0 ? json_string(b, net->id[g->program]) : util_buf_adds(b, "null")) ||
                 util_buf_adds(b, ", \"why\": ") || json_string(b, g->why) || util_buf_addc(b, '}');
        }
        rc = rc || util_buf_adds(b, "]");
    }
    if (!rc && d->note) rc = util_buf_adds(b, ",\n \"note\": ") || json_string(b, d->note);
    rc = rc || util_buf_adds(b, "}\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
