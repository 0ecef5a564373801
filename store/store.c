/* store — see store.h. */
#include "store.h"
#include "vocab.h"
#include "period.h"
#include "util.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Whether file or its -wal has reached the limit on file size (ulimit -f):
 * SQLite's errno for a failed write is the global errno at the time it
 * looks, not reliably the write's EFBIG, so the sizes decide. */
static int at_size_limit(const char *file)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) || rl.rlim_cur == RLIM_INFINITY) return 0;
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", file);
    struct stat sb;
    /* Within a page or two: the write that failed was to go past it. */
    return (stat(file, &sb) == 0 && (rlim_t)sb.st_size + 131072 >= rl.rlim_cur) ||
           (stat(wal, &sb) == 0 && (rlim_t)sb.st_size + 131072 >= rl.rlim_cur);
}

/* Whether the file system holding file has (next to) no room left. */
static int disk_full(const char *file)
{
    struct statvfs vs;
    return statvfs(file, &vs) == 0 && (unsigned long long)vs.f_bavail * vs.f_frsize < 1048576;
}

const char *store_sql_reason(sqlite3 *sql, const char *msg, char *text, size_t size)
{
    const char *file = sqlite3_db_filename(sql, "main");
    if (!file || !*file) file = _("the database");
    switch (sqlite3_errcode(sql) & 0xff) {
    case SQLITE_READONLY:
        util_snprintf(text, size, _("%s is read-only: changes are refused"), file);
        return text;
    case SQLITE_FULL:
    case SQLITE_IOERR: {
        /* The errno behind it tells a full disk from the file size limit
         * (ulimit -f: EFBIG, once SIGXFSZ is ignored) from a failing disk. */
        int e = sqlite3_system_errno(sql);
        if (e == EFBIG || at_size_limit(file))
            util_snprintf(text, size, _("cannot write %s: file too large (the limit on file size, ulimit -f)"), file);
        else if (e == ENOSPC || (sqlite3_errcode(sql) & 0xff) == SQLITE_FULL || disk_full(file))
            util_snprintf(text, size, _("the disk is full: %s cannot grow (SQLITE_FULL)"), file);
        else
            util_snprintf(text, size, _("cannot write %s: %s"), file, e ? strerror(e) : msg ? msg : sqlite3_errmsg(sql));
        return text;
    }
    }
    return msg ? msg : sqlite3_errmsg(sql);
}

tsg_status_t store_fail_sql(sqlite3 *sql, const char *what, tsg_error_t *err)
{
    int rc = sqlite3_errcode(sql);
    tsg_status_t code = rc == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB;
    char why[1400];
    return util_fail(err, code, "%s: %s", what, store_sql_reason(sql, NULL, why, sizeof why));
}

tsg_status_t store_exec(sqlite3 *sql, const char *stmts, const char *what, tsg_error_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec(sql, stmts, NULL, NULL, &msg) == SQLITE_OK) return TSG_OK;
    tsg_status_t code = sqlite3_errcode(sql) == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB;
    char why[1400];
    util_fail(err, code, "%s: %s", what, store_sql_reason(sql, msg, why, sizeof why));
    sqlite3_free(msg);
    return code;
}

tsg_status_t store_prepare(sqlite3 *sql, const char *text, sqlite3_stmt **st, tsg_error_t *err)
{
    if (sqlite3_prepare_v2(sql, text, -1, st, NULL) == SQLITE_OK) return TSG_OK;
    return store_fail_sql(sql, _("database"), err);
}

static tsg_status_t migrate_steps(tsg_db_t *db, int version, tsg_error_t *err);

tsg_status_t store_begin(tsg_db_t *db, tsg_error_t *err)
{
    /* IMMEDIATE takes the write lock now, so a concurrent writer makes us wait
     * (busy timeout) at the start rather than fail half-way. */
    tsg_status_t st = store_exec(db->sql, "BEGIN IMMEDIATE", _("cannot start a write"), err);
    /* An older schema tsg_create left for this write: migrated inside it, so
     * that a write that fails rolls the migration back with it. */
    if (!st && db->migrate_from && (st = migrate_steps(db, db->migrate_from, err))) store_rollback(db);
    return st;
}

tsg_status_t store_commit(tsg_db_t *db, tsg_error_t *err)
{
    tsg_status_t st = store_exec(db->sql, "COMMIT", _("cannot commit"), err);
    if (st != TSG_OK) store_rollback(db);
    else db->migrate_from = 0;
    return st;
}

void store_rollback(tsg_db_t *db)
{
    if (!sqlite3_get_autocommit(db->sql)) sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

tsg_status_t store_read_begin(tsg_db_t *db, tsg_error_t *err)
{
    return store_exec(db->sql, "SAVEPOINT store_read", _("database"), err);
}

void store_read_end(tsg_db_t *db)
{
    /* A read changes nothing: releasing cannot fail in a way to report. */
    sqlite3_exec(db->sql, "RELEASE store_read", NULL, NULL, NULL);
}

/* Version 1: the network as the CSV interchange format describes it. Value
 * checks that the engine relies on are CHECK constraints too, so a row that
 * slipped past the importer's own checks still cannot be stored. */
static const char schema_v1[] =
    "CREATE TABLE vocab("
    "  kind TEXT NOT NULL, key TEXT NOT NULL, label_ja TEXT NOT NULL,"
    "  builtin INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(kind, key));"
    "CREATE TABLE vocab_alias("
    "  kind TEXT NOT NULL, alias TEXT NOT NULL, key TEXT NOT NULL,"
    "  PRIMARY KEY(kind, alias),"
    "  FOREIGN KEY(kind, key) REFERENCES vocab(kind, key) ON DELETE CASCADE);"
    "CREATE TABLE node("
    "  nid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE CHECK(id <> ''),"
    "  type TEXT NOT NULL CHECK(type IN ('district','organisation','program','forum')));"
    "CREATE TABLE district("
    "  nid INTEGER PRIMARY KEY REFERENCES node(nid) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK(name <> ''),"
    "  level TEXT NOT NULL CHECK(level IN ('prefecture','municipality','ward','school_district','neighbourhood')),"
    "  parent INTEGER REFERENCES district(nid));"
    "CREATE INDEX district_parent ON district(parent);"
    "CREATE TABLE organisation("
    "  nid INTEGER PRIMARY KEY REFERENCES node(nid) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK(name <> ''), sector TEXT NOT NULL,"
    "  district INTEGER REFERENCES district(nid));"
    "CREATE TABLE program("
    "  nid INTEGER PRIMARY KEY REFERENCES node(nid) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK(name <> ''),"
    "  org INTEGER NOT NULL REFERENCES organisation(nid),"
    "  age_min INTEGER CHECK(age_min >= 0), age_max INTEGER CHECK(age_max >= 0),"
    "  approach TEXT CHECK(approach IN ('everyday','continuous','problem_solving')),"
    "  wide_area INTEGER NOT NULL DEFAULT 0 CHECK(wide_area IN (0,1)),"
    "  in_system TEXT CHECK(in_system IN ('yes','no','boundary')),"
    "  hours TEXT,"
    "  CHECK(age_min IS NULL OR age_max IS NULL OR age_min <= age_max));"
    "CREATE INDEX program_org ON program(org);"
    "CREATE TABLE program_target("
    "  program INTEGER NOT NULL REFERENCES program(nid) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL, target TEXT NOT NULL, PRIMARY KEY(program, target));"
    "CREATE TABLE program_need("
    "  program INTEGER NOT NULL REFERENCES program(nid) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL, need TEXT NOT NULL, PRIMARY KEY(program, need));"
    "CREATE TABLE program_mode("
    "  program INTEGER NOT NULL REFERENCES program(nid) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL, mode TEXT NOT NULL, PRIMARY KEY(program, mode));"
    "CREATE TABLE program_area("
    "  program INTEGER NOT NULL REFERENCES program(nid) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL, district INTEGER NOT NULL REFERENCES district(nid),"
    "  PRIMARY KEY(program, district));"
    "CREATE INDEX program_area_district ON program_area(district);"
    "CREATE TABLE forum("
    "  nid INTEGER PRIMARY KEY REFERENCES node(nid) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK(name <> ''), kind TEXT NOT NULL,"
    "  district INTEGER REFERENCES district(nid));"
    "CREATE TABLE tie("
    "  tid INTEGER PRIMARY KEY,"
    "  src INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,"
    "  dst INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK(kind IN ('referral','co_support','info_sharing','agreement','membership')),"
    "  directed INTEGER NOT NULL CHECK(directed IN (0,1)),"
    "  count INTEGER CHECK(count >= 0), since TEXT,"
    "  CHECK(src <> dst), UNIQUE(src, dst, kind));"
    "CREATE INDEX tie_dst ON tie(dst);";

/* Version 2: the dates a program runs (GAPS … AS OF), and the needs GAPS
 * checks for a group when a statement names none, editable by the user. */
static const char schema_v2[] =
    "ALTER TABLE program ADD COLUMN starts TEXT;"
    "ALTER TABLE program ADD COLUMN ends TEXT;"
    "CREATE TABLE default_need("
    "  target TEXT NOT NULL, pos INTEGER NOT NULL, need TEXT NOT NULL,"
    "  PRIMARY KEY(target, need));";

/* Version 3: history (issue 21). Organisations and forums exist from
 * `since` until `until` (exclusive), programs until `until` (their `starts`
 * and `ends` stay the dates they run); everything records when it was last
 * verified. The tie table is rebuilt, tid values kept, so that its
 * UNIQUE(src, dst, kind) becomes one open tie per pair and kind (a tie lost
 * and regained is two rows). `history` keeps the old value of one field
 * (a column name, or targets/needs/modes/area as the CSV's ';' list) and
 * the date it held until, exclusive. */
static const char schema_v3[] =
    "ALTER TABLE organisation ADD COLUMN since TEXT;"
    "ALTER TABLE organisation ADD COLUMN until TEXT;"
    "ALTER TABLE organisation ADD COLUMN verified TEXT;"
    "ALTER TABLE forum ADD COLUMN since TEXT;"
    "ALTER TABLE forum ADD COLUMN until TEXT;"
    "ALTER TABLE forum ADD COLUMN verified TEXT;"
    "ALTER TABLE program ADD COLUMN until TEXT;"
    "ALTER TABLE program ADD COLUMN verified TEXT;"
    "CREATE TABLE tie_v3("
    "  tid INTEGER PRIMARY KEY,"
    "  src INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,"
    "  dst INTEGER NOT NULL REFERENCES node(nid) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK(kind IN ('referral','co_support','info_sharing','agreement','membership')),"
    "  directed INTEGER NOT NULL CHECK(directed IN (0,1)),"
    "  count INTEGER CHECK(count >= 0), since TEXT,"
    "  until TEXT, verified TEXT,"
    "  status TEXT CHECK(status IS NULL OR status IN ('reported','confirmed','unverified')),"
    "  CHECK(src <> dst));"
    "INSERT INTO tie_v3(tid, src, dst, kind, directed, count, since)"
    "  SELECT tid, src, dst, kind, directed, count, since FROM tie ORDER BY tid;"
    "DROP TABLE tie;"
    "ALTER TABLE tie_v3 RENAME TO tie;"
    "CREATE INDEX tie_dst ON tie(dst);"
    "CREATE UNIQUE INDEX tie_open ON tie(src, dst, kind) WHERE until IS NULL;"
    "CREATE TABLE history("
    "  hid INTEGER PRIMARY KEY,"
    "  nid INTEGER REFERENCES node(nid) ON DELETE CASCADE,"
    "  tid INTEGER REFERENCES tie(tid) ON DELETE CASCADE,"
    "  field TEXT NOT NULL, value TEXT, until TEXT NOT NULL,"
    "  CHECK((nid IS NULL) <> (tid IS NULL)));"
    "CREATE INDEX history_nid ON history(nid);"
    "CREATE INDEX history_tid ON history(tid);";

/* Schema 4: ties by their source. tie_dst finds a node's ties from the
 * other end, and tie_open (partial: open ties only) serves only a query
 * that says until IS NULL; the dated names (tie_at) ask for every tie that
 * exists on a day, ended ones included, so a look-up by src (SHOW's ties,
 * an organisation's forums, WHERE … TIED, UNTIE) scanned the whole table:
 * some 11 s of CPU for one SHOW on a national file. */
static const char schema_v4[] = "CREATE INDEX tie_src ON tie(src);";

typedef struct migration {
    const char *sql;
    int seed; /* 1: the built-in vocabulary; 2: the default needs */
} migration_t;

/* migrations[i] takes a database from user_version i to i + 1. Append only. */
static const migration_t migrations[] = {
    {schema_v1, 1},
    {schema_v2, 2},
    {schema_v3, 0},
    {schema_v4, 0},
};

/* The tables each schema version has: a file claiming that version must
 * hold them all before tsunagi trusts it. */
static const char *const tables_v1[] = {"vocab", "vocab_alias", "node", "district", "organisation", "program",
                                        "program_target", "program_need", "program_mode", "program_area",
                                        "forum", "tie", NULL};
static const char *const tables_v2[] = {"default_need", NULL};
static const char *const tables_v3[] = {"history", NULL};
static const char *const tables_v4[] = {NULL};
static const char *const *const tables_of[] = {tables_v1, tables_v2, tables_v3, tables_v4};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
/* store.h's number names the sample city's cache (store/sample.c): a build
 * that forgot to raise it would share a file with an older build, which then
 * refuses it as written by a newer tsunagi. */
_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "STORE_SCHEMA_VERSION in store.h must be the number of migrations");

/* The migrations from version up, inside the caller's write transaction. */
static tsg_status_t migrate_steps(tsg_db_t *db, int version, tsg_error_t *err)
{
    tsg_status_t s;
    for (int v = version; v < SCHEMA_VERSION; v++) {
        if ((s = store_exec(db->sql, migrations[v].sql, _("schema migration"), err))) return s;
        if (migrations[v].seed == 1 && (s = store_vocab_seed(db->sql, err))) return s;
        if (migrations[v].seed == 2 && (s = store_default_needs_seed(db->sql, err))) return s;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", SCHEMA_VERSION);
    return store_exec(db->sql, pragma, _("schema migration"), err);
}

/* An open's migration, in a transaction of its own. */
static tsg_status_t migrate(tsg_db_t *db, int version, tsg_error_t *err)
{
    tsg_status_t s;
    if (version == SCHEMA_VERSION) return TSG_OK;
    if ((s = store_begin(db, err))) return s;
    if ((s = migrate_steps(db, version, err))) {
        store_rollback(db);
        return s;
    }
    return store_commit(db, err);
}

/* file:PATH?QUERY, the path percent-encoded where URIs need it; NULL when
 * out of memory. */
static char *file_uri(const char *path, const char *query)
{
    util_buf_t uri = {0};
    util_buf_adds(&uri, path[0] == '/' ? "file://" : "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '?' || *p == '#' || *p == '%' || *p <= ' ' || *p >= 0x7F) util_buf_printf(&uri, "%%%02X", *p);
        else util_buf_addc(&uri, (char)*p);
    if (util_buf_adds(&uri, query) || util_buf_addc(&uri, '\0')) {
        util_buf_free(&uri);
        return NULL;
    }
    return uri.data;
}

/* A database the user may read but not change: a read-only file in a
 * folder where its -wal and -shm cannot be made (a read-only folder, a
 * write-protected medium). SQLite cannot read a WAL database there except
 * as "immutable", which reads the main file alone without locks: that is
 * the whole database only while no -wal with changes exists, and nobody
 * can make one where we could not. Returns 0 when db->sql was reopened
 * that way, -1 when this is not such a case (the first error stands). */
static int open_read_only(tsg_db_t *db)
{
    const char *path = db->path;
    char wal[4200];
    struct stat sb;
    if (!*path || strlen(path) > 4000 || stat(path, &sb) != 0 || sb.st_size == 0) return -1;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &sb) == 0 && sb.st_size > 0) return -1; /* changes we could not read */
    char *uri = file_uri(path, "?immutable=1");
    if (!uri) return -1;
    sqlite3 *ro = NULL;
    int rc = sqlite3_open_v2(uri, &ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc == SQLITE_OK) rc = sqlite3_exec(ro, "PRAGMA foreign_keys=ON; SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(ro);
        return -1;
    }
    sqlite3_close(db->sql);
    db->sql = ro;
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, 5000);
    return 0;
}


/* Whether the file is one tsunagi may use, decided from reads only, before
 * anything (WAL mode, a migration) changes it: its schema version is one
 * tsunagi wrote, and it holds that version's tables, or it holds nothing at
 * all and `create` asks for a new database. Sets *version. */
static tsg_status_t inspect(tsg_db_t *db, int create, int *version, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s;
    const int target = (int)(sizeof migrations / sizeof migrations[0]);
    /* The first read of the file: a file that is not SQLite fails here with
     * SQLite's "file is not a database". */
    if (sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        s = util_fail(err, TSG_EDB, "%s: %s", db->path, sqlite3_errmsg(db->sql));
        sqlite3_finalize(st);
        return s;
    }
    *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (*version > target)
        return util_fail(err, TSG_EDB, _("%s: written by a newer tsunagi (schema %d; this one knows up to %d)"),
                         db->path, *version, target);
    if (*version < 0)
        return util_fail(err, TSG_EDB, _("%s: not a tsunagi database (schema version %d, which no tsunagi writes)"),
                         db->path, *version);
    if ((s = store_prepare(db->sql, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid", &st, err)))
        return s;
    util_buf_t names = {0};
    int ntables = 0, missing = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (ntables < 5) util_buf_printf(&names, "%s%s", ntables ? ", " : "", name ? name : "?");
        ntables++;
    }
    if (rc != SQLITE_DONE) s = util_fail(err, TSG_EDB, "%s: %s", db->path, sqlite3_errmsg(db->sql));
    sqlite3_finalize(st);
    const char *missing_name = NULL;
    for (int v = 0; !s && v < *version && !missing; v++)
        for (const char *const *t = tables_of[v]; *t && !missing; t++) {
            if ((s = store_prepare(db->sql, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &st, err)))
                break;
            sqlite3_bind_text(st, 1, *t, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_ROW) {
                missing = 1;
                missing_name = *t;
            }
            sqlite3_finalize(st);
        }
    if (s) {
    } else if (*version == 0 && ntables)
        s = util_fail(err, TSG_EDB, _("%s: not a tsunagi database (schema version 0, but it holds tables: %s%s)"),
                      db->path, names.data ? names.data : "", ntables > 5 ? ", …" : "");
    else if (missing)
        s = util_fail(err, TSG_EDB, _("%s: not a tsunagi database (schema version %d, but no table '%s')"), db->path,
                      *version, missing_name);
    else if (*version == 0 && !create)
        s = util_fail(err, TSG_EDB, _("%s: empty, not a tsunagi database (only 'tsunagi import' makes a new one)"),
                      db->path);
    util_buf_free(&names);
    /* tsunagi makes no triggers: one planted by another tool would run with
     * every change tsunagi makes, the import included (e.g. empty a table
     * whenever a tie is added), and silently change the network. */
    if (!s) s = store_no_triggers(db->sql, db->path, err);
    return s;
}

tsg_status_t store_no_triggers(sqlite3 *sql, const char *path, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(sql, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' LIMIT 1", &st, err);
    if (s) return s;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0), *table = (const char *)sqlite3_column_text(st, 1);
        s = util_fail(err, TSG_EDB,
                      _("%s: not a tsunagi database as it stands: it holds a trigger ('%s' on %s), which tsunagi never "
                      "makes and which would run with its changes (drop it with the sqlite3 shell)"),
                      path, name ? name : "?", table ? table : "?");
    } else if (rc != SQLITE_DONE) {
        s = util_fail(err, TSG_EDB, "%s: %s", path, sqlite3_errmsg(sql));
    }
    sqlite3_finalize(st);
    return s;
}

/* Whether the file and its folder may be written (where -wal and -shm go). */
static int writable_beside(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4200];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    return access(path, W_OK) == 0 && access(dir, W_OK) == 0;
}

/* defer: an older schema is migrated by the first write (store_begin), not
 * here; tsg_create always defers. */
static tsg_status_t open_db(const char *path, int create, int defer, tsg_db_t **out, tsg_error_t *err)
{
    *out = NULL;
    tsg_db_t *db = calloc(1, sizeof *db);
    if (!db || !(db->path = util_strdup(path))) {
        free(db);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    tsg_status_t s;
    int rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
    if (rc != SQLITE_OK) {
        if (!create && access(path, F_OK) != 0)
            s = util_fail(err, TSG_EDB, _("%s: no such database"), path);
        else
            s = util_fail(err, TSG_EDB, _("%s: cannot open: %s"), path,
                          db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, 5000);
    int version = 0, read_only = 0;
    s = inspect(db, create, &version, err);
    /* A WAL database whose folder we cannot write cannot even be read
     * normally (no -shm can be made): read it as immutable, if it is one. */
    if (s && !writable_beside(path) && !open_read_only(db)) {
        read_only = 1;
        s = inspect(db, create, &version, err);
    }
    if (s) goto fail;
    /* Only now, with the file known to be ours (or empty and to be made
     * ours), does anything change it. */
    char what[1200];
    snprintf(what, sizeof what, "%s", path);
    if (!read_only && (s = store_exec(db->sql, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", what, err))) {
        int code = sqlite3_errcode(db->sql) & 0xff;
        if ((code != SQLITE_READONLY && code != SQLITE_CANTOPEN) || open_read_only(db)) goto fail;
    }
    /* An importer's open (create) of an older tsunagi database leaves the
     * migration to its write (store_begin): a failed import then leaves the
     * file as it was, in its old schema. A new file is set up here. */
    if (defer && version > 0 && version < SCHEMA_VERSION) db->migrate_from = version;
    else if ((s = migrate(db, version, err))) goto fail;
    if ((s = store_period_functions(db->sql, err))) goto fail;
    *out = db;
    return TSG_OK;
fail:
    tsg_close(db);
    return s;
}

/* The size of path's side file (-wal, -shm), -1 when there is none. */
static long long side_size(const char *path, const char *suffix)
{
    char side[4200];
    struct stat sb;
    snprintf(side, sizeof side, "%s%s", path, suffix);
    return stat(side, &sb) == 0 ? (long long)sb.st_size : -1;
}

tsg_status_t store_open_read_only(const char *path, tsg_db_t **out, tsg_error_t *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return util_fail(err, TSG_EDB, _("%s: no such database"), path);
    /* A FIFO or a device would block or read forever; a folder is no file. */
    if (!S_ISREG(sb.st_mode)) return util_fail(err, TSG_EDB, _("%s: not a file, so not a tsunagi database"), path);
    if (strlen(path) > 4000) return util_fail(err, TSG_EDB, _("%s: cannot open: %s"), path, strerror(ENAMETOOLONG));
    /* The journal mode is in the header (bytes 18 and 19 are 2 for WAL). A
     * reader of a WAL file needs a -shm beside it, and SQLite makes one (and
     * a -wal) where none is: with no log beside it the file is the whole
     * database, read as immutable, which makes nothing. A log with changes
     * and its -shm belong to a connection that has the file open now: read
     * through them, as a reader, adding nothing. A log without its -shm was
     * left by a crash, and reading it would make one. */
    unsigned char head[20] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    int wal = got == sizeof head && !memcmp(head, "SQLite format 3", 16) && head[18] == 2;
    long long log = side_size(path, "-wal"), shm = side_size(path, "-shm");
    if (wal && log > 0 && shm < 0)
        return util_fail(err, TSG_EDB,
                         _("%1$s: its write-ahead log (%1$s-wal) holds changes not yet written into it; open it once with "
                           "tsunagi (tsunagi summary %1$s) to write them in, then compare again"),
                         path);
    int immutable = wal && log <= 0;
    char *uri = file_uri(path, immutable ? "?immutable=1" : "?mode=ro");
    tsg_db_t *db = calloc(1, sizeof *db);
    if (!uri || !db || !(db->path = util_strdup(path))) {
        free(uri);
        free(db);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    tsg_status_t s;
    int rc = sqlite3_open_v2(uri, &db->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        s = util_fail(err, TSG_EDB, _("%s: cannot open: %s"), path, db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, 5000);
    int version = 0;
    if ((s = inspect(db, 0, &version, err))) goto fail;
    if (version < SCHEMA_VERSION) {
        s = util_fail(err, TSG_EDB,
                      _("%1$s: written by an older tsunagi (schema %2$d; this one uses %3$d), and it is read here without "
                        "being changed: bring it up to date by opening it once with tsunagi (tsunagi summary %1$s), or a "
                        "copy of it, then compare again"),
                      path, version, SCHEMA_VERSION);
        goto fail;
    }
    if ((s = store_exec(db->sql, "PRAGMA query_only = 1", path, err)) || (s = store_period_functions(db->sql, err)))
        goto fail;
    *out = db;
    return TSG_OK;
fail:
    tsg_close(db);
    return s;
}

tsg_status_t tsg_open(const char *path, tsg_db_t **out, tsg_error_t *err)
{
    return open_db(path, 0, 0, out, err);
}

tsg_status_t tsg_create(const char *path, tsg_db_t **out, tsg_error_t *err)
{
    return open_db(path, 1, 1, out, err);
}

tsg_status_t tsg_open_for_write(const char *path, tsg_db_t **out, tsg_error_t *err)
{
    return open_db(path, 0, 1, out, err);
}

void tsg_close(tsg_db_t *db)
{
    if (!db) return;
    sqlite3_close(db->sql);
    free(db->path);
    free(db->held);
    util_guard_free(&db->guard);
    free(db);
}

const char *tsg_db_path(const tsg_db_t *db) { return db->path; }

const util_guard_t *store_guard(tsg_db_t *db)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    /* Nouns put into util_guard_check's sentence, translated there. */
    static const char *const what[] = {N_("the database in use"), N_("the database's write-ahead log"),
                                       N_("the database's shared-memory file"), N_("the database's journal")};
    util_guard_free(&db->guard);
    char *real = realpath(db->path, NULL);
    int bad = 0;
    for (int k = 0; k < 2 && !bad; k++) {
        const char *base = k ? real : db->path;
        if (!base) continue;
        for (int i = 0; i < 4 && !bad; i++) {
            char *p = util_printf("%s%s", base, suffix[i]);
            bad = !p || util_guard_add(&db->guard, p, what[i]);
            free(p);
        }
    }
    free(real);
    if (!bad && db->held) bad = util_guard_add(&db->guard, db->held, N_("the workbook being written (--xlsx)"));
    return bad ? NULL : &db->guard;
}

tsg_status_t tsg_db_check_target(tsg_db_t *db, const char *path, tsg_error_t *err)
{
    const util_guard_t *g = store_guard(db);
    return g ? util_guard_check(g, path, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
}

tsg_status_t tsg_db_hold(tsg_db_t *db, const char *path, tsg_error_t *err)
{
    free(db->held);
    db->held = NULL;
    if (!path) return TSG_OK;
    tsg_status_t s = tsg_db_check_target(db, path, err);
    if (!s && !(db->held = util_strdup(path))) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    return s;
}

