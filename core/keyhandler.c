/* SPDX-License-Identifier: MIT */
/* Debug keys read from the serial console. */
/*
 * The boot CPU polls the UART every KEY_POLL_MS from a timer (the console
 * runs without interrupts). Input goes to the domain that has the focus
 * (three Ctrl-A switch it, see serial_rx); while Tern has it, each key
 * prints one report and 'q' powers off.
 */
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/event.h>
#include <tern/grant-table.h>
#include <tern/keyhandler.h>
#include <tern/mm.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <tern/timer.h>

#define KEY_POLL_MS 20

static void key_help(void);

static void key_cpus(void)
{
    unsigned int cpu;

    printk("CPUs: %u online of %u\n", num_online_cpus(), nr_cpu_ids);
    for ( cpu = 0; cpu < nr_cpu_ids; cpu++ )
        printk("  CPU%u: APIC id %u, %s, %lu interrupts\n", cpu,
               percpu_data[cpu].apic_id,
               percpu_data[cpu].online ? "online" : "offline",
               (unsigned long)percpu_data[cpu].irq_count);
}

static void key_poweroff(void)
{
    printk("Powering off, as asked on the console\n");
    machine_power_off();
}

/* Fault inside Tern on purpose: exercises the crash report, as Xen's 'C'. */
static void key_crash(void)
{
    printk("Crashing Tern on purpose, as asked on the console\n");
    __asm__ __volatile__("ud2");
}

static const struct {
    char key;
    void (*fn)(void);
    const char *desc;
} keys[] = {
    { 'h', key_help, "this help" },
    { 'm', mm_dump, "memory summary" },
    { 'c', key_cpus, "CPUs" },
    { 't', timer_dump, "timers" },
    { 'r', sched_dump, "scheduler: each pCPU's vCPUs, credit, weight, cap, affinity" },
    { 'v', domain_dump_vcpus, "vCPUs of each domain: state, pCPU, upcall flags" },
    { 'e', evtchn_dump, "event channels (interdomain links with their peer)" },
    { 'g', gnttab_dump, "grant tables: entries in use, maptrack" },
    { 'q', key_poweroff, "power off" },
    { 'C', key_crash, "crash Tern on purpose (tests the crash report)" },
};

static void key_help(void)
{
    unsigned int i;

    printk("Debug keys:\n");
    for ( i = 0; i < ARRAY_SIZE(keys); i++ )
        printk("  '%c'  %s\n", keys[i].key, keys[i].desc);
}

void handle_keypress(char key)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(keys); i++ )
        if ( keys[i].key == key )
        {
            keys[i].fn();
            return;
        }
    if ( (unsigned char)key >= 0x20 && key != 0x7f )
        printk("No debug key '%c': press 'h' for help\n", key);
}

/*
 * One byte from the serial line. Three Ctrl-A in a row switch the input
 * focus (domain_console_switch_focus); every other byte, the first two
 * Ctrl-A included (as on Xen), goes to the domain with the focus, or is a
 * debug key while Tern has it.
 */
#define SWITCH_CODE 0x01

static void serial_rx(char c)
{
    static unsigned int switch_count;

    if ( c == SWITCH_CODE )
    {
        if ( ++switch_count == 3 )
        {
            switch_count = 0;
            domain_console_switch_focus();
            return;
        }
    }
    else
        switch_count = 0;
    if ( !domain_console_input(c) )
        handle_keypress(c);
}

static struct timer key_timer;

static void key_poll(void *unused)
{
    int c;

    while ( (c = serial_getc()) >= 0 )
        serial_rx((char)c);
    set_timer(&key_timer, now() + MILLISECS(KEY_POLL_MS));
}

void keyhandler_init(void)
{
    timer_init(&key_timer, key_poll, NULL, "debug keys");
    set_timer(&key_timer, now() + MILLISECS(KEY_POLL_MS));
    printk("Debug keys on the console: press 'h' for help\n");
    printk("*** Serial input to Tern (type 'CTRL-a' three times to switch input)\n");
}
