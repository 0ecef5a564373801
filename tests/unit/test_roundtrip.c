/*
 * Export and import reproduce the network: the sample city's CSV, imported
 * and exported, gives back the committed files byte for byte, and a second
 * import → export gives the same bytes again. Also: good input in the other
 * accepted spellings (CP932, BOM, CRLF, labels, full-width digits) lands as
 * the same database as the canonical form.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = {"districts.csv", "organisations.csv", "programs.csv", "forums.csv", "ties.csv"};

static void in_tempdir(void)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
}

static void export_db(const char *db_path, const char *dir)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create(db_path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_export_csv(db, dir, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
}

static void assert_same_files(const char *a, const char *b)
{
    for (int i = 0; i < 5; i++) {
        char pa[4096], pb[4096];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        char *x = th_read(pa), *y = th_read(pb);
        cr_expect_str_eq(x, y, "%s differs from %s", pa, pb);
        free(x);
        free(y);
    }
}

Test(roundtrip, sample_city_is_byte_identical)
{
    in_tempdir();
    tsg_error_t err = {0};
    tsg_import_counts_t c;
    tsg_db_t *db;
    cr_assert_eq(tsg_create("a.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_import_csv(db, TSG_SAMPLE_SRC, TSG_ENC_AUTO, &c, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    cr_assert_gt(c.programs, 0);
    export_db("a.db", "one");
    assert_same_files(TSG_SAMPLE_SRC, "one");
    cr_assert_eq(th_import("b.db", "one", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("b.db", "two");
    assert_same_files("one", "two");
    char *da = th_dump("a.db"), *dbb = th_dump("b.db");
    cr_expect_str_eq(da, dbb);
    free(da);
    free(dbb);
    cr_expect_neq(access("one/vocabulary.csv", F_OK), 0, "no user vocabulary, so no vocabulary.csv");
}

Test(roundtrip, user_vocabulary_survives)
{
    in_tempdir();
    cr_assert_eq(mkdir("city", 0777), 0);
    th_copy_dir(TSG_TEST_DATA "/mini", "city");
    th_write("city/vocabulary.csv", "kind,key,label_ja,aliases\n"
                                    "target,care_leaver,社会的養護経験者,ケアリーバー;施設退所者\n");
    th_replace_line("city/programs.csv", 4,
                    "p-line,24時間電話相談,o-kita-shakyo,everyone;ケアリーバー,,,consultation,phone,continuous,*,boundary,24h");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("a.db", "city", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("a.db", "out");
    char *v = th_read("out/vocabulary.csv");
    cr_expect_str_eq(v, "kind,key,label_ja,aliases\ntarget,care_leaver,社会的養護経験者,ケアリーバー;施設退所者\n");
    free(v);
    char *p = th_read("out/programs.csv");
    cr_expect_not_null(strstr(p, "p-line,24時間電話相談,o-kita-shakyo,everyone;care_leaver,,,"));
    free(p);
    cr_assert_eq(th_import("b.db", "out", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("b.db", "again");
    char *w = th_read("again/vocabulary.csv");
    cr_expect_str_eq(w, "kind,key,label_ja,aliases\ntarget,care_leaver,社会的養護経験者,ケアリーバー;施設退所者\n");
    free(w);
    /* Exporting a network without user vocabulary removes a stale file. */
    cr_assert_eq(th_import("c.db", TSG_TEST_DATA "/mini", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("c.db", "out");
    cr_expect_neq(access("out/vocabulary.csv", F_OK), 0);
}

/* Imports a variant of mini and checks it lands as the same database. */
static void assert_same_as_mini(tsg_encoding_t enc)
{
    tsg_error_t err = {0};
    cr_assert_eq(th_import("canonical.db", TSG_TEST_DATA "/mini", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(th_import("variant.db", "city", enc, &err), TSG_OK, "%s", err.text);
    char *a = th_dump("canonical.db"), *b = th_dump("variant.db");
    cr_expect_str_eq(b, a);
    free(a);
    free(b);
}

static void make_city(void)
{
    in_tempdir();
    cr_assert_eq(mkdir("city", 0777), 0);
    th_copy_dir(TSG_TEST_DATA "/mini", "city");
}

/* Saves every file of city/ as Japanese Excel would: CP932. */
static void city_to_cp932(void)
{
    for (int i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "city/%s", files[i]);
        th_to_cp932(path);
    }
}

Test(accepted_input, cp932_detected)
{
    make_city();
    city_to_cp932();
    assert_same_as_mini(TSG_ENC_AUTO);
}

Test(accepted_input, cp932_chosen)
{
    make_city();
    /* Chosen CP932 applies to every file of the folder. */
    city_to_cp932();
    assert_same_as_mini(TSG_ENC_CP932);
}

Test(accepted_input, bom_crlf_labels_and_full_width)
{
    make_city();
    char *p = th_read("city/programs.csv");
    /* A BOM, CRLF line ends, labels for keys, full-width digits, padding. */
    th_write("city/programs.csv", "\xEF\xBB\xBF");
    FILE *f = fopen("city/programs.csv", "ab");
    for (char *s = p; *s; s++) {
        if (*s == '\n') fputc('\r', f);
        fputc(*s, f);
    }
    fclose(f);
    free(p);
    th_replace_line("city/programs.csv", 3,
                    "p-ibasho,若者の居場所,o-npo-youth,ひきこもり　；ヤングケアラー,１５, 39 ,居場所;peer,GATHERING,everyday, d-kita-1 ;d-kita-2,制度外,\r");
    th_replace_line("city/organisations.csv", 4, "o-npo-youth,\"NPO法人 \"\"つなぐ\"\" 若者ネット\",ＮＰＯ,d-kita-1");
    th_replace_line("city/ties.csv", 5, "o-city,f-platform,membership,,2024/4/1");
    assert_same_as_mini(TSG_ENC_AUTO);
}

Test(accepted_input, a_cell_that_ends_the_file_buffer)
{
    /* Trimming looked three bytes ahead for a full-width space, past the
     * end of a cell that ends the buffer (AddressSanitizer watches). */
    make_city();
    th_write("city/organisations.csv", "id,name,sector,district_id\no-city,NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN,"
                                       "government,\no-kita-shakyo,S,shakyo,\no-npo-youth,Y,npo,\no-bank,B,company,");
    tsg_error_t err = {0};
    cr_expect_eq(th_import("a.db", "city", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
}

Test(accepted_input, import_replaces_the_network)
{
    in_tempdir();
    tsg_error_t err = {0};
    cr_assert_eq(th_import("x.db", TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(th_import("x.db", TSG_TEST_DATA "/mini", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(th_import("y.db", TSG_TEST_DATA "/mini", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    char *a = th_dump("x.db"), *b = th_dump("y.db");
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(sample, built_on_first_use_and_reused)
{
    char *dir = th_tempdir();
    setenv("XDG_CACHE_HOME", dir, 1);
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open_sample(&db, &err), TSG_OK, "%s", err.text);
    char *path = strdup(tsg_db_path(db));
    cr_expect_eq(strncmp(path, dir, strlen(dir)), 0);
    tsg_result_t **rs;
    size_t n;
    cr_assert_eq(tsg_summary(db, &rs, &n, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(n, 5); /* four tables and the freshness line (issue 21 item 8) */
    cr_expect_eq(rs[4]->kind, TSG_RESULT_MESSAGE);
    cr_expect_str_eq(rs[0]->cols[0], "what");
    cr_expect_str_eq(rs[0]->cells[2 * 2], "programs");
    cr_expect_gt(atoi(rs[0]->cells[2 * 2 + 1]), 0);
    tsg_results_free(rs, n);
    tsg_close(db);
    cr_assert_eq(tsg_open_sample(&db, &err), TSG_OK, "%s", err.text);
    cr_expect_str_eq(tsg_db_path(db), path);
    tsg_close(db);
    free(path);
    free(dir);
}

Test(store, refuses_a_newer_schema)
{
    in_tempdir();
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create("new.db", &db, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    sqlite3 *raw;
    cr_assert_eq(sqlite3_open("new.db", &raw), SQLITE_OK);
    sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(raw);
    cr_assert_eq(tsg_open("new.db", &db, &err), TSG_EDB);
    cr_expect_str_eq(err.text, "new.db: written by a newer tsunagi (schema 99; this one knows up to 4)");
}

/* Issue 17, item 6: only tsg_create makes an empty file a database, and a
 * refused file is left as it was (no WAL, no tables). */
Test(store, only_create_makes_an_empty_file_a_database)
{
    in_tempdir();
    th_write("empty.db", "");
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("empty.db", &db, &err), TSG_EDB);
    cr_expect_str_eq(err.text, "empty.db: empty, not a tsunagi database (only 'tsunagi import' makes a new one)");
    struct stat sb;
    cr_expect(stat("empty.db", &sb) == 0 && sb.st_size == 0, "the refused file changed");
    cr_expect(access("empty.db-wal", F_OK) != 0);
    cr_assert_eq(tsg_create("empty.db", &db, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    cr_assert_eq(tsg_open("empty.db", &db, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    cr_assert_eq(tsg_open("missing.db", &db, &err), TSG_EDB);
    cr_expect_str_eq(err.text, "missing.db: no such database");
    cr_expect(access("missing.db", F_OK) != 0);
}

Test(store, refuses_a_schema_version_no_tsunagi_wrote)
{
    in_tempdir();
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create("v.db", &db, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    sqlite3 *raw;
    cr_assert_eq(sqlite3_open("v.db", &raw), SQLITE_OK);
    sqlite3_exec(raw, "PRAGMA user_version = -1000", NULL, NULL, NULL);
    sqlite3_close(raw);
    cr_assert_eq(tsg_open("v.db", &db, &err), TSG_EDB);
    cr_expect_str_eq(err.text, "v.db: not a tsunagi database (schema version -1000, which no tsunagi writes)");
    cr_assert_eq(tsg_create("v.db", &db, &err), TSG_EDB);
}

Test(store, refuses_a_file_that_is_not_a_database)
{
    in_tempdir();
    th_write("notes.db", "these are my notes, not a database, and they must survive\n");
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("notes.db", &db, &err), TSG_EDB);
    cr_expect_str_eq(err.text, "notes.db: file is not a database");
    char *s = th_read("notes.db");
    cr_expect_str_eq(s, "these are my notes, not a database, and they must survive\n");
    free(s);
}

/* ---- program dates (AS OF) and default needs from data ---- */

Test(dated, program_dates_round_trip_and_gaps_as_of)
{
    make_city();
    /* The 居場所 ran until March 2025; the phone line starts in 2026. */
    th_write("city/programs.csv",
             "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours,start,end\n"
             "p-soudan,総合相談窓口,o-city,everyone,,,consultation,counter;phone,problem_solving,d-city,yes,平日9-17時,,\n"
             "p-ibasho,若者の居場所,o-npo-youth,hikikomori;young_carer,15,39,place;peer,gathering,everyday,"
             "d-kita-1;d-kita-2,no,,2019-04,2025-03\n"
             "p-line,24時間電話相談,o-kita-shakyo,everyone,,,consultation,phone,continuous,*,boundary,24h,2026,\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("a.db", "city", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("a.db", "out");
    char *before = th_read("city/programs.csv"), *after = th_read("out/programs.csv");
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
    /* Running on 2025-03-31 (one provider: fragile, not missing), gone on
     * 2025-04-01. */
    static const char fragile[] =
        "fragility|d-kita-1|北小学校区|place|18|39|p-ibasho|only 'NPO法人 \"つなぐ\" 若者ネット' (o-npo-youth) provides it\n"
        "fragility|d-kita-2|北第二小学校区, 旧村|place|18|39|p-ibasho|only 'NPO法人 \"つなぐ\" 若者ネット' (o-npo-youth) "
        "provides it\n";
    char *on = th_run("a.db", "GAPS FOR hikikomori AGED 18..39 IN '北区' NEEDS place AS OF '2025-03-31';");
    cr_expect_str_eq(on, fragile);
    free(on);
    char *off = th_run("a.db", "GAPS FOR hikikomori AGED 18..39 IN '北区' NEEDS place AS OF '2025-04-01';");
    cr_expect_not_null(strstr(off, "coverage|d-kita-1|北小学校区|place|18|39|"), "%s", off);
    cr_expect_not_null(strstr(off, "coverage|d-kita-2|"), "%s", off);
    cr_expect_null(strstr(off, "fragility"), "%s", off);
    free(off);
    /* COVERAGE honours AS OF like GAPS. */
    char *cov = th_run("a.db", "COVERAGE FOR hikikomori AGED 18..39 IN '北区' NEEDS place AS OF '2025-04-01';");
    cr_expect_str_eq(cov, "北小学校区|—\n北第二小学校区, 旧村|—\n");
    free(cov);
    /* Without AS OF the day is today (after 2025-03): the 居場所 has ended,
     * so today's network does not have it either (a program is part of a
     * day's network only while it runs, h-asof). */
    char *all = th_run("a.db", "GAPS FOR hikikomori AGED 18..39 IN '北区' NEEDS place;");
    cr_expect_not_null(strstr(all, "coverage|d-kita-1|北小学校区|place|18|39|"), "%s", all);
    cr_expect_null(strstr(all, "fragility"), "%s", all);
    free(all);
    /* Before it began (2019-04) it is not counted either. */
    char *early = th_run("a.db", "GAPS FOR hikikomori AGED 18..39 IN '北区' NEEDS place AS OF '2019-03-31';");
    cr_expect_null(strstr(early, "fragility"), "%s", early);
    free(early);
}

Test(dated, start_after_end_is_refused)
{
    make_city();
    th_write("city/programs.csv",
             "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours,start,end\n"
             "p-soudan,総合相談窓口,o-city,everyone,,,consultation,counter,,d-city,,,2025-04,2024\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("a.db", "city", TSG_ENC_AUTO, &err), TSG_EINPUT);
    cr_expect_str_eq(err.text, "city/programs.csv:2:66: start 2025-04 is after end 2024");
}

Test(dated, default_needs_from_data_round_trip_and_apply)
{
    make_city();
    th_write("city/default_needs.csv", "target,needs\nhikikomori,peer\nyoung_carer,\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("a.db", "city", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("a.db", "out");
    char *v = th_read("out/default_needs.csv");
    cr_expect_str_eq(v, "target,needs\nhikikomori,peer\nyoung_carer,\n");
    free(v);
    /* GAPS without NEEDS now checks peer only for hikikomori … */
    char *rows = th_run("a.db", "GAPS FOR hikikomori AGED 18..39 IN '南区';");
    cr_expect_str_eq(rows, "coverage|d-minami-1|南小学校区|peer|18|39|p-ibasho|nearest: '若者の居場所' (15..39) serves "
                           "北小学校区, not 南小学校区\n");
    free(rows);
    /* … and young_carer has none left. */
    char *none = th_run("a.db", "GAPS FOR young_carer AGED 12..18 IN '南区';");
    cr_expect_not_null(strstr(none, "'young_carer' has no default needs"), "%s", none);
    free(none);
    /* A folder without the file brings back the built-in table. */
    cr_assert_eq(th_import("a.db", TSG_TEST_DATA "/mini", TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    export_db("a.db", "out");
    cr_expect_neq(access("out/default_needs.csv", F_OK), 0);
}
