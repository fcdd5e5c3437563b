// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: completion queues.
 *
 * The kernel writes struct pcv_cqe entries into a ring we map and then
 * advances prod; poll_cq copies them into struct ibv_wc in user space and
 * advances cons.  Only an empty poll enters the kernel: it issues POLL_CQ
 * (for one entry, see pcv_poll_cq) so that the kernel processes inbound
 * work for the CQ's queue pairs, then reads the ring once more.
 *
 * Completions of fast-path QPs (fast.c) are made here in user space, in a
 * software queue merged with the ring in order.  A CQ whose QPs are all on
 * the fast path never enters the kernel to poll.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcieverbs.h"

struct pcv_create_cq_cmd {
	struct pcv_cmd_create_cq ibv_cmd;
	struct pcv_ibv_create_cq drv;
};

struct pcv_create_cq_cmd_resp {
	struct ib_uverbs_create_cq_resp ibv_resp;
	struct pcv_ibv_create_cq_resp drv;
};

struct pcv_resize_cq_cmd {
	struct pcv_cmd_resize_cq ibv_cmd;
	struct pcv_ibv_resize_cq drv;
};

struct pcv_resize_cq_cmd_resp {
	struct ib_uverbs_resize_cq_resp ibv_resp;
	struct pcv_ibv_resize_cq_resp drv;
};

/* Driver data right after the core structs, no padding anywhere: on the
 * write() path libibverbs sends the buffer as it is, on the ioctl() path
 * it passes everything past the core struct as UHW_IN / UHW_OUT.
 */
#define PCV_ASSERT_UDATA(type, core, drv)				\
	_Static_assert(offsetof(type, drv) == sizeof(core) &&		\
		       sizeof(type) == sizeof(core) +			\
				       sizeof(((type *)0)->drv) &&	\
		       sizeof(type) % 4 == 0,				\
		       #type ": driver data must follow the core struct")
PCV_ASSERT_UDATA(struct pcv_create_cq_cmd, struct pcv_cmd_create_cq, drv);
PCV_ASSERT_UDATA(struct pcv_create_cq_cmd_resp,
		 struct ib_uverbs_create_cq_resp, drv);
PCV_ASSERT_UDATA(struct pcv_resize_cq_cmd, struct pcv_cmd_resize_cq, drv);
PCV_ASSERT_UDATA(struct pcv_resize_cq_cmd_resp,
		 struct ib_uverbs_resize_cq_resp, drv);

/*
 * Map the ring a create or resize response names.  depth is the usable
 * depth the kernel reported in the core response (ibv_cq.cqe): the ring
 * must hold at least that many CQEs.  Returns 0 or a positive errno.
 */
static int pcv_cq_map(struct pcv_cq *cq, uint32_t entries, uint64_t key,
		      uint64_t size, int depth)
{
	int ret;

	if (pcv_resp_unwritten64(size))
		return EPROTO;		/* short or missing driver response */
	if (depth < 0 || entries < (uint32_t)depth)
		return EPROTO;
	ret = pcv_ring_map(&cq->ring, cq->ibv_cq.context->cmd_fd, entries,
			   PCV_CQE_SIZE, key, size);
	if (ret)
		return ret;
	/* Adopt the kernel's initial cons: 0 for a new CQ; after a resize
	 * whatever index the kernel carried the unpolled CQEs over at.
	 */
	cq->cons = pcv_ring_load_cons(&cq->ring);
	return 0;
}

struct ibv_cq *pcv_create_cq(struct ibv_context *ibctx, int cqe,
			     struct ibv_comp_channel *channel,
			     int comp_vector)
{
	struct pcv_create_cq_cmd cmd;
	struct pcv_create_cq_cmd_resp resp;
	struct pcv_cq *cq;
	int ret;

	cq = calloc(1, sizeof(*cq));
	if (!cq) {
		errno = ENOMEM;
		return NULL;
	}

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));
	ret = ibv_cmd_create_cq(ibctx, cqe, channel, comp_vector, &cq->ibv_cq,
				&cmd.ibv_cmd, sizeof(cmd), &resp.ibv_resp,
				sizeof(resp));
	if (ret) {
		free(cq);
		errno = ret;
		return NULL;
	}

	/* libibverbs has set ibv_cq.cqe from the kernel's core answer (the
	 * write() response or the ioctl RESP_CQE attribute); never less than
	 * was asked for.
	 */
	ret = cq->ibv_cq.cqe < cqe ? EPROTO :
	      pcv_cq_map(cq, resp.drv.cq_entries, resp.drv.mmap_key,
			 resp.drv.mmap_size, cq->ibv_cq.cqe);
	if (ret) {
		pcv_err(ibctx, "bad CQ from the kernel (cqe %d for %d, ring %u entries, key %#llx, size %#llx): %s\n",
			cq->ibv_cq.cqe, cqe, resp.drv.cq_entries,
			(unsigned long long)resp.drv.mmap_key,
			(unsigned long long)resp.drv.mmap_size, strerror(ret));
		goto err_destroy;
	}

	cq->sw_size = cq->ring.nentries;
	cq->sw = calloc(cq->sw_size, sizeof(*cq->sw));
	if (!cq->sw) {
		ret = ENOMEM;
		goto err_unmap;
	}
	ret = pthread_spin_init(&cq->lock, PTHREAD_PROCESS_PRIVATE);
	if (ret)
		goto err_unmap;
	return &cq->ibv_cq;

err_unmap:
	free(cq->sw);
	pcv_ring_unmap(&cq->ring);
err_destroy:
	/* libibverbs initialises the CQ's event mutex/cond only after we
	 * return; ibv_cmd_destroy_cq waits on them.
	 */
	pthread_mutex_init(&cq->ibv_cq.mutex, NULL);
	pthread_cond_init(&cq->ibv_cq.cond, NULL);
	ibv_cmd_destroy_cq(&cq->ibv_cq);
	pthread_cond_destroy(&cq->ibv_cq.cond);
	pthread_mutex_destroy(&cq->ibv_cq.mutex);
	free(cq);
	errno = ret;
	return NULL;
}

int pcv_destroy_cq(struct ibv_cq *ibcq)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	int ret;

	/* The kernel refuses while QPs use the CQ (EBUSY): then keep it all. */
	ret = ibv_cmd_destroy_cq(ibcq);
	if (ret)
		return ret;

	pcv_ring_unmap(&cq->ring);
	pthread_spin_destroy(&cq->lock);
	free(cq->sw);
	free(cq);
	return 0;
}

/*
 * After a resize: the software completions keep their place among the
 * CQEs the kernel carried over (it moved [old cons, prod) to start at the
 * new cons), in a queue at least as deep as the new ring when memory
 * allows (else the old one stays: it only means less fast-path buffering).
 */
static void pcv_cq_rebase_sw(struct pcv_cq *cq, uint32_t old_cons)
{
	uint32_t n = cq->sw_tail - cq->sw_head;
	struct pcv_swc *sw = NULL;

	for (uint32_t i = 0; i < n; i++) {
		struct pcv_swc *e = &cq->sw[(cq->sw_head + i) & (cq->sw_size - 1)];
		int32_t d = (int32_t)(e->stamp - old_cons);

		e->stamp = cq->cons + (d > 0 ? (uint32_t)d : 0);
	}
	if (cq->ring.nentries > cq->sw_size)
		sw = calloc(cq->ring.nentries, sizeof(*sw));
	if (!sw)
		return;
	for (uint32_t i = 0; i < n; i++)
		sw[i] = cq->sw[(cq->sw_head + i) & (cq->sw_size - 1)];
	free(cq->sw);
	cq->sw = sw;
	cq->sw_size = cq->ring.nentries;
	cq->sw_head = 0;
	cq->sw_tail = n;
}

/*
 * resize_cq replaces the ring: the kernel allocates a new one, moves the
 * CQEs we had not polled into it, and answers with the new key.  The lock
 * is held across the system call so that no poll advances cons in the old
 * ring while the kernel copies from it, and no poll touches the old
 * mapping after it is gone.  A failed command leaves the old ring in use;
 * a successful command whose answer we cannot map leaves the CQ broken
 * (poll_cq fails with EIO) until a later resize succeeds or it is
 * destroyed.
 */
int pcv_resize_cq(struct ibv_cq *ibcq, int cqe)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	struct pcv_resize_cq_cmd cmd;
	struct pcv_resize_cq_cmd_resp resp;
	uint32_t old_cons;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));

	pthread_spin_lock(&cq->lock);
	old_cons = cq->cons;
	ret = ibv_cmd_resize_cq(ibcq, cqe, &cmd.ibv_cmd, sizeof(cmd),
				&resp.ibv_resp, sizeof(resp));
	if (ret)
		goto out;

	/* From here the old ring is dead, whatever the answer says. */
	pcv_ring_unmap(&cq->ring);
	ret = ibcq->cqe < cqe ? EPROTO :
	      pcv_cq_map(cq, resp.drv.cq_entries, resp.drv.mmap_key,
			 resp.drv.mmap_size, ibcq->cqe);
	cq->broken = ret != 0;
	if (!ret)
		pcv_cq_rebase_sw(cq, old_cons);
	if (ret)
		pcv_err(ibcq->context, "bad resized CQ from the kernel (cqe %d for %d, ring %u entries, key %#llx, size %#llx): %s; the CQ is unusable\n",
			ibcq->cqe, cqe, resp.drv.cq_entries,
			(unsigned long long)resp.drv.mmap_key,
			(unsigned long long)resp.drv.mmap_size, strerror(ret));
out:
	pthread_spin_unlock(&cq->lock);
	return ret;
}

static void pcv_cqe_to_wc(const struct pcv_cqe *cqe, struct ibv_wc *wc)
{
	struct pcv_cqe c;

	memcpy(&c, cqe, sizeof(c));	/* read the shared slot once */
	wc->wr_id = c.wr_id;
	wc->status = (enum ibv_wc_status)c.status;
	wc->opcode = (enum ibv_wc_opcode)c.opcode;
	wc->vendor_err = c.vendor_err;
	wc->byte_len = c.byte_len;
	wc->imm_data = c.imm_data;		/* network order in both */
	wc->qp_num = c.qp_num;
	wc->src_qp = c.src_qp;
	wc->wc_flags = c.wc_flags;
	wc->pkey_index = c.pkey_index;
	wc->slid = c.slid;
	wc->sl = c.sl;
	wc->dlid_path_bits = c.dlid_path_bits;
}

/*
 * Copy up to ne CQEs out of the ring.  Returns how many, or -1 (errno
 * EIO) if the CQ is broken: no ring after a failed resize, or a prod the
 * kernel cannot have written (more than the ring holds beyond our cons).
 * Called with the lock held.
 */
static int pcv_cq_drain(struct pcv_cq *cq, int ne, struct ibv_wc *wc)
{
	uint32_t prod, avail;
	int n;

	if (cq->broken) {
		errno = EIO;
		return -1;
	}
	prod = pcv_ring_load_prod(&cq->ring);
	avail = prod - cq->cons;
	if (avail > cq->ring.nentries) {
		errno = EIO;
		return -1;
	}
	/* Ring CQEs and fast-path completions, each in its place. */
	for (n = 0; n < ne; n++) {
		if (pcv_fast_cq_take(cq, prod, &wc[n]))
			continue;
		if (cq->cons == prod)
			break;
		pcv_cqe_to_wc(pcv_ring_entry(&cq->ring, cq->cons), &wc[n]);
		cq->cons++;
	}
	if (avail != prod - cq->cons)
		pcv_ring_publish_cons(&cq->ring, cq->cons);
	return n;
}

/* Nothing to poll: is that the end of this CQ?  PCV_RING_F_ERROR (the
 * kernel gave up on the CQ) and PCV_RING_F_OVERFLOW (it had to drop a
 * CQE, after which the IB spec puts the CQ in error) are final; every CQE
 * that made it into the ring has been delivered before we say so.
 */
static int pcv_cq_empty(struct pcv_cq *cq)
{
	if (pcv_ring_flags(&cq->ring) &
	    (PCV_RING_F_ERROR | PCV_RING_F_OVERFLOW)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static uint64_t pcv_now_ns(void)
{
	struct timespec ts;

	/* The vDSO's: no system call where the clocksource allows (TSC). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Returns the number of completions (0..num_entries) or -1 with errno
 * set: EIO for a broken or overflowed CQ (after everything it still held
 * was returned), or the errno of a failed POLL_CQ command.
 *
 * The kick: the kernel's uverbs POLL_CQ handler calls the driver's
 * poll_cq once per requested entry and not at all for 0 entries
 * (ib_uverbs_poll_cq loops "while (count < ne)"), so a 0-entry command
 * would never reach pcieverbs.ko.  We ask for 1 entry; the driver then
 * runs its inbound processing for the CQ, which writes CQEs into the ring,
 * and returns 0 entries through the system call.  Should it hand one back
 * directly anyway, libibverbs has put it in wc[0] and we return it.
 * In a process with fast QPs, empty kicks back off in time (kick.h).
 */
int pcv_poll_cq(struct ibv_cq *ibcq, int num_entries, struct ibv_wc *wc)
{
	struct pcv_context *ctx = to_pcv_ctx(ibcq->context);
	struct pcv_cq *cq = to_pcv_cq(ibcq);
	bool slow = true;
	uint64_t now = 0;
	int n;

	if (num_entries <= 0)
		return 0;

	pthread_spin_lock(&cq->lock);
	n = pcv_cq_drain(cq, num_entries, wc);
	if (n >= 0 && n < num_entries) {
		/*
		 * The fast path's work is ours to do, here in user space, on
		 * every poll with room left: a ring that keeps receiving the
		 * kernel's CQEs must not starve the fast QPs on the CQ.
		 */
		int more;

		slow = pcv_fast_cq_work(cq);
		more = pcv_cq_drain(cq, num_entries - n, wc + n);
		if (more > 0)
			n += more;
	}
	if (n == 0)
		n = pcv_cq_empty(cq);
	if (n == 0 && slow) {
		/* Kick now, or back off (kick.h)?  n == 0: the ring is mapped. */
		bool backoff = __atomic_load_n(&ctx->nr_fast, __ATOMIC_RELAXED) != 0;

		if (backoff)
			now = pcv_now_ns();
		slow = pcv_kick_due(&cq->kick, backoff, pcv_ring_load_prod(&cq->ring), now);
	}
	pthread_spin_unlock(&cq->lock);
	if (n != 0 || !slow)
		return n;

	/* Not under the lock: other pollers (and resize) may go on. */
	n = ibv_cmd_poll_cq(ibcq, 1, wc);
	if (n != 0)
		return n;

	if (now)
		now = pcv_now_ns();	/* the wait starts when the kick ended */
	pthread_spin_lock(&cq->lock);
	if (!cq->broken)
		pcv_kick_done(&cq->kick, pcv_ring_load_prod(&cq->ring), now);
	n = pcv_cq_drain(cq, num_entries, wc);
	if (n == 0)
		n = pcv_cq_empty(cq);
	pthread_spin_unlock(&cq->lock);
	return n;
}

/* A doorbell of a kernel-path QP of the CQ: kicks are worth it again. */
void pcv_cq_kick_soon(struct ibv_cq *ibcq)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);

	pthread_spin_lock(&cq->lock);
	pcv_kick_reset(&cq->kick);
	pthread_spin_unlock(&cq->lock);
}

int pcv_req_notify_cq(struct ibv_cq *ibcq, int solicited_only)
{
	struct pcv_cq *cq = to_pcv_cq(ibcq);

	/* Only the kernel can raise the event: its QPs go back to it first. */
	pthread_spin_lock(&cq->lock);
	pcv_fast_cq_armed(cq);
	pthread_spin_unlock(&cq->lock);
	return ibv_cmd_req_notify_cq(ibcq, solicited_only);
}
