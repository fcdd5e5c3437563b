// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs queue pairs: create, the state machine, query, destroy, and the
 * entry peers read in our exported QP table.
 *
 * Each RC/UC QP owns an inbound region in fabric memory (control block +
 * message ring) that only its connected peer QP writes.  The peer finds it
 * through our QP table (state, conn_gen, address) and writes only while
 * that entry says we are connected to it.  Before the region is reused
 * (RESET) or freed (destroy) the peer is told (QP_GONE: its QP goes to
 * error) and fenced (it acknowledges it has stopped), so it never writes
 * into memory that changed owner.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

#define PCV_QP_FENCE_MS		2000

static u32 pcv_qpn_index(u32 qpn)
{
	return qpn & (PCV_MAX_QP - 1);
}

struct ib_qp *pcv_qp_lookup(struct pcv_dev *dev, u32 qpn)
{
	struct pcv_qp *qp;

	rcu_read_lock();
	qp = xa_load(&dev->qp_xa, pcv_qpn_index(qpn));
	rcu_read_unlock();
	return qp && qp->qpn == qpn ? &qp->ibqp : NULL;
}

/* Write our table entry (seqlock): what peers read to connect. */
void pcv_qp_publish(struct pcv_qp *qp)
{
	struct pcv_wire_qpt *e = &qp->dev->qpt[qp->index];

	pcv_table_write_begin(&e->seq);
	e->qpn = cpu_to_le32(qp->gone ? 0 : qp->qpn);
	e->state = qp->state;
	e->type = qp->ibqp.qp_type == IB_QPT_RC ? PCV_WIRE_QPT_RC :
		  qp->ibqp.qp_type == IB_QPT_UC ? PCV_WIRE_QPT_UC : PCV_WIRE_QPT_UD;
	e->access = cpu_to_le16(qp->qp_access_flags & 0xffff);
	e->pdn = cpu_to_le32(qp->pdn);
	e->conn_gen = cpu_to_le32(qp->conn_gen);
	e->dest_blade = cpu_to_le32(qp->dest_blade);
	e->dest_qpn = cpu_to_le32(qp->dest_qpn);
	e->ring_order = cpu_to_le32(qp->ring_order);
	e->inbound_addr = cpu_to_le64(qp->inb_addr);
	e->inbound_size = cpu_to_le32(qp->inb_size);
	e->min_rnr_timer = qp->min_rnr_timer;
	e->flags = qp->user ? 0 : PCV_WIRE_QPT_F_KERNEL;
	pcv_table_write_end(&e->seq);
}

/*
 * Deliver the QP's pending asynchronous events (no lock held): consumers
 * act on them by posting to, modifying or destroying the QP (IPoIB drains
 * a connected-mode QP from its LAST_WQE_REACHED handler), so they are never
 * called under qp->lock.
 */
static void pcv_qp_deliver_events(struct pcv_qp *qp, u32 events)
{
	while (events) {
		struct ib_event ev = {
			.device = qp->ibqp.device,
			.element.qp = &qp->ibqp,
			.event = __ffs(events),
		};

		events &= events - 1;
		if (qp->ibqp.event_handler)
			qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
	}
}

static void pcv_qp_workfn(struct work_struct *work)
{
	struct pcv_qp *qp = container_of(work, struct pcv_qp, work);
	unsigned long flags;
	u32 events;

	spin_lock_irqsave(&qp->lock, flags);
	pcv_qp_progress(qp);
	events = qp->events;
	qp->events = 0;
	spin_unlock_irqrestore(&qp->lock, flags);
	pcv_qp_deliver_events(qp, events);
}

/* Run progress soon from process context (timers, DMA completions). */
void pcv_qp_schedule(struct pcv_qp *qp)
{
	if (!READ_ONCE(qp->gone))
		queue_work(qp->dev->wq, &qp->work);
}

void pcv_qp_timer(struct timer_list *t)
{
	struct pcv_qp *qp = from_timer(qp, t, timer);

	pcv_qp_schedule(qp);
}

/* Queue an asynchronous event (qp->lock held): the QP work delivers it. */
void pcv_qp_event(struct pcv_qp *qp, enum ib_event_type type)
{
	qp->events |= BIT(type);
	pcv_qp_schedule(qp);
}

/*
 * Move to ERR (qp->lock held): flush on the next progress, tell the peer.
 * Idempotent.
 */
void pcv_qp_to_error(struct pcv_qp *qp, const char *why)
{
	if (qp->state == IB_QPS_ERR || qp->state == IB_QPS_RESET)
		return;
	ibdev_dbg(&qp->dev->ibdev, "QP %#x to error: %s\n", qp->qpn, why);
	pcv_count(qp->dev, PCV_CNT_QP_ERRORS, 1);
	qp->state = IB_QPS_ERR;
	pcv_qp_publish(qp);
	if (qp->dest_blade != qp->dev->info.blade_id || qp->connected)
		pcv_ctrl_send(qp->dev, qp->dest_blade, PCV_CTRL_QP_GONE, 0, qp->qpn,
			      qp->dest_qpn);
	if (qp->srq)
		pcv_qp_event(qp, IB_EVENT_QP_LAST_WQE_REACHED);
	pcv_qp_schedule(qp);
}

/*
 * A peer QP we were talking to is gone (qpn set: it was destroyed, reset or
 * went to error) or its whole blade is (qpn 0: the link went down).
 *
 * A dead blade takes our QPs to error at once, with flushed completions.  A
 * QP that left its connection is what an IB requester would notice only by
 * retrying in vain: our QP stays as it is, drops what that peer sent, and
 * fails its own outstanding or future requests with IBV_WC_RETRY_EXC_ERR
 * (at once rather than after the retries: nothing will answer them).
 */
void pcv_qps_peer_gone(struct pcv_dev *dev, u32 blade, u32 qpn, u32 dest_qpn)
{
	unsigned long flags, qflags;
	struct pcv_qp *qp;

	spin_lock_irqsave(&dev->qp_list_lock, flags);
	list_for_each_entry(qp, &dev->qp_list, dev_link) {
		spin_lock_irqsave(&qp->lock, qflags);
		if (qp->state >= IB_QPS_RTR && qp->dest_blade == blade && !qpn) {
			pcv_fast_unmap_peer(qp);
			pcv_qp_to_error(qp, "peer blade down");
			pcv_qp_event(qp, IB_EVENT_QP_FATAL);
		} else if (qp->state >= IB_QPS_RTR && qp->dest_blade == blade &&
			   qp->dest_qpn == qpn && qp->qpn == dest_qpn) {
			pcv_fast_unmap_peer(qp);
			qp->peer_gone = true;
			pcv_qp_schedule(qp);
		}
		spin_unlock_irqrestore(&qp->lock, qflags);
	}
	spin_unlock_irqrestore(&dev->qp_list_lock, flags);
	/* Before the peer learns (fence acknowledgment) that it may reuse them. */
	pcv_fast_revoke_pending(dev);
}

void pcv_qps_process_all(struct pcv_dev *dev)
{
	unsigned long flags, qflags;
	struct pcv_qp *qp;
	bool more = false;

	pcv_dma_reap_now(dev);
	/* Datagrams first: delivery takes QP locks itself. */
	pcv_dgram_process_all(dev);
	spin_lock_irqsave(&dev->qp_list_lock, flags);
	list_for_each_entry(qp, &dev->qp_list, dev_link) {
		spin_lock_irqsave(&qp->lock, qflags);
		pcv_qp_progress(qp);
		more |= qp->rx_more;
		spin_unlock_irqrestore(&qp->lock, qflags);
	}
	spin_unlock_irqrestore(&dev->qp_list_lock, flags);
	/* Budgeted passes left work behind: come back (not in this call). */
	if (more)
		queue_work(dev->wq, &dev->data_work);
}

void pcv_data_work(struct work_struct *work)
{
	pcv_qps_process_all(container_of(work, struct pcv_dev, data_work));
}

static int pcv_qp_alloc_index(struct pcv_dev *dev, struct pcv_qp *qp)
{
	static u32 next = 2;	/* qpn 0 and 1 are SMI and GSI */
	u32 index, gen;
	int err;

	if (qp->ibqp.qp_type == IB_QPT_GSI) {
		/* The one GSI QP has the well-known number (no SMI: no QP0). */
		err = xa_insert(&dev->qp_xa, PCV_GSI_QPN, NULL, GFP_KERNEL);
		if (err)
			return err == -EBUSY ? -EEXIST : err;
		qp->index = PCV_GSI_QPN;
		qp->qpn = PCV_GSI_QPN;
		return 0;
	}
	err = xa_alloc_cyclic(&dev->qp_xa, &index, NULL, XA_LIMIT(2, PCV_MAX_QP - 1), &next,
			      GFP_KERNEL);
	if (err < 0)
		return err == -EBUSY ? -ENOMEM : err;
	/* A new qpn for a reused index: the generation bits change. */
	gen = (dev->next_qpn_gen[index] + 1) & ((1U << (24 - PCV_QPN_INDEX_BITS)) - 1);
	if (!gen)
		gen = 1;
	dev->next_qpn_gen[index] = gen;
	qp->index = index;
	qp->qpn = gen << PCV_QPN_INDEX_BITS | index;
	return 0;
}

static void pcv_qp_free_mem(struct pcv_dev *dev, struct pcv_qp *qp)
{
	if (qp->inb)
		dev->ops->free_fabric_mem(dev->priv, qp->inb, qp->inb_size);
	qp->inb = NULL;
	kvfree(qp->swqe);
	qp->swqe = NULL;
	pcv_uring_free(&qp->sq);
	pcv_uring_free(&qp->rq);
}

static int pcv_qp_check_caps(struct ib_qp_init_attr *init)
{
	struct ib_qp_cap *c = &init->cap;

	if (init->qp_type != IB_QPT_RC && init->qp_type != IB_QPT_UC &&
	    init->qp_type != IB_QPT_UD && init->qp_type != IB_QPT_GSI)
		return -EOPNOTSUPP;
	if (init->create_flags)
		return -EOPNOTSUPP;
	if (c->max_send_wr > PCV_MAX_QP_WR || c->max_send_sge > PCV_MAX_SEND_SGE ||
	    c->max_inline_data > PCV_MAX_INLINE || c->max_recv_sge > PCV_MAX_RECV_SGE ||
	    (!init->srq && c->max_recv_wr > PCV_MAX_QP_WR))
		return -EINVAL;
	return 0;
}

int pcv_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibqp->device);
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_ibv_create_qp_resp resp = {};
	struct pcv_ibv_create_qp req = {};
	struct pcv_ucontext *uctx = NULL;
	unsigned long flags;
	u32 sq_n, rq_n;
	int err;

	err = pcv_qp_check_caps(init);
	if (err)
		return err;
	if (udata) {
		err = pcv_udata_req(udata, &req, sizeof(req));
		if (err)
			return err;
		if (req.comp_mask || req.reserved)
			return -EOPNOTSUPP;
		if (udata->outlen < offsetofend(typeof(resp), rq_mmap_size))
			return -EINVAL;
		uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext, ibucontext);
	}

	qp->dev = dev;
	spin_lock_init(&qp->lock);
	INIT_WORK(&qp->work, pcv_qp_workfn);
	timer_setup(&qp->timer, pcv_qp_timer, 0);
	qp->user = !!udata;
	qp->state = IB_QPS_RESET;
	qp->pdn = to_pcv_pd(ibqp->pd)->pdn;
	qp->scq = to_pcv_cq(init->send_cq);
	qp->rcq = to_pcv_cq(init->recv_cq);
	qp->srq = init->srq ? to_pcv_srq(init->srq) : NULL;
	qp->sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR;
	qp->dest_blade = dev->info.blade_id;

	err = pcv_qp_alloc_index(dev, qp);
	if (err)
		return err;
	sq_n = roundup_pow_of_two(max_t(u32, init->cap.max_send_wr, 1));
	rq_n = qp->srq ? 0 : roundup_pow_of_two(max_t(u32, init->cap.max_recv_wr, 1));
	err = pcv_uring_alloc(&qp->sq, sq_n, PCV_SQ_STRIDE);
	if (err)
		goto err_free;
	if (rq_n) {
		err = pcv_uring_alloc(&qp->rq, rq_n, PCV_RQ_STRIDE);
		if (err)
			goto err_free;
	}
	qp->swqe = kvcalloc(sq_n, sizeof(*qp->swqe), GFP_KERNEL);
	if (!qp->swqe) {
		err = -ENOMEM;
		goto err_free;
	}
	/* Connected QPs get an inbound ring; datagrams use the blades' rings. */
	if (!pcv_qp_is_ud(qp)) {
		qp->ring_order = pcv_ring_order;
		qp->inb_size = PAGE_ALIGN(PCV_QP_CTL_SIZE +
					  ((size_t)1 << (qp->ring_order + PCV_MSG_SLOT_SHIFT)));
		qp->inb = dev->ops->alloc_fabric_mem(dev->priv, qp->inb_size, &qp->inb_addr);
		if (!qp->inb) {
			err = -ENOMEM;
			goto err_free;
		}
		qp->ctl = qp->inb;
		pcv_msgring_rx_init(&qp->rx, (u8 *)qp->inb + PCV_QP_CTL_SIZE, qp->ring_order);
	}

	qp->max_send_wr = sq_n;
	qp->max_recv_wr = rq_n;
	qp->max_send_sge = PCV_MAX_SEND_SGE;
	qp->max_recv_sge = PCV_MAX_RECV_SGE;
	qp->max_inline = PCV_MAX_INLINE;
	init->cap.max_send_wr = sq_n;
	init->cap.max_recv_wr = rq_n;
	init->cap.max_send_sge = PCV_MAX_SEND_SGE;
	init->cap.max_recv_sge = PCV_MAX_RECV_SGE;
	init->cap.max_inline_data = PCV_MAX_INLINE;

	if (udata) {
		u64 key;

		err = pcv_uring_map(&uctx->ibucontext, &qp->sq, &key);
		if (err)
			goto err_free;
		resp.sq_mmap_key = key;
		resp.sq_mmap_size = qp->sq.size;
		if (rq_n) {
			err = pcv_uring_map(&uctx->ibucontext, &qp->rq, &key);
			if (err)
				goto err_free;
			resp.rq_mmap_key = key;
			resp.rq_mmap_size = qp->rq.size;
		}
		resp.qpn = qp->qpn;
		resp.sq_entries = sq_n;
		resp.rq_entries = rq_n;
		resp.max_inline = PCV_MAX_INLINE;
		err = ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
		if (err)
			goto err_free;
	}
	ibqp->qp_num = qp->qpn;
	pcv_qp_publish(qp);
	xa_store(&dev->qp_xa, qp->index, qp, GFP_KERNEL);

	spin_lock_irqsave(&dev->qp_list_lock, flags);
	list_add_tail(&qp->dev_link, &dev->qp_list);
	spin_unlock_irqrestore(&dev->qp_list_lock, flags);
	spin_lock_irqsave(&qp->scq->list_lock, flags);
	list_add_tail(&qp->scq_link, &qp->scq->sqps);
	spin_unlock_irqrestore(&qp->scq->list_lock, flags);
	spin_lock_irqsave(&qp->rcq->list_lock, flags);
	list_add_tail(&qp->rcq_link, &qp->rcq->rqps);
	spin_unlock_irqrestore(&qp->rcq->list_lock, flags);
	return 0;

err_free:
	pcv_qp_free_mem(dev, qp);
	xa_erase(&dev->qp_xa, qp->index);
	return err;
}

/* Which blade a destination LID or GID names (-EINVAL if none of ours). */
static int pcv_ah_blade(struct pcv_dev *dev, const struct rdma_ah_attr *ah)
{
	int blade;

	if (ah->type != RDMA_AH_ATTR_TYPE_IB || rdma_ah_get_port_num(ah) > PCV_PORT)
		return -EINVAL;
	if (rdma_ah_get_ah_flags(ah) & IB_AH_GRH) {
		blade = pcv_gid_blade(dev, rdma_ah_read_grh(ah)->dgid.raw);
		if (blade < 0 || (rdma_ah_get_dlid(ah) && rdma_ah_get_dlid(ah) != blade + 1))
			return -EINVAL;
	} else {
		if (!rdma_ah_get_dlid(ah))
			return -EINVAL;
		blade = rdma_ah_get_dlid(ah) - 1;
	}
	return (u32)blade < dev->info.nr_blades ? blade : -EINVAL;
}

/* Value checks ib_modify_qp_is_ok does not do. */
static int pcv_qp_check_attr(struct pcv_qp *qp, const struct ib_qp_attr *a, int mask)
{
	struct pcv_dev *dev = qp->dev;

	if (mask & ~(IB_QP_STATE | IB_QP_CUR_STATE | IB_QP_EN_SQD_ASYNC_NOTIFY |
		     IB_QP_ACCESS_FLAGS | IB_QP_PKEY_INDEX | IB_QP_PORT | IB_QP_AV |
		     IB_QP_PATH_MTU | IB_QP_TIMEOUT | IB_QP_RETRY_CNT | IB_QP_RNR_RETRY |
		     IB_QP_RQ_PSN | IB_QP_MAX_QP_RD_ATOMIC | IB_QP_MIN_RNR_TIMER | IB_QP_SQ_PSN |
		     IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_DEST_QPN | IB_QP_QKEY))
		return -EOPNOTSUPP;	/* IB_QP_CAP, alternate paths, rate limits */
	if ((mask & IB_QP_PORT) && a->port_num != PCV_PORT)
		return -EINVAL;
	if ((mask & IB_QP_PKEY_INDEX) && a->pkey_index != 0)
		return -EINVAL;
	if ((mask & IB_QP_ACCESS_FLAGS) &&
	    a->qp_access_flags & ~(IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
				   IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_ATOMIC))
		return -EINVAL;
	if ((mask & IB_QP_PATH_MTU) && (a->path_mtu < IB_MTU_256 || a->path_mtu > IB_MTU_4096))
		return -EINVAL;
	if ((mask & IB_QP_AV) && pcv_ah_blade(dev, &a->ah_attr) < 0)
		return -EINVAL;
	if ((mask & IB_QP_DEST_QPN) && (a->dest_qp_num >= (1U << 24) || a->dest_qp_num < 2))
		return -EINVAL;
	if ((mask & IB_QP_TIMEOUT) && a->timeout > 31)
		return -EINVAL;
	if ((mask & IB_QP_RETRY_CNT) && a->retry_cnt > 7)
		return -EINVAL;
	if ((mask & IB_QP_RNR_RETRY) && a->rnr_retry > 7)
		return -EINVAL;
	if ((mask & IB_QP_MIN_RNR_TIMER) && a->min_rnr_timer > 31)
		return -EINVAL;
	if ((mask & IB_QP_MAX_QP_RD_ATOMIC) && a->max_rd_atomic > PCV_MAX_RD_ATOMIC)
		return -EINVAL;
	if ((mask & IB_QP_MAX_DEST_RD_ATOMIC) && a->max_dest_rd_atomic > PCV_MAX_RD_ATOMIC)
		return -EINVAL;
	if ((mask & IB_QP_SQ_PSN) && a->sq_psn >= (1U << 24))
		return -EINVAL;
	if ((mask & IB_QP_RQ_PSN) && a->rq_psn >= (1U << 24))
		return -EINVAL;
	return 0;
}

static void pcv_qp_apply_attr(struct pcv_qp *qp, const struct ib_qp_attr *a, int mask)
{
	if (mask & IB_QP_ACCESS_FLAGS)
		qp->qp_access_flags = a->qp_access_flags;
	if (mask & IB_QP_PATH_MTU)
		qp->path_mtu = a->path_mtu;
	if (mask & IB_QP_AV) {
		qp->ah = a->ah_attr;
		qp->dest_blade = pcv_ah_blade(qp->dev, &a->ah_attr);
	}
	if (mask & IB_QP_DEST_QPN)
		qp->dest_qpn = a->dest_qp_num;
	if (mask & IB_QP_TIMEOUT)
		qp->timeout = a->timeout;
	if (mask & IB_QP_RETRY_CNT)
		qp->retry_cnt = a->retry_cnt;
	if (mask & IB_QP_RNR_RETRY)
		qp->rnr_retry = a->rnr_retry;
	if (mask & IB_QP_MIN_RNR_TIMER)
		qp->min_rnr_timer = a->min_rnr_timer;
	if (mask & IB_QP_MAX_QP_RD_ATOMIC)
		qp->max_rd_atomic = a->max_rd_atomic;
	if (mask & IB_QP_MAX_DEST_RD_ATOMIC)
		qp->max_dest_rd_atomic = a->max_dest_rd_atomic;
	if (mask & IB_QP_SQ_PSN)
		qp->sq_psn = a->sq_psn;
	if (mask & IB_QP_RQ_PSN)
		qp->rq_psn = a->rq_psn;
	if (mask & IB_QP_QKEY)
		qp->qkey = a->qkey;
}

/* Forget everything queued (qp->lock held): what RESET means. */
static void pcv_qp_reset_locked(struct pcv_qp *qp)
{
	u32 i;

	for (i = 0; i < qp->sq.entries; i++) {
		struct pcv_swqe *s = &qp->swqe[i];
		u32 k;

		for (k = 0; k < PCV_MAX_SEND_SGE; k++)
			if (s->hold[k])
				pcv_mr_put(s->hold[k]);
		/* A DMA still running owns its transfer; it completes into nothing. */
		memset(s, 0, sizeof(*s));
	}
	qp->sq_head = 0;
	qp->sq_tail = 0;
	qp->rd_outstanding = 0;
	qp->sq.hdr->prod = 0;
	qp->sq.hdr->cons = 0;
	qp->sq.hdr->flags = 0;
	if (qp->rq.buf) {
		qp->rq.hdr->prod = 0;
		qp->rq.hdr->cons = 0;
		qp->rq.hdr->flags = 0;
	}
	qp->rq_cons = 0;
	qp->connected = false;
	qp->sq_draining = false;
	qp->wait_deadline_ns = 0;
	if (qp->inb) {
		memset(qp->inb, 0, qp->inb_size);
		pcv_msgring_rx_init(&qp->rx, (u8 *)qp->inb + PCV_QP_CTL_SIZE, qp->ring_order);
	}
}

/*
 * The peer we talked to must stop writing our inbound region before it is
 * reused or freed: tell it (QP_GONE) and fence it.  Process context.
 */
static void pcv_qp_release_peer(struct pcv_qp *qp, bool was_connected)
{
	struct pcv_dev *dev = qp->dev;

	if (!was_connected || qp->dest_blade == dev->info.blade_id)
		return;
	pcv_ctrl_send(dev, qp->dest_blade, PCV_CTRL_QP_GONE, 0, qp->qpn, qp->dest_qpn);
	if (pcv_fence(dev))
		ibdev_warn(&dev->ibdev, "QP %#x: peer blade %u did not confirm the fence\n",
			   qp->qpn, qp->dest_blade);
}

/*
 * modify_qp's driver data: none (older providers: no bytes, or zeros), or
 * struct pcv_ibv_modify_qp.
 */
static int pcv_modify_qp_req(struct ib_udata *udata, struct pcv_ibv_modify_qp *req)
{
	int err;

	if (udata && udata->inlen < sizeof(*req) &&
	    ib_is_udata_cleared(udata, 0, udata->inlen))
		udata = NULL;
	err = pcv_udata_req(udata, req, sizeof(*req));
	if (err)
		return err;
	if (req->comp_mask & ~PCV_MODIFY_QP_FAST)
		return -EOPNOTSUPP;
	if (!req->comp_mask && memchr_inv(req, 0, sizeof(*req)))
		return -EINVAL;
	return 0;
}

int pcv_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_udata *udata)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_ibv_modify_qp req;
	enum ib_qp_state cur, new;
	unsigned long flags;
	bool was_connected;
	int err;

	err = pcv_modify_qp_req(udata, &req);
	if (err)
		return err;
	if (req.comp_mask & PCV_MODIFY_QP_FAST)
		return mask ? -EINVAL : pcv_fast_op(qp, &req, udata);
	if (READ_ONCE(qp->fast))
		return -EBUSY;	/* the provider hands the QP back first */
	err = pcv_qp_check_attr(qp, attr, mask);
	if (err)
		return err;

	spin_lock_irqsave(&qp->lock, flags);
	cur = (mask & IB_QP_CUR_STATE) ? attr->cur_qp_state : qp->state;
	new = (mask & IB_QP_STATE) ? attr->qp_state : cur;
	if (cur != qp->state && !(cur == IB_QPS_SQE || qp->state == IB_QPS_SQE)) {
		spin_unlock_irqrestore(&qp->lock, flags);
		return -EINVAL;
	}
	if (!ib_modify_qp_is_ok(qp->state, new, ibqp->qp_type, mask)) {
		spin_unlock_irqrestore(&qp->lock, flags);
		return -EINVAL;
	}
	was_connected = qp->state >= IB_QPS_RTR && qp->state != IB_QPS_ERR;
	pcv_qp_apply_attr(qp, attr, mask);
	spin_unlock_irqrestore(&qp->lock, flags);

	/* Leaving a connection: the peer stops writing to us first. */
	if (new == IB_QPS_RESET) {
		pcv_qp_release_peer(qp, was_connected || qp->state == IB_QPS_ERR);
		pcv_fast_drop_peer_map(qp);
	}

	spin_lock_irqsave(&qp->lock, flags);
	switch (new) {
	case IB_QPS_RESET:
		qp->state = IB_QPS_RESET;
		pcv_qp_reset_locked(qp);
		break;
	case IB_QPS_INIT:
		qp->state = IB_QPS_INIT;
		break;
	case IB_QPS_RTR:
		if (qp->state == IB_QPS_INIT) {
			qp->peer_gone = false;
			qp->conn_gen++;
			qp->rx_msn = 0;
			qp->rx_acked = 0;
			qp->rx_credit = 0;
			qp->rnr_reported = 0;
			qp->rnr_retry_seen = 0;
			qp->rnr_pending = false;
		}
		qp->state = IB_QPS_RTR;
		break;
	case IB_QPS_RTS:
		if (qp->state == IB_QPS_RTR) {
			qp->tx_msn = 0;
			qp->acked_msn = 0;
			qp->rnr_seq_seen = 0;
			qp->rnr_retries = 0;
			qp->retries_left = qp->retry_cnt;
		}
		qp->sq_draining = false;
		qp->state = IB_QPS_RTS;
		break;
	case IB_QPS_SQD:
		qp->state = IB_QPS_SQD;
		qp->sq_draining = (mask & IB_QP_EN_SQD_ASYNC_NOTIFY) && attr->en_sqd_async_notify;
		break;
	case IB_QPS_SQE:
		qp->state = IB_QPS_SQE;
		break;
	case IB_QPS_ERR:
		pcv_qp_to_error(qp, "requested");
		break;
	}
	if (new != IB_QPS_ERR)
		pcv_qp_publish(qp);
	pcv_qp_progress(qp);
	spin_unlock_irqrestore(&qp->lock, flags);
	return 0;
}

int pcv_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *a, int mask,
		 struct ib_qp_init_attr *init)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	unsigned long flags;

	memset(a, 0, sizeof(*a));
	memset(init, 0, sizeof(*init));
	spin_lock_irqsave(&qp->lock, flags);
	a->qp_state = qp->state;
	a->cur_qp_state = qp->state;
	a->path_mtu = qp->path_mtu;
	a->path_mig_state = IB_MIG_MIGRATED;
	a->qkey = qp->qkey;
	a->rq_psn = qp->rq_psn;
	a->sq_psn = qp->sq_psn;
	a->dest_qp_num = qp->dest_qpn;
	a->qp_access_flags = qp->qp_access_flags;
	a->ah_attr = qp->ah;
	a->pkey_index = 0;
	a->port_num = PCV_PORT;
	a->sq_draining = qp->state == IB_QPS_SQD && qp->sq_head != qp->sq_tail;
	a->max_rd_atomic = qp->max_rd_atomic;
	a->max_dest_rd_atomic = qp->max_dest_rd_atomic;
	a->min_rnr_timer = qp->min_rnr_timer;
	a->timeout = qp->timeout;
	a->retry_cnt = qp->retry_cnt;
	a->rnr_retry = qp->rnr_retry;
	a->cap.max_send_wr = qp->max_send_wr;
	a->cap.max_recv_wr = qp->max_recv_wr;
	a->cap.max_send_sge = qp->max_send_sge;
	a->cap.max_recv_sge = qp->max_recv_sge;
	a->cap.max_inline_data = qp->max_inline;
	spin_unlock_irqrestore(&qp->lock, flags);

	init->qp_type = ibqp->qp_type;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	init->srq = ibqp->srq;
	init->cap = a->cap;
	init->sq_sig_type = qp->sig_all ? IB_SIGNAL_ALL_WR : IB_SIGNAL_REQ_WR;
	return 0;
}

int pcv_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_dev *dev = qp->dev;
	unsigned long flags;
	bool was_connected;
	u32 i, k;

	/* Unpublish: peers reading our table find no such QP any more. */
	spin_lock_irqsave(&qp->lock, flags);
	was_connected = qp->state >= IB_QPS_RTR;
	/*
	 * An HCA acknowledges a message when it arrives.  Ours sit in the
	 * inbound ring until the next progress run: receive and acknowledge
	 * what already arrived, or a peer whose last SEND landed just before
	 * the destroy sees it fail with retry exceeded (ibv_srq_pingpong's
	 * server, 1 run in 10).  A pull still in flight stays unacknowledged.
	 */
	if (was_connected && !qp->fast && !pcv_qp_is_ud(qp)) {
		pcv_rx_process(qp);
		pcv_rx_publish(qp);
	}
	/* A fast session ends here without a hand-back: its traffic, bounded. */
	if (qp->fast)
		pcv_fast_stats_fold(qp, NULL);
	WRITE_ONCE(qp->gone, true);
	pcv_qp_publish(qp);
	spin_unlock_irqrestore(&qp->lock, flags);

	spin_lock_irqsave(&qp->scq->list_lock, flags);
	list_del(&qp->scq_link);
	spin_unlock_irqrestore(&qp->scq->list_lock, flags);
	spin_lock_irqsave(&qp->rcq->list_lock, flags);
	list_del(&qp->rcq_link);
	spin_unlock_irqrestore(&qp->rcq->list_lock, flags);
	spin_lock_irqsave(&dev->qp_list_lock, flags);
	list_del(&qp->dev_link);
	spin_unlock_irqrestore(&dev->qp_list_lock, flags);

	pcv_qp_release_peer(qp, was_connected);
	pcv_fast_destroy(qp);
	/* Datagram delivery finds members through the groups: leave them. */
	pcv_mcast_detach_qp(dev, qp);
	del_timer_sync(&qp->timer);
	cancel_work_sync(&qp->work);
	/* Transfers of ours still running complete into it: wait for the engine. */
	pcv_dma_barrier(dev, PCV_QP_FENCE_MS);
	flush_workqueue(dev->wq);
	xa_erase(&dev->qp_xa, qp->index);
	synchronize_rcu();

	for (i = 0; i < qp->sq.entries; i++)
		for (k = 0; k < PCV_MAX_SEND_SGE; k++)
			if (qp->swqe[i].hold[k])
				pcv_mr_put(qp->swqe[i].hold[k]);
	pcv_qp_free_mem(dev, qp);
	return 0;
}
