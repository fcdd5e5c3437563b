/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Constants shared by the test "kernel" (fake_uverbs.c) and the tests that
 * check what the provider reports from it, and the test interface the
 * fake exports (looked up with dlsym(RTLD_DEFAULT, ...) by the tests).
 */
#ifndef PCV_FAKE_UVERBS_H
#define PCV_FAKE_UVERBS_H

#include <stddef.h>
#include <stdint.h>

#include <rdma/pcieverbs-abi.h>

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
#define FAKE_DEF_CAPS		3	/* PCV_UCTX_CAP_LOOPBACK | _UD */
#define FAKE_WIRE_VERSION	((1U << 16) | 0U)

/*
 * The data-path part of the fake kernel.
 *
 * PCV_FAKE_IOCTL=1 gives the node the ioctl() interface of a 6.1 kernel
 * (RDMA_VERBS_IOCTL with UVERBS_METHOD_INVOKE_WRITE and the native
 * GET_CONTEXT, QUERY_PORT, ASYNC_EVENT_ALLOC, PD/MR/AH_DESTROY,
 * CQ/QP/SRQ_CREATE/DESTROY methods; anything else EPROTONOSUPPORT, as a
 * kernel answers an unknown method).  libibverbs then sends what it sends
 * to a real 6.1 kernel.  Unset, ioctl() fails with ENOTTY and libibverbs
 * uses write() for everything, as on a pre-ioctl kernel.
 *
 * Limits and what the fake grants (a well-behaved kernel):
 *   CQ   cqe 1..FAKE_MAX_CQE, ring = next power of two, core cqe = asked
 *   QP   RC/UC (and UD if the caps knob has PCV_UCTX_CAP_UD), WRs <=
 *        FAKE_MAX_WR, SGEs <= PCV_MAX_SEND/RECV_SGE, inline
 *        <= PCV_MAX_INLINE; each ring = next power of two of the WRs (0
 *        WRs: no ring), granted WRs = ring size, SGEs and inline as asked
 *        (SGEs at least 1), no RQ with an SRQ; qpn = handle + FAKE_QPN_BASE
 *   SRQ  WRs 1..FAKE_MAX_WR, ring = next power of two = granted WRs
 *   MR   lkey = FAKE_LKEY_BASE + handle, rkey = FAKE_RKEY_BASE + handle
 *   AH   only with PCV_UCTX_CAP_UD (else EOPNOTSUPP); port 1 only, a GRH
 *        sgid_index < 1 (EINVAL otherwise, as the kernel's core checks);
 *        no driver request data; the driver handle (pcv_ibv_create_ah_resp
 *        .ah) = uverbs handle + FAKE_AH_BASE, so the two cannot be mixed
 *        up unnoticed; a PD with AHs cannot be freed (EBUSY)
 *   MCAST (as 6.1's ib_attach_mcast / ib_uverbs_attach_mcast) UD QPs
 *        only, a multicast GID (ff..), an MLID in 0xc000..0xfffe (else
 *        EINVAL); attaching twice succeeds once; detaching what is not
 *        attached is EINVAL; destroying a QP detaches it
 * Knobs that make it lie in the next create response (read at each call):
 *   PCV_FAKE_CQ_{ENTRIES,KEY,SIZE,BYTES,CQE,PROD}
 *   PCV_FAKE_RESIZE_{ENTRIES,KEY,SIZE,BYTES}
 *   PCV_FAKE_QP_{QPN,SQ_ENTRIES,RQ_ENTRIES,MAX_INLINE,SQ_KEY,SQ_SIZE,
 *               RQ_KEY,RQ_SIZE,BYTES,CAP_SEND_WR,CAP_SEND_SGE,
 *               CAP_RECV_SGE,CAP_INLINE}
 *   PCV_FAKE_SRQ_{ENTRIES,KEY,SIZE,BYTES,MAX_SGE}
 *   PCV_FAKE_AH_{HANDLE,COMP_MASK,BYTES}
 *   (ENTRIES/CQE/QPN/CAP_* replace the reported value, KEY/SIZE too, BYTES
 *   is how many driver-response bytes are copied, PROD the ring header's
 *   initial prod.)
 *   PCV_FAKE_POLL_DIRECT=1   POLL_CQ hands the first queued CQE back
 *                            through the system call instead of the ring
 *   PCV_FAKE_RESET_KEEP=1    modify_qp to RESET empties the SQ/RQ by
 *                            moving cons up to prod (default: both indices
 *                            re-initialised to 0, as pcieverbs.ko does)
 */
#define FAKE_MAX_CQE		65536
#define FAKE_MAX_WR		4096
#define FAKE_QPN_BASE		0x40
#define FAKE_LKEY_BASE		0x1000
#define FAKE_RKEY_BASE		0x2000
#define FAKE_AH_BASE		0x500
#define FAKE_MCAST_PER_QP	8

enum pcv_fake_ring_kind {
	PCV_FAKE_RING_CQ,
	PCV_FAKE_RING_SQ,
	PCV_FAKE_RING_RQ,
	PCV_FAKE_RING_SRQ,
};

/* The fake kernel's own view of a ring (a separate mapping of the same
 * memory the provider maps): header at base, entries at
 * base + PCV_RING_ENTRIES_OFF.
 */
struct pcv_fake_ring_view {
	uint8_t *base;
	uint32_t entries;
	uint32_t stride;
	uint64_t key;
	uint64_t size;
};

struct pcv_fake_stats {
	uint64_t cmds;			/* every uverbs command */
	uint64_t write_cmds;		/* ... that came by write() */
	uint64_t ioctl_cmds;		/* ... that came by ioctl() */
	uint64_t send_kicks;		/* POST_SEND without work requests */
	uint64_t send_with_wrs;		/* POST_SEND carrying WRs (refused) */
	uint64_t recv_cmds;		/* POST_RECV / POST_SRQ_RECV (refused) */
	uint64_t poll_cmds;		/* POLL_CQ */
	uint32_t last_poll_ne;
	uint32_t last_notify_solicited;
	uint64_t notify_cmds;		/* REQ_NOTIFY_CQ */
	uint64_t resize_cmds;
	uint64_t modify_qp_cmds;
	uint64_t modify_srq_cmds;
	uint32_t last_qp_mask;
	uint32_t last_qp_state;
	uint32_t last_srq_mask;
	uint32_t last_srq_limit;
	uint32_t last_mr_access;	/* access flags of the last REG_MR */
	uint32_t last_qkey;		/* qkey of the last MODIFY_QP with IB_QP_QKEY */
	uint64_t create_ah_cmds;	/* CREATE_AH (also refused ones) */
	uint64_t attach_cmds;		/* ATTACH_MCAST (also refused ones) */
	uint64_t detach_cmds;		/* DETACH_MCAST (also refused ones) */
	uint32_t last_mcast_qp;		/* QP handle, GID and LID of the */
	uint16_t last_mcast_lid;	/* last ATTACH/DETACH_MCAST */
	uint8_t last_mcast_gid[16];
	uint32_t live_pds;
	uint32_t live_cqs;
	uint32_t live_qps;
	uint32_t live_srqs;
	uint32_t live_mrs;
	uint32_t live_ahs;
	uint32_t live_mcast;		/* (QP, group) attachments */
	uint32_t live_rings;		/* rings the fake kernel holds */
	uint32_t live_maps;		/* ring mappings in the process */
	uint64_t maps_total;		/* ring mmap()s ever made */
};

/* Exported by fake_uverbs.so; the tests resolve them with dlsym(). */
typedef void pcv_fake_get_stats_fn(struct pcv_fake_stats *s);
/* The kernel view of a ring by object handle; 0, or -1 if none. */
typedef int pcv_fake_ring_fn(int kind, uint32_t handle,
			     struct pcv_fake_ring_view *v);
/* Write one CQE into a CQ (on_kick 0: now; 1: at the next POLL_CQ, as
 * "inbound work" the kernel processes); 0, or -1 if the ring is full or
 * the queue of pending CQEs is.
 */
typedef int pcv_fake_cq_push_fn(uint32_t cq_handle, const struct pcv_cqe *cqe,
				int on_kick);
/* on != 0: every doorbell consumes the SQ (the WQEs are appended to a log
 * and cons catches up with prod), as the kernel's SQ engine would.
 */
typedef void pcv_fake_sq_consume_fn(uint32_t qp_handle, int on);
/* Consume the SQ now, as an SQ engine running on its own would (the WQEs
 * go to the same log); returns how many.
 */
typedef size_t pcv_fake_sq_drain_fn(uint32_t qp_handle);
/* The consumed WQEs so far (pointer into the fake; valid until the QP is
 * destroyed) and how many.
 */
typedef size_t pcv_fake_sq_log_fn(uint32_t qp_handle,
				  const struct pcv_sq_wqe **log);
/* Doorbells received for one QP. */
typedef uint64_t pcv_fake_qp_kicks_fn(uint32_t qp_handle);
/* The kernel's copy of an AH, by uverbs handle (ibv_ah.handle). */
struct pcv_fake_ah_view {
	uint32_t drv_handle;		/* what the create_ah response said */
	uint32_t pd;			/* PD handle */
	uint16_t dlid;
	uint8_t sl, src_path_bits, static_rate, is_global, port_num;
	uint8_t sgid_index, hop_limit, traffic_class;
	uint32_t flow_label;
	uint8_t dgid[16];
};
/* 0, or -1 if there is no such AH. */
typedef int pcv_fake_ah_fn(uint32_t ah_handle, struct pcv_fake_ah_view *v);
/* How many multicast groups a QP is attached to (-1: no such QP); with
 * gid/lid non-NULL, whether it is attached to that one (1 or 0).
 */
typedef int pcv_fake_qp_mcast_fn(uint32_t qp_handle, const uint8_t *gid,
				 uint16_t lid);
/* How a command last arrived: "write()", "write() ex",
 * "ioctl INVOKE_WRITE" or "ioctl <OBJECT>_<METHOD>"; NULL if never.
 * verb is the write command's name, e.g. "CREATE_CQ".
 */
typedef const char *pcv_fake_transport_fn(const char *verb);

#endif
