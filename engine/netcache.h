/*
 * netcache — arenas (util/arena.h) written to one file and read back in place by
 * the next process at the addresses they were written from, so that a
 * loaded network and name index come back without reading the database
 * (docs/decisions.md, "Issue 23: the cache file"; docs/data-format.md).
 *
 * The file: one page of header (magic, format version, the build's layout
 * and build id, the caller's key, the caller's roots, each region's address,
 * length, offset and checksum, the file's size, the header's own checksum),
 * then each arena's bytes from a page boundary. Opening checks the header
 * (its checksum, the file's size: a truncated file is refused there) and
 * reserves every region's addresses; each region is read and its checksum
 * checked when it is first taken, before any of its bytes is handed back,
 * so a process that needs only the names never reads the network
 * (docs/decisions.md, "Issue 23: lazy dated tables and lazy cache"). A file
 * that is short, damaged, from another build, for another key, or whose
 * addresses are taken in this process is refused (ENG_CACHE_MISS), never
 * half used: a region that fails its checksum is not handed back. So is a
 * file another user owns or anyone else may write: a checksum finds
 * damage, it is no seal.
 *
 * The key and the roots are the caller's bytes: the key says what the
 * contents were built from (the database's state, the day) and must match
 * byte for byte; the roots are handed back as written (pointers into the
 * arenas, counts). Pointers stay right because each region is read back
 * into memory reserved at the address it was written from
 * (MAP_FIXED_NOREPLACE: where that address is taken, the file is not
 * used); the memory is the process's own, so a walk may write its marks.
 *
 * eng_cache_write writes through util/atomic.h (a temporary file, fsync,
 * rename), with the permissions of a reference file (the database), so a
 * reader never sees a half-written cache. Nothing here aborts; failures are
 * statuses.
 */
#ifndef TSG_ENGINE_NETCACHE_H
#define TSG_ENGINE_NETCACHE_H

#include "tsunagi.h"
#include "arena.h"
#include <stddef.h>
#include <stdint.h>

#define ENG_CACHE_REGIONS 8
#define ENG_CACHE_KEY 192
#define ENG_CACHE_ROOTS 512

enum { ENG_CACHE_HIT = 0, ENG_CACHE_MISS = 1 };

/* Writes arenas[0..n) with key and roots to path; the new file takes
 * mode_of's permissions (the database's: a cache holds every name). */
tsg_status_t eng_cache_write(const char *path, const char *mode_of, const void *key, size_t key_len,
                             const void *roots, size_t roots_len, const util_arena_t *const *arenas, size_t n,
                             tsg_error_t *err);

/* An open cache file: its regions' places, which are taken, and the file
 * (kept open, so a cache written anew by another process meanwhile does
 * not change what this one reads). */
typedef struct eng_cache {
    int fd;
    size_t n;
    unsigned taken; /* bit i: region i was handed back (or given up) */
    uint64_t addr[ENG_CACHE_REGIONS], len[ENG_CACHE_REGIONS], offset[ENG_CACHE_REGIONS], sum[ENG_CACHE_REGIONS];
} eng_cache_t;

/* Opens path when its header holds exactly key and n regions and checks out,
 * reserves the regions' addresses and copies its roots into
 * roots[0..roots_len): ENG_CACHE_HIT, and c must be closed; ENG_CACHE_MISS
 * (nothing kept) otherwise. No region's bytes are read yet. */
int eng_cache_open(eng_cache_t *c, const char *path, const void *key, size_t key_len, void *roots, size_t roots_len,
                   size_t n);
/* Reads region i into its reserved place and checks its sum: ENG_CACHE_HIT
 * and *arena adopts it (util_arena_free unmaps it); ENG_CACHE_MISS, nothing
 * handed back, when it is short or damaged (or was taken before). */
int eng_cache_take(eng_cache_t *c, size_t i, util_arena_t *arena);
/* Closes the file and gives back the places of the regions never taken. */
void eng_cache_close(eng_cache_t *c);

/* Reads path's n arenas into arenas[0..n) at their addresses (adopted: util_arena_free unmaps
 * each) and copies its roots into roots[0..roots_len) when the file holds
 * exactly key and n regions and checks out; ENG_CACHE_MISS (and nothing
 * mapped) otherwise. */
int eng_cache_map(const char *path, const void *key, size_t key_len, void *roots, size_t roots_len,
                  util_arena_t *arenas, size_t n);

/* The checksum of the regions (exposed for tests). */
uint64_t eng_cache_sum(const void *p, size_t n);

#endif
