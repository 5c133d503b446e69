/* SPDX-License-Identifier: MIT */
/* The hypervisor's libc subset: memory and string primitives. */
#include <tern/lib.h>

/*
 * Plain loops (the compiler is told -fno-builtin), except memcpy and memset,
 * which move 8 bytes per step with REP MOVSQ / REP STOSQ (x86-64 only; the
 * host tests run there too). memcpy may not be used for overlapping
 * buffers; memmove may.
 */

/* Copy n bytes from src to dst (no overlap). Returns dst. Eight bytes at
 * a time with REP MOVSQ, then the tail: the domain builder copies whole
 * kernels (66 MB for Linux) through here. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t q = n / 8, r = n % 8;

    __asm__ __volatile__("rep movsq; mov %3, %%rcx; rep movsb"
                         : "+D"(d), "+S"(src), "+c"(q) : "r"(r) : "memory");
    return dst;
}

/* Copy n bytes from src to dst; the two may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if ( d == s || n == 0 )
        return dst;
    if ( d < s || d >= s + n )
    {
        while ( n-- )
            *d++ = *s++;
    }
    else
    {
        while ( n-- )
            d[n] = s[n];
    }
    return dst;
}

/* Fill n bytes at dst with (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t q = n / 8, r = n % 8;
    uint64_t v = 0x0101010101010101ull * (unsigned char)c;

    __asm__ __volatile__("rep stosq; mov %3, %%rcx; rep stosb"
                         : "+D"(d), "+c"(q) : "a"(v), "r"(r) : "memory");
    return dst;
}

/* Compare n bytes as unsigned chars: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for ( ; n; n--, x++, y++ )
        if ( *x != *y )
            return *x - *y;
    return 0;
}

/* Length of s, not counting the NUL. */
size_t strlen(const char *s)
{
    const char *p = s;

    while ( *p )
        p++;
    return (size_t)(p - s);
}

/* Length of s, but at most max (reads no further than s[max-1]). */
size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while ( n < max && s[n] )
        n++;
    return n;
}

/* Compare two strings as unsigned chars: <0, 0 or >0. */
int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    while ( *x && *x == *y )
    {
        x++;
        y++;
    }
    return *x - *y;
}

/* Compare at most n characters of two strings: <0, 0 or >0. */
int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    for ( ; n; n--, x++, y++ )
    {
        if ( *x != *y )
            return *x - *y;
        if ( !*x )
            return 0;
    }
    return 0;
}

/* First occurrence of (char)c in s (the NUL counts); NULL if none. */
char *strchr(const char *s, int c)
{
    for ( ; ; s++ )
    {
        if ( *s == (char)c )
            return (char *)s;
        if ( !*s )
            return NULL;
    }
}
