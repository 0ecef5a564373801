/* dump — see dump.h. */
#include "dump.h"
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_rows(sqlite3 *db, const char *sql, FILE *out)
{
    sqlite3_stmt *st;
    FUZZ_CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *v = sqlite3_column_text(st, c);
            fprintf(out, "%s%s", c ? "|" : "", v ? (const char *)v : "NULL");
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
}

char *fuzz_dump(sqlite3 *db)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    add_rows(db, "PRAGMA user_version", out);
    add_rows(db, "SELECT type, name, sql FROM sqlite_schema ORDER BY name", out);
    sqlite3_stmt *st;
    FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", -1, &st,
                                  NULL) == SQLITE_OK,
               "tables");
    while (sqlite3_step(st) == SQLITE_ROW) {
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", (const char *)sqlite3_column_text(st, 0));
        fprintf(out, "-- %s\n", sqlite3_column_text(st, 0));
        add_rows(db, sql, out);
    }
    sqlite3_finalize(st);
    fclose(out);
    return text;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = NULL;
    size_t cap = 0;
    FILE *out = open_memstream(&text, &cap);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, out);
    fclose(f);
    fclose(out);
    *len = cap;
    return text;
}

int fuzz_same_dirs(const char *a, const char *b)
{
    DIR *d = opendir(a);
    if (!d) return 0;
    int same = 1, files = 0;
    struct dirent *e;
    while (same && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        size_t la = 0, lb = 0;
        char *ta = slurp(pa, &la), *tb = slurp(pb, &lb);
        same = ta && tb && la == lb && !memcmp(ta, tb, la);
        if (!same) fprintf(stderr, "%s and %s differ\n", pa, pb);
        free(ta);
        free(tb);
        files++;
    }
    closedir(d);
    /* and b has no file a lacks */
    d = opendir(b);
    while (same && d && (e = readdir(d))) files -= e->d_name[0] != '.';
    if (d) closedir(d);
    return same && files == 0;
}
