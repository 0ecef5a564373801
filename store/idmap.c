/* idmap — open addressing with linear probing; see idmap.h. */
#include "idmap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static store_id_t *probe(const store_idmap_t *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);
    while (m->slot[i].key && strcmp(m->slot[i].key, key)) i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

const store_id_t *store_idmap_get(const store_idmap_t *m, const char *key)
{
    if (!m->cap) return NULL;
    store_id_t *e = probe(m, key);
    return e->key ? e : NULL;
}

static int grow(store_idmap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    store_id_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    store_idmap_t bigger = {slot, cap, m->n};
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].key) *probe(&bigger, m->slot[i].key) = m->slot[i];
    free(m->slot);
    *m = bigger;
    return 0;
}

int store_idmap_put(store_idmap_t *m, const char *key, store_id_t val, const store_id_t **old)
{
    if ((m->n + 1) * 2 > m->cap && grow(m)) return -1;
    store_id_t *e = probe(m, key);
    if (e->key) {
        if (old) *old = e;
        return 1;
    }
    val.key = util_strdup(key);
    if (!val.key) return -1;
    *e = val;
    m->n++;
    return 0;
}

void store_idmap_free(store_idmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->slot[i].key);
    free(m->slot);
    m->slot = NULL;
    m->cap = m->n = 0;
}
