/*
 * compare — what changed between two networks (COMPARE, docs/language.md):
 * the same city on two dates, or two database files. Pure: two eng_net_t in,
 * lists of changes out; nothing here loads or prints.
 *
 * The two networks number their nodes independently (two files), so a node
 * is matched by its id, a tie by its ends' ids and its kind (an undirected
 * tie by its ends in either order), a gap by its kind, cell id, need and
 * ages. Matching sorts both sides by that key and walks them together: the
 * cost is n log n on a national network, not n × m.
 *
 * Scope: `district` in each network (0: the whole network; -1: none of it,
 * for a district one side does not have). A node is in scope when it is
 * based in the district or below (a program by its organisation); a tie when
 * either end is (an NPO of the ward losing its tie to a city department is
 * the ward's change).
 *
 * Everything returned is malloc'd and owned by the caller (free()); the
 * rows point into the networks, which must outlive them.
 */
#ifndef TSG_ENGINE_COMPARE_H
#define TSG_ENGINE_COMPARE_H

#include "gaps.h"
#include "network.h"
#include "structure.h"
#include "util.h"

enum { ENG_KEPT, ENG_GAINED, ENG_LOST, ENG_CHANGED, ENG_JOINED, ENG_LEFT, ENG_OPENED, ENG_CLOSED };
extern const char *const eng_change_name[]; /* "kept", "gained", … by ENG_KEPT … */

/* The nid of the node whose id is `id`, or 0. A scan: for the few ids a
 * statement names, not for a loop. */
int64_t eng_nid_of(const eng_net_t *net, const char *id);

/* Whether node nid (organisation, program or forum) is in scope. */
int eng_in_scope(const eng_net_t *net, int64_t nid, int64_t district);

/* Organisations, programs and forums that joined (in b only), left (in a
 * only) or changed (eng_node_diff). A program is in a network while it
 * exists (the reader's rule: until its `until`); whether it runs (STARTS,
 * ENDS) on each side's day (YYYYMMDD, 0: any) is one of its fields, so one
 * that stopped running is changed, and its ties stay, as in the network.
 * With a district (da, db > 0), a node is in scope when it is in the
 * district on either side: one that moved in or out is changed (its
 * district), not joined or left, and its ties are kept. */
typedef struct eng_node_change {
    int change;
    int64_t a, b; /* nid in each network, 0 for none */
} eng_node_change_t;
enum { ENG_DIFF_NAME = 1, ENG_DIFF_SECTOR = 2, ENG_DIFF_OWNER = 4, ENG_DIFF_DISTRICT = 8, ENG_DIFF_RUNNING = 16 };
unsigned eng_node_diff(const eng_net_t *a, int64_t x, long day_a, const eng_net_t *b, int64_t y, long day_b);
tsg_status_t eng_diff_nodes(const eng_net_t *a, int64_t da, long day_a, const eng_net_t *b, int64_t db, long day_b,
                            eng_node_change_t **out, size_t *n, tsg_error_t *err);

/* Every tie of either network in scope (an end in scope as eng_diff_nodes
 * has it): kept (in both, same count), changed (in both, its count
 * changed), gained (b only), lost (a only). A network holds only the ties
 * whose ends both exist on its day (the reader drops the others). */
typedef struct eng_tie_change {
    int change;
    const eng_tie_t *a, *b; /* the tie in each network, NULL for none */
} eng_tie_change_t;
tsg_status_t eng_diff_ties(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db, eng_tie_change_t **out,
                           size_t *n, tsg_error_t *err);

/* Gaps found in a only (closed) and in b only (opened). */
typedef struct eng_gap_change {
    int change;
    const eng_gap_t *gap; /* in ga (closed) or gb (opened) */
} eng_gap_change_t;
tsg_status_t eng_diff_gaps(const eng_net_t *a, const eng_gap_t *ga, size_t na, const eng_net_t *b, const eng_gap_t *gb,
                           size_t nb, eng_gap_change_t **out, size_t *n, tsg_error_t *err);

/* Each organisation's degree (partners in the organisation graph) and
 * brokerage (Gould–Fernandez roles, all five summed) in each network, for
 * the organisations whose numbers differ, largest change of degree first,
 * then of brokerage, then by id. ua/ub: the undirected organisation graphs,
 * wa/wb: the directed ones, of the same scope. One in one graph only is
 * joined or left when the other network does not hold it, else changed
 * (it moved into or out of the district), a side's numbers 0 and a or b 0
 * where it is outside that side's graph. */
typedef struct eng_org_change {
    int change; /* ENG_JOINED, ENG_LEFT or ENG_CHANGED */
    int64_t a, b;
    long degree_a, degree_b, brokerage_a, brokerage_b;
} eng_org_change_t;
tsg_status_t eng_diff_orgs(const eng_net_t *a, const eng_graph_t *ua, const eng_graph_t *wa, const eng_net_t *b,
                           const eng_graph_t *ub, const eng_graph_t *wb, eng_org_change_t **out, size_t *n,
                           tsg_error_t *err);

/* The picture of the change (compare_draw.c) as DOT for neato: the texts
 * are the caller's, in the output language — the title (may be empty), the
 * legend's heading and its five entries: tie gained, tie lost, tie kept,
 * joined, left. ties: eng_diff_ties' rows, of the same scope. */
typedef struct eng_change_look {
    const char *title, *legend;
    const char *item[5];
} eng_change_look_t;
tsg_status_t eng_changes_dot(const eng_net_t *a, int64_t da, const eng_net_t *b, int64_t db,
                             const eng_tie_change_t *ties, size_t nties, const eng_change_look_t *look, util_buf_t *out,
                             tsg_error_t *err);

#endif
