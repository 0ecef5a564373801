/*
 * diskcache — the session's cache file beside the database (DB.tsn): the
 * name index and today's network, written after a load and read back in place by the
 * next process instead of loading (engine/netcache.h does the file): the
 * names when the session first needs them, each part of the network (its
 * own region, checked then) only when a statement first asks for it. This
 * file decides when: whether the file still describes the database, and
 * when a load may be written. docs/decisions.md, "Issue 23: the cache
 * file"; docs/data-format.md says what the file is.
 *
 * The database is the one source of truth: a cache is used only while the
 * database file is byte for byte the one it was written from, and anything
 * short of certain (another process's commit, a copy, a damaged cache, the
 * day changed, another build) means a normal load and a new cache. Nothing
 * here fails a statement: the cache is an optimisation, silent when it
 * cannot be read or written.
 */
#include "query.h"
#include "netcache.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What the cache was built from: the database file as a file (a copy or a
 * replacement is another file: other device or inode; any write changes
 * its size or times; ctime cannot be set back by hand), with its write-ahead
 * log empty, and the day its network shows. Compared byte for byte. */
typedef struct cache_key {
    uint64_t dev, ino, size;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
    int64_t day;
    int64_t confirmed;
} cache_key_t;

/* Where the session's structures are in the arenas, handed back as written. */
typedef struct cache_roots {
    eng_net_t *net;
    qry_name_t *names;
    uint64_t nnames, nparent;
    uint32_t *exact_head, *exact_next, *fold_head, *fold_next;
    int64_t *parent;
    uint32_t name_mask;
} cache_roots_t;

/* The regions: the names' two, then the network's four (engine/network.h):
 * its walk's part (the struct first), strings, the rest, the ties. */
enum { NAMES, NAME_STRINGS, NET, NET_STRINGS, NET_REST, NET_TIES, NARENAS };

/* TSUNAGI_CACHE=off (or 0, no) turns the cache off: nothing is read or
 * written (tests of the load itself, read-only use). */
static int cache_enabled(void)
{
    const char *v = getenv("TSUNAGI_CACHE");
    return !v || !(!strcasecmp(v, "off") || !strcmp(v, "0") || !strcasecmp(v, "no"));
}

/* The database's file name, or NULL for a database with no file (a WHAT IF
 * copy in memory) or while a write of ours is open (what we read may be
 * uncommitted). A read transaction (a FIND's, session.c) may read a cache:
 * while it lasts no checkpoint can empty a log that holds a later commit,
 * so a key that matches describes the very moment the transaction reads.
 * Writing one (settle) needs no transaction at all (qry_cache_save). */
static const char *db_file(qry_session_t *s)
{
    const char *f = sqlite3_db_filename(s->sql, "main");
    return f && *f && sqlite3_txn_state(s->sql, "main") != SQLITE_TXN_WRITE ? f : NULL;
}

/* The key for the database as it is now; -1 when the file has what the key
 * cannot describe: a write-ahead log holding frames, a rollback journal. */
static int key_now(const char *db, long day, int confirmed, cache_key_t *k)
{
    struct stat st;
    size_t n = strlen(db);
    char *side = malloc(n + 16);
    if (!side) return -1;
    int bad = 0;
    memcpy(side, db, n);
    strcpy(side + n, "-wal");
    if (stat(side, &st) == 0 && st.st_size > 0) bad = 1;
    strcpy(side + n, "-journal");
    if (stat(side, &st) == 0 && st.st_size > 0) bad = 1;
    free(side);
    if (bad || stat(db, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
    memset(k, 0, sizeof *k);
    k->dev = (uint64_t)st.st_dev;
    k->ino = (uint64_t)st.st_ino;
    k->size = (uint64_t)st.st_size;
    k->mtime_s = st.st_mtim.tv_sec;
    k->mtime_ns = st.st_mtim.tv_nsec;
    k->ctime_s = st.st_ctim.tv_sec;
    k->ctime_ns = st.st_ctim.tv_nsec;
    k->day = day;
    k->confirmed = confirmed;
    return 0;
}

static char *cache_path(const char *db) { return util_printf("%s.tsn", db); }

/* The open file while part of its network is not read: a statement that
 * needs only names (FIND, SHOW, COUNT) never reads the network's regions, a
 * REACH not the programs nor the ties. */
struct qry_disk {
    eng_cache_t file;
    cache_roots_t roots;
    long day;
    eng_net_t *net; /* the network read so far (its walk's part and strings), NULL: none or whole */
    unsigned have;  /* QRY_NET_* read */
    char *path;
};

/* Lets the file go once it has nothing more to give: the network whole
 * (the session's alone now) and the names read (s->names_lazy says they
 * are not). */
static void done_with(qry_session_t *s)
{
    struct qry_disk *d = s->disk;
    if (d && d->have == QRY_NET_ALL && !s->names_lazy) qry_cache_drop(s);
}

/* The session's names pointed into the file's names' places, unread: they
 * point nowhere now (a read faults rather than finding other memory
 * there), and qry_names_ready loads them from the database. */
static void names_nowhere(qry_session_t *s)
{
    s->names = NULL;
    s->exact_head = s->exact_next = s->fold_head = s->fold_next = NULL;
    s->parent = NULL;
}

int qry_cache_names(qry_session_t *s)
{
    struct qry_disk *d = s->disk;
    if (!d || !s->names_lazy) return 0;
    s->names_lazy = 0;
    util_arena_t names, strings;
    int ok = eng_cache_take(&d->file, NAMES, &names) == ENG_CACHE_HIT;
    if (ok && eng_cache_take(&d->file, NAME_STRINGS, &strings) != ENG_CACHE_HIT) {
        util_arena_free(&names);
        ok = 0;
    }
    if (ok) {
        s->name_arena = names;
        s->name_strings = strings;
        done_with(s);
        return 1;
    }
    /* Damaged. The network's parts stay readable (a statement may be
     * walking the part it read); the file is removed, if it is still the
     * one opened, so that the next process loads and writes it anew. */
    struct stat open_st, now_st;
    if (fstat(d->file.fd, &open_st) == 0 && stat(d->path, &now_st) == 0 && open_st.st_dev == now_st.st_dev &&
        open_st.st_ino == now_st.st_ino)
        (void)unlink(d->path);
    names_nowhere(s);
    return 0;
}

const eng_net_t *qry_cache_partial(const qry_session_t *s)
{
    return s->disk ? s->disk->net : NULL;
}

void qry_cache_drop(qry_session_t *s)
{
    struct qry_disk *d = s->disk;
    if (!d) return;
    s->disk = NULL;
    /* A network read in part points into the regions the file's close
     * gives back: it goes first, wherever it is. Names not read yet
     * stay lazy, pointing nowhere. */
    if (d->net && !qry_network_drop(s, d->net)) eng_net_free(d->net);
    if (s->names_lazy) names_nowhere(s);
    eng_cache_close(&d->file);
    free(d->path);
    free(d);
}

/* Reads region into the network's arena *into when parts asks for part
 * and it is not read yet: 0 when the region is damaged. */
static int take_part(struct qry_disk *d, unsigned parts, unsigned part, int region, util_arena_t *into)
{
    if (!(parts & part) || (d->have & part)) return 1;
    if (eng_cache_take(&d->file, (size_t)region, into) != ENG_CACHE_HIT) return 0;
    d->have |= part;
    return 1;
}

eng_net_t *qry_cache_net(qry_session_t *s, long day, int confirmed, unsigned parts)
{
    struct qry_disk *d = s->disk;
    if (!d || confirmed || day != d->day || d->have == QRY_NET_ALL) return NULL;
    if (!d->net) {
        util_arena_t net, strings;
        if (eng_cache_take(&d->file, NET, &net) != ENG_CACHE_HIT) {
            qry_cache_drop(s);
            return NULL;
        }
        if (eng_cache_take(&d->file, NET_STRINGS, &strings) != ENG_CACHE_HIT) {
            util_arena_free(&net);
            qry_cache_drop(s);
            return NULL;
        }
        /* The mappings are this process's now: the handles written in the
         * file described the writer's reservations; a part not read yet
         * has none (its place stays reserved, without access, by the file). */
        d->net = d->roots.net;
        d->net->arena = net;
        d->net->strings = strings;
        memset(&d->net->rest, 0, sizeof d->net->rest);
        memset(&d->net->tie_arena, 0, sizeof d->net->tie_arena);
        d->have = QRY_NET_WALK;
    }
    if (!take_part(d, parts, QRY_NET_REST, NET_REST, &d->net->rest) ||
        !take_part(d, parts, QRY_NET_TIES, NET_TIES, &d->net->tie_arena)) {
        qry_cache_drop(s); /* and the network read so far */
        return NULL;
    }
    eng_net_t *got = d->net;
    /* Whole: the network is the session's alone. */
    if (d->have == QRY_NET_ALL) {
        d->net = NULL;
        done_with(s);
    }
    return got;
}

int qry_cache_open(qry_session_t *s)
{
    qry_cache_drop(s);
    const char *db = cache_enabled() ? db_file(s) : NULL;
    cache_key_t key;
    long day = util_today();
    if (!db || key_now(db, day, 0, &key)) return 0;
    char *path = cache_path(db);
    struct qry_disk *d = path ? calloc(1, sizeof *d) : NULL;
    if (!d) {
        free(path);
        return 0;
    }
    cache_roots_t r;
    if (eng_cache_open(&d->file, path, &key, sizeof key, &r, sizeof r, NARENAS) != ENG_CACHE_HIT) {
        free(path);
        free(d);
        return 0;
    }
    d->path = path;
    d->roots = r;
    d->day = day;
    /* The names, like the network, are read when a statement first needs
     * them (qry_names_ready): until then they point into their places,
     * reserved without access, so that a reader that did not ask faults. */
    s->disk = d;
    s->names_lazy = 1;
    memset(&s->name_arena, 0, sizeof s->name_arena);
    memset(&s->name_strings, 0, sizeof s->name_strings);
    s->names = r.names;
    s->nnames = (size_t)r.nnames;
    s->exact_head = r.exact_head;
    s->exact_next = r.exact_next;
    s->fold_head = r.fold_head;
    s->fold_next = r.fold_next;
    s->name_mask = r.name_mask;
    s->parent = r.parent;
    s->nparent = (size_t)r.nparent;
    return 1;
}

/* Whether p lies in arena a. */
static int inside(const util_arena_t *a, const void *p)
{
    return p && (const char *)p >= a->base && (const char *)p < a->base + a->used;
}

/* Waits until the coarse clock, which stamps file times, has passed t:
 * after that any change to the file gets a later time than t. 0, or -1
 * when it does not within 200 ms (a file time in the future). */
static int clock_past(const struct timespec *t)
{
    for (int i = 0; i < 200; i++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME_COARSE, &now);
        if (now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec > t->tv_nsec)) return 0;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return -1;
}

/* Brings the database file to where the key can describe it and takes the
 * key, inside a read transaction so that nothing changes the file while it
 * is looked at: the log moved into the file and emptied, no other
 * connection's commit since the session read its data (data_version). */
static int settle(qry_session_t *s, const char *db, long day, cache_key_t *key)
{
    /* Never wait on another connection for an optimisation. */
    int wait_ms = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "PRAGMA busy_timeout", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) wait_ms = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_busy_timeout(s->sql, 0);
    int rc = sqlite3_wal_checkpoint_v2(s->sql, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(s->sql, wait_ms);
    if (rc != SQLITE_OK) return -1;
    tsg_error_t err = {0};
    if (store_read_begin(s->db, &err)) return -1;
    /* A first read starts the read transaction; it started with the log
     * empty, so no checkpoint can write the file while it lasts (it reads
     * the file itself). */
    int ok = 0;
    if (sqlite3_prepare_v2(s->sql, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) == SQLITE_OK) {
        ok = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
    }
    if (ok && sqlite3_prepare_v2(s->sql, "PRAGMA data_version", -1, &q, NULL) == SQLITE_OK) {
        ok = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) == s->data_version;
        sqlite3_finalize(q);
    }
    struct stat st;
    if (ok) ok = !key_now(db, day, 0, key) && stat(db, &st) == 0;
    /* File times have the coarse clock's grain: a later change within the
     * same tick could leave them as they are. Held until the tick is over,
     * the transaction makes any later checkpoint stamp a later time. */
    if (ok) ok = !clock_past(&st.st_mtim) && !clock_past(&st.st_ctim);
    store_read_end(s->db);
    return ok ? 0 : -1;
}

void qry_cache_save(qry_session_t *s, eng_net_t *net, long day, int confirmed)
{
    /* Today's network of every tie: what a cold script asks first. Other
     * days and confirmed ties load as before and are not kept. */
    const char *db = cache_enabled() ? db_file(s) : NULL;
    /* A session that writes no files (the fuzz targets) writes no cache. */
    /* Once a session: a session that reloads after its own change (SET; a
     * script of SET and FIND) would otherwise checkpoint, checksum and write
     * the whole network again inside each statement. The next process
     * rebuilds it once. */
    if (!db || s->cache_tried || s->no_files || confirmed || day != util_today() || s->stale || s->unchecked ||
        !s->names || s->names_lazy || sqlite3_db_readonly(s->sql, "main") == 1)
        return;
    /* Inside a statement's read transaction the file cannot be settled:
     * the statement writes it once its transaction ends (session.c). */
    if (!sqlite3_get_autocommit(s->sql)) {
        s->cache_owed = 1;
        return;
    }
    s->cache_tried = 1;
    /* Zeroed first, then filled: the struct's tail padding goes into the
     * file's header, which must be the same bytes for the same database
     * (an initialiser leaves padding as the stack had it). */
    cache_roots_t r;
    memset(&r, 0, sizeof r);
    r.net = net;
    r.names = s->names;
    r.nnames = s->nnames;
    r.nparent = s->nparent;
    r.exact_head = s->exact_head;
    r.exact_next = s->exact_next;
    r.fold_head = s->fold_head;
    r.fold_next = s->fold_next;
    r.parent = s->parent;
    r.name_mask = s->name_mask;
    const util_arena_t *arenas[NARENAS] = {&s->name_arena, &s->name_strings, &net->arena,
                                           &net->strings,    &net->rest,         &net->tie_arena};
    /* Every root in its arena: the file holds nothing that points outside. */
    if (!inside(&net->arena, net) || !inside(&s->name_arena, s->names) || !inside(&s->name_arena, s->exact_head) ||
        !inside(&s->name_arena, s->fold_head) || !inside(&s->name_arena, s->exact_next) ||
        !inside(&s->name_arena, s->fold_next) || !inside(&s->name_arena, s->parent))
        return;
    cache_key_t key;
    if (settle(s, db, day, &key)) return;
    char *path = cache_path(db);
    tsg_error_t err = {0};
    /* A failure (read-only folder, full disk) leaves no file and says
     * nothing: the next process loads as this one did. */
    if (path) (void)eng_cache_write(path, db, &key, sizeof key, &r, sizeof r, arenas, NARENAS, &err);
    free(path);
}
