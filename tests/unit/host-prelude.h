/* SPDX-License-Identifier: MIT */
/* Host stand-in for the hypervisor's forced include of compiler.h. */
#ifndef TERN_TESTS_HOST_PRELUDE_H
#define TERN_TESTS_HOST_PRELUDE_H

/*
 * The hypervisor builds with -include include/tern/compiler.h. The host
 * tests want the same macros but not its "visibility hidden" pragma, which
 * would hide libc's functions from the link: take the header, then pop it.
 */
#include <tern/compiler.h>
#pragma GCC visibility pop

#endif /* TERN_TESTS_HOST_PRELUDE_H */
