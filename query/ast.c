/* ast — builders and the statement arena; see ast.h. */
#include "ast.h"
#include "gen/tsunagi.h"
#include "bounds.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
} chunk_t;

struct ast_arena {
    chunk_t *head;
};

ast_arena_t *ast_arena_new(void) { return calloc(1, sizeof(ast_arena_t)); }

void *ast_alloc(gram_ctx_t *ctx, size_t n)
{
    ast_arena_t *a = ctx->arena;
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    chunk_t *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > 16384 ? n : 16384;
        c = malloc(sizeof *c + size);
        if (!c) {
            gram_fail(ctx, TSG_ENOMEM, NULL, _("out of memory"));
            return NULL;
        }
        c->used = 0;
        c->size = size;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void ast_arena_reset(ast_arena_t *a)
{
    /* Keep one chunk for the next statement; most statements fit in it. */
    chunk_t *c = a->head;
    if (!c) return;
    chunk_t *keep = c;
    for (c = c->next; c;) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
}

void ast_arena_free(ast_arena_t *a)
{
    if (!a) return;
    for (chunk_t *c = a->head; c;) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

static ast_stmt_t *stmt(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw)
{
    ast_stmt_t *s = ast_alloc(ctx, sizeof *s);
    if (s) {
        s->kind = kind;
        s->kw = *kw;
    }
    return s;
}

ast_stmt_t *ast_find(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *what, ast_cond_t *where,
                     ast_node_t *scope)
{
    ast_stmt_t *s = stmt(ctx, AST_FIND, kw);
    if (s) {
        s->what = *what;
        s->where = where;
        s->scope = scope;
    }
    return s;
}

ast_stmt_t *ast_count(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *what, ast_cond_t *where,
                      ast_node_t *scope, const gram_token_t *by)
{
    ast_stmt_t *s = ast_find(ctx, kw, what, where, scope);
    if (s) {
        s->kind = AST_COUNT;
        if (by) s->by = *by; /* no BY: the total (by.n == 0) */
    }
    return s;
}

ast_stmt_t *ast_show(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node)
{
    ast_stmt_t *s = stmt(ctx, AST_SHOW, kw);
    if (s) s->a = node;
    return s;
}

ast_stmt_t *ast_let(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *name, ast_stmt_t *find)
{
    ast_stmt_t *s = stmt(ctx, AST_LET, kw);
    if (s) {
        s->what = *name;
        s->find = find;
    }
    return s;
}

ast_stmt_t *ast_add(gram_ctx_t *ctx, const gram_token_t *kw, const gram_token_t *type, ast_value_t *name,
                    ast_clause_t *c)
{
    ast_stmt_t *s = stmt(ctx, AST_ADD, kw);
    if (s) {
        s->what = *type;
        s->v = name;
        s->clauses = c;
    }
    return s;
}

ast_stmt_t *ast_set(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node, ast_clause_t *c)
{
    ast_stmt_t *s = stmt(ctx, AST_SET, kw);
    if (s) {
        s->a = node;
        s->clauses = c;
    }
    return s;
}

ast_stmt_t *ast_remove(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *node, ast_clause_t *c)
{
    ast_stmt_t *s = stmt(ctx, AST_REMOVE, kw);
    if (s) {
        s->a = node;
        s->clauses = c;
    }
    return s;
}

ast_stmt_t *ast_erase(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, gram_token_t *kind)
{
    ast_stmt_t *s = stmt(ctx, b ? AST_UNTIE : AST_REMOVE, kw);
    if (s) {
        s->a = a;
        s->b = b;
        s->tiekind = kind;
        s->erase = 1;
    }
    return s;
}

ast_stmt_t *ast_tie(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, const gram_token_t *kind,
                    ast_clause_t *c)
{
    ast_stmt_t *s = stmt(ctx, AST_TIE, kw);
    if (s) {
        s->a = a;
        s->b = b;
        s->tiekind = ast_token(ctx, kind);
        s->clauses = c;
    }
    return s;
}

ast_stmt_t *ast_untie(gram_ctx_t *ctx, const gram_token_t *kw, ast_node_t *a, ast_node_t *b, gram_token_t *kind,
                      ast_clause_t *c)
{
    ast_stmt_t *s = stmt(ctx, AST_UNTIE, kw);
    if (s) {
        s->a = a;
        s->b = b;
        s->tiekind = kind;
        s->clauses = c;
    }
    return s;
}

ast_stmt_t *ast_analysis(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, ast_slots_t *c, ast_cond_t *where)
{
    ast_stmt_t *s = stmt(ctx, kind, kw);
    if (s) {
        if (c) memcpy(s->cl, c->c, sizeof s->cl);
        s->where = where;
    }
    return s;
}

ast_stmt_t *ast_whatif(gram_ctx_t *ctx, const gram_token_t *kw, ast_change_t *change, ast_stmt_t *inner)
{
    ast_stmt_t *s = stmt(ctx, AST_WHATIF, kw);
    if (s) {
        s->change = change;
        s->inner = inner;
    }
    return s;
}

ast_change_t *ast_change(gram_ctx_t *ctx, ast_nodes_t *without, ast_newtie_t *ties)
{
    ast_change_t *c = ast_alloc(ctx, sizeof *c);
    if (c) {
        c->without = without;
        c->ties = ties;
    }
    return c;
}

ast_nodes_t *ast_nodes(gram_ctx_t *ctx, ast_nodes_t *list, ast_node_t *n)
{
    ast_nodes_t *e = ast_alloc(ctx, sizeof *e);
    if (!e) return list;
    e->node = n;
    e->next = NULL;
    e->tail = e;
    if (!list) return e;
    list->tail->next = e;
    list->tail = e;
    return list;
}

ast_newtie_t *ast_newtie(gram_ctx_t *ctx, ast_newtie_t *list, ast_node_t *a, ast_node_t *b, const gram_token_t *kind)
{
    ast_newtie_t *e = ast_alloc(ctx, sizeof *e);
    if (!e) return list;
    e->a = a;
    e->b = b;
    e->kind = *kind;
    e->next = NULL;
    e->tail = e;
    if (!list) return e;
    list->tail->next = e;
    list->tail = e;
    return list;
}

ast_stmt_t *ast_with_tail(gram_ctx_t *ctx, ast_stmt_t *s, ast_tail_t *tail)
{
    (void)ctx;
    if (s) s->tail = tail;
    return s;
}

ast_tail_t *ast_tail(gram_ctx_t *ctx, const gram_token_t *kw, ast_key_t *keys, ast_value_t *limit)
{
    ast_tail_t *t = ast_alloc(ctx, sizeof *t);
    if (!t) return NULL;
    t->kw = *kw;
    t->keys = keys;
    t->limit = limit;
    return t;
}

ast_key_t *ast_key(gram_ctx_t *ctx, ast_value_t *col, int desc)
{
    ast_key_t *k = ast_alloc(ctx, sizeof *k);
    if (!k) return NULL;
    k->col = col;
    k->desc = desc;
    return k;
}

ast_key_t *ast_key_append(ast_key_t *list, ast_key_t *more)
{
    if (!list) return more;
    if (!more) return list;
    ast_key_t *last = list->tail ? list->tail : list;
    last->next = more;
    list->tail = more;
    return list;
}

ast_stmt_t *ast_analysis_word(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, const gram_token_t *word,
                              ast_slots_t *c)
{
    ast_stmt_t *s = ast_analysis(ctx, kind, kw, c, NULL);
    if (s && !(s->v = ast_value(ctx, AST_V_WORD, word))) return NULL;
    if (s) s->what = *word;
    return s;
}

ast_stmt_t *ast_changes(gram_ctx_t *ctx, ast_skind_t kind, const gram_token_t *kw, const gram_token_t *word,
                        ast_value_t *then, ast_value_t *now, ast_value_t *other, ast_slots_t *c)
{
    ast_stmt_t *s = word ? ast_analysis_word(ctx, kind, kw, word, c) : ast_analysis(ctx, kind, kw, c, NULL);
    if (s) {
        s->then = then;
        s->now = now;
        s->other = other;
    }
    return s;
}

ast_clause_t *ast_slot(gram_ctx_t *ctx, ast_cl_t slot, const gram_token_t *key, ast_value_t *v, ast_node_t *n)
{
    ast_clause_t *c = ast_alloc(ctx, sizeof *c);
    if (c) {
        c->key = *key;
        c->v = v;
        c->node = n;
        c->slot = (int)slot;
    }
    return c;
}

ast_slots_t *ast_slots_add(gram_ctx_t *ctx, ast_slots_t *s, ast_clause_t *c)
{
    if (!c) return s;
    if (!s && !(s = ast_alloc(ctx, sizeof *s))) return NULL;
    if (s->c[c->slot]) {
        gram_fail(ctx, TSG_EINPUT, &c->key, _("%.*s is given twice"), (int)c->key.n, c->key.z);
        return s;
    }
    s->c[c->slot] = c;
    return s;
}

gram_token_t *ast_token(gram_ctx_t *ctx, const gram_token_t *t)
{
    gram_token_t *p = ast_alloc(ctx, sizeof *p);
    if (p) *p = *t;
    return p;
}

ast_node_t *ast_node(gram_ctx_t *ctx, const gram_token_t *type, ast_value_t *v)
{
    ast_node_t *n = ast_alloc(ctx, sizeof *n);
    if (n) {
        n->type = type ? ast_token(ctx, type) : NULL;
        n->v = v;
    }
    return n;
}

static ast_cond_t *cond(gram_ctx_t *ctx, ast_ckind_t kind)
{
    ast_cond_t *c = ast_alloc(ctx, sizeof *c);
    if (c) c->kind = kind;
    return c;
}

/* Sets a new node's depth from its children; too deep is an error. */
static ast_cond_t *deepen(gram_ctx_t *ctx, ast_cond_t *c)
{
    if (!c) return NULL;
    int da = c->a ? c->a->depth : 0, db = c->b ? c->b->depth : 0;
    c->depth = 1 + (da > db ? da : db);
    if (c->depth > AST_MAX_COND_DEPTH)
        gram_fail(ctx, TSG_EINPUT, &c->tok, _("the condition combines more than %d parts; split the statement"),
                  AST_MAX_COND_DEPTH);
    return c;
}

ast_cond_t *ast_binary(gram_ctx_t *ctx, ast_ckind_t kind, ast_cond_t *a, ast_cond_t *b)
{
    ast_cond_t *c = cond(ctx, kind);
    if (c) {
        c->a = a;
        c->b = b;
        if (b) c->tok = b->tok;
    }
    return deepen(ctx, c);
}

ast_cond_t *ast_not(gram_ctx_t *ctx, const gram_token_t *kw, ast_cond_t *a)
{
    ast_cond_t *c = cond(ctx, AST_NOT);
    if (c) {
        c->a = a;
        c->tok = *kw;
    }
    return deepen(ctx, c);
}

ast_cond_t *ast_compare(gram_ctx_t *ctx, const gram_token_t *field, int op, ast_value_t *v)
{
    ast_cond_t *c = cond(ctx, AST_CMP);
    if (c) {
        c->op = op;
        c->tok = *field;
        c->v = v;
    }
    return c;
}

ast_cond_t *ast_compare_word(gram_ctx_t *ctx, const gram_token_t *field, const gram_token_t *word, ast_value_t *v)
{
    const char *w = word->fold ? word->fold : "";
    if ((strcmp(w, "before") && strcmp(w, "after")) || !v) {
        gram_fail(ctx, TSG_EINPUT, word, _("'%.*s' after '%.*s' is no comparison (=, !=, <, <=, >, >=, IN, BEFORE, AFTER)"),
                  (int)word->n, word->z, (int)field->n, field->z);
        return NULL;
    }
    return ast_compare(ctx, field, strcmp(w, "before") ? AST_GT : AST_LT, v);
}

ast_clause_t *ast_using(gram_ctx_t *ctx, const gram_token_t *key, ast_value_t *v, const gram_token_t *ties)
{
    if (!ties->fold || strcmp(ties->fold, "ties")) {
        gram_fail(ctx, TSG_EINPUT, ties, _("USING takes 'confirmed ties', not '%.*s'"), (int)ties->n, ties->z);
        return NULL;
    }
    return ast_slot(ctx, AST_CL_USING, key, v, NULL);
}

ast_cond_t *ast_compare_list(gram_ctx_t *ctx, const gram_token_t *field, ast_value_t *v)
{
    ast_cond_t *c = ast_compare(ctx, field, AST_IN, v);
    if (c) c->list = 1;
    return c;
}

ast_cond_t *ast_tied(gram_ctx_t *ctx, const gram_token_t *kw, ast_cond_t *target, gram_token_t *kind)
{
    ast_cond_t *c = cond(ctx, AST_TIED);
    if (c) {
        c->tok = *kw;
        c->a = target;
        c->tiekind = kind;
    }
    return deepen(ctx, c);
}

ast_cond_t *ast_tied_node(gram_ctx_t *ctx, ast_node_t *n)
{
    ast_cond_t *c = n ? cond(ctx, AST_TIED_VALUE) : NULL;
    if (c) {
        c->node = n;
        c->v = n->v;
        if (n->v) c->tok = n->v->tok;
    }
    return c;
}

ast_clause_t *ast_clause(gram_ctx_t *ctx, const gram_token_t *key, ast_value_t *v)
{
    ast_clause_t *c = ast_alloc(ctx, sizeof *c);
    if (c) {
        c->key = *key;
        c->v = v;
        c->slot = -1;
        c->fold = key->fold ? key->fold : "";
    }
    return c;
}

ast_clause_t *ast_clause_append(ast_clause_t *list, ast_clause_t *more)
{
    if (!list) return more;
    if (!more) return list;
    ast_clause_t *last = list->tail ? list->tail : list;
    last->next = more;
    list->tail = more->tail ? more->tail : more;
    return list;
}

/* Copies a token's text into the arena: a quoted name without its quotes and
 * with doubled quotes undone, a parameter without its '$'. */
static const char *token_text(gram_ctx_t *ctx, ast_vkind_t kind, const gram_token_t *t)
{
    const char *z = t->z;
    size_t n = t->n;
    char *s = ast_alloc(ctx, n + 1);
    if (!s) return NULL;
    if (kind != AST_V_STRING) {
        /* A parameter drops its '$', which may be the full-width '＄' (3 bytes). */
        size_t skip = kind != AST_V_PARAM ? 0 : (unsigned char)z[0] < 0x80 ? 1 : 3;
        memcpy(s, z + skip, n - skip);
        s[n - skip] = '\0';
        return s;
    }
    /* The quotes are the tokenizer's (gram_quote_close): only one that
     * closes with itself is doubled inside; brackets nest and are text. */
    size_t k, j = 0;
    int32_t open = gram_char(z, n, &k), q = gram_quote_close(open);
    size_t i = k, end = n;
    while (end > i && ((unsigned char)z[end - 1] & 0xC0) == 0x80) end--;
    end--; /* the closing quote's first byte */
    while (i < end) {
        int32_t c = gram_char(z + i, end - i, &k);
        memcpy(s + j, z + i, k);
        j += k;
        i += k;
        if (c == q && q == open && i < end) { /* a doubled quote stands for one */
            gram_char(z + i, end - i, &k);
            i += k;
        }
    }
    s[j] = '\0';
    return s;
}

ast_value_t *ast_value(gram_ctx_t *ctx, ast_vkind_t kind, const gram_token_t *t)
{
    ast_value_t *v = ast_alloc(ctx, sizeof *v);
    if (!v) return NULL;
    v->kind = kind;
    v->tok = *t;
    if (kind != AST_V_STAR && !(v->text = token_text(ctx, kind, t))) return NULL;
    if (kind == AST_V_WORD) v->fold = t->fold ? t->fold : ""; /* the tokenizer folded it */
    return v;
}

/* A whole number; full-width digits are mapped by the tokenizer's rules. */
int ast_token_number(const gram_token_t *t, long *out)
{
    /* The token is a slice; util_parse_whole reads a string. A token too
     * long for the copy is far above any limit. Its digits only, without
     * an age's 歳 and 以上, 以下, … (tokenize.c). */
    char digits[64];
    size_t n = 0, k;
    for (int32_t c; n < t->n && (c = gram_char(t->z + n, t->n - n, &k)) >= '0' && c <= '9';) n += k;
    if (n >= sizeof digits) return -2;
    memcpy(digits, t->z, n);
    digits[n] = '\0';
    return util_parse_whole(digits, UTIL_MAX_NUMBER, out);
}

static long number(gram_ctx_t *ctx, const gram_token_t *t)
{
    long v = 0;
    if (ast_token_number(t, &v)) {
        gram_fail(ctx, TSG_EINPUT, t, _("number too large (at most %ld)"), UTIL_MAX_NUMBER);
        return 0;
    }
    return v;
}

ast_value_t *ast_number(gram_ctx_t *ctx, const gram_token_t *t)
{
    ast_value_t *v = ast_alloc(ctx, sizeof *v);
    if (!v) return NULL;
    v->kind = AST_V_NUMBER;
    v->tok = *t;
    v->lo = v->hi = number(ctx, t);
    v->has_lo = v->has_hi = 1;
    return v;
}

ast_value_t *ast_at_date(gram_ctx_t *ctx, const gram_token_t *t)
{
    /* The date without 時点 or 時点で (tokenize.c made them one token). */
    gram_token_t d = *t;
    size_t cut = d.n >= 9 && !memcmp(d.z + d.n - 9, "時点で", 9) ? 9 : 6;
    d.n = d.n > cut ? d.n - cut : 0;
    d.fold = NULL;
    int32_t c = d.n ? gram_char(d.z, d.n, &(size_t){0}) : 0;
    if (c >= '0' && c <= '9') {
        d.type = TK_NUMBER;
        return ast_number(ctx, &d);
    }
    d.type = TK_STRING;
    return ast_value(ctx, AST_V_STRING, &d);
}

ast_stmt_t *ast_as_of(gram_ctx_t *ctx, ast_stmt_t *s, ast_clause_t *c)
{
    (void)ctx;
    if (s && c) s->cl[AST_CL_ASOF] = c;
    return s;
}

ast_value_t *ast_range(gram_ctx_t *ctx, const gram_token_t *a, const gram_token_t *b)
{
    ast_value_t *v = ast_alloc(ctx, sizeof *v);
    if (!v) return NULL;
    v->kind = AST_V_RANGE;
    v->tok = *a;
    v->tok.n = (size_t)(b->z + b->n - a->z);
    if (a->type == TK_NUMBER) {
        v->lo = number(ctx, a);
        v->has_lo = 1;
    }
    if (b->type == TK_NUMBER) {
        v->hi = number(ctx, b);
        v->has_hi = 1;
    }
    size_t k;
    int32_t mark = gram_char(a->z + a->n, b->z - (a->z + a->n), &k);
    if (v->has_lo && v->has_hi && v->lo > v->hi && mark != '.' && mark != '~' && mark != 0x301C)
        /* A dash between two numbers is a range (18-39), so an unquoted
         * date (AS OF 2025-04) arrives here. */
        gram_fail(ctx, TSG_EINPUT, &v->tok,
                  _("'%.*s' is not a range (its start is after its end); write a date in quotes ('2025-04') "
                    "and a range as 18..39 or 18～39"),
                  (int)v->tok.n, v->tok.z);
    else if (v->has_lo && v->has_hi && v->lo > v->hi)
        gram_fail(ctx, TSG_EINPUT, &v->tok, _("the range %ld..%ld is empty (its start is after its end)"), v->lo, v->hi);
    return v;
}

ast_value_t *ast_age(gram_ctx_t *ctx, const gram_token_t *a, const gram_token_t *b)
{
    ast_value_t *v = ast_alloc(ctx, sizeof *v);
    if (!v) return NULL;
    v->kind = AST_V_RANGE;
    v->tok = *a;
    if (b) v->tok.n = (size_t)(b->z + b->n - a->z);
    const gram_token_t *hi = a->type == TK_UPFROM || a->type == TK_ATLEAST ? b : a;
    if (a->type == TK_UPFROM || a->type == TK_ATLEAST) {
        v->lo = number(ctx, a);
        v->has_lo = 1;
    }
    if (hi) {
        v->hi = number(ctx, hi);
        v->has_hi = 1;
        if (hi->type == TK_UNDER) {
            /* 未満 is "under": 18歳未満 is up to 17. */
            if (v->hi == 0) {
                gram_fail(ctx, TSG_EINPUT, hi, _("no age is under 0"));
                return v;
            }
            v->hi--;
        }
    }
    if (v->has_lo && v->has_hi && v->lo > v->hi)
        gram_fail(ctx, TSG_EINPUT, &v->tok, _("the range %ld..%ld is empty (its start is after its end)"), v->lo, v->hi);
    return v;
}

ast_value_t *ast_append(ast_value_t *list, ast_value_t *v)
{
    if (!list) return v;
    if (!v) return list;
    ast_value_t *last = list->tail ? list->tail : list;
    last->next = v;
    list->tail = v;
    return list;
}
