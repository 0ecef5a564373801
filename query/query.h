/*
 * query — running statements: the session (its database, parameters, named
 * sets, caches, the error of the statement running), name and key
 * resolution, and the evaluators. A tsg_session_t (tsunagi.h) is a
 * qry_session_t.
 *
 * Errors during evaluation go through qry_fail, the same sticky error as the
 * parser's, so every message a user sees names the token it is about; the
 * session turns it into "line L, column C: message", the line, and a caret.
 * Evaluators produce tsg_result_t tables and hand them to qry_emit; they
 * never print. Every statement that writes runs in one transaction
 * (qry_write_begin / qry_write_end) and leaves nothing behind when it fails.
 */
#ifndef TSG_QUERY_H
#define TSG_QUERY_H

#include "ast.h"
#include "gaps.h"
#include "network.h"
#include "store.h"
#include "vocab.h"

#include <signal.h>
#include <stdint.h>

enum { QRY_DISTRICT = 1, QRY_ORGANISATION, QRY_PROGRAM, QRY_FORUM };
#define QRY_ANY ((1u << QRY_DISTRICT) | (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM) | (1u << QRY_FORUM))

extern const char *const qry_type_name[]; /* "", "district", "organisation", "program", "forum" */
/* The type whose qry_type_name is text (node.type as stored), or 0. */
int qry_type_of(const char *text);

/* One a node: two million a national session, so the nid is held in 32
 * bits (40 bytes, not 48); the names' load refuses a nid that does not fit
 * (names.c), as the network's does (engine/network.h). */
typedef struct qry_name {
    int32_t nid;
    int type;
    char *id, *name, *fold_id, *fold_name;
} qry_name_t;

typedef struct qry_param {
    char *name, *value;
} qry_param_t;

/* How many dated networks a session keeps in memory (cache.c): two, so that
 * statements alternating between two days (this year and last) never
 * reload; docs/decisions.md, "Issue 21: AS OF". */
#define QRY_NETS 2

#define QRY_WAL_HDR 48 /* bytes: one copy of the WAL index header */

typedef struct qry_session {
    tsg_db_t *db;
    sqlite3 *sql;
    store_vocab_t vocab;
    gram_ctx_t ctx;            /* the running statement's arena and error */
    qry_param_t *params;
    size_t nparams;
    qry_name_t *names;         /* every node, loaded on demand */
    size_t nnames;
    util_arena_t name_arena;   /* the names' arrays (names, hash chains, parent) */
    util_arena_t name_strings; /* their strings (util/arena.h; netcache.c maps both back) */
    uint32_t *exact_head, *exact_next; /* hash chains: ids and names as written, */
    uint32_t *fold_head, *fold_next;   /* and folded; key k = 2 × name index + (0 id, 1 name) */
    uint32_t name_mask;
    int64_t *parent;           /* district parent by nid (0: none), loaded on demand */
    size_t nparent;
    int64_t *day_parent;       /* the same as of dated_day, when history keeps a parent that day
                                  (qry_day_parents); NULL: the file's parents hold */
    int stale;                 /* names/parent must be reloaded */
    int names_lazy;            /* names, hash chains and parent point into the cache file's names'
                                  places, not read yet, or nowhere once the file is let go
                                  (qry_names_ready reads or loads them) */
    int cache_tried;           /* DB.tsn written (or tried) once: never again in this session */
    int cache_owed;            /* a network to write was loaded inside a read transaction: written
                                  when the statement's transaction ends (session.c) */
    int unchecked;             /* the rows are not yet checked since the file last changed (store_check) */
    int64_t data_version;      /* PRAGMA data_version when they were loaded */
    int version_known;         /* data_version has been read once: a change is another program's */
    int checked;               /* data_version was checked in this statement: keep what is loaded */
    sqlite3_stmt *dv;          /* PRAGMA data_version, prepared once (asked before every statement) */
    sqlite3_stmt *by_id[2];    /* a node by id and its name, prepared once (noderef.c, id_by_sql) */
    int wal;                   /* the file is in WAL mode: 1, not: -1, not yet asked: 0 */
    unsigned long db_writes;   /* db->writes when this session's caches last followed it */
    int wal_seen;              /* wal_hdr is the WAL index header before the last data_version read */
    unsigned char wal_hdr[QRY_WAL_HDR]; /* (check_version, names.c) */
    int usual_made;            /* usual holds default_need as the data are now (qry_gaps_args) */
    struct qry_usual {         /* every group's usual needs in order, as vocabulary keys */
        const char *target, *need;
    } *usual;
    size_t nusual;
    int dated_made;            /* the dated TEMP tables (qry_dated_tables) hold dated_day's rows */
    long dated_day;            /* YYYYMMDD */
    const eng_net_t *net;      /* the running statement's network (one of nets), set by qry_network */
    struct qry_net_slot {
        long day;              /* the day it shows (YYYYMMDD), resolved: never 0 */
        int confirmed;         /* the confirmed ties only (USING confirmed ties) */
        eng_net_t *net;
    } nets[QRY_NETS];          /* the networks in memory, most recently used first; net NULL: free */
    struct qry_view *view;     /* the igraph view last built (qry_graph); NULL: none */
    struct qry_disk *disk;     /* the cache file whose network is not read yet (diskcache.c); NULL: none */
    long as_of;                /* the day the running statement reads (YYYYMMDD): its AS OF, else
                                  session_as_of; 0: neither, today (and GAPS counts every program) */
    long session_as_of;        /* .asof (tsg_session_as_of); 0: none */
    char session_as_of_text[11]; /* the same as written back in ISO form */
    int confirmed_ties;        /* the running statement says USING confirmed ties */
    volatile sig_atomic_t interrupted; /* 1: Ctrl-C; 2: the statement ran past its time limit */
    long timeout_ms;           /* a statement's time limit (0: none) */
    int64_t deadline_ns;       /* when the running statement must stop (0: never) */
    int no_files;              /* EXPORT, RENDER, REPORT build their output but write nothing
                                  (the fuzz targets: file names there are random bytes) */
    long suppress_below;       /* counts below this are published as "<N" (0: all shown) */
    long dot_memory_mb;        /* the address space dot may use (RLIMIT_AS); 0: QRY_DOT_MEMORY_MB */
    const tsg_sink_t *sink;
    const ast_tail_t *tail;    /* the running statement's ORDER BY / LIMIT, or NULL */
    tsg_result_t **held;       /* with a tail, its results until it ends (qry_order) */
    size_t nheld;
    const char *stmt_z, *stmt_end; /* the running statement's text, for its results' names */
    const char *lang;          /* "ja", "en" (applied before each run), or NULL: the process's */
    int ja;                    /* this run's output is Japanese: tables show vocabulary labels */
    struct qry_session *outer; /* WHAT IF's copy: the session whose statement it runs for (its
                                  Ctrl-C and time limit stop the copy's work too), else NULL */
    struct qry_scenario *scenario; /* the session's scenario (.whatif, scenario.c), or NULL */
} qry_session_t;

/* "line L, column C: message", the line, and a caret under the token
 * (source, when given, before it): the running statement's error as a
 * program shows it. */
void qry_format_error(const qry_session_t *s, const char *source, tsg_error_t *err);

/* Whether the running statement must stop: Ctrl-C, or its time limit
 * passed (which sets interrupted to 2). Cheap enough for inner loops. */
int qry_should_stop(qry_session_t *s);

/* How this run's tables name a vocabulary key of kind: its Japanese label
 * (label_ja) in Japanese output, the key itself in English. */
const char *qry_label(const qry_session_t *s, const char *kind, const char *key);

/* The nouns messages put into their sentences, in the language of the
 * output (nouns.c): a kind of node ("program"), the kinds a mask of types
 * allows, bare ("organisation or program") and with an article ("an
 * organisation or program"; Japanese has none). A vocabulary kind's noun
 * ("target group") is store_vocab_kind_noun's. */
const char *qry_type_noun(int type);
const char *qry_types_noun(unsigned types);
const char *qry_types_a(unsigned types);
/* Appends item to a list in b: after ", " or, for the last (left == 0),
 * " and ", as the language of the output joins them. */
void qry_list_add(util_buf_t *b, const char *item, int left);

/* Records the statement's error at a token; returns TSG_EINPUT. */
tsg_status_t qry_fail(qry_session_t *s, const gram_token_t *at, const char *fmt, ...) UTIL_PRINTF(3, 4);
/* Records SQLite's error (or no memory) against the statement's keyword. */
tsg_status_t qry_fail_sql(qry_session_t *s, const gram_token_t *at);

/* The igraph view of the network (eng_graph_build's arguments; sectors may
 * be NULL), owned by the session: the last one built is kept until the next
 * asks for another or the data change, so repeated statements on one view
 * do not rebuild it. Failures are recorded against st's keyword. */
struct eng_graph;
tsg_status_t qry_graph(qry_session_t *s, const ast_stmt_t *st, int64_t district, int programs, int directed,
                       const char *const *sectors, int nsectors, const eng_net_t **net, const struct eng_graph **gr);
/* Drops the network and the view built from it. */
void qry_network_free(qry_session_t *s);
/* The parts of a network (engine/network.h's arenas) a statement reads: a
 * network from the cache file is read part by part, each part when a
 * statement first asks for it (the strings come with the walk's part).
 * qry_network reads every part; a statement that names its parts must
 * read nothing else of the network (a part not read faults). */
enum { QRY_NET_WALK = 1, QRY_NET_REST = 2, QRY_NET_TIES = 4, QRY_NET_ALL = 7 };
tsg_status_t qry_network_parts(qry_session_t *s, unsigned parts, const eng_net_t **net);
/* Drops net (one of the session's; one read in part from the cache file,
 * with the file) and the view built from it: 1, or 0 when it is none of
 * the session's. */
int qry_network_drop(qry_session_t *s, const eng_net_t *net);
/* The cache file beside the database (diskcache.c): qry_cache_open points
 * the session's name index into the file when it still describes the
 * database (1; names_lazy: not read yet), else does nothing (0), and keeps
 * the file open for the names and today's network,
 * which qry_cache_net reads part by part as statements ask (at least
 * `parts` of QRY_NET_*; NULL: not that day, or a part is damaged: load it,
 * and any part read before is gone with the network that held it);
 * qry_cache_partial is the network read in part (NULL: none), which lives
 * as long as the file is open: qry_cache_drop drops it with the file.
 * qry_cache_save writes them after net was loaded for day, when that is
 * today's network of every tie. None fails: the cache is only ever a
 * shortcut. */
int qry_cache_open(qry_session_t *s);
/* Reads the cache file's names into the places the session's names point
 * to: 1, or 0 when there is no such file or they are damaged (the session's
 * names then point nowhere: load them). */
int qry_cache_names(qry_session_t *s);
eng_net_t *qry_cache_net(qry_session_t *s, long day, int confirmed, unsigned parts);
const eng_net_t *qry_cache_partial(const qry_session_t *s);
void qry_cache_drop(qry_session_t *s);
void qry_cache_save(qry_session_t *s, eng_net_t *net, long day, int confirmed);

/* Orders and cuts a statement's results by its ORDER BY / LIMIT (order.c):
 * each table that has every key is sorted (stably), each table keeps its
 * first n rows; a key no table has is an error at the key. Messages pass. */
tsg_status_t qry_order(qry_session_t *s, const ast_tail_t *tail, tsg_result_t *const *rs, size_t n);

/* Passes a result to the session's sink and frees it (with an ORDER BY or
 * LIMIT, holds it until the statement ends). */
tsg_status_t qry_emit(qry_session_t *s, tsg_result_t *r);
/* With --suppress-below N, the people counts in column `col` (a tie's annual
 * count) are written "<N" below N. Returns r, or frees it and returns NULL
 * when out of memory (as qry_result_row). */
tsg_result_t *qry_suppress(const qry_session_t *s, tsg_result_t *r, const char *col);
/* Emits a message (TSG_RESULT_MESSAGE): what a statement did or found
 * instead of a table. */
tsg_status_t qry_emit_done(qry_session_t *s, const char *fmt, ...) UTIL_PRINTF(2, 3);

/* The text of a STRING, WORD or PARAM value ($x is looked up); NULL after
 * recording an error (unknown parameter, or a value of another kind).
 * `what` names the value expected in that error: a msgid of context
 * "expected value" (NC_("expected value", "a name")), translated here, or
 * a noun already translated (store_vocab_kind_noun). */
const char *qry_text(qry_session_t *s, const ast_value_t *v, const char *what);
/* An age range from NUMBER (a single age), RANGE or a PARAM holding either. */
tsg_status_t qry_range(qry_session_t *s, const ast_value_t *v, int *has_lo, long *lo, int *has_hi, long *hi);
/* A whole number from NUMBER or PARAM. */
tsg_status_t qry_number(qry_session_t *s, const ast_value_t *v, long *out);
/* A vocabulary key from a WORD, STRING or PARAM (key, label, alias, folded). */
tsg_status_t qry_key(qry_session_t *s, const ast_value_t *v, const char *kind, const char **key);

/* Finds a node by id or name: exact first, then ignoring width and case.
 * `types` limits the node types (1u << QRY_*); `type` is the optional type
 * word written before the name (organisation 'x'). Unknown and ambiguous
 * names are errors listing the closest or all matches; QRY_KIND_FIRST in
 * `types` says the value stands where the grammar's node rule is (so the
 * kind may be written first), else an ambiguous name's error offers the
 * id only (WHERE to = '…', AREA, OF take a plain value). QRY_DAY_NAMES
 * (only where the dated tables hold the statement's day: the SQL readers)
 * finds a name as of that day first: an organisation's old name AS OF a day
 * it had it, not a name given to another node since (or later). */
#define QRY_KIND_FIRST (1u << 8)
#define QRY_DAY_NAMES (1u << 9)
tsg_status_t qry_node(qry_session_t *s, const ast_value_t *v, const gram_token_t *type, unsigned types,
                      const qry_name_t **out);
/* qry_load without the name index: a session whose names came from the
 * cache file leaves them unread (docs/decisions.md, "Issue 23: a cold
 * statement reads only its parts of the cache"); qry_names_ready reads
 * them (or loads them from the database when the file's are damaged).
 * qry_load is both. Only a statement that reads no name but through
 * qry_node_set may do without them. */
tsg_status_t qry_load_lazy(qry_session_t *s);
tsg_status_t qry_names_ready(qry_session_t *s);
/* A node reference (tsunagi.y's node rule) that names one node of a type
 * in `types`: a LET set's name is refused here with a clear error. */
tsg_status_t qry_node_ref(qry_session_t *s, const ast_node_t *n, unsigned types, const qry_name_t **out);
/* A node reference that may name a LET set (REACH, PATH, EXPORT OF): the
 * nodes it names, malloc'd into *nids (*n of them); an organisation, named
 * or a member, brings its programs when with_programs is set. */
tsg_status_t qry_node_set(qry_session_t *s, const ast_node_t *n, unsigned types, int with_programs,
                          const eng_net_t *net, int64_t **nids, size_t *count);

/* The first node, in name order, of a type in `types` other than `skip`,
 * whose id is `key` (name = 0, exactly as written) or whose name folded is
 * `key` (name = 1, key already folded); NULL if none. Through the hash
 * chains, so it costs the same among two million nodes as among a hundred. */
const qry_name_t *qry_name_find(const qry_session_t *s, const char *key, int name, unsigned types,
                                const qry_name_t *skip);
/* The name index's entry of node nid (names are in nid order), or NULL;
 * and the string of hash-chain key k (see qry_session_t), as written or
 * folded. names.c keeps the index, noderef.c reads it. */
qry_name_t *qry_name_by_nid(qry_session_t *s, int64_t nid);
const char *qry_name_key(const qry_session_t *s, uint32_t k, int folded);
/* The type named by a word, folded (gram_token_t.fold: organisation,
 * organisations, program, …), or 0. */
int qry_type_word(const char *fold);
/* What FIND and COUNT read (eval.c's table), for completion: the i-th kind
 * word (organisations, …), and the i-th WHERE field of a kind (a folded
 * word) with its vocabulary kind (NULL: not a key); NULL past the last. */
const char *qry_kind_word(size_t i);
const char *qry_kind_field(const char *kind, size_t i, const char **vocab);

/* Ancestry of districts: whether `d` is `anc` or below it, in the file's
 * tree (qry_under: the changes check loops with it) or in the tree of the
 * running statement's day (qry_under_day: tsg_under, IN of the readers). */
int qry_under(qry_session_t *s, int64_t d, int64_t anc);
int qry_under_day(qry_session_t *s, int64_t d, int64_t anc);
/* The district tree of the dated names' day for qry_under_day, made when a history row
 * keeps a parent that day (history_reaches: one does of some field);
 * called by qry_dated_tables once the day's names are made. */
tsg_status_t qry_day_parents(qry_session_t *s, int history_reaches);
/* Caches of names and district parents are rebuilt after a write. */
void qry_data_changed(qry_session_t *s);
tsg_status_t qry_load(qry_session_t *s);
/* Frees the loaded names and their hash chains (names.c). */
void qry_names_free(qry_session_t *s);

/* Looks set `name` (LET) up, after finding its members again if another
 * program changed the database: *type is its node type ("organisation",
 * …) or NULL when there is no such set. Fails, at `at`, when the set is
 * stale: some of its members are no longer in the database. */
tsg_status_t qry_set_check(qry_session_t *s, const char *name, const gram_token_t *at, const char **type);

/* A write's transaction: the store's (store_begin / store_commit /
 * store_rollback, store.h), with the session's LET sets kept in step and
 * its caches dropped after. */
tsg_status_t qry_write_begin(qry_session_t *s);
/* Commits when st is TSG_OK, else rolls back; returns st or the commit error. */
tsg_status_t qry_write_end(qry_session_t *s, tsg_status_t st);

/* Registers tsg_under(), tsg_match() and tsg_as_of(), which the evaluators'
 * SQL uses, and makes the dated views organisation_at, forum_at,
 * program_at, node_at and tie_at: the rows that exist on the running
 * statement's day (sqlfunc.c). Every reader selects from these; writers
 * keep the tables. */
tsg_status_t qry_register_functions(qry_session_t *s);
void qry_unregister_functions(qry_session_t *s);
/* Registers s's functions again when another session on the same
 * connection registered its own since (tsg_summary opens one). */
tsg_status_t qry_claim_functions(qry_session_t *s);

/* clauses.c: what the grammar leaves to a table. */
/* A clause the statement needs: an error naming `usage` when c is NULL. */
tsg_status_t qry_need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage);
/* Which of `words` (folded, NULL-ended) value v is: its index; -1 when none
 * (then *near is a word within two edits, or -1), with *text the value as
 * written for the caller's message; -2 after recording an error. */
int qry_choice(qry_session_t *s, const ast_value_t *v, const char *const *words, const char **text, int *near);
/* A date of the language (AS OF, STARTS, ENDS, SINCE): YYYY, YYYY-MM or
 * YYYY-MM-DD that exists, written back in ISO form; a NUMBER is a year. */
tsg_status_t qry_date(qry_session_t *s, const ast_value_t *v, char iso[11]);
/* The same rule for a date as text (.asof): TSG_EINPUT with the reason, a
 * date that does not exist or one outside the years kept. */
tsg_status_t qry_date_check(const char *text, char iso[11], tsg_error_t *err);

/* Makes the dated names organisation_at, forum_at, program_at, node_at,
 * tie_at and the programs' lists show the running statement's day's rows,
 * unless they already do and nothing changed since (sqlfunc.c): TEMP VIEWS
 * over the tables on a day no history row reaches, indexed TEMP copies on
 * one it does. Readers of SQL call it before their SQL. */
tsg_status_t qry_dated_tables(qry_session_t *s);
/* Looks once per statement whether another program changed the database
 * (PRAGMA data_version), marking the caches stale (names.c). */
tsg_status_t qry_check_version(qry_session_t *s);
/* PRAGMA data_version of s's connection now (it changes when another
 * connection commits to the file), through the one statement the session
 * prepares for it; -1 when it cannot be read. Marks nothing stale: for a
 * caller that compares it with a value it kept (the scenario's copy). */
int64_t qry_data_version(qry_session_t *s);

/* Runs one parsed statement (the session's dispatcher). */
tsg_status_t qry_exec(qry_session_t *s, const ast_stmt_t *st);
/* The day the running statement reads, YYYY-MM-DD (s->as_of, or today)
 * for titles. */
void qry_day_text(const qry_session_t *s, char out[16]);

/* Evaluators. */
tsg_status_t qry_exec_read(qry_session_t *s, const ast_stmt_t *st);      /* FIND, COUNT, SHOW, LET */
tsg_status_t qry_exec_show(qry_session_t *s, const ast_stmt_t *st);      /* SHOW (show.c) */
tsg_status_t qry_exec_mutation(qry_session_t *s, const ast_stmt_t *st);  /* ADD, SET, REMOVE, TIE, UNTIE */
/* Marks keep[nid] = 1 for every program matching st->where (a FIND on
 * programs); *keep is calloc'd with maxnid + 1 entries. */
tsg_status_t qry_match_programs(qry_session_t *s, const ast_stmt_t *st, int64_t maxnid, int **keep);
tsg_status_t qry_exec_gaps(qry_session_t *s, const ast_stmt_t *st);       /* GAPS, COVERAGE (eval_gaps.c) */
tsg_status_t qry_exec_paths(qry_session_t *s, const ast_stmt_t *st);      /* PATH, REACH (eval_paths.c) */
/* HORIZONTAL, CENTRALITY, BROKERS, THIN LINKS (eval_structure.c) */
tsg_status_t qry_exec_structure(qry_session_t *s, const ast_stmt_t *st);
tsg_status_t qry_exec_export(qry_session_t *s, const ast_stmt_t *st);    /* EXPORT, RENDER, REPORT */
tsg_status_t qry_exec_directory(qry_session_t *s, const ast_stmt_t *st); /* EXPORT DIRECTORY (directory.c) */
tsg_status_t qry_exec_forums(qry_session_t *s, const ast_stmt_t *st);    /* FORUMS OVERLAP (forums.c) */
tsg_status_t qry_exec_whatif(qry_session_t *s, const ast_stmt_t *st);    /* WHAT IF (whatif.c) */
tsg_status_t qry_exec_critical(qry_session_t *s, const ast_stmt_t *st);  /* CRITICAL (critical.c) */
tsg_status_t qry_exec_suggest(qry_session_t *s, const ast_stmt_t *st);   /* SUGGEST TIES (suggest.c) */
/* The first `top` suggestions SUGGEST TIES would make in district (0: the
 * statement's IN) with st's clauses, as (from, to) nid pairs in *pairs
 * (malloc'd, 2 × *n), for RENDER … HIGHLIGHT SUGGESTIONS and REPORT. */
tsg_status_t qry_suggest_pairs(qry_session_t *s, const ast_stmt_t *st, int64_t district, long top, int64_t **pairs,
                               size_t *n);

/* GAPS' and COVERAGE's clauses (and HIGHLIGHT GAPS', the same slots) read
 * into an engine query, the group's default needs filled in when NEEDS is
 * not given; q.needs points into needs. A district other than 0 stands for
 * the IN clause (HIGHLIGHT GAPS draws OF one). */
typedef struct qry_gaps_args {
    eng_gaps_query_t q;
    const char *needs[64];
    const char *need_labels[64]; /* the needs as this run's tables name them (qry_label) */
} qry_gaps_args_t;
tsg_status_t qry_gaps_args(qry_session_t *s, const ast_stmt_t *st, int64_t district, qry_gaps_args_t *a);
/* The nodes a REACH statement reaches (not its start nodes), in its order;
 * *nids is malloc'd. For LET s = REACH …. */
tsg_status_t qry_reach_nodes(qry_session_t *s, const ast_stmt_t *st, int64_t **nids, size_t *n);
/* The network of the running statement's day (s->as_of), loaded when first
 * needed and kept among the session's QRY_NETS networks (cache.c); also
 * sets s->net. */
tsg_status_t qry_network(qry_session_t *s, const eng_net_t **net);

#endif
