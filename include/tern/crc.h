/* SPDX-License-Identifier: MIT */
/* CRC32 (gzip, XZ) and CRC64 (XZ) over caller-provided tables (lib/crc.c). */
#ifndef TERN_CRC_H
#define TERN_CRC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Lookup tables, filled by crc_tables_init(): CRC32 (ISO-HDLC, reflected
 * polynomial 0xEDB88320, as gzip and XZ use) sliced eight ways, CRC64
 * (ECMA-182, reflected 0xC96C5795D7870F42, as XZ uses) sliced four ways.
 * 16 KiB: too large for a hypervisor stack, so callers keep them in their
 * work areas; nothing here has static state.
 */
struct crc_tables {
    uint32_t c32[8][256];
    uint64_t c64[4][256];
};

void crc_tables_init(struct crc_tables *t);

/*
 * Continue a CRC over buf[0..n): start with crc 0; the result of one call
 * is the crc argument of the next. Pre- and post-inversion are included,
 * so crc32(t, 0, "123456789", 9) is 0xCBF43926 and crc64 gives
 * 0x995DC9BBDF1939FA.
 */
uint32_t crc32(const struct crc_tables *t, uint32_t crc, const void *buf,
               size_t n);
uint64_t crc64(const struct crc_tables *t, uint64_t crc, const void *buf,
               size_t n);

#endif /* TERN_CRC_H */
