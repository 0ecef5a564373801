/*
 * changes_draw — RENDER CHANGES and REPORT CHANGES: the picture of what
 * COMPARE found (engine/compare_draw.c: one drawing of both sides, so the
 * layout is the same for then and now) drawn by dot as RENDER draws
 * (render.c), and the council's page: COMPARE's tables and that picture
 * in one HTML file with print CSS, as REPORT GAPS writes it (report.c).
 */
#include "changes.h"
#include "draw.h"
#include "picture.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The change as DOT, titled and with its legend in the output language. */
static tsg_status_t change_dot(qry_session_t *s, const ast_stmt_t *st, const qry_changes_t *c, util_buf_t *dot,
                               char **title)
{
    *title = c->district_name ? util_printf(_("Changes in %s from %s to %s"), c->district_name, c->label_a, c->label_b)
                              : util_printf(_("Changes in the whole network from %s to %s"), c->label_a, c->label_b);
    if (!*title) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    eng_change_look_t look = {*title, _("legend"),
                              {_("tie gained"), _("tie lost"), _("tie kept"), _("joined the network"),
                               _("left the network")}};
    tsg_error_t err = {0};
    if (eng_changes_dot(c->a, c->district_a, c->b, c->district_b, c->ties, c->nties, &look, dot, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    return TSG_OK;
}

tsg_status_t qry_exec_render_changes(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *to = st->cl[AST_CL_TO];
    const char *path = qry_text(s, to->v, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    const char *ext = strrchr(path, '.'), *fmt = NULL;
    static const char *const formats[] = {"svg", "png", "pdf", NULL};
    for (int i = 0; ext && formats[i]; i++)
        if (!strcasecmp(ext + 1, formats[i])) fmt = formats[i];
    if (!fmt) return qry_fail(s, &to->v->tok, _("RENDER writes .svg, .png or .pdf, not '%s'"), path);
    qry_changes_t c;
    util_buf_t dot = {0};
    char *title = NULL;
    tsg_status_t rc = qry_changes_compute(s, st, &c);
    if (!rc) rc = change_dot(s, st, &c, &dot, &title);
    qry_changes_free(&c);
    free(title);
    if (rc) {
        util_buf_free(&dot);
        return rc;
    }
    return qry_write_picture(s, st, to, path, fmt, &dot);
}

/* The page: the title, when and by what it was made, COMPARE's tables as
 * HTML, and the picture (or why it could not be drawn). */
static tsg_status_t report_page(qry_session_t *s, const ast_stmt_t *st, const qry_changes_t *c, util_buf_t *b,
                                char **why)
{
    util_buf_t dot = {0};
    char *title = NULL, *svg = NULL;
    tsg_status_t rc = change_dot(s, st, c, &dot, &title);
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    char *stmt = rc ? NULL : qry_statement_text(s, st), *made = rc ? NULL : util_printf(_("Made on %s by the statement:"), date);
    if (!rc && (!stmt || !made || util_buf_printf(b, qry_report_head, s->ja ? "ja" : "en") || eng_html_text(b, title) ||
                util_buf_adds(b, qry_report_style) || util_buf_adds(b, "<h1>") || eng_html_text(b, title) ||
                util_buf_adds(b, "</h1>\n<p class=\"made\">") || eng_html_text(b, made) || util_buf_adds(b, " <code>") ||
                eng_html_text(b, stmt) || util_buf_adds(b, "</code></p>\n<h2>") || eng_html_text(b, _("What changed")) ||
                util_buf_adds(b, "</h2>\n")))
        rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    free(stmt);
    free(made);
    if (!rc) {
        const tsg_sink_t *saved = s->sink;
        tsg_sink_t capture = {qry_html_table, NULL, b};
        s->sink = &capture;
        rc = qry_changes_emit(s, c);
        s->sink = saved;
    }
    /* A picture that cannot be drawn here (no dot, past the time or memory
     * allowed) leaves a note: the tables are the report. */
    if (!rc) {
        int cannot_draw = 0;
        tsg_status_t prc = qry_dot_svg(s, st, &dot, &svg, &cannot_draw);
        if (prc && cannot_draw && s->interrupted != 1) {
            *why = util_strdup(s->ctx.msg);
            s->ctx.failed = 0;
            s->ctx.code = TSG_OK;
            s->ctx.msg[0] = '\0';
            if (!*why) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        } else {
            rc = prc;
        }
    }
    if (!rc) {
        const char *start = svg ? strstr(svg, "<svg") : NULL;
        char *note = *why ? util_printf(_("The picture could not be drawn: %s."), *why) : NULL;
        int f = (*why && !note) || util_buf_adds(b, "<section class=\"network\">\n<h2>") ||
                eng_html_text(b, _("The network, then and now")) || util_buf_adds(b, "</h2>\n");
        if (!f && note)
            f = util_buf_adds(b, "<p class=\"no-picture\">") || eng_html_text(b, note) || util_buf_adds(b, "</p>\n");
        else if (!f)
            f = util_buf_adds(b, "<div class=\"picture\">\n") || util_buf_adds(b, start ? start : "") ||
                util_buf_adds(b, "</div>\n");
        f = f || util_buf_adds(b, "</section>\n</body>\n</html>\n");
        free(note);
        if (f) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    free(svg);
    free(title);
    util_buf_free(&dot);
    return rc;
}

tsg_status_t qry_exec_report_changes(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *to = st->cl[AST_CL_TO];
    const char *path = qry_text(s, to->v, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    /* A report that may not be written is refused before the work. */
    const util_guard_t *g = qry_guard(s);
    tsg_error_t err = {0};
    if (!g) return s->ctx.code;
    if (util_guard_check(g, path, &err)) return gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    qry_changes_t c;
    util_buf_t b = {0};
    char *why = NULL;
    tsg_status_t rc = qry_changes_compute(s, st, &c);
    if (!rc) rc = report_page(s, st, &c, &b, &why);
    qry_changes_free(&c);
    if (!rc && !(g = qry_guard(s))) rc = s->ctx.code;
    if (!rc && util_write_file(path, b.data, b.len, g, &err)) rc = gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    util_buf_free(&b);
    if (!rc && why) rc = qry_emit_done(s, _("wrote %s without its picture: %s"), path, why);
    else if (!rc) rc = qry_emit_done(s, _("wrote %s"), path);
    free(why);
    return rc;
}
