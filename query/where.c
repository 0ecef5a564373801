/*
 * where — what FIND, COUNT and LET read: the kinds of row (their tables,
 * the columns FIND shows, IN's scope), each kind's fields, and a WHERE
 * condition as SQL with its values bound (sqlbind.h). eval.c builds the
 * statements from these; see where.h.
 */
#include "where.h"
#include "choices.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* ---- qry_kinds and their fields --------------------------------------------------------- */

/* The columns of vocabulary keys, with the label column beside each
 * (qry_sql_emit_keyed): the label in Japanese tables, both in CSV/JSON. */
static const qry_keyed_col_t org_keyed[] = {{"sector", NC_("column", "sector_label"), "sector"}, {NULL, NULL, NULL}};
static const qry_keyed_col_t program_keyed[] = {{"targets", NC_("column", "targets_label"), "target"},
                                                {"ages", NC_("column", "ages_label"), "ages"},
                                                {"needs", NC_("column", "needs_label"), "need"},
                                                {"modes", NC_("column", "modes_label"), "mode"},
                                                {"area", NC_("column", "area_label"), "area"},
                                                {NULL, NULL, NULL}};
static const qry_keyed_col_t forum_keyed[] = {{"kind", NC_("column", "kind_label"), "forum_kind"}, {NULL, NULL, NULL}};
static const qry_keyed_col_t district_keyed[] = {{"level", NC_("column", "level_label"), "level"}, {NULL, NULL, NULL}};
static const qry_keyed_col_t tie_keyed[] = {{"kind", NC_("column", "kind_label"), "tie_kind"}, {NULL, NULL, NULL}};
/* When a row was last confirmed, by a survey answer or by hand (issue 21
 * item 8). Never is before every date: verified BEFORE '2025-04-01' is
 * what is stale, the rows never confirmed included. */
#define VERIFIED {"verified", F_DATE, NULL, 0, "coalesce(@.verified, '')"}

#define NODE_FIELDS(tbl)                                                                   \
    {"id", F_TEXT, NULL, 0, "@n.id = ?"}, {"name", F_TEXT, NULL, 0, "tsg_match(@.name, ?)"}

static const field_t org_fields[] = {
    NODE_FIELDS(organisation),
    {"sector", F_KEY, "sector", 0, "@.sector = ?"},
    {"district", F_DISTRICT, NULL, 0, "tsg_under(@.district, ?)"},
    VERIFIED,
    {NULL, 0, NULL, 0, NULL},
};

#define SERVES(d)                                                                                     \
    "(@.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area_at a WHERE a.program = @.nid AND (tsg_under(a.district, " d \
    ") OR tsg_under(" d ", a.district))))"

static const field_t program_fields[] = {
    NODE_FIELDS(program),
    {"target", F_KEY, "target", 0,
     "EXISTS (SELECT 1 FROM program_target_at t WHERE t.program = @.nid AND (t.target = ? OR t.target = 'everyone'))"},
    {"need", F_KEY, "need", 0, "EXISTS (SELECT 1 FROM program_need_at t WHERE t.program = @.nid AND t.need = ?)"},
    {"mode", F_KEY, "mode", 0, "EXISTS (SELECT 1 FROM program_mode_at t WHERE t.program = @.nid AND t.mode = ?)"},
    {"approach", F_KEY, "approach", 0, "@.approach = ?"},
    {"in_system", F_KEY, "in_system", 0, "@.in_system = ?"},
    {"sector", F_KEY, "sector", 0, "(SELECT sector FROM organisation_at WHERE nid = @.org) = ?"},
    {"org", F_NODE, NULL, 1u << QRY_ORGANISATION, "@.org = ?"},
    {"organisation", F_NODE, NULL, 1u << QRY_ORGANISATION, "@.org = ?"},
    {"age", F_AGE, NULL, 0, NULL},
    {"age_min", F_INT, NULL, 0, "@.age_min"},
    {"age_max", F_INT, NULL, 0, "@.age_max"},
    {"area", F_AREA, NULL, 0, SERVES("?")}, /* two '?': the district is bound twice */
    {"hours", F_TEXT, NULL, 0, "tsg_match(@.hours, ?)"},
    VERIFIED,
    {NULL, 0, NULL, 0, NULL},
};

static const field_t forum_fields[] = {
    NODE_FIELDS(forum),
    {"kind", F_KEY, "forum_kind", 0, "@.kind = ?"},
    {"district", F_DISTRICT, NULL, 0, "tsg_under(@.district, ?)"},
    VERIFIED,
    {NULL, 0, NULL, 0, NULL},
};

static const field_t district_fields[] = {
    NODE_FIELDS(district),
    {"level", F_KEY, "level", 0, "@.level = ?"},
    {"parent", F_NODE, NULL, 1u << QRY_DISTRICT, "@.parent = ?"},
    {NULL, 0, NULL, 0, NULL},
};

static const field_t tie_fields[] = {
    {"kind", F_KEY, "tie_kind", 0, "@.kind = ?"},
    /* An organisation is itself and its programs, as in TIED TO, SHOW and
     * PATH: its programs' ties are its ties (a program's nid is never an
     * org, so for other nodes the second half matches nothing). A tie
     * ends at an organisation, a program or a forum: a district named here
     * is an error, as in TIED TO, not a silent empty answer. */
    {"from", F_NODE, NULL, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM) | (1u << QRY_FORUM),
     "@.src IN (SELECT ? UNION ALL SELECT nid FROM program_at WHERE org = ?)"},
    {"to", F_NODE, NULL, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM) | (1u << QRY_FORUM),
     "@.dst IN (SELECT ? UNION ALL SELECT nid FROM program_at WHERE org = ?)"},
    {"count", F_PEOPLE, NULL, 0, "@.count"},
    {"since", F_DATE, NULL, 0, "@.since"},
    VERIFIED,
    {"status", F_TEXT, NULL, 0, "coalesce(@.status, '') = ?"},
    {NULL, 0, NULL, 0, NULL},
};

/* Where a tie's end is: an organisation's base, or its program's owner's,
 * both the day's (a move dated later is not yet made). */
#define END_IN(end)                                                                                    \
    "EXISTS (SELECT 1 FROM organisation_at o WHERE (o.nid = " end " OR o.nid = (SELECT org FROM program_at WHERE nid = " \
    end ")) AND tsg_under(o.district, ?))"

const kind_t qry_kinds[] = {
    {"organisations", "organisation", QRY_ORGANISATION, "organisation_at @ JOIN node_at @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.sector AS sector, (SELECT name FROM " QRY_DISTRICT_AT " WHERE nid = @.district) AS district,"
     " @.verified AS verified",
     "tsg_under(@.district, ?)", 1, org_fields, org_keyed},
    {"programs", "program", QRY_PROGRAM, "program_at @ JOIN node_at @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, (SELECT name FROM organisation_at WHERE nid = @.org) AS organisation,"
     " (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target_at WHERE program = @.nid ORDER BY pos)) AS targets,"
     " CASE WHEN @.age_min IS NULL AND @.age_max IS NULL THEN 'all'"
     "  ELSE coalesce(@.age_min, '') || '..' || coalesce(@.age_max, '') END AS ages,"
     " (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need_at WHERE program = @.nid ORDER BY pos)) AS needs,"
     " (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode_at WHERE program = @.nid ORDER BY pos)) AS modes,"
     " CASE WHEN @.wide_area THEN '*' ELSE (SELECT group_concat(name, ';') FROM (SELECT d.name FROM program_area_at a"
     "  JOIN " QRY_DISTRICT_AT " d ON d.nid = a.district WHERE a.program = @.nid ORDER BY a.pos)) END AS area,"
     " @.verified AS verified",
     SERVES("?"), 2, program_fields, program_keyed},
    {"forums", "forum", QRY_FORUM, "forum_at @ JOIN node_at @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.kind AS kind, (SELECT name FROM " QRY_DISTRICT_AT " WHERE nid = @.district) AS district,"
     " (SELECT count(*) FROM tie_at WHERE dst = @.nid AND kind = 'membership') AS members, @.verified AS verified",
     "tsg_under(@.district, ?)", 1, forum_fields, forum_keyed},
    {"districts", "district", QRY_DISTRICT, QRY_DISTRICT_AT " @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.level AS level, (SELECT name FROM " QRY_DISTRICT_AT " WHERE nid = @.parent) AS parent",
     "tsg_under(@.nid, ?)", 1, district_fields, district_keyed},
    {"ties", "tie", 0, "tie_at @",
     "(SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN " QRY_DISTRICT_AT " d ON d.nid = n.nid"
     "  LEFT JOIN organisation_at o ON o.nid = n.nid LEFT JOIN program_at p ON p.nid = n.nid"
     "  LEFT JOIN forum_at f ON f.nid = n.nid WHERE n.nid = @.src) AS \"from\","
     " (SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN " QRY_DISTRICT_AT " d ON d.nid = n.nid"
     "  LEFT JOIN organisation_at o ON o.nid = n.nid LEFT JOIN program_at p ON p.nid = n.nid"
     "  LEFT JOIN forum_at f ON f.nid = n.nid WHERE n.nid = @.dst) AS \"to\","
     " @.kind AS kind, @.count AS count, @.since AS since, @.verified AS verified",
     "(" END_IN("@.src") " OR " END_IN("@.dst") ")", 2, tie_fields, tie_keyed},
};
const size_t qry_nkinds = sizeof qry_kinds / sizeof qry_kinds[0];

/* The kind a word names, the word folded by the tokenizer (gram_token_t.fold). */
const kind_t *qry_find_kind(const char *f)
{
    const kind_t *k = NULL;
    for (size_t i = 0; f && i < qry_nkinds; i++)
        if (!strcmp(f, qry_kinds[i].plural) || !strcmp(f, qry_kinds[i].singular)) k = &qry_kinds[i];
    if (f && !k && !strcmp(f, "organizations")) k = &qry_kinds[0];
    return k;
}

const char *qry_kind_word(size_t i) { return i < qry_nkinds ? qry_kinds[i].plural : NULL; }

const char *qry_kind_field(const char *kind, size_t i, const char **vocab)
{
    const kind_t *k = qry_find_kind(kind);
    size_t j = 0;
    while (k && k->fields[j].name && j < i) j++;
    if (!k || !k->fields[j].name) return NULL;
    if (vocab) *vocab = k->fields[j].vocab;
    return k->fields[j].name;
}

static const field_t *find_field(const kind_t *k, const gram_token_t *tok)
{
    const field_t *hit = NULL;
    for (const field_t *fl = k->fields; tok->fold && fl->name; fl++)
        if (!strcmp(tok->fold, fl->name)) hit = fl;
    return hit;
}

static tsg_status_t unknown_field(qry_session_t *s, const kind_t *k, const gram_token_t *tok)
{
    util_buf_t names = {0};
    for (const field_t *fl = k->fields; fl->name; fl++) util_buf_printf(&names, "%s%s", names.len ? ", " : "", fl->name);
    tsg_status_t st = qry_fail(s, tok, _("%s have no field '%.*s' (fields: %s)"), k->plural, (int)tok->n, tok->z,
                               names.data ? names.data : "");
    util_buf_free(&names);
    return st;
}

/* ---- conditions --------------------------------------------------------------------- */


static const char *op_sql(int op)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    return op <= AST_GE ? ops[op] : "=";
}

/* "column op ?" for fields compared by order (numbers, dates). */
static void add_column_op(qry_sql_t *q, const field_t *f, const char *alias, int op)
{
    qry_sql_add_t(q, f->sql, alias);
    qry_sql_add(q, " ");
    qry_sql_add(q, op_sql(op));
    qry_sql_add(q, " ?");
}

/* One field compared with one value (IN lists are ORs of these). */
static tsg_status_t compare_one(qry_session_t *s, qry_sql_t *q, const field_t *f, const char *alias, int op,
                                const ast_value_t *v, const gram_token_t *ftok)
{
    tsg_status_t st;
    int ordered = op >= AST_LT && op <= AST_GE;
    if (ordered && f->type != F_INT && f->type != F_PEOPLE && f->type != F_DATE)
        return qry_fail(s, ftok, _("'%s' cannot be compared with < or >; use = or !="), f->name);
    if (op == AST_OVERLAPS && f->type != F_AGE)
        return qry_fail(s, ftok, _("OVERLAPS compares age ranges; '%s' is not an age"), f->name);
    switch (f->type) {
    case F_KEY: {
        const char *key;
        if ((st = qry_key(s, v, f->vocab, &key))) return st;
        qry_sql_add_t(q, f->sql, alias);
        qry_sql_text(q, key);
        return TSG_OK;
    }
    case F_NODE:
    case F_DISTRICT: {
        const qry_name_t *n;
        /* FIND reads the day's rows: a name is the day's too (an old name AS OF then). */
        if ((st = qry_node(s, v, NULL, (f->type == F_DISTRICT ? 1u << QRY_DISTRICT : f->types) | QRY_DAY_NAMES, &n)))
            return st;
        qry_sql_add_t(q, f->sql, alias);
        /* A tie's end binds the node twice: itself and, for an organisation, its programs. */
        for (const char *p = f->sql; *p; p++)
            if (*p == '?') qry_sql_int(q, n->nid);
        return TSG_OK;
    }
    case F_AREA: {
        if (v->kind == AST_V_STAR) {
            qry_sql_add_t(q, "@.wide_area = 1", alias);
            return TSG_OK;
        }
        const qry_name_t *n;
        if ((st = qry_node(s, v, NULL, 1u << QRY_DISTRICT, &n))) return st;
        qry_sql_add(q, "(");
        qry_sql_add_t(q, f->sql, alias);
        qry_sql_add(q, ")");
        qry_sql_int(q, n->nid);
        qry_sql_int(q, n->nid);
        return TSG_OK;
    }
    case F_TEXT: {
        const char *t = qry_text(s, v, NC_("expected value", "a name"));
        if (!t) return s->ctx.code;
        qry_sql_add_t(q, f->sql, alias);
        qry_sql_text(q, t);
        return TSG_OK;
    }
    case F_INT: {
        long n;
        if ((st = qry_number(s, v, &n))) return st;
        add_column_op(q, f, alias, op);
        qry_sql_int(q, n);
        return TSG_OK;
    }
    case F_PEOPLE: {
        /* Under --suppress-below N a count under N is unknown: a condition
         * sees NULL for it (so no test can tell 3 from 4), and a value under
         * N could only select suppressed counts, so it is refused. */
        long n;
        if ((st = qry_number(s, v, &n))) return st;
        if (s->suppress_below <= 0) {
            add_column_op(q, f, alias, op);
            qry_sql_int(q, n);
            return TSG_OK;
        }
        if (n < s->suppress_below)
            return qry_fail(s, v->tok.n ? &v->tok : ftok,
                            _("counts under %ld are suppressed (--suppress-below %ld), so '%s' cannot be compared with %ld; "
                               "compare with %ld or more"),
                            s->suppress_below, s->suppress_below, f->name, n, s->suppress_below);
        char shown[96];
        snprintf(shown, sizeof shown, "(CASE WHEN @.count >= %ld THEN @.count END)", s->suppress_below);
        field_t masked = *f;
        masked.sql = shown;
        add_column_op(q, &masked, alias, op);
        qry_sql_int(q, n);
        return TSG_OK;
    }
    case F_DATE: {
        /* Compared as ISO text, so it must be a date in ISO form: '2026-02-30'
         * or '2026/4/1' would compare as text and answer quietly wrong. The
         * language's one date check (clauses.c). */
        char *iso = ast_alloc(&s->ctx, 11);
        if (!iso) return s->ctx.code;
        if ((st = qry_date(s, v, iso))) return st;
        add_column_op(q, f, alias, op);
        qry_sql_text(q, iso);
        return TSG_OK;
    }
    case F_AGE: {
        int hl, hh;
        long lo, hi;
        if ((st = qry_range(s, v, &hl, &lo, &hh, &hi))) return st;
        if (op != AST_EQ && op != AST_OVERLAPS)
            return qry_fail(s, ftok, _("age takes = (the program covers these ages) or OVERLAPS (it meets them)"));
        /* = : every age asked for is served; OVERLAPS: at least one is. */
        int covers = op == AST_EQ;
        qry_sql_add(q, "(1");
        if (hl) {
            qry_sql_add_t(q, covers ? " AND (@.age_min IS NULL OR @.age_min <= ?)" : " AND (@.age_max IS NULL OR @.age_max >= ?)", alias);
            qry_sql_int(q, lo);
        } else if (covers) {
            qry_sql_add_t(q, " AND @.age_min IS NULL", alias);
        }
        if (hh) {
            qry_sql_add_t(q, covers ? " AND (@.age_max IS NULL OR @.age_max >= ?)" : " AND (@.age_min IS NULL OR @.age_min <= ?)", alias);
            qry_sql_int(q, hi);
        } else if (covers) {
            qry_sql_add_t(q, " AND @.age_max IS NULL", alias);
        }
        qry_sql_add(q, ")");
        return TSG_OK;
    }
    }
    return TSG_OK;
}

/* vs[0..n) ORed as a balanced tree: "a OR b OR c …" written flat is a
 * chain as deep as the list, and SQLite refuses an expression deeper than
 * 1000 ("Expression tree is too large") - a thousand names failed with
 * that, at column 1. Balanced, the depth is log2(n). */
static tsg_status_t in_list(qry_session_t *s, qry_sql_t *q, const field_t *f, const char *alias, int op,
                            const ast_value_t **vs, size_t n, const gram_token_t *ftok)
{
    if (n == 1) return compare_one(s, q, f, alias, op, vs[0], ftok);
    qry_sql_add(q, "(");
    tsg_status_t st = in_list(s, q, f, alias, op, vs, n / 2, ftok);
    qry_sql_add(q, ") OR (");
    if (!st) st = in_list(s, q, f, alias, op, vs + n / 2, n - n / 2, ftok);
    qry_sql_add(q, ")");
    return st;
}

static tsg_status_t compare_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    const field_t *f = find_field(k, &c->tok);
    if (!f) return unknown_field(s, k, &c->tok);
    int op = c->op;
    int negate = op == AST_NE;
    if (negate) op = AST_EQ;
    if (op == AST_IN && !c->list && c->v && !c->v->next && c->v->kind != AST_V_STRING && c->v->kind != AST_V_PARAM) {
        /* field IN set_name is not a thing; IN takes a list in parentheses
         * (and IN (npo), a list of one, is one: c->list). */
        if (c->v->kind == AST_V_WORD)
            return qry_fail(s, &c->v->tok, _("IN takes a list in parentheses, e.g. %s IN (a, b)"), f->name);
    }
    size_t n = 0;
    for (const ast_value_t *v = c->v; v; v = v->next)
        if (++n > UTIL_MAX_IN_LIST)
            return qry_fail(s, &v->tok, _("IN takes at most %d values; make a set with LET, or split the statement"),
                            UTIL_MAX_IN_LIST);
    const ast_value_t **vs = ast_alloc(&s->ctx, (n ? n : 1) * sizeof *vs);
    if (!vs) return s->ctx.code;
    n = 0;
    for (const ast_value_t *v = c->v; v; v = v->next) vs[n++] = v;
    qry_sql_add(q, negate ? "NOT (" : "(");
    tsg_status_t st = in_list(s, q, f, alias, op == AST_IN ? AST_EQ : op, vs, n, &c->tok);
    qry_sql_add(q, ")");
    return st;
}

/* The ids a TIED TO reaches: a node (with an organisation's programs), a
 * named set (likewise), or organisations matching a condition. */
static tsg_status_t tied_target(qry_session_t *s, qry_sql_t *q, const ast_cond_t *t)
{
    tsg_status_t st;
    if (t->kind == AST_TIED_VALUE && t->v->kind == AST_V_WORD && !t->node->type) {
        /* A bare word is a set made with LET. */
        qry_sql_add(q, "SELECT nid FROM temp.tsg_set WHERE name = ? UNION ALL SELECT p.nid FROM program_at p"
               " JOIN temp.tsg_set g ON g.nid = p.org WHERE g.name = ?");
        qry_sql_text(q, t->v->text);
        qry_sql_text(q, t->v->text);
        const char *type;
        if ((st = qry_set_check(s, t->v->text, &t->v->tok, &type))) return st;
        if (!type)
            return qry_fail(s, &t->v->tok, _("no set named '%s' (make one with LET %s = FIND …; or quote a name: '%s')"),
                            t->v->text, t->v->text, t->v->text);
        return TSG_OK;
    }
    if (t->kind == AST_TIED_VALUE) {
        const qry_name_t *n;
        if ((st = qry_node_ref(s, t->node, (QRY_ANY & ~(1u << QRY_DISTRICT)) | QRY_DAY_NAMES, &n))) return st;
        qry_sql_add(q, "SELECT ? AS nid UNION ALL SELECT nid FROM program_at WHERE org = ?");
        qry_sql_int(q, n->nid);
        qry_sql_int(q, n->nid);
        return TSG_OK;
    }
    char alias[16];
    snprintf(alias, sizeof alias, "g%d", q->alias++);
    qry_sql_add(q, "WITH tgt(nid) AS (SELECT ");
    qry_sql_add(q, alias);
    qry_sql_add(q, ".nid FROM ");
    qry_sql_add_t(q, qry_kinds[0].from, alias);
    qry_sql_add(q, " WHERE ");
    if ((st = qry_cond_sql(s, q, &qry_kinds[0], alias, t))) return st;
    qry_sql_add(q, ") SELECT nid FROM tgt UNION ALL SELECT p.nid FROM program_at p JOIN tgt ON p.org = tgt.nid");
    return TSG_OK;
}

static tsg_status_t tied_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    if (!k->type || k->type == QRY_DISTRICT)
        return qry_fail(s, &c->tok, _("TIED TO applies to organisations, programs and forums, not %s"), k->plural);
    tsg_status_t st;
    qry_sql_add(q, "EXISTS (SELECT 1 FROM (");
    if ((st = tied_target(s, q, c->a))) return st;
    qry_sql_add(q, ") g JOIN tie_at t ON t.src = g.nid OR t.dst = g.nid WHERE ");
    if (c->tiekind) {
        ast_value_t v = {.kind = AST_V_WORD, .tok = *c->tiekind};
        v.text = ast_alloc(&s->ctx, c->tiekind->n + 1);
        if (!v.text) return s->ctx.code;
        memcpy((char *)v.text, c->tiekind->z, c->tiekind->n);
        const char *key;
        if ((st = qry_key(s, &v, "tie_kind", &key))) return st;
        qry_sql_add(q, "t.kind = ? AND ");
        qry_sql_text(q, key);
    }
    qry_sql_add(q, "(CASE WHEN t.src = g.nid THEN t.dst ELSE t.src END) IN (SELECT ");
    qry_sql_add(q, alias);
    qry_sql_add(q, ".nid");
    if (k->type == QRY_ORGANISATION) {
        qry_sql_add(q, " UNION ALL SELECT nid FROM program_at WHERE org = ");
        qry_sql_add(q, alias);
        qry_sql_add(q, ".nid");
    }
    qry_sql_add(q, "))");
    return TSG_OK;
}

tsg_status_t qry_cond_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    tsg_status_t st;
    if (!c) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    switch (c->kind) {
    case AST_AND:
    case AST_OR: {
        /* a OR b OR c parses as ((a OR b) OR c); written flat, the SQL does not
         * nest a level per term, and the chain is walked without recursion. */
        const ast_cond_t *parts[AST_MAX_COND_DEPTH + 2];
        size_t n = 0;
        const ast_cond_t *x = c;
        for (; x && x->kind == c->kind && n <= AST_MAX_COND_DEPTH; x = x->a) parts[n++] = x->b;
        parts[n++] = x;
        qry_sql_add(q, "(");
        for (size_t i = n; i-- > 0;) {
            if ((st = qry_cond_sql(s, q, k, alias, parts[i]))) return st;
            if (i) qry_sql_add(q, c->kind == AST_AND ? " AND " : " OR ");
        }
        qry_sql_add(q, ")");
        return TSG_OK;
    }
    case AST_NOT:
        qry_sql_add(q, "NOT (");
        if ((st = qry_cond_sql(s, q, k, alias, c->a))) return st;
        qry_sql_add(q, ")");
        return TSG_OK;
    case AST_CMP:
        return compare_sql(s, q, k, alias, c);
    case AST_TIED:
        return tied_sql(s, q, k, alias, c);
    case AST_TIED_VALUE:
        return qry_fail(s, &c->tok, _("a name alone is not a condition; write field = value"));
    }
    return TSG_OK;
}
