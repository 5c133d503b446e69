/* SPDX-License-Identifier: MIT */
/* Kit: secondary vCPUs (theory in include/kit/smp.h). */
#include <kit/kit.h>
#include <kit/pt.h>
#include <kit/smp.h>

#define NR_TRAP_STUBS 22

extern const unsigned long kit_trap_stubs[NR_TRAP_STUBS];

static uint8_t vcpu_stacks[KIT_MAX_VCPUS][KIT_VCPU_STACK]
    __attribute__((aligned(16)));
static vcpu_info_t *vcpu_infos[KIT_MAX_VCPUS];
static struct vcpu_guest_context start_ctxt;

volatile kit_vcpu_upcall_t kit_vcpu_upcall_hook;

unsigned int kit_nr_vcpus(void)
{
    unsigned int n = 0;

    while ( n < KIT_MAX_VCPUS && HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0 )
        n++;
    return n;
}

unsigned int kit_vcpu_id(void)
{
    unsigned long sp = (unsigned long)__builtin_frame_address(0);
    unsigned long base = (unsigned long)vcpu_stacks;

    if ( sp >= base && sp < base + sizeof(vcpu_stacks) )
        return (unsigned int)((sp - base) / KIT_VCPU_STACK);
    return 0;
}

vcpu_info_t *kit_vcpu_info_of(unsigned int id)
{
    if ( id < KIT_MAX_VCPUS && vcpu_infos[id] )
        return vcpu_infos[id];
    return &kit_shared_info->vcpu_info[id];
}

void kit_vcpu_set_info(unsigned int id, vcpu_info_t *vi)
{
    if ( id < KIT_MAX_VCPUS )
        vcpu_infos[id] = vi;
}

/* Where a started vCPU begins (entered with RSP as after a call). */
static void KIT_NORETURN vcpu_main(unsigned int id, kit_vcpu_fn_t fn)
{
    for ( ;; )
    {
        fn(id);
        HYPERVISOR_vcpu_op(VCPUOP_down, id, NULL);
    }
}

void kit_vcpu_context(struct vcpu_guest_context *c, unsigned int id,
                      kit_vcpu_fn_t fn)
{
    unsigned long top = (unsigned long)vcpu_stacks[id] + KIT_VCPU_STACK;
    unsigned int v;

    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;
    c->user_regs.rip = (unsigned long)vcpu_main;
    c->user_regs.rsp = top - 8;
    c->user_regs.rdi = id;
    c->user_regs.rsi = (unsigned long)fn;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.rflags = 0x200;
    /* The virtual IDT, indexed by vector (unlike set_trap_table's list). */
    for ( v = 0; v < NR_TRAP_STUBS; v++ )
    {
        if ( v == 2 || v == 15 )
            continue;
        c->trap_ctxt[v].vector = (uint8_t)v;
        c->trap_ctxt[v].flags = (v == 3 || v == 4) ? 3 : 0;
        c->trap_ctxt[v].cs = FLAT_KERNEL_CS;
        c->trap_ctxt[v].address = kit_trap_stubs[v];
    }
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = top;
    c->ctrlreg[3] = xen_pfn_to_cr3(kit_pt_root());
    c->event_callback_eip = (unsigned long)kit_vcpu_upcall_entry;
}

long kit_vcpu_start(unsigned int id, kit_vcpu_fn_t fn)
{
    long rc;

    kit_vcpu_context(&start_ctxt, id, fn);
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &start_ctxt);
    if ( rc )
        return rc;
    return HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
}

/* Called from kit_vcpu_upcall_entry with events masked. */
void kit_vcpu_upcall(void);
void kit_vcpu_upcall(void)
{
    kit_vcpu_upcall_t hook = kit_vcpu_upcall_hook;
    unsigned int id = kit_vcpu_id();

    if ( hook )
        hook(id);
    else
        kit_vcpu_info_of(id)->evtchn_upcall_pending = 0;
}

/*
 * The event callback: Xen enters it with RCX, R11, RIP, CS, RFLAGS, RSP,
 * SS on the stack. Save what C may clobber, call kit_vcpu_upcall() on a
 * 16-byte aligned stack, and return with HYPERVISOR_iret (iret_context:
 * RAX, R11, RCX, flags, RIP, CS, RFLAGS, RSP, SS).
 */
__asm__(
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl kit_vcpu_upcall_entry\n"
    "kit_vcpu_upcall_entry:\n"
    "    popq %rcx\n"
    "    popq %r11\n"
    "    pushq %rax\n"
    "    pushq %rbx\n"
    "    pushq %rcx\n"
    "    pushq %rdx\n"
    "    pushq %rsi\n"
    "    pushq %rdi\n"
    "    pushq %r8\n"
    "    pushq %r9\n"
    "    pushq %r10\n"
    "    pushq %r11\n"
    "    movq %rsp, %rbx\n"
    "    andq $-16, %rsp\n"
    "    call kit_vcpu_upcall\n"
    "    movq %rbx, %rsp\n"
    "    popq %r11\n"
    "    popq %r10\n"
    "    popq %r9\n"
    "    popq %r8\n"
    "    popq %rdi\n"
    "    popq %rsi\n"
    "    popq %rdx\n"
    "    popq %rcx\n"
    "    popq %rbx\n"
    "    popq %rax\n"
    "    pushq $0\n"
    "    cmpl $0, kit_hypercall_mode(%rip)\n"
    "    jne 1f\n"
    "    jmp kit_hypercall_page + 23 * 32\n"
    "1:  pushq %rcx\n"
    "    pushq %r11\n"
    "    pushq %rax\n"
    "    movl $23, %eax\n"
    "    syscall\n"
    "    ud2\n"
    "    .popsection\n");
