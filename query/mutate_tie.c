/*
 * mutate_tie — TIE and UNTIE: a tie between two nodes of the kinds its kind
 * allows, one per pair and kind, written or removed in the statement's write
 * transaction (mutate.c runs it; mutate.h holds what they share).
 */
#include "mutate.h"
#include "i18n.h"
#include "bounds.h"

#include <stdlib.h>
#include <string.h>

#define W_O QRY_W_O
#define W_P QRY_W_P
#define W_F QRY_W_F

/* The tie kind after AS, resolved like any key. */
static tsg_status_t tie_kind(mut_t *m, const gram_token_t *t, const char **kind)
{
    ast_value_t v = {0};
    v.kind = AST_V_WORD;
    v.tok = *t;
    if (!(v.text = qry_mut_strdup(m, t->z, t->n))) return m->s->ctx.code;
    return qry_key(m->s, &v, "tie_kind", kind);
}

/* One end of a tie. qry_node already names the type of a node that the tie
 * cannot reach; a kind written before the name gets the rule it breaks. */
static tsg_status_t tie_end(mut_t *m, const ast_node_t *n, unsigned types, const char *rule, const qry_name_t **out)
{
    static const char *const cannot[] = {
        "", N_("a district cannot be at this end: %s"), N_("an organisation cannot be at this end: %s"),
        N_("a program cannot be at this end: %s"), N_("a forum cannot be at this end: %s")};
    int t = n->type ? qry_type_word(n->type->fold) : 0;
    if (t && !(types & (1u << t))) return qry_fail(m->s, n->type, _(cannot[t]), rule);
    return qry_node_ref(m->s, n, types, out);
}

tsg_status_t qry_mut_tie(mut_t *m)
{
    qry_session_t *s = m->s;
    const ast_stmt_t *stmt = m->st;
    const char *kind;
    const qry_name_t *a, *b;
    tsg_status_t st;
    if ((st = tie_kind(m, stmt->tiekind, &kind))) return st;
    int member = !strcmp(kind, "membership"), directed = member || !strcmp(kind, "referral");
    char rule[256];
    if (member) util_snprintf(rule, sizeof rule, "%s", _("a membership tie goes from an organisation to a forum"));
    else
        util_snprintf(rule, sizeof rule, _("a %s tie joins organisations and programs (only membership reaches forums)"),
                      qry_mut_shown(m, "tie_kind", kind));
    if ((st = tie_end(m, stmt->a, member ? W_O : W_O | W_P, rule, &a)) ||
        (st = tie_end(m, stmt->b, member ? W_F : W_O | W_P, rule, &b)))
        return st;
    if (a == b) return qry_fail(s, &stmt->b->v->tok, _("a tie from '%s' to itself"), a->name);
    if ((st = qry_mut_clauses(m))) return st;
    const field_t *count = &m->f[QRY_F_COUNT], *since = &m->f[QRY_F_SINCE];
    char day[11];
    qry_mut_today(day); /* a tie entered by hand is verified the day it is entered (issue 21 item 8) */
    /* An end that has ended (REMOVE … ON) by the day the tie begins would
     * hold a tie no reader sees: it is named, not written. WHAT IF's copy
     * (outer) ties on the statement's day, whose network whatif.c checked. */
    const qry_name_t *end[2] = {a, b};
    const ast_node_t *ref[2] = {stmt->a, stmt->b};
    for (int e = 0; !s->outer && e < 2; e++) {
        row_t u = {0};
        if ((st = qry_mut_sql(m, "SELECT tsg_ended_by(?1, ?2)",
                              QRY_BINDS(qry_b_num(end[e]->nid), qry_b_text(since->c ? since->text : day)), &u)))
            return st;
        if (u.text[0])
            return qry_fail(s, &ref[e]->v->tok, _("'%s' ended on %s, so it can be tied only before then (TIE … SINCE)"),
                            end[e]->name, u.text[0]);
    }
    /* One tie per pair and kind; an undirected tie is the same either way round. */
    row_t r;
    /* An ended tie (until) is history: the pair may be tied again. */
    if ((st = qry_mut_sql(m, "SELECT count(*) FROM tie WHERE until IS NULL AND kind = ?3 AND ((src = ?1 AND dst = ?2) OR (?4 = 0 AND src = ?2 AND dst = ?1))",
                      QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind), qry_b_num(directed)), &r)))
        return st;
    if (r.num[0])
        return qry_fail(s, stmt->tiekind, _("'%s' and '%s' are already tied as %s (UNTIE it first to change it)"), a->name,
                        b->name, qry_mut_shown(m, "tie_kind", kind));
    /* A pair tied before (UNTIE, then TIE again) has a period already: the
     * new one begins when the old one ended, never inside it, or every day
     * of the old period would count the tie twice. Without SINCE it begins
     * today, or when the old one ends if that is later. */
    const char *begins = since->text;
    if ((st = qry_mut_sql(m, "SELECT u, tsg_day(u) > tsg_day(?5) FROM (SELECT tsg_pair_ended(?1, ?2, ?3, ?4) AS u)",
                          QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind), qry_b_num(directed),
                                    qry_b_text(since->c ? since->text : day)),
                          &r)))
        return st;
    if (r.text[0] && r.num[1] && since->c)
        return qry_fail(s, &since->c->v->tok,
                        _("'%1$s' and '%2$s' were tied as %3$s until %4$s: a new tie begins then or later (SINCE '%4$s')"),
                        a->name, b->name, qry_mut_shown(m, "tie_kind", kind), r.text[0]);
    if (r.text[0] && !since->c) begins = r.num[1] ? r.text[0] : day;
    if ((st = qry_mut_sql(m, "INSERT INTO tie(src, dst, kind, directed, count, since, verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind), qry_b_num(directed), qry_b_opt(count->c != NULL, count->lo),
                            qry_b_text(begins), qry_b_text(day)),
                      NULL)))
        return st;
    const char *k = qry_mut_shown(m, "tie_kind", kind);
    if (count->c && since->c)
        util_snprintf(m->msg, sizeof m->msg, _("tied '%1$s' -> '%2$s' as %3$s (count %4$ld, since %5$s)"), a->name, b->name,
                      k, count->lo, since->text);
    else if (count->c)
        util_snprintf(m->msg, sizeof m->msg, _("tied '%1$s' -> '%2$s' as %3$s (count %4$ld)"), a->name, b->name, k,
                      count->lo);
    else if (since->c)
        util_snprintf(m->msg, sizeof m->msg, _("tied '%1$s' -> '%2$s' as %3$s (since %4$s)"), a->name, b->name, k,
                      since->text);
    else util_snprintf(m->msg, sizeof m->msg, _("tied '%1$s' -> '%2$s' as %3$s"), a->name, b->name, k);
    return TSG_OK;
}

/* Ties from a to b of kind ?3 (any kind when NULL); undirected ones match
 * either way round. */
#define UNTIE_MATCH "((src = ?1 AND dst = ?2) OR (directed = 0 AND src = ?2 AND dst = ?1)) AND (?3 IS NULL OR kind = ?3)"

/* The tie kinds of a list ("referral,membership<", '<' for a tie the other
 * way round) as the messages name them, in the statement's arena: labels
 * in Japanese, and each kind a whole phrase. NULL when out of memory. */
static const char *kinds_shown(mut_t *m, const char *list)
{
    util_buf_t b = {0};
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        int back = n && p[n - 1] == '<';
        char *key = util_strndup(p, n - (size_t)back);
        if (!key) break;
        const char *k = qry_mut_shown(m, "tie_kind", key);
        if (b.len) util_buf_adds(&b, _(", "));
        if (back) util_buf_printf(&b, _("%s the other way"), k);
        else util_buf_adds(&b, k);
        free(key);
        p += n + (p[n] == ',');
    }
    char *out = qry_mut_strdup(m, b.data ? b.data : "", b.len);
    util_buf_free(&b);
    return out;
}

/* UNTIE … ON date: the open ties end that day and stay in the history. */
static tsg_status_t end_ties(mut_t *m, const qry_name_t *a, const qry_name_t *b, const char *kind, const char *date)
{
    row_t r;
    tsg_status_t st = qry_mut_sql(m, "SELECT group_concat(kind, ','), max(tsg_day(since)) FROM (SELECT kind, since FROM tie"
                                     " WHERE until IS NULL AND " UNTIE_MATCH " ORDER BY tid)",
                                  QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind)), &r);
    if (st) return st;
    const gram_token_t *at = m->f[QRY_F_ON].c ? &m->f[QRY_F_ON].c->key : &m->st->kw;
    /* No open tie: the pair (and kind) is what is wrong, not the date; the
     * caret goes where UNTIE without ON puts it for the same mistake, under
     * the kind when one is named, else the statement's first word. */
    const gram_token_t *pair = m->st->tiekind ? m->st->tiekind : &m->st->kw;
    if (!r.text[0])
        return kind ? qry_fail(m->s, pair, _("no open %1$s tie from '%2$s' to '%3$s' to end"), qry_mut_shown(m, "tie_kind", kind),
                               a->name, b->name)
                    : qry_fail(m->s, pair, _("no open tie from '%1$s' to '%2$s' to end"), a->name, b->name);
    if (r.num[1] && r.num[1] >= util_date_first(date)) {
        /* Named by the day the tie begins (the latest of the pair's open
         * ties), not by the ON date typed, which the user already knows. */
        row_t since;
        if ((st = qry_mut_sql(m, "SELECT since FROM tie WHERE until IS NULL AND " UNTIE_MATCH " ORDER BY tsg_day(since) DESC LIMIT 1",
                              QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind)), &since)))
            return st;
        return qry_fail(m->s, at, _("the tie from '%1$s' to '%2$s' begins on %3$s: it can end only after then, not on %4$s"),
                        a->name, b->name, since.text[0], date);
    }
    if ((st = qry_mut_sql(m, "UPDATE tie SET until = ?4 WHERE until IS NULL AND " UNTIE_MATCH,
                          QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind), qry_b_text(date)), NULL)))
        return st;
    const char *kinds = kinds_shown(m, r.text[0]);
    if (!kinds) return m->s->ctx.code;
    util_snprintf(m->msg, sizeof m->msg, _("ended the ties from '%1$s' to '%2$s' on %3$s (%4$lld: %5$s)"), a->name, b->name,
                  date, (long long)m->changes, kinds);
    return TSG_OK;
}

tsg_status_t qry_mut_untie(mut_t *m)
{
    qry_session_t *s = m->s;
    const ast_stmt_t *stmt = m->st;
    const char *kind = NULL, *rule = _("ties join organisations, programs and forums");
    const qry_name_t *a, *b;
    tsg_status_t st;
    if ((stmt->tiekind && (st = tie_kind(m, stmt->tiekind, &kind))) ||
        (st = tie_end(m, stmt->a, W_O | W_P | W_F, rule, &a)) || (st = tie_end(m, stmt->b, W_O | W_P | W_F, rule, &b)) ||
        (!stmt->erase && (st = qry_mut_on_clause(m, "UNTIE"))))
        return st;
    if (m->f[QRY_F_ON].c) return end_ties(m, a, b, kind, m->f[QRY_F_ON].text);
    row_t r;
    /* UNTIE without ON ends the open ties today, kept in the history;
     * only ERASE deletes (a tie entered by mistake). */
    if (!stmt->erase) {
        if ((st = qry_mut_sql(m, "SELECT count(*) FROM tie WHERE until IS NULL AND " UNTIE_MATCH,
                              QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind)), &r)))
            return st;
        if (r.num[0]) {
            const char *today = qry_mut_on(m);
            return today ? end_ties(m, a, b, kind, today) : m->s->ctx.code;
        }
        goto none;
    }
    if ((st = qry_mut_sql(m, "SELECT group_concat(kind, ',') FROM (SELECT kind FROM tie WHERE " UNTIE_MATCH " ORDER BY tid)",
                      QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind)), &r)) ||
        (st = qry_mut_sql(m, "DELETE FROM tie WHERE " UNTIE_MATCH, QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_text(kind)), NULL)))
        return st;
    int64_t n = m->changes;
    if (n) {
        const char *kinds = kinds_shown(m, r.text[0]);
        if (!kinds) return m->s->ctx.code;
        util_snprintf(m->msg, sizeof m->msg,
                      n == 1 ? _("erased '%1$s' -> '%2$s' (%3$lld tie: %4$s)") : _("erased '%1$s' -> '%2$s' (%3$lld ties: %4$s)"),
                      a->name, b->name, (long long)n, kinds);
        return TSG_OK;
    }
none:;
    /* Nothing matched: say what does join them (today, unless ERASE, which
     * reaches ended ties too), often a tie the other way round. */
    row_t other;
    if ((st = qry_mut_sql(m, "SELECT group_concat(k, ',') FROM (SELECT kind || CASE WHEN directed = 1 AND src = ?2"
                         " THEN '<' ELSE '' END AS k FROM tie"
                         " WHERE ((src = ?1 AND dst = ?2) OR (src = ?2 AND dst = ?1)) AND (?3 OR until IS NULL) ORDER BY tid)",
                      QRY_BINDS(qry_b_num(a->nid), qry_b_num(b->nid), qry_b_num(stmt->erase)), &other)))
        return st;
    const gram_token_t *at = stmt->tiekind ? stmt->tiekind : &stmt->kw;
    const char *between = other.text[0] ? kinds_shown(m, other.text[0]) : NULL;
    if (other.text[0] && !between) return m->s->ctx.code;
    if (kind && between)
        return qry_fail(s, at, _("no %1$s tie from '%2$s' to '%3$s' (between them: %4$s)"), qry_mut_shown(m, "tie_kind", kind), a->name,
                        b->name, between);
    if (kind) return qry_fail(s, at, _("no %1$s tie from '%2$s' to '%3$s'"), qry_mut_shown(m, "tie_kind", kind), a->name, b->name);
    if (between) return qry_fail(s, at, _("no tie from '%1$s' to '%2$s' (between them: %3$s)"), a->name, b->name, between);
    return qry_fail(s, at, _("no tie from '%1$s' to '%2$s'"), a->name, b->name);
}
