/*
 * tsunagi.y — the grammar of the tsunagi query language, for lemon.
 *
 * One parse per statement: the driver (gram_parse_next in parser.c) feeds the
 * tokens of one statement up to and including its ';', then end of input.
 * Actions only build AST nodes through the ast_* builders (query/ast.h);
 * the nodes live in the statement's arena, so a failed parse frees them all
 * in one sweep and no %destructor is needed. Errors are sticky: the first
 * one is kept with its token, and nothing of the statement runs.
 */
%name gramParser
%token_prefix TK_
%extra_context {gram_ctx_t *ctx}
%token_type {gram_token_t}
%default_type {void *}
%stack_size 200
%start_symbol input

%include {
#include "parser.h"
#include "ast.h"
#include <assert.h>
}

%syntax_error {
    gram_syntax_error(ctx, &yyminor);
}
%stack_overflow {
    gram_overflow(ctx);
}
%parse_failure {
    gram_failure(ctx);
}

/* Keywords that may also be field, kind or clause names where a word fits. */
%fallback IDENT FIND SHOW COUNT LET ADD SET REMOVE TIE UNTIE WHERE BY TIED TO AS OVERLAPS FROM
          GAPS COVERAGE PATH REACH HOPS OF HORIZONTAL CENTRALITY WEIGHTED DIRECTED BROKERS THIN LINKS EXPORT RENDER REPORT
          ASC DESC.
/* ORDER and LIMIT are reserved: lemon tries a fallback before a state's
 * default reduction, so a fallback word would be read as one more clause
 * of the statement (GAPS … ORDER BY kind) instead of ending it. */

%left OR.
%left AND.
%right NOT.

input ::= stmt(S) tail(T) SEMI.                          { ctx->stmt = ast_with_tail(ctx, S, T); }
input ::= SEMI.                                          { ctx->stmt = NULL; }

/* ORDER BY column [ASC|DESC], … and LIMIT n after any statement: they
 * order and cut the statement's tables, in one place (query/order.c); the
 * session refuses them on a statement that answers without a table. */
%type tail {ast_tail_t *}
tail(T) ::= .                                            { T = NULL; }
tail(T) ::= ORDER(K) BY keys(L) limit(N).                { T = ast_tail(ctx, &K, L, N); }
tail(T) ::= LIMIT(K) NUMBER(N).                          { T = ast_tail(ctx, &K, NULL, ast_number(ctx, &N)); }

%type limit {ast_value_t *}
limit(N) ::= .                                           { N = NULL; }
limit(N) ::= LIMIT NUMBER(V).                            { N = ast_number(ctx, &V); }

%type keys {ast_key_t *}
keys(L) ::= key(K).                                      { L = K; }
keys(L) ::= keys(A) COMMA key(K).                        { L = ast_key_append(A, K); }

%type key {ast_key_t *}
key(K) ::= column(C).                                    { K = ast_key(ctx, C, 0); }
key(K) ::= column(C) ASC.                                { K = ast_key(ctx, C, 0); }
key(K) ::= column(C) DESC.                               { K = ast_key(ctx, C, 1); }

%type column {ast_value_t *}
column(C) ::= IDENT(T).                                  { C = ast_value(ctx, AST_V_WORD, &T); }
column(C) ::= STRING(T).                                 { C = ast_value(ctx, AST_V_STRING, &T); }

%type stmt {ast_stmt_t *}
%type find {ast_stmt_t *}
stmt(S) ::= find(F).                                     { S = F; }
find(S) ::= FIND(K) IDENT(E) where(W) scope(I).           { S = ast_find(ctx, &K, &E, W, I); }
stmt(S) ::= COUNT(K) IDENT(E) where(W) scope(I) BY IDENT(B). { S = ast_count(ctx, &K, &E, W, I, &B); }
stmt(S) ::= COUNT(K) IDENT(E) where(W) scope(I).          { S = ast_count(ctx, &K, &E, W, I, NULL); }
stmt(S) ::= SHOW(K) node(N).                             { S = ast_show(ctx, &K, N); }
stmt(S) ::= LET(K) IDENT(N) EQ find(F).                  { S = ast_let(ctx, &K, &N, F); }
stmt(S) ::= ADD(K) IDENT(T) value(V) clauses(C).         { S = ast_add(ctx, &K, &T, V, C); }
stmt(S) ::= SET(K) node(N) clause(C) clauses(A).        { S = ast_set(ctx, &K, N, ast_clause_append(C, A)); }
stmt(S) ::= REMOVE(K) node(N).                           { S = ast_remove(ctx, &K, N); }
stmt(S) ::= TIE(K) node(A) arrow node(B) AS IDENT(T) clauses(C). { S = ast_tie(ctx, &K, A, B, &T, C); }
stmt(S) ::= UNTIE(K) node(A) arrow node(B) tiekind(T).   { S = ast_untie(ctx, &K, A, B, T); }

/* The analyses take clauses: GAPS FOR hikikomori AGED 18..39 IN '北区' NEEDS place
 * WITHIN 3 HOPS; PATH FROM 'a' TO 'b'; REACH FROM 'a' WITHIN 2 HOPS WHERE …. */
stmt(S) ::= GAPS(K) clauses(C).                          { S = ast_analysis(ctx, AST_GAPS, &K, C, NULL); }
stmt(S) ::= COVERAGE(K) clauses(C).                      { S = ast_analysis(ctx, AST_COVERAGE, &K, C, NULL); }
stmt(S) ::= PATH(K) clauses(C).                          { S = ast_analysis(ctx, AST_PATH, &K, C, NULL); }
stmt(S) ::= REACH(K) clauses(C) where(W).                { S = ast_analysis(ctx, AST_REACH, &K, C, W); }
stmt(S) ::= HORIZONTAL(K) clauses(C).                    { S = ast_analysis(ctx, AST_HORIZONTAL, &K, C, NULL); }
stmt(S) ::= BROKERS(K) clauses(C).                       { S = ast_analysis(ctx, AST_BROKERS, &K, C, NULL); }
stmt(S) ::= THIN(K) LINKS clauses(C).                    { S = ast_analysis(ctx, AST_THIN_LINKS, &K, C, NULL); }
/* EXPORT DOT OF '北区' TO 'kita.dot' CLUSTER BY sector HIGHLIGHT GAPS FOR … */
stmt(S) ::= EXPORT(K) IDENT(F) clauses(C).               { S = ast_analysis(ctx, AST_EXPORT, &K, C, NULL);
                                                           if (S) S->what = F; }
stmt(S) ::= RENDER(K) clauses(C).                        { S = ast_analysis(ctx, AST_RENDER, &K, C, NULL); }
stmt(S) ::= REPORT(K) IDENT(W) clauses(C).               { S = ast_analysis(ctx, AST_REPORT, &K, C, NULL);
                                                           if (S) S->what = W; }
stmt(S) ::= CENTRALITY(K) IDENT(M) clauses(C).           { S = ast_analysis(ctx, AST_CENTRALITY, &K, C, NULL);
                                                           if (S) S->what = M; }

arrow ::= ARROW.
arrow ::= TO.

%type tiekind {gram_token_t *}
tiekind(T) ::= .                                         { T = NULL; }
tiekind(T) ::= AS IDENT(K).                              { T = ast_token(ctx, &K); }

/* A node named by a string or parameter, optionally with its type first:
 * 'x', organisation 'x', $name. */
%type node {ast_node_t *}
node(N) ::= value(V).                                    { N = ast_node(ctx, NULL, V); }
node(N) ::= IDENT(T) STRING(V).                          { N = ast_node(ctx, &T, ast_value(ctx, AST_V_STRING, &V)); }
node(N) ::= IDENT(T) PARAM(V).                           { N = ast_node(ctx, &T, ast_value(ctx, AST_V_PARAM, &V)); }

%type where {ast_cond_t *}
where(W) ::= .                                           { W = NULL; }
where(W) ::= WHERE cond(C).                              { W = C; }

%type scope {ast_value_t *}
scope(I) ::= .                                           { I = NULL; }
scope(I) ::= IN value(V).                                { I = V; }

%type cond {ast_cond_t *}
cond(C) ::= cond(A) OR cond(B).                          { C = ast_binary(ctx, AST_OR, A, B); }
cond(C) ::= cond(A) AND cond(B).                         { C = ast_binary(ctx, AST_AND, A, B); }
cond(C) ::= NOT(K) cond(A).                              { C = ast_not(ctx, &K, A); }
cond(C) ::= LP cond(A) RP.                               { C = A; }
cond(C) ::= IDENT(F) cmp(O) value(V).                    { C = ast_compare(ctx, &F, O, V); }
cond(C) ::= IDENT(F) IN LP values(L) RP.                 { C = ast_compare(ctx, &F, AST_IN, L); }
cond(C) ::= IDENT(F) IN value(V).                        { C = ast_compare(ctx, &F, AST_IN, V); }
cond(C) ::= IDENT(F) NOT IN LP values(L) RP.             { C = ast_not(ctx, &F, ast_compare(ctx, &F, AST_IN, L)); }
cond(C) ::= IDENT(F) OVERLAPS value(V).                  { C = ast_compare(ctx, &F, AST_OVERLAPS, V); }
cond(C) ::= TIED(K) TO tied(T) tiekind(I).               { C = ast_tied(ctx, &K, T, I); }

%type tied {ast_cond_t *}
tied(T) ::= value(V).                                    { T = ast_tied_value(ctx, V); }
tied(T) ::= IDENT(F) cmp(O) value(V).                    { T = ast_compare(ctx, &F, O, V); }
tied(T) ::= LP cond(A) RP.                               { T = A; }

%type cmp {int}
cmp(O) ::= EQ.                                           { O = AST_EQ; }
cmp(O) ::= NE.                                           { O = AST_NE; }
cmp(O) ::= LT.                                           { O = AST_LT; }
cmp(O) ::= LE.                                           { O = AST_LE; }
cmp(O) ::= GT.                                           { O = AST_GT; }
cmp(O) ::= GE.                                           { O = AST_GE; }

/* Clauses of ADD, SET and TIE: a word and its values, e.g. SECTOR npo,
 * AGED 18..39, NEEDS place, peer, AREA '北区', '南区', COUNT 12. */
%type clauses {ast_clause_t *}
clauses(C) ::= .                                         { C = NULL; }
clauses(C) ::= clauses(A) clause(B).                     { C = ast_clause_append(A, B); }

%type clause {ast_clause_t *}
clause(C) ::= IDENT(K) values(V).                        { C = ast_clause(ctx, &K, V); }
clause(C) ::= IN(K) values(V).                           { C = ast_clause(ctx, &K, V); }
clause(C) ::= IDENT(K) values(V) HOPS.                   { C = ast_clause(ctx, &K, V); }
clause(C) ::= AS(K) OF value(V).                         { C = ast_clause(ctx, &K, V); }
clause(C) ::= WEIGHTED(K).                               { C = ast_clause(ctx, &K, NULL); }
clause(C) ::= DIRECTED(K).                               { C = ast_clause(ctx, &K, NULL); }
clause(C) ::= IDENT(K) value(A) AND value(B).            { C = ast_clause(ctx, &K, ast_append(A, B)); }
clause(C) ::= IDENT(K) BY value(V).                      { C = ast_clause(ctx, &K, V); }
clause(C) ::= IDENT(K) THIN(T) LINKS.                    { C = ast_clause(ctx, &K, ast_value(ctx, AST_V_WORD, &T)); }

%type values {ast_value_t *}
values(L) ::= value(V).                                  { L = V; }
values(L) ::= values(A) COMMA value(V).                  { L = ast_append(A, V); }

%type value {ast_value_t *}
value(V) ::= STRING(T).                                  { V = ast_value(ctx, AST_V_STRING, &T); }
value(V) ::= IDENT(T).                                   { V = ast_value(ctx, AST_V_WORD, &T); }
value(V) ::= PARAM(T).                                   { V = ast_value(ctx, AST_V_PARAM, &T); }
value(V) ::= STAR(T).                                    { V = ast_value(ctx, AST_V_STAR, &T); }
value(V) ::= NUMBER(T).                                  { V = ast_number(ctx, &T); }
value(V) ::= NUMBER(A) DOTDOT NUMBER(B).                 { V = ast_range(ctx, &A, &B); }
value(V) ::= NUMBER(A) DOTDOT(B).                        { V = ast_range(ctx, &A, &B); }
value(V) ::= DOTDOT(A) NUMBER(B).                        { V = ast_range(ctx, &A, &B); }
