/*
 * paths — who can pass a person on to whom: shortest paths between two sets
 * of nodes, and what a node reaches within k ties. Steps follow referral
 * ties in their direction; with `any`, co_support, info_sharing and
 * agreement ties too, either way. Memberships are never steps (sitting in
 * the same forum is a chance to link, not a link).
 */
#ifndef TSG_ENGINE_PATHS_H
#define TSG_ENGINE_PATHS_H

#include "network.h"

typedef struct eng_path {
    int len;           /* ties */
    int64_t *nodes;    /* len + 1 nodes */
    int32_t *ties;     /* len ties */
} eng_path_t;

/* Every shortest path (up to `most`) from any node of `from` to any of `to`
 * of at most `max` ties. *out is malloc'd; free with eng_paths_free. */
tsg_status_t eng_paths(const eng_net_t *net, const int64_t *from, size_t nfrom, const int64_t *to, size_t nto,
                       int any, int max, size_t most, eng_path_t **out, size_t *n, tsg_error_t *err);
void eng_paths_free(eng_path_t *paths, size_t n);

/* One node a walk reached: how many ties away, and the node it was first
 * reached from (0 for a start node). Nids fit in 32 bits (ENG_MAX_NID):
 * twelve bytes a hop, which the walk queues and the sort moves. */
typedef struct eng_hop {
    int32_t node, via;
    int32_t dist;
} eng_hop_t;

/* Breadth-first from `from`, at most `max` ties: every node reached, the
 * start nodes first, then by distance, by nid within one distance. *out is
 * malloc'd. The cost is the part of the network reached, not its size. */
tsg_status_t eng_reach(const eng_net_t *net, const int64_t *from, size_t nfrom, int any, int max, eng_hop_t **out,
                       size_t *n, tsg_error_t *err);

/* The same walk backwards: every node from which `to` is reached within
 * `max` ties, following each directed tie against its direction (who gets
 * people to `to`); undirected ties (with `any`) either way. A hop's `via`
 * is the next node on the way to `to`. */
tsg_status_t eng_reach_to(const eng_net_t *net, const int64_t *to, size_t nto, int any, int max, eng_hop_t **out,
                          size_t *n, tsg_error_t *err);

#endif
