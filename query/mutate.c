/*
 * mutate — the statements that change the network: ADD, SET, REMOVE, TIE and
 * UNTIE (qry_exec_mutation, see query.h); TIE and UNTIE are in mutate_tie.c,
 * what the two files share in mutate.h.
 *
 * Every statement is one write transaction. It reads and checks all of its
 * clauses first (keys, names, ages, dates, the district tree), then writes;
 * the rules are the CSV import's (store/import.c), so a network edited here
 * exports and imports again unchanged. Any failure rolls the whole statement
 * back. ADD and SET share one clause reader and one field writer: ADD inserts
 * a row holding only its required columns, then applies its clauses exactly
 * as SET would. Clause values live in the statement's arena; node names come
 * from the session's cache, reloaded once the write lock is held.
 */
#include "clauses.h"
#include "mutate.h"
#include "query.h"
#include "sqlbind.h"
#include "util.h"
#include "bounds.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define W_D QRY_W_D
#define W_O QRY_W_O
#define W_P QRY_W_P
#define W_F QRY_W_F

#define MAX_AGE UTIL_MAX_AGE
#define U3000 "\xE3\x80\x80" /* the full-width space, which import trims like a blank */
#define MAX_COUNT UTIL_MAX_COUNT

/* What ADD of each type cannot do without. */
static const unsigned required[] = {
    [QRY_DISTRICT] = 1u << QRY_F_LEVEL,
    [QRY_ORGANISATION] = 1u << QRY_F_SECTOR,
    [QRY_PROGRAM] = (1u << QRY_F_OF) | (1u << QRY_F_FOR) | (1u << QRY_F_NEEDS) | (1u << QRY_F_AREA),
    [QRY_FORUM] = 1u << QRY_F_KIND,
};

/* ---- SQL with bound values (sqlbind.h) ---------------------------------------- */

char *qry_mut_strdup(mut_t *m, const char *z, size_t n)
{
    char *p = ast_alloc(&m->s->ctx, n + 1);
    if (p) {
        memcpy(p, z, n);
        p[n] = '\0';
    }
    return p;
}

/* Runs one statement; with `out`, keeps its first row. Errors name the
 * statement's keyword: nothing more precise is known at this depth. */
tsg_status_t qry_mut_sql(mut_t *m, const char *sql, const qry_bind_t *b, size_t nb, row_t *out)
{
    qry_session_t *s = m->s;
    sqlite3_stmt *q;
    if (out) memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(s->sql, sql, -1, &q, NULL) != SQLITE_OK) return qry_fail_sql(s, &m->st->kw);
    tsg_status_t st = TSG_OK;
    int rc = qry_bind_apply(q, b, nb);
    if (rc == SQLITE_OK) rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && out) {
        for (int c = 0; c < sqlite3_column_count(q) && c < ROW_COLS && !st; c++) {
            out->num[c] = sqlite3_column_int64(q, c);
            const char *t = (const char *)sqlite3_column_text(q, c);
            if (t && !(out->text[c] = qry_mut_strdup(m, t, strlen(t)))) st = s->ctx.code;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = qry_fail_sql(s, &m->st->kw);
    }
    m->changes = sqlite3_changes(s->sql);
    sqlite3_finalize(q);
    return st;
}

/* ---- small helpers ------------------------------------------------------------- */

/* A vocabulary key as this run's messages name it (its label in Japanese). */
const char *qry_mut_shown(const mut_t *m, const char *kind, const char *key) { return qry_label(m->s, kind, key); }

/* The cached name of a node (the cache is in nid order), or NULL. */
static const qry_name_t *name_of(const qry_session_t *s, int64_t nid)
{
    size_t lo = 0, hi = s->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->names[mid].nid == nid) return &s->names[mid];
        if (s->names[mid].nid < nid) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static int is_none(const ast_value_t *v) { return v->kind == AST_V_WORD && !strcmp(v->fold, "none"); }

/* Only blanks, the full-width space among them. */
static int is_blank(const char *z)
{
    for (; *z; z++) {
        if (!strncmp(z, U3000, 3)) z += 2;
        else if (*z != ' ' && *z != '\t' && *z != '\n' && *z != '\r') return 0;
    }
    return 1;
}

/* Depth of a district level, shallowest first: the order import checks. */
static int level_rank(const char *level)
{
    static const char *const order[] = {"prefecture", "municipality", "ward", "school_district", "neighbourhood"};
    for (int i = 0; i < 5; i++)
        if (level && !strcmp(order[i], level)) return i;
    return -1;
}

/* "ADD organisation", "SET program", "TIE": what error messages call the statement. */
static void stmt_label(const mut_t *m, char *buf, size_t size)
{
    static const char *const kw[] = {[AST_ADD] = "ADD", [AST_SET] = "SET", [AST_TIE] = "TIE"};
    snprintf(buf, size, "%s%s%s", kw[m->st->kind], m->type ? " " : "", qry_type_name[m->type]);
}

/* ---- reading clause values -------------------------------------------------------- */

/* A node's name: not blank, and not the name of another node of its type, so
 * a name given later can always mean one node. */
static tsg_status_t read_name(mut_t *m, const ast_value_t *v, const char **out)
{
    qry_session_t *s = m->s;
    const char *name = qry_text(s, v, NC_("expected value", "a name"));
    if (!name) return s->ctx.code;
    if (is_blank(name)) return qry_fail(s, &v->tok, _("a name cannot be blank"));
    char *fold = util_fold(name);
    if (!fold) return qry_fail(s, &v->tok, _("the name is not valid UTF-8 text"));
    const qry_name_t *clash = qry_name_find(s, fold, 1, 1u << m->type, m->node);
    free(fold);
    static const char *const exists[] = {
        "", N_("a district named '%s' already exists (%s)"), N_("an organisation named '%s' already exists (%s)"),
        N_("a program named '%s' already exists (%s)"), N_("a forum named '%s' already exists (%s)")};
    if (clash) return qry_fail(s, &v->tok, _(exists[m->type]), clash->name, clash->id);
    *out = name;
    return TSG_OK;
}

/* An id as import accepts it, and free (ids are unique across all nodes). */
static tsg_status_t read_id(mut_t *m, const ast_value_t *v, const char **out)
{
    qry_session_t *s = m->s;
    const char *id = qry_text(s, v, NC_("expected value", "an id"));
    if (!id) return s->ctx.code;
    size_t n = strlen(id);
    if (!n || strchr(id, ';') || strstr(id, "\xEF\xBC\x9B") || !strcmp(id, "*"))
        return qry_fail(s, &v->tok, _("id '%s' may not be empty, contain ';' or be '*' (they separate lists and mean wide-area)"), id);
    int bad = id[0] == ' ' || id[n - 1] == ' ' || !strncmp(id, U3000, 3) || (n >= 3 && !strcmp(id + n - 3, U3000));
    for (const char *p = id; *p && !bad; p++) bad = (unsigned char)*p < 0x20 || *p == 0x7F;
    /* Import trims blanks around ids, so an id with them would not come back the same. */
    if (bad) return qry_fail(s, &v->tok, _("id '%s' may not start or end with a blank or hold control characters"), id);
    const qry_name_t *used = qry_name_find(s, id, 0, QRY_ANY, m->node);
    static const char *const taken[] = {
        "", N_("id '%s' is already used by a district '%s'"), N_("id '%s' is already used by an organisation '%s'"),
        N_("id '%s' is already used by a program '%s'"), N_("id '%s' is already used by a forum '%s'")};
    if (used) return qry_fail(s, &v->tok, _(taken[used->type]), id, used->name);
    *out = id;
    return TSG_OK;
}

static tsg_status_t read_keys(mut_t *m, int c, const ast_value_t *v)
{
    field_t *f = &m->f[c];
    size_t n = 0;
    for (const ast_value_t *p = v; p; p = p->next) n++;
    if (!(f->keys = ast_alloc(&m->s->ctx, n * sizeof *f->keys))) return m->s->ctx.code;
    for (; v; v = v->next) {
        tsg_status_t st = qry_key(m->s, v, qry_field_info[c].kind, &f->keys[f->n]);
        if (st) return st;
        for (size_t j = 0; j < f->n; j++)
            if (!strcmp(f->keys[j], f->keys[f->n]))
                return qry_fail(m->s, &v->tok, _("'%s' is listed twice"), qry_mut_shown(m, qry_field_info[c].kind, f->keys[j]));
        f->n++;
    }
    return TSG_OK;
}

static tsg_status_t read_area(mut_t *m, const ast_value_t *v)
{
    field_t *f = &m->f[QRY_F_AREA];
    if (v->kind == AST_V_STAR && !v->next) {
        f->wide = 1;
        return TSG_OK;
    }
    size_t n = 0;
    for (const ast_value_t *p = v; p; p = p->next) n++;
    if (!(f->areas = ast_alloc(&m->s->ctx, n * sizeof *f->areas))) return m->s->ctx.code;
    for (; v; v = v->next) {
        if (v->kind == AST_V_STAR) return qry_fail(m->s, &v->tok, _("* (wide-area) stands alone; do not list districts with it"));
        tsg_status_t st = qry_node(m->s, v, NULL, W_D, &f->areas[f->n]);
        if (st) return st;
        for (size_t j = 0; j < f->n; j++)
            if (f->areas[j] == f->areas[f->n]) return qry_fail(m->s, &v->tok, _("'%s' is listed twice"), f->areas[j]->name);
        f->n++;
    }
    return TSG_OK;
}

static tsg_status_t read_ages(mut_t *m, const ast_value_t *v)
{
    field_t *f = &m->f[QRY_F_AGED];
    tsg_status_t st = qry_range(m->s, v, &f->has_lo, &f->lo, &f->has_hi, &f->hi);
    if (st) return st;
    if ((f->has_lo && (f->lo < 0 || f->lo > MAX_AGE)) || (f->has_hi && (f->hi < 0 || f->hi > MAX_AGE)))
        return qry_fail(m->s, &v->tok, _("ages run from 0 to %d"), MAX_AGE);
    if (f->has_lo && f->has_hi && f->lo > f->hi) return qry_fail(m->s, &v->tok, _("the youngest age is above the oldest"));
    return TSG_OK;
}

/* A date clause (STARTS, ENDS, SINCE), kept in ISO form: the one date
 * check of the language (clauses.c). */
static tsg_status_t read_date(mut_t *m, int c, const ast_value_t *v)
{
    char *date = ast_alloc(&m->s->ctx, 11);
    if (!date) return m->s->ctx.code;
    tsg_status_t st = qry_date(m->s, v, date);
    if (!st) m->f[c].text = date;
    return st;
}

static tsg_status_t read_value(mut_t *m, int c, const ast_clause_t *cl)
{
    qry_session_t *s = m->s;
    field_t *f = &m->f[c];
    const ast_value_t *v = cl->v;
    if (!qry_field_info[c].list && v->next)
        return qry_fail(s, &v->next->tok, _("%.*s takes one value"), (int)cl->key.n, cl->key.z);
    if (qry_field_info[c].clearable && is_none(v)) {
        if (v->next) return qry_fail(s, &v->next->tok, _("none stands alone"));
        f->none = 1;
        return TSG_OK;
    }
    tsg_status_t st;
    switch (qry_field_info[c].value) {
    case QRY_VK_NAME:
        return read_name(m, v, &f->text);
    case QRY_VK_ID:
        return read_id(m, v, &f->text);
    case QRY_VK_KEY:
        return qry_key(s, v, qry_field_info[c].kind, &f->text);
    case QRY_VK_KEYS:
        return read_keys(m, c, v);
    case QRY_VK_NODE:
        return qry_node(s, v, NULL, qry_field_info[c].nodes, &f->node);
    case QRY_VK_AREA:
        return read_area(m, v);
    case QRY_VK_AGES:
        return read_ages(m, v);
    case QRY_VK_TEXT:
        if (!(f->text = qry_text(s, v, NC_("expected value", "the hours as text")))) return s->ctx.code;
        f->none = !*f->text; /* an empty cell in programs.csv */
        return TSG_OK;
    case QRY_VK_COUNT:
        if ((st = qry_number(s, v, &f->lo))) return st;
        if (f->lo < 0 || f->lo > MAX_COUNT) return qry_fail(s, &v->tok, _("a count runs from 0 to %ld"), MAX_COUNT);
        return TSG_OK;
    case QRY_VK_DATE:
        return read_date(m, c, v);
    }
    return TSG_OK;
}

/* Reads every clause of the statement into m->f: the words through
 * clauses.c's table (which refuses words that do not belong and clauses
 * given twice), then each value by its kind. */
tsg_status_t qry_mut_clauses(mut_t *m)
{
    char label[64];
    stmt_label(m, label, sizeof label);
    const ast_clause_t *found[QRY_F_N];
    tsg_status_t st = qry_fields_read(m->s, m->st->clauses, 1u << m->type, m->adding, label, found, m->order, &m->norder);
    for (size_t i = 0; !st && i < m->norder; i++) {
        int c = m->order[i];
        m->f[c].c = found[c];
        m->given |= 1u << c;
        st = read_value(m, c, found[c]);
    }
    return st;
}

static tsg_status_t check_required(mut_t *m)
{
    unsigned missing = required[m->type] & ~m->given;
    if (!missing) return TSG_OK;
    util_buf_t need = {0};
    int left = 0;
    for (int c = 0; c < QRY_F_N; c++) left += (missing >> c) & 1;
    for (int c = 0; c < QRY_F_N; c++) {
        if (!(missing & (1u << c))) continue;
        left--;
        qry_list_add(&need, qry_field_info[c].usage, left);
    }
    tsg_status_t st = qry_fail(m->s, &m->st->kw, _("ADD %s needs %s"), qry_type_name[m->type], need.data ? need.data : "");
    util_buf_free(&need);
    return st;
}

/* ---- the district tree ---------------------------------------------------------------- */

/* A district sits deeper than its parent and shallower than its children,
 * and never under itself: the import's rules, checked against the stored tree
 * for the one district that changes. `self` is 0 for a new district. */
static tsg_status_t check_tree(mut_t *m, int64_t self)
{
    qry_session_t *s = m->s;
    const field_t *lv = &m->f[QRY_F_LEVEL], *up = &m->f[QRY_F_IN];
    if (!lv->c && !up->c) return TSG_OK;
    row_t now = {0};
    tsg_status_t st;
    if (self && (st = qry_mut_sql(m, "SELECT level, parent FROM district WHERE nid = ?1", QRY_BINDS(qry_b_num(self)), &now))) return st;
    const char *level = lv->c ? lv->text : now.text[0];
    int64_t parent = up->c ? (up->none ? 0 : up->node->nid) : now.num[1];
    const gram_token_t *at = lv->c ? &lv->c->v->tok : &up->c->v->tok;
    if (parent) {
        const qry_name_t *p = name_of(s, parent);
        if (self && up->c && qry_under(s, parent, self))
            return parent == self ? qry_fail(s, &up->c->v->tok, _("a district cannot sit under itself"))
                                  : qry_fail(s, &up->c->v->tok, _("'%s' lies under '%s'; the district tree would have a cycle"),
                                             p ? p->name : "?", m->node->name);
        row_t pl;
        if ((st = qry_mut_sql(m, "SELECT level FROM district WHERE nid = ?1", QRY_BINDS(qry_b_num(parent)), &pl))) return st;
        if (pl.text[0] && level_rank(level) <= level_rank(pl.text[0]))
            return qry_fail(s, at, _("a %1$s cannot sit under a %2$s ('%3$s' is a %4$s)"), qry_mut_shown(m, "level", level),
                            qry_mut_shown(m, "level", pl.text[0]), p ? p->name : "?", qry_mut_shown(m, "level", pl.text[0]));
    }
    if (!self || !lv->c) return TSG_OK;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT n.id, d.name, d.level FROM district d JOIN node n ON n.nid = d.nid"
                                   " WHERE d.parent = ?1 ORDER BY d.nid", -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, &m->st->kw);
    sqlite3_bind_int64(q, 1, self);
    int rc;
    st = TSG_OK;
    while (!st && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *child = (const char *)sqlite3_column_text(q, 2);
        if (level_rank(child) <= level_rank(level))
            st = qry_fail(s, at, _("a %s cannot have a %s under it ('%s' (%s) is one)"), qry_mut_shown(m, "level", level),
                          qry_mut_shown(m, "level", child), (const char *)sqlite3_column_text(q, 1),
                          (const char *)sqlite3_column_text(q, 0));
    }
    if (!st && rc != SQLITE_DONE) st = qry_fail_sql(s, &m->st->kw);
    sqlite3_finalize(q);
    return st;
}

/* ---- writing fields ----------------------------------------------------------------------- */

static tsg_status_t write_list(mut_t *m, int c, int64_t nid)
{
    static const char *const sql[QRY_F_N][2] = {
        [QRY_F_FOR] = {"DELETE FROM program_target WHERE program = ?1",
                   "INSERT INTO program_target(program, pos, target) VALUES (?1, ?2, ?3)"},
        [QRY_F_NEEDS] = {"DELETE FROM program_need WHERE program = ?1",
                     "INSERT INTO program_need(program, pos, need) VALUES (?1, ?2, ?3)"},
        [QRY_F_MODES] = {"DELETE FROM program_mode WHERE program = ?1",
                     "INSERT INTO program_mode(program, pos, mode) VALUES (?1, ?2, ?3)"},
        [QRY_F_AREA] = {"DELETE FROM program_area WHERE program = ?1",
                    "INSERT INTO program_area(program, pos, district) VALUES (?1, ?2, ?3)"},
    };
    const field_t *f = &m->f[c];
    tsg_status_t st = qry_mut_sql(m, sql[c][0], QRY_BINDS(qry_b_num(nid)), NULL);
    for (size_t i = 0; i < f->n && !st; i++)
        st = qry_mut_sql(m, sql[c][1], QRY_BINDS(qry_b_num(nid), qry_b_num((int64_t)i), c == QRY_F_AREA ? qry_b_num(f->areas[i]->nid) : qry_b_text(f->keys[i])),
                     NULL);
    /* A wide-area program has no area rows: '*' is the whole of its area. */
    if (!st && c == QRY_F_AREA) st = qry_mut_sql(m, "UPDATE program SET wide_area = ?2 WHERE nid = ?1", QRY_BINDS(qry_b_num(nid), qry_b_num(f->wide)), NULL);
    return st;
}

/* Writes every clause given to node `nid` of type m->type. */
static tsg_status_t write_fields(mut_t *m, int64_t nid)
{
    static const char *const name_sql[] = {
        [QRY_DISTRICT] = "UPDATE district SET name = ?2 WHERE nid = ?1",
        [QRY_ORGANISATION] = "UPDATE organisation SET name = ?2 WHERE nid = ?1",
        [QRY_PROGRAM] = "UPDATE program SET name = ?2 WHERE nid = ?1",
        [QRY_FORUM] = "UPDATE forum SET name = ?2 WHERE nid = ?1",
    };
    static const char *const in_sql[] = {
        [QRY_DISTRICT] = "UPDATE district SET parent = ?2 WHERE nid = ?1",
        [QRY_ORGANISATION] = "UPDATE organisation SET district = ?2 WHERE nid = ?1",
        [QRY_FORUM] = "UPDATE forum SET district = ?2 WHERE nid = ?1",
    };
    static const char *const text_sql[QRY_F_N] = {
        [QRY_F_SECTOR] = "UPDATE organisation SET sector = ?2 WHERE nid = ?1",
        [QRY_F_KIND] = "UPDATE forum SET kind = ?2 WHERE nid = ?1",
        [QRY_F_LEVEL] = "UPDATE district SET level = ?2 WHERE nid = ?1",
        [QRY_F_APPROACH] = "UPDATE program SET approach = ?2 WHERE nid = ?1",
        [QRY_F_IN_SYSTEM] = "UPDATE program SET in_system = ?2 WHERE nid = ?1",
        [QRY_F_HOURS] = "UPDATE program SET hours = ?2 WHERE nid = ?1",
        [QRY_F_STARTS] = "UPDATE program SET starts = ?2 WHERE nid = ?1",
        [QRY_F_ENDS] = "UPDATE program SET ends = ?2 WHERE nid = ?1",
        [QRY_F_ID] = "UPDATE node SET id = ?2 WHERE nid = ?1",
    };
    tsg_status_t st = TSG_OK;
    for (int c = 0; c < QRY_F_N && !st; c++) {
        const field_t *f = &m->f[c];
        if (!f->c) continue;
        switch (c) {
        case QRY_F_NAME:
            st = qry_mut_sql(m, name_sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_text(f->text)), NULL);
            break;
        case QRY_F_IN:
            st = qry_mut_sql(m, in_sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_opt(!f->none, f->none ? 0 : f->node->nid)), NULL);
            break;
        case QRY_F_OF:
            st = qry_mut_sql(m, "UPDATE program SET org = ?2 WHERE nid = ?1", QRY_BINDS(qry_b_num(nid), qry_b_num(f->node->nid)), NULL);
            break;
        case QRY_F_AGED: /* the range replaces both bounds: AGED 18.. drops an old upper age */
            st = qry_mut_sql(m, "UPDATE program SET age_min = ?2, age_max = ?3 WHERE nid = ?1",
                         QRY_BINDS(qry_b_num(nid), qry_b_opt(!f->none && f->has_lo, f->lo), qry_b_opt(!f->none && f->has_hi, f->hi)), NULL);
            break;
        case QRY_F_FOR:
        case QRY_F_NEEDS:
        case QRY_F_MODES:
        case QRY_F_AREA:
            st = write_list(m, c, nid);
            break;
        case QRY_F_ON: /* when, not what: the callers date the change with it */
            break;
        default:
            st = qry_mut_sql(m, text_sql[c], QRY_BINDS(qry_b_num(nid), qry_b_text(f->none ? NULL : f->text)), NULL);
        }
    }
    return st;
}

/* A program may not start after it ends (the import's rule). Read back
 * after the write, so that SET ENDS is checked against the stored start. */
static tsg_status_t check_dates(mut_t *m, int64_t nid)
{
    const field_t *a = &m->f[QRY_F_STARTS], *b = &m->f[QRY_F_ENDS];
    if (m->type != QRY_PROGRAM || (!a->c && !b->c)) return TSG_OK;
    row_t r;
    tsg_status_t st = qry_mut_sql(m, "SELECT starts, ends FROM program WHERE nid = ?1", QRY_BINDS(qry_b_num(nid)), &r);
    if (st || !r.text[0] || !r.text[1] || util_date_first(r.text[0]) <= util_date_last(r.text[1])) return st;
    const ast_clause_t *at = a->c && !a->none ? a->c : b->c;
    return qry_fail(m->s, &at->v->tok, _("start %s is after end %s"), r.text[0], r.text[1]);
}

void qry_mut_today(char out[11]) { util_date_text(util_today(), out); }

/* A change by hand is a verification too (issue 21 item 8): the row was
 * looked at today. Districts are places, not members: nothing to verify. */
static tsg_status_t mark_verified(mut_t *m, int64_t nid)
{
    static const char *const sql[] = {
        [QRY_ORGANISATION] = "UPDATE organisation SET verified = ?2 WHERE nid = ?1",
        [QRY_PROGRAM] = "UPDATE program SET verified = ?2 WHERE nid = ?1",
        [QRY_FORUM] = "UPDATE forum SET verified = ?2 WHERE nid = ?1",
    };
    if (m->type == QRY_DISTRICT) return TSG_OK;
    const char *day = qry_mut_on(m); /* the change's date: ON, else today */
    if (!day) return m->s->ctx.code;
    return qry_mut_sql(m, sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_text(day)), NULL);
}

const char *qry_mut_on(mut_t *m)
{
    if (m->f[QRY_F_ON].c) return m->f[QRY_F_ON].text;
    char *iso = ast_alloc(&m->s->ctx, 11);
    if (iso) util_date_text(util_today(), iso);
    return iso;
}

/* The smallest free id "<prefix>n", n >= 1. Of n = 1 .. nnames + 1 one is
 * always free, so one pass marking the numbers in use finds it. */
static tsg_status_t new_id(mut_t *m, char *buf, size_t size)
{
    static const char *const prefix[] = {"", "d-", "o-", "p-", "f-"};
    qry_session_t *s = m->s;
    size_t cap = s->nnames + 2;
    unsigned char *used = calloc(cap, 1);
    if (!used) return gram_fail(&s->ctx, TSG_ENOMEM, &m->st->kw, _("out of memory"));
    for (size_t i = 0; i < s->nnames; i++) {
        const char *d = s->names[i].id;
        if (strncmp(d, prefix[m->type], 2) || d[2] < '1' || d[2] > '9') continue;
        size_t n = 0;
        for (d += 2; *d >= '0' && *d <= '9' && n < cap; d++) n = n * 10 + (size_t)(*d - '0');
        if (!*d && n < cap) used[n] = 1;
    }
    size_t n = 1;
    while (used[n]) n++;
    free(used);
    snprintf(buf, size, "%s%zu", prefix[m->type], n);
    return TSG_OK;
}

/* ---- the statements ------------------------------------------------------------------------ */

/* ADD with the id of an ended organisation or forum (qry_mut_returning):
 * its next period from the ON date (today without one). The clauses given
 * change its fields as SET … ON that day would, the name too; the fields
 * not given keep their values. */
static tsg_status_t add_again(mut_t *m)
{
    qry_session_t *s = m->s;
    const char *name, *day, *was;
    tsg_status_t st;
    if ((st = read_name(m, m->st->v, &name)) || (st = qry_mut_clauses(m))) return st;
    if (!(day = qry_mut_on(m))) return s->ctx.code;
    const char **old = ast_alloc(&s->ctx, qry_mut_history_nfields() * sizeof *old);
    if (!old) return s->ctx.code ? s->ctx.code : gram_fail(&s->ctx, TSG_ENOMEM, &m->st->kw, _("out of memory"));
    int64_t nid = m->node->nid;
    if ((st = qry_mut_reopen(m, day, &was)) || (st = qry_mut_history_before(m, nid, day, old)) ||
        (st = write_fields(m, nid)) || (st = qry_mut_history_after(m, nid, day, old)) ||
        (st = qry_mut_rename(m, name, day)) || (st = mark_verified(m, nid)))
        return st;
    util_snprintf(m->msg, sizeof m->msg, _("added %1$s '%2$s' (%3$s) again from %4$s (it had ended on %5$s)"),
                  qry_type_noun(m->type), name, m->node->id, day, was);
    return TSG_OK;
}

static tsg_status_t mut_add(mut_t *m)
{
    static const char *const insert_sql[] = {
        [QRY_DISTRICT] = "INSERT INTO district(nid, name, level) VALUES (?1, ?2, ?3)",
        [QRY_ORGANISATION] = "INSERT INTO organisation(nid, name, sector) VALUES (?1, ?2, ?3)",
        [QRY_PROGRAM] = "INSERT INTO program(nid, name, org) VALUES (?1, ?2, ?3)",
        [QRY_FORUM] = "INSERT INTO forum(nid, name, kind) VALUES (?1, ?2, ?3)",
    };
    static const int key_clause[] = {[QRY_DISTRICT] = QRY_F_LEVEL, [QRY_ORGANISATION] = QRY_F_SECTOR, [QRY_FORUM] = QRY_F_KIND};
    qry_session_t *s = m->s;
    const ast_stmt_t *stmt = m->st;
    m->adding = 1;
    if (!(m->type = qry_type_word(stmt->what.fold)))
        return qry_fail(s, &stmt->what, _("ADD what? '%.*s' is not district, organisation, program or forum"),
                        (int)stmt->what.n, stmt->what.z);
    if ((m->node = qry_mut_returning(m))) return add_again(m);
    /* NULL is also a failed read, recorded against the statement: say that,
     * not a later "id already used" it would lead to. */
    if (m->s->ctx.failed) return m->s->ctx.code;
    const char *name, *id;
    char idbuf[32];
    tsg_status_t st;
    if ((st = read_name(m, stmt->v, &name)) || (st = qry_mut_clauses(m)) || (st = check_required(m)) ||
        (m->type == QRY_DISTRICT && (st = check_tree(m, 0))))
        return st;
    /* A program is given to an organisation that exists today. */
    char today[11];
    qry_mut_today(today);
    if (m->type == QRY_PROGRAM &&
        (st = qry_mut_not_ended(m, m->f[QRY_F_OF].node, today, &m->f[QRY_F_OF].c->v->tok, 1)))
        return st;
    if (!(id = m->f[QRY_F_ID].text)) {
        if ((st = new_id(m, idbuf, sizeof idbuf))) return st;
        id = idbuf;
    }
    if ((st = qry_mut_sql(m, "INSERT INTO node(id, type) VALUES (?1, ?2)", QRY_BINDS(qry_b_text(id), qry_b_text(qry_type_name[m->type])), NULL)))
        return st;
    int64_t nid = sqlite3_last_insert_rowid(s->sql);
    qry_bind_t third = m->type == QRY_PROGRAM ? qry_b_num(m->f[QRY_F_OF].node->nid) : qry_b_text(m->f[key_clause[m->type]].text);
    if ((st = qry_mut_sql(m, insert_sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_text(name), third), NULL)) ||
        (st = write_fields(m, nid)) || (st = check_dates(m, nid)) || (st = mark_verified(m, nid)))
        return st;
    /* ADD … ON date: the organisation or forum exists from that day. */
    static const char *const since_sql[] = {
        [QRY_ORGANISATION] = "UPDATE organisation SET since = ?2 WHERE nid = ?1",
        [QRY_FORUM] = "UPDATE forum SET since = ?2 WHERE nid = ?1",
    };
    const field_t *on = &m->f[QRY_F_ON];
    if (on->c && !since_sql[m->type])
        return qry_fail(s, &on->c->key, m->type == QRY_PROGRAM
                                            ? _("a program has no ON date when added: the dates it runs are STARTS and ENDS")
                                            : _("a district has no ON date: districts are not dated"));
    if (on->c && (st = qry_mut_sql(m, since_sql[m->type], QRY_BINDS(qry_b_num(nid), qry_b_text(on->text)), NULL)))
        return st;
    util_snprintf(m->msg, sizeof m->msg, _("added %s '%s' (%s)"), qry_type_noun(m->type), name, id);
    return TSG_OK;
}

static tsg_status_t mut_set(mut_t *m)
{
    qry_session_t *s = m->s;
    tsg_status_t st;
    if ((st = qry_node_ref(s, m->st->a, QRY_ANY, &m->node))) return st;
    m->type = m->node->type;
    if ((st = qry_mut_clauses(m))) return st;
    if (m->norder == 1 && m->f[QRY_F_ON].c)
        return qry_fail(s, &m->f[QRY_F_ON].c->key, _("SET … ON date needs a field to change"));
    /* The old values are kept in history until the change's date. */
    const char *until = qry_mut_on(m);
    const char **old = until ? ast_alloc(&s->ctx, qry_mut_history_nfields() * sizeof *old) : NULL;
    if (!old) return s->ctx.code ? s->ctx.code : gram_fail(&s->ctx, TSG_ENOMEM, &m->st->kw, _("out of memory"));
    /* A node that has ended by the change's day is history: nothing reads
     * the change. Nor can a program move to an organisation that has. */
    const field_t *of = &m->f[QRY_F_OF];
    if ((st = qry_mut_not_ended(m, m->node, until, &m->st->a->v->tok, 0)) ||
        (of->c && (st = qry_mut_not_ended(m, of->node, until, &of->c->v->tok, 1))))
        return st;
    if ((m->type == QRY_DISTRICT && (st = check_tree(m, m->node->nid))) ||
        (st = qry_mut_history_before(m, m->node->nid, until, old)) || (st = write_fields(m, m->node->nid)) ||
        (st = check_dates(m, m->node->nid)) || (st = qry_mut_history_after(m, m->node->nid, until, old)) ||
        (st = mark_verified(m, m->node->nid)))
        return st;
    const char *name = m->f[QRY_F_NAME].c ? m->f[QRY_F_NAME].text : m->node->name;
    const char *id = m->f[QRY_F_ID].c ? m->f[QRY_F_ID].text : m->node->id;
    util_buf_t what = {0};
    for (size_t i = 0; i < m->norder; i++) {
        int c = m->order[i];
        if (c == QRY_F_ON) continue;
        const char *noun = c == QRY_F_IN && m->type == QRY_DISTRICT ? NC_("field", "parent") : qry_field_info[c].noun;
        util_buf_printf(&what, "%s%s", what.len ? _(", ") : "", util_pgettext_ctx("field", noun));
    }
    util_snprintf(m->msg, sizeof m->msg, _("changed %1$s '%2$s' (%3$s): %4$s"), qry_type_noun(m->type), name, id,
                  what.data ? what.data : "");
    util_buf_free(&what);
    return TSG_OK;
}

/* A district still in use cannot go: the rows that point to it would be left
 * pointing nowhere. Says what uses it, with one example of each. */
static tsg_status_t district_unused(mut_t *m, const ast_value_t *at)
{
    /* One use, and several with an example: whole phrases, listed. */
    static const char *const what[][2] = {
        {N_("%lld district under it (%s)"), N_("%lld districts under it (e.g. %s)")},
        {N_("%lld organisation in it (%s)"), N_("%lld organisations in it (e.g. %s)")},
        {N_("%lld forum in it (%s)"), N_("%lld forums in it (e.g. %s)")},
        {N_("%lld program serving it (%s)"), N_("%lld programs serving it (e.g. %s)")},
        {N_("%lld past value naming it (of %s; AS OF reads it)"), N_("%lld past values naming it (e.g. of %s; AS OF reads them)")}};
    enum { NUSES = sizeof what / sizeof what[0] };
    row_t r;
    /* History names a district by its id (a district, parent or area value
     * kept by SET or import --as-of): the day it held still reads it. */
    tsg_status_t st = qry_mut_sql(m,
        "SELECT (SELECT count(*) FROM district WHERE parent = ?1), (SELECT min(nid) FROM district WHERE parent = ?1),"
        " (SELECT count(*) FROM organisation WHERE district = ?1), (SELECT min(nid) FROM organisation WHERE district = ?1),"
        " (SELECT count(*) FROM forum WHERE district = ?1), (SELECT min(nid) FROM forum WHERE district = ?1),"
        " (SELECT count(*) FROM program_area WHERE district = ?1), (SELECT min(program) FROM program_area WHERE district = ?1)",
        QRY_BINDS(qry_b_num(m->node->nid)), &r);
    row_t past;
    if (st || (st = qry_mut_sql(m, "SELECT count(*), min(nid) FROM history WHERE nid IS NOT NULL AND ((field IN ('district', 'parent')"
                                   " AND value = ?1) OR (field = 'area' AND instr(';' || value || ';', ';' || ?1 || ';') > 0))",
                                QRY_BINDS(qry_b_text(m->node->id)), &past)))
        return st;
    int64_t num[2 * NUSES];
    memcpy(num, r.num, 8 * sizeof *num);
    num[8] = past.num[0];
    num[9] = past.num[1];
    util_buf_t uses = {0};
    int left = 0;
    for (int i = 0; i < NUSES; i++) left += num[2 * i] > 0;
    if (!left) return TSG_OK;
    for (int i = 0; i < NUSES; i++) {
        if (!num[2 * i]) continue;
        const qry_name_t *eg = name_of(m->s, num[2 * i + 1]);
        char *one = util_printf(_(what[i][num[2 * i] > 1]), (long long)num[2 * i], eg ? eg->id : "?");
        if (!one) {
            util_buf_free(&uses);
            return gram_fail(&m->s->ctx, TSG_ENOMEM, &at->tok, _("out of memory"));
        }
        qry_list_add(&uses, one, --left);
        free(one);
    }
    st = qry_fail(m->s, &at->tok, _("district '%s' (%s) is still in use: %s"), m->node->name, m->node->id,
                  uses.data ? uses.data : "");
    util_buf_free(&uses);
    return st;
}

tsg_status_t qry_mut_on_clause(mut_t *m, const char *label)
{
    const ast_clause_t *found[QRY_F_N];
    tsg_status_t st = qry_fields_read(m->s, m->st->clauses, QRY_W_END, 0, label, found, m->order, &m->norder);
    if (st || !found[QRY_F_ON]) return st;
    m->f[QRY_F_ON].c = found[QRY_F_ON];
    return read_value(m, QRY_F_ON, found[QRY_F_ON]);
}

static tsg_status_t mut_remove(mut_t *m)
{
    static const char *const delete_sql[] = {
        [QRY_DISTRICT] = "DELETE FROM district WHERE nid = ?1",
        [QRY_ORGANISATION] = "DELETE FROM organisation WHERE nid = ?1",
        [QRY_PROGRAM] = "DELETE FROM program WHERE nid = ?1",
        [QRY_FORUM] = "DELETE FROM forum WHERE nid = ?1",
    };
    static const char *const program_lists[] = {
        "DELETE FROM program_target WHERE program = ?1", "DELETE FROM program_need WHERE program = ?1",
        "DELETE FROM program_mode WHERE program = ?1", "DELETE FROM program_area WHERE program = ?1"};
    qry_session_t *s = m->s;
    const ast_node_t *a = m->st->a;
    tsg_status_t st;
    if ((st = qry_node_ref(s, a, QRY_ANY, &m->node))) return st;
    int64_t nid = m->node->nid;
    m->type = m->node->type;
    if (!m->st->erase && (st = qry_mut_on_clause(m, "REMOVE"))) return st;
    if (m->f[QRY_F_ON].c) return qry_mut_end_node(m, m->f[QRY_F_ON].text);
    /* REMOVE without ON ends the node today, kept in the history; only
     * ERASE deletes (a row entered by mistake). Districts are not dated:
     * REMOVE deletes an unused one, as before. */
    if (!m->st->erase && m->type != QRY_DISTRICT) {
        const char *today = qry_mut_on(m);
        return today ? qry_mut_end_node(m, today) : s->ctx.code;
    }
    if (m->type == QRY_ORGANISATION) {
        row_t r;
        if ((st = qry_mut_sql(m, "SELECT count(*) FROM program WHERE org = ?1", QRY_BINDS(qry_b_num(nid)), &r))) return st;
        if (r.num[0])
            return qry_fail(s, &a->v->tok,
                            r.num[0] == 1 ? _("organisation '%s' (%s) runs %lld program; ERASE it first (or move it with SET … OF)")
                                          : _("organisation '%s' (%s) runs %lld programs; ERASE them first (or move them with SET … OF)"),
                            m->node->name, m->node->id, (long long)r.num[0]);
    }
    if (m->type == QRY_DISTRICT && (st = district_unused(m, a->v))) return st;
    /* Explicit deletes, child rows first, rather than relying on the schema's
     * cascades: they hold whether or not foreign keys are on. */
    if ((st = qry_mut_sql(m, "DELETE FROM tie WHERE src = ?1 OR dst = ?1", QRY_BINDS(qry_b_num(nid)), NULL))) return st;
    int64_t ties = m->changes;
    for (size_t i = 0; m->type == QRY_PROGRAM && i < sizeof program_lists / sizeof program_lists[0]; i++)
        if ((st = qry_mut_sql(m, program_lists[i], QRY_BINDS(qry_b_num(nid)), NULL))) return st;
    if ((st = qry_mut_sql(m, delete_sql[m->type], QRY_BINDS(qry_b_num(nid)), NULL)) ||
        /* A set must not go on naming a node id that another node may reuse. */
        (st = qry_mut_sql(m, "DELETE FROM temp.tsg_set WHERE nid = ?1", QRY_BINDS(qry_b_num(nid)), NULL)) ||
        (st = qry_mut_sql(m, "DELETE FROM node WHERE nid = ?1", QRY_BINDS(qry_b_num(nid)), NULL)))
        return st;
    /* ERASE says so: "removed" is what REMOVE says of a row it ends and keeps. */
    int erased = m->st->erase;
    if (!ties)
        util_snprintf(m->msg, sizeof m->msg, erased ? _("erased %s '%s' (%s)") : _("removed %s '%s' (%s)"),
                      qry_type_noun(m->type), m->node->name, m->node->id);
    else if (erased)
        util_snprintf(m->msg, sizeof m->msg,
                      ties == 1 ? _("erased %s '%s' (%s) and its %lld tie") : _("erased %s '%s' (%s) and its %lld ties"),
                      qry_type_noun(m->type), m->node->name, m->node->id, (long long)ties);
    else
        util_snprintf(m->msg, sizeof m->msg,
                      ties == 1 ? _("removed %s '%s' (%s) and its %lld tie") : _("removed %s '%s' (%s) and its %lld ties"),
                      qry_type_noun(m->type), m->node->name, m->node->id, (long long)ties);
    return TSG_OK;
}

tsg_status_t qry_exec_mutation(qry_session_t *s, const ast_stmt_t *st)
{
    mut_t *m = calloc(1, sizeof *m);
    if (!m) return gram_fail(&s->ctx, TSG_ENOMEM, &st->kw, _("out of memory"));
    m->s = s;
    m->st = st;
    tsg_status_t status = qry_write_begin(s);
    if (status) {
        free(m);
        return status;
    }
    /* With the write lock held, reloading the names makes every check below
     * (names, ids, the tree) see the file exactly as this statement writes it,
     * even if another process wrote since the cache was filled. */
    qry_data_changed(s);
    if (!(status = qry_load(s))) {
        switch (st->kind) {
        case AST_ADD: status = mut_add(m); break;
        case AST_SET: status = mut_set(m); break;
        case AST_REMOVE: status = mut_remove(m); break;
        case AST_TIE: status = qry_mut_tie(m); break;
        case AST_UNTIE: status = qry_mut_untie(m); break;
        default: status = qry_fail(s, &st->kw, _("'%.*s' does not change the network"), (int)st->kw.n, st->kw.z);
        }
    }
    /* Report only what was committed. */
    if (!(status = qry_write_end(s, status))) status = qry_emit_done(s, "%s", m->msg);
    free(m);
    return status;
}
