// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What UCX and Open MPI rely on, found by running them across blades: each
 * case is the verbs-level form of an MPI job failure, so it cannot return
 * unseen (issue 10; the root causes are in docs/design.md §15).
 */
#include <string.h>
#include "conform.h"

#define G 64
#define GUARD 0x5a
#define IS_A(c) ((c)->role == ROLE_A)

/*
 * Zero-length RDMA WRITE and READ carry no data, so the responder validates
 * neither R_Key nor address: UCX's rc_verbs posts them with rkey 0 as a
 * remote fence in one-sided traffic (osc ucx's lock/accumulate/unlock).
 * A zero-length WRITE_WITH_IMM with rkey 0 still delivers its immediate.
 * The QP must stay usable: a real WRITE after them lands.
 */
void case_zero_len_rdma(struct ctx *c, long arg)
{
	const uint32_t imm = 0x5eed0001;
	struct qp_opts o;
	struct conn cn;
	struct buf b = { 0 }, r = { 0 };
	uint64_t seed = cseed(c, 8);
	struct ibv_wc wc[5];
	static const struct { enum ibv_wr_opcode op; uint64_t raddr; uint32_t rkey; } z[] = {
		{ IBV_WR_RDMA_WRITE, 0, 0 },
		{ IBV_WR_RDMA_READ, 0, 0 },
		{ IBV_WR_RDMA_READ, 0x1234, 0xdeadbeef },
		{ IBV_WR_RDMA_WRITE_WITH_IMM, 0, 0 },
	};
	int i, n = (int)(sizeof(z) / sizeof(z[0]));

	(void)arg;
	qp_opts_default(c, &o);
	if (!conn_create(c, &cn, &o))
		goto out;
	if (IS_A(c)) {
		if (!buf_alloc(&cn, &b, 8 + 2 * G, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(b.p, 0x3c, 8 + 2 * G);
		if (!conn_connect(&cn, 10) || !sync_step(c, 20))
			goto out;
		for (i = 0; i < n; i++)
			if (!post_send(c, cn.qp[0], z[i].op, 1 + i, &b, G, 0, IBV_SEND_SIGNALED,
				       z[i].raddr, z[i].rkey, imm))
				goto out;
		pat_fill(b.p + G, 8, seed);
		if (!post_send(c, cn.qp[0], IBV_WR_RDMA_WRITE, 1 + n, &b, G, 8, IBV_SEND_SIGNALED,
			       cn.r.addr[0] + G, cn.r.rkey[0], 0))
			goto out;
		if (wait_wc(c, cn.scq, n + 1, wc, 0, "zero-length completions") != n + 1)
			goto out;
		for (i = 0; i < n; i++)
			if (!check_wc(c, &wc[i], 1 + i, IBV_WC_SUCCESS,
				      z[i].op == IBV_WR_RDMA_READ ? IBV_WC_RDMA_READ : IBV_WC_RDMA_WRITE,
				      cn.qp[0], "zero-length RDMA (rkey not checked)"))
				goto out;
		if (!check_wc(c, &wc[n], 1 + n, IBV_WC_SUCCESS, IBV_WC_RDMA_WRITE, cn.qp[0],
			      "WRITE after the zero-length ones") ||
		    !byte_check(c, b.p, G, 0x3c, "local buffer before (zero-length READs)") ||
		    !byte_check(c, b.p + G + 8, G, 0x3c, "local buffer after"))
			goto out;
		sync_step(c, 30);
	} else {
		if (!buf_alloc(&cn, &b, 8 + 2 * G, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE) ||
		    !buf_alloc(&cn, &r, 64, IBV_ACCESS_LOCAL_WRITE))
			goto out;
		memset(b.p, GUARD, 8 + 2 * G);
		memset(r.p, 0x77, 64);
		conn_expose(&cn, &b);
		if (!conn_connect(&cn, 10) || !post_recv(c, cn.qp[0], 9, &r, 0, 64) ||
		    !sync_step(c, 20))
			goto out;
		if (!wait_recv(c, cn.rcq, 9, IBV_WC_RECV_RDMA_WITH_IMM, cn.qp[0], 0, imm,
			       "zero-length write-with-imm (rkey 0) at the responder") ||
		    !sync_step(c, 30))
			goto out;
		if (pat_check(c, b.p + G, 8, seed, "WRITE after the zero-length ones") &&
		    byte_check(c, b.p, G, GUARD, "guard before the target"))
			byte_check(c, b.p + G + 8, G, GUARD, "guard after the target");
		byte_check(c, r.p, 64, 0x77, "receive buffer of the write-with-imm");
	}
out:
	buf_free(&b);
	buf_free(&r);
	conn_destroy(&cn);
}
