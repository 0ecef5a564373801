/*
 * ast — the syntax tree of one statement, and the builders the grammar's
 * actions call. Every node is allocated from the statement's arena (owned by
 * the parse context) and freed with it in one sweep; builders never free.
 * When the arena cannot allocate, a builder records TSG_ENOMEM in the parse
 * context and returns NULL, and the parse fails as a whole.
 */
#ifndef TSG_QUERY_AST_H
#define TSG_QUERY_AST_H

#include "parser.h"

typedef enum ast_vkind { AST_V_STRING, AST_V_WORD, AST_V_PARAM, AST_V_STAR, AST_V_NUMBER, AST_V_RANGE } ast_vkind_t;

typedef struct ast_value {
    ast_vkind_t kind;
    gram_token_t tok;  /* the whole value, e.g. "18..39" */
    const char *text;  /* STRING: unescaped; WORD/PARAM: the word (PARAM without '$') */
    const char *fold;  /* WORD: the word folded once (NFKC, case; util_fold), for comparing with
                          a list of words; no consumer folds again. NULL for other kinds */
    long lo, hi;       /* NUMBER: lo == hi; RANGE: bounds */
    int has_lo, has_hi;
    struct ast_value *next;
    struct ast_value *tail; /* in a list's first value: its last, so appends are O(1) */
} ast_value_t;

enum { AST_EQ, AST_NE, AST_LT, AST_LE, AST_GT, AST_GE, AST_IN, AST_OVERLAPS };

typedef enum ast_ckind { AST_AND, AST_OR, AST_NOT, AST_CMP, AST_TIED, AST_TIED_VALUE } ast_ckind_t;

typedef struct ast_cond {
    ast_ckind_t kind;
    int op;               /* AST_CMP: AST_EQ ... AST_OVERLAPS */
    gram_token_t tok;     /* the field (CMP), NOT or TIED keyword */
    struct ast_cond *a, *b;
    ast_value_t *v;       /* CMP: the value(s); TIED_VALUE: the node or set (node->v) */
    struct ast_node *node; /* TIED_VALUE: the node reference */
    gram_token_t *tiekind;
    int depth;            /* levels below and including this node */
    int list;             /* AST_IN: the values were written in parentheses, IN (a, …) */
} ast_cond_t;

/* Conditions deeper than this are refused, so evaluating one (recursively)
 * can never exhaust the stack; SQLite's own limit on expression depth is 1000. */
#define AST_MAX_COND_DEPTH 500

typedef struct ast_node ast_node_t;
struct ast_node {
    gram_token_t *type;   /* organisation, program, ... or NULL */
    ast_value_t *v;
};

/* The clauses of the analyses and the pictures, one slot each: the grammar
 * (tsunagi.y) says which clauses each statement takes and in what shape, so
 * a slot holds what its rule read (values, or a node reference). */
typedef enum ast_cl {
    AST_CL_FOR, AST_CL_AGED, AST_CL_IN, AST_CL_NEEDS, AST_CL_BY, AST_CL_WITHIN, AST_CL_ASOF, AST_CL_FROM, AST_CL_TO,
    AST_CL_VIA, AST_CL_MAX, AST_CL_OF, AST_CL_TOP, AST_CL_WEIGHTED, AST_CL_DIRECTED, AST_CL_SAMPLE, AST_CL_SECTORS,
    AST_CL_BETWEEN, AST_CL_CLUSTER, AST_CL_HIGHLIGHT, AST_CL_LABELS,
    AST_CL_VIEW, AST_CL_WITHOUT, AST_CL_WITH, AST_CL_USING, AST_CL_N
} ast_cl_t;

typedef struct ast_clause {
    gram_token_t key;     /* the clause's first word, as written */
    const char *fold;     /* ADD/SET/TIE: that word folded (the open word list of clauses.c) */
    ast_value_t *v;       /* its values (NULL for WEIGHTED, DIRECTED and node references) */
    ast_node_t *node;     /* FROM, TO, IN, OF: the node reference */
    int slot;             /* its ast_cl_t, or -1 in an ADD/SET/TIE list */
    struct ast_clause *next;
    struct ast_clause *tail; /* in a list's first clause: its last */
} ast_clause_t;

/* ORDER BY's keys and LIMIT: a tail any statement may have in the grammar;
 * the session refuses it on a statement that answers without a table. */
typedef struct ast_key {
    ast_value_t *col;     /* a column's header, as a word or in quotes */
    int desc;
    struct ast_key *next;
    struct ast_key *tail; /* in a list's first key: its last */
} ast_key_t;

typedef struct ast_tail {
    gram_token_t kw;      /* ORDER or LIMIT, where an error about the tail points */
    ast_key_t *keys;      /* NULL without ORDER BY */
    ast_value_t *limit;   /* NULL without LIMIT */
} ast_tail_t;

typedef enum ast_skind {
    AST_FIND, AST_COUNT, AST_SHOW, AST_LET, AST_ADD, AST_SET, AST_REMOVE, AST_TIE, AST_UNTIE,
    AST_GAPS, AST_COVERAGE, AST_PATH, AST_REACH, AST_HORIZONTAL, AST_CENTRALITY, AST_BROKERS,
    AST_THIN_LINKS, AST_EXPORT, AST_RENDER, AST_REPORT, AST_FORUMS, AST_WHATIF, AST_CRITICAL, AST_SUGGEST,
    AST_COMPARE
} ast_skind_t;

/* WHAT IF's change: the nodes taken away (WITHOUT a, b) and the ties added
 * (WITH TIE a -> b AS kind, …), each list in the order written. */
typedef struct ast_nodes {
    ast_node_t *node;
    struct ast_nodes *next;
    struct ast_nodes *tail; /* in a list's first entry: its last */
} ast_nodes_t;

typedef struct ast_newtie {
    ast_node_t *a, *b;
    gram_token_t kind;
    struct ast_newtie *next;
    struct ast_newtie *tail;
} ast_newtie_t;

typedef struct ast_change {
    ast_nodes_t *without;
    ast_newtie_t *ties;
} ast_change_t;

struct ast_stmt {
    ast_skind_t kind;
    gram_token_t kw;      /* the statement's first keyword */
    gram_token_t what;    /* FIND/COUNT: the kind or set; ADD: the type; LET: the name */
    gram_token_t by;      /* COUNT ... BY */
    ast_cond_t *where;
    ast_node_t *scope;    /* IN 'district' (a node reference) */
    ast_stmt_t *find;     /* LET name = FIND ... */
    ast_node_t *a, *b;    /* SHOW/SET/REMOVE: a; TIE/UNTIE: a -> b */
    gram_token_t *tiekind;
    int erase;            /* REMOVE/UNTIE written ERASE: a real delete, for a mistake */
    ast_value_t *v;       /* ADD: the name; CENTRALITY: the measure; EXPORT: the format; REPORT: GAPS */
    ast_clause_t *clauses; /* ADD, SET, TIE: the field clauses, in order */
    ast_clause_t *cl[AST_CL_N]; /* the analyses and pictures: each clause in its slot, or NULL */
    ast_tail_t *tail;     /* ORDER BY … LIMIT n, or NULL */
    ast_change_t *change; /* WHAT IF: the change, */
    ast_stmt_t *inner;    /* and the statement run before and after it */
    /* COMPARE, RENDER CHANGES, REPORT CHANGES: the two dates ('then' TO
     * 'now'), or with WITH the other file in `other` and then = now = NULL. */
    ast_value_t *then, *now, *other;
};

/* The slots being filled while a statement's clauses are parsed. */
typedef struct ast_slots {
    ast_clause_t *c[AST_CL_N];
} ast_slots_t;

/* The clauses statement `kw` (a TK_ code) takes, as a sentence for an
 * error, or NULL (query/clauses.c). */
const char *qry_shape(int kw);

/* The arena: chunks of memory handed out in order, freed together. */
ast_arena_t *ast_arena_new(void);
void *ast_alloc(gram_ctx_t *ctx, size_t n);
void ast_arena_reset(ast_arena_t *a);
void ast_arena_free(ast_arena_t *a);

/* Builders, called from tsunagi.y. */
ast_stmt_t *ast_find(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *what, ast_cond_t *where, ast_node_t *scope);
ast_stmt_t *ast_count(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *what, ast_cond_t *where,
                      ast_node_t *scope, const gram_token_t *by);
ast_stmt_t *ast_show(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node);
ast_stmt_t *ast_let(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *name, ast_stmt_t *find);
ast_stmt_t *ast_add(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *type, ast_value_t *name, ast_clause_t *c);
ast_stmt_t *ast_set(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node, ast_clause_t *c);
ast_stmt_t *ast_remove(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node, ast_clause_t *c);
/* ERASE node (b NULL) or ERASE a -> b [AS kind]: REMOVE or UNTIE that deletes. */
ast_stmt_t *ast_erase(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, gram_token_t *kind);
ast_stmt_t *ast_tie(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, const gram_token_t *kind,
                    ast_clause_t *c);
ast_stmt_t *ast_untie(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, gram_token_t *kind,
                      ast_clause_t *c);
ast_stmt_t *ast_analysis(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, ast_slots_t *c, ast_cond_t *where);
/* An analysis named by a word after its keyword: CENTRALITY's measure,
 * EXPORT's format, REPORT's GAPS (what, and v the word as a value). */
ast_stmt_t *ast_analysis_word(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, const gram_token_t *word,
                              ast_slots_t *c);
/* COMPARE 'then' TO 'now' … or COMPARE WITH 'other' … (then, now NULL);
 * kind is AST_COMPARE, or AST_RENDER / AST_REPORT for their CHANGES form
 * (word: CHANGES, kept in what and v as ast_analysis_word does). */
ast_stmt_t *ast_changes(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, const gram_token_t *word,
                        ast_value_t *then, ast_value_t *now, ast_value_t *other, ast_slots_t *c);
/* A clause for slot `slot` (values v or node reference n); ast_slots_add
 * puts it in its slot, refusing a clause given twice (at its word). */
ast_clause_t *ast_slot(gram_ctx_t *ctx, ast_cl_t slot, const gram_token_t *key, ast_value_t *v, ast_node_t *n);
ast_slots_t *ast_slots_add(gram_ctx_t *ctx, ast_slots_t *s, ast_clause_t *c);
/* WHAT IF change stmt (query/whatif.c runs it). */
ast_stmt_t *ast_whatif(gram_ctx_t *ctx, const gram_token_t *kw, ast_change_t *change, ast_stmt_t *inner);
ast_change_t *ast_change(gram_ctx_t *ctx, ast_nodes_t *without, ast_newtie_t *ties);
ast_nodes_t *ast_nodes(gram_ctx_t *ctx, ast_nodes_t *list, ast_node_t *n);
ast_newtie_t *ast_newtie(gram_ctx_t *ctx, ast_newtie_t *list, ast_node_t *a, ast_node_t *b, const gram_token_t *kind);
/* USING value ties: the slot AST_CL_USING holding the value (the session
 * checks the word); a last word other than "ties" is an error at it. */
ast_clause_t *ast_using(gram_ctx_t *ctx, const gram_token_t *key, ast_value_t *v, const gram_token_t *ties);
ast_stmt_t *ast_with_tail(gram_ctx_t *ctx, ast_stmt_t *s, ast_tail_t *tail);
ast_tail_t *ast_tail(gram_ctx_t *ctx, const gram_token_t *kw, ast_key_t *keys, ast_value_t *limit);
ast_key_t *ast_key(gram_ctx_t *ctx, ast_value_t *col, int desc);
ast_key_t *ast_key_append(ast_key_t *list, ast_key_t *more);
gram_token_t *ast_token(gram_ctx_t *ctx, const gram_token_t *t);
ast_node_t *ast_node(gram_ctx_t *ctx, const gram_token_t *type, ast_value_t *v);
ast_cond_t *ast_binary(gram_ctx_t *ctx, ast_ckind_t kind, ast_cond_t *a, ast_cond_t *b);
ast_cond_t *ast_not(gram_ctx_t *ctx, const gram_token_t *kw, ast_cond_t *a);
ast_cond_t *ast_compare(gram_ctx_t *ctx, const gram_token_t *field, int op, ast_value_t *v);
/* field IN (a, …): a list in parentheses, even of one value. */
/* field BEFORE value / field AFTER value: < and > in words; any other
 * word there is an error at it. */
ast_cond_t *ast_compare_word(gram_ctx_t *ctx, const gram_token_t *field, const gram_token_t *word, ast_value_t *v);
ast_cond_t *ast_compare_list(gram_ctx_t *ctx, const gram_token_t *field, ast_value_t *v);
ast_cond_t *ast_tied(gram_ctx_t *ctx, const gram_token_t *kw, ast_cond_t *target, gram_token_t *kind);
ast_cond_t *ast_tied_node(gram_ctx_t *ctx, ast_node_t *n);
ast_clause_t *ast_clause(gram_ctx_t *ctx, const gram_token_t *key, ast_value_t *v);
ast_clause_t *ast_clause_append(ast_clause_t *list, ast_clause_t *more);
ast_value_t *ast_value(gram_ctx_t *ctx, ast_vkind_t kind, const gram_token_t *t);
ast_value_t *ast_number(gram_ctx_t *ctx, const gram_token_t *t);
ast_value_t *ast_range(gram_ctx_t *ctx, const gram_token_t *a, const gram_token_t *b);
/* An age written the Japanese way, one token or two (tsunagi.y): a is
 * ATLEAST (18歳以上: 18..), ATMOST (39歳以下, 39歳まで: ..39), UNDER
 * (18歳未満: ..17) or UPFROM (18歳から: 18..); after UPFROM or ATLEAST,
 * b, when given, is the upper end (NUMBER, ATMOST or UNDER). */
ast_value_t *ast_age(gram_ctx_t *ctx, const gram_token_t *a, const gram_token_t *b);
ast_value_t *ast_append(ast_value_t *list, ast_value_t *v);
/* The date of an ATDATE token ('2025-04-01'時点, 2025時点): a STRING or a
 * NUMBER (a year), as AS OF would have read it. */
ast_value_t *ast_at_date(gram_ctx_t *ctx, const gram_token_t *t);
/* FIND, COUNT and SHOW with their AS OF clause (c may be NULL): s. */
ast_stmt_t *ast_as_of(gram_ctx_t *ctx, ast_stmt_t *s, ast_clause_t *c);
/* The number a NUMBER or age token (18, １８, 18歳以上) starts with: 0, -1
 * when it has no digits, -2 when it is above UTIL_MAX_NUMBER. */
int ast_token_number(const gram_token_t *t, long *out);

#endif
