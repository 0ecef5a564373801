/* fuzz_parse — the tokenizer and the lemon parser on any text: every
 * statement parses or fails with a message at a real place, and the parser
 * always moves on (no statement is read twice, so no hang). */
#include "ast.h"
#include "fuzz.h"
#include "parser.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    gram_ctx_t ctx = {0};
    ctx.arena = ast_arena_new();
    FUZZ_CHECK(ctx.arena, "no arena");
    ctx.src = text;
    ctx.len = strlen(text);
    int lines = 1;
    for (size_t i = 0; i < ctx.len; i++) lines += text[i] == '\n';
    size_t pos = 0;
    int line = 1, col = 1, done = 0;
    while (!done) {
        ast_arena_reset(ctx.arena);
        size_t before = pos;
        ast_stmt_t *stmt;
        tsg_status_t st = gram_parse_next(&ctx, &pos, &line, &col, &stmt, &done);
        if (st) {
            FUZZ_CHECK(ctx.msg[0], "an error without a message");
            FUZZ_CHECK(ctx.at.line >= 1 && ctx.at.line <= lines && ctx.at.col >= 1, "error at line %d column %d of %d lines",
                       ctx.at.line, ctx.at.col, lines);
            FUZZ_CHECK(pos > before || pos == ctx.len, "the parser did not move after an error");
            if (pos >= ctx.len) break;
        } else {
            FUZZ_CHECK(done || pos > before, "the parser did not move");
        }
        FUZZ_CHECK(pos <= ctx.len, "read past the end");
    }
    (void)gram_complete(text);
    ast_arena_free(ctx.arena);
    free(text);
    return 0;
}
