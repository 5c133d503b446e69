/* SPDX-License-Identifier: MIT */
/* Kit: the hypercall way in use. */
#include <kit/hypercall.h>

/* KIT_HC_PAGE or KIT_HC_SYSCALL; kit_main() may switch to SYSCALL. */
int kit_hypercall_mode = KIT_HC_PAGE;
