/* SPDX-License-Identifier: MIT */
/* From boot modules to domain descriptions: kernels, initrds, settings. */
/*
 * Modules come in order: a kernel, optionally its initrd, the next kernel,
 * and so on. A kernel is an ELF image or a bzImage, which is unpacked here
 * (core/kernel-image.c) and held until its domain is built. A fault in a
 * kernel (corrupt ELF or bzImage, bad module string) stops that domain
 * only: its initrd, if one follows, is skipped with it, and the scan goes
 * on with the next kernel.
 */
#include <asm/mm.h>
#include <tern/boot-domains.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/heap.h>
#include <tern/lib.h>

enum module_kind { MOD_ELF, MOD_BZIMAGE, MOD_OTHER };

static enum module_kind module_kind(const uint8_t *p, uint64_t size)
{
    if ( size >= 4 && !memcmp(p, "\177ELF", 4) )
        return MOD_ELF;
    if ( size >= 0x206 && !memcmp(p + 0x202, "HdrS", 4) )
        return MOD_BZIMAGE;
    return MOD_OTHER;
}

/* Validate one kernel module into *d. Returns 0 or a negative errno, after
 * saying what is wrong and which module it is. */
static int scan_kernel(const struct boot_info *bi, unsigned int i,
                       enum module_kind kind, struct boot_domain *d)
{
    const struct boot_module *m = &bi->modules[i];
    char err[128];
    int rc;

    d->kernel_mod = i;
    d->initrd_mod = NO_MODULE;
    rc = domconfig_parse(m->string, &d->cfg, err, sizeof(err));
    if ( rc )
    {
        printk(TLOG_ERR "Module %u ('%s'): bad module string: %s; domain not built\n",
               i, m->string, err);
        return rc;
    }
    rc = kernel_image_open(bi, i, &d->kimg);
    if ( rc )
        return rc;
    rc = elf_xen_parse(d->kimg.elf, d->kimg.size, &d->elf, err, sizeof(err));
    if ( rc )
    {
        printk(TLOG_ERR "Module %u ('%s'): not a usable Xen PV kernel%s: %s; "
               "domain not built\n", i, m->string,
               kind == MOD_BZIMAGE ? " (in the bzImage)" : "", err);
        kernel_image_release(&d->kimg);
        return rc;
    }
    return 0;
}

static void report(const struct boot_info *bi, const struct boot_domain *d)
{
    printk("Domain '%s' from module %u: Xen PV kernel '%s', entry %#lx, %s "
           "hypercall page, %lu MiB, %u vCPU(s), initrd %s, cmdline '%s'\n",
           d->cfg.name, d->kernel_mod,
           d->elf.guest_os[0] ? d->elf.guest_os : "?",
           (unsigned long)d->elf.virt_entry,
           d->elf.virt_hypercall == ELF_XEN_UNSET ? "no" : "a",
           (unsigned long)(d->cfg.memory >> 20), d->cfg.vcpus,
           d->initrd_mod == NO_MODULE ? "none" : bi->modules[d->initrd_mod].string,
           d->cfg.cmdline);
}

unsigned int boot_domains_scan(const struct boot_info *bi, struct boot_domain **out)
{
    struct boot_domain *doms = NULL, *cur = NULL;
    unsigned int i, n = 0;
    bool after_kernel = false;      /* the previous module was a kernel */

    *out = NULL;
    if ( bi->nr_modules &&
         !(doms = heap_zalloc(bi->nr_modules * sizeof(*doms))) )
    {
        printk(TLOG_ERR "No memory to describe %u boot modules\n", bi->nr_modules);
        return 0;
    }
    for ( i = 0; i < bi->nr_modules; i++ )
    {
        const struct boot_module *m = &bi->modules[i];
        enum module_kind kind = module_kind(maddr_to_virt(m->start), m->end - m->start);

        if ( kind == MOD_OTHER )
        {
            if ( !after_kernel )
                printk(TLOG_ERR "Module %u ('%s'): neither a kernel nor the initrd "
                       "of one (an initrd follows its kernel); ignored\n", i, m->string);
            else if ( cur )
                cur->initrd_mod = i;
            after_kernel = false;
            continue;
        }
        after_kernel = true;
        cur = &doms[n];
        if ( scan_kernel(bi, i, kind, cur) )
        {
            cur = NULL;
            continue;
        }
        if ( !cur->cfg.name[0] )
            snprintf(cur->cfg.name, sizeof(cur->cfg.name), "d%u", n + 1);
        n++;
    }
    for ( i = 0; i < n; i++ )
        report(bi, &doms[i]);
    if ( !n )
    {
        heap_free(doms);
        doms = NULL;
    }
    *out = doms;
    return n;
}
