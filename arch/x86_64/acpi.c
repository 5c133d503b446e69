/* SPDX-License-Identifier: MIT */
/* ACPI tables: the RSDP, the MADT (CPUs), the FADT and \_S5 (power-off). */
/*
 * Tern reads just enough ACPI to find its CPUs and to switch the machine
 * off; it has no AML interpreter.
 *
 *   RSDP --> XSDT (64-bit entries, RSDP revision >= 2) or RSDT (32-bit)
 *              |--> "APIC" MADT: LAPIC (type 0) and x2APIC (type 9) entries
 *              `--> "FACP" FADT: PM1a/PM1b control ports, SMI_CMD, DSDT
 *                                   `--> DSDT AML: Name (_S5, Package {a, b, ..})
 *
 * The RSDP comes from the multiboot2 ACPI tag when the loader gave one,
 * else from the legacy BIOS areas (EBDA, 0xE0000-0xFFFFF). Every table is
 * untrusted input: its physical range must lie in the first 4 GiB (the
 * part of the direct map that exists this early), its length must cover
 * its header, and its checksum must be right, before a byte is read from
 * it. \_S5 is found by pattern: a NameOp before "_S5_", then a package
 * whose first two elements are integers (SLP_TYPa, SLP_TYPb).
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <tern/acpi.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/lib.h>

struct acpi_info acpi_info;

#define ACPI_PHYS_LIMIT   (1ull << 32)     /* what the boot direct map covers */
#define ACPI_TABLE_MAX    (16u << 20)      /* no sane table is bigger */
#define ACPI_HDR_LEN      36               /* the common table header */
#define RSDP_V1_LEN       20
#define RSDP_V2_LEN       36

#define MADT_LAPIC        0
#define MADT_LAPIC_ADDR   5
#define MADT_X2APIC       9
#define MADT_ENABLED      (1u << 0)

#define FADT_HW_REDUCED   (1u << 20)

/* Unaligned little-endian reads from table bytes. */
static uint16_t rd16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Returns true when the len bytes at p add up to 0 (mod 256). */
static bool checksum_ok(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while ( len-- )
        sum = (uint8_t)(sum + *p++);
    return sum == 0;
}

/* Returns true when [pa, pa + len) lies inside the boot direct map. */
static bool phys_range_ok(uint64_t pa, uint64_t len)
{
    return pa < ACPI_PHYS_LIMIT && len <= ACPI_PHYS_LIMIT - pa;
}

/* Returns true when p (avail readable bytes) holds a valid RSDP: the
 * signature, the 20-byte checksum and, from revision 2, the length and
 * the extended checksum. */
static bool rsdp_valid(const uint8_t *p, size_t avail)
{
    uint32_t len;

    if ( avail < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) ||
         !checksum_ok(p, RSDP_V1_LEN) )
        return false;
    if ( p[15] < 2 )
        return true;
    len = rd32(p + 20);
    return avail >= RSDP_V2_LEN && len >= RSDP_V2_LEN && len <= avail &&
           checksum_ok(p, len);
}

/* Scan [pa, pa + len) on 16-byte boundaries; returns the RSDP's physical
 * address, or 0 when none is there. */
static uint64_t rsdp_scan(uint64_t pa, uint64_t len)
{
    uint64_t off;

    for ( off = 0; off + RSDP_V1_LEN <= len; off += 16 )
        if ( rsdp_valid(maddr_to_virt(pa + off), (size_t)(len - off)) )
            return pa + off;
    return 0;
}

/* Find the RSDP: the multiboot2 copy, else the EBDA's first KiB, else the
 * BIOS area. Sets *pa (the copy's address in the loader's information for
 * the tag) and returns its bytes, or NULL when there is no valid RSDP. */
static const uint8_t *rsdp_find(const struct boot_info *bi, uint64_t *pa)
{
    uint64_t ebda;

    if ( bi->has_rsdp_copy )
    {
        if ( rsdp_valid(bi->rsdp_copy, sizeof(bi->rsdp_copy)) )
        {
            *pa = bi->rsdp_phys;
            return bi->rsdp_copy;
        }
        printk(TLOG_WARNING "ACPI: the multiboot2 RSDP copy is corrupt; "
               "scanning the BIOS areas\n");
    }
    ebda = (uint64_t)rd16(maddr_to_virt(0x40e)) << 4;
    if ( ebda >= 0x80000 && ebda < 0xa0000 && (*pa = rsdp_scan(ebda, 1024)) )
        return maddr_to_virt(*pa);
    if ( (*pa = rsdp_scan(0xe0000, 0x20000)) )
        return maddr_to_virt(*pa);
    return NULL;
}

/*
 * Check the table at pa: inside the first 4 GiB, a length that covers its
 * header and stays below ACPI_TABLE_MAX, a good checksum, and signature
 * sig when sig is not NULL. Returns the table through the direct map and
 * its length in *len, or NULL (with a message) when any check fails.
 */
static const uint8_t *table_map(uint64_t pa, const char *sig, uint32_t *len)
{
    const uint8_t *t;
    uint32_t l;

    if ( !pa )
        return NULL;
    if ( !phys_range_ok(pa, ACPI_HDR_LEN) )
    {
        printk(TLOG_WARNING "ACPI: table at %#lx is above 4 GiB: ignored\n",
               (unsigned long)pa);
        return NULL;
    }
    t = maddr_to_virt(pa);
    if ( sig && memcmp(t, sig, 4) )
    {
        printk(TLOG_WARNING "ACPI: table at %#lx is not %.4s: ignored\n",
               (unsigned long)pa, sig);
        return NULL;
    }
    l = rd32(t + 4);
    if ( l < ACPI_HDR_LEN || l > ACPI_TABLE_MAX || !phys_range_ok(pa, l) )
    {
        printk(TLOG_WARNING "ACPI: %.4s at %#lx has a bad length %u: ignored\n",
               (const char *)t, (unsigned long)pa, l);
        return NULL;
    }
    if ( !checksum_ok(t, l) )
    {
        printk(TLOG_WARNING "ACPI: %.4s at %#lx has a bad checksum: ignored\n",
               (const char *)t, (unsigned long)pa);
        return NULL;
    }
    *len = l;
    return t;
}

/* Add APIC id to acpi_info.apic_ids unless it is there; counts what does
 * not fit in *dropped. */
static void cpu_add(uint32_t apic_id, unsigned int *dropped)
{
    unsigned int i;

    for ( i = 0; i < acpi_info.nr_cpus; i++ )
        if ( acpi_info.apic_ids[i] == apic_id )
            return;
    if ( acpi_info.nr_cpus == NR_CPUS )
    {
        (*dropped)++;
        return;
    }
    acpi_info.apic_ids[acpi_info.nr_cpus++] = apic_id;
}

/* The BSP's initial APIC id: CPUID leaf 1, EBX bits 31:24 (the LAPIC is
 * not set up yet when ACPI is read). */
static uint32_t bsp_apic_id(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    return b >> 24;
}

/* Read the enabled CPUs of the MADT into acpi_info, the BSP first.
 * Entries that run past the table end the walk with a message. */
static void madt_parse(const uint8_t *t, uint32_t len)
{
    uint32_t off, bsp = bsp_apic_id();
    unsigned int dropped = 0;

    acpi_info.nr_cpus = 0;
    cpu_add(bsp, &dropped);
    if ( len < ACPI_HDR_LEN + 8 )
    {
        printk(TLOG_WARNING "ACPI: MADT too short (%u bytes)\n", len);
        return;
    }
    acpi_info.lapic_phys = rd32(t + 36);
    for ( off = ACPI_HDR_LEN + 8; off + 2 <= len; off += t[off + 1] )
    {
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];

        if ( elen < 2 || elen > len - off )
        {
            printk(TLOG_WARNING "ACPI: MADT entry at offset %u has a bad "
                   "length %u: rest of the MADT ignored\n", off, elen);
            break;
        }
        if ( type == MADT_LAPIC && elen >= 8 && (rd32(e + 4) & MADT_ENABLED) )
            cpu_add(e[3], &dropped);
        else if ( type == MADT_X2APIC && elen >= 16 &&
                  (rd32(e + 8) & MADT_ENABLED) )
            cpu_add(rd32(e + 4), &dropped);
        else if ( type == MADT_LAPIC_ADDR && elen >= 12 )
            acpi_info.lapic_phys = rd64(e + 4);
    }
    if ( dropped )
        printk(TLOG_WARNING "ACPI: MADT lists %u more CPUs than Tern's "
               "NR_CPUS (%u): ignored\n", dropped, NR_CPUS);
}

/* Decode one AML integer (ZeroOp, OneOp, OnesOp or a byte, word, dword or
 * qword prefix) from p[0..len). Returns the bytes it takes, 0 when p holds
 * no integer. */
static size_t aml_integer(const uint8_t *p, size_t len, uint64_t *v)
{
    static const uint8_t prefix_len[] = { [0x0a] = 1, [0x0b] = 2,
                                          [0x0c] = 4, [0x0e] = 8 };
    size_t n, i;

    if ( !len )
        return 0;
    if ( p[0] == 0x00 || p[0] == 0x01 )
    {
        *v = p[0];
        return 1;
    }
    if ( p[0] == 0xff )
    {
        *v = ~0ull;
        return 1;
    }
    if ( p[0] >= ARRAY_SIZE(prefix_len) || !(n = prefix_len[p[0]]) ||
         len < n + 1 )
        return 0;
    for ( *v = 0, i = n; i > 0; i-- )
        *v = *v << 8 | p[i];
    return n + 1;
}

/*
 * Find Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... }) in the AML of
 * the DSDT and store the two values. Returns 0, or -ENOENT when no
 * definition decodes.
 */
static int s5_parse(const uint8_t *aml, size_t len)
{
    size_t i, p, n, lead_bytes;
    uint64_t a, b;
    unsigned int nelem;

    for ( i = 1; i + 4 <= len; i++ )
    {
        if ( memcmp(aml + i, "_S5_", 4) )
            continue;
        /* NameOp, perhaps with a root or parent prefix. */
        if ( aml[i - 1] != 0x08 &&
             !(i >= 2 && aml[i - 2] == 0x08 &&
               (aml[i - 1] == '\\' || aml[i - 1] == '^')) )
            continue;
        p = i + 4;
        if ( p >= len || aml[p] != 0x12 )             /* PackageOp */
            continue;
        p++;
        if ( p >= len )
            continue;
        lead_bytes = aml[p] >> 6;                    /* PkgLength */
        p += 1 + lead_bytes;
        if ( p >= len )
            continue;
        nelem = aml[p++];                            /* NumElements */
        if ( nelem < 1 || !(n = aml_integer(aml + p, len - p, &a)) )
            continue;
        p += n;
        b = a;
        if ( nelem >= 2 && !aml_integer(aml + p, len - p, &b) )
            b = a;
        acpi_info.slp_typ_a = (uint16_t)(a & 7);
        acpi_info.slp_typ_b = (uint16_t)(b & 7);
        acpi_info.s5_found = 1;
        return 0;
    }
    return -ENOENT;
}

/* Returns an I/O port from a 32-bit FADT block field, or from the I/O-space
 * generic address at xoff when the first is 0 and the table is long
 * enough; 0 when there is none. */
static uint32_t fadt_port(const uint8_t *t, uint32_t len, uint32_t off,
                          uint32_t xoff)
{
    uint64_t x;

    if ( len >= off + 4 && rd32(t + off) )
        return rd32(t + off) <= 0xffff ? rd32(t + off) : 0;
    if ( len < xoff + 12 || t[xoff] != 1 )           /* SystemIO space */
        return 0;
    x = rd64(t + xoff + 4);
    return x <= 0xffff ? (uint32_t)x : 0;
}

/* Read the PM1 control ports and SMI_CMD from the FADT, then \_S5 from the
 * DSDT it names. Missing pieces leave acpi_info.s5_found at 0. */
static void fadt_parse(const uint8_t *t, uint32_t len)
{
    const uint8_t *dsdt = NULL;
    uint64_t dsdt_pa = 0;
    uint32_t dlen;

    if ( len < 116 )
    {
        printk(TLOG_WARNING "ACPI: FADT too short (%u bytes)\n", len);
        return;
    }
    if ( rd32(t + 112) & FADT_HW_REDUCED )
    {
        printk(TLOG_WARNING "ACPI: hardware-reduced ACPI: no PM1 power-off\n");
        return;
    }
    acpi_info.smi_cmd = rd32(t + 48) <= 0xffff ? rd32(t + 48) : 0;
    acpi_info.acpi_enable = t[52];
    acpi_info.pm1a_cnt = fadt_port(t, len, 64, 172);
    acpi_info.pm1b_cnt = fadt_port(t, len, 68, 184);
    if ( len >= 148 )
        dsdt_pa = rd64(t + 140);
    if ( !dsdt_pa )
        dsdt_pa = rd32(t + 40);
    dsdt = table_map(dsdt_pa, "DSDT", &dlen);
    if ( !dsdt )
        return;
    if ( s5_parse(dsdt + ACPI_HDR_LEN, dlen - ACPI_HDR_LEN) )
        printk(TLOG_WARNING "ACPI: no \\_S5 package in the DSDT\n");
}

/*
 * Walk the RSDT or XSDT at pa (entries of esize bytes) and parse the MADT
 * and the FADT. Returns 0, or -EINVAL when the root table is unusable.
 */
static int root_parse(uint64_t pa, unsigned int esize)
{
    const uint8_t *root, *t;
    uint32_t len, tlen, off;
    bool madt = false, fadt = false;

    root = table_map(pa, esize == 8 ? "XSDT" : "RSDT", &len);
    if ( !root )
        return -EINVAL;
    for ( off = ACPI_HDR_LEN; off + esize <= len; off += esize )
    {
        uint64_t tpa = esize == 8 ? rd64(root + off) : rd32(root + off);

        if ( !tpa || !phys_range_ok(tpa, ACPI_HDR_LEN) )
        {
            if ( tpa )
                printk(TLOG_WARNING "ACPI: table at %#lx is above 4 GiB: "
                       "ignored\n", (unsigned long)tpa);
            continue;
        }
        t = maddr_to_virt(tpa);
        if ( !madt && !memcmp(t, "APIC", 4) && (t = table_map(tpa, NULL, &tlen)) )
        {
            madt = true;
            madt_parse(t, tlen);
        }
        else if ( !fadt && !memcmp(t, "FACP", 4) &&
                  (t = table_map(tpa, NULL, &tlen)) )
        {
            fadt = true;
            fadt_parse(t, tlen);
        }
    }
    if ( !madt )
        printk(TLOG_WARNING "ACPI: no MADT: the boot CPU only\n");
    if ( !fadt )
        printk(TLOG_WARNING "ACPI: no FADT: no ACPI power-off\n");
    return 0;
}

/* Returns 0, or -ENODEV without a usable RSDP and RSDT/XSDT (see
 * <tern/acpi.h>). */
int acpi_init(const struct boot_info *bi)
{
    const uint8_t *rsdp;
    uint64_t pa = 0, xsdt;
    bool use_xsdt;
    char ids[160];
    unsigned int i, n = 0;

    acpi_info.lapic_phys = 0xfee00000;
    rsdp = rsdp_find(bi, &pa);
    if ( !rsdp )
    {
        printk(TLOG_WARNING "ACPI: no RSDP found: one CPU, no ACPI power-off\n");
        return -ENODEV;
    }
    acpi_info.rsdp_phys = pa;
    xsdt = rsdp[15] >= 2 ? rd64(rsdp + 24) : 0;
    use_xsdt = xsdt != 0;
    if ( use_xsdt && root_parse(xsdt, 8) )
    {
        printk(TLOG_WARNING "ACPI: XSDT unusable, trying the RSDT\n");
        use_xsdt = false;
    }
    if ( !use_xsdt && root_parse(rd32(rsdp + 16), 4) )
    {
        printk(TLOG_WARNING "ACPI: no usable RSDT or XSDT: one CPU, no ACPI "
               "power-off\n");
        return -ENODEV;
    }

    if ( acpi_info.s5_found && acpi_info.pm1a_cnt )
        printk("ACPI: RSDP at %#lx (%s), %u CPUs in MADT, S5 SLP_TYP %u/%u "
               "via PM1a_CNT %#x\n", (unsigned long)pa,
               use_xsdt ? "XSDT" : "RSDT", acpi_info.nr_cpus,
               acpi_info.slp_typ_a, acpi_info.slp_typ_b, acpi_info.pm1a_cnt);
    else
        printk("ACPI: RSDP at %#lx (%s), %u CPUs in MADT, S5 not found: "
               "no ACPI power-off\n", (unsigned long)pa,
               use_xsdt ? "XSDT" : "RSDT", acpi_info.nr_cpus);
    for ( i = 0; i < acpi_info.nr_cpus && n < sizeof(ids); i++ )
        n += (unsigned int)snprintf(ids + n, sizeof(ids) - n, " %u",
                                    acpi_info.apic_ids[i]);
    printk(TLOG_DEBUG "ACPI: LAPIC at %#lx, APIC ids:%s\n",
           (unsigned long)acpi_info.lapic_phys, n ? ids : " none");
    if ( acpi_info.lapic_phys != 0xfee00000 )
        printk(TLOG_WARNING "ACPI: the LAPIC is not at 0xfee00000: Tern "
               "assumes it is\n");
    return 0;
}
