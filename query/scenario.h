/*
 * scenario — a statement run on a copy of the database changed in memory
 * (whatif.c), which WHAT IF and SUGGEST TIES share: the copy's session, the
 * results held instead of emitted, and the copy's errors passed to the
 * session whose statement it runs for.
 */
#ifndef TSG_QUERY_SCENARIO_H
#define TSG_QUERY_SCENARIO_H

#include "query.h"

/* Results a statement emitted, held instead of passed on; the caller owns
 * them (qry_held_free, or take one and set its entry to NULL). */
typedef struct held {
    tsg_result_t **r;
    size_t n;
} held_t;
void qry_held_free(held_t *h);
/* Runs st on s, keeping its results in h instead of emitting them. */
tsg_status_t qry_run_held(qry_session_t *s, const ast_stmt_t *st, held_t *h);
/* A session *c on a copy *db of s's database, set as s is (language,
 * parameters, limits), whose errors point into s's statement; closed with
 * tsg_session_close and tsg_close. Failures are recorded against st, and
 * leave nothing open (*db and *c NULL). */
tsg_status_t qry_copy_open(qry_session_t *s, const ast_stmt_t *st, tsg_db_t **db, qry_session_t **c);
/* c set as s is now: language, limits, .asof and the statement's text. */
void qry_session_follow(qry_session_t *c, const qry_session_t *s);
/* The copy's error (after rc) as s's: its token lies in s's statement. */
tsg_status_t qry_copy_error(qry_session_t *s, qry_session_t *c, tsg_status_t rc, const ast_stmt_t *st);
/* TSG_OK when st (or inner, its inner statement) reads today's network; a
 * refusal naming `what` when it asks for another day (AS OF, or the
 * session's .asof): WHAT IF changes, and SUGGEST TIES measures, today's
 * rows, so another day's answer would mix two days. */
tsg_status_t qry_today_only(qry_session_t *s, const ast_stmt_t *st, const ast_stmt_t *inner, const char *what);

/* WHAT IF's parts, which the session's scenario (scenario.c, the REPL's
 * .whatif) shares. qry_change_make makes st->change (WITHOUT …, WITH TIE …)
 * on the copy c of s's database, naming s's nodes; qry_whatif_reads says
 * whether WHAT IF compares a statement of that kind (GAPS, REACH, …);
 * qry_whatif_compare runs inner on s and on c and emits the two answers
 * compared, with the summary. Errors are recorded against s. */
tsg_status_t qry_change_make(qry_session_t *s, qry_session_t *c, const ast_stmt_t *st);
int qry_whatif_reads(ast_skind_t kind);
tsg_status_t qry_whatif_compare(qry_session_t *s, qry_session_t *c, const ast_stmt_t *inner);

/* The session's scenario (tsg_session_scenario): one copy of the database
 * with the change made once, on which every later statement of the
 * session runs until the scenario ends. qry_scenario_exec runs one
 * statement under it (the session's run loop calls it instead of
 * qry_exec while s->scenario is set); qry_scenario_free closes the copy. */
typedef struct qry_scenario qry_scenario_t;
tsg_status_t qry_scenario_exec(qry_session_t *s, const ast_stmt_t *st);
void qry_scenario_free(qry_scenario_t *x);
/* The copy's session, which holds the scenario's LET sets (those made
 * before it, copied, and those made under it). */
qry_session_t *qry_scenario_session(qry_scenario_t *x);

#endif
