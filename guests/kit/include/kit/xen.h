/* SPDX-License-Identifier: MIT */
/* Kit: the one way guests include Xen's public ABI headers. */
#ifndef KIT_XEN_H
#define KIT_XEN_H

/*
 * Xen's public headers use the fixed-width types without including
 * <stdint.h> themselves, so every kit file includes them through here.
 * The interface version is set on the compiler command line
 * (__XEN_INTERFACE_VERSION__=0x00040e00, Xen 4.14's, the newest 4.17 has).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/version.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/callback.h>
#include <xen/grant_table.h>
#include <xen/physdev.h>
#include <xen/features.h>
#include <xen/errno.h>
#include <xen/io/console.h>

#endif /* KIT_XEN_H */
