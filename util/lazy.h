/*
 * lazy — a shared library opened when one of its functions is first
 * called, not when the program starts (docs/decisions.md, "Issue 23: the
 * sample city's cold start").
 *
 * The program is not linked against such a library. Instead, a file of its
 * own (engine/igraph_lazy.c, store/xlsx_lazy.c) defines each function of
 * the library that tsunagi calls, with the library's header in scope (so a
 * signature that differs from the library's does not compile), as
 * UTIL_LAZY(...): the first call opens the library by its SONAME (given by
 * CMakeLists.txt) and looks the function up; every call then goes straight
 * to it. A function of the library that the program calls and that is not
 * listed there fails to link ("undefined reference"): add a line.
 *
 * If the library cannot be opened, nothing aborts: the function returns the
 * value its line names for failure, errno is ELIBACC, and util_lazy_why
 * says what the loader said. One attempt is made; a failure stays. So that
 * a user reads what is wrong rather than what a failed call usually means
 * ("out of memory"), the work that needs a library asks for it first with
 * util_lazy_open (through its file's gate: eng_igraph_open,
 * store_xlsxwriter_open, store_minizip_open). The program is
 * single-threaded (igraph's handlers are process-wide already).
 */
#ifndef TSG_LAZY_H
#define TSG_LAZY_H

#include "tsunagi.h"

typedef struct util_lazy {
    const char *soname;
    void (*opened)(void *handle); /* called once when the library is opened, or NULL */
    void *handle;                 /* NULL until opened, or when it could not be */
    int tried;
    char why[512];
} util_lazy_t;

/* lib's function name, opening lib first if need be; NULL (errno ELIBACC,
 * lib->why set) if lib cannot be opened or has no such function. */
void *util_lazy_sym(util_lazy_t *lib, const char *name);

/* Opens lib if it is not open yet: TSG_OK, or TSG_EIO with the loader's
 * message in err. */
tsg_status_t util_lazy_open(util_lazy_t *lib, tsg_error_t *err);

/* What went wrong, for a message; "" when nothing did. */
const char *util_lazy_why(const util_lazy_t *lib);

/* One function of lib: ret name params, calling the library's with args;
 * fail is returned when the library is not there. */
#define UTIL_LAZY(lib, ret, fail, name, params, args)            \
    ret name params                                               \
    {                                                             \
        static ret(*fn) params;                                   \
        if (!fn) *(void **)&fn = util_lazy_sym(&(lib), #name);    \
        if (!fn) return fail;                                     \
        return fn args;                                           \
    }
#define UTIL_LAZY_VOID(lib, name, params, args)                   \
    void name params                                              \
    {                                                             \
        static void(*fn) params;                                  \
        if (!fn) *(void **)&fn = util_lazy_sym(&(lib), #name);    \
        if (fn) fn args;                                          \
    }

#endif
