// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Error rules: RNR retry and RNR retry exhaustion, remote access errors
 * (rkey, bounds, access rights, deregistered MRs, misaligned atomics), local
 * protection and length errors, flushing on the ERR state, full queues.
 *
 * Expected statuses follow the InfiniBand specification (vol. 1, ch. 9-11).
 * Where Soft-RoCE (rxe, Linux 6.1) reports something else, check_status()
 * accepts rxe's value on rxe only and says so in a "DEVIATION" diagnostic;
 * README.md lists every such case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "conform.h"

#define GUARD 0x5a
#define LOCAL_ALL (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
		   IBV_ACCESS_REMOTE_ATOMIC)
#define IS_A(c) ((c)->role == ROLE_A)

/* An rkey/lkey that is not the given one (and not one of its neighbours). */
static uint32_t bad_key(uint32_t k)
{
	return k ^ 0x5a5a5a00u ^ 0x80u;
}

/* Drain whatever is in a CQ into the diagnostics (the peer's view of an error). */
static void note_cq(struct ctx *c, struct ibv_cq *cq, const char *who)
{
	struct ibv_wc wc[8];
	int i, n = ibv_poll_cq(cq, 8, wc);

	for (i = 0; i < n; i++)
		note(c, "%s: completion wr_id 0x%llx status %s", who,
		     (unsigned long long)wc[i].wr_id, wc_status_name(wc[i].status));
}

/* ---- RNR ----------------------------------------------------------------------------------- */
void case_rnr_recover(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	uint64_t seed = cseed(c, 1);

	(void)arg;
	qp_opts_default(c, &o);
	o.min_rnr_timer = 14;	/* 1.28 ms */
	o.rnr_retry = 7;	/* retry forever */
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 4096, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		pat_fill(b.p, 4096, seed);
		if (!conn_connect(&cn, 10) ||
		    !post_send(c, cn.qp[0], IBV_WR_SEND, 1, &b, 0, 4096, IBV_SEND_SIGNALED, 0, 0, 0))
			goto out;
		/* no receive at the responder: the SEND must wait, not complete or fail */
		if (!expect_no_wc(c, cn.scq, 400, "SEND completed while the responder had no receive") ||
		    !sync_step(c, 20))
			goto out;
		if (wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
			     "SEND after the late receive"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_RTS, "requester after RNR retries");
		sync_step(c, 30);
	} else {
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		usleep(100000);
		if (!post_recv(c, cn.qp[0], 2, &b, 0, 4096) ||
		    !wait_recv(c, cn.rcq, 2, IBV_WC_RECV, cn.qp[0], 4096, -1, "late receive"))
			goto out;
		if (pat_check(c, b.p, 4096, seed, "data of the retried SEND"))
			sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* arg: the requester's rnr_retry (0 or a small count) */
void case_rnr_exceeded(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[3];
	uint64_t t0;
	int i;

	qp_opts_default(c, &o);
	o.rnr_retry = arg;
	o.min_rnr_timer = 1;	/* 0.01 ms: exhaust quickly */
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 4096, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		if (!conn_connect(&cn, 10))
			goto out;
		t0 = now_ms();
		for (i = 0; i < 3; i++)
			if (!post_send(c, cn.qp[0], IBV_WR_SEND, i + 1, &b, 0, 64, IBV_SEND_SIGNALED,
				       0, 0, 0))
				goto out;
		if (wait_wc(c, cn.scq, 3, wc, 0, "RNR exhaustion") != 3)
			goto out;
		note(c, "rnr_retry %ld exhausted after %llu ms", arg,
		     (unsigned long long)(now_ms() - t0));
		if (check_wc(c, &wc[0], 1, IBV_WC_RNR_RETRY_EXC_ERR, -1, cn.qp[0],
			     "SEND to a QP with no receive") &&
		    check_wc(c, &wc[1], 2, IBV_WC_WR_FLUSH_ERR, -1, cn.qp[0], "next SEND flushed") &&
		    check_wc(c, &wc[2], 3, IBV_WC_WR_FLUSH_ERR, -1, cn.qp[0], "third SEND flushed"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "requester after RNR_RETRY_EXC_ERR");
		sync_step(c, 30);
	} else {
		if (!conn_connect(&cn, 10) || !sync_step(c, 30))
			goto out;
		/* an RNR NAK does not hurt the responder */
		if (expect_qp_state(c, cn.qp[0], IBV_QPS_RTS, "responder after sending RNR NAKs"))
			expect_no_wc(c, cn.rcq, 10, "responder completion");
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- remote access errors ------------------------------------------------------------------- */
void case_rem_access(struct ctx *c, long v)
{
	struct qp_opts o;
	struct conn cn;
	struct buf t = { 0 }, t2 = { 0 }, r = { 0 }, l = { 0 };
	struct ibv_pd *pd2 = NULL;
	struct ibv_wc wc[2];
	int access = LOCAL_ALL;

	switch (v) {
	case RA_WRITE_NO_ACCESS:
		access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
		break;
	case RA_READ_NO_ACCESS:
		access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_ATOMIC;
		break;
	case RA_ATOMIC_NO_ACCESS:
		access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
		break;
	}
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if ((v == RA_ATOMIC_BAD_RKEY || v == RA_ATOMIC_NO_ACCESS || v == RA_ATOMIC_OOB ||
	     v == RA_ATOMIC_MISALIGNED) && c->dev->attr.atomic_cap == IBV_ATOMIC_NONE) {
		skip(c, "atomic_cap NONE");
		goto out;
	}
	if (!IS_A(c)) {
		if (!buf_alloc(&cn, &t, 4096, access) ||
		    !buf_alloc(&cn, &r, 64, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(t.p, GUARD, 4096);
		conn_expose(&cn, &t);
		if (v == RA_WRITE_OTHER_PD) {
			pd2 = ibv_alloc_pd(c->dev->ctx);
			if (!pd2 || !buf_alloc_pd(c, pd2, &t2, 4096, LOCAL_ALL)) {
				fail(c, "second PD/MR: %s", strerror(errno));
				goto out;
			}
			memset(t2.p, GUARD, 4096);
			conn_expose(&cn, &t2);
		}
		if (!conn_connect(&cn, 10) || !post_recv(c, cn.qp[0], 9, &r, 0, 64))
			goto out;
		if (v == RA_WRITE_AFTER_DEREG) {
			int e = ibv_dereg_mr(t.mr);

			t.mr = NULL;
			if (e) {
				fail(c, "ibv_dereg_mr: %s", strerror(e));
				goto out;
			}
		}
		if (!sync_step(c, 20) || !sync_step(c, 30))
			goto out;
		if (byte_check(c, t.p, 4096, GUARD, "target MR after the refused request") && t2.p)
			byte_check(c, t2.p, 4096, GUARD, "other PD's MR after the refused request");
		note(c, "responder QP state after the NAK: %s (the spec leaves it to class C "
		     "handling; rxe moves it to ERR)", qp_state_name(qp_state(cn.qp[0])));
		note_cq(c, cn.rcq, "responder");
	} else {
		enum ibv_wr_opcode op = IBV_WR_RDMA_WRITE;
		uint64_t raddr;
		uint32_t rkey;
		int expect = IBV_WC_REM_ACCESS_ERR;
		bool ok;

		if (!buf_alloc(&cn, &l, 4096, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		if (!conn_connect(&cn, 10))
			goto out;
		raddr = cn.r.addr[0];
		rkey = cn.r.rkey[0];
		switch (v) {
		case RA_WRITE_BAD_RKEY: rkey = bad_key(rkey); break;
		case RA_WRITE_RKEY_ZERO:
			if (!rkey)
				note(c, "the target's rkey IS 0: this case proves nothing");
			rkey = 0;
			break;
		case RA_WRITE_OTHER_PD: raddr = cn.r.addr[1]; rkey = cn.r.rkey[1]; break;
		case RA_WRITE_OOB_END: raddr += 4096 - 32; break;
		case RA_WRITE_OOB_BEFORE: raddr -= 32; break;
		case RA_WRITE_NO_ACCESS: case RA_WRITE_AFTER_DEREG: break;
		case RA_READ_BAD_RKEY: op = IBV_WR_RDMA_READ; rkey = bad_key(rkey); break;
		case RA_READ_OOB: op = IBV_WR_RDMA_READ; raddr += 4096 - 32; break;
		case RA_READ_NO_ACCESS: op = IBV_WR_RDMA_READ; break;
		case RA_ATOMIC_BAD_RKEY:
			op = IBV_WR_ATOMIC_FETCH_AND_ADD; raddr += 8; rkey = bad_key(rkey); break;
		case RA_ATOMIC_NO_ACCESS: op = IBV_WR_ATOMIC_FETCH_AND_ADD; raddr += 8; break;
		case RA_ATOMIC_OOB: op = IBV_WR_ATOMIC_FETCH_AND_ADD; raddr += 4096; break;
		case RA_ATOMIC_MISALIGNED:
			op = IBV_WR_ATOMIC_FETCH_AND_ADD;
			raddr += 4;
			/* IBA: a misaligned atomic is an invalid request (class C) */
			expect = IBV_WC_REM_INV_REQ_ERR;
			break;
		}
		if (op == IBV_WR_RDMA_WRITE)
			pat_fill(l.p, 4096, cseed(c, 1));
		else
			memset(l.p, 0x3c, 4096);
		if (!sync_step(c, 20))
			goto out;
		if (v == RA_ATOMIC_MISALIGNED) {
			struct ibv_sge sge = { (uintptr_t)l.p, 8, l.mr->lkey };
			struct ibv_send_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1,
						  .opcode = op, .send_flags = IBV_SEND_SIGNALED }, *bad;
			int e;

			wr.wr.atomic.remote_addr = raddr;
			wr.wr.atomic.rkey = rkey;
			wr.wr.atomic.compare_add = 1;
			e = ibv_post_send(cn.qp[0], &wr, &bad);
			if (e == EINVAL) {
				/* a provider may refuse it at once: the verbs API allows that */
				note(c, "the provider refused the misaligned atomic at post time (EINVAL)");
				if (expect_qp_state(c, cn.qp[0], IBV_QPS_RTS,
						    "QP after a WR refused at post time"))
					byte_check(c, l.p, 64, 0x3c, "local buffer");
				sync_step(c, 30);
				goto out;
			}
			if (e) {
				fail(c, "ibv_post_send(misaligned atomic): %s", strerror(e));
				goto out;
			}
			ok = true;
		} else if (op == IBV_WR_ATOMIC_FETCH_AND_ADD)
			ok = post_atomic(c, cn.qp[0], op, 1, &l, 0, raddr, rkey, 1, 0,
					 IBV_SEND_SIGNALED);
		else
			ok = post_send(c, cn.qp[0], op, 1, &l, 0, 64, IBV_SEND_SIGNALED, raddr, rkey, 0);
		/* a good SEND behind it: the responder has a receive for it, so
		 * only a flush explains its failure */
		if (!ok || !post_send(c, cn.qp[0], IBV_WR_SEND, 2, &l, 1024, 16, IBV_SEND_SIGNALED,
				      0, 0, 0))
			goto out;
		if (wait_wc(c, cn.scq, 2, wc, 0, "the refused request and the SEND behind it") != 2)
			goto out;
		if (check_wc(c, &wc[0], 1, expect, -1, cn.qp[0], "refused request") &&
		    check_wc(c, &wc[1], 2, IBV_WC_WR_FLUSH_ERR, -1, cn.qp[0],
			     "SEND behind the refused request") &&
		    expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "requester after the remote error") &&
		    op != IBV_WR_RDMA_WRITE)
			byte_check(c, l.p, 64, 0x3c, "local buffer of the refused READ/atomic");
		sync_step(c, 30);
	}
out:
	buf_free(&t);
	buf_free(&t2);
	buf_free(&r);
	buf_free(&l);
	if (pd2)
		ibv_dealloc_pd(pd2);
	conn_destroy(&cn);
}

/* ---- local protection errors ------------------------------------------------------------- */
void case_loc_prot(struct ctx *c, long v)
{
	struct qp_opts o;
	struct conn cn;
	struct buf t = { 0 }, r = { 0 }, l = { 0 }, l2 = { 0 };
	struct ibv_pd *pd2 = NULL;
	struct ibv_wc wc[2];
	int i;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (!IS_A(c)) {
		struct ibv_wc rw[4];
		int n;

		if (!buf_alloc(&cn, &t, 4096, LOCAL_ALL) ||
		    !buf_alloc(&cn, &r, 128, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(t.p, GUARD, 4096);
		pat_fill(t.p, 64, cseed(c, 2));
		memset(r.p, 0x77, 128);
		conn_expose(&cn, &t);
		if (!conn_connect(&cn, 10) || !post_recv(c, cn.qp[0], 1, &r, 0, 64) ||
		    !post_recv(c, cn.qp[0], 2, &r, 64, 64) || !sync_step(c, 20) ||
		    !sync_step(c, 30))
			goto out;
		n = ibv_poll_cq(cn.rcq, 4, rw);
		for (i = 0; i < n; i++) {
			/* A READ fails at the requester only when its response
			 * arrives: the SEND behind it may already have been
			 * delivered (it is then flushed at the requester, which
			 * the IBA allows).  A request that fails before it
			 * leaves must deliver nothing. */
			if (rw[i].status == IBV_WC_SUCCESS &&
			    !(v == LP_READ_BAD_LKEY || v == LP_READ_NO_LOCAL_WRITE))
				fail(c, "responder received a message (%u bytes) from a request that "
				     "failed a local check at the requester", rw[i].byte_len);
			else
				note(c, "responder: wr_id %llu %s (%u bytes)",
				     (unsigned long long)rw[i].wr_id, wc_status_name(rw[i].status),
				     rw[i].byte_len);
		}
		if (byte_check(c, r.p + 16, 128 - 16, 0x77, "responder's receive buffers") &&
		    (n == 0 || v == LP_READ_BAD_LKEY || v == LP_READ_NO_LOCAL_WRITE ||
		     byte_check(c, r.p, 16, 0x77, "responder's receive buffer")))
			byte_check(c, t.p + 64, 4096 - 64, GUARD, "responder's target MR");
		if (v == LP_WRITE_BAD_LKEY)
			pat_check(c, t.p, 64, cseed(c, 2), "responder's target MR");
	} else {
		struct ibv_sge sge;
		struct ibv_send_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1,
					  .send_flags = IBV_SEND_SIGNALED }, *bad;
		int e, rxe = -1;
		bool check_local = false;

		if (!buf_alloc(&cn, &l, 4096, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		pat_fill(l.p, 4096, cseed(c, 1));
		sge.addr = (uintptr_t)l.p;
		sge.length = 64;
		sge.lkey = l.mr->lkey;
		switch (v) {
		case LP_SEND_BAD_LKEY:
			wr.opcode = IBV_WR_SEND;
			sge.lkey = bad_key(sge.lkey);
			rxe = IBV_WC_LOC_QP_OP_ERR;
			break;
		case LP_WRITE_BAD_LKEY:
			wr.opcode = IBV_WR_RDMA_WRITE;
			sge.lkey = bad_key(sge.lkey);
			rxe = IBV_WC_LOC_QP_OP_ERR;
			break;
		case LP_READ_BAD_LKEY:
			wr.opcode = IBV_WR_RDMA_READ;
			memset(l.p, 0x3c, 4096);
			sge.lkey = bad_key(sge.lkey);
			check_local = true;
			break;
		case LP_READ_NO_LOCAL_WRITE:
			wr.opcode = IBV_WR_RDMA_READ;
			/* registered for local read only */
			if (!buf_alloc(&cn, &l2, 4096, 0))
				goto out;
			memset(l2.p, 0x3c, 4096);
			sge.addr = (uintptr_t)l2.p;
			sge.lkey = l2.mr->lkey;
			break;
		case LP_SEND_OTHER_PD:
			wr.opcode = IBV_WR_SEND;
			pd2 = ibv_alloc_pd(c->dev->ctx);
			if (!pd2 || !buf_alloc_pd(c, pd2, &l2, 4096, IBV_ACCESS_LOCAL_WRITE)) {
				fail(c, "second PD/MR: %s", strerror(errno));
				goto out;
			}
			sge.addr = (uintptr_t)l2.p;
			sge.lkey = l2.mr->lkey;
			rxe = IBV_WC_LOC_QP_OP_ERR;
			break;
		case LP_SEND_OOB_LKEY:
			wr.opcode = IBV_WR_SEND;
			sge.addr = (uintptr_t)l.p + 4096 - 32;
			rxe = IBV_WC_LOC_QP_OP_ERR;
			break;
		}
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		wr.wr.rdma.remote_addr = cn.r.addr[0];
		wr.wr.rdma.rkey = cn.r.rkey[0];
		e = ibv_post_send(cn.qp[0], &wr, &bad);
		if (e) {
			/* refusing at post time is not what the spec describes */
			fail(c, "ibv_post_send refused the WR at once (%s); the IBA reports a local "
			     "protection error as a completion", strerror(e));
			goto out;
		}
		if (!post_send(c, cn.qp[0], IBV_WR_SEND, 2, &l, 1024, 16, IBV_SEND_SIGNALED, 0, 0, 0) ||
		    wait_wc(c, cn.scq, 2, wc, 0, "local error and the SEND behind it") != 2)
			goto out;
		if (wc[0].wr_id != 1 || wc[1].wr_id != 2) {
			fail(c, "completions out of order (wr_id %llu, %llu)",
			     (unsigned long long)wc[0].wr_id, (unsigned long long)wc[1].wr_id);
		} else if (check_status(c, &wc[0], IBV_WC_LOC_PROT_ERR, rxe, "local protection error") &&
			   check_wc(c, &wc[1], 2, IBV_WC_WR_FLUSH_ERR, -1, cn.qp[0],
				    "SEND behind the local error") &&
			   expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "requester after a local error")) {
			if (wc[0].qp_num != cn.qp[0]->qp_num)
				fail(c, "error completion qp_num 0x%x", wc[0].qp_num);
			if (check_local)
				byte_check(c, l.p, 64, 0x3c, "local buffer named by the bad lkey");
			if (v == LP_READ_NO_LOCAL_WRITE)
				byte_check(c, l2.p, 4096, 0x3c, "read-only local MR");
		}
		sync_step(c, 30);
	}
out:
	buf_free(&t);
	buf_free(&r);
	buf_free(&l);
	buf_free(&l2);
	if (pd2)
		ibv_dealloc_pd(pd2);
	conn_destroy(&cn);
}

/* ---- responder-side local errors ---------------------------------------------------------- */
static void responder_error(struct ctx *c, bool bad_lkey)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 4096, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		pat_fill(b.p, 4096, cseed(c, 1));
		if (!conn_connect(&cn, 10) || !sync_step(c, 20) ||
		    !post_send(c, cn.qp[0], IBV_WR_SEND, 1, &b, 0, bad_lkey ? 64 : 200,
			       IBV_SEND_SIGNALED, 0, 0, 0) ||
		    wait_wc(c, cn.scq, 1, &wc, 0, "SEND the responder cannot take") != 1)
			goto out;
		/* IBA: the responder NAKs a bad receive WQE with "remote operational
		 * error" and a too-short one with "invalid request" */
		if (bad_lkey ? check_status(c, &wc, IBV_WC_REM_OP_ERR, -1, "requester")
			     : check_status(c, &wc, IBV_WC_REM_INV_REQ_ERR, IBV_WC_REM_OP_ERR,
					    "requester"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "requester after the NAK");
		sync_step(c, 30);
	} else {
		memset(b.p, 0x77, 4096);
		if (!conn_connect(&cn, 10))
			goto out;
		if (bad_lkey) {
			struct ibv_sge sge = { (uintptr_t)b.p, 64, b.mr->lkey ^ 0x5a5a5a00u ^ 0x80u };
			struct ibv_recv_wr wr = { .wr_id = 7, .sg_list = &sge, .num_sge = 1 }, *bad;
			int e = ibv_post_recv(cn.qp[0], &wr, &bad);

			if (e) {
				fail(c, "ibv_post_recv refused a bad lkey at once (%s); the IBA "
				     "reports it as a completion", strerror(e));
				goto out;
			}
		} else if (!post_recv(c, cn.qp[0], 7, &b, 0, 100)) {
			goto out;
		}
		if (!sync_step(c, 20) || wait_wc(c, cn.rcq, 1, &wc, 0, "failed receive") != 1)
			goto out;
		if (wc.wr_id != 7)
			fail(c, "receive completion wr_id %llu", (unsigned long long)wc.wr_id);
		else if (bad_lkey ? check_status(c, &wc, IBV_WC_LOC_PROT_ERR, IBV_WC_LOC_QP_OP_ERR,
						 "responder, bad receive lkey")
				  : check_status(c, &wc, IBV_WC_LOC_LEN_ERR, IBV_WC_LOC_QP_OP_ERR,
						 "responder, receive too small"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "responder after a local error");
		if (bad_lkey)
			byte_check(c, b.p, 4096, 0x77, "buffer named by the bad receive lkey");
		else
			byte_check(c, b.p + 100, 4096 - 100, 0x77, "memory beyond the short receive");
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

void case_recv_bad_lkey(struct ctx *c, long arg)
{
	(void)arg;
	responder_error(c, true);
}

void case_recv_too_small(struct ctx *c, long arg)
{
	(void)arg;
	responder_error(c, false);
}

/* ---- flushing --------------------------------------------------------------------------------- */
static bool to_err(struct ctx *c, struct ibv_qp *qp)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	int r = ibv_modify_qp(qp, &a, IBV_QP_STATE);

	if (r)
		return fail(c, "modify QP 0x%x to ERR: %s", qp->qp_num, strerror(r));
	return true;
}

static bool expect_flushes(struct ctx *c, struct ibv_cq *cq, struct ibv_qp *qp, uint64_t first,
			   int n, const char *what)
{
	struct ibv_wc *wc = calloc(n, sizeof(*wc));
	int i;
	bool ok = wc && wait_wc(c, cq, n, wc, 0, what) == n;

	for (i = 0; ok && i < n; i++)
		ok = check_wc(c, &wc[i], first + i, IBV_WC_WR_FLUSH_ERR, -1, qp, what);
	free(wc);
	return ok && expect_no_wc(c, cq, 50, what);
}

/* arg 1: every WR unsignaled (sq_sig_all 0): WRs that complete in error,
 * flushes included, still generate completions. */
void case_err_flush(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf l = { 0 }, t = { 0 };
	int i, fl = arg ? 0 : IBV_SEND_SIGNALED;

	qp_opts_default(c, &o);
	o.separate_cq = true;
	o.sig_all = 0;
	o.min_rnr_timer = 31;	/* the responder has no receive: the first SEND waits */
	o.rnr_retry = 7;
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &l, 4096, IBV_ACCESS_LOCAL_WRITE) || !conn_connect(&cn, 10))
			goto out;
		for (i = 0; i < 5; i++)
			if (!post_recv(c, cn.qp[0], 100 + i, &l, 2048 + 64 * i, 64))
				goto out;
		if (!post_send(c, cn.qp[0], IBV_WR_SEND, 1, &l, 0, 64, fl, 0, 0, 0) ||
		    !post_send(c, cn.qp[0], IBV_WR_RDMA_WRITE, 2, &l, 0, 64, fl, cn.r.addr[0],
			       cn.r.rkey[0], 0) ||
		    !post_send(c, cn.qp[0], IBV_WR_SEND_WITH_IMM, 3, &l, 0, 64, fl, 0, 0, 5) ||
		    !post_send(c, cn.qp[0], IBV_WR_RDMA_READ, 4, &l, 512, 64, fl, cn.r.addr[0],
			       cn.r.rkey[0], 0) ||
		    (c->dev->attr.atomic_cap != IBV_ATOMIC_NONE &&
		     !post_atomic(c, cn.qp[0], IBV_WR_ATOMIC_FETCH_AND_ADD, 5, &l, 1024,
				  cn.r.addr[0] + 64, cn.r.rkey[0], 1, 0, fl)) ||
		    (c->dev->attr.atomic_cap == IBV_ATOMIC_NONE &&
		     !post_send(c, cn.qp[0], IBV_WR_SEND, 5, &l, 0, 64, fl, 0, 0, 0)) ||
		    !post_send(c, cn.qp[0], IBV_WR_SEND, 6, &l, 0, 64, fl, 0, 0, 0))
			goto out;
		if (!expect_no_wc(c, cn.scq, 300, "a WR completed behind a SEND waiting on RNR") ||
		    !to_err(c, cn.qp[0]))
			goto out;
		if (expect_flushes(c, cn.scq, cn.qp[0], 1, 6,
				   arg ? "unsignaled send WRs flushed" : "send WRs flushed") &&
		    expect_flushes(c, cn.rcq, cn.qp[0], 100, 5, "receive WRs flushed"))
			expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "after the flush");
		sync_step(c, 30);
	} else {
		if (!buf_alloc(&cn, &t, 4096, LOCAL_ALL))
			goto out;
		memset(t.p, GUARD, 4096);
		conn_expose(&cn, &t);
		if (!conn_connect(&cn, 10) || !sync_step(c, 30))
			goto out;
		for (i = 0; i < 4096; i++)
			if (t.p[i] != GUARD)
				break;
		if (i < 4096)
			note(c, "the WRITE queued behind the RNR-waiting SEND was placed (byte %d); "
			     "the IBA responder would have dropped it as out of sequence", i);
		expect_no_wc(c, cn.rcq, 10, "responder completion");
	}
out:
	buf_free(&l);
	buf_free(&t);
	conn_destroy(&cn);
}

/* WRs posted to a QP already in ERR complete with WR_FLUSH_ERR. */
void case_err_post(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf l = { 0 };
	int e;

	(void)arg;
	qp_opts_default(c, &o);
	o.separate_cq = true;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &l, 4096, IBV_ACCESS_LOCAL_WRITE) ||
	    !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		struct ibv_sge sge = { (uintptr_t)l.p, 64, l.mr->lkey };
		struct ibv_send_wr sw = { .wr_id = 1, .sg_list = &sge, .num_sge = 1,
					  .opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED },
				   *sbad;
		struct ibv_recv_wr rw = { .wr_id = 2, .sg_list = &sge, .num_sge = 1 }, *rbad;

		if (!to_err(c, cn.qp[0]) || !expect_qp_state(c, cn.qp[0], IBV_QPS_ERR, "after modify"))
			goto out;
		e = ibv_post_recv(cn.qp[0], &rw, &rbad);
		if (e) {
			fail(c, "ibv_post_recv on a QP in ERR: %s (the IBA completes it with a flush)",
			     strerror(e));
			goto out;
		}
		e = ibv_post_send(cn.qp[0], &sw, &sbad);
		if (e) {
			fail(c, "ibv_post_send on a QP in ERR: %s (the IBA completes it with a flush)",
			     strerror(e));
			goto out;
		}
		if (!expect_flushes(c, cn.scq, cn.qp[0], 1, 1, "send posted in ERR"))
			goto out_sync;
		if (c->dev->is_rxe) {
			/* rxe (6.1) user QPs post receives without a system call and
			 * nothing flushes them afterwards */
			struct ibv_wc wc;

			if (poll_quiet(cn.rcq, 1, &wc, 1000) == 0) {
				note(c, "DEVIATION (rxe, accepted): a receive posted in ERR is never flushed");
			} else {
				check_wc(c, &wc, 2, IBV_WC_WR_FLUSH_ERR, -1, cn.qp[0], "receive posted in ERR");
			}
		} else {
			expect_flushes(c, cn.rcq, cn.qp[0], 2, 1, "receive posted in ERR");
		}
	}
out_sync:
	sync_step(c, 30);
out:
	buf_free(&l);
	conn_destroy(&cn);
}

/* arg 0: SQ, 1: RQ.  Posting one WR more than the QP holds fails with
 * ENOMEM and bad_wr at the first WR not posted; exactly the posted ones are
 * flushed afterwards. */
void case_queue_full(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf l = { 0 };
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qi;
	int cap, i, e;

	qp_opts_default(c, &o);
	o.separate_cq = true;
	o.sq = 16;
	o.rq = 16;
	o.min_rnr_timer = 31;
	o.rnr_retry = 7;
	o.cqe = 512;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &l, 4096, IBV_ACCESS_LOCAL_WRITE) ||
	    !conn_connect(&cn, 10))
		goto out;
	if (IS_A(c)) {
		struct ibv_sge sge = { (uintptr_t)l.p, 64, l.mr->lkey };
		struct ibv_send_wr *sw = NULL, *sbad = NULL;
		struct ibv_recv_wr *rw = NULL, *rbad = NULL;

		if (ibv_query_qp(cn.qp[0], &qa, IBV_QP_CAP, &qi)) {
			fail(c, "ibv_query_qp(CAP)");
			goto out;
		}
		cap = arg ? (int)qa.cap.max_recv_wr : (int)qa.cap.max_send_wr;
		note(c, "%s depth: asked 16, got %d", arg ? "RQ" : "SQ", cap);
		if (cap < 16 || cap > 400) {
			fail(c, "queue depth %d (asked 16)", cap);
			goto out;
		}
		if (arg) {
			rw = calloc(cap + 1, sizeof(*rw));
			for (i = 0; i <= cap; i++) {
				rw[i].wr_id = i;
				rw[i].sg_list = &sge;
				rw[i].num_sge = 1;
				rw[i].next = i < cap ? &rw[i + 1] : NULL;
			}
			e = ibv_post_recv(cn.qp[0], rw, &rbad);
			if (e != ENOMEM || rbad != &rw[cap])
				fail(c, "posting %d receives to an RQ of %d: returned %d (%s), bad_wr at "
				     "%ld; expected ENOMEM at %d", cap + 1, cap, e, strerror(e),
				     rbad ? (long)(rbad - rw) : -1L, cap);
			free(rw);
		} else {
			/* the responder has no receive: the first SEND waits on RNR
			 * and nothing leaves the SQ */
			sw = calloc(cap + 1, sizeof(*sw));
			for (i = 0; i <= cap; i++) {
				sw[i].wr_id = i;
				sw[i].sg_list = &sge;
				sw[i].num_sge = 1;
				sw[i].opcode = IBV_WR_SEND;
				sw[i].send_flags = IBV_SEND_SIGNALED;
				sw[i].next = i < cap ? &sw[i + 1] : NULL;
			}
			e = ibv_post_send(cn.qp[0], sw, &sbad);
			if (e != ENOMEM || sbad != &sw[cap])
				fail(c, "posting %d sends to an SQ of %d: returned %d (%s), bad_wr at "
				     "%ld; expected ENOMEM at %d", cap + 1, cap, e, strerror(e),
				     sbad ? (long)(sbad - sw) : -1L, cap);
			free(sw);
		}
		if (FAILED(c) || !to_err(c, cn.qp[0]))
			goto out_sync;
		expect_flushes(c, arg ? cn.rcq : cn.scq, cn.qp[0], 0, cap,
			       "exactly the posted WRs flushed");
	}
out_sync:
	sync_step(c, 30);
out:
	buf_free(&l);
	conn_destroy(&cn);
}
