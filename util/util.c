/* util — see util.h. */
#include "util.h"
#include "i18n.h"
#include "atomic.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <string.h>
#include <utf8proc.h>

void util_utf8_trim(char *s)
{
    size_t len = strlen(s), i = len;
    /* Back over at most three continuation bytes to the character's lead. */
    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && len - (i - 1) < need) s[i - 1] = '\0';
}

int util_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (size && n >= 0 && (size_t)n >= size) util_utf8_trim(buf);
    return n;
}

int util_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = util_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

tsg_status_t util_fail(tsg_error_t *err, tsg_status_t code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        util_vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
        err->code = code;
        /* A message may quote a file's or a database's text (an id, a
         * value): every message reaches a terminal, so a hidden character
         * in it is shown as [U+XXXX] (issue 17, item 15), or as '?' when
         * there is no memory to spell it out. */
        int nomem = 0;
        char *shown = util_visible(err->text, 0, &nomem);
        if (shown) {
            util_snprintf(err->text, sizeof err->text, "%s", shown);
            free(shown);
        } else if (nomem) {
            for (char *c = err->text; *c;) {
                size_t n = util_hidden_len(c);
                if (n) memset(c, '?', n);
                c += n ? n : 1;
            }
        }
    }
    return code;
}

char *util_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *util_strdup(const char *s) { return util_strndup(s, strlen(s)); }

char *util_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int util_buf_reserve(util_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int util_buf_add(util_buf_t *b, const char *s, size_t n)
{
    if (util_buf_reserve(b, n)) return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int util_buf_adds(util_buf_t *b, const char *s) { return util_buf_add(b, s, strlen(s)); }
int util_buf_addc(util_buf_t *b, char c) { return util_buf_add(b, &c, 1); }

int util_buf_printf(util_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || util_buf_reserve(b, (size_t)n)) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void util_buf_free(util_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

FILE *util_open_regular(const char *path, const char *label, tsg_error_t *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        util_fail(err, TSG_EIO, _("%s: cannot open: %s"), label, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        util_fail(err, TSG_EINPUT, _("%s is not a regular file: tsunagi reads only regular files"), label);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        util_fail(err, TSG_ENOMEM, _("%s: out of memory"), label);
        close(fd);
    }
    return f;
}

tsg_status_t util_read_file(const char *path, char **data, size_t *len, tsg_error_t *err)
{
    FILE *f = util_open_regular(path, path, err);
    if (!f) return err ? err->code : TSG_EIO;
    util_buf_t b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (util_buf_add(&b, chunk, n)) {
            fclose(f);
            util_buf_free(&b);
            return util_fail(err, TSG_ENOMEM, _("%s: out of memory"), path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        util_buf_free(&b);
        return util_fail(err, TSG_EIO, _("%s: read error"), path);
    }
    if (!b.data && util_buf_reserve(&b, 0)) return util_fail(err, TSG_ENOMEM, _("%s: out of memory"), path);
    b.data[b.len] = '\0';
    *data = b.data;
    *len = b.len;
    return TSG_OK;
}

tsg_status_t util_write_file(const char *path, const char *data, size_t len, const struct util_guard *guard,
                             tsg_error_t *err)
{
    util_atomic_t a;
    tsg_status_t s = util_atomic_begin(&a, path, guard, err);
    if (!s && (s = util_atomic_write(&a, data, len, err))) util_atomic_abort(&a);
    return s ? s : util_atomic_commit(&a, err);
}

size_t util_display_width(const char *s)
{
    size_t w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        if (n <= 0) { /* invalid byte: count it as one column and move on */
            w++;
            p++;
            continue;
        }
        int cw = utf8proc_charwidth(c);
        w += cw > 0 ? (size_t)cw : 0;
        p += n;
    }
    return w;
}

/* Decodes s into code points; returns the count, or (size_t)-1 on no memory. */
static size_t decode(const char *s, utf8proc_int32_t **out)
{
    size_t cap = strlen(s) + 1, n = 0;
    utf8proc_int32_t *v = malloc(cap * sizeof *v);
    if (!v) return (size_t)-1;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
        if (k <= 0) { c = *p; k = 1; }
        v[n++] = c;
        p += k;
    }
    *out = v;
    return n;
}

size_t util_edit_distance(const char *a, const char *b)
{
    utf8proc_int32_t *x = NULL, *y = NULL;
    size_t n = decode(a, &x), m = decode(b, &y);
    size_t *row = NULL;
    size_t d = (size_t)-1;
    if (n == (size_t)-1 || m == (size_t)-1) goto out;
    row = malloc((m + 1) * sizeof *row);
    if (!row) goto out;
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (x[i - 1] != y[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    d = row[m];
out:
    free(x);
    free(y);
    free(row);
    return d;
}

char *util_fold(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    /* Invalid UTF-8 is not folded, just copied: it then matches nothing,
     * and NULL keeps meaning "out of memory" to every caller. */
    if (n == UTF8PROC_ERROR_INVALIDUTF8) return util_strdup(s);
    if (n < 0) return NULL;
    return (char *)out;
}

uint64_t util_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

int util_hidden_char(int32_t c)
{
    if (c < 0x20) return c != '\t' && c != '\n' && c != '\r';
    if (c >= 0x7F && c <= 0x9F) return 1;
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

const char *util_hidden_kind(int32_t c)
{
    /* A noun put into a sentence ("name holds the %s U+200B"): translated
     * on its own, which reads naturally in Japanese (名前に制御文字 …). */
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return C_("hidden character", "control character");
    if ((c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF) return C_("hidden character", "zero-width character");
    return C_("hidden character", "bidirectional control");
}

size_t util_hidden_len(const char *s)
{
    size_t n = 0;
    while (n < 4 && s[n]) n++;
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &c);
    return k > 0 && util_hidden_char(c) ? (size_t)k : 0;
}

long util_find_hidden(const char *s, size_t n, int32_t *cp, size_t *chars)
{
    size_t at = 0, count = 0;
    while (at < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at, (utf8proc_ssize_t)(n - at), &c);
        if (k <= 0) {
            at++;
            count++;
            continue;
        }
        if (util_hidden_char(c)) {
            if (cp) *cp = c;
            if (chars) *chars = count;
            return (long)at;
        }
        at += (size_t)k;
        count++;
    }
    return -1;
}

char *util_visible(const char *s, int breaks, int *nomem)
{
    *nomem = 0;
    size_t n = strlen(s);
    int shown = 0;
    for (size_t i = 0; breaks && i < n && !shown; i++) shown = s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
    if (!shown && util_find_hidden(s, n, NULL, NULL) < 0) return NULL;
    util_buf_t b = {0};
    size_t at = 0;
    int rc = 0;
    while (!rc && at < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at, (utf8proc_ssize_t)(n - at), &c);
        if (k <= 0) k = 1, c = 0x41; /* copied as it is */
        if (util_hidden_char(c) || (breaks && (c == '\t' || c == '\n' || c == '\r'))) rc = util_buf_printf(&b, "[U+%04X]", (unsigned)c);
        else rc = util_buf_add(&b, s + at, (size_t)k);
        at += (size_t)k;
    }
    rc = rc || util_buf_addc(&b, '\0');
    if (rc) {
        util_buf_free(&b);
        *nomem = 1;
        return NULL;
    }
    return b.data;
}
