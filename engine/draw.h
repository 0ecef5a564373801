/*
 * draw — the network as files for meetings: GraphViz DOT (our own writer:
 * igraph's cannot draw clusters), GraphML (Gephi, Cytoscape) and JSON
 * (nodes and links, for web tools).
 *
 * What is drawn: the organisations based in the district (all, for 0),
 * their programs, and the forums based there or holding a member drawn;
 * every tie between two drawn nodes, memberships included (DOT writes a
 * forum as a code on its members, with a key: draw.c). Nodes are
 * coloured by sector and shaped by kind; ties are styled by kind and
 * widened by their annual count. Counts below suppress_below are written
 * "<N" (small counts identify people when published).
 *
 * Every name is escaped for its place: DOT quoted strings (quotes,
 * backslashes, line breaks), HTML-like labels (<, >, &, "), XML and JSON.
 * The writers append to a util_buf_t owned by the caller.
 */
#ifndef TSG_ENGINE_DRAW_H
#define TSG_ENGINE_DRAW_H

#include "gaps.h"
#include "network.h"
#include "util.h"

enum { ENG_CLUSTER_NONE, ENG_CLUSTER_SECTOR, ENG_CLUSTER_WARD, ENG_CLUSTER_GIVEN };
/* Which picture eng_dot draws: the network itself, the city at a glance
 * (cityview.c: one node per ward), or the sector × sector heat map. */
enum { ENG_VIEW_DETAIL, ENG_VIEW_CITY, ENG_VIEW_MATRIX };

typedef struct eng_draw {
    int64_t district;             /* 0: the whole network */
    const unsigned char *only;    /* by nid, or NULL: draw these organisations and programs (a LET set) */
    int cluster;                  /* ENG_CLUSTER_* */
    int english;                  /* labels: ids and keys instead of names */
    long suppress_below;          /* 0: every count shown */
    const char *title;            /* the district, the date, the statement */
    const eng_gap_t *gaps;        /* drawn as red dashed placeholders */
    size_t ngaps;
    const char *const *sector_keys;   /* the legend, in order */
    const char *const *sector_labels;
    int nsectors;
    const int64_t *given;         /* ENG_CLUSTER_GIVEN: an organisation's cluster (from 1) by nid, 0 none */
    const char *const *given_labels; /* given_labels[k - 1] names cluster k */
    const long *mark;             /* by nid: > 0 draws the node as highlighted (a broker), with the number */
    const char *mark_label;       /* what the number is ("brokerage") */
    const char *note;             /* a red note box (thin links), or NULL */
    int view;                     /* ENG_VIEW_* (DOT only) */
    int no_forums;                /* WITHOUT forums: no forums and no memberships */
    int programs;                 /* WITH programs: programs as nodes (DOT folds them into their
                                     organisation otherwise, unless a set names them) */
    const char *const *need_keys; /* how gap marks name needs (the output language) */
    const char *const *need_labels;
    int nneeds;
    int64_t centre;               /* a neighbourhood's own node (outlined), or 0 */
    const int64_t *suggest;       /* suggested ties (from, to nids, 2 × nsuggest): dashed green */
    size_t nsuggest;
} eng_draw_t;

tsg_status_t eng_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *out, tsg_error_t *err);
/* The city at a glance and the sector × sector heat map (cityview.c). */
tsg_status_t eng_city_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *out, tsg_error_t *err);
tsg_status_t eng_matrix_dot(const eng_net_t *net, const eng_draw_t *d, util_buf_t *out, tsg_error_t *err);

/* FORUMS OVERLAP … TO 'file' (forumview.c): the forums as nodes sized by
 * their members, each with a bar of its members' sectors, and a line
 * between two forums labelled with the members they share. The caller
 * owns every array; the query layer fills them from the database. */
typedef struct eng_forum_view {
    size_t n;                         /* forums */
    const char *const *name;          /* name[i] */
    const long *members;              /* members[i] */
    const long *by_sector;            /* by_sector[i * nsectors + s] */
    size_t npairs;
    const size_t (*pair)[2];          /* pair[k]: two forums (indexes) sharing shared[k] > 0 members */
    const long *shared;
    const char *const *sector_keys;   /* the legend, in order */
    const char *const *sector_labels;
    int nsectors;
    int english;                      /* sector keys instead of labels */
    const char *title;
} eng_forum_view_t;

/* Pairs sharing fewer members have no line (the table lists them): one
 * member in common is a ward's social welfare council sitting in every
 * council, and 38 such lines of the sample city's 103 hid the overlaps. */
#define ENG_FORUMS_MIN_SHARED 2
tsg_status_t eng_forums_dot(const eng_forum_view_t *v, util_buf_t *out, tsg_error_t *err);

/* In exchange.c: the same selection for tools other than GraphViz. */
tsg_status_t eng_graphml(const eng_net_t *net, const eng_draw_t *d, util_buf_t *out, tsg_error_t *err);
tsg_status_t eng_json(const eng_net_t *net, const eng_draw_t *d, util_buf_t *out, tsg_error_t *err);

/* Escapes, exposed for the tests: a DOT quoted string (with its quotes),
 * and text for HTML-like labels or XML. */
int eng_dot_string(util_buf_t *out, const char *s);
int eng_html_text(util_buf_t *out, const char *s);
/* Shared by the writers: a sector's fill colour, the ward a node is drawn
 * in (0: none), a count as published ("" unknown, "<N" suppressed). */
const char *eng_sector_colour(const char *sector);
/* s broken into lines of about width columns (a full-width character is
 * two), at a space when there is one near. */
int eng_wrapped(util_buf_t *out, const char *s, size_t width);
int64_t eng_ward_of(const eng_net_t *net, int64_t nid);
void eng_count_text(char *buf, size_t size, long count, long below);

/* Shared by draw.c and exchange.c, so every format draws the same nodes
 * and writes the same counts: the nodes drawn (drawn[nid] == 1, an array
 * the caller frees, NULL when out of memory); a count as published ("" when
 * unknown, "<N" below the threshold); a tie kind's key. */
unsigned char *eng_draw_select(const eng_net_t *net, const eng_draw_t *d);
void eng_draw_count(char *buf, size_t size, long count, long below);
const char *eng_draw_kind(int kind);
/* The frame node v is drawn in under CLUSTER BY (its label), or NULL. */
const char *eng_draw_cluster(const eng_net_t *net, const eng_draw_t *d, int64_t v);

#endif
