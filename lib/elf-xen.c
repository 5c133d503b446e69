/* SPDX-License-Identifier: MIT */
/* Guest kernel ELF images and their Xen notes: parse, validate, load. */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <tern/elf-xen.h>
#include <tern/errno.h>
#include <tern/lib.h>
#include <xen/xen.h>
#include <xen/elfnote.h>
#include <xen/features.h>

/*
 * Theory of operation.
 *
 * A guest kernel arrives as a boot module: bytes nobody vouched for. Before
 * the builder copies one byte into a domain, elf_xen_parse() reads the
 * whole image once, through bounds-checked little-endian accessors (the
 * image may sit at any alignment; nothing is ever cast to an ELF struct),
 * and either refuses it with a message naming the fault or returns an
 * elf_xen_info the builder can trust without further checks:
 *
 *   1. ELF header: "\177ELF", 64-bit, little-endian, version 1, ET_EXEC,
 *      EM_X86_64, 56-byte program headers, all of them inside the file.
 *   2. PT_LOAD segments (those with any of R/W/X set, as Xen's libelf):
 *      file data inside the file, filesz <= memsz <= ELF_XEN_MAX_SPAN, no
 *      wrap of paddr + memsz, at most ELF_XEN_MAX_SEGS, and no two
 *      overlapping by physical address, for segments are loaded by
 *      physical address (PV-FACTS: Linux's .data..percpu has vaddr 0).
 *      Empty segments (memsz 0) are kept but take no part in the layout.
 *   3. Xen information, looked for as Xen does: the "Xen" notes of PT_NOTE
 *      segments; if they hold none, those of SHT_NOTE sections; if none,
 *      the legacy "__xen_guest" section string. Every note must fit in its
 *      segment or section; numeric notes are 1, 2, 4 or 8 bytes
 *      (SUPPORTED_FEATURES 32-bit words, L1_MFN_VALID 8-byte pairs); unknown
 *      note types are skipped; FEATURES names Xen does not know are
 *      ignored unless required ('!'), which refuses the kernel.
 *   4. Xen's acceptance rules (libelf-dominfo.c): LOADER "generic" or
 *      GUEST_OS "linux"; XEN_VERSION "xen-3.0"; PADDR_OFFSET needs
 *      VIRT_BASE. Defaults: VIRT_BASE 0, PADDR_OFFSET 0 with notes but
 *      VIRT_BASE with the legacy string, ENTRY e_entry; the legacy
 *      HYPERCALL_PAGE is a page number above VIRT_BASE.
 *   5. Addresses: each segment goes to va = paddr + VIRT_BASE - PADDR_OFFSET.
 *      The kernel [virt_kstart, virt_kend) spans at most ELF_XEN_MAX_SPAN,
 *      does not wrap, is canonical and misses the hypervisor hole
 *      HYPERVISOR_VIRT_START..HYPERVISOR_VIRT_END; VIRT_BASE <= virt_kstart;
 *      the entry point lies inside it, the hypercall page is page aligned
 *      and inside it, INIT_P2M outside it.
 *
 * Messages call segment N the program header of index N (as readelf -l
 * numbers them) and section N the section header of index N. Where Xen is
 * lax with a malformed image (a numeric note of 3 bytes reads as 0, an
 * entry point one past the end passes) Tern refuses it; a kernel Xen
 * accepts and Tern refuses is a bug only if the image is well formed.
 */

/* ELF constants, from the System V ABI (not <elf.h>: freestanding). */
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define EM_X86_64       62
#define PT_LOAD         1
#define PT_NOTE         4
#define PF_X            1
#define PF_W            2
#define PF_R            4
#define SHT_NOTE        7
#define SHT_NOBITS      8
#define PN_XNUM         0xffff
#define SHN_LORESERVE   0xff00

/* Field offsets in the Elf64 header, program and section headers. */
#define EH_TYPE         16
#define EH_MACHINE      18
#define EH_VERSION      20
#define EH_ENTRY        24
#define EH_PHOFF        32
#define EH_SHOFF        40
#define EH_PHENTSIZE    54
#define EH_PHNUM        56
#define EH_SHENTSIZE    58
#define EH_SHNUM        60
#define EH_SHSTRNDX     62
#define EH_SIZE         64
#define PH_TYPE         0
#define PH_FLAGS        4
#define PH_OFFSET       8
#define PH_PADDR        24
#define PH_FILESZ       32
#define PH_MEMSZ        40
#define PH_SIZE         56
#define SH_NAME         0
#define SH_TYPE         4
#define SH_OFFSET       24
#define SH_SIZE         32
#define SH_SIZE_OF      64
#define NOTE_HDR        12

#define PAGE_SIZE_4K    4096ull

/* Canonical lower half ends here; the upper half starts at the hole. */
#define LOWER_HALF_END  0x0000800000000000ull

BUILD_BUG_ON(XENFEAT_NR_SUBMAPS != 1);
BUILD_BUG_ON(__HYPERVISOR_VIRT_START != 0xFFFF800000000000ull);

/* Parsing state: the image, the result, the error sink. */
struct elf_state {
    const uint8_t *img;
    size_t size;
    struct elf_xen_info *info;
    char *err;
    size_t errlen;
    unsigned int xen_notes;         /* "Xen" notes found so far */
    bool legacy_found;              /* a "__xen_guest" section was read */
    uint16_t shnum;                 /* section headers (0: none or unusable) */
    uint64_t shoff;
    uint64_t strtab_off, strtab_size;   /* section names, size 0 if none */
};

/* Note kinds, as Xen's note table. */
enum note_kind { NOTE_SKIP, NOTE_NUM, NOTE_STR };

static const struct {
    const char *name;
    enum note_kind kind;
} note_desc[] = {
    [XEN_ELFNOTE_INFO]               = { "INFO", NOTE_SKIP },
    [XEN_ELFNOTE_ENTRY]              = { "ENTRY", NOTE_NUM },
    [XEN_ELFNOTE_HYPERCALL_PAGE]     = { "HYPERCALL_PAGE", NOTE_NUM },
    [XEN_ELFNOTE_VIRT_BASE]          = { "VIRT_BASE", NOTE_NUM },
    [XEN_ELFNOTE_PADDR_OFFSET]       = { "PADDR_OFFSET", NOTE_NUM },
    [XEN_ELFNOTE_XEN_VERSION]        = { "XEN_VERSION", NOTE_STR },
    [XEN_ELFNOTE_GUEST_OS]           = { "GUEST_OS", NOTE_STR },
    [XEN_ELFNOTE_GUEST_VERSION]      = { "GUEST_VERSION", NOTE_STR },
    [XEN_ELFNOTE_LOADER]             = { "LOADER", NOTE_STR },
    [XEN_ELFNOTE_PAE_MODE]           = { "PAE_MODE", NOTE_STR },
    [XEN_ELFNOTE_FEATURES]           = { "FEATURES", NOTE_STR },
    [XEN_ELFNOTE_BSD_SYMTAB]         = { "BSD_SYMTAB", NOTE_STR },
    [XEN_ELFNOTE_HV_START_LOW]       = { "HV_START_LOW", NOTE_NUM },
    [XEN_ELFNOTE_L1_MFN_VALID]       = { "L1_MFN_VALID", NOTE_NUM },
    [XEN_ELFNOTE_SUSPEND_CANCEL]     = { "SUSPEND_CANCEL", NOTE_NUM },
    [XEN_ELFNOTE_INIT_P2M]           = { "INIT_P2M", NOTE_NUM },
    [XEN_ELFNOTE_MOD_START_PFN]      = { "MOD_START_PFN", NOTE_NUM },
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = { "SUPPORTED_FEATURES", NOTE_NUM },
    [XEN_ELFNOTE_PHYS32_ENTRY]       = { "PHYS32_ENTRY", NOTE_NUM },
};

/*
 * The FEATURES names Xen's libelf knows (elf_xen_feature_names): a
 * required name outside this list refuses the kernel, as on Xen.
 */
static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables]       = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap]    = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel]     = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb]        = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector]        = "hvm_callback_vector",
    [XENFEAT_dom0]                       = "dom0",
};

/* See elf-xen.h. */
const char *elf_xen_note_name(unsigned int type)
{
    return type < ARRAY_SIZE(note_desc) ? note_desc[type].name : NULL;
}

/* Little-endian reads at any alignment. */
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) | ((uint32_t)rd16(p + 2) << 16);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* Write a message into st->err and return rc. */
static int __printf(3, 4) fail(struct elf_state *st, int rc,
                               const char *fmt, ...)
{
    va_list ap;

    if ( st->err && st->errlen )
    {
        va_start(ap, fmt);
        tern_vsnprintf(st->err, st->errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Is [off, off + len) inside the image? Overflow-safe. */
static bool in_file(const struct elf_state *st, uint64_t off, uint64_t len)
{
    return off <= st->size && len <= st->size - off;
}

/* Round up to 4 bytes (note fields); n < 2^32 so no overflow in 64 bits. */
static uint64_t align4(uint64_t n)
{
    return (n + 3) & ~3ull;
}

/* Is the n-byte string s (not terminated) exactly the C string lit? */
static bool str_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}

/* Copy the n-byte string s into dst[size], truncated and terminated. */
static void str_copy(char *dst, size_t size, const char *s, size_t n)
{
    if ( n >= size )
        n = size - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Does the n-byte string s contain the C string lit? */
static bool str_has(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit), i;

    for ( i = 0; i + l <= n; i++ )
        if ( !memcmp(s + i, lit, l) )
            return true;
    return false;
}

/*
 * Parse the whole n-byte string s as an unsigned number: 0x hex, leading 0
 * octal, else decimal (strtoull's base 0). Returns false when empty, not
 * all digits, or over 64 bits.
 */
static bool parse_num(const char *s, size_t n, uint64_t *val)
{
    unsigned int base = 10;
    uint64_t v = 0;
    size_t i = 0;

    if ( n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') )
    {
        base = 16;
        i = 2;
        if ( n == 2 )
            return false;
    }
    else if ( n >= 1 && s[0] == '0' )
        base = 8;
    if ( n == 0 )
        return false;
    for ( ; i < n; i++ )
    {
        char c = s[i];
        unsigned int d;

        if ( c >= '0' && c <= '9' )
            d = (unsigned int)(c - '0');
        else if ( c >= 'a' && c <= 'f' )
            d = (unsigned int)(c - 'a') + 10;
        else if ( c >= 'A' && c <= 'F' )
            d = (unsigned int)(c - 'A') + 10;
        else
            return false;
        if ( d >= base || v > (UINT64_MAX - d) / base )
            return false;
        v = v * base + d;
    }
    *val = v;
    return true;
}

/*
 * Parse a FEATURES string (n bytes, '|' separated, '!' = required) into
 * the info's bitmaps. Returns 0, or -EINVAL when a required name is
 * unknown (message prefixed with what).
 */
static int parse_features(struct elf_state *st, const char *what,
                          const char *s, size_t n)
{
    struct elf_xen_info *info = st->info;
    size_t pos = 0;

    while ( pos < n )
    {
        const char *tok = s + pos;
        size_t len = 0, i;
        bool required;

        while ( pos + len < n && tok[len] != '|' )
            len++;
        pos += len + 1;
        required = len && tok[0] == '!';
        if ( required )
        {
            tok++;
            len--;
        }
        for ( i = 0; i < ARRAY_SIZE(feature_names); i++ )
            if ( feature_names[i] && str_is(tok, len, feature_names[i]) )
                break;
        if ( i == ARRAY_SIZE(feature_names) )
        {
            if ( required )
                return fail(st, -EINVAL,
                            "%s: unknown required feature \"%.*s\"", what,
                            (int)(len > 64 ? 64 : len), tok);
            continue;
        }
        info->f_supported |= 1u << i;
        if ( required )
            info->f_required |= 1u << i;
    }
    return 0;
}

/*
 * Apply one "Xen" note of the given type, its descriptor desc[0..n).
 * Returns 0 (unknown types are skipped) or -EINVAL with a message.
 */
static int apply_note(struct elf_state *st, uint32_t type,
                      const uint8_t *desc, uint64_t n)
{
    struct elf_xen_info *info = st->info;
    const char *str = (const char *)desc;
    const char *name;
    uint64_t val = 0;
    size_t len = 0;

    if ( type >= ARRAY_SIZE(note_desc) || note_desc[type].kind == NOTE_SKIP )
        return 0;
    name = note_desc[type].name;
    if ( note_desc[type].kind == NOTE_STR )
        len = strnlen(str, n);
    else if ( type == XEN_ELFNOTE_L1_MFN_VALID )
    {
        /* Mask/value pairs of 8 bytes; Tern keeps the first pair. */
        if ( n >= 16 )
        {
            info->l1_mfn_valid[0] = rd64(desc);
            info->l1_mfn_valid[1] = rd64(desc + 8);
        }
    }
    else if ( type == XEN_ELFNOTE_SUPPORTED_FEATURES )
    {
        if ( n < 4 || n % 4 )
            return fail(st, -EINVAL,
                        "note %s: %llu bytes (want 32-bit words)", name,
                        (unsigned long long)n);
        val = rd32(desc);
    }
    else
    {
        switch ( n )
        {
        case 1: val = desc[0]; break;
        case 2: val = rd16(desc); break;
        case 4: val = rd32(desc); break;
        case 8: val = rd64(desc); break;
        default:
            return fail(st, -EINVAL,
                        "note %s: %llu bytes (want 1, 2, 4 or 8)", name,
                        (unsigned long long)n);
        }
    }
    info->notes_seen |= 1u << type;

    switch ( type )
    {
    case XEN_ELFNOTE_GUEST_OS:
        str_copy(info->guest_os, sizeof(info->guest_os), str, len);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        str_copy(info->guest_ver, sizeof(info->guest_ver), str, len);
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        str_copy(info->xen_ver, sizeof(info->xen_ver), str, len);
        break;
    case XEN_ELFNOTE_LOADER:
        str_copy(info->loader, sizeof(info->loader), str, len);
        break;
    case XEN_ELFNOTE_PAE_MODE:
        if ( str_is(str, len, "yes") )
            info->pae = ELF_XEN_PAE_EXTCR3;
        if ( str_has(str, len, "bimodal") )
            info->pae = ELF_XEN_PAE_BIMODAL;
        break;
    case XEN_ELFNOTE_BSD_SYMTAB:
        if ( str_is(str, len, "yes") )
            info->bsd_symtab = true;
        break;
    case XEN_ELFNOTE_FEATURES:
        return parse_features(st, "note FEATURES", str, len);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        info->f_supported |= (uint32_t)val;
        break;
    case XEN_ELFNOTE_ENTRY:
        info->virt_entry = val;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        info->virt_hypercall = val;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        info->virt_base = val;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        info->elf_paddr_offset = val;
        break;
    case XEN_ELFNOTE_HV_START_LOW:
        info->virt_hv_start_low = val;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        info->p2m_base = val;
        break;
    case XEN_ELFNOTE_SUSPEND_CANCEL:
        info->suspend_cancel = val != 0;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        info->mod_start_pfn = val != 0;
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        info->phys_entry = (uint32_t)val;
        break;
    }
    return 0;
}

/*
 * Walk the notes in image[off, off + len) (a segment or a section, named
 * by what and idx in messages) and apply the "Xen" ones. Returns 0 or
 * -EINVAL. Trailing zero padding shorter than a note header is allowed.
 */
static int parse_notes(struct elf_state *st, const char *what,
                       unsigned int idx, uint64_t off, uint64_t len)
{
    const uint8_t *p = st->img + off;
    uint64_t pos = 0;
    int rc;

    while ( pos < len )
    {
        uint64_t namesz, descsz, desc;
        uint32_t type;

        if ( len - pos < NOTE_HDR )
        {
            for ( ; pos < len; pos++ )
                if ( p[pos] )
                    return fail(st, -EINVAL,
                                "%s %u: truncated note header at offset %#llx",
                                what, idx, (unsigned long long)(off + pos));
            break;
        }
        namesz = rd32(p + pos);
        descsz = rd32(p + pos + 4);
        type = rd32(p + pos + 8);
        desc = pos + NOTE_HDR + align4(namesz);
        if ( namesz > len - pos - NOTE_HDR || desc > len ||
             descsz > len - desc )
            return fail(st, -EINVAL,
                        "%s %u: note at offset %#llx runs past its end",
                        what, idx, (unsigned long long)(off + pos));
        if ( namesz >= 3 && !memcmp(p + pos + NOTE_HDR, "Xen", 3) &&
             strnlen((const char *)p + pos + NOTE_HDR, namesz) == 3 )
        {
            rc = apply_note(st, type, p + desc, descsz);
            if ( rc )
                return rc;
            st->xen_notes++;
        }
        pos = desc + align4(descsz);
    }
    return 0;
}

/* Check the ELF header. Returns 0, -ENOEXEC or -EINVAL. */
static int check_header(struct elf_state *st)
{
    const uint8_t *e = st->img;
    uint64_t phoff;
    uint16_t phnum;

    if ( st->size < 4 || memcmp(e, "\177ELF", 4) )
        return fail(st, -ENOEXEC, "not an ELF file (bad magic)");
    if ( st->size < EH_SIZE )
        return fail(st, -EINVAL, "truncated: ELF header past end of file");
    if ( e[EI_CLASS] != ELFCLASS64 )
        return fail(st, -ENOEXEC, "not a 64-bit ELF (class %u)", e[EI_CLASS]);
    if ( e[EI_DATA] != ELFDATA2LSB )
        return fail(st, -ENOEXEC, "not a little-endian ELF (data %u)",
                    e[EI_DATA]);
    if ( e[EI_VERSION] != EV_CURRENT || rd32(e + EH_VERSION) != EV_CURRENT )
        return fail(st, -ENOEXEC, "unknown ELF version");
    if ( rd16(e + EH_MACHINE) != EM_X86_64 )
        return fail(st, -ENOEXEC, "not an x86-64 ELF (machine %u)",
                    rd16(e + EH_MACHINE));
    if ( rd16(e + EH_TYPE) != ET_EXEC )
        return fail(st, -ENOEXEC, "not an executable ELF (type %u)",
                    rd16(e + EH_TYPE));

    phoff = rd64(e + EH_PHOFF);
    phnum = rd16(e + EH_PHNUM);
    if ( phnum == 0 )
        return fail(st, -EINVAL, "no program headers");
    if ( phnum == PN_XNUM )
        return fail(st, -EINVAL, "too many program headers");
    if ( rd16(e + EH_PHENTSIZE) != PH_SIZE )
        return fail(st, -EINVAL, "program header size %u (want %u)",
                    rd16(e + EH_PHENTSIZE), PH_SIZE);
    if ( !in_file(st, phoff, (uint64_t)phnum * PH_SIZE) )
    {
        uint64_t first = phoff > st->size ? 0 : (st->size - phoff) / PH_SIZE;

        return fail(st, -EINVAL,
                    "truncated: program header %llu past end of file",
                    (unsigned long long)first);
    }
    return 0;
}

/* Program header i. */
static const uint8_t *phdr(const struct elf_state *st, unsigned int i)
{
    return st->img + rd64(st->img + EH_PHOFF) + (uint64_t)i * PH_SIZE;
}

/*
 * Collect and check the loadable segments into info->seg (va not yet
 * known). Returns 0 or -EINVAL.
 */
static int check_segments(struct elf_state *st)
{
    struct elf_xen_info *info = st->info;
    unsigned int phnum = rd16(st->img + EH_PHNUM), i, j;

    for ( i = 0; i < phnum; i++ )
    {
        const uint8_t *ph = phdr(st, i);
        struct elf_xen_segment *s;
        uint32_t flags = rd32(ph + PH_FLAGS);

        if ( rd32(ph + PH_TYPE) != PT_LOAD || !(flags & (PF_R | PF_W | PF_X)) )
            continue;
        if ( info->nr_segs == ELF_XEN_MAX_SEGS )
            return fail(st, -EINVAL, "more than %u loadable segments",
                        ELF_XEN_MAX_SEGS);
        s = &info->seg[info->nr_segs++];
        s->phdr = i;
        s->offset = rd64(ph + PH_OFFSET);
        s->filesz = rd64(ph + PH_FILESZ);
        s->memsz = rd64(ph + PH_MEMSZ);
        s->paddr = rd64(ph + PH_PADDR);
        s->flags = flags;
        if ( s->filesz > s->memsz )
            return fail(st, -EINVAL,
                        "segment %u: file size %#llx above memory size %#llx",
                        i, (unsigned long long)s->filesz,
                        (unsigned long long)s->memsz);
        if ( s->memsz > ELF_XEN_MAX_SPAN )
            return fail(st, -EINVAL, "segment %u: memory size %#llx too large",
                        i, (unsigned long long)s->memsz);
        if ( !in_file(st, s->offset, s->filesz) )
            return fail(st, -EINVAL, "truncated: segment %u past end of file",
                        i);
        if ( s->paddr + s->memsz < s->paddr )
            return fail(st, -EINVAL,
                        "segment %u: physical address %#llx wraps around",
                        i, (unsigned long long)s->paddr);
    }
    if ( info->nr_segs == 0 )
        return fail(st, -EINVAL, "no loadable segments");

    /* Half-open ranges: empty segments overlap nothing. */
    for ( i = 1; i < info->nr_segs; i++ )
        for ( j = 0; j < i; j++ )
        {
            const struct elf_xen_segment *a = &info->seg[i], *b = &info->seg[j];

            if ( a->memsz && b->memsz && a->paddr < b->paddr + b->memsz &&
                 b->paddr < a->paddr + a->memsz )
                return fail(st, -EINVAL, "segment %u overlaps segment %u",
                            a->phdr, b->phdr);
        }
    return 0;
}

/* Read the notes of every PT_NOTE segment. Returns 0 or -EINVAL. */
static int scan_note_segments(struct elf_state *st)
{
    unsigned int phnum = rd16(st->img + EH_PHNUM), i;
    int rc;

    for ( i = 0; i < phnum; i++ )
    {
        const uint8_t *ph = phdr(st, i);
        uint64_t off = rd64(ph + PH_OFFSET), len = rd64(ph + PH_FILESZ);

        /* Some binutils leave p_offset 0 on note segments: Xen skips them. */
        if ( rd32(ph + PH_TYPE) != PT_NOTE || off == 0 )
            continue;
        if ( !in_file(st, off, len) )
            return fail(st, -EINVAL, "truncated: segment %u past end of file",
                        i);
        rc = parse_notes(st, "segment", i, off, len);
        if ( rc )
            return rc;
    }
    return 0;
}

/* Section header i (i < st->shnum). */
static const uint8_t *shdr(const struct elf_state *st, unsigned int i)
{
    return st->img + st->shoff + (uint64_t)i * SH_SIZE_OF;
}

/*
 * Check the section header table and the section-name table, which only
 * images without note segments need. Returns 0 or -EINVAL.
 */
static int check_sections(struct elf_state *st)
{
    const uint8_t *e = st->img;
    uint16_t shnum = rd16(e + EH_SHNUM), strndx = rd16(e + EH_SHSTRNDX);
    uint64_t shoff = rd64(e + EH_SHOFF);

    if ( shnum == 0 )
        return 0;
    if ( rd16(e + EH_SHENTSIZE) != SH_SIZE_OF )
        return fail(st, -EINVAL, "section header size %u (want %u)",
                    rd16(e + EH_SHENTSIZE), SH_SIZE_OF);
    if ( !in_file(st, shoff, (uint64_t)shnum * SH_SIZE_OF) )
    {
        uint64_t first = shoff > st->size ?
            0 : (st->size - shoff) / SH_SIZE_OF;

        return fail(st, -EINVAL,
                    "truncated: section header %llu past end of file",
                    (unsigned long long)first);
    }
    st->shnum = shnum;
    st->shoff = shoff;
    if ( strndx != 0 && strndx < SHN_LORESERVE )
    {
        const uint8_t *sh;

        if ( strndx >= shnum )
            return fail(st, -EINVAL, "section-name table %u out of range",
                        strndx);
        sh = shdr(st, strndx);
        st->strtab_off = rd64(sh + SH_OFFSET);
        st->strtab_size = rd64(sh + SH_SIZE);
        if ( !in_file(st, st->strtab_off, st->strtab_size) )
            return fail(st, -EINVAL, "truncated: section %u past end of file",
                        strndx);
    }
    return 0;
}

/* Is section i named name? False when it has no valid name. */
static bool section_named(const struct elf_state *st, unsigned int i,
                          const char *name)
{
    uint64_t off = rd32(shdr(st, i) + SH_NAME), n = strlen(name) + 1;

    return off < st->strtab_size && n <= st->strtab_size - off &&
           !memcmp(st->img + st->strtab_off + off, name, n);
}

/*
 * File data of section i into *off, *len (empty for SHT_NOBITS).
 * Returns 0 or -EINVAL when it lies past the end of the file.
 */
static int section_data(struct elf_state *st, unsigned int i, uint64_t *off,
                        uint64_t *len)
{
    const uint8_t *sh = shdr(st, i);

    *off = rd64(sh + SH_OFFSET);
    *len = rd32(sh + SH_TYPE) == SHT_NOBITS ? 0 : rd64(sh + SH_SIZE);
    if ( !in_file(st, *off, *len) )
        return fail(st, -EINVAL, "truncated: section %u past end of file", i);
    return 0;
}

/* Read the notes of every SHT_NOTE section. Returns 0 or -EINVAL. */
static int scan_note_sections(struct elf_state *st)
{
    uint64_t off, len;
    unsigned int i;
    int rc;

    for ( i = 1; i < st->shnum; i++ )
    {
        if ( rd32(shdr(st, i) + SH_TYPE) != SHT_NOTE )
            continue;
        rc = section_data(st, i, &off, &len);
        if ( !rc )
            rc = parse_notes(st, "section", i, off, len);
        if ( rc )
            return rc;
    }
    return 0;
}

/*
 * Apply one legacy KEY=VALUE pair (value val[0..vn)). Returns 0 or -EINVAL
 * on a bad number or an unknown required feature; unknown keys are skipped.
 */
static int apply_legacy(struct elf_state *st, const char *key, size_t kn,
                        const char *val, size_t vn)
{
    static const struct {
        const char *key;
        unsigned int note;
    } nums[] = {
        { "VIRT_BASE", XEN_ELFNOTE_VIRT_BASE },
        { "VIRT_ENTRY", XEN_ELFNOTE_ENTRY },
        { "ELF_PADDR_OFFSET", XEN_ELFNOTE_PADDR_OFFSET },
        { "HYPERCALL_PAGE", XEN_ELFNOTE_HYPERCALL_PAGE },
    };
    struct elf_xen_info *info = st->info;
    uint64_t v;
    size_t i;

    if ( str_is(key, kn, "LOADER") )
        str_copy(info->loader, sizeof(info->loader), val, vn);
    else if ( str_is(key, kn, "GUEST_OS") )
        str_copy(info->guest_os, sizeof(info->guest_os), val, vn);
    else if ( str_is(key, kn, "GUEST_VER") )
        str_copy(info->guest_ver, sizeof(info->guest_ver), val, vn);
    else if ( str_is(key, kn, "XEN_VER") )
        str_copy(info->xen_ver, sizeof(info->xen_ver), val, vn);
    else if ( str_is(key, kn, "PAE") )
    {
        if ( str_is(val, vn, "yes[extended-cr3]") )
            info->pae = ELF_XEN_PAE_EXTCR3;
        else if ( vn >= 3 && !memcmp(val, "yes", 3) )
            info->pae = ELF_XEN_PAE_YES;
    }
    else if ( str_is(key, kn, "BSD_SYMTAB") )
        info->bsd_symtab = true;
    else if ( str_is(key, kn, "FEATURES") )
        return parse_features(st, "__xen_guest FEATURES", val, vn);
    else
    {
        for ( i = 0; i < ARRAY_SIZE(nums); i++ )
            if ( str_is(key, kn, nums[i].key) )
                break;
        if ( i == ARRAY_SIZE(nums) )
            return 0;
        if ( !parse_num(val, vn, &v) ||
             (nums[i].note == XEN_ELFNOTE_HYPERCALL_PAGE && v >> 52) )
            return fail(st, -EINVAL, "__xen_guest: %s=%.*s: bad number",
                        nums[i].key, (int)(vn > 64 ? 64 : vn), val);
        info->notes_seen |= 1u << nums[i].note;
        switch ( nums[i].note )
        {
        case XEN_ELFNOTE_VIRT_BASE:      info->virt_base = v; break;
        case XEN_ELFNOTE_ENTRY:          info->virt_entry = v; break;
        case XEN_ELFNOTE_PADDR_OFFSET:   info->elf_paddr_offset = v; break;
        case XEN_ELFNOTE_HYPERCALL_PAGE: info->virt_hypercall = v << 12; break;
        }
        return 0;
    }
    return 0;
}

/*
 * Find the "__xen_guest" section and apply its comma-separated KEY=VALUE
 * string (up to its first NUL or the section's end). Returns 0 (also when
 * there is none) or -EINVAL.
 */
static int scan_legacy(struct elf_state *st)
{
    struct elf_xen_info *info = st->info;
    uint64_t off, len, pos = 0;
    const char *s;
    unsigned int i;
    int rc;

    for ( i = 0; i < st->shnum; i++ )
        if ( section_named(st, i, "__xen_guest") )
            break;
    if ( i == st->shnum )
        return 0;
    rc = section_data(st, i, &off, &len);
    if ( rc )
        return rc;
    st->legacy_found = true;
    s = (const char *)st->img + off;
    len = strnlen(s, len);
    while ( pos < len )
    {
        const char *key = s + pos;
        size_t n = 0, kn;

        while ( pos + n < len && key[n] != ',' )
            n++;
        pos += n + 1;
        for ( kn = 0; kn < n && key[kn] != '='; kn++ )
            ;
        rc = apply_legacy(st, key, kn, key + kn + (kn < n),
                          n - kn - (kn < n));
        if ( rc )
            return rc;
    }
    /* The legacy hypercall page is a page number above VIRT_BASE. */
    if ( info->virt_base != ELF_XEN_UNSET &&
         info->virt_hypercall != ELF_XEN_UNSET )
        info->virt_hypercall += info->virt_base;
    return 0;
}

/* Xen's acceptance rules on loader, OS and version. Returns 0 or -ENOEXEC. */
static int check_xen_info(struct elf_state *st)
{
    const struct elf_xen_info *info = st->info;

    if ( !st->xen_notes && !st->legacy_found )
        return fail(st, -ENOEXEC, "not a Xen PV kernel: no Xen ELF notes "
                    "and no __xen_guest section");
    if ( strncmp(info->loader, "generic", 7) &&
         strncmp(info->guest_os, "linux", 5) )
        return fail(st, -ENOEXEC, "LOADER \"%s\" and GUEST_OS \"%s\": want "
                    "LOADER \"generic\" or GUEST_OS \"linux\"", info->loader,
                    info->guest_os);
    if ( strncmp(info->xen_ver, "xen-3.0", 7) )
        return fail(st, -ENOEXEC, "XEN_VERSION \"%s\": want \"xen-3.0\"",
                    info->xen_ver);
    return 0;
}

/* Is [va, va + n) (n > 0, no wrap) canonical and outside the hole? */
static bool va_range_ok(uint64_t va, uint64_t n)
{
    uint64_t last = va + n - 1;

    return last < LOWER_HALF_END ||
           (va >= HYPERVISOR_VIRT_END && last >= va);
}

/*
 * Apply the defaults and compute the segments' virtual addresses and the
 * kernel's range; check them all. Returns 0 or -EINVAL.
 */
static int place_kernel(struct elf_state *st)
{
    struct elf_xen_info *info = st->info;
    uint64_t kstart = UINT64_MAX, kend = 0;
    unsigned int i;

    if ( info->elf_paddr_offset != ELF_XEN_UNSET &&
         info->virt_base == ELF_XEN_UNSET )
        return fail(st, -EINVAL, "PADDR_OFFSET given without VIRT_BASE");
    if ( info->virt_base == ELF_XEN_UNSET )
        info->virt_base = 0;
    if ( info->elf_paddr_offset == ELF_XEN_UNSET )
        info->elf_paddr_offset = st->xen_notes ? 0 : info->virt_base;
    info->virt_offset = info->virt_base - info->elf_paddr_offset;
    if ( info->virt_entry == ELF_XEN_UNSET )
        info->virt_entry = rd64(st->img + EH_ENTRY);

    for ( i = 0; i < info->nr_segs; i++ )
    {
        struct elf_xen_segment *s = &info->seg[i];

        s->va = s->paddr + info->virt_offset;
        if ( !s->memsz )
            continue;
        if ( s->va + s->memsz < s->va || s->va + s->memsz == 0 )
            return fail(st, -EINVAL,
                        "segment %u at %#llx: wraps around the address space",
                        s->phdr, (unsigned long long)s->va);
        if ( !va_range_ok(s->va, s->memsz) )
            return fail(st, -EINVAL,
                        "segment %u at %#llx-%#llx: in the hypervisor area "
                        "or non-canonical", s->phdr, (unsigned long long)s->va,
                        (unsigned long long)(s->va + s->memsz));
        if ( s->va < kstart )
            kstart = s->va;
        if ( s->va + s->memsz > kend )
            kend = s->va + s->memsz;
    }
    if ( kend == 0 )
        return fail(st, -EINVAL, "no loadable bytes (every segment empty)");
    if ( kend - kstart > ELF_XEN_MAX_SPAN )
        return fail(st, -EINVAL, "kernel %#llx-%#llx: larger than %llu GiB",
                    (unsigned long long)kstart, (unsigned long long)kend,
                    ELF_XEN_MAX_SPAN >> 30);
    if ( !va_range_ok(kstart, kend - kstart) )
        return fail(st, -EINVAL, "kernel %#llx-%#llx: spans the hypervisor "
                    "area or non-canonical addresses",
                    (unsigned long long)kstart, (unsigned long long)kend);
    /* Empty segments sit anywhere in the file: give them a harmless va. */
    for ( i = 0; i < info->nr_segs; i++ )
        if ( !info->seg[i].memsz )
            info->seg[i].va = kstart;
    info->virt_kstart = kstart;
    info->virt_kend = kend;

    if ( info->virt_base > kstart )
        return fail(st, -EINVAL, "VIRT_BASE %#llx above the kernel's start "
                    "%#llx", (unsigned long long)info->virt_base,
                    (unsigned long long)kstart);
    if ( info->virt_entry < kstart || info->virt_entry >= kend )
        return fail(st, -EINVAL, "entry point %#llx outside the kernel "
                    "%#llx-%#llx", (unsigned long long)info->virt_entry,
                    (unsigned long long)kstart, (unsigned long long)kend);
    if ( info->virt_hypercall != ELF_XEN_UNSET )
    {
        uint64_t hc = info->virt_hypercall;

        if ( hc & (PAGE_SIZE_4K - 1) )
            return fail(st, -EINVAL, "hypercall page %#llx not page aligned",
                        (unsigned long long)hc);
        if ( hc < kstart || hc > kend || kend - hc < PAGE_SIZE_4K )
            return fail(st, -EINVAL, "hypercall page %#llx outside the "
                        "kernel %#llx-%#llx", (unsigned long long)hc,
                        (unsigned long long)kstart, (unsigned long long)kend);
    }
    if ( info->p2m_base != ELF_XEN_UNSET && info->p2m_base >= kstart &&
         info->p2m_base < kend )
        return fail(st, -EINVAL, "INIT_P2M %#llx inside the kernel "
                    "%#llx-%#llx", (unsigned long long)info->p2m_base,
                    (unsigned long long)kstart, (unsigned long long)kend);
    return 0;
}

/* See elf-xen.h. */
int elf_xen_parse(const void *image, size_t size, struct elf_xen_info *out,
                  char *err, size_t errlen)
{
    struct elf_state st = {
        .img = image, .size = image ? size : 0, .info = out,
        .err = err, .errlen = errlen,
    };
    int rc;

    memset(out, 0, sizeof(*out));
    out->virt_base = ELF_XEN_UNSET;
    out->elf_paddr_offset = ELF_XEN_UNSET;
    out->virt_entry = ELF_XEN_UNSET;
    out->virt_hypercall = ELF_XEN_UNSET;
    out->virt_hv_start_low = ELF_XEN_UNSET;
    out->p2m_base = ELF_XEN_UNSET;
    out->phys_entry = ELF_XEN_UNSET;
    if ( err && errlen )
        err[0] = '\0';

    rc = check_header(&st);
    if ( rc )
        goto out;
    rc = check_segments(&st);
    if ( rc )
        goto out;

    out->source = ELF_XEN_SRC_NOTE_SEGMENTS;
    rc = scan_note_segments(&st);
    if ( !rc && !st.xen_notes )
    {
        rc = check_sections(&st);
        out->source = ELF_XEN_SRC_NOTE_SECTIONS;
        if ( !rc )
            rc = scan_note_sections(&st);
        if ( !rc && !st.xen_notes )
        {
            out->source = ELF_XEN_SRC_LEGACY;
            rc = scan_legacy(&st);
        }
    }
    if ( rc )
        goto out;
    rc = check_xen_info(&st);
    if ( rc )
        goto out;
    rc = place_kernel(&st);
 out:
    return rc;
}

/* See elf-xen.h. */
void elf_xen_load(const void *image, const struct elf_xen_info *info,
                  void (*copy)(void *ctx, uint64_t va, const void *src,
                               size_t n),
                  void (*zero)(void *ctx, uint64_t va, size_t n),
                  void *ctx)
{
    const uint8_t *img = image;
    unsigned int i;

    for ( i = 0; i < info->nr_segs; i++ )
    {
        const struct elf_xen_segment *s = &info->seg[i];

        if ( s->filesz )
            copy(ctx, s->va, img + s->offset, (size_t)s->filesz);
        if ( s->memsz > s->filesz )
            zero(ctx, s->va + s->filesz, (size_t)(s->memsz - s->filesz));
    }
}
