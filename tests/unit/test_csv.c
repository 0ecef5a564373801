/* The RFC 4180 reader and writer: fields, quoting, line ends, positions. */
#include "csv.h"

#include <criterion/criterion.h>
#include <string.h>

static store_csv_t c;

static void open_text(const char *text) { store_csv_init(&c, "t.csv", text, strlen(text)); }

static void next(int expect_have)
{
    tsg_error_t err = {0};
    int have;
    cr_assert_eq(store_csv_next(&c, &have, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(have, expect_have);
}

static void fini(void) { store_csv_free(&c); }

TestSuite(csv, .fini = fini);

Test(csv, plain_and_quoted_fields)
{
    open_text("a,\"b,c\",\"say \"\"hi\"\"\",,\"\"\n");
    next(1);
    cr_assert_eq(c.n, 5);
    cr_expect_str_eq(c.field[0], "a");
    cr_expect_str_eq(c.field[1], "b,c");
    cr_expect_str_eq(c.field[2], "say \"hi\"");
    cr_expect_str_eq(c.field[3], "");
    cr_expect_str_eq(c.field[4], "");
    next(0);
}

Test(csv, line_ends_and_blank_lines)
{
    open_text("a,b\r\nc,d\re,f\n\n\ng,h");
    const char *want[] = {"a", "c", "e", "g"};
    long lines[] = {1, 2, 3, 6};
    for (int i = 0; i < 4; i++) {
        next(1);
        cr_expect_str_eq(c.field[0], want[i]);
        cr_expect_eq(c.rec_line, lines[i]);
    }
    next(0);
}

Test(csv, newline_inside_quotes_moves_the_line)
{
    open_text("\"one\ntwo\",x\ny,z\n");
    next(1);
    cr_expect_str_eq(c.field[0], "one\ntwo");
    cr_expect_eq(c.fline[1], 2);
    cr_expect_eq(c.fcol[1], 6);
    next(1);
    cr_expect_eq(c.rec_line, 3);
}

Test(csv, columns_count_characters)
{
    open_text("北区,\"南区\",x\n");
    next(1);
    cr_expect_eq(c.fcol[0], 1);
    cr_expect_eq(c.fcol[1], 5); /* the character after the opening quote */
    cr_expect_eq(c.fcol[2], 9);
}

Test(csv, errors_name_the_position)
{
    static const struct { const char *text, *msg; } cases[] = {
        {"a,\"b\nc", "t.csv:1:3: quoted field never closes (missing \")"},
        {"a,\"b\"c\n", "t.csv:1:6: unexpected text after a closing quote (a quote inside a field is written \"\")"},
        {"x\nab\"c\n", "t.csv:2:3: quote inside an unquoted field (quote the whole field and write the quote as \"\")"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        open_text(cases[i].text);
        tsg_error_t err = {0};
        int have;
        tsg_status_t s;
        while (!(s = store_csv_next(&c, &have, &err)) && have) {}
        cr_expect_eq(s, TSG_EINPUT);
        cr_expect_str_eq(err.text, cases[i].msg);
        store_csv_free(&c);
    }
}

Test(csv, writer_quotes_only_when_needed)
{
    util_buf_t b = {0};
    store_csv_put(&b, "plain", 0);
    store_csv_put(&b, "a,b", 0);
    store_csv_put(&b, "say \"hi\"", 0);
    store_csv_put(&b, NULL, 0);
    store_csv_put(&b, "two\nlines", 1);
    cr_expect_str_eq(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\n");
    open_text(b.data);
    next(1);
    cr_expect_str_eq(c.field[2], "say \"hi\"");
    cr_expect_str_eq(c.field[4], "two\nlines");
    util_buf_free(&b);
}
