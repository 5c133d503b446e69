/* SPDX-License-Identifier: MIT */
/*
 * Hostile guest hostile-mmu-args: bad arguments to the PV MMU hypercalls.
 *
 * Each call must be refused with Xen 4.17's answer and have no effect,
 * and the guest goes on; SUCCESS when all were (so it runs in the oracle).
 * None of these answers depends on privilege. Arguments tried:
 *  - mmu_update: request lists at an unmapped address, inside the
 *    hypervisor's hole, running into an unmapped page under a huge count;
 *    a done pointer inside the hypervisor's hole (the read-only M2P, which
 *    must stay unchanged); a count carrying MMU_UPDATE_PREEMPTED (Xen's
 *    continuation marker: the done count is then resumed from *done);
 *    unknown commands in ptr's low bits, a table frame that is not the
 *    guest's, a frame past any RAM, a foreign page-table domain, a
 *    foreign domain that does not exist;
 *  - mmuext_op: the same for its op list and done pointer; vCPU masks at
 *    bad addresses; SET_LDT with a misaligned, hypervisor or oversized LDT;
 *  - update_va_mapping: non-canonical and hypervisor addresses, an address
 *    no L1 maps, a vCPU mask at a bad address (-EFAULT after the update);
 *  - memory_op: XENMEM_exchange with lists in the hypervisor's hole (an
 *    output list over the M2P must not be written: XSA-212), an offset
 *    (nr_exchanged) that moves a valid list into the hole, mismatched
 *    sizes and domains, orders past the limit, a frame not the guest's;
 *    reservation ops with lists in the hole, huge counts, a start extent
 *    past the end, frames not the guest's, a domain that does not exist;
 *  - XSA-213: HYPERVISOR_iret inside a multicall ends the batch there (the
 *    calls after it are not made), resuming at the iret frame.
 */
#include <kit/kit.h>
#include <kit/pt.h>

/* Xen's internal continuation flag in the count of mmu_update/mmuext_op. */
#define MMU_UPDATE_PREEMPTED 0x80000000U
/* The bits of memory_op's cmd above this carry the start extent. */
#define MEMOP_EXTENT_SHIFT 6

/* An address inside the hypervisor's hole that is not the M2P. */
#define HOLE_VA 0xffff830000000000UL

static uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t victim[512] __attribute__((aligned(4096)));

static unsigned long victim_l1;
static unsigned int victim_idx;

static const uint64_t rw_flags = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_D;

/* The M2P entry of mfn, as a pointer into the read-only M2P. */
static void *m2p_slot(unsigned long mfn)
{
    return &((unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

/* A RAM frame next to one of ours that is not ours (see kit/pt.h). */
static unsigned long foreign_ram_mfn(void)
{
    unsigned long m = kit_foreign_ram_mfn();

    if ( !m )
        kit_test_abort("no foreign RAM frame found");
    return m;
}

/* A request that maps victim to frame mfn (checked with victim_is). */
static mmu_update_t victim_req(unsigned long mfn)
{
    mmu_update_t r = { .ptr = kit_pt_maddr(victim_l1, victim_idx),
                       .val = kit_pte(mfn, rw_flags) };

    return r;
}

static bool victim_is(unsigned long mfn)
{
    return kit_pte_mfn(kit_pt_read(victim_l1, victim_idx)) == mfn;
}

static void victim_restore(void)
{
    if ( kit_map_mfn((void *)victim, kit_virt_to_mfn((const void *)victim),
                     rw_flags) )
        kit_test_abort("cannot restore victim");
}

static void check_mmu_update(void)
{
    unsigned long own = kit_virt_to_mfn((const void *)victim);
    unsigned long a = kit_virt_to_mfn(page_a);
    unsigned long last = kit_initial_mapping_end_pfn() - 1;
    unsigned long m2p_before = kit_mfn_to_pfn(a);
    mmu_update_t req[2], *tail;
    unsigned int done;
    long rc;

    /* Request lists where no guest memory is. */
    done = 99;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)0x1000, 1, &done, DOMID_SELF);
    kit_expect_rc("mmu_update list at 0x1000", rc, -XEN_EFAULT);
    kit_expect_rc("mmu_update list at 0x1000: done", done, 0);
    rc = HYPERVISOR_mmu_update((mmu_update_t *)HOLE_VA, 1, &done, DOMID_SELF);
    kit_expect_rc("mmu_update list in the hypervisor hole", rc, -XEN_EFAULT);
    rc = HYPERVISOR_mmu_update((mmu_update_t *)MACH2PHYS_VIRT_START, 1, &done,
                               DOMID_SELF);
    kit_expect_rc("mmu_update list over the M2P", rc, -XEN_EFAULT);

    /*
     * A huge count over a list whose third entry lies in the unmapped page
     * after the initial mapping: two requests done, then -EFAULT.
     */
    tail = (mmu_update_t *)((char *)kit_pfn_to_virt(last) + KIT_PAGE_SIZE) - 2;
    tail[0] = victim_req(a);
    tail[1] = victim_req(own);
    done = 99;
    rc = HYPERVISOR_mmu_update(tail, 0x7fffffff, &done, DOMID_SELF);
    kit_expect_rc("mmu_update count 0x7fffffff into an unmapped page", rc,
                  -XEN_EFAULT);
    kit_expect_rc("mmu_update count 0x7fffffff: done", done, 2);
    if ( !victim_is(own) )
        kit_test_failure("huge-count batch: victim maps %#lx",
                         kit_pte_mfn(kit_pt_read(victim_l1, victim_idx)));

    /* A done pointer over the read-only M2P: not written, the call works. */
    req[0] = victim_req(a);
    rc = HYPERVISOR_mmu_update(req, 1, m2p_slot(a), DOMID_SELF);
    kit_expect_rc("mmu_update with done over the M2P", rc, 0);
    if ( kit_mfn_to_pfn(a) != m2p_before )
        kit_test_failure("mmu_update wrote the M2P: %#lx",
                         kit_mfn_to_pfn(a));
    if ( !victim_is(a) )
        kit_test_failure("mmu_update with done over the M2P not applied");
    req[0] = victim_req(own);
    rc = HYPERVISOR_mmu_update(req, 1, (unsigned int *)0x1000, DOMID_SELF);
    kit_expect_rc("mmu_update with done at 0x1000", rc, 0);
    if ( !victim_is(own) )
        kit_test_failure("mmu_update with done at 0x1000 not applied");

    /* MMU_UPDATE_PREEMPTED in count: Xen resumes the done count from *done. */
    req[0] = victim_req(a);
    req[1] = victim_req(own);
    done = 5;
    rc = HYPERVISOR_mmu_update(req, MMU_UPDATE_PREEMPTED | 2, &done, DOMID_SELF);
    kit_expect_rc("mmu_update count PREEMPTED|2", rc, 0);
    kit_expect_rc("mmu_update count PREEMPTED|2: done", done, 7);
    if ( !victim_is(own) )
        kit_test_failure("PREEMPTED|2 batch not applied");

    /* Commands 4..7 in ptr's low bits do not exist. */
    for ( unsigned int cmd = 4; cmd < 8; cmd++ )
    {
        char what[48];

        kit_snprintf(what, sizeof(what), "mmu_update command %u", cmd);
        kit_expect_rc(what, kit_mmu_update1(kit_pt_maddr(victim_l1, victim_idx) | cmd,
                                            kit_pte(a, rw_flags)), -XEN_ENOSYS);
    }
    if ( !victim_is(own) )
        kit_test_failure("an unknown mmu_update command changed the entry");
    /* Table frames that are not the guest's. */
    kit_expect_rc("mmu_update in a foreign frame",
                  kit_mmu_update1(kit_pt_maddr(foreign_ram_mfn(), 0), 0),
                  -XEN_EINVAL);
    kit_expect_rc("mmu_update in a frame past RAM",
                  kit_mmu_update1(kit_pt_maddr(0xfffffffffUL, 0), 0), -XEN_EINVAL);
    kit_expect_rc("mmu_update ptr ~0 & ~7",
                  kit_mmu_update1(~7UL, 0), -XEN_EINVAL);
    kit_expect_rc("MACHPHYS_UPDATE of a foreign frame",
                  kit_mmu_update1(((uint64_t)foreign_ram_mfn() << KIT_PAGE_SHIFT) |
                                  MMU_MACHPHYS_UPDATE, 1), -XEN_EINVAL);
    /* Foreign domains that do not exist: as page owner, as table owner. */
    req[0] = victim_req(a);
    kit_expect_rc("mmu_update for no domain",
                  HYPERVISOR_mmu_update(req, 1, NULL, 0x7ff0 - 1), -XEN_ESRCH);
    rc = KIT_HC(__HYPERVISOR_mmu_update, req, 1, NULL,
                (0x7ff0UL << 16) | DOMID_SELF, 0);
    kit_expect_rc("mmu_update with tables of no domain", rc, -XEN_ESRCH);
    if ( !victim_is(own) )
        kit_test_failure("a refused mmu_update changed the entry");
}

static void check_mmuext(void)
{
    struct mmuext_op op[2] = {
        { .cmd = MMUEXT_TLB_FLUSH_LOCAL }, { .cmd = MMUEXT_TLB_FLUSH_LOCAL },
    };
    unsigned long a = kit_virt_to_mfn(page_a), before = kit_mfn_to_pfn(a);
    unsigned int done;
    long rc;

    done = 99;
    rc = HYPERVISOR_mmuext_op((struct mmuext_op *)0x1000, 1, &done, DOMID_SELF);
    kit_expect_rc("mmuext_op list at 0x1000", rc, -XEN_EFAULT);
    kit_expect_rc("mmuext_op list at 0x1000: done", done, 0);
    rc = HYPERVISOR_mmuext_op((struct mmuext_op *)HOLE_VA, 1, &done, DOMID_SELF);
    kit_expect_rc("mmuext_op list in the hypervisor hole", rc, -XEN_EFAULT);
    rc = HYPERVISOR_mmuext_op(op, 2, m2p_slot(a), DOMID_SELF);
    kit_expect_rc("mmuext_op with done over the M2P", rc, 0);
    if ( kit_mfn_to_pfn(a) != before )
        kit_test_failure("mmuext_op wrote the M2P: %#lx", kit_mfn_to_pfn(a));
    done = 3;
    rc = HYPERVISOR_mmuext_op(op, MMU_UPDATE_PREEMPTED | 2, &done, DOMID_SELF);
    kit_expect_rc("mmuext_op count PREEMPTED|2", rc, 0);
    kit_expect_rc("mmuext_op count PREEMPTED|2: done", done, 5);

    /* vCPU masks Xen cannot read: -EINVAL from mmuext_op. */
    op[0].cmd = MMUEXT_TLB_FLUSH_MULTI;
    set_xen_guest_handle(op[0].arg2.vcpumask, (void *)0x1000);
    kit_expect_rc("TLB_FLUSH_MULTI mask at 0x1000",
                  HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op[0].cmd = MMUEXT_INVLPG_MULTI;
    op[0].arg1.linear_addr = (unsigned long)page_a;
    set_xen_guest_handle(op[0].arg2.vcpumask, (void *)HOLE_VA);
    kit_expect_rc("INVLPG_MULTI mask in the hole",
                  HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), -XEN_EINVAL);

    /* SET_LDT: misaligned, in the hole, too many entries; then a good one. */
    op[0].cmd = MMUEXT_SET_LDT;
    op[0].arg1.linear_addr = (unsigned long)page_a + 8;
    op[0].arg2.nr_ents = 1;
    kit_expect_rc("SET_LDT misaligned",
                  HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op[0].arg1.linear_addr = HOLE_VA;
    kit_expect_rc("SET_LDT in the hole",
                  HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op[0].arg1.linear_addr = (unsigned long)page_a;
    op[0].arg2.nr_ents = 8193;
    kit_expect_rc("SET_LDT 8193 entries",
                  HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op[0].arg2.nr_ents = 0;
    kit_expect_rc("SET_LDT none", HYPERVISOR_mmuext_op(op, 1, NULL, DOMID_SELF), 0);
}

static void check_update_va_mapping(void)
{
    unsigned long a = kit_virt_to_mfn(page_a);
    uint64_t pte = kit_pte(a, rw_flags);

    kit_expect_rc("update_va_mapping non-canonical",
                  HYPERVISOR_update_va_mapping(0x0000800000000000UL, pte,
                                               UVMF_INVLPG | UVMF_LOCAL), -XEN_EINVAL);
    kit_expect_rc("update_va_mapping in the hole",
                  HYPERVISOR_update_va_mapping(HOLE_VA, pte, UVMF_INVLPG | UVMF_LOCAL),
                  -XEN_EINVAL);
    kit_expect_rc("update_va_mapping of the M2P",
                  HYPERVISOR_update_va_mapping(MACH2PHYS_VIRT_START, pte,
                                               UVMF_INVLPG | UVMF_LOCAL), -XEN_EINVAL);
    kit_expect_rc("update_va_mapping where no L1 is",
                  HYPERVISOR_update_va_mapping(0x1000, pte, UVMF_INVLPG | UVMF_LOCAL),
                  -XEN_EINVAL);
    /* A vCPU mask Xen cannot read: the entry is changed, then -EFAULT. */
    kit_expect_rc("update_va_mapping mask at 0x1000",
                  HYPERVISOR_update_va_mapping((unsigned long)victim, pte,
                                               UVMF_INVLPG | 0x1000), -XEN_EFAULT);
    if ( !victim_is(a) )
        kit_test_failure("update_va_mapping with a bad mask did not map");
    kit_expect_rc("update_va_mapping mask in the hole",
                  HYPERVISOR_update_va_mapping((unsigned long)victim, pte,
                                               UVMF_TLB_FLUSH | HOLE_VA), -XEN_EFAULT);
    victim_restore();
}

static long memop(unsigned int cmd, void *arg)
{
    return HYPERVISOR_memory_op(cmd, arg);
}

static void check_exchange(void)
{
    unsigned long pfn = kit_spare_unmapped_pfn(), mfn;
    xen_pfn_t in[1], out[1];
    struct xen_memory_exchange ex;
    domid_t self = DOMID_SELF;
    long cur = memop(XENMEM_current_reservation, &self), before;

    if ( !pfn )
        kit_test_abort("no unmapped spare frame");
    mfn = kit_pfn_to_mfn(pfn);
    before = kit_mfn_to_pfn(mfn);

#define EX_RESET()                                                        \
    do {                                                                  \
        memset(&ex, 0, sizeof(ex));                                       \
        ex.in.nr_extents = ex.out.nr_extents = 1;                         \
        ex.in.domid = ex.out.domid = DOMID_SELF;                          \
        in[0] = mfn;                                                      \
        out[0] = pfn;                                                     \
        set_xen_guest_handle(ex.in.extent_start, in);                     \
        set_xen_guest_handle(ex.out.extent_start, out);                   \
    } while ( 0 )

    EX_RESET();
    set_xen_guest_handle(ex.in.extent_start, (xen_pfn_t *)HOLE_VA);
    kit_expect_rc("exchange, input list in the hole", memop(XENMEM_exchange, &ex),
                  -XEN_EFAULT);
    EX_RESET();
    set_xen_guest_handle(ex.out.extent_start, (xen_pfn_t *)m2p_slot(mfn));
    kit_expect_rc("exchange, output list over the M2P",
                  memop(XENMEM_exchange, &ex), -XEN_EFAULT);
    kit_expect_rc("exchange, output list over the M2P: nr_exchanged",
                  ex.nr_exchanged, 0);
    if ( kit_mfn_to_pfn(mfn) != (unsigned long)before || !kit_mfn_is_own(mfn) )
        kit_test_failure("refused exchange changed the frame: M2P %#lx",
                         kit_mfn_to_pfn(mfn));
    /*
     * XSA-212: a list that looks valid but whose unprocessed part, after
     * nr_exchanged entries, lies in the hypervisor hole.
     */
    EX_RESET();
    ex.nr_exchanged = (HOLE_VA - 0x100000000000UL) / sizeof(xen_pfn_t);
    ex.in.nr_extents = ex.out.nr_extents = ex.nr_exchanged + 1;
    set_xen_guest_handle(ex.in.extent_start, (xen_pfn_t *)0x100000000000UL);
    set_xen_guest_handle(ex.out.extent_start, (xen_pfn_t *)0x100000000000UL);
    kit_expect_rc("exchange, offset into the hole", memop(XENMEM_exchange, &ex),
                  -XEN_EFAULT);

    EX_RESET();
    ex.nr_exchanged = 2;
    kit_expect_rc("exchange, nr_exchanged > nr_extents",
                  memop(XENMEM_exchange, &ex), -XEN_EINVAL);
    EX_RESET();
    ex.out.domid = 0x7ff0 - 1;
    kit_expect_rc("exchange, domains differ", memop(XENMEM_exchange, &ex),
                  -XEN_EINVAL);
    EX_RESET();
    ex.out.nr_extents = 2;
    kit_expect_rc("exchange, sizes differ", memop(XENMEM_exchange, &ex),
                  -XEN_EINVAL);
    EX_RESET();
    ex.in.extent_order = 1;
    ex.in.nr_extents = 1UL << 63;
    ex.out.extent_order = 0;
    ex.out.nr_extents = 0;
    kit_expect_rc("exchange, size overflow", memop(XENMEM_exchange, &ex),
                  -XEN_EINVAL);
    EX_RESET();
    ex.in.extent_order = ex.out.extent_order = 30;
    kit_expect_rc("exchange, order 30", memop(XENMEM_exchange, &ex), -XEN_EPERM);
    EX_RESET();
    ex.in.domid = ex.out.domid = 0x7ff0 - 1;
    kit_expect_rc("exchange for no domain", memop(XENMEM_exchange, &ex),
                  -XEN_ESRCH);
    EX_RESET();
    in[0] = foreign_ram_mfn();
    kit_expect_rc("exchange of a foreign frame", memop(XENMEM_exchange, &ex),
                  -XEN_EINVAL);
    kit_expect_rc("exchange of a foreign frame: nr_exchanged", ex.nr_exchanged, 0);
    kit_expect_rc("current after the refused exchanges",
                  memop(XENMEM_current_reservation, &self), cur);
    if ( !kit_mfn_is_own(mfn) )
        kit_test_failure("the spare frame is no longer ours");
#undef EX_RESET
}

static long reservation(unsigned int cmd, xen_pfn_t *list, unsigned long n,
                        unsigned int order, domid_t dom)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = order, .domid = dom,
    };

    set_xen_guest_handle(r.extent_start, list);
    return memop(cmd, &r);
}

static void check_reservation(void)
{
    domid_t self = DOMID_SELF;
    long cur = memop(XENMEM_current_reservation, &self);
    xen_pfn_t list[2] = { foreign_ram_mfn(), 0 };
    static xen_pfn_t mlist[4];
    struct xen_machphys_mfn_list ml = { .max_extents = 4 };

    /*
     * Xen answers a reservation op with the number of extents done, never
     * an errno for a bad list: these all do nothing and answer 0.
     */
    kit_expect_rc("decrease_reservation of a foreign frame",
                  reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF), 0);
    kit_expect_rc("decrease_reservation, list in the hole",
                  reservation(XENMEM_decrease_reservation, (xen_pfn_t *)HOLE_VA, 1, 0,
                              DOMID_SELF), 0);
    kit_expect_rc("populate_physmap, list over the M2P",
                  reservation(XENMEM_populate_physmap, m2p_slot(0), 1, 0,
                              DOMID_SELF), 0);
    kit_expect_rc("increase_reservation, order 30",
                  reservation(XENMEM_increase_reservation, list, 1, 30, DOMID_SELF), 0);
    kit_expect_rc("decrease_reservation, order 30",
                  reservation(XENMEM_decrease_reservation, list, 1, 30, DOMID_SELF), 0);
    /* Counts too large to encode a continuation are refused outright. */
    kit_expect_rc("decrease_reservation, 2^60 extents",
                  reservation(XENMEM_decrease_reservation, list, 1UL << 60, 0,
                              DOMID_SELF), 0);
    /* A start extent (in cmd's upper bits) at or past the end is returned. */
    {
        struct xen_memory_reservation r = {
            .nr_extents = 2, .domid = DOMID_SELF,
        };

        set_xen_guest_handle(r.extent_start, list);
        kit_expect_rc("decrease_reservation starting at extent 3",
                      memop(XENMEM_decrease_reservation | (3 << MEMOP_EXTENT_SHIFT),
                            &r), 3);
    }
    /* Even a domain that does not exist gets the count done (0), no -ESRCH. */
    kit_expect_rc("populate_physmap for no domain",
                  reservation(XENMEM_populate_physmap, list, 1, 0, 0x7ff0 - 1), 0);
    kit_expect_rc("current after the refused reservation ops",
                  memop(XENMEM_current_reservation, &self), cur);

    set_xen_guest_handle(ml.extent_start, (xen_pfn_t *)HOLE_VA);
    kit_expect_rc("machphys_mfn_list into the hole",
                  memop(XENMEM_machphys_mfn_list, &ml), -XEN_EFAULT);
    set_xen_guest_handle(ml.extent_start, mlist);
    ml.max_extents = 0;
    kit_expect_rc("machphys_mfn_list of 0", memop(XENMEM_machphys_mfn_list, &ml), 0);
    kit_expect_rc("machphys_mfn_list of 0: nr_extents", ml.nr_extents, 0);
}

/*
 * XSA-213: an iret inside a multicall must end the batch. The batch is an
 * iret (with its frame at the stack pointer of the multicall, as for a
 * plain iret) followed by a MACHPHYS_UPDATE that would be visible in the
 * M2P. Xen 4.17 resumes at the frame's RIP with its RAX, and never makes
 * the second call.
 */
static struct iret_context mc_frame __attribute__((aligned(16), used));
unsigned long kit_mmu_args_saved_rsp;

static void check_xsa213(void)
{
    static multicall_entry_t calls[2];
    static mmu_update_t req;
    unsigned long a = kit_virt_to_mfn(page_a), pfn = kit_virt_to_pfn(page_a);
    unsigned long rax, rdi = (unsigned long)calls, rsi = 2;

    req.ptr = ((uint64_t)a << KIT_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
    req.val = 0x777;
    calls[0].op = __HYPERVISOR_iret;
    calls[0].result = 0x1111;
    calls[1].op = __HYPERVISOR_mmu_update;
    calls[1].args[0] = (unsigned long)&req;
    calls[1].args[1] = 1;
    calls[1].args[2] = 0;
    calls[1].args[3] = DOMID_SELF;
    calls[1].result = 0x2222;

    mc_frame.rax = 0x5a5a;
    mc_frame.flags = 0;
    /* RPL 0 in the frame means kernel mode (RPL 3 would switch to user). */
    mc_frame.cs = FLAT_KERNEL_CS & ~3;
    mc_frame.ss = FLAT_KERNEL_SS;
    mc_frame.rflags = 0x2;          /* IF clear: events stay masked */
    __asm__ volatile (
        "lea 1f(%%rip), %%rax\n\t"
        "mov %%rax, mc_frame+32(%%rip)\n\t"         /* rip */
        "mov %%rsp, mc_frame+56(%%rip)\n\t"         /* rsp */
        "mov %%rsp, kit_mmu_args_saved_rsp(%%rip)\n\t"
        "lea mc_frame(%%rip), %%rsp\n\t"
        "mov %[nr], %%eax\n\t"
        "syscall\n"
        "1:\n\t"
        "mov kit_mmu_args_saved_rsp(%%rip), %%rsp\n\t"
        : "=a" (rax), "+D" (rdi), "+S" (rsi)
        : [nr] "i" (__HYPERVISOR_multicall)
        : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory");
    kit_printf("multicall [iret, mmu_update]: rax %#lx, results %#lx %#lx\n",
               rax, (unsigned long)calls[0].result, (unsigned long)calls[1].result);
    if ( rax != 0x5a5a )
        kit_test_failure("multicall with iret returned %#lx, not the frame's RAX",
                         rax);
    if ( calls[1].result != 0x2222 || kit_mfn_to_pfn(a) != pfn )
        kit_test_failure("the call after the iret was made: result %#lx, M2P %#lx",
                         (unsigned long)calls[1].result, kit_mfn_to_pfn(a));
    /* Undo, in case it was made. */
    req.val = pfn;
    kit_mmu_update1(req.ptr, req.val);
}

void test_main(const start_info_t *si)
{
    if ( kit_pt_walk((unsigned long)victim, 1, &victim_l1, NULL) )
        kit_test_abort("cannot walk to victim");
    victim_idx = kit_pt_index((unsigned long)victim, 1);
    kit_printf("hostile-mmu-args: %s\n",
               (si->flags & SIF_PRIVILEGED) ? "privileged (dom0)" : "unprivileged");

    check_mmu_update();
    check_mmuext();
    check_update_va_mapping();
    check_exchange();
    check_reservation();
    check_xsa213();
    kit_test_success();
}
