// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs responder: the inbound ring and receive queue of a QP.
 *
 * Messages from the peer QP are consumed in order.  Each is hostile until
 * checked: slot count against the ring, msn, source QP, connection
 * generation, lengths.  A message that needs a receive WQE takes one from
 * the RQ (or SRQ); none posted means RNR for RC (the message stays, the
 * requester is told and asks again after its RNR timer) and a drop for UC.
 * Inline payload is copied from the ring; a rendezvous payload is pulled
 * from the requester's MRs (CPU or DMA).  Then the requester learns, by
 * writes into its control block: the new ack_msn, our ring credit, a NAK.
 *
 * Everything here runs with qp->lock held.
 */
#include "pcv.h"

#define PCV_RX_BUDGET	64

static struct pcv_rq_wqe *pcv_rq_entry(struct pcv_qp *qp, u32 idx)
{
	return (struct pcv_rq_wqe *)(qp->rq.ents + (size_t)(idx & (qp->rq.entries - 1)) *
				     PCV_RQ_STRIDE);
}

/* Next receive WQE from our RQ: 0, -EAGAIN if none, -EIO if the RQ is bad. */
static int pcv_rq_pop(struct pcv_qp *qp, struct pcv_rq_wqe *wqe)
{
	u32 prod = READ_ONCE(qp->rq.hdr->prod);

	if (prod - qp->rq_cons > qp->rq.entries)
		return -EIO;
	if (prod == qp->rq_cons)
		return -EAGAIN;
	/* The index before the entry it covers. */
	smp_rmb();
	memcpy(wqe, pcv_rq_entry(qp, qp->rq_cons), sizeof(*wqe));
	if (wqe->num_sge > PCV_MAX_RECV_SGE || memchr_inv(wqe->reserved, 0, sizeof(wqe->reserved)))
		return -EIO;
	qp->rq_cons++;
	WRITE_ONCE(qp->rq.hdr->cons, qp->rq_cons);
	return 0;
}

/* Next receive WQE (RQ or SRQ): 0, -EAGAIN if none, -EIO if the queue is bad. */
int pcv_rq_get(struct pcv_qp *qp, struct pcv_rq_wqe *wqe)
{
	if (qp->srq)
		return pcv_srq_pop(qp->srq, wqe);
	return pcv_rq_pop(qp, wqe);
}

static void pcv_rx_cqe(struct pcv_qp *qp, u64 wr_id, enum ib_wc_status st, u32 opcode,
		       u32 len, const struct pcv_wire_msg *h)
{
	struct pcv_cqe e = {
		.wr_id = wr_id,
		.status = st,
		.opcode = opcode,
		.byte_len = len,
		.qp_num = qp->qpn,
		.src_qp = qp->dest_qpn,
		.slid = qp->dest_blade + 1,
	};
	bool solicited = false;

	if (h && st == IB_WC_SUCCESS && (h->flags & PCV_MSGF_IMM)) {
		e.imm_data = (__force u32)h->imm;
		e.wc_flags |= IB_WC_WITH_IMM;
	}
	if (h)
		solicited = h->flags & PCV_MSGF_SOLICITED;
	if (pcv_cq_push(qp->rcq, &e, solicited))
		pcv_qp_to_error(qp, "receive CQ overflow");
}

/* Tell the requester (RC): NAK for msn, then error. */
static void pcv_rx_nak(struct pcv_qp *qp, u32 msn, u32 code)
{
	if (qp->connected && qp->ibqp.qp_type == IB_QPT_RC) {
		pcv_remote_write32(&qp->peer_ctl->nak_msn, msn);
		pcv_remote_wmb();
		pcv_remote_write32(&qp->peer_ctl->nak_code, code);
		qp->kick_peer = true;
		qp->force_kick = true;
	}
}

/* Publish what we consumed and completed (if it changed). */
void pcv_rx_publish(struct pcv_qp *qp)
{
	if (!qp->connected)
		return;
	if (qp->rx.cons != qp->rx_credit) {
		qp->rx_credit = qp->rx.cons;
		/* Our reads of the consumed slots before the credit that frees them. */
		pcv_mb();
		pcv_remote_write32(&qp->peer_ctl->credit, qp->rx_credit);
		qp->kick_peer = true;
	}
	/*
	 * RC and UC alike: for UC the acknowledgment is internal (a sender's
	 * buffer is free once we pulled or dropped its message), never a NAK
	 * or RNR the application sees.
	 */
	if (qp->rx_msn != qp->rx_acked) {
		qp->rx_acked = qp->rx_msn;
		pcv_remote_write32(&qp->peer_ctl->ack_msn, qp->rx_acked);
		qp->kick_peer = true;
	}
}

/* A SEND (or its rendezvous payload) arrived from the fabric: port counters. */
static void pcv_rx_count(struct pcv_qp *qp, u32 len)
{
	if (qp->dest_blade != qp->dev->info.blade_id)
		pcv_count_rcv(qp->dev, len, pcv_msg_pkts(len, pcv_qp_mtu(qp)));
}

static void pcv_rx_done_msg(struct pcv_qp *qp, u32 nslots)
{
	qp->rnr_pending = false;
	pcv_msgring_rx_consume(&qp->rx, nslots);
	qp->rx_msn++;
	pcv_count(qp->dev, PCV_CNT_MSG_RX, 1);
}

/* Rendezvous pull finished (process context). */
static void pcv_rx_xfer_done(struct pcv_xfer *x)
{
	u32 qpn = (u32)(uintptr_t)x->ctx;
	struct ib_qp *ibqp;
	unsigned long flags;

	rcu_read_lock();
	ibqp = pcv_qp_lookup(x->dev, qpn);
	if (ibqp) {
		struct pcv_qp *qp = to_pcv_qp(ibqp);

		spin_lock_irqsave(&qp->lock, flags);
		if (qp->rx_xfer == x) {
			qp->rx_xfer = NULL;
			qp->rx_xfer_status = x->status;
		}
		pcv_qp_progress(qp);
		spin_unlock_irqrestore(&qp->lock, flags);
	}
	rcu_read_unlock();
	pcv_xfer_free(x);
}

/* Finish the message whose rendezvous pull is done (qp->lock held). */
static void pcv_rx_finish_pull(struct pcv_qp *qp)
{
	struct pcv_rx_pending *pd = &qp->rx_pend;

	pcv_lsge_release(pd->sg, pd->nsg);
	pd->nsg = 0;
	pd->active = false;
	if (qp->rx_xfer_status) {
		ibdev_info_ratelimited(&qp->dev->ibdev,
				       "QP %#x: rendezvous pull of msn %u (%u bytes) from blade %u failed (%d)\n",
				       qp->qpn, pd->msn, pd->len, qp->dest_blade,
				       qp->rx_xfer_status);
		pcv_rx_cqe(qp, pd->wr_id, IB_WC_REM_ACCESS_ERR, IB_WC_RECV, 0, NULL);
		pcv_rx_nak(qp, pd->msn, PCV_NAK_REM_ACCESS);
		pcv_qp_to_error(qp, "rendezvous pull failed");
		return;
	}
	pcv_rx_cqe(qp, pd->wr_id, IB_WC_SUCCESS, IB_WC_RECV, pd->len, &pd->hdr);
	pcv_rx_count(qp, pd->len);
	pcv_rx_done_msg(qp, pd->nslots);
}

/*
 * Pull the next rendezvous piece (one source descriptor).  Returns 0 when a
 * DMA is in flight or everything is done, or an error.
 */
static int pcv_rx_pull_next(struct pcv_qp *qp)
{
	struct pcv_rx_pending *pd = &qp->rx_pend;
	struct pcv_dev *dev = qp->dev;

	while (pd->next < pd->hdr.nsge) {
		const struct pcv_wire_rsge *r = &pd->rsge[pd->next];
		u64 addr = le64_to_cpu(r->addr);
		u32 len = le32_to_cpu(r->length);
		struct pcv_xfer *x = NULL;
		int err;

		pd->next++;
		/*
		 * The source is the connected peer QP's: fabric addresses only
		 * from a kernel consumer's QP, MRs only of its PD (a process may
		 * write its QP's messages itself: the fast path).
		 */
		if (!qp->connected || ((pd->hdr.flags & PCV_MSGF_PHYS) && !qp->peer_kernel))
			return -EACCES;
		if (pd->hdr.flags & PCV_MSGF_PHYS) {
			err = pcv_remote_phys_to_lsge(dev, qp->dest_blade, addr, pd->sg, pd->nsg,
						      pd->off, len, &x, pcv_rx_xfer_done,
						      (void *)(uintptr_t)qp->qpn);
		} else {
			struct pcv_mr_desc d;
			u32 key = le32_to_cpu(r->key);
			int chk = pcv_read_mr_desc(dev, qp->dest_blade, key, &d);

			/* Our own transport pulls: any access, in range, in its PD. */
			if (chk == PCV_MR_OK)
				chk = pcv_mr_check(&d, key, qp->peer_pdn, 0, addr, len);
			if (chk) {
				/* Rare and fatal to the connection: say why. */
				ibdev_info_ratelimited(&dev->ibdev,
						       "QP %#x: rendezvous source of msn %u refused: blade %u key %#x addr %#llx len %u check %d\n",
						       qp->qpn, pd->msn, qp->dest_blade, key, addr,
						       len, chk);
				return -EACCES;
			}
			err = pcv_remote_mr_io_at(dev, qp->dest_blade, &d, addr, pd->sg, pd->nsg,
						  pd->off, len, &x, pcv_rx_xfer_done,
						  (void *)(uintptr_t)qp->qpn);
		}
		if (err)
			return err;
		pd->off += len;
		if (x) {
			qp->rx_xfer = x;
			return 0;
		}
	}
	return 0;
}

/*
 * Handle one validated message needing a receive WQE.  Returns 1 when the
 * message is finished (consumed), 0 when it waits (RNR or a pull in flight).
 */
static int pcv_rx_recv_msg(struct pcv_qp *qp, const struct pcv_wire_msg *m,
			   const struct pcv_wire_msg *h, const struct pcv_wire_rsge *rs, u32 nslots)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_rq_wqe wqe;
	struct pcv_lsge sg[PCV_MAX_RECV_SGE];
	u32 len = le32_to_cpu(h->length), msn = le32_to_cpu(h->msn);
	u64 room = 0;
	int err;

	err = pcv_rq_get(qp, &wqe);
	if (err == -EAGAIN) {
		if (qp->ibqp.qp_type == IB_QPT_UC) {
			/* UC drops (what arrived was received all the same). */
			if (h->opcode != PCV_MSG_WRITE_IMM)
				pcv_rx_count(qp, len);
			pcv_msgring_rx_consume(&qp->rx, nslots);
			qp->rx_msn++;
			return 1;
		}
		/*
		 * RNR: report each message once, and again each time the requester
		 * retries it (after its RNR timer); it counts the reports.
		 */
		if (!qp->rnr_pending || qp->rnr_msn != msn ||
		    pcv_local_read32(&qp->ctl->rnr_retry_seq) != qp->rnr_retry_seen) {
			qp->rnr_retry_seen = pcv_local_read32(&qp->ctl->rnr_retry_seq);
			qp->rnr_pending = true;
			qp->rnr_msn = msn;
			qp->rnr_reported++;
			if (qp->connected) {
				pcv_remote_write8(&qp->peer_ctl->rnr_timer, qp->min_rnr_timer);
				pcv_remote_write32(&qp->peer_ctl->rnr_msn, msn);
				pcv_remote_wmb();
				pcv_remote_write32(&qp->peer_ctl->rnr_seq, qp->rnr_reported);
				qp->kick_peer = true;
				qp->force_kick = true;
			}
		}
		return 0;
	}
	if (err) {
		pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
		pcv_rx_nak(qp, msn, PCV_NAK_REM_OP);
		pcv_qp_to_error(qp, "malformed receive WQE");
		return 0;
	}
	if (h->opcode == PCV_MSG_WRITE_IMM) {
		/* The data was placed by the requester; the WQE only completes. */
		pcv_rx_cqe(qp, wqe.wr_id, IB_WC_SUCCESS, IB_WC_RECV_RDMA_WITH_IMM, len, h);
		pcv_rx_done_msg(qp, nslots);
		return 1;
	}
	err = pcv_lsge_resolve(dev, wqe.sge, wqe.num_sge, qp->pdn, PCV_MR_LOCAL_WRITE, sg, &room);
	if (err) {
		pcv_rx_cqe(qp, wqe.wr_id, IB_WC_LOC_PROT_ERR, IB_WC_RECV, 0, NULL);
		pcv_rx_nak(qp, msn, PCV_NAK_REM_OP);
		pcv_qp_to_error(qp, "bad receive lkey");
		return 0;
	}
	if (len > room) {
		pcv_lsge_release(sg, wqe.num_sge);
		pcv_rx_cqe(qp, wqe.wr_id, IB_WC_LOC_LEN_ERR, IB_WC_RECV, 0, NULL);
		pcv_rx_nak(qp, msn, PCV_NAK_INV_REQ);
		pcv_qp_to_error(qp, "message longer than the receive buffer");
		return 0;
	}
	if (h->opcode == PCV_MSG_SEND) {
		pcv_lsge_copy_to(sg, wqe.num_sge, 0, (const u8 *)m + PCV_MSG_HDR_SIZE, len);
		pcv_lsge_release(sg, wqe.num_sge);
		pcv_rx_cqe(qp, wqe.wr_id, IB_WC_SUCCESS, IB_WC_RECV, len, h);
		pcv_rx_count(qp, len);
		pcv_rx_done_msg(qp, nslots);
		return 1;
	}

	/* PCV_MSG_RNDV: pull from the requester. */
	{
		struct pcv_rx_pending *pd = &qp->rx_pend;

		pd->active = true;
		pd->hdr = *h;
		memcpy(pd->rsge, rs, h->nsge * sizeof(pd->rsge[0]));
		memcpy(pd->sg, sg, sizeof(sg));
		pd->nsg = wqe.num_sge;
		pd->wr_id = wqe.wr_id;
		pd->len = len;
		pd->msn = msn;
		pd->nslots = nslots;
		pd->next = 0;
		pd->off = 0;
		qp->rx_xfer_status = 0;
		err = pcv_rx_pull_next(qp);
		if (err) {
			qp->rx_xfer_status = err;
			pcv_rx_finish_pull(qp);
			return 0;
		}
		if (!qp->rx_xfer && pd->next == pd->hdr.nsge) {
			pcv_rx_finish_pull(qp);
			return 1;
		}
		return 0;
	}
}

/*
 * Is this message acceptable for our ring, connection and sequence?  h and
 * rs are local copies (taken once: the peer may rewrite the ring meanwhile).
 */
static bool pcv_rx_check(struct pcv_qp *qp, const struct pcv_wire_msg *h,
			 const struct pcv_wire_rsge *rs, u32 nslots)
{
	u32 len = le32_to_cpu(h->length);
	u64 sum = 0;

	if (pcv_msgring_rx_check(&qp->rx, nslots))
		return false;
	if (h->opcode == PCV_MSG_PAD)
		return true;
	if (le32_to_cpu(h->msn) != qp->rx_msn || le32_to_cpu(h->src_qpn) != qp->dest_qpn ||
	    le32_to_cpu(h->conn_gen) != qp->conn_gen ||
	    h->flags & ~(PCV_MSGF_IMM | PCV_MSGF_SOLICITED | PCV_MSGF_PHYS))
		return false;
	switch (h->opcode) {
	case PCV_MSG_SEND:
		return len <= pcv_msg_capacity(nslots);
	case PCV_MSG_WRITE_IMM:
		return nslots == 1 && len <= PCV_MAX_MSG_SZ;
	case PCV_MSG_RNDV:
		if (nslots != 1 || !h->nsge || h->nsge > PCV_MSG_MAX_RSGE)
			return false;
		{
			u32 i;

			for (i = 0; i < h->nsge; i++)
				sum += le32_to_cpu(rs[i].length);
		}
		return sum == len && len <= PCV_MAX_MSG_SZ;
	default:
		return false;
	}
}

/* The peer left: what it sent will never be acknowledged; drop it. */
static void pcv_rx_drop_all(struct pcv_qp *qp)
{
	const struct pcv_wire_msg *m;
	int budget = PCV_RX_BUDGET;

	while (budget-- && (m = pcv_msgring_rx_peek(&qp->rx))) {
		u32 nslots = READ_ONCE(m->nslots);

		if (pcv_msgring_rx_check(&qp->rx, nslots))
			break;
		pcv_msgring_rx_consume(&qp->rx, nslots);
	}
	qp->rnr_pending = false;
}

void pcv_rx_process(struct pcv_qp *qp)
{
	int budget = PCV_RX_BUDGET;

	if (qp->state < IB_QPS_RTR || qp->state > IB_QPS_SQE)
		return;
	if (qp->peer_gone) {
		if (!qp->rx_pend.active)
			pcv_rx_drop_all(qp);
		return;
	}
	if (qp->rx_pend.active) {
		if (qp->rx_xfer)
			return;	/* pull in flight */
		if (qp->rx_xfer_status) {
			pcv_rx_finish_pull(qp);
			return;
		}
		if (qp->rx_pend.next < qp->rx_pend.hdr.nsge) {
			int err = pcv_rx_pull_next(qp);

			if (err)
				qp->rx_xfer_status = err;
			if (err || qp->rx_xfer)
				goto out;
		}
		pcv_rx_finish_pull(qp);
	}

	qp->rx_more = false;
	while (qp->state != IB_QPS_ERR) {
		const struct pcv_wire_msg *m = pcv_msgring_rx_peek(&qp->rx);
		struct pcv_wire_rsge rs[PCV_MSG_MAX_RSGE];
		struct pcv_wire_msg h;
		u32 nslots;

		if (!m)
			break;
		if (!budget--) {
			qp->rx_more = true;	/* the caller comes back for the rest */
			break;
		}
		/* Only the local copies are trusted after checking. */
		memcpy(&h, m, sizeof(h));
		memcpy(rs, (const u8 *)m + PCV_MSG_HDR_SIZE, sizeof(rs));
		nslots = h.nslots;
		if (!pcv_rx_check(qp, &h, rs, nslots)) {
			pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
			pcv_rx_nak(qp, le32_to_cpu(h.msn), PCV_NAK_INV_REQ);
			pcv_qp_to_error(qp, "malformed inbound message");
			break;
		}
		if (h.opcode == PCV_MSG_PAD) {
			pcv_msgring_rx_consume(&qp->rx, nslots);
			continue;
		}
		/* The first message of the connection makes it established. */
		if (!qp->connected)
			pcv_tx_connect(qp);
		if (!pcv_rx_recv_msg(qp, m, &h, rs, nslots))
			break;
	}
out:
	pcv_rx_publish(qp);
}

/* ERR: every posted receive completes as flushed (not with an SRQ). */
void pcv_rx_flush(struct pcv_qp *qp)
{
	struct pcv_rq_wqe wqe;

	if (qp->rx_pend.active && !qp->rx_xfer) {
		pcv_lsge_release(qp->rx_pend.sg, qp->rx_pend.nsg);
		qp->rx_pend.nsg = 0;
		qp->rx_pend.active = false;
		pcv_rx_cqe(qp, qp->rx_pend.wr_id, IB_WC_WR_FLUSH_ERR, IB_WC_RECV, 0, NULL);
	}
	if (qp->srq || !qp->rq.buf)
		return;
	while (pcv_rq_pop(qp, &wqe) == 0)
		pcv_rx_cqe(qp, wqe.wr_id, IB_WC_WR_FLUSH_ERR, IB_WC_RECV, 0, NULL);
}
