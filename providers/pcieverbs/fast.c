// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: the fast path (PCV_UCTX_CAP_FAST, see pcieverbs-abi.h).
 *
 * A connected RC/UC QP whose sends and receives are small and plain runs
 * here with no system call: post_send writes the SEND message (the link
 * protocol's own format, libpcieverbs/msgring.c) straight into the peer
 * QP's inbound ring through a mapping of it; poll_cq of the receive CQ
 * consumes our own inbound ring, fills the posted receive buffers and
 * writes the credit and ack_msn back into the peer's control block; poll_cq
 * of the send CQ completes SENDs as their acknowledgments arrive.  Those
 * completions are made here, in a software queue per CQ merged in order
 * with the kernel's ring (struct pcv_swc: each is stamped with the ring's
 * prod when it was made, and goes after every ring CQE before that).
 *
 * Anything else goes back to the kernel (PCV_FAST_LEAVE, with where we got
 * to): a non-SEND work request or a large one, a message that is not a
 * plain SEND, a receive we cannot complete successfully (no WQE posted:
 * RNR or a UC drop; a bad lkey; too short), a NAK or RNR report from the
 * peer, an armed CQ, any modify_qp, and the kernel's own PCV_RING_F_LEAVE.
 * The kernel then does what it always did, from exactly that point; we try
 * to enter again later when the QP is idle.  Nothing we write can hurt
 * anyone but this QP's connection: the kernel checks every index we hand
 * back, and the peer checks every message.
 *
 * Locks: cq->lock -> qp->fast.lock and qp->sq.lock -> qp->fast.lock; the
 * fast state of a QP is only touched under its fast.lock.  While a QP is
 * fast we own the consumer indices of its SQ and RQ (the kernel adopts
 * ours when we leave).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pcieverbs.h"

struct pcv_fast_modify_cmd {
	struct pcv_cmd_modify_qp ibv_cmd;
	struct pcv_ibv_modify_qp drv;
};

_Static_assert(offsetof(struct pcv_fast_modify_cmd, drv) ==
	       sizeof(struct pcv_cmd_modify_qp) &&
	       sizeof(struct pcv_fast_modify_cmd) ==
	       sizeof(struct pcv_cmd_modify_qp) +
	       sizeof(struct pcv_ibv_modify_qp),
	       "modify_qp driver data must follow the core command");
_Static_assert(sizeof(struct pcv_ibv_modify_qp) == 32, "modify_qp driver data size");
_Static_assert(sizeof(struct pcv_fast_info) == 96 &&
	       offsetof(struct pcv_fast_info, inb_key) == 64 &&
	       PCV_FAST_INFO_OFF >= sizeof(struct pcv_ring_hdr) &&
	       PCV_FAST_INFO_OFF + sizeof(struct pcv_fast_info) <= PCV_RING_HDR_SIZE,
	       "fast info layout");
_Static_assert(sizeof(struct pcv_fast_stats) == 32 &&
	       PCV_FAST_STATS_OFF >= PCV_FAST_INFO_OFF + sizeof(struct pcv_fast_info) &&
	       PCV_FAST_STATS_OFF + sizeof(struct pcv_fast_stats) <= PCV_RING_HDR_SIZE &&
	       PCV_FAST_STATS_OFF % 8 == 0,
	       "fast stats layout");

/* Retries of ENTER after the kernel said "not now", in posts. */
#define PCV_FAST_BACKOFF_MIN	8
#define PCV_FAST_BACKOFF_MAX	1024

static void pcv_fast_unmap(struct pcv_fast *f)
{
	if (f->inb)
		munmap(f->inb, f->inb_size);
	if (f->peer)
		munmap(f->peer, f->peer_size);
	f->inb = NULL;
	f->peer = NULL;
	f->inb_key = 0;
	f->peer_key = 0;
}

static int pcv_fast_modify(struct pcv_qp *qp, struct pcv_ibv_modify_qp *drv)
{
	struct pcv_fast_modify_cmd cmd;
	struct ibv_qp_attr attr;

	memset(&cmd, 0, sizeof(cmd));
	memset(&attr, 0, sizeof(attr));
	cmd.drv = *drv;
	cmd.drv.comp_mask = PCV_MODIFY_QP_FAST;
	return ibv_cmd_modify_qp(&qp->vqp.qp, &attr, 0, &cmd.ibv_cmd,
				 sizeof(cmd));
}

/* Map one region the info names (again only if its key changed). */
static int pcv_fast_map(struct pcv_qp *qp, void **map, size_t *size,
			uint64_t *cur_key, uint64_t key, uint64_t len,
			size_t need)
{
	void *p;

	if (*map && *cur_key == key && *size == len)
		return 0;
	if (len < need || len > (1ULL << 24) || len % 4096 || key % 4096)
		return EPROTO;
	if (*map)
		munmap(*map, *size);
	*map = NULL;
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 qp->vqp.qp.context->cmd_fd, (off_t)key);
	if (p == MAP_FAILED)
		return errno ? errno : ENOMEM;
	*map = p;
	*size = (size_t)len;
	*cur_key = key;
	return 0;
}

/*
 * Take the QP over after a successful ENTER (f->lock and sq.lock held).
 * The indices are taken first: if the rest is unusable, they are what we
 * hand straight back.
 */
static int pcv_fast_adopt(struct pcv_qp *qp)
{
	struct pcv_fast *f = &qp->fast;
	struct pcv_fast_info in;
	size_t ring, peer_ring;
	int ret;

	memcpy(&in, (const uint8_t *)qp->sq.ring.map + PCV_FAST_INFO_OFF,
	       sizeof(in));
	f->tx.prod = in.tx_prod;
	f->rx.cons = in.rx_cons;
	f->tx_msn = in.tx_msn;
	f->acked = in.tx_msn;
	f->sq_sent = in.sq_idx;
	f->sq_done = in.sq_idx;
	f->rx_msn = in.rx_msn;
	f->rq_cons = in.rq_cons;
	if (in.gen == f->gen || in.qpn != qp->vqp.qp.qp_num ||
	    in.ring_order < PCV_MSGRING_MIN_ORDER ||
	    in.ring_order > PCV_MSGRING_MAX_ORDER ||
	    in.peer_ring_order < PCV_MSGRING_MIN_ORDER ||
	    in.peer_ring_order > PCV_MSGRING_MAX_ORDER ||
	    in.sq_idx != qp->sq.prod || in.max_payload >
	    pcv_msg_capacity(PCV_MSG_MAX_SLOTS))
		return EPROTO;
	ring = PCV_QP_CTL_SIZE + ((size_t)1 << (in.ring_order + PCV_MSG_SLOT_SHIFT));
	peer_ring = PCV_QP_CTL_SIZE +
		    ((size_t)1 << (in.peer_ring_order + PCV_MSG_SLOT_SHIFT));
	ret = pcv_fast_map(qp, &f->inb, &f->inb_size, &f->inb_key, in.inb_key,
			   in.inb_size, ring);
	if (!ret)
		ret = pcv_fast_map(qp, &f->peer, &f->peer_size, &f->peer_key,
				   in.peer_key, in.peer_size, peer_ring);
	if (ret)
		return ret;

	f->gen = in.gen;
	f->dest_qpn = in.dest_qpn;
	f->dest_blade = in.dest_blade;
	f->conn_gen = in.conn_gen;
	f->peer_conn_gen = in.peer_conn_gen;
	f->ctl = f->inb;
	f->peer_ctl = f->peer;
	ret = pcv_msgring_tx_init(&f->tx, (uint8_t *)f->peer + PCV_QP_CTL_SIZE,
				  &f->ctl->credit, in.peer_ring_order);
	if (ret)
		return EPROTO;
	f->tx.prod = in.tx_prod;
	f->tx.cons = pcv_local_read32(&f->ctl->credit);
	pcv_msgring_rx_init(&f->rx, (uint8_t *)f->inb + PCV_QP_CTL_SIZE,
			    in.ring_order);
	f->rx.cons = in.rx_cons;
	f->max_payload = in.max_payload;
	f->rnr_seq = pcv_local_read32(&f->ctl->rnr_seq);
	return 0;
}

static int pcv_fast_leave_locked(struct pcv_qp *qp, bool never);

/* The process's count of fast QPs, which makes empty kicks back off (kick.h). */
static void pcv_fast_count(struct pcv_qp *qp, int delta)
{
	__atomic_add_fetch(&to_pcv_ctx(qp->vqp.qp.context)->nr_fast, (uint32_t)delta,
			   __ATOMIC_RELAXED);
}

/* Count the run of small SENDs post_send sees (sq.lock held). */
void pcv_fast_count_wr(struct pcv_qp *qp, const struct ibv_send_wr *wr)
{
	uint64_t len = 0;

	if (qp->fast.state != PCV_FAST_OFF)
		return;
	if (wr->opcode != IBV_WR_SEND && wr->opcode != IBV_WR_SEND_WITH_IMM) {
		qp->fast.small_run = 0;
		return;
	}
	for (int i = 0; i < wr->num_sge && wr->sg_list; i++)
		len += wr->sg_list[i].length;
	if (len > PCV_FAST_PROBE_MAX)
		qp->fast.small_run = 0;
	else if (qp->fast.small_run < PCV_FAST_RUN)
		qp->fast.small_run++;
}

/* Try to take the QP over (sq.lock held, SQ empty).  Never fails the post. */
void pcv_fast_try_enter(struct pcv_qp *qp)
{
	struct pcv_fast *f = &qp->fast;
	struct pcv_ibv_modify_qp drv;
	int ret;

	pthread_spin_lock(&f->lock);
	if (f->state != PCV_FAST_OFF || f->backoff) {
		if (f->state == PCV_FAST_OFF)
			f->backoff--;
		goto out;
	}
	memset(&drv, 0, sizeof(drv));
	drv.op = PCV_FAST_ENTER;
	ret = pcv_fast_modify(qp, &drv);
	if (ret == EAGAIN) {
		f->backoff = f->next_backoff;
		if (f->next_backoff < PCV_FAST_BACKOFF_MAX)
			f->next_backoff *= 2;
		goto out;
	}
	if (!ret) {
		ret = pcv_fast_adopt(qp);
		f->state = PCV_FAST_ON;
		pcv_fast_count(qp, 1);
		/* next_backoff keeps growing: a QP that keeps needing the
		 * kernel asks less and less often.
		 */
		if (!ret)
			goto out;
		/* Unusable: hand it straight back, where the kernel left it. */
		pcv_err(qp->vqp.qp.context, "QP %#x: fast path unusable: %s\n",
			qp->vqp.qp.qp_num, strerror(ret));
		pcv_fast_leave_locked(qp, true);
	}
	/* Not for this QP, or not this kernel: the kernel path for good. */
	pcv_fast_unmap(f);
	f->state = PCV_FAST_NEVER;
out:
	pthread_spin_unlock(&f->lock);
}

/* Hand the QP back to the kernel (f->lock held).  0 or a positive errno. */
static int pcv_fast_leave_locked(struct pcv_qp *qp, bool never)
{
	struct pcv_fast *f = &qp->fast;
	struct pcv_ibv_modify_qp drv;
	int ret;

	if (f->state != PCV_FAST_ON) {
		if (never)
			f->state = PCV_FAST_NEVER;
		return 0;
	}
	memset(&drv, 0, sizeof(drv));
	drv.op = PCV_FAST_LEAVE;
	drv.sq_sent = f->sq_sent;
	drv.sq_done = f->sq_done;
	drv.tx_prod = f->tx.prod;
	drv.rx_cons = f->rx.cons;
	drv.rx_msn = f->rx_msn;
	drv.rq_cons = f->rq_cons;
	ret = pcv_fast_modify(qp, &drv);
	/* Whatever the answer, we stop: the kernel has the QP (or refused a
	 * QP that was not fast any more).
	 */
	f->state = never ? PCV_FAST_NEVER : PCV_FAST_OFF;
	pcv_fast_count(qp, -1);
	f->backoff = f->next_backoff;
	if (f->next_backoff < PCV_FAST_BACKOFF_MAX)
		f->next_backoff *= 2;
	return ret;
}

int pcv_fast_leave(struct pcv_qp *qp, bool never)
{
	int ret;

	pthread_spin_lock(&qp->fast.lock);
	ret = pcv_fast_leave_locked(qp, never);
	pthread_spin_unlock(&qp->fast.lock);
	return ret;
}

/* ---- local memory regions -------------------------------------------------- */

/*
 * Where the bytes of an SGE are, if an MR of the QP's PD with the access
 * covers them (our own record of what this process registered; the kernel
 * holds the real one and decides whenever we are unsure).
 */
static void *pcv_fast_sge_ptr(struct pcv_qp *qp, const struct pcv_sge *sge,
			      int access)
{
	struct pcv_context *ctx = to_pcv_ctx(qp->vqp.qp.context);
	void *p = NULL;

	pthread_rwlock_rdlock(&ctx->mr_lock);
	for (struct pcv_mr *mr = ctx->mrs; mr; mr = mr->next) {
		struct ibv_mr *m = &mr->vmr.ibv_mr;

		if (m->lkey != sge->lkey)
			continue;
		if (m->pd == qp->vqp.qp.pd && (mr->vmr.access & access) == access &&
		    sge->addr >= mr->iova && sge->length <= m->length &&
		    sge->addr - mr->iova <= m->length - sge->length)
			p = (uint8_t *)m->addr + (sge->addr - mr->iova);
		break;
	}
	pthread_rwlock_unlock(&ctx->mr_lock);
	return p;
}

/* ---- requester ------------------------------------------------------------------ */

/* Can the WQE just written at idx go out from here?  Its length in *len. */
static bool pcv_fast_eligible(struct pcv_qp *qp, const struct pcv_sq_wqe *w,
			      uint32_t *len)
{
	uint32_t total = 0;

	if (w->opcode != PCV_WR_SEND && w->opcode != PCV_WR_SEND_WITH_IMM)
		return false;
	if (w->flags & PCV_WQE_INLINE) {
		total = w->inline_len;
	} else {
		for (int i = 0; i < w->num_sge; i++) {
			if (w->sge[i].length > qp->fast.max_payload)
				return false;
			total += w->sge[i].length;
		}
	}
	*len = total;
	return total <= qp->fast.max_payload;
}

/*
 * Port counters: the kernel never sees a fast-path message, so we count
 * them in the SQ header page, where it reads them (pcieverbs-abi.h,
 * struct pcv_fast_stats): which 0 for sent, 2 for received.  Totals of
 * the QP's life; one writer (f->lock held), whole 64-bit stores.
 */
static void pcv_fast_stats_add(struct pcv_qp *qp, int which, uint32_t len)
{
	volatile uint64_t *st = (volatile uint64_t *)((uint8_t *)qp->sq.ring.map +
						      PCV_FAST_STATS_OFF);

	st[which] = st[which] + len;
	st[which + 1] = st[which + 1] + 1;
}

/*
 * Write the SEND message for SQ entry idx.  0, EAGAIN (no room in the
 * peer's ring yet) or ENOTSUP (the kernel must do it).  f->lock held.
 */
static int pcv_fast_send_one(struct pcv_qp *qp, uint32_t idx)
{
	struct pcv_fast *f = &qp->fast;
	const struct pcv_sq_wqe *w = pcv_ring_entry(&qp->sq.ring, idx);
	const void *src[PCV_MAX_SEND_SGE];
	struct pcv_wire_msg h;
	uint32_t len, nslots, slot, off = 0;
	uint8_t *dst;
	int ret;

	if (!pcv_fast_eligible(qp, w, &len))
		return ENOTSUP;
	/* Every source first: nothing may be written for a WQE we give up. */
	for (int i = 0; !(w->flags & PCV_WQE_INLINE) && i < w->num_sge; i++) {
		src[i] = NULL;
		if (!w->sge[i].length)
			continue;
		src[i] = pcv_fast_sge_ptr(qp, &w->sge[i], 0);
		if (!src[i])
			return ENOTSUP;	/* the kernel reports the lkey */
	}
	nslots = pcv_msg_slots(len);
	ret = pcv_msgring_tx_reserve(&f->tx, nslots, &slot);
	if (ret == -ENOSPC)
		return EAGAIN;
	if (ret)
		return ENOTSUP;
	dst = pcv_msgring_tx_slot(&f->tx, slot);
	if (w->flags & PCV_WQE_INLINE) {
		memcpy(dst + PCV_MSG_HDR_SIZE, w->inline_data, len);
	} else {
		for (int i = 0; i < w->num_sge; i++) {
			if (!src[i])
				continue;
			memcpy(dst + PCV_MSG_HDR_SIZE + off, src[i], w->sge[i].length);
			off += w->sge[i].length;
		}
	}
	memset(&h, 0, sizeof(h));
	h.opcode = PCV_MSG_SEND;
	h.nslots = (uint8_t)nslots;
	h.msn = pcv_cpu_to_le32(f->tx_msn);
	h.length = pcv_cpu_to_le32(len);
	h.src_qpn = pcv_cpu_to_le32(qp->vqp.qp.qp_num);
	h.conn_gen = pcv_cpu_to_le32(f->peer_conn_gen);
	if (w->opcode == PCV_WR_SEND_WITH_IMM) {
		h.flags |= PCV_MSGF_IMM;
		h.imm = (__le32)w->imm_data;	/* network order, as posted */
	}
	if (w->flags & PCV_WQE_SOLICITED)
		h.flags |= PCV_MSGF_SOLICITED;
	/* Everything but the stamp; _commit orders it before the stamp. */
	memcpy(dst + 4, (const uint8_t *)&h + 4, sizeof(h) - 4);
	pcv_msgring_tx_commit(&f->tx, slot, nslots);
	f->tx_msn++;
	pcv_fast_stats_add(qp, 0, len);
	return 0;
}

/*
 * Send what was posted and not sent yet, in order (f->lock held).
 * Returns true if the kernel must take over (a WQE we cannot send).
 */
static bool pcv_fast_send_pending(struct pcv_qp *qp)
{
	struct pcv_fast *f = &qp->fast;
	uint32_t prod = pcv_ring_load_prod(&qp->sq.ring);
	bool sent = false;

	while (f->sq_sent != prod) {
		int ret = pcv_fast_send_one(qp, f->sq_sent);

		if (ret == EAGAIN)
			break;
		if (ret)
			return true;
		f->sq_sent++;
		sent = true;
	}
	/* A peer that sleeps on its CQ asked to be rung: only the kernel can. */
	if (sent && *(volatile uint8_t *)&f->ctl->want_kick)
		f->kick = true;
	return false;
}

/*
 * After post_send wrote WQEs and published prod (sq.lock held): send them
 * ourselves, or give the QP back.  Returns true if a doorbell is needed.
 */
bool pcv_fast_post(struct pcv_qp *qp)
{
	struct pcv_fast *f = &qp->fast;
	bool doorbell = false;

	pthread_spin_lock(&f->lock);
	if (f->state != PCV_FAST_ON) {
		doorbell = true;
	} else if ((pcv_ring_flags(&qp->sq.ring) & PCV_RING_F_LEAVE) ||
		   pcv_fast_send_pending(qp)) {
		/* LEAVE makes the kernel issue the rest: no doorbell needed. */
		pcv_fast_leave_locked(qp, false);
	} else if (f->kick) {
		f->kick = false;
		doorbell = true;
	}
	pthread_spin_unlock(&f->lock);
	return doorbell;
}

/* ---- software completions ----------------------------------------------------- */

static struct ibv_wc *pcv_swc_push(struct pcv_cq *cq)
{
	struct pcv_swc *e;

	if (cq->sw_tail - cq->sw_head >= cq->sw_size)
		return NULL;
	e = &cq->sw[cq->sw_tail & (cq->sw_size - 1)];
	e->stamp = pcv_ring_load_prod(&cq->ring);
	memset(&e->wc, 0, sizeof(e->wc));
	cq->sw_tail++;
	return &e->wc;
}

static bool pcv_swc_full(const struct pcv_cq *cq)
{
	return cq->sw_tail - cq->sw_head >= cq->sw_size;
}

/* Acknowledged SENDs complete, in order (scq->lock and f->lock held). */
static bool pcv_fast_acks(struct pcv_qp *qp, struct pcv_cq *cq)
{
	struct pcv_fast *f = &qp->fast;
	uint32_t ack = pcv_local_read32(&f->ctl->ack_msn);

	/* NAK, RNR, or an impossible ack: the kernel sorts it out. */
	if (pcv_local_read32(&f->ctl->nak_code) ||
	    pcv_local_read32(&f->ctl->rnr_seq) != f->rnr_seq ||
	    ack - f->acked > f->tx_msn - f->acked)
		return true;
	while (f->acked != ack && f->sq_done != f->sq_sent) {
		const struct pcv_sq_wqe *w = pcv_ring_entry(&qp->sq.ring, f->sq_done);

		if ((w->flags & PCV_WQE_SIGNALED) || qp->sq_sig_all) {
			struct ibv_wc *wc;
			uint32_t len = 0;

			if (pcv_swc_full(cq))
				break;
			pcv_fast_eligible(qp, w, &len);
			wc = pcv_swc_push(cq);
			wc->wr_id = w->wr_id;
			wc->status = IBV_WC_SUCCESS;
			wc->opcode = IBV_WC_SEND;
			wc->byte_len = len;
			wc->qp_num = qp->vqp.qp.qp_num;
		}
		f->sq_done++;
		f->acked++;
	}
	pcv_ring_publish_cons(&qp->sq.ring, f->sq_done);
	return false;
}

/* ---- responder ----------------------------------------------------------------------- */

/*
 * Where the SGEs of a receive WQE take len bytes: 0, or ENOTSUP if the
 * kernel must handle it (bad lkey, too short, impossible WQE).
 */
static int pcv_fast_recv_dst(struct pcv_qp *qp, const struct pcv_rq_wqe *w,
			     uint32_t len, void **dst)
{
	uint64_t room = 0;

	if (w->num_sge > PCV_MAX_RECV_SGE)
		return ENOTSUP;
	for (int i = 0; i < w->num_sge; i++) {
		dst[i] = NULL;
		if (!w->sge[i].length)
			continue;
		dst[i] = pcv_fast_sge_ptr(qp, &w->sge[i], IBV_ACCESS_LOCAL_WRITE);
		if (!dst[i])
			return ENOTSUP;
		room += w->sge[i].length;
	}
	return len > room ? ENOTSUP : 0;
}

/*
 * Claim the next WQE of the QP's SRQ for a len-byte message, which the
 * kernel consumes too, for the SRQ's QPs that are not fast (pcieverbs-abi.h,
 * PCV_UCTX_CAP_FAST_SRQ): copy the WQE at cons, check it, then move cons on
 * with a compare-and-swap; a lost swap means someone else took that one.
 * 0, or ENOTSUP: empty (RNR is the kernel's), a limit armed, broken, or a
 * WQE we cannot complete successfully, left in place for the kernel.
 */
static int pcv_fast_srq_claim(struct pcv_qp *qp, uint32_t len,
			      struct pcv_rq_wqe *w, void **dst)
{
	struct pcv_ring *r = &to_pcv_srq(qp->vqp.qp.srq)->rq.ring;

	for (;;) {
		uint32_t cons = pcv_ring_load_cons(r);

		if (pcv_ring_flags(r) & (PCV_RING_F_SRQ_LIMIT | PCV_RING_F_ERROR))
			return ENOTSUP;
		/* Our own prod: acquire orders the entry after it. */
		if (cons == pcv_ring_load_prod(r))
			return ENOTSUP;
		memcpy(w, pcv_ring_entry(r, cons), sizeof(*w));
		if (pcv_fast_recv_dst(qp, w, len, dst))
			return ENOTSUP;
		/* The copy before the claim that lets the slot be reused;
		 * pairs with the kernel's cmpxchg in pcv_srq_pop.
		 */
		if (__atomic_compare_exchange_n(&r->hdr->cons, &cons, cons + 1,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 0;
	}
}

/*
 * Place one checked SEND into the next receive WQE.  0, or ENOTSUP if the
 * kernel must handle it (no WQE, bad lkey, too short) (f->lock held).
 */
static int pcv_fast_recv_one(struct pcv_qp *qp, const uint8_t *slot,
			     const struct pcv_wire_msg *h, uint32_t len,
			     struct ibv_wc *wc)
{
	struct pcv_fast *f = &qp->fast;
	struct pcv_rq_wqe w;
	void *dst[PCV_MAX_RECV_SGE];
	uint32_t off = 0;

	if (qp->vqp.qp.srq) {
		if (pcv_fast_srq_claim(qp, len, &w, dst))
			return ENOTSUP;
	} else {
		if (f->rq_cons == pcv_ring_load_prod(&qp->rq.ring))
			return ENOTSUP;	/* RNR (RC) or a drop (UC): the kernel's */
		memcpy(&w, pcv_ring_entry(&qp->rq.ring, f->rq_cons), sizeof(w));
		if (pcv_fast_recv_dst(qp, &w, len, dst))
			return ENOTSUP;
		f->rq_cons++;
	}
	for (int i = 0; i < w.num_sge && off < len; i++) {
		uint32_t n = w.sge[i].length;

		if (n > len - off)
			n = len - off;
		if (n)
			memcpy(dst[i], slot + PCV_MSG_HDR_SIZE + off, n);
		off += n;
	}
	wc->wr_id = w.wr_id;
	wc->status = IBV_WC_SUCCESS;
	wc->opcode = IBV_WC_RECV;
	wc->byte_len = len;
	wc->qp_num = qp->vqp.qp.qp_num;
	wc->src_qp = f->dest_qpn;
	wc->slid = (uint16_t)(f->dest_blade + 1);
	if (h->flags & PCV_MSGF_IMM) {
		wc->imm_data = (__be32)h->imm;
		wc->wc_flags |= IBV_WC_WITH_IMM;
	}
	return 0;
}

/*
 * Consume what arrived in our inbound ring (rcq->lock and f->lock held).
 * Returns true if the kernel must take over.
 */
static bool pcv_fast_rx(struct pcv_qp *qp, struct pcv_cq *cq)
{
	struct pcv_fast *f = &qp->fast;
	uint32_t cons0 = f->rx.cons, msn0 = f->rx_msn;
	bool leave = false;

	for (int budget = 64; budget; budget--) {
		const struct pcv_wire_msg *m = pcv_msgring_rx_peek(&f->rx);
		struct pcv_wire_msg h;
		struct ibv_wc *wc;
		uint32_t len;

		if (!m || pcv_swc_full(cq))
			break;
		memcpy(&h, m, sizeof(h));	/* checked once, used from here */
		if (pcv_msgring_rx_check(&f->rx, h.nslots)) {
			leave = true;
			break;
		}
		if (h.opcode == PCV_MSG_PAD) {
			pcv_msgring_rx_consume(&f->rx, h.nslots);
			continue;
		}
		len = pcv_le32_to_cpu(h.length);
		if (h.opcode != PCV_MSG_SEND ||
		    pcv_le32_to_cpu(h.msn) != f->rx_msn ||
		    pcv_le32_to_cpu(h.src_qpn) != f->dest_qpn ||
		    pcv_le32_to_cpu(h.conn_gen) != f->conn_gen ||
		    (h.flags & ~(PCV_MSGF_IMM | PCV_MSGF_SOLICITED)) ||
		    len > pcv_msg_capacity(h.nslots)) {
			leave = true;	/* the kernel's: NAK, error, or not ours */
			break;
		}
		wc = pcv_swc_push(cq);
		if (pcv_fast_recv_one(qp, (const uint8_t *)m, &h, len, wc)) {
			cq->sw_tail--;	/* not made after all */
			leave = true;
			break;
		}
		/* The payload was read from the ring slot itself. */
		pcv_msgring_rx_consume(&f->rx, h.nslots);
		f->rx_msn++;
		pcv_fast_stats_add(qp, 2, len);
	}
	if (f->rx.cons != cons0 || f->rx_msn != msn0) {
		/* Our reads of the slots before the credit that frees them. */
		pcv_mb();
		pcv_remote_write32(&f->peer_ctl->credit, f->rx.cons);
		pcv_remote_write32(&f->peer_ctl->ack_msn, f->rx_msn);
		if (!qp->vqp.qp.srq)
			pcv_ring_publish_cons(&qp->rq.ring, f->rq_cons);
	}
	return leave;
}

/* ---- polling ---------------------------------------------------------------------- */

/*
 * The work of the fast QPs on this CQ (cq->lock held): acknowledgments of
 * the QPs it is the send CQ of (and their sends that waited for room),
 * inbound messages of those it is the receive CQ of.  Returns true if the
 * kernel has work here too (a QP on the CQ that is not fast, or none).
 */
bool pcv_fast_cq_work(struct pcv_cq *cq)
{
	bool slow = !cq->qps[PCV_CQ_SEND] && !cq->qps[PCV_CQ_RECV];

	for (struct pcv_qp *qp = cq->qps[PCV_CQ_SEND]; qp; qp = qp->cq_next[PCV_CQ_SEND]) {
		struct pcv_fast *f = &qp->fast;
		bool kick = false;

		pthread_spin_lock(&f->lock);
		if (f->state == PCV_FAST_ON) {
			if ((pcv_ring_flags(&qp->sq.ring) & PCV_RING_F_LEAVE) ||
			    pcv_fast_acks(qp, cq) || pcv_fast_send_pending(qp))
				pcv_fast_leave_locked(qp, false);
			kick = f->kick;
			f->kick = false;
		}
		if (f->state != PCV_FAST_ON)
			slow = true;
		pthread_spin_unlock(&f->lock);
		if (kick) {
			struct ibv_send_wr *bad;

			(void)ibv_cmd_post_send(&qp->vqp.qp, NULL, &bad);
		}
	}
	for (struct pcv_qp *qp = cq->qps[PCV_CQ_RECV]; qp; qp = qp->cq_next[PCV_CQ_RECV]) {
		struct pcv_fast *f = &qp->fast;

		pthread_spin_lock(&f->lock);
		/* Sends that waited for room go too: credits came back with
		 * the messages of an application that polls only here.
		 */
		if (f->state == PCV_FAST_ON &&
		    ((pcv_ring_flags(&qp->sq.ring) & PCV_RING_F_LEAVE) ||
		     pcv_fast_rx(qp, cq) || pcv_fast_send_pending(qp)))
			pcv_fast_leave_locked(qp, false);
		if (f->state != PCV_FAST_ON)
			slow = true;
		pthread_spin_unlock(&f->lock);
	}
	return slow;
}

/* An armed CQ means interrupts: its QPs go back to the kernel for good. */
void pcv_fast_cq_armed(struct pcv_cq *cq)
{
	for (int r = 0; r < PCV_CQ_ROLES; r++)
		for (struct pcv_qp *qp = cq->qps[r]; qp; qp = qp->cq_next[r])
			pcv_fast_leave(qp, true);
}

/* Software completions go after every ring CQE made before them. */
int pcv_fast_cq_take(struct pcv_cq *cq, uint32_t ring_prod, struct ibv_wc *wc)
{
	const struct pcv_swc *e;

	if (cq->sw_head == cq->sw_tail)
		return 0;
	e = &cq->sw[cq->sw_head & (cq->sw_size - 1)];
	if (cq->cons != ring_prod && (int32_t)(cq->cons - e->stamp) < 0)
		return 0;	/* a ring CQE comes first */
	*wc = e->wc;
	cq->sw_head++;
	return 1;
}

void pcv_fast_qp_init(struct pcv_qp *qp, const struct ibv_qp_init_attr *attr)
{
	struct pcv_context *ctx = to_pcv_ctx(qp->vqp.qp.context);
	const char *env = getenv("PCV_FAST");
	struct pcv_fast *f = &qp->fast;

	pthread_spin_init(&f->lock, PTHREAD_PROCESS_PRIVATE);
	f->next_backoff = PCV_FAST_BACKOFF_MIN;
	f->state = PCV_FAST_NEVER;
	/* Receives come from the QP's RQ ring, or from its SRQ's if the
	 * kernel lets us claim from that one side by side with it.
	 */
	if ((ctx->caps & PCV_UCTX_CAP_FAST) &&
	    (attr->srq ? (ctx->caps & PCV_UCTX_CAP_FAST_SRQ) &&
			 pcv_ring_mapped(&to_pcv_srq(attr->srq)->rq.ring) :
			 pcv_ring_mapped(&qp->rq.ring)) &&
	    (attr->qp_type == IBV_QPT_RC || attr->qp_type == IBV_QPT_UC) &&
	    pcv_ring_mapped(&qp->sq.ring) &&
	    !(env && !strcmp(env, "0")))
		f->state = PCV_FAST_OFF;
}

void pcv_fast_qp_fini(struct pcv_qp *qp)
{
	if (qp->fast.state == PCV_FAST_ON)
		pcv_fast_count(qp, -1);	/* destroyed while fast */
	pcv_fast_unmap(&qp->fast);
	pthread_spin_destroy(&qp->fast.lock);
}
