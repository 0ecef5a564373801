/*
 * session — running statements one at a time, and what every evaluator
 * shares: errors with a caret, parameters, values, keys, names of nodes,
 * district ancestry, and write transactions. See query.h.
 */
#include "query.h"
#include "result.h"
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
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gram_fail(&s->ctx, TSG_EINPUT, at, "%s", msg);
}

tsg_status_t qry_fail_sql(qry_session_t *s, const gram_token_t *at)
{
    int rc = sqlite3_errcode(s->sql);
    if (rc == SQLITE_INTERRUPT) return gram_fail(&s->ctx, TSG_EINPUT, at, "interrupted");
    char why[1400];
    return gram_fail(&s->ctx, rc == SQLITE_NOMEM ? TSG_ENOMEM : TSG_EDB, at, "database: %s",
                     store_sql_reason(s->sql, NULL, why, sizeof why));
}

/* "line L, column C: message", the line, and a caret under the token. */
static void format_error(const qry_session_t *s, const char *source, tsg_error_t *err)
{
    const gram_ctx_t *c = &s->ctx;
    util_buf_t b = {0};
    if (source) util_buf_printf(&b, "%s, ", source);
    if (c->at.line) util_buf_printf(&b, "line %d, column %d: ", c->at.line, c->at.col);
    /* A message may quote a name or an id from the database, which may hold
     * a character written before they were refused: shown, not sent raw. */
    int msg_nomem = 0;
    char *msg = util_visible(c->msg, 0, &msg_nomem);
    util_buf_adds(&b, msg ? msg : c->msg);
    free(msg);
    if (c->at.line && c->at.z) {
        const char *line = c->at.z, *end = c->at.z;
        while (line > c->src && line[-1] != '\n') line--;
        while (end < c->src + c->len && *end != '\n' && *end != '\r') end++;
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
    snprintf(err->text, sizeof err->text, "%s", b.data ? b.data : "out of memory");
    err->code = c->code;
    util_buf_free(&b);
}

/* ---- results ----------------------------------------------------------------- */

tsg_status_t qry_emit(qry_session_t *s, tsg_result_t *r)
{
    if (!r) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    if (r->nrows > QRY_MAX_ROWS) {
        tsg_result_free(r);
        return gram_fail(&s->ctx, TSG_EINPUT, NULL,
                         "the result has more than %u rows; narrow the question (WHERE, IN, TOP), "
                         "or write the whole network with 'tsunagi export'",
                         QRY_MAX_ROWS);
    }
    tsg_status_t st = TSG_OK;
    if (s->sink && s->sink->result) {
        tsg_error_t err = {0};
        st = s->sink->result(s->sink->ctx, r, &err);
        if (st) gram_fail(&s->ctx, st, NULL, "%s", err.text);
    }
    tsg_result_free(r);
    return st;
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
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The sentence quotes stored names ("removed forum '…'"), which a
     * database written before hidden characters were refused may hold: it is
     * printed as a line, so they are shown as [U+XXXX] like a table's. */
    int nomem = 0;
    char *shown = util_visible(msg, 1, &nomem);
    if (nomem) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    const char *col = "done", *cell = shown ? shown : msg;
    tsg_status_t st = qry_emit(s, qry_result_row(qry_result_new(NULL, 1, &col), &cell));
    free(shown);
    return st;
}

/* ---- values ------------------------------------------------------------------ */

/* A value as written, in quotes unless it was written in quotes. */
static const char *quoted(qry_session_t *s, const ast_value_t *v)
{
    int q = v->kind == AST_V_STRING;
    char *t = ast_alloc(&s->ctx, v->tok.n + 3);
    if (!t) return "?";
    snprintf(t, v->tok.n + 3, q ? "%.*s" : "'%.*s'", (int)v->tok.n, v->tok.z);
    return t;
}

static const char *param(qry_session_t *s, const char *name)
{
    for (size_t i = 0; i < s->nparams; i++)
        if (!strcmp(s->params[i].name, name)) return s->params[i].value;
    return NULL;
}

const char *qry_text(qry_session_t *s, const ast_value_t *v, const char *what)
{
    switch (v->kind) {
    case AST_V_STRING:
    case AST_V_WORD:
        return v->text;
    case AST_V_PARAM: {
        const char *p = param(s, v->text);
        if (!p) qry_fail(s, &v->tok, "unknown parameter $%s (set it with -p %s=… or .param set %s …)", v->text, v->text, v->text);
        return p;
    }
    default:
        qry_fail(s, &v->tok, "expected %s here, not %s", what, quoted(s, v));
        return NULL;
    }
}

/* Parses "18", "18..39", "18..", "..39" (after NFKC, so full-width works).
 * Returns 0, -1 when it is not such a range, -2 when a number in it is
 * above UTIL_MAX_NUMBER (read without overflow, as a literal is). */
static int parse_range(const char *text, int *has_lo, long *lo, int *has_hi, long *hi)
{
    char *f = util_fold(text);
    if (!f) return -1;
    *has_lo = *has_hi = 0;
    char *dots = strstr(f, "..");
    if (dots) *dots = '\0';
    int rc = 0, r;
    if (*f && (r = util_parse_whole(f, UTIL_MAX_NUMBER, lo))) rc = r;
    else if (*f) *has_lo = 1;
    if (!rc && dots && dots[2] && (r = util_parse_whole(dots + 2, UTIL_MAX_NUMBER, hi))) rc = r;
    else if (!rc && dots && dots[2]) *has_hi = 1;
    if (!rc && !dots && *has_lo) {
        *hi = *lo;
        *has_hi = 1;
    }
    if (!rc && !*has_lo && !*has_hi) rc = -1;
    free(f);
    return rc;
}

tsg_status_t qry_range(qry_session_t *s, const ast_value_t *v, int *has_lo, long *lo, int *has_hi, long *hi)
{
    if (v->kind == AST_V_NUMBER || v->kind == AST_V_RANGE) {
        *has_lo = v->has_lo;
        *has_hi = v->has_hi;
        *lo = v->lo;
        *hi = v->hi;
        if ((*has_lo && *lo > UTIL_MAX_AGE) || (*has_hi && *hi > UTIL_MAX_AGE))
            return qry_fail(s, &v->tok, "ages run from 0 to %d", UTIL_MAX_AGE);
        return TSG_OK;
    }
    if (v->kind == AST_V_PARAM) {
        const char *t = qry_text(s, v, "ages");
        if (!t) return s->ctx.code;
        int r = parse_range(t, has_lo, lo, has_hi, hi);
        if (r == -2 || (r == 0 && ((*has_lo && *lo > UTIL_MAX_AGE) || (*has_hi && *hi > UTIL_MAX_AGE))))
            return qry_fail(s, &v->tok, "$%s is '%s'; ages run from 0 to %d", v->text, t, UTIL_MAX_AGE);
        if (r == 0 && (!*has_lo || !*has_hi || *lo <= *hi)) return TSG_OK;
        return qry_fail(s, &v->tok, "$%s is '%s', not an age or a range like 18..39", v->text, t);
    }
    return qry_fail(s, &v->tok, "expected an age or a range like 18..39, not %s", quoted(s, v));
}

tsg_status_t qry_number(qry_session_t *s, const ast_value_t *v, long *out)
{
    if (v->kind == AST_V_NUMBER) {
        *out = v->lo;
        return TSG_OK;
    }
    int hl, hh;
    long lo, hi;
    if (v->kind == AST_V_PARAM) {
        const char *t = qry_text(s, v, "a number");
        if (!t) return s->ctx.code;
        int r = parse_range(t, &hl, &lo, &hh, &hi);
        if (r == 0 && hl && hh && lo == hi && !strstr(t, "..")) {
            *out = lo;
            return TSG_OK;
        }
        if (r == -2) return qry_fail(s, &v->tok, "$%s is '%s', a number above %ld", v->text, t, UTIL_MAX_NUMBER);
        return qry_fail(s, &v->tok, "$%s is '%s', not a whole number", v->text, t);
    }
    return qry_fail(s, &v->tok, "expected a whole number, not %s", quoted(s, v));
}

static const char *kind_noun(const char *kind)
{
    if (!strcmp(kind, "target")) return "target group";
    if (!strcmp(kind, "tie_kind")) return "tie kind";
    if (!strcmp(kind, "forum_kind")) return "forum kind";
    if (!strcmp(kind, "level")) return "district level";
    if (!strcmp(kind, "in_system")) return "in_system value";
    return kind;
}

tsg_status_t qry_key(qry_session_t *s, const ast_value_t *v, const char *kind, const char **key)
{
    const char *text = qry_text(s, v, kind_noun(kind));
    if (!text) return s->ctx.code;
    const char *hint;
    *key = store_vocab_resolve(&s->vocab, kind, text, &hint);
    if (*key) return TSG_OK;
    if (hint) return qry_fail(s, &v->tok, "unknown %s '%s' (did you mean %s?)", kind_noun(kind), text, hint);
    util_buf_t keys = {0};
    size_t n = 0;
    for (size_t i = 0; i < s->vocab.n; i++)
        if (!strcmp(s->vocab.e[i].kind, kind)) n++;
    if (n <= 12)
        for (size_t i = 0; i < s->vocab.n; i++)
            if (!strcmp(s->vocab.e[i].kind, kind))
                util_buf_printf(&keys, "%s%s", keys.len ? ", " : "", s->vocab.e[i].key);
    tsg_status_t st = keys.len ? qry_fail(s, &v->tok, "unknown %s '%s' (one of: %s)", kind_noun(kind), text, keys.data)
                               : qry_fail(s, &v->tok, "unknown %s '%s'", kind_noun(kind), text);
    util_buf_free(&keys);
    return st;
}

/* ---- names of nodes -------------------------------------------------------------- */

static void free_names(qry_session_t *s)
{
    util_pool_free(&s->name_pool);
    free(s->exact_head);
    free(s->exact_next);
    free(s->fold_head);
    free(s->fold_next);
    s->exact_head = s->exact_next = s->fold_head = s->fold_next = NULL;
    free(s->names);
    s->names = NULL;
    s->nnames = 0;
    free(s->parent);
    s->parent = NULL;
    s->nparent = 0;
}

void qry_data_changed(qry_session_t *s) { s->stale = 1; }

/* A folded copy of text in the pool; the same pointer when folding
 * changes nothing (ids and most names). */
static char *fold_copy(qry_session_t *s, char *text)
{
    /* ASCII without capitals folds to itself (most ids). */
    const unsigned char *c = (const unsigned char *)text;
    while (*c && *c < 0x80 && !(*c >= 'A' && *c <= 'Z')) c++;
    if (!*c) return text;
    char *fold = util_fold(text);
    if (!fold || !strcmp(fold, text)) {
        free(fold);
        return fold ? text : NULL;
    }
    char *kept = util_pool_copy(&s->name_pool, fold, strlen(fold));
    free(fold);
    return kept;
}

/* The name of node nid (names are in nid order), or NULL. */
static qry_name_t *name_by_nid(qry_session_t *s, int64_t nid)
{
    size_t lo = 0, hi = s->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->names[mid].nid < nid) lo = mid + 1;
        else hi = mid;
    }
    return lo < s->nnames && s->names[lo].nid == nid ? &s->names[lo] : NULL;
}

/* The string of key k (see qry_session_t) as written or folded. */
static const char *name_key(const qry_session_t *s, uint32_t k, int folded)
{
    const qry_name_t *n = &s->names[k / 2];
    return k % 2 ? (folded ? n->fold_name : n->name) : (folded ? n->fold_id : n->id);
}

const qry_name_t *qry_name_find(const qry_session_t *s, const char *key, int name, unsigned types,
                                const qry_name_t *skip)
{
    const uint32_t *head = name ? s->fold_head : s->exact_head, *next = name ? s->fold_next : s->exact_next;
    if (!head) return NULL;
    for (uint32_t k = head[util_hash(key) & s->name_mask]; k != UINT32_MAX; k = next[k]) {
        const qry_name_t *n = &s->names[k / 2];
        if ((int)(k % 2) == name && n != skip && (types & (1u << n->type)) && !strcmp(name_key(s, k, name), key))
            return n;
    }
    return NULL;
}

/* Hash chains over every id and name, as written and folded, so that
 * naming a node costs the same among two million as among a hundred.
 * Keys are chained last first, so each chain runs in name order. */
static int index_names(qry_session_t *s)
{
    size_t keys = 2 * s->nnames, size = 16;
    if (keys >= UINT32_MAX / 2) return -1;
    while (size < 2 * keys) size *= 2;
    s->name_mask = (uint32_t)(size - 1);
    s->exact_head = malloc(size * sizeof *s->exact_head);
    s->fold_head = malloc(size * sizeof *s->fold_head);
    s->exact_next = malloc((keys + 1) * sizeof *s->exact_next);
    s->fold_next = malloc((keys + 1) * sizeof *s->fold_next);
    if (!s->exact_head || !s->fold_head || !s->exact_next || !s->fold_next) return -1;
    memset(s->exact_head, 0xff, size * sizeof *s->exact_head);
    memset(s->fold_head, 0xff, size * sizeof *s->fold_head);
    for (size_t k = keys; k-- > 0;) {
        uint32_t h = (uint32_t)util_hash(name_key(s, (uint32_t)k, 0)) & s->name_mask;
        s->exact_next[k] = s->exact_head[h];
        s->exact_head[h] = (uint32_t)k;
        h = (uint32_t)util_hash(name_key(s, (uint32_t)k, 1)) & s->name_mask;
        s->fold_next[k] = s->fold_head[h];
        s->fold_head[h] = (uint32_t)k;
    }
    return 0;
}

/* Sets (LET) hold nids, and after another program re-imports or changes
 * the database a nid may be another node. Each member also keeps its text
 * id and type: members are found again by those, and the ones gone are
 * counted in tsg_setname.lost, which makes the set refuse to be used
 * (qry_set_check) rather than quietly mean fewer or other nodes. */
static tsg_status_t resolve_sets(qry_session_t *s)
{
    if (sqlite3_exec(s->sql,
        "SAVEPOINT tsg_resolve;"
        "DELETE FROM temp.tsg_set_new;"
        "INSERT INTO temp.tsg_set_new(name, nid, type, id) SELECT g.name, n.nid, g.type, g.id"
        "  FROM temp.tsg_set g JOIN main.node n ON n.id = g.id AND n.type = g.type;"
        "UPDATE temp.tsg_setname SET"
        "  lost_id = coalesce(lost_id, (SELECT g.id FROM temp.tsg_set g WHERE g.name = tsg_setname.name AND g.id NOT IN"
        "    (SELECT id FROM temp.tsg_set_new WHERE name = tsg_setname.name) LIMIT 1)),"
        "  lost = lost + (SELECT count(*) FROM temp.tsg_set g WHERE g.name = tsg_setname.name)"
        "    - (SELECT count(*) FROM temp.tsg_set_new g WHERE g.name = tsg_setname.name);"
        "DELETE FROM temp.tsg_set;"
        "INSERT INTO temp.tsg_set(name, nid, type, id) SELECT name, nid, type, id FROM temp.tsg_set_new;"
        "DELETE FROM temp.tsg_set_new;"
        "RELEASE tsg_resolve;",
                     NULL, NULL, NULL) == SQLITE_OK)
        return TSG_OK;
    tsg_status_t st = qry_fail_sql(s, NULL);
    sqlite3_exec(s->sql, "ROLLBACK TO tsg_resolve; RELEASE tsg_resolve;", NULL, NULL, NULL);
    return st;
}

/* Another process's commit changes data_version: our caches are stale,
 * and the sets are found again. It is looked at once per statement, so
 * what a statement has loaded (names, the network) stays valid until it
 * ends. */
static tsg_status_t check_version(qry_session_t *s)
{
    if (s->checked || (!s->dv && sqlite3_prepare_v3(s->sql, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
                                                    &s->dv, NULL) != SQLITE_OK))
        return TSG_OK;
    s->checked = 1;
    int changed = 0;
    if (sqlite3_step(s->dv) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(s->dv, 0);
        if (v != s->data_version) s->stale = s->unchecked = 1;
        changed = s->version_known && v != s->data_version;
        s->data_version = v;
        s->version_known = 1;
    }
    sqlite3_reset(s->dv); /* ends the read transaction */
    return changed ? resolve_sets(s) : TSG_OK;
}

tsg_status_t qry_set_check(qry_session_t *s, const char *name, const gram_token_t *at, const char **type)
{
    tsg_status_t st = check_version(s);
    if (st) return st;
    *type = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT type, lost, lost_id FROM temp.tsg_setname WHERE name = ?", -1, &q, NULL) !=
        SQLITE_OK)
        return qry_fail_sql(s, at);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        long lost = (long)sqlite3_column_int64(q, 1);
        const char *type_text = (const char *)sqlite3_column_text(q, 0);
        for (int t = QRY_DISTRICT; t <= QRY_FORUM; t++)
            if (type_text && !strcmp(type_text, qry_type_name[t])) *type = qry_type_name[t];
        if (lost > 0)
            st = qry_fail(s, at,
                          "set '%s' is stale: the database was changed by another program after LET made it, and %ld "
                          "of its members %s no longer there (e.g. %s); make it again with LET",
                          name, lost, lost == 1 ? "is" : "are",
                          sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "an unnamed one");
    }
    sqlite3_finalize(q);
    return st;
}

tsg_status_t qry_load(qry_session_t *s)
{
    tsg_status_t loaded = check_version(s);
    if (loaded) return loaded;
    if (!s->stale) return TSG_OK;
    free_names(s);
    qry_network_free(s);
    /* Whatever changed the file may have damaged it (another tool, a hand
     * edit with foreign keys off): the rows are checked before they are
     * trusted, once per change. */
    tsg_error_t damage = {0};
    if (s->unchecked && store_check(s->db, &damage)) return gram_fail(&s->ctx, damage.code, NULL, "%s", damage.text);
    s->unchecked = 0;
    /* Ids from node, then each kind's names from its own table: plain
     * scans, no joins (a national network has two million nodes). */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, type, id FROM node ORDER BY nid", -1, &st, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    size_t cap = 0;
    int rc;
    tsg_status_t status = TSG_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nnames == cap) {
            cap = cap ? cap * 2 : 1024;
            qry_name_t *grown = realloc(s->names, cap * sizeof *grown);
            if (!grown) goto nomem;
            s->names = grown;
        }
        qry_name_t *n = &s->names[s->nnames];
        memset(n, 0, sizeof *n);
        s->nnames++;
        n->nid = sqlite3_column_int64(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        for (int t = QRY_DISTRICT; type && t <= QRY_FORUM; t++)
            if (!strcmp(type, qry_type_name[t])) n->type = t;
        const char *id = (const char *)sqlite3_column_text(st, 2);
        n->id = util_pool_copy(&s->name_pool, id ? id : "", id ? (size_t)sqlite3_column_bytes(st, 2) : 0);
        if (!n->id || !(n->fold_id = fold_copy(s, n->id))) goto nomem;
    }
    if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
    sqlite3_finalize(st);
    if (status) return status;
    static const char *const by_kind[] = {"SELECT nid, name FROM district", "SELECT nid, name FROM organisation",
                                          "SELECT nid, name FROM program", "SELECT nid, name FROM forum"};
    for (int k = 0; k < 4; k++) {
        if (sqlite3_prepare_v2(s->sql, by_kind[k], -1, &st, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            qry_name_t *n = name_by_nid(s, sqlite3_column_int64(st, 0));
            const char *name = (const char *)sqlite3_column_text(st, 1);
            if (!n || !name) continue;
            n->name = util_pool_copy(&s->name_pool, name, (size_t)sqlite3_column_bytes(st, 1));
            if (!n->name || !(n->fold_name = fold_copy(s, n->name))) goto nomem;
        }
        if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
        sqlite3_finalize(st);
        if (status) return status;
    }
    char *none = util_pool_copy(&s->name_pool, "", 0);
    st = NULL;
    if (!none) goto nomem;
    for (size_t i = 0; i < s->nnames; i++)
        if (!s->names[i].name) s->names[i].name = s->names[i].fold_name = none;
    if (index_names(s)) {
        free_names(s);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, parent FROM district", -1, &st, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    int64_t maxnid = s->nnames ? s->names[s->nnames - 1].nid : 0;
    if (store_check_nids(s->db->path, (int64_t)s->nnames, maxnid, &damage)) {
        sqlite3_finalize(st);
        free_names(s);
        return gram_fail(&s->ctx, damage.code, NULL, "%s", damage.text);
    }
    s->nparent = (size_t)maxnid + 1;
    s->parent = calloc(s->nparent, sizeof *s->parent);
    if (!s->parent) {
        sqlite3_finalize(st);
        free_names(s);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(st, 0);
        if (nid >= 0 && (size_t)nid < s->nparent) s->parent[nid] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE) status = qry_fail_sql(s, NULL);
    sqlite3_finalize(st);
    if (!status) s->stale = 0;
    return status;
nomem:
    sqlite3_finalize(st);
    free_names(s);
    return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
}

int qry_under(qry_session_t *s, int64_t d, int64_t anc)
{
    /* The tree has no cycles (import and SET refuse them); the bound is a guard. */
    for (size_t steps = 0; d > 0 && steps <= s->nparent; steps++) {
        if (d == anc) return 1;
        d = (size_t)d < s->nparent ? s->parent[d] : 0;
    }
    return 0;
}

int qry_type_word(const char *z, size_t n)
{
    static const struct { const char *word; int type; } words[] = {
        {"district", QRY_DISTRICT},         {"districts", QRY_DISTRICT},      {"organisation", QRY_ORGANISATION},
        {"organisations", QRY_ORGANISATION}, {"organization", QRY_ORGANISATION}, {"organizations", QRY_ORGANISATION},
        {"program", QRY_PROGRAM},           {"programs", QRY_PROGRAM},        {"programme", QRY_PROGRAM},
        {"programmes", QRY_PROGRAM},        {"forum", QRY_FORUM},             {"forums", QRY_FORUM},
    };
    char *word = util_strndup(z, n), *f = word ? util_fold(word) : NULL;
    int type = 0;
    for (size_t i = 0; f && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(f, words[i].word)) type = words[i].type;
    free(word);
    free(f);
    return type;
}

/* Whether every code point of `needle` appears in `hay` in order. */
static int subsequence(const char *needle, const char *hay)
{
    while (*needle) {
        const char *end = needle + 1;
        while (*end && ((unsigned char)*end & 0xC0) == 0x80) end++;
        size_t k = (size_t)(end - needle);
        const char *hit = NULL;
        for (const char *h = hay; *h; h++)
            if (!strncmp(h, needle, k)) {
                hit = h;
                break;
            }
        if (!hit) return 0;
        hay = hit + k;
        needle = end;
    }
    return 1;
}

tsg_status_t qry_node(qry_session_t *s, const ast_value_t *v, const gram_token_t *type, unsigned types,
                      const qry_name_t **out)
{
    tsg_status_t st;
    if ((st = qry_load(s))) return st;
    if (type) {
        int t = qry_type_word(type->z, type->n);
        if (!t) return qry_fail(s, type, "'%.*s' is not a kind of node (district, organisation, program or forum)",
                                (int)type->n, type->z);
        if (!(types & (1u << t))) return qry_fail(s, type, "a %s cannot be used here", qry_type_name[t]);
        types = 1u << t;
    }
    const char *text = qry_text(s, v, "a name");
    if (!text) return s->ctx.code;
    /* Exact id, then exact name, then the same ignoring width and case. */
    for (int pass = 0; pass < 3; pass++) {
        char *fold = pass == 2 ? util_fold(text) : NULL;
        if (pass == 2 && !fold) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
        const char *want = pass == 2 ? fold : text;
        const uint32_t *next = pass == 2 ? s->fold_next : s->exact_next;
        const qry_name_t *hit = NULL;
        size_t nhits = 0;
        util_buf_t list = {0};
        for (uint32_t k = (pass == 2 ? s->fold_head : s->exact_head)[util_hash(want) & s->name_mask]; k != UINT32_MAX;
             k = next[k]) {
            const qry_name_t *n = &s->names[k / 2];
            if (!(types & (1u << n->type)) || (pass < 2 && (int)(k % 2) != pass) || n == hit ||
                strcmp(name_key(s, k, pass == 2), want))
                continue;
            hit = n;
            nhits++;
            if (nhits <= 5) util_buf_printf(&list, "%s%s %s (%s)", nhits > 1 ? ", " : "", qry_type_name[n->type], n->id, n->name);
        }
        free(fold);
        if (nhits == 1) {
            util_buf_free(&list);
            *out = hit;
            return TSG_OK;
        }
        if (nhits > 1) {
            st = qry_fail(s, &v->tok, "'%s' names %zu nodes: %s%s; use the id, or put the kind first (organisation '…')",
                          text, nhits, list.data ? list.data : "", nhits > 5 ? ", …" : "");
            util_buf_free(&list);
            return st;
        }
        util_buf_free(&list);
    }
    /* A node of another type by that exact id or name is a clearer answer. */
    for (size_t i = 0; types != QRY_ANY && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!strcmp(n->id, text) || !strcmp(n->name, text)) {
            char allowed[64] = "";
            for (int t = QRY_DISTRICT; t <= QRY_FORUM; t++)
                if (types & (1u << t))
                    snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s",
                             allowed[0] ? " or " : "", qry_type_name[t]);
            return qry_fail(s, &v->tok, "'%s' is %s %s (%s), not %s %s", text,
                            n->type == QRY_ORGANISATION ? "an" : "a", qry_type_name[n->type], n->id,
                            allowed[0] == 'o' ? "an" : "a", allowed);
        }
    }
    /* Unknown: suggest names that hold the typed characters in order (an
     * abbreviation like 北区社協 for 北区社会福祉協議会), then near misses. */
    char *fold = util_fold(text);
    const qry_name_t *best[3] = {NULL, NULL, NULL};
    size_t bestd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    size_t len = 0;
    for (const char *p = fold; p && *p; p++) len += ((unsigned char)*p & 0xC0) != 0x80;
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (limit >= len) limit = len ? len - 1 : 0;
    for (size_t i = 0; fold && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!(types & (1u << n->type))) continue;
        size_t cl = 0;
        for (const char *p = n->fold_name; *p; p++) cl += ((unsigned char)*p & 0xC0) != 0x80;
        /* Abbreviations rank before near misses; shorter expansions first.
         * Lengths rule most candidates out cheaply: a longer text is no
         * abbreviation, and the edit distance is at least the difference. */
        size_t d;
        if (len <= cl && subsequence(fold, n->fold_name)) {
            d = strlen(n->fold_name);
        } else {
            if ((len > cl ? len - cl : cl - len) > limit) continue;
            d = util_edit_distance(fold, n->fold_name);
            size_t di = util_edit_distance(fold, n->fold_id);
            if (di < d) d = di;
            if (d > limit) continue;
            d += 100000;
        }
        for (int k = 0; k < 3; k++)
            if (d < bestd[k]) {
                for (int m = 2; m > k; m--) {
                    bestd[m] = bestd[m - 1];
                    best[m] = best[m - 1];
                }
                bestd[k] = d;
                best[k] = n;
                break;
            }
    }
    free(fold);
    util_buf_t hint = {0};
    for (int k = 0; k < 3; k++)
        if (best[k]) util_buf_printf(&hint, "%s'%s'", hint.len ? ", " : "", best[k]->name);
    const char *what = types == QRY_ANY ? "name" : NULL;
    char whatbuf[64];
    if (!what) {
        /* "organisation", "organisation or program", "organisation, program or forum" */
        int left = 0;
        for (int t = QRY_DISTRICT; t <= QRY_FORUM; t++) left += !!(types & (1u << t));
        whatbuf[0] = '\0';
        for (int t = QRY_DISTRICT; t <= QRY_FORUM; t++)
            if (types & (1u << t)) {
                left--;
                snprintf(whatbuf + strlen(whatbuf), sizeof whatbuf - strlen(whatbuf), "%s%s", qry_type_name[t],
                         left > 1 ? ", " : left == 1 ? " or " : "");
            }
        what = whatbuf;
    }
    st = hint.len ? qry_fail(s, &v->tok, "unknown %s '%s' (did you mean %s?)", what, text, hint.data)
                  : qry_fail(s, &v->tok, "unknown %s '%s'", what, text);
    util_buf_free(&hint);
    return st;
}

/* ---- writes ------------------------------------------------------------------ */

tsg_status_t qry_write_begin(qry_session_t *s)
{
    if (sqlite3_exec(s->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, NULL);
    return TSG_OK;
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
    if (st == TSG_OK && sqlite3_exec(s->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) st = qry_fail_sql(s, NULL);
    if (st != TSG_OK && !sqlite3_get_autocommit(s->sql)) sqlite3_exec(s->sql, "ROLLBACK", NULL, NULL, NULL);
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
        return util_fail(err, TSG_ENOMEM, "out of memory");
    }
    s->db = db;
    s->sql = db->sql;
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
    /* igraph's handlers are process-wide: every session installs the same
     * ones, pointing Ctrl-C at itself (the latest session wins). */
    eng_igraph_setup(&s->interrupted, &s->deadline_ns);
    sqlite3_progress_handler(s->sql, 4096, on_progress, s);
    *out = s;
    return TSG_OK;
}

void tsg_session_close(tsg_session_t *s)
{
    if (!s) return;
    eng_igraph_forget(&s->interrupted);
    sqlite3_progress_handler(s->sql, 0, NULL, NULL);
    sqlite3_finalize(s->dv);
    free_names(s);
    qry_network_free(s);
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
    if (!*name) return util_fail(err, TSG_EINPUT, "a parameter needs a name");
    /* A value stands for a name or an id, so it is held to the tokenizer's
     * rule for quoted names: no control, bidirectional or zero-width
     * character (util_hidden_char), or $x would store what '…' refuses. */
    int32_t cp;
    size_t at;
    if (value && util_find_hidden(value, strlen(value), &cp, &at) >= 0)
        return util_fail(err, TSG_EINPUT, "parameter $%s: %s U+%04X at character %zu of its value", name,
                         util_hidden_kind(cp), (unsigned)cp, at + 1);
    for (size_t i = 0; i < s->nparams; i++)
        if (!strcmp(s->params[i].name, name) && !value) {
            free(s->params[i].name);
            free(s->params[i].value);
            s->params[i] = s->params[--s->nparams];
            return TSG_OK;
        } else if (!strcmp(s->params[i].name, name)) {
            char *v = util_strdup(value);
            if (!v) return util_fail(err, TSG_ENOMEM, "out of memory");
            free(s->params[i].value);
            s->params[i].value = v;
            return TSG_OK;
        }
    if (!value) return util_fail(err, TSG_EINPUT, "no parameter $%s", name);
    qry_param_t *grown = realloc(s->params, (s->nparams + 1) * sizeof *grown);
    if (!grown) return util_fail(err, TSG_ENOMEM, "out of memory");
    s->params = grown;
    qry_param_t *p = &s->params[s->nparams];
    p->name = util_strdup(name);
    p->value = util_strdup(value);
    if (!p->name || !p->value) {
        free(p->name);
        free(p->value);
        return util_fail(err, TSG_ENOMEM, "out of memory");
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

static int add_candidate(char ***out, size_t *n, size_t *cap, const char *word)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*out)[i], word)) return 0;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        char **grown = realloc(*out, *cap * sizeof *grown);
        if (!grown) return -1;
        *out = grown;
    }
    if (!((*out)[*n] = util_strdup(word))) return -1;
    (*n)++;
    return 0;
}

tsg_status_t tsg_session_complete(tsg_session_t *s, const char *prefix, char ***out, size_t *n, tsg_error_t *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0, plen = strlen(prefix);
    int fail = 0;
    if (qry_load(s)) return util_fail(err, s->ctx.code, "%s", s->ctx.msg);
    for (const char *const *k = gram_keywords; *k && !fail; k++)
        if (!strncasecmp(*k, prefix, plen)) fail = add_candidate(out, n, &cap, *k);
    for (size_t i = 0; i < s->vocab.n && !fail; i++) {
        if (!strncmp(s->vocab.e[i].key, prefix, plen)) fail = add_candidate(out, n, &cap, s->vocab.e[i].key);
        if (!fail && plen && !strncmp(s->vocab.e[i].label, prefix, plen)) fail = add_candidate(out, n, &cap, s->vocab.e[i].label);
    }
    static const char *const words[] = {"organisations", "programs", "forums", "districts", "ties", "organisation",
                                        "program", "forum", "district", NULL};
    for (const char *const *w = words; *w && !fail; w++)
        if (!strncmp(*w, prefix, plen)) fail = add_candidate(out, n, &cap, *w);
    /* Names are completed inside quotes, so a prefix of a name is enough. */
    for (size_t i = 0; i < s->nnames && !fail; i++)
        if (plen && !strncmp(s->names[i].name, prefix, plen)) fail = add_candidate(out, n, &cap, s->names[i].name);
    if (fail) {
        for (size_t i = 0; i < *n; i++) free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return util_fail(err, TSG_ENOMEM, "out of memory");
    }
    return TSG_OK;
}

static tsg_status_t exec(qry_session_t *s, const ast_stmt_t *st)
{
    switch (st->kind) {
    case AST_FIND:
    case AST_COUNT:
    case AST_SHOW:
    case AST_LET:
        return qry_exec_read(s, st);
    case AST_GAPS:
    case AST_COVERAGE:
    case AST_PATH:
    case AST_REACH:
    case AST_HORIZONTAL:
    case AST_CENTRALITY:
    case AST_BROKERS:
    case AST_THIN_LINKS:
        return qry_exec_analysis(s, st);
    case AST_EXPORT:
    case AST_RENDER:
    case AST_REPORT:
        return qry_exec_export(s, st);
    default:
        return qry_exec_mutation(s, st);
    }
}

tsg_status_t tsg_session_run(tsg_session_t *s, const char *text, const char *source, int keep_going,
                             const tsg_sink_t *sink, tsg_error_t *err)
{
    return tsg_session_run_len(s, text, strlen(text), source, keep_going, sink, err);
}

tsg_status_t tsg_session_run_len(tsg_session_t *s, const char *text, size_t len, const char *source, int keep_going,
                                 const tsg_sink_t *sink, tsg_error_t *err)
{
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
            s->deadline_ns = s->timeout_ms ? now_ns() + (int64_t)s->timeout_ms * 1000000 : 0;
            if (s->interrupted) st = gram_fail(&s->ctx, TSG_EINPUT, &stmt->kw, "interrupted");
            else st = exec(s, stmt);
            if (st && !s->ctx.failed) gram_fail(&s->ctx, st, &stmt->kw, "the statement failed");
            if (st && !s->ctx.at.z) s->ctx.at = stmt->kw; /* e.g. "database is locked" */
            if (s->interrupted == 2) {
                /* Whatever stopped (SQLite, igraph, dot) said "interrupted";
                 * the reason is the limit, and the next statement may run.
                 * A statement that finished all the same keeps its success. */
                if (st) {
                    st = s->ctx.code = TSG_EINPUT;
                    s->ctx.at = stmt->kw;
                    snprintf(s->ctx.msg, sizeof s->ctx.msg,
                             "the statement ran longer than the time limit of %.3g s (.timeout or --timeout)",
                             (double)s->timeout_ms / 1000);
                }
                s->interrupted = 0;
            }
            s->deadline_ns = 0;
        }
        if (st) {
            tsg_error_t e = {0};
            format_error(s, source, &e);
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
