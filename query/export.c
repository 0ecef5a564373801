/*
 * export — EXPORT DOT|GRAPHML|JSON and RENDER: the network drawn for a
 * meeting. The drawing is the engine's (draw.c); here the clauses are read,
 * gaps to highlight are computed and the file is written; RENDER hands the
 * DOT to GraphViz through render.c, REPORT is report.c's.
 */
#include "ast.h"
#include "gen/tsunagi.h"
#include "draw.h"
#include "gaps.h"
#include "structure.h"
#include "query.h"
#include "store.h"
#include "util.h"
#include "atomic.h"
#include "bounds.h"
#include "choices.h"
#include "picture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* A clause whose value is one of `words`: its index, or -1 after an error
 * naming `what` (and the word meant, when one is near). */
static int word(qry_session_t *s, const ast_clause_t *c, const char *const *words, const char *what)
{
    const char *w;
    int near, k = qry_choice(s, c->v, words, &w, &near);
    if (k == -1 && near >= 0)
        qry_fail(s, &c->v->tok, _("%.*s takes %s, not '%s' (did you mean %s?)"), (int)c->key.n, c->key.z, what, w,
                 words[near]);
    else if (k == -1)
        qry_fail(s, &c->v->tok, _("%.*s takes %s, not '%s'"), (int)c->key.n, c->key.z, what, w);
    return k < 0 ? -1 : k;
}

/* The statement as typed, up to its ';', for the picture's title: read
 * by the tokenizer, so a ';' in any quote a Japanese keyboard types (「…」)
 * stays in the name and a full-width '；' ends it. */
char *qry_statement_text(const qry_session_t *s, const ast_stmt_t *st)
{
    gram_ctx_t g = {0};
    g.src = s->ctx.src;
    g.len = s->ctx.len;
    size_t pos = (size_t)(st->kw.z - s->ctx.src);
    int line = 1, col = 1;
    const char *end = st->kw.z + st->kw.n;
    for (;;) {
        gram_token_t t = gram_next_token(&g, &pos, &line, &col);
        if (t.type <= 0 || t.type == TK_SEMI) break;
        end = t.z + t.n;
    }
    return util_strndup(st->kw.z, (size_t)(end - st->kw.z));
}

/* A session that writes no files (the fuzz targets) ends here, its output
 * built and dropped. */
tsg_status_t qry_no_files(qry_session_t *s, const gram_token_t *at)
{
    return gram_fail(&s->ctx, TSG_EIO, at, _("this session writes no files"));
}

/* The files EXPORT, RENDER and REPORT must not write over; NULL (with the
 * error recorded) when out of memory. */
const util_guard_t *qry_guard(qry_session_t *s)
{
    const util_guard_t *g = store_guard(s->db);
    if (!g) gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    return g;
}

/* by nid: the members of the set a word names (made with LET). */
static tsg_status_t set_members(qry_session_t *s, const ast_value_t *v, unsigned char **only)
{
    sqlite3_stmt *st;
    const char *type;
    tsg_status_t rc = qry_set_check(s, v->text, &v->tok, &type);
    if (rc) return rc;
    if (!type)
        return qry_fail(s, &v->tok, _("no set named '%s' (make one with LET %s = FIND …; or quote a district: '%s')"),
                        v->text, v->text, v->text);
    *only = calloc((size_t)s->net->maxnid + 1, 1);
    if (!*only) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (sqlite3_prepare_v2(s->sql, "SELECT nid FROM temp.tsg_set WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
        free(*only);
        *only = NULL;
        return qry_fail_sql(s, &v->tok);
    }
    sqlite3_bind_text(st, 1, v->text, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid > 0 && nid <= s->net->maxnid) (*only)[nid] = 1;
    }
    /* Half a set would draw half the picture as if it were all. */
    tsg_status_t failed = step == SQLITE_DONE ? TSG_OK : qry_fail_sql(s, &v->tok);
    sqlite3_finalize(st);
    if (failed) {
        free(*only);
        *only = NULL;
    }
    return failed;
}

/* ---- structure in the picture ---------------------------------------------------------- */

/* CLUSTER BY community (given[nid], names), HIGHLIGHT BROKERS (mark[nid]:
 * the five organisations with the most brokerage) and HIGHLIGHT THIN LINKS
 * (a note naming the five thinnest pairs of sectors). */
static tsg_status_t structure_marks(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, int64_t district,
                                    const eng_graph_t *gr, int community, int highlight, int64_t **given, char **names,
                                    int *ngiven, long **mark, char **note)
{
    tsg_error_t err = {0};
    tsg_status_t rc;
    size_t nn = (size_t)net->maxnid + 1;
    if (community) {
        igraph_vector_int_t membership;
        igraph_integer_t ncom;
        if (eng_communities(gr, 0, &membership, &ncom, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        if (ncom > 256) ncom = 256;
        *given = calloc(nn, sizeof **given);
        if (!*given || eng_community_names(net, gr, &membership, ncom, names, &err)) {
            igraph_vector_int_destroy(&membership);
            return gram_fail(&s->ctx, *given ? err.code : TSG_ENOMEM, &st->kw, "%s", *given ? err.text : _("out of memory"));
        }
        *ngiven = (int)ncom;
        for (igraph_integer_t v = 0; v < gr->n; v++)
            if (VECTOR(membership)[v] < ncom) (*given)[gr->nid[v]] = VECTOR(membership)[v] + 1;
        igraph_vector_int_destroy(&membership);
    }
    if (highlight == 1) {
        long *roles;
        eng_graph_t arcs; /* brokerage reads referrals in their direction */
        if (eng_graph_build(net, district, 0, 1, NULL, 0, s->suppress_below, &arcs, &err))
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        rc = eng_brokerage(net, &arcs, &roles, &err);
        eng_graph_free(&arcs);
        if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        *mark = calloc(nn, sizeof **mark);
        if (!*mark) {
            free(roles);
            return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        }
        for (int pick = 0; pick < 5; pick++) {
            long best = 0;
            igraph_integer_t bv = -1;
            for (igraph_integer_t v = 0; v < gr->n; v++) {
                long total = 0;
                for (int k = 0; k < 5; k++) total += roles[v * 5 + k];
                if (total > best && !(*mark)[gr->nid[v]]) best = total, bv = v;
            }
            if (bv >= 0) (*mark)[gr->nid[bv]] = best;
        }
        free(roles);
    }
    if (highlight == 2) {
        int *group = malloc(((size_t)gr->n + 1) * sizeof *group);
        const char *sectors[64];
        int ng = 0;
        long size[64];
        for (igraph_integer_t v = 0; group && v < gr->n; v++) {
            const char *sec = net->sector[gr->nid[v]];
            int k = 0;
            while (sec && k < ng && strcmp(sectors[k], sec)) k++;
            if (sec && k == ng && ng < 64) sectors[ng++] = sec;
            group[v] = sec && k < ng ? k : -1;
        }
        eng_pair_t *pairs = NULL;
        size_t np = 0;
        util_buf_t b = {0};
        if (!group || eng_thin_pairs(gr, group, ng, size, &pairs, &np, &err) || util_buf_adds(&b, "thin links:"))
            err.code = err.code ? err.code : TSG_ENOMEM;
        for (size_t i = 0; !err.code && i < np && i < 5; i++)
            util_buf_printf(&b, "\n%s – %s: %ld ties (%.1f expected)", sectors[pairs[i].a], sectors[pairs[i].b],
                            pairs[i].ties, pairs[i].expected);
        free(group);
        free(pairs);
        if (err.code) {
            util_buf_free(&b);
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text[0] ? err.text : _("out of memory"));
        }
        *note = b.data;
    }
    return TSG_OK;
}

/* CLUSTER BY forum: frames cannot overlap, so each organisation is drawn in
 * its most specific forum (the one with the fewest members), with the forum
 * itself; organisations in no forum stand outside. */
static tsg_status_t forum_clusters(qry_session_t *s, const eng_net_t *net, int64_t **given, char **names, int *n)
{
    size_t nn = (size_t)net->maxnid + 1;
    long *members = calloc(nn, sizeof *members);
    *given = calloc(nn, sizeof **given);
    if (!members || !*given) {
        free(members);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    for (size_t t = 0; t < net->nties; t++)
        if (net->ties[t].kind == ENG_MEMBERSHIP) members[net->ties[t].dst]++;
    int64_t *best = calloc(nn, sizeof *best); /* by organisation: its forum */
    if (!best) {
        free(members);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    for (size_t t = 0; t < net->nties; t++) {
        const eng_tie_t *tie = &net->ties[t];
        if (tie->kind != ENG_MEMBERSHIP) continue;
        int64_t cur = best[tie->src];
        if (!cur || members[tie->dst] < members[cur] || (members[tie->dst] == members[cur] && tie->dst < cur))
            best[tie->src] = tie->dst;
    }
    *n = 0;
    for (int64_t f = 1; f <= net->maxnid && *n < 256; f++) {
        if (net->type[f] != ENG_FORUM) continue;
        int used = 0;
        for (int64_t o = 1; o <= net->maxnid && !used; o++) used = best[o] == f;
        if (!used) continue;
        if (!(names[*n] = util_strdup(net->name[f]))) break;
        (*n)++;
        (*given)[f] = *n;
        for (int64_t o = 1; o <= net->maxnid; o++)
            if (best[o] == f) (*given)[o] = *n;
    }
    free(best);
    free(members);
    return TSG_OK;
}

/* Everything a picture needs, and everything it owns (freed in one place). */
typedef struct drawing {
    eng_draw_t d;
    const char *keys[64], *labels[64];
    unsigned char *only;
    eng_gap_t *gaps;
    int64_t *given;
    char *given_names[256];
    int ngiven;
    long *mark;
    char *note, *title;
    int64_t *suggest;
    qry_gaps_args_t ga; /* HIGHLIGHT GAPS' question (the gap rows point into it) */
    int hops;           /* a neighbourhood's reach */
} drawing_t;

static void drawing_free(drawing_t *w)
{
    free(w->only);
    free(w->gaps);
    free(w->given);
    for (int k = 0; k < w->ngiven; k++) free(w->given_names[k]);
    free(w->mark);
    free(w->note);
    free(w->title);
    free(w->suggest);
}

/* HIGHLIGHT GAPS reads FOR, AGED, NEEDS and WITHIN as GAPS does (the same
 * slots, through the same function: the group's usual needs when NEEDS is
 * not given), over the district drawn. */
static tsg_status_t highlight_gaps(qry_session_t *s, const ast_stmt_t *st, drawing_t *w)
{
    tsg_status_t rc;
    if (!st->cl[AST_CL_FOR] || !st->cl[AST_CL_AGED] || !w->d.district)
        return qry_fail(s, &st->cl[AST_CL_HIGHLIGHT]->key, _("HIGHLIGHT GAPS needs OF 'district', FOR target and AGED a..b"));
    qry_gaps_args_t *a = &w->ga;
    if ((rc = qry_gaps_args(s, st, w->d.district, a))) return rc;
    tsg_error_t err = {0};
    if (eng_gaps(s->net, &a->q, &w->gaps, &w->d.ngaps, &err))
        return gram_fail(&s->ctx, err.code, &st->cl[AST_CL_HIGHLIGHT]->key, "%s", err.text);
    w->d.gaps = w->gaps;
    w->d.need_keys = a->q.needs;
    w->d.need_labels = a->need_labels;
    w->d.nneeds = a->q.nneeds;
    return TSG_OK;
}

/* OF an organisation, program or forum: its neighbourhood, everything
 * within WITHIN k ties of it (1 unless given), every kind of work tie either
 * way, a program standing with its organisation. */
static tsg_status_t neighbourhood(qry_session_t *s, const ast_stmt_t *st, int64_t start, drawing_t *w)
{
    const eng_net_t *net = s->net;
    long k = 1;
    tsg_status_t rc;
    if (st->cl[AST_CL_WITHIN]) {
        if ((rc = qry_number(s, st->cl[AST_CL_WITHIN]->v, &k))) return rc;
        if (k < 1 || k > UTIL_MAX_HOPS)
            return qry_fail(s, &st->cl[AST_CL_WITHIN]->v->tok, _("WITHIN takes 1 to %d hops"), UTIL_MAX_HOPS);
    }
    if (st->cl[AST_CL_HIGHLIGHT])
        return qry_fail(s, &st->cl[AST_CL_HIGHLIGHT]->key, _("a neighbourhood is drawn without HIGHLIGHT"));
    size_t nn = (size_t)net->maxnid + 1;
    int *dist = malloc(nn * sizeof *dist);
    if (!dist || !(w->only = calloc(nn, 1))) {
        free(dist);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
#define KEY(v) (net->type[v] == ENG_PROGRAM ? net->org_of[v] : (v))
    for (size_t v = 0; v < nn; v++) dist[v] = -1;
    dist[KEY(start)] = 0;
    for (int r = 0; r < k; r++)
        for (size_t t = 0; t < net->nties; t++) {
            /* Work ties only: through a forum's memberships two hops
             * reach half the city. A forum's own neighbourhood starts
             * from its members (its only ties). */
            if (net->ties[t].kind == ENG_MEMBERSHIP && net->ties[t].dst != start) continue;
            int64_t a = KEY(net->ties[t].src), z = KEY(net->ties[t].dst);
            if (dist[a] == r && dist[z] < 0) dist[z] = r + 1;
            if (dist[z] == r && dist[a] < 0) dist[a] = r + 1;
        }
    for (size_t v = 1; v < nn; v++)
        if (net->type[v] != ENG_DISTRICT && net->type[v] != ENG_PROGRAM && dist[KEY((int64_t)v)] >= 0) w->only[v] = 1;
#undef KEY
    free(dist);
    w->d.only = w->only;
    w->d.centre = net->type[start] == ENG_PROGRAM ? net->org_of[start] : start;
    w->hops = (int)k;
    return TSG_OK;
}

/* Reads EXPORT's and RENDER's drawing clauses into w (which the caller
 * frees with drawing_free whether this succeeds or not). */
static tsg_status_t drawing_setup(qry_session_t *s, const ast_stmt_t *st, drawing_t *w)
{
    memset(w, 0, sizeof *w);
    eng_draw_t *d = &w->d;
    d->suppress_below = s->suppress_below;
    tsg_status_t rc;
    /* The network of the statement's day (AS OF, .asof or today), through
     * the session's cache like every other reader. */
    const eng_net_t *net;
    if ((rc = qry_network(s, &net))) return rc;
    ast_clause_t *const *c = st->cl;
    const ast_node_t *of = c[AST_CL_OF] ? c[AST_CL_OF]->node : NULL;
    if (of && !of->type && of->v->kind == AST_V_WORD) {
        /* OF a set made with LET: draw its members. */
        if ((rc = set_members(s, of->v, &w->only))) return rc;
        d->only = w->only;
    } else if (of) {
        const qry_name_t *n;
        if ((rc = qry_node_ref(s, of, QRY_ANY, &n))) return rc;
        if (net->type[n->nid] == ENG_DISTRICT) d->district = n->nid;
        else if ((rc = neighbourhood(s, st, n->nid, w))) return rc;
    }
    if (st->kind == AST_RENDER && st->what.n) {
        if (!d->centre)
            return qry_fail(s, &st->what, _("RENDER NEIGHBOURHOOD needs OF an organisation, program or forum"));
    }
    /* The words are query/choices.c's, the ones Tab offers; their order is
     * what the indexes below mean. */
    int cluster = -1, highlight = -1;
    if (c[AST_CL_CLUSTER] && (cluster = word(s, c[AST_CL_CLUSTER], qry_cluster_words, _("sector, ward, community or forum"))) < 0)
        return s->ctx.code;
    if (cluster >= 0) d->cluster = cluster == 0 ? ENG_CLUSTER_SECTOR : cluster == 1 ? ENG_CLUSTER_WARD : ENG_CLUSTER_GIVEN;
    if (c[AST_CL_LABELS]) {
        int k = word(s, c[AST_CL_LABELS], qry_label_words, _("ja or en"));
        if (k < 0) return s->ctx.code;
        d->english = k == 1;
    }
    if (c[AST_CL_HIGHLIGHT] && (highlight = word(s, c[AST_CL_HIGHLIGHT], qry_highlight_words, _("GAPS, BROKERS, THIN LINKS or SUGGESTIONS"))) < 0)
        return s->ctx.code;
    /* HIGHLIGHT SUGGESTIONS takes GAPS' clauses too (SUGGEST TIES FOR …). */
    if (highlight != 0 && highlight != 3 && (c[AST_CL_FOR] || c[AST_CL_AGED] || c[AST_CL_NEEDS] || (c[AST_CL_WITHIN] && !d->centre))) {
        const ast_clause_t *x = c[AST_CL_FOR] ? c[AST_CL_FOR] : c[AST_CL_AGED] ? c[AST_CL_AGED] : c[AST_CL_NEEDS] ? c[AST_CL_NEEDS] : c[AST_CL_WITHIN];
        return qry_fail(s, &x->key, _("%.*s belongs to HIGHLIGHT GAPS"), (int)x->key.n, x->key.z);
    }
    /* Which picture: the city at a glance is the default for a district
     * above the wards (or none), the network itself for a ward or a set. */
    static const char *const view_words[] = {"detail", "city", "matrix", NULL};
    static const char *const without_words[] = {"forums", "memberships", NULL};
    static const char *const with_words[] = {"programs", NULL};
    int whole = !d->only && (!d->district || net->level[d->district] < ENG_WARD);
    /* EXPORT writes the network as data (for GraphViz, Gephi, web tools)
     * unless asked AS city; RENDER draws what a meeting reads. */
    d->view = whole && st->kind == AST_RENDER ? ENG_VIEW_CITY : ENG_VIEW_DETAIL;
    if (c[AST_CL_VIEW]) {
        int k = word(s, c[AST_CL_VIEW], view_words, _("detail, city or matrix"));
        if (k < 0) return s->ctx.code;
        d->view = k == 0 ? ENG_VIEW_DETAIL : k == 1 ? ENG_VIEW_CITY : ENG_VIEW_MATRIX;
        if (d->view == ENG_VIEW_CITY && d->only)
            return qry_fail(s, &c[AST_CL_VIEW]->v->tok, _("AS city draws a district's wards, not a set; draw a set AS detail"));
    }
    for (const ast_value_t *v = c[AST_CL_WITHOUT] ? c[AST_CL_WITHOUT]->v : NULL; v; v = v->next) {
        const char *x;
        int near, k = qry_choice(s, v, without_words, &x, &near);
        if (k == -2) return s->ctx.code;
        if (k < 0) return qry_fail(s, &v->tok, _("WITHOUT takes forums (or memberships), not '%s'"), x);
        d->no_forums = 1;
    }
    for (const ast_value_t *v = c[AST_CL_WITH] ? c[AST_CL_WITH]->v : NULL; v; v = v->next) {
        const char *x;
        int near, k = qry_choice(s, v, with_words, &x, &near);
        if (k == -2) return s->ctx.code;
        if (k < 0) return qry_fail(s, &v->tok, _("WITH takes programs, not '%s'"), x);
        d->programs = 1;
    }
    if (d->view != ENG_VIEW_DETAIL && (c[AST_CL_WITH] || c[AST_CL_WITHOUT] || (cluster >= 0 && cluster != 1) ||
                                       highlight == 1 || highlight == 3)) {
        const ast_clause_t *x = c[AST_CL_WITH] ? c[AST_CL_WITH] : c[AST_CL_WITHOUT] ? c[AST_CL_WITHOUT]
                                : highlight == 1 || highlight == 3 ? c[AST_CL_HIGHLIGHT] : c[AST_CL_CLUSTER];
        return qry_fail(s, &x->key, _("%.*s draws the organisations themselves: add AS detail"), (int)x->key.n, x->key.z);
    }
    /* The legend's sectors, in the vocabulary's order, named in the output
     * language. */
    for (size_t i = 0; i < s->vocab.n && d->nsectors < 64; i++)
        if (!strcmp(s->vocab.e[i].kind, "sector")) {
            w->keys[d->nsectors] = s->vocab.e[i].key;
            w->labels[d->nsectors++] = qry_label(s, "sector", s->vocab.e[i].key);
        }
    d->sector_keys = w->keys;
    d->sector_labels = w->labels;
    /* Forums, communities, brokers and thin links. */
    if (cluster == 3 && (rc = forum_clusters(s, net, &w->given, w->given_names, &w->ngiven))) return rc;
    if (cluster == 2 || highlight == 1 || highlight == 2) {
        eng_graph_t gr;
        tsg_error_t err = {0};
        if (eng_graph_build(net, d->district, 0, 0, NULL, 0, s->suppress_below, &gr, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        rc = structure_marks(s, st, net, d->district, &gr, cluster == 2, highlight, &w->given, w->given_names,
                             &w->ngiven, &w->mark, &w->note);
        eng_graph_free(&gr);
        if (rc) return rc;
    }
    d->given = w->given;
    d->given_labels = (const char *const *)w->given_names;
    d->mark = w->mark;
    d->mark_label = _("brokerage");
    d->note = w->note;
    if (highlight == 0 && (rc = highlight_gaps(s, st, w))) return rc;
    /* The top suggestions SUGGEST TIES would make for the district drawn. */
    if (highlight == 3) {
        if (!d->district)
            return qry_fail(s, &c[AST_CL_HIGHLIGHT]->key, _("HIGHLIGHT SUGGESTIONS needs OF 'district'"));
        if ((rc = qry_suggest_pairs(s, st, d->district, 5, &w->suggest, &d->nsuggest))) return rc;
        d->suggest = w->suggest;
    }
    /* The title: where, what and when; not the statement, whose file name
     * (a path on someone's disk) means nothing on the wall of a meeting. */
    char date[16];
    qry_day_text(s, date);
    const char *where = d->district ? net->name[d->district] : d->only ? of->v->text : _("all districts");
    if (d->centre) w->title = util_printf(_("%s and who it works with, within %d ties — %s"), net->name[d->centre],
                                          w->hops, date);
    else if (d->view == ENG_VIEW_CITY) w->title = util_printf(_("%s at a glance: the wards and the ties between them — %s"), where, date);
    else if (d->view == ENG_VIEW_MATRIX) w->title = util_printf(_("%s: ties between sectors — %s"), where, date);
    else if (d->ngaps || highlight == 0)
        w->title = util_printf(_("%s: gaps for %s aged %d–%d — %s"), where,
                               w->ga.q.target_label ? w->ga.q.target_label : w->ga.q.target, w->ga.q.age_from,
                               w->ga.q.age_to, date);
    else w->title = util_printf(_("%s — %s"), where, date);
    d->title = w->title;
    return TSG_OK;
}

tsg_status_t qry_exec_export(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    /* EXPORT DIRECTORY: the resource list, not a drawing (directory.c). */
    if (st->kind == AST_EXPORT && st->v && st->v->kind == AST_V_WORD && !strcmp(st->v->fold, "directory"))
        return qry_exec_directory(s, st);
    if (!c[AST_CL_TO] && st->kind == AST_REPORT) return qry_fail(s, &st->kw, _("REPORT needs TO 'report.html'"));
    if (!c[AST_CL_TO]) return qry_fail(s, &st->kw, _("%.*s needs TO 'file'"), (int)st->kw.n, st->kw.z);
    if (st->kind == AST_REPORT) {
        const char *path = qry_text(s, c[AST_CL_TO]->v, NC_("expected value", "a file name"));
        tsg_status_t rc = path ? qry_load(s) : s->ctx.code;
        return rc ? rc : qry_exec_report(s, st, path, c[AST_CL_TO]);
    }
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    /* What to write, and where. */
    int render = st->kind == AST_RENDER, fmt = 0; /* 0 dot, 1 graphml, 2 json */
    const char *path = qry_text(s, c[AST_CL_TO]->v, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    const char *ext = strrchr(path, '.');
    const char *render_fmt = NULL;
    if (render) {
        for (int i = 0; ext && qry_render_formats[i]; i++)
            if (!strcasecmp(ext + 1, qry_render_formats[i])) render_fmt = qry_render_formats[i];
        if (!render_fmt) return qry_fail(s, &c[AST_CL_TO]->v->tok, _("RENDER writes .svg, .png or .pdf, not '%s'"), path);
    } else {
        const char *f;
        int near;
        if ((fmt = qry_choice(s, st->v, qry_export_formats, &f, &near)) == -2) return s->ctx.code;
        if (fmt < 0)
            return strchr("sSpP", st->what.z[0])
                       ? qry_fail(s, &st->what,
                                  _("EXPORT writes DOT, GRAPHML, JSON or DIRECTORY, not '%.*s' (for a picture: RENDER … TO "
                                    "'file.svg|png|pdf')"),
                                  (int)st->what.n, st->what.z)
                       : qry_fail(s, &st->what, _("EXPORT writes DOT, GRAPHML, JSON or DIRECTORY, not '%.*s'"), (int)st->what.n,
                                  st->what.z);
    }
    if (fmt != 0 && (c[AST_CL_VIEW] || c[AST_CL_WITH]))
        return qry_fail(s, &(c[AST_CL_VIEW] ? c[AST_CL_VIEW] : c[AST_CL_WITH])->key,
                        _("%.*s shapes a picture; GRAPHML and JSON write the network itself"),
                        (int)(c[AST_CL_VIEW] ? c[AST_CL_VIEW] : c[AST_CL_WITH])->key.n,
                        (c[AST_CL_VIEW] ? c[AST_CL_VIEW] : c[AST_CL_WITH])->key.z);
    drawing_t dw;
    rc = drawing_setup(s, st, &dw);
    const eng_net_t *net = s->net;
    util_buf_t b = {0};
    tsg_error_t err = {0};
    tsg_status_t w = rc                             ? rc
                     : !dw.d.title                  ? util_fail(&err, TSG_ENOMEM, _("out of memory"))
                     : fmt == 1                     ? eng_graphml(net, &dw.d, &b, &err)
                     : fmt == 2                     ? eng_json(net, &dw.d, &b, &err)
                                                    : eng_dot(net, &dw.d, &b, &err);
    drawing_free(&dw);
    if (rc) {
        util_buf_free(&b);
        return rc;
    }
    if (w) {
        util_buf_free(&b);
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    return qry_write_picture(s, st, c[AST_CL_TO], path, render ? render_fmt : NULL, &b);
}

/* Writes b (which it frees) to path: as it is when fmt is NULL, else
 * drawn by dot in that format. dot writes the picture into the
 * private folder beside the target; only a complete picture is renamed
 * into place. */
tsg_status_t qry_write_picture(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *to, const char *path,
                               const char *fmt, util_buf_t *b)
{
    tsg_error_t err = {0};
    tsg_status_t rc = TSG_OK;
    if (s->no_files) {
        util_buf_free(b);
        return qry_no_files(s, &st->kw);
    }
    const util_guard_t *g = qry_guard(s);
    if (!g) {
        util_buf_free(b);
        return s->ctx.code;
    }
    if (!fmt) {
        rc = util_write_file(path, b->data ? b->data : "", b->len, g, &err)
                 ? gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text)
                 : TSG_OK;
        util_buf_free(b);
        return rc ? rc : qry_emit_done(s, _("wrote %s"), path);
    }
    util_atomic_t a;
    if (util_atomic_begin(&a, path, g, &err)) {
        util_buf_free(b);
        return gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    }
    close(a.fd);
    a.fd = -1;
    char *dotpath = util_atomic_scratch(&a, "in.dot"), *errpath = util_atomic_scratch(&a, "dot.err");
    if (!dotpath || !errpath) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    else if (qry_write_new(dotpath, b->data ? b->data : "", b->len) != 0)
        rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("cannot write a temporary file: %s"), strerror(errno));
    util_buf_free(b);
    if (!rc) rc = qry_run_dot(s, st, fmt, dotpath, a.tmp, errpath, NULL);
    free(dotpath);
    free(errpath);
    if (!rc && util_atomic_commit(&a, &err)) rc = gram_fail(&s->ctx, err.code, &to->v->tok, "%s", err.text);
    util_atomic_abort(&a);
    return rc ? rc : qry_emit_done(s, _("drew %s"), path);
}
