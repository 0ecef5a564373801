/*
 * bench — what every benchmark driver shares: a monotonic clock, the
 * comparison qsort needs to find medians and percentiles, and sink
 * callbacks that count rows and print errors.
 */
#ifndef TSG_BENCH_H
#define TSG_BENCH_H

#include "tsunagi.h"

#include <stdio.h>
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

/* A sink's row callback: adds the result's rows to the size_t at ctx. */
static inline tsg_status_t bench_count_rows(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    (void)err;
    *(size_t *)ctx += r->nrows;
    return TSG_OK;
}

static inline void bench_print_error(void *ctx, const tsg_error_t *e)
{
    (void)ctx;
    fprintf(stderr, "%s\n", e->text);
}

#endif
