/*
 * changes — COMPARE's tables (docs/language.md, COMPARE): who joined and
 * left, the ties gained and lost, the ties by kind and by sector pair, the
 * horizontal measures then and now, the gaps opened and closed, and each
 * organisation's degree and brokerage. Every table that lists changes has
 * a `change` column a script reads (gained, lost, changed, joined, left,
 * opened, closed) and the ids involved; the two sides' columns are `then`
 * and `now`, headed in tables by the dates (or the files) they stand for.
 */
#include "changes.h"
#include "result.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const tie_kind_name[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};
#define NKINDS 5

static const char *type_key(int type)
{
    return type == ENG_ORGANISATION ? "organisation" : type == ENG_PROGRAM ? "program" : type == ENG_FORUM ? "forum" : "";
}

/* The node a tie end stands for in the sector tables: a program's owner. */
static int64_t owner(const eng_net_t *net, int64_t v) { return net->type[v] == ENG_PROGRAM ? net->org_of[v] : v; }

/* Heads the `then` and `now` columns (first and first + 1) with the sides'
 * labels, so a table reads "2025-04-01 | 2026-04-01". */
static tsg_result_t *sides(tsg_result_t *r, const qry_changes_t *c, size_t first)
{
    if (r && (qry_result_head(r, first, c->label_a) || qry_result_head(r, first + 1, c->label_b))) {
        tsg_result_free(r);
        return NULL;
    }
    return r;
}

static tsg_result_t *keyed(qry_session_t *s, tsg_result_t *r, const size_t *cols, int n)
{
    for (int i = 0; r && i < n; i++)
        if (qry_result_keyed(r, cols[i], s->ja)) {
            tsg_result_free(r);
            return NULL;
        }
    return r;
}

/* "; " between two fields of a `before` text; 0 (as util_buf's calls). */
static int sep(util_buf_t *b) { return b->len ? util_buf_adds(b, "; ") : 0; }

static tsg_status_t emit_nodes(qry_session_t *s, const qry_changes_t *c)
{
    static const char *const cols[] = {NC_("column", "change"), NC_("column", "change_label"), NC_("column", "type"),
                                       NC_("column", "type_label"), NC_("column", "id"), NC_("column", "name"),
                                       NC_("column", "sector"), NC_("column", "sector_label"), NC_("column", "before")};
    static const size_t keys[] = {0, 2, 6};
    tsg_result_t *r = keyed(s, qry_result_new(_("organisations, programs and forums that joined or left"), 9, cols), keys, 3);
    /* Joined first, then left, then changed; each in id order (the diff's). */
    static const int order[] = {ENG_JOINED, ENG_LEFT, ENG_CHANGED};
    for (int o = 0; o < 3; o++)
        for (size_t i = 0; r && i < c->nnodes; i++) {
            const eng_node_change_t *n = &c->nodes[i];
            if (n->change != order[o]) continue;
            const eng_net_t *net = n->b ? c->b : c->a;
            int64_t v = n->b ? n->b : n->a;
            char *before = NULL;
            if (n->change == ENG_CHANGED) {
                /* What it was then, for each field that changed. */
                unsigned d = eng_node_diff(c->a, n->a, c->day_a, c->b, n->b, c->day_b);
                util_buf_t b = {0};
                const char *sa = c->a->sector[n->a];
                int64_t oa = c->a->org_of[n->a], da = c->a->based[n->a];
                if (d & ENG_DIFF_NAME) util_buf_printf(&b, _("name: %s"), c->a->name[n->a]);
                if ((d & ENG_DIFF_SECTOR) && !sep(&b))
                    util_buf_printf(&b, _("sector: %s"), sa ? qry_label(s, "sector", sa) : "—");
                if ((d & ENG_DIFF_OWNER) && !sep(&b)) util_buf_printf(&b, _("organisation: %s"), oa ? c->a->name[oa] : "—");
                if ((d & ENG_DIFF_DISTRICT) && !sep(&b)) util_buf_printf(&b, _("district: %s"), da ? c->a->name[da] : "—");
                /* A program that ran then and not now (its ENDS passed), or the other way. */
                if ((d & ENG_DIFF_RUNNING) && !sep(&b))
                    util_buf_adds(&b, eng_running(&c->a->programs[c->a->prog[n->a]], c->day_a) ? _("running")
                                                                                                : _("not running"));
                before = b.data;
            }
            const char *row[] = {eng_change_name[n->change], qry_change_label(n->change), type_key(net->type[v]),
                                 qry_type_noun(net->type[v]), net->id[v], net->name[v], net->sector[v],
                                 net->sector[v] ? qry_label(s, "sector", net->sector[v]) : NULL, before};
            r = qry_result_row(r, row);
            free(before);
        }
    return qry_emit(s, r);
}

static tsg_status_t emit_ties(qry_session_t *s, const qry_changes_t *c)
{
    static const char *const cols[] = {NC_("column", "change"), NC_("column", "change_label"), NC_("column", "kind"),
                                       NC_("column", "kind_label"), NC_("column", "from_id"), NC_("column", "from"),
                                       NC_("column", "to_id"), NC_("column", "to"), NC_("column", "then"),
                                       NC_("column", "now")};
    static const size_t keys[] = {0, 2};
    tsg_result_t *r = sides(keyed(s, qry_result_new(_("ties gained and lost"), 10, cols), keys, 2), c, 8);
    static const int order[] = {ENG_GAINED, ENG_LOST, ENG_CHANGED};
    for (int o = 0; o < 3; o++)
        for (size_t i = 0; r && i < c->nties; i++) {
            const eng_tie_change_t *t = &c->ties[i];
            if (t->change != order[o]) continue;
            const eng_net_t *net = t->b ? c->b : c->a;
            const eng_tie_t *tie = t->b ? t->b : t->a;
            char then[24] = "", now[24] = "";
            /* The count people a year, where one is recorded: a tie's count
             * changing is the change, otherwise it is context. */
            if (t->a && t->a->count >= 0) snprintf(then, sizeof then, "%ld", (long)t->a->count);
            if (t->b && t->b->count >= 0) snprintf(now, sizeof now, "%ld", (long)t->b->count);
            const char *kind = tie_kind_name[tie->kind];
            const char *row[] = {eng_change_name[t->change], qry_change_label(t->change), kind,
                                 qry_label(s, "tie_kind", kind), net->id[tie->src], net->name[tie->src],
                                 net->id[tie->dst], net->name[tie->dst], then, now};
            r = qry_result_row(r, row);
        }
    if (r) r->right[8] = r->right[9] = 1;
    r = qry_suppress(s, r, "then");
    r = qry_suppress(s, r, "now");
    return qry_emit(s, r);
}

/* then, now, gained, lost, kept (count changes count as kept) */
typedef struct tally {
    long then, now, gained, lost, kept;
} tally_t;

static void count(tally_t *t, int change)
{
    if (change != ENG_GAINED) t->then++;
    if (change != ENG_LOST) t->now++;
    if (change == ENG_GAINED) t->gained++;
    else if (change == ENG_LOST) t->lost++;
    else t->kept++;
}

static tsg_result_t *tally_row(tsg_result_t *r, const char *k1, const char *l1, const char *k2, const char *l2,
                               const tally_t *t)
{
    char n[5][24];
    snprintf(n[0], 24, "%ld", t->then);
    snprintf(n[1], 24, "%ld", t->now);
    snprintf(n[2], 24, "%ld", t->gained);
    snprintf(n[3], 24, "%ld", t->lost);
    snprintf(n[4], 24, "%ld", t->kept);
    const char *row2[] = {k1, l1, n[0], n[1], n[2], n[3], n[4]};
    const char *row4[] = {k1, l1, k2, l2, n[0], n[1], n[2], n[3], n[4]};
    return qry_result_row(r, k2 ? row4 : row2);
}

static tsg_status_t emit_kinds(qry_session_t *s, const qry_changes_t *c)
{
    tally_t t[NKINDS] = {{0}};
    for (size_t i = 0; i < c->nties; i++) {
        const eng_tie_t *tie = c->ties[i].b ? c->ties[i].b : c->ties[i].a;
        count(&t[tie->kind], c->ties[i].change);
    }
    static const char *const cols[] = {NC_("column", "kind"), NC_("column", "kind_label"), NC_("column", "then"),
                                       NC_("column", "now"), NC_("column", "gained"), NC_("column", "lost"),
                                       NC_("column", "kept")};
    static const size_t keys[] = {0};
    tsg_result_t *r = sides(keyed(s, qry_result_new(_("ties by kind"), 7, cols), keys, 1), c, 2);
    for (int k = 0; r && k < NKINDS; k++)
        if (t[k].then || t[k].now) r = tally_row(r, tie_kind_name[k], qry_label(s, "tie_kind", tie_kind_name[k]), NULL, NULL, &t[k]);
    for (int k = 2; r && k < 7; k++) r->right[k] = 1;
    return qry_emit(s, r);
}

/* The sectors in the vocabulary's order, and a sector's place in it. */
static int sector_index(qry_session_t *s, const char *sector)
{
    if (!sector) return -1;
    for (size_t i = 0, k = 0; i < s->vocab.n; i++) {
        if (strcmp(s->vocab.e[i].kind, "sector")) continue;
        if (!strcmp(s->vocab.e[i].key, sector)) return (int)k;
        k++;
    }
    return -1;
}

static const char *sector_key(qry_session_t *s, int k)
{
    for (size_t i = 0; i < s->vocab.n; i++)
        if (!strcmp(s->vocab.e[i].kind, "sector") && k-- == 0) return s->vocab.e[i].key;
    return NULL;
}

static tsg_status_t emit_sectors(qry_session_t *s, const qry_changes_t *c)
{
    int ns = 0;
    for (size_t i = 0; i < s->vocab.n; i++) ns += !strcmp(s->vocab.e[i].kind, "sector");
    tally_t *t = calloc((size_t)ns * (size_t)ns + 1, sizeof *t);
    if (!t) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    /* Between organisations, program ends lifted to their owners;
     * memberships join a forum, which has no sector. */
    for (size_t i = 0; i < c->nties; i++) {
        const eng_net_t *net = c->ties[i].b ? c->b : c->a;
        const eng_tie_t *tie = c->ties[i].b ? c->ties[i].b : c->ties[i].a;
        if (tie->kind == ENG_MEMBERSHIP) continue;
        int x = sector_index(s, net->sector[owner(net, tie->src)]), y = sector_index(s, net->sector[owner(net, tie->dst)]);
        if (x < 0 || y < 0) continue;
        if (x > y) {
            int z = x;
            x = y;
            y = z;
        }
        count(&t[x * ns + y], c->ties[i].change);
    }
    static const char *const cols[] = {NC_("column", "sector"), NC_("column", "sector_label"),
                                       NC_("column", "other_sector"), NC_("column", "other_sector_label"),
                                       NC_("column", "then"), NC_("column", "now"), NC_("column", "gained"),
                                       NC_("column", "lost"), NC_("column", "kept")};
    static const size_t keys[] = {0, 2};
    tsg_result_t *r = sides(keyed(s, qry_result_new(_("ties gained and lost by sector pair"), 9, cols), keys, 2), c, 4);
    /* The pairs whose ties changed: the others are the same then and now. */
    for (int x = 0; r && x < ns; x++)
        for (int y = x; r && y < ns; y++) {
            const tally_t *p = &t[x * ns + y];
            if (!p->gained && !p->lost) continue;
            const char *kx = sector_key(s, x), *ky = sector_key(s, y);
            r = tally_row(r, kx, qry_label(s, "sector", kx), ky, qry_label(s, "sector", ky), p);
        }
    for (int k = 4; r && k < 9; k++) r->right[k] = 1;
    free(t);
    return qry_emit(s, r);
}

/* A measure, or its change (sign: no "-0"). A gain has no "+": a CSV
 * writer quotes a cell that begins with one (a spreadsheet would read it as
 * a formula), and a script wants the number. */
static void num(char *buf, double x, int whole, int sign)
{
    snprintf(buf, 32, whole ? "%.0f" : "%.3f", x);
    if (sign && (!strcmp(buf, "-0") || !strcmp(buf, "-0.000"))) snprintf(buf, 32, "%s", whole ? "0" : "0.000");
}

static tsg_status_t emit_horizontal(qry_session_t *s, const qry_changes_t *c)
{
    const eng_horizontal_t *h[2] = {&c->ha, &c->hb};
    double v[2][7];
    for (int i = 0; i < 2; i++) {
        v[i][0] = (double)h[i]->orgs;
        v[i][1] = (double)h[i]->ties;
        v[i][2] = h[i]->ties ? 100.0 * (double)h[i]->ng_ties / (double)h[i]->ties : 0;
        v[i][3] = (double)igraph_vector_int_size(&h[i]->dependent);
        v[i][4] = (double)igraph_vector_int_size(&h[i]->pieces);
        v[i][5] = h[i]->ei_government;
        v[i][6] = h[i]->ei_sector;
    }
    /* The measures HORIZONTAL reports (their msgids are its own), and the
     * share of ties between non-government members as a percentage. */
    static const char *const names[] = {
        NC_("measure", "organisations"),
        NC_("measure", "ties"),
        NC_("measure", "share of ties between two non-government organisations, per cent"),
        NC_("measure", "vertically dependent organisations"),
        NC_("measure", "pieces without government"),
        NC_("measure", "E-I index, government / non-government"),
        NC_("measure", "E-I index, across sectors"),
    };
    /* Not betweenness centralization: all-pairs shortest paths on each
     * side, minutes on a hundred municipalities (HORIZONTAL has it). */
    static const int whole[] = {1, 1, 0, 1, 1, 0, 0};
    static const char *const cols[] = {NC_("column", "measure"), NC_("column", "measure_label"), NC_("column", "then"),
                                       NC_("column", "now"), NC_("column", "change")};
    static const size_t keys[] = {0};
    char title[600];
    if (c->district_name) util_snprintf(title, sizeof title, _("horizontal links in %s, then and now"), c->district_name);
    else util_snprintf(title, sizeof title, "%s", _("horizontal links in the whole network, then and now"));
    tsg_result_t *r = sides(keyed(s, qry_result_new(title, 5, cols), keys, 1), c, 2);
    for (int m = 0; r && m < 7; m++) {
        char a[32], b[32], d[32];
        if (m == 2) {
            snprintf(a, 32, "%.1f", v[0][m]);
            snprintf(b, 32, "%.1f", v[1][m]);
            snprintf(d, 32, "%.1f", v[1][m] - v[0][m]);
            if (!strcmp(d, "-0.0")) snprintf(d, 32, "0.0");
        } else {
            num(a, v[0][m], whole[m], 0);
            num(b, v[1][m], whole[m], 0);
            num(d, v[1][m] - v[0][m], whole[m], 1);
        }
        const char *row[] = {names[m], util_pgettext_ctx("measure", names[m]), a, b, d};
        r = qry_result_row(r, row);
    }
    for (int k = 2; r && k < 5; k++) r->right[k] = 1;
    return qry_emit(s, r);
}

static const char *const gap_kind[] = {"coverage", "reach", "seam", "fragility"};
static const char *const gap_label[] = {NC_("gap kind", "coverage"), NC_("gap kind", "reach"),
                                        NC_("gap kind", "seam"), NC_("gap kind", "fragility")};

static tsg_status_t emit_gaps(qry_session_t *s, const qry_changes_t *c)
{
    static const char *const cols[] = {NC_("column", "change"),  NC_("column", "change_label"), NC_("column", "kind"),
                                       NC_("column", "kind_label"), NC_("column", "district_id"), NC_("column", "district"),
                                       NC_("column", "need"),    NC_("column", "need_label"),   NC_("column", "age_from"),
                                       NC_("column", "age_to"),  NC_("column", "why")};
    static const size_t keys[] = {0, 2, 6};
    char title[600];
    util_snprintf(title, sizeof title, _("gaps for %s aged %d–%d opened and closed"),
                  qry_label(s, "target", c->ga.q.target), c->ga.q.age_from, c->ga.q.age_to);
    tsg_result_t *r = keyed(s, qry_result_new(title, 11, cols), keys, 3);
    static const int order[] = {ENG_OPENED, ENG_CLOSED};
    for (int o = 0; o < 2; o++)
        for (size_t i = 0; r && i < c->ngaps; i++) {
            const eng_gap_change_t *g = &c->gaps[i];
            if (g->change != order[o]) continue;
            const eng_net_t *net = g->change == ENG_OPENED ? c->b : c->a;
            char from[16], to[16];
            snprintf(from, sizeof from, "%d", g->gap->age_from);
            snprintf(to, sizeof to, "%d", g->gap->age_to);
            const char *row[] = {eng_change_name[g->change], qry_change_label(g->change), gap_kind[g->gap->kind],
                                 util_pgettext_ctx("gap kind", gap_label[g->gap->kind]), net->id[g->gap->district],
                                 net->name[g->gap->district], g->gap->need,
                                 g->gap->need ? qry_label(s, "need", g->gap->need) : NULL, from, to, g->gap->why};
            r = qry_result_row(r, row);
        }
    if (r) r->right[8] = r->right[9] = 1;
    return qry_emit(s, r);
}

static tsg_status_t emit_orgs(qry_session_t *s, const qry_changes_t *c)
{
    static const char *const cols[] = {NC_("column", "change"),        NC_("column", "change_label"),
                                       NC_("column", "id"),            NC_("column", "name"),
                                       NC_("column", "degree_then"),   NC_("column", "degree_now"),
                                       NC_("column", "brokerage_then"), NC_("column", "brokerage_now")};
    static const size_t keys[] = {0};
    tsg_result_t *r = keyed(s, qry_result_new(_("degree and brokerage of each organisation, largest changes first"), 8,
                                              cols), keys, 1);
    for (size_t i = 0; r && i < c->norgs; i++) {
        const eng_org_change_t *o = &c->orgs[i];
        const eng_net_t *net = o->b ? c->b : c->a;
        int64_t v = o->b ? o->b : o->a;
        char n[4][24] = {"", "", "", ""};
        if (o->a) snprintf(n[0], 24, "%ld", o->degree_a), snprintf(n[2], 24, "%ld", o->brokerage_a);
        if (o->b) snprintf(n[1], 24, "%ld", o->degree_b), snprintf(n[3], 24, "%ld", o->brokerage_b);
        const char *row[] = {eng_change_name[o->change], qry_change_label(o->change), net->id[v], net->name[v],
                             n[0], n[1], n[2], n[3]};
        r = qry_result_row(r, row);
    }
    for (int k = 4; r && k < 8; k++) r->right[k] = 1;
    return qry_emit(s, r);
}

tsg_status_t qry_changes_emit(qry_session_t *s, const qry_changes_t *c)
{
    tsg_status_t rc;
    if ((rc = emit_nodes(s, c)) || (rc = emit_ties(s, c)) || (rc = emit_kinds(s, c)) || (rc = emit_sectors(s, c)) ||
        (rc = emit_horizontal(s, c)))
        return rc;
    if (c->has_gaps && (rc = emit_gaps(s, c))) return rc;
    return emit_orgs(s, c);
}
