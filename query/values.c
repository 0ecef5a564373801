/*
 * values — a statement's values as the evaluators read them: text (quoted,
 * a word or a $parameter), age ranges, numbers and vocabulary keys, each
 * refused at the value with a caret when it does not fit. See query.h.
 */
#include "query.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- values ------------------------------------------------------------------ */

/* A value as written, in quotes unless it was written in quotes. */
static const char *quoted(qry_session_t *s, const ast_value_t *v)
{
    int q = v->kind == AST_V_STRING;
    char *t = ast_alloc(&s->ctx, v->tok.n + 3);
    if (!t) return "?";
    snprintf(t, v->tok.n + 3, q ? "%.*s" : "'%.*s'", (int)v->tok.n, v->tok.z);
    return t;
}

static const char *param(qry_session_t *s, const char *name)
{
    for (size_t i = 0; i < s->nparams; i++)
        if (!strcmp(s->params[i].name, name)) return s->params[i].value;
    return NULL;
}

const char *qry_text(qry_session_t *s, const ast_value_t *v, const char *what)
{
    switch (v->kind) {
    case AST_V_STRING:
    case AST_V_WORD:
        return v->text;
    case AST_V_PARAM: {
        const char *p = param(s, v->text);
        if (!p) qry_fail(s, &v->tok, _("unknown parameter $%s (set it with -p %s=… or .param set %s …)"), v->text, v->text, v->text);
        return p;
    }
    default:
        qry_fail(s, &v->tok, _("expected %s here, not %s"), util_pgettext_ctx("expected value", what), quoted(s, v));
        return NULL;
    }
}

/* Reads a parameter's text as a statement reads an age or a range: the
 * tokenizer's tokens (so 18～39, １８..３９ and 18歳以上 work as they do in
 * a statement) in the shapes of tsunagi.y's value rules. *single is 1 for
 * a lone number. Returns 0, -1 when it is not such a value, -2 when a number
 * in it is above UTIL_MAX_NUMBER (read without overflow, as a literal is). */
static int parse_range(const char *text, int *has_lo, long *lo, int *has_hi, long *hi, int *single)
{
    gram_ctx_t g = {0};
    g.src = text;
    g.len = strlen(text);
    gram_token_t t[3];
    size_t pos = 0, n = 0;
    int line = 1, col = 1, r;
    for (;;) {
        gram_token_t x = gram_next_token(&g, &pos, &line, &col);
        if (!x.type) break;
        if (x.type < 0 || n == 3) return -1;
        t[n++] = x;
    }
    *has_lo = *has_hi = *single = 0;
    /* The lower end, then the upper: which token holds each, by shape. */
    const gram_token_t *a = NULL, *b = NULL;
    int under;
    if (n == 1 && t[0].type == TK_NUMBER) a = b = &t[0], *single = 1;
    else if (n == 1 && (t[0].type == TK_ATLEAST || t[0].type == TK_UPFROM)) a = &t[0];
    else if (n == 1 && (t[0].type == TK_ATMOST || t[0].type == TK_UNDER)) b = &t[0];
    else if (n == 2 && t[0].type == TK_NUMBER && t[1].type == TK_DOTDOT) a = &t[0];
    else if (n == 2 && t[0].type == TK_DOTDOT && t[1].type == TK_NUMBER) b = &t[1];
    else if (n == 2 && (t[0].type == TK_UPFROM || t[0].type == TK_ATLEAST) &&
             (t[1].type == TK_ATMOST || t[1].type == TK_UNDER || (t[1].type == TK_NUMBER && t[0].type == TK_UPFROM)))
        a = &t[0], b = &t[1];
    else if (n == 3 && t[0].type == TK_NUMBER && t[1].type == TK_DOTDOT && t[2].type == TK_NUMBER) a = &t[0], b = &t[2];
    else return -1;
    if (a && (r = ast_token_number(a, lo))) return r;
    if (b && (r = ast_token_number(b, hi))) return r;
    under = b && b->type == TK_UNDER;
    if (under && *hi == 0) return -1;
    *has_lo = a != NULL;
    *has_hi = b != NULL;
    if (under) (*hi)--;
    return 0;
}

tsg_status_t qry_range(qry_session_t *s, const ast_value_t *v, int *has_lo, long *lo, int *has_hi, long *hi)
{
    if (v->kind == AST_V_NUMBER || v->kind == AST_V_RANGE) {
        *has_lo = v->has_lo;
        *has_hi = v->has_hi;
        *lo = v->lo;
        *hi = v->hi;
        if ((*has_lo && *lo > UTIL_MAX_AGE) || (*has_hi && *hi > UTIL_MAX_AGE))
            return qry_fail(s, &v->tok, _("ages run from 0 to %d"), UTIL_MAX_AGE);
        return TSG_OK;
    }
    if (v->kind == AST_V_PARAM) {
        const char *t = qry_text(s, v, NC_("expected value", "ages"));
        if (!t) return s->ctx.code;
        int single;
        int r = parse_range(t, has_lo, lo, has_hi, hi, &single);
        if (r == -2 || (r == 0 && ((*has_lo && *lo > UTIL_MAX_AGE) || (*has_hi && *hi > UTIL_MAX_AGE))))
            return qry_fail(s, &v->tok, _("$%s is '%s'; ages run from 0 to %d"), v->text, t, UTIL_MAX_AGE);
        if (r == 0 && (!*has_lo || !*has_hi || *lo <= *hi)) return TSG_OK;
        return qry_fail(s, &v->tok, _("$%s is '%s', not an age or a range like 18..39"), v->text, t);
    }
    return qry_fail(s, &v->tok, _("expected an age or a range like 18..39, not %s"), quoted(s, v));
}

tsg_status_t qry_number(qry_session_t *s, const ast_value_t *v, long *out)
{
    if (v->kind == AST_V_NUMBER) {
        *out = v->lo;
        return TSG_OK;
    }
    int hl, hh;
    long lo, hi;
    if (v->kind == AST_V_PARAM) {
        const char *t = qry_text(s, v, NC_("expected value", "a number"));
        if (!t) return s->ctx.code;
        int single;
        int r = parse_range(t, &hl, &lo, &hh, &hi, &single);
        if (r == 0 && single) {
            *out = lo;
            return TSG_OK;
        }
        if (r == -2) return qry_fail(s, &v->tok, _("$%s is '%s', a number above %ld"), v->text, t, UTIL_MAX_NUMBER);
        return qry_fail(s, &v->tok, _("$%s is '%s', not a whole number"), v->text, t);
    }
    return qry_fail(s, &v->tok, _("expected a whole number, not %s"), quoted(s, v));
}

tsg_status_t qry_key(qry_session_t *s, const ast_value_t *v, const char *kind, const char **key)
{
    const char *text = qry_text(s, v, store_vocab_kind_noun(kind));
    if (!text) return s->ctx.code;
    const char *hint;
    *key = store_vocab_resolve(&s->vocab, kind, text, &hint);
    if (*key) return TSG_OK;
    /* Keys and labels are both accepted: what is suggested is what the
     * tables show (the label in Japanese). */
    if (hint)
        return qry_fail(s, &v->tok, _("unknown %s '%s' (did you mean %s?)"), store_vocab_kind_noun(kind), text,
                        qry_label(s, kind, hint));
    util_buf_t keys = {0};
    size_t n = 0;
    for (size_t i = 0; i < s->vocab.n; i++)
        if (!strcmp(s->vocab.e[i].kind, kind)) n++;
    if (n <= 12)
        for (size_t i = 0; i < s->vocab.n; i++)
            if (!strcmp(s->vocab.e[i].kind, kind))
                util_buf_printf(&keys, "%s%s", keys.len ? _(", ") : "", qry_label(s, kind, s->vocab.e[i].key));
    tsg_status_t st = keys.len ? qry_fail(s, &v->tok, _("unknown %s '%s' (one of: %s)"), store_vocab_kind_noun(kind), text, keys.data)
                               : qry_fail(s, &v->tok, _("unknown %s '%s'"), store_vocab_kind_noun(kind), text);
    util_buf_free(&keys);
    return st;
}
