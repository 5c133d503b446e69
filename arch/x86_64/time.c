/* SPDX-License-Identifier: MIT */
/* System time from the TSC, calibrated against the PIT; the LAPIC one-shot timer. */
/*
 * The TSC is calibrated once on the boot CPU against PIT channel 2: three
 * rounds of 6 ms (the only busy-wait at boot), and the median round
 * counts. A round reads the PIT's count at its start and at its end, each
 * time between two TSC reads, and keeps the read with the narrowest TSC
 * bracket of several: under an emulator on a busy host the vCPU thread
 * may be descheduled at any point (for milliseconds), and a round that
 * timed the wait for the PIT to expire was off by as much as twice the
 * true rate in most of its rounds; only the endpoints count here, and a
 * descheduled read has a wide bracket and is not kept. A round whose PIT
 * ran out (OUT high: the count wrapped) is done again. System time is
 * nanoseconds since then: ns = (tsc - tsc0) * mul >> 32. Each CPU's LAPIC
 * timer runs in TSC-deadline mode when the CPU has it, else in one-shot
 * mode with its rate measured against the TSC.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <tern/console.h>
#include <tern/domain.h>
#include <tern/lib.h>
#include <tern/sched.h>
#include <tern/smp.h>
#include <tern/timer.h>

#define PIT_HZ          1193182u
#define CALIBRATE_MS    6
#define CALIBRATE_ROUNDS 3
#define CALIBRATE_READS 8           /* reads per endpoint: the narrowest counts */

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

/* PIT channel 2's count, latched. */
static uint16_t pit2_count(void)
{
    uint16_t lo;

    outb(0x43, 0x80);                          /* latch channel 2 */
    lo = inb(0x42);
    return (uint16_t)(lo | (inb(0x42) << 8));
}

/* The count and the TSC at the middle of the narrowest of a few brackets. */
static void pit2_sample(uint16_t *count, uint64_t *tsc)
{
    uint64_t best = ~0ull, a, b;
    unsigned int i;
    uint16_t c;

    for ( i = 0; i < CALIBRATE_READS; i++ )
    {
        a = rdtsc();
        c = pit2_count();
        b = rdtsc();
        if ( b - a < best )
        {
            best = b - a;
            *count = c;
            *tsc = a + (b - a) / 2;
        }
    }
}

/* TSC kHz over CALIBRATE_MS of PIT channel 2 (mode 0 from 0xffff), or 0
 * when the count ran out before the end was read (the round is void). */
static uint64_t calibrate_tsc_pit(void)
{
    uint16_t want = PIT_HZ / (1000 / CALIBRATE_MS), c0, c1;
    unsigned long spins = 0;
    uint64_t t0, t1;

    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb0);                          /* ch 2, lo/hi, mode 0 */
    outb(0x42, 0xff);
    outb(0x42, 0xff);
    pit2_sample(&c0, &t0);
    while ( (uint16_t)(c0 - pit2_count()) < want && !(inb(0x61) & 0x20) )
        if ( ++spins > 100000000ul )
            panic("PIT channel 2 did not count: cannot calibrate the TSC");
    pit2_sample(&c1, &t1);
    if ( (inb(0x61) & 0x20) || c1 >= c0 )
        return 0;
    return (t1 - t0) * PIT_HZ / ((uint64_t)(c0 - c1) * 1000);
}

void time_init(void)
{
    uint64_t rounds[CALIBRATE_ROUNDS];
    uint32_t a, b, c, d;
    unsigned int i, j;

    for ( i = 0; i < CALIBRATE_ROUNDS; i++ )
    {
        uint64_t r = 0;

        for ( j = 0; j < 10 && !r; j++ )
            r = calibrate_tsc_pit();
        if ( !r )
            panic("PIT channel 2 ran out in every round: cannot calibrate the TSC");

        for ( j = i; j > 0 && rounds[j - 1] > r; j-- )
            rounds[j] = rounds[j - 1];
        rounds[j] = r;
    }
    tsc_khz_val = rounds[CALIBRATE_ROUNDS / 2];
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

/*
 * The pvclock of a vCPU: system time = system_time +
 * ((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32, with an
 * odd version while it is being written (the guest retries). flags stay
 * 0: Xen 4.17 sets XEN_PVCLOCK_TSC_STABLE_BIT only when booted with
 * clocksource=tsc, which is not its default.
 *
 * A vCPU may also have a secondary copy at a guest virtual address
 * (VCPUOP_register_vcpu_time_memory_area, Xen's time_info_guest), written
 * after each update of its pvclock with the same version numbers (Xen's
 * update_secondary_system_time): the odd version first (if that write
 * faults, nothing more), then the whole record, then the even version.
 * It is written in the current address space, which is the vCPU's own
 * when the update comes from its switch-in or its timers. A write that
 * faults while the vCPU is in guest user mode (the user page tables do
 * not map the kernel's memory) is made again when it next enters kernel
 * mode (Xen's pending_system_time; pv_time_area_flush).
 */
static void pvclock_fill(struct vcpu_time_info *u)
{
    uint64_t num = 1000000, den = tsc_khz_val;
    int8_t shift = 0;

    while ( num >= den )
    {
        den <<= 1;
        shift++;
    }
    u->tsc_timestamp = rdtsc() - tsc0;
    u->system_time = (uint64_t)(((unsigned __int128)u->tsc_timestamp * ns_mul) >> 32);
    u->tsc_timestamp += tsc0;
    u->tsc_to_system_mul = (uint32_t)((num << 32) / den);
    u->tsc_shift = shift;
    u->flags = 0;
}

/* Write the record u (even version) at va: false if the first write faults. */
static bool time_area_write(uint64_t va, const struct vcpu_time_info *u)
{
    struct vcpu_time_info w = *u;
    uint64_t ver = va + offsetof(struct vcpu_time_info, version);

    w.version = u->version - 1;
    if ( copy_to_guest(ver, &w.version, sizeof(w.version)) )
        return false;
    __asm__ __volatile__("" ::: "memory");
    (void)copy_to_guest(va, &w, sizeof(w));
    __asm__ __volatile__("" ::: "memory");
    (void)copy_to_guest(ver, &u->version, sizeof(u->version));
    return true;
}

/* After v's pvclock became u: its secondary copy, when v has one and the
 * address space is its domain's. */
static void time_area_update(struct vcpu *v, const struct vcpu_time_info *u)
{
    const struct vcpu *curr = current_vcpu();

    if ( !v->time_area || !curr || curr->domain != v->domain )
        return;
    if ( time_area_write(v->time_area, u) )
        v->time_area_pending = false;
    else if ( !v->pv.kernel_mode )
        v->time_area_pending = true;
}

/* A consistent copy of v's pvclock (written by another pCPU): false if
 * none could be had. */
static bool pvclock_snapshot(const struct vcpu *v, struct vcpu_time_info *u)
{
    const volatile struct vcpu_time_info *t = &v->vcpu_info->time;
    unsigned int tries;

    for ( tries = 0; tries < 1000; tries++ )
    {
        uint32_t ver = t->version;

        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        memcpy(u, (const void *)t, sizeof(*u));
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ( !(ver & 1) && ver == t->version )
        {
            u->version = ver;
            return true;
        }
        cpu_relax();
    }
    return false;
}

void pv_update_vcpu_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time, u;

    pvclock_fill(&u);
    u.version = (t->version + 1) | 1;
    t->version = u.version;
    __asm__ __volatile__("" ::: "memory");
    t->tsc_timestamp = u.tsc_timestamp;
    t->system_time = u.system_time;
    t->tsc_to_system_mul = u.tsc_to_system_mul;
    t->tsc_shift = u.tsc_shift;
    t->flags = u.flags;
    __asm__ __volatile__("" ::: "memory");
    t->version = ++u.version;
    time_area_update(v, &u);
}

void pv_time_area_force(struct vcpu *v)
{
    struct vcpu_time_info u;

    /* v's pvclock has one writer: v's pCPU while it runs. */
    if ( v == current_vcpu() || ACCESS_ONCE(v->down) )
        pv_update_vcpu_time(v);
    else if ( pvclock_snapshot(v, &u) )
        time_area_update(v, &u);
}

void pv_time_area_flush(struct vcpu *v)
{
    struct vcpu_time_info u;

    if ( v->time_area_pending && pvclock_snapshot(v, &u) )
        time_area_update(v, &u);
}

/* Read one CMOS RTC register (BCD unless the status says binary). */
static unsigned int cmos_read(uint8_t reg, bool bcd)
{
    uint8_t v;

    outb(0x70, reg);
    v = inb(0x71);
    return bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
    unsigned int era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t boot_epoch;           /* seconds since 1970 at system time 0 */

/* The RTC's wall-clock time in seconds since 1970, once at boot. */
static uint64_t rtc_epoch(void)
{
    unsigned int sec, min, hour, day, mon, year, spins = 0;
    bool bcd;

    while ( (cmos_read(0x0a, false) & 0x80) && ++spins < 1000000 )
        cpu_relax();                          /* update in progress */
    bcd = !(cmos_read(0x0b, false) & 0x04);
    sec = cmos_read(0x00, bcd);
    min = cmos_read(0x02, bcd);
    hour = cmos_read(0x04, bcd);
    day = cmos_read(0x07, bcd);
    mon = cmos_read(0x08, bcd);
    year = cmos_read(0x09, bcd) + 2000;
    if ( mon < 1 || mon > 12 || day < 1 || day > 31 )
        return 0;
    return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

/* The wallclock is the time of day at system time 0, as on Xen. */
void pv_set_wallclock(struct shared_info *s)
{
    if ( !boot_epoch )
        boot_epoch = rtc_epoch() - (uint64_t)(now() / 1000000000);
    s->wc_version++;
    __asm__ __volatile__("" ::: "memory");
    s->wc_sec = (uint32_t)boot_epoch;
    s->wc_sec_hi = (uint32_t)(boot_epoch >> 32);
    s->wc_nsec = 0;
    __asm__ __volatile__("" ::: "memory");
    s->wc_version++;
}
