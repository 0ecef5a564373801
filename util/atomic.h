/*
 * atomic — files written whole or not at all, never over a file in use, and
 * never through a name another user could have planted.
 *
 * A writer opens a util_atomic_t on the final name. The bytes go to a file
 * in a private folder made beside the target with mkdtemp (".tsunagi-XXXXXX",
 * mode 0700: no other user can plant or swap anything in it), created
 * O_CREAT|O_EXCL|O_NOFOLLOW; util_atomic_commit renames it into place (the
 * same filesystem, so the rename is atomic) and removes the folder.
 * util_atomic_abort, or a failed commit, removes the folder and everything
 * in it, so an earlier file of that name stays as it was. The new file keeps
 * the permissions (and, where the system allows, the owner) of the one it
 * replaces.
 *
 * A target that is a symbolic link is refused: tsunagi neither writes
 * through a link nor replaces it (name the file it points to). A folder, a
 * device or any other file that is not a regular file is refused too. So is
 * a target a guard lists (the database in use, its -wal/-shm/-journal, the
 * workbook being collected), compared as files — device and inode when the
 * file exists, else folder (device and inode) and name — so no spelling,
 * hard link or link in the path gets around it.
 *
 * A util_atomic_t owns its strings and its descriptor until commit or abort,
 * whichever comes first; both may be called once more without harm. A
 * util_guard_t owns copies of its paths; util_guard_free releases them.
 */
#ifndef TSG_ATOMIC_H
#define TSG_ATOMIC_H

#include "tsunagi.h"
#include <stddef.h>
#include <sys/stat.h>

#define UTIL_GUARD_MAX 16

typedef struct util_guard {
    size_t n;
    char *path[UTIL_GUARD_MAX];
    const char *what[UTIL_GUARD_MAX]; /* static text: "the database in use" */
} util_guard_t;

/* Adds a copy of path; 0, or -1 when out of memory or full. */
int util_guard_add(util_guard_t *g, const char *path, const char *what);
void util_guard_free(util_guard_t *g);

/* 1 when a and b name the same file (see above), else 0. */
int util_same_file(const char *a, const char *b);

/* TSG_EINPUT, naming the file and what it is, when path is one the guard
 * lists; TSG_OK otherwise (and for a NULL guard). */
tsg_status_t util_guard_check(const util_guard_t *g, const char *path, tsg_error_t *err);

/* util_guard_check, and an existing path must be a regular file (not a
 * link, folder, device or FIFO), as util_atomic_begin requires: a writer of
 * several files checks them all with it before writing the first. */
tsg_status_t util_target_check(const util_guard_t *g, const char *path, tsg_error_t *err);

typedef struct util_atomic {
    char *path;    /* the final name */
    char *dir;     /* the private folder beside it */
    char *tmp;     /* dir/partial: what the writer fills */
    int fd;        /* open on tmp; a writer that hands tmp to another program closes it and sets -1 */
    int had;       /* the target existed: old holds its mode and owner */
    struct stat old;
} util_atomic_t;

/* Checks the target (guard, link, kind) and makes the private folder and
 * the empty temporary file. On failure nothing is left behind and a needs
 * no abort. */
tsg_status_t util_atomic_begin(util_atomic_t *a, const char *path, const util_guard_t *g, tsg_error_t *err);

/* A scratch path dir/name in the private folder (removed with it); NULL
 * when out of memory. The caller frees the string. */
char *util_atomic_scratch(const util_atomic_t *a, const char *name);

tsg_status_t util_atomic_write(util_atomic_t *a, const void *data, size_t len, tsg_error_t *err);

/* Flushes the temporary file to disk and renames it over the target. */
tsg_status_t util_atomic_commit(util_atomic_t *a, tsg_error_t *err);
void util_atomic_abort(util_atomic_t *a);

/* A private folder (mkdtemp, 0700) for scratch files that are never renamed
 * into place: in $TMPDIR, else /tmp. NULL with err set on failure. */
char *util_private_dir(tsg_error_t *err);
/* Removes the folder and the files in it, and frees the string. */
void util_private_dir_remove(char *dir);

#endif
