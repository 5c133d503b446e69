/* SPDX-License-Identifier: MIT */
/* Linux bzImage kernels: find the payload, unpack it to the ELF vmlinux (lib/bzimage.c). */
#ifndef TERN_BZIMAGE_H
#define TERN_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a kernel image holds. */
enum bzimage_format {
    BZIMAGE_PLAIN_ELF,          /* not a bzImage but an ELF file: used as is */
    BZIMAGE_UNCOMPRESSED,       /* a bzImage whose payload is the ELF itself */
    BZIMAGE_XZ,                 /* a bzImage with an XZ payload */
    BZIMAGE_GZIP,               /* a bzImage with a gzip payload */
};

/* Bytes of work area bzimage_unpack() needs (8-byte aligned). */
#define BZIMAGE_WORK_SIZE   (48u << 10)

/* A kernel that unpacks to more than this is refused. */
#define BZIMAGE_OUT_MAX     (1ul << 30)

struct bzimage_info {
    enum bzimage_format format;
    uint16_t version;           /* boot protocol, e.g. 0x020f; 0 for an ELF */
    const uint8_t *data;        /* the ELF, or the compressed stream */
    size_t data_len;
    size_t out_size;            /* bytes of the ELF once unpacked */
    bool exact;                 /* out_size is exact, not an upper bound */
};

/*
 * Look at a kernel image img[0..size): an ELF file, or a bzImage (boot
 * protocol "HdrS" at 0x202, version >= 2.08 for the payload fields at
 * 0x248 and 0x24c, setup_sects at 0x1f1 with 0 meaning 4) whose payload
 * is XZ, gzip or an uncompressed ELF. Fills *bi. The kernel build appends
 * the unpacked size to the payload (gzip's ISIZE is that field): out_size
 * is that size, exact; an XZ payload without it (ending in the stream
 * footer) gets init_size (at 0x260) as a bound. Returns 0, or -ENOEXEC
 * (neither ELF nor bzImage), -EINVAL (a bzImage that is truncated or
 * inconsistent) or -EOPNOTSUPP (a compression Tern does not unpack:
 * bzip2, lzma, lzo, lz4, zstd), with a message in err. Pure: reads only
 * img[0..size).
 */
int bzimage_probe(const void *img, size_t size, struct bzimage_info *bi,
                  char *err, size_t errlen);

/*
 * Unpack the payload of an image bzimage_probe() described into
 * out[0..out_cap) with work (BZIMAGE_WORK_SIZE bytes). Returns the ELF's
 * size, or a negative errno with a message in err: the decoder's reason
 * ("XZ: truncated input", "gzip: gzip CRC32 mismatch"), a size other than
 * the bzImage gives, or a payload that is not an ELF file.
 */
long bzimage_unpack(const struct bzimage_info *bi, void *out, size_t out_cap,
                    void *work, char *err, size_t errlen);

/* "ELF", "uncompressed", "XZ" or "gzip": the format's name for messages. */
const char *bzimage_format_name(enum bzimage_format f);

#endif /* TERN_BZIMAGE_H */
