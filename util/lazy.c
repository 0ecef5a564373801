/* lazy — shared libraries opened on first use; see lazy.h. */
#include "lazy.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

static void *open_lib(util_lazy_t *lib)
{
    if (!lib->tried) {
        lib->tried = 1;
        lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!lib->handle) {
            const char *e = dlerror();
            snprintf(lib->why, sizeof lib->why, "%s", e ? e : lib->soname);
        } else if (lib->opened) {
            lib->opened(lib->handle);
        }
    }
    if (!lib->handle) errno = ELIBACC;
    return lib->handle;
}

void *util_lazy_sym(util_lazy_t *lib, const char *name)
{
    void *f = open_lib(lib) ? dlsym(lib->handle, name) : NULL;
    if (!f) {
        if (lib->handle) snprintf(lib->why, sizeof lib->why, "%s: no %s", lib->soname, name);
        errno = ELIBACC;
    }
    return f;
}

tsg_status_t util_lazy_open(util_lazy_t *lib, tsg_error_t *err)
{
    if (open_lib(lib)) return TSG_OK;
    return util_fail(err, TSG_EIO, _("this needs a library that cannot be loaded: %s"), lib->why);
}

const char *util_lazy_why(const util_lazy_t *lib) { return lib->why; }
