/*
 * util — the few helpers every module shares: setting a tsg_error_t, a
 * growable byte buffer, and checked allocation wrappers.
 *
 * util_buf_t owns its bytes; util_buf_free releases them. Appends report
 * TSG_ENOMEM instead of aborting; the buffer keeps what it had.
 */
#ifndef TSG_UTIL_H
#define TSG_UTIL_H

#include "tsunagi.h"
#include "i18n.h"
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define UTIL_PRINTF(a, b)
#endif

/* Writes the message into err (if any) and returns code, so a caller can
 * `return util_fail(err, TSG_EINPUT, "...", ...)`. */
tsg_status_t util_fail(tsg_error_t *err, tsg_status_t code, const char *fmt, ...) UTIL_PRINTF(3, 4);

/* vsnprintf and snprintf into a fixed buffer (every message buffer: the
 * parser's, the session's, err->text): when the text does not fit it is
 * cut at a UTF-8 character boundary, never inside a character (a name in
 * Japanese cut in half would show as mojibake and make JSON output
 * invalid). Return what vsnprintf returns: the length untruncated. */
int util_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
int util_snprintf(char *buf, size_t size, const char *fmt, ...) UTIL_PRINTF(3, 4);
/* Drops an incomplete UTF-8 character from the end of s (what a byte-wise
 * cut leaves); a complete string is left as it is. */
void util_utf8_trim(char *s);

char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t n);
char *util_printf(const char *fmt, ...) UTIL_PRINTF(1, 2);

typedef struct util_buf {
    char *data;
    size_t len, cap;
} util_buf_t;

int util_buf_reserve(util_buf_t *b, size_t extra); /* 0 or -1 (no memory) */
int util_buf_add(util_buf_t *b, const char *s, size_t n);
int util_buf_adds(util_buf_t *b, const char *s);
int util_buf_addc(util_buf_t *b, char c);
int util_buf_printf(util_buf_t *b, const char *fmt, ...) UTIL_PRINTF(2, 3);
void util_buf_free(util_buf_t *b);

/* FNV-1a, for the hash tables over names and keys. */
uint64_t util_hash(const char *s);

/* Reads a whole file; *data is NUL-terminated (the NUL is not counted). */
tsg_status_t util_read_file(const char *path, char **data, size_t *len, tsg_error_t *err);
/* path opened for reading when it is a regular file (never a FIFO or a
 * device, which could block or never end); NULL with err set (naming label)
 * otherwise. */
FILE *util_open_regular(const char *path, const char *label, tsg_error_t *err);

/* Writes a whole file through util_atomic_t (atomic.h): a failure never
 * leaves a half-written file, and a file the guard (if any) lists, a link or
 * a folder at path is refused. */
struct util_guard;
tsg_status_t util_write_file(const char *path, const char *data, size_t len, const struct util_guard *guard,
                             tsg_error_t *err);

/* Display width of a UTF-8 string in terminal columns (East Asian Width). */
size_t util_display_width(const char *s);

/* Levenshtein distance between two UTF-8 strings, counted in code points. */
size_t util_edit_distance(const char *a, const char *b);

/* NFKC + case fold, for comparisons that ignore width and case ("Ｎｐｏ" == "npo").
 * Returns a new string, or NULL when out of memory; invalid UTF-8 comes back
 * copied as it is. */
char *util_fold(const char *s);

/* Whether code point c is one no name or id may hold, because it hides or
 * reorders what a reader sees: a C0 control but tab and line breaks, DEL, a
 * C1 control (U+0080-U+009F, e.g. U+009B CSI), a bidirectional control
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or a zero-width
 * character (U+200B-U+200D, U+2060, U+FEFF). */
int util_hidden_char(int32_t c);

/* What hidden character c is, for messages: "control character",
 * "bidirectional control" or "zero-width character". */
const char *util_hidden_kind(int32_t c);

/* The length in bytes of the hidden character (above) that NUL-terminated
 * s begins with, or 0. */
size_t util_hidden_len(const char *s);

/* The first hidden character (above) in the n bytes of UTF-8 at s: its byte
 * offset, with the character in *cp and its position counted in code points
 * in *chars (either may be NULL); -1 when there is none. Bytes that are not
 * UTF-8 are skipped: other checks refuse them. */
long util_find_hidden(const char *s, size_t n, int32_t *cp, size_t *chars);

/* s as it may reach a terminal: every hidden character (and with breaks,
 * tab and line breaks too) written visibly as [U+XXXX]. NULL when s needs
 * no change (or when out of memory: *nomem is set then); else a new string. */
char *util_visible(const char *s, int breaks, int *nomem);

#endif
