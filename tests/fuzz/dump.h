/* dump — every row of every table of a database as one text, so a fuzz
 * target can tell that a failed import left it exactly as it was. */
#ifndef TSG_FUZZ_DUMP_H
#define TSG_FUZZ_DUMP_H
#include <sqlite3.h>

/* malloc'd; the schema and user_version included. */
char *fuzz_dump(sqlite3 *db);

/* Files of folder a and b are the same, byte for byte (names and content). */
int fuzz_same_dirs(const char *a, const char *b);

#endif
