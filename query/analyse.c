/*
 * analyse — GAPS, COVERAGE, PATH and REACH: reads the statement's clauses,
 * resolves names and keys, hands plain parameters to the engine (which knows
 * nothing of syntax), and turns the engine's rows into result sets.
 */
#include "gaps.h"
#include "paths.h"
#include "query.h"
#include "result.h"
#include "store.h"
#include "structure.h"
#include "util.h"
#include "bounds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- clauses -------------------------------------------------------------------- */

typedef struct clause_spec {
    const char *name, *usage;
} clause_spec_t;

/* Finds each clause of the statement in `spec` (by word, ignoring width and
 * case); found[i] is the clause for spec[i] or NULL. Unknown and repeated
 * clauses are errors. */
static tsg_status_t read_clauses(qry_session_t *s, const ast_stmt_t *st, const char *what, const clause_spec_t *spec,
                                 const ast_clause_t **found)
{
    size_t n = 0;
    while (spec[n].name) found[n++] = NULL;
    for (const ast_clause_t *c = st->clauses; c; c = c->next) {
        char *word = util_strndup(c->key.z, c->key.n), *f = word ? util_fold(word) : NULL;
        free(word);
        if (!f) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
        size_t i = 0;
        while (i < n && strcasecmp(f, spec[i].name)) i++;
        free(f);
        if (i == n) {
            util_buf_t list = {0};
            for (size_t k = 0; k < n; k++) util_buf_printf(&list, "%s%s", k ? ", " : "", spec[k].usage);
            tsg_status_t rc = qry_fail(s, &c->key, "%s takes %s; not '%.*s'", what, list.data ? list.data : "",
                                       (int)c->key.n, c->key.z);
            util_buf_free(&list);
            return rc;
        }
        if (found[i]) return qry_fail(s, &c->key, "%s is given twice", spec[i].name);
        found[i] = c;
    }
    return TSG_OK;
}

static tsg_status_t one_value(qry_session_t *s, const ast_clause_t *c)
{
    if (c->v && c->v->next) return qry_fail(s, &c->v->next->tok, "%.*s takes one value", (int)c->key.n, c->key.z);
    return TSG_OK;
}

static tsg_status_t need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage)
{
    return c ? TSG_OK : qry_fail(s, &st->kw, "%.*s needs %s", (int)st->kw.n, st->kw.z, usage);
}

tsg_status_t qry_network(qry_session_t *s, const eng_net_t **net)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    if (!s->net) {
        tsg_error_t err = {0};
        if (eng_net_load(s->db, &s->net, &err)) return gram_fail(&s->ctx, err.code, NULL, "%s", err.text);
    }
    *net = s->net;
    return TSG_OK;
}

/* ---- GAPS and COVERAGE ------------------------------------------------------------ */

enum { G_FOR, G_AGED, G_IN, G_NEEDS, G_BY, G_WITHIN, G_ASOF, G_COUNT };

static const clause_spec_t gaps_spec[] = {
    {"for", "FOR target"},      {"aged", "AGED a..b"}, {"in", "IN 'district'"}, {"needs", "NEEDS need, …"},
    {"by", "BY school_district|ward"}, {"within", "WITHIN k HOPS"}, {"as", "AS OF date"}, {NULL, NULL},
};

tsg_status_t qry_gaps_args(qry_session_t *s, const ast_stmt_t *st, qry_gaps_args_t *a)
{
    const ast_clause_t *c[G_COUNT];
    tsg_status_t rc;
    const char *what = st->kind == AST_COVERAGE ? "COVERAGE" : "GAPS";
    if ((rc = read_clauses(s, st, what, gaps_spec, c)) || (rc = need_clause(s, st, c[G_FOR], "FOR target")) ||
        (rc = need_clause(s, st, c[G_AGED], "AGED a..b")) || (rc = need_clause(s, st, c[G_IN], "IN 'district'")) ||
        (rc = one_value(s, c[G_FOR])) || (rc = one_value(s, c[G_AGED])) || (rc = one_value(s, c[G_IN])))
        return rc;
    memset(a, 0, sizeof *a);
    if ((rc = qry_key(s, c[G_FOR]->v, "target", &a->q.target))) return rc;
    int hl, hh;
    long lo, hi;
    if ((rc = qry_range(s, c[G_AGED]->v, &hl, &lo, &hh, &hi))) return rc;
    if (!hl || !hh) return qry_fail(s, &c[G_AGED]->v->tok, "GAPS needs a closed age range, like 18..39");
    a->q.age_from = (int)lo;
    a->q.age_to = (int)hi;
    const qry_name_t *d;
    if ((rc = qry_node(s, c[G_IN]->v, NULL, 1u << QRY_DISTRICT, &d))) return rc;
    a->q.district = d->nid;
    a->q.hops = 3;
    if (c[G_WITHIN]) {
        long k;
        if ((rc = one_value(s, c[G_WITHIN])) || (rc = qry_number(s, c[G_WITHIN]->v, &k))) return rc;
        if (k < 0 || k > UTIL_MAX_HOPS) return qry_fail(s, &c[G_WITHIN]->v->tok, "WITHIN takes 0 to %d hops", UTIL_MAX_HOPS);
        a->q.hops = (int)k;
    }
    if (c[G_BY]) {
        const char *by = (rc = one_value(s, c[G_BY])) ? NULL : qry_text(s, c[G_BY]->v, "school_district or ward");
        if (!by) return s->ctx.code;
        if (!strcasecmp(by, "ward")) a->q.by_ward = 1;
        else if (strcasecmp(by, "school_district"))
            return qry_fail(s, &c[G_BY]->v->tok, "BY takes school_district or ward, not '%s'", by);
    }
    if (c[G_ASOF]) {
        /* A day: YYYY-MM-DD (a month or a year means its first day), by
         * the same calendar check as STARTS and ENDS. */
        const ast_value_t *v = c[G_ASOF]->v;
        char year[24];
        const char *text = v->kind == AST_V_NUMBER ? (snprintf(year, sizeof year, "%ld", v->lo), year)
                                                   : qry_text(s, v, "a date");
        if (!text) return s->ctx.code;
        /* Dashes only: '2025/4/1' would read as a date in a CSV cell, but the
         * language writes dates one way. */
        if (strchr(text, '/') || !util_date_parse(text, NULL))
            return qry_fail(s, &v->tok, "AS OF takes a date that exists: YYYY, YYYY-MM or YYYY-MM-DD");
        a->q.as_of = util_date_first(text);
    }
    if (c[G_NEEDS]) {
        for (const ast_value_t *v = c[G_NEEDS]->v; v; v = v->next) {
            if (a->q.nneeds == 64) return qry_fail(s, &v->tok, "at most 64 needs");
            const char *key;
            if ((rc = qry_key(s, v, "need", &key))) return rc;
            for (int i = 0; i < a->q.nneeds; i++)
                if (a->needs[i] == key) return qry_fail(s, &v->tok, "need '%s' is listed twice", key);
            a->needs[a->q.nneeds++] = key;
        }
    } else {
        /* The group's usual needs: the documented table, as the data may
         * have changed it (default_needs.csv). */
        sqlite3_stmt *dn;
        if (sqlite3_prepare_v2(s->sql, "SELECT need FROM default_need WHERE target = ? ORDER BY pos", -1, &dn, NULL) !=
            SQLITE_OK)
            return qry_fail_sql(s, &st->kw);
        sqlite3_bind_text(dn, 1, a->q.target, -1, SQLITE_STATIC);
        while (sqlite3_step(dn) == SQLITE_ROW && a->q.nneeds < 64) {
            const char *need = (const char *)sqlite3_column_text(dn, 0);
            for (size_t i = 0; need && i < s->vocab.n; i++)
                if (!strcmp(s->vocab.e[i].kind, "need") && !strcmp(s->vocab.e[i].key, need))
                    a->needs[a->q.nneeds++] = s->vocab.e[i].key;
        }
        sqlite3_finalize(dn);
        if (!a->q.nneeds)
            return qry_fail(s, &c[G_FOR]->v->tok, "'%s' has no default needs; name them: NEEDS consultation, place, …",
                            a->q.target);
    }
    a->q.needs = a->needs;
    return TSG_OK;
}

static const char *const gap_kind[] = {"coverage", "reach", "seam", "fragility"};

static tsg_status_t exec_gaps(qry_session_t *s, const ast_stmt_t *st)
{
    qry_gaps_args_t a;
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    if ((rc = qry_gaps_args(s, st, &a)) || (rc = qry_network(s, &net))) return rc;
    eng_gap_t *rows;
    size_t n;
    tsg_error_t err = {0};
    if (eng_gaps(net, &a.q, &rows, &n, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    static const char *const cols[] = {"kind", "district_id", "district", "need", "age_from", "age_to", "program", "why"};
    tsg_result_t *r = qry_result_new(NULL, 8, cols);
    for (size_t i = 0; r && i < n; i++) {
        char from[16], to[16];
        snprintf(from, sizeof from, "%d", rows[i].age_from);
        snprintf(to, sizeof to, "%d", rows[i].age_to);
        const char *cells[8] = {gap_kind[rows[i].kind], net->id[rows[i].district], net->name[rows[i].district],
                                rows[i].need, from, to, rows[i].program ? net->id[rows[i].program] : NULL,
                                rows[i].why};
        r = qry_result_row(r, cells);
    }
    if (r) r->right[4] = r->right[5] = 1;
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
    if ((rc = qry_gaps_args(s, st, &a)) || (rc = qry_network(s, &net))) return rc;
    int64_t *cells;
    size_t ncells;
    tsg_error_t err = {0};
    if (eng_cells(net, a.q.district, a.q.by_ward, &cells, &ncells, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    const char *cols[66];
    cols[0] = "district";
    for (int k = 0; k < a.q.nneeds; k++) cols[k + 1] = a.needs[k];
    tsg_result_t *r = qry_result_new(NULL, (size_t)a.q.nneeds + 1, cols);
    util_buf_t cell = {0};
    char *texts[65];
    for (size_t c = 0; r && c < ncells; c++) {
        const char *row[65];
        row[0] = net->name[cells[c]];
        for (int k = 0; k < a.q.nneeds; k++) {
            cell.len = 0;
            for (size_t i = 0; i < net->nprograms; i++) {
                const eng_program_t *p = &net->programs[i];
                int meets = (p->age_max < 0 || p->age_max >= a.q.age_from) && (p->age_min < 0 || p->age_min <= a.q.age_to);
                if (meets && eng_running(p, a.q.as_of) && eng_covers(p, a.q.target, a.needs[k], -1) &&
                    eng_serves(net, p, cells[c]))
                    util_buf_printf(&cell, "%s%s", cell.len ? "; " : "", net->name[p->nid]);
            }
            texts[k] = util_strdup(cell.len ? cell.data : "—");
            row[k + 1] = texts[k];
        }
        r = qry_result_row(r, row);
        for (int k = 0; k < a.q.nneeds; k++) free(texts[k]);
    }
    util_buf_free(&cell);
    free(cells);
    return qry_emit(s, r);
}

/* ---- PATH and REACH ------------------------------------------------------------------ */

enum { P_FROM, P_TO, P_VIA, P_MAX, P_WITHIN, P_COUNT };

static const clause_spec_t path_spec[] = {
    {"from", "FROM 'name'"}, {"to", "TO 'name'"}, {"via", "VIA referral|any"}, {"max", "MAX k"},
    {"within", "WITHIN k HOPS"}, {NULL, NULL},
};

/* A node and, for an organisation, its programs: where a path may start or end. */
static tsg_status_t endpoint(qry_session_t *s, const eng_net_t *net, const ast_clause_t *c, int64_t **out, size_t *n)
{
    tsg_status_t rc = one_value(s, c);
    const qry_name_t *node;
    if (rc || (rc = qry_node(s, c->v, NULL, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM), &node))) return rc;
    int64_t *v = malloc(((size_t)net->maxnid + 1) * sizeof *v);
    if (!v) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    size_t k = 0;
    v[k++] = node->nid;
    if (node->type == QRY_ORGANISATION)
        for (int32_t i = net->first_prog[node->nid]; i >= 0; i = net->next_prog[i]) v[k++] = net->programs[i].nid;
    *out = v;
    *n = k;
    return TSG_OK;
}

static tsg_status_t via_clause(qry_session_t *s, const ast_clause_t *c, int *any)
{
    *any = 0;
    if (!c) return TSG_OK;
    tsg_status_t rc = one_value(s, c);
    const char *v = rc ? NULL : qry_text(s, c->v, "referral or any");
    if (!v) return s->ctx.code;
    if (!strcasecmp(v, "any")) *any = 1;
    else if (strcasecmp(v, "referral")) return qry_fail(s, &c->v->tok, "VIA takes referral or any, not '%s'", v);
    return TSG_OK;
}

static tsg_status_t hops_clause(qry_session_t *s, const ast_clause_t *c, int dflt, int *out)
{
    *out = dflt;
    if (!c) return TSG_OK;
    long k;
    tsg_status_t rc = one_value(s, c);
    if (rc || (rc = qry_number(s, c->v, &k))) return rc;
    if (k < 0 || k > UTIL_MAX_HOPS) return qry_fail(s, &c->v->tok, "hops run from 0 to %d", UTIL_MAX_HOPS);
    *out = (int)k;
    return TSG_OK;
}

static const char *const tie_kind_name[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};

static tsg_status_t exec_path(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *c[P_COUNT];
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    int any, max;
    if ((rc = read_clauses(s, st, "PATH", path_spec, c)) || (rc = need_clause(s, st, c[P_FROM], "FROM 'name'")) ||
        (rc = need_clause(s, st, c[P_TO], "TO 'name'")) || (rc = via_clause(s, c[P_VIA], &any)) ||
        (rc = hops_clause(s, c[P_MAX] ? c[P_MAX] : c[P_WITHIN], 6, &max)) || (rc = qry_network(s, &net)))
        return rc;
    int64_t *from = NULL, *to = NULL;
    size_t nfrom, nto;
    if ((rc = endpoint(s, net, c[P_FROM], &from, &nfrom)) || (rc = endpoint(s, net, c[P_TO], &to, &nto))) {
        free(from);
        return rc;
    }
    eng_path_t *paths;
    size_t npaths;
    tsg_error_t err = {0};
    rc = eng_paths(net, from, nfrom, to, nto, any, max, 10, &paths, &npaths, &err);
    free(from);
    free(to);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    static const char *const cols[] = {"path", "step", "from", "tie", "count", "to", "to_id"};
    tsg_result_t *r = qry_result_new(NULL, 7, cols);
    for (size_t p = 0; r && p < npaths; p++)
        for (int k = 0; r && k < paths[p].len; k++) {
            char pn[24], sn[16], cn[24];
            snprintf(pn, sizeof pn, "%zu", p + 1);
            snprintf(sn, sizeof sn, "%d", k + 1);
            const eng_tie_t *t = &net->ties[paths[p].ties[k]];
            if (t->count >= 0) snprintf(cn, sizeof cn, "%ld", t->count);
            int64_t a = paths[p].nodes[k], b = paths[p].nodes[k + 1];
            const char *cells[7] = {pn, sn, net->name[a], tie_kind_name[t->kind], t->count >= 0 ? cn : NULL,
                                    net->name[b], net->id[b]};
            r = qry_result_row(r, cells);
        }
    if (r) r->right[0] = r->right[1] = r->right[4] = 1;
    r = qry_suppress(s, r, "count");
    int here = npaths && paths[0].len == 0;
    int64_t where = here ? paths[0].nodes[0] : 0;
    eng_paths_free(paths, npaths);
    if (here) {
        tsg_result_free(r);
        return qry_emit_done(s, "'%s' is already where the path ends: no ties needed", net->name[where]);
    }
    if (r && !r->nrows) {
        tsg_result_free(r);
        return qry_emit_done(s, "no %s of at most %d ties", any ? "path" : "referral path", max);
    }
    return qry_emit(s, r);
}

static tsg_status_t exec_reach(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *c[P_COUNT];
    const eng_net_t *net = NULL;
    tsg_status_t rc;
    int any, max;
    if ((rc = read_clauses(s, st, "REACH", path_spec, c)) || (rc = need_clause(s, st, c[P_FROM], "FROM 'name'")) ||
        (rc = via_clause(s, c[P_VIA], &any)) || (rc = hops_clause(s, c[P_WITHIN] ? c[P_WITHIN] : c[P_MAX], 3, &max)) ||
        (rc = qry_network(s, &net)))
        return rc;
    if (c[P_TO]) return qry_fail(s, &c[P_TO]->key, "REACH has no TO; use PATH FROM … TO …");
    int64_t *from;
    size_t nfrom;
    if ((rc = endpoint(s, net, c[P_FROM], &from, &nfrom))) return rc;
    eng_hop_t *hops;
    size_t nhops;
    tsg_error_t err = {0};
    rc = eng_reach(net, from, nfrom, any, max, &hops, &nhops, &err);
    free(from);
    if (rc) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    /* WHERE keeps the reached programs that match it (a program condition). */
    int *keep = NULL;
    if (st->where) {
        ast_stmt_t find = {.kind = AST_FIND, .kw = st->kw, .where = st->where};
        find.what = st->kw;
        rc = qry_match_programs(s, &find, net->maxnid, &keep);
        if (rc) {
            free(hops);
            return rc;
        }
    }
    static const char *const cols[] = {"hops", "type", "id", "name", "via"};
    tsg_result_t *r = qry_result_new(NULL, 5, cols);
    const char *hs = NULL; /* the hops, written once a level and shared by its rows */
    for (size_t i = 0; r && i < nhops; i++) {
        int64_t n = hops[i].node;
        if (i + 8 < nhops) { /* what the rows a little ahead will read, fetched meanwhile */
            __builtin_prefetch(&net->id[hops[i + 8].node]);
            __builtin_prefetch(&net->name[hops[i + 8].node]);
            __builtin_prefetch(&net->type[hops[i + 8].node]);
        }
        if (!hops[i].dist || (keep && !keep[n])) continue;
        if (!hs || hops[i - 1].dist != hops[i].dist) {
            char text[16];
            snprintf(text, sizeof text, "%d", hops[i].dist);
            if (!(hs = qry_result_text(r, text))) {
                tsg_result_free(r);
                r = NULL;
                break;
            }
        }
        const char *type = net->type[n] == ENG_PROGRAM ? "program" : net->type[n] == ENG_ORGANISATION ? "organisation" : "forum";
        const char *cells[5] = {hs, type, net->id[n], net->name[n], net->name[hops[i].via]};
        r = qry_result_row_refs(r, cells, 0x1f); /* the result's own text, literals and the network's */
    }
    if (r) r->right[0] = 1;
    free(hops);
    free(keep);
    return qry_emit(s, r);
}

/* The pivots of SAMPLE n are drawn with this seed: the same statement on
 * the same network gives the same estimate. */
#define SAMPLE_SEED 20261124u

/* ---- HORIZONTAL and CENTRALITY ------------------------------------------------------- */

enum { H_IN, H_OF, H_TOP, H_WEIGHTED, H_DIRECTED, H_WITHIN, H_SAMPLE, H_SECTORS, H_COUNT };

static const clause_spec_t structure_spec[] = {
    {"in", "IN 'district'"}, {"of", "OF organisations|programs"}, {"top", "TOP n"}, {"weighted", "WEIGHTED"},
    {"directed", "DIRECTED"},
    {"within", "WITHIN k HOPS"}, {"sample", "SAMPLE n"},
    {"sectors", "SECTORS sector, …"}, {NULL, NULL},
};

/* The sector set of a SECTORS clause (none: every sector). */
typedef struct sector_set {
    const char *v[64];
    int n;
} sector_set_t;

static tsg_status_t sector_clause(qry_session_t *s, const ast_clause_t *c, sector_set_t *set)
{
    set->n = 0;
    if (!c) return TSG_OK;
    for (const ast_value_t *v = c->v; v; v = v->next) {
        if (set->n == 64) return qry_fail(s, &v->tok, "at most 64 sectors");
        tsg_status_t rc = qry_key(s, v, "sector", &set->v[set->n]);
        if (rc) return rc;
        set->n++;
    }
    if (!set->n) return qry_fail(s, &c->key, "SECTORS names at least one sector");
    return TSG_OK;
}

static tsg_status_t scope(qry_session_t *s, const ast_clause_t *c, int64_t *district)
{
    *district = 0;
    if (!c) return TSG_OK;
    const qry_name_t *d;
    tsg_status_t rc = one_value(s, c);
    if (rc || (rc = qry_node(s, c->v, NULL, 1u << QRY_DISTRICT, &d))) return rc;
    *district = d->nid;
    return TSG_OK;
}

/* What the structure statements share: their clauses, the district, the
 * sector set and TOP. `allowed` says which of OF and WEIGHTED the statement
 * takes (bits 1 << H_OF, 1 << H_WEIGHTED, 1 << H_TOP); `usage` names them. */
typedef struct structure_args {
    const ast_clause_t *c[H_COUNT];
    int64_t district;
    sector_set_t sectors;
    long top;
} structure_args_t;

static tsg_status_t structure_args(qry_session_t *s, const ast_stmt_t *st, const char *what, unsigned allowed,
                                   const char *usage, structure_args_t *a)
{
    tsg_status_t rc;
    a->top = -1;
    if ((rc = read_clauses(s, st, what, structure_spec, a->c)) || (rc = scope(s, a->c[H_IN], &a->district)) ||
        (rc = sector_clause(s, a->c[H_SECTORS], &a->sectors)))
        return rc;
    static const int optional[] = {H_OF, H_TOP, H_WEIGHTED, H_DIRECTED, H_WITHIN, H_SAMPLE};
    for (int i = 0; i < 6; i++)
        if (a->c[optional[i]] && !(allowed & (1u << optional[i])))
            return qry_fail(s, &a->c[optional[i]]->key, "%s takes %s", what, usage);
    if (a->c[H_TOP] && ((rc = one_value(s, a->c[H_TOP])) || (rc = qry_number(s, a->c[H_TOP]->v, &a->top)))) return rc;
    if (a->c[H_WEIGHTED] && a->c[H_WEIGHTED]->v) return qry_fail(s, &a->c[H_WEIGHTED]->key, "WEIGHTED takes no value");
    if (a->c[H_DIRECTED] && a->c[H_DIRECTED]->v) return qry_fail(s, &a->c[H_DIRECTED]->key, "DIRECTED takes no value");
    return TSG_OK;
}

/* The cached view: what it was built from, and the graph. */
struct qry_view {
    int64_t district;
    int programs, directed;
    long below; /* the suppression the weights were built under */
    char *sectors; /* the sector names, each followed by '\0' */
    size_t nsectors_len;
    eng_graph_t gr;
};

static void view_free(struct qry_view *v)
{
    if (!v) return;
    eng_graph_free(&v->gr);
    free(v->sectors);
    free(v);
}

void qry_network_free(qry_session_t *s)
{
    view_free(s->view);
    s->view = NULL;
    eng_net_free(s->net);
    s->net = NULL;
}

tsg_status_t qry_graph(qry_session_t *s, const ast_stmt_t *st, int64_t district, int programs, int directed,
                       const char *const *sectors, int nsectors, const eng_net_t **net, const eng_graph_t **gr)
{
    tsg_status_t rc = qry_network(s, net);
    if (rc) return rc;
    size_t len = 0;
    for (int i = 0; i < nsectors; i++) len += strlen(sectors[i]) + 1;
    char *key = malloc(len + 1);
    if (!key) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    for (int i = 0, at = 0; i < nsectors; i++) {
        size_t n = strlen(sectors[i]) + 1;
        memcpy(key + at, sectors[i], n);
        at += (int)n;
    }
    struct qry_view *v = s->view;
    if (v && v->district == district && v->programs == programs && v->directed == directed && v->below == s->suppress_below &&
        v->nsectors_len == len && !memcmp(v->sectors, key, len)) {
        free(key);
        *gr = &v->gr;
        return TSG_OK;
    }
    view_free(v);
    s->view = NULL;
    if (!(v = calloc(1, sizeof *v))) {
        free(key);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    *v = (struct qry_view){.district = district, .programs = programs, .directed = directed, .below = s->suppress_below, .sectors = key, .nsectors_len = len};
    tsg_error_t err = {0};
    if (eng_graph_build(*net, district, programs, directed, sectors, nsectors, s->suppress_below, &v->gr, &err)) {
        free(key);
        free(v);
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    s->view = v;
    *gr = &v->gr;
    return TSG_OK;
}

static tsg_status_t graph(qry_session_t *s, const ast_stmt_t *st, int64_t district, int programs, int directed,
                          const sector_set_t *sectors, const eng_net_t **net, const eng_graph_t **gr)
{
    return qry_graph(s, st, district, programs, directed, sectors ? sectors->v : NULL, sectors ? sectors->n : 0, net,
                     gr);
}

/* The sector mixing matrix: ties between each pair of sectors present, in
 * the vocabulary's order (within a sector on the diagonal). */
static tsg_status_t emit_mixing(qry_session_t *s, const eng_net_t *net, const eng_graph_t *gr)
{
    const char *sectors[64];
    int ns = 0;
    for (size_t i = 0; i < s->vocab.n && ns < 64; i++) {
        if (strcmp(s->vocab.e[i].kind, "sector")) continue;
        for (igraph_integer_t v = 0; v < gr->n; v++)
            if (net->sector[gr->nid[v]] && !strcmp(net->sector[gr->nid[v]], s->vocab.e[i].key)) {
                sectors[ns++] = s->vocab.e[i].key;
                break;
            }
    }
    long *m = calloc((size_t)(ns * ns) + 1, sizeof *m);
    if (!m) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    for (igraph_integer_t e = 0; e < igraph_ecount(&gr->g); e++) {
        int a = -1, b = -1;
        const char *sa = net->sector[gr->nid[IGRAPH_FROM(&gr->g, e)]], *sb = net->sector[gr->nid[IGRAPH_TO(&gr->g, e)]];
        for (int k = 0; k < ns; k++) {
            if (sa && !strcmp(sa, sectors[k])) a = k;
            if (sb && !strcmp(sb, sectors[k])) b = k;
        }
        if (a < 0 || b < 0) continue;
        m[a * ns + b]++;
        if (a != b) m[b * ns + a]++;
    }
    const char *cols[65];
    cols[0] = "sector";
    for (int k = 0; k < ns; k++) cols[k + 1] = sectors[k];
    tsg_result_t *r = qry_result_new("sector mixing (ties between sectors)", (size_t)ns + 1, cols);
    char cells[64][24];
    for (int a = 0; r && a < ns; a++) {
        const char *row[65];
        row[0] = sectors[a];
        for (int b = 0; b < ns; b++) {
            snprintf(cells[b], sizeof cells[b], "%ld", m[a * ns + b]);
            row[b + 1] = cells[b];
        }
        r = qry_result_row(r, row);
    }
    for (int k = 1; r && k <= ns; k++) r->right[k] = 1;
    free(m);
    return qry_emit(s, r);
}

static tsg_status_t exec_horizontal(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    structure_args_t a;
    tsg_status_t rc;
    if ((rc = structure_args(s, st, "HORIZONTAL", 0, "IN 'district' and SECTORS sector, …", &a)) ||
        (rc = graph(s, st, a.district, 0, 0, &a.sectors, &net, &gr)))
        return rc;
    int64_t district = a.district;
    eng_horizontal_t h;
    tsg_error_t err = {0};
    if (eng_horizontal(net, gr, &h, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    char title[600], buf[12][64];
    util_snprintf(title, sizeof title, "horizontal links in %s", district ? net->name[district] : "the whole network");
    static const char *const cols[] = {"measure", "value"};
    tsg_result_t *r = qry_result_new(title, 2, cols);
    snprintf(buf[0], 64, "%ld", (long)h.orgs);
    snprintf(buf[1], 64, "%ld", (long)h.ties);
    snprintf(buf[2], 64, "%ld (%.1f%%)", (long)h.ng_ties, h.ties ? 100.0 * (double)h.ng_ties / (double)h.ties : 0.0);
    snprintf(buf[3], 64, "%ld", (long)igraph_vector_int_size(&h.dependent));
    snprintf(buf[4], 64, "%ld", (long)igraph_vector_int_size(&h.pieces));
    util_buf_t sizes = {0};
    for (igraph_integer_t i = 0; i < igraph_vector_int_size(&h.pieces); i++)
        util_buf_printf(&sizes, "%s%ld", i ? ", " : "", (long)VECTOR(h.pieces)[i]);
    snprintf(buf[5], 64, "%ld", (long)igraph_vector_int_size(&h.articulation));
    snprintf(buf[6], 64, "%ld", (long)igraph_vector_int_size(&h.bridges) );
    snprintf(buf[7], 64, "%.10g", h.centralization);
    snprintf(buf[8], 64, "%.10g", h.ei_government);
    snprintf(buf[9], 64, "%.10g", h.ei_sector);
    const char *rows[][2] = {
        {"organisations", buf[0]},
        {"ties", buf[1]},
        {"ties between two non-government organisations", buf[2]},
        {"vertically dependent organisations", buf[3]},
        {"pieces without government", buf[4]},
        {"sizes of the pieces", sizes.data ? sizes.data : ""},
        {"articulation points", buf[5]},
        {"bridges", buf[6]},
        {"betweenness centralization", buf[7]},
        {"E-I index, government / non-government", buf[8]},
        {"E-I index, across sectors", buf[9]},
    };
    for (size_t i = 0; r && i < sizeof rows / sizeof rows[0]; i++) r = qry_result_row(r, rows[i]);
    util_buf_free(&sizes);
    rc = qry_emit(s, r);
    /* Who hangs on government alone, and whom the network hangs on. */
    static const char *const dcols[] = {"id", "name", "sector", "tied only to"};
    r = rc ? NULL : qry_result_new("vertically dependent organisations", 4, dcols);
    igraph_vector_int_t neis;
    igraph_error_t ic = r ? igraph_vector_int_init(&neis, 0) : IGRAPH_SUCCESS;
    int have_neis = r && !ic;
    for (igraph_integer_t i = 0; r && !ic && i < igraph_vector_int_size(&h.dependent); i++) {
        igraph_integer_t v = VECTOR(h.dependent)[i];
        if ((ic = igraph_neighbors(&gr->g, &neis, v, IGRAPH_ALL))) break;
        util_buf_t names = {0};
        for (igraph_integer_t k = 0; k < igraph_vector_int_size(&neis); k++)
            util_buf_printf(&names, "%s%s", k ? "; " : "", net->name[gr->nid[VECTOR(neis)[k]]]);
        int64_t nid = gr->nid[v];
        const char *cells[4] = {net->id[nid], net->name[nid], net->sector[nid], names.data ? names.data : ""};
        r = qry_result_row(r, cells);
        util_buf_free(&names);
    }
    if (have_neis) igraph_vector_int_destroy(&neis);
    if (ic) {
        /* igraph's error handler returns the code rather than aborting;
         * the only failure here is memory. */
        tsg_result_free(r);
        r = NULL;
        rc = ic == IGRAPH_ENOMEM ? gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, "out of memory")
                                 : gram_fail(&s->ctx, TSG_EINPUT, &st->kw, "graph computation failed: %s",
                                             igraph_strerror(ic));
    }
    if (r) rc = qry_emit(s, r);
    static const char *const acols[] = {"id", "name", "sector"};
    r = rc ? NULL : qry_result_new("articulation points (one organisation whose loss cuts the network)", 3, acols);
    for (igraph_integer_t i = 0; r && i < igraph_vector_int_size(&h.articulation); i++) {
        int64_t nid = gr->nid[VECTOR(h.articulation)[i]];
        const char *cells[3] = {net->id[nid], net->name[nid], net->sector[nid]};
        r = qry_result_row(r, cells);
    }
    if (r) rc = qry_emit(s, r);
    static const char *const bcols[] = {"from", "to"};
    r = rc ? NULL : qry_result_new("bridges (one tie whose loss cuts the network)", 2, bcols);
    for (igraph_integer_t i = 0; r && i < igraph_vector_int_size(&h.bridges); i++) {
        igraph_integer_t e = VECTOR(h.bridges)[i];
        const char *cells[2] = {net->name[gr->nid[IGRAPH_FROM(&gr->g, e)]], net->name[gr->nid[IGRAPH_TO(&gr->g, e)]]};
        r = qry_result_row(r, cells);
    }
    if (r) rc = qry_emit(s, r);
    if (!rc) rc = emit_mixing(s, net, gr);
    eng_horizontal_free(&h);
    return rc;
}

typedef struct ranked {
    double value;
    igraph_integer_t v;
} ranked_t;

static int by_value(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? 1 : -1;
    return x->v < y->v ? -1 : x->v > y->v;
}

static tsg_status_t exec_centrality(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    structure_args_t a;
    tsg_status_t rc;
    char *word = util_strndup(st->what.z, st->what.n), *fm = word ? util_fold(word) : NULL;
    free(word);
    int measure = -1;
    for (int i = 0; fm && eng_measure_name[i]; i++)
        if (!strcmp(fm, eng_measure_name[i])) measure = i;
    free(fm);
    if (measure < 0)
        return qry_fail(s, &st->what, "unknown measure '%.*s' (degree, betweenness, closeness, harmonic, pagerank, "
                                      "eigenvector, constraint or effective_size)", (int)st->what.n, st->what.z);
    if ((rc = structure_args(s, st, "CENTRALITY",
                             (1u << H_OF) | (1u << H_TOP) | (1u << H_WEIGHTED) | (1u << H_DIRECTED) | (1u << H_WITHIN) |
                                 (1u << H_SAMPLE),
                             "",
                             &a)))
        return rc;
    const ast_clause_t *const *c = a.c;
    long top = a.top;
    int programs = 0;
    if (c[H_OF]) {
        const char *of = (rc = one_value(s, c[H_OF])) ? NULL : qry_text(s, c[H_OF]->v, "organisations or programs");
        if (!of) return s->ctx.code;
        int t = qry_type_word(of, strlen(of));
        if (t != QRY_ORGANISATION && t != QRY_PROGRAM)
            return qry_fail(s, &c[H_OF]->v->tok, "CENTRALITY is OF organisations or programs, not '%s'", of);
        programs = t == QRY_PROGRAM;
    }
    int directed = c[H_DIRECTED] != NULL;
    long hops = -1;
    if (c[H_WITHIN]) {
        if (measure != ENG_BETWEENNESS && measure != ENG_CLOSENESS && measure != ENG_HARMONIC)
            return qry_fail(s, &c[H_WITHIN]->key, "WITHIN k HOPS limits betweenness, closeness and harmonic, not %s",
                            eng_measure_name[measure]);
        if (c[H_WEIGHTED])
            return qry_fail(s, &c[H_WITHIN]->key, "WITHIN counts steps; it does not combine with WEIGHTED");
        if ((rc = one_value(s, c[H_WITHIN])) || (rc = qry_number(s, c[H_WITHIN]->v, &hops))) return rc;
        if (hops < 1 || hops > UTIL_MAX_CENTRALITY_HOPS)
            return qry_fail(s, &c[H_WITHIN]->v->tok, "WITHIN takes 1 to %d hops", UTIL_MAX_CENTRALITY_HOPS);
    }
    long pivots = -1;
    if (c[H_SAMPLE]) {
        if (measure != ENG_BETWEENNESS)
            return qry_fail(s, &c[H_SAMPLE]->key, "SAMPLE n estimates betweenness, not %s", eng_measure_name[measure]);
        if (c[H_WITHIN])
            return qry_fail(s, &c[H_SAMPLE]->key, "SAMPLE and WITHIN are two ways to approximate; choose one");
        if ((rc = one_value(s, c[H_SAMPLE])) || (rc = qry_number(s, c[H_SAMPLE]->v, &pivots))) return rc;
        if (pivots < UTIL_MIN_SAMPLE || pivots > UTIL_MAX_SAMPLE)
            return qry_fail(s, &c[H_SAMPLE]->v->tok, "SAMPLE takes %d to %ld organisations to start paths from",
                            UTIL_MIN_SAMPLE, UTIL_MAX_SAMPLE);
    }
    if (directed && (measure == ENG_CONSTRAINT || measure == ENG_EFFECTIVE_SIZE))
        return qry_fail(s, &c[H_DIRECTED]->key, "%s looks at who works with whom, in either direction: drop DIRECTED",
                        eng_measure_name[measure]);
    const eng_graph_t *gr = NULL;
    if ((rc = graph(s, st, a.district, programs, directed, &a.sectors, &net, &gr))) return rc;
    igraph_vector_t val, margin;
    tsg_error_t err = {0};
    int weighted = c[H_WEIGHTED] != NULL, sampled = pivots > 0;
    if (sampled ? eng_betweenness_sample(gr, weighted, pivots, SAMPLE_SEED, &val, &margin, &err)
                : eng_centrality(gr, measure, weighted, (double)hops, &val, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    ranked_t *order = malloc(((size_t)gr->n + 1) * sizeof *order);
    for (igraph_integer_t v = 0; order && v < gr->n; v++) order[v] = (ranked_t){VECTOR(val)[v], v};
    if (order) qsort(order, (size_t)gr->n, sizeof *order, by_value);
    const char *cols[] = {"rank", "id", "name", programs ? "organisation" : "sector", eng_measure_name[measure],
                          "margin_95"};
    tsg_result_t *r = order ? qry_result_new(NULL, 5 + sampled, cols) : NULL;
    for (igraph_integer_t i = 0; r && i < gr->n && (top < 0 || i < top); i++) {
        int64_t nid = gr->nid[order[i].v];
        char rank[24], value[40], pm[40];
        snprintf(rank, sizeof rank, "%ld", (long)i + 1);
        snprintf(value, sizeof value, "%.12g", order[i].value);
        if (sampled) snprintf(pm, sizeof pm, "%.6g", VECTOR(margin)[order[i].v]);
        const char *cells[6] = {rank, net->id[nid], net->name[nid],
                                programs ? net->name[net->org_of[nid]] : net->sector[nid], value, pm};
        r = qry_result_row(r, cells);
    }
    if (r) r->right[0] = r->right[4] = 1;
    if (r && sampled) r->right[5] = 1;
    free(order);
    igraph_vector_destroy(&val);
    if (sampled) igraph_vector_destroy(&margin);
    return qry_emit(s, r);
}

/* BROKERS: the organisations that pass people between others, by role. */
static tsg_status_t exec_brokers(qry_session_t *s, const ast_stmt_t *st)
{
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    structure_args_t a;
    tsg_status_t rc;
    if ((rc = structure_args(s, st, "BROKERS", 1u << H_TOP, "IN 'district', SECTORS sector, … and TOP n", &a)) ||
        (rc = graph(s, st, a.district, 0, 1, &a.sectors, &net, &gr)))
        return rc;
    long top = a.top;
    long *roles;
    tsg_error_t err = {0};
    if (eng_brokerage(net, gr, &roles, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    ranked_t *order = malloc(((size_t)gr->n + 1) * sizeof *order);
    igraph_integer_t k = 0;
    for (igraph_integer_t v = 0; order && v < gr->n; v++) {
        long total = 0;
        for (int r = 0; r < 5; r++) total += roles[v * 5 + r];
        if (total) order[k++] = (ranked_t){(double)total, v};
    }
    if (order) qsort(order, (size_t)k, sizeof *order, by_value);
    static const char *const cols[] = {"id", "name", "sector", "coordinator", "gatekeeper", "representative",
                                       "itinerant", "liaison", "total"};
    tsg_result_t *r = order ? qry_result_new(NULL, 9, cols) : NULL;
    for (igraph_integer_t i = 0; r && i < k && (top < 0 || i < top); i++) {
        igraph_integer_t v = order[i].v;
        int64_t nid = gr->nid[v];
        char num[6][24];
        const char *cells[9] = {net->id[nid], net->name[nid], net->sector[nid]};
        for (int j = 0; j < 5; j++) {
            snprintf(num[j], sizeof num[j], "%ld", roles[v * 5 + j]);
            cells[3 + j] = num[j];
        }
        snprintf(num[5], sizeof num[5], "%.0f", order[i].value);
        cells[8] = num[5];
        r = qry_result_row(r, cells);
    }
    for (int j = 3; r && j < 9; j++) r->right[j] = 1;
    free(order);
    free(roles);
    return qry_emit(s, r);
}

/* THIN LINKS: pairs of groups (sectors, wards or communities) with the
 * fewest ties for their size (the engine ranks them). */
enum { T_IN, T_BY, T_BETWEEN, T_TOP, T_COUNT };

static const clause_spec_t thin_spec[] = {
    {"in", "IN 'district'"}, {"by", "BY sector|ward|community"}, {"between", "BETWEEN sector AND sector"},
    {"top", "TOP n"}, {NULL, NULL},
};

#define MAX_GROUPS 256

/* Each vertex's group (-1: none) and the groups' names: by sector (0), by
 * ward (1) or by community (2, names malloc'd into owned[]). */
static tsg_status_t groups_of(qry_session_t *s, const ast_stmt_t *st, const eng_net_t *net, const eng_graph_t *gr,
                              int by, int *group, const char **names, int *ng, char **owned, int *nowned)
{
    *ng = *nowned = 0;
    if (by == 2) {
        igraph_vector_int_t membership;
        igraph_integer_t ncom;
        tsg_error_t err = {0};
        if (eng_communities(gr, 0, &membership, &ncom, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        if (ncom > MAX_GROUPS) ncom = MAX_GROUPS;
        tsg_status_t rc = eng_community_names(net, gr, &membership, ncom, owned, &err);
        if (rc) {
            igraph_vector_int_destroy(&membership);
            return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
        }
        *nowned = *ng = (int)ncom;
        for (int k = 0; k < *ng; k++) names[k] = owned[k];
        for (igraph_integer_t v = 0; v < gr->n; v++)
            group[v] = VECTOR(membership)[v] < ncom ? (int)VECTOR(membership)[v] : -1;
        igraph_vector_int_destroy(&membership);
        return TSG_OK;
    }
    for (igraph_integer_t v = 0; v < gr->n; v++) {
        int64_t nid = gr->nid[v], key = 0;
        const char *name = NULL;
        if (by == 0) {
            name = net->sector[nid];
        } else {
            /* The loader refused a tree with a loop; the bound is a guard. */
            int64_t steps = 0;
            for (int64_t d = net->based[nid]; d > 0 && steps++ <= net->maxnid; d = net->parent[d])
                if (net->level[d] == ENG_WARD) key = d;
            name = key ? net->name[key] : NULL;
        }
        int k = 0;
        while (name && k < *ng && strcmp(names[k], name)) k++;
        if (name && k == *ng && *ng < MAX_GROUPS) names[(*ng)++] = name;
        group[v] = name && k < *ng ? k : -1;
    }
    return TSG_OK;
}

static tsg_status_t exec_thin_links(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_clause_t *c[T_COUNT];
    const eng_net_t *net = NULL;
    const eng_graph_t *gr = NULL;
    int64_t district;
    tsg_status_t rc;
    if ((rc = read_clauses(s, st, "THIN LINKS", thin_spec, c)) || (rc = scope(s, c[T_IN], &district))) return rc;
    int by = 0; /* 0 sector, 1 ward, 2 community */
    if (c[T_BY]) {
        const char *w = (rc = one_value(s, c[T_BY])) ? NULL : qry_text(s, c[T_BY]->v, "sector, ward or community");
        if (!w) return s->ctx.code;
        by = !strcasecmp(w, "sector") ? 0 : !strcasecmp(w, "ward") ? 1 : !strcasecmp(w, "community") ? 2 : -1;
        if (by < 0) return qry_fail(s, &c[T_BY]->v->tok, "BY takes sector, ward or community, not '%s'", w);
    }
    const char *between[2] = {NULL, NULL};
    if (c[T_BETWEEN]) {
        const ast_value_t *v = c[T_BETWEEN]->v;
        if (!v || !v->next || v->next->next) return qry_fail(s, &c[T_BETWEEN]->key, "BETWEEN takes two sectors: BETWEEN npo AND company");
        if (by) return qry_fail(s, &c[T_BETWEEN]->key, "BETWEEN names sectors; leave out BY");
        if ((rc = qry_key(s, v, "sector", &between[0])) || (rc = qry_key(s, v->next, "sector", &between[1]))) return rc;
    }
    long top = -1;
    if (c[T_TOP] && ((rc = one_value(s, c[T_TOP])) || (rc = qry_number(s, c[T_TOP]->v, &top)))) return rc;
    if ((rc = graph(s, st, district, 0, 0, NULL, &net, &gr))) return rc;
    int *group = malloc(((size_t)gr->n + 1) * sizeof *group);
    const char *names[MAX_GROUPS];
    char *owned[MAX_GROUPS];
    int ng = 0, nowned = 0;
    long size[MAX_GROUPS];
    eng_pair_t *pairs = NULL;
    size_t np = 0;
    tsg_error_t err = {0};
    if (!group) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    if (!rc) rc = groups_of(s, st, net, gr, by, group, names, &ng, owned, &nowned);
    if (!rc && eng_thin_pairs(gr, group, ng, size, &pairs, &np, &err))
        rc = gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    static const char *const cols[] = {"group_a", "group_b", "orgs_a", "orgs_b", "ties", "expected", "ratio"};
    tsg_result_t *r = rc ? NULL : qry_result_new(by == 0 ? "sectors" : by == 1 ? "wards" : "communities", 7, cols);
    long shown = 0;
    for (size_t i = 0; r && i < np && (top < 0 || shown < top); i++) {
        const char *na_ = names[pairs[i].a], *nb_ = names[pairs[i].b];
        if (between[0] && !((!strcmp(na_, between[0]) && !strcmp(nb_, between[1])) ||
                            (!strcmp(na_, between[1]) && !strcmp(nb_, between[0]))))
            continue;
        char na[24], nb[24], t[24], e[32], q[32];
        snprintf(na, sizeof na, "%ld", size[pairs[i].a]);
        snprintf(nb, sizeof nb, "%ld", size[pairs[i].b]);
        snprintf(t, sizeof t, "%ld", pairs[i].ties);
        snprintf(e, sizeof e, "%.2f", pairs[i].expected);
        snprintf(q, sizeof q, "%.2f", pairs[i].ratio);
        const char *cells[7] = {na_, nb_, na, nb, t, e, q};
        r = qry_result_row(r, cells);
        shown++;
    }
    for (int j = 2; r && j < 7; j++) r->right[j] = 1;
    if (!rc) rc = qry_emit(s, r);
    for (int k = 0; k < nowned; k++) free(owned[k]);
    free(group);
    free(pairs);
    return rc;
}

tsg_status_t qry_exec_analysis(qry_session_t *s, const ast_stmt_t *st)
{
    switch (st->kind) {
    case AST_GAPS: return exec_gaps(s, st);
    case AST_COVERAGE: return exec_coverage(s, st);
    case AST_PATH: return exec_path(s, st);
    case AST_REACH: return exec_reach(s, st);
    case AST_HORIZONTAL: return exec_horizontal(s, st);
    case AST_CENTRALITY: return exec_centrality(s, st);
    case AST_BROKERS: return exec_brokers(s, st);
    case AST_THIN_LINKS: return exec_thin_links(s, st);
    default: return qry_fail(s, &st->kw, "not an analysis");
    }
}
