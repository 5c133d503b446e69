/* SPDX-License-Identifier: MIT */
/* Debug keys read from the serial console. */
/*
 * The boot CPU polls the UART every KEY_POLL_MS from a timer (the console
 * runs without interrupts). Each key prints one report; 'q' powers off.
 */
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/keyhandler.h>
#include <tern/mm.h>
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
    if ( key != '\r' && key != '\n' )
        printk("No debug key '%c': press 'h' for help\n", key);
}

static struct timer key_timer;

static void key_poll(void *unused)
{
    int c;

    while ( (c = serial_getc()) >= 0 )
        handle_keypress((char)c);
    set_timer(&key_timer, now() + MILLISECS(KEY_POLL_MS));
}

void keyhandler_init(void)
{
    timer_init(&key_timer, key_poll, NULL, "debug keys");
    set_timer(&key_timer, now() + MILLISECS(KEY_POLL_MS));
    printk("Debug keys on the console: press 'h' for help\n");
}
