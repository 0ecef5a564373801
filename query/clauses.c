/*
 * clauses — what the grammar leaves to a table: the shape of each statement
 * that takes clauses (for syntax errors and missing clauses), the words a
 * clause's value may be (BY ward, VIA any, CLUSTER BY sector, …) compared
 * as the AST folded them, and the value kinds every statement shares
 * (a date). The grammar (tsunagi.y) says which clauses a statement takes;
 * nothing here, or in an evaluator, folds a word the tokenizer already read.
 */
#include "gen/tsunagi.h"
#include "clauses.h"
#include "query.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Each statement: its keyword; the clauses it takes, in the words of
 * docs/language.md, for syntax errors (NULL: its errors name no clauses);
 * its syntax line (docs/language.md, "The shape of each statement") and an
 * example that runs on the sample city, for the REPL's .help STATEMENT;
 * and what its table holds, which names an untitled table's Excel sheet
 * (NULL: FIND's table is named by the kind it finds). */
static const struct {
    int kw;
    const char *shape, *syntax, *example, *holds;
} shapes[] = {
    {TK_FIND, NULL, N_("FIND kind|set [WHERE condition] [IN 'district'] [AS OF date];"),
     "FIND programs WHERE target = hikikomori IN '西区';", NULL},
    {TK_COUNT, NULL, N_("COUNT kind|set [WHERE condition] [IN 'district'] BY field [AS OF date];"),
     "COUNT programs WHERE target = hikikomori BY need;", N_("counts")},
    {TK_SHOW, NULL, N_("SHOW node [AS OF date];"), "SHOW '北区社会福祉協議会';", N_("details")},
    {TK_LET, NULL, N_("LET name = FIND …;  LET name = REACH …;"),
     "LET kita_npo = FIND organisations WHERE sector = npo IN '北区';", NULL},
    {TK_GAPS,
     N_("GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, WITHIN k HOPS "
     "and AS OF date"),
     N_("GAPS FOR target AGED a..b IN district [NEEDS need, …] [BY school_district|ward] [WITHIN k HOPS] [AS OF date];"),
     "GAPS FOR hikikomori AGED 18..39 IN '西区';", N_("gaps")},
    {TK_COVERAGE,
     N_("COVERAGE takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward and AS OF "
     "date"),
     N_("COVERAGE FOR target AGED a..b IN district [NEEDS need, …] [BY school_district|ward] [AS OF date];"),
     "COVERAGE FOR hikikomori AGED 18..39 IN '西区';", N_("coverage")},
    {TK_PATH, N_("PATH takes FROM node, TO node, VIA referral|any, MAX k (or WITHIN k HOPS) and AS OF date"),
     N_("PATH FROM node TO node [VIA referral|any] [MAX k] [AS OF date];"),
     "PATH FROM '北区社会福祉協議会' TO '北区こころのクリニック';", N_("paths")},
    {TK_REACH, N_("REACH takes FROM node or TO node, WITHIN k HOPS, VIA referral|any, WHERE … and AS OF date"),
     N_("REACH FROM node | TO node [WITHIN k HOPS] [VIA referral|any] [WHERE condition] [AS OF date];"),
     "REACH FROM '北区社会福祉協議会' WITHIN 2 HOPS;", N_("reach")},
    {TK_HORIZONTAL, N_("HORIZONTAL takes IN 'district', SECTORS sector, … and AS OF date"),
     N_("HORIZONTAL [IN district] [SECTORS sector, …] [AS OF date];"), "HORIZONTAL IN '北区';", N_("horizontal links")},
    {TK_BROKERS, N_("BROKERS takes IN 'district', SECTORS sector, …, TOP n and AS OF date"),
     N_("BROKERS [IN district] [SECTORS sector, …] [TOP n] [AS OF date];"), "BROKERS IN '北区' TOP 5;", N_("brokers")},
    {TK_CENTRALITY,
     N_("CENTRALITY takes a measure, then IN 'district', SECTORS sector, …, OF organisations|programs, TOP n, "
        "WEIGHTED, DIRECTED, WITHIN k HOPS, SAMPLE n and AS OF date"),
     N_("CENTRALITY measure [IN district] [SECTORS sector, …] [OF organisations|programs] [TOP n] [WEIGHTED] "
        "[DIRECTED] [WITHIN k HOPS] [SAMPLE n] [AS OF date];"),
     "CENTRALITY betweenness IN '北区' TOP 5;", N_("centrality")},
    {TK_THIN, N_("THIN LINKS takes IN 'district', BY sector|ward|community, BETWEEN sector AND sector, TOP n and AS OF date"),
     N_("THIN LINKS [IN district] [BY sector|ward|community] [BETWEEN sector AND sector] [TOP n] [AS OF date];"),
     "THIN LINKS IN '北区' BY sector TOP 5;", N_("thin links")},
    {TK_FORUMS, N_("FORUMS OVERLAP takes IN 'district', TO 'file.svg|png|pdf|dot' and AS OF date"),
     N_("FORUMS OVERLAP [IN district] [TO 'file.svg|png|pdf|dot'] [AS OF date];"),
     "FORUMS OVERLAP IN '北区';", N_("forum overlap")},
    {TK_COMPARE, N_("COMPARE takes IN 'district', FOR target, AGED a..b and NEEDS need, …"),
     N_("COMPARE 'date' TO 'date' [IN district] [FOR target AGED a..b [NEEDS need, …]];\n"
        "COMPARE WITH 'other.db' [IN district] [FOR target AGED a..b [NEEDS need, …]];"),
     "COMPARE '2025-04-01' TO '2026-04-01' IN '北区';", N_("changes")},
    {TK_EXPORT,
     /* EXPORT DIRECTORY (the resource list, directory.c) takes OF, TO and AS OF only. */
     N_("EXPORT takes a format (DOT, GRAPHML, JSON, DIRECTORY), then OF 'district' or set, TO 'file', CLUSTER BY "
        "sector|ward|community|forum, HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN), "
        "LABELS ja|en, AS city|detail|matrix, WITHOUT forums, WITH programs and AS OF date"),
     N_("EXPORT DOT|GRAPHML|JSON [OF district|set] TO 'file' [CLUSTER BY …] [HIGHLIGHT …] [LABELS ja|en] "
        "[AS city|detail|matrix] [WITHOUT forums] [WITH programs] [AS OF date];\n"
        "EXPORT DIRECTORY [OF district|set] TO 'file.html|xlsx' [AS OF date];"),
     "EXPORT DOT OF '北区' TO 'kita.dot' CLUSTER BY sector;", NULL},
    {TK_RENDER,
     N_("RENDER takes OF 'district' or set, TO 'file.svg|png|pdf', CLUSTER BY sector|ward|community|forum, "
        "HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN), LABELS ja|en, "
        "AS city|detail|matrix, WITHOUT forums, WITH programs and AS OF date"),
     N_("RENDER [NEIGHBOURHOOD] [OF district|set|node] TO 'file.svg|png|pdf' [CLUSTER BY …] [HIGHLIGHT …] [LABELS "
        "ja|en] [AS city|detail|matrix] [WITHOUT forums] [WITH programs] [WITHIN k HOPS] [AS OF date];\n"
        "RENDER CHANGES 'date' TO 'date' | WITH 'other.db' [IN district] TO 'file.svg|png|pdf';"),
     "RENDER OF '北区' TO 'kita.svg' HIGHLIGHT GAPS FOR hikikomori AGED 18..39;", NULL},
    {TK_REPORT,
     N_("REPORT GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, "
     "WITHIN k HOPS, AS OF date and TO 'report.html'"),
     N_("REPORT GAPS FOR target AGED a..b IN district [NEEDS …] [BY …] [WITHIN k HOPS] [AS OF date] TO 'file.html';\n"
        "REPORT CHANGES 'date' TO 'date' | WITH 'other.db' [IN district] [FOR target AGED a..b [NEEDS …]] "
        "TO 'file.html';"),
     "REPORT GAPS FOR hikikomori AGED 18..39 IN '西区' TO 'nishi.html';", NULL},
    {TK_CRITICAL,
     N_("CRITICAL takes IN 'district', FOR target, AGED a..b, NEEDS need, …, BY school_district|ward, WITHIN k HOPS, "
        "AS OF date and TOP n"),
     N_("CRITICAL [IN district] [FOR target AGED a..b [NEEDS need, …] [WITHIN k HOPS]] [TOP n];"),
     "CRITICAL IN '東区' FOR hikikomori AGED 18..39 TOP 5;", N_("critical organisations")},
    {TK_SUGGEST,
     N_("SUGGEST TIES takes IN 'district', FOR target, AGED a..b, NEEDS need, …, BY school_district|ward, WITHIN k "
        "HOPS, AS OF date and TOP n"),
     N_("SUGGEST TIES FOR target AGED a..b IN district [NEEDS need, …] [WITHIN k HOPS] [TOP n];\n"
        "SUGGEST TIES [IN district] [TOP n];"),
     "SUGGEST TIES FOR hikikomori AGED 18..39 IN '東区' NEEDS peer TOP 3;", N_("suggested ties")},
    {TK_WHAT, NULL,
     N_("WHAT IF [WITHOUT node, …] [WITH TIE node -> node AS kind, …] GAPS|COVERAGE|REACH|PATH|HORIZONTAL|"
        "CENTRALITY|BROKERS|THIN LINKS|RENDER …;"),
     "WHAT IF WITHOUT 'NPO法人あさがおの会' GAPS FOR hikikomori AGED 18..39 IN '東区' NEEDS peer;", N_("what if")},
    {TK_ADD, NULL, N_("ADD kind 'name' field-clauses…;"), "ADD organisation 'NPOあさひ' SECTOR npo IN '北区';", NULL},
    {TK_SET, NULL, N_("SET node field-clause…;"), "SET 'NPOあさひ' SECTOR coop;", NULL},
    {TK_REMOVE, NULL, N_("REMOVE node [ON date];"), "REMOVE 'NPOあさひ' ON '2026-04-01';", NULL},
    {TK_ERASE, NULL, N_("ERASE node;  ERASE node -> node [AS kind];"), "ERASE 'NPOあさひ';", NULL},
    {TK_TIE, NULL, N_("TIE node -> node AS kind [COUNT n] [SINCE date];"),
     "TIE '北区社会福祉協議会' -> '北区こころのクリニック' AS referral COUNT 12;", NULL},
    {TK_UNTIE, NULL, N_("UNTIE node -> node [AS kind] [ON date];"),
     "UNTIE '北区社会福祉協議会' -> '北区こころのクリニック' AS referral;", NULL},
};

const char *qry_shape(int kw)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].kw == kw) return shapes[i].shape ? _(shapes[i].shape) : NULL;
    return NULL;
}

const char *qry_statement_holds(const char *statement, char *word, size_t size)
{
    size_t n = strcspn(statement, " ");
    int kw = gram_keyword(statement, n);
    for (size_t i = 0; kw && i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].kw == kw && shapes[i].holds) return _(shapes[i].holds);
    if (kw == TK_FIND && statement[n]) {
        /* FIND programs …: the kind, as written. */
        const char *what = statement + n + 1;
        snprintf(word, size, "%.*s", (int)strcspn(what, " "), what);
        return word;
    }
    return NULL;
}

const char *tsg_statement_help(const char *word, const char **example)
{
    int kw = gram_keyword(word, strlen(word));
    for (size_t i = 0; kw && i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].kw == kw) {
            if (example) *example = shapes[i].example;
            return shapes[i].syntax;
        }
    return NULL;
}

tsg_status_t qry_need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage)
{
    /* usage is the clause's shape ("IN 'district'"), looked up in the
     * catalogue here: it read "GAPS には IN 'district' が必要です" in
     * Japanese. (The callers in eval_gaps.c and eval_paths.c should mark
     * their literals with N_() so xgettext sees them; their entries are in
     * po/ja.po already.) */
    return c ? TSG_OK : qry_fail(s, &st->kw, _("%.*s needs %s"), (int)st->kw.n, st->kw.z, _(usage));
}

int qry_choice(qry_session_t *s, const ast_value_t *v, const char *const *words, const char **text, int *near)
{
    *near = -1;
    *text = NULL;
    const char *w = v->kind == AST_V_WORD ? v->text : qry_text(s, v, NC_("expected value", "a word"));
    if (!w) return -2;
    *text = w;
    /* A bare word was folded once as it was read; a quoted one or a
     * parameter's value is text and is folded here, the one place. */
    char *owned = v->kind == AST_V_WORD ? NULL : util_fold(w);
    const char *f = v->kind == AST_V_WORD ? v->fold : owned;
    if (!f) {
        gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        return -2;
    }
    int hit = -1;
    for (int i = 0; words[i] && hit < 0; i++) {
        if (!strcmp(f, words[i])) hit = i;
        else if (util_edit_distance(f, words[i]) <= 2) *near = i;
    }
    free(owned);
    return hit;
}

tsg_status_t qry_date_check(const char *text, char iso[11], tsg_error_t *err)
{
    return util_date_check(text, iso, err);
}

tsg_status_t qry_date(qry_session_t *s, const ast_value_t *v, char iso[11])
{
    /* A date is quoted, as every text is: a bare 2025 read as a year while
     * a bare 2025-04-01 reads as the range 2025..04..01 taught a form that
     * fails one step further (2025時点 is the same number). */
    if (v->kind == AST_V_NUMBER)
        return gram_fail(&s->ctx, TSG_EINPUT, &v->tok, _("a date is written in quotes, as 'YYYY-MM-DD', not as the number %.*s"),
                         (int)v->tok.n, v->tok.z);
    const char *text = qry_text(s, v, NC_("expected value", "a date"));
    if (!text) return s->ctx.code;
    tsg_error_t err = {0};
    if (qry_date_check(text, iso, &err)) return gram_fail(&s->ctx, err.code, &v->tok, "%s", err.text);
    return TSG_OK;
}

/* ---- the field clauses of ADD, SET and TIE -------------------------------------------- */

/* The words, in the order an error lists them. UNDER is IN for districts. */
static const struct {
    const char *word;
    int field;
    unsigned where;
} field_words[] = {
    {"NAME", QRY_F_NAME, QRY_W_D | QRY_W_O | QRY_W_P | QRY_W_F}, {"SECTOR", QRY_F_SECTOR, QRY_W_O},
    {"KIND", QRY_F_KIND, QRY_W_F}, {"LEVEL", QRY_F_LEVEL, QRY_W_D}, {"OF", QRY_F_OF, QRY_W_P},
    {"FOR", QRY_F_FOR, QRY_W_P}, {"AGED", QRY_F_AGED, QRY_W_P}, {"NEEDS", QRY_F_NEEDS, QRY_W_P},
    {"MODES", QRY_F_MODES, QRY_W_P}, {"APPROACH", QRY_F_APPROACH, QRY_W_P}, {"AREA", QRY_F_AREA, QRY_W_P},
    {"IN_SYSTEM", QRY_F_IN_SYSTEM, QRY_W_P}, {"HOURS", QRY_F_HOURS, QRY_W_P}, {"STARTS", QRY_F_STARTS, QRY_W_P},
    {"ENDS", QRY_F_ENDS, QRY_W_P}, {"IN", QRY_F_IN, QRY_W_D | QRY_W_O | QRY_W_F}, {"UNDER", QRY_F_IN, QRY_W_D},
    {"ID", QRY_F_ID, QRY_W_D | QRY_W_O | QRY_W_P | QRY_W_F}, {"COUNT", QRY_F_COUNT, QRY_W_TIE},
    {"SINCE", QRY_F_SINCE, QRY_W_TIE},
    /* The date a change takes effect (issue 21): SET's old values held until
     * it, ADD's organisation or forum exists from it, REMOVE and UNTIE end
     * their row on it. */
    {"ON", QRY_F_ON, QRY_W_D | QRY_W_O | QRY_W_P | QRY_W_F | QRY_W_END},
};

const qry_field_info_t qry_field_info[QRY_F_N] = {
    [QRY_F_NAME] = {QRY_VK_NAME, NULL, 0, NC_("field", "name"), NULL, 0, 0},
    [QRY_F_SECTOR] = {QRY_VK_KEY, "sector", 0, NC_("field", "sector"), "SECTOR sector", 0, 0},
    [QRY_F_KIND] = {QRY_VK_KEY, "forum_kind", 0, NC_("field", "kind"), "KIND forum_kind", 0, 0},
    [QRY_F_LEVEL] = {QRY_VK_KEY, "level", 0, NC_("field", "level"), "LEVEL level", 0, 0},
    [QRY_F_OF] = {QRY_VK_NODE, NULL, QRY_W_O, NC_("field", "organisation"), "OF 'organisation'", 0, 0},
    [QRY_F_FOR] = {QRY_VK_KEYS, "target", 0, NC_("field", "targets"), "FOR target, …", 1, 0},
    [QRY_F_AGED] = {QRY_VK_AGES, NULL, 0, NC_("field", "ages"), NULL, 0, 1},
    [QRY_F_NEEDS] = {QRY_VK_KEYS, "need", 0, NC_("field", "needs"), "NEEDS need, …", 1, 0},
    [QRY_F_MODES] = {QRY_VK_KEYS, "mode", 0, NC_("field", "modes"), NULL, 1, 1},
    [QRY_F_APPROACH] = {QRY_VK_KEY, "approach", 0, NC_("field", "approach"), NULL, 0, 1},
    [QRY_F_AREA] = {QRY_VK_AREA, NULL, 0, NC_("field", "area"), "AREA 'district', … (or AREA * for wide-area)", 1, 0},
    [QRY_F_IN_SYSTEM] = {QRY_VK_KEY, "in_system", 0, NC_("field", "in_system"), NULL, 0, 1},
    [QRY_F_HOURS] = {QRY_VK_TEXT, NULL, 0, NC_("field", "hours"), NULL, 0, 1},
    [QRY_F_STARTS] = {QRY_VK_DATE, NULL, 0, NC_("field", "start"), NULL, 0, 1},
    [QRY_F_ENDS] = {QRY_VK_DATE, NULL, 0, NC_("field", "end"), NULL, 0, 1},
    [QRY_F_IN] = {QRY_VK_NODE, NULL, QRY_W_D, NC_("field", "district"), NULL, 0, 1},
    [QRY_F_ID] = {QRY_VK_ID, NULL, 0, NC_("field", "id"), NULL, 0, 0},
    [QRY_F_COUNT] = {QRY_VK_COUNT, NULL, 0, NC_("field", "count"), NULL, 0, 0},
    [QRY_F_SINCE] = {QRY_VK_DATE, NULL, 0, NC_("field", "since"), NULL, 0, 0},
    [QRY_F_ON] = {QRY_VK_DATE, NULL, 0, NC_("field", "date"), NULL, 0, 0},
};

#define NWORDS (sizeof field_words / sizeof field_words[0])

/* Whether field_words[i] belongs to the statement. */
static int belongs(size_t i, unsigned where, int adding)
{
    return (field_words[i].where & where) && !(adding && field_words[i].field == QRY_F_NAME);
}

tsg_status_t qry_fields_read(qry_session_t *s, const ast_clause_t *list, unsigned where, int adding, const char *label,
                             const ast_clause_t **found, int *order, size_t *norder)
{
    for (int f = 0; f < QRY_F_N; f++) found[f] = NULL;
    *norder = 0;
    for (const ast_clause_t *cl = list; cl; cl = cl->next) {
        /* The word was folded once, by the tokenizer; the table writes the
         * words in capitals, as the messages show them. */
        int f = -1, known = 0, under = !strcasecmp(cl->fold, "under");
        for (size_t i = 0; i < NWORDS && f < 0; i++) {
            if (strcasecmp(cl->fold, field_words[i].word)) continue;
            known = 1;
            if (belongs(i, where, adding)) f = field_words[i].field;
        }
        if (f < 0) {
            util_buf_t words = {0};
            for (size_t i = 0; i < NWORDS; i++)
                if (belongs(i, where, adding)) util_buf_printf(&words, "%s%s", words.len ? ", " : "", field_words[i].word);
            tsg_status_t st = known ? qry_fail(s, &cl->key, _("%.*s is not a clause of %s (one of: %s)"), (int)cl->key.n,
                                               cl->key.z, label, words.data ? words.data : "")
                                    : qry_fail(s, &cl->key, _("unknown clause '%.*s' in %s (one of: %s)"), (int)cl->key.n,
                                               cl->key.z, label, words.data ? words.data : "");
            util_buf_free(&words);
            return st;
        }
        if (found[f]) {
            /* Only IN and UNDER are two words for one clause. */
            const gram_token_t *was = &found[f]->key;
            if (under == !strcasecmp(found[f]->fold, "under"))
                return qry_fail(s, &cl->key, _("%.*s is given twice"), (int)cl->key.n, cl->key.z);
            return qry_fail(s, &cl->key, _("%.*s repeats %.*s (they mean the same)"), (int)cl->key.n, cl->key.z,
                            (int)was->n, was->z);
        }
        found[f] = cl;
        order[(*norder)++] = f;
    }
    return TSG_OK;
}
