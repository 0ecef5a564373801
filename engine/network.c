/* network — loading the network into memory; see network.h. */
#include "network.h"
#include "store.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

static tsg_status_t sql_fail(sqlite3 *db, tsg_error_t *err)
{
    return util_fail(err, sqlite3_errcode(db) == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB, "database: %s",
                     sqlite3_errmsg(db));
}

/* The one copy of a key (sector, target, need, mode): a national network
 * repeats a few dozen keys millions of times. */
static char *intern(eng_net_t *net, const char *s)
{
    if (2 * (net->nkeys + 1) > net->keycap) {
        size_t cap = net->keycap ? net->keycap * 2 : 256;
        char **keys = calloc(cap, sizeof *keys);
        if (!keys) return NULL;
        for (size_t i = 0; i < net->keycap; i++)
            if (net->keys[i])
                for (size_t j = util_hash(net->keys[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
                    if (!keys[j]) {
                        keys[j] = net->keys[i];
                        break;
                    }
        free(net->keys);
        net->keys = keys;
        net->keycap = cap;
    }
    size_t j = util_hash(s) & (net->keycap - 1);
    for (; net->keys[j]; j = (j + 1) & (net->keycap - 1))
        if (!strcmp(net->keys[j], s)) return net->keys[j];
    if (!(net->keys[j] = util_pool_copy(&net->pool, s, strlen(s)))) return NULL;
    net->nkeys++;
    return net->keys[j];
}

/* The slot of key s in net->keys, or -1. */
static long key_slot(const eng_net_t *net, const char *s)
{
    if (!net->keycap) return -1;
    for (size_t j = util_hash(s) & (net->keycap - 1); net->keys[j]; j = (j + 1) & (net->keycap - 1))
        if (!strcmp(net->keys[j], s)) return (long)j;
    return -1;
}

const char *eng_key(const eng_net_t *net, const char *s)
{
    long j = key_slot(net, s);
    return j < 0 ? NULL : net->keys[j];
}

const int32_t *eng_for_group(const eng_net_t *net, const char *target, const char *need, size_t *n)
{
    if (!net->pair_off) {
        *n = (size_t)-1;
        return NULL;
    }
    long t = key_slot(net, target), j = key_slot(net, need);
    size_t k = (size_t)t * net->keycap + (size_t)j;
    *n = t < 0 || j < 0 ? 0 : net->pair_off[k + 1] - net->pair_off[k];
    return *n ? &net->pair_progs[net->pair_off[k]] : NULL;
}

int eng_list_holds(const eng_list_t *l, const char *key)
{
    for (int i = 0; i < l->n; i++)
        if (l->v[i] == key) return 1;
    return 0;
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
    util_pool_free(&net->pool);
    void *owned[] = {net->keys, net->lists, net->areas, net->sector, net->based, net->type, net->id, net->name,
                     net->parent, net->level, net->org_of, net->prog, net->programs, net->ties, net->off, net->steps,
                     net->in_off, net->in_steps, net->child_off, net->children, net->area_off, net->area_progs,
                     net->wide, net->first_prog, net->next_prog, net->mark, net->pair_off, net->pair_progs};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++) free(owned[i]);
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

static tsg_status_t oom(tsg_error_t *err)
{
    return util_fail(err, TSG_ENOMEM, "out of memory");
}

/* Runs sql and hands each row to fn; stops at the first non-zero return. */
typedef tsg_status_t (*row_fn)(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err);

static tsg_status_t each_row(sqlite3 *db, const char *sql, eng_net_t *net, row_fn fn, void *ctx, tsg_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return sql_fail(db, err);
    int rc;
    tsg_status_t s = TSG_OK;
    while (!s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid < 1 || nid > net->maxnid) {
            s = util_fail(err, TSG_EDB, "database: node %lld is out of range", (long long)nid);
            break;
        }
        s = fn(net, st, ctx, err);
    }
    if (!s && rc != SQLITE_DONE) s = sql_fail(db, err);
    sqlite3_finalize(st);
    return s;
}

static char *column_copy(eng_net_t *net, sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    return util_pool_copy(&net->pool, text ? text : "", text ? (size_t)sqlite3_column_bytes(st, col) : 0);
}

static tsg_status_t node_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    (void)ctx;
    int64_t nid = sqlite3_column_int64(st, 0);
    const char *type = (const char *)sqlite3_column_text(st, 1);
    net->type[nid] = !type ? 0 : type[0] == 'd' ? ENG_DISTRICT : type[0] == 'o' ? ENG_ORGANISATION
                                  : type[0] == 'p' ? ENG_PROGRAM : ENG_FORUM;
    return (net->id[nid] = column_copy(net, st, 2)) ? TSG_OK : oom(err);
}

static tsg_status_t district_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    (void)ctx;
    static const char *const levels[] = {"prefecture", "municipality", "ward", "school_district", "neighbourhood"};
    int64_t nid = sqlite3_column_int64(st, 0);
    int64_t parent = sqlite3_column_int64(st, 2);
    net->parent[nid] = parent >= 1 && parent <= net->maxnid ? parent : 0;
    const char *level = (const char *)sqlite3_column_text(st, 3);
    for (int l = 0; level && l < 5; l++)
        if (!strcmp(level, levels[l])) net->level[nid] = (unsigned char)(l + 1);
    return (net->name[nid] = column_copy(net, st, 1)) ? TSG_OK : oom(err);
}

/* Organisations and forums: a name and the district they are based in;
 * organisations also a sector. */
static tsg_status_t based_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    (void)ctx;
    int64_t nid = sqlite3_column_int64(st, 0);
    int64_t based = sqlite3_column_int64(st, 2);
    net->based[nid] = based >= 1 && based <= net->maxnid ? based : 0;
    const char *sector = sqlite3_column_count(st) > 3 ? (const char *)sqlite3_column_text(st, 3) : NULL;
    if (sector && !(net->sector[nid] = intern(net, sector)))
        return oom(err);
    return (net->name[nid] = column_copy(net, st, 1)) ? TSG_OK : oom(err);
}

static tsg_status_t load_nodes(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(max(nid), 0), coalesce(min(nid), 1) FROM node", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, err);
    int64_t count = 0, minnid = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        count = sqlite3_column_int64(st, 0);
        net->maxnid = sqlite3_column_int64(st, 1);
        minnid = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    /* The arrays below are by nid: sized by the node count, never by an id. */
    if (minnid < 1) return util_fail(err, TSG_EDB, "database: node %lld is out of range", (long long)minnid);
    const char *file = sqlite3_db_filename(db, "main");
    tsg_status_t bad = store_check_nids(file ? file : "database", count, net->maxnid, err);
    if (bad) return bad;
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
    net->first_prog = malloc(n * sizeof *net->first_prog);
    net->mark = malloc(n * sizeof *net->mark);
    if (!net->type || !net->id || !net->name || !net->parent || !net->level || !net->org_of || !net->prog ||
        !net->based || !net->sector || !net->first_prog || !net->mark)
        return oom(err);
    for (size_t i = 0; i < n; i++) net->prog[i] = net->first_prog[i] = -1;
    memset(net->mark, -1, n);
    tsg_status_t s = each_row(db, "SELECT nid, type, id FROM node", net, node_row, NULL, err);
    if (!s) s = each_row(db, "SELECT nid, name, parent, level FROM district", net, district_row, NULL, err);
    if (!s) s = each_row(db, "SELECT nid, name, district, sector FROM organisation", net, based_row, NULL, err);
    if (!s) s = each_row(db, "SELECT nid, name, district FROM forum", net, based_row, NULL, err);
    return s;
}

static tsg_status_t program_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    size_t *cap = ctx;
    if (net->nprograms == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        eng_program_t *grown = realloc(net->programs, *cap * sizeof *grown);
        if (!grown) return oom(err);
        net->programs = grown;
    }
    eng_program_t *p = &net->programs[net->nprograms];
    memset(p, 0, sizeof *p);
    p->nid = sqlite3_column_int64(st, 0);
    p->org = sqlite3_column_int64(st, 2);
    if (p->org < 1 || p->org > net->maxnid) p->org = 0;
    p->age_min = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
    p->age_max = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
    p->wide = sqlite3_column_int(st, 5);
    p->starts = util_date_first((const char *)sqlite3_column_text(st, 6));
    p->ends = util_date_last((const char *)sqlite3_column_text(st, 7));
    net->org_of[p->nid] = p->org;
    net->prog[p->nid] = (int32_t)net->nprograms++;
    return (net->name[p->nid] = column_copy(net, st, 1)) ? TSG_OK : oom(err);
}

/* One row of a program's list (targets, needs, modes) or area, kept until
 * every row is read and the lists can be laid out in one array each. */
typedef struct entry {
    int32_t prog, pos;
    union {
        char *key;
        int64_t district;
    } v;
} entry_t;

typedef struct entries {
    entry_t *v;
    size_t n, cap;
    int sorted, area;
} entries_t;

static int entry_cmp(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    return x->prog != y->prog ? (x->prog < y->prog ? -1 : 1) : (x->pos > y->pos) - (x->pos < y->pos);
}

static tsg_status_t entry_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    entries_t *e = ctx;
    int32_t prog = net->prog[sqlite3_column_int64(st, 0)]; /* each_row checked the range */
    if (prog < 0) return util_fail(err, TSG_EDB, "database: a list row of node %lld, which is no program",
                                   (long long)sqlite3_column_int64(st, 0));
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 1024;
        entry_t *grown = realloc(e->v, e->cap * sizeof *grown);
        if (!grown) return oom(err);
        e->v = grown;
    }
    entry_t *x = &e->v[e->n];
    x->prog = prog;
    x->pos = sqlite3_column_int(st, 1);
    if (e->area) x->v.district = sqlite3_column_int64(st, 2);
    else if (sqlite3_column_type(st, 2) == SQLITE_NULL)
        return util_fail(err, TSG_EDB, "database: a list row of program %lld without a value",
                         (long long)sqlite3_column_int64(st, 0));
    else if (!(x->v.key = intern(net, (const char *)sqlite3_column_text(st, 2)))) return oom(err);
    if (e->n && entry_cmp(&e->v[e->n - 1], x) > 0) e->sorted = 0;
    e->n++;
    return TSG_OK;
}

static tsg_status_t load_programs(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    size_t cap = 0;
    tsg_status_t s = each_row(db, "SELECT nid, name, org, age_min, age_max, wide_area, starts, ends FROM program ORDER BY nid",
                              net, program_row, &cap, err);
    if (s) return s;
    static const char *const sql[] = {
        "SELECT program, pos, target FROM program_target",
        "SELECT program, pos, need FROM program_need",
        "SELECT program, pos, mode FROM program_mode",
        "SELECT program, pos, district FROM program_area",
    };
    entries_t e[4] = {{.sorted = 1}, {.sorted = 1}, {.sorted = 1}, {.sorted = 1, .area = 1}};
    for (int l = 0; l < 4 && !s; l++) {
        s = each_row(db, sql[l], net, entry_row, &e[l], err);
        /* Rows come in the order they were written: by program and position
         * after an import, so the sort is for data edited since. */
        if (!s && !e[l].sorted) qsort(e[l].v, e[l].n, sizeof *e[l].v, entry_cmp);
    }
    size_t nlists = e[0].n + e[1].n + e[2].n;
    if (!s && (!(net->lists = malloc((nlists ? nlists : 1) * sizeof *net->lists)) ||
               !(net->areas = malloc((e[3].n ? e[3].n : 1) * sizeof *net->areas))))
        s = oom(err);
    size_t k = 0;
    for (int l = 0; l < 4 && !s; l++)
        for (size_t i = 0; i < e[l].n; i++) {
            eng_program_t *p = &net->programs[e[l].v[i].prog];
            if (l == 3) {
                if (!p->narea) p->area = &net->areas[i];
                p->area[p->narea++] = e[l].v[i].v.district;
                continue;
            }
            eng_list_t *list = l == 0 ? &p->targets : l == 1 ? &p->needs : &p->modes;
            if (!list->n) list->v = &net->lists[k];
            net->lists[k++] = e[l].v[i].v.key;
            list->n++;
        }
    for (int l = 0; l < 4; l++) free(e[l].v);
    if (s) return s;
    for (size_t i = 0; i < net->nprograms; i++) {
        eng_program_t *p = &net->programs[i];
        p->entry = eng_list_has(&p->needs, "consultation") &&
                   (eng_list_has(&p->modes, "counter") || eng_list_has(&p->modes, "phone") ||
                    eng_list_has(&p->modes, "chat"));
    }
    return TSG_OK;
}

static tsg_status_t tie_row(eng_net_t *net, sqlite3_stmt *st, void *ctx, tsg_error_t *err)
{
    size_t *cap = ctx;
    if (net->nties == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        eng_tie_t *grown = realloc(net->ties, *cap * sizeof *grown);
        if (!grown) return oom(err);
        net->ties = grown;
    }
    eng_tie_t *t = &net->ties[net->nties];
    t->src = sqlite3_column_int64(st, 0);
    t->dst = sqlite3_column_int64(st, 1);
    if (t->dst < 1 || t->dst > net->maxnid || net->nties >= INT32_MAX)
        return util_fail(err, TSG_EDB, "database: tie %zu is out of range", net->nties + 1);
    const char *kind = (const char *)sqlite3_column_text(st, 2);
    t->kind = kind ? tie_kind(kind) : ENG_INFO_SHARING;
    t->directed = sqlite3_column_int(st, 3);
    t->count = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    net->nties++;
    return TSG_OK;
}

static tsg_status_t load_ties(sqlite3 *db, eng_net_t *net, tsg_error_t *err)
{
    size_t cap = 0;
    tsg_status_t s = each_row(db, "SELECT src, dst, kind, directed, count FROM tie ORDER BY tid", net, tie_row, &cap, err);
    if (s) return s;
    /* Steps in CSR form: count, prefix sums, fill; the same for the
     * directed ties read backwards. */
    if (net->nties > ENG_MAX_TIES || net->maxnid >= (int64_t)UINT32_MAX - 2)
        return util_fail(err, TSG_EINPUT, "the network is too big to load: %zu ties (at most %u) and node numbers up to %lld",
                         net->nties, ENG_MAX_TIES, (long long)net->maxnid);
    size_t n = (size_t)net->maxnid + 2;
    net->off = calloc(n + 1, sizeof *net->off);
    net->in_off = calloc(n + 1, sizeof *net->in_off);
    size_t total = 0, back = 0;
    for (size_t i = 0; i < net->nties; i++) {
        total += net->ties[i].directed ? 1 : 2;
        back += net->ties[i].directed != 0;
    }
    net->steps = malloc((total ? total : 1) * sizeof *net->steps);
    net->in_steps = malloc((back ? back : 1) * sizeof *net->in_steps);
    uint32_t *fill = malloc(n * sizeof *fill);
    uint32_t *in_fill = malloc(n * sizeof *in_fill);
    if (!net->off || !net->in_off || !net->steps || !net->in_steps || !fill || !in_fill) {
        free(fill);
        free(in_fill);
        return oom(err);
    }
    for (size_t i = 0; i < net->nties; i++) {
        const eng_tie_t *t = &net->ties[i];
        net->off[t->src + 1]++;
        if (!t->directed) net->off[t->dst + 1]++;
        else net->in_off[t->dst + 1]++;
    }
    for (size_t i = 1; i <= n; i++) {
        net->off[i] += net->off[i - 1];
        net->in_off[i] += net->in_off[i - 1];
    }
    memcpy(fill, net->off, n * sizeof *fill);
    memcpy(in_fill, net->in_off, n * sizeof *in_fill);
    for (size_t i = 0; i < net->nties; i++) {
        const eng_tie_t *t = &net->ties[i];
        net->steps[fill[t->src]++] = (eng_step_t){(uint32_t)t->dst, (uint32_t)i, (uint32_t)t->kind};
        if (!t->directed) net->steps[fill[t->dst]++] = (eng_step_t){(uint32_t)t->src, (uint32_t)i, (uint32_t)t->kind};
        else net->in_steps[in_fill[t->dst]++] = (eng_step_t){(uint32_t)t->src, (uint32_t)i, (uint32_t)t->kind};
    }
    free(fill);
    free(in_fill);
    return TSG_OK;
}

/* Programs by group and need: count per pair of key slots, prefix sums,
 * fill. Up to 2,048 key slots (a 16 MB table); with more keys than that
 * there is no table, and GAPS scans instead. */
static tsg_status_t index_pairs(eng_net_t *net, tsg_error_t *err)
{
    if (!net->keycap || net->keycap > 2048) return TSG_OK;
    size_t npairs = net->keycap * net->keycap;
    net->pair_off = calloc(npairs + 1, sizeof *net->pair_off);
    if (!net->pair_off) return oom(err);
    uint32_t *fill = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            for (size_t k = 1; k <= npairs; k++) net->pair_off[k] += net->pair_off[k - 1];
            size_t total = net->pair_off[npairs];
            net->pair_progs = malloc((total ? total : 1) * sizeof *net->pair_progs);
            fill = malloc((npairs + 1) * sizeof *fill);
            if (!net->pair_progs || !fill) {
                free(fill);
                return oom(err);
            }
            memcpy(fill, net->pair_off, (npairs + 1) * sizeof *fill);
        }
        for (size_t i = 0; i < net->nprograms; i++) {
            const eng_program_t *p = &net->programs[i];
            for (int a = 0; a < p->targets.n; a++) {
                size_t row = (size_t)key_slot(net, p->targets.v[a]) * net->keycap;
                for (int b = 0; b < p->needs.n; b++) {
                    size_t k = row + (size_t)key_slot(net, p->needs.v[b]);
                    if (pass) net->pair_progs[fill[k]++] = (int32_t)i;
                    else net->pair_off[k + 1]++;
                }
            }
        }
    }
    free(fill);
    return TSG_OK;
}

/* Every walk up the tree ends: no district is its own ancestor. store_check
 * refuses such a file before a session loads it; this is the loader's own
 * guard, for any other caller. Each district is walked once. */
static tsg_status_t check_tree(eng_net_t *net, tsg_error_t *err)
{
    uint32_t *seen = calloc((size_t)net->maxnid + 1, sizeof *seen);
    if (!seen) return oom(err);
    tsg_status_t s = TSG_OK;
    for (int64_t d = 1; !s && d <= net->maxnid; d++) {
        int64_t a = d;
        while (a > 0 && !seen[a]) {
            seen[a] = (uint32_t)d;
            a = net->parent[a];
        }
        if (a > 0 && seen[a] == (uint32_t)d)
            s = util_fail(err, TSG_EDB, "database: district '%s' is its own ancestor", net->id[a] ? net->id[a] : "?");
    }
    free(seen);
    return s;
}

/* The district tree downwards, the programs by the districts their areas
 * list, and an organisation's programs. */
static tsg_status_t build_indexes(eng_net_t *net, tsg_error_t *err)
{
    size_t n = (size_t)net->maxnid + 2, nchildren = 0, nareas = 0;
    net->child_off = calloc(n + 1, sizeof *net->child_off);
    net->area_off = calloc(n + 1, sizeof *net->area_off);
    net->next_prog = malloc((net->nprograms + 1) * sizeof *net->next_prog);
    if (!net->child_off || !net->area_off || !net->next_prog) return oom(err);
    for (int64_t d = 1; d <= net->maxnid; d++)
        if (net->type[d] == ENG_DISTRICT && net->parent[d]) {
            net->child_off[net->parent[d] + 1]++;
            nchildren++;
        }
    for (size_t i = 0; i < net->nprograms; i++) {
        const eng_program_t *p = &net->programs[i];
        if (p->wide) net->nwide++;
        for (int k = 0; k < p->narea; k++)
            if (p->area[k] >= 1 && p->area[k] <= net->maxnid) {
                net->area_off[p->area[k] + 1]++;
                nareas++;
            }
    }
    net->children = malloc((nchildren ? nchildren : 1) * sizeof *net->children);
    net->area_progs = malloc((nareas ? nareas : 1) * sizeof *net->area_progs);
    net->wide = malloc((net->nwide ? net->nwide : 1) * sizeof *net->wide);
    uint32_t *fill = malloc(n * sizeof *fill);
    if (!net->children || !net->area_progs || !net->wide || !fill) {
        free(fill);
        return oom(err);
    }
    for (size_t i = 1; i <= n; i++) {
        net->child_off[i] += net->child_off[i - 1];
        net->area_off[i] += net->area_off[i - 1];
    }
    memcpy(fill, net->child_off, n * sizeof *fill);
    for (int64_t d = 1; d <= net->maxnid; d++)
        if (net->type[d] == ENG_DISTRICT && net->parent[d]) net->children[fill[net->parent[d]]++] = d;
    memcpy(fill, net->area_off, n * sizeof *fill);
    size_t w = 0;
    for (size_t i = 0; i < net->nprograms; i++) {
        const eng_program_t *p = &net->programs[i];
        if (p->wide) net->wide[w++] = (int32_t)i;
        for (int k = 0; k < p->narea; k++)
            if (p->area[k] >= 1 && p->area[k] <= net->maxnid) net->area_progs[fill[p->area[k]]++] = (int32_t)i;
    }
    free(fill);
    tsg_status_t s = index_pairs(net, err);
    if (s) return s;
    for (size_t i = net->nprograms; i-- > 0;) {
        int64_t org = net->programs[i].org;
        net->next_prog[i] = org ? net->first_prog[org] : -1;
        if (org) net->first_prog[org] = (int32_t)i;
    }
    return TSG_OK;
}

tsg_status_t eng_net_load(sqlite3 *db, eng_net_t **out, tsg_error_t *err)
{
    *out = NULL;
    eng_net_t *net = calloc(1, sizeof *net);
    if (!net) return oom(err);
    /* One read transaction, so the tables agree with each other. */
    tsg_status_t s = sqlite3_exec(db, "SAVEPOINT eng_load", NULL, NULL, NULL) == SQLITE_OK ? TSG_OK : sql_fail(db, err);
    if (!s) s = load_nodes(db, net, err);
    if (!s) s = load_programs(db, net, err);
    if (!s) s = load_ties(db, net, err);
    sqlite3_exec(db, "RELEASE eng_load", NULL, NULL, NULL);
    if (!s) s = check_tree(net, err);
    if (!s) s = build_indexes(net, err);
    /* Every node has a name, if only an empty one. */
    char *none = s ? NULL : util_pool_copy(&net->pool, "", 0);
    if (!s && !none) s = oom(err);
    for (int64_t i = 0; !s && i <= net->maxnid; i++) {
        if (!net->name[i]) net->name[i] = none;
        if (!net->id[i]) net->id[i] = none;
    }
    if (s) {
        eng_net_free(net);
        return s;
    }
    *out = net;
    return TSG_OK;
}
