/* helpers — see helpers.h. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <iconv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *th_tempdir(void)
{
    char *t = strdup("/tmp/tsunagi-test-XXXXXX");
    cr_assert_not_null(mkdtemp(t));
    return t;
}

char *th_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

void th_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

void th_copy_dir(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    cr_assert_not_null(d, "cannot open %s", src);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/%s", src, e->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
        char *text = th_read(a);
        th_write(b, text);
        free(text);
    }
    closedir(d);
}

void th_replace_line(const char *path, int n, const char *text)
{
    char *old = th_read(path);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int line = 1;
    for (const char *p = old; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t k = nl ? (size_t)(nl - p) : strlen(p);
        if (line == n) fputs(text, f);
        else fwrite(p, 1, k, f);
        if (nl) fputc('\n', f);
        p += k + (nl != NULL);
    }
    fclose(f);
    cr_assert_geq(line, n + 1, "%s has no line %d", path, n);
    th_write(path, out);
    free(old);
    free(out);
}

void th_to_cp932(const char *path)
{
    char *in = th_read(path);
    size_t il = strlen(in), ol = il * 2 + 1;
    char *out = calloc(1, ol), *ip = in, *op = out;
    iconv_t cd = iconv_open("CP932", "UTF-8");
    cr_assert_neq(cd, (iconv_t)-1);
    cr_assert_neq(iconv(cd, &ip, &il, &op, &ol), (size_t)-1, "%s has characters CP932 lacks", path);
    iconv_close(cd);
    *op = '\0';
    th_write(path, out);
    free(in);
    free(out);
}

static int dump_row(void *ctx, int n, char **vals, char **cols)
{
    (void)cols;
    FILE *f = ctx;
    for (int i = 0; i < n; i++) fprintf(f, "%s%s", i ? "|" : "", vals[i] ? vals[i] : "NULL");
    fputc('\n', f);
    return 0;
}

char *th_dump(const char *dbpath)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sqlite3_exec(db, "PRAGMA user_version", dump_row, f, NULL);
    sqlite3_exec(db, "SELECT type, name, sql FROM sqlite_schema ORDER BY name", dump_row, f, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *q = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", (const char *)sqlite3_column_text(st, 0));
        fprintf(f, "== %s\n", sqlite3_column_text(st, 0));
        /* WITHOUT ROWID tables do not exist here; every table has a rowid. */
        cr_assert_eq(sqlite3_exec(db, q, dump_row, f, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_free(q);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    fclose(f);
    return text;
}

tsg_status_t th_import(const char *dbpath, const char *dir, tsg_encoding_t enc, tsg_error_t *err)
{
    tsg_db_t *db;
    tsg_status_t s = tsg_create(dbpath, &db, err);
    if (s) return s;
    s = tsg_import_csv(db, dir, enc, NULL, err);
    tsg_close(db);
    return s;
}

static tsg_status_t collect(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    FILE *f = ctx;
    for (size_t i = 0; i < r->nrows; i++) {
        for (size_t c = 0; c < r->ncols; c++)
            fprintf(f, "%s%s", c ? "|" : "", r->cells[i * r->ncols + c] ? r->cells[i * r->ncols + c] : "");
        fputc('\n', f);
    }
    return TSG_OK;
}

static void collect_error(void *ctx, const tsg_error_t *e) { fprintf(ctx, "error: %s\n", e->text); }

char *th_run(const char *dbpath, const char *stmts)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(dbpath, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    tsg_sink_t sink = {collect, collect_error, f};
    tsg_session_run(s, stmts, NULL, 1, &sink, &err);
    tsg_session_close(s);
    tsg_close(db);
    fclose(f);
    return out;
}

void th_small_network(int with_ward)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("net", 0777), 0);
    th_write("net/districts.csv", with_ward ? "id,name,level,parent_id\nd,市,municipality,\ne,区,ward,d\n"
                                            : "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("net/organisations.csv", "id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\nc,C,company,d\n");
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n"
                                 "pa,PA,a,everyone,,,consultation,counter,,d,,\npb,PB,b,everyone,,,consultation,counter,,d,,\n");
    th_write("net/forums.csv", "id,name,kind,district_id\nf,F,platform,d\n");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,,\nb,c,referral,3,2020\n"
                             "a,f,membership,,\nb,f,membership,,\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
}

char *th_sample_city(char path[4096])
{
    char *dir = th_tempdir();
    snprintf(path, 4096, "%s/city.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    return dir;
}

void th_session(const char *path, tsg_db_t **db, tsg_session_t **s)
{
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(*db, s, &err), TSG_OK, "%s", err.text);
}

void th_sql(const char *path, const char *text)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, text, NULL, NULL, &msg), SQLITE_OK, "%s: %s", text, msg ? msg : "");
    sqlite3_close(db);
}

void th_copy_db(const char *from, const char *to)
{
    sqlite3 *a, *b;
    cr_assert_eq(sqlite3_open(from, &a), SQLITE_OK);
    cr_assert_eq(sqlite3_open(to, &b), SQLITE_OK);
    sqlite3_backup *k = sqlite3_backup_init(b, "main", a, "main");
    cr_assert(k);
    cr_assert_eq(sqlite3_backup_step(k, -1), SQLITE_DONE);
    sqlite3_backup_finish(k);
    sqlite3_close(b);
    sqlite3_close(a);
}
