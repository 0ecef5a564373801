/* i18n — see i18n.h. */
#include "i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TSG_LOCALEDIR
#define TSG_LOCALEDIR "/usr/local/share/locale"
#endif
#ifndef TSG_BUILD_LOCALEDIR
#define TSG_BUILD_LOCALEDIR ""
#endif

const char *util_pgettext(const char *ctx_s, const char *s)
{
    const char *t = dgettext(TSG_TEXTDOMAIN, ctx_s);
    return t == ctx_s ? s : t;
}

const char *util_pgettext_ctx(const char *ctx, const char *s)
{
    char buf[512];
    size_t a = strlen(ctx), b = strlen(s);
    if (a + b + 2 > sizeof buf) return s;
    memcpy(buf, ctx, a);
    buf[a] = '\004';
    memcpy(buf + a + 1, s, b + 1);
    const char *t = dgettext(TSG_TEXTDOMAIN, buf);
    return t == buf ? s : t;
}

static int has_catalogue(const char *dir)
{
    if (!dir || !*dir) return 0;
    char path[4096];
    size_t n = strlen(dir);
    if (n + 40 > sizeof path) return 0;
    memcpy(path, dir, n);
    strcpy(path + n, "/ja/LC_MESSAGES/" TSG_TEXTDOMAIN ".mo");
    return access(path, R_OK) == 0;
}

void util_i18n_bind(void)
{
    const char *env = getenv("TSUNAGI_LOCALEDIR");
    const char *dir = env && *env ? env : has_catalogue(TSG_LOCALEDIR) ? TSG_LOCALEDIR
                                        : has_catalogue(TSG_BUILD_LOCALEDIR) ? TSG_BUILD_LOCALEDIR
                                                                             : TSG_LOCALEDIR;
    bindtextdomain(TSG_TEXTDOMAIN, dir);
    /* The catalogue's UTF-8 whatever LC_CTYPE says: tsunagi speaks UTF-8. */
    bind_textdomain_codeset(TSG_TEXTDOMAIN, "UTF-8");
    /* strerror's text comes from glibc's own catalogue: in Japanese under
     * LC_CTYPE=C it came out as '?????????????' (書き込めません：?????). */
    bind_textdomain_codeset("libc", "UTF-8");
}

int util_lang_set(const char *lang)
{
    util_i18n_bind();
    const char *cur = getenv("LANGUAGE");
    if (!cur || strcmp(cur, lang)) setenv("LANGUAGE", lang, 1);
    if (!strcmp(lang, "ja")) {
        const char *m = setlocale(LC_MESSAGES, NULL);
        if (!m || !strcmp(m, "C") || !strcmp(m, "POSIX")) {
            static const char *const utf8[] = {"C.UTF-8", "C.utf8", "ja_JP.UTF-8", "en_US.UTF-8"};
            size_t i = 0;
            while (i < sizeof utf8 / sizeof utf8[0] && !setlocale(LC_MESSAGES, utf8[i])) i++;
            if (i == sizeof utf8 / sizeof utf8[0]) return -1;
        }
    }
    /* gettext caches its lookups; setting the domain again drops them. */
    textdomain(textdomain(NULL));
    return 0;
}

static const char *lang_of(const char *v)
{
    /* "ja", "ja_JP.UTF-8", "ja:en": the first entry decides. */
    return (v[0] == 'j' && v[1] == 'a' && (!v[2] || strchr("_.@:", v[2]))) ? "ja" : "en";
}

const char *util_lang_from_env(void)
{
    static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return lang_of(v);
    }
    return "en";
}

int util_lang_ja(void)
{
    /* The catalogue's header (the translation of "") names its language. */
    const char *h = dgettext(TSG_TEXTDOMAIN, "");
    return h && *h && strstr(h, "\nLanguage: ja") != NULL;
}
