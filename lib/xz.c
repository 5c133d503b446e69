/* SPDX-License-Identifier: MIT */
/* The .xz container: streams, blocks, index, checks, and the x86 BCJ filter. */
#include <tern/crc.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/xz.h>

/*
 * Theory of operation.
 *
 * A .xz file is one or more streams, each followed by stream padding
 * (zero bytes, a multiple of four):
 *
 *   stream  = header(12) block* index footer(12)
 *   header  = fd '7zXZ' 00 | flags(2: 00, check id) | CRC32(flags)
 *   block   = block header | compressed data | padding to 4 | check
 *   bheader = size byte (n: (n + 1) * 4 bytes; 0 marks the index) | flags
 *             | [compressed size] [uncompressed size] | filter flags
 *             (id, property size, properties)* | zeros | CRC32
 *   index   = 00 | record count | (unpadded size, uncompressed size)*
 *             | zeros to 4 | CRC32
 *   footer  = CRC32 | backward size ((index size / 4) - 1) | flags | 'YZ'
 *
 * Numbers in headers are VLIs: 7 bits a byte, least significant first,
 * at most 9 bytes, no superfluous zero byte. A block's unpadded size is
 * header + compressed data + check.
 *
 * Decoding is one forward pass. A block's LZMA2 data is decoded straight
 * into the output (which is also the dictionary: xz_lzma2_decode()), then
 * the BCJ filter, if any, is undone in place over the block's output and
 * the check is computed over it. The index is not stored: the decoder
 * keeps the count, the two size sums and a CRC64 of every block's
 * (unpadded, uncompressed) pair, and the index's records must give the
 * same four values, as liblzma checks. Every read is bounds-checked
 * against in_len; every loop consumes input or produces output.
 *
 * Filter chains accepted: LZMA2 alone, or x86 BCJ (properties empty or a
 * 32-bit start offset) then LZMA2. Checks: none, CRC32, CRC64; SHA-256
 * and the reserved ids are refused as unsupported.
 */

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the BCJ scan in lib/xz.c loads little-endian words as native ones"
#endif

#define XZ_HEADER_SIZE      12
#define XZ_FOOTER_SIZE      12
#define XZ_VLI_BYTES_MAX    9
#define XZ_VLI_MAX          (~0ull >> 1)
#define XZ_FILTERS_MAX      4
#define XZ_FILTER_X86       0x04
#define XZ_FILTER_LZMA2     0x21
#define XZ_CHECK_NONE       0x00
#define XZ_CHECK_CRC32      0x01
#define XZ_CHECK_CRC64      0x04
#define XZ_CHECK_SHA256     0x0a

static const uint8_t stream_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t footer_magic[2] = { 'Y', 'Z' };

/* The work area: the LZMA2 decoder first (xz_lzma2_decode), then ours. */
struct xz_work {
    uint8_t lzma2[XZ_LZMA2_WORK_SIZE];
    struct crc_tables crc;
};
BUILD_BUG_ON(sizeof(struct xz_work) > XZ_WORK_SIZE);

/* What the blocks of a stream add up to, to compare with its index. */
struct xz_tally {
    uint64_t count, unpadded, uncompressed, hash;
};

struct xz_dec {
    const uint8_t *in;
    size_t in_len, ip;
    uint8_t *out;
    size_t out_cap, op;
    struct xz_work *w;
    const char *why;
    unsigned int check;             /* the stream's check id */
    size_t check_size;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Set the reason and return rc (a negative errno). */
static int fail(struct xz_dec *x, int rc, const char *why)
{
    x->why = why;
    return rc;
}

/* Are n more bytes of input there? */
static bool have(const struct xz_dec *x, size_t n)
{
    return n <= x->in_len - x->ip;
}

/*
 * Read a VLI at in[*pos], not beyond in[lim). Returns 0 and advances
 * *pos, or -EINVAL (truncated, too long, not minimal).
 */
static int read_vli(const uint8_t *in, size_t *pos, size_t lim, uint64_t *val)
{
    uint64_t v = 0;
    unsigned int i;

    for ( i = 0; i < XZ_VLI_BYTES_MAX; i++ )
    {
        uint8_t b;

        if ( *pos >= lim )
            return -EINVAL;
        b = in[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ( !(b & 0x80) )
        {
            if ( i && !b )
                return -EINVAL;
            *val = v;
            return 0;
        }
    }
    return -EINVAL;
}

/* Size in bytes of the check field for a check id (0..15). */
static size_t check_size(unsigned int id)
{
    return id == 0 ? 0 : 4u << ((id - 1) / 3);
}

/* Add one block's record to a tally. */
static void tally_add(const struct crc_tables *t, struct xz_tally *ty,
                      uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];
    unsigned int i;

    for ( i = 0; i < 8; i++ )
    {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    ty->count++;
    ty->unpadded += unpadded;
    ty->uncompressed += uncompressed;
    ty->hash = crc64(t, ty->hash, rec, sizeof(rec));
}

/* Parse the stream header at x->ip; sets the check. */
static int stream_header(struct xz_dec *x)
{
    const uint8_t *h = x->in + x->ip;

    if ( !have(x, XZ_HEADER_SIZE) )
        return fail(x, -EINVAL, "truncated input");
    if ( memcmp(h, stream_magic, sizeof(stream_magic)) )
        return fail(x, -EINVAL, "not an XZ stream (bad magic)");
    if ( crc32(&x->w->crc, 0, h + 6, 2) != le32(h + 8) )
        return fail(x, -EINVAL, "stream header CRC32 mismatch");
    if ( h[6] || (h[7] & 0xf0) )
        return fail(x, -EOPNOTSUPP, "unsupported stream flags");
    x->check = h[7];
    if ( x->check == XZ_CHECK_SHA256 )
        return fail(x, -EOPNOTSUPP, "SHA-256 check not supported");
    if ( x->check != XZ_CHECK_NONE && x->check != XZ_CHECK_CRC32 &&
         x->check != XZ_CHECK_CRC64 )
        return fail(x, -EOPNOTSUPP, "unsupported check type");
    x->check_size = check_size(x->check);
    x->ip += XZ_HEADER_SIZE;
    return 0;
}

/* The parsed block header. */
struct xz_block {
    size_t hsize;
    uint64_t comp, unc;             /* XZ_VLI_MAX + 1 when absent */
    uint32_t dict_size;
    bool bcj;
    uint32_t bcj_start;
};

/* Parse the block header at x->ip (its size byte is not 0). */
static int block_header(struct xz_dec *x, struct xz_block *b)
{
    const uint8_t *h = x->in + x->ip;
    size_t pos = 2, end;
    unsigned int flags, nf, i;

    b->hsize = ((size_t)h[0] + 1) * 4;
    if ( !have(x, b->hsize) )
        return fail(x, -EINVAL, "truncated input");
    end = b->hsize - 4;
    if ( crc32(&x->w->crc, 0, h, end) != le32(h + end) )
        return fail(x, -EINVAL, "block header CRC32 mismatch");
    flags = h[1];
    if ( flags & 0x3c )
        return fail(x, -EOPNOTSUPP, "unsupported block header flags");
    nf = (flags & 3) + 1;
    b->comp = b->unc = XZ_VLI_MAX + 1;
    if ( (flags & 0x40) &&
         (read_vli(h, &pos, end, &b->comp) || !b->comp) )
        return fail(x, -EINVAL, "bad compressed size in block header");
    if ( (flags & 0x80) && read_vli(h, &pos, end, &b->unc) )
        return fail(x, -EINVAL, "bad uncompressed size in block header");
    b->bcj = false;
    b->bcj_start = 0;
    b->dict_size = 0;
    for ( i = 0; i < nf; i++ )
    {
        uint64_t id, psize;

        if ( read_vli(h, &pos, end, &id) || read_vli(h, &pos, end, &psize) ||
             psize > end - pos )
            return fail(x, -EINVAL, "bad filter flags in block header");
        if ( id == XZ_FILTER_LZMA2 )
        {
            if ( i != nf - 1 )
                return fail(x, -EINVAL, "LZMA2 filter not last in the chain");
            if ( psize != 1 || (h[pos] & 0xc0) ||
                 !(b->dict_size = xz_lzma2_dict_size(h[pos])) )
                return fail(x, -EINVAL, "bad LZMA2 dictionary size");
        }
        else if ( id == XZ_FILTER_X86 )
        {
            if ( i == nf - 1 )
                return fail(x, -EINVAL, "BCJ filter last in the chain");
            if ( b->bcj )
                return fail(x, -EOPNOTSUPP, "two BCJ filters in the chain");
            if ( psize != 0 && psize != 4 )
                return fail(x, -EINVAL, "bad BCJ filter properties");
            b->bcj = true;
            b->bcj_start = psize ? le32(h + pos) : 0;
        }
        else if ( id >= 0x4000000000000000ull )
            return fail(x, -EINVAL, "reserved filter id");
        else
            return fail(x, -EOPNOTSUPP,
                        "unsupported filter (only x86 BCJ and LZMA2)");
        pos += (size_t)psize;
    }
    for ( ; pos < end; pos++ )
        if ( h[pos] )
            return fail(x, -EINVAL, "non-zero block header padding");
    x->ip += b->hsize;
    return 0;
}

/* Decode one block at x->ip and add it to the tally. */
static int block(struct xz_dec *x, struct xz_tally *ty)
{
    struct xz_block b;
    size_t start = x->op, lim, used, i;
    uint8_t *data;
    long r;
    int rc;

    rc = block_header(x, &b);
    if ( rc )
        return rc;
    lim = x->in_len - x->ip;
    if ( b.comp <= XZ_VLI_MAX && b.comp < lim )
        lim = (size_t)b.comp;
    if ( b.unc <= XZ_VLI_MAX && b.unc > x->out_cap - start )
        return fail(x, -ENOSPC, "output buffer too small");
    r = xz_lzma2_decode(x->in + x->ip, lim, &used, x->out, start,
                        x->out_cap, b.dict_size, x->w->lzma2, &x->why);
    if ( r < 0 )
        return (int)r;
    x->op = (size_t)r;
    if ( b.comp <= XZ_VLI_MAX && b.comp != used )
        return fail(x, -EINVAL, "block compressed size mismatch");
    if ( b.unc <= XZ_VLI_MAX && b.unc != x->op - start )
        return fail(x, -EINVAL, "block uncompressed size mismatch");
    x->ip += used;
    data = x->out + start;
    if ( b.bcj )
        xz_bcj_x86_decode(data, x->op - start, b.bcj_start);

    /* Block padding, then the check. */
    for ( i = (b.hsize + used) & 3; i && i < 4; i++ )
    {
        if ( !have(x, 1) )
            return fail(x, -EINVAL, "truncated input");
        if ( x->in[x->ip++] )
            return fail(x, -EINVAL, "non-zero block padding");
    }
    if ( !have(x, x->check_size) )
        return fail(x, -EINVAL, "truncated input");
    if ( x->check == XZ_CHECK_CRC32 &&
         crc32(&x->w->crc, 0, data, x->op - start) != le32(x->in + x->ip) )
        return fail(x, -EINVAL, "block CRC32 mismatch");
    if ( x->check == XZ_CHECK_CRC64 &&
         crc64(&x->w->crc, 0, data, x->op - start) != le64(x->in + x->ip) )
        return fail(x, -EINVAL, "block CRC64 mismatch");
    x->ip += x->check_size;
    tally_add(&x->w->crc, ty, b.hsize + used + x->check_size, x->op - start);
    return 0;
}

/* Parse the index at x->ip and compare it with the blocks' tally;
 * returns its size in *size. */
static int stream_index(struct xz_dec *x, const struct xz_tally *ty,
                        size_t *size)
{
    struct xz_tally idx = { 0 };
    size_t pos = x->ip + 1, start = x->ip;
    uint64_t count, i;

    if ( read_vli(x->in, &pos, x->in_len, &count) )
        goto bad;
    /* Each record takes at least two bytes: no loop runs past the input. */
    if ( count > (x->in_len - pos) / 2 )
        return fail(x, -EINVAL, "truncated input");
    for ( i = 0; i < count; i++ )
    {
        uint64_t unpadded, unc;

        if ( read_vli(x->in, &pos, x->in_len, &unpadded) ||
             read_vli(x->in, &pos, x->in_len, &unc) )
            goto bad;
        if ( unpadded < 5 || unpadded > XZ_VLI_MAX - 3 )
            return fail(x, -EINVAL, "bad index record");
        tally_add(&x->w->crc, &idx, unpadded, unc);
    }
    for ( ; (pos - start) & 3; pos++ )
    {
        if ( pos >= x->in_len )
            return fail(x, -EINVAL, "truncated input");
        if ( x->in[pos] )
            return fail(x, -EINVAL, "non-zero index padding");
    }
    if ( x->in_len - pos < 4 )
        return fail(x, -EINVAL, "truncated input");
    if ( crc32(&x->w->crc, 0, x->in + start, pos - start) != le32(x->in + pos) )
        return fail(x, -EINVAL, "index CRC32 mismatch");
    pos += 4;
    if ( idx.count != ty->count || idx.unpadded != ty->unpadded ||
         idx.uncompressed != ty->uncompressed || idx.hash != ty->hash )
        return fail(x, -EINVAL, "index does not match the blocks");
    *size = pos - start;
    x->ip = pos;
    return 0;

 bad:
    return fail(x, -EINVAL, pos >= x->in_len ? "truncated input"
                                             : "bad index record");
}

/* Parse the stream footer at x->ip; header_flags from the stream header. */
static int stream_footer(struct xz_dec *x, size_t index_size)
{
    const uint8_t *f = x->in + x->ip;

    if ( !have(x, XZ_FOOTER_SIZE) )
        return fail(x, -EINVAL, "truncated input");
    if ( memcmp(f + 10, footer_magic, sizeof(footer_magic)) )
        return fail(x, -EINVAL, "bad stream footer magic");
    if ( crc32(&x->w->crc, 0, f + 4, 6) != le32(f) )
        return fail(x, -EINVAL, "stream footer CRC32 mismatch");
    if ( ((uint64_t)le32(f + 4) + 1) * 4 != index_size )
        return fail(x, -EINVAL, "stream footer backward size mismatch");
    if ( f[8] || f[9] != x->check )
        return fail(x, -EINVAL, "stream footer flags differ from the header");
    x->ip += XZ_FOOTER_SIZE;
    return 0;
}

/* Decode one stream at x->ip. */
static int stream(struct xz_dec *x)
{
    struct xz_tally ty = { 0 };
    size_t index_size;
    int rc;

    rc = stream_header(x);
    while ( !rc )
    {
        if ( !have(x, 1) )
            return fail(x, -EINVAL, "truncated input");
        if ( !x->in[x->ip] )
            break;
        rc = block(x, &ty);
    }
    if ( !rc )
        rc = stream_index(x, &ty, &index_size);
    if ( !rc )
        rc = stream_footer(x, index_size);
    return rc;
}

/* See xz.h. */
long xz_decode(const void *in, size_t in_len, void *out, size_t out_cap,
               void *work, const char **why)
{
    struct xz_dec x = {
        .in = in, .in_len = in_len, .out = out, .out_cap = out_cap,
        .w = work,
    };
    int rc = 0;

    if ( (uintptr_t)work & 7 )
        rc = fail(&x, -EINVAL, "misaligned work area");
    else if ( !in_len )
        rc = fail(&x, -EINVAL, "empty input");
    else
        crc_tables_init(&x.w->crc);
    while ( !rc && x.ip < in_len )
    {
        size_t zeros = 0;

        if ( x.ip && (!have(&x, sizeof(stream_magic)) ||
                      memcmp(x.in + x.ip, stream_magic, sizeof(stream_magic))) )
        {
            rc = fail(&x, -EINVAL, "trailing data after the XZ stream");
            break;
        }
        rc = stream(&x);
        /* Stream padding: zeros, a multiple of four, then a stream or
         * the end. */
        while ( !rc && x.ip < in_len && !x.in[x.ip] )
        {
            x.ip++;
            zeros++;
        }
        if ( !rc && (zeros & 3) )
            rc = fail(&x, -EINVAL, "bad stream padding");
    }
    if ( why )
        *why = rc ? x.why : NULL;
    return rc ? rc : (long)x.op;
}

/* The byte b in every byte of a 64-bit word. */
#define BYTES(b)            (0x0101010101010101ull * (b))

/* Is b the top byte of a near call/jump's 32-bit displacement? */
static bool x86_disp_top(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

/*
 * See xz.h. The x86 BCJ filter (as defined by the LZMA SDK and xz): the
 * encoder turned the relative displacement of each E8 (call) / E9 (jmp)
 * whose top byte is 00 or FF into an absolute address (displacement +
 * position of the next instruction), unless the few bytes before it look
 * like an opcode prefix pattern. "mask" remembers, for the three bytes
 * before the current one, which held an E8/E9 that was not converted
 * (bit 1 = one byte back ... bit 3 = three bytes back), with bit 5+ set
 * when such a byte also had a 00/FF top byte; only some of these
 * patterns allow a conversion, and the decoder must see exactly what the
 * encoder saw, so the tests below mirror the encoder's.
 */
void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start)
{
    static const bool allowed[8] = { true, true, true, false,
                                     true, false, false, false };
    static const uint8_t shift[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
    uint32_t mask = 0;
    size_t i = 0, prev = 0;
    bool seen = false;

    while ( size >= 5 && i <= size - 5 )
    {
        uint8_t top;

        /*
         * Find the next E8/E9, a word at a time where 12 bytes remain:
         * OR-ing 1 into each byte makes both E9, XOR-ing E9 makes them
         * zero, and the lowest byte flagged by the zero-byte test is the
         * first zero byte (only bytes above a zero one can be flagged
         * falsely, by its borrow).
         */
        if ( size - i >= 12 )
        {
            uint64_t w, x, z;

            __builtin_memcpy(&w, buf + i, 8);
            x = (w | BYTES(0x01)) ^ BYTES(0xe9);
            z = (x - BYTES(0x01)) & ~x & BYTES(0x80);
            if ( !z )
            {
                i += 8;
                continue;
            }
            i += (size_t)__builtin_ctzll(z) >> 3;
        }
        else if ( (buf[i] | 1) != 0xe9 )
        {
            i++;
            continue;
        }
        if ( !seen || i - prev > 5 )
            mask = 0;
        else
        {
            size_t n;

            for ( n = i - prev; n; n-- )
                mask = (mask & 0x77) << 1;
        }
        seen = true;
        prev = i;
        top = buf[i + 4];
        if ( x86_disp_top(top) && allowed[(mask >> 1) & 7] &&
             (mask >> 1) < 0x10 )
        {
            uint32_t src = le32(buf + i + 1), dest;

            for ( ;; )
            {
                unsigned int k;

                dest = src - (uint32_t)(start + i + 5);
                if ( !mask )
                    break;
                /* mask != 0 here has a bit among 1..3: k is 1..3. */
                k = shift[(mask >> 1) & 7];
                if ( !x86_disp_top((uint8_t)(dest >> (24 - 8 * k))) )
                    break;
                src = dest ^ (uint32_t)((1ull << (32 - 8 * k)) - 1);
            }
            buf[i + 1] = (uint8_t)dest;
            buf[i + 2] = (uint8_t)(dest >> 8);
            buf[i + 3] = (uint8_t)(dest >> 16);
            buf[i + 4] = (dest & 0x01000000) ? 0xff : 0x00;
            i += 5;
            mask = 0;
        }
        else
        {
            i++;
            mask |= 1;
            if ( x86_disp_top(top) )
                mask |= 0x10;
        }
    }
}
