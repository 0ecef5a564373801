/* arena — one reserved range, bump allocation, freed in one sweep; see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define STEP ((size_t)32 << 20)
/* As much address space as any network could want; halved until the
 * system grants it (RLIMIT_AS, a 32-bit or restricted system). Under a
 * tight limit an arena may be too small for a big network, which then
 * fails as out of memory, as it would have under that limit anyway. */
#define RESERVE_MAX ((size_t)64 << 30)
#define RESERVE_MIN ((size_t)16 << 20)

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

int util_arena_init(util_arena_t *a, void *hint)
{
    memset(a, 0, sizeof *a);
    for (size_t size = sizeof(void *) < 8 ? (size_t)1 << 30 : RESERVE_MAX; size >= RESERVE_MIN; size /= 2) {
        /* A huge page more than asked, so that the range can start on a
         * huge page boundary (the kernel aligns only to 4 KB). */
        char *p = mmap(hint, size + HUGE_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) continue;
        char *start = (char *)round_up((uintptr_t)p, HUGE_PAGE);
        if (start > p) munmap(p, (size_t)(start - p));
        size_t tail = (size_t)(p + size + HUGE_PAGE - (start + size));
        if (tail) munmap(start + size, tail);
        a->base = start;
        a->reserved = size;
        return 0;
    }
    return -1;
}

/* Makes the range usable up to at least n bytes. */
static int make_usable(util_arena_t *a, size_t n)
{
    if (n <= a->usable) return 0;
    if (a->mapped || n > a->reserved) return -1;
    size_t to = round_up(n, STEP);
    if (to > a->reserved) to = a->reserved;
    if (mprotect(a->base + a->usable, to - a->usable, PROT_READ | PROT_WRITE)) return -1;
    /* Advice only: where huge pages are off, the arena still works. */
    (void)madvise(a->base + a->usable, to - a->usable, MADV_HUGEPAGE);
    a->usable = to;
    return 0;
}

/* Zeroes [from, to) where it was handed out before (fresh pages are zero). */
static void zero(util_arena_t *a, size_t from, size_t to)
{
    if (from < a->dirty) memset(a->base + from, 0, (to < a->dirty ? to : a->dirty) - from);
    if (to > a->dirty) a->dirty = to;
}

void *util_arena_alloc(util_arena_t *a, size_t n)
{
    if (!a->base && util_arena_init(a, NULL)) return NULL;
    size_t at = round_up(a->used, 16);
    if (n > SIZE_MAX - at || make_usable(a, at + n)) return NULL;
    zero(a, at, at + n);
    a->last = at;
    a->used = at + n;
    return a->base + at;
}

void *util_arena_grow(util_arena_t *a, void *p, size_t old, size_t n)
{
    if (!p) return util_arena_alloc(a, n);
    if ((char *)p == a->base + a->last && a->last + old == a->used) {
        if (n <= old) {
            a->used = a->last + n;
            return p;
        }
        if (n > SIZE_MAX - a->last || make_usable(a, a->last + n)) return NULL;
        zero(a, a->used, a->last + n);
        a->used = a->last + n;
        return p;
    }
    /* Shrinking a piece that is not the last keeps it where it is: giving
     * back room never allocates, so it never fails (callers assign the result). */
    if (n <= old) return p;
    void *q = util_arena_alloc(a, n);
    if (q) memcpy(q, p, old < n ? old : n);
    return q;
}

char *util_arena_copy(util_arena_t *a, const char *s, size_t len)
{
    /* Strings need no alignment: packed one after another. */
    if (!a->base && util_arena_init(a, NULL)) return NULL;
    if (len >= SIZE_MAX - a->used || make_usable(a, a->used + len + 1)) return NULL;
    char *out = a->base + a->used;
    memcpy(out, s, len);
    out[len] = 0;
    a->last = a->used;
    a->used += len + 1;
    if (a->used > a->dirty) a->dirty = a->used;
    return out;
}

void util_arena_adopt(util_arena_t *a, void *base, size_t len)
{
    memset(a, 0, sizeof *a);
    a->base = base;
    a->reserved = a->usable = a->used = a->dirty = len;
    a->mapped = 1;
}

void util_arena_free(util_arena_t *a)
{
    if (a->base) munmap(a->base, a->reserved);
    memset(a, 0, sizeof *a);
}

void util_arena_reset(util_arena_t *a)
{
    if (a->mapped) return; /* a file's bytes are read as they are, never handed out */
    a->used = a->last = 0;
}

void *util_arena_array(util_arena_t *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    return util_arena_alloc(a, n ? n * size : 1);
}
