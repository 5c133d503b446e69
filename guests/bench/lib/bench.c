/* SPDX-License-Identifier: MIT */
/* Bench guests: start of day, timing rounds and the result lines. */
#include "bench.h"
#include <kit/pt.h>

static uint64_t entry_tsc;

/* Insertion sort: a handful of samples. */
static void sort(uint64_t *v, unsigned int n)
{
    unsigned int i, j;

    for ( i = 1; i < n; i++ )
    {
        uint64_t x = v[i];

        for ( j = i; j > 0 && v[j - 1] > x; j-- )
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* ticks / ops with one decimal, as "n.d" into buf. */
static const char *per_op(char *buf, size_t size, uint64_t ticks,
                          unsigned long ops)
{
    uint64_t tenths = (ticks * 10 + ops / 2) / ops;

    kit_snprintf(buf, size, "%llu.%llu", (unsigned long long)(tenths / 10),
                 (unsigned long long)(tenths % 10));
    return buf;
}

void bench_report(const char *key, uint64_t *samples, unsigned int n,
                  unsigned long ops, const char *unit)
{
    char med[32], lo[32], hi[32];

    sort(samples, n);
    kit_printf("BENCH %s median=%s min=%s max=%s unit=%s rounds=%u ops=%lu\n",
               key, per_op(med, sizeof(med), samples[n / 2], ops),
               per_op(lo, sizeof(lo), samples[0], ops),
               per_op(hi, sizeof(hi), samples[n - 1], ops), unit, n, ops);
}

void bench_run(const char *key, unsigned long ops, bench_loop_t loop, void *arg)
{
    uint64_t samples[BENCH_ROUNDS], t0;
    unsigned int r;

    loop(ops, arg);                         /* warm-up, not counted */
    for ( r = 0; r < BENCH_ROUNDS; r++ )
    {
        t0 = bench_tsc();
        loop(ops, arg);
        samples[r] = bench_tsc() - t0;
    }
    bench_report(key, samples, BENCH_ROUNDS, ops, "tsc/op");
}

void bench_value(const char *key, uint64_t value, const char *unit)
{
    kit_printf("BENCH %s value=%llu unit=%s\n", key,
               (unsigned long long)value, unit);
}

void bench_na(const char *key, const char *fmt, ...)
{
    char why[128];
    va_list ap;

    va_start(ap, fmt);
    kit_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    kit_printf("BENCH %s n/a reason=%s\n", key, why);
}

long bench_events_on(void)
{
    long rc = kit_events_init();

    if ( rc )
        return rc;
    kit_trap_hook = kit_events_hook;
    kit_events_unmask();
    return 0;
}

unsigned long bench_data_mfn(void)
{
    unsigned long pfn = kit_spare_unmapped_pfn();

    return pfn ? kit_pfn_to_mfn(pfn) : 0;
}

/*
 * The kit calls test_main() after its start of day. The periodic timer
 * that Xen starts every PV vCPU with (10 ms) is stopped so that no tick
 * falls into a timed round; the benchmarks that want timer events arm
 * one-shot timers themselves.
 */
void test_main(const start_info_t *si)
{
    long rc;

    entry_tsc = bench_tsc();
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    if ( rc )
        kit_printf("bench: stop_periodic_timer: %ld (ignored)\n", rc);
    bench_main(si);
    bench_value("boot.main", entry_tsc, "tsc");
    bench_value("boot.result", bench_tsc(), "tsc");
    /* A benchmark that could not run says so with n/a lines: the run as a
     * whole is still a success, benchmarks are never pass/fail tests. */
    if ( kit_test_status() == KIT_TEST_RUNNING )
        kit_test_success();
}
