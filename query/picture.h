/*
 * picture — what EXPORT, RENDER and REPORT share: the statement's own text
 * for a title, the guard on files they must not overwrite, and GraphViz
 * `dot` run as a child (render.c). REPORT's HTML is report.c's.
 *
 * Failures are recorded in the session's context (gram_fail) and returned
 * as a status; nothing here prints.
 */
#ifndef TSG_QUERY_PICTURE_H
#define TSG_QUERY_PICTURE_H

#include "query.h"

/* The statement as typed, up to its ';' (malloc'd; NULL when out of memory). */
char *qry_statement_text(const qry_session_t *s, const ast_stmt_t *st);
/* A session that writes no files (the fuzz targets) ends here. */
tsg_status_t qry_no_files(qry_session_t *s, const gram_token_t *at);
/* The files EXPORT, RENDER and REPORT must not write over; NULL (with the
 * error recorded) when out of memory. */
const util_guard_t *qry_guard(qry_session_t *s);

/* Writes a new scratch file (never one that is there already, never
 * through a link): 0, or -1 with errno. */
int qry_write_new(const char *path, const char *data, size_t len);
/* Runs `dot -T<fmt> -o<out> <in>` with its standard error in errpath,
 * within the statement's time limit and the session's memory limit.
 * *cannot_draw (may be NULL) is set when the picture cannot be drawn here
 * at all — no dot, past the time or memory limit — as opposed to a failure
 * to write (a full disk), which REPORT must not paper over. */
tsg_status_t qry_run_dot(qry_session_t *s, const ast_stmt_t *st, const char *fmt, const char *in, const char *out,
                         const char *errpath, int *cannot_draw);

/* The picture dot draws from the DOT in dot, as SVG text (*svg, malloc'd):
 * input, picture and messages live in a private folder removed after.
 * *cannot_draw as for qry_run_dot. */
tsg_status_t qry_dot_svg(qry_session_t *s, const ast_stmt_t *st, const util_buf_t *dot, char **svg, int *cannot_draw);

/* Writes b (freed here) to path, TO clause `to`: b itself (DOT, GraphML,
 * JSON) when fmt is NULL ("wrote …"), else the picture dot draws from the
 * DOT in b in fmt (svg, png, pdf: "drew …"), renamed into place only when
 * complete. */
tsg_status_t qry_write_picture(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *to, const char *path,
                               const char *fmt, util_buf_t *b);

/* How long dot may run: the statement's time limit (--timeout, .timeout)
 * when one is set, else a default of five minutes. */
double qry_render_seconds(const qry_session_t *s);

/* What REPORT GAPS and REPORT CHANGES share (report.c): a sink that writes
 * each result as an HTML table into the util_buf_t in ctx; the page's head
 * up to its <title> (a printf format taking the language) and, after the
 * title, its style (print CSS) up to <body>. */
tsg_status_t qry_html_table(void *ctx, const tsg_result_t *r, tsg_error_t *err);
extern const char qry_report_head[];
extern const char qry_report_style[];

/* REPORT GAPS … TO path (report.c). */
tsg_status_t qry_exec_report(qry_session_t *s, const ast_stmt_t *st, const char *path, const ast_clause_t *to);

#endif
