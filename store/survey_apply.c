/*
 * survey_apply — the checked answers of a survey round (survey.h) applied
 * to the database as one dated change, in one transaction: a correction
 * keeps the old value in history (until the as-of day), an ended program
 * or tie gets until = the day, every row answered gets verified = the day.
 *
 * A tie's sides are the organisations at its ends (an organisation, or the
 * one that runs a program; a forum is no side). After the round every open
 * tie with a side has a status (docs/decisions.md, "Issue 21: the survey
 * round"): confirmed when every side confirmed or added it, reported when
 * some side did and another did not (silent, or ended it), ended when a
 * side ended it and none confirmed it, and unverified when no side said
 * anything about it (its organisations did not answer).
 */
#include "survey.h"
#include "period.h"
#include "bounds.h"
#include "i18n.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tsg_survey_report_free(tsg_survey_report_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nsilent; i++) free(r->silent[i]);
    free(r->silent);
    for (size_t i = 0; i < r->nback; i++) free(r->back[i]);
    free(r->back);
    free(r);
}

typedef struct ap {
    tsg_db_t *db;
    const char *day; /* YYYY-MM-DD */
    long dayn;       /* the same, YYYYMMDD */
    sv_answers_t *a;
    tsg_survey_report_t *r;
    tsg_error_t *err;
} ap_t;

/* Runs sql with n text parameters (NULL binds NULL). */
static tsg_status_t run(ap_t *p, const char *sql, int n, ...)
{
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(p->db->sql, sql, &st, p->err);
    if (s) return s;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *v = va_arg(ap, const char *);
        if (v) sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    sv_bind_day(st, p->dayn);
    if (sqlite3_step(st) != SQLITE_DONE) s = store_fail_sql(p->db->sql, _("cannot apply the survey answers"), p->err);
    sqlite3_finalize(st);
    return s;
}

/* Keeps the old value of a field that changes (nid or tid names the row). */
static tsg_status_t keep_old(ap_t *p, const char *nid, const char *tid, const char *field, const char *old,
                             const char *now)
{
    if (!strcmp(old ? old : "", now ? now : "")) return TSG_OK;
    return run(p, "INSERT INTO history(nid, tid, field, value, until) VALUES (?1, ?2, ?3, ?4, ?5)", 5, nid, tid, field,
               old, p->day);
}

/* The values of one row as texts (NULL for NULL), owned by the caller. */
static tsg_status_t row_of(ap_t *p, const char *sql, const char *id, char **out, int n)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, (size_t)n * sizeof *out);
    tsg_status_t s = store_prepare(p->db->sql, sql, &st, p->err);
    if (s) return s;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sv_bind_day(st, p->dayn);
    if (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < n && !s; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            if (v && !(out[i] = strdup(v))) s = util_fail(p->err, TSG_ENOMEM, _("out of memory"));
        }
    sqlite3_finalize(st);
    return s;
}

static void free_row(char **row, int n)
{
    for (int i = 0; i < n; i++) free(row[i]);
}

static void ans_count(tsg_survey_report_t *r, sv_answer_t a)
{
    if (a == SV_ANS_CONFIRM) r->confirmed++;
    else if (a == SV_ANS_CORRECT) r->corrected++;
    else if (a == SV_ANS_END) r->ended++;
}

/* Adds "id name (ended DATE)" to the report's list of rows back. */
static tsg_status_t note_back(ap_t *p, const char *id, const char *name, const char *ended)
{
    char **grown = realloc(p->r->back, (p->r->nback + 1) * sizeof *grown);
    if (grown) p->r->back = grown;
    char *line = grown ? util_printf(_("%1$s %2$s (ended %3$s)"), id, name ? name : "", ended) : NULL;
    if (!line) return util_fail(p->err, TSG_ENOMEM, _("out of memory"));
    grown[p->r->nback++] = line;
    return TSG_OK;
}

/* An organisation that ended by the round's day and answered begins a new
 * period on the day, as ADD … ID does (query/mutate_period.c): the earlier
 * since and until kept in history until the day, so a day between the
 * periods does not see it. Its programs and ties stay ended unless its
 * answers say they run (apply_program, and ended ties come back as new). */
static tsg_status_t rejoin_org(ap_t *p, const sv_org_t *o)
{
    char *was[4];
    tsg_status_t s = row_of(p,
                            "SELECT o.nid, o.name, o.since, o.until FROM organisation o JOIN node n ON n.nid = o.nid"
                            " WHERE n.id = ?1 AND tsg_day(o.until) <= ?90",
                            o->id, was, 4);
    if (!s && was[0]) {
        s = run(p, "INSERT INTO history(nid, field, value, until) VALUES (?1, 'since', ?2, ?4), (?1, 'until', ?3, ?4)", 4,
                was[0], was[2], was[3], p->day);
        if (!s) s = run(p, "UPDATE organisation SET since = ?2, until = NULL WHERE nid = ?1", 2, was[0], p->day);
        if (!s) s = note_back(p, o->id, was[1], was[3]);
    }
    free_row(was, 4);
    return s;
}

static tsg_status_t apply_org(ap_t *p, const sv_org_t *o)
{
    if (!o->ans) return TSG_OK; /* answered on other sheets only */
    ans_count(p->r, o->ans);
    char *was[4];
    tsg_status_t s = row_of(p,
                            "SELECT o.nid, o.name, o.sector, dn.id FROM organisation o JOIN node n ON n.nid = o.nid"
                            " LEFT JOIN node dn ON dn.nid = o.district WHERE n.id = ?1",
                            o->id, was, 4);
    if (!s && o->ans == SV_ANS_CORRECT) {
        s = keep_old(p, was[0], NULL, "name", was[1], o->name);
        if (!s) s = keep_old(p, was[0], NULL, "sector", was[2], o->sector);
        if (!s) s = keep_old(p, was[0], NULL, "district", was[3], o->district);
        if (!s)
            s = run(p, "UPDATE organisation SET name = ?2, sector = ?3, district = (SELECT nid FROM node WHERE id = ?4)"
                       " WHERE nid = ?1", 4, was[0], o->name, o->sector, o->district);
    }
    if (!s) s = run(p, "UPDATE organisation SET verified = ?2 WHERE nid = ?1", 2, was[0], p->day);
    free_row(was, 4);
    return s;
}

#define LIST_OF(tbl, col) \
    "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM " tbl " WHERE program = p.nid ORDER BY pos))"

/* Replaces a program's list (program_target, program_need or program_area). */
static tsg_status_t set_list(ap_t *p, const char *nid, const char *table, const char *col, const char *keys)
{
    char sql[200];
    util_snprintf(sql, sizeof sql, "DELETE FROM %s WHERE program = ?1", table);
    tsg_status_t s = run(p, sql, 1, nid);
    if (!strcmp(table, "program_area"))
        util_snprintf(sql, sizeof sql,
                      "INSERT INTO program_area(program, pos, district) VALUES (?1, ?2, (SELECT nid FROM node WHERE id = ?3))");
    else
        util_snprintf(sql, sizeof sql, "INSERT INTO %s(program, pos, %s) VALUES (?1, ?2, ?3)", table, col);
    int pos = 0;
    for (const char *q = keys ? keys : ""; *q && !s && strcmp(keys, "*");) {
        size_t n = strcspn(q, ";");
        char *item = util_strndup(q, n), num[16];
        util_snprintf(num, sizeof num, "%d", pos++);
        s = item ? run(p, sql, 3, nid, num, item) : util_fail(p->err, TSG_ENOMEM, _("out of memory"));
        free(item);
        q += n + (q[n] == ';');
    }
    return s;
}

static tsg_status_t apply_program(ap_t *p, const sv_program_t *g)
{
    ans_count(p->r, g->ans);
    enum { NID, NAME, TARGETS, AMIN, AMAX, NEEDS, AREA, HOURS, N };
    char *was[N];
    tsg_status_t s = row_of(
        p,
        "SELECT p.nid, p.name, " LIST_OF("program_target", "target") ", p.age_min, p.age_max, "
        LIST_OF("program_need", "need") ", CASE WHEN p.wide_area THEN '*' ELSE (SELECT group_concat(id, ';') FROM"
        " (SELECT an.id FROM program_area a JOIN node an ON an.nid = a.district WHERE a.program = p.nid ORDER BY a.pos))"
        " END, p.hours FROM program p JOIN node n ON n.nid = p.nid WHERE n.id = ?1",
        g->id, was, N);
    /* A program that had ended and is confirmed or corrected runs again
     * from the day (its until kept in history, as import --as-of does). */
    if (!s && g->ended) {
        s = run(p, "INSERT INTO history(nid, field, value, until) VALUES (?1, 'until', ?2, ?3)", 3, was[NID], g->ended,
                p->day);
        if (!s) s = run(p, "UPDATE program SET until = NULL WHERE nid = ?1", 1, was[NID]);
        if (!s) s = note_back(p, g->id, was[NAME], g->ended);
    }
    if (!s && g->ans == SV_ANS_END) s = run(p, "UPDATE program SET until = ?2 WHERE nid = ?1", 2, was[NID], p->day);
    if (!s && g->ans == SV_ANS_CORRECT) {
        char amin[24] = "", amax[24] = "";
        if (g->age_min >= 0) util_snprintf(amin, sizeof amin, "%ld", g->age_min);
        if (g->age_max >= 0) util_snprintf(amax, sizeof amax, "%ld", g->age_max);
        const char *now[N] = {NULL, g->name, g->targets, amin, amax, g->needs, g->area, g->hours};
        static const char *const field[N] = {NULL, "name", "targets", "age_min", "age_max", "needs", "area", "hours"};
        for (int i = 1; i < N && !s; i++) s = keep_old(p, was[NID], NULL, field[i], was[i], now[i]);
        if (!s)
            s = run(p,
                    "UPDATE program SET name = ?2, age_min = CAST(nullif(?3, '') AS INTEGER),"
                    " age_max = CAST(nullif(?4, '') AS INTEGER), hours = ?5, wide_area = ?6 WHERE nid = ?1",
                    6, was[NID], g->name, amin, amax, g->hours, strcmp(g->area ? g->area : "", "*") ? "0" : "1");
        if (!s && strcmp(was[TARGETS] ? was[TARGETS] : "", g->targets))
            s = set_list(p, was[NID], "program_target", "target", g->targets);
        if (!s && strcmp(was[NEEDS] ? was[NEEDS] : "", g->needs))
            s = set_list(p, was[NID], "program_need", "need", g->needs);
        if (!s && strcmp(was[AREA] ? was[AREA] : "", g->area)) s = set_list(p, was[NID], "program_area", NULL, g->area);
    }
    if (!s) s = run(p, "UPDATE program SET verified = ?2 WHERE nid = ?1", 2, was[NID], p->day);
    free_row(was, N);
    return s;
}

/* Whether answer u is about the tie src→dst of kind (either way round when undirected). */
static int about(const sv_tie_t *u, const char *src, const char *dst, const char *kind, int directed)
{
    if (strcmp(u->kind, kind)) return 0;
    return (!strcmp(u->src, src) && !strcmp(u->dst, dst)) || (!directed && !strcmp(u->src, dst) && !strcmp(u->dst, src));
}

enum { SAID_NONE, SAID_NO, SAID_YES };

/* What one side said of a tie: yes beats no (a side that both ended a row
 * and added the tie again keeps it). */
static int side_said(ap_t *p, const char *side, const char *src, const char *dst, const char *kind, int directed,
                     unsigned char *used, long *count)
{
    int said = SAID_NONE;
    for (size_t i = 0; side && i < p->a->nties; i++) {
        const sv_tie_t *u = &p->a->ties[i];
        if (strcmp(u->org, side) || !about(u, src, dst, kind, directed)) continue;
        used[i] = 1;
        if (u->ans == SV_ANS_END) {
            if (said == SAID_NONE) said = SAID_NO;
        } else {
            said = SAID_YES;
            if (u->count >= 0 && *count < 0) *count = u->count;
        }
    }
    return said;
}

/* Every open tie with a side: its status from the answers, its count
 * corrected, or its end. */
static tsg_status_t apply_ties(ap_t *p, unsigned char *used)
{
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(
        p->db->sql,
        "SELECT t.tid, a.id, b.id, t.kind, t.directed, t.count,"
        "  CASE a.type WHEN 'organisation' THEN a.id WHEN 'program' THEN"
        "   (SELECT n2.id FROM program pp JOIN node n2 ON n2.nid = pp.org WHERE pp.nid = t.src) END,"
        "  CASE b.type WHEN 'organisation' THEN b.id WHEN 'program' THEN"
        "   (SELECT n2.id FROM program pp JOIN node n2 ON n2.nid = pp.org WHERE pp.nid = t.dst) END,"
        "  t.since, tsg_day(t.since) >= ?90"
        " FROM tie t JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst WHERE t.until IS NULL AND " SV_BEGUN("t") " AND " SV_OPEN("t.src") " AND " SV_OPEN("t.dst")
        " ORDER BY t.tid",
        &st, p->err);
    if (!s) sv_bind_day(st, p->dayn);
    int step = SQLITE_DONE;
    while (!s && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *tid = (const char *)sqlite3_column_text(st, 0), *src = (const char *)sqlite3_column_text(st, 1);
        const char *dst = (const char *)sqlite3_column_text(st, 2), *kind = (const char *)sqlite3_column_text(st, 3);
        const char *old = (const char *)sqlite3_column_text(st, 5);
        const char *os = (const char *)sqlite3_column_text(st, 6), *od = (const char *)sqlite3_column_text(st, 7);
        int directed = sqlite3_column_int(st, 4);
        if (!os && !od) continue; /* between forums: no side to ask */
        if (os && od && !strcmp(os, od)) od = NULL; /* within one organisation: one side */
        /* The count the source side gives wins: it is the one that refers. */
        long count = -1;
        int a = side_said(p, os, src, dst, kind, directed, used, &count);
        int b = side_said(p, od, src, dst, kind, directed, used, &count);
        int sides = (os != NULL) + (od != NULL), yes = (a == SAID_YES) + (b == SAID_YES);
        if (yes) {
            char num[24] = "";
            if (count >= 0) util_snprintf(num, sizeof num, "%ld", count);
            if (count >= 0) s = keep_old(p, NULL, tid, "count", old, num);
            if (!s)
                s = run(p,
                        "UPDATE tie SET status = ?2, verified = ?3,"
                        " count = CASE WHEN ?4 = '' THEN count ELSE CAST(?4 AS INTEGER) END WHERE tid = ?1",
                        4, tid, yes == sides ? "confirmed" : "reported", p->day, num);
        } else if (a == SAID_NO || b == SAID_NO) {
            /* Ended on the day it begins, its period would be empty: a row
             * store_check calls damaged, whose exported folder does not
             * import again (UNTIE … ON refuses the same). */
            if (sqlite3_column_int(st, 9))
                s = util_fail(p->err, TSG_EINPUT,
                              _("the tie from '%1$s' to '%2$s' begins on %3$s, the round's day: an answer cannot end it "
                                "then (ERASE it if it was a mistake, or give the round a later --as-of)"),
                              src, dst, (const char *)sqlite3_column_text(st, 8));
            else s = run(p, "UPDATE tie SET until = ?2, verified = ?2 WHERE tid = ?1", 2, tid, p->day);
        } else {
            s = run(p, "UPDATE tie SET status = 'unverified' WHERE tid = ?1", 1, tid);
        }
    }
    if (!s && step != SQLITE_DONE) s = store_fail_sql(p->db->sql, _("cannot apply the survey answers"), p->err);
    sqlite3_finalize(st);
    return s;
}

/* New ties no open tie matched: confirmed when the other side added it too. */
static tsg_status_t add_new_ties(ap_t *p, unsigned char *used)
{
    tsg_status_t s = TSG_OK;
    for (size_t i = 0; i < p->a->nties && !s; i++) {
        const sv_tie_t *u = &p->a->ties[i];
        if (!u->is_new || used[i]) continue;
        used[i] = 1;
        int both = 0;
        long count = u->count;
        for (size_t j = i + 1; j < p->a->nties; j++) {
            const sv_tie_t *v = &p->a->ties[j];
            if (!v->is_new || used[j] || !about(v, u->src, u->dst, u->kind, u->directed)) continue;
            used[j] = 1; /* the same tie: from the other side, or twice from one */
            if (strcmp(v->org, u->org)) both = 1;
            if (v->count >= 0 && (count < 0 || !strcmp(v->org, v->src))) count = v->count;
        }
        /* Both ends exist on the day (an end that ended and did not answer
         * stays ended): a tie to a row no reader sees would be lost. */
        const char *end[2] = {u->src, u->dst};
        for (int e = 0; e < 2 && !s; e++) {
            char *gone[1];
            s = row_of(p,
                       "SELECT coalesce(o.until, pr.until, po.until, f.until) FROM node n"
                       " LEFT JOIN organisation o ON o.nid = n.nid LEFT JOIN forum f ON f.nid = n.nid"
                       " LEFT JOIN program pr ON pr.nid = n.nid LEFT JOIN organisation po ON po.nid = pr.org"
                       " WHERE n.id = ?1 AND NOT " SV_OPEN("n.nid"),
                       end[e], gone, 1);
            if (!s && gone[0])
                s = util_fail(p->err, TSG_EINPUT, _("%1$s: '%2$s' ended on %3$s, so a tie with it cannot begin on %4$s"),
                              u->where, end[e], gone[0], p->day);
            free(gone[0]);
        }
        if (s) break;
        char num[24] = "";
        if (count >= 0) util_snprintf(num, sizeof num, "%ld", count);
        s = run(p,
                "INSERT INTO tie(src, dst, kind, directed, count, since, verified, status) VALUES"
                " ((SELECT nid FROM node WHERE id = ?1), (SELECT nid FROM node WHERE id = ?2), ?3, ?4,"
                "  CAST(nullif(?5, '') AS INTEGER), ?6, ?6, ?7)",
                7, u->src, u->dst, u->kind, u->directed ? "1" : "0", num, p->day, both ? "confirmed" : "reported");
        p->r->added++;
    }
    return s;
}

static tsg_status_t tally(ap_t *p)
{
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(p->db->sql,
                                   "SELECT status, count(*) FROM tie WHERE until IS NULL AND status IS NOT NULL"
                                   " GROUP BY status",
                                   &st, p->err);
    int step = SQLITE_DONE;
    while (!s && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        long n = sqlite3_column_int(st, 1);
        if (!strcmp(k, "confirmed")) p->r->ties_confirmed = n;
        else if (!strcmp(k, "reported")) p->r->ties_reported = n;
        else p->r->ties_unverified = n;
    }
    if (!s && step != SQLITE_DONE) s = store_fail_sql(p->db->sql, _("cannot apply the survey answers"), p->err);
    sqlite3_finalize(st);
    if (!s) s = store_prepare(p->db->sql,
                              "SELECT n.id, o.name FROM organisation o JOIN node n ON n.nid = o.nid"
                              " WHERE o.until IS NULL AND (o.since IS NULL OR tsg_day(o.since) <= ?90) ORDER BY o.nid",
                              &st, p->err);
    if (!s) sv_bind_day(st, p->dayn);
    step = SQLITE_DONE;
    while (!s && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int said = 0;
        for (size_t i = 0; i < p->a->norgs && !said; i++) said = !strcmp(p->a->orgs[i].id, id);
        if (said) continue;
        char **grown = realloc(p->r->silent, (p->r->nsilent + 1) * sizeof *grown);
        char *line = util_printf("%s %s", id, (const char *)sqlite3_column_text(st, 1));
        if (grown) p->r->silent = grown;
        if (!grown || !line) {
            free(line);
            s = util_fail(p->err, TSG_ENOMEM, _("out of memory"));
        } else {
            grown[p->r->nsilent++] = line;
        }
    }
    if (!s && step != SQLITE_DONE) s = store_fail_sql(p->db->sql, _("cannot apply the survey answers"), p->err);
    sqlite3_finalize(st);
    return s;
}

tsg_status_t tsg_survey_in(tsg_db_t *db, const char *dir, const char *as_of, tsg_survey_report_t **report,
                           tsg_error_t *err)
{
    *report = NULL;
    char day[11];
    tsg_error_t why = {0};
    if (as_of && util_date_check(as_of, day, &why)) return util_fail(err, why.code, _("--as-of: %s"), why.text);
    if (!as_of) util_date_text(util_today(), day);
    long dayn = util_date_first(day);
    sv_answers_t a;
    /* The write begins before anything is read: a database of an older
     * schema (opened by tsg_create) is migrated inside it, so the check and
     * the answers read the migrated tables, and a refusal rolls the
     * migration back with everything else, the file as it was. */
    tsg_status_t s = store_begin(db, err);
    int began = !s, read = 0;
    if (!s) s = store_check(db, err);
    if (!s) read = !(s = sv_read_all(db, dir, dayn, &a, err));
    tsg_survey_report_t *r = read ? calloc(1, sizeof *r) : NULL;
    unsigned char *used = read ? calloc(a.nties + 1, 1) : NULL;
    ap_t p = {.db = db, .day = day, .dayn = dayn, .a = &a, .r = r, .err = err};
    if (r) memcpy(r->as_of, day, sizeof r->as_of);
    if (!s && (!r || !used)) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s) s = store_dated_after(db->sql, day, "survey-in", err);
    if (!s) {
        r->answered = (long)a.norgs;
        for (size_t i = 0; i < a.norgs && !s; i++) s = rejoin_org(&p, &a.orgs[i]);
        for (size_t i = 0; i < a.norgs && !s; i++) s = apply_org(&p, &a.orgs[i]);
        for (size_t i = 0; i < a.nprograms && !s; i++) s = apply_program(&p, &a.programs[i]);
        for (size_t i = 0; i < a.nties; i++)
            if (!a.ties[i].is_new) ans_count(r, a.ties[i].ans);
        if (!s) s = apply_ties(&p, used);
        if (!s) s = add_new_ties(&p, used);
        if (!s) s = tally(&p);
    }
    if (began && s) store_rollback(db);
    else if (began) s = store_commit(db, err);
    free(used);
    if (read) sv_answers_free(&a);
    if (s) {
        tsg_survey_report_free(r);
        return s;
    }
    *report = r;
    return TSG_OK;
}
