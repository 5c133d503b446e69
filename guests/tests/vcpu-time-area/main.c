/* SPDX-License-Identifier: MIT */
/*
 * Test guest vcpu-time-area: VCPUOP_register_vcpu_time_memory_area.
 *
 * Proves, as Xen 4.17 x86 (arch_do_vcpu_op, update_secondary_system_time):
 * registering a guest virtual address returns 0 and fills it at once
 * with a copy of the vCPU's vcpu_time_info (same version, even, and same
 * fields, flags included); the copy follows every update of the pvclock
 * (its version changes within a few seconds of blocking and yielding,
 * always equal to vcpu_info's); an address a guest may not name (Xen's
 * hole, non-canonical) or an unreadable argument is -EFAULT; an unmapped
 * address is taken (0) and harms nothing; address 0 unregisters (the old
 * area is no longer written); another vCPU of the domain may be named
 * (its copy is written at once, in the caller's address space); a vCPU
 * that does not exist is -ENOENT.
 */
#include <kit/kit.h>
#include <kit/smp.h>

#define MS 1000000ULL

static struct vcpu_time_info area0 __attribute__((aligned(64)));
static struct vcpu_time_info area1 __attribute__((aligned(64)));
static struct vcpu_time_info old_area __attribute__((aligned(64)));

static long reg(unsigned int vcpu, uint64_t va)
{
    struct vcpu_register_time_memory_area a = { .addr.p = va };

    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, vcpu, &a);
}

/* A consistent copy of t (version even and unchanged); false if none. */
static bool read_time(const volatile struct vcpu_time_info *t,
                      struct vcpu_time_info *out)
{
    unsigned int tries;

    for ( tries = 0; tries < 1000000; tries++ )
    {
        uint32_t v = t->version;

        kit_rmb();
        memcpy(out, (const void *)t, sizeof(*out));
        kit_rmb();
        if ( !(v & 1) && v == t->version )
        {
            out->version = v;
            return true;
        }
    }
    return false;
}

static bool same_time(const struct vcpu_time_info *a,
                      const struct vcpu_time_info *b)
{
    return a->version == b->version && a->tsc_timestamp == b->tsc_timestamp &&
           a->system_time == b->system_time &&
           a->tsc_to_system_mul == b->tsc_to_system_mul &&
           a->tsc_shift == b->tsc_shift && a->flags == b->flags;
}

/* The area and vcpu_info's record agree (read until both are stable at
 * the same version). */
static bool area_matches(const char *what, const volatile struct vcpu_time_info *area,
                         const volatile struct vcpu_time_info *prim,
                         struct vcpu_time_info *out)
{
    struct vcpu_time_info a, p;
    unsigned int tries;

    for ( tries = 0; tries < 100; tries++ )
    {
        if ( !read_time(prim, &p) || !read_time(area, &a) )
            break;
        if ( p.version == prim->version && same_time(&a, &p) )
        {
            *out = a;
            return true;
        }
    }
    kit_test_failure("%s: area v%u sys %llu tsc %llu mul %u shift %d flags %#x; "
                     "vcpu_info v%u sys %llu tsc %llu mul %u shift %d flags %#x",
                     what, a.version, (unsigned long long)a.system_time,
                     (unsigned long long)a.tsc_timestamp, a.tsc_to_system_mul,
                     a.tsc_shift, a.flags, p.version,
                     (unsigned long long)p.system_time,
                     (unsigned long long)p.tsc_timestamp, p.tsc_to_system_mul,
                     p.tsc_shift, p.flags);
    return false;
}

/* Block (a one-shot 20 ms on) and yield until vCPU 0's pvclock version
 * is no longer v, for up to 5 s; false if it never changes. */
static bool wait_update(uint32_t v)
{
    vcpu_info_t *vi = kit_vcpu_info();
    uint64_t end = kit_system_time() + 5000 * MS;

    while ( vi->time.version == v )
    {
        if ( kit_system_time() > end )
            return false;
        HYPERVISOR_set_timer_op(kit_system_time() + 20 * MS);
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        kit_events_mask();
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return true;
}

void test_main(const start_info_t *si)
{
    struct vcpu_time_info first, later, t;
    vcpu_info_t *vi;
    long rc;

    kit_events_timer_setup();
    vi = kit_vcpu_info();
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);

    /* Register: filled at once. */
    rc = reg(0, (uint64_t)&area0);
    if ( rc )
        kit_test_failure("register own area: %ld", rc);
    else if ( area_matches("at once", &area0, &vi->time, &first) )
    {
        kit_printf("area: version %u, system time %llu, flags %#x\n",
                   first.version, (unsigned long long)first.system_time,
                   first.flags);
        if ( !first.version || !first.tsc_to_system_mul )
            kit_test_failure("area not filled: version %u, mul %u",
                             first.version, first.tsc_to_system_mul);
    }

    /* It follows the pvclock. */
    if ( !wait_update(first.version) )
        kit_test_failure("the pvclock was not updated in 5 s");
    else if ( area_matches("after an update", &area0, &vi->time, &later) &&
              later.system_time <= first.system_time )
        kit_test_failure("area's system time did not advance: %llu -> %llu",
                         (unsigned long long)first.system_time,
                         (unsigned long long)later.system_time);

    /* Addresses a guest may not name, an unreadable argument. */
    rc = reg(0, 0xffff800000000000ul);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("area in Xen's hole: %ld, want %d", rc, -XEN_EFAULT);
    rc = reg(0, 0x0000800000000000ul);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("non-canonical area: %ld, want %d", rc, -XEN_EFAULT);
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0,
                            (void *)0x1000);
    if ( rc != -XEN_EFAULT )
        kit_test_failure("unreadable argument: %ld, want %d", rc, -XEN_EFAULT);
    rc = reg(1000, (uint64_t)&area0);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("vCPU 1000: %ld, want %d", rc, -XEN_ENOENT);

    /* An unmapped address is taken; updates there are lost quietly. */
    rc = reg(0, 0x2000);
    if ( rc )
        kit_test_failure("unmapped area: %ld, want 0", rc);
    if ( !wait_update(vi->time.version) )
        kit_test_failure("the pvclock was not updated in 5 s (unmapped area)");

    /* Address 0 unregisters: an old area is left alone. */
    rc = reg(0, (uint64_t)&old_area);
    if ( rc )
        kit_test_failure("register old_area: %ld", rc);
    rc = reg(0, 0);
    if ( rc )
        kit_test_failure("register address 0: %ld, want 0", rc);
    memset(&old_area, 0x5a, sizeof(old_area));
    if ( !wait_update(vi->time.version) )
        kit_test_failure("the pvclock was not updated in 5 s (unregistered)");
    read_time(&vi->time, &t);
    if ( old_area.version != 0x5a5a5a5a || old_area.system_time != 0x5a5a5a5a5a5a5a5aull )
        kit_test_failure("area written after address 0 unregistered it");

    /* Registered again: filled again. */
    rc = reg(0, (uint64_t)&area0);
    if ( rc )
        kit_test_failure("register own area again: %ld", rc);
    else
        area_matches("registered again", &area0, &vi->time, &t);

    /* Another vCPU's (down): written at once, here. */
    if ( kit_nr_vcpus() >= 2 )
    {
        vcpu_info_t *v1 = &kit_shared_info->vcpu_info[1];

        rc = reg(1, (uint64_t)&area1);
        if ( rc )
            kit_test_failure("register vCPU 1's area: %ld", rc);
        else if ( area_matches("vCPU 1's", &area1, &v1->time, &t) )
        {
            kit_printf("vCPU 1's area: version %u, system time %llu\n",
                       t.version, (unsigned long long)t.system_time);
            if ( !t.version || !t.tsc_to_system_mul )
                kit_test_failure("vCPU 1's area not filled: version %u, mul %u",
                                 t.version, t.tsc_to_system_mul);
        }
    }
    else
        kit_printf("one vCPU: another vCPU's area not tried\n");

    reg(0, 0);
    if ( kit_nr_vcpus() >= 2 )
        reg(1, 0);
    HYPERVISOR_set_timer_op(0);
    kit_events_mask();
    kit_test_success();
}
