/* SPDX-License-Identifier: MIT */
/* A single-call decoder of .xz files: BCJ x86 + LZMA2 (lib/xz.c, lib/lzma2.c). */
#ifndef TERN_XZ_H
#define TERN_XZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bytes of work area the decoders need, 8-byte aligned; the contents need
 * no initialisation and are garbage afterwards. Too large for a hypervisor
 * stack: take it from the heap. xz_lzma2_decode() uses the first
 * XZ_LZMA2_WORK_SIZE bytes (LZMA probabilities), xz_decode() all of it
 * (CRC tables after those).
 */
#define XZ_WORK_SIZE        (48u << 10)
#define XZ_LZMA2_WORK_SIZE  (32u << 10)

/*
 * Decode the whole .xz file in[0..in_len) into out[0..out_cap): one or
 * more streams, each followed by optional stream padding (a multiple of
 * four zero bytes). Every header, block, index and footer field and every
 * CRC is checked. Blocks may use the filter chain LZMA2 or x86 BCJ (any
 * start offset) + LZMA2, and the checks none, CRC32 or CRC64, all
 * verified. The output is its own dictionary (single-call mode), so any
 * dictionary size is accepted. Reads only in[0..in_len), writes only
 * out[0..out_cap); always terminates.
 *
 * Returns the number of bytes decoded (>= 0), or a negative errno with a
 * short static reason in *why ("truncated input", "block CRC32 mismatch"):
 *   -EINVAL      corrupt or truncated input
 *   -ENOSPC      the output does not fit in out_cap bytes
 *   -EOPNOTSUPP  well formed, but a filter or check Tern does not do
 *                (SHA-256, delta, other BCJ filters ...)
 * On failure out holds partial data. why may be NULL.
 */
long xz_decode(const void *in, size_t in_len, void *out, size_t out_cap,
               void *work, const char **why);

/*
 * The layers below, exposed for tests and fuzzing.
 *
 * Decode raw LZMA2 data in[0..in_len) (chunks up to and including the end
 * marker 0x00) into out[out_pos..out_cap), where out[0..out_pos) is
 * earlier output that matches may not reach (a new dictionary starts at
 * out_pos). dict_size bounds match distances. On success returns the new
 * output position and sets *in_used to the bytes read; else as
 * xz_decode().
 */
long xz_lzma2_decode(const void *in, size_t in_len, size_t *in_used,
                     void *out, size_t out_pos, size_t out_cap,
                     uint32_t dict_size, void *work, const char **why);

/*
 * Undo the x86 BCJ filter in place on buf[0..size), the whole output of
 * one block, whose first byte had stream position start (the filter's
 * start offset). The last four bytes are never converted.
 */
void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start);

/*
 * The LZMA2 filter's dictionary size property byte as a size: bits 0-5,
 * 0..40 (40 is 4 GiB - 1). Returns 0 for a reserved value.
 */
uint32_t xz_lzma2_dict_size(uint8_t prop);

#endif /* TERN_XZ_H */
