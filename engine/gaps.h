/*
 * gaps — where support for a group falls through (docs/language.md, "GAPS"):
 *
 *   coverage   ages of a (school district, need) cell that no program covers;
 *   reach      covered ages whose programs no entry point serving the school
 *              district reaches by at most `hops` referral ties;
 *   seam       a program for the group that ends at age x inside the range
 *              and has no tie to a program for the group covering x + 1;
 *   fragility  covered ages where every covering program belongs to one
 *              organisation, and no organisation that has an agreement tie
 *              with it (either way, its programs' ties counted as its own)
 *              runs a program naming the group that serves the cell at that
 *              age: such a partner is the backup a continuity agreement
 *              (事業継続・相互応援の協定) names, so the need is not lost with
 *              the one provider.
 *
 * A program covers school district s, need n and age x when it names the
 * group or everyone, provides n, has x in its ages, and its area is wide or
 * lists s or a district above s. An entry point is a program offering
 * consultation at a counter, by phone or by chat; it serves s by the same
 * area rule. Reach walks referral ties from program to program.
 *
 * Rows are returned in a malloc'd array owned by the caller; their strings
 * point into the network and the query, which must outlive them.
 */
#ifndef TSG_ENGINE_GAPS_H
#define TSG_ENGINE_GAPS_H

#include "network.h"

enum { ENG_GAP_COVERAGE, ENG_GAP_REACH, ENG_GAP_SEAM, ENG_GAP_FRAGILITY };

typedef struct eng_gaps_query {
    const char *target;
    int age_from, age_to;       /* inclusive */
    int64_t district;
    const char *const *needs;
    int nneeds;
    int by_ward;                /* cells are wards instead of school districts */
    int hops;                   /* the most referral ties from an entry point */
    long as_of;                 /* YYYYMMDD: only programs running that day count; 0: all */
    /* How the "why" sentences name the group and the needs (the Japanese
     * labels in Japanese output); NULL: the keys. need_labels pairs with needs. */
    const char *target_label;
    const char *const *need_labels;
} eng_gaps_query_t;

/* Whether a program runs on day (YYYYMMDD; 0: any day). */
int eng_running(const eng_program_t *p, long day);

typedef struct eng_gap {
    int kind;
    int64_t district;           /* the cell's district; for a seam, where the program serves */
    const char *need;           /* NULL for a seam */
    int age_from, age_to;
    int64_t program;            /* the nearest, covering, or ending program; 0 for none */
    char why[512];
} eng_gap_t;

tsg_status_t eng_gaps(const eng_net_t *net, const eng_gaps_query_t *q, eng_gap_t **out, size_t *n, tsg_error_t *err);

/* The cells GAPS looks at: school districts (or wards) under `district`, in
 * tree order; the district itself when it has none below. */
tsg_status_t eng_cells(const eng_net_t *net, int64_t district, int by_ward, int64_t **out, size_t *n, tsg_error_t *err);

/* The programs whose area meets district d (wide, or listing d, a district
 * above it or one below), in program order without repeats, in a malloc'd
 * array; NULL when out of memory. Every program serving d is among them. */
int32_t *eng_meeting(const eng_net_t *net, int64_t d, size_t *n);

/* Whether program p covers group `target` and need `need` (NULL: any need)
 * at age x (-1: any age). */
int eng_covers(const eng_program_t *p, const char *target, const char *need, int x);

/* Whether organisation org runs a program naming `target` (not only
 * everyone), running on the query's day, serving s, at some age of lo..hi. */
int eng_serves_group(const eng_net_t *net, const eng_gaps_query_t *q, int64_t org, int64_t s, int lo, int hi);

#endif
