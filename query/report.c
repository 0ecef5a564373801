/*
 * report — REPORT GAPS … TO 'report.html': the gap table, the coverage
 * matrix, the horizontal summary and the network's picture in one HTML file
 * that opens offline. The tables are the statements' own results, captured
 * through a sink; the picture is dot's SVG, inlined.
 */
#include "ast.h"
#include "draw.h"
#include "gaps.h"
#include "query.h"
#include "util.h"
#include "picture.h"
#include "choices.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A result set as an HTML table (the sink REPORT captures results with). */
tsg_status_t qry_html_table(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    util_buf_t *b = ctx;
    int rc = 0;
    if (r->title) rc = util_buf_adds(b, "<h3>") || eng_html_text(b, r->title) || util_buf_adds(b, "</h3>\n");
    if (r->kind == TSG_RESULT_MESSAGE)
        return rc || util_buf_adds(b, "<p>") || eng_html_text(b, r->cells[0]) || util_buf_adds(b, "</p>\n")
                   ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
    rc = rc || util_buf_adds(b, "<table>\n<thead><tr>");
    for (size_t c = 0; !rc && c < r->ncols; c++)
        rc = util_buf_adds(b, "<th>") || eng_html_text(b, r->cols[c]) || util_buf_adds(b, "</th>");
    rc = rc || util_buf_adds(b, "</tr></thead>\n");
    for (size_t i = 0; !rc && i < r->nrows; i++) {
        rc = util_buf_adds(b, "<tr>");
        for (size_t c = 0; !rc && c < r->ncols; c++) {
            const char *cell = r->cells[i * r->ncols + c];
            rc = util_buf_adds(b, r->right[c] ? "<td class=\"n\">" : "<td>") || eng_html_text(b, cell ? cell : "") ||
                 util_buf_adds(b, "</td>");
        }
        rc = rc || util_buf_adds(b, "</tr>\n");
    }
    if (!r->nrows)
        rc = rc || util_buf_printf(b, "<tr><td colspan=\"%zu\">", r->ncols) || eng_html_text(b, _("(none)")) ||
             util_buf_adds(b, "</td></tr>\n");
    rc = rc || util_buf_adds(b, "</table>\n");
    return rc ? util_fail(err, TSG_ENOMEM, _("out of memory")) : TSG_OK;
}

/* A statement of another kind over the clauses of this one in slots
 * `keep` (bits 1 << AST_CL_*). */
static ast_stmt_t *sub_statement(qry_session_t *s, const ast_stmt_t *st, ast_skind_t kind, unsigned keep)
{
    ast_stmt_t *sub = ast_alloc(&s->ctx, sizeof *sub);
    if (!sub) return NULL;
    *sub = *st;
    sub->kind = kind;
    for (int i = 0; i < AST_CL_N; i++)
        if (!(keep & (1u << i))) sub->cl[i] = NULL;
    return sub;
}

const char qry_report_head[] =
    "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
const char qry_report_style[] =
    "</title>\n<style>\n"
    "body { font-family: 'Noto Sans CJK JP', sans-serif; margin: 2em; color: #222; }\n"
    "h1 { font-size: 1.5em; } h2 { border-bottom: 2px solid #999; margin-top: 2em; }\n"
    "table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }\n"
    "th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; vertical-align: top; }\n"
    "th { background: #eee; } td.n { text-align: right; }\n"
    /* On screen the picture keeps its own size in a scrolling frame, so the
     * browser's zoom enlarges it instead of squeezing it to the page. */
    ".picture { overflow: auto; max-height: 85vh; border: 1px solid #ddd; }\n"
    ".picture svg { display: block; }\n"
    ".no-picture { border: 2px dashed #c00; color: #900; padding: 1em; }\n"
    ".hint { color: #666; font-size: 0.9em; }\n"
    /* On paper: the tables on A4, the picture on its own A3 landscape page,
     * scaled to fit; a table's header repeats on every page it crosses. */
    "@page { size: A4 portrait; margin: 15mm; }\n"
    "@page picture { size: A3 landscape; margin: 10mm; }\n"
    "@media print {\n"
    "  body { margin: 0; font-size: 10pt; }\n"
    "  h2 { break-after: avoid; } h3 { break-after: avoid; } tr { break-inside: avoid; }\n"
    "  thead { display: table-header-group; }\n"
    "  .network { page: picture; break-before: page; }\n"
    "  .picture { overflow: visible; max-height: none; border: none; }\n"
    "  .picture svg { width: 100%; height: auto; max-height: 260mm; }\n"
    "  .hint { display: none; }\n"
    "}\n"
    "</style>\n</head>\n<body>\n";

/* The picture of the report's district as SVG text (*svg, malloc'd), drawn
 * by dot in a private folder. */
static tsg_status_t report_picture(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net,
                                   const qry_gaps_args_t *a, char **svg, int *cannot_draw)
{
    eng_gap_t *rows = NULL;
    util_buf_t dot = {0};
    tsg_error_t err = {0};
    const char *keys[64], *labels[64];
    eng_draw_t d = {0};
    tsg_status_t rc = TSG_OK;
    d.district = a->q.district;
    d.cluster = ENG_CLUSTER_WARD;
    /* A city's report shows the city at a glance: its full network would
     * take dot minutes and read as a hairball. */
    if (d.district && net->level[d.district] < ENG_WARD) d.view = ENG_VIEW_CITY;
    d.suppress_below = s->suppress_below;
    d.title = "";
    for (size_t i = 0; i < s->vocab.n && d.nsectors < 64; i++)
        if (!strcmp(s->vocab.e[i].kind, "sector")) {
            keys[d.nsectors] = s->vocab.e[i].key;
            labels[d.nsectors++] = qry_label(s, "sector", s->vocab.e[i].key);
        }
    d.sector_keys = keys;
    d.sector_labels = labels;
    if (eng_gaps(net, &a->q, &rows, &d.ngaps, &err) || (d.gaps = rows, eng_dot(net, &d, &dot, &err)))
        rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (!rc) rc = qry_dot_svg(s, st, &dot, svg, cannot_draw);
    free(rows);
    util_buf_free(&dot);
    return rc;
}

/* REPORT GAPS FOR … AGED … IN '…' [NEEDS …] TO 'report.html': the gap
 * table, the coverage matrix, the horizontal summary and the picture, in one
 * file that opens offline. */
tsg_status_t qry_exec_report(qry_session_t *s, const ast_stmt_t *st, const char *path, const ast_clause_t *to)
{
    const char *w;
    int near, k = qry_choice(s, st->v, qry_report_words, &w, &near); /* query/choices.c: what Tab offers */
    if (k == -2) return s->ctx.code;
    if (k < 0) return qry_fail(s, &st->what, _("REPORT makes a GAPS report: REPORT GAPS FOR … AGED … IN '…' TO 'report.html'"));
    /* The grammar let through only GAPS' clauses and TO. */
    unsigned gaps_slots = (1u << AST_CL_FOR) | (1u << AST_CL_AGED) | (1u << AST_CL_IN) | (1u << AST_CL_NEEDS) |
                          (1u << AST_CL_BY) | (1u << AST_CL_WITHIN) | (1u << AST_CL_ASOF);
    ast_stmt_t *gaps = sub_statement(s, st, AST_GAPS, gaps_slots);
    ast_stmt_t *coverage = sub_statement(s, st, AST_COVERAGE, gaps_slots & ~(1u << AST_CL_WITHIN));
    ast_stmt_t *horizontal = sub_statement(s, st, AST_HORIZONTAL, 1u << AST_CL_IN);
    /* Next steps: the ties SUGGEST TIES would propose for the same question. */
    ast_stmt_t *next = sub_statement(s, st, AST_SUGGEST, gaps_slots);
    if (!gaps || !coverage || !horizontal || !next) return s->ctx.code;
    /* A report that may not be written is refused before the work; the
     * writer checks again. */
    const util_guard_t *g0 = qry_guard(s);
    tsg_error_t gerr = {0};
    if (!g0) return s->ctx.code;
    if (util_guard_check(g0, path, &gerr)) return gram_fail(&s->ctx, gerr.code, &to->v->tok, "%s", gerr.text);
    qry_gaps_args_t a;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    if ((rc = qry_gaps_args(s, gaps, 0, &a)) || (rc = qry_network(s, &net))) return rc;
    util_buf_t b = {0};
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    char *stmt = qry_statement_text(s, st);
    char *title = util_printf(_("Gaps in %s: %s aged %d–%d"), net->name[a.q.district],
                              qry_label(s, "target", a.q.target), a.q.age_from, a.q.age_to);
    char *made = util_printf(_("Made on %s by the statement:"), date);
    int fail = !stmt || !title || !made || util_buf_printf(&b, qry_report_head, s->ja ? "ja" : "en") ||
               eng_html_text(&b, title) || util_buf_adds(&b, qry_report_style) || util_buf_adds(&b, "<h1>") ||
               eng_html_text(&b, title) || util_buf_adds(&b, "</h1>\n<p class=\"made\">") || eng_html_text(&b, made) ||
               util_buf_adds(&b, " <code>") || eng_html_text(&b, stmt) || util_buf_adds(&b, "</code></p>\n");
    free(made);
    free(stmt);
    free(title);
    /* The tables: the statements' own results, captured as HTML. */
    const tsg_sink_t *saved = s->sink;
    tsg_sink_t capture = {qry_html_table, NULL, &b};
    s->sink = &capture;
    static const char *const heads[] = {N_("Gaps"), N_("Coverage"), N_("Horizontal links"),
                                        N_("Next steps: ties that would close gaps")};
    ast_stmt_t *subs[] = {gaps, coverage, horizontal, next};
    for (int i = 0; i < 4 && !fail && !rc; i++) {
        fail = util_buf_adds(&b, "<h2>") || eng_html_text(&b, _(heads[i])) || util_buf_adds(&b, "</h2>\n");
        /* Next steps are ties to make from today: a report of another day says so. */
        if (!fail && i == 3 && s->as_of)
            fail = util_buf_adds(&b, "<p>") ||
                   eng_html_text(&b, _("Next steps are planned on today's network; this report reads another day.")) ||
                   util_buf_adds(&b, "</p>\n");
        else if (!fail)
            rc = i < 2 ? qry_exec_gaps(s, subs[i]) : i == 2 ? qry_exec_structure(s, subs[i]) : qry_exec_suggest(s, subs[i]);
    }
    s->sink = saved;
    if (fail && !rc) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    /* The picture, drawn by dot and inlined. A picture that cannot be
     * drawn (no dot, too big for the time or memory allowed) leaves a note
     * in its place: the tables are the report, and a meeting needs them.
     * Any other failure (a full disk) fails the statement: a report without
     * its picture must not replace a whole one for that. */
    char *svg = NULL, *why = NULL;
    if (!rc) {
        int cannot_draw = 0;
        tsg_status_t prc = report_picture(s, st, net, &a, &svg, &cannot_draw);
        if (prc && cannot_draw && s->interrupted != 1) {
            why = s->interrupted == 2 ? util_printf(_("it took longer than the time limit of %.3g s"),
                                                    qry_render_seconds(s))
                                      : util_strdup(s->ctx.msg);
            s->ctx.failed = 0;
            s->ctx.code = TSG_OK;
            s->ctx.msg[0] = '\0';
            if (!why) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        } else {
            rc = prc;
        }
    }
    if (!rc) {
        /* Inline SVG starts at <svg: the XML prolog and doctype stay out. */
        const char *start = svg ? strstr(svg, "<svg") : NULL;
        char *note = why ? util_printf(_("The picture could not be drawn: %s. The tables above are complete; draw the "
                                         "network on its own with RENDER OF '%s' TO 'picture.svg', or allow longer "
                                         "with --timeout."),
                                       why, net->name[a.q.district])
                         : NULL;
        int f = (why && !note) || util_buf_adds(&b, "<section class=\"network\">\n<h2>") ||
                eng_html_text(&b, _("The network")) || util_buf_adds(&b, "</h2>\n");
        if (!f && note)
            f = util_buf_adds(&b, "<p class=\"no-picture\">") || eng_html_text(&b, note) || util_buf_adds(&b, "</p>\n");
        else if (!f)
            f = util_buf_adds(&b, "<p class=\"hint\">") ||
                eng_html_text(&b, _("The picture keeps its own size: scroll to move around it and zoom with the "
                                    "browser (Ctrl and +). Printed, it fills an A3 landscape page.")) ||
                util_buf_adds(&b, "</p>\n<div class=\"picture\">\n") || util_buf_adds(&b, start ? start : "") ||
                util_buf_adds(&b, "</div>\n");
        f = f || util_buf_adds(&b, "</section>\n</body>\n</html>\n");
        free(note);
        if (f) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    const util_guard_t *g = rc ? NULL : qry_guard(s);
    tsg_error_t err = {0};
    if (!rc && !g) rc = s->ctx.code;
    if (!rc && util_write_file(path, b.data, b.len, g, &err)) rc = gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    free(svg);
    util_buf_free(&b);
    if (!rc && why) rc = qry_emit_done(s, _("wrote %s without its picture: %s"), path, why);
    else if (!rc) rc = qry_emit_done(s, _("wrote %s"), path);
    free(why);
    return rc;
}

