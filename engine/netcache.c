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
#define FORMAT_VERSION 6u /* 2: the network in four regions, empty regions allowed; 3: narrower
                           * programs, ties and per-nid arrays, and the checksum's mixing end;
                           * 4: prog_nid in 32 bits as programs[].nid (no layout shows it);
                           * 5: the names' nids in 32 bits and their hash heads at most one
                           * key a head (query/names.c; this layout does not show them);
                           * 6: the referral steps between programs (ref_off, ref_to) */
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

/* The checksum's state: eight lanes of Fletcher's two sums over 64-bit
 * words. A word changed by d changes its lane's first sum by d, so any one
 * changed word is seen; the second sum weighs each word by its place, so
 * words swapped are seen too. Additions only: it runs at memory speed
 * (about 0.1 s of CPU for a national network's gigabyte), where a multiply
 * per word took half as long again. */
typedef struct sum {
    uint64_t a[8], c[8];
    uint64_t n;
} sum_t;

/* Adds p[0..n), n a multiple of 64 except in the last call. */
static void sum_add(sum_t *st, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint64_t w[8];
        memcpy(w, b + i, sizeof w);
        for (int l = 0; l < 8; l++) {
            st->a[l] += w[l];
            st->c[l] += st->a[l];
        }
    }
    for (; i < n; i++) st->a[0] = (st->a[0] ^ b[i]) * 0xff51afd7ed558ccdu;
    st->n += n;
}

/* MurmurHash3's finaliser: every bit of x reaches every bit of the result.
 * A multiply alone carries a change only upwards, so one in the top byte of
 * a word reached only the sum's top byte and went unseen about once in 256
 * (a name changed in the cache passed as whole: h-lean). */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    return x ^ x >> 33;
}

static uint64_t sum_end(const sum_t *st)
{
    uint64_t r = st->n;
    for (int l = 0; l < 8; l++) r = mix(mix(r ^ st->a[l]) ^ st->c[l]);
    return r;
}

uint64_t eng_cache_sum(const void *p, size_t n)
{
    sum_t st = {{0}, {0}, 0};
    sum_add(&st, p, n);
    return sum_end(&st);
}

/* Reads region r of fd into p (len bytes) a megabyte at a time, summing
 * each piece while it is still in the processor's cache. 0 when every byte
 * was read and the sum is the one written. */
static int read_region(int fd, const region_t *r, char *p)
{
    sum_t st = {{0}, {0}, 0};
    const size_t piece = (size_t)1 << 20;
    for (uint64_t at = 0; at < r->len;) {
        size_t want = r->len - at < piece ? (size_t)(r->len - at) : piece;
        ssize_t got = pread(fd, p + at, want, (off_t)(r->offset + at));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        /* A short read ends a piece early: sum whole blocks only, the rest
         * with the next piece (the last piece's tail goes as it is). */
        size_t whole = at + (uint64_t)got == r->len ? (size_t)got : (size_t)got / 64 * 64;
        if (!whole) continue;
        sum_add(&st, p + at, whole);
        at += whole;
    }
    return sum_end(&st) == r->sum ? 0 : -1;
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
        offsetof(eng_net_t, rest), offsetof(eng_net_t, tie_arena), offsetof(eng_net_t, prog_nid),
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
    header_t h;
    memset(&h, 0, sizeof h); /* padding and unused fields write as zeros */
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
        /* An empty arena (a network without ties) is a region of no bytes
         * and no address. */
        if (a->used && !a->base) return util_fail(err, TSG_EINPUT, "%s", _("the network does not fit in a cache file"));
        h.region[i] = (region_t){a->used ? (uint64_t)(uintptr_t)a->base : 0, a->used, at,
                                 eng_cache_sum(a->used ? a->base : "", a->used)};
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
        if (arenas[i]->used) s = util_atomic_write(&w, arenas[i]->base, arenas[i]->used, err);
        size_t pad = (size_t)(round_page(arenas[i]->used) - arenas[i]->used);
        if (!s && pad) s = util_atomic_write(&w, zeros, pad, err);
    }
    if (!s) return util_atomic_commit(&w, err);
    util_atomic_abort(&w);
    return s;
}

int eng_cache_open(eng_cache_t *c, const char *path, const void *key, size_t key_len, void *roots, size_t roots_len,
                   size_t n)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ENG_CACHE_MISS;
    struct stat st;
    header_t h;
    uint64_t build[4];
    build_of(build);
    /* Only a file this user wrote and no one else may write: its pointers
     * are trusted once the checksums pass, and a checksum is no seal. */
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & S_IWOTH) && pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
             !memcmp(h.magic, magic, sizeof magic) && h.header_sum == eng_cache_sum(&h, offsetof(header_t, header_sum)) &&
             h.version == FORMAT_VERSION && !memcmp(h.build, build, sizeof build) && h.nregions == n &&
             h.key_len == key_len && !memcmp(h.key, key, key_len) && h.roots_len == roots_len &&
             h.file_size == (uint64_t)st.st_size && n <= ENG_CACHE_REGIONS;
    /* Each region within the file, page-aligned, after the header and the
     * one before it: a header that passed its checksum is still checked. */
    for (size_t i = 0; ok && i < n; i++) {
        const region_t *r = &h.region[i];
        ok = r->addr % PAGE == 0 && r->offset % PAGE == 0 && (r->len ? r->addr != 0 : r->addr == 0) &&
             r->offset >= (i ? h.region[i - 1].offset + round_page(h.region[i - 1].len) : PAGE) &&
             r->len <= h.file_size && r->offset <= h.file_size - round_page(r->len) && r->addr <= UINTPTR_MAX - r->len;
    }
    /* Every region's place is held from now on (no access, no memory):
     * a region taken later finds its addresses still free. */
    size_t held = 0;
    for (; ok && held < n; held++) {
        const region_t *r = &h.region[held];
        if (!r->len) continue; /* nothing to hold */
        void *want = (void *)(uintptr_t)r->addr;
        void *p = mmap(want, (size_t)r->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                       -1, 0);
        if (p != MAP_FAILED && p != want) munmap(p, (size_t)r->len); /* a kernel that took it as a hint */
        if (p != want) break;
    }
    if (!ok || held < n) {
        for (size_t i = 0; i < held; i++)
            if (h.region[i].len) munmap((void *)(uintptr_t)h.region[i].addr, (size_t)h.region[i].len);
        close(fd);
        return ENG_CACHE_MISS;
    }
    c->fd = fd;
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        c->addr[i] = h.region[i].addr;
        c->len[i] = h.region[i].len;
        c->offset[i] = h.region[i].offset;
        c->sum[i] = h.region[i].sum;
    }
    memcpy(roots, h.roots, roots_len);
    return ENG_CACHE_HIT;
}

int eng_cache_take(eng_cache_t *c, size_t i, util_arena_t *arena)
{
    if (c->fd < 0 || i >= c->n || (c->taken >> i & 1)) return ENG_CACHE_MISS;
    c->taken |= 1u << i;
    region_t r = {c->addr[i], c->len[i], c->offset[i], c->sum[i]};
    if (!r.len) { /* an empty arena: its sum is still the one written */
        if (eng_cache_sum("", 0) != r.sum) return ENG_CACHE_MISS;
        memset(arena, 0, sizeof *arena);
        return ENG_CACHE_HIT;
    }
    void *want = (void *)(uintptr_t)r.addr;
    /* Read, not mapped from the file: every byte is summed before it is
     * trusted, and a file mapping's first touch costs a fault per 64 KB and
     * 4 KB pages, where memory of our own takes huge pages (docs/decisions.md,
     * "Issue 23: the cache file"). MAP_FIXED replaces our own reservation. */
    void *p = mmap(want, (size_t)r.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                   -1, 0);
    if (p != want) {
        if (p != MAP_FAILED) munmap(p, (size_t)r.len);
        munmap(want, (size_t)r.len);
        return ENG_CACHE_MISS;
    }
    (void)madvise(p, (size_t)r.len, MADV_HUGEPAGE);
    if (read_region(c->fd, &r, p)) {
        munmap(p, (size_t)r.len);
        return ENG_CACHE_MISS;
    }
    util_arena_adopt(arena, p, (size_t)r.len);
    return ENG_CACHE_HIT;
}

void eng_cache_close(eng_cache_t *c)
{
    if (c->fd < 0) return;
    for (size_t i = 0; i < c->n; i++)
        if (!(c->taken >> i & 1) && c->len[i]) munmap((void *)(uintptr_t)c->addr[i], (size_t)c->len[i]);
    close(c->fd);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

int eng_cache_map(const char *path, const void *key, size_t key_len, void *roots, size_t roots_len,
                  util_arena_t *arenas, size_t n)
{
    eng_cache_t c;
    if (eng_cache_open(&c, path, key, key_len, roots, roots_len, n) != ENG_CACHE_HIT) return ENG_CACHE_MISS;
    size_t got = 0;
    while (got < n && eng_cache_take(&c, got, &arenas[got]) == ENG_CACHE_HIT) got++;
    eng_cache_close(&c);
    if (got == n) return ENG_CACHE_HIT;
    for (size_t i = 0; i < got; i++) util_arena_free(&arenas[i]);
    return ENG_CACHE_MISS;
}
