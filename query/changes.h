/*
 * changes — what COMPARE found, shared by its three statements: COMPARE
 * (the tables, changes.c), RENDER CHANGES (the picture, changes_draw.c) and
 * REPORT CHANGES (the council's page, changes_draw.c). qry_changes_compute
 * (compare.c) loads both sides and runs the engine's diff; everything in a
 * qry_changes_t is owned by it and freed by qry_changes_free, except `b` in
 * COMPARE WITH, which is the session's network.
 */
#ifndef TSG_QUERY_CHANGES_H
#define TSG_QUERY_CHANGES_H

#include "compare.h"
#include "query.h"

typedef struct qry_changes {
    const eng_net_t *a, *b;   /* then and now */
    int own_a, own_b;
    tsg_db_t *other;          /* COMPARE WITH: the other file, open */
    char *label_a, *label_b;  /* how the tables name the two sides: dates, or the file and "this database" */
    long day_a, day_b;        /* YYYYMMDD of each side (0: COMPARE WITH, every program counts) */
    int64_t district_a, district_b; /* IN, in each network; 0: the whole network */
    const char *district_name;
    eng_node_change_t *nodes;
    size_t nnodes;
    eng_tie_change_t *ties;   /* every tie in scope, kept ones too */
    size_t nties;
    eng_graph_t ua, ub, wa, wb; /* organisation graphs: undirected, directed */
    eng_horizontal_t ha, hb;
    int have_h;
    eng_org_change_t *orgs;
    size_t norgs;
    int has_gaps;             /* FOR … was given */
    qry_gaps_args_t ga;
    eng_gap_t *gaps_a, *gaps_b;
    size_t ngaps_a, ngaps_b;
    eng_gap_change_t *gaps;
    size_t ngaps;
} qry_changes_t;

tsg_status_t qry_changes_compute(qry_session_t *s, const ast_stmt_t *st, qry_changes_t *c);
void qry_changes_free(qry_changes_t *c);
/* The tables of COMPARE, in order, through qry_emit. */
tsg_status_t qry_changes_emit(qry_session_t *s, const qry_changes_t *c);
/* A change (ENG_GAINED, …) as people read it, in the language of the output. */
const char *qry_change_label(int change);

/* COMPARE, RENDER CHANGES, REPORT CHANGES (session.c dispatches here). */
tsg_status_t qry_exec_compare(qry_session_t *s, const ast_stmt_t *st);
tsg_status_t qry_exec_render_changes(qry_session_t *s, const ast_stmt_t *st);
tsg_status_t qry_exec_report_changes(qry_session_t *s, const ast_stmt_t *st);

#endif
