/*
 * netread — the network's rows for the in-memory graph (engine/network.c),
 * which knows no SQL: every node, district, organisation, forum, program,
 * program list row and tie, read in one read transaction (the tables agree
 * with each other) and handed to the caller's callbacks as plain values.
 *
 * Order: sizes once, then organisations, forums, programs (by nid), nodes,
 * districts, the rows of the programs' targets, needs, modes and areas (in
 * the order written), and ties (in tid order). Text handed to a
 * callback lives until it returns; copy what you keep. A callback's non-zero
 * status stops the read and is returned as it is.
 *
 * The first nid of every row (a node's, a list row's program, a tie's src)
 * is in 1..maxnid: a row outside is refused (TSG_EDB) before any callback
 * sees it. Other references (a parent, a base district, a program's org, a
 * tie's dst, an area's district) are passed as stored, 0 for NULL: the
 * caller checks them against its own arrays.
 *
 * As of a day (YYYYMMDD, issue 21): only the rows that exist that day are
 * handed on (store/period.h): organisations and forums within their
 * period, programs before their until and while their organisation exists,
 * list rows of such programs, and ties within their period whose two ends
 * exist. A node that does not exist that day has no node row either, so its
 * type stays 0 in the caller's arrays. Each field is handed on with its
 * value of that day: the `history` row with the smallest until after the
 * day, else the row's own (store/netpast.h); a list with a past value is
 * handed on item by item from it, in place of its stored rows.
 */
#ifndef TSG_STORE_NETREAD_H
#define TSG_STORE_NETREAD_H

#include "tsunagi.h"
#include <stddef.h>
#include <stdint.h>

typedef struct store_text {
    const char *z; /* NULL for NULL */
    size_t n;
} store_text_t;

typedef struct store_program_row {
    int64_t nid, org;
    store_text_t name;
    int age_min, age_max;     /* -1: open (NULL) */
    int wide;                 /* area '*' */
    const char *starts, *ends; /* as stored, NULL: open */
} store_program_row_t;

enum { STORE_LIST_TARGET, STORE_LIST_NEED, STORE_LIST_MODE, STORE_LIST_AREA };

typedef struct store_net_reader {
    void *ctx;
    /* How many nodes there are; nids run 1..maxnid. */
    tsg_status_t (*sizes)(void *ctx, int64_t maxnid, tsg_error_t *err);
    /* type: "district", "organisation", "program" or "forum" (NULL if NULL). */
    tsg_status_t (*node)(void *ctx, int64_t nid, const char *type, store_text_t id, tsg_error_t *err);
    tsg_status_t (*district)(void *ctx, int64_t nid, store_text_t name, int64_t parent, const char *level,
                             tsg_error_t *err);
    /* Organisations (with their sector) and forums (sector NULL). */
    tsg_status_t (*based)(void *ctx, int64_t nid, store_text_t name, int64_t district, const char *sector,
                          tsg_error_t *err);
    tsg_status_t (*program)(void *ctx, const store_program_row_t *p, tsg_error_t *err);
    /* One item of a program's list: key (NULL if NULL) for targets, needs and
     * modes; district for STORE_LIST_AREA. */
    tsg_status_t (*list_item)(void *ctx, int list, int64_t program, int pos, const char *key, int64_t district,
                              tsg_error_t *err);
    /* count: -1 when unknown (NULL). */
    tsg_status_t (*tie)(void *ctx, int64_t src, int64_t dst, const char *kind, int directed, int64_t count,
                        tsg_error_t *err);
    int confirmed_only; /* only the ties whose status is 'confirmed' (USING confirmed ties) */
} store_net_reader_t;

tsg_status_t store_read_network(tsg_db_t *db, long day, const store_net_reader_t *r, tsg_error_t *err);

#endif
