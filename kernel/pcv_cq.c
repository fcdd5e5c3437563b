// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs completion queues.
 *
 * The ring (include/rdma/pcieverbs-abi.h) is produced by the kernel only;
 * user CQs are consumed by the provider in user space, kernel CQs by
 * pcv_poll_cq.  A user CQ's consumer index is written by the process: it is
 * only trusted to lie within the ring, otherwise the CQ is broken (as is a
 * full ring: IB_EVENT_CQ_ERR).  Polling an empty user CQ calls poll_cq for
 * one entry (6.1 calls the driver once per requested entry, never for 0):
 * that is where the QPs using it process their inbound work, and we return
 * none through the system call (the process reads the ring).
 */
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

static struct pcv_cqe *pcv_cq_entry(struct pcv_cq *cq, u32 idx)
{
	return (struct pcv_cqe *)(cq->ring.ents + (size_t)(idx & (cq->ring.entries - 1)) *
				  PCV_CQE_SIZE);
}

static void pcv_cq_comp_work(struct work_struct *work)
{
	struct pcv_cq *cq = container_of(work, struct pcv_cq, comp_work);
	unsigned long flags;
	bool fire;

	spin_lock_irqsave(&cq->lock, flags);
	fire = cq->notify_pending;
	cq->notify_pending = false;
	spin_unlock_irqrestore(&cq->lock, flags);
	if (fire && cq->ibcq.comp_handler)
		cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
}

/* Mark the CQ broken and tell its owner (any context). */
void pcv_cq_error(struct pcv_cq *cq)
{
	struct ib_event ev = {
		.device = cq->ibcq.device,
		.element.cq = &cq->ibcq,
		.event = IB_EVENT_CQ_ERR,
	};

	if (cq->broken)
		return;
	cq->broken = true;
	WRITE_ONCE(cq->ring.hdr->flags, READ_ONCE(cq->ring.hdr->flags) | PCV_RING_F_ERROR);
	pcv_count(to_pcv_dev(cq->ibcq.device), PCV_CNT_BAD_INPUT, 1);
	if (cq->ibcq.event_handler)
		cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
}

/*
 * Add a completion.  Returns 0, or -EOVERFLOW / -EIO when the CQ is (now)
 * broken: the caller moves its QP to error.  Any context; cq->lock inside.
 */
int pcv_cq_push(struct pcv_cq *cq, const struct pcv_cqe *cqe, bool solicited)
{
	unsigned long flags;
	u32 cons, used;
	int err = 0;

	spin_lock_irqsave(&cq->lock, flags);
	if (cq->broken) {
		err = -EIO;
		goto out;
	}
	cons = READ_ONCE(cq->ring.hdr->cons);
	used = cq->prod - cons;
	if (used > cq->ring.entries) {
		/* The process wrote an impossible consumer index. */
		pcv_cq_error(cq);
		err = -EIO;
		goto out;
	}
	if (used == cq->ring.entries) {
		WRITE_ONCE(cq->ring.hdr->flags,
			   READ_ONCE(cq->ring.hdr->flags) | PCV_RING_F_OVERFLOW);
		pcv_cq_error(cq);
		err = -EOVERFLOW;
		goto out;
	}
	*pcv_cq_entry(cq, cq->prod) = *cqe;
	/* The entry before the index that publishes it. */
	smp_wmb();
	cq->prod++;
	WRITE_ONCE(cq->ring.hdr->prod, cq->prod);
	if (cq->armed == IB_CQ_NEXT_COMP ||
	    (cq->armed == IB_CQ_SOLICITED && (solicited || cqe->status != IB_WC_SUCCESS))) {
		cq->armed = 0;
		cq->notify_pending = true;
		queue_work(to_pcv_dev(cq->ibcq.device)->wq, &cq->comp_work);
	}
out:
	spin_unlock_irqrestore(&cq->lock, flags);
	return err;
}

static int pcv_cq_ring_alloc(struct pcv_cq *cq, struct ib_udata *udata, u32 entries,
			     u64 *key)
{
	struct pcv_ucontext *uctx;
	int err = pcv_uring_alloc(&cq->ring, entries, PCV_CQE_SIZE);

	if (err || !udata)
		return err;
	uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext, ibucontext);
	err = pcv_uring_map(&uctx->ibucontext, &cq->ring, key);
	if (err)
		pcv_uring_free(&cq->ring);
	return err;
}

int pcv_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		  struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibcq->device);
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	struct pcv_ibv_create_cq_resp resp = {};
	struct pcv_ibv_create_cq req;
	u64 key = 0;
	int err;

	if (attr->flags || attr->comp_vector >= ibcq->device->num_comp_vectors)
		return -EOPNOTSUPP;
	if (attr->cqe < 1 || attr->cqe > PCV_MAX_CQE)
		return -EINVAL;
	err = pcv_udata_req(udata, &req, sizeof(req));
	if (err)
		return err;
	if (req.comp_mask || req.reserved)
		return -EOPNOTSUPP;
	if (udata && udata->outlen < offsetofend(typeof(resp), mmap_size))
		return -EINVAL;
	if (atomic_inc_return(&dev->nr_cq) > PCV_MAX_CQ) {
		err = -ENOMEM;
		goto err_count;
	}

	spin_lock_init(&cq->lock);
	spin_lock_init(&cq->list_lock);
	INIT_LIST_HEAD(&cq->sqps);
	INIT_LIST_HEAD(&cq->rqps);
	INIT_WORK(&cq->comp_work, pcv_cq_comp_work);
	cq->user = !!udata;
	if (udata)
		cq->uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext, ibucontext);
	err = pcv_cq_ring_alloc(cq, udata, roundup_pow_of_two(attr->cqe + 1), &key);
	if (err)
		goto err_count;
	cq->depth = cq->ring.entries - 1;
	ibcq->cqe = cq->depth;
	if (udata) {
		resp.cq_entries = cq->ring.entries;
		resp.mmap_key = key;
		resp.mmap_size = cq->ring.size;
		err = ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
		if (err)
			goto err_ring;
	}
	return 0;

err_ring:
	pcv_uring_free(&cq->ring);
err_count:
	atomic_dec(&dev->nr_cq);
	return err;
}

int pcv_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibcq->device);
	struct pcv_cq *cq = to_pcv_cq(ibcq);

	/* The core guarantees no QP uses it any more. */
	cancel_work_sync(&cq->comp_work);
	pcv_uring_free(&cq->ring);
	atomic_dec(&dev->nr_cq);
	return 0;
}

int pcv_resize_cq(struct ib_cq *ibcq, int cqe, struct ib_udata *udata)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	struct pcv_ibv_resize_cq_resp resp = {};
	struct pcv_ibv_resize_cq req;
	struct pcv_uring old, new;
	unsigned long flags;
	u32 cons, used, i, entries;
	u64 key = 0;
	int err;

	if (cqe < 1 || cqe > PCV_MAX_CQE)
		return -EINVAL;
	err = pcv_udata_req(udata, &req, sizeof(req));
	if (err)
		return err;
	if (req.comp_mask || req.reserved)
		return -EOPNOTSUPP;
	if (udata && udata->outlen < offsetofend(typeof(resp), mmap_size))
		return -EINVAL;
	entries = roundup_pow_of_two(cqe + 1);

	/* Everything that can fail happens before the swap: the old ring stays. */
	err = pcv_uring_alloc(&new, entries, PCV_CQE_SIZE);
	if (err)
		return err;
	if (udata) {
		struct pcv_ucontext *uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext,
								      ibucontext);

		err = pcv_uring_map(&uctx->ibucontext, &new, &key);
		if (err) {
			pcv_uring_free(&new);
			return err;
		}
		resp.cq_entries = entries;
		resp.mmap_key = key;
		resp.mmap_size = new.size;
	}

	spin_lock_irqsave(&cq->lock, flags);
	cons = READ_ONCE(cq->ring.hdr->cons);
	used = cq->prod - cons;
	if (cq->broken || used > cq->ring.entries || used > entries - 1) {
		spin_unlock_irqrestore(&cq->lock, flags);
		pcv_uring_free(&new);
		return cq->broken ? -EIO : -EINVAL;
	}
	/* Outstanding completions move to the start of the new ring. */
	for (i = 0; i < used; i++)
		memcpy(new.ents + (size_t)i * PCV_CQE_SIZE, pcv_cq_entry(cq, cons + i),
		       PCV_CQE_SIZE);
	new.hdr->prod = used;
	new.hdr->cons = 0;
	old = cq->ring;
	cq->ring = new;
	cq->prod = used;
	cq->depth = entries - 1;
	ibcq->cqe = cq->depth;
	/* A process still reading the old ring (e.g. the reply is lost) sees why. */
	WRITE_ONCE(old.hdr->flags, READ_ONCE(old.hdr->flags) | PCV_RING_F_ERROR);
	spin_unlock_irqrestore(&cq->lock, flags);

	if (udata)
		err = ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
	pcv_uring_free(&old);
	return err;
}

/*
 * Let every QP using the CQ process what has arrived for it (messages, acks,
 * credits): that is what turns inbound work into completions.
 */
static void pcv_cq_progress(struct pcv_cq *cq)
{
	struct pcv_dev *dev = to_pcv_dev(cq->ibcq.device);
	unsigned long flags, qflags;
	struct pcv_qp *qp;

	/*
	 * Reap DMA completions here too: a process spinning on its CQ keeps the
	 * (single) CPU, and the completion work would wait for a scheduler tick.
	 * The caller holds no lock: completions take QP locks.
	 */
	pcv_dma_reap_now(dev);
	/* Datagrams for any QP (those of this CQ among them), before QP locks. */
	pcv_dgram_process_all(dev);

	spin_lock_irqsave(&cq->list_lock, flags);
	list_for_each_entry(qp, &cq->sqps, scq_link) {
		spin_lock_irqsave(&qp->lock, qflags);
		pcv_qp_progress(qp);
		spin_unlock_irqrestore(&qp->lock, qflags);
	}
	list_for_each_entry(qp, &cq->rqps, rcq_link) {
		if (qp->scq == cq)
			continue;	/* done above */
		spin_lock_irqsave(&qp->lock, qflags);
		pcv_qp_progress(qp);
		spin_unlock_irqrestore(&qp->lock, qflags);
	}
	spin_unlock_irqrestore(&cq->list_lock, flags);
}

/*
 * A process polling an empty CQ calls us (its "kick").  It is spinning
 * anyway: rather than return at once and come back through another system
 * call, look again for up to busy_poll_us (yielding if the scheduler wants
 * the CPU), so a message that lands meanwhile is seen within a loop turn.
 * Not when the process has QPs on the fast path: their messages are the
 * provider's to find, in user space, and spinning here would hold them
 * back.  An MPI rank polls, in one loop, the CQ of its rc_verbs QPs (fast
 * for busy peers, kernel-path for quiet ones) and the CQs of its UD QPs
 * (always the kernel's): either one spinning here for 50 us was the whole
 * of its 8-byte latency.
 */
static void pcv_cq_busy_poll(struct pcv_cq *cq)
{
	u64 deadline = ktime_get_ns() + (u64)pcv_busy_poll_us * NSEC_PER_USEC;
	u32 start = READ_ONCE(cq->prod);

	/* Every QP of a process's CQ is the process's: this covers them. */
	pcv_cq_progress(cq);
	if (cq->uctx && atomic_read(&cq->uctx->nr_fast))
		return;
	while (READ_ONCE(cq->prod) == start && !cq->broken && pcv_busy_poll_us) {
		if (need_resched() || signal_pending(current) || ktime_get_ns() > deadline)
			break;
		cpu_relax();
		pcv_cq_progress(cq);
	}
}

int pcv_poll_cq(struct ib_cq *ibcq, int num_entries, struct ib_wc *wc)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	unsigned long flags;
	int n = 0;

	if (cq->user) {
		/* Process context (the uverbs command): may spin a little. */
		pcv_cq_busy_poll(cq);
		return 0;	/* the process reads the ring itself */
	}
	pcv_cq_progress(cq);

	spin_lock_irqsave(&cq->lock, flags);
	while (n < num_entries && cq->ring.hdr->cons != cq->prod) {
		const struct pcv_cqe *e = pcv_cq_entry(cq, cq->ring.hdr->cons);
		struct ib_wc *w = &wc[n++];

		memset(w, 0, sizeof(*w));
		w->wr_id = e->wr_id;
		w->status = e->status;
		w->opcode = e->opcode;
		w->vendor_err = e->vendor_err;
		w->byte_len = e->byte_len;
		w->ex.imm_data = (__force __be32)e->imm_data;
		w->src_qp = e->src_qp;
		w->wc_flags = e->wc_flags;
		w->pkey_index = e->pkey_index;
		w->slid = e->slid;
		w->sl = e->sl;
		w->dlid_path_bits = e->dlid_path_bits;
		w->port_num = PCV_PORT;
		/* Kernel consumers (MAD, IPoIB) need the QP: find it by number. */
		w->qp = pcv_qp_lookup(to_pcv_dev(ibcq->device), e->qp_num);
		cq->ring.hdr->cons++;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	return n;
}

int pcv_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	unsigned long irqflags;
	int missed = 0;

	spin_lock_irqsave(&cq->lock, irqflags);
	if (cq->armed != IB_CQ_NEXT_COMP)
		cq->armed = flags & IB_CQ_SOLICITED_MASK;
	spin_unlock_irqrestore(&cq->lock, irqflags);

	/* Peers must ring us now; then catch what arrived before they knew. */
	pcv_cq_progress(cq);

	spin_lock_irqsave(&cq->lock, irqflags);
	if ((flags & IB_CQ_REPORT_MISSED_EVENTS) && !cq->user && cq->ring.hdr->cons != cq->prod)
		missed = 1;
	spin_unlock_irqrestore(&cq->lock, irqflags);
	return missed;
}
