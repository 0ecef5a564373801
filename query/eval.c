/*
 * eval — FIND, COUNT, SHOW and LET: each statement becomes one SQL query
 * over the store, built from per-kind field templates, with every user value
 * bound as a parameter (never spliced into the SQL text).
 *
 * Templates write '@' for the row's table alias; conditions nest (TIED TO
 * takes a condition on organisations) by giving each level its own alias.
 * District scoping uses the SQL function tsg_under(d, anc), answered from the
 * session's cache of district parents.
 */
#include "query.h"
#include "result.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

/* ---- SQL with bound values ------------------------------------------------------ */

typedef struct bind {
    int is_text;
    int64_t i;
    const char *t; /* owned by the statement's arena or the session */
} bind_t;

typedef struct sqlb {
    util_buf_t sql;
    bind_t *b;
    size_t n, cap;
    int alias;     /* the next free alias number */
    int oom;
} sqlb_t;

static void add(sqlb_t *q, const char *s)
{
    if (util_buf_adds(&q->sql, s)) q->oom = 1;
}

/* Appends a template with '@' replaced by the alias. */
static void add_t(sqlb_t *q, const char *tmpl, const char *alias)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p == '@') {
            if (util_buf_adds(&q->sql, alias)) q->oom = 1;
        } else if (util_buf_addc(&q->sql, *p)) {
            q->oom = 1;
        }
    }
}

static void bind_push(sqlb_t *q, bind_t b)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        bind_t *grown = realloc(q->b, cap * sizeof *grown);
        if (!grown) {
            q->oom = 1;
            return;
        }
        q->b = grown;
        q->cap = cap;
    }
    q->b[q->n++] = b;
}

static void bind_int(sqlb_t *q, int64_t i) { bind_push(q, (bind_t){0, i, NULL}); }
static void bind_text(sqlb_t *q, const char *t) { bind_push(q, (bind_t){1, 0, t}); }

static void sqlb_free(sqlb_t *q)
{
    util_buf_free(&q->sql);
    free(q->b);
}

static tsg_status_t prepare(qry_session_t *s, sqlb_t *q, const gram_token_t *at, sqlite3_stmt **st)
{
    if (q->oom) return gram_fail(&s->ctx, TSG_ENOMEM, at, "out of memory");
    if (sqlite3_prepare_v2(s->sql, q->sql.data, -1, st, NULL) != SQLITE_OK) return qry_fail_sql(s, at);
    /* A template with a '?' too many or too few would bind values to the
     * wrong places and answer wrongly without a word: refuse it. */
    int placeholders = sqlite3_bind_parameter_count(*st);
    if ((size_t)placeholders != q->n) {
        sqlite3_finalize(*st);
        *st = NULL;
        return gram_fail(&s->ctx, TSG_EDB, at, "internal: %d placeholders for %zu values", placeholders, q->n);
    }
    for (size_t i = 0; i < q->n; i++) {
        if (q->b[i].is_text) sqlite3_bind_text(*st, (int)i + 1, q->b[i].t, -1, SQLITE_STATIC);
        else sqlite3_bind_int64(*st, (int)i + 1, q->b[i].i);
    }
    return TSG_OK;
}

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
    const char *select; /* the columns FIND shows */
    const char *scope;  /* IN 'district', with one '?' (or two for programs) */
    int scope_binds;
    const field_t *fields;
} kind_t;

#define NODE_FIELDS(tbl)                                                                   \
    {"id", F_TEXT, NULL, 0, "@n.id = ?"}, {"name", F_TEXT, NULL, 0, "tsg_match(@.name, ?)"}

static const field_t org_fields[] = {
    NODE_FIELDS(organisation),
    {"sector", F_KEY, "sector", 0, "@.sector = ?"},
    {"district", F_DISTRICT, NULL, 0, "tsg_under(@.district, ?)"},
    {NULL, 0, NULL, 0, NULL},
};

#define SERVES(d)                                                                                     \
    "(@.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area a WHERE a.program = @.nid AND (tsg_under(a.district, " d \
    ") OR tsg_under(" d ", a.district))))"

static const field_t program_fields[] = {
    NODE_FIELDS(program),
    {"target", F_KEY, "target", 0,
     "EXISTS (SELECT 1 FROM program_target t WHERE t.program = @.nid AND (t.target = ? OR t.target = 'everyone'))"},
    {"need", F_KEY, "need", 0, "EXISTS (SELECT 1 FROM program_need t WHERE t.program = @.nid AND t.need = ?)"},
    {"mode", F_KEY, "mode", 0, "EXISTS (SELECT 1 FROM program_mode t WHERE t.program = @.nid AND t.mode = ?)"},
    {"approach", F_KEY, "approach", 0, "@.approach = ?"},
    {"in_system", F_KEY, "in_system", 0, "@.in_system = ?"},
    {"sector", F_KEY, "sector", 0, "(SELECT sector FROM organisation WHERE nid = @.org) = ?"},
    {"org", F_NODE, NULL, 1u << QRY_ORGANISATION, "@.org = ?"},
    {"organisation", F_NODE, NULL, 1u << QRY_ORGANISATION, "@.org = ?"},
    {"age", F_AGE, NULL, 0, NULL},
    {"age_min", F_INT, NULL, 0, "@.age_min"},
    {"age_max", F_INT, NULL, 0, "@.age_max"},
    {"area", F_AREA, NULL, 0, SERVES("?")}, /* two '?': the district is bound twice */
    {"hours", F_TEXT, NULL, 0, "tsg_match(@.hours, ?)"},
    {NULL, 0, NULL, 0, NULL},
};

static const field_t forum_fields[] = {
    NODE_FIELDS(forum),
    {"kind", F_KEY, "forum_kind", 0, "@.kind = ?"},
    {"district", F_DISTRICT, NULL, 0, "tsg_under(@.district, ?)"},
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
    {"from", F_NODE, NULL, QRY_ANY, "@.src = ?"},
    {"to", F_NODE, NULL, QRY_ANY, "@.dst = ?"},
    {"count", F_PEOPLE, NULL, 0, "@.count"},
    {"since", F_DATE, NULL, 0, "@.since"},
    {NULL, 0, NULL, 0, NULL},
};

/* Where a tie's end is: an organisation's base, or its program's owner's. */
#define END_IN(end)                                                                              \
    "EXISTS (SELECT 1 FROM organisation o WHERE (o.nid = " end " OR o.nid = (SELECT org FROM program WHERE nid = " end \
    ")) AND tsg_under(o.district, ?))"

static const kind_t kinds[] = {
    {"organisations", "organisation", QRY_ORGANISATION, "organisation @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.sector AS sector, (SELECT name FROM district WHERE nid = @.district) AS district",
     "tsg_under(@.district, ?)", 1, org_fields},
    {"programs", "program", QRY_PROGRAM, "program @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, (SELECT name FROM organisation WHERE nid = @.org) AS organisation,"
     " (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target WHERE program = @.nid ORDER BY pos)) AS targets,"
     " CASE WHEN @.age_min IS NULL AND @.age_max IS NULL THEN 'all'"
     "  ELSE coalesce(@.age_min, '') || '..' || coalesce(@.age_max, '') END AS ages,"
     " (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need WHERE program = @.nid ORDER BY pos)) AS needs,"
     " (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode WHERE program = @.nid ORDER BY pos)) AS modes,"
     " CASE WHEN @.wide_area THEN '*' ELSE (SELECT group_concat(name, ';') FROM (SELECT d.name FROM program_area a"
     "  JOIN district d ON d.nid = a.district WHERE a.program = @.nid ORDER BY a.pos)) END AS area",
     SERVES("?"), 2, program_fields},
    {"forums", "forum", QRY_FORUM, "forum @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.kind AS kind, (SELECT name FROM district WHERE nid = @.district) AS district,"
     " (SELECT count(*) FROM tie WHERE dst = @.nid AND kind = 'membership') AS members",
     "tsg_under(@.district, ?)", 1, forum_fields},
    {"districts", "district", QRY_DISTRICT, "district @ JOIN node @n ON @n.nid = @.nid",
     "@n.id AS id, @.name AS name, @.level AS level, (SELECT name FROM district WHERE nid = @.parent) AS parent",
     "tsg_under(@.nid, ?)", 1, district_fields},
    {"ties", "tie", 0, "tie @",
     "(SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN district d ON d.nid = n.nid"
     "  LEFT JOIN organisation o ON o.nid = n.nid LEFT JOIN program p ON p.nid = n.nid"
     "  LEFT JOIN forum f ON f.nid = n.nid WHERE n.nid = @.src) AS \"from\","
     " (SELECT coalesce(d.name, o.name, p.name, f.name) FROM node n LEFT JOIN district d ON d.nid = n.nid"
     "  LEFT JOIN organisation o ON o.nid = n.nid LEFT JOIN program p ON p.nid = n.nid"
     "  LEFT JOIN forum f ON f.nid = n.nid WHERE n.nid = @.dst) AS \"to\","
     " @.kind AS kind, @.count AS count, @.since AS since",
     "(" END_IN("@.src") " OR " END_IN("@.dst") ")", 2, tie_fields},
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
    tsg_status_t st = qry_fail(s, tok, "%s have no field '%.*s' (fields: %s)", k->plural, (int)tok->n, tok->z,
                               names.data ? names.data : "");
    util_buf_free(&names);
    return st;
}

/* ---- conditions --------------------------------------------------------------------- */

static tsg_status_t cond_sql(qry_session_t *s, sqlb_t *q, const kind_t *k, const char *alias, const ast_cond_t *c);

static const char *op_sql(int op)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    return op <= AST_GE ? ops[op] : "=";
}

/* "column op ?" for fields compared by order (numbers, dates). */
static void add_column_op(sqlb_t *q, const field_t *f, const char *alias, int op)
{
    add_t(q, f->sql, alias);
    add(q, " ");
    add(q, op_sql(op));
    add(q, " ?");
}

/* One field compared with one value (IN lists are ORs of these). */
static tsg_status_t compare_one(qry_session_t *s, sqlb_t *q, const field_t *f, const char *alias, int op,
                                const ast_value_t *v, const gram_token_t *ftok)
{
    tsg_status_t st;
    int ordered = op >= AST_LT && op <= AST_GE;
    if (ordered && f->type != F_INT && f->type != F_PEOPLE && f->type != F_DATE)
        return qry_fail(s, ftok, "'%s' cannot be compared with < or >; use = or !=", f->name);
    if (op == AST_OVERLAPS && f->type != F_AGE)
        return qry_fail(s, ftok, "OVERLAPS compares age ranges; '%s' is not an age", f->name);
    switch (f->type) {
    case F_KEY: {
        const char *key;
        if ((st = qry_key(s, v, f->vocab, &key))) return st;
        add_t(q, f->sql, alias);
        bind_text(q, key);
        return TSG_OK;
    }
    case F_NODE:
    case F_DISTRICT: {
        const qry_name_t *n;
        if ((st = qry_node(s, v, NULL, f->type == F_DISTRICT ? 1u << QRY_DISTRICT : f->types, &n))) return st;
        add_t(q, f->sql, alias);
        bind_int(q, n->nid);
        return TSG_OK;
    }
    case F_AREA: {
        if (v->kind == AST_V_STAR) {
            add_t(q, "@.wide_area = 1", alias);
            return TSG_OK;
        }
        const qry_name_t *n;
        if ((st = qry_node(s, v, NULL, 1u << QRY_DISTRICT, &n))) return st;
        add(q, "(");
        add_t(q, f->sql, alias);
        add(q, ")");
        bind_int(q, n->nid);
        bind_int(q, n->nid);
        return TSG_OK;
    }
    case F_TEXT: {
        const char *t = qry_text(s, v, "a name");
        if (!t) return s->ctx.code;
        add_t(q, f->sql, alias);
        bind_text(q, t);
        return TSG_OK;
    }
    case F_INT: {
        long n;
        if ((st = qry_number(s, v, &n))) return st;
        add_column_op(q, f, alias, op);
        bind_int(q, n);
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
            bind_int(q, n);
            return TSG_OK;
        }
        if (n < s->suppress_below)
            return qry_fail(s, v->tok.n ? &v->tok : ftok,
                            "counts under %ld are suppressed (--suppress-below %ld), so '%s' cannot be compared with %ld; "
                            "compare with %ld or more",
                            s->suppress_below, s->suppress_below, f->name, n, s->suppress_below);
        char shown[96];
        snprintf(shown, sizeof shown, "(CASE WHEN @.count >= %ld THEN @.count END)", s->suppress_below);
        field_t masked = *f;
        masked.sql = shown;
        add_column_op(q, &masked, alias, op);
        bind_int(q, n);
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
        bind_text(q, iso);
        return TSG_OK;
    }
    case F_AGE: {
        int hl, hh;
        long lo, hi;
        if ((st = qry_range(s, v, &hl, &lo, &hh, &hi))) return st;
        if (op != AST_EQ && op != AST_OVERLAPS)
            return qry_fail(s, ftok, "age takes = (the program covers these ages) or OVERLAPS (it meets them)");
        /* = : every age asked for is served; OVERLAPS: at least one is. */
        int covers = op == AST_EQ;
        add(q, "(1");
        if (hl) {
            add_t(q, covers ? " AND (@.age_min IS NULL OR @.age_min <= ?)" : " AND (@.age_max IS NULL OR @.age_max >= ?)", alias);
            bind_int(q, lo);
        } else if (covers) {
            add_t(q, " AND @.age_min IS NULL", alias);
        }
        if (hh) {
            add_t(q, covers ? " AND (@.age_max IS NULL OR @.age_max >= ?)" : " AND (@.age_min IS NULL OR @.age_min <= ?)", alias);
            bind_int(q, hi);
        } else if (covers) {
            add_t(q, " AND @.age_max IS NULL", alias);
        }
        add(q, ")");
        return TSG_OK;
    }
    }
    return TSG_OK;
}

/* vs[0..n) ORed as a balanced tree: "a OR b OR c …" written flat is a
 * chain as deep as the list, and SQLite refuses an expression deeper than
 * 1000 ("Expression tree is too large") - a thousand names failed with
 * that, at column 1. Balanced, the depth is log2(n). */
static tsg_status_t in_list(qry_session_t *s, sqlb_t *q, const field_t *f, const char *alias, int op,
                            const ast_value_t **vs, size_t n, const gram_token_t *ftok)
{
    if (n == 1) return compare_one(s, q, f, alias, op, vs[0], ftok);
    add(q, "(");
    tsg_status_t st = in_list(s, q, f, alias, op, vs, n / 2, ftok);
    add(q, ") OR (");
    if (!st) st = in_list(s, q, f, alias, op, vs + n / 2, n - n / 2, ftok);
    add(q, ")");
    return st;
}

static tsg_status_t compare_sql(qry_session_t *s, sqlb_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    const field_t *f = find_field(k, &c->tok);
    if (!f) return unknown_field(s, k, &c->tok);
    int op = c->op;
    int negate = op == AST_NE;
    if (negate) op = AST_EQ;
    if (op == AST_IN && c->v && !c->v->next && c->v->kind != AST_V_STRING && c->v->kind != AST_V_PARAM) {
        /* field IN set_name is not a thing; IN takes a list in parentheses. */
        if (c->v->kind == AST_V_WORD)
            return qry_fail(s, &c->v->tok, "IN takes a list in parentheses, e.g. %s IN (a, b)", f->name);
    }
    size_t n = 0;
    for (const ast_value_t *v = c->v; v; v = v->next)
        if (++n > UTIL_MAX_IN_LIST)
            return qry_fail(s, &v->tok, "IN takes at most %d values; make a set with LET, or split the statement",
                            UTIL_MAX_IN_LIST);
    const ast_value_t **vs = ast_alloc(&s->ctx, (n ? n : 1) * sizeof *vs);
    if (!vs) return s->ctx.code;
    n = 0;
    for (const ast_value_t *v = c->v; v; v = v->next) vs[n++] = v;
    add(q, negate ? "NOT (" : "(");
    tsg_status_t st = in_list(s, q, f, alias, op == AST_IN ? AST_EQ : op, vs, n, &c->tok);
    add(q, ")");
    return st;
}

/* The ids a TIED TO reaches: a node (with an organisation's programs), a
 * named set (likewise), or organisations matching a condition. */
static tsg_status_t tied_target(qry_session_t *s, sqlb_t *q, const ast_cond_t *t)
{
    tsg_status_t st;
    if (t->kind == AST_TIED_VALUE && t->v->kind == AST_V_WORD && !t->node->type) {
        /* A bare word is a set made with LET. */
        add(q, "SELECT nid FROM temp.tsg_set WHERE name = ? UNION ALL SELECT p.nid FROM program p"
               " JOIN temp.tsg_set g ON g.nid = p.org WHERE g.name = ?");
        bind_text(q, t->v->text);
        bind_text(q, t->v->text);
        const char *type;
        if ((st = qry_set_check(s, t->v->text, &t->v->tok, &type))) return st;
        if (!type)
            return qry_fail(s, &t->v->tok, "no set named '%s' (make one with LET %s = FIND …; or quote a name: '%s')",
                            t->v->text, t->v->text, t->v->text);
        return TSG_OK;
    }
    if (t->kind == AST_TIED_VALUE) {
        const qry_name_t *n;
        if ((st = qry_node_ref(s, t->node, QRY_ANY & ~(1u << QRY_DISTRICT), &n))) return st;
        add(q, "SELECT ? AS nid UNION ALL SELECT nid FROM program WHERE org = ?");
        bind_int(q, n->nid);
        bind_int(q, n->nid);
        return TSG_OK;
    }
    char alias[16];
    snprintf(alias, sizeof alias, "g%d", q->alias++);
    add(q, "WITH tgt(nid) AS (SELECT ");
    add(q, alias);
    add(q, ".nid FROM ");
    add_t(q, kinds[0].from, alias);
    add(q, " WHERE ");
    if ((st = cond_sql(s, q, &kinds[0], alias, t))) return st;
    add(q, ") SELECT nid FROM tgt UNION ALL SELECT p.nid FROM program p JOIN tgt ON p.org = tgt.nid");
    return TSG_OK;
}

static tsg_status_t tied_sql(qry_session_t *s, sqlb_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    if (!k->type || k->type == QRY_DISTRICT)
        return qry_fail(s, &c->tok, "TIED TO applies to organisations, programs and forums, not %s", k->plural);
    tsg_status_t st;
    add(q, "EXISTS (SELECT 1 FROM (");
    if ((st = tied_target(s, q, c->a))) return st;
    add(q, ") g JOIN tie t ON t.src = g.nid OR t.dst = g.nid WHERE ");
    if (c->tiekind) {
        ast_value_t v = {.kind = AST_V_WORD, .tok = *c->tiekind};
        v.text = ast_alloc(&s->ctx, c->tiekind->n + 1);
        if (!v.text) return s->ctx.code;
        memcpy((char *)v.text, c->tiekind->z, c->tiekind->n);
        const char *key;
        if ((st = qry_key(s, &v, "tie_kind", &key))) return st;
        add(q, "t.kind = ? AND ");
        bind_text(q, key);
    }
    add(q, "(CASE WHEN t.src = g.nid THEN t.dst ELSE t.src END) IN (SELECT ");
    add(q, alias);
    add(q, ".nid");
    if (k->type == QRY_ORGANISATION) {
        add(q, " UNION ALL SELECT nid FROM program WHERE org = ");
        add(q, alias);
        add(q, ".nid");
    }
    add(q, "))");
    return TSG_OK;
}

static tsg_status_t cond_sql(qry_session_t *s, sqlb_t *q, const kind_t *k, const char *alias, const ast_cond_t *c)
{
    tsg_status_t st;
    if (!c) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
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
        add(q, "(");
        for (size_t i = n; i-- > 0;) {
            if ((st = cond_sql(s, q, k, alias, parts[i]))) return st;
            if (i) add(q, c->kind == AST_AND ? " AND " : " OR ");
        }
        add(q, ")");
        return TSG_OK;
    }
    case AST_NOT:
        add(q, "NOT (");
        if ((st = cond_sql(s, q, k, alias, c->a))) return st;
        add(q, ")");
        return TSG_OK;
    case AST_CMP:
        return compare_sql(s, q, k, alias, c);
    case AST_TIED:
        return tied_sql(s, q, k, alias, c);
    case AST_TIED_VALUE:
        return qry_fail(s, &c->tok, "a name alone is not a condition; write field = value");
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
    if (bd <= 3) return qry_fail(s, what, "unknown kind '%s' (did you mean %s?)", name, best);
    return qry_fail(s, what, "'%s' is neither a kind (organisations, programs, forums, districts, ties) nor a set made with LET",
                    name);
}

/* FROM … WHERE … for a FIND or COUNT, into q, with the row alias "x". */
static tsg_status_t from_where(qry_session_t *s, sqlb_t *q, const ast_stmt_t *st, const target_t *t)
{
    tsg_status_t rc;
    add(q, " FROM ");
    add_t(q, t->kind->from, "x");
    add(q, " WHERE 1");
    if (t->set) {
        add(q, " AND x.nid IN (SELECT nid FROM temp.tsg_set WHERE name = ?)");
        bind_text(q, t->set);
    }
    if (st->where) {
        add(q, " AND ");
        if ((rc = cond_sql(s, q, t->kind, "x", st->where))) return rc;
    }
    if (st->scope) {
        const qry_name_t *d;
        if ((rc = qry_node(s, st->scope, NULL, 1u << QRY_DISTRICT, &d))) return rc;
        add(q, " AND ");
        add_t(q, t->kind->scope, "x");
        for (int i = 0; i < t->kind->scope_binds; i++) bind_int(q, d->nid);
    }
    return TSG_OK;
}

/* Runs q and emits its rows; `people` names a column of people counts
 * (published as "<N" under --suppress-below), or is NULL. */
static tsg_status_t run_query(qry_session_t *s, sqlb_t *q, const gram_token_t *at, const char *title, const char *people)
{
    sqlite3_stmt *st;
    tsg_status_t rc = prepare(s, q, at, &st);
    if (rc) return rc;
    /* qry_result_from_sql prepares its own statement; this one is bound. */
    size_t n = (size_t)sqlite3_column_count(st);
    const char *cols[32];
    for (size_t c = 0; c < n && c < 32; c++) cols[c] = sqlite3_column_name(st, (int)c);
    tsg_result_t *r = qry_result_new(title, n, cols);
    int step;
    while (r && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *cells[32];
        for (size_t c = 0; c < n; c++) {
            cells[c] = (const char *)sqlite3_column_text(st, (int)c);
            int type = sqlite3_column_type(st, (int)c);
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) r->right[c] = 1;
        }
        r = qry_result_row(r, cells);
    }
    if (r && step != SQLITE_DONE) {
        tsg_result_free(r);
        sqlite3_finalize(st);
        return qry_fail_sql(s, at);
    }
    sqlite3_finalize(st);
    if (people) r = qry_suppress(s, r, people);
    return qry_emit(s, r);
}

static tsg_status_t exec_find(qry_session_t *s, const ast_stmt_t *st)
{
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    sqlb_t q = {0};
    add(&q, "SELECT ");
    add_t(&q, t.kind->select, "x");
    if (!(rc = from_where(s, &q, st, &t))) {
        add(&q, t.kind->type ? " ORDER BY x.nid" : " ORDER BY x.tid");
        rc = run_query(s, &q, &st->kw, NULL, t.kind->type ? NULL : "count");
    }
    sqlb_free(&q);
    return rc;
}

/* Runs one statement with up to two text parameters. */
static tsg_status_t run_text(qry_session_t *s, const gram_token_t *at, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &st, NULL) != SQLITE_OK) return qry_fail_sql(s, at);
    if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TSG_OK : qry_fail_sql(s, at);
}

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
        return qry_fail(s, &st->what, "'%s' is a kind or a keyword; choose another name for the set", name);
    target_t t = {0};
    tsg_status_t rc = f->kind == AST_REACH ? TSG_OK : find_target(s, &f->what, &t);
    if (rc) return rc;
    if (t.kind && !t.kind->type)
        return qry_fail(s, &f->what, "a set holds organisations, programs, forums or districts, not ties");
    /* The new rows are computed into a scratch table before the old set goes,
     * so a set can be remade from itself (LET a = FIND a WHERE …); the steps
     * run under one savepoint, so a failure leaves the old set as it was. */
    if (sqlite3_exec(s->sql, "SAVEPOINT tsg_let", NULL, NULL, NULL) != SQLITE_OK) return qry_fail_sql(s, &st->kw);
    if (f->kind == AST_REACH) {
        rc = let_reach(s, st, name, &t.kind);
    } else {
        sqlb_t q = {0};
        add(&q, "INSERT INTO temp.tsg_set_new(name, nid, type, id) SELECT ?, x.nid, ?,"
                " (SELECT n.id FROM main.node n WHERE n.nid = x.nid)");
        bind_text(&q, name);
        bind_text(&q, t.kind->singular);
        sqlite3_stmt *ins;
        if (!(rc = from_where(s, &q, f, &t)) && !(rc = prepare(s, &q, &st->kw, &ins))) {
            if (sqlite3_step(ins) != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
            sqlite3_finalize(ins);
        }
        sqlb_free(&q);
    }
    if (!rc) rc = run_text(s, &st->kw, "DELETE FROM temp.tsg_set WHERE name = ?1", name, NULL);
    if (!rc) rc = run_text(s, &st->kw, "INSERT OR REPLACE INTO temp.tsg_setname(name, type) VALUES (?1, ?2)", name,
                           t.kind->singular);
    if (!rc) rc = run_text(s, &st->kw, "INSERT INTO temp.tsg_set(name, nid, type, id) SELECT name, nid, type, id"
                                       " FROM temp.tsg_set_new", NULL, NULL);
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
    return qry_emit_done(s, "%s: %ld %s", name, n, n == 1 ? t.kind->singular : t.kind->plural);
}

/* COUNT … BY: one row per key of the vocabulary (or per ward), zeros
 * included: an empty row is often the finding. */
static tsg_status_t exec_count(qry_session_t *s, const ast_stmt_t *st)
{
    target_t t;
    tsg_status_t rc = find_target(s, &st->what, &t);
    if (rc) return rc;
    char *by = util_strndup(st->by.z, st->by.n), *fby = by ? util_fold(by) : NULL;
    free(by);
    if (!fby) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    int type = t.kind->type;
    const char *vocab = NULL, *match = NULL;
    int ward = 0;
    if (!strcmp(fby, "sector") && type == QRY_ORGANISATION) vocab = "sector", match = "x.sector = v.key";
    else if (!strcmp(fby, "sector") && type == QRY_PROGRAM)
        vocab = "sector", match = "(SELECT sector FROM organisation WHERE nid = x.org) = v.key";
    else if (!strcmp(fby, "target") && type == QRY_PROGRAM)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program_target t WHERE t.program = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "target") && type == QRY_ORGANISATION)
        vocab = "target", match = "EXISTS (SELECT 1 FROM program p JOIN program_target t ON t.program = p.nid"
                                  " WHERE p.org = x.nid AND t.target = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_PROGRAM)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program_need t WHERE t.program = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "need") && type == QRY_ORGANISATION)
        vocab = "need", match = "EXISTS (SELECT 1 FROM program p JOIN program_need t ON t.program = p.nid"
                                " WHERE p.org = x.nid AND t.need = v.key)";
    else if (!strcmp(fby, "kind") && type == QRY_FORUM) vocab = "forum_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "kind") && !type) vocab = "tie_kind", match = "x.kind = v.key";
    else if (!strcmp(fby, "level") && type == QRY_DISTRICT) vocab = "level", match = "x.level = v.key";
    else if (!strcmp(fby, "ward") && type && type != QRY_DISTRICT) ward = 1;
    free(fby);
    if (!vocab && !ward)
        return qry_fail(s, &st->by, "%s cannot be counted by '%.*s' (organisations and programs: sector, ward, target, "
                                    "need; forums: kind, ward; ties: kind; districts: level)",
                        t.kind->plural, (int)st->by.n, st->by.z);
    sqlb_t q = {0};
    if (ward) {
        add(&q, "SELECT v.name AS ward, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        add(&q, " AND ");
        /* The same test as IN 'ward', with the ward as the value. */
        const char *scope = t.kind->scope;
        for (const char *p = scope; *p; p++) {
            if (*p == '@') add(&q, "x");
            else if (*p == '?') add(&q, "v.nid");
            else {
                char ch[2] = {*p, 0};
                add(&q, ch);
            }
        }
        add(&q, ") AS count FROM district v WHERE v.level = 'ward' ORDER BY v.nid");
    } else {
        add(&q, "SELECT v.key AS ");
        add(&q, vocab);
        add(&q, ", v.label_ja AS 日本語, (SELECT count(*)");
        if ((rc = from_where(s, &q, st, &t))) goto out;
        add(&q, " AND ");
        add(&q, match);
        add(&q, ") AS count FROM vocab v WHERE v.kind = ? ORDER BY v.rowid");
        bind_text(&q, vocab);
    }
    rc = run_query(s, &q, &st->kw, NULL, NULL);
out:
    sqlb_free(&q);
    return rc;
}

/* ---- SHOW --------------------------------------------------------------------------- */

static tsg_status_t show_sql(qry_session_t *s, const gram_token_t *at, const char *title, const char *sql, int64_t nid)
{
    const char *people = !strcmp(title, "ties") ? "count" : NULL;
    sqlb_t q = {0};
    add(&q, sql);
    for (const char *p = sql; *p; p++)
        if (*p == '?') bind_int(&q, nid);
    tsg_status_t rc = run_query(s, &q, at, title, people);
    sqlb_free(&q);
    return rc;
}

#define NAME_OF(n)                                                                                    \
    "(SELECT coalesce(d.name, o.name, p.name, f.name) FROM node nn LEFT JOIN district d ON d.nid = nn.nid" \
    " LEFT JOIN organisation o ON o.nid = nn.nid LEFT JOIN program p ON p.nid = nn.nid"                 \
    " LEFT JOIN forum f ON f.nid = nn.nid WHERE nn.nid = " n ")"

static const char *const show_attrs[] = {
    "",
    /* district */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM district WHERE nid = ?"
    " UNION ALL SELECT 'level', level FROM district WHERE nid = ?"
    " UNION ALL SELECT 'parent', " NAME_OF("(SELECT parent FROM district WHERE nid = ?)")
    " UNION ALL SELECT 'organisations based here', count(*) FROM organisation WHERE tsg_under(district, ?)",
    /* organisation */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM organisation WHERE nid = ?"
    " UNION ALL SELECT 'sector', sector FROM organisation WHERE nid = ?"
    " UNION ALL SELECT 'district', " NAME_OF("(SELECT district FROM organisation WHERE nid = ?)"),
    /* program */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM program WHERE nid = ?"
    " UNION ALL SELECT 'organisation', " NAME_OF("(SELECT org FROM program WHERE nid = ?)")
    " UNION ALL SELECT 'targets', (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'ages', CASE WHEN age_min IS NULL AND age_max IS NULL THEN 'all'"
    "  ELSE coalesce(age_min, '') || '..' || coalesce(age_max, '') END FROM program WHERE nid = ?"
    " UNION ALL SELECT 'needs', (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'modes', (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode WHERE program = ? ORDER BY pos))"
    " UNION ALL SELECT 'approach', approach FROM program WHERE nid = ?"
    " UNION ALL SELECT 'area', CASE WHEN wide_area THEN '* (wide-area)' ELSE (SELECT group_concat(name, ';') FROM"
    "  (SELECT d.name FROM program_area a JOIN district d ON d.nid = a.district WHERE a.program = ? ORDER BY a.pos)) END"
    "  FROM program WHERE nid = ?"
    " UNION ALL SELECT 'in_system', in_system FROM program WHERE nid = ?"
    " UNION ALL SELECT 'hours', hours FROM program WHERE nid = ?"
    " UNION ALL SELECT 'runs', coalesce(starts, '') || '..' || coalesce(ends, '') FROM program"
    "  WHERE nid = ? AND (starts IS NOT NULL OR ends IS NOT NULL)",
    /* forum */
    "SELECT 'id' AS field, n.id AS value FROM node n WHERE n.nid = ?"
    " UNION ALL SELECT 'name', name FROM forum WHERE nid = ?"
    " UNION ALL SELECT 'kind', kind FROM forum WHERE nid = ?"
    " UNION ALL SELECT 'district', " NAME_OF("(SELECT district FROM forum WHERE nid = ?)"),
};

static tsg_status_t exec_show(qry_session_t *s, const ast_stmt_t *st)
{
    const qry_name_t *n;
    tsg_status_t rc = qry_node_ref(s, st->a, QRY_ANY, &n);
    if (rc) return rc;
    int64_t nid = n->nid;
    char title[600];
    snprintf(title, sizeof title, "%s %s", qry_type_name[n->type], n->name);
    if ((rc = show_sql(s, &st->kw, title, show_attrs[n->type], nid))) return rc;
    if (n->type == QRY_ORGANISATION &&
        (rc = show_sql(s, &st->kw, "programs",
                       "SELECT nn.id AS id, p.name AS name FROM program p JOIN node nn ON nn.nid = p.nid"
                       " WHERE p.org = ? ORDER BY p.nid", nid)))
        return rc;
    if (n->type == QRY_DISTRICT &&
        (rc = show_sql(s, &st->kw, "districts below",
                       "SELECT nn.id AS id, d.name AS name, d.level AS level FROM district d JOIN node nn ON nn.nid = d.nid"
                       " WHERE d.parent = ? ORDER BY d.nid", nid)))
        return rc;
    if (n->type == QRY_DISTRICT) return TSG_OK;
    /* Ties: → out, ← in, — undirected either way. An organisation's ties
     * include its programs' (named under "via"), as the network sees them. */
    if ((rc = show_sql(s, &st->kw, "ties",
                       "WITH own(nid) AS (SELECT ? UNION ALL SELECT nid FROM program WHERE org = ?)"
                       " SELECT CASE WHEN t.directed = 0 THEN '—' WHEN t.src IN own THEN '→' ELSE '←' END AS dir,"
                       " t.kind AS kind, (SELECT name FROM program WHERE nid = CASE WHEN t.src IN own THEN t.src ELSE t.dst END AND nid <> ?) AS via,"
                       " " NAME_OF("CASE WHEN t.src IN own THEN t.dst ELSE t.src END") " AS other,"
                       " (SELECT id FROM node WHERE nid = CASE WHEN t.src IN own THEN t.dst ELSE t.src END) AS other_id,"
                       " t.count AS count, t.since AS since FROM tie t WHERE (t.src IN own OR t.dst IN own)"
                       " AND t.kind <> 'membership' ORDER BY t.tid", nid)))
        return rc;
    if (n->type == QRY_ORGANISATION)
        return show_sql(s, &st->kw, "forums",
                        "SELECT nn.id AS id, f.name AS name, f.kind AS kind FROM tie t JOIN forum f ON f.nid = t.dst"
                        " JOIN node nn ON nn.nid = f.nid WHERE t.src = ? AND t.kind = 'membership' ORDER BY t.tid", nid);
    if (n->type == QRY_FORUM)
        return show_sql(s, &st->kw, "members",
                        "SELECT nn.id AS id, o.name AS name, o.sector AS sector FROM tie t JOIN organisation o ON o.nid = t.src"
                        " JOIN node nn ON nn.nid = o.nid WHERE t.dst = ? AND t.kind = 'membership' ORDER BY t.tid", nid);
    return TSG_OK;
}

tsg_status_t qry_match_programs(qry_session_t *s, const ast_stmt_t *st, int64_t maxnid, int **keep)
{
    *keep = calloc((size_t)maxnid + 1, sizeof **keep);
    if (!*keep) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, "out of memory");
    target_t t = {&kinds[1], NULL};
    sqlb_t q = {0};
    add(&q, "SELECT x.nid");
    tsg_status_t rc = from_where(s, &q, st, &t);
    sqlite3_stmt *sel;
    if (!rc && !(rc = prepare(s, &q, &st->kw, &sel))) {
        int step;
        while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
            int64_t nid = sqlite3_column_int64(sel, 0);
            if (nid >= 0 && nid <= maxnid) (*keep)[nid] = 1;
        }
        if (step != SQLITE_DONE) rc = qry_fail_sql(s, &st->kw);
        sqlite3_finalize(sel);
    }
    sqlb_free(&q);
    if (rc) {
        free(*keep);
        *keep = NULL;
    }
    return rc;
}

/* ---- SQL functions ------------------------------------------------------------------- */

/* tsg_under(d, anc): whether district d is anc or below it. */
static void fn_under(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    qry_session_t *s = sqlite3_user_data(cx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(cx, 0);
        return;
    }
    sqlite3_result_int(cx, qry_under(s, sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1])));
}

/* Whether folded text matches a folded pattern in which '*' stands for any
 * run. Linear: only the last '*' is ever backtracked to (bytes compare
 * equal exactly when the UTF-8 characters do). */
static int glob(const char *t, const char *p)
{
    const char *star = NULL, *resume = NULL;
    while (*t) {
        if (*p == '*') {
            while (*p == '*') p++;
            star = p;
            resume = t;
        } else if (*p && *p == *t) {
            p++;
            t++;
        } else if (star) {
            p = star;
            t = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*') p++;
    return !*p;
}

/* tsg_match(text, pattern): equal ignoring width and case; '*' is a wildcard. */
static void fn_match(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]), *p = (const char *)sqlite3_value_text(argv[1]);
    if (!t || !p) {
        sqlite3_result_int(cx, 0);
        return;
    }
    char *ft = util_fold(t), *fp = util_fold(p);
    if (!ft || !fp) sqlite3_result_error_nomem(cx);
    else sqlite3_result_int(cx, glob(ft, fp));
    free(ft);
    free(fp);
}

tsg_status_t qry_register_functions(qry_session_t *s)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(s->sql, "tsg_under", 2, flags, s, fn_under, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(s->sql, "tsg_match", 2, flags, s, fn_match, NULL, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    return TSG_OK;
}

tsg_status_t qry_exec_read(qry_session_t *s, const ast_stmt_t *st)
{
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    switch (st->kind) {
    case AST_FIND: return exec_find(s, st);
    case AST_COUNT: return exec_count(s, st);
    case AST_SHOW: return exec_show(s, st);
    case AST_LET: return exec_let(s, st);
    default: return qry_fail(s, &st->kw, "not a reading statement");
    }
}
