// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cases for pcieverbs' fast path (small SEND/RECV written and consumed by
 * the provider, see include/rdma/pcieverbs-abi.h): traffic that hands the
 * QP to the kernel and back in the middle of a stream, and RNR met while
 * on the fast path.  They are plain verbs semantics, so they run on any
 * device; on pcieverbs they also check, from the port's hw_counters, that
 * the fast path was really entered and left (on the blade they run on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

#define IS_A(c) ((c)->role == ROLE_A)

/* A port counter of the device, or -1 if it has none (not pcieverbs). */
static long long hw_counter(struct ctx *c, const char *name)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/infiniband/%s/ports/%d/hw_counters/%s",
		 c->dev->name, c->dev->port, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* On pcieverbs (not in loopback, which stays in the kernel): did it move? */
static void expect_counter_up(struct ctx *c, const char *name, long long before)
{
	long long now = hw_counter(c, name);

	if (before < 0 || now < 0 || c->loopback || strncmp(c->dev->name, "pciev", 5))
		return;
	if (now <= before)
		fail(c, "hw counter %s did not move (%lld): the fast path was not used", name, now);
	else
		note(c, "%s +%lld", name, now - before);
}

/*
 * The provider asks for the fast path once a QP has posted a few small
 * SENDs in a row with its send queue idle: n small SENDs, one at a time,
 * each completed (the peer has receives for them).
 */
static bool warm_sends(struct ctx *c, struct conn *cn, struct buf *b, size_t off, int n)
{
	for (int j = 0; j < n; j++)
		if (!post_send(c, cn->qp[0], IBV_WR_SEND, 5000 + j, b, off, 8, IBV_SEND_SIGNALED,
			       0, 0, 0) ||
		    !wait_one(c, cn->scq, 5000 + j, IBV_WC_SUCCESS, IBV_WC_SEND, cn->qp[0],
			      "warm-up SEND"))
			return false;
	return true;
}

static bool warm_recvs(struct ctx *c, struct conn *cn, int n)
{
	for (int j = 0; j < n; j++)
		if (!wait_recv(c, cn->rcq, 6000 + j, IBV_WC_RECV, cn->qp[0], 8, -1,
			       "warm-up receive"))
			return false;
	return true;
}

static bool post_warm_recvs(struct ctx *c, struct conn *cn, struct buf *b, size_t off, int n)
{
	for (int j = 0; j < n; j++)
		if (!post_recv(c, cn->qp[0], 6000 + j, b, off + (size_t)j * 64, 64))
			return false;
	return true;
}

/*
 * A stream of 60 signaled WRs from A: small SENDs (the fast path), an RDMA
 * WRITE at 20 and a 4096-byte SEND at 40 (both the kernel's), so the QP
 * is handed over and taken back mid-stream at both ends.  Both sides first
 * exchange WARM small SENDs (so both go fast).  Every completion in order
 * with its wr_id; every message in order with its length and data; the
 * WRITE's data in place.
 */
void case_fast_mixed(struct ctx *c, long arg)
{
	enum { N = 60, SLOT = 4096, WRITE_AT = 20, BIG_AT = 40, WARM = 6 };
	long long enter0 = hw_counter(c, "fast_enter"), leave0 = hw_counter(c, "fast_leave");
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[1];
	uint32_t sz[N];
	int i, k;

	(void)arg;
	if (c->loopback) {
		/* Loopback QPs keep the kernel path, which the other cases cover
		 * (and here A's and B's CQs are one: the waits below assume two).
		 */
		skip(c, "the fast path does not serve loopback QPs");
		return;
	}
	for (i = 0; i < N; i++)
		sz[i] = i == BIG_AT ? SLOT : 1 + mix64(cseed(c, 500 + i)) % 1500;
	qp_opts_default(c, &o);
	o.sq = 64;
	o.rq = 128;
	if (!conn_create(c, &cn, &o) ||
	    !buf_alloc(&cn, &b, (size_t)(N + 2) * SLOT,
		       IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE))
		goto out;
	if (IS_A(c)) {
		if (!post_warm_recvs(c, &cn, &b, 0, WARM) || !conn_connect(&cn, 10) ||
		    !warm_recvs(c, &cn, WARM) ||
		    !warm_sends(c, &cn, &b, (size_t)(N + 1) * SLOT, WARM) || !sync_step(c, 15))
			goto out;
		for (i = 0; i < N; i++) {
			size_t off = (size_t)i * SLOT;
			bool ok;

			pat_fill(b.p + off, sz[i], cseed(c, i));
			if (i == WRITE_AT)
				ok = post_send(c, cn.qp[0], IBV_WR_RDMA_WRITE, i, &b, off, sz[i],
					       IBV_SEND_SIGNALED, cn.r.addr[0] + (size_t)N * SLOT,
					       cn.r.rkey[0], 0);
			else
				ok = post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, off, sz[i],
					       IBV_SEND_SIGNALED, 0, 0, 0);
			if (!ok)
				goto out;
		}
		for (i = 0; i < N && !FAILED(c); i++)
			if (wait_wc(c, cn.scq, 1, wc, 0, "stream completion") != 1 ||
			    !check_wc(c, wc, i, IBV_WC_SUCCESS,
				      i == WRITE_AT ? IBV_WC_RDMA_WRITE : IBV_WC_SEND, cn.qp[0],
				      "stream completion, in order"))
				break;
		if (!FAILED(c)) {
			expect_counter_up(c, "fast_enter", enter0);
			expect_counter_up(c, "fast_leave", leave0);
		}
		sync_step(c, 30);
	} else {
		conn_expose(&cn, &b);
		if (!post_warm_recvs(c, &cn, &b, 0, WARM) || !conn_connect(&cn, 10) ||
		    !warm_sends(c, &cn, &b, (size_t)(N + 1) * SLOT, WARM) ||
		    !warm_recvs(c, &cn, WARM))
			goto out;
		for (i = 0; i < N - 1; i++)
			if (!post_recv(c, cn.qp[0], i, &b, (size_t)i * SLOT, SLOT))
				goto out;
		if (!sync_step(c, 15))
			goto out;
		for (i = 0, k = 0; i < N && !FAILED(c); i++) {
			char what[64];

			if (i == WRITE_AT)
				continue;
			snprintf(what, sizeof(what), "stream message %d (%u bytes)", i, sz[i]);
			if (!wait_recv(c, cn.rcq, k, IBV_WC_RECV, cn.qp[0], sz[i], -1, what) ||
			    !pat_check(c, b.p + (size_t)k * SLOT, sz[i], cseed(c, i), what))
				break;
			k++;
		}
		if (!FAILED(c) && sync_step(c, 30))
			pat_check(c, b.p + (size_t)N * SLOT, sz[WRITE_AT], cseed(c, WRITE_AT),
				  "the WRITE in the middle of the stream");
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/*
 * RNR met on the fast path: after a warm-up both ways, B has one receive
 * left and A sends two small SENDs.  The first lands; the second finds no
 * receive: it must wait (RNR, rnr_retry 7), not complete, not be lost, and
 * complete with its data once B posts a receive.
 */
void case_fast_rnr(struct ctx *c, long arg)
{
	enum { WARM = 6 };
	long long leave0 = hw_counter(c, "fast_leave");
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };

	(void)arg;
	if (c->loopback) {
		skip(c, "the fast path does not serve loopback QPs");
		return;
	}
	qp_opts_default(c, &o);
	o.min_rnr_timer = 14;	/* 1.28 ms */
	o.rnr_retry = 7;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 4096, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		if (!post_warm_recvs(c, &cn, &b, 1024, WARM) || !conn_connect(&cn, 10) ||
		    !warm_recvs(c, &cn, WARM) || !warm_sends(c, &cn, &b, 2048, WARM))
			goto out;
		pat_fill(b.p + 256, 100, cseed(c, 1));
		pat_fill(b.p + 512, 200, cseed(c, 2));
		if (!post_send(c, cn.qp[0], IBV_WR_SEND, 1, &b, 256, 100, IBV_SEND_SIGNALED, 0, 0,
			       0) ||
		    !post_send(c, cn.qp[0], IBV_WR_SEND, 2, &b, 512, 200, IBV_SEND_SIGNALED, 0, 0,
			       0) ||
		    !wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0], "first SEND") ||
		    !expect_no_wc(c, cn.scq, 300, "SEND completed with no receive posted") ||
		    !sync_step(c, 20))
			goto out;
		if (wait_one(c, cn.scq, 2, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
			     "second SEND, after the late receive"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_RTS, "requester after RNR");
		sync_step(c, 30);
	} else {
		if (!post_warm_recvs(c, &cn, &b, 1024, WARM) ||
		    !post_recv(c, cn.qp[0], 1, &b, 0, 256) || !conn_connect(&cn, 10) ||
		    !warm_sends(c, &cn, &b, 2048, WARM) || !warm_recvs(c, &cn, WARM) ||
		    !wait_recv(c, cn.rcq, 1, IBV_WC_RECV, cn.qp[0], 100, -1, "first SEND") ||
		    !pat_check(c, b.p, 100, cseed(c, 1), "first SEND's data"))
			goto out;
		/* Poll while A waits: the fast path meets the message with no receive. */
		if (!expect_no_wc(c, cn.rcq, 300, "a receive completed that was never posted") ||
		    !sync_step(c, 20))
			goto out;
		if (!post_recv(c, cn.qp[0], 2, &b, 256, 256) ||
		    !wait_recv(c, cn.rcq, 2, IBV_WC_RECV, cn.qp[0], 200, -1, "late receive") ||
		    !pat_check(c, b.p + 256, 200, cseed(c, 2), "second SEND's data"))
			goto out;
		expect_counter_up(c, "fast_leave", leave0);
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/*
 * One SRQ consumed by the fast path and by the kernel side by side (UCX's
 * rc_verbs shape: every QP of a process on one SRQ).  B's three QPs share
 * an SRQ; QPs 0 and 1 send small SENDs first (the provider then takes them
 * over), QP 2 only receives (the kernel keeps it).  A sends ROUNDS rounds
 * of one small SEND per QP, a chunk at a time, while B reposts each WQE as
 * it completes: the fast QPs and the kernel's QP claim from the same ring
 * at once.  Half way B arms a limit and then holds its WQEs back until the
 * ring drains below it (the senders wait in RNR): the fast path must stay
 * away (only the kernel counts down to the event), and the event must come
 * at that consumption.  Every WQE is used once, every QP's messages arrive
 * in order with their data, and on pcieverbs the fast path was entered.
 */
void case_fast_srq(struct ctx *c, long arg)
{
	enum { NQ = 3, NFAST = 2, ROUNDS = 120, SZ = 48, SLOT = 64, WARM = 6, CHUNK = 16,
	       NRECV = NQ * CHUNK, LIMIT = 3 };
	long long enter0 = hw_counter(c, "fast_enter");
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[NQ * CHUNK];
	int i, q, n;

	(void)arg;
	if (c->loopback) {
		skip(c, "the fast path does not serve loopback QPs");
		return;
	}
	qp_opts_default(c, &o);
	o.nqp = NQ;
	o.sq = NQ * CHUNK;
	o.min_rnr_timer = 1;	/* 0.01 ms: RNR is part of the test */
	if (!IS_A(c)) {
		o.srq_wr = 2 * NRECV;
		o.srq_sge = 1;
	}
	if (!conn_create(c, &cn, &o) ||
	    !buf_alloc(&cn, &b, (size_t)(NRECV + WARM * NFAST) * SLOT + 4096,
		       IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		/* Receives for B's warm-up SENDs on its fast QPs. */
		for (q = 0; q < NFAST; q++)
			for (i = 0; i < WARM; i++)
				if (!post_recv(c, cn.qp[q], 6000 + i, &b,
					       (size_t)(NQ * CHUNK + q * WARM + i) * SLOT, SLOT))
					goto out;
		if (!conn_connect(&cn, 10) ||
		    wait_wc(c, cn.rcq, NFAST * WARM, wc, 0, "B's warm-up SENDs") != NFAST * WARM ||
		    !sync_step(c, 20))
			goto out;
		for (int r0 = 0; r0 < ROUNDS && !FAILED(c); r0 += CHUNK) {
			for (i = r0; i < r0 + CHUNK; i++)
				for (q = 0; q < NQ; q++) {
					size_t off = (size_t)((i - r0) * NQ + q) * SLOT;
					uint8_t *p = b.p + off;

					pat_fill(p, SZ, cseed(c, q * 1000 + i));
					p[0] = (uint8_t)q;
					p[1] = (uint8_t)i;
					if (!post_send(c, cn.qp[q], IBV_WR_SEND, (uint64_t)q << 16 | i, &b,
						       off, SZ, IBV_SEND_SIGNALED, 0, 0, 0))
						goto out;
				}
			n = wait_wc(c, cn.scq, NQ * CHUNK, wc, 0, "SENDs of a chunk");
			for (i = 0; i < n; i++)
				if (wc[i].status != IBV_WC_SUCCESS) {
					fail(c, "SEND %#llx: %s", (unsigned long long)wc[i].wr_id,
					     wc_status_name(wc[i].status));
					break;
				}
		}
		sync_step(c, 30);
	} else {
		int next[NQ] = { 0 }, got = 0;
		bool armed = false, evented = false, posted[NRECV] = { false };
		int outstanding = 0, nheld = 0;
		uint64_t held[NRECV];
		struct ibv_srq_attr sa = { .srq_limit = LIMIT };

		/* WQE i uses slot i and is posted again as soon as it completes. */
		for (i = 0; i < NRECV; i++) {
			if (!post_srq_recv(c, cn.srq, i, &b, (size_t)i * SLOT, SLOT))
				goto out;
			posted[i] = true;
			outstanding++;
		}
		if (!conn_connect(&cn, 10))
			goto out;
		for (q = 0; q < NFAST; q++)
			for (i = 0; i < WARM; i++)
				if (!post_send(c, cn.qp[q], IBV_WR_SEND, 5000 + i, &b,
					       (size_t)(NQ * CHUNK) * SLOT, 8, IBV_SEND_SIGNALED, 0,
					       0, 0) ||
				    !wait_one(c, cn.scq, 5000 + i, IBV_WC_SUCCESS, IBV_WC_SEND,
					      cn.qp[q], "warm-up SEND"))
					goto out;
		if (!sync_step(c, 20))
			goto out;
		while (got < NQ * ROUNDS && !FAILED(c)) {
			uint64_t id;
			uint8_t *p;
			char what[64];

			if (wait_wc(c, cn.rcq, 1, wc, 0, "SRQ receive") != 1)
				break;
			id = wc[0].wr_id;
			for (q = 0; q < NQ; q++)
				if (cn.qp[q]->qp_num == wc[0].qp_num)
					break;
			if (wc[0].status != IBV_WC_SUCCESS || wc[0].opcode != IBV_WC_RECV ||
			    wc[0].byte_len != SZ || q == NQ || id >= NRECV || !posted[id]) {
				fail(c, "SRQ receive %d: status %s opcode %d byte_len %u qp_num %#x wr_id %llu%s",
				     got, wc_status_name(wc[0].status), wc[0].opcode, wc[0].byte_len,
				     wc[0].qp_num, (unsigned long long)id,
				     id < NRECV && !posted[id] ? " (completed twice)" : "");
				break;
			}
			posted[id] = false;
			p = b.p + id * SLOT;
			snprintf(what, sizeof(what), "QP %d message %d", q, next[q]);
			if (p[0] != q || p[1] != (uint8_t)next[q]) {
				fail(c, "%s: got QP %d message %d (wc.qp_num or order wrong)", what,
				     p[0], p[1]);
				break;
			}
			p[0] = p[1] = 0;
			{
				uint8_t exp[SZ];

				pat_fill(exp, SZ, cseed(c, q * 1000 + next[q]));
				if (memcmp(p + 2, exp + 2, SZ - 2)) {
					fail(c, "%s: data differs", what);
					break;
				}
			}
			next[q]++;
			got++;
			outstanding--;
			/*
			 * Once the limit is armed, hold the WQEs back until the
			 * SRQ has drained below it (the senders wait in RNR):
			 * the consumption that left fewer than LIMIT must raise
			 * the event, which no fast-path claim may have skipped.
			 */
			if (armed && !evented) {
				held[nheld++] = id;
				if (outstanding >= LIMIT)
					continue;
				if (!wait_async(c, IBV_EVENT_SRQ_LIMIT_REACHED, cn.srq, c->tmo_ms)) {
					fail(c, "no IBV_EVENT_SRQ_LIMIT_REACHED with %d WQEs left (limit %d)",
					     outstanding, LIMIT);
					break;
				}
				evented = true;
				for (i = 0; i < nheld; i++) {
					if (!post_srq_recv(c, cn.srq, held[i], &b, held[i] * SLOT, SLOT))
						goto out;
					posted[held[i]] = true;
					outstanding++;
				}
				continue;
			}
			if (!post_srq_recv(c, cn.srq, id, &b, id * SLOT, SLOT))
				break;
			posted[id] = true;
			outstanding++;
			if (!armed && got >= NQ * ROUNDS / 2) {
				int r = ibv_modify_srq(cn.srq, &sa, IBV_SRQ_LIMIT);

				if (r) {
					fail(c, "ibv_modify_srq(srq_limit %d): %s", LIMIT, strerror(r));
					break;
				}
				armed = true;
			}
		}
		if (!FAILED(c) && !evented)
			fail(c, "the SRQ never drained below its limit: the test did not test it");
		if (!FAILED(c))
			expect_counter_up(c, "fast_enter", enter0);
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/*
 * A busy fast QP and a quiet kernel-path QP on the same CQs, as UCX leaves
 * them (a second RC QP per peer from wire-up).  A process with fast QPs
 * backs off its empty kicks (providers/pcieverbs/kick.h), and the quiet QP
 * gets no doorbell from its peer while its CQ is not armed: only those
 * kicks serve it.  After a warm-up (QP 0 goes fast on both sides) A and B
 * ping-pong ROUNDS small messages on QP 0, long enough for A's kicks to
 * back off to their longest wait; then B sends one message on QP 1, which
 * A must receive while it only polls; A answers on QP 1 and the ping-pong
 * goes on.  Every message with its data, on its QP, every SEND completed.
 */
void case_fast_quiet(struct ctx *c, long arg)
{
	enum { ROUNDS = 1000, MORE = 50, SZ = 32, SLOT = 64, WARM = 6, QSZ = 200 };
	enum { R_WARM = 0, R_PING = WARM, R_SEND = R_PING + ROUNDS + MORE,
	       R_QUIET = R_SEND + 1, NSLOT = R_QUIET + 8 };
	long long enter0 = hw_counter(c, "fast_enter");
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	size_t quiet = (size_t)R_QUIET * SLOT;
	uint64_t t0;
	int i;

	(void)arg;
	if (c->loopback) {
		skip(c, "the fast path does not serve loopback QPs");
		return;
	}
	qp_opts_default(c, &o);
	o.nqp = 2;
	o.separate_cq = true;	/* as UCX: sends and receives apart */
	o.sq = 16;
	o.rq = ROUNDS + MORE + WARM + 2;
	if (!conn_create(c, &cn, &o) ||
	    !buf_alloc(&cn, &b, (size_t)NSLOT * SLOT + QSZ, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	/* Every receive first, in the RQ's order: a ping never meets RNR. */
	if (!post_warm_recvs(c, &cn, &b, (size_t)R_WARM * SLOT, WARM) ||
	    !post_recv(c, cn.qp[1], 7000, &b, quiet, QSZ))
		goto out;
	for (i = 0; i < ROUNDS + MORE; i++)
		if (!post_recv(c, cn.qp[0], 100 + i, &b, (size_t)(R_PING + i) * SLOT, SLOT))
			goto out;
	if (!conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		if (!warm_recvs(c, &cn, WARM) ||
		    !warm_sends(c, &cn, &b, (size_t)R_SEND * SLOT, WARM) || !sync_step(c, 15))
			goto out;
	} else {
		if (!warm_sends(c, &cn, &b, (size_t)R_SEND * SLOT, WARM) ||
		    !warm_recvs(c, &cn, WARM) || !sync_step(c, 15))
			goto out;
	}
	for (i = 0; i < ROUNDS + MORE && !FAILED(c); i++) {
		size_t off = (size_t)R_SEND * SLOT, in = (size_t)(R_PING + i) * SLOT;
		char what[48];

		if (i == ROUNDS) {
			/* The quiet QP: B speaks first, A answers. */
			pat_fill(b.p + quiet, QSZ, cseed(c, IS_A(c) ? 9001 : 9000));
			if (!IS_A(c) &&
			    (!post_send(c, cn.qp[1], IBV_WR_SEND, 7001, &b, quiet, QSZ,
					IBV_SEND_SIGNALED, 0, 0, 0) ||
			     !wait_one(c, cn.scq, 7001, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[1],
				       "B's SEND on the quiet QP")))
				break;
			t0 = now_ms();
			if (!wait_recv(c, cn.rcq, 7000, IBV_WC_RECV, cn.qp[1], QSZ, -1,
				       "the message on the quiet kernel-path QP"))
				break;
			/* Kicks serve it within ~0.1 ms of its arrival; the link
			 * tick alone (kicks gone wrong) within 100 ms.  A note, as
			 * a time on a loaded host proves nothing either way.
			 */
			note(c, "%s waited %llu ms for the quiet QP's message",
			     IS_A(c) ? "A" : "B", (unsigned long long)(now_ms() - t0));
			if (!pat_check(c, b.p + quiet, QSZ, cseed(c, IS_A(c) ? 9000 : 9001),
				       "the quiet QP's message"))
				break;
			if (IS_A(c)) {
				pat_fill(b.p + quiet, QSZ, cseed(c, 9001));
				if (!post_send(c, cn.qp[1], IBV_WR_SEND, 7001, &b, quiet, QSZ,
					       IBV_SEND_SIGNALED, 0, 0, 0) ||
				    !wait_one(c, cn.scq, 7001, IBV_WC_SUCCESS, IBV_WC_SEND,
					      cn.qp[1], "A's answer on the quiet QP"))
					break;
			}
		}
		pat_fill(b.p + off, SZ, cseed(c, (IS_A(c) ? 0 : 1000) + i));
		if (IS_A(c) &&
		    (!post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, off, SZ, IBV_SEND_SIGNALED,
				0, 0, 0) ||
		     !wait_one(c, cn.scq, i, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0], "a ping")))
			break;
		snprintf(what, sizeof(what), "%s %d on the fast QP", IS_A(c) ? "pong" : "ping", i);
		if (!wait_recv(c, cn.rcq, 100 + i, IBV_WC_RECV, cn.qp[0], SZ, -1, what) ||
		    !pat_check(c, b.p + in, SZ, cseed(c, (IS_A(c) ? 1000 : 0) + i), what))
			break;
		if (!IS_A(c) &&
		    (!post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, off, SZ, IBV_SEND_SIGNALED,
				0, 0, 0) ||
		     !wait_one(c, cn.scq, i, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0], "a pong")))
			break;
	}
	if (!FAILED(c))
		expect_counter_up(c, "fast_enter", enter0);
	sync_step(c, 30);
out:
	buf_free(&b);
	conn_destroy(&cn);
}
