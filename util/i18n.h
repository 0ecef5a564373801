/*
 * i18n — every user-visible string goes through GNU gettext: _("…") where the
 * sentence is used, N_("…") where it sits in a table and is translated when
 * it is shown (_(table[i])). glibc carries gettext itself; the catalogue
 * (po/ja.po, built to a .mo by CMake) is bound when a session or the CLI
 * starts. Without a bound catalogue gettext returns the English msgid.
 */
#ifndef TSG_UTIL_I18N_H
#define TSG_UTIL_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
