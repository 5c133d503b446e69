/* SPDX-License-Identifier: MIT */
/* Single-call gzip (RFC 1952) and DEFLATE (RFC 1951) decoding (lib/inflate.c). */
#ifndef TERN_INFLATE_H
#define TERN_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bytes of work area the decoders need (Huffman tables, CRC tables),
 * 8-byte aligned, no initialisation needed. Take it from the heap.
 */
#define INFLATE_WORK_SIZE   (24u << 10)

/*
 * Decode the gzip file in[0..in_len) into out[0..out_cap): one or more
 * members, each with its header (FEXTRA, FNAME, FCOMMENT skipped, FHCRC
 * verified), DEFLATE data, CRC32 and ISIZE, both verified. Anything after
 * the last member is an error. Reads only in[0..in_len), writes only
 * out[0..out_cap); always terminates.
 *
 * Returns the number of bytes decoded (>= 0), or a negative errno with a
 * short static reason in *why (why may be NULL):
 *   -EINVAL      corrupt or truncated input
 *   -ENOSPC      the output does not fit in out_cap bytes
 *   -EOPNOTSUPP  a compression method other than deflate (8)
 */
long inflate_gzip(const void *in, size_t in_len, void *out, size_t out_cap,
                  void *work, const char **why);

/*
 * Decode raw DEFLATE data (stored, fixed and dynamic Huffman blocks, up to
 * and including the final block) from in[0..in_len) into
 * out[out_pos..out_cap); distances may not reach before out_pos. On
 * success returns the new output position and sets *in_used to the bytes
 * read (the last one partly, if the data ends inside it); else as
 * inflate_gzip().
 */
long inflate_raw(const void *in, size_t in_len, size_t *in_used, void *out,
                 size_t out_pos, size_t out_cap, void *work,
                 const char **why);

#endif /* TERN_INFLATE_H */
