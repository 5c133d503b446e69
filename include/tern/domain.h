/* SPDX-License-Identifier: MIT */
/* Domains and vCPUs (core/domain.c, core/dom-build.c). */
#ifndef TERN_DOMAIN_H
#define TERN_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/config.h>
#include <asm/regs.h>
#include <tern/boot-domains.h>
#include <tern/event.h>
#include <tern/sched-policy.h>
#include <tern/spinlock.h>
#include <tern/timer.h>
#include <xen/vcpu.h>
#include <xen/xen.h>

#define MAX_DOMAINS   64
#define DOM_LINE_MAX  200            /* a guest console line longer than this is split */

/* The PV state of a vCPU that the architecture keeps (arch/x86_64/pv/). */
struct pv_vcpu {
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE image */
    struct cpu_regs regs;            /* guest registers while not running */
    uint64_t kernel_cr3;             /* machine address of the kernel L4 */
    uint64_t user_cr3;               /* of the user L4, 0 if none */
    bool kernel_mode;                /* guest kernel (vs. guest user) */
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint64_t kernel_sp, kernel_ss;   /* stack_switch */
    struct trap_info traps[256];     /* set_trap_table; address 0 = none */
    uint64_t event_callback, failsafe_callback, syscall_callback;
    bool syscall_masks_events;       /* CALLBACKF_mask_events on syscall */
    bool failsafe_masks_events;
    bool fpu_ts;                     /* virtual CR0.TS (fpu_taskswitch) */
    unsigned int iopl;               /* virtual IOPL 0..3 (PHYSDEVOP_set_iopl) */
    /* Debug registers (pv/debugreg.c); dr6 and dr7 read as their reset
     * values while 0 (a real DR6/DR7 always has reserved bits set). */
    uint64_t dr[4], dr6, dr7;
    uint32_t dr7_emul;               /* I/O breakpoint enables, emulated */
    uint64_t cr4;                    /* guest-set bits of the virtual CR4 (DE, FSGSBASE) */
    /* Emulated port state (pv/emulate.c); per domain on Xen, kept here
     * while a domain has one vCPU. */
    uint8_t cmos_idx;                /* port 0x70 */
    uint32_t pci_cf8;                /* port 0xcf8 */
    uint64_t mci_ctl[2];             /* virtual MCE bank controls (pv/emulate.c) */
    /* Data segment selectors while not running (pv/context.c); they
     * start NUL, which is FLAT_KERNEL_DS for a 64-bit guest. */
    uint16_t ds, es, fs, gs;
    /* A reload at switch-in failed: the failsafe callback is due, with
     * the selectors that were to be loaded (DS, ES, FS, GS). */
    bool failsafe_pending;
    uint16_t failsafe_segs[4];
    /* set_gdt (pv/descriptor.c): machine frames, and entries in use. */
    unsigned long gdt_frames[FIRST_RESERVED_GDT_PAGE];
    unsigned int gdt_ents;
    volatile bool gdt_stale;         /* another vCPU changed a descriptor of it */
    /* MMUEXT_SET_LDT (pv/ldt.c): the LDT's guest address and entries,
     * and the frame of each of its 16 possible pages mapped so far (0:
     * not yet), each holding a PGT_seg_desc_page reference. */
    uint64_t ldt_base;
    unsigned int ldt_ents;
    unsigned long ldt_frames[16];
    /* A guest NMI was delivered and the guest has not yet left its
     * handler with HYPERVISOR_iret (Xen's async_exception_mask bit for
     * VCPU_TRAP_NMI): a pending NMI waits (pv/traps.c). */
    bool nmi_masked;
};

struct domain;

struct vcpu {
    struct domain *domain;
    unsigned int vcpu_id;
    struct vcpu *next_in_list;       /* the domain's next vCPU (for_each_vcpu) */
    bool is_initialised;             /* has a context: the builder's or VCPUOP_initialise's */
    unsigned int processor;          /* pCPU it runs on or last ran on */
    bool running;                    /* on a pCPU, or its state not yet saved (sched lock) */
    bool runnable;                   /* wants a pCPU: vcpu_runnable() when last looked at */
    bool blocked;                    /* SCHEDOP_block/poll: waits for an event */
    bool down;                       /* no pCPU until brought up (vcpu_sleep/wake) */
    struct sched_unit sched;         /* the scheduling policy's state (core/schedule.c) */
    struct timer singleshot;         /* set_timer_op, VCPUOP_set_singleshot_timer */
    struct timer periodic;           /* VIRQ_TIMER every periodic_period ns, while it runs */
    s_time_t periodic_period;        /* 0: stopped */
    s_time_t periodic_last;          /* system time of its last periodic VIRQ_TIMER */
    spinlock_t periodic_lock;        /* periodic, periodic_period, periodic_last */
    struct timer poll_timer;         /* SCHEDOP_poll timeout */
    volatile bool polling;           /* in SCHEDOP_poll */
    evtchn_port_t poll_port;         /* the one port polled; 0: several (any wakes) */
    bool vcpu_info_registered;       /* VCPUOP_register_vcpu_info done */
    unsigned long vcpu_info_mfn;     /* then its frame, with a writable type ref */
    /* Ports of the VIRQs bound to this vCPU (the global ones: vCPU 0's). */
    evtchn_port_t virq_to_port[NR_VIRQS];
    uint64_t runstate_area;          /* guest va of its vcpu_runstate_info, or 0 */
    /* VCPUOP_register_vcpu_time_memory_area: guest va of a copy of its
     * vcpu_time_info (0: none), and a copy due once the guest kernel's
     * page tables are loaded again (the last write found user mode). */
    uint64_t time_area;
    bool time_area_pending;
    volatile bool nmi_pending;       /* VCPUOP_send_nmi: a guest NMI is due */
    struct vcpu_runstate_info runstate;
    struct vcpu_info *vcpu_info;     /* in the shared-info page */
    struct pv_vcpu pv;
};

struct domain {
    domid_t domain_id;
    char name[32];
    spinlock_t lock;
    struct domain_config cfg;
    shared_info_t *shared_info;      /* Tern's page, shared with the guest */
    unsigned long *p2m;              /* pfn -> mfn while it is built, then NULL
                                        (the guest keeps its own P2M) */
    unsigned long nr_pages, max_pages;
    unsigned long tot_pages;         /* frames it owns now (reservation) */
    unsigned long hypercall_page_pfn;   /* ~0ul when the guest has none */
    unsigned long console_mfn;       /* its console ring (Tern holds a ref) */
    uint32_t console_port, store_port;
    struct vcpu **vcpu;              /* max_vcpus of them (core/vcpu.c) */
    unsigned int max_vcpus;
    spinlock_t domain_lock;          /* vCPU contexts: initialise, up, vcpu_info */
    spinlock_t console_lock;         /* out_line, and the console ring's out side */
    struct evtchn *evtchn;           /* EVTCHN_MAX_PORTS channels */
    volatile bool dying;             /* ending: none of its vCPUs may run */
    int shutdown_reason;             /* SHUTDOWN_*, -1 while running */
    int shutdown_code;               /* SCHEDOP_shutdown_code, -1 if none */
    char out_line[DOM_LINE_MAX];     /* console output not yet printed */
    size_t out_len;
    uint32_t enosys_seen[2];         /* hypercall numbers logged as -ENOSYS */
    unsigned long vm_assist;         /* 1 << VMASST_TYPE_* enabled (vm_assist) */
    struct sched_dom sched;          /* weight, cap and budget (core/schedule.c) */
};

/* Build a domain from its boot description. Returns it, or NULL after
 * logging why (out of memory, a layout that does not fit). */
struct domain *domain_build(const struct boot_info *bi, const struct boot_domain *bd,
                            domid_t domid);
/* Free a domain's memory and forget it. */
void domain_destroy(struct domain *d);
/* Count a built domain as live (all of them before any runs, so that none
 * can be the last to end while others are still to start)... */
void domain_register(struct domain *d);
/* ...then let its first vCPU run. */
void domain_unpause(struct domain *d);
/* The domain asked to stop (SCHEDOP_shutdown) or Tern stops it (crash):
 * say why, free it, and power off when it was the last one. Called by the
 * domain's own running vCPU; does not return. */
void __noreturn domain_shutdown_current(int reason, const char *why);
/* Guest console output: bytes from console_io or the console ring, printed
 * with the domain's prefix at each line start. */
void domain_console_put(struct domain *d, const char *buf, size_t n);
/* Drain the domain's console ring to the serial line. */
void domain_console_flush(struct domain *d);
/* Serial input (core/domain.c): move the input focus to the next live
 * domain, or back to Tern after the last (three Ctrl-A, as on Xen), saying
 * who has it; give a byte to the domain with the focus (false when Tern
 * has it: the byte is a debug key). */
void domain_console_switch_focus(void);
bool domain_console_input(char c);

/* A vCPU's timers (core/hc-time.c); the periodic one has Xen's default
 * period of 10 ms from the start and runs only while the vCPU runs.
 * Nothing arms it before the vCPU's first switch-in (Xen's last periodic
 * event is at time 0: a first VIRQ_TIMER then). vcpu_set_singleshot arms the one-shot
 * timer for system time t (fired at once when t is past);
 * vcpu_set_periodic sets the period (0: stopped), sending VIRQ_TIMER at
 * once when a period has passed since the last one. vcpu_timers_kill
 * stops them for good (the vCPU is about to be freed). */
void vcpu_timer_init(struct vcpu *v);
void vcpu_set_singleshot(struct vcpu *v, s_time_t t);
void vcpu_set_periodic(struct vcpu *v, s_time_t period);
void vcpu_timers_kill(struct vcpu *v);
/* The context switch (core/schedule.c, interrupts off): v is leaving
 * this pCPU, its periodic timer stops (vcpu_periodic_stop); v has just
 * been loaded here: VIRQ_TIMER at once if a period has passed since its
 * last periodic one, then its periodic timer is armed for the next
 * (vcpu_periodic_resume, Xen's vcpu_periodic_timer_work). */
void vcpu_periodic_stop(struct vcpu *v);
void vcpu_periodic_resume(struct vcpu *v);
/* Account the end of v's current runstate and enter state (RUNSTATE_*),
 * under sched_lock; the guest's registered area is written when v is
 * current (vcpu_runstate_publish: that alone). vcpu_runstate_snapshot
 * copies v's runstate under the lock (core/schedule.c). */
void vcpu_runstate_update(struct vcpu *v, int state);
void vcpu_runstate_publish(struct vcpu *v);
void vcpu_runstate_snapshot(const struct vcpu *v, struct vcpu_runstate_info *ri);

/* Every vCPU of d, in id order. */
#define for_each_vcpu(d, v) \
    for ( (v) = (d)->vcpu ? (d)->vcpu[0] : NULL; (v); (v) = (v)->next_in_list )

/*
 * vCPUs (core/vcpu.c). vcpus_create gives d its n vCPUs once its shared
 * info exists: vCPU 0 up and initialised (the builder gives it its
 * context), the others down, each known to the scheduler; 0 or -ENOMEM
 * (-EINVAL when the scheduler refuses one). vcpus_put_refs drops what the
 * vCPUs hold of the domain's frames (base pointers, GDT, LDT and vcpu_info
 * frames; pt_lock held; no pCPU runs them). vcpus_free frees them.
 */
int vcpus_create(struct domain *d, unsigned int n);
void vcpus_put_refs(struct domain *d);
void vcpus_free(struct domain *d);
/* The 'v' debug key: each domain's vCPUs, their state and pCPU. */
void domain_dump_vcpus(void);

/* The live domain with this id, or NULL. */
struct domain *domain_by_id(domid_t id);

/* The guest frame at a guest physical page (via the direct map), while
 * the domain is built (d->p2m). */
void *domain_pfn_to_virt(const struct domain *d, unsigned long pfn);

#endif /* TERN_DOMAIN_H */
