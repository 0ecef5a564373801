/*
 * whatif — WHAT IF WITHOUT node, … [WITH TIE a -> b AS kind, …] statement:
 * a reading statement run twice, on the database and on a copy of it in
 * memory where the change is made by the same REMOVE and TIE a planner
 * would type, and the two answers compared row by row.
 *
 * Why a copy and not a masked network (docs/decisions.md, issue 22): the
 * answer after the change must equal what the statement returns once the
 * change is really made, and the only way to guarantee that for every
 * statement, now and after later changes to REMOVE or to any evaluator, is
 * to run the same code on the same rows. A copy of the sample city takes
 * about a millisecond; the statement's own cost dominates.
 */
#include "scenario.h"
#include "result.h"
#include "store.h"
#include "i18n.h"
#include "gen/tsunagi.h"

#include <stdlib.h>
#include <string.h>

void qry_held_free(held_t *h)
{
    for (size_t i = 0; i < h->n; i++) tsg_result_free(h->r[i]);
    free(h->r);
    h->r = NULL;
    h->n = 0;
}

/* The session holds the results of a statement with a tail (qry_emit), so
 * an empty tail holds them here. */
tsg_status_t qry_run_held(qry_session_t *s, const ast_stmt_t *st, held_t *h)
{
    static const ast_tail_t hold;
    const ast_tail_t *tail = s->tail;
    tsg_result_t **was = s->held;
    size_t nwas = s->nheld;
    s->tail = &hold;
    s->held = NULL;
    s->nheld = 0;
    tsg_status_t rc = qry_exec(s, st);
    h->r = s->held;
    h->n = s->nheld;
    s->tail = tail;
    s->held = was;
    s->nheld = nwas;
    return rc;
}

tsg_status_t qry_copy_error(qry_session_t *s, qry_session_t *c, tsg_status_t rc, const ast_stmt_t *st)
{
    if (c->interrupted == 2) s->interrupted = 2;
    if (!c->ctx.failed) return gram_fail(&s->ctx, rc, &st->kw, _("the statement failed"));
    if (s->ctx.failed) return s->ctx.code;
    s->ctx.failed = 1;
    s->ctx.code = c->ctx.code;
    s->ctx.at = c->ctx.at.z ? c->ctx.at : st->kw;
    memcpy(s->ctx.msg, c->ctx.msg, sizeof s->ctx.msg);
    return s->ctx.code;
}

tsg_status_t qry_copy_open(qry_session_t *s, const ast_stmt_t *st, tsg_db_t **db, qry_session_t **c)
{
    tsg_error_t e = {0};
    *c = NULL;
    tsg_status_t rc = store_copy(s->db, db, &e);
    if (!rc) rc = tsg_session_open(*db, c, &e);
    for (size_t i = 0; !rc && i < s->nparams; i++) rc = tsg_session_param(*c, s->params[i].name, s->params[i].value, &e);
    if (rc) {
        /* Both or neither: a caller that returns at once holds nothing. */
        tsg_session_close(*c);
        tsg_close(*db);
        *c = NULL;
        *db = NULL;
        return gram_fail(&s->ctx, rc, &st->kw, "%s", e.text);
    }
    (*c)->outer = s;
    qry_session_follow(*c, s);
    return TSG_OK;
}

void qry_session_follow(qry_session_t *c, const qry_session_t *s)
{
    c->lang = s->lang;
    c->ja = s->ja;
    c->deadline_ns = s->deadline_ns;
    c->no_files = s->no_files;
    c->suppress_below = s->suppress_below;
    c->dot_memory_mb = s->dot_memory_mb;
    /* The session's .asof too: WITH TIE under .asof compares that day on
     * both sides, not that day before and today after. */
    c->session_as_of = s->session_as_of;
    memcpy(c->session_as_of_text, s->session_as_of_text, sizeof c->session_as_of_text);
    c->ctx.src = s->ctx.src;
    c->ctx.len = s->ctx.len;
    c->stmt_z = s->stmt_z;
    c->stmt_end = s->stmt_end;
}

/* REMOVE kind 'id' on the copy: a node named by its id, which is unique. */
static tsg_status_t remove_in(qry_session_t *c, const ast_stmt_t *st, int type, const char *id, const gram_token_t *at)
{
    const char *word = qry_type_name[type];
    gram_token_t kind = {TK_IDENT, word, strlen(word), at->line, at->col, word};
    ast_value_t v = {0};
    v.kind = AST_V_STRING;
    v.tok = *at;
    v.text = id;
    ast_node_t n = {&kind, &v};
    ast_stmt_t rm = {0};
    rm.kind = AST_REMOVE;
    rm.kw = st->kw;
    rm.a = &n;
    return qry_exec_mutation(c, &rm);
}

/* A node found by name whatever the day, but not in the network of the
 * statement's day (ended, or begun later: AS OF), is named as such, as SHOW
 * and REACH name it, not taken away or tied as a node of that network. */
static tsg_status_t check_exists(qry_session_t *s, const eng_net_t *net, const ast_node_t *ref, const qry_name_t *node)
{
    if (node->nid > 0 && node->nid <= net->maxnid && net->type[node->nid]) return TSG_OK;
    char day[16];
    qry_day_text(s, day);
    if (node->type == QRY_PROGRAM) /* it may exist, and not run that day (store/netread.c) */
        return qry_fail(s, &ref->v->tok, _("'%s' does not run on %s (it has not started, has ended, or was removed)"),
                        node->name, day);
    return qry_fail(s, &ref->v->tok, _("'%s' did not exist on %s (it began later or was removed before)"), node->name,
                    day);
}

/* The change, made on the copy c: each node taken away (an organisation
 * with its programs first, as REMOVE asks), then each tie added. */
tsg_status_t qry_change_make(qry_session_t *s, qry_session_t *c, const ast_stmt_t *st)
{
    const eng_net_t *net;
    tsg_status_t rc = qry_network(s, &net);
    if (rc) return rc;
    size_t n = 0;
    for (const ast_nodes_t *w = st->change->without; w; w = w->next) n++;
    int64_t *gone = calloc(n ? n : 1, sizeof *gone);
    if (!gone) return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    size_t ngone = 0;
    for (const ast_nodes_t *w = st->change->without; !rc && w; w = w->next) {
        const qry_name_t *node;
        if ((rc = qry_node_ref(s, w->node, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM) | (1u << QRY_FORUM) |
                                               QRY_KIND_FIRST, &node)) ||
            (rc = check_exists(s, net, w->node, node)))
            break;
        int64_t nid = node->nid;
        int dup = 0;
        for (size_t i = 0; i < ngone; i++) dup |= gone[i] == nid || gone[i] == net->org_of[nid];
        if (dup) continue; /* named twice, or a program of an organisation already taken away */
        gone[ngone++] = nid;
    }
    /* A program named before its organisation is taken away with it. */
    for (size_t i = 0; !rc && i < ngone; i++) {
        int64_t nid = gone[i];
        if (net->type[nid] == ENG_PROGRAM) {
            int with_org = 0;
            for (size_t j = 0; j < ngone; j++) with_org |= gone[j] == net->org_of[nid];
            if (with_org) continue;
        }
        const gram_token_t *at = &st->kw;
        if (net->type[nid] == ENG_ORGANISATION)
            for (int32_t p = net->first_prog[nid]; !rc && p >= 0; p = net->next_prog[p])
                rc = remove_in(c, st, QRY_PROGRAM, net->id[net->programs[p].nid], at);
        int type = net->type[nid] == ENG_ORGANISATION ? QRY_ORGANISATION
                   : net->type[nid] == ENG_PROGRAM    ? QRY_PROGRAM
                                                      : QRY_FORUM;
        if (!rc) rc = remove_in(c, st, type, net->id[nid], at);
    }
    for (const ast_newtie_t *t = st->change->ties; !rc && t; t = t->next) {
        /* An end taken away is named as such, not as unknown. */
        const ast_node_t *ends[2] = {t->a, t->b};
        for (int e = 0; !rc && e < 2; e++) {
            const qry_name_t *node;
            if ((rc = qry_node_ref(s, ends[e], QRY_ANY | QRY_KIND_FIRST, &node)) ||
                (rc = check_exists(s, net, ends[e], node)))
                break;
            for (size_t i = 0; i < ngone; i++)
                if (gone[i] == node->nid || gone[i] == net->org_of[node->nid]) {
                    rc = qry_fail(s, &ends[e]->v->tok, _("'%s' is taken away by this WHAT IF, so no tie to it can be added"),
                                  node->name);
                    break;
                }
        }
        if (rc) break;
        ast_stmt_t tie = {0};
        tie.kind = AST_TIE;
        tie.kw = st->kw;
        tie.a = t->a;
        tie.b = t->b;
        tie.tiekind = (gram_token_t *)&t->kind;
        rc = qry_exec_mutation(c, &tie);
    }
    free(gone);
    if (rc && c->ctx.failed) rc = qry_copy_error(s, c, rc, st);
    return rc;
}

/* ---- comparing ----------------------------------------------------------------- */

typedef struct rowkey {
    char *key;
    size_t row;
    int used;
} rowkey_t;

static int key_cmp(const void *a, const void *b)
{
    const rowkey_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* A row's cells as one string, to compare rows whole. */
static char *row_key(const tsg_result_t *r, size_t i)
{
    util_buf_t b = {0};
    for (size_t c = 0; c < r->ncols; c++) {
        const char *cell = r->cells[i * r->ncols + c];
        util_buf_printf(&b, "%s%s", cell ? cell : "\x1e", "\x1f");
    }
    if (!b.data) util_buf_addc(&b, '\0');
    return b.data;
}

typedef struct counts {
    size_t added, gone, same;
} counts_t;

static const char *const mark_key[] = {"new", "gone", "same"};
static const char *const mark_label[] = {NC_("whatif", "new"), NC_("whatif", "gone"), NC_("whatif", "same")};

static tsg_result_t *add_marked(tsg_result_t *out, const tsg_result_t *r, size_t i, int mark)
{
    const char *cells[66];
    size_t n = r->ncols;
    for (size_t c = 0; c < n; c++) cells[c] = r->cells[i * n + c];
    cells[n] = mark_key[mark];
    cells[n + 1] = util_pgettext_ctx("whatif", mark_label[mark]);
    return qry_result_row(out, cells);
}

/* The table after the change, its rows marked new or same, then the rows of
 * the table before that it no longer has, marked gone. Either may be NULL
 * (the statement answered with a message instead). Rows are compared whole;
 * a row that appears twice is matched twice. */
static tsg_result_t *compare(qry_session_t *s, const tsg_result_t *before, const tsg_result_t *after, counts_t *k)
{
    const tsg_result_t *shape = after ? after : before;
    size_t n = shape->ncols;
    if (n + 2 > 66 || (before && after && before->ncols != after->ncols)) return NULL;
    const char *cols[66];
    for (size_t c = 0; c < n; c++) cols[c] = shape->cols[c];
    cols[n] = "whatif";
    cols[n + 1] = "whatif_label";
    tsg_result_t *out = qry_result_new(shape->title, n + 2, cols);
    for (size_t c = 0; out && c < n; c++) {
        out->right[c] = shape->right[c];
        if (qry_result_head(out, c, shape->heads ? shape->heads[c] : shape->cols[c])) {
            tsg_result_free(out);
            out = NULL;
        }
    }
    if (out && (qry_result_head(out, n, C_("column", "whatif")) || qry_result_keyed(out, n, s->ja))) {
        tsg_result_free(out);
        out = NULL;
    }
    size_t nb = before ? before->nrows : 0;
    rowkey_t *keys = calloc(nb ? nb : 1, sizeof *keys);
    int nomem = !keys || !out;
    for (size_t i = 0; !nomem && i < nb; i++) {
        keys[i].row = i;
        nomem = !(keys[i].key = row_key(before, i));
    }
    if (!nomem) qsort(keys, nb, sizeof *keys, key_cmp);
    for (size_t i = 0; !nomem && out && after && i < after->nrows; i++) {
        char *key = row_key(after, i);
        if (!key) {
            nomem = 1;
            break;
        }
        /* The first unmatched row before with the same cells. */
        size_t lo = 0, hi = nb;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(keys[mid].key, key) < 0) lo = mid + 1;
            else hi = mid;
        }
        while (lo < nb && !strcmp(keys[lo].key, key) && keys[lo].used) lo++;
        int same = lo < nb && !strcmp(keys[lo].key, key);
        if (same) keys[lo].used = 1;
        free(key);
        out = add_marked(out, after, i, same ? 2 : 0);
        if (same) k->same++;
        else k->added++;
    }
    /* Gone, in the order the table before had them. */
    char *used = nomem ? NULL : calloc(nb ? nb : 1, 1);
    for (size_t i = 0; used && i < nb; i++) used[keys[i].row] = (char)keys[i].used;
    for (size_t i = 0; used && out && i < nb; i++)
        if (!used[i]) {
            out = add_marked(out, before, i, 1);
            k->gone++;
        }
    if (!used) nomem = 1;
    free(used);
    for (size_t i = 0; keys && i < nb; i++) free(keys[i].key);
    free(keys);
    if (nomem) {
        tsg_result_free(out);
        return NULL;
    }
    return out;
}

/* ---- the summary ------------------------------------------------------------------ */

static int64_t find_root(int64_t *up, int64_t x)
{
    while (up[x] != x) x = up[x] = up[up[x]];
    return x;
}

/* How many separate groups the organisations form: joined by their ties,
 * a program's ties counting as its organisation's and a forum joining its
 * members. -1 when out of memory. */
static long pieces(const eng_net_t *net)
{
    int64_t *up = malloc(((size_t)net->maxnid + 1) * sizeof *up);
    if (!up) return -1;
    for (int64_t i = 0; i <= net->maxnid; i++) up[i] = i;
    for (size_t t = 0; t < net->nties; t++) {
        int64_t a = net->ties[t].src, b = net->ties[t].dst;
        if (net->org_of[a]) a = net->org_of[a];
        if (net->org_of[b]) b = net->org_of[b];
        up[find_root(up, a)] = find_root(up, b);
    }
    /* A group's root may be a forum: count the roots, once each. */
    unsigned char *seen = calloc((size_t)net->maxnid + 1, 1);
    long n = 0;
    for (int64_t i = 1; seen && i <= net->maxnid; i++)
        if (net->type[i] == ENG_ORGANISATION) {
            int64_t r = find_root(up, i);
            n += !seen[r];
            seen[r] = 1;
        }
    if (!seen) n = -1;
    free(seen);
    free(up);
    return n;
}

static tsg_status_t summary(qry_session_t *s, qry_session_t *c, const ast_stmt_t *inner, const counts_t *k)
{
    const eng_net_t *now, *then;
    tsg_status_t rc = qry_network(s, &now);
    if (!rc && (rc = qry_network(c, &then))) return qry_copy_error(s, c, rc, inner);
    if (rc) return rc;
    long p0 = pieces(now), p1 = pieces(then);
    if (p0 < 0 || p1 < 0) return gram_fail(&s->ctx, TSG_ENOMEM, &inner->kw, _("out of memory"));
    switch (inner->kind) {
    case AST_RENDER:
        return qry_emit_done(s, _("If this happened, unconnected groups of organisations: %ld (now %ld)."), p1,
                             p0);
    case AST_GAPS:
        return qry_emit_done(s,
                             _("If this happened, %zu gaps would open and %zu would close (%zu stay); "
                               "unconnected groups of organisations: %ld (now %ld)."),
                             k->added, k->gone, k->same, p1, p0);
    case AST_REACH:
        return qry_emit_done(s,
                             _("If this happened, %zu nodes would no longer be reached and %zu would be reached anew "
                               "(%zu stay); unconnected groups of organisations: %ld (now %ld)."),
                             k->gone, k->added, k->same, p1, p0);
    default:
        return qry_emit_done(s,
                             _("If this happened, %zu rows would be new and %zu gone (%zu stay); "
                               "unconnected groups of organisations: %ld (now %ld)."),
                             k->added, k->gone, k->same, p1, p0);
    }
}

/* ---- the statement ----------------------------------------------------------------- */

int qry_whatif_reads(ast_skind_t kind)
{
    static const ast_skind_t ok[] = {AST_GAPS,       AST_COVERAGE, AST_REACH,   AST_PATH,      AST_HORIZONTAL,
                                     AST_CENTRALITY, AST_BROKERS,  AST_THIN_LINKS, AST_RENDER};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == kind) return 1;
    return 0;
}

/* Whether two tables answer the same part of the statement: the same
 * title and columns (HORIZONTAL's tables are several, some of them only
 * when they have rows). */
static int same_table(const tsg_result_t *a, const tsg_result_t *b)
{
    if (a->kind != TSG_RESULT_TABLE || b->kind != TSG_RESULT_TABLE || a->ncols != b->ncols ||
        !a->title != !b->title || (a->title && strcmp(a->title, b->title)))
        return 0;
    for (size_t c = 0; c < a->ncols; c++)
        if (strcmp(a->cols[c], b->cols[c])) return 0;
    return 1;
}

/* Emits the answer after the change beside the one before: each table
 * after with the first table before of the same shape, messages after the
 * change passed on, tables before that have none after at the end. */
static tsg_status_t emit_compared(qry_session_t *s, held_t *before, held_t *after, counts_t *k)
{
    tsg_status_t rc = TSG_OK;
    char *paired = calloc(before->n ? before->n : 1, 1);
    if (!paired) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    for (size_t i = 0; !rc && i < after->n; i++) {
        tsg_result_t *a = after->r[i];
        if (a->kind != TSG_RESULT_TABLE) {
            after->r[i] = NULL;
            rc = qry_emit(s, a);
            continue;
        }
        const tsg_result_t *b = NULL;
        for (size_t j = 0; !b && j < before->n; j++)
            if (!paired[j] && same_table(before->r[j], a)) {
                paired[j] = 1;
                b = before->r[j];
            }
        rc = qry_emit(s, compare(s, b, a, k));
    }
    for (size_t j = 0; !rc && j < before->n; j++)
        if (!paired[j] && before->r[j]->kind == TSG_RESULT_TABLE) rc = qry_emit(s, compare(s, before->r[j], NULL, k));
    free(paired);
    return rc;
}

tsg_status_t qry_today_only(qry_session_t *s, const ast_stmt_t *st, const ast_stmt_t *inner, const char *what)
{
    const ast_clause_t *c = st->cl[AST_CL_ASOF] ? st->cl[AST_CL_ASOF] : inner ? inner->cl[AST_CL_ASOF] : NULL;
    if (c) return qry_fail(s, &c->key, _("%s works on today's network: it does not take AS OF"), what);
    if (s->as_of) return qry_fail(s, &st->kw, _("%s works on today's network: end the session's date first (.asof off)"), what);
    return TSG_OK;
}

/* The statement on the changed copy c, emitted beside today's answer
 * (before, already run on s) and summed up. */
static tsg_status_t compare_after(qry_session_t *s, qry_session_t *c, const ast_stmt_t *inner, held_t *before)
{
    held_t after = {0};
    counts_t k = {0};
    tsg_status_t rc = qry_run_held(c, inner, &after);
    if (rc) rc = qry_copy_error(s, c, rc, inner);
    if (!rc && inner->kind == AST_RENDER)
        for (size_t i = 0; !rc && i < after.n; i++) {
            rc = qry_emit(s, after.r[i]);
            after.r[i] = NULL;
        }
    else if (!rc)
        rc = emit_compared(s, before, &after, &k);
    if (!rc) rc = summary(s, c, inner, &k);
    qry_held_free(&after);
    return rc;
}

tsg_status_t qry_exec_whatif(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_stmt_t *inner = st->inner;
    if (!inner || !st->change) return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    if (!qry_whatif_reads(inner->kind))
        return qry_fail(s, &inner->kw,
                        _("WHAT IF runs GAPS, COVERAGE, REACH, PATH, HORIZONTAL, CENTRALITY, BROKERS, THIN LINKS or "
                          "RENDER, not %.*s"),
                        (int)inner->kw.n, inner->kw.z);
    /* A node taken away ends today in the copy (REMOVE), so another day's
     * network would still hold it: WITHOUT reads today only. A tie added
     * begins on the statement's day and reads on any. */
    tsg_status_t today = st->change->without ? qry_today_only(s, st, inner, "WHAT IF WITHOUT") : TSG_OK;
    if (today) return today;
    held_t before = {0};
    tsg_db_t *db = NULL;
    qry_session_t *c = NULL;
    /* Today's answer first: it sets the statement's day (its AS OF), on
     * which the change's names are looked up. */
    tsg_status_t rc = inner->kind != AST_RENDER ? qry_run_held(s, inner, &before) : TSG_OK;
    if (!rc) rc = qry_copy_open(s, st, &db, &c);
    if (!rc) rc = qry_change_make(s, c, st);
    if (!rc) rc = compare_after(s, c, inner, &before);
    qry_held_free(&before);
    tsg_session_close(c);
    tsg_close(db);
    return rc;
}

tsg_status_t qry_whatif_compare(qry_session_t *s, qry_session_t *c, const ast_stmt_t *inner)
{
    held_t before = {0};
    /* RENDER draws the network as it would be; there is no picture before
     * to compare a picture with. */
    tsg_status_t rc = inner->kind != AST_RENDER ? qry_run_held(s, inner, &before) : TSG_OK;
    if (!rc) rc = compare_after(s, c, inner, &before);
    qry_held_free(&before);
    return rc;
}
