/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/parse.c: parse_ulong and parse_size. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <tern/lib.h>
#include "unit.h"

static const struct {
    const char *s;
    unsigned long val;
    size_t used;             /* characters consumed */
} ulong_cases[] = {
    { "0", 0, 1 },
    { "42", 42, 2 },
    { "42abc", 42, 2 },
    { "0x1f", 0x1f, 4 },
    { "0XABCdef", 0xabcdef, 8 },
    { "0x", 0, 1 },
    { "0xg", 0, 1 },
    { "017", 017, 3 },
    { "019", 01, 2 },
    { "", 0, 0 },
    { "x", 0, 0 },
    { "-1", 0, 0 },
    { " 1", 0, 0 },
    { "18446744073709551615", 18446744073709551615ul, 20 },
    { "18446744073709551616", ~0ul, 20 },
    { "0xffffffffffffffff", ~0ul, 18 },
    { "0x10000000000000000", ~0ul, 19 },
    { "99999999999999999999999", ~0ul, 23 },
};

static const struct {
    const char *s;
    unsigned int shift;
    int rc;
    uint64_t val;
} size_cases[] = {
    { "0", 0, 0, 0 },
    { "4096", 0, 0, 4096 },
    { "4096", 20, 0, 4096ull << 20 },
    { "0x1000", 0, 0, 0x1000 },
    { "4k", 0, 0, 4096 },
    { "4K", 20, 0, 4096 },
    { "64M", 0, 0, 64ull << 20 },
    { "64m", 0, 0, 64ull << 20 },
    { "2G", 0, 0, 2ull << 30 },
    { "2g", 20, 0, 2ull << 30 },
    { "1T", 0, 0, 1ull << 40 },
    { "16KiB", 0, 0, 16384 },
    { "16KB", 0, 0, 16384 },
    { "16kb", 0, 0, 16384 },
    { "16Kib", 0, 0, 16384 },
    { "512B", 20, 0, 512 },
    { "512b", 20, 0, 512 },
    { "0x1B", 0, 0, 0x1b },
    { "128", 20, 0, 128ull << 20 },
    { "", 0, -EINVAL, 0 },
    { "M", 0, -EINVAL, 0 },
    { "12Q", 20, -EINVAL, 0 },
    { "12 M", 0, -EINVAL, 0 },
    { "12MM", 0, -EINVAL, 0 },
    { "12iB", 0, -EINVAL, 0 },
    { "12Mi", 0, -EINVAL, 0 },
    { "12MBx", 0, -EINVAL, 0 },
    { "-1", 0, -EINVAL, 0 },
    { "16777216T", 0, -ERANGE, 0 },
    { "16777215T", 0, 0, 16777215ull << 40 },
    { "17592186044416M", 0, -ERANGE, 0 },
    { "17592186044415", 20, 0, 17592186044415ull << 20 },
    { "17592186044416", 20, -ERANGE, 0 },
    { "18446744073709551615", 0, 0, UINT64_MAX },
    { "18446744073709551616", 0, -ERANGE, 0 },
};

int main(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(ulong_cases); i++ )
    {
        const char *end = NULL;
        unsigned long v = parse_ulong(ulong_cases[i].s, &end);

        CHECK_EQ(v, ulong_cases[i].val);
        CHECK_EQ(end - ulong_cases[i].s, ulong_cases[i].used);
        if ( v != ulong_cases[i].val )
            fprintf(stderr, "  case \"%s\"\n", ulong_cases[i].s);
    }
    CHECK_EQ(parse_ulong("123", NULL), 123);

    for ( i = 0; i < ARRAY_SIZE(size_cases); i++ )
    {
        uint64_t v = 0xdead;
        int rc = parse_size(size_cases[i].s, size_cases[i].shift, &v);

        CHECK_EQ(rc, size_cases[i].rc);
        if ( rc == 0 )
            CHECK(v == size_cases[i].val);
        else
            CHECK(v == 0xdead);
        if ( rc != size_cases[i].rc )
            fprintf(stderr, "  case \"%s\"\n", size_cases[i].s);
    }
    return unit_done();
}
