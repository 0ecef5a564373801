/*
 * helpers — shared by the Criterion tests: temporary folders, file edits,
 * and a dump of a database's whole content, so a test can assert that a
 * failed import left it exactly as it was. Everything returned is malloc'd
 * and owned by the caller; failures abort the test through cr_assert.
 */
#ifndef TSG_TEST_HELPERS_H
#define TSG_TEST_HELPERS_H

#include "tsunagi.h"

/* A new empty folder under /tmp; the test process may chdir into it. */
char *th_tempdir(void);
/* Copies every regular file of src into dst (which exists). */
void th_copy_dir(const char *src, const char *dst);
char *th_read(const char *path);
void th_write(const char *path, const char *text);
/* Replaces line `n` (1-based) of a file, keeping its other lines. */
void th_replace_line(const char *path, int n, const char *text);
/* Rewrites a UTF-8 file in CP932, as Japanese Excel saves CSV. */
void th_to_cp932(const char *path);
/* Every row of every table, in order, with the schema and user_version. */
char *th_dump(const char *dbpath);
/* Runs statements (keep going) on the database at dbpath; returns every
 * result row as "cell|cell|…\n" and every error as "error: …\n". */
char *th_run(const char *dbpath, const char *stmts);
/* Runs SQL on the database at path as another program would (not through
 * tsunagi), failing the test on an error. */
void th_sql(const char *path, const char *text);
/* Copies the database at `from` to the new file `to` through SQLite's
 * backup, whatever its log holds. */
void th_copy_db(const char *from, const char *to);
/* Imports dir into db at path; returns the status and fills err. */
tsg_status_t th_import(const char *db, const char *dir, tsg_encoding_t enc, tsg_error_t *err);
/* A small network imported into net.db in a fresh temp dir (the working
 * directory from then on): the municipality d (and its ward e when
 * with_ward), organisations a (npo), b (shakyo) and c (company), a program
 * each for a and b, a forum f with a and b as members, a — b co_support
 * and b → c referral (count 3, since 2020). */
void th_small_network(int with_ward);

/* The sample data imported into city.db in a fresh temp dir (returned);
 * path gets the database's file. */
char *th_sample_city(char path[4096]);
/* Opens the database at path and a session on it. */
void th_session(const char *path, tsg_db_t **db, tsg_session_t **s);

#endif
