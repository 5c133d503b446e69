/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/vsnprintf.c against the host's snprintf. */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tern/lib.h>
#include "unit.h"

/* A strong symbol_lookup that overrides the weak default: one symbol. */
bool symbol_lookup(unsigned long addr, char *buf, size_t size)
{
    if ( addr < 0x1000 || addr >= 0x1100 )
        return false;
    snprintf(buf, size, "func+%#lx/0x100", addr - 0x1000);
    return true;
}

/* Run the same literal format through both; compare result and text. */
#define SAME(...) do {                                                      \
    char h_[512], t_[512];                                                  \
    int hr_ = snprintf(h_, sizeof(h_), __VA_ARGS__);                        \
    int tr_ = tern_snprintf(t_, sizeof(t_), __VA_ARGS__);                   \
    CHECK_EQ(hr_, tr_);                                                     \
    CHECK_STR(h_, t_);                                                      \
} while ( 0 )

/* As SAME, with a format the compiler cannot check (odd on purpose). */
#define SAMEV(lit, ...) do {                                                \
    const char *volatile fmt_ = (lit);                                      \
    SAME(fmt_, __VA_ARGS__);                                                \
} while ( 0 )

/* Expect an exact output from tern_snprintf. */
#define EXPECT(want, ...) do {                                              \
    char t_[512];                                                           \
    int tr_ = tern_snprintf(t_, sizeof(t_), __VA_ARGS__);                   \
    CHECK_STR(t_, want);                                                    \
    CHECK_EQ(tr_, strlen(want));                                            \
} while ( 0 )

static const long long values[] = {
    0, 1, -1, 7, 42, -42, 0x7f, 0x80, 255, -128, 32767, -32768, 65535,
    123456789, INT_MAX, INT_MIN, UINT_MAX, 0xdeadbeefcafeLL, LLONG_MIN,
    LLONG_MAX,
};

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };

/* Call snprintf-like fn with fmt and v converted to the length's type. */
#define CALL_LEN(fn, buf, fmt, li, v)                                       \
    ((li) == 0 ? fn(buf, sizeof(buf), fmt, (int)(v)) :                      \
     (li) <= 2 ? fn(buf, sizeof(buf), fmt, (int)(v)) :                      \
     (li) == 3 ? fn(buf, sizeof(buf), fmt, (long)(v)) :                     \
     (li) == 4 ? fn(buf, sizeof(buf), fmt, (long long)(v)) :                \
     (li) == 5 ? fn(buf, sizeof(buf), fmt, (size_t)(v)) :                   \
     (li) == 6 ? fn(buf, sizeof(buf), fmt, (ptrdiff_t)(v)) :                \
                 fn(buf, sizeof(buf), fmt, (intmax_t)(v)))

/* Every flag set, width, precision, length and integer conversion. */
static void test_integer_matrix(void)
{
    static const char *const widths[] = { "", "1", "6", "25" };
    static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".22" };
    static const char convs[] = "diuxXo";
    unsigned int fl, wi, pi, li, ci, vi;
    unsigned long bad = 0;

    for ( fl = 0; fl < 32; fl++ )
    for ( wi = 0; wi < ARRAY_SIZE(widths); wi++ )
    for ( pi = 0; pi < ARRAY_SIZE(precs); pi++ )
    for ( li = 0; li < ARRAY_SIZE(lengths); li++ )
    for ( ci = 0; ci < sizeof(convs) - 1; ci++ )
    {
        char fmt[64], *f = fmt;

        *f++ = '<';
        *f++ = '%';
        if ( fl & 1 )  *f++ = '-';
        if ( fl & 2 )  *f++ = '0';
        if ( fl & 4 )  *f++ = '+';
        if ( fl & 8 )  *f++ = ' ';
        if ( fl & 16 ) *f++ = '#';
        f += sprintf(f, "%s%s%s%c>", widths[wi], precs[pi], lengths[li],
                     convs[ci]);

        for ( vi = 0; vi < ARRAY_SIZE(values); vi++ )
        {
            char h[128], t[128];
            int hr, tr;

            hr = CALL_LEN(snprintf, h, fmt, li, values[vi]);
            tr = CALL_LEN(tern_snprintf, t, fmt, li, values[vi]);
            if ( hr != tr || strcmp(h, t) )
            {
                if ( bad++ < 20 )
                    fprintf(stderr, "fmt \"%s\" value %lld: host \"%s\" (%d)"
                            " tern \"%s\" (%d)\n", fmt, values[vi], h, hr,
                            t, tr);
                unit_failed++;
            }
            else
                unit_passed++;
        }
    }
}

/* Expect an exact output from a format the compiler cannot check. */
#define EXPECTV(want, lit, ...) do {                                        \
    const char *volatile fmt_ = (lit);                                      \
    EXPECT(want, fmt_, ##__VA_ARGS__);                                      \
} while ( 0 )

/* Characters, strings, pointers, '*' and escapes. */
static void test_others(void)
{
    int x;

    SAME("plain text");
    SAME("%%");
    SAME("a%%b%%%%c");
    SAME("%c%c%c", 'a', 'b', 0x7f);
    SAME("[%5c][%-5c][%1c]", 'x', 'y', 'z');
    SAME("[%s]", "hello");
    SAME("[%10s][%-10s][%.3s][%10.2s][%-10.2s]", "hi", "hi", "hello",
         "hello", "hello");
    SAME("[%.0s][%.10s][%s]", "abc", "abc", "");
    SAME("[%*d][%-*d][%*d]", 6, 42, 6, 42, -6, 42);
    SAME("[%.*d][%.*d][%*.*x]", 4, 7, -1, 7, 8, 3, 0xab);
    SAME("[%.*s][%.*s]", 2, "abcdef", -3, "abcdef");
    SAME("[%*s]", INT_MIN + 1 > 0 ? 1 : -3, "ab");
    SAME("[%p][%20p][%-20p]", (void *)0x1234, (void *)&x, (void *)&x);
    SAME("[%p]", (void *)0);
    SAME("[%ld][%lu][%lx]", LONG_MIN, ULONG_MAX, ULONG_MAX);
    SAME("[%hhd][%hhu][%hd][%hu]", 300, 300, 70000, 70000);
    SAME("[%zu][%zd][%zx]", (size_t)-1, (size_t)-5, (size_t)0xabc);
    SAME("[%td][%tx][%jd][%ju]", (ptrdiff_t)-9, (ptrdiff_t)255,
         (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX);
    SAME("%d %s %x %c %u", -1, "mid", 0xfeed, 'q', 3u);
    SAMEV("%05d|%-05d|%+05d|% 05d|%+ d", 42, 42, 42, 42, 42);
    SAME("%#o|%#.0o|%#5o|%#x|%#X|%#08x", 0, 0, 8, 0, 0xab, 0xab);

    /* Not compared with glibc: extensions and documented differences. */
    EXPECTV("[(null)]", "[%s]", (char *)NULL);
    EXPECT("[func+0x10/0x100]", "[%pS]", (void *)0x1010);
    EXPECT("[    func+0/0x100]", "[%16pS]", (void *)0x1000);
    EXPECT("[0x0000000000002000]", "[%pS]", (void *)0x2000);
    EXPECT("[ffffffff81000000]", "[%016lx]", 0xffffffff81000000ul);
    EXPECTV("a%qb", "a%qb");
    EXPECTV("end%", "end%");
    EXPECTV("%5", "%5");
}

/* Truncation: the return value and the stored prefix at every size. */
static void test_truncation(void)
{
    static const char *const full = "value=-12345 name=tern 0xbeef";
    size_t len = strlen(full), sz;

    for ( sz = 0; sz <= len + 2; sz++ )
    {
        char buf[64];
        int r;

        memset(buf, 'Z', sizeof(buf));
        r = tern_snprintf(sz ? buf : NULL, sz, "value=%d name=%s %#x",
                          -12345, "tern", 0xbeef);
        CHECK_EQ(r, len);
        if ( sz )
        {
            size_t n = sz - 1 < len ? sz - 1 : len;

            CHECK(!memcmp(buf, full, n));
            CHECK_EQ(buf[n], '\0');
            CHECK_EQ(buf[n + 1], 'Z');
        }
    }
}

/* tern_vsnprintf through a va_list, used twice from one list. */
static int twice(char *a, char *b, size_t n, const char *fmt, ...)
{
    va_list ap;
    int r1, r2;

    va_start(ap, fmt);
    r1 = tern_vsnprintf(a, n, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    r2 = tern_vsnprintf(b, n, fmt, ap);
    va_end(ap);
    return r1 == r2 ? r1 : -1;
}

static void test_valist(void)
{
    char a[32], b[32];

    CHECK_EQ(twice(a, b, sizeof(a), "%d-%s", 5, "x"), 3);
    CHECK_STR(a, "5-x");
    CHECK_STR(b, "5-x");
}

int main(void)
{
    test_integer_matrix();
    test_others();
    test_truncation();
    test_valist();
    return unit_done();
}
