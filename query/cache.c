/*
 * cache — the session's network in memory (qry_network) and the igraph view
 * last built from it (qry_graph), kept until the data change or a statement
 * asks for another view; qry_network_free drops both.
 */
#include "query.h"
#include "structure.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

tsg_status_t qry_network(qry_session_t *s, const eng_net_t **net)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    /* USING confirmed ties: a network of its own, kept beside the whole one
     * (a session that switches between the two loads each once). */
    eng_net_t **slot = s->confirmed_ties ? &s->net_confirmed : &s->net;
    if (!*slot) {
        tsg_error_t err = {0};
        if (eng_net_load_with(s->db, 0, s->confirmed_ties, slot, &err))
            return gram_fail(&s->ctx, err.code, NULL, "%s", err.text);
    }
    *net = *slot;
    return TSG_OK;
}

/* The cached view: what it was built from, and the graph. */
struct qry_view {
    int64_t district;
    int programs, directed, confirmed; /* confirmed: built from the confirmed ties only */
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

void qry_network_free(qry_session_t *s)
{
    view_free(s->view);
    s->view = NULL;
    eng_net_free(s->net);
    s->net = NULL;
    eng_net_free(s->net_confirmed);
    s->net_confirmed = NULL;
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
    if (v && v->district == district && v->programs == programs && v->directed == directed &&
        v->confirmed == s->confirmed_ties && v->below == s->suppress_below &&
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
    *v = (struct qry_view){.district = district, .programs = programs, .directed = directed,
                           .confirmed = s->confirmed_ties, .below = s->suppress_below, .sectors = key,
                           .nsectors_len = len};
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
