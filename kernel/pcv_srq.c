// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs shared receive queues.
 *
 * The ring is produced by the owner (the provider for user SRQs, which make
 * no system call to post) and consumed here when a message for any QP using
 * the SRQ arrives.  The producer index is hostile: an impossible value
 * breaks the SRQ (IB_EVENT_SRQ_ERR).  srq_limit, once armed, fires
 * IB_EVENT_SRQ_LIMIT_REACHED when a consumption leaves fewer WQEs than it.
 */
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

static struct pcv_rq_wqe *pcv_srq_entry(struct pcv_srq *srq, u32 idx)
{
	return (struct pcv_rq_wqe *)(srq->ring.ents +
				     (size_t)(idx & (srq->ring.entries - 1)) * PCV_RQ_STRIDE);
}

static void pcv_srq_event(struct pcv_srq *srq, enum ib_event_type type)
{
	struct ib_event ev = {
		.device = srq->ibsrq.device,
		.element.srq = &srq->ibsrq,
		.event = type,
	};

	if (srq->ibsrq.event_handler)
		srq->ibsrq.event_handler(&ev, srq->ibsrq.srq_context);
}

/*
 * The provider's fast path claims WQEs the kernel never sees, so it stays
 * away while a limit is armed (PCV_RING_F_SRQ_LIMIT): the kernel must count
 * every consumption to raise the event.  srq->lock held.
 */
static void pcv_srq_limit_flag(struct pcv_srq *srq)
	__must_hold(&srq->lock)
{
	u32 f = READ_ONCE(srq->ring.hdr->flags) & ~PCV_RING_F_SRQ_LIMIT;

	lockdep_assert_held(&srq->lock);
	WRITE_ONCE(srq->ring.hdr->flags, f | (srq->limit ? PCV_RING_F_SRQ_LIMIT : 0));
}

/* Claims a busy process may make us lose before we call the SRQ empty. */
#define PCV_SRQ_CLAIM_TRIES	64

/*
 * Take the next receive WQE (validated copy).  0, -EAGAIN when empty, -EIO
 * when the SRQ is broken.  Any context.
 *
 * The consumer index in the ring header is shared with the provider's fast
 * path (PCV_UCTX_CAP_FAST_SRQ): both claim an entry by copying it and then
 * moving cons from its index to the next with a compare-and-swap, so every
 * WQE is taken exactly once.  cons is therefore the process's to write as
 * well, and hostile: it may only move forward from where we last saw it and
 * never past prod, else the SRQ is broken.  A process that keeps moving it
 * under us only makes its own message wait (RNR): we give up after a few
 * lost claims.
 */
int pcv_srq_pop(struct pcv_srq *srq, struct pcv_rq_wqe *wqe)
{
	unsigned long flags;
	u32 prod, cons, avail;
	int err = -EAGAIN, tries;

	spin_lock_irqsave(&srq->lock, flags);
	if (srq->broken) {
		err = -EIO;
		goto out;
	}
	for (tries = 0; tries < PCV_SRQ_CLAIM_TRIES; tries++) {
		cons = READ_ONCE(srq->ring.hdr->cons);
		/* cons before prod: a claim the process makes in between
		 * cannot then look like cons passing prod.  Pairs with the
		 * full barrier of the process's claim.
		 */
		smp_rmb();
		prod = READ_ONCE(srq->ring.hdr->prod);
		avail = prod - cons;
		if (avail > srq->ring.entries || (s32)(cons - srq->cons) < 0)
			goto broken;
		srq->cons = cons;
		if (!avail)
			break;
		/* The indices before the entry they cover: pairs with the
		 * producer's release of prod.
		 */
		smp_rmb();
		memcpy(wqe, pcv_srq_entry(srq, cons), sizeof(*wqe));
		/* The copy before the claim that frees the slot for reuse:
		 * cmpxchg is a full barrier; pairs with the producer reading
		 * cons (acquire) before it rewrites the slot.
		 */
		if (cmpxchg(&srq->ring.hdr->cons, cons, cons + 1) != cons)
			continue;	/* the process took it first */
		srq->cons = cons + 1;
		if (wqe->num_sge > PCV_MAX_RECV_SGE ||
		    memchr_inv(wqe->reserved, 0, sizeof(wqe->reserved)))
			goto broken;
		err = 0;
		break;
	}
	if (!err && srq->limit && avail - 1 < srq->limit) {
		srq->limit = 0;		/* one event per arming */
		pcv_srq_limit_flag(srq);
		spin_unlock_irqrestore(&srq->lock, flags);
		pcv_srq_event(srq, IB_EVENT_SRQ_LIMIT_REACHED);
		return 0;
	}
	goto out;

broken:
	srq->broken = true;
	WRITE_ONCE(srq->ring.hdr->flags, READ_ONCE(srq->ring.hdr->flags) | PCV_RING_F_ERROR);
	pcv_count(to_pcv_dev(srq->ibsrq.device), PCV_CNT_BAD_INPUT, 1);
	spin_unlock_irqrestore(&srq->lock, flags);
	pcv_srq_event(srq, IB_EVENT_SRQ_ERR);
	return -EIO;
out:
	spin_unlock_irqrestore(&srq->lock, flags);
	return err;
}

int pcv_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		   struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibsrq->device);
	struct pcv_srq *srq = to_pcv_srq(ibsrq);
	struct pcv_ibv_create_srq_resp resp = {};
	struct pcv_ibv_create_srq req = {};
	u64 key = 0;
	int err;

	if (init->srq_type != IB_SRQT_BASIC)
		return -EOPNOTSUPP;
	if (!init->attr.max_wr || init->attr.max_wr > PCV_MAX_SRQ_WR ||
	    init->attr.max_sge > PCV_MAX_RECV_SGE)
		return -EINVAL;
	if (udata) {
		err = pcv_udata_req(udata, &req, sizeof(req));
		if (err)
			return err;
		if (req.comp_mask || req.reserved)
			return -EOPNOTSUPP;
		if (udata->outlen < offsetofend(typeof(resp), mmap_size))
			return -EINVAL;
	}
	if (atomic_inc_return(&dev->nr_srq) > PCV_MAX_SRQ) {
		err = -ENOMEM;
		goto err_count;
	}
	spin_lock_init(&srq->lock);
	srq->user = !!udata;
	srq->pdn = to_pcv_pd(ibsrq->pd)->pdn;
	err = pcv_uring_alloc(&srq->ring, roundup_pow_of_two(init->attr.max_wr), PCV_RQ_STRIDE);
	if (err)
		goto err_count;
	srq->max_wr = srq->ring.entries;
	init->attr.max_wr = srq->max_wr;
	init->attr.max_sge = PCV_MAX_RECV_SGE;
	if (udata) {
		struct pcv_ucontext *uctx = rdma_udata_to_drv_context(udata, struct pcv_ucontext,
								      ibucontext);

		err = pcv_uring_map(&uctx->ibucontext, &srq->ring, &key);
		if (err)
			goto err_ring;
		resp.srq_entries = srq->ring.entries;
		resp.mmap_key = key;
		resp.mmap_size = srq->ring.size;
		err = ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
		if (err)
			goto err_ring;
	}
	return 0;

err_ring:
	pcv_uring_free(&srq->ring);
err_count:
	atomic_dec(&dev->nr_srq);
	return err;
}

int pcv_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		   enum ib_srq_attr_mask mask, struct ib_udata *udata)
{
	struct pcv_srq *srq = to_pcv_srq(ibsrq);
	unsigned long flags;

	if (mask & IB_SRQ_MAX_WR)
		return -EOPNOTSUPP;	/* resizing an SRQ is not supported */
	if (mask & IB_SRQ_LIMIT) {
		if (attr->srq_limit > srq->max_wr)
			return -EINVAL;
		spin_lock_irqsave(&srq->lock, flags);
		srq->limit = attr->srq_limit;
		pcv_srq_limit_flag(srq);
		spin_unlock_irqrestore(&srq->lock, flags);
	}
	return 0;
}

int pcv_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr)
{
	struct pcv_srq *srq = to_pcv_srq(ibsrq);

	attr->max_wr = srq->max_wr;
	attr->max_sge = PCV_MAX_RECV_SGE;
	attr->srq_limit = srq->limit;
	return 0;
}

int pcv_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata)
{
	struct pcv_srq *srq = to_pcv_srq(ibsrq);

	/* The core guarantees no QP uses it any more. */
	pcv_uring_free(&srq->ring);
	atomic_dec(&to_pcv_dev(ibsrq->device)->nr_srq);
	return 0;
}

/* Kernel consumers post here; user SRQs are posted to by the provider. */
int pcv_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		      const struct ib_recv_wr **bad_wr)
{
	struct pcv_srq *srq = to_pcv_srq(ibsrq);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&srq->lock, flags);
	for (; wr; wr = wr->next) {
		u32 prod = srq->ring.hdr->prod;
		struct pcv_rq_wqe *w;
		int i;

		if (wr->num_sge > PCV_MAX_RECV_SGE) {
			err = -EINVAL;
			break;
		}
		if (prod - srq->cons >= srq->ring.entries) {
			err = -ENOMEM;
			break;
		}
		w = pcv_srq_entry(srq, prod);
		memset(w, 0, sizeof(*w));
		w->wr_id = wr->wr_id;
		w->num_sge = wr->num_sge;
		for (i = 0; i < wr->num_sge; i++) {
			w->sge[i].addr = wr->sg_list[i].addr;
			w->sge[i].length = wr->sg_list[i].length;
			w->sge[i].lkey = wr->sg_list[i].lkey;
		}
		/* The entry before the index that publishes it. */
		smp_wmb();
		srq->ring.hdr->prod = prod + 1;
	}
	spin_unlock_irqrestore(&srq->lock, flags);
	if (err)
		*bad_wr = wr;
	return err;
}
