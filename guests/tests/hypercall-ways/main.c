/* SPDX-License-Identifier: MIT */
/* Test guest hypercall-ways: the hypercall page and direct SYSCALL agree. */
#include <kit/kit.h>

/*
 * The builder must fill the page named by the HYPERCALL_PAGE note; then the
 * same hypercalls, made through the page and by SYSCALL, must return the
 * same values and leave the caller's callee-saved state alone.
 */
void test_main(const start_info_t *si)
{
    static const char msg[] = "hypercall-ways: console_io by SYSCALL\n";
    xen_extraversion_t ev_page, ev_sys;
    long v_page, v_sys, rc;

    if ( kit_hypercall_page[0] == 0xcc )
    {
        kit_test_failure("the builder did not fill the hypercall page");
        return;
    }

    v_page = kit_hypercall_via_page(__HYPERVISOR_xen_version, XENVER_version,
                                    0, 0, 0, 0);
    v_sys = kit_hypercall_via_syscall(__HYPERVISOR_xen_version, XENVER_version,
                                      0, 0, 0, 0);
    kit_printf("xen_version: page %#lx, syscall %#lx\n", v_page, v_sys);
    if ( v_page != v_sys || v_page <= 0 )
        kit_test_failure("XENVER_version differs: page %#lx, syscall %#lx",
                         v_page, v_sys);

    memset(ev_page, 0, sizeof(ev_page));
    memset(ev_sys, 0, sizeof(ev_sys));
    kit_hypercall_via_page(__HYPERVISOR_xen_version, XENVER_extraversion,
                           (unsigned long)ev_page, 0, 0, 0);
    kit_hypercall_via_syscall(__HYPERVISOR_xen_version, XENVER_extraversion,
                              (unsigned long)ev_sys, 0, 0, 0);
    kit_printf("extraversion: page \"%.16s\", syscall \"%.16s\"\n",
               ev_page, ev_sys);
    if ( memcmp(ev_page, ev_sys, sizeof(ev_page)) != 0 )
        kit_test_failure("XENVER_extraversion differs");

    rc = kit_hypercall_via_syscall(__HYPERVISOR_console_io, CONSOLEIO_write,
                                   sizeof(msg) - 1, (unsigned long)msg, 0, 0);
    if ( rc < 0 && (si->flags & SIF_INITDOMAIN) )
        kit_test_failure("console_io by SYSCALL: %ld", rc);

    /* An unknown hypercall number is -ENOSYS both ways. */
    v_page = kit_hypercall_via_page(63, 0, 0, 0, 0, 0);
    v_sys = kit_hypercall_via_syscall(63, 0, 0, 0, 0, 0);
    if ( v_page != -XEN_ENOSYS || v_sys != -XEN_ENOSYS )
        kit_test_failure("hypercall 63: page %ld, syscall %ld, want %d",
                         v_page, v_sys, -XEN_ENOSYS);

    /* From here on the kit itself uses SYSCALL; the result line proves it. */
    kit_hypercall_mode = KIT_HC_SYSCALL;
    kit_test_success();
}
