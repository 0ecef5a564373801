/* netpast — the past values as of a day; see netpast.h. */
#include "netpast.h"
#include "store.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static int item_cmp(const void *a, const void *b)
{
    const store_past_item_t *x = a, *y = b;
    if (x->tie != y->tie) return x->tie - y->tie;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    int c = strcmp(x->field, y->field);
    if (c) return c;
    if (x->until != y->until) return x->until < y->until ? -1 : 1;
    /* SET twice on one day keeps two values until that day: the first kept
     * was the value before it, as QRY_KEPT (query/where.h) orders by hid.
     * qsort need not be stable (musl's is not), so the order is said. */
    return (x->hid > y->hid) - (x->hid < y->hid);
}

tsg_status_t store_past_load(sqlite3 *sql, long day, store_past_t *p, tsg_error_t *err)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT nid, tid, field, value, tsg_day(until), hid FROM history"
                                        " WHERE tsg_day(until) > ?1", &st, err);
    if (s) return s;
    sqlite3_bind_int64(st, 1, day);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 64;
            store_past_item_t *grown = realloc(p->v, cap * sizeof *grown);
            if (!grown) {
                s = util_fail(err, TSG_ENOMEM, _("out of memory"));
                break;
            }
            p->v = grown;
        }
        store_past_item_t *it = &p->v[p->n];
        it->tie = sqlite3_column_type(st, 0) == SQLITE_NULL;
        it->key = sqlite3_column_int64(st, it->tie ? 1 : 0);
        it->until = (long)sqlite3_column_int64(st, 4);
        it->hid = sqlite3_column_int64(st, 5);
        const char *field = (const char *)sqlite3_column_text(st, 2), *value = (const char *)sqlite3_column_text(st, 3);
        it->field = util_strdup(field ? field : "");
        it->value = value ? util_strdup(value) : NULL;
        if (!it->field || (value && !it->value)) {
            free(it->field);
            free(it->value);
            s = util_fail(err, TSG_ENOMEM, _("out of memory"));
            break;
        }
        p->n++;
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(sql, _("database"), err);
    sqlite3_finalize(st);
    if (!s) {
        /* The first of each (tie, key, field), by until, is the day's value. */
        if (p->n) qsort(p->v, p->n, sizeof *p->v, item_cmp); /* qsort(NULL, 0, …) is undefined */
        size_t w = 0;
        for (size_t i = 0; i < p->n; i++) {
            store_past_item_t *it = &p->v[i];
            if (w && p->v[w - 1].tie == it->tie && p->v[w - 1].key == it->key && !strcmp(p->v[w - 1].field, it->field)) {
                free(it->field);
                free(it->value);
                continue;
            }
            p->v[w++] = *it;
        }
        p->n = w;
    }
    if (!s) s = store_prepare(sql, "SELECT nid FROM node WHERE id = ?1", &p->by_id, err);
    if (s) store_past_free(p);
    return s;
}

void store_past_free(store_past_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].field);
        free(p->v[i].value);
    }
    free(p->v);
    sqlite3_finalize(p->by_id);
    memset(p, 0, sizeof *p);
}

/* The first item of (tie, key), or p->n. */
static size_t first_of(const store_past_t *p, int tie, int64_t key)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const store_past_item_t *it = &p->v[mid];
        if (it->tie < tie || (it->tie == tie && it->key < key)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int store_past_value(const store_past_t *p, int tie, int64_t key, const char *field, const char **value)
{
    for (size_t i = first_of(p, tie, key); i < p->n && p->v[i].tie == tie && p->v[i].key == key; i++)
        if (!strcmp(p->v[i].field, field)) {
            *value = p->v[i].value;
            return 1;
        }
    return 0;
}

int store_past_any(const store_past_t *p, int64_t nid)
{
    size_t i = first_of(p, 0, nid);
    return i < p->n && !p->v[i].tie && p->v[i].key == nid;
}

int64_t store_past_nid(const store_past_t *p, const char *id)
{
    if (!id || !p->by_id) return 0;
    sqlite3_reset(p->by_id);
    sqlite3_bind_text(p->by_id, 1, id, -1, SQLITE_TRANSIENT);
    int64_t nid = sqlite3_step(p->by_id) == SQLITE_ROW ? sqlite3_column_int64(p->by_id, 0) : 0;
    sqlite3_reset(p->by_id);
    return nid;
}
