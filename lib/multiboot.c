/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and 2 information, read into a struct boot_info. */
#include <tern/bootinfo.h>
#include <tern/errno.h>
#include <tern/lib.h>

/*
 * The loader's structures are read through phys_to_virt(), which may return
 * NULL for an address it cannot map (the host tests do for anything outside
 * their buffer): that makes the structure malformed, -EINVAL. Everything is
 * bounded: strings by the destination field (and by the tag in multiboot2),
 * tables by the arrays of struct boot_info, sizes by the total size.
 */

/* Multiboot 1 information structure, as far as we read it. */
struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;      /* MB1_MEM */
    uint32_t boot_device;
    uint32_t cmdline;                   /* MB1_CMDLINE */
    uint32_t mods_count, mods_addr;     /* MB1_MODS */
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;    /* MB1_MMAP */
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;          /* MB1_LOADER */
} __packed;

#define MB1_MEM      (1u << 0)
#define MB1_CMDLINE  (1u << 2)
#define MB1_MODS     (1u << 3)
#define MB1_MMAP     (1u << 6)
#define MB1_LOADER   (1u << 9)

struct mb1_module {
    uint32_t mod_start, mod_end;
    uint32_t string;
    uint32_t reserved;
} __packed;

/* size does not count itself: the next entry is at +size+4. */
struct mb1_mmap_entry {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} __packed;

/* Multiboot 2: a fixed header, then 8-byte aligned tags, then tag 0. */
struct mb2_header {
    uint32_t total_size;
    uint32_t reserved;
} __packed;

struct mb2_tag {
    uint32_t type;
    uint32_t size;                      /* header included, padding not */
} __packed;

#define MB2_TAG_END       0
#define MB2_TAG_CMDLINE   1
#define MB2_TAG_LOADER    2
#define MB2_TAG_MODULE    3
#define MB2_TAG_MEMINFO   4
#define MB2_TAG_MMAP      6
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15

/* Largest multiboot2 structure we accept; GRUB's are a few KiB. */
#define MB2_MAX_TOTAL     (1u << 20)

struct mb2_module {
    struct mb2_tag tag;
    uint32_t mod_start, mod_end;
    char string[];
} __packed;

struct mb2_meminfo {
    struct mb2_tag tag;
    uint32_t mem_lower, mem_upper;
} __packed;

struct mb2_mmap {
    struct mb2_tag tag;
    uint32_t entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
    uint64_t base, len;
    uint32_t type;
    uint32_t reserved;
} __packed;

/*
 * Copy the string at src (at most max bytes may be read) into dst[0..len).
 * Counts a truncation in bi when the string does not fit.
 */
static void copy_str(struct boot_info *bi, char *dst, size_t len,
                     const char *src, size_t max)
{
    size_t n = 0;

    while ( n < max && src[n] && n + 1 < len )
    {
        dst[n] = src[n];
        n++;
    }
    dst[n] = '\0';
    if ( n < max && src[n] )
        bi->nr_truncated++;
}

/* Add a memory region; counts a truncation when the table is full. */
static void add_region(struct boot_info *bi, uint64_t base, uint64_t len,
                       uint32_t type)
{
    if ( bi->nr_mmap == BOOT_MAX_MMAP )
    {
        bi->nr_truncated++;
        return;
    }
    bi->mmap[bi->nr_mmap].base = base;
    bi->mmap[bi->nr_mmap].len = len;
    bi->mmap[bi->nr_mmap].type = type;
    bi->nr_mmap++;
}

/* Add a module; returns it, or NULL (truncation counted) when full. */
static struct boot_module *add_module(struct boot_info *bi, uint64_t start,
                                      uint64_t end)
{
    struct boot_module *m;

    if ( bi->nr_modules == BOOT_MAX_MODULES )
    {
        bi->nr_truncated++;
        return NULL;
    }
    m = &bi->modules[bi->nr_modules++];
    m->start = start;
    m->end = end;
    m->string[0] = '\0';
    return m;
}

/* Copy a NUL-terminated string at physical pa; -EINVAL if unmapped. */
static int copy_phys_str(struct boot_info *bi, char *dst, size_t len,
                         uint64_t pa,
                         const void *(*phys_to_virt)(uint64_t pa))
{
    const char *s = phys_to_virt(pa);

    if ( !s )
        return -EINVAL;
    copy_str(bi, dst, len, s, len);
    return 0;
}

/* Read a multiboot1 structure. Returns 0 or -EINVAL. */
static int parse_mb1(uint64_t info, const void *(*p2v)(uint64_t pa),
                     struct boot_info *bi)
{
    const struct mb1_info *mi = p2v(info);
    uint32_t i, off;

    if ( !mi )
        return -EINVAL;
    bi->proto = 1;

    if ( mi->flags & MB1_MEM )
    {
        bi->mem_lower_kb = mi->mem_lower;
        bi->mem_upper_kb = mi->mem_upper;
    }
    if ( (mi->flags & MB1_CMDLINE) &&
         copy_phys_str(bi, bi->cmdline, sizeof(bi->cmdline), mi->cmdline, p2v) )
        return -EINVAL;
    if ( (mi->flags & MB1_LOADER) &&
         copy_phys_str(bi, bi->loader, sizeof(bi->loader),
                       mi->boot_loader_name, p2v) )
        return -EINVAL;

    if ( mi->flags & MB1_MODS )
    {
        for ( i = 0; i < mi->mods_count; i++ )
        {
            const struct mb1_module *mod =
                p2v((uint64_t)mi->mods_addr + i * sizeof(*mod));
            struct boot_module *m;

            if ( !mod || mod->mod_end < mod->mod_start )
                return -EINVAL;
            m = add_module(bi, mod->mod_start, mod->mod_end);
            if ( !m )
                break;
            if ( mod->string &&
                 copy_phys_str(bi, m->string, sizeof(m->string), mod->string,
                               p2v) )
                return -EINVAL;
        }
    }

    if ( mi->flags & MB1_MMAP )
    {
        for ( off = 0; off < mi->mmap_length; )
        {
            const struct mb1_mmap_entry *e;

            if ( mi->mmap_length - off < sizeof(*e) )
                return -EINVAL;
            e = p2v((uint64_t)mi->mmap_addr + off);
            if ( !e || e->size < sizeof(*e) - 4 ||
                 e->size > mi->mmap_length - off - 4 )
                return -EINVAL;
            add_region(bi, e->base, e->len, e->type);
            off += e->size + 4;
        }
    }
    return 0;
}

/* Handle one multiboot2 tag at physical tag_pa. Returns 0 or -EINVAL. */
static int parse_mb2_tag(const struct mb2_tag *tag, uint64_t tag_pa,
                         struct boot_info *bi, bool *acpi_new)
{
    const char *body = (const char *)(tag + 1);
    size_t body_len = tag->size - sizeof(*tag);

    switch ( tag->type )
    {
    case MB2_TAG_CMDLINE:
        copy_str(bi, bi->cmdline, sizeof(bi->cmdline), body, body_len);
        break;
    case MB2_TAG_LOADER:
        copy_str(bi, bi->loader, sizeof(bi->loader), body, body_len);
        break;
    case MB2_TAG_MODULE:
    {
        const struct mb2_module *mod = (const void *)tag;
        struct boot_module *m;

        if ( tag->size < sizeof(*mod) || mod->mod_end < mod->mod_start )
            return -EINVAL;
        m = add_module(bi, mod->mod_start, mod->mod_end);
        if ( m )
            copy_str(bi, m->string, sizeof(m->string), mod->string,
                     tag->size - sizeof(*mod));
        break;
    }
    case MB2_TAG_MEMINFO:
    {
        const struct mb2_meminfo *mem = (const void *)tag;

        if ( tag->size < sizeof(*mem) )
            return -EINVAL;
        bi->mem_lower_kb = mem->mem_lower;
        bi->mem_upper_kb = mem->mem_upper;
        break;
    }
    case MB2_TAG_MMAP:
    {
        const struct mb2_mmap *mm = (const void *)tag;
        uint32_t off;

        if ( tag->size < sizeof(*mm) ||
             mm->entry_size < sizeof(struct mb2_mmap_entry) ||
             (mm->entry_size & 7) )
            return -EINVAL;
        for ( off = sizeof(*mm); tag->size - off >= mm->entry_size;
              off += mm->entry_size )
        {
            const struct mb2_mmap_entry *e =
                (const void *)((const char *)tag + off);

            add_region(bi, e->base, e->len, e->type);
        }
        break;
    }
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        /* The newer (XSDT) RSDP wins over the old one, in any order. */
        if ( *acpi_new && tag->type == MB2_TAG_ACPI_OLD )
            break;
        if ( body_len < 20 )
            return -EINVAL;
        memset(bi->rsdp_copy, 0, sizeof(bi->rsdp_copy));
        memcpy(bi->rsdp_copy, body,
               body_len < sizeof(bi->rsdp_copy) ? body_len
                                                : sizeof(bi->rsdp_copy));
        bi->has_rsdp_copy = true;
        bi->rsdp_phys = tag_pa + sizeof(*tag);
        *acpi_new = tag->type == MB2_TAG_ACPI_NEW;
        break;
    }
    return 0;
}

/* Read a multiboot2 structure. Returns 0 or -EINVAL. */
static int parse_mb2(uint64_t info, const void *(*p2v)(uint64_t pa),
                     struct boot_info *bi)
{
    const struct mb2_header *hdr = p2v(info);
    const char *base = (const char *)hdr;
    bool acpi_new = false;
    uint32_t total, off;
    int rc;

    if ( !hdr || (info & 7) )
        return -EINVAL;
    total = hdr->total_size;
    if ( total < sizeof(*hdr) + sizeof(struct mb2_tag) ||
         total > MB2_MAX_TOTAL )
        return -EINVAL;
    bi->proto = 2;

    for ( off = sizeof(*hdr); ; off = (off + 7) & ~7u )
    {
        const struct mb2_tag *tag;

        if ( total - off < sizeof(*tag) )
            return -EINVAL;                     /* no end tag */
        tag = (const void *)(base + off);
        if ( tag->size < sizeof(*tag) || tag->size > total - off )
            return -EINVAL;
        if ( tag->type == MB2_TAG_END )
            return tag->size == sizeof(*tag) ? 0 : -EINVAL;

        rc = parse_mb2_tag(tag, info + off, bi, &acpi_new);
        if ( rc )
            return rc;
        off += tag->size;
        if ( off > total - sizeof(*tag) )
            return -EINVAL;                     /* also stops wrap-around */
    }
}

/* See bootinfo.h. */
int multiboot_parse(uint32_t magic, uint64_t info,
                    const void *(*phys_to_virt)(uint64_t pa),
                    struct boot_info *bi)
{
    memset(bi, 0, sizeof(*bi));

    switch ( magic )
    {
    case MULTIBOOT1_BOOTLOADER_MAGIC:
        return parse_mb1(info, phys_to_virt, bi);
    case MULTIBOOT2_BOOTLOADER_MAGIC:
        return parse_mb2(info, phys_to_virt, bi);
    default:
        return -EINVAL;
    }
}
