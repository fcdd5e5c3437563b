// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs datagram rings: how UD (and GSI) datagrams travel.
 *
 * Every blade keeps one ring per sending blade (and one for itself) in its
 * own fabric memory, and tells each peer where its ring is in the link
 * block it writes to that peer (wire.h, dgram_addr/dgram_order).  Senders'
 * kernels write datagrams for all their UD QPs into it (libpcieverbs
 * msgring: a header, the payload, the stamp last) and ring the blade's data
 * doorbell; the receiving kernel drains it, finds the destination QP (or
 * the multicast group's members, pcv_mcast.c), and copies the payload into
 * a receive WQE behind a GRH it builds itself.  There are no
 * acknowledgements: like IB UD, a datagram nobody can take is dropped and
 * counted.  Flow control is the ring's credit: a sender that finds the
 * ring full bumps its wait sequence in the receiver's memory and keeps the
 * WQE; the receiver, after returning credit, rings it if the sequence
 * moved.
 *
 * The rings belong to a pair of epochs (reset when either side reloads,
 * like the control rings) and are used only while the link is up.
 * Everything in a ring is hostile: a malformed ring is marked broken and
 * ignored until the next epoch; a malformed datagram is dropped.
 */
#include <linux/slab.h>
#include <rdma/ib_mad.h>
#include "pcv.h"

#define PCV_DG_BUDGET		64

static void pcv_dg_rx_reset(struct pcv_dev *dev, struct pcv_peer *p)
{
	u8 *slot = pcv_local_slot(dev, p->id);

	memset(p->dg_rx_mem, 0, p->dg_rx_size);
	pcv_msgring_rx_init(&p->dg_rx, p->dg_rx_mem, p->dg_order);
	p->dg_rx_broken = false;
	p->dg_credit_out = 0;
	p->dg_wait_seen = 0;
	/* What the peer writes for our ring to it, restarted with ours. */
	pcv_local_write32((__le32 *)(slot + PCV_SLOT_DGRAM_CREDIT_OFF), 0);
	pcv_local_write32((__le32 *)(slot + PCV_SLOT_DGRAM_WAIT_OFF), 0);
}

/* Our own ring to ourselves (loopback): always up. */
static int pcv_dg_self_up(struct pcv_dev *dev)
{
	struct pcv_peer *me = &dev->peers[dev->info.blade_id];
	u8 *slot = pcv_local_slot(dev, me->id);
	void __iomem *base = pcv_fabric_ptr(dev, me->id, me->dg_rx_addr, me->dg_rx_size);
	int err;

	err = pcv_msgring_tx_init(&me->dg_tx, base,
				  (const __le32 *)(slot + PCV_SLOT_DGRAM_CREDIT_OFF), me->dg_order);
	if (err)
		return err;
	me->dg_peer_slot = (u8 __iomem __force *)slot;
	me->dg_tx_valid = true;
	me->dg_tx_up = true;
	return 0;
}

/* At register, before the link starts: a receive ring per blade. */
int pcv_dgram_init(struct pcv_dev *dev)
{
	u32 i;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		spin_lock_init(&p->dg_tx_lock);
		spin_lock_init(&p->dg_rx_lock);
		p->dg_order = pcv_dgram_order;
		p->dg_rx_size = (size_t)1 << (p->dg_order + PCV_MSG_SLOT_SHIFT);
		p->dg_sg = kcalloc(PCV_MAX_RECV_SGE, sizeof(*p->dg_sg), GFP_KERNEL);
		if (!p->dg_sg)
			goto err_free;
		/* A peer without a window cannot write it; loopback needs ours. */
		if (i != dev->info.blade_id && !p->win)
			continue;
		p->dg_rx_mem = dev->ops->alloc_fabric_mem(dev->priv, p->dg_rx_size,
							  &p->dg_rx_addr);
		if (!p->dg_rx_mem)
			goto err_free;
		pcv_dg_rx_reset(dev, p);
	}
	if (pcv_dg_self_up(dev))
		goto err_free;
	return 0;

err_free:
	pcv_dgram_free(dev, false);
	return -ENOMEM;
}

/* leak: a peer may still write our memory (it never released it). */
void pcv_dgram_free(struct pcv_dev *dev, bool leak)
{
	u32 i;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		if (p->dg_rx_mem && !leak)
			dev->ops->free_fabric_mem(dev->priv, p->dg_rx_mem, p->dg_rx_size);
		p->dg_rx_mem = NULL;
		kfree(p->dg_sg);
		p->dg_sg = NULL;
		p->dg_tx_valid = false;
		p->dg_tx_up = false;
	}
}

/*
 * New epoch on either side (link_lock held, before our link block naming
 * the ring is written to the peer, so it cannot be sending into it).
 */
void pcv_dgram_reset(struct pcv_dev *dev, struct pcv_peer *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->dg_rx_lock, flags);
	spin_lock(&p->dg_tx_lock);
	p->dg_tx_valid = false;
	p->dg_tx_up = false;
	p->dg_wait_out = 0;
	p->dg_peer_slot = NULL;
	spin_unlock(&p->dg_tx_lock);
	if (p->dg_rx_mem)
		pcv_dg_rx_reset(dev, p);
	spin_unlock_irqrestore(&p->dg_rx_lock, flags);
}

/*
 * The link is up (link_lock held; also every tick while up, until the
 * peer's ring is known): learn where its ring for us is, from its block in
 * our memory.  Hostile: the ring must be a sane size inside its memory.
 */
void pcv_dgram_link_up(struct pcv_dev *dev, struct pcv_peer *p)
{
	const struct pcv_wire_link *in = (const void *)pcv_local_slot(dev, p->id);
	u64 addr = pcv_local_read64(&in->dgram_addr);
	u32 order = pcv_local_read32(&in->dgram_order);
	void __iomem *base = NULL;
	unsigned long flags;

	if (p->dg_tx_up)
		return;
	if (addr && !(addr & (PCV_MSG_SLOT_SIZE - 1)) && order >= PCV_MSGRING_MIN_ORDER &&
	    order <= PCV_MSGRING_MAX_ORDER)
		base = pcv_fabric_ptr(dev, p->id, addr, (u64)1 << (order + PCV_MSG_SLOT_SHIFT));

	spin_lock_irqsave(&p->dg_rx_lock, flags);
	spin_lock(&p->dg_tx_lock);
	if (!p->dg_tx_valid && base &&
	    !pcv_msgring_tx_init(&p->dg_tx, base, (const __le32 *)((u8 *)in +
								  PCV_SLOT_DGRAM_CREDIT_OFF),
				 order))
		p->dg_tx_valid = true;
	if (p->dg_tx_valid) {
		p->dg_peer_slot = (u8 __iomem *)p->win + p->link.out_addr;
		p->dg_tx_up = true;
	}
	spin_unlock(&p->dg_tx_lock);
	spin_unlock_irqrestore(&p->dg_rx_lock, flags);
	if (!p->dg_tx_valid && base)
		dev_warn_ratelimited(&dev->ibdev.dev, "blade %u: unusable datagram ring\n", p->id);
}

/* Link down (link_lock held): its memory is off limits until it is back. */
void pcv_dgram_link_down(struct pcv_dev *dev, struct pcv_peer *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->dg_rx_lock, flags);
	spin_lock(&p->dg_tx_lock);
	p->dg_tx_up = false;
	p->dg_peer_slot = NULL;
	spin_unlock(&p->dg_tx_lock);
	spin_unlock_irqrestore(&p->dg_rx_lock, flags);
}

/*
 * Write one datagram (header h with nslots set, payload from local SGEs or
 * an inline buffer) into blade's ring.  Any context.  0: written (ring the
 * blade with pcv_dgram_kick); -EAGAIN: the ring is full, the receiver rings
 * us when it has room; -ENOLINK: the blade is not reachable (a datagram to
 * it is lost, as on a fabric whose port is down).
 */
int pcv_dgram_send(struct pcv_dev *dev, u32 blade, const struct pcv_wire_dgram *h,
		   const struct pcv_lsge *sg, u32 nsg, const void *inl, u32 len)
{
	struct pcv_peer *p;
	unsigned long flags;
	u8 __iomem *slot;
	u32 idx;
	int err;

	if (blade >= dev->info.nr_blades)
		return -ENOLINK;
	p = &dev->peers[blade];
	spin_lock_irqsave(&p->dg_tx_lock, flags);
	if (!p->dg_tx_up) {
		err = -ENOLINK;
		goto out;
	}
	err = pcv_msgring_tx_reserve(&p->dg_tx, h->nslots, &idx);
	if (err == -ENOSPC) {
		/*
		 * Ask to be rung when credit returns, then look once more: the
		 * receiver publishes credit before it reads our sequence, we
		 * write the sequence before reading credit (full barriers on
		 * both sides), so one of us sees the other.
		 */
		pcv_remote_write32((__le32 __iomem *)(p->dg_peer_slot + PCV_SLOT_DGRAM_WAIT_OFF),
				   ++p->dg_wait_out);
		pcv_mb();
		err = pcv_msgring_tx_reserve(&p->dg_tx, h->nslots, &idx);
		if (err == -ENOSPC) {
			err = -EAGAIN;
			goto out;
		}
	}
	if (err) {
		/* Impossible credit from the receiver: its ring is useless. */
		pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
		p->dg_tx_up = false;
		err = -ENOLINK;
		goto out;
	}
	slot = pcv_msgring_tx_slot(&p->dg_tx, idx);
	/* Everything but the stamp, which the commit writes last. */
	memcpy_toio(slot + 4, (const u8 *)h + 4, sizeof(*h) - 4);
	if (inl)
		memcpy_toio(slot + PCV_MSG_HDR_SIZE, inl, len);
	else
		pcv_lsge_to_io(sg, nsg, slot + PCV_MSG_HDR_SIZE, len);
	pcv_msgring_tx_commit(&p->dg_tx, idx, h->nslots);
	pcv_count(dev, PCV_CNT_PIO_BYTES, sizeof(*h) + len);
	pcv_count(dev, PCV_CNT_UD_TX, 1);
out:
	spin_unlock_irqrestore(&p->dg_tx_lock, flags);
	return err;
}

/* Ring the blades we wrote datagrams to (our own: the data work). */
void pcv_dgram_kick(struct pcv_dev *dev, u32 blades)
{
	u32 i;

	for (i = 0; blades && i < dev->info.nr_blades; i++) {
		if (!(blades & BIT(i)))
			continue;
		blades &= ~BIT(i);
		if (i == dev->info.blade_id)
			queue_work(dev->wq, &dev->data_work);
		else
			pcv_ring(dev, i, PCV_VEC_DATA);
	}
}

/* ---- receiving ---------------------------------------------------------------- */

/* The GRH we deliver: built from what we know, not from what the sender says. */
static void pcv_dg_grh(struct pcv_dev *dev, u32 src, const struct pcv_wire_dgram *h, u32 len,
		       struct ib_grh *g)
{
	u32 flow = (h->flags & PCV_MSGF_GRH) ? le32_to_cpu(h->flow_label) & 0xfffff : 0;
	u8 tclass = (h->flags & PCV_MSGF_GRH) ? h->traffic_class : 0;

	memset(g, 0, sizeof(*g));
	g->version_tclass_flow = cpu_to_be32(6U << 28 | (u32)tclass << 20 | flow);
	/* BTH + DETH + payload + ICRC, as on an IB wire. */
	g->paylen = cpu_to_be16(12 + 8 + len + 4);
	g->next_hdr = 0x1b;
	g->hop_limit = (h->flags & PCV_MSGF_GRH) ? h->hop_limit : 0;
	pcv_blade_gid(&g->sgid, src);
	if (h->flags & (PCV_MSGF_GRH | PCV_MSGF_MCAST))
		memcpy(g->dgid.raw, h->dgid, sizeof(g->dgid.raw));
	else
		pcv_blade_gid(&g->dgid, dev->info.blade_id);
}

/*
 * Deliver to one QP (dg_rx_lock of src held, and mcast_lock or the RCU
 * read lock keeping qp alive).  Drops what a UD QP would drop.
 */
static void pcv_dg_to_qp(struct pcv_dev *dev, struct pcv_peer *src, struct pcv_qp *qp,
			 const struct pcv_wire_dgram *h, const u8 *payload, u32 len)
{
	struct pcv_cqe e = {};
	struct pcv_rq_wqe wqe;
	struct ib_grh grh;
	u64 total;
	int err;

	spin_lock(&qp->lock);
	if (qp->gone || !pcv_qp_is_ud(qp) || qp->state < IB_QPS_RTR || qp->state == IB_QPS_ERR) {
		pcv_count(dev, PCV_CNT_UD_DROP_NO_QP, 1);
		goto out;
	}
	if (le32_to_cpu(h->qkey) != qp->qkey || (le16_to_cpu(h->pkey) & 0x7fff) != 0x7fff) {
		pcv_count(dev, PCV_CNT_UD_DROP_QKEY, 1);
		goto out;
	}
	/*
	 * QP1 takes MADs only: exactly 256 bytes, base version 1.  The MAD
	 * layer would read a short one past its end into the stale rest of
	 * the receive buffer, and drops other base versions uncounted.
	 */
	if (qp->ibqp.qp_type == IB_QPT_GSI &&
	    (len != IB_MGMT_MAD_SIZE || READ_ONCE(payload[0]) != IB_MGMT_BASE_VERSION)) {
		pcv_count(dev, PCV_CNT_MADS_MALFORMED, 1);
		goto out;
	}
	err = pcv_rq_get(qp, &wqe);
	if (err == -EAGAIN) {
		pcv_count(dev, PCV_CNT_UD_DROP_NO_WQE, 1);
		goto out;
	}
	e.wr_id = wqe.wr_id;
	e.opcode = IB_WC_RECV;
	e.qp_num = qp->qpn;
	if (err) {
		pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
		pcv_qp_to_error(qp, "malformed receive queue");
		goto out;
	}
	err = pcv_lsge_resolve(dev, wqe.sge, wqe.num_sge, qp->pdn, PCV_MR_LOCAL_WRITE,
			       src->dg_sg, &total);
	if (err) {
		/* A receive buffer we may not write: the QP fails (IB LOC_PROT). */
		e.status = IB_WC_LOC_PROT_ERR;
		pcv_cq_push(qp->rcq, &e, false);
		pcv_qp_to_error(qp, "receive buffer not accessible");
		goto out;
	}
	if (total < PCV_GRH_BYTES + len) {
		/* Too small: this receive fails, the QP carries on. */
		e.status = IB_WC_LOC_LEN_ERR;
	} else {
		pcv_dg_grh(dev, src->id, h, len, &grh);
		pcv_lsge_copy_to(src->dg_sg, wqe.num_sge, 0, &grh, sizeof(grh));
		pcv_lsge_copy_to(src->dg_sg, wqe.num_sge, PCV_GRH_BYTES, payload, len);
		e.status = IB_WC_SUCCESS;
		e.byte_len = PCV_GRH_BYTES + len;
		e.src_qp = le32_to_cpu(h->src_qpn) & 0xffffff;
		e.slid = src->id + 1;
		e.sl = h->sl & 0xf;
		if (h->flags & (PCV_MSGF_GRH | PCV_MSGF_MCAST))
			e.wc_flags |= IB_WC_GRH;
		if (h->flags & PCV_MSGF_IMM) {
			e.imm_data = (__force u32)h->imm;
			e.wc_flags |= IB_WC_WITH_IMM;
		}
		pcv_count(dev, PCV_CNT_UD_RX, 1);
	}
	pcv_lsge_release(src->dg_sg, wqe.num_sge);
	if (pcv_cq_push(qp->rcq, &e, e.status == IB_WC_SUCCESS &&
			(h->flags & PCV_MSGF_SOLICITED)))
		pcv_qp_to_error(qp, "receive CQ overflow");
out:
	spin_unlock(&qp->lock);
}

static void pcv_dg_deliver(struct pcv_dev *dev, struct pcv_peer *src,
			   const struct pcv_wire_dgram *h, const u8 *payload, u32 len)
{
	struct pcv_qp *qp;
	u32 dest, i;

	if (h->flags & PCV_MSGF_MCAST) {
		u16 dlid = le16_to_cpu(h->dlid);
		bool by_gid = h->flags & PCV_MSGF_GRH;
		bool found = false;

		spin_lock(&dev->mcast_lock);
		for (i = 0; i < PCV_MAX_MCAST_GRP; i++) {
			struct pcv_mcast_grp *g = &dev->mcast[i];
			u32 k;

			if (!g->nqp || (by_gid ? memcmp(g->mgid, h->dgid, 16) : g->mlid != dlid))
				continue;
			found = true;
			for (k = 0; k < g->nqp; k++)
				pcv_dg_to_qp(dev, src, g->qp[k], h, payload, len);
		}
		spin_unlock(&dev->mcast_lock);
		if (!found)
			pcv_count(dev, PCV_CNT_UD_DROP_NO_QP, 1);
		return;
	}
	/* Unicast addressed by GID must name us. */
	if ((h->flags & PCV_MSGF_GRH) && pcv_gid_blade(dev, h->dgid) != dev->info.blade_id) {
		pcv_count(dev, PCV_CNT_UD_DROP_NO_QP, 1);
		return;
	}
	dest = le32_to_cpu(h->dest_qpn) & 0xffffff;
	rcu_read_lock();
	qp = xa_load(&dev->qp_xa, dest & (PCV_MAX_QP - 1));
	if (qp && qp->qpn == dest)
		pcv_dg_to_qp(dev, src, qp, h, payload, len);
	else
		pcv_count(dev, PCV_CNT_UD_DROP_NO_QP, 1);
	rcu_read_unlock();
}

/* Return credit to the sender; ring it if it is waiting for some. */
static void pcv_dg_publish(struct pcv_dev *dev, struct pcv_peer *p)
{
	const u8 *slot = pcv_local_slot(dev, p->id);
	u32 wait;

	if (!p->dg_peer_slot)
		return;		/* link down: its memory is off limits */
	if (p->dg_credit_out != p->dg_rx.cons) {
		p->dg_credit_out = p->dg_rx.cons;
		pcv_remote_write32((__le32 __iomem *)(p->dg_peer_slot + PCV_SLOT_DGRAM_CREDIT_OFF),
				   p->dg_credit_out);
		/* Credit out before we read whether it waits (see pcv_dgram_send). */
		pcv_mb();
	}
	wait = pcv_local_read32((const __le32 *)(slot + PCV_SLOT_DGRAM_WAIT_OFF));
	if (wait != p->dg_wait_seen) {
		p->dg_wait_seen = wait;
		pcv_dgram_kick(dev, BIT(p->id));
	}
}

/* Drain one blade's ring (its dg_rx_lock held). */
static void pcv_dg_process(struct pcv_dev *dev, struct pcv_peer *p)
{
	int budget = PCV_DG_BUDGET;

	while (budget-- && !p->dg_rx_broken) {
		const struct pcv_wire_msg *m = pcv_msgring_rx_peek(&p->dg_rx);
		struct pcv_wire_dgram h;
		u32 len;

		if (!m)
			break;
		memcpy(&h, m, sizeof(h));
		if (pcv_msgring_rx_check(&p->dg_rx, h.nslots)) {
			pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
			p->dg_rx_broken = true;
			dev_warn_ratelimited(&dev->ibdev.dev,
					     "blade %u: malformed datagram ring, ignored until it reloads\n",
					     p->id);
			break;
		}
		len = le32_to_cpu(h.length);
		if (h.opcode == PCV_MSG_UD && len <= PCV_UD_MAX_PAYLOAD &&
		    len <= pcv_msg_capacity(h.nslots)) {
			/* Received from the fabric, delivered or dropped (not loopback). */
			if (p->id != dev->info.blade_id) {
				pcv_count_rcv(dev, len, 1);
				if (h.flags & PCV_MSGF_MCAST)
					pcv_count(dev, PCV_CNT_MCAST_RCV_PKTS, 1);
			}
			pcv_dg_deliver(dev, p, &h, (const u8 *)m + PCV_MSG_HDR_SIZE, len);
		} else if (h.opcode != PCV_MSG_PAD) {
			pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
		}
		pcv_msgring_rx_consume(&p->dg_rx, h.nslots);
	}
	pcv_dg_publish(dev, p);
	if (budget < 0)
		queue_work(dev->wq, &dev->data_work);	/* more left: later */
}

/*
 * Nothing to do on p's ring: no datagram, credit published, no sender
 * waiting.  A lockless look (every CQ poll comes here): if it races, the
 * caller that holds the lock processes, and the link tick catches the rest.
 */
static bool pcv_dg_idle(struct pcv_dev *dev, struct pcv_peer *p)
{
	const u8 *slot = pcv_local_slot(dev, p->id);

	return !pcv_msgring_rx_peek(&p->dg_rx) &&
	       READ_ONCE(p->dg_credit_out) == READ_ONCE(p->dg_rx.cons) &&
	       pcv_local_read32((const __le32 *)(slot + PCV_SLOT_DGRAM_WAIT_OFF)) ==
	       READ_ONCE(p->dg_wait_seen);
}

/*
 * Drain every datagram ring.  Called with no QP or CQ lock held (data work,
 * CQ polling): delivery takes them.
 */
void pcv_dgram_process_all(struct pcv_dev *dev)
{
	unsigned long flags;
	u32 i;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		if (!p->dg_rx_mem || pcv_dg_idle(dev, p))
			continue;
		spin_lock_irqsave(&p->dg_rx_lock, flags);
		pcv_dg_process(dev, p);
		spin_unlock_irqrestore(&p->dg_rx_lock, flags);
	}
}
