// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcv_conform: the RC/UC verbs conformance suite of pcieverbs.
 *
 *   pcv_conform server [opts]           role B; waits for one client
 *   pcv_conform client HOST [opts]      role A; prints TAP
 *   pcv_conform loopback [opts]         both roles, two threads, one device
 *   pcv_conform multi -r RANK -H h0,h1,... [opts]   all-pairs traffic (multi.c)
 *   pcv_conform list                    the cases
 *
 * opts: -d DEV (pciev0)  -i PORT (1)  -g GIDX (-1: no GRH, by LID; default:
 *       -1 on InfiniBand, the IPv4 GID on RoCE)  -c FILTER (comma-separated
 *       globs, "!glob" excludes)  -s SEED  -p TCPPORT (18600)  -t MS
 *       (completion budget, 20000)  -W S (server: wait for a client, 120)  -v
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <sys/socket.h>
#include "conform.h"

#define PROTO_VERSION 1

const struct case_def cases[] = {
	{ "caps", case_caps, 0, "device, port and QP capabilities (sge, inline, rd_atom, atomics)" },
	{ "send_0", case_send, 0, "SEND 0 bytes" },
	{ "send_1", case_send, 1, "SEND 1 byte, data checked" },
	{ "send_63", case_send, 63, "SEND 63 bytes, data checked" },
	{ "send_4096", case_send, 4096, "SEND 4096 bytes, data checked" },
	{ "send_65536", case_send, 65536, "SEND 65536 bytes, data checked" },
	{ "send_1m", case_send, 1 << 20, "SEND 1 MiB, data checked" },
	{ "send_imm", case_send_imm, 0, "SEND_WITH_IMM: imm value, IBV_WC_WITH_IMM" },
	{ "write_1", case_write, 1, "RDMA_WRITE 1 byte, data and guards checked" },
	{ "write_63", case_write, 63, "RDMA_WRITE 63 bytes" },
	{ "write_4096", case_write, 4096, "RDMA_WRITE 4096 bytes" },
	{ "write_65536", case_write, 65536, "RDMA_WRITE 65536 bytes" },
	{ "write_1m", case_write, 1 << 20, "RDMA_WRITE 1 MiB" },
	{ "write_imm_0", case_write_imm, 0, "RDMA_WRITE_WITH_IMM 0 bytes: imm, byte_len" },
	{ "write_imm_1", case_write_imm, 1, "RDMA_WRITE_WITH_IMM 1 byte" },
	{ "write_imm_4096", case_write_imm, 4096, "RDMA_WRITE_WITH_IMM 4096 bytes" },
	{ "write_imm_65536", case_write_imm, 65536, "RDMA_WRITE_WITH_IMM 65536 bytes" },
	{ "write_imm_1m", case_write_imm, 1 << 20, "RDMA_WRITE_WITH_IMM 1 MiB" },
	{ "read_1", case_read, 1, "RDMA_READ 1 byte" },
	{ "read_63", case_read, 63, "RDMA_READ 63 bytes" },
	{ "read_4096", case_read, 4096, "RDMA_READ 4096 bytes" },
	{ "read_65536", case_read, 65536, "RDMA_READ 65536 bytes" },
	{ "read_1m", case_read, 1 << 20, "RDMA_READ 1 MiB" },
	{ "read_many", case_read_many, 0, "32 RDMA_READs in flight (max_rd_atomic)" },
	{ "cmp_swap", case_cmp_swap, 0, "ATOMIC_CMP_AND_SWP: swaps iff equal, old value returned" },
	{ "fetch_add", case_fetch_add, 0, "ATOMIC_FETCH_AND_ADD: old value returned, 64-bit wrap" },
	{ "sge_send", case_sge_send, 0, "SEND gathered from 5 SGEs, scattered into 4 (odd lengths)" },
	{ "sge_write", case_sge_write, 0, "RDMA_WRITE gathered from 5 SGEs" },
	{ "sge_read", case_sge_read, 0, "RDMA_READ scattered into several SGEs" },
	{ "inline_send", case_inline, 0, "inline SENDs up to max_inline_data (>= 64), buffer reused at once" },
	{ "inline_write", case_inline, 1, "inline RDMA_WRITEs up to max_inline_data" },
	{ "unsignaled", case_unsignaled, 0, "sq_sig_all=0, one signaled WR in 8" },
	{ "send_stream", case_send_stream, 0, "300 SENDs of 1..8192 bytes in flight, order and data" },
	{ "shared_cq_qp_num", case_shared_cq, 0, "two QPs on one CQ: wc.qp_num and wc.opcode" },
	{ "fast_mixed", case_fast_mixed, 0, "small SENDs with a WRITE and a 4 KiB SEND mid-stream: order, data, both paths" },
	{ "fast_rnr", case_fast_rnr, 0, "RNR met on the fast path: waits, then completes with its data" },
	{ "fast_srq", case_fast_srq, 0, "an SRQ consumed by fast and kernel QPs at once: each WQE once, order, data, limit event" },
	{ "fast_quiet", case_fast_quiet, 0, "a quiet kernel-path QP beside a busy fast QP on one CQ is still served" },
	{ "zero_len_rdma", case_zero_len_rdma, 0, "zero-length WRITE/READ/WRITE_IMM with rkey 0 succeed (UCX fences)" },
	{ "uc_send", case_uc, 0, "UC SEND" },
	{ "uc_write", case_uc, 1, "UC RDMA_WRITE" },
	{ "uc_write_imm", case_uc, 2, "UC RDMA_WRITE_WITH_IMM" },
	{ "cq_event_next", case_cq_event, 0, "completion channel, next-completion events, ack" },
	{ "cq_event_solicited", case_solicited, 0, "solicited-only arming ignores unsolicited SENDs" },
	{ "fence", case_fence, 0, "IBV_SEND_FENCE: a WRITE after a READ sends the READ's data" },
	{ "write_order", case_write_order, 0, "RDMA WRITE: last byte lands last (responder spins)" },
	{ "atomic_fadd_concurrent", case_atomic_fadd_conc, 0, "two QPs FETCH_ADD one counter: exact sum" },
	{ "atomic_cas_concurrent", case_atomic_cas_conc, 0, "two QPs CMP_SWAP-increment one counter" },
	{ "srq_shared", case_srq_shared, 0, "4 QPs share one SRQ: wc.qp_num, order, data" },
	{ "srq_limit", case_srq_limit, 0, "srq_limit arms IBV_EVENT_SRQ_LIMIT_REACHED" },
	{ "rnr_recover", case_rnr_recover, 0, "RNR: receive posted late completes with rnr_retry 7" },
	{ "rnr_exceeded_0", case_rnr_exceeded, 0, "RNR: rnr_retry 0 -> RNR_RETRY_EXC_ERR, QP in ERR" },
	{ "rnr_exceeded_2", case_rnr_exceeded, 2, "RNR: rnr_retry 2 -> RNR_RETRY_EXC_ERR, QP in ERR" },
	{ "rem_access_write_bad_rkey", case_rem_access, RA_WRITE_BAD_RKEY, "WRITE, bad rkey" },
	{ "rem_access_write_rkey_0", case_rem_access, RA_WRITE_RKEY_ZERO, "WRITE, rkey 0" },
	{ "rem_access_write_other_pd", case_rem_access, RA_WRITE_OTHER_PD, "WRITE, rkey of an MR in another PD" },
	{ "rem_access_write_oob_end", case_rem_access, RA_WRITE_OOB_END, "WRITE crossing the MR's end" },
	{ "rem_access_write_oob_before", case_rem_access, RA_WRITE_OOB_BEFORE, "WRITE starting before the MR" },
	{ "rem_access_write_no_access", case_rem_access, RA_WRITE_NO_ACCESS, "WRITE, MR without REMOTE_WRITE" },
	{ "rem_access_read_bad_rkey", case_rem_access, RA_READ_BAD_RKEY, "READ, bad rkey" },
	{ "rem_access_read_oob", case_rem_access, RA_READ_OOB, "READ crossing the MR's end" },
	{ "rem_access_read_no_access", case_rem_access, RA_READ_NO_ACCESS, "READ, MR without REMOTE_READ" },
	{ "rem_access_atomic_bad_rkey", case_rem_access, RA_ATOMIC_BAD_RKEY, "FETCH_ADD, bad rkey" },
	{ "rem_access_atomic_no_access", case_rem_access, RA_ATOMIC_NO_ACCESS, "FETCH_ADD, MR without REMOTE_ATOMIC" },
	{ "rem_access_atomic_oob", case_rem_access, RA_ATOMIC_OOB, "FETCH_ADD past the MR's end" },
	{ "rem_atomic_misaligned", case_rem_access, RA_ATOMIC_MISALIGNED, "FETCH_ADD at a misaligned address" },
	{ "rem_access_after_dereg", case_rem_access, RA_WRITE_AFTER_DEREG, "WRITE with the rkey of a deregistered MR" },
	{ "loc_prot_send_bad_lkey", case_loc_prot, LP_SEND_BAD_LKEY, "SEND, bad lkey" },
	{ "loc_prot_write_bad_lkey", case_loc_prot, LP_WRITE_BAD_LKEY, "WRITE, bad lkey" },
	{ "loc_prot_read_bad_lkey", case_loc_prot, LP_READ_BAD_LKEY, "READ into a bad lkey" },
	{ "loc_prot_read_no_local_write", case_loc_prot, LP_READ_NO_LOCAL_WRITE, "READ into an MR without LOCAL_WRITE" },
	{ "loc_prot_send_other_pd", case_loc_prot, LP_SEND_OTHER_PD, "SEND from an MR of another PD" },
	{ "loc_prot_send_oob", case_loc_prot, LP_SEND_OOB_LKEY, "SEND crossing the local MR's end" },
	{ "recv_bad_lkey", case_recv_bad_lkey, 0, "receive SGE with a bad lkey" },
	{ "recv_too_small", case_recv_too_small, 0, "receive buffer too small: LOC_LEN_ERR / REM_INV_REQ_ERR" },
	{ "err_flush", case_err_flush, 0, "modify to ERR flushes every outstanding WR, in order" },
	{ "err_flush_unsignaled", case_err_flush, 1, "flush of unsignaled WRs still completes them" },
	{ "err_post", case_err_post, 0, "WRs posted to a QP in ERR complete with WR_FLUSH_ERR" },
	{ "sq_full", case_queue_full, 0, "posting beyond the SQ depth fails with ENOMEM, bad_wr set" },
	{ "rq_full", case_queue_full, 1, "posting beyond the RQ depth fails with ENOMEM, bad_wr set" },
	{ "qp_state_machine", case_qp_sm, 0, "invalid transitions rejected (EINVAL), QP unchanged" },
	{ "qp_bad_attr", case_qp_bad_attr, 0, "invalid attributes rejected (EINVAL), QP unchanged" },
	{ "query_qp", case_query_qp, 0, "ibv_query_qp returns what was set" },
	{ "resize_cq", case_resize_cq, 0, "resize_cq keeps outstanding completions, in order" },
};
const int ncases = sizeof(cases) / sizeof(cases[0]);

static struct {
	const char *mode, *host, *filter;
	int tcp_port, wait_s;
} opt = { .tcp_port = 18600, .wait_s = 120 };

/* ---- reporting --------------------------------------------------------------------- */
uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void vdiag(struct ctx *c, const char *fmt, va_list ap)
{
	size_t room = sizeof(c->diag) - c->diag_len;
	int n;

	if (room < 2)
		return;
	n = vsnprintf(c->diag + c->diag_len, room - 1, fmt, ap);
	if (n < 0)
		return;
	c->diag_len += (size_t)n < room - 1 ? (size_t)n : room - 2;
	c->diag[c->diag_len++] = '\n';
	c->diag[c->diag_len] = 0;
	if (c->verbose) {
		fprintf(stderr, "[%c %s] %.*s", c->role == ROLE_A ? 'A' : 'B', c->case_name,
			n, c->diag + c->diag_len - n - 1);
		fputc('\n', stderr);
	}
}

void note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(c, fmt, ap);
	va_end(ap);
}

bool fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	/* after the peer's abort, our own follow-up errors are noise */
	if (c->result == RES_ABORTED && c->peer_aborted)
		return false;
	va_start(ap, fmt);
	vdiag(c, fmt, ap);
	va_end(ap);
	c->result = RES_FAIL;
	if (!c->abort_sent && !c->proto_error) {
		c->abort_sent = true;
		ch_send(c, MSG_ABORT, 0, NULL, 0);
	}
	return false;
}

void skip(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->result != RES_PASS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->skip_reason, sizeof(c->skip_reason), fmt, ap);
	va_end(ap);
	c->result = RES_SKIP;
}

/* ---- watchdog: a case stuck inside a verbs call ends the run ------------------------------ */
static const char *volatile wd_case = "";
static volatile int wd_tap;
static volatile int wd_client;

static void wd_fire(int sig)
{
	char msg[256];
	int n;

	(void)sig;
	if (wd_client)
		n = snprintf(msg, sizeof(msg), "not ok %d - %s (hung: no progress within the case "
			     "budget, probably inside a verbs call)\nBail out! %s hung\n", wd_tap,
			     wd_case, wd_case);
	else
		n = snprintf(msg, sizeof(msg), "pcv_conform server: case %s hung\n", wd_case);
	if (n > 0 && write(wd_client ? 1 : 2, msg, n) < 0)
		n = 0;
	_exit(3);
}

static void wd_arm(struct ctx *c, const char *name, int tap)
{
	wd_case = name;
	wd_tap = tap;
	signal(SIGALRM, wd_fire);
	/* generous: several completion budgets plus the side channel's */
	alarm(name ? (unsigned)(c->tmo_ms / 1000) * 8 + 120 : 0);
}

/* ---- the case runner (both roles) ------------------------------------------------------ */
static void reset_case(struct ctx *c, int no, const char *name)
{
	c->case_no = no;
	c->case_name = name;
	c->result = RES_PASS;
	c->abort_sent = c->peer_aborted = false;
	c->diag_len = 0;
	c->diag[0] = 0;
	c->skip_reason[0] = 0;
	c->have_peer_result = false;
	c->peer_result = RES_PASS;
	c->peer_diag[0] = 0;
}

/* Send our RESULT, then read until the peer's RESULT (skipping the rest of
 * this case's traffic).  Returns false if the side channel is broken. */
static bool finish_case(struct ctx *c)
{
	static __thread uint8_t msg[DIAG_MAX + 200];
	uint32_t st = htole32(c->result);
	size_t n;

	memcpy(msg, &st, 4);
	n = c->diag_len;
	if (c->result == RES_SKIP)
		n = snprintf((char *)msg + 4, sizeof(msg) - 4, "%s", c->skip_reason);
	else
		memcpy(msg + 4, c->diag, n);
	if (ch_send(c, MSG_RESULT, 0, msg, 4 + n))
		return false;
	while (!c->have_peer_result) {
		uint32_t t, cn, s, len = 0;
		int r = ch_recv_raw(c, &t, &cn, &s, msg, sizeof(msg) - 1, &len,
				    c->tmo_ms * 4 + 60000);

		if (r || cn != (uint32_t)c->case_no) {
			c->proto_error = true;
			return false;
		}
		if (t == MSG_RESULT) {
			uint32_t v;

			memcpy(&v, msg, 4);
			c->peer_result = le32toh(v);
			len = len > 4 ? len - 4 : 0;
			if (len >= sizeof(c->peer_diag))
				len = sizeof(c->peer_diag) - 1;
			memcpy(c->peer_diag, msg + 4, len);
			c->peer_diag[len] = 0;
			c->have_peer_result = true;
		}
	}
	return true;
}

static void print_lines(const char *prefix, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		int n = e ? (int)(e - p) : (int)strlen(p);

		printf("# %s%.*s\n", prefix, n, p);
		p += n + (e ? 1 : 0);
	}
}

static const char *roles[2] = { "", "[server] " };

/* Client side: one TAP line from both results. */
static bool report(struct ctx *c, int tap_no, const struct case_def *cd, uint64_t ms)
{
	int a = c->result, b = c->peer_result;
	bool ok;
	const char *skipr = NULL;

	if (a == RES_FAIL || b == RES_FAIL)
		ok = false;
	else if (a == RES_SKIP || b == RES_SKIP)
		ok = true;	/* one side skipped: the other stopped with it */
	else if (a == RES_ABORTED || b == RES_ABORTED)
		ok = false;	/* one side stopped without saying why */
	else
		ok = true;
	if (ok && a == RES_SKIP)
		skipr = c->skip_reason;
	else if (ok && b == RES_SKIP)
		skipr = c->peer_diag;
	if (skipr)
		printf("ok %d - %s: %s # SKIP %s\n", tap_no, cd->name, cd->what, skipr);
	else
		printf("%sok %d - %s: %s (%llu ms)\n", ok ? "" : "not ", tap_no, cd->name, cd->what,
		       (unsigned long long)ms);
	print_lines(roles[0], c->diag);
	if (b != RES_SKIP)
		print_lines(roles[1], c->peer_diag);
	if (!ok && a == RES_ABORTED && b == RES_PASS)
		printf("# the server finished the case early\n");
	if (!ok && b == RES_ABORTED && a == RES_PASS)
		printf("# the server stopped the case (side channel?)\n");
	fflush(stdout);
	return ok;
}

static bool selected(const char *name)
{
	char buf[1024], *save = NULL, *tok;
	bool any_inc = false, inc = false;

	if (!opt.filter || !*opt.filter)
		return true;
	snprintf(buf, sizeof(buf), "%s", opt.filter);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '!') {
			if (!fnmatch(tok + 1, name, 0))
				return false;
			continue;
		}
		any_inc = true;
		if (!fnmatch(tok, name, 0) || strstr(name, tok))
			inc = true;
	}
	return !any_inc || inc;
}

struct hello {
	uint32_t version;
	uint32_t tmo_ms;
	uint64_t seed;
	uint32_t is_rxe;
	uint32_t max_qp_rd_atom;
	char dev[32];
};

static void hello_out(struct ctx *c, struct hello *h)
{
	memset(h, 0, sizeof(*h));
	h->version = htole32(PROTO_VERSION);
	h->tmo_ms = htole32(c->tmo_ms);
	h->seed = htole64(c->seed);
	h->is_rxe = htole32(c->dev->is_rxe);
	h->max_qp_rd_atom = htole32(c->dev->attr.max_qp_rd_atom);
	snprintf(h->dev, sizeof(h->dev), "%s", c->dev->name);
}

static int client_run(struct ctx *c)
{
	struct hello h, ph;
	int i, n = 0, tap = 0, failed = 0;
	uint64_t t0 = now_ms();

	for (i = 0; i < ncases; i++)
		n += selected(cases[i].name);
	reset_case(c, 0, "hello");
	hello_out(c, &h);
	if (!xchg(c, 0, &h, &ph, sizeof(h)) || le32toh(ph.version) != PROTO_VERSION) {
		printf("Bail out! side channel handshake failed %s\n", c->diag);
		return 2;
	}
	c->peer_is_rxe = le32toh(ph.is_rxe);
	c->peer_max_qp_rd_atom = le32toh(ph.max_qp_rd_atom);
	printf("TAP version 13\n1..%d\n", n);
	printf("# pcv_conform %s: device %s port %d gid %d (%s, LID %u, active MTU %d), peer %.31s, seed %llu\n",
	       c->loopback ? "loopback" : "client", c->dev->name, c->dev->port, c->dev->gidx,
	       c->dev->is_eth ? "RoCE" : "InfiniBand", c->dev->pattr.lid,
	       128 << c->dev->pattr.active_mtu, ph.dev, (unsigned long long)c->seed);
	fflush(stdout);
	for (i = 0; i < ncases; i++) {
		uint64_t t;

		if (!selected(cases[i].name))
			continue;
		tap++;
		reset_case(c, i + 1, cases[i].name);
		if (ch_send(c, MSG_CASE, 0, cases[i].name, strlen(cases[i].name) + 1)) {
			printf("Bail out! side channel lost before %s\n", cases[i].name);
			return 2;
		}
		t = now_ms();
		wd_client = 1;
		wd_arm(c, cases[i].name, tap);
		cases[i].fn(c, cases[i].arg);
		if (!finish_case(c)) {
			printf("not ok %d - %s: %s\n", tap, cases[i].name, cases[i].what);
			print_lines("", c->diag);
			printf("Bail out! side channel lost during %s\n", cases[i].name);
			return 2;
		}
		wd_arm(c, NULL, 0);
		if (!report(c, tap, &cases[i], now_ms() - t))
			failed++;
	}
	reset_case(c, 0, "end");
	ch_send(c, MSG_END, 0, NULL, 0);
	printf("# %d cases, %d failed, %llu ms\n", tap, failed, (unsigned long long)(now_ms() - t0));
	return failed ? 1 : 0;
}

static int server_run(struct ctx *c)
{
	struct hello h, ph;
	int failed = 0;

	reset_case(c, 0, "hello");
	hello_out(c, &h);
	if (!xchg(c, 0, &h, &ph, sizeof(h)) || le32toh(ph.version) != PROTO_VERSION) {
		fprintf(stderr, "pcv_conform server: handshake failed\n");
		return 2;
	}
	c->seed = le64toh(ph.seed);
	c->tmo_ms = le32toh(ph.tmo_ms);
	c->peer_is_rxe = le32toh(ph.is_rxe);
	c->peer_max_qp_rd_atom = le32toh(ph.max_qp_rd_atom);
	for (;;) {
		char name[128] = "";
		uint32_t t, cn, s, len = 0;
		int i, r;

		c->case_no = 0;
		r = ch_recv_raw(c, &t, &cn, &s, name, sizeof(name) - 1, &len, 600000);
		if (r) {
			fprintf(stderr, "pcv_conform server: side channel lost (%s)\n", strerror(-r));
			return 2;
		}
		if (t == MSG_END)
			break;
		if (t != MSG_CASE) {
			fprintf(stderr, "pcv_conform server: unexpected message %u\n", t);
			return 2;
		}
		name[len < sizeof(name) ? len : sizeof(name) - 1] = 0;
		for (i = 0; i < ncases; i++)
			if (!strcmp(cases[i].name, name))
				break;
		reset_case(c, cn, name);
		if (!c->loopback)
			wd_arm(c, cases[i < ncases ? i : 0].name, 0);
		if (i == ncases)
			fail(c, "server does not know case %s", name);
		else
			cases[i].fn(c, cases[i].arg);
		if (c->result == RES_FAIL)
			failed++;
		if (!finish_case(c)) {
			fprintf(stderr, "pcv_conform server: side channel lost in %s\n", name);
			return 2;
		}
		if (!c->loopback)
			wd_arm(c, NULL, 0);
	}
	return failed ? 1 : 0;
}

/* ---- modes -------------------------------------------------------------------------------- */
struct thr {
	struct ctx c;
	int rc;
};

static void *server_thread(void *arg)
{
	struct thr *t = arg;

	t->rc = server_run(&t->c);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pcv_conform server|loopback|list [opts]\n"
		"       pcv_conform client HOST [opts]\n"
		"       pcv_conform multi -r RANK -H HOST0,HOST1,... [opts]\n"
		"opts: -d DEV -i PORT -g GIDX(-1: no GRH) -c FILTER -s SEED -p TCPPORT -t MS -W S -v\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct dev dev = { .name = "pciev0", .port = 1, .gidx = -2 };
	struct ctx c = { .tmo_ms = 20000 };
	int ch, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	opt.mode = argv[1];
	if (!strcmp(opt.mode, "multi"))
		return multi_main(argc - 1, argv + 1);
	if (!strcmp(opt.mode, "list")) {
		for (ch = 0; ch < ncases; ch++)
			printf("%-30s %s\n", cases[ch].name, cases[ch].what);
		return 0;
	}
	argc--;
	argv++;
	if (!strcmp(opt.mode, "client")) {
		if (argc < 2)
			usage();
		opt.host = argv[1];
		argc--;
		argv++;
	} else if (strcmp(opt.mode, "server") && strcmp(opt.mode, "loopback")) {
		usage();
	}
	c.seed = mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	while ((ch = getopt(argc, argv, "d:i:g:c:s:p:t:W:v")) != -1) {
		switch (ch) {
		case 'd': dev.name = optarg; break;
		case 'i': dev.port = atoi(optarg); break;
		case 'g': dev.gidx = atoi(optarg); break;
		case 'c': opt.filter = optarg; break;
		case 's': c.seed = strtoull(optarg, NULL, 0); break;
		case 'p': opt.tcp_port = atoi(optarg); break;
		case 't': c.tmo_ms = atoi(optarg); break;
		case 'W': opt.wait_s = atoi(optarg); break;
		case 'v': c.verbose = true; break;
		default: usage();
		}
	}
	if (dev_open(&dev)) {
		if (!strcmp(opt.mode, "server"))
			return 2;
		printf("1..0\nBail out! cannot open device %s\n", dev.name);
		return 2;
	}
	c.dev = &dev;

	if (!strcmp(opt.mode, "loopback")) {
		int sv[2];
		struct thr b;
		pthread_t tid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return 2;
		c.role = ROLE_A;
		c.fd = sv[0];
		c.loopback = true;
		b.c = c;
		b.c.role = ROLE_B;
		b.c.fd = sv[1];
		pthread_create(&tid, NULL, server_thread, &b);
		rc = client_run(&c);
		if (rc == 2)
			shutdown(sv[0], SHUT_RDWR);
		pthread_join(tid, NULL);
		if (b.rc && !rc)
			rc = 1;
	} else if (!strcmp(opt.mode, "server")) {
		int lfd = tcp_listen(opt.tcp_port);

		if (lfd < 0) {
			fprintf(stderr, "pcv_conform server: cannot listen on %d: %s\n", opt.tcp_port,
				strerror(errno));
			return 2;
		}
		c.fd = tcp_accept(lfd, opt.wait_s * 1000);
		close(lfd);
		if (c.fd < 0) {
			fprintf(stderr, "pcv_conform server: no client within %d s\n", opt.wait_s);
			return 2;
		}
		c.role = ROLE_B;
		rc = server_run(&c);
	} else {
		c.fd = tcp_connect(opt.host, opt.tcp_port, opt.wait_s * 1000);
		if (c.fd < 0) {
			printf("1..0\nBail out! cannot connect to %s:%d\n", opt.host, opt.tcp_port);
			return 2;
		}
		c.role = ROLE_A;
		rc = client_run(&c);
	}
	close(c.fd);
	dev_close(&dev);
	return rc;
}
