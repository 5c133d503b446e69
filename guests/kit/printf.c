/* SPDX-License-Identifier: MIT */
/* Kit: a small self-contained vsnprintf. */
#include <kit/lib.h>

/*
 * Supported: flags "-0+ #", width and precision (numbers or '*'), lengths
 * hh h l ll z t j, conversions d i u x X o p s c %. Unknown conversions
 * are printed as they are. Output is cut to size - 1 bytes and always
 * NUL-terminated when size > 0; the return value is the full length.
 */

struct out {
    char *buf;      /* destination */
    size_t size;    /* its size */
    size_t len;     /* characters produced so far, stored or not */
};

struct spec {
    bool left;      /* '-': pad on the right */
    bool zero;      /* '0': pad numbers with zeros */
    bool plus;      /* '+': sign on positive numbers */
    bool space;     /* ' ': space on positive numbers */
    bool alt;       /* '#': 0x / 0 prefix */
    int width;      /* minimum field width */
    int prec;       /* precision, -1 when none */
};

/* Append one character (stored only while there is room). */
static void put(struct out *o, char c)
{
    if ( o->len + 1 < o->size )
        o->buf[o->len] = c;
    o->len++;
}

/* Append c n times. */
static void pad(struct out *o, char c, int n)
{
    while ( n-- > 0 )
        put(o, c);
}

/* Append the string s of length n inside the field of sp. */
static void put_str(struct out *o, const char *s, int n, const struct spec *sp)
{
    int i;

    if ( !sp->left )
        pad(o, ' ', sp->width - n);
    for ( i = 0; i < n; i++ )
        put(o, s[i]);
    if ( sp->left )
        pad(o, ' ', sp->width - n);
}

/* Append the number v in base (8, 10, 16) with sign neg, formatted by sp. */
static void put_num(struct out *o, unsigned long long v, bool neg,
                    unsigned int base, bool upper, const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    const char *prefix = "";
    int n = 0, zeros = 0, total;

    if ( neg )
        prefix = "-";
    else if ( sp->plus )
        prefix = "+";
    else if ( sp->space )
        prefix = " ";
    if ( sp->alt && v && base == 16 )
        prefix = upper ? "0X" : "0x";
    if ( sp->alt && base == 8 )
        prefix = "0";

    while ( v )
    {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if ( n == 0 && sp->prec != 0 && !(sp->alt && base == 8) )
        tmp[n++] = '0';

    if ( sp->prec > n )
        zeros = sp->prec - n;
    total = (int)strlen(prefix) + zeros + n;
    if ( sp->zero && !sp->left && sp->prec < 0 && sp->width > total )
    {
        zeros += sp->width - total;
        total = sp->width;
    }

    if ( !sp->left )
        pad(o, ' ', sp->width - total);
    while ( *prefix )
        put(o, *prefix++);
    pad(o, '0', zeros);
    while ( n-- )
        put(o, tmp[n]);
    if ( sp->left )
        pad(o, ' ', sp->width - total);
}

/* Read a decimal number at *fmt and advance past it. */
static int read_int(const char **fmt)
{
    int v = 0;

    while ( **fmt >= '0' && **fmt <= '9' )
        v = v * 10 + (*(*fmt)++ - '0');
    return v;
}

/* Format into buf of size bytes; returns the untruncated length. */
int kit_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { .buf = buf, .size = size, .len = 0 };

    for ( ; *fmt; fmt++ )
    {
        struct spec sp = { .prec = -1 };
        unsigned long long u;
        long long s;
        int lng = 0;  /* 0 int, 1 long, 2 long long, -1 short, -2 char */
        const char *str;
        char c;

        if ( *fmt != '%' )
        {
            put(&o, *fmt);
            continue;
        }

        for ( ;; )
        {
            c = *++fmt;
            if ( c == '-' )
                sp.left = true;
            else if ( c == '0' )
                sp.zero = true;
            else if ( c == '+' )
                sp.plus = true;
            else if ( c == ' ' )
                sp.space = true;
            else if ( c == '#' )
                sp.alt = true;
            else
                break;
        }

        if ( *fmt == '*' )
        {
            sp.width = va_arg(ap, int);
            if ( sp.width < 0 )
            {
                sp.left = true;
                sp.width = -sp.width;
            }
            fmt++;
        }
        else
            sp.width = read_int(&fmt);

        if ( *fmt == '.' )
        {
            fmt++;
            if ( *fmt == '*' )
            {
                sp.prec = va_arg(ap, int);
                fmt++;
            }
            else
                sp.prec = read_int(&fmt);
        }

        for ( ;; fmt++ )
        {
            if ( *fmt == 'h' )
                lng--;
            else if ( *fmt == 'l' )
                lng++;
            else if ( *fmt == 'z' || *fmt == 't' || *fmt == 'j' )
                lng = 1;
            else
                break;
        }

        switch ( *fmt )
        {
        case 'd':
        case 'i':
            if ( lng >= 2 )
                s = va_arg(ap, long long);
            else if ( lng == 1 )
                s = va_arg(ap, long);
            else if ( lng == -1 )
                s = (short)va_arg(ap, int);
            else if ( lng <= -2 )
                s = (signed char)va_arg(ap, int);
            else
                s = va_arg(ap, int);
            u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
            put_num(&o, u, s < 0, 10, false, &sp);
            break;

        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if ( lng >= 2 )
                u = va_arg(ap, unsigned long long);
            else if ( lng == 1 )
                u = va_arg(ap, unsigned long);
            else if ( lng == -1 )
                u = (unsigned short)va_arg(ap, unsigned int);
            else if ( lng <= -2 )
                u = (unsigned char)va_arg(ap, unsigned int);
            else
                u = va_arg(ap, unsigned int);
            put_num(&o, u, false,
                    *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
                    *fmt == 'X', &sp);
            break;

        case 'p':
            sp.alt = true;
            put_num(&o, (unsigned long)va_arg(ap, void *), false, 16,
                    false, &sp);
            break;

        case 's':
            str = va_arg(ap, const char *);
            if ( !str )
                str = "(null)";
            put_str(&o, str,
                    (int)strnlen(str, sp.prec < 0 ? (size_t)-1 : (size_t)sp.prec),
                    &sp);
            break;

        case 'c':
            c = (char)va_arg(ap, int);
            put_str(&o, &c, 1, &sp);
            break;

        case '%':
            put(&o, '%');
            break;

        case '\0':
            fmt--;
            break;

        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }

    if ( size )
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

/* snprintf over kit_vsnprintf; returns the untruncated length. */
int kit_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kit_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
