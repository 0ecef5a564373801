/*
 * names — the names of nodes for one session: loading them (with the
 * network's ids, types and district ancestry), the hash chains that find a
 * name exactly or folded, LET sets found again after another program's
 * change, and the district tree of a day. The node reference a statement
 * writes is looked up in noderef.c. See query.h.
 */
#include "query.h"
#include "where.h"
#include "structure.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names of nodes -------------------------------------------------------------- */

/* Where the names' arenas ask to be: the same place in every process, as
 * the network's (engine/network.c), so a cache file maps them back. */
#define NAMES_HINT ((void *)0x330000000000)
#define NAME_STRINGS_HINT ((void *)0x340000000000)

void qry_names_free(qry_session_t *s)
{
    util_arena_free(&s->name_strings);
    util_arena_free(&s->name_arena);
    s->exact_head = s->exact_next = s->fold_head = s->fold_next = NULL;
    s->names = NULL;
    s->nnames = 0;
    s->parent = NULL;
    s->nparent = 0;
    s->names_lazy = 0;
    free(s->day_parent);
    s->day_parent = NULL;
}

/* What the session read from the data (names, network, dated names, the
 * usual needs) is to be read again. */
static void forget_read(qry_session_t *s)
{
    s->stale = 1;
    s->dated_made = 0;
    s->usual_made = 0;
}

void qry_data_changed(qry_session_t *s)
{
    if (s->db) s->db_writes = ++s->db->writes;
    forget_read(s);
}

/* A folded copy of text in the pool; the same pointer when folding
 * changes nothing (ids and most names). */
static char *fold_copy(qry_session_t *s, char *text)
{
    /* ASCII without capitals folds to itself (most ids). */
    const unsigned char *c = (const unsigned char *)text;
    while (*c && *c < 0x80 && !(*c >= 'A' && *c <= 'Z')) c++;
    if (!*c) return text;
    char *fold = util_fold(text);
    if (!fold || !strcmp(fold, text)) {
        free(fold);
        return fold ? text : NULL;
    }
    char *kept = util_arena_copy(&s->name_strings, fold, strlen(fold));
    free(fold);
    return kept;
}

int qry_type_of(const char *text)
{
    for (int t = QRY_DISTRICT; text && t <= QRY_FORUM; t++)
        if (!strcmp(text, qry_type_name[t])) return t;
    return 0;
}

/* The name of node nid (names are in nid order), or NULL. */
qry_name_t *qry_name_by_nid(qry_session_t *s, int64_t nid)
{
    size_t lo = 0, hi = s->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->names[mid].nid < nid) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->nnames && s->names[lo].nid == nid ? &s->names[lo] : NULL;
}

/* The string of key k (see qry_session_t) as written or folded. */
const char *qry_name_key(const qry_session_t *s, uint32_t k, int folded)
{
    const qry_name_t *n = &s->names[k / 2];
    return k % 2 ? (folded ? n->fold_name : n->name) : (folded ? n->fold_id : n->id);
}

const qry_name_t *qry_name_find(const qry_session_t *s, const char *key, int name, unsigned types,
                                const qry_name_t *skip)
{
    const uint32_t *head = name ? s->fold_head : s->exact_head, *next = name ? s->fold_next : s->exact_next;
    if (!head) return NULL;
    for (uint32_t k = head[util_hash(key) & s->name_mask]; k != UINT32_MAX; k = next[k]) {
        const qry_name_t *n = &s->names[k / 2];
        if ((int)(k % 2) == name && n != skip && (types & (1u << n->type)) && !strcmp(qry_name_key(s, k, name), key))
            return n;
    }
    return NULL;
}

/* Hash chains over every id and name, as written and folded, so that
 * naming a node costs the same among two million as among a hundred.
 * Keys are chained last first, so each chain runs in name order. At most
 * one key a head (a chain of one or two keys on average): a head a key
 * more than that took 33 MB more in a national session and its cache
 * file for a look-up a few nanoseconds shorter. */
static int index_names(qry_session_t *s)
{
    size_t keys = 2 * s->nnames, size = 16;
    if (keys >= UINT32_MAX / 2) return -1;
    while (size < keys) size *= 2;
    s->name_mask = (uint32_t)(size - 1);
    s->exact_head = util_arena_array(&s->name_arena, size, sizeof *s->exact_head);
    s->fold_head = util_arena_array(&s->name_arena, size, sizeof *s->fold_head);
    s->exact_next = util_arena_array(&s->name_arena, keys + 1, sizeof *s->exact_next);
    s->fold_next = util_arena_array(&s->name_arena, keys + 1, sizeof *s->fold_next);
    if (!s->exact_head || !s->fold_head || !s->exact_next || !s->fold_next) return -1;
    memset(s->exact_head, 0xff, size * sizeof *s->exact_head);
    memset(s->fold_head, 0xff, size * sizeof *s->fold_head);
    for (size_t k = keys; k-- > 0;) {
        uint32_t h = (uint32_t)util_hash(qry_name_key(s, (uint32_t)k, 0)) & s->name_mask;
        s->exact_next[k] = s->exact_head[h];
        s->exact_head[h] = (uint32_t)k;
        h = (uint32_t)util_hash(qry_name_key(s, (uint32_t)k, 1)) & s->name_mask;
        s->fold_next[k] = s->fold_head[h];
        s->fold_head[h] = (uint32_t)k;
    }
    return 0;
}

/* Sets (LET) hold nids, and after another program re-imports or changes
 * the database a nid may be another node. Each member also keeps its text
 * id and type: members are found again by those, and the ones gone are
 * counted in tsg_setname.lost, which makes the set refuse to be used
 * (qry_set_check) rather than quietly mean fewer or other nodes. */
static tsg_status_t resolve_sets(qry_session_t *s)
{
    if (sqlite3_exec(s->sql,
        "SAVEPOINT tsg_resolve;"
        "DELETE FROM temp.tsg_set_new;"
        "INSERT INTO temp.tsg_set_new(name, nid, type, id) SELECT g.name, n.nid, g.type, g.id"
        "  FROM temp.tsg_set g JOIN main.node n ON n.id = g.id AND n.type = g.type;"
        "UPDATE temp.tsg_setname SET"
        "  lost_id = coalesce(lost_id, (SELECT g.id FROM temp.tsg_set g WHERE g.name = tsg_setname.name AND g.id NOT IN"
        "    (SELECT id FROM temp.tsg_set_new WHERE name = tsg_setname.name) LIMIT 1)),"
        "  lost = lost + (SELECT count(*) FROM temp.tsg_set g WHERE g.name = tsg_setname.name)"
        "    - (SELECT count(*) FROM temp.tsg_set_new g WHERE g.name = tsg_setname.name);"
        "DELETE FROM temp.tsg_set;"
        "INSERT INTO temp.tsg_set(name, nid, type, id) SELECT name, nid, type, id FROM temp.tsg_set_new;"
        "DELETE FROM temp.tsg_set_new;"
        "RELEASE tsg_resolve;",
                     NULL, NULL, NULL) == SQLITE_OK)
        return TSG_OK;
    tsg_status_t st = qry_fail_sql(s, NULL);
    sqlite3_exec(s->sql, "ROLLBACK TO tsg_resolve; RELEASE tsg_resolve;", NULL, NULL, NULL);
    return st;
}

/* The WAL index header in the shared memory every connection to the file
 * maps (-shm; the "WAL-index format" of SQLite's file format document):
 * each commit, by any connection, rewrites it (its transaction counter,
 * frame count, salts and checksum). 0 when the connection has none mapped
 * (not in WAL mode), when nothing is read. Only asked once the session knows
 * the file is in WAL mode: mapping it otherwise would create the -shm file. */
static int wal_header(qry_session_t *s, unsigned char out[QRY_WAL_HDR])
{
    sqlite3_file *f = NULL;
    volatile void *p = NULL;
    if (sqlite3_file_control(s->sql, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
        f->pMethods->iVersion < 2 || !f->pMethods->xShmMap || f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK ||
        !p)
        return 0;
    memcpy(out, (const void *)p, QRY_WAL_HDR);
    return 1;
}

/* Another process's commit changes data_version: our caches are stale,
 * and the sets are found again. It is looked at once per statement, so
 * what a statement has loaded (names, the network) stays valid until it
 * ends. Asking costs a read transaction (file locks: a tenth of a short
 * statement), so in WAL mode the WAL index header is compared first: while
 * it is byte for byte what it was before the last PRAGMA data_version that
 * ran outside a transaction, nothing has been committed since, and the
 * version is the same (docs/decisions.md, "Issue 23: the statement's fixed
 * cost (h-warm)"). SQLITE_FCNTL_DATA_VERSION would not do: it only moves
 * when a read transaction starts. qry_data_version asks SQLite itself. */
int64_t qry_data_version(qry_session_t *s)
{
    if (!s->dv && sqlite3_prepare_v3(s->sql, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT, &s->dv, NULL) !=
                      SQLITE_OK)
        return -1;
    int64_t v = sqlite3_step(s->dv) == SQLITE_ROW ? sqlite3_column_int64(s->dv, 0) : -1;
    sqlite3_reset(s->dv); /* ends the read transaction */
    return v;
}

static tsg_status_t check_version(qry_session_t *s)
{
    if (s->checked) return TSG_OK;
    /* Another session on this connection wrote: SQLite's data_version
     * counts other connections' commits only, so it would never say. */
    if (s->db && s->db_writes != s->db->writes) {
        s->db_writes = s->db->writes;
        forget_read(s);
    }
    unsigned char hdr[QRY_WAL_HDR];
    int peeked = s->dv && s->wal > 0 && wal_header(s, hdr);
    if (peeked && s->wal_seen && !memcmp(hdr, s->wal_hdr, sizeof hdr)) {
        s->checked = 1;
        return TSG_OK;
    }
    /* Inside a read (a held transaction, or another statement of this
     * connection still stepping with autocommit on) the pragma answers for
     * its snapshot, which may be older than the header just read: that
     * header is not kept. */
    int outside = sqlite3_txn_state(s->sql, "main") == SQLITE_TXN_NONE;
    int64_t v = qry_data_version(s);
    if (!s->dv) return TSG_OK;
    s->checked = 1;
    int changed = 0;
    if (v >= 0) {
        if (v != s->data_version) {
            forget_read(s);
            s->unchecked = 1;
        }
        changed = s->version_known && v != s->data_version;
        s->data_version = v;
        s->version_known = 1;
        if (peeked && outside) memcpy(s->wal_hdr, hdr, sizeof hdr);
        s->wal_seen = peeked && outside;
    }
    if (!s->wal && outside) {
        /* Once: whether the file is in WAL mode (a connection in WAL mode
         * keeps a shared lock on the file, so no other can take it out). */
        sqlite3_stmt *jm;
        if (sqlite3_prepare_v2(s->sql, "PRAGMA main.journal_mode", -1, &jm, NULL) == SQLITE_OK) {
            s->wal = sqlite3_step(jm) == SQLITE_ROW && sqlite3_column_text(jm, 0) &&
                             !strcmp((const char *)sqlite3_column_text(jm, 0), "wal")
                         ? 1
                         : -1;
            sqlite3_finalize(jm);
        }
    }
    return changed ? resolve_sets(s) : TSG_OK;
}

tsg_status_t qry_check_version(qry_session_t *s) { return check_version(s); }

tsg_status_t qry_set_check(qry_session_t *s, const char *name, const gram_token_t *at, const char **type)
{
    tsg_status_t st = check_version(s);
    if (st) return st;
    *type = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT type, lost, lost_id FROM temp.tsg_setname WHERE name = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return qry_fail_sql(s, at);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        long lost = (long)sqlite3_column_int64(q, 1);
        int t = qry_type_of((const char *)sqlite3_column_text(q, 0));
        if (t) *type = qry_type_name[t];
        if (lost > 0)
            st = qry_fail(s, at,
                          dngettext(TSG_TEXTDOMAIN,
                                    "set '%s' is stale: the database was changed by another program after LET made it, "
                                    "and %ld of its members is no longer there (e.g. %s); make it again with LET",
                                    "set '%s' is stale: the database was changed by another program after LET made it, "
                                    "and %ld of its members are no longer there (e.g. %s); make it again with LET",
                                    (unsigned long)lost),
                          name, lost,
                          sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : _("an unnamed one"));
    }
    sqlite3_finalize(q);
    return st;
}

static tsg_status_t load_names(qry_session_t *s);

tsg_status_t qry_load(qry_session_t *s)
{
    tsg_status_t st = qry_load_lazy(s);
    return st ? st : qry_names_ready(s);
}

tsg_status_t qry_names_ready(qry_session_t *s)
{
    if (!s->names_lazy) return TSG_OK;
    int read = qry_cache_names(s);
    s->names_lazy = 0;
    if (read) return TSG_OK;
    /* Damaged: from the database, which is in the state the file's key
     * described (the network read from the file is of the same state). */
    qry_names_free(s);
    return load_names(s);
}

tsg_status_t qry_load_lazy(qry_session_t *s)
{
    tsg_status_t loaded = check_version(s);
    if (loaded) return loaded;
    if (!s->stale) return TSG_OK;
    qry_names_free(s);
    qry_network_free(s);
    /* A cache file written from this very file (diskcache.c) holds the names
     * and today's network, loaded from rows that were checked. */
    if (qry_cache_open(s)) {
        s->unchecked = 0;
        s->stale = 0;
        return TSG_OK;
    }
    return load_names(s);
}

/* The name index from the database. */
static tsg_status_t load_names(qry_session_t *s)
{
    /* Whatever changed the file may have damaged it (another tool, a hand
     * edit with foreign keys off): the rows are checked before they are
     * trusted, once per change. */
    tsg_error_t damage = {0};
    if (s->unchecked && store_check(s->db, &damage)) return gram_fail(&s->ctx, damage.code, NULL, "%s", damage.text);
    s->unchecked = 0;
    /* Ids from node, then each kind's names from its own table: plain
     * scans, no joins (a national network has two million nodes). */
    sqlite3_stmt *st;
    if (util_arena_init(&s->name_arena, NAMES_HINT) || util_arena_init(&s->name_strings, NAME_STRINGS_HINT)) {
        qry_names_free(s);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, type, id FROM node ORDER BY nid", -1, &st, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    size_t cap = 0;
    int rc;
    tsg_status_t status = TSG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nnames == cap) {
            /* The strings have their own arena: the names grow in place. */
            qry_name_t *grown = util_arena_grow(&s->name_arena, s->names, cap * sizeof *grown,
                                                (cap ? cap * 2 : 1024) * sizeof *grown);
            if (!grown) goto nomem;
            s->names = grown;
            cap = cap ? cap * 2 : 1024;
        }
        qry_name_t *n = &s->names[s->nnames];
        int64_t nid = sqlite3_column_int64(st, 0);
        /* qry_name_t holds nids in 32 bits: refused, never wrapped into another node. */
        if (nid < INT32_MIN || nid > INT32_MAX) {
            sqlite3_finalize(st);
            qry_names_free(s);
            return gram_fail(&s->ctx, TSG_EDB, NULL, _("database: node %lld is out of range"), (long long)nid);
        }
        s->nnames++;
        n->nid = (int32_t)nid;
        n->type = qry_type_of((const char *)sqlite3_column_text(st, 1));
        const char *id = (const char *)sqlite3_column_text(st, 2);
        n->id = util_arena_copy(&s->name_strings, id ? id : "", id ? (size_t)sqlite3_column_bytes(st, 2) : 0);
        if (!n->id || !(n->fold_id = fold_copy(s, n->id))) goto nomem;
    }
    if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
    sqlite3_finalize(st);
    if (status) return status;
    /* The unused room goes back before the hash chains take the end. */
    if (cap > s->nnames) s->names = util_arena_grow(&s->name_arena, s->names, cap * sizeof *s->names,
                                                    (s->nnames ? s->nnames : 1) * sizeof *s->names);
    static const char *const by_kind[] = {"SELECT nid, name FROM district", "SELECT nid, name FROM organisation",
                                          "SELECT nid, name FROM program", "SELECT nid, name FROM forum"};
    for (int k = 0; k < 4; k++) {
        if (sqlite3_prepare_v2(s->sql, by_kind[k], -1, &st, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            qry_name_t *n = qry_name_by_nid(s, sqlite3_column_int64(st, 0));
            const char *name = (const char *)sqlite3_column_text(st, 1);
            if (!n || !name) continue;
            n->name = util_arena_copy(&s->name_strings, name, (size_t)sqlite3_column_bytes(st, 1));
            if (!n->name || !(n->fold_name = fold_copy(s, n->name))) goto nomem;
        }
        if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
        sqlite3_finalize(st);
        if (status) return status;
    }
    char *none = util_arena_copy(&s->name_strings, "", 0);
    st = NULL;
    if (!none) goto nomem;
    for (size_t i = 0; i < s->nnames; i++)
        if (!s->names[i].name) s->names[i].name = s->names[i].fold_name = none;
    if (index_names(s)) {
        qry_names_free(s);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, parent FROM district", -1, &st, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    int64_t maxnid = s->nnames ? s->names[s->nnames - 1].nid : 0;
    if (store_check_nids(s->db->path, (int64_t)s->nnames, maxnid, &damage)) {
        sqlite3_finalize(st);
        qry_names_free(s);
        return gram_fail(&s->ctx, damage.code, NULL, "%s", damage.text);
    }
    s->nparent = (size_t)maxnid + 1;
    s->parent = util_arena_array(&s->name_arena, s->nparent, sizeof *s->parent);
    if (!s->parent) {
        sqlite3_finalize(st);
        qry_names_free(s);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid >= 0 && (size_t)nid < s->nparent) s->parent[nid] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
    sqlite3_finalize(st);
    if (!status) s->stale = 0;
    return status;
nomem:
    sqlite3_finalize(st);
    qry_names_free(s);
    return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
}

/* Whether d is anc or below it in the tree parent (indexed by nid, n of
 * them). The tree has no cycles (import and SET refuse them); the bound is
 * a guard. */
static int walk_under(const int64_t *parent, size_t n, int64_t d, int64_t anc)
{
    for (size_t steps = 0; d > 0 && steps <= n; steps++) {
        if (d == anc) return 1;
        d = (size_t)d < n ? parent[d] : 0;
    }
    return 0;
}

int qry_under(qry_session_t *s, int64_t d, int64_t anc) { return walk_under(s->parent, s->nparent, d, anc); }

int qry_under_day(qry_session_t *s, int64_t d, int64_t anc)
{
    /* The day's tree exists only for a day some history parent reaches;
     * every other day (today, on a file without such changes) walks the
     * file's, at no extra cost. */
    return walk_under(s->day_parent && s->dated_made ? s->day_parent : s->parent, s->nparent, d, anc);
}

/* The parent a district had on the day: the kept value with the smallest
 * until after it (by the id it names), else the row's own, as
 * QRY_DISTRICT_AT reads it. Only districts with such a value are read. */
#define DAY_PARENTS                                                                                            \
    "SELECT d.nid, CASE WHEN EXISTS " QRY_KEPT("parent") " THEN (SELECT r.nid FROM main.node r"                 \
    " WHERE r.id = " QRY_KEPT("parent") ") ELSE d.parent END FROM main.district d WHERE d.nid IN"              \
    " (SELECT h.nid FROM main.history h WHERE h.field = 'parent' AND h.nid IS NOT NULL"                       \
    " AND tsg_day(h.until) > tsg_as_of())"

tsg_status_t qry_day_parents(qry_session_t *s, int history_reaches)
{
    /* The day is tsg_as_of(), the one the dated names are made for. The
     * dated names' tsg_under reads the file's tree: read before any SQL
     * can ask (a statement that read no name yet, REACH … WHERE). */
    tsg_status_t ready = qry_names_ready(s);
    if (ready) return ready;
    free(s->day_parent);
    s->day_parent = NULL;
    if (!history_reaches) return TSG_OK;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql,
                           "SELECT 1 FROM main.history WHERE field = 'parent' AND nid IS NOT NULL"
                           " AND tsg_day(until) > tsg_as_of() LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE) return TSG_OK;
    if (rc != SQLITE_ROW) return qry_fail_sql(s, NULL);
    /* The file's tree first, then the districts whose parent that day was another. */
    tsg_status_t st = qry_load(s);
    if (st) return st;
    int64_t *parent = malloc((s->nparent ? s->nparent : 1) * sizeof *parent);
    if (!parent) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (s->nparent) memcpy(parent, s->parent, s->nparent * sizeof *parent);
    if (sqlite3_prepare_v2(s->sql, DAY_PARENTS, -1, &q, NULL) != SQLITE_OK) {
        free(parent);
        return qry_fail_sql(s, NULL);
    }
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(q, 0);
        if (nid > 0 && (size_t)nid < s->nparent) parent[nid] = sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        free(parent);
        return qry_fail_sql(s, NULL);
    }
    s->day_parent = parent;
    return TSG_OK;
}
