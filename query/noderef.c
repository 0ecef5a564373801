/*
 * noderef — the node a statement names: 'name', id, $param, organisation
 * 'name', a LET set, looked up in the session's name index (names.c) —
 * exactly, then folded, then as of the statement's day — with the errors
 * an unknown or ambiguous name gets; and a walk's ends, found through SQL
 * by id while the index is unread (docs/decisions.md, h-cold). See query.h.
 */
#include "query.h"
#include "where.h"
#include "structure.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "i18n.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int qry_type_word(const char *f)
{
    static const struct { const char *word; int type; } words[] = {
        {"district", QRY_DISTRICT},         {"districts", QRY_DISTRICT},      {"organisation", QRY_ORGANISATION},
        {"organisations", QRY_ORGANISATION}, {"organization", QRY_ORGANISATION}, {"organizations", QRY_ORGANISATION},
        {"program", QRY_PROGRAM},           {"programs", QRY_PROGRAM},        {"programme", QRY_PROGRAM},
        {"programmes", QRY_PROGRAM},        {"forum", QRY_FORUM},             {"forums", QRY_FORUM},
    };
    int type = 0;
    for (size_t i = 0; f && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(f, words[i].word)) type = words[i].type;
    return type;
}

/* Whether every code point of `needle` appears in `hay` in order. */
static int subsequence(const char *needle, const char *hay)
{
    while (*needle) {
        const char *end = needle + 1;
        while (*end && ((unsigned char)*end & 0xC0) == 0x80) end++;
        size_t k = (size_t)(end - needle);
        const char *hit = NULL;
        for (const char *h = hay; *h; h++)
            if (!strncmp(h, needle, k)) {
                hit = h;
                break;
            }
        if (!hit) return 0;
        hay = hit + k;
        needle = end;
    }
    return 1;
}

/* The nodes a name finds: the first, how many, the first five listed for
 * an ambiguous name's error; fallback, the nodes day_names found by a name
 * they do not have that day (a kept one), tried after the raw chains. */
typedef struct hits {
    const qry_name_t *hit;
    size_t n;
    util_buf_t list;
    const qry_name_t *fallback[8];
    uint32_t fallback_n;
} hits_t;

static void hits_add(hits_t *h, const qry_name_t *n)
{
    if (n == h->hit) return; /* by its name and its id alike (folded) */
    h->hit = h->hit ? h->hit : n;
    h->n++;
    if (h->n <= 5)
        util_buf_printf(&h->list, "%s%s %s (%s)", h->n > 1 ? _(", ") : "", qry_type_noun(n->type), n->id, n->name);
}

/* Whether name (as stored) is `want`, exactly or folded. */
static int name_is(const char *name, const char *want, int folded)
{
    if (!name) return 0;
    if (!folded) return !strcmp(name, want);
    char *f = util_fold(name);
    int same = f && !strcmp(f, want);
    free(f);
    return same;
}

/* QRY_DAY_NAMES: the nodes whose name on the statement's day (the dated
 * tables) is `want`. The candidates are the nodes with that name in the
 * file now and those that had it before (history's kept names); each is
 * kept if its name that day is `want`. A candidate without it that day (a
 * name it has only now, or only had) is a fallback, found only when no
 * node of the day and no current name answers. */
static tsg_status_t day_names(qry_session_t *s, const char *want, int folded, unsigned types, hits_t *h)
{
    const qry_name_t *cand[64];
    size_t nc = 0;
    const uint32_t *next = folded ? s->fold_next : s->exact_next;
    for (uint32_t k = (folded ? s->fold_head : s->exact_head)[util_hash(want) & s->name_mask];
         k != UINT32_MAX && nc < 64; k = next[k])
        if (k % 2 && (types & (1u << s->names[k / 2].type)) && !strcmp(qry_name_key(s, k, folded), want))
            cand[nc++] = &s->names[k / 2];
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->sql,
                           folded ? "SELECT DISTINCT nid, value FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                  : "SELECT DISTINCT nid, value FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                    " AND value = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    if (!folded) sqlite3_bind_text(q, 1, want, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && nc < 64) {
        const qry_name_t *n = qry_name_by_nid(s, sqlite3_column_int64(q, 0));
        if (!n || !(types & (1u << n->type)) || !name_is((const char *)sqlite3_column_text(q, 1), want, folded)) continue;
        size_t i = 0;
        while (i < nc && cand[i] != n) i++;
        if (i == nc) cand[nc++] = n;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return qry_fail_sql(s, NULL);
    if (!nc) return TSG_OK;
    if (sqlite3_prepare_v2(s->sql,
                           "SELECT name FROM organisation_at WHERE nid = ?1 UNION ALL SELECT name FROM program_at WHERE nid = ?1"
                           " UNION ALL SELECT name FROM forum_at WHERE nid = ?1"
                           " UNION ALL SELECT name FROM " QRY_DISTRICT_AT " WHERE nid = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return qry_fail_sql(s, NULL);
    tsg_status_t st = TSG_OK;
    for (size_t i = 0; i < nc && !st; i++) {
        sqlite3_bind_int64(q, 1, cand[i]->nid);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW && name_is((const char *)sqlite3_column_text(q, 0), want, folded)) hits_add(h, cand[i]);
        else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
            /* Found by a name it does not have that day: a current name is
             * found again by the raw chains; a kept one only from here. */
            if (!name_is(cand[i]->name, want, 0) && !(folded && !strcmp(cand[i]->fold_name, want)) &&
                h->fallback_n < sizeof h->fallback / sizeof *h->fallback)
                h->fallback[h->fallback_n++] = cand[i];
        } else
            st = qry_fail_sql(s, NULL);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return st;
}

tsg_status_t qry_node(qry_session_t *s, const ast_value_t *v, const gram_token_t *type, unsigned types,
                      const qry_name_t **out)
{
    tsg_status_t st;
    int kind_first = !!(types & QRY_KIND_FIRST), day = !!(types & QRY_DAY_NAMES);
    types &= ~(QRY_KIND_FIRST | QRY_DAY_NAMES);
    if ((st = qry_load(s))) return st;
    if (type) {
        int t = qry_type_word(type->fold);
        if (!t) return qry_fail(s, type, _("'%.*s' is not a kind of node (district, organisation, program or forum)"),
                                (int)type->n, type->z);
        /* Whole sentences, one per kind: "a organisation" was the old
         * fragment, and a translation needs the sentence. */
        static const char *const not_here[] = {
            [QRY_DISTRICT] = N_("a district cannot be used here"),
            [QRY_ORGANISATION] = N_("an organisation cannot be used here"),
            [QRY_PROGRAM] = N_("a program cannot be used here"),
            [QRY_FORUM] = N_("a forum cannot be used here"),
        };
        if (!(types & (1u << t))) return qry_fail(s, type, "%s", _(not_here[t]));
        types = 1u << t;
    }
    const char *text = qry_text(s, v, NC_("expected value", "a name"));
    if (!text) return s->ctx.code;
    /* Exact id, then exact name, then the same ignoring width and case;
     * with QRY_DAY_NAMES each name pass asks the day's names first. */
    for (int pass = 0; pass < 3; pass++) {
        char *fold = pass == 2 ? util_fold(text) : NULL;
        if (pass == 2 && !fold) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
        const char *want = pass == 2 ? fold : text;
        hits_t h = {0};
        if (pass && day && (st = day_names(s, want, pass == 2, types, &h))) {
            free(fold);
            util_buf_free(&h.list);
            return st;
        }
        const uint32_t *next = pass == 2 ? s->fold_next : s->exact_next;
        for (uint32_t k = h.n ? UINT32_MAX : (pass == 2 ? s->fold_head : s->exact_head)[util_hash(want) & s->name_mask];
             k != UINT32_MAX; k = next[k]) {
            const qry_name_t *n = &s->names[k / 2];
            if (!(types & (1u << n->type)) || (pass < 2 && (int)(k % 2) != pass) || strcmp(qry_name_key(s, k, pass == 2), want))
                continue;
            hits_add(&h, n);
        }
        free(fold);
        /* The raw chains above ran only when the day named nobody: then a
         * name the node has now (or a kept one) still finds it, and SHOW
         * says it did not exist that day. */
        if (!h.n)
            for (uint32_t k = 0; k < h.fallback_n; k++) hits_add(&h, h.fallback[k]);
        if (h.n == 1) {
            util_buf_free(&h.list);
            *out = h.hit;
            return TSG_OK;
        }
        if (h.n > 1) {
            /* The advice must parse where the name stands: only the node
             * rule takes the kind first. */
            st = kind_first ? qry_fail(s, &v->tok,
                                       _("'%s' names %zu nodes: %s%s; use the id, or put the kind first (organisation '…')"),
                                       text, h.n, h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "")
                            : qry_fail(s, &v->tok, _("'%s' names %zu nodes: %s%s; use the id"), text, h.n,
                                       h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "");
            util_buf_free(&h.list);
            return st;
        }
        util_buf_free(&h.list);
    }
    /* A name kept in history finds its node too: the cache holds the
     * latest names, which a change dated later has already set, so today's
     * name (or an old one) of a node renamed ON a later day is found here
     * by the statements that do not read the day's names (IN of FIND and
     * the analyses, the changes). */
    if (!day) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(s->sql, "SELECT DISTINCT nid FROM main.history WHERE field = 'name' AND nid IS NOT NULL"
                                       " AND value = ?1 ORDER BY nid", -1, &q, NULL) != SQLITE_OK)
            return qry_fail_sql(s, &v->tok);
        sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
        hits_t h = {0};
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const qry_name_t *n = qry_name_by_nid(s, sqlite3_column_int64(q, 0));
            if (n && (types & (1u << n->type))) hits_add(&h, n);
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            util_buf_free(&h.list);
            return qry_fail_sql(s, &v->tok);
        }
        if (h.n == 1) {
            util_buf_free(&h.list);
            *out = h.hit;
            return TSG_OK;
        }
        if (h.n > 1) {
            st = qry_fail(s, &v->tok, _("'%s' names %zu nodes: %s%s; use the id"), text, h.n,
                          h.list.data ? h.list.data : "", h.n > 5 ? ", …" : "");
            util_buf_free(&h.list);
            return st;
        }
        util_buf_free(&h.list);
    }
    /* A node of another type by that exact id or name is a clearer answer. */
    for (size_t i = 0; types != QRY_ANY && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!strcmp(n->id, text) || !strcmp(n->name, text))
            return qry_fail(s, &v->tok, _("'%1$s' is %2$s (%3$s), not %4$s"), text, qry_types_a(1u << n->type), n->id,
                            qry_types_a(types));
    }
    /* Unknown: suggest names that hold the typed characters in order (an
     * abbreviation like 北区社協 for 北区社会福祉協議会), then near misses. */
    char *fold = util_fold(text);
    const qry_name_t *best[3] = {NULL, NULL, NULL};
    size_t bestd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
    size_t len = 0;
    for (const char *p = fold; p && *p; p++) len += ((unsigned char)*p & 0xC0) != 0x80;
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (limit >= len) limit = len ? len - 1 : 0;
    for (size_t i = 0; fold && i < s->nnames; i++) {
        const qry_name_t *n = &s->names[i];
        if (!(types & (1u << n->type))) continue;
        size_t cl = 0;
        for (const char *p = n->fold_name; *p; p++) cl += ((unsigned char)*p & 0xC0) != 0x80;
        /* Abbreviations rank before near misses; shorter expansions first.
         * Lengths rule most candidates out cheaply: a longer text is no
         * abbreviation, and the edit distance is at least the difference. */
        size_t d;
        if (len <= cl && subsequence(fold, n->fold_name)) {
            d = strlen(n->fold_name);
        } else {
            if ((len > cl ? len - cl : cl - len) > limit) continue;
            d = util_edit_distance(fold, n->fold_name);
            size_t di = util_edit_distance(fold, n->fold_id);
            if (di < d) d = di;
            if (d > limit) continue;
            d += 100000;
        }
        for (int k = 0; k < 3; k++)
            if (d < bestd[k]) {
                for (int m = 2; m > k; m--) {
                    bestd[m] = bestd[m - 1];
                    best[m] = best[m - 1];
                }
                bestd[k] = d;
                best[k] = n;
                break;
            }
    }
    free(fold);
    util_buf_t hint = {0};
    for (int k = 0; k < 3; k++)
        if (best[k]) util_buf_printf(&hint, "%s'%s'", hint.len ? _(", ") : "", best[k]->name);
    /* The kinds allowed here, as one noun translated on its own (nouns.c). */
    const char *what = qry_types_noun(types);
    /* Any kind: a whole sentence. One kind or a few: the sentence with
     * the kinds' noun ("unknown organisation or program '…'"). */
    if (types == QRY_ANY)
        st = hint.len ? qry_fail(s, &v->tok, _("unknown name '%s' (did you mean %s?)"), text, hint.data)
                      : qry_fail(s, &v->tok, _("unknown name '%s'"), text);
    else
        st = hint.len ? qry_fail(s, &v->tok, _("unknown %s '%s' (did you mean %s?)"), what, text, hint.data)
                      : qry_fail(s, &v->tok, _("unknown %s '%s'"), what, text);
    util_buf_free(&hint);
    return st;
}

/* Whether a bare word names a LET set: its type in *type, or NULL. */
static tsg_status_t set_named(qry_session_t *s, const ast_node_t *n, const char **type)
{
    *type = NULL;
    if (n->type || n->v->kind != AST_V_WORD) return TSG_OK;
    return qry_set_check(s, n->v->text, &n->v->tok, type);
}

tsg_status_t qry_node_ref(qry_session_t *s, const ast_node_t *n, unsigned types, const qry_name_t **out)
{
    const char *set;
    tsg_status_t st = set_named(s, n, &set);
    if (st) return st;
    if (set)
        return qry_fail(s, &n->v->tok, _("'%s' is a set made with LET; one node is needed here (quote a name: '%s')"),
                        n->v->text, n->v->text);
    return qry_node(s, n->v, n->type, types | QRY_KIND_FIRST, out);
}

/* One node named, where a walk starts or ends: itself, and an
 * organisation's programs when with_programs is set. */
static tsg_status_t node_alone(qry_session_t *s, const ast_node_t *n, const eng_net_t *net, const qry_name_t *one,
                               int with_programs, size_t room, int64_t **nids, size_t *count)
{
    if (one->nid > net->maxnid || !net->type[one->nid]) {
        char day[16];
        qry_day_text(s, day);
        /* Found by name whatever the day; walked from only on a day it
         * exists (AS OF: the network has no such node then), as SHOW. */
        if (one->type == QRY_PROGRAM) /* it may exist, and not run that day (store/netread.c) */
            return qry_fail(s, &n->v->tok, _("'%s' does not run on %s (it has not started, has ended, or was removed)"),
                            one->name, day);
        return qry_fail(s, &n->v->tok, _("'%s' did not exist on %s (it began later or was removed before)"),
                        one->name, day);
    }
    size_t k = 1;
    if (with_programs && net->type[one->nid] == ENG_ORGANISATION)
        for (int32_t p = net->first_prog[one->nid]; p >= 0 && k < room; p = net->next_prog[p]) k++;
    int64_t *v = malloc(k * sizeof *v);
    if (!v) return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    v[0] = one->nid;
    k = 1;
    if (with_programs && net->type[one->nid] == ENG_ORGANISATION)
        for (int32_t p = net->first_prog[one->nid]; p >= 0 && k < room; p = net->next_prog[p])
            v[k++] = net->prog_nid[p];
    *nids = v;
    *count = k;
    return TSG_OK;
}

/* The node whose id is n's text, looked up in SQL while the name index is
 * not read: 1 and *out (its id, name and type as the index holds them; the
 * name malloc'd into *name) only where the index's first pass (exact ids)
 * gives that very node: an id is unique, so the index finds it by id before
 * any name. Anything else — no such id, another kind, a kind written first,
 * a parameter, the database changed since the session read it — is 0, and
 * the index answers (qry_node), errors and all. */
static int id_by_sql(qry_session_t *s, const ast_node_t *n, unsigned types, qry_name_t *out, char **name)
{
    *name = NULL;
    if (n->type || (n->v->kind != AST_V_STRING && n->v->kind != AST_V_WORD)) return 0;
    const char *text = n->v->text;
    /* Prepared once a session: preparing both was most of a REACH from an
     * id while the names are unread. The second gives the name as the
     * index has it: each kind's table in the index's order, the last that
     * has one (none: empty). */
    if ((!s->by_id[0] && sqlite3_prepare_v3(s->sql, "SELECT nid, type FROM main.node WHERE id = ?1", -1,
                                            SQLITE_PREPARE_PERSISTENT, &s->by_id[0], NULL) != SQLITE_OK) ||
        (!s->by_id[1] && sqlite3_prepare_v3(s->sql,
                                            "SELECT 0, name FROM main.district WHERE nid = ?1 UNION ALL"
                                            " SELECT 1, name FROM main.organisation WHERE nid = ?1 UNION ALL"
                                            " SELECT 2, name FROM main.program WHERE nid = ?1 UNION ALL"
                                            " SELECT 3, name FROM main.forum WHERE nid = ?1 ORDER BY 1",
                                            -1, SQLITE_PREPARE_PERSISTENT, &s->by_id[1], NULL) != SQLITE_OK))
        return 0;
    sqlite3_stmt *q = s->by_id[0];
    sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
    int t = 0;
    int64_t nid = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        nid = sqlite3_column_int64(q, 0);
        t = qry_type_of((const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* text is the statement's, gone after it */
    /* A nid the names' 32 bits cannot hold is left to the index's look-up,
     * which refuses it (the file has changed since its network was read). */
    if (!t || !(types & (1u << t)) || nid < 0 || nid > INT32_MAX) return 0;
    q = s->by_id[1];
    sqlite3_bind_int64(q, 1, nid);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        if (sqlite3_column_text(q, 1)) {
            free(*name);
            *name = strdup((const char *)sqlite3_column_text(q, 1));
            if (!*name) {
                rc = SQLITE_NOMEM; /* not overwritten by the next step's DONE, which would name it "" */
                break;
            }
        }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE && !*name) *name = strdup("");
    /* Both reads saw the state the index describes only if no other
     * connection committed since the session read its data. */
    if (rc != SQLITE_DONE || !*name || qry_data_version(s) != s->data_version) {
        free(*name);
        *name = NULL;
        return 0;
    }
    *out = (qry_name_t){.nid = nid, .type = t, .id = (char *)text, .name = *name};
    return 1;
}

tsg_status_t qry_node_set(qry_session_t *s, const ast_node_t *n, unsigned types, int with_programs,
                          const eng_net_t *net, int64_t **nids, size_t *count)
{
    *nids = NULL;
    *count = 0;
    const char *set;
    tsg_status_t st = set_named(s, n, &set);
    if (st) return st;
    /* Each node once, with the programs of each organisation (a member or
     * the node named): where a walk may start or end. One node named needs
     * room for itself and its programs only, which differ from each other:
     * an array over every nid (2 MB and 16 MB nationally) was most of a
     * short REACH there. */
    size_t room = (size_t)net->maxnid + 1;
    if (!set) {
        const qry_name_t *one = NULL;
        qry_name_t by_id = {0};
        char *name = NULL;
        if (!(s->names_lazy && id_by_sql(s, n, types, &by_id, &name)) &&
            (st = qry_node(s, n->v, n->type, types | QRY_KIND_FIRST, &one)))
            return st;
        if (!one) one = &by_id;
        st = node_alone(s, n, net, one, with_programs, room, nids, count);
        free(name);
        return st;
    }
    unsigned char *seen = calloc(room, 1);
    int64_t *v = malloc(room * sizeof *v);
    size_t k = 0;
    if (!seen || !v) {
        free(seen);
        free(v);
        return gram_fail(&s->ctx, TSG_ENOMEM, NULL, _("out of memory"));
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->sql, "SELECT nid FROM temp.tsg_set WHERE name = ? ORDER BY nid", -1, &q, NULL) != SQLITE_OK)
        st = qry_fail_sql(s, &n->v->tok);
    else
        sqlite3_bind_text(q, 1, n->v->text, -1, SQLITE_STATIC);
    while (!st && q && sqlite3_step(q) == SQLITE_ROW) {
        int64_t nid = sqlite3_column_int64(q, 0);
        /* The engine's node types are numbered as QRY_*. */
        if (nid > 0 && nid <= net->maxnid && !seen[nid] && (types & (1u << net->type[nid])))
            seen[nid] = 1, v[k++] = nid;
    }
    sqlite3_finalize(q);
    size_t named = k;
    for (size_t i = 0; !st && with_programs && i < named; i++)
        if (net->type[v[i]] == ENG_ORGANISATION)
            for (int32_t p = net->first_prog[v[i]]; p >= 0; p = net->next_prog[p])
                if (!seen[net->prog_nid[p]]) seen[net->prog_nid[p]] = 1, v[k++] = net->prog_nid[p];
    free(seen);
    if (!st && !k)
        st = qry_fail(s, &n->v->tok, _("set '%s' holds no organisation or program: a walk starts and ends at those"), n->v->text);
    if (st) {
        free(v);
        return st;
    }
    *nids = v;
    *count = k;
    return TSG_OK;
}
