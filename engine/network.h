/*
 * network — the support network in memory, for the analyses that SQL is the
 * wrong tool for (gaps, paths, reach). Loaded from the store in one pass over
 * each table; indexed by node id (nid), which the store keeps dense.
 *
 * An eng_net_t owns everything in it and is freed with eng_net_free. It is a
 * snapshot: the session reloads it when the database changes. It lives in
 * arenas of its own (util/arena.h), freed in one sweep; every pointer in it
 * points into them (netcache.c writes them to a file and maps them back at
 * the same addresses).
 *
 * Four arenas, so that a process reading the network from the cache file
 * reads only the part its statement needs (query/diskcache.c): `arena`, the
 * walk's part (this struct, type, id, name, prog, prog_nid, first_prog,
 * next_prog, mark, off, steps, ref_off, ref_to, in_off, in_steps); `rest`
 * (the other by-nid arrays, the programs with their lists and areas, the
 * district tree and the other indexes); `tie_arena` (the ties); `strings`.
 * A part not read stays reserved without access: a reader that did not ask
 * for it faults.
 */
#ifndef TSG_ENGINE_NETWORK_H
#define TSG_ENGINE_NETWORK_H

#include "tsunagi.h"
#include "util.h"
#include "arena.h"
#include <stdint.h>

enum { ENG_DISTRICT = 1, ENG_ORGANISATION, ENG_PROGRAM, ENG_FORUM };
enum { ENG_PREFECTURE = 1, ENG_MUNICIPALITY, ENG_WARD, ENG_SCHOOL_DISTRICT, ENG_NEIGHBOURHOOD };
enum { ENG_REFERRAL, ENG_CO_SUPPORT, ENG_INFO_SHARING, ENG_AGREEMENT, ENG_MEMBERSHIP };

typedef struct eng_list {
    char **v;
    int n;
} eng_list_t;

/* A program and a tie are held by the million (a national network has
 * 1.5 million programs and 4.9 million ties), and every byte of them is a
 * byte the kernel zeroes at a load and a cold process reads from the cache
 * file: fields are as narrow as what they hold. Nids fit in 32 bits (the
 * loader refuses a network whose nids do not, ENG_MAX_NID), dates are YYYYMMDD,
 * ages at most UTIL_MAX_AGE, counts at most UTIL_MAX_COUNT; the loader
 * refuses a row whose values do not fit (docs/decisions.md, "Issue 23: a
 * smaller network in memory (h-lean)"). */
typedef struct eng_program {
    int32_t nid, org;
    int32_t starts, ends; /* YYYYMMDD the program runs from and to; 0: open */
    int16_t age_min, age_max; /* -1: open */
    uint8_t wide;         /* area is '*' */
    uint8_t entry;        /* consultation reached at a counter, by phone or chat */
    uint16_t narea;       /* at most ENG_MAX_AREAS */
    eng_list_t targets, needs, modes;
    int32_t *area;
} eng_program_t;

typedef struct eng_tie {
    int32_t src, dst;
    int32_t count;        /* -1: unknown */
    uint8_t kind, directed;
} eng_tie_t;

#define ENG_MAX_NID (INT32_MAX - 2)
#define ENG_MAX_AREAS UINT16_MAX

/* One step from a node: the node reached, the tie used, and that tie's
 * kind (a copy, so that a walk choosing its ties does not look each one
 * up). Eight bytes: a walk's cost is mostly fetching the steps of the nodes
 * it passes, so the fewer cache lines they take the better. The loader
 * refuses networks whose nids or tie count do not fit (ENG_MAX_TIES). */
typedef struct eng_step {
    uint32_t to;
    uint32_t tie : 29;
    uint32_t kind : 3;
} eng_step_t;

#define ENG_MAX_TIES ((1u << 29) - 1)

typedef struct eng_net {
    int64_t maxnid;
    long day;             /* the day it shows (YYYYMMDD): only the programs running that day are in it */
    unsigned char *type;  /* by nid: ENG_*, 0 for none */
    char **id, **name;    /* by nid */
    int32_t *parent;      /* by nid: the parent district, 0 for none */
    unsigned char *level; /* by nid: a district's depth, 1 prefecture … 5 neighbourhood */
    int32_t *org_of;      /* by nid: a program's organisation, else 0 */
    int32_t *based;       /* by nid: an organisation's or forum's district, else 0 */
    char **sector;        /* by nid: an organisation's sector, else NULL */
    int32_t *prog;        /* by nid: index into programs, else -1 */
    eng_program_t *programs;
    size_t nprograms;
    eng_tie_t *ties;
    size_t nties;
    uint32_t *off;        /* by nid: steps[off[nid] .. off[nid + 1]) leave nid */
    eng_step_t *steps;    /* directed ties one way, undirected both ways */
    uint32_t *ref_off;    /* by nid: ref_to[ref_off[nid] .. ref_off[nid + 1]) are the programs */
    uint32_t *ref_to;     /* a program reaches by a referral step, in the steps' order */

    /* Indexes, so that a question about one place or one node does not scan
     * the whole network (a national network has two million nodes). */
    uint32_t *in_off;     /* by nid: in_steps[in_off[nid] .. in_off[nid + 1]) are the */
    eng_step_t *in_steps; /* directed ties into nid, `to` being where they come from */
    uint32_t *child_off;  /* by nid: children[child_off[d] .. child_off[d + 1]) are */
    int64_t *children;    /* district d's child districts, in nid order */
    uint32_t *area_off;   /* by nid: area_progs[area_off[d] .. area_off[d + 1]) are the */
    int32_t *area_progs;  /* programs whose area lists district d, in program order */
    int32_t *wide;        /* the programs with a wide area, in program order */
    size_t nwide;
    int32_t *first_prog;  /* by nid: an organisation's first program (index), else -1; */
    int32_t *next_prog;   /* by program index: the same organisation's next, else -1 */
    int32_t *prog_nid;    /* by program index: its nid (programs[i].nid, in the walk's part) */

    /* Scratch for one walk at a time: -1 for every nid between calls; a
     * walk sets what it visits and puts it back before it returns. Makes
     * the network unfit for two walks at once (a session runs one). One
     * byte a node: walks go at most 50 ties, and a small array stays in
     * cache (2 MB for a national network, against 8 MB as ints). */
    signed char *mark;

    util_arena_t arena;   /* the walk's arrays, this struct first */
    util_arena_t rest;    /* the other arrays but the ties (see the top) */
    util_arena_t tie_arena; /* the ties */
    util_arena_t strings; /* ids, names, the interned keys and their table */
    char **keys;          /* the interned keys (sectors, targets, needs, modes): */
    size_t nkeys, keycap; /* an open-addressing set */
    uint32_t *pair_off;   /* by slot of a target × keycap + slot of a need: pair_progs[pair_off[k] .. */
    int32_t *pair_progs;  /* pair_off[k + 1]) are the programs for that group with that need; */
                          /* NULL when there are too many keys for the table */
    char **lists;         /* every program's targets, needs and modes */
    int32_t *areas;       /* every program's area */
} eng_net_t;

/* Reads the network from the store (store_read_network): the engine
 * knows no SQL. eng_net_load_at reads it as it was on day as_of
 * (YYYYMMDD; 0: today, util_today): only the rows that existed that day
 * (store/period.h; a node that did not has type 0 and no ties). eng_net_load
 * is eng_net_load_at(db, 0, ...). */
tsg_status_t eng_net_load(tsg_db_t *db, eng_net_t **out, tsg_error_t *err);
tsg_status_t eng_net_load_at(tsg_db_t *db, long as_of, eng_net_t **out, tsg_error_t *err);
/* The same; confirmed_only keeps only the ties whose status is
 * 'confirmed' (both sides said so in the last survey round: USING
 * confirmed ties). */
tsg_status_t eng_net_load_with(tsg_db_t *db, long as_of, int confirmed_only, eng_net_t **out, tsg_error_t *err);
void eng_net_free(eng_net_t *net);

/* Whether a tie src -> dst of kind is a referral between two programs:
 * one in the referral index (ref_off, ref_to). */
int eng_program_referral(const eng_net_t *net, int64_t src, int64_t dst, int kind);
/* Whether district d is anc or lies below it. */
int eng_under(const eng_net_t *net, int64_t d, int64_t anc);
/* Whether the program's area contains district s (lists s or an ancestor,
 * or is wide-area). */
int eng_serves(const eng_net_t *net, const eng_program_t *p, int64_t s);
/* Whether the program's area meets district d at all (contains it, or lists
 * a district inside it). */
int eng_meets(const eng_net_t *net, const eng_program_t *p, int64_t d);
int eng_list_has(const eng_list_t *l, const char *key);
/* The network's one copy of a key (sector, target, need, mode), NULL when
 * nothing in it uses the key; eng_list_holds compares such copies by
 * address, which a scan over every program can afford. */
const char *eng_key(const eng_net_t *net, const char *s);
int eng_list_holds(const eng_list_t *l, const char *key);
/* The programs that name `target` and offer `need`, in program order;
 * NULL with *n = (size_t)-1 when the network has no such index. */
const int32_t *eng_for_group(const eng_net_t *net, const char *target, const char *need, size_t *n);

#endif
