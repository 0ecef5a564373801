/*
 * netpast — the past values netread hands on as of a day (issue 21): of the
 * `history` rows, per node (or tie) and field, the one with the smallest
 * until after the day, which is the value the field held that day; a field
 * without one holds its row's current value. Internal to store/netread.c.
 *
 * A store_past_t owns copies of everything it holds; store_past_free frees
 * it. Lookups return 1 with *value (NULL for a value that was not set)
 * when the day's value is a past one, else 0.
 */
#ifndef TSG_STORE_NETPAST_H
#define TSG_STORE_NETPAST_H

#include "tsunagi.h"
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store_past_item {
    int tie;            /* 0: key is a nid; 1: a tid */
    int64_t key;
    long until;         /* YYYYMMDD */
    int64_t hid;        /* history's row: of two values kept until one day, the earlier is the day's */
    char *field, *value;
} store_past_item_t;

typedef struct store_past {
    store_past_item_t *v; /* by (tie, key, field) */
    size_t n;
    sqlite3_stmt *by_id;  /* a node's nid from its id */
} store_past_t;

tsg_status_t store_past_load(sqlite3 *sql, long day, store_past_t *p, tsg_error_t *err);
void store_past_free(store_past_t *p);
int store_past_value(const store_past_t *p, int tie, int64_t key, const char *field, const char **value);
/* Whether node nid has any past value that day. */
int store_past_any(const store_past_t *p, int64_t nid);
/* The nid of the node with this id, 0 when none (or id is NULL). */
int64_t store_past_nid(const store_past_t *p, const char *id);

#endif
