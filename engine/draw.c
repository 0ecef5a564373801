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
            drawn[v] = (unsigned char)(d->no_forums ? 0 : d->only ? d->only[v]
                                          : !d->district || (net->based[v] && eng_under(net, net->based[v], d->district)));
    }
    /* A program of a set brings the organisation that runs it. */
    for (int64_t v = 1; d->only && v <= net->maxnid; v++)
        if (net->type[v] == ENG_PROGRAM && d->only[v]) drawn[net->org_of[v]] = 1;
    /* A forum elsewhere is drawn when a drawn organisation sits in it. */
    for (size_t t = 0; !d->no_forums && t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind == ENG_MEMBERSHIP && drawn[tie->src] && (!d->centre || tie->src == d->centre)) drawn[tie->dst] = 1;
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

const char *eng_sector_colour(const char *sector) { return colour_of(sector); }
int64_t eng_ward_of(const eng_net_t *net, int64_t nid) { return ward_of(net, nid); }
void eng_count_text(char *buf, size_t size, long count, long below) { count_text(buf, size, count, below); }

/* ---- DOT ------------------------------------------------------------------------- */

/* The tie styles, by kind: the edges and the legend draw from this one
 * table, so the legend shows every kind as it is drawn. */
static const struct {
    const char *style, *glyph, *colour, *label;
} tie_look[] = {
    {"style=solid, color=\"#333333\"", "──▶", "#333333", N_("referral")},
    {"style=bold, dir=none, color=\"#1f78b4\"", "━━━", "#1f78b4", N_("co-support")},
    {"style=dashed, dir=none, color=\"#33a02c\"", "╍╍╍", "#33a02c", N_("information sharing")},
    {"color=\"#6a3d9a:invis:#6a3d9a\", dir=none", "═══", "#6a3d9a", N_("agreement")},
    {"style=dotted, color=\"#999999\"", "┈┈┈", "#999999", N_("membership")},
};
#define PROGRAM_LINE "style=dotted, arrowhead=none, color=\"#bbbbbb\""

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

/* A name broken into lines of about `width` columns (a full-width
 * character is two), at a space when there is one near: a long name in one
 * line makes the whole picture wide and its text small when printed. */
static int wrapped(util_buf_t *out, const char *s, size_t width);
int eng_wrapped(util_buf_t *out, const char *s, size_t width) { return wrapped(out, s, width); }

static int wrapped(util_buf_t *out, const char *s, size_t width)
{
    size_t col = 0;
    int rc = 0, bad;
    for (size_t n; *s && !rc; s += n) {
        n = next_char(s, &bad);
        utf8proc_int32_t c = 0;
        if (!bad) utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &c);
        int w = bad ? 1 : utf8proc_charwidth(c) > 1 ? 2 : 1;
        if (*s == '\n') col = 0;
        else if (col + (size_t)w > width && (*s == ' ' || col >= width)) {
            rc = util_buf_addc(out, '\n');
            col = 0;
            if (*s == ' ') continue;
        }
        rc = rc || util_buf_add(out, s, n);
        col += (size_t)w;
    }
    return rc;
}

static const char *need_label(const eng_draw_t *d, const char *need)
{
    for (int i = 0; need && i < d->nneeds; i++)
        if (!strcmp(d->need_keys[i], need)) return d->need_labels[i];
    return need ? need : "";
}

/* ---- forums as a key ---------------------------------------------------------------- */

/* A ward's forums drawn as nodes, with a line from each member, made the
 * picture unreadable on A3 (text 2.3 mm): every membership is a long edge
 * across the ranks, and dot gives each a lane in every rank it crosses
 * (decisions.md, issue 20: a ward with its forums). So a forum is a short
 * code (F1, F2, … in node order) written on each organisation that sits in
 * it, and the key under the legend names each code in full. The code is a
 * code in every language, as a colour is; the key is in the output
 * language. */
typedef struct fkey {
    int64_t *forum; /* forum[i]: the forum coded F(i + 1) */
    size_t n;
    int64_t (*mem)[2]; /* (organisation drawn, code index), by organisation, then code */
    size_t nmem;
} fkey_t;

static int mem_cmp(const void *x, const void *y)
{
    const int64_t *p = x, *q = y;
    return p[0] != q[0] ? (p[0] < q[0] ? -1 : 1) : p[1] != q[1] ? (p[1] < q[1] ? -1 : 1) : 0;
}

/* Codes the drawn forums and takes them off the drawing (drawn[forum] = 0);
 * rep: the node each node is drawn as (a program folded into its
 * organisation). Returns -1 when out of memory. */
static int fkey_make(const eng_net_t *net, unsigned char *drawn, const int64_t *rep, fkey_t *k)
{
    memset(k, 0, sizeof *k);
    int64_t *code = calloc((size_t)net->maxnid + 1, sizeof *code);
    k->forum = calloc((size_t)net->maxnid + 1, sizeof *k->forum);
    k->mem = calloc(net->nties + 1, sizeof *k->mem);
    if (!code || !k->forum || !k->mem) {
        free(code);
        return -1;
    }
    for (int64_t v = 1; v <= net->maxnid; v++)
        if (drawn[v] && net->type[v] == ENG_FORUM) {
            k->forum[k->n] = v;
            code[v] = (int64_t)++k->n;
        }
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        int64_t a = rep[tie->src];
        if (tie->kind != ENG_MEMBERSHIP || !code[tie->dst] || !a || !drawn[a] || net->type[a] == ENG_FORUM) continue;
        k->mem[k->nmem][0] = a;
        k->mem[k->nmem++][1] = code[tie->dst] - 1;
    }
    qsort(k->mem, k->nmem, sizeof *k->mem, mem_cmp);
    for (size_t i = 0; i < k->n; i++) drawn[k->forum[i]] = 0;
    free(code);
    return 0;
}

static void fkey_free(fkey_t *k)
{
    free(k->forum);
    free(k->mem);
}

/* The codes of the forums organisation v sits in, five to a line. */
static int fkey_codes(util_buf_t *label, const fkey_t *k, int64_t v)
{
    int rc = 0, n = 0;
    for (size_t i = 0; k && i < k->nmem && !rc; i++) {
        if (k->mem[i][0] != v || (i && k->mem[i - 1][0] == v && k->mem[i - 1][1] == k->mem[i][1])) continue;
        rc = util_buf_printf(label, n % 5 ? " F%lld" : "\nF%lld", (long long)k->mem[i][1] + 1);
        n++;
    }
    return rc;
}

/* The key: each code with the forum's full name, three to a row. */
#define KEY_ROW 4
static int fkey_table(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, const fkey_t *k)
{
    if (!k || !k->n) return 0;
    int rc = util_buf_printf(b, "<tr><td><table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">"
                                "<tr><td colspan=\"%d\"><b>", 2 * KEY_ROW) ||
             eng_html_text(b, _("forums: an organisation marked F1 sits in forum F1")) || util_buf_adds(b, "</b></td></tr>");
    for (size_t i = 0; !rc && i < k->n; i++) {
        int64_t f = k->forum[i];
        rc = (i % KEY_ROW == 0 && (util_buf_adds(b, i ? "</tr><tr>" : "<tr>"))) ||
             util_buf_printf(b, "<td><b>F%zu</b></td><td align=\"left\">", i + 1) ||
             eng_html_text(b, d->english ? net->id[f] : net->name[f]) || util_buf_adds(b, "</td>");
    }
    return rc || util_buf_adds(b, "</tr></table></td></tr>");
}

static int dot_node(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, int64_t v, const long *folded,
                    const fkey_t *fk)
{
    int t = net->type[v];
    const char *sector = t == ENG_PROGRAM ? net->sector[net->org_of[v]] : net->sector[v];
    const char *shape = t == ENG_ORGANISATION ? "box" : t == ENG_PROGRAM ? "ellipse" : "hexagon";
    long mark = d->mark ? d->mark[v] : 0;
    const char *outline = mark > 0 ? ", color=red, penwidth=3" : v == d->centre ? ", color=\"#b00000\", penwidth=4" : "";
    util_buf_t label = {0};
    int rc = d->english ? util_buf_adds(&label, net->id[v]) : wrapped(&label, net->name[v], 16);
    if (!rc && folded && folded[v] > 0) rc = util_buf_printf(&label, "\n");
    if (!rc && folded && folded[v] > 0) rc = util_buf_printf(&label, _("programs: %ld"), folded[v]);
    if (!rc && mark > 0) rc = util_buf_printf(&label, "\n★ %s %ld", d->mark_label ? d->mark_label : "", mark);
    rc = rc || fkey_codes(&label, fk, v);
    rc = rc || util_buf_printf(b, "    n%lld [label=", (long long)v) || eng_dot_string(b, label.data ? label.data : "");
    util_buf_free(&label);
    rc = rc || util_buf_printf(b, ", shape=%s, fillcolor=\"%s\"%s%s, tooltip=", shape, t == ENG_FORUM ? "#ffffff" : colour_of(sector),
                               "", outline);
    return rc || eng_dot_string(b, net->name[v]) || util_buf_adds(b, "];\n");
}

static int dot_cluster_open(util_buf_t *b, const char *id, long long k, const char *label)
{
    return util_buf_printf(b, "  subgraph cluster_%s%lld {\n    label=", id, k) || eng_dot_string(b, label) ||
           util_buf_adds(b, "; style=rounded; color=\"#999999\";\n");
}

/* A gap mark: one per finding, in the frame of the school district (or
 * ward) it concerns; gap_links ties it to its program. */
static int dot_gap(util_buf_t *b, const eng_draw_t *d, size_t i)
{
    const eng_gap_t *g = &d->gaps[i];
    static const char *const kinds[] = {N_("coverage gap\n%s, ages %d–%d"), N_("reach gap\n%s, ages %d–%d"),
                                        NULL, N_("single provider\n%s, ages %d–%d")};
    util_buf_t label = {0};
    int rc = g->kind == ENG_GAP_SEAM ? util_buf_printf(&label, _("seam\nages %d–%d"), g->age_from, g->age_to)
                                     : util_buf_printf(&label, _(kinds[g->kind]), need_label(d, g->need), g->age_from,
                                                       g->age_to);
    rc = rc || util_buf_printf(b, "    gap%zu [label=", i) || eng_dot_string(b, label.data ? label.data : "") ||
         util_buf_adds(b, ", shape=box, style=\"dashed,filled\", color=red, fontcolor=\"#b00000\", fillcolor=white, "
                          "tooltip=") ||
         eng_dot_string(b, g->why) || util_buf_adds(b, "];\n");
    util_buf_free(&label);
    return rc;
}

/* The gaps of one frame, grouped by the district they concern (one frame
 * each, named for it). in_ward: the gaps of that ward; 0: those no ward
 * frame holds. */
static int dot_gap_frames(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, int64_t in_ward, int any)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < d->ngaps; i++) {
        int64_t dist = d->gaps[i].district, w = ward_of(net, dist);
        if (any ? 0 : w != in_ward) continue;
        size_t first = 0;
        while (first < i && d->gaps[first].district != dist) first++;
        if (first < i) continue; /* its frame is open already */
        rc = dot_cluster_open(b, "gaps", (long long)dist, dist ? net->name[dist] : "");
        for (size_t j = i; !rc && j < d->ngaps; j++)
            if (d->gaps[j].district == dist) rc = dot_gap(b, d, j);
        rc = rc || util_buf_adds(b, "  color=\"#e08080\"; fontcolor=\"#b00000\";\n  }\n");
    }
    return rc;
}

/* One entry of the legend: a swatch (HTML-like, written as is) and its
 * text; entries run in rows of LEGEND_ROW, so the legend is wide and low and
 * sits under the title instead of widening the picture. */
#define LEGEND_ROW 6
static int legend_item(util_buf_t *b, int *n, const char *swatch_attr, const char *swatch, const char *text)
{
    int rc = (*n % LEGEND_ROW == 0 && *n ? util_buf_adds(b, "</tr><tr>") : 0) ||
             util_buf_printf(b, "<td%s>%s</td><td align=\"left\">", swatch_attr, swatch) || eng_html_text(b, text) ||
             util_buf_adds(b, "</td>");
    (*n)++;
    return rc;
}

/* The title and, under it, the legend: the sectors drawn, the node
 * shapes, every tie kind in its own colour and line, the
 * organisation→program line and the gap mark, in the output language; the
 * graph's label, HTML-like, so every text is escaped for it. */
static int dot_legend(util_buf_t *b, const eng_net_t *net, const eng_draw_t *d, const unsigned char *sector_used,
                      int programs, const fkey_t *fk)
{
    int n = 0;
    /* An empty <font> is a syntax error to GraphViz: no title, no row. */
    int title = d->title && *d->title;
    int rc = util_buf_adds(b, "  labelloc=t;\n  label=<<table border=\"0\" cellspacing=\"6\">") ||
             (title && (util_buf_adds(b, "<tr><td><font point-size=\"26\">") || eng_html_text(b, d->title) ||
                        util_buf_adds(b, "</font></td></tr>"))) ||
             util_buf_printf(b, "<tr><td><table border=\"0\" cellborder=\"1\" cellspacing=\"0\" "
                                "cellpadding=\"4\"><tr><td colspan=\"%d\"><b>", 2 * LEGEND_ROW) ||
             eng_html_text(b, _("legend")) || util_buf_adds(b, "</b></td></tr><tr>");
    for (int i = 0; !rc && i < d->nsectors; i++) {
        if (sector_used && !sector_used[i]) continue;
        char attr[48];
        snprintf(attr, sizeof attr, " bgcolor=\"%s\"", colour_of(d->sector_keys[i]));
        rc = legend_item(b, &n, attr, "    ", d->english ? d->sector_keys[i] : d->sector_labels[i]);
    }
    static const char *const shapes[][2] = {{"▭", N_("organisation (box)")}, {"◯", N_("program (ellipse)")}};
    for (int i = 0; !rc && i < 2; i++)
        if (!(i == 1 && !programs)) rc = legend_item(b, &n, "", shapes[i][0], _(shapes[i][1]));
    if (!rc && fk->n) rc = legend_item(b, &n, "", "<b>F1</b>", _("sits in forum F1 (the key below names it)"));
    for (int k = 0; !rc && k < 5; k++) {
        if (k == ENG_MEMBERSHIP) continue; /* drawn as forum codes */
        char sw[96];
        snprintf(sw, sizeof sw, "<font color=\"%s\">%s</font>", tie_look[k].colour, tie_look[k].glyph);
        rc = legend_item(b, &n, "", sw, _(tie_look[k].label));
    }
    if (!rc && programs)
        rc = legend_item(b, &n, "", "<font color=\"#bbbbbb\">┈┈┈</font>", _("organisation → its program"));
    rc = rc || legend_item(b, &n, "", "12", _("people referred or supported a year (line width grows with it)"));
    if (!rc && d->ngaps)
        rc = legend_item(b, &n, "", "<font color=\"red\">▭</font>",
                         _("gap, joined to the program it concerns, in its district's frame"));
    if (!rc && d->nsuggest)
        rc = legend_item(b, &n, "", "<font color=\"#1a9850\">╍╍╍</font>", _("suggested tie (SUGGEST TIES)"));
    return rc || util_buf_adds(b, "</tr></table></td></tr>") || fkey_table(b, net, d, fk) ||
           util_buf_adds(b, "</table>>;\n");
}

/* One line per (drawn end, drawn end, kind): ties of folded programs are
 * drawn from their organisation, and parallel ties add up. */
typedef struct agg {
    int64_t a, z;
    int kind, directed;
    long count, ties; /* count: the sum of the counts published exactly (-1: none) */
    int hidden;       /* some count is below suppress_below (published "<N") */
} agg_t;

static int agg_cmp(const void *x, const void *y)
{
    const agg_t *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->z != q->z) return p->z < q->z ? -1 : 1;
    return p->kind - q->kind;
}

tsg_status_t eng_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    if (d->view == ENG_VIEW_CITY) return eng_city_dot(net, d, b, err);
    if (d->view == ENG_VIEW_MATRIX) return eng_matrix_dot(net, d, b, err);
    unsigned char *drawn = select_nodes(net, d);
    size_t nn = (size_t)net->maxnid + 1;
    int64_t *rep = calloc(nn, sizeof *rep);          /* the node each node is drawn as */
    long *folded = calloc(nn, sizeof *folded);       /* by organisation: programs folded into it */
    int64_t *keys = calloc(nn + 1, sizeof *keys);
    agg_t *lines = calloc(net->nties + 1, sizeof *lines);
    unsigned char sector_used[64] = {0};
    if (!drawn || !rep || !folded || !keys || !lines) {
        free(drawn), free(rep), free(folded), free(keys), free(lines);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    /* A program is its own node WITH programs or when a set names it;
     * otherwise it is folded into its organisation. */
    int programs = 0;
    for (int64_t v = 1; v <= net->maxnid; v++) {
        if (!drawn[v]) continue;
        rep[v] = v;
        if (net->type[v] == ENG_PROGRAM && !d->programs && !(d->only && d->only[v])) {
            rep[v] = net->org_of[v];
            folded[net->org_of[v]]++;
            drawn[v] = 0;
        }
        if (drawn[v] && net->type[v] == ENG_PROGRAM) programs = 1;
        int64_t sv = net->type[v] == ENG_PROGRAM ? net->org_of[v] : v;
        for (int i = 0; i < d->nsectors && i < 64 && net->sector[sv]; i++)
            if (!strcmp(d->sector_keys[i], net->sector[sv])) sector_used[i] = 1;
    }
    fkey_t fk;
    if (fkey_make(net, drawn, rep, &fk)) {
        fkey_free(&fk);
        free(drawn), free(rep), free(folded), free(keys), free(lines);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    /* The title and legend come last, as the graph's label: set first, the
     * clusters would inherit it. */
    int rc = util_buf_adds(b, "digraph tsunagi {\n  graph [fontname=\"" FONT "\", fontsize=14, rankdir=LR, newrank=true, "
                              "nodesep=0.1, ranksep=0.3];\n"
                              "  node [fontname=\"" FONT "\", style=\"filled\", fontsize=14, margin=\"0.08,0.04\"];\n"
                              "  edge [fontname=\"" FONT "\", fontsize=14, arrowsize=0.7];\n");
    /* Nodes, in clusters when asked. */
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
        rc = dot_cluster_open(b, "", (long long)j, label);
        for (int64_t v = 1; !rc && v <= net->maxnid; v++)
            if (drawn[v] && cluster_of(net, d, v) == keys[j]) rc = dot_node(b, net, d, v, folded, &fk);
        /* A gap is drawn where it is: in its ward's frame, in its own district's. */
        if (!rc && d->cluster == ENG_CLUSTER_WARD) rc = dot_gap_frames(b, net, d, keys[j], 0);
        rc = rc || util_buf_adds(b, "  }\n");
    }
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v] && !cluster_of(net, d, v)) rc = dot_node(b, net, d, v, folded, &fk);
    if (!rc && d->cluster != ENG_CLUSTER_WARD) rc = dot_gap_frames(b, net, d, 0, 1);
    else if (!rc) {
        /* Gaps of districts no ward frame was drawn for. */
        for (size_t i = 0; !rc && i < d->ngaps; i++) {
            int64_t w = ward_of(net, d->gaps[i].district);
            size_t j = 0;
            while (j < nk && keys[j] != w) j++;
            if (j == nk) rc = dot_gap_frames(b, net, d, w, 0);
        }
    }
    if (!rc && d->note)
        rc = util_buf_adds(b, "  note [label=") || eng_dot_string(b, d->note) ||
             util_buf_adds(b, ", shape=note, style=\"dashed\", color=red, fontcolor=red, fillcolor=white];\n");
    /* A gap is joined to the program it concerns (or the organisation it is
     * folded into). */
    for (size_t i = 0; !rc && i < d->ngaps; i++) {
        int64_t p = d->gaps[i].program, at = p > 0 && p <= net->maxnid ? rep[p] : 0;
        if (at > 0 && drawn[at])
            rc = util_buf_printf(b, "  gap%zu -> n%lld [style=dashed, color=red, arrowhead=none, weight=4];\n", i,
                                 (long long)at);
    }
    /* A program hangs off its organisation. */
    for (int64_t v = 1; !rc && v <= net->maxnid; v++)
        if (drawn[v] && net->type[v] == ENG_PROGRAM)
            rc = util_buf_printf(b, "  n%lld -> n%lld [" PROGRAM_LINE "];\n", (long long)net->org_of[v], (long long)v);
    /* Ties, one line per pair and kind; width grows with the count. */
    size_t nl = 0;
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        int64_t a = rep[tie->src], z = rep[tie->dst];
        if (!a || !z || !drawn[a] || !drawn[z] || a == z) continue;
        if (!tie->directed && a > z) {
            int64_t x = a;
            a = z;
            z = x;
        }
        /* A suppressed count stays out of the sum: added in, the sum would
         * tell it (130 + 3 from 130 + 4). */
        int hidden = d->suppress_below > 0 && tie->count >= 0 && tie->count < d->suppress_below;
        lines[nl] = (agg_t){a, z, tie->kind, tie->directed, tie->count >= 0 && !hidden ? tie->count : -1, 1, hidden};
        nl++;
    }
    qsort(lines, nl, sizeof *lines, agg_cmp);
    for (size_t i = 0; !rc && i < nl;) {
        agg_t l = lines[i];
        size_t j = i + 1;
        for (; j < nl && !agg_cmp(&lines[j], &l); j++) {
            if (lines[j].count >= 0) l.count = (l.count < 0 ? 0 : l.count) + lines[j].count;
            l.hidden |= lines[j].hidden;
            l.ties++;
        }
        i = j;
        char c[48];
        if (l.hidden && l.count >= 0) snprintf(c, sizeof c, "%ld+<%ld", l.count, d->suppress_below);
        else if (l.hidden) snprintf(c, sizeof c, "<%ld", d->suppress_below);
        else count_text(c, sizeof c, l.count, 0);
        /* A suppressed count draws as an unknown one: the width would tell it. */
        int shown = l.count > 0;
        double width = shown ? 1.0 + log2(1.0 + (double)l.count) / 2.0 : 1.0;
        rc = util_buf_printf(b, "  n%lld -> n%lld [%s, penwidth=%.2f, tooltip=\"%s\"", (long long)l.a, (long long)l.z,
                             tie_look[l.kind].style, width, kind_name[l.kind]);
        /* An external label: dot does not rank it, so the counts do not
         * double the picture's width (decisions.md, issue 20). */
        if (!rc && c[0]) rc = util_buf_printf(b, ", xlabel=\"%s\"", c);
        rc = rc || util_buf_adds(b, "];\n");
    }
    /* Suggested ties: dashed green, from the node each end is drawn as. */
    for (size_t i = 0; !rc && i < d->nsuggest; i++) {
        int64_t f = d->suggest[2 * i], t = d->suggest[2 * i + 1];
        int64_t a = f > 0 && f <= net->maxnid ? rep[f] : 0, z = t > 0 && t <= net->maxnid ? rep[t] : 0;
        if (a > 0 && z > 0 && drawn[a] && drawn[z] && a != z)
            rc = util_buf_printf(b, "  n%lld -> n%lld [style=dashed, color=\"#1a9850\", penwidth=2.5, tooltip=\"%s\"];\n",
                                 (long long)a, (long long)z, _("suggested tie"));
    }
    rc = rc || dot_legend(b, net, d, sector_used, programs, &fk) || util_buf_adds(b, "}\n");
    fkey_free(&fk);
    free(keys);
    free(drawn);
    free(rep);
    free(folded);
    free(lines);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

/* ---- shared with the exchange writers (exchange.c) ------------------------------- */

unsigned char *eng_draw_select(const eng_net_t *net, const eng_draw_t *d) { return select_nodes(net, d); }

void eng_draw_count(char *buf, size_t size, long count, long below) { count_text(buf, size, count, below); }

const char *eng_draw_kind(int kind) { return kind_name[kind]; }

const char *eng_draw_cluster(const eng_net_t *net, const eng_draw_t *d, int64_t v)
{
    int64_t k = cluster_of(net, d, v);
    if (!k) return NULL;
    return d->cluster == ENG_CLUSTER_SECTOR ? (d->english ? d->sector_keys[k - 1] : d->sector_labels[k - 1])
           : d->cluster == ENG_CLUSTER_GIVEN ? d->given_labels[k - 1]
                                             : net->name[k];
}
