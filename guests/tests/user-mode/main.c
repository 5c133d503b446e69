/* SPDX-License-Identifier: MIT */
/*
 * Test guest user-mode: the guest-user-mode half of the x86-64 PV ABI.
 *
 * A 64-bit PV guest runs its kernel and its user code both in ring 3;
 * the hypervisor keeps a "kernel mode" flag per vCPU and two root tables
 * (MMUEXT_NEW_BASEPTR, MMUEXT_NEW_USER_BASEPTR) and switches between them.
 * The test:
 *
 *  1. builds a user L4: a copy of the guest slots of the kernel's L4 (the
 *     kit image, which holds the user code, the user stack and the data
 *     the user code writes its results to), pins it and installs it with
 *     MMUEXT_NEW_USER_BASEPTR. One extra L3 (-> L2 -> L1 -> a tagged page,
 *     entries with _PAGE_USER) is hooked into the kernel L4 at slot 300
 *     only and into the user L4 at slot 301 only, so each mode has an
 *     address the other cannot reach: that proves which root is live;
 *  2. registers um_syscall_entry as the syscall callback (callback_op
 *     CALLBACKTYPE_syscall) and a kernel stack with stack_switch;
 *  3. enters user mode with HYPERVISOR_iret (CS FLAT_USER_CS64, SS
 *     FLAT_USER_SS64, RPL 3);
 *  4. user code loads every free register with a known value and issues
 *     SYSCALL twice. The callback must run in kernel mode (hypercalls work,
 *     the kernel-only address is mapped, the user-only one is not) on the
 *     stack_switch stack, 16-byte aligned, with RCX, R11, RIP, CS, RFLAGS,
 *     RSP, SS from the top: RCX = RIP = the instruction after SYSCALL,
 *     R11 = the user RFLAGS, CS/SS the flat user selectors (RPL 3) with the
 *     saved upcall mask in bits 32-39 of CS, RFLAGS the user's (DF and CF
 *     included) with IF the inverse of that mask, and the other registers
 *     as user mode left them. The first SYSCALL returns with
 *     HYPERVISOR_iret and VGCF_in_syscall, as Linux's xen_sysret64 does,
 *     but with RCX and R11 in the frame set to junk: user mode sees RAX,
 *     RIP, RFLAGS and RSP from the frame, RCX = RIP and R11 = RFLAGS (the
 *     frame's RCX and R11 are discarded: Xen returns with SYSRET), and
 *     every other register unchanged. The second returns with flags 0:
 *     RCX and R11 then come from the frame;
 *  5. from user mode: int $0x80 and int $0x81 through gates of DPL 3 and
 *     int3 (the kit's #BP gate has DPL 3) reach their handlers with RIP
 *     after the instruction; int $0x81 through a gate of DPL 1 or 0 is a
 *     #GP with error code (0x81 << 3) | 2 and RIP at the instruction (a
 *     guest kernel may use DPL 1 gates, user code needs DPL 3), but int
 *     $0x80 through a gate of DPL 0 still reaches vector 0x80; a read of
 *     an unmapped address, a read of the kernel-only address, a write to
 *     an unmapped address, a write to a read-only page and a fetch from an
 *     NX page are #PF with the U bit (4) in the error code (4, 4, 6, 7,
 *     0x15) and the address in vcpu_info.arch.cr2; a read of the user-only
 *     address works. Every one arrives on the stack_switch stack with the
 *     user context's RIP, CS (FLAT_USER_CS64, RPL 3), RFLAGS, RSP, SS
 *     (FLAT_USER_SS64) and RCX/R11, and HYPERVISOR_iret (flags 0) resumes
 *     user mode with RCX and R11 restored;
 *  6. each user run ends with a SYSCALL that the callback turns into a
 *     return to the kernel context that entered user mode; the test then
 *     drops the user base pointer, unpins the user L4 and the test tables
 *     and ends in SUCCESS.
 *
 * Events stay masked throughout (the kit never unmasks them): the iret
 * frames carry RFLAGS.IF clear, which keeps vcpu_info.evtchn_upcall_mask
 * set in user mode too, and no event callback is needed.
 *
 * Xen 4.17 facts (xen/arch/x86/x86_64/entry.S, xen/arch/x86/pv/iret.c,
 * public/arch-x86/xen-x86_64.h, and what Debian's 4.17.7 does here):
 *  - FLAT_KERNEL_CS64 == FLAT_USER_CS64 == 0xe033 and FLAT_KERNEL_SS64 ==
 *    FLAT_USER_SS64 == 0xe02b: the selectors alone do not tell the modes
 *    apart. A bounce frame says "kernel context" by clearing the RPL of
 *    the saved CS; a user context keeps RPL 3.
 *  - A bounce from user mode switches to kernel mode first and writes the
 *    frame below the stack_switch stack pointer rounded down to 16 bytes.
 *  - SYSCALL from user mode goes to the syscall callback with RCX and R11
 *    as the hardware left them (user RIP after SYSCALL, user RFLAGS with
 *    the real IF, always set).
 *  - The RFLAGS the callback itself starts with is not checked: Xen means
 *    to clear DF there (a virtual SYSCALL_MASK), but 4.17.7 enters it with
 *    the user RFLAGS ANDed with the low 32 bits of the frame's address
 *    (0xe43 -> 0xe40 for a frame at ...0fc8, DF kept): the DF-clearing AND
 *    after create_bounce_frame uses %esi, which create_bounce_frame
 *    clobbers with the guest stack pointer. The frame itself is right.
 *  - HYPERVISOR_iret switches to user mode when the frame's CS has RPL 3;
 *    with VGCF_in_syscall it returns with SYSRET (RCX = RIP, R11 = RFLAGS
 *    with IF set), else RCX and R11 come from the frame. RFLAGS.IOPL and VM
 *    are dropped, IF is forced on in hardware and the frame's IF becomes
 *    the inverse of the upcall mask.
 *  - Exception frames carry the RFLAGS image the CPU pushed: RF set for a
 *    fault (#PF, #GP), clear for int3. int $0x80 has a DPL 3 gate in Xen's
 *    IDT (int80_direct_trap): once a handler is registered for 0x80 it is
 *    delivered whatever that handler's DPL, from user mode too, with RF
 *    clear (a trap). Any other int $N hits a DPL 0 gate, so the CPU raises
 *    #GP and Xen turns it into vector N when the guest's gate allows
 *    (DPL 3 for user mode, DPL >= 1 for the kernel), keeping the #GP's
 *    RFLAGS image: RF set.
 */
#include <kit/kit.h>
#include <kit/pt.h>
#include <kit/traps.h>
#include "user-mode.h"

#define EFLAGS_IF   0x200UL
#define EFLAGS_DF   0x400UL
#define EFLAGS_RF   0x10000UL

/* L4 slots of the two test mappings. */
#define KERNEL_SLOT 300     /* only in the kernel's L4 */
#define USER_SLOT   301     /* only in the user L4 */
#define TAG         0x7a67a67a67a67a67UL

/* From user.S. */
void um_enter(const void *fn, unsigned long user_sp);
void um_exit_to_kernel(void) KIT_NORETURN;
void um_syscall(struct kit_trap_frame *f);
extern const char um_syscall_entry[], um_stub_0x80[], um_stub_0x81[];
extern const char um_user_syscalls[], um_sys_ret1[], um_sys_ret2[];
extern const char um_user_read[], um_user_read_insn[], um_user_read_resume[];
extern const char um_user_write[], um_user_write_insn[], um_user_write_resume[];
extern const char um_user_exec[], um_user_exec_insn[], um_user_exec_resume[];
extern const char um_user_int80[], um_user_int80_insn[], um_user_int80_resume[];
extern const char um_user_int81[], um_user_int81_insn[], um_user_int81_resume[];
extern const char um_user_int3[], um_user_int3_insn[], um_user_int3_resume[];

/* Shared with user.S (the user code writes um_before*, um_after*, um_post). */
unsigned long um_kernel_rsp, um_sys_entry_rsp;
unsigned long um_target;
unsigned long um_before1[UMR_WORDS], um_after1[UMR_WORDS];
unsigned long um_before2[UMR_WORDS], um_after2[UMR_WORDS];
unsigned long um_post[UMR_WORDS];

/* The user stack and the kernel stack given to stack_switch. */
static uint8_t user_stack[16384] __attribute__((aligned(16)));
static uint8_t kernel_stack[16384] __attribute__((aligned(16)));
#define USER_SP     ((unsigned long)(user_stack + sizeof(user_stack)))
#define KERNEL_SP   ((unsigned long)(kernel_stack + sizeof(kernel_stack)))

/* The tagged page, and pages remapped read-only and no-execute. */
static uint64_t tag_page[512] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static uint8_t nx_page[4096] __attribute__((aligned(4096)));

static unsigned long kernel_va, user_va;    /* slot 300 and 301 addresses */

/* What the syscall callback saw, per round (0: SYSRET way, 1: IRET way). */
struct sys_seen {
    unsigned int count;
    struct kit_trap_frame f;
    unsigned long entry_rsp;
    uint8_t upcall_mask;
    bool kernel_va_ok, user_va_faults, hypercall_ok;
    uint64_t kernel_va_val;
};
static struct sys_seen sys_seen[2];
static unsigned int sys_exits, sys_unknown;

/*
 * The syscall callback's C half (see user.S): record, then either go back
 * to the kernel context that entered user mode, or return to user mode
 * with RAX = ~nr and RFLAGS as the round says, by VGCF_in_syscall or not.
 */
void um_syscall(struct kit_trap_frame *f)
{
    unsigned long nr = f->rax;
    struct sys_seen *s;
    long ver;

    if ( nr == UM_NR_EXIT )
    {
        sys_exits++;
        um_exit_to_kernel();
    }
    if ( nr != UM_NR_RET_SYSRET && nr != UM_NR_RET_IRET )
    {
        sys_unknown++;
        um_exit_to_kernel();
    }
    s = &sys_seen[nr == UM_NR_RET_IRET];
    s->count++;
    s->f = *f;
    s->entry_rsp = um_sys_entry_rsp;
    s->upcall_mask = kit_vcpu_info()->evtchn_upcall_mask;
    /* Kernel mode: the kernel root is live and hypercalls are hypercalls. */
    s->kernel_va_ok = !kit_pt_read_faults((const volatile void *)kernel_va,
                                          &s->kernel_va_val);
    s->user_va_faults = kit_pt_read_faults((const volatile void *)user_va, NULL);
    ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    s->hypercall_ok = ver > 0 && (ver >> 16) >= 3;

    f->rax = ~nr;
    f->cs = FLAT_USER_CS64;
    f->ss = FLAT_USER_SS64;
    f->rcx = UM_RET_RCX;
    f->r11 = UM_RET_R11;
    if ( nr == UM_NR_RET_SYSRET )
    {
        /* Linux's xen_sysret64 way (it has RCX = RIP, R11 = RFLAGS here). */
        f->rflags = UM_RET_RFLAGS1;
        f->error_code = VGCF_in_syscall;
    }
    else
    {
        f->rflags = UM_RET_RFLAGS2;
        f->error_code = 0;
    }
}

/* The last exception the hook took. */
static bool armed;
static const char *resume_at;
static struct kit_trap_frame seen;
static unsigned long seen_frame_top, seen_cr2;
static unsigned int seen_count;

static bool hook(struct kit_trap_frame *f)
{
    if ( !armed || f->vector == KIT_VECTOR_UPCALL )
        return false;
    armed = false;
    seen = *f;
    seen_frame_top = (unsigned long)(&f->ss + 1);
    seen_cr2 = kit_vcpu_info()->arch.cr2;
    seen_count++;
    f->rip = (unsigned long)resume_at;
    return true;
}

static void expect_eq(const char *what, const char *field, unsigned long got,
                      unsigned long want)
{
    if ( got != want )
        kit_test_failure("%s: %s %#lx, want %#lx", what, field, got, want);
}

static unsigned long new_table(const char *what)
{
    unsigned long pfn = kit_pt_new_table();

    if ( !pfn )
        kit_test_abort("no spare page for %s", what);
    return kit_pfn_to_mfn(pfn);
}

/*
 * Step 1: the L3 -> L2 -> L1 -> tag_page chain at the kernel's slot 300,
 * and the user L4 (the kernel's guest slots but 300, plus the chain at
 * 301), pinned and installed as the user base pointer. Returns its mfn.
 */
static unsigned long l1, l2, l3;

static unsigned long build_user_l4(void)
{
    const uint64_t table = KIT_PTE_P | KIT_PTE_RW | KIT_PTE_A | KIT_PTE_US;
    const uint64_t data = table | KIT_PTE_D;
    unsigned long root = kit_pt_root(), pfn, mfn;
    uint64_t *w, val = 0;
    unsigned int i;
    long rc;

    for ( i = 0; i < 512; i++ )
        tag_page[i] = TAG ^ i;
    if ( kit_pt_read(root, KERNEL_SLOT) || kit_pt_read(root, USER_SLOT) )
        kit_test_abort("L4 slots %u/%u are in use", KERNEL_SLOT, USER_SLOT);
    kernel_va = kit_pt_va(KERNEL_SLOT, 0, 0, 0);
    user_va = kit_pt_va(USER_SLOT, 0, 0, 0);

    l1 = new_table("an L1");
    l2 = new_table("an L2");
    l3 = new_table("an L3");
    kit_expect_rc("pin L1", kit_pin(1, l1), 0);
    kit_expect_rc("L1[0] = tag_page",
                  kit_pt_set(l1, 0, kit_pte(kit_virt_to_mfn(tag_page), data)), 0);
    kit_expect_rc("pin L2", kit_pin(2, l2), 0);
    kit_expect_rc("L2[0] = L1", kit_pt_set(l2, 0, kit_pte(l1, table)), 0);
    kit_expect_rc("pin L3", kit_pin(3, l3), 0);
    kit_expect_rc("L3[0] = L2", kit_pt_set(l3, 0, kit_pte(l2, table)), 0);
    kit_expect_rc("kernel L4[300] = L3",
                  kit_pt_set(root, KERNEL_SLOT, kit_pte(l3, table)), 0);

    pfn = kit_spare_pfn();
    if ( !pfn )
        kit_test_abort("no spare page for the user L4");
    mfn = kit_pfn_to_mfn(pfn);
    w = kit_pfn_to_virt(pfn);
    for ( i = 0; i < KIT_PT_ENTRIES; i++ )
        w[i] = (i >= KIT_L4_XEN_FIRST && i <= KIT_L4_XEN_LAST) ||
               i == KERNEL_SLOT ? 0 : kit_pt_read(root, i);
    w[USER_SLOT] = kit_pte(l3, table);
    kit_expect_rc("make the user L4 read-only", kit_pfn_set_writable(pfn, false), 0);
    kit_expect_rc("pin the user L4", kit_pin(4, mfn), 0);
    rc = kit_mmuext(MMUEXT_NEW_USER_BASEPTR, mfn);
    if ( rc )
        kit_test_abort("MMUEXT_NEW_USER_BASEPTR: %ld", rc);

    /* Kernel mode sees slot 300 and not 301. */
    if ( kit_pt_read_faults((const volatile void *)kernel_va, &val) || val != TAG )
        kit_test_failure("kernel mode: %#lx not mapped to the tag page (%#lx)",
                         kernel_va, (unsigned long)val);
    if ( !kit_pt_read_faults((const volatile void *)user_va, NULL) )
        kit_test_failure("kernel mode: the user-only %#lx is mapped", user_va);
    kit_printf("user L4 mfn %#lx (kernel L4 %#lx), kernel-only va %#lx, "
               "user-only va %#lx\n", mfn, root, kernel_va, user_va);
    return mfn;
}

/* Check one register record against the state it should equal. */
static void expect_regs(const char *what, const unsigned long *got,
                        const unsigned long *want)
{
    static const char *const names[UMR_WORDS] = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rflags",
    };
    unsigned int i;

    for ( i = 0; i < UMR_WORDS; i++ )
        if ( i != UMR_RAX && i != UMR_RCX && i != UMR_R11 && i != UMR_RFLAGS )
            expect_eq(what, names[i], got[i], want[i]);
}

/* The frame of the callback against the user state before SYSCALL. */
static void check_sys_frame(const char *what, const struct sys_seen *s,
                            const unsigned long *before, const char *ret)
{
    const struct kit_trap_frame *f = &s->f;
    unsigned long regs[UMR_WORDS] = {
        f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->rsp,
        f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
        f->rflags,
    };

    kit_printf("%s: callback frame rcx %#lx r11 %#lx rip %#lx cs %#lx "
               "rflags %#lx rsp %#lx ss %#lx at %#lx\n", what, f->rcx,
               f->r11, f->rip, f->cs, f->rflags, f->rsp, f->ss, s->entry_rsp);
    if ( s->count != 1 )
    {
        kit_test_failure("%s: the syscall callback ran %u times", what, s->count);
        return;
    }
    expect_eq(what, "callback frame at", s->entry_rsp, (KERNEL_SP & ~15UL) - 7 * 8);
    expect_eq(what, "rax", f->rax, before[UMR_RAX]);
    expect_eq(what, "rcx", f->rcx, (unsigned long)ret);
    expect_eq(what, "rip", f->rip, (unsigned long)ret);
    expect_eq(what, "r11", f->r11, before[UMR_RFLAGS]);
    expect_eq(what, "cs", f->cs & 0xffff, FLAT_USER_CS64);
    expect_eq(what, "saved upcall mask", (f->cs >> 32) & 0xff, 1);
    expect_eq(what, "ss", f->ss, FLAT_USER_SS64);
    expect_eq(what, "rflags", f->rflags, before[UMR_RFLAGS] & ~EFLAGS_IF);
    expect_regs(what, regs, before);
    if ( s->upcall_mask != 1 )
        kit_test_failure("%s: upcall mask %u in the callback", what, s->upcall_mask);
    if ( !s->hypercall_ok )
        kit_test_failure("%s: xen_version failed in the callback", what);
    if ( !s->kernel_va_ok || s->kernel_va_val != TAG )
        kit_test_failure("%s: the callback cannot read the kernel-only va "
                         "(%#lx): not on the kernel page tables", what,
                         (unsigned long)s->kernel_va_val);
    if ( !s->user_va_faults )
        kit_test_failure("%s: the callback can read the user-only va: "
                         "not on the kernel page tables", what);
}

/* Step 4: the two system calls and their returns. */
static void check_syscalls(void)
{
    unsigned int exits = sys_exits;

    memset(sys_seen, 0, sizeof(sys_seen));
    um_enter(um_user_syscalls, USER_SP);
    if ( sys_exits != exits + 1 || sys_unknown )
        kit_test_failure("syscalls: %u exits, %u unknown calls",
                         sys_exits - exits, sys_unknown);

    check_sys_frame("syscall 1", &sys_seen[0], um_before1, um_sys_ret1);
    check_sys_frame("syscall 2", &sys_seen[1], um_before2, um_sys_ret2);
    if ( !(um_before2[UMR_RFLAGS] & EFLAGS_DF) )
        kit_test_error("syscall 2: user mode did not set DF");

    kit_printf("syscall 1 back (VGCF_in_syscall): rax %#lx rcx %#lx r11 %#lx "
               "rflags %#lx rsp %#lx\n", um_after1[UMR_RAX], um_after1[UMR_RCX],
               um_after1[UMR_R11], um_after1[UMR_RFLAGS], um_after1[UMR_RSP]);
    expect_eq("return 1", "rax", um_after1[UMR_RAX], ~(unsigned long)UM_NR_RET_SYSRET);
    expect_eq("return 1", "rcx (= rip, by SYSRET)", um_after1[UMR_RCX],
              (unsigned long)um_sys_ret1);
    expect_eq("return 1", "r11 (= rflags, by SYSRET)", um_after1[UMR_R11],
              UM_RET_RFLAGS1 | EFLAGS_IF);
    expect_eq("return 1", "rflags", um_after1[UMR_RFLAGS], UM_RET_RFLAGS1 | EFLAGS_IF);
    expect_regs("return 1", um_after1, um_before1);

    kit_printf("syscall 2 back (flags 0): rax %#lx rcx %#lx r11 %#lx "
               "rflags %#lx rsp %#lx\n", um_after2[UMR_RAX], um_after2[UMR_RCX],
               um_after2[UMR_R11], um_after2[UMR_RFLAGS], um_after2[UMR_RSP]);
    expect_eq("return 2", "rax", um_after2[UMR_RAX], ~(unsigned long)UM_NR_RET_IRET);
    expect_eq("return 2", "rcx", um_after2[UMR_RCX], UM_RET_RCX);
    expect_eq("return 2", "r11", um_after2[UMR_R11], UM_RET_R11);
    expect_eq("return 2", "rflags", um_after2[UMR_RFLAGS], UM_RET_RFLAGS2 | EFLAGS_IF);
    expect_regs("return 2", um_after2, um_before2);
}

/* Step 5: one user-mode exception (or none: vector -1). */
struct ucase {
    const char *what;
    const char *fn, *insn, *resume;
    unsigned long target;       /* um_target for read/write/exec */
    long vector;                /* -1: none expected */
    unsigned long ec;
    bool trap;                  /* RIP after the instruction */
    bool cr2;                   /* check CR2 = target */
    bool rf;                    /* RFLAGS.RF in the frame (faults) */
};

static void run_case(const struct ucase *c)
{
    unsigned int n = seen_count, exits = sys_exits;
    unsigned long want_rip = c->trap ? (unsigned long)c->resume :
                             (unsigned long)c->insn;

    if ( c->fn == um_user_exec )
        want_rip = c->target;   /* an instruction fetch faults at its target */
    memset(um_post, 0, sizeof(um_post));
    um_target = c->target;
    resume_at = c->resume;
    armed = true;
    um_enter(c->fn, USER_SP);
    armed = false;
    if ( sys_exits != exits + 1 || sys_unknown )
        kit_test_failure("%s: user run did not end by its exit syscall", c->what);

    if ( c->vector < 0 )
    {
        kit_printf("%s: %u exceptions, rax %#lx\n", c->what, seen_count - n,
                   um_post[UMR_RAX]);
        if ( seen_count != n )
            kit_test_failure("%s: exception %lu (error code %#lx) at %#lx", c->what,
                             seen.vector, seen.error_code, seen.rip);
        return;
    }
    if ( seen_count != n + 1 )
    {
        kit_test_failure("%s: no exception reached the handler", c->what);
        return;
    }
    kit_printf("%s: vector %#lx ec %#lx rip %#lx cs %#lx rflags %#lx rsp %#lx "
               "ss %#lx%s", c->what, seen.vector, seen.error_code, seen.rip,
               seen.cs, seen.rflags, seen.rsp, seen.ss, c->cr2 ? "" : "\n");
    if ( c->cr2 )
        kit_printf(" cr2 %#lx\n", seen_cr2);
    expect_eq(c->what, "vector", seen.vector, (unsigned long)c->vector);
    expect_eq(c->what, "error code", seen.error_code, c->ec);
    expect_eq(c->what, "rip", seen.rip, want_rip);
    expect_eq(c->what, "cs", seen.cs & 0xffff, FLAT_USER_CS64);
    expect_eq(c->what, "saved upcall mask", (seen.cs >> 32) & 0xff, 1);
    /* The user RFLAGS (0x202: as um_enter left them) without IF (masked). */
    expect_eq(c->what, "rflags", seen.rflags, 0x2 | (c->rf ? EFLAGS_RF : 0));
    expect_eq(c->what, "rsp", seen.rsp, USER_SP);
    expect_eq(c->what, "ss", seen.ss, FLAT_USER_SS64);
    expect_eq(c->what, "rcx", seen.rcx, UM_MAGIC_RCX);
    expect_eq(c->what, "r11", seen.r11, UM_MAGIC_R11);
    expect_eq(c->what, "frame top (stack_switch stack)", seen_frame_top,
              KERNEL_SP & ~15UL);
    if ( c->cr2 )
        expect_eq(c->what, "cr2", seen_cr2, c->target);
    /* Resumed in user mode by HYPERVISOR_iret, flags 0. */
    expect_eq(c->what, "rcx after resume", um_post[UMR_RCX], UM_MAGIC_RCX);
    expect_eq(c->what, "r11 after resume", um_post[UMR_R11], UM_MAGIC_R11);
    expect_eq(c->what, "rsp after resume", um_post[UMR_RSP], USER_SP);
}

#define CASE(w, name, tgt, vec, e, tr, c2, f)                               \
    { .what = w, .fn = name, .insn = name##_insn, .resume = name##_resume,  \
      .target = (tgt), .vector = (vec), .ec = (e), .trap = (tr), .cr2 = (c2), \
      .rf = (f) }

static void remap(void *page, unsigned long flags)
{
    long rc = kit_map_mfn(page, kit_virt_to_mfn(page),
                          KIT_PTE_P | KIT_PTE_A | KIT_PTE_D | KIT_PTE_US | flags);

    if ( rc )
        kit_test_abort("update_va_mapping of %p: %ld", page, rc);
}

static void check_exceptions(void)
{
    const unsigned long gp_81 = (0x81 << 3) | 2;
    const struct ucase faults[] = {
        CASE("#PF user read unmapped", um_user_read, 0x1000, 14, 4, false, true, true),
        CASE("#PF user write unmapped", um_user_write, 0x1000, 14, 6, false, true, true),
        CASE("#PF user read kernel-only", um_user_read, kernel_va, 14, 4, false,
             true, true),
        CASE("#PF user write read-only", um_user_write, (unsigned long)ro_page,
             14, 7, false, true, true),
        CASE("#PF user fetch NX", um_user_exec, (unsigned long)nx_page,
             14, 0x15, false, true, true),
        CASE("#BP user int3", um_user_int3, 0, 3, 0, true, false, false),
    };
    const struct ucase user_read = CASE("user read user-only", um_user_read,
                                        user_va, -1, 0, false, false, false);
    const struct ucase int80 = CASE("int $0x80 DPL 3", um_user_int80, 0,
                                    0x80, 0, true, false, false);
    /*
     * int $0x81 reaches Xen as a #GP (its gate in Xen's IDT has DPL 0),
     * which Xen turns into vector 0x81 with the #GP's RFLAGS: RF set.
     */
    const struct ucase int81 = CASE("int $0x81 DPL 3", um_user_int81, 0,
                                    0x81, 0, true, false, true);
    const struct ucase int81_dpl1 = CASE("int $0x81 DPL 1", um_user_int81, 0,
                                         13, gp_81, false, false, true);
    const struct ucase int81_dpl0 = CASE("int $0x81 DPL 0", um_user_int81, 0,
                                         13, gp_81, false, false, true);
    /* Xen's int $0x80 direct trap ignores the gate's DPL, from user mode too. */
    const struct ucase int80_dpl0 = CASE("int $0x80 DPL 0", um_user_int80, 0,
                                         0x80, 0, true, false, false);
    unsigned int i;

    remap(ro_page, 0);
    remap(nx_page, KIT_PTE_RW | KIT_PTE_NX);
    nx_page[0] = 0xc3;
    /*
     * The kernel read the kernel-only address: drop any TLB entry of it
     * (Xen may make _PAGE_USER entries global, which a CR3 switch keeps).
     */
    kit_expect_rc("INVLPG kernel-only va", kit_mmuext(MMUEXT_INVLPG_LOCAL, kernel_va), 0);
    for ( i = 0; i < KIT_ARRAY_SIZE(faults); i++ )
        run_case(&faults[i]);
    run_case(&user_read);
    expect_eq("user read user-only", "value", um_post[UMR_RAX], TAG);

    kit_set_trap_gate(0x80, 3, um_stub_0x80);
    kit_set_trap_gate(0x81, 3, um_stub_0x81);
    run_case(&int80);
    run_case(&int81);
    kit_set_trap_gate(0x81, 1, um_stub_0x81);
    run_case(&int81_dpl1);
    kit_set_trap_gate(0x81, 0, um_stub_0x81);
    run_case(&int81_dpl0);
    kit_set_trap_gate(0x80, 0, um_stub_0x80);
    run_case(&int80_dpl0);

    remap(ro_page, KIT_PTE_RW);
    remap(nx_page, KIT_PTE_RW);
}

void test_main(const start_info_t *si)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .address = (unsigned long)um_syscall_entry,
    };
    unsigned long user_l4;
    long rc;

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    kit_trap_hook = hook;

    user_l4 = build_user_l4();

    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if ( rc )
        kit_test_abort("callback_op register syscall: %ld", rc);
    rc = KIT_HC(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS, KERNEL_SP, 0, 0, 0);
    if ( rc )
        kit_test_abort("stack_switch: %ld", rc);

    check_syscalls();
    check_exceptions();

    /* Back in kernel mode for good: release the user root. */
    kit_expect_rc("NEW_USER_BASEPTR 0", kit_mmuext(MMUEXT_NEW_USER_BASEPTR, 0), 0);
    kit_expect_rc("unpin the user L4", kit_unpin(user_l4), 0);
    kit_expect_rc("unhook kernel L4[300]", kit_pt_set(kit_pt_root(), KERNEL_SLOT, 0), 0);
    kit_expect_rc("unpin L3", kit_unpin(l3), 0);
    kit_expect_rc("unpin L2", kit_unpin(l2), 0);
    kit_expect_rc("unpin L1", kit_unpin(l1), 0);
    kit_expect_rc("TLB_FLUSH_LOCAL", kit_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0), 0);
    kit_trap_hook = NULL;
    kit_printf("user-mode: %u user exceptions, %u user runs\n", seen_count, sys_exits);
    (void)si;
    kit_test_success();
}
