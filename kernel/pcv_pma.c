// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs port counters: the performance management agent and the
 * traffic totals it reports.
 *
 * Linux builds /sys/class/infiniband/pciev0/ports/1/counters/ from
 * PerfMgmt MADs given to process_mad (and perfquery sends the same MADs
 * over the fabric); libpcieverbs/pma.c answers them from the totals here.
 *
 * What the kernel moves itself it counts where it moves it (pcv_tx.c,
 * pcv_rx.c, pcv_ud.c, pcv_dgram.c).  Two kinds of traffic it never sees
 * are folded in when the counters are read:
 *
 *  - one-sided operations of other blades against our memory (a WRITE we
 *    received, a READ response we sent): each requester tells us in its
 *    slot (struct pcv_wire_onesided, every link tick);
 *  - fast-path SENDs of our processes: each provider counts them in its
 *    SQ header page (struct pcv_fast_stats), pcv_fast_stats_fold() takes
 *    them.
 *
 * Both are hostile input: only forward steps are taken, each bounded by
 * what the fabric could have carried since the last fold, so the device
 * totals never go back and a liar only inflates its own share, within
 * limits.  See docs/design.md §9.
 */
#include <linux/ktime.h>
#include <rdma/ib_mad.h>
#include "pcv.h"
#include "pcv/pma.h"

/* No blade moves more than this per nanosecond (the engine peaks near 24 B/ns). */
#define PCV_OS_MAX_BYTES_PER_NS	64
#define PCV_OS_MAX_PKTS_PER_NS	1
#define PCV_OS_SLACK		SZ_1M

void pcv_traffic_init(struct pcv_dev *dev)
{
	spin_lock_init(&dev->traffic_lock);
	dev->traffic_fold_ns = ktime_get_ns();
}

u32 pcv_qp_mtu(const struct pcv_qp *qp)
{
	int mtu = ib_mtu_enum_to_int(qp->path_mtu);

	return mtu > 0 ? mtu : 4096;
}

/* A new pair of epochs with p (link_lock held): our totals for it start again. */
void pcv_traffic_peer_reset(struct pcv_peer *p)
{
	int k;

	for (k = 0; k < PCV_OS_NR; k++)
		atomic64_set(&p->os_out[k], 0);
}

/*
 * Tell p what our one-sided operations made it receive and transmit
 * (link tick, link_lock held, p's memory writable).  The totals before the
 * epochs that name them: a reader that sees the epochs sees these totals
 * or later ones, never the previous pair's.
 */
void pcv_traffic_publish(struct pcv_dev *dev, struct pcv_peer *p, u8 __iomem *slot)
{
	struct pcv_wire_onesided __iomem *o =
		(struct pcv_wire_onesided __iomem *)(slot + PCV_SLOT_ONESIDED_OFF);

	lockdep_assert_held(&dev->link_lock);

	pcv_remote_write64(&o->to_bytes, atomic64_read(&p->os_out[PCV_OS_TO_BYTES]));
	pcv_remote_write64(&o->to_pkts, atomic64_read(&p->os_out[PCV_OS_TO_PKTS]));
	pcv_remote_write64(&o->from_bytes, atomic64_read(&p->os_out[PCV_OS_FROM_BYTES]));
	pcv_remote_write64(&o->from_pkts, atomic64_read(&p->os_out[PCV_OS_FROM_PKTS]));
	pcv_remote_wmb();
	pcv_remote_write32(&o->epoch, dev->epoch);
	pcv_remote_write32(&o->peer_epoch, p->link.peer_epoch);
}

/*
 * A one-sided operation of qp (qp->lock held): to_* went to the responder
 * (WRITE data, READ request, atomic operand), from_* came back (READ
 * response, atomic result).  Loopback is not fabric traffic.
 */
void pcv_traffic_onesided(struct pcv_qp *qp, u64 to_bytes, u64 to_pkts, u64 from_bytes,
			  u64 from_pkts)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_peer *p;

	lockdep_assert_held(&qp->lock);
	if (qp->dest_blade == dev->info.blade_id || qp->dest_blade >= dev->info.nr_blades)
		return;
	p = &dev->peers[qp->dest_blade];
	pcv_count_xmit(dev, to_bytes, to_pkts);
	pcv_count_rcv(dev, from_bytes, from_pkts);
	atomic64_add(to_bytes, &p->os_out[PCV_OS_TO_BYTES]);
	atomic64_add(to_pkts, &p->os_out[PCV_OS_TO_PKTS]);
	atomic64_add(from_bytes, &p->os_out[PCV_OS_FROM_BYTES]);
	atomic64_add(from_pkts, &p->os_out[PCV_OS_FROM_PKTS]);
}

/* Take the forward step of one total the peer told us (traffic_lock held). */
static u64 pcv_os_step(u64 *seen, u64 now, u64 cap)
{
	u64 d;

	if (now <= *seen)
		return 0;	/* older, or a write of another CPU overtaken */
	d = min(now - *seen, cap);
	*seen = now;		/* beyond the cap is dropped, not deferred */
	return d;
}

/* What the peers' one-sided operations did to our port (traffic_lock held). */
static void pcv_traffic_fold_peers(struct pcv_dev *dev)
{
	u64 now = ktime_get_ns();
	u64 dt = min_t(u64, now - dev->traffic_fold_ns, 1ULL << 50);
	u64 bcap = dt * PCV_OS_MAX_BYTES_PER_NS + PCV_OS_SLACK;
	u64 pcap = dt * PCV_OS_MAX_PKTS_PER_NS + PCV_OS_SLACK;
	u32 i;

	lockdep_assert_held(&dev->traffic_lock);
	dev->traffic_fold_ns = now;
	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];
		const struct pcv_wire_onesided *o;
		u32 ep, pep;
		u64 v[PCV_OS_NR], tag;

		if (i == dev->info.blade_id || !pcv_peer_up(dev, i))
			continue;
		o = (const struct pcv_wire_onesided *)(pcv_local_slot(dev, i) +
						       PCV_SLOT_ONESIDED_OFF);
		ep = pcv_local_read32(&o->epoch);
		pep = pcv_local_read32(&o->peer_epoch);
		if (!ep || ep != READ_ONCE(p->link.peer_epoch) || pep != dev->epoch)
			continue;	/* another pair's totals, or none yet */
		/* The epochs before the totals they name. */
		pcv_local_rmb();
		v[PCV_OS_TO_BYTES] = pcv_local_read64(&o->to_bytes);
		v[PCV_OS_TO_PKTS] = pcv_local_read64(&o->to_pkts);
		v[PCV_OS_FROM_BYTES] = pcv_local_read64(&o->from_bytes);
		v[PCV_OS_FROM_PKTS] = pcv_local_read64(&o->from_pkts);
		tag = (u64)ep << 32 | pep;
		if (tag != p->os_seen_tag) {
			memset(p->os_seen, 0, sizeof(p->os_seen));
			p->os_seen_tag = tag;
		}
		/* What it put into us we received; what it took we transmitted. */
		pcv_count_rcv(dev, pcv_os_step(&p->os_seen[PCV_OS_TO_BYTES],
					       v[PCV_OS_TO_BYTES], bcap),
			      pcv_os_step(&p->os_seen[PCV_OS_TO_PKTS], v[PCV_OS_TO_PKTS], pcap));
		pcv_count_xmit(dev, pcv_os_step(&p->os_seen[PCV_OS_FROM_BYTES],
						v[PCV_OS_FROM_BYTES], bcap),
			       pcv_os_step(&p->os_seen[PCV_OS_FROM_PKTS], v[PCV_OS_FROM_PKTS],
					   pcap));
	}
}

/* Bring the totals up to date with what others counted for us (any context). */
void pcv_traffic_fold(struct pcv_dev *dev)
{
	struct pcv_qp *qp;
	unsigned long flags, idx;

	spin_lock_irqsave(&dev->traffic_lock, flags);
	pcv_traffic_fold_peers(dev);
	spin_unlock_irqrestore(&dev->traffic_lock, flags);

	/* Our processes' fast QPs (RCU-freed; gone is set under their lock). */
	rcu_read_lock();
	xa_for_each(&dev->qp_xa, idx, qp) {
		if (!READ_ONCE(qp->fast))
			continue;
		spin_lock_irqsave(&qp->lock, flags);
		if (qp->fast && !qp->gone)
			pcv_fast_stats_fold(qp, NULL);
		spin_unlock_irqrestore(&qp->lock, flags);
	}
	rcu_read_unlock();
}

/* A PerfMgmt MAD for our port: PCV_PMA_REPLY with out filled, or not ours / drop. */
int pcv_pma_mad(struct pcv_dev *dev, const struct ib_mad *in, struct ib_mad *out)
{
	struct pcv_pma_counters c;

	pcv_traffic_fold(dev);
	c.xmit_bytes = atomic64_read(&dev->stats[PCV_CNT_XMIT_BYTES]);
	c.rcv_bytes = atomic64_read(&dev->stats[PCV_CNT_RCV_BYTES]);
	c.xmit_pkts = atomic64_read(&dev->stats[PCV_CNT_XMIT_PKTS]);
	c.rcv_pkts = atomic64_read(&dev->stats[PCV_CNT_RCV_PKTS]);
	c.mcast_xmit_pkts = atomic64_read(&dev->stats[PCV_CNT_MCAST_XMIT_PKTS]);
	c.mcast_rcv_pkts = atomic64_read(&dev->stats[PCV_CNT_MCAST_RCV_PKTS]);
	c.xmit_discards = atomic64_read(&dev->stats[PCV_CNT_UD_DROP_LINK]);
	c.rcv_errors = atomic64_read(&dev->stats[PCV_CNT_MADS_MALFORMED]);
	BUILD_BUG_ON(sizeof(*in) != PCV_PMA_MAD_SIZE);
	return pcv_pma_process(&c, PCV_PORT, (const u8 *)in, sizeof(*in), (u8 *)out);
}
