/* The REPL's .help STATEMENT (issue 19, item 11) prints a syntax line and
 * an example from query/clauses.c's statement table. An example that does
 * not run would teach a planner an error, so each one is run here, on the
 * sample city, in order (ADD before SET, REMOVE, TIE, UNTIE of its node);
 * and every statement keyword of the grammar has its entry. */
#include "helpers.h"
#include "parser.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(help, every_statement_has_a_syntax_and_an_example_that_runs)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0); /* EXPORT, RENDER and REPORT write here */
    char db[4096];
    snprintf(db, sizeof db, "%s/city.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(db, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    static const char *const statements[] = {"FIND", "COUNT", "SHOW", "LET", "GAPS", "COVERAGE", "PATH", "REACH",
                                             "HORIZONTAL", "BROKERS", "CENTRALITY", "THIN", "EXPORT", "RENDER",
                                             "REPORT", "WHAT", "CRITICAL", "SUGGEST", "COMPARE", "ADD", "SET", "TIE", "UNTIE", "REMOVE"};
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        const char *example = NULL, *syntax = tsg_statement_help(statements[i], &example);
        cr_assert_not_null(syntax, "no .help for %s", statements[i]);
        cr_expect_eq(strncmp(syntax, statements[i], strlen(statements[i])), 0, "%s", syntax);
        cr_expect_eq(strncmp(example, statements[i], strlen(statements[i])), 0, "%s", example);
        char *out = th_run(db, example);
        cr_expect_null(strstr(out, "error:"), "%s\n%s", example, out);
        free(out);
    }
    /* Case as typed does not matter; a word that begins no statement has none. */
    cr_expect_not_null(tsg_statement_help("gaps", NULL));
    cr_expect_null(tsg_statement_help("WHERE", NULL));
    cr_expect_null(tsg_statement_help("betweenness", NULL));
    free(dir);
}
