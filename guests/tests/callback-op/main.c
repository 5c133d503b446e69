/* SPDX-License-Identifier: MIT */
/*
 * Test guest callback-op: callback_op and set_callbacks register and
 * refuse as Xen 4.17 does for a 64-bit PV guest, the NMI callback
 * included (no NMI is raised: only the registration is checked).
 *
 * Proves: CALLBACKOP_register takes any canonical address for event,
 * failsafe, syscall, syscall32, sysenter and NMI (the hole of the
 * hypervisor included), -EINVAL for a non-canonical one (checked before
 * the type), -ENOSYS for an unknown type; CALLBACKOP_unregister removes
 * the NMI callback (0, twice), -EINVAL for the others, -ENOSYS for an
 * unknown type; an unknown command is -ENOSYS and an unreadable argument
 * -EFAULT; set_callbacks returns 0 even when an address is refused;
 * set_trap_table refuses a non-canonical handler with -EINVAL.
 */
#include <kit/kit.h>
#include <kit/traps.h>

#define NONCANON 0x8000000000000000UL
#define IN_HOLE  0xffff800000001000UL     /* canonical, in Xen's area */

static void nmi_handler(void)
{
}

static long reg(uint16_t type, unsigned long address, uint16_t flags)
{
    struct callback_register r = { .type = type, .flags = flags,
                                   .address = address };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &r);
}

static long unreg(uint16_t type)
{
    struct callback_unregister u = { .type = type };

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &u);
}

static void expect(const char *what, long rc, long want)
{
    kit_printf("%s: %ld\n", what, rc);
    if ( rc != want )
        kit_test_failure("%s: %ld, want %ld", what, rc, want);
}

void test_main(const start_info_t *si)
{
    unsigned long ev = (unsigned long)kit_upcall_entry;
    unsigned long nmi = (unsigned long)nmi_handler;
    struct trap_info bad_table[2] = {
        { .vector = 0x82, .flags = 0, .cs = FLAT_KERNEL_CS, .address = NONCANON },
        { .address = 0 },
    };

    expect("register nmi", reg(CALLBACKTYPE_nmi, nmi, 0), 0);
    expect("register nmi non-canonical", reg(CALLBACKTYPE_nmi, NONCANON, 0),
           -XEN_EINVAL);
    expect("register nmi in the hole", reg(CALLBACKTYPE_nmi, IN_HOLE, 0), 0);
    expect("unregister nmi", unreg(CALLBACKTYPE_nmi), 0);
    expect("unregister nmi again", unreg(CALLBACKTYPE_nmi), 0);
    expect("register nmi again", reg(CALLBACKTYPE_nmi, nmi, CALLBACKF_mask_events), 0);

    expect("register event", reg(CALLBACKTYPE_event, ev, 0), 0);
    expect("register failsafe (masking)",
           reg(CALLBACKTYPE_failsafe, ev, CALLBACKF_mask_events), 0);
    expect("register syscall", reg(CALLBACKTYPE_syscall, ev, 0), 0);
    expect("register syscall32", reg(CALLBACKTYPE_syscall32, ev, 0), 0);
    expect("register sysenter", reg(CALLBACKTYPE_sysenter, ev, 0), 0);
    expect("register event in the hole", reg(CALLBACKTYPE_event, IN_HOLE, 0), 0);
    expect("register event again", reg(CALLBACKTYPE_event, ev, 0), 0);
    expect("register event non-canonical", reg(CALLBACKTYPE_event, NONCANON, 0),
           -XEN_EINVAL);
    expect("register type 99", reg(99, ev, 0), -XEN_ENOSYS);
    expect("register type 99 non-canonical", reg(99, NONCANON, 0), -XEN_EINVAL);

    expect("unregister event", unreg(CALLBACKTYPE_event), -XEN_EINVAL);
    expect("unregister failsafe", unreg(CALLBACKTYPE_failsafe), -XEN_EINVAL);
    expect("unregister syscall", unreg(CALLBACKTYPE_syscall), -XEN_EINVAL);
    expect("unregister syscall32", unreg(CALLBACKTYPE_syscall32), -XEN_EINVAL);
    expect("unregister sysenter", unreg(CALLBACKTYPE_sysenter), -XEN_EINVAL);
    expect("unregister type 99", unreg(99), -XEN_ENOSYS);

    expect("callback_op cmd 99", HYPERVISOR_callback_op(99, NULL), -XEN_ENOSYS);
    expect("register from a bad pointer",
           HYPERVISOR_callback_op(CALLBACKOP_register, (void *)NONCANON),
           -XEN_EFAULT);
    expect("unregister from NULL",
           HYPERVISOR_callback_op(CALLBACKOP_unregister, NULL), -XEN_EFAULT);

    expect("set_callbacks with a non-canonical failsafe",
           HYPERVISOR_set_callbacks(ev, NONCANON, ev), 0);
    expect("set_callbacks", HYPERVISOR_set_callbacks(ev, ev, ev), 0);

    expect("set_trap_table non-canonical", HYPERVISOR_set_trap_table(bad_table),
           -XEN_EINVAL);
    kit_test_success();
}
