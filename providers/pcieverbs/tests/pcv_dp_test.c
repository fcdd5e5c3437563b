// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The data path of libpcieverbs (CQ, QP, SRQ, MR, post/poll) through the
 * real libibverbs, with fake_uverbs.so as the kernel.  The fake keeps its
 * own mapping of every ring (the "kernel view"), so the test reads the
 * WQEs the provider wrote and writes CQEs and indices as the kernel would.
 *
 *   pcv_dp_test DEV ioctl|write
 *
 * The second argument says which interface the fake kernel offers
 * (PCV_FAKE_IOCTL set or not) and so which transport libibverbs must have
 * used for each command.  Unnumbered TAP lines; $PCV_TEST_TAG prefixes
 * every name.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/pcieverbs-abi.h>

#include "fake_uverbs.h"

static int failures;
static const char *tag = "";
static int ioctl_mode;

static int report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s%s", ok ? "ok" : "not ok", tag, *tag ? ": " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
	return ok;
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- the fake kernel's test interface ---------------------------------- */
static struct {
	pcv_fake_get_stats_fn *stats;
	pcv_fake_ring_fn *ring;
	pcv_fake_cq_push_fn *cq_push;
	pcv_fake_sq_consume_fn *sq_consume;
	pcv_fake_sq_drain_fn *sq_drain;
	pcv_fake_sq_log_fn *sq_log;
	pcv_fake_qp_kicks_fn *qp_kicks;
	pcv_fake_transport_fn *transport;
	pcv_fake_ah_fn *ah;
	pcv_fake_qp_mcast_fn *qp_mcast;
} fk;

static int fake_bind(void)
{
#define BIND(f, n) (fk.f = (void *)dlsym(RTLD_DEFAULT, n))
	return BIND(stats, "pcv_fake_get_stats") &&
	       BIND(ring, "pcv_fake_ring") &&
	       BIND(cq_push, "pcv_fake_cq_push") &&
	       BIND(sq_consume, "pcv_fake_sq_consume") &&
	       BIND(sq_drain, "pcv_fake_sq_drain") &&
	       BIND(sq_log, "pcv_fake_sq_log") &&
	       BIND(qp_kicks, "pcv_fake_qp_kicks") &&
	       BIND(transport, "pcv_fake_transport") &&
	       BIND(ah, "pcv_fake_ah") &&
	       BIND(qp_mcast, "pcv_fake_qp_mcast");
#undef BIND
}

static struct pcv_fake_stats S(void)
{
	struct pcv_fake_stats s;

	fk.stats(&s);
	return s;
}

struct view {
	struct pcv_fake_ring_view v;
	struct pcv_ring_hdr *hdr;
};

static int view_of(int kind, uint32_t handle, struct view *w)
{
	memset(w, 0, sizeof(*w));
	if (fk.ring(kind, handle, &w->v))
		return -1;
	w->hdr = (struct pcv_ring_hdr *)w->v.base;
	return 0;
}

static uint8_t *slot(const struct view *w, uint32_t idx)
{
	return w->v.base + PCV_RING_ENTRIES_OFF +
	       (size_t)(idx & (w->v.entries - 1)) * w->v.stride;
}

static uint32_t kprod(const struct view *w)
{
	return __atomic_load_n(&w->hdr->prod, __ATOMIC_ACQUIRE);
}

static uint32_t kcons(const struct view *w)
{
	return __atomic_load_n(&w->hdr->cons, __ATOMIC_ACQUIRE);
}

static void set_kcons(const struct view *w, uint32_t v)
{
	__atomic_store_n(&w->hdr->cons, v, __ATOMIC_RELEASE);
}

static void set_kprod(const struct view *w, uint32_t v)
{
	__atomic_store_n(&w->hdr->prod, v, __ATOMIC_RELEASE);
}

/* ---- expected encodings, byte by byte (little-endian wire) ------------- */
static void put32(uint8_t *b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = (v >> (8 * i)) & 0xff;
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[off + i] = (v >> (8 * i)) & 0xff;
}

/* ABI values, spelled out so that a changed enum is caught too. */
enum { OP_SEND, OP_SEND_IMM, OP_WRITE, OP_WRITE_IMM, OP_READ, OP_CAS, OP_FADD };
enum { F_SIG = 1, F_SOL = 2, F_FENCE = 4, F_INL = 8 };

struct exp_sq {
	uint64_t wr_id;
	uint8_t op, flags;
	int nsge;			/* SGEs in the WQE (0 if inline) */
	const uint32_t *imm;		/* as in ibv_send_wr, or NULL */
	uint64_t raddr;
	uint32_t rkey;
	uint64_t cmp, swap;
	const struct ibv_sge *sge;
	const uint8_t *inl;		/* inline payload or NULL */
	uint32_t inl_len;
	uint32_t ud_ah, ud_qpn, ud_qkey;	/* UD only */
};

static void build_sq(uint8_t e[256], const struct exp_sq *x)
{
	memset(e, 0, 256);
	put64(e, 0, x->wr_id);
	e[8] = x->op;
	e[9] = x->flags;
	e[10] = (uint8_t)x->nsge;
	if (x->imm)
		memcpy(e + 12, x->imm, 4);	/* as posted: network order */
	put64(e, 16, x->raddr);
	put32(e, 24, x->rkey);
	put32(e, 28, x->inl_len);
	put64(e, 32, x->cmp);
	put64(e, 40, x->swap);
	put32(e, 48, x->ud_ah);
	put32(e, 52, x->ud_qpn);
	put32(e, 56, x->ud_qkey);
	for (int i = 0; i < x->nsge; i++) {
		put64(e, 64 + 16 * i, x->sge[i].addr);
		put32(e, 64 + 16 * i + 8, x->sge[i].length);
		put32(e, 64 + 16 * i + 12, x->sge[i].lkey);
	}
	if (x->inl)
		memcpy(e + 64, x->inl, x->inl_len);
}

/* A receive WQE: 512 bytes since ABI 2 (16-byte header, 31 SGEs). */
#define RQ_WQE	512

static void build_rq(uint8_t e[RQ_WQE], uint64_t wr_id, int nsge,
		     const struct ibv_sge *sge)
{
	memset(e, 0, RQ_WQE);
	put64(e, 0, wr_id);
	e[8] = (uint8_t)nsge;
	for (int i = 0; i < nsge; i++) {
		put64(e, 16 + 16 * i, sge[i].addr);
		put32(e, 16 + 16 * i + 8, sge[i].length);
		put32(e, 16 + 16 * i + 12, sge[i].lkey);
	}
}

static int same_bytes(const uint8_t *got, const uint8_t *exp, size_t n,
		      const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != exp[i]) {
			diag("%s: byte %zu is %#04x, expected %#04x", what, i,
			     got[i], exp[i]);
			return 0;
		}
	return 1;
}

/* ---- helpers ------------------------------------------------------------- */
static struct ibv_device *dev;
static struct ibv_context *ctx;
static struct ibv_pd *pd;

static struct ibv_qp *mk_qp(enum ibv_qp_type type, struct ibv_cq *cq,
			    struct ibv_srq *srq, uint32_t swr, uint32_t rwr,
			    uint32_t ssge, uint32_t rsge, uint32_t inl,
			    int sig_all, struct ibv_qp_init_attr *out)
{
	struct ibv_qp_init_attr a;
	struct ibv_qp *qp;

	memset(&a, 0, sizeof(a));
	a.send_cq = cq;
	a.recv_cq = cq;
	a.srq = srq;
	a.qp_type = type;
	a.sq_sig_all = sig_all;
	a.cap.max_send_wr = swr;
	a.cap.max_recv_wr = rwr;
	a.cap.max_send_sge = ssge;
	a.cap.max_recv_sge = rsge;
	a.cap.max_inline_data = inl;
	qp = ibv_create_qp(pd, &a);
	if (out)
		*out = a;
	return qp;
}

static void fill(const struct view *w, uint32_t idx, uint8_t b)
{
	memset(slot(w, idx), b, w->v.stride);
}

/* ---- CQ, QP creation ----------------------------------------------------- */
static struct ibv_cq *cq;		/* depth 100, ring 128 */
static struct ibv_qp *qp;		/* RC: 16 x 4 SGE, 8 x 3 SGE, inline 64 */
static struct view sq, rq;

static int test_create(void)
{
	struct pcv_fake_stats s0 = S(), s1;
	struct ibv_qp_init_attr a;
	struct view cv;

	cq = ibv_create_cq(ctx, 100, NULL, NULL, 0);
	s1 = S();
	if (!report(cq && cq->cqe == 100 &&
		    !view_of(PCV_FAKE_RING_CQ, cq->handle, &cv) &&
		    cv.v.entries == 128 && cv.v.stride == 64 &&
		    s1.live_maps == s0.live_maps + 1,
		    "ibv_create_cq(100): cqe is the kernel's usable depth 100, ring of 128 mapped (maps %u -> %u)",
		    s0.live_maps, s1.live_maps))
		return -1;

	qp = mk_qp(IBV_QPT_RC, cq, NULL, 10, 8, 4, 3, 64, 0, &a);
	s0 = s1;
	s1 = S();
	if (!report(qp && qp->qp_num == qp->handle + FAKE_QPN_BASE &&
		    a.cap.max_send_wr == 16 && a.cap.max_recv_wr == 8 &&
		    a.cap.max_send_sge == 4 && a.cap.max_recv_sge == 3 &&
		    a.cap.max_inline_data == 64 &&
		    !view_of(PCV_FAKE_RING_SQ, qp->handle, &sq) &&
		    !view_of(PCV_FAKE_RING_RQ, qp->handle, &rq) &&
		    sq.v.entries == 16 && sq.v.stride == 256 &&
		    rq.v.entries == 8 && rq.v.stride == RQ_WQE &&
		    s1.live_maps == s0.live_maps + 2,
		    "ibv_create_qp(RC): qp_num and granted caps (send 16x4, recv 8x3, inline 64), SQ and RQ mapped"))
		return -1;
	return 0;
}

/* ---- post_send: encoding ------------------------------------------------- */
static uint8_t bufs[8][64];

static int post_one(struct ibv_qp *q, struct ibv_send_wr *wr, int *kicks)
{
	struct ibv_send_wr *bad = NULL;
	uint64_t k0 = fk.qp_kicks(q->handle);
	int ret = ibv_post_send(q, wr, &bad);

	*kicks = (int)(fk.qp_kicks(q->handle) - k0);
	return ret;
}

static void check_wqe_on(struct ibv_qp *q, const struct view *v,
			 const char *name, struct ibv_send_wr *wr,
			 const struct exp_sq *x)
{
	uint32_t p = kprod(v);
	uint8_t e[256];
	int kicks, ret;

	fill(v, p, 0xa5);		/* stale bytes must not survive */
	ret = post_one(q, wr, &kicks);
	build_sq(e, x);
	report(ret == 0 && kprod(v) == p + 1 && kicks == 1 &&
	       same_bytes(slot(v, p), e, 256, name),
	       "post_send %s: WQE byte for byte, prod +1, one doorbell (ret %d, kicks %d)",
	       name, ret, kicks);
}

static void check_wqe(const char *name, struct ibv_send_wr *wr,
		      const struct exp_sq *x)
{
	check_wqe_on(qp, &sq, name, wr, x);
}

static void test_encoding(void)
{
	struct ibv_sge sg[8];
	struct ibv_send_wr wr;
	uint32_t imm = htobe32(0x11223344);
	uint8_t inl[64];
	struct exp_sq x;

	for (int i = 0; i < 8; i++) {
		memset(bufs[i], 'a' + i, sizeof(bufs[i]));
		sg[i].addr = (uintptr_t)bufs[i];
		sg[i].length = 8 * (i + 1);
		sg[i].lkey = 0x1000 + i;
	}

	/* SEND, 2 SGEs, signaled; junk in fields SEND does not use. */
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 0x0102030405060708ULL;
	wr.opcode = IBV_WR_SEND;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = sg;
	wr.num_sge = 2;
	wr.imm_data = 0xffffffff;
	wr.wr.rdma.remote_addr = ~0ULL;
	wr.wr.rdma.rkey = ~0U;
	x = (struct exp_sq){ .wr_id = wr.wr_id, .op = OP_SEND, .flags = F_SIG,
			     .nsge = 2, .sge = sg };
	check_wqe("SEND 2 SGEs signaled", &wr, &x);

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 2;
	wr.opcode = IBV_WR_SEND_WITH_IMM;
	wr.send_flags = IBV_SEND_SOLICITED;
	wr.imm_data = imm;
	wr.sg_list = sg;
	wr.num_sge = 1;
	x = (struct exp_sq){ .wr_id = 2, .op = OP_SEND_IMM, .flags = F_SOL,
			     .nsge = 1, .imm = &imm, .sge = sg };
	check_wqe("SEND_WITH_IMM solicited", &wr, &x);

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 3;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.send_flags = IBV_SEND_FENCE;
	wr.sg_list = sg;
	wr.num_sge = 3;
	wr.imm_data = 0xdddddddd;
	wr.wr.rdma.remote_addr = 0x1122334455667788ULL;
	wr.wr.rdma.rkey = 0xabcd0123;
	x = (struct exp_sq){ .wr_id = 3, .op = OP_WRITE, .flags = F_FENCE,
			     .nsge = 3, .raddr = 0x1122334455667788ULL,
			     .rkey = 0xabcd0123, .sge = sg };
	check_wqe("RDMA_WRITE 3 SGEs fence", &wr, &x);

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 4;
	wr.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
	wr.send_flags = IBV_SEND_SIGNALED | IBV_SEND_SOLICITED;
	wr.imm_data = imm;
	wr.sg_list = sg + 1;
	wr.num_sge = 1;
	wr.wr.rdma.remote_addr = 0x8000;
	wr.wr.rdma.rkey = 7;
	x = (struct exp_sq){ .wr_id = 4, .op = OP_WRITE_IMM,
			     .flags = F_SIG | F_SOL, .nsge = 1, .imm = &imm,
			     .raddr = 0x8000, .rkey = 7, .sge = sg + 1 };
	check_wqe("RDMA_WRITE_WITH_IMM signaled+solicited", &wr, &x);

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 5;
	wr.opcode = IBV_WR_RDMA_READ;
	wr.send_flags = IBV_SEND_SIGNALED | IBV_SEND_FENCE;
	wr.sg_list = sg;
	wr.num_sge = 4;
	wr.wr.rdma.remote_addr = 0xfffff000;
	wr.wr.rdma.rkey = 0x55;
	x = (struct exp_sq){ .wr_id = 5, .op = OP_READ, .flags = F_SIG | F_FENCE,
			     .nsge = 4, .raddr = 0xfffff000, .rkey = 0x55,
			     .sge = sg };
	check_wqe("RDMA_READ 4 SGEs (the granted max) signaled+fence", &wr, &x);

	sg[5].length = 8;
	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 6;
	wr.opcode = IBV_WR_ATOMIC_CMP_AND_SWP;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.sg_list = sg + 5;
	wr.num_sge = 1;
	wr.wr.atomic.remote_addr = 0x10008;
	wr.wr.atomic.rkey = 0x77;
	wr.wr.atomic.compare_add = 0x1111222233334444ULL;
	wr.wr.atomic.swap = 0x5555666677778888ULL;
	x = (struct exp_sq){ .wr_id = 6, .op = OP_CAS, .flags = F_SIG, .nsge = 1,
			     .raddr = 0x10008, .rkey = 0x77,
			     .cmp = 0x1111222233334444ULL,
			     .swap = 0x5555666677778888ULL, .sge = sg + 5 };
	check_wqe("ATOMIC_CMP_AND_SWP", &wr, &x);

	wr.wr_id = 7;
	wr.opcode = IBV_WR_ATOMIC_FETCH_AND_ADD;
	wr.send_flags = 0;
	x = (struct exp_sq){ .wr_id = 7, .op = OP_FADD, .flags = 0, .nsge = 1,
			     .raddr = 0x10008, .rkey = 0x77,
			     .cmp = 0x1111222233334444ULL, .swap = 0,
			     .sge = sg + 5 };
	check_wqe("ATOMIC_FETCH_AND_ADD (swap not carried)", &wr, &x);
	sg[5].length = 48;

	/* Inline: 3 SGEs (one empty), lkey 0, gathered in order. */
	{
		struct ibv_sge isg[3] = {
			{ (uintptr_t)"hello", 5, 0 },
			{ (uintptr_t)bufs[1], 0, 0 },
			{ (uintptr_t)"-inline-payload-of-20", 20, 0 },
		};

		memcpy(inl, "hello-inline-payload-of-2", 25);
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = 8;
		wr.opcode = IBV_WR_SEND;
		wr.send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED;
		wr.sg_list = isg;
		wr.num_sge = 3;
		x = (struct exp_sq){ .wr_id = 8, .op = OP_SEND,
				     .flags = F_INL | F_SIG, .nsge = 0,
				     .inl = inl, .inl_len = 25 };
		check_wqe("SEND inline, 3 SGEs with lkey 0 gathered", &wr, &x);
	}

	/* Inline of exactly max_inline (64) from 4 SGEs, with imm. */
	{
		struct ibv_sge isg[4];

		for (int i = 0; i < 4; i++) {
			isg[i].addr = (uintptr_t)bufs[i];
			isg[i].length = 16;
			isg[i].lkey = 0;
			memcpy(inl + 16 * i, bufs[i], 16);
		}
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = 9;
		wr.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
		wr.send_flags = IBV_SEND_INLINE;
		wr.imm_data = imm;
		wr.sg_list = isg;
		wr.num_sge = 4;
		wr.wr.rdma.remote_addr = 0xabc;
		wr.wr.rdma.rkey = 0xdef;
		x = (struct exp_sq){ .wr_id = 9, .op = OP_WRITE_IMM,
				     .flags = F_INL, .nsge = 0, .imm = &imm,
				     .raddr = 0xabc, .rkey = 0xdef,
				     .inl = inl, .inl_len = 64 };
		check_wqe("RDMA_WRITE_WITH_IMM inline of exactly max_inline (64 B, 4 SGEs)",
			  &wr, &x);
	}

	memset(&wr, 0, sizeof(wr));
	wr.wr_id = 10;
	wr.opcode = IBV_WR_SEND;
	x = (struct exp_sq){ .wr_id = 10, .op = OP_SEND };
	check_wqe("SEND with no SGE (zero length)", &wr, &x);
}

/* ---- post_send: lists, bad WRs, full queue -------------------------------- */
static void chain(struct ibv_send_wr *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i].next = i + 1 < n ? &w[i + 1] : NULL;
}

static void good_send(struct ibv_send_wr *w, uint64_t id, struct ibv_sge *sg)
{
	memset(w, 0, sizeof(*w));
	w->wr_id = id;
	w->opcode = IBV_WR_SEND;
	w->sg_list = sg;
	w->num_sge = 1;
}

static void test_lists(void)
{
	struct ibv_sge sg[6];
	struct ibv_send_wr w[5], *bad;
	uint32_t p;
	int kicks, ret;
	static const struct {
		const char *name;
		int op, flags, nsge, len0;
	} cases[] = {
		{ "IBV_WR_LOCAL_INV", IBV_WR_LOCAL_INV, 0, 1, 8 },
		{ "IBV_WR_SEND_WITH_INV", IBV_WR_SEND_WITH_INV, 0, 1, 8 },
		{ "IBV_WR_BIND_MW", IBV_WR_BIND_MW, 0, 1, 8 },
		{ "IBV_WR_TSO", IBV_WR_TSO, 0, 1, 8 },
		{ "opcode 99", 99, 0, 1, 8 },
		{ "5 SGEs (4 granted)", IBV_WR_SEND, 0, 5, 8 },
		{ "num_sge -1", IBV_WR_SEND, 0, -1, 8 },
		{ "inline of 65 B (64 granted)", IBV_WR_SEND, IBV_SEND_INLINE, 2, 57 },
		{ "inline RDMA_READ", IBV_WR_RDMA_READ, IBV_SEND_INLINE, 1, 8 },
		{ "inline atomic", IBV_WR_ATOMIC_FETCH_AND_ADD, IBV_SEND_INLINE, 1, 8 },
		{ "atomic with 2 SGEs", IBV_WR_ATOMIC_CMP_AND_SWP, 0, 2, 8 },
		{ "atomic with a 4-byte SGE", IBV_WR_ATOMIC_FETCH_AND_ADD, 0, 1, 4 },
		{ "atomic with no SGE", IBV_WR_ATOMIC_FETCH_AND_ADD, 0, 0, 8 },
		{ "send flag IBV_SEND_IP_CSUM", IBV_WR_SEND, IBV_SEND_IP_CSUM, 1, 8 },
	};

	for (int i = 0; i < 6; i++) {
		sg[i].addr = (uintptr_t)bufs[i];
		sg[i].length = 8;
		sg[i].lkey = 0x1000 + i;
	}

	/* Five good WRs, one call: five WQEs, one doorbell. */
	for (int i = 0; i < 5; i++)
		good_send(&w[i], 100 + i, sg);
	chain(w, 5);
	p = kprod(&sq);
	set_kcons(&sq, p);		/* the kernel consumed everything */
	ret = post_one(qp, w, &kicks);
	report(ret == 0 && kprod(&sq) == p + 5 && kicks == 1 &&
	       *(uint64_t *)slot(&sq, p + 4) == 104,
	       "post_send of a 5-WR list: prod +5, exactly one doorbell (kicks %d)",
	       kicks);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		good_send(&w[0], 200, sg);
		good_send(&w[1], 201, sg);
		good_send(&w[2], 202, sg);
		w[1].opcode = cases[c].op;
		w[1].send_flags = cases[c].flags;
		w[1].num_sge = cases[c].nsge;
		sg[0].length = cases[c].len0;
		chain(w, 3);
		p = kprod(&sq);
		set_kcons(&sq, p);
		fill(&sq, p + 1, 0x5a);
		bad = NULL;
		{
			uint64_t k0 = fk.qp_kicks(qp->handle);

			ret = ibv_post_send(qp, w, &bad);
			kicks = (int)(fk.qp_kicks(qp->handle) - k0);
		}
		report(ret == EINVAL && bad == &w[1] && kprod(&sq) == p + 1 &&
		       kicks == 1 && *(uint64_t *)slot(&sq, p) == 200 &&
		       slot(&sq, p + 1)[0] == 0x5a && slot(&sq, p + 1)[255] == 0x5a,
		       "post_send [good, %s, good]: EINVAL, bad_wr = 2nd, the 1st posted and rung, nothing written for the 2nd (ret %d, kicks %d)",
		       cases[c].name, ret, kicks);
		sg[0].length = 8;
	}

	/* A bad first WR: nothing posted, no doorbell. */
	good_send(&w[0], 300, sg);
	w[0].num_sge = 9;
	good_send(&w[1], 301, sg);
	chain(w, 2);
	p = kprod(&sq);
	bad = NULL;
	{
		uint64_t k0 = fk.qp_kicks(qp->handle);

		ret = ibv_post_send(qp, w, &bad);
		kicks = (int)(fk.qp_kicks(qp->handle) - k0);
	}
	report(ret == EINVAL && bad == &w[0] && kprod(&sq) == p && kicks == 0,
	       "post_send with a bad first WR: EINVAL, bad_wr = 1st, no WQE, no doorbell (kicks %d)",
	       kicks);

	/* Full queue. */
	p = kprod(&sq);
	set_kcons(&sq, p);
	ret = 0;
	for (int i = 0; i < 16 && !ret; i++) {
		good_send(&w[0], 400 + i, sg);
		w[0].next = NULL;
		ret = ibv_post_send(qp, w, &bad);
	}
	report(ret == 0 && kprod(&sq) == p + 16,
	       "post_send fills the 16-entry SQ (prod - cons == entries)");
	good_send(&w[0], 416, sg);
	w[0].next = NULL;
	bad = NULL;
	ret = post_one(qp, w, &kicks);
	report(ret == ENOMEM && kprod(&sq) == p + 16 && kicks == 0,
	       "post_send on a full SQ: ENOMEM, nothing written, no doorbell (ret %d, kicks %d)",
	       ret, kicks);
	for (int i = 0; i < 3; i++)
		good_send(&w[i], 500 + i, sg);
	chain(w, 3);
	set_kcons(&sq, p + 2);		/* the kernel consumed two */
	bad = NULL;
	{
		uint64_t k0 = fk.qp_kicks(qp->handle);

		ret = ibv_post_send(qp, w, &bad);
		kicks = (int)(fk.qp_kicks(qp->handle) - k0);
	}
	report(ret == ENOMEM && bad == &w[2] && kprod(&sq) == p + 18 &&
	       kicks == 1 && *(uint64_t *)slot(&sq, p + 17) == 501,
	       "post_send of 3 with 2 free slots (cons re-read): 2 posted, ENOMEM, bad_wr = 3rd, one doorbell (ret %d, kicks %d)",
	       ret, kicks);
	set_kcons(&sq, kprod(&sq));

	/* A cons the kernel cannot have written reads as "full". */
	p = kprod(&sq);
	set_kcons(&sq, p - 40);
	good_send(&w[0], 600, sg);
	w[0].next = NULL;
	ret = post_one(qp, w, &kicks);
	report(ret == ENOMEM && kprod(&sq) == p,
	       "post_send with cons 40 behind prod in a 16-entry ring: ENOMEM, never writes outside the ring (ret %d)",
	       ret);
	set_kcons(&sq, p);
}

static int no_leak(const struct pcv_fake_stats *a,
		   const struct pcv_fake_stats *b);

static void test_qp_kinds(void)
{
	struct ibv_sge sg = { (uintptr_t)bufs[0], 8, 1 };
	struct ibv_qp_init_attr qa;
	struct ibv_send_wr w, *bad;
	struct ibv_qp *q;
	struct view v;
	struct pcv_fake_stats s0, s1;
	int ret, kicks;
	int bad_ops = 0;

	/* sq_sig_all: every WQE signaled. */
	q = mk_qp(IBV_QPT_RC, cq, NULL, 4, 4, 1, 1, 0, 1, NULL);
	if (report(q && !view_of(PCV_FAKE_RING_SQ, q->handle, &v),
		   "ibv_create_qp(RC, sq_sig_all)")) {
		good_send(&w, 1, &sg);
		ret = post_one(q, &w, &kicks);
		report(ret == 0 && slot(&v, 0)[9] == F_SIG,
		       "sq_sig_all: an unsignaled WR is written with PCV_WQE_SIGNALED (flags %#x)",
		       slot(&v, 0)[9]);
		good_send(&w, 2, &sg);
		w.send_flags = IBV_SEND_INLINE;
		ret = post_one(q, &w, &kicks);
		report(ret == EINVAL,
		       "inline on a QP granted max_inline 0: EINVAL (ret %d)",
		       ret);
		report(ibv_destroy_qp(q) == 0, "ibv_destroy_qp");
	}

	/* UC: no READ, no atomics. */
	q = mk_qp(IBV_QPT_UC, cq, NULL, 8, 4, 2, 1, 16, 0, NULL);
	if (report(q != NULL, "ibv_create_qp(UC)")) {
		static const int ops[] = { IBV_WR_RDMA_READ,
					   IBV_WR_ATOMIC_CMP_AND_SWP,
					   IBV_WR_ATOMIC_FETCH_AND_ADD };
		struct ibv_sge s8 = { (uintptr_t)bufs[0], 8, 1 };

		for (int i = 0; i < 3; i++) {
			good_send(&w, 10 + i, &s8);
			w.opcode = ops[i];
			bad = NULL;
			ret = ibv_post_send(q, &w, &bad);
			bad_ops += ret == EINVAL && bad == &w;
		}
		report(bad_ops == 3,
		       "UC refuses RDMA_READ, CMP_AND_SWP, FETCH_AND_ADD with EINVAL");
		good_send(&w, 20, &sg);
		w.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
		ret = ibv_post_send(q, &w, &bad);
		good_send(&w, 21, &sg);
		ret |= ibv_post_send(q, &w, &bad);
		report(ret == 0, "UC accepts SEND and RDMA_WRITE_WITH_IMM");
		report(ibv_destroy_qp(q) == 0, "ibv_destroy_qp(UC)");
	}

	/* XRC is not planned: refused without a kernel command. */
	s0 = S();
	errno = 0;
	q = mk_qp(IBV_QPT_XRC_SEND, cq, NULL, 4, 0, 1, 0, 0, 0, NULL);
	s1 = S();
	report(!q && errno == EOPNOTSUPP && s1.cmds == s0.cmds,
	       "ibv_create_qp(XRC_SEND): EOPNOTSUPP before any command (errno %d)",
	       errno);
	if (q)
		ibv_destroy_qp(q);

	/* A receive WQE holds 31 SGEs: granted; 32 is the kernel's EINVAL. */
	q = mk_qp(IBV_QPT_RC, cq, NULL, 1, 1, 1, PCV_MAX_RECV_SGE, 0, 0, &qa);
	report(q && qa.cap.max_recv_sge == 31 &&
	       !view_of(PCV_FAKE_RING_RQ, q->handle, &v) &&
	       v.v.stride == RQ_WQE,
	       "ibv_create_qp(RC, max_recv_sge 31): granted, 512-byte RQ WQEs");
	if (q)
		ibv_destroy_qp(q);
	s0 = S();
	errno = 0;
	q = mk_qp(IBV_QPT_RC, cq, NULL, 1, 1, 1, PCV_MAX_RECV_SGE + 1, 0, 0,
		  NULL);
	s1 = S();
	report(!q && errno == EINVAL && no_leak(&s0, &s1),
	       "ibv_create_qp(RC, max_recv_sge 32): the kernel's EINVAL, nothing left (errno %d)",
	       errno);
	if (q)
		ibv_destroy_qp(q);

	/* A send-only QP (no RQ): post_recv is a queue of depth 0. */
	q = mk_qp(IBV_QPT_RC, cq, NULL, 4, 0, 1, 0, 0, 0, NULL);
	if (report(q && view_of(PCV_FAKE_RING_RQ, q->handle, &v) != 0,
		   "ibv_create_qp(RC, max_recv_wr 0): no RQ ring")) {
		struct ibv_recv_wr r = { .wr_id = 1 }, *rbad = NULL;

		ret = ibv_post_recv(q, &r, &rbad);
		report(ret == ENOMEM && rbad == &r,
		       "post_recv on a QP without RQ: ENOMEM (ret %d)", ret);
		report(ibv_destroy_qp(q) == 0, "ibv_destroy_qp(no RQ)");
	}
}

/* ---- RESET: the queues may be re-initialised under us -------------------- */
static void test_reset(void)
{
	struct ibv_sge sg = { (uintptr_t)bufs[0], 8, 1 };
	struct ibv_recv_wr r = { .wr_id = 77, .sg_list = &sg, .num_sge = 1 };
	struct ibv_recv_wr *rbad;
	struct ibv_send_wr w, *bad;
	struct ibv_qp_attr qa;
	struct view vs, vr;
	struct ibv_qp *q;
	int ret;

	for (int keep = 0; keep < 2; keep++) {
		q = mk_qp(IBV_QPT_RC, cq, NULL, 8, 8, 1, 1, 0, 0, NULL);
		if (!report(q && !view_of(PCV_FAKE_RING_SQ, q->handle, &vs) &&
			    !view_of(PCV_FAKE_RING_RQ, q->handle, &vr),
			    "ibv_create_qp for RESET (%s)",
			    keep ? "kernel moves cons up to prod" :
				   "kernel re-initialises the indices"))
			return;
		ret = 0;
		for (int i = 0; i < 5; i++) {
			good_send(&w, i, &sg);
			ret |= ibv_post_send(q, &w, &bad);
			ret |= ibv_post_recv(q, &r, &rbad);
		}
		if (keep)
			setenv("PCV_FAKE_RESET_KEEP", "1", 1);
		memset(&qa, 0, sizeof(qa));
		qa.qp_state = IBV_QPS_RESET;
		ret |= ibv_modify_qp(q, &qa, IBV_QP_STATE);
		unsetenv("PCV_FAKE_RESET_KEEP");
		good_send(&w, 99, &sg);
		ret |= ibv_post_send(q, &w, &bad);
		ret |= ibv_post_recv(q, &r, &rbad);
		report(ret == 0 && kprod(&vs) == (keep ? 6U : 1U) &&
		       kprod(&vr) == (keep ? 6U : 1U) &&
		       *(uint64_t *)slot(&vs, keep ? 5 : 0) == 99 &&
		       *(uint64_t *)slot(&vr, keep ? 5 : 0) == 77 &&
		       !(vs.hdr->flags & PCV_RING_F_ERROR),
		       "after modify_qp(RESET) (%s) post_send/post_recv continue from the header's prod (SQ prod %u, RQ prod %u)",
		       keep ? "indices kept" : "indices back to 0", kprod(&vs),
		       kprod(&vr));
		report(ibv_destroy_qp(q) == 0, "ibv_destroy_qp(RESET)");
	}
}

/* ---- post_recv ------------------------------------------------------------ */
static void test_recv(void)
{
	struct ibv_sge sg[4] = {
		{ 0x1000, 100, 0x11 }, { 0x2000, 200, 0x22 },
		{ 0x3000, 300, 0x33 }, { 0x4000, 400, 0x44 },
	};
	struct ibv_recv_wr r[3], *bad;
	struct pcv_fake_stats s0, s1;
	uint8_t e[RQ_WQE];
	uint32_t p;
	int ret, ok = 1;

	p = kprod(&rq);
	for (int i = 0; i < 3; i++)
		fill(&rq, p + i, 0xa5);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++) {
		r[i].wr_id = 0xfeed0000 + i;
		r[i].sg_list = sg;
		r[i].num_sge = i == 2 ? 3 : i;
		r[i].next = i < 2 ? &r[i + 1] : NULL;
	}
	s0 = S();
	ret = ibv_post_recv(qp, r, &bad);
	s1 = S();
	for (int i = 0; i < 3; i++) {
		build_rq(e, r[i].wr_id, r[i].num_sge, sg);
		ok &= same_bytes(slot(&rq, p + i), e, RQ_WQE, "RQ WQE");
	}
	report(ret == 0 && ok && kprod(&rq) == p + 3,
	       "post_recv of 3 WRs (0, 1, 3 SGEs): RQ WQEs byte for byte, prod +3");
	report(s1.cmds == s0.cmds,
	       "post_recv makes no system call (uverbs commands %llu -> %llu)",
	       (unsigned long long)s0.cmds, (unsigned long long)s1.cmds);

	r[0].num_sge = 4;
	r[0].next = NULL;
	bad = NULL;
	ret = ibv_post_recv(qp, r, &bad);
	report(ret == EINVAL && bad == &r[0] && kprod(&rq) == p + 3,
	       "post_recv with 4 SGEs (3 granted): EINVAL, bad_wr (ret %d)", ret);

	/* Fill the 8-entry RQ; the 9th is refused until the kernel consumes. */
	set_kcons(&rq, p + 3);
	r[0].num_sge = 1;
	ret = 0;
	for (int i = 0; i < 8 && !ret; i++)
		ret = ibv_post_recv(qp, r, &bad);
	bad = NULL;
	report(ret == 0 && ibv_post_recv(qp, r, &bad) == ENOMEM && bad == &r[0] &&
	       kprod(&rq) == p + 11,
	       "post_recv fills the 8-entry RQ, then ENOMEM with bad_wr");
	set_kcons(&rq, p + 4);
	report(ibv_post_recv(qp, r, &bad) == 0 && kprod(&rq) == p + 12,
	       "post_recv succeeds again once the kernel advanced cons");
	set_kcons(&rq, kprod(&rq));
}

/* ---- UD: address handles, UD QPs, multicast ------------------------------ */
static int wc_matches(const struct ibv_wc *w, const struct pcv_cqe *c);

/* A multicast GID (ff12:601b:ffff::1, IPoIB's broadcast shape) and MLID. */
static const uint8_t mgid[16] = { 0xff, 0x12, 0x60, 0x1b, 0xff, 0xff, 0, 0,
				  0, 0, 0, 0, 0, 0, 0, 1 };
#define MLID	0xc001

static struct ibv_ah *mk_ah(struct ibv_pd *p, uint16_t dlid, uint8_t sl,
			    uint8_t port, int global, uint8_t sgid_index)
{
	struct ibv_ah_attr a;

	memset(&a, 0, sizeof(a));
	a.dlid = dlid;
	a.sl = sl;
	a.port_num = port;
	if (global) {
		a.is_global = 1;
		for (int i = 0; i < 16; i++)
			a.grh.dgid.raw[i] = (uint8_t)(0xf0 + i);
		a.grh.sgid_index = sgid_index;
		a.grh.hop_limit = 64;
		a.grh.traffic_class = 0x20;
		a.grh.flow_label = 0x12345;
	}
	return ibv_create_ah(p, &a);
}

/* The kernel's handle of an AH (what a UD WQE must carry), 0 if none. */
static uint32_t kah(struct ibv_ah *ah)
{
	struct pcv_fake_ah_view v;

	return ah && !fk.ah(ah->handle, &v) ? v.drv_handle : 0;
}

/* A device opened while the fake kernel announces no UD. */
static void test_no_ud(void)
{
	struct pcv_fake_stats s0, s1;
	struct ibv_context *c2;
	struct ibv_pd *p2;
	struct ibv_cq *cq2;
	struct ibv_qp_init_attr a;
	struct ibv_ah_attr aa;
	struct ibv_ah *ah;
	struct ibv_qp *q;

	setenv("PCV_FAKE_CAPS", "1", 1);	/* PCV_UCTX_CAP_LOOPBACK only */
	c2 = ibv_open_device(dev);
	unsetenv("PCV_FAKE_CAPS");
	p2 = c2 ? ibv_alloc_pd(c2) : NULL;
	cq2 = c2 ? ibv_create_cq(c2, 4, NULL, NULL, 0) : NULL;
	if (!report(c2 && p2 && cq2, "a second context on a kernel without PCV_UCTX_CAP_UD"))
		goto out;

	memset(&aa, 0, sizeof(aa));
	aa.dlid = 1;
	aa.port_num = 1;
	s0 = S();
	errno = 0;
	ah = ibv_create_ah(p2, &aa);
	s1 = S();
	report(!ah && errno == EOPNOTSUPP && s1.cmds == s0.cmds,
	       "no CAP_UD: ibv_create_ah fails with EOPNOTSUPP before any command (errno %d)",
	       errno);
	if (ah)
		ibv_destroy_ah(ah);

	memset(&a, 0, sizeof(a));
	a.send_cq = a.recv_cq = cq2;
	a.qp_type = IBV_QPT_UD;
	a.cap.max_send_wr = a.cap.max_recv_wr = 4;
	a.cap.max_send_sge = a.cap.max_recv_sge = 1;
	s0 = S();
	errno = 0;
	q = ibv_create_qp(p2, &a);
	s1 = S();
	report(!q && errno == EOPNOTSUPP && s1.cmds == s0.cmds,
	       "no CAP_UD: ibv_create_qp(UD) fails with EOPNOTSUPP before any command (errno %d)",
	       errno);
	if (q)
		ibv_destroy_qp(q);
out:
	if (cq2)
		ibv_destroy_cq(cq2);
	if (p2)
		ibv_dealloc_pd(p2);
	if (c2)
		ibv_close_device(c2);
}

static void test_ah(struct ibv_ah **ah, struct ibv_ah **gah)
{
	static const struct {
		const char *knob, *val, *what;
	} badresp[] = {
		{ "PCV_FAKE_AH_HANDLE", "0", "handle 0" },
		{ "PCV_FAKE_AH_BYTES", "4", "a short driver response (comp_mask only)" },
		{ "PCV_FAKE_AH_BYTES", "0", "no driver response" },
	};
	struct pcv_fake_stats s0, s1;
	struct pcv_fake_ah_view v;
	struct ibv_ah *a;
	int ok;

	s0 = S();
	*ah = mk_ah(pd, 4, 5, 1, 0, 0);
	s1 = S();
	ok = *ah && !fk.ah((*ah)->handle, &v);
	report(ok && (*ah)->pd == pd && (*ah)->context == ctx &&
	       v.drv_handle == (*ah)->handle + FAKE_AH_BASE &&
	       v.pd == pd->handle && v.dlid == 4 && v.sl == 5 &&
	       v.port_num == 1 && !v.is_global &&
	       s1.live_ahs == s0.live_ahs + 1,
	       "ibv_create_ah(LID 4, SL 5, port 1): the kernel holds the address vector, handle %#x",
	       ok ? v.drv_handle : 0);

	*gah = mk_ah(pd, 3, 1, 1, 1, 0);
	ok = *gah && !fk.ah((*gah)->handle, &v) && v.is_global &&
	     v.dlid == 3 && v.sl == 1 && v.sgid_index == 0 &&
	     v.hop_limit == 64 && v.traffic_class == 0x20 &&
	     v.flow_label == 0x12345;
	for (int i = 0; ok && i < 16; i++)
		ok = v.dgid[i] == 0xf0 + i;
	report(ok, "ibv_create_ah with a GRH: dgid, sgid_index, hop limit, class, flow label reach the kernel");

	/* The kernel's verdict on the address comes back as it is. */
	s0 = S();
	errno = 0;
	a = mk_ah(pd, 4, 0, 2, 0, 0);
	report(!a && errno == EINVAL,
	       "ibv_create_ah(port 2): the kernel's EINVAL (errno %d)", errno);
	if (a)
		ibv_destroy_ah(a);
	errno = 0;
	a = mk_ah(pd, 4, 0, 1, 1, 3);
	s1 = S();
	report(!a && errno == EINVAL && s1.live_ahs == s0.live_ahs &&
	       s1.create_ah_cmds == s0.create_ah_cmds + 2,
	       "ibv_create_ah(GRH, sgid_index 3 of 1): the kernel's EINVAL, nothing left (errno %d)",
	       errno);
	if (a)
		ibv_destroy_ah(a);

	for (size_t i = 0; i < sizeof(badresp) / sizeof(badresp[0]); i++) {
		s0 = S();
		setenv(badresp[i].knob, badresp[i].val, 1);
		errno = 0;
		a = mk_ah(pd, 4, 0, 1, 0, 0);
		unsetenv(badresp[i].knob);
		s1 = S();
		report(!a && errno == EPROTO && s1.live_ahs == s0.live_ahs &&
		       s1.create_ah_cmds == s0.create_ah_cmds + 1,
		       "create_ah answered with %s: EPROTO, kernel AH destroyed (errno %d)",
		       badresp[i].what, errno);
		if (a)
			ibv_destroy_ah(a);
	}

	/* Unknown comp_mask bits announce fields we do not read: ignored. */
	setenv("PCV_FAKE_AH_COMP_MASK", "0x80000001", 1);
	a = mk_ah(pd, 4, 0, 1, 0, 0);
	unsetenv("PCV_FAKE_AH_COMP_MASK");
	report(a && kah(a) == a->handle + FAKE_AH_BASE && ibv_destroy_ah(a) == 0,
	       "create_ah answered with unknown comp_mask bits: accepted (as every pcieverbs response)");
}

static void test_ud(void)
{
	struct ibv_sge sg[4], big;
	struct ibv_send_wr w[3], *bad;
	struct ibv_recv_wr r, *rbad;
	struct ibv_qp_init_attr qa;
	struct ibv_qp_attr mqa;
	struct pcv_fake_stats s0, s1;
	struct ibv_ah *ah = NULL, *gah = NULL, other;
	struct ibv_context *c2;
	struct ibv_qp *uq, *uq2;
	struct ibv_wc wc[4];
	struct pcv_cqe ce;
	struct view usq, urq;
	struct exp_sq x;
	uint32_t imm = htobe32(0xcafe0001), p;
	uint8_t e[RQ_WQE], inl[20], gid2[16];
	int ret, kicks, n, mask;

	test_no_ud();
	test_ah(&ah, &gah);
	if (!ah || !gah)
		goto out_ah;

	uq = mk_qp(IBV_QPT_UD, cq, NULL, 8, 8, 2, PCV_MAX_RECV_SGE, 64, 0, &qa);
	if (!report(uq && uq->qp_type == IBV_QPT_UD &&
		    qa.cap.max_send_sge == 2 && qa.cap.max_recv_sge == 31 &&
		    qa.cap.max_inline_data == 64 &&
		    !view_of(PCV_FAKE_RING_SQ, uq->handle, &usq) &&
		    !view_of(PCV_FAKE_RING_RQ, uq->handle, &urq) &&
		    usq.v.stride == 256 && urq.v.stride == RQ_WQE,
		    "ibv_create_qp(UD, 8 x 2 send, 8 x 31 receive, inline 64): SQ and 512-byte-stride RQ mapped"))
		goto out_ah;

	/* The Q_Key is the kernel's: modify_qp passes it through. */
	memset(&mqa, 0, sizeof(mqa));
	mqa.qp_state = IBV_QPS_INIT;
	mqa.pkey_index = 0;
	mqa.port_num = 1;
	mqa.qkey = 0x11111111;
	mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY;
	ret = ibv_modify_qp(uq, &mqa, mask);
	s1 = S();
	report(ret == 0 && s1.last_qp_mask == (uint32_t)mask &&
	       s1.last_qkey == 0x11111111,
	       "ibv_modify_qp(UD, INIT with IBV_QP_QKEY): mask and qkey reach the kernel (mask %#x, qkey %#x)",
	       s1.last_qp_mask, s1.last_qkey);

	/* Encoding. */
	for (int i = 0; i < 4; i++) {
		sg[i].addr = (uintptr_t)bufs[i];
		sg[i].length = 16 + i;
		sg[i].lkey = 0x1000 + i;
	}
	memset(&w[0], 0, sizeof(w[0]));
	w[0].wr_id = 0x5501;
	w[0].opcode = IBV_WR_SEND;
	w[0].send_flags = IBV_SEND_SIGNALED;
	w[0].sg_list = sg;
	w[0].num_sge = 2;
	w[0].imm_data = 0xffffffff;		/* not carried by a SEND */
	w[0].wr.ud.ah = ah;
	w[0].wr.ud.remote_qpn = 0x7f000042;	/* only 24 bits are a QPN */
	w[0].wr.ud.remote_qkey = 0x22222222;
	x = (struct exp_sq){ .wr_id = 0x5501, .op = OP_SEND, .flags = F_SIG,
			     .nsge = 2, .sge = sg, .ud_ah = kah(ah),
			     .ud_qpn = 0x42, .ud_qkey = 0x22222222 };
	check_wqe_on(uq, &usq, "UD SEND 2 SGEs: ud_ah = the kernel's AH handle, QPN masked to 24 bits, Q_Key",
		     &w[0], &x);

	memcpy(inl, "datagram-inline-20b!", 20);
	memset(&w[0], 0, sizeof(w[0]));
	w[0].wr_id = 0x5502;
	w[0].opcode = IBV_WR_SEND_WITH_IMM;
	w[0].send_flags = IBV_SEND_INLINE | IBV_SEND_SOLICITED;
	w[0].imm_data = imm;
	big.addr = (uintptr_t)inl;
	big.length = 20;
	big.lkey = 0;
	w[0].sg_list = &big;
	w[0].num_sge = 1;
	w[0].wr.ud.ah = gah;
	w[0].wr.ud.remote_qpn = 0xffffff;
	w[0].wr.ud.remote_qkey = 0x80000000;	/* "use the QP's Q_Key" */
	x = (struct exp_sq){ .wr_id = 0x5502, .op = OP_SEND_IMM,
			     .flags = F_INL | F_SOL, .imm = &imm, .inl = inl,
			     .inl_len = 20, .ud_ah = kah(gah),
			     .ud_qpn = 0xffffff, .ud_qkey = 0x80000000 };
	check_wqe_on(uq, &usq, "UD SEND_WITH_IMM inline, GRH AH, QPN 0xffffff, Q_Key with the high bit",
		     &w[0], &x);

	/* Longer than the 4096-byte MTU: posted; the kernel completes it with
	 * IBV_WC_LOC_LEN_ERR, as an HCA does.
	 */
	big.addr = 0x100000;
	big.length = 8192;
	big.lkey = 0x1001;
	memset(&w[0], 0, sizeof(w[0]));
	w[0].wr_id = 0x5503;
	w[0].opcode = IBV_WR_SEND;
	w[0].sg_list = &big;
	w[0].num_sge = 1;
	w[0].wr.ud.ah = ah;
	w[0].wr.ud.remote_qpn = 0x43;
	w[0].wr.ud.remote_qkey = 7;
	x = (struct exp_sq){ .wr_id = 0x5503, .op = OP_SEND, .nsge = 1,
			     .sge = &big, .ud_ah = kah(ah), .ud_qpn = 0x43,
			     .ud_qkey = 7 };
	check_wqe_on(uq, &usq, "UD SEND of 8192 bytes (> MTU): posted, the length is the kernel's to judge",
		     &w[0], &x);
	set_kcons(&usq, kprod(&usq));

	/* Bad WRs in the middle of a list. */
	c2 = ibv_open_device(dev);
	memset(&other, 0, sizeof(other));
	other.context = c2;			/* an AH of another context */
	other.pd = pd;
	other.handle = ah->handle;
	{
		static const struct {
			const char *name;
			int op, flags, nsge, len0, ah;	/* ah: 0 ours, 1 NULL, 2 other */
		} cases[] = {
			{ "IBV_WR_RDMA_WRITE", IBV_WR_RDMA_WRITE, 0, 1, 8, 0 },
			{ "IBV_WR_RDMA_WRITE_WITH_IMM", IBV_WR_RDMA_WRITE_WITH_IMM, 0, 1, 8, 0 },
			{ "IBV_WR_RDMA_READ", IBV_WR_RDMA_READ, 0, 1, 8, 0 },
			{ "IBV_WR_ATOMIC_FETCH_AND_ADD", IBV_WR_ATOMIC_FETCH_AND_ADD, 0, 1, 8, 0 },
			{ "IBV_WR_SEND_WITH_INV", IBV_WR_SEND_WITH_INV, 0, 1, 8, 0 },
			{ "a NULL AH", IBV_WR_SEND, 0, 1, 8, 1 },
			{ "an AH of another context", IBV_WR_SEND, 0, 1, 8, 2 },
			{ "3 SGEs (2 granted)", IBV_WR_SEND, 0, 3, 8, 0 },
			{ "inline of 65 B (64 granted)", IBV_WR_SEND, IBV_SEND_INLINE, 2, 57, 0 },
		};

		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			for (int i = 0; i < 3; i++) {
				good_send(&w[i], 0x5600 + i, sg);
				w[i].wr.ud.ah = ah;
				w[i].wr.ud.remote_qpn = 0x44;
				w[i].wr.ud.remote_qkey = 9;
			}
			w[1].opcode = cases[c].op;
			w[1].send_flags = cases[c].flags;
			w[1].num_sge = cases[c].nsge;
			w[1].wr.ud.ah = cases[c].ah == 1 ? NULL :
					cases[c].ah == 2 ? &other : ah;
			sg[0].length = cases[c].len0;
			chain(w, 3);
			p = kprod(&usq);
			fill(&usq, p + 1, 0x5a);
			bad = NULL;
			{
				uint64_t k0 = fk.qp_kicks(uq->handle);

				ret = ibv_post_send(uq, w, &bad);
				kicks = (int)(fk.qp_kicks(uq->handle) - k0);
			}
			report(ret == EINVAL && bad == &w[1] &&
			       kprod(&usq) == p + 1 && kicks == 1 &&
			       *(uint64_t *)slot(&usq, p) == 0x5600 &&
			       slot(&usq, p + 1)[0] == 0x5a,
			       "UD post_send [good, %s, good]: EINVAL, bad_wr = 2nd, the 1st posted and rung (ret %d, kicks %d)",
			       cases[c].name, ret, kicks);
			sg[0].length = 16;
			set_kcons(&usq, kprod(&usq));
		}
	}
	if (c2)
		ibv_close_device(c2);

	/* Receives: nothing UD-specific, 31 SGEs fill the 512-byte WQE. */
	{
		struct ibv_sge rs[PCV_MAX_RECV_SGE + 1];

		for (int i = 0; i <= PCV_MAX_RECV_SGE; i++) {
			rs[i].addr = 0x10000 + 0x100 * (uint64_t)i;
			rs[i].length = i == 0 ? 40 : 100 + i;	/* GRH first */
			rs[i].lkey = 0x3000 + i;
		}
		memset(&r, 0, sizeof(r));
		r.wr_id = 0x5700;
		r.sg_list = rs;
		r.num_sge = PCV_MAX_RECV_SGE;
		p = kprod(&urq);
		fill(&urq, p, 0xa5);
		ret = ibv_post_recv(uq, &r, &rbad);
		build_rq(e, 0x5700, PCV_MAX_RECV_SGE, rs);
		report(ret == 0 && kprod(&urq) == p + 1 &&
		       same_bytes(slot(&urq, p), e, RQ_WQE, "UD RQ WQE"),
		       "UD post_recv with 31 SGEs: the 512-byte WQE byte for byte (ret %d)",
		       ret);
		r.num_sge = PCV_MAX_RECV_SGE + 1;
		rbad = NULL;
		ret = ibv_post_recv(uq, &r, &rbad);
		report(ret == EINVAL && rbad == &r && kprod(&urq) == p + 1,
		       "UD post_recv with 32 SGEs: EINVAL, bad_wr (ret %d)", ret);
		set_kcons(&urq, kprod(&urq));
	}

	/* UD completions: the source, SL and GRH flag reach the ibv_wc. */
	for (int g = 0; g < 2; g++) {
		memset(&ce, 0, sizeof(ce));
		ce.wr_id = 0x5700 + g;
		ce.status = IBV_WC_SUCCESS;
		ce.opcode = IBV_WC_RECV;
		ce.byte_len = 40 + 100 + g;
		ce.imm_data = g ? 0 : imm;
		ce.qp_num = uq->qp_num;
		ce.src_qp = 0xabc + g;
		ce.wc_flags = g ? 0 : IBV_WC_GRH | IBV_WC_WITH_IMM;
		ce.pkey_index = 0;
		ce.slid = 3 + g;
		ce.sl = 5 + g;
		fk.cq_push(cq->handle, &ce, 0);
		memset(wc, 0x5a, sizeof(wc));
		n = ibv_poll_cq(cq, 4, wc);
		report(n == 1 && wc_matches(&wc[0], &ce),
		       "UD receive completion %s: src_qp, slid, sl, wc_flags, pkey_index, byte_len in the ibv_wc (n %d, flags %#x)",
		       g ? "without GRH" : "with GRH and immediate", n,
		       n == 1 ? wc[0].wc_flags : 0);
	}

	/* Multicast. */
	s0 = S();
	ret = ibv_attach_mcast(uq, (const union ibv_gid *)mgid, MLID);
	s1 = S();
	report(ret == 0 && s1.attach_cmds == s0.attach_cmds + 1 &&
	       s1.last_mcast_qp == uq->handle && s1.last_mcast_lid == MLID &&
	       !memcmp(s1.last_mcast_gid, mgid, 16) &&
	       fk.qp_mcast(uq->handle, mgid, MLID) == 1,
	       "ibv_attach_mcast(ff12:601b:ffff::1, 0xc001): the kernel attached the QP with that GID and LID");
	memcpy(gid2, mgid, 16);
	gid2[15] = 2;
	ret = ibv_attach_mcast(uq, (const union ibv_gid *)gid2, MLID + 1);
	report(ret == 0 && fk.qp_mcast(uq->handle, NULL, 0) == 2,
	       "ibv_attach_mcast of a second group: two memberships");
	s0 = S();
	ret = ibv_detach_mcast(uq, (const union ibv_gid *)mgid, MLID);
	s1 = S();
	report(ret == 0 && s1.detach_cmds == s0.detach_cmds + 1 &&
	       s1.last_mcast_lid == MLID && !memcmp(s1.last_mcast_gid, mgid, 16) &&
	       fk.qp_mcast(uq->handle, mgid, MLID) == 0 &&
	       fk.qp_mcast(uq->handle, NULL, 0) == 1,
	       "ibv_detach_mcast: the kernel detached that group only");
	ret = ibv_detach_mcast(uq, (const union ibv_gid *)mgid, MLID);
	report(ret == EINVAL,
	       "ibv_detach_mcast of a group not attached: the kernel's EINVAL (ret %d)",
	       ret);
	ret = ibv_attach_mcast(qp, (const union ibv_gid *)mgid, MLID);
	report(ret == EINVAL,
	       "ibv_attach_mcast of an RC QP: the kernel's EINVAL (ret %d)", ret);
	gid2[0] = 0xfe;
	ret = ibv_attach_mcast(uq, (const union ibv_gid *)gid2, MLID);
	report(ret == EINVAL,
	       "ibv_attach_mcast with a unicast GID: the kernel's EINVAL (ret %d)",
	       ret);

	/* A second UD QP on the same AH, then destroy both (one still
	 * attached: the kernel detaches it).
	 */
	uq2 = mk_qp(IBV_QPT_UD, cq, NULL, 2, 2, 1, 1, 0, 1, NULL);
	report(uq2 && ibv_destroy_qp(uq2) == 0, "a second UD QP, destroyed");
	s0 = S();
	ret = ibv_destroy_qp(uq);
	s1 = S();
	report(ret == 0 && s1.live_mcast == s0.live_mcast - 1,
	       "ibv_destroy_qp(UD) while attached to a group (the kernel detaches it)");

out_ah:
	s0 = S();
	ret = (ah ? ibv_destroy_ah(ah) : -1) | (gah ? ibv_destroy_ah(gah) : -1);
	s1 = S();
	report(ret == 0 && s1.live_ahs == s0.live_ahs - 2,
	       "ibv_destroy_ah x2: the kernel's AHs gone");
}

/* ---- SRQ ------------------------------------------------------------------ */
static void test_srq(void)
{
	struct ibv_srq_init_attr ia;
	struct ibv_srq_attr sa;
	struct ibv_sge sg[3] = { { 0x10, 1, 1 }, { 0x20, 2, 2 }, { 0x30, 3, 3 } };
	struct ibv_recv_wr r[2], *bad;
	struct pcv_fake_stats s0, s1;
	struct ibv_srq *srq;
	struct ibv_qp *q;
	struct view v;
	uint8_t e[RQ_WQE];
	uint32_t p;
	int ret, ok = 1;

	memset(&ia, 0, sizeof(ia));
	ia.attr.max_wr = 10;
	ia.attr.max_sge = 2;
	ia.attr.srq_limit = 0;
	srq = ibv_create_srq(pd, &ia);
	if (!report(srq && ia.attr.max_wr == 16 && ia.attr.max_sge == 2 &&
		    !view_of(PCV_FAKE_RING_SRQ, srq->handle, &v) &&
		    v.v.entries == 16 && v.v.stride == RQ_WQE,
		    "ibv_create_srq(10 WRs, 2 SGEs): granted 16 x 2, ring mapped"))
		return;

	q = mk_qp(IBV_QPT_RC, cq, srq, 4, 0, 1, 0, 0, 0, NULL);
	if (report(q && q->srq == srq &&
		   view_of(PCV_FAKE_RING_RQ, q->handle, &v) != 0,
		   "ibv_create_qp with an SRQ: no RQ ring of its own")) {
		view_of(PCV_FAKE_RING_SRQ, srq->handle, &v);
		memset(r, 0, sizeof(r));
		r[0].wr_id = 1;
		bad = NULL;
		ret = ibv_post_recv(q, r, &bad);
		report(ret == EINVAL && bad == &r[0],
		       "post_recv on a QP attached to an SRQ: EINVAL (ret %d)",
		       ret);
	}
	view_of(PCV_FAKE_RING_SRQ, srq->handle, &v);

	p = kprod(&v);
	fill(&v, p, 0xa5);
	fill(&v, p + 1, 0xa5);
	memset(r, 0, sizeof(r));
	r[0].wr_id = 0xabc;
	r[0].sg_list = sg;
	r[0].num_sge = 2;
	r[0].next = &r[1];
	r[1].wr_id = 0xdef;
	r[1].sg_list = sg + 2;
	r[1].num_sge = 1;
	s0 = S();
	ret = ibv_post_srq_recv(srq, r, &bad);
	s1 = S();
	build_rq(e, 0xabc, 2, sg);
	ok &= same_bytes(slot(&v, p), e, RQ_WQE, "SRQ WQE");
	build_rq(e, 0xdef, 1, sg + 2);
	ok &= same_bytes(slot(&v, p + 1), e, RQ_WQE, "SRQ WQE");
	report(ret == 0 && ok && kprod(&v) == p + 2 && s1.cmds == s0.cmds,
	       "post_srq_recv: WQEs byte for byte, prod +2, no system call");

	r[0].num_sge = 3;
	r[0].next = NULL;
	bad = NULL;
	ret = ibv_post_srq_recv(srq, r, &bad);
	report(ret == EINVAL && bad == &r[0],
	       "post_srq_recv with 3 SGEs (2 granted): EINVAL (ret %d)", ret);
	r[0].num_sge = 1;
	ret = 0;
	for (int i = 0; i < 14 && !ret; i++)
		ret = ibv_post_srq_recv(srq, r, &bad);
	bad = NULL;
	report(ret == 0 && ibv_post_srq_recv(srq, r, &bad) == ENOMEM &&
	       bad == &r[0] && kprod(&v) == p + 16,
	       "post_srq_recv fills 16 entries, then ENOMEM");
	set_kcons(&v, kprod(&v));

	memset(&sa, 0, sizeof(sa));
	sa.srq_limit = 5;
	s0 = S();
	ret = ibv_modify_srq(srq, &sa, IBV_SRQ_LIMIT);
	s1 = S();
	report(ret == 0 && s1.modify_srq_cmds == s0.modify_srq_cmds + 1 &&
	       s1.last_srq_limit == 5 && s1.last_srq_mask == IBV_SRQ_LIMIT,
	       "ibv_modify_srq(IBV_SRQ_LIMIT 5) reaches the kernel");
	sa.max_wr = 64;
	s0 = S();
	ret = ibv_modify_srq(srq, &sa, IBV_SRQ_MAX_WR);
	s1 = S();
	report(ret == EINVAL && s1.cmds == s0.cmds,
	       "ibv_modify_srq(IBV_SRQ_MAX_WR): EINVAL without a command (ret %d)",
	       ret);
	memset(&sa, 0, sizeof(sa));
	ret = ibv_query_srq(srq, &sa);
	report(ret == 0 && sa.max_wr == 16 && sa.max_sge == 2 && sa.srq_limit == 5,
	       "ibv_query_srq (max_wr %u, max_sge %u, limit %u)", sa.max_wr,
	       sa.max_sge, sa.srq_limit);

	if (q) {
		ret = ibv_destroy_srq(srq);
		report(ret == EBUSY && ibv_post_srq_recv(srq, r, &bad) == 0,
		       "ibv_destroy_srq while a QP uses it: EBUSY, the SRQ still works (ret %d)",
		       ret);
		report(ibv_destroy_qp(q) == 0, "ibv_destroy_qp(SRQ user)");
	}
	report(ibv_destroy_srq(srq) == 0, "ibv_destroy_srq");
}

/* ---- poll_cq ---------------------------------------------------------------- */
static void mk_cqe(struct pcv_cqe *c, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	c->wr_id = 0x0123456789ab0000ULL + seed;
	c->status = (uint32_t)(seed % 3 ? IBV_WC_SUCCESS : IBV_WC_REM_ACCESS_ERR);
	c->opcode = (uint32_t)(seed & 1 ? IBV_WC_RECV_RDMA_WITH_IMM : IBV_WC_RDMA_READ);
	c->vendor_err = 0x70 + (uint32_t)seed;
	c->byte_len = 4096 + (uint32_t)seed;
	c->imm_data = htobe32(0xdead0000 + (uint32_t)seed);
	c->qp_num = 0x40 + (uint32_t)seed;
	c->src_qp = 0x123400 + (uint32_t)seed;
	c->wc_flags = IBV_WC_WITH_IMM | IBV_WC_GRH;
	c->pkey_index = (uint16_t)(3 + seed);
	c->slid = (uint16_t)(0x1200 + seed);
	c->sl = (uint8_t)(seed & 15);
	c->dlid_path_bits = (uint8_t)(0x50 + seed);
}

static int wc_matches(const struct ibv_wc *w, const struct pcv_cqe *c)
{
	int ok = w->wr_id == c->wr_id && (uint32_t)w->status == c->status &&
		 (uint32_t)w->opcode == c->opcode &&
		 w->vendor_err == c->vendor_err && w->byte_len == c->byte_len &&
		 w->imm_data == c->imm_data && w->qp_num == c->qp_num &&
		 w->src_qp == c->src_qp && w->wc_flags == c->wc_flags &&
		 w->pkey_index == c->pkey_index && w->slid == c->slid &&
		 w->sl == c->sl && w->dlid_path_bits == c->dlid_path_bits;

	if (!ok)
		diag("wc wr_id %#llx status %d opcode %d vendor_err %#x byte_len %u imm %#x qp %#x src %#x flags %#x pkey %u slid %#x sl %u dlid_bits %#x",
		     (unsigned long long)w->wr_id, w->status, w->opcode,
		     w->vendor_err, w->byte_len, w->imm_data, w->qp_num,
		     w->src_qp, w->wc_flags, w->pkey_index, w->slid, w->sl,
		     w->dlid_path_bits);
	return ok;
}

/* The kernel writes n CQEs at prod, then prod. */
static void kpush(const struct view *v, uint64_t seed, int n)
{
	uint32_t p = kprod(v);
	struct pcv_cqe c;

	for (int i = 0; i < n; i++) {
		mk_cqe(&c, seed + i);
		memcpy(slot(v, p + i), &c, sizeof(c));
	}
	set_kprod(v, p + n);
}

static void test_poll(void)
{
	struct ibv_wc wc[16];
	struct pcv_fake_stats s0, s1;
	struct pcv_cqe c;
	struct ibv_cq *pc;
	struct view v;
	int n, ok;

	pc = ibv_create_cq(ctx, 8, NULL, NULL, 0);
	if (!report(pc && !view_of(PCV_FAKE_RING_CQ, pc->handle, &v) &&
		    v.v.entries == 8, "ibv_create_cq(8)"))
		return;

	/* Every field, two different CQEs. */
	kpush(&v, 1, 2);
	s0 = S();
	memset(wc, 0, sizeof(wc));
	n = ibv_poll_cq(pc, 4, wc);
	s1 = S();
	mk_cqe(&c, 1);
	ok = n == 2 && wc_matches(&wc[0], &c);
	mk_cqe(&c, 2);
	ok = ok && wc_matches(&wc[1], &c);
	report(ok && kcons(&v) == 2 && s1.poll_cmds == s0.poll_cmds,
	       "poll_cq decodes every ibv_wc field of 2 CQEs, writes cons 2, no system call (n %d)",
	       n);

	/* A batch crossing the end of the ring, taken in two polls. */
	kpush(&v, 3, 5);		/* slots 2..6 */
	n = ibv_poll_cq(pc, 16, wc);
	report(n == 5 && wc[0].wr_id == c.wr_id + 1 &&
	       wc[4].wr_id == c.wr_id + 5 && kcons(&v) == 7,
	       "poll_cq takes 5 (n %d)", n);
	kpush(&v, 100, 6);		/* indices 7..12: slots 7, 0..4 */
	n = ibv_poll_cq(pc, 4, wc);
	ok = n == 4;
	for (int i = 0; ok && i < 4; i++) {
		mk_cqe(&c, 100 + i);
		ok = wc_matches(&wc[i], &c);
	}
	report(ok && kcons(&v) == 11,
	       "poll_cq(4) of 6 across the ring's wrap: the first 4 in order, cons 11 (n %d)",
	       n);
	n = ibv_poll_cq(pc, 16, wc);
	ok = n == 2;
	for (int i = 0; ok && i < 2; i++) {
		mk_cqe(&c, 104 + i);
		ok = wc_matches(&wc[i], &c);
	}
	report(ok && kcons(&v) == 13, "poll_cq: the other 2, cons 13 (n %d)", n);

	/* Empty: one POLL_CQ for 1 entry, then the ring once more. */
	s0 = S();
	n = ibv_poll_cq(pc, 16, wc);
	s1 = S();
	report(n == 0 && s1.poll_cmds == s0.poll_cmds + 1 && s1.last_poll_ne == 1,
	       "poll_cq on an empty ring: returns 0 after exactly one POLL_CQ kick for 1 entry (kicks %llu, ne %u)",
	       (unsigned long long)(s1.poll_cmds - s0.poll_cmds), s1.last_poll_ne);
	for (int i = 0; i < 3; i++) {
		mk_cqe(&c, 200 + i);
		fk.cq_push(pc->handle, &c, 1);
	}
	s0 = S();
	n = ibv_poll_cq(pc, 16, wc);
	s1 = S();
	mk_cqe(&c, 200);
	ok = n == 3 && wc_matches(&wc[0], &c);
	mk_cqe(&c, 202);
	ok = ok && wc_matches(&wc[2], &c);
	report(ok && s1.poll_cmds == s0.poll_cmds + 1,
	       "poll_cq: CQEs the kick made the kernel write are returned by the same call (n %d)",
	       n);
	s0 = S();
	n = ibv_poll_cq(pc, 0, wc);
	s1 = S();
	report(n == 0 && s1.cmds == s0.cmds, "poll_cq(0 entries): 0, no kick");

	/* The kernel hands a completion back through the system call. */
	setenv("PCV_FAKE_POLL_DIRECT", "1", 1);
	mk_cqe(&c, 300);
	fk.cq_push(pc->handle, &c, 1);
	n = ibv_poll_cq(pc, 16, wc);
	unsetenv("PCV_FAKE_POLL_DIRECT");
	report(n == 1 && wc_matches(&wc[0], &c),
	       "poll_cq: a completion returned by the POLL_CQ command itself is delivered (n %d)",
	       n);

	/* Broken or overflowed: what the ring holds first, then -1/EIO. */
	for (int f = 0; f < 2; f++) {
		uint32_t flag = f ? PCV_RING_F_OVERFLOW : PCV_RING_F_ERROR;

		kpush(&v, 400, 1);
		__atomic_store_n(&v.hdr->flags, flag, __ATOMIC_RELEASE);
		n = ibv_poll_cq(pc, 16, wc);
		mk_cqe(&c, 400);
		ok = n == 1 && wc_matches(&wc[0], &c);
		s0 = S();
		errno = 0;
		n = ibv_poll_cq(pc, 16, wc);
		s1 = S();
		report(ok && n == -1 && errno == EIO && s1.cmds == s0.cmds,
		       "poll_cq with %s: the queued CQE first, then -1/EIO without a kick (n %d, errno %d)",
		       f ? "PCV_RING_F_OVERFLOW" : "PCV_RING_F_ERROR", n, errno);
		__atomic_store_n(&v.hdr->flags, 0, __ATOMIC_RELEASE);
	}
	set_kprod(&v, kcons(&v) + 9);
	errno = 0;
	n = ibv_poll_cq(pc, 16, wc);
	report(n == -1 && errno == EIO && kcons(&v) == kprod(&v) - 9,
	       "poll_cq with prod 9 ahead of cons in an 8-entry ring: -1/EIO, nothing read (n %d)",
	       n);
	set_kprod(&v, kcons(&v));

	s0 = S();
	n = ibv_req_notify_cq(pc, 0);
	n |= ibv_req_notify_cq(pc, 1);
	s1 = S();
	report(n == 0 && s1.notify_cmds == s0.notify_cmds + 2 &&
	       s1.last_notify_solicited == 1,
	       "ibv_req_notify_cq(next), (solicited) reach the kernel");

	report(ibv_destroy_cq(pc) == 0, "ibv_destroy_cq");
}

/* ---- resize_cq ------------------------------------------------------------ */
static void test_resize(void)
{
	struct pcv_fake_stats s0, s1;
	struct ibv_wc wc[80];
	struct pcv_cqe c;
	struct ibv_cq *rc;
	struct view v, v2;
	int n, ret, ok;

	rc = ibv_create_cq(ctx, 8, NULL, NULL, 0);
	if (!report(rc && !view_of(PCV_FAKE_RING_CQ, rc->handle, &v),
		    "ibv_create_cq(8) for resize"))
		return;
	kpush(&v, 10, 6);
	n = ibv_poll_cq(rc, 3, wc);	/* cons 3: 3 left unpolled */
	s0 = S();
	ret = ibv_resize_cq(rc, 40);
	s1 = S();
	ok = !view_of(PCV_FAKE_RING_CQ, rc->handle, &v2);
	report(n == 3 && ret == 0 && rc->cqe == 40 && ok && v2.v.entries == 64 &&
	       v2.v.key != v.v.key && s1.live_maps == s0.live_maps &&
	       s1.maps_total == s0.maps_total + 1,
	       "ibv_resize_cq(40): cqe 40, new ring of 64 mapped, old one unmapped (maps %u -> %u)",
	       s0.live_maps, s1.live_maps);
	n = ibv_poll_cq(rc, 80, wc);
	ok = n == 3;
	for (int i = 0; ok && i < 3; i++) {
		mk_cqe(&c, 13 + i);
		ok = wc_matches(&wc[i], &c);
	}
	report(ok, "poll_cq after resize: the 3 unpolled CQEs, in order (n %d)", n);
	kpush(&v2, 50, 60);
	n = ibv_poll_cq(rc, 80, wc);
	report(n == 60 && wc[59].wr_id == 0x0123456789ab0000ULL + 109,
	       "poll_cq: 60 CQEs from the new ring (n %d)", n);

	/* An answer we cannot use: the CQ is dead until a good resize. */
	static const struct {
		const char *knob, *val, *what;
	} bad[] = {
		{ "PCV_FAKE_RESIZE_ENTRIES", "48", "48 entries" },
		{ "PCV_FAKE_RESIZE_BYTES", "16", "a short response" },
		{ "PCV_FAKE_RESIZE_SIZE", "8192", "a mapping too small" },
	};
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		s0 = S();
		setenv(bad[b].knob, bad[b].val, 1);
		ret = ibv_resize_cq(rc, 100);
		unsetenv(bad[b].knob);
		errno = 0;
		n = ibv_poll_cq(rc, 4, wc);
		s1 = S();
		report(ret == EPROTO && n == -1 && errno == EIO &&
		       s1.live_maps == s0.live_maps - 1,
		       "ibv_resize_cq answered with %s: EPROTO, old ring unmapped, poll_cq -1/EIO (ret %d, n %d)",
		       bad[b].what, ret, n);
		s0 = S();
		ret = ibv_resize_cq(rc, 30);
		n = ibv_poll_cq(rc, 4, wc);
		s1 = S();
		report(ret == 0 && n == 0 && rc->cqe == 30 &&
		       s1.live_maps == s0.live_maps + 1,
		       "a good ibv_resize_cq afterwards makes the CQ usable again (ret %d, n %d)",
		       ret, n);
	}
	ret = ibv_resize_cq(rc, FAKE_MAX_CQE + 1);
	n = ibv_poll_cq(rc, 4, wc);
	report(ret == EINVAL && n == 0,
	       "ibv_resize_cq refused by the kernel: its errno, the old ring stays in use (ret %d)",
	       ret);
	report(ibv_destroy_cq(rc) == 0, "ibv_destroy_cq(resized)");
}

/* ---- bad create responses ---------------------------------------------- */
struct badcase {
	const char *knob, *val, *what;
	int err;
};

static int no_leak(const struct pcv_fake_stats *a, const struct pcv_fake_stats *b)
{
	return a->live_cqs == b->live_cqs && a->live_qps == b->live_qps &&
	       a->live_srqs == b->live_srqs && a->live_rings == b->live_rings &&
	       a->live_maps == b->live_maps && a->live_ahs == b->live_ahs;
}

static void test_bad_responses(void)
{
	static const struct badcase cqc[] = {
		{ "PCV_FAKE_CQ_ENTRIES", "0", "0 entries", EPROTO },
		{ "PCV_FAKE_CQ_ENTRIES", "48", "48 entries (not a power of two)", EPROTO },
		{ "PCV_FAKE_CQ_ENTRIES", "64", "64 entries for a depth of 100", EPROTO },
		{ "PCV_FAKE_CQ_CQE", "50", "a depth of 50 for 100 asked", EPROTO },
		{ "PCV_FAKE_CQ_SIZE", "8192", "a mapping too small for 128 CQEs", EPROTO },
		{ "PCV_FAKE_CQ_KEY", "0x10001", "a key not page aligned", EPROTO },
		{ "PCV_FAKE_CQ_BYTES", "16", "a short driver response", EPROTO },
		{ "PCV_FAKE_CQ_BYTES", "20", "a driver response cut inside mmap_size", EPROTO },
		{ "PCV_FAKE_CQ_BYTES", "0", "no driver response", EPROTO },
		{ "PCV_FAKE_CQ_PROD", "1000", "a ring header with prod 1000, cons 0", EPROTO },
		{ "PCV_FAKE_CQ_KEY", "0x7fff0000", "a key that does not map", EINVAL },
	};
	static const struct badcase qpc[] = {
		{ "PCV_FAKE_QP_SQ_ENTRIES", "12", "12 SQ entries", EPROTO },
		{ "PCV_FAKE_QP_SQ_ENTRIES", "8", "8 SQ entries for 16 WRs", EPROTO },
		{ "PCV_FAKE_QP_SQ_ENTRIES", "0", "no SQ for 16 WRs", EPROTO },
		{ "PCV_FAKE_QP_RQ_ENTRIES", "0", "no RQ for 8 WRs", EPROTO },
		{ "PCV_FAKE_QP_RQ_ENTRIES", "6", "6 RQ entries", EPROTO },
		{ "PCV_FAKE_QP_MAX_INLINE", "193", "max_inline 193", EPROTO },
		{ "PCV_FAKE_QP_CAP_INLINE", "100", "max_inline_data 100 > max_inline 64", EPROTO },
		{ "PCV_FAKE_QP_CAP_SEND_SGE", "9", "9 send SGEs", EPROTO },
		{ "PCV_FAKE_QP_CAP_RECV_SGE", "32", "32 receive SGEs", EPROTO },
		{ "PCV_FAKE_QP_QPN", "0x999", "a qpn differing from the core response", EPROTO },
		{ "PCV_FAKE_QP_SQ_SIZE", "8000", "an SQ mapping too small", EPROTO },
		{ "PCV_FAKE_QP_RQ_SIZE", "4096", "an RQ mapping too small", EPROTO },
		{ "PCV_FAKE_QP_RQ_KEY", "0x20003", "an RQ key not page aligned", EPROTO },
		{ "PCV_FAKE_QP_BYTES", "48", "a short driver response", EPROTO },
		{ "PCV_FAKE_QP_BYTES", "52", "a driver response cut inside rq_mmap_size", EPROTO },
		{ "PCV_FAKE_QP_BYTES", "0", "no driver response", EPROTO },
		{ "PCV_FAKE_QP_RQ_KEY", "0x7fff0000", "an RQ key that does not map (after the SQ mapped)", EINVAL },
	};
	static const struct badcase srqc[] = {
		{ "PCV_FAKE_SRQ_ENTRIES", "0", "0 entries", EPROTO },
		{ "PCV_FAKE_SRQ_ENTRIES", "24", "24 entries", EPROTO },
		{ "PCV_FAKE_SRQ_ENTRIES", "8", "8 entries for 16 WRs", EPROTO },
		{ "PCV_FAKE_SRQ_SIZE", "4096", "a mapping too small", EPROTO },
		{ "PCV_FAKE_SRQ_BYTES", "16", "a short driver response", EPROTO },
		{ "PCV_FAKE_SRQ_BYTES", "20", "a driver response cut inside mmap_size", EPROTO },
		{ "PCV_FAKE_SRQ_MAX_SGE", "32", "32 SGEs", EPROTO },
	};
	struct pcv_fake_stats s0, s1;
	struct ibv_srq_init_attr ia;
	struct ibv_srq *srq;
	struct ibv_qp *q;
	struct ibv_cq *c;

	for (size_t i = 0; i < sizeof(cqc) / sizeof(cqc[0]); i++) {
		s0 = S();
		setenv(cqc[i].knob, cqc[i].val, 1);
		errno = 0;
		c = ibv_create_cq(ctx, 100, NULL, NULL, 0);
		unsetenv(cqc[i].knob);
		s1 = S();
		report(!c && errno == cqc[i].err && no_leak(&s0, &s1),
		       "create_cq answered with %s: %s, kernel CQ destroyed, nothing mapped (errno %d)",
		       cqc[i].what, strerror(cqc[i].err), errno);
		if (c)
			ibv_destroy_cq(c);
	}
	/* A QP with an SRQ must get no RQ. */
	memset(&ia, 0, sizeof(ia));
	ia.attr.max_wr = 4;
	ia.attr.max_sge = 1;
	srq = ibv_create_srq(pd, &ia);
	s0 = S();
	setenv("PCV_FAKE_QP_RQ_ENTRIES", "8", 1);
	errno = 0;
	q = srq ? mk_qp(IBV_QPT_RC, cq, srq, 4, 0, 1, 0, 0, 0, NULL) : NULL;
	unsetenv("PCV_FAKE_QP_RQ_ENTRIES");
	s1 = S();
	report(srq && !q && errno == EPROTO && no_leak(&s0, &s1),
	       "create_qp with an SRQ answered with 8 RQ entries: EPROTO, nothing leaked (errno %d)",
	       errno);
	if (q)
		ibv_destroy_qp(q);
	if (srq)
		ibv_destroy_srq(srq);

	for (size_t i = 0; i < sizeof(qpc) / sizeof(qpc[0]); i++) {
		s0 = S();
		setenv(qpc[i].knob, qpc[i].val, 1);
		errno = 0;
		q = mk_qp(IBV_QPT_RC, cq, NULL, 16, 8, 2, 2, 64, 0, NULL);
		unsetenv(qpc[i].knob);
		s1 = S();
		report(!q && errno == qpc[i].err && no_leak(&s0, &s1),
		       "create_qp answered with %s: %s, kernel QP destroyed, nothing mapped (errno %d)",
		       qpc[i].what, strerror(qpc[i].err), errno);
		if (q)
			ibv_destroy_qp(q);
	}
	for (size_t i = 0; i < sizeof(srqc) / sizeof(srqc[0]); i++) {
		memset(&ia, 0, sizeof(ia));
		ia.attr.max_wr = 16;
		ia.attr.max_sge = 2;
		s0 = S();
		setenv(srqc[i].knob, srqc[i].val, 1);
		errno = 0;
		srq = ibv_create_srq(pd, &ia);
		unsetenv(srqc[i].knob);
		s1 = S();
		report(!srq && errno == srqc[i].err && no_leak(&s0, &s1),
		       "create_srq answered with %s: %s, kernel SRQ destroyed, nothing mapped (errno %d)",
		       srqc[i].what, strerror(srqc[i].err), errno);
		if (srq)
			ibv_destroy_srq(srq);
	}
}

/* ---- MR, modify/query QP ------------------------------------------------- */
static void test_mr_qp_attr(void)
{
	static uint8_t region[8192];
	struct pcv_fake_stats s0, s1;
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qi;
	unsigned int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
			      IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_ATOMIC |
			      IBV_ACCESS_RELAXED_ORDERING;
	unsigned int want;
	struct ibv_mr *mr;
	int ret;

	s0 = S();
	mr = ibv_reg_mr(pd, region, sizeof(region), access);
	s1 = S();
	/* libibverbs passes the optional range (relaxed ordering) only to a
	 * kernel that announced it (IB_UVERBS_CORE_SUPPORT_OPTIONAL_MR_ACCESS
	 * at GET_CONTEXT, an ioctl-path attribute).
	 */
	want = ioctl_mode ? access : access & ~IBV_ACCESS_RELAXED_ORDERING;
	report(mr && mr->addr == region && mr->length == sizeof(region) &&
	       mr->lkey == FAKE_LKEY_BASE + mr->handle &&
	       mr->rkey == FAKE_RKEY_BASE + mr->handle && mr->pd == pd &&
	       s1.live_mrs == s0.live_mrs + 1 && s1.last_mr_access == want,
	       "ibv_reg_mr with IBV_ACCESS_RELAXED_ORDERING: accepted, keys from the kernel, kernel saw access %#x (%s)",
	       s1.last_mr_access,
	       ioctl_mode ? "relaxed ordering passed on" :
			    "libibverbs strips it for a kernel without OPTIONAL_MR_ACCESS");
	if (mr) {
		ret = ibv_dereg_mr(mr);
		s1 = S();
		report(ret == 0 && s1.live_mrs == s0.live_mrs, "ibv_dereg_mr");
	}

	memset(&qa, 0, sizeof(qa));
	qa.qp_state = IBV_QPS_INIT;
	qa.pkey_index = 0;
	qa.port_num = 1;
	qa.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	ret = ibv_modify_qp(qp, &qa, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			    IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	s1 = S();
	report(ret == 0 && s1.last_qp_state == IBV_QPS_INIT &&
	       s1.last_qp_mask == (IBV_QP_STATE | IBV_QP_PKEY_INDEX |
				   IBV_QP_PORT | IBV_QP_ACCESS_FLAGS) &&
	       qp->state == IBV_QPS_INIT,
	       "ibv_modify_qp(INIT) reaches the kernel");
	memset(&qa, 0, sizeof(qa));
	memset(&qi, 0, sizeof(qi));
	ret = ibv_query_qp(qp, &qa, IBV_QP_STATE | IBV_QP_CAP, &qi);
	report(ret == 0 && qa.qp_state == IBV_QPS_INIT &&
	       qi.cap.max_send_wr == 16 && qi.cap.max_inline_data == 64,
	       "ibv_query_qp (state %d, max_send_wr %u)", qa.qp_state,
	       qi.cap.max_send_wr);

	ret = ibv_destroy_cq(cq);
	report(ret == EBUSY, "ibv_destroy_cq while a QP uses it: EBUSY (ret %d)",
	       ret);
}

/* ---- two threads posting to one SQ -------------------------------------- */
#define NTHR	2
#define PER_THR	20000

static struct ibv_qp *cqp;

static void conc_wr(struct ibv_send_wr *w, struct ibv_sge *sg, int t,
		    uint32_t seq)
{
	uint64_t id = ((uint64_t)(t + 1) << 32) | seq;

	memset(w, 0, sizeof(*w));
	w->wr_id = id;
	switch (seq % 3) {
	case 0:
		w->opcode = IBV_WR_SEND;
		sg[0].addr = id * 64;
		sg[0].length = seq;
		sg[0].lkey = (uint32_t)id;
		sg[1].addr = ~id;
		sg[1].length = 7;
		sg[1].lkey = t;
		w->num_sge = 2;
		break;
	case 1:
		w->opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
		w->imm_data = htobe32(seq);
		w->wr.rdma.remote_addr = id << 3;
		w->wr.rdma.rkey = seq ^ 0x5a5a;
		sg[0].addr = id;
		sg[0].length = 1;
		sg[0].lkey = 9;
		w->num_sge = 1;
		break;
	default:
		w->opcode = IBV_WR_SEND;
		w->send_flags = IBV_SEND_INLINE | IBV_SEND_SIGNALED;
		sg[0].addr = (uintptr_t)&w->wr_id;	/* 8 bytes of the id */
		sg[0].length = 8;
		sg[0].lkey = 0;
		w->num_sge = 1;
		break;
	}
	w->sg_list = sg;
}

static void conc_expect(uint8_t e[256], uint64_t id)
{
	struct ibv_send_wr w;
	struct ibv_sge sg[2];
	uint32_t seq = (uint32_t)id, imm;
	int t = (int)(id >> 32) - 1;
	struct exp_sq x = { 0 };

	conc_wr(&w, sg, t, seq);
	x.wr_id = id;
	switch (seq % 3) {
	case 0:
		x.op = OP_SEND;
		x.nsge = 2;
		x.sge = sg;
		break;
	case 1:
		imm = htobe32(seq);
		x.op = OP_WRITE_IMM;
		x.imm = &imm;
		x.raddr = id << 3;
		x.rkey = seq ^ 0x5a5a;
		x.nsge = 1;
		x.sge = sg;
		build_sq(e, &x);
		return;
	default:
		x.op = OP_SEND;
		x.flags = F_INL | F_SIG;
		x.inl = (const uint8_t *)&id;
		x.inl_len = 8;
		break;
	}
	build_sq(e, &x);
}

struct conc_arg {
	int t;
	unsigned long calls_posted;	/* post_send calls that posted >= 1 */
	unsigned long enomem;
	int errors;
};

static void *conc_thread(void *p)
{
	struct conc_arg *a = p;
	struct ibv_send_wr w[4], *bad;
	struct ibv_sge sg[4][2];
	uint32_t seq = 0, lcg = 12345u + a->t;

	while (seq < PER_THR) {
		int n, ret;

		lcg = lcg * 1103515245u + 12345u;
		n = 1 + (lcg >> 16) % 4;
		if (seq + n > PER_THR)
			n = PER_THR - seq;
		for (int i = 0; i < n; i++)
			conc_wr(&w[i], sg[i], a->t, seq + i);
		chain(w, n);
		bad = NULL;
		ret = ibv_post_send(cqp, w, &bad);
		if (ret == 0) {
			seq += n;
			a->calls_posted++;
		} else if (ret == ENOMEM && bad) {
			int done = (int)(bad - w);

			seq += done;
			a->calls_posted += done > 0;
			a->enomem++;
			sched_yield();
		} else {
			a->errors++;
			break;
		}
	}
	return NULL;
}

/* The kernel's SQ engine, running on its own: drains whatever has been
 * published, now and then, so that the posters also meet a full queue.
 */
static int posters_done;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static void *sq_engine(void *p)
{
	(void)p;
	while (!LOAD(posters_done)) {
		fk.sq_drain(cqp->handle);
		for (int i = 0; i < 4; i++)
			sched_yield();
	}
	fk.sq_drain(cqp->handle);
	return NULL;
}

static void test_concurrency(void)
{
	struct conc_arg args[NTHR];
	pthread_t th[NTHR], eng;
	const struct pcv_sq_wqe *log;
	uint32_t next[NTHR] = { 0 };
	unsigned long calls = 0, enomem = 0;
	uint64_t k0;
	size_t n;
	int bad_order = 0, bad_bytes = 0, errors = 0;
	uint8_t e[256];

	cqp = mk_qp(IBV_QPT_RC, cq, NULL, 64, 1, 2, 1, 32, 0, NULL);
	if (!report(cqp != NULL, "ibv_create_qp(RC, 64-entry SQ) for two posting threads"))
		return;
	k0 = fk.qp_kicks(cqp->handle);
	STORE(posters_done, 0);
	pthread_create(&eng, NULL, sq_engine, NULL);
	for (int t = 0; t < NTHR; t++) {
		memset(&args[t], 0, sizeof(args[t]));
		args[t].t = t;
		pthread_create(&th[t], NULL, conc_thread, &args[t]);
	}
	for (int t = 0; t < NTHR; t++) {
		pthread_join(th[t], NULL);
		calls += args[t].calls_posted;
		enomem += args[t].enomem;
		errors += args[t].errors;
	}
	STORE(posters_done, 1);
	pthread_join(eng, NULL);
	n = fk.sq_log(cqp->handle, &log);
	for (size_t i = 0; i < n; i++) {
		uint64_t id = log[i].wr_id;
		int t = (int)(id >> 32) - 1;

		if (t < 0 || t >= NTHR || (uint32_t)id != next[t]) {
			bad_order++;
			continue;
		}
		next[t]++;
		conc_expect(e, id);
		if (memcmp(&log[i], e, 256))
			bad_bytes++;
	}
	report(errors == 0 && n == NTHR * PER_THR && bad_order == 0 &&
	       next[0] == PER_THR && next[1] == PER_THR,
	       "2 threads x %d WRs through a 64-entry SQ drained by a third (the kernel): every WQE reached the kernel once, each thread's in order (%zu WQEs, %lu full-queue retries)",
	       PER_THR, n, enomem);
	report(bad_bytes == 0,
	       "2 threads: every WQE intact byte for byte (%d damaged)", bad_bytes);
	report(fk.qp_kicks(cqp->handle) - k0 == calls,
	       "2 threads: exactly one doorbell per post_send call that posted (%llu doorbells, %lu calls)",
	       (unsigned long long)(fk.qp_kicks(cqp->handle) - k0), calls);
	report(ibv_destroy_qp(cqp) == 0, "ibv_destroy_qp(concurrent)");
}

/* ---- poll_cq while another thread resizes --------------------------------- */
#define NCQE	20000

static struct ibv_cq *rcq;
static int stop_push;

static void *pusher(void *p)
{
	struct pcv_cqe c;

	(void)p;
	for (uint32_t i = 0; i < NCQE && !LOAD(stop_push);) {
		memset(&c, 0, sizeof(c));
		c.wr_id = i;
		c.byte_len = i;
		if (fk.cq_push(rcq->handle, &c, 0) == 0)
			i++;
		else
			sched_yield();
	}
	return NULL;
}

struct poll_arg {
	uint32_t got;
	int disorder, errors;
};

static void *poller(void *p)
{
	struct poll_arg *a = p;
	struct ibv_wc wc[8];

	while (LOAD(a->got) < NCQE) {
		int n = ibv_poll_cq(rcq, 8, wc);

		if (n < 0) {
			STORE(a->errors, a->errors + 1);
			break;
		}
		for (int i = 0; i < n; i++) {
			uint32_t got = LOAD(a->got);

			if (wc[i].wr_id != got || wc[i].byte_len != got)
				a->disorder++;
			STORE(a->got, got + 1);
		}
		if (!n)
			sched_yield();
	}
	return NULL;
}

static void test_poll_vs_resize(void)
{
	static const int sizes[] = { 16, 64, 256, 32 };
	struct poll_arg pa = { 0 };
	pthread_t tp, tq;
	int resizes = 0, refused = 0, other = 0;

	rcq = ibv_create_cq(ctx, 16, NULL, NULL, 0);
	if (!report(rcq != NULL, "ibv_create_cq for poll-vs-resize"))
		return;
	pthread_create(&tp, NULL, pusher, NULL);
	pthread_create(&tq, NULL, poller, &pa);
	for (int i = 0; i < 400 && LOAD(pa.got) < NCQE && !LOAD(pa.errors); i++) {
		int ret = ibv_resize_cq(rcq, sizes[i % 4]);

		if (ret == 0)
			resizes++;
		else if (ret == EINVAL)
			refused++;	/* more queued than the new size holds */
		else
			other++;
	}
	pthread_join(tq, NULL);
	STORE(stop_push, 1);
	pthread_join(tp, NULL);
	report(pa.errors == 0 && other == 0 && pa.got == NCQE && pa.disorder == 0 &&
	       resizes > 0,
	       "poll_cq in one thread while another resizes (%d resizes, %d refused): all %d CQEs once, in order, no error",
	       resizes, refused, NCQE);
	report(ibv_destroy_cq(rcq) == 0, "ibv_destroy_cq(poll-vs-resize)");
}

/* ---- which system call carried each command ---------------------------- */
static void test_transports(void)
{
	static const struct {
		const char *verb, *ioctl_via;
	} t[] = {
		{ "GET_CONTEXT", "ioctl GET_CONTEXT" },
		{ "ALLOC_PD", "ioctl INVOKE_WRITE" },
		{ "DEALLOC_PD", "ioctl PD_DESTROY" },
		{ "CREATE_CQ", "ioctl CQ_CREATE" },
		{ "RESIZE_CQ", "ioctl INVOKE_WRITE" },
		{ "POLL_CQ", "ioctl INVOKE_WRITE" },
		{ "REQ_NOTIFY_CQ", "ioctl INVOKE_WRITE" },
		{ "DESTROY_CQ", "ioctl CQ_DESTROY" },
		{ "CREATE_QP", "ioctl QP_CREATE" },
		{ "MODIFY_QP", "ioctl INVOKE_WRITE" },
		{ "QUERY_QP", "ioctl INVOKE_WRITE" },
		{ "POST_SEND", "ioctl INVOKE_WRITE" },
		{ "DESTROY_QP", "ioctl QP_DESTROY" },
		{ "CREATE_SRQ", "ioctl SRQ_CREATE" },
		{ "MODIFY_SRQ", "ioctl INVOKE_WRITE" },
		{ "QUERY_SRQ", "ioctl INVOKE_WRITE" },
		{ "DESTROY_SRQ", "ioctl SRQ_DESTROY" },
		{ "REG_MR", "ioctl INVOKE_WRITE" },
		{ "DEREG_MR", "ioctl MR_DESTROY" },
		{ "CREATE_AH", "ioctl INVOKE_WRITE" },
		{ "DESTROY_AH", "ioctl AH_DESTROY" },
		{ "ATTACH_MCAST", "ioctl INVOKE_WRITE" },
		{ "DETACH_MCAST", "ioctl INVOKE_WRITE" },
	};
	struct pcv_fake_stats s = S();
	int bad = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *via = fk.transport(t[i].verb);
		const char *want = ioctl_mode ? t[i].ioctl_via : "write()";

		diag("%-14s arrived by %s", t[i].verb, via ? via : "(never sent)");
		if (!via || strcmp(via, want)) {
			diag("  expected %s", want);
			bad++;
		}
	}
	report(bad == 0,
	       "every verb arrived the way libibverbs v44 sends it to a %s kernel",
	       ioctl_mode ? "6.1 (ioctl)" : "write()-only");
	report(s.send_with_wrs == 0 && s.recv_cmds == 0 &&
	       !fk.transport("POST_RECV") && !fk.transport("POST_SRQ_RECV"),
	       "no POST_SEND ever carried a WR, no POST_RECV / POST_SRQ_RECV was ever sent");
}

int main(int argc, char **argv)
{
	struct ibv_device **list, **d;
	struct pcv_fake_stats s;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DEV ioctl|write\n", argv[0]);
		return 2;
	}
	ioctl_mode = strcmp(argv[2], "ioctl") == 0;
	if (getenv("PCV_TEST_TAG"))
		tag = getenv("PCV_TEST_TAG");
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!report(fake_bind(), "fake kernel's test interface found (LD_PRELOAD fake_uverbs.so)"))
		return 1;
	list = ibv_get_device_list(NULL);
	for (d = list; d && *d && strcmp((*d)->name, argv[1]); d++)
		;
	if (!report(d && *d, "%s is listed", argv[1]))
		return 1;
	dev = *d;
	ctx = ibv_open_device(dev);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!report(ctx && pd, "ibv_open_device + ibv_alloc_pd"))
		return 1;

	if (test_create() == 0) {
		test_encoding();
		test_lists();
		test_qp_kinds();
		test_reset();
		test_recv();
		test_ud();
		test_srq();
		test_poll();
		test_resize();
		test_bad_responses();
		test_mr_qp_attr();
		test_concurrency();
		test_poll_vs_resize();
		report(ibv_destroy_qp(qp) == 0 && ibv_destroy_cq(cq) == 0,
		       "ibv_destroy_qp, ibv_destroy_cq");
	}
	report(ibv_dealloc_pd(pd) == 0, "ibv_dealloc_pd");
	test_transports();
	s = S();
	report(s.live_cqs == 0 && s.live_qps == 0 && s.live_srqs == 0 &&
	       s.live_mrs == 0 && s.live_pds == 0 && s.live_rings == 0 &&
	       s.live_maps == 0 && s.live_ahs == 0 && s.live_mcast == 0,
	       "everything destroyed: no kernel object, ring or mapping left (cq %u qp %u srq %u mr %u pd %u ah %u mcast %u rings %u maps %u)",
	       s.live_cqs, s.live_qps, s.live_srqs, s.live_mrs, s.live_pds,
	       s.live_ahs, s.live_mcast, s.live_rings, s.live_maps);
	report(ibv_close_device(ctx) == 0, "ibv_close_device");
	ibv_free_device_list(list);
	return failures ? 1 : 0;
}
