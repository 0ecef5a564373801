/*
 * textenc — turning a file's bytes into UTF-8: strips a UTF-8 byte-order
 * mark, checks UTF-8 strictly, and converts CP932 (Shift_JIS as Japanese
 * Excel writes it) through iconv. In auto mode valid UTF-8 wins, otherwise
 * CP932 is tried. NUL bytes are refused (no text format here has them).
 *
 * On success *out is a new NUL-terminated UTF-8 string owned by the caller.
 * Errors name file:line:column of the first byte that cannot be decoded.
 */
#ifndef TSG_STORE_TEXTENC_H
#define TSG_STORE_TEXTENC_H

#include "tsunagi.h"

tsg_status_t store_decode(const char *file, const char *bytes, size_t n, tsg_encoding_t enc,
                          char **out, size_t *outlen, tsg_error_t *err);

/* Offset of the first byte that is not part of valid UTF-8, or n if none. */
size_t store_utf8_check(const char *s, size_t n);

#endif
