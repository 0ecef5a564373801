/*
 * Brokerage (Gould–Fernandez), which no common tool computes to compare
 * with: networks small enough to count every two-step by hand.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A folder holding the given organisations and ties, in a fresh temp dir. */
static void network(const char *orgs, const char *ties)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("net", 0777), 0);
    th_write("net/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("net/organisations.csv", orgs);
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n");
    th_write("net/forums.csv", "id,name,kind,district_id\n");
    th_write("net/ties.csv", ties);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
}

Test(brokers, each_role_once)
{
    /* c1 → c2 → n1 → n2 → n3, n1 → g1 → n3:
     *   n2 brokers n1 → n3, all npo:                     coordinator
     *   g1 brokers n1 → n3, A and C npo, B government:   itinerant
     *   c2 brokers c1 → n1, A and B company:             representative
     *   n1 brokers c2 → n2, B and C npo:                 gatekeeper
     *   n1 brokers c2 → g1, three sectors:               liaison */
    network("id,name,sector,district_id\nn1,N1,npo,d\nn2,N2,npo,d\nn3,N3,npo,d\ng1,G1,government,d\n"
            "c1,C1,company,d\nc2,C2,company,d\n",
            "from_id,to_id,kind,count,since\nc1,c2,referral,,\nc2,n1,referral,,\nn1,n2,referral,,\n"
            "n2,n3,referral,,\nn1,g1,referral,,\ng1,n3,referral,,\n");
    char *rows = th_run("net.db", "BROKERS;");
    cr_expect_str_eq(rows, "n1|N1|npo|0|1|0|0|1|2\n"
                           "n2|N2|npo|1|0|0|0|0|1\n"
                           "g1|G1|government|0|0|0|1|0|1\n"
                           "c2|C2|company|0|0|1|0|0|1\n");
    free(rows);
}

Test(brokers, a_closed_triad_is_no_brokerage_and_undirected_ties_go_both_ways)
{
    /* a — b — c undirected: b brokers a → c and c → a (liaison twice, three
     * sectors); adding a → c closes one direction only. */
    network("id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\nc,C,company,d\n",
            "from_id,to_id,kind,count,since\na,b,co_support,,\nb,c,co_support,,\n");
    char *open_ = th_run("net.db", "BROKERS;");
    cr_expect_str_eq(open_, "b|B|shakyo|0|0|0|0|2|2\n");
    free(open_);
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\na,b,co_support,,\nb,c,co_support,,\na,c,referral,,\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
    /* a → c closes a → b → c; c → b → a stays open (there is no c → a).
     * The new arc makes no broker of a (b → a → c: b → c exists) or of c
     * (a → c → b: a → b exists). */
    char *half = th_run("net.db", "BROKERS;");
    cr_expect_str_eq(half, "b|B|shakyo|0|0|0|0|1|1\n");
    free(half);
}

Test(igraph, a_closed_session_leaves_no_interrupt_flag_behind)
{
    /* Session b installs its Ctrl-C flag last, then goes; a's igraph work
     * must not read b's freed flag (AddressSanitizer watches). */
    network("id,name,sector,district_id\na,A,npo,d\nb,B,shakyo,d\nc,C,company,d\n",
            "from_id,to_id,kind,count,since\na,b,co_support,,\nb,c,co_support,,\n");
    tsg_db_t *db;
    tsg_session_t *a, *b;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &a, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &b, &err), TSG_OK, "%s", err.text);
    tsg_session_close(b);
    cr_expect_eq(tsg_session_run(a, "CENTRALITY betweenness OF organisations;", NULL, 0, NULL, &err), TSG_OK, "%s",
                 err.text);
    tsg_session_close(a);
    tsg_close(db);
}

/* A network big enough that exact betweenness takes far longer than a
 * millisecond: n organisations on a ring with three chords each. */
static void big_network(int n)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("big", 0777), 0);
    th_write("big/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("big/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n");
    th_write("big/forums.csv", "id,name,kind,district_id\n");
    size_t cap = (size_t)n * 160 + 64;
    char *orgs = malloc(cap), *ties = malloc(cap);
    cr_assert(orgs && ties);
    size_t lo = (size_t)sprintf(orgs, "id,name,sector,district_id\n");
    size_t lt = (size_t)sprintf(ties, "from_id,to_id,kind,count,since\n");
    for (int i = 0; i < n; i++) {
        lo += (size_t)sprintf(orgs + lo, "o%d,団体%d,npo,d\n", i, i);
        lt += (size_t)sprintf(ties + lt, "o%d,o%d,referral,%d,\n", i, (i + 1) % n, 1 + i % 7);
        lt += (size_t)sprintf(ties + lt, "o%d,o%d,referral,,\n", i, (i * 7 + 3) % n);
        lt += (size_t)sprintf(ties + lt, "o%d,o%d,referral,,\n", i, (i * 13 + 5) % n);
    }
    th_write("big/organisations.csv", orgs);
    th_write("big/ties.csv", ties);
    free(orgs);
    free(ties);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("big.db", "big", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);
}

/* Runs betweenness on s under a 1 ms limit, after loading the network and
 * its view with a quick statement, so only igraph can still be running
 * when the limit passes: the limit must stop igraph itself. */
static void timeout_stops_igraph(tsg_session_t *s)
{
    tsg_error_t err = {0};
    cr_assert_eq(tsg_session_run(s, "CENTRALITY degree OF organisations TOP 1;", NULL, 0, NULL, &err), TSG_OK, "%s",
                 err.text);
    tsg_session_timeout(s, 1);
    tsg_status_t st = tsg_session_run(s, "CENTRALITY betweenness OF organisations TOP 1;", NULL, 0, NULL, &err);
    cr_expect_eq(st, TSG_EINPUT, "igraph ran to the end past the time limit");
    cr_expect(st && strstr(err.text, "the time limit"), "%s", err.text);
    tsg_session_timeout(s, 0);
}

Test(igraph, closing_one_session_leaves_the_others_able_to_stop_igraph, .timeout = 120)
{
    /* igraph's interruption handler is process-wide. It used to be pointed
     * at a session when the session opened, and cleared when that session
     * closed: open a, open b, close b left a's --timeout and Ctrl-C unable
     * to stop igraph. Installed per statement, every order works. */
    big_network(3000);
    tsg_db_t *db;
    tsg_session_t *a, *b;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_open("big.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &a, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &b, &err), TSG_OK, "%s", err.text);
    tsg_session_close(b);
    timeout_stops_igraph(a);
    /* The brief's order: open a, open b, close a; b still stops. */
    cr_assert_eq(tsg_session_open(db, &b, &err), TSG_OK, "%s", err.text);
    tsg_session_close(a);
    timeout_stops_igraph(b);
    tsg_session_close(b);
    tsg_close(db);
}
