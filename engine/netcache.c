/* netcache — arenas written to a file and mapped back in place; see netcache.h. */
#define _GNU_SOURCE
#include "netcache.h"
#include "network.h"
#include "atomic.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Bumped whenever what the regions mean changes without the structs'
 * layout changing (a new index filled differently, a field's meaning). */
#define FORMAT_VERSION 1u
#define PAGE 4096u

static const char magic[8] = {'T', 'S', 'G', 'C', 'A', 'C', 'H', 'E'};

typedef struct region {
    uint64_t addr, len, offset, sum;
} region_t;

typedef struct header {
    char magic[8];
    uint32_t version, nregions;
    uint64_t build[4]; /* the structs' layout, then the program's build id */
    uint64_t key_len, roots_len, file_size;
    unsigned char key[ENG_CACHE_KEY];
    unsigned char roots[ENG_CACHE_ROOTS];
    region_t region[ENG_CACHE_REGIONS];
    uint64_t header_sum; /* of the bytes above */
} header_t;

_Static_assert(sizeof(header_t) <= PAGE, "the header fits in its page");

uint64_t eng_cache_sum(const void *p, size_t n)
{
    /* Four independent lanes, each h = (h ^ word) × odd constant: every
     * step is a bijection of h, so changing any one word changes its
     * lane's result; four lanes keep the multiplier busy (memory speed). */
    const unsigned char *b = p;
    uint64_t h[4] = {0x9e3779b97f4a7c15u, 0xbf58476d1ce4e5b9u, 0x94d049bb133111ebu, 0x2545f4914f6cdd1du};
    const uint64_t k = 0xff51afd7ed558ccdu;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 4; l++) {
            uint64_t w;
            memcpy(&w, b + i + 8 * l, 8);
            h[l] = (h[l] ^ w) * k;
        }
    for (; i < n; i++) h[0] = (h[0] ^ b[i]) * k;
    uint64_t r = n;
    for (int l = 0; l < 4; l++) r = (r ^ h[l] ^ (h[l] >> 29)) * k;
    return r;
}

/* The program's GNU build id, found among the loaded objects' notes: a
 * rebuilt program (other code, other layout) never reads an old cache. */
struct build_id {
    unsigned char id[24];
    size_t n;
};

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct build_id *b = data;
    /* The first object is the program itself, where this code is linked. */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const unsigned char *name = p + sizeof *nh, *desc = name + ((nh->n_namesz + 3) & ~3u);
            if (desc + nh->n_descsz > end) break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(name, "GNU", 4)) {
                b->n = nh->n_descsz < sizeof b->id ? nh->n_descsz : sizeof b->id;
                memcpy(b->id, desc, b->n);
                return 1;
            }
            p = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* only the first object */
}

static void build_of(uint64_t out[4])
{
    /* The layout of what the regions hold, so that a build without a build
     * id still refuses a cache of other structs. */
    static const size_t layout[] = {
        sizeof(void *), sizeof(long), sizeof(eng_net_t), sizeof(eng_program_t), sizeof(eng_tie_t),
        sizeof(eng_step_t), sizeof(eng_list_t), sizeof(util_arena_t),
        offsetof(eng_net_t, maxnid), offsetof(eng_net_t, programs), offsetof(eng_net_t, steps),
        offsetof(eng_net_t, mark), offsetof(eng_net_t, arena), offsetof(eng_net_t, strings),
        offsetof(eng_net_t, pair_progs), offsetof(eng_net_t, areas), offsetof(eng_program_t, targets),
        offsetof(eng_program_t, area), offsetof(eng_program_t, starts), FORMAT_VERSION,
    };
    uint16_t endian = 0x0102;
    out[0] = eng_cache_sum(layout, sizeof layout) ^ eng_cache_sum(&endian, sizeof endian);
    struct build_id b = {{0}, 0};
    dl_iterate_phdr(find_build_id, &b);
    memset(&out[1], 0, 3 * sizeof *out);
    memcpy(&out[1], b.id, b.n);
}

static uint64_t round_page(uint64_t n) { return (n + PAGE - 1) / PAGE * PAGE; }

tsg_status_t eng_cache_write(const char *path, const char *mode_of, const void *key, size_t key_len,
                             const void *roots, size_t roots_len, const util_arena_t *const *arenas, size_t n,
                             tsg_error_t *err)
{
    if (key_len > ENG_CACHE_KEY || roots_len > ENG_CACHE_ROOTS || n > ENG_CACHE_REGIONS)
        return util_fail(err, TSG_EINPUT, "%s", _("the network does not fit in a cache file"));
    static header_t h; /* one page, zeroed: padding and unused fields write as zeros */
    memset(&h, 0, sizeof h);
    memcpy(h.magic, magic, sizeof magic);
    h.version = FORMAT_VERSION;
    h.nregions = (uint32_t)n;
    build_of(h.build);
    h.key_len = key_len;
    h.roots_len = roots_len;
    memcpy(h.key, key, key_len);
    memcpy(h.roots, roots, roots_len);
    uint64_t at = PAGE;
    for (size_t i = 0; i < n; i++) {
        const util_arena_t *a = arenas[i];
        if (!a->base || a->used == 0)
            return util_fail(err, TSG_EINPUT, "%s", _("the network does not fit in a cache file"));
        h.region[i] = (region_t){(uint64_t)(uintptr_t)a->base, a->used, at, eng_cache_sum(a->base, a->used)};
        at += round_page(a->used);
    }
    h.file_size = at;
    h.header_sum = eng_cache_sum(&h, offsetof(header_t, header_sum));
    util_atomic_t w;
    tsg_status_t s = util_atomic_begin(&w, path, NULL, err);
    if (s) return s;
    struct stat ref;
    /* A new cache is no more readable than the database it copies. */
    if (mode_of && stat(mode_of, &ref) == 0 && fchmod(w.fd, ref.st_mode & 0666) != 0)
        s = util_fail(err, TSG_EIO, _("%s: cannot keep its permissions: %s"), path, strerror(errno));
    static const char zeros[PAGE];
    char page[PAGE] = {0};
    memcpy(page, &h, sizeof h);
    if (!s) s = util_atomic_write(&w, page, PAGE, err);
    for (size_t i = 0; !s && i < n; i++) {
        s = util_atomic_write(&w, arenas[i]->base, arenas[i]->used, err);
        size_t pad = (size_t)(round_page(arenas[i]->used) - arenas[i]->used);
        if (!s && pad) s = util_atomic_write(&w, zeros, pad, err);
    }
    if (!s) return util_atomic_commit(&w, err);
    util_atomic_abort(&w);
    return s;
}

int eng_cache_map(const char *path, const void *key, size_t key_len, void *roots, size_t roots_len,
                  util_arena_t *arenas, size_t n)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ENG_CACHE_MISS;
    struct stat st;
    header_t h;
    uint64_t build[4];
    build_of(build);
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
             !memcmp(h.magic, magic, sizeof magic) && h.header_sum == eng_cache_sum(&h, offsetof(header_t, header_sum)) &&
             h.version == FORMAT_VERSION && !memcmp(h.build, build, sizeof build) && h.nregions == n &&
             h.key_len == key_len && !memcmp(h.key, key, key_len) && h.roots_len == roots_len &&
             h.file_size == (uint64_t)st.st_size && n <= ENG_CACHE_REGIONS;
    /* Each region within the file, page-aligned, after the header and the
     * one before it: a header that passed its checksum is still checked. */
    for (size_t i = 0; ok && i < n; i++) {
        const region_t *r = &h.region[i];
        ok = r->addr % PAGE == 0 && r->offset % PAGE == 0 && r->len && r->offset >= (i ? h.region[i - 1].offset + round_page(h.region[i - 1].len) : PAGE) &&
             r->len <= h.file_size && r->offset <= h.file_size - round_page(r->len) && r->addr <= UINTPTR_MAX - r->len;
    }
    size_t mapped = 0;
    for (; ok && mapped < n; mapped++) {
        const region_t *r = &h.region[mapped];
        /* Read-only while populated (a writable private mapping would copy
         * every page), writable afterwards: copy-on-write, for the marks. */
        void *want = (void *)(uintptr_t)r->addr;
        void *p = mmap(want, (size_t)r->len, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_POPULATE, fd,
                       (off_t)r->offset);
        if (p != MAP_FAILED && p != want) munmap(p, (size_t)r->len); /* a kernel that took it as a hint */
        if (p != want) break;
        util_arena_adopt(&arenas[mapped], p, (size_t)r->len);
        ok = eng_cache_sum(p, (size_t)r->len) == r->sum && mprotect(p, (size_t)r->len, PROT_READ | PROT_WRITE) == 0;
    }
    close(fd);
    if (ok && mapped == n) {
        memcpy(roots, h.roots, roots_len);
        return ENG_CACHE_HIT;
    }
    for (size_t i = 0; i < mapped && i < n; i++) util_arena_free(&arenas[i]);
    return ENG_CACHE_MISS;
}
