/* SPDX-License-Identifier: MIT */
/*
 * Test guest vcpu-op: runstate, is_up and register_vcpu_info.
 *
 * Proves: is_up is 1 for vCPU 0 and -ENOENT for a vCPU the domain lacks;
 * get_runstate_info says running, with times that add up and advance;
 * register_runstate_memory_area fills the area at once (running, entry
 * time not in the future, times as of the last state change) and Xen
 * keeps it up to date across a block;
 * register_vcpu_info moves vcpu_info to our own page, copying its state
 * (upcall mask, pvclock), after which Xen updates the new copy (the time
 * advances there) and a second registration fails; unknown sub-ops give
 * -ENOSYS.
 */
#include <kit/kit.h>

static struct vcpu_runstate_info area;
static uint8_t vi_page[KIT_PAGE_SIZE] __attribute__((aligned(4096)));

static evtchn_port_t idle_port;

/* Block for about ns: SCHEDOP_poll, with a timeout, on a port never sent. */
/* Sleep ns in SCHEDOP_poll; any event (a periodic tick) ends a poll early,
 * so poll again until the deadline. */
static void poll_sleep(uint64_t ns)
{
    struct sched_poll poll;
    long rc;

    set_xen_guest_handle(poll.ports, &idle_port);
    poll.nr_ports = 1;
    poll.timeout = kit_system_time() + ns;
    do {
        rc = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
        if ( rc )
            kit_test_failure("SCHEDOP_poll: %ld", rc);
    } while ( !rc && kit_system_time() < poll.timeout );
}

static uint64_t runstate_sum(const struct vcpu_runstate_info *r)
{
    return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

void test_main(const start_info_t *si)
{
    struct vcpu_runstate_info r1, r2;
    struct vcpu_register_runstate_memory_area reg;
    struct vcpu_register_vcpu_info rvi;
    vcpu_info_t *vi;
    uint64_t now, entry, t_before;
    uint32_t ver;
    long rc;
    int i;

    struct evtchn_bind_ipi ipi = { .vcpu = 0 };

    if ( kit_map_shared_info() )
        kit_test_abort("cannot map shared_info");
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
    if ( rc )
        kit_test_abort("bind_ipi: %ld", rc);
    idle_port = ipi.port;

    rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL);
    if ( rc != 1 )
        kit_test_failure("is_up vcpu 0: %ld, want 1", rc);
    rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, 1000, NULL);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("is_up vcpu 1000: %ld, want %d", rc, -XEN_ENOENT);
    rc = HYPERVISOR_vcpu_op(1000, 0, NULL);
    if ( rc != -XEN_ENOSYS )
        kit_test_failure("vcpu_op 1000: %ld, want %d", rc, -XEN_ENOSYS);

    /* get_runstate_info. */
    rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r1);
    now = kit_system_time();
    kit_printf("runstate: rc %ld state %d entry %llu running %llu runnable "
               "%llu blocked %llu offline %llu (now %llu)\n", rc, r1.state,
               (unsigned long long)r1.state_entry_time,
               (unsigned long long)r1.time[0], (unsigned long long)r1.time[1],
               (unsigned long long)r1.time[2], (unsigned long long)r1.time[3],
               (unsigned long long)now);
    if ( rc )
        kit_test_failure("get_runstate_info: %ld", rc);
    if ( r1.state != RUNSTATE_running )
        kit_test_failure("runstate %d, want running", r1.state);
    if ( r1.state_entry_time > now || runstate_sum(&r1) > now ||
         r1.time[RUNSTATE_running] == 0 )
        kit_test_failure("runstate times not sane");
    for ( i = 0; i < 1000; i++ )
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    now = kit_system_time();
    while ( kit_system_time() < now + 5000000 )
        ;
    HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r2);
    if ( runstate_sum(&r2) <= runstate_sum(&r1) ||
         r2.time[RUNSTATE_running] < r1.time[RUNSTATE_running] )
        kit_test_failure("runstate times did not advance");
    rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1000, &r2);
    if ( rc != -XEN_ENOENT )
        kit_test_failure("get_runstate_info vcpu 1000: %ld, want %d", rc,
                         -XEN_ENOENT);

    /* register_runstate_memory_area: filled in at once. */
    memset(&area, 0xff, sizeof(area));
    reg.addr.v = &area;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    now = kit_system_time();
    if ( rc )
        kit_test_failure("register_runstate_memory_area: %ld", rc);
    /*
     * The area holds Xen's raw record: time[] as of the last state change
     * (so time[running] may well be 0 still); get_runstate_info adds the
     * time spent in the current state, so it is never below the area's.
     */
    HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r2);
    if ( area.state != RUNSTATE_running || area.state_entry_time > now ||
         area.time[0] > r2.time[0] || area.time[1] > r2.time[1] ||
         area.time[2] > r2.time[2] || area.time[3] > r2.time[3] ||
         runstate_sum(&area) == 0 )
        kit_test_failure("runstate area not filled in: state %d entry %llu "
                         "times %llu %llu %llu %llu", area.state,
                         (unsigned long long)area.state_entry_time,
                         (unsigned long long)area.time[0],
                         (unsigned long long)area.time[1],
                         (unsigned long long)area.time[2],
                         (unsigned long long)area.time[3]);
    /* After blocking, Xen rewrote it: a later entry, more time blocked. */
    entry = area.state_entry_time;
    t_before = area.time[RUNSTATE_blocked];
    poll_sleep(10000000);
    kit_printf("runstate area after a block: entry %llu -> %llu, blocked "
               "%llu -> %llu\n", (unsigned long long)entry,
               (unsigned long long)area.state_entry_time,
               (unsigned long long)t_before,
               (unsigned long long)area.time[RUNSTATE_blocked]);
    if ( area.state != RUNSTATE_running || area.state_entry_time <= entry ||
         area.time[RUNSTATE_blocked] < t_before + 5000000 )
        kit_test_failure("runstate area not updated across a 10 ms block");

    /* register_vcpu_info: the new copy takes over. */
    vi = (vcpu_info_t *)(vi_page + 64);
    memset(vi_page, 0, sizeof(vi_page));
    rvi.mfn = kit_virt_to_mfn(vi_page);
    rvi.offset = KIT_PAGE_SIZE - sizeof(vcpu_info_t) + 1;   /* crosses the end */
    rvi.rsvd = 0;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &rvi);
    if ( rc != -XEN_ENXIO )
        kit_test_failure("register_vcpu_info across a page end: %ld, want %d",
                         rc, -XEN_ENXIO);
    rvi.offset = 64;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &rvi);
    if ( rc )
        kit_test_failure("register_vcpu_info: %ld", rc);
    kit_printf("new vcpu_info: mask %u, time version %u, system_time %llu\n",
               vi->evtchn_upcall_mask, vi->time.version,
               (unsigned long long)vi->time.system_time);
    if ( vi->evtchn_upcall_mask != 1 || vi->time.tsc_to_system_mul == 0 )
        kit_test_failure("register_vcpu_info did not copy the state");
    ver = vi->time.version;
    now = vi->time.system_time;
    /*
     * Xen refreshes vcpu_info.time from its per-CPU calibration (about
     * once a second) when it schedules us in: block until it changes.
     */
    for ( i = 0; i < 40 && vi->time.system_time == now; i++ )
        poll_sleep(100000000);
    kit_printf("new vcpu_info: time version %u -> %u after %d x 100 ms\n",
               ver, vi->time.version, i);
    if ( vi->time.system_time == now || vi->time.version == ver )
        kit_test_failure("the new vcpu_info's time is not updated");
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &rvi);
    if ( rc != -XEN_EINVAL )
        kit_test_failure("second register_vcpu_info: %ld, want %d", rc,
                         -XEN_EINVAL);
    kit_test_success();
}
