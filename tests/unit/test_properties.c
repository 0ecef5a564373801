/*
 * Property tests on random small networks: GAPS coverage rows equal a brute
 * force over every (school district, need, age) cell, and PATH lengths equal
 * a plain breadth-first search; and REACH on the sample city lists exactly
 * what a recursive CTE over the same database lists, in the same order;
 * and GAPS' nearest program outside a district, found in one pass over the
 * pair index, is the one the level-by-level search finds without it.
 * Each network is written as a CSV folder,
 * imported, and queried through the language, so the whole path from text
 * to rows is under test; the reference answers are computed here, from the
 * generated network, by code that shares nothing with the engine.
 */
#include "helpers.h"
#include "gaps.h"
#include "network.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NETWORKS 1000
#define MAXD 16
#define MAXP 16
#define MAXT 40

static const char *const targets[] = {"hikikomori", "young_carer", "everyone"};
static const char *const needs[] = {"consultation", "place", "peer"};
static const char *const modes[] = {"counter", "phone", "gathering"};

typedef struct net {
    int nd, parent[MAXD], level[MAXD]; /* level 1 prefecture … 4 school district */
    int np, org[MAXP], tmask[MAXP], nmask[MAXP], mmask[MAXP], amin[MAXP], amax[MAXP], area[MAXP]; /* area -1: '*' */
    int nt, src[MAXT], dst[MAXT];
} net_t;

static unsigned rnd(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int pick(unsigned *s, int n) { return (int)(rnd(s) % (unsigned)n); }

static void generate(net_t *n, unsigned seed)
{
    unsigned s = seed * 2654435761u + 1;
    memset(n, 0, sizeof *n);
    n->parent[0] = -1, n->level[0] = 1;
    n->parent[1] = 0, n->level[1] = 2;
    n->nd = 2;
    int wards = 1 + pick(&s, 3);
    for (int w = 0; w < wards; w++) {
        int ward = n->nd++;
        n->parent[ward] = 1, n->level[ward] = 3;
        int schools = pick(&s, 4); /* a ward may have none */
        for (int k = 0; k < schools && n->nd < MAXD; k++) {
            n->parent[n->nd] = ward;
            n->level[n->nd++] = 4;
        }
    }
    n->np = 1 + pick(&s, MAXP);
    for (int p = 0; p < n->np; p++) {
        n->org[p] = pick(&s, 4);
        n->tmask[p] = 1 + pick(&s, 7);
        n->nmask[p] = 1 + pick(&s, 7);
        n->mmask[p] = pick(&s, 8);
        int a = pick(&s, 3) ? pick(&s, 50) : -1, b = pick(&s, 3) ? pick(&s, 60) : -1;
        if (a >= 0 && b >= 0 && a > b) {
            int t = a;
            a = b;
            b = t;
        }
        n->amin[p] = a, n->amax[p] = b;
        n->area[p] = pick(&s, 5) ? pick(&s, n->nd) : -1;
    }
    int want = pick(&s, MAXT);
    for (int k = 0; k < want; k++) {
        int a = pick(&s, n->np), b = pick(&s, n->np), dup = a == b;
        for (int j = 0; j < n->nt && !dup; j++) dup = n->src[j] == a && n->dst[j] == b;
        if (!dup) {
            n->src[n->nt] = a;
            n->dst[n->nt++] = b;
        }
    }
}

static void list(FILE *f, int mask, const char *const *keys)
{
    int first = 1;
    for (int i = 0; i < 3; i++)
        if (mask & (1 << i)) {
            fprintf(f, "%s%s", first ? "" : ";", keys[i]);
            first = 0;
        }
}

static void write_csv(const net_t *n, const char *dir)
{
    static const char *const levels[] = {"", "prefecture", "municipality", "ward", "school_district"};
    char path[256];
    snprintf(path, sizeof path, "%s/districts.csv", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "id,name,level,parent_id\n");
    for (int d = 0; d < n->nd; d++) {
        fprintf(f, "d%d,区%d,%s,", d, d, levels[n->level[d]]);
        if (n->parent[d] >= 0) fprintf(f, "d%d", n->parent[d]);
        fputc('\n', f);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/organisations.csv", dir);
    f = fopen(path, "w");
    fprintf(f, "id,name,sector,district_id\n");
    for (int o = 0; o < 4; o++) fprintf(f, "o%d,団体%d,npo,\n", o, o);
    fclose(f);
    snprintf(path, sizeof path, "%s/programs.csv", dir);
    f = fopen(path, "w");
    fprintf(f, "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n");
    for (int p = 0; p < n->np; p++) {
        fprintf(f, "p%d,事業%d,o%d,", p, p, n->org[p]);
        list(f, n->tmask[p], targets);
        fputc(',', f);
        if (n->amin[p] >= 0) fprintf(f, "%d", n->amin[p]);
        fputc(',', f);
        if (n->amax[p] >= 0) fprintf(f, "%d", n->amax[p]);
        fputc(',', f);
        list(f, n->nmask[p], needs);
        fputc(',', f);
        list(f, n->mmask[p], modes);
        fputs(",,", f);
        if (n->area[p] < 0) fputc('*', f);
        else fprintf(f, "d%d", n->area[p]);
        fputs(",,\n", f);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/forums.csv", dir);
    f = fopen(path, "w");
    fprintf(f, "id,name,kind,district_id\n");
    fclose(f);
    snprintf(path, sizeof path, "%s/ties.csv", dir);
    f = fopen(path, "w");
    fprintf(f, "from_id,to_id,kind,count,since\n");
    for (int t = 0; t < n->nt; t++) fprintf(f, "p%d,p%d,referral,,\n", n->src[t], n->dst[t]);
    fclose(f);
}

static int under(const net_t *n, int d, int anc)
{
    for (; d >= 0; d = n->parent[d])
        if (d == anc) return 1;
    return 0;
}

/* The reference: uncovered runs of every (school district, need) cell, as
 * "d|need|from|to" lines in cell order. */
static void brute_force(const net_t *n, int target, int a, int b, int district, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    int cells[MAXD], nc = 0;
    for (int d = 0; d < n->nd; d++)
        if (n->level[d] == 4 && under(n, d, district)) cells[nc++] = d;
    if (!nc) cells[nc++] = district;
    for (int c = 0; c < nc; c++)
        for (int k = 0; k < 3; k++) {
            int run = -1;
            for (int x = a; x <= b + 1; x++) {
                int covered = x > b;
                for (int p = 0; p < n->np && !covered; p++)
                    covered = (n->tmask[p] & (1 << target) || n->tmask[p] & 4) && n->nmask[p] & (1 << k) &&
                              (n->amin[p] < 0 || n->amin[p] <= x) && (n->amax[p] < 0 || x <= n->amax[p]) &&
                              (n->area[p] < 0 || under(n, cells[c], n->area[p]));
                if (!covered && run < 0) run = x;
                if (covered && run >= 0) {
                    len += (size_t)snprintf(out + len, size - len, "d%d|%s|%d|%d\n", cells[c], needs[k], run, x - 1);
                    run = -1;
                }
            }
        }
}

typedef struct capture {
    char text[65536];
    size_t len;
    int errors;
    char error[2048];
} capture_t;

static tsg_status_t keep_coverage(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    capture_t *c = ctx;
    if (r->ncols != 8) return TSG_OK;
    for (size_t i = 0; i < r->nrows; i++) {
        char **row = r->cells + i * r->ncols;
        if (strcmp(row[0], "coverage")) continue;
        c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%s|%s|%s|%s\n", row[1], row[3], row[4],
                                   row[5]);
    }
    return TSG_OK;
}

static tsg_status_t keep_path(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    capture_t *c = ctx;
    size_t steps = 0;
    for (size_t i = 0; i < r->nrows; i++)
        if (r->cells[i * r->ncols] && !strcmp(r->cells[i * r->ncols], "1") && r->ncols == 7) steps++;
    c->len = r->ncols == 7 ? steps : (size_t)-1; /* "no referral path" comes as a one-cell result */
    return TSG_OK;
}

static void keep_error(void *ctx, const tsg_error_t *e)
{
    capture_t *c = ctx;
    c->errors++;
    snprintf(c->error, sizeof c->error, "%s", e->text);
}

/* Ties away from u to v by plain BFS over referral ties, or -1. */
static int bfs(const net_t *n, int u, int v)
{
    int dist[MAXP], queue[MAXP], head = 0, tail = 0;
    for (int i = 0; i < n->np; i++) dist[i] = -1;
    dist[u] = 0;
    queue[tail++] = u;
    while (head < tail) {
        int x = queue[head++];
        for (int t = 0; t < n->nt; t++)
            if (n->src[t] == x && dist[n->dst[t]] < 0) {
                dist[n->dst[t]] = dist[x] + 1;
                queue[tail++] = n->dst[t];
            }
    }
    return dist[v];
}

Test(properties, gaps_coverage_and_path_lengths_match_references)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    cr_assert_eq(mkdir("net", 0777), 0);
    tsg_db_t *db;
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create("p.db", &db, &err), TSG_OK, "%s", err.text);
    static capture_t cap;
    static char want[65536];
    int paths_checked = 0, cells_with_gaps = 0;
    for (unsigned seed = 1; seed <= NETWORKS; seed++) {
        net_t n;
        generate(&n, seed);
        write_csv(&n, "net");
        cr_assert_eq(tsg_import_csv(db, "net", TSG_ENC_UTF8, NULL, &err), TSG_OK, "seed %u: %s", seed, err.text);
        tsg_session_t *s;
        cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
        unsigned r = seed * 7919u;
        int target = pick(&r, 2), a = pick(&r, 40), b = a + pick(&r, 30), district = pick(&r, n.nd);
        char stmt[256];
        snprintf(stmt, sizeof stmt, "GAPS FOR %s AGED %d..%d IN 'd%d' NEEDS consultation, place, peer;",
                 targets[target], a, b, district);
        memset(&cap, 0, sizeof cap);
        tsg_sink_t sink = {keep_coverage, keep_error, &cap};
        cr_assert_eq(tsg_session_run(s, stmt, NULL, 0, &sink, &err), TSG_OK, "seed %u: %s", seed, cap.error);
        brute_force(&n, target, a, b, district, want, sizeof want);
        cr_assert_str_eq(cap.text, want, "seed %u: %s", seed, stmt);
        cells_with_gaps += want[0] != '\0';
        /* A path between two programs, its length against BFS. */
        int u = pick(&r, n.np), v = pick(&r, n.np);
        if (u != v) {
            snprintf(stmt, sizeof stmt, "PATH FROM 'p%d' TO 'p%d' MAX 30;", u, v);
            memset(&cap, 0, sizeof cap);
            tsg_sink_t psink = {keep_path, keep_error, &cap};
            cr_assert_eq(tsg_session_run(s, stmt, NULL, 0, &psink, &err), TSG_OK, "seed %u: %s", seed, cap.error);
            int expect = bfs(&n, u, v);
            cr_assert_eq((long)(cap.len == (size_t)-1 ? -1 : (long)cap.len), (long)expect, "seed %u: %s", seed, stmt);
            paths_checked++;
        }
        tsg_session_close(s);
    }
    tsg_close(db);
    /* The generator must produce both outcomes, or the property proves little. */
    cr_expect_gt(cells_with_gaps, NETWORKS / 10);
    cr_expect_lt(cells_with_gaps, NETWORKS);
    cr_expect_gt(paths_checked, NETWORKS / 2);
    free(dir);
}

/* The reference for REACH FROM org WITHIN k HOPS VIA any: a recursive CTE
 * (the organisation and its programs, then ties other than memberships,
 * directed ones forwards only), each node at its least hops, nearest first
 * and by nid within a distance, as "hops|type|id|name" lines. */
static const char reach_sql[] =
    "WITH RECURSIVE start(n) AS (SELECT ?1 UNION SELECT nid FROM program WHERE org = ?1),"
    " r(n, h) AS (SELECT n, 0 FROM start"
    "  UNION SELECT t.dst, r.h + 1 FROM r JOIN tie t ON t.src = r.n WHERE r.h < ?2 AND t.kind <> 'membership'"
    "  UNION SELECT t.src, r.h + 1 FROM r JOIN tie t ON t.dst = r.n WHERE r.h < ?2 AND t.kind <> 'membership'"
    "   AND t.directed = 0),"
    " best(n, h) AS (SELECT n, min(h) FROM r GROUP BY n)"
    " SELECT b.h, x.type, x.id, coalesce(o.name, p.name, f.name) FROM best b JOIN node x ON x.nid = b.n"
    "  LEFT JOIN organisation o ON o.nid = b.n LEFT JOIN program p ON p.nid = b.n LEFT JOIN forum f ON f.nid = b.n"
    " WHERE b.h > 0 AND b.n NOT IN (SELECT n FROM start) ORDER BY b.h, b.n";

static tsg_status_t keep_reach(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    capture_t *c = ctx;
    if (r->ncols != 5) return TSG_OK; /* "nothing reached" */
    for (size_t i = 0; i < r->nrows; i++) {
        char **row = r->cells + i * r->ncols;
        c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%s|%s|%s|%s\n", row[0], row[1], row[2],
                                   row[3]);
    }
    return TSG_OK;
}

Test(properties, reach_lists_what_a_recursive_cte_lists)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("s.db", TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_db_t *db;
    tsg_session_t *s;
    cr_assert_eq(tsg_open("s.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(tsg_session_open(db, &s, &err), TSG_OK, "%s", err.text);
    sqlite3 *ref;
    sqlite3_stmt *orgs, *q;
    cr_assert_eq(sqlite3_open_v2("s.db", &ref, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(ref, "SELECT o.nid, x.id FROM organisation o JOIN node x ON x.nid = o.nid"
                                         " ORDER BY o.nid", -1, &orgs, NULL), SQLITE_OK, "%s", sqlite3_errmsg(ref));
    cr_assert_eq(sqlite3_prepare_v2(ref, reach_sql, -1, &q, NULL), SQLITE_OK, "%s", sqlite3_errmsg(ref));
    static capture_t cap;
    static char want[65536];
    int checked = 0, big_level = 0;
    while (sqlite3_step(orgs) == SQLITE_ROW) {
        sqlite3_int64 nid = sqlite3_column_int64(orgs, 0);
        const char *id = (const char *)sqlite3_column_text(orgs, 1);
        for (int hops = 1; hops <= 3; hops += 2) {
            sqlite3_reset(q);
            sqlite3_bind_int64(q, 1, nid);
            sqlite3_bind_int(q, 2, hops);
            size_t len = 0;
            int level = -1, in_level = 0;
            want[0] = '\0';
            while (sqlite3_step(q) == SQLITE_ROW) {
                int h = sqlite3_column_int(q, 0);
                in_level = h == level ? in_level + 1 : 1;
                level = h;
                if (in_level >= 32) big_level = 1; /* long enough for REACH's radix sort */
                len += (size_t)snprintf(want + len, sizeof want - len, "%d|%s|%s|%s\n", h, sqlite3_column_text(q, 1),
                                        sqlite3_column_text(q, 2), sqlite3_column_text(q, 3));
            }
            cr_assert_lt(len, sizeof want - 1, "the reference outgrew its buffer");
            char stmt[256];
            snprintf(stmt, sizeof stmt, "REACH FROM '%s' WITHIN %d HOPS VIA any;", id, hops);
            memset(&cap, 0, sizeof cap);
            tsg_sink_t sink = {keep_reach, keep_error, &cap};
            cr_assert_eq(tsg_session_run(s, stmt, NULL, 0, &sink, &err), TSG_OK, "%s: %s", stmt, cap.error);
            cr_assert_str_eq(cap.text, want, "%s", stmt);
            checked++;
        }
    }
    sqlite3_finalize(orgs);
    sqlite3_finalize(q);
    sqlite3_close(ref);
    tsg_session_close(s);
    tsg_close(db);
    cr_expect_eq(checked, 2 * 155);
    cr_expect(big_level, "no distance reached 32 nodes: the sort's long path went untested");
    free(dir);
}

/* The distinct keys the programs' lists hold (list 0 targets, 1 needs). */
static int keys_of(const eng_net_t *net, int list, const char **out, int most)
{
    int n = 0;
    for (size_t i = 0; i < net->nprograms; i++) {
        const eng_list_t *l = list ? &net->programs[i].needs : &net->programs[i].targets;
        for (int k = 0; k < l->n; k++) {
            int seen = 0;
            for (int j = 0; j < n && !seen; j++) seen = out[j] == l->v[k];
            if (!seen && n < most && strcmp(l->v[k], "everyone")) out[n++] = l->v[k];
        }
    }
    return n;
}

/* A coverage gap's "why" names the program that comes nearest. For one of
 * another area (class 1) the rule is: the nearest area first (a program
 * listing a district under the municipality beats one under the
 * prefecture), then the most ages, then the first program. Without the
 * pair index (more than 2,048 keys) the engine applies the rule literally,
 * level by level outwards and last over every program; with it, in one
 * pass over the programs for the group and need. Both must give the same
 * rows for every district, group and age range of the sample city, and
 * enough rows must name a program of another area for that to prove
 * something. */
Test(properties, gaps_nearest_outside_is_what_the_level_by_level_search_finds)
{
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    tsg_error_t err = {0};
    cr_assert_eq(th_import("s.db", TSG_SAMPLE_SRC, TSG_ENC_AUTO, &err), TSG_OK, "%s", err.text);
    tsg_db_t *db;
    eng_net_t *net;
    cr_assert_eq(tsg_open("s.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load(db, &net, &err), TSG_OK, "%s", err.text);
    cr_assert_not_null(net->pair_off, "the sample city has the pair index");
    const char *groups[64], *asked[64];
    int ngroups = keys_of(net, 0, groups, 64), nneeds = keys_of(net, 1, asked, 64);
    static const int ranges[][2] = {{0, 17}, {18, 39}, {40, 90}};
    int outside = 0, compared = 0;
    for (int64_t d = 1; d <= net->maxnid; d++) {
        if (net->type[d] != ENG_DISTRICT || net->level[d] < ENG_MUNICIPALITY || net->level[d] > ENG_SCHOOL_DISTRICT)
            continue;
        for (int t = 0; t < ngroups; t++)
            for (int r = 0; r < 3; r++) {
                eng_gaps_query_t q = {.target = groups[t], .age_from = ranges[r][0], .age_to = ranges[r][1],
                                      .district = d, .needs = asked, .nneeds = nneeds, .hops = 3};
                eng_gap_t *a, *b;
                size_t na, nb;
                cr_assert_eq(eng_gaps(net, &q, &a, &na, &err), TSG_OK, "%s", err.text);
                uint32_t *index = net->pair_off;
                net->pair_off = NULL;
                tsg_status_t st = eng_gaps(net, &q, &b, &nb, &err);
                net->pair_off = index;
                cr_assert_eq(st, TSG_OK, "%s", err.text);
                cr_assert_eq(na, nb, "%s in %s, %d..%d", groups[t], net->id[d], q.age_from, q.age_to);
                for (size_t i = 0; i < na; i++) {
                    cr_assert(a[i].kind == b[i].kind && a[i].district == b[i].district && a[i].need == b[i].need &&
                                  a[i].age_from == b[i].age_from && a[i].age_to == b[i].age_to &&
                                  a[i].program == b[i].program && !strcmp(a[i].why, b[i].why),
                              "%s in %s, %d..%d, row %zu: '%s' against '%s'", groups[t], net->id[d], q.age_from,
                              q.age_to, i, a[i].why, b[i].why);
                    if (a[i].kind == ENG_GAP_COVERAGE && a[i].program &&
                        !eng_serves(net, &net->programs[net->prog[a[i].program]], a[i].district) &&
                        eng_covers(&net->programs[net->prog[a[i].program]], q.target, a[i].need, -1))
                        outside++;
                }
                compared += (int)na;
                free(a);
                free(b);
            }
    }
    cr_expect_gt(compared, 1000);
    cr_expect_gt(outside, 50, "only %d rows name a program of another area", outside);
    eng_net_free(net);
    tsg_close(db);
}
