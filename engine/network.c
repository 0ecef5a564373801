/* network — loading the network into memory; see network.h. */
#include "network.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static tsg_status_t sql_fail(sqlite3 *db, tsg_error_t *err)
{
    return util_fail(err, sqlite3_errcode(db) == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB, "database: %s",
                     sqlite3_errmsg(db));
}

static int list_add(eng_list_t *l, const char *s)
{
    char **v = realloc(l->v, (size_t)(l->n + 1) * sizeof *v);
    if (!v) return -1;
    l->v = v;
    if (!(l->v[l->n] = util_strdup(s))) return -1;
    l->n++;
    return 0;
}

static void list_free(eng_list_t *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
}

int eng_list_has(const eng_list_t *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], key)) return 1;
    return 0;
}

void eng_net_free(eng_net_t *net)
{
    if (!net) return;
    for (int64_t i = 0; i <= net->maxnid && net->id; i++) {
        free(net->id[i]);
        free(net->name[i]);
        if (net->sector) free(net->sector[i]);
    }
    free(net->sector);
    free(net->based);
    for (size_t i = 0; i < net->nprograms; i++) {
        list_free(&net->programs[i].targets);
        list_free(&net->programs[i].needs);
        list_free(&net->programs[i].modes);
        free(net->programs[i].area);
    }
    free(net->type);
    free(net->id);
    free(net->name);
    free(net->parent);
    free(net->level);
    free(net->org_of);
    free(net->prog);
    free(net->programs);
    free(net->ties);
    free(net->off);
    free(net->steps);
    free(net);
}

int eng_under(const eng_net_t *net, int64_t d, int64_t anc)
{
    for (int64_t steps = 0; d > 0 && d <= net->maxnid && steps <= net->maxnid; steps++) {
        if (d == anc) return 1;
        d = net->parent[d];
    }
    return 0;
}

int eng_serves(const eng_net_t *net, const eng_program_t *p, int64_t s)
{
    if (p->wide) return 1;
    for (int i = 0; i < p->narea; i++)
        if (eng_under(net, s, p->area[i])) return 1;
    return 0;
}

int eng_meets(const eng_net_t *net, const eng_program_t *p, int64_t d)
{
    if (p->wide) return 1;
    for (int i = 0; i < p->narea; i++)
        if (eng_under(net, d, p->area[i]) || eng_under(net, p->area[i], d)) return 1;
    return 0;
}

static int tie_kind(const char *k)
{
    static const char *const kinds[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(k, kinds[i])) return i;
    return ENG_INFO_SHARING;
}

static tsg_status_t load_nodes(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(nid) FROM node", -1, &st, NULL) != SQLITE_OK) return sql_fail(db, err);
    net->maxnid = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    size_t n = (size_t)net->maxnid + 2;
    net->type = calloc(n, 1);
    net->id = calloc(n, sizeof *net->id);
    net->name = calloc(n, sizeof *net->name);
    net->parent = calloc(n, sizeof *net->parent);
    net->level = calloc(n, 1);
    net->org_of = calloc(n, sizeof *net->org_of);
    net->based = calloc(n, sizeof *net->based);
    net->sector = calloc(n, sizeof *net->sector);
    net->prog = malloc(n * sizeof *net->prog);
    if (!net->type || !net->id || !net->name || !net->parent || !net->level || !net->org_of || !net->prog ||
        !net->based || !net->sector)
        return util_fail(err, TSG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) net->prog[i] = -1;
    static const char sql[] =
        "SELECT n.nid, n.type, n.id, coalesce(d.name, o.name, p.name, f.name), d.parent, p.org, d.level,"
        " coalesce(o.district, f.district), o.sector FROM node n"
        " LEFT JOIN district d ON d.nid = n.nid LEFT JOIN organisation o ON o.nid = n.nid"
        " LEFT JOIN program p ON p.nid = n.nid LEFT JOIN forum f ON f.nid = n.nid";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return sql_fail(db, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        net->type[nid] = type[0] == 'd' ? ENG_DISTRICT : type[0] == 'o' ? ENG_ORGANISATION
                                                                         : type[0] == 'p' ? ENG_PROGRAM : ENG_FORUM;
        net->id[nid] = util_strdup((const char *)sqlite3_column_text(st, 2));
        const char *name = (const char *)sqlite3_column_text(st, 3);
        net->name[nid] = util_strdup(name ? name : "");
        net->parent[nid] = sqlite3_column_int64(st, 4);
        net->org_of[nid] = sqlite3_column_int64(st, 5);
        net->based[nid] = sqlite3_column_int64(st, 7);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL &&
            !(net->sector[nid] = util_strdup((const char *)sqlite3_column_text(st, 8)))) {
            sqlite3_finalize(st);
            return util_fail(err, TSG_ENOMEM, "out of memory");
        }
        static const char *const levels[] = {"prefecture", "municipality", "ward", "school_district", "neighbourhood"};
        const char *level = (const char *)sqlite3_column_text(st, 6);
        for (int l = 0; level && l < 5; l++)
            if (!strcmp(level, levels[l])) net->level[nid] = (unsigned char)(l + 1);
        if (!net->id[nid] || !net->name[nid]) {
            sqlite3_finalize(st);
            return util_fail(err, TSG_ENOMEM, "out of memory");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : sql_fail(db, err);
}

static tsg_status_t load_programs(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT nid, org, age_min, age_max, wide_area, starts, ends FROM program ORDER BY nid", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (net->nprograms == cap) {
            cap = cap ? cap * 2 : 256;
            eng_program_t *grown = realloc(net->programs, cap * sizeof *grown);
            if (!grown) {
                sqlite3_finalize(st);
                return util_fail(err, TSG_ENOMEM, "out of memory");
            }
            net->programs = grown;
        }
        eng_program_t *p = &net->programs[net->nprograms];
        memset(p, 0, sizeof *p);
        p->nid = sqlite3_column_int64(st, 0);
        p->org = sqlite3_column_int64(st, 1);
        p->age_min = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
        p->age_max = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
        p->wide = sqlite3_column_int(st, 4);
        p->starts = store_date_first((const char *)sqlite3_column_text(st, 5));
        p->ends = store_date_last((const char *)sqlite3_column_text(st, 6));
        net->prog[p->nid] = (int32_t)net->nprograms++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sql_fail(db, err);
    /* The lists, each in one scan. */
    static const char *const lists[] = {
        "SELECT program, target FROM program_target ORDER BY program, pos",
        "SELECT program, need FROM program_need ORDER BY program, pos",
        "SELECT program, mode FROM program_mode ORDER BY program, pos",
    };
    for (int l = 0; l < 3; l++) {
        if (sqlite3_prepare_v2(db, lists[l], -1, &st, NULL) != SQLITE_OK) return sql_fail(db, err);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t nid = sqlite3_column_int64(st, 0);
            eng_program_t *p = &net->programs[net->prog[nid]];
            eng_list_t *list = l == 0 ? &p->targets : l == 1 ? &p->needs : &p->modes;
            if (list_add(list, (const char *)sqlite3_column_text(st, 1))) {
                sqlite3_finalize(st);
                return util_fail(err, TSG_ENOMEM, "out of memory");
            }
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return sql_fail(db, err);
    }
    if (sqlite3_prepare_v2(db, "SELECT program, district FROM program_area ORDER BY program, pos", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        eng_program_t *p = &net->programs[net->prog[sqlite3_column_int64(st, 0)]];
        int64_t *a = realloc(p->area, (size_t)(p->narea + 1) * sizeof *a);
        if (!a) {
            sqlite3_finalize(st);
            return util_fail(err, TSG_ENOMEM, "out of memory");
        }
        p->area = a;
        p->area[p->narea++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sql_fail(db, err);
    for (size_t i = 0; i < net->nprograms; i++) {
        eng_program_t *p = &net->programs[i];
        p->entry = eng_list_has(&p->needs, "consultation") &&
                   (eng_list_has(&p->modes, "counter") || eng_list_has(&p->modes, "phone") ||
                    eng_list_has(&p->modes, "chat"));
    }
    return TSG_OK;
}

static tsg_status_t load_ties(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT src, dst, kind, directed, count FROM tie ORDER BY tid", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (net->nties == cap) {
            cap = cap ? cap * 2 : 1024;
            eng_tie_t *grown = realloc(net->ties, cap * sizeof *grown);
            if (!grown) {
                sqlite3_finalize(st);
                return util_fail(err, TSG_ENOMEM, "out of memory");
            }
            net->ties = grown;
        }
        eng_tie_t *t = &net->ties[net->nties++];
        t->src = sqlite3_column_int64(st, 0);
        t->dst = sqlite3_column_int64(st, 1);
        t->kind = tie_kind((const char *)sqlite3_column_text(st, 2));
        t->directed = sqlite3_column_int(st, 3);
        t->count = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return sql_fail(db, err);
    /* Steps in CSR form: count, prefix sums, fill. */
    size_t n = (size_t)net->maxnid + 2;
    net->off = calloc(n + 1, sizeof *net->off);
    size_t total = 0;
    for (size_t i = 0; i < net->nties; i++) total += net->ties[i].directed ? 1 : 2;
    net->steps = malloc((total ? total : 1) * sizeof *net->steps);
    if (!net->off || !net->steps) return util_fail(err, TSG_ENOMEM, "out of memory");
    for (size_t i = 0; i < net->nties; i++) {
        net->off[net->ties[i].src + 1]++;
        if (!net->ties[i].directed) net->off[net->ties[i].dst + 1]++;
    }
    for (size_t i = 1; i <= n; i++) net->off[i] += net->off[i - 1];
    size_t *fill = malloc(n * sizeof *fill);
    if (!fill) return util_fail(err, TSG_ENOMEM, "out of memory");
    memcpy(fill, net->off, n * sizeof *fill);
    for (size_t i = 0; i < net->nties; i++) {
        const eng_tie_t *t = &net->ties[i];
        net->steps[fill[t->src]++] = (eng_step_t){t->dst, (int32_t)i};
        if (!t->directed) net->steps[fill[t->dst]++] = (eng_step_t){t->src, (int32_t)i};
    }
    free(fill);
    return TSG_OK;
}

tsg_status_t eng_net_load(sqlite3 *db, eng_net_t **out, tsg_error_t *err)
{
    *out = NULL;
    eng_net_t *net = calloc(1, sizeof *net);
    if (!net) return util_fail(err, TSG_ENOMEM, "out of memory");
    /* One read transaction, so the tables agree with each other. */
    tsg_status_t s = sqlite3_exec(db, "SAVEPOINT eng_load", NULL, NULL, NULL) == SQLITE_OK ? TSG_OK : sql_fail(db, err);
    if (!s) s = load_nodes(db, net, err);
    if (!s) s = load_programs(db, net, err);
    if (!s) s = load_ties(db, net, err);
    sqlite3_exec(db, "RELEASE eng_load", NULL, NULL, NULL);
    if (s) {
        eng_net_free(net);
        return s;
    }
    *out = net;
    return TSG_OK;
}
