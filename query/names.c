/*
 * names — the names of nodes for one session: loading them (with the
 * network's ids, types and district ancestry), the hash chains that find a
 * name exactly or folded, LET sets found again after another program's
 * change, and the node reference a statement writes ('name', id, $param,
 * organisation 'name' …). See query.h.
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

/* The name of node nid (names are in nid order), or NULL. */
static qry_name_t *name_by_nid(qry_session_t *s, int64_t nid)
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
static const char *name_key(const qry_session_t *s, uint32_t k, int folded)
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
        if ((int)(k % 2) == name && n != skip && (types & (1u << n->type)) && !strcmp(name_key(s, k, name), key))
            return n;
    }
    return NULL;
}

/* Hash chains over every id and name, as written and folded, so that
 * naming a node costs the same among two million as among a hundred.
 * Keys are chained last first, so each chain runs in name order. */
static int index_names(qry_session_t *s)
{
    size_t keys = 2 * s->nnames, size = 16;
    if (keys >= UINT32_MAX / 2) return -1;
    while (size < 2 * keys) size *= 2;
    s->name_mask = (uint32_t)(size - 1);
    s->exact_head = util_arena_array(&s->name_arena, size, sizeof *s->exact_head);
    s->fold_head = util_arena_array(&s->name_arena, size, sizeof *s->fold_head);
    s->exact_next = util_arena_array(&s->name_arena, keys + 1, sizeof *s->exact_next);
    s->fold_next = util_arena_array(&s->name_arena, keys + 1, sizeof *s->fold_next);
    if (!s->exact_head || !s->fold_head || !s->exact_next || !s->fold_next) return -1;
    memset(s->exact_head, 0xff, size * sizeof *s->exact_head);
    memset(s->fold_head, 0xff, size * sizeof *s->fold_head);
    for (size_t k = keys; k-- > 0;) {
        uint32_t h = (uint32_t)util_hash(name_key(s, (uint32_t)k, 0)) & s->name_mask;
        s->exact_next[k] = s->exact_head[h];
        s->exact_head[h] = (uint32_t)k;
        h = (uint32_t)util_hash(name_key(s, (uint32_t)k, 1)) & s->name_mask;
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
        const char *type_text = (const char *)sqlite3_column_text(q, 0);
        for (int t = QRY_DISTRICT; t <= QRY_FORUM; t++)
            if (type_text && !strcmp(type_text, qry_type_name[t])) *type = qry_type_name[t];
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
        s->nnames++;
        n->nid = sqlite3_column_int64(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        for (int t = QRY_DISTRICT; type && t <= QRY_FORUM; t++)
            if (!strcmp(type, qry_type_name[t])) n->type = t;
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
            qry_name_t *n = name_by_nid(s, sqlite3_column_int64(st, 0));
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

int qry_type_word(const char *f)
{
    static const struct { const char *word; int type; } words[] = {
        {"district", QRY_DISTRICT},         {"districts", QRY_DISTRICT},      {"organisation", QRY_ORGANISATION},
        {"organisations", QRY_ORGANISATION}, {"organization", QRY_ORGANISATION}, {"organizations", QRY_ORGANISATION},
        {"program", QRY_PROGRAM},           {"programs", QRY_PROGRAM},        {"programme", QRY_PROGRAM},
        {"programmes", QRY_PROGRAM},        {"forum", QRY_FORUM},             {"forums", QRY_FORUM},
    };
    int type = 0;
    for (size_t i = 0; f && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(f, words[i].word)) type = words[i].type;
    return type;
}

/* Whether every code point of `needle` appears in `hay` in order. */
static int subsequence(const char *needle, const char *hay)
{
    while (*needle) {
        const char *end = needle + 1;
        while (*end && ((unsigned char)*end & 0xC0) == 0x80) end++;
        size_t k = (size_t)(end - needle);
        const char *hit = NULL;
        for (const char *h = hay; *h; h++)
            if (!strncmp(h, needle, k)) {
                hit = h;
                break;
            }
        if (!hit) return 0;
        hay = hit + k;
        needle = end;
    }
    return 1;
}

/* The nodes a name finds: the first, how many, the first five listed for
 * an ambiguous name's error; fallback, the nodes day_names found by a name
 * they do not have that day (a kept one), tried after the raw chains. */
typedef struct hits {
    const qry_name_t *hit;
    size_t n;
    util_buf_t list;
    const qry_name_t *fallback[8];
    uint32_t fallback_n;
} hits_t;

static void hits_add(hits_t *h, const qry_name_t *n)
{
    if (n == h->hit) return; /* by its name and its id alike (folded) */
    h->hit = h->hit ? h->hit : n;
    h->n++;
    if (h->n <= 5)
        util_buf_printf(&h->list, "%s%s %s (%s)", h->n > 1 ? _(", ") : "", qry_type_noun(n->type), n->id, n->name);
}

/* Whether name (as stored) is `want`, exactly or folded. */
static int name_is(const char *name, const char *want, int folded)
{
    if (!name) return 0;
    if (!folded) return !strcmp(name, want);
    char *f = util_fold(name);
    int same = f && !strcmp(f, want);
    free(f);
    return same;
}

/* QRY_DAY_NAMES: the nodes whose name on the statement's day (the dated
 * tables) is `want`. The candidates are the nodes with that name in the
 * file now and those that had it before (history's kept names); each is
 * kept if its name that day is `want`. A candidate without it that day (a
 * name it has only now, or only had) is a fallback, found only when no
 * node of the day and no current name answers. */
static tsg_status_t day_names(qry_session_t *s, const char *want, int folded, unsigned types, hits_t *h)
{
    const qry_name_t *cand[64];
    size_t nc = 0;
    const uint32_t *next = folded ? s->fold_next : s->exact_next;
    for (uint32_t k = (folded ? s->fold_head : s->exact_head)[util_hash(want) & s->name_mask];
         k != UINT32_MAX && nc < 64; k = next[k])
        if (k % 2 && (types & (1u << s->names[k / 2].type)) && !strcmp(name_key(s, k, folded), want))
            cand[nc++] = &s->names[k / 2];
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql,
                           folded ? "SELECT DISTINCT nid, value FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                  : "SELECT DISTINCT nid, value FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                    " AND value = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    if (!folded) sqlite3_bind_text(q, 1, want, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && nc < 64) {
        const qry_name_t *n = name_by_nid(s, sqlite3_column_int64(q, 0));
        if (!n || !(types & (1u << n->type)) || !name_is((const char *)sqlite3_column_text(q, 1), want, folded)) continue;
        size_t i = 0;
        while (i < nc && cand[i] != n) i++;
        if (i == nc) cand[nc++] = n;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return qry_fail_sql(s, NULL);
    if (!nc) return TSG_OK;
    if (sqlite3_prepare_v2(s->sql,
                           "SELECT name FROM organisation_at WHERE nid = ?1 UNION ALL SELECT name FROM program_at WHERE nid = ?1"
                           " UNION ALL SELECT name FROM forum_at WHERE nid = ?1"
                           " UNION ALL SELECT name FROM " QRY_DISTRICT_AT " WHERE nid = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    tsg_status_t st = TSG_OK;
    for (size_t i = 0; i < nc && !st; i++) {
        sqlite3_bind_int64(q, 1, cand[i]->nid);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW && name_is((const char *)sqlite3_column_text(q, 0), want, folded)) hits_add(h, cand[i]);
        else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            /* Found by a name it does not have that day: a current name is
             * found again by the raw chains; a kept one only from here. */
            if (!name_is(cand[i]->name, want, 0) && !(folded && !strcmp(cand[i]->fold_name, want)) &&
                h->fallback_n < sizeof h->fallback / sizeof *h->fallback)
                h->fallback[h->fallback_n++] = cand[i];
        } else
            st = qry_fail_sql(s, NULL);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return st;
}

tsg_status_t qry_node(qry_session_t *s, const ast_value_t *v, const gram_token_t *type, unsigned types,
                      const qry_name_t **out)
{
    tsg_status_t st;
    int kind_first = !!(types & QRY_KIND_FIRST), day = !!(types & QRY_DAY_NAMES);
    types &= ~(QRY_KIND_FIRST | QRY_DAY_NAMES);
    if ((st = qry_load(s))) return st;
    if (type) {
        int t = qry_type_word(type->fold);
        if (!t) return qry_fail(s, type, _("'%.*s' is not a kind of node (district, organisation, program or forum)"),
                                (int)type->n, type->z);
        /* Whole sentences, one per kind: "a organisation" was the old
         * fragment, and a translation needs the sentence. */
        static const char *const not_here[] = {
            [QRY_DISTRICT] = N_("a district cannot be used here"),
            [QRY_ORGANISATION] = N_("an organisation cannot be used here"),
            [QRY_PROGRAM] = N_("a program cannot be used here"),
            [QRY_FORUM] = N_("a forum cannot be used here"),
        };
        if (!(types & (1u << t))) return qry_fail(s, type, "%s", _(not_here[t]));
        types = 1u << t;
    }
    const char *text = qry_text(s, v, NC_("expected value", "a name"));
    if (!text) return s->ctx.code;
    /* Exact id, then exact name, then the same ignoring width and case;
     * with QRY_DAY_NAMES each name pass asks the day's names first. */
    for (int pass = 0; pass < 3; pass++) {
        char *fold = pass == 2 ? util_fold(text) : NULL;
        if (pass == 2 && !fold) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        const char *want = pass == 2 ? fold : text;
        hits_t h = {0};
        if (pass && day && (st = day_names(s, want, pass == 2, types, &h))) {
            free(fold);
            util_buf_free(&h.list);
            return st;
        }
        const uint32_t *next = pass == 2 ? s->fold_next : s->exact_next;
        for (uint32_t k = h.n ? UINT32_MAX : (pass == 2 ? s->fold_head : s->exact_head)[util_hash(want) & s->name_mask];
             k != UINT32_MAX; k = next[k]) {
            const qry_name_t *n = &s->names[k / 2];
            if (!(types & (1u << n->type)) || (pass < 2 && (int)(k % 2) != pass) || strcmp(name_key(s, k, pass == 2), want))
                continue;
            hits_add(&h, n);
        }
        free(fold);
        /* The raw chains above ran only when the day named nobody: then a
         * name the node has now (or a kept one) still finds it, and SHOW
         * says it did not exist that day. */
        if (!h.n)
            for (uint32_t k = 0; k < h.fallback_n; k++) hits_add(&h, h.fallback[k]);
        if (h.n == 1) {
            util_buf_free(&h.list);
            *out = h.hit;
            return TSG_OK;
        }
        if (h.n > 1) {
            /* The advice must parse where the name stands: only the node
             * rule takes the kind first. */
            st = kind_first ? qry_fail(s, &v->tok,
                                       _("'%s' names %zu nodes: %s%s; use the id, or put the kind first (organisation '…')"),
                                       text, h.n, h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "")
                            : qry_fail(s, &v->tok, _("'%s' names %zu nodes: %s%s; use the id"), text, h.n,
                                       h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "");
            util_buf_free(&h.list);
            return st;
        }
        util_buf_free(&h.list);
    }
    /* A name kept in history finds its node too: the cache holds the
     * latest names, which a change dated later has already set, so today's
     * name (or an old one) of a node renamed ON a later day is found here
     * by the statements that do not read the day's names (IN of FIND and
     * the analyses, the changes). */
    if (!day) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(s->sql, "SELECT DISTINCT nid FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                       " AND value = ?1 ORDER BY nid", -1, &q, NULL) != SQLITE_OK)
            return qry_fail_sql(s, &v->tok);
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
        hits_t h = {0};
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const qry_name_t *n = name_by_nid(s, sqlite3_column_int64(q, 0));
            if (n && (types & (1u << n->type))) hits_add(&h, n);
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            util_buf_free(&h.list);
            return qry_fail_sql(s, &v->tok);
        }
        if (h.n == 1) {
            util_buf_free(&h.list);
            *out = h.hit;
            return TSG_OK;
        }
        if (h.n > 1) {
            st = qry_fail(s, &v->tok, _("'%s' names %zu nodes: %s%s; use the id"), text, h.n,
                          h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "");
            util_buf_free(&h.list);
            return st;
        }
        util_buf_free(&h.list);
    }
    /* A node of another type by that exact id or name is a clearer answer. */
    for (size_t i = 0; types != QRY_ANY && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!strcmp(n->id, text) || !strcmp(n->name, text))
            return qry_fail(s, &v->tok, _("'%1$s' is %2$s (%3$s), not %4$s"), text, qry_types_a(1u << n->type), n->id,
                            qry_types_a(types));
    }
    /* Unknown: suggest names that hold the typed characters in order (an
     * abbreviation like 北区社協 for 北区社会福祉協議会), then near misses. */
    char *fold = util_fold(text);
    const qry_name_t *best[3] = {NULL, NULL, NULL};
    size_t bestd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    size_t len = 0;
    for (const char *p = fold; p && *p; p++) len += ((unsigned char)*p & 0xC0) != 0x80;
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (limit >= len) limit = len ? len - 1 : 0;
    for (size_t i = 0; fold && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!(types & (1u << n->type))) continue;
        size_t cl = 0;
        for (const char *p = n->fold_name; *p; p++) cl += ((unsigned char)*p & 0xC0) != 0x80;
        /* Abbreviations rank before near misses; shorter expansions first.
         * Lengths rule most candidates out cheaply: a longer text is no
         * abbreviation, and the edit distance is at least the difference. */
        size_t d;
        if (len <= cl && subsequence(fold, n->fold_name)) {
            d = strlen(n->fold_name);
        } else {
            if ((len > cl ? len - cl : cl - len) > limit) continue;
            d = util_edit_distance(fold, n->fold_name);
            size_t di = util_edit_distance(fold, n->fold_id);
            if (di < d) d = di;
            if (d > limit) continue;
            d += 100000;
        }
        for (int k = 0; k < 3; k++)
            if (d < bestd[k]) {
                for (int m = 2; m > k; m--) {
                    bestd[m] = bestd[m - 1];
                    best[m] = best[m - 1];
                }
                bestd[k] = d;
                best[k] = n;
                break;
            }
    }
    free(fold);
    util_buf_t hint = {0};
    for (int k = 0; k < 3; k++)
        if (best[k]) util_buf_printf(&hint, "%s'%s'", hint.len ? _(", ") : "", best[k]->name);
    /* The kinds allowed here, as one noun translated on its own (nouns.c). */
    const char *what = qry_types_noun(types);
    /* Any kind: a whole sentence. One kind or a few: the sentence with
     * the kinds' noun ("unknown organisation or program '…'"). */
    if (types == QRY_ANY)
        st = hint.len ? qry_fail(s, &v->tok, _("unknown name '%s' (did you mean %s?)"), text, hint.data)
                      : qry_fail(s, &v->tok, _("unknown name '%s'"), text);
    else
        st = hint.len ? qry_fail(s, &v->tok, _("unknown %s '%s' (did you mean %s?)"), what, text, hint.data)
                      : qry_fail(s, &v->tok, _("unknown %s '%s'"), what, text);
    util_buf_free(&hint);
    return st;
}

/* Whether a bare word names a LET set: its type in *type, or NULL. */
static tsg_status_t set_named(qry_session_t *s, const ast_node_t *n, const char **type)
{
    *type = NULL;
    if (n->type || n->v->kind != AST_V_WORD) return TSG_OK;
    return qry_set_check(s, n->v->text, &n->v->tok, type);
}

tsg_status_t qry_node_ref(qry_session_t *s, const ast_node_t *n, unsigned types, const qry_name_t **out)
{
    const char *set;
    tsg_status_t st = set_named(s, n, &set);
    if (st) return st;
    if (set)
        return qry_fail(s, &n->v->tok, _("'%s' is a set made with LET; one node is needed here (quote a name: '%s')"),
                        n->v->text, n->v->text);
    return qry_node(s, n->v, n->type, types | QRY_KIND_FIRST, out);
}

/* One node named, where a walk starts or ends: itself, and an
 * organisation's programs when with_programs is set. */
static tsg_status_t node_alone(qry_session_t *s, const ast_node_t *n, const eng_net_t *net, const qry_name_t *one,
                               int with_programs, size_t room, int64_t **nids, size_t *count)
{
    if (one->nid > net->maxnid || !net->type[one->nid]) {
        char day[16];
        qry_day_text(s, day);
        /* Found by name whatever the day; walked from only on a day it
         * exists (AS OF: the network has no such node then), as SHOW. */
        if (one->type == QRY_PROGRAM) /* it may exist, and not run that day (store/netread.c) */
            return qry_fail(s, &n->v->tok, _("'%s' does not run on %s (it has not started, has ended, or was removed)"),
                            one->name, day);
        return qry_fail(s, &n->v->tok, _("'%s' did not exist on %s (it began later or was removed before)"),
                        one->name, day);
    }
    size_t k = 1;
    if (with_programs && net->type[one->nid] == ENG_ORGANISATION)
        for (int32_t p = net->first_prog[one->nid]; p >= 0 && k < room; p = net->next_prog[p]) k++;
    int64_t *v = malloc(k * sizeof *v);
    if (!v) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    v[0] = one->nid;
    k = 1;
    if (with_programs && net->type[one->nid] == ENG_ORGANISATION)
        for (int32_t p = net->first_prog[one->nid]; p >= 0 && k < room; p = net->next_prog[p])
            v[k++] = net->prog_nid[p];
    *nids = v;
    *count = k;
    return TSG_OK;
}

/* The node whose id is n's text, looked up in SQL while the name index is
 * not read: 1 and *out (its id, name and type as the index holds them; the
 * name malloc'd into *name) only where the index's first pass (exact ids)
 * gives that very node: an id is unique, so the index finds it by id before
 * any name. Anything else — no such id, another kind, a kind written first,
 * a parameter, the database changed since the session read it — is 0, and
 * the index answers (qry_node), errors and all. */
static int id_by_sql(qry_session_t *s, const ast_node_t *n, unsigned types, qry_name_t *out, char **name)
{
    *name = NULL;
    if (n->type || (n->v->kind != AST_V_STRING && n->v->kind != AST_V_WORD)) return 0;
    const char *text = n->v->text;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, type FROM main.node WHERE id = ?1", -1, &q, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    int t = 0;
    int64_t nid = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        nid = sqlite3_column_int64(q, 0);
        const char *type = (const char *)sqlite3_column_text(q, 1);
        for (int k = QRY_DISTRICT; type && k <= QRY_FORUM; k++)
            if (!strcmp(type, qry_type_name[k])) t = k;
    }
    sqlite3_finalize(q);
    if (!t || !(types & (1u << t))) return 0;
    /* The name as the index has it: each kind's table in the index's
     * order, the last that has one (none: empty). */
    if (sqlite3_prepare_v2(s->sql,
                           "SELECT 0, name FROM main.district WHERE nid = ?1 UNION ALL"
                           " SELECT 1, name FROM main.organisation WHERE nid = ?1 UNION ALL"
                           " SELECT 2, name FROM main.program WHERE nid = ?1 UNION ALL"
                           " SELECT 3, name FROM main.forum WHERE nid = ?1 ORDER BY 1",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(q, 1, nid);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (sqlite3_column_text(q, 1)) {
            free(*name);
            *name = strdup((const char *)sqlite3_column_text(q, 1));
            if (!*name) rc = SQLITE_NOMEM;
        }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE && !*name) *name = strdup("");
    /* Both reads saw the state the index describes only if no other
     * connection committed since the session read its data. */
    if (rc != SQLITE_DONE || !*name || qry_data_version(s) != s->data_version) {
        free(*name);
        *name = NULL;
        return 0;
    }
    *out = (qry_name_t){.nid = nid, .type = t, .id = (char *)text, .name = *name};
    return 1;
}

tsg_status_t qry_node_set(qry_session_t *s, const ast_node_t *n, unsigned types, int with_programs,
                          const eng_net_t *net, int64_t **nids, size_t *count)
{
    *nids = NULL;
    *count = 0;
    const char *set;
    tsg_status_t st = set_named(s, n, &set);
    if (st) return st;
    /* Each node once, with the programs of each organisation (a member or
     * the node named): where a walk may start or end. One node named needs
     * room for itself and its programs only, which differ from each other:
     * an array over every nid (2 MB and 16 MB nationally) was most of a
     * short REACH there. */
    size_t room = (size_t)net->maxnid + 1;
    if (!set) {
        const qry_name_t *one = NULL;
        qry_name_t by_id;
        char *name = NULL;
        if (!(s->names_lazy && id_by_sql(s, n, types, &by_id, &name)) &&
            (st = qry_node(s, n->v, n->type, types | QRY_KIND_FIRST, &one)))
            return st;
        if (!one) one = &by_id;
        st = node_alone(s, n, net, one, with_programs, room, nids, count);
        free(name);
        return st;
    }
    unsigned char *seen = calloc(room, 1);
    int64_t *v = malloc(room * sizeof *v);
    size_t k = 0;
    if (!seen || !v) {
        free(seen);
        free(v);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->sql, "SELECT nid FROM temp.tsg_set WHERE name = ? ORDER BY nid", -1, &q, NULL) != SQLITE_OK)
        st = qry_fail_sql(s, &n->v->tok);
    else
        sqlite3_bind_text(q, 1, n->v->text, -1, SQLITE_STATIC);
    while (!st && q && sqlite3_step(q) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(q, 0);
        /* The engine's node types are numbered as QRY_*. */
        if (nid > 0 && nid <= net->maxnid && !seen[nid] && (types & (1u << net->type[nid])))
            seen[nid] = 1, v[k++] = nid;
    }
    sqlite3_finalize(q);
    size_t named = k;
    for (size_t i = 0; !st && with_programs && i < named; i++)
        if (net->type[v[i]] == ENG_ORGANISATION)
            for (int32_t p = net->first_prog[v[i]]; p >= 0; p = net->next_prog[p])
                if (!seen[net->prog_nid[p]]) seen[net->prog_nid[p]] = 1, v[k++] = net->prog_nid[p];
    free(seen);
    if (!st && !k)
        st = qry_fail(s, &n->v->tok, _("set '%s' holds no organisation or program: a walk starts and ends at those"), n->v->text);
    if (st) {
        free(v);
        return st;
    }
    *nids = v;
    *count = k;
    return TSG_OK;
}
