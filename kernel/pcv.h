/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pcieverbs core: the ib_device, the verbs objects and the state shared by
 * their parts.
 *
 * Lock order (outermost first):
 *   pcv_dev.link_lock (mutex)  ->  pcv_qp.lock  ->  pcv_cq.lock / pcv_srq.lock
 *   pcv_peer.dg_rx_lock  ->  pcv_dev.mcast_lock  ->  pcv_qp.lock (datagram delivery)
 *   pcv_dev.qp_list_lock, pcv_peer.ctrl_lock, pcv_peer.dg_tx_lock, pcv_dev.sa_lock,
 *   pcv_dev.revoke_lock and the backend's DMA lock are leaves.
 *   Fast-path mappings: mm->mmap_lock -> pcv_fast_map.lock (pcv_fast.c), never
 *   under a spinlock.  Two QP locks are never held
 *   together (a loopback QP writes its peer's inbound ring like any remote
 *   one, without the peer's lock).  dg_rx_lock is never taken under a QP or
 *   CQ lock: datagram rings are drained before any of them is taken.
 */
#ifndef PCV_H
#define PCV_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/idr.h>
#include <linux/sizes.h>
#include <linux/xarray.h>
#include <linux/timer.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_umem.h>
#include <rdma/pcieverbs-abi.h>

#include "pcv/link.h"
#include "pcv/wire.h"
#include "pcv/ring.h"
#include "pcv/msgring.h"
#include "pcv/mrdesc.h"
#include "pcv/sa.h"
#include "pcv_backend.h"

#define PCV_DRV_NAME		"pcieverbs"
#define PCV_MAX_BLADES		8
#define PCV_PORT		1

/* Identity (see docs/design.md, "InfiniBand identity"). */
#define PCV_VENDOR_ID		0x504356	/* "PCV": IEEE OUI field, not a real OUI */
#define PCV_VENDOR_PART_ID	0x7043		/* unknown to perftest: generic paths */
#define PCV_GUID_PREFIX		0x0250435600000000ULL	/* 02:50:43:56:00:00:00:<blade> */

#define PCV_REGION_SIZE		SZ_1M		/* fabric region: header + 8 slots */
#define PCV_SLOT_OFF		4096
#define PCV_SLOT_SIZE		SZ_64K

/* Device limits (query_device reports these). */
#define PCV_MAX_QP		4096		/* QP table entries; qpn = gen << 12 | index */
#define PCV_QPN_INDEX_BITS	12
#define PCV_MAX_MR		16384		/* MR table entries; key = index << 8 | random */
#define PCV_MAX_CQ		4096
#define PCV_MAX_SRQ		1024
#define PCV_MAX_QP_WR		4096
#define PCV_MAX_CQE		65535
#define PCV_MAX_SRQ_WR		16384
#define PCV_MAX_RD_ATOMIC	16
#define PCV_MAX_MSG_SZ		0x80000000U
#define PCV_MAX_AH		0x10000		/* address handle table entries */
#define PCV_MAX_MCAST_GRP	128		/* groups with a member on this blade */
#define PCV_MAX_MCAST_QP_ATTACH	16		/* members per group on this blade */
#define PCV_GSI_QPN		1
#define PCV_MCAST_QPN		0xffffff	/* the destination QPN of multicast */

enum pcv_counter {
	PCV_CNT_LINKS_UP,		/* gauge: peers whose link is up */
	PCV_CNT_LINK_UP_EVENTS,
	PCV_CNT_LINK_DOWN_EVENTS,
	PCV_CNT_LINK_FAILURES,
	PCV_CNT_HB_TIMEOUTS,
	PCV_CNT_DOORBELLS_TX,
	PCV_CNT_DOORBELLS_RX,
	PCV_CNT_DMA_SUBMITTED,
	PCV_CNT_DMA_COMPLETED,
	PCV_CNT_DMA_ERRORS,
	PCV_CNT_DMA_BYTES,
	PCV_CNT_PIO_BYTES,
	PCV_CNT_MSG_TX,			/* two-sided messages written to peers */
	PCV_CNT_MSG_RX,			/* messages consumed from our inbound rings */
	PCV_CNT_RDMA_WRITES,
	PCV_CNT_RDMA_READS,
	PCV_CNT_ATOMICS,
	PCV_CNT_RNR_NAKS,		/* RNR reported to requesters */
	PCV_CNT_QP_ERRORS,		/* QPs moved to error by the driver */
	PCV_CNT_BAD_INPUT,		/* malformed WQEs, messages, indices */
	PCV_CNT_UD_TX,			/* datagrams written (a multicast: one per blade) */
	PCV_CNT_UD_RX,			/* datagrams delivered to a QP */
	PCV_CNT_UD_DROP_NO_WQE,		/* dropped: no receive WQE posted */
	PCV_CNT_UD_DROP_QKEY,		/* dropped: Q_Key or P_Key mismatch */
	PCV_CNT_UD_DROP_NO_QP,		/* dropped: no such QP (or not UD, not ready) */
	PCV_CNT_UD_DROP_LINK,		/* not sent: the destination blade is down */
	PCV_CNT_MADS_ANSWERED,		/* SA queries answered locally */
	PCV_CNT_MADS_ERROR,		/* ... of them answered with an error status */
	PCV_CNT_MADS_MALFORMED,		/* dropped at QP1: not 256 bytes or base version */
	PCV_CNT_FAST_ENTER,		/* QPs handed to their process's fast path */
	PCV_CNT_FAST_LEAVE,		/* ... and taken back */
	PCV_CNT_LINK_SILENCES,		/* a peer silent past hb_silent_ms, link kept */
	/* Port traffic (PerfMgmt PortCounters, pcv_pma.c): payload octets, packets. */
	PCV_CNT_XMIT_BYTES,
	PCV_CNT_RCV_BYTES,
	PCV_CNT_XMIT_PKTS,
	PCV_CNT_RCV_PKTS,
	PCV_CNT_MCAST_XMIT_PKTS,
	PCV_CNT_MCAST_RCV_PKTS,
	PCV_NR_COUNTERS,
};

/* One-sided traffic told to the responder (struct pcv_wire_onesided). */
enum pcv_os_field {
	PCV_OS_TO_BYTES,
	PCV_OS_TO_PKTS,
	PCV_OS_FROM_BYTES,
	PCV_OS_FROM_PKTS,
	PCV_OS_NR,
};

struct pcv_lsge;
struct pcv_mcast_grp;
struct pcv_fast_map;

struct pcv_peer {
	u32 id;
	void __iomem *win;		/* its memory; NULL if the backend has none */
	u64 win_size;
	phys_addr_t win_phys;		/* the window's bus address (0: not mappable) */
	struct pcv_link link;		/* protected by pcv_dev.link_lock */
	u32 hb_out;			/* heartbeat we write */
	u64 diag_addr;			/* its diag area, as it told us */
	u64 diag_size;
	u32 ping_out;			/* our latest ping to it */
	u32 pong_in;			/* latest pong it gave us */
	u32 pong_out;			/* latest ping of its we answered */

	/* What it exported (from its scratchpads), valid while the link is up. */
	u64 qpt_addr;
	u32 qpt_n;
	u64 mrt_addr;
	u32 mrt_n;

	/* Control rings (pcv_ctrl.c); ctrl_lock protects them. */
	spinlock_t ctrl_lock;
	bool ctrl_up;			/* rings valid for the current link */
	struct pcv_ring_tx ctrl_tx;	/* ours, in its slot for us */
	struct pcv_ring_rx ctrl_rx;	/* its, in our slot for it */
	u32 fence_acked;		/* last FENCE_ACK seq it sent us */

	/*
	 * Datagram rings (pcv_dgram.c), ours to it and its to us; peers[self]
	 * holds the loopback ring.  dg_tx_lock protects the dg_tx* fields.
	 */
	spinlock_t dg_tx_lock;
	bool dg_tx_valid;		/* dg_tx set up for the current epochs */
	bool dg_tx_up;			/* and the link is up */
	struct pcv_msgring_tx dg_tx;	/* in its memory */
	u32 dg_wait_out;		/* our credit-wait sequence, written to it */
	/* Its slot for us (our credit and wait words): NULL while the link is down. */
	u8 __iomem *dg_peer_slot;	/* written under both dg locks */
	/* dg_rx_lock protects the dg_rx* fields and dg_sg. */
	spinlock_t dg_rx_lock;
	void *dg_rx_mem;		/* its ring in our fabric memory */
	u64 dg_rx_addr;
	size_t dg_rx_size;
	u32 dg_order;
	bool dg_rx_broken;		/* malformed: ignored until a new epoch */
	struct pcv_msgring_rx dg_rx;
	u32 dg_credit_out;		/* consumer index last written to it */
	u32 dg_wait_seen;		/* its credit-wait sequence we answered */
	struct pcv_lsge *dg_sg;		/* receive SGE scratch (PCV_MAX_RECV_SGE) */

	/*
	 * One-sided traffic (pcv_pma.c, wire.h struct pcv_wire_onesided):
	 * what our operations made it receive and transmit since the pair of
	 * epochs (written into its slot every link tick), and what its
	 * operations told us we did (traffic_lock).
	 */
	atomic64_t os_out[PCV_OS_NR];
	u64 os_seen[PCV_OS_NR];
	u64 os_seen_tag;		/* its epoch << 32 | ours, of os_seen */
};

struct pcv_dev {
	struct ib_device ibdev;
	const struct pcv_backend_ops *ops;
	void *priv;
	struct pcv_backend_info info;
	u32 epoch;
	u64 guid;

	/* Fabric region: inbound slots peers write (see libpcieverbs/wire.h). */
	void *region;
	u64 region_addr;

	/* Diagnostic area peers may write (DMA proof); may be absent. */
	void *diag;
	u64 diag_addr;
	size_t diag_size;

	/* Exported tables (fabric memory, written by us, read by peers). */
	struct pcv_wire_qpt *qpt;
	u64 qpt_addr;
	struct pcv_wire_mrt *mrt;
	u64 mrt_addr;

	/*
	 * link_lock (mutex) protects peers[].link and the ping/heartbeat fields;
	 * taken only in process context (link work, debugfs).
	 */
	struct mutex link_lock;
	struct pcv_peer peers[PCV_MAX_BLADES];
	wait_queue_head_t link_wq;	/* ping replies, link changes, fence acks */
	struct workqueue_struct *wq;
	struct delayed_work link_work;
	struct work_struct dma_work;
	struct work_struct data_work;	/* inbound data-path work (PCV_VEC_DATA) */
	bool stopping;			/* no new link work once set (under link_lock) */
	/*
	 * The port's state (under link_lock; read locklessly by query_port):
	 * active while another blade is reachable.  port_events: registered,
	 * so changes are dispatched (under link_lock).
	 */
	bool port_active;
	bool port_events;
	bool running;			/* registered: events are acted on */

	/* DMA completions are reaped from dma_work only. */
	atomic_t dma_inflight;
	wait_queue_head_t dma_wq;

	spinlock_t port_lock;		/* protects port_cap_flags updates */
	u32 port_cap_flags;

	struct ida pd_ida;
	struct xarray qp_xa;		/* QP index -> pcv_qp (RCU-freed lookups) */
	struct xarray mr_xa;		/* MR index -> pcv_mr */
	spinlock_t qp_list_lock;	/* protects qp_list */
	struct list_head qp_list;	/* every QP: inbound scans */
	atomic_t nr_cq;
	atomic_t nr_srq;
	u32 fence_seq;			/* under link_lock */
	struct {
		u32 qpn;
		u32 dest_qpn;
	} self_gone[64];		/* loopback QP_GONE notices (peers[self].ctrl_lock) */
	u32 self_gone_n;
	u32 next_qpn_gen[PCV_MAX_QP];	/* generation bits of the next qpn per index */

	/* Address handles: handle -> struct pcv_av (RCU-freed). */
	struct xarray ah_xa;
	/* Multicast groups with members here; mcast_lock protects them. */
	spinlock_t mcast_lock;
	struct pcv_mcast_grp *mcast;	/* PCV_MAX_MCAST_GRP of them */
	/* The local subnet administrator (libpcieverbs/sa.c); sa_lock protects it. */
	spinlock_t sa_lock;
	struct pcv_sa sa;

	/* Fast-path mappings waiting to be revoked (pcv_fast.c); revoke_lock is a leaf. */
	spinlock_t revoke_lock;
	struct list_head revoke_list;

	atomic64_t stats[PCV_NR_COUNTERS];
	/* Folding traffic others counted for us (pcv_pma.c); a leaf. */
	spinlock_t traffic_lock;
	u64 traffic_fold_ns;		/* last fold of peers' one-sided counts */
	struct dentry *debugfs;
	struct mutex diag_lock;		/* one diagnostic run at a time */
	char diag_result[1024];		/* under diag_lock */
};

static inline struct pcv_dev *to_pcv_dev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct pcv_dev, ibdev);
}

struct pcv_ucontext {
	struct ib_ucontext ibucontext;
	atomic_t nr_fast;		/* QPs of the process on the fast path */
};

static inline struct pcv_ucontext *to_pcv_ucontext(struct ib_ucontext *uctx)
{
	return container_of(uctx, struct pcv_ucontext, ibucontext);
}

struct pcv_pd {
	struct ib_pd ibpd;
	u32 pdn;
};

static inline struct pcv_pd *to_pcv_pd(struct ib_pd *ibpd)
{
	return container_of(ibpd, struct pcv_pd, ibpd);
}

/* ---- address handles and multicast ------------------------------------------ */

/* An address vector, decoded and checked once at create_ah. */
struct pcv_av {
	u32 pdn;
	u32 blade;			/* unicast destination */
	bool mcast;
	bool grh;
	u16 dlid;
	u8 sl;
	u8 traffic_class;
	u8 hop_limit;
	u32 flow_label;
	u8 dgid[16];
	struct rcu_head rcu;
};

struct pcv_ah {
	struct ib_ah ibah;
	u32 handle;			/* index in pcv_dev.ah_xa, never 0 */
	struct rdma_ah_attr attr;	/* as created (query_ah) */
};

static inline struct pcv_ah *to_pcv_ah(struct ib_ah *ibah)
{
	return container_of(ibah, struct pcv_ah, ibah);
}

struct pcv_qp;

struct pcv_mcast_grp {
	u8 mgid[16];
	u16 mlid;
	u32 nqp;			/* 0: free entry */
	struct pcv_qp *qp[PCV_MAX_MCAST_QP_ATTACH];
};

/* ---- shared rings ---------------------------------------------------------- */

/*
 * A ring in the layout of include/rdma/pcieverbs-abi.h: header page, then
 * entries.  vmalloc'ed (zeroed) so it can be mapped into a process.
 */
struct pcv_uring {
	void *buf;
	size_t size;
	u32 entries;			/* power of two */
	u32 stride;
	struct pcv_ring_hdr *hdr;
	u8 *ents;
	struct rdma_user_mmap_entry *mentry;	/* NULL for kernel objects */
};

struct pcv_user_mmap {
	struct rdma_user_mmap_entry rdma_entry;
	void *buf;			/* vmalloc'ed, freed by mmap_free */
	size_t size;
	struct pcv_fast_map *fmap;	/* instead of buf: a revocable mapping (pcv_fast.c) */
};

/* ---- memory regions -------------------------------------------------------- */

struct pcv_mr {
	struct ib_mr ibmr;
	u32 index;			/* in the MR table */
	u32 pdn;
	u32 access;			/* PCV_MR_* */
	bool dma_mr;			/* kernel VA = addr, any address */
	u64 iova;
	u64 length;
	struct ib_umem *umem;
	struct page **pages;		/* user MR: one per PAGE_SIZE page */
	u32 nr_pages;
	u32 page_off;			/* iova's offset in its first page */
	/* Exported page table (fabric memory): L1 then L2 pages. */
	__le64 *pt_l1;
	u64 pt_l1_addr;
	size_t pt_l1_size;
	__le64 **pt_l2;
	u32 pt_nr_l2;
	refcount_t ref;			/* the table entry + every transfer using it */
	struct completion released;
};

static inline struct pcv_mr *to_pcv_mr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct pcv_mr, ibmr);
}

/* A local scatter/gather element after its lkey was checked. */
struct pcv_lsge {
	struct pcv_mr *mr;
	u64 addr;
	u32 length;
};

/* ---- completion queues ------------------------------------------------------ */

struct pcv_cq {
	struct ib_cq ibcq;
	spinlock_t lock;		/* protects ring production and arm state */
	struct pcv_uring ring;
	u32 depth;			/* usable entries reported (< ring.entries) */
	u32 prod;			/* our producer index */
	struct pcv_ucontext *uctx;	/* a process's CQ: its context */
	bool user;
	bool broken;			/* overflowed or bad consumer index */
	u8 armed;			/* 0, IB_CQ_SOLICITED or IB_CQ_NEXT_COMP */
	bool notify_pending;		/* comp_handler due (from comp_work) */
	struct work_struct comp_work;
	spinlock_t list_lock;		/* protects sqps/rqps; taken before any qp->lock */
	struct list_head sqps;		/* QPs using it as send CQ (scq_link) */
	struct list_head rqps;		/* QPs using it as receive CQ (rcq_link) */
};

static inline struct pcv_cq *to_pcv_cq(struct ib_cq *ibcq)
{
	return container_of(ibcq, struct pcv_cq, ibcq);
}

/* ---- shared receive queues -------------------------------------------------- */

struct pcv_srq {
	struct ib_srq ibsrq;
	spinlock_t lock;		/* protects the consumer side and limit */
	struct pcv_uring ring;
	u32 cons;
	u32 max_wr;
	u32 limit;			/* 0: not armed */
	bool user;
	bool broken;
	u32 pdn;
};

static inline struct pcv_srq *to_pcv_srq(struct ib_srq *ibsrq)
{
	return container_of(ibsrq, struct pcv_srq, ibsrq);
}

/* ---- queue pairs -------------------------------------------------------------- */

enum pcv_swqe_state {
	PCV_SWQE_ISSUED = 1,		/* started; waiting for ack or DMA */
	PCV_SWQE_DONE,			/* status final; completes in order */
};

struct pcv_xfer;

/* Kernel state of one send WQE from issue to completion. */
struct pcv_swqe {
	struct pcv_sq_wqe wqe;		/* the validated copy */
	u8 state;
	bool fetched;			/* wqe holds the validated copy */
	bool two_sided;			/* completes when the peer acks msn */
	enum ib_wc_status status;
	u32 msn;
	u32 byte_len;
	struct pcv_mr *hold[PCV_MAX_SEND_SGE];	/* MRs a peer may pull from */
	struct pcv_xfer *xfer;		/* DMA in flight */
	struct pcv_lsge lsge[PCV_MAX_SEND_SGE];	/* local SGEs of an async operation */
	u32 nlsge;
	u32 dg_done;			/* UD: blades the datagram was written to */
};

/* A rendezvous receive in progress (responder). */
struct pcv_rx_pending {
	bool active;
	struct pcv_wire_msg hdr;
	struct pcv_wire_rsge rsge[PCV_MSG_MAX_RSGE];
	struct pcv_lsge sg[PCV_MAX_RECV_SGE];
	u32 nsg;
	u64 wr_id;
	u32 len;
	u32 msn;
	u32 nslots;
	u32 next;			/* next source descriptor to pull */
	u64 off;			/* bytes pulled so far */
};

struct pcv_qp {
	struct ib_qp ibqp;
	struct pcv_dev *dev;
	spinlock_t lock;		/* protects everything below */
	u32 index;
	u32 qpn;
	enum ib_qp_state state;
	bool user;
	bool sig_all;
	bool sq_draining;		/* SQD requested: event when drained */
	u32 pdn;
	struct pcv_cq *scq;
	struct pcv_cq *rcq;
	struct pcv_srq *srq;
	struct list_head dev_link;	/* pcv_dev.qp_list */
	struct list_head scq_link;	/* scq->qps */
	struct list_head rcq_link;	/* rcq->qps */

	/* Attributes (as set; query_qp returns them). */
	u32 qp_access_flags;
	enum ib_mtu path_mtu;
	u32 sq_psn;
	u32 rq_psn;
	u32 dest_qpn;
	u32 dest_blade;
	u32 qkey;			/* UD/GSI */
	u32 dg_kick;			/* UD: blades to ring after this pass */
	struct rdma_ah_attr ah;
	u8 timeout;
	u8 retry_cnt;
	u8 rnr_retry;
	u8 min_rnr_timer;
	u8 max_rd_atomic;
	u8 max_dest_rd_atomic;
	u32 max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline;

	/* Send queue. */
	struct pcv_uring sq;
	struct pcv_swqe *swqe;		/* sq.entries of them */
	u32 sq_head;			/* next WQE to issue */
	u32 sq_tail;			/* oldest not completed (published as cons) */
	u32 rd_outstanding;		/* READs/atomics in flight (FENCE) */

	/* Receive queue (unless srq). */
	struct pcv_uring rq;
	u32 rq_cons;

	/* Our inbound region: control block + ring, written by the peer. */
	void *inb;
	u64 inb_addr;
	size_t inb_size;
	u32 ring_order;
	struct pcv_wire_qp_ctl *ctl;
	struct pcv_msgring_rx rx;
	u32 conn_gen;			/* ours: +1 at each RTR */
	u32 rx_msn;			/* next msn we expect */
	u32 rx_acked;			/* ack_msn last written to the peer */
	u32 rx_credit;			/* credit last written to the peer */
	u32 rnr_reported;		/* rnr_seq we last wrote */
	bool rnr_pending;		/* rnr_msn waits for a receive WQE */
	u32 rnr_msn;
	bool rx_more;			/* inbound work left after a budgeted pass */
	u32 rnr_retry_seen;		/* peer's rnr_retry_seq we acted on */
	struct pcv_xfer *rx_xfer;	/* rendezvous pull in flight */
	int rx_xfer_status;
	struct pcv_rx_pending rx_pend;

	/* The peer's inbound region (valid while connected). */
	bool connected;
	u32 peer_conn_gen;
	u64 peer_inb_addr;
	u32 peer_pdn;
	u16 peer_access;		/* its qp_access_flags (IB_ACCESS_REMOTE_*) */
	u8 peer_rnr_timer;
	struct pcv_wire_qp_ctl __iomem *peer_ctl;
	struct pcv_msgring_tx tx;
	u32 tx_msn;			/* next msn to send */
	u32 acked_msn;			/* peer completed our messages below this */
	u32 rnr_seq_seen;		/* peer's rnr_seq we last acted on */
	u32 rnr_retries;		/* for the message now in RNR */
	bool rnr_retry_due;		/* ask the responder again when the timer fires */
	u32 rnr_retry_req;
	u32 wr_dma_outstanding;		/* RDMA WRITEs still being placed by DMA */
	u8 want_kick_out;		/* want_kick we last wrote to the peer */
	bool kick_peer;			/* we wrote into its region this round */
	bool force_kick;		/* ring even if it did not ask (NAK, RNR) */

	/* Timers: retry (peer not ready), RNR. */
	struct timer_list timer;
	u64 wait_deadline_ns;		/* retry/RNR give-up time (0: none) */
	u32 retries_left;
	struct work_struct work;	/* progress from timer/DMA context */
	u32 events;			/* BIT(ib_event_type) due (the work delivers) */
	bool gone;			/* destroyed: no more work */
	bool peer_gone;			/* the peer QP left the connection (QP_GONE) */
	bool peer_kernel;		/* the peer is a kernel consumer's QP (may send PHYS) */

	/* The fast path (pcv_fast.c): the process runs the message streams. */
	bool fast;			/* the provider owns tx/rx state below */
	struct pcv_ucontext *fast_uctx;	/* whose nr_fast counts it (set at ENTER) */
	u32 fast_gen;			/* pcv_fast_info.gen */
	u32 fast_sq_idx;		/* sq_head at entry */
	u32 fast_tx_msn;		/* tx_msn at entry */
	struct pcv_fast_map *inb_map;	/* our inbound region, mapped */
	struct pcv_fast_map *peer_map;	/* the peer's inbound region, mapped */
	/* Fast-path traffic (pcv_fast.c): the provider's totals at entry, taken since. */
	u64 fast_st_base[4];		/* struct pcv_fast_stats at ENTER */
	u64 fast_st_taken[4];		/* tx bytes, tx packets, rx bytes, rx packets */
	u64 fast_enter_ns;
	u32 fast_max_payload;		/* pcv_fast_info.max_payload given */
};

static inline struct pcv_qp *to_pcv_qp(struct ib_qp *ibqp)
{
	return container_of(ibqp, struct pcv_qp, ibqp);
}

static inline struct pcv_sq_wqe *pcv_sq_entry(struct pcv_qp *qp, u32 idx)
{
	return (struct pcv_sq_wqe *)(qp->sq.ents + (size_t)(idx & (qp->sq.entries - 1)) *
				     PCV_SQ_STRIDE);
}

static inline struct pcv_swqe *pcv_swqe_of(struct pcv_qp *qp, u32 idx)
{
	return &qp->swqe[idx & (qp->sq.entries - 1)];
}

static inline void pcv_count(struct pcv_dev *dev, enum pcv_counter c, u64 n)
{
	atomic64_add(n, &dev->stats[c]);
}

/* Port traffic: payload octets and packets to and from the fabric. */
static inline void pcv_count_xmit(struct pcv_dev *dev, u64 bytes, u64 pkts)
{
	pcv_count(dev, PCV_CNT_XMIT_BYTES, bytes);
	pcv_count(dev, PCV_CNT_XMIT_PKTS, pkts);
}

static inline void pcv_count_rcv(struct pcv_dev *dev, u64 bytes, u64 pkts)
{
	pcv_count(dev, PCV_CNT_RCV_BYTES, bytes);
	pcv_count(dev, PCV_CNT_RCV_PKTS, pkts);
}

/* Packets of a message of len bytes at this MTU: as InfiniBand cuts it (at least one). */
static inline u64 pcv_msg_pkts(u64 len, u32 mtu)
{
	return len ? div64_u64(len + mtu - 1, mtu) : 1;
}

static inline u32 pcv_lid(const struct pcv_dev *dev)
{
	return dev->info.blade_id + 1;
}

/* Our inbound slot for peer: written by it alone (wire.h slot layout). */
static inline u8 *pcv_local_slot(struct pcv_dev *dev, u32 peer)
{
	return (u8 *)dev->region + PCV_SLOT_OFF + (size_t)peer * PCV_SLOT_SIZE;
}

/* A blade's port GID: the link-local prefix and its port GUID. */
static inline void pcv_blade_gid(union ib_gid *gid, u32 blade)
{
	gid->global.subnet_prefix = cpu_to_be64(0xfe80000000000000ULL);
	gid->global.interface_id = cpu_to_be64(PCV_GUID_PREFIX | blade);
}

/* pcv_pma.c */
void pcv_traffic_init(struct pcv_dev *dev);
void pcv_traffic_fold(struct pcv_dev *dev);
void pcv_traffic_peer_reset(struct pcv_peer *p);
void pcv_traffic_publish(struct pcv_dev *dev, struct pcv_peer *p, u8 __iomem *slot);
void pcv_traffic_onesided(struct pcv_qp *qp, u64 to_bytes, u64 to_pkts, u64 from_bytes,
			  u64 from_pkts);
u32 pcv_qp_mtu(const struct pcv_qp *qp);
int pcv_pma_mad(struct pcv_dev *dev, const struct ib_mad *in, struct ib_mad *out);

/* pcv_fast.c */
void pcv_fast_stats_fold(struct pcv_qp *qp, const u32 *exact);
int pcv_fast_op(struct pcv_qp *qp, const struct pcv_ibv_modify_qp *req, struct ib_udata *udata);
void pcv_fast_progress(struct pcv_qp *qp);
int pcv_tx_adopt(struct pcv_qp *qp, u32 done, u32 sent, u32 msn);
void pcv_fast_unmap_peer(struct pcv_qp *qp);
void pcv_fast_drop_peer_map(struct pcv_qp *qp);
void pcv_fast_revoke_pending(struct pcv_dev *dev);
void pcv_fast_destroy(struct pcv_qp *qp);
int pcv_fast_mmap(struct pcv_fast_map *m, struct vm_area_struct *vma);
void pcv_fast_map_free(struct pcv_fast_map *m);

/* pcv_link.c */
void pcv_link_start(struct pcv_dev *dev);
int pcv_link_stop_and_release(struct pcv_dev *dev);
void pcv_link_kick(struct pcv_dev *dev);
void pcv_port_events(struct pcv_dev *dev, bool on);
int pcv_link_ping(struct pcv_dev *dev, u32 peer, unsigned int timeout_ms, u64 *rtt_ns);
void pcv_ring(struct pcv_dev *dev, u32 peer, enum pcv_vector vec);
bool pcv_peer_up(struct pcv_dev *dev, u32 blade);

/* pcv_dma.c */
int pcv_dma_submit(struct pcv_dev *dev, struct pcv_dma_req **reqs, unsigned int n);
int pcv_dma_sync(struct pcv_dev *dev, const struct pcv_dma_req *req, unsigned int timeout_ms,
		 u32 *hw_status);
void pcv_dma_work(struct work_struct *work);
void pcv_dma_reap_now(struct pcv_dev *dev);
int pcv_dma_barrier(struct pcv_dev *dev, unsigned int timeout_ms);

/* pcv_remote.c: memory of any blade (ours included, for loopback) */
void __iomem *pcv_fabric_ptr(struct pcv_dev *dev, u32 blade, u64 addr, u64 len);
int pcv_fabric_read(struct pcv_dev *dev, u32 blade, u64 addr, void *buf, u32 len);
int pcv_read_mr_desc(struct pcv_dev *dev, u32 blade, u32 key, struct pcv_mr_desc *d);
int pcv_read_qpt(struct pcv_dev *dev, u32 blade, u32 qpn, struct pcv_wire_qpt *e);

/* pcv_xfer.c: moving bytes between local SGEs and fabric memory */
struct pcv_xfer {
	struct pcv_dev *dev;
	void (*done)(struct pcv_xfer *x);
	void *ctx;
	u32 nreqs;
	struct pcv_dma_req **batch;	/* a wave's pointers (after reqs[]) */
	/*
	 * lock protects the fields below while pieces are in flight (taken
	 * in piece completions, any context; outside the engine's own lock).
	 * With nothing in flight and next < nreqs, the one CPU copying the
	 * rest owns next and status (pcv_xfer_cpu_rest).
	 */
	spinlock_t lock;
	int status;			/* first error */
	u32 pending;			/* pieces not yet done */
	u32 next;			/* first piece not yet submitted (waves) */
	u32 inflight;			/* pieces on the engine */
	u32 trigger;			/* the piece whose end submits the next wave */
	bool starting;			/* inside pcv_xfer_start: do not call done */
	bool sync_done;			/* finished while starting */
	__le64 result;			/* atomics: the old value, written by the engine */
	struct pcv_dma_req reqs[];
};

int pcv_lsge_resolve(struct pcv_dev *dev, const struct pcv_sge *sge, u32 nsge, u32 pdn,
		     u32 access, struct pcv_lsge *out, u64 *total);
void pcv_lsge_release(struct pcv_lsge *sg, u32 n);
void pcv_lsge_copy_from(const struct pcv_lsge *sg, u32 nsg, void *dst, u64 off, u32 len);
void pcv_lsge_copy_to(const struct pcv_lsge *sg, u32 nsg, u64 off, const void *src, u32 len);
void pcv_lsge_to_io(const struct pcv_lsge *sg, u32 nsg, void __iomem *dst, u32 len);
int pcv_remote_mr_io(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
		     const struct pcv_lsge *sg, u32 nsg, u64 len, bool to_remote,
		     struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx);
int pcv_remote_mr_io_at(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
			const struct pcv_lsge *sg, u32 nsg, u64 sg_off, u64 len,
			struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx);
int pcv_remote_mr_write_buf(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d,
			    u64 raddr, const void *buf, u32 len);
int pcv_remote_phys_to_lsge(struct pcv_dev *dev, u32 blade, u64 raddr,
			    const struct pcv_lsge *sg, u32 nsg, u64 sg_off, u32 len,
			    struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx);
int pcv_remote_atomic(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
		      const struct pcv_lsge *result, bool cmp_swap, u64 op0, u64 op1,
		      struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx);
void pcv_xfer_free(struct pcv_xfer *x);
u64 pcv_mr_fabric_addr(struct pcv_dev *dev, struct pcv_mr *mr, u64 addr, u32 *chunk);

/* pcv_mr.c */
struct pcv_mr *pcv_mr_get(struct pcv_dev *dev, u32 key);
void pcv_mr_put(struct pcv_mr *mr);
int pcv_tables_alloc(struct pcv_dev *dev);
void pcv_tables_free(struct pcv_dev *dev);
void pcv_table_write_begin(__le32 *seq);
void pcv_table_write_end(__le32 *seq);

/* pcv_cq.c */
int pcv_cq_push(struct pcv_cq *cq, const struct pcv_cqe *cqe, bool solicited);
void pcv_cq_error(struct pcv_cq *cq);

/* pcv_srq.c */
int pcv_srq_pop(struct pcv_srq *srq, struct pcv_rq_wqe *wqe);

/* pcv_ah.c */
int pcv_av_get(struct pcv_dev *dev, u32 handle, struct pcv_av *av);
int pcv_gid_blade(struct pcv_dev *dev, const u8 *gid);

/* pcv_mcast.c */
int pcv_mcast_init(struct pcv_dev *dev);
void pcv_mcast_free(struct pcv_dev *dev);
void pcv_mcast_detach_qp(struct pcv_dev *dev, struct pcv_qp *qp);

/* pcv_dgram.c */
int pcv_dgram_init(struct pcv_dev *dev);
void pcv_dgram_free(struct pcv_dev *dev, bool leak);
void pcv_dgram_reset(struct pcv_dev *dev, struct pcv_peer *p);
void pcv_dgram_link_up(struct pcv_dev *dev, struct pcv_peer *p);
void pcv_dgram_link_down(struct pcv_dev *dev, struct pcv_peer *p);
int pcv_dgram_send(struct pcv_dev *dev, u32 blade, const struct pcv_wire_dgram *h,
		   const struct pcv_lsge *sg, u32 nsg, const void *inl, u32 len);
void pcv_dgram_kick(struct pcv_dev *dev, u32 blades);
void pcv_dgram_process_all(struct pcv_dev *dev);

/* pcv_ud.c: UD/GSI send queues (qp->lock held) */
void pcv_ud_progress(struct pcv_qp *qp);
bool pcv_qp_is_ud(const struct pcv_qp *qp);

/* pcv_mad.c */
void pcv_mad_init(struct pcv_dev *dev);
int pcv_process_mad(struct ib_device *ibdev, int mad_flags, u32 port_num,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in_mad, struct ib_mad *out_mad,
		    size_t *out_mad_size, u16 *out_mad_pkey_index);

/* pcv_qp.c */
void pcv_qp_to_error(struct pcv_qp *qp, const char *why);
void pcv_qp_event(struct pcv_qp *qp, enum ib_event_type type);
void pcv_qp_publish(struct pcv_qp *qp);
struct ib_qp *pcv_qp_lookup(struct pcv_dev *dev, u32 qpn);
void pcv_qp_schedule(struct pcv_qp *qp);
void pcv_qps_peer_gone(struct pcv_dev *dev, u32 blade, u32 qpn, u32 dest_qpn);
void pcv_qps_process_all(struct pcv_dev *dev);
void pcv_data_work(struct work_struct *work);

/* pcv_tx.c (requester) and pcv_rx.c (responder): called with qp->lock held */
void pcv_qp_progress(struct pcv_qp *qp);
void pcv_qp_kick_peer(struct pcv_qp *qp);
void pcv_tx_acks(struct pcv_qp *qp);
void pcv_tx_xfer_finished(struct pcv_qp *qp, struct pcv_xfer *x);
void pcv_rx_flush(struct pcv_qp *qp);
int pcv_rq_get(struct pcv_qp *qp, struct pcv_rq_wqe *wqe);
void pcv_tx_process(struct pcv_qp *qp);
void pcv_tx_complete(struct pcv_qp *qp);
void pcv_tx_connect(struct pcv_qp *qp);
void pcv_rx_process(struct pcv_qp *qp);
void pcv_rx_publish(struct pcv_qp *qp);
void pcv_qp_flush(struct pcv_qp *qp);
void pcv_qp_timer(struct timer_list *t);

/* pcv_ctrl.c */
void pcv_ctrl_reset(struct pcv_dev *dev, struct pcv_peer *p);
void pcv_ctrl_process_self(struct pcv_dev *dev);
void pcv_ctrl_link_up(struct pcv_dev *dev, struct pcv_peer *p);
void pcv_ctrl_link_down(struct pcv_dev *dev, struct pcv_peer *p);
void pcv_ctrl_process(struct pcv_dev *dev, struct pcv_peer *p);
int pcv_ctrl_send(struct pcv_dev *dev, u32 blade, u16 type, u32 seq, u32 arg0, u32 arg1);
int pcv_fence(struct pcv_dev *dev);

/* pcv_uring.c */
int pcv_uring_alloc(struct pcv_uring *r, u32 entries, u32 stride);
void pcv_uring_free(struct pcv_uring *r);
int pcv_uring_map(struct ib_ucontext *uctx, struct pcv_uring *r, u64 *key);
int pcv_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma);
void pcv_mmap_free(struct rdma_user_mmap_entry *entry);

/* pcv_verbs.c */
int pcv_udata_req(struct ib_udata *udata, void *req, size_t size);
extern const struct ib_device_ops pcv_dev_ops;
void pcv_verbs_init_ibdev(struct pcv_dev *dev);
int pcv_alloc_mr_verbs(void);

/* verbs implemented across files */
struct ib_mr *pcv_get_dma_mr(struct ib_pd *pd, int access);
struct ib_mr *pcv_reg_user_mr(struct ib_pd *pd, u64 start, u64 length, u64 iova,
			      int access, struct ib_udata *udata);
int pcv_dereg_mr(struct ib_mr *mr, struct ib_udata *udata);
int pcv_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		  struct ib_udata *udata);
int pcv_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata);
int pcv_resize_cq(struct ib_cq *ibcq, int cqe, struct ib_udata *udata);
int pcv_poll_cq(struct ib_cq *ibcq, int num_entries, struct ib_wc *wc);
int pcv_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags);
int pcv_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init, struct ib_udata *udata);
int pcv_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata);
int pcv_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		 struct ib_qp_init_attr *init);
int pcv_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata);
int pcv_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr);
int pcv_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr);
int pcv_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata);
int pcv_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata);
int pcv_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr);
int pcv_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata);
int pcv_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr);
int pcv_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init, struct ib_udata *udata);
int pcv_destroy_ah(struct ib_ah *ibah, u32 flags);
int pcv_query_ah(struct ib_ah *ibah, struct rdma_ah_attr *attr);
int pcv_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);
int pcv_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid);

/* pcv_stats.c */
struct rdma_hw_stats *pcv_alloc_hw_port_stats(struct ib_device *ibdev, u32 port_num);
int pcv_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index);

/* pcv_debugfs.c */
void pcv_debugfs_init(void);
void pcv_debugfs_exit(void);
void pcv_debugfs_add(struct pcv_dev *dev);
void pcv_debugfs_remove(struct pcv_dev *dev);

/* pcv_diag.c */
int pcv_diag_run(struct pcv_dev *dev, const char *cmd);
u32 pcv_diag_checksum(struct pcv_dev *dev);

/* pcv_chassis.c */
int pcv_chassis_init(void);
void pcv_chassis_exit(void);

/* module parameters (pcv_main.c) */
extern unsigned int pcv_hb_interval_ms;
extern unsigned int pcv_hb_timeout_ms;
extern unsigned int pcv_hb_silent_ms;
extern unsigned int pcv_diag_kb;
extern unsigned int pcv_pio_max;
extern unsigned int pcv_inline_max;
extern unsigned int pcv_ring_order;
extern unsigned int pcv_busy_poll_us;
extern unsigned int pcv_fast_max;
extern unsigned int pcv_dgram_order;

#endif /* PCV_H */
