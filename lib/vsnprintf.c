/* SPDX-License-Identifier: MIT */
/* C99-style bounded formatting: tern_vsnprintf and tern_snprintf. */
#include <tern/lib.h>

/*
 * One pass over the format. Every character goes through out_char(), which
 * stores it while there is room and always counts it, so the return value is
 * the length the whole output would have had (C99). The buffer is
 * terminated at the end, truncating if need be.
 *
 * Differences from glibc, on purpose: no %n, no floating point, %pS is a
 * symbolised address, an unknown conversion is copied out verbatim.
 */

#define F_LEFT   0x01   /* '-': pad on the right */
#define F_ZERO   0x02   /* '0': pad numbers with zeros */
#define F_PLUS   0x04   /* '+': always print a sign */
#define F_SPACE  0x08   /* ' ': a space where '+' would be */
#define F_ALT    0x10   /* '#': 0 / 0x / 0X prefix */

/* Length modifiers. */
enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_out {
    char *buf;
    size_t size;
    size_t pos;        /* characters produced so far, stored or not */
};

struct fmt_spec {
    unsigned int flags;
    int width;         /* 0 when not given */
    int prec;          /* -1 when not given */
    enum fmt_len len;
};

/* Store c if it fits (keeping room for the terminator) and count it. */
static void out_char(struct fmt_out *o, char c)
{
    if ( o->size && o->pos < o->size - 1 )
        o->buf[o->pos] = c;
    o->pos++;
}

/* Emit c n times (n <= 0 emits nothing). */
static void out_repeat(struct fmt_out *o, char c, int n)
{
    while ( n-- > 0 )
        out_char(o, c);
}

/* Emit the first len characters of s, padded to the spec's width. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *sp,
                       const char *s, size_t len)
{
    int pad = sp->width > (int)len ? sp->width - (int)len : 0;

    if ( !(sp->flags & F_LEFT) )
        out_repeat(o, ' ', pad);
    while ( len-- )
        out_char(o, *s++);
    if ( sp->flags & F_LEFT )
        out_repeat(o, ' ', pad);
}

/*
 * Emit an integer: magnitude v in base 8, 10 or 16, with sign character
 * sign ('-', '+', ' ' or 0). Layout:
 *   [spaces] [sign] [0x] [zeros for width or precision] digits [spaces]
 */
static void out_number(struct fmt_out *o, const struct fmt_spec *sp,
                       unsigned long long v, unsigned int base, bool upper,
                       char sign)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int nd = 0, nzeros, npre, total;
    const char *prefix = "";

    /* Digits, least significant first; none for 0 with precision 0. */
    if ( v != 0 || sp->prec != 0 )
    {
        do {
            tmp[nd++] = digits[v % base];
            v /= base;
        } while ( v );
    }

    nzeros = sp->prec > nd ? sp->prec - nd : 0;
    if ( (sp->flags & F_ALT) && base == 8 && nzeros == 0 &&
         (nd == 0 || tmp[nd - 1] != '0') )
        nzeros = 1;
    if ( (sp->flags & F_ALT) && base == 16 && nd && !(nd == 1 && tmp[0] == '0') )
        prefix = upper ? "0X" : "0x";

    npre = (sign ? 1 : 0) + (prefix[0] ? 2 : 0);
    total = npre + nzeros + nd;

    /* '0' pads between prefix and digits, unless '-' or a precision. */
    if ( (sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0 &&
         sp->width > total )
    {
        nzeros += sp->width - total;
        total = sp->width;
    }

    if ( !(sp->flags & F_LEFT) )
        out_repeat(o, ' ', sp->width - total);
    if ( sign )
        out_char(o, sign);
    while ( *prefix )
        out_char(o, *prefix++);
    out_repeat(o, '0', nzeros);
    while ( nd )
        out_char(o, tmp[--nd]);
    if ( sp->flags & F_LEFT )
        out_repeat(o, ' ', sp->width - total);
}

/* Fetch a signed argument of the spec's length, widened. */
static long long arg_signed(const struct fmt_spec *sp, va_list *ap)
{
    switch ( sp->len )
    {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H:  return (short)va_arg(*ap, int);
    case LEN_L:  return va_arg(*ap, long);
    case LEN_LL: return va_arg(*ap, long long);
    case LEN_Z:  return (long)va_arg(*ap, size_t);
    case LEN_T:  return va_arg(*ap, ptrdiff_t);
    case LEN_J:  return va_arg(*ap, intmax_t);
    default:     return va_arg(*ap, int);
    }
}

/* Fetch an unsigned argument of the spec's length, widened. */
static unsigned long long arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
    switch ( sp->len )
    {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:  return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z:  return va_arg(*ap, size_t);
    case LEN_T:  return (unsigned long long)va_arg(*ap, ptrdiff_t);
    case LEN_J:  return va_arg(*ap, uintmax_t);
    default:     return va_arg(*ap, unsigned int);
    }
}

/*
 * Weak default for %pS on the host and before the symbol table exists:
 * knows no symbols, so returns false.
 */
__attribute__((weak)) bool symbol_lookup(unsigned long addr, char *buf,
                                         size_t size)
{
    (void)addr;
    (void)buf;
    (void)size;
    return false;
}

/* %pS: "name+0xoff/0xsize", or the address as 0x%016lx if unknown. */
static void out_symbol(struct fmt_out *o, const struct fmt_spec *sp,
                       unsigned long addr)
{
    char tmp[128];

    if ( !symbol_lookup(addr, tmp, sizeof(tmp)) )
        tern_snprintf(tmp, sizeof(tmp), "0x%016lx", addr);
    tmp[sizeof(tmp) - 1] = '\0';
    out_padded(o, sp, tmp,
               sp->prec >= 0 ? strnlen(tmp, (size_t)sp->prec) : strlen(tmp));
}

/* Parse a decimal number at *p (for width and precision), saturating. */
static int parse_dec(const char **p)
{
    int n = 0;

    while ( **p >= '0' && **p <= '9' )
    {
        if ( n < 100000000 )
            n = n * 10 + (**p - '0');
        (*p)++;
    }
    return n;
}

/*
 * Format into buf[0..size). Returns the number of characters the complete
 * output has (not counting the NUL), whether or not it fitted. Never fails;
 * buf is always terminated when size > 0.
 */
int tern_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct fmt_out o = { .buf = buf, .size = size, .pos = 0 };
    va_list ap;
    const char *p = fmt;

    va_copy(ap, ap_in);

    while ( *p )
    {
        struct fmt_spec sp = { .flags = 0, .width = 0, .prec = -1,
                               .len = LEN_NONE };
        const char *start = p;
        long long sv;

        if ( *p != '%' )
        {
            out_char(&o, *p++);
            continue;
        }
        p++;

        for ( ; ; p++ )
        {
            if ( *p == '-' )      sp.flags |= F_LEFT;
            else if ( *p == '0' ) sp.flags |= F_ZERO;
            else if ( *p == '+' ) sp.flags |= F_PLUS;
            else if ( *p == ' ' ) sp.flags |= F_SPACE;
            else if ( *p == '#' ) sp.flags |= F_ALT;
            else break;
        }

        if ( *p == '*' )
        {
            sp.width = va_arg(ap, int);
            if ( sp.width < 0 )
            {
                sp.flags |= F_LEFT;
                sp.width = sp.width < -100000000 ? 100000000 : -sp.width;
            }
            p++;
        }
        else
            sp.width = parse_dec(&p);

        if ( *p == '.' )
        {
            p++;
            if ( *p == '*' )
            {
                sp.prec = va_arg(ap, int);
                if ( sp.prec < 0 )
                    sp.prec = -1;
                p++;
            }
            else
                sp.prec = parse_dec(&p);
        }

        switch ( *p )
        {
        case 'h':
            sp.len = LEN_H;
            if ( *++p == 'h' )
            {
                sp.len = LEN_HH;
                p++;
            }
            break;
        case 'l':
            sp.len = LEN_L;
            if ( *++p == 'l' )
            {
                sp.len = LEN_LL;
                p++;
            }
            break;
        case 'z': sp.len = LEN_Z; p++; break;
        case 't': sp.len = LEN_T; p++; break;
        case 'j': sp.len = LEN_J; p++; break;
        }

        switch ( *p )
        {
        case 'd':
        case 'i':
            sv = arg_signed(&sp, &ap);
            out_number(&o, &sp,
                       sv < 0 ? 0ull - (unsigned long long)sv
                              : (unsigned long long)sv,
                       10, false,
                       sv < 0 ? '-' : (sp.flags & F_PLUS) ? '+'
                                    : (sp.flags & F_SPACE) ? ' ' : 0);
            break;
        case 'u':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), 10, false, 0);
            break;
        case 'o':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), 8, false, 0);
            break;
        case 'x':
        case 'X':
            out_number(&o, &sp, arg_unsigned(&sp, &ap), 16, *p == 'X', 0);
            break;
        case 'c':
        {
            char c = (char)va_arg(ap, int);

            out_padded(&o, &sp, &c, 1);
            break;
        }
        case 's':
        {
            const char *s = va_arg(ap, const char *);

            if ( !s )
                s = "(null)";
            out_padded(&o, &sp, s,
                       sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s));
            break;
        }
        case 'p':
        {
            unsigned long v = (unsigned long)va_arg(ap, void *);

            if ( p[1] == 'S' )
            {
                p++;
                out_symbol(&o, &sp, v);
            }
            else if ( !v )
                out_padded(&o, &sp, "(nil)", 5);
            else
            {
                sp.flags |= F_ALT;
                sp.len = LEN_L;
                out_number(&o, &sp, v, 16, false, 0);
            }
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        default:
            /* Unknown or truncated: copy the spec out as it stands. */
            while ( start < p )
                out_char(&o, *start++);
            if ( *p )
                out_char(&o, *p);
            else
                p--;
            break;
        }
        p++;
    }

    va_end(ap);

    if ( size )
        buf[o.pos < size ? o.pos : size - 1] = '\0';
    return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
}

/* As tern_vsnprintf, with the arguments inline. */
int tern_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = tern_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
