/*
 * eval — FIND, COUNT and LET: each statement becomes one SQL query over the
 * store, built from per-kind field templates, with every user value bound
 * as a parameter (sqlbind.h; never spliced into the SQL text). SHOW is in
 * show.c, the SQL functions the templates call in sqlfunc.c.
 *
 * Templates write '@' for the row's table alias; conditions nest (TIED TO
 * takes a condition on organisations) by giving each level its own alias.
 * District scoping uses the SQL function tsg_under(d, anc), answered from the
 * session's cache of district parents.
 */
#include "choices.h"
#include "query.h"
#include "sqlbind.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* ---- kinds and their fields --------------------------------------------------------- */

/* F_PEOPLE: a count of people, an F_INT that --suppress-below hides. */
typedef enum { F_KEY, F_NODE, F_TEXT, F_INT, F_AGE, F_DISTRICT, F_AREA, F_DATE, F_PEOPLE } ftype_t;

typedef struct field {
    const char *name;
    ftype_t type;
    const char *vocab;  /* F_KEY: the vocabulary kind */
    unsigned types;     /* F_NODE: the node types allowed */
    const char *sql;    /* '@' = the alias, '?' = the value; F_INT/F_DATE: the column */
} field_t;

typedef struct kind {
    const char *plural, *singular;
    int type;           /* QRY_*, or 0 for ties */
    const char *from;   /* FROM clause, '@' = the alias */
    const char *select; /* the columns FIND shows; the last, verified, the day the row was last confirmed */
    const char *scope;  /* IN 'district', with one '?' (or two for programs) */
    int scope_binds;
    const field_t *fields;
    const qry_keyed_col_t *keyed; /* the columns of vocabulary keys FIND shows, and their labels */
} kind_t;

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
/* The headers of the columns FIND's and COUNT's SQL names (the aliases in
 * kinds[].select and exec_count), for xgettext: qry_result_new translates a
 * column's name (msgctxt "column") into its header. */
static const char *const sql_heads[] = {
    NC_("column", "targets"), NC_("column", "ages"),   NC_("column", "needs"),  NC_("column", "modes"),
    NC_("column", "area"),    NC_("column", "members"), NC_("column", "level"), NC_("column", "parent"),
    NC_("column", "since"),   NC_("column", "school_district"), NC_("column", "forum"),
    NC_("column", "forum_kind"), NC_("column", "tie_kind"), NC_("column", "verified"),
};
/* COUNT … BY a vocabulary: its key column is named for the kind. */
static const qry_keyed_col_t count_keyed[] = {{"sector", NC_("column", "sector_label"), "sector"},
                                              {"target", NC_("column", "target_label"), "target"},
                                              {"need", NC_("column", "need_label"), "need"},
                                              {"forum_kind", NC_("column", "forum_kind_label"), "forum_kind"},
                                              {"tie_kind", NC_("column", "tie_kind_label"), "tie_kind"},
                                              {"level", NC_("column", "level_label"), "level"},
                                              {NULL, NULL, NULL}};

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
     "@.src IN (SELECT ? UNION ALL SELECT nid FROM program WHERE org = ?)"},
    {"to", F_NODE, NULL, (1u << QRY_ORGANISATION) | (1u << QRY_PROGRAM) | (1u << QRY_FORUM),
     "@.dst IN (SELECT ? UNION ALL SELECT nid FROM program WHERE org = ?)"},
    {"count", F_PEOPLE, NULL, 0, "@.count"},
    {"since", F_DATE, NULL, 0, "@.since"},
    VERIFIED,
    {"status", F_TEXT, NULL, 0, "coalesce(@.status, '') = ?"},
    {NULL, 0, NULL, 0, NULL},
};

/* Where a tie's end is: an organisation's base, or its program's owner's. */
#define END_IN(end)                                                                              \
    "EXISTS (SELECT 1 FROM organisation o WHERE (o.nid = " end " OR o.nid = (SELECT org FROM program WHERE nid = " end \
    ")) AND tsg_under(o.district, ?))"

static const kind_t kinds[] = {
    {"organisations", "organisation", QRY_ORGANISATION, "organisation_at @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.sector AS sector, (SELECT name FROM district WHERE nid = @.district) AS district,"
     " @.verified AS verified",
     "tsg_under(@.district, ?)", 1, org_fields, org_keyed},
    {"programs", "program", QRY_PROGRAM, "program_at @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, (SELECT name FROM organisation_at WHERE nid = @.org) AS organisation,"
     " (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target_at WHERE program = @.nid ORDER BY pos)) AS targets,"
     " CASE WHEN @.age_min IS NULL AND @.age_max IS NULL THEN 'all'"
     "  ELSE coalesce(@.age_min, '') || '..' || coalesce(@.age_max, '') END AS ages,"
     " (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need_at WHERE program = @.nid ORDER BY pos)) AS needs,"
     " (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode_at WHERE program = @.nid ORDER BY pos)) AS modes,"
     " CASE WHEN @.wide_area THEN '*' ELSE (SELECT group_concat(name, ';') FROM (SELECT d.name FROM program_area_at a"
     "  JOIN district d ON d.nid = a.district WHERE a.program = @.nid ORDER BY a.pos)) END AS area,"
     " @.verified AS verified",
     SERVES("?"), 2, program_fields, program_keyed},
    {"forums", "forum", QRY_FORUM, "forum_at @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.kind AS kind, (SELECT name FROM district WHERE nid = @.district) AS district,"
     " (SELECT count(*) FROM tie_at WHERE dst = @.nid AND kind = 'membership') AS members, @.verified AS verified",
     "tsg_under(@.district, ?)", 1, forum_fields, forum_keyed},
    {"districts", "district", QRY_DISTRICT, "district @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.level AS level, (SELECT name FROM district WHERE nid = @.parent) AS parent",
     "tsg_under(@.nid, ?)", 1, district_fields, district_keyed},
    {"ties", "tie", 0, "tie_at @",
     "(SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN district d ON d.nid = n.nid"
     "  LEFT JOIN organisation_at o ON o.nid = n.nid LEFT JOIN program_at p ON p.nid = n.nid"
     "  LEFT JOIN forum_at f ON f.nid = n.nid WHERE n.nid = @.src) AS \"from\","
     " (SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN district d ON d.nid = n.nid"
     "  LEFT JOIN organisation_at o ON o.nid = n.nid LEFT JOIN program_at p ON p.nid = n.nid"
     "  LEFT JOIN forum_at f ON f.nid = n.nid WHERE n.nid = @.dst) AS \"to\","
     " @.kind AS kind, @.count AS count, @.since AS since, @.verified AS verified",
     "(" END_IN("@.src") " OR " END_IN("@.dst") ")", 2, tie_fields, tie_keyed},
};

/* The kind a word names, the word folded by the tokenizer (gram_token_t.fold). */
static const kind_t *find_kind(const char *f)
{
    const kind_t *k = NULL;
    for (size_t i = 0; f && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(f, kinds[i].plural) || !strcmp(f, kinds[i].singular)) k = &kinds[i];
    if (f && !k && !strcmp(f, "organizations")) k = &kinds[0];
    return k;
}

const char *qry_kind_word(size_t i) { return i < sizeof kinds / sizeof kinds[0] ? kinds[i].plural : NULL; }

const char *qry_kind_field(const char *kind, size_t i, const char **vocab)
{
    const kind_t *k = find_kind(kind);
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

static tsg_status_t cond_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c);

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
        if ((st = qry_node(s, v, NULL, f->type == F_DISTRICT ? 1u << QRY_DISTRICT : f->types, &n))) return st;
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
        qry_sql_add(q, "SELECT nid FROM temp.tsg_set WHERE name = ? UNION ALL SELECT p.nid FROM program p"
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
        if ((st = qry_node_ref(s, t->node, QRY_ANY & ~(1u << QRY_DISTRICT), &n))) return st;
        qry_sql_add(q, "SELECT ? AS nid UNION ALL SELECT nid FROM program WHERE org = ?");
        qry_sql_int(q, n->nid);
        qry_sql_int(q, n->nid);
        return TSG_OK;
    }
    char alias[16];
    snprintf(alias, sizeof alias, "g%d", q->alias++);
    qry_sql_add(q, "WITH tgt(nid) AS (SELECT ");
    qry_sql_add(q, alias);
    qry_sql_add(q, ".nid FROM ");
    qry_sql_add_t(q, kinds[0].from, alias);
    qry_sql_add(q, " WHERE ");
    if ((st = cond_sql(s, q, &kinds[0], alias, t))) return st;
    qry_sql_add(q, ") SELECT nid FROM tgt UNION ALL SELECT p.nid FROM program p JOIN tgt ON p.org = tgt.nid");
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
        qry_sql_add(q, " UNION ALL SELECT nid FROM program WHERE org = ");
        qry_sql_add(q, alias);
        qry_sql_add(q, ".nid");
    }
    qry_sql_add(q, "))");
    return TSG_OK;
}

static tsg_status_t cond_sql(qry_session_t *s, qry_sql_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
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
            if ((st = cond_sql(s, q, k, alias, parts[i]))) return st;
            if (i) qry_sql_add(q, c->kind == AST_AND ? " AND " : " OR ");
        }
        qry_sql_add(q, ")");
        return TSG_OK;
    }
    case AST_NOT:
        qry_sql_add(q, "NOT (");
        if ((st = cond_sql(s, q, k, alias, c->a))) return st;
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

/* ---- FIND, COUNT and LET --------------------------------------------------------------- */

typedef struct target {
    const kind_t *kind;
    const char *set;   /* FIND set_name: the set's name */
} target_t;

static tsg_status_t find_target(qry_session_t *s, const gram_token_t *what, target_t *t)
{
    t->set = NULL;
    t->kind = find_kind(what->fold);
    if (t->kind) return TSG_OK;
    char *name = ast_alloc(&s->ctx, what->n + 1);
    if (!name) return s->ctx.code;
    memcpy(name, what->z, what->n);
    const char *type;
    tsg_status_t rc = qry_set_check(s, name, what, &type);
    if (rc) return rc;
    for (size_t i = 0; type && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].singular, type)) t->kind = &kinds[i];
    if (t->kind) {
        t->set = name;
        return TSG_OK;
    }
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t d = util_edit_distance(name, kinds[i].plural);
        if (d < bd) {
            bd = d;
            best = kinds[i].plural;
        }
    }
    if (bd <= 3) return qry_fail(s, what, _("unknown kind '%s' (did you mean %s?)"), name, best);
    return qry_fail(s, what, _("'%s' is neither a kind (organisations, programs, forums, districts, ties) nor a set made with LET"),
                    name);
}

/* FROM … WHERE … for a FIND or COUNT, into q, with the row alias "x". */
static tsg_status_t from_where(qry_session_t *s, qry_sql_t *q, const ast_stmt_t *st, const target_t *t)
{
    tsg_status_t rc;
    qry_sql_add(q, " FROM ");
    qry_sql_add_t(q, t->kind->from, "x");
    qry_sql_add(q, " WHERE 1");
    if (t->set) {
        qry_sql_add(q, " AND x.nid IN (SELECT nid FROM temp.tsg_set WHERE name = ?)");
        qry_sql_text(q, t->set);
    }
    if (st->where) {
        qry_sql_add(q, " AND ");
        if ((rc = cond_sql(s, q, t->kind, "x", st->where))) return rc;
    }
    if (st->scope) {
        const qry_name_t *d;
        if ((rc = qry_node_ref(s, st->scope, 1u << QRY_DISTRICT, &d))) return rc;
        qry_sql_add(q, " AND ");
        qry_sql_add_t(q, t->kind->scope, "x");
        for (int i = 0; i < t->kind->scope_binds; i++) qry_sql_int(q, d->nid);
    }
    return TSG_OK;
}

static tsg_status_t exec_find(qry_session_t *s, const ast_stmt_t *st)
{
    (void)sql_heads; /* read by xgettext only */
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    qry_sql_t q = {0};
    qry_sql_add(&q, "SELECT ");
    qry_sql_add_t(&q, t.kind->select, "x");
    if (!(rc = from_where(s, &q, st, &t))) {
        qry_sql_add(&q, t.kind->type ? " ORDER BY x.nid" : " ORDER BY x.tid");
        rc = qry_sql_emit_keyed(s, &q, &st->kw, NULL, t.kind->type ? NULL : "count", t.kind->keyed);
    }
    qry_sql_free(&q);
    return rc;
}

/* Runs one statement with up to two text parameters. */
/* LET s = REACH …: the nodes reached, into temp.tsg_set_new. A set holds
 * one kind of node: what REACH reached when it is all one kind, else the
 * organisations reached and those of the programs reached (an organisation
 * stands for itself and its programs, as in PATH and TIED TO); forums
 * reached among others are left out. */
static tsg_status_t let_reach(qry_session_t *s, const ast_stmt_t *st, const char *name, const kind_t **kind)
{
    int64_t *nids;
    size_t n;
    const eng_net_t *net;
    tsg_status_t rc = qry_reach_nodes(s, st->find, &nids, &n);
    if (rc || (rc = qry_network(s, &net))) {
        free(nids);
        return rc;
    }
    int type = n ? net->type[nids[0]] : QRY_ORGANISATION;
    for (size_t i = 1; i < n; i++)
        if (net->type[nids[i]] != type) type = QRY_ORGANISATION;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].type == type && kinds[i].type) *kind = &kinds[i];
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(s->sql, "INSERT OR IGNORE INTO temp.tsg_set_new(name, nid, type, id)"
                                   " SELECT ?1, n.nid, ?2, n.id FROM main.node n WHERE n.nid = ?3"
                                   " AND NOT EXISTS (SELECT 1 FROM temp.tsg_set_new g WHERE g.name = ?1 AND g.nid = n.nid)",
                           -1, &ins, NULL) != SQLITE_OK)
        rc = qry_fail_sql(s, &st->kw);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t nid = nids[i];
        if (net->type[nid] != type) nid = net->type[nid] == ENG_PROGRAM ? net->org_of[nid] : 0;
        if (!nid) continue;
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, (*kind)->singular, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, nid);
        if (sqlite3_step(ins) != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    free(nids);
    return rc;
}

static tsg_status_t exec_let(qry_session_t *s, const ast_stmt_t *st)
{
    const ast_stmt_t *f = st->find;
    char *name = ast_alloc(&s->ctx, st->what.n + 1);
    if (!name) return s->ctx.code;
    memcpy(name, st->what.z, st->what.n);
    if (find_kind(st->what.fold) || gram_keyword(name, strlen(name)))
        return qry_fail(s, &st->what, _("'%s' is a kind or a keyword; choose another name for the set"), name);
    target_t t = {0};
    tsg_status_t rc = f->kind == AST_REACH ? TSG_OK : find_target(s, &f->what, &t);
    if (rc) return rc;
    if (t.kind && !t.kind->type)
        return qry_fail(s, &f->what, _("a set holds organisations, programs, forums or districts, not ties"));
    /* The new rows are computed into a scratch table before the old set goes,
     * so a set can be remade from itself (LET a = FIND a WHERE …); the steps
     * run under one savepoint, so a failure leaves the old set as it was. */
    if (sqlite3_exec(s->sql, "SAVEPOINT tsg_let", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, &st->kw);
    if (f->kind == AST_REACH) {
        rc = let_reach(s, st, name, &t.kind);
    } else {
        qry_sql_t q = {0};
        qry_sql_add(&q, "INSERT INTO temp.tsg_set_new(name, nid, type, id) SELECT ?, x.nid, ?,"
                        " (SELECT n.id FROM main.node n WHERE n.nid = x.nid)");
        qry_sql_text(&q, name);
        qry_sql_text(&q, t.kind->singular);
        sqlite3_stmt *ins;
        if (!(rc = from_where(s, &q, f, &t)) && !(rc = qry_sql_prepare(s, &q, &st->kw, &ins))) {
            if (sqlite3_step(ins) != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
            sqlite3_finalize(ins);
        }
        qry_sql_free(&q);
    }
    if (!rc) rc = qry_sql_exec(s, &st->kw, "DELETE FROM temp.tsg_set WHERE name = ?1", QRY_BINDS(qry_b_text(name)));
    if (!rc) rc = qry_sql_exec(s, &st->kw, "INSERT OR REPLACE INTO temp.tsg_setname(name, type) VALUES (?1, ?2)",
                               QRY_BINDS(qry_b_text(name), qry_b_text(t.kind->singular)));
    if (!rc) rc = qry_sql_exec(s, &st->kw, "INSERT INTO temp.tsg_set(name, nid, type, id) SELECT name, nid, type, id"
                                           " FROM temp.tsg_set_new", NULL, 0);
    sqlite3_exec(s->sql, "DELETE FROM temp.tsg_set_new", NULL, NULL, NULL);
    if (rc) sqlite3_exec(s->sql, "ROLLBACK TO tsg_let", NULL, NULL, NULL);
    sqlite3_exec(s->sql, "RELEASE tsg_let", NULL, NULL, NULL);
    if (rc) return rc;
    sqlite3_stmt *cnt;
    long n = 0;
    if (sqlite3_prepare_v2(s->sql, "SELECT count(*) FROM temp.tsg_set WHERE name = ?", -1, &cnt, NULL) == SQLITE_OK) {
        sqlite3_bind_text(cnt, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(cnt) == SQLITE_ROW) n = sqlite3_column_int64(cnt, 0);
        sqlite3_finalize(cnt);
    }
    /* A set holds nodes of one type (never ties): a whole sentence for each. */
    static const char *const made[][2] = {
        {"", ""}, {N_("%s: %ld district"), N_("%s: %ld districts")},
        {N_("%s: %ld organisation"), N_("%s: %ld organisations")}, {N_("%s: %ld program"), N_("%s: %ld programs")},
        {N_("%s: %ld forum"), N_("%s: %ld forums")}};
    return qry_emit_done(s, _(made[t.kind->type][n != 1]), name, n);
}

/* COUNT … BY: one row per key of the vocabulary (or per district of a
 * level, or per forum), zeros included: an empty row is often the finding.
 * Without BY, one row: the total. COUNT counts organisations, programs,
 * forums, ties or districts, never people, so nothing here is suppressed. */
static tsg_status_t exec_count(qry_session_t *s, const ast_stmt_t *st)
{
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    qry_sql_t q = {0};
    if (!st->by.n) {
        qry_sql_add(&q, "SELECT count(*) AS count");
        if (!(rc = from_where(s, &q, st, &t))) rc = qry_sql_emit(s, &q, &st->kw, NULL, NULL);
        qry_sql_free(&q);
        return rc;
    }
    /* The word after BY was folded once, by the tokenizer. */
    const char *fby = st->by.fold;
    if (!fby) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    int type = t.kind->type;
    const char *vocab = NULL, *match = NULL;
    const char *level = NULL; /* BY ward, BY school_district: the districts of that level */
    const char *forum = NULL; /* BY forum: how a row sits in forum v (membership is an organisation's) */
    /* The words BY takes are query/choices.c's, the ones Tab offers; the
     * chain below says what each means. */
    size_t wi = 0;
    while (qry_count_by_word(t.kind->plural, wi) && strcmp(qry_count_by_word(t.kind->plural, wi), fby)) wi++;
    const int offered = qry_count_by_word(t.kind->plural, wi) != NULL;
    if (!strcmp(fby, "sector") && type == QRY_ORGANISATION) vocab = "sector", match = "x.sector = v.key";
    else if (!strcmp(fby, "sector") && type == QRY_PROGRAM)
        vocab = "sector", match = "(SELECT sector FROM organisation_at WHERE nid = x.org) = v.key";
    else if (!strcmp(fby, "target") && type == QRY_PROGRAM)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program_target_at t WHERE t.program = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "target") && type == QRY_ORGANISATION)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program_at p JOIN program_target_at t ON t.program = p.nid"
                                  " WHERE p.org = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_PROGRAM)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program_need_at t WHERE t.program = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_ORGANISATION)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program_at p JOIN program_need_at t ON t.program = p.nid"
                                " WHERE p.org = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "kind") && type == QRY_FORUM) vocab = "forum_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "kind") && !type) vocab = "tie_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "level") && type == QRY_DISTRICT) vocab = "level", match = "x.level = v.key";
    else if (!strcmp(fby, "ward") && type && type != QRY_DISTRICT) level = "ward";
    else if (!strcmp(fby, "school_district") && type && type != QRY_DISTRICT) level = "school_district";
    else if (!strcmp(fby, "forum") && type == QRY_ORGANISATION)
        forum = "EXISTS (SELECT 1 FROM tie_at m WHERE m.kind = 'membership' AND m.src = x.nid AND m.dst = v.nid)";
    else if (!strcmp(fby, "forum") && type == QRY_PROGRAM)
        forum = "EXISTS (SELECT 1 FROM tie_at m WHERE m.kind = 'membership' AND m.src = x.org AND m.dst = v.nid)";
    if (!offered || (!vocab && !level && !forum))
        return qry_fail(s, &st->by,
                        _("%s cannot be counted by '%.*s' (organisations and programs: sector, ward, school_district, "
                           "forum, target, need; forums: kind, ward, school_district; ties: kind; districts: level; "
                           "or leave BY out for the total)"),
                        t.kind->plural, (int)st->by.n, st->by.z);
    if (level) {
        qry_sql_add(&q, "SELECT v.name AS ");
        qry_sql_add(&q, level);
        qry_sql_add(&q, ", (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        /* The same test as IN 'district', with the district as the value. */
        const char *scope = t.kind->scope;
        for (const char *p = scope; *p; p++) {
            if (*p == '@') qry_sql_add(&q, "x");
            else if (*p == '?') qry_sql_add(&q, "v.nid");
            else {
                char ch[2] = {*p, 0};
                qry_sql_add(&q, ch);
            }
        }
        qry_sql_add(&q, ") AS count FROM district v WHERE v.level = ? ORDER BY v.nid");
        qry_sql_text(&q, level);
    } else if (forum) {
        qry_sql_add(&q, "SELECT v.name AS forum, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        qry_sql_add(&q, forum);
        qry_sql_add(&q, ") AS count FROM forum_at v ORDER BY v.nid");
    } else {
        qry_sql_add(&q, "SELECT v.key AS ");
        qry_sql_add(&q, vocab);
        /* English keeps its 日本語 column, which scripts read (issue 19,
         * "machine-readable output stays stable"); Japanese shows the label
         * in place of the key and keeps both in CSV/JSON (<kind>_label). */
        qry_sql_add(&q, s->ja ? ", (SELECT count(*)" : ", v.label_ja AS 日本語, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        qry_sql_add(&q, " AND ");
        qry_sql_add(&q, match);
        qry_sql_add(&q, ") AS count FROM vocab v WHERE v.kind = ? ORDER BY v.rowid");
        qry_sql_text(&q, vocab);
    }
    rc = qry_sql_emit_keyed(s, &q, &st->kw, NULL, NULL, count_keyed);
out:
    qry_sql_free(&q);
    return rc;
}

tsg_status_t qry_match_programs(qry_session_t *s, const ast_stmt_t *st, int64_t maxnid, int **keep)
{
    *keep = calloc((size_t)maxnid + 1, sizeof **keep);
    if (!*keep) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    target_t t = {&kinds[1], NULL};
    qry_sql_t q = {0};
    qry_sql_add(&q, "SELECT x.nid");
    tsg_status_t rc = from_where(s, &q, st, &t);
    sqlite3_stmt *sel;
    if (!rc && !(rc = qry_sql_prepare(s, &q, &st->kw, &sel))) {
        int step;
        while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
            int64_t nid = sqlite3_column_int64(sel, 0);
            if (nid >= 0 && nid <= maxnid) (*keep)[nid] = 1;
        }
        if (step != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
        sqlite3_finalize(sel);
    }
    qry_sql_free(&q);
    if (rc) {
        free(*keep);
        *keep = NULL;
    }
    return rc;
}

tsg_status_t qry_exec_read(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    switch (st->kind) {
    case AST_FIND: return exec_find(s, st);
    case AST_COUNT: return exec_count(s, st);
    case AST_SHOW: return qry_exec_show(s, st);
    case AST_LET: return exec_let(s, st);
    default: return qry_fail(s, &st->kw, _("not a reading statement"));
    }
}
