/* Tab's values where the grammar takes a word (issue 19, item 8): after
 * COUNT … BY, ORDER BY, CLUSTER BY, GAPS' and THIN LINKS' BY, VIA, LABELS,
 * HIGHLIGHT, EXPORT's format, and inside RENDER's and EXPORT's TO '…'.
 *
 * The oracle is the evaluator itself, not a list: every word Tab offers is
 * run in its statement on the sample city and must be taken; for COUNT BY,
 * every field of the kind is tried as well and must be offered exactly
 * when COUNT takes it; and the evaluator's refusal of a wrong word must
 * name each word offered. So completion cannot offer a word the statement
 * refuses, nor (for COUNT BY) leave out one it takes. */
#include "helpers.h"
#include "query.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char db[4096];
static tsg_db_t *D;
static tsg_session_t *S;

static void setup(void)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0); /* EXPORT writes here */
    snprintf(db, sizeof db, "%s/city.db", dir);
    free(dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(db, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_open(db, &D, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(D, &S, &err), TSG_OK, "%s", err.text);
}

static void teardown(void)
{
    tsg_session_close(S);
    tsg_close(D);
}

TestSuite(complete, .init = setup, .fini = teardown, .timeout = 120);

/* The words offered, each followed by a blank: " a b c ". */
static char *offered(const char *before, const char *prefix, int quoted)
{
    char **w;
    size_t n;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_session_complete_at(S, before, prefix, quoted, &w, &n, &err), TSG_OK, "%s", err.text);
    size_t len = 2;
    for (size_t i = 0; i < n; i++) len += strlen(w[i]) + 1;
    char *out = malloc(len);
    strcpy(out, " ");
    for (size_t i = 0; i < n; i++) {
        strcat(out, w[i]);
        strcat(out, " ");
        free(w[i]);
    }
    free(w);
    return out;
}

static int has(const char *words, const char *w)
{
    char key[256];
    snprintf(key, sizeof key, " %s ", w);
    return strstr(words, key) != NULL;
}

static int count(const char *words)
{
    int n = 0;
    for (const char *p = words + 1; *p; p++) n += *p == ' ';
    return n;
}

/* Runs `fmt` with %s = w; whether the evaluator took it. */
static int takes(const char *fmt, const char *w, char **out)
{
    char stmt[1024];
    snprintf(stmt, sizeof stmt, fmt, w);
    char *o = th_run(db, stmt);
    int ok = strstr(o, "error:") == NULL;
    if (out) *out = o;
    else free(o);
    return ok;
}

/* Each word offered after `before` is taken by the statement `fmt`, the
 * offer is exactly `expect` (in any order), and the refusal of a wrong
 * word names every one. */
static void check(const char *before, const char *fmt, const char *const *expect, const char *wrong)
{
    char *w = offered(before, "", 0);
    int n = 0;
    for (; expect[n]; n++) cr_expect(has(w, expect[n]), "%s<Tab> does not offer %s:%s", before, expect[n], w);
    cr_expect_eq(count(w), n, "%s<Tab> offers%s", before, w);
    for (int i = 0; expect[i]; i++) {
        char *out;
        cr_expect(takes(fmt, expect[i], &out), "offered, but refused: %s\n%s", expect[i], out);
        free(out);
    }
    char *out;
    cr_expect(!takes(fmt, wrong, &out), "'%s' is taken", wrong);
    for (int i = 0; expect[i]; i++) cr_expect(strstr(out, expect[i]), "the refusal does not name %s: %s", expect[i], out);
    free(out);
    free(w);
}

Test(complete, count_by_offers_exactly_what_count_takes)
{
    static const char *const kinds[] = {"organisations", "programs", "forums", "ties", "districts"};
    /* Candidates: every field of every kind, and the groupings of other kinds. */
    static const char *const extra[] = {"school_district", "ward", "forum", "target", "need", "level", "kind", "sector"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char before[128], fmt[128];
        snprintf(before, sizeof before, "COUNT %s BY ", kinds[k]);
        snprintf(fmt, sizeof fmt, "COUNT %s BY %%s;", kinds[k]);
        char *w = offered(before, "", 0);
        cr_expect_gt(count(w), 0, "%s<Tab> offers nothing", before);
        for (size_t j = 0; j < sizeof kinds / sizeof kinds[0]; j++)
            for (size_t i = 0; qry_kind_field(kinds[j], i, NULL); i++) {
                const char *f = qry_kind_field(kinds[j], i, NULL);
                cr_expect_eq(has(w, f), takes(fmt, f, NULL), "COUNT %s BY %s: offered %d, taken %d", kinds[k], f,
                             has(w, f), !has(w, f));
            }
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
            cr_expect_eq(has(w, extra[i]), takes(fmt, extra[i], NULL), "COUNT %s BY %s: offered %d", kinds[k], extra[i],
                         has(w, extra[i]));
        free(w);
    }
}

Test(complete, the_analyses_clause_words)
{
    /* GAPS and COVERAGE group cells BY school_district or ward. */
    static const char *const level[] = {"school_district", "ward", NULL};
    check("GAPS FOR hikikomori AGED 18..39 IN '西区' BY ", "GAPS FOR hikikomori AGED 18..39 IN '西区' BY %s;", level,
          "sector");
    check("COVERAGE FOR hikikomori AGED 18..39 IN '西区' BY ", "COVERAGE FOR hikikomori AGED 18..39 IN '西区' BY %s;",
          level, "sector");
    static const char *const group[] = {"sector", "ward", "community", NULL};
    check("THIN LINKS BY ", "THIN LINKS BY %s;", group, "level");
    static const char *const of[] = {"organisations", "programs", NULL};
    check("CENTRALITY degree OF ", "CENTRALITY degree OF %s TOP 1;", of, "forums");
    static const char *const via[] = {"referral", "any", NULL};
    check("REACH FROM '北区社会福祉協議会' VIA ", "REACH FROM '北区社会福祉協議会' VIA %s;", via, "co_support");
    static const char *const cluster[] = {"sector", "ward", "community", "forum", NULL};
    check("RENDER OF '北区' CLUSTER BY ", "EXPORT DOT OF '北区' TO 'c.dot' CLUSTER BY %s;", cluster, "level");
    static const char *const labels[] = {"ja", "en", NULL};
    check("EXPORT DOT OF '北区' LABELS ", "EXPORT DOT OF '北区' TO 'l.dot' LABELS %s;", labels, "fr");
    static const char *const formats[] = {"DOT", "GRAPHML", "JSON", NULL};
    check("EXPORT ", "EXPORT %s OF '北区' TO 'f.out';", formats, "SVG");
    static const char *const marks[] = {"BROKERS", "THIN", NULL};
    char *w = offered("EXPORT DOT OF '北区' HIGHLIGHT ", "", 0);
    cr_expect(has(w, "GAPS") && has(w, "BROKERS") && has(w, "THIN"), "HIGHLIGHT<Tab> offers%s", w);
    free(w);
    for (int i = 0; marks[i]; i++) {
        char *out;
        cr_expect(takes(strcmp(marks[i], "THIN") ? "EXPORT DOT OF '北区' TO 'h.dot' HIGHLIGHT %s;"
                                                 : "EXPORT DOT OF '北区' TO 'h.dot' HIGHLIGHT %s LINKS;",
                        marks[i], &out),
                  "%s", out);
        free(out);
    }
    /* A measure after CENTRALITY, not the target bereaved. */
    w = offered("CENTRALITY ", "be", 0);
    cr_expect_str_eq(w, " betweenness ");
    free(w);
}

/* TO '…' of RENDER: the name typed so far with each picture type RENDER
 * takes; of EXPORT: with its format's extension. The refusal of another
 * extension names the same three. */
Test(complete, file_names_after_to)
{
    char *w = offered("RENDER OF '北区' TO ", "kita", 1);
    cr_expect_str_eq(w, " kita.svg kita.png kita.pdf ");
    free(w);
    w = offered("RENDER OF '北区' TO ", "kita.p", 1);
    cr_expect_str_eq(w, " kita.png kita.pdf ");
    free(w);
    char *out;
    cr_expect(!takes("RENDER OF '北区' TO '%s';", "kita.gif", &out));
    cr_expect(strstr(out, ".svg, .png or .pdf"), "%s", out);
    free(out);
    w = offered("EXPORT GRAPHML OF '北区' TO ", "kita", 1);
    cr_expect_str_eq(w, " kita.graphml ");
    free(w);
    /* REPORT writes HTML, and its words are GAPS and CHANGES; not a node's name. */
    w = offered("REPORT GAPS FOR hikikomori AGED 18..39 IN '西区' TO ", "nishi", 1);
    cr_expect_str_eq(w, " nishi.html ");
    free(w);
    w = offered("REPORT ", "", 0);
    cr_expect_str_eq(w, " GAPS CHANGES ");
    free(w);
    cr_expect(takes("REPORT %s FOR hikikomori AGED 18..39 IN '西区' NEEDS place TO 'r.html';", "GAPS", &out), "%s", out);
    free(out);
    /* A district's name is still offered where a node is: PATH … TO '…'. */
    w = offered("PATH FROM '北区社会福祉協議会' TO ", "北区社会福", 1);
    cr_expect(has(w, "北区社会福祉協議会"), "%s", w);
    free(w);
}

/* ORDER BY: the columns of the statement's own table, each of which
 * ORDER BY takes; after a comma, the next key. An ADD is never run for
 * its columns: it would add the program. */
Test(complete, order_by_offers_the_columns_of_the_table)
{
    static const char *const find[] = {"id", "name", "organisation", "targets", "ages", "needs", "modes", "area",
                                       "verified", NULL};
    check("FIND programs WHERE need = place ORDER BY ", "FIND programs WHERE need = place ORDER BY %s;", find, "target");
    static const char *const gaps[] = {"kind", "district_id", "district", "need", "age_from", "age_to", "program", "why",
                                       NULL};
    check("GAPS FOR hikikomori AGED 18..39 IN '東区' ORDER BY kind DESC, ",
          "GAPS FOR hikikomori AGED 18..39 IN '東区' ORDER BY kind DESC, %s;", gaps, "ward");
    char *w = offered("ADD program 'x' OF '北区社会福祉協議会' FOR hikikomori ORDER BY ", "", 0);
    cr_expect_str_eq(w, " ");
    free(w);
    char *out = th_run(db, "FIND programs WHERE id = 'x';");
    cr_expect(!strstr(out, "|"), "the ADD was run: %s", out);
    free(out);
}


/* COMPARE (issue 21): its sides are dates, the days this database changed
 * on (the sample's last is 2024-12, ties.csv), and for the later side only
 * those after the first, and today (TSUNAGI_TODAY, 2026-12-02); a day
 * planted by a TIE … SINCE joins them. WITH names a .db file of the folder
 * typed. Then the clauses COMPARE takes, and ORDER BY's columns, each of
 * which COMPARE's ORDER BY takes. RENDER and REPORT CHANGES take the same
 * sides, and RENDER's last TO is still a picture's file. */
Test(complete, compare_sides_clauses_and_columns)
{
    char *w = offered("COMPARE ", "", 0);
    cr_expect_str_eq(w, " WITH ");
    free(w);
    w = offered("COMPARE ", "", 1);
    cr_expect(has(w, "2017-04-01") && has(w, "2024-12"), "ties' since dates are not offered:%s", w);
    cr_expect(!has(w, "2026-12-02"), "today is not a first side's date:%s", w);
    cr_expect(!has(w, "北区"), "a node's name is offered for a date:%s", w);
    free(w);
    w = offered("COMPARE '2025-04-01' ", "", 0);
    cr_expect_str_eq(w, " TO ");
    free(w);
    w = offered("COMPARE '2025-04-01' TO ", "", 1);
    cr_expect_str_eq(w, " 2026-12-02 ");
    free(w);
    char *out = th_run(db, "TIE 'o-minami-kodomo' -> 'o-minami-shakyo' AS co_support SINCE '2026-04-01';");
    free(out);
    w = offered("COMPARE '2025-04-01' TO ", "", 1);
    cr_expect_str_eq(w, " 2026-04-01 2026-12-02 ");
    free(w);
    w = offered("COMPARE ", "2026", 1);
    cr_expect_str_eq(w, " 2026-04-01 ");
    free(w);
    /* The day offered is the one the tie was gained on. */
    out = th_run(db, "COMPARE '2025-04-01' TO '2026-04-01';");
    cr_expect(strstr(out, "gained|co_support|o-minami-kodomo|"), "%s", out);
    free(out);

    /* WITH '…': the .db files of the folder (the test's folder holds
     * city.db), with the folder typed kept in front. */
    FILE *f = fopen("notes.txt", "w");
    cr_assert(f);
    fclose(f);
    cr_assert_eq(mkdir("years", 0700), 0);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("years/2025.db", TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    w = offered("COMPARE WITH ", "", 1);
    cr_expect_str_eq(w, " city.db ");
    free(w);
    w = offered("COMPARE WITH ", "years/", 1);
    cr_expect_str_eq(w, " years/2025.db ");
    free(w);
    w = offered("REPORT CHANGES WITH ", "years/2", 1);
    cr_expect_str_eq(w, " years/2025.db ");
    free(w);

    /* The clauses, whichever the sides. */
    w = offered("COMPARE '2025-04-01' TO '2026-04-01' ", "", 0);
    cr_expect_str_eq(w, " IN FOR AGED NEEDS ORDER LIMIT ");
    free(w);
    w = offered("COMPARE WITH 'years/2025.db' IN '北区' ", "", 0);
    cr_expect_str_eq(w, " IN FOR AGED NEEDS ORDER LIMIT ");
    free(w);
    static const char *const cols[] = {"change", "type", "id", "name", "sector", "before", "kind", "from_id",
                                       "from", "to_id", "to", "then", "now", "gained", "lost", "kept",
                                       "other_sector", "measure", "degree_then", "degree_now", "brokerage_then",
                                       "brokerage_now", NULL};
    check("COMPARE '2025-04-01' TO '2026-04-01' IN '南区' ORDER BY ",
          "COMPARE '2025-04-01' TO '2026-04-01' IN '南区' ORDER BY %s;", cols, "ward");

    /* RENDER CHANGES: its first TO is the later date, its last the picture. */
    w = offered("RENDER CHANGES '2025-04-01' TO ", "", 1);
    cr_expect_str_eq(w, " 2026-04-01 2026-12-02 ");
    free(w);
    w = offered("RENDER CHANGES '2025-04-01' TO '2026-04-01' IN '南区' TO ", "minami", 1);
    cr_expect_str_eq(w, " minami.svg minami.png minami.pdf ");
    free(w);
    w = offered("RENDER ", "CH", 0);
    cr_expect_str_eq(w, " CHANGES ");
    free(w);
}
