/*
 * arena — memory that lives and dies together (a loaded network, a
 * session's name index), taken from one reserved range of address space
 * and given back in one sweep.
 *
 * A national network is some 800 MB in a few million pieces; from malloc
 * each fresh 4 KB page costs a page fault, and on a virtual machine a fault
 * is dear. An arena reserves a large range once (PROT_NONE: address space
 * only), makes it usable in 32 MB steps as it fills, and asks for
 * transparent huge pages there (MADV_HUGEPAGE), so that the same memory
 * costs 512 times fewer faults. Nothing moves once handed out: pointers
 * into an arena stay valid until util_arena_free, and the arena's bytes
 * can be written to a file and mapped back at the same address
 * (engine/netcache.c) with every pointer still right.
 *
 * Memory handed out is zeroed. util_arena_grow extends the most recent
 * allocation in place (a table read row by row whose count is not known
 * beforehand); any other allocation is copied. There is no per-piece free.
 *
 * An arena owns its range; util_arena_free unmaps it and may be called on a
 * zeroed or freed arena. Failures (no address space, no memory) return
 * NULL or -1; nothing aborts.
 */
#ifndef TSG_UTIL_ARENA_H
#define TSG_UTIL_ARENA_H

#include <stddef.h>

typedef struct util_arena {
    char *base;       /* the reserved range; NULL: none yet */
    size_t reserved;  /* its length */
    size_t usable;    /* bytes from base made readable and writable */
    size_t used;      /* bytes handed out */
    size_t dirty;     /* bytes ever handed out (beyond them the pages are still zero) */
    size_t last;      /* offset of the most recent allocation */
    int mapped;       /* base maps a file (util_arena_adopt): read as it is, never grown */
} util_arena_t;

/* Reserves the range, near hint if it is free (NULL: anywhere). 0 or -1. */
int util_arena_init(util_arena_t *a, void *hint);
/* n zeroed bytes aligned to 16, or NULL. */
void *util_arena_alloc(util_arena_t *a, size_t n);
/* n elements of size bytes (at least one byte), zeroed; NULL when out of
 * memory or when n * size overflows. */
void *util_arena_array(util_arena_t *a, size_t n, size_t size);
/* p (the arena's most recent allocation, of old bytes) grown to n bytes in
 * place, or a copy when p is not the most recent; NULL when out of memory.
 * Shrinking (n <= old) never fails: the last piece gives its room back,
 * any other stays as it is. p NULL: a new piece. */
void *util_arena_grow(util_arena_t *a, void *p, size_t old, size_t n);
/* A copy of s[0..len) with a NUL after it, or NULL. */
char *util_arena_copy(util_arena_t *a, const char *s, size_t len);
/* Takes a mapping of len bytes at base (mmap'd by the caller) as the
 * arena's range: util_arena_free unmaps it. */
void util_arena_adopt(util_arena_t *a, void *base, size_t len);
void util_arena_free(util_arena_t *a);
/* Hands the whole range out again from its start, keeping its pages: what
 * comes next is zeroed where the earlier pieces were, at memset's speed,
 * not the kernel's fault per fresh page. Pointers into it are dead. */
void util_arena_reset(util_arena_t *a);

#endif
