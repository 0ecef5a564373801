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
int gramParserFallback(int type);

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

/* ---- what the grammar takes next, for completion ----------------------------
 * The statement typed so far is fed to the lemon parser, then each candidate
 * token in turn; a token the parser takes without a syntax error is one the
 * user may type. This asks tsunagi.y itself, so completion cannot drift from
 * the grammar (docs/decisions.md, "Issue 19: the REPL"). */

/* Whether the parser, fed toks[0..n), takes `probe` next. */
static int takes(gram_ctx_t *ctx, const gram_token_t *toks, size_t n, gram_token_t probe)
{
    ast_arena_reset(ctx->arena);
    ctx->failed = 0;
    ctx->stmt = NULL;
    ctx->kw = n ? toks[0].type : probe.type;
    ctx->in_where = 0;
    void *p = gramParserAlloc(malloc, ctx);
    if (!p) return 0;
    for (size_t i = 0; i < n && !ctx->failed; i++) {
        ctx->last = toks[i];
        gramParser(p, toks[i].type, toks[i]);
    }
    int ok = 0;
    if (!ctx->failed) {
        gramParser(p, probe.type, probe);
        ok = !ctx->failed;
    }
    gramParserFree(p, free);
    return ok;
}

tsg_status_t gram_expect(const char *text, gram_expect_t *out)
{
    memset(out, 0, sizeof *out);
    gram_ctx_t ctx = {0};
    ctx.src = text;
    ctx.len = strlen(text);
    /* The tokens' folded words live in one arena, the probes' AST nodes in
     * another, reset before each probe. */
    ast_arena_t *words = ast_arena_new(), *nodes = ast_arena_new();
    ctx.arena = words;
    if (!words || !nodes) {
        if (words) ast_arena_free(words);
        if (nodes) ast_arena_free(nodes);
        return TSG_ENOMEM;
    }
    /* The tokens of the statement being typed: those after the last ';'. */
    size_t pos = 0, n = 0, cap = 0;
    int line = 1, col = 1;
    gram_token_t *toks = NULL;
    tsg_status_t st = TSG_OK;
    for (;;) {
        ctx.failed = 0;
        gram_token_t t = gram_next_token(&ctx, &pos, &line, &col);
        if (t.type <= 0) break; /* the end, or a token that will be an error anyway */
        if (t.type == TK_SEMI) {
            n = 0;
            continue;
        }
        if (n == cap) {
            gram_token_t *grown = realloc(toks, (cap = cap ? cap * 2 : 32) * sizeof *grown);
            if (!grown) {
                st = TSG_ENOMEM;
                break;
            }
            toks = grown;
        }
        toks[n++] = t;
    }
    ctx.arena = nodes;
    if (!st) {
        static const struct {
            const char *z, *fold;
            int type;
        } word = {"x", "x", TK_IDENT}, string = {"'x'", NULL, TK_STRING}, number = {"1", NULL, TK_NUMBER};
        gram_token_t probe = {word.type, word.z, 1, 1, 1, word.fold};
        out->ident = takes(&ctx, toks, n, probe);
        probe = (gram_token_t){string.type, string.z, 3, 1, 1, NULL};
        out->string = takes(&ctx, toks, n, probe);
        probe = (gram_token_t){number.type, number.z, 1, 1, 1, NULL};
        out->number = takes(&ctx, toks, n, probe);
        for (size_t k = 0; gram_keywords[k] && k < GRAM_MAX_KEYWORDS; k++) {
            const char *z = gram_keywords[k];
            char fold[32];
            size_t len = strlen(z);
            for (size_t i = 0; i <= len && i < sizeof fold; i++) fold[i] = (char)(z[i] >= 'A' && z[i] <= 'Z' ? z[i] + 32 : z[i]);
            probe = (gram_token_t){gram_keyword(z, len), z, len, 1, 1, fold};
            /* A keyword that may stand for a word is taken wherever a word
             * is; it is offered only where it is taken as itself, which
             * from the outside means: where no word is. */
            if (out->ident && gramParserFallback(probe.type) == TK_IDENT) continue;
            out->keyword[k] = (char)takes(&ctx, toks, n, probe);
        }
        /* The context the values depend on: the statement's keyword and
         * word, the last two tokens, and whether a WHERE was read. */
        if (n) out->first = toks[0];
        if (n) out->prev = toks[n - 1];
        if (n > 1) out->prev2 = toks[n - 2];
        for (size_t i = 0; i < n; i++) {
            if (toks[i].type == TK_WHERE) out->in_where = 1;
            if ((toks[i].type == TK_FIND || toks[i].type == TK_COUNT || toks[i].type == TK_EXPORT) && i + 1 < n &&
                !out->what.type)
                out->what = toks[i + 1];
            if (toks[i].type == TK_ORDER) out->order = toks[i];
            /* A keyword used as a word is taken for a clause here, which
             * only narrows what is offered. */
            if (toks[i].type != TK_IDENT && gram_keyword(toks[i].z, toks[i].n)) out->clause = toks[i];
        }
        gram_token_t *ends[] = {&out->first, &out->prev, &out->prev2, &out->what, &out->clause, &out->order};
        for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) ends[i]->fold = NULL;
    }
    free(toks);
    ast_arena_free(words);
    ast_arena_free(nodes);
    return st;
}
