/*
 * directory — EXPORT DIRECTORY [OF 'district' | OF set] TO 'list.html': the
 * resource list a city hands to residents and front-line staff (Ehime's
 * 社会資源リスト, Ise's 相談窓口の冊子). The programs in scope, grouped by
 * need — the consultation windows (need consultation) first — and within a
 * need by school district, each with its organisation, target groups, ages
 * in words, modes and hours; a table of contents; print CSS for A4. The
 * page is in the output language (vocabulary labels in Japanese mode) and
 * is written whole or not at all (util_write_file). TO 'list.xlsx' writes
 * the same list as a workbook, a sheet per need (query/xlsx.c).
 *
 * A program is listed once under each of its needs, in one place group: the
 * school district all its areas lie in, else "the whole district or several
 * school districts", else (wide-area) "wide area". No people counts are
 * shown, so --suppress-below has nothing to hide here.
 */
#define _GNU_SOURCE /* qsort_r */
#include "ast.h"
#include "draw.h"
#include "query.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "where.h"
#include "bounds.h"
#include "i18n.h"
#include "atomic.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One program of the list. */
typedef struct entry {
    int64_t nid, place; /* place: a school district's nid, PLACE_ALL or PLACE_WIDE */
    char *id, *name, *org, *targets, *ages, *modes, *hours, *needs; /* needs: ';'-separated keys */
} entry_t;

#define PLACE_ALL (-1)
#define PLACE_WIDE (-2)

typedef struct list {
    entry_t *e;
    size_t n;
    int64_t *parent;  /* by district nid */
    char **level, **dname;
    int64_t maxd;
} list_t;

static void list_free(list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        entry_t *e = &l->e[i];
        free(e->id), free(e->name), free(e->org), free(e->targets), free(e->ages), free(e->modes), free(e->hours),
            free(e->needs);
    }
    free(l->e);
    for (int64_t d = 0; d <= l->maxd && l->level; d++) free(l->level[d]), free(l->dname[d]);
    free(l->parent), free(l->level), free(l->dname);
}

/* The school district district d lies in (d itself, or an ancestor), or 0
 * when d is above school districts. */
static int64_t school_district(const list_t *l, int64_t d)
{
    for (int guard = 0; d > 0 && d <= l->maxd && guard < 64; guard++, d = l->parent[d])
        if (l->level[d] && !strcmp(l->level[d], "school_district")) return d;
    return 0;
}

/* Ages in words: 15〜39歳, 18歳以上, 39歳まで, or no limit. */
static char *ages_text(sqlite3_stmt *q, int col)
{
    int lo = sqlite3_column_type(q, col) != SQLITE_NULL, hi = sqlite3_column_type(q, col + 1) != SQLITE_NULL;
    int a = sqlite3_column_int(q, col), b = sqlite3_column_int(q, col + 1);
    if (lo && hi) return util_printf(_("ages %d–%d"), a, b);
    if (lo) return util_printf(_("ages %d and over"), a);
    if (hi) return util_printf(_("ages up to %d"), b);
    return util_strdup(_("any age"));
}

/* The vocabulary keys in `keys` (';'-separated) as this run names them,
 * joined the way the output language lists words. */
static char *labels_text(const qry_session_t *s, const char *kind, const char *keys)
{
    util_buf_t b = {0};
    const char *sep = s->ja ? "、" : ", ";
    for (const char *p = keys ? keys : ""; *p;) {
        size_t n = strcspn(p, ";");
        char *key = util_strndup(p, n);
        if (!key) break;
        util_buf_printf(&b, "%s%s", b.len ? sep : "", qry_label(s, kind, key));
        free(key);
        p += n + (p[n] == ';');
    }
    return b.data ? b.data : util_strdup("—");
}

static char *column_copy(sqlite3_stmt *q, int col)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    return util_strdup(t ? (const char *)t : "");
}

#define PROGRAMS                                                                                                    \
    "SELECT p.nid, n.id, p.name, o.name, p.age_min, p.age_max, p.hours, p.wide_area,"                               \
    " (SELECT group_concat(target, ';') FROM (SELECT target FROM program_target_at WHERE program = p.nid ORDER BY pos)),"\
    " (SELECT group_concat(mode, ';') FROM (SELECT mode FROM program_mode_at WHERE program = p.nid ORDER BY pos)),"      \
    " (SELECT group_concat(need, ';') FROM (SELECT need FROM program_need_at WHERE program = p.nid ORDER BY pos)),"      \
    " (SELECT group_concat(district, ';') FROM program_area_at WHERE program = p.nid)"                                   \
    " FROM program_at p JOIN node n ON n.nid = p.nid JOIN organisation_at o ON o.nid = p.org"

/* The programs of the scope: a district's (those serving it, as FIND's IN
 * reads it: wide-area, or an area at, above or below the district), a
 * set's (its programs and its organisations' programs), or all. */
static tsg_status_t read_programs(qry_session_t *s, const ast_stmt_t *st, int64_t district, const char *set, list_t *l)
{
    const char *sql =
        district ? PROGRAMS " WHERE p.wide_area = 1 OR EXISTS (SELECT 1 FROM program_area_at a WHERE a.program = p.nid AND"
                            " (tsg_under(a.district, ?1) OR tsg_under(?1, a.district))) ORDER BY o.name, p.name, p.nid"
        : set ? PROGRAMS " WHERE p.nid IN (SELECT nid FROM temp.tsg_set WHERE name = ?2)"
                         " OR p.org IN (SELECT nid FROM temp.tsg_set WHERE name = ?2) ORDER BY o.name, p.name, p.nid"
              : PROGRAMS " ORDER BY o.name, p.name, p.nid";
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, sql, -1, &q, NULL) != SQLITE_OK) return qry_fail_sql(s, &st->kw);
    if (district) sqlite3_bind_int64(q, 1, district);
    if (set) sqlite3_bind_text(q, 2, set, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (l->n == cap) {
            entry_t *grown = realloc(l->e, (cap = cap ? cap * 2 : 64) * sizeof *grown);
            if (!grown) {
                oom = 1;
                break;
            }
            l->e = grown;
        }
        entry_t *e = &l->e[l->n++];
        memset(e, 0, sizeof *e);
        e->nid = sqlite3_column_int64(q, 0);
        e->id = column_copy(q, 1), e->name = column_copy(q, 2), e->org = column_copy(q, 3);
        e->ages = ages_text(q, 4);
        e->hours = sqlite3_column_type(q, 6) == SQLITE_NULL ? util_strdup("—") : column_copy(q, 6);
        e->targets = labels_text(s, "target", (const char *)sqlite3_column_text(q, 8));
        e->modes = labels_text(s, "mode", (const char *)sqlite3_column_text(q, 9));
        e->needs = column_copy(q, 10);
        oom = !e->id || !e->name || !e->org || !e->ages || !e->hours || !e->targets || !e->modes || !e->needs;
        /* The place: one school district for all areas, or across. */
        const char *areas = (const char *)sqlite3_column_text(q, 11);
        int64_t place = 0;
        for (const char *p = areas ? areas : ""; *p && place != PLACE_ALL;) {
            int64_t sd = school_district(l, strtoll(p, NULL, 10));
            place = !sd || (place && place != sd) ? PLACE_ALL : sd;
            p += strcspn(p, ";");
            p += *p == ';';
        }
        e->place = sqlite3_column_int(q, 7) ? PLACE_WIDE : place ? place : PLACE_ALL;
    }
    if (!oom && rc != SQLITE_DONE) {
        sqlite3_finalize(q);
        return qry_fail_sql(s, &st->kw);
    }
    sqlite3_finalize(q);
    return oom ? gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory")) : TSG_OK;
}

static tsg_status_t read_districts(qry_session_t *s, const ast_stmt_t *st, list_t *l)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql, "SELECT max(nid) FROM district", -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, &st->kw);
    if (sqlite3_step(q) == SQLITE_ROW) l->maxd = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    size_t n = (size_t)l->maxd + 1;
    l->parent = calloc(n, sizeof *l->parent);
    l->level = calloc(n, sizeof *l->level);
    l->dname = calloc(n, sizeof *l->dname);
    if (!l->parent || !l->level || !l->dname) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    /* The day's names and places: a school district renamed next April is
     * listed under today's name. */
    if (sqlite3_prepare_v2(s->sql, "SELECT nid, parent, level, name FROM " QRY_DISTRICT_AT, -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, &st->kw);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t d = sqlite3_column_int64(q, 0);
        if (d <= 0 || d > l->maxd) continue;
        l->parent[d] = sqlite3_column_int64(q, 1);
        l->level[d] = column_copy(q, 2);
        l->dname[d] = column_copy(q, 3);
    }
    /* A district missed would put its programs under no heading. */
    tsg_status_t failed = rc == SQLITE_DONE ? TSG_OK : qry_fail_sql(s, &st->kw);
    sqlite3_finalize(q);
    return failed;
}

/* Whether `needs` (';'-separated) holds key, or, for NULL, is empty. */
static int has_need(const char *needs, const char *key)
{
    if (!key) return !*needs;
    size_t k = strlen(key);
    for (const char *p = needs; *p;) {
        size_t n = strcspn(p, ";");
        if (n == k && !strncmp(p, key, k)) return 1;
        p += n + (p[n] == ';');
    }
    return 0;
}

/* The sections: consultation first, then the other needs in the
 * vocabulary's order, then the programs that name no need (key NULL). */
typedef struct section {
    const char *key, *title;
} section_t;

static size_t sections(const qry_session_t *s, section_t *out, size_t max)
{
    size_t n = 0;
    out[n++] = (section_t){"consultation", _("Consultation windows")};
    for (size_t i = 0; i < s->vocab.n && n + 1 < max; i++)
        if (!strcmp(s->vocab.e[i].kind, "need") && strcmp(s->vocab.e[i].key, "consultation"))
            out[n++] = (section_t){s->vocab.e[i].key, qry_label(s, "need", s->vocab.e[i].key)};
    out[n++] = (section_t){NULL, _("Other programs (no need recorded)")};
    return n;
}

/* The place groups of a section, in order: the whole district first, the
 * school districts by name, the wide-area programs last. */
static int place_cmp(const void *a, const void *b, void *ctx)
{
    const list_t *l = ctx;
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    if (x < 0 || y < 0) return x == y ? 0 : x == PLACE_ALL ? -1 : y == PLACE_ALL ? 1 : x == PLACE_WIDE ? 1 : -1;
    int c = strcmp(l->dname[x] ? l->dname[x] : "", l->dname[y] ? l->dname[y] : "");
    return c ? c : (x > y) - (x < y);
}

/* The place groups of section key, sorted, into places (room for l->n). */
static size_t section_places(const list_t *l, const char *key, int64_t *places)
{
    size_t np = 0;
    for (size_t i = 0; i < l->n; i++)
        if (has_need(l->e[i].needs, key)) {
            size_t j = 0;
            while (j < np && places[j] != l->e[i].place) j++;
            if (j == np) places[np++] = l->e[i].place;
        }
    qsort_r(places, np, sizeof *places, place_cmp, (void *)l);
    return np;
}

static const char style[] =
    "<style>\n"
    "@page { size: A4; margin: 15mm 12mm; }\n"
    "body { font-family: 'Noto Sans CJK JP', sans-serif; margin: 2em; color: #222; font-size: 10.5pt; }\n"
    "h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #777; margin-top: 2em; }\n"
    "h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }\n"
    "nav ol { columns: 2; } nav li { margin: 0.1em 0; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 0.3em 0 1em; }\n"
    "th, td { border: 1px solid #bbb; padding: 0.2em 0.4em; vertical-align: top; text-align: left; }\n"
    "th { background: #eee; } td.id { color: #666; font-size: 0.85em; }\n"
    "@media print { body { margin: 0; } a { color: inherit; text-decoration: none; }\n"
    "  section.need { break-before: page; } thead { display: table-header-group; }\n"
    "  tr, h3 { break-inside: avoid; } h3 { break-after: avoid; } }\n"
    "</style>\n";

static const char *place_name(const list_t *l, int64_t place, const char *scope, char *buf, size_t size)
{
    if (place == PLACE_WIDE) return _("Wide area");
    if (place == PLACE_ALL) {
        snprintf(buf, size, _("Whole of %s or several school districts"), scope);
        return buf;
    }
    return l->dname[place] ? l->dname[place] : "";
}

/* The page, built in b. */
static int page(qry_session_t *s, const list_t *l, const char *scope, util_buf_t *b)
{
    section_t sec[96];
    size_t ns = sections(s, sec, sizeof sec / sizeof sec[0]);
    int64_t *places = malloc((l->n + 1) * sizeof *places);
    char *title = util_printf(_("Resource list: %s"), scope);
    char buf[512];
    int fail = !places || !title;
    fail = fail || util_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                                   s->ja ? "ja" : "en") ||
           eng_html_text(b, title) || util_buf_adds(b, "</title>\n") || util_buf_adds(b, style) ||
           util_buf_adds(b, "</head>\n<body>\n<h1>") || eng_html_text(b, title) || util_buf_adds(b, "</h1>\n<p>") ||
           eng_html_text(b, _("Programs by need and by school district; the consultation windows come first.")) ||
           util_buf_adds(b, "</p>\n<nav id=\"contents\">\n<h2>") || eng_html_text(b, _("Contents")) ||
           util_buf_adds(b, "</h2>\n<ol>\n");
    /* The table of contents: each need with programs, and its places. */
    for (int pass = 0; pass < 2 && !fail; pass++) {
        for (size_t k = 0; k < ns && !fail; k++) {
            size_t np = section_places(l, sec[k].key, places);
            if (!np) continue;
            const char *key = sec[k].key ? sec[k].key : "none";
            if (pass == 0) {
                size_t count = 0;
                for (size_t i = 0; i < l->n; i++) count += has_need(l->e[i].needs, sec[k].key);
                char *n = util_printf(_("%s (%zu programs)"), sec[k].title, count);
                fail = !n || util_buf_printf(b, "<li><a href=\"#need-%s\">", key) || eng_html_text(b, n) ||
                       util_buf_adds(b, "</a></li>\n");
                free(n);
                continue;
            }
            fail = util_buf_printf(b, "<section class=\"need\" id=\"need-%s\" data-need=\"%s\">\n<h2>", key, key) ||
                   eng_html_text(b, sec[k].title) || util_buf_adds(b, "</h2>\n");
            for (size_t j = 0; j < np && !fail; j++) {
                fail = util_buf_printf(b, "<h3 data-place=\"%lld\">", (long long)places[j]) ||
                       eng_html_text(b, place_name(l, places[j], scope, buf, sizeof buf)) ||
                       util_buf_adds(b, "</h3>\n<table>\n<thead><tr>");
                const char *cols[] = {_("Program"), _("Organisation"), _("For whom"), _("Ages"), _("How"), _("Hours")};
                for (size_t c = 0; c < 6 && !fail; c++)
                    fail = util_buf_adds(b, "<th>") || eng_html_text(b, cols[c]) || util_buf_adds(b, "</th>");
                fail = fail || util_buf_adds(b, "</tr></thead>\n<tbody>\n");
                for (size_t i = 0; i < l->n && !fail; i++) {
                    const entry_t *e = &l->e[i];
                    if (e->place != places[j] || !has_need(e->needs, sec[k].key)) continue;
                    const char *cells[] = {e->name, e->org, e->targets, e->ages, e->modes, e->hours};
                    fail = util_buf_adds(b, "<tr data-program=\"") || eng_html_text(b, e->id) || util_buf_adds(b, "\">");
                    for (size_t c = 0; c < 6 && !fail; c++)
                        fail = util_buf_adds(b, "<td>") || eng_html_text(b, cells[c]) || util_buf_adds(b, "</td>");
                    fail = fail || util_buf_adds(b, "</tr>\n");
                }
                fail = fail || util_buf_adds(b, "</tbody>\n</table>\n");
            }
            fail = fail || util_buf_adds(b, "</section>\n");
        }
        if (pass == 0) fail = fail || util_buf_adds(b, "</ol>\n</nav>\n");
    }
    if (!l->n && !fail) fail = util_buf_adds(b, "<p>") || eng_html_text(b, _("No programs are recorded here.")) ||
                               util_buf_adds(b, "</p>\n");
    fail = fail || util_buf_adds(b, "</body>\n</html>\n");
    free(places);
    free(title);
    return fail;
}

/* The same list as a workbook: a sheet per need, in the page's order, a
 * row per program with its place first (query/xlsx.c writes the file
 * beside the target and renames it into place when complete). */
static tsg_status_t book(qry_session_t *s, const list_t *l, const char *scope, const char *path, tsg_error_t *err)
{
    section_t sec[96];
    size_t ns = sections(s, sec, sizeof sec / sizeof sec[0]);
    int64_t *places = malloc((l->n + 1) * sizeof *places);
    if (!places) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    tsg_xlsx_t *x;
    tsg_status_t rc = tsg_xlsx_open(path, &x, err);
    char buf[512];
    static const char *const cols[] = {NC_("column", "place"), NC_("column", "program_name"),
                                       NC_("column", "organisation"), NC_("column", "for_whom"),
                                       NC_("column", "ages"), NC_("column", "modes"),
                                       NC_("column", "hours"), NC_("column", "id")};
    for (size_t k = 0; !rc && k < ns; k++) {
        size_t np = section_places(l, sec[k].key, places);
        if (!np) continue;
        tsg_result_t *r = qry_result_new(sec[k].title, 8, cols);
        for (size_t j = 0; r && j < np; j++)
            for (size_t i = 0; r && i < l->n; i++) {
                const entry_t *e = &l->e[i];
                if (e->place != places[j] || !has_need(e->needs, sec[k].key)) continue;
                const char *row[] = {place_name(l, places[j], scope, buf, sizeof buf), e->name, e->org, e->targets,
                                     e->ages, e->modes, e->hours, e->id};
                r = qry_result_row(r, row);
            }
        rc = r ? tsg_xlsx_add(x, r, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
        tsg_result_free(r);
    }
    free(places);
    if (!rc) return tsg_xlsx_close(x, 1, err);
    tsg_error_t ignore = {0}; /* the first error is the one to report */
    if (x) tsg_xlsx_close(x, 0, &ignore);
    return rc;
}

tsg_status_t qry_exec_directory(qry_session_t *s, const ast_stmt_t *st)
{
    ast_clause_t *const *c = st->cl;
    /* DIRECTORY takes OF, TO and AS OF only: a drawing's clause is refused, not ignored. */
    for (int i = 0; i < AST_CL_N; i++)
        if (c[i] && i != AST_CL_OF && i != AST_CL_TO && i != AST_CL_ASOF)
            return qry_fail(s, &c[i]->key,
                            _("EXPORT DIRECTORY takes OF 'district' or set, TO 'file.html' and AS OF date, not %.*s"),
                            (int)c[i]->key.n, c[i]->key.z);
    if (!c[AST_CL_TO]) return qry_fail(s, &st->kw, _("EXPORT DIRECTORY needs TO 'file.html'"));
    const char *path = qry_text(s, c[AST_CL_TO]->v, NC_("expected value", "a file name"));
    if (!path) return s->ctx.code;
    const char *ext = strrchr(path, '.');
    int xlsx = ext && !strcasecmp(ext, ".xlsx");
    if (!xlsx && (!ext || (strcasecmp(ext, ".html") && strcasecmp(ext, ".htm"))))
        return qry_fail(s, &c[AST_CL_TO]->v->tok, _("EXPORT DIRECTORY writes an .html page or an .xlsx workbook, not '%s'"),
                        path);
    tsg_status_t rc = qry_load(s);
    if (rc) return rc;
    int64_t district = 0;
    const char *set = NULL, *scope = _("the whole city");
    const ast_node_t *of = c[AST_CL_OF] ? c[AST_CL_OF]->node : NULL;
    if (of && !of->type && of->v->kind == AST_V_WORD) {
        const char *type;
        if ((rc = qry_set_check(s, of->v->text, &of->v->tok, &type))) return rc;
        if (!type)
            return qry_fail(s, &of->v->tok, _("no set named '%s' (make one with LET %s = FIND …; or quote a district: '%s')"),
                            of->v->text, of->v->text, of->v->text);
        set = scope = of->v->text;
    } else if (of) {
        const qry_name_t *n;
        if ((rc = qry_node_ref(s, of, (1u << QRY_DISTRICT) | QRY_DAY_NAMES, &n))) return rc;
        district = n->nid;
    }
    /* Refused before the work when the file may not be written there. */
    const util_guard_t *g = store_guard(s->db);
    tsg_error_t err = {0};
    if (!g) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    if (util_guard_check(g, path, &err)) return gram_fail(&s->ctx, err.code, &c[AST_CL_TO]->v->tok, "%s", err.text);
    list_t l = {0};
    util_buf_t b = {0};
    char *dname = NULL;
    if (!(rc = read_districts(s, st, &l)) && !(rc = read_programs(s, st, district, set, &l))) {
        if (district && district <= l.maxd && l.dname[district]) scope = dname = util_strdup(l.dname[district]);
        if (!scope || (!xlsx && page(s, &l, scope, &b))) rc = gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    if (!rc && s->no_files) rc = gram_fail(&s->ctx, TSG_EIO, &st->kw, _("this session writes no files"));
    if (!rc && (xlsx ? book(s, &l, scope, path, &err) : util_write_file(path, b.data, b.len, g, &err)))
        rc = gram_fail(&s->ctx, err.code, &c[AST_CL_TO]->v->tok, "%s", err.text);
    size_t n = l.n;
    list_free(&l);
    util_buf_free(&b);
    free(dname);
    return rc ? rc : qry_emit_done(s, _("wrote %s (%zu programs)"), path, n);
}
