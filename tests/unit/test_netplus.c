/* What GAPS' walk relies on in the network, against its oracles: the
 * referral index (ref_off, ref_to) against the rule it states over the
 * steps; SUGGEST TIES' one-tie-more view (engine/netplus.h) against the
 * network loaded from a copy of the database with the same tie inserted,
 * which is what the view says it is; and a day's network holding only the
 * programs running that day. */
#include "helpers.h"
#include "gaps.h"
#include "netplus.h"
#include "network.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The network of the database at path on day (0: today), with only the
 * confirmed ties when confirmed_only (USING confirmed ties). */
static eng_net_t *load_with(const char *path, long day, int confirmed_only)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_with(db, day, confirmed_only, &net, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    return net;
}

static eng_net_t *load(const char *path) { return load_with(path, 0, 0); }

/* Runs SQL on the database at path with foreign keys on, as tsunagi has
 * them (a node deleted takes its program and ties with it). */
static void plant(const char *path, const char *sql)
{
    char *text = malloc(strlen(sql) + 32);
    cr_assert(text);
    sprintf(text, "PRAGMA foreign_keys = ON; %s", sql);
    th_sql(path, text);
    free(text);
}

/* The rule: a node's referral index lists, in the order of its steps, the
 * programs that a referral step from it reaches when it is a program. */
static void check_referral_index(const eng_net_t *net)
{
    size_t n = (size_t)net->maxnid + 2, seen = 0;
    for (size_t u = 0; u < n; u++) {
        size_t k = net->ref_off[u];
        cr_assert_eq(k, seen, "ref_off[%zu]", u);
        for (size_t j = net->off[u]; j < net->off[u + 1]; j++) {
            const eng_step_t *st = &net->steps[j];
            if (st->kind != ENG_REFERRAL || net->type[u] != ENG_PROGRAM || net->type[st->to] != ENG_PROGRAM) continue;
            cr_assert_lt(k, net->ref_off[u + 1], "node %zu lists too few referrals", u);
            cr_assert_eq(net->ref_to[k], st->to, "node %zu, referral %zu", u, k - net->ref_off[u]);
            k++;
        }
        cr_assert_eq(k, net->ref_off[u + 1], "node %zu lists too many referrals", u);
        seen = k;
    }
    cr_assert_eq(net->ref_off[n], seen);
    /* What GAPS' walk no longer tests: every node it is led to is a program. */
    for (size_t k = 0; k < seen; k++) cr_assert_eq(net->type[net->ref_to[k]], ENG_PROGRAM, "referral %zu", k);
}

Test(netplus, the_referral_index_is_the_referrals_between_programs_among_the_steps)
{
    char path[4096];
    free(th_sample_city(path));
    eng_net_t *net = load(path);
    /* The sample city has referrals between programs, so the test can fail. */
    cr_assert_gt(net->ref_off[net->maxnid + 2], 10);
    check_referral_index(net);
    eng_net_free(net);
}

/* Two CSR arrays of the same nodes are equal, offsets and items. */
#define SAME_CSR(a, b, off, items, n)                                                                             \
    do {                                                                                                          \
        cr_assert_arr_eq((a)->off, (b)->off, ((n) + 1) * sizeof *(a)->off, #off);                                  \
        cr_assert_arr_eq((a)->items, (b)->items, (a)->off[n] * sizeof *(a)->items, #items);                         \
    } while (0)

/* The view of base with the tie added against the network loaded after
 * inserting the same tie into a copy of the database. */
static void check_view(const char *path, const eng_net_t *base, const char *src_id, const char *dst_id,
                       const char *kind_name, int kind, int directed)
{
    char copy[4200], sql[512];
    snprintf(copy, sizeof copy, "%s.%s-%s-%s", path, src_id, dst_id, kind_name);
    th_copy_db(path, copy);
    sqlite3 *to;
    cr_assert_eq(sqlite3_open(copy, &to), SQLITE_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO tie(src, dst, kind, directed) SELECT s.nid, d.nid, '%s', %d FROM node s, node d "
             "WHERE s.id = '%s' AND d.id = '%s';",
             kind_name, directed, src_id, dst_id);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(to, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg ? msg : "");
    cr_assert_eq(sqlite3_changes(to), 1, "%s -> %s", src_id, dst_id);
    sqlite3_stmt *q;
    int64_t src = 0, dst = 0;
    cr_assert_eq(sqlite3_prepare_v2(to, "SELECT nid FROM node WHERE id = ?;", -1, &q, NULL), SQLITE_OK);
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_text(q, 1, i ? dst_id : src_id, -1, SQLITE_STATIC);
        cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
        *(i ? &dst : &src) = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    sqlite3_close(to);

    eng_net_t *after = load(copy);
    eng_plus_t plus;
    tsg_error_t err = {0};
    cr_assert_eq(eng_plus_init(&plus, base, &err), TSG_OK, "%s", err.text);
    eng_plus_tie(&plus, base, src, dst, kind, directed);
    const eng_net_t *view = &plus.net;
    size_t n = (size_t)base->maxnid + 2;
    cr_assert_eq(view->nties, after->nties);
    cr_assert_eq(after->maxnid, base->maxnid);
    SAME_CSR(view, after, off, steps, n);
    SAME_CSR(view, after, in_off, in_steps, n);
    SAME_CSR(view, after, ref_off, ref_to, n);
    /* The ties the walks read must not be the base's when the tie is a
     * referral between programs, and may be when it is not. */
    int moved = view->ref_to != base->ref_to;
    cr_assert_eq(moved, eng_program_referral(base, src, dst, kind), "%s -> %s as %s", src_id, dst_id, kind_name);
    eng_plus_free(&plus);
    eng_net_free(after);
}

/* One tie of each case the view handles apart: a referral between programs
 * one way and (the lower node second) both ways, a referral from a program
 * to an organisation, and a tie of another kind between programs. */
Test(netplus, the_view_is_the_network_loaded_after_the_same_tie)
{
    char path[4096];
    free(th_sample_city(path));
    eng_net_t *base = load(path);
    check_view(path, base, "p-higashi-sodan", "p-higashi-joshi", "referral", ENG_REFERRAL, 1);
    check_view(path, base, "p-higashi-joshi", "p-kita-futoko", "referral", ENG_REFERRAL, 0);
    check_view(path, base, "p-kita-futoko", "p-higashi-joshi", "referral", ENG_REFERRAL, 0);
    check_view(path, base, "p-higashi-sodan", "o-minami-shakyo", "referral", ENG_REFERRAL, 1);
    check_view(path, base, "p-higashi-sodan", "p-higashi-joshi", "co_support", ENG_CO_SUPPORT, 0);
    eng_net_free(base);
}

/* GAPS' walk leaves out the test of a program's dates on a network's own
 * day (engine/gaps.c), because every program in a day's network runs that
 * day: the rule checked here on a copy of the sample city whose programs
 * were given dates by SQL, a third ended before the day and a third not
 * started yet. */
Test(netplus, every_program_in_a_days_network_runs_that_day)
{
    char path[4096];
    free(th_sample_city(path));
    th_sql(path, "UPDATE program SET ends = '2026-03' WHERE nid % 3 = 0;"
                 "UPDATE program SET starts = '2026-05' WHERE nid % 3 = 1;"
                 "UPDATE program SET starts = '2025-01', ends = '2026-04-30' WHERE nid % 3 = 2;");
    tsg_db_t *tdb;
    tsg_error_t err = {0};
    eng_net_t *net;
    long day = 20260415;
    cr_assert_eq(tsg_open(path, &tdb, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_at(tdb, day, &net, &err), TSG_OK, "%s", err.text);
    tsg_close(tdb);
    cr_assert_eq(net->day, day);
    size_t present = 0, dated = 0;
    for (size_t i = 0; i < net->nprograms; i++) {
        const eng_program_t *p = &net->programs[i];
        if (net->type[p->nid] != ENG_PROGRAM) continue;
        present++;
        dated += p->starts || p->ends;
        cr_assert(eng_running(p, day), "program %d runs %d..%d, not on %ld", p->nid, p->starts, p->ends, day);
    }
    /* Not vacuous: the day's programs carry dates, and the others were left out. */
    cr_assert_gt(dated, 0);
    cr_assert_gt(present, 0);
    cr_assert_lt(present, 259 * 2 / 3);
    eng_net_free(net);
}

/* The sample city made to hold every kind of network the index is built
 * for (planted, then loaded): organisations that do not exist on some days
 * (their programs and ties gone, their nids type 0), programs that start
 * later, ties that begin or end, half the ties confirmed, nid gaps (deleted
 * programs, their ties going with them), and a program of the highest nid
 * with referrals from it, to it and both ways. Returns the highest nid. */
static int64_t plant_every_kind(const char *path)
{
    /* The programs the views below tie stay, with their organisations. */
#define NAMED "('p-kita-sodan', 'p-kita-kurashi', 'p-higashi-sodan', 'p-higashi-joshi', 'p-kita-futoko')"
    plant(path, "UPDATE tie SET status = 'confirmed' WHERE tid % 2 = 0;"
                "UPDATE organisation SET since = '2023-01-01' WHERE nid % 7 = 0;"
                "UPDATE organisation SET since = '2025-01-01' WHERE nid % 11 = 0;"
                "UPDATE organisation SET until = '2025-03-01' WHERE nid % 13 = 0 AND nid NOT IN"
                "  (SELECT p.org FROM program p JOIN node n USING (nid) WHERE n.id IN " NAMED ");"
                "UPDATE program SET starts = '2022-04-01' WHERE nid % 5 = 0;"
                "UPDATE tie SET since = '2023-01-01' WHERE tid % 3 = 0;"
                "UPDATE tie SET until = '2025-01-01' WHERE tid % 13 = 0;"
                "DELETE FROM node WHERE nid IN (SELECT p.nid FROM program p JOIN node n USING (nid)"
                "  WHERE p.nid % 17 = 3 AND n.id NOT IN " NAMED " LIMIT 6);"
                "INSERT INTO node(nid, type, id) SELECT max(nid) + 1, 'program', 'p-last' FROM node;"
                "INSERT INTO program(nid, name, org, wide_area)"
                "  SELECT n.nid, 'last', (SELECT p.org FROM program p JOIN node k USING (nid) WHERE k.id = 'p-kita-sodan'),"
                "  1 FROM node n WHERE n.id = 'p-last';"
                "INSERT INTO tie(src, dst, kind, directed)"
                "  SELECT l.nid, p.nid, 'referral', 1 FROM node l, node p WHERE l.id = 'p-last' AND p.id = 'p-kita-sodan';"
                "INSERT INTO tie(src, dst, kind, directed)"
                "  SELECT p.nid, l.nid, 'referral', 1 FROM node l, node p WHERE l.id = 'p-last' AND p.id = 'p-kita-kurashi';"
                "INSERT INTO tie(src, dst, kind, directed)"
                "  SELECT p.nid, l.nid, 'referral', 0 FROM node l, node p WHERE l.id = 'p-last' AND p.id = 'p-higashi-sodan';");
#undef NAMED
    eng_net_t *net = load(path);
    int64_t last = net->maxnid;
    cr_assert_str_eq(net->id[last], "p-last");
    eng_net_free(net);
    return last;
}

/* The index keeps its rule in every network the loader builds: AS OF days
 * on which nodes are type 0, USING confirmed ties, nid gaps, the highest
 * nid, and a network with no referral at all. Each network is checked to
 * hold what makes it a case (type-0 nodes, fewer referrals, the highest
 * nid's referrals), so the test cannot pass by not meeting it. */
Test(netplus, the_referral_index_keeps_its_rule_in_every_kind_of_network)
{
    char path[4096];
    free(th_sample_city(path));
    int64_t last = plant_every_kind(path);
    eng_net_t *today = load(path);
    check_referral_index(today);
    /* p-last: one referral out, one undirected: two in its index. */
    cr_assert_eq(today->ref_off[last + 1] - today->ref_off[last], 2);
    size_t all = today->ref_off[today->maxnid + 2];
    static const long days[] = {20190401, 20220630, 20230630, 20250701};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        for (int confirmed = 0; confirmed <= 1; confirmed++) {
            eng_net_t *net = load_with(path, days[i], confirmed);
            /* Type 0: the six nids deleted, and the nodes gone that day. */
            size_t none = 0;
            for (int64_t u = 1; u <= net->maxnid; u++) none += !net->type[u];
            cr_assert_gt(none, 6, "day %ld: no node is gone", days[i]);
            check_referral_index(net);
            eng_net_free(net);
        }
    }
    eng_net_t *confirmed = load_with(path, 0, 1);
    check_referral_index(confirmed);
    cr_assert_lt(confirmed->ref_off[confirmed->maxnid + 2], all);
    cr_assert_gt(confirmed->ref_off[confirmed->maxnid + 2], 0);
    eng_net_free(confirmed);
    eng_net_free(today);

    plant(path, "DELETE FROM tie WHERE kind = 'referral';");
    eng_net_t *none = load(path);
    check_referral_index(none);
    cr_assert_eq(none->ref_off[none->maxnid + 2], 0);
    eng_net_free(none);
}

/* The view at the edges: a referral to and from the program of the highest
 * nid (whose offsets are the last shifted), both ways with it the higher
 * end, and the first referral of a network that had none. */
Test(netplus, the_view_is_right_at_the_highest_nid_and_in_a_network_without_referrals)
{
    char path[4096];
    free(th_sample_city(path));
    plant_every_kind(path);
    eng_net_t *base = load(path);
    check_view(path, base, "p-last", "p-higashi-joshi", "referral", ENG_REFERRAL, 1);
    check_view(path, base, "p-kita-futoko", "p-last", "referral", ENG_REFERRAL, 1);
    check_view(path, base, "p-last", "p-kita-futoko", "referral", ENG_REFERRAL, 0);
    check_view(path, base, "p-kita-futoko", "p-last", "referral", ENG_REFERRAL, 0);
    eng_net_free(base);
    plant(path, "DELETE FROM tie WHERE kind = 'referral';");
    base = load(path);
    cr_assert_eq(base->ref_off[base->maxnid + 2], 0);
    check_view(path, base, "p-higashi-joshi", "p-kita-futoko", "referral", ENG_REFERRAL, 0);
    check_view(path, base, "p-kita-futoko", "p-higashi-joshi", "referral", ENG_REFERRAL, 1);
    eng_net_free(base);
}
