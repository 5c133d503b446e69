/* SPDX-License-Identifier: MIT */
/* Address translation inside Tern: the direct map and the image. */
#ifndef TERN_ASM_MM_H
#define TERN_ASM_MM_H

#include <stdint.h>
#include <asm/config.h>

typedef uint64_t paddr_t;

static inline void *maddr_to_virt(paddr_t pa)
{
    return (void *)(DIRECTMAP_VIRT_START + pa);
}

/* Valid for direct-map and image addresses alike. */
static inline paddr_t virt_to_maddr(const void *va)
{
    unsigned long v = (unsigned long)va;

    if ( v >= TERN_VIRT_START && v < DIRECTMAP_VIRT_START )
        return v - TERN_VIRT_START;
    return v - DIRECTMAP_VIRT_START;
}

static inline void *mfn_to_virt(unsigned long mfn)
{
    return maddr_to_virt((paddr_t)mfn << PAGE_SHIFT);
}

static inline unsigned long virt_to_mfn(const void *va)
{
    return (unsigned long)(virt_to_maddr(va) >> PAGE_SHIFT);
}

/*
 * The physical address of a symbol of the boot section (head.S), which is
 * linked at its load address, out of reach of RIP-relative addressing.
 */
#define boot_sym_maddr(sym) ({ \
    unsigned long v_; \
    __asm__ ("movabs $" #sym ", %0" : "=r"(v_)); \
    (paddr_t)v_; \
})

#endif /* TERN_ASM_MM_H */
