/* SPDX-License-Identifier: MIT */
/* Guest kernel ELF images and their Xen notes, for the domain builder. */
#ifndef TERN_ELF_XEN_H
#define TERN_ELF_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many PT_LOAD segments (Linux's vmlinux has five). */
#define ELF_XEN_MAX_SEGS    16

/* No segment, and no kernel from its lowest to its highest byte, spans more. */
#define ELF_XEN_MAX_SPAN    (1ull << 40)

/* An address the image did not give (no note, no legacy key). */
#define ELF_XEN_UNSET       (~0ull)

/* The guest's PAE_MODE note (meaningless for 64-bit guests, kept for logs). */
enum elf_xen_pae {
    ELF_XEN_PAE_NO,                 /* absent or "no" */
    ELF_XEN_PAE_YES,                /* legacy "yes" */
    ELF_XEN_PAE_EXTCR3,             /* note "yes", legacy "yes[extended-cr3]" */
    ELF_XEN_PAE_BIMODAL,            /* "bimodal" anywhere in the note */
};

/* Where the Xen information came from. */
enum elf_xen_source {
    ELF_XEN_SRC_NOTE_SEGMENTS,      /* PT_NOTE segments */
    ELF_XEN_SRC_NOTE_SECTIONS,      /* SHT_NOTE sections (no PT_NOTE had any) */
    ELF_XEN_SRC_LEGACY,             /* the "__xen_guest" section string */
};

/* One PT_LOAD segment, placed where the builder must put it. */
struct elf_xen_segment {
    uint64_t offset;                /* file offset of its data */
    uint64_t filesz;                /* bytes copied from the file */
    uint64_t memsz;                 /* bytes in memory: memsz - filesz zeroed */
    uint64_t paddr;                 /* p_paddr, as in the file */
    uint64_t va;                    /* target: paddr + virt_base - paddr_offset */
    uint32_t flags;                 /* p_flags: PF_X 1, PF_W 2, PF_R 4 */
    unsigned int phdr;              /* its program header's index */
};

/*
 * What the builder needs from a guest kernel, computed as Xen's libelf
 * (libelf-dominfo.c) does. Every virtual address here is checked: the
 * kernel [virt_kstart, virt_kend) is canonical, outside the hypervisor hole,
 * at most ELF_XEN_MAX_SPAN long, and holds the entry point and the
 * hypercall page.
 */
struct elf_xen_info {
    enum elf_xen_source source;
    uint32_t notes_seen;            /* bit n: XEN_ELFNOTE n (or its legacy key) given */

    char guest_os[32];              /* GUEST_OS, "" if absent (truncated as Xen does) */
    char guest_ver[32];             /* GUEST_VERSION */
    char xen_ver[16];               /* XEN_VERSION: starts with "xen-3.0" */
    char loader[16];                /* LOADER */

    uint32_t f_supported;           /* XENFEAT_* bits (Xen has one 32-bit submap) */
    uint32_t f_required;            /* the '!' ones; always a subset of f_supported */
    enum elf_xen_pae pae;
    bool bsd_symtab;                /* BSD_SYMTAB "yes" (the symbol table is not loaded) */
    bool suspend_cancel;            /* SUSPEND_CANCEL non-zero */
    bool mod_start_pfn;             /* MOD_START_PFN non-zero: initrd given as a PFN */
    uint64_t l1_mfn_valid[2];       /* first mask/value pair of L1_MFN_VALID, or 0 */

    uint64_t virt_base;             /* VIRT_BASE, default 0 */
    uint64_t elf_paddr_offset;      /* PADDR_OFFSET; default 0 (notes), virt_base (legacy) */
    uint64_t virt_offset;           /* virt_base - elf_paddr_offset: paddr to va */
    uint64_t virt_kstart;           /* lowest loaded va */
    uint64_t virt_kend;             /* one past the highest loaded va */
    uint64_t virt_entry;            /* ENTRY, default e_entry */
    uint64_t virt_hypercall;        /* HYPERCALL_PAGE (page aligned) or ELF_XEN_UNSET */
    uint64_t virt_hv_start_low;     /* HV_START_LOW or ELF_XEN_UNSET */
    uint64_t p2m_base;              /* INIT_P2M (outside the kernel) or ELF_XEN_UNSET */
    uint64_t phys_entry;            /* PHYS32_ENTRY (the PVH entry) or ELF_XEN_UNSET */

    unsigned int nr_segs;
    struct elf_xen_segment seg[ELF_XEN_MAX_SEGS];   /* in program header order */
};

/*
 * Parse and validate the guest kernel image[0..size): a 64-bit
 * little-endian x86-64 ET_EXEC ELF with Xen notes (PT_NOTE segments, else
 * SHT_NOTE sections, else the legacy "__xen_guest" string). Fills *out.
 * Returns 0, or -ENOEXEC (not an ELF kernel Xen would run: magic, class,
 * machine, type, no Xen notes, loader, Xen version) or -EINVAL (corrupt,
 * truncated or unsafe: bounds, sizes, overlaps, addresses), with a message
 * naming the fault written into err (e.g. "segment 2 overlaps segment 1").
 * On failure *out must not be used. Pure: reads only image[0..size).
 */
int elf_xen_parse(const void *image, size_t size, struct elf_xen_info *out,
                  char *err, size_t errlen);

/*
 * Load the segments of an image that elf_xen_parse() accepted with info:
 * for each segment in order, copy(ctx, va, src, filesz) for its file bytes
 * (if any), then zero(ctx, va + filesz, memsz - filesz) for the rest (if
 * any). Every range given lies inside [virt_kstart, virt_kend) and, for
 * copy, inside the image. The callbacks do the writing (into guest frames).
 */
void elf_xen_load(const void *image, const struct elf_xen_info *info,
                  void (*copy)(void *ctx, uint64_t va, const void *src,
                               size_t n),
                  void (*zero)(void *ctx, uint64_t va, size_t n),
                  void *ctx);

/* The name of XEN_ELFNOTE_<type> ("ENTRY", ...), or NULL if Xen knows none. */
const char *elf_xen_note_name(unsigned int type);

#endif /* TERN_ELF_XEN_H */
