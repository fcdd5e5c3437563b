// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs control rings: one per ordered blade pair, kernel to kernel
 * (libpcieverbs/wire.h, "Inbound slot layout").
 *
 * Used on slow paths only: fences (a peer confirms it finished every access
 * to our memory it started before the request: MR deregistration, QP
 * teardown) and QP_GONE (one of our QPs stopped talking to one of its).
 *
 * The rings belong to a pair of epochs: they restart (both indices 0, our
 * receive area zeroed) when either side reloads (NEW_EPOCH), and are used
 * only while the link is up.  A heartbeat timeout that comes back with the
 * same epochs keeps them as they were.
 */
#include <linux/delay.h>
#include "pcv.h"

/*
 * New epoch on either side (link_lock held, before our link block is written
 * to the peer, so it cannot have sent anything on the new rings yet).
 */
void pcv_ctrl_reset(struct pcv_dev *dev, struct pcv_peer *p)
{
	u8 *slot = pcv_local_slot(dev, p->id);
	u8 __iomem *peer_slot = (u8 __iomem *)p->win + p->link.out_addr;
	size_t ring_bytes = (size_t)1 << (PCV_CTRL_ORDER + PCV_CTRL_ESHIFT);
	unsigned long flags;

	spin_lock_irqsave(&p->ctrl_lock, flags);
	p->ctrl_up = false;
	memset(slot + PCV_SLOT_CTRL_CREDIT_OFF, 0,
	       PCV_SLOT_CTRL_RING_OFF - PCV_SLOT_CTRL_CREDIT_OFF + ring_bytes);
	/* Ours go into its slot for us; its credit comes into our slot for it. */
	pcv_ring_tx_init(&p->ctrl_tx, peer_slot + PCV_SLOT_CTRL_RING_OFF,
			 (const __le32 *)(slot + PCV_SLOT_CTRL_CREDIT_OFF),
			 PCV_CTRL_ORDER, PCV_CTRL_ESHIFT);
	pcv_ring_rx_init(&p->ctrl_rx, slot + PCV_SLOT_CTRL_RING_OFF,
			 (__le32 __iomem *)(peer_slot + PCV_SLOT_CTRL_CREDIT_OFF),
			 PCV_CTRL_ORDER, PCV_CTRL_ESHIFT);
	p->fence_acked = 0;
	spin_unlock_irqrestore(&p->ctrl_lock, flags);
}

void pcv_ctrl_link_up(struct pcv_dev *dev, struct pcv_peer *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->ctrl_lock, flags);
	p->ctrl_up = true;
	spin_unlock_irqrestore(&p->ctrl_lock, flags);
}

void pcv_ctrl_link_down(struct pcv_dev *dev, struct pcv_peer *p)
{
	unsigned long flags;

	spin_lock_irqsave(&p->ctrl_lock, flags);
	p->ctrl_up = false;
	spin_unlock_irqrestore(&p->ctrl_lock, flags);
	/* Fences waiting for it give up on it. */
	wake_up_all(&dev->link_wq);
}

/* Loopback QP_GONE notices: our own QPs, handled from link work. */
static void pcv_ctrl_self(struct pcv_dev *dev, u32 qpn, u32 dest_qpn)
{
	struct pcv_peer *me = &dev->peers[dev->info.blade_id];
	unsigned long flags;

	spin_lock_irqsave(&me->ctrl_lock, flags);
	if (dev->self_gone_n < ARRAY_SIZE(dev->self_gone)) {
		dev->self_gone[dev->self_gone_n].qpn = qpn;
		dev->self_gone[dev->self_gone_n].dest_qpn = dest_qpn;
		dev->self_gone_n++;
	}
	spin_unlock_irqrestore(&me->ctrl_lock, flags);
	pcv_link_kick(dev);
}

/*
 * Queue a control message for blade (any context).  -ENOLINK when the link
 * is down (the message is moot: the peer will time us out anyway), -ENOSPC
 * when its ring is full.
 */
int pcv_ctrl_send(struct pcv_dev *dev, u32 blade, u16 type, u32 seq, u32 arg0, u32 arg1)
{
	struct pcv_wire_ctrl m = {};
	struct pcv_peer *p;
	unsigned long flags;
	int err;

	if (blade == dev->info.blade_id) {
		if (type == PCV_CTRL_QP_GONE)
			pcv_ctrl_self(dev, arg0, arg1);
		return 0;
	}
	if (blade >= dev->info.nr_blades)
		return -EINVAL;
	p = &dev->peers[blade];
	m.type = cpu_to_le16(type);
	m.seq = cpu_to_le32(seq);
	m.arg0 = cpu_to_le32(arg0);
	m.arg1 = cpu_to_le32(arg1);
	spin_lock_irqsave(&p->ctrl_lock, flags);
	err = p->ctrl_up ? pcv_ring_tx_post(&p->ctrl_tx, &m, sizeof(m)) : -ENOLINK;
	spin_unlock_irqrestore(&p->ctrl_lock, flags);
	if (!err)
		pcv_ring(dev, blade, PCV_VEC_LINK);
	return err;
}

/* Everything we started against the peer's memory before now is finished. */
static void pcv_ctrl_quiesce(struct pcv_dev *dev)
{
	/* CPU copies run under qp->lock (a spinlock): an RCU reader. */
	synchronize_rcu();
	/* The engine runs descriptors in order: a NOP behind them all. */
	pcv_dma_barrier(dev, 2000);
}

/* Drain the peer's control ring (link work, link_lock held, may sleep). */
void pcv_ctrl_process(struct pcv_dev *dev, struct pcv_peer *p)
{
	unsigned long flags;
	int budget = 64;

	while (budget--) {
		struct pcv_wire_ctrl m;
		const void *e;
		u32 seq;

		spin_lock_irqsave(&p->ctrl_lock, flags);
		e = p->ctrl_up ? pcv_ring_rx_peek(&p->ctrl_rx) : NULL;
		if (e) {
			memcpy(&m, e, sizeof(m));
			pcv_ring_rx_consume(&p->ctrl_rx);
		}
		spin_unlock_irqrestore(&p->ctrl_lock, flags);
		if (!e)
			break;
		seq = le32_to_cpu(m.seq);
		switch (le16_to_cpu(m.type)) {
		case PCV_CTRL_FENCE_REQ:
			pcv_ctrl_quiesce(dev);
			pcv_ctrl_send(dev, p->id, PCV_CTRL_FENCE_ACK, seq, 0, 0);
			break;
		case PCV_CTRL_FENCE_ACK:
			WRITE_ONCE(p->fence_acked, seq);
			wake_up_all(&dev->link_wq);
			break;
		case PCV_CTRL_QP_GONE:
			pcv_qps_peer_gone(dev, p->id, le32_to_cpu(m.arg0), le32_to_cpu(m.arg1));
			break;
		default:
			pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
			break;
		}
	}
	spin_lock_irqsave(&p->ctrl_lock, flags);
	if (p->ctrl_up)
		pcv_ring_rx_publish(&p->ctrl_rx);
	spin_unlock_irqrestore(&p->ctrl_lock, flags);
}

/* Loopback notices queued by pcv_ctrl_self (link work). */
void pcv_ctrl_process_self(struct pcv_dev *dev)
{
	struct pcv_peer *me = &dev->peers[dev->info.blade_id];
	unsigned long flags;
	u32 i, n, qpn[ARRAY_SIZE(dev->self_gone)], dest[ARRAY_SIZE(dev->self_gone)];

	spin_lock_irqsave(&me->ctrl_lock, flags);
	n = dev->self_gone_n;
	for (i = 0; i < n; i++) {
		qpn[i] = dev->self_gone[i].qpn;
		dest[i] = dev->self_gone[i].dest_qpn;
	}
	dev->self_gone_n = 0;
	spin_unlock_irqrestore(&me->ctrl_lock, flags);
	for (i = 0; i < n; i++)
		pcv_qps_peer_gone(dev, dev->info.blade_id, qpn[i], dest[i]);
}

static bool pcv_fence_done(struct pcv_dev *dev, u32 seq, const bool *asked)
{
	u32 i;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		if (!asked[i])
			continue;
		/* A peer whose link went down can no longer reach our memory. */
		if (!READ_ONCE(p->ctrl_up))
			continue;
		if ((s32)(READ_ONCE(p->fence_acked) - seq) < 0)
			return false;
	}
	return true;
}

/* Beyond the dead-peer timeout: the link machinery's own latency. */
#define PCV_FENCE_SLACK_MS	5000

/*
 * Make every linked peer finish the accesses to our memory it started before
 * this call.  Process context; not from link work.
 *
 * A peer that is only slow (silent for less than hb_timeout_ms) is alive
 * and may still be in the middle of a copy into our memory: we wait for its
 * answer, or for it to be declared dead, however long that takes within
 * hb_timeout_ms.  Returning earlier would let the caller free or reuse
 * memory a live peer still writes.  -ETIMEDOUT only if neither happened
 * even then (the link machinery itself is stuck): the caller must then keep
 * the memory (quarantine), never free it.
 */
int pcv_fence(struct pcv_dev *dev)
{
	unsigned int timeout_ms = READ_ONCE(pcv_hb_timeout_ms) + PCV_FENCE_SLACK_MS;
	bool asked[PCV_MAX_BLADES] = {};
	u32 seq, i, tries;
	long left;

	mutex_lock(&dev->link_lock);
	seq = ++dev->fence_seq;
	mutex_unlock(&dev->link_lock);
	for (i = 0; i < dev->info.nr_blades; i++) {
		if (i == dev->info.blade_id || !READ_ONCE(dev->peers[i].ctrl_up))
			continue;
		/* A full ring: retry briefly, it drains every heartbeat. */
		for (tries = 0; tries < 200; tries++) {
			if (pcv_ctrl_send(dev, i, PCV_CTRL_FENCE_REQ, seq, 0, 0) != -ENOSPC)
				break;
			usleep_range(5000, 10000);
		}
		asked[i] = true;
	}
	left = wait_event_timeout(dev->link_wq, pcv_fence_done(dev, seq, asked),
				  msecs_to_jiffies(timeout_ms));
	return left ? 0 : -ETIMEDOUT;
}
