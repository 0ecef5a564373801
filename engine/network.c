/* network — loading the network into memory; see network.h. */
#include "network.h"
#include "netread.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* Where a network's arenas ask to be (util_arena_init): the same place in
 * every process, so that a cache file written from one maps back there in
 * the next (netcache.c). A second network goes wherever the system puts it. */
#define NET_HINT ((void *)0x310000000000)
#define STRINGS_HINT ((void *)0x320000000000)
#define REST_HINT ((void *)0x350000000000)
#define TIES_HINT ((void *)0x360000000000)

/* The one copy of a key (sector, target, need, mode): a national network
 * repeats a few dozen keys millions of times. */
static char *intern(eng_net_t *net, const char *s)
{
    if (2 * (net->nkeys + 1) > net->keycap) {
        size_t cap = net->keycap ? net->keycap * 2 : 256;
        char **keys = util_arena_alloc(&net->strings, cap * sizeof *keys);
        if (!keys) return NULL;
        for (size_t i = 0; i < net->keycap; i++)
            if (net->keys[i])
                for (size_t j = util_hash(net->keys[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
                    if (!keys[j]) {
                        keys[j] = net->keys[i];
                        break;
                    }
        net->keys = keys; /* the old table stays in the arena: a few kilobytes */
        net->keycap = cap;
    }
    size_t j = util_hash(s) & (net->keycap - 1);
    for (; net->keys[j]; j = (j + 1) & (net->keycap - 1))
        if (!strcmp(net->keys[j], s)) return net->keys[j];
    if (!(net->keys[j] = util_arena_copy(&net->strings, s, strlen(s)))) return NULL;
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
    /* The network lives in its own arenas: copies of the handles free them. */
    util_arena_t arena = net->arena, strings = net->strings;
    util_arena_free(&net->rest);
    util_arena_free(&net->tie_arena);
    util_arena_free(&strings);
    util_arena_free(&arena);
}

/* n elements of size bytes each from the network's arena, zeroed; NULL
 * when out of memory or when n × size overflows. */
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
    /* The kinds' first letters differ: one comparison a tie, not up to five. */
    static const char *const kinds[] = {"referral", "co_support", "info_sharing", "agreement", "membership"};
    int i = k[0] == 'r' ? 0 : k[0] == 'c' ? 1 : k[0] == 'i' ? 2 : k[0] == 'a' ? 3 : k[0] == 'm' ? 4 : -1;
    return i >= 0 && !strcmp(k, kinds[i]) ? i : ENG_INFO_SHARING;
}

static tsg_status_t oom(tsg_error_t *err)
{
    return util_fail(err, TSG_ENOMEM, _("out of memory"));
}

/* The one limit passed, said alone: the count of ties is known only up to
 * the one that does not fit, and the nids are refused before any tie. */
static tsg_status_t too_many_ties(tsg_error_t *err)
{
    return util_fail(err, TSG_EINPUT, _("the network is too big to load: more than %u ties"), ENG_MAX_TIES);
}

static tsg_status_t nids_too_big(tsg_error_t *err, int64_t maxnid)
{
    return util_fail(err, TSG_EINPUT, _("the network is too big to load: node numbers go up to %lld (at most %lld)"),
                     (long long)maxnid, (long long)ENG_MAX_NID);
}

static tsg_status_t too_many_areas(tsg_error_t *err, const eng_program_t *p)
{
    return util_fail(err, TSG_EDB, _("database: program %lld lists more than %u districts"), (long long)p->nid,
                     (unsigned)ENG_MAX_AREAS);
}

/* A row's number that the network's narrow fields cannot hold (network.h):
 * refused, never wrapped. */
static tsg_status_t misfit(tsg_error_t *err, const char *what, int64_t nid, int64_t v)
{
    return util_fail(err, TSG_EDB, _("database: the %s of node %lld (%lld) is out of range"), what, (long long)nid,
                     (long long)v);
}

/* Where a list row sits: its program (index) and position. Kept beside
 * the rows' values only while the load runs, to lay each program's list
 * out in one piece; eight bytes a row, where a copy of every row with its
 * value took sixteen (and a national network has 10 million rows). */
typedef struct item_at {
    int32_t prog, pos;
} item_at_t;

/* The piece growing at the end of the network's arena, in the order the
 * store reads: the programs, the lists' values, the areas, the ties. The
 * next one starts by giving the last one's unused room back (piece_end). */
enum { PIECE_PROGRAMS, PIECE_LISTS, PIECE_AREAS, PIECE_TIES };

/* What the store's reader fills (store_read_network calls back here). */
typedef struct loader {
    eng_net_t *net;
    util_arena_t tmp; /* what the load needs only while it runs (rows' places, fill counters) */
    int piece;        /* PIECE_*: which array is growing at the end of net->arena */
    size_t prog_cap, tie_cap;
    /* Every list row's value goes straight to its place in the network as
     * it comes: targets, needs and modes one list after another into
     * net->lists (nlists of lists_cap), areas into net->areas (nareas of
     * areas_cap). While a list's rows come as an import writes them (by
     * program, positions 0, 1, 2 …) each program's list is set as they
     * come; from the first row that does not, the rows' places (key_at by
     * index into net->lists, area_at) are kept in tmp and laid out at the
     * end (layout_lists): 80 MB a national load spared (h-lean). */
    size_t nlists, lists_cap, nareas, areas_cap;
    item_at_t *key_at, *area_at;
    size_t key_at_cap, area_at_cap;
    size_t count[4];   /* list l's rows so far */
    item_at_t last[4]; /* the place of list l's last row */
    int kept[4];       /* list l's places are kept (key_at, area_at) */
    /* The interned keys last met, by their first two bytes: a list row's
     * key is one of a few dozen, so one strcmp here usually spares the
     * hash and the probe (8 million rows a national load). */
    char *recent[256];
    int unsorted[4];   /* a row of list l came before one it follows */
} loader_t;

static char *text_copy(eng_net_t *net, store_text_t t)
{
    return util_arena_copy(&net->strings, t.z ? t.z : "", t.z ? t.n : 0);
}

static tsg_status_t on_sizes(void *ctx, int64_t maxnid, tsg_error_t *err)
{
    eng_net_t *net = ((loader_t *)ctx)->net;
    /* The structs hold nids in 32 bits (network.h). */
    if (maxnid > ENG_MAX_NID) return nids_too_big(err, maxnid);
    net->maxnid = maxnid;
    size_t n = (size_t)net->maxnid + 2;
    util_arena_t *a = &net->arena, *r = &net->rest;
    net->type = util_arena_array(a, n, 1);
    net->id = util_arena_array(a, n, sizeof *net->id);
    net->name = util_arena_array(a, n, sizeof *net->name);
    net->parent = util_arena_array(r, n, sizeof *net->parent);
    net->level = util_arena_array(r, n, 1);
    net->org_of = util_arena_array(r, n, sizeof *net->org_of);
    net->based = util_arena_array(r, n, sizeof *net->based);
    net->sector = util_arena_array(r, n, sizeof *net->sector);
    net->prog = util_arena_array(a, n, sizeof *net->prog);
    net->first_prog = util_arena_array(a, n, sizeof *net->first_prog);
    net->mark = util_arena_array(a, n, sizeof *net->mark);
    if (!net->type || !net->id || !net->name || !net->parent || !net->level || !net->org_of || !net->prog ||
        !net->based || !net->sector || !net->first_prog || !net->mark)
        return oom(err);
    for (size_t i = 0; i < n; i++) net->prog[i] = net->first_prog[i] = -1;
    memset(net->mark, -1, n);
    return TSG_OK;
}

static tsg_status_t on_node(void *ctx, int64_t nid, const char *type, store_text_t id, tsg_error_t *err)
{
    eng_net_t *net = ((loader_t *)ctx)->net;
    net->type[nid] = !type ? 0 : type[0] == 'd' ? ENG_DISTRICT : type[0] == 'o' ? ENG_ORGANISATION
                                  : type[0] == 'p' ? ENG_PROGRAM : ENG_FORUM;
    return (net->id[nid] = text_copy(net, id)) ? TSG_OK : oom(err);
}

static tsg_status_t on_district(void *ctx, int64_t nid, store_text_t name, int64_t parent, const char *level,
                                tsg_error_t *err)
{
    eng_net_t *net = ((loader_t *)ctx)->net;
    static const char *const levels[] = {"prefecture", "municipality", "ward", "school_district", "neighbourhood"};
    net->parent[nid] = parent >= 1 && parent <= net->maxnid ? (int32_t)parent : 0;
    for (int l = 0; level && l < 5; l++)
        if (!strcmp(level, levels[l])) net->level[nid] = (unsigned char)(l + 1);
    return (net->name[nid] = text_copy(net, name)) ? TSG_OK : oom(err);
}

/* Organisations and forums: a name and the district they are based in;
 * organisations also a sector. */
static tsg_status_t on_based(void *ctx, int64_t nid, store_text_t name, int64_t based, const char *sector,
                             tsg_error_t *err)
{
    eng_net_t *net = ((loader_t *)ctx)->net;
    net->based[nid] = based >= 1 && based <= net->maxnid ? (int32_t)based : 0;
    if (sector && !(net->sector[nid] = intern(net, sector))) return oom(err);
    return (net->name[nid] = text_copy(net, name)) ? TSG_OK : oom(err);
}

static tsg_status_t on_program(void *ctx, const store_program_row_t *row, tsg_error_t *err)
{
    loader_t *ld = ctx;
    eng_net_t *net = ld->net;
    if (net->nprograms == ld->prog_cap) {
        /* Names go to the strings' arena, so the programs grow in place at
         * the end of the network's until the ties come. */
        size_t cap = ld->prog_cap ? ld->prog_cap * 2 : 256;
        eng_program_t *grown = util_arena_grow(&net->rest, net->programs, ld->prog_cap * sizeof *grown,
                                               cap * sizeof *grown);
        if (!grown) return oom(err);
        net->programs = grown;
        ld->prog_cap = cap;
    }
    eng_program_t *p = &net->programs[net->nprograms];
    if (row->age_min < INT16_MIN || row->age_min > INT16_MAX) return misfit(err, "age_min", row->nid, row->age_min);
    if (row->age_max < INT16_MIN || row->age_max > INT16_MAX) return misfit(err, "age_max", row->nid, row->age_max);
    p->nid = (int32_t)row->nid; /* each_row checked it is in 1..maxnid */
    p->org = row->org >= 1 && row->org <= net->maxnid ? (int32_t)row->org : 0;
    p->age_min = (int16_t)row->age_min;
    p->age_max = (int16_t)row->age_max;
    p->wide = row->wide != 0;
    /* Dates of years 1900..2999 (util_date_parse), or 0. */
    p->starts = (int32_t)util_date_first(row->starts);
    p->ends = (int32_t)util_date_last(row->ends);
    net->org_of[p->nid] = p->org;
    net->prog[p->nid] = (int32_t)net->nprograms++;
    return (net->name[p->nid] = text_copy(net, row->name)) ? TSG_OK : oom(err);
}

/* Gives the growing piece's unused room back, so that piece `next` can
 * grow at the end of the arena after it. The pieces come in order. */
static void piece_end(loader_t *ld, int next)
{
    eng_net_t *net = ld->net;
    if (ld->piece == next) return;
    if (ld->piece == PIECE_PROGRAMS && ld->prog_cap > net->nprograms) {
        net->programs = util_arena_grow(&net->rest, net->programs, ld->prog_cap * sizeof *net->programs,
                                        net->nprograms * sizeof *net->programs);
        ld->prog_cap = net->nprograms;
    } else if (ld->piece == PIECE_LISTS && ld->lists_cap > ld->nlists) {
        net->lists = util_arena_grow(&net->rest, net->lists, ld->lists_cap * sizeof *net->lists,
                                     ld->nlists * sizeof *net->lists);
        ld->lists_cap = ld->nlists;
    } else if (ld->piece == PIECE_AREAS && ld->areas_cap > ld->nareas) {
        net->areas = util_arena_grow(&net->rest, net->areas, ld->areas_cap * sizeof *net->areas,
                                     ld->nareas * sizeof *net->areas);
        ld->areas_cap = ld->nareas;
    }
    ld->piece = next;
}

/* Room for one more of n elements at *v (cap of them), growing in place at
 * the end of arena a: -1 when out of memory. */
static int room(util_arena_t *a, void **v, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) return 0;
    size_t more = *cap ? *cap * 2 : 1024;
    void *grown = util_arena_grow(a, *v, *cap * size, more * size);
    if (!grown) return -1;
    *v = grown;
    *cap = more;
    return 0;
}

/* Room for elements 0 .. n of *v (cap of them), growing in place at the
 * end of arena a: -1 when out of memory. */
static int room_for(util_arena_t *a, void **v, size_t n, size_t *cap, size_t size)
{
    while (*cap <= n)
        if (room(a, v, *cap, cap, size)) return -1;
    return 0;
}

/* Program i's list l. */
static eng_list_t *list_of(eng_program_t *p, int l)
{
    return l == STORE_LIST_TARGET ? &p->targets : l == STORE_LIST_NEED ? &p->needs : &p->modes;
}

/* From now on list l's rows' places are kept: those of the rows so far are
 * their programs' lists, which hold them in order with positions 0, 1, 2 … */
static int keep_places(loader_t *ld, int l)
{
    eng_net_t *net = ld->net;
    int area = l == STORE_LIST_AREA;
    if (area ? room_for(&ld->tmp, (void **)&ld->area_at, ld->nareas, &ld->area_at_cap, sizeof *ld->area_at)
             : room_for(&ld->tmp, (void **)&ld->key_at, ld->nlists, &ld->key_at_cap, sizeof *ld->key_at))
        return -1;
    for (size_t i = 0; i < net->nprograms; i++) {
        eng_program_t *p = &net->programs[i];
        if (area)
            for (int j = 0; j < p->narea; j++) ld->area_at[p->area - net->areas + j] = (item_at_t){(int32_t)i, j};
        else
            for (int j = 0; j < list_of(p, l)->n; j++)
                ld->key_at[list_of(p, l)->v - net->lists + j] = (item_at_t){(int32_t)i, j};
    }
    ld->kept[l] = 1;
    return 0;
}

static tsg_status_t on_list_item(void *ctx, int list, int64_t program, int pos, const char *key, int64_t district,
                                 tsg_error_t *err)
{
    loader_t *ld = ctx;
    eng_net_t *net = ld->net;
    int32_t prog = net->prog[program]; /* the store checked the range */
    if (prog < 0) return util_fail(err, TSG_EDB, _("database: a list row of node %lld, which is no program"), (long long)program);
    if (list != STORE_LIST_AREA && !key)
        return util_fail(err, TSG_EDB, _("database: a list row of program %lld without a value"), (long long)program);
    int area = list == STORE_LIST_AREA;
    item_at_t at = {prog, pos}, *last = &ld->last[list];
    /* Rows come in the order they were written: by program and position
     * after an import; rows edited since (and a day's past lists) later. */
    int first = !ld->count[list] || last->prog != prog;
    if (ld->count[list] && (last->prog > prog || (last->prog == prog && last->pos > pos))) ld->unsorted[list] = 1;
    if (!ld->kept[list] && (ld->unsorted[list] || pos != (first ? 0 : last->pos + 1)) && keep_places(ld, list))
        return oom(err);
    *last = at;
    ld->count[list]++;
    eng_program_t *p = &net->programs[prog];
    if (area) {
        piece_end(ld, PIECE_AREAS);
        /* The places are tmp's last piece now: the lists' are done. */
        if (room(&net->rest, (void **)&net->areas, ld->nareas, &ld->areas_cap, sizeof *net->areas) ||
            (ld->kept[list] && room(&ld->tmp, (void **)&ld->area_at, ld->nareas, &ld->area_at_cap, sizeof *ld->area_at)))
            return oom(err);
        if (ld->kept[list]) ld->area_at[ld->nareas] = at;
        else if (p->narea == ENG_MAX_AREAS) return too_many_areas(err, p);
        else if (!p->narea++) p->area = &net->areas[ld->nareas];
        /* A district out of range meets nothing (eng_under), as 0 does. */
        net->areas[ld->nareas++] = district >= 1 && district <= net->maxnid ? (int32_t)district : 0;
        return TSG_OK;
    }
    piece_end(ld, PIECE_LISTS);
    if (room(&net->rest, (void **)&net->lists, ld->nlists, &ld->lists_cap, sizeof *net->lists) ||
        (ld->kept[list] && room(&ld->tmp, (void **)&ld->key_at, ld->nlists, &ld->key_at_cap, sizeof *ld->key_at)))
        return oom(err);
    char **seen = &ld->recent[((unsigned char)key[0] * 31u + (key[0] ? (unsigned char)key[1] : 0u)) & 255u];
    if (!*seen || strcmp(*seen, key)) *seen = intern(net, key);
    if (!(net->lists[ld->nlists] = *seen)) return oom(err);
    eng_list_t *l = list_of(p, list);
    if (ld->kept[list]) ld->key_at[ld->nlists] = at;
    else if (!l->n++) l->v = &net->lists[ld->nlists];
    ld->nlists++;
    return TSG_OK;
}

/* A list's row: its place, and its value's (a key, or a district). */
typedef struct entry {
    item_at_t at;
    union {
        char *key;
        int32_t district;
    } v;
} entry_t;

static int entry_cmp(const void *a, const void *b)
{
    const item_at_t *x = &((const entry_t *)a)->at, *y = &((const entry_t *)b)->at;
    return x->prog != y->prog ? (x->prog < y->prog ? -1 : 1) : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Puts n rows (keys or districts, with their places) in order by program
 * and position, when they did not come so: rare (rows edited since the
 * import), so a copy of them in tmp is sorted and written back. */
static tsg_status_t sort_rows(util_arena_t *tmp, item_at_t *at, char **keys, int32_t *districts, size_t n,
                              tsg_error_t *err)
{
    entry_t *e = util_arena_array(tmp, n, sizeof *e);
    if (!e) return oom(err);
    for (size_t i = 0; i < n; i++) {
        e[i].at = at[i];
        if (keys) e[i].v.key = keys[i];
        else e[i].v.district = districts[i];
    }
    qsort(e, n, sizeof *e, entry_cmp);
    for (size_t i = 0; i < n; i++) {
        at[i] = e[i].at;
        if (keys) keys[i] = e[i].v.key;
        else districts[i] = e[i].v.district;
    }
    return TSG_OK;
}

/* The programs' lists, each in one piece of net->lists or net->areas in
 * program order, once every row is read. */
static tsg_status_t layout_lists(loader_t *ld, tsg_error_t *err)
{
    eng_net_t *net = ld->net;
    piece_end(ld, PIECE_TIES); /* the ties are read: no piece grows any more */
    size_t start = 0;
    for (int l = 0; l < 4; l++) {
        int area = l == STORE_LIST_AREA;
        size_t n = ld->count[l];
        if (!ld->kept[l]) { /* set as the rows came (on_list_item) */
            if (!area) start += n;
            continue;
        }
        item_at_t *at = area ? ld->area_at : ld->key_at + start;
        tsg_status_t s = ld->unsorted[l] ? sort_rows(&ld->tmp, at, area ? NULL : net->lists + start,
                                                     area ? net->areas : NULL, n, err)
                                         : TSG_OK;
        if (s) return s;
        for (size_t i = 0; i < net->nprograms; i++) {
            if (area) net->programs[i].narea = 0;
            else *list_of(&net->programs[i], l) = (eng_list_t){NULL, 0};
        }
        for (size_t i = 0; i < n; i++) {
            eng_program_t *p = &net->programs[at[i].prog];
            if (area) {
                if (p->narea == ENG_MAX_AREAS) return too_many_areas(err, p);
                if (!p->narea++) p->area = &net->areas[i];
                continue;
            }
            eng_list_t *list = list_of(p, l);
            if (!list->n++) list->v = &net->lists[start + i];
        }
        if (!area) start += n;
    }
    /* The lists hold the interned keys: compared by address, not by text
     * (1.5 million programs a national load). */
    const char *consultation = eng_key(net, "consultation"), *counter = eng_key(net, "counter"),
               *phone = eng_key(net, "phone"), *chat = eng_key(net, "chat");
    for (size_t i = 0; consultation && i < net->nprograms; i++) {
        eng_program_t *p = &net->programs[i];
        p->entry = eng_list_holds(&p->needs, consultation) &&
                   ((counter && eng_list_holds(&p->modes, counter)) || (phone && eng_list_holds(&p->modes, phone)) ||
                    (chat && eng_list_holds(&p->modes, chat)));
    }
    return TSG_OK;
}

static tsg_status_t on_tie(void *ctx, int64_t src, int64_t dst, const char *kind, int directed, int64_t count,
                           tsg_error_t *err)
{
    loader_t *ld = ctx;
    eng_net_t *net = ld->net;
    piece_end(ld, PIECE_TIES);
    /* Refused at the tie that does not fit in a step (eng_step_t), before
     * room for more is taken: nids were refused with the sizes (on_sizes). */
    if (net->nties == ENG_MAX_TIES) return too_many_ties(err);
    if (net->nties == ld->tie_cap) {
        /* The ties have an arena of their own: they grow in place, never
         * copied. */
        size_t cap = ld->tie_cap ? ld->tie_cap * 2 : 1024;
        eng_tie_t *grown = util_arena_grow(&net->tie_arena, net->ties, ld->tie_cap * sizeof *grown, cap * sizeof *grown);
        if (!grown) return oom(err);
        net->ties = grown;
        ld->tie_cap = cap;
    }
    eng_tie_t *t = &net->ties[net->nties];
    if (dst < 1 || dst > net->maxnid)
        return util_fail(err, TSG_EDB, _("database: tie %zu is out of range"), net->nties + 1);
    t->src = (int32_t)src; /* each_row checked it is in 1..maxnid */
    t->dst = (int32_t)dst;
    t->kind = (uint8_t)(kind ? tie_kind(kind) : ENG_INFO_SHARING);
    t->directed = directed != 0;
    if (count < INT32_MIN || count > INT32_MAX)
        return util_fail(err, TSG_EDB, _("database: the count of tie %zu (%lld) is out of range"), net->nties + 1,
                         (long long)count);
    t->count = (int32_t)count;
    net->nties++;
    return TSG_OK;
}

int eng_program_referral(const eng_net_t *net, int64_t src, int64_t dst, int kind)
{
    return kind == ENG_REFERRAL && net->type[src] == ENG_PROGRAM && net->type[dst] == ENG_PROGRAM;
}

/* Counts one item of node u in a CSR index being built: at off[u + 2],
 * so that after the prefix sums off[u + 1] is where u's items start and
 * filling them in place (off[u + 1]++) leaves it where they end, which is
 * where u + 1's start: the index needs no scratch copy of its offsets. */
#define CSR_COUNT(off, u) ((off)[(u) + 2]++)
#define CSR_PUT(off, items, u, item) ((items)[(off)[(u) + 1]++] = (item))

/* The ties as steps, once every tie is read, in CSR form (steps, with
 * in_steps for the directed ties read backwards), in tie order; and the
 * referral steps between programs (ref_off, ref_to), in the steps' order:
 * GAPS' walk reads only these, where the steps would make it pass over
 * every other tie of each program it walks (docs/decisions.md, "Issue 23:
 * GAPS walks the referrals alone"). on_sizes and on_tie refused what a
 * step cannot hold. */
static tsg_status_t index_ties(eng_net_t *net, tsg_error_t *err)
{
    size_t n = (size_t)net->maxnid + 2;
    util_arena_t *a = &net->arena;
    net->off = util_arena_array(a, n + 1, sizeof *net->off);
    net->in_off = util_arena_array(a, n + 1, sizeof *net->in_off);
    net->ref_off = util_arena_array(a, n + 1, sizeof *net->ref_off);
    if (!net->off || !net->in_off || !net->ref_off) return oom(err);
    for (size_t i = 0; i < net->nties; i++) {
        const eng_tie_t *t = &net->ties[i];
        int ref = eng_program_referral(net, t->src, t->dst, t->kind);
        CSR_COUNT(net->off, t->src);
        if (ref) CSR_COUNT(net->ref_off, t->src);
        if (t->directed) {
            CSR_COUNT(net->in_off, t->dst);
        } else {
            CSR_COUNT(net->off, t->dst);
            if (ref) CSR_COUNT(net->ref_off, t->dst);
        }
    }
    for (size_t i = 2; i <= n; i++) {
        net->off[i] += net->off[i - 1];
        net->in_off[i] += net->in_off[i - 1];
        net->ref_off[i] += net->ref_off[i - 1];
    }
    /* After the sums, off[n] is how many items each index holds. */
    net->steps = util_arena_array(a, net->off[n], sizeof *net->steps);
    net->in_steps = util_arena_array(a, net->in_off[n], sizeof *net->in_steps);
    net->ref_to = util_arena_array(a, net->ref_off[n], sizeof *net->ref_to);
    if (!net->steps || !net->in_steps || !net->ref_to) return oom(err);
    for (size_t i = 0; i < net->nties; i++) {
        const eng_tie_t *t = &net->ties[i];
        eng_step_t fwd = {(uint32_t)t->dst, (uint32_t)i, (uint32_t)t->kind};
        eng_step_t bwd = {(uint32_t)t->src, (uint32_t)i, (uint32_t)t->kind};
        int ref = eng_program_referral(net, t->src, t->dst, t->kind);
        CSR_PUT(net->off, net->steps, t->src, fwd);
        if (ref) CSR_PUT(net->ref_off, net->ref_to, t->src, (uint32_t)t->dst);
        if (t->directed) {
            CSR_PUT(net->in_off, net->in_steps, t->dst, bwd);
        } else {
            CSR_PUT(net->off, net->steps, t->dst, bwd);
            if (ref) CSR_PUT(net->ref_off, net->ref_to, t->dst, (uint32_t)t->src);
        }
    }
    return TSG_OK;
}

static size_t address_hash(const char *k, size_t cap)
{
    return (size_t)(((uintptr_t)k >> 3) * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
}

/* The slot of interned key k, in a table of the keys by their addresses
 * (index_pairs); k must be in it. */
static size_t slot_by_address(const char *const *pkey, const uint32_t *pslot, size_t cap, const char *k)
{
    size_t h = address_hash(k, cap);
    while (pkey[h] != k) h = (h + 1) & (cap - 1);
    return pslot[h];
}

/* Programs by group and need: count per pair of key slots, prefix sums,
 * fill. Up to 2,048 key slots (a 16 MB table); with more keys than that
 * there is no table, and GAPS scans instead. */
static tsg_status_t index_pairs(eng_net_t *net, util_arena_t *tmp, tsg_error_t *err)
{
    if (!net->keycap || net->keycap > 2048) return TSG_OK;
    size_t npairs = net->keycap * net->keycap;
    net->pair_off = util_arena_array(&net->rest, npairs + 1, sizeof *net->pair_off);
    if (!net->pair_off) return oom(err);
    /* Each interned key's slot, found by the key's address: the lists hold
     * only interned keys, and hashing their text again for each of the
     * millions of target × need pairs was most of this index's time. */
    size_t pcap = 2 * net->keycap;
    const char **pkey = util_arena_array(tmp, pcap, sizeof *pkey);
    uint32_t *pslot = util_arena_array(tmp, pcap, sizeof *pslot);
    if (!pkey || !pslot) return oom(err);
    for (size_t j = 0; j < net->keycap; j++)
        if (net->keys[j]) {
            size_t h = address_hash(net->keys[j], pcap);
            while (pkey[h]) h = (h + 1) & (pcap - 1);
            pkey[h] = net->keys[j];
            pslot[h] = (uint32_t)j;
        }
    uint32_t *fill = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            for (size_t k = 1; k <= npairs; k++) net->pair_off[k] += net->pair_off[k - 1];
            size_t total = net->pair_off[npairs];
            net->pair_progs = util_arena_array(&net->rest, total, sizeof *net->pair_progs);
            fill = util_arena_array(tmp, npairs + 1, sizeof *fill);
            if (!net->pair_progs || !fill) return oom(err);
            memcpy(fill, net->pair_off, (npairs + 1) * sizeof *fill);
        }
        for (size_t i = 0; i < net->nprograms; i++) {
            const eng_program_t *p = &net->programs[i];
            for (int a = 0; a < p->targets.n; a++) {
                size_t row = slot_by_address(pkey, pslot, pcap, p->targets.v[a]) * net->keycap;
                for (int b = 0; b < p->needs.n; b++) {
                    size_t k = row + slot_by_address(pkey, pslot, pcap, p->needs.v[b]);
                    if (pass) net->pair_progs[fill[k]++] = (int32_t)i;
                    else net->pair_off[k + 1]++;
                }
            }
        }
    }
    return TSG_OK;
}

/* Every walk up the tree ends: no district is its own ancestor. store_check
 * refuses such a file before a session loads it; this is the loader's own
 * guard, for any other caller. Each district is walked once. */
static tsg_status_t check_tree(eng_net_t *net, util_arena_t *tmp, tsg_error_t *err)
{
    uint32_t *seen = util_arena_array(tmp, (size_t)net->maxnid + 1, sizeof *seen);
    if (!seen) return oom(err);
    tsg_status_t s = TSG_OK;
    for (int64_t d = 1; !s && d <= net->maxnid; d++) {
        int64_t a = d;
        while (a > 0 && !seen[a]) {
            seen[a] = (uint32_t)d;
            a = net->parent[a];
        }
        if (a > 0 && seen[a] == (uint32_t)d)
            s = util_fail(err, TSG_EDB, _("database: district '%s' is its own ancestor"), net->id[a] ? net->id[a] : "?");
    }
    return s;
}

/* The district tree downwards, the programs by the districts their areas
 * list, and an organisation's programs. */
static tsg_status_t build_indexes(eng_net_t *net, util_arena_t *tmp, tsg_error_t *err)
{
    size_t n = (size_t)net->maxnid + 2, nchildren = 0, nareas = 0;
    util_arena_t *a = &net->rest;
    net->child_off = util_arena_array(a, n + 1, sizeof *net->child_off);
    net->area_off = util_arena_array(a, n + 1, sizeof *net->area_off);
    net->next_prog = util_arena_array(&net->arena, net->nprograms + 1, sizeof *net->next_prog);
    net->prog_nid = util_arena_array(&net->arena, net->nprograms + 1, sizeof *net->prog_nid);
    if (!net->child_off || !net->area_off || !net->next_prog || !net->prog_nid) return oom(err);
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
    net->children = util_arena_array(a, nchildren, sizeof *net->children);
    net->area_progs = util_arena_array(a, nareas, sizeof *net->area_progs);
    net->wide = util_arena_array(a, net->nwide, sizeof *net->wide);
    uint32_t *fill = util_arena_array(tmp, n, sizeof *fill);
    if (!net->children || !net->area_progs || !net->wide || !fill) return oom(err);
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
    tsg_status_t s = index_pairs(net, tmp, err);
    if (s) return s;
    for (size_t i = net->nprograms; i-- > 0;) {
        int64_t org = net->programs[i].org;
        net->prog_nid[i] = net->programs[i].nid;
        net->next_prog[i] = org ? net->first_prog[org] : -1;
        if (org) net->first_prog[org] = (int32_t)i;
    }
    return TSG_OK;
}

tsg_status_t eng_net_load(tsg_db_t *db, eng_net_t **out, tsg_error_t *err)
{
    return eng_net_load_at(db, 0, out, err);
}

tsg_status_t eng_net_load_at(tsg_db_t *db, long as_of, eng_net_t **out, tsg_error_t *err)
{
    return eng_net_load_with(db, as_of, 0, out, err);
}

tsg_status_t eng_net_load_with(tsg_db_t *db, long as_of, int confirmed_only, eng_net_t **out, tsg_error_t *err)
{
    *out = NULL;
    if (!as_of) as_of = util_today();
    /* The network and everything in it come from one arena (util/arena.h):
     * a few large mappings instead of millions of small allocations. */
    util_arena_t arena;
    if (util_arena_init(&arena, NET_HINT)) return oom(err);
    eng_net_t *net = util_arena_alloc(&arena, sizeof *net);
    if (!net) {
        util_arena_free(&arena);
        return oom(err);
    }
    net->arena = arena; /* from here on the arena's handle lives in the network it holds */
    net->day = as_of;
    if (util_arena_init(&net->strings, STRINGS_HINT) || util_arena_init(&net->rest, REST_HINT) ||
        util_arena_init(&net->tie_arena, TIES_HINT)) {
        eng_net_free(net);
        return oom(err);
    }
    loader_t ld = {.net = net};
    const store_net_reader_t reader = {&ld,       on_sizes,     on_node, on_district, on_based,
                                       on_program, on_list_item, on_tie,  confirmed_only};
    tsg_status_t s = store_read_network(db, as_of, &reader, err);
    /* The ties' unused room goes back: they are their arena's only piece. */
    if (!s && net->ties && ld.tie_cap > net->nties)
        net->ties = util_arena_grow(&net->tie_arena, net->ties, ld.tie_cap * sizeof *net->ties,
                                    net->nties * sizeof *net->ties);
    if (!s) s = layout_lists(&ld, err);
    /* The rows' places are done with: the indexes' scratch reuses their
     * pages, and each index's the one's before (a fresh page costs a fault
     * and the kernel's zeroing, dear on a virtual machine: about 1.5 ms a
     * megabyte on the benchmark machine, h-lean). The steps' indexes need
     * none (index_ties). */
    util_arena_reset(&ld.tmp);
    if (!s) s = index_ties(net, err);
    if (!s) s = check_tree(net, &ld.tmp, err);
    util_arena_reset(&ld.tmp);
    if (!s) s = build_indexes(net, &ld.tmp, err);
    util_arena_free(&ld.tmp);
    /* Every node has a name, if only an empty one. */
    char *none = s ? NULL : util_arena_copy(&net->strings, "", 0);
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
