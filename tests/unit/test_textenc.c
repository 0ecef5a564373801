/* Decoding files: UTF-8 checks, BOM, CP932 detection and conversion. */
#include "textenc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(utf8, accepts_valid_and_finds_the_first_bad_byte)
{
    const char ok[] = "abc 北区 😀";
    cr_expect_eq(store_utf8_check(ok, strlen(ok)), strlen(ok));
    static const struct { const char *s; size_t at; } bad[] = {
        {"ab\x80", 2},           /* a lone continuation byte */
        {"\xC0\xAF", 0},         /* overlong '/' */
        {"\xED\xA0\x80", 0},     /* a UTF-16 surrogate */
        {"x\xE5\x8C", 1},        /* cut short at the end */
        {"\xF4\x90\x80\x80", 0}, /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(store_utf8_check(bad[i].s, strlen(bad[i].s)), bad[i].at, "case %zu", i);
}

static char *decode(const char *bytes, tsg_encoding_t enc, tsg_status_t want, tsg_error_t *err)
{
    char *out = NULL;
    size_t n;
    cr_assert_eq(store_decode("f.csv", bytes, strlen(bytes), enc, &out, &n, err), want, "%s", err->text);
    return out;
}

Test(decode, strips_a_bom)
{
    tsg_error_t err = {0};
    char *s = decode("\xEF\xBB\xBFid,name\n", TSG_ENC_AUTO, TSG_OK, &err);
    cr_expect_str_eq(s, "id,name\n");
    free(s);
}

Test(decode, detects_cp932)
{
    tsg_error_t err = {0};
    /* 北区 in CP932 */
    char *s = decode("\x96\x6B\x8B\xE6,x\n", TSG_ENC_AUTO, TSG_OK, &err);
    cr_expect_str_eq(s, "北区,x\n");
    free(s);
    /* CP932's extensions over plain Shift_JIS: ① (0x8740) */
    s = decode("\x87\x40", TSG_ENC_CP932, TSG_OK, &err);
    cr_expect_str_eq(s, "①");
    free(s);
}

Test(decode, reports_bad_cp932_position)
{
    tsg_error_t err = {0};
    decode("ab\n\x96\x6B\x82", TSG_ENC_CP932, TSG_EINPUT, &err);
    cr_expect_str_eq(err.text, "f.csv:2:2: byte 0x82 is not valid CP932 (the file ends inside a character)");
}

Test(encoding, names)
{
    tsg_encoding_t e;
    tsg_error_t err = {0};
    cr_expect_eq(tsg_encoding_parse("Shift_JIS", &e, &err), TSG_OK);
    cr_expect_eq(e, TSG_ENC_CP932);
    cr_expect_eq(tsg_encoding_parse("UTF-8", &e, &err), TSG_OK);
    cr_expect_eq(e, TSG_ENC_UTF8);
    cr_expect_eq(tsg_encoding_parse("latin1", &e, &err), TSG_EINPUT);
    cr_expect_str_eq(err.text, "unknown encoding 'latin1' (use auto, utf-8 or cp932)");
}
