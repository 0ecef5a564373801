/* common — what the fuzz targets share; see fuzz.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fuzz.h"

#include <dirent.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char workdir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_workdir(void) { nftw(workdir, remove_one, 16, FTW_DEPTH | FTW_PHYS); }

const char *fuzz_workdir(void)
{
    if (!workdir[0]) {
        strcpy(workdir, "/tmp/tsunagi-fuzz-XXXXXX");
        if (!mkdtemp(workdir)) fuzz_broken(__FILE__, __LINE__, "cannot make a folder under /tmp");
        atexit(remove_workdir);
    }
    return workdir;
}

void fuzz_broken(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n%s:%d: broken promise: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, ".."))) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static int good_name(const char *z, size_t n)
{
    if (n == 0 || n > 100 || (n <= 2 && z[0] == '.')) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = z[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return 0;
    }
    return 1;
}

int fuzz_write_files(const uint8_t *data, size_t size, const char *dir)
{
    mkdir(dir, 0700);
    clear_dir(dir);
    const char *p = (const char *)data, *end = p + size;
    FILE *out = NULL;
    int files = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl + 1 : end;
        if (eol - p >= 4 && !memcmp(p, "=== ", 4)) {
            const char *name = p + 4;
            size_t n = (size_t)((nl ? nl : end) - name);
            if (out) fclose(out);
            out = NULL;
            if (good_name(name, n)) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%.*s", dir, (int)n, name);
                if ((out = fopen(path, "wb"))) files++;
            }
        } else if (out) {
            fwrite(p, 1, (size_t)(eol - p), out);
        }
        p = eol;
    }
    if (out) fclose(out);
    return files;
}

void fuzz_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    FUZZ_CHECK(in && out, "cannot copy %s to %s", from, to);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) FUZZ_CHECK(fwrite(buf, 1, n, out) == n, "cannot write %s", to);
    fclose(in);
    fclose(out);
}
