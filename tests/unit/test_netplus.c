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

static eng_net_t *load(const char *path)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load(db, &net, &err), TSG_OK, "%s", err.text);
    tsg_close(db);
    return net;
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
