/*
 * critical — what each organisation's loss would cost (CRITICAL,
 * docs/language.md), computed for all organisations in one pass rather than
 * by removing each in turn:
 *
 *   cells     (cell, need) pairs of a group where some asked age would lose
 *             its last covering program: the ages where it is the only
 *             organisation covering (one count per age, one pass);
 *   reach     (cell, need) pairs where some age would stay covered but no
 *             entry point serving the cell would reach a covering program
 *             within `hops` referral ties any more: only organisations that
 *             own a node the cell's entry points reach can change that, so
 *             the walk is redone for those alone, cell by cell;
 *   pairs     pairs of the other organisations of the organisation graph
 *             that would lose every path (Borgatti's fragmentation), and
 *   cut       whether it is an articulation point: one depth-first search
 *             (lowpoints and subtree sizes give every vertex's pieces);
 *   partners, brokered  its ties in that graph and the pairs of its
 *             partners not tied to each other, which rank the organisations
 *             whose loss cuts nothing (CRITICAL without FOR, most of a
 *             connected ward).
 *
 * cells and reach are counted as GAPS would see them after a REMOVE (the
 * definitions of engine/gaps.h); pairs and cut on eng_graph_build's
 * organisation graph. Results are malloc'd, owned by the caller.
 */
#ifndef TSG_ENGINE_CRITICAL_H
#define TSG_ENGINE_CRITICAL_H

#include "gaps.h"
#include "structure.h"

typedef struct eng_critical {
    int64_t org;
    const char *id;   /* the organisation's id (the network's), to order by */
    long cells, reach;
    long pairs;
    int cut;
    /* In the organisation graph: the organisations it is tied to, and the
     * pairs of them with no tie between them (that it alone introduces:
     * its brokerage, Burt's non-redundant pairs); 0 outside the graph. */
    long partners, brokered;
    /* By need (index into the query's needs): the ages whose support the
     * loss would open (covering or reaching), -1 when none. */
    int lo[64], hi[64];
} eng_critical_t;

/* q: the group (NULL: no group, cells and reach stay 0), its district
 * ignored: the cells are those of each district in roots. gr: the
 * organisation graph; its organisations are the ones ranked, with any
 * other whose loss opens a cell. *out in no order. */
tsg_status_t eng_critical(const eng_net_t *net, const eng_gaps_query_t *q, const int64_t *roots, size_t nroots,
                          const eng_graph_t *gr, eng_critical_t **out, size_t *n, tsg_error_t *err);

#endif
