/* A LET set across another program's change to the database (issue 17,
 * item 19). Sets hold node ids (nids), and an import gives the same names
 * other nids, so a set silently changed members. A second connection to the
 * same file stands for the other program: SQLite's data_version, which the
 * session watches, changes for a commit on any other connection, in this
 * process or another (tests/reliability/input_check.py covers the CLI). */
#include "helpers.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct ids {
    char text[65536]; /* the id column of every result, one a line */
    char error[2048];
} ids_t;

static tsg_status_t take_ids(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    ids_t *o = ctx;
    for (size_t c = 0; c < r->ncols; c++)
        if (!strcmp(r->cols[c], "id"))
            for (size_t i = 0; i < r->nrows; i++)
                snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), "%s\n", r->cells[i * r->ncols + c]);
    return TSG_OK;
}

static void take_error(void *ctx, const tsg_error_t *e) { snprintf(((ids_t *)ctx)->error, 2048, "%s", e->text); }

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The lines of text, sorted (a set has no order; the oracle is its ids). */
static char *sorted(const char *text)
{
    char *copy = strdup(text), *lines[4096];
    size_t n = 0;
    for (char *p = strtok(copy, "\n"); p && n < 4096; p = strtok(NULL, "\n")) lines[n++] = p;
    qsort(lines, n, sizeof *lines, by_text);
    char *out = calloc(1, strlen(text) + 2);
    for (size_t i = 0; i < n; i++) strcat(strcat(out, lines[i]), "\n");
    free(copy);
    return out;
}

static tsg_status_t run(tsg_session_t *s, const char *stmts, ids_t *o)
{
    memset(o, 0, sizeof *o);
    tsg_sink_t sink = {take_ids, take_error, o};
    tsg_error_t err = {0};
    return tsg_session_run(s, stmts, NULL, 0, &sink, &err);
}

/* The sample folder with its organisations in reverse order: the same
 * network, but the import gives the organisations other nids. */
static char *reversed_sample(void)
{
    char *dir = th_tempdir();
    th_copy_dir(TSG_SAMPLE_SRC, dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/organisations.csv", dir);
    char *text = th_read(path), *lines[1024] = {0};
    char *out = calloc(1, strlen(text) + 16);
    size_t n = 0;
    for (char *p = strtok(text, "\n"); p && n < 1024; p = strtok(NULL, "\n")) lines[n++] = p;
    strcat(strcat(out, lines[0]), "\n");
    for (size_t i = n; i-- > 1;) strcat(strcat(out, lines[i]), "\n");
    th_write(path, out);
    free(out);
    free(text);
    return dir;
}

Test(sets, a_set_keeps_its_members_across_a_reimport_by_another_connection)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    tsg_error_t err = {0};
    ids_t o;
    cr_assert_eq(run(s, "LET s = FIND organisations WHERE sector = npo; FIND s;", &o), TSG_OK, "%s", o.error);
    char *before = sorted(o.text);
    cr_assert(strstr(before, "o-kita-kitanone\n"), "%s", before);

    /* Another connection imports the same network with the organisations
     * in another order: every npo organisation is still there, under
     * another nid. The oracle is the ids the set had. */
    char *rev = reversed_sample();
    tsg_db_t *other;
    cr_assert_eq(tsg_open(path, &other, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_import_csv(other, rev, TSG_ENC_AUTO, NULL, &err), TSG_OK, "%s", err.text);
    tsg_close(other);
    cr_assert_eq(run(s, "FIND s;", &o), TSG_OK, "%s", o.error);
    char *after = sorted(o.text);
    cr_expect_str_eq(after, before, "the set changed members across the re-import");
    free(after);

    /* This session renames a member: the set follows it (same node), and
     * the next change by another connection does not count it as lost. */
    cr_assert_eq(run(s, "SET organisation 'o-kita-komorebi' ID 'o-kita-komorebi2';", &o), TSG_OK, "%s", o.error);
    char *out = th_run(path, "ADD organisation 'よそのNPO' SECTOR npo;");
    free(out);
    cr_assert_eq(run(s, "FIND s;", &o), TSG_OK, "%s", o.error);
    cr_expect(strstr(o.text, "o-kita-komorebi2\n"), "%s", o.text);

    /* Another connection erases a member (ERASE deletes; REMOVE would end
     * it with its history, and the node would still be there): the set says it is stale, at
     * the set's name, rather than quietly meaning fewer (or other) nodes;
     * made again with LET, it is current. */
    out = th_run(path, "ERASE program 'p-kita-kitanone'; ERASE organisation 'o-kita-kitanone';");
    cr_assert(strstr(out, "erased organisation"), "%s", out);
    free(out);
    cr_expect_eq(run(s, "FIND s;", &o), TSG_EINPUT);
    cr_expect(strstr(o.error, "line 1, column 6: set 's' is stale: the database was changed by another program after "
                              "LET made it, and 1 of its members is no longer there (e.g. o-kita-kitanone)"),
              "%s", o.error);
    /* Every use of the set says so: COUNT and TIED TO as FIND. */
    cr_expect_eq(run(s, "COUNT s BY sector;", &o), TSG_EINPUT);
    cr_expect(strstr(o.error, "set 's' is stale"), "%s", o.error);
    cr_expect_eq(run(s, "FIND programs WHERE TIED TO s;", &o), TSG_EINPUT);
    cr_expect(strstr(o.error, "set 's' is stale"), "%s", o.error);
    cr_expect_eq(run(s, "LET s = FIND organisations WHERE sector = npo; FIND s;", &o), TSG_OK, "%s", o.error);
    cr_expect(!strstr(o.text, "o-kita-kitanone\n") && strstr(o.text, "o-kita-komorebi2\n"), "%s", o.text);

    free(before);
    free(rev);
    free(dir);
    tsg_session_close(s);
    tsg_close(db);
}

/* The names of the sets tsg_session_sets lists (the REPL's .sets), one a
 * line with its member count: "name members\n". */
static char *set_list(tsg_session_t *s)
{
    tsg_result_t *r = NULL;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_session_sets(s, &r, &err), TSG_OK, "%s", err.text);
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < r->nrows; i++)
        snprintf(out + strlen(out), 4096 - strlen(out), "%s %s\n", r->cells[i * r->ncols], r->cells[i * r->ncols + 2]);
    tsg_result_free(r);
    return out;
}

/* Under a scenario (.whatif) LET makes its set in the scenario's copy, and
 * FIND and COUNT find it there: .sets (tsg_session_sets) lists the
 * scenario's sets, the ones made before it (copied in) and under it, and
 * Tab offers the new one; after .whatif off the set made under it is gone
 * with the copy. WITHOUT NPO法人あさがおの会 takes one of the 7 npo
 * organisations of 東区 away (tests/cli/test_repl.c checks the same
 * FIND against a database changed by hand). */
Test(sets, sets_lists_the_scenario_s_sets)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    tsg_error_t err = {0};
    ids_t o;
    cr_assert_eq(run(s, "LET before = FIND organisations WHERE sector = npo IN '東区';", &o), TSG_OK, "%s", o.error);
    cr_assert_eq(tsg_session_scenario(s, "WITHOUT 'NPO法人あさがおの会'", &err), TSG_OK, "%s", err.text);
    cr_assert_eq(run(s, "LET under = FIND organisations WHERE sector = npo IN '東区';", &o), TSG_OK, "%s", o.error);
    char *list = set_list(s);
    /* .sets counts the members LET put in: 'before' keeps its 7 (the one
     * the scenario ends is still a member, as one REMOVEd is outside a
     * scenario; COUNT and FIND read the day's); 'under' was made on the
     * copy, where NPO法人あさがおの会 no longer exists: 6. Before this
     * change .sets read the main session's sets and listed no 'under'. */
    cr_expect_str_eq(list, "before 7\nunder 6\n", "the scenario's sets: %s", list);
    free(list);
    char **words = NULL;
    size_t n = 0;
    cr_assert_eq(tsg_session_complete_at(s, "REACH FROM ", "und", 0, &words, &n, &err), TSG_OK, "%s", err.text);
    int offered = 0;
    for (size_t i = 0; i < n; i++) {
        offered |= !strcmp(words[i], "under");
        free(words[i]);
    }
    free(words);
    cr_expect(offered, "Tab offers the set made under the scenario");
    cr_assert_eq(tsg_session_scenario(s, "off", &err), TSG_OK, "%s", err.text);
    list = set_list(s);
    cr_expect_str_eq(list, "before 7\n", "after .whatif off");
    free(list);
    free(dir);
    tsg_session_close(s);
    tsg_close(db);
}

/* The scenario's copy is the file as it was when the scenario began: a
 * commit by another connection (another program) since makes every
 * statement under it refused until it is begun again, and none before that
 * (the session's own reads do not move data_version). */
Test(sets, a_scenario_is_refused_after_another_connection_writes)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    tsg_error_t err = {0};
    ids_t o;
    cr_assert_eq(run(s, "FIND organisations WHERE id = 'o-higashi-joshi';", &o), TSG_OK, "%s", o.error);
    cr_assert_eq(tsg_session_scenario(s, "WITHOUT 'NPO法人あさがおの会'", &err), TSG_OK, "%s", err.text);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(run(s, "FIND organisations WHERE id = 'o-higashi-joshi';", &o), TSG_OK, "%s", o.error);
        cr_expect_str_eq(o.text, "", "the scenario's copy has no o-higashi-joshi");
    }
    char *out = th_run(path, "ADD organisation 'よそのNPO' SECTOR npo;");
    free(out);
    cr_expect_eq(run(s, "FIND organisations WHERE id = 'o-kita-kitanone';", &o), TSG_EINPUT);
    cr_expect(strstr(o.error, "the database was changed by another program since the scenario began"), "%s", o.error);
    cr_assert_eq(tsg_session_scenario(s, "WITHOUT 'NPO法人あさがおの会'", &err), TSG_OK, "%s", err.text);
    cr_expect_eq(run(s, "FIND organisations WHERE id = 'o-kita-kitanone';", &o), TSG_OK, "%s", o.error);
    cr_expect_str_eq(o.text, "o-kita-kitanone\n", "begun again, the scenario reads the file as it is");
    free(dir);
    tsg_session_close(s);
    tsg_close(db);
}

/* Every cell of every result, row by row (GAPS' whole answer). */
static tsg_status_t take_cells(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    ids_t *o = ctx;
    for (size_t i = 0; i < r->nrows; i++)
        for (size_t c = 0; c < r->ncols; c++)
            snprintf(o->text + strlen(o->text), sizeof o->text - strlen(o->text), "%s%s",
                     r->cells[i * r->ncols + c] ? r->cells[i * r->ncols + c] : "", c + 1 < r->ncols ? "|" : "\n");
    return TSG_OK;
}

static tsg_status_t run_cells(tsg_session_t *s, const char *stmts, ids_t *o)
{
    memset(o, 0, sizeof *o);
    tsg_sink_t sink = {take_cells, take_error, o};
    tsg_error_t err = {0};
    return tsg_session_run(s, stmts, NULL, 0, &sink, &err);
}

/* A session keeps the groups' usual needs (default_need) between
 * statements, and asks SQLite whether the file changed only when the WAL
 * index header moved (issue 23, h-warm). Another connection's commit, made
 * with plain SQL as another program would, must still reach the next GAPS.
 * The oracle is the same session's GAPS naming the new needs itself. */
Test(sets, gaps_takes_the_usual_needs_another_connection_just_changed)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    static ids_t before, want, after;
    const char *gaps = "GAPS FOR hikikomori AGED 15..39 IN '北区';";
    cr_assert_eq(run_cells(s, gaps, &before), TSG_OK, "%s", before.error);
    cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
    cr_expect_str_eq(after.text, before.text, "nothing changed, the answer did");
    cr_assert_eq(run_cells(s,
                           "GAPS FOR hikikomori AGED 15..39 IN '北区' "
                           "NEEDS consultation, employment, family, outreach, peer, place, legal;",
                           &want),
                 TSG_OK, "%s", want.error);
    /* No program offers legal help to this group there: the need shows. */
    cr_assert_str_neq(want.text, before.text);

    sqlite3 *other;
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "INSERT INTO default_need(target, pos, need) VALUES ('hikikomori', 99, 'legal')",
                              NULL, NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(other));
    sqlite3_close(other);
    cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
    cr_expect_str_eq(after.text, want.text, "the other connection's usual needs were not seen");

    /* A change back, after one of this session's own (a statement), is
     * seen as well: the header kept after the first change moved again. */
    cr_assert_eq(run_cells(s, "ADD organisation 'よその法律相談' SECTOR npo;", &after), TSG_OK, "%s", after.error);
    cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "DELETE FROM default_need WHERE target = 'hikikomori' AND need = 'legal'", NULL,
                              NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(other));
    sqlite3_close(other);
    cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
    cr_expect_str_eq(after.text, before.text, "the usual needs did not go back");

    tsg_session_close(s);
    tsg_close(db);
    free(dir);
}

/* Runs sql on a connection of its own, as another program would; the
 * status of the last statement. */
static int other_sql(const char *path, const char *sql)
{
    sqlite3 *other;
    if (sqlite3_open(path, &other) != SQLITE_OK) return -1;
    sqlite3_busy_timeout(other, 100);
    int rc = sqlite3_exec(other, sql, NULL, NULL, NULL);
    sqlite3_close(other);
    return rc;
}

/* The WAL index header shortcut (check_version, names.c) against the
 * changes another program may make around a commit: a checkpoint that
 * empties the WAL file (TRUNCATE) before and after the commit, so that the
 * next commit restarts the WAL from its first frame (new salts, mxFrame
 * back to a small number); a VACUUM; an attempt to take the file out of
 * WAL mode while this session has it open. SQLite's WAL index header
 * counts every commit (its change counter), so each must be seen: the
 * oracle is GAPS naming the needs itself, as in the test above. */
Test(sets, gaps_sees_commits_across_wal_restarts_and_vacuum)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *s;
    th_session(path, &db, &s);
    static ids_t before, want, after;
    const char *gaps = "GAPS FOR hikikomori AGED 15..39 IN '北区';";
    cr_assert_eq(run_cells(s, gaps, &before), TSG_OK, "%s", before.error);
    cr_assert_eq(run_cells(s,
                           "GAPS FOR hikikomori AGED 15..39 IN '北区' "
                           "NEEDS consultation, employment, family, outreach, peer, place, legal;",
                           &want),
                 TSG_OK, "%s", want.error);
    cr_assert_str_neq(want.text, before.text);
    const char *add = "INSERT INTO default_need(target, pos, need) VALUES ('hikikomori', 99, 'legal')";
    const char *drop = "DELETE FROM default_need WHERE target = 'hikikomori' AND need = 'legal'";
    for (int round = 0; round < 3; round++) {
        /* The header is kept by two statements in a row with no change. */
        cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
        cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
        cr_expect_str_eq(after.text, before.text, "round %d: before", round);
        cr_assert_eq(other_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
        cr_assert_eq(other_sql(path, add), SQLITE_OK);
        cr_assert_eq(other_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)"), SQLITE_OK);
        cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
        cr_expect_str_eq(after.text, want.text, "round %d: the commit before a truncating checkpoint", round);
        cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
        cr_assert_eq(other_sql(path, round == 1 ? "VACUUM" : "SELECT 1"), SQLITE_OK);
        cr_assert_eq(other_sql(path, drop), SQLITE_OK);
        if (round == 2) cr_assert_eq(other_sql(path, "VACUUM"), SQLITE_OK);
        cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
        cr_expect_str_eq(after.text, before.text, "round %d: the commit after a WAL restart", round);
    }
    /* Out of WAL mode: refused while this session has the file open (it
     * keeps a shared lock), so the shortcut's premise holds. */
    cr_expect_neq(other_sql(path, "PRAGMA journal_mode=DELETE; INSERT INTO default_need(target, pos, need) "
                                  "VALUES ('hikikomori', 98, 'legal')"),
                  SQLITE_OK, "the file left WAL mode under an open session");
    cr_assert_eq(run_cells(s, gaps, &after), TSG_OK, "%s", after.error);
    tsg_session_close(s);
    tsg_close(db);
    free(dir);
}

/* Two sessions opened on one tsg_db_t share its SQLite connection, and
 * data_version does not move for a connection's own commits: session a
 * kept the names it had loaded and refused the organisation session b had
 * just added ("unknown organisation or program"). The rule: a session sees
 * every commit made to its file since its last statement, whoever made it
 * (the same session, another program, or another session); the oracle is
 * b's own statement, which names the new organisation and its tie. */
Test(sets, a_session_sees_what_another_session_on_the_same_db_wrote)
{
    char path[4096], *dir = th_sample_city(path);
    tsg_db_t *db;
    tsg_session_t *a, *b;
    th_session(path, &db, &a);
    tsg_error_t err = {0};
    cr_assert_eq(tsg_session_open(db, &b, &err), TSG_OK, "%s", err.text);
    static ids_t o;
    cr_assert_eq(run(a, "REACH FROM 'o-city-health' WITHIN 1 HOPS;", &o), TSG_OK, "%s", o.error);
    cr_assert_eq(run(a, "REACH FROM 'o-city-health' WITHIN 1 HOPS;", &o), TSG_OK, "%s", o.error);
    cr_assert_eq(run(b, "ADD organisation 'よそのNPO' SECTOR npo; TIE 'よそのNPO' -> 'o-city-health' AS referral;", &o),
                 TSG_OK, "%s", o.error);
    cr_expect_eq(run(a, "REACH FROM 'よそのNPO' WITHIN 1 HOPS;", &o), TSG_OK, "%s", o.error);
    cr_expect(strstr(o.text, "o-city-health") != NULL, "%s", o.text);
    tsg_session_close(a);
    tsg_session_close(b);
    tsg_close(db);
    free(dir);
}
