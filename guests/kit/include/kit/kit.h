/* SPDX-License-Identifier: MIT */
/* Kit: everything a test guest includes. */
#ifndef KIT_KIT_H
#define KIT_KIT_H

#include <kit/xen.h>
#include <kit/lib.h>
#include <kit/hypercall.h>
#include <kit/console.h>
#include <kit/mm.h>
#include <kit/test.h>
#include <kit/events.h>
#include <kit/cmdline.h>

#endif /* KIT_KIT_H */
