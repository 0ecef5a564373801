/*
 * backup — GAPS' fragility test (gaps.h): whether a sole provider has an
 * agreement partner that serves the group in the cell at an age. Private to
 * the engine; eng_serves_group, in gaps.h, is the public question, asked
 * of each partner. The memo is the caller's, one per
 * cell: emptied (n = 0) when the cell changes, freed (free(v)) at the end.
 */
#ifndef TSG_ENGINE_BACKUP_H
#define TSG_ENGINE_BACKUP_H

#include "gaps.h"

/* The ages (bit x - age_from) at which a sole provider has a backup in
 * one cell, worked out once per cell and organisation: every
 * need and every age of the cell asks the same partners the same thing. */
typedef struct backups {
    int64_t org;
    uint64_t ages[3]; /* 151 ages at most */
} backups_t;

typedef struct cell_memo {
    backups_t *v;
    size_t n, cap;
} cell_memo_t;

/* Whether org, sole provider in cell s, has a backup at age x (in q's
 * ages), each organisation's partners walked once per memo; -1 out of memory. */
int eng_has_backup(const eng_net_t *net, const eng_gaps_query_t *q, int64_t s, cell_memo_t *m, int64_t org, int x);

#endif
