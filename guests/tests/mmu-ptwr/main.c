/* SPDX-License-Identifier: MIT */
/*
 * Test guest mmu-ptwr: writable page tables (VMASST_TYPE_writable_pagetables).
 *
 * Proves: with the assist on, a guest kernel's ordinary stores to one of
 * its L1 tables, mapped read-only, take effect as validated updates: MOV,
 * XCHG (the old entry comes back), LOCK CMPXCHG that succeeds and one that
 * fails (no store, rAX gets the entry), LOCK AND / LOCK OR of a flag, and
 * a 4-byte store to the low half; the mapping they make is used at once
 * after INVLPG. A store the rules refuse (the L1 mapping itself writable)
 * is not done and reaches the guest as its own #PF at that instruction,
 * with CR2 the entry's address.
 */
#include <kit/kit.h>
#include <kit/pt.h>

static uint8_t target[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_a[KIT_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_b[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

extern const char ptwr_bad_insn[];
static volatile unsigned long pf_seen, pf_cr2;

static bool hook(struct kit_trap_frame *f)
{
    if ( f->vector != 14 || f->rip != (unsigned long)ptwr_bad_insn )
        return false;
    pf_seen++;
    pf_cr2 = kit_shared_info->vcpu_info[0].arch.cr2;
    f->rip += 3;                        /* movq %rax, (%rdx) */
    return true;
}

static void flush(void)
{
    long rc = kit_mmuext(MMUEXT_INVLPG_LOCAL, (unsigned long)target);

    if ( rc )
        kit_test_failure("INVLPG_LOCAL: %ld", rc);
}

/* What target shows now: 'a', 'b', or '?' */
static char shows(void)
{
    return target[100] == 'a' ? 'a' : target[100] == 'b' ? 'b' : '?';
}

void test_main(const start_info_t *si)
{
    unsigned long l1, mfn_a = kit_virt_to_mfn(page_a), mfn_b = kit_virt_to_mfn(page_b);
    unsigned int idx = kit_pt_index((unsigned long)target, 1);
    volatile uint64_t *pte;
    uint64_t orig, flags, old, expect;
    long rc;

    (void)si;
    memset(page_a, 'a', sizeof(page_a));
    memset(page_b, 'b', sizeof(page_b));
    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    if ( rc )
        kit_test_abort("vm_assist(writable_pagetables): %ld", rc);
    if ( kit_pt_walk((unsigned long)target, 1, &l1, &orig) )
        kit_test_abort("no L1 for target");
    flags = orig & ~KIT_PTE_MFN_MASK;
    pte = (volatile uint64_t *)kit_pt_window(l1) + idx;

    *pte = kit_pte(mfn_a, flags);                               /* MOV */
    flush();
    if ( kit_pte_mfn(*pte) != mfn_a || shows() != 'a' )
        kit_test_failure("mov: entry %#lx, target shows %c", (unsigned long)*pte, shows());

    old = __atomic_exchange_n(pte, kit_pte(mfn_b, flags), __ATOMIC_SEQ_CST);
    flush();
    if ( kit_pte_mfn(old) != mfn_a || shows() != 'b' )
        kit_test_failure("xchg: old %#lx, target shows %c", (unsigned long)old, shows());

    expect = *pte;
    if ( !__atomic_compare_exchange_n(pte, &expect, kit_pte(mfn_a, flags), false,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) )
        kit_test_failure("cmpxchg with the current entry failed");
    flush();
    if ( shows() != 'a' )
        kit_test_failure("cmpxchg: target shows %c", shows());

    expect = kit_pte(mfn_b, flags);                             /* stale */
    if ( __atomic_compare_exchange_n(pte, &expect, kit_pte(mfn_b, flags), false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) )
        kit_test_failure("cmpxchg with a stale entry succeeded");
    if ( kit_pte_mfn(expect) != mfn_a )
        kit_test_failure("failed cmpxchg: rAX %#lx, want the entry", (unsigned long)expect);
    flush();
    if ( shows() != 'a' )
        kit_test_failure("failed cmpxchg changed the mapping: %c", shows());

    __atomic_fetch_and(pte, ~(uint64_t)KIT_PTE_RW, __ATOMIC_SEQ_CST);
    if ( *pte & KIT_PTE_RW )
        kit_test_failure("lock and: RW still set: %#lx", (unsigned long)*pte);
    __atomic_fetch_or(pte, (uint64_t)KIT_PTE_RW, __ATOMIC_SEQ_CST);
    if ( !(*pte & KIT_PTE_RW) || kit_pte_mfn(*pte) != mfn_a )
        kit_test_failure("lock or: %#lx", (unsigned long)*pte);

    ((volatile uint32_t *)pte)[0] = (uint32_t)kit_pte(mfn_b, flags);   /* low half */
    flush();
    if ( kit_pte_mfn(*pte) != mfn_b || shows() != 'b' )
        kit_test_failure("4-byte store: entry %#lx, shows %c", (unsigned long)*pte, shows());

    /* Refused: the L1 mapping itself writable. */
    kit_trap_hook = hook;
    old = *pte;
    __asm__ __volatile__(".globl ptwr_bad_insn\nptwr_bad_insn: movq %0, (%1)"
                         :: "a"(kit_pte(l1, flags | KIT_PTE_RW)), "d"(pte) : "memory");
    kit_trap_hook = NULL;
    if ( pf_seen != 1 )
        kit_test_failure("refused store: %lu page faults, want 1", pf_seen);
    if ( pf_cr2 != (unsigned long)pte )
        kit_test_failure("refused store: cr2 %#lx, want %#lx", pf_cr2, (unsigned long)pte);
    if ( *pte != old )
        kit_test_failure("refused store changed the entry to %#lx", (unsigned long)*pte);

    *pte = orig;
    flush();
    kit_pt_window_clear();
    kit_test_success();
}
