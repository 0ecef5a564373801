/* exchange — the network as GraphML and JSON for other tools; see draw.h. */
#include "draw.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define REPLACEMENT "\xEF\xBF\xBD"

static int json_string(util_buf_t *out, const char *s)
{
    int rc = util_buf_addc(out, '"'), bad;
    for (size_t n; s && *s && !rc; s += n) {
        utf8proc_int32_t ch;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &ch);
        bad = len <= 0;
        n = bad ? 1 : (size_t)len;
        unsigned char c = (unsigned char)*s;
        if (bad) rc = util_buf_adds(out, REPLACEMENT);
        else if (c == '"' || c == '\\') rc = util_buf_addc(out, '\\') || util_buf_addc(out, (char)c);
        else if (c == '\n') rc = util_buf_adds(out, "\\n");
        else if (c < 0x20) rc = util_buf_printf(out, "\\u%04x", c);
        else rc = util_buf_add(out, s, n);
    }
    return rc || util_buf_addc(out, '"');
}

/* ---- GraphML and JSON -------------------------------------------------------------- */

static const char *type_name(int t)
{
    return t == ENG_ORGANISATION ? "organisation" : t == ENG_PROGRAM ? "program" : t == ENG_FORUM ? "forum" : "district";
}

tsg_status_t eng_graphml(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = eng_draw_select(net, d);
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
        eng_draw_count(c, sizeof c, tie->count, d->suppress_below);
        rc = util_buf_adds(b, "    <edge source=\"") || eng_html_text(b, net->id[tie->src]) ||
             util_buf_adds(b, "\" target=\"") || eng_html_text(b, net->id[tie->dst]) ||
             util_buf_printf(b, "\" directed=\"%s\"><data key=\"kind\">%s</data><data key=\"count\">",
                             tie->directed ? "true" : "false", eng_draw_kind(tie->kind)) ||
             eng_html_text(b, c) || util_buf_adds(b, "</data></edge>\n");
    }
    rc = rc || util_buf_adds(b, "  </graph>\n</graphml>\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

tsg_status_t eng_json(const eng_net_t *net, const eng_draw_t *d, util_buf_t *b, tsg_error_t *err)
{
    unsigned char *drawn = eng_draw_select(net, d);
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
        eng_draw_count(c, sizeof c, tie->count, d->suppress_below);
        rc = util_buf_adds(b, first ? "\n  {\"source\": " : ",\n  {\"source\": ") || json_string(b, net->id[tie->src]) ||
             util_buf_adds(b, ", \"target\": ") || json_string(b, net->id[tie->dst]) ||
             util_buf_printf(b, ", \"kind\": \"%s\", \"directed\": %s, \"count\": ", eng_draw_kind(tie->kind),
                             tie->directed ? "true" : "false") ||
             (!c[0] ? util_buf_adds(b, "null") : c[0] == '<' ? json_string(b, c) : util_buf_adds(b, c)) ||
             util_buf_addc(b, '}');
        first = 0;
    }
    rc = rc || util_buf_adds(b, "]}\n");
    free(drawn);
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}
