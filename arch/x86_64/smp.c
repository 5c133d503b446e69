/* SPDX-License-Identifier: MIT */
/* Placeholder until SMP bring-up lands: the boot CPU only. */
#include <tern/smp.h>

struct percpu percpu_data[NR_CPUS];
unsigned int nr_cpu_ids = 1;

unsigned int num_online_cpus(void)
{
    return 1;
}

unsigned int smp_boot_cpus(void)
{
    return 1;
}

void smp_stop_others(void)
{
}
