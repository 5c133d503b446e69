/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/string.c (renamed away from libc) and lib/string-extra.c. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "unit.h"

/* Build the hypervisor's versions under t_ names, next to libc's. */
#define memcpy   t_memcpy
#define memmove  t_memmove
#define memset   t_memset
#define memcmp   t_memcmp
#define strlen   t_strlen
#define strnlen  t_strnlen
#define strcmp   t_strcmp
#define strncmp  t_strncmp
#define strchr   t_strchr
#include "../../lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* memmove and memcpy against a reference, at every offset and length. */
static void test_mem(void)
{
    unsigned char a[64], b[64], ref[64];
    size_t src, dst, n, i;

    for ( src = 0; src < 16; src++ )
    for ( dst = 0; dst < 16; dst++ )
    for ( n = 0; n < 40; n += 3 )
    {
        for ( i = 0; i < sizeof(a); i++ )
            a[i] = b[i] = ref[i] = (unsigned char)(i * 7 + 1);
        memmove(ref + dst, ref + src, n);
        CHECK(t_memmove(a + dst, a + src, n) == a + dst);
        CHECK(!memcmp(a, ref, sizeof(a)));
        if ( src + n <= dst || dst + n <= src )
        {
            t_memcpy(b + dst, b + src, n);
            CHECK(!memcmp(b, ref, sizeof(b)));
        }
    }

    CHECK(t_memset(a, 0x1ab, 10) == a);
    CHECK(a[0] == 0xab && a[9] == 0xab && a[10] != 0xab);
    CHECK_EQ(t_memcmp("abc", "abd", 3), -1);
    CHECK(t_memcmp("ab\x80", "ab\x01", 3) > 0);
    CHECK_EQ(t_memcmp("abc", "abd", 2), 0);
    CHECK_EQ(t_memcmp("", "", 0), 0);
}

static void test_str(void)
{
    static const char *const words[] = {
        "", "a", "ab", "abc", "abd", "b", "\xff", "ab\xff", "abcdef",
    };
    size_t i, j, n;
    const char *s = "hello, world";

    for ( i = 0; i < ARRAY_SIZE(words); i++ )
    {
        CHECK_EQ(t_strlen(words[i]), strlen(words[i]));
        for ( n = 0; n < 8; n++ )
            CHECK_EQ(t_strnlen(words[i], n), strnlen(words[i], n));
        for ( j = 0; j < ARRAY_SIZE(words); j++ )
        {
            CHECK_EQ(sign(t_strcmp(words[i], words[j])),
                     sign(strcmp(words[i], words[j])));
            for ( n = 0; n < 5; n++ )
                CHECK_EQ(sign(t_strncmp(words[i], words[j], n)),
                         sign(strncmp(words[i], words[j], n)));
        }
    }

    CHECK(t_strchr(s, 'o') == s + 4);
    CHECK(t_strchr(s, 'z') == NULL);
    CHECK(t_strchr(s, '\0') == s + strlen(s));
    CHECK(t_strchr(s, 'h' + 256) == s);
}

static void test_strlcpy(void)
{
    char buf[8];

    memset(buf, 'Z', sizeof(buf));
    CHECK_EQ(strlcpy(buf, "abc", sizeof(buf)), 3);
    CHECK_STR(buf, "abc");
    CHECK_EQ(strlcpy(buf, "abcdefghij", sizeof(buf)), 10);
    CHECK_STR(buf, "abcdefg");
    CHECK_EQ(strlcpy(buf, "1234567", sizeof(buf)), 7);
    CHECK_STR(buf, "1234567");
    CHECK_EQ(strlcpy(buf, "xyz", 1), 3);
    CHECK_STR(buf, "");
    buf[0] = 'Q';
    CHECK_EQ(strlcpy(buf, "xyz", 0), 3);
    CHECK_EQ(buf[0], 'Q');
}

int main(void)
{
    test_mem();
    test_str();
    test_strlcpy();
    return unit_done();
}
