/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs OS glue: the only place that differs between the kernel
 * module and user space (unit tests, provider).  The transport core includes
 * this and nothing else from its environment.
 *
 * Memory model: "local" memory is RAM of this blade; "remote" memory is a
 * peer's RAM seen through a window (kernel: __iomem, write-combined).  The
 * core writes remote memory only through pcv_remote_* helpers and reads only
 * local memory, through pcv_local_read* (peers write it, so every value read
 * is untrusted and is range-checked by the caller).  Remote pointers carry
 * the kernel's __iomem annotation (empty in user space) so sparse checks
 * that they are never dereferenced directly.
 */
#ifndef PCV_OSDEP_H
#define PCV_OSDEP_H

#ifdef __KERNEL__
#include "osdep_kernel.h"
#else
#include "osdep_user.h"
#endif

/* static_assert: <linux/build_bug.h> in the kernel, <assert.h> in C11. */
#define PCV_STATIC_ASSERT(e, m)		static_assert(e, m)

#endif /* PCV_OSDEP_H */
