/* SPDX-License-Identifier: MIT */
/* CRC32 and CRC64 with sliced lookup tables, for the decompressors. */
#include <tern/crc.h>

/*
 * Both CRCs are reflected (bit 0 of each byte first), so the register
 * shifts right and the table for one byte is the register after eight
 * steps of "shift, and XOR the polynomial if a one fell out". Slicing: the
 * table of slice k is the CRC of a byte followed by k zero bytes, so the
 * contributions of k+1 bytes read at once are looked up independently and
 * XORed. The input may sit at any alignment: words are loaded unaligned
 * (x86 allows it), little endian.
 */

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lib/crc.c loads little-endian words as native ones"
#endif

#define CRC32_POLY  0xedb88320u
#define CRC64_POLY  0xc96c5795d7870f42ull

/* Unaligned little-endian loads, one memory access each. */
static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v;

    __builtin_memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load_le32(const uint8_t *p)
{
    uint32_t v;

    __builtin_memcpy(&v, p, 4);
    return v;
}

/* See crc.h. */
void crc_tables_init(struct crc_tables *t)
{
    unsigned int i, k, b;

    for ( i = 0; i < 256; i++ )
    {
        uint32_t c = i;
        uint64_t d = i;

        for ( b = 0; b < 8; b++ )
        {
            c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1)));
            d = (d >> 1) ^ (CRC64_POLY & (0ull - (d & 1)));
        }
        t->c32[0][i] = c;
        t->c64[0][i] = d;
    }
    for ( i = 0; i < 256; i++ )
    {
        for ( k = 1; k < 8; k++ )
            t->c32[k][i] = (t->c32[k - 1][i] >> 8) ^
                           t->c32[0][t->c32[k - 1][i] & 0xff];
        for ( k = 1; k < 4; k++ )
            t->c64[k][i] = (t->c64[k - 1][i] >> 8) ^
                           t->c64[0][t->c64[k - 1][i] & 0xff];
    }
}

/* See crc.h. */
uint32_t crc32(const struct crc_tables *t, uint32_t crc, const void *buf,
               size_t n)
{
    const uint8_t *p = buf;

    crc = ~crc;
    while ( n >= 8 )
    {
        uint64_t v = load_le64(p);
        uint32_t lo = crc ^ (uint32_t)v, hi = (uint32_t)(v >> 32);

        crc = t->c32[7][lo & 0xff] ^ t->c32[6][(lo >> 8) & 0xff] ^
              t->c32[5][(lo >> 16) & 0xff] ^ t->c32[4][lo >> 24] ^
              t->c32[3][hi & 0xff] ^ t->c32[2][(hi >> 8) & 0xff] ^
              t->c32[1][(hi >> 16) & 0xff] ^ t->c32[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while ( n-- )
        crc = (crc >> 8) ^ t->c32[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

/* See crc.h. */
uint64_t crc64(const struct crc_tables *t, uint64_t crc, const void *buf,
               size_t n)
{
    const uint8_t *p = buf;

    crc = ~crc;
    while ( n >= 4 )
    {
        uint32_t lo = (uint32_t)crc ^ (uint32_t)load_le32(p);

        crc = (crc >> 32) ^ t->c64[3][lo & 0xff] ^
              t->c64[2][(lo >> 8) & 0xff] ^ t->c64[1][(lo >> 16) & 0xff] ^
              t->c64[0][lo >> 24];
        p += 4;
        n -= 4;
    }
    while ( n-- )
        crc = (crc >> 8) ^ t->c64[0][(crc ^ *p++) & 0xff];
    return ~crc;
}
