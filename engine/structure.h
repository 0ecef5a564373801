/*
 * structure — how the network hangs together, with igraph 0.10: the
 * organisation graph of a district and the measures of horizontal linking
 * (docs/language.md, HORIZONTAL and CENTRALITY).
 *
 * The organisation graph of district D: the organisations based in D or
 * below (all of them when D is 0), and one undirected edge for each pair of
 * them joined by a referral, co_support, info_sharing or agreement tie,
 * program ends lifted to their owners; ties inside one organisation are
 * dropped, memberships are not edges. An edge's weight is the sum of its
 * ties' annual counts (a tie without a count adds 1). The program graph is
 * the same over programs (programs serving D), without lifting.
 *
 * The directed view (CENTRALITY … DIRECTED, BROKERS) has the same vertices and one
 * arc per ordered pair: a referral runs from who refers to who receives,
 * co_support, info_sharing and agreement run both ways; weights are summed
 * per arc as above.
 *
 * igraph's handlers are process-wide; eng_igraph_setup installs ours (errors
 * come back as codes, nothing aborts; warnings are dropped; a computation
 * stops when *flag becomes non-zero) and may be called any number of times.
 * Everything returned is owned by the caller and freed with the matching
 * *_free.
 */
#ifndef TSG_ENGINE_STRUCTURE_H
#define TSG_ENGINE_STRUCTURE_H

#include "network.h"

#include <igraph.h>
#include <signal.h>

/* flag set (by Ctrl-C) stops a computation; so does passing *deadline
 * (ns on CLOCK_MONOTONIC; 0 none), which sets flag to 2. */
void eng_igraph_setup(volatile sig_atomic_t *flag, const int64_t *deadline);
/* Stops using flag for interruptions if it is the one installed (its owner
 * goes away). */
void eng_igraph_forget(volatile sig_atomic_t *flag);
/* igraph itself, opened if it is not yet (engine/igraph_lazy.c): TSG_OK, or
 * an error saying it cannot be loaded. Every graph starts here. */
tsg_status_t eng_igraph_open(tsg_error_t *err);

typedef struct eng_graph {
    igraph_t g;
    igraph_vector_t weight;   /* by edge */
    int64_t *nid;             /* by vertex */
    igraph_integer_t n;
    int directed;
} eng_graph_t;

/* programs: 0 for the organisation graph, 1 for the program graph.
 * directed: 1 for the directed view.
 * sectors (nsectors of them; 0 for all): keep only organisations of these
 * sectors (programs: of an owner in them).
 * An edge weighs the summed counts of its ties; a tie without a count, or
 * with COUNT 0, weighs 1 (a weighted distance is 1/w and must be finite).
 * below > 0: a count under it weighs as an unknown count (1), so no weighted
 * measure can tell one suppressed count from another (--suppress-below). */
tsg_status_t eng_graph_build(const eng_net_t *net, int64_t district, int programs, int directed,
                             const char *const *sectors, int nsectors, long below, eng_graph_t *out, tsg_error_t *err);
void eng_graph_free(eng_graph_t *gr);

enum { ENG_DEGREE, ENG_BETWEENNESS, ENG_CLOSENESS, ENG_HARMONIC, ENG_PAGERANK, ENG_EIGENVECTOR, ENG_CONSTRAINT,
       ENG_EFFECTIVE_SIZE };
extern const char *const eng_measure_name[]; /* NULL-terminated */

/* One value per vertex. Effective size (Burt) is computed here, not by
 * igraph: for each partner, 1 minus how much the other partners already
 * cover it (weighted by ties; Borgatti's n - 2t/n when unweighted).
 * Weighted: degree becomes strength; path measures
 * read a weight w as the distance 1/w (frequent referral is a short road);
 * pagerank, eigenvector and constraint use w as it is.
 * On a directed view, degree counts arcs in (who is referred to),
 * closeness and harmonic use distances to the vertex, betweenness counts
 * directed shortest paths, pagerank follows arcs, eigenvector sums over
 * arcs in; constraint and effective size are undirected only (EINPUT).
 * cutoff >= 0: betweenness, closeness and harmonic count only paths of at
 * most that length (igraph's *_cutoff): the approximation for networks too
 * large for exact betweenness. Negative: no cutoff. */
tsg_status_t eng_centrality(const eng_graph_t *gr, int measure, int weighted, double cutoff, igraph_vector_t *out,
                            tsg_error_t *err);

/* Betweenness estimated from a sample of the vertices (Brandes and Pich's
 * pivots): the shortest paths from `pivots` vertices, drawn without
 * replacement by a shuffle seeded with `seed`, to every vertex, scaled by
 * n / pivots (igraph_betweenness_subset). The estimate is unbiased; with
 * every vertex a pivot it is the exact betweenness. The pivots are split
 * into ENG_SAMPLE_BATCHES batches; margin[v] is the half-width of a 95%
 * Student t interval from the spread of the batch estimates (with the
 * finite population correction). It is honest for vertices whose
 * betweenness comes from many sources (the hubs); for one that carries the
 * routes of a few dependants only (a leaf's only partner), a sample that
 * misses them gives an estimate and a margin both too low. Weighted:
 * distances 1/w, as eng_centrality. */
#define ENG_SAMPLE_BATCHES 10 /* at most 10: see t975 in structure.c */
tsg_status_t eng_betweenness_sample(const eng_graph_t *gr, int weighted, igraph_integer_t pivots, uint64_t seed,
                                    igraph_vector_t *out, igraph_vector_t *margin, tsg_error_t *err);

typedef struct eng_horizontal {
    igraph_integer_t orgs, ties, ng_ties; /* ties between two non-government organisations */
    double centralization;                /* betweenness, normalized */
    double ei_government, ei_sector;      /* Krackhardt's E-I index */
    igraph_vector_int_t dependent;        /* vertices: non-government, every neighbour government */
    igraph_vector_int_t pieces;           /* sizes of the non-government pieces, largest first */
    igraph_vector_int_t articulation;     /* vertices */
    igraph_vector_int_t bridges;          /* edges */
} eng_horizontal_t;

tsg_status_t eng_horizontal(const eng_net_t *net, const eng_graph_t *gr, eng_horizontal_t *out, tsg_error_t *err);
/* The same, with centralization computed only when asked (it is all-pairs
 * shortest paths, O(n m): minutes on a hundred municipalities, where the
 * rest is linear); left 0 otherwise. COMPARE measures both sides without it. */
tsg_status_t eng_horizontal_with(const eng_net_t *net, const eng_graph_t *gr, int centralization, eng_horizontal_t *out,
                                 tsg_error_t *err);
void eng_horizontal_free(eng_horizontal_t *h);

/* Gould–Fernandez brokerage: for each organisation B of the district, the
 * open two-steps A → B → C (no tie A → C; A ≠ C) by the sectors of A, B and
 * C: coordinator (all one sector), gatekeeper (B and C share, A does not),
 * representative (A and B share, C does not), itinerant (A and C share, B
 * does not), liaison (all three differ). gr is the directed view of the
 * organisation graph (referrals in their direction, the other
 * non-membership ties both ways, program ends lifted to their owners).
 * roles[v * 5 + k] counts role k of vertex v of gr. */
enum { ENG_COORDINATOR, ENG_GATEKEEPER, ENG_REPRESENTATIVE, ENG_ITINERANT, ENG_LIAISON };
tsg_status_t eng_brokerage(const eng_net_t *net, const eng_graph_t *gr, long **roles, tsg_error_t *err);

/* Communities of the graph by multilevel modularity (Louvain), with igraph's
 * random generator seeded so the same network always gives the same
 * answer. *membership has one community number (from 0) per vertex. */
tsg_status_t eng_communities(const eng_graph_t *gr, int weighted, igraph_vector_int_t *membership, igraph_integer_t *n,
                             tsg_error_t *err);

/* ties[a * ngroups + b]: edges between group a and group b (both ways
 * filled), for group[v] in 0..ngroups-1 or -1 for vertices in no group. */
void eng_group_ties(const eng_graph_t *gr, const int *group, int ngroups, long *ties);

/* Pairs of groups with few ties for their size (THIN LINKS): every pair of
 * distinct groups, thinnest first. A pair's ties are compared with what
 * uniform mixing gives it, ties × n_a × n_b / (N (N − 1) / 2); equal ratios
 * put the larger expectation first. size[g] receives each group's size. */
typedef struct eng_pair {
    int a, b;
    long ties;
    double expected, ratio;
} eng_pair_t;
tsg_status_t eng_thin_pairs(const eng_graph_t *gr, const int *group, int ngroups, long *size, eng_pair_t **out,
                            size_t *n, tsg_error_t *err);

/* names[k] (malloc'd): "k+1: <the best-tied member> …" for each community. */
tsg_status_t eng_community_names(const eng_net_t *net, const eng_graph_t *gr, const igraph_vector_int_t *membership,
                                 igraph_integer_t ncom, char **names, tsg_error_t *err);

/* Whether an organisation is government (the one vertical sector). */
int eng_is_government(const eng_net_t *net, int64_t nid);

#endif
