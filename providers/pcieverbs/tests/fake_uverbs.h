/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Constants shared by the test "kernel" (fake_uverbs.c) and the tests that
 * check what the provider reports from it.
 */
#ifndef PCV_FAKE_UVERBS_H
#define PCV_FAKE_UVERBS_H

/* The fake uverbs node is /dev/full bind-mounted on /dev/infiniband/uverbs0:
 * a character device that opens anywhere, answers ioctl() with ENOTTY (so
 * libibverbs takes the write() path) and would fail writes loudly (ENOSPC)
 * if the shim were not loaded.
 */
#define FAKE_UVERBS_MAJOR	1
#define FAKE_UVERBS_MINOR	7

#define FAKE_FW_VER		((1ULL << 32) | (2ULL << 16) | 3ULL)
#define FAKE_FW_VER_STR		"1.2.3"
#define FAKE_NODE_GUID		0x0002c90300a1b2c3ULL	/* host order */
#define FAKE_VENDOR_ID		0x1af4
#define FAKE_VENDOR_PART_ID	0x5043
#define FAKE_PDN_BASE		0x100		/* pdn = handle + this */
#define FAKE_MAX_PDS		64
#define FAKE_HCA_CORE_CLOCK	125000		/* kHz; only in the extended reply */

/* Defaults of the knobs (environment variables of the same name):
 *   PCV_FAKE_BLADE_ID, PCV_FAKE_NR_BLADES, PCV_FAKE_CAPS,
 *   PCV_FAKE_UCTX_COMP_MASK  what alloc_ucontext answers
 *   PCV_FAKE_UCTX_BYTES      how many driver-response bytes the "kernel"
 *                            copies (an older or broken kernel: fewer)
 */
#define FAKE_DEF_BLADE_ID	2
#define FAKE_DEF_NR_BLADES	5
#define FAKE_DEF_CAPS		1	/* PCV_UCTX_CAP_LOOPBACK */
#define FAKE_WIRE_VERSION	((1U << 16) | 0U)

#endif
