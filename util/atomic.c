/* atomic — see atomic.h. */
#include "atomic.h"
#include "util.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int util_guard_add(util_guard_t *g, const char *path, const char *what)
{
    if (g->n >= UTIL_GUARD_MAX) return -1;
    if (!(g->path[g->n] = util_strdup(path))) return -1;
    g->what[g->n++] = what;
    return 0;
}

void util_guard_free(util_guard_t *g)
{
    for (size_t i = 0; i < g->n; i++) free(g->path[i]);
    g->n = 0;
}

/* The folder part of path ("." for a bare name) and where its last name starts. */
static char *folder_of(const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    if (name) *name = slash ? slash + 1 : path;
    if (!slash) return util_strdup(".");
    if (slash == path) return util_strdup("/");
    return util_strndup(path, (size_t)(slash - path));
}

int util_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea || eb) return 0;
    /* Neither exists yet (a -wal between checkpoints, a workbook not yet
     * written): the same name in the same folder. */
    const char *na, *nb;
    char *fa = folder_of(a, &na), *fb = folder_of(b, &nb);
    int same = fa && fb && !strcmp(na, nb) && stat(fa, &sa) == 0 && stat(fb, &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
    free(fa);
    free(fb);
    return same;
}

tsg_status_t util_guard_check(const util_guard_t *g, const char *path, tsg_error_t *err)
{
    for (size_t i = 0; g && i < g->n; i++)
        if (util_same_file(path, g->path[i]))
            return strcmp(path, g->path[i])
                       ? util_fail(err, TSG_EINPUT, _("%s is %s (%s): tsunagi does not write over it; choose another file"),
                                   path, _(g->what[i]), g->path[i])
                       : util_fail(err, TSG_EINPUT, _("%s is %s: tsunagi does not write over it; choose another file"), path,
                                   _(g->what[i]));
    return TSG_OK;
}

/* What an existing target may be: a regular file, not a link, folder,
 * device or FIFO. */
static tsg_status_t target_kind(const char *path, const struct stat *st, tsg_error_t *err)
{
    if (S_ISLNK(st->st_mode))
        return util_fail(err, TSG_EINPUT, _("%s is a symbolic link: tsunagi does not write through links; "
                                          "name the file it points to"), path);
    if (S_ISDIR(st->st_mode)) return util_fail(err, TSG_EINPUT, _("%s is a folder, not a file"), path);
    if (!S_ISREG(st->st_mode))
        return util_fail(err, TSG_EINPUT, _("%s is not a regular file: tsunagi writes only regular files"), path);
    /* A report, picture or table is never written over a database: not the
     * one in use (the guard), nor one a statement compares with, nor any
     * other a mistyped name points at. */
    char head[16];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);
    if (fd >= 0) close(fd);
    if (n == (ssize_t)sizeof head && !memcmp(head, "SQLite format 3", sizeof head))
        return util_fail(err, TSG_EINPUT, _("%s is a database: tsunagi does not write over one; choose another file name"),
                         path);
    return TSG_OK;
}

tsg_status_t util_target_check(const util_guard_t *g, const char *path, tsg_error_t *err)
{
    tsg_status_t s = util_guard_check(g, path, err);
    struct stat st;
    if (!s && lstat(path, &st) == 0) s = target_kind(path, &st, err);
    return s;
}

/* Makes a 0700 folder `.tsunagi-XXXXXX` inside `folder`; errors name `target`. */
static char *make_private(const char *folder, const char *target, tsg_error_t *err)
{
    char *dir = util_printf("%s/.tsunagi-XXXXXX", folder);
    if (!dir) {
        util_fail(err, TSG_ENOMEM, _("out of memory"));
        return NULL;
    }
    if (!mkdtemp(dir)) {
        util_fail(err, TSG_EIO, _("%s: cannot write: %s"), target, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

char *util_private_dir(tsg_error_t *err)
{
    const char *tmp = getenv("TMPDIR");
    const char *folder = tmp && *tmp == '/' ? tmp : "/tmp";
    return make_private(folder, folder, err);
}

void util_private_dir_remove(char *dir)
{
    if (!dir) return;
    /* Only this process can create names in a 0700 folder it made; the
     * folder is opened without following a link in its place all the same. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlinkat(fd, e->d_name, 0);
        closedir(d);
    } else if (fd >= 0) {
        close(fd);
    }
    rmdir(dir);
    free(dir);
}

tsg_status_t util_atomic_begin(util_atomic_t *a, const char *path, const util_guard_t *g, tsg_error_t *err)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    tsg_status_t s = util_guard_check(g, path, err);
    if (s) return s;
    const char *name;
    char *folder = folder_of(path, &name);
    if (!folder) return util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
        free(folder);
        return util_fail(err, TSG_EINPUT, _("%s: not a file name"), path);
    }
    if (lstat(path, &a->old) == 0) {
        s = target_kind(path, &a->old, err);
        a->had = 1;
    } else if (errno != ENOENT) {
        s = util_fail(err, TSG_EIO, _("%s: cannot write: %s"), path, strerror(errno));
    }
    if (!s && !(a->path = util_strdup(path))) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s && !(a->dir = make_private(folder, path, err))) s = err ? err->code : TSG_EIO;
    if (!s && !(a->tmp = util_printf("%s/partial", a->dir))) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s && (a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
        s = util_fail(err, TSG_EIO, _("%s: cannot write: %s"), path, strerror(errno));
    if (!s && a->had) {
        /* The owner first: a change of owner may clear the mode's set-id bits.
         * A file not ours to give away keeps our ownership, and its mode. */
        if (fchown(a->fd, a->old.st_uid, a->old.st_gid) != 0) errno = 0;
        if (fchmod(a->fd, a->old.st_mode & 07777) != 0)
            s = util_fail(err, TSG_EIO, _("%s: cannot keep its permissions: %s"), path, strerror(errno));
    }
    free(folder);
    if (s) util_atomic_abort(a);
    return s;
}

char *util_atomic_scratch(const util_atomic_t *a, const char *name)
{
    return util_printf("%s/%s", a->dir, name);
}

tsg_status_t util_atomic_write(util_atomic_t *a, const void *data, size_t len, tsg_error_t *err)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(a->fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return util_fail(err, TSG_EIO, _("%s: cannot write: %s"), a->path, n < 0 ? strerror(errno) : _("no space"));
        p += n;
        len -= (size_t)n;
    }
    return TSG_OK;
}

tsg_status_t util_atomic_commit(util_atomic_t *a, tsg_error_t *err)
{
    if (!a->tmp) return util_fail(err, TSG_EIO, _("%s: nothing was written"), a->path ? a->path : _("file"));
    int fd = a->fd >= 0 ? a->fd : open(a->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    a->fd = -1;
    int bad = fd < 0 || fsync(fd) != 0;
    int saved = errno;
    if (fd >= 0 && close(fd) != 0 && !bad) bad = 1, saved = errno;
    /* A link planted at the name since begin is replaced by the rename, not
     * written through; still, say so rather than replace it silently. */
    struct stat now;
    if (!bad && lstat(a->path, &now) == 0 && S_ISLNK(now.st_mode)) {
        util_fail(err, TSG_EINPUT, _("%s became a symbolic link while it was written; nothing was written"), a->path);
        util_atomic_abort(a);
        return TSG_EINPUT;
    }
    if (!bad && rename(a->tmp, a->path) != 0) bad = 1, saved = errno;
    tsg_status_t s = bad ? util_fail(err, TSG_EIO, _("%s: cannot write: %s"), a->path, strerror(saved)) : TSG_OK;
    util_atomic_abort(a);
    return s;
}

void util_atomic_abort(util_atomic_t *a)
{
    if (a->fd >= 0) close(a->fd);
    a->fd = -1;
    util_private_dir_remove(a->dir);
    a->dir = NULL;
    free(a->tmp);
    free(a->path);
    a->tmp = a->path = NULL;
}
