/* The limits that turn a runaway question into an error (docs/reliability.md):
 * result size and a statement's time. The parser's limits (nesting, name
 * and statement length) are in test_parse.c and tests/lang/errors.test. */
#include "helpers.h"
#include "netplus.h"
#include "network.h"
#include "period.h"
#include "query.h"
#include "result.h"
#include "store.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* A session on a fresh copy of the sample city. */
static tsg_session_t *sample_session(tsg_db_t **db)
{
    char *dir = th_tempdir();
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/city.db", dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_session_t *s;
    cr_assert_eq(tsg_open(path, db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(*db, &s, &err), TSG_OK, "%s", err.text);
    free(dir);
    free(path);
    return s;
}

Test(limits, a_result_keeps_one_row_past_the_limit_and_emit_refuses_it)
{
    const char *col = "n";
    tsg_result_t *r = qry_result_new("big", 1, &col);
    cr_assert(r);
    char cell[32];
    const char *cells[] = {cell};
    for (unsigned i = 0; i < QRY_MAX_ROWS + 10; i++) {
        snprintf(cell, sizeof cell, "%u", i);
        cr_assert_eq(qry_result_add(r, cells), 0);
    }
    cr_expect_eq(r->nrows, QRY_MAX_ROWS + 1, "rows kept: %zu", r->nrows);
    cr_expect_str_eq(r->cells[QRY_MAX_ROWS], "1000000");

    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    cr_expect_eq(qry_emit(s, r), TSG_EINPUT);
    cr_expect(strstr(s->ctx.msg, "more than 1000000 rows"), "%s", s->ctx.msg);

    /* One row under the limit is emitted as usual. */
    s->ctx.failed = 0;
    tsg_result_t *ok = qry_result_new("fits", 1, &col);
    for (unsigned i = 0; i < QRY_MAX_ROWS; i++) cr_assert_eq(qry_result_add(ok, cells), 0);
    cr_expect_eq(qry_emit(s, ok), TSG_OK);
    tsg_session_close(s);
    tsg_close(db);
}

/* Rows written in place (qry_result_room, REACH's rows) keep the rule by
 * which qry_result_add grows the cells (double at each power of two): rows
 * added after them find their room, whatever was added before and however
 * few of the rows made room for were written (the sanitizer build sees an
 * overrun; here the cells read back, in order, are the oracle). And the
 * room stops where the rows a result keeps stop, as qry_result_add does. */
Test(limits, rows_written_in_place_leave_room_for_rows_added_after)
{
    static const char *const text[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    const char *cols[] = {"a", "b"};
    for (size_t before = 0; before < 6; before++)
        for (size_t most = 0; most < 10; most++)
            for (size_t wrote = 0; wrote <= most; wrote++) {
                tsg_result_t *r = qry_result_new(NULL, 2, cols);
                cr_assert(r);
                size_t n = 0;
                for (; n < before; n++) cr_assert_eq(qry_result_add(r, (const char *[]){text[n % 10], "x"}), 0);
                size_t room = most;
                char **row = qry_result_room(r, &room);
                cr_assert(row);
                cr_assert_eq(room, most);
                for (size_t i = 0; i < wrote; i++, n++) {
                    row[2 * i] = (char *)text[n % 10];
                    row[2 * i + 1] = (char *)"y";
                }
                qry_result_filled(r, wrote);
                for (size_t i = 0; i < 40; i++, n++)
                    cr_assert_eq(qry_result_add(r, (const char *[]){text[n % 10], "z"}), 0);
                cr_assert_eq(r->nrows, n);
                for (size_t i = 0; i < n; i++)
                    cr_assert_str_eq(r->cells[2 * i], text[i % 10], "%zu before, room for %zu, %zu written: row %zu",
                                     before, most, wrote, i);
                tsg_result_free(r);
            }
    const char *col = "n";
    tsg_result_t *r = qry_result_new(NULL, 1, &col);
    size_t room = (size_t)QRY_MAX_ROWS + 10;
    cr_assert(qry_result_room(r, &room));
    cr_expect_eq(room, QRY_MAX_ROWS + 1, "room for %zu rows", room);
    tsg_result_free(r);
}

static tsg_status_t count_results(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    (void)r;
    (*(int *)ctx)++;
    return TSG_OK;
}

static void keep_error(void *ctx, const tsg_error_t *e) { (void)ctx, (void)e; }

Test(limits, a_statement_past_its_time_stops_and_the_next_one_runs)
{
    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    tsg_error_t err = {0};
    int results = 0;
    tsg_sink_t sink = {count_results, keep_error, &results};

    /* Loading the network and betweenness over every program cannot finish
     * in a millisecond; the limit covers SQLite and igraph alike. */
    tsg_session_timeout(s, 1);
    cr_expect_eq(tsg_session_get_timeout(s), 1);
    tsg_status_t st = tsg_session_run(s, "CENTRALITY betweenness OF programs WEIGHTED;", NULL, 0, &sink, &err);
    cr_expect_eq(st, TSG_EINPUT);
    cr_expect(strstr(err.text, "line 1, column 1: the statement ran longer than the time limit of 0.001 s"), "%s",
              err.text);
    cr_expect_eq(results, 0);

    /* With --keep-going the next statement runs: the limit is per statement. */
    tsg_session_timeout(s, 60 * 1000);
    st = tsg_session_run(s, "CENTRALITY betweenness OF programs WEIGHTED TOP 3; COUNT organisations BY sector;", NULL,
                         1, &sink, &err);
    cr_expect_eq(st, TSG_OK, "%s", err.text);
    cr_expect_eq(results, 2);

    tsg_session_close(s);
    tsg_close(db);
}

/* ---- numbers and dates (util/bounds.h, issue 17 item 18) ---------------------- */

#include "bounds.h"
#include <time.h>

Test(bounds, whole_numbers_never_wrap)
{
    long v = -1;
    cr_expect_eq(util_parse_whole("150", UTIL_MAX_AGE, &v), 0);
    cr_expect_eq(v, 150);
    cr_expect_eq(util_parse_whole("151", UTIL_MAX_AGE, &v), -2);
    /* 2^32 and 2^64 + 1 would wrap to 0 and 1 through unsigned casts;
     * a thousand digits would overflow any strtol without its errno. */
    cr_expect_eq(util_parse_whole("4294967296", UTIL_MAX_NUMBER, &v), -2);
    cr_expect_eq(util_parse_whole("18446744073709551617", UTIL_MAX_NUMBER, &v), -2);
    char big[1001];
    memset(big, '9', 1000);
    big[1000] = '\0';
    cr_expect_eq(util_parse_whole(big, UTIL_MAX_NUMBER, &v), -2);
    /* Exactly the maximum is allowed, one more is not. */
    cr_expect_eq(util_parse_whole("1000000000", UTIL_MAX_NUMBER, &v), 0);
    cr_expect_eq(v, 1000000000L);
    cr_expect_eq(util_parse_whole("1000000001", UTIL_MAX_NUMBER, &v), -2);
    /* Full-width digits, as a Japanese input method types them. */
    cr_expect_eq(util_parse_whole("\xEF\xBC\x91\xEF\xBC\x98", 150, &v), 0);
    cr_expect_eq(v, 18);
    /* Not numbers: a sign, blanks, nothing, a digit-like character. */
    const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "\xE2\x91\xA0" /* ① */, "9999999999999x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(util_parse_whole(bad[i], UTIL_MAX_NUMBER, &v), -1, "'%s'", bad[i]);
}

/* The oracle: the C library's own calendar. timegm normalises an impossible
 * day (30 February becomes 1 or 2 March), so a date exists exactly when it
 * comes back unchanged. It is independent of util_month_days. */
static int exists(int y, int m, int d)
{
    struct tm t = {0};
    t.tm_year = y - 1900;
    t.tm_mon = m - 1;
    t.tm_mday = d;
    t.tm_hour = 12;
    time_t when = timegm(&t);
    struct tm back;
    gmtime_r(&when, &back);
    return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d;
}

Test(bounds, every_day_from_1890_to_3010_agrees_with_the_c_library_calendar)
{
    char text[32], iso[11];
    long checked = 0;
    for (int y = 1890; y <= 3010; y++)
        for (int m = 0; m <= 13; m++)
            for (int d = 0; d <= 32; d++) {
                int want = y >= UTIL_MIN_YEAR && y <= UTIL_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && exists(y, m, d);
                snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
                int got = util_date_parse(text, iso);
                cr_assert_eq(got ? 1 : 0, want, "%s: %d, the C library says %d", text, got, want);
                if (want) {
                    cr_assert_str_eq(iso, text);
                    cr_assert_eq(util_date_first(text), (long)y * 10000 + m * 100 + d);
                    checked++;
                }
                /* Excel's form, without leading zeros, means the same day. */
                snprintf(text, sizeof text, "%d/%d/%d", y, m, d);
                cr_assert_eq(util_date_parse(text, NULL) ? 1 : 0, want, "%s", text);
            }
    /* 1100 years of 365 or 366 days. */
    cr_expect_eq(checked, 1100L * 365 + 267, "%ld days", checked);
}

Test(bounds, a_month_or_a_year_runs_to_its_real_last_day)
{
    cr_expect_eq(util_date_first("2024"), 20240101);
    cr_expect_eq(util_date_last("2024"), 20241231);
    cr_expect_eq(util_date_last("2024-02"), 20240229);
    cr_expect_eq(util_date_last("2100-02"), 21000228);
    cr_expect_eq(util_date_last("2025-04"), 20250430);
    const char *bad[] = {"", "25", "2025-", "2025-4-", "2025-04-01-", "2025-04/01", "12025", "2025-004", "2025-1-1x",
                         "1899", "3000", " 2025"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(util_date_parse(bad[i], NULL), 0, "'%s'", bad[i]);
        cr_expect_eq(util_date_first(bad[i]), 0, "'%s'", bad[i]);
    }
}

typedef struct caught {
    char text[2048];
} caught_t;

static void catch_error(void *ctx, const tsg_error_t *e) { snprintf(((caught_t *)ctx)->text, 2048, "%s", e->text); }
static tsg_status_t drop_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)ctx, (void)r, (void)err;
    return TSG_OK;
}

/* Parameters come as text and were read with strtol: 2^32 became a long,
 * then wrapped to 0 hops through an int cast, and SAMPLE's message said
 * "20 or more". Each is now refused at the parameter with the limit. */
Test(bounds, a_parameter_is_range_checked_where_it_is_used)
{
    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    tsg_error_t err = {0};
    caught_t c = {""};
    tsg_sink_t sink = {drop_result, catch_error, &c};
    static const struct {
        const char *value, *stmt, *message;
    } cases[] = {
        {"4294967296",
         "EXPORT DOT OF '西区' TO '/tmp/tsunagi-never.dot' HIGHLIGHT GAPS FOR hikikomori AGED 18..39 NEEDS place WITHIN $k HOPS;",
         "$k is '4294967296', a number above 1000000000"},
        {"1000",
         "EXPORT DOT OF '西区' TO '/tmp/tsunagi-never.dot' HIGHLIGHT GAPS FOR hikikomori AGED 18..39 NEEDS place WITHIN $k HOPS;",
         "WITHIN takes 0 to 50 hops"},
        {"4294967296", "CENTRALITY betweenness OF organisations SAMPLE $k;", "$k is '4294967296', a number above"},
        {"100000001", "CENTRALITY betweenness OF organisations SAMPLE $k;", "SAMPLE takes 20 to 100000000"},
        {"99999999999999999999", "REACH FROM '北区社会福祉協議会' WITHIN $k HOPS;", "a number above 1000000000"},
        {"18..99999999999999999999", "FIND programs WHERE age = $k;", "ages run from 0 to 150"},
        {"2026-02-30", "GAPS FOR hikikomori AGED 18..39 IN '西区' NEEDS place AS OF $k;", "'2026-02-30' is not a date that exists"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c.text[0] = '\0';
        cr_assert_eq(tsg_session_param(s, "k", cases[i].value, &err), TSG_OK);
        cr_expect_eq(tsg_session_run(s, cases[i].stmt, NULL, 0, &sink, &err), TSG_EINPUT, "%s", cases[i].stmt);
        cr_expect(strstr(c.text, cases[i].message), "%s with $k = %s: %s", cases[i].stmt, cases[i].value, c.text);
    }
    tsg_session_close(s);
    tsg_close(db);
}

/* ---- messages never end in half a character (issue 18, item 5) ------------- */

#include "util.h"

/* Whether s is well-formed UTF-8 (no cut character, no stray byte). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!n) return 0;
        for (int k = 1; k < n; k++)
            if ((p[k] & 0xC0) != 0x80) return 0;
        p += n;
    }
    return 1;
}

Test(messages, a_cut_message_ends_at_a_character_boundary)
{
    /* "あ" is 3 bytes: 11 of them do not fit in 32 bytes (31 + NUL), and a
     * byte-wise cut leaves one byte of the eleventh. */
    char buf[32], name[3 * 11 + 1] = "";
    for (int i = 0; i < 11; i++) strcat(name, "あ");
    int n = util_snprintf(buf, sizeof buf, "x%s", name);
    cr_expect_eq(n, 34, "the untruncated length, as snprintf");
    cr_expect_eq(strlen(buf), 31, "1 + 10 whole characters");
    cr_expect(utf8_ok(buf));
    /* Every cut point, and 2- and 4-byte characters too. */
    const char *chars[] = {"é", "あ", "𠮷"};
    for (size_t c = 0; c < 3; c++)
        for (size_t size = 1; size <= 12; size++) {
            char small[12];
            util_snprintf(small, size, "%s%s%s%s", chars[c], chars[c], chars[c], chars[c]);
            cr_expect(utf8_ok(small), "%s in %zu bytes: '%s'", chars[c], size, small);
            cr_expect_eq(strlen(small) % strlen(chars[c]), 0, "%s in %zu bytes", chars[c], size);
        }
}

Test(messages, an_error_quoting_a_long_japanese_name_is_whole_utf8)
{
    /* The parser's message buffer holds 512 bytes: "no … named '<400 あ>'"
     * was cut inside a character, and the message printed as mojibake. */
    tsg_db_t *db;
    tsg_session_t *s = sample_session(&db);
    char stmt[1400] = "SHOW '";
    for (int i = 0; i < 400; i++) strcat(stmt, "あ");
    strcat(stmt, "';");
    tsg_error_t err = {0};
    cr_assert_neq(tsg_session_run(s, stmt, NULL, 0, NULL, &err), TSG_OK);
    cr_expect(strlen(err.text) > 500, "%s", err.text);
    cr_expect(utf8_ok(err.text), "%s", err.text);
    /* And a message the library writes into tsg_error_t directly. */
    tsg_error_t e2 = {0};
    util_fail(&e2, TSG_EINPUT, "%s", stmt);
    cr_expect(utf8_ok(e2.text), "%s", e2.text);
    tsg_session_close(s);
    tsg_close(db);
}

/* The network in memory holds nids, counts and ages in narrow fields and a
 * program's districts in 16 bits (engine/network.h, h-lean). A database
 * whose values do not fit is refused by the loader, never wrapped into
 * another node, count or age: each test plants one such value into a
 * copy of the sample city by hand (the schema's CHECKs set aside, as
 * another program could) and loads it on a raw connection, as
 * bench/scale_bench.c does, so that nothing but the loader can refuse it. */
static char *planted_city(const char *sql)
{
    char *dir = th_tempdir();
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/city.db", dir);
    free(dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import(path, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF;", NULL, NULL, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_close(db);
    return path;
}

static tsg_status_t raw_load(const char *path, eng_net_t **net, tsg_error_t *err)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    tsg_db_t store = {.sql = db};
    tsg_status_t s = store_period_functions(db, err);
    if (!s) s = eng_net_load(&store, net, err);
    sqlite3_close(db);
    return s;
}

static void refused(const char *sql, const char *because)
{
    char *path = planted_city(sql);
    eng_net_t *net = NULL;
    tsg_error_t err = {0};
    cr_expect_neq(raw_load(path, &net, &err), TSG_OK, "loaded: %s", sql);
    cr_expect_null(net);
    cr_expect(strstr(err.text, because) != NULL, "%s: %s", sql, err.text);
    free(path);
}

Test(limits, a_tie_count_beyond_32_bits_is_refused_not_wrapped)
{
    /* 2^32 + 7 would wrap to 7 in the tie's int32 count. */
    refused("UPDATE tie SET count = 4294967303 WHERE tid = (SELECT min(tid) FROM tie);", "count of tie");
    refused("UPDATE tie SET count = 2147483648 WHERE tid = (SELECT min(tid) FROM tie);", "count of tie");
}

Test(limits, an_age_beyond_16_bits_is_refused_not_wrapped)
{
    /* 65,536 + 18 would wrap to 18 in the program's int16 age. */
    refused("UPDATE program SET age_min = 65554 WHERE nid = (SELECT min(nid) FROM program);", "age_min");
    refused("UPDATE program SET age_max = 32768 WHERE nid = (SELECT min(nid) FROM program);", "age_max");
    /* 2^32 + 18: read as a C int it was 18 (sqlite3_column_int keeps the
     * low 32 bits); read in 64 bits it is refused as well. */
    refused("UPDATE program SET age_min = 4294967314 WHERE nid = (SELECT min(nid) FROM program);", "age_min");
    /* The same as a past value (history, in force until 2099): read with
     * atoi it was 18 too. */
    refused("INSERT INTO history(nid, field, value, until)"
            " SELECT min(nid), 'age_min', '4294967314', '2099-01-01' FROM program;",
            "age_min");
}

/* The loader asks a nullable number's type only when its value reads 0
 * (store/netread.c, int_or_none): a count of 0 stays 0 and NULL stays
 * unknown (-1), as the database has them (the oracle: the rows planted). */
Test(limits, a_tie_count_of_0_and_a_null_count_load_apart)
{
    char *path = planted_city("UPDATE tie SET count = 0 WHERE tid = (SELECT min(tid) FROM tie);"
                              " UPDATE tie SET count = NULL WHERE tid = (SELECT max(tid) FROM tie);"
                              " UPDATE program SET age_min = 0, age_max = NULL WHERE nid = (SELECT min(nid) FROM program);");
    eng_net_t *net = NULL;
    tsg_error_t err = {0};
    cr_assert_eq(raw_load(path, &net, &err), TSG_OK, "%s", err.text);
    /* The ties are in tid order, and every tie of the sample city exists today. */
    cr_assert_gt(net->nties, 1);
    cr_expect_eq(net->ties[0].count, 0);
    cr_expect_eq(net->ties[net->nties - 1].count, -1);
    cr_expect_eq(net->programs[0].age_min, 0);
    cr_expect_eq(net->programs[0].age_max, -1);
    eng_net_free(net);
    free(path);
}

Test(limits, a_nid_beyond_32_bits_is_refused)
{
    /* A node numbered 2^32 + 1 would be node 1 in 32 bits. */
    refused("INSERT INTO node(nid, type, id) VALUES (4294967297, 'forum', 'f-far');", "node numbers go up to");
}

/* A network holding the most ties one may (ENG_MAX_TIES, network.h) takes
 * no tie more: SUGGEST TIES' one-tie-more view is refused, and the message
 * names the limit passed, not a count of ties or node numbers it does not
 * know (the loader refuses at the tie past the limit with the same words).
 * The view looks at nothing of the base before its count. */
Test(limits, a_network_at_the_tie_limit_takes_no_tie_more)
{
    eng_net_t base = {.nties = ENG_MAX_TIES, .maxnid = 7};
    eng_plus_t plus;
    tsg_error_t err = {0};
    cr_assert_eq(eng_plus_init(&plus, &base, &err), TSG_EINPUT);
    char want[128];
    snprintf(want, sizeof want, "too big to load: more than %u ties", ENG_MAX_TIES);
    cr_expect_str_eq(strstr(err.text, "too big") ? strstr(err.text, "too big") : err.text, want);
}

/* The session's names hold nids in 32 bits too (qry_name_t): a node
 * numbered 2^32 + 1 is refused where the names are read, not named as
 * node 1. store_check refuses such a file first (a node without its row,
 * numbers far past the count of nodes), so the test lets the names' load
 * run unchecked, as nothing else reaches it. */
Test(limits, a_names_nid_beyond_32_bits_is_refused)
{
    setenv("TSUNAGI_CACHE", "off", 1);
    char *path = planted_city("INSERT INTO node(nid, type, id) VALUES (4294967297, 'forum', 'f-far');");
    tsg_db_t *db;
    tsg_session_t *s;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    cr_expect_neq(qry_load_lazy(s), TSG_OK);
    cr_expect(strstr(s->ctx.msg, "damaged database"), "%s", s->ctx.msg);
    s->ctx.failed = 0;
    s->unchecked = 0;
    cr_expect_eq(qry_load_lazy(s), TSG_EDB);
    cr_expect(strstr(s->ctx.msg, "node 4294967297 is out of range"), "%s", s->ctx.msg);
    cr_expect_eq(s->nnames, 0);
    tsg_session_close(s);
    tsg_close(db);
    free(path);
}

/* The districts a program lists: 65,535 load, one more is refused. */
#define AREAS(n)                                                                                                   \
    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < " #n ")"                               \
    " INSERT INTO program_area(program, pos, district) SELECT p, i, -i FROM k,"                                      \
    " (SELECT min(program) AS p FROM program_area);"

Test(limits, a_program_lists_at_most_65535_districts)
{
    char *path = planted_city("DELETE FROM program_area WHERE program = (SELECT min(program) FROM program_area) AND pos > 0;"
                              AREAS(65534));
    eng_net_t *net = NULL;
    tsg_error_t err = {0};
    cr_assert_eq(raw_load(path, &net, &err), TSG_OK, "%s", err.text);
    int most = 0;
    for (size_t i = 0; i < net->nprograms; i++)
        if (net->programs[i].narea > most) most = net->programs[i].narea;
    cr_expect_eq(most, 65535);
    eng_net_free(net);
    free(path);
    refused("DELETE FROM program_area WHERE program = (SELECT min(program) FROM program_area) AND pos > 0;" AREAS(65535),
            "lists more than 65535 districts");
}

/* The loader sets a program's lists as the rows come when they come by
 * program and position 0, 1, 2 …, and keeps the rows' places to sort them
 * otherwise. A row deleted and written again comes last (the tables are
 * read in rowid order), and positions moved apart come in order with gaps:
 * either way each program's lists are what they were (the oracle: the
 * same database before the edit, whose lists the edit does not change). */
static void same_lists(const eng_net_t *a, const eng_net_t *b)
{
    cr_assert_eq(a->nprograms, b->nprograms);
    for (size_t i = 0; i < a->nprograms; i++) {
        const eng_program_t *p = &a->programs[i], *q = &b->programs[i];
        const eng_list_t *lp[] = {&p->targets, &p->needs, &p->modes}, *lq[] = {&q->targets, &q->needs, &q->modes};
        for (int l = 0; l < 3; l++) {
            cr_assert_eq(lp[l]->n, lq[l]->n, "program %d list %d", p->nid, l);
            for (int k = 0; k < lp[l]->n; k++) cr_expect_str_eq(lp[l]->v[k], lq[l]->v[k]);
        }
        cr_assert_eq(p->narea, q->narea, "program %d", p->nid);
        for (int k = 0; k < p->narea; k++) cr_expect_eq(p->area[k], q->area[k]);
    }
}

Test(limits, lists_edited_out_of_order_load_as_they_were)
{
    char *path = planted_city("");
    eng_net_t *before, *after;
    tsg_error_t err = {0};
    cr_assert_eq(raw_load(path, &before, &err), TSG_OK, "%s", err.text);
    free(path);
    static const char *const edits[] = {
        /* the first row of the first program with two targets (areas) written again: it comes last */
        "CREATE TEMP TABLE r AS SELECT * FROM program_target WHERE pos = 0 AND program ="
        " (SELECT program FROM program_target WHERE pos = 1 ORDER BY rowid LIMIT 1);"
        " DELETE FROM program_target WHERE rowid IN (SELECT t.rowid FROM program_target t JOIN r USING (program, pos));"
        " INSERT INTO program_target SELECT * FROM r;"
        " CREATE TEMP TABLE a AS SELECT * FROM program_area WHERE rowid = (SELECT min(rowid) FROM program_area);"
        " DELETE FROM program_area WHERE rowid = (SELECT min(rowid) FROM program_area);"
        " INSERT INTO program_area SELECT * FROM a;",
        /* positions 0, 10, 20 … for every need and mode: in order, not dense */
        "UPDATE program_need SET pos = pos * 10; UPDATE program_mode SET pos = pos * 10 + 3;",
    };
    for (size_t e = 0; e < sizeof edits / sizeof *edits; e++) {
        path = planted_city(edits[e]);
        cr_assert_eq(raw_load(path, &after, &err), TSG_OK, "%s", err.text);
        same_lists(before, after);
        eng_net_free(after);
        free(path);
    }
    eng_net_free(before);
}
