/* SPDX-License-Identifier: MIT */
/* A tiny host unit-test harness: CHECK macros that count, one summary line. */
#ifndef TERN_TESTS_UNIT_H
#define TERN_TESTS_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/*
 * Each test binary includes this header once, calls CHECK*() as often as it
 * likes and ends main() with "return unit_done();", which prints
 * "unit: NAME: P passed, F failed" (the line tests/unit/unit.mk sums up)
 * and returns non-zero if anything failed.
 */
static unsigned long unit_passed, unit_failed;

#define CHECK(cond) do {                                                    \
    if ( cond )                                                             \
        unit_passed++;                                                      \
    else                                                                    \
    {                                                                       \
        unit_failed++;                                                      \
        fprintf(stderr, "%s:%d: CHECK failed: %s\n",                        \
                __FILE__, __LINE__, #cond);                                 \
    }                                                                       \
} while ( 0 )

/* Compare two integers; prints both values on failure. */
#define CHECK_EQ(a, b) do {                                                 \
    long long unit_a_ = (long long)(a), unit_b_ = (long long)(b);           \
    if ( unit_a_ == unit_b_ )                                               \
        unit_passed++;                                                      \
    else                                                                    \
    {                                                                       \
        unit_failed++;                                                      \
        fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n",\
                __FILE__, __LINE__, #a, #b, unit_a_, unit_b_);              \
    }                                                                       \
} while ( 0 )

/* Compare two strings; prints both on failure. */
#define CHECK_STR(a, b) do {                                                \
    const char *unit_sa_ = (a), *unit_sb_ = (b);                            \
    if ( unit_sa_ && unit_sb_ && !strcmp(unit_sa_, unit_sb_) )              \
        unit_passed++;                                                      \
    else                                                                    \
    {                                                                       \
        unit_failed++;                                                      \
        fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s (\"%s\" != \"%s\")\n",\
                __FILE__, __LINE__, #a, #b,                                 \
                unit_sa_ ? unit_sa_ : "(null)",                             \
                unit_sb_ ? unit_sb_ : "(null)");                            \
    }                                                                       \
} while ( 0 )

/* Print the summary line for this binary; returns the exit status. */
static inline int unit_done_named(const char *name)
{
    printf("unit: %s: %lu passed, %lu failed\n", name, unit_passed,
           unit_failed);
    return unit_failed ? 1 : 0;
}
#define unit_done() unit_done_named(__FILE__)

/* A small deterministic PRNG (xorshift64*) so failures reproduce. */
static uint64_t unit_rng_state = 0x9e3779b97f4a7c15ull;
static inline uint64_t unit_rand(void)
{
    uint64_t x = unit_rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    unit_rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

#endif /* TERN_TESTS_UNIT_H */
