/*
 * eval_gaps — GAPS and COVERAGE: reads the statement's clauses, resolves
 * names and keys, hands plain parameters to the engine (engine/gaps.c) and
 * turns its rows into result sets.
 */
#include "choices.h"
#include "gaps.h"
#include "query.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* The vocabulary's copy of key of kind, or NULL. */
static const char *vocab_key(const qry_session_t *s, const char *kind, const char *key)
{
    for (size_t i = 0; key && i < s->vocab.n; i++)
        if (!strcmp(s->vocab.e[i].kind, kind) && !strcmp(s->vocab.e[i].key, key)) return s->vocab.e[i].key;
    return NULL;
}

/* default_need, every group's, read once while the data stay as they are
 * (usual_made is cleared with the session's other caches when they change,
 * names.c): a GAPS without NEEDS read it every statement, a prepared query
 * and a read transaction that were a sixth of the statement. Keys outside
 * the vocabulary are left out, as before (a group asked is always in it). */
static tsg_status_t usual_needs(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_check_version(s);
    if (rc || s->usual_made) return rc;
    sqlite3_stmt *dn;
    if (sqlite3_prepare_v2(s->sql, "SELECT target, need FROM default_need ORDER BY target, pos", -1, &dn, NULL) !=
        SQLITE_OK)
        return qry_fail_sql(s, &st->kw);
    struct qry_usual *v = NULL;
    size_t n = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(dn)) == SQLITE_ROW) {
        const char *target = vocab_key(s, "target", (const char *)sqlite3_column_text(dn, 0));
        const char *need = vocab_key(s, "need", (const char *)sqlite3_column_text(dn, 1));
        if (!target || !need) continue;
        if (n == cap) {
            struct qry_usual *grown = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *grown);
            if (!grown) {
                free(v);
                sqlite3_finalize(dn);
                return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
            }
            v = grown;
        }
        v[n++] = (struct qry_usual){target, need};
    }
    /* A read that fails half-way must not check half the needs. */
    rc = step == SQLITE_DONE ? TSG_OK : qry_fail_sql(s, &st->kw);
    sqlite3_finalize(dn);
    if (rc) {
        free(v);
        return rc;
    }
    free(s->usual);
    s->usual = v;
    s->nusual = n;
    s->usual_made = 1;
    return TSG_OK;
}

tsg_status_t qry_gaps_args(qry_session_t *s, const ast_stmt_t *st, int64_t district, qry_gaps_args_t *a)
{
    ast_clause_t *const *c = st->cl;
    tsg_status_t rc;
    if ((rc = qry_need_clause(s, st, c[AST_CL_FOR], "FOR target")) ||
        (rc = qry_need_clause(s, st, c[AST_CL_AGED], "AGED a..b")) ||
        (!district && (rc = qry_need_clause(s, st, c[AST_CL_IN], "IN 'district'"))))
        return rc;
    memset(a, 0, sizeof *a);
    if ((rc = qry_key(s, c[AST_CL_FOR]->v, "target", &a->q.target))) return rc;
    int hl, hh;
    long lo, hi;
    if ((rc = qry_range(s, c[AST_CL_AGED]->v, &hl, &lo, &hh, &hi))) return rc;
    if (!hl || !hh) return qry_fail(s, &c[AST_CL_AGED]->v->tok, _("GAPS needs a closed age range, like 18..39"));
    a->q.age_from = (int)lo;
    a->q.age_to = (int)hi;
    if (!district) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, c[AST_CL_IN]->node, 1u << QRY_DISTRICT, &d))) return rc;
        district = d->nid;
    }
    a->q.district = district;
    a->q.hops = 3;
    if (c[AST_CL_WITHIN]) {
        long k;
        if ((rc = qry_number(s, c[AST_CL_WITHIN]->v, &k))) return rc;
        /* Checked here, before the cast to int can wrap. */
        if (k < 0 || k > UTIL_MAX_HOPS)
            return qry_fail(s, &c[AST_CL_WITHIN]->v->tok, _("WITHIN takes 0 to %d hops"), UTIL_MAX_HOPS);
        a->q.hops = (int)k;
    }
    if (c[AST_CL_BY]) {
        const char *by;
        int near, k = qry_choice(s, c[AST_CL_BY]->v, qry_by_level_words, &by, &near);
        if (k == -2) return s->ctx.code;
        if (k < 0) return qry_fail(s, &c[AST_CL_BY]->v->tok, _("BY takes school_district or ward, not '%s'"), by);
        a->q.by_ward = k == 1;
    }
    /* The statement's day (session.c: its AS OF, or .asof): only programs
     * running that day count. Without either, every program counts. */
    a->q.as_of = s->as_of;
    if (c[AST_CL_NEEDS]) {
        for (const ast_value_t *v = c[AST_CL_NEEDS]->v; v; v = v->next) {
            if (a->q.nneeds == 64) return qry_fail(s, &v->tok, _("at most 64 needs"));
            const char *key;
            if ((rc = qry_key(s, v, "need", &key))) return rc;
            for (int i = 0; i < a->q.nneeds; i++)
                if (a->needs[i] == key) return qry_fail(s, &v->tok, _("need '%s' is listed twice"), key);
            a->needs[a->q.nneeds++] = key;
        }
    } else {
        /* The group's usual needs: the documented table, as the data may
         * have changed it (default_needs.csv). */
        if ((rc = usual_needs(s, st))) return rc;
        for (size_t i = 0; i < s->nusual && a->q.nneeds < 64; i++)
            if (!strcmp(s->usual[i].target, a->q.target)) a->needs[a->q.nneeds++] = s->usual[i].need;
        if (!a->q.nneeds)
            return qry_fail(s, &c[AST_CL_FOR]->v->tok, _("'%s' has no default needs; name them: NEEDS consultation, place, …"),
                            a->q.target);
    }
    a->q.needs = a->needs;
    for (int k = 0; k < a->q.nneeds; k++) a->need_labels[k] = qry_label(s, "need", a->needs[k]);
    if (s->ja) {
        a->q.target_label = qry_label(s, "target", a->q.target);
        a->q.need_labels = a->need_labels;
    }
    return TSG_OK;
}

/* The kinds as scripts read them (CSV, JSON, ORDER BY) and as people do. */
static const char *const gap_kind[] = {"coverage", "reach", "seam", "fragility"};
static const char *const gap_label[] = {NC_("gap kind", "coverage"), NC_("gap kind", "reach"),
                                        NC_("gap kind", "seam"), NC_("gap kind", "fragility")};

static tsg_status_t exec_gaps(qry_session_t *s, const ast_stmt_t *st)
{
    qry_gaps_args_t a;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    /* GAPS reads the walk's part and the rest, never a tie (engine/gaps.c). */
    if ((rc = qry_gaps_args(s, st, 0, &a)) || (rc = qry_network_parts(s, QRY_NET_WALK | QRY_NET_REST, &net))) return rc;
    eng_gap_t *rows;
    size_t n;
    tsg_error_t err = {0};
    if (eng_gaps(net, &a.q, &rows, &n, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    /* kind and need are keys, each with its label beside it (issue 19):
     * a table shows one of the two, CSV and JSON both. */
    static const char *const cols[] = {NC_("column", "kind"), NC_("column", "kind_label"),
                                       NC_("column", "district_id"), NC_("column", "district"), NC_("column", "need"),
                                       NC_("column", "need_label"),
                                       NC_("column", "age_from"), NC_("column", "age_to"), NC_("column", "program"), NC_("column", "why")};
    tsg_result_t *r = qry_result_new(NULL, 10, cols);
    if (r && (qry_result_keyed(r, 0, s->ja) || qry_result_keyed(r, 4, s->ja))) {
        tsg_result_free(r);
        r = NULL;
    }
    /* Each kind's label and each need's looked up once, not row by row (the
     * catalogue's lookup takes a lock; a ward has hundreds of rows). */
    const char *kind_label[4];
    for (int k = 0; k < 4; k++) kind_label[k] = util_pgettext_ctx("gap kind", gap_label[k]);
    for (size_t i = 0; r && i < n; i++) {
        char from[16], to[16];
        snprintf(from, sizeof from, "%d", rows[i].age_from);
        snprintf(to, sizeof to, "%d", rows[i].age_to);
        const char *need = rows[i].need, *need_label = NULL;
        for (int k = 0; need && k < a.q.nneeds && !need_label; k++)
            if (a.needs[k] == need) need_label = a.need_labels[k];
        if (need && !need_label) need_label = qry_label(s, "need", need);
        const char *cells[10] = {gap_kind[rows[i].kind],
                                 kind_label[rows[i].kind],
                                 net->id[rows[i].district],
                                 net->name[rows[i].district],
                                 need,
                                 need_label,
                                 from,
                                 to,
                                 rows[i].program ? net->id[rows[i].program] : NULL,
                                 rows[i].why};
        r = qry_result_row(r, cells);
    }
    if (r) r->right[6] = r->right[7] = 1;
    free(rows);
    return qry_emit(s, r);
}

/* COVERAGE: the matrix of cells × needs, each cell naming the programs that
 * cover some of the ages asked ("—" for none), for a meeting handout. */
static tsg_status_t exec_coverage(qry_session_t *s, const ast_stmt_t *st)
{
    qry_gaps_args_t a;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    if ((rc = qry_gaps_args(s, st, 0, &a)) || (rc = qry_network(s, &net))) return rc;
    int64_t *cells;
    size_t ncells;
    tsg_error_t err = {0};
    if (eng_cells(net, a.q.district, a.q.by_ward, &cells, &ncells, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    const char *cols[66];
    cols[0] = NC_("column", "district");
    for (int k = 0; k < a.q.nneeds; k++) cols[k + 1] = a.needs[k];
    tsg_result_t *r = qry_result_new(NULL, (size_t)a.q.nneeds + 1, cols);
    /* A need's column keeps its key for scripts; people read its label. */
    for (int k = 0; r && k < a.q.nneeds; k++)
        if (a.need_labels[k] != a.needs[k] && qry_result_head(r, (size_t)k + 1, a.need_labels[k])) {
            tsg_result_free(r);
            r = NULL;
        }
    util_buf_t cell = {0};
    char *texts[65];
    for (size_t c = 0; r && c < ncells; c++) {
        const char *row[65];
        row[0] = net->name[cells[c]];
        /* The programs meeting the cell hold every one serving it, in
         * program order: a cell no longer reads every program per need. */
        size_t ncand;
        int32_t *cand = eng_meeting(net, cells[c], &ncand);
        if (!cand) {
            tsg_result_free(r);
            r = NULL;
            break;
        }
        for (int k = 0; k < a.q.nneeds; k++) {
            cell.len = 0;
            for (size_t i = 0; i < ncand; i++) {
                const eng_program_t *p = &net->programs[cand[i]];
                int meets = (p->age_max < 0 || p->age_max >= a.q.age_from) && (p->age_min < 0 || p->age_min <= a.q.age_to);
                if (meets && eng_running(p, a.q.as_of) && eng_covers(p, a.q.target, a.needs[k], -1) &&
                    eng_serves(net, p, cells[c]))
                    util_buf_printf(&cell, "%s%s", cell.len ? _("; ") : "", net->name[p->nid]);
            }
            texts[k] = util_strdup(cell.len ? cell.data : _("—"));
            row[k + 1] = texts[k];
        }
        free(cand);
        r = qry_result_row(r, row);
        for (int k = 0; k < a.q.nneeds; k++) free(texts[k]);
    }
    util_buf_free(&cell);
    free(cells);
    return qry_emit(s, r);
}
tsg_status_t qry_exec_gaps(qry_session_t *s, const ast_stmt_t *st)
{
    return st->kind == AST_COVERAGE ? exec_coverage(s, st) : exec_gaps(s, st);
}
