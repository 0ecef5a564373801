/*
 * parser — the driver: feeds one statement's tokens to the lemon parser and
 * turns parser failures into sticky errors; see parser.h.
 */
#include "parser.h"
#include "ast.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The generated parser's entry points (gen/tsunagi.c). */
void *gramParserAlloc(void *(*alloc)(size_t), gram_ctx_t *ctx);
void gramParserFree(void *p, void (*release)(void *));
void gramParser(void *p, int type, gram_token_t tok);

tsg_status_t gram_fail(gram_ctx_t *ctx, tsg_status_t code, const gram_token_t *at, const char *fmt, ...)
{
    if (ctx->failed) return ctx->code;
    ctx->failed = 1;
    ctx->code = code;
    /* Without a token the error has no position of its own (the caller may
     * give it the statement's); never keep an earlier statement's token. */
    if (at) ctx->at = *at;
    else memset(&ctx->at, 0, sizeof ctx->at);
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    return code;
}

/* Whether a word that stopped the parse is the Japanese for an age's end
 * written apart from its number (AGED 18 以上), which the tokenizer reads
 * only right after the digits. */
static int loose_age_word(const gram_token_t *tok)
{
    static const char *const words[] = {"歳", "才", "以上", "以下", "未満", "から", "まで"};
    if (tok->type != TK_IDENT) return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (tok->n >= strlen(words[i]) && !memcmp(tok->z, words[i], strlen(words[i]))) return 1;
    return 0;
}

void gram_syntax_error(gram_ctx_t *ctx, const gram_token_t *tok)
{
    if (loose_age_word(tok)) {
        gram_fail(ctx, TSG_EINPUT, tok,
                  _("syntax error at '%.*s'; write an age's 歳, 以上, 以下, 未満, から or まで right after its number "
                    "(18歳以上, 18歳から39歳), or the range as 18..39 or 18～39"),
                  (int)tok->n, tok->z);
        return;
    }
    /* In a statement of clauses, what it takes (query/clauses.c's table):
     * a word it does not take, or a clause cut short, says what fits. */
    const char *shape = ctx->in_where ? NULL : qry_shape(ctx->kw);
    if (!tok->type || tok->n == 0) gram_fail(ctx, TSG_EINPUT, tok, _("the statement ends too early"));
    else if (tok->type == TK_SEMI && shape) gram_fail(ctx, TSG_EINPUT, tok, _("the statement ends too early, at ';'; %s"), shape);
    else if (tok->type == TK_SEMI) gram_fail(ctx, TSG_EINPUT, tok, _("the statement ends too early, at ';'"));
    /* A quoted name is shown as typed, its own quotes kept: quoting it
     * again gave ''ward'' and 「「ward」」. */
    else if (tok->type == TK_STRING && shape)
        gram_fail(ctx, TSG_EINPUT, tok, _("syntax error at the name %.*s; %s"), (int)tok->n, tok->z, shape);
    else if (tok->type == TK_STRING) gram_fail(ctx, TSG_EINPUT, tok, _("syntax error at the name %.*s"), (int)tok->n, tok->z);
    else if (shape) gram_fail(ctx, TSG_EINPUT, tok, _("syntax error at '%.*s'; %s"), (int)tok->n, tok->z, shape);
    else gram_fail(ctx, TSG_EINPUT, tok, _("syntax error at '%.*s'"), (int)tok->n, tok->z);
}

void gram_overflow(gram_ctx_t *ctx)
{
    gram_fail(ctx, TSG_EINPUT, &ctx->last, _("the statement is nested too deeply"));
}

void gram_failure(gram_ctx_t *ctx)
{
    gram_fail(ctx, TSG_EINPUT, &ctx->last, _("the statement could not be parsed"));
}

/* After an error, moves past the rest of the failed statement's tokens. */
static void skip_statement(gram_ctx_t *ctx, size_t *pos, int *line, int *col)
{
    gram_ctx_t scratch = *ctx; /* tokenizer errors here must not replace the first */
    for (;;) {
        scratch.failed = 0;
        gram_token_t t = gram_next_token(&scratch, pos, line, col);
        if (t.type == 0 || t.type == TK_SEMI) return;
    }
}

tsg_status_t gram_parse_next(gram_ctx_t *ctx, size_t *pos, int *line, int *col, ast_stmt_t **stmt, int *done)
{
    *stmt = NULL;
    *done = 0;
    ctx->stmt = NULL;
    ctx->failed = 0;
    ctx->open_quote = 0;
    size_t start = *pos;
    int sl = *line, sc = *col;
    gram_token_t t = gram_next_token(ctx, pos, line, col);
    if (t.type == 0) {
        *done = 1;
        return TSG_OK;
    }
    void *p = gramParserAlloc(malloc, ctx);
    if (!p) return gram_fail(ctx, TSG_ENOMEM, &t, _("out of memory"));
    (void)start;
    (void)sl;
    (void)sc;
    size_t first = (size_t)(t.z - ctx->src);
    ctx->kw = t.type;
    ctx->in_where = 0;
    for (;;) {
        if (t.type < 0) break; /* the tokenizer has set the error */
        if (t.type == 0) {
            /* The input ended without ';': end the statement there. */
            gram_token_t semi = t;
            semi.type = TK_SEMI;
            gramParser(p, TK_SEMI, semi);
            if (!ctx->failed) gramParser(p, 0, t);
            break;
        }
        if ((size_t)(t.z - ctx->src) + t.n - first > GRAM_MAX_STATEMENT) {
            gram_fail(ctx, TSG_EINPUT, &t, _("the statement is longer than %u bytes"), GRAM_MAX_STATEMENT);
            break;
        }
        ctx->last = t;
        if (t.type == TK_WHERE) ctx->in_where = 1;
        gramParser(p, t.type, t);
        if (ctx->failed) break;
        if (t.type == TK_SEMI) {
            gram_token_t end = {0, t.z + t.n, 0, *line, *col, NULL};
            gramParser(p, 0, end);
            break;
        }
        t = gram_next_token(ctx, pos, line, col);
    }
    gramParserFree(p, free);
    if (ctx->failed) {
        if (t.type != TK_SEMI && t.type != 0) skip_statement(ctx, pos, line, col);
        return ctx->code;
    }
    *stmt = ctx->stmt;
    return TSG_OK;
}

int gram_complete(const char *text)
{
    gram_ctx_t ctx = {0};
    ctx.src = text;
    ctx.len = strlen(text);
    size_t pos = 0;
    int line = 1, col = 1, last = 0, any = 0;
    for (;;) {
        ctx.failed = 0;
        gram_token_t t = gram_next_token(&ctx, &pos, &line, &col);
        if (t.type == 0) break;
        /* An unterminated string is incomplete; any other error is complete
         * enough to be reported. */
        if (t.type < 0) return !ctx.open_quote; /* not the message: it is translated */
        last = t.type;
        any = 1;
    }
    return any && last == TK_SEMI;
}
