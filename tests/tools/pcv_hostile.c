// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcv_hostile: a hostile verbs user.
 *
 * Creates CQs, a loopback RC QP pair, an SRQ with a QP on it (connected to a
 * fourth QP) and optionally an RC QP to a peer pcv_hostile on another blade,
 * all through ordinary verbs; checks they work; then finds every mapping of
 * /dev/infiniband/uverbs* in /proc/self/maps and scribbles garbage over all
 * of it (ring headers, indices, entries; whole pages random, all-ones,
 * zeros, indices nudged past the ring, sparse random words), round after
 * round, each round followed by posting sends and receives, arming and
 * polling the CQs.  At the end it reports what it saw: post errors,
 * completions by status, QP states, signals caught.
 *
 * It never trusts what it reads back: every access to a mapping and every
 * verbs call runs under a SIGSEGV/SIGBUS/SIGABRT/SIGALRM guard (the provider
 * may fault or spin on garbage); a caught signal is counted and reported.
 *
 *   pcv_hostile [-d DEV] [-i PORT] [-g GIDX] [-r ROUNDS] [-s SEED] [-n]
 *               [-L TCPPORT | -P HOST:TCPPORT] [-W SECONDS] [-T SECONDS]
 *   -n: dry run (no scribbling; for comparison)
 *   -L: wait (up to -W s) for a peer pcv_hostile; -P: connect to one
 *   -T: time budget for the scribble rounds (default 60 s)
 *
 * A verbs call that faults or times out (300 ms) twice on one object (QP, CQ,
 * SRQ) marks that object "wedged": the provider may have been left holding
 * one of its locks; it is not called again (its destroy is left to the
 * kernel's cleanup at exit, which is exercised that way too).
 *
 * Exit: 0 when it ran to the end (whatever it found), 2 when setup failed,
 * 3 when it crashed outside its guards (a bug of this tool).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <infiniband/verbs.h>

#define MAXMAP 64
#define NQP 5		/* a, b (loopback pair), s (on the SRQ), t (its partner), r (remote) */

static const char *qp_names[NQP] = { "loop-a", "loop-b", "srq-s", "srq-t", "remote" };

/* ---- signal guard ----------------------------------------------------------------------- */
static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_on, last_sig;
static unsigned long faults, timeouts, quiet_reports;

static void arm_ms(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_signal(int sig)
{
	if (guard_on) {
		last_sig = sig;
		guard_on = 0;
		siglongjmp(guard_env, 1);
	}
	/* outside a guard: a bug of this tool */
	{
		static const char msg[] = "pcv_hostile: signal outside a guard\n";
		ssize_t w = write(2, msg, sizeof(msg) - 1);

		(void)w;
	}
	_exit(3);
}

/* One guarded operation: everything it needs and returns lives here, in
 * memory, never in registers a siglongjmp could lose. */
enum op_kind { OP_POST_SEND, OP_POST_RECV, OP_POST_SRQ_RECV, OP_POLL, OP_NOTIFY, OP_QUERY_QP,
	       OP_SCRIBBLE, OP_DESTROY };
struct op {
	enum op_kind kind;
	const char *what;
	struct ibv_qp *qp;
	struct ibv_srq *srq;
	struct ibv_cq *cq;
	struct ibv_send_wr *swr;
	struct ibv_recv_wr *rwr;
	struct ibv_wc *wc;
	int n;
	struct ibv_qp_attr *qa;
	void (*fn)(void *);	/* OP_SCRIBBLE, OP_DESTROY */
	void *arg;
	int ret;
};

static void run_op(struct op *o)
{
	struct ibv_send_wr *sbad;
	struct ibv_recv_wr *rbad;
	struct ibv_qp_init_attr ia;

	switch (o->kind) {
	case OP_POST_SEND: o->ret = ibv_post_send(o->qp, o->swr, &sbad); break;
	case OP_POST_RECV: o->ret = ibv_post_recv(o->qp, o->rwr, &rbad); break;
	case OP_POST_SRQ_RECV: o->ret = ibv_post_srq_recv(o->srq, o->rwr, &rbad); break;
	case OP_POLL: o->ret = ibv_poll_cq(o->cq, o->n, o->wc); break;
	case OP_NOTIFY: o->ret = ibv_req_notify_cq(o->cq, 0); break;
	case OP_QUERY_QP: o->ret = ibv_query_qp(o->qp, o->qa, IBV_QP_STATE, &ia); break;
	case OP_SCRIBBLE:
	case OP_DESTROY: o->fn(o->arg); o->ret = 0; break;
	}
}

/* Run O within MS milliseconds, catching faults.  True if interrupted. */
static bool guarded(struct op *volatile o, long ms)
{
	if (sigsetjmp(guard_env, 1) == 0) {
		guard_on = 1;
		arm_ms(ms);
		run_op(o);
		arm_ms(0);
		guard_on = 0;
		return false;
	}
	arm_ms(0);
	o->ret = -1;
	if (last_sig == SIGALRM) {
		timeouts++;
		if (quiet_reports++ < 40)
			printf("# %s: timed out (the call spun or blocked on garbage)\n", o->what);
	} else {
		faults++;
		if (quiet_reports++ < 40)
			printf("# %s: caught signal %d (%s)\n", o->what, last_sig,
			       strsignal(last_sig));
	}
	return true;
}

/* objects that faulted or timed out twice are not called again */
enum { OBJ_QP0, OBJ_SCQ = NQP, OBJ_RCQ, OBJ_XCQ, OBJ_SRQ, NOBJ };
static int trouble[NOBJ];
#define WEDGED(o) (trouble[o] >= 2)
/* time limit of one verbs call: generous for the warm-up, short afterwards */
static long call_ms = 3000;

/* a guarded verbs call on object OBJ; returns the call's result (-1 if interrupted) */
static int call(int obj, struct op *o)
{
	if (WEDGED(obj))
		return -2;
	if (guarded(o, call_ms))
		trouble[obj]++;
	return o->ret;
}

/* ---- state ----------------------------------------------------------------------------------- */
static struct {
	const char *dev, *peer;
	int port, gidx, rounds, listen_port, wait_s;
	bool dry;
	uint64_t seed;
	int budget_s;
} opt = { .dev = "pciev0", .port = 1, .gidx = -2, .rounds = 12, .wait_s = 60, .seed = 1,
	  .budget_s = 60 };

static struct ibv_context *ctx;
static struct ibv_port_attr pattr;
static union ibv_gid gid;
static struct ibv_pd *pd;
static struct ibv_cq *scq, *rcq, *xcq;
static struct ibv_srq *srq;
static struct ibv_qp *qp[NQP];
static struct ibv_mr *mr;
static uint8_t *mem;
#define MEMSZ (1 << 20)

struct remote {
	uint32_t lid, qpn, psn, rkey;
	uint64_t addr;
	uint8_t gid[16];
};
static struct remote peer;
static int peer_fd = -1;

static struct {
	unsigned long posts_ok, posts_failed, polls, poll_errors, completions, flushed, errors,
		      garbage, bytes, mprotect_ok, mprotect_refused, notify_errors;
	unsigned long by_status[32];
} st;

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("hostile: setup failed: ");
	vprintf(fmt, ap);
	printf(" (%s)\n", strerror(errno));
	va_end(ap);
	exit(2);
}

/* ---- setup ----------------------------------------------------------------------------------- */
static void open_dev(void)
{
	struct ibv_device **l;
	int i, n;

	l = ibv_get_device_list(&n);
	for (i = 0; l && i < n; i++)
		if (!strcmp(ibv_get_device_name(l[i]), opt.dev))
			ctx = ibv_open_device(l[i]);
	if (l)
		ibv_free_device_list(l);
	if (!ctx)
		die("open %s", opt.dev);
	if (ibv_query_port(ctx, opt.port, &pattr))
		die("query port");
	if (opt.gidx == -2) {
		opt.gidx = -1;
		if (pattr.link_layer == IBV_LINK_LAYER_ETHERNET) {
			opt.gidx = 0;
			for (i = 0; i < pattr.gid_tbl_len && i < 16; i++) {
				union ibv_gid g;

				if (!ibv_query_gid(ctx, opt.port, i, &g) &&
				    !memcmp(g.raw, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
					opt.gidx = i;
					break;
				}
			}
		}
	}
	if (opt.gidx >= 0 && ibv_query_gid(ctx, opt.port, opt.gidx, &gid))
		die("query gid");
}

static struct ibv_qp *mkqp(struct ibv_cq *s, struct ibv_cq *r, struct ibv_srq *q)
{
	struct ibv_qp_init_attr a = {
		.send_cq = s, .recv_cq = r, .srq = q, .qp_type = IBV_QPT_RC, .sq_sig_all = 0,
		.cap = { .max_send_wr = 64, .max_recv_wr = q ? 0 : 64, .max_send_sge = 2,
			 .max_recv_sge = q ? 0 : 2, .max_inline_data = 64 },
	};
	struct ibv_qp *p = ibv_create_qp(pd, &a);
	struct ibv_qp_attr m = { .qp_state = IBV_QPS_INIT, .port_num = opt.port,
				 .qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
						    IBV_ACCESS_REMOTE_ATOMIC };

	if (!p)
		die("create QP");
	if (ibv_modify_qp(p, &m, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			  IBV_QP_ACCESS_FLAGS))
		die("QP to INIT");
	return p;
}

static int connect_qp(struct ibv_qp *p, uint32_t dlid, const uint8_t *dgid, uint32_t dqpn,
		      uint32_t rpsn, uint32_t spsn)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR, .path_mtu = pattr.active_mtu, .dest_qp_num = dqpn,
		.rq_psn = rpsn, .max_dest_rd_atomic = 1, .min_rnr_timer = 12,
		.ah_attr = { .dlid = dlid, .port_num = opt.port },
	};

	if (opt.gidx >= 0) {
		a.ah_attr.is_global = 1;
		memcpy(a.ah_attr.grh.dgid.raw, dgid, 16);
		a.ah_attr.grh.sgid_index = opt.gidx;
		a.ah_attr.grh.hop_limit = 1;
	}
	if (ibv_modify_qp(p, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
			  IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 12;
	a.retry_cnt = 3;
	a.rnr_retry = 3;
	a.sq_psn = spsn;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(p, &a, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			     IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

static int tcp_peer(void)
{
	int fd = -1, one = 1;

	if (opt.listen_port) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(opt.listen_port) };
		int l = socket(AF_INET, SOCK_STREAM, 0);
		struct pollfd pfd = { .fd = l, .events = POLLIN };

		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
			die("listen on %d", opt.listen_port);
		if (poll(&pfd, 1, opt.wait_s * 1000) == 1)
			fd = accept(l, NULL, NULL);
		close(l);
	} else if (opt.peer) {
		char host[256], *colon;
		struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
		time_t end = time(NULL) + opt.wait_s;

		snprintf(host, sizeof(host), "%s", opt.peer);
		colon = strrchr(host, ':');
		if (!colon)
			die("-P needs HOST:PORT");
		*colon = 0;
		while (fd < 0 && time(NULL) < end) {
			if (getaddrinfo(host, colon + 1, &hints, &res) == 0) {
				fd = socket(AF_INET, SOCK_STREAM, 0);
				if (connect(fd, res->ai_addr, res->ai_addrlen)) {
					close(fd);
					fd = -1;
					usleep(200000);
				}
				freeaddrinfo(res);
			} else {
				usleep(200000);
			}
		}
	}
	return fd;
}

static bool xfer(int fd, void *out, void *in, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	if (send(fd, out, n, MSG_NOSIGNAL) != (ssize_t)n)
		return false;
	while (got < n) {
		ssize_t r;

		if (poll(&pfd, 1, opt.wait_s * 1000) != 1)
			return false;
		r = recv(fd, (uint8_t *)in + got, n - got, 0);
		if (r <= 0)
			return false;
		got += r;
	}
	return true;
}

static void setup(void)
{
	struct ibv_srq_init_attr sa = { .attr = { .max_wr = 64, .max_sge = 1 } };
	uint32_t psn = rnd() & 0xffffff;

	open_dev();
	pd = ibv_alloc_pd(ctx);
	if (!pd)
		die("alloc PD");
	scq = ibv_create_cq(ctx, 256, NULL, NULL, 0);
	rcq = ibv_create_cq(ctx, 256, NULL, NULL, 0);
	xcq = ibv_create_cq(ctx, 256, NULL, NULL, 0);
	if (!scq || !rcq || !xcq)
		die("create CQs");
	srq = ibv_create_srq(pd, &sa);
	if (!srq)
		die("create SRQ");
	if (posix_memalign((void **)&mem, 4096, MEMSZ))
		die("memory");
	memset(mem, 0, MEMSZ);
	mr = ibv_reg_mr(pd, mem, MEMSZ, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC);
	if (!mr)
		die("register MR");
	qp[0] = mkqp(scq, rcq, NULL);
	qp[1] = mkqp(scq, rcq, NULL);
	qp[2] = mkqp(xcq, xcq, srq);
	qp[3] = mkqp(xcq, xcq, NULL);
	if (connect_qp(qp[0], pattr.lid, gid.raw, qp[1]->qp_num, psn, psn) ||
	    connect_qp(qp[1], pattr.lid, gid.raw, qp[0]->qp_num, psn, psn) ||
	    connect_qp(qp[2], pattr.lid, gid.raw, qp[3]->qp_num, psn, psn) ||
	    connect_qp(qp[3], pattr.lid, gid.raw, qp[2]->qp_num, psn, psn))
		die("connect loopback QPs");
	if (opt.listen_port || opt.peer) {
		struct remote me = { .lid = pattr.lid, .psn = psn, .rkey = mr->rkey,
				     .addr = (uintptr_t)mem };

		qp[4] = mkqp(scq, rcq, NULL);
		me.qpn = qp[4]->qp_num;
		memcpy(me.gid, gid.raw, 16);
		peer_fd = tcp_peer();
		if (peer_fd < 0 || !xfer(peer_fd, &me, &peer, sizeof(me))) {
			printf("# no peer pcv_hostile: loopback only\n");
			ibv_destroy_qp(qp[4]);
			qp[4] = NULL;
		} else if (connect_qp(qp[4], peer.lid, peer.gid, peer.qpn, peer.psn, psn)) {
			die("connect the remote QP");
		} else {
			printf("# remote QP 0x%x connected to peer QP 0x%x (LID %u)\n", qp[4]->qp_num,
			       peer.qpn, peer.lid);
		}
	}
}

/* ---- traffic ----------------------------------------------------------------------------------- */
static void count_wc(const struct ibv_wc *wc, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		st.completions++;
		if (wc[i].status < 32)
			st.by_status[wc[i].status]++;
		else
			st.garbage++;
		if (wc[i].status == IBV_WC_WR_FLUSH_ERR)
			st.flushed++;
		else if (wc[i].status != IBV_WC_SUCCESS)
			st.errors++;
	}
}

static void poll_all(int rounds)
{
	struct ibv_cq *cqs[3] = { scq, rcq, xcq };
	struct ibv_wc wc[32];
	int k, i, n;

	for (k = 0; k < rounds; k++)
		for (i = 0; i < 3; i++) {
			struct op o = { .kind = OP_POLL, .what = "poll_cq", .cq = cqs[i], .n = 32,
					.wc = wc };

			n = call(OBJ_SCQ + i, &o);
			if (n == -2)
				continue;
			st.polls++;
			if (n < 0)
				st.poll_errors++;
			else
				count_wc(wc, n > 32 ? 32 : n);
		}
}

static void post_one_send(int qi, enum ibv_wr_opcode op, uint64_t raddr, uint32_t rkey, int flags)
{
	struct ibv_sge sge = { (uintptr_t)mem + 4096 * (rnd() % 64), 64, mr->lkey };
	struct ibv_send_wr wr = { .wr_id = rnd(), .sg_list = &sge, .num_sge = 1, .opcode = op,
				  .send_flags = IBV_SEND_SIGNALED | flags };
	struct op o = { .kind = OP_POST_SEND, .what = "post_send", .qp = qp[qi], .swr = &wr };
	int r;

	if (op == IBV_WR_ATOMIC_FETCH_AND_ADD) {
		sge.length = 8;
		wr.wr.atomic.remote_addr = raddr & ~7ULL;
		wr.wr.atomic.rkey = rkey;
		wr.wr.atomic.compare_add = 1;
	} else {
		wr.wr.rdma.remote_addr = raddr;
		wr.wr.rdma.rkey = rkey;
	}
	r = call(OBJ_QP0 + qi, &o);
	if (r == 0)
		st.posts_ok++;
	else if (r != -2)
		st.posts_failed++;
}

static void count_post(int r)
{
	if (r == 0)
		st.posts_ok++;
	else if (r != -2)
		st.posts_failed++;
}

static void post_recvs(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct ibv_sge sge = { (uintptr_t)mem + 65536 + 4096 * (rnd() % 64), 4096, mr->lkey };
		struct ibv_recv_wr wr = { .wr_id = rnd(), .sg_list = &sge, .num_sge = 1 };
		struct op o1 = { .kind = OP_POST_RECV, .what = "post_recv", .qp = qp[1], .rwr = &wr };
		struct op o2 = { .kind = OP_POST_SRQ_RECV, .what = "post_srq_recv", .srq = srq,
				 .rwr = &wr };
		struct op o3 = { .kind = OP_POST_RECV, .what = "post_recv (remote QP)", .qp = qp[4],
				 .rwr = &wr };

		count_post(call(OBJ_QP0 + 1, &o1));
		count_post(call(OBJ_SRQ, &o2));
		if (qp[4])
			count_post(call(OBJ_QP0 + 4, &o3));
	}
}

/*
 * Before anything else the remote QP sends small SENDs one at a time, each
 * completed before the next (up to 2 s), so that on pcieverbs its provider
 * takes the fast path and maps its inbound region and the peer QP's: the
 * scribbling then covers those mappings too.  Returns how many completed.
 */
static int fast_warmup(void)
{
	int i, done = 0;

	if (!qp[4])
		return 0;
	post_recvs();
	post_recvs();
	for (i = 0; i < 8; i++) {
		unsigned long before = st.by_status[IBV_WC_SUCCESS];
		time_t t_end = time(NULL) + 2;

		post_one_send(4, IBV_WR_SEND, 0, 0, 0);
		while (st.by_status[IBV_WC_SUCCESS] == before && time(NULL) <= t_end)
			poll_all(1);
		done += st.by_status[IBV_WC_SUCCESS] != before;
	}
	return done;
}

static void traffic(void)
{
	uint64_t a = (uintptr_t)mem + 8192;
	struct op o = { .kind = OP_NOTIFY, .what = "req_notify_cq", .cq = rcq };
	int r;

	post_recvs();
	post_one_send(0, IBV_WR_SEND, 0, 0, 0);
	post_one_send(0, IBV_WR_RDMA_WRITE, a, mr->rkey, 0);
	post_one_send(0, IBV_WR_RDMA_READ, a, mr->rkey, 0);
	post_one_send(0, IBV_WR_ATOMIC_FETCH_AND_ADD, a, mr->rkey, 0);
	post_one_send(0, IBV_WR_SEND, 0, 0, IBV_SEND_INLINE);
	post_one_send(3, IBV_WR_SEND, 0, 0, 0);
	if (qp[4]) {
		post_one_send(4, IBV_WR_SEND, 0, 0, 0);
		post_one_send(4, IBV_WR_RDMA_WRITE, peer.addr + 8192, peer.rkey, 0);
		post_one_send(4, IBV_WR_RDMA_READ, peer.addr + 8192, peer.rkey, 0);
	}
	r = call(OBJ_RCQ, &o);
	if (r != 0 && r != -2)
		st.notify_errors++;
	poll_all(20);
}

/* ---- the mappings ------------------------------------------------------------------------------ */
struct map {
	uintptr_t start, end;
	char perms[5];
	unsigned long off;
	char path[128];
};
static struct map maps[MAXMAP];
static int nmaps, rounds_done;

static void find_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	if (!f)
		die("/proc/self/maps");
	while (fgets(line, sizeof(line), f) && nmaps < MAXMAP) {
		struct map *m = &maps[nmaps];
		char path[256] = "";
		unsigned long s, e, off;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %255s", &s, &e, perms, &off, path) < 4)
			continue;
		if (!strstr(path, "/dev/infiniband/uverbs"))
			continue;
		m->start = s;
		m->end = e;
		snprintf(m->perms, sizeof(m->perms), "%.4s", perms);
		m->off = off;
		snprintf(m->path, sizeof(m->path), "%s", path);
		nmaps++;
	}
	fclose(f);
}

static void make_writable(struct map *m)
{
	if (m->perms[1] == 'w')
		return;
	if (mprotect((void *)m->start, m->end - m->start, PROT_READ | PROT_WRITE) == 0) {
		st.mprotect_ok++;
		printf("# mapping %lx-%lx (%s, offset 0x%lx) made writable by mprotect\n",
		       (unsigned long)m->start, (unsigned long)m->end, m->perms, m->off);
		m->perms[0] = 'r';
		m->perms[1] = 'w';
	} else {
		st.mprotect_refused++;
	}
}

/* Scribble one mapping with strategy K.  Runs guarded: a mapping may end
 * (SIGBUS) before its VMA does. */
struct scribble_arg {
	struct map *m;
	int k;
};

static void scribble_fn(void *p)
{
	struct scribble_arg *sa = p;
	struct map *m = sa->m;
	size_t len = m->end - m->start, i, pos;
	volatile uint32_t *w = (volatile uint32_t *)m->start;
	volatile uint8_t *b = (volatile uint8_t *)m->start;
	static const uint32_t interesting[] = { 0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 0xffff,
						1, 0 };

	switch (sa->k % 6) {
	case 0:		/* everything random */
		for (pos = 0; pos < len / 4; pos++)
			w[pos] = (uint32_t)rnd();
		break;
	case 1:		/* each page's first 256 bytes (headers, indices) random */
		for (i = 0; i < len / 4096; i++)
			for (pos = 0; pos < 64; pos++)
				w[i * 1024 + pos] = (uint32_t)rnd();
		break;
	case 2:
		for (pos = 0; pos < len; pos++)
			b[pos] = 0xff;
		break;
	case 3:
		for (pos = 0; pos < len; pos++)
			b[pos] = 0;
		break;
	case 4:		/* nudge the first words of every page (indices) */
		for (i = 0; i < len / 4096; i++)
			for (pos = 0; pos < 64; pos++) {
				uint32_t v = w[i * 1024 + pos];

				switch (rnd() % 4) {
				case 0: w[i * 1024 + pos] = v + 1; break;
				case 1: w[i * 1024 + pos] = v + 0x10001; break;
				case 2: w[i * 1024 + pos] = v - 1; break;
				default: w[i * 1024 + pos] = interesting[rnd() % 7];
				}
			}
		break;
	case 5:		/* sparse random words */
		for (pos = 0; pos < 256; pos++)
			w[rnd() % (len / 4)] = (uint32_t)rnd();
		break;
	}
}

static void scribble(struct map *m, int k)
{
	size_t len = m->end - m->start;
	struct scribble_arg sa = { m, k };
	struct op o = { .kind = OP_SCRIBBLE, .what = "scribble", .fn = scribble_fn, .arg = &sa };

	make_writable(m);
	if (m->perms[1] != 'w')
		return;
	guarded(&o, 10000);
	st.bytes += k % 6 == 5 ? 1024 : k % 6 == 1 || k % 6 == 4 ? (len / 4096) * 256 : len;
}

/* ---- report --------------------------------------------------------------------------------------- */
static void report(void)
{
	int i, nerr = 0, nq = 0, wedged = 0;
	char states[256] = "";

	for (i = 0; i < NQP; i++) {
		struct ibv_qp_attr a = { .qp_state = -1 };
		struct op o = { .kind = OP_QUERY_QP, .what = "query_qp", .qp = qp[i], .qa = &a };
		char one[48];
		int r;

		if (!qp[i])
			continue;
		nq++;
		/* asked even of a wedged QP: query_qp is a plain system call */
		guarded(&o, 2000);
		r = o.ret;
		if (r == 0 && a.qp_state == IBV_QPS_ERR)
			nerr++;
		snprintf(one, sizeof(one), "%s%s:%s", *states ? "," : "", qp_names[i],
			 r ? "query-failed" : a.qp_state == IBV_QPS_ERR ? "ERR" :
			 a.qp_state == IBV_QPS_RTS ? "RTS" : "other");
		strncat(states, one, sizeof(states) - strlen(states) - 1);
	}
	for (i = 0; i < NOBJ; i++)
		wedged += WEDGED(i);
	printf("# completions by status:");
	for (i = 0; i < 32; i++)
		if (st.by_status[i])
			printf(" %s=%lu", ibv_wc_status_str(i), st.by_status[i]);
	printf("\n");
	printf("hostile: device=%s mappings=%d scribbled_bytes=%lu rounds=%d posts_ok=%lu "
	       "posts_failed=%lu polls=%lu poll_errors=%lu completions=%lu flushed=%lu errors=%lu "
	       "garbage_status=%lu notify_errors=%lu mprotect_ok=%lu faults=%lu timeouts=%lu "
	       "wedged_objects=%d qp_states=%s\n",
	       opt.dev, nmaps, st.bytes, rounds_done, st.posts_ok, st.posts_failed,
	       st.polls, st.poll_errors, st.completions, st.flushed, st.errors, st.garbage,
	       st.notify_errors, st.mprotect_ok, faults, timeouts, wedged, states);
	printf("hostile: verdict: qps_in_error=%d/%d errors_seen=%s\n", nerr, nq,
	       st.posts_failed || st.poll_errors || st.errors || st.flushed || faults || timeouts ?
	       "yes" : "no");
}

static void destroy_all(void *p)
{
	int i;

	(void)p;
	for (i = 0; i < NQP; i++)
		if (qp[i])
			ibv_destroy_qp(qp[i]);
	ibv_destroy_srq(srq);
	ibv_destroy_cq(scq);
	ibv_destroy_cq(rcq);
	ibv_destroy_cq(xcq);
	ibv_dereg_mr(mr);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ch, r, i;
	time_t t_end;

	while ((ch = getopt(argc, argv, "d:i:g:r:s:nL:P:W:T:")) != -1) {
		switch (ch) {
		case 'd': opt.dev = optarg; break;
		case 'i': opt.port = atoi(optarg); break;
		case 'g': opt.gidx = atoi(optarg); break;
		case 'r': opt.rounds = atoi(optarg); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt.dry = true; break;
		case 'L': opt.listen_port = atoi(optarg); break;
		case 'P': opt.peer = optarg; break;
		case 'W': opt.wait_s = atoi(optarg); break;
		case 'T': opt.budget_s = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pcv_hostile [-d DEV] [-i PORT] [-g GIDX] [-r ROUNDS] "
				"[-s SEED] [-n] [-L TCPPORT | -P HOST:TCPPORT] [-W S] [-T S]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = opt.seed * 0x9e3779b97f4a7c15ULL + 1;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	setup();
	if (qp[4])
		printf("# fast warm-up: %d of 8 small SENDs completed one by one\n", fast_warmup());
	/* the setup works before anything is scribbled */
	traffic();
	poll_all(200);
	printf("# warm-up: %lu posts ok, %lu failed, %lu completions (%lu ok)\n", st.posts_ok,
	       st.posts_failed, st.completions, st.by_status[IBV_WC_SUCCESS]);
	if (!st.by_status[IBV_WC_SUCCESS])
		printf("# warm-up traffic produced no successful completion\n");
	memset(&st, 0, sizeof(st));

	find_maps();
	call_ms = 300;
	printf("# %d mapping(s) of the uverbs device\n", nmaps);
	for (i = 0; i < nmaps; i++)
		printf("#   %lx-%lx %s offset 0x%lx %s (%lu KiB)\n", (unsigned long)maps[i].start,
		       (unsigned long)maps[i].end, maps[i].perms, maps[i].off, maps[i].path,
		       (unsigned long)(maps[i].end - maps[i].start) / 1024);
	t_end = time(NULL) + opt.budget_s;
	for (r = 0; r < opt.rounds && time(NULL) < t_end; r++) {
		if (!opt.dry)
			for (i = 0; i < nmaps; i++)
				scribble(&maps[i], r + i);
		traffic();
		rounds_done++;
	}
	if (r < opt.rounds)
		printf("# time budget of %d s used up after %d rounds\n", opt.budget_s, r);
	/* afterwards: let errors and flushes surface */
	for (r = 0; r < 10; r++) {
		poll_all(10);
		usleep(50000);
	}
	report();
	if (peer_fd >= 0) {
		char a = 'x', b;

		/* both sides done before either tears its QP down */
		xfer(peer_fd, &a, &b, 1);
		close(peer_fd);
	}
	/* teardown under guard; leaving without it is fine too (the kernel cleans up) */
	{
		bool any = false;
		struct op o = { .kind = OP_DESTROY, .what = "destroy", .fn = destroy_all };

		for (i = 0; i < NOBJ; i++)
			any |= WEDGED(i);
		if (any)
			printf("# wedged objects: leaving every destroy to the kernel's cleanup at exit\n");
		else
			guarded(&o, 10000);
	}
	printf("hostile: done\n");
	fflush(stdout);
	_exit(0);
}
