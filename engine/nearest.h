/*
 * nearest — GAPS' explanation of a coverage gap (gaps.h): the program that
 * comes nearest to covering an uncovered cell, and the sentence saying what
 * it lacks: the ages (right group, need and area), the area (right group,
 * need and ages), or the group (right need, area and ages). Private to the
 * engine, with the parts of gaps.c its sentences share.
 */
#ifndef TSG_ENGINE_NEAREST_H
#define TSG_ENGINE_NEAREST_H

#include "gaps.h"

/* The program that comes nearest to covering a cell, so far. */
typedef struct eng_near {
    const eng_program_t *p;
    int32_t index;
    int cls, score;
} eng_near_t;

/* The programs listing a district below one of the district's ancestors. */
typedef struct eng_around {
    int32_t *v;
    size_t n;
} eng_around_t;

typedef struct eng_fallback {
    const char *need;
    int from, to;
    eng_near_t best;
} eng_fallback_t;

/* What one GAPS statement keeps between its cells: the programs meeting
 * the district asked about (cand, the caller's) and its ancestors (anc, the
 * caller's), and what the explanations found and keep: by need, those in
 * the districts around it, and the nearest programs in the whole network.
 * Zeroed but for cand and anc at the start; eng_nearest_free at the end. */
typedef struct eng_nearest {
    const int32_t *cand;
    size_t ncand;
    int64_t anc[9];       /* the district asked about (0) and the districts above it */
    int nanc;
    /* By need (the key), the candidates offering it and running on the day:
     * all that consider() can take from them, made at the first coverage
     * gap of that need. */
    const char *need_key[64];
    int32_t *need_cand[64];
    size_t need_n[64];
    int nneed;
    eng_around_t around[8];   /* by level above the district: the programs listing a district below it */
    eng_fallback_t *fall;
    size_t nfall, fallcap;
} eng_nearest_t;

/* Writes g's "why" and its nearest program (g->program, 0 for none) for
 * the coverage gap g of cell s and need; *oom set when out of memory. */
void eng_explain_coverage(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, const char *need, eng_nearest_t *x,
                          eng_gap_t *g, int *oom);
void eng_nearest_free(eng_nearest_t *x);

/* From gaps.c. */

/* The programs whose area lists district d or one below it, in program
 * order without repeats, in a malloc'd array; NULL when out of memory. */
int32_t *eng_listing_under(const eng_net_t *net, int64_t d, size_t *n);
/* g's "why" (nothing when g is NULL, a row that could not be had). */
void eng_gap_say(eng_gap_t *g, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* An age range as the sentences write it ("all ages", "18..", "..39", "18..39"). */
void eng_age_range(char *buf, size_t size, int lo, int hi);
/* The group as the sentences name it. */
const char *eng_gap_target_name(const eng_gaps_query_t *q);

#endif
