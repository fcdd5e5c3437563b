// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcv_udabuse: datagrams and MADs a well-behaved sender never sends.
 *
 *   pcv_udabuse rx [-d DEV] [-k QKEY] [-n GOOD] [-t SECONDS]
 *   pcv_udabuse tx [-d DEV] -l LID -q QPN [-k QKEY] [-n GOOD] [-a ABSENT_LID]
 *                  [-r RANDOM_MADS] [-s SEED]
 *
 * rx: a UD QP with Q_Key QKEY (default 0x11111111) and 128 receives posted.
 * Prints "QPN <n>", then receives until GOOD (default 64) good datagrams
 * arrived, every byte checked, and one second more for strays.  Prints
 * "rx good G unexpected U" and exits 0 only if G == GOOD and U == 0: none of
 * the bad datagrams the tx side sent in between was delivered.
 *
 * tx (TAP on stdout, for the chassis test to relay):
 *  - address handles to LID 0, to an absent LID and by the GID of an absent
 *    blade are refused with EINVAL;
 *  - GOOD good datagrams to LID:QPN, each followed by one to a QPN nobody
 *    has and one with the wrong Q_Key: every send completes successfully
 *    (UD tells the sender nothing, as on an HCA) and the receiver gets the
 *    good ones only (its side of the check);
 *  - from a second UD QP with the GSI Q_Key (needs CAP_NET_RAW), to QP1 of
 *    LID: 8 malformed MADs (wrong lengths, base versions: the target counts
 *    them in mad_drop_malformed), SA requests with a known answer (bad class
 *    version, unknown method, unknown attribute, paths to an absent LID or
 *    with nothing named, ClassPortInfo), RANDOM_MADS (default 200) random SA
 *    requests which must each be answered, 20 random "responses" which must
 *    not be, and a last ClassPortInfo which must still be answered.
 * The "# malformed N" line tells the test how many malformed MADs were sent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/verbs.h>

#define GRH		40
#define SLOT		(GRH + 4096)
#define NRX		128
#define NTX		256
#define MAD		256
#define GSI_QKEY	0x80010000U
#define ABSENT_QPN	0xfedcbaU

static int tap_n, tap_failed;

static void tap(bool good, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", good ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!good)
		tap_failed++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift: the same "random" MADs for a seed, so a failure can be replayed. */
static uint64_t rnd_state = 88172645463325252ULL;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

struct ud {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	uint8_t *buf;		/* NRX receive slots, then NTX send slots */
	struct ibv_qp *qp;
	struct ibv_qp *gsi;	/* tx: the QP with the GSI Q_Key */
	uint16_t lid;
	union ibv_gid gid;
};

static uint8_t *rx_slot(struct ud *u, unsigned int i) { return u->buf + (size_t)i * SLOT; }
static uint8_t *tx_slot(struct ud *u, unsigned int i) { return u->buf + (size_t)(NRX + i) * SLOT; }

static int post_recv(struct ud *u, struct ibv_qp *qp, unsigned int i)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)rx_slot(u, i), .length = SLOT, .lkey = u->mr->lkey,
	};
	struct ibv_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 }, *bad;

	return ibv_post_recv(qp, &wr, &bad);
}

static struct ibv_qp *ud_qp(struct ud *u, uint32_t qkey)
{
	struct ibv_qp_init_attr ia = {
		.send_cq = u->cq, .recv_cq = u->cq, .qp_type = IBV_QPT_UD,
		.cap = { .max_send_wr = NTX, .max_recv_wr = NRX, .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1, .qkey = qkey };
	struct ibv_qp *qp = ibv_create_qp(u->pd, &ia);
	int err;

	if (!qp) {
		fprintf(stderr, "ibv_create_qp: %s\n", strerror(errno));
		return NULL;
	}
	err = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY);
	if (!err) {
		a.qp_state = IBV_QPS_RTR;
		err = ibv_modify_qp(qp, &a, IBV_QP_STATE);
	}
	if (!err) {
		a.qp_state = IBV_QPS_RTS;
		a.sq_psn = 0;
		err = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN);
	}
	if (err) {
		fprintf(stderr, "ibv_modify_qp (Q_Key 0x%x): %s\n", qkey, strerror(err));
		ibv_destroy_qp(qp);
		return NULL;
	}
	return qp;
}

static int ud_open(struct ud *u, const char *dev)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_port_attr pa;
	int i;

	for (i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), dev))
			u->ctx = ibv_open_device(list[i]);
	if (list)
		ibv_free_device_list(list);
	if (!u->ctx) {
		fprintf(stderr, "cannot open %s\n", dev);
		return -1;
	}
	u->pd = ibv_alloc_pd(u->ctx);
	u->cq = u->pd ? ibv_create_cq(u->ctx, 2 * (NRX + NTX), NULL, NULL, 0) : NULL;
	u->buf = calloc(NRX + NTX, SLOT);
	u->mr = u->cq && u->buf ? ibv_reg_mr(u->pd, u->buf, (size_t)(NRX + NTX) * SLOT,
					     IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!u->mr || ibv_query_port(u->ctx, 1, &pa) || ibv_query_gid(u->ctx, 1, 0, &u->gid)) {
		fprintf(stderr, "%s: setup failed: %s\n", dev, strerror(errno));
		return -1;
	}
	u->lid = pa.lid;
	return 0;
}

/* Good datagram SEQ: "PCVGOOD", the sequence number, a pattern; 64..2063 bytes. */
static uint32_t good_len(uint32_t seq) { return 64 + seq * 97 % 2000; }

static void good_fill(uint8_t *p, uint32_t seq)
{
	uint32_t i, len = good_len(seq);

	memcpy(p, "PCVGOOD", 8);
	memcpy(p + 8, &seq, 4);
	for (i = 12; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i);
}

/* The sequence number of a good datagram, or -1 if it is not one. */
static int good_check(const uint8_t *p, uint32_t len)
{
	uint32_t seq, i;

	if (len < 12 || memcmp(p, "PCVGOOD", 8))
		return -1;
	memcpy(&seq, p + 8, 4);
	if (seq > 1000000 || len != good_len(seq))
		return -1;
	for (i = 12; i < len; i++)
		if (p[i] != (uint8_t)(seq * 31 + i))
			return -1;
	return (int)seq;
}

static int do_rx(struct ud *u, uint32_t qkey, int want, int secs)
{
	int good = 0, unexpected = 0, i, n;
	double deadline = now() + secs, linger = 0;
	struct ibv_wc wc[16];
	uint8_t seen[1024] = { 0 };

	u->qp = ud_qp(u, qkey);
	if (!u->qp)
		return 2;
	for (i = 0; i < NRX; i++)
		if (post_recv(u, u->qp, i))
			return 2;
	printf("QPN %u LID %u\n", u->qp->qp_num, u->lid);
	fflush(stdout);
	while (now() < (linger ? linger : deadline)) {
		n = ibv_poll_cq(u->cq, 16, wc);
		if (n < 0) {
			fprintf(stderr, "ibv_poll_cq failed\n");
			return 2;
		}
		for (i = 0; i < n; i++) {
			int seq = -1;

			if (wc[i].status == IBV_WC_SUCCESS && wc[i].byte_len >= GRH)
				seq = good_check(rx_slot(u, wc[i].wr_id) + GRH, wc[i].byte_len - GRH);
			if (seq < 0 || seq >= want || seen[seq]) {
				printf("# unexpected completion: status %s, byte_len %u, src_qp %u\n",
				       ibv_wc_status_str(wc[i].status), wc[i].byte_len, wc[i].src_qp);
				unexpected++;
			} else {
				seen[seq] = 1;
				good++;
			}
			if (wc[i].status == IBV_WC_SUCCESS && post_recv(u, u->qp, wc[i].wr_id))
				return 2;
		}
		if (good == want && !linger)
			linger = now() + 1.0;
		if (!n)
			usleep(200);
	}
	printf("rx good %d unexpected %d\n", good, unexpected);
	return good == want && !unexpected ? 0 : 1;
}

/* Send LEN bytes of tx slot SLOT to (ah, qpn, qkey) on qp; signalled. */
static int send_dg(struct ud *u, struct ibv_qp *qp, struct ibv_ah *ah, uint32_t qpn, uint32_t qkey,
		   unsigned int slot, uint32_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)tx_slot(u, slot), .length = len, .lkey = u->mr->lkey,
	};
	struct ibv_send_wr wr = {
		.wr_id = NRX + slot, .sg_list = &sge, .num_sge = len ? 1 : 0,
		.opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED,
		.wr.ud = { .ah = ah, .remote_qpn = qpn, .remote_qkey = qkey },
	}, *bad;

	return ibv_post_send(qp, &wr, &bad);
}

struct reply_log {
	uint64_t tid[1024];
	uint16_t status[1024];
	uint8_t method[1024];
	int n;
};

static uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/*
 * Poll for SECS seconds: send completions (failed ones counted), and MAD
 * replies arriving on the GSI-Q_Key QP, logged and their receives reposted.
 * Without a log it returns as soon as SENDS send completions came.
 */
static int reap(struct ud *u, int sends, double secs, int *send_errors, struct reply_log *log)
{
	double deadline = now() + secs;
	struct ibv_wc wc[16];
	int i, n;

	while (now() < deadline) {
		n = ibv_poll_cq(u->cq, 16, wc);
		if (n < 0)
			return -1;
		for (i = 0; i < n; i++) {
			const uint8_t *m = rx_slot(u, wc[i].wr_id) + GRH;

			if (wc[i].wr_id >= NRX) {	/* a send */
				sends--;
				if (wc[i].status != IBV_WC_SUCCESS) {
					(*send_errors)++;
					printf("# send completion: %s\n",
					       ibv_wc_status_str(wc[i].status));
				}
				continue;
			}
			if (wc[i].status == IBV_WC_SUCCESS && wc[i].byte_len == GRH + MAD &&
			    log && log->n < 1024) {
				log->tid[log->n] = get_be64(m + 8);
				log->status[log->n] = get_be16(m + 4);
				log->method[log->n] = m[3];
				log->n++;
			} else {
				printf("# receive: %s, %u bytes\n", ibv_wc_status_str(wc[i].status),
				       wc[i].byte_len);
			}
			if (post_recv(u, u->gsi, wc[i].wr_id))
				return -1;
		}
		if (sends <= 0 && !log)
			return 0;
		if (!n)
			usleep(200);
	}
	return sends <= 0 ? 0 : -1;
}

/* An SA request: base version 1, SubnAdm class, version 2. */
static void sa_req(uint8_t *m, uint8_t method, uint16_t attr, uint64_t tid)
{
	memset(m, 0, MAD);
	m[0] = 1;
	m[1] = 0x03;
	m[2] = 2;
	m[3] = method;
	put_be64(m + 8, tid);
	m[16] = attr >> 8;
	m[17] = attr & 0xff;
}

/* The index of TID's reply in the log, or -1. */
static int find_reply(const struct reply_log *log, uint64_t tid)
{
	int i;

	for (i = 0; i < log->n; i++)
		if (log->tid[i] == tid)
			return i;
	return -1;
}

/* Reap until every TID in tids[] has a reply logged, or SECS seconds. */
static void collect(struct ud *u, struct reply_log *log, const uint64_t *tids, int ntids,
		    int sends, double secs, int *send_errors)
{
	double deadline = now() + secs;
	int i, missing;

	do {
		reap(u, sends, 0.05, send_errors, log);
		sends = 0;
		for (i = 0, missing = 0; i < ntids; i++)
			missing += find_reply(log, tids[i]) < 0;
	} while (missing && now() < deadline);
}

static int do_tx(struct ud *u, uint16_t lid, uint32_t qpn, uint32_t qkey, int ngood,
		 uint16_t absent, int nrandom)
{
	struct ibv_ah_attr aa = { .dlid = 0, .port_num = 1 };
	static struct reply_log log;
	struct ibv_ah *ah;
	int i, err, send_errors = 0, sent = 0, malformed = 0;
	uint64_t tid = 0x5043560000000000ULL;	/* "PCV" */

	/* Address handles that name no one. */
	ah = ibv_create_ah(u->pd, &aa);
	tap(!ah && errno == EINVAL, "ibv_create_ah to LID 0 refused with EINVAL (%s)",
	    ah ? "created" : strerror(errno));
	aa.dlid = absent;
	ah = ibv_create_ah(u->pd, &aa);
	tap(!ah && errno == EINVAL, "ibv_create_ah to absent LID %u refused with EINVAL (%s)",
	    absent, ah ? "created" : strerror(errno));
	aa.dlid = 0;
	aa.is_global = 1;
	aa.grh.dgid = u->gid;
	aa.grh.dgid.raw[15] = (uint8_t)(absent - 1);
	aa.grh.hop_limit = 1;
	ah = ibv_create_ah(u->pd, &aa);
	tap(!ah && errno == EINVAL, "ibv_create_ah by the GID of absent blade %u refused (%s)",
	    absent - 1, ah ? "created" : strerror(errno));

	memset(&aa, 0, sizeof(aa));
	aa.dlid = lid;
	aa.port_num = 1;
	ah = ibv_create_ah(u->pd, &aa);
	tap(ah != NULL, "ibv_create_ah to LID %u", lid);
	u->qp = ud_qp(u, qkey);
	u->gsi = ud_qp(u, GSI_QKEY);
	tap(u->qp && u->gsi, "UD QPs with Q_Key 0x%x and with the GSI Q_Key 0x%x", qkey, GSI_QKEY);
	if (!ah || !u->qp || !u->gsi) {
		printf("Bail out! setup failed\n");
		return 2;
	}

	/* Good ones, each followed by one to nobody and one with the wrong Q_Key. */
	for (i = 0; i < ngood; i++) {
		good_fill(tx_slot(u, 0), i);
		good_fill(tx_slot(u, 1), i);
		err = send_dg(u, u->qp, ah, qpn, qkey, 0, good_len(i));
		err = err ?: send_dg(u, u->qp, ah, ABSENT_QPN, qkey, 1, good_len(i));
		err = err ?: send_dg(u, u->qp, ah, qpn, qkey ^ 0x00ff00ffU, 1, good_len(i));
		if (err || reap(u, 3, 10, &send_errors, NULL)) {
			printf("# datagram %d: post %s, or no completions in 10 s\n", i,
			       strerror(err));
			break;
		}
		sent += 3;
	}
	tap(sent == 3 * ngood && !send_errors,
	    "%d datagrams (%d good, %d to QPN 0x%x, %d with a wrong Q_Key) all completed successfully (%d errors)",
	    sent, sent / 3, sent / 3, ABSENT_QPN, sent / 3, send_errors);
	printf("# bad_qpn %d bad_qkey %d\n", sent / 3, sent / 3);

	/* MADs to QP1: receives for the replies first. */
	err = 0;
	for (i = 0; i < NRX; i++)
		if (post_recv(u, u->gsi, i))
			return 2;
	{
		static const uint32_t lens[] = { 0, 1, 64, 255, 257, 1024 };

		for (i = 0; i < 6; i++) {
			sa_req(tx_slot(u, i), 0x01, 0x0001, tid++);
			err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, i, lens[i]);
		}
		sa_req(tx_slot(u, 6), 0x01, 0x0001, tid++);
		tx_slot(u, 6)[0] = 2;	/* base version */
		sa_req(tx_slot(u, 7), 0x01, 0x0001, tid++);
		tx_slot(u, 7)[0] = 0;
		err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, 6, MAD);
		err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, 7, MAD);
		malformed = 8;
		reap(u, 8, 2, &send_errors, &log);
		tap(!err && !send_errors && log.n == 0,
		    "8 malformed MADs (0, 1, 64, 255, 257, 1024 bytes; base versions 2, 0) sent to QP1, none answered (%d replies)",
		    log.n);
		printf("# malformed %d\n", malformed);
	}
	{
		static const struct { const char *what; uint8_t method; uint16_t attr; uint16_t status; }
		cases[] = {
			{ "class version 9", 0x01, 0x0001, 0x0004 },
			{ "unknown method 0x7e", 0x7e, 0x1234, 0x0008 },
			{ "unknown attribute 0x1234", 0x01, 0x1234, 0x000c },
			{ "PathRecord to an absent LID", 0x01, 0x0035, 0x0300 },
			{ "PathRecord Get naming no destination", 0x01, 0x0035, 0x0200 },
			{ "ClassPortInfo", 0x01, 0x0001, 0x0000 },
		};
		uint64_t tids[6];
		int k;

		for (i = 0; i < 6; i++) {
			uint8_t *m = tx_slot(u, i);

			tids[i] = tid++;
			sa_req(m, cases[i].method, cases[i].attr, tids[i]);
			if (i == 0)
				m[2] = 9;
			if (i == 3) {
				put_be64(m + 48, 1ULL << 4);	/* DLID */
				m[56 + 40] = absent >> 8;
				m[56 + 41] = absent & 0xff;
			}
			err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, i, MAD);
		}
		log.n = 0;
		collect(u, &log, tids, 6, 6, 10, &send_errors);
		for (i = 0; i < 6; i++) {
			k = find_reply(&log, tids[i]);
			tap(!err && k >= 0 && log.status[k] == cases[i].status &&
			    (log.method[k] & 0x80),
			    "SA request, %s: answered with status 0x%04x (got %s0x%04x)",
			    cases[i].what, cases[i].status, k < 0 ? "no reply, " : "",
			    k < 0 ? 0 : log.status[k]);
		}
	}
	{
		/* Random SA requests: each must be answered; random responses never. */
		static uint64_t tids[1024];
		int answered = 0, batch, nresp = 20, j, errors = 0;

		nrandom = nrandom > 1000 ? 1000 : nrandom;
		for (i = 0; i < nrandom; i += batch) {
			batch = nrandom - i < 32 ? nrandom - i : 32;
			for (j = 0; j < batch; j++) {
				uint8_t *m = tx_slot(u, j);
				static const uint16_t attrs[] = { 0x0001, 0x0035, 0x0038, 0x0000 };
				uint16_t attr = attrs[rnd() % 4];
				int b;

				for (b = 0; b < MAD; b++)
					m[b] = (uint8_t)rnd();
				if (!attr)
					attr = (uint16_t)rnd();
				tids[i + j] = tid++;
				m[0] = 1;
				m[1] = 0x03;
				m[2] = rnd() % 8 ? 2 : (uint8_t)rnd();
				m[3] &= 0x7f;
				put_be64(m + 8, tids[i + j]);
				m[16] = attr >> 8;
				m[17] = attr & 0xff;
				err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, j, MAD);
			}
			log.n = 0;
			collect(u, &log, tids + i, batch, batch, 10, &send_errors);
			for (j = 0; j < batch; j++) {
				int k = find_reply(&log, tids[i + j]);

				if (k >= 0)
					answered++;
				if (k >= 0 && log.status[k])
					errors++;
			}
		}
		tap(!err && answered == nrandom && !send_errors,
		    "%d random SA requests (seeded), every one answered: %d (%d with an error status)",
		    nrandom, answered, errors);
		for (j = 0; j < nresp; j++) {
			uint8_t *m = tx_slot(u, j);

			sa_req(m, (uint8_t)(0x80 | rnd()), (uint16_t)rnd(), tid++);
			err = err ?: send_dg(u, u->gsi, ah, 1, GSI_QKEY, j, MAD);
		}
		log.n = 0;
		reap(u, nresp, 3, &send_errors, &log);
		tap(!err && log.n == 0, "%d random SA responses sent to QP1: none answered (%d)",
		    nresp, log.n);
	}
	{
		uint64_t t = tid++;
		int k;

		sa_req(tx_slot(u, 0), 0x01, 0x0001, t);
		err = send_dg(u, u->gsi, ah, 1, GSI_QKEY, 0, MAD);
		log.n = 0;
		collect(u, &log, &t, 1, 1, 10, &send_errors);
		k = find_reply(&log, t);
		tap(!err && k >= 0 && log.status[k] == 0,
		    "after all that, ClassPortInfo is still answered with status 0");
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *dev = "pciev0";
	uint32_t qkey = 0x11111111, qpn = 0;
	int ngood = 64, secs = 60, nrandom = 200, opt;
	uint16_t lid = 0, absent = 9;
	struct ud u = { 0 };

	if (argc < 2 || (strcmp(argv[1], "rx") && strcmp(argv[1], "tx"))) {
		fprintf(stderr, "usage: %s rx|tx [options] (see the source)\n", argv[0]);
		return 2;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "d:k:n:t:l:q:a:r:s:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'k': qkey = strtoul(optarg, NULL, 0); break;
		case 'n': ngood = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'l': lid = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'q': qpn = strtoul(optarg, NULL, 0); break;
		case 'a': absent = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'r': nrandom = atoi(optarg); break;
		case 's': rnd_state ^= strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ULL; break;
		default: return 2;
		}
	}
	if (ngood < 1 || ngood > NRX || (qkey & 0x80000000U) || absent < 2) {
		fprintf(stderr, "-n 1..%d, -k without the high bit, -a >= 2\n", NRX);
		return 2;
	}
	if (ud_open(&u, dev))
		return 2;
	if (!strcmp(argv[1], "rx"))
		return do_rx(&u, qkey, ngood, secs);
	if (!lid || !qpn) {
		fprintf(stderr, "tx needs -l LID -q QPN\n");
		return 2;
	}
	return do_tx(&u, lid, qpn, qkey, ngood, absent, nrandom);
}
