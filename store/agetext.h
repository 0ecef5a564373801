/*
 * agetext — ages from the free text of a service directory's eligibility
 * field ("ages 18-65", "16 and older", "youth under 21", "birth to 5").
 *
 * HSDS has minimum_age and maximum_age, but most real directories leave
 * them empty and write who is eligible in prose. The rules below read the
 * common English phrasings; what they cannot read with confidence they
 * leave open and report as ambiguous, so an import never invents an age.
 * The rule set, in the order it is tried (a matched phrase is consumed):
 *
 *   no … over|under N               "no boys over 11": a restriction on others, no bound
 *   all ages, any age, no age limit, regardless of age           everyone (no bound)
 *   birth|newborn|infant to|through|until|- N                    0 … N
 *   [between|from [the ages of]] N [unit] - | to | through | and N [unit] [old|of age]
 *                                   with a unit or an age word ("ages", "youth", …) near, and not
 *                                   after "for" or "at least" (a duration): N … M
 *   N [unit] [old|of age] + | and|or older|over|up|above         N …
 *   N [unit] [old] - | through | into adulthood|adults|seniors   N …
 *   N [unit] [old] and|or under|younger|below                    … N
 *   cannot|must not|may not be older than|over N                 … N
 *   over|older than|above|at least|no younger than|must be|minimum age [of] [the age of] N   N …
 *   under|younger than|below|less than [the age of] N            … N − 1
 *   up to|to age|through age|until age|no older than [age] N     … N
 *
 * A unit is years (yrs, y/o), months or weeks; months and weeks become
 * whole years rounded down. Numbers that are not ages are masked first:
 * money ($), percentages, numbers above 120, grade ranges ("grades 6-12",
 * "K-12"). Several mentions combine as their union: the youngest minimum
 * and the oldest maximum, an open side staying open — a directory should
 * not exclude anyone one of its sentences admits.
 *
 * Ages of a dependant are not the ages of the person served: in "parents
 * with children ages 3-5" (also "families with children 0-18", "mothers of
 * infants up to 12 weeks", "women and their children (cannot be older than
 * 18)") the 3-5 is the child's. Such a mention bounds nothing; a text with
 * no other mention is AGETEXT_DEPENDANT, left open (the parent's age is not
 * said). "Children ages 3-4 and their parents" is the children's range.
 * The joints, the qualifiers allowed between child and ages, and a
 * caregiver's dependants ("caregivers of adults 60 and older") are listed
 * at mark_dependants in agetext.c.
 */
#ifndef TSG_STORE_AGETEXT_H
#define TSG_STORE_AGETEXT_H

enum {
    AGETEXT_NONE,      /* no mention of age */
    AGETEXT_NUMERIC,   /* min and/or max found */
    AGETEXT_ALL,       /* "all ages": explicitly no limit */
    AGETEXT_AMBIGUOUS, /* an age is mentioned ("age 65", "16 years old") but no rule reads it */
    AGETEXT_WORDS,     /* age words only ("seniors", "youth"): left open */
    AGETEXT_DEPENDANT  /* only a dependant's ages ("parents with children ages 3-5"): left open */
};

typedef struct agetext {
    int kind;
    int min, max; /* -1: open */
} agetext_t;

agetext_t agetext_read(const char *text);

#endif
