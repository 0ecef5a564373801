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
%fallback IDENT FIND SHOW COUNT LET ADD SET REMOVE ERASE TIE UNTIE WHERE BY TIED TO AS OVERLAPS FROM
          GAPS COVERAGE PATH REACH HOPS OF HORIZONTAL CENTRALITY WEIGHTED DIRECTED BROKERS THIN LINKS EXPORT RENDER REPORT
          FOR AGED NEEDS WITHIN VIA MAX TOP SAMPLE SECTORS BETWEEN CLUSTER HIGHLIGHT LABELS WITH WITHOUT NEIGHBOURHOOD ASC DESC
          FORUMS OVERLAP WHAT IF CRITICAL SUGGEST TIES COMPARE CHANGES USING.
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
/* $n: a parameter stands for a number wherever one is written. */
tail(T) ::= LIMIT(K) PARAM(N).                           { T = ast_tail(ctx, &K, NULL, ast_value(ctx, AST_V_PARAM, &N)); }

%type limit {ast_value_t *}
limit(N) ::= .                                           { N = NULL; }
limit(N) ::= LIMIT NUMBER(V).                            { N = ast_number(ctx, &V); }
limit(N) ::= LIMIT PARAM(V).                             { N = ast_value(ctx, AST_V_PARAM, &V); }

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
find(S) ::= FIND(K) IDENT(E) where(W) scope(I) asof(A).   { S = ast_as_of(ctx, ast_find(ctx, &K, &E, W, I), A); }
stmt(S) ::= COUNT(K) IDENT(E) where(W) scope(I) BY IDENT(B) asof(A).
                                                         { S = ast_as_of(ctx, ast_count(ctx, &K, &E, W, I, &B), A); }
stmt(S) ::= COUNT(K) IDENT(E) where(W) scope(I) asof(A). { S = ast_as_of(ctx, ast_count(ctx, &K, &E, W, I, NULL), A); }
stmt(S) ::= SHOW(K) node(N) asof(A).                     { S = ast_as_of(ctx, ast_show(ctx, &K, N), A); }
stmt(S) ::= LET(K) IDENT(N) EQ find(F).                  { S = ast_let(ctx, &K, &N, F); }
stmt(S) ::= LET(K) IDENT(N) EQ reach(R).                 { S = ast_let(ctx, &K, &N, R); }
stmt(S) ::= ADD(K) IDENT(T) value(V) clauses(C).         { S = ast_add(ctx, &K, &T, V, C); }
stmt(S) ::= SET(K) node(N) clause(C) clauses(A).        { S = ast_set(ctx, &K, N, ast_clause_append(C, A)); }
stmt(S) ::= REMOVE(K) node(N) clauses(C).                { S = ast_remove(ctx, &K, N, C); }
stmt(S) ::= ERASE(K) node(N).                            { S = ast_erase(ctx, &K, N, NULL, NULL); }
stmt(S) ::= ERASE(K) node(A) arrow node(B) tiekind(T).   { S = ast_erase(ctx, &K, A, B, T); }
stmt(S) ::= TIE(K) node(A) arrow node(B) AS IDENT(T) clauses(C). { S = ast_tie(ctx, &K, A, B, &T, C); }
stmt(S) ::= UNTIE(K) node(A) arrow node(B) tiekind(T) clauses(C). { S = ast_untie(ctx, &K, A, B, T, C); }

/* The analyses and the pictures: each statement lists the clauses it takes,
 * in any order, each at most once (ast_slots_add refuses a second). */
stmt(S) ::= GAPS(K) gaps_clauses(C).                     { S = ast_analysis(ctx, AST_GAPS, &K, C, NULL); }
stmt(S) ::= COVERAGE(K) cover_clauses(C).                { S = ast_analysis(ctx, AST_COVERAGE, &K, C, NULL); }
stmt(S) ::= PATH(K) path_clauses(C).                     { S = ast_analysis(ctx, AST_PATH, &K, C, NULL); }
stmt(S) ::= reach(R).                                    { S = R; }
stmt(S) ::= HORIZONTAL(K) horizontal_clauses(C).         { S = ast_analysis(ctx, AST_HORIZONTAL, &K, C, NULL); }
stmt(S) ::= BROKERS(K) brokers_clauses(C).               { S = ast_analysis(ctx, AST_BROKERS, &K, C, NULL); }
stmt(S) ::= CENTRALITY(K) IDENT(M) centrality_clauses(C). { S = ast_analysis_word(ctx, AST_CENTRALITY, &K, &M, C); }
stmt(S) ::= THIN(K) LINKS thin_clauses(C).               { S = ast_analysis(ctx, AST_THIN_LINKS, &K, C, NULL); }
/* FORUMS OVERLAP [IN 'district'] [TO 'file']: the forum inventory, as two
 * tables or, TO a file, as a picture (query/forums.c). */
stmt(S) ::= FORUMS(K) OVERLAP forums_clauses(C).         { S = ast_analysis(ctx, AST_FORUMS, &K, C, NULL); }
/* EXPORT DOT OF '北区' TO 'kita.dot' CLUSTER BY sector HIGHLIGHT GAPS FOR … */
stmt(S) ::= EXPORT(K) IDENT(F) draw_clauses(C).          { S = ast_analysis_word(ctx, AST_EXPORT, &K, &F, C); }
stmt(S) ::= RENDER(K) draw_clauses(C).                   { S = ast_analysis(ctx, AST_RENDER, &K, C, NULL); }
/* RENDER NEIGHBOURHOOD OF 'NPO' WITHIN 2 HOPS. A keyword, not any word: with
 * RENDER IDENT, lemon's fallback read RENDER OF … as a word. */
stmt(S) ::= RENDER(K) NEIGHBOURHOOD(W) draw_clauses(C).  { S = ast_analysis_word(ctx, AST_RENDER, &K, &W, C); }
stmt(S) ::= REPORT(K) IDENT(W) report_clauses(C).        { S = ast_analysis_word(ctx, AST_REPORT, &K, &W, C); }

/* CRITICAL [IN 'district'] [FOR target AGED a..b [NEEDS …]] [TOP n]: what
 * each organisation's loss would cost (query/critical.c). */
stmt(S) ::= CRITICAL(K) critical_clauses(C).             { S = ast_analysis(ctx, AST_CRITICAL, &K, C, NULL); }
%type critical_clauses {ast_slots_t *}
critical_clauses(L) ::= .                                { L = NULL; }
critical_clauses(L) ::= critical_clauses(A) gaps_clause(C). { L = ast_slots_add(ctx, A, C); }
critical_clauses(L) ::= critical_clauses(A) top(C).      { L = ast_slots_add(ctx, A, C); }

/* SUGGEST TIES [FOR target AGED a..b IN 'district' [NEEDS …]] [IN 'district'] [TOP n]:
 * ties to build next (query/suggest.c); the same clauses as CRITICAL. */
stmt(S) ::= SUGGEST(K) TIES critical_clauses(C).         { S = ast_analysis(ctx, AST_SUGGEST, &K, C, NULL); }

/* WHAT IF WITHOUT 'a', 'b' WITH TIE 'x' -> 'y' AS referral, … GAPS …: a
 * reading statement on the network as it would be after the change, beside
 * today's answer (query/whatif.c). Which statements it takes is the
 * evaluator's table, so a refused one gets a sentence, not a syntax error. */
stmt(S) ::= WHAT(K) IF change(C) stmt(R).                { S = ast_whatif(ctx, &K, C, R); }

%type change {ast_change_t *}
change(C) ::= WITHOUT nodes(N).                          { C = ast_change(ctx, N, NULL); }
change(C) ::= WITH TIE newties(T).                       { C = ast_change(ctx, NULL, T); }
change(C) ::= WITHOUT nodes(N) WITH TIE newties(T).      { C = ast_change(ctx, N, T); }

%type nodes {ast_nodes_t *}
nodes(L) ::= node(N).                                    { L = ast_nodes(ctx, NULL, N); }
nodes(L) ::= nodes(A) COMMA node(N).                     { L = ast_nodes(ctx, A, N); }

%type newties {ast_newtie_t *}
newties(L) ::= node(A) arrow node(B) AS IDENT(K).        { L = ast_newtie(ctx, NULL, A, B, &K); }
newties(L) ::= newties(P) COMMA node(A) arrow node(B) AS IDENT(K). { L = ast_newtie(ctx, P, A, B, &K); }

/* COMPARE 'then' TO 'now' [IN 'district'] [FOR target AGED a..b [NEEDS …]],
 * COMPARE WITH 'other.db' […]: what changed (query/compare.c). The picture
 * and the council's page are RENDER CHANGES and REPORT CHANGES, with the
 * same two sides and TO 'file' after them (docs/decisions.md, issue 21). */
stmt(S) ::= COMPARE(K) value(A) TO value(B) compare_clauses(C). { S = ast_changes(ctx, AST_COMPARE, &K, NULL, A, B, NULL, C); }
stmt(S) ::= COMPARE(K) WITH value(F) compare_clauses(C). { S = ast_changes(ctx, AST_COMPARE, &K, NULL, NULL, NULL, F, C); }
stmt(S) ::= RENDER(K) CHANGES(W) value(A) TO value(B) changes_clauses(C).
                                                         { S = ast_changes(ctx, AST_RENDER, &K, &W, A, B, NULL, C); }
stmt(S) ::= RENDER(K) CHANGES(W) WITH value(F) changes_clauses(C).
                                                         { S = ast_changes(ctx, AST_RENDER, &K, &W, NULL, NULL, F, C); }
stmt(S) ::= REPORT(K) CHANGES(W) value(A) TO value(B) changes_clauses(C).
                                                         { S = ast_changes(ctx, AST_REPORT, &K, &W, A, B, NULL, C); }
stmt(S) ::= REPORT(K) CHANGES(W) WITH value(F) changes_clauses(C).
                                                         { S = ast_changes(ctx, AST_REPORT, &K, &W, NULL, NULL, F, C); }

%type compare_clauses {ast_slots_t *}
compare_clauses(L) ::= .                                 { L = NULL; }
compare_clauses(L) ::= compare_clauses(A) compare_clause(C). { L = ast_slots_add(ctx, A, C); }
%type compare_clause {ast_clause_t *}
compare_clause(C) ::= IN(K) node(N).                     { C = ast_slot(ctx, AST_CL_IN, &K, NULL, N); }
compare_clause(C) ::= FOR(K) value(V).                   { C = ast_slot(ctx, AST_CL_FOR, &K, V, NULL); }
compare_clause(C) ::= AGED(K) value(V).                  { C = ast_slot(ctx, AST_CL_AGED, &K, V, NULL); }
compare_clause(C) ::= NEEDS(K) values(V).                { C = ast_slot(ctx, AST_CL_NEEDS, &K, V, NULL); }
/* RENDER and REPORT CHANGES: COMPARE's clauses and TO 'file'. */
%type changes_clauses {ast_slots_t *}
changes_clauses(L) ::= .                                 { L = NULL; }
changes_clauses(L) ::= changes_clauses(A) compare_clause(C). { L = ast_slots_add(ctx, A, C); }
changes_clauses(L) ::= changes_clauses(A) TO(K) value(V). { L = ast_slots_add(ctx, A, ast_slot(ctx, AST_CL_TO, &K, V, NULL)); }

/* REACH FROM 'a' [WITHIN k HOPS] [VIA any] [WHERE …], or REACH TO 'x': a
 * statement of its own and, after LET s =, a set. */
%type reach {ast_stmt_t *}
reach(S) ::= REACH(K) path_clauses(C) where(W).          { S = ast_analysis(ctx, AST_REACH, &K, C, W); }
reach(S) ::= REACH(K) path_clauses(C) WHERE cond(W) as_of(A).
                                                         { S = ast_analysis(ctx, AST_REACH, &K, ast_slots_add(ctx, C, A), W); }

/* AS OF 'date' (or, in Japanese, '2025-04-01'時点): the day every reading
 * statement answers for (the session's date, .asof, or today without it).
 * FIND, COUNT and SHOW take it last; the statements with clauses take it
 * among them, in any order (REACH also after its WHERE). */
%type as_of {ast_clause_t *}
as_of(C) ::= ASOF(K) value(V).                           { C = ast_slot(ctx, AST_CL_ASOF, &K, V, NULL); }
as_of(C) ::= ATDATE(K).                                  { C = ast_slot(ctx, AST_CL_ASOF, &K, ast_at_date(ctx, &K), NULL); }
%type asof {ast_clause_t *}
asof(C) ::= .                                            { C = NULL; }
asof(C) ::= as_of(A).                                    { C = A; }

%type gaps_clauses {ast_slots_t *}
gaps_clauses(L) ::= .                                    { L = NULL; }
gaps_clauses(L) ::= gaps_clauses(A) gaps_clause(C).      { L = ast_slots_add(ctx, A, C); }
%type gaps_clause {ast_clause_t *}
gaps_clause(C) ::= cover_clause(A).                      { C = A; }
gaps_clause(C) ::= within(W).                            { C = W; }

/* COVERAGE: GAPS' clauses but WITHIN (it lists who covers a cell, not who
 * can be reached). */
%type cover_clauses {ast_slots_t *}
cover_clauses(L) ::= .                                   { L = NULL; }
cover_clauses(L) ::= cover_clauses(A) cover_clause(C).   { L = ast_slots_add(ctx, A, C); }
%type cover_clause {ast_clause_t *}
cover_clause(C) ::= FOR(K) value(V).                     { C = ast_slot(ctx, AST_CL_FOR, &K, V, NULL); }
cover_clause(C) ::= AGED(K) value(V).                    { C = ast_slot(ctx, AST_CL_AGED, &K, V, NULL); }
cover_clause(C) ::= IN(K) node(N).                       { C = ast_slot(ctx, AST_CL_IN, &K, NULL, N); }
cover_clause(C) ::= NEEDS(K) values(V).                  { C = ast_slot(ctx, AST_CL_NEEDS, &K, V, NULL); }
cover_clause(C) ::= BY(K) value(V).                      { C = ast_slot(ctx, AST_CL_BY, &K, V, NULL); }
cover_clause(C) ::= as_of(A).                            { C = A; }
cover_clause(C) ::= using(U).                            { C = U; }
/* USING confirmed ties (issue 21 item 7): the analysis sees only the ties
 * both sides confirmed in the last survey round. */
%type using {ast_clause_t *}
using(C) ::= USING(K) value(V) IDENT(T).                 { C = ast_using(ctx, &K, V, &T); }

%type report_clauses {ast_slots_t *}
report_clauses(L) ::= .                                  { L = NULL; }
report_clauses(L) ::= report_clauses(A) gaps_clause(C).  { L = ast_slots_add(ctx, A, C); }
report_clauses(L) ::= report_clauses(A) TO(K) value(V).  { L = ast_slots_add(ctx, A, ast_slot(ctx, AST_CL_TO, &K, V, NULL)); }

%type within {ast_clause_t *}
within(C) ::= WITHIN(K) value(V) HOPS.                   { C = ast_slot(ctx, AST_CL_WITHIN, &K, V, NULL); }
within(C) ::= WITHIN(K) value(V).                        { C = ast_slot(ctx, AST_CL_WITHIN, &K, V, NULL); }

%type path_clauses {ast_slots_t *}
path_clauses(L) ::= .                                    { L = NULL; }
path_clauses(L) ::= path_clauses(A) path_clause(C).      { L = ast_slots_add(ctx, A, C); }
%type path_clause {ast_clause_t *}
path_clause(C) ::= FROM(K) node(N).                      { C = ast_slot(ctx, AST_CL_FROM, &K, NULL, N); }
path_clause(C) ::= TO(K) node(N).                        { C = ast_slot(ctx, AST_CL_TO, &K, NULL, N); }
path_clause(C) ::= VIA(K) value(V).                      { C = ast_slot(ctx, AST_CL_VIA, &K, V, NULL); }
path_clause(C) ::= MAX(K) value(V).                      { C = ast_slot(ctx, AST_CL_MAX, &K, V, NULL); }
path_clause(C) ::= within(W).                            { C = W; }
path_clause(C) ::= as_of(A).                             { C = A; }
path_clause(C) ::= using(U).                             { C = U; }

/* HORIZONTAL [IN 'district'] [SECTORS s, …]; BROKERS adds TOP n; CENTRALITY
 * adds OF, TOP, WEIGHTED, DIRECTED, WITHIN k HOPS and SAMPLE n. */
%type horizontal_clauses {ast_slots_t *}
horizontal_clauses(L) ::= .                              { L = NULL; }
horizontal_clauses(L) ::= horizontal_clauses(A) scope_clause(C). { L = ast_slots_add(ctx, A, C); }
%type scope_clause {ast_clause_t *}
scope_clause(C) ::= IN(K) node(N).                       { C = ast_slot(ctx, AST_CL_IN, &K, NULL, N); }
scope_clause(C) ::= SECTORS(K) values(V).                { C = ast_slot(ctx, AST_CL_SECTORS, &K, V, NULL); }
scope_clause(C) ::= as_of(A).                            { C = A; }
scope_clause(C) ::= using(U).                            { C = U; }
%type top {ast_clause_t *}
top(C) ::= TOP(K) value(V).                              { C = ast_slot(ctx, AST_CL_TOP, &K, V, NULL); }

%type brokers_clauses {ast_slots_t *}
brokers_clauses(L) ::= .                                 { L = NULL; }
brokers_clauses(L) ::= brokers_clauses(A) scope_clause(C). { L = ast_slots_add(ctx, A, C); }
brokers_clauses(L) ::= brokers_clauses(A) top(C).        { L = ast_slots_add(ctx, A, C); }

%type centrality_clauses {ast_slots_t *}
centrality_clauses(L) ::= .                              { L = NULL; }
centrality_clauses(L) ::= centrality_clauses(A) centrality_clause(C). { L = ast_slots_add(ctx, A, C); }
%type centrality_clause {ast_clause_t *}
centrality_clause(C) ::= scope_clause(A).                { C = A; }
centrality_clause(C) ::= top(A).                         { C = A; }
centrality_clause(C) ::= OF(K) value(V).                 { C = ast_slot(ctx, AST_CL_OF, &K, V, NULL); }
centrality_clause(C) ::= WEIGHTED(K).                    { C = ast_slot(ctx, AST_CL_WEIGHTED, &K, NULL, NULL); }
centrality_clause(C) ::= DIRECTED(K).                    { C = ast_slot(ctx, AST_CL_DIRECTED, &K, NULL, NULL); }
centrality_clause(C) ::= within(W).                      { C = W; }
centrality_clause(C) ::= SAMPLE(K) value(V).             { C = ast_slot(ctx, AST_CL_SAMPLE, &K, V, NULL); }

%type forums_clauses {ast_slots_t *}
forums_clauses(L) ::= .                                  { L = NULL; }
forums_clauses(L) ::= forums_clauses(A) IN(K) node(N).   { L = ast_slots_add(ctx, A, ast_slot(ctx, AST_CL_IN, &K, NULL, N)); }
forums_clauses(L) ::= forums_clauses(A) TO(K) value(V).  { L = ast_slots_add(ctx, A, ast_slot(ctx, AST_CL_TO, &K, V, NULL)); }
forums_clauses(L) ::= forums_clauses(A) as_of(C).        { L = ast_slots_add(ctx, A, C); }

/* THIN LINKS [IN 'district'] [BY sector|ward|community] [BETWEEN a AND b] [TOP n] */
%type thin_clauses {ast_slots_t *}
thin_clauses(L) ::= .                                    { L = NULL; }
thin_clauses(L) ::= thin_clauses(A) thin_clause(C).      { L = ast_slots_add(ctx, A, C); }
%type thin_clause {ast_clause_t *}
thin_clause(C) ::= IN(K) node(N).                        { C = ast_slot(ctx, AST_CL_IN, &K, NULL, N); }
thin_clause(C) ::= BY(K) value(V).                       { C = ast_slot(ctx, AST_CL_BY, &K, V, NULL); }
thin_clause(C) ::= BETWEEN(K) value(A) AND value(B).     { C = ast_slot(ctx, AST_CL_BETWEEN, &K, ast_append(A, B), NULL); }
thin_clause(C) ::= top(A).                               { C = A; }
thin_clause(C) ::= as_of(A).                             { C = A; }

/* EXPORT and RENDER: OF 'district' or a set, TO 'file', CLUSTER BY …,
 * HIGHLIGHT GAPS|BROKERS|THIN LINKS (GAPS with FOR, AGED, NEEDS, WITHIN),
 * LABELS ja|en, AS city|detail|matrix (which picture), WITHOUT forums,
 * WITH programs (what a detailed picture leaves out or adds). */
%type draw_clauses {ast_slots_t *}
draw_clauses(L) ::= .                                    { L = NULL; }
draw_clauses(L) ::= draw_clauses(A) draw_clause(C).      { L = ast_slots_add(ctx, A, C); }
%type draw_clause {ast_clause_t *}
draw_clause(C) ::= OF(K) node(N).                        { C = ast_slot(ctx, AST_CL_OF, &K, NULL, N); }
draw_clause(C) ::= TO(K) value(V).                       { C = ast_slot(ctx, AST_CL_TO, &K, V, NULL); }
draw_clause(C) ::= CLUSTER(K) BY value(V).               { C = ast_slot(ctx, AST_CL_CLUSTER, &K, V, NULL); }
draw_clause(C) ::= HIGHLIGHT(K) value(V).                { C = ast_slot(ctx, AST_CL_HIGHLIGHT, &K, V, NULL); }
draw_clause(C) ::= HIGHLIGHT(K) THIN(T) LINKS.           { C = ast_slot(ctx, AST_CL_HIGHLIGHT, &K,
                                                                        ast_value(ctx, AST_V_WORD, &T), NULL); }
draw_clause(C) ::= LABELS(K) value(V).                   { C = ast_slot(ctx, AST_CL_LABELS, &K, V, NULL); }
draw_clause(C) ::= AS(K) value(V).                       { C = ast_slot(ctx, AST_CL_VIEW, &K, V, NULL); }
draw_clause(C) ::= WITHOUT(K) values(V).                 { C = ast_slot(ctx, AST_CL_WITHOUT, &K, V, NULL); }
draw_clause(C) ::= WITH(K) values(V).                    { C = ast_slot(ctx, AST_CL_WITH, &K, V, NULL); }
draw_clause(C) ::= FOR(K) value(V).                      { C = ast_slot(ctx, AST_CL_FOR, &K, V, NULL); }
draw_clause(C) ::= AGED(K) value(V).                     { C = ast_slot(ctx, AST_CL_AGED, &K, V, NULL); }
draw_clause(C) ::= NEEDS(K) values(V).                   { C = ast_slot(ctx, AST_CL_NEEDS, &K, V, NULL); }
draw_clause(C) ::= within(W).                            { C = W; }
draw_clause(C) ::= as_of(A).                             { C = A; }

arrow ::= ARROW.
arrow ::= TO.

%type tiekind {gram_token_t *}
tiekind(T) ::= .                                         { T = NULL; }
tiekind(T) ::= AS IDENT(K).                              { T = ast_token(ctx, &K); }

/* A node reference, the one rule of every statement that names a node:
 * 'name', an id, $param, a LET set's name (a bare word), or the kind first:
 * organisation 'name', program 'name', forum 'name', district 'name'.
 * Whether a set may stand here is the statement's to say (names.c). */
%type node {ast_node_t *}
node(N) ::= value(V).                                    { N = ast_node(ctx, NULL, V); }
node(N) ::= IDENT(T) STRING(V).                          { N = ast_node(ctx, &T, ast_value(ctx, AST_V_STRING, &V)); }
node(N) ::= IDENT(T) PARAM(V).                           { N = ast_node(ctx, &T, ast_value(ctx, AST_V_PARAM, &V)); }

%type where {ast_cond_t *}
where(W) ::= .                                           { W = NULL; }
where(W) ::= WHERE cond(C).                              { W = C; }

/* FIND's and COUNT's IN takes the node rule too, as the analyses' IN does
 * (IN district '北区' was a syntax error here alone). */
%type scope {ast_node_t *}
scope(I) ::= .                                           { I = NULL; }
scope(I) ::= IN node(N).                                 { I = N; }

%type cond {ast_cond_t *}
cond(C) ::= cond(A) OR cond(B).                          { C = ast_binary(ctx, AST_OR, A, B); }
cond(C) ::= cond(A) AND cond(B).                         { C = ast_binary(ctx, AST_AND, A, B); }
cond(C) ::= NOT(K) cond(A).                              { C = ast_not(ctx, &K, A); }
cond(C) ::= LP cond(A) RP.                               { C = A; }
cond(C) ::= IDENT(F) cmp(O) value(V).                    { C = ast_compare(ctx, &F, O, V); }
cond(C) ::= IDENT(F) IN LP values(L) RP.                 { C = ast_compare_list(ctx, &F, L); }
cond(C) ::= IDENT(F) IN value(V).                        { C = ast_compare(ctx, &F, AST_IN, V); }
cond(C) ::= IDENT(F) NOT IN LP values(L) RP.             { C = ast_not(ctx, &F, ast_compare_list(ctx, &F, L)); }
cond(C) ::= IDENT(F) OVERLAPS value(V).                  { C = ast_compare(ctx, &F, AST_OVERLAPS, V); }
/* Dates compare in words too: verified BEFORE '2025-04-01' (issue 21 item
 * 8). BEFORE and AFTER are words, not keywords, so a set may still be
 * called "after"; ast_compare_word takes these two and refuses others. */
cond(C) ::= IDENT(F) IDENT(O) value(V).                  { C = ast_compare_word(ctx, &F, &O, V); }
/* A word and no value: named as no comparison ("target hikikomori"). */
cond(C) ::= IDENT(F) IDENT(O).                           { C = ast_compare_word(ctx, &F, &O, NULL); }
cond(C) ::= TIED(K) TO tied(T) tiekind(I).               { C = ast_tied(ctx, &K, T, I); }

%type tied {ast_cond_t *}
tied(T) ::= node(N).                                     { T = ast_tied_node(ctx, N); }
tied(T) ::= IDENT(F) cmp(O) value(V).                    { T = ast_compare(ctx, &F, O, V); }
tied(T) ::= LP cond(A) RP.                               { T = A; }

%type cmp {int}
cmp(O) ::= EQ.                                           { O = AST_EQ; }
cmp(O) ::= NE.                                           { O = AST_NE; }
cmp(O) ::= LT.                                           { O = AST_LT; }
cmp(O) ::= LE.                                           { O = AST_LE; }
cmp(O) ::= GT.                                           { O = AST_GT; }
cmp(O) ::= GE.                                           { O = AST_GE; }

/* Clauses of ADD, SET and TIE: an open list of field words and their
 * values, e.g. SECTOR npo, AGED 18..39, NEEDS place, peer, AREA '北区',
 * '南区', COUNT 12; which word takes what is clauses.c's table. */
%type clauses {ast_clause_t *}
clauses(C) ::= .                                         { C = NULL; }
clauses(C) ::= clauses(A) clause(B).                     { C = ast_clause_append(A, B); }

%type clause {ast_clause_t *}
clause(C) ::= IDENT(K) values(V).                        { C = ast_clause(ctx, &K, V); }
clause(C) ::= IN(K) values(V).                           { C = ast_clause(ctx, &K, V); }

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
/* Ages as Japanese writes them, each one token (tokenize.c): 18歳以上,
 * 39歳以下 or 39歳まで, 18歳未満, 18歳から, 18歳から39歳(まで|未満),
 * 18歳以上39歳(以下|未満). */
value(V) ::= ATLEAST(A).                                 { V = ast_age(ctx, &A, NULL); }
value(V) ::= ATMOST(A).                                  { V = ast_age(ctx, &A, NULL); }
value(V) ::= UNDER(A).                                   { V = ast_age(ctx, &A, NULL); }
value(V) ::= UPFROM(A).                                  { V = ast_age(ctx, &A, NULL); }
value(V) ::= UPFROM(A) NUMBER(B).                        { V = ast_age(ctx, &A, &B); }
value(V) ::= UPFROM(A) ATMOST(B).                        { V = ast_age(ctx, &A, &B); }
value(V) ::= UPFROM(A) UNDER(B).                         { V = ast_age(ctx, &A, &B); }
value(V) ::= ATLEAST(A) ATMOST(B).                       { V = ast_age(ctx, &A, &B); }
value(V) ::= ATLEAST(A) UNDER(B).                        { V = ast_age(ctx, &A, &B); }
