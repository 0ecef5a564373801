/*
 * lookahead — what the grammar takes next, for completion: the statement typed
 * so far is fed to the lemon parser, then each candidate token in turn; a
 * token the parser takes without a syntax error is one the user may type.
 * This asks tsunagi.y itself, so completion cannot drift from the grammar
 * (docs/decisions.md, "Issue 19: the REPL"). See parser.h.
 */
#include "parser.h"
#include "ast.h"
#include "gen/tsunagi.h"

#include <stdlib.h>
#include <string.h>

void *gramParserAlloc(void *(*alloc)(size_t), gram_ctx_t *ctx);
void gramParserFree(void *p, void (*release)(void *));
void gramParser(void *p, int type, gram_token_t tok);
int gramParserFallback(int type);

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
