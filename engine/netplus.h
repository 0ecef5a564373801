/*
 * netplus — a network with one tie more, in memory: what the database's
 * network would be after a TIE, without the TIE, the write and the reload.
 * SUGGEST TIES measures each candidate tie on it (GAPS with the tie added).
 *
 * The view is a copy of the eng_net_t struct sharing every array of the
 * base but the ties, their steps and (for a referral between programs)
 * the referral index, which the view owns and rebuilds for each tie: the
 * new tie is the last tie, and its steps the last of each end's, which is
 * where loading the database after the TIE puts them (ties are read in the
 * order they were written, and steps filled in tie order), so a walk meets
 * the ties in the order it would after the TIE. The base
 * must outlive the view and not change; its walk scratch (mark) is shared,
 * so the two are not walked at once.
 */
#ifndef TSG_ENGINE_NETPLUS_H
#define TSG_ENGINE_NETPLUS_H

#include "network.h"

typedef struct eng_plus {
    eng_net_t net;          /* the view: the base's arrays, and these below */
    eng_tie_t *ties;
    uint32_t *off, *in_off;
    eng_step_t *steps, *in_steps;
    uint32_t *ref_off, *ref_to;
} eng_plus_t;

/* Room for the base and one tie more; TSG_ENOMEM (or TSG_EINPUT when the
 * base holds the most ties a network may) with err filled. */
tsg_status_t eng_plus_init(eng_plus_t *p, const eng_net_t *base, tsg_error_t *err);
/* p->net becomes base with the tie src -> dst of kind (ENG_REFERRAL, …;
 * directed: one way) added, count unknown. src and dst are two nodes of
 * base (a tie from a node to itself is one no database holds). */
void eng_plus_tie(eng_plus_t *p, const eng_net_t *base, int64_t src, int64_t dst, int kind, int directed);
void eng_plus_free(eng_plus_t *p);

#endif
