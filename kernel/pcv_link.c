// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs link glue: publishes our scratchpads, runs the per-peer link
 * state machine of libpcieverbs on a heartbeat tick (and on doorbells), and
 * performs the writes it allows into peers' memory.
 *
 * Everything read here was written by a peer or by the chassis: it goes into
 * a struct pcv_link_view and is judged by pcv_link_step(), never used as an
 * address before that.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/timekeeping.h>
#include "pcv.h"

static u64 pcv_now_ms(void)
{
	return div_u64(ktime_get_boottime_ns(), NSEC_PER_MSEC);
}

void pcv_ring(struct pcv_dev *dev, u32 peer, enum pcv_vector vec)
{
	/* Our (write-combined) stores into its memory before the doorbell. */
	wmb();
	dev->ops->ring_peer(dev->priv, peer, vec);
	pcv_count(dev, PCV_CNT_DOORBELLS_TX, 1);
}

static struct pcv_wire_link *pcv_inbound(struct pcv_dev *dev, u32 peer)
{
	return (struct pcv_wire_link *)pcv_local_slot(dev, peer);
}

static struct pcv_link_cfg pcv_link_cfg(struct pcv_dev *dev, struct pcv_peer *p)
{
	struct pcv_link_cfg cfg = {
		.my_blade = dev->info.blade_id,
		.my_epoch = dev->epoch,
		.my_version = PCV_WIRE_VERSION,
		.peer_ram_size = min(p->win_size, dev->info.peer_mem_size),
		.hb_timeout_ms = pcv_hb_timeout_ms,
		.silent_ms = pcv_hb_silent_ms,
	};
	return cfg;
}

/* Publish who we are; peers read it with a seqlock-style snapshot. */
static void pcv_publish(struct pcv_dev *dev, bool ready)
{
	const struct pcv_backend_ops *ops = dev->ops;

	ops->spad_write(dev->priv, PCV_SPAD_STATE, PCV_SPAD_STATE_DOWN);
	if (!ready) {
		ops->spad_write(dev->priv, PCV_SPAD_EPOCH, 0);
		return;
	}
	ops->spad_write(dev->priv, PCV_SPAD_MAGIC, PCV_SPAD_MAGIC_VAL);
	ops->spad_write(dev->priv, PCV_SPAD_VERSION, PCV_WIRE_VERSION);
	ops->spad_write(dev->priv, PCV_SPAD_EPOCH, dev->epoch);
	ops->spad_write(dev->priv, PCV_SPAD_REGION_LO, lower_32_bits(dev->region_addr));
	ops->spad_write(dev->priv, PCV_SPAD_REGION_HI, upper_32_bits(dev->region_addr));
	ops->spad_write(dev->priv, PCV_SPAD_REGION_SIZE, PCV_REGION_SIZE);
	ops->spad_write(dev->priv, PCV_SPAD_SLOT_OFF, PCV_SLOT_OFF);
	ops->spad_write(dev->priv, PCV_SPAD_SLOT_SIZE, PCV_SLOT_SIZE);
	ops->spad_write(dev->priv, PCV_SPAD_QPT_LO, lower_32_bits(dev->qpt_addr));
	ops->spad_write(dev->priv, PCV_SPAD_QPT_HI, upper_32_bits(dev->qpt_addr));
	ops->spad_write(dev->priv, PCV_SPAD_QPT_N, PCV_MAX_QP);
	ops->spad_write(dev->priv, PCV_SPAD_MRT_LO, lower_32_bits(dev->mrt_addr));
	ops->spad_write(dev->priv, PCV_SPAD_MRT_HI, upper_32_bits(dev->mrt_addr));
	ops->spad_write(dev->priv, PCV_SPAD_MRT_N, PCV_MAX_MR);
	/* spad_write is an MMIO store: ordered, READY is seen after the fields. */
	ops->spad_write(dev->priv, PCV_SPAD_STATE, PCV_SPAD_STATE_READY);
}

static void pcv_read_view(struct pcv_dev *dev, struct pcv_peer *p, struct pcv_link_view *v)
{
	const struct pcv_backend_ops *ops = dev->ops;
	const struct pcv_wire_link *in = pcv_inbound(dev, p->id);
	u32 st, ep, tries;

	memset(v, 0, sizeof(*v));
	v->present = ops->peer_present(dev->priv, p->id, &v->generation);
	for (tries = 0; tries < 4; tries++) {
		st = ops->spad_read(dev->priv, p->id, PCV_SPAD_STATE);
		ep = ops->spad_read(dev->priv, p->id, PCV_SPAD_EPOCH);
		v->spad_magic = ops->spad_read(dev->priv, p->id, PCV_SPAD_MAGIC);
		v->spad_version = ops->spad_read(dev->priv, p->id, PCV_SPAD_VERSION);
		v->region_base = ops->spad_read(dev->priv, p->id, PCV_SPAD_REGION_LO) |
				 (u64)ops->spad_read(dev->priv, p->id, PCV_SPAD_REGION_HI) << 32;
		v->region_size = ops->spad_read(dev->priv, p->id, PCV_SPAD_REGION_SIZE);
		v->slot_off = ops->spad_read(dev->priv, p->id, PCV_SPAD_SLOT_OFF);
		v->slot_size = ops->spad_read(dev->priv, p->id, PCV_SPAD_SLOT_SIZE);
		v->spad_state = ops->spad_read(dev->priv, p->id, PCV_SPAD_STATE);
		v->spad_epoch = ops->spad_read(dev->priv, p->id, PCV_SPAD_EPOCH);
		if (st == v->spad_state && ep == v->spad_epoch)
			break;
	}
	if (tries == 4)
		v->spad_state = PCV_SPAD_STATE_DOWN;	/* torn: try next tick */

	v->in_magic = pcv_local_read32(&in->magic);
	v->in_version = pcv_local_read32(&in->version);
	v->in_epoch = pcv_local_read32(&in->epoch);
	v->in_ack = pcv_local_read32(&in->ack_epoch);
	v->in_heartbeat = pcv_local_read32(&in->heartbeat);
}

static struct pcv_wire_link __iomem *pcv_outbound(struct pcv_peer *p, u64 out_addr)
{
	return (struct pcv_wire_link __iomem *)((u8 __iomem *)p->win + out_addr);
}

static void pcv_write_block(struct pcv_dev *dev, struct pcv_peer *p,
			    const struct pcv_link_cfg *cfg)
{
	struct pcv_wire_link blk;

	pcv_link_fill_block(&p->link, cfg, ++p->hb_out, &blk);
	blk.ping = cpu_to_le32(p->ping_out);
	blk.pong = cpu_to_le32(p->pong_out);
	blk.diag_addr = cpu_to_le64(dev->diag ? dev->diag_addr : 0);
	blk.diag_size = cpu_to_le64(dev->diag ? dev->diag_size : 0);
	/* Where it sends us datagrams. */
	blk.dgram_addr = cpu_to_le64(p->dg_rx_mem ? p->dg_rx_addr : 0);
	blk.dgram_order = cpu_to_le32(p->dg_order);
	pcv_remote_copy(pcv_outbound(p, p->link.out_addr), &blk, sizeof(blk));
	pcv_count(dev, PCV_CNT_PIO_BYTES, sizeof(blk));
}

/* Tell a peer that unpublished itself we no longer write its memory. */
static void pcv_write_release(struct pcv_dev *dev, struct pcv_peer *p, u64 out_addr)
{
	struct pcv_wire_link __iomem *o = pcv_outbound(p, out_addr);

	pcv_remote_write32(&o->ack_epoch, 0);
	pcv_remote_wmb();
	pcv_ring(dev, p->id, PCV_VEC_LINK);
}

/* Pings: answer theirs, collect answers to ours.  Only while UP. */
static void pcv_link_pings(struct pcv_dev *dev, struct pcv_peer *p)
{
	const struct pcv_wire_link *in = pcv_inbound(dev, p->id);
	struct pcv_wire_link __iomem *o = pcv_outbound(p, p->link.out_addr);
	u32 ping = pcv_local_read32(&in->ping);
	u32 pong = pcv_local_read32(&in->pong);

	if (ping != p->pong_out) {
		p->pong_out = ping;
		pcv_remote_write32(&o->pong, ping);
		pcv_remote_wmb();
		pcv_ring(dev, p->id, PCV_VEC_LINK);
	}
	if (pong != p->pong_in) {
		WRITE_ONCE(p->pong_in, pong);
		wake_up_all(&dev->link_wq);
	}
}

/* What the peer says about its diagnostic area, kept only if it fits its RAM. */
static void pcv_link_diag_info(struct pcv_peer *p, const struct pcv_link_cfg *cfg,
			       const struct pcv_wire_link *in)
{
	u64 addr = pcv_local_read64(&in->diag_addr);
	u64 size = pcv_local_read64(&in->diag_size);

	if (addr >= cfg->peer_ram_size || size > cfg->peer_ram_size - addr) {
		addr = 0;
		size = 0;
	}
	p->diag_addr = addr;
	p->diag_size = size;
}

/* Where its QP and MR tables are (its scratchpads), if they fit its memory. */
static void pcv_link_read_tables(struct pcv_dev *dev, struct pcv_peer *p)
{
	const struct pcv_backend_ops *ops = dev->ops;
	u64 qpt = ops->spad_read(dev->priv, p->id, PCV_SPAD_QPT_LO) |
		  (u64)ops->spad_read(dev->priv, p->id, PCV_SPAD_QPT_HI) << 32;
	u64 mrt = ops->spad_read(dev->priv, p->id, PCV_SPAD_MRT_LO) |
		  (u64)ops->spad_read(dev->priv, p->id, PCV_SPAD_MRT_HI) << 32;
	u32 qn = ops->spad_read(dev->priv, p->id, PCV_SPAD_QPT_N);
	u32 mn = ops->spad_read(dev->priv, p->id, PCV_SPAD_MRT_N);

	if (!is_power_of_2(qn) || qn > SZ_1M || qpt >= p->win_size ||
	    (u64)qn * PCV_QPT_ENTRY_SIZE > p->win_size - qpt)
		qn = 0;
	if (mn > SZ_16M || mrt >= p->win_size || (u64)mn * PCV_MRT_ENTRY_SIZE > p->win_size - mrt)
		mn = 0;
	WRITE_ONCE(p->qpt_addr, qpt);
	WRITE_ONCE(p->mrt_addr, mrt);
	WRITE_ONCE(p->qpt_n, qn);
	WRITE_ONCE(p->mrt_n, mn);
	if (!qn || !mn)
		dev_warn(&dev->ibdev.dev, "blade %u publishes no usable QP/MR tables\n", p->id);
}

static void pcv_link_report(struct pcv_dev *dev, struct pcv_peer *p, unsigned int ev)
{
	struct device *d = &dev->ibdev.dev;
	struct pcv_link *l = &p->link;

	if (ev & PCV_LINK_EV_UP) {
		pcv_link_read_tables(dev, p);
		pcv_ctrl_link_up(dev, p);
		pcv_dgram_link_up(dev, p);
		pcv_count(dev, PCV_CNT_LINK_UP_EVENTS, 1);
		pcv_count(dev, PCV_CNT_LINKS_UP, 1);
		dev_info(d, "link to blade %u up (its epoch %08x, protocol %u.%u)\n", p->id,
			 l->peer_epoch, PCV_WIRE_MAJOR(l->peer_version),
			 PCV_WIRE_MINOR(l->peer_version));
	}
	if (ev & PCV_LINK_EV_DOWN) {
		/* Its QPs and ours that talk to them: error, flushed. */
		pcv_ctrl_link_down(dev, p);
		pcv_dgram_link_down(dev, p);
		pcv_qps_peer_gone(dev, p->id, 0, 0);
		pcv_count(dev, PCV_CNT_LINK_DOWN_EVENTS, 1);
		pcv_count(dev, PCV_CNT_LINKS_UP, -1);
		if (l->reason == PCV_LINK_R_HB_TIMEOUT)
			pcv_count(dev, PCV_CNT_HB_TIMEOUTS, 1);
		dev_warn(d, "link to blade %u down: %s\n", p->id, pcv_link_reason_name(l->reason));
	}
	if (ev & PCV_LINK_EV_SILENT) {
		pcv_count(dev, PCV_CNT_LINK_SILENCES, 1);
		dev_warn(d, "blade %u silent for over %u ms: kept (declared dead after %u ms)\n",
			 p->id, pcv_hb_silent_ms, pcv_hb_timeout_ms);
	}
	if (ev & PCV_LINK_EV_RESUMED)
		dev_info(d, "blade %u beats again: link and QPs kept\n", p->id);
	if (ev & PCV_LINK_EV_FAILED) {
		pcv_count(dev, PCV_CNT_LINK_FAILURES, 1);
		if (l->reason == PCV_LINK_R_VERSION)
			dev_err(d, "link to blade %u refused: it speaks protocol %u.%u, we speak %u.%u\n",
				p->id, PCV_WIRE_MAJOR(l->peer_version),
				PCV_WIRE_MINOR(l->peer_version), PCV_WIRE_VERSION_MAJOR,
				PCV_WIRE_VERSION_MINOR);
		else
			dev_err(d, "link to blade %u refused: %s\n", p->id,
				pcv_link_reason_name(l->reason));
	}
}

static void pcv_link_peer_tick(struct pcv_dev *dev, struct pcv_peer *p, u64 now)
{
	struct pcv_link_cfg cfg = pcv_link_cfg(dev, p);
	struct pcv_link *l = &p->link;
	bool could_write = pcv_link_may_write(l);
	u64 old_out = l->out_addr;
	struct pcv_link_view v;
	unsigned int ev;

	pcv_read_view(dev, p, &v);
	ev = pcv_link_step(l, &cfg, &v, now);

	if (could_write && !pcv_link_may_write(l) && l->reason == PCV_LINK_R_NOT_READY)
		pcv_write_release(dev, p, old_out);
	if (pcv_link_may_write(l)) {
		if (ev & PCV_LINK_EV_NEW_EPOCH) {
			/* A new life of the peer numbers its pings from zero again. */
			p->pong_out = 0;
			/* And our control rings with it restart (before it can use them). */
			pcv_ctrl_reset(dev, p);
			pcv_dgram_reset(dev, p);
			pcv_traffic_peer_reset(p);
			pcv_write_block(dev, p, &cfg);
			pcv_ring(dev, p->id, PCV_VEC_LINK);
		} else {
			pcv_remote_write32(&pcv_outbound(p, l->out_addr)->heartbeat, ++p->hb_out);
		}
		/* What our one-sided operations did to its port counters. */
		pcv_traffic_publish(dev, p, (u8 __iomem *)pcv_outbound(p, l->out_addr));
	}
	if (l->state == PCV_LINK_UP) {
		pcv_link_diag_info(p, &cfg, pcv_inbound(dev, p->id));
		pcv_link_pings(dev, p);
		pcv_ctrl_process(dev, p);
		/* Its datagram ring, if it was not usable at link up. */
		pcv_dgram_link_up(dev, p);
	}
	if (ev & ~PCV_LINK_EV_NEW_EPOCH)
		pcv_link_report(dev, p, ev);
	if (ev & (PCV_LINK_EV_UP | PCV_LINK_EV_DOWN | PCV_LINK_EV_FAILED)) {
		wake_up_all(&dev->link_wq);
		/* Let the peer notice quickly rather than at its next tick. */
		if (pcv_link_may_write(l))
			pcv_ring(dev, p->id, PCV_VEC_LINK);
	}
}

/*
 * The port is ACTIVE while this blade reaches another one (always, in a
 * chassis of one) and DOWN when it reaches none.  To its consumers that is
 * a pulled cable: IPoIB drops its carrier, multicast members and the SA
 * client start over, and all of them join again on PORT_ACTIVE.  A blade
 * whose peers are all gone can do nothing on the fabric but loop back.
 * link_lock held: it orders the state changes and their events.
 */
static void pcv_port_update(struct pcv_dev *dev)
{
	struct ib_event ev = { .device = &dev->ibdev, .element.port_num = PCV_PORT };
	bool active = dev->info.nr_blades == 1;
	u32 i;

	for (i = 0; i < dev->info.nr_blades && !active; i++)
		active = i != dev->info.blade_id && pcv_peer_up(dev, i);
	if (active == dev->port_active)
		return;
	WRITE_ONCE(dev->port_active, active);
	if (!dev->port_events)
		return;
	dev_info(&dev->ibdev.dev, "port %s\n", active ? "ACTIVE" : "DOWN: no blade reachable");
	ev.event = active ? IB_EVENT_PORT_ACTIVE : IB_EVENT_PORT_ERR;
	ib_dispatch_event(&ev);
}

/* Before registration and after unregistration the port changes silently. */
void pcv_port_events(struct pcv_dev *dev, bool on)
{
	mutex_lock(&dev->link_lock);
	dev->port_events = on;
	mutex_unlock(&dev->link_lock);
}

static void pcv_link_tick(struct pcv_dev *dev)
{
	u64 now = pcv_now_ms();
	u32 i;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		if (i == dev->info.blade_id || !p->win)
			continue;
		pcv_link_peer_tick(dev, p, now);
	}
	pcv_port_update(dev);
	pcv_ctrl_process_self(dev);
}

static void pcv_link_workfn(struct work_struct *work)
{
	struct pcv_dev *dev = container_of(to_delayed_work(work), struct pcv_dev, link_work);
	bool stopping;

	mutex_lock(&dev->link_lock);
	stopping = dev->stopping;
	if (!stopping)
		pcv_link_tick(dev);
	mutex_unlock(&dev->link_lock);
	/*
	 * Safety net: inbound work nobody was told about (a peer that did not
	 * ring because we were polling, then we stopped) is picked up here.
	 */
	if (!stopping)
		pcv_qps_process_all(dev);
	if (!stopping)
		queue_delayed_work(dev->wq, &dev->link_work, msecs_to_jiffies(pcv_hb_interval_ms));
}

/* Any context: run the tick now (a doorbell or presence change). */
void pcv_link_kick(struct pcv_dev *dev)
{
	if (!READ_ONCE(dev->stopping))
		mod_delayed_work(dev->wq, &dev->link_work, 0);
}

void pcv_link_start(struct pcv_dev *dev)
{
	INIT_DELAYED_WORK(&dev->link_work, pcv_link_workfn);
	dev->stopping = false;
	pcv_publish(dev, true);
	queue_delayed_work(dev->wq, &dev->link_work, 0);
}

/*
 * Has every peer that could write our region stopped?  A peer is done when it
 * is absent, or its block in our memory no longer acknowledges our epoch
 * (it wrote the release, or never linked).
 */
static u32 pcv_link_unreleased(struct pcv_dev *dev)
{
	u32 i, n = 0;

	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];
		u32 gen;

		if (i == dev->info.blade_id || !p->win)
			continue;
		if (!dev->ops->peer_present(dev->priv, i, &gen))
			continue;
		if (pcv_local_read32(&pcv_inbound(dev, i)->ack_epoch) == dev->epoch)
			n++;
	}
	return n;
}

/*
 * Unpublish, ask peers to let go of our memory and wait for them (bounded by
 * the heartbeat timeout: a peer that says nothing for that long is dead to
 * us).  Returns how many peers may still write our region.
 */
int pcv_link_stop_and_release(struct pcv_dev *dev)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(pcv_hb_timeout_ms);
	u32 i, left;

	mutex_lock(&dev->link_lock);
	pcv_publish(dev, false);
	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];

		if (i == dev->info.blade_id || !p->win)
			continue;
		if (p->link.state == PCV_LINK_UP)
			pcv_count(dev, PCV_CNT_LINKS_UP, -1);
		/* Our view of them ends here; we stop writing their memory too. */
		pcv_dgram_link_down(dev, p);
		if (pcv_link_may_write(&p->link))
			pcv_remote_write32(&pcv_outbound(p, p->link.out_addr)->ack_epoch, 0);
		pcv_link_init(&p->link);
		pcv_ring(dev, i, PCV_VEC_LINK);
	}
	WRITE_ONCE(dev->stopping, true);
	mutex_unlock(&dev->link_lock);
	cancel_delayed_work_sync(&dev->link_work);

	while ((left = pcv_link_unreleased(dev)) && time_before(jiffies, deadline))
		msleep(20);
	return left;
}

/*
 * Ping a peer through memory and doorbells both ways: write our ping, ring
 * it; its link tick answers with a pong and rings us.  Measures the round
 * trip.  -ENOLINK if the link is not up, -ETIMEDOUT if no answer.
 */
int pcv_link_ping(struct pcv_dev *dev, u32 peer, unsigned int timeout_ms, u64 *rtt_ns)
{
	struct pcv_peer *p;
	u64 t0;
	u32 seq;
	long left;

	if (peer >= dev->info.nr_blades || peer == dev->info.blade_id)
		return -EINVAL;
	p = &dev->peers[peer];

	mutex_lock(&dev->link_lock);
	if (p->link.state != PCV_LINK_UP) {
		mutex_unlock(&dev->link_lock);
		return -ENOLINK;
	}
	seq = ++p->ping_out;
	t0 = ktime_get_ns();
	pcv_remote_write32(&pcv_outbound(p, p->link.out_addr)->ping, seq);
	pcv_remote_wmb();
	pcv_ring(dev, peer, PCV_VEC_LINK);
	mutex_unlock(&dev->link_lock);

	left = wait_event_interruptible_timeout(dev->link_wq,
						READ_ONCE(p->pong_in) == seq ||
						READ_ONCE(p->link.state) != PCV_LINK_UP,
						msecs_to_jiffies(timeout_ms));
	if (left < 0)
		return left;
	if (READ_ONCE(p->pong_in) != seq)
		return left ? -ENOLINK : -ETIMEDOUT;
	*rtt_ns = ktime_get_ns() - t0;
	return 0;
}
