/*
 * forums — FORUMS OVERLAP [IN 'district']: the inventory of forums (Mihara's
 * 既存会議体の棚卸し). Two tables: each pair of forums that share member
 * organisations, with how many and who (and what part of the smaller forum
 * they are), and each forum's members by sector — so a planner sees which
 * councils meet with the same people and could be merged.
 *
 * Members are the organisations with a membership tie to the forum. IN
 * 'district' keeps the forums based in the district or below it. The counts
 * are of organisations, not people, so --suppress-below leaves them exact
 * (as COUNT's). TO 'file' draws the same two tables as one picture
 * (engine/forumview.c): a .dot file is the DOT itself, .svg, .png and .pdf
 * are drawn by GraphViz.
 */
#include "ast.h"
#include "query.h"
#include "result.h"
#include "picture.h"
#include "util.h"
#include "i18n.h"
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The forums in scope (?1: the district, 0 for all) and their members. */
#define MEMBERS                                                                                              \
    "WITH f AS (SELECT nid, name FROM forum_at WHERE ?1 = 0 OR (district IS NOT NULL AND tsg_under(district, ?1))),"\
    " m AS (SELECT t.dst AS forum, t.src AS org FROM tie_at t JOIN f ON f.nid = t.dst"                             \
    "       JOIN organisation_at o ON o.nid = t.src WHERE t.kind = 'membership'),"                                  \
    " size AS (SELECT forum, count(*) AS n FROM m GROUP BY forum) "

/* Pairs: the names are concatenated in name order (the rows come sorted). */
static const char pairs_sql[] =
    MEMBERS
    "SELECT fa.name, fb.name, count(*), (SELECT n FROM size WHERE forum = x.fa),"
    " (SELECT n FROM size WHERE forum = x.fb), group_concat(x.org_name, ?2)"
    " FROM (SELECT a.forum AS fa, b.forum AS fb, o.name AS org_name FROM m a"
    "       JOIN m b ON b.org = a.org AND a.forum < b.forum JOIN organisation_at o ON o.nid = a.org"
    "       ORDER BY a.forum, b.forum, o.name) x"
    " JOIN f fa ON fa.nid = x.fa JOIN f fb ON fb.nid = x.fb"
    " GROUP BY x.fa, x.fb ORDER BY count(*) DESC, fa.name, fb.name";

static const char sectors_sql[] =
    MEMBERS
    "SELECT f.name, x.sector, count(*), (SELECT n FROM size WHERE forum = f.nid), group_concat(x.org_name, ?2)"
    " FROM (SELECT m.forum, o.sector, o.name AS org_name FROM m JOIN organisation_at o ON o.nid = m.org"
    "       ORDER BY m.forum, o.sector, o.name) x JOIN f ON f.nid = x.forum"
    " GROUP BY f.nid, x.sector ORDER BY f.name, f.nid, count(*) DESC, x.sector";

static sqlite3_stmt *prepare(qry_session_t *s, const ast_stmt_t *st, const char *sql, int64_t district)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &q, NULL) != SQLITE_OK) {
        qry_fail_sql(s, &st->kw);
        return NULL;
    }
    sqlite3_bind_int64(q, 1, district);
    sqlite3_bind_text(q, 2, s->ja ? "、" : ", ", -1, SQLITE_STATIC);
    return q;
}

static const char *text(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return t ? (const char *)t : "";
}

/* Ends a table's walk: the statement finalised, the table emitted with its
 * two number columns from `num` right-aligned, or the SQL error reported. */
static tsg_status_t finish(qry_session_t *s, const ast_stmt_t *st, sqlite3_stmt *q, tsg_result_t *r, int rc, int num)
{
    int bad = r && rc != SQLITE_DONE;
    sqlite3_finalize(q);
    if (bad) {
        tsg_result_free(r);
        return qry_fail_sql(s, &st->kw);
    }
    if (r) r->right[num] = r->right[num + 1] = 1;
    return qry_emit(s, r);
}

static tsg_status_t pairs(qry_session_t *s, const ast_stmt_t *st, int64_t district)
{
    sqlite3_stmt *q = prepare(s, st, pairs_sql, district);
    if (!q) return s->ctx.code;
    const char *cols[] = {NC_("column", "forum_a"), NC_("column", "forum_b"), NC_("column", "shared"),
                          NC_("column", "percent_of_smaller"), NC_("column", "shared_members")};
    tsg_result_t *r = qry_result_new(_("forums that share members"), 5, cols);
    int rc = SQLITE_DONE;
    while (r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        long shared = sqlite3_column_int64(q, 2), na = sqlite3_column_int64(q, 3), nb = sqlite3_column_int64(q, 4);
        long smaller = na < nb ? na : nb;
        char n[24], share[24];
        snprintf(n, sizeof n, "%ld", shared);
        /* What part of the smaller forum meets again in the other, in
         * percent (a number, so ORDER BY sorts it): 100 is a forum wholly
         * inside another. */
        snprintf(share, sizeof share, "%ld", smaller ? (shared * 100 + smaller / 2) / smaller : 0);
        const char *row[] = {text(q, 0), text(q, 1), n, share, text(q, 5)};
        r = qry_result_row(r, row);
    }
    return finish(s, st, q, r, rc, 2);
}

static tsg_status_t by_sector(qry_session_t *s, const ast_stmt_t *st, int64_t district)
{
    sqlite3_stmt *q = prepare(s, st, sectors_sql, district);
    if (!q) return s->ctx.code;
    const char *cols[] = {NC_("column", "forum"), NC_("column", "sector"), NC_("column", "sector_label"),
                          NC_("column", "members"), NC_("column", "of_forum"), NC_("column", "names")};
    tsg_result_t *r = qry_result_new(_("forum members by sector"), 6, cols);
    if (r && qry_result_keyed(r, 1, s->ja)) {
        tsg_result_free(r);
        r = NULL;
    }
    int rc = SQLITE_DONE;
    while (r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        char n[24], total[24];
        snprintf(n, sizeof n, "%lld", (long long)sqlite3_column_int64(q, 2));
        snprintf(total, sizeof total, "%lld", (long long)sqlite3_column_int64(q, 3));
        const char *row[] = {text(q, 0), text(q, 1), qry_label(s, "sector", text(q, 1)), n, total, text(q, 4)};
        r = qry_result_row(r, row);
    }
    return finish(s, st, q, r, rc, 3);
}

/* ---- the picture -------------------------------------------------------------------- */

static const char forums_sql[] =
    MEMBERS "SELECT f.nid, f.name, coalesce((SELECT n FROM size WHERE forum = f.nid), 0) FROM f ORDER BY f.nid";
static const char forum_sectors_sql[] =
    MEMBERS "SELECT m.forum, o.sector, count(*) FROM m JOIN organisation_at o ON o.nid = m.org GROUP BY m.forum, o.sector";
static const char forum_pairs_sql[] =
    MEMBERS "SELECT a.forum, b.forum, count(*) FROM m a JOIN m b ON b.org = a.org AND a.forum < b.forum"
            " GROUP BY a.forum, b.forum ORDER BY a.forum, b.forum";

typedef struct view {
    eng_forum_view_t v;
    int64_t *nid;
    char **name;
    long *members, *by_sector, *shared;
    size_t (*pair)[2];
    const char *keys[64], *labels[64];
} view_t;

static void view_free(view_t *w)
{
    for (size_t i = 0; w->name && i < w->v.n; i++) free(w->name[i]);
    free(w->nid), free(w->name), free(w->members), free(w->by_sector), free(w->shared), free(w->pair);
    free((char *)w->v.title);
}

/* A forum's place in w (the forums come in node order), or w->v.n. */
static size_t index_of(const view_t *w, int64_t nid)
{
    size_t lo = 0, hi = w->v.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->nid[mid] < nid) lo = mid + 1;
        else hi = mid;
    }
    return lo < w->v.n && w->nid[lo] == nid ? lo : w->v.n;
}

/* Reads the forums in scope, their members by sector and the pairs that
 * share members into w. */
static tsg_status_t view_read(qry_session_t *s, const ast_stmt_t *st, int64_t district, view_t *w)
{
    for (size_t i = 0; i < s->vocab.n && w->v.nsectors < 64; i++)
        if (!strcmp(s->vocab.e[i].kind, "sector")) {
            w->keys[w->v.nsectors] = s->vocab.e[i].key;
            w->labels[w->v.nsectors++] = qry_label(s, "sector", s->vocab.e[i].key);
        }
    w->v.sector_keys = w->keys;
    w->v.sector_labels = w->labels;
    size_t ns = (size_t)w->v.nsectors, cap = 16;
    sqlite3_stmt *q = prepare(s, st, forums_sql, district);
    if (!q) return s->ctx.code;
    int rc, oom = 0;
    w->nid = malloc(cap * sizeof *w->nid), w->name = malloc(cap * sizeof *w->name);
    w->members = malloc(cap * sizeof *w->members);
    while (!(oom |= !w->nid || !w->name || !w->members) && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (w->v.n == cap) {
            cap *= 2;
            int64_t *a = realloc(w->nid, cap * sizeof *a);
            if (a) w->nid = a;
            char **b = realloc(w->name, cap * sizeof *b);
            if (b) w->name = b;
            long *c = realloc(w->members, cap * sizeof *c);
            if (c) w->members = c;
            if ((oom = !a || !b || !c)) break;
        }
        w->nid[w->v.n] = sqlite3_column_int64(q, 0);
        w->members[w->v.n] = (long)sqlite3_column_int64(q, 2);
        if (!(w->name[w->v.n] = util_strdup(text(q, 1)))) oom = 1;
        else w->v.n++;
    }
    if (oom) rc = SQLITE_NOMEM;
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return oom ? gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory")) : qry_fail_sql(s, &st->kw);
    w->by_sector = calloc(w->v.n * ns + 1, sizeof *w->by_sector);
    if (!w->by_sector) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (!(q = prepare(s, st, forum_sectors_sql, district))) return s->ctx.code;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t i = index_of(w, sqlite3_column_int64(q, 0));
        for (size_t k = 0; i < w->v.n && k < ns; k++)
            if (!strcmp(w->keys[k], text(q, 1))) w->by_sector[i * ns + k] = (long)sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return qry_fail_sql(s, &st->kw);
    if (!(q = prepare(s, st, forum_pairs_sql, district))) return s->ctx.code;
    size_t room = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t a = index_of(w, sqlite3_column_int64(q, 0)), z = index_of(w, sqlite3_column_int64(q, 1));
        if (a == w->v.n || z == w->v.n) continue;
        if (w->v.npairs == room) {
            room = room ? 2 * room : 64;
            long *sh = realloc(w->shared, room * sizeof *sh);
            if (sh) w->shared = sh;
            size_t(*pr)[2] = realloc(w->pair, room * sizeof *pr);
            if (pr) w->pair = pr;
            if (!sh || !pr) {
                sqlite3_finalize(q);
                return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
            }
        }
        w->pair[w->v.npairs][0] = a;
        w->pair[w->v.npairs][1] = z;
        w->shared[w->v.npairs++] = (long)sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return qry_fail_sql(s, &st->kw);
    w->v.name = (const char *const *)w->name;
    w->v.members = w->members;
    w->v.by_sector = w->by_sector;
    w->v.pair = (const size_t(*)[2])w->pair;
    w->v.shared = w->shared;
    return TSG_OK;
}

/* FORUMS OVERLAP … TO 'file': the picture, or its DOT. */
static tsg_status_t picture(qry_session_t *s, const ast_stmt_t *st, int64_t district, const char *where)
{
    const ast_clause_t *to = st->cl[AST_CL_TO];
    const char *path = qry_text(s, to->v, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    const char *ext = strrchr(path, '.'), *fmt = NULL;
    static const char *const formats[] = {"svg", "png", "pdf", "dot", NULL};
    for (int i = 0; ext && formats[i]; i++)
        if (!strcasecmp(ext + 1, formats[i])) fmt = formats[i];
    if (!fmt) return qry_fail(s, &to->v->tok, _("FORUMS OVERLAP draws .svg, .png, .pdf or .dot, not '%s'"), path);
    view_t w = {0};
    tsg_status_t rc = view_read(s, st, district, &w);
    char date[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d", localtime_r(&now, &tm));
    if (!rc && !(w.v.title = util_printf(_("%s: forums that share members — %s"), where, date)))
        rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    util_buf_t b = {0};
    tsg_error_t err = {0};
    if (!rc && eng_forums_dot(&w.v, &b, &err)) rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    view_free(&w);
    if (rc) {
        util_buf_free(&b);
        return rc;
    }
    return qry_write_picture(s, st, to, path, strcmp(fmt, "dot") ? fmt : NULL, &b);
}

tsg_status_t qry_exec_forums(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    int64_t district = 0;
    const char *where = _("all districts");
    if (st->cl[AST_CL_IN]) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, st->cl[AST_CL_IN]->node, 1u << QRY_DISTRICT, &d))) return rc;
        district = d->nid;
        where = d->name;
    }
    if (st->cl[AST_CL_TO]) return picture(s, st, district, where);
    if ((rc = pairs(s, st, district))) return rc;
    return by_sector(s, st, district);
}
