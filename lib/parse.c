/* SPDX-License-Identifier: MIT */
/* Parsing numbers and sizes from command lines and configuration strings. */
#include <tern/errno.h>
#include <tern/lib.h>

/*
 * Read digits of base (8, 10 or 16) at s into *val. Returns a pointer past
 * the last digit (s if there was none) and sets *overflow when the value
 * does not fit in 64 bits (then *val is all ones).
 */
static const char *scan_digits(const char *s, unsigned int base,
                               uint64_t *val, bool *overflow)
{
    uint64_t v = 0;

    *overflow = false;
    for ( ; ; s++ )
    {
        unsigned int d;

        if ( *s >= '0' && *s <= '9' )
            d = (unsigned int)(*s - '0');
        else if ( *s >= 'a' && *s <= 'f' )
            d = (unsigned int)(*s - 'a') + 10;
        else if ( *s >= 'A' && *s <= 'F' )
            d = (unsigned int)(*s - 'A') + 10;
        else
            break;
        if ( d >= base )
            break;
        if ( v > (UINT64_MAX - d) / base )
            *overflow = true;
        v = *overflow ? UINT64_MAX : v * base + d;
    }
    *val = v;
    return s;
}

/*
 * Read an unsigned number at s into *val, picking the base from the prefix:
 * "0x" or "0X" hex, a leading "0" octal, else decimal. Returns a pointer
 * past the number (s when there are no digits); *overflow as scan_digits.
 */
static const char *scan_number(const char *s, uint64_t *val, bool *overflow)
{
    const char *e;

    if ( s[0] == '0' && (s[1] == 'x' || s[1] == 'X') )
    {
        e = scan_digits(s + 2, 16, val, overflow);
        if ( e != s + 2 )
            return e;
        /* "0x" with no hex digit: just the 0, as strtoul does. */
        *val = 0;
        *overflow = false;
        return s + 1;
    }
    if ( s[0] == '0' )
        return scan_digits(s, 8, val, overflow);
    return scan_digits(s, 10, val, overflow);
}

/*
 * See lib.h. Returns the value and sets *end (if end is not NULL) past the
 * number; without digits returns 0 with *end == s. Never fails: bad input
 * shows through *end, and a number too large saturates to ULONG_MAX.
 */
unsigned long parse_ulong(const char *s, const char **end)
{
    uint64_t v;
    bool overflow;
    const char *e = scan_number(s, &v, &overflow);

    if ( end )
        *end = e;
    return (unsigned long)v;
}

/*
 * See lib.h. Accepts e.g. "4096", "0x1000", "64M", "2g", "16KiB", "1TB";
 * a lone "B" means bytes whatever default_shift says. The whole string must
 * be used: trailing characters give -EINVAL. Hex digits win over units:
 * "0x1B" is 27, not 1 byte.
 */
int parse_size(const char *s, unsigned int default_shift, uint64_t *out)
{
    uint64_t v;
    bool overflow;
    unsigned int shift = default_shift;
    bool suffix = true;
    const char *e = scan_number(s, &v, &overflow);

    if ( e == s )
        return -EINVAL;

    switch ( *e )
    {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: suffix = false; break;
    }
    if ( suffix )
        e++;
    /* Optional unit: "iB" after a suffix, "B" after anything. */
    if ( suffix && *e == 'i' && (e[1] == 'B' || e[1] == 'b') )
        e += 2;
    else if ( *e == 'B' || *e == 'b' )
    {
        if ( !suffix )
            shift = 0;
        e++;
    }
    if ( *e != '\0' )
        return -EINVAL;
    if ( shift >= 64 || overflow || (shift && (v >> (64 - shift))) )
        return -ERANGE;

    *out = v << shift;
    return 0;
}
