/* The vocabulary: resolving keys, labels and aliases, and hints. */
#include "store.h"
#include "util.h"
#include "vocab.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

static tsg_db_t *db;
static store_vocab_t v;
static char path[64];

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/tsunagi-vocab-%ld.db", (long)getpid());
    tsg_error_t err = {0};
    cr_assert_eq(tsg_create(path, &db, &err), TSG_OK, "%s", err.text);
    cr_assert_eq(store_vocab_load(db->sql, &v, &err), TSG_OK, "%s", err.text);
}

static void teardown(void)
{
    store_vocab_free(&v);
    tsg_close(db);
    unlink(path);
}

TestSuite(vocab, .init = setup, .fini = teardown);

static void resolves(const char *kind, const char *text, const char *key)
{
    const char *hint;
    const char *got = store_vocab_resolve(&v, kind, text, &hint);
    cr_assert_not_null(got, "%s '%s' did not resolve", kind, text);
    cr_expect_str_eq(got, key);
}

Test(vocab, keys_labels_aliases_width_and_case)
{
    resolves("target", "hikikomori", "hikikomori");
    resolves("target", "ひきこもり", "hikikomori");
    resolves("target", "引きこもり", "hikikomori");
    resolves("sector", "社協", "shakyo");
    resolves("sector", "ＮＰＯ", "npo");
    resolves("sector", "Government", "government");
    resolves("need", "居場所", "place");
    resolves("level", "小学校区", "school_district");
}

Test(vocab, kinds_are_separate)
{
    const char *hint;
    cr_expect_null(store_vocab_resolve(&v, "need", "hikikomori", &hint));
}

Test(vocab, hints_only_for_near_misses)
{
    const char *hint;
    cr_expect_null(store_vocab_resolve(&v, "target", "young_carers", &hint));
    cr_expect_str_eq(hint, "young_carer");
    cr_expect_null(store_vocab_resolve(&v, "target", "astronaut", &hint));
    cr_expect_null(hint);
}

Test(vocab, every_builtin_entry_is_seeded)
{
    size_t n = 0;
    for (const store_vocab_builtin_t *b = store_vocab_builtin; b->kind; b++) {
        resolves(b->kind, b->key, b->key);
        resolves(b->kind, b->label_ja, b->key);
        n++;
    }
    cr_expect_eq(v.n, n);
}

Test(util, display_width_counts_wide_characters_twice)
{
    cr_expect_eq(util_display_width("abc"), 3);
    cr_expect_eq(util_display_width("北区"), 4);
    cr_expect_eq(util_display_width("ｱｲ"), 2); /* half-width katakana */
}
