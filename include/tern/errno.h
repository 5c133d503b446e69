/* SPDX-License-Identifier: MIT */
/* Xen's errno values (ABI), as plain names: EINVAL, ENOSYS ... */
#ifndef TERN_ERRNO_H
#define TERN_ERRNO_H

#ifdef __TERN__
/* In the hypervisor the Xen public list is the one errno namespace. */
#define XEN_ERRNO(name, value) name = value,
enum tern_errno {
#include <xen/errno.h>
};
#else
/* On the host, libc's values are Linux's, which are Xen's. */
#include <errno.h>
#endif

#endif /* TERN_ERRNO_H */
