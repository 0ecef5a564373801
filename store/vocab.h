/*
 * vocab — the vocabulary: for each kind (sector, target, need, mode,
 * approach, in_system, level, tie_kind, forum_kind) the keys with their
 * Japanese label and aliases. Built-in entries come from docs/domain (see
 * vocab_builtin.c); users add keys of the open kinds through vocabulary.csv.
 *
 * A store_vocab_t is an in-memory snapshot loaded from a database; it owns
 * all its strings. Resolution accepts, in order: the key, the Japanese label,
 * an alias, then the same compared width- and case-insensitively (NFKC +
 * case fold). A miss yields the closest key for a "did you mean" hint.
 */
#ifndef TSG_STORE_VOCAB_H
#define TSG_STORE_VOCAB_H

#include "tsunagi.h"
#include <sqlite3.h>

typedef struct store_vocab_builtin {
    const char *kind, *key, *label_ja, *aliases; /* aliases: ';'-separated or NULL */
} store_vocab_builtin_t;

/* The built-in table, ending with an all-NULL row. */
extern const store_vocab_builtin_t store_vocab_builtin[];

/* What each built-in target group usually needs: the needs GAPS checks when
 * a statement names none (docs/language.md lists them). Ends with NULLs. */
typedef struct store_default_needs {
    const char *target, *needs; /* needs: ';'-separated keys */
} store_default_needs_t;
extern const store_default_needs_t store_default_needs[];

/* Kinds whose keys the engine gives meaning to; users may not add to them. */
int store_vocab_kind_closed(const char *kind);
/* Known kind names (sector, target, ...); NULL-terminated. */
extern const char *const store_vocab_kinds[];

typedef struct store_vocab_entry {
    char *kind, *key, *label, *fold_key, *fold_label;
    char **aliases, **fold_aliases;
    size_t naliases;
} store_vocab_entry_t;

typedef struct store_vocab {
    store_vocab_entry_t *e;
    size_t n;
} store_vocab_t;

tsg_status_t store_vocab_load(sqlite3 *db, store_vocab_t *v, tsg_error_t *err);
void store_vocab_free(store_vocab_t *v);

/* Finds `text` among the keys of `kind`. Returns the canonical key (owned by
 * v) or NULL; on NULL, *hint is set to the closest key or NULL. */
const char *store_vocab_resolve(const store_vocab_t *v, const char *kind, const char *text, const char **hint);

/* Label of a key (owned by v), or the key itself when unknown. */
const char *store_vocab_label(const store_vocab_t *v, const char *kind, const char *key);

/* What a vocabulary kind is called in a message ("target group", 対象),
 * translated; a kind it does not know is returned as it is. */
const char *store_vocab_kind_noun(const char *kind);
/* A key of a closed kind (level, tie_kind) as a message names it
 * ("school_district" in English, 小学校区 in Japanese); other keys are
 * returned as they are. */
const char *store_vocab_key_word(const char *kind, const char *key);

/* Fills default_need from store_default_needs (migration, and import before
 * it applies a default_needs.csv). */
tsg_status_t store_default_needs_seed(sqlite3 *db, tsg_error_t *err);

/* Inserts the built-in vocabulary (used by the schema migration). */
tsg_status_t store_vocab_seed(sqlite3 *db, tsg_error_t *err);

#endif
