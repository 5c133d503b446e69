/* SPDX-License-Identifier: MIT */
/* LZMA2 and LZMA decoding, single call: the output is the dictionary. */
#include <tern/errno.h>
#include <tern/lib.h>
#include <tern/xz.h>

/*
 * Theory of operation.
 *
 * LZMA2 data is a sequence of chunks, each opened by a control byte:
 *
 *   0x00         end of the LZMA2 data
 *   0x01         dictionary reset, then an uncompressed chunk
 *   0x02         uncompressed chunk           (2 bytes: size - 1, big endian)
 *   0x80 | r<<5 | u  LZMA chunk: u = bits 16..20 of (uncompressed size - 1),
 *                then 2 bytes of its low bits, 2 bytes of compressed size
 *                - 1, and a properties byte when r >= 2. r: 0 nothing
 *                reset, 1 state reset, 2 state reset + new properties,
 *                3 the same + dictionary reset.
 *   0x03..0x7f   invalid
 *
 * The data must start with a dictionary reset, and after every dictionary
 * reset the next LZMA chunk must bring properties. Each LZMA chunk starts
 * a new range decoder (a zero byte, then the 32-bit code), must use
 * exactly its compressed bytes, end with the code at zero and produce
 * exactly its uncompressed bytes: a match may not cross its end.
 *
 * LZMA: a range decoder drives adaptive binary probabilities (11-bit,
 * moved by 1/32 each bit) through a 12-state machine that remembers what
 * the last few packets were (literal, match, repeated match, short rep):
 *
 *   is_match[state][pos]  0: literal (8-bit tree; after a match, "matched"
 *                            against the byte at rep0 until they differ)
 *   is_rep[state]         0: match: length, then a 6-bit distance slot,
 *                            then reverse-tree or direct + align bits
 *   is_rep0 / rep0_long   short rep (one byte at rep0) or a rep0 match
 *   is_rep1 / is_rep2     which of rep1..rep3 moves to the front
 *
 * Single-call mode: out[] is both the output and the dictionary, so a
 * match copies from out[pos - dist - 1]. The current dictionary starts at
 * dict_start (the last dictionary reset): positions for the pos_state and
 * literal contexts count from it, the byte before it reads as zero, and
 * no distance may reach before it or beyond the dictionary size. Each
 * packet writes at least one byte and packets stop at the chunk's end, so
 * the decoder always terminates; reading past a chunk's compressed bytes
 * yields zeros and is caught when the chunk ends.
 */

#define LZMA_STATES         12
#define LZMA_LIT_STATES     7       /* states below this: last was a literal */
#define LZMA_PB_MAX         4
#define LZMA_POS_STATES_MAX (1 << LZMA_PB_MAX)
#define LZMA_LCLP_MAX       4       /* LZMA2: lc + lp <= 4 */
#define LZMA_LITERAL_CODERS (1 << LZMA_LCLP_MAX)
#define LZMA_LITERAL_SIZE   0x300
#define LZMA_LEN_STATES     4
#define LZMA_DIST_SLOTS     64
#define LZMA_DIST_MODEL_END 14
#define LZMA_FULL_DISTANCES 128
#define LZMA_ALIGN_SIZE     16
#define LZMA_MATCH_LEN_MIN  2

#define PROB_BITS           11
#define PROB_INIT           (1u << (PROB_BITS - 1))
#define PROB_MOVE_BITS      5
#define RC_TOP              (1u << 24)

struct lzma_len_probs {
    uint16_t choice, choice2;
    uint16_t low[LZMA_POS_STATES_MAX][8];
    uint16_t mid[LZMA_POS_STATES_MAX][8];
    uint16_t high[256];
};

/* Every probability; literal last so a reset can stop at lc + lp's need. */
struct lzma_probs {
    uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t is_rep[LZMA_STATES];
    uint16_t is_rep0[LZMA_STATES];
    uint16_t is_rep1[LZMA_STATES];
    uint16_t is_rep2[LZMA_STATES];
    uint16_t rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t dist_slot[LZMA_LEN_STATES][LZMA_DIST_SLOTS];
    uint16_t dist_special[LZMA_FULL_DISTANCES - LZMA_DIST_MODEL_END + 1];
    uint16_t align[LZMA_ALIGN_SIZE];
    struct lzma_len_probs len, rep_len;
    uint16_t literal[LZMA_LITERAL_CODERS][LZMA_LITERAL_SIZE];
};

/* The decoder's state across chunks; lives in the caller's work area. */
struct lzma2_dec {
    unsigned int lc, lp, pb;        /* literal context/position, pos bits */
    unsigned int state;
    uint32_t rep[4];                /* last four distances, 0-based */
    struct lzma_probs p;
};

BUILD_BUG_ON(sizeof(struct lzma2_dec) > XZ_LZMA2_WORK_SIZE);

/* Reset the state and the probabilities the current lc + lp use. */
static void lzma_reset(struct lzma2_dec *s)
{
    uint16_t *p = (uint16_t *)&s->p;
    size_t n = offsetof(struct lzma_probs, literal) / sizeof(uint16_t) +
               ((size_t)LZMA_LITERAL_SIZE << (s->lc + s->lp));

    while ( n-- )
        *p++ = PROB_INIT;
    s->state = 0;
    s->rep[0] = s->rep[1] = s->rep[2] = s->rep[3] = 0;
}

/* Take the properties byte (lc, lp, pb); false if invalid for LZMA2. */
static bool lzma_props(struct lzma2_dec *s, uint8_t props)
{
    if ( props >= 9 * 5 * 5 )
        return false;
    s->lc = props % 9;
    s->lp = (props / 9) % 5;
    s->pb = props / 45;
    return s->lc + s->lp <= LZMA_LCLP_MAX && s->pb <= LZMA_PB_MAX;
}

/*
 * The range decoder, on locals rng, code, ip of the chunk function. A bit
 * is decoded, then the range renormalised (reading one byte, or zero past
 * the chunk's end, which the end-of-chunk check catches).
 */
#define RC_NORMALIZE() do {                                                 \
    if ( rng < RC_TOP )                                                     \
    {                                                                       \
        rng <<= 8;                                                          \
        code = (code << 8) | (ip < in_len ? in[ip] : 0);                    \
        ip++;                                                               \
    }                                                                       \
} while ( 0 )

#define RC_BIT(prob, bit) do {                                              \
    uint16_t *p_ = (prob);                                                  \
    uint32_t bound_ = (rng >> PROB_BITS) * *p_;                             \
                                                                            \
    if ( code < bound_ )                                                    \
    {                                                                       \
        rng = bound_;                                                       \
        *p_ = (uint16_t)(*p_ + (((1u << PROB_BITS) - *p_) >> PROB_MOVE_BITS)); \
        (bit) = 0;                                                          \
    }                                                                       \
    else                                                                    \
    {                                                                       \
        rng -= bound_;                                                      \
        code -= bound_;                                                     \
        *p_ = (uint16_t)(*p_ - (*p_ >> PROB_MOVE_BITS));                    \
        (bit) = 1;                                                          \
    }                                                                       \
    RC_NORMALIZE();                                                         \
} while ( 0 )

/* An nbits-wide bit tree at probs (index 1 up); result 0..2^nbits-1. */
#define RC_TREE(probs, nbits, result) do {                                  \
    unsigned int m_ = 1, b_, i_;                                            \
                                                                            \
    _Pragma("GCC unroll 8")                                                 \
    for ( i_ = 0; i_ < (nbits); i_++ )                                      \
    {                                                                       \
        RC_BIT(&(probs)[m_], b_);                                           \
        m_ = (m_ << 1) | b_;                                                \
    }                                                                       \
    (result) = m_ - (1u << (nbits));                                        \
} while ( 0 )

/* The same, least significant bit first. */
#define RC_TREE_REV(probs, nbits, result) do {                              \
    unsigned int m_ = 1, b_, i_;                                            \
                                                                            \
    (result) = 0;                                                           \
    for ( i_ = 0; i_ < (nbits); i_++ )                                      \
    {                                                                       \
        RC_BIT(&(probs)[m_], b_);                                           \
        m_ = (m_ << 1) | b_;                                                \
        (result) |= b_ << i_;                                               \
    }                                                                       \
} while ( 0 )

/* A match length (2..273) from a length coder, for pos_state. */
#define RC_LEN(lp_, ps_, len) do {                                          \
    unsigned int c_, v_;                                                    \
                                                                            \
    RC_BIT(&(lp_)->choice, c_);                                             \
    if ( !c_ )                                                              \
    {                                                                       \
        RC_TREE((lp_)->low[ps_], 3, v_);                                    \
        (len) = LZMA_MATCH_LEN_MIN + v_;                                    \
        break;                                                              \
    }                                                                       \
    RC_BIT(&(lp_)->choice2, c_);                                            \
    if ( !c_ )                                                              \
    {                                                                       \
        RC_TREE((lp_)->mid[ps_], 3, v_);                                    \
        (len) = LZMA_MATCH_LEN_MIN + 8 + v_;                                \
        break;                                                              \
    }                                                                       \
    RC_TREE((lp_)->high, 8, v_);                                            \
    (len) = LZMA_MATCH_LEN_MIN + 16 + v_;                                   \
} while ( 0 )

/* Decode a match distance (0-based) for a match of length len. */
#define RC_DIST(len, dist) do {                                             \
    unsigned int ls_ = (len) - LZMA_MATCH_LEN_MIN, slot_, nb_, v_;          \
                                                                            \
    if ( ls_ >= LZMA_LEN_STATES )                                           \
        ls_ = LZMA_LEN_STATES - 1;                                          \
    RC_TREE(p->dist_slot[ls_], 6, slot_);                                   \
    if ( slot_ < 4 )                                                        \
    {                                                                       \
        (dist) = slot_;                                                     \
        break;                                                              \
    }                                                                       \
    nb_ = (slot_ >> 1) - 1;                                                 \
    (dist) = (2u | (slot_ & 1)) << nb_;                                     \
    if ( slot_ < LZMA_DIST_MODEL_END )                                      \
    {                                                                       \
        RC_TREE_REV(p->dist_special + (dist) - slot_, nb_, v_);             \
        (dist) += v_;                                                       \
        break;                                                              \
    }                                                                       \
    for ( v_ = 0, nb_ -= 4; nb_; nb_-- )                                    \
    {                                                                       \
        rng >>= 1;                                                          \
        if ( code >= rng )                                                  \
        {                                                                   \
            code -= rng;                                                    \
            v_ = (v_ << 1) | 1;                                             \
        }                                                                   \
        else                                                                \
            v_ <<= 1;                                                       \
        RC_NORMALIZE();                                                     \
    }                                                                       \
    (dist) += v_ << 4;                                                      \
    RC_TREE_REV(p->align, 4, v_);                                           \
    (dist) += v_;                                                           \
} while ( 0 )

/* Copy one 8-byte word from src to dst (any alignment). */
static inline void copy_word(uint8_t *dst, const uint8_t *src)
{
    uint64_t w;

    __builtin_memcpy(&w, src, 8);
    __builtin_memcpy(dst, &w, 8);
}

/*
 * Copy a match: len bytes to dst from dist bytes back; room bytes from
 * dst on belong to the chunk (room >= len). Most bytes of a kernel come
 * from matches, and a byte loop costs QEMU's TCG two memory accesses a
 * byte, so words are copied: a word read from 8 or more bytes back holds
 * only bytes already written. A match closer than that repeats with
 * period dist, so after its first bytes it is copied from the nearest
 * multiple of dist at least 8 back. The last word may run past the match
 * into the chunk's room: those bytes are written again before the chunk
 * ends.
 */
static inline void match_copy(uint8_t *dst, size_t dist, size_t len,
                              size_t room)
{
    const uint8_t *src = dst - dist;

    if ( dist < 8 )
    {
        size_t far = dist, n;

        while ( far < 8 )
            far <<= 1;
        for ( n = far - dist < len ? far - dist : len; n; n-- )
        {
            *dst++ = *src++;
            len--;
            room--;
        }
        src = dst - far;
    }
    for ( ; len >= 8; len -= 8, room -= 8, src += 8, dst += 8 )
        copy_word(dst, src);
    if ( len && room >= 8 )
        copy_word(dst, src);
    else
        while ( len-- )
            *dst++ = *src++;
}

/*
 * Decode one LZMA chunk of exactly in[0..in_len) into out[pos..end), in
 * the dictionary that starts at dict_start. Returns 0, or -EINVAL with
 * *why set.
 */
static int lzma_chunk(struct lzma2_dec *s, const uint8_t *in, size_t in_len,
                      uint8_t *out, size_t dict_start, size_t pos, size_t end,
                      uint32_t dict_size, const char **why)
{
    struct lzma_probs *p = &s->p;
    const unsigned int lc = s->lc;
    const size_t lp_mask = ((size_t)1 << s->lp) - 1;
    const size_t pb_mask = ((size_t)1 << s->pb) - 1;
    unsigned int state = s->state;
    uint32_t rep0 = s->rep[0], rep1 = s->rep[1], rep2 = s->rep[2],
             rep3 = s->rep[3];
    uint32_t rng = 0xffffffffu, code;
    size_t ip = 5;
    int rc = 0;

    if ( in_len < 5 || in[0] != 0 )
    {
        *why = "LZMA: bad range coder start";
        return -EINVAL;
    }
    code = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 |
           (uint32_t)in[3] << 8 | in[4];

    while ( pos < end )
    {
        size_t rel = pos - dict_start;
        unsigned int ps = (unsigned int)(rel & pb_mask), bit;
        uint32_t len;

        RC_BIT(&p->is_match[state][ps], bit);
        if ( !bit )
        {
            uint16_t *lit = p->literal[0];
            unsigned int prev = rel ? out[pos - 1] : 0, sym = 1;

            lit += LZMA_LITERAL_SIZE *
                   (((rel & lp_mask) << lc) + (prev >> (8 - lc)));
            if ( state >= LZMA_LIT_STATES )
            {
                unsigned int mb, mbit;

                if ( rep0 >= rel )
                    goto bad_dist;
                mb = out[pos - rep0 - 1];
                do
                {
                    mbit = (mb >> 7) & 1;
                    mb <<= 1;
                    RC_BIT(&lit[0x100 + (mbit << 8) + sym], bit);
                    sym = (sym << 1) | bit;
                    if ( mbit != bit )
                        break;
                } while ( sym < 0x100 );
            }
            while ( sym < 0x100 )
            {
                RC_BIT(&lit[sym], bit);
                sym = (sym << 1) | bit;
            }
            out[pos++] = (uint8_t)sym;
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            continue;
        }

        RC_BIT(&p->is_rep[state], bit);
        if ( !bit )
        {
            /* A match: a new distance goes to the front of the reps. */
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            RC_LEN(&p->len, ps, len);
            state = state < LZMA_LIT_STATES ? 7 : 10;
            RC_DIST(len, rep0);
            if ( rep0 == 0xffffffffu )
            {
                *why = "LZMA: end marker inside LZMA2 data";
                rc = -EINVAL;
                goto out;
            }
        }
        else
        {
            RC_BIT(&p->is_rep0[state], bit);
            if ( !bit )
            {
                RC_BIT(&p->rep0_long[state][ps], bit);
                if ( !bit )
                {
                    /* Short rep: one byte from rep0. */
                    if ( rep0 >= rel )
                        goto bad_dist;
                    state = state < LZMA_LIT_STATES ? 9 : 11;
                    out[pos] = out[pos - rep0 - 1];
                    pos++;
                    continue;
                }
            }
            else
            {
                uint32_t d;

                RC_BIT(&p->is_rep1[state], bit);
                if ( !bit )
                    d = rep1;
                else
                {
                    RC_BIT(&p->is_rep2[state], bit);
                    if ( !bit )
                        d = rep2;
                    else
                    {
                        d = rep3;
                        rep3 = rep2;
                    }
                    rep2 = rep1;
                }
                rep1 = rep0;
                rep0 = d;
            }
            RC_LEN(&p->rep_len, ps, len);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        }

        if ( rep0 >= rel || rep0 >= dict_size )
            goto bad_dist;
        if ( len > end - pos )
        {
            *why = "LZMA: match runs past the end of its chunk";
            rc = -EINVAL;
            goto out;
        }
        match_copy(out + pos, rep0 + 1, len, end - pos);
        pos += len;
    }

    if ( ip > in_len )
    {
        *why = "LZMA: chunk data ends early (truncated or corrupt)";
        rc = -EINVAL;
    }
    else if ( ip != in_len )
    {
        *why = "LZMA: chunk has unused compressed bytes";
        rc = -EINVAL;
    }
    else if ( code != 0 )
    {
        *why = "LZMA: range coder did not end cleanly";
        rc = -EINVAL;
    }
    goto out;

 bad_dist:
    *why = "LZMA: match distance out of range";
    rc = -EINVAL;
 out:
    s->state = state;
    s->rep[0] = rep0;
    s->rep[1] = rep1;
    s->rep[2] = rep2;
    s->rep[3] = rep3;
    return rc;
}

/* See xz.h. */
uint32_t xz_lzma2_dict_size(uint8_t prop)
{
    if ( prop > 40 )
        return 0;
    if ( prop == 40 )
        return 0xffffffffu;
    return (2u | (prop & 1)) << (prop / 2 + 11);
}

/* See xz.h. */
long xz_lzma2_decode(const void *in_, size_t in_len, size_t *in_used,
                     void *out_, size_t out_pos, size_t out_cap,
                     uint32_t dict_size, void *work, const char **why)
{
    const uint8_t *in = in_;
    uint8_t *out = out_;
    struct lzma2_dec *s = work;
    size_t ip = 0, pos = out_pos, dict_start = out_pos;
    bool need_dict_reset = true, need_props = true;
    const char *dummy;

    if ( !why )
        why = &dummy;
    if ( pos > out_cap || ((uintptr_t)work & 7) )
    {
        *why = "bad arguments";
        return -EINVAL;
    }
    for ( ;; )
    {
        size_t unc, comp;
        unsigned int ctl;
        int rc;

        if ( ip >= in_len )
            goto truncated;
        ctl = in[ip++];
        if ( ctl == 0x00 )
            break;
        if ( ctl == 0x01 || ctl >= 0xe0 )
        {
            dict_start = pos;
            need_dict_reset = false;
            need_props = true;
        }
        else if ( need_dict_reset )
        {
            *why = "LZMA2: data does not start with a dictionary reset";
            return -EINVAL;
        }

        if ( ctl < 0x80 )
        {
            if ( ctl > 0x02 )
            {
                *why = "LZMA2: bad control byte";
                return -EINVAL;
            }
            if ( in_len - ip < 2 )
                goto truncated;
            unc = ((size_t)in[ip] << 8 | in[ip + 1]) + 1;
            ip += 2;
            if ( unc > in_len - ip )
                goto truncated;
            if ( unc > out_cap - pos )
                goto nospace;
            memcpy(out + pos, in + ip, unc);
            ip += unc;
            pos += unc;
            continue;
        }

        if ( in_len - ip < 4 )
            goto truncated;
        unc = ((size_t)(ctl & 0x1f) << 16 | (size_t)in[ip] << 8 |
               in[ip + 1]) + 1;
        comp = ((size_t)in[ip + 2] << 8 | in[ip + 3]) + 1;
        ip += 4;
        if ( ctl >= 0xc0 )
        {
            if ( ip >= in_len )
                goto truncated;
            if ( !lzma_props(s, in[ip++]) )
            {
                *why = "LZMA2: bad LZMA properties (lc, lp, pb)";
                return -EINVAL;
            }
            need_props = false;
            lzma_reset(s);
        }
        else if ( need_props )
        {
            *why = "LZMA2: LZMA chunk without properties after a reset";
            return -EINVAL;
        }
        else if ( ctl >= 0xa0 )
            lzma_reset(s);
        if ( comp > in_len - ip )
            goto truncated;
        if ( unc > out_cap - pos )
            goto nospace;
        rc = lzma_chunk(s, in + ip, comp, out, dict_start, pos, pos + unc,
                        dict_size, why);
        if ( rc )
            return rc;
        ip += comp;
        pos += unc;
    }
    *in_used = ip;
    return (long)pos;

 truncated:
    *why = "truncated input";
    return -EINVAL;
 nospace:
    *why = "output buffer too small";
    return -ENOSPC;
}
