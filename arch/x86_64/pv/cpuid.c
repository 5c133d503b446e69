/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a PV guest sees (Xen's default PV policy).
 *
 * A PV kernel asks through the forced-emulation prefix (pv/emulate.c), so
 * Tern answers: the host's leaves with the feature bits limited to those
 * Xen offers a PV guest by default (the 'A' features of Xen's public
 * cpufeatureset.h, turned into PV_FEATURE_MASK_<word> at build time by
 * tools/gen-cpuid-pv.py), less everything that needs XSAVE state, which
 * Tern does not switch (a vCPU's FPU state is its FXSAVE image). So a guest
 * sees no PSE, PGE, MTRR, 1 GiB pages, x2APIC, TSC deadline, MONITOR, VMX
 * or AVX: Linux then maps its memory with 4 KiB pages, as Xen's PV MMU
 * requires, and keeps to SSE for its FPU work. Leaves that describe what
 * Tern does not give a guest (power management, PMU, XSAVE layout, cache
 * QoS, SGX, trace) read as zero; Xen's own leaves sit at 0x40000000.
 */
#include <asm/processor.h>
#include <asm/pv.h>
#include <cpuid-pv.h>
#include <tern/lib.h>

#define XEN_CPUID_BASE      0x40000000u
#define XEN_CPUID_MAX       0x40000005u
#define MSR_XEN_HYPERCALL   0x40000000u

enum { EAX, EBX, ECX, EDX };

static void xen_leaves(uint32_t leaf, uint32_t r[4])
{
    switch ( leaf )
    {
    case XEN_CPUID_BASE:
        r[EAX] = XEN_CPUID_MAX;
        memcpy(&r[EBX], "XenV", 4);
        memcpy(&r[ECX], "MMXe", 4);
        memcpy(&r[EDX], "nVMM", 4);
        break;
    case XEN_CPUID_BASE + 1:
        r[EAX] = (4u << 16) | 17u;               /* the version xen_version reports */
        break;
    case XEN_CPUID_BASE + 2:
        r[EAX] = 1;                              /* one hypercall page */
        r[EBX] = MSR_XEN_HYPERCALL;
        break;
    }
}

/* Leaf 7's sub-leaves: feature words 5, 6, 9 (0); 10, 12, 14, 15 (1); 13 (2). */
static void leaf7(uint32_t sub, uint32_t r[4])
{
    switch ( sub )
    {
    case 0:
        r[EAX] = r[EAX] < 2 ? r[EAX] : 2;
        r[EBX] &= PV_FEATURE_MASK_5;
        r[ECX] &= PV_FEATURE_MASK_6;
        r[EDX] &= PV_FEATURE_MASK_9;
        break;
    case 1:
        r[EAX] &= PV_FEATURE_MASK_10;
        r[EBX] &= PV_FEATURE_MASK_12;
        r[ECX] &= PV_FEATURE_MASK_14;
        r[EDX] &= PV_FEATURE_MASK_15;
        break;
    case 2:
        r[EAX] = r[EBX] = r[ECX] = 0;
        r[EDX] &= PV_FEATURE_MASK_13;
        break;
    default:
        memset(r, 0, 4 * sizeof(uint32_t));
    }
}

void pv_guest_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    memset(r, 0, 4 * sizeof(uint32_t));
    if ( (leaf & 0xffff0000u) == XEN_CPUID_BASE )
    {
        xen_leaves(leaf, r);
        return;
    }
    cpuid_count(leaf, sub, &r[EAX], &r[EBX], &r[ECX], &r[EDX]);
    switch ( leaf )
    {
    case 0x0: case 0x2: case 0x4: case 0xb:
    case 0x80000000: case 0x80000002: case 0x80000003: case 0x80000004:
    case 0x80000005: case 0x80000006:
        break;                                   /* identity, caches, topology */
    case 0x1:
        r[ECX] = (r[ECX] & PV_FEATURE_MASK_1) | (1u << 31);   /* hypervisor */
        r[EDX] &= PV_FEATURE_MASK_0;
        break;
    case 0x7:
        leaf7(sub, r);
        break;
    case 0x80000001:
        r[ECX] &= PV_FEATURE_MASK_3;
        r[EDX] &= PV_FEATURE_MASK_2;
        break;
    case 0x80000007:
        r[EAX] = r[EBX] = r[ECX] = 0;
        r[EDX] &= PV_FEATURE_MASK_7;
        break;
    case 0x80000008:
        r[EBX] &= PV_FEATURE_MASK_8;
        r[ECX] = r[EDX] = 0;
        break;
    case 0x80000021:
        r[EAX] &= PV_FEATURE_MASK_11;
        r[EBX] = r[ECX] = r[EDX] = 0;
        break;
    default:
        memset(r, 0, 4 * sizeof(uint32_t));
    }
}
