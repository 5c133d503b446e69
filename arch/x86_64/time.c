/* SPDX-License-Identifier: MIT */
/* System time from the TSC, calibrated against the PIT; the LAPIC one-shot timer. */
/*
 * The TSC is calibrated once on the boot CPU against PIT channel 2 over
 * 10 ms (the only busy-wait at boot). System time is nanoseconds since
 * then: ns = (tsc - tsc0) * mul >> 32. Each CPU's LAPIC timer runs in
 * TSC-deadline mode when the CPU has it, else in one-shot mode with its
 * rate measured against the TSC.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <tern/console.h>
#include <tern/smp.h>
#include <tern/timer.h>

#define PIT_HZ          1193182u
#define CALIBRATE_MS    10

static uint64_t tsc0;
static uint64_t tsc_khz_val;
static uint64_t ns_mul;              /* ns per TSC tick, 32.32 fixed point */
static uint64_t tsc_mul;             /* TSC ticks per ns, 32.32 fixed point */
static uint64_t apic_khz;            /* LAPIC timer ticks per ms (divide 1) */
static uint64_t apic_mul;            /* LAPIC ticks per ns, 32.32 fixed point */
static bool use_tsc_deadline;

uint64_t tsc_khz(void)
{
    return tsc_khz_val;
}

s_time_t now(void)
{
    return (s_time_t)(((unsigned __int128)(rdtsc() - tsc0) * ns_mul) >> 32);
}

static uint64_t ns_to_tsc(s_time_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * tsc_mul) >> 32);
}

/* Count TSC ticks while PIT channel 2 counts down CALIBRATE_MS. */
static uint64_t calibrate_tsc_pit(void)
{
    uint16_t count = PIT_HZ / (1000 / CALIBRATE_MS);
    uint64_t t0, t1;
    unsigned long spins = 0;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb0);                          /* ch 2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    t0 = rdtsc();
    while ( !(inb(0x61) & 0x20) && ++spins < 100000000ul )
        ;
    t1 = rdtsc();
    if ( !(inb(0x61) & 0x20) )
        panic("PIT channel 2 did not count: cannot calibrate the TSC");
    return (t1 - t0) / CALIBRATE_MS;
}

void time_init(void)
{
    uint32_t a, b, c, d;

    tsc_khz_val = calibrate_tsc_pit();
    if ( tsc_khz_val < 1000 )
        panic("TSC runs at %lu kHz: too slow to keep time", tsc_khz_val);
    ns_mul = (1000000ull << 32) / tsc_khz_val;
    tsc_mul = (tsc_khz_val << 32) / 1000000u;
    tsc0 = rdtsc();
    cpuid(1, &a, &b, &c, &d);
    use_tsc_deadline = c & (1u << 24);
    printk("Time: TSC %lu.%03lu MHz (PIT calibrated), LAPIC timer in %s mode\n",
           tsc_khz_val / 1000, tsc_khz_val % 1000,
           use_tsc_deadline ? "TSC-deadline" : "one-shot");
}

/* Measure the LAPIC timer against the TSC over 1 ms (boot CPU only). */
static void calibrate_apic_timer(void)
{
    uint64_t start, end;

    apic_write(APIC_TDCR, 0xb);                /* divide by 1 */
    apic_write(APIC_LVT_TIMER, (1u << 16) | VEC_TIMER);
    apic_write(APIC_TMICT, 0xffffffffu);
    start = rdtsc();
    end = start + tsc_khz_val;
    while ( rdtsc() < end )
        cpu_relax();
    apic_khz = 0xffffffffu - apic_read(APIC_TMCCT);
    apic_write(APIC_TMICT, 0);
    if ( !apic_khz )
        panic("The LAPIC timer does not count");
    apic_mul = (apic_khz << 32) / 1000000u;
}

void apic_timer_init_cpu(void)
{
    if ( use_tsc_deadline )
        apic_write(APIC_LVT_TIMER, (2u << 17) | VEC_TIMER);
    else
    {
        if ( !apic_khz )
            calibrate_apic_timer();
        apic_write(APIC_TDCR, 0xb);
        apic_write(APIC_LVT_TIMER, VEC_TIMER);     /* one-shot */
    }
}

void apic_timer_program(s_time_t t)
{
    s_time_t delta;
    uint64_t ticks;

    if ( use_tsc_deadline )
    {
        wrmsr(MSR_TSC_DEADLINE, t ? tsc0 + ns_to_tsc(t) : 0);
        return;
    }
    if ( !t )
    {
        apic_write(APIC_TMICT, 0);
        return;
    }
    delta = t - now();
    if ( delta < 1000 )
        delta = 1000;
    ticks = (uint64_t)(((unsigned __int128)delta * apic_mul) >> 32);
    if ( ticks > 0xffffffffu )
        ticks = 0xffffffffu;
    apic_write(APIC_TMICT, ticks ? (uint32_t)ticks : 1);
}
