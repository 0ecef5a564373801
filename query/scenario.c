/*
 * scenario — the session's scenario (tsg_session_scenario, the REPL's
 * .whatif): a WHAT IF change made once, on one copy of the database in
 * memory, on which every later statement of the session runs until the
 * scenario ends. The statements WHAT IF compares (GAPS, REACH, …) show
 * today's answer beside the scenario's, as WHAT IF does; every other
 * reading statement (FIND, SHOW, COUNT, LET, CRITICAL, …) answers from the
 * copy; a statement that changes the network is refused, and one with its
 * own WHAT IF keeps its own change. The database itself is never written.
 *
 * Why one copy kept, not WHAT IF put before each statement: the copy and
 * the change are made once, not once a statement, and FIND and SHOW, which
 * WHAT IF cannot compare, answer for the scenario instead of being refused
 * (docs/decisions.md, "Issue 22: review mends").
 */
#include "scenario.h"
#include "i18n.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

struct qry_scenario {
    tsg_db_t *db;        /* the copy, in memory */
    qry_session_t *c;    /* a session on it, whose statements are s's (outer) */
    char *text;          /* the change as given, for tsg_session_get_scenario */
    int without;         /* it takes nodes away: today's network only */
    int64_t version;     /* s's data_version (qry_data_version) when the copy was taken: it changes
                            when another connection writes the file (s's own writes are refused) */
};

void qry_scenario_free(qry_scenario_t *x)
{
    if (!x) return;
    tsg_session_close(x->c);
    tsg_close(x->db);
    free(x->text);
    free(x);
}

const char *tsg_session_get_scenario(const tsg_session_t *s) { return s->scenario ? s->scenario->text : NULL; }

qry_session_t *qry_scenario_session(qry_scenario_t *x) { return x->c; }

/* The rows of s's TEMP table of sets (sets: tsg_set, else tsg_setname)
 * into c's: four columns each. SQLITE_OK or SQLite's code. */
static int copy_rows(sqlite3 *from, sqlite3 *to, int sets)
{
    sqlite3_stmt *q = NULL, *w = NULL;
    int rc;
    if (sets) {
        rc = sqlite3_prepare_v2(from, "SELECT name, nid, type, id FROM temp.tsg_set", -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(to, "INSERT INTO temp.tsg_set(name, nid, type, id) VALUES (?1, ?2, ?3, ?4)", -1, &w, NULL);
    } else {
        rc = sqlite3_prepare_v2(from, "SELECT name, type, lost, lost_id FROM temp.tsg_setname", -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(to, "INSERT INTO temp.tsg_setname(name, type, lost, lost_id) VALUES (?1, ?2, ?3, ?4)", -1,
                                    &w, NULL);
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        /* The values as they are (text, numbers, NULL), column for column. */
        sqlite3_bind_value(w, 1, sqlite3_column_value(q, 0));
        sqlite3_bind_value(w, 2, sqlite3_column_value(q, 1));
        sqlite3_bind_value(w, 3, sqlite3_column_value(q, 2));
        sqlite3_bind_value(w, 4, sqlite3_column_value(q, 3));
        rc = sqlite3_step(w) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(to);
        sqlite3_reset(w);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(w);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The sets LET made before the scenario, in its copy too: the copy has the
 * same nodes, so FIND s under .whatif means the same members, less those
 * the change takes away. Sets made under the scenario go with it. */
static tsg_status_t copy_sets(qry_session_t *s, qry_session_t *c, const ast_stmt_t *st)
{
    if (copy_rows(s->sql, c->sql, 0) != SQLITE_OK || copy_rows(s->sql, c->sql, 1) != SQLITE_OK)
        return gram_fail(&s->ctx, TSG_EDB, &st->kw, _("the session's sets could not be copied: %s"), sqlite3_errmsg(c->sql));
    return TSG_OK;
}

/* The change, read as WHAT IF's: "WHAT IF <change>" with a statement put
 * after it on a line of its own, since the grammar reads a change only
 * before a statement. The scenario's errors therefore quote the change as
 * WHAT IF (which ".whatif" spells in as many columns); one at that
 * statement means the change stopped short of it. Then the copy, and the
 * change made there as WHAT IF makes it. */
static tsg_status_t open_scenario(qry_session_t *s, const char *text, size_t end, qry_scenario_t *x)
{
    size_t pos = 0;
    int line = 1, col = 1, done = 0;
    ast_stmt_t *st = NULL;
    tsg_status_t rc = gram_parse_next(&s->ctx, &pos, &line, &col, &st, &done);
    if (rc && s->ctx.at.z >= text + end) {
        /* Where the change ends, as the parser counts lines and columns. */
        int l = 1, c = 1;
        for (size_t i = 0; i < end; i++)
            if (text[i] == '\n') l++, c = 1;
            else c += ((unsigned char)text[i] & 0xC0) != 0x80;
        s->ctx.at = (gram_token_t){0, text + end, 0, l, c, NULL};
        util_snprintf(s->ctx.msg, sizeof s->ctx.msg, "%s",
                      _("the change stops short: a scenario is WITHOUT node, … [WITH TIE a -> b AS kind, …] "
                        "and nothing after it"));
        return s->ctx.code = TSG_EINPUT;
    }
    if (rc) return rc;
    if (!st || st->kind != AST_WHATIF || !st->inner || !st->change)
        return gram_fail(&s->ctx, TSG_EINPUT, NULL, _("the change stops short: a scenario is WITHOUT node, … "
                                                     "[WITH TIE a -> b AS kind, …] and nothing after it"));
    if (st->inner->kw.z < text + end)
        return qry_fail(s, &st->inner->kw, _("a scenario is a change alone, without a statement after it"));
    x->without = st->change->without != NULL;
    s->as_of = s->session_as_of;
    if (x->without && (rc = qry_today_only(s, st, NULL, "WHAT IF WITHOUT"))) return rc;
    x->version = qry_data_version(s);
    if ((rc = qry_copy_open(s, st, &x->db, &x->c)) || (rc = copy_sets(s, x->c, st))) return rc;
    return qry_change_make(s, x->c, st);
}

tsg_status_t tsg_session_scenario(tsg_session_t *s, const char *change, tsg_error_t *err)
{
    if (!change || !strcmp(change, "off")) {
        qry_scenario_free(s->scenario);
        s->scenario = NULL;
        return TSG_OK;
    }
    static const char lead[] = "WHAT IF ", after[] = "\nGAPS";
    size_t n = strlen(change);
    while (n && strchr(" \t\r\n;", change[n - 1])) n--;
    size_t end = sizeof lead - 1 + n, len = end + sizeof after - 1;
    char *text = malloc(len + 1);
    qry_scenario_t *x = calloc(1, sizeof *x);
    char *kept = malloc(n + 1);
    if (!text || !x || !kept) {
        free(text);
        free(x);
        free(kept);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    memcpy(text, lead, sizeof lead - 1);
    memcpy(text + sizeof lead - 1, change, n);
    memcpy(text + end, after, sizeof after);
    memcpy(kept, change, n);
    kept[n] = '\0';
    x->text = kept;
    /* One statement's worth of the run loop (session.c): the language, the
     * text errors quote, a fresh arena, the data checked again. */
    if (s->lang) util_lang_set(s->lang);
    s->ja = util_lang_ja();
    s->sink = NULL;
    s->ctx.src = text;
    s->ctx.len = len;
    ast_arena_reset(s->ctx.arena);
    s->checked = 0;
    s->stmt_z = text;
    s->stmt_end = text + end;
    tsg_status_t rc = open_scenario(s, text, end, x);
    if (rc) {
        if (!s->ctx.failed) gram_fail(&s->ctx, rc, NULL, _("the statement failed"));
        qry_format_error(s, NULL, err);
        qry_scenario_free(x);
    } else {
        /* The copy's statements are s's from now on: their text and stop
         * follow s's (outer), statement by statement. */
        x->c->ctx.src = NULL;
        x->c->ctx.len = 0;
        x->c->stmt_z = x->c->stmt_end = NULL;
        qry_scenario_free(s->scenario);
        s->scenario = x;
    }
    s->ctx.src = NULL;
    s->ctx.len = 0;
    s->stmt_z = s->stmt_end = NULL;
    s->as_of = 0;
    free(text);
    return rc;
}

/* The copy's session set as s is now: .lang, .param, .suppress, .asof and
 * the time limit may have changed since the scenario began. */
static tsg_status_t follow(qry_session_t *s, qry_session_t *c, const ast_stmt_t *st)
{
    tsg_error_t e = {0};
    while (c->nparams) {
        qry_param_t *p = &c->params[--c->nparams];
        free(p->name);
        free(p->value);
    }
    for (size_t i = 0; i < s->nparams; i++)
        if (tsg_session_param(c, s->params[i].name, s->params[i].value, &e))
            return gram_fail(&s->ctx, e.code, &st->kw, "%s", e.text);
    qry_session_follow(c, s);
    /* A statement of its own: no error left from the last, a fresh arena. */
    c->ctx.failed = 0;
    c->ctx.code = TSG_OK;
    c->ctx.at = (gram_token_t){0};
    c->ctx.msg[0] = '\0';
    ast_arena_reset(c->ctx.arena);
    c->checked = 0;
    c->interrupted = 0;
    return TSG_OK;
}

static int changes(ast_skind_t kind)
{
    return kind == AST_ADD || kind == AST_SET || kind == AST_REMOVE || kind == AST_TIE || kind == AST_UNTIE;
}

tsg_status_t qry_scenario_exec(qry_session_t *s, const ast_stmt_t *st)
{
    qry_scenario_t *x = s->scenario;
    qry_session_t *c = x->c;
    /* Its own WHAT IF is a change of today's network, as AS OF beats .asof. */
    if (st->kind == AST_WHATIF) return qry_exec(s, st);
    if (changes(st->kind))
        return qry_fail(s, &st->kw,
                        _("%.*s is refused while a scenario is on (.whatif): it would change only the copy, which "
                          "is thrown away; end the scenario first (.whatif off)"),
                        (int)st->kw.n, st->kw.z);
    /* The copy is the file as it was: after another program's change,
     * today's answer and the scenario's would be of two databases. */
    if (qry_data_version(s) != x->version)
        return qry_fail(s, &st->kw,
                        _("the database was changed by another program since the scenario began; begin it again "
                          "(.whatif %s) to see the change on the database as it is now"),
                        x->text);
    /* Nodes taken away end today in the copy: another day would hold them. */
    s->as_of = s->session_as_of;
    tsg_status_t rc = TSG_OK;
    if (x->without) rc = qry_today_only(s, st, st->kind == AST_LET ? st->find : NULL, ".whatif WITHOUT");
    if (!rc) rc = follow(s, c, st);
    if (rc) return rc;
    if (qry_whatif_reads(st->kind)) return qry_whatif_compare(s, c, st);
    held_t h = {0};
    if ((rc = qry_run_held(c, st, &h))) rc = qry_copy_error(s, c, rc, st);
    for (size_t i = 0; !rc && i < h.n; i++) {
        rc = qry_emit(s, h.r[i]);
        h.r[i] = NULL;
    }
    qry_held_free(&h);
    return rc;
}
