/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/elf-xen.c: guest kernel ELF images and their Xen notes. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <tern/elf-xen.h>
#include <tern/lib.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include "unit.h"

/* Does the message start with the expected text? Prints both if not. */
#define CHECK_PREFIX(s, p) do {                                             \
    const char *unit_s_ = (s), *unit_p_ = (p);                              \
    if ( !strncmp(unit_s_, unit_p_, strlen(unit_p_)) )                      \
        unit_passed++;                                                      \
    else                                                                    \
    {                                                                       \
        unit_failed++;                                                      \
        fprintf(stderr, "%s:%d: CHECK_PREFIX failed: \"%s\" starts with "   \
                "\"%s\"\n", __FILE__, __LINE__, unit_s_, unit_p_);          \
    }                                                                       \
} while ( 0 )

#define KBASE       0xffffffff80000000ull
#define IMG_MAX     (64 * 1024)
#define MAX_TSEGS   20
#define MAX_TNOTES  24

/* ------------------------------------------------------------------ */
/* A builder of small ELF images.                                      */

/* One note: a string (str), a number of size bytes, or raw bytes. */
struct tnote {
    const char *name;               /* NULL: "Xen" */
    uint32_t type;
    const char *str;                /* string note: desc is str and its NUL */
    uint64_t num;                   /* numeric note ... */
    uint32_t size;                  /* ... of size bytes (raw: desc size) */
    const uint8_t *raw;             /* raw note: desc is raw[0..size) */
};

/* One program header; offset 0 means "place the data automatically". */
struct tseg {
    uint32_t type, flags;
    uint64_t vaddr, paddr, filesz, memsz, offset;
};

enum { NOTES_NONE, NOTES_SEGMENT, NOTES_SECTION, NOTES_BOTH };

struct tspec {
    uint8_t cls, data;
    uint16_t type, machine;
    uint64_t entry;
    unsigned int nseg, nnote;
    struct tseg seg[MAX_TSEGS];
    struct tnote note[MAX_TNOTES];
    int notes_where;
    const char *xen_guest;          /* legacy string section, or NULL */
};

struct timage {
    uint8_t b[IMG_MAX];
    size_t len;
    uint64_t notes_off;             /* where the note data went */
    uint64_t data_end;              /* end of the last segment's data */
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The section header table's offset in a built image. */
static uint64_t rd_shoff(const struct timage *im)
{
    uint64_t v;

    memcpy(&v, im->b + 40, 8);
    return v;
}

/* Append n bytes at *pos (aligned to align first); returns their offset. */
static size_t emit(struct timage *im, size_t align, const void *src, size_t n)
{
    size_t off = (im->len + align - 1) & ~(align - 1);

    if ( off + n > IMG_MAX )
    {
        fprintf(stderr, "test image too large\n");
        abort();
    }
    memset(im->b + im->len, 0, off - im->len);
    if ( src )
        memcpy(im->b + off, src, n);
    im->len = off + n;
    return off;
}

/* The notes of t as bytes, into buf; returns their size. */
static size_t note_bytes(const struct tspec *t, uint8_t *buf)
{
    size_t n = 0;
    unsigned int i;

    for ( i = 0; i < t->nnote; i++ )
    {
        const struct tnote *no = &t->note[i];
        const char *name = no->name ? no->name : "Xen";
        uint32_t namesz = (uint32_t)strlen(name) + 1, descsz = no->size;
        const void *desc = no->raw ? (const void *)no->raw : &no->num;

        if ( no->str )
        {
            descsz = (uint32_t)strlen(no->str) + 1;
            desc = no->str;
        }
        put32(buf + n, namesz);
        put32(buf + n + 4, descsz);
        put32(buf + n + 8, no->type);
        memset(buf + n + 12, 0, ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u));
        memcpy(buf + n + 12, name, namesz);
        n += 12 + ((namesz + 3) & ~3u);
        memcpy(buf + n, desc, descsz);
        n += (descsz + 3) & ~3u;
    }
    return n;
}

/*
 * Build the image t describes: header, program headers, segment data (a
 * pattern), notes, sections (.note, __xen_guest, .shstrtab), section
 * headers.
 */
static void build(const struct tspec *t, struct timage *im)
{
    uint8_t notes[4096];
    size_t nlen = note_bytes(t, notes), phoff = 64, strtab_off = 0;
    unsigned int phnum = t->nseg, i, shnum = 0;
    bool note_seg = t->notes_where == NOTES_SEGMENT ||
                    t->notes_where == NOTES_BOTH;
    bool note_sec = t->notes_where == NOTES_SECTION ||
                    t->notes_where == NOTES_BOTH;
    Elf64_Shdr sh[4];
    char strtab[64];
    size_t strtab_len = 1, sh_at;
    uint64_t guest_off = 0;

    memset(im, 0, sizeof(*im));
    memset(sh, 0, sizeof(sh));
    memset(strtab, 0, sizeof(strtab));
    if ( note_seg )
        phnum++;
    im->len = phoff + phnum * sizeof(Elf64_Phdr);

    /* Segment data from 0x1000 on. */
    im->len = im->len < 0x1000 ? 0x1000 : im->len;
    for ( i = 0; i < t->nseg; i++ )
    {
        const struct tseg *s = &t->seg[i];
        Elf64_Phdr ph = {
            .p_type = s->type, .p_flags = s->flags, .p_vaddr = s->vaddr,
            .p_paddr = s->paddr, .p_filesz = s->filesz, .p_memsz = s->memsz,
            .p_align = 0x1000, .p_offset = s->offset,
        };

        if ( !s->offset && s->filesz <= 0x4000 )
        {
            size_t k;

            ph.p_offset = emit(im, 16, NULL, s->filesz);
            for ( k = 0; k < s->filesz; k++ )
                im->b[ph.p_offset + k] = (uint8_t)(i * 37 + k * 7 + 1);
        }
        memcpy(im->b + phoff + i * sizeof(ph), &ph, sizeof(ph));
    }
    im->data_end = im->len;

    im->notes_off = emit(im, 4, notes, nlen);
    if ( note_seg )
    {
        Elf64_Phdr ph = {
            .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = im->notes_off,
            .p_filesz = nlen, .p_memsz = nlen, .p_align = 4,
        };

        memcpy(im->b + phoff + t->nseg * sizeof(ph), &ph, sizeof(ph));
    }
    if ( t->xen_guest )
        guest_off = emit(im, 1, t->xen_guest, strlen(t->xen_guest) + 1);

    /* Sections: null, [.note], [__xen_guest], .shstrtab. */
    shnum = 1;
    if ( note_sec )
    {
        sh[shnum].sh_name = (uint32_t)strtab_len;
        strcpy(strtab + strtab_len, ".note");
        strtab_len += 6;
        sh[shnum].sh_type = SHT_NOTE;
        sh[shnum].sh_offset = im->notes_off;
        sh[shnum].sh_size = nlen;
        shnum++;
    }
    if ( t->xen_guest )
    {
        sh[shnum].sh_name = (uint32_t)strtab_len;
        strcpy(strtab + strtab_len, "__xen_guest");
        strtab_len += 12;
        sh[shnum].sh_type = SHT_PROGBITS;
        sh[shnum].sh_offset = guest_off;
        sh[shnum].sh_size = strlen(t->xen_guest) + 1;
        shnum++;
    }
    sh[shnum].sh_name = (uint32_t)strtab_len;
    strcpy(strtab + strtab_len, ".shstrtab");
    strtab_len += 10;
    strtab_off = emit(im, 1, strtab, strtab_len);
    sh[shnum].sh_type = SHT_STRTAB;
    sh[shnum].sh_offset = strtab_off;
    sh[shnum].sh_size = strtab_len;
    shnum++;
    sh_at = emit(im, 8, sh, shnum * sizeof(Elf64_Shdr));

    {
        Elf64_Ehdr eh = {
            .e_type = t->type, .e_machine = t->machine,
            .e_version = EV_CURRENT, .e_entry = t->entry, .e_phoff = phoff,
            .e_shoff = sh_at, .e_ehsize = sizeof(Elf64_Ehdr),
            .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (uint16_t)phnum,
            .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = (uint16_t)shnum,
            .e_shstrndx = (uint16_t)(shnum - 1),
        };

        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = t->cls;
        eh.e_ident[EI_DATA] = t->data;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        memcpy(im->b, &eh, sizeof(eh));
    }
}

/* Add or replace a note. */
static struct tnote *note_slot(struct tspec *t, uint32_t type)
{
    unsigned int i;

    for ( i = 0; i < t->nnote; i++ )
        if ( t->note[i].type == type && !t->note[i].name )
            break;
    if ( i == t->nnote )
        t->nnote++;
    memset(&t->note[i], 0, sizeof(t->note[i]));
    t->note[i].type = type;
    return &t->note[i];
}

static void set_str(struct tspec *t, uint32_t type, const char *s)
{
    note_slot(t, type)->str = s;
}

static void set_num(struct tspec *t, uint32_t type, uint64_t v, uint32_t size)
{
    struct tnote *no = note_slot(t, type);

    no->num = v;
    no->size = size;
}

static void del_note(struct tspec *t, uint32_t type)
{
    unsigned int i;

    for ( i = 0; i < t->nnote; i++ )
        if ( t->note[i].type == type && !t->note[i].name )
        {
            memmove(&t->note[i], &t->note[i + 1],
                    (t->nnote - i - 1) * sizeof(t->note[0]));
            t->nnote--;
            return;
        }
}

static void add_seg(struct tspec *t, uint32_t flags, uint64_t paddr,
                    uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
    t->seg[t->nseg++] = (struct tseg){
        .type = PT_LOAD, .flags = flags, .paddr = paddr, .vaddr = vaddr,
        .filesz = filesz, .memsz = memsz,
    };
}

/*
 * A kit-like kernel: notes in a PT_NOTE segment, text at KBASE (paddr 0),
 * data + bss at KBASE + 0x3000, hypercall page at KBASE + 0x1000.
 */
static void spec_kit(struct tspec *t)
{
    memset(t, 0, sizeof(*t));
    t->cls = ELFCLASS64;
    t->data = ELFDATA2LSB;
    t->type = ET_EXEC;
    t->machine = EM_X86_64;
    t->entry = KBASE + 0x40;
    t->notes_where = NOTES_SEGMENT;
    add_seg(t, PF_R | PF_X, 0, KBASE, 0x2100, 0x2100);
    add_seg(t, PF_R | PF_W, 0x3000, KBASE + 0x3000, 0x80, 0x1800);
    set_str(t, XEN_ELFNOTE_GUEST_OS, "Tern-test");
    set_str(t, XEN_ELFNOTE_GUEST_VERSION, "0.1");
    set_str(t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    set_str(t, XEN_ELFNOTE_LOADER, "generic");
    set_num(t, XEN_ELFNOTE_VIRT_BASE, KBASE, 8);
    set_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, KBASE, 8);
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, KBASE + 0x1000, 8);
    set_str(t, XEN_ELFNOTE_FEATURES, "");
}

/*
 * Debian's 6.1 vmlinux, as PV-FACTS.md lists it: the notes, and its five
 * LOAD segments (.data..percpu at vaddr 0) with the file data shrunk.
 */
static void spec_linux(struct tspec *t)
{
    static const uint8_t l1_mfn_valid[16] = { 1, 0, 0, 0, 0, 0, 0, 0,
                                              1, 0, 0, 0, 0, 0, 0, 0 };
    struct tnote *no;

    memset(t, 0, sizeof(*t));
    t->cls = ELFCLASS64;
    t->data = ELFDATA2LSB;
    t->type = ET_EXEC;
    t->machine = EM_X86_64;
    t->entry = 0x1000000;               /* the bzImage entry: not PV */
    t->notes_where = NOTES_SEGMENT;
    add_seg(t, PF_R | PF_X, 0x1000000, 0xffffffff81000000ull, 0x800,
            0x1a2c000);
    add_seg(t, PF_R | PF_W, 0x2c00000, 0xffffffff82c00000ull, 0x400,
            0x437000);
    add_seg(t, PF_R | PF_W, 0x3037000, 0, 0x200, 0x2c000);
    add_seg(t, PF_R | PF_W | PF_X, 0x3063000, 0xffffffff83063000ull, 0x300,
            0x5a9000);
    set_str(t, XEN_ELFNOTE_GUEST_OS, "linux");
    set_str(t, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    set_str(t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000ull, 8);
    set_num(t, XEN_ELFNOTE_INIT_P2M, 0x8000000000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0xffffffff830791c0ull, 8);
    set_str(t, XEN_ELFNOTE_FEATURES,
            "!writable_page_tables|pae_pgdir_above_4gb");
    set_str(t, XEN_ELFNOTE_PAE_MODE, "yes");
    no = note_slot(t, XEN_ELFNOTE_L1_MFN_VALID);
    no->raw = l1_mfn_valid;
    no->size = sizeof(l1_mfn_valid);
    set_num(t, XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    set_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    set_str(t, XEN_ELFNOTE_LOADER, "generic");
    set_num(t, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    set_num(t, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ull, 8);
    set_num(t, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801, 4);
    set_num(t, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000340, 4);
    /* Other owners' notes are skipped. */
    t->note[t->nnote++] = (struct tnote){ .name = "GNU", .type = 3,
                                          .str = "build-id-ish" };
    t->note[t->nnote++] = (struct tnote){ .name = "Linux", .type = 1,
                                          .str = "6.1.0-56-amd64" };
}

/* Build t and parse it; returns rc, message in err. */
static int parse_spec(const struct tspec *t, struct elf_xen_info *info,
                      char *err, size_t errlen)
{
    static struct timage im;

    build(t, &im);
    return elf_xen_parse(im.b, im.len, info, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Good images.                                                        */

static void test_kit(void)
{
    struct tspec t;
    struct elf_xen_info info;
    char err[160];

    spec_kit(&t);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_EQ(info.source, ELF_XEN_SRC_NOTE_SEGMENTS);
    CHECK_STR(info.guest_os, "Tern-test");
    CHECK_STR(info.guest_ver, "0.1");
    CHECK_STR(info.xen_ver, "xen-3.0");
    CHECK_STR(info.loader, "generic");
    CHECK(info.virt_base == KBASE);
    CHECK(info.elf_paddr_offset == 0);
    CHECK(info.virt_offset == KBASE);
    CHECK(info.virt_kstart == KBASE);
    CHECK(info.virt_kend == KBASE + 0x4800);
    CHECK(info.virt_entry == KBASE);
    CHECK(info.virt_hypercall == KBASE + 0x1000);
    CHECK(info.virt_hv_start_low == ELF_XEN_UNSET);
    CHECK(info.p2m_base == ELF_XEN_UNSET);
    CHECK(info.phys_entry == ELF_XEN_UNSET);
    CHECK_EQ(info.f_supported, 0);
    CHECK_EQ(info.f_required, 0);
    CHECK_EQ(info.nr_segs, 2);
    CHECK(info.seg[0].va == KBASE);
    CHECK(info.seg[0].filesz == 0x2100 && info.seg[0].memsz == 0x2100);
    CHECK(info.seg[1].va == KBASE + 0x3000);
    CHECK(info.seg[1].filesz == 0x80 && info.seg[1].memsz == 0x1800);
    CHECK_EQ(info.seg[1].flags, PF_R | PF_W);
    CHECK_EQ(info.seg[1].phdr, 1);
    CHECK(info.notes_seen == ((1u << XEN_ELFNOTE_GUEST_OS) |
                              (1u << XEN_ELFNOTE_GUEST_VERSION) |
                              (1u << XEN_ELFNOTE_XEN_VERSION) |
                              (1u << XEN_ELFNOTE_LOADER) |
                              (1u << XEN_ELFNOTE_VIRT_BASE) |
                              (1u << XEN_ELFNOTE_PADDR_OFFSET) |
                              (1u << XEN_ELFNOTE_ENTRY) |
                              (1u << XEN_ELFNOTE_HYPERCALL_PAGE) |
                              (1u << XEN_ELFNOTE_FEATURES)));

    /* Without ENTRY the ELF entry point counts; without VIRT_BASE, 0. */
    del_note(&t, XEN_ELFNOTE_ENTRY);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK(info.virt_entry == KBASE + 0x40);
    del_note(&t, XEN_ELFNOTE_HYPERCALL_PAGE);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK(info.virt_hypercall == ELF_XEN_UNSET);

    /* A short error buffer is fine; so is none. */
    spec_kit(&t);
    set_str(&t, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    CHECK_EQ(parse_spec(&t, &info, NULL, 0), -ENOEXEC);
    CHECK_EQ(parse_spec(&t, &info, err, 8), -ENOEXEC);
    CHECK_STR(err, "XEN_VER");
}

/* Debian's Linux: loaded by physical address, every note as PV-FACTS. */
static void test_linux(void)
{
    struct tspec t;
    struct elf_xen_info info;
    char err[160];

    spec_linux(&t);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(info.guest_os, "linux");
    CHECK_STR(info.guest_ver, "2.6");
    CHECK_STR(info.xen_ver, "xen-3.0");
    CHECK_STR(info.loader, "generic");
    CHECK(info.virt_base == 0xffffffff80000000ull);
    CHECK(info.elf_paddr_offset == 0);
    CHECK(info.virt_entry == 0xffffffff830791c0ull);
    CHECK(info.virt_hypercall == ELF_XEN_UNSET);
    CHECK(info.virt_hv_start_low == 0xffff800000000000ull);
    CHECK(info.p2m_base == 0x8000000000ull);
    CHECK(info.phys_entry == 0x1000340);
    CHECK_EQ(info.f_required, 1u << XENFEAT_writable_page_tables);
    CHECK_EQ(info.f_supported, (1u << XENFEAT_writable_page_tables) |
             (1u << XENFEAT_pae_pgdir_above_4gb) | 0x8801);
    CHECK_EQ(info.pae, ELF_XEN_PAE_EXTCR3);
    CHECK(info.l1_mfn_valid[0] == 1 && info.l1_mfn_valid[1] == 1);
    CHECK(info.suspend_cancel);
    CHECK(info.mod_start_pfn);
    CHECK(!info.bsd_symtab);
    CHECK_EQ(info.nr_segs, 4);
    CHECK(info.seg[2].paddr == 0x3037000);
    CHECK(info.seg[2].va == 0xffffffff83037000ull);      /* not 0 */
    CHECK(info.virt_kstart == 0xffffffff81000000ull);
    CHECK(info.virt_kend == 0xffffffff8360c000ull);
}

/* Old kernels: the __xen_guest string; ELF_PADDR_OFFSET defaults to VIRT_BASE. */
static void test_legacy(void)
{
    struct tspec t;
    struct elf_xen_info info;
    char err[160];

    spec_kit(&t);
    t.nnote = 0;
    t.notes_where = NOTES_NONE;
    t.seg[0].paddr = KBASE;
    t.seg[1].paddr = KBASE + 0x3000;
    t.xen_guest = "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,"
                  "VIRT_BASE=0xffffffff80000000,HYPERCALL_PAGE=0x2,"
                  "LOADER=generic,FEATURES=!writable_page_tables|dom0,"
                  "PAE=yes[extended-cr3],BSD_SYMTAB,UNKNOWN=1,NOVALUE";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_EQ(info.source, ELF_XEN_SRC_LEGACY);
    CHECK_STR(info.guest_os, "linux");
    CHECK_STR(info.guest_ver, "2.6");
    CHECK(info.virt_base == KBASE);
    CHECK(info.elf_paddr_offset == KBASE);
    CHECK(info.virt_kstart == KBASE);
    CHECK(info.virt_hypercall == KBASE + 0x2000);
    CHECK(info.virt_entry == KBASE + 0x40);
    CHECK_EQ(info.f_required, 1u << XENFEAT_writable_page_tables);
    CHECK_EQ(info.f_supported, (1u << XENFEAT_writable_page_tables) |
             (1u << XENFEAT_dom0));
    CHECK_EQ(info.pae, ELF_XEN_PAE_EXTCR3);
    CHECK(info.bsd_symtab);
    CHECK(info.notes_seen & (1u << XEN_ELFNOTE_HYPERCALL_PAGE));

    /* VIRT_ENTRY and ELF_PADDR_OFFSET, given. */
    t.seg[0].paddr = 0;
    t.seg[1].paddr = 0x3000;
    t.xen_guest = "XEN_VER=xen-3.0,LOADER=generic,VIRT_BASE=0xffffffff80000000,"
                  "ELF_PADDR_OFFSET=0,VIRT_ENTRY=0xffffffff80000100";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK(info.virt_kstart == KBASE);
    CHECK(info.virt_entry == KBASE + 0x100);
    CHECK(info.virt_hypercall == ELF_XEN_UNSET);

    t.xen_guest = "XEN_VER=xen-3.0,LOADER=generic,VIRT_BASE=0xffffffff8000000g";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "__xen_guest: VIRT_BASE=0xffffffff8000000g: bad number");
    t.xen_guest = "XEN_VER=xen-3.0,LOADER=generic,HYPERCALL_PAGE=";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "__xen_guest: HYPERCALL_PAGE=: bad number");
    t.xen_guest = "XEN_VER=xen-3.0,LOADER=generic,HYPERCALL_PAGE=0x10000000000000";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    t.xen_guest = "XEN_VER=xen-3.0,LOADER=generic,FEATURES=!nope";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "__xen_guest FEATURES: unknown required feature \"nope\"");
    t.xen_guest = "XEN_VER=xen-3.0";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -ENOEXEC);
    t.xen_guest = "";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -ENOEXEC);

    /* Notes win over the legacy string. */
    spec_kit(&t);
    t.xen_guest = "XEN_VER=xen-9,LOADER=nope";
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_EQ(info.source, ELF_XEN_SRC_NOTE_SEGMENTS);
}

/* SHT_NOTE sections are read when no PT_NOTE segment has a Xen note. */
static void test_note_sections(void)
{
    struct tspec t;
    struct elf_xen_info info;
    char err[160];

    spec_kit(&t);
    t.notes_where = NOTES_SECTION;
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_EQ(info.source, ELF_XEN_SRC_NOTE_SECTIONS);
    CHECK(info.virt_hypercall == KBASE + 0x1000);
    CHECK(info.elf_paddr_offset == 0);

    /* Both: the segment's notes, the section is not read again. */
    t.notes_where = NOTES_BOTH;
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_EQ(info.source, ELF_XEN_SRC_NOTE_SEGMENTS);

    /* A PT_NOTE segment with only other owners' notes: sections next. */
    spec_kit(&t);
    t.notes_where = NOTES_NONE;
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -ENOEXEC);
    CHECK_STR(err, "not a Xen PV kernel: no Xen ELF notes and no __xen_guest "
              "section");
}

/* GRUB's x86_64-xen image: VIRT_BASE 0, ENTRY 0, loaded at 0. */
static void test_grub_layout(void)
{
    struct tspec t;
    struct elf_xen_info info;
    char err[160];

    spec_kit(&t);
    t.seg[0].vaddr = 0;
    t.seg[1].vaddr = 0x3000;
    set_num(&t, XEN_ELFNOTE_VIRT_BASE, 0, 8);
    set_num(&t, XEN_ELFNOTE_ENTRY, 0, 8);
    set_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, 0x2000, 8);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK(info.virt_kstart == 0 && info.virt_entry == 0);
    CHECK(info.virt_kend == 0x4800);
}

/* Features: names, '!', unknown names, numeric sizes. */
static void test_features(void)
{
    static const struct {
        const char *s;
        int rc;
        uint32_t sup, req;
    } cases[] = {
        { "", 0, 0, 0 },
        { "writable_page_tables", 0, 1u << 0, 0 },
        { "!writable_page_tables|pae_pgdir_above_4gb", 0, 0x11, 0x1 },
        { "!writable_descriptor_tables|!auto_translated_physmap|"
          "supervisor_mode_kernel|hvm_callback_vector|dom0", 0,
          (1u << 1) | (1u << 2) | (1u << 3) | (1u << 8) | (1u << 11),
          (1u << 1) | (1u << 2) },
        { "frobnicate|writable_page_tables||", 0, 1u << 0, 0 },
        { "!frobnicate", -EINVAL, 0, 0 },
        { "writable_page_tables|!", -EINVAL, 0, 0 },
        { "!gnttab_map_avail_bits", -EINVAL, 0, 0 }, /* not in Xen's list */
        { "Writable_page_tables", 0, 0, 0 },
    };
    struct tspec t;
    struct elf_xen_info info;
    char err[160];
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        spec_kit(&t);
        set_str(&t, XEN_ELFNOTE_FEATURES, cases[i].s);
        CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), cases[i].rc);
        if ( cases[i].rc )
        {
            CHECK_PREFIX(err, "note FEATURES: unknown required feature");
            continue;
        }
        CHECK_EQ(info.f_supported, cases[i].sup);
        CHECK_EQ(info.f_required, cases[i].req);
    }

    /* Two FEATURES notes and SUPPORTED_FEATURES add up. */
    spec_kit(&t);
    set_str(&t, XEN_ELFNOTE_FEATURES, "!writable_page_tables");
    t.note[t.nnote++] = (struct tnote){ .name = "Xen",
        .type = XEN_ELFNOTE_FEATURES, .str = "dom0" };
    set_num(&t, XEN_ELFNOTE_SUPPORTED_FEATURES, 1u << 15, 4);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_EQ(info.f_supported, (1u << 0) | (1u << 11) | (1u << 15));
    CHECK_EQ(info.f_required, 1u << 0);
    set_num(&t, XEN_ELFNOTE_SUPPORTED_FEATURES, 1u << 15, 8);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    set_num(&t, XEN_ELFNOTE_SUPPORTED_FEATURES, 1u << 15, 2);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "note SUPPORTED_FEATURES: 2 bytes (want 32-bit words)");

    /* Numeric notes of 1, 2, 4 and 8 bytes. */
    spec_kit(&t);
    set_num(&t, XEN_ELFNOTE_ENTRY, 0x40, 1);
    set_num(&t, XEN_ELFNOTE_VIRT_BASE, 0, 2);
    set_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, 0x1000, 4);
    t.seg[0].vaddr = 0;
    t.seg[1].vaddr = 0x3000;
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK(info.virt_entry == 0x40 && info.virt_hypercall == 0x1000);
    set_num(&t, XEN_ELFNOTE_ENTRY, 0x40, 3);
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), -EINVAL);
    CHECK_STR(err, "note ENTRY: 3 bytes (want 1, 2, 4 or 8)");

    /* String notes: truncated to the field, PAE modes, BSD_SYMTAB. */
    spec_kit(&t);
    set_str(&t, XEN_ELFNOTE_GUEST_OS,
            "a-very-long-guest-os-name-that-does-not-fit-in-32");
    set_str(&t, XEN_ELFNOTE_PAE_MODE, "yes,bimodal");
    set_str(&t, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    set_str(&t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0-extra");
    CHECK_EQ(parse_spec(&t, &info, err, sizeof(err)), 0);
    CHECK_STR(info.guest_os, "a-very-long-guest-os-name-that-");
    CHECK_EQ(info.pae, ELF_XEN_PAE_BIMODAL);
    CHECK(info.bsd_symtab);
    CHECK_STR(info.xen_ver, "xen-3.0-extra");
    CHECK_STR(elf_xen_note_name(XEN_ELFNOTE_PHYS32_ENTRY), "PHYS32_ENTRY");
    CHECK(elf_xen_note_name(19) == NULL);
}

/* ------------------------------------------------------------------ */
/* Refusals, one per fault.                                            */

static void m_class32(struct tspec *t) { t->cls = ELFCLASS32; }
static void m_bigendian(struct tspec *t) { t->data = ELFDATA2MSB; }
static void m_i386(struct tspec *t) { t->machine = EM_386; }
static void m_dyn(struct tspec *t) { t->type = ET_DYN; }
static void m_overlap(struct tspec *t) { t->seg[1].paddr = 0x2000; }
static void m_filesz(struct tspec *t) { t->seg[1].filesz = 0x2000; }
static void m_memsz_huge(struct tspec *t) { t->seg[1].memsz = 1ull << 41; }
static void m_offset_past(struct tspec *t) { t->seg[1].offset = 0x100000; }
static void m_filesz_past(struct tspec *t)
{
    t->seg[1].filesz = t->seg[1].memsz = 0x100000;
}
static void m_paddr_wrap(struct tspec *t) { t->seg[1].paddr = ~0ull - 0x10; }
static void m_no_load(struct tspec *t) { t->seg[0].type = t->seg[1].type = 6; }
static void m_empty_loads(struct tspec *t)
{
    t->seg[0].filesz = t->seg[0].memsz = 0;
    t->seg[1].filesz = t->seg[1].memsz = 0;
}
static void m_too_many(struct tspec *t)
{
    unsigned int i;

    for ( i = 0; i < 15; i++ )
        add_seg(t, PF_R, 0x10000 + i * 0x1000, 0, 0x10, 0x1000);
}
static void m_no_xen_ver(struct tspec *t)
{
    del_note(t, XEN_ELFNOTE_XEN_VERSION);
}
static void m_xen_ver(struct tspec *t)
{
    set_str(t, XEN_ELFNOTE_XEN_VERSION, "xen-3.1");
}
static void m_loader(struct tspec *t)
{
    set_str(t, XEN_ELFNOTE_LOADER, "bsd");
}
static void m_loader_linux(struct tspec *t)
{
    set_str(t, XEN_ELFNOTE_LOADER, "bsd");
    set_str(t, XEN_ELFNOTE_GUEST_OS, "linux-ish");
}
static void m_no_loader_linux(struct tspec *t)
{
    del_note(t, XEN_ELFNOTE_LOADER);
    set_str(t, XEN_ELFNOTE_GUEST_OS, "linux");
}
static void m_no_guest_os(struct tspec *t)
{
    del_note(t, XEN_ELFNOTE_GUEST_OS);
}
static void m_poff_no_vbase(struct tspec *t)
{
    del_note(t, XEN_ELFNOTE_VIRT_BASE);
}
static void m_hole(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffff800000000000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0xffff800000000000ull, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_hole_end(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffff87fffffff000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0xffff87fffffff000ull, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_after_hole(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffff880000000000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0xffff880000000000ull, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_noncanonical(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0x00007ffffffff000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0x00007ffffffff000ull, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_top(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0xfffffffffffff000ull, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0xfffffffffffff000ull, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_span(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0, 8);
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, 0x1000, 8);
    t->seg[1].paddr = 1ull << 40;
}
static void m_span_wrap(struct tspec *t)
{
    /* paddr + virt_offset wraps for segment 1 only. */
    t->seg[1].paddr = (1ull << 40) - 0x1000;
}
static void m_straddle(struct tspec *t)
{
    /* Text low, data high: each segment fine, the kernel spans the hole. */
    /* (Any such kernel is far over ELF_XEN_MAX_SPAN.) */
    set_num(t, XEN_ELFNOTE_VIRT_BASE, 0, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, 0, 8);
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, 0x1000, 8);
    t->seg[1].paddr = 0xffff900000000000ull;
}
static void m_vbase_above(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0x1000, 8);
    set_num(t, XEN_ELFNOTE_ENTRY, KBASE, 8);
    del_note(t, XEN_ELFNOTE_HYPERCALL_PAGE);
}
static void m_entry_low(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_ENTRY, KBASE - 1, 8);
}
static void m_entry_end(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_ENTRY, KBASE + 0x4800, 8);
}
static void m_entry_elf(struct tspec *t)
{
    del_note(t, XEN_ELFNOTE_ENTRY);
    t->entry = 0x1000;
}
static void m_hc_unaligned(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, KBASE + 0x1008, 8);
}
static void m_hc_outside(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, KBASE + 0x5000, 8);
}
static void m_hc_tail(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, KBASE + 0x4000, 8);
}
static void m_p2m_inside(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_INIT_P2M, KBASE + 0x2000, 8);
}
static void m_p2m_outside(struct tspec *t)
{
    set_num(t, XEN_ELFNOTE_INIT_P2M, KBASE + 0x4800, 8);
}
static void m_note_name(struct tspec *t)
{
    /* "Xenon" and "Xe" are not "Xen": the ENTRY note is somebody else's. */
    t->note[t->nnote++] = (struct tnote){ .name = "Xenon",
        .type = XEN_ELFNOTE_ENTRY, .num = 0, .size = 8 };
    t->note[t->nnote++] = (struct tnote){ .name = "Xe",
        .type = XEN_ELFNOTE_ENTRY, .num = 0, .size = 8 };
}
static void m_unknown_note(struct tspec *t)
{
    set_num(t, 99, 0x1234, 3);
    set_num(t, XEN_ELFNOTE_INFO, 0x1234, 3);
}
static void m_noflags(struct tspec *t)
{
    /* A PT_LOAD without R/W/X is not loadable (Xen): its overlap is fine. */
    add_seg(t, 0, 0, 0, 0x10, 0x10);
}

static const struct {
    const char *what;
    void (*mut)(struct tspec *t);
    int rc;
    const char *err;
} refusals[] = {
    { "class", m_class32, -ENOEXEC, "not a 64-bit ELF (class 1)" },
    { "endian", m_bigendian, -ENOEXEC, "not a little-endian ELF (data 2)" },
    { "machine", m_i386, -ENOEXEC, "not an x86-64 ELF (machine 3)" },
    { "type", m_dyn, -ENOEXEC, "not an executable ELF (type 3)" },
    { "overlap", m_overlap, -EINVAL, "segment 1 overlaps segment 0" },
    { "filesz", m_filesz, -EINVAL,
      "segment 1: file size 0x2000 above memory size 0x1800" },
    { "memsz", m_memsz_huge, -EINVAL,
      "segment 1: memory size 0x20000000000 too large" },
    { "offset", m_offset_past, -EINVAL,
      "truncated: segment 1 past end of file" },
    { "filesz past", m_filesz_past, -EINVAL,
      "truncated: segment 1 past end of file" },
    { "paddr wrap", m_paddr_wrap, -EINVAL,
      "segment 1: physical address 0xffffffffffffffef wraps around" },
    { "no load", m_no_load, -EINVAL, "no loadable segments" },
    { "empty loads", m_empty_loads, -EINVAL,
      "no loadable bytes (every segment empty)" },
    { "too many", m_too_many, -EINVAL, "more than 16 loadable segments" },
    { "no xen_ver", m_no_xen_ver, -ENOEXEC,
      "XEN_VERSION \"\": want \"xen-3.0\"" },
    { "xen_ver", m_xen_ver, -ENOEXEC,
      "XEN_VERSION \"xen-3.1\": want \"xen-3.0\"" },
    { "loader", m_loader, -ENOEXEC,
      "LOADER \"bsd\" and GUEST_OS \"Tern-test\": want LOADER \"generic\" or "
      "GUEST_OS \"linux\"" },
    { "loader linux", m_loader_linux, 0, "" },
    { "no loader, linux", m_no_loader_linux, 0, "" },
    { "no guest_os", m_no_guest_os, 0, "" },
    { "poff no vbase", m_poff_no_vbase, -EINVAL,
      "PADDR_OFFSET given without VIRT_BASE" },
    { "hole", m_hole, -EINVAL,
      "segment 0 at 0xffff800000000000-0xffff800000002100: in the "
      "hypervisor area or non-canonical" },
    { "hole end", m_hole_end, -EINVAL,
      "segment 0 at 0xffff87fffffff000-0xffff880000001100: in the "
      "hypervisor area or non-canonical" },
    { "after hole", m_after_hole, 0, "" },
    { "non-canonical", m_noncanonical, -EINVAL,
      "segment 0 at 0x7ffffffff000-0x800000001100: in the hypervisor area "
      "or non-canonical" },
    { "top", m_top, -EINVAL,
      "segment 0 at 0xfffffffffffff000: wraps around the address space" },
    { "span", m_span, -EINVAL,
      "kernel 0-0x10000001800: larger than 1024 GiB" },
    { "span wrap", m_span_wrap, -EINVAL,
      "kernel 0xff7ffff000-0xffffffff80002100: larger than 1024 GiB" },
    { "straddle", m_straddle, -EINVAL,
      "kernel 0-0xffff900000001800: larger than 1024 GiB" },
    { "vbase above", m_vbase_above, -EINVAL,
      "VIRT_BASE 0xffffffff80000000 above the kernel's start "
      "0xffffffff7ffff000" },
    { "entry low", m_entry_low, -EINVAL,
      "entry point 0xffffffff7fffffff outside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "entry end", m_entry_end, -EINVAL,
      "entry point 0xffffffff80004800 outside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "entry elf", m_entry_elf, -EINVAL,
      "entry point 0x1000 outside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "hc unaligned", m_hc_unaligned, -EINVAL,
      "hypercall page 0xffffffff80001008 not page aligned" },
    { "hc outside", m_hc_outside, -EINVAL,
      "hypercall page 0xffffffff80005000 outside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "hc tail", m_hc_tail, -EINVAL,
      "hypercall page 0xffffffff80004000 outside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "p2m inside", m_p2m_inside, -EINVAL,
      "INIT_P2M 0xffffffff80002000 inside the kernel "
      "0xffffffff80000000-0xffffffff80004800" },
    { "p2m outside", m_p2m_outside, 0, "" },
    { "note name", m_note_name, 0, "" },
    { "unknown note", m_unknown_note, 0, "" },
    { "no flags", m_noflags, 0, "" },
};

static void test_refusals(void)
{
    size_t i;

    for ( i = 0; i < ARRAY_SIZE(refusals); i++ )
    {
        struct tspec t;
        struct elf_xen_info info;
        char err[200];
        int rc;

        spec_kit(&t);
        refusals[i].mut(&t);
        memset(err, 'Z', sizeof(err));
        rc = parse_spec(&t, &info, err, sizeof(err));
        CHECK_EQ(rc, refusals[i].rc);
        CHECK_STR(err, refusals[i].err);
        if ( rc != refusals[i].rc || strcmp(err, refusals[i].err) )
            fprintf(stderr, "  case \"%s\"\n", refusals[i].what);
    }
}

/* An expected message with one number in it. */
static const char *msg(const char *fmt, unsigned long long v)
{
    static char buf[200];

    snprintf(buf, sizeof(buf), fmt, v);
    return buf;
}

/* Faults in the raw bytes: headers, tables and notes cut or out of range. */
static void test_raw(void)
{
    static struct timage im, bad;
    struct tspec t;
    struct elf_xen_info info;
    char err[200];
    size_t n;

    spec_kit(&t);
    build(&t, &im);

#define RAW(patch, rc_, msg) do {                                           \
        bad = im;                                                           \
        patch;                                                              \
        CHECK_EQ(elf_xen_parse(bad.b, bad.len, &info, err, sizeof(err)),   \
                 rc_);                                                      \
        CHECK_STR(err, msg);                                                \
    } while ( 0 )

    RAW(bad.b[1] = 'X', -ENOEXEC, "not an ELF file (bad magic)");
    RAW(bad.len = 3, -ENOEXEC, "not an ELF file (bad magic)");
    RAW(bad.len = 63, -EINVAL, "truncated: ELF header past end of file");
    RAW(bad.b[EI_VERSION] = 0, -ENOEXEC, "unknown ELF version");
    RAW(put16(bad.b + 56, 0), -EINVAL, "no program headers");
    RAW(put16(bad.b + 56, 0xffff), -EINVAL, "too many program headers");
    RAW(put16(bad.b + 54, 32), -EINVAL, "program header size 32 (want 56)");
    RAW(put64(bad.b + 32, bad.len - 100), -EINVAL,
        "truncated: program header 1 past end of file");
    RAW(put64(bad.b + 32, ~0ull - 8), -EINVAL,
        "truncated: program header 0 past end of file");
    RAW(put16(bad.b + 56, 1000), -EINVAL,
        msg("truncated: program header %llu past end of file",
            (im.len - 64) / 56));
    RAW(bad.len = 64 + 56 + 10, -EINVAL,
        "truncated: program header 1 past end of file");

    /* The note segment (program header 2). */
    RAW(put64(bad.b + 64 + 2 * 56 + 32, 0x100000), -EINVAL,
        "truncated: segment 2 past end of file");
    RAW(put32(bad.b + im.notes_off + 4, 0x1000), -EINVAL,
        msg("segment 2: note at offset %#llx runs past its end",
            im.notes_off));
    RAW(put32(bad.b + im.notes_off, 0xfffffff0), -EINVAL,
        msg("segment 2: note at offset %#llx runs past its end",
            im.notes_off));
    /* Segment cut inside a note header; zero padding is fine. */
    RAW(put64(bad.b + 64 + 2 * 56 + 32, 8), -EINVAL,
        msg("segment 2: truncated note header at offset %#llx",
            im.notes_off));
    RAW((put64(bad.b + 64 + 2 * 56 + 8, im.data_end - 8),
         put64(bad.b + 64 + 2 * 56 + 32, 8), memset(bad.b + im.data_end - 8,
                                                     0, 8)),
        -ENOEXEC, "not a Xen PV kernel: no Xen ELF notes and no __xen_guest "
        "section");
    /* A note segment at offset 0 is skipped, as on Xen. */
    RAW(put64(bad.b + 64 + 2 * 56 + 8, 0), -ENOEXEC,
        "not a Xen PV kernel: no Xen ELF notes and no __xen_guest section");

    /* Sections only matter without note segments. */
    RAW(put64(bad.b + 40, ~0ull), 0, "");
    RAW((put32(bad.b + 64 + 2 * 56, PT_NULL), put64(bad.b + 40, ~0ull)),
        -EINVAL, "truncated: section header 0 past end of file");
    RAW((put32(bad.b + 64 + 2 * 56, PT_NULL), put16(bad.b + 58, 40)),
        -EINVAL, "section header size 40 (want 64)");
    RAW((put32(bad.b + 64 + 2 * 56, PT_NULL), put16(bad.b + 62, 9)),
        -EINVAL, "section-name table 9 out of range");
    RAW((put32(bad.b + 64 + 2 * 56, PT_NULL), put16(bad.b + 60, 0)),
        -ENOEXEC, "not a Xen PV kernel: no Xen ELF notes and no __xen_guest "
        "section");

    /* Note sections cut off. */
    spec_kit(&t);
    t.notes_where = NOTES_SECTION;
    build(&t, &im);
    RAW(put64(bad.b + rd_shoff(&bad) + 64 + 24, bad.len), -EINVAL,
        "truncated: section 1 past end of file");
    RAW(put64(bad.b + rd_shoff(&bad) + 64 + 32, 13), -EINVAL,
        msg("section 1: note at offset %#llx runs past its end",
            im.notes_off));

    /* Every prefix of a good image is refused or parses; none crashes. */
    spec_linux(&t);
    build(&t, &im);
    CHECK_EQ(elf_xen_parse(im.b, im.len, &info, err, sizeof(err)), 0);
    for ( n = 0; n < im.len; n++ )
    {
        int rc = elf_xen_parse(im.b, n, &info, err, sizeof(err));

        if ( n < im.notes_off + 16 && rc != -EINVAL && rc != -ENOEXEC )
        {
            CHECK(rc == -EINVAL || rc == -ENOEXEC);
            fprintf(stderr, "  prefix of %zu bytes: rc %d\n", n, rc);
            break;
        }
    }
    CHECK(n == im.len);
#undef RAW
}

/* ------------------------------------------------------------------ */
/* Loading, invariants under random damage, the real kit guest.        */

/* A flat guest memory for [virt_kstart, virt_kend). */
struct tmem {
    uint8_t *m;
    uint64_t base, size;
    unsigned int calls;
    bool bad;
};

static void t_copy(void *ctx, uint64_t va, const void *src, size_t n)
{
    struct tmem *mem = ctx;

    mem->calls++;
    if ( va < mem->base || n > mem->size || va - mem->base > mem->size - n )
    {
        mem->bad = true;
        return;
    }
    memcpy(mem->m + (va - mem->base), src, n);
}

static void t_zero(void *ctx, uint64_t va, size_t n)
{
    struct tmem *mem = ctx;

    mem->calls++;
    if ( va < mem->base || n > mem->size || va - mem->base > mem->size - n )
    {
        mem->bad = true;
        return;
    }
    memset(mem->m + (va - mem->base), 0, n);
}

static void test_load(void)
{
    static struct timage im;
    struct tspec t;
    struct elf_xen_info info;
    struct tmem mem = { 0 };
    char err[160];
    uint64_t k;
    bool ok = true;

    spec_kit(&t);
    build(&t, &im);
    CHECK_EQ(elf_xen_parse(im.b, im.len, &info, err, sizeof(err)), 0);
    mem.base = info.virt_kstart;
    mem.size = info.virt_kend - info.virt_kstart;
    mem.m = malloc(mem.size);
    memset(mem.m, 0xAA, mem.size);
    elf_xen_load(im.b, &info, t_copy, t_zero, &mem);
    CHECK(!mem.bad);
    CHECK_EQ(mem.calls, 3);             /* text; data; bss */
    for ( k = 0; k < 0x2100; k++ )
        ok &= mem.m[k] == (uint8_t)(0 * 37 + k * 7 + 1);
    for ( k = 0x2100; k < 0x3000; k++ )
        ok &= mem.m[k] == 0xAA;         /* the gap is nobody's */
    for ( k = 0; k < 0x80; k++ )
        ok &= mem.m[0x3000 + k] == (uint8_t)(1 * 37 + k * 7 + 1);
    for ( k = 0x80; k < 0x1800; k++ )
        ok &= mem.m[0x3000 + k] == 0;
    CHECK(ok);
    free(mem.m);
}

/* Whatever a damaged image parses to, it keeps the promises of elf-xen.h. */
static void check_invariants(const uint8_t *img, size_t len,
                             const struct elf_xen_info *info)
{
    unsigned int i, j;
    bool ok = true;

    ok &= info->nr_segs >= 1 && info->nr_segs <= ELF_XEN_MAX_SEGS;
    ok &= info->virt_kstart < info->virt_kend;
    ok &= info->virt_kend - info->virt_kstart <= ELF_XEN_MAX_SPAN;
    ok &= info->virt_kend <= 0x0000800000000000ull ||
          info->virt_kstart >= 0xffff880000000000ull;
    ok &= info->virt_entry >= info->virt_kstart &&
          info->virt_entry < info->virt_kend;
    ok &= info->virt_base <= info->virt_kstart;
    if ( info->virt_hypercall != ELF_XEN_UNSET )
        ok &= !(info->virt_hypercall & 0xfff) &&
              info->virt_hypercall >= info->virt_kstart &&
              info->virt_hypercall + 0x1000 <= info->virt_kend;
    ok &= (info->f_required & ~info->f_supported) == 0;
    for ( i = 0; i < info->nr_segs; i++ )
    {
        const struct elf_xen_segment *s = &info->seg[i];

        ok &= s->filesz <= s->memsz;
        ok &= s->offset <= len && s->filesz <= len - s->offset;
        if ( s->memsz )
            ok &= s->va >= info->virt_kstart &&
                  s->va + s->memsz <= info->virt_kend &&
                  s->va + s->memsz > s->va;
        for ( j = 0; j < i; j++ )
            if ( s->memsz && info->seg[j].memsz )
                ok &= s->va + s->memsz <= info->seg[j].va ||
                      info->seg[j].va + info->seg[j].memsz <= s->va;
    }
    CHECK(ok);
    (void)img;
}

static void test_random_damage(void)
{
    static struct timage im, bad;
    struct tspec t;
    struct elf_xen_info info;
    char err[200];
    unsigned int iter, accepted = 0, k;

    for ( iter = 0; iter < 20000; iter++ )
    {
        if ( iter % 2 )
            spec_linux(&t);
        else
            spec_kit(&t);
        if ( iter % 4 == 0 )
            t.notes_where = NOTES_SECTION;
        build(&t, &im);
        bad = im;
        /* Damage the headers and notes, where the decisions are. */
        for ( k = 0; k < 1 + unit_rand() % 4; k++ )
        {
            uint64_t r = unit_rand();
            size_t at;

            if ( r & 1 )
                at = (size_t)(r >> 8) % (64 + 6 * 56);
            else
                at = (size_t)(im.notes_off + (r >> 8) % (im.len - im.notes_off));
            bad.b[at] = (uint8_t)(r >> 40);
        }
        if ( elf_xen_parse(bad.b, bad.len, &info, err, sizeof(err)) == 0 )
        {
            accepted++;
            check_invariants(bad.b, bad.len, &info);
        }
        else
            CHECK(err[0] != '\0');
    }
    CHECK(accepted > 0);
}

/* The kit's hello guest, when built (make guests). */
static void test_hello_elf(void)
{
    const char *dir = getenv("BUILD") ? getenv("BUILD") : "build";
    char path[256];
    struct elf_xen_info info;
    char err[200];
    uint8_t *buf;
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/guests/hello.elf", dir);
    f = fopen(path, "rb");
    if ( !f )
    {
        printf("test-elf-xen: %s absent, skipped (make guests)\n", path);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);

    CHECK_EQ(elf_xen_parse(buf, (size_t)n, &info, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(info.xen_ver, "xen-3.0");
    CHECK_STR(info.loader, "generic");
    CHECK_EQ(info.source, ELF_XEN_SRC_NOTE_SEGMENTS);
    CHECK(info.virt_kstart == info.virt_base);
    CHECK(info.virt_hypercall != ELF_XEN_UNSET);
    check_invariants(buf, (size_t)n, &info);
    /* Cut anywhere before its end it is refused or still sound. */
    {
        long cut;

        for ( cut = 0; cut < n; cut += 97 )
            if ( !elf_xen_parse(buf, (size_t)cut, &info, err, sizeof(err)) )
                check_invariants(buf, (size_t)cut, &info);
    }
    free(buf);
}

/*
 * With TERN_FUZZ_SEEDS=DIR, write the good images built here into DIR as
 * the fuzzer's seed corpus (tests/fuzz/fuzz.mk).
 */
static void write_seeds(const char *dir)
{
    static struct timage im;
    struct elf_xen_info info;
    struct tspec t;
    char path[512], err[160];
    unsigned int i;
    FILE *f;

    for ( i = 0; i < 5; i++ )
    {
        static const char *const names[] = {
            "kit", "kit-sections", "linux", "legacy", "grub",
        };

        spec_kit(&t);
        if ( i == 1 )
            t.notes_where = NOTES_SECTION;
        if ( i == 2 )
            spec_linux(&t);
        if ( i == 3 )
        {
            t.nnote = 0;
            t.notes_where = NOTES_NONE;
            t.xen_guest = "GUEST_OS=linux,XEN_VER=xen-3.0,"
                          "VIRT_BASE=0xffffffff80000000,ELF_PADDR_OFFSET=0,"
                          "HYPERCALL_PAGE=0x1,LOADER=generic,"
                          "FEATURES=!writable_page_tables|pae_pgdir_above_4gb";
        }
        if ( i == 4 )
        {
            set_num(&t, XEN_ELFNOTE_VIRT_BASE, 0, 8);
            set_num(&t, XEN_ELFNOTE_ENTRY, 0, 8);
            set_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, 0x1000, 4);
        }
        build(&t, &im);
        CHECK_EQ(elf_xen_parse(im.b, im.len, &info, err, sizeof(err)), 0);
        snprintf(path, sizeof(path), "%s/%s.elf", dir, names[i]);
        f = fopen(path, "wb");
        CHECK(f != NULL);
        if ( !f )
            continue;
        CHECK(fwrite(im.b, 1, im.len, f) == im.len);
        fclose(f);
    }
}

int main(void)
{
    test_kit();
    test_linux();
    test_legacy();
    test_note_sections();
    test_grub_layout();
    test_features();
    test_refusals();
    test_raw();
    test_load();
    test_random_damage();
    test_hello_elf();
    if ( getenv("TERN_FUZZ_SEEDS") )
        write_seeds(getenv("TERN_FUZZ_SEEDS"));
    return unit_done();
}
