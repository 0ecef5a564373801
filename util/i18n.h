/*
 * i18n — every user-visible string goes through GNU gettext: _("…") where the
 * sentence is used, N_("…") where it sits in a table and is translated when
 * it is shown (_(table[i])), C_("context", "…") for a short word that means
 * different things in different places (a column header, a gap kind).
 * Strings are looked up in the text domain "tsunagi" (dgettext), so a program
 * that links the library keeps its own textdomain.
 *
 * The catalogue (po/ja.po, built to <localedir>/ja/LC_MESSAGES/tsunagi.mo by
 * CMake) is bound by util_i18n_bind: $TSUNAGI_LOCALEDIR, else the install
 * directory, else the build tree's (both compiled in). Without a catalogue
 * gettext returns the English msgid. Which language is used is the
 * process's, as for every gettext program (docs/decisions.md, issue 19).
 */
#ifndef TSG_UTIL_I18N_H
#define TSG_UTIL_I18N_H

#include <libintl.h>

#define TSG_TEXTDOMAIN "tsunagi"

#define _(s) dgettext(TSG_TEXTDOMAIN, s)
#define N_(s) (s)
/* A string with a context (msgctxt), so "district" as a column header and
 * "coverage" as a gap kind are translated on their own. */
#define C_(ctx, s) util_pgettext(ctx "\004" s, s)
/* Marks s as having context ctx in a table, translated with util_pgettext_ctx. */
#define NC_(ctx, s) (s)

/* The translation of ctx_s ("ctx\004msgid"), or s when there is none. */
const char *util_pgettext(const char *ctx_s, const char *s) __attribute__((format_arg(2)));
/* The same with the context and msgid apart (s from a table marked NC_). */
const char *util_pgettext_ctx(const char *ctx, const char *s) __attribute__((format_arg(2)));

/* Binds the catalogue (once is enough; later calls are cheap). */
void util_i18n_bind(void);
/* Makes lang ("ja" or "en") the language of this process's messages:
 * $LANGUAGE, and for "ja" an LC_MESSAGES that is not "C" (glibc ignores
 * $LANGUAGE under "C"): C.UTF-8, which every glibc system has. -1 when no
 * such locale can be set. */
int util_lang_set(const char *lang);
/* "ja" or "en", as gettext would choose from $LANGUAGE, $LC_ALL,
 * $LC_MESSAGES and $LANG (the first one set), without needing the locale
 * to be installed. */
const char *util_lang_from_env(void);
/* Whether the messages now come out in Japanese (the Japanese catalogue is
 * the one gettext uses): tables then show vocabulary labels, not keys. */
int util_lang_ja(void);

#endif
