/*
 * complete — the words that may come next, for the REPL's Tab: which
 * keywords, whether a word, a name or a number, is what the grammar says
 * (gram_expect asks the lemon parser); which words fill a value is what the
 * tables the evaluators read say: the vocabulary kind of a clause
 * (clauses.c), the measures (engine/structure.c), the kinds and their WHERE
 * fields (eval.c), the words of the analyses' clauses (choices.c), the
 * districts and the LET sets; ORDER BY's, the columns of the statement's
 * own table. And .sets' table.
 */
#include "query.h"
#include "scenario.h"
#include "choices.h"
#include "clauses.h"
#include "result.h"
#include "structure.h"
#include "gen/tsunagi.h"
#include "i18n.h"
#include "util.h"
#include "bounds.h"

#include <dirent.h>
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

/* The connection whose TEMP tables hold the sets statements see: under a
 * scenario (.whatif) the copy's, where LET makes them (scenario.c). */
static sqlite3 *sets_db(const qry_session_t *s) { return s->scenario ? qry_scenario_session(s->scenario)->sql : s->sql; }

static void add_sets(qry_session_t *s, words_t *ws, const char *prefix)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(sets_db(s), "SELECT name FROM temp.tsg_setname ORDER BY name", -1, &q, NULL) != SQLITE_OK) return;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (name && !strncmp(name, prefix, strlen(prefix))) add(ws, name);
    }
    sqlite3_finalize(q);
}

static void add_table(words_t *ws, const char *const *words, const char *prefix)
{
    for (size_t i = 0; words[i]; i++) add_ascii(ws, words[i], prefix);
}

/* The same in capitals, for words written as keywords are (EXPORT DOT,
 * HIGHLIGHT GAPS), which the evaluator reads whatever the case. */
static void add_table_upper(words_t *ws, const char *const *words, const char *prefix)
{
    for (size_t i = 0; words[i]; i++) {
        char up[32];
        size_t k = 0;
        for (; words[i][k] && k + 1 < sizeof up; k++)
            up[k] = (char)(words[i][k] >= 'a' && words[i][k] <= 'z' ? words[i][k] - 32 : words[i][k]);
        up[k] = '\0';
        add_ascii(ws, up, prefix);
    }
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

/* ORDER BY's columns: the columns of the tables the statement before ORDER
 * makes, which is what qry_order looks a key up in; the statement is run
 * for them, when it only reads (never ADD, SET, a LET or a file written),
 * under a time limit of a second, and its errors are not shown. */
typedef struct columns {
    words_t *ws;
    const char *prefix;
} columns_t;

static tsg_status_t take_columns(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    columns_t *c = ctx;
    for (size_t i = 0; r->kind == TSG_RESULT_TABLE && i < r->ncols; i++) add_ascii(c->ws, r->cols[i], c->prefix);
    return TSG_OK;
}

static void drop_error(void *ctx, const tsg_error_t *e) { (void)ctx, (void)e; }

#define COLUMNS_TIME_MS 1000

static void add_columns(qry_session_t *s, words_t *ws, const gram_expect_t *x, const char *prefix)
{
    static const int readers[] = {TK_FIND, TK_COUNT, TK_SHOW, TK_GAPS, TK_COVERAGE, TK_PATH, TK_REACH,
                                  TK_HORIZONTAL, TK_BROKERS, TK_CENTRALITY, TK_THIN, TK_FORUMS, TK_COMPARE};
    int reads = 0;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) reads |= is(&x->first, readers[i]);
    if (!reads || !x->order.z || x->order.z < x->first.z) return;
    size_t len = (size_t)(x->order.z - x->first.z);
    char *text = malloc(len + 2);
    if (!text) {
        ws->fail = 1;
        return;
    }
    memcpy(text, x->first.z, len);
    memcpy(text + len, ";", 2);
    columns_t c = {ws, prefix};
    tsg_sink_t sink = {take_columns, drop_error, &c};
    tsg_error_t err = {0};
    long limit = tsg_session_get_timeout(s);
    tsg_session_timeout(s, limit > 0 && limit < COLUMNS_TIME_MS ? limit : COLUMNS_TIME_MS);
    (void)tsg_session_run_len(s, text, len + 1, NULL, 0, &sink, &err);
    tsg_session_timeout(s, limit);
    free(text);
}

/* RENDER, EXPORT and REPORT … TO '…': the name typed so far with each
 * extension the statement writes (RENDER: the picture types it takes;
 * EXPORT: its format's own; REPORT: HTML). */
static void add_files(words_t *ws, const gram_expect_t *x, const char *prefix)
{
    const char *const *exts = is(&x->first, TK_REPORT) ? qry_report_formats : qry_render_formats;
    const char *one[2] = {NULL, NULL};
    if (is(&x->first, TK_EXPORT)) {
        exts = qry_export_formats;
        char *f = fold_token(&x->what);
        for (size_t i = 0; f && qry_export_formats[i]; i++)
            if (!strcmp(f, qry_export_formats[i])) one[0] = qry_export_formats[i];
        free(f);
        if (one[0]) exts = one;
    }
    const char *dot = strrchr(prefix, '.');
    size_t stem = dot ? (size_t)(dot - prefix) : strlen(prefix);
    for (size_t i = 0; exts[i]; i++) {
        char *name = util_printf("%.*s.%s", (int)stem, prefix, exts[i]);
        if (!name) {
            ws->fail = 1;
            return;
        }
        if (!strncasecmp(name, prefix, strlen(prefix))) add(ws, name);
        free(name);
    }
}

/* The sides of COMPARE (and of RENDER and REPORT CHANGES): the days the
 * network changed on, oldest first (a row's since or until, a program's
 * start, the end of a kept old value), the dates a planner compares; for
 * the later side (after TO), only those after the first side's day (COMPARE
 * goes from the earlier to the later), and today. A program's `ends` is its last day running, not a change. */
static void add_dates(qry_session_t *s, words_t *ws, int later, long after, const char *prefix)
{
    static const char sql[] =
        "SELECT d FROM (SELECT since AS d FROM organisation UNION SELECT until FROM organisation"
        " UNION SELECT since FROM forum UNION SELECT until FROM forum UNION SELECT until FROM program"
        " UNION SELECT starts FROM program UNION SELECT since FROM tie UNION SELECT until FROM tie"
        " UNION SELECT until FROM history) WHERE d IS NOT NULL ORDER BY d";
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &q, NULL) != SQLITE_OK) return;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(q, 0);
        if (d && util_date_first(d) > after && !strncmp(d, prefix, strlen(prefix))) add(ws, d);
    }
    sqlite3_finalize(q);
    /* The later side is most often now. */
    char today[11];
    util_date_text(util_today(), today);
    if (later && util_today() > after && !strncmp(today, prefix, strlen(prefix))) add(ws, today);
}

/* COMPARE WITH '…': the database files (*.db) in the folder the name typed
 * so far is in, the folder kept in front as typed. */
static void add_databases(words_t *ws, const char *prefix)
{
    const char *slash = strrchr(prefix, '/');
    size_t dirlen = slash ? (size_t)(slash - prefix) + 1 : 0;
    char *dir = dirlen ? util_strndup(prefix, dirlen) : util_strdup(".");
    DIR *d = dir ? opendir(dir) : NULL;
    const char *base = prefix + dirlen;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n < 4 || strcmp(e->d_name + n - 3, ".db") || strncmp(e->d_name, base, strlen(base)))
            continue;
        char *name = util_printf("%.*s%s", (int)dirlen, prefix, e->d_name);
        if (!name) ws->fail = 1;
        else add(ws, name);
        free(name);
    }
    if (d) closedir(d);
    if (!dir) ws->fail = 1;
    free(dir);
}

/* Where COMPARE's sides are typed: after COMPARE, or after RENDER or REPORT
 * CHANGES. */
static int starts_changes(const gram_token_t *prev) { return is(prev, TK_COMPARE) || is(prev, TK_CHANGES); }

/* A quoted value of COMPARE or of RENDER/REPORT CHANGES: its first side
 * (after COMPARE or CHANGES), its second (after the first side's TO), or
 * WITH's file; NOT_A_SIDE otherwise (RENDER's TO 'file'). The token before
 * the first side is not in x, so the text up to it is asked again. */
enum { NOT_A_SIDE, SIDE_THEN, SIDE_NOW, SIDE_FILE };
static int changes_side(const char *before, const gram_expect_t *x, long *after)
{
    *after = 0;
    if (starts_changes(&x->prev)) return SIDE_THEN;
    if (is(&x->prev, TK_WITH) && starts_changes(&x->prev2)) return SIDE_FILE;
    if (!is(&x->prev, TK_TO) || !is(&x->prev2, TK_STRING)) return NOT_A_SIDE;
    int first = is(&x->first, TK_COMPARE);
    if (!first && (is(&x->first, TK_RENDER) || is(&x->first, TK_REPORT))) {
        char *head = util_strndup(before, (size_t)(x->prev2.z - before));
        gram_expect_t y;
        first = head && !gram_expect(head, &y) && is(&y.prev, TK_CHANGES);
        free(head);
    }
    if (!first) return NOT_A_SIDE;
    char *then = x->prev2.n >= 2 ? util_strndup(x->prev2.z + 1, x->prev2.n - 2) : NULL;
    *after = then ? util_date_first(then) : 0;
    free(then);
    return SIDE_NOW;
}

/* The words that fill a bare word where the grammar takes one. */
static void add_values(qry_session_t *s, words_t *ws, const gram_expect_t *x, const char *prefix)
{
    const gram_token_t *prev = &x->prev, *first = &x->first;
    char *what = fold_token(&x->what);
    if (starts_changes(prev)) {
        /* A side is a quoted date; the word there is WITH (a keyword that
         * may stand for a word, so the grammar's keywords leave it out). */
        add_ascii(ws, "WITH", prefix);
    } else if (x->order.type && ((is(prev, TK_BY) && is(&x->prev2, TK_ORDER)) || is(prev, TK_COMMA))) {
        add_columns(s, ws, x, prefix);
    } else if (is(prev, TK_BY) && is(&x->prev2, TK_CLUSTER)) {
        add_table(ws, qry_cluster_words, prefix);
    } else if (is(prev, TK_BY) && is(first, TK_COUNT)) {
        for (size_t i = 0; qry_count_by_word(what, i); i++) add_ascii(ws, qry_count_by_word(what, i), prefix);
    } else if (is(prev, TK_BY) && is(first, TK_THIN)) {
        add_table(ws, qry_by_group_words, prefix);
    } else if (is(prev, TK_BY) && (is(first, TK_GAPS) || is(first, TK_COVERAGE) || is(first, TK_REPORT))) {
        add_table(ws, qry_by_level_words, prefix);
    } else if (is(prev, TK_OF) && is(first, TK_CENTRALITY)) {
        add_table(ws, qry_centrality_of_words, prefix);
    } else if (is(prev, TK_VIA)) {
        add_table(ws, qry_via_words, prefix);
    } else if (is(prev, TK_LABELS)) {
        add_table(ws, qry_label_words, prefix);
    } else if (is(prev, TK_HIGHLIGHT)) {
        add_table_upper(ws, qry_highlight_words, prefix);
    } else if (is(prev, TK_EXPORT)) {
        add_table_upper(ws, qry_export_formats, prefix);
    } else if (is(prev, TK_REPORT)) {
        /* CHANGES may stand for a word, so the grammar's keywords leave it out. */
        add_table_upper(ws, qry_report_words, prefix);
        add_ascii(ws, "CHANGES", prefix);
    } else if ((is(prev, TK_FIND) || is(prev, TK_COUNT))) {
        for (size_t i = 0; qry_kind_word(i); i++) add_ascii(ws, qry_kind_word(i), prefix);
    } else if (is(prev, TK_CENTRALITY)) {
        for (size_t i = 0; eng_measure_name[i]; i++) add_ascii(ws, eng_measure_name[i], prefix);
    } else if (x->in_where && (is(prev, TK_WHERE) || is(prev, TK_AND) || is(prev, TK_OR) || is(prev, TK_NOT) ||
                               is(prev, TK_LP))) {
        /* The fields of the kind being found: FIND programs WHERE <Tab>. */
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
        long after;
        int side = changes_side(before, &x, &after);
        if (side == SIDE_FILE)
            add_databases(&ws, prefix);
        else if (side != NOT_A_SIDE)
            add_dates(s, &ws, side == SIDE_NOW, after, prefix);
        else if (is(&x.prev, TK_TO) && (is(&x.first, TK_EXPORT) || is(&x.first, TK_RENDER) || is(&x.first, TK_REPORT)))
            add_files(&ws, &x, prefix);
        else if (x.string) add_names(s, &ws, district ? 1u << QRY_DISTRICT : QRY_ANY, prefix);
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
    /* Under a scenario, the copy's sets (sets_db): those a FIND or COUNT
     * there finds. The column headers are translated where they are shown. */
    return qry_result_from_sql(sets_db(s),
                               "SELECT n.name AS name, n.type AS kind,"
                               " (SELECT count(*) FROM temp.tsg_set g WHERE g.name = n.name) AS members"
                               " FROM temp.tsg_setname n ORDER BY n.name",
                               _("sets"), out, err);
}
