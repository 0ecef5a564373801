/* agetext — ages from free eligibility text; the rules are in agetext.h. */
#include "agetext.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 4096
#define OLDEST 120 /* a larger number is not an age */

enum { T_NUM, T_MASKED, T_WORD, T_SYM, T_BREAK };
enum { U_NONE, U_YEARS, U_MONTHS, U_WEEKS };

typedef struct token {
    int type;
    int num;
    char sym;
    char word[20]; /* longer words are cut: none of the rules' words is that long */
} token_t;

typedef struct text {
    token_t *t;
    unsigned char *used;
    unsigned char *dep; /* dep[i]: a mention starting at i gives a dependant's age */
    int n;
} text_t;

static void add(text_t *x, token_t tok)
{
    if (x->n < MAX_TOKENS) x->t[x->n++] = tok;
}

/* Lower-case ASCII words, numbers (masked when money, a percentage, a
 * thousands group or above OLDEST) and the symbols the rules read. */
static void tokenize(const char *s, text_t *x)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p && x->n < MAX_TOKENS) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == 't')) { /* a literal "\n" */
            add(x, (token_t){.type = T_BREAK});
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) { /* – — */
            add(x, (token_t){.type = T_SYM, .sym = '-'});
            p += 3;
        } else if (isalpha(*p)) {
            token_t w = {.type = T_WORD};
            size_t k = 0;
            while (isalpha(*p) || (*p == '\'' && isalpha(p[1])) || (*p == '/' && isalpha(p[1]) && k == 1)) {
                if (*p != '\'' && *p != '/' && k + 1 < sizeof w.word) w.word[k++] = (char)tolower(*p);
                p++;
            }
            add(x, w);
        } else if (isdigit(*p)) {
            int money = p > (const unsigned char *)s && p[-1] == '$';
            long v = 0;
            for (; isdigit(*p); p++) /* saturates: any number this big is no age */
                if (v < 100000) v = v * 10 + (*p - '0');
            int masked = money || v > OLDEST;
            if (*p == '%' || (*p == ',' && isdigit(p[1])) || (*p == '.' && isdigit(p[1]))) masked = 1;
            while (isdigit(*p) || ((*p == ',' || *p == '.') && isdigit(p[1])) || *p == '%') p++;
            if (*p == '/' && isdigit(p[1])) { /* "1/2" alone is no age */
                masked = 1;
                p++;
                while (isdigit(*p)) p++;
            } else { /* "2 1/2" is 2 */
                const unsigned char *q = p;
                while (*q == ' ') q++;
                if (isdigit(q[0]) && q[1] == '/' && isdigit(q[2]) && !isdigit(q[3])) p = q + 3;
            }
            add(x, (token_t){.type = masked ? T_MASKED : T_NUM, .num = (int)v});
        } else if (*p == '-' || *p == '+' || *p == '&') {
            add(x, (token_t){.type = T_SYM, .sym = (char)*p++});
        } else if (strchr(".;:!?,()[]\"\n\r\t", *p)) {
            add(x, (token_t){.type = T_BREAK, .sym = (char)*p++});
        } else {
            p++;
        }
    }
}

static int word(const text_t *x, int i, const char *w)
{
    return i >= 0 && i < x->n && x->t[i].type == T_WORD && !strcmp(x->t[i].word, w);
}

static int sym(const text_t *x, int i, char c)
{
    return i >= 0 && i < x->n && x->t[i].type == T_SYM && x->t[i].sym == c;
}

static int word_in(const text_t *x, int i, const char *const *ws)
{
    for (; *ws; ws++)
        if (word(x, i, *ws)) return 1;
    return 0;
}

static const char *const age_words[] = {
    "age", "ages", "aged", "children", "child", "kids", "youth", "youths", "teens", "teen", "teenagers",
    "adolescents", "adolescent", "adults", "adult", "seniors", "senior", "elderly", "students", "girls",
    "boys", "individuals", "persons", "people", "women", "men", "participants", "clients", "infants",
    "toddlers", "newborns", "juveniles", "preschoolers", NULL};

/* Grade ranges are school years, not ages: "grades 6-12", "K-12". */
static void mask_grades(text_t *x)
{
    for (int i = 0; i < x->n; i++) {
        if (!(word(x, i, "grade") || word(x, i, "grades") || word(x, i, "k") || word(x, i, "kindergarten"))) continue;
        for (int j = i + 1; j < x->n && j <= i + 4 && x->t[j].type != T_BREAK; j++)
            if (x->t[j].type == T_NUM) x->t[j].type = T_MASKED;
    }
}

/* N [unit] at i: *v the age in whole years, *j after it, *unit what it was. */
static int num_unit(const text_t *x, int i, int *v, int *j, int *unit)
{
    if (i < 0 || i >= x->n || x->t[i].type != T_NUM || x->used[i]) return 0;
    *v = x->t[i].num;
    *j = i + 1;
    *unit = U_NONE;
    static const char *const years[] = {"year", "years", "yr", "yrs", "yo", NULL};
    static const char *const months[] = {"month", "months", "mo", "mos", NULL};
    static const char *const weeks[] = {"week", "weeks", "wk", "wks", NULL};
    if (word_in(x, *j, years)) *unit = U_YEARS;
    else if (word_in(x, *j, months)) *unit = U_MONTHS, *v /= 12;
    else if (word_in(x, *j, weeks)) *unit = U_WEEKS, *v /= 52;
    if (*unit) (*j)++;
    return 1;
}

/* Skips "old", "of age" or "of age or"; says whether it did. */
static int skip_old(const text_t *x, int *j)
{
    if (word(x, *j, "old")) {
        (*j)++;
        return 1;
    }
    if (word(x, *j, "of") && word(x, *j + 1, "age")) {
        *j += 2;
        return 1;
    }
    return 0;
}

/* Skips a run of the given words, in order where present: "the age of". */
static int skip_words(const text_t *x, int j, const char *const *ws)
{
    for (; *ws; ws++)
        if (word(x, j, *ws)) j++;
    return j;
}

/* "parents with children ages 3-5": the ages are the child's, and the
 * program is for the parents. A mention is a dependant's when it follows
 * a carer ("parents", "families", "women", …) joined to a child
 * ("children", "infants", …) by with, of, and their, raising, caring for,
 * or who have ("grandparents raising grandchildren ages 0-18", "parents who
 * have a child 0-4"), with nothing between the child and the mention but
 * "ages", "from", "between", "ranging", commas, brackets, another child
 * ("newborns and infants up to 6 months") and what the children have
 * ("children with disabilities ages 3-21"). A caregiver's dependant may be
 * any person: "caregivers of adults 60 and older", "caregivers of seniors
 * 60+" are for the caregivers, of any age. "Children ages 3-4 and their
 * parents" stays the children's; so does "grandparents raising
 * grandchildren and relative caregivers 55 years old or older", where the
 * 55 is the caregivers' own. */
static void mark_dependants(text_t *x)
{
    static const char *const carers[] = {
        "parents", "parent", "families", "family", "women", "woman", "mothers", "mother", "moms", "fathers", "father",
        "dads", "households", "household", "caregivers", "caregiver", "guardians", "guardian", "grandparents",
        "adults", "individuals", "persons", "people", "men", "couples", "females", "postpartum", NULL};
    static const char *const children[] = {"children", "child", "kids", "infants", "infant", "babies", "baby",
                                           "toddlers", "sons", "daughters", "dependents", "dependants", "teens",
                                           "teenagers", "teen", "adolescents", "youth", "grandchildren", "newborns",
                                           "newborn", NULL};
    /* whom a caregiver (not a guardian, who may be the service: "the
     * guardian of a vulnerable adult aged 18-65") cares for */
    static const char *const cared[] = {"adults", "adult", "seniors", "senior", "elderly", "persons", "person",
                                        "people", "individuals", "relatives", NULL};
    static const char *const between[] = {"ages", "age", "aged", "from", "between", "ranging", "the", "of", NULL};
    for (int i = 0; i < x->n; i++) {
        int j;
        if (word(x, i, "with") || word(x, i, "of") || word(x, i, "raising")) j = i + 1;
        else if ((word(x, i, "and") && word(x, i + 1, "their")) || (word(x, i, "caring") && word(x, i + 1, "for")) ||
                 (word(x, i, "who") && (word(x, i + 1, "have") || word(x, i + 1, "has"))))
            j = i + 2;
        else if (word(x, i, "who") && word(x, i + 1, "are") && word(x, i + 2, "raising"))
            j = i + 3;
        else continue;
        /* the carer just before, or before a bracket: "parents (including expectant fathers) of" */
        int c = i - 1;
        if (i >= 2 && x->t[i - 1].type == T_BREAK && !word_in(x, i - 1, carers)) c = i - 2;
        int carer = word_in(x, c, carers);
        int caregiver = word(x, c, "caregivers") || word(x, c, "caregiver");
        /* the carer before its own ages: "parents (ages 18-25) with", "adults 18+ with" */
        static const char *const own[] = {"ages", "age", "aged", "and", "over", "older", "up", "to", "years", NULL};
        for (int b = i - 1; !carer && b >= 0 && b >= i - 8; b--) {
            if (word_in(x, b, carers)) carer = b < i - 1;
            else if (!(x->t[b].type == T_NUM || x->t[b].type == T_SYM || word_in(x, b, own) ||
                       (x->t[b].type == T_BREAK && (x->t[b].sym == '(' || x->t[b].sym == ')'))))
                break;
            if (word_in(x, b, carers)) break;
        }
        if (!carer) continue;
        while (word(x, j, "their") || word(x, j, "a") || word(x, j, "an") || word(x, j, "young") || word(x, j, "small") || word(x, j, "minor") ||
               word(x, j, "dependent") || (caregiver && (word(x, j, "older") || word(x, j, "frail") || word(x, j, "aging"))))
            j++;
        if (!word_in(x, j, children) && !(caregiver && word_in(x, j, cared))) continue;
        x->dep[j] = 1; /* "mothers of infants up to 12 weeks": the rule starts at the child */
        for (j++; j < x->n; j++) {
            x->dep[j] = 1;
            /* another child: "newborns and infants up to 6 months" */
            if ((word(x, j, "and") || word(x, j, "or")) && word_in(x, j + 1, children)) {
                x->dep[++j] = 1;
                continue;
            }
            /* what the children have: "with disabilities", "with or without special needs" */
            if (word(x, j, "with") || word(x, j, "without")) {
                int k = j + 1, words = 0;
                while (k < x->n && words < 4 && x->t[k].type == T_WORD && !word_in(x, k, between) &&
                       !word_in(x, k, age_words) && !word(x, k, "birth"))
                    k++, words++;
                if (words && k < x->n && (word_in(x, k, between) || word(x, k, "birth") || x->t[k].type == T_NUM ||
                                          (x->t[k].type == T_BREAK && x->t[k].sym == ','))) {
                    for (; j < k; j++) x->dep[j] = 1;
                    j--;
                    continue;
                }
            }
            int skip = word_in(x, j, between) || (x->t[j].type == T_BREAK && (x->t[j].sym == ',' || x->t[j].sym == '('));
            if (!skip) break;
        }
    }
}

typedef struct found {
    int any, all, min_open, max_open;
    int min, max; /* over the mentions with that side bounded */
} found_t;

static void bound(found_t *f, int lo, int hi)
{
    f->any = 1;
    if (lo < 0) f->min_open = 1;
    else if (f->min < 0 || lo < f->min) f->min = lo;
    if (hi < 0) f->max_open = 1;
    else if (f->max < 0 || hi > f->max) f->max = hi;
}

static void consume(text_t *x, int from, int to)
{
    for (int k = from; k < to && k < x->n; k++) x->used[k] = 1;
}

/* The rules at token i; returns the token after a match, or i. */
static int rule_at(text_t *x, int i, found_t *f)
{
    int v, w, j, k, u, u2;
    static const char *const cmp_more[] = {"over", "older", "above", NULL};
    static const char *const cmp_less[] = {"under", "younger", "below", "less", NULL};
    static const char *const the_age_of[] = {"the", "age", "ages", "of", NULL};

    /* "no boys over 11": who is not admitted, said of others. */
    if (word(x, i, "no")) {
        for (j = i + 1; j <= i + 3 && j < x->n; j++)
            if (word_in(x, j, cmp_more) || word_in(x, j, cmp_less)) {
                k = skip_words(x, j + 1, (const char *const[]){"than", "the", "age", "of", NULL});
                if (num_unit(x, k, &v, &k, &u)) {
                    consume(x, i, k);
                    return k;
                }
            }
    }
    /* all ages, any age, of all ages, no age limit, regardless of age */
    if ((word(x, i, "all") && word(x, i + 1, "ages")) || (word(x, i, "any") && word(x, i + 1, "age"))) {
        f->all = 1;
        consume(x, i, i + 2);
        return i + 2;
    }
    if (word(x, i, "no") && word(x, i + 1, "age") &&
        (word(x, i + 2, "limit") || word(x, i + 2, "limits") || word(x, i + 2, "restriction") ||
         word(x, i + 2, "restrictions") || word(x, i + 2, "requirement") || word(x, i + 2, "requirements"))) {
        f->all = 1;
        consume(x, i, i + 3);
        return i + 3;
    }
    if (word(x, i, "regardless") && word(x, i + 1, "of") && word(x, i + 2, "age")) {
        f->all = 1;
        consume(x, i, i + 3);
        return i + 3;
    }
    /* birth to N */
    if (word(x, i, "birth") || word(x, i, "newborn") || word(x, i, "newborns") || word(x, i, "infant") ||
        word(x, i, "infants") || word(x, i, "prenatal")) {
        j = i + 1;
        if (sym(x, j, '-') || word(x, j, "to") || word(x, j, "through") || word(x, j, "thru") || word(x, j, "until"))
            j++;
        else if (word(x, j, "up") && word(x, j + 1, "to"))
            j += 2;
        else
            j = -1;
        if (j > 0) {
            j = skip_words(x, j, (const char *const[]){"age", NULL});
            if (num_unit(x, j, &v, &k, &u)) {
                skip_old(x, &k);
                bound(f, 0, v);
                consume(x, i, k);
                return k;
            }
        }
    }
    /* [between|from [the ages of]] N [unit] - N [unit] [old] */
    j = i;
    int lead = 0;
    if (word(x, j, "between") || word(x, j, "from")) {
        j = skip_words(x, j + 1, the_age_of);
        lead = 1;
    }
    if (num_unit(x, j, &v, &k, &u)) {
        int start = j, old1 = skip_old(x, &k);
        if (sym(x, k, '-') || word(x, k, "to") || word(x, k, "through") || word(x, k, "thru") || word(x, k, "and") ||
            sym(x, k, '&')) {
            int m = k + 1;
            if (num_unit(x, m, &w, &m, &u2)) {
                int old2 = skip_old(x, &m);
                int context = u || u2 || old1 || old2 || lead;
                for (int b = start - 1; b >= start - 3 && b >= 0 && !context; b--) context = word_in(x, b, age_words);
                /* "N to N" with months on the left and years on the right: "6 months - 5 years" */
                /* "resident for at least 3-5 years" is a duration, not an age */
                int duration = word(x, start - 1, "for") || word(x, start - 1, "least") || word(x, start - 2, "for");
                if (context && !duration && v <= w && w <= OLDEST) {
                    bound(f, v, w);
                    consume(x, i, m);
                    return m;
                }
            }
        }
        /* N [unit] [old] + | and/or older|over|up|above */
        k = start;
        num_unit(x, k, &v, &k, &u);
        skip_old(x, &k);
        if (sym(x, k, '+') || word(x, k, "plus")) {
            bound(f, v, -1);
            consume(x, start, k + 1);
            return k + 1;
        }
        if (word(x, k, "and") || word(x, k, "or") || sym(x, k, '&')) {
            if (word(x, k + 1, "older") || word(x, k + 1, "over") || word(x, k + 1, "up") || word(x, k + 1, "above")) {
                bound(f, v, -1);
                consume(x, start, k + 2);
                return k + 2;
            }
            if (word(x, k + 1, "under") || word(x, k + 1, "younger") || word(x, k + 1, "below")) {
                bound(f, -1, v);
                consume(x, start, k + 2);
                return k + 2;
            }
        }
        /* N [old] through adulthood */
        if ((sym(x, k, '-') || word(x, k, "through") || word(x, k, "to") || word(x, k, "into")) &&
            (word(x, k + 1, "adulthood") || word(x, k + 1, "adult") || word(x, k + 1, "adults") ||
             word(x, k + 1, "seniors") || word(x, k + 1, "elderly") || word(x, k + 1, "geriatric"))) {
            bound(f, v, -1);
            consume(x, start, k + 2);
            return k + 2;
        }
    }
    /* cannot be older than N */
    if ((word(x, i, "cannot") || ((word(x, i, "must") || word(x, i, "may")) && word(x, i + 1, "not"))) ) {
        j = i + (word(x, i, "cannot") ? 1 : 2);
        if (word(x, j, "be") && (word(x, j + 1, "over") || (word(x, j + 1, "older") && word(x, j + 2, "than")))) {
            j = skip_words(x, j + (word(x, j + 1, "over") ? 2 : 3), the_age_of);
            if (num_unit(x, j, &v, &k, &u)) {
                skip_old(x, &k);
                bound(f, -1, v);
                consume(x, i, k);
                return k;
            }
        }
    }
    /* over N, at least N, must be N years old, minimum age of N */
    j = -1;
    int strict = 0; /* a bare number after it is an age only with a unit or "old" */
    if (word(x, i, "over") || word(x, i, "above")) j = i + 1;
    else if (word(x, i, "older") && word(x, i + 1, "than")) j = i + 2;
    else if (word(x, i, "at") && word(x, i + 1, "least")) j = i + 2, strict = 1;
    else if (word(x, i, "no") && word(x, i + 1, "younger") && word(x, i + 2, "than")) j = i + 3;
    else if (word(x, i, "must") && word(x, i + 1, "be")) j = i + 2, strict = 2;
    else if (word(x, i, "minimum") && word(x, i + 1, "age")) j = i + 2;
    if (j > 0) {
        int named = word(x, j, "age") || word(x, j + 1, "age") || word(x, i + 1, "age");
        j = skip_words(x, j, the_age_of);
        if (num_unit(x, j, &v, &k, &u) && u != U_MONTHS && u != U_WEEKS) {
            int old = skip_old(x, &k);
            if (!strict || old || named || (strict == 2 && u == U_YEARS)) {
                bound(f, v, -1);
                consume(x, i, k);
                return k;
            }
        }
    }
    /* under N, up to N */
    j = -1;
    int below = 0;
    if (word(x, i, "under") || word(x, i, "below")) j = i + 1, below = 1;
    else if ((word(x, i, "younger") || word(x, i, "less")) && word(x, i + 1, "than")) j = i + 2, below = 1;
    else if (word(x, i, "up") && word(x, i + 1, "to")) j = i + 2;
    else if ((word(x, i, "to") || word(x, i, "through") || word(x, i, "until")) && word(x, i + 1, "age")) j = i + 1;
    else if ((word(x, i, "no") || word(x, i, "not")) && word(x, i + 1, "older") && word(x, i + 2, "than")) j = i + 3;
    if (j > 0) {
        j = skip_words(x, j, the_age_of);
        if (num_unit(x, j, &v, &k, &u) && (below || u == U_YEARS || word(x, j - 1, "age") || skip_old(x, &k) ||
                                           word(x, i - 1, "ages") || word(x, i - 1, "age") || word_in(x, i - 1, age_words))) {
            skip_old(x, &k);
            bound(f, -1, below ? (v > 0 ? v - 1 : 0) : v);
            consume(x, i, k);
            return k;
        }
    }
    return i;
}

agetext_t agetext_read(const char *s)
{
    agetext_t out = {AGETEXT_NONE, -1, -1};
    if (!s || !*s) return out;
    text_t x = {0};
    x.t = malloc(MAX_TOKENS * sizeof *x.t);
    x.used = calloc(MAX_TOKENS, 1);
    x.dep = calloc(MAX_TOKENS, 1);
    if (!x.t || !x.used || !x.dep) {
        free(x.t);
        free(x.used);
        free(x.dep);
        out.kind = AGETEXT_AMBIGUOUS; /* out of memory: say nothing rather than guess */
        return out;
    }
    tokenize(s, &x);
    mask_grades(&x);
    mark_dependants(&x);
    found_t f = {.min = -1, .max = -1}, dependant = {.min = -1, .max = -1};
    for (int i = 0; i < x.n;) {
        int next = x.used[i] ? i + 1 : rule_at(&x, i, x.dep[i] ? &dependant : &f);
        /* "children 0-12 years old or 14-16 years old": the next range is the child's too */
        if (next > i && x.dep[i]) {
            int k = next;
            /* "children 1-3 years old (up to 4 years old at enrollment)": the bracket too */
            while (word(&x, k, "or") || word(&x, k, "and") || word(&x, k, "in") || word(&x, k, "some") ||
                   word(&x, k, "cases") || (k < x.n && x.t[k].type == T_BREAK && (x.t[k].sym == ',' || x.t[k].sym == '(')))
                k++;
            if (k < x.n) x.dep[k] = 1;
        }
        i = next > i ? next : i + 1;
    }
    int ambiguous = 0, words = 0;
    for (int i = 0; i < x.n; i++) {
        if (word_in(&x, i, age_words)) words = 1;
        if (x.t[i].type != T_NUM || x.used[i]) continue;
        int v, k, u;
        num_unit(&x, i, &v, &k, &u);
        if (u == U_YEARS || skip_old(&x, &k) || word(&x, i - 1, "age") || word(&x, i - 1, "ages") ||
            word(&x, i - 1, "aged"))
            ambiguous = 1;
    }
    if (f.any) {
        out.kind = AGETEXT_NUMERIC;
        out.min = f.min_open || f.all ? -1 : f.min;
        out.max = f.max_open || f.all ? -1 : f.max;
        if (out.min < 0 && out.max < 0) out.kind = f.all ? AGETEXT_ALL : AGETEXT_AMBIGUOUS;
    } else if (f.all) {
        out.kind = AGETEXT_ALL;
    } else if (dependant.any) {
        out.kind = AGETEXT_DEPENDANT;
    } else if (ambiguous) {
        out.kind = AGETEXT_AMBIGUOUS;
    } else if (words) {
        out.kind = AGETEXT_WORDS;
    }
    free(x.t);
    free(x.used);
    free(x.dep);
    return out;
}
