// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: queue pairs.
 *
 * post_send writes struct pcv_sq_wqe entries into the SQ ring, publishes
 * prod and then rings the kernel's "doorbell": a POST_SEND command that
 * carries no work request (the kernel's uverbs code then calls the
 * driver's post_send with an empty list, and the driver processes the SQ
 * ring).  post_recv writes struct pcv_rq_wqe entries and prod, and makes
 * no system call: the kernel reads the RQ when a message arrives.
 *
 * Every work request is checked completely before anything is written for
 * it; the first bad one stops the list with *bad_wr pointing at it and a
 * positive errno (EINVAL for a malformed request, ENOMEM for a full
 * queue), everything before it having been posted.
 *
 * UD (kernels with PCV_UCTX_CAP_UD): SEND and SEND_WITH_IMM only, each
 * naming an address handle of this context, whose kernel handle goes into
 * the WQE with the destination QPN and Q_Key.  Only structural errors are
 * ours to find; a datagram longer than the path MTU (4096) is posted and
 * the kernel completes it with IBV_WC_LOC_LEN_ERR, as an HCA does.  The
 * receive side needs nothing UD-specific: the kernel writes the 40-byte
 * GRH area and then the payload into the posted buffers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

struct pcv_create_qp_cmd {
	struct pcv_cmd_create_qp ibv_cmd;
	struct pcv_ibv_create_qp drv;
};

struct pcv_create_qp_cmd_resp {
	struct ib_uverbs_create_qp_resp ibv_resp;
	struct pcv_ibv_create_qp_resp drv;
};

_Static_assert(offsetof(struct pcv_create_qp_cmd, drv) ==
	       sizeof(struct pcv_cmd_create_qp) &&
	       sizeof(struct pcv_create_qp_cmd) ==
	       sizeof(struct pcv_cmd_create_qp) +
	       sizeof(struct pcv_ibv_create_qp),
	       "create_qp driver request must follow the core command");
_Static_assert(offsetof(struct pcv_create_qp_cmd_resp, drv) ==
	       sizeof(struct ib_uverbs_create_qp_resp) &&
	       sizeof(struct pcv_create_qp_cmd_resp) ==
	       sizeof(struct ib_uverbs_create_qp_resp) +
	       sizeof(struct pcv_ibv_create_qp_resp),
	       "create_qp driver response must follow the core response");

/* IBV_WR_* -> PCV_WR_*; -1 for what pcieverbs does not execute. */
static int pcv_wr_opcode(enum ibv_wr_opcode op)
{
	switch (op) {
	case IBV_WR_SEND:
		return PCV_WR_SEND;
	case IBV_WR_SEND_WITH_IMM:
		return PCV_WR_SEND_WITH_IMM;
	case IBV_WR_RDMA_WRITE:
		return PCV_WR_RDMA_WRITE;
	case IBV_WR_RDMA_WRITE_WITH_IMM:
		return PCV_WR_RDMA_WRITE_WITH_IMM;
	case IBV_WR_RDMA_READ:
		return PCV_WR_RDMA_READ;
	case IBV_WR_ATOMIC_CMP_AND_SWP:
		return PCV_WR_ATOMIC_CMP_AND_SWP;
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		return PCV_WR_ATOMIC_FETCH_AND_ADD;
	default:		/* LOCAL_INV, BIND_MW, SEND_WITH_INV, TSO, ... */
		return -1;
	}
}

#define PCV_OP(x)	(1U << (x))
#define PCV_OPS_UD	(PCV_OP(PCV_WR_SEND) | PCV_OP(PCV_WR_SEND_WITH_IMM))
#define PCV_OPS_UC	(PCV_OPS_UD | PCV_OP(PCV_WR_RDMA_WRITE) | \
			 PCV_OP(PCV_WR_RDMA_WRITE_WITH_IMM))
#define PCV_OPS_RC	(PCV_OPS_UC | PCV_OP(PCV_WR_RDMA_READ) | \
			 PCV_OP(PCV_WR_ATOMIC_CMP_AND_SWP) | \
			 PCV_OP(PCV_WR_ATOMIC_FETCH_AND_ADD))
#define PCV_OPS_ATOMIC	(PCV_OP(PCV_WR_ATOMIC_CMP_AND_SWP) | \
			 PCV_OP(PCV_WR_ATOMIC_FETCH_AND_ADD))
#define PCV_OPS_IMM	(PCV_OP(PCV_WR_SEND_WITH_IMM) | \
			 PCV_OP(PCV_WR_RDMA_WRITE_WITH_IMM))
#define PCV_OPS_RDMA	(PCV_OP(PCV_WR_RDMA_WRITE) | \
			 PCV_OP(PCV_WR_RDMA_WRITE_WITH_IMM) | \
			 PCV_OP(PCV_WR_RDMA_READ))
/* Inline payload is what the requester sends: not for READ or atomics. */
#define PCV_OPS_INLINE	PCV_OPS_UC

/* The opcodes each transport executes (IBA table of valid operations). */
static uint32_t pcv_qp_ops(enum ibv_qp_type type)
{
	switch (type) {
	case IBV_QPT_RC:
		return PCV_OPS_RC;
	case IBV_QPT_UC:
		return PCV_OPS_UC;
	case IBV_QPT_UD:
		return PCV_OPS_UD;
	default:
		return 0;
	}
}

#define PCV_SEND_FLAGS	(IBV_SEND_SIGNALED | IBV_SEND_SOLICITED | \
			 IBV_SEND_FENCE | IBV_SEND_INLINE)

/*
 * Check one send WR against what the QP was granted.  Returns 0 (with
 * the PCV opcode and, for inline sends, the payload length) or EINVAL.
 */
static int pcv_check_send_wr(const struct pcv_qp *qp,
			     const struct ibv_send_wr *wr, int *pcv_op,
			     uint32_t *inline_len)
{
	int op = pcv_wr_opcode(wr->opcode);
	uint64_t total = 0;

	if (op < 0 || !(pcv_qp_ops(qp->vqp.qp.qp_type) & PCV_OP(op)))
		return EINVAL;
	if (wr->send_flags & ~(unsigned int)PCV_SEND_FLAGS)
		return EINVAL;
	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->sq.max_sge ||
	    (wr->num_sge && !wr->sg_list))
		return EINVAL;

	if (PCV_OP(op) & PCV_OPS_ATOMIC) {
		/* The 8-byte original value lands in the single SGE. */
		if (wr->num_sge != 1 || wr->sg_list[0].length != 8)
			return EINVAL;
	}

	if (wr->send_flags & IBV_SEND_INLINE) {
		if (!(PCV_OP(op) & PCV_OPS_INLINE))
			return EINVAL;
		for (int i = 0; i < wr->num_sge; i++)
			total += wr->sg_list[i].length;
		if (total > qp->max_inline)
			return EINVAL;
	}

	/* UD: an address handle, and one of ours.  Its context must be the
	 * QP's: that makes it a pcv_ah (another provider's AH, or one of
	 * another open of the device, would have us read a handle that is
	 * not there or means nothing to this ucontext).  Whether it belongs
	 * to the QP's PD is the kernel's check, on every send.
	 */
	if (qp->vqp.qp.qp_type == IBV_QPT_UD &&
	    (!wr->wr.ud.ah || wr->wr.ud.ah->context != qp->vqp.qp.context))
		return EINVAL;

	*pcv_op = op;
	*inline_len = (uint32_t)total;
	return 0;
}

/* Write the WQE for an already checked WR into its slot.  Every byte of
 * the slot is written: fields the opcode does not use, reserved fields,
 * unused SGEs and the inline tail are zero.
 */
static void pcv_write_send_wqe(const struct pcv_qp *qp,
			       struct pcv_sq_wqe *wqe,
			       const struct ibv_send_wr *wr, int op,
			       uint32_t inline_len)
{
	uint8_t flags = 0;

	memset(wqe, 0, sizeof(*wqe));
	wqe->wr_id = wr->wr_id;
	wqe->opcode = (uint8_t)op;

	if ((wr->send_flags & IBV_SEND_SIGNALED) || qp->sq_sig_all)
		flags |= PCV_WQE_SIGNALED;
	if (wr->send_flags & IBV_SEND_SOLICITED)
		flags |= PCV_WQE_SOLICITED;
	if (wr->send_flags & IBV_SEND_FENCE)
		flags |= PCV_WQE_FENCE;
	if (wr->send_flags & IBV_SEND_INLINE)
		flags |= PCV_WQE_INLINE;
	wqe->flags = flags;

	if (PCV_OP(op) & PCV_OPS_IMM)
		wqe->imm_data = wr->imm_data;
	if (PCV_OP(op) & PCV_OPS_RDMA) {
		wqe->remote_addr = wr->wr.rdma.remote_addr;
		wqe->rkey = wr->wr.rdma.rkey;
	}
	if (PCV_OP(op) & PCV_OPS_ATOMIC) {
		wqe->remote_addr = wr->wr.atomic.remote_addr;
		wqe->rkey = wr->wr.atomic.rkey;
		wqe->compare_add = wr->wr.atomic.compare_add;
		if (op == PCV_WR_ATOMIC_CMP_AND_SWP)
			wqe->swap = wr->wr.atomic.swap;
	}
	if (qp->vqp.qp.qp_type == IBV_QPT_UD) {
		/* QPNs are 24 bits (0xffffff: multicast); the Q_Key goes as
		 * posted: its high bit asks the kernel for the QP's own.
		 */
		wqe->ud_ah = to_pcv_ah(wr->wr.ud.ah)->handle;
		wqe->ud_remote_qpn = wr->wr.ud.remote_qpn & 0xffffff;
		wqe->ud_remote_qkey = wr->wr.ud.remote_qkey;
	}

	if (wr->send_flags & IBV_SEND_INLINE) {
		/* Gather the payload now: lkeys are not looked at (they may be
		 * 0), and the buffers may be reused as soon as we return.
		 */
		uint32_t off = 0;

		for (int i = 0; i < wr->num_sge; i++) {
			uint32_t len = wr->sg_list[i].length;

			if (len)	/* an empty SGE's address may be anything */
				memcpy(wqe->inline_data + off,
				       (const void *)(uintptr_t)wr->sg_list[i].addr,
				       len);
			off += len;
		}
		wqe->inline_len = inline_len;
		wqe->num_sge = 0;
	} else {
		for (int i = 0; i < wr->num_sge; i++) {
			wqe->sge[i].addr = wr->sg_list[i].addr;
			wqe->sge[i].length = wr->sg_list[i].length;
			wqe->sge[i].lkey = wr->sg_list[i].lkey;
		}
		wqe->num_sge = (uint8_t)wr->num_sge;
	}
}

/* Room for one more WQE?  cons is refreshed from the kernel only when the
 * cached value says "full".  A cons the kernel cannot have written (more
 * than the ring behind prod) also reads as "full": we never write outside
 * our slots whatever the kernel says.
 */
static bool pcv_wq_has_room(struct pcv_wq *wq, uint32_t *cons)
{
	if (wq->prod - *cons < wq->ring.nentries)
		return true;
	*cons = pcv_ring_load_cons(&wq->ring);
	return wq->prod - *cons < wq->ring.nentries;
}

int pcv_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct ibv_send_wr *kick_bad;
	unsigned int posted = 0;
	uint32_t cons, inline_len;
	bool doorbell = true;
	int ret = 0, op, kret;

	pthread_spin_lock(&qp->sq.lock);
	if (!pcv_ring_mapped(&qp->sq.ring)) {
		/* A QP created with max_send_wr 0: a queue of depth 0. */
		ret = wr ? ENOMEM : 0;
		if (wr)
			*bad_wr = wr;
		pthread_spin_unlock(&qp->sq.lock);
		return ret;
	}

	cons = pcv_ring_load_cons(&qp->sq.ring);
	/*
	 * An idle SQ of a QP whose last sends were all small SENDs: ask for
	 * the fast path (fast.c backs off).  A QP doing anything else never
	 * pays for asking.
	 */
	if (qp->fast.state == PCV_FAST_OFF && cons == qp->sq.prod && wr &&
	    qp->fast.small_run >= PCV_FAST_RUN)
		pcv_fast_try_enter(qp);
	for (; wr; wr = wr->next) {
		ret = pcv_check_send_wr(qp, wr, &op, &inline_len);
		pcv_fast_count_wr(qp, wr);
		if (!ret && !pcv_wq_has_room(&qp->sq, &cons))
			ret = ENOMEM;
		if (ret) {
			*bad_wr = wr;
			break;
		}
		pcv_write_send_wqe(qp, pcv_ring_entry(&qp->sq.ring, qp->sq.prod),
				   wr, op, inline_len);
		qp->sq.prod++;
		posted++;
	}
	if (posted) {
		pcv_ring_publish_prod(&qp->sq.ring, qp->sq.prod);
		/* On the fast path the messages go out from here. */
		doorbell = pcv_fast_post(qp);
	}
	pthread_spin_unlock(&qp->sq.lock);

	if (!posted || !doorbell)
		return ret;

	/*
	 * One doorbell per call, after the last WQE, outside the lock (a
	 * concurrent poster's WQEs are covered by its own doorbell or ours).
	 * The WQEs are in the ring whatever happens to the doorbell: if it
	 * fails and no WR did, the error is returned with *bad_wr NULL (as
	 * libsiw does): nothing is "not posted", the kernel executes them at
	 * the next doorbell.
	 */
	kret = ibv_cmd_post_send(ibqp, NULL, &kick_bad);
	if (kret && !ret) {
		ret = kret;
		*bad_wr = NULL;
	}
	pcv_cq_kick_soon(ibqp->send_cq);
	if (ibqp->recv_cq != ibqp->send_cq)
		pcv_cq_kick_soon(ibqp->recv_cq);
	return ret;
}

/* Receive WQEs, for an RQ (post_recv) and an SRQ (post_srq_recv). */
int pcv_wq_post_recv(struct pcv_wq *wq, struct ibv_recv_wr *wr,
		     struct ibv_recv_wr **bad_wr)
{
	unsigned int posted = 0;
	uint32_t cons;
	int ret = 0;

	pthread_spin_lock(&wq->lock);
	if (!pcv_ring_mapped(&wq->ring)) {
		if (wr) {
			*bad_wr = wr;
			ret = ENOMEM;
		}
		pthread_spin_unlock(&wq->lock);
		return ret;
	}

	cons = pcv_ring_load_cons(&wq->ring);
	for (; wr; wr = wr->next) {
		struct pcv_rq_wqe *wqe;

		if (wr->num_sge < 0 || (uint32_t)wr->num_sge > wq->max_sge ||
		    (wr->num_sge && !wr->sg_list))
			ret = EINVAL;
		else if (!pcv_wq_has_room(wq, &cons))
			ret = ENOMEM;
		if (ret) {
			*bad_wr = wr;
			break;
		}

		wqe = pcv_ring_entry(&wq->ring, wq->prod);
		memset(wqe, 0, sizeof(*wqe));
		wqe->wr_id = wr->wr_id;
		wqe->num_sge = (uint8_t)wr->num_sge;
		for (int i = 0; i < wr->num_sge; i++) {
			wqe->sge[i].addr = wr->sg_list[i].addr;
			wqe->sge[i].length = wr->sg_list[i].length;
			wqe->sge[i].lkey = wr->sg_list[i].lkey;
		}
		wq->prod++;
		posted++;
	}
	if (posted)
		pcv_ring_publish_prod(&wq->ring, wq->prod);
	pthread_spin_unlock(&wq->lock);
	return ret;
}

int pcv_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);

	/* A QP attached to an SRQ has no receive queue of its own. */
	if (ibqp->srq) {
		if (wr)
			*bad_wr = wr;
		return wr ? EINVAL : 0;
	}
	return pcv_wq_post_recv(&qp->rq, wr, bad_wr);
}

int pcv_wq_init(struct pcv_wq *wq)
{
	memset(wq, 0, sizeof(*wq));
	return pthread_spin_init(&wq->lock, PTHREAD_PROCESS_PRIVATE);
}

void pcv_wq_fini(struct pcv_wq *wq)
{
	pcv_ring_unmap(&wq->ring);
	pthread_spin_destroy(&wq->lock);
}

/* Map one work queue of a new QP (or an SRQ): entries 0 means "no ring"
 * and is only valid for a queue of depth 0; otherwise the ring must hold
 * the granted depth and the granted SGE count must fit a WQE.  Our prod
 * starts where the kernel initialised it.  0 or a positive errno.
 */
int pcv_wq_map(struct ibv_context *ibctx, struct pcv_wq *wq,
	       uint32_t entries, uint32_t stride, uint64_t key, uint64_t size,
	       uint32_t max_wr, uint32_t max_sge, uint32_t sge_limit)
{
	int ret;

	if (entries == 0)
		return max_wr == 0 ? 0 : EPROTO;
	if (entries < max_wr || max_sge > sge_limit)
		return EPROTO;
	ret = pcv_ring_map(&wq->ring, ibctx->cmd_fd, entries, stride, key,
			   size);
	if (ret)
		return ret;
	wq->prod = pcv_ring_load_prod(&wq->ring);
	wq->max_sge = max_sge;
	return 0;
}

/* Check the create_qp answer against the granted capabilities (which
 * libibverbs has copied into attr->cap) and map the rings.
 */
static int pcv_qp_setup(struct pcv_qp *qp, const struct ibv_qp_init_attr *attr,
			const struct pcv_ibv_create_qp_resp *r)
{
	struct ibv_context *ibctx = qp->vqp.qp.context;
	const struct ibv_qp_cap *cap = &attr->cap;
	int ret;

	if (pcv_resp_unwritten64(r->rq_mmap_size))
		return EPROTO;		/* short or missing driver response */
	if (r->qpn != qp->vqp.qp.qp_num || r->qpn >= (1U << 24))
		return EPROTO;
	/* The user is told cap->max_inline_data: we must accept it. */
	if (r->max_inline > PCV_MAX_INLINE || cap->max_inline_data > r->max_inline)
		return EPROTO;
	if (attr->srq && r->rq_entries)
		return EPROTO;

	ret = pcv_wq_map(ibctx, &qp->sq, r->sq_entries, PCV_SQ_STRIDE,
			 r->sq_mmap_key, r->sq_mmap_size, cap->max_send_wr,
			 cap->max_send_sge, PCV_MAX_SEND_SGE);
	if (ret)
		return ret;
	if (!attr->srq) {
		ret = pcv_wq_map(ibctx, &qp->rq, r->rq_entries, PCV_RQ_STRIDE,
				 r->rq_mmap_key, r->rq_mmap_size,
				 cap->max_recv_wr, cap->max_recv_sge,
				 PCV_MAX_RECV_SGE);
		if (ret)
			return ret;
	}
	qp->max_inline = r->max_inline;
	qp->sq_sig_all = attr->sq_sig_all != 0;
	return 0;
}

/* Link a new QP into its CQs' lists (or out of them). */
static void pcv_qp_link_cqs(struct pcv_qp *qp, bool add)
{
	struct ibv_cq *cqs[PCV_CQ_ROLES] = {
		[PCV_CQ_SEND] = qp->vqp.qp.send_cq,
		[PCV_CQ_RECV] = qp->vqp.qp.recv_cq,
	};

	for (int r = 0; r < PCV_CQ_ROLES; r++) {
		struct pcv_cq *cq = to_pcv_cq(cqs[r]);
		struct pcv_qp **p;

		pthread_spin_lock(&cq->lock);
		if (add) {
			qp->cq_next[r] = cq->qps[r];
			cq->qps[r] = qp;
		} else {
			for (p = &cq->qps[r]; *p; p = &(*p)->cq_next[r])
				if (*p == qp) {
					*p = qp->cq_next[r];
					break;
				}
		}
		pthread_spin_unlock(&cq->lock);
	}
}

struct ibv_qp *pcv_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *attr)
{
	struct pcv_create_qp_cmd cmd;
	struct pcv_create_qp_cmd_resp resp;
	struct pcv_qp *qp;
	int ret;

	switch (attr->qp_type) {
	case IBV_QPT_RC:
	case IBV_QPT_UC:
		break;
	case IBV_QPT_UD:
		/* Only a kernel that announced UD has UD QPs and AHs; asking
		 * another one would fail the same way, one system call later.
		 */
		if (to_pcv_ctx(pd->context)->caps & PCV_UCTX_CAP_UD)
			break;
		/* fall through */
	default:
		/* XRC, raw packet and driver QPs are not planned. */
		errno = EOPNOTSUPP;
		return NULL;
	}

	qp = calloc(1, sizeof(*qp));
	if (!qp) {
		errno = ENOMEM;
		return NULL;
	}
	ret = pcv_wq_init(&qp->sq);
	if (ret)
		goto err_free;
	ret = pcv_wq_init(&qp->rq);
	if (ret)
		goto err_sq;

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));
	ret = ibv_cmd_create_qp(pd, &qp->vqp.qp, attr, &cmd.ibv_cmd,
				sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	if (ret)
		goto err_rq;

	ret = pcv_qp_setup(qp, attr, &resp.drv);
	if (ret) {
		pcv_err(pd->context, "bad QP from the kernel (qpn %#x/%#x, sq %u for %u, rq %u for %u, inline %u for %u, sge %u/%u): %s\n",
			resp.drv.qpn, qp->vqp.qp.qp_num, resp.drv.sq_entries,
			attr->cap.max_send_wr, resp.drv.rq_entries,
			attr->cap.max_recv_wr, resp.drv.max_inline,
			attr->cap.max_inline_data, attr->cap.max_send_sge,
			attr->cap.max_recv_sge, strerror(ret));
		/* libibverbs initialised the QP's event mutex/cond. */
		ibv_cmd_destroy_qp(&qp->vqp.qp);
		goto err_rq;
	}
	pcv_fast_qp_init(qp, attr);
	pcv_qp_link_cqs(qp, true);
	return &qp->vqp.qp;

err_rq:
	pcv_wq_fini(&qp->rq);
err_sq:
	pcv_wq_fini(&qp->sq);
err_free:
	free(qp);
	errno = ret;
	return NULL;
}

/* After RESET: take our producer index from the ring header again. */
static void pcv_wq_resync(struct pcv_wq *wq)
{
	pthread_spin_lock(&wq->lock);
	if (pcv_ring_mapped(&wq->ring))
		wq->prod = pcv_ring_load_prod(&wq->ring);
	pthread_spin_unlock(&wq->lock);
}

/*
 * State changes and queries are the kernel's: it owns the QP state machine
 * and flushes on ERR.  The one index event is RESET, which empties the SQ
 * and RQ: the kernel may do that by re-initialising both indices of each
 * ring (pcieverbs.ko sets them to 0) rather than by moving cons up to
 * prod, so after a successful transition to RESET we adopt the prod the
 * header now holds (unchanged if the kernel left it alone).  Posting while
 * another thread resets the QP is the application's race, as on any HCA.
 */
int pcv_modify_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
		  int attr_mask)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_cmd_modify_qp cmd;
	int ret;

	/* The kernel owns the state machine: it gets the QP back first. */
	ret = pcv_fast_leave(qp, false);
	if (ret)
		return ret;
	memset(&cmd, 0, sizeof(cmd));
	ret = ibv_cmd_modify_qp(ibqp, attr, attr_mask, &cmd, sizeof(cmd));
	if (!ret && (attr_mask & IBV_QP_STATE) &&
	    attr->qp_state == IBV_QPS_RESET) {
		pcv_wq_resync(&qp->sq);
		pcv_wq_resync(&qp->rq);
	}
	return ret;
}

int pcv_query_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
		 int attr_mask, struct ibv_qp_init_attr *init_attr)
{
	struct pcv_cmd_query_qp cmd;

	memset(&cmd, 0, sizeof(cmd));
	return ibv_cmd_query_qp(ibqp, attr, attr_mask, init_attr, &cmd,
				sizeof(cmd));
}

int pcv_destroy_qp(struct ibv_qp *ibqp)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	int ret;

	ret = ibv_cmd_destroy_qp(ibqp);
	if (ret)
		return ret;

	pcv_qp_link_cqs(qp, false);
	pcv_fast_qp_fini(qp);
	pcv_wq_fini(&qp->rq);
	pcv_wq_fini(&qp->sq);
	free(qp);
	return 0;
}
