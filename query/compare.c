/*
 * compare — COMPARE 'then' TO 'now' and COMPARE WITH 'other.db': what
 * changed between two dates of this database, or between another file (the
 * earlier side, as an office keeping one file a year opens this year's) and
 * this one. The two networks are loaded here and handed to the engine's
 * pure diff (engine/compare.c); HORIZONTAL's measures and GAPS are the
 * engine's own (eng_horizontal, eng_gaps) run once on each side. The tables
 * (changes.h) are shared with RENDER CHANGES and REPORT CHANGES.
 */
#include "changes.h"
#include "atomic.h"
#include "choices.h"
#include "query.h"
#include "result.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* How people read each change (the key stays in column change). */
static const char *const change_label[] = {NC_("change", "kept"),    NC_("change", "gained"), NC_("change", "lost"),
                                           NC_("change", "changed"), NC_("change", "joined"), NC_("change", "left"),
                                           NC_("change", "opened"),  NC_("change", "closed")};

const char *qry_change_label(int change) { return util_pgettext_ctx("change", change_label[change]); }

void qry_changes_free(qry_changes_t *c)
{
    free(c->nodes);
    free(c->ties);
    free(c->gaps);
    free(c->gaps_a);
    free(c->gaps_b);
    free(c->orgs);
    if (c->have_h) {
        eng_horizontal_free(&c->ha);
        eng_horizontal_free(&c->hb);
    }
    eng_graph_free(&c->ua);
    eng_graph_free(&c->ub);
    eng_graph_free(&c->wa);
    eng_graph_free(&c->wb);
    if (c->own_a) eng_net_free((eng_net_t *)c->a);
    if (c->own_b) eng_net_free((eng_net_t *)c->b);
    if (c->other) tsg_close(c->other);
    free(c->label_a);
    free(c->label_b);
    memset(c, 0, sizeof *c);
}

/* The other file of COMPARE WITH: read and never written
 * (store_open_read_only: no WAL switch, no -wal or -shm made beside it, an
 * older schema refused rather than migrated), its rows checked, its network
 * read straight from it (no cache file is written for it). */
static tsg_status_t load_other(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    const char *path = qry_text(s, st->other, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    /* An empty name would open nothing and name nothing in the message. */
    if (!*path) return qry_fail(s, &st->other->tok, _("COMPARE WITH needs the file name of a tsunagi database"));
    tsg_error_t err = {0};
    eng_net_t *net = NULL;
    /* The database in use compared with itself would say nothing changed. */
    const char *own = sqlite3_db_filename(s->sql, "main");
    if (own && *own && util_same_file(path, own))
        return qry_fail(s, &st->other->tok, _("%s is the database in use: COMPARE WITH compares it with another file"),
                        path);
    if (store_open_read_only(path, &c->other, &err) || store_check(c->other, &err) || eng_net_load(c->other, &net, &err))
        return gram_fail(&s->ctx, err.code, &st->other->tok, "%s", err.text);
    c->a = net;
    c->own_a = 1;
    if (!(c->label_a = util_strdup(path))) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    const eng_net_t *now;
    tsg_status_t rc = qry_network(s, &now);
    if (rc) return rc;
    c->b = now;
    if (!(c->label_b = util_strdup(_("this database")))) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    return TSG_OK;
}

/* Both networks as they were on their days. */
static tsg_status_t load_at(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    tsg_error_t err = {0};
    eng_net_t *a = NULL, *b = NULL;
    if (eng_net_load_at(s->db, c->day_a, &a, &err)) return gram_fail(&s->ctx, err.code, &st->then->tok, "%s", err.text);
    c->a = a;
    c->own_a = 1;
    if (eng_net_load_at(s->db, c->day_b, &b, &err)) return gram_fail(&s->ctx, err.code, &st->now->tok, "%s", err.text);
    c->b = b;
    c->own_b = 1;
    return TSG_OK;
}

/* COMPARE 'then' TO 'now': both dates of this database (eng_net_load_at). */
static tsg_status_t load_dates(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    char then[11], now[11];
    tsg_status_t rc;
    if ((rc = qry_date(s, st->then, then)) || (rc = qry_date(s, st->now, now))) return rc;
    /* A month or a year means its first day, as AS OF reads it. */
    c->day_a = util_date_first(then);
    c->day_b = util_date_first(now);
    if (c->day_a > c->day_b)
        return qry_fail(s, &st->then->tok, _("COMPARE goes from the earlier date to the later: '%s' is after '%s'"), then,
                        now);
    if ((rc = qry_load(s))) return rc;
    if (!(c->label_a = util_strdup(then)) || !(c->label_b = util_strdup(now)))
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    return load_at(s, st, c);
}

/* The IN district in each network, found by its id (two files number their
 * nodes apart); a district one side lacks is an error, not an empty side. */
static tsg_status_t scope(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    const ast_clause_t *in = st->cl[AST_CL_IN];
    if (!in) return TSG_OK;
    const qry_name_t *d;
    tsg_status_t rc = qry_node_ref(s, in->node, 1u << QRY_DISTRICT, &d);
    if (rc) return rc;
    c->district_a = eng_nid_of(c->a, d->id);
    c->district_b = eng_nid_of(c->b, d->id);
    if (c->district_a <= 0 || c->a->type[c->district_a] != ENG_DISTRICT)
        return qry_fail(s, &in->node->v->tok, _("district '%s' is not in %s"), d->name, c->label_a);
    if (c->district_b <= 0 || c->b->type[c->district_b] != ENG_DISTRICT)
        return qry_fail(s, &in->node->v->tok, _("district '%s' is not in %s"), d->name, c->label_b);
    c->district_name = c->b->name[c->district_b];
    return TSG_OK;
}

/* The first district above every other (the root): gaps without IN look at
 * the whole network. */
static int64_t root_of(const eng_net_t *net)
{
    for (int64_t v = 1; v <= net->maxnid; v++)
        if (net->type[v] == ENG_DISTRICT && !net->parent[v]) return v;
    return 0;
}

static tsg_status_t gaps(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    if (!st->cl[AST_CL_FOR] && !st->cl[AST_CL_AGED] && !st->cl[AST_CL_NEEDS]) return TSG_OK;
    /* The district is given per network below; 1 only says "not missing". */
    tsg_status_t rc = qry_gaps_args(s, st, 1, &c->ga);
    if (rc) return rc;
    c->has_gaps = 1;
    tsg_error_t err = {0};
    eng_gaps_query_t qa = c->ga.q, qb = c->ga.q;
    qa.district = c->district_a ? c->district_a : root_of(c->a);
    qb.district = c->district_b ? c->district_b : root_of(c->b);
    qa.as_of = c->day_a;
    qb.as_of = c->day_b;
    if (!qa.district || !qb.district) return qry_fail(s, &st->kw, _("COMPARE … FOR needs districts in both networks"));
    if (eng_gaps(c->a, &qa, &c->gaps_a, &c->ngaps_a, &err) || eng_gaps(c->b, &qb, &c->gaps_b, &c->ngaps_b, &err) ||
        eng_diff_gaps(c->a, c->gaps_a, c->ngaps_a, c->b, c->gaps_b, c->ngaps_b, &c->gaps, &c->ngaps, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    return TSG_OK;
}

tsg_status_t qry_changes_compute(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c)
{
    memset(c, 0, sizeof *c);
    tsg_status_t rc = st->other ? load_other(s, st, c) : load_dates(s, st, c);
    if (rc || (rc = scope(s, st, c))) return rc;
    tsg_error_t err = {0};
    int64_t da = c->district_a, db = c->district_b;
    if (eng_diff_nodes(c->a, da, c->day_a, c->b, db, c->day_b, &c->nodes, &c->nnodes, &err) ||
        eng_diff_ties(c->a, da, c->b, db, &c->ties, &c->nties, &err) ||
        eng_graph_build(c->a, da, 0, 0, NULL, 0, s->suppress_below, &c->ua, &err) ||
        eng_graph_build(c->b, db, 0, 0, NULL, 0, s->suppress_below, &c->ub, &err) ||
        eng_graph_build(c->a, da, 0, 1, NULL, 0, s->suppress_below, &c->wa, &err) ||
        eng_graph_build(c->b, db, 0, 1, NULL, 0, s->suppress_below, &c->wb, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (eng_horizontal_with(c->a, &c->ua, 0, &c->ha, &err)) return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (eng_horizontal_with(c->b, &c->ub, 0, &c->hb, &err)) {
        eng_horizontal_free(&c->ha);
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    c->have_h = 1;
    if (eng_diff_orgs(c->a, &c->ua, &c->wa, c->b, &c->ub, &c->wb, &c->orgs, &c->norgs, &err))
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    if (qry_should_stop(s)) return qry_fail(s, &st->kw, _("interrupted"));
    return gaps(s, st, c);
}

static tsg_status_t run_compare(qry_session_t *s, const ast_stmt_t *st)
{
    qry_changes_t c;
    tsg_status_t rc = qry_changes_compute(s, st, &c);
    if (!rc) rc = qry_changes_emit(s, &c);
    qry_changes_free(&c);
    return rc;
}

tsg_status_t qry_exec_compare(qry_session_t *s, const ast_stmt_t *st)
{
    if (st->kind == AST_COMPARE) return run_compare(s, st);
    if (!st->cl[AST_CL_TO])
        return qry_fail(s, &st->kw, _("%.*s CHANGES needs TO 'file'"), (int)st->kw.n, st->kw.z);
    return st->kind == AST_RENDER ? qry_exec_render_changes(s, st) : qry_exec_report_changes(s, st);
}
