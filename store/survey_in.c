/*
 * survey_in — the returned survey forms (read by survey_read.c) checked
 * into answers (survey.h). Every cell that matters is checked against the
 * database as it is now, and the first bad one is reported as
 * file:sheet:row:column (the row and column as Excel shows them), before
 * anything is changed.
 */
#include "survey.h"
#include "i18n.h"
#include "util.h"
#include "vocab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sv_answers_free(sv_answers_t *a)
{
    for (size_t i = 0; i < a->norgs; i++) {
        sv_org_t *o = &a->orgs[i];
        free(o->id), free(o->name), free(o->sector), free(o->district);
    }
    for (size_t i = 0; i < a->nprograms; i++) {
        sv_program_t *p = &a->programs[i];
        free(p->org), free(p->id), free(p->name), free(p->targets), free(p->needs), free(p->area), free(p->hours);
        free(p->ended);
    }
    for (size_t i = 0; i < a->nties; i++) {
        sv_tie_t *t = &a->ties[i];
        free(t->org), free(t->src), free(t->dst), free(t->kind), free(t->new_kind), free(t->where);
    }
    free(a->orgs), free(a->programs), free(a->ties);
    memset(a, 0, sizeof *a);
}

/* ---- checking ----------------------------------------------------------------------- */

typedef struct ck {
    tsg_db_t *db;
    store_vocab_t vocab;
    sv_answers_t *a;
    const sv_grid_t *g;
    size_t row, col;
    long day;         /* YYYYMMDD: the round's as-of day */
    char where[1200]; /* file:sheet:row:column of the cell being checked */
    tsg_error_t *err;
} ck_t;

/* Sets ck->where to the cell (row and col 0-based; shown as Excel shows them). */
static const char *at(ck_t *k, size_t row, size_t col)
{
    char letters[8];
    size_t n = 0;
    char rev[8];
    for (size_t c = col + 1; c && n < sizeof rev; c = (c - 1) / 26) rev[n++] = (char)('A' + (c - 1) % 26);
    for (size_t i = 0; i < n; i++) letters[i] = rev[n - 1 - i];
    letters[n] = '\0';
    k->row = row;
    k->col = col;
    util_snprintf(k->where, sizeof k->where, "%s:%s:%zu:%s", k->g->file, k->g->sheet, row + 1, letters);
    return k->where;
}

static tsg_status_t nomem(ck_t *k) { return util_fail(k->err, TSG_ENOMEM, _("out of memory")); }

/* One value of the database: the first column of the first row of sql with
 * ?1 (and ?2) bound, copied; NULL (found 0) when there is no row. */
static tsg_status_t lookup(ck_t *k, const char *sql, const char *p1, const char *p2, char **out, int *found)
{
    sqlite3_stmt *st = NULL;
    *out = NULL;
    *found = 0;
    tsg_status_t s = store_prepare(k->db->sql, sql, &st, k->err);
    if (s) return s;
    sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
    if (p2) sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
    sv_bind_day(st, k->day);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && !(*out = strdup(v))) s = nomem(k);
    } else if (rc != SQLITE_DONE) {
        s = store_fail_sql(k->db->sql, _("database"), k->err);
    }
    sqlite3_finalize(st);
    return s;
}

static sv_answer_t answer_of(const char *s)
{
    if (!s) return SV_ANS_NONE;
    if (!strcmp(s, SV_CONFIRM)) return SV_ANS_CONFIRM;
    if (!strcmp(s, SV_CORRECT)) return SV_ANS_CORRECT;
    if (!strcmp(s, SV_END)) return SV_ANS_END;
    return (sv_answer_t)-1;
}

static tsg_status_t answer_cell(ck_t *k, size_t row, size_t col, int may_end, sv_answer_t *ans)
{
    const char *s = sv_cell(k->g, row, col);
    *ans = answer_of(s);
    if (*ans == SV_ANS_NONE)
        return util_fail(k->err, TSG_EINPUT, _("%s: the answer is empty: choose 確認, 修正 or 終了"), at(k, row, col));
    if (*ans == (sv_answer_t)-1 || (*ans == SV_ANS_END && !may_end))
        return util_fail(k->err, TSG_EINPUT,
                         may_end ? _("%s: the answer '%s' is not one of 確認, 修正, 終了")
                                 : _("%s: the answer '%s' is not one of 確認, 修正"),
                         at(k, row, col), s);
    return TSG_OK;
}

/* A name cell: text without hidden characters, not empty. */
static tsg_status_t name_cell(ck_t *k, size_t row, size_t col, int optional, const char **out)
{
    const char *s = sv_cell(k->g, row, col);
    *out = s;
    if (!s && optional) return TSG_OK;
    if (!s) return util_fail(k->err, TSG_EINPUT, _("%s: this cell may not be empty"), at(k, row, col));
    int32_t cp;
    if (strlen(s) > STORE_MAX_NAME) return util_fail(k->err, TSG_EINPUT, _("%s: the text is too long"), at(k, row, col));
    if (util_find_hidden(s, strlen(s), &cp, NULL) >= 0)
        return util_fail(k->err, TSG_EINPUT, _("%s: the text holds the %s U+%04X"), at(k, row, col),
                         util_hidden_kind(cp), (unsigned)cp);
    return TSG_OK;
}

/* A whole number cell in lo..hi; *v = -1 when empty. Excel may store 3 as "3" or "3.0". */
static tsg_status_t number_cell(ck_t *k, size_t row, size_t col, long lo, long hi, long *v)
{
    const char *s = sv_cell(k->g, row, col);
    *v = -1;
    if (!s) return TSG_OK;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    while (*end == ' ') end++;
    if (end == s || *end || errno || !isfinite(d) || d != floor(d) || d < lo || d > hi)
        return util_fail(k->err, TSG_EINPUT, _("%s: '%s' is not a whole number from %ld to %ld"), at(k, row, col), s,
                         lo, hi);
    *v = (long)d;
    return TSG_OK;
}

/* A list of labels or keys of a vocabulary kind ("、", ";", "," or "，"
 * between them) as keys joined by ';'. */
static tsg_status_t keys_cell(ck_t *k, size_t row, size_t col, const char *kind, char **out)
{
    const char *s = sv_cell(k->g, row, col);
    util_buf_t b = {0};
    *out = NULL;
    if (util_buf_adds(&b, "")) return nomem(k);
    for (const char *p = s ? s : ""; *p;) {
        size_t n = 0, sep = 0;
        while (p[n] && !sep) {
            if (!strncmp(p + n, "、", 3) || !strncmp(p + n, "，", 3)) sep = 3;
            else if (p[n] == ';' || p[n] == ',') sep = 1;
            else n++;
        }
        char item[512];
        size_t a = 0, z = n;
        while (a < z && p[a] == ' ') a++;
        while (z > a && p[z - 1] == ' ') z--;
        util_snprintf(item, sizeof item, "%.*s", (int)(z - a), p + a);
        p += n + sep;
        if (!*item) continue;
        const char *hint = NULL, *key = store_vocab_resolve(&k->vocab, kind, item, &hint);
        if (!key) {
            util_buf_free(&b);
            return hint ? util_fail(k->err, TSG_EINPUT, _("%s: unknown %s '%s' (did you mean '%s'?)"), at(k, row, col),
                                    store_vocab_kind_noun(kind), item, store_vocab_label(&k->vocab, kind, hint))
                        : util_fail(k->err, TSG_EINPUT, _("%s: unknown %s '%s'"), at(k, row, col),
                                    store_vocab_kind_noun(kind), item);
        }
        if ((b.len && util_buf_addc(&b, ';')) || util_buf_adds(&b, key)) {
            util_buf_free(&b);
            return nomem(k);
        }
    }
    *out = b.data;
    return TSG_OK;
}

#define DISTRICT_BY_NAME_OR_ID \
    "SELECT n.id FROM district d JOIN node n ON n.nid = d.nid WHERE n.id = ?1 OR d.name = ?1 ORDER BY n.id = ?1 DESC, d.nid"

/* A district named by its name or id; the name of several is refused. */
static tsg_status_t district_of(ck_t *k, const char *text, char **id)
{
    sqlite3_stmt *st = NULL;
    *id = NULL;
    tsg_status_t s = store_prepare(k->db->sql, DISTRICT_BY_NAME_OR_ID, &st, k->err);
    if (s) return s;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int n = 0, step = SQLITE_DONE;
    while (!s && (step = sqlite3_step(st)) == SQLITE_ROW && n < 2)
        if (n++ == 0 && !(*id = strdup((const char *)sqlite3_column_text(st, 0)))) s = nomem(k);
    if (!s && step != SQLITE_ROW && step != SQLITE_DONE) s = store_fail_sql(k->db->sql, _("database"), k->err);
    sqlite3_finalize(st);
    if (!s && !n) s = util_fail(k->err, TSG_EINPUT, _("%s: no district is called '%s'"), k->where, text);
    if (!s && n > 1 && strcmp(*id, text))
        s = util_fail(k->err, TSG_EINPUT, _("%s: several districts are called '%s': write its id"), k->where, text);
    if (s) {
        free(*id);
        *id = NULL;
    }
    return s;
}

/* The area column: 全域 (wide area, '*') or district names joined by '、'. */
static tsg_status_t area_cell(ck_t *k, size_t row, size_t col, char **out)
{
    const char *s = sv_cell(k->g, row, col);
    *out = NULL;
    at(k, row, col);
    if (s && !strcmp(s, SV_WIDE_AREA)) return (*out = strdup("*")) ? TSG_OK : nomem(k);
    util_buf_t b = {0};
    if (util_buf_adds(&b, "")) return nomem(k);
    tsg_status_t st = TSG_OK;
    for (const char *p = s ? s : ""; *p && !st;) {
        size_t n = 0, sep = 0;
        while (p[n] && !sep) {
            if (!strncmp(p + n, "、", 3)) sep = 3;
            else if (p[n] == ';') sep = 1;
            else n++;
        }
        char *item = util_strndup(p, n), *id = NULL;
        p += n + sep;
        if (!item) st = nomem(k);
        else if (*item && !(st = district_of(k, item, &id)))
            if ((b.len && util_buf_addc(&b, ';')) || util_buf_adds(&b, id)) st = nomem(k);
        free(item);
        free(id);
    }
    if (st) util_buf_free(&b);
    else *out = b.data;
    return st;
}

static int same(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

/* The organisation of column A: one the database holds, the same on every
 * row of a file. */
static tsg_status_t org_cell(ck_t *k, size_t row, const char **org)
{
    const char *id = sv_cell(k->g, row, 0);
    if (!id) return util_fail(k->err, TSG_EINPUT, _("%s: the organisation's id is missing"), at(k, row, 0));
    if (*org && strcmp(*org, id))
        return util_fail(k->err, TSG_EINPUT, _("%s: '%s' is another organisation than this form's '%s'"), at(k, row, 0),
                         id, *org);
    if (!*org) {
        /* An organisation that ended by the round's day answers too: its
         * answer brings it back (survey_apply.c). One whose end is set for
         * a later day, or that begins later, is not in this round. */
        char *v;
        int found;
        tsg_status_t s = lookup(k,
                                "SELECT CASE WHEN tsg_day(o.since) > ?90 THEN 'b' || o.since WHEN tsg_day(o.until) > ?90"
                                " THEN 'e' || o.until ELSE '' END FROM organisation o JOIN node n ON n.nid = o.nid WHERE n.id = ?1",
                                id, NULL, &v, &found);
        if (!s && !found) s = util_fail(k->err, TSG_EINPUT, _("%s: no organisation has the id '%s'"), at(k, row, 0), id);
        if (!s && v && *v == 'b')
            s = util_fail(k->err, TSG_EINPUT, _("%s: '%s' begins on %s, after the day of this round"), at(k, row, 0), id,
                          v + 1);
        if (!s && v && *v == 'e')
            s = util_fail(k->err, TSG_EINPUT,
                          _("%s: '%s' ends on %s, after the day of this round: an organisation whose end is set is not surveyed"),
                          at(k, row, 0), id, v + 1);
        free(v);
        if (s) return s;
        *org = id;
    }
    return TSG_OK;
}

static sv_org_t *answered(sv_answers_t *a, const char *id)
{
    for (size_t i = 0; i < a->norgs; i++)
        if (!strcmp(a->orgs[i].id, id)) return &a->orgs[i];
    return NULL;
}

/* The organisation that answered (added once, whichever sheet comes first). */
static tsg_status_t note_org(ck_t *k, const char *id, sv_org_t **out)
{
    if ((*out = answered(k->a, id))) return TSG_OK;
    sv_org_t *grown = realloc(k->a->orgs, (k->a->norgs + 1) * sizeof *grown);
    if (!grown) return nomem(k);
    k->a->orgs = grown;
    *out = memset(&grown[k->a->norgs], 0, sizeof *grown);
    if (!((*out)->id = strdup(id))) return nomem(k);
    k->a->norgs++;
    return TSG_OK;
}


static tsg_status_t differs(ck_t *k, size_t row, size_t col, const char *was)
{
    return util_fail(k->err, TSG_EINPUT, _("%s: the value differs from the registered '%s': answer 修正 to change it"),
                     at(k, row, col), was && *was ? was : _("(empty)"));
}

static tsg_status_t check_org(ck_t *k, size_t row, const char **org)
{
    sv_answer_t ans;
    const char *name, *sector_text, *district_text;
    tsg_status_t s = org_cell(k, row, org);
    if (!s) s = answer_cell(k, row, SV_ORG_ANSWER, 0, &ans);
    if (!s) s = name_cell(k, row, SV_ORG_NAME, 0, &name);
    if (!s) s = name_cell(k, row, SV_ORG_SECTOR, 0, &sector_text);
    if (!s) s = name_cell(k, row, SV_ORG_DISTRICT, 1, &district_text);
    if (s) return s;
    const char *hint = NULL, *sector = store_vocab_resolve(&k->vocab, "sector", sector_text, &hint);
    if (!sector)
        return util_fail(k->err, TSG_EINPUT, _("%s: unknown %s '%s'"), at(k, row, SV_ORG_SECTOR),
                         store_vocab_kind_noun("sector"), sector_text);
    char *district = NULL, *was_name = NULL, *was_sector = NULL, *was_district = NULL;
    int found;
    at(k, row, SV_ORG_DISTRICT);
    if (district_text) s = district_of(k, district_text, &district);
    if (!s) s = lookup(k, "SELECT o.name FROM organisation o JOIN node n ON n.nid = o.nid WHERE n.id = ?1", *org, NULL,
                       &was_name, &found);
    if (!s) s = lookup(k, "SELECT o.sector FROM organisation o JOIN node n ON n.nid = o.nid WHERE n.id = ?1", *org,
                       NULL, &was_sector, &found);
    if (!s) s = lookup(k, "SELECT dn.id FROM organisation o JOIN node n ON n.nid = o.nid"
                          " JOIN node dn ON dn.nid = o.district WHERE n.id = ?1", *org, NULL, &was_district, &found);
    if (!s && ans == SV_ANS_CONFIRM) {
        if (!same(name, was_name)) s = differs(k, row, SV_ORG_NAME, was_name);
        else if (!same(sector, was_sector))
            s = differs(k, row, SV_ORG_SECTOR, store_vocab_label(&k->vocab, "sector", was_sector));
        else if (!same(district, was_district)) s = differs(k, row, SV_ORG_DISTRICT, was_district);
    }
    sv_org_t *o = NULL;
    if (!s) s = note_org(k, *org, &o);
    if (!s && o->ans) s = util_fail(k->err, TSG_EINPUT, _("%s: a second answer for the organisation '%s'"),
                                    at(k, row, SV_ORG_ANSWER), *org);
    if (!s) {
        o->ans = ans;
        if (!(o->name = strdup(name)) || !(o->sector = strdup(sector))) s = nomem(k);
        o->district = district;
        district = NULL;
    }
    free(district), free(was_name), free(was_sector), free(was_district);
    return s;
}

#define PROGRAM_NOW                                                                                                   \
    "SELECT p.name || char(31) || coalesce((SELECT group_concat(target, ';') FROM (SELECT target FROM program_target"  \
    "  WHERE program = p.nid ORDER BY pos)), '') || char(31) || coalesce(p.age_min, -1) || char(31) ||"                \
    "  coalesce(p.age_max, -1) || char(31) || coalesce((SELECT group_concat(need, ';') FROM (SELECT need FROM"        \
    "  program_need WHERE program = p.nid ORDER BY pos)), '') || char(31) || CASE WHEN p.wide_area THEN '*' ELSE"     \
    "  coalesce((SELECT group_concat(id, ';') FROM (SELECT an.id FROM program_area a JOIN node an ON an.nid ="        \
    "  a.district WHERE a.program = p.nid ORDER BY a.pos)), '') END || char(31) || coalesce(p.hours, '')"            \
    "  || char(31) || CASE WHEN tsg_day(p.until) <= ?90 THEN p.until ELSE '' END"                                   \
    " FROM program p JOIN node n ON n.nid = p.nid JOIN node o ON o.nid = p.org WHERE n.id = ?1 AND o.id = ?2"

static tsg_status_t check_program(ck_t *k, size_t row, const char **org)
{
    sv_program_t p = {.age_min = -1, .age_max = -1};
    const char *id = sv_cell(k->g, row, SV_P_ID), *name = NULL, *hours = NULL;
    char *now = NULL;
    int found = 0;
    tsg_status_t s = org_cell(k, row, org);
    if (!s && !id) s = util_fail(k->err, TSG_EINPUT, _("%s: the program's id is missing"), at(k, row, SV_P_ID));
    if (!s) s = lookup(k, PROGRAM_NOW, id, *org, &now, &found);
    if (!s && !found)
        s = util_fail(k->err, TSG_EINPUT, _("%s: '%s' is not a program of the organisation '%s'"), at(k, row, SV_P_ID),
                      id, *org);
    for (size_t i = 0; !s && i < k->a->nprograms; i++)
        if (!strcmp(k->a->programs[i].id, id))
            s = util_fail(k->err, TSG_EINPUT, _("%s: a second answer for the program '%s'"), at(k, row, SV_P_ID), id);
    /* The last field: the day the program ended, when that is on or before
     * the round's day (an old form, or its organisation's end). */
    char *ended = s ? NULL : strrchr(now, 31);
    if (ended) *ended++ = '\0';
    if (!s) s = answer_cell(k, row, SV_P_ANSWER, 1, &p.ans);
    if (!s && p.ans != SV_ANS_END) {
        s = name_cell(k, row, SV_P_NAME, 0, &name);
        if (!s) s = keys_cell(k, row, SV_P_TARGETS, "target", &p.targets);
        if (!s && !*p.targets)
            s = util_fail(k->err, TSG_EINPUT, _("%s: a program serves at least one target group"), at(k, row, SV_P_TARGETS));
        if (!s) s = number_cell(k, row, SV_P_AGE_MIN, 0, 150, &p.age_min);
        if (!s) s = number_cell(k, row, SV_P_AGE_MAX, 0, 150, &p.age_max);
        if (!s && p.age_min >= 0 && p.age_max >= 0 && p.age_min > p.age_max)
            s = util_fail(k->err, TSG_EINPUT, _("%s: the lowest age is above the highest"), at(k, row, SV_P_AGE_MIN));
        if (!s) s = keys_cell(k, row, SV_P_NEEDS, "need", &p.needs);
        if (!s) s = area_cell(k, row, SV_P_AREA, &p.area);
        if (!s) s = name_cell(k, row, SV_P_HOURS, 1, &hours);
        if (!s && (!(p.name = strdup(name)) || (hours && !(p.hours = strdup(hours))))) s = nomem(k);
    }
    if (!s && p.ans == SV_ANS_CONFIRM) {
        /* The registered values, field by field (char 31 between them). */
        const char *f[7] = {0};
        char *q = now;
        for (int i = 0; i < 7 && q; i++) {
            f[i] = q;
            q = strchr(q, 31);
            if (q) *q++ = '\0';
        }
        char amin[24], amax[24];
        util_snprintf(amin, sizeof amin, "%ld", p.age_min);
        util_snprintf(amax, sizeof amax, "%ld", p.age_max);
        const char *mine[7] = {p.name, p.targets, amin, amax, p.needs, p.area, p.hours};
        static const int cols[7] = {SV_P_NAME, SV_P_TARGETS, SV_P_AGE_MIN, SV_P_AGE_MAX, SV_P_NEEDS, SV_P_AREA, SV_P_HOURS};
        for (int i = 0; i < 7 && !s; i++) {
            if (same(mine[i], f[i])) continue;
            /* Shown as the form wrote it: labels, not keys. */
            util_buf_t shown = {0};
            for (const char *q2 = f[i]; (i == 1 || i == 4) && q2 && *q2;) {
                size_t n = strcspn(q2, ";");
                char key[256];
                util_snprintf(key, sizeof key, "%.*s", (int)n, q2);
                if (shown.len) util_buf_adds(&shown, SV_LIST_SEP);
                util_buf_adds(&shown, store_vocab_label(&k->vocab, i == 1 ? "target" : "need", key));
                q2 += n + (q2[n] == ';');
            }
            s = differs(k, row, (size_t)cols[i], shown.data ? shown.data : strcmp(f[i] ? f[i] : "", "-1") ? f[i] : "");
            util_buf_free(&shown);
        }
    }
    /* A program that ended: 確認 or 修正 says it runs, and opens it again
     * on the round's day (as import --as-of does with a program back in
     * the folder); 終了 says what the database already holds, and changes
     * nothing. */
    int already_ended = !s && ended && *ended && p.ans == SV_ANS_END;
    if (!s && ended && *ended && !already_ended && !(p.ended = strdup(ended))) s = nomem(k);
    free(now);
    sv_org_t *o;
    if (!s) s = note_org(k, *org, &o);
    if (!s && already_ended) {
        free(p.name), free(p.targets), free(p.needs), free(p.area), free(p.hours), free(p.ended);
        return TSG_OK;
    }
    if (!s && (!(p.org = strdup(*org)) || !(p.id = strdup(id)))) s = nomem(k);
    sv_program_t *grown = s ? NULL : realloc(k->a->programs, (k->a->nprograms + 1) * sizeof *grown);
    if (!s && !grown) s = nomem(k);
    if (s) {
        free(p.org), free(p.id), free(p.name), free(p.targets), free(p.needs), free(p.area), free(p.hours);
        free(p.ended);
        return s;
    }
    k->a->programs = grown;
    grown[k->a->nprograms++] = p;
    return TSG_OK;
}

static tsg_status_t add_tie(ck_t *k, sv_tie_t *t, const char *org, const char *src, const char *dst, const char *kind)
{
    t->where = util_printf("%s:%s:%zu", k->g->file, k->g->sheet, k->row + 1);
    t->org = strdup(org);
    t->src = strdup(src);
    t->dst = strdup(dst);
    t->kind = strdup(kind);
    t->new_kind = strdup(kind);
    sv_tie_t *grown = realloc(k->a->ties, (k->a->nties + 1) * sizeof *grown);
    if (!grown || !t->where || !t->org || !t->src || !t->dst || !t->kind || !t->new_kind) {
        free(t->where), free(t->org), free(t->src), free(t->dst), free(t->kind), free(t->new_kind);
        if (grown) k->a->ties = grown;
        return nomem(k);
    }
    k->a->ties = grown;
    grown[k->a->nties++] = *t;
    sv_org_t *o;
    return note_org(k, org, &o);
}

/* The stored tie a row of the ties sheet names: its ends as stored, and
 * the day it ended when no tie of the row is open but one ended by the
 * round's day (an old form, or its organisation's end). */
#define TIE_NOW                                                                                              \
    "SELECT a.id || char(31) || b.id || char(31) || t.directed || char(31) || coalesce(t.count, -1)"          \
    "  || char(31) || coalesce(t.until, '') FROM tie t"                                                       \
    " JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst"                                              \
    " WHERE ((t.until IS NULL AND " SV_BEGUN("t") " AND " SV_OPEN("t.src") " AND " SV_OPEN("t.dst") ")"       \
    "  OR (t.until IS NOT NULL AND tsg_day(t.until) <= ?90))"                                                \
    " AND t.kind = ?3 AND ((a.id = ?1 AND b.id = ?2 AND ?4 IN (0, 2)) OR (a.id = ?2 AND b.id = ?1 AND ?4 IN (1, 2)))" \
    " ORDER BY t.until IS NOT NULL, tsg_day(t.until) DESC, t.tid"

static tsg_status_t check_tie(ck_t *k, size_t row, const char **org)
{
    sv_tie_t t = {.count = -1};
    const char *own = sv_cell(k->g, row, SV_T_OWN), *other = sv_cell(k->g, row, SV_T_OTHER);
    const char *kind_text = sv_cell(k->g, row, SV_T_KIND), *dir = sv_cell(k->g, row, SV_T_DIR);
    tsg_status_t s = org_cell(k, row, org);
    if (!s && !own) s = util_fail(k->err, TSG_EINPUT, _("%s: this cell may not be empty"), at(k, row, SV_T_OWN));
    if (!s && !other) s = util_fail(k->err, TSG_EINPUT, _("%s: this cell may not be empty"), at(k, row, SV_T_OTHER));
    const char *hint, *kind = s || !kind_text ? NULL : store_vocab_resolve(&k->vocab, "tie_kind", kind_text, &hint);
    if (!s && !kind)
        s = util_fail(k->err, TSG_EINPUT, _("%s: unknown %s '%s'"), at(k, row, SV_T_KIND),
                      store_vocab_kind_noun("tie_kind"), kind_text ? kind_text : "");
    int way = !dir ? -1 : !strcmp(dir, SV_DIR_OUT) ? 0 : !strcmp(dir, SV_DIR_IN) ? 1 : !strcmp(dir, SV_DIR_BOTH) ? 2 : -1;
    if (!s && way < 0)
        s = util_fail(k->err, TSG_EINPUT, _("%s: the direction '%s' is not one the form wrote"), at(k, row, SV_T_DIR),
                      dir ? dir : "");
    char *now = NULL;
    if (!s) {
        sqlite3_stmt *st = NULL;
        s = store_prepare(k->db->sql, TIE_NOW, &st, k->err);
        if (!s) {
            sqlite3_bind_text(st, 1, own, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, other, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, way);
            sv_bind_day(st, k->day);
            if (sqlite3_step(st) == SQLITE_ROW && !(now = strdup((const char *)sqlite3_column_text(st, 0)))) s = nomem(k);
            sqlite3_finalize(st);
        }
        if (!s && !now)
            s = util_fail(k->err, TSG_EINPUT, _("%s: the network holds no such tie between '%s' and '%s'"),
                          at(k, row, SV_T_OTHER), own, other);
    }
    if (!s) s = answer_cell(k, row, SV_T_ANSWER, 1, &t.ans);
    if (!s) s = number_cell(k, row, SV_T_COUNT, 0, TSG_MAX_COUNT, &t.count);
    char *f[5] = {0};
    for (int i = 0; !s && i < 5; i++) {
        f[i] = i ? strchr(f[i - 1], 31) : now;
        if (i) *f[i]++ = '\0';
    }
    /* A blank count on a confirmed tie is the count kept: survey-out under
     * --suppress-below leaves a count of people under the threshold blank. */
    if (!s && t.ans == SV_ANS_CONFIRM && t.count >= 0 && t.count != atol(f[3]))
        /* Without the registered count: survey-out may have hidden it (a count
         * of people under the threshold), and an error a respondent sees,
         * or one guess after another, must not give it back. */
        s = util_fail(k->err, TSG_EINPUT, _("%s: the count differs from the registered one: answer 修正 to change it"),
                      at(k, row, SV_T_COUNT));
    for (size_t i = 0; !s && i < k->a->nties; i++) {
        const sv_tie_t *u = &k->a->ties[i];
        if (!u->is_new && !strcmp(u->org, *org) && !strcmp(u->src, f[0]) && !strcmp(u->dst, f[1]) &&
            !strcmp(u->kind, kind))
            s = util_fail(k->err, TSG_EINPUT, _("%s: a second answer for the same tie (the first: %s)"),
                          at(k, row, SV_T_ANSWER), u->where);
    }
    /* A tie that ended: 確認 or 修正 says it is there again, so it is a new
     * tie from the round's day (a pair tied again is a new row, as TIE after
     * UNTIE makes; survey_apply.c checks that both ends exist that day);
     * 終了 says what the database already holds. */
    int ended = !s && *f[4];
    if (ended && t.ans == SV_ANS_END) {
        free(now);
        sv_org_t *o;
        return note_org(k, *org, &o);
    }
    if (!s) {
        t.directed = atoi(f[2]);
        t.is_new = ended;
        if (t.ans == SV_ANS_CONFIRM || t.ans == SV_ANS_END) t.count = atol(f[3]); /* ended: its last count stays */
        s = add_tie(k, &t, *org, f[0], f[1], kind);
    }
    free(now);
    return s;
}

/* Why no organisation of the round's day is the partner cell s (want: the
 * id or name in it): one that ended by the day is named with its end
 * date, one whose end is set later or that begins later with that date
 * (the list of a form from before then offered it), else it is none of the
 * network's. Always TSG_EINPUT (or TSG_ENOMEM, a database error). */
static tsg_status_t partner_missing(ck_t *k, size_t row, const char *s, const char *want)
{
    sqlite3_stmt *st = NULL;
    tsg_status_t rc = store_prepare(k->db->sql,
                                    "SELECT o.until, tsg_day(o.until) <= ?90, o.since, tsg_day(o.since) > ?90"
                                    " FROM organisation o JOIN node n ON n.nid = o.nid"
                                    " WHERE n.id = ?1 OR o.name = ?1 ORDER BY n.id = ?1 DESC, o.until DESC LIMIT 1",
                                    &st, k->err);
    if (rc) return rc;
    sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
    sv_bind_day(st, k->day);
    char day[16];
    util_snprintf(day, sizeof day, "%04ld-%02ld-%02ld", k->day / 10000, k->day / 100 % 100, k->day % 100);
    const char *where = at(k, row, SV_N_PARTNER);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL && sqlite3_column_int(st, 1))
        rc = util_fail(k->err, TSG_EINPUT,
                       _("%1$s: '%2$s' ended on %3$s: choose a partner that exists on %4$s from the list"), where, s,
                       (const char *)sqlite3_column_text(st, 0), day);
    else if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        rc = util_fail(k->err, TSG_EINPUT,
                       _("%1$s: '%2$s' ends on %3$s, so this round asks nothing of it: choose a partner from the list"),
                       where, s, (const char *)sqlite3_column_text(st, 0));
    else if (step == SQLITE_ROW && sqlite3_column_int(st, 3))
        rc = util_fail(k->err, TSG_EINPUT,
                       _("%1$s: '%2$s' begins on %3$s, after the round's day %4$s: choose a partner from the list"),
                       where, s, (const char *)sqlite3_column_text(st, 2), day);
    else if (step == SQLITE_ROW || step == SQLITE_DONE)
        rc = util_fail(k->err, TSG_EINPUT, _("%s: '%s' is not an organisation of the network: choose one from the list"),
                       where, s);
    else
        rc = store_fail_sql(k->db->sql, _("database"), k->err);
    sqlite3_finalize(st);
    return rc;
}

/* "name [id]" as the list offers it, or an id, or a name only one organisation has. */
static tsg_status_t partner_cell(ck_t *k, size_t row, const char *org, char **id)
{
    const char *s = sv_cell(k->g, row, SV_N_PARTNER);
    *id = NULL;
    if (!s) return util_fail(k->err, TSG_EINPUT, _("%s: choose the partner from the list"), at(k, row, SV_N_PARTNER));
    const char *open = strrchr(s, '['), *close = open ? strchr(open, ']') : NULL;
    char *want = open && close && !close[1] ? util_strndup(open + 1, (size_t)(close - open - 1)) : strdup(s);
    if (!want) return nomem(k);
    sqlite3_stmt *st = NULL;
    tsg_status_t rc = store_prepare(k->db->sql,
                                    "SELECT n.id FROM organisation o JOIN node n ON n.nid = o.nid"
                                    " WHERE o.until IS NULL AND (o.since IS NULL OR tsg_day(o.since) <= ?90)"
                                    " AND (n.id = ?1 OR o.name = ?1) ORDER BY n.id = ?1 DESC LIMIT 2",
                                    &st, k->err);
    int n = 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, want, -1, SQLITE_STATIC);
        sv_bind_day(st, k->day);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            if (n++ == 0 && !(*id = strdup((const char *)sqlite3_column_text(st, 0)))) rc = nomem(k);
        if (!rc && step != SQLITE_DONE) rc = store_fail_sql(k->db->sql, _("database"), k->err);
        sqlite3_finalize(st);
    }
    if (!rc && !n) rc = partner_missing(k, row, s, want);
    else if (!rc && n > 1 && strcmp(*id, want))
        rc = util_fail(k->err, TSG_EINPUT, _("%s: several organisations are called '%s': choose one from the list"),
                       at(k, row, SV_N_PARTNER), s);
    else if (!rc && !strcmp(*id, org))
        rc = util_fail(k->err, TSG_EINPUT, _("%s: an organisation has no tie with itself"), at(k, row, SV_N_PARTNER));
    free(want);
    if (rc) {
        free(*id);
        *id = NULL;
    }
    return rc;
}

static tsg_status_t check_new(ck_t *k, size_t row, const char **org)
{
    int any = 0;
    for (size_t c = SV_N_PARTNER; c < SV_N_NCOLS; c++) any |= sv_cell(k->g, row, c) != NULL;
    if (!any) return TSG_OK; /* a row left empty (column A was filled in beforehand) */
    sv_tie_t t = {.ans = SV_ANS_CONFIRM, .is_new = 1};
    char *partner = NULL;
    const char *kind_text = sv_cell(k->g, row, SV_N_KIND), *dir = sv_cell(k->g, row, SV_N_DIR), *hint;
    tsg_status_t s = org_cell(k, row, org);
    if (!s) s = partner_cell(k, row, *org, &partner);
    const char *kind = s || !kind_text ? NULL : store_vocab_resolve(&k->vocab, "tie_kind", kind_text, &hint);
    if (!s && (!kind || !strcmp(kind, "membership")))
        s = util_fail(k->err, TSG_EINPUT, _("%s: choose the kind of tie from the list"), at(k, row, SV_N_KIND));
    int way = !dir ? -1 : !strcmp(dir, SV_DIR_OUT) ? 0 : !strcmp(dir, SV_DIR_IN) ? 1 : !strcmp(dir, SV_DIR_BOTH) ? 2 : -3;
    if (!s && (way == -3 || (!strcmp(kind, "referral") && way != 0 && way != 1)))
        s = util_fail(k->err, TSG_EINPUT, _("%s: a referral goes one way: choose 当団体から相手へ or 相手から当団体へ"),
                      at(k, row, SV_N_DIR));
    if (!s) s = number_cell(k, row, SV_N_COUNT, 0, TSG_MAX_COUNT, &t.count);
    if (!s) {
        t.directed = !strcmp(kind, "referral");
        at(k, row, SV_N_PARTNER);
        s = t.directed && way == 1 ? add_tie(k, &t, *org, partner, *org, kind) : add_tie(k, &t, *org, *org, partner, kind);
    }
    free(partner);
    return s;
}

/* One sheet: its header, then each row that holds anything. */
static tsg_status_t check_grid(ck_t *k, const sv_grid_t *g)
{
    int kind = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(g->sheet, sv_sheet_names[i])) kind = i;
    if (kind < 0) return TSG_OK; /* 記入方法, 選択肢, or a sheet the respondent added */
    k->g = g;
    for (size_t c = 0; sv_headers[kind][c]; c++)
        if (!same(sv_cell(g, 0, c), sv_headers[kind][c]))
            return util_fail(k->err, TSG_EINPUT, _("%s: the header must be '%s' as the form wrote it"), at(k, 0, c),
                             sv_headers[kind][c]);
    const char *org = NULL;
    tsg_status_t s = TSG_OK;
    for (size_t r = 1; r < g->nrows && !s; r++) {
        int any = 0;
        for (size_t c = 0; c < g->ncols; c++) any |= sv_cell(g, r, c) != NULL;
        if (!any) continue;
        s = kind == 0 ? check_org(k, r, &org) : kind == 1 ? check_program(k, r, &org)
          : kind == 2 ? check_tie(k, r, &org) : check_new(k, r, &org);
    }
    return s;
}

tsg_status_t sv_read_all(tsg_db_t *db, const char *dir, long day, sv_answers_t *out, tsg_error_t *err)
{
    memset(out, 0, sizeof *out);
    sv_grid_t *grids = NULL;
    size_t ngrids = 0;
    ck_t k = {.db = db, .a = out, .day = day, .err = err};
    tsg_status_t s = store_vocab_load(db->sql, &k.vocab, err);
    if (s) return s;
    s = sv_read_forms(dir, &grids, &ngrids, err);
    if (!s) s = store_read_begin(db, err);
    if (!s) {
        for (size_t i = 0; i < ngrids && !s; i++) s = check_grid(&k, &grids[i]);
        store_read_end(db);
    }
    for (size_t i = 0; i < ngrids; i++) sv_grid_free(&grids[i]);
    free(grids);
    store_vocab_free(&k.vocab);
    if (s) sv_answers_free(out);
    return s;
}
