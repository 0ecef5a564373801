/*
 * agetext: ages read from free eligibility text. The phrases are the
 * commonest shapes in the real Baltimore and Miami directories
 * (../shared/data/hsds), plus the traps: money, percentages, grades,
 * durations, restrictions on others.
 */
#include "agetext.h"

#include <criterion/criterion.h>
#include <stdio.h>

typedef struct age_case {
    const char *text;
    int kind, min, max;
} age_case_t;

#define N AGETEXT_NUMERIC
#define ALL AGETEXT_ALL
#define AMB AGETEXT_AMBIGUOUS
#define W AGETEXT_WORDS
#define NONE AGETEXT_NONE
#define DEP AGETEXT_DEPENDANT

static const age_case_t cases[] = {
    /* ranges */
    {"Children 5-12 years old.", N, 5, 12},
    {"Ages 18-65", N, 18, 65},
    {"Youth 14 - 21 years old", N, 14, 21},
    {"Youth ages 16 to 24 who are out of school.", N, 16, 24},
    {"Between the ages of 13 and 19", N, 13, 19},
    {"students 11\u201318 years old", N, 11, 18},
    {"Children 6 months - 5 years old.", N, 0, 5},
    {"Children 2 1/2 to 5 years old", N, 2, 5},
    {"from 3 through 21 years of age", N, 3, 21},
    /* open above */
    {"Ages 60 and older.", N, 60, -1},
    {"Adults 18 years or older", N, 18, -1},
    {"Seniors 55+", N, 55, -1},
    {"Individuals 16 years of age and older", N, 16, -1},
    {"Must be 18 years of age", N, 18, -1},
    {"Must be at least 21 years old", N, 21, -1},
    {"Persons over 62", N, 62, -1},
    {"16 years old through adulthood", N, 16, -1},
    {"Minimum age of 14", N, 14, -1},
    /* open below */
    {"Youth under 21", N, -1, 20},
    {"Children younger than 6", N, -1, 5},
    {"Children up to age 5", N, -1, 5},
    {"Children 12 years old or younger", N, -1, 12},
    {"Cannot be older than 24", N, -1, 24},
    {"Birth to age 3", N, 0, 3},
    {"Infants through 12 months", N, 0, 1},
    /* several mentions: the union */
    {"Children 5-12. Teens 13-18.", N, 5, 18},
    {"Adults 18 and older; youth 16-17 with a parent", N, 16, -1},
    /* everyone */
    {"All ages.", ALL, -1, -1},
    {"Open to persons of all ages", ALL, -1, -1},
    {"No age limit", ALL, -1, -1},
    {"Services are provided regardless of age, race or income.", ALL, -1, -1},
    /* not ages */
    {"Income below 200% of poverty", NONE, -1, -1},
    {"Fee: $25 for 2 sessions", NONE, -1, -1},
    {"Grades 6-12", NONE, -1, -1},
    {"Students in grades K-12", W, -1, -1},
    {"Residents of zip codes 21201, 21202", NONE, -1, -1},
    {"Call 410-555-1234", NONE, -1, -1},
    {"Must have been drug-free for at least 6 months", NONE, -1, -1},
    {"Lawful permanent resident for at least 3-5 years", AMB, -1, -1},
    {"No boys over 11 may attend the girls' group", W, -1, -1},
    /* words only, and what the rules cannot read */
    {"Seniors and disabled adults", W, -1, -1},
    {"Youth", W, -1, -1},
    {"age 65;", AMB, -1, -1},
    {"Children 16 years old", AMB, -1, -1},
    {"literal\\nnewline: ages 18-24", N, 18, 24},
    /* Ages of a dependant (issue 20 item 10): the Baltimore texts, as written.
     * The program is for the parent, whose age is not said: left open. */
    {"Low-income parents with children ages 3-5.", DEP, -1, -1},
    {"Low income families with children 3-5 years old.", DEP, -1, -1},
    {"Pregnant females and parents (including expectant fathers) of children ages 0-4 years.", DEP, -1, -1},
    {"Young parents and their children, birth to age 3, including single parents.", DEP, -1, -1},
    {"Serves expectant families and families with children, 0-3.", DEP, -1, -1},
    {"Parents with children ranging from ages 0-3 years.", DEP, -1, -1},
    {"Parents with children ages birth to 47 months.  See notes for Tax Assistance.", DEP, -1, -1},
    {"Families with children (0-21 years) with mental illness, behavior problems, or physical, developmental, and "
     "learning disabilities.", DEP, -1, -1},
    {"Families or individuals with children ages 0-18.", DEP, -1, -1},
    {"Families with children 4 years of age or younger", DEP, -1, -1},
    {"Pregnant women and parents with children under the age of 4 with up-to-date immunizations.", DEP, -1, -1},
    {"Homeless women and their children (cannot be older than 18).", DEP, -1, -1},
    {"Single women and women with children up to 12 years old in domestic violence or homeless situations.", DEP, -1, -1},
    {"Must be pregnant or postpartum with a child up to 6 months of age. Must reside in one of the target areas.", DEP,
     -1, -1},
    {"Pregnant women and mothers of infants up to 12 weeks old. May continue to work with family until child reaches "
     "age 5.", DEP, -1, -1},
    /* Miami: a second range of the same children is theirs too */
    {"Low income families with children 0-12 years old or 14-16 years old.", DEP, -1, -1},
    /* A teen is a dependant too, and the carer's own ages before "with" stay
     * the carer's (they were merged with the child's: 0..25, 0..) */
    {"Parents of teens ages 13-17.", DEP, -1, -1},
    {"Families with youth ages 12-18.", DEP, -1, -1},
    {"Parents (ages 18-25) with children ages 0-5.", N, 18, 25},
    {"Adults 18+ with children ages 0-17.", N, 18, -1},
    /* ... and what stays the person's own: the children come first, or the
     * age belongs to someone named after the children */
    {"Children ages 3-4 and their parents.", N, 3, 4},
    {"Low income children ages 3-5 and their parents.  Accepts children with special needs.", N, 3, 5},
    {"Residents, families with children who receive TCA, adults, ages 18 and over.", N, 18, -1},
    {"Parents (including those caring for relative children), ages 18 and older.", N, 18, -1},
    {"Youth, ages 10-18 years and their parents.", N, 10, 18},
    /* Issue 20 leftovers (d): whom the service is for. Each follows the
     * dependant rule (agetext.c, mark_dependants) through the joint named. */
    /* a caregiver's dependant may be any person */
    {"Caregivers of adults 60 and older.", DEP, -1, -1},
    {"Caregivers of seniors 60+", DEP, -1, -1},                      /* Miami */
    {"Caregivers of older adults 60 years and older", DEP, -1, -1},
    /* ... a guardian's not: the guardian may be the service */
    {"BCDSS can become the guardian of a vulnerable adult aged 18-65 to alleviate risk.", N, 18, 65}, /* Baltimore */
    {"Persons ages 60 and older and caregivers of elderly.", N, 60, -1}, /* Miami: the persons' own */
    /* raising, who have */
    {"Grandparents raising grandchildren ages 0-18.", DEP, -1, -1},
    {"Grandparents who are raising grandchildren ages 0-18", DEP, -1, -1},
    {"Parents who have a child 0-4 years old and reside in Miami-Dade County", DEP, -1, -1},   /* Miami */
    {"Parents/caregivers who have a child birth - 4 years old and reside in the City of Miami Beach.", DEP, -1,
     -1},                                                                                       /* Miami */
    /* ... the caregivers' own age after "and relative caregivers" stays theirs */
    {"Grandparents raising grandchildren and relative caregivers 55 years old or older", N, 55, -1}, /* Miami */
    /* what the children have, between the child and the ages */
    {"Parents of children with disabilities ages 3-21.", DEP, -1, -1},
    {"Families of children with disabilities birth - 26 years old", DEP, -1, -1},              /* Miami */
    {"Parents of children with or without special needs, ages 3-5", DEP, -1, -1},
    /* another child, and a bracket after the children's range */
    {"Open to parents and caregivers of newborns and infants up to 6 months of age in Miami-Dade County.", DEP, -1,
     -1},                                                                                       /* Miami */
    {"Parents of children 1-3 years old (up to 4 years old at time of enrollment)", DEP, -1, -1}, /* Miami */
    /* the children's own, unchanged */
    {"Children with disabilities birth - 5 years old", N, 0, 5},
    {"", NONE, -1, -1},
};

/* One test over the table (Criterion's parameters would carry the string
 * pointers into a re-executed worker, where they do not hold). */
Test(agetext, phrases)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const age_case_t *c = &cases[i];
        agetext_t a = agetext_read(c->text);
        cr_expect(a.kind == c->kind && a.min == c->min && a.max == c->max,
                  "'%s': got kind %d, %d..%d; want kind %d, %d..%d", c->text, a.kind, a.min, a.max, c->kind, c->min,
                  c->max);
    }
}

/* A text of thousands of tokens is read to its limit, not beyond. */
Test(agetext, long_text_is_bounded)
{
    static char big[200000];
    size_t n = 0;
    while (n + 16 < sizeof big) n += (size_t)snprintf(big + n, sizeof big - n, "ages 18-65 and ");
    agetext_t a = agetext_read(big);
    cr_expect(a.kind == AGETEXT_NUMERIC && a.min == 18 && a.max == 65);
}
