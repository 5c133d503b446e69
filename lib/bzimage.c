/* SPDX-License-Identifier: MIT */
/* Linux bzImage kernels: boot protocol header, payload, decompression. */
#include <tern/bzimage.h>
#include <tern/errno.h>
#include <tern/inflate.h>
#include <tern/lib.h>
#include <tern/xz.h>

/*
 * A bzImage (Documentation/x86/boot.rst) is the real-mode setup code,
 * (setup_sects + 1) sectors of 512 bytes, then the protected-mode part,
 * which holds the compressed kernel. From boot protocol 2.08 the header
 * says where: payload_offset (from the start of the protected-mode part)
 * and payload_length. The payload is the ELF vmlinux compressed with the
 * kernel's CONFIG_KERNEL_* choice, followed, for every format but gzip,
 * by its uncompressed size as a 32-bit little-endian number (gzip's own
 * trailer ends with that number, ISIZE). Tern unpacks XZ and gzip with
 * its own decoders; the format is known by its magic. The unpacked size
 * is checked against the size the image gives, and the result must be an
 * ELF file; the ELF itself is for elf_xen_parse() to judge.
 */

#define HDR_SETUP_SECTS     0x1f1
#define HDR_BOOT_FLAG       0x1fe
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_PAYLOAD_OFFSET  0x248
#define HDR_PAYLOAD_LENGTH  0x24c
#define HDR_INIT_SIZE       0x260
#define HDR_END             0x264

BUILD_BUG_ON(BZIMAGE_WORK_SIZE < XZ_WORK_SIZE);
BUILD_BUG_ON(BZIMAGE_WORK_SIZE < INFLATE_WORK_SIZE);

static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

/* Compressions Linux offers that Tern does not unpack, by magic. */
static const struct {
    const char *name;
    uint8_t len;
    uint8_t magic[4];
} unsupported[] = {
    { "bzip2", 3, { 'B', 'Z', 'h' } },
    { "lzma", 3, { 0x5d, 0x00, 0x00 } },
    { "lzo", 4, { 0x89, 'L', 'Z', 'O' } },
    { "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
    { "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* See bzimage.h. */
const char *bzimage_format_name(enum bzimage_format f)
{
    switch ( f )
    {
    case BZIMAGE_PLAIN_ELF:    return "ELF";
    case BZIMAGE_UNCOMPRESSED: return "uncompressed";
    case BZIMAGE_XZ:           return "XZ";
    case BZIMAGE_GZIP:         return "gzip";
    }
    return "?";
}

/* See bzimage.h. */
int bzimage_probe(const void *img_, size_t size, struct bzimage_info *bi,
                  char *err, size_t errlen)
{
    const uint8_t *img = img_;
    const uint8_t *pl;
    size_t setup, off, len, i;
    unsigned int sects;

    memset(bi, 0, sizeof(*bi));
    if ( size >= 4 && !memcmp(img, elf_magic, 4) )
    {
        bi->format = BZIMAGE_PLAIN_ELF;
        bi->data = img;
        bi->data_len = bi->out_size = size;
        bi->exact = true;
        return 0;
    }
    if ( size < HDR_MAGIC + 4 || memcmp(img + HDR_MAGIC, "HdrS", 4) )
    {
        tern_snprintf(err, errlen, "neither an ELF file nor a bzImage");
        return -ENOEXEC;
    }
    if ( size < HDR_END )
    {
        tern_snprintf(err, errlen, "bzImage: truncated header (%zu bytes)",
                      size);
        return -EINVAL;
    }
    bi->version = (uint16_t)(img[HDR_VERSION] | img[HDR_VERSION + 1] << 8);
    if ( bi->version < 0x208 )
    {
        tern_snprintf(err, errlen, "bzImage: boot protocol %u.%02u has no "
                      "payload fields (2.08 or later needed)",
                      bi->version >> 8, bi->version & 0xff);
        return -EOPNOTSUPP;
    }
    sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
    setup = ((size_t)sects + 1) * 512;
    off = le32(img + HDR_PAYLOAD_OFFSET);
    len = le32(img + HDR_PAYLOAD_LENGTH);
    if ( setup > size || off > size - setup || len > size - setup - off )
    {
        tern_snprintf(err, errlen, "bzImage: truncated: the payload (%zu "
                      "bytes at %#zx) runs past the end of the image (%zu "
                      "bytes)", len, setup + off, size);
        return -EINVAL;
    }
    if ( len < 8 )
    {
        tern_snprintf(err, errlen, "bzImage: payload of %zu bytes", len);
        return -EINVAL;
    }
    pl = img + setup + off;
    bi->data = pl;
    bi->data_len = len;
    bi->out_size = le32(pl + len - 4);
    bi->exact = true;
    if ( !memcmp(pl, xz_magic, sizeof(xz_magic)) )
    {
        bi->format = BZIMAGE_XZ;
        if ( pl[len - 2] == 'Y' && pl[len - 1] == 'Z' )
        {
            /* No size appended: init_size bounds the unpacked kernel. */
            bi->out_size = bi->version >= 0x20a ? le32(img + HDR_INIT_SIZE) : 0;
            bi->exact = false;
        }
        else
            bi->data_len -= 4;
    }
    else if ( pl[0] == 0x1f && pl[1] == 0x8b )
        bi->format = BZIMAGE_GZIP;
    else if ( !memcmp(pl, elf_magic, sizeof(elf_magic)) )
    {
        bi->format = BZIMAGE_UNCOMPRESSED;
        bi->out_size = len;
    }
    else
    {
        for ( i = 0; i < ARRAY_SIZE(unsupported); i++ )
            if ( !memcmp(pl, unsupported[i].magic, unsupported[i].len) )
            {
                tern_snprintf(err, errlen, "bzImage: unsupported compression "
                              "%s (Tern unpacks XZ and gzip)",
                              unsupported[i].name);
                return -EOPNOTSUPP;
            }
        tern_snprintf(err, errlen, "bzImage: unknown payload format (magic "
                      "%02x %02x %02x %02x)", pl[0], pl[1], pl[2], pl[3]);
        return -EOPNOTSUPP;
    }
    if ( !bi->out_size || bi->out_size > BZIMAGE_OUT_MAX )
    {
        tern_snprintf(err, errlen, "bzImage: implausible unpacked size %zu",
                      bi->out_size);
        return -EINVAL;
    }
    return 0;
}

/* See bzimage.h. */
long bzimage_unpack(const struct bzimage_info *bi, void *out, size_t out_cap,
                    void *work, char *err, size_t errlen)
{
    const char *why = NULL;
    long r;

    switch ( bi->format )
    {
    case BZIMAGE_XZ:
        r = xz_decode(bi->data, bi->data_len, out, out_cap, work, &why);
        break;
    case BZIMAGE_GZIP:
        r = inflate_gzip(bi->data, bi->data_len, out, out_cap, work, &why);
        break;
    default:
        if ( bi->data_len > out_cap )
        {
            r = -ENOSPC;
            why = "output buffer too small";
            break;
        }
        memcpy(out, bi->data, bi->data_len);
        r = (long)bi->data_len;
        break;
    }
    if ( r == -ENOSPC && out_cap >= bi->out_size )
    {
        tern_snprintf(err, errlen, "%s: unpacks to more than the %zu bytes "
                      "the bzImage gives", bzimage_format_name(bi->format),
                      bi->out_size);
        return -EINVAL;
    }
    if ( r < 0 )
    {
        tern_snprintf(err, errlen, "%s: %s", bzimage_format_name(bi->format),
                      why ? why : "failed");
        return r;
    }
    if ( bi->exact && (size_t)r != bi->out_size )
    {
        tern_snprintf(err, errlen, "%s: unpacked to %ld bytes, the bzImage "
                      "gives %zu", bzimage_format_name(bi->format), r,
                      bi->out_size);
        return -EINVAL;
    }
    if ( r < 4 || memcmp(out, elf_magic, sizeof(elf_magic)) )
    {
        tern_snprintf(err, errlen, "%s: the payload is not an ELF vmlinux",
                      bzimage_format_name(bi->format));
        return -ENOEXEC;
    }
    if ( err && errlen )
        err[0] = '\0';
    return r;
}
