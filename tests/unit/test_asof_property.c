/*
 * Property (issue 21): for random sequences of dated changes (ADD … ON, SET
 * … ON, REMOVE … ON, TIE … SINCE, UNTIE … ON), the network eng_net_load_at
 * gives for day d equals the network this test rebuilds on its own from the
 * changes up to d (the oracle below: plain lists of periods and dated
 * values, no SQL, no history table). Nodes, their names and sectors, and
 * ties are compared.
 *
 * The test command runs TSG_HISTORY_SEEDS seeds (3 by default);
 * scripts/history-property runs many more.
 */
#include "helpers.h"
#include "network.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_ORGS = 40, MAX_TIES = 80, MAX_CHANGES = 30, MAX_VALUES = 12 };

static const char *const sectors[] = {"npo", "coop", "company", "shakyo", "government"};

typedef struct dated {
    long day;
    char text[32];
} dated_t;

typedef struct org {
    char id[16];
    long since, until; /* 0: open */
    dated_t names[MAX_VALUES], sectors[MAX_VALUES]; /* [0] the first value, day 0 */
    int nnames, nsectors;
} org_t;

typedef struct tie {
    int a, b, kind; /* kind 0 co_support (undirected), 1 referral */
    long since, until;
} tie_t;

typedef struct world {
    org_t orgs[MAX_ORGS];
    int norgs;
    tie_t ties[MAX_TIES];
    int nties;
} world_t;

static unsigned next(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xFFFFFF;
}

static int alive(const org_t *o, long d) { return (!o->since || o->since <= d) && (!o->until || d < o->until); }

static const char *value_at(const dated_t *v, int n, long d)
{
    const char *at = v[0].text;
    for (int i = 1; i < n; i++)
        if (v[i].day <= d) at = v[i].text;
    return at;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Lines sorted and joined, so two descriptions compare as sets. */
static char *joined(char **lines, int n)
{
    qsort(lines, (size_t)n, sizeof *lines, cmp_str);
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(lines[i]) + 1;
    char *out = calloc(1, len);
    for (int i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
        free(lines[i]);
    }
    free(lines);
    return out;
}

static char *oracle(const world_t *w, long d)
{
    char **lines = calloc(MAX_ORGS + MAX_TIES + 1, sizeof *lines);
    int n = 0;
    for (int i = 0; i < w->norgs; i++) {
        const org_t *o = &w->orgs[i];
        if (!alive(o, d)) continue;
        lines[n] = malloc(128);
        snprintf(lines[n++], 128, "org %s %s %s", o->id, value_at(o->names, o->nnames, d),
                 value_at(o->sectors, o->nsectors, d));
    }
    for (int i = 0; i < w->nties; i++) {
        const tie_t *t = &w->ties[i];
        if (t->since > d || (t->until && d >= t->until) || !alive(&w->orgs[t->a], d) || !alive(&w->orgs[t->b], d))
            continue;
        lines[n] = malloc(96);
        snprintf(lines[n++], 96, "tie %s %s %s", w->orgs[t->a].id, w->orgs[t->b].id, t->kind ? "referral" : "co_support");
    }
    return joined(lines, n);
}

static char *loaded(long d)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_at(db, d, &net, &err), TSG_OK, "%s", err.text);
    char **lines = calloc((size_t)net->maxnid + net->nties + 1, sizeof *lines);
    int n = 0;
    for (int64_t i = 1; i <= net->maxnid; i++) {
        if (net->type[i] != ENG_ORGANISATION) continue;
        lines[n] = malloc(128);
        snprintf(lines[n++], 128, "org %s %s %s", net->id[i], net->name[i], net->sector[i] ? net->sector[i] : "?");
    }
    for (size_t i = 0; i < net->nties; i++) {
        lines[n] = malloc(96);
        snprintf(lines[n++], 96, "tie %s %s %s", net->id[net->ties[i].src], net->id[net->ties[i].dst],
                 net->ties[i].kind == ENG_REFERRAL ? "referral" : "co_support");
    }
    eng_net_free(net);
    tsg_close(db);
    return joined(lines, n);
}

static void iso(long d, char *out) { snprintf(out, 40, "%04ld-%02ld-%02ld", d / 10000, d / 100 % 100, d % 100); }

/* The open tie between a and b of a kind (either way round when undirected), or -1. */
static int open_tie(const world_t *w, int a, int b, int kind)
{
    for (int i = 0; i < w->nties; i++) {
        const tie_t *t = &w->ties[i];
        if (t->until || t->kind != kind) continue;
        if ((t->a == a && t->b == b) || (!kind && t->a == b && t->b == a)) return i;
    }
    return -1;
}

static void one_seed(unsigned seed)
{
    const unsigned first = seed;
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("net", 0777), 0);
    world_t *w = calloc(1, sizeof *w);
    /* Four organisations from the start. */
    char orgs[512] = "id,name,sector,district_id\n";
    for (int i = 0; i < 4; i++) {
        org_t *o = &w->orgs[w->norgs++];
        snprintf(o->id, sizeof o->id, "o%d", i);
        snprintf(o->names[0].text, sizeof o->names[0].text, "N%d", i);
        snprintf(o->sectors[0].text, sizeof o->sectors[0].text, "%s", sectors[i % 5]);
        o->nnames = o->nsectors = 1;
        size_t len = strlen(orgs);
        snprintf(orgs + len, sizeof orgs - len, "%s,%s,%s,d\n", o->id, o->names[0].text, o->sectors[0].text);
    }
    th_write("net/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("net/organisations.csv", orgs);
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n");
    th_write("net/forums.csv", "id,name,kind,district_id\n");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\n");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);

    /* Changes on strictly later days (a change is appended to the past). */
    long days[MAX_CHANGES];
    long day = 20200101;
    char stmts[8192] = "", one[256], date[40];
    int names = 100;
    for (int k = 0; k < MAX_CHANGES; k++) {
        /* The next day 1–70 days on, kept in 28-day months for simplicity. */
        long y = day / 10000, m = day / 100 % 100, dd = day % 100 + 1 + (long)(next(&seed) % 70);
        while (dd > 28) dd -= 28, m++;
        while (m > 12) m -= 12, y++;
        day = days[k] = y * 10000 + m * 100 + dd;
        iso(day, date);
        int alive_now[MAX_ORGS], nalive = 0;
        for (int i = 0; i < w->norgs; i++)
            if (alive(&w->orgs[i], day) && !w->orgs[i].until) alive_now[nalive++] = i;
        int what = (int)(next(&seed) % 6);
        one[0] = '\0';
        if (what == 0 || nalive < 3) {
            if (w->norgs == MAX_ORGS) continue;
            org_t *o = &w->orgs[w->norgs];
            snprintf(o->id, sizeof o->id, "o%d", w->norgs);
            snprintf(o->names[0].text, sizeof o->names[0].text, "N%d", w->norgs);
            snprintf(o->sectors[0].text, sizeof o->sectors[0].text, "%s", sectors[next(&seed) % 5]);
            o->nnames = o->nsectors = 1;
            o->since = day;
            snprintf(one, sizeof one, "ADD organisation '%s' SECTOR %s IN '市' ID '%s' ON '%s';\n", o->names[0].text,
                     o->sectors[0].text, o->id, date);
            w->norgs++;
        } else if (what == 1 || what == 2) {
            org_t *o = &w->orgs[alive_now[next(&seed) % (unsigned)nalive]];
            int sector = what == 1;
            dated_t *v = sector ? &o->sectors[o->nsectors] : &o->names[o->nnames];
            if ((sector ? o->nsectors : o->nnames) == MAX_VALUES) continue;
            v->day = day;
            if (sector) snprintf(v->text, sizeof v->text, "%s", sectors[next(&seed) % 5]);
            else snprintf(v->text, sizeof v->text, "N%d", names++);
            /* Setting the value it has keeps nothing: the oracle's value is the same. */
            snprintf(one, sizeof one, "SET '%s' %s '%s' ON '%s';\n", o->id, sector ? "SECTOR" : "NAME", v->text, date);
            if (sector) o->nsectors++;
            else o->nnames++;
        } else if (what == 3 && nalive > 3) {
            int i = alive_now[next(&seed) % (unsigned)nalive];
            w->orgs[i].until = day;
            for (int t = 0; t < w->nties; t++)
                if (!w->ties[t].until && (w->ties[t].a == i || w->ties[t].b == i)) w->ties[t].until = day;
            snprintf(one, sizeof one, "REMOVE '%s' ON '%s';\n", w->orgs[i].id, date);
        } else if (what == 4 && w->nties < MAX_TIES) {
            int a = alive_now[next(&seed) % (unsigned)nalive], b = alive_now[next(&seed) % (unsigned)nalive];
            int kind = (int)(next(&seed) % 2);
            if (a == b || open_tie(w, a, b, kind) >= 0) continue;
            w->ties[w->nties++] = (tie_t){a, b, kind, day, 0};
            snprintf(one, sizeof one, "TIE '%s' -> '%s' AS %s SINCE '%s';\n", w->orgs[a].id, w->orgs[b].id,
                     kind ? "referral" : "co_support", date);
        } else {
            int open[MAX_TIES], nopen = 0;
            for (int t = 0; t < w->nties; t++)
                if (!w->ties[t].until) open[nopen++] = t;
            if (!nopen) continue;
            tie_t *t = &w->ties[open[next(&seed) % (unsigned)nopen]];
            t->until = day;
            snprintf(one, sizeof one, "UNTIE '%s' -> '%s' AS %s ON '%s';\n", w->orgs[t->a].id, w->orgs[t->b].id,
                     t->kind ? "referral" : "co_support", date);
        }
        strncat(stmts, one, sizeof stmts - strlen(stmts) - 1);
    }
    char *out = th_run("net.db", stmts);
    cr_assert_eq(strstr(out, "error"), NULL, "seed %u:\n%s\n%s", first, stmts, out);
    free(out);
    /* Every change's day, the day before it, and days between. */
    for (int k = 0; k < MAX_CHANGES; k++) {
        long probe[3] = {days[k], days[k] % 100 > 1 ? days[k] - 1 : days[k], days[k] + 1};
        for (int p = 0; p < 3; p++) {
            char *want = oracle(w, probe[p]), *got = loaded(probe[p]);
            cr_assert_str_eq(got, want, "seed %u, day %ld, after:\n%s", first, probe[p], stmts);
            free(want);
            free(got);
        }
    }
    free(w);
}

Test(asof, the_network_of_a_day_is_the_changes_up_to_it, .timeout = 120)
{
    const char *n = getenv("TSG_HISTORY_SEEDS");
    int seeds = n && atoi(n) > 0 ? atoi(n) : 3;
    for (int s = 1; s <= seeds; s++) one_seed((unsigned)s * 7919u);
}
