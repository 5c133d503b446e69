/* SPDX-License-Identifier: MIT */
/* The domains described by the boot modules (core/boot-domains.c). */
#ifndef TERN_BOOT_DOMAINS_H
#define TERN_BOOT_DOMAINS_H

#include <tern/bootinfo.h>
#include <tern/domconfig.h>
#include <tern/elf-xen.h>
#include <tern/kernel-image.h>

#define NO_MODULE (~0u)

struct boot_domain {
    unsigned int kernel_mod;          /* index into boot_info.modules */
    unsigned int initrd_mod;          /* NO_MODULE when there is none */
    struct domain_config cfg;
    struct elf_xen_info elf;
    struct kernel_image kimg;         /* the ELF (unpacked if a bzImage) until built */
};

/*
 * Read every boot module: a module that is a kernel starts a domain (its
 * string gives the settings), a module that is not a kernel and follows
 * one is that kernel's initrd. Every fault is reported naming the module
 * and stops only that domain. Returns how many domains are valid; fills
 * *out with a heap array of them (NULL when none).
 */
unsigned int boot_domains_scan(const struct boot_info *bi, struct boot_domain **out);

#endif /* TERN_BOOT_DOMAINS_H */
