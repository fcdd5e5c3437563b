// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs post_send / post_recv.
 *
 * User QPs post by writing the mapped rings; post_send with no work request
 * is their doorbell (the SQ is processed now) and post_recv is never called
 * for them.  Kernel consumers (any context) get their work requests turned
 * into the same ring entries, so one engine serves both.
 */
#include "pcv.h"

static int pcv_wr_opcode(enum ib_wr_opcode op)
{
	switch (op) {
	case IB_WR_SEND:
		return PCV_WR_SEND;
	case IB_WR_SEND_WITH_IMM:
		return PCV_WR_SEND_WITH_IMM;
	case IB_WR_RDMA_WRITE:
		return PCV_WR_RDMA_WRITE;
	case IB_WR_RDMA_WRITE_WITH_IMM:
		return PCV_WR_RDMA_WRITE_WITH_IMM;
	case IB_WR_RDMA_READ:
		return PCV_WR_RDMA_READ;
	case IB_WR_ATOMIC_CMP_AND_SWP:
		return PCV_WR_ATOMIC_CMP_AND_SWP;
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		return PCV_WR_ATOMIC_FETCH_AND_ADD;
	default:
		return -EINVAL;
	}
}

/* Turn a kernel work request into an SQ ring entry. */
static int pcv_wr_to_wqe(struct pcv_qp *qp, const struct ib_send_wr *wr, struct pcv_sq_wqe *w)
{
	int op = pcv_wr_opcode(wr->opcode);
	int i;

	if (op < 0 || wr->num_sge < 0 || wr->num_sge > PCV_MAX_SEND_SGE)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->wr_id = wr->wr_id;
	w->opcode = op;
	if (wr->send_flags & IB_SEND_SIGNALED)
		w->flags |= PCV_WQE_SIGNALED;
	if (wr->send_flags & IB_SEND_SOLICITED)
		w->flags |= PCV_WQE_SOLICITED;
	if (wr->send_flags & IB_SEND_FENCE)
		w->flags |= PCV_WQE_FENCE;
	if (op == PCV_WR_SEND_WITH_IMM || op == PCV_WR_RDMA_WRITE_WITH_IMM)
		w->imm_data = (__force u32)wr->ex.imm_data;
	if (pcv_qp_is_ud(qp)) {
		/* Datagrams: SENDs only, to the address handle's destination. */
		if ((op != PCV_WR_SEND && op != PCV_WR_SEND_WITH_IMM) || !ud_wr(wr)->ah)
			return -EINVAL;
		w->ud_ah = to_pcv_ah(ud_wr(wr)->ah)->handle;
		w->ud_remote_qpn = ud_wr(wr)->remote_qpn & PCV_MCAST_QPN;
		w->ud_remote_qkey = ud_wr(wr)->remote_qkey;
	} else if (op == PCV_WR_RDMA_WRITE || op == PCV_WR_RDMA_WRITE_WITH_IMM ||
		   op == PCV_WR_RDMA_READ) {
		w->remote_addr = rdma_wr(wr)->remote_addr;
		w->rkey = rdma_wr(wr)->rkey;
	} else if (op >= PCV_WR_ATOMIC_CMP_AND_SWP) {
		w->remote_addr = atomic_wr(wr)->remote_addr;
		w->rkey = atomic_wr(wr)->rkey;
		w->compare_add = atomic_wr(wr)->compare_add;
		w->swap = atomic_wr(wr)->swap;
	}
	if (wr->send_flags & IB_SEND_INLINE && op != PCV_WR_RDMA_READ &&
	    op < PCV_WR_ATOMIC_CMP_AND_SWP) {
		u32 len = 0;

		/* Kernel SGE addresses are kernel virtual addresses (virtual DMA). */
		for (i = 0; i < wr->num_sge; i++) {
			if (len + wr->sg_list[i].length > PCV_MAX_INLINE)
				return -EINVAL;
			memcpy(w->inline_data + len, (void *)(uintptr_t)wr->sg_list[i].addr,
			       wr->sg_list[i].length);
			len += wr->sg_list[i].length;
		}
		w->flags |= PCV_WQE_INLINE;
		w->inline_len = len;
		return 0;
	}
	w->num_sge = wr->num_sge;
	for (i = 0; i < wr->num_sge; i++) {
		w->sge[i].addr = wr->sg_list[i].addr;
		w->sge[i].length = wr->sg_list[i].length;
		w->sge[i].lkey = wr->sg_list[i].lkey;
	}
	return 0;
}

int pcv_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&qp->lock, flags);
	if (qp->user) {
		/* The provider's doorbell: it posted through the mapped ring. */
		if (wr) {
			err = -EINVAL;
			*bad_wr = wr;
		}
		pcv_qp_progress(qp);
		spin_unlock_irqrestore(&qp->lock, flags);
		return err;
	}
	if (qp->state < IB_QPS_RTS && qp->state != IB_QPS_ERR) {
		spin_unlock_irqrestore(&qp->lock, flags);
		*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr; wr = wr->next) {
		u32 prod = qp->sq.hdr->prod;
		struct pcv_sq_wqe *w;

		if (prod - qp->sq_tail >= qp->sq.entries) {
			err = -ENOMEM;
			break;
		}
		w = (struct pcv_sq_wqe *)(qp->sq.ents + (size_t)(prod & (qp->sq.entries - 1)) *
					  PCV_SQ_STRIDE);
		err = pcv_wr_to_wqe(qp, wr, w);
		if (err)
			break;
		qp->sq.hdr->prod = prod + 1;
	}
	if (err)
		*bad_wr = wr;
	pcv_qp_progress(qp);
	spin_unlock_irqrestore(&qp->lock, flags);
	return err;
}

int pcv_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&qp->lock, flags);
	if (qp->user || qp->srq || qp->state == IB_QPS_RESET) {
		spin_unlock_irqrestore(&qp->lock, flags);
		*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr; wr = wr->next) {
		u32 prod = qp->rq.hdr->prod;
		struct pcv_rq_wqe *w;
		int i;

		if (wr->num_sge > PCV_MAX_RECV_SGE) {
			err = -EINVAL;
			break;
		}
		if (prod - qp->rq_cons >= qp->rq.entries) {
			err = -ENOMEM;
			break;
		}
		w = (struct pcv_rq_wqe *)(qp->rq.ents + (size_t)(prod & (qp->rq.entries - 1)) *
					  PCV_RQ_STRIDE);
		memset(w, 0, sizeof(*w));
		w->wr_id = wr->wr_id;
		w->num_sge = wr->num_sge;
		for (i = 0; i < wr->num_sge; i++) {
			w->sge[i].addr = wr->sg_list[i].addr;
			w->sge[i].length = wr->sg_list[i].length;
			w->sge[i].lkey = wr->sg_list[i].lkey;
		}
		qp->rq.hdr->prod = prod + 1;
	}
	if (err)
		*bad_wr = wr;
	/* A message waiting for a receive (RNR) may complete now. */
	pcv_qp_progress(qp);
	spin_unlock_irqrestore(&qp->lock, flags);
	return err;
}

/* Ring the peer's blade (or our own data work for loopback). */
void pcv_qp_kick_peer(struct pcv_qp *qp)
{
	struct pcv_dev *dev = qp->dev;

	if (qp->dest_blade == dev->info.blade_id)
		queue_work(dev->wq, &dev->data_work);
	else
		pcv_ring(dev, qp->dest_blade, PCV_VEC_DATA);
}
