/*
 * complete — the words that may come next, for the REPL's Tab: which
 * keywords, whether a word, a name or a number, is what the grammar says
 * (gram_expect asks the lemon parser); which words fill a value is what the
 * tables the evaluators read say: the vocabulary kind of a clause
 * (clauses.c), the measures (engine/structure.c), the kinds and their WHERE
 * fields (eval.c), the districts and the LET sets. And .sets' table.
 */
#include "query.h"
#include "clauses.h"
#include "result.h"
#include "structure.h"
#include "gen/tsunagi.h"
#include "i18n.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct words {
    char **w;
    size_t n, cap;
    int fail;
} words_t;

static void add(words_t *ws, const char *word)
{
    if (ws->fail) return;
    for (size_t i = 0; i < ws->n; i++)
        if (!strcmp(ws->w[i], word)) return;
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 32;
        char **grown = realloc(ws->w, ws->cap * sizeof *grown);
        if (!grown) {
            ws->fail = 1;
            return;
        }
        ws->w = grown;
    }
    if (!(ws->w[ws->n] = util_strdup(word))) ws->fail = 1;
    else ws->n++;
}

/* Adds word when it starts with prefix: keywords, kinds, fields and
 * measures are ASCII and read whatever the case. */
static void add_ascii(words_t *ws, const char *word, const char *prefix)
{
    if (!strncasecmp(word, prefix, strlen(prefix))) add(ws, word);
}

/* Keys of a vocabulary kind (NULL: every kind), and their Japanese labels
 * once something is typed. */
static void add_vocab(qry_session_t *s, words_t *ws, const char *kind, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < s->vocab.n; i++) {
        const store_vocab_entry_t *e = &s->vocab.e[i];
        if (kind && strcmp(e->kind, kind)) continue;
        if (!strncmp(e->key, prefix, plen)) add(ws, e->key);
        if (plen && !strncmp(e->label, prefix, plen)) add(ws, e->label);
    }
}

static void add_names(qry_session_t *s, words_t *ws, unsigned types, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < s->nnames; i++)
        if ((types & (1u << s->names[i].type)) && !strncmp(s->names[i].name, prefix, plen)) add(ws, s->names[i].name);
}

static void add_sets(qry_session_t *s, words_t *ws, const char *prefix)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT name FROM temp.tsg_setname ORDER BY name", -1, &q, NULL) != SQLITE_OK) return;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (name && !strncmp(name, prefix, strlen(prefix))) add(ws, name);
    }
    sqlite3_finalize(q);
}

/* Whether a token is the given keyword. */
static int is(const gram_token_t *t, int type) { return t->type == type; }

static char *fold_token(const gram_token_t *t)
{
    char *z = t->type ? util_strndup(t->z, t->n) : NULL;
    char *f = z ? util_fold(z) : NULL;
    free(z);
    return f;
}

/* The words that fill a bare word where the grammar takes one. */
static void add_values(qry_session_t *s, words_t *ws, const gram_expect_t *x, const char *prefix)
{
    const gram_token_t *prev = &x->prev;
    char *what = fold_token(&x->what);
    if ((is(prev, TK_FIND) || is(prev, TK_COUNT))) {
        for (size_t i = 0; qry_kind_word(i); i++) add_ascii(ws, qry_kind_word(i), prefix);
    } else if (is(prev, TK_CENTRALITY)) {
        for (size_t i = 0; eng_measure_name[i]; i++) add_ascii(ws, eng_measure_name[i], prefix);
    } else if (x->in_where && (is(prev, TK_WHERE) || is(prev, TK_AND) || is(prev, TK_OR) || is(prev, TK_NOT) ||
                               is(prev, TK_LP))) {
        /* The fields of the kind being found: FIND programs WHERE <Tab>. */
        for (size_t i = 0; what && qry_kind_field(what, i, NULL); i++) add_ascii(ws, qry_kind_field(what, i, NULL), prefix);
    } else if (x->what.type && is(prev, TK_BY) && is(&x->first, TK_COUNT)) {
        for (size_t i = 0; what && qry_kind_field(what, i, NULL); i++) add_ascii(ws, qry_kind_field(what, i, NULL), prefix);
    } else if (x->in_where && x->prev2.type == TK_IDENT) {
        /* target = <Tab>: the keys of that field's vocabulary. */
        char *field = fold_token(&x->prev2);
        const char *vocab = NULL, *name;
        for (size_t i = 0; what && field && (name = qry_kind_field(what, i, &vocab)); i++)
            if (!strcmp(name, field)) break;
        if (vocab) add_vocab(s, ws, vocab, prefix);
        free(field);
    } else if (is(&x->clause, TK_FOR) || is(&x->clause, TK_NEEDS) || is(&x->clause, TK_SECTORS) ||
               is(&x->clause, TK_BETWEEN)) {
        /* A clause's vocabulary is the one ADD program's clause of that word
         * takes (clauses.c); SECTORS and BETWEEN name sectors. */
        int f = is(&x->clause, TK_FOR) ? QRY_F_FOR : is(&x->clause, TK_NEEDS) ? QRY_F_NEEDS : QRY_F_SECTOR;
        add_vocab(s, ws, qry_field_info[f].kind, prefix);
    } else if (is(prev, TK_FROM) || is(prev, TK_TO) || is(prev, TK_OF) || is(prev, TK_IN) || is(prev, TK_SHOW) || is(prev, TK_REMOVE)) {
        /* A node reference that is a word is a LET set (names are quoted). */
        add_sets(s, ws, prefix);
    } else {
        add_vocab(s, ws, NULL, prefix);
        for (size_t i = 0; qry_kind_word(i); i++) add_ascii(ws, qry_kind_word(i), prefix);
    }
    free(what);
}

tsg_status_t tsg_session_complete_at(tsg_session_t *s, const char *before, const char *prefix, int quoted,
                                     char ***out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    if (qry_load(s)) return util_fail(err, s->ctx.code, "%s", s->ctx.msg);
    gram_expect_t x;
    if (gram_expect(before, &x)) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    words_t ws = {0};
    if (quoted) {
        /* IN '…' (and AREA, UNDER) names a district; elsewhere any node. */
        const char *clause = x.prev.type ? x.prev.z : "";
        int district = is(&x.prev, TK_IN) || (x.prev.type == TK_IDENT && x.prev.n == 4 && !strncasecmp(clause, "area", 4)) ||
                       (x.prev.type == TK_IDENT && x.prev.n == 5 && !strncasecmp(clause, "under", 5));
        if (x.string) add_names(s, &ws, district ? 1u << QRY_DISTRICT : QRY_ANY, prefix);
    } else {
        for (size_t k = 0; gram_keywords[k] && k < GRAM_MAX_KEYWORDS; k++)
            if (x.keyword[k]) add_ascii(&ws, gram_keywords[k], prefix);
        if (x.ident) add_values(s, &ws, &x, prefix);
    }
    if (ws.fail) {
        for (size_t i = 0; i < ws.n; i++) free(ws.w[i]);
        free(ws.w);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    *out = ws.w;
    *n = ws.n;
    return TSG_OK;
}

tsg_status_t tsg_session_complete(tsg_session_t *s, const char *prefix, char ***out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    if (qry_load(s)) return util_fail(err, s->ctx.code, "%s", s->ctx.msg);
    words_t ws = {0};
    for (const char *const *k = gram_keywords; *k; k++) add_ascii(&ws, *k, prefix);
    add_vocab(s, &ws, NULL, prefix);
    for (size_t i = 0; qry_kind_word(i); i++) add_ascii(&ws, qry_kind_word(i), prefix);
    /* Names are completed inside quotes, so a prefix of a name is enough. */
    if (*prefix) add_names(s, &ws, QRY_ANY, prefix);
    if (ws.fail) {
        for (size_t i = 0; i < ws.n; i++) free(ws.w[i]);
        free(ws.w);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    *out = ws.w;
    *n = ws.n;
    return TSG_OK;
}

tsg_status_t tsg_session_sets(tsg_session_t *s, tsg_result_t **out, tsg_error_t *err)
{
    /* The column headers are translated where they are shown. */
    return qry_result_from_sql(s->sql,
                               "SELECT n.name AS name, n.type AS kind,"
                               " (SELECT count(*) FROM temp.tsg_set g WHERE g.name = n.name) AS members"
                               " FROM temp.tsg_setname n ORDER BY n.name",
                               _("sets"), out, err);
}
