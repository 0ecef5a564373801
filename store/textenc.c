/* textenc — see textenc.h. */
#include "textenc.h"
#include "util.h"
#include "i18n.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

tsg_status_t tsg_encoding_parse(const char *name, tsg_encoding_t *out, tsg_error_t *err)
{
    static const struct { const char *name; tsg_encoding_t enc; } names[] = {
        {"auto", TSG_ENC_AUTO},   {"utf-8", TSG_ENC_UTF8},      {"utf8", TSG_ENC_UTF8},
        {"cp932", TSG_ENC_CP932}, {"shift_jis", TSG_ENC_CP932}, {"sjis", TSG_ENC_CP932},
        {"shift-jis", TSG_ENC_CP932}, {"windows-31j", TSG_ENC_CP932},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(name, names[i].name)) {
            *out = names[i].enc;
            return TSG_OK;
        }
    return util_fail(err, TSG_EINPUT, _("unknown encoding '%s' (use auto, utf-8 or cp932)"), name);
}

size_t store_utf8_check(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t k;
        unsigned min;
        unsigned cp;
        if (b < 0x80) { i++; continue; }
        else if ((b & 0xE0) == 0xC0) { k = 1; cp = b & 0x1F; min = 0x80; }
        else if ((b & 0xF0) == 0xE0) { k = 2; cp = b & 0x0F; min = 0x800; }
        else if ((b & 0xF8) == 0xF0) { k = 3; cp = b & 0x07; min = 0x10000; }
        else return i;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += k + 1;
    }
    return n;
}

/* Line and column (in characters) of byte `at` of UTF-8 text. */
static void position(const char *s, size_t at, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b == '\n') { (*line)++; *col = 1; }
        else if ((b & 0xC0) != 0x80) (*col)++;
    }
}

static tsg_status_t check_nul(const char *file, const char *s, size_t n, tsg_error_t *err)
{
    const char *z = memchr(s, '\0', n);
    if (!z) return TSG_OK;
    long line, col;
    position(s, (size_t)(z - s), &line, &col);
    return util_fail(err, TSG_EINPUT, _("%s:%ld:%ld: NUL byte in a text file"), file, line, col);
}

static tsg_status_t from_cp932(const char *file, const char *in, size_t n, char **out, size_t *outlen,
                               tsg_error_t *err)
{
    iconv_t cd = iconv_open("UTF-8", "CP932");
    if (cd == (iconv_t)-1) return util_fail(err, TSG_EIO, _("%s: this system cannot convert CP932"), file);
    size_t cap = n * 3 + 16; /* a CP932 byte never becomes more than 3 UTF-8 bytes */
    char *buf = malloc(cap + 1);
    if (!buf) {
        iconv_close(cd);
        return util_fail(err, TSG_ENOMEM, _("%s: out of memory"), file);
    }
    char *ip = (char *)in, *op = buf;
    size_t il = n, ol = cap;
    size_t rc = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        /* Where the output stopped is where the bad input is: report it in
         * characters, which is what an editor shows the planner. */
        long line, col;
        position(buf, (size_t)(op - buf), &line, &col);
        unsigned char b = (unsigned char)*ip;
        free(buf);
        if (errno == EINVAL)
            return util_fail(err, TSG_EINPUT, _("%s:%ld:%ld: byte 0x%02X is not valid CP932 (the file ends inside a character)"),
                             file, line, col, b);
        return util_fail(err, TSG_EINPUT, _("%s:%ld:%ld: byte 0x%02X is not valid CP932 (Shift_JIS)"), file, line, col, b);
    }
    *op = '\0';
    *out = buf;
    *outlen = (size_t)(op - buf);
    return TSG_OK;
}

tsg_status_t store_decode(const char *file, const char *bytes, size_t n, tsg_encoding_t enc, char **out,
                          size_t *outlen, tsg_error_t *err)
{
    *out = NULL;
    tsg_status_t s = check_nul(file, bytes, n, err);
    if (s) return s;
    int bom = n >= 3 && !memcmp(bytes, "\xEF\xBB\xBF", 3);
    if (bom && enc == TSG_ENC_AUTO) enc = TSG_ENC_UTF8;
    if (bom && enc == TSG_ENC_UTF8) {
        bytes += 3;
        n -= 3;
    }
    if (enc != TSG_ENC_CP932) {
        size_t bad = store_utf8_check(bytes, n);
        if (bad == n) {
            if (!(*out = util_strndup(bytes, n))) return util_fail(err, TSG_ENOMEM, _("%s: out of memory"), file);
            *outlen = n;
            return TSG_OK;
        }
        /* Valid multi-byte UTF-8 before the bad byte means a damaged UTF-8
         * file, not Shift_JIS: reading it as CP932 would garble it silently. */
        int utf8_before = 0;
        for (size_t i = 0; i < bad && !utf8_before; i++) utf8_before = (unsigned char)bytes[i] >= 0x80;
        if (enc == TSG_ENC_UTF8 || utf8_before) {
            long line, col;
            position(bytes, bad, &line, &col);
            return util_fail(err, TSG_EINPUT,
                             _("%s:%ld:%ld: byte 0x%02X is not valid UTF-8 (if the file is Shift_JIS, "
                             "use --encoding cp932)"),
                             file, line, col, (unsigned char)bytes[bad]);
        }
    }
    return from_cp932(file, bytes, n, out, outlen, err);
}
