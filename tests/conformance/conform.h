/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pcv_conform: RC/UC verbs conformance suite (libibverbs + a TCP side channel).
 *
 * Two roles run every case: role A (the client, usually the requester) and
 * role B (the server, usually the responder).  In "loopback" mode both roles
 * are threads of one process on one device, talking over a socketpair; in
 * client/server mode they are two processes on two blades talking over TCP on
 * the management link.  The case code is the same in both modes.
 */
#ifndef PCV_CONFORM_H
#define PCV_CONFORM_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <infiniband/verbs.h>

#define ROLE_A	0	/* client: prints TAP */
#define ROLE_B	1	/* server */

#define MAXQP	8
#define MAXMR	8
#define DIAG_MAX 6144

/* ---- per-role device state ---------------------------------------------- */
struct dev {
	const char *name;		/* device name (-d) */
	int port;			/* -i */
	int gidx;			/* -g; -1: no GRH, address by LID */
	struct ibv_context *ctx;
	struct ibv_device_attr attr;
	struct ibv_port_attr pattr;
	union ibv_gid gid;
	bool is_eth;			/* RoCE port */
	bool is_rxe;			/* Soft-RoCE: known deviations allowed */
};

/* ---- side channel messages ----------------------------------------------- */
enum msg_type {
	MSG_HELLO = 1,
	MSG_CASE,		/* payload: case name */
	MSG_SYNC,
	MSG_DATA,
	MSG_ABORT,		/* the sender failed the case and bailed out */
	MSG_RESULT,		/* payload: struct result_wire + diag text */
	MSG_END,
};

#define RES_PASS	0
#define RES_FAIL	1
#define RES_SKIP	2
#define RES_ABORTED	3	/* stopped because the peer failed */

/* ---- per-role case context ------------------------------------------------ */
struct ctx {
	int role;
	struct dev *dev;
	int fd;				/* side channel */
	uint64_t seed;			/* run seed (client's) */
	int case_no;
	const char *case_name;
	int tmo_ms;			/* completion wait budget */
	bool loopback;
	bool verbose;
	/* peer's device facts (from HELLO) */
	bool peer_is_rxe;
	uint32_t peer_max_qp_rd_atom;
	/* current case */
	int result;
	bool abort_sent;
	bool peer_aborted;
	bool proto_error;		/* side channel broken: bail out */
	char diag[DIAG_MAX];
	size_t diag_len;
	char skip_reason[128];
	/* a RESULT that arrived while we still waited for something else */
	bool have_peer_result;
	int peer_result;
	char peer_diag[DIAG_MAX];
};

/* ---- registered buffers ---------------------------------------------------- */
struct buf {
	uint8_t *p;
	size_t len;
	struct ibv_mr *mr;
};

/* Remote view of one side, exchanged at connect (little endian on the wire). */
struct rinfo {
	uint32_t lid;
	uint32_t nqp;
	uint32_t mtu;			/* enum ibv_mtu: active MTU */
	uint32_t nmr;
	uint8_t gid[16];
	uint32_t qpn[MAXQP];
	uint32_t psn[MAXQP];
	uint64_t addr[MAXMR];
	uint64_t len[MAXMR];
	uint32_t rkey[MAXMR];
	uint32_t srqn;
	uint32_t pad;
};

struct qp_opts {
	enum ibv_qp_type type;		/* IBV_QPT_RC or IBV_QPT_UC */
	int nqp;
	int sq, rq;			/* queue depths */
	int ssge, rsge;
	int inl;			/* max_inline_data requested */
	int sig_all;
	int srq_wr;			/* >0: one SRQ shared by all QPs */
	int srq_sge;
	int cqe;
	bool separate_cq;		/* send and recv CQs apart */
	bool channel;			/* completion channel on the CQs */
	int mtu;			/* 0: min(local, remote active) */
	int min_rnr_timer, rnr_retry, retry_cnt, timeout;
	int max_rd_atomic, max_dest_rd_atomic;
	int access;			/* qp_access_flags */
	uint32_t sq_psn;		/* 0: random */
};

struct conn {
	struct ctx *c;
	struct qp_opts o;
	struct ibv_pd *pd;
	struct ibv_comp_channel *chan;
	struct ibv_cq *scq, *rcq;
	struct ibv_srq *srq;
	struct ibv_qp *qp[MAXQP];
	uint32_t psn[MAXQP];
	struct buf *exp[MAXMR];		/* buffers exposed to the peer */
	int nexp;
	struct rinfo r;			/* the peer's */
	uint32_t cq_events;		/* unacked CQ events */
};

/* ---- main.c: reporting ---------------------------------------------------------- */
void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define FAILED(c) ((c)->result != RES_PASS)
uint64_t now_ms(void);
uint64_t now_us(void);

/* ---- chan.c --------------------------------------------------------------------- */
int ch_send(struct ctx *c, uint32_t type, uint32_t step, const void *p, uint32_t len);
/* Wait for a message of TYPE/STEP (payload into p, at most len bytes).
 * Returns false on peer abort, timeout or protocol error (recorded). */
bool ch_expect(struct ctx *c, uint32_t type, uint32_t step, void *p, uint32_t len,
	       uint32_t *got_len, int tmo_ms);
bool sync_step(struct ctx *c, uint32_t step);
bool xchg(struct ctx *c, uint32_t step, const void *out, void *in, uint32_t len);
bool send_u64(struct ctx *c, uint32_t step, uint64_t v);
bool recv_u64(struct ctx *c, uint32_t step, uint64_t *v);
void check_abort(struct ctx *c);
/* raw message helpers used by the runner */
int ch_recv_raw(struct ctx *c, uint32_t *type, uint32_t *case_no, uint32_t *step,
		void *p, uint32_t cap, uint32_t *len, int tmo_ms);
int tcp_listen(int port);
int tcp_accept(int lfd, int tmo_ms);
int tcp_connect(const char *host, int port, int tmo_ms);
int write_full(int fd, const void *p, size_t len);
int read_full(int fd, void *p, size_t len, int tmo_ms);

/* ---- verbs.c -------------------------------------------------------------------- */
int dev_open(struct dev *d);
void dev_close(struct dev *d);
const char *wc_status_name(int s);
const char *wc_opcode_name(int o);
const char *qp_state_name(int s);
void qp_opts_default(struct ctx *c, struct qp_opts *o);
bool conn_create(struct ctx *c, struct conn *cn, const struct qp_opts *o);
bool conn_connect(struct conn *cn, uint32_t step);
void conn_destroy(struct conn *cn);
bool qp_to_init(struct conn *cn, struct ibv_qp *qp);
bool qp_to_rtr(struct conn *cn, struct ibv_qp *qp, uint32_t rqpn, uint32_t rpsn);
bool qp_to_rts(struct conn *cn, struct ibv_qp *qp, uint32_t psn);
bool buf_alloc(struct conn *cn, struct buf *b, size_t len, int access);
bool buf_alloc_pd(struct ctx *c, struct ibv_pd *pd, struct buf *b, size_t len, int access);
void buf_free(struct buf *b);
void conn_expose(struct conn *cn, struct buf *b);
int qp_state(struct ibv_qp *qp);
bool expect_qp_state(struct ctx *c, struct ibv_qp *qp, int state, const char *what);

bool post_send(struct ctx *c, struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id,
	       struct buf *b, size_t off, uint32_t len, int flags,
	       uint64_t raddr, uint32_t rkey, uint32_t imm);
bool post_atomic(struct ctx *c, struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id,
		 struct buf *res, size_t off, uint64_t raddr, uint32_t rkey,
		 uint64_t cmp_add, uint64_t swap, int flags);
bool post_recv(struct ctx *c, struct ibv_qp *qp, uint64_t wr_id, struct buf *b, size_t off,
	       uint32_t len);
bool post_srq_recv(struct ctx *c, struct ibv_srq *srq, uint64_t wr_id, struct buf *b,
		   size_t off, uint32_t len);
/* Poll until n completions (or the deadline).  Returns how many arrived. */
int wait_wc(struct ctx *c, struct ibv_cq *cq, int n, struct ibv_wc *wc, int tmo_ms,
	    const char *what);
/* Poll up to n completions for ms; never fails the case. */
int poll_quiet(struct ibv_cq *cq, int n, struct ibv_wc *wc, int ms);
int wait_async(struct ctx *c, enum ibv_event_type type, void *elem, int ms);
bool expect_no_wc(struct ctx *c, struct ibv_cq *cq, int ms, const char *what);
bool check_wc(struct ctx *c, const struct ibv_wc *wc, uint64_t wr_id, int status, int opcode,
	      struct ibv_qp *qp, const char *what);
/* status must be SPEC; on rxe, RXE is accepted too (reported as a deviation) */
bool check_status(struct ctx *c, const struct ibv_wc *wc, int spec, int rxe, const char *what);
bool wait_one(struct ctx *c, struct ibv_cq *cq, uint64_t wr_id, int status, int opcode,
	      struct ibv_qp *qp, const char *what);
/* Wait for one successful receive completion and check every field:
 * imm < 0: no immediate expected. */
bool wait_recv(struct ctx *c, struct ibv_cq *cq, uint64_t wr_id, int opcode, struct ibv_qp *qp,
	       uint32_t byte_len, int64_t imm, const char *what);

/* data patterns */
uint64_t mix64(uint64_t x);
uint64_t cseed(struct ctx *c, uint64_t salt);
void pat_fill(void *p, size_t len, uint64_t seed);
bool pat_check(struct ctx *c, const void *p, size_t len, uint64_t seed, const char *what);
bool pat_check_quiet(const void *p, size_t len, uint64_t seed);
bool byte_check(struct ctx *c, const void *p, size_t len, uint8_t v, const char *what);
void spin_pause(unsigned long *n);

/* ---- cases --------------------------------------------------------------------- */
typedef void (*case_fn)(struct ctx *c, long arg);
struct case_def {
	const char *name;
	case_fn fn;
	long arg;
	const char *what;
};
extern const struct case_def cases[];
extern const int ncases;

#define DECL_CASE(f) void f(struct ctx *c, long arg)
/* cases_ops.c */
DECL_CASE(case_caps);
DECL_CASE(case_send);
DECL_CASE(case_send_imm);
DECL_CASE(case_write);
DECL_CASE(case_write_imm);
DECL_CASE(case_read);
DECL_CASE(case_read_many);
DECL_CASE(case_cmp_swap);
DECL_CASE(case_fetch_add);
DECL_CASE(case_sge_send);
DECL_CASE(case_sge_write);
DECL_CASE(case_sge_read);
DECL_CASE(case_inline);
DECL_CASE(case_unsignaled);
DECL_CASE(case_send_stream);
DECL_CASE(case_shared_cq);
DECL_CASE(case_uc);
/* cases_fast.c */
DECL_CASE(case_fast_mixed);
DECL_CASE(case_fast_rnr);
DECL_CASE(case_fast_srq);
DECL_CASE(case_fast_quiet);
/* cases_mpi.c */
DECL_CASE(case_zero_len_rdma);
/* cases_err.c */
DECL_CASE(case_rnr_recover);
DECL_CASE(case_rnr_exceeded);
DECL_CASE(case_rem_access);
DECL_CASE(case_loc_prot);
DECL_CASE(case_recv_bad_lkey);
DECL_CASE(case_recv_too_small);
DECL_CASE(case_err_flush);
DECL_CASE(case_err_post);
DECL_CASE(case_queue_full);
/* cases_misc.c */
DECL_CASE(case_cq_event);
DECL_CASE(case_solicited);
DECL_CASE(case_fence);
DECL_CASE(case_write_order);
DECL_CASE(case_atomic_fadd_conc);
DECL_CASE(case_atomic_cas_conc);
DECL_CASE(case_srq_shared);
DECL_CASE(case_srq_limit);
DECL_CASE(case_qp_sm);
DECL_CASE(case_qp_bad_attr);
DECL_CASE(case_query_qp);
DECL_CASE(case_resize_cq);

/* rem_access variants (case_rem_access arg) */
enum {
	RA_WRITE_BAD_RKEY, RA_WRITE_RKEY_ZERO, RA_WRITE_OTHER_PD, RA_WRITE_OOB_END,
	RA_WRITE_OOB_BEFORE, RA_WRITE_NO_ACCESS, RA_READ_BAD_RKEY, RA_READ_OOB,
	RA_READ_NO_ACCESS, RA_ATOMIC_BAD_RKEY, RA_ATOMIC_NO_ACCESS, RA_ATOMIC_OOB,
	RA_ATOMIC_MISALIGNED, RA_WRITE_AFTER_DEREG, RA_SEND_NOT_ALLOWED_UNUSED,
};
/* loc_prot variants */
enum { LP_SEND_BAD_LKEY, LP_WRITE_BAD_LKEY, LP_READ_BAD_LKEY, LP_READ_NO_LOCAL_WRITE,
       LP_SEND_OTHER_PD, LP_SEND_OOB_LKEY };

/* multi.c */
int multi_main(int argc, char **argv);

#endif
