/*
 * survey_out — tsunagi survey-out: one workbook per organisation (see
 * survey.h for the layout). The values are shown as a person reads them
 * (labels, district names) and survey-in reads them back the same way; the
 * choices come from a hidden sheet through Excel's data validation, so a
 * partner is picked from the network's organisations, never typed. The
 * forms show the network as it stands on the round's day (--as-of, else
 * today), read through the dated names the query layer makes for AS OF
 * (query/sqlfunc.c): the rows that exist that day, each value as it was
 * that day; a session is opened for them, as tsg_summary does. A day from
 * today on asks nothing about a row whose end is set already (survey-in
 * refuses an answer about it); a past day shows that day's network whole,
 * ends set since included (decisions.md, "Issue 21: survey-out --as-of").
 * They are written all or
 * none: into a folder made inside a private one beside DIR, renamed to DIR
 * once every workbook is whole, so a run that fails half-way (a full disk,
 * a file too large) leaves nothing; DIR must not exist or be empty, so no
 * file of the user's there is ever replaced (decisions.md, "Issue 21: the
 * survey round finished").
 */
#include "survey.h"
#include "query.h"
#include "where.h"
#include "i18n.h"
#include "store.h"
#include "util.h"
#include "bounds.h"
#include "vocab.h"
#include "xlsx_lazy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

const char *const sv_org_header[] = {"団体ID", "団体名", "分野", "地区", "回答", NULL};
const char *const sv_programs_header[] = {"団体ID", "事業ID", "事業名", "対象", "年齢（下限）", "年齢（上限）",
                                          "支援の内容", "地域", "受付時間", "回答", NULL};
const char *const sv_ties_header[] = {"団体ID", "自団体側ID", "自団体側", "相手ID", "相手", "相手の団体",
                                      "種類", "向き", "件数（年間）", "回答", NULL};
const char *const sv_new_header[] = {"団体ID", "相手の団体", "種類", "向き", "件数（年間）", NULL};

/* What the first sheet says, one paragraph a row; the round's day is
 * written under the title (help_sheet). */
static const char *const help_lines[] = {
    "つなぎ調査票　記入方法",
    "",
    "この調査票は、貴団体の登録内容と他団体とのつながりを毎年確認するためのものです。",
    "各シートの「回答」欄で、行ごとに次のいずれかを選んでください（空欄のままにはしないでください）。",
    "　確認：記載のとおりで変更はありません。",
    "　修正：内容が変わりました。該当するセルを書き換えてください（灰色の列は変更できません）。",
    "　終了：この事業・関係はもうありません。",
    "",
    "「団体情報」：貴団体の名称・分野・地区です。",
    "「事業」：貴団体が実施している事業です。対象・支援の内容・地域は「、」で区切って記入してください。",
    "「関係」：貴団体（またはその事業）と他の団体・事業とのつながりです。修正できるのは種類と件数です。",
    "「新しい関係」：表にないつながりがあれば、相手の団体と種類を一覧から選んで追加してください。",
    "",
    "記入が終わったら、ファイル名を変えずにそのまま返送してください。",
    "シートを CSV で保存して返送していただいても読み取れます（シートごとに 1 ファイル）。",
    NULL};

/* A file name character Windows refuses (or that ends a name badly). */
static int unsafe_byte(unsigned char c) { return c < 0x20 || c == 0x7F || strchr("<>:\"/\\|?*", c) != NULL; }

char *sv_file_name(const char *id, const char *name)
{
    int safe = name && *name && strlen(name) <= 60;
    for (const char *p = name; safe && *p; p++)
        if (unsafe_byte((unsigned char)*p) || *p == ' ' || *p == '.') safe = 0;
    util_buf_t b = {0};
    int changed = 0;
    for (const char *p = id; *p; p++) {
        /* A leading '.' would hide the file ("../x" → "._x"). */
        int bad = unsafe_byte((unsigned char)*p) || (p == id && *p == '.');
        changed |= bad;
        util_buf_addc(&b, bad ? '_' : *p);
    }
    /* Two ids that differ only in bytes replaced ("o-a/b", "o-a_b") would
     * share one file and one form would be lost: a changed id carries a
     * hash of itself (util_hash), so every organisation has its own file. */
    if (changed) util_buf_printf(&b, "~%08x", (unsigned)util_hash(id));
    if (safe) util_buf_printf(&b, "_%s", name);
    if (util_buf_adds(&b, ".xlsx")) {
        util_buf_free(&b);
        return NULL;
    }
    return b.data;
}

typedef struct out {
    tsg_db_t *db;
    store_vocab_t vocab;
    lxw_workbook *wb;
    lxw_format *head, *fixed, *wrap;
    size_t norgs;    /* rows of the organisations' list */
    char *path;
    tsg_error_t *err;
    long below; /* > 0: a tie's count of people under it is not written (--suppress-below) */
    long day;   /* YYYYMMDD: the round's day, whose network the forms show */
    int past;   /* the day is before today: rows whose end is set since are shown too */
} out_t;

void sv_bind_day(sqlite3_stmt *st, long day)
{
    if (sqlite3_bind_parameter_count(st) >= SV_DAY_PARAM) sqlite3_bind_int64(st, SV_DAY_PARAM, day);
}

/* The statements below read the dated names (organisation_at, program_at,
 * tie_at, …), which hold the rows of the round's day only. ?91 is 1 for a
 * day before today: then a row whose end was set after the day is still
 * shown (it ran that day); from today on it is not asked about. */
#define PAST_PARAM 91
static void bind_past(const out_t *o, sqlite3_stmt *st)
{
    if (sqlite3_bind_parameter_count(st) >= PAST_PARAM) sqlite3_bind_int(st, PAST_PARAM, o->past);
}
/* SQL: the organisation o (of organisation_at) is asked about. */
#define ORG_ASKED "(?91 OR o.until IS NULL)"
/* SQL: node X (of a tie of tie_at) is asked about: on a day from today on,
 * no end set for it (an organisation, forum or program, nor a program's
 * organisation). */
#define NODE_ASKED(X)                                                                                          \
    "(?91 OR (NOT EXISTS (SELECT 1 FROM organisation_at WHERE nid = " X " AND until IS NOT NULL)"              \
    " AND NOT EXISTS (SELECT 1 FROM forum_at WHERE nid = " X " AND until IS NOT NULL)"                         \
    " AND NOT EXISTS (SELECT 1 FROM program_at pr JOIN organisation_at po ON po.nid = pr.org WHERE pr.nid = " X \
    "  AND (pr.until IS NOT NULL OR po.until IS NOT NULL))))"
/* SQL: the tie t (of tie_at) is asked about: from today on, it has no end
 * set and neither end is a row whose end is set. */
#define TIE_ASKED "(?91 OR (t.until IS NULL AND " NODE_ASKED("t.src") " AND " NODE_ASKED("t.dst") "))"

static tsg_status_t lxw_fail(out_t *o, lxw_error e)
{
    /* The system's reason when there is one (a full disk, a file too
     * large): libxlsxwriter's own text says only "ZIP_ERRNO". */
    int sys = e >= LXW_ERROR_CREATING_XLSX_FILE && e <= LXW_ERROR_ZIP_CLOSE ? errno : 0;
    if (sys)
        return util_fail(o->err, TSG_EIO, "%s: %s (%s)", o->path, lxw_strerror(e), strerror(sys));
    return util_fail(o->err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? TSG_ENOMEM : TSG_EIO, "%s: %s", o->path,
                     lxw_strerror(e));
}

/* A ';' list of keys as their labels joined by "、". */
static char *labels(out_t *o, const char *kind, const char *keys)
{
    util_buf_t b = {0};
    util_buf_adds(&b, "");
    for (const char *p = keys; p && *p;) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char key[256];
        util_snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (b.len) util_buf_adds(&b, SV_LIST_SEP);
        util_buf_adds(&b, store_vocab_label(&o->vocab, kind, key));
        p = end ? end + 1 : p + n;
    }
    return b.data;
}

static lxw_error header(out_t *o, lxw_worksheet *ws, const char *const *cols, const double *widths)
{
    lxw_error e = LXW_NO_ERROR;
    for (int c = 0; cols[c] && !e; c++) {
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], o->head);
        if (!e) e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
    }
    if (!e) worksheet_freeze_panes(ws, 1, 0);
    return e;
}

/* A sheet with its header row; NULL (and the error set) when the workbook
 * cannot add one. */
static lxw_worksheet *add_sheet(out_t *o, const char *name, const char *const *cols, const double *widths,
                                lxw_error *e)
{
    lxw_worksheet *ws = workbook_add_worksheet(o->wb, name);
    if (!ws) util_fail(o->err, TSG_ENOMEM, _("out of memory adding a sheet"));
    else *e = header(o, ws, cols, widths);
    return ws;
}

static lxw_error cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    return s && *s ? worksheet_write_string(ws, r, c, s, f) : f ? worksheet_write_blank(ws, r, c, f) : LXW_NO_ERROR;
}

/* A list validation on rows 1..last of column col from a range of the hidden sheet. */
static lxw_error choose(lxw_worksheet *ws, lxw_row_t last, lxw_col_t col, const char *range, const char *title)
{
    lxw_data_validation v = {0};
    v.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    v.value_formula = (char *)range;
    v.error_title = (char *)title;
    v.error_message = (char *)"一覧から選んでください。";
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    return last < 1 ? LXW_NO_ERROR : worksheet_data_validation_range(ws, 1, col, last, col, &v);
}

static const char *const kinds[] = {"referral", "co_support", "info_sharing", "agreement", NULL};

/* The hidden sheet: A the organisations ("name [id]"), B the answers,
 * C the answers for the organisation's own row, D the tie kinds, E the
 * directions. */
static tsg_status_t lists_sheet(out_t *o)
{
    lxw_worksheet *ws = workbook_add_worksheet(o->wb, SV_SHEET_LISTS);
    if (!ws) return util_fail(o->err, TSG_ENOMEM, _("out of memory adding a sheet"));
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(o->db->sql,
                                   "SELECT o.name, n.id FROM organisation_at o JOIN node n ON n.nid = o.nid"
                                   " WHERE " ORG_ASKED " ORDER BY o.name, n.id",
                                   &st, o->err);
    if (!s) bind_past(o, st);
    lxw_error e = LXW_NO_ERROR;
    lxw_row_t r = 0;
    int rc = SQLITE_DONE;
    while (!s && !e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *item = util_printf("%s [%s]", (const char *)sqlite3_column_text(st, 0),
                                 (const char *)sqlite3_column_text(st, 1));
        if (!item) s = util_fail(o->err, TSG_ENOMEM, _("out of memory"));
        else e = worksheet_write_string(ws, r++, 0, item, NULL);
        free(item);
    }
    if (!s && !e && rc != SQLITE_DONE) s = store_fail_sql(o->db->sql, _("database"), o->err);
    sqlite3_finalize(st);
    o->norgs = r;
    const char *answers[] = {SV_CONFIRM, SV_CORRECT, SV_END, NULL};
    for (int i = 0; answers[i] && !e; i++) e = worksheet_write_string(ws, (lxw_row_t)i, 1, answers[i], NULL);
    for (int i = 0; i < 2 && !e; i++) e = worksheet_write_string(ws, (lxw_row_t)i, 2, answers[i], NULL);
    for (int i = 0; kinds[i] && !e; i++)
        e = worksheet_write_string(ws, (lxw_row_t)i, 3, store_vocab_label(&o->vocab, "tie_kind", kinds[i]), NULL);
    const char *dirs[] = {SV_DIR_OUT, SV_DIR_IN, SV_DIR_BOTH, NULL};
    for (int i = 0; dirs[i] && !e; i++) e = worksheet_write_string(ws, (lxw_row_t)i, 4, dirs[i], NULL);
    worksheet_hide(ws);
    if (!s && e) s = lxw_fail(o, e);
    return s;
}

static tsg_status_t help_sheet(out_t *o)
{
    lxw_worksheet *ws = workbook_add_worksheet(o->wb, SV_SHEET_HELP);
    if (!ws) return util_fail(o->err, TSG_ENOMEM, _("out of memory adding a sheet"));
    lxw_error e = worksheet_set_column(ws, 0, 0, 100, NULL);
    /* The day the forms describe: a form prepared in March for the year
     * from 1 April, or re-issued for last year, says which network it shows. */
    char day[96];
    util_snprintf(day, sizeof day, "基準日：%ld年%ld月%ld日（各シートの内容は、この日の登録内容です）", o->day / 10000,
                  o->day / 100 % 100, o->day % 100);
    for (int i = 0; help_lines[i] && !e; i++)
        e = cell(ws, (lxw_row_t)i, 0, i == 1 ? day : help_lines[i], i ? NULL : o->head);
    if (!e) worksheet_activate(ws);
    return e ? lxw_fail(o, e) : TSG_OK;
}

static tsg_status_t org_sheet(out_t *o, sqlite3_stmt *org)
{
    static const double w[] = {18, 36, 18, 14, 10};
    lxw_error e = LXW_NO_ERROR;
    lxw_worksheet *ws = add_sheet(o, SV_SHEET_ORG, sv_org_header, w, &e);
    if (!ws) return TSG_ENOMEM;
    if (!e) e = cell(ws, 1, SV_ORG_ID, (const char *)sqlite3_column_text(org, 1), o->fixed);
    if (!e) e = cell(ws, 1, SV_ORG_NAME, (const char *)sqlite3_column_text(org, 2), NULL);
    if (!e) e = cell(ws, 1, SV_ORG_SECTOR,
                     store_vocab_label(&o->vocab, "sector", (const char *)sqlite3_column_text(org, 3)), NULL);
    if (!e) e = cell(ws, 1, SV_ORG_DISTRICT, (const char *)sqlite3_column_text(org, 4), NULL);
    if (!e) e = choose(ws, 1, SV_ORG_ANSWER, "=" SV_SHEET_LISTS "!$C$1:$C$2", "回答");
    return e ? lxw_fail(o, e) : TSG_OK;
}

#define PLIST(tbl, col) \
    "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM " tbl "_at WHERE program = p.nid ORDER BY pos))"

static tsg_status_t programs_sheet(out_t *o, long long org, const char *org_id)
{
    static const double w[] = {16, 22, 30, 36, 10, 10, 30, 20, 20, 10};
    lxw_error e = LXW_NO_ERROR;
    lxw_worksheet *ws = add_sheet(o, SV_SHEET_PROGRAMS, sv_programs_header, w, &e);
    if (!ws) return TSG_ENOMEM;
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(
        o->db->sql,
        "SELECT n.id, p.name, " PLIST("program_target", "target") ", p.age_min, p.age_max, " PLIST("program_need", "need")
        ", CASE WHEN p.wide_area THEN NULL ELSE (SELECT group_concat(name, '" SV_LIST_SEP "') FROM"
        "  (SELECT d.name FROM program_area_at a JOIN " QRY_DISTRICT_AT " d ON d.nid = a.district"
        "   WHERE a.program = p.nid ORDER BY a.pos)) END, p.wide_area, p.hours"
        " FROM program_at p JOIN node n ON n.nid = p.nid WHERE p.org = ?1 AND (?91 OR p.until IS NULL) ORDER BY p.nid",
        &st, o->err);
    if (!s) sqlite3_bind_int64(st, 1, org);
    if (!s) bind_past(o, st);
    lxw_row_t r = 0;
    int rc = SQLITE_DONE;
    while (!s && !e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        r++;
        char *targets = labels(o, "target", (const char *)sqlite3_column_text(st, 2));
        char *needs = labels(o, "need", (const char *)sqlite3_column_text(st, 5));
        if (!targets || !needs) s = util_fail(o->err, TSG_ENOMEM, _("out of memory"));
        if (!s) e = cell(ws, r, SV_P_ORG, org_id, o->fixed);
        if (!s && !e) e = cell(ws, r, SV_P_ID, (const char *)sqlite3_column_text(st, 0), o->fixed);
        if (!s && !e) e = cell(ws, r, SV_P_NAME, (const char *)sqlite3_column_text(st, 1), NULL);
        if (!s && !e) e = cell(ws, r, SV_P_TARGETS, targets, NULL);
        for (int k = 0; k < 2 && !s && !e; k++)
            if (sqlite3_column_type(st, 3 + k) != SQLITE_NULL)
                e = worksheet_write_number(ws, r, (lxw_col_t)(SV_P_AGE_MIN + k), sqlite3_column_double(st, 3 + k), NULL);
        if (!s && !e) e = cell(ws, r, SV_P_NEEDS, needs, NULL);
        if (!s && !e) e = cell(ws, r, SV_P_AREA,
                               sqlite3_column_int(st, 7) ? SV_WIDE_AREA : (const char *)sqlite3_column_text(st, 6), NULL);
        if (!s && !e) e = cell(ws, r, SV_P_HOURS, (const char *)sqlite3_column_text(st, 8), NULL);
        free(targets);
        free(needs);
    }
    if (!s && !e && rc != SQLITE_DONE) s = store_fail_sql(o->db->sql, _("database"), o->err);
    sqlite3_finalize(st);
    if (!s && !e) e = choose(ws, r, SV_P_ANSWER, "=" SV_SHEET_LISTS "!$B$1:$B$3", "回答");
    if (!s && e) s = lxw_fail(o, e);
    return s;
}

/* The ties of the organisation or of its programs: the organisation's side
 * is the end that is it or its program (the source when both are). */
static tsg_status_t ties_sheet(out_t *o, long long org, const char *org_id)
{
    static const double w[] = {16, 22, 30, 22, 30, 30, 12, 18, 12, 10};
    lxw_error e = LXW_NO_ERROR;
    lxw_worksheet *ws = add_sheet(o, SV_SHEET_TIES, sv_ties_header, w, &e);
    if (!ws) return TSG_ENOMEM;
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(
        o->db->sql,
        "WITH mine(nid) AS (SELECT ?1 UNION SELECT nid FROM program_at WHERE org = ?1 AND (?91 OR until IS NULL)),"
        " side AS (SELECT t.tid, t.src AS own, t.dst AS other, 1 AS out, t.kind, t.directed, t.count FROM tie_at t"
        "  WHERE t.src IN mine AND " TIE_ASKED
        "  UNION ALL SELECT t.tid, t.dst, t.src, 0, t.kind, t.directed, t.count FROM tie_at t"
        "  WHERE t.dst IN mine AND t.src NOT IN mine AND " TIE_ASKED ")"
        " SELECT a.id, b.id, s.kind, s.directed, s.count, s.out,"
        "  coalesce(oa.name, pa.name, fa.name), coalesce(ob.name, pb.name, fb.name),"
        "  coalesce(ob.name, (SELECT name FROM organisation_at WHERE nid = pb.org))"
        " FROM side s JOIN node a ON a.nid = s.own JOIN node b ON b.nid = s.other"
        " LEFT JOIN organisation_at oa ON oa.nid = s.own LEFT JOIN program_at pa ON pa.nid = s.own"
        " LEFT JOIN forum_at fa ON fa.nid = s.own"
        " LEFT JOIN organisation_at ob ON ob.nid = s.other LEFT JOIN program_at pb ON pb.nid = s.other"
        " LEFT JOIN forum_at fb ON fb.nid = s.other"
        " ORDER BY s.tid",
        &st, o->err);
    if (!s) sqlite3_bind_int64(st, 1, org);
    if (!s) bind_past(o, st);
    lxw_row_t r = 0;
    int rc = SQLITE_DONE;
    while (!s && !e && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        r++;
        const char *kind = (const char *)sqlite3_column_text(st, 2);
        const char *dir = !sqlite3_column_int(st, 3) ? SV_DIR_BOTH : sqlite3_column_int(st, 5) ? SV_DIR_OUT : SV_DIR_IN;
        e = cell(ws, r, SV_T_ORG, org_id, o->fixed);
        if (!e) e = cell(ws, r, SV_T_OWN, (const char *)sqlite3_column_text(st, 0), o->fixed);
        if (!e) e = cell(ws, r, SV_T_OWN_NAME, (const char *)sqlite3_column_text(st, 6), o->fixed);
        if (!e) e = cell(ws, r, SV_T_OTHER, (const char *)sqlite3_column_text(st, 1), o->fixed);
        if (!e) e = cell(ws, r, SV_T_OTHER_NAME, (const char *)sqlite3_column_text(st, 7), o->fixed);
        if (!e) e = cell(ws, r, SV_T_OTHER_ORG, (const char *)sqlite3_column_text(st, 8), o->fixed);
        if (!e) e = cell(ws, r, SV_T_KIND, store_vocab_label(&o->vocab, "tie_kind", kind),
                         strcmp(kind, "membership") ? NULL : o->fixed);
        if (!e) e = cell(ws, r, SV_T_DIR, dir, o->fixed);
        /* A workbook goes out to the organisation: a count under the
         * threshold is left blank, as every other output of the office
         * hides it (survey-in reads a blank count on a confirmed tie as
         * "unchanged"). */
        if (!e && sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_int64(st, 4) >= o->below)
            e = worksheet_write_number(ws, r, SV_T_COUNT, sqlite3_column_double(st, 4), NULL);
    }
    if (!s && !e && rc != SQLITE_DONE) s = store_fail_sql(o->db->sql, _("database"), o->err);
    sqlite3_finalize(st);
    if (!s && !e) e = choose(ws, r, SV_T_ANSWER, "=" SV_SHEET_LISTS "!$B$1:$B$3", "回答");
    if (!s && e) s = lxw_fail(o, e);
    return s;
}

static tsg_status_t new_sheet(out_t *o, const char *org_id)
{
    static const double w[] = {16, 44, 14, 20, 12};
    lxw_error e = LXW_NO_ERROR;
    lxw_worksheet *ws = add_sheet(o, SV_SHEET_NEW, sv_new_header, w, &e);
    if (!ws) return TSG_ENOMEM;
    for (lxw_row_t r = 1; r <= SV_NEW_ROWS && !e; r++) e = cell(ws, r, SV_N_ORG, org_id, o->fixed);
    char range[64];
    util_snprintf(range, sizeof range, "=" SV_SHEET_LISTS "!$A$1:$A$%zu", o->norgs ? o->norgs : 1);
    if (!e) e = choose(ws, SV_NEW_ROWS, SV_N_PARTNER, range, "相手の団体");
    if (!e) e = choose(ws, SV_NEW_ROWS, SV_N_KIND, "=" SV_SHEET_LISTS "!$D$1:$D$4", "種類");
    if (!e) e = choose(ws, SV_NEW_ROWS, SV_N_DIR, "=" SV_SHEET_LISTS "!$E$1:$E$3", "向き");
    return e ? lxw_fail(o, e) : TSG_OK;
}

/* One organisation's workbook, at path in the folder being made; messages
 * name it as shown, where it would have been in DIR. */
static tsg_status_t write_one(out_t *o, sqlite3_stmt *org, const char *path, const char *shown)
{
    o->path = (char *)shown;
    errno = 0;
    if (!(o->wb = workbook_new(path))) return util_fail(o->err, TSG_EIO, _("%s: cannot write: %s"), shown, strerror(errno));
    o->head = workbook_add_format(o->wb);
    o->fixed = workbook_add_format(o->wb);
    if (o->head) {
        format_set_bold(o->head);
        format_set_bottom(o->head, LXW_BORDER_THIN);
    }
    if (o->fixed) format_set_bg_color(o->fixed, 0xE0E0E0);
    long long nid = sqlite3_column_int64(org, 0);
    const char *id = (const char *)sqlite3_column_text(org, 1);
    tsg_status_t s = help_sheet(o);
    if (!s) s = org_sheet(o, org);
    if (!s) s = programs_sheet(o, nid, id);
    if (!s) s = ties_sheet(o, nid, id);
    if (!s) s = new_sheet(o, id);
    if (!s) s = lists_sheet(o);
    errno = 0;
    lxw_error e = workbook_close(o->wb);
    o->wb = NULL;
    if (!s && e) s = lxw_fail(o, e);
    o->path = NULL;
    return s;
}

/* Removes the folder made for the forms (the files in it, then it) and the
 * private folder around it; frees both strings. */
static void remove_made(char *forms, char *private)
{
    if (forms) util_private_dir_remove(forms);
    if (private) rmdir(private);
    free(private);
}

/* DIR may be missing or an empty folder (not a link): anything else holds
 * something survey-out would replace or hide. */
static tsg_status_t check_dir(const char *dir, tsg_error_t *err)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT) return TSG_OK;
        return util_fail(err, TSG_EIO, _("%s: cannot make the folder: %s"), dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return util_fail(err, TSG_EINPUT, _("%s is not a folder: survey-out writes the forms into a new (or empty) folder"),
                         dir);
    DIR *d = opendir(dir);
    if (!d) return util_fail(err, TSG_EIO, _("%s: cannot read the folder: %s"), dir, strerror(errno));
    int empty = 1;
    for (struct dirent *e; empty && (e = readdir(d));) empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    if (!empty)
        return util_fail(err, TSG_EINPUT,
                         _("%s already holds files: survey-out writes the forms into a new (or empty) folder, so that no "
                           "file there (a returned form) is replaced"),
                         dir);
    return TSG_OK;
}

tsg_status_t sv_write_all(tsg_db_t *db, const char *dir, const char *as_of, long below, long *written,
                          tsg_error_t *err)
{
    *written = 0;
    /* The day first: a malformed one leaves no folder behind. */
    char iso[11];
    long today = util_today(), day = today;
    if (as_of) {
        tsg_status_t d = util_date_check(as_of, iso, err);
        if (d) return d;
        day = util_date_first(iso);
    }
    tsg_status_t opened = store_xlsxwriter_open(err);
    if (opened) return opened;
    /* DIR without its trailing '/', and the folder it is in. */
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    char *target = util_strndup(dir, n);
    if (!target) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    const char *slash = strrchr(target, '/');
    char *parent = slash ? util_strndup(target, slash == target ? 1 : (size_t)(slash - target)) : util_strdup(".");
    char *private = parent ? util_printf("%s/.tsunagi-XXXXXX", parent) : NULL, *forms = NULL;
    tsg_status_t s = private ? check_dir(target, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (s) { /* the template was never made: nothing to remove */
        free(private);
        private = NULL;
    }
    /* The private folder (0700: no other user can plant a file in it) holds
     * the folder of forms, made with mkdir so that it gets the mode the
     * user's umask gives a new folder. */
    if (!s && !mkdtemp(private)) {
        s = util_fail(err, TSG_EIO, _("%s: cannot make the folder: %s"), target, strerror(errno));
        free(private);
        private = NULL;
    }
    if (!s && !(forms = util_printf("%s/forms", private))) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s && mkdir(forms, 0777) != 0) {
        s = util_fail(err, TSG_EIO, _("%s: cannot make the folder: %s"), target, strerror(errno));
        free(forms);
        forms = NULL;
    }
    out_t o = {.db = db, .err = err, .below = below > 0 ? below : 0, .day = day, .past = day < today};
    int vocab = 0, reading = 0;
    tsg_session_t *sess = NULL;
    if (!s) s = store_check(db, err);
    if (!s && !(s = store_vocab_load(db->sql, &o.vocab, err))) vocab = 1;
    /* The dated names are a session's, of its day (tsg_as_of()). */
    if (!s) s = tsg_session_open(db, &sess, err);
    if (!s && !(s = store_read_begin(db, err))) reading = 1;
    if (!s) {
        sess->as_of = day;
        if (qry_dated_tables(sess)) s = util_fail(err, sess->ctx.code, "%s", sess->ctx.msg);
    }
    sqlite3_stmt *st = NULL;
    if (!s)
        s = store_prepare(db->sql,
                          "SELECT o.nid, n.id, o.name, o.sector, d.name FROM organisation_at o JOIN node n ON n.nid = o.nid"
                          " LEFT JOIN " QRY_DISTRICT_AT " d ON d.nid = o.district WHERE " ORG_ASKED " ORDER BY o.nid",
                          &st, err);
    if (!s) bind_past(&o, st);
    int rc = SQLITE_DONE;
    long made = 0;
    while (!s && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *name = sv_file_name((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2));
        char *path = name ? util_printf("%s/%s", forms, name) : NULL;
        char *shown = name ? util_printf("%s/%s", target, name) : NULL;
        if (!path || !shown) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        else if (!(s = write_one(&o, st, path, shown))) made++;
        free(name);
        free(path);
        free(shown);
    }
    if (!s && rc != SQLITE_DONE) s = store_fail_sql(db->sql, _("database"), err);
    sqlite3_finalize(st);
    if (reading) store_read_end(db);
    tsg_session_close(sess);
    if (vocab) store_vocab_free(&o.vocab);
    /* Every workbook is whole: the folder becomes DIR in one rename (over
     * an empty folder, which rename replaces; a file that appeared in it
     * meanwhile makes the rename fail, and nothing is replaced). */
    if (!s && rename(forms, target) != 0)
        s = util_fail(err, TSG_EIO, _("%s: cannot put the forms in place: %s"), target, strerror(errno));
    if (!s) {
        free(forms);
        forms = NULL;
        *written = made;
    }
    remove_made(forms, private);
    free(parent);
    free(target);
    return s;
}

tsg_status_t tsg_survey_out(tsg_db_t *db, const char *dir, long *written, tsg_error_t *err)
{
    return sv_write_all(db, dir, NULL, 0, written, err);
}

tsg_status_t tsg_survey_out_suppressed(tsg_db_t *db, const char *dir, long suppress_below, long *written,
                                       tsg_error_t *err)
{
    return sv_write_all(db, dir, NULL, suppress_below, written, err);
}

tsg_status_t tsg_survey_out_as_of(tsg_db_t *db, const char *dir, const char *as_of, long suppress_below, long *written,
                                  tsg_error_t *err)
{
    return sv_write_all(db, dir, as_of, suppress_below, written, err);
}
