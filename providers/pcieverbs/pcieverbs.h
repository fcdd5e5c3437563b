/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs: provider-internal objects and the ops each file supplies.
 *
 * File map (one job per file; later stages add theirs next to these):
 *   device.c   registration, device matching, alloc/uninit_device, and the
 *              verbs_context_ops table (the one place that lists every op)
 *   context.c  alloc_context / free_context, the alloc_ucontext exchange
 *   verbs.c    query_device_ex, query_port, alloc_pd / dealloc_pd
 *   ring.c/.h  the rings shared with the kernel: checking and mapping
 *              what a create/resize response names, index helpers, and
 *              the layout asserts of every shared struct
 *   cq.c       create/destroy/resize_cq, poll_cq, req_notify_cq
 *   qp.c       create/modify/query/destroy_qp, post_send, post_recv (and
 *              the receive-WQE writer srq.c shares)
 *   srq.c      create/modify/query/destroy_srq, post_srq_recv
 *   mr.c       reg_mr, dereg_mr
 *   ah.c       create/destroy_ah, attach/detach_mcast (UD; the UD parts
 *              of create_qp and post_send are in qp.c)
 *   fast.c     the fast path: small SEND/RECV of connected QPs written and
 *              consumed here, completions merged into poll_cq
 */
#ifndef PCIEVERBS_H
#define PCIEVERBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/pcieverbs-abi.h>

#include "kick.h"
#include "pcv_provider_abi.h"
#include "ring.h"
#include "pcv/msgring.h"

#define PCV_PROVIDER_NAME	"pcieverbs"

#define pcv_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* libibverbs does not say how many driver-response bytes the kernel
 * wrote, so every driver response is pre-filled with this byte and the
 * last field of its first release must not read back as all-ones (see
 * pcieverbs-abi.h and README.md, "Response checking").
 */
#define PCV_RESP_POISON_BYTE	0xff
#define PCV_RESP_POISON32	0xffffffffU

/* A 64-bit last field (a ring's mmap size) still wholly or partly holding
 * the poison was not written: the kernel copied fewer bytes than the
 * struct has.  No real size or key has an all-ones half (they are page
 * multiples far below 2^64 - 2^32), so each half is checked on its own.
 */
static inline bool pcv_resp_unwritten64(uint64_t v)
{
	return (uint32_t)v == PCV_RESP_POISON32 ||
	       (uint32_t)(v >> 32) == PCV_RESP_POISON32;
}

struct pcv_device {
	struct pcv_verbs_device vdev;		/* must be first, see alloc_device */
	uint32_t uverbs_abi_ver;		/* the kernel's, within our range */
};

/* Per-process open of a pciev device: what the kernel told us about the
 * chassis at alloc_ucontext time.
 */
struct pcv_context {
	struct verbs_context ibv_ctx;		/* must be first, see alloc_context */
	uint32_t resp_comp_mask;		/* as the kernel sent it */
	uint32_t blade_id;			/* this blade, < nr_blades */
	uint32_t nr_blades;			/* >= 1 */
	uint32_t wire_version;			/* (major << 16) | minor */
	uint32_t caps;				/* PCV_UCTX_CAP_* */
	pthread_rwlock_t mr_lock;		/* mrs */
	struct pcv_mr *mrs;			/* registered MRs (fast-path lkey checks) */
	uint32_t nr_fast;			/* QPs on the fast path (atomic) */
};

struct pcv_pd {
	struct ibv_pd ibv_pd;
	uint32_t pdn;				/* the kernel's PD number */
};

/* A completion made by the fast path, after ring CQEs below stamp. */
struct pcv_swc {
	struct ibv_wc wc;
	uint32_t stamp;				/* the ring's prod when it was made */
};

struct pcv_qp;

/* A QP's two roles towards CQs: the index of pcv_cq.qps and pcv_qp.cq_next. */
enum pcv_cq_role {
	PCV_CQ_SEND,
	PCV_CQ_RECV,
	PCV_CQ_ROLES,
};

struct pcv_cq {
	struct ibv_cq ibv_cq;			/* cqe = usable depth (kernel's) */
	pthread_spinlock_t lock;		/* everything below */
	struct pcv_ring ring;			/* unmapped only when broken */
	uint32_t cons;				/* our consumer index */
	bool broken;				/* a resize left no usable ring */
	struct pcv_swc *sw;			/* fast-path completions (fast.c) */
	uint32_t sw_size;			/* power of two */
	uint32_t sw_head, sw_tail;		/* free running */
	struct pcv_qp *qps[PCV_CQ_ROLES];	/* QPs whose send / receive CQ this is */
	struct pcv_kick kick;			/* when an empty poll enters the kernel */
};

/* A work queue we produce into: an SQ, an RQ or an SRQ. */
struct pcv_wq {
	pthread_spinlock_t lock;		/* ring and prod */
	struct pcv_ring ring;			/* unmapped if the queue has no ring */
	uint32_t prod;				/* our producer index */
	uint32_t max_sge;			/* granted by the kernel */
};

enum pcv_fast_state {
	PCV_FAST_NEVER,				/* not for this QP (or given up) */
	PCV_FAST_OFF,				/* the kernel has it; we may ask */
	PCV_FAST_ON,				/* ours (fast.c) */
};

/* The fast-path state of a QP (fast.c); lock protects all of it. */
struct pcv_fast {
	pthread_spinlock_t lock;
	enum pcv_fast_state state;
	uint32_t backoff;			/* posts before asking again */
	uint32_t next_backoff;
	uint32_t gen;				/* pcv_fast_info.gen we adopted */
	void *inb;				/* our inbound region */
	size_t inb_size;
	uint64_t inb_key;
	void *peer;				/* the peer QP's inbound region */
	size_t peer_size;
	uint64_t peer_key;
	struct pcv_wire_qp_ctl *ctl;		/* ours: the peer writes it */
	struct pcv_wire_qp_ctl *peer_ctl;	/* the peer's: we write credit, ack_msn */
	struct pcv_msgring_tx tx;
	struct pcv_msgring_rx rx;
	uint32_t dest_qpn, dest_blade, conn_gen, peer_conn_gen;
	uint32_t tx_msn;			/* msn of our next message */
	uint32_t acked;				/* messages below it acknowledged */
	uint32_t sq_sent;			/* SQ WQEs below it were sent */
	uint32_t sq_done;			/* ... and completed */
	uint32_t rx_msn;			/* next msn we expect */
	uint32_t rq_cons;			/* next receive WQE */
	uint32_t rnr_seq;			/* the peer's rnr_seq at entry */
	uint32_t max_payload;
	bool kick;				/* the peer wants a doorbell */
	uint32_t small_run;			/* small SENDs posted in a row (sq.lock) */
};

/* Ask for the fast path after this many small SENDs in a row (of at most
 * PCV_FAST_PROBE_MAX bytes, the kernel's default fast_max): a QP doing
 * one-sided or large operations never asks.
 */
#define PCV_FAST_RUN		4
#define PCV_FAST_PROBE_MAX	2048

struct pcv_qp {
	struct pcv_verbs_qp vqp;		/* must be first (ibv_qp_to_qp_ex) */
	struct pcv_wq sq;
	struct pcv_wq rq;			/* no ring with an SRQ */
	uint32_t max_inline;			/* bytes of IBV_SEND_INLINE payload */
	bool sq_sig_all;			/* every WQE carries PCV_WQE_SIGNALED */
	struct pcv_fast fast;
	struct pcv_qp *cq_next[PCV_CQ_ROLES];	/* pcv_cq.qps lists, under each CQ's lock */
};

struct pcv_srq {
	struct ibv_srq ibv_srq;
	struct pcv_wq rq;
};

struct pcv_mr {
	struct pcv_verbs_mr vmr;		/* libibverbs reads mr_type/access */
	uint64_t iova;				/* what SGE addresses are relative to */
	struct pcv_mr *next;			/* pcv_context.mrs */
};

/* An address handle.  libibverbs v44 has no verbs_ah wrapper: the public
 * ibv_ah (context, pd, uverbs handle) is all it touches.  The uverbs
 * handle names the object in ib_uverbs; our own handle names the address
 * vector in pcieverbs.ko's AH table and is what a UD send WQE carries.
 * The address vector is kept for the application's and our diagnostics'
 * sake only: the kernel resolves the destination from its own copy.
 */
struct pcv_ah {
	struct ibv_ah ibv_ah;
	uint32_t handle;			/* pcv_ibv_create_ah_resp.ah, != 0 */
	struct ibv_ah_attr attr;		/* as created (dlid, sl, port, GRH) */
};

static inline struct pcv_context *to_pcv_ctx(struct ibv_context *ibctx)
{
	return pcv_container_of(ibctx, struct pcv_context, ibv_ctx.context);
}

static inline struct pcv_pd *to_pcv_pd(struct ibv_pd *ibpd)
{
	return pcv_container_of(ibpd, struct pcv_pd, ibv_pd);
}

static inline struct pcv_cq *to_pcv_cq(struct ibv_cq *ibcq)
{
	return pcv_container_of(ibcq, struct pcv_cq, ibv_cq);
}

static inline struct pcv_qp *to_pcv_qp(struct ibv_qp *ibqp)
{
	return pcv_container_of(ibqp, struct pcv_qp, vqp.qp);
}

static inline struct pcv_srq *to_pcv_srq(struct ibv_srq *ibsrq)
{
	return pcv_container_of(ibsrq, struct pcv_srq, ibv_srq);
}

static inline struct pcv_ah *to_pcv_ah(struct ibv_ah *ibah)
{
	return pcv_container_of(ibah, struct pcv_ah, ibv_ah);
}

static inline struct pcv_mr *to_pcv_mr(struct pcv_verbs_mr *vmr)
{
	return pcv_container_of(vmr, struct pcv_mr, vmr);
}

/* Error messages go through libibverbs' logger (VERBS_LOG_LEVEL,
 * VERBS_LOG_FILE): silent unless asked for.
 */
#define pcv_err(ibctx, fmt, ...)					\
	__verbs_log(&to_pcv_ctx(ibctx)->ibv_ctx, PCV_VERBS_LOG_ERR,	\
		    "%s: %s: " fmt, (ibctx)->device->name, __func__,	\
		    ##__VA_ARGS__)

/* context.c */
struct verbs_context *pcv_alloc_context(struct ibv_device *ibdev, int cmd_fd,
					void *private_data);
void pcv_free_context(struct ibv_context *ibctx);

/* verbs.c */
int pcv_query_device_ex(struct ibv_context *ibctx,
			const struct ibv_query_device_ex_input *input,
			struct ibv_device_attr_ex *attr, size_t attr_size);
int pcv_query_port(struct ibv_context *ibctx, uint8_t port_num,
		   struct ibv_port_attr *port_attr);
struct ibv_pd *pcv_alloc_pd(struct ibv_context *ibctx);
int pcv_dealloc_pd(struct ibv_pd *ibpd);

/* cq.c */
struct ibv_cq *pcv_create_cq(struct ibv_context *ibctx, int cqe,
			     struct ibv_comp_channel *channel,
			     int comp_vector);
int pcv_destroy_cq(struct ibv_cq *ibcq);
int pcv_resize_cq(struct ibv_cq *ibcq, int cqe);
int pcv_poll_cq(struct ibv_cq *ibcq, int num_entries, struct ibv_wc *wc);
int pcv_req_notify_cq(struct ibv_cq *ibcq, int solicited_only);

/* qp.c */
struct ibv_qp *pcv_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *attr);
int pcv_modify_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
		  int attr_mask);
int pcv_query_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
		 int attr_mask, struct ibv_qp_init_attr *init_attr);
int pcv_destroy_qp(struct ibv_qp *ibqp);
int pcv_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr);
int pcv_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr);
int pcv_wq_post_recv(struct pcv_wq *wq, struct ibv_recv_wr *wr,
		     struct ibv_recv_wr **bad_wr);
int pcv_wq_init(struct pcv_wq *wq);
int pcv_wq_map(struct ibv_context *ibctx, struct pcv_wq *wq,
	       uint32_t entries, uint32_t stride, uint64_t key, uint64_t size,
	       uint32_t max_wr, uint32_t max_sge, uint32_t sge_limit);
void pcv_wq_fini(struct pcv_wq *wq);

/* srq.c */
struct ibv_srq *pcv_create_srq(struct ibv_pd *pd,
			       struct ibv_srq_init_attr *attr);
int pcv_modify_srq(struct ibv_srq *ibsrq, struct ibv_srq_attr *attr,
		   int attr_mask);
int pcv_query_srq(struct ibv_srq *ibsrq, struct ibv_srq_attr *attr);
int pcv_destroy_srq(struct ibv_srq *ibsrq);
int pcv_post_srq_recv(struct ibv_srq *ibsrq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr);

/* mr.c */
struct ibv_mr *pcv_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
			  uint64_t hca_va, int access);
int pcv_dereg_mr(struct pcv_verbs_mr *vmr);

/* ah.c */
struct ibv_ah *pcv_create_ah(struct ibv_pd *pd, struct ibv_ah_attr *attr);
int pcv_destroy_ah(struct ibv_ah *ibah);
int pcv_attach_mcast(struct ibv_qp *ibqp, const union ibv_gid *gid,
		     uint16_t lid);
int pcv_detach_mcast(struct ibv_qp *ibqp, const union ibv_gid *gid,
		     uint16_t lid);

/* fast.c */
void pcv_fast_qp_init(struct pcv_qp *qp, const struct ibv_qp_init_attr *attr);
void pcv_fast_qp_fini(struct pcv_qp *qp);
void pcv_fast_try_enter(struct pcv_qp *qp);
void pcv_fast_count_wr(struct pcv_qp *qp, const struct ibv_send_wr *wr);
bool pcv_fast_post(struct pcv_qp *qp);
int pcv_fast_leave(struct pcv_qp *qp, bool never);
bool pcv_fast_cq_work(struct pcv_cq *cq);
void pcv_fast_cq_armed(struct pcv_cq *cq);
void pcv_cq_kick_soon(struct ibv_cq *ibcq);
int pcv_fast_cq_take(struct pcv_cq *cq, uint32_t ring_prod, struct ibv_wc *wc);

/* device.c */
extern const struct pcv_verbs_context_ops pcv_ctx_ops;

#endif /* PCIEVERBS_H */
