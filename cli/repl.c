/* repl — the interactive REPL lands in the next commit; until then statements
 * come from -c, -f or standard input. */
#include "cli.h"
#include <stdio.h>

int cli_repl(tsg_session_t *s, tsg_db_t *db, cli_out_t *out)
{
    (void)s;
    (void)db;
    (void)out;
    fprintf(stderr, "tsunagi: give statements with -c, -f or on standard input\n");
    return 2;
}
