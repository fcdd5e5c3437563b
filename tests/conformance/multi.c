// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcv_conform multi: all-pairs RC traffic between N blades, all at once.
 *
 *   pcv_conform multi -r RANK -H host0,host1,...,hostN-1 [-d DEV] [-i PORT] [-g GIDX]
 *                     [-p BASEPORT] [-n ITERS] [-k CAS] [-s SEED] [-t MS]
 *
 * (rank 0's -s SEED is used by all)
 * Run one instance per blade (RANK = its index in the host list), started at
 * about the same time.  Each instance connects one RC QP to every other
 * instance (TCP side channel: rank r listens on BASEPORT + r) and then, for
 * ITERS rounds, sends to every peer a SEND, an RDMA WRITE, an RDMA READ and a
 * FETCH_ADD on the peer's counter; afterwards CMP_SWAP increments on a second
 * counter.  Every counter thus takes atomics from N-1 blades concurrently.
 * Checked: every byte of every SEND, WRITE and READ; both counters exact; the
 * fetched values each peer got are, together, exactly 0..total-1 (no update
 * lost or doubled).  Prints TAP, exits non-zero on any failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include "conform.h"

#define MAXB	8
#define SSLOT	8192
#define WSLOT	4096
#define RSRC	65536

struct peer {
	int fd;
	struct ibv_qp *qp;
	uint32_t psn;
	struct rinfo r;			/* addr/rkey: [0] my write area at the peer, [1] rsrc, [2] counters */
	uint64_t *fetched;		/* FETCH_ADD results (in the local MR) */
	uint64_t *won;			/* CMP_SWAP values won */
	int nwon;
	int recvd;
};

static struct {
	int rank, n, iters, kcas, port, tmo;
	uint64_t seed;
	char *hosts[MAXB];
} m = { .iters = 40, .kcas = 20, .port = 18620, .tmo = 60000 };

static int tap_n, tap_fail;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - rank %d: ", ok ? "" : "not ", ++tap_n, m.rank);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_fail += !ok;
}

static uint64_t mseed(int a, int b, int it, int what)
{
	return mix64(m.seed ^ ((uint64_t)a << 56) ^ ((uint64_t)b << 48) ^ ((uint64_t)what << 40) ^
		     (uint64_t)it);
}

static uint32_t msize(int a, int b, int it, int what, uint32_t max)
{
	return 1 + (uint32_t)(mix64(mseed(a, b, it, what) + 7) % max);
}

static bool sx(int fd, const void *p, size_t n)
{
	return write_full(fd, p, n) == 0;
}

static bool rx(int fd, void *p, size_t n)
{
	return read_full(fd, p, n, m.tmo) == 0;
}

/* one byte each way with every peer */
static bool barrier(struct peer *pr, char tag)
{
	int j;
	char t;

	for (j = 0; j < m.n; j++)
		if (j != m.rank && !sx(pr[j].fd, &tag, 1))
			return false;
	for (j = 0; j < m.n; j++)
		if (j != m.rank && (!rx(pr[j].fd, &t, 1) || t != tag))
			return false;
	return true;
}

static bool pattern_eq(const uint8_t *p, size_t len, uint64_t seed)
{
	uint8_t *e = malloc(len ? len : 1);
	bool ok;

	pat_fill(e, len, seed);
	ok = !memcmp(p, e, len);
	free(e);
	return ok;
}

int multi_main(int argc, char **argv)
{
	static struct dev d = { .name = "pciev0", .port = 1, .gidx = -2 };
	static struct ctx c;
	struct peer pr[MAXB];
	struct conn cn;		/* only for the QP helpers (options, remote info) */
	struct qp_opts o;
	struct ibv_pd *pd = NULL;
	struct ibv_cq *scq = NULL, *rcq = NULL;
	struct buf loc = { 0 }, wt = { 0 }, rs = { 0 }, ctr = { 0 };
	char *hl = NULL, *tok, *save;
	int ch, j, it, lfd = -1, rc = 1;
	uint64_t t0;
	size_t off_send, off_recv, off_read, off_fetch, off_cas, loc_len;

	m.seed = 12345;
	optind = 1;
	while ((ch = getopt(argc, argv, "r:H:d:i:g:p:n:k:s:t:")) != -1) {
		switch (ch) {
		case 'r': m.rank = atoi(optarg); break;
		case 'H': hl = optarg; break;
		case 'd': d.name = optarg; break;
		case 'i': d.port = atoi(optarg); break;
		case 'g': d.gidx = atoi(optarg); break;
		case 'p': m.port = atoi(optarg); break;
		case 'n': m.iters = atoi(optarg); break;
		case 'k': m.kcas = atoi(optarg); break;
		case 's': m.seed = strtoull(optarg, NULL, 0); break;
		case 't': m.tmo = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pcv_conform multi -r RANK -H h0,h1,... [-d DEV] [-i PORT] "
				"[-g GIDX] [-p BASEPORT] [-n ITERS] [-k CAS] [-s SEED] [-t MS]\n");
			return 2;
		}
	}
	if (!hl) {
		fprintf(stderr, "multi: -H host list needed\n");
		return 2;
	}
	for (tok = strtok_r(hl, ",", &save); tok && m.n < MAXB; tok = strtok_r(NULL, ",", &save))
		m.hosts[m.n++] = tok;
	if (m.n < 2 || m.rank < 0 || m.rank >= m.n || m.iters < 1 || m.iters > 1000 ||
	    m.kcas < 0 || m.kcas > 1000) {
		fprintf(stderr, "multi: bad rank/hosts/iterations\n");
		return 2;
	}
	printf("TAP version 13\n# multi: rank %d of %d, device %s, %d rounds, %d CMP_SWAPs per peer, seed %llu\n",
	       m.rank, m.n, d.name, m.iters, m.kcas, (unsigned long long)m.seed);
	memset(pr, 0, sizeof(pr));
	for (j = 0; j < MAXB; j++)
		pr[j].fd = -1;
	if (dev_open(&d)) {
		tap(false, "open device %s", d.name);
		goto out;
	}
	c.dev = &d;
	c.seed = m.seed;
	c.tmo_ms = m.tmo;
	c.fd = -1;
	c.proto_error = true;	/* fail() must not try the (absent) case channel */
	c.role = ROLE_A;

	/* ---- side channels: listen, connect to lower ranks, accept higher ones ---- */
	lfd = tcp_listen(m.port + m.rank);
	if (lfd < 0) {
		tap(false, "listen on port %d: %s", m.port + m.rank, strerror(errno));
		goto out;
	}
	for (j = 0; j < m.rank; j++) {
		uint32_t me = htole32(m.rank);

		pr[j].fd = tcp_connect(m.hosts[j], m.port + j, m.tmo);
		if (pr[j].fd < 0 || !sx(pr[j].fd, &me, 4)) {
			tap(false, "connect to rank %d (%s:%d)", j, m.hosts[j], m.port + j);
			goto out;
		}
	}
	for (j = m.rank + 1; j < m.n; j++) {
		uint32_t who;
		int fd = tcp_accept(lfd, m.tmo);

		if (fd < 0 || !rx(fd, &who, 4) || le32toh(who) <= (uint32_t)m.rank ||
		    le32toh(who) >= (uint32_t)m.n || pr[le32toh(who)].fd >= 0) {
			tap(false, "accept a higher rank");
			goto out;
		}
		pr[le32toh(who)].fd = fd;
	}

	/* rank 0's seed is everyone's: both ends must derive the same sizes and data */
	if (m.rank == 0) {
		uint64_t le = htole64(m.seed);

		for (j = 1; j < m.n; j++)
			if (!sx(pr[j].fd, &le, 8)) {
				tap(false, "send the seed to rank %d", j);
				goto out;
			}
	} else {
		uint64_t le;

		if (!rx(pr[0].fd, &le, 8)) {
			tap(false, "seed from rank 0");
			goto out;
		}
		m.seed = le64toh(le);
	}
	printf("# seed %llu (rank 0's)\n", (unsigned long long)m.seed);
	c.seed = m.seed;

	/* ---- verbs resources ---- */
	off_send = 0;
	off_recv = off_send + (size_t)MAXB * m.iters * (SSLOT + WSLOT);	/* SEND + WRITE source */
	off_read = off_recv + (size_t)MAXB * m.iters * SSLOT;
	off_fetch = off_read + (size_t)MAXB * m.iters * WSLOT;
	off_cas = off_fetch + (size_t)MAXB * m.iters * 8;
	loc_len = off_cas + (size_t)MAXB * 64;
	qp_opts_default(&c, &o);
	o.sq = 16;
	o.rq = m.iters + 4;
	memset(&cn, 0, sizeof(cn));
	cn.c = &c;
	cn.o = o;
	if (cn.o.max_rd_atomic > (int)d.attr.max_qp_init_rd_atom)
		cn.o.max_rd_atomic = d.attr.max_qp_init_rd_atom;
	if (cn.o.max_dest_rd_atomic > (int)d.attr.max_qp_rd_atom)
		cn.o.max_dest_rd_atomic = d.attr.max_qp_rd_atom;
	pd = ibv_alloc_pd(d.ctx);
	scq = pd ? ibv_create_cq(d.ctx, 16 * MAXB + 64, NULL, NULL, 0) : NULL;
	rcq = scq ? ibv_create_cq(d.ctx, (m.iters + 4) * MAXB, NULL, NULL, 0) : NULL;
	if (!rcq || !buf_alloc_pd(&c, pd, &loc, loc_len, IBV_ACCESS_LOCAL_WRITE) ||
	    !buf_alloc_pd(&c, pd, &wt, (size_t)MAXB * m.iters * WSLOT,
			  IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE) ||
	    !buf_alloc_pd(&c, pd, &rs, RSRC, IBV_ACCESS_REMOTE_READ) ||
	    !buf_alloc_pd(&c, pd, &ctr, 64, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_ATOMIC)) {
		tap(false, "PD/CQs/MRs: %s %s", strerror(errno), c.diag);
		goto out;
	}
	memset(wt.p, 0x5a, wt.len);
	pat_fill(rs.p, RSRC, mseed(m.rank, 0, 0, 9));
	cn.pd = pd;
	for (j = 0; j < m.n; j++) {
		struct ibv_qp_init_attr qa = {
			.send_cq = scq, .recv_cq = rcq, .qp_type = IBV_QPT_RC, .sq_sig_all = 1,
			.cap = { .max_send_wr = o.sq, .max_recv_wr = o.rq, .max_send_sge = 1,
				 .max_recv_sge = 1 },
		};
		struct rinfo w, in;
		int i;

		if (j == m.rank)
			continue;
		pr[j].qp = ibv_create_qp(pd, &qa);
		if (!pr[j].qp || !qp_to_init(&cn, pr[j].qp)) {
			tap(false, "create QP for rank %d: %s %s", j, strerror(errno), c.diag);
			goto out;
		}
		pr[j].psn = mix64(m.seed + m.rank * 31 + j) & 0xffffff;
		pr[j].fetched = (uint64_t *)(loc.p + off_fetch + (size_t)j * m.iters * 8);
		pr[j].won = malloc(sizeof(uint64_t) * (m.kcas + 1));
		memset(&w, 0, sizeof(w));
		w.lid = htole32(d.pattr.lid);
		w.nqp = htole32(1);
		w.mtu = htole32(d.pattr.active_mtu);
		w.nmr = htole32(3);
		memcpy(w.gid, d.gid.raw, 16);
		w.qpn[0] = htole32(pr[j].qp->qp_num);
		w.psn[0] = htole32(pr[j].psn);
		/* [0] the area rank j writes into, [1] read source, [2] counters */
		w.addr[0] = htole64((uintptr_t)wt.p + (uint64_t)j * m.iters * WSLOT);
		w.rkey[0] = htole32(wt.mr->rkey);
		w.addr[1] = htole64((uintptr_t)rs.p);
		w.rkey[1] = htole32(rs.mr->rkey);
		w.addr[2] = htole64((uintptr_t)ctr.p);
		w.rkey[2] = htole32(ctr.mr->rkey);
		if (!sx(pr[j].fd, &w, sizeof(w)) || !rx(pr[j].fd, &in, sizeof(in))) {
			tap(false, "exchange with rank %d", j);
			goto out;
		}
		pr[j].r = in;
		pr[j].r.lid = le32toh(in.lid);
		pr[j].r.mtu = le32toh(in.mtu);
		pr[j].r.qpn[0] = le32toh(in.qpn[0]);
		pr[j].r.psn[0] = le32toh(in.psn[0]);
		for (i = 0; i < 3; i++) {
			pr[j].r.addr[i] = le64toh(in.addr[i]);
			pr[j].r.rkey[i] = le32toh(in.rkey[i]);
		}
		cn.r = pr[j].r;
		if (!qp_to_rtr(&cn, pr[j].qp, pr[j].r.qpn[0], pr[j].r.psn[0]) ||
		    !qp_to_rts(&cn, pr[j].qp, pr[j].psn)) {
			tap(false, "connect QP to rank %d: %s", j, c.diag);
			goto out;
		}
		for (i = 0; i < m.iters; i++)
			if (!post_recv(&c, pr[j].qp, ((uint64_t)j << 32) | i, &loc,
				       off_recv + ((size_t)j * m.iters + i) * SSLOT, SSLOT)) {
				tap(false, "post receives: %s", c.diag);
				goto out;
			}
	}
	if (!barrier(pr, 'R')) {
		tap(false, "ready barrier");
		goto out;
	}
	tap(true, "RC QPs connected to %d peers", m.n - 1);

	/* ---- traffic: every round, 4 operations to every peer, all at once ---- */
	t0 = now_ms();
	for (it = 0; it < m.iters && !FAILED(&c); it++) {
		int posted = 0, got = 0;
		struct ibv_wc wc[4 * MAXB], rw[16];

		for (j = 0; j < m.n; j++) {
			size_t so = off_send + ((size_t)j * m.iters + it) * (SSLOT + WSLOT);
			uint32_t s1 = msize(m.rank, j, it, 1, SSLOT), s2 = msize(m.rank, j, it, 2, WSLOT);
			uint32_t s3 = msize(m.rank, j, it, 3, WSLOT);
			uint32_t o3 = (uint32_t)(mix64(mseed(m.rank, j, it, 4)) % (RSRC - s3));

			if (j == m.rank)
				continue;
			pat_fill(loc.p + so, s1, mseed(m.rank, j, it, 1));
			pat_fill(loc.p + so + s1, s2, mseed(m.rank, j, it, 2));
			if (!post_send(&c, pr[j].qp, IBV_WR_SEND, 1, &loc, so, s1, IBV_SEND_SIGNALED, 0, 0, 0) ||
			    !post_send(&c, pr[j].qp, IBV_WR_RDMA_WRITE, 2, &loc, so + s1, s2,
				       IBV_SEND_SIGNALED, pr[j].r.addr[0] + (uint64_t)it * WSLOT,
				       pr[j].r.rkey[0], 0) ||
			    !post_send(&c, pr[j].qp, IBV_WR_RDMA_READ, 3, &loc,
				       off_read + ((size_t)j * m.iters + it) * WSLOT, s3, IBV_SEND_SIGNALED,
				       pr[j].r.addr[1] + o3, pr[j].r.rkey[1], 0) ||
			    !post_atomic(&c, pr[j].qp, IBV_WR_ATOMIC_FETCH_AND_ADD, 4, &loc,
					 off_fetch + ((size_t)j * m.iters + it) * 8, pr[j].r.addr[2],
					 pr[j].r.rkey[2], 1, 0, IBV_SEND_SIGNALED))
				break;
			posted += 4;
		}
		while (got < posted && !FAILED(&c)) {
			int n = ibv_poll_cq(scq, posted - got, wc + got), k;

			if (n < 0)
				fail(&c, "poll send CQ");
			got += n > 0 ? n : 0;
			/* drain receives meanwhile (checked at the end) */
			n = ibv_poll_cq(rcq, 16, rw);
			for (k = 0; k < n; k++) {
				int p = (int)(rw[k].wr_id >> 32), seq = (int)(rw[k].wr_id & 0xffffffff);
				size_t ro = off_recv + ((size_t)p * m.iters + seq) * SSLOT;

				if (rw[k].status != IBV_WC_SUCCESS || p >= m.n || seq != pr[p].recvd ||
				    rw[k].qp_num != pr[p].qp->qp_num ||
				    rw[k].byte_len != msize(p, m.rank, seq, 1, SSLOT) ||
				    !pattern_eq(loc.p + ro, rw[k].byte_len, mseed(p, m.rank, seq, 1)))
					fail(&c, "receive from rank %d #%d: status %s, byte_len %u, data or "
					     "order wrong", p, seq, wc_status_name(rw[k].status),
					     rw[k].byte_len);
				pr[p].recvd++;
			}
			if (now_ms() - t0 > (uint64_t)m.tmo * 4)
				fail(&c, "round %d: %d of %d completions", it, got, posted);
		}
		for (j = 0; j < got && !FAILED(&c); j++)
			if (wc[j].status != IBV_WC_SUCCESS)
				fail(&c, "round %d: wr %llu on QP 0x%x: %s", it,
				     (unsigned long long)wc[j].wr_id, wc[j].qp_num,
				     wc_status_name(wc[j].status));
	}
	tap(!FAILED(&c), "%d rounds of SEND+WRITE+READ+FETCH_ADD to %d peers concurrently (%llu ms)%s%s",
	    m.iters, m.n - 1, (unsigned long long)(now_ms() - t0), FAILED(&c) ? ": " : "", c.diag);
	if (FAILED(&c))
		goto out;

	/* remaining receives */
	for (j = 0; j < m.n; j++) {
		struct ibv_wc rw;
		uint64_t deadline = now_ms() + m.tmo;

		if (j == m.rank)
			continue;
		while (pr[j].recvd < m.iters && now_ms() < deadline) {
			int p, seq;
			size_t ro;

			if (ibv_poll_cq(rcq, 1, &rw) != 1) {
				usleep(100);
				continue;
			}
			p = (int)(rw.wr_id >> 32);
			seq = (int)(rw.wr_id & 0xffffffff);
			ro = off_recv + ((size_t)p * m.iters + seq) * SSLOT;
			if (rw.status != IBV_WC_SUCCESS || p >= m.n || seq != pr[p].recvd ||
			    rw.qp_num != pr[p].qp->qp_num ||
			    rw.byte_len != msize(p, m.rank, seq, 1, SSLOT) ||
			    !pattern_eq(loc.p + ro, rw.byte_len, mseed(p, m.rank, seq, 1)))
				fail(&c, "receive from rank %d #%d: status %s, data or order wrong", p, seq,
				     wc_status_name(rw.status));
			pr[p].recvd++;
		}
	}
	for (j = 0; j < m.n; j++)
		if (j != m.rank)
			tap(pr[j].recvd == m.iters && !FAILED(&c),
			    "%d SENDs from rank %d received in order, every byte checked", pr[j].recvd, j);

	/* READs: each landed slice equals the peer's source pattern */
	for (j = 0; j < m.n; j++) {
		uint8_t *src;
		int bad = -1;

		if (j == m.rank)
			continue;
		src = malloc(RSRC);
		pat_fill(src, RSRC, mseed(j, 0, 0, 9));
		for (it = 0; it < m.iters && bad < 0; it++) {
			uint32_t s3 = msize(m.rank, j, it, 3, WSLOT);
			uint32_t o3 = (uint32_t)(mix64(mseed(m.rank, j, it, 4)) % (RSRC - s3));

			if (memcmp(loc.p + off_read + ((size_t)j * m.iters + it) * WSLOT, src + o3, s3))
				bad = it;
		}
		free(src);
		tap(bad < 0, "%d RDMA READs from rank %d, every byte checked%s", m.iters, j,
		    bad < 0 ? "" : " (a READ brought wrong data)");
	}

	/* ---- CMP_SWAP increments on every peer's second counter, round robin ---- */
	{
		uint64_t e[MAXB] = { 0 };
		int succ[MAXB] = { 0 }, tries[MAXB] = { 0 }, busy[MAXB] = { 0 }, left = 0;
		struct ibv_wc wc;

		for (j = 0; j < m.n; j++)
			left += j != m.rank && m.kcas > 0;
		t0 = now_ms();
		while (left && !FAILED(&c)) {
			uint64_t got;

			for (j = 0; j < m.n; j++)
				if (j != m.rank && !busy[j] && succ[j] < m.kcas) {
					if (!post_atomic(&c, pr[j].qp, IBV_WR_ATOMIC_CMP_AND_SWP, j, &loc,
							 off_cas + j * 64, pr[j].r.addr[2] + 8,
							 pr[j].r.rkey[2], e[j], e[j] + 1, IBV_SEND_SIGNALED))
						break;
					busy[j] = 1;
					tries[j]++;
				}
			if (wait_wc(&c, scq, 1, &wc, m.tmo, "CMP_SWAP") != 1)
				break;
			j = (int)wc.wr_id;
			if (wc.status != IBV_WC_SUCCESS || j >= m.n) {
				fail(&c, "CMP_SWAP to rank %d: %s", j, wc_status_name(wc.status));
				break;
			}
			busy[j] = 0;
			memcpy(&got, loc.p + off_cas + j * 64, 8);
			if (got == e[j]) {
				pr[j].won[pr[j].nwon++] = e[j];
				e[j]++;
				if (++succ[j] == m.kcas)
					left--;
			} else {
				e[j] = got;
			}
			if (tries[j] > 100 * m.kcas + 100)
				fail(&c, "CMP_SWAP to rank %d: %d tries", j, tries[j]);
		}
		tap(!FAILED(&c), "%d CMP_SWAP increments on each peer's counter (%llu ms)%s%s", m.kcas,
		    (unsigned long long)(now_ms() - t0), FAILED(&c) ? ": " : "", c.diag);
	}

	/* ---- everyone done: check what the peers did to us ---- */
	if (!barrier(pr, 'D')) {
		tap(false, "done barrier");
		goto out;
	}
	for (j = 0; j < m.n; j++) {
		int bad = -1;

		if (j == m.rank)
			continue;
		for (it = 0; it < m.iters && bad < 0; it++) {
			uint8_t *p = wt.p + ((size_t)j * m.iters + it) * WSLOT;
			uint32_t s2 = msize(j, m.rank, it, 2, WSLOT);
			uint32_t k;

			if (!pattern_eq(p, s2, mseed(j, m.rank, it, 2)))
				bad = it;
			for (k = s2; k < WSLOT && bad < 0; k++)
				if (p[k] != 0x5a)
					bad = it;
		}
		tap(bad < 0, "%d RDMA WRITEs from rank %d landed, every byte and the bytes after checked",
		    m.iters, j);
	}
	/* fetched values: send ours to each owner, gather the others' */
	{
		uint64_t total = (uint64_t)(m.n - 1) * m.iters, ctotal = (uint64_t)(m.n - 1) * m.kcas;
		uint64_t *all = malloc(sizeof(uint64_t) * (total + 1));
		uint64_t *call = malloc(sizeof(uint64_t) * (ctotal + 1));
		uint64_t v0, v1;
		size_t na = 0, nc = 0;
		bool ok = true;
		uint64_t i;

		for (j = 0; j < m.n && ok; j++)
			if (j != m.rank)
				ok = sx(pr[j].fd, pr[j].fetched, 8 * m.iters) &&
				     sx(pr[j].fd, pr[j].won, 8 * m.kcas);
		for (j = 0; j < m.n && ok; j++)
			if (j != m.rank) {
				ok = rx(pr[j].fd, all + na, 8 * m.iters) &&
				     rx(pr[j].fd, call + nc, 8 * m.kcas);
				na += m.iters;
				nc += m.kcas;
			}
		memcpy(&v0, ctr.p, 8);
		memcpy(&v1, ctr.p + 8, 8);
		tap(ok && v0 == total, "FETCH_ADD counter %llu, expected %llu (from %d blades at once)",
		    (unsigned long long)v0, (unsigned long long)total, m.n - 1);
		/* every value below the total, none twice */
		{
			uint64_t *cnt = calloc(total + 1, 1 * sizeof(uint64_t));
			bool uniq = ok;

			for (i = 0; i < na && uniq; i++)
				uniq = all[i] < total && !cnt[all[i]]++;
			tap(uniq, "the %llu fetched values are exactly 0..%llu, each once",
			    (unsigned long long)total, (unsigned long long)total - 1);
			free(cnt);
			cnt = calloc(ctotal + 1, sizeof(uint64_t));
			uniq = ok;
			for (i = 0; i < nc && uniq; i++)
				uniq = call[i] < ctotal && !cnt[call[i]]++;
			tap(uniq && v1 == ctotal,
			    "CMP_SWAP counter %llu, expected %llu; each value won exactly once",
			    (unsigned long long)v1, (unsigned long long)ctotal);
			free(cnt);
		}
		free(all);
		free(call);
	}
	barrier(pr, 'E');
	rc = tap_fail ? 1 : 0;
out:
	if (rc && c.diag_len)
		printf("# %s", c.diag);
	printf("1..%d\n", tap_n);
	for (j = 0; j < MAXB; j++) {
		if (pr[j].qp)
			ibv_destroy_qp(pr[j].qp);
		if (pr[j].fd >= 0)
			close(pr[j].fd);
		free(pr[j].won);
	}
	buf_free(&loc);
	buf_free(&wt);
	buf_free(&rs);
	buf_free(&ctr);
	if (rcq)
		ibv_destroy_cq(rcq);
	if (scq)
		ibv_destroy_cq(scq);
	if (pd)
		ibv_dealloc_pd(pd);
	if (lfd >= 0)
		close(lfd);
	dev_close(&d);
	return rc ? rc : (tap_fail ? 1 : 0);
}
