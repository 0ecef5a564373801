/* vocab — see vocab.h. */
#include "vocab.h"
#include "store.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

tsg_status_t store_vocab_seed(sqlite3 *db, tsg_error_t *err)
{
    sqlite3_stmt *key = NULL, *alias = NULL;
    tsg_status_t s;
    if ((s = store_prepare(db, "INSERT INTO vocab(kind, key, label_ja, builtin) VALUES (?1, ?2, ?3, 1)", &key, err)) ||
        (s = store_prepare(db, "INSERT INTO vocab_alias(kind, alias, key) VALUES (?1, ?2, ?3)", &alias, err)))
        goto out;
    for (const store_vocab_builtin_t *b = store_vocab_builtin; b->kind; b++) {
        sqlite3_bind_text(key, 1, b->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(key, 2, b->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(key, 3, b->label_ja, -1, SQLITE_STATIC);
        if (sqlite3_step(key) != SQLITE_DONE) { s = store_fail_sql(db, _("vocabulary"), err); goto out; }
        sqlite3_reset(key);
        for (const char *a = b->aliases; a && *a;) {
            const char *end = strchr(a, ';');
            size_t n = end ? (size_t)(end - a) : strlen(a);
            sqlite3_bind_text(alias, 1, b->kind, -1, SQLITE_STATIC);
            sqlite3_bind_text(alias, 2, a, (int)n, SQLITE_STATIC);
            sqlite3_bind_text(alias, 3, b->key, -1, SQLITE_STATIC);
            if (sqlite3_step(alias) != SQLITE_DONE) { s = store_fail_sql(db, _("vocabulary"), err); goto out; }
            sqlite3_reset(alias);
            a = end ? end + 1 : a + n;
        }
    }
out:
    sqlite3_finalize(key);
    sqlite3_finalize(alias);
    return s;
}

static void entry_free(store_vocab_entry_t *e)
{
    free(e->kind); free(e->key); free(e->label); free(e->fold_key); free(e->fold_label);
    for (size_t i = 0; i < e->naliases; i++) { free(e->aliases[i]); free(e->fold_aliases[i]); }
    free(e->aliases); free(e->fold_aliases);
}

void store_vocab_free(store_vocab_t *v)
{
    for (size_t i = 0; i < v->n; i++) entry_free(&v->e[i]);
    free(v->e);
    v->e = NULL;
    v->n = 0;
}

static store_vocab_entry_t *find_entry(const store_vocab_t *v, const char *kind, const char *key)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->e[i].kind, kind) && !strcmp(v->e[i].key, key)) return &v->e[i];
    return NULL;
}

tsg_status_t store_vocab_load(sqlite3 *db, store_vocab_t *v, tsg_error_t *err)
{
    memset(v, 0, sizeof *v);
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_prepare(db, "SELECT kind, key, label_ja FROM vocab ORDER BY rowid", &st, err);
    if (s) return s;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 128;
            store_vocab_entry_t *e = realloc(v->e, cap * sizeof *e);
            if (!e) goto nomem;
            v->e = e;
        }
        /* A row without kind or key (a hand-edited file) means nothing and
         * is left out; one without a label is labelled by its key. The
         * session's first statement reports both (store_check). */
        const char *kind = (const char *)sqlite3_column_text(st, 0), *key = (const char *)sqlite3_column_text(st, 1);
        const char *label = (const char *)sqlite3_column_text(st, 2);
        if (!kind || !key) continue;
        store_vocab_entry_t *e = &v->e[v->n];
        memset(e, 0, sizeof *e);
        v->n++;
        e->kind = util_strdup(kind);
        e->key = util_strdup(key);
        e->label = util_strdup(label ? label : key);
        if (!e->kind || !e->key || !e->label) goto nomem;
        e->fold_key = util_fold(e->key);
        e->fold_label = util_fold(e->label);
        if (!e->fold_key || !e->fold_label) goto nomem;
    }
    if (rc != SQLITE_DONE) { s = store_fail_sql(db, _("vocabulary"), err); goto fail; }
    sqlite3_finalize(st);
    if ((s = store_prepare(db, "SELECT kind, key, alias FROM vocab_alias ORDER BY rowid", &st, err))) goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0), *key = (const char *)sqlite3_column_text(st, 1);
        store_vocab_entry_t *e = kind && key && sqlite3_column_type(st, 2) != SQLITE_NULL ? find_entry(v, kind, key) : NULL;
        if (!e) continue; /* the foreign key makes this impossible, short of a hand edit */
        char **a = realloc(e->aliases, (e->naliases + 1) * sizeof *a);
        if (!a) goto nomem;
        e->aliases = a;
        char **f = realloc(e->fold_aliases, (e->naliases + 1) * sizeof *f);
        if (!f) goto nomem;
        e->fold_aliases = f;
        a[e->naliases] = util_strdup((const char *)sqlite3_column_text(st, 2));
        f[e->naliases] = a[e->naliases] ? util_fold(a[e->naliases]) : NULL;
        e->naliases++;
        if (!a[e->naliases - 1] || !f[e->naliases - 1]) goto nomem;
    }
    if (rc != SQLITE_DONE) { s = store_fail_sql(db, _("vocabulary"), err); goto fail; }
    sqlite3_finalize(st);
    return TSG_OK;
nomem:
    s = util_fail(err, TSG_ENOMEM, _("out of memory loading the vocabulary"));
fail:
    sqlite3_finalize(st);
    store_vocab_free(v);
    return s;
}

const char *store_vocab_resolve(const store_vocab_t *v, const char *kind, const char *text, const char **hint)
{
    *hint = NULL;
    for (size_t i = 0; i < v->n; i++) {
        const store_vocab_entry_t *e = &v->e[i];
        if (strcmp(e->kind, kind)) continue;
        if (!strcmp(e->key, text) || !strcmp(e->label, text)) return e->key;
        for (size_t j = 0; j < e->naliases; j++)
            if (!strcmp(e->aliases[j], text)) return e->key;
    }
    char *fold = util_fold(text);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    /* Keys are short: a long text is no typo of one, and its edit distance
     * would cost its length times every key's. */
    if (fold && strlen(fold) > 256) {
        free(fold);
        return NULL;
    }
    for (size_t i = 0; fold && i < v->n; i++) {
        const store_vocab_entry_t *e = &v->e[i];
        if (strcmp(e->kind, kind)) continue;
        if (!strcmp(e->fold_key, fold) || !strcmp(e->fold_label, fold)) { best = e->key; best_d = 0; break; }
        for (size_t j = 0; j < e->naliases; j++)
            if (!strcmp(e->fold_aliases[j], fold)) { best = e->key; best_d = 0; break; }
        if (best_d == 0) break;
        size_t d = util_edit_distance(fold, e->fold_key);
        size_t dl = util_edit_distance(fold, e->fold_label);
        if (dl < d) d = dl;
        if (d < best_d) { best_d = d; best = e->key; }
    }
    size_t len = 0;
    for (const char *p = fold; p && *p; p++) len += ((unsigned char)*p & 0xC0) != 0x80;
    free(fold);
    if (best_d == 0) return best;
    /* Only suggest what is plausibly a typo: a third of the word, at least 2. */
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    if (best && best_d <= limit && best_d < len) *hint = best;
    return NULL;
}

const char *store_vocab_kind_noun(const char *kind)
{
    /* One word per kind, so a message reads "unknown target group 'x'"
     * and 対象「x」 rather than the column's key (issue 19). */
    static const char *const names[][2] = {
        {"sector", NC_("vocabulary kind", "sector")},
        {"target", NC_("vocabulary kind", "target group")},
        {"need", NC_("vocabulary kind", "need")},
        {"mode", NC_("vocabulary kind", "mode")},
        {"approach", NC_("vocabulary kind", "approach")},
        {"in_system", NC_("vocabulary kind", "in_system value")},
        {"level", NC_("vocabulary kind", "district level")},
        {"tie_kind", NC_("vocabulary kind", "tie kind")},
        {"forum_kind", NC_("vocabulary kind", "forum kind")},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(kind, names[i][0])) return util_pgettext_ctx("vocabulary kind", names[i][1]);
    return kind;
}

const char *store_vocab_key_word(const char *kind, const char *key)
{
    static const char *const levels[] = {
        NC_("district level", "prefecture"), NC_("district level", "municipality"), NC_("district level", "ward"),
        NC_("district level", "school_district"), NC_("district level", "neighbourhood"),
    };
    static const char *const ties[] = {
        NC_("tie kind", "referral"), NC_("tie kind", "co_support"), NC_("tie kind", "info_sharing"),
        NC_("tie kind", "agreement"), NC_("tie kind", "membership"),
    };
    int level = !strcmp(kind, "level");
    if (!level && strcmp(kind, "tie_kind")) return key;
    const char *const *words = level ? levels : ties;
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(words[i], key)) return util_pgettext_ctx(level ? "district level" : "tie kind", key);
    return key;
}

const char *store_vocab_label(const store_vocab_t *v, const char *kind, const char *key)
{
    const store_vocab_entry_t *e = find_entry(v, kind, key);
    return e ? e->label : key;
}

tsg_status_t store_default_needs_seed(sqlite3 *db, tsg_error_t *err)
{
    sqlite3_stmt *st = NULL;
    tsg_status_t s = store_exec(db, "DELETE FROM default_need", _("default needs"), err);
    if (!s) s = store_prepare(db, "INSERT INTO default_need(target, pos, need) VALUES (?1, ?2, ?3)", &st, err);
    for (const store_default_needs_t *d = store_default_needs; !s && d->target; d++) {
        int pos = 0;
        for (const char *p = d->needs; *p && !s;) {
            const char *end = strchr(p, ';');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            sqlite3_bind_text(st, 1, d->target, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, pos++);
            sqlite3_bind_text(st, 3, p, (int)n, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) s = store_fail_sql(db, _("default needs"), err);
            sqlite3_reset(st);
            p += n + (end != NULL);
        }
    }
    sqlite3_finalize(st);
    return s;
}
