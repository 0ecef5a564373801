/*
 * bench — what every benchmark driver shares: a monotonic clock and the
 * comparison qsort needs to find medians and percentiles.
 */
#ifndef TSG_BENCH_H
#define TSG_BENCH_H

#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
