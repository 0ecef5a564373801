/*
 * tsunagi.h — the one public header of libtsunagi, a referral-network graph
 * engine for local support networks against loneliness and isolation.
 *
 * Ownership, once for every function here: the caller owns what it passes in
 * and keeps owning it; a function that hands back an object through an `out`
 * pointer gives the caller that object, to be released with the matching
 * `tsg_*_free` / `tsg_close`. Nothing is retained across calls except inside
 * a tsg_db_t.
 *
 * Errors: every fallible function returns a tsg_status_t. On anything but
 * TSG_OK it has written a complete, user-facing message into `err` (when err
 * is not NULL), e.g. "mycity/programs.csv:12:5: unknown need 'fod' (did you
 * mean food?)". Nothing in the library prints, exits or aborts.
 *
 * Writes: every call that changes a database runs in one transaction; when it
 * fails, the database is exactly as it was before the call.
 */
#ifndef TSUNAGI_H
#define TSUNAGI_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TSG_VERSION "0.1.0"

typedef enum tsg_status {
    TSG_OK = 0,
    TSG_EINPUT,  /* bad user input: a CSV cell, a statement, an argument */
    TSG_EIO,     /* a file could not be read or written */
    TSG_EDB,     /* SQLite refused: locked, corrupt, full disk, newer schema */
    TSG_ENOMEM   /* an allocation failed */
} tsg_status_t;

typedef struct tsg_error {
    tsg_status_t code;
    char text[2048];
} tsg_error_t;

/* ---- databases ---------------------------------------------------------- */

typedef struct tsg_db tsg_db_t;

/* Opens the tsunagi database at `path` and brings its schema up to date.
 * Before changing anything it checks the file: a missing or empty file, a
 * SQLite file that is not tsunagi's (schema version 0 with tables of its
 * own, a version no tsunagi wrote, tables missing) and a database written
 * by a newer tsunagi are refused, and the file is left exactly as it was
 * (not even switched to WAL). The network's rows are checked later, by the
 * calls that read them (see TSG_EDB "damaged database"). */
tsg_status_t tsg_open(const char *path, tsg_db_t **out, tsg_error_t *err);

/* Like tsg_open, but a missing or empty (0-byte, or SQLite with no tables)
 * file becomes a new, empty database. For importers; an existing tsunagi
 * database opens as with tsg_open, except that one of an older schema is
 * brought up to date inside the import's own write transaction, so an
 * import that fails leaves it in its old schema. */
tsg_status_t tsg_create(const char *path, tsg_db_t **out, tsg_error_t *err);

/* Like tsg_open (a missing, empty or foreign file is refused), but one of
 * an older schema is brought up to date inside the caller's first write,
 * as with tsg_create: for survey-in, whose refusal leaves it as it was. */
tsg_status_t tsg_open_for_write(const char *path, tsg_db_t **out, tsg_error_t *err);

/* Opens the bundled sample city. It is built from the CSV compiled into the
 * library into a cache file on first use (under $XDG_CACHE_HOME/tsunagi or
 * ~/.cache/tsunagi), and rebuilt when the bundled data changes. */
tsg_status_t tsg_open_sample(tsg_db_t **out, tsg_error_t *err);

void tsg_close(tsg_db_t *db);

/* The file behind an open database (owned by db). */
const char *tsg_db_path(const tsg_db_t *db);

/* TSG_EINPUT, naming both files, when writing `path` would replace a file
 * the open database needs: the database itself, its -wal, -shm or -journal,
 * or the file held with tsg_db_hold. Compared as files (device and inode),
 * not as names. Every writer in the library checks this itself; a program
 * checks the files it writes on its own (a report, a .output file). */
tsg_status_t tsg_db_check_target(tsg_db_t *db, const char *path, tsg_error_t *err);

/* Holds path (the workbook --xlsx collects) as in use until
 * tsg_db_hold(db, NULL, …): statements then refuse to write over it. Refused
 * when path is one of the database's own files. */
tsg_status_t tsg_db_hold(tsg_db_t *db, const char *path, tsg_error_t *err);

/* ---- CSV interchange (docs/data-format.md) ------------------------------ */

typedef enum tsg_encoding {
    TSG_ENC_AUTO = 0, /* UTF-8 (BOM or not) if the bytes are valid UTF-8, else CP932 */
    TSG_ENC_UTF8,
    TSG_ENC_CP932     /* Shift_JIS as Japanese Excel writes it */
} tsg_encoding_t;

/* Parses "auto", "utf-8"/"utf8", "cp932"/"shift_jis"/"sjis" (case-insensitive). */
tsg_status_t tsg_encoding_parse(const char *name, tsg_encoding_t *out, tsg_error_t *err);

typedef struct tsg_import_counts {
    long districts, organisations, programs, forums, ties, vocabulary;
} tsg_import_counts_t;

/* Replaces the network held in `db` by the one in folder `dir` (districts.csv,
 * organisations.csv, programs.csv, forums.csv, ties.csv, and optionally
 * vocabulary.csv). All or nothing. `counts` may be NULL. */
tsg_status_t tsg_import_csv(tsg_db_t *db, const char *dir, tsg_encoding_t enc,
                            tsg_import_counts_t *counts, tsg_error_t *err);

/* What an import as of a date did (issue 21), by table. */
enum { TSG_CHANGE_DISTRICT, TSG_CHANGE_ORGANISATION, TSG_CHANGE_PROGRAM, TSG_CHANGE_FORUM, TSG_CHANGE_TIE, TSG_CHANGE_N };
typedef struct tsg_change_counts {
    long added[TSG_CHANGE_N], ended[TSG_CHANGE_N], changed[TSG_CHANGE_N];
} tsg_change_counts_t;

/* Brings folder `dir` into the network held in `db` as a change at `date`
 * (YYYY, YYYY-MM or YYYY-MM-DD): rows new in the folder begin at the date,
 * rows gone from it end there, changed fields keep their old values in the
 * history until the date (store/import_asof.c). The folder is checked as
 * tsg_import_csv checks it; all or nothing. `counts` may be NULL. */
tsg_status_t tsg_import_csv_as_of(tsg_db_t *db, const char *dir, tsg_encoding_t enc, const char *date,
                                  tsg_change_counts_t *counts, tsg_error_t *err);

/* Writes the network in `db` to folder `dir` (created if missing) in the
 * canonical form: UTF-8, LF, keys not labels, rows in insertion order. */
tsg_status_t tsg_export_csv(tsg_db_t *db, const char *dir, tsg_error_t *err);
/* The same; bom != 0 starts each file with a UTF-8 byte-order mark (for
 * Excel; import reads the files either way). */
tsg_status_t tsg_export_csv_with(tsg_db_t *db, const char *dir, int bom, tsg_error_t *err);

/* ---- Open Referral HSDS (docs/data-format.md §8) ------------------------- */

/* One row the HSDS import skipped or repaired. */
typedef struct tsg_hsds_row {
    char *file;    /* e.g. "services.csv" */
    long line;     /* 0 when the file has no lines (a JSON side file) */
    char *id;      /* the row's id, may be empty */
    int skipped;   /* 1 skipped, 0 repaired */
    char *reason;  /* a stable key: the same English text for every row of one kind;
                      tsg_hsds_reason_text gives it in the language of the messages */
    char *detail;  /* this row's particulars, may be empty */
} tsg_hsds_row_t;

/* A report row's reason as a planner reads it, in the language of the
 * messages (tsg_language); the key itself when it has no translation. */
const char *tsg_hsds_reason_text(const char *reason);

typedef struct tsg_hsds_report {
    char *layout;  /* "HSDS 3.0.0 tabular package", "HSDS 1.x …", "Ohana API CSV" */
    tsg_import_counts_t counts;
    /* Where each program's ages came from (the five add up to counts.programs). */
    long age_columns, age_text, age_text_all, age_taxonomy, age_open;
    /* Eligibility texts that mention an age no rule reads, and texts with
     * age words only ("seniors"): both leave the ages open. */
    long age_ambiguous, age_words;
    long default_target, default_need, wide_area;
    tsg_hsds_row_t *rows;
    size_t nrows;
} tsg_hsds_report_t;

/* Replaces the network in `db` by the service directory in folder `dir`.
 * `mapping` is a mapping CSV, or NULL for the built-in one. All or nothing;
 * on success *report (free with tsg_hsds_report_free) says what was done. */
tsg_status_t tsg_import_hsds(tsg_db_t *db, const char *dir, const char *mapping, tsg_hsds_report_t **report,
                             tsg_error_t *err);
void tsg_hsds_report_free(tsg_hsds_report_t *r);
/* Writes every skipped or repaired row as CSV (file,line,id,action,reason,detail). */
tsg_status_t tsg_hsds_report_write(const tsg_hsds_report_t *r, const char *path, tsg_error_t *err);
/* The built-in mapping file's text. */
const char *tsg_hsds_default_mapping(size_t *len);

/* Writes the network as an HSDS 3.0 tabular package in folder `dir`
 * (created if missing), referrals and other ties in the extension table
 * x_tsunagi_ties.csv. */
tsg_status_t tsg_export_hsds(tsg_db_t *db, const char *dir, tsg_error_t *err);

/* What the package says of itself (datapackage.json): the city's name,
 * title and licence, never the HSDS specification's own. NULL fields take
 * the defaults: name and title from the top district (the one district
 * with no parent; none when there are several), and no licence claimed. */
typedef struct tsg_hsds_package {
    const char *name;    /* lower-case letters, digits, '-', '.', '_' */
    const char *title;
    const char *license; /* an SPDX id ("CC-BY-4.0") or the URL of the terms */
    long suppress_below; /* > 0: a tie's count of people under it is left out (published packages) */
} tsg_hsds_package_t;
tsg_status_t tsg_export_hsds_with(tsg_db_t *db, const char *dir, const tsg_hsds_package_t *pkg, tsg_error_t *err);

/* ---- the survey round (docs/data-format.md §9) ---------------------------- */

/* Writes one workbook per organisation into folder `dir` (created if
 * missing): its details, programs and ties to confirm, correct or end, and
 * a sheet for new ties. *written receives the number of workbooks. */
tsg_status_t tsg_survey_out(tsg_db_t *db, const char *dir, long *written, tsg_error_t *err);
/* The same, for --suppress-below: a tie's count of people under
 * suppress_below (> 0) is left blank, since the workbooks leave the office. */
tsg_status_t tsg_survey_out_suppressed(tsg_db_t *db, const char *dir, long suppress_below, long *written,
                                       tsg_error_t *err);
/* The same for the network as it stands on as_of (YYYY-MM-DD, YYYY-MM or
 * YYYY; NULL: today): the organisations, programs and ties of that day,
 * their names and values of that day, and the day written on the first
 * sheet. A malformed date is TSG_EINPUT and nothing is written. */
tsg_status_t tsg_survey_out_as_of(tsg_db_t *db, const char *dir, const char *as_of, long suppress_below, long *written,
                                  tsg_error_t *err);

/* What survey-in did. Every string is owned by the report. */
typedef struct tsg_survey_report {
    long answered, confirmed, corrected, ended, added; /* organisations; rows by answer; new ties */
    long ties_confirmed, ties_reported, ties_unverified;
    char **silent; /* "id name" of each organisation that did not answer */
    size_t nsilent;
    /* "id name (ended DATE)" of each organisation or program that had ended
     * and answered: it begins again on the round's day, as_of. */
    char **back;
    size_t nback;
    char as_of[11];
} tsg_survey_report_t;

/* Reads the returned workbooks (and CSV files saved from their sheets) in
 * folder `dir`, checks every cell (TSG_EINPUT "file:sheet:row:column: …"
 * and nothing changed) and applies the answers as a change at `as_of`
 * (YYYY-MM-DD; NULL: today). On success *report (free with
 * tsg_survey_report_free) says what was done. */
tsg_status_t tsg_survey_in(tsg_db_t *db, const char *dir, const char *as_of, tsg_survey_report_t **report,
                           tsg_error_t *err);
void tsg_survey_report_free(tsg_survey_report_t *r);

/* ---- result sets ---------------------------------------------------------- */

/* What a result is. A TABLE answers a question (FIND, GAPS, …), possibly
 * with no rows. A MESSAGE says what a statement did or found instead of a
 * table ("added organisation 'x' (o-12)", "wrote kita.dot", "no path of at
 * most 6 ties"): one column, "message", and one row holding the sentence.
 * A program that writes CSV keeps messages out of the table stream. */
typedef enum tsg_result_kind { TSG_RESULT_TABLE = 0, TSG_RESULT_MESSAGE } tsg_result_kind_t;

/* A table of UTF-8 strings; NULL cells are empty. Evaluation produces these;
 * the formatters below print them. */
typedef struct tsg_result {
    tsg_result_kind_t kind;
    char *title;          /* may be NULL */
    size_t ncols, nrows;
    char **cols;          /* ncols names: stable English keys, as CSV and JSON print them */
    char **heads;         /* ncols headers for people (tables, Markdown), translated; NULL: cols.
                           * A NULL entry is a column for CSV and JSON only: a key whose
                           * label is shown beside it (kind / kind_label), or the reverse */
    char **cells;         /* nrows * ncols, row-major */
    unsigned char *right; /* ncols flags: right-align (numbers) */
    char *statement;      /* the statement that made it, on one line as typed (without ';'); may be NULL */
    struct tsg_result_text *text; /* private: the blocks the cells' strings live in */
} tsg_result_t;

void tsg_result_free(tsg_result_t *r);

/* Counts of the network for a first look: organisations by sector, programs
 * by ward served and by target group. `*out` receives `*n` result sets, to be
 * freed with tsg_results_free. */
tsg_status_t tsg_summary(tsg_db_t *db, tsg_result_t ***out, size_t *n, tsg_error_t *err);
void tsg_results_free(tsg_result_t **rs, size_t n);

/* LINE: each row as "column = value" lines, for rows too wide for a screen. */
typedef enum tsg_format { TSG_FMT_TABLE = 0, TSG_FMT_CSV, TSG_FMT_JSON, TSG_FMT_MARKDOWN, TSG_FMT_LINE } tsg_format_t;

/* "table", "csv", "json", "markdown", "line" and back. */
tsg_status_t tsg_format_parse(const char *name, tsg_format_t *out, tsg_error_t *err);
const char *tsg_format_name(tsg_format_t f);

/* Prints one result set. Table output aligns by display width (East Asian
 * Width: a CJK character takes two columns). A message prints as its
 * sentence and a newline in every format but JSON, where it is the object
 * {"message": "…"}; a table in JSON is an array of objects, one per row. */
tsg_status_t tsg_result_print(const tsg_result_t *r, tsg_format_t fmt, FILE *out, tsg_error_t *err);
/* The same, a table fitted to `width` display columns (a terminal's; 0: no
 * limit): the widest columns are narrowed and their long cells cut with
 * '…', so no line wraps. Other formats ignore the width. */
tsg_status_t tsg_result_print_fit(const tsg_result_t *r, tsg_format_t fmt, FILE *out, size_t width, tsg_error_t *err);

/* An Excel workbook of result sets, one sheet each (named after the title;
 * numbers in right-aligned columns as numbers; a bold, frozen, filtered
 * header). Nothing appears at `path` until tsg_xlsx_close with keep = 1,
 * which writes the workbook beside it and renames it into place; keep = 0
 * discards it, leaving any earlier file at `path` as it was. */
typedef struct tsg_xlsx tsg_xlsx_t;
tsg_status_t tsg_xlsx_open(const char *path, tsg_xlsx_t **out, tsg_error_t *err);
/* A message adds no sheet (it is no table). */
tsg_status_t tsg_xlsx_add(tsg_xlsx_t *x, const tsg_result_t *r, tsg_error_t *err);
const char *tsg_xlsx_path(const tsg_xlsx_t *x);
tsg_status_t tsg_xlsx_close(tsg_xlsx_t *x, int keep, tsg_error_t *err);

/* ---- the query language (docs/language.md) -------------------------------- */

/* A session runs statements against one database. It keeps parameters
 * ($name) and named sets (LET) between statements. */
typedef struct qry_session tsg_session_t;

tsg_status_t tsg_session_open(tsg_db_t *db, tsg_session_t **out, tsg_error_t *err);
void tsg_session_close(tsg_session_t *s);

/* Sets $name for later statements; a NULL value removes it. */
tsg_status_t tsg_session_param(tsg_session_t *s, const char *name, const char *value, tsg_error_t *err);

/* Where a run's results and errors go. Results are the session's and valid
 * only during the call; r->kind tells a table from a message (what a
 * change did), which a program writing CSV keeps apart. A non-OK return
 * from `result` stops the run. */
typedef struct tsg_sink {
    tsg_status_t (*result)(void *ctx, const tsg_result_t *r, tsg_error_t *err);
    void (*error)(void *ctx, const tsg_error_t *e);
    void *ctx;
} tsg_sink_t;

/* Runs the statements in `text` one at a time. Each error is passed to
 * sink->error as "line L, column C: message" (prefixed with `source` when
 * given), the line and a caret under the token. A failed statement changes
 * nothing. Without keep_going the run stops at the first error. Returns
 * TSG_OK when every statement succeeded, else the first failure's status
 * (also written to err). */
tsg_status_t tsg_session_run(tsg_session_t *s, const char *text, const char *source, int keep_going,
                             const tsg_sink_t *sink, tsg_error_t *err);
/* The same for text[0..len), which may hold NUL bytes (a script read from
 * a file or a pipe): a NUL is an error at its line and column, never the
 * silent end of the text. */
tsg_status_t tsg_session_run_len(tsg_session_t *s, const char *text, size_t len, const char *source, int keep_going,
                                 const tsg_sink_t *sink, tsg_error_t *err);

/* Counts below n are written "<n" in every export meant for publication
 * (small counts can identify people); 0 shows every count. */
void tsg_session_suppress_below(tsg_session_t *s, long n);
/* The largest count of people anywhere (a tie's count, n above). */
#define TSG_MAX_COUNT 100000000L

/* Stops any statement that runs longer than ms milliseconds with the error
 * "the statement ran longer than the time limit …"; the next statement runs
 * as usual. 0 (the default) sets no limit. */
void tsg_session_timeout(tsg_session_t *s, long ms);
long tsg_session_get_timeout(const tsg_session_t *s);

/* The memory GraphViz's dot may use for RENDER and REPORT, in MiB (its
 * address space, set with setrlimit in the child): past it, the statement
 * fails with "the drawing needed more memory than allowed". 0 or less: the
 * default, 2048. The program takes it from $TSUNAGI_DOT_MEMORY. */
void tsg_session_dot_memory(tsg_session_t *s, long mib);

/* ---- language (docs/language.md, "Language of the output") --------------- */

/* Makes lang the language of messages, column headers, gap kinds and
 * vocabulary labels: "ja", "en", or "auto" / NULL for the one the
 * environment names ($LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG, the first
 * that is set; Japanese for ja*, else English). gettext's choice is the
 * process's: this sets $LANGUAGE, and for Japanese, when LC_MESSAGES is
 * "C", the C.UTF-8 locale (no ja_JP locale is needed). CSV and JSON keep
 * English keys in every language. TSG_EINPUT for another name. */
tsg_status_t tsg_language(const char *lang, tsg_error_t *err);
/* The same for a session: its statements run in lang whatever another
 * session chose in between. A session opened without one leaves the
 * process's language as it is (English unless the program set a locale). */
tsg_status_t tsg_session_lang(tsg_session_t *s, const char *lang, tsg_error_t *err);
/* "ja", "en", or NULL when the session has none of its own. */
const char *tsg_session_get_lang(const tsg_session_t *s);

/* The day the session's reading statements answer for when they say no
 * AS OF (the REPL's .asof): a date as AS OF takes it (YYYY, YYYY-MM or
 * YYYY-MM-DD; a month or a year means its first day); NULL or "off": none,
 * today (the default). A statement's own AS OF wins. Fails, changing
 * nothing, on a date that does not exist. */
tsg_status_t tsg_session_as_of(tsg_session_t *s, const char *date, tsg_error_t *err);
/* The date .asof set, as it was given in ISO form, or NULL. */
const char *tsg_session_get_as_of(const tsg_session_t *s);

/* A scenario for the session's later statements (the REPL's .whatif): the
 * change of a WHAT IF, "WITHOUT node, … [WITH TIE a -> b AS kind, …]", made
 * once on a copy of the database in memory. Until it ends (NULL or "off"),
 * the statements WHAT IF compares (GAPS, REACH, …) show today's answer
 * beside the scenario's, other reading statements (FIND, SHOW, …) answer
 * from the copy, and statements that change the network are refused; the
 * database is never written. A new scenario replaces the one before; one
 * that fails (an unknown name, with its caret) leaves it as it was. */
tsg_status_t tsg_session_scenario(tsg_session_t *s, const char *change, tsg_error_t *err);
/* The change of the scenario as given, or NULL. */
const char *tsg_session_get_scenario(const tsg_session_t *s);

/* Asks the running statement to stop (safe from a signal handler). */
void tsg_session_interrupt(tsg_session_t *s);

/* Whether text ends a statement (a ';' outside quotes and comments). */
int tsg_statement_complete(const char *text);

/* Words that complete `prefix`: keywords, vocabulary keys and labels, and
 * names of nodes. *out is a malloc'd array of malloc'd strings. */
tsg_status_t tsg_session_complete(tsg_session_t *s, const char *prefix, char ***out, size_t *n, tsg_error_t *err);
/* Words that complete `prefix` where the grammar leaves it after `before`
 * (the statement typed so far, up to the word): the keywords the parser
 * takes there, and the values of that place (the measures after
 * CENTRALITY, the targets after FOR, the fields after FIND programs WHERE,
 * …); with `quoted`, the word is inside quotes: names (districts after IN).
 * *out as tsg_session_complete. */
tsg_status_t tsg_session_complete_at(tsg_session_t *s, const char *before, const char *prefix, int quoted,
                                     char ***out, size_t *n, tsg_error_t *err);
/* The syntax line of the statement a keyword begins (GAPS, FIND, THIN, …)
 * and, in *example, a statement of that kind that runs on the sample city;
 * NULL for a word that begins none. The syntax is English, marked for
 * gettext: show it through gettext(). */
const char *tsg_statement_help(const char *keyword, const char **example);
/* The LET sets of the session: a table of name, kind and members. */
tsg_status_t tsg_session_sets(tsg_session_t *s, tsg_result_t **out, tsg_error_t *err);

/* Writes the versions of tsunagi and the libraries it links, for --version. */
void tsg_versions(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
