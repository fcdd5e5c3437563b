// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Verbs helpers: device, connections (PD, CQs, QPs, SRQ, the RESET -> RTS
 * walk), registered buffers, posting, completion waits and data patterns.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <arpa/inet.h>
#include "conform.h"

/* ---- device ---------------------------------------------------------------------- */
int dev_open(struct dev *d)
{
	struct ibv_device **list;
	int i, n;

	list = ibv_get_device_list(&n);
	if (!list) {
		fprintf(stderr, "no RDMA devices: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), d->name))
			break;
	if (i == n) {
		fprintf(stderr, "device %s not found\n", d->name);
		ibv_free_device_list(list);
		return -1;
	}
	d->ctx = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	if (!d->ctx) {
		fprintf(stderr, "cannot open %s: %s\n", d->name, strerror(errno));
		return -1;
	}
	if (ibv_query_device(d->ctx, &d->attr) || ibv_query_port(d->ctx, d->port, &d->pattr)) {
		fprintf(stderr, "cannot query %s port %d\n", d->name, d->port);
		return -1;
	}
	d->is_eth = d->pattr.link_layer == IBV_LINK_LAYER_ETHERNET;
	d->is_rxe = !strncmp(d->name, "rxe", 3);
	if (d->gidx == -2) {
		/* default: IB by LID; RoCE: the first IPv4-mapped GID */
		d->gidx = -1;
		if (d->is_eth) {
			d->gidx = 0;
			for (i = 0; i < d->pattr.gid_tbl_len && i < 16; i++) {
				union ibv_gid g;

				if (ibv_query_gid(d->ctx, d->port, i, &g))
					continue;
				if (!memcmp(g.raw, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
					d->gidx = i;
					break;
				}
			}
		}
	}
	memset(&d->gid, 0, sizeof(d->gid));
	if (d->gidx >= 0 && ibv_query_gid(d->ctx, d->port, d->gidx, &d->gid)) {
		fprintf(stderr, "cannot read GID %d\n", d->gidx);
		return -1;
	}
	return 0;
}

void dev_close(struct dev *d)
{
	if (d->ctx)
		ibv_close_device(d->ctx);
	d->ctx = NULL;
}

const char *wc_status_name(int s)
{
	return ibv_wc_status_str((enum ibv_wc_status)s);
}

const char *wc_opcode_name(int o)
{
	switch (o) {
	case IBV_WC_SEND: return "SEND";
	case IBV_WC_RDMA_WRITE: return "RDMA_WRITE";
	case IBV_WC_RDMA_READ: return "RDMA_READ";
	case IBV_WC_COMP_SWAP: return "COMP_SWAP";
	case IBV_WC_FETCH_ADD: return "FETCH_ADD";
	case IBV_WC_BIND_MW: return "BIND_MW";
	case IBV_WC_RECV: return "RECV";
	case IBV_WC_RECV_RDMA_WITH_IMM: return "RECV_RDMA_WITH_IMM";
	default: return "?";
	}
}

const char *qp_state_name(int s)
{
	static const char *const n[] = { "RESET", "INIT", "RTR", "RTS", "SQD", "SQE", "ERR" };

	return s >= 0 && s < 7 ? n[s] : "?";
}

/* ---- connections -------------------------------------------------------------------- */
void qp_opts_default(struct ctx *c, struct qp_opts *o)
{
	(void)c;
	memset(o, 0, sizeof(*o));
	o->type = IBV_QPT_RC;
	o->nqp = 1;
	o->sq = 64;
	o->rq = 64;
	o->ssge = 5;
	o->rsge = 4;
	o->inl = 64;
	o->sig_all = 1;
	o->cqe = 256;
	o->min_rnr_timer = 12;	/* 0.64 ms */
	o->rnr_retry = 7;	/* infinite */
	o->retry_cnt = 7;
	o->timeout = 18;	/* 1.07 s: no spurious retransmissions on a loaded host (rxe) */
	o->max_rd_atomic = 4;
	o->max_dest_rd_atomic = 4;
	o->access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
}

static uint32_t rnd24(struct ctx *c, int i)
{
	return (uint32_t)(mix64(c->seed ^ ((uint64_t)c->case_no << 32) ^ (uint64_t)i ^
				((uint64_t)c->role << 20)) & 0xffffff);
}

bool conn_create(struct ctx *c, struct conn *cn, const struct qp_opts *o)
{
	struct dev *d = c->dev;
	int i, cqe;

	memset(cn, 0, sizeof(*cn));
	cn->c = c;
	cn->o = *o;
	if (o->max_rd_atomic > (int)d->attr.max_qp_init_rd_atom)
		cn->o.max_rd_atomic = d->attr.max_qp_init_rd_atom;
	if (o->max_dest_rd_atomic > (int)d->attr.max_qp_rd_atom)
		cn->o.max_dest_rd_atomic = d->attr.max_qp_rd_atom;
	cn->pd = ibv_alloc_pd(d->ctx);
	if (!cn->pd)
		return fail(c, "ibv_alloc_pd: %s", strerror(errno));
	if (o->channel) {
		cn->chan = ibv_create_comp_channel(d->ctx);
		if (!cn->chan)
			return fail(c, "ibv_create_comp_channel: %s", strerror(errno));
	}
	cqe = o->cqe;
	cn->scq = ibv_create_cq(d->ctx, cqe, cn, cn->chan, 0);
	if (!cn->scq)
		return fail(c, "ibv_create_cq(%d): %s", cqe, strerror(errno));
	if (o->separate_cq) {
		cn->rcq = ibv_create_cq(d->ctx, cqe, cn, cn->chan, 0);
		if (!cn->rcq)
			return fail(c, "ibv_create_cq(%d): %s", cqe, strerror(errno));
	} else {
		cn->rcq = cn->scq;
	}
	if (o->srq_wr) {
		struct ibv_srq_init_attr sa = {
			.attr = { .max_wr = o->srq_wr, .max_sge = o->srq_sge ? o->srq_sge : 1 },
		};

		cn->srq = ibv_create_srq(cn->pd, &sa);
		if (!cn->srq)
			return fail(c, "ibv_create_srq(%d): %s", o->srq_wr, strerror(errno));
	}
	for (i = 0; i < o->nqp; i++) {
		struct ibv_qp_init_attr qa = {
			.send_cq = cn->scq,
			.recv_cq = cn->rcq,
			.srq = cn->srq,
			.cap = {
				.max_send_wr = o->sq,
				.max_recv_wr = cn->srq ? 0 : o->rq,
				.max_send_sge = o->ssge,
				.max_recv_sge = cn->srq ? 0 : o->rsge,
				.max_inline_data = o->inl,
			},
			.qp_type = o->type,
			.sq_sig_all = o->sig_all,
		};

		cn->qp[i] = ibv_create_qp(cn->pd, &qa);
		if (!cn->qp[i])
			return fail(c, "ibv_create_qp(%s sq %d rq %d sge %d/%d inline %d): %s",
				    o->type == IBV_QPT_RC ? "RC" : "UC", o->sq, o->rq, o->ssge,
				    o->rsge, o->inl, strerror(errno));
		cn->psn[i] = o->sq_psn ? o->sq_psn : rnd24(c, i);
		if (!qp_to_init(cn, cn->qp[i]))
			return false;
	}
	return true;
}

void conn_expose(struct conn *cn, struct buf *b)
{
	if (cn->nexp < MAXMR)
		cn->exp[cn->nexp++] = b;
}

bool qp_to_init(struct conn *cn, struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.pkey_index = 0,
		.port_num = cn->c->dev->port,
		.qp_access_flags = cn->o.access,
	};
	int r = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			      IBV_QP_ACCESS_FLAGS);

	if (r)
		return fail(cn->c, "modify QP 0x%x RESET->INIT: %s", qp->qp_num, strerror(r));
	return true;
}

static void fill_ah(struct conn *cn, struct ibv_ah_attr *ah)
{
	struct dev *d = cn->c->dev;

	memset(ah, 0, sizeof(*ah));
	ah->dlid = cn->r.lid;
	ah->port_num = d->port;
	if (d->gidx >= 0) {
		ah->is_global = 1;
		memcpy(ah->grh.dgid.raw, cn->r.gid, 16);
		ah->grh.sgid_index = d->gidx;
		ah->grh.hop_limit = 1;
	}
}

bool qp_to_rtr(struct conn *cn, struct ibv_qp *qp, uint32_t rqpn, uint32_t rpsn)
{
	struct dev *d = cn->c->dev;
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_RTR };
	int mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN;
	int r;

	fill_ah(cn, &a.ah_attr);
	a.path_mtu = cn->o.mtu ? (enum ibv_mtu)cn->o.mtu :
		     (enum ibv_mtu)(d->pattr.active_mtu < cn->r.mtu ? d->pattr.active_mtu :
				    cn->r.mtu);
	a.dest_qp_num = rqpn;
	a.rq_psn = rpsn;
	if (cn->o.type == IBV_QPT_RC) {
		a.max_dest_rd_atomic = cn->o.max_dest_rd_atomic;
		a.min_rnr_timer = cn->o.min_rnr_timer;
		mask |= IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	}
	r = ibv_modify_qp(qp, &a, mask);
	if (r)
		return fail(cn->c, "modify QP 0x%x INIT->RTR (dqpn 0x%x dlid %u mtu %d): %s",
			    qp->qp_num, rqpn, cn->r.lid, a.path_mtu, strerror(r));
	return true;
}

bool qp_to_rts(struct conn *cn, struct ibv_qp *qp, uint32_t psn)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_RTS, .sq_psn = psn };
	int mask = IBV_QP_STATE | IBV_QP_SQ_PSN;
	int r;

	if (cn->o.type == IBV_QPT_RC) {
		a.timeout = cn->o.timeout;
		a.retry_cnt = cn->o.retry_cnt;
		a.rnr_retry = cn->o.rnr_retry;
		a.max_rd_atomic = cn->o.max_rd_atomic;
		mask |= IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			IBV_QP_MAX_QP_RD_ATOMIC;
	}
	r = ibv_modify_qp(qp, &a, mask);
	if (r)
		return fail(cn->c, "modify QP 0x%x RTR->RTS: %s", qp->qp_num, strerror(r));
	return true;
}

static void info_out(struct conn *cn, struct rinfo *w)
{
	struct dev *d = cn->c->dev;
	int i;

	memset(w, 0, sizeof(*w));
	w->lid = htole32(d->pattr.lid);
	w->nqp = htole32(cn->o.nqp);
	w->mtu = htole32(d->pattr.active_mtu);
	w->nmr = htole32(cn->nexp);
	memcpy(w->gid, d->gid.raw, 16);
	for (i = 0; i < cn->o.nqp; i++) {
		w->qpn[i] = htole32(cn->qp[i]->qp_num);
		w->psn[i] = htole32(cn->psn[i]);
	}
	for (i = 0; i < cn->nexp; i++) {
		w->addr[i] = htole64((uintptr_t)cn->exp[i]->p);
		w->len[i] = htole64(cn->exp[i]->len);
		w->rkey[i] = htole32(cn->exp[i]->mr ? cn->exp[i]->mr->rkey : 0);
	}
	if (cn->srq) {
		uint32_t n = 0;

		ibv_get_srq_num(cn->srq, &n);
		w->srqn = htole32(n);
	}
}

static void info_in(struct rinfo *r, const struct rinfo *w)
{
	int i;

	*r = *w;
	r->lid = le32toh(w->lid);
	r->nqp = le32toh(w->nqp);
	r->mtu = le32toh(w->mtu);
	r->nmr = le32toh(w->nmr);
	for (i = 0; i < MAXQP; i++) {
		r->qpn[i] = le32toh(w->qpn[i]);
		r->psn[i] = le32toh(w->psn[i]);
	}
	for (i = 0; i < MAXMR; i++) {
		r->addr[i] = le64toh(w->addr[i]);
		r->len[i] = le64toh(w->len[i]);
		r->rkey[i] = le32toh(w->rkey[i]);
	}
	r->srqn = le32toh(w->srqn);
}

/* Exchange addresses, keys and QP numbers; QP i connects to the peer's QP i. */
bool conn_connect(struct conn *cn, uint32_t step)
{
	struct ctx *c = cn->c;
	struct rinfo out, in;
	int i;

	if (FAILED(c))
		return false;
	info_out(cn, &out);
	if (!xchg(c, step, &out, &in, sizeof(out)))
		return false;
	info_in(&cn->r, &in);
	if ((int)cn->r.nqp < cn->o.nqp)
		return fail(c, "peer has %u QPs, need %d", cn->r.nqp, cn->o.nqp);
	for (i = 0; i < cn->o.nqp; i++) {
		if (!qp_to_rtr(cn, cn->qp[i], cn->r.qpn[i], cn->r.psn[i]) ||
		    !qp_to_rts(cn, cn->qp[i], cn->psn[i]))
			return false;
	}
	/* both sides in RTS before anyone sends */
	return sync_step(c, step + 1);
}

void conn_destroy(struct conn *cn)
{
	int i;

	for (i = 0; i < MAXQP; i++)
		if (cn->qp[i])
			ibv_destroy_qp(cn->qp[i]);
	if (cn->srq)
		ibv_destroy_srq(cn->srq);
	if (cn->cq_events && cn->scq)
		ibv_ack_cq_events(cn->scq, cn->cq_events);
	if (cn->rcq && cn->rcq != cn->scq)
		ibv_destroy_cq(cn->rcq);
	if (cn->scq)
		ibv_destroy_cq(cn->scq);
	if (cn->chan)
		ibv_destroy_comp_channel(cn->chan);
	/* buffers are owned by the case; their MRs must be gone before the PD */
	if (cn->pd && ibv_dealloc_pd(cn->pd))
		note(cn->c, "ibv_dealloc_pd failed (MRs left?)");
	memset(cn, 0, sizeof(*cn));
}

/* ---- buffers ------------------------------------------------------------------------ */
bool buf_alloc_pd(struct ctx *c, struct ibv_pd *pd, struct buf *b, size_t len, int access)
{
	size_t sz = len < 64 ? 64 : (len + 4095) & ~(size_t)4095;

	memset(b, 0, sizeof(*b));
	if (posix_memalign((void **)&b->p, 4096, sz))
		return fail(c, "out of memory (%zu)", sz);
	memset(b->p, 0, sz);
	b->len = len;
	if (pd) {
		b->mr = ibv_reg_mr(pd, b->p, len ? len : 1, access);
		if (!b->mr) {
			int e = errno;

			free(b->p);
			b->p = NULL;
			return fail(c, "ibv_reg_mr(%zu bytes, access 0x%x): %s", len, access,
				    strerror(e));
		}
	}
	return true;
}

bool buf_alloc(struct conn *cn, struct buf *b, size_t len, int access)
{
	return buf_alloc_pd(cn->c, cn->pd, b, len, access);
}

void buf_free(struct buf *b)
{
	if (b->mr)
		ibv_dereg_mr(b->mr);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int qp_state(struct ibv_qp *qp)
{
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr ia;

	if (ibv_query_qp(qp, &a, IBV_QP_STATE, &ia))
		return -1;
	return a.qp_state;
}

bool expect_qp_state(struct ctx *c, struct ibv_qp *qp, int state, const char *what)
{
	int s = qp_state(qp);

	if (s != state)
		return fail(c, "%s: QP 0x%x state %s, expected %s", what, qp->qp_num,
			    s < 0 ? "(query failed)" : qp_state_name(s), qp_state_name(state));
	return true;
}

/* ---- posting ------------------------------------------------------------------------ */
bool post_send(struct ctx *c, struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id,
	       struct buf *b, size_t off, uint32_t len, int flags,
	       uint64_t raddr, uint32_t rkey, uint32_t imm)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(b->p + off),
		.length = len,
		.lkey = b->mr ? b->mr->lkey : 0,
	};
	struct ibv_send_wr wr = {
		.wr_id = wr_id,
		.sg_list = &sge,
		.num_sge = len ? 1 : 0,
		.opcode = op,
		.send_flags = flags,
		.imm_data = htonl(imm),
	}, *bad = NULL;
	int r;

	wr.wr.rdma.remote_addr = raddr;
	wr.wr.rdma.rkey = rkey;
	r = ibv_post_send(qp, &wr, &bad);
	if (r)
		return fail(c, "ibv_post_send(opcode %d, %u bytes, flags 0x%x): %s", op, len,
			    flags, strerror(r));
	return true;
}

bool post_atomic(struct ctx *c, struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id,
		 struct buf *res, size_t off, uint64_t raddr, uint32_t rkey,
		 uint64_t cmp_add, uint64_t swap, int flags)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(res->p + off),
		.length = 8,
		.lkey = res->mr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = wr_id,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = op,
		.send_flags = flags,
	}, *bad = NULL;
	int r;

	wr.wr.atomic.remote_addr = raddr;
	wr.wr.atomic.rkey = rkey;
	wr.wr.atomic.compare_add = cmp_add;
	wr.wr.atomic.swap = swap;
	r = ibv_post_send(qp, &wr, &bad);
	if (r)
		return fail(c, "ibv_post_send(atomic %d): %s", op, strerror(r));
	return true;
}

bool post_recv(struct ctx *c, struct ibv_qp *qp, uint64_t wr_id, struct buf *b, size_t off,
	       uint32_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(b->p + off),
		.length = len,
		.lkey = b->mr ? b->mr->lkey : 0,
	};
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad = NULL;
	int r = ibv_post_recv(qp, &wr, &bad);

	if (r)
		return fail(c, "ibv_post_recv(%u bytes): %s", len, strerror(r));
	return true;
}

bool post_srq_recv(struct ctx *c, struct ibv_srq *srq, uint64_t wr_id, struct buf *b,
		   size_t off, uint32_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)(b->p + off),
		.length = len,
		.lkey = b->mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad = NULL;
	int r = ibv_post_srq_recv(srq, &wr, &bad);

	if (r)
		return fail(c, "ibv_post_srq_recv(%u bytes): %s", len, strerror(r));
	return true;
}

/* ---- completions ---------------------------------------------------------------------- */
void spin_pause(unsigned long *n)
{
	if (++*n < 2000)
		return;
	if (*n < 20000)
		sched_yield();
	else
		usleep(200);
}

int wait_wc(struct ctx *c, struct ibv_cq *cq, int n, struct ibv_wc *wc, int tmo_ms,
	    const char *what)
{
	uint64_t deadline = now_ms() + (tmo_ms ? tmo_ms : c->tmo_ms), next_chk = 0;
	unsigned long spins = 0;
	int got = 0;

	if (FAILED(c))
		return 0;
	while (got < n) {
		int r = ibv_poll_cq(cq, n - got, wc + got);

		if (r < 0) {
			fail(c, "%s: ibv_poll_cq returned %d", what, r);
			return got;
		}
		if (r) {
			got += r;
			spins = 0;
			continue;
		}
		spin_pause(&spins);
		if (spins % 64 == 0) {
			uint64_t t = now_ms();

			if (t > deadline) {
				fail(c, "%s: %d of %d completions after %d ms", what, got, n,
				     tmo_ms ? tmo_ms : c->tmo_ms);
				return got;
			}
			if (t >= next_chk) {
				check_abort(c);
				if (FAILED(c))
					return got;
				next_chk = t + 20;
			}
		}
	}
	return got;
}

int poll_quiet(struct ibv_cq *cq, int n, struct ibv_wc *wc, int ms)
{
	uint64_t deadline = now_ms() + ms;
	unsigned long spins = 0;
	int got = 0;

	do {
		int r = ibv_poll_cq(cq, n - got, wc + got);

		if (r < 0)
			return got;
		got += r;
		if (got >= n)
			break;
		spin_pause(&spins);
	} while (now_ms() < deadline);
	return got;
}

bool expect_no_wc(struct ctx *c, struct ibv_cq *cq, int ms, const char *what)
{
	uint64_t deadline = now_ms() + ms;
	struct ibv_wc wc;
	unsigned long spins = 0;

	do {
		int r = ibv_poll_cq(cq, 1, &wc);

		if (r < 0)
			return fail(c, "%s: ibv_poll_cq returned %d", what, r);
		if (r)
			return fail(c, "%s: unexpected completion wr_id 0x%llx status %s opcode %s",
				    what, (unsigned long long)wc.wr_id, wc_status_name(wc.status),
				    wc_opcode_name(wc.opcode));
		spin_pause(&spins);
	} while (now_ms() < deadline);
	return true;
}

bool check_wc(struct ctx *c, const struct ibv_wc *wc, uint64_t wr_id, int status, int opcode,
	      struct ibv_qp *qp, const char *what)
{
	if (wc->wr_id != wr_id)
		return fail(c, "%s: completion wr_id 0x%llx, expected 0x%llx (status %s)", what,
			    (unsigned long long)wc->wr_id, (unsigned long long)wr_id,
			    wc_status_name(wc->status));
	if ((int)wc->status != status)
		return fail(c, "%s: wr_id 0x%llx status %s (%d), expected %s", what,
			    (unsigned long long)wr_id, wc_status_name(wc->status), wc->status,
			    wc_status_name(status));
	/* opcode is only defined for successful completions */
	if (status == IBV_WC_SUCCESS && opcode >= 0 && (int)wc->opcode != opcode)
		return fail(c, "%s: wr_id 0x%llx opcode %s (%d), expected %s", what,
			    (unsigned long long)wr_id, wc_opcode_name(wc->opcode), wc->opcode,
			    wc_opcode_name(opcode));
	if (qp && wc->qp_num != qp->qp_num)
		return fail(c, "%s: wr_id 0x%llx qp_num 0x%x, expected 0x%x", what,
			    (unsigned long long)wr_id, wc->qp_num, qp->qp_num);
	return true;
}

bool check_status(struct ctx *c, const struct ibv_wc *wc, int spec, int rxe, const char *what)
{
	if ((int)wc->status == spec)
		return true;
	if (c->dev->is_rxe && rxe >= 0 && (int)wc->status == rxe) {
		note(c, "DEVIATION (rxe, accepted): %s: status %s, the IB spec says %s", what,
		     wc_status_name(wc->status), wc_status_name(spec));
		return true;
	}
	return fail(c, "%s: status %s (%d), expected %s", what, wc_status_name(wc->status),
		    wc->status, wc_status_name(spec));
}

bool wait_one(struct ctx *c, struct ibv_cq *cq, uint64_t wr_id, int status, int opcode,
	      struct ibv_qp *qp, const char *what)
{
	struct ibv_wc wc;

	if (wait_wc(c, cq, 1, &wc, 0, what) != 1)
		return false;
	return check_wc(c, &wc, wr_id, status, opcode, qp, what);
}

/* ---- patterns ---------------------------------------------------------------------------- */
uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t cseed(struct ctx *c, uint64_t salt)
{
	return mix64(c->seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(c->case_no + 1) + mix64(salt));
}

/* Byte i of the pattern depends on the seed and on i: a shifted or stale copy
 * shows up as a mismatch.
 */
void pat_fill(void *p, size_t len, uint64_t seed)
{
	uint8_t *q = p;
	uint64_t s = seed | 1, v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if ((i & 7) == 0) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			v = s;
		}
		q[i] = (uint8_t)(v >> ((i & 7) * 8));
	}
}

bool pat_check(struct ctx *c, const void *p, size_t len, uint64_t seed, const char *what)
{
	const uint8_t *q = p;
	uint64_t s = seed | 1, v = 0;
	size_t i, bad = 0, first = 0;
	uint8_t exp_first = 0, got_first = 0;

	for (i = 0; i < len; i++) {
		uint8_t e;

		if ((i & 7) == 0) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			v = s;
		}
		e = (uint8_t)(v >> ((i & 7) * 8));
		if (q[i] != e) {
			if (!bad++) {
				first = i;
				exp_first = e;
				got_first = q[i];
			}
		}
	}
	if (bad)
		return fail(c, "%s: %zu of %zu bytes wrong, first at offset %zu (0x%02x, expected 0x%02x)",
			    what, bad, len, first, got_first, exp_first);
	return true;
}

bool pat_check_quiet(const void *p, size_t len, uint64_t seed)
{
	uint8_t *e = malloc(len ? len : 1);
	bool ok;

	pat_fill(e, len, seed);
	ok = !memcmp(p, e, len);
	free(e);
	return ok;
}

bool byte_check(struct ctx *c, const void *p, size_t len, uint8_t v, const char *what)
{
	const uint8_t *q = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (q[i] != v)
			return fail(c, "%s: byte %zu is 0x%02x, expected 0x%02x (untouched)", what, i,
				    q[i], v);
	return true;
}

bool wait_recv(struct ctx *c, struct ibv_cq *cq, uint64_t wr_id, int opcode, struct ibv_qp *qp,
	       uint32_t byte_len, int64_t imm, const char *what)
{
	struct ibv_wc wc;

	if (wait_wc(c, cq, 1, &wc, 0, what) != 1)
		return false;
	if (!check_wc(c, &wc, wr_id, IBV_WC_SUCCESS, opcode, qp, what))
		return false;
	if (wc.byte_len != byte_len)
		return fail(c, "%s: byte_len %u, expected %u", what, wc.byte_len, byte_len);
	if (imm < 0 && (wc.wc_flags & IBV_WC_WITH_IMM))
		return fail(c, "%s: IBV_WC_WITH_IMM set on a completion without immediate", what);
	if (imm >= 0) {
		if (!(wc.wc_flags & IBV_WC_WITH_IMM))
			return fail(c, "%s: IBV_WC_WITH_IMM not set (wc_flags 0x%x)", what,
				    wc.wc_flags);
		if (ntohl(wc.imm_data) != (uint32_t)imm)
			return fail(c, "%s: imm_data 0x%08x, expected 0x%08x", what,
				    ntohl(wc.imm_data), (uint32_t)imm);
	}
	return true;
}
