/*
 * igraph_lazy — igraph's functions that tsunagi calls, opening the shared
 * library when the first is called (util/lazy.h), so that a process whose
 * statements never need a graph never maps libigraph and the twenty-odd
 * libraries behind it (BLAS, LAPACK, ARPACK, GLPK, GMP, libxml2 with ICU,
 * gfortran, libstdc++): about 14 ms of CPU of a 30 ms one-statement script
 * on the sample city, and more when they are not in the page cache
 * (docs/performance.md, "The cold start"; docs/decisions.md, "Issue 23: the
 * sample city's cold start"). A call of an igraph function not listed here
 * fails to link: add a line. Types, macros and the inline accessors
 * (VECTOR, IGRAPH_FROM) need nothing here.
 *
 * The handlers (error, warning, interruption) are process-wide in igraph
 * 0.10 and installed before every statement (eng_igraph_setup): until the
 * library is opened they are kept here and installed when it is, so
 * installing them opens nothing. Before that, the previous handler returned
 * is the one kept here (NULL at first), not igraph's default.
 *
 * The work that needs igraph asks for it first (eng_igraph_open, from
 * eng_graph_build), so that a missing library is reported as such. If it
 * cannot be opened all the same, a function returning a status returns
 * IGRAPH_FAILURE, igraph_strerror returns the loader's message ("graph
 * computation failed: libigraph.so.3: cannot open shared object file"), and
 * the others return zero or do nothing: they are only reached with objects
 * that a successful call made.
 */
#include "structure.h"
#include "lazy.h"

#include <igraph.h>
#include <stddef.h>

/* TSG_SONAME_IGRAPH: the library's name for dlopen, set by CMakeLists.txt
 * (TSG_DLOPEN); without it the program is linked against igraph and this
 * file is the gate alone. */
#ifndef TSG_SONAME_IGRAPH
tsg_status_t eng_igraph_open(tsg_error_t *err)
{
    (void)err;
    return TSG_OK;
}
#else

static igraph_error_handler_t *error_handler;
static igraph_warning_handler_t *warning_handler;
static igraph_interruption_handler_t *interruption_handler;

/* The library's own handler setters, once it is opened. */
typedef igraph_error_handler_t *set_error_fn(igraph_error_handler_t *);
typedef igraph_warning_handler_t *set_warning_fn(igraph_warning_handler_t *);
typedef igraph_interruption_handler_t *set_interruption_fn(igraph_interruption_handler_t *);
static set_error_fn *set_error;
static set_warning_fn *set_warning;
static set_interruption_fn *set_interruption;

static void opened(void *handle);
static util_lazy_t igraph = {.soname = TSG_SONAME_IGRAPH, .opened = opened};

tsg_status_t eng_igraph_open(tsg_error_t *err) { return util_lazy_open(&igraph, err); }

/* The handlers kept so far go in before any of igraph's functions runs. */
static void opened(void *handle)
{
    (void)handle;
    *(void **)&set_error = util_lazy_sym(&igraph, "igraph_set_error_handler");
    *(void **)&set_warning = util_lazy_sym(&igraph, "igraph_set_warning_handler");
    *(void **)&set_interruption = util_lazy_sym(&igraph, "igraph_set_interruption_handler");
    if (set_error && error_handler) set_error(error_handler);
    if (set_warning && warning_handler) set_warning(warning_handler);
    if (set_interruption && interruption_handler) set_interruption(interruption_handler);
}

igraph_error_handler_t *igraph_set_error_handler(igraph_error_handler_t *handler)
{
    igraph_error_handler_t *old = error_handler;
    error_handler = handler;
    return set_error ? set_error(handler) : old;
}

igraph_warning_handler_t *igraph_set_warning_handler(igraph_warning_handler_t *handler)
{
    igraph_warning_handler_t *old = warning_handler;
    warning_handler = handler;
    return set_warning ? set_warning(handler) : old;
}

igraph_interruption_handler_t *igraph_set_interruption_handler(igraph_interruption_handler_t *handler)
{
    igraph_interruption_handler_t *old = interruption_handler;
    interruption_handler = handler;
    return set_interruption ? set_interruption(handler) : old;
}

/* The warning handler that drops warnings is passed to igraph before any
 * computation, not called by us: it needs no library. */
void igraph_warning_handler_ignore(const char *reason, const char *file, int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

const char *igraph_strerror(const igraph_error_t code)
{
    static const char *(*fn)(const igraph_error_t);
    if (!fn) *(void **)&fn = util_lazy_sym(&igraph, "igraph_strerror");
    return fn ? fn(code) : util_lazy_why(&igraph);
}

void igraph_version(const char **version_string, int *major, int *minor, int *subminor)
{
    static void (*fn)(const char **, int *, int *, int *);
    if (!fn) *(void **)&fn = util_lazy_sym(&igraph, "igraph_version");
    if (fn) {
        fn(version_string, major, minor, subminor);
        return;
    }
    if (version_string) *version_string = "?";
    if (major) *major = 0;
    if (minor) *minor = 0;
    if (subminor) *subminor = 0;
}

#define LAZY(ret, fail, name, params, args) UTIL_LAZY(igraph, ret, fail, name, params, args)
#define LAZY_VOID(name, params, args) UTIL_LAZY_VOID(igraph, name, params, args)

static const igraph_vs_t no_vs; /* what a vertex selector is when igraph is missing */

LAZY_VOID(IGRAPH_FINALLY_FREE, (void), ())
LAZY_VOID(igraph_destroy, (igraph_t * graph), (graph))
LAZY_VOID(igraph_adjlist_destroy, (igraph_adjlist_t * al), (al))
LAZY_VOID(igraph_adjlist_sort, (igraph_adjlist_t * al), (al))
LAZY_VOID(igraph_arpack_options_init, (igraph_arpack_options_t * o), (o))
LAZY_VOID(igraph_vector_destroy, (igraph_vector_t * v), (v))
LAZY_VOID(igraph_vector_int_destroy, (igraph_vector_int_t * v), (v))
LAZY_VOID(igraph_vector_int_sort, (igraph_vector_int_t * v), (v))

LAZY(igraph_integer_t, 0, igraph_ecount, (const igraph_t *graph), (graph))
LAZY(igraph_integer_t, 0, igraph_vector_size, (const igraph_vector_t *v), (v))
LAZY(igraph_integer_t, 0, igraph_vector_int_size, (const igraph_vector_int_t *v), (v))
LAZY(igraph_bool_t, 0, igraph_vector_int_binsearch2, (const igraph_vector_int_t *v, igraph_integer_t what), (v, what))
LAZY(igraph_rng_t *, NULL, igraph_rng_default, (void), ())
LAZY(igraph_vs_t, no_vs, igraph_vss_all, (void), ())
LAZY(igraph_vs_t, no_vs, igraph_vss_vector, (const igraph_vector_int_t *v), (v))

LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_create,
     (igraph_t * graph, const igraph_vector_int_t *edges, igraph_integer_t n, igraph_bool_t directed),
     (graph, edges, n, directed))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_induced_subgraph,
     (const igraph_t *graph, igraph_t *res, const igraph_vs_t vids, igraph_subgraph_implementation_t impl),
     (graph, res, vids, impl))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_get_eid,
     (const igraph_t *graph, igraph_integer_t *eid, igraph_integer_t from, igraph_integer_t to, igraph_bool_t directed,
      igraph_bool_t error),
     (graph, eid, from, to, directed, error))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_neighbors,
     (const igraph_t *graph, igraph_vector_int_t *neis, igraph_integer_t vid, igraph_neimode_t mode),
     (graph, neis, vid, mode))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_degree,
     (const igraph_t *graph, igraph_vector_int_t *res, const igraph_vs_t vids, igraph_neimode_t mode,
      igraph_bool_t loops),
     (graph, res, vids, mode, loops))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_degree_1,
     (const igraph_t *graph, igraph_integer_t *deg, igraph_integer_t vid, igraph_neimode_t mode, igraph_bool_t loops),
     (graph, deg, vid, mode, loops))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_strength,
     (const igraph_t *graph, igraph_vector_t *res, const igraph_vs_t vids, igraph_neimode_t mode, igraph_bool_t loops,
      const igraph_vector_t *weights),
     (graph, res, vids, mode, loops, weights))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_adjlist_init,
     (const igraph_t *graph, igraph_adjlist_t *al, igraph_neimode_t mode, igraph_loops_t loops,
      igraph_multiple_t multiple),
     (graph, al, mode, loops, multiple))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_adjacent_triangles,
     (const igraph_t *graph, igraph_vector_t *res, const igraph_vs_t vids), (graph, res, vids))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_articulation_points, (const igraph_t *graph, igraph_vector_int_t *res),
     (graph, res))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_bridges, (const igraph_t *graph, igraph_vector_int_t *bridges),
     (graph, bridges))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_connected_components,
     (const igraph_t *graph, igraph_vector_int_t *membership, igraph_vector_int_t *csize, igraph_integer_t *no,
      igraph_connectedness_t mode),
     (graph, membership, csize, no, mode))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_betweenness_cutoff,
     (const igraph_t *graph, igraph_vector_t *res, const igraph_vs_t vids, igraph_bool_t directed,
      const igraph_vector_t *weights, igraph_real_t cutoff),
     (graph, res, vids, directed, weights, cutoff))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_betweenness_subset,
     (const igraph_t *graph, igraph_vector_t *res, const igraph_vs_t vids, igraph_bool_t directed,
      const igraph_vs_t sources, const igraph_vs_t targets, const igraph_vector_t *weights),
     (graph, res, vids, directed, sources, targets, weights))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_centralization_betweenness,
     (const igraph_t *graph, igraph_vector_t *res, igraph_bool_t directed, igraph_real_t *centralization,
      igraph_real_t *theoretical_max, igraph_bool_t normalized),
     (graph, res, directed, centralization, theoretical_max, normalized))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_closeness_cutoff,
     (const igraph_t *graph, igraph_vector_t *res, igraph_vector_int_t *reachable_count, igraph_bool_t *all_reachable,
      const igraph_vs_t vids, igraph_neimode_t mode, const igraph_vector_t *weights, igraph_bool_t normalized,
      igraph_real_t cutoff),
     (graph, res, reachable_count, all_reachable, vids, mode, weights, normalized, cutoff))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_harmonic_centrality_cutoff,
     (const igraph_t *graph, igraph_vector_t *res, const igraph_vs_t vids, igraph_neimode_t mode,
      const igraph_vector_t *weights, igraph_bool_t normalized, igraph_real_t cutoff),
     (graph, res, vids, mode, weights, normalized, cutoff))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_pagerank,
     (const igraph_t *graph, igraph_pagerank_algo_t algo, igraph_vector_t *vector, igraph_real_t *value,
      const igraph_vs_t vids, igraph_bool_t directed, igraph_real_t damping, const igraph_vector_t *weights,
      igraph_arpack_options_t *options),
     (graph, algo, vector, value, vids, directed, damping, weights, options))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_eigenvector_centrality,
     (const igraph_t *graph, igraph_vector_t *vector, igraph_real_t *value, igraph_bool_t directed,
      igraph_bool_t scale, const igraph_vector_t *weights, igraph_arpack_options_t *options),
     (graph, vector, value, directed, scale, weights, options))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_constraint,
     (const igraph_t *graph, igraph_vector_t *res, igraph_vs_t vids, const igraph_vector_t *weights),
     (graph, res, vids, weights))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_community_multilevel,
     (const igraph_t *graph, const igraph_vector_t *weights, const igraph_real_t resolution,
      igraph_vector_int_t *membership, igraph_matrix_int_t *memberships, igraph_vector_t *modularity),
     (graph, weights, resolution, membership, memberships, modularity))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_rng_seed, (igraph_rng_t * rng, igraph_uint_t seed), (rng, seed))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vs_vector, (igraph_vs_t * vs, const igraph_vector_int_t *v), (vs, v))

LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_init, (igraph_vector_t * v, igraph_integer_t size), (v, size))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_init_copy, (igraph_vector_t * to, const igraph_vector_t *from),
     (to, from))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_push_back, (igraph_vector_t * v, igraph_real_t e), (v, e))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_resize, (igraph_vector_t * v, igraph_integer_t new_size),
     (v, new_size))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_int_init, (igraph_vector_int_t * v, igraph_integer_t size),
     (v, size))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_int_init_range,
     (igraph_vector_int_t * v, igraph_integer_t start, igraph_integer_t end), (v, start, end))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_int_push_back, (igraph_vector_int_t * v, igraph_integer_t e),
     (v, e))
LAZY(igraph_error_t, IGRAPH_FAILURE, igraph_vector_int_resize, (igraph_vector_int_t * v, igraph_integer_t new_size),
     (v, new_size))

#endif
