/*
 * The tokenizer and parser on their own: token positions, full-width input,
 * statement completeness for the REPL, and hostile input that must end in an
 * error rather than a crash (deep nesting, huge statements, huge names).
 */
#include "ast.h"
#include "parser.h"
#include "gen/tsunagi.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static gram_ctx_t ctx;

static void setup(void)
{
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = ast_arena_new();
}

static void teardown(void) { ast_arena_free(ctx.arena); }

TestSuite(parse, .init = setup, .fini = teardown);

/* Parses the first statement of text; returns its status. */
static tsg_status_t parse(const char *text, ast_stmt_t **st)
{
    ctx.src = text;
    ctx.len = strlen(text);
    ctx.failed = 0;
    ast_arena_reset(ctx.arena);
    size_t pos = 0;
    int line = 1, col = 1, done;
    return gram_parse_next(&ctx, &pos, &line, &col, st, &done);
}

Test(parse, tokens_carry_line_and_column_in_characters)
{
    const char *text = "FIND\n  programs WHERE 名前 = 'ひきこもり';";
    ctx.src = text;
    ctx.len = strlen(text);
    size_t pos = 0;
    int line = 1, col = 1;
    int types[] = {TK_FIND, TK_IDENT, TK_WHERE, TK_IDENT, TK_EQ, TK_STRING, TK_SEMI, 0};
    int lines[] = {1, 2, 2, 2, 2, 2, 2};
    int cols[] = {1, 3, 12, 18, 21, 23, 30};
    for (int i = 0; types[i]; i++) {
        gram_token_t t = gram_next_token(&ctx, &pos, &line, &col);
        cr_expect_eq(t.type, types[i], "token %d", i);
        cr_expect_eq(t.line, lines[i], "token %d line", i);
        cr_expect_eq(t.col, cols[i], "token %d column", i);
    }
    cr_expect_eq(gram_next_token(&ctx, &pos, &line, &col).type, 0);
}

Test(parse, full_width_input_reads_as_ascii)
{
    ast_stmt_t *st;
    cr_assert_eq(parse("ＦＩＮＤ　programs　ＷＨＥＲＥ age OVERLAPS １８．．３９；", &st), TSG_OK, "%s", ctx.msg);
    cr_assert_eq(st->kind, AST_FIND);
    cr_assert_eq(st->where->kind, AST_CMP);
    cr_expect_eq(st->where->v->lo, 18);
    cr_expect_eq(st->where->v->hi, 39);
}

Test(parse, quoted_names_undo_doubled_quotes)
{
    ast_stmt_t *st;
    cr_assert_eq(parse("SHOW 'it''s 北区';", &st), TSG_OK, "%s", ctx.msg);
    cr_expect_str_eq(st->a->v->text, "it's 北区");
    cr_assert_eq(parse("SHOW \"say \"\"hi\"\"\";", &st), TSG_OK, "%s", ctx.msg);
    cr_expect_str_eq(st->a->v->text, "say \"hi\"");
}

/* Issue 19: the quotes a Japanese keyboard types. A quote that closes with
 * itself is doubled to hold one; a bracket pair nests and holds any other
 * quote as text (docs/language.md, "Japanese input"). */
Test(parse, japanese_quotes)
{
    static const struct {
        const char *stmt, *text;
    } cases[] = {
        {"SHOW 「居場所「こもれび」」;", "居場所「こもれび」"},
        {"SHOW 『居場所「こもれび」』;", "居場所「こもれび」"},
        {"SHOW 『a「b』;", "a「b"},
        {"SHOW 「it's」;", "it's"},
        {"SHOW '「a」';", "「a」"},
        {"SHOW ’it’’s’;", "it’s"},
        {"SHOW ”a”;", "a"},
        {"SHOW “a”;", "a"},
        {"SHOW ‘a’;", "a"},
        {"SHOW ｢西区｣;", "西区"},
        {"SHOW 「北区、南区」;", "北区、南区"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ast_stmt_t *st;
        cr_assert_eq(parse(cases[i].stmt, &st), TSG_OK, "%s: %s", cases[i].stmt, ctx.msg);
        cr_expect_str_eq(st->a->v->text, cases[i].text, "%s", cases[i].stmt);
    }
}

/* Ranges, ages and 、 are tokens with their columns in characters, so an
 * error's caret stays under what was typed. */
Test(parse, japanese_ranges_and_lists_are_tokens)
{
    const char *text = "18〜39歳 18歳以上 、 18－39 -";
    ctx.src = text;
    ctx.len = strlen(text);
    size_t pos = 0;
    int line = 1, col = 1;
    int types[] = {TK_NUMBER, TK_DOTDOT, TK_NUMBER, TK_ATLEAST, TK_COMMA, TK_NUMBER, TK_DOTDOT, TK_NUMBER, -1, 0};
    int cols[] = {1, 3, 4, 8, 14, 16, 18, 19, 22};
    for (int i = 0; types[i]; i++) {
        gram_token_t t = gram_next_token(&ctx, &pos, &line, &col);
        cr_expect_eq(t.type, types[i], "token %d", i);
        cr_expect_eq(t.col, cols[i], "token %d column", i);
    }
}

Test(parse, keywords_are_case_insensitive_and_usable_as_fields)
{
    ast_stmt_t *st;
    cr_assert_eq(parse("find ties where Count >= 3 and TO = 'x';", &st), TSG_OK, "%s", ctx.msg);
    cr_expect_eq(st->where->kind, AST_AND);
}

Test(parse, complete_statements_for_the_repl)
{
    cr_expect(gram_complete("FIND programs;"));
    cr_expect(gram_complete("FIND programs;  -- done\n"));
    cr_expect_not(gram_complete("FIND programs"));
    cr_expect_not(gram_complete("FIND programs WHERE name = 'a;"));
    cr_expect_not(gram_complete("FIND programs -- ;"));
    cr_expect(gram_complete("FIND programs WHERE name = 'a;';"));
    /* A ';' inside any quote does not end the statement (issue 19). */
    cr_expect_not(gram_complete("SHOW 「北区;"));
    cr_expect_not(gram_complete("SHOW 「a「b」;"));
    cr_expect(gram_complete("SHOW 「北区;」;"));
    cr_expect(gram_complete("SHOW ’it’’s;’;"));
    cr_expect_not(gram_complete(""));
}

Test(parse, deep_nesting_is_an_error)
{
    size_t n = 5000;
    char *text = malloc(n * 2 + 64);
    strcpy(text, "FIND programs WHERE ");
    for (size_t i = 0; i < n; i++) strcat(text, "(");
    strcat(text, "need = place");
    for (size_t i = 0; i < n; i++) strcat(text, ")");
    strcat(text, ";");
    ast_stmt_t *st;
    cr_expect_eq(parse(text, &st), TSG_EINPUT);
    cr_expect_str_eq(ctx.msg, "the statement is nested too deeply");
    free(text);
}

Test(parse, long_condition_chains_are_an_error)
{
    char *text = malloc(20 * 600 + 64);
    strcpy(text, "FIND programs WHERE need = place");
    for (int i = 0; i < 600; i++) strcat(text, " OR need = food");
    strcat(text, ";");
    ast_stmt_t *st;
    cr_expect_eq(parse(text, &st), TSG_EINPUT);
    cr_expect_str_eq(ctx.msg, "the condition combines more than 500 parts; split the statement");
    free(text);
}

Test(parse, huge_statement_is_an_error)
{
    size_t n = 300000; /* values in one IN list: 1.2 MB */
    char *text = malloc(n * 4 + 64);
    char *p = text + sprintf(text, "FIND programs WHERE need IN (");
    for (size_t i = 0; i < n; i++) p += sprintf(p, "aa, ");
    strcpy(p, "b);");
    ast_stmt_t *st;
    cr_expect_eq(parse(text, &st), TSG_EINPUT);
    cr_expect_str_eq(ctx.msg, "the statement is longer than 1048576 bytes");
    free(text);
}

Test(parse, huge_name_is_an_error)
{
    size_t n = 70000;
    char *text = malloc(n + 64);
    char *p = text + sprintf(text, "SHOW '");
    memset(p, 'x', n);
    strcpy(p + n, "';");
    ast_stmt_t *st;
    cr_expect_eq(parse(text, &st), TSG_EINPUT);
    cr_expect_str_eq(ctx.msg, "quoted name longer than 65536 bytes");
    free(text);
}

Test(parse, long_lists_parse)
{
    size_t n = 200000; /* 800 KB: under the limit, so it must parse (appends are O(1)) */
    char *text = malloc(n * 4 + 64);
    char *p = text + sprintf(text, "FIND programs WHERE need IN (");
    for (size_t i = 0; i < n; i++) p += sprintf(p, "aa, ");
    strcpy(p, "b);");
    ast_stmt_t *st;
    cr_assert_eq(parse(text, &st), TSG_OK, "%s", ctx.msg);
    size_t count = 0;
    for (const ast_value_t *v = st->where->v; v; v = v->next) count++;
    cr_expect_eq(count, n + 1);
    free(text);
}

Test(parse, many_clauses_parse)
{
    size_t n = 100000;
    char *text = malloc(n * 8 + 64);
    char *p = text + sprintf(text, "ADD organisation 'x'");
    for (size_t i = 0; i < n; i++) p += sprintf(p, " ID 'y'");
    strcpy(p, ";");
    ast_stmt_t *st;
    cr_assert_eq(parse(text, &st), TSG_OK, "%s", ctx.msg);
    size_t count = 0;
    for (const ast_clause_t *c = st->clauses; c; c = c->next) count++;
    cr_expect_eq(count, n);
    free(text);
}

Test(parse, invalid_utf8_is_an_error)
{
    ast_stmt_t *st;
    cr_expect_eq(parse("SHOW \xff;", &st), TSG_EINPUT);
    cr_expect_str_eq(ctx.msg, "invalid UTF-8 byte 0xFF");
}
