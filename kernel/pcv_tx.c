// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs requester: the send queue of a QP.
 *
 * WQEs are consumed in order from the SQ ring (user-written for user QPs:
 * each is copied once into struct pcv_swqe, then validated).  Two-sided
 * operations become messages in the peer QP's inbound ring: payload inline
 * up to inline_max, else a rendezvous message the peer pulls from our MRs;
 * they complete when the peer acknowledges their msn.  One-sided operations
 * (RDMA WRITE, READ, atomics) are executed here against the peer's exported
 * MR table, by CPU copies or the agent DMA engine; a WRITE_WITH_IMM is a
 * WRITE then a message.  Completions are delivered strictly in SQ order.
 *
 * Everything here runs with qp->lock held (spinlock, any context).
 */
#include <linux/ktime.h>
#include <linux/jiffies.h>
#include "pcv.h"
#include "pcv/ibtime.h"

/* swqe->state beyond pcv_swqe_state: stages of a WRITE_WITH_IMM. */
#define PCV_SWQE_NEED_NOTIFY	3	/* data placed; message not written yet */

static void pcv_swqe_release(struct pcv_swqe *s)
{
	u32 k;

	for (k = 0; k < PCV_MAX_SEND_SGE; k++) {
		if (s->hold[k])
			pcv_mr_put(s->hold[k]);
		s->hold[k] = NULL;
	}
}

static void pcv_swqe_done(struct pcv_swqe *s, enum ib_wc_status st)
{
	s->status = st;
	s->state = PCV_SWQE_DONE;
}

/* Fail a WQE and the QP: every later WQE then flushes. */
static void pcv_tx_fail(struct pcv_qp *qp, struct pcv_swqe *s, enum ib_wc_status st,
			const char *why)
{
	pcv_swqe_done(s, st);
	pcv_qp_to_error(qp, why);
}

/* ---- connecting to the peer QP -------------------------------------------- */

/*
 * Learn where the peer QP's inbound ring is, from its table entry.  Returns
 * true once connected.  The entry is hostile: every field is checked.
 */
static bool pcv_qp_connect(struct pcv_qp *qp)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_wire_qpt e;
	u64 addr, size, ring_bytes;
	u32 order;
	void __iomem *ptr;

	if (qp->connected)
		return true;
	if (!pcv_peer_up(dev, qp->dest_blade) ||
	    pcv_read_qpt(dev, qp->dest_blade, qp->dest_qpn, &e))
		return false;
	if (e.state < IB_QPS_RTR || e.state > IB_QPS_SQE ||
	    le32_to_cpu(e.dest_blade) != dev->info.blade_id ||
	    le32_to_cpu(e.dest_qpn) != qp->qpn ||
	    e.type != (qp->ibqp.qp_type == IB_QPT_RC ? PCV_WIRE_QPT_RC : PCV_WIRE_QPT_UC))
		return false;	/* not (yet) connected to us */
	order = le32_to_cpu(e.ring_order);
	addr = le64_to_cpu(e.inbound_addr);
	size = le32_to_cpu(e.inbound_size);
	if (order < PCV_MSGRING_MIN_ORDER || order > PCV_MSGRING_MAX_ORDER)
		return false;
	ring_bytes = (u64)1 << (order + PCV_MSG_SLOT_SHIFT);
	if (size < PCV_QP_CTL_SIZE + ring_bytes)
		return false;
	ptr = pcv_fabric_ptr(dev, qp->dest_blade, addr, size);
	if (!ptr || addr & (PCV_MSG_SLOT_SIZE - 1))
		return false;
	if (pcv_msgring_tx_init(&qp->tx, (u8 __iomem *)ptr + PCV_QP_CTL_SIZE, &qp->ctl->credit,
				order))
		return false;
	qp->peer_ctl = ptr;
	qp->peer_inb_addr = addr;
	qp->peer_conn_gen = le32_to_cpu(e.conn_gen);
	qp->peer_pdn = le32_to_cpu(e.pdn);
	qp->peer_access = le16_to_cpu(e.access);
	qp->peer_rnr_timer = e.min_rnr_timer;
	qp->peer_kernel = e.flags & PCV_WIRE_QPT_F_KERNEL;
	qp->want_kick_out = 0xff;	/* force the first write */
	qp->connected = true;
	pcv_remote_write32(&qp->peer_ctl->conn_gen, qp->peer_conn_gen);
	return true;
}

void pcv_tx_connect(struct pcv_qp *qp)
{
	pcv_qp_connect(qp);
}

/* Give up on a peer that never became ready: the IB local ACK timeout. */
static void pcv_tx_wait_peer(struct pcv_qp *qp, struct pcv_swqe *s)
{
	u64 now = ktime_get_ns();
	u64 tmo_us = pcv_ack_timeout_us(qp->timeout);

	if (!qp->wait_deadline_ns) {
		/* retry_cnt retries after the first try; timeout 0 = wait forever. */
		qp->wait_deadline_ns = tmo_us ? now + tmo_us * 1000 * (qp->retry_cnt + 1) : 0;
		if (!tmo_us)
			qp->wait_deadline_ns = U64_MAX;
	}
	if (now >= qp->wait_deadline_ns) {
		qp->wait_deadline_ns = 0;
		pcv_tx_fail(qp, s, IB_WC_RETRY_EXC_ERR, "peer QP not ready: retries exceeded");
		return;
	}
	/* Look again in a while (a peer going RTR does not ring us). */
	mod_timer(&qp->timer, jiffies + max_t(unsigned long, 1, msecs_to_jiffies(1)));
}

/* ---- messages ----------------------------------------------------------- */

static void pcv_msg_header(struct pcv_qp *qp, struct pcv_wire_msg *h, u8 op, u32 nslots,
			   const struct pcv_sq_wqe *w, u32 length)
{
	memset(h, 0, sizeof(*h));
	h->opcode = op;
	h->nslots = nslots;
	h->msn = cpu_to_le32(qp->tx_msn);
	h->length = cpu_to_le32(length);
	h->src_qpn = cpu_to_le32(qp->qpn);
	h->conn_gen = cpu_to_le32(qp->peer_conn_gen);
	if (w->opcode == PCV_WR_SEND_WITH_IMM || w->opcode == PCV_WR_RDMA_WRITE_WITH_IMM) {
		h->flags |= PCV_MSGF_IMM;
		h->imm = (__force __le32)w->imm_data;	/* network order, copied as is */
	}
	if (w->flags & PCV_WQE_SOLICITED)
		h->flags |= PCV_MSGF_SOLICITED;
}

/* Write the header (all but the stamp) of a reserved message. */
static void pcv_msg_write_header(u8 __iomem *slot, const struct pcv_wire_msg *h)
{
	memcpy_toio(slot + 4, (const u8 *)h + 4, sizeof(*h) - 4);
}

static void pcv_msg_sent(struct pcv_qp *qp, struct pcv_swqe *s, u32 idx, u32 nslots)
{
	pcv_msgring_tx_commit(&qp->tx, idx, nslots);
	s->two_sided = true;
	s->msn = qp->tx_msn++;
	s->state = PCV_SWQE_ISSUED;
	qp->kick_peer = true;
	pcv_count(qp->dev, PCV_CNT_MSG_TX, 1);
	/* A SEND's payload (inline or pulled later); WRITE_IMM's data was counted placed. */
	if (s->wqe.opcode != PCV_WR_RDMA_WRITE_WITH_IMM && qp->dest_blade != qp->dev->info.blade_id)
		pcv_count_xmit(qp->dev, s->byte_len, pcv_msg_pkts(s->byte_len, pcv_qp_mtu(qp)));
}

/* -EAGAIN: no room in the peer's ring yet (retried when credits return). */
static int pcv_tx_send(struct pcv_qp *qp, struct pcv_swqe *s)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_sq_wqe *w = &s->wqe;
	struct pcv_lsge sg[PCV_MAX_SEND_SGE];
	struct pcv_wire_msg h;
	u64 total = 0;
	u32 nslots, idx, k;
	u8 __iomem *slot;
	int err;

	if (w->flags & PCV_WQE_INLINE) {
		nslots = pcv_msg_slots(w->inline_len);
		err = pcv_msgring_tx_reserve(&qp->tx, nslots, &idx);
		if (err)
			return err == -ENOSPC ? -EAGAIN : err;
		slot = pcv_msgring_tx_slot(&qp->tx, idx);
		pcv_msg_header(qp, &h, PCV_MSG_SEND, nslots, w, w->inline_len);
		pcv_msg_write_header(slot, &h);
		memcpy_toio(slot + PCV_MSG_HDR_SIZE, w->inline_data, w->inline_len);
		s->byte_len = w->inline_len;
		pcv_msg_sent(qp, s, idx, nslots);
		return 0;
	}

	err = pcv_lsge_resolve(dev, w->sge, w->num_sge, qp->pdn, 0, sg, &total);
	if (err) {
		pcv_tx_fail(qp, s, err == -EMSGSIZE ? IB_WC_LOC_LEN_ERR : IB_WC_LOC_PROT_ERR,
			    "bad send lkey");
		return 0;
	}
	s->byte_len = total;
	if (total <= pcv_inline_max) {
		nslots = pcv_msg_slots(total);
		err = pcv_msgring_tx_reserve(&qp->tx, nslots, &idx);
		if (err)
			goto out_put;
		slot = pcv_msgring_tx_slot(&qp->tx, idx);
		pcv_msg_header(qp, &h, PCV_MSG_SEND, nslots, w, total);
		pcv_msg_write_header(slot, &h);
		pcv_lsge_to_io(sg, w->num_sge, slot + PCV_MSG_HDR_SIZE, total);
		pcv_count(dev, PCV_CNT_PIO_BYTES, total);
		pcv_msg_sent(qp, s, idx, nslots);
		goto out_put;
	}

	/* Rendezvous: the peer pulls from our MRs (kept alive until the ack). */
	{
		struct pcv_wire_rsge rs[PCV_MSG_MAX_RSGE];
		u32 n = 0;
		bool phys = false, keyed = false, fit = true;

		for (k = 0; k < w->num_sge && fit; k++) {
			u64 addr = sg[k].addr;
			u32 left = sg[k].length;

			if (!left)
				continue;
			if (!sg[k].mr->dma_mr) {
				keyed = true;
				fit = n < PCV_MSG_MAX_RSGE;
				if (fit) {
					rs[n].addr = cpu_to_le64(addr);
					rs[n].length = cpu_to_le32(left);
					rs[n].key = cpu_to_le32(sg[k].mr->ibmr.lkey);
					n++;
				}
				continue;
			}
			/* Kernel memory has no exported table: fabric ranges. */
			phys = true;
			while (left && fit) {
				u32 chunk;
				u64 fab = pcv_mr_fabric_addr(dev, sg[k].mr, addr, &chunk);

				chunk = min(chunk, left);
				u64 prev_end = n ? le64_to_cpu(rs[n - 1].addr) +
						   le32_to_cpu(rs[n - 1].length) : 0;

				if (n && prev_end == fab) {
					le32_add_cpu(&rs[n - 1].length, chunk);
				} else {
					fit = n < PCV_MSG_MAX_RSGE;
					if (fit) {
						rs[n].addr = cpu_to_le64(fab);
						rs[n].length = cpu_to_le32(chunk);
						rs[n].key = 0;
						n++;
					}
				}
				addr += chunk;
				left -= chunk;
			}
		}
		if (!fit || (phys && keyed)) {
			pcv_tx_fail(qp, s, IB_WC_LOC_LEN_ERR, "rendezvous source not describable");
			goto out_put;
		}
		err = pcv_msgring_tx_reserve(&qp->tx, 1, &idx);
		if (err)
			goto out_put;
		slot = pcv_msgring_tx_slot(&qp->tx, idx);
		pcv_msg_header(qp, &h, PCV_MSG_RNDV, 1, w, total);
		h.nsge = n;
		if (phys)
			h.flags |= PCV_MSGF_PHYS;
		pcv_msg_write_header(slot, &h);
		memcpy_toio(slot + PCV_MSG_HDR_SIZE, rs, n * sizeof(rs[0]));
		for (k = 0; k < w->num_sge; k++) {
			s->hold[k] = sg[k].mr;	/* the references move to the swqe */
			sg[k].mr = NULL;
		}
		pcv_msg_sent(qp, s, idx, 1);
	}
out_put:
	for (k = 0; k < w->num_sge; k++)
		if (sg[k].mr)
			pcv_mr_put(sg[k].mr);
	if (err == -ENOSPC)
		return -EAGAIN;
	return err;
}

/* The WRITE_WITH_IMM message after its data was placed. */
static int pcv_tx_write_notify(struct pcv_qp *qp, struct pcv_swqe *s)
{
	struct pcv_wire_msg h;
	u32 idx;
	int err;

	err = pcv_msgring_tx_reserve(&qp->tx, 1, &idx);
	if (err)
		return err == -ENOSPC ? -EAGAIN : err;
	pcv_msg_header(qp, &h, PCV_MSG_WRITE_IMM, 1, &s->wqe, s->byte_len);
	pcv_msg_write_header(pcv_msgring_tx_slot(&qp->tx, idx), &h);
	pcv_msg_sent(qp, s, idx, 1);
	return 0;
}

/* ---- one-sided operations ------------------------------------------------------ */

static void pcv_tx_xfer_done(struct pcv_xfer *x);

/* Check the remote key for an operation; on failure the WQE fails. */
static bool pcv_tx_rkey(struct pcv_qp *qp, struct pcv_swqe *s, u32 access, u64 len,
			struct pcv_mr_desc *d)
{
	u32 qp_acc = 0;
	int r;

	if (access & PCV_MR_REMOTE_WRITE)
		qp_acc = IB_ACCESS_REMOTE_WRITE;
	else if (access & PCV_MR_REMOTE_READ)
		qp_acc = IB_ACCESS_REMOTE_READ;
	else if (access & PCV_MR_REMOTE_ATOMIC)
		qp_acc = IB_ACCESS_REMOTE_ATOMIC;
	r = pcv_read_mr_desc(qp->dev, qp->dest_blade, s->wqe.rkey, d);
	if (r == PCV_MR_OK)
		r = pcv_mr_check(d, s->wqe.rkey, qp->peer_pdn, access, s->wqe.remote_addr, len);
	if (r == PCV_MR_OK && !(qp->peer_access & qp_acc))
		r = PCV_MR_BAD_ACCESS;
	if (r == PCV_MR_OK)
		return true;
	ibdev_info_ratelimited(&qp->dev->ibdev,
			       "QP %#x: opcode %u to blade %u key %#x addr %#llx len %llu refused (%d)\n",
			       qp->qpn, s->wqe.opcode, qp->dest_blade, s->wqe.rkey,
			       s->wqe.remote_addr, len, r);
	if (r < 0) {
		pcv_tx_fail(qp, s, IB_WC_RETRY_EXC_ERR, "peer memory unreachable");
		return false;
	}
	pcv_tx_fail(qp, s, IB_WC_REM_ACCESS_ERR, "remote access violation");
	return false;
}

/* Start a WRITE, READ or atomic.  -EAGAIN: try again later. */
static int pcv_tx_onesided(struct pcv_qp *qp, struct pcv_swqe *s)
{
	struct pcv_dev *dev = qp->dev;
	struct pcv_sq_wqe *w = &s->wqe;
	struct pcv_mr_desc d;
	struct pcv_xfer *x = NULL;
	bool write = w->opcode == PCV_WR_RDMA_WRITE || w->opcode == PCV_WR_RDMA_WRITE_WITH_IMM;
	bool atomic = w->opcode == PCV_WR_ATOMIC_CMP_AND_SWP ||
		      w->opcode == PCV_WR_ATOMIC_FETCH_AND_ADD;
	u64 total = 0;
	int err;

	if (!write && qp->rd_outstanding >= max_t(u32, qp->max_rd_atomic, 1))
		return -EAGAIN;	/* initiator depth */

	/*
	 * A zero-length RDMA WRITE or READ moves no data, and InfiniBand's
	 * responder then checks neither the R_Key nor the address.  UCX posts
	 * them with rkey 0 as a cheap remote fence (Open MPI's one-sided
	 * traffic, keepalive checks): refusing them failed every such job with
	 * IBV_WC_REM_ACCESS_ERR.  Completions retire in SQ order, so this one
	 * still reports after every earlier WQE has finished.
	 */
	if (write && (w->flags & PCV_WQE_INLINE) && !w->inline_len) {
		s->byte_len = 0;
		goto placed;
	}
	if (write && (w->flags & PCV_WQE_INLINE)) {
		if (!pcv_tx_rkey(qp, s, PCV_MR_REMOTE_WRITE, w->inline_len, &d))
			return 0;
		err = pcv_remote_mr_write_buf(dev, qp->dest_blade, &d, w->remote_addr,
					      w->inline_data, w->inline_len);
		if (err) {
			pcv_tx_fail(qp, s, IB_WC_REM_ACCESS_ERR, "remote page walk failed");
			return 0;
		}
		s->byte_len = w->inline_len;
		pcv_traffic_onesided(qp, s->byte_len, pcv_msg_pkts(s->byte_len, pcv_qp_mtu(qp)),
				     0, 0);
		goto placed;
	}

	err = pcv_lsge_resolve(dev, w->sge, w->num_sge, qp->pdn,
			       write ? 0 : PCV_MR_LOCAL_WRITE, s->lsge, &total);
	if (err) {
		pcv_tx_fail(qp, s, err == -EMSGSIZE ? IB_WC_LOC_LEN_ERR : IB_WC_LOC_PROT_ERR,
			    "bad local key");
		return 0;
	}
	s->nlsge = w->num_sge;
	s->byte_len = total;
	if (!atomic && !total)
		goto put;	/* zero-length: see above */

	if (atomic) {
		if (w->remote_addr & 7) {
			pcv_tx_fail(qp, s, IB_WC_REM_INV_REQ_ERR, "misaligned atomic");
			goto put;
		}
		if (!pcv_tx_rkey(qp, s, PCV_MR_REMOTE_ATOMIC, 8, &d))
			goto put;
		err = pcv_remote_atomic(dev, qp->dest_blade, &d, w->remote_addr, s->lsge,
					w->opcode == PCV_WR_ATOMIC_CMP_AND_SWP, w->compare_add,
					w->swap, &x, pcv_tx_xfer_done,
					(void *)(uintptr_t)qp->qpn);
		pcv_count(dev, PCV_CNT_ATOMICS, 1);
		if (!err)	/* the operands out, the old value back */
			pcv_traffic_onesided(qp, 8, 1, 8, 1);
	} else {
		u32 need = write ? PCV_MR_REMOTE_WRITE : PCV_MR_REMOTE_READ;

		if (!pcv_tx_rkey(qp, s, need, total, &d))
			goto put;
		err = pcv_remote_mr_io(dev, qp->dest_blade, &d, w->remote_addr, s->lsge,
				       w->num_sge, total, write, &x, pcv_tx_xfer_done,
				       (void *)(uintptr_t)qp->qpn);
		pcv_count(dev, write ? PCV_CNT_RDMA_WRITES : PCV_CNT_RDMA_READS, 1);
		if (!err && write)
			pcv_traffic_onesided(qp, total, pcv_msg_pkts(total, pcv_qp_mtu(qp)), 0, 0);
		else if (!err)	/* a request packet out, the response back */
			pcv_traffic_onesided(qp, 0, 1, total, pcv_msg_pkts(total, pcv_qp_mtu(qp)));
	}
	if (err) {
		pcv_tx_fail(qp, s, err == -EFAULT ? IB_WC_REM_ACCESS_ERR : IB_WC_GENERAL_ERR,
			    "transfer failed");
		goto put;
	}
	if (x) {
		/* Asynchronous: the WQE holds its local references until done. */
		s->xfer = x;
		s->state = PCV_SWQE_ISSUED;
		if (!write)
			qp->rd_outstanding++;
		else
			qp->wr_dma_outstanding++;
		return 0;
	}
	if (atomic) {
		/* Finished while starting cannot happen for atomics (see xfer). */
		pcv_lsge_release(s->lsge, s->nlsge);
		s->nlsge = 0;
		pcv_swqe_done(s, IB_WC_SUCCESS);
		return 0;
	}
put:
	pcv_lsge_release(s->lsge, s->nlsge);
	s->nlsge = 0;
	if (s->state == PCV_SWQE_DONE)
		return 0;
placed:
	if (w->opcode == PCV_WR_RDMA_WRITE_WITH_IMM) {
		s->state = PCV_SWQE_NEED_NOTIFY;
		err = pcv_tx_write_notify(qp, s);
		if (err && err != -EAGAIN)
			pcv_tx_fail(qp, s, IB_WC_GENERAL_ERR, "peer ring broken");
		return 0;	/* -EAGAIN: written on a later round, before anything else */
	}
	pcv_swqe_done(s, IB_WC_SUCCESS);
	return 0;
}

/* DMA finished (process context): find the WQE by its transfer. */
static void pcv_tx_xfer_done(struct pcv_xfer *x)
{
	u32 qpn = (u32)(uintptr_t)x->ctx;
	struct ib_qp *ibqp;
	unsigned long flags;

	rcu_read_lock();
	ibqp = pcv_qp_lookup(x->dev, qpn);
	if (ibqp) {
		struct pcv_qp *qp = to_pcv_qp(ibqp);

		spin_lock_irqsave(&qp->lock, flags);
		pcv_tx_xfer_finished(qp, x);
		spin_unlock_irqrestore(&qp->lock, flags);
	}
	rcu_read_unlock();
	pcv_xfer_free(x);
}

/* qp->lock held: record the outcome of transfer x on its WQE. */
void pcv_tx_xfer_finished(struct pcv_qp *qp, struct pcv_xfer *x)
{
	u32 i;

	for (i = qp->sq_tail; i != qp->sq_head; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);
		struct pcv_sq_wqe *w = &s->wqe;
		bool write;

		if (s->xfer != x)
			continue;
		s->xfer = NULL;
		write = w->opcode == PCV_WR_RDMA_WRITE || w->opcode == PCV_WR_RDMA_WRITE_WITH_IMM;
		if (write)
			qp->wr_dma_outstanding--;
		else
			qp->rd_outstanding--;
		if (x->status) {
			pcv_lsge_release(s->lsge, s->nlsge);
			s->nlsge = 0;
			pcv_tx_fail(qp, s, x->status == -ENXIO ? IB_WC_RETRY_EXC_ERR :
				    IB_WC_REM_ACCESS_ERR, "DMA failed");
			break;
		}
		if (w->opcode == PCV_WR_ATOMIC_CMP_AND_SWP ||
		    w->opcode == PCV_WR_ATOMIC_FETCH_AND_ADD) {
			u64 old = le64_to_cpu(x->result);

			pcv_lsge_copy_to(s->lsge, s->nlsge, 0, &old, 8);
		}
		pcv_lsge_release(s->lsge, s->nlsge);
		s->nlsge = 0;
		if (w->opcode == PCV_WR_RDMA_WRITE_WITH_IMM && qp->state != IB_QPS_ERR)
			s->state = PCV_SWQE_NEED_NOTIFY;
		else
			pcv_swqe_done(s, IB_WC_SUCCESS);
		break;
	}
	pcv_qp_progress(qp);
}

/* ---- the issue loop ---------------------------------------------------------------- */

/* Copy WQE idx from the ring and validate it.  false: bad input. */
static bool pcv_tx_fetch(struct pcv_qp *qp, struct pcv_swqe *s, u32 idx)
{
	struct pcv_sq_wqe *w = &s->wqe;
	bool uc = qp->ibqp.qp_type == IB_QPT_UC;
	u32 k;

	memset(s, 0, sizeof(*s));
	memcpy(w, pcv_sq_entry(qp, idx), sizeof(*w));
	if (w->opcode >= PCV_WR_MAX || w->flags & ~PCV_WQE_FLAGS_ALL || w->reserved0 ||
	    w->reserved1 || w->ud_ah || w->ud_remote_qpn || w->ud_remote_qkey)
		return false;
	if (uc && w->opcode != PCV_WR_SEND && w->opcode != PCV_WR_SEND_WITH_IMM &&
	    w->opcode != PCV_WR_RDMA_WRITE && w->opcode != PCV_WR_RDMA_WRITE_WITH_IMM)
		return false;
	if (w->flags & PCV_WQE_INLINE) {
		if (w->inline_len > PCV_MAX_INLINE || w->num_sge ||
		    w->opcode == PCV_WR_RDMA_READ || w->opcode >= PCV_WR_ATOMIC_CMP_AND_SWP)
			return false;
	} else if (w->num_sge > qp->max_send_sge || w->inline_len) {
		return false;
	}
	if (w->opcode >= PCV_WR_ATOMIC_CMP_AND_SWP && (w->num_sge != 1 || w->sge[0].length != 8))
		return false;
	for (k = w->num_sge; k < PCV_MAX_SEND_SGE && !(w->flags & PCV_WQE_INLINE); k++)
		w->sge[k].length = 0;
	return true;
}

/* Issue WQEs from sq_head while we can. */
void pcv_tx_process(struct pcv_qp *qp)
{
	u32 prod;

	if (qp->state != IB_QPS_RTS && qp->state != IB_QPS_SQD)
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

	/* WRITE_WITH_IMMs whose message could not be written yet come first. */
	{
		u32 i;

		for (i = qp->sq_tail; i != qp->sq_head; i++) {
			struct pcv_swqe *s = pcv_swqe_of(qp, i);

			if (s->state != PCV_SWQE_NEED_NOTIFY)
				continue;
			if (pcv_tx_write_notify(qp, s) == -EAGAIN)
				return;
			if (s->state == PCV_SWQE_NEED_NOTIFY) {
				pcv_tx_fail(qp, s, IB_WC_GENERAL_ERR, "peer ring broken");
				return;
			}
		}
	}

	while (qp->sq_head != prod && qp->state == IB_QPS_RTS) {
		struct pcv_swqe *s = pcv_swqe_of(qp, qp->sq_head);
		struct pcv_sq_wqe *w = &s->wqe;
		bool msg;
		int err;

		if (!s->fetched) {
			if (!pcv_tx_fetch(qp, s, qp->sq_head)) {
				pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
				s->fetched = true;
				qp->sq_head++;
				pcv_tx_fail(qp, s, IB_WC_LOC_QP_OP_ERR, "malformed send WQE");
				return;
			}
			s->fetched = true;
		}
		if ((w->flags & PCV_WQE_FENCE) && qp->rd_outstanding)
			break;
		msg = w->opcode == PCV_WR_SEND || w->opcode == PCV_WR_SEND_WITH_IMM;
		/* A message may not overtake WRITE data still being placed. */
		if (msg && qp->wr_dma_outstanding)
			break;
		if (!pcv_qp_connect(qp)) {
			pcv_tx_wait_peer(qp, s);
			if (s->state == PCV_SWQE_DONE)
				qp->sq_head++;
			break;
		}
		qp->wait_deadline_ns = 0;
		err = msg ? pcv_tx_send(qp, s) : pcv_tx_onesided(qp, s);
		if (err == -EAGAIN)
			break;
		if (err < 0 && s->state != PCV_SWQE_DONE)
			pcv_tx_fail(qp, s, IB_WC_GENERAL_ERR, "send failed");
		qp->sq_head++;
	}
}

/*
 * A fast QP comes back from its provider (pcv_fast.c): the WQEs before done
 * it completed itself, those in [done, sent) went out as SEND messages
 * msn, msn + 1, ... and now wait for their acknowledgment as if we had sent
 * them.  -EINVAL if one of them cannot have been a fast-path SEND.
 */
int pcv_tx_adopt(struct pcv_qp *qp, u32 done, u32 sent, u32 msn)
{
	u32 i;

	for (i = done; i != sent; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);
		struct pcv_sq_wqe *w = &s->wqe;
		u32 len = 0, k;

		if (!pcv_tx_fetch(qp, s, i) ||
		    (w->opcode != PCV_WR_SEND && w->opcode != PCV_WR_SEND_WITH_IMM))
			return -EINVAL;
		if (w->flags & PCV_WQE_INLINE)
			len = w->inline_len;
		else
			for (k = 0; k < w->num_sge; k++)
				len += w->sge[k].length;
		s->fetched = true;
		s->two_sided = true;
		s->msn = msn + (i - done);
		s->byte_len = len;
		s->state = PCV_SWQE_ISSUED;
	}
	qp->sq_tail = done;
	qp->sq_head = sent;
	qp->acked_msn = msn;
	WRITE_ONCE(qp->sq.hdr->cons, done);
	return 0;
}

/* ---- acknowledgements ----------------------------------------------------------- */

static enum ib_wc_status pcv_nak_status(u32 code)
{
	switch (code) {
	case PCV_NAK_INV_REQ:
		return IB_WC_REM_INV_REQ_ERR;
	case PCV_NAK_REM_ACCESS:
		return IB_WC_REM_ACCESS_ERR;
	default:
		return IB_WC_REM_OP_ERR;
	}
}

static struct pcv_swqe *pcv_swqe_by_msn(struct pcv_qp *qp, u32 msn)
{
	u32 i;

	for (i = qp->sq_tail; i != qp->sq_head; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);

		if (s->two_sided && s->msn == msn && s->state == PCV_SWQE_ISSUED)
			return s;
	}
	return NULL;
}

/* Read what the peer (as responder) wrote into our control block. */
void pcv_tx_acks(struct pcv_qp *qp)
{
	struct pcv_wire_qp_ctl *c = qp->ctl;
	u32 ack, nak, rnr_seq, i;

	if (!qp->connected)
		return;
	ack = pcv_local_read32(&c->ack_msn);
	/* The peer cannot acknowledge more than we sent: hostile if it does. */
	if (ack - qp->acked_msn > qp->tx_msn - qp->acked_msn) {
		pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
		pcv_qp_to_error(qp, "peer acknowledged unsent messages");
		return;
	}
	for (i = qp->sq_tail; i != qp->sq_head && ack != qp->acked_msn; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);

		if (!s->two_sided || s->state != PCV_SWQE_ISSUED)
			continue;
		if ((s32)(s->msn - ack) < 0) {
			pcv_swqe_release(s);
			pcv_swqe_done(s, IB_WC_SUCCESS);
		}
	}
	if (ack != qp->acked_msn) {
		qp->acked_msn = ack;
		qp->rnr_retries = 0;
	}

	nak = pcv_local_read32(&c->nak_code);
	if (nak) {
		struct pcv_swqe *s = pcv_swqe_by_msn(qp, pcv_local_read32(&c->nak_msn));

		if (s) {
			pcv_swqe_release(s);
			pcv_tx_fail(qp, s, pcv_nak_status(nak), "peer refused a message");
			return;
		}
	}

	rnr_seq = pcv_local_read32(&c->rnr_seq);
	if (rnr_seq != qp->rnr_seq_seen) {
		u32 msn = pcv_local_read32(&c->rnr_msn);
		struct pcv_swqe *s = pcv_swqe_by_msn(qp, msn);

		qp->rnr_seq_seen = rnr_seq;
		if (!s)
			return;
		pcv_count(qp->dev, PCV_CNT_RNR_NAKS, 1);
		/* rnr_retry 7 means retry forever. */
		if (qp->rnr_retry != 7 && qp->rnr_retries++ >= qp->rnr_retry) {
			pcv_swqe_release(s);
			pcv_tx_fail(qp, s, IB_WC_RNR_RETRY_EXC_ERR, "RNR retries exceeded");
			return;
		}
		/* After the responder's RNR timer, ask it to look again. */
		qp->rnr_retry_due = true;
		qp->rnr_retry_req = rnr_seq;
		mod_timer(&qp->timer, jiffies +
			  usecs_to_jiffies(pcv_rnr_timer_us(c->rnr_timer)));
	}
}

/* The RNR timer expired: ask the responder to retry (timer -> progress). */
static void pcv_tx_rnr_retry(struct pcv_qp *qp)
{
	if (!qp->rnr_retry_due || timer_pending(&qp->timer) || !qp->connected)
		return;
	qp->rnr_retry_due = false;
	pcv_remote_write32(&qp->peer_ctl->rnr_retry_seq, qp->rnr_retry_req);
	qp->kick_peer = true;
	qp->force_kick = true;
}

/* ---- completion --------------------------------------------------------------------- */

static u32 pcv_wc_opcode(u8 op)
{
	switch (op) {
	case PCV_WR_RDMA_WRITE:
	case PCV_WR_RDMA_WRITE_WITH_IMM:
		return IB_WC_RDMA_WRITE;
	case PCV_WR_RDMA_READ:
		return IB_WC_RDMA_READ;
	case PCV_WR_ATOMIC_CMP_AND_SWP:
		return IB_WC_COMP_SWAP;
	case PCV_WR_ATOMIC_FETCH_AND_ADD:
		return IB_WC_FETCH_ADD;
	default:
		return IB_WC_SEND;
	}
}

static void pcv_tx_cqe(struct pcv_qp *qp, u64 wr_id, u8 op, enum ib_wc_status st, u32 len)
{
	struct pcv_cqe e = {
		.wr_id = wr_id,
		.status = st,
		.opcode = pcv_wc_opcode(op),
		.byte_len = len,
		.qp_num = qp->qpn,
	};

	if (pcv_cq_push(qp->scq, &e, false))
		pcv_qp_to_error(qp, "send CQ overflow");
}

/* Deliver finished WQEs in order; advance the consumer index the owner sees. */
void pcv_tx_complete(struct pcv_qp *qp)
{
	bool moved = false;

	while (qp->sq_tail != qp->sq_head) {
		struct pcv_swqe *s = pcv_swqe_of(qp, qp->sq_tail);
		struct pcv_sq_wqe *w = &s->wqe;

		if (s->state != PCV_SWQE_DONE)
			break;
		if (s->status != IB_WC_SUCCESS || qp->sig_all || (w->flags & PCV_WQE_SIGNALED))
			pcv_tx_cqe(qp, w->wr_id, w->opcode, s->status, s->byte_len);
		pcv_swqe_release(s);
		s->fetched = false;
		s->state = 0;
		qp->sq_tail++;
		moved = true;
	}
	if (moved)
		WRITE_ONCE(qp->sq.hdr->cons, qp->sq_tail);
	if (qp->state == IB_QPS_SQD && qp->sq_draining && qp->sq_tail == qp->sq_head) {
		qp->sq_draining = false;
		pcv_qp_event(qp, IB_EVENT_SQ_DRAINED);
	}
}

/* ---- error: flush everything ----------------------------------------------------------- */

void pcv_qp_flush(struct pcv_qp *qp)
{
	bool flushing = false;
	u32 prod, i;

	/* A NAK that arrived with the error still gives its WQE the right status. */
	pcv_tx_acks(qp);
	/*
	 * Issued WQEs, in order: finished ones before the first unfinished keep
	 * their status; from the first unfinished on, everything is flushed
	 * (even an operation that did execute: it was never reported), except a
	 * WQE that failed on its own.  A DMA in flight waits: its buffers are
	 * in use until the engine is done.
	 */
	for (i = qp->sq_tail; i != qp->sq_head; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);

		if (s->xfer)
			break;
		if (s->state != PCV_SWQE_DONE)
			flushing = true;
		if (!flushing || (s->state == PCV_SWQE_DONE && s->status != IB_WC_SUCCESS))
			continue;
		pcv_swqe_release(s);
		pcv_lsge_release(s->lsge, s->nlsge);
		s->nlsge = 0;
		pcv_swqe_done(s, IB_WC_WR_FLUSH_ERR);
	}
	pcv_tx_complete(qp);
	if (qp->sq_tail != qp->sq_head)
		return;
	/* WQEs never issued: flushed straight from the ring (wr_id and opcode). */
	prod = READ_ONCE(qp->sq.hdr->prod);
	if (prod - qp->sq_tail <= qp->sq.entries) {
		/* The index before the entries it covers. */
		smp_rmb();
		while (qp->sq_tail != prod) {
			struct pcv_sq_wqe *w = pcv_sq_entry(qp, qp->sq_tail);

			pcv_tx_cqe(qp, READ_ONCE(w->wr_id), min_t(u8, READ_ONCE(w->opcode),
								  PCV_WR_MAX - 1),
				   IB_WC_WR_FLUSH_ERR, 0);
			qp->sq_tail++;
		}
		qp->sq_head = qp->sq_tail;
		WRITE_ONCE(qp->sq.hdr->cons, qp->sq_tail);
	}
	pcv_rx_flush(qp);
}

/*
 * The peer QP left: the oldest request still outstanding (issued or not)
 * will never be answered.  true if the QP went to error.
 */
static bool pcv_tx_peer_gone(struct pcv_qp *qp)
{
	u32 prod = READ_ONCE(qp->sq.hdr->prod);
	u32 i;

	for (i = qp->sq_tail; i != qp->sq_head; i++) {
		struct pcv_swqe *s = pcv_swqe_of(qp, i);

		if (s->state != PCV_SWQE_DONE && !s->xfer) {
			pcv_swqe_release(s);
			pcv_tx_fail(qp, s, IB_WC_RETRY_EXC_ERR, "peer QP gone");
			return true;
		}
	}
	if (qp->sq_head != prod && prod - qp->sq_tail <= qp->sq.entries) {
		struct pcv_swqe *s = pcv_swqe_of(qp, qp->sq_head);

		if (!s->fetched && !pcv_tx_fetch(qp, s, qp->sq_head))
			pcv_count(qp->dev, PCV_CNT_BAD_INPUT, 1);
		s->fetched = true;
		qp->sq_head++;
		pcv_tx_fail(qp, s, IB_WC_RETRY_EXC_ERR, "peer QP gone");
		return true;
	}
	return false;
}

/* ---- progress: everything a QP can do now ---------------------------------------------- */

/* What we want the peer to know about ringing us. */
static void pcv_qp_want_kick(struct pcv_qp *qp)
{
	u8 want;

	if (!qp->connected)
		return;
	want = !qp->user || READ_ONCE(qp->scq->armed) || READ_ONCE(qp->rcq->armed);
	if (want != qp->want_kick_out) {
		qp->want_kick_out = want;
		pcv_remote_write8(&qp->peer_ctl->want_kick, want);
	}
}

void pcv_qp_progress(struct pcv_qp *qp)
{
	if (qp->gone)
		return;
	if (qp->fast) {
		pcv_fast_progress(qp);
		return;
	}
	if (pcv_qp_is_ud(qp)) {
		pcv_ud_progress(qp);
		return;
	}
	qp->kick_peer = false;
	qp->force_kick = false;
	switch (qp->state) {
	case IB_QPS_RTR:
	case IB_QPS_RTS:
	case IB_QPS_SQD:
		if (qp->state != IB_QPS_RTR && !qp->peer_gone)
			pcv_qp_connect(qp);
		pcv_tx_acks(qp);
		if (qp->state == IB_QPS_ERR)
			break;
		if (qp->peer_gone && pcv_tx_peer_gone(qp))
			break;
		pcv_tx_rnr_retry(qp);
		pcv_rx_process(qp);
		pcv_tx_process(qp);
		pcv_tx_complete(qp);
		pcv_qp_want_kick(qp);
		break;
	default:
		break;
	}
	if (qp->state == IB_QPS_ERR)
		pcv_qp_flush(qp);
	if (qp->kick_peer && qp->connected &&
	    (qp->force_kick || READ_ONCE(qp->ctl->want_kick)))
		pcv_qp_kick_peer(qp);
}
