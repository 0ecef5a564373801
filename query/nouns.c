/*
 * nouns — the words that messages put into their sentences, translated on
 * their own (a msgctxt each), so that a Japanese sentence never holds an
 * English noun: the kinds of node (with and without an article, alone and
 * as "organisation or program") and a list's separators. A vocabulary
 * kind's noun is the store's (store_vocab_kind_noun), one table for both
 * layers. Keys (qry_type_name, a vocabulary kind) stay the words the
 * language and the database use; these are only what people read.
 */
#include "query.h"
#include "i18n.h"

#include <string.h>

const char *qry_type_noun(int type)
{
    static const char *const noun[] = {"", NC_("node type", "district"), NC_("node type", "organisation"),
                                       NC_("node type", "program"), NC_("node type", "forum")};
    return type > 0 && type <= QRY_FORUM ? util_pgettext_ctx("node type", noun[type]) : "";
}

/* By the mask of node types (bit 1 district … bit 4 forum) shifted down by one. */
static const char *const types_bare[16] = {
    "",
    NC_("node types", "district"),
    NC_("node types", "organisation"),
    NC_("node types", "district or organisation"),
    NC_("node types", "program"),
    NC_("node types", "district or program"),
    NC_("node types", "organisation or program"),
    NC_("node types", "district, organisation or program"),
    NC_("node types", "forum"),
    NC_("node types", "district or forum"),
    NC_("node types", "organisation or forum"),
    NC_("node types", "district, organisation or forum"),
    NC_("node types", "program or forum"),
    NC_("node types", "district, program or forum"),
    NC_("node types", "organisation, program or forum"),
    NC_("node types", "district, organisation, program or forum"),
};

static const char *const types_a[16] = {
    "",
    NC_("node types with an article", "a district"),
    NC_("node types with an article", "an organisation"),
    NC_("node types with an article", "a district or organisation"),
    NC_("node types with an article", "a program"),
    NC_("node types with an article", "a district or program"),
    NC_("node types with an article", "an organisation or program"),
    NC_("node types with an article", "a district, organisation or program"),
    NC_("node types with an article", "a forum"),
    NC_("node types with an article", "a district or forum"),
    NC_("node types with an article", "an organisation or forum"),
    NC_("node types with an article", "a district, organisation or forum"),
    NC_("node types with an article", "a program or forum"),
    NC_("node types with an article", "a district, program or forum"),
    NC_("node types with an article", "an organisation, program or forum"),
    NC_("node types with an article", "a district, organisation, program or forum"),
};

const char *qry_types_noun(unsigned types)
{
    return util_pgettext_ctx("node types", types_bare[(types & QRY_ANY) >> 1]);
}

const char *qry_types_a(unsigned types)
{
    return util_pgettext_ctx("node types with an article", types_a[(types & QRY_ANY) >> 1]);
}

void qry_list_add(util_buf_t *b, const char *item, int left)
{
    util_buf_printf(b, "%s%s", b->len ? (left ? C_("list", ", ") : C_("list", " and ")) : "", item);
}
