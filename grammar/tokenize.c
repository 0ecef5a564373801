/*
 * tokenize — the hand-written UTF-8 tokenizer; see parser.h. Characters are
 * read as code points; full-width ASCII (U+FF01–U+FF5E) and the ideographic
 * space are mapped to ASCII first, then classified. A word is a run of
 * letters, digits, '_' and non-ASCII characters that are not CJK
 * punctuation, so Japanese labels (ひきこもり, 窓口・面談) are words.
 * What else a Japanese keyboard types is read here and nowhere else (the
 * quotes, 〜 and dashes as '..', 、 as ',', ages with 歳 and 以上…; see
 * parser.h and docs/decisions.md "Issue 19: Japanese input").
 */
#include "parser.h"
#include "ast.h"
#include "gen/tsunagi.h"
#include "util.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const struct {
    const char *word;
    int type;
} keywords[] = {
    {"add", TK_ADD},     {"and", TK_AND},       {"as", TK_AS},         {"by", TK_BY},
    {"brokers", TK_BROKERS}, {"thin", TK_THIN}, {"links", TK_LINKS}, {"export", TK_EXPORT}, {"render", TK_RENDER},
    {"report", TK_REPORT}, {"centrality", TK_CENTRALITY}, {"horizontal", TK_HORIZONTAL}, {"weighted", TK_WEIGHTED},
    {"directed", TK_DIRECTED},
    {"count", TK_COUNT}, {"coverage", TK_COVERAGE}, {"find", TK_FIND}, {"from", TK_FROM},
    {"gaps", TK_GAPS},   {"hops", TK_HOPS},     {"in", TK_IN},         {"let", TK_LET},
    {"not", TK_NOT},     {"of", TK_OF},         {"or", TK_OR},         {"overlaps", TK_OVERLAPS},
    {"path", TK_PATH},   {"reach", TK_REACH},   {"remove", TK_REMOVE}, {"set", TK_SET},
    {"show", TK_SHOW},   {"tie", TK_TIE},       {"tied", TK_TIED},     {"to", TK_TO},
    {"untie", TK_UNTIE}, {"where", TK_WHERE}, {"erase", TK_ERASE},
    /* Clause words: keywords where a statement takes them, words elsewhere
     * (%fallback IDENT in tsunagi.y). */
    {"for", TK_FOR},     {"aged", TK_AGED},     {"needs", TK_NEEDS},   {"within", TK_WITHIN},
    {"via", TK_VIA},     {"max", TK_MAX},       {"top", TK_TOP},       {"sample", TK_SAMPLE},
    {"sectors", TK_SECTORS}, {"between", TK_BETWEEN}, {"cluster", TK_CLUSTER}, {"highlight", TK_HIGHLIGHT},
    {"labels", TK_LABELS}, {"forums", TK_FORUMS}, {"overlap", TK_OVERLAP}, {"with", TK_WITH}, {"without", TK_WITHOUT},
    {"neighbourhood", TK_NEIGHBOURHOOD}, {"neighborhood", TK_NEIGHBOURHOOD},
    {"compare", TK_COMPARE}, {"changes", TK_CHANGES},
    {"order", TK_ORDER}, {"limit", TK_LIMIT}, {"asc", TK_ASC}, {"desc", TK_DESC},
    {"what", TK_WHAT},   {"if", TK_IF},         {"critical", TK_CRITICAL},
    {"suggest", TK_SUGGEST}, {"ties", TK_TIES},
    /* Two words read as one token (gram_next_token): AS OF 'date' may end
     * any reading statement, where AS alone begins TIED TO x AS kind. */
    {"as of", TK_ASOF},
    {"using", TK_USING},
};

const char *const gram_keywords[] = {
    "ADD",  "AND",  "AS",    "BROKERS", "BY",   "CENTRALITY", "EXPORT", "RENDER", "REPORT", "COUNT", "COVERAGE", "FIND", "FROM", "GAPS", "HOPS",
    "HORIZONTAL", "IN", "LINKS", "THIN", "WEIGHTED", "DIRECTED",
    "LET",  "NOT",  "OF",    "OR",   "OVERLAPS", "PATH",  "REACH", "REMOVE", "SET", "SHOW", "TIE",
    "TIED", "TO",   "UNTIE", "ERASE", "WHERE", "FOR", "AGED", "NEEDS", "WITHIN", "VIA", "MAX", "TOP", "SAMPLE", "SECTORS",
    "BETWEEN", "CLUSTER", "HIGHLIGHT", "LABELS", "FORUMS", "OVERLAP", "WITH", "WITHOUT", "NEIGHBOURHOOD", "ORDER", "LIMIT",
    "ASC", "DESC", "WHAT", "IF", "CRITICAL", "SUGGEST", "TIES", "AS OF", "COMPARE", "CHANGES", "USING", NULL,
};

int32_t gram_char(const char *s, size_t n, size_t *k)
{
    if (!n) {
        *k = 0;
        return 0;
    }
    unsigned char b = (unsigned char)*s;
    if (b < 0x80) {
        *k = 1;
        return b;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &c);
    if (len <= 0) {
        *k = 1;
        return -1;
    }
    *k = (size_t)len;
    if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFF01 + 0x21;
    if (c == 0x3000) return ' ';
    if (c == 0xFF62 || c == 0xFF63) return c - 0xFF62 + 0x300C; /* half-width ｢｣ */
    return c;
}

#define peek gram_char

static int is_word(int32_t c);

/* The quotes a Japanese input method types, with their closers (see
 * parser.h). A pair of brackets may hold balanced pairs of itself
 * (「居場所「こもれび」」); a quote that closes with itself is doubled to
 * stand for one, as ' always was. */
static const struct {
    int32_t open, close;
} quotes[] = {
    {'\'', '\''}, {'"', '"'}, {0x2019, 0x2019}, {0x201D, 0x201D}, /* ’…’ ”…” (MS-IME) */
    {0x2018, 0x2019}, {0x201C, 0x201D}, {0x300C, 0x300D}, {0x300E, 0x300F}, /* ‘…’ “…” 「…」 『…』 */
};

int32_t gram_quote_close(int32_t open)
{
    for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++)
        if (quotes[i].open == open) return quotes[i].close;
    return 0;
}

static int is_digit(int32_t c) { return c >= '0' && c <= '9'; }

/* The dashes typed between two numbers for a range: '-' (and '－', read as
 * '-'), the minus sign, hyphens and en/em dashes, the horizontal bar, and
 * the long-vowel mark ー that the '-' key gives in kana mode. */
static int is_dash(int32_t c)
{
    return c == '-' || c == 0x2212 || (c >= 0x2010 && c <= 0x2015) || c == 0x30FC || c == 0xFF70;
}

/* The code point before src[pos] (as peek reads it), or 0 at the start. */
static int32_t before(const char *src, size_t pos)
{
    size_t i = pos, k;
    if (!i) return 0;
    while (i > 0 && pos - i < 4 && ((unsigned char)src[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0) i--;
    return peek(src + i, pos - i, &k);
}

static int is_age_mark(int32_t c) { return c == 0x6B73 || c == 0x624D; } /* 歳, 才 */

/* Whether the token starting at src[pos] follows a number's digits (or its
 * 歳) directly, with blanks between when `blanks`. */
static int after_number(const char *src, size_t pos, int blanks)
{
    while (blanks && pos > 0 && (src[pos - 1] == ' ' || src[pos - 1] == '\t')) pos--;
    int32_t c = before(src, pos);
    if (is_age_mark(c)) c = before(src, pos - 3); /* 歳 and 才 are 3 bytes */
    return is_digit(c);
}

/* Words read as part of an age right after its digits (18歳以上): what
 * each makes of the number. から may be followed by the upper end. */
static const struct {
    const char *word;
    int type;
} age_words[] = {
    {"以上", TK_ATLEAST}, {"以下", TK_ATMOST}, {"まで", TK_ATMOST}, {"未満", TK_UNDER}, {"から", TK_UPFROM},
};

/* How many bytes of s (n bytes) the age suffix takes, setting *type. */
static size_t age_word(const char *s, size_t n, int *type)
{
    for (size_t i = 0; i < sizeof age_words / sizeof age_words[0]; i++) {
        size_t w = strlen(age_words[i].word), k;
        if (n < w || memcmp(s, age_words[i].word, w)) continue;
        int32_t next = peek(s + w, n - w, &k);
        /* The word ends there (18歳以上の… is not an age), or the upper
         * end's digits follow (18歳から39歳, 18歳以上39歳以下). */
        if (is_word(next) && !is_digit(next)) continue;
        *type = age_words[i].type;
        return w;
    }
    return 0;
}

/* How many bytes of s (n bytes) the Japanese for AS OF takes after a date
 * ('2025-04-01'時点, 2025時点, …時点で): the suffix must end the word. */
static size_t at_date_word(const char *s, size_t n)
{
    static const char *const words[] = {"時点で", "時点"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t w = strlen(words[i]), k;
        if (n >= w && !memcmp(s, words[i], w) && !is_word(peek(s + w, n - w, &k))) return w;
    }
    return 0;
}

static int is_word(int32_t c)
{
    if (c < 0) return 0;
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    /* CJK punctuation (、。「」〜…) ends a word; 々〆〇 are letters. */
    if (c >= 0x3000 && c <= 0x303F) return c == 0x3005 || c == 0x3006 || c == 0x3007;
    if (c == 0x2192 || (c >= 0x2000 && c <= 0x206F)) return 0; /* → and general punctuation */
    return 1;
}

int gram_keyword(const char *z, size_t n)
{
    char word[16];
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        int32_t c = peek(z + i, n - i, &k);
        if (c <= 0 || c >= 0x80 || len + 1 >= sizeof word) return 0;
        word[len++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        i += k;
    }
    word[len] = '\0';
    /* Lowered here (the keywords are ASCII and lower case), so a keyword
     * whose first letter differs is passed over without a call: a
     * strcasecmp against every keyword was most of tokenizing a word. */
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].word[0] == word[0] && !strcmp(word, keywords[i].word)) return keywords[i].type;
    return 0;
}

gram_token_t gram_next_token(gram_ctx_t *ctx, size_t *pos, int *line, int *col)
{
    const char *src = ctx->src;
    size_t len = ctx->len;
    size_t k;
    int32_t c;
    /* Blanks and comments. */
    for (;;) {
        c = peek(src + *pos, len - *pos, &k);
        if (c == '\n') {
            (*line)++;
            *col = 1;
            *pos += k;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == 0xFEFF) {
            (*col)++;
            *pos += k;
        } else if (c == '-' && peek(src + *pos + k, len - *pos - k, &(size_t){0}) == '-') {
            /* A NUL ends the comment so that it is reported below, not skipped. */
            while (*pos < len && src[*pos] != '\n' && src[*pos] != '\0') {
                peek(src + *pos, len - *pos, &k);
                *pos += k;
                (*col)++;
            }
        } else {
            break;
        }
    }
    gram_token_t t = {0, src + *pos, 0, *line, *col, NULL};
    if (*pos >= len) return t;
    size_t start = *pos;
    int chars = 1;
    *pos += k;

    /* Reads one more code point into the token if it is `want`. */
#define TAKE(want) (peek(src + *pos, len - *pos, &k) == (want) ? (*pos += k, chars++, 1) : 0)
    switch (c) {
    case ';': t.type = TK_SEMI; break;
    case ',': t.type = TK_COMMA; break;
    case '(': t.type = TK_LP; break;
    case ')': t.type = TK_RP; break;
    case '*': t.type = TK_STAR; break;
    case '=': t.type = TK_EQ; TAKE('='); break;
    case 0x2192: t.type = TK_ARROW; break; /* → */
    case '<': t.type = TAKE('=') ? TK_LE : TAKE('>') ? TK_NE : TK_LT; break;
    case '>': t.type = TAKE('=') ? TK_GE : TK_GT; break;
    case '!':
        if (TAKE('=')) t.type = TK_NE;
        break;
    case '-':
        if (TAKE('>')) t.type = TK_ARROW;
        else if (after_number(src, start, 0) && is_digit(peek(src + *pos, len - *pos, &(size_t){0})))
            t.type = TK_DOTDOT; /* 18-39, 18－39 */
        break;
    case '~':     /* ～ (full-width, read as ~) and ~ */
    case 0x301C:  /* 〜 */
        t.type = TK_DOTDOT;
        break;
    case 0x3001:  /* 、 (，reads as ,) */
    case 0xFF64:  /* half-width ､ */
        t.type = TK_COMMA;
        break;
    case '.':
        if (TAKE('.')) t.type = TK_DOTDOT;
        break;
    case '\'':
    case '"':
    case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0x300C: case 0x300E: {
        /* A quoted name. A quote that closes with itself is doubled to
         * stand for one; a pair of brackets holds balanced pairs of itself.
         * Every other quote inside is text ('it's' in 「…」). */
        int32_t open = c, q = gram_quote_close(c);
        int depth = 1;
        for (;;) {
            c = peek(src + *pos, len - *pos, &k);
            if (c == 0 && !k) { /* the end of the text; a NUL byte is refused below */
                char close[5] = {0};
                utf8proc_encode_char(q, (utf8proc_uint8_t *)close);
                t.type = -1;
                *col += chars;
                ctx->open_quote = 1;
                gram_fail(ctx, TSG_EINPUT, &t, _("unterminated quoted name (close it with %s)"), close);
                return t;
            }
            if (c < 0 || util_hidden_char(c)) {
                /* What no name holds: bytes that are not UTF-8, control,
                 * bidirectional and zero-width characters (util.h). */
                gram_token_t at = {-1, src + *pos, 1, *line, *col + (int)chars, NULL};
                if (c < 0)
                    gram_fail(ctx, TSG_EINPUT, &at, _("invalid UTF-8 byte 0x%02X in a quoted name"),
                              (unsigned)(unsigned char)src[*pos]);
                else
                    gram_fail(ctx, TSG_EINPUT, &at, _("%s U+%04X in a quoted name"), util_hidden_kind(c), (unsigned)c);
                *pos += k;
                t.type = -1;
                return t;
            }
            *pos += k;
            chars++;
            if (c == '\n') {
                (*line)++;
                *col = 1;
                chars = 0;
            }
            if (q != open && c == open) {
                depth++;
            } else if (c == q && q != open) {
                if (!--depth) break;
            } else if (c == q) {
                if (peek(src + *pos, len - *pos, &k) == q) {
                    *pos += k;
                    chars++;
                    continue;
                }
                break;
            }
        }
        t.type = TK_STRING;
        size_t w = at_date_word(src + *pos, len - *pos);
        if (w) { /* '2025-04-01'時点: one token, AS OF that date (ast_at_date) */
            *pos += w;
            chars += (int)(w / 3); /* 時, 点, で: 3 bytes each */
            t.type = TK_ATDATE;
        }
        if (*pos - start > GRAM_MAX_STRING) {
            t.n = *pos - start;
            gram_fail(ctx, TSG_EINPUT, &t, _("quoted name longer than %u bytes"), GRAM_MAX_STRING);
            t.type = -1;
        }
        break;
    }
    case '$':
        while (is_word(peek(src + *pos, len - *pos, &k))) {
            *pos += k;
            chars++;
        }
        if (chars > 1) t.type = TK_PARAM;
        break;
    default:
        if (is_dash(c) && after_number(src, start, 0) && is_digit(peek(src + *pos, len - *pos, &(size_t){0}))) {
            t.type = TK_DOTDOT; /* 18−39, 18ー39: the other dashes between two numbers */
        } else if (is_digit(c)) {
            for (;;) {
                int32_t d = peek(src + *pos, len - *pos, &k);
                if (!is_digit(d)) break;
                *pos += k;
                chars++;
            }
            t.type = TK_NUMBER;
            /* An age may say so (18歳) and say which end it is (18歳以上,
             * 39歳以下, 18歳から39歳まで): one token, read by ast_age. */
            if (is_age_mark(peek(src + *pos, len - *pos, &k))) {
                *pos += k;
                chars++;
            }
            size_t w = age_word(src + *pos, len - *pos, &t.type);
            if (w) {
                *pos += w;
                chars += 2;
            } else if (t.type == TK_NUMBER && (w = at_date_word(src + *pos, len - *pos))) {
                *pos += w; /* 2025時点: the year, as AS OF 2025 */
                chars += (int)(w / 3);
                t.type = TK_ATDATE;
            }
        } else if (is_word(c)) {
            while (is_word(peek(src + *pos, len - *pos, &k))) {
                *pos += k;
                chars++;
            }
            t.n = *pos - start;
            t.type = gram_keyword(t.z, t.n);
            if (!t.type) t.type = TK_IDENT;
            if (t.type == TK_AS) {
                /* AS OF: one token, so that AS OF 'date' may follow TIED TO
                 * x (where AS would begin the tie's kind) with no conflict
                 * in the grammar. Blanks between on one line only. */
                size_t q = *pos, k2;
                int blanks = 0;
                while (q < len && (src[q] == ' ' || src[q] == '\t')) q++, blanks++;
                int32_t o = peek(src + q, len - q, &k2), f = o > 0 ? peek(src + q + k2, len - q - k2, &k) : 0;
                size_t k3 = 0;
                if (blanks && (o == 'o' || o == 'O') && (f == 'f' || f == 'F') &&
                    !is_word(peek(src + q + k2 + k, len - q - k2 - k, &k3))) {
                    *pos = q + k2 + k;
                    chars += blanks + 2;
                    t.n = *pos - start;
                    t.type = TK_ASOF;
                }
            }
            if (t.n > GRAM_MAX_WORD) {
                gram_fail(ctx, TSG_EINPUT, &t, _("word longer than %u bytes (quote a name: '…')"), GRAM_MAX_WORD);
                t.type = -1;
                *col += chars;
                return t;
            }
            /* Folded here, once: keywords, fields, kinds and clause values
             * are compared as folded text and nothing folds them again. */
            if (ctx->arena) {
                /* ASCII (every keyword) folds to its lower case: copied
                 * straight into the arena, not through utf8proc's copies. */
                size_t ascii = 0;
                while (ascii < t.n && !((unsigned char)t.z[ascii] & 0x80)) ascii++;
                char *copy = NULL;
                if (ascii == t.n) {
                    if ((copy = ast_alloc(ctx, t.n + 1))) {
                        for (size_t i = 0; i < t.n; i++)
                            copy[i] = t.z[i] >= 'A' && t.z[i] <= 'Z' ? (char)(t.z[i] - 'A' + 'a') : t.z[i];
                        copy[t.n] = '\0';
                    }
                } else {
                    char *raw = util_strndup(t.z, t.n), *f = raw ? util_fold(raw) : NULL;
                    if ((copy = f ? ast_alloc(ctx, strlen(f) + 1) : NULL)) strcpy(copy, f);
                    free(raw);
                    free(f);
                }
                if (!copy) {
                    gram_fail(ctx, TSG_ENOMEM, &t, _("out of memory"));
                    t.type = -1;
                    *col += chars;
                    return t;
                }
                t.fold = copy;
            }
        }
        break;
    }
#undef TAKE
    t.n = *pos - start;
    if (t.type && t.type != -1) *col += chars;
    if (!t.type) {
        t.type = -1;
        *col += chars;
        if (c < 0) gram_fail(ctx, TSG_EINPUT, &t, _("invalid UTF-8 byte 0x%02X"), (unsigned char)*t.z);
        /* Text is read with its length, so a NUL is a byte of it (a binary
         * file, a damaged script), not its end: the rest must not be lost. */
        else if (c == 0) gram_fail(ctx, TSG_EINPUT, &t, _("NUL byte (0x00) in the text: is this a binary file?"));
        else if (is_dash(c) && (after_number(src, start, 1) || is_digit(peek(src + *pos, len - *pos, &k))))
            gram_fail(ctx, TSG_EINPUT, &t,
                      _("unexpected character '%.*s' (numbers are never negative; write a range as 18..39 or 18～39)"),
                      (int)t.n, t.z);
        else gram_fail(ctx, TSG_EINPUT, &t, _("unexpected character '%.*s'"), (int)t.n, t.z);
    }
    return t;
}
