/*
 * idmap — a string-keyed hash table for the importer: which id is which node,
 * and where it was first written, so a duplicate can name the first place.
 * The map copies keys and owns them; `where` strings must outlive the map.
 */
#ifndef TSG_STORE_IDMAP_H
#define TSG_STORE_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct store_id {
    char *key;
    int64_t nid;
    int type;          /* caller's meaning */
    const char *where; /* file label */
    long line;
    size_t aux;        /* caller's meaning (e.g. a row index) */
} store_id_t;

typedef struct store_idmap {
    store_id_t *slot;
    size_t cap, n;
} store_idmap_t;

/* Returns the entry for key, or NULL. */
const store_id_t *store_idmap_get(const store_idmap_t *m, const char *key);
/* Adds key; 0 when added, 1 when it was there already (*old set), -1 no memory. */
int store_idmap_put(store_idmap_t *m, const char *key, store_id_t val, const store_id_t **old);
void store_idmap_free(store_idmap_t *m);

#endif
