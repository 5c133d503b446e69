/* SPDX-License-Identifier: MIT */
/* gzip members and DEFLATE blocks, decoded in one call into a flat buffer. */
#include <tern/crc.h>
#include <tern/errno.h>
#include <tern/inflate.h>
#include <tern/lib.h>

/*
 * Theory of operation.
 *
 * DEFLATE (RFC 1951) is a sequence of blocks, each opened by 3 bits:
 * BFINAL, then BTYPE (0 stored, 1 fixed Huffman, 2 dynamic Huffman, 3
 * invalid). Bits are read least significant first; Huffman codes are
 * packed most significant bit first. A stored block is byte aligned:
 * LEN, its one's complement NLEN, LEN bytes. A Huffman block is a run of
 * literal/length symbols (0..255 a byte, 256 the end, 257..285 a length
 * with extra bits, then a distance symbol 0..29 with extra bits). A
 * dynamic block first sends its two codes as code lengths, themselves
 * coded with a 19-symbol code-length code.
 *
 * Bits come through a 64-bit buffer refilled a byte at a time. Past the
 * end of the input it is refilled with zero bytes that are counted
 * ("pad"): consuming one of them means the input was truncated, which is
 * checked after every symbol, so garbage never decodes as real data and
 * every loop ends (each symbol writes output or ends a block, and output
 * and real input are finite).
 *
 * Huffman decoding: codes are canonical (RFC 1951 3.2.2), so a code is
 * fully described by the number of codes of each length and its symbols
 * in canonical order. A table indexed by the next FAST_BITS bits of the
 * stream resolves every code up to FAST_BITS long in one lookup; longer
 * codes (rare) are decoded a bit at a time by walking the lengths.
 * Building a code refuses over-subscribed lengths, and incomplete ones
 * except a single code (as zlib allows for a lone distance code); a
 * prefix that is no code is an error at decode time.
 *
 * gzip (RFC 1952) wraps each member: magic 1f 8b, method 8, flags
 * (FTEXT 1, FHCRC 2, FEXTRA 4, FNAME 8, FCOMMENT 16, the rest reserved),
 * mtime, xfl, os, the optional fields, the DEFLATE data, then CRC32 and
 * ISIZE (size mod 2^32) of the member's output, little endian.
 */

#define FAST_BITS       10
#define MAX_CODE_BITS   15
#define NR_LITLEN       288
#define NR_DIST         32
#define NR_CLEN         19

#define GZ_FHCRC        0x02
#define GZ_FEXTRA       0x04
#define GZ_FNAME        0x08
#define GZ_FCOMMENT     0x10
#define GZ_RESERVED     0xe0

/* A canonical Huffman code. fast[]: symbol | length << 9, 0 = slow path. */
struct huff {
    uint16_t fast[1 << FAST_BITS];
    uint16_t count[MAX_CODE_BITS + 1];
    uint16_t sym[NR_LITLEN];
};

struct inflate_work {
    struct crc_tables crc;
    struct huff lit, dist;
    uint8_t lens[NR_LITLEN + NR_DIST];
};
BUILD_BUG_ON(sizeof(struct inflate_work) > INFLATE_WORK_SIZE);

struct bits {
    const uint8_t *in;
    size_t len, pos;
    uint64_t buf;
    unsigned int n;                 /* bits in buf */
    unsigned int pad;               /* of which zero bits past the input */
};

static const uint16_t len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
    16385, 24577,
};
static const uint8_t dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};
/* The order code-length code lengths are sent in. */
static const uint8_t clen_order[NR_CLEN] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* Top the buffer up to at least 57 bits. */
static void bits_fill(struct bits *b)
{
    while ( b->n <= 56 )
    {
        if ( b->pos < b->len )
            b->buf |= (uint64_t)b->in[b->pos++] << b->n;
        else
            b->pad += 8;
        b->n += 8;
    }
}

/* Take n (0..32) bits; the caller has filled the buffer. */
static uint32_t bits_take(struct bits *b, unsigned int n)
{
    uint32_t v = (uint32_t)(b->buf & ((1ull << n) - 1));

    b->buf >>= n;
    b->n -= n;
    return v;
}

/* Has more been read than the input holds? */
static bool bits_overrun(const struct bits *b)
{
    return b->n < b->pad;
}

/* Bytes of the input consumed so far (a partly read byte counts). */
static size_t bits_used(const struct bits *b)
{
    return b->pos - (b->n - b->pad) / 8;
}

/* Drop the bits up to the next byte boundary, and the buffer with them:
 * the reader then continues at byte bits_used(). */
static void bits_align(struct bits *b)
{
    b->pos = bits_used(b);
    b->buf = 0;
    b->n = b->pad = 0;
}

/*
 * Build code h from lens[0..n) (0: unused symbol). Returns 0, or -EINVAL
 * when over-subscribed or (unless single codes are allowed) incomplete.
 */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned int n,
                      bool allow_single)
{
    uint16_t next[MAX_CODE_BITS + 2];
    unsigned int s, l, codes = 0;
    uint32_t code;
    int left = 1;

    memset(h->count, 0, sizeof(h->count));
    memset(h->fast, 0, sizeof(h->fast));
    for ( s = 0; s < n; s++ )
        h->count[lens[s]]++;
    h->count[0] = 0;
    for ( l = 1; l <= MAX_CODE_BITS; l++ )
    {
        left = left * 2 - h->count[l];
        if ( left < 0 )
            return -EINVAL;
        codes += h->count[l];
    }
    if ( left > 0 && !(allow_single && codes <= 1) )
        return -EINVAL;

    /* Symbols in canonical order: by length, then by value. */
    next[1] = 0;
    for ( l = 1; l <= MAX_CODE_BITS; l++ )
        next[l + 1] = (uint16_t)(next[l] + h->count[l]);
    for ( s = 0; s < n; s++ )
        if ( lens[s] )
            h->sym[next[lens[s]]++] = (uint16_t)s;

    /* The fast table: each short code, bit-reversed (stream order), fills
     * every slot whose low bits it is. */
    code = 0;
    s = 0;
    for ( l = 1; l <= FAST_BITS; l++ )
    {
        unsigned int k;

        for ( k = 0; k < h->count[l]; k++, s++, code++ )
        {
            uint32_t rev = 0, j;
            unsigned int b;

            for ( b = 0; b < l; b++ )
                rev |= ((code >> b) & 1) << (l - 1 - b);
            for ( j = rev; j < (1u << FAST_BITS); j += 1u << l )
                h->fast[j] = (uint16_t)(h->sym[s] | l << 9);
        }
        code <<= 1;
    }
    return 0;
}

/* Decode one symbol of h; -1 when the bits are no code. The caller has
 * filled the buffer (at least MAX_CODE_BITS bits). */
static int huff_decode(struct bits *b, const struct huff *h)
{
    uint16_t e = h->fast[b->buf & ((1u << FAST_BITS) - 1)];
    uint32_t code = 0, first = 0, index = 0;
    unsigned int l;

    if ( e )
    {
        bits_take(b, e >> 9);
        return e & 0x1ff;
    }
    /* Canonical walk: codes of length l are first .. first + count - 1. */
    for ( l = 1; l <= MAX_CODE_BITS; l++ )
    {
        code |= (uint32_t)(b->buf >> (l - 1)) & 1;
        if ( code - first < h->count[l] )
        {
            bits_take(b, l);
            return h->sym[index + code - first];
        }
        index += h->count[l];
        first = (first + h->count[l]) << 1;
        code <<= 1;
    }
    return -1;
}

/* Read a dynamic block's two codes into w->lit and w->dist. */
static int read_dynamic(struct bits *b, struct inflate_work *w,
                        const char **why)
{
    uint8_t clens[NR_CLEN] = { 0 };
    unsigned int nlit, ndist, nclen, i, n;

    bits_fill(b);
    nlit = bits_take(b, 5) + 257;
    ndist = bits_take(b, 5) + 1;
    nclen = bits_take(b, 4) + 4;
    if ( nlit > 286 || ndist > 30 )
    {
        *why = "too many length or distance codes";
        return -EINVAL;
    }
    for ( i = 0; i < nclen; i++ )
    {
        bits_fill(b);
        clens[clen_order[i]] = (uint8_t)bits_take(b, 3);
    }
    if ( bits_overrun(b) )
        goto truncated;
    /* The code-length code goes in w->dist until the lengths are read. */
    if ( huff_build(&w->dist, clens, NR_CLEN, false) )
    {
        *why = "bad code-length code";
        return -EINVAL;
    }
    for ( n = 0; n < nlit + ndist; )
    {
        int sym;
        unsigned int rep, val = 0;

        bits_fill(b);
        sym = huff_decode(b, &w->dist);
        if ( sym < 0 )
        {
            *why = "bad code-length code";
            return -EINVAL;
        }
        if ( sym < 16 )
        {
            w->lens[n++] = (uint8_t)sym;
            continue;
        }
        if ( sym == 16 )
        {
            if ( !n )
            {
                *why = "code-length repeat with nothing to repeat";
                return -EINVAL;
            }
            val = w->lens[n - 1];
            rep = 3 + bits_take(b, 2);
        }
        else if ( sym == 17 )
            rep = 3 + bits_take(b, 3);
        else
            rep = 11 + bits_take(b, 7);
        if ( rep > nlit + ndist - n )
        {
            *why = "code lengths overflow the codes";
            return -EINVAL;
        }
        while ( rep-- )
            w->lens[n++] = (uint8_t)val;
    }
    if ( bits_overrun(b) )
        goto truncated;
    if ( !w->lens[256] )
    {
        *why = "no end-of-block code";
        return -EINVAL;
    }
    if ( huff_build(&w->lit, w->lens, nlit, true) ||
         huff_build(&w->dist, w->lens + nlit, ndist, true) )
    {
        *why = "bad literal/length or distance code lengths";
        return -EINVAL;
    }
    return 0;

 truncated:
    *why = "truncated input";
    return -EINVAL;
}

/* The fixed codes of BTYPE 1. */
static void build_fixed(struct inflate_work *w)
{
    unsigned int i;

    for ( i = 0; i < NR_LITLEN; i++ )
        w->lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    for ( i = 0; i < NR_DIST; i++ )
        w->lens[NR_LITLEN + i] = 5;
    huff_build(&w->lit, w->lens, NR_LITLEN, false);
    huff_build(&w->dist, w->lens + NR_LITLEN, NR_DIST, false);
}

/* Decode a Huffman block's symbols into out[*op..cap); start bounds the
 * distances. */
static int huff_block(struct bits *b, const struct inflate_work *w,
                      uint8_t *out, size_t start, size_t *op, size_t cap,
                      const char **why)
{
    size_t pos = *op;
    int rc = 0;

    for ( ;; )
    {
        int sym;
        size_t len, dist;

        bits_fill(b);
        sym = huff_decode(b, &w->lit);
        if ( bits_overrun(b) )
            goto truncated;
        if ( sym < 0 )
            goto badcode;
        if ( sym < 256 )
        {
            if ( pos >= cap )
                goto nospace;
            out[pos++] = (uint8_t)sym;
            continue;
        }
        if ( sym == 256 )
            break;
        sym -= 257;
        if ( sym >= 29 )
            goto badcode;
        len = len_base[sym] + bits_take(b, len_extra[sym]);
        bits_fill(b);
        sym = huff_decode(b, &w->dist);
        if ( sym < 0 || sym >= 30 )
            goto badcode;
        dist = dist_base[sym] + bits_take(b, dist_extra[sym]);
        if ( bits_overrun(b) )
            goto truncated;
        if ( dist > pos - start )
        {
            *why = "distance too far back";
            rc = -EINVAL;
            goto out;
        }
        if ( len > cap - pos )
            goto nospace;
        {
            const uint8_t *src = out + pos - dist;
            uint8_t *dst = out + pos;

            pos += len;
            while ( len-- )
                *dst++ = *src++;
        }
    }
    goto out;

 truncated:
    *why = "truncated input";
    rc = -EINVAL;
    goto out;
 badcode:
    *why = "invalid Huffman code";
    rc = -EINVAL;
    goto out;
 nospace:
    *why = "output buffer too small";
    rc = -ENOSPC;
 out:
    *op = pos;
    return rc;
}

/* Decode a stored block (after its 3 header bits). */
static int stored_block(struct bits *b, uint8_t *out, size_t *op, size_t cap,
                        const char **why)
{
    size_t len;

    bits_align(b);
    if ( b->len - b->pos < 4 )
        goto truncated;
    len = (size_t)b->in[b->pos] | (size_t)b->in[b->pos + 1] << 8;
    if ( (len ^ 0xffff) != ((size_t)b->in[b->pos + 2] |
                            (size_t)b->in[b->pos + 3] << 8) )
    {
        *why = "stored block length check failed";
        return -EINVAL;
    }
    b->pos += 4;
    if ( len > b->len - b->pos )
        goto truncated;
    if ( len > cap - *op )
    {
        *why = "output buffer too small";
        return -ENOSPC;
    }
    memcpy(out + *op, b->in + b->pos, len);
    b->pos += len;
    *op += len;
    return 0;

 truncated:
    *why = "truncated input";
    return -EINVAL;
}

/* See inflate.h. */
long inflate_raw(const void *in, size_t in_len, size_t *in_used, void *out_,
                 size_t out_pos, size_t out_cap, void *work, const char **why)
{
    struct inflate_work *w = work;
    struct bits b = { .in = in, .len = in_len };
    uint8_t *out = out_;
    size_t op = out_pos;
    bool final = false;
    const char *dummy;
    int rc = 0;

    if ( !why )
        why = &dummy;
    if ( (uintptr_t)work & 7 || out_pos > out_cap )
    {
        *why = "bad arguments";
        return -EINVAL;
    }
    while ( !final && !rc )
    {
        unsigned int type;

        bits_fill(&b);
        final = bits_take(&b, 1);
        type = bits_take(&b, 2);
        if ( bits_overrun(&b) )
        {
            *why = "truncated input";
            return -EINVAL;
        }
        if ( type == 0 )
            rc = stored_block(&b, out, &op, out_cap, why);
        else if ( type == 1 )
        {
            build_fixed(w);
            rc = huff_block(&b, w, out, out_pos, &op, out_cap, why);
        }
        else if ( type == 2 )
        {
            rc = read_dynamic(&b, w, why);
            if ( !rc )
                rc = huff_block(&b, w, out, out_pos, &op, out_cap, why);
        }
        else
        {
            *why = "invalid block type";
            rc = -EINVAL;
        }
    }
    if ( rc )
        return rc;
    *in_used = bits_used(&b);
    return (long)op;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Skip a zero-terminated field at in[*pos]; false if it runs off the end. */
static bool skip_string(const uint8_t *in, size_t len, size_t *pos)
{
    while ( *pos < len )
        if ( !in[(*pos)++] )
            return true;
    return false;
}

/* Decode one gzip member at in[*pos] into out[*op..cap). */
static int gzip_member(const uint8_t *in, size_t len, size_t *pos,
                       uint8_t *out, size_t *op, size_t cap,
                       struct inflate_work *w, const char **why)
{
    size_t p = *pos, used, start = *op;
    unsigned int flags;
    long r;

    if ( len - p < 10 )
        goto truncated;
    if ( in[p] != 0x1f || in[p + 1] != 0x8b )
    {
        *why = "not a gzip file (bad magic)";
        return -EINVAL;
    }
    if ( in[p + 2] != 8 )
    {
        *why = "unsupported gzip compression method";
        return -EOPNOTSUPP;
    }
    flags = in[p + 3];
    if ( flags & GZ_RESERVED )
    {
        *why = "reserved gzip header flags set";
        return -EINVAL;
    }
    p += 10;
    if ( flags & GZ_FEXTRA )
    {
        size_t xlen;

        if ( len - p < 2 )
            goto truncated;
        xlen = (size_t)in[p] | (size_t)in[p + 1] << 8;
        p += 2;
        if ( xlen > len - p )
            goto truncated;
        p += xlen;
    }
    if ( ((flags & GZ_FNAME) && !skip_string(in, len, &p)) ||
         ((flags & GZ_FCOMMENT) && !skip_string(in, len, &p)) )
        goto truncated;
    if ( flags & GZ_FHCRC )
    {
        if ( len - p < 2 )
            goto truncated;
        if ( (crc32(&w->crc, 0, in + *pos, p - *pos) & 0xffff) !=
             ((uint32_t)in[p] | (uint32_t)in[p + 1] << 8) )
        {
            *why = "gzip header CRC16 mismatch";
            return -EINVAL;
        }
        p += 2;
    }
    r = inflate_raw(in + p, len - p, &used, out, start, cap, w, why);
    if ( r < 0 )
        return (int)r;
    *op = (size_t)r;
    p += used;
    if ( len - p < 8 )
        goto truncated;
    if ( crc32(&w->crc, 0, out + start, *op - start) != le32(in + p) )
    {
        *why = "gzip CRC32 mismatch";
        return -EINVAL;
    }
    if ( (uint32_t)(*op - start) != le32(in + p + 4) )
    {
        *why = "gzip ISIZE mismatch";
        return -EINVAL;
    }
    *pos = p + 8;
    return 0;

 truncated:
    *why = "truncated input";
    return -EINVAL;
}

/* See inflate.h. */
long inflate_gzip(const void *in, size_t in_len, void *out, size_t out_cap,
                  void *work, const char **why)
{
    struct inflate_work *w = work;
    size_t pos = 0, op = 0;
    const char *dummy;
    int rc = 0;

    if ( !why )
        why = &dummy;
    *why = NULL;
    if ( (uintptr_t)work & 7 )
    {
        *why = "misaligned work area";
        return -EINVAL;
    }
    if ( !in_len )
    {
        *why = "empty input";
        return -EINVAL;
    }
    crc_tables_init(&w->crc);
    while ( !rc && pos < in_len )
    {
        const uint8_t *p = (const uint8_t *)in + pos;

        if ( pos && (in_len - pos < 2 || p[0] != 0x1f || p[1] != 0x8b) )
        {
            *why = "trailing data after the gzip member";
            return -EINVAL;
        }
        rc = gzip_member(in, in_len, &pos, out, &op, out_cap, w, why);
    }
    if ( rc )
        return rc;
    *why = NULL;
    return (long)op;
}
