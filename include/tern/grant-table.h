/* SPDX-License-Identifier: MIT */
/* Grant tables v1: frames shared between domains (core/grant-table.c). */
#ifndef TERN_GRANT_TABLE_H
#define TERN_GRANT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/*
 * The rules (core/grant-table.c) are a pure module: they keep every
 * domain's grant table, active entries and maptrack, check the guests'
 * shared entries and take the page references (core/page-types.c), and
 * ask their host (arch/x86_64/pv/grant.c, or the unit tests) for memory,
 * shared frames and the page-table entries of host mappings. Every call
 * below is made with gnttab_lock() held (one lock for all domains); the
 * rules take pt_lock themselves around page-reference changes and never
 * hold it while calling a host hook. Status results are Xen's GNTST_*.
 */

/* Limits, Xen 4.17's defaults for a domain (xl: max_grant_frames=64,
 * max_maptrack_frames=1024; INITIAL_NR_GRANT_FRAMES). */
#define GNTTAB_MAX_DOMIDS          64     /* domain ids 0..63 have a table */
#define GNTTAB_INITIAL_FRAMES      1
#define GNTTAB_MAX_FRAMES          64
#define GNTTAB_MAX_MAPTRACK_FRAMES 1024
#define GNTTAB_PER_FRAME           (4096 / sizeof(grant_entry_v1_t))   /* 512 */
#define GNTTAB_MAPTRACK_PER_FRAME  (4096 / sizeof(struct gnttab_maptrack))

/* Pin counts of an active entry: one byte per kind of mapping (Xen's). */
#define GNTPIN_hstw_inc   (1u << 0)     /* writable host (CPU) mappings */
#define GNTPIN_hstw_mask  (0xffu << 0)
#define GNTPIN_hstr_inc   (1u << 8)     /* read-only host mappings */
#define GNTPIN_hstr_mask  (0xffu << 8)
#define GNTPIN_devw_inc   (1u << 16)    /* writable device (bus) mappings */
#define GNTPIN_devw_mask  (0xffu << 16)
#define GNTPIN_devr_inc   (1u << 24)    /* read-only device mappings */
#define GNTPIN_devr_mask  (0xffu << 24)
#define GNTPIN_overflow   0x80808080u   /* a count this high refuses more */

/* Tern's record of a granted entry in use (Xen's active_grant_entry):
 * pin != 0 while any mapping or copy holds it, for domain `domid`. */
struct gnttab_active {
    uint32_t pin;
    domid_t domid;
    unsigned long mfn;
};

/* One mapping a domain made (its maptrack; the index is the handle).
 * flags 0: free, and next links the free list. */
struct gnttab_maptrack {
    grant_ref_t ref;
    uint16_t flags;                  /* GNTMAP_device_map/host_map/readonly */
    domid_t domid;                   /* the granting domain */
    uint32_t next;
    uint32_t pad;
};

struct grant_table {
    domid_t domid;
    bool dead;                       /* the domain is gone: kept while pinned */
    unsigned int version;            /* always 1 */
    unsigned int nr_frames, max_frames, max_maptrack_frames;
    grant_entry_v1_t *shared[GNTTAB_MAX_FRAMES];  /* NULL once dead */
    unsigned long shared_mfn[GNTTAB_MAX_FRAMES];
    struct gnttab_active *active[GNTTAB_MAX_FRAMES];
    struct gnttab_maptrack **maptrack;            /* max_maptrack_frames pages */
    unsigned int maptrack_limit;     /* handles that exist */
    unsigned int maptrack_used;      /* handles in use */
    unsigned int maptrack_head, maptrack_tail;    /* free list (FIFO) */
    unsigned int nr_pinned;          /* active entries with pin != 0 */
};

/* The state GNTTABOP_unmap_grant_ref / unmap_and_replace carry from the
 * first half (the mapping's PTE is cleared) to the second (after the TLB
 * flush: pins, flags and references dropped). */
struct gnttab_unmap_op {
    uint64_t host_addr, dev_bus_addr, new_addr;
    grant_handle_t handle;
    int16_t status;
    uint16_t done;                   /* GNTMAP_* the first half undid */
    domid_t rd;
    grant_ref_t ref;
    unsigned long mfn;
};

/* Make (at domain build) the table of domain domid with max_frames frames
 * at most (GNTTAB_INITIAL_FRAMES now). Returns 0, -EINVAL, -EEXIST or
 * -ENOMEM. */
int gnttab_table_create(domid_t domid, unsigned int max_frames,
                        unsigned int max_maptrack_frames);
/* The table of a live domain, or NULL (no such domain, or dead). */
struct grant_table *gnttab_table(domid_t domid);

/* GNTTABOP_setup_table: grow gt to nr_frames (never shrinks). Returns
 * GNTST_okay, or GNTST_general_error (beyond its maximum, no memory). */
int gnttab_setup(struct grant_table *gt, unsigned int nr_frames);
/* GNTTABOP_set_version: 0, -EINVAL (not 1 or 2) or -ENOSYS (2: Tern has
 * version 1 only, as Xen with gnttab=max-ver:1); *version gets the table's. */
int gnttab_set_version(struct grant_table *gt, uint32_t *version);
/* GNTTABOP_swap_grant_ref of gt's entries a and b. */
int gnttab_swap(struct grant_table *gt, grant_ref_t a, grant_ref_t b);

/* GNTTABOP_map_grant_ref by domain ld: sets op->status, and on success
 * op->handle and op->dev_bus_addr. */
void gnttab_map(domid_t ld, struct gnttab_map_grant_ref *op);
/* GNTTABOP_unmap_grant_ref / unmap_and_replace by domain ld, in two
 * halves with a TLB flush of ld between them (gnttab_unmap_finish only
 * for ops that gnttab_unmap_start left with done != 0). */
void gnttab_unmap_start(domid_t ld, struct gnttab_unmap_op *op);
void gnttab_unmap_finish(domid_t ld, struct gnttab_unmap_op *op);
/* GNTTABOP_copy, one op, by domain ld: returns its status. */
int gnttab_copy(domid_t ld, const struct gnttab_copy *op);

/* A domain ends: its mappings of other domains' grants are released (the
 * references its page tables held go with its tables), and its table is
 * dead: no longer found, kept only while other domains map its frames. */
void gnttab_domain_release(domid_t domid);
/* Is mfn still mapped by another domain through a grant of domid's? */
bool gnttab_frame_in_use(domid_t domid, unsigned long mfn);
/* Free a dead table that nothing pins any more. */
void gnttab_table_reap(domid_t domid);

/* What the 'g' debug key prints of each table. */
struct gnttab_usage {
    bool exists, dead;
    unsigned int nr_frames, max_frames;
    unsigned int active;             /* entries pinned */
    unsigned int maptrack_used, maptrack_limit;
};
void gnttab_usage(domid_t domid, struct gnttab_usage *u);
/* The n-th (from 0) pinned entry of domid's table: false past the last. */
bool gnttab_active_entry(domid_t domid, unsigned int n, grant_ref_t *ref,
                         struct gnttab_active *act, uint16_t *flags);

/*
 * What the rules need from their host.
 */
/* The lock held around every call above (and by gnttab_domain_destroy). */
void gnttab_lock(void);
void gnttab_unlock(void);
/* Zeroed memory for Tern's own tables, and back. */
void *gnttab_zalloc(size_t size);
void gnttab_free(void *p);
/* A zeroed frame shared writable with domain domid, as its shared_info
 * is (Tern holds its one reference); its machine frame in *mfn. NULL when
 * out of memory. gnttab_unshare_frame gives one back that the guest has
 * never seen (a failed growth). */
grant_entry_v1_t *gnttab_share_frame(domid_t domid, unsigned long *mfn);
void gnttab_unshare_frame(grant_entry_v1_t *page, unsigned long mfn);
/* Install the host mapping of frame mfn for the current domain (a PTE at
 * guest virtual address addr, or at machine address addr with
 * GNTMAP_contains_pte), flags as the map op's; the PTE it replaces loses
 * its references. The grant's references are already taken. Returns
 * GNTST_okay or GNTST_general_error. */
int gnttab_create_host_mapping(uint64_t addr, unsigned long mfn, unsigned int flags);
/* Remove it: the PTE at addr must map mfn present, writable as flags say;
 * it becomes empty, or takes the entry at new_addr (which becomes empty).
 * GNTST_okay or GNTST_general_error. */
int gnttab_replace_host_mapping(uint64_t addr, unsigned long mfn,
                                uint64_t new_addr, unsigned int flags);

/*
 * The hypervisor side (arch/x86_64/pv/grant.c).
 */
/* Domain build: the domain's grant table. 0 or -ENOMEM. */
int gnttab_domain_init(domid_t domid);
/* Domain teardown (domain_destroy, no vCPU of it running): release its
 * grant mappings, then give back every frame it owns except those other
 * domains still map through its grants, which go with their last mapping. */
void gnttab_domain_destroy(domid_t domid);
/* The grant_table_op hypercall. */
long do_grant_table_op(unsigned long cmd, unsigned long uop, unsigned long count);
/* The 'g' debug key. */
void gnttab_dump(void);

#endif /* TERN_GRANT_TABLE_H */
