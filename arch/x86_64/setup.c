/* SPDX-License-Identifier: MIT */
/* The boot CPU's path from the 64-bit entry to the idle loop. */
#include <asm/apic.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/acpi.h>
#include <tern/boot-domains.h>
#include <tern/bootinfo.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/heap.h>
#include <asm/pv.h>
#include <tern/keyhandler.h>
#include <tern/mm.h>
#include <tern/params.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <tern/timer.h>

struct boot_info boot_info;
extern char cpu0_stack[];

static const void *boot_phys_to_virt(uint64_t pa)
{
    return pa < (1ull << 32) ? maddr_to_virt(pa) : NULL;
}

/* The first word of a multiboot command line is usually the image path. */
static const char *skip_image_path(const char *s)
{
    const char *p = s, *w;

    while ( *p == ' ' )
        p++;
    for ( w = p; *w && *w != ' '; w++ )
        if ( *w == '/' )
        {
            while ( *w && *w != ' ' )
                w++;
            return w;
        }
    return s;
}

static void print_memory_map(const struct boot_info *bi)
{
    static const char *const types[] = { "?", "RAM", "reserved", "ACPI", "NVS", "bad" };
    unsigned int i;

    printk("Memory map from multiboot%u (%s):\n", bi->proto,
           bi->loader[0] ? bi->loader : "unnamed loader");
    for ( i = 0; i < bi->nr_mmap; i++ )
        printk("  %016lx - %016lx %s\n", (unsigned long)bi->mmap[i].base,
               (unsigned long)(bi->mmap[i].base + bi->mmap[i].len),
               bi->mmap[i].type < ARRAY_SIZE(types) ? types[bi->mmap[i].type] : "?");
}

static void print_modules(const struct boot_info *bi)
{
    unsigned int i;

    printk("Boot modules: %u\n", bi->nr_modules);
    for ( i = 0; i < bi->nr_modules; i++ )
        printk("  module %u: %#lx-%#lx (%lu KiB) '%s'\n", i,
               (unsigned long)bi->modules[i].start,
               (unsigned long)bi->modules[i].end,
               (unsigned long)((bi->modules[i].end - bi->modules[i].start) >> 10),
               bi->modules[i].string);
}

/* Runs on every CPU once it is up: run vCPUs, halt when there are none. */
void __noreturn idle_loop(void)
{
    for ( ;; )
    {
        local_irq_disable();
        schedule_from_idle();
        safe_halt();
    }
}

void __noreturn __start_tern(uint32_t magic, uint32_t info);
void __noreturn __start_tern(uint32_t magic, uint32_t info)
{
    struct percpu *bsp = &percpu_data[0];
    struct boot_domain *doms;
    static struct domain *dlist[BOOT_MAX_MODULES];
    unsigned int nr_doms, i, built = 0;
    uint64_t ram;
    int rc;

    get_cpu_info()->percpu = bsp;
    bsp->stack = cpu0_stack;
    bsp->online = true;
    get_cpu_info()->cpu = 0;
    nr_cpu_ids = 1;
    idt_init();
    desc_init_cpu(bsp);
    pv_cpu_init();

    serial_init();
    rc = multiboot_parse(magic, info, boot_phys_to_virt, &boot_info);
    if ( rc )
        panic("Tern was not started by a multiboot loader (magic %#x): boot it "
              "with QEMU -kernel or GRUB's multiboot/multiboot2", magic);
    printk("Tern %s: a small hypervisor for Xen PV guests (x86-64)\n", TERN_VERSION);
    printk("Command line: %s\n", boot_info.cmdline);
    params_parse(skip_image_path(boot_info.cmdline));
    serial_init();
    print_memory_map(&boot_info);
    print_modules(&boot_info);

    mm_init(&boot_info);
    ram = mm_total_ram();
    printk("Memory: %lu KiB usable RAM (%lu MiB)\n", (unsigned long)(ram >> 10),
           (unsigned long)(((ram >> 20) + 3) & ~3ul));
    arch_m2p_init(max_mfn);

    acpi_init(&boot_info);
    apic_init_cpu();
    bsp->apic_id = apic_self_id();
    get_cpu_info()->apic_id = bsp->apic_id;
    time_init();
    apic_timer_init_cpu();
    local_irq_enable();

    smp_boot_cpus();
    printk("CPUs: %u online\n", num_online_cpus());
    sched_init();

    timer_selftest();
    keyhandler_init();

    nr_doms = boot_domains_scan(&boot_info, &doms);
    /* Build them all, then start them all: none may end before the last
     * one exists. */
    for ( i = 0; i < nr_doms; i++ )
        if ( (dlist[built] = domain_build(&boot_info, &doms[i], (domid_t)(i + 1))) )
            built++;
    mm_release_modules(&boot_info);     /* the kernels are copied out */
    for ( i = 0; i < built; i++ )
        domain_register(dlist[i]);
    for ( i = 0; i < built; i++ )
        domain_unpause(dlist[i]);
    heap_free(doms);
    if ( built )
        reset_stack_and_call(idle_loop);
    if ( !boot_info.nr_modules )
        printk("No domain to run: give guest kernels as boot modules "
               "(QEMU -initrd, GRUB module2)\n");
    else
        printk("No domain to run: no boot module gave a domain that could be built\n");
    if ( !opt.nopoweroff )
        machine_power_off();
    printk("nopoweroff: staying up; press 'q' to power off\n");
    reset_stack_and_call(idle_loop);
}
