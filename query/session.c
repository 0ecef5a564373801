/*
 * session — running statements one at a time, and what every evaluator
 * shares: errors with a caret, results and write transactions (values,
 * ranges and keys: values.c; names of nodes and sets: names.c). See
 * query.h.
 */
#include "changes.h"
#include "query.h"
#include "result.h"
#include "scenario.h"
#include "structure.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const qry_type_name[] = {"", "district", "organisation", "program", "forum"};

/* ---- errors ---------------------------------------------------------------- */

tsg_status_t qry_fail(qry_session_t *s, const gram_token_t *at, const char *fmt, ...)
{
    if (s->ctx.failed) return s->ctx.code;
    char msg[sizeof s->ctx.msg];
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gram_fail(&s->ctx, TSG_EINPUT, at, "%s", msg);
}

tsg_status_t qry_fail_sql(qry_session_t *s, const gram_token_t *at)
{
    int rc = sqlite3_errcode(s->sql);
    if (rc == SQLITE_INTERRUPT) return gram_fail(&s->ctx, TSG_EINPUT, at, _("interrupted"));
    char why[1400];
    return gram_fail(&s->ctx, rc == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB, at, _("database: %s"),
                     store_sql_reason(s->sql, NULL, why, sizeof why));
}

/* A copy of s with each line break (\r\n, \n, \r) written ⏎, or s itself
 * when it has none; frees s when it copies. The message and the quoted line
 * are one line each: a name with a line break in it, quoted raw, would
 * break them and leave the caret under the wrong line. */
static char *breaks_shown(char *s, int *nomem)
{
    if (!s || !strpbrk(s, "\r\n")) return s;
    util_buf_t b = {0};
    for (const char *p = s; *p; p++) {
        if (*p == '\r' && p[1] == '\n') p++;
        if (*p == '\r' || *p == '\n') util_buf_adds(&b, "\u23CE");
        else util_buf_addc(&b, *p);
    }
    if (!b.data || util_buf_addc(&b, '\0')) {
        util_buf_free(&b);
        *nomem = 1;
        return s;
    }
    free(s);
    return b.data;
}

void qry_format_error(const qry_session_t *s, const char *source, tsg_error_t *err)
{
    const gram_ctx_t *c = &s->ctx;
    util_buf_t b = {0};
    if (source) util_buf_printf(&b, "%s, ", source);
    if (c->at.line) util_buf_printf(&b, _("line %d, column %d: "), c->at.line, c->at.col);
    /* A message may quote a name or an id from the database, which may hold
     * a character written before they were refused: shown, not sent raw. */
    int msg_nomem = 0;
    char *msg = util_visible(c->msg, 0, &msg_nomem);
    if (!msg && !msg_nomem) msg = util_strdup(c->msg);
    msg = breaks_shown(msg, &msg_nomem);
    util_buf_adds(&b, msg ? msg : c->msg);
    free(msg);
    if (c->at.line && c->at.z) {
        const char *line = c->at.z, *end = c->at.z;
        while (line > c->src && line[-1] != '\n') line--;
        while (end < c->src + c->len && *end != '\n' && *end != '\r') end++;
        /* A token across lines (a quoted name holding a line break) is
         * quoted whole, to the end of the line it ends on, its breaks ⏎. */
        if (c->at.z + c->at.n > end) {
            end = c->at.z + c->at.n;
            while (end < c->src + c->len && *end != '\n' && *end != '\r') end++;
        }
        /* A long line is quoted as a window around the token. */
        const char *from = line, *to = end, *tend = c->at.z + c->at.n;
        if (tend > end) tend = end;
        int clip_left = 0, clip_right = 0;
        size_t nchars = 0;
        for (const char *p = line; p < end; p++) nchars += ((unsigned char)*p & 0xC0) != 0x80;
        from = nchars <= 120 ? line : c->at.z;
        for (int k = 0; k < 60 && from > line; k++) {
            from--;
            while (from > line && ((unsigned char)*from & 0xC0) == 0x80) from--;
        }
        clip_left = from > line;
        to = nchars <= 120 ? end : tend;
        for (int k = 0; k < 60 && to < end; k++) {
            to++;
            while (to < end && ((unsigned char)*to & 0xC0) == 0x80) to++;
        }
        clip_right = to < end;
        char *text = util_strndup(from, (size_t)(to - from));
        char *before = util_strndup(from, (size_t)(c->at.z - from));
        char *tok = util_strndup(c->at.z, (size_t)(tend - c->at.z));
        /* A control or bidirectional character in the line is what the error
         * is often about: it is shown, not sent to the terminal. */
        int nomem = 0;
        char *shown;
        if (text && (shown = util_visible(text, 0, &nomem))) free(text), text = shown;
        if (before && (shown = util_visible(before, 0, &nomem))) free(before), before = shown;
        if (tok && (shown = util_visible(tok, 0, &nomem))) free(tok), tok = shown;
        text = breaks_shown(text, &nomem);
        tok = breaks_shown(tok, &nomem);
        if (text && before && tok && !nomem) {
            /* Tabs keep their place under the caret; other text becomes spaces
             * of its display width, so the caret lines up under Japanese too. */
            util_buf_printf(&b, "\n  %s%s%s\n  %s", clip_left ? "…" : "", text, clip_right ? "…" : "",
                            clip_left ? " " : "");
            for (const char *p = before; *p;) {
                if (*p == '\t') {
                    util_buf_addc(&b, '\t');
                    p++;
                    continue;
                }
                /* One character: a lead byte and at most three continuation
                 * bytes (invalid UTF-8 in a name must not run past ch). */
                const char *q = p + 1;
                while (*q && q - p < 4 && ((unsigned char)*q & 0xC0) == 0x80) q++;
                char ch[8] = {0};
                memcpy(ch, p, (size_t)(q - p));
                for (size_t w = util_display_width(ch); w; w--) util_buf_addc(&b, ' ');
                p = q;
            }
            size_t w = util_display_width(tok);
            if (w > 60) w = 60;
            util_buf_addc(&b, '^');
            for (size_t i = 1; i < w; i++) util_buf_addc(&b, '~');
        }
        free(text);
        free(before);
        free(tok);
    }
    util_snprintf(err->text, sizeof err->text, "%s", b.data ? b.data : _("out of memory"));
    err->code = c->code;
    util_buf_free(&b);
}

/* ---- results ----------------------------------------------------------------- */

/* The running statement on one line: blanks and line breaks as one space,
 * without its ';' (how a result says which statement made it). */
static void name_result(qry_session_t *s, tsg_result_t *r)
{
    if (r->statement || !s->stmt_z || s->stmt_end < s->stmt_z) return;
    util_buf_t b = {0};
    for (const char *p = s->stmt_z; p < s->stmt_end; p++) {
        int blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
        if (blank && b.len && b.data[b.len - 1] != ' ') util_buf_addc(&b, ' ');
        else if (!blank) util_buf_addc(&b, *p);
    }
    while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == ';')) b.len--;
    if (b.data) {
        b.data[b.len] = '\0';
        /* Out of memory leaves the result unnamed, which every reader allows. */
        r->statement = (char *)qry_result_text(r, b.data);
    }
    util_buf_free(&b);
}

static tsg_status_t deliver(qry_session_t *s, tsg_result_t *r)
{
    tsg_status_t st = TSG_OK;
    name_result(s, r);
    if (s->sink && s->sink->result) {
        tsg_error_t err = {0};
        st = s->sink->result(s->sink->ctx, r, &err);
        if (st) gram_fail(&s->ctx, st, NULL, "%s", err.text);
    }
    tsg_result_free(r);
    return st;
}

tsg_status_t qry_emit(qry_session_t *s, tsg_result_t *r)
{
    if (!r) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    qry_result_compact(r);
    if (r->nrows > QRY_MAX_ROWS) {
        tsg_result_free(r);
        return gram_fail(&s->ctx, TSG_EINPUT, NULL,
                         _("the result has more than %u rows; narrow the question (WHERE, IN, TOP), "
                         "or write the whole network with 'tsunagi export'"),
                         QRY_MAX_ROWS);
    }
    if (s->tail) {
        /* Ordered after the statement, over all its tables (qry_order). */
        tsg_result_t **grown = realloc(s->held, (s->nheld + 1) * sizeof *grown);
        if (!grown) {
            tsg_result_free(r);
            return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        }
        s->held = grown;
        s->held[s->nheld++] = r;
        return TSG_OK;
    }
    return deliver(s, r);
}

/* Ends a statement with an ORDER BY or LIMIT: orders its results and
 * passes them on, or drops them when the statement failed. */
static tsg_status_t release(qry_session_t *s, tsg_status_t st)
{
    const ast_tail_t *tail = s->tail;
    s->tail = NULL;
    if (!st) st = qry_order(s, tail, s->held, s->nheld);
    for (size_t i = 0; i < s->nheld; i++) {
        if (!st) st = deliver(s, s->held[i]);
        else tsg_result_free(s->held[i]);
    }
    free(s->held);
    s->held = NULL;
    s->nheld = 0;
    return st;
}

/* Whether a statement answers with a table (and so takes ORDER BY and
 * LIMIT); the others answer with a message or write a file. */
static int answers_with_table(const ast_stmt_t *st)
{
    /* WHAT IF answers as the statement it runs does. */
    while (st->kind == AST_WHATIF && st->inner) st = st->inner;
    switch (st->kind) {
    case AST_FIND:
    case AST_COUNT:
    case AST_SHOW:
    case AST_GAPS:
    case AST_COVERAGE:
    case AST_PATH:
    case AST_REACH:
    case AST_HORIZONTAL:
    case AST_CENTRALITY:
    case AST_BROKERS:
    case AST_THIN_LINKS:
    case AST_FORUMS:
    case AST_CRITICAL:
    case AST_SUGGEST:
    case AST_COMPARE:
        return 1;
    default:
        return 0;
    }
}

tsg_result_t *qry_suppress(const qry_session_t *s, tsg_result_t *r, const char *col)
{
    if (!r || s->suppress_below <= 0) return r;
    for (size_t c = 0; c < r->ncols; c++) {
        if (strcmp(r->cols[c], col)) continue;
        for (size_t i = 0; i < r->nrows; i++) {
            const char *cell = r->cells[i * r->ncols + c];
            char *end, text[24];
            if (!cell || !*cell) continue;
            long n = strtol(cell, &end, 10);
            if (*end || n >= s->suppress_below) continue;
            snprintf(text, sizeof text, "<%ld", s->suppress_below);
            if (qry_result_set(r, i, c, text)) {
                tsg_result_free(r);
                return NULL;
            }
        }
    }
    return r;
}

tsg_status_t qry_emit_done(qry_session_t *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    util_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The sentence quotes stored names ("removed forum '…'"), which a
     * database written before hidden characters were refused may hold: it is
     * printed as a line, so they are shown as [U+XXXX] like a table's. */
    int nomem = 0;
    char *shown = util_visible(msg, 1, &nomem);
    if (nomem) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    tsg_status_t st = qry_emit(s, qry_result_message(shown ? shown : msg));
    free(shown);
    return st;
}

/* ---- writes ------------------------------------------------------------------ */

/* The store's transaction API (store_begin/commit/rollback) is the only
 * one; the session adds its sets' bookkeeping and its caches. */
tsg_status_t qry_write_begin(qry_session_t *s)
{
    tsg_error_t e = {0};
    tsg_status_t st = store_begin(s->db, &e);
    return st ? gram_fail(&s->ctx, st, NULL, "%s", e.text) : TSG_OK;
}

tsg_status_t qry_write_end(qry_session_t *s, tsg_status_t st)
{
    /* A member whose id this session changed (SET … ID) is still the same
     * node: the set follows it, so that finding members again by id after
     * another program's change does not lose it. */
    if (st == TSG_OK &&
        sqlite3_exec(s->sql, "UPDATE temp.tsg_set SET id = (SELECT n.id FROM main.node n WHERE n.nid = tsg_set.nid)"
                             " WHERE id IS NOT (SELECT n.id FROM main.node n WHERE n.nid = tsg_set.nid)",
                     NULL, NULL, NULL) != SQLITE_OK)
        st = qry_fail_sql(s, NULL);
    tsg_error_t e = {0};
    if (st == TSG_OK && (st = store_commit(s->db, &e))) gram_fail(&s->ctx, st, NULL, "%s", e.text);
    if (st != TSG_OK) store_rollback(s->db);
    qry_data_changed(s);
    return st;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int qry_should_stop(qry_session_t *s)
{
    if (s->outer && qry_should_stop(s->outer)) s->interrupted = s->outer->interrupted;
    if (s->interrupted) return 1;
    if (s->deadline_ns && now_ns() > s->deadline_ns) s->interrupted = 2;
    return s->interrupted != 0;
}

/* SQLite asks every few thousand steps; non-zero stops the statement with
 * SQLITE_INTERRUPT. */
static int on_progress(void *ctx) { return qry_should_stop(ctx); }

/* ---- the session ---------------------------------------------------------------- */

tsg_status_t tsg_session_open(tsg_db_t *db, tsg_session_t **out, tsg_error_t *err)
{
    *out = NULL;
    qry_session_t *s = calloc(1, sizeof *s);
    if (!s || !(s->ctx.arena = ast_arena_new())) {
        free(s);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    s->db = db;
    s->sql = db->sql;
    util_i18n_bind();
    s->stale = s->unchecked = 1;
    tsg_status_t st = store_vocab_load(db->sql, &s->vocab, err);
    /* Named sets (LET) live in temporary tables: one connection's, gone with it. */
    /* Each member keeps its text id too, to be found again after another
     * program changed the database (resolve_sets); lost counts the members
     * that were not, lost_id names one. */
    if (!st) st = store_exec(db->sql, "CREATE TEMP TABLE IF NOT EXISTS tsg_set(name TEXT NOT NULL, nid INTEGER NOT NULL,"
                                      " type TEXT NOT NULL, id TEXT, PRIMARY KEY(name, nid));"
                                      "CREATE TEMP TABLE IF NOT EXISTS tsg_set_new(name TEXT, nid INTEGER, type TEXT, id TEXT);"
                                      /* The sets themselves, so an empty one still exists. */
                                      "CREATE TEMP TABLE IF NOT EXISTS tsg_setname(name TEXT PRIMARY KEY, type TEXT NOT NULL,"
                                      " lost INTEGER NOT NULL DEFAULT 0, lost_id TEXT);",
                                      "session", err);
    if (!st && qry_register_functions(s)) st = util_fail(err, s->ctx.code, "%s", s->ctx.msg);
    if (st) {
        tsg_session_close(s);
        return st;
    }
    /* igraph's handlers are process-wide: they point at the session whose
     * statement runs, installed per statement in tsg_session_run_len. */
    sqlite3_progress_handler(s->sql, 4096, on_progress, s);
    *out = s;
    return TSG_OK;
}

static tsg_status_t set_language(const char *lang, const char **chosen, tsg_error_t *err)
{
    if (!lang || !*lang || !strcmp(lang, "auto")) lang = util_lang_from_env();
    if (strcmp(lang, "ja") && strcmp(lang, "en"))
        return util_fail(err, TSG_EINPUT, _("unknown language '%s': use ja or en"), lang);
    if (util_lang_set(lang))
        return util_fail(err, TSG_EINPUT, "%s",
                         _("Japanese needs a UTF-8 locale for its messages and none could be set (not even C.UTF-8)"));
    if (!strcmp(lang, "ja") && !util_lang_ja())
        return util_fail(err, TSG_EIO, "%s",
                         _("the Japanese catalogue (ja/LC_MESSAGES/tsunagi.mo) was not found; "
                           "set TSUNAGI_LOCALEDIR to the folder that holds it"));
    *chosen = !strcmp(lang, "ja") ? "ja" : "en";
    return TSG_OK;
}

tsg_status_t tsg_language(const char *lang, tsg_error_t *err)
{
    const char *chosen;
    return set_language(lang, &chosen, err);
}

tsg_status_t tsg_session_lang(tsg_session_t *s, const char *lang, tsg_error_t *err)
{
    return set_language(lang, &s->lang, err);
}

const char *tsg_session_get_lang(const tsg_session_t *s) { return s->lang; }

const char *qry_label(const qry_session_t *s, const char *kind, const char *key)
{
    if (!key || !s->ja) return key;
    const char *l = store_vocab_label(&s->vocab, kind, key);
    return l && *l ? l : key;
}

void tsg_session_close(tsg_session_t *s)
{
    if (!s) return;
    qry_scenario_free(s->scenario);
    eng_igraph_forget(&s->interrupted);
    sqlite3_progress_handler(s->sql, 0, NULL, NULL);
    qry_unregister_functions(s);
    sqlite3_finalize(s->dv);
    sqlite3_finalize(s->by_id[0]);
    sqlite3_finalize(s->by_id[1]);
    qry_names_free(s);
    qry_network_free(s);
    qry_cache_drop(s);
    free(s->usual);
    for (size_t i = 0; i < s->nparams; i++) {
        free(s->params[i].name);
        free(s->params[i].value);
    }
    free(s->params);
    store_vocab_free(&s->vocab);
    ast_arena_free(s->ctx.arena);
    free(s);
}

tsg_status_t tsg_session_param(tsg_session_t *s, const char *name, const char *value, tsg_error_t *err)
{
    if (*name == '$') name++;
    if (!*name) return util_fail(err, TSG_EINPUT, _("a parameter needs a name"));
    /* A value stands for a name or an id, so it is held to the tokenizer's
     * rule for quoted names: no control, bidirectional or zero-width
     * character (util_hidden_char), or $x would store what '…' refuses. */
    int32_t cp;
    size_t at;
    if (value && util_find_hidden(value, strlen(value), &cp, &at) >= 0)
        return util_fail(err, TSG_EINPUT, _("parameter $%s: %s U+%04X at character %zu of its value"), name,
                         util_hidden_kind(cp), (unsigned)cp, at + 1);
    for (size_t i = 0; i < s->nparams; i++)
        if (!strcmp(s->params[i].name, name) && !value) {
            free(s->params[i].name);
            free(s->params[i].value);
            s->params[i] = s->params[--s->nparams];
            return TSG_OK;
        } else if (!strcmp(s->params[i].name, name)) {
            char *v = util_strdup(value);
            if (!v) return util_fail(err, TSG_ENOMEM, _("out of memory"));
            free(s->params[i].value);
            s->params[i].value = v;
            return TSG_OK;
        }
    if (!value) return util_fail(err, TSG_EINPUT, _("no parameter $%s"), name);
    qry_param_t *grown = realloc(s->params, (s->nparams + 1) * sizeof *grown);
    if (!grown) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    s->params = grown;
    qry_param_t *p = &s->params[s->nparams];
    p->name = util_strdup(name);
    p->value = util_strdup(value);
    if (!p->name || !p->value) {
        free(p->name);
        free(p->value);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    s->nparams++;
    return TSG_OK;
}

void tsg_session_suppress_below(tsg_session_t *s, long n) { s->suppress_below = n > 0 ? n : 0; }

void tsg_session_timeout(tsg_session_t *s, long ms) { s->timeout_ms = ms > 0 ? ms : 0; }

long tsg_session_get_timeout(const tsg_session_t *s) { return s->timeout_ms; }

void tsg_session_interrupt(tsg_session_t *s)
{
    s->interrupted = 1;
    sqlite3_interrupt(s->sql);
}

int tsg_statement_complete(const char *text) { return gram_complete(text); }

tsg_status_t tsg_session_as_of(tsg_session_t *s, const char *date, tsg_error_t *err)
{
    if (!date || !strcmp(date, "off")) {
        s->session_as_of = 0;
        s->session_as_of_text[0] = '\0';
        return TSG_OK;
    }
    /* The rule of qry_date: the language's dates, full-width digits too. */
    char iso[11];
    tsg_status_t st = qry_date_check(date, iso, err);
    if (st) return st;
    s->session_as_of = util_date_first(iso);
    memcpy(s->session_as_of_text, iso, sizeof iso);
    return TSG_OK;
}

const char *tsg_session_get_as_of(const tsg_session_t *s) { return s->session_as_of ? s->session_as_of_text : NULL; }

void qry_day_text(const qry_session_t *s, char out[16])
{
    long day = s->as_of ? s->as_of : util_today();
    snprintf(out, 16, "%04ld-%02ld-%02ld", day / 10000 % 10000, day / 100 % 100, day % 100);
}

/* The day a statement reads: its AS OF (LET's in the FIND or REACH it
 * names), else the session's (.asof), else 0, today. One place, so every
 * reading statement means the same by it; a month or a year means its
 * first day, as GAPS … AS OF always read it. */
static tsg_status_t statement_day(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_stmt_t *r = st->kind == AST_LET && st->find ? st->find : st;
    const ast_clause_t *c = r->cl[AST_CL_ASOF];
    s->as_of = s->session_as_of;
    if (!c) return TSG_OK;
    char iso[11];
    tsg_status_t rc = qry_date(s, c->v, iso);
    if (!rc) s->as_of = util_date_first(iso);
    return rc;
}

static tsg_status_t exec_kind(qry_session_t *s, const ast_stmt_t *st)
{
    switch (st->kind) {
    case AST_FIND:
    case AST_COUNT:
    case AST_SHOW:
    case AST_LET:
        return qry_exec_read(s, st);
    case AST_GAPS:
    case AST_COVERAGE:
        return qry_exec_gaps(s, st);
    case AST_PATH:
    case AST_REACH:
        return qry_exec_paths(s, st);
    case AST_HORIZONTAL:
    case AST_CENTRALITY:
    case AST_BROKERS:
    case AST_THIN_LINKS:
        return qry_exec_structure(s, st);
    case AST_FORUMS:
        return qry_exec_forums(s, st);
    case AST_COMPARE:
        return qry_exec_compare(s, st);
    case AST_EXPORT:
    case AST_RENDER:
    case AST_REPORT:
        /* RENDER CHANGES and REPORT CHANGES: the two sides of COMPARE. */
        if (st->then || st->other) return qry_exec_compare(s, st);
        return qry_exec_export(s, st);
    case AST_WHATIF:
        return qry_exec_whatif(s, st);
    case AST_CRITICAL:
        return qry_exec_critical(s, st);
    case AST_SUGGEST:
        return qry_exec_suggest(s, st);
    default:
        return qry_exec_mutation(s, st);
    }
}

/* A network loaded inside the statement's read transaction could not be
 * written to the cache file then (qry_cache_save settles the file outside
 * any transaction); it is now, unless another program committed since
 * (settle compares data_version and writes nothing then). */
static void save_owed_cache(qry_session_t *s)
{
    if (!s->cache_owed) return;
    s->cache_owed = 0;
    long today = util_today();
    for (int i = 0; i < QRY_NETS; i++)
        if (s->nets[i].net && s->nets[i].day == today && !s->nets[i].confirmed)
            qry_cache_save(s, s->nets[i].net, today, 0);
}

/* USING confirmed ties holds for the one statement that says it: the
 * analyses load their network through qry_network, which reads the flag. */
tsg_status_t qry_exec(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_claim_functions(s);
    if (!rc) rc = statement_day(s, st);
    if (rc) return rc;
    const ast_clause_t *u = st->cl[AST_CL_USING];
    if (u) {
        const char *w = qry_text(s, u->v, NC_("expected value", "confirmed"));
        if (!w) return s->ctx.code;
        if (strcasecmp(w, "confirmed"))
            return qry_fail(s, &u->v->tok, _("USING takes 'confirmed ties', not '%s ties'"), w);
        s->confirmed_ties = 1;
    }
    /* Statements that read SQL see the day's rows in the dated tables;
     * the analyses of the network in memory do not need them. The readers
     * of SQL, and the statements that read SQL beside a network (EXPORT,
     * RENDER, REPORT, REACH … WHERE), hold one read transaction from the
     * dated names to their last query, so that every query of the statement
     * (a name looked up, the network, the rows, a count) sees one moment of
     * the database, not a racing import's commit half-way (issue 21, item
     * 6). A network loaded inside is written to the cache file after the
     * transaction ends (save_owed_cache). The analyses that read only the
     * network need none: its loader reads it in one transaction. */
    int hold = 0, dated = 0, held = 0;
    switch (st->kind == AST_WHATIF ? AST_GAPS : st->kind) {
    case AST_FIND:
    case AST_COUNT:
    case AST_SHOW:
    case AST_LET:
    case AST_FORUMS:
        hold = dated = 1;
        break;
    case AST_REACH:
        /* The walk reads the network in memory, which has its own day;
         * only WHERE's condition is a FIND over SQL. Without one, a REACH
         * of another day rebuilds no dated copies (issue 21, item 8), and
         * its one read (the network) is one moment by itself. */
        hold = dated = st->where != NULL;
        break;
    case AST_EXPORT:
    case AST_RENDER:
    case AST_REPORT:
        /* The network, the names and the dated rows of one moment. RENDER
         * and REPORT CHANGES are COMPARE's, which reads each side whole. */
        dated = 1;
        hold = !st->then && !st->other;
        break;
    default:
        break;
    }
    if (hold && sqlite3_get_autocommit(s->sql)) {
        tsg_error_t e = {0};
        if ((rc = store_read_begin(s->db, &e))) {
            s->confirmed_ties = 0;
            return gram_fail(&s->ctx, rc, NULL, "%s", e.text);
        }
        held = 1;
        /* The first read fixes the moment, before data_version is asked. */
        if (sqlite3_exec(s->sql, "SELECT 1 FROM main.sqlite_master LIMIT 1", NULL, NULL, NULL) != SQLITE_OK) {
            rc = qry_fail_sql(s, NULL);
            store_read_end(s->db);
            s->confirmed_ties = 0;
            return rc;
        }
    }
    if (dated && (rc = qry_dated_tables(s))) {
        if (held) store_read_end(s->db);
        s->confirmed_ties = 0;
        return rc;
    }
    rc = exec_kind(s, st);
    if (held) {
        store_read_end(s->db);
        save_owed_cache(s);
    }
    s->confirmed_ties = 0;
    return rc;
}

tsg_status_t tsg_session_run(tsg_session_t *s, const char *text, const char *source, int keep_going,
                             const tsg_sink_t *sink, tsg_error_t *err)
{
    return tsg_session_run_len(s, text, strlen(text), source, keep_going, sink, err);
}

tsg_status_t tsg_session_run_len(tsg_session_t *s, const char *text, size_t len, const char *source, int keep_going,
                                 const tsg_sink_t *sink, tsg_error_t *err)
{
    if (s->lang) util_lang_set(s->lang); /* another session may have chosen another */
    s->ja = util_lang_ja();
    s->sink = sink;
    s->ctx.src = text;
    s->ctx.len = len;
    size_t pos = 0;
    int line = 1, col = 1;
    tsg_status_t first = TSG_OK;
    for (;;) {
        ast_arena_reset(s->ctx.arena);
        s->checked = 0;
        ast_stmt_t *stmt;
        int done;
        tsg_status_t st = gram_parse_next(&s->ctx, &pos, &line, &col, &stmt, &done);
        if (!st && done) break;
        if (!st && stmt) {
            s->stmt_z = stmt->kw.z;
            s->stmt_end = s->ctx.src + pos;
            s->deadline_ns = s->timeout_ms ? now_ns() + (int64_t)s->timeout_ms * 1000000 : 0;
            /* igraph's interruption handler is process-wide: point it at this
             * session for this statement, so whichever sessions were opened
             * or closed before, this one's Ctrl-C and time limit stop igraph. */
            eng_igraph_setup(&s->interrupted, &s->deadline_ns);
            if (s->interrupted) st = gram_fail(&s->ctx, TSG_EINPUT, &stmt->kw, _("interrupted"));
            else if (stmt->tail && !answers_with_table(stmt))
                st = qry_fail(s, &stmt->tail->kw,
                              _("this statement answers with no table, so it takes no ORDER BY or LIMIT "
                              "(they order and cut the table of FIND, COUNT, SHOW, GAPS, …)"));
            else {
                s->tail = stmt->tail;
                /* Under a scenario (.whatif) the statement is the scenario's. */
                st = s->scenario ? qry_scenario_exec(s, stmt) : qry_exec(s, stmt);
                if (s->tail) st = release(s, st);
            }
            eng_igraph_forget(&s->interrupted);
            if (st && !s->ctx.failed) gram_fail(&s->ctx, st, &stmt->kw, _("the statement failed"));
            if (st && !s->ctx.at.z) s->ctx.at = stmt->kw; /* e.g. "database is locked" */
            if (s->interrupted == 2) {
                /* Whatever stopped (SQLite, igraph, dot) said _("interrupted");
                 * the reason is the limit, and the next statement may run.
                 * A statement that finished all the same keeps its success. */
                if (st) {
                    st = s->ctx.code = TSG_EINPUT;
                    s->ctx.at = stmt->kw;
                    snprintf(s->ctx.msg, sizeof s->ctx.msg,
                             _("the statement ran longer than the time limit of %.3g s (.timeout or --timeout)"),
                             (double)s->timeout_ms / 1000);
                }
                s->interrupted = 0;
            }
            s->deadline_ns = 0;
        }
        if (st) {
            tsg_error_t e = {0};
            qry_format_error(s, source, &e);
            if (sink && sink->error) sink->error(sink->ctx, &e);
            if (!first) {
                first = st;
                if (err) *err = e;
            }
            if (!keep_going || s->interrupted) break;
        }
    }
    s->sink = NULL;
    /* Cleared at the end, not the start, so a Ctrl-C just before a run
     * still stops it. */
    s->interrupted = 0;
    return first;
}
