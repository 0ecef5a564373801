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

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The clauses each statement takes, in the words of docs/language.md. */
static const struct {
    int kw;
    const char *shape;
} shapes[] = {
    {TK_GAPS, N_("GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, WITHIN k HOPS "
                 "and AS OF date")},
    {TK_COVERAGE, N_("COVERAGE takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward and AS OF "
                     "date")},
    {TK_PATH, N_("PATH takes FROM node, TO node, VIA referral|any and MAX k (or WITHIN k HOPS)")},
    {TK_REACH, N_("REACH takes FROM node or TO node, WITHIN k HOPS, VIA referral|any and WHERE …")},
    {TK_HORIZONTAL, N_("HORIZONTAL takes IN 'district' and SECTORS sector, …")},
    {TK_BROKERS, N_("BROKERS takes IN 'district', SECTORS sector, … and TOP n")},
    {TK_CENTRALITY, N_("CENTRALITY takes a measure, then IN 'district', SECTORS sector, …, OF organisations|programs, "
                       "TOP n, WEIGHTED, DIRECTED, WITHIN k HOPS and SAMPLE n")},
    {TK_THIN, N_("THIN LINKS takes IN 'district', BY sector|ward|community, BETWEEN sector AND sector and TOP n")},
    {TK_EXPORT, N_("EXPORT takes a format (DOT, GRAPHML, JSON), then OF 'district' or set, TO 'file', CLUSTER BY "
                   "sector|ward|community|forum, HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN) "
                   "and LABELS ja|en")},
    {TK_RENDER, N_("RENDER takes OF 'district' or set, TO 'file.svg|png|pdf', CLUSTER BY sector|ward|community|forum, "
                   "HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN) and LABELS ja|en")},
    {TK_REPORT, N_("REPORT GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, "
                   "WITHIN k HOPS, AS OF date and TO 'report.html'")},
};

const char *qry_shape(int kw)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].kw == kw) return _(shapes[i].shape);
    return NULL;
}

tsg_status_t qry_need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage)
{
    return c ? TSG_OK : qry_fail(s, &st->kw, _("%.*s needs %s"), (int)st->kw.n, st->kw.z, usage);
}

int qry_choice(qry_session_t *s, const ast_value_t *v, const char *const *words, const char **text, int *near)
{
    *near = -1;
    *text = NULL;
    const char *w = v->kind == AST_V_WORD ? v->text : qry_text(s, v, "a word");
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

tsg_status_t qry_date(qry_session_t *s, const ast_value_t *v, char iso[11])
{
    char year[24];
    const char *text = v->kind == AST_V_NUMBER ? (snprintf(year, sizeof year, "%ld", v->lo), year)
                                               : qry_text(s, v, "a date");
    if (!text) return s->ctx.code;
    /* Full-width digits read as ASCII, as the tokenizer reads them; dashes
     * only: the language writes a date one way (the importer also reads
     * Excel's YYYY/M/D in a CSV cell, which is not the language). */
    char *fold = util_fold(text);
    if (!fold) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    int ok = !strchr(fold, '/') && util_date_parse(fold, iso) > 0;
    free(fold);
    if (!ok) return qry_fail(s, &v->tok, _("'%s' is not a date that exists (YYYY, YYYY-MM or YYYY-MM-DD)"), text);
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
};

const qry_field_info_t qry_field_info[QRY_F_N] = {
    [QRY_F_NAME] = {QRY_VK_NAME, NULL, 0, "name", NULL, 0, 0},
    [QRY_F_SECTOR] = {QRY_VK_KEY, "sector", 0, "sector", "SECTOR sector", 0, 0},
    [QRY_F_KIND] = {QRY_VK_KEY, "forum_kind", 0, "kind", "KIND forum_kind", 0, 0},
    [QRY_F_LEVEL] = {QRY_VK_KEY, "level", 0, "level", "LEVEL level", 0, 0},
    [QRY_F_OF] = {QRY_VK_NODE, NULL, QRY_W_O, "organisation", "OF 'organisation'", 0, 0},
    [QRY_F_FOR] = {QRY_VK_KEYS, "target", 0, "targets", "FOR target, …", 1, 0},
    [QRY_F_AGED] = {QRY_VK_AGES, NULL, 0, "ages", NULL, 0, 1},
    [QRY_F_NEEDS] = {QRY_VK_KEYS, "need", 0, "needs", "NEEDS need, …", 1, 0},
    [QRY_F_MODES] = {QRY_VK_KEYS, "mode", 0, "modes", NULL, 1, 1},
    [QRY_F_APPROACH] = {QRY_VK_KEY, "approach", 0, "approach", NULL, 0, 1},
    [QRY_F_AREA] = {QRY_VK_AREA, NULL, 0, "area", "AREA 'district', … (or AREA * for wide-area)", 1, 0},
    [QRY_F_IN_SYSTEM] = {QRY_VK_KEY, "in_system", 0, "in_system", NULL, 0, 1},
    [QRY_F_HOURS] = {QRY_VK_TEXT, NULL, 0, "hours", NULL, 0, 1},
    [QRY_F_STARTS] = {QRY_VK_DATE, NULL, 0, "start", NULL, 0, 1},
    [QRY_F_ENDS] = {QRY_VK_DATE, NULL, 0, "end", NULL, 0, 1},
    [QRY_F_IN] = {QRY_VK_NODE, NULL, QRY_W_D, "district", NULL, 0, 1},
    [QRY_F_ID] = {QRY_VK_ID, NULL, 0, "id", NULL, 0, 0},
    [QRY_F_COUNT] = {QRY_VK_COUNT, NULL, 0, "count", NULL, 0, 0},
    [QRY_F_SINCE] = {QRY_VK_DATE, NULL, 0, "since", NULL, 0, 0},
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
