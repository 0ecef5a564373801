/*
 * survey — the yearly survey round (issue 21 items 6 and 7): the layout of
 * the workbook survey-out writes for each organisation and survey-in reads
 * back, and the answers read from it.
 *
 * The workbook is a document for the member organisations, so its sheet
 * names, headers and choices are Japanese whatever the language of the
 * program's messages; the reader matches them exactly. Every data sheet has
 * its header in row 1 and the organisation's id in column A of every row,
 * so a sheet saved on its own as CSV still says what it is (its header) and
 * whose answers it holds (column A).
 *
 * A sheet as read (from XLSX or CSV) is a grid of cells, sv_grid_t, owning
 * its strings (NULL: an empty cell). The answers, sv_answers_t, own theirs.
 */
#ifndef TSG_STORE_SURVEY_H
#define TSG_STORE_SURVEY_H

#include "tsunagi.h"
#include "store.h"
#include <stddef.h>

/* Sheets, in the order of the workbook. */
#define SV_SHEET_HELP "記入方法"
#define SV_SHEET_ORG "団体情報"
#define SV_SHEET_PROGRAMS "事業"
#define SV_SHEET_TIES "関係"
#define SV_SHEET_NEW "新しい関係"
#define SV_SHEET_LISTS "選択肢" /* hidden: the organisations and the choices the lists offer */

/* The answer column's choices. */
#define SV_CONFIRM "確認"
#define SV_CORRECT "修正"
#define SV_END "終了"

/* Directions, as the ties sheets write them. */
#define SV_DIR_OUT "当団体から相手へ"
#define SV_DIR_IN "相手から当団体へ"
#define SV_DIR_BOTH "相互"
#define SV_WIDE_AREA "全域"
#define SV_LIST_SEP "、"

/* Columns of each data sheet (0-based). */
enum { SV_ORG_ID, SV_ORG_NAME, SV_ORG_SECTOR, SV_ORG_DISTRICT, SV_ORG_ANSWER, SV_ORG_NCOLS };
enum { SV_P_ORG, SV_P_ID, SV_P_NAME, SV_P_TARGETS, SV_P_AGE_MIN, SV_P_AGE_MAX, SV_P_NEEDS, SV_P_AREA, SV_P_HOURS,
       SV_P_ANSWER, SV_P_NCOLS };
enum { SV_T_ORG, SV_T_OWN, SV_T_OWN_NAME, SV_T_OTHER, SV_T_OTHER_NAME, SV_T_OTHER_ORG, SV_T_KIND, SV_T_DIR, SV_T_COUNT,
       SV_T_ANSWER, SV_T_NCOLS };
enum { SV_N_ORG, SV_N_PARTNER, SV_N_KIND, SV_N_DIR, SV_N_COUNT, SV_N_NCOLS };

/* Headers, by sheet; NULL-terminated. */
extern const char *const sv_org_header[];
extern const char *const sv_programs_header[];
extern const char *const sv_ties_header[];
extern const char *const sv_new_header[];

/* SQL: whether the node with nid X is open on the day bound to ?90
 * (YYYYMMDD): not ended (an organisation, forum or program without until,
 * a program's organisation too) and begun (an organisation's or forum's
 * since, if any, on or before the day). The survey asks about the network
 * as it stands, the rows without an end that exist already; a row that
 * begins later is not asked about before it begins. */
#define SV_OPEN(X)                                                                                            \
    "(NOT EXISTS (SELECT 1 FROM organisation WHERE nid = " X " AND (until IS NOT NULL OR tsg_day(since) > ?90))" \
    " AND NOT EXISTS (SELECT 1 FROM forum WHERE nid = " X " AND (until IS NOT NULL OR tsg_day(since) > ?90))"  \
    " AND NOT EXISTS (SELECT 1 FROM program pr JOIN organisation po ON po.nid = pr.org WHERE pr.nid = " X       \
    "  AND (pr.until IS NOT NULL OR po.until IS NOT NULL OR tsg_day(po.since) > ?90)))"
/* SQL: the tie t has begun by ?90. */
#define SV_BEGUN(T) "(" T ".since IS NULL OR tsg_day(" T ".since) <= ?90)"

/* The day is parameter ?90 of a statement (YYYYMMDD), a number of its own:
 * a named one (:day) takes the next free number where it first appears,
 * which is ?1's when it comes before ?1 in the text. */
#define SV_DAY_PARAM 90
/* Binds ?90 of st, when it has one. */
void sv_bind_day(sqlite3_stmt *st, long day);

/* Rows of the new-ties sheet made ready (column A filled in). */
#define SV_NEW_ROWS 30

typedef struct sv_grid {
    char *file;  /* for messages: the file's name as given */
    char *sheet; /* the sheet's name (for a CSV file: the sheet its header matches) */
    size_t nrows, ncols;
    char **cell; /* nrows * ncols, row-major; NULL: empty */
} sv_grid_t;

void sv_grid_free(sv_grid_t *g);
/* The cell at (row, col), 0-based, or NULL when empty or outside the grid. */
const char *sv_cell(const sv_grid_t *g, size_t row, size_t col);

typedef enum sv_answer { SV_ANS_NONE = 0, SV_ANS_CONFIRM, SV_ANS_CORRECT, SV_ANS_END } sv_answer_t;

/* An organisation's own row: the values after the answer (keys and ids). */
typedef struct sv_org {
    char *id;
    sv_answer_t ans;
    char *name, *sector, *district; /* district: an id, or NULL for none */
} sv_org_t;

typedef struct sv_program {
    char *org, *id;
    sv_answer_t ans;
    char *name, *targets, *needs, *area, *hours; /* lists as the CSV writes them: keys joined by ';', '*' wide area */
    long age_min, age_max;                        /* -1: open */
    char *ended;  /* the day it ended, when that is on or before the round's day: the answer opens it again */
} sv_program_t;

/* A tie as one organisation answered it: an existing one (is_new 0, kind
 * its stored kind, new_kind the answer's) or one it added. */
typedef struct sv_tie {
    char *org;             /* the organisation that answered */
    char *src, *dst, *kind;
    char *new_kind;        /* a correction's kind (== kind when unchanged) */
    int directed, is_new;
    sv_answer_t ans;       /* a new tie: SV_ANS_CONFIRM */
    long count;            /* -1: none */
    char *where;           /* file:sheet:row, for a message about the answer */
} sv_tie_t;

typedef struct sv_answers {
    sv_org_t *orgs;         /* the organisations that answered */
    size_t norgs;
    sv_program_t *programs;
    size_t nprograms;
    sv_tie_t *ties;
    size_t nties;
} sv_answers_t;

void sv_answers_free(sv_answers_t *a);

/* A file name safe on Windows for the organisation: its id, then its name
 * when every character of it is safe ("o-kita-ward_北区役所.xlsx"). An id
 * with bytes replaced (or a leading '.') carries a hash of itself, so no two
 * organisations share a file. The caller frees it; NULL when out of memory. */
char *sv_file_name(const char *id, const char *name);

/* Writes one workbook per organisation that exists on as_of (a date as a
 * person types it, util_date_check; NULL: today) into dir, the network as
 * it stands that day, all or none: dir must not exist or be empty; the
 * workbooks are written into a private folder beside it, which is renamed
 * to dir at the end, and removed with everything in it when anything
 * fails. A malformed as_of is TSG_EINPUT, before anything is made. */
tsg_status_t sv_write_all(tsg_db_t *db, const char *dir, const char *as_of, long below, long *written,
                          tsg_error_t *err);

/* The four data sheets, in the workbook's order: their headers and names. */
extern const char *const *const sv_headers[4];
extern const char *const sv_sheet_names[4];

/* Reads every .xlsx and .csv file of dir (not dot files, not Excel's ~$
 * lock files), in the order of their names, into *grids (n_grids of them;
 * the caller frees each with sv_grid_free, and the array, also on failure).
 * An empty folder is TSG_EINPUT. */
tsg_status_t sv_read_forms(const char *dir, sv_grid_t **grids, size_t *n_grids, tsg_error_t *err);

/* Reads every .xlsx and .csv file of dir into grids and checks them into
 * answers against the network of day (YYYYMMDD, the round's as-of day);
 * every message names file:sheet:row:column. */
tsg_status_t sv_read_all(tsg_db_t *db, const char *dir, long day, sv_answers_t *out, tsg_error_t *err);

#endif
