/* SPDX-License-Identifier: MIT */
/* Page types and references: the rules of the PV MMU (core/page-types.c). */
#ifndef TERN_PAGE_TYPES_H
#define TERN_PAGE_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <tern/mm.h>
#include <xen/xen.h>

/*
 * Every call here runs under pt_lock (one lock for all domains: the rules
 * never wait, and a later split per domain changes no caller). Functions
 * that take a domain id check ownership against it; DOMID_TERN never owns
 * a guest page.
 *
 * Results are 0 or a negative Xen errno.
 */

/* Page-table entry bits the rules look at. */
#define _PAGE_PRESENT   0x001ul
#define _PAGE_RW        0x002ul
#define _PAGE_USER      0x004ul
#define _PAGE_PWT       0x008ul
#define _PAGE_PCD       0x010ul
#define _PAGE_ACCESSED  0x020ul
#define _PAGE_DIRTY     0x040ul
#define _PAGE_PSE       0x080ul
#define _PAGE_GLOBAL    0x100ul
#define _PAGE_AVAIL     0xe00ul
#define _PAGE_NX        (1ul << 63)
#define PTE_MFN_MASK    0x000ffffffffff000ul

static inline unsigned long pte_mfn(uint64_t e)
{
    return (unsigned long)((e & PTE_MFN_MASK) >> 12);
}

/* Guest L4 slots Tern owns (HYPERVISOR_VIRT_START..END). */
#define PT_TERN_SLOT_FIRST 256
#define PT_TERN_SLOT_LAST  271

/* A general reference: the page must be owned by domid and allocated. */
bool get_page(unsigned long mfn, domid_t domid);
void put_page(unsigned long mfn);
/* A type reference (type is PGT_writable_page, PGT_seg_desc_page or a
 * PGT_lN_page_table). Taking the first reference of a page-table type
 * validates the page; dropping the last devalidates it. */
int get_page_type(unsigned long mfn, unsigned long type);
void put_page_type(unsigned long mfn);
int get_page_and_type(unsigned long mfn, domid_t domid, unsigned long type);
void put_page_and_type(unsigned long mfn);

/* 1..4 when frame mfn is a validated page table in use (L1..L4), else 0. */
unsigned int pt_table_level(unsigned long mfn);

/* Change entry idx of the validated page table table_mfn (owned by domid)
 * to val: validate the new entry, take its references, write it (keeping
 * the A/D bits the CPU set when preserve_ad), drop the old one's. */
int pt_mod_entry(domid_t domid, unsigned long table_mfn, unsigned int idx,
                 uint64_t val, bool preserve_ad);

/*
 * Grant mappings: an L1 entry of domid's that maps another domain's frame
 * (or its own) through a grant. The grant code takes the references such
 * an entry holds (general, and writable type with _PAGE_RW) before it is
 * written and drops them after it is cleared; an entry that goes any other
 * way (mmu_update over it, its table torn down) drops them like any entry,
 * as on Xen's release builds. Each call fails with -EINVAL unless l1mfn is
 * a validated L1 of domid and idx < 512.
 *
 * pt_grant_install writes e (made a guest entry as pt_mod_entry would)
 * over entry idx, whose old value loses its references.
 * pt_grant_remove checks that entry idx maps mfn present, with _PAGE_RW
 * exactly when writable, and replaces it with repl (0, or an entry taken
 * by pt_l1e_steal, whose references move with it); -EINVAL if not.
 * pt_l1e_steal clears entry idx and gives it, with its references, in *old.
 * pt_put_l1e drops the references of an L1 entry no table holds any more.
 */
int pt_grant_install(domid_t domid, unsigned long l1mfn, unsigned int idx,
                     uint64_t e);
int pt_grant_remove(domid_t domid, unsigned long l1mfn, unsigned int idx,
                    unsigned long mfn, bool writable, uint64_t repl);
int pt_l1e_steal(domid_t domid, unsigned long l1mfn, unsigned int idx,
                 uint64_t *old);
void pt_put_l1e(uint64_t e);

/*
 * Domain teardown, once nothing runs on its tables: unpin them, devalidate
 * every table still in use (dropping what their entries hold, foreign
 * grant mappings included), take the allocation references back. Then the
 * frames still referenced: those keep(mfn) names (other domains map them
 * through grants) keep only those references and are freed by the last
 * put_page; every other one is freed now, whatever Tern still held on it.
 */
void pt_relinquish_domain(domid_t domid,
                          bool (*keep)(unsigned long mfn, void *ctx), void *ctx);

/* MMUEXT_PIN_Lx_TABLE / MMUEXT_UNPIN_TABLE. */
int pt_pin(domid_t domid, unsigned long mfn, unsigned long type);
int pt_unpin(domid_t domid, unsigned long mfn);

/* Give a fresh frame to a domain (one allocation reference, type none),
 * and take a domain's allocation reference back (decrease_reservation:
 * the frame is freed when its last reference goes). */
void pt_assign_page(unsigned long mfn, domid_t domid);
int pt_release_page(domid_t domid, unsigned long mfn);

/*
 * What the rules need from their host (the hypervisor: arch/x86_64/pv/;
 * the unit tests: their own versions).
 */
/* The lock every caller holds around the calls above. */
void pt_lock(void);
void pt_unlock(void);
/* A broken invariant (a count underflow): stop; never returns. */
void __noreturn pt_bug(const char *what, unsigned long mfn);
/* The 512 entries of frame mfn. */
uint64_t *pt_map_frame(unsigned long mfn);
/* Fill slots PT_TERN_SLOT_FIRST..LAST of a guest L4 being validated. */
void pt_fill_tern_slots(uint64_t *l4);
/* Check the 512 descriptors of a frame becoming a PGT_seg_desc_page. */
bool pt_check_descriptor_page(const uint64_t *descs);
/* A page's last type reference went: a stamp for pt_flush_stale(). */
uint64_t pt_tlb_stamp(void);
/* Before a page changes type: flush every TLB that may still hold a
 * translation made before stamp. */
void pt_flush_stale(uint64_t stamp);
/* A page's last general reference went: give the frame back. */
void pt_free_frame(unsigned long mfn, domid_t owner);

#endif /* TERN_PAGE_TYPES_H */
