// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs fast path: a connected RC/UC QP of a process handed to its
 * provider, which then writes small SENDs into the peer QP's inbound ring
 * and consumes its own, with no system call (pcieverbs-abi.h has the
 * contract).  The kernel's part is small: check that the QP is idle and
 * hand it over (ENTER), take it back and check what the provider says it
 * did (LEAVE), and own the two mappings that make it possible.
 *
 * Protection stays where it was.  The provider can reach only its own
 * inbound region and the peer QP's, which the peer already treats as
 * hostile input (it checks every message, and refuses rendezvous sources
 * outside the sending QP's PD and fabric addresses from a process).  What
 * it says at LEAVE is checked against the rings and our own indices; a lie
 * breaks only its own connection.
 *
 * The mappings are revocable: each is one VMA we track.  Revoking (the
 * peer QP or blade left, our QP is reset or destroyed) zaps its pages;
 * later accesses fault in a scratch page of the mapping's own, so a
 * process never keeps a window onto memory the peer reuses, and a
 * provider that stores into a revoked mapping is not killed for it.
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

struct pcv_fast_map {
	struct pcv_user_mmap um;	/* the mmap entry (um.fmap points here) */
	phys_addr_t phys;		/* what is mapped: page aligned */
	size_t size;
	bool wc;			/* a window: write-combining */
	struct page *sink;		/* replaces the pages once revoked */
	struct list_head revoke_link;	/* pcv_dev.revoke_list */
	struct mutex lock;		/* protects revoked, vma, mm */
	bool revoked;
	struct vm_area_struct *vma;	/* the one mapping, or NULL */
	struct mm_struct *mm;		/* its mm (mmgrab'ed) */
};

/* ---- revocable mappings ------------------------------------------------- */

static vm_fault_t pcv_fast_fault(struct vm_fault *vmf)
{
	struct pcv_fast_map *m = vmf->vma->vm_private_data;

	/* Only a zapped (revoked) page faults: give it the scratch page. */
	if (!READ_ONCE(m->revoked))
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(m->sink));
}

static void pcv_fast_vm_close(struct vm_area_struct *vma)
{
	struct pcv_fast_map *m = vma->vm_private_data;

	mutex_lock(&m->lock);
	m->vma = NULL;
	mmdrop(m->mm);
	m->mm = NULL;
	mutex_unlock(&m->lock);
	rdma_user_mmap_entry_put(&m->um.rdma_entry);	/* the mapping's reference */
}

/* One VMA, as mapped: it may not be split or moved (we track it by address). */
static int pcv_fast_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int pcv_fast_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct pcv_fast_vm_ops = {
	.close = pcv_fast_vm_close,
	.fault = pcv_fast_fault,
	.may_split = pcv_fast_may_split,
	.mremap = pcv_fast_mremap,
};

/* pcv_mmap for a fast-path entry; called with a reference to the entry. */
int pcv_fast_mmap(struct pcv_fast_map *m, struct vm_area_struct *vma)
{
	pgprot_t prot = m->wc ? pgprot_writecombine(vma->vm_page_prot) : vma->vm_page_prot;
	int err;

	if (vma->vm_end - vma->vm_start != m->size || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&m->lock);
	if (m->revoked || m->vma) {
		err = -EBUSY;
		goto out;
	}
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_private_data = m;
	vma->vm_ops = &pcv_fast_vm_ops;
	err = io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(m->phys), m->size, prot);
	if (err)
		goto out;
	m->vma = vma;
	m->mm = vma->vm_mm;
	mmgrab(m->mm);
	kref_get(&m->um.rdma_entry.ref);	/* dropped by pcv_fast_vm_close */
out:
	mutex_unlock(&m->lock);
	return err;
}

static struct pcv_fast_map *pcv_fast_map_new(struct ib_ucontext *uctx, phys_addr_t phys,
					     size_t size, bool wc)
{
	struct pcv_fast_map *m;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->sink = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!m->sink) {
		err = -ENOMEM;
		goto err_free;
	}
	mutex_init(&m->lock);
	INIT_LIST_HEAD(&m->revoke_link);
	m->phys = phys;
	m->size = size;
	m->wc = wc;
	m->um.fmap = m;
	m->um.size = size;
	err = rdma_user_mmap_entry_insert(uctx, &m->um.rdma_entry, size);
	if (err)
		goto err_sink;
	return m;

err_sink:
	__free_page(m->sink);
err_free:
	kfree(m);
	return ERR_PTR(err);
}

/* pcv_mmap_free: the last reference (the QP's and every mapping's) is gone. */
void pcv_fast_map_free(struct pcv_fast_map *m)
{
	__free_page(m->sink);
	kfree(m);
}

/* Zap the mapping (process context, no spinlock held). */
static void pcv_fast_revoke(struct pcv_fast_map *m)
{
	struct mm_struct *mm;

	mutex_lock(&m->lock);
	m->revoked = true;
	mm = m->mm;
	if (mm)
		mmgrab(mm);
	mutex_unlock(&m->lock);
	if (!mm)
		return;
	/* An exiting process loses the mapping anyway. */
	if (mmget_not_zero(mm)) {
		mmap_read_lock(mm);
		mutex_lock(&m->lock);
		if (m->vma && m->vma->vm_mm == mm)
			zap_vma_ptes(m->vma, m->vma->vm_start, m->vma->vm_end - m->vma->vm_start);
		mutex_unlock(&m->lock);
		mmap_read_unlock(mm);
		mmput(mm);
	}
	mmdrop(mm);
}

/* Revoke and drop the QP's reference (process context). */
static void pcv_fast_release(struct pcv_fast_map *m)
{
	if (!m)
		return;
	pcv_fast_revoke(m);
	rdma_user_mmap_entry_remove(&m->um.rdma_entry);
}

/*
 * The peer QP (or blade) left: its region will be reused once it has our
 * fence acknowledgment.  Called under qp->lock from pcv_qps_peer_gone; the
 * caller then runs pcv_fast_revoke_pending before anything acknowledges.
 */
void pcv_fast_unmap_peer(struct pcv_qp *qp)
{
	struct pcv_dev *dev = qp->dev;
	unsigned long flags;

	if (!qp->peer_map)
		return;
	spin_lock_irqsave(&dev->revoke_lock, flags);
	list_add_tail(&qp->peer_map->revoke_link, &dev->revoke_list);
	spin_unlock_irqrestore(&dev->revoke_lock, flags);
	qp->peer_map = NULL;
}

void pcv_fast_revoke_pending(struct pcv_dev *dev)
{
	for (;;) {
		struct pcv_fast_map *m;
		unsigned long flags;

		spin_lock_irqsave(&dev->revoke_lock, flags);
		m = list_first_entry_or_null(&dev->revoke_list, struct pcv_fast_map, revoke_link);
		if (m)
			list_del_init(&m->revoke_link);
		spin_unlock_irqrestore(&dev->revoke_lock, flags);
		if (!m)
			break;
		pcv_fast_release(m);
	}
}

/* The QP leaves its connection (RESET): the next one maps its own peer. */
void pcv_fast_drop_peer_map(struct pcv_qp *qp)
{
	struct pcv_fast_map *m;
	unsigned long flags;

	spin_lock_irqsave(&qp->lock, flags);
	m = qp->peer_map;
	qp->peer_map = NULL;
	spin_unlock_irqrestore(&qp->lock, flags);
	pcv_fast_release(m);
}

/* destroy_qp, after the QP is unpublished and its peer fenced. */
void pcv_fast_destroy(struct pcv_qp *qp)
{
	pcv_fast_release(qp->peer_map);
	qp->peer_map = NULL;
	pcv_fast_release(qp->inb_map);
	qp->inb_map = NULL;
	if (qp->fast)
		atomic_dec(&qp->fast_uctx->nr_fast);
	qp->fast = false;
}

/* ---- ENTER and LEAVE ------------------------------------------------------ */

/* In the SQ ring's header page: the process reads it, only we write it. */
static struct pcv_fast_info *pcv_fast_info_of(struct pcv_qp *qp)
{
	return (struct pcv_fast_info *)((u8 *)qp->sq.buf + PCV_FAST_INFO_OFF);
}

/* Bytes of the peer's region we map: control block and ring, whole pages. */
static size_t pcv_fast_peer_size(struct pcv_qp *qp)
{
	return PAGE_ALIGN(PCV_QP_CTL_SIZE + ((size_t)1 << (qp->tx.order + PCV_MSG_SLOT_SHIFT)));
}

/* Nothing in flight the kernel would have to finish: qp->lock held. */
static bool pcv_fast_idle(struct pcv_qp *qp)
{
	return qp->state == IB_QPS_RTS && qp->connected && !qp->peer_gone &&
	       qp->sq_tail == qp->sq_head && READ_ONCE(qp->sq.hdr->prod) == qp->sq_head &&
	       !qp->rd_outstanding && !qp->wr_dma_outstanding && !qp->rnr_retry_due &&
	       !qp->rx_pend.active && !qp->rnr_pending && !qp->rx_more &&
	       qp->acked_msn == qp->tx_msn && !pcv_local_read32(&qp->ctl->nak_code) &&
	       !READ_ONCE(qp->scq->armed) && !READ_ONCE(qp->rcq->armed) &&
	       !(qp->srq && (READ_ONCE(qp->srq->limit) || READ_ONCE(qp->srq->broken)));
}

static void pcv_fast_write_info(struct pcv_qp *qp)
{
	struct pcv_fast_info i = {
		.gen = qp->fast_gen,
		.qpn = qp->qpn,
		.dest_qpn = qp->dest_qpn,
		.dest_blade = qp->dest_blade,
		.conn_gen = qp->conn_gen,
		.peer_conn_gen = qp->peer_conn_gen,
		.ring_order = qp->ring_order,
		.peer_ring_order = qp->tx.order,
		.sq_idx = qp->sq_head,
		.tx_msn = qp->tx_msn,
		.tx_prod = qp->tx.prod,
		.rx_cons = qp->rx.cons,
		.rx_msn = qp->rx_msn,
		.rq_cons = qp->rq_cons,
		.max_payload = min_t(u32, READ_ONCE(pcv_fast_max),
				     pcv_msg_capacity(PCV_MSG_MAX_SLOTS)),
		.inb_key = rdma_user_mmap_get_offset(&qp->inb_map->um.rdma_entry),
		.inb_size = qp->inb_map->size,
		.peer_key = rdma_user_mmap_get_offset(&qp->peer_map->um.rdma_entry),
		.peer_size = qp->peer_map->size,
	};

	memcpy(pcv_fast_info_of(qp), &i, sizeof(i));
}

/* ---- traffic the provider counts (port counters) ------------------------- */

static void pcv_fast_stats_read(struct pcv_qp *qp, u64 *v)
{
	const struct pcv_fast_stats *st =
		(const struct pcv_fast_stats *)((u8 *)qp->sq.buf + PCV_FAST_STATS_OFF);

	v[0] = READ_ONCE(st->tx_bytes);
	v[1] = READ_ONCE(st->tx_msgs);
	v[2] = READ_ONCE(st->rx_bytes);
	v[3] = READ_ONCE(st->rx_msgs);
}

/* Forward step of a total already taken this session. */
static u64 pcv_fast_step(u64 *taken, u64 now)
{
	u64 d = now > *taken ? now - *taken : 0;

	*taken += d;
	return d;
}

/*
 * Fold what the provider says this fast session carried into the port
 * counters (qp->lock held, qp->fast).  Its totals are hostile: a step back
 * counts nothing, messages are bounded by one per 100 ns of the session
 * (far beyond the fast path's ~1 us) or, at LEAVE, by exactly the
 * messages the kernel knows were sent (exact[0]) and received (exact[1]);
 * bytes by max_payload per message.  What was taken is never given back.
 */
void pcv_fast_stats_fold(struct pcv_qp *qp, const u32 *exact)
{
	struct pcv_dev *dev = qp->dev;
	u64 v[4], live = div_u64(ktime_get_ns() - qp->fast_enter_ns, 100) + 1;
	u32 mtu = pcv_qp_mtu(qp);
	int dir;

	lockdep_assert_held(&qp->lock);
	pcv_fast_stats_read(qp, v);
	for (dir = 0; dir < 2; dir++) {
		u64 bytes = v[2 * dir] - qp->fast_st_base[2 * dir];
		u64 msgs = v[2 * dir + 1] - qp->fast_st_base[2 * dir + 1];
		u64 pkts, db, dp;

		if (msgs > live)	/* also a step back, which wraps */
			msgs = live;
		if (exact)
			msgs = exact[dir];
		if (bytes > msgs * qp->fast_max_payload)
			bytes = msgs * qp->fast_max_payload;
		/* Each message is at least one packet; a long one several. */
		pkts = max(msgs, div_u64(bytes + mtu - 1, mtu));
		db = pcv_fast_step(&qp->fast_st_taken[2 * dir], bytes);
		dp = pcv_fast_step(&qp->fast_st_taken[2 * dir + 1], pkts);
		if (dir == 0)
			pcv_count_xmit(dev, db, dp);
		else
			pcv_count_rcv(dev, db, dp);
	}
}

static int pcv_fast_enter(struct pcv_qp *qp, struct ib_ucontext *uctx)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_fast_map *inb = NULL, *peer = NULL, *old = NULL;
	phys_addr_t peer_phys = 0;
	unsigned long flags;
	size_t peer_size = 0;
	int err = 0;

	/* An SRQ is claimed from side by side (pcv_srq_pop): only a
	 * process's own SRQ, whose ring it maps, can be.
	 */
	if (!READ_ONCE(pcv_fast_max) || (qp->srq && !qp->srq->user) ||
	    (qp->ibqp.qp_type != IB_QPT_RC && qp->ibqp.qp_type != IB_QPT_UC))
		return -EOPNOTSUPP;
	if (qp->dest_blade == dev->info.blade_id)
		return -EOPNOTSUPP;	/* loopback: the kernel path */

	/* Catch up and connect; learn where the peer's region is. */
	spin_lock_irqsave(&qp->lock, flags);
	if (qp->fast)
		goto out_unlock;	/* already: the info is in place */
	pcv_qp_progress(qp);
	if (qp->state != IB_QPS_RTS || qp->peer_gone) {
		err = -EAGAIN;
		goto out_unlock;
	}
	if (qp->connected) {
		struct pcv_peer *p = &dev->peers[qp->dest_blade];

		peer_size = pcv_fast_peer_size(qp);
		if (!p->win_phys || !PAGE_ALIGNED(qp->peer_inb_addr)) {
			err = -EOPNOTSUPP;
			goto out_unlock;
		}
		peer_phys = p->win_phys + qp->peer_inb_addr;
	}
	spin_unlock_irqrestore(&qp->lock, flags);
	if (!peer_phys)
		return -EAGAIN;	/* not connected yet */

	/* The mappings (sleeping allocations), made once per QP / connection. */
	if (!qp->inb_map) {
		inb = pcv_fast_map_new(uctx, virt_to_phys(qp->inb), qp->inb_size, false);
		if (IS_ERR(inb))
			return PTR_ERR(inb);
	}
	if (!qp->peer_map || qp->peer_map->phys != peer_phys || qp->peer_map->size != peer_size) {
		peer = pcv_fast_map_new(uctx, peer_phys, peer_size, true);
		if (IS_ERR(peer)) {
			pcv_fast_release(inb);
			return PTR_ERR(peer);
		}
	}

	spin_lock_irqsave(&qp->lock, flags);
	if (inb) {
		if (!qp->inb_map) {
			qp->inb_map = inb;
			inb = NULL;
		}
	}
	if (peer) {
		old = qp->peer_map;
		qp->peer_map = peer;
		peer = NULL;
	}
	pcv_qp_progress(qp);
	if (qp->fast)
		goto out_unlock;
	if (!pcv_fast_idle(qp) || !qp->peer_map ||
	    qp->peer_map->phys != dev->peers[qp->dest_blade].win_phys + qp->peer_inb_addr) {
		err = -EAGAIN;
		goto out_unlock;
	}
	qp->fast = true;
	qp->fast_uctx = to_pcv_ucontext(uctx);
	atomic_inc(&qp->fast_uctx->nr_fast);
	qp->fast_gen++;
	qp->fast_sq_idx = qp->sq_head;
	qp->fast_tx_msn = qp->tx_msn;
	WRITE_ONCE(qp->sq.hdr->flags, qp->sq.hdr->flags & ~PCV_RING_F_LEAVE);
	pcv_fast_write_info(qp);
	/* The provider's totals so far are not this session's. */
	pcv_fast_stats_read(qp, qp->fast_st_base);
	memset(qp->fast_st_taken, 0, sizeof(qp->fast_st_taken));
	qp->fast_enter_ns = ktime_get_ns();
	qp->fast_max_payload = pcv_fast_info_of(qp)->max_payload;
	/* The info before the provider, back from the system call, reads it. */
	smp_wmb();
	pcv_count(dev, PCV_CNT_FAST_ENTER, 1);
out_unlock:
	spin_unlock_irqrestore(&qp->lock, flags);
	pcv_fast_release(inb);
	pcv_fast_release(peer);
	pcv_fast_release(old);
	return err;
}

/*
 * Is what the provider says possible?  Each index may only have moved
 * forward from where the kernel left it, and not past what the rings hold.
 */
static bool pcv_fast_leave_ok(struct pcv_qp *qp, const struct pcv_ibv_modify_qp *r)
{
	u32 e = qp->fast_sq_idx, prod = READ_ONCE(qp->sq.hdr->prod);
	u32 sent = r->sq_sent - e, done = r->sq_done - e;
	u32 slots = r->tx_prod - qp->tx.prod, rx_slots = r->rx_cons - qp->rx.cons;
	u32 rq_prod = qp->rq.buf ? READ_ONCE(qp->rq.hdr->prod) : qp->rq_cons;

	/* The provider may have gone round the SQ many times since entry. */
	if (prod - e > 1U << 30 || sent > prod - e || done > sent ||
	    prod - r->sq_done > qp->sq.entries)
		return false;
	/* A message and the PAD before it take at most twice the largest. */
	if ((u64)slots > (u64)sent * 2 * PCV_MSG_MAX_SLOTS || !sent != !slots)
		return false;
	if (r->rx_msn - qp->rx_msn > rx_slots || rx_slots > 1U << 30)
		return false;
	if (r->rq_cons - qp->rq_cons > rq_prod - qp->rq_cons ||
	    r->rq_cons - qp->rq_cons > r->rx_msn - qp->rx_msn)
		return false;
	return true;
}

static int pcv_fast_leave(struct pcv_qp *qp, const struct pcv_ibv_modify_qp *r)
{
	unsigned long flags;
	u32 e;

	spin_lock_irqsave(&qp->lock, flags);
	if (!qp->fast) {
		spin_unlock_irqrestore(&qp->lock, flags);
		return 0;
	}
	e = qp->fast_sq_idx;
	/* The session's traffic: exact message counts if the hand-back holds. */
	if (pcv_fast_leave_ok(qp, r)) {
		u32 exact[2] = { r->sq_sent - e, r->rx_msn - qp->rx_msn };

		pcv_fast_stats_fold(qp, exact);
	} else {
		pcv_fast_stats_fold(qp, NULL);
	}
	qp->fast = false;
	atomic_dec(&qp->fast_uctx->nr_fast);
	WRITE_ONCE(qp->sq.hdr->flags, qp->sq.hdr->flags & ~PCV_RING_F_LEAVE);
	pcv_count(qp->dev, PCV_CNT_FAST_LEAVE, 1);
	if (!pcv_fast_leave_ok(qp, r) ||
	    pcv_tx_adopt(qp, r->sq_done, r->sq_sent, qp->fast_tx_msn + (r->sq_done - e))) {
		/* Its word is all we have: the connection cannot go on. */
		ibdev_dbg(&qp->dev->ibdev,
			  "QP %#x: fast hand-back sq %u..%u/%u (entry %u, prod %u) tx %u (ours %u) rx %u msn %u rq %u (ours %u %u %u)\n",
			  qp->qpn, r->sq_done, r->sq_sent, r->sq_sent - e, e,
			  READ_ONCE(qp->sq.hdr->prod), r->tx_prod, qp->tx.prod, r->rx_cons,
			  r->rx_msn, r->rq_cons, qp->rx.cons, qp->rx_msn, qp->rq_cons);
		pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
		WRITE_ONCE(qp->sq.hdr->flags, qp->sq.hdr->flags | PCV_RING_F_ERROR);
		pcv_qp_to_error(qp, "impossible fast-path state");
	} else {
		qp->tx_msn = qp->fast_tx_msn + (r->sq_sent - e);
		qp->tx.prod = r->tx_prod;
		qp->rx.cons = r->rx_cons;
		qp->rx_msn = r->rx_msn;
		/* The provider wrote these into the peer's control block. */
		qp->rx_credit = r->rx_cons;
		qp->rx_acked = r->rx_msn;
		qp->rq_cons = r->rq_cons;
		if (qp->rq.buf)
			WRITE_ONCE(qp->rq.hdr->cons, qp->rq_cons);
	}
	pcv_qp_progress(qp);
	spin_unlock_irqrestore(&qp->lock, flags);
	return 0;
}

/* modify_qp with attr_mask 0 and PCV_MODIFY_QP_FAST. */
int pcv_fast_op(struct pcv_qp *qp, const struct pcv_ibv_modify_qp *req, struct ib_udata *udata)
{
	struct pcv_ucontext *uctx;

	if (!udata || !qp->user)
		return -EINVAL;
	uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext, ibucontext);
	switch (req->op) {
	case PCV_FAST_ENTER:
		if (req->sq_sent || req->sq_done || req->tx_prod || req->rx_cons ||
		    req->rx_msn || req->rq_cons)
			return -EINVAL;
		return pcv_fast_enter(qp, &uctx->ibucontext);
	case PCV_FAST_LEAVE:
		return pcv_fast_leave(qp, req);
	default:
		return -EINVAL;
	}
}

/*
 * pcv_qp_progress of a fast QP (qp->lock held): the provider does the work.
 * The kernel only rings the peer for it (the doorbell of a provider whose
 * peer asked to be rung) and asks for the QP back when it must act.
 */
void pcv_fast_progress(struct pcv_qp *qp)
{
	if (qp->state != IB_QPS_RTS || qp->peer_gone)
		WRITE_ONCE(qp->sq.hdr->flags, qp->sq.hdr->flags | PCV_RING_F_LEAVE);
	else if (qp->connected && READ_ONCE(qp->ctl->want_kick))
		pcv_qp_kick_peer(qp);
}
