// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Completion channels and solicited events, fences, RDMA WRITE placement
 * order, concurrent atomics, SRQs and their limit event, the QP state
 * machine and attribute validation, query_qp, resize_cq.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conform.h"

#define G 64
#define GUARD 0x5a
#define LOCAL_ALL (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
		   IBV_ACCESS_REMOTE_ATOMIC)
#define IS_A(c) ((c)->role == ROLE_A)

/* ---- completion channel ----------------------------------------------------------------- */
/* 1: one event for cq arrived (and was acked), 0: none within ms, -1: wrong event */
static int wait_cq_event(struct ctx *c, struct conn *cn, struct ibv_cq *cq, int ms)
{
	struct pollfd pfd = { .fd = cn->chan->fd, .events = POLLIN };
	struct ibv_cq *ev_cq;
	void *ev_ctx;
	int r;

	fcntl(cn->chan->fd, F_SETFL, fcntl(cn->chan->fd, F_GETFL) | O_NONBLOCK);
	r = poll(&pfd, 1, ms);
	if (r <= 0)
		return 0;
	if (ibv_get_cq_event(cn->chan, &ev_cq, &ev_ctx)) {
		if (errno == EAGAIN)
			return 0;
		fail(c, "ibv_get_cq_event: %s", strerror(errno));
		return -1;
	}
	ibv_ack_cq_events(ev_cq, 1);
	if (ev_cq != cq || ev_ctx != cn) {
		fail(c, "CQ event for cq %p context %p, expected %p / %p", (void *)ev_cq, ev_ctx,
		     (void *)cq, (void *)cn);
		return -1;
	}
	return 1;
}

static bool expect_event(struct ctx *c, struct conn *cn, const char *what)
{
	int r = wait_cq_event(c, cn, cn->rcq, c->tmo_ms);

	if (r == 0)
		return fail(c, "%s: no CQ event within %d ms", what, c->tmo_ms);
	return r == 1;
}

static bool expect_no_event(struct ctx *c, struct conn *cn, int ms, const char *what)
{
	int r = wait_cq_event(c, cn, cn->rcq, ms);

	if (r == 1)
		return fail(c, "%s: unexpected CQ event", what);
	return r == 0;
}

static bool arm(struct ctx *c, struct ibv_cq *cq, int solicited)
{
	int r = ibv_req_notify_cq(cq, solicited);

	if (r)
		return fail(c, "ibv_req_notify_cq(%d): %s", solicited, strerror(r));
	return true;
}

/* A: message k (send), waits for its completion */
static bool send_msg(struct ctx *c, struct conn *cn, struct buf *b, int k,
		     enum ibv_wr_opcode op, int flags)
{
	pat_fill(b->p + k * 64, 64, cseed(c, k));
	return post_send(c, cn->qp[0], op, k, b, k * 64, 64, IBV_SEND_SIGNALED | flags,
			 cn->r.addr[0] + 4096 + k * 64, cn->r.rkey[0], 0x500 + k) &&
	       wait_one(c, cn->scq, k, IBV_WC_SUCCESS,
			op == IBV_WR_RDMA_WRITE_WITH_IMM ? IBV_WC_RDMA_WRITE : IBV_WC_SEND,
			cn->qp[0], "send completion");
}

/* B: message k arrived (by polling) with the right data */
static bool got_msg(struct ctx *c, struct conn *cn, struct buf *b, int k, int opcode, int64_t imm)
{
	size_t off = opcode == IBV_WC_RECV_RDMA_WITH_IMM ? 4096 + k * 64 : k * 64;

	return wait_recv(c, cn->rcq, k, opcode, cn->qp[0], 64, imm, "receive") &&
	       pat_check(c, b->p + off, 64, cseed(c, k), "received data");
}

void case_cq_event(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	int k;

	(void)arg;
	qp_opts_default(c, &o);
	o.channel = true;
	o.separate_cq = true;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 8192, LOCAL_ALL))
		goto out;
	if (IS_A(c)) {
		if (!conn_connect(&cn, 10))
			goto out;
		for (k = 1; k <= 3; k++)
			if (!sync_step(c, 10 * k + 10) ||
			    !send_msg(c, &cn, &b, k, IBV_WR_SEND, 0))
				goto out;
		sync_step(c, 50);
	} else {
		if (!conn_connect(&cn, 10))
			goto out;
		for (k = 1; k <= 3; k++)
			if (!post_recv(c, cn.qp[0], k, &b, k * 64, 64))
				goto out;
		/* armed for the next completion: an event, without polling first */
		if (!arm(c, cn.rcq, 0) || !sync_step(c, 20) ||
		    !expect_event(c, &cn, "next-completion event for message 1") ||
		    !got_msg(c, &cn, &b, 1, IBV_WC_RECV, -1))
			goto out;
		/* re-armed with nothing new: no event */
		if (!arm(c, cn.rcq, 0) || !expect_no_event(c, &cn, 300, "re-armed, no new completion"))
			goto out;
		if (!sync_step(c, 30) || !expect_event(c, &cn, "event for message 2") ||
		    !got_msg(c, &cn, &b, 2, IBV_WC_RECV, -1))
			goto out;
		/* not re-armed: a completion but no event */
		if (!sync_step(c, 40) || !got_msg(c, &cn, &b, 3, IBV_WC_RECV, -1) ||
		    !expect_no_event(c, &cn, 300, "completion on an unarmed CQ"))
			goto out;
		sync_step(c, 50);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

void case_solicited(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };

	(void)arg;
	qp_opts_default(c, &o);
	o.channel = true;
	o.separate_cq = true;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 8192, LOCAL_ALL))
		goto out;
	if (IS_A(c)) {
		if (conn_connect(&cn, 10) && sync_step(c, 20) &&
		    send_msg(c, &cn, &b, 1, IBV_WR_SEND, 0) && sync_step(c, 30) &&
		    send_msg(c, &cn, &b, 2, IBV_WR_SEND, IBV_SEND_SOLICITED) && sync_step(c, 40) &&
		    send_msg(c, &cn, &b, 3, IBV_WR_SEND_WITH_IMM, IBV_SEND_SOLICITED) &&
		    sync_step(c, 50) &&
		    send_msg(c, &cn, &b, 4, IBV_WR_RDMA_WRITE_WITH_IMM, IBV_SEND_SOLICITED))
			sync_step(c, 60);
	} else {
		int k;

		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10))
			goto out;
		for (k = 1; k <= 4; k++)
			if (!post_recv(c, cn.qp[0], k, &b, k * 64, 64))
				goto out;
		if (!arm(c, cn.rcq, 1) || !sync_step(c, 20))
			goto out;
		/* an unsolicited SEND completes without an event */
		if (!got_msg(c, &cn, &b, 1, IBV_WC_RECV, -1) ||
		    !expect_no_event(c, &cn, 300, "solicited-only CQ, unsolicited SEND"))
			goto out;
		if (!sync_step(c, 30) || !expect_event(c, &cn, "solicited SEND") ||
		    !got_msg(c, &cn, &b, 2, IBV_WC_RECV, -1))
			goto out;
		if (!arm(c, cn.rcq, 1) || !sync_step(c, 40) ||
		    !expect_event(c, &cn, "solicited SEND_WITH_IMM") ||
		    !got_msg(c, &cn, &b, 3, IBV_WC_RECV, 0x503))
			goto out;
		if (!arm(c, cn.rcq, 1) || !sync_step(c, 50) ||
		    !expect_event(c, &cn, "solicited RDMA_WRITE_WITH_IMM") ||
		    !got_msg(c, &cn, &b, 4, IBV_WC_RECV_RDMA_WITH_IMM, 0x504))
			goto out;
		sync_step(c, 60);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- fence ------------------------------------------------------------------------------- */
/* READ R1 -> L, then a fenced WRITE L -> R2: R2 must receive what the READ
 * brought, not what L held before.  64 KiB: small enough that a requester
 * without a fence starts the WRITE while the READ's response is still
 * arriving (rxe's 128-PSN unacked window would otherwise hide a missing
 * fence: proven by removing the flag, which fails across blades). */
void case_fence(struct ctx *c, long arg)
{
	enum { SZ = 64 * 1024, ROUNDS = 4 };
	struct qp_opts o;
	struct conn cn;
	struct buf l = { 0 }, r1 = { 0 }, r2 = { 0 };
	struct ibv_wc wc[2];
	int k;

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &l, SZ, IBV_ACCESS_LOCAL_WRITE) || !conn_connect(&cn, 10))
			goto out;
		for (k = 0; k < ROUNDS && !FAILED(c); k++) {
			pat_fill(l.p, SZ, cseed(c, 100 + k));	/* stale */
			if (!sync_step(c, 20 + 10 * k) ||
			    !post_send(c, cn.qp[0], IBV_WR_RDMA_READ, 1, &l, 0, SZ, IBV_SEND_SIGNALED,
				       cn.r.addr[0], cn.r.rkey[0], 0) ||
			    !post_send(c, cn.qp[0], IBV_WR_RDMA_WRITE, 2, &l, 0, SZ,
				       IBV_SEND_SIGNALED | IBV_SEND_FENCE, cn.r.addr[1], cn.r.rkey[1], 0) ||
			    wait_wc(c, cn.scq, 2, wc, 0, "READ and fenced WRITE") != 2)
				break;
			if (check_wc(c, &wc[0], 1, IBV_WC_SUCCESS, IBV_WC_RDMA_READ, cn.qp[0], "READ") &&
			    check_wc(c, &wc[1], 2, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE, cn.qp[0],
				     "fenced WRITE") &&
			    pat_check(c, l.p, SZ, cseed(c, k), "READ data"))
				sync_step(c, 21 + 10 * k);
		}
	} else {
		if (!buf_alloc(&cn, &r1, SZ, LOCAL_ALL) || !buf_alloc(&cn, &r2, SZ, LOCAL_ALL))
			goto out;
		conn_expose(&cn, &r1);
		conn_expose(&cn, &r2);
		if (!conn_connect(&cn, 10))
			goto out;
		for (k = 0; k < ROUNDS && !FAILED(c); k++) {
			pat_fill(r1.p, SZ, cseed(c, k));
			memset(r2.p, 0, SZ);
			if (!sync_step(c, 20 + 10 * k) || !sync_step(c, 21 + 10 * k))
				break;
			pat_check(c, r2.p, SZ, cseed(c, k),
				  "target of the fenced WRITE (must hold the READ's data)");
		}
	}
out:
	buf_free(&l);
	buf_free(&r1);
	buf_free(&r2);
	conn_destroy(&cn);
}

/* ---- RDMA WRITE placement: the last byte lands last -------------------------------------- */
void case_write_order(struct ctx *c, long arg)
{
	static const struct { uint32_t size; int rounds; } plan[] = {
		{ 1 << 20, 4 }, { 65536, 10 }, { 4096, 10 }, { 777777, 1 },
	};
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	int p, k, round = 0;

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o) ||
	    !buf_alloc(&cn, &b, (1 << 20) + G, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE))
		goto out;
	if (!IS_A(c))
		conn_expose(&cn, &b);
	if (!conn_connect(&cn, 10))
		goto out;
	for (p = 0; p < 4 && !FAILED(c); p++) {
		for (k = 0; k < plan[p].rounds && !FAILED(c); k++, round++) {
			uint32_t s = plan[p].size;
			uint8_t flag = 0x80 | (round & 0x7f);
			uint64_t seed = cseed(c, round);

			if (IS_A(c)) {
				pat_fill(b.p, s, seed);
				b.p[s - 1] = flag;
				if (!sync_step(c, 100 + round) ||
				    !post_send(c, cn.qp[0], IBV_WR_RDMA_WRITE, round, &b, 0, s,
					       IBV_SEND_SIGNALED, cn.r.addr[0], cn.r.rkey[0], 0) ||
				    !wait_one(c, cn.scq, round, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE,
					      cn.qp[0], "WRITE"))
					break;
			} else {
				volatile uint8_t *last = b.p + s - 1;
				uint64_t deadline;
				unsigned long spins = 0;
				size_t i;

				/* every byte starts as the complement of what will arrive */
				pat_fill(b.p, s, seed);
				for (i = 0; i < s; i++)
					b.p[i] = ~b.p[i];
				b.p[s - 1] = ~flag;
				if (!sync_step(c, 100 + round))
					break;
				deadline = now_ms() + c->tmo_ms;
				while (*last != flag) {
					spin_pause(&spins);
					if ((spins & 63) == 0 && now_ms() > deadline)
						break;
				}
				if (*last != flag) {
					fail(c, "round %d (%u bytes): the last byte never arrived", round, s);
					break;
				}
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				if (!pat_check(c, b.p, s - 1, seed,
					       "bytes before the last one, read once the last one landed"))
					note(c, "round %d, %u-byte WRITE", round, s);
			}
		}
	}
	if (IS_A(c) && !FAILED(c))
		note(c, "%d rounds (1 MiB x4, 64 KiB x10, 4 KiB x10, 777777 B x1)", round);
	sync_step(c, 99);
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- concurrent atomics from two QPs on one counter -------------------------------------- */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool atomic_pair(struct ctx *c, struct conn *cn, struct buf *b, uint64_t base)
{
	struct qp_opts o;

	qp_opts_default(c, &o);
	o.nqp = 2;
	o.cqe = 1024;
	if (!conn_create(c, cn, &o))
		return false;
	if (c->dev->attr.atomic_cap == IBV_ATOMIC_NONE) {
		skip(c, "atomic_cap NONE");
		return false;
	}
	if (!buf_alloc(cn, b, 8192, LOCAL_ALL))
		return false;
	if (!IS_A(c)) {
		memcpy(b->p + 8, &base, 8);
		conn_expose(cn, b);
	}
	return conn_connect(cn, 10);
}

static void check_counter(struct ctx *c, struct buf *b, uint64_t expect)
{
	uint64_t v;

	memcpy(&v, b->p + 8, 8);
	if (v != expect)
		fail(c, "counter 0x%016llx, expected 0x%016llx (lost or doubled updates: %lld)",
		     (unsigned long long)v, (unsigned long long)expect, (long long)(v - expect));
}

void case_atomic_fadd_conc(struct ctx *c, long arg)
{
	enum { N = 200 };
	struct conn cn;
	struct buf b = { 0 }, res = { 0 };
	uint64_t base = cseed(c, 1) & ~0xffffULL;

	(void)arg;
	if (!atomic_pair(c, &cn, &b, base))
		goto out;
	if (IS_A(c)) {
		int posted[2] = { 0 }, done[2] = { 0 }, q, i, w = cn.o.max_rd_atomic, jumps = 0;
		uint64_t *v, sorted[2 * N];
		struct ibv_wc wc[8];

		if (w < 1)
			w = 1;
		if (!buf_alloc(&cn, &res, 2 * N * 8, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		v = (uint64_t *)res.p;
		while ((done[0] < N || done[1] < N) && !FAILED(c)) {
			int n;

			for (q = 0; q < 2; q++)
				while (posted[q] < N && posted[q] - done[q] < w) {
					if (!post_atomic(c, cn.qp[q], IBV_WR_ATOMIC_FETCH_AND_ADD,
							 ((uint64_t)q << 16) | posted[q], &res,
							 (q * N + posted[q]) * 8, cn.r.addr[0] + 8,
							 cn.r.rkey[0], 1, 0, IBV_SEND_SIGNALED))
						goto out;
					posted[q]++;
				}
			n = wait_wc(c, cn.scq, 1, wc, 0, "FETCH_ADD");
			if (n != 1)
				break;
			q = (int)(wc[0].wr_id >> 16);
			if (q > 1 || !check_wc(c, wc, ((uint64_t)q << 16) | done[q], IBV_WC_SUCCESS,
					       IBV_WC_FETCH_ADD, cn.qp[q], "FETCH_ADD completion (in order per QP)"))
				break;
			done[q]++;
		}
		if (FAILED(c))
			goto out;
		for (q = 0; q < 2; q++)
			for (i = 1; i < N; i++) {
				if (v[q * N + i] <= v[q * N + i - 1]) {
					fail(c, "QP %d: fetched values not increasing at %d", q, i);
					goto out;
				}
				jumps += v[q * N + i] != v[q * N + i - 1] + 1;
			}
		memcpy(sorted, v, sizeof(sorted));
		qsort(sorted, 2 * N, 8, cmp_u64);
		for (i = 0; i < 2 * N; i++)
			if (sorted[i] != base + i) {
				fail(c, "fetched values are not exactly base..base+%d: position %d holds "
				     "base%+lld", 2 * N - 1, i, (long long)(sorted[i] - base));
				goto out;
			}
		note(c, "%d FETCH_ADDs on 2 QPs, window %d; interleaving: %d jumps", 2 * N, w, jumps);
		sync_step(c, 30);
	} else if (sync_step(c, 30)) {
		check_counter(c, &b, base + 2 * N);
	}
out:
	buf_free(&res);
	buf_free(&b);
	conn_destroy(&cn);
}

void case_atomic_cas_conc(struct ctx *c, long arg)
{
	enum { K = 40 };
	struct conn cn;
	struct buf b = { 0 }, res = { 0 };
	uint64_t base = cseed(c, 1) & ~0xffffULL;

	(void)arg;
	if (!atomic_pair(c, &cn, &b, base))
		goto out;
	if (IS_A(c)) {
		uint64_t e[2] = { base, base }, won[2 * K];
		int succ[2] = { 0 }, tries[2] = { 0 }, busy[2] = { 0 }, q, i, nwon = 0;
		struct ibv_wc wc;

		if (!buf_alloc(&cn, &res, 64, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		while ((succ[0] < K || succ[1] < K || busy[0] || busy[1]) && !FAILED(c)) {
			uint64_t got;

			for (q = 0; q < 2; q++)
				if (!busy[q] && succ[q] < K) {
					if (tries[q] > 50 * K) {
						fail(c, "QP %d: %d CMP_SWAPs for %d successes", q, tries[q],
						     succ[q]);
						goto out;
					}
					if (!post_atomic(c, cn.qp[q], IBV_WR_ATOMIC_CMP_AND_SWP, q, &res,
							 q * 8, cn.r.addr[0] + 8, cn.r.rkey[0], e[q],
							 e[q] + 1, IBV_SEND_SIGNALED))
						goto out;
					busy[q] = 1;
					tries[q]++;
				}
			if (wait_wc(c, cn.scq, 1, &wc, 0, "CMP_SWAP") != 1)
				break;
			q = (int)wc.wr_id;
			if (q > 1 || !check_wc(c, &wc, q, IBV_WC_SUCCESS, IBV_WC_COMP_SWAP, cn.qp[q],
					       "CMP_SWAP completion"))
				break;
			busy[q] = 0;
			memcpy(&got, res.p + q * 8, 8);
			if (got == e[q]) {
				won[nwon++] = e[q];
				succ[q]++;
				e[q]++;
			} else {
				e[q] = got;
			}
		}
		if (FAILED(c))
			goto out;
		qsort(won, nwon, 8, cmp_u64);
		for (i = 0; i < nwon; i++)
			if (won[i] != base + i) {
				fail(c, "two CMP_SWAPs both won value base%+lld (or one was lost)",
				     (long long)(won[i] - base));
				goto out;
			}
		note(c, "QP 0: %d tries, QP 1: %d tries for %d successes each", tries[0], tries[1], K);
		sync_step(c, 30);
	} else if (sync_step(c, 30)) {
		check_counter(c, &b, base + 2 * K);
	}
out:
	buf_free(&res);
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- SRQ ------------------------------------------------------------------------------------- */
void case_srq_shared(struct ctx *c, long arg)
{
	enum { NQ = 4, PER = 8, SZ = 200, SLOT = 256, NRECV = 40 };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[NQ * PER];
	int i, q;

	(void)arg;
	qp_opts_default(c, &o);
	o.nqp = NQ;
	if (!IS_A(c)) {
		o.srq_wr = 64;
		o.srq_sge = 1;
	}
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, NRECV * SLOT, IBV_ACCESS_LOCAL_WRITE) ||
	    !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		if (!sync_step(c, 20))
			goto out;
		for (i = 0; i < PER; i++)
			for (q = 0; q < NQ; q++) {
				uint8_t *p = b.p + (i * NQ + q) * SLOT;

				pat_fill(p, SZ, cseed(c, q * 100 + i));
				p[0] = q;
				p[1] = i;
				if (!post_send(c, cn.qp[q], IBV_WR_SEND, (q << 8) | i, &b,
					       (i * NQ + q) * SLOT, SZ, IBV_SEND_SIGNALED, 0, 0, 0))
					goto out;
			}
		if (wait_wc(c, cn.scq, NQ * PER, wc, 0, "sends on 4 QPs") != NQ * PER)
			goto out;
		for (i = 0; i < NQ * PER; i++)
			if (!check_wc(c, &wc[i], wc[i].wr_id, IBV_WC_SUCCESS, IBV_WC_SEND,
				      cn.qp[(wc[i].wr_id >> 8) & 7], "send completion qp_num"))
				break;
		sync_step(c, 30);
	} else {
		int next[NQ] = { 0 };
		bool used[NRECV] = { false };

		for (i = 0; i < NRECV; i++)
			if (!post_srq_recv(c, cn.srq, i, &b, i * SLOT, SLOT))
				goto out;
		if (!sync_step(c, 20) || wait_wc(c, cn.rcq, NQ * PER, wc, 0, "SRQ receives") != NQ * PER)
			goto out;
		for (i = 0; i < NQ * PER && !FAILED(c); i++) {
			uint8_t *p;
			char what[64];

			for (q = 0; q < NQ; q++)
				if (cn.qp[q]->qp_num == wc[i].qp_num)
					break;
			if (wc[i].status != IBV_WC_SUCCESS || wc[i].opcode != IBV_WC_RECV ||
			    wc[i].byte_len != SZ) {
				fail(c, "SRQ receive %d: status %s opcode %d byte_len %u", i,
				     wc_status_name(wc[i].status), wc[i].opcode, wc[i].byte_len);
				break;
			}
			if (q == NQ) {
				fail(c, "SRQ receive with qp_num 0x%x, none of ours", wc[i].qp_num);
				break;
			}
			if (wc[i].wr_id >= NRECV || used[wc[i].wr_id]) {
				fail(c, "SRQ receive wr_id %llu bad or used twice",
				     (unsigned long long)wc[i].wr_id);
				break;
			}
			used[wc[i].wr_id] = true;
			p = b.p + wc[i].wr_id * SLOT;
			if (p[0] != q) {
				fail(c, "message from QP %d reported on QP %d (wc.qp_num)", p[0], q);
				break;
			}
			if (p[1] != next[q]) {
				fail(c, "QP %d: message %d arrived when %d was due", q, p[1], next[q]);
				break;
			}
			snprintf(what, sizeof(what), "QP %d message %d", q, next[q]);
			p[0] = p[1] = 0;
			{
				uint8_t exp[SZ];

				pat_fill(exp, SZ, cseed(c, q * 100 + next[q]));
				if (memcmp(p + 2, exp + 2, SZ - 2))
					fail(c, "%s: data differs", what);
			}
			next[q]++;
		}
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* 1: the wanted event arrived (acked); 0: not within ms.  Other events are
 * reported and acked. */
int wait_async(struct ctx *c, enum ibv_event_type type, void *elem, int ms)
{
	struct ibv_context *ctx = c->dev->ctx;
	uint64_t deadline = now_ms() + ms;

	fcntl(ctx->async_fd, F_SETFL, fcntl(ctx->async_fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd pfd = { .fd = ctx->async_fd, .events = POLLIN };
		struct ibv_async_event ev;
		int64_t left = (int64_t)(deadline - now_ms());
		void *e;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return 0;
		if (ibv_get_async_event(ctx, &ev))
			continue;
		e = ev.event_type == IBV_EVENT_SRQ_LIMIT_REACHED || ev.event_type == IBV_EVENT_SRQ_ERR ?
			(void *)ev.element.srq : (void *)ev.element.qp;
		ibv_ack_async_event(&ev);
		if (ev.event_type == type && e == elem)
			return 1;
		note(c, "async event %s (ignored)", ibv_event_type_str(ev.event_type));
	}
}

void case_srq_limit(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	int k;

	(void)arg;
	qp_opts_default(c, &o);
	if (!IS_A(c)) {
		o.srq_wr = 16;
		o.srq_sge = 1;
	}
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 8192, LOCAL_ALL) ||
	    !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		if (!sync_step(c, 20))
			goto out;
		for (k = 1; k <= 5; k++)
			if (!send_msg(c, &cn, &b, k, IBV_WR_SEND, 0))
				goto out;
		if (sync_step(c, 30) && send_msg(c, &cn, &b, 6, IBV_WR_SEND, 0) && sync_step(c, 40) &&
		    send_msg(c, &cn, &b, 7, IBV_WR_SEND, 0))
			sync_step(c, 50);
	} else {
		struct ibv_srq_attr sa = { .srq_limit = 5 };
		int r;

		for (k = 1; k <= 10; k++)
			if (!post_srq_recv(c, cn.srq, k, &b, k * 64, 64))
				goto out;
		r = ibv_modify_srq(cn.srq, &sa, IBV_SRQ_LIMIT);
		if (r) {
			fail(c, "ibv_modify_srq(srq_limit 5): %s", strerror(r));
			goto out;
		}
		memset(&sa, 0, sizeof(sa));
		if (ibv_query_srq(cn.srq, &sa) || sa.srq_limit != 5 || sa.max_wr < 16) {
			fail(c, "ibv_query_srq: limit %u max_wr %u (expected 5, >= 16)", sa.srq_limit,
			     sa.max_wr);
			goto out;
		}
		if (!sync_step(c, 20))
			goto out;
		for (k = 1; k <= 5; k++)
			if (!got_msg(c, &cn, &b, k, IBV_WC_RECV, -1))
				goto out;
		/* 5 left, not below the limit of 5 */
		if (wait_async(c, IBV_EVENT_SRQ_LIMIT_REACHED, cn.srq, 300)) {
			fail(c, "SRQ_LIMIT_REACHED with 5 WRs left and a limit of 5");
			goto out;
		}
		if (!sync_step(c, 30) || !got_msg(c, &cn, &b, 6, IBV_WC_RECV, -1))
			goto out;
		if (!wait_async(c, IBV_EVENT_SRQ_LIMIT_REACHED, cn.srq, c->tmo_ms)) {
			fail(c, "no IBV_EVENT_SRQ_LIMIT_REACHED with 4 WRs left (limit 5)");
			goto out;
		}
		memset(&sa, 0xff, sizeof(sa));
		if (ibv_query_srq(cn.srq, &sa))
			fail(c, "ibv_query_srq after the event");
		else if (sa.srq_limit != 0)
			fail(c, "srq_limit reads %u after the event; the IBA disarms it (0)",
			     sa.srq_limit);
		/* disarmed: one more consumed, no second event */
		if (!sync_step(c, 40) || !got_msg(c, &cn, &b, 7, IBV_WC_RECV, -1))
			goto out;
		if (wait_async(c, IBV_EVENT_SRQ_LIMIT_REACHED, cn.srq, 300))
			fail(c, "a second SRQ_LIMIT_REACHED without re-arming");
		sync_step(c, 50);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- QP state machine and attribute validation (local, role A) ---------------------------- */
struct sm {
	struct ctx *c;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_qp_attr init, rtr, rts;
	int init_mask, rtr_mask, rts_mask;
};

static bool sm_create(struct ctx *c, struct sm *s)
{
	struct dev *d = c->dev;
	struct ibv_qp_init_attr qa = {
		.qp_type = IBV_QPT_RC,
		.sq_sig_all = 1,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 1, .max_recv_sge = 1 },
	};

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->pd = ibv_alloc_pd(d->ctx);
	s->cq = s->pd ? ibv_create_cq(d->ctx, 64, NULL, NULL, 0) : NULL;
	qa.send_cq = qa.recv_cq = s->cq;
	s->qp = s->cq ? ibv_create_qp(s->pd, &qa) : NULL;
	if (!s->qp)
		return fail(c, "cannot create a QP: %s", strerror(errno));
	s->init.qp_state = IBV_QPS_INIT;
	s->init.port_num = d->port;
	s->init.qp_access_flags = IBV_ACCESS_REMOTE_WRITE;
	s->init_mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS;
	s->rtr.qp_state = IBV_QPS_RTR;
	s->rtr.path_mtu = d->pattr.active_mtu;
	s->rtr.dest_qp_num = s->qp->qp_num;	/* connected to itself */
	s->rtr.rq_psn = 0x123;
	s->rtr.max_dest_rd_atomic = 1;
	s->rtr.min_rnr_timer = 12;
	s->rtr.ah_attr.dlid = d->pattr.lid;
	s->rtr.ah_attr.port_num = d->port;
	if (d->gidx >= 0) {
		s->rtr.ah_attr.is_global = 1;
		s->rtr.ah_attr.grh.dgid = d->gid;
		s->rtr.ah_attr.grh.sgid_index = d->gidx;
		s->rtr.ah_attr.grh.hop_limit = 1;
	}
	s->rtr_mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
		      IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	s->rts.qp_state = IBV_QPS_RTS;
	s->rts.timeout = 14;
	s->rts.retry_cnt = 7;
	s->rts.rnr_retry = 7;
	s->rts.sq_psn = 0x456;
	s->rts.max_rd_atomic = 1;
	s->rts_mask = IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
		      IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC;
	return true;
}

static void sm_destroy(struct sm *s)
{
	if (s->qp)
		ibv_destroy_qp(s->qp);
	if (s->cq)
		ibv_destroy_cq(s->cq);
	if (s->pd)
		ibv_dealloc_pd(s->pd);
}

static bool sm_ok(struct sm *s, struct ibv_qp_attr *a, int mask, int state, const char *what)
{
	int r = ibv_modify_qp(s->qp, a, mask);

	if (r)
		return fail(s->c, "%s: refused (%s)", what, strerror(r));
	return expect_qp_state(s->c, s->qp, state, what);
}

/* Walk the QP back to STATE after a modify that should have been refused. */
static void sm_restore(struct sm *s, int state)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_RESET };

	ibv_modify_qp(s->qp, &a, IBV_QP_STATE);
	if (state >= IBV_QPS_INIT)
		ibv_modify_qp(s->qp, &s->init, s->init_mask);
	if (state >= IBV_QPS_RTR)
		ibv_modify_qp(s->qp, &s->rtr, s->rtr_mask);
	if (state >= IBV_QPS_RTS)
		ibv_modify_qp(s->qp, &s->rts, s->rts_mask);
}

/* The modify must fail with EINVAL and leave the QP in STATE.  rxe_ok: rxe
 * is known to accept it (reported, not failed). */
static bool sm_bad(struct sm *s, struct ibv_qp_attr *a, int mask, int state, const char *what,
		   bool rxe_ok)
{
	struct ctx *c = s->c;
	int r = ibv_modify_qp(s->qp, a, mask), now;

	if (r == 0) {
		sm_restore(s, state);
		if (rxe_ok && c->dev->is_rxe) {
			note(c, "DEVIATION (rxe, accepted): %s was accepted; the IBA/verbs require EINVAL",
			     what);
			return true;
		}
		return fail(c, "%s: accepted, expected EINVAL", what);
	}
	if (r != EINVAL)
		fail(c, "%s: refused with %s, expected EINVAL", what, strerror(r));
	now = qp_state(s->qp);
	if (now != state) {
		fail(c, "%s: QP moved from %s to %s although the modify failed", what,
		     qp_state_name(state), qp_state_name(now));
		sm_restore(s, state);
	}
	return !FAILED(c);
}

void case_qp_sm(struct ctx *c, long arg)
{
	struct sm s;
	struct ibv_qp_attr a;

	(void)arg;
	if (!IS_A(c))
		goto out_sync;
	if (!sm_create(c, &s))
		goto out;
	expect_qp_state(c, s.qp, IBV_QPS_RESET, "new QP");
	sm_bad(&s, &s.rtr, s.rtr_mask, IBV_QPS_RESET, "RESET->RTR", false);
	sm_bad(&s, &s.rts, s.rts_mask, IBV_QPS_RESET, "RESET->RTS", false);
	sm_bad(&s, &s.init, s.init_mask & ~IBV_QP_PORT, IBV_QPS_RESET,
	       "RESET->INIT without the required port", false);
	sm_bad(&s, &s.init, s.init_mask & ~IBV_QP_ACCESS_FLAGS, IBV_QPS_RESET,
	       "RESET->INIT without the required access flags", false);
	a = s.init;
	a.port_num = 0;
	sm_bad(&s, &a, s.init_mask, IBV_QPS_RESET, "RESET->INIT with port 0", false);
	a.port_num = c->dev->attr.phys_port_cnt + 1;
	sm_bad(&s, &a, s.init_mask, IBV_QPS_RESET, "RESET->INIT with a port past the last", false);
	if (FAILED(c) || !sm_ok(&s, &s.init, s.init_mask, IBV_QPS_INIT, "RESET->INIT"))
		goto out;
	sm_bad(&s, &s.rts, s.rts_mask, IBV_QPS_INIT, "INIT->RTS", false);
	sm_bad(&s, &s.rtr, s.rtr_mask & ~IBV_QP_DEST_QPN, IBV_QPS_INIT,
	       "INIT->RTR without the required dest QPN", false);
	sm_bad(&s, &s.rtr, s.rtr_mask & ~IBV_QP_AV, IBV_QPS_INIT,
	       "INIT->RTR without the required address vector", false);
	sm_bad(&s, &s.rtr, s.rtr_mask & ~IBV_QP_PATH_MTU, IBV_QPS_INIT,
	       "INIT->RTR without the required path MTU", false);
	a = s.init;
	a.qp_access_flags = IBV_ACCESS_REMOTE_READ;
	if (FAILED(c) || !sm_ok(&s, &a, IBV_QP_STATE | IBV_QP_ACCESS_FLAGS, IBV_QPS_INIT,
				 "INIT->INIT (changing access flags)") ||
	    !sm_ok(&s, &s.rtr, s.rtr_mask, IBV_QPS_RTR, "INIT->RTR"))
		goto out;
	a.qp_state = IBV_QPS_INIT;
	sm_bad(&s, &a, IBV_QP_STATE, IBV_QPS_RTR, "RTR->INIT", false);
	sm_bad(&s, &s.rts, s.rts_mask & ~IBV_QP_SQ_PSN, IBV_QPS_RTR,
	       "RTR->RTS without the required SQ PSN", false);
	if (FAILED(c) || !sm_ok(&s, &s.rts, s.rts_mask, IBV_QPS_RTS, "RTR->RTS"))
		goto out;
	a.qp_state = IBV_QPS_RTR;
	sm_bad(&s, &a, IBV_QP_STATE, IBV_QPS_RTS, "RTS->RTR", false);
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.path_mtu = IBV_MTU_256;
	sm_bad(&s, &a, IBV_QP_STATE | IBV_QP_PATH_MTU, IBV_QPS_RTS,
	       "RTS->RTS changing the path MTU (not a modifiable attribute there)", false);
	a.min_rnr_timer = 5;
	if (FAILED(c) || !sm_ok(&s, &a, IBV_QP_STATE | IBV_QP_MIN_RNR_TIMER, IBV_QPS_RTS,
				 "RTS->RTS changing min_rnr_timer"))
		goto out;
	a.qp_state = IBV_QPS_ERR;
	if (!sm_ok(&s, &a, IBV_QP_STATE, IBV_QPS_ERR, "RTS->ERR"))
		goto out;
	a.qp_state = IBV_QPS_RTS;
	sm_bad(&s, &a, IBV_QP_STATE, IBV_QPS_ERR, "ERR->RTS", false);
	sm_bad(&s, &s.init, s.init_mask, IBV_QPS_ERR, "ERR->INIT", false);
	a.qp_state = IBV_QPS_RESET;
	if (FAILED(c) || !sm_ok(&s, &a, IBV_QP_STATE, IBV_QPS_RESET, "ERR->RESET"))
		goto out;
	/* reusable after RESET */
	if (sm_ok(&s, &s.init, s.init_mask, IBV_QPS_INIT, "RESET->INIT again") &&
	    sm_ok(&s, &s.rtr, s.rtr_mask, IBV_QPS_RTR, "INIT->RTR again") &&
	    sm_ok(&s, &s.rts, s.rts_mask, IBV_QPS_RTS, "RTR->RTS again")) {
		a.qp_state = IBV_QPS_RESET;
		sm_ok(&s, &a, IBV_QP_STATE, IBV_QPS_RESET, "RTS->RESET");
	}
out:
	sm_destroy(&s);
out_sync:
	sync_step(c, 1);
}

void case_qp_bad_attr(struct ctx *c, long arg)
{
	struct dev *d = c->dev;
	struct sm s;
	struct ibv_qp_attr a, q;
	struct ibv_qp_init_attr qi;

	(void)arg;
	if (!IS_A(c))
		goto out_sync;
	if (!sm_create(c, &s))
		goto out;
	a = s.init;
	a.pkey_index = d->attr.max_pkeys ? d->attr.max_pkeys : 1;
	sm_bad(&s, &a, s.init_mask, IBV_QPS_RESET, "RESET->INIT with pkey_index past the table",
	       true);
	if (FAILED(c) || !sm_ok(&s, &s.init, s.init_mask, IBV_QPS_INIT, "RESET->INIT"))
		goto out;

	a = s.rtr;
	a.path_mtu = 0;
	sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with path_mtu 0 (invalid enum)", true);
	a.path_mtu = 6;
	sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with path_mtu 6 (> 4096)", false);
	if (d->pattr.max_mtu < IBV_MTU_4096) {
		a.path_mtu = d->pattr.max_mtu + 1;
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with path_mtu > port max_mtu",
		       false);
	}
	a = s.rtr;
	a.max_dest_rd_atomic = d->attr.max_qp_rd_atom + 1;
	if (d->attr.max_qp_rd_atom < 255)
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT,
		       "INIT->RTR with max_dest_rd_atomic > max_qp_rd_atom", true);
	a = s.rtr;
	a.dest_qp_num = 0x1000000;
	sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with dest QPN 0x1000000 (> 24 bits)",
	       true);
	a = s.rtr;
	a.min_rnr_timer = 32;
	sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with min_rnr_timer 32 (5-bit field)",
	       true);
	a = s.rtr;
	a.ah_attr.port_num = d->attr.phys_port_cnt + 1;
	sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with an AV on a port past the last",
	       false);
	if (d->gidx >= 0) {
		a = s.rtr;
		a.ah_attr.grh.sgid_index = d->pattr.gid_tbl_len;
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with sgid_index past the GID table",
		       false);
	}
	if (!d->is_eth && d->gidx < 0) {
		a = s.rtr;
		a.ah_attr.dlid = 0;
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with DLID 0", false);
		a.ah_attr.dlid = 0xc001;
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with a multicast DLID (RC)", false);
		a.ah_attr.dlid = 0xffff;
		sm_bad(&s, &a, s.rtr_mask, IBV_QPS_INIT, "INIT->RTR with the permissive DLID", false);
	} else {
		note(c, "DLID checks skipped: RoCE or GRH addressing");
	}
	if (FAILED(c) || !sm_ok(&s, &s.rtr, s.rtr_mask, IBV_QPS_RTR, "INIT->RTR"))
		goto out;

	a = s.rts;
	a.max_rd_atomic = d->attr.max_qp_init_rd_atom + 1;
	if (d->attr.max_qp_init_rd_atom < 255)
		sm_bad(&s, &a, s.rts_mask, IBV_QPS_RTR,
		       "RTR->RTS with max_rd_atomic > max_qp_init_rd_atom", false);
	a = s.rts;
	a.timeout = 32;
	sm_bad(&s, &a, s.rts_mask, IBV_QPS_RTR, "RTR->RTS with timeout 32 (5-bit field)", false);
	a = s.rts;
	a.retry_cnt = 8;
	sm_bad(&s, &a, s.rts_mask, IBV_QPS_RTR, "RTR->RTS with retry_cnt 8 (3-bit field)", true);
	a = s.rts;
	a.rnr_retry = 8;
	sm_bad(&s, &a, s.rts_mask, IBV_QPS_RTR, "RTR->RTS with rnr_retry 8 (3-bit field)", true);
	if (FAILED(c) || !sm_ok(&s, &s.rts, s.rts_mask, IBV_QPS_RTS, "RTR->RTS"))
		goto out;

	/* the refused modifies left nothing behind */
	if (ibv_query_qp(s.qp, &q, IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_MAX_QP_RD_ATOMIC |
			 IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			 IBV_QP_RNR_RETRY | IBV_QP_MIN_RNR_TIMER | IBV_QP_PKEY_INDEX, &qi)) {
		fail(c, "ibv_query_qp failed");
	} else if (q.path_mtu != s.rtr.path_mtu || q.dest_qp_num != s.rtr.dest_qp_num ||
		   q.timeout != s.rts.timeout || q.retry_cnt != s.rts.retry_cnt ||
		   q.rnr_retry != s.rts.rnr_retry || q.min_rnr_timer != s.rtr.min_rnr_timer ||
		   q.pkey_index != 0 || q.max_rd_atomic < 1 || q.max_dest_rd_atomic < 1) {
		fail(c, "attributes after the refused modifies: mtu %d dqpn 0x%x timeout %u retry %u "
		     "rnr_retry %u min_rnr %u pkey_index %u rd_atomic %u/%u",
		     q.path_mtu, q.dest_qp_num, q.timeout, q.retry_cnt, q.rnr_retry, q.min_rnr_timer,
		     q.pkey_index, q.max_rd_atomic, q.max_dest_rd_atomic);
	}
out:
	sm_destroy(&s);
out_sync:
	sync_step(c, 1);
}

/* ---- query_qp returns what was set --------------------------------------------------------- */
void case_query_qp(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct ibv_qp_attr q;
	struct ibv_qp_init_attr qi;

	(void)arg;
	qp_opts_default(c, &o);
	o.timeout = 17;
	o.retry_cnt = 6;
	o.rnr_retry = 5;
	o.min_rnr_timer = 9;
	o.sq_psn = IS_A(c) ? 0x123456 : 0xabcdef;
	o.max_rd_atomic = 2;
	o.max_dest_rd_atomic = 3;
	o.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	o.sq = 40;
	o.rq = 24;
	if (!conn_create(c, &cn, &o) || !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		struct dev *d = c->dev;
		int mask = IBV_QP_STATE | IBV_QP_CUR_STATE | IBV_QP_ACCESS_FLAGS | IBV_QP_PKEY_INDEX |
			   IBV_QP_PORT | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_TIMEOUT |
			   IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_RQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC |
			   IBV_QP_MIN_RNR_TIMER | IBV_QP_SQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
			   IBV_QP_DEST_QPN | IBV_QP_CAP;
		enum ibv_mtu mtu = d->pattr.active_mtu < cn.r.mtu ? d->pattr.active_mtu : cn.r.mtu;

		memset(&q, 0x5c, sizeof(q));
		memset(&qi, 0x5c, sizeof(qi));
		if (ibv_query_qp(cn.qp[0], &q, mask, &qi)) {
			fail(c, "ibv_query_qp: %s", strerror(errno));
			goto out_sync;
		}
#define EXPECT(cond, ...) do { if (!(cond)) fail(c, __VA_ARGS__); } while (0)
		EXPECT(q.qp_state == IBV_QPS_RTS, "qp_state %d", q.qp_state);
		if (q.cur_qp_state != IBV_QPS_RTS && c->dev->is_rxe)
			note(c, "DEVIATION (rxe, accepted): cur_qp_state %d, not the current state",
			     q.cur_qp_state);
		else
			EXPECT(q.cur_qp_state == IBV_QPS_RTS, "cur_qp_state %d", q.cur_qp_state);
		EXPECT(q.qp_access_flags == (unsigned)o.access, "qp_access_flags 0x%x, set 0x%x",
		       q.qp_access_flags, o.access);
		EXPECT(q.pkey_index == 0, "pkey_index %u", q.pkey_index);
		EXPECT(q.port_num == d->port, "port_num %u", q.port_num);
		EXPECT(q.path_mtu == mtu, "path_mtu %d, set %d", q.path_mtu, mtu);
		EXPECT(q.timeout == 17, "timeout %u, set 17", q.timeout);
		EXPECT(q.retry_cnt == 6, "retry_cnt %u, set 6", q.retry_cnt);
		EXPECT(q.rnr_retry == 5, "rnr_retry %u, set 5", q.rnr_retry);
		EXPECT(q.min_rnr_timer == 9, "min_rnr_timer %u, set 9", q.min_rnr_timer);
		EXPECT(q.sq_psn == 0x123456, "sq_psn 0x%x, set 0x123456", q.sq_psn);
		EXPECT(q.rq_psn == cn.r.psn[0], "rq_psn 0x%x, set 0x%x", q.rq_psn, cn.r.psn[0]);
		EXPECT(q.max_rd_atomic >= (uint8_t)cn.o.max_rd_atomic &&
		       q.max_rd_atomic <= d->attr.max_qp_init_rd_atom,
		       "max_rd_atomic %u, set %d", q.max_rd_atomic, cn.o.max_rd_atomic);
		EXPECT(q.max_dest_rd_atomic >= (uint8_t)cn.o.max_dest_rd_atomic &&
		       q.max_dest_rd_atomic <= d->attr.max_qp_rd_atom,
		       "max_dest_rd_atomic %u, set %d", q.max_dest_rd_atomic, cn.o.max_dest_rd_atomic);
		if (q.max_rd_atomic != cn.o.max_rd_atomic || q.max_dest_rd_atomic != cn.o.max_dest_rd_atomic)
			note(c, "rd_atomic rounded up: %u/%u for %d/%d", q.max_rd_atomic,
			     q.max_dest_rd_atomic, cn.o.max_rd_atomic, cn.o.max_dest_rd_atomic);
		EXPECT(q.dest_qp_num == cn.r.qpn[0], "dest_qp_num 0x%x, set 0x%x", q.dest_qp_num,
		       cn.r.qpn[0]);
		EXPECT(q.ah_attr.port_num == d->port, "ah_attr.port_num %u", q.ah_attr.port_num);
		if (d->gidx >= 0) {
			EXPECT(q.ah_attr.is_global == 1, "ah_attr.is_global %u", q.ah_attr.is_global);
			EXPECT(!memcmp(q.ah_attr.grh.dgid.raw, cn.r.gid, 16), "ah_attr.grh.dgid differs");
			EXPECT(q.ah_attr.grh.sgid_index == d->gidx, "sgid_index %u",
			       q.ah_attr.grh.sgid_index);
		} else {
			EXPECT(q.ah_attr.dlid == cn.r.lid, "ah_attr.dlid 0x%x, set 0x%x", q.ah_attr.dlid,
			       cn.r.lid);
			EXPECT(q.ah_attr.is_global == 0, "ah_attr.is_global %u without GRH",
			       q.ah_attr.is_global);
		}
		EXPECT(q.cap.max_send_wr >= 40 && q.cap.max_recv_wr >= 24 && q.cap.max_send_sge >= 5 &&
		       q.cap.max_recv_sge >= 4 && q.cap.max_inline_data >= 64,
		       "cap: send_wr %u recv_wr %u send_sge %u recv_sge %u inline %u",
		       q.cap.max_send_wr, q.cap.max_recv_wr, q.cap.max_send_sge, q.cap.max_recv_sge,
		       q.cap.max_inline_data);
		EXPECT(qi.qp_type == IBV_QPT_RC, "init_attr.qp_type %d", qi.qp_type);
		EXPECT(qi.sq_sig_all == 1, "init_attr.sq_sig_all %d", qi.sq_sig_all);
		EXPECT(qi.send_cq == cn.scq && qi.recv_cq == cn.rcq && qi.srq == NULL,
		       "init_attr CQ/SRQ pointers");
#undef EXPECT
	}
out_sync:
	sync_step(c, 30);
out:
	conn_destroy(&cn);
}

/* ---- resize_cq ------------------------------------------------------------------------------ */
void case_resize_cq(struct ctx *c, long arg)
{
	enum { N = 10 };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[N];
	int i, r;

	(void)arg;
	qp_opts_default(c, &o);
	o.separate_cq = true;
	o.cqe = 16;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 2 * N * 64, IBV_ACCESS_LOCAL_WRITE) ||
	    !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		if (!sync_step(c, 20))
			goto out;
		for (i = 0; i < N; i++) {
			pat_fill(b.p + i * 64, 64, cseed(c, i));
			if (!post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, i * 64, 64, IBV_SEND_SIGNALED,
				       0, 0, 0))
				goto out;
		}
		if (wait_wc(c, cn.scq, N, wc, 0, "sends") != N || !sync_step(c, 30))
			goto out;
		for (i = N; i < 2 * N; i++) {
			pat_fill(b.p + i * 64, 64, cseed(c, i));
			if (!post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, i * 64, 64, IBV_SEND_SIGNALED,
				       0, 0, 0))
				goto out;
		}
		if (wait_wc(c, cn.scq, N, wc, 0, "sends after the resize") == N)
			sync_step(c, 40);
	} else {
		for (i = 0; i < 2 * N; i++)
			if (!post_recv(c, cn.qp[0], i, &b, i * 64, 64))
				goto out;
		/* N receive completions pile up in the CQ, unpolled */
		if (!sync_step(c, 20) || !sync_step(c, 30))
			goto out;
		usleep(50000);
		r = ibv_resize_cq(cn.rcq, 64);
		if (r) {
			fail(c, "ibv_resize_cq(16 -> 64) with %d completions queued: %s", N, strerror(r));
			goto out;
		}
		if (cn.rcq->cqe < 64)
			fail(c, "resized CQ reports cqe %d < 64", cn.rcq->cqe);
		r = ibv_resize_cq(cn.rcq, N + 2);
		if (r && c->dev->is_rxe) {
			/* rxe (6.1) refuses to shrink a CQ that holds completions */
			note(c, "DEVIATION (rxe, accepted): ibv_resize_cq(64 -> %d) with %d completions "
			     "queued refused (%s); the IBA allows any size >= the completions held",
			     N + 2, N, strerror(r));
			r = 0;
		} else if (r) {
			fail(c, "ibv_resize_cq(64 -> %d) with %d completions queued: %s", N + 2, N,
			     strerror(r));
			goto out;
		}
		r = ibv_resize_cq(cn.rcq, 4);
		if (r == 0)
			fail(c, "ibv_resize_cq(4) accepted with %d completions queued", N);
		for (i = 0; i < N; i++)
			if (!got_msg(c, &cn, &b, i, IBV_WC_RECV, -1))
				goto out;
		if (!sync_step(c, 40))
			goto out;
		for (i = N; i < 2 * N; i++)
			if (!got_msg(c, &cn, &b, i, IBV_WC_RECV, -1))
				goto out;
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}
