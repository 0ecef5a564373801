/*
 * clauses — what the grammar leaves to a table: the shape of each statement
 * that takes clauses (for syntax errors and missing clauses), the words a
 * clause's value may be (BY ward, VIA any, CLUSTER BY sector, …) compared
 * as the AST folded them, and the value kinds every statement shares
 * (a date). The grammar (tsunagi.y) says which clauses a statement takes;
 * nothing here, or in an evaluator, folds a word the tokenizer already read.
 */
#include "gen/tsunagi.h"
#include "query.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* The clauses each statement takes, in the words of docs/language.md. */
static const struct {
    int kw;
    const char *shape;
} shapes[] = {
    {TK_GAPS, "GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, WITHIN k HOPS "
              "and AS OF date"},
    {TK_COVERAGE, "COVERAGE takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward and AS OF "
                  "date"},
    {TK_PATH, "PATH takes FROM node, TO node, VIA referral|any and MAX k (or WITHIN k HOPS)"},
    {TK_REACH, "REACH takes FROM node or TO node, WITHIN k HOPS, VIA referral|any and WHERE …"},
    {TK_HORIZONTAL, "HORIZONTAL takes IN 'district' and SECTORS sector, …"},
    {TK_BROKERS, "BROKERS takes IN 'district', SECTORS sector, … and TOP n"},
    {TK_CENTRALITY, "CENTRALITY takes a measure, then IN 'district', SECTORS sector, …, OF organisations|programs, "
                    "TOP n, WEIGHTED, DIRECTED, WITHIN k HOPS and SAMPLE n"},
    {TK_THIN, "THIN LINKS takes IN 'district', BY sector|ward|community, BETWEEN sector AND sector and TOP n"},
    {TK_EXPORT, "EXPORT takes a format (DOT, GRAPHML, JSON), then OF 'district' or set, TO 'file', CLUSTER BY "
                "sector|ward|community|forum, HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN) "
                "and LABELS ja|en"},
    {TK_RENDER, "RENDER takes OF 'district' or set, TO 'file.svg|png|pdf', CLUSTER BY sector|ward|community|forum, "
                "HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN) and LABELS ja|en"},
    {TK_REPORT, "REPORT GAPS takes FOR target, AGED a..b, IN 'district', NEEDS need, …, BY school_district|ward, "
                "WITHIN k HOPS, AS OF date and TO 'report.html'"},
};

const char *qry_shape(int kw)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (shapes[i].kw == kw) return shapes[i].shape;
    return NULL;
}

tsg_status_t qry_need_clause(qry_session_t *s, const ast_stmt_t *st, const ast_clause_t *c, const char *usage)
{
    return c ? TSG_OK : qry_fail(s, &st->kw, "%.*s needs %s", (int)st->kw.n, st->kw.z, usage);
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
        gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
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
    if (!fold) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    int ok = !strchr(fold, '/') && util_date_parse(fold, iso) > 0;
    free(fold);
    if (!ok) return qry_fail(s, &v->tok, "'%s' is not a date that exists (YYYY, YYYY-MM or YYYY-MM-DD)", text);
    return TSG_OK;
}
