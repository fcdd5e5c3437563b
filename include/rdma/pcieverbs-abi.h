/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause) */
/*
 * pcieverbs user/kernel ABI: the driver-private data carried in uverbs
 * udata between libpcieverbs-rdmav34.so and pcieverbs.ko.
 *
 * Rules (the kernel and the provider both check them):
 *  - fixed-width types, explicit padding, 64-bit fields 8-byte aligned, no
 *    kernel pointers;
 *  - every request starts with comp_mask; unknown comp_mask bits, non-zero
 *    reserved fields and non-zero bytes beyond the known struct are refused
 *    (-EINVAL / -EOPNOTSUPP), so old kernels reject new requests loudly;
 *  - every response starts with comp_mask saying which optional fields are
 *    valid; the kernel copies min(outlen, sizeof(resp)) bytes and refuses an
 *    outlen shorter than the first release of the struct;
 *  - libibverbs does not tell a provider how many response bytes arrived, so
 *    the provider pre-fills responses with 0xff and treats the last field of
 *    the first release still reading all-ones as a short response: the kernel
 *    always writes every field of the first release (reserved fields as 0);
 *  - the device keeps driver_id RDMA_DRIVER_UNKNOWN, node type CA, a name
 *    starting with PCV_IBDEV_PREFIX, and uverbs_abi_ver = PCV_UVERBS_ABI_VERSION
 *    (libibverbs refuses a device whose ABI version is outside the provider's
 *    range, and the provider matches by name).
 */
#ifndef PCIEVERBS_ABI_USER_H
#define PCIEVERBS_ABI_USER_H

#include <linux/types.h>

/* Reported by the kernel as the device's uverbs ABI version; the provider
 * matches devices whose version lies in [MIN, MAX] of what it speaks.
 */
#define PCV_UVERBS_ABI_VERSION		1

/* Device name prefix the provider matches ("pciev0", "pciev1", ...). */
#define PCV_IBDEV_PREFIX		"pciev"

/* ---- alloc_ucontext ---------------------------------------------------- */
struct pcv_ibv_alloc_ucontext_req {
	__u32 comp_mask;		/* no bits defined yet: must be 0 */
	__u32 reserved;			/* must be 0 */
};

/* pcv_ibv_alloc_ucontext_resp.caps */
#define PCV_UCTX_CAP_LOOPBACK		(1U << 0)	/* same-blade QPs connect */

struct pcv_ibv_alloc_ucontext_resp {
	__u32 comp_mask;		/* no optional fields yet */
	__u32 blade_id;			/* this blade, 0-based; LID = blade_id + 1 */
	__u32 nr_blades;		/* blades in the chassis */
	__u32 wire_version;		/* (major << 16) | minor of the link protocol */
	__u32 caps;			/* PCV_UCTX_CAP_* */
	__u32 reserved;
};

/* ---- alloc_pd ----------------------------------------------------------- */
struct pcv_ibv_alloc_pd_resp {
	__u32 comp_mask;
	__u32 pdn;			/* protection domain number */
};

#endif /* PCIEVERBS_ABI_USER_H */
