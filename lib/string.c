/* SPDX-License-Identifier: MIT */
/* The hypervisor's libc subset: memory and string primitives. */
#include <tern/lib.h>

/*
 * Plain byte loops: the compiler is told -fno-builtin, and these are not on
 * any hot path that needs more. memcpy may not be used for overlapping
 * buffers; memmove may.
 */

/* Copy n bytes from src to dst (no overlap). Returns dst. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while ( n-- )
        *d++ = *s++;
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
    unsigned char *d = dst;

    while ( n-- )
        *d++ = (unsigned char)c;
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
