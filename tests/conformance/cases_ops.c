// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cases that move data: one per opcode and size, scatter/gather, inline,
 * selective signalling, streams, shared CQs, UC.  Role A is the requester,
 * role B the responder; every byte that moves is checked, and bytes around
 * the target (guards) must stay untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "conform.h"

#define G 64		/* guard bytes around targets */
#define GUARD 0x5a
#define LOCAL_ALL (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | \
		   IBV_ACCESS_REMOTE_ATOMIC)
#define IS_A(c) ((c)->role == ROLE_A)

/* ---- caps ---------------------------------------------------------------------------- */
void case_caps(struct ctx *c, long arg)
{
	struct dev *d = c->dev;
	struct ibv_device_attr *a = &d->attr;
	struct ibv_port_attr *p = &d->pattr;
	struct qp_opts o;
	struct conn cn;
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qi;
	struct buf b[4];
	int i, j;

	(void)arg;
	memset(b, 0, sizeof(b));
	if (!IS_A(c)) {
		/* the server's device is the same kind; its client run checks it */
		sync_step(c, 1);
		return;
	}
	note(c, "max_qp %d max_qp_wr %d max_sge %d max_sge_rd %d max_cq %d max_cqe %d max_mr %d",
	     a->max_qp, a->max_qp_wr, a->max_sge, a->max_sge_rd, a->max_cq, a->max_cqe, a->max_mr);
	note(c, "max_qp_rd_atom %d max_qp_init_rd_atom %d max_res_rd_atom %d atomic_cap %d",
	     a->max_qp_rd_atom, a->max_qp_init_rd_atom, a->max_res_rd_atom, a->atomic_cap);
	note(c, "max_srq %d max_srq_wr %d max_srq_sge %d; port state %d lid %u mtu %d/%d max_msg_sz %u",
	     a->max_srq, a->max_srq_wr, a->max_srq_sge, p->state, p->lid, 128 << p->active_mtu,
	     128 << p->max_mtu, p->max_msg_sz);
	if (a->max_qp < 32)
		fail(c, "max_qp %d < 32 (ibv_srq_pingpong -q 16 needs 17 per process)", a->max_qp);
	if (a->max_qp_wr < 256)
		fail(c, "max_qp_wr %d < 256 (UCX rc_verbs)", a->max_qp_wr);
	if (a->max_sge < 5)
		fail(c, "max_sge %d < 5", a->max_sge);
	if (a->max_sge_rd < 1)
		fail(c, "max_sge_rd %d < 1", a->max_sge_rd);
	if (a->max_cq < 4 || a->max_cqe < 1024)
		fail(c, "max_cq %d / max_cqe %d too small", a->max_cq, a->max_cqe);
	if (a->max_qp_rd_atom < 1 || a->max_qp_init_rd_atom < 1)
		fail(c, "max_qp_rd_atom %d / max_qp_init_rd_atom %d: RDMA READ needs >= 1",
		     a->max_qp_rd_atom, a->max_qp_init_rd_atom);
	if (a->atomic_cap == IBV_ATOMIC_NONE)
		fail(c, "atomic_cap NONE: atomics are required (issue 3)");
	if (a->max_srq < 1 || a->max_srq_wr < 4095)
		fail(c, "max_srq %d / max_srq_wr %d (UCX wants an SRQ of 4095)", a->max_srq,
		     a->max_srq_wr);
	if (p->state != IBV_PORT_ACTIVE)
		fail(c, "port not ACTIVE (%d)", p->state);
	if (!d->is_eth && (p->lid == 0 || p->lid >= 0xc000))
		fail(c, "InfiniBand port with LID 0x%x", p->lid);
	if (p->max_msg_sz < (1u << 20))
		fail(c, "max_msg_sz %u < 1 MiB", p->max_msg_sz);
	if (p->active_mtu < IBV_MTU_256 || p->active_mtu > IBV_MTU_4096)
		fail(c, "active_mtu %d out of range", p->active_mtu);

	qp_opts_default(c, &o);
	if (conn_create(c, &cn, &o)) {
		if (ibv_query_qp(cn.qp[0], &qa, IBV_QP_CAP, &qi)) {
			fail(c, "ibv_query_qp(CAP) failed");
		} else {
			note(c, "RC QP caps: send_wr %u recv_wr %u send_sge %u recv_sge %u inline %u",
			     qa.cap.max_send_wr, qa.cap.max_recv_wr, qa.cap.max_send_sge,
			     qa.cap.max_recv_sge, qa.cap.max_inline_data);
			if (qa.cap.max_send_sge < 5 || qa.cap.max_recv_sge < 4)
				fail(c, "QP got %u send / %u recv SGEs, asked 5 / 4",
				     qa.cap.max_send_sge, qa.cap.max_recv_sge);
			if (qa.cap.max_inline_data < 64)
				fail(c, "max_inline_data %u < 64", qa.cap.max_inline_data);
			if (qa.cap.max_send_wr < 64 || qa.cap.max_recv_wr < 64)
				fail(c, "QP depths %u/%u < the 64 asked", qa.cap.max_send_wr,
				     qa.cap.max_recv_wr);
		}
		for (i = 0; i < 4 && !FAILED(c); i++)
			buf_alloc(&cn, &b[i], 4096, LOCAL_ALL);
		for (i = 0; i < 4 && !FAILED(c); i++) {
			if (!b[i].mr->rkey || !b[i].mr->lkey)
				fail(c, "MR %d has key 0 (lkey 0x%x rkey 0x%x)", i, b[i].mr->lkey,
				     b[i].mr->rkey);
			for (j = 0; j < i; j++)
				if (b[i].mr->rkey == b[j].mr->rkey)
					fail(c, "MRs %d and %d share rkey 0x%x", i, j, b[i].mr->rkey);
		}
		if (!FAILED(c))
			note(c, "rkeys 0x%x 0x%x 0x%x 0x%x", b[0].mr->rkey, b[1].mr->rkey,
			     b[2].mr->rkey, b[3].mr->rkey);
		for (i = 0; i < 4; i++)
			buf_free(&b[i]);
	}
	conn_destroy(&cn);
	sync_step(c, 1);
}

/* ---- SEND / SEND_WITH_IMM ---------------------------------------------------------------- */
static void do_send(struct ctx *c, long len, bool with_imm)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	uint64_t seed = cseed(c, len);
	uint32_t imm[2] = { 0xdeadbeef, 0x00000001 };
	int i, n = with_imm ? 2 : 1;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &b, len, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		pat_fill(b.p, len, seed);
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++)
			if (!post_send(c, cn.qp[0], with_imm ? IBV_WR_SEND_WITH_IMM : IBV_WR_SEND,
				       i + 1, &b, 0, len, IBV_SEND_SIGNALED, 0, 0, imm[i]))
				goto out;
		for (i = 0; i < n; i++)
			if (!wait_one(c, cn.scq, i + 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
				      "send completion"))
				goto out;
	} else {
		if (!buf_alloc(&cn, &b, (len + G) * n, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(b.p, GUARD, (len + G) * n);
		if (!conn_connect(&cn, 10))
			goto out;
		for (i = 0; i < n; i++)
			if (!post_recv(c, cn.qp[0], 100 + i, &b, i * (len + G), len + G))
				goto out;
		if (!sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++) {
			if (!wait_recv(c, cn.rcq, 100 + i, IBV_WC_RECV, cn.qp[0], len,
				       with_imm ? (int64_t)imm[i] : -1, "receive completion"))
				goto out;
			if (!pat_check(c, b.p + i * (len + G), len, seed, "received data") ||
			    !byte_check(c, b.p + i * (len + G) + len, G, GUARD,
					"receive buffer beyond the message"))
				goto out;
		}
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

void case_send(struct ctx *c, long len)
{
	if ((size_t)len > c->dev->pattr.max_msg_sz) {
		skip(c, "message %ld > max_msg_sz %u", len, c->dev->pattr.max_msg_sz);
		return;
	}
	do_send(c, len, false);
}

void case_send_imm(struct ctx *c, long arg)
{
	(void)arg;
	do_send(c, 32, true);
}

/* ---- RDMA WRITE / WRITE_WITH_IMM ------------------------------------------------------------ */
static void do_write(struct ctx *c, long len, bool with_imm)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 }, r = { 0 };
	uint64_t seed = cseed(c, len);
	const uint32_t imm = 0x1234abcd;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &b, len, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		pat_fill(b.p, len, seed);
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		if (!post_send(c, cn.qp[0], with_imm ? IBV_WR_RDMA_WRITE_WITH_IMM : IBV_WR_RDMA_WRITE,
			       1, &b, 0, len, IBV_SEND_SIGNALED, cn.r.addr[0] + G, cn.r.rkey[0], imm))
			goto out;
		if (!wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE, cn.qp[0],
			      "write completion"))
			goto out;
		sync_step(c, 30);
	} else {
		/* target with guards; one receive posted: a plain WRITE must not
		 * consume it, a WRITE_WITH_IMM consumes it without touching it */
		if (!buf_alloc(&cn, &b, len + 2 * G, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE) ||
		    !buf_alloc(&cn, &r, 64, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(b.p, GUARD, len + 2 * G);
		memset(r.p, 0x77, 64);
		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10) || !post_recv(c, cn.qp[0], 9, &r, 0, 64) ||
		    !sync_step(c, 20))
			goto out;
		if (with_imm) {
			if (!wait_recv(c, cn.rcq, 9, IBV_WC_RECV_RDMA_WITH_IMM, cn.qp[0], len, imm,
				       "write-with-imm completion at the responder"))
				goto out;
			if (!sync_step(c, 30))
				goto out;
		} else {
			if (!sync_step(c, 30))
				goto out;
			if (!expect_no_wc(c, cn.rcq, 50, "RDMA WRITE consumed a receive"))
				goto out;
		}
		if (pat_check(c, b.p + G, len, seed, "written data") &&
		    byte_check(c, b.p, G, GUARD, "guard before the target"))
			byte_check(c, b.p + G + len, G, GUARD, "guard after the target");
		byte_check(c, r.p, 64, 0x77, "receive buffer of a write-with-imm");
	}
out:
	buf_free(&b);
	buf_free(&r);
	conn_destroy(&cn);
}

void case_write(struct ctx *c, long len)
{
	do_write(c, len, false);
}

void case_write_imm(struct ctx *c, long len)
{
	do_write(c, len, true);
}

/* ---- RDMA READ ------------------------------------------------------------------------------ */
void case_read(struct ctx *c, long len)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	uint64_t seed = cseed(c, len);
	struct ibv_wc wc;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &b, len + 2 * G, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(b.p, 0x3c, len + 2 * G);
		if (!conn_connect(&cn, 10))
			goto out;
		if (!post_send(c, cn.qp[0], IBV_WR_RDMA_READ, 1, &b, G, len, IBV_SEND_SIGNALED,
			       cn.r.addr[0] + 3, cn.r.rkey[0], 0))
			goto out;
		if (wait_wc(c, cn.scq, 1, &wc, 0, "read completion") != 1 ||
		    !check_wc(c, &wc, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_READ, cn.qp[0],
			      "read completion"))
			goto out;
		if (wc.byte_len != (uint32_t)len)
			note(c, "read completion byte_len %u (defined for receives only)",
			     wc.byte_len);
		if (pat_check(c, b.p + G, len, seed, "read data") &&
		    byte_check(c, b.p, G, 0x3c, "local guard before"))
			byte_check(c, b.p + G + len, G, 0x3c, "local guard after");
		sync_step(c, 30);
	} else {
		if (!buf_alloc(&cn, &b, len + 3, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ))
			goto out;
		pat_fill(b.p + 3, len, seed);
		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10) || !sync_step(c, 30))
			goto out;
		pat_check(c, b.p + 3, len, seed, "source after the READ");
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

void case_read_many(struct ctx *c, long arg)
{
	const int n = 32, chunk = 4096;
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	uint64_t seed = cseed(c, 1);
	struct ibv_wc wc[32];
	int i;

	(void)arg;
	qp_opts_default(c, &o);
	o.max_rd_atomic = o.max_dest_rd_atomic = 16;
	if (!conn_create(c, &cn, &o))
		goto out;
	if (!buf_alloc(&cn, &b, n * chunk, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ))
		goto out;
	if (IS_A(c)) {
		note(c, "max_rd_atomic %d", cn.o.max_rd_atomic);
		if (!conn_connect(&cn, 10))
			goto out;
		/* chunk i of the local buffer reads chunk n-1-i of the remote one */
		for (i = 0; i < n; i++)
			if (!post_send(c, cn.qp[0], IBV_WR_RDMA_READ, i, &b, i * chunk, chunk,
				       IBV_SEND_SIGNALED, cn.r.addr[0] + (n - 1 - i) * chunk,
				       cn.r.rkey[0], 0))
				goto out;
		if (wait_wc(c, cn.scq, n, wc, 0, "read completions") != n)
			goto out;
		for (i = 0; i < n; i++) {
			char what[64];

			snprintf(what, sizeof(what), "read %d", i);
			if (!check_wc(c, &wc[i], i, IBV_WC_SUCCESS, IBV_WC_RDMA_READ, cn.qp[0], what) ||
			    !pat_check(c, b.p + i * chunk, chunk, seed + n - 1 - i, what))
				break;
		}
		sync_step(c, 30);
	} else {
		for (i = 0; i < n; i++)
			pat_fill(b.p + i * chunk, chunk, seed + i);
		conn_expose(&cn, &b);
		if (conn_connect(&cn, 10))
			sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- atomics -------------------------------------------------------------------------------- */
static bool atomic_setup(struct ctx *c, struct conn *cn, struct buf *b, uint64_t init)
{
	struct qp_opts o;

	qp_opts_default(c, &o);
	if (!conn_create(c, cn, &o))
		return false;
	if (c->dev->attr.atomic_cap == IBV_ATOMIC_NONE) {
		skip(c, "atomic_cap NONE");
		return false;
	}
	if (!buf_alloc(cn, b, 64, LOCAL_ALL))
		return false;
	memset(b->p, IS_A(c) ? 0xff : 0x11, 64);
	if (!IS_A(c)) {
		memcpy(b->p + 8, &init, 8);
		conn_expose(cn, b);
	}
	return conn_connect(cn, 10);
}

static bool atomic_op(struct ctx *c, struct conn *cn, struct buf *res, enum ibv_wr_opcode op,
		      uint64_t wr_id, uint64_t a, uint64_t s, uint64_t expect_old, const char *what)
{
	uint64_t got;

	memset(res->p, 0xff, 8);
	if (!post_atomic(c, cn->qp[0], op, wr_id, res, 0, cn->r.addr[0] + 8, cn->r.rkey[0], a, s,
			 IBV_SEND_SIGNALED) ||
	    !wait_one(c, cn->scq, wr_id, IBV_WC_SUCCESS,
		      op == IBV_WR_ATOMIC_CMP_AND_SWP ? IBV_WC_COMP_SWAP : IBV_WC_FETCH_ADD,
		      cn->qp[0], what))
		return false;
	memcpy(&got, res->p, 8);
	if (got != expect_old)
		return fail(c, "%s: returned 0x%016llx, expected the old value 0x%016llx", what,
			    (unsigned long long)got, (unsigned long long)expect_old);
	return byte_check(c, res->p + 8, 56, 0xff, "local bytes after the 8-byte result");
}

static bool read_remote_u64(struct ctx *c, struct conn *cn, struct buf *res, uint64_t expect,
			    const char *what)
{
	uint64_t got;

	if (!post_send(c, cn->qp[0], IBV_WR_RDMA_READ, 99, res, 16, 8, IBV_SEND_SIGNALED,
		       cn->r.addr[0] + 8, cn->r.rkey[0], 0) ||
	    !wait_one(c, cn->scq, 99, IBV_WC_SUCCESS, IBV_WC_RDMA_READ, cn->qp[0], what))
		return false;
	memcpy(&got, res->p + 16, 8);
	memset(res->p + 16, 0xff, 8);
	if (got != expect)
		return fail(c, "%s: remote value 0x%016llx, expected 0x%016llx", what,
			    (unsigned long long)got, (unsigned long long)expect);
	return true;
}

static void check_target(struct ctx *c, struct buf *b, uint64_t expect)
{
	uint64_t v;

	memcpy(&v, b->p + 8, 8);
	if (v != expect)
		fail(c, "target holds 0x%016llx, expected 0x%016llx", (unsigned long long)v,
		     (unsigned long long)expect);
	else if (byte_check(c, b->p, 8, 0x11, "bytes before the target"))
		byte_check(c, b->p + 16, 48, 0x11, "bytes after the target");
}

void case_cmp_swap(struct ctx *c, long arg)
{
	struct conn cn;
	struct buf b = { 0 };
	uint64_t v = cseed(c, 1), w = cseed(c, 2), x = cseed(c, 3);

	(void)arg;
	if (!atomic_setup(c, &cn, &b, v))
		goto out;
	if (IS_A(c)) {
		if (atomic_op(c, &cn, &b, IBV_WR_ATOMIC_CMP_AND_SWP, 1, v, w, v,
			      "CMP_SWAP with an equal compare") &&
		    read_remote_u64(c, &cn, &b, w, "after the equal compare (swapped)") &&
		    atomic_op(c, &cn, &b, IBV_WR_ATOMIC_CMP_AND_SWP, 2, v, x, w,
			      "CMP_SWAP with a different compare") &&
		    read_remote_u64(c, &cn, &b, w, "after the different compare (not swapped)") &&
		    atomic_op(c, &cn, &b, IBV_WR_ATOMIC_CMP_AND_SWP, 3, w ^ (1ULL << 63), x, w,
			      "CMP_SWAP differing in the top bit only"))
			read_remote_u64(c, &cn, &b, w, "after the top-bit compare (not swapped)");
		sync_step(c, 30);
	} else if (sync_step(c, 30)) {
		check_target(c, &b, w);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

void case_fetch_add(struct ctx *c, long arg)
{
	struct conn cn;
	struct buf b = { 0 };
	uint64_t v = cseed(c, 1), d = cseed(c, 2) >> 8, e;

	(void)arg;
	e = ~(v + d) + 1 + 5;	/* wraps the counter to 5 */
	if (!atomic_setup(c, &cn, &b, v))
		goto out;
	if (IS_A(c)) {
		if (atomic_op(c, &cn, &b, IBV_WR_ATOMIC_FETCH_AND_ADD, 1, d, 0, v, "FETCH_ADD") &&
		    read_remote_u64(c, &cn, &b, v + d, "after FETCH_ADD") &&
		    atomic_op(c, &cn, &b, IBV_WR_ATOMIC_FETCH_AND_ADD, 2, e, 0, v + d,
			      "FETCH_ADD wrapping past 2^64") &&
		    read_remote_u64(c, &cn, &b, 5, "after the wrapping FETCH_ADD"))
			atomic_op(c, &cn, &b, IBV_WR_ATOMIC_FETCH_AND_ADD, 3, 0, 0, 5,
				  "FETCH_ADD of 0 (an atomic read)");
		sync_step(c, 30);
	} else if (sync_step(c, 30)) {
		check_target(c, &b, 5);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- scatter/gather ------------------------------------------------------------------------ */
/* Send side: 5 SGEs with odd lengths at odd offsets, in two MRs. */
static const uint32_t s_len[5] = { 1, 7, 13, 333, 4001 };
static const uint32_t s_off[5] = { 3, 100, 1001, 2049, 5003 };
static const int s_mr[5] = { 0, 1, 0, 1, 0 };
#define S_TOTAL (1 + 7 + 13 + 333 + 4001)
/* Receive side: 4 SGEs, odd lengths, total 4533 >= 4355 */
static const uint32_t r_len[4] = { 3, 1001, 29, 3500 };
static const uint32_t r_off[4] = { 7, 50, 2000, 6000 };

static void sge_stream(struct ctx *c, uint8_t *stream, uint8_t *src0, uint8_t *src1)
{
	uint8_t *tmp0 = malloc(16384), *tmp1 = malloc(16384);
	uint8_t *m0 = src0 ? src0 : tmp0, *m1 = src1 ? src1 : tmp1;
	size_t k = 0;
	int i;

	pat_fill(m0, 16384, cseed(c, 10));
	pat_fill(m1, 16384, cseed(c, 11));
	for (i = 0; i < 5; i++) {
		memcpy(stream + k, (s_mr[i] ? m1 : m0) + s_off[i], s_len[i]);
		k += s_len[i];
	}
	free(tmp0);
	free(tmp1);
}

static void fill_send_sges(struct ibv_sge *sg, struct buf *m0, struct buf *m1)
{
	int i;

	for (i = 0; i < 5; i++) {
		struct buf *m = s_mr[i] ? m1 : m0;

		sg[i].addr = (uintptr_t)(m->p + s_off[i]);
		sg[i].length = s_len[i];
		sg[i].lkey = m->mr->lkey;
	}
}

static bool post_sg(struct ctx *c, struct ibv_qp *qp, enum ibv_wr_opcode op, struct ibv_sge *sg,
		    int n, uint64_t raddr, uint32_t rkey)
{
	struct ibv_send_wr wr = { .wr_id = 1, .sg_list = sg, .num_sge = n, .opcode = op,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;
	int r;

	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	r = ibv_post_send(qp, &wr, &bad);
	if (r)
		return fail(c, "ibv_post_send with %d SGEs: %s", n, strerror(r));
	return true;
}

void case_sge_send(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf m0 = { 0 }, m1 = { 0 };
	uint8_t stream[S_TOTAL];
	struct ibv_sge sg[5];
	int i;

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &m0, 16384, IBV_ACCESS_LOCAL_WRITE) ||
	    !buf_alloc(&cn, &m1, 16384, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		sge_stream(c, stream, m0.p, m1.p);
		fill_send_sges(sg, &m0, &m1);
		if (!conn_connect(&cn, 10) || !sync_step(c, 20) ||
		    !post_sg(c, cn.qp[0], IBV_WR_SEND, sg, 5, 0, 0))
			goto out;
		wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0], "5-SGE SEND");
	} else {
		struct ibv_recv_wr wr = { .wr_id = 5, .sg_list = sg, .num_sge = 4 }, *bad;
		size_t k = 0, placed[4];
		int r;

		sge_stream(c, stream, NULL, NULL);
		memset(m0.p, 0xc3, 16384);
		for (i = 0; i < 4; i++) {
			sg[i].addr = (uintptr_t)(m0.p + r_off[i]);
			sg[i].length = r_len[i];
			sg[i].lkey = m0.mr->lkey;
		}
		if (!conn_connect(&cn, 10))
			goto out;
		r = ibv_post_recv(cn.qp[0], &wr, &bad);
		if (r) {
			fail(c, "ibv_post_recv with 4 SGEs: %s", strerror(r));
			goto out;
		}
		if (!sync_step(c, 20) ||
		    !wait_recv(c, cn.rcq, 5, IBV_WC_RECV, cn.qp[0], S_TOTAL, -1, "4-SGE receive"))
			goto out;
		for (i = 0; i < 4; i++) {
			char what[64];

			placed[i] = S_TOTAL - k < r_len[i] ? S_TOTAL - k : r_len[i];
			snprintf(what, sizeof(what), "receive SGE %d (%zu bytes)", i, placed[i]);
			if (memcmp(m0.p + r_off[i], stream + k, placed[i])) {
				fail(c, "%s: data differs from the gathered stream", what);
				goto out;
			}
			memset(m0.p + r_off[i], 0xc3, placed[i]);
			k += placed[i];
		}
		byte_check(c, m0.p, 16384, 0xc3, "receive MR outside the scattered bytes");
	}
out:
	buf_free(&m0);
	buf_free(&m1);
	conn_destroy(&cn);
}

void case_sge_write(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf m0 = { 0 }, m1 = { 0 };
	uint8_t stream[S_TOTAL];
	struct ibv_sge sg[5];

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &m0, 16384, LOCAL_ALL) ||
	    !buf_alloc(&cn, &m1, 16384, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		sge_stream(c, stream, m0.p, m1.p);
		fill_send_sges(sg, &m0, &m1);
		if (!conn_connect(&cn, 10) ||
		    !post_sg(c, cn.qp[0], IBV_WR_RDMA_WRITE, sg, 5, cn.r.addr[0] + 17, cn.r.rkey[0]))
			goto out;
		if (wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE, cn.qp[0],
			     "5-SGE WRITE"))
			sync_step(c, 30);
	} else {
		sge_stream(c, stream, NULL, NULL);
		memset(m0.p, GUARD, 16384);
		conn_expose(&cn, &m0);
		if (!conn_connect(&cn, 10) || !sync_step(c, 30))
			goto out;
		if (memcmp(m0.p + 17, stream, S_TOTAL)) {
			fail(c, "written data differs from the gathered stream");
			goto out;
		}
		memset(m0.p + 17, GUARD, S_TOTAL);
		byte_check(c, m0.p, 16384, GUARD, "target MR outside the written range");
	}
out:
	buf_free(&m0);
	buf_free(&m1);
	conn_destroy(&cn);
}

void case_sge_read(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf m0 = { 0 };
	uint64_t seed = cseed(c, 3);
	struct ibv_sge sg[4];
	int i, n;
	size_t k = 0;

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &m0, 16384, LOCAL_ALL))
		goto out;
	if (IS_A(c)) {
		uint8_t *src = malloc(16384);

		n = c->dev->attr.max_sge_rd < 4 ? c->dev->attr.max_sge_rd : 4;
		note(c, "max_sge_rd %d: reading into %d SGEs", c->dev->attr.max_sge_rd, n);
		if (n < 1) {
			free(src);
			fail(c, "max_sge_rd < 1");
			goto out;
		}
		memset(m0.p, 0xc3, 16384);
		/* the READ's length is the sum of the local SGEs: S_TOTAL */
		for (i = 0; i < n; i++) {
			sg[i].addr = (uintptr_t)(m0.p + r_off[i]);
			sg[i].length = i == n - 1 ? S_TOTAL - k : r_len[i];
			sg[i].lkey = m0.mr->lkey;
			k += sg[i].length;
		}
		k = 0;
		if (!conn_connect(&cn, 10) ||
		    !post_sg(c, cn.qp[0], IBV_WR_RDMA_READ, sg, n, cn.r.addr[0] + 5,
			     cn.r.rkey[0]) ||
		    !wait_one(c, cn.scq, 1, IBV_WC_SUCCESS, IBV_WC_RDMA_READ, cn.qp[0],
			      "multi-SGE READ")) {
			free(src);
			goto out;
		}
		pat_fill(src, 16384, seed);
		for (i = 0; i < n && k < S_TOTAL; i++) {
			size_t take = S_TOTAL - k < sg[i].length ? S_TOTAL - k : sg[i].length;

			if (memcmp(m0.p + r_off[i], src + 5 + k, take)) {
				fail(c, "read SGE %d: data differs from the source", i);
				break;
			}
			memset(m0.p + r_off[i], 0xc3, take);
			k += take;
		}
		free(src);
		if (!FAILED(c))
			byte_check(c, m0.p, 16384, 0xc3, "local MR outside the scattered bytes");
		sync_step(c, 30);
	} else {
		pat_fill(m0.p, 16384, seed);
		conn_expose(&cn, &m0);
		if (conn_connect(&cn, 10))
			sync_step(c, 30);
	}
out:
	buf_free(&m0);
	conn_destroy(&cn);
}

/* ---- inline ------------------------------------------------------------------------------- */
/* arg 0: inline SENDs, 1: inline RDMA WRITEs.  The source is ordinary memory
 * with no MR (lkey 0) and is overwritten right after ibv_post_send returns. */
void case_inline(struct ctx *c, long arg)
{
	enum { NMSG = 7, SLOT = 8192 };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qi;
	uint32_t sizes[NMSG];
	int i;

	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		uint32_t mi, le[NMSG];
		uint8_t *src = malloc(SLOT);

		if (ibv_query_qp(cn.qp[0], &qa, IBV_QP_CAP, &qi)) {
			free(src);
			fail(c, "ibv_query_qp(CAP) failed");
			goto out;
		}
		mi = qa.cap.max_inline_data;
		note(c, "max_inline_data %u", mi);
		if (mi < 64) {
			free(src);
			fail(c, "max_inline_data %u < 64", mi);
			goto out;
		}
		if (mi > SLOT - 64)
			mi = SLOT - 64;
		sizes[0] = 1;
		sizes[1] = 16;
		sizes[2] = 63;
		sizes[3] = 64;
		sizes[4] = mi;
		sizes[5] = 64;		/* 3 SGEs: 5 + 20 + 39 */
		sizes[6] = mi - 1;
		for (i = 0; i < NMSG; i++)
			le[i] = htole32(sizes[i]);
		if (!xchg(c, 5, le, le, sizeof(le)) || !conn_connect(&cn, 10) ||
		    !sync_step(c, 20)) {
			free(src);
			goto out;
		}
		for (i = 0; i < NMSG && !FAILED(c); i++) {
			struct ibv_sge sg[3] = {
				{ (uintptr_t)src, sizes[i], 0 },
				{ (uintptr_t)src + 1000, 20, 0 },
				{ (uintptr_t)src + 3000, 39, 0 },
			};
			struct ibv_send_wr wr = {
				.wr_id = i, .sg_list = sg, .num_sge = 1,
				.opcode = arg ? IBV_WR_RDMA_WRITE : IBV_WR_SEND,
				.send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED,
			}, *bad;
			int r;

			wr.wr.rdma.remote_addr = cn.r.addr[0] + (uint64_t)i * SLOT;
			wr.wr.rdma.rkey = cn.r.rkey[0];
			pat_fill(src, SLOT, cseed(c, 100 + i));
			if (i == 5) {
				sg[0].length = 5;
				wr.num_sge = 3;
			}
			r = ibv_post_send(cn.qp[0], &wr, &bad);
			memset(src, 0xee, SLOT);	/* the data must have been copied */
			if (r) {
				fail(c, "inline post of %u bytes (%d SGEs): %s", sizes[i], wr.num_sge,
				     strerror(r));
				break;
			}
			wait_one(c, cn.scq, i, IBV_WC_SUCCESS,
				 arg ? IBV_WC_RDMA_WRITE : IBV_WC_SEND, cn.qp[0], "inline completion");
		}
		free(src);
		sync_step(c, 30);
	} else {
		uint32_t le[NMSG];
		uint8_t *exp = malloc(SLOT);

		if (!buf_alloc(&cn, &b, NMSG * SLOT, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE) ||
		    !xchg(c, 5, le, le, sizeof(le))) {
			free(exp);
			goto out;
		}
		for (i = 0; i < NMSG; i++)
			sizes[i] = le32toh(le[i]);
		memset(b.p, GUARD, NMSG * SLOT);
		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10)) {
			free(exp);
			goto out;
		}
		for (i = 0; i < NMSG && !arg; i++)
			if (!post_recv(c, cn.qp[0], 50 + i, &b, (size_t)i * SLOT, SLOT))
				break;
		if (!sync_step(c, 20)) {
			free(exp);
			goto out;
		}
		if (arg)
			sync_step(c, 30);
		for (i = 0; i < NMSG && !FAILED(c); i++) {
			char what[64];
			uint8_t *got = b.p + (size_t)i * SLOT;

			snprintf(what, sizeof(what), "inline message %d (%u bytes)", i, sizes[i]);
			if (!arg && !wait_recv(c, cn.rcq, 50 + i, IBV_WC_RECV, cn.qp[0], sizes[i], -1,
					       what))
				break;
			pat_fill(exp, SLOT, cseed(c, 100 + i));
			if (i == 5) {
				if (memcmp(got, exp, 5) || memcmp(got + 5, exp + 1000, 20) ||
				    memcmp(got + 25, exp + 3000, 39))
					fail(c, "%s: data differs from the 3 gathered SGEs", what);
			} else if (memcmp(got, exp, sizes[i])) {
				fail(c, "%s: data differs", what);
			}
			byte_check(c, got + sizes[i], 32, GUARD, "bytes after the inline data");
		}
		free(exp);
		if (!arg)
			sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- selective signalling ----------------------------------------------------------------- */
void case_unsignaled(struct ctx *c, long arg)
{
	enum { N = 96, EVERY = 8, SZ = 64 };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc;
	int i;

	(void)arg;
	qp_opts_default(c, &o);
	o.sig_all = 0;
	o.sq = 32;
	o.rq = 128;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, N * SZ, IBV_ACCESS_LOCAL_WRITE))
		goto out;
	if (IS_A(c)) {
		int done = 0;	/* WRs known complete */

		for (i = 0; i < N; i++)
			pat_fill(b.p + i * SZ, SZ, cseed(c, i));
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		for (i = 0; i < N && !FAILED(c); i++) {
			bool sig = i % EVERY == EVERY - 1;

			while (i - done >= 24 && !FAILED(c)) {
				/* the SQ is only freed by signaled completions */
				if (wait_wc(c, cn.scq, 1, &wc, 0, "signaled completion") != 1)
					break;
				done += EVERY;
				check_wc(c, &wc, done - 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
					 "signaled completion (in order, unsignaled ones silent)");
			}
			if (!FAILED(c))
				post_send(c, cn.qp[0], IBV_WR_SEND, i, &b, i * SZ, SZ,
					  sig ? IBV_SEND_SIGNALED : 0, 0, 0, 0);
		}
		while (done < N && !FAILED(c)) {
			if (wait_wc(c, cn.scq, 1, &wc, 0, "signaled completion") != 1)
				break;
			done += EVERY;
			check_wc(c, &wc, done - 1, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
				 "signaled completion (in order, unsignaled ones silent)");
		}
		if (!FAILED(c))
			expect_no_wc(c, cn.scq, 100, "completion for an unsignaled SEND");
		sync_step(c, 30);
	} else {
		if (!conn_connect(&cn, 10))
			goto out;
		for (i = 0; i < N; i++)
			if (!post_recv(c, cn.qp[0], i, &b, i * SZ, SZ))
				goto out;
		if (!sync_step(c, 20))
			goto out;
		for (i = 0; i < N; i++) {
			if (!wait_recv(c, cn.rcq, i, IBV_WC_RECV, cn.qp[0], SZ, -1, "receive (in order)") ||
			    !pat_check(c, b.p + i * SZ, SZ, cseed(c, i), "received data"))
				break;
		}
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- a stream of sends of varying sizes --------------------------------------------------- */
void case_send_stream(struct ctx *c, long arg)
{
	enum { N = 300, SLOT = 8192, NRECV = 64, WIN = 48 };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[16];
	uint32_t sz[N];
	int i;

	(void)arg;
	for (i = 0; i < N; i++)
		sz[i] = 1 + mix64(cseed(c, 1000 + i)) % SLOT;
	qp_opts_default(c, &o);
	o.sq = 64;
	o.rq = NRECV;
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		int posted = 0, done = 0;

		if (!buf_alloc(&cn, &b, (size_t)WIN * SLOT, IBV_ACCESS_LOCAL_WRITE) ||
		    !conn_connect(&cn, 10))
			goto out;
		while (done < N && !FAILED(c)) {
			while (posted < N && posted - done < WIN) {
				uint8_t *p = b.p + (size_t)(posted % WIN) * SLOT;

				pat_fill(p, sz[posted], cseed(c, posted));
				if (!post_send(c, cn.qp[0], IBV_WR_SEND, posted, &b,
					       (size_t)(posted % WIN) * SLOT, sz[posted],
					       IBV_SEND_SIGNALED, 0, 0, 0))
					break;
				posted++;
			}
			if (FAILED(c) || wait_wc(c, cn.scq, 1, wc, 0, "stream send") != 1)
				break;
			check_wc(c, wc, done, IBV_WC_SUCCESS, IBV_WC_SEND, cn.qp[0],
				 "stream send completion (in order)");
			done++;
		}
		sync_step(c, 30);
	} else {
		if (!buf_alloc(&cn, &b, (size_t)NRECV * SLOT, IBV_ACCESS_LOCAL_WRITE) ||
		    !conn_connect(&cn, 10))
			goto out;
		for (i = 0; i < NRECV && i < N; i++)
			if (!post_recv(c, cn.qp[0], i, &b, (size_t)i * SLOT, SLOT))
				goto out;
		for (i = 0; i < N && !FAILED(c); i++) {
			char what[64];
			size_t off = (size_t)(i % NRECV) * SLOT;

			snprintf(what, sizeof(what), "stream message %d (%u bytes)", i, sz[i]);
			if (wait_wc(c, cn.rcq, 1, wc, 0, what) != 1 ||
			    !check_wc(c, wc, i, IBV_WC_SUCCESS, IBV_WC_RECV, cn.qp[0], what))
				break;
			if (wc[0].byte_len != sz[i]) {
				int k;

				/* which message was it?  (a lost, repeated or reordered one) */
				for (k = 0; k < N; k++)
					if (sz[k] == wc[0].byte_len &&
					    pat_check_quiet(b.p + off, sz[k], cseed(c, k)))
						break;
				if (k < N)
					fail(c, "%s: byte_len %u: it holds message %d (RC order or "
					     "exactly-once delivery broken)", what, wc[0].byte_len, k);
				else
					fail(c, "%s: byte_len %u, and the data is no message of the "
					     "stream", what, wc[0].byte_len);
				break;
			}
			if (!pat_check(c, b.p + off, sz[i], cseed(c, i), what))
				break;
			if (i + NRECV < N)
				post_recv(c, cn.qp[0], i + NRECV, &b, off, SLOT);
		}
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- two QPs on one CQ: every opcode's completion carries its qp_num and opcode ---------------- */
void case_shared_cq(struct ctx *c, long arg)
{
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	struct ibv_wc wc[16];
	int i;

	(void)arg;
	qp_opts_default(c, &o);
	o.nqp = 2;
	if (!conn_create(c, &cn, &o) || !buf_alloc(&cn, &b, 65536, LOCAL_ALL))
		goto out;
	if (IS_A(c)) {
		struct {
			int qp;
			enum ibv_wr_opcode op;
			int wc_op;
		} plan[] = {
			{ 0, IBV_WR_SEND, IBV_WC_SEND },
			{ 1, IBV_WR_SEND_WITH_IMM, IBV_WC_SEND },
			{ 0, IBV_WR_RDMA_WRITE, IBV_WC_RDMA_WRITE },
			{ 1, IBV_WR_RDMA_WRITE_WITH_IMM, IBV_WC_RDMA_WRITE },
			{ 0, IBV_WR_RDMA_READ, IBV_WC_RDMA_READ },
			{ 1, IBV_WR_ATOMIC_CMP_AND_SWP, IBV_WC_COMP_SWAP },
			{ 0, IBV_WR_ATOMIC_FETCH_AND_ADD, IBV_WC_FETCH_ADD },
			{ 1, IBV_WR_SEND, IBV_WC_SEND },
			{ 1, IBV_WR_RDMA_READ, IBV_WC_RDMA_READ },
			{ 0, IBV_WR_SEND_WITH_IMM, IBV_WC_SEND },
		};
		int n = sizeof(plan) / sizeof(plan[0]);
		bool seen[16] = { false };

		for (i = 0; i < 8; i++)
			b.p[i * 256] = (uint8_t)(i + 1);
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++) {
			bool ok;

			if (plan[i].op == IBV_WR_ATOMIC_CMP_AND_SWP ||
			    plan[i].op == IBV_WR_ATOMIC_FETCH_AND_ADD)
				ok = post_atomic(c, cn.qp[plan[i].qp], plan[i].op, i, &b, 4096 + 8 * i,
						 cn.r.addr[0] + 8192, cn.r.rkey[0], 0, 0,
						 IBV_SEND_SIGNALED);
			else
				ok = post_send(c, cn.qp[plan[i].qp], plan[i].op, i, &b,
					       i * 256, 16, IBV_SEND_SIGNALED,
					       cn.r.addr[0] + 256 * i, cn.r.rkey[0], 0x100 + i);
			if (!ok)
				goto out;
		}
		if (wait_wc(c, cn.scq, n, wc, 0, "completions of both QPs") != n)
			goto out;
		for (i = 0; i < n; i++) {
			int k = (int)wc[i].wr_id;

			if (k < 0 || k >= n || seen[k]) {
				fail(c, "completion with bad or repeated wr_id %d", k);
				break;
			}
			seen[k] = true;
			if (!check_wc(c, &wc[i], k, IBV_WC_SUCCESS, plan[k].wc_op, cn.qp[plan[k].qp],
				      "shared send CQ"))
				break;
		}
		sync_step(c, 30);
	} else {
		/* receives for: SEND(q0), SEND_IMM(q1), WRITE_IMM(q1), SEND(q1), SEND_IMM(q0) */
		int q0 = 0, q1 = 0, want = 5;

		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10))
			goto out;
		for (i = 0; i < 3; i++)
			if (!post_recv(c, cn.qp[0], 0x000 + i, &b, 16384 + i * 64, 64) ||
			    !post_recv(c, cn.qp[1], 0x100 + i, &b, 32768 + i * 64, 64))
				goto out;
		if (!sync_step(c, 20) || wait_wc(c, cn.rcq, want, wc, 0, "receives on both QPs") != want)
			goto out;
		for (i = 0; i < want; i++) {
			int q = wc[i].wr_id >> 8;

			if (wc[i].status != IBV_WC_SUCCESS) {
				fail(c, "receive %d status %s", i, wc_status_name(wc[i].status));
				break;
			}
			if (wc[i].qp_num != cn.qp[q]->qp_num) {
				fail(c, "receive wr_id 0x%llx posted on QP %d reports qp_num 0x%x",
				     (unsigned long long)wc[i].wr_id, q, wc[i].qp_num);
				break;
			}
			if (q == 0 && wc[i].wr_id != (uint64_t)q0++)
				fail(c, "QP 0 receives out of order");
			if (q == 1 && wc[i].wr_id != (uint64_t)(0x100 + q1++))
				fail(c, "QP 1 receives out of order");
		}
		if (!FAILED(c) && (q0 != 2 || q1 != 3))
			fail(c, "receives per QP %d/%d, expected 2/3", q0, q1);
		sync_step(c, 30);
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}

/* ---- UC ----------------------------------------------------------------------------------- */
/* arg 0: SEND (4096 and 65536: multi-packet), 1: RDMA WRITE 65536, 2: WRITE_WITH_IMM 4096 */
void case_uc(struct ctx *c, long arg)
{
	static const uint32_t sizes[3][2] = { { 4096, 65536 }, { 65536, 0 }, { 4096, 0 } };
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 };
	int i, n = arg == 0 ? 2 : 1;
	size_t total = 65536 + 4096 + 2 * G;

	qp_opts_default(c, &o);
	o.type = IBV_QPT_UC;
	o.access = IBV_ACCESS_REMOTE_WRITE;
	if (!conn_create(c, &cn, &o))
		goto out;
	if (!buf_alloc(&cn, &b, total, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE))
		goto out;
	if (IS_A(c)) {
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++) {
			enum ibv_wr_opcode op = arg == 0 ? IBV_WR_SEND :
						arg == 1 ? IBV_WR_RDMA_WRITE : IBV_WR_RDMA_WRITE_WITH_IMM;

			pat_fill(b.p, sizes[arg][i], cseed(c, i));
			if (!post_send(c, cn.qp[0], op, i, &b, 0, sizes[arg][i], IBV_SEND_SIGNALED,
				       cn.r.addr[0] + G, cn.r.rkey[0], 0xabc0 + i) ||
			    !wait_one(c, cn.scq, i, IBV_WC_SUCCESS,
				      op == IBV_WR_SEND ? IBV_WC_SEND : IBV_WC_RDMA_WRITE, cn.qp[0],
				      "UC completion"))
				goto out;
			if (!sync_step(c, 40 + i))
				goto out;
		}
	} else {
		memset(b.p, GUARD, total);
		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10))
			goto out;
		/* UC drops a message that finds no receive: post them all first */
		for (i = 0; i < n && arg != 1; i++)
			if (!post_recv(c, cn.qp[0], i, &b, i ? 4096 + G : G, sizes[arg][i] + G))
				goto out;
		if (!sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++) {
			size_t off = arg == 0 && i ? 4096 + G : G;

			if (arg == 0 && !wait_recv(c, cn.rcq, i, IBV_WC_RECV, cn.qp[0], sizes[arg][i],
						   -1, "UC receive"))
				goto out;
			if (arg == 2 && !wait_recv(c, cn.rcq, i, IBV_WC_RECV_RDMA_WITH_IMM, cn.qp[0],
						   sizes[arg][i], 0xabc0 + i, "UC write-with-imm"))
				goto out;
			if (!sync_step(c, 40 + i) ||
			    !pat_check(c, b.p + off, sizes[arg][i], cseed(c, i), "UC data"))
				goto out;
		}
		if (arg == 1)
			byte_check(c, b.p + G + 65536, G, GUARD, "guard after the UC write");
	}
out:
	buf_free(&b);
	conn_destroy(&cn);
}
