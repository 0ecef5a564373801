/*
 * Property (issue 21): for random sequences of dated changes, the network of
 * day d equals the network this test rebuilds on its own from the changes up
 * to d (the oracle below: plain lists of periods and dated values, no SQL,
 * no history table). The changes: organisations ADDed ON a day, renamed and
 * moved between sectors (SET … ON), ended (REMOVE … ON) and back again (ADD
 * with the ended one's ID … ON: a second period); programs added (they have
 * no since: a program exists from the start while its organisation does),
 * their target and need lists SET … ON, ended; forums ADDed … ON and ended;
 * ties between organisations and memberships of forums (TIE … SINCE, UNTIE
 * … ON), which end with either end.
 *
 * Both readers of a day are compared with the oracle: the network in memory
 * (eng_net_load_at: organisations, programs with their lists, forums, ties)
 * and the SQL readers through the dated tables (FIND … AS OF: the same, ties
 * by their ends' names).
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

enum { MAX_NODES = 40, MAX_TIES = 80, MAX_CHANGES = 36, MAX_VALUES = 12, MAX_PERIODS = 6 };

static const char *const sectors[] = {"npo", "coop", "company", "shakyo", "government"};
static const char *const targets[] = {"hikikomori", "poverty", "children", "single_elderly"};
static const char *const needs[] = {"consultation", "watch", "food", "place"};

typedef struct dated {
    long day;
    char text[64];
} dated_t;

/* An organisation, a program or a forum. */
typedef struct node {
    char id[16];
    int type;                            /* ENG_ORGANISATION, ENG_PROGRAM, ENG_FORUM */
    int org;                             /* a program's */
    long since[MAX_PERIODS], until[MAX_PERIODS]; /* its periods; 0: open (a program's since is always 0) */
    int nperiods;
    dated_t names[MAX_VALUES], sectors[MAX_VALUES], targets[MAX_VALUES], needs[MAX_VALUES]; /* [0]: day 0 */
    int nnames, nsectors, ntargets, nneeds;
} node_t;

typedef struct tie {
    int a, b, kind; /* kind 0 co_support (undirected), 1 referral, 2 membership (a org, b forum) */
    long since, until;
} tie_t;

typedef struct world {
    node_t nodes[MAX_NODES];
    int nnodes;
    tie_t ties[MAX_TIES];
    int nties;
} world_t;

static const char *const kind_word[] = {"co_support", "referral", "membership"};

static unsigned next(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 8) & 0xFFFFFF;
}

static int in_period(long since, long until, long d) { return (!since || since <= d) && (!until || d < until); }

/* The oracle's existence: a node in one of its periods; a program also only
 * while its organisation exists. */
static int alive(const world_t *w, const node_t *n, long d)
{
    int in = 0;
    for (int i = 0; i < n->nperiods && !in; i++) in = in_period(n->since[i], n->until[i], d);
    return in && (n->type != ENG_PROGRAM || alive(w, &w->nodes[n->org], d));
}

/* Open now (its last period has no end), for the changes. */
static int open_now(const world_t *w, const node_t *n)
{
    return !n->until[n->nperiods - 1] && (n->type != ENG_PROGRAM || open_now(w, &w->nodes[n->org]));
}

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

/* A ';' list with its items sorted (the readers keep the list's order; the
 * oracle compares the items). */
static void sorted_list(const char *list, char *out, size_t size)
{
    char copy[256], *items[16];
    int n = 0;
    snprintf(copy, sizeof copy, "%s", list ? list : "");
    char *save = NULL;
    for (char *p = strtok_r(copy, ";", &save); p && n < 16; p = strtok_r(NULL, ";", &save)) items[n++] = p;
    qsort(items, (size_t)n, sizeof *items, cmp_str);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strncat(out, items[i], size - strlen(out) - 1);
        if (i + 1 < n) strncat(out, ";", size - strlen(out) - 1);
    }
}

static char *line_of(const char *fmt, const char *a, const char *b, const char *c, const char *e)
{
    char *l = malloc(400);
    snprintf(l, 400, fmt, a, b, c, e);
    return l;
}

/* The oracle's day d: "org id name sector", "prog id org-name targets
 * needs", "forum id name", "tie a-name b-name kind". */
static char *oracle(const world_t *w, long d)
{
    char **lines = calloc(MAX_NODES + MAX_TIES + 1, sizeof *lines);
    int n = 0;
    char t[256], nd[256];
    for (int i = 0; i < w->nnodes; i++) {
        const node_t *o = &w->nodes[i];
        if (!alive(w, o, d)) continue;
        const char *name = value_at(o->names, o->nnames, d);
        if (o->type == ENG_ORGANISATION)
            lines[n++] = line_of("org %s %s %s%s", o->id, name, value_at(o->sectors, o->nsectors, d), "");
        else if (o->type == ENG_FORUM) lines[n++] = line_of("forum %s %s%s%s", o->id, name, "", "");
        else {
            const node_t *org = &w->nodes[o->org];
            sorted_list(value_at(o->targets, o->ntargets, d), t, sizeof t);
            sorted_list(value_at(o->needs, o->nneeds, d), nd, sizeof nd);
            lines[n] = line_of("prog %s %s %s ", o->id, value_at(org->names, org->nnames, d), t, "");
            strcat(lines[n++], nd);
        }
    }
    for (int i = 0; i < w->nties; i++) {
        const tie_t *k = &w->ties[i];
        const node_t *a = &w->nodes[k->a], *b = &w->nodes[k->b];
        if (!in_period(k->since, k->until, d) || !alive(w, a, d) || !alive(w, b, d)) continue;
        lines[n++] = line_of("tie %s %s %s%s", value_at(a->names, a->nnames, d), value_at(b->names, b->nnames, d),
                             kind_word[k->kind], "");
    }
    return joined(lines, n);
}

static void list_text(const eng_list_t *l, char *out, size_t size)
{
    char raw[256] = "";
    for (int i = 0; i < l->n; i++) {
        if (i) strncat(raw, ";", sizeof raw - strlen(raw) - 1);
        strncat(raw, l->v[i], sizeof raw - strlen(raw) - 1);
    }
    sorted_list(raw, out, size);
}

/* The network in memory of day d, described as the oracle does. */
static char *loaded(long d)
{
    tsg_db_t *db;
    tsg_error_t err = {0};
    eng_net_t *net;
    cr_assert_eq(tsg_open("net.db", &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(eng_net_load_at(db, d, &net, &err), TSG_OK, "%s", err.text);
    char **lines = calloc((size_t)net->maxnid + net->nties + 1, sizeof *lines);
    int n = 0;
    char t[256], nd[256];
    for (int64_t i = 1; i <= net->maxnid; i++) {
        if (net->type[i] == ENG_ORGANISATION)
            lines[n++] = line_of("org %s %s %s%s", net->id[i], net->name[i], net->sector[i] ? net->sector[i] : "?", "");
        else if (net->type[i] == ENG_FORUM) lines[n++] = line_of("forum %s %s%s%s", net->id[i], net->name[i], "", "");
        else if (net->type[i] == ENG_PROGRAM && net->prog[i] >= 0) {
            const eng_program_t *p = &net->programs[net->prog[i]];
            list_text(&p->targets, t, sizeof t);
            list_text(&p->needs, nd, sizeof nd);
            lines[n] = line_of("prog %s %s %s ", net->id[i], net->name[p->org], t, "");
            strcat(lines[n++], nd);
        }
    }
    for (size_t i = 0; i < net->nties; i++) {
        int k = net->ties[i].kind;
        lines[n++] = line_of("tie %s %s %s%s", net->name[net->ties[i].src], net->name[net->ties[i].dst],
                             k == ENG_REFERRAL ? "referral" : k == ENG_MEMBERSHIP ? "membership" : "co_support", "");
    }
    eng_net_free(net);
    tsg_close(db);
    return joined(lines, n);
}

/* Rows of th_run's text ("a|b|c\n" each) as lines of the oracle's form. */
static int sql_rows(const char *stmt, const char *date, char **lines, int n, const char *what)
{
    char text[200];
    snprintf(text, sizeof text, stmt, date);
    char *out = th_run("net.db", text);
    cr_assert_null(strstr(out, "error"), "%s: %s", text, out);
    char t[256], nd[256];
    char *save = NULL;
    for (char *row = strtok_r(out, "\n", &save); row; row = strtok_r(NULL, "\n", &save)) {
        char *cell[8] = {0};
        int k = 0;
        for (char *p = row; k < 8; k++) {
            cell[k] = p;
            char *bar = strchr(p, '|');
            if (!bar) {
                k++;
                break;
            }
            *bar = '\0';
            p = bar + 1;
        }
        /* organisations: id|name|sector|district; programs: id|name|organisation|targets|ages|needs|…;
         * forums: id|name|kind|district|members; ties: from|to|kind|count|since */
        if (!strcmp(what, "org")) lines[n++] = line_of("org %s %s %s%s", cell[0], cell[1], cell[2], "");
        else if (!strcmp(what, "forum")) lines[n++] = line_of("forum %s %s%s%s", cell[0], cell[1], "", "");
        else if (!strcmp(what, "tie")) lines[n++] = line_of("tie %s %s %s%s", cell[0], cell[1], cell[2], "");
        else {
            sorted_list(cell[3], t, sizeof t);
            sorted_list(cell[5], nd, sizeof nd);
            lines[n] = line_of("prog %s %s %s ", cell[0], cell[2], t, "");
            strcat(lines[n++], nd);
        }
    }
    free(out);
    return n;
}

/* The SQL readers' day d (FIND … AS OF through the dated tables). */
static char *found(long d)
{
    char date[40];
    snprintf(date, sizeof date, "%04ld-%02ld-%02ld", d / 10000, d / 100 % 100, d % 100);
    char **lines = calloc(4 * (MAX_NODES + MAX_TIES) + 1, sizeof *lines);
    int n = sql_rows("FIND organisations AS OF '%s';", date, lines, 0, "org");
    n = sql_rows("FIND programs AS OF '%s';", date, lines, n, "prog");
    n = sql_rows("FIND forums AS OF '%s';", date, lines, n, "forum");
    n = sql_rows("FIND ties AS OF '%s';", date, lines, n, "tie");
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

/* A node with its first values; *n its index. */
static node_t *new_node(world_t *w, int type, const char *prefix, long since)
{
    node_t *o = &w->nodes[w->nnodes];
    memset(o, 0, sizeof *o);
    o->type = type;
    snprintf(o->id, sizeof o->id, "%s%d", prefix, w->nnodes);
    snprintf(o->names[0].text, sizeof o->names[0].text, "N%d", w->nnodes);
    o->nnames = o->nsectors = o->ntargets = o->nneeds = o->nperiods = 1;
    o->since[0] = since;
    w->nnodes++;
    return o;
}

/* Two distinct items of a vocabulary, as a ';' list and as the statement's "a, b". */
static void two_of(const char *const *v, unsigned *seed, char *list, char *words)
{
    int i = (int)(next(seed) % 4), j = (int)(next(seed) % 4);
    if (i == j) {
        snprintf(list, 64, "%s", v[i]);
        snprintf(words, 64, "%s", v[i]);
    } else {
        snprintf(list, 64, "%s;%s", v[i], v[j]);
        snprintf(words, 64, "%s, %s", v[i], v[j]);
    }
}

/* Ends every open tie of node i on day (it ended). */
static void end_ties_of(world_t *w, int i, long day)
{
    for (int t = 0; t < w->nties; t++)
        if (!w->ties[t].until && (w->ties[t].a == i || w->ties[t].b == i)) w->ties[t].until = day;
}

static void one_seed(unsigned seed)
{
    const unsigned first = seed;
    char *dir = th_tempdir();
    cr_assert_eq(chdir(dir), 0);
    free(dir);
    cr_assert_eq(mkdir("net", 0777), 0);
    world_t *w = calloc(1, sizeof *w);
    /* Four organisations, a program of the first and a forum from the start. */
    char orgs[512] = "id,name,sector,district_id\n";
    for (int i = 0; i < 4; i++) {
        node_t *o = new_node(w, ENG_ORGANISATION, "o", 0);
        snprintf(o->sectors[0].text, sizeof o->sectors[0].text, "%s", sectors[i % 5]);
        size_t len = strlen(orgs);
        snprintf(orgs + len, sizeof orgs - len, "%s,%s,%s,d\n", o->id, o->names[0].text, o->sectors[0].text);
    }
    node_t *p = new_node(w, ENG_PROGRAM, "p", 0);
    p->org = 0;
    snprintf(p->targets[0].text, sizeof p->targets[0].text, "hikikomori;poverty");
    snprintf(p->needs[0].text, sizeof p->needs[0].text, "consultation");
    node_t *f = new_node(w, ENG_FORUM, "f", 0);
    th_write("net/districts.csv", "id,name,level,parent_id\nd,市,municipality,\n");
    th_write("net/organisations.csv", orgs);
    th_write("net/programs.csv", "id,name,org_id,targets,age_min,age_max,needs,modes,approach,area,in_system,hours\n"
                                 "p4,N4,o0,hikikomori;poverty,,,consultation,counter,,d,,\n");
    th_write("net/forums.csv", "id,name,kind,district_id\nf5,N5,platform,d\n");
    th_write("net/ties.csv", "from_id,to_id,kind,count,since\n");
    cr_assert_str_eq(f->id, "f5");
    tsg_error_t err = {0};
    cr_assert_eq(th_import("net.db", "net", TSG_ENC_UTF8, &err), TSG_OK, "%s", err.text);

    /* Changes on strictly later days (a change is appended to the past). */
    long days[MAX_CHANGES];
    long day = 20200101;
    char stmts[16384] = "", one[400], date[40], list[64], words[64], list2[64], words2[64];
    int names = 100;
    for (int k = 0; k < MAX_CHANGES; k++) {
        /* The next day 1–70 days on, kept in 28-day months for simplicity. */
        long y = day / 10000, m = day / 100 % 100, dd = day % 100 + 1 + (long)(next(&seed) % 70);
        while (dd > 28) dd -= 28, m++;
        while (m > 12) m -= 12, y++;
        day = days[k] = y * 10000 + m * 100 + dd;
        iso(day, date);
        int orgs_open[MAX_NODES], norgs = 0, progs_open[MAX_NODES], nprogs = 0, forums_open[MAX_NODES], nforums = 0;
        int ended[MAX_NODES], nended = 0;
        for (int i = 0; i < w->nnodes; i++) {
            node_t *o = &w->nodes[i];
            if (o->type == ENG_ORGANISATION && open_now(w, o)) orgs_open[norgs++] = i;
            if (o->type == ENG_ORGANISATION && !open_now(w, o) && o->nperiods < MAX_PERIODS) ended[nended++] = i;
            if (o->type == ENG_PROGRAM && open_now(w, o)) progs_open[nprogs++] = i;
            if (o->type == ENG_FORUM && open_now(w, o)) forums_open[nforums++] = i;
        }
        int what = (int)(next(&seed) % 12);
        one[0] = '\0';
        if (w->nnodes < MAX_NODES && (what == 0 || norgs < 3)) {
            node_t *o = new_node(w, ENG_ORGANISATION, "o", day);
            snprintf(o->sectors[0].text, sizeof o->sectors[0].text, "%s", sectors[next(&seed) % 5]);
            snprintf(one, sizeof one, "ADD organisation '%s' SECTOR %s IN '市' ID '%s' ON '%s';\n", o->names[0].text,
                     o->sectors[0].text, o->id, date);
        } else if (what == 1 || what == 2) {
            node_t *o = &w->nodes[orgs_open[next(&seed) % (unsigned)norgs]];
            int sector = what == 1;
            if ((sector ? o->nsectors : o->nnames) == MAX_VALUES) continue;
            dated_t *v = sector ? &o->sectors[o->nsectors++] : &o->names[o->nnames++];
            v->day = day;
            if (sector) snprintf(v->text, sizeof v->text, "%s", sectors[next(&seed) % 5]);
            else snprintf(v->text, sizeof v->text, "N%d", names++);
            /* Setting the value it has keeps nothing: the oracle's value is the same. */
            snprintf(one, sizeof one, "SET '%s' %s '%s' ON '%s';\n", o->id, sector ? "SECTOR" : "NAME", v->text, date);
        } else if (what == 3 && norgs > 3) {
            int i = orgs_open[next(&seed) % (unsigned)norgs];
            node_t *o = &w->nodes[i];
            o->until[o->nperiods - 1] = day;
            end_ties_of(w, i, day);
            /* Its open programs end with it, and their ties. */
            for (int q = 0; q < w->nnodes; q++)
                if (w->nodes[q].type == ENG_PROGRAM && w->nodes[q].org == i && !w->nodes[q].until[0]) {
                    w->nodes[q].until[0] = day;
                    end_ties_of(w, q, day);
                }
            snprintf(one, sizeof one, "REMOVE '%s' ON '%s';\n", o->id, date);
        } else if (what == 4 && w->nties < MAX_TIES) {
            int a = orgs_open[next(&seed) % (unsigned)norgs], b = orgs_open[next(&seed) % (unsigned)norgs];
            int kind = (int)(next(&seed) % 2);
            if (a == b || open_tie(w, a, b, kind) >= 0) continue;
            w->ties[w->nties++] = (tie_t){a, b, kind, day, 0};
            snprintf(one, sizeof one, "TIE '%s' -> '%s' AS %s SINCE '%s';\n", w->nodes[a].id, w->nodes[b].id,
                     kind_word[kind], date);
        } else if (what == 5) {
            int open[MAX_TIES], nopen = 0;
            for (int t = 0; t < w->nties; t++)
                if (!w->ties[t].until) open[nopen++] = t;
            if (!nopen) continue;
            tie_t *t = &w->ties[open[next(&seed) % (unsigned)nopen]];
            t->until = day;
            snprintf(one, sizeof one, "UNTIE '%s' -> '%s' AS %s ON '%s';\n", w->nodes[t->a].id, w->nodes[t->b].id,
                     kind_word[t->kind], date);
        } else if (what == 6 && w->nnodes < MAX_NODES) {
            /* A program: no since, so it exists from the start while its organisation does. */
            int org = orgs_open[next(&seed) % (unsigned)norgs];
            node_t *q = new_node(w, ENG_PROGRAM, "p", 0);
            q->org = org;
            two_of(targets, &seed, q->targets[0].text, words);
            two_of(needs, &seed, q->needs[0].text, words2);
            snprintf(one, sizeof one, "ADD program '%s' OF '%s' FOR %s NEEDS %s AREA '市' ID '%s';\n", q->names[0].text,
                     w->nodes[org].id, words, words2, q->id);
        } else if (what == 7 && nprogs) {
            node_t *q = &w->nodes[progs_open[next(&seed) % (unsigned)nprogs]];
            if (q->ntargets == MAX_VALUES) continue;
            two_of(targets, &seed, list, words);
            two_of(needs, &seed, list2, words2);
            q->targets[q->ntargets++] = (dated_t){day, ""};
            q->needs[q->nneeds++] = (dated_t){day, ""};
            snprintf(q->targets[q->ntargets - 1].text, 64, "%s", list);
            snprintf(q->needs[q->nneeds - 1].text, 64, "%s", list2);
            snprintf(one, sizeof one, "SET '%s' FOR %s NEEDS %s ON '%s';\n", q->id, words, words2, date);
        } else if (what == 8 && nprogs) {
            int i = progs_open[next(&seed) % (unsigned)nprogs];
            w->nodes[i].until[0] = day;
            end_ties_of(w, i, day);
            snprintf(one, sizeof one, "REMOVE '%s' ON '%s';\n", w->nodes[i].id, date);
        } else if (what == 9 && w->nnodes < MAX_NODES) {
            node_t *g = new_node(w, ENG_FORUM, "f", day);
            snprintf(one, sizeof one, "ADD forum '%s' KIND platform IN '市' ID '%s' ON '%s';\n", g->names[0].text, g->id,
                     date);
        } else if (what == 10 && nforums && w->nties < MAX_TIES) {
            int a = orgs_open[next(&seed) % (unsigned)norgs], b = forums_open[next(&seed) % (unsigned)nforums];
            int t = open_tie(w, a, b, 2);
            if (t >= 0) {
                w->ties[t].until = day;
                snprintf(one, sizeof one, "UNTIE '%s' -> '%s' AS membership ON '%s';\n", w->nodes[a].id,
                         w->nodes[b].id, date);
            } else {
                w->ties[w->nties++] = (tie_t){a, b, 2, day, 0};
                snprintf(one, sizeof one, "TIE '%s' -> '%s' AS membership SINCE '%s';\n", w->nodes[a].id,
                         w->nodes[b].id, date);
            }
        } else if (what == 11 && nended) {
            /* Back again: a second period from today, under a new name. */
            node_t *o = &w->nodes[ended[next(&seed) % (unsigned)nended]];
            o->since[o->nperiods] = day;
            o->until[o->nperiods++] = 0;
            if (o->nnames == MAX_VALUES) continue;
            dated_t *v = &o->names[o->nnames++];
            v->day = day;
            snprintf(v->text, sizeof v->text, "N%d", names++);
            snprintf(one, sizeof one, "ADD organisation '%s' ID '%s' ON '%s';\n", v->text, o->id, date);
        } else if (what == 11 && nforums > 1) {
            int i = forums_open[next(&seed) % (unsigned)nforums];
            w->nodes[i].until[0] = day;
            end_ties_of(w, i, day);
            snprintf(one, sizeof one, "REMOVE '%s' ON '%s';\n", w->nodes[i].id, date);
        } else {
            continue;
        }
        strncat(stmts, one, sizeof stmts - strlen(stmts) - 1);
    }
    char *out = th_run("net.db", stmts);
    cr_assert_eq(strstr(out, "error"), NULL, "seed %u:\n%s\n%s", first, stmts, out);
    free(out);
    /* Every change's day, the day before it, and days between. */
    for (int k = 0; k < MAX_CHANGES; k++) {
        /* Days of 28-day months: every one exists (the SQL readers take only those). */
        long probe[3] = {days[k], days[k] % 100 > 1 ? days[k] - 1 : days[k], days[k] % 100 < 28 ? days[k] + 1 : days[k]};
        for (int q = 0; q < 3; q++) {
            char *want = oracle(w, probe[q]), *got = loaded(probe[q]), *sql = found(probe[q]);
            cr_assert_str_eq(got, want, "seed %u, day %ld (in memory), after:\n%s", first, probe[q], stmts);
            cr_assert_str_eq(sql, want, "seed %u, day %ld (SQL readers):\n%s\nwant:\n%s\nafter:\n%s", first, probe[q], sql, want, stmts);
            free(want);
            free(got);
            free(sql);
        }
    }
    free(w);
}

Test(asof, the_network_of_a_day_is_the_changes_up_to_it, .timeout = 300)
{
    const char *n = getenv("TSG_HISTORY_SEEDS");
    int seeds = n && atoi(n) > 0 ? atoi(n) : 3;
    for (int s = 1; s <= seeds; s++) one_seed((unsigned)s * 7919u);
}
