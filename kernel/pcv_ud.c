// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs UD requester: the send queue of a UD or GSI QP.
 *
 * Each SEND becomes one datagram in the destination blade's datagram ring
 * (pcv_dgram.c), or for a multicast address one copy in the ring of every
 * blade that is up and in our own: receivers deliver it to the members
 * attached there.  A send completes once written; there is no
 * acknowledgment (a datagram the receiver cannot take is dropped there).
 * A full ring holds the WQE (and the ones behind it) until the receiver
 * returns credit and rings us; a multicast WQE remembers which blades it
 * reached so a retry sends only the rest.
 *
 * Errors in a WQE itself (bad AH, PD mismatch, inaccessible buffer, longer
 * than the MTU) complete it with an error and move the QP to ERR, flushing
 * the rest, as the RC requester does.
 *
 * Everything here runs with qp->lock held.
 */
#include "pcv.h"

bool pcv_qp_is_ud(const struct pcv_qp *qp)
{
	return qp->ibqp.qp_type == IB_QPT_UD || qp->ibqp.qp_type == IB_QPT_GSI;
}

static void pcv_ud_fail(struct pcv_qp *qp, struct pcv_swqe *s, enum ib_wc_status st,
			const char *why)
{
	s->status = st;
	s->state = PCV_SWQE_DONE;
	pcv_qp_to_error(qp, why);
}

/* Copy WQE idx from the ring and check its shape.  false: bad input. */
static bool pcv_ud_fetch(struct pcv_qp *qp, struct pcv_swqe *s, u32 idx)
{
	struct pcv_sq_wqe *w = &s->wqe;

	memset(s, 0, sizeof(*s));
	memcpy(w, pcv_sq_entry(qp, idx), sizeof(*w));
	if ((w->opcode != PCV_WR_SEND && w->opcode != PCV_WR_SEND_WITH_IMM) ||
	    w->flags & ~PCV_WQE_FLAGS_ALL || w->reserved0 || w->reserved1 ||
	    !w->ud_ah || w->ud_remote_qpn > PCV_MCAST_QPN)
		return false;
	if (w->flags & PCV_WQE_INLINE)
		return w->inline_len <= PCV_MAX_INLINE && !w->num_sge;
	return w->num_sge <= qp->max_send_sge && !w->inline_len;
}

/* Write WQE s to its destination(s).  0: done (status set), -EAGAIN: retry. */
static int pcv_ud_send(struct pcv_qp *qp, struct pcv_swqe *s)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_sq_wqe *w = &s->wqe;
	struct pcv_wire_dgram h = {};
	const void *inl = NULL;
	u32 targets, len, i;
	struct pcv_av av;
	bool again = false;
	u64 total = 0;
	int err;

	if (pcv_av_get(dev, w->ud_ah, &av) || av.pdn != qp->pdn) {
		pcv_ud_fail(qp, s, IB_WC_LOC_QP_OP_ERR, "bad address handle");
		return 0;
	}
	if (w->flags & PCV_WQE_INLINE) {
		inl = w->inline_data;
		total = w->inline_len;
	} else {
		if (pcv_lsge_resolve(dev, w->sge, w->num_sge, qp->pdn, 0, s->lsge, &total)) {
			pcv_ud_fail(qp, s, IB_WC_LOC_PROT_ERR, "send buffer not accessible");
			return 0;
		}
		s->nlsge = w->num_sge;
	}
	if (total > PCV_UD_MAX_PAYLOAD) {
		pcv_lsge_release(s->lsge, s->nlsge);
		s->nlsge = 0;
		pcv_ud_fail(qp, s, IB_WC_LOC_LEN_ERR, "datagram longer than the MTU");
		return 0;
	}
	len = total;

	h.opcode = PCV_MSG_UD;
	h.nslots = pcv_msg_slots(len);
	h.sl = av.sl;
	h.dest_qpn = cpu_to_le32(av.mcast ? PCV_MCAST_QPN : w->ud_remote_qpn);
	h.length = cpu_to_le32(len);
	h.src_qpn = cpu_to_le32(qp->qpn);
	/* The high bit of a Q_Key asks for the QP's own (IBA 10.2.5). */
	h.qkey = cpu_to_le32((w->ud_remote_qkey & 0x80000000U) ? qp->qkey : w->ud_remote_qkey);
	h.pkey = cpu_to_le16(0xffff);
	h.dlid = cpu_to_le16(av.dlid);
	if (w->opcode == PCV_WR_SEND_WITH_IMM) {
		h.flags |= PCV_MSGF_IMM;
		h.imm = (__force __le32)w->imm_data;
	}
	if (w->flags & PCV_WQE_SOLICITED)
		h.flags |= PCV_MSGF_SOLICITED;
	if (av.grh) {
		h.flags |= PCV_MSGF_GRH;
		h.flow_label = cpu_to_le32(av.flow_label);
		h.traffic_class = av.traffic_class;
		h.hop_limit = av.hop_limit;
		memcpy(h.dgid, av.dgid, sizeof(h.dgid));
	}
	if (av.mcast)
		h.flags |= PCV_MSGF_MCAST;

	targets = av.mcast ? GENMASK(dev->info.nr_blades - 1, 0) : BIT(av.blade);
	for (i = 0; i < dev->info.nr_blades; i++) {
		if (!(targets & BIT(i)) || (s->dg_done & BIT(i)))
			continue;
		err = pcv_dgram_send(dev, i, &h, s->lsge, s->nlsge, inl, len);
		if (err == -EAGAIN) {
			again = true;
			continue;
		}
		/*
		 * Port counters: one packet on the fabric however many blades a
		 * multicast reaches (the switch copies it), none for loopback.
		 */
		if (!err && i != dev->info.blade_id &&
		    !(s->dg_done & ~BIT(dev->info.blade_id))) {
			pcv_count_xmit(dev, len, 1);
			if (av.mcast)
				pcv_count(dev, PCV_CNT_MCAST_XMIT_PKTS, 1);
		}
		s->dg_done |= BIT(i);
		if (!err)
			qp->dg_kick |= BIT(i);
		else if (!av.mcast)
			pcv_count(dev, PCV_CNT_UD_DROP_LINK, 1);
	}
	pcv_lsge_release(s->lsge, s->nlsge);
	s->nlsge = 0;
	if (again)
		return -EAGAIN;
	s->byte_len = len;
	s->status = IB_WC_SUCCESS;
	s->state = PCV_SWQE_DONE;
	return 0;
}

static void pcv_ud_tx_process(struct pcv_qp *qp)
{
	u32 prod;

	if (qp->state != IB_QPS_RTS)
		return;
	prod = READ_ONCE(qp->sq.hdr->prod);
	if (prod - qp->sq_tail > qp->sq.entries) {
		pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
		WRITE_ONCE(qp->sq.hdr->flags, qp->sq.hdr->flags | PCV_RING_F_ERROR);
		pcv_qp_to_error(qp, "impossible SQ producer index");
		return;
	}
	/* WQEs before the index that published them. */
	smp_rmb();
	while (qp->sq_head != prod && qp->state == IB_QPS_RTS) {
		struct pcv_swqe *s = pcv_swqe_of(qp, qp->sq_head);

		if (!s->fetched) {
			bool ok = pcv_ud_fetch(qp, s, qp->sq_head);

			s->fetched = true;
			if (!ok) {
				pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
				qp->sq_head++;
				pcv_ud_fail(qp, s, IB_WC_LOC_QP_OP_ERR, "malformed send WQE");
				return;
			}
		}
		if (pcv_ud_send(qp, s) == -EAGAIN)
			break;
		qp->sq_head++;
	}
}

void pcv_ud_progress(struct pcv_qp *qp)
{
	if (qp->state == IB_QPS_RTS || qp->state == IB_QPS_SQD) {
		pcv_ud_tx_process(qp);
		pcv_tx_complete(qp);
	}
	if (qp->state == IB_QPS_ERR)
		pcv_qp_flush(qp);
	if (qp->dg_kick) {
		pcv_dgram_kick(qp->dev, qp->dg_kick);
		qp->dg_kick = 0;
	}
}
