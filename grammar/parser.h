/*
 * parser — from text to one statement's AST: the hand-written UTF-8
 * tokenizer (tokenize.c) and the driver that feeds the lemon parser
 * (parser.c, grammar in tsunagi.y).
 *
 * Tokens are slices of the source (pointer + length), never copies, with the
 * line and column (in characters) where they start. Full-width ASCII
 * (Ｆｉｎｄ, １８, ；) and the ideographic space are read as their ASCII
 * counterparts, as NFKC would, so Japanese input methods need no care.
 * What a Japanese keyboard types besides is read too (docs/language.md,
 * "Japanese input"): 〜 ～ and a dash between two numbers as '..', 、 as
 * ',', ’…’ ”…” ‘…’ “…” 「…」 『…』 as quotes, and an age written
 * 18歳, 18歳以上, 39歳以下, 18歳未満, 18歳から39歳まで as one token
 * (NUMBER, ATLEAST, ATMOST, UNDER, UPFROM) that ast_age reads.
 *
 * The parse context owns the statement's arena; every AST node of a
 * statement comes from it and goes with gram_ctx_reset. Errors are sticky:
 * the first one wins and carries the token it is about.
 */
#ifndef TSG_GRAMMAR_PARSE_H
#define TSG_GRAMMAR_PARSE_H

#include "tsunagi.h"
#include "util.h"
#include <stddef.h>
#include <stdint.h>

typedef struct gram_token {
    int type;          /* a TK_ code from the generated gen/tsunagi.h, 0 at end */
    const char *z;     /* the slice of the source */
    size_t n;
    int line, col;
    const char *fold;  /* a bare word (IDENT or keyword): the word folded once (NFKC, case;
                          util_fold) into the statement's arena, which every consumer compares;
                          NULL for other tokens and where there is no arena */
} gram_token_t;

typedef struct ast_arena ast_arena_t;
typedef struct ast_stmt ast_stmt_t;

typedef struct gram_ctx {
    const char *src;   /* the whole text being run (for quoting lines) */
    size_t len;
    ast_arena_t *arena;
    ast_stmt_t *stmt;  /* the parsed statement, NULL for an empty one */
    int failed;
    tsg_status_t code;
    gram_token_t at;   /* where the error is */
    gram_token_t last; /* the token fed last, for errors the parser reports without one */
    int kw;            /* the statement's first token type (its keyword), for syntax errors */
    int in_where;      /* a WHERE has been read: a syntax error is in the condition */
    int open_quote;    /* the error is a quoted name the text does not close (gram_complete) */
    char msg[512];
} gram_ctx_t;

/* Limits that turn hostile input into an error rather than a crash. */
#define GRAM_MAX_STATEMENT (1u << 20) /* bytes in one statement */
#define GRAM_MAX_STRING (1u << 16)    /* bytes in one quoted name */
#define GRAM_MAX_WORD 1024u           /* bytes in one bare word (a key, a field, a set) */

/* Scans one token at src[*pos]; advances *pos, *line and *col. Comments
 * and white space are skipped. A bare word is folded (fold) when ctx has
 * an arena. A bad character or an unterminated string is
 * reported through ctx (type -1). */
gram_token_t gram_next_token(gram_ctx_t *ctx, size_t *pos, int *line, int *col);

/* Parses the next statement from src[*pos]. On TSG_OK, *stmt is its AST
 * (NULL for ';' alone) and *done is 1 when only blanks were left. On an
 * error, ctx holds it and *pos is past the failed statement's ';'. */
tsg_status_t gram_parse_next(gram_ctx_t *ctx, size_t *pos, int *line, int *col, ast_stmt_t **stmt, int *done);

/* Whether text holds at least one complete statement followed by nothing
 * but blanks, i.e. it ends with ';' outside strings and comments (for the
 * REPL's multi-line input). */
int gram_complete(const char *text);

/* Sets the sticky error (the first one wins); returns ctx->code. */
tsg_status_t gram_fail(gram_ctx_t *ctx, tsg_status_t code, const gram_token_t *at, const char *fmt, ...)
    UTIL_PRINTF(4, 5);

/* Called by the generated parser. */
void gram_syntax_error(gram_ctx_t *ctx, const gram_token_t *tok);
void gram_overflow(gram_ctx_t *ctx);
void gram_failure(gram_ctx_t *ctx);

/* The code point at s (at most n bytes) as the tokenizer reads it:
 * full-width ASCII and U+3000 as ASCII, half-width ｢｣ as 「」. *k receives
 * its length in bytes; invalid UTF-8 is -1 with *k = 1, the end 0 with *k = 0. */
int32_t gram_char(const char *s, size_t n, size_t *k);
/* The quote that closes a quoted name opened with `open` (as gram_char
 * reads it), or 0 when `open` opens none. A quote that closes with itself
 * is doubled inside to stand for one; a bracket pair (「」) nests. */
int32_t gram_quote_close(int32_t open);

/* The keyword a word spells (case- and width-insensitive), or 0. */
int gram_keyword(const char *z, size_t n);
/* Keywords for completion; NULL-terminated. */
extern const char *const gram_keywords[];

/* What the grammar takes after a statement typed so far (parser.c), for
 * completion: the parser is asked, token by token. */
#define GRAM_MAX_KEYWORDS 128
typedef struct gram_expect {
    int ident, string, number;       /* a bare word, a quoted name, a number */
    char keyword[GRAM_MAX_KEYWORDS]; /* gram_keywords[k] as itself (not standing for a word) */
    gram_token_t first, prev, prev2; /* the statement's first and last two tokens (type 0: none), */
    gram_token_t what;               /* the word after FIND, COUNT or EXPORT (its format), */
    gram_token_t clause;             /* the last keyword, */
    gram_token_t order;              /* the ORDER of the statement's tail; slices of the text, fold NULL */
    int in_where;                    /* a WHERE has been read */
} gram_expect_t;

/* Fills *out for the text of the statement being typed (earlier
 * statements, up to their ';', are skipped); TSG_ENOMEM or TSG_OK. */
tsg_status_t gram_expect(const char *text, gram_expect_t *out);

#endif
