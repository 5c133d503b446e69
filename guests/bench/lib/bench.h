/* SPDX-License-Identifier: MIT */
/* Bench guests: timing loops with the TSC and the fixed result format. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <kit/kit.h>

/*
 * Every bench guest is a kit guest (guests/bench/NAME/main.c defines
 * bench_main()); the same ELF runs as a Tern domU and as Xen 4.17's dom0.
 * Results are lines of their own, parsed by bench/run-bench.py:
 *
 *   BENCH <key> median=<n.d> min=<n.d> max=<n.d> unit=<unit> rounds=<r> ops=<n>
 *   BENCH <key> value=<n> unit=<unit>
 *   BENCH <key> n/a reason=<words>
 *
 * Times are TSC ticks. Under QEMU with -icount shift=0 the TSC counts guest
 * instructions (1 GHz), so figures repeat exactly from run to run.
 *
 * bench_run() times BENCH_ROUNDS rounds of `ops` operations after one
 * warm-up round, and prints the median, minimum and maximum per operation
 * (one decimal). The kit's start of day runs before bench_main(); the TSC
 * read on entry to test_main() is printed as `boot.main`, and the one read
 * just before the result line as `boot.result` (ticks since power-on).
 */
#define BENCH_ROUNDS 5

/* One timed operation, done `ops` times by the loop; arg is its state. */
typedef void (*bench_loop_t)(unsigned long ops, void *arg);

/* The one function a bench guest defines. */
void bench_main(const start_info_t *si);

static inline uint64_t bench_tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile ("lfence; rdtsc" : "=a" (lo), "=d" (hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

void bench_run(const char *key, unsigned long ops, bench_loop_t loop, void *arg);
/* Print samples (ticks per `ops` operations each) as a BENCH line. */
void bench_report(const char *key, uint64_t *samples, unsigned int n,
                  unsigned long ops, const char *unit);
void bench_value(const char *key, uint64_t value, const char *unit);
void bench_na(const char *key, const char *fmt, ...) KIT_PRINTF(2, 3);

/*
 * Event helpers for the benchmarks that take upcalls: map shared info,
 * register the kit's callback, stop the periodic timer, unmask upcalls.
 * Returns 0 or a negative Xen errno.
 */
long bench_events_on(void);

/*
 * Frames the guest owns outside its initial mapping (so no bootstrap table
 * maps them: they are plain data frames), handed out one by one; 0 when
 * none is left.
 */
unsigned long bench_data_mfn(void);

/*
 * The grant operations the gnttab and xdom guests time, as bench_run()
 * loops on a struct bench_gnt: map (GNTMAP_host_map at va, whose PTE the
 * caller cleared) + unmap of dom's ref, and a GNTTABOP_copy of 4 KiB from
 * it to the local frame mfn. failed keeps the first bad result: the rc, or
 * 1000 - status (map), 2000 - status (unmap), 3000 - status (copy).
 */
struct bench_gnt {
    domid_t dom;
    grant_ref_t ref;
    void *va;
    unsigned long mfn;
    long failed;
};
void bench_gnt_map_loop(unsigned long ops, void *arg);
void bench_gnt_copy_loop(unsigned long ops, void *arg);

#endif /* BENCH_BENCH_H */
