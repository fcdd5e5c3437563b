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
#define PCV_UVERBS_ABI_VERSION		2	/* 2: UD, address handles, 512-byte RQ WQEs */

/* Device name prefix the provider matches ("pciev0", "pciev1", ...). */
#define PCV_IBDEV_PREFIX		"pciev"

/* ---- alloc_ucontext ---------------------------------------------------- */
struct pcv_ibv_alloc_ucontext_req {
	__u32 comp_mask;		/* no bits defined yet: must be 0 */
	__u32 reserved;			/* must be 0 */
};

/* pcv_ibv_alloc_ucontext_resp.caps */
#define PCV_UCTX_CAP_LOOPBACK		(1U << 0)	/* same-blade QPs connect */
#define PCV_UCTX_CAP_UD			(1U << 1)	/* UD QPs, address handles, multicast */
#define PCV_UCTX_CAP_FAST		(1U << 2)	/* the small-message fast path (below) */
#define PCV_UCTX_CAP_FAST_SRQ		(1U << 3)	/* ... also for QPs with an SRQ (below) */

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

/*
 * ---- Queues shared between the kernel and user space --------------------
 *
 * Every queue is a ring the kernel allocates and the provider maps (mmap of
 * the uverbs fd at the offset the create response gives).  Page 0 of a
 * mapping is the ring header, entries start at PCV_RING_ENTRIES_OFF.  Each
 * index is free running (u32) and has exactly one writer:
 *   SQ, RQ, SRQ: the provider writes WQEs and prod; the kernel consumes them
 *                (copying each WQE once, then validating the copy) and writes
 *                cons;
 *   CQ:          the kernel writes CQEs and prod; the provider reads them and
 *                writes cons.
 * The kernel treats every value the provider writes as hostile: an index
 * outside the ring or a malformed WQE moves the QP (or CQ) to error.
 */
#define PCV_RING_HDR_SIZE		4096
#define PCV_RING_ENTRIES_OFF		PCV_RING_HDR_SIZE

struct pcv_ring_hdr {
	__u32 prod;			/* producer index (free running) */
	__u32 pad0[15];			/* prod and cons on separate cache lines */
	__u32 cons;			/* consumer index (free running) */
	__u32 pad1[15];
	__u32 flags;			/* PCV_RING_F_*, written by the kernel */
	__u32 pad2[15];
};

#define PCV_RING_F_ERROR		(1U << 0)	/* ring broken (QP/CQ in error) */
#define PCV_RING_F_OVERFLOW		(1U << 1)	/* CQ overflowed */
#define PCV_RING_F_LEAVE		(1U << 2)	/* SQ: the kernel needs the QP back (fast path) */
#define PCV_RING_F_SRQ_LIMIT		(1U << 3)	/* SRQ: a limit is armed (fast path stays away) */

/* Scatter/gather element, as in a WQE. */
struct pcv_sge {
	__aligned_u64 addr;		/* virtual address in the lkey's MR */
	__u32 length;
	__u32 lkey;
};

/* ---- send queue ------------------------------------------------------- */
enum pcv_wr_opcode {
	PCV_WR_SEND = 0,
	PCV_WR_SEND_WITH_IMM = 1,
	PCV_WR_RDMA_WRITE = 2,
	PCV_WR_RDMA_WRITE_WITH_IMM = 3,
	PCV_WR_RDMA_READ = 4,
	PCV_WR_ATOMIC_CMP_AND_SWP = 5,
	PCV_WR_ATOMIC_FETCH_AND_ADD = 6,
	PCV_WR_MAX = 7,
};

#define PCV_WQE_SIGNALED		(1U << 0)	/* complete with a CQE */
#define PCV_WQE_SOLICITED		(1U << 1)	/* solicited event at the responder */
#define PCV_WQE_FENCE			(1U << 2)	/* wait for prior READs/atomics */
#define PCV_WQE_INLINE			(1U << 3)	/* payload in inline_data */
#define PCV_WQE_FLAGS_ALL		0xf

#define PCV_SQ_STRIDE			256
#define PCV_MAX_SEND_SGE		8
#define PCV_MAX_INLINE			192	/* PCV_SQ_STRIDE - header */

struct pcv_sq_wqe {
	__aligned_u64 wr_id;
	__u8 opcode;			/* enum pcv_wr_opcode */
	__u8 flags;			/* PCV_WQE_* */
	__u8 num_sge;			/* 0..PCV_MAX_SEND_SGE (0 if inline) */
	__u8 reserved0;			/* must be 0 */
	__u32 imm_data;			/* as posted (network order) */
	__aligned_u64 remote_addr;	/* RDMA and atomics */
	__u32 rkey;
	__u32 inline_len;		/* bytes of inline_data (PCV_WQE_INLINE) */
	__aligned_u64 compare_add;	/* atomics */
	__aligned_u64 swap;		/* compare-and-swap */
	__u32 ud_ah;			/* UD: address handle (create_ah response), else 0 */
	__u32 ud_remote_qpn;		/* UD: destination QP (0xffffff: multicast) */
	__u32 ud_remote_qkey;		/* UD: high bit set = use the QP's own Q_Key */
	__u32 reserved1;		/* must be 0 */
	union {
		struct pcv_sge sge[PCV_MAX_SEND_SGE];
		__u8 inline_data[PCV_MAX_INLINE];
	};
};

/* ---- receive queues (RQ and SRQ) ------------------------------------------ */
#define PCV_RQ_STRIDE			512
#define PCV_MAX_RECV_SGE		31	/* IPoIB connected mode needs 16 */

struct pcv_rq_wqe {
	__aligned_u64 wr_id;
	__u8 num_sge;			/* 0..PCV_MAX_RECV_SGE */
	__u8 reserved[7];		/* must be 0 */
	struct pcv_sge sge[PCV_MAX_RECV_SGE];
};

/* ---- completion queue ------------------------------------------------------ */
#define PCV_CQE_SIZE			64

/* status and opcode carry the values of enum ibv_wc_status / ibv_wc_opcode
 * (identical to the kernel's ib_wc_status / ib_wc_opcode); wc_flags those of
 * enum ibv_wc_flags.
 */
struct pcv_cqe {
	__aligned_u64 wr_id;
	__u32 status;
	__u32 opcode;
	__u32 vendor_err;
	__u32 byte_len;
	__u32 imm_data;			/* network order, as ibv_wc.imm_data */
	__u32 qp_num;
	__u32 src_qp;
	__u32 wc_flags;
	__u16 pkey_index;
	__u16 slid;
	__u8 sl;
	__u8 dlid_path_bits;
	__u8 reserved0[2];
	__u32 reserved1[4];
};

/* ---- create/resize commands ------------------------------------------------- */
struct pcv_ibv_create_cq {
	__u32 comp_mask;		/* no bits defined: 0 */
	__u32 reserved;
};

struct pcv_ibv_create_cq_resp {
	__u32 comp_mask;
	__u32 cq_entries;		/* ring size (power of two) */
	__aligned_u64 mmap_key;		/* mmap offset of the ring */
	__aligned_u64 mmap_size;
};

/* resize_cq: the ring is replaced; remap with the new key. */
struct pcv_ibv_resize_cq {
	__u32 comp_mask;
	__u32 reserved;
};

struct pcv_ibv_resize_cq_resp {
	__u32 comp_mask;
	__u32 cq_entries;
	__aligned_u64 mmap_key;
	__aligned_u64 mmap_size;
};

struct pcv_ibv_create_qp {
	__u32 comp_mask;
	__u32 reserved;
};

struct pcv_ibv_create_qp_resp {
	__u32 comp_mask;
	__u32 qpn;
	__u32 sq_entries;		/* 0 for a QP without an SQ */
	__u32 rq_entries;		/* 0 with an SRQ */
	__u32 max_inline;
	__u32 reserved;
	__aligned_u64 sq_mmap_key;
	__aligned_u64 sq_mmap_size;
	__aligned_u64 rq_mmap_key;
	__aligned_u64 rq_mmap_size;
};

/*
 * create_ah (user address handles): no request data.  The handle names the
 * address vector in the kernel's AH table; UD send WQEs carry it in ud_ah.
 * The kernel checks on every send that the AH belongs to the QP's PD.
 */
struct pcv_ibv_create_ah_resp {
	__u32 comp_mask;
	__u32 ah;			/* handle, never 0 */
};

struct pcv_ibv_create_srq {
	__u32 comp_mask;
	__u32 reserved;
};

struct pcv_ibv_create_srq_resp {
	__u32 comp_mask;
	__u32 srq_entries;
	__aligned_u64 mmap_key;
	__aligned_u64 mmap_size;
};

/*
 * The provider's "doorbell": after writing WQEs and prod, it issues
 * post_send with no work requests (ibv_cmd_post_send with an empty list);
 * ib_uverbs then calls the driver's post_send with wr == NULL and the
 * driver processes the SQ ring (it returns 0: errors go to the CQ).
 * An empty poll of a user CQ issues poll_cq for ONE entry: ib_uverbs calls
 * the driver's poll_cq once per requested entry and never for 0 entries
 * (ib_uverbs_poll_cq loops while count < ne), so a 0-entry command would
 * not reach the driver.  For a CQ with a ring, the driver's poll_cq
 * processes inbound work for the CQ's queue pairs (the CQEs then appear in
 * the mapped ring) and itself returns 0 entries.
 * post_recv needs no system call: the kernel reads the RQ when a message
 * arrives.
 *
 * A new ring starts with prod == cons, and the kernel writes only its own
 * index, with one exception: a transition to RESET may re-initialise both
 * indices of the QP's SQ and RQ (to any equal value); the provider re-reads
 * prod after a successful modify_qp to RESET.  resize_cq: once it succeeds
 * the old ring is dead; the kernel has moved the CQEs between the old cons
 * and prod into the new ring and set the new header's cons and prod (the
 * provider adopts that cons); a size that cannot hold them is refused and
 * the old ring stays in use.  Each mmap_size is the exact (page multiple)
 * size of its mmap entry: the provider maps exactly mmap_size bytes.
 */

/*
 * ---- The fast path (PCV_UCTX_CAP_FAST): small SEND/RECV without system calls
 *
 * A connected RC/UC QP of a process (not loopback) may be handed to
 * the provider: modify_qp with attr_mask 0 and struct pcv_ibv_modify_qp
 * {comp_mask PCV_MODIFY_QP_FAST, op PCV_FAST_ENTER}.  The kernel accepts only
 * when the QP is in RTS, connected, with every send completed and nothing
 * half-received, and neither CQ armed (-EAGAIN: try again later); it then
 * stops touching the QP's message streams and writes struct pcv_fast_info
 * at PCV_FAST_INFO_OFF of the SQ ring's header page.  From then on the
 * provider is the QP's only requester and responder for messages: it writes
 * SEND messages (the link protocol's own format, payload inline) through a
 * mapping of the peer QP's inbound region, consumes its own inbound ring and
 * RQ, writes the credit and ack_msn the link protocol asks of a responder,
 * and produces the completions itself.  Every SEND is still written to the
 * SQ ring (with its WQE) and every receive comes from the RQ ring, so the
 * kernel can take over at any point.
 *
 * PCV_FAST_LEAVE gives the QP back with where the provider got to; the
 * kernel checks every index against its own and the rings, adopts the
 * unacknowledged SENDs as issued messages and goes on (RNR, NAKs, error
 * flushes, one-sided operations are all the kernel's).  The provider leaves
 * for anything that is not a small SEND or a plain receive, before any
 * other modify_qp, and when the kernel sets PCV_RING_F_LEAVE in the SQ
 * header (the QP went to error, the peer left).  While a QP is fast the
 * kernel refuses other modify_qp calls with -EBUSY.
 *
 * The two mappings are revocable: when the peer QP or its blade goes away,
 * or the QP is reset or destroyed, the kernel replaces their pages with a
 * scratch page (stores land nowhere, loads read zeros), so a process never
 * keeps a window onto memory the peer has reused.
 *
 * With PCV_UCTX_CAP_FAST_SRQ a QP with an SRQ may be fast too.  Its
 * receives come from the SRQ ring, which the kernel (for the SRQ's QPs that
 * are not fast) and the provider (for those that are) then consume side by
 * side: each takes the WQE at cons by copying it and moving cons from that
 * index to the next with a compare-and-swap, and only a successful swap
 * owns the WQE.  The provider checks a WQE before claiming it and leaves
 * any it cannot complete successfully to the kernel; it stays away while
 * PCV_RING_F_SRQ_LIMIT is set (only the kernel can count down to the limit
 * event) or the SRQ is broken.  Such a QP's rq_cons never moves.
 */
#define PCV_MODIFY_QP_FAST		(1U << 0)

enum pcv_fast_op {
	PCV_FAST_ENTER = 1,
	PCV_FAST_LEAVE = 2,
};

struct pcv_ibv_modify_qp {
	__u32 comp_mask;		/* 0 (nothing below) or PCV_MODIFY_QP_FAST */
	__u32 op;			/* enum pcv_fast_op */
	/* PCV_FAST_LEAVE: where the provider got to (free-running indices) */
	__u32 sq_sent;			/* SQ WQEs below it went out as messages */
	__u32 sq_done;			/* SQ WQEs below it were completed by the provider */
	__u32 tx_prod;			/* next slot of the peer's inbound ring */
	__u32 rx_cons;			/* next slot of our inbound ring */
	__u32 rx_msn;			/* next message sequence number we expect */
	__u32 rq_cons;			/* RQ WQEs below it were consumed */
};

#define PCV_FAST_INFO_OFF		256	/* in the SQ ring's header page */

struct pcv_fast_info {
	__u32 gen;			/* +1 at every successful PCV_FAST_ENTER */
	__u32 qpn;
	__u32 dest_qpn;
	__u32 conn_gen;			/* ours: messages to us must carry it */
	__u32 peer_conn_gen;		/* the peer's: our messages carry it */
	__u32 ring_order;		/* log2 slots of our inbound ring */
	__u32 peer_ring_order;		/* log2 slots of the peer's */
	__u32 sq_idx;			/* SQ index at entry: every WQE below it completed */
	__u32 tx_msn;			/* msn of our next message */
	__u32 tx_prod;			/* next slot of the peer's ring */
	__u32 rx_cons;			/* next slot of our ring */
	__u32 rx_msn;			/* next msn we expect */
	__u32 rq_cons;			/* next RQ WQE to consume */
	__u32 max_payload;		/* largest SEND the provider may write itself */
	__u32 dest_blade;		/* the peer's blade (its LID - 1) */
	__u32 reserved;
	__aligned_u64 inb_key;		/* mmap of our inbound region: control block at 0, */
	__aligned_u64 inb_size;		/* ring of 256-byte slots at 256 */
	__aligned_u64 peer_key;		/* mmap of the peer QP's inbound region */
	__aligned_u64 peer_size;
};

/*
 * Fast-path traffic (port counters): the kernel never sees a fast-path
 * message, so the provider counts them here, at PCV_FAST_STATS_OFF of the
 * SQ ring's header page (it writes, the kernel reads): totals of the QP's
 * life, free-running, each field one aligned 64-bit store.  The kernel
 * takes what moved while the QP was fast, forward only and bounded by
 * what the fast path could have carried (at LEAVE: by the messages it
 * knows were sent and received), so a lie changes only its own counts.
 */
#define PCV_FAST_STATS_OFF		512	/* in the SQ ring's header page */

struct pcv_fast_stats {
	__aligned_u64 tx_bytes;		/* SEND payload written to the peer */
	__aligned_u64 tx_msgs;
	__aligned_u64 rx_bytes;		/* SEND payload consumed from our ring */
	__aligned_u64 rx_msgs;
};

#endif /* PCIEVERBS_ABI_USER_H */
