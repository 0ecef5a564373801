/*
 * cache — the session's networks in memory, one per day a statement read
 * and ties (all, or the confirmed only: USING confirmed ties) a statement
 * read (qry_network, at most QRY_NETS), and the igraph view last built from one
 * (qry_graph), kept until the data change or a statement asks for another
 * view or day; qry_network_free drops them all.
 */
#include "query.h"
#include "structure.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* The cached view: what it was built from, and the graph. */
struct qry_view {
    const eng_net_t *net; /* the network it was built from */
    int64_t district;
    int programs, directed;
    long below; /* the suppression the weights were built under */
    char *sectors; /* the sector names, each followed by '\0' */
    size_t nsectors_len;
    eng_graph_t gr;
};

static void view_free(struct qry_view *v)
{
    if (!v) return;
    eng_graph_free(&v->gr);
    free(v->sectors);
    free(v);
}

static void view_drop(qry_session_t *s)
{
    view_free(s->view);
    s->view = NULL;
}

void qry_network_free(qry_session_t *s)
{
    /* A network read in part goes with its file (diskcache.c). */
    qry_cache_drop(s);
    view_drop(s);
    for (int i = 0; i < QRY_NETS; i++) {
        eng_net_free(s->nets[i].net);
        s->nets[i].net = NULL;
    }
    s->net = NULL;
}

int qry_network_drop(qry_session_t *s, const eng_net_t *net)
{
    /* A network read in part points into the cache file's regions: it
     * goes with the file (whose drop comes back here for its slot). */
    if (net && net == qry_cache_partial(s)) {
        qry_cache_drop(s);
        return 1;
    }
    for (int i = 0; net && i < QRY_NETS; i++)
        if (s->nets[i].net == net) {
            if (s->view && s->view->net == net) view_drop(s);
            if (s->net == net) s->net = NULL;
            eng_net_free(s->nets[i].net);
            s->nets[i].net = NULL;
            return 1;
        }
    return 0;
}

tsg_status_t qry_network(qry_session_t *s, const eng_net_t **net)
{
    return qry_network_parts(s, QRY_NET_ALL, net);
}

/* The network of one day: found among the kept ones, or loaded into the
 * slot used longest ago. Two slots: a statement alternating between two
 * days (COMPARE, or AS OF beside today) reloads nothing, and memory stays
 * at most twice one network's (docs/decisions.md, "Issue 21: AS OF"). */
tsg_status_t qry_network_parts(qry_session_t *s, unsigned parts, const eng_net_t **net)
{
    /* A statement that names its parts reads names only through
     * qry_node_set, which reads the index when it must. */
    tsg_status_t rc = parts == QRY_NET_ALL ? qry_load(s) : qry_load_lazy(s);
    if (rc) return rc;
    /* Keyed by the resolved day, not 0 for today: a session that runs past
     * midnight (or whose TSUNAGI_TODAY changes) must not keep serving the
     * day it loaded. */
    long day = s->as_of ? s->as_of : util_today();
    int i = 0;
    /* USING confirmed ties: a network of its own, kept like another day's. */
    int confirmed = s->confirmed_ties;
    while (i < QRY_NETS && !(s->nets[i].net && s->nets[i].day == day && s->nets[i].confirmed == confirmed)) i++;
    /* Read from the cache file in part: the parts this statement reads,
     * now. A damaged one took the network with it: it is loaded below. */
    if (i < QRY_NETS && s->nets[i].net == qry_cache_partial(s) && !qry_cache_net(s, day, confirmed, parts))
        i = QRY_NETS;
    if (i == QRY_NETS) {
        i = QRY_NETS - 1;
        while (i > 0 && s->nets[i - 1].net == NULL) i--; /* a free slot first */
        qry_network_drop(s, s->nets[i].net);
        tsg_error_t err = {0};
        /* The cache file's network, read now that a statement needs it. */
        eng_net_t *cached = qry_cache_net(s, day, confirmed, parts);
        if (cached) s->nets[i].net = cached;
        /* A network loaded is written to the cache with the names. */
        else if ((rc = qry_names_ready(s)))
            return rc;
        else if (eng_net_load_with(s->db, day, confirmed, &s->nets[i].net, &err))
            return gram_fail(&s->ctx, err.code, NULL, "%s", err.text);
        s->nets[i].day = day;
        s->nets[i].confirmed = confirmed;
        if (!cached) qry_cache_save(s, s->nets[i].net, day, confirmed);
    }
    /* Most recently used first. */
    struct qry_net_slot hit = s->nets[i];
    memmove(&s->nets[1], &s->nets[0], (size_t)i * sizeof s->nets[0]);
    s->nets[0] = hit;
    *net = s->net = hit.net;
    return TSG_OK;
}



tsg_status_t qry_graph(qry_session_t *s, const ast_stmt_t *st, int64_t district, int programs, int directed,
                       const char *const *sectors, int nsectors, const eng_net_t **net, const eng_graph_t **gr)
{
    tsg_status_t rc = qry_network(s, net);
    if (rc) return rc;
    size_t len = 0;
    for (int i = 0; i < nsectors; i++) len += strlen(sectors[i]) + 1;
    char *key = malloc(len + 1);
    if (!key) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    for (int i = 0, at = 0; i < nsectors; i++) {
        size_t n = strlen(sectors[i]) + 1;
        memcpy(key + at, sectors[i], n);
        at += (int)n;
    }
    struct qry_view *v = s->view;
    if (v && v->net == *net && v->district == district && v->programs == programs && v->directed == directed && v->below == s->suppress_below &&
        v->nsectors_len == len && !memcmp(v->sectors, key, len)) {
        free(key);
        *gr = &v->gr;
        return TSG_OK;
    }
    view_free(v);
    s->view = NULL;
    if (!(v = calloc(1, sizeof *v))) {
        free(key);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    *v = (struct qry_view){.net = *net, .district = district, .programs = programs, .directed = directed, .below = s->suppress_below, .sectors = key, .nsectors_len = len};
    tsg_error_t err = {0};
    if (eng_graph_build(*net, district, programs, directed, sectors, nsectors, s->suppress_below, &v->gr, &err)) {
        free(key);
        free(v);
        return gram_fail(&s->ctx, err.code, &st->kw, "%s", err.text);
    }
    s->view = v;
    *gr = &v->gr;
    return TSG_OK;
}
