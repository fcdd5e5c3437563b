// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A user-space stand-in for the uverbs interface of pcieverbs.ko, loaded
 * with LD_PRELOAD so the provider can run on a machine without the kernel
 * driver.
 *
 * It interposes write(), ioctl(), mmap() and munmap().  A write() or
 * ioctl() on the fake uverbs node (see fake_uverbs.h) is parsed the way
 * ib_uverbs parses it (6.1: uverbs_main.c for write(), uverbs_ioctl.c and
 * uverbs_std_types_*.c for RDMA_VERBS_IOCTL), checked the way the pcieverbs
 * ABI rules in include/rdma/pcieverbs-abi.h say the kernel checks it, and
 * answered where the command says.  An mmap() of the node at a ring's key
 * maps the memfd behind that ring (the fake keeps its own mapping too: the
 * "kernel" side).  Every other call goes to the real system call.  Unknown
 * commands fail with EOPNOTSUPP (write) / EPROTONOSUPPORT (ioctl), like a
 * kernel without the op.
 *
 * Commands are handled in two layers, as in the kernel: a front end per
 * transport (legacy write(), extended write(), ioctl INVOKE_WRITE, native
 * ioctl methods) locates the core request/response and the driver data
 * (udata), and a "driver" part shared by all transports does the work.
 *
 * This is a test double, not a model of the driver: the answers are the
 * constants in fake_uverbs.h and the PCV_FAKE_* knobs.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <rdma/ib_user_ioctl_cmds.h>
#include <rdma/ib_user_ioctl_verbs.h>
#include <rdma/ib_user_verbs.h>
#include <rdma/rdma_user_ioctl_cmds.h>
#include <rdma/pcieverbs-abi.h>

#include "fake_uverbs.h"

#define FK_MAX		64		/* objects of each kind */
#define FK_MAX_MAPS	256
#define FK_KICKQ	256		/* CQEs pending for a POLL_CQ */
#define FK_PAGE		4096UL

/* Attribute-mask bits (IB_QP_STATE, IB_SRQ_MAX_WR, IB_SRQ_LIMIT), which
 * no user-space uapi header names.
 */
#define FK_QP_STATE	(1U << 0)
#define FK_QP_QKEY	(1U << 6)
#define FK_SRQ_MAX_WR	(1U << 0)
#define FK_SRQ_LIMIT	(1U << 1)

/* ---- state ---------------------------------------------------------------- */
struct fring {
	int memfd;			/* -1: no ring */
	uint8_t *kmap;			/* the kernel's own mapping */
	size_t size;			/* page multiple */
	uint32_t entries, stride;
	uint64_t key;
};

struct fcq {
	bool used;
	struct fring ring;
	struct pcv_cqe kickq[FK_KICKQ];	/* written at the next POLL_CQ */
	unsigned int nkick;
};

struct fqp {
	bool used;
	uint32_t qpn, type, pd, scq, rcq, srq, state;
	bool has_srq;
	struct ib_uverbs_qp_cap cap;	/* granted */
	struct fring sq, rq;
	uint64_t kicks;
	bool consume;
	struct pcv_sq_wqe *log;
	size_t nlog, caplog;
	struct { uint8_t gid[16]; uint16_t lid; } mcast[FAKE_MCAST_PER_QP];
	unsigned int nmcast;
};

struct fsrq {
	bool used;
	uint32_t pd, max_wr, max_sge, limit;
	struct fring ring;
};

struct fmr {
	bool used;
	uint32_t pd, access;
};

struct fah {
	bool used;
	uint32_t pd, drv;		/* drv: the handle create_ah answered */
	struct ib_uverbs_ah_attr attr;
};

static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t pd_in_use;		/* bit h: PD handle h allocated */
static struct fcq cqs[FK_MAX];
static struct fqp qps[FK_MAX];
static struct fsrq srqs[FK_MAX];
static struct fmr mrs[FK_MAX];
static struct fah ahs[FK_MAX];
static uint64_t next_key = 0x10;	/* in pages */
static struct pcv_fake_stats st;
static struct { void *addr; size_t len; } maps[FK_MAX_MAPS];
static struct { const char *verb; const char *via; } tlog[64];

/* ---- helpers ----------------------------------------------------------------- */
static uint32_t knob(const char *name, uint32_t def)
{
	const char *v = getenv(name);

	return v ? (uint32_t)strtoul(v, NULL, 0) : def;
}

static uint64_t knob64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v ? strtoull(v, NULL, 0) : def;
}

/* Does this "kernel" announce UD (the caps knob, read at each call)? */
static bool fake_has_ud(void)
{
	return knob("PCV_FAKE_CAPS", FAKE_DEF_CAPS) & PCV_UCTX_CAP_UD;
}

static int is_fake_node(int fd)
{
	struct stat st_;

	return fd >= 0 && fstat(fd, &st_) == 0 && S_ISCHR(st_.st_mode) &&
	       major(st_.st_rdev) == FAKE_UVERBS_MAJOR &&
	       minor(st_.st_rdev) == FAKE_UVERBS_MINOR;
}

/* Driver data the user sent beyond what we know must be zero. */
static int tail_is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static uint32_t pow2_roundup(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int raw_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

static void note_transport(const char *verb, const char *via)
{
	size_t i;

	for (i = 0; i < sizeof(tlog) / sizeof(tlog[0]) && tlog[i].verb; i++)
		if (strcmp(tlog[i].verb, verb) == 0)
			break;
	if (i < sizeof(tlog) / sizeof(tlog[0])) {
		tlog[i].verb = verb;
		tlog[i].via = via;
	}
}

static int ring_alloc(struct fring *r, uint32_t entries, uint32_t stride)
{
	size_t size = PCV_RING_ENTRIES_OFF + (size_t)entries * stride;

	size = (size + FK_PAGE - 1) & ~(FK_PAGE - 1);
	r->memfd = memfd_create("pcv-fake-ring", MFD_CLOEXEC);
	if (r->memfd < 0)
		return errno;
	if (ftruncate(r->memfd, size)) {
		close(r->memfd);
		r->memfd = -1;
		return ENOMEM;
	}
	r->kmap = raw_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   r->memfd, 0);
	if (r->kmap == MAP_FAILED) {
		close(r->memfd);
		r->memfd = -1;
		return ENOMEM;
	}
	r->size = size;
	r->entries = entries;
	r->stride = stride;
	r->key = next_key++ * FK_PAGE;
	st.live_rings++;
	return 0;
}

/* The kernel removes the mmap entry and drops its own mapping; mappings
 * the process still holds keep the memory alive (as with a real
 * rdma_user_mmap_entry).
 */
static void ring_free(struct fring *r)
{
	if (r->memfd >= 0) {
		raw_munmap(r->kmap, r->size);
		close(r->memfd);
		st.live_rings--;
	}
	memset(r, 0, sizeof(*r));
	r->memfd = -1;
}

static struct pcv_ring_hdr *ring_hdr(struct fring *r)
{
	return (struct pcv_ring_hdr *)r->kmap;
}

static void *ring_slot(struct fring *r, uint32_t idx)
{
	return r->kmap + PCV_RING_ENTRIES_OFF +
	       (size_t)(idx & (r->entries - 1)) * r->stride;
}

static struct fring *ring_by_key(uint64_t key)
{
	for (int i = 0; i < FK_MAX; i++) {
		if (cqs[i].used && cqs[i].ring.memfd >= 0 &&
		    cqs[i].ring.key == key)
			return &cqs[i].ring;
		if (qps[i].used && qps[i].sq.memfd >= 0 && qps[i].sq.key == key)
			return &qps[i].sq;
		if (qps[i].used && qps[i].rq.memfd >= 0 && qps[i].rq.key == key)
			return &qps[i].rq;
		if (srqs[i].used && srqs[i].ring.memfd >= 0 &&
		    srqs[i].ring.key == key)
			return &srqs[i].ring;
	}
	return NULL;
}

/* Copy a driver response: what the knob says (default: all of it), never
 * more than the user's buffer.  A user buffer shorter than the first
 * release is refused, as the ABI rules say.
 */
static int copy_drv_resp(uint8_t *uout, size_t uoutlen, const void *resp,
			 size_t size, const char *bytes_knob)
{
	size_t n = knob(bytes_knob, (uint32_t)size);

	if (uoutlen < size)
		return EINVAL;
	if (n > size)
		n = size;
	memcpy(uout, resp, n);
	return 0;
}

/* The fixed 8-byte requests of create_cq/resize_cq/create_qp/create_srq:
 * present, comp_mask and reserved 0, zero tail.
 */
static int check_drv_req(const uint8_t *uin, size_t uinlen)
{
	uint32_t w[2];

	if (uinlen < sizeof(w))
		return EINVAL;
	memcpy(w, uin, sizeof(w));
	if (w[0] || w[1] || !tail_is_zero(uin + sizeof(w), uinlen - sizeof(w)))
		return EINVAL;
	return 0;
}

/* ---- the driver part: one function per verb, transport-independent ---- */
struct fcall {
	const uint8_t *in;		/* core request (after any header) */
	size_t inlen;
	const uint8_t *uin;		/* driver request (udata in) */
	size_t uinlen;
	uint8_t *out;			/* core response */
	size_t outlen;
	uint8_t *uout;			/* driver response (udata out) */
	size_t uoutlen;
	bool ioctl;
};

static int drv_get_context(struct fcall *c)
{
	struct pcv_ibv_alloc_ucontext_req req;
	struct pcv_ibv_alloc_ucontext_resp drv = { 0 };
	size_t ncopy;

	/* The request struct must be there, with no unknown comp_mask bits,
	 * reserved 0 and a zero tail; the response must have room for the
	 * first release.
	 */
	if (c->uinlen < sizeof(req) || c->uoutlen < sizeof(drv))
		return EINVAL;
	memcpy(&req, c->uin, sizeof(req));
	if (req.comp_mask || req.reserved ||
	    !tail_is_zero(c->uin + sizeof(req), c->uinlen - sizeof(req)))
		return EINVAL;

	drv.comp_mask = knob("PCV_FAKE_UCTX_COMP_MASK", 0);
	drv.blade_id = knob("PCV_FAKE_BLADE_ID", FAKE_DEF_BLADE_ID);
	drv.nr_blades = knob("PCV_FAKE_NR_BLADES", FAKE_DEF_NR_BLADES);
	drv.wire_version = FAKE_WIRE_VERSION;
	drv.caps = knob("PCV_FAKE_CAPS", FAKE_DEF_CAPS);
	ncopy = knob("PCV_FAKE_UCTX_BYTES", sizeof(drv));
	if (ncopy > sizeof(drv))
		ncopy = sizeof(drv);
	memcpy(c->uout, &drv, ncopy);
	return 0;
}

static void fill_device(struct ib_uverbs_query_device_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->fw_ver = FAKE_FW_VER;
	r->node_guid = htobe64(FAKE_NODE_GUID);
	r->sys_image_guid = htobe64(FAKE_NODE_GUID);
	r->max_mr_size = ~0ULL;
	r->page_size_cap = 4096;
	r->vendor_id = FAKE_VENDOR_ID;
	r->vendor_part_id = FAKE_VENDOR_PART_ID;
	r->hw_ver = 1;
	r->max_qp = FK_MAX;
	r->max_qp_wr = FAKE_MAX_WR;
	r->max_sge = PCV_MAX_SEND_SGE;
	r->max_cq = FK_MAX;
	r->max_cqe = FAKE_MAX_CQE;
	r->max_mr = FK_MAX;
	r->max_pd = FAKE_MAX_PDS;
	r->max_srq = FK_MAX;
	r->max_srq_wr = FAKE_MAX_WR;
	r->max_srq_sge = PCV_MAX_RECV_SGE;
	r->max_pkeys = 1;
	r->phys_port_cnt = 1;
}

static void fill_port(struct ib_uverbs_query_port_resp *r)
{
	uint32_t blade = knob("PCV_FAKE_BLADE_ID", FAKE_DEF_BLADE_ID);

	memset(r, 0, sizeof(*r));
	r->state = 4;			/* IB_PORT_ACTIVE */
	r->max_mtu = 5;			/* IB_MTU_4096 */
	r->active_mtu = 5;
	r->gid_tbl_len = 1;
	r->pkey_tbl_len = 1;
	r->max_msg_sz = 1U << 31;
	r->lid = blade + 1;
	r->sm_lid = blade + 1;
	r->max_vl_num = 1;
	r->active_width = 1;
	r->active_speed = 1;
	r->phys_state = 5;		/* LinkUp */
	r->link_layer = 1;		/* IB_LINK_LAYER_INFINIBAND */
}

static int drv_alloc_pd(struct fcall *c, uint32_t *handle)
{
	struct pcv_ibv_alloc_pd_resp drv = { 0 };
	uint32_t h;

	/* No alloc_pd request struct exists: any driver input must be 0. */
	if (!tail_is_zero(c->uin, c->uinlen) || c->uoutlen < sizeof(drv))
		return EINVAL;
	for (h = 0; h < FAKE_MAX_PDS && (pd_in_use >> h & 1); h++)
		;
	if (h == FAKE_MAX_PDS)
		return ENOMEM;
	pd_in_use |= 1ULL << h;
	st.live_pds++;
	drv.pdn = h + FAKE_PDN_BASE;
	memcpy(c->uout, &drv, sizeof(drv));
	*handle = h;
	return 0;
}

static int drv_dealloc_pd(uint32_t h)
{
	if (h >= FAKE_MAX_PDS || !(pd_in_use >> h & 1))
		return EINVAL;
	for (int i = 0; i < FK_MAX; i++)
		if ((qps[i].used && qps[i].pd == h) ||
		    (srqs[i].used && srqs[i].pd == h) ||
		    (mrs[i].used && mrs[i].pd == h) ||
		    (ahs[i].used && ahs[i].pd == h))
			return EBUSY;
	pd_in_use &= ~(1ULL << h);
	st.live_pds--;
	return 0;
}

static bool pd_ok(uint32_t h)
{
	return h < FAKE_MAX_PDS && (pd_in_use >> h & 1);
}

static int drv_create_cq(struct fcall *c, uint32_t cqe, uint32_t *handle,
			 uint32_t *out_cqe)
{
	struct pcv_ibv_create_cq_resp drv = { 0 };
	struct fcq *cq = NULL;
	uint32_t h;
	int ret;

	ret = check_drv_req(c->uin, c->uinlen);
	if (ret)
		return ret;
	if (cqe < 1 || cqe > FAKE_MAX_CQE)
		return EINVAL;
	for (h = 0; h < FK_MAX && cqs[h].used; h++)
		;
	if (h == FK_MAX)
		return ENOMEM;
	cq = &cqs[h];
	memset(cq, 0, sizeof(*cq));
	ret = ring_alloc(&cq->ring, pow2_roundup(cqe), PCV_CQE_SIZE);
	if (ret)
		return ret;
	ring_hdr(&cq->ring)->prod = knob("PCV_FAKE_CQ_PROD", 0);

	drv.cq_entries = knob("PCV_FAKE_CQ_ENTRIES", cq->ring.entries);
	drv.mmap_key = knob64("PCV_FAKE_CQ_KEY", cq->ring.key);
	drv.mmap_size = knob64("PCV_FAKE_CQ_SIZE", cq->ring.size);
	ret = copy_drv_resp(c->uout, c->uoutlen, &drv, sizeof(drv),
			    "PCV_FAKE_CQ_BYTES");
	if (ret) {
		ring_free(&cq->ring);
		return ret;
	}
	cq->used = true;
	st.live_cqs++;
	*handle = h;
	*out_cqe = knob("PCV_FAKE_CQ_CQE", cqe);
	return 0;
}

static struct fcq *cq_get(uint32_t h)
{
	return h < FK_MAX && cqs[h].used ? &cqs[h] : NULL;
}

static int drv_destroy_cq(uint32_t h)
{
	struct fcq *cq = cq_get(h);

	if (!cq)
		return EINVAL;
	for (int i = 0; i < FK_MAX; i++)
		if (qps[i].used && (qps[i].scq == h || qps[i].rcq == h))
			return EBUSY;
	ring_free(&cq->ring);
	cq->used = false;
	st.live_cqs--;
	return 0;
}

/* Resize: a new ring; the CQEs the user has not polled move over at the
 * same free-running indices (new header: same cons and prod).
 */
static int drv_resize_cq(struct fcall *c, uint32_t h, uint32_t cqe,
			 uint32_t *out_cqe)
{
	struct pcv_ibv_resize_cq_resp drv = { 0 };
	struct fcq *cq = cq_get(h);
	struct fring nr;
	uint32_t prod, cons;
	int ret;

	st.resize_cmds++;
	ret = check_drv_req(c->uin, c->uinlen);
	if (ret)
		return ret;
	if (!cq || cqe < 1 || cqe > FAKE_MAX_CQE)
		return EINVAL;
	if (c->uoutlen < sizeof(drv))
		return EINVAL;
	prod = ring_hdr(&cq->ring)->prod;
	cons = __atomic_load_n(&ring_hdr(&cq->ring)->cons, __ATOMIC_ACQUIRE);
	if (prod - cons > pow2_roundup(cqe))
		return EINVAL;		/* would not hold what is queued */
	ret = ring_alloc(&nr, pow2_roundup(cqe), PCV_CQE_SIZE);
	if (ret)
		return ret;
	for (uint32_t i = cons; i != prod; i++)
		memcpy(ring_slot(&nr, i), ring_slot(&cq->ring, i), PCV_CQE_SIZE);
	ring_hdr(&nr)->cons = cons;
	ring_hdr(&nr)->prod = prod;
	ring_free(&cq->ring);
	cq->ring = nr;

	drv.cq_entries = knob("PCV_FAKE_RESIZE_ENTRIES", nr.entries);
	drv.mmap_key = knob64("PCV_FAKE_RESIZE_KEY", nr.key);
	drv.mmap_size = knob64("PCV_FAKE_RESIZE_SIZE", nr.size);
	copy_drv_resp(c->uout, c->uoutlen, &drv, sizeof(drv),
		      "PCV_FAKE_RESIZE_BYTES");
	*out_cqe = cqe;
	return 0;
}

/* "Inbound processing": move the CQEs queued for the kick into the ring. */
static void cq_run_kickq(struct fcq *cq)
{
	struct pcv_ring_hdr *hdr = ring_hdr(&cq->ring);
	unsigned int i;

	for (i = 0; i < cq->nkick; i++) {
		uint32_t cons = __atomic_load_n(&hdr->cons, __ATOMIC_ACQUIRE);

		if (hdr->prod - cons >= cq->ring.entries)
			break;
		memcpy(ring_slot(&cq->ring, hdr->prod), &cq->kickq[i],
		       sizeof(cq->kickq[i]));
		__atomic_store_n(&hdr->prod, hdr->prod + 1, __ATOMIC_RELEASE);
	}
	memmove(cq->kickq, cq->kickq + i, (cq->nkick - i) * sizeof(cq->kickq[0]));
	cq->nkick -= i;
}

static void cqe_to_uwc(const struct pcv_cqe *e, struct ib_uverbs_wc *w)
{
	memset(w, 0, sizeof(*w));
	w->wr_id = e->wr_id;
	w->status = e->status;
	w->opcode = e->opcode;
	w->vendor_err = e->vendor_err;
	w->byte_len = e->byte_len;
	w->ex.imm_data = e->imm_data;
	w->qp_num = e->qp_num;
	w->src_qp = e->src_qp;
	w->wc_flags = e->wc_flags;
	w->pkey_index = e->pkey_index;
	w->slid = e->slid;
	w->sl = e->sl;
	w->dlid_path_bits = e->dlid_path_bits;
}

static int h_poll_cq(struct fcall *c)
{
	struct ib_uverbs_poll_cq cmd;
	struct ib_uverbs_poll_cq_resp resp = { 0 };
	struct fcq *cq;

	memcpy(&cmd, c->in, sizeof(cmd));
	cq = cq_get(cmd.cq_handle);
	if (!cq)
		return EINVAL;
	st.poll_cmds++;
	st.last_poll_ne = cmd.ne;
	/* The kernel's handler calls the driver once per requested entry,
	 * never for ne == 0: only then does our "driver" run.
	 */
	if (cmd.ne > 0) {
		if (knob("PCV_FAKE_POLL_DIRECT", 0) && cq->nkick &&
		    c->outlen >= sizeof(resp) + sizeof(struct ib_uverbs_wc)) {
			cqe_to_uwc(&cq->kickq[0], (struct ib_uverbs_wc *)
				   (c->out + sizeof(resp)));
			memmove(cq->kickq, cq->kickq + 1,
				--cq->nkick * sizeof(cq->kickq[0]));
			resp.count = 1;
		} else {
			cq_run_kickq(cq);
		}
	}
	memcpy(c->out, &resp, sizeof(resp));
	return 0;
}

static int h_req_notify_cq(struct fcall *c)
{
	struct ib_uverbs_req_notify_cq cmd;

	memcpy(&cmd, c->in, sizeof(cmd));
	if (!cq_get(cmd.cq_handle))
		return EINVAL;
	st.notify_cmds++;
	st.last_notify_solicited = cmd.solicited_only;
	return 0;
}

static struct fsrq *srq_get(uint32_t h)
{
	return h < FK_MAX && srqs[h].used ? &srqs[h] : NULL;
}

static struct fqp *qp_get(uint32_t h)
{
	return h < FK_MAX && qps[h].used ? &qps[h] : NULL;
}

/* cap: requested in, granted out. */
static int drv_create_qp(struct fcall *c, uint32_t pd, uint32_t scq,
			 uint32_t rcq, bool has_srq, uint32_t srq,
			 uint32_t type, bool sig_all,
			 struct ib_uverbs_qp_cap *cap, uint32_t *handle,
			 uint32_t *qpn)
{
	struct pcv_ibv_create_qp_resp drv = { 0 };
	struct fqp *qp;
	uint32_t h;
	int ret;

	ret = check_drv_req(c->uin, c->uinlen);
	if (ret)
		return ret;
	if (c->uoutlen < sizeof(drv))
		return EINVAL;
	if (!pd_ok(pd) || !cq_get(scq) || !cq_get(rcq) ||
	    (has_srq && !srq_get(srq)))
		return EINVAL;
	if (type != IB_UVERBS_QPT_RC && type != IB_UVERBS_QPT_UC &&
	    !(type == IB_UVERBS_QPT_UD && fake_has_ud()))
		return EOPNOTSUPP;
	if (cap->max_send_wr > FAKE_MAX_WR || cap->max_recv_wr > FAKE_MAX_WR ||
	    cap->max_send_sge > PCV_MAX_SEND_SGE ||
	    cap->max_recv_sge > PCV_MAX_RECV_SGE ||
	    cap->max_inline_data > PCV_MAX_INLINE)
		return EINVAL;
	for (h = 0; h < FK_MAX && qps[h].used; h++)
		;
	if (h == FK_MAX)
		return ENOMEM;
	qp = &qps[h];
	memset(qp, 0, sizeof(*qp));
	qp->sq.memfd = qp->rq.memfd = -1;

	if (cap->max_send_wr) {
		ret = ring_alloc(&qp->sq, pow2_roundup(cap->max_send_wr),
				 PCV_SQ_STRIDE);
		if (ret)
			return ret;
	}
	if (!has_srq && cap->max_recv_wr) {
		ret = ring_alloc(&qp->rq, pow2_roundup(cap->max_recv_wr),
				 PCV_RQ_STRIDE);
		if (ret) {
			ring_free(&qp->sq);
			return ret;
		}
	}
	cap->max_send_wr = qp->sq.entries;
	cap->max_recv_wr = qp->rq.entries;
	cap->max_send_sge = cap->max_send_sge ? cap->max_send_sge : 1;
	if (has_srq)
		cap->max_recv_sge = 0;
	else if (!cap->max_recv_sge)
		cap->max_recv_sge = 1;
	qp->cap = *cap;

	drv.qpn = knob("PCV_FAKE_QP_QPN", h + FAKE_QPN_BASE);
	drv.sq_entries = knob("PCV_FAKE_QP_SQ_ENTRIES", qp->sq.entries);
	drv.rq_entries = knob("PCV_FAKE_QP_RQ_ENTRIES", qp->rq.entries);
	drv.max_inline = knob("PCV_FAKE_QP_MAX_INLINE", cap->max_inline_data);
	drv.sq_mmap_key = knob64("PCV_FAKE_QP_SQ_KEY", qp->sq.key);
	drv.sq_mmap_size = knob64("PCV_FAKE_QP_SQ_SIZE", qp->sq.size);
	drv.rq_mmap_key = knob64("PCV_FAKE_QP_RQ_KEY", qp->rq.key);
	drv.rq_mmap_size = knob64("PCV_FAKE_QP_RQ_SIZE", qp->rq.size);
	copy_drv_resp(c->uout, c->uoutlen, &drv, sizeof(drv),
		      "PCV_FAKE_QP_BYTES");

	/* What the core response says (the user's ibv_qp_cap). */
	cap->max_send_wr = knob("PCV_FAKE_QP_CAP_SEND_WR", cap->max_send_wr);
	cap->max_send_sge = knob("PCV_FAKE_QP_CAP_SEND_SGE", cap->max_send_sge);
	cap->max_recv_sge = knob("PCV_FAKE_QP_CAP_RECV_SGE", cap->max_recv_sge);
	cap->max_inline_data = knob("PCV_FAKE_QP_CAP_INLINE",
				    cap->max_inline_data);

	qp->used = true;
	qp->qpn = h + FAKE_QPN_BASE;
	qp->type = type;
	qp->pd = pd;
	qp->scq = scq;
	qp->rcq = rcq;
	qp->has_srq = has_srq;
	qp->srq = srq;
	(void)sig_all;
	st.live_qps++;
	*handle = h;
	*qpn = qp->qpn;
	return 0;
}

static int drv_destroy_qp(uint32_t h)
{
	struct fqp *qp = qp_get(h);

	if (!qp)
		return EINVAL;
	ring_free(&qp->sq);
	ring_free(&qp->rq);
	free(qp->log);
	/* ib_uverbs detaches a destroyed QP from its groups. */
	st.live_mcast -= qp->nmcast;
	qp->used = false;
	st.live_qps--;
	return 0;
}

/* The SQ engine: copy every published WQE into the QP's log, then let
 * cons catch up with prod.  Returns how many were consumed.
 */
static size_t sq_consume_all(struct fqp *qp)
{
	struct pcv_ring_hdr *hdr;
	uint32_t prod, cons;
	size_t n = 0;

	if (qp->sq.memfd < 0)
		return 0;
	hdr = ring_hdr(&qp->sq);
	prod = __atomic_load_n(&hdr->prod, __ATOMIC_ACQUIRE);
	cons = hdr->cons;
	if (prod - cons > qp->sq.entries) {
		hdr->flags |= PCV_RING_F_ERROR;		/* hostile index */
		return 0;
	}
	for (; cons != prod; cons++, n++) {
		if (qp->nlog == qp->caplog) {
			size_t cap = qp->caplog ? 2 * qp->caplog : 1024;
			void *p = realloc(qp->log, cap * sizeof(*qp->log));

			if (!p)
				break;
			qp->log = p;
			qp->caplog = cap;
		}
		memcpy(&qp->log[qp->nlog++], ring_slot(&qp->sq, cons),
		       sizeof(*qp->log));
	}
	__atomic_store_n(&hdr->cons, cons, __ATOMIC_RELEASE);
	return n;
}

/* The doorbell: a POST_SEND with no work request. */
static int h_post_send(struct fcall *c)
{
	struct ib_uverbs_post_send cmd;
	struct ib_uverbs_post_send_resp resp = { 0 };
	struct fqp *qp;

	memcpy(&cmd, c->in, sizeof(cmd));
	qp = qp_get(cmd.qp_handle);
	if (!qp || cmd.wqe_size < sizeof(struct ib_uverbs_send_wr))
		return EINVAL;
	if (cmd.wr_count) {
		/* Our provider must never send WRs through the kernel. */
		st.send_with_wrs++;
		return EINVAL;
	}
	st.send_kicks++;
	qp->kicks++;
	if (qp->consume)
		sq_consume_all(qp);
	memcpy(c->out, &resp, sizeof(resp));
	return 0;
}

static int h_post_recv(struct fcall *c)
{
	(void)c;
	st.recv_cmds++;		/* the provider must never send these */
	return EINVAL;
}

static int h_modify_qp(struct fcall *c)
{
	struct ib_uverbs_modify_qp cmd;
	struct fqp *qp;

	if (!tail_is_zero(c->uin, c->uinlen))
		return EINVAL;
	memcpy(&cmd, c->in, sizeof(cmd));
	qp = qp_get(cmd.qp_handle);
	if (!qp)
		return EINVAL;
	st.modify_qp_cmds++;
	st.last_qp_mask = cmd.attr_mask;
	if (cmd.attr_mask & FK_QP_QKEY)
		st.last_qkey = cmd.qkey;
	if (cmd.attr_mask & FK_QP_STATE) {
		qp->state = cmd.qp_state;
		/* RESET empties the queues.  Like pcieverbs.ko, re-initialise
		 * both indices (to 0) unless PCV_FAKE_RESET_KEEP asks for the
		 * other legal way: cons catches up with prod.
		 */
		if (cmd.qp_state == 0 /* IB_QPS_RESET */) {
			struct fring *rs[2] = { &qp->sq, &qp->rq };

			for (int i = 0; i < 2; i++) {
				struct pcv_ring_hdr *h;

				if (rs[i]->memfd < 0)
					continue;
				h = ring_hdr(rs[i]);
				if (knob("PCV_FAKE_RESET_KEEP", 0)) {
					h->cons = h->prod;
				} else {
					h->prod = 0;
					h->cons = 0;
				}
				h->flags = 0;
			}
		}
	}
	st.last_qp_state = qp->state;
	return 0;
}

static int h_query_qp(struct fcall *c)
{
	struct ib_uverbs_query_qp cmd;
	struct ib_uverbs_query_qp_resp r = { 0 };
	struct fqp *qp;

	memcpy(&cmd, c->in, sizeof(cmd));
	qp = qp_get(cmd.qp_handle);
	if (!qp)
		return EINVAL;
	r.qp_state = qp->state;
	r.cur_qp_state = qp->state;
	r.max_send_wr = qp->cap.max_send_wr;
	r.max_recv_wr = qp->cap.max_recv_wr;
	r.max_send_sge = qp->cap.max_send_sge;
	r.max_recv_sge = qp->cap.max_recv_sge;
	r.max_inline_data = qp->cap.max_inline_data;
	memcpy(c->out, &r, sizeof(r));
	return 0;
}

static int drv_create_srq(struct fcall *c, uint32_t pd, uint32_t *max_wr,
			  uint32_t *max_sge, uint32_t limit, uint32_t *handle)
{
	struct pcv_ibv_create_srq_resp drv = { 0 };
	struct fsrq *srq;
	uint32_t h;
	int ret;

	ret = check_drv_req(c->uin, c->uinlen);
	if (ret)
		return ret;
	if (c->uoutlen < sizeof(drv) || !pd_ok(pd) || *max_wr < 1 ||
	    *max_wr > FAKE_MAX_WR || *max_sge > PCV_MAX_RECV_SGE)
		return EINVAL;
	for (h = 0; h < FK_MAX && srqs[h].used; h++)
		;
	if (h == FK_MAX)
		return ENOMEM;
	srq = &srqs[h];
	memset(srq, 0, sizeof(*srq));
	ret = ring_alloc(&srq->ring, pow2_roundup(*max_wr), PCV_RQ_STRIDE);
	if (ret)
		return ret;
	srq->used = true;
	srq->pd = pd;
	srq->max_wr = srq->ring.entries;
	srq->max_sge = *max_sge ? *max_sge : 1;
	srq->limit = limit;
	st.live_srqs++;

	drv.srq_entries = knob("PCV_FAKE_SRQ_ENTRIES", srq->ring.entries);
	drv.mmap_key = knob64("PCV_FAKE_SRQ_KEY", srq->ring.key);
	drv.mmap_size = knob64("PCV_FAKE_SRQ_SIZE", srq->ring.size);
	copy_drv_resp(c->uout, c->uoutlen, &drv, sizeof(drv),
		      "PCV_FAKE_SRQ_BYTES");
	*max_wr = srq->max_wr;
	*max_sge = knob("PCV_FAKE_SRQ_MAX_SGE", srq->max_sge);
	*handle = h;
	return 0;
}

static int drv_destroy_srq(uint32_t h)
{
	struct fsrq *srq = srq_get(h);

	if (!srq)
		return EINVAL;
	for (int i = 0; i < FK_MAX; i++)
		if (qps[i].used && qps[i].has_srq && qps[i].srq == h)
			return EBUSY;
	ring_free(&srq->ring);
	srq->used = false;
	st.live_srqs--;
	return 0;
}

static int h_modify_srq(struct fcall *c)
{
	struct ib_uverbs_modify_srq cmd;
	struct fsrq *srq;

	if (!tail_is_zero(c->uin, c->uinlen))
		return EINVAL;
	memcpy(&cmd, c->in, sizeof(cmd));
	srq = srq_get(cmd.srq_handle);
	if (!srq)
		return EINVAL;
	st.modify_srq_cmds++;
	st.last_srq_mask = cmd.attr_mask;
	if (cmd.attr_mask & FK_SRQ_MAX_WR)
		return EINVAL;		/* rings are not resized */
	if (cmd.attr_mask & FK_SRQ_LIMIT) {
		srq->limit = cmd.srq_limit;
		st.last_srq_limit = cmd.srq_limit;
	}
	return 0;
}

static int h_query_srq(struct fcall *c)
{
	struct ib_uverbs_query_srq cmd;
	struct ib_uverbs_query_srq_resp r = { 0 };
	struct fsrq *srq;

	memcpy(&cmd, c->in, sizeof(cmd));
	srq = srq_get(cmd.srq_handle);
	if (!srq)
		return EINVAL;
	r.max_wr = srq->max_wr;
	r.max_sge = srq->max_sge;
	r.srq_limit = srq->limit;
	memcpy(c->out, &r, sizeof(r));
	return 0;
}

static int h_reg_mr(struct fcall *c)
{
	struct ib_uverbs_reg_mr cmd;
	struct ib_uverbs_reg_mr_resp r = { 0 };
	uint32_t h;

	/* pcieverbs defines no reg_mr driver data. */
	if (!tail_is_zero(c->uin, c->uinlen))
		return EINVAL;
	memcpy(&cmd, c->in, sizeof(cmd));
	if (!pd_ok(cmd.pd_handle) || !cmd.length)
		return EINVAL;
	for (h = 0; h < FK_MAX && mrs[h].used; h++)
		;
	if (h == FK_MAX)
		return ENOMEM;
	mrs[h].used = true;
	mrs[h].pd = cmd.pd_handle;
	mrs[h].access = cmd.access_flags;
	st.last_mr_access = cmd.access_flags;
	st.live_mrs++;
	r.mr_handle = h;
	r.lkey = FAKE_LKEY_BASE + h;
	r.rkey = FAKE_RKEY_BASE + h;
	memcpy(c->out, &r, sizeof(r));
	return 0;
}

static int drv_dereg_mr(uint32_t h)
{
	if (h >= FK_MAX || !mrs[h].used)
		return EINVAL;
	mrs[h].used = false;
	st.live_mrs--;
	return 0;
}

/* ---- address handles, multicast ------------------------------------------ */
static struct fah *ah_get(uint32_t h)
{
	return h < FK_MAX && ahs[h].used ? &ahs[h] : NULL;
}

/* CREATE_AH (write() or INVOKE_WRITE: 6.1 has no native create).  The
 * core checks the port and the GRH's source GID index before the driver
 * sees the address; pcieverbs defines no request data.
 */
static int h_create_ah(struct fcall *c)
{
	struct ib_uverbs_create_ah cmd;
	struct ib_uverbs_create_ah_resp core = { 0 };
	struct pcv_ibv_create_ah_resp drv = { 0 };
	uint32_t h;
	int ret;

	st.create_ah_cmds++;
	memcpy(&cmd, c->in, sizeof(cmd));
	if (!fake_has_ud())
		return EOPNOTSUPP;	/* no create_ah in the driver */
	if (!tail_is_zero(c->uin, c->uinlen) || c->uoutlen < sizeof(drv))
		return EINVAL;
	if (!pd_ok(cmd.pd_handle) || cmd.attr.port_num != 1 ||
	    (cmd.attr.is_global && cmd.attr.grh.sgid_index >= 1))
		return EINVAL;
	for (h = 0; h < FK_MAX && ahs[h].used; h++)
		;
	if (h == FK_MAX)
		return ENOMEM;

	drv.comp_mask = knob("PCV_FAKE_AH_COMP_MASK", 0);
	drv.ah = knob("PCV_FAKE_AH_HANDLE", h + FAKE_AH_BASE);
	ret = copy_drv_resp(c->uout, c->uoutlen, &drv, sizeof(drv),
			    "PCV_FAKE_AH_BYTES");
	if (ret)
		return ret;
	ahs[h].used = true;
	ahs[h].pd = cmd.pd_handle;
	ahs[h].drv = drv.ah;
	ahs[h].attr = cmd.attr;
	st.live_ahs++;
	core.ah_handle = h;
	memcpy(c->out, &core, sizeof(core));
	return 0;
}

static int drv_destroy_ah(uint32_t h)
{
	struct fah *ah = ah_get(h);

	if (!ah)
		return EINVAL;
	ah->used = false;
	st.live_ahs--;
	return 0;
}

static int h_destroy_ah(struct fcall *c)
{
	struct ib_uverbs_destroy_ah cmd;

	memcpy(&cmd, c->in, sizeof(cmd));
	return drv_destroy_ah(cmd.ah_handle);
}

static int qp_mcast_find(const struct fqp *qp, const uint8_t *gid,
			 uint16_t lid)
{
	for (unsigned int i = 0; i < qp->nmcast; i++)
		if (qp->mcast[i].lid == lid &&
		    !memcmp(qp->mcast[i].gid, gid, 16))
			return (int)i;
	return -1;
}

/* ATTACH_MCAST / DETACH_MCAST (ib_user_verbs.h: the two share a layout). */
static int h_mcast(struct fcall *c, bool attach)
{
	struct ib_uverbs_attach_mcast cmd;
	struct fqp *qp;
	int i;

	memcpy(&cmd, c->in, sizeof(cmd));
	if (attach)
		st.attach_cmds++;
	else
		st.detach_cmds++;
	st.last_mcast_qp = cmd.qp_handle;
	st.last_mcast_lid = cmd.mlid;
	memcpy(st.last_mcast_gid, cmd.gid, 16);
	qp = qp_get(cmd.qp_handle);
	if (!qp)
		return EINVAL;
	i = qp_mcast_find(qp, cmd.gid, cmd.mlid);
	if (!attach) {
		if (i < 0)
			return EINVAL;
		qp->mcast[i] = qp->mcast[--qp->nmcast];
		st.live_mcast--;
		return 0;
	}
	if (i >= 0)
		return 0;		/* already attached: ib_uverbs says 0 */
	/* ib_attach_mcast(): a UD QP, a multicast GID, a multicast LID. */
	if (qp->type != IB_UVERBS_QPT_UD || cmd.gid[0] != 0xff ||
	    cmd.mlid < 0xc000 || cmd.mlid == 0xffff)
		return EINVAL;
	if (qp->nmcast == FAKE_MCAST_PER_QP)
		return ENOMEM;
	memcpy(qp->mcast[qp->nmcast].gid, cmd.gid, 16);
	qp->mcast[qp->nmcast].lid = cmd.mlid;
	qp->nmcast++;
	st.live_mcast++;
	return 0;
}

static int h_attach_mcast(struct fcall *c)
{
	return h_mcast(c, true);
}

static int h_detach_mcast(struct fcall *c)
{
	return h_mcast(c, false);
}

/* ---- write() commands: core request/response in the write buffer ------- */
static int h_get_context(struct fcall *c)
{
	struct ib_uverbs_get_context_resp core = { 0 };
	int efd, ret;

	ret = drv_get_context(c);
	if (ret)
		return ret;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return errno;
	core.async_fd = efd;
	core.num_comp_vectors = 1;
	memcpy(c->out, &core, sizeof(core));
	return 0;
}

static int h_query_device(struct fcall *c)
{
	struct ib_uverbs_query_device_resp r;

	fill_device(&r);
	memcpy(c->out, &r, sizeof(r));
	return 0;
}

static int h_query_port(struct fcall *c)
{
	struct ib_uverbs_query_port q;
	struct ib_uverbs_query_port_resp r;

	memcpy(&q, c->in, sizeof(q));
	if (q.port_num != 1)
		return EINVAL;
	fill_port(&r);
	memcpy(c->out, &r, sizeof(r));
	return 0;
}

static int h_alloc_pd(struct fcall *c)
{
	struct ib_uverbs_alloc_pd_resp core = { 0 };
	int ret;

	ret = drv_alloc_pd(c, &core.pd_handle);
	if (!ret)
		memcpy(c->out, &core, sizeof(core));
	return ret;
}

static int h_dealloc_pd(struct fcall *c)
{
	struct ib_uverbs_dealloc_pd d;

	memcpy(&d, c->in, sizeof(d));
	return drv_dealloc_pd(d.pd_handle);
}

static int h_create_cq(struct fcall *c)
{
	struct ib_uverbs_create_cq cmd;
	struct ib_uverbs_create_cq_resp core = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_create_cq(c, cmd.cqe, &core.cq_handle, &core.cqe);
	if (!ret)
		memcpy(c->out, &core, sizeof(core));
	return ret;
}

static int h_resize_cq(struct fcall *c)
{
	struct ib_uverbs_resize_cq cmd;
	struct ib_uverbs_resize_cq_resp core = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_resize_cq(c, cmd.cq_handle, cmd.cqe, &core.cqe);
	if (!ret)
		memcpy(c->out, &core, sizeof(core));
	return ret;
}

static int h_destroy_cq(struct fcall *c)
{
	struct ib_uverbs_destroy_cq cmd;
	struct ib_uverbs_destroy_cq_resp r = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_destroy_cq(cmd.cq_handle);
	if (!ret)
		memcpy(c->out, &r, sizeof(r));
	return ret;
}

static int h_create_qp(struct fcall *c)
{
	struct ib_uverbs_create_qp cmd;
	struct ib_uverbs_create_qp_resp core = { 0 };
	struct ib_uverbs_qp_cap cap;
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	cap.max_send_wr = cmd.max_send_wr;
	cap.max_recv_wr = cmd.max_recv_wr;
	cap.max_send_sge = cmd.max_send_sge;
	cap.max_recv_sge = cmd.max_recv_sge;
	cap.max_inline_data = cmd.max_inline_data;
	ret = drv_create_qp(c, cmd.pd_handle, cmd.send_cq_handle,
			    cmd.recv_cq_handle, cmd.is_srq, cmd.srq_handle,
			    cmd.qp_type, cmd.sq_sig_all, &cap,
			    &core.qp_handle, &core.qpn);
	if (ret)
		return ret;
	core.max_send_wr = cap.max_send_wr;
	core.max_recv_wr = cap.max_recv_wr;
	core.max_send_sge = cap.max_send_sge;
	core.max_recv_sge = cap.max_recv_sge;
	core.max_inline_data = cap.max_inline_data;
	memcpy(c->out, &core, sizeof(core));
	return 0;
}

static int h_destroy_qp(struct fcall *c)
{
	struct ib_uverbs_destroy_qp cmd;
	struct ib_uverbs_destroy_qp_resp r = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_destroy_qp(cmd.qp_handle);
	if (!ret)
		memcpy(c->out, &r, sizeof(r));
	return ret;
}

static int h_create_srq(struct fcall *c)
{
	struct ib_uverbs_create_srq cmd;
	struct ib_uverbs_create_srq_resp core = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_create_srq(c, cmd.pd_handle, &cmd.max_wr, &cmd.max_sge,
			     cmd.srq_limit, &core.srq_handle);
	if (ret)
		return ret;
	core.max_wr = cmd.max_wr;
	core.max_sge = cmd.max_sge;
	memcpy(c->out, &core, sizeof(core));
	return 0;
}

static int h_destroy_srq(struct fcall *c)
{
	struct ib_uverbs_destroy_srq cmd;
	struct ib_uverbs_destroy_srq_resp r = { 0 };
	int ret;

	memcpy(&cmd, c->in, sizeof(cmd));
	ret = drv_destroy_srq(cmd.srq_handle);
	if (!ret)
		memcpy(c->out, &r, sizeof(r));
	return ret;
}

static int h_dereg_mr(struct fcall *c)
{
	struct ib_uverbs_dereg_mr cmd;

	memcpy(&cmd, c->in, sizeof(cmd));
	return drv_dereg_mr(cmd.mr_handle);
}

/* The kernel's table of write() methods (6.1 uverbs_cmd.c): request and
 * response sizes of the core structs, and whether driver data follows.
 */
struct wdef {
	uint32_t cmd;
	const char *name;
	size_t req, resp;
	bool udata;
	int (*fn)(struct fcall *c);
};

#define W(c, io, ud, f) { IB_USER_VERBS_CMD_##c, #c, \
	sizeof(struct ib_uverbs_##io), 0, ud, f }
#define WR(c, io, ud, f) { IB_USER_VERBS_CMD_##c, #c, \
	sizeof(struct ib_uverbs_##io), sizeof(struct ib_uverbs_##io##_resp), \
	ud, f }
static const struct wdef wdefs[] = {
	WR(GET_CONTEXT, get_context, true, h_get_context),
	WR(QUERY_DEVICE, query_device, false, h_query_device),
	WR(QUERY_PORT, query_port, false, h_query_port),
	WR(ALLOC_PD, alloc_pd, true, h_alloc_pd),
	W(DEALLOC_PD, dealloc_pd, false, h_dealloc_pd),
	WR(CREATE_CQ, create_cq, true, h_create_cq),
	WR(RESIZE_CQ, resize_cq, true, h_resize_cq),
	WR(DESTROY_CQ, destroy_cq, false, h_destroy_cq),
	WR(POLL_CQ, poll_cq, false, h_poll_cq),
	W(REQ_NOTIFY_CQ, req_notify_cq, false, h_req_notify_cq),
	WR(CREATE_QP, create_qp, true, h_create_qp),
	WR(QUERY_QP, query_qp, false, h_query_qp),
	W(MODIFY_QP, modify_qp, false, h_modify_qp),
	WR(DESTROY_QP, destroy_qp, false, h_destroy_qp),
	WR(POST_SEND, post_send, false, h_post_send),
	WR(POST_RECV, post_recv, false, h_post_recv),
	WR(POST_SRQ_RECV, post_srq_recv, false, h_post_recv),
	WR(CREATE_SRQ, create_srq, true, h_create_srq),
	W(MODIFY_SRQ, modify_srq, true, h_modify_srq),
	WR(QUERY_SRQ, query_srq, false, h_query_srq),
	WR(DESTROY_SRQ, destroy_srq, false, h_destroy_srq),
	WR(REG_MR, reg_mr, true, h_reg_mr),
	W(DEREG_MR, dereg_mr, false, h_dereg_mr),
	WR(CREATE_AH, create_ah, true, h_create_ah),
	W(DESTROY_AH, destroy_ah, false, h_destroy_ah),
	W(ATTACH_MCAST, attach_mcast, false, h_attach_mcast),
	W(DETACH_MCAST, detach_mcast, false, h_detach_mcast),
};

static const struct wdef *wdef_find(uint32_t cmd)
{
	for (size_t i = 0; i < sizeof(wdefs) / sizeof(wdefs[0]); i++)
		if (wdefs[i].cmd == cmd)
			return &wdefs[i];
	return NULL;
}

/* Extended query_device (write() ex, or INVOKE_WRITE with the flag). */
static int h_ex_query_device(const uint8_t *in, size_t inlen, uint8_t *out,
			     size_t outlen)
{
	struct ib_uverbs_ex_query_device q;
	struct ib_uverbs_ex_query_device_resp r;
	size_t n;

	if (inlen < sizeof(q) || outlen < sizeof(r.base) +
	    sizeof(r.comp_mask) + sizeof(r.response_length))
		return EINVAL;
	memcpy(&q, in, sizeof(q));
	if (q.comp_mask || q.reserved)
		return EINVAL;
	memset(&r, 0, sizeof(r));
	fill_device(&r.base);
	r.hca_core_clock = FAKE_HCA_CORE_CLOCK;
	n = outlen < sizeof(r) ? outlen : sizeof(r);
	r.response_length = n;
	memcpy(out, &r, n);
	return 0;
}

/* A legacy (non-extended) write(): in_words counts the whole write. */
static int legacy_cmd(const uint8_t *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = (const void *)buf;
	const struct wdef *d = wdef_find(hdr->command);
	size_t inlen = count - sizeof(*hdr);
	size_t outlen = (size_t)hdr->out_words * 4;
	struct fcall c = { 0 };
	uint64_t response = 0;

	if (!d)
		return EOPNOTSUPP;
	/* verify_hdr() */
	if ((size_t)hdr->in_words * 4 != count)
		return EINVAL;
	if (inlen < d->req || outlen < d->resp)
		return ENOSPC;

	c.in = buf + sizeof(*hdr);
	c.inlen = d->udata ? d->req : inlen;
	if (d->udata) {
		c.uin = c.in + d->req;
		c.uinlen = inlen - d->req;
	}
	if (d->resp) {
		memcpy(&response, c.in, sizeof(response));
		c.out = (uint8_t *)(uintptr_t)response;
		c.outlen = d->udata ? d->resp : outlen;
		if (d->udata) {
			c.uout = c.out + d->resp;
			c.uoutlen = outlen - d->resp;
		}
	}
	note_transport(d->name, "write()");
	return d->fn(&c);
}

/* An extended write(): 24-byte header, lengths in 8-byte words, the
 * response pointer in the extended header.
 */
static int extended_cmd(const uint8_t *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = (const void *)buf;
	const struct ib_uverbs_ex_cmd_hdr *ex = (const void *)(buf + sizeof(*hdr));
	size_t hdrs = sizeof(*hdr) + sizeof(*ex);
	size_t inlen = (size_t)hdr->in_words * 8;
	size_t outlen = (size_t)hdr->out_words * 8;

	if (count < hdrs ||
	    hdrs + inlen + (size_t)ex->provider_in_words * 8 != count ||
	    ex->cmd_hdr_reserved)
		return EINVAL;

	switch (hdr->command & ~IB_USER_VERBS_CMD_FLAG_EXTENDED) {
	case IB_USER_VERBS_EX_CMD_QUERY_DEVICE:
		note_transport("EX_QUERY_DEVICE", "write() ex");
		return h_ex_query_device(buf + hdrs, inlen,
					 (uint8_t *)(uintptr_t)ex->response,
					 outlen);
	default:
		return EOPNOTSUPP;
	}
}

/* ---- ioctl(RDMA_VERBS_IOCTL) -------------------------------------------- */
static struct ib_uverbs_attr *attr_get(struct ib_uverbs_ioctl_hdr *h,
				       uint16_t id)
{
	for (unsigned int i = 0; i < h->num_attrs; i++)
		if (h->attrs[i].attr_id == id)
			return &h->attrs[i];
	return NULL;
}

/* PTR_IN data: inline up to 8 bytes, else a pointer. */
static const uint8_t *attr_in(struct ib_uverbs_attr *a, size_t *len)
{
	if (!a) {
		*len = 0;
		return NULL;
	}
	*len = a->len;
	return a->len <= sizeof(a->data) ? (const uint8_t *)&a->data :
					   (const uint8_t *)(uintptr_t)a->data;
}

/* A scalar input (const/u32/u64, inline) or an IDR/FD (in data). */
static int attr_val(struct ib_uverbs_ioctl_hdr *h, uint16_t id, uint64_t *v)
{
	struct ib_uverbs_attr *a = attr_get(h, id);

	if (!a)
		return ENOENT;
	*v = 0;
	if (a->len == 0)
		*v = a->data;
	else if (a->len <= 8)
		memcpy(v, &a->data, a->len);
	else
		return EINVAL;
	return 0;
}

static void attr_out(struct ib_uverbs_ioctl_hdr *h, uint16_t id,
		     const void *src, size_t n)
{
	struct ib_uverbs_attr *a = attr_get(h, id);

	if (!a)
		return;
	if (n > a->len)
		n = a->len;
	memcpy((void *)(uintptr_t)a->data, src, n);
	a->flags |= UVERBS_ATTR_F_VALID_OUTPUT;
}

/* A new object's id (IDR) or a new fd goes into the attribute itself. */
static void attr_out_obj(struct ib_uverbs_ioctl_hdr *h, uint16_t id,
			 uint64_t v)
{
	struct ib_uverbs_attr *a = attr_get(h, id);

	if (a)
		a->data = v;
}

static void fcall_uhw(struct ib_uverbs_ioctl_hdr *h, struct fcall *c)
{
	struct ib_uverbs_attr *a;

	c->uin = attr_in(attr_get(h, UVERBS_ATTR_UHW_IN), &c->uinlen);
	a = attr_get(h, UVERBS_ATTR_UHW_OUT);
	if (a) {
		c->uout = (uint8_t *)(uintptr_t)a->data;
		c->uoutlen = a->len;
		a->flags |= UVERBS_ATTR_F_VALID_OUTPUT;
	}
	c->ioctl = true;
}

static int ioctl_invoke_write(struct ib_uverbs_ioctl_hdr *h)
{
	struct ib_uverbs_attr *out = attr_get(h, UVERBS_ATTR_CORE_OUT);
	struct fcall c = { 0 };
	const struct wdef *d;
	uint64_t cmd;

	if (attr_val(h, UVERBS_ATTR_WRITE_CMD, &cmd))
		return EINVAL;
	c.in = attr_in(attr_get(h, UVERBS_ATTR_CORE_IN), &c.inlen);
	if (out) {
		c.out = (uint8_t *)(uintptr_t)out->data;
		c.outlen = out->len;
		out->flags |= UVERBS_ATTR_F_VALID_OUTPUT;
	}
	fcall_uhw(h, &c);

	if (cmd == (IB_USER_VERBS_CMD_FLAG_EXTENDED |
		    IB_USER_VERBS_EX_CMD_QUERY_DEVICE)) {
		note_transport("EX_QUERY_DEVICE", "ioctl INVOKE_WRITE");
		return h_ex_query_device(c.in, c.inlen, c.out, c.outlen);
	}
	d = wdef_find((uint32_t)cmd);
	if (!d)
		return EOPNOTSUPP;
	if (c.inlen < d->req || c.outlen < d->resp)
		return ENOSPC;
	if (!d->udata) {
		c.uin = NULL;
		c.uinlen = 0;
	}
	note_transport(d->name, "ioctl INVOKE_WRITE");
	return d->fn(&c);
}

static int ioctl_get_context(struct ib_uverbs_ioctl_hdr *h)
{
	struct fcall c = { 0 };
	uint32_t ncv = 1;
	uint64_t core_support = IB_UVERBS_CORE_SUPPORT_OPTIONAL_MR_ACCESS;
	int ret;

	fcall_uhw(h, &c);
	ret = drv_get_context(&c);
	if (ret)
		return ret;
	attr_out(h, UVERBS_ATTR_GET_CONTEXT_NUM_COMP_VECTORS, &ncv, sizeof(ncv));
	attr_out(h, UVERBS_ATTR_GET_CONTEXT_CORE_SUPPORT, &core_support,
		 sizeof(core_support));
	note_transport("GET_CONTEXT", "ioctl GET_CONTEXT");
	return 0;
}

static int ioctl_query_port(struct ib_uverbs_ioctl_hdr *h)
{
	struct ib_uverbs_query_port_resp_ex r = { 0 };
	uint64_t port;

	if (attr_val(h, UVERBS_ATTR_QUERY_PORT_PORT_NUM, &port) || port != 1)
		return EINVAL;
	fill_port(&r.legacy_resp);
	attr_out(h, UVERBS_ATTR_QUERY_PORT_RESP, &r, sizeof(r));
	note_transport("QUERY_PORT", "ioctl QUERY_PORT");
	return 0;
}

static int ioctl_cq_create(struct ib_uverbs_ioctl_hdr *h)
{
	struct fcall c = { 0 };
	uint64_t cqe;
	uint32_t handle, rcqe;
	int ret;

	if (attr_val(h, UVERBS_ATTR_CREATE_CQ_CQE, &cqe))
		return EINVAL;
	fcall_uhw(h, &c);
	ret = drv_create_cq(&c, (uint32_t)cqe, &handle, &rcqe);
	if (ret)
		return ret;
	attr_out_obj(h, UVERBS_ATTR_CREATE_CQ_HANDLE, handle);
	attr_out(h, UVERBS_ATTR_CREATE_CQ_RESP_CQE, &rcqe, sizeof(rcqe));
	note_transport("CREATE_CQ", "ioctl CQ_CREATE");
	return 0;
}

static int ioctl_qp_create(struct ib_uverbs_ioctl_hdr *h)
{
	struct ib_uverbs_qp_cap cap;
	struct fcall c = { 0 };
	uint64_t pd, scq, rcq, srq = 0, type, flags = 0;
	const uint8_t *p;
	uint32_t handle, qpn;
	size_t len;
	bool has_srq;
	int ret;

	if (attr_val(h, UVERBS_ATTR_CREATE_QP_PD_HANDLE, &pd) ||
	    attr_val(h, UVERBS_ATTR_CREATE_QP_SEND_CQ_HANDLE, &scq) ||
	    attr_val(h, UVERBS_ATTR_CREATE_QP_RECV_CQ_HANDLE, &rcq) ||
	    attr_val(h, UVERBS_ATTR_CREATE_QP_TYPE, &type))
		return EINVAL;
	has_srq = !attr_val(h, UVERBS_ATTR_CREATE_QP_SRQ_HANDLE, &srq);
	attr_val(h, UVERBS_ATTR_CREATE_QP_FLAGS, &flags);
	p = attr_in(attr_get(h, UVERBS_ATTR_CREATE_QP_CAP), &len);
	if (!p || len != sizeof(cap))
		return EINVAL;
	memcpy(&cap, p, sizeof(cap));
	fcall_uhw(h, &c);
	ret = drv_create_qp(&c, (uint32_t)pd, (uint32_t)scq, (uint32_t)rcq,
			    has_srq, (uint32_t)srq, (uint32_t)type,
			    flags & IB_UVERBS_QP_CREATE_SQ_SIG_ALL, &cap,
			    &handle, &qpn);
	if (ret)
		return ret;
	attr_out_obj(h, UVERBS_ATTR_CREATE_QP_HANDLE, handle);
	attr_out(h, UVERBS_ATTR_CREATE_QP_RESP_CAP, &cap, sizeof(cap));
	attr_out(h, UVERBS_ATTR_CREATE_QP_RESP_QP_NUM, &qpn, sizeof(qpn));
	note_transport("CREATE_QP", "ioctl QP_CREATE");
	return 0;
}

static int ioctl_srq_create(struct ib_uverbs_ioctl_hdr *h)
{
	struct fcall c = { 0 };
	uint64_t pd, max_wr, max_sge, limit = 0;
	uint32_t wr, sge, handle;
	int ret;

	if (attr_val(h, UVERBS_ATTR_CREATE_SRQ_PD_HANDLE, &pd) ||
	    attr_val(h, UVERBS_ATTR_CREATE_SRQ_MAX_WR, &max_wr) ||
	    attr_val(h, UVERBS_ATTR_CREATE_SRQ_MAX_SGE, &max_sge))
		return EINVAL;
	attr_val(h, UVERBS_ATTR_CREATE_SRQ_LIMIT, &limit);
	fcall_uhw(h, &c);
	wr = (uint32_t)max_wr;
	sge = (uint32_t)max_sge;
	ret = drv_create_srq(&c, (uint32_t)pd, &wr, &sge, (uint32_t)limit,
			     &handle);
	if (ret)
		return ret;
	attr_out_obj(h, UVERBS_ATTR_CREATE_SRQ_HANDLE, handle);
	attr_out(h, UVERBS_ATTR_CREATE_SRQ_RESP_MAX_WR, &wr, sizeof(wr));
	attr_out(h, UVERBS_ATTR_CREATE_SRQ_RESP_MAX_SGE, &sge, sizeof(sge));
	note_transport("CREATE_SRQ", "ioctl SRQ_CREATE");
	return 0;
}

/* CQ/QP/SRQ_DESTROY answer an "events reported" struct (all zero here). */
static int ioctl_destroy(struct ib_uverbs_ioctl_hdr *h, int (*fn)(uint32_t),
			 uint16_t handle_id, uint16_t resp_id,
			 const char *verb, const char *via)
{
	uint8_t zeros[16] = { 0 };
	uint64_t handle;
	int ret;

	if (attr_val(h, handle_id, &handle))
		return EINVAL;
	ret = fn((uint32_t)handle);
	if (ret)
		return ret;
	if (resp_id != UINT16_MAX)
		attr_out(h, resp_id, zeros, sizeof(zeros));
	note_transport(verb, via);
	return 0;
}

static int verbs_ioctl(struct ib_uverbs_ioctl_hdr *h)
{
	uint16_t obj = h->object_id;
	uint32_t meth = h->method_id;

	/* ib_uverbs_ioctl(): the header must describe itself exactly, and
	 * carry the device's driver_id (RDMA_DRIVER_UNKNOWN).
	 */
	if (h->length != sizeof(*h) + h->num_attrs * sizeof(h->attrs[0]) ||
	    h->reserved1 || h->reserved2)
		return EINVAL;
	if (h->driver_id != 0)
		return EINVAL;

	if (obj == UVERBS_OBJECT_DEVICE && meth == UVERBS_METHOD_INVOKE_WRITE)
		return ioctl_invoke_write(h);
	if (obj == UVERBS_OBJECT_DEVICE && meth == UVERBS_METHOD_GET_CONTEXT)
		return ioctl_get_context(h);
	if (obj == UVERBS_OBJECT_DEVICE && meth == UVERBS_METHOD_QUERY_PORT)
		return ioctl_query_port(h);
	if (obj == UVERBS_OBJECT_ASYNC_EVENT &&
	    meth == UVERBS_METHOD_ASYNC_EVENT_ALLOC) {
		int efd = eventfd(0, EFD_CLOEXEC);

		if (efd < 0)
			return errno;
		attr_out_obj(h, UVERBS_ATTR_ASYNC_EVENT_ALLOC_FD_HANDLE, efd);
		note_transport("ASYNC_EVENT_ALLOC", "ioctl ASYNC_EVENT_ALLOC");
		return 0;
	}
	if (obj == UVERBS_OBJECT_PD && meth == UVERBS_METHOD_PD_DESTROY)
		return ioctl_destroy(h, drv_dealloc_pd,
				     UVERBS_ATTR_DESTROY_PD_HANDLE, UINT16_MAX,
				     "DEALLOC_PD", "ioctl PD_DESTROY");
	if (obj == UVERBS_OBJECT_MR && meth == UVERBS_METHOD_MR_DESTROY)
		return ioctl_destroy(h, drv_dereg_mr,
				     UVERBS_ATTR_DESTROY_MR_HANDLE, UINT16_MAX,
				     "DEREG_MR", "ioctl MR_DESTROY");
	if (obj == UVERBS_OBJECT_AH && meth == UVERBS_METHOD_AH_DESTROY)
		return ioctl_destroy(h, drv_destroy_ah,
				     UVERBS_ATTR_DESTROY_AH_HANDLE, UINT16_MAX,
				     "DESTROY_AH", "ioctl AH_DESTROY");
	if (obj == UVERBS_OBJECT_CQ && meth == UVERBS_METHOD_CQ_CREATE)
		return ioctl_cq_create(h);
	if (obj == UVERBS_OBJECT_CQ && meth == UVERBS_METHOD_CQ_DESTROY)
		return ioctl_destroy(h, drv_destroy_cq,
				     UVERBS_ATTR_DESTROY_CQ_HANDLE,
				     UVERBS_ATTR_DESTROY_CQ_RESP,
				     "DESTROY_CQ", "ioctl CQ_DESTROY");
	if (obj == UVERBS_OBJECT_QP && meth == UVERBS_METHOD_QP_CREATE)
		return ioctl_qp_create(h);
	if (obj == UVERBS_OBJECT_QP && meth == UVERBS_METHOD_QP_DESTROY)
		return ioctl_destroy(h, drv_destroy_qp,
				     UVERBS_ATTR_DESTROY_QP_HANDLE,
				     UVERBS_ATTR_DESTROY_QP_RESP,
				     "DESTROY_QP", "ioctl QP_DESTROY");
	if (obj == UVERBS_OBJECT_SRQ && meth == UVERBS_METHOD_SRQ_CREATE)
		return ioctl_srq_create(h);
	if (obj == UVERBS_OBJECT_SRQ && meth == UVERBS_METHOD_SRQ_DESTROY)
		return ioctl_destroy(h, drv_destroy_srq,
				     UVERBS_ATTR_DESTROY_SRQ_HANDLE,
				     UVERBS_ATTR_DESTROY_SRQ_RESP,
				     "DESTROY_SRQ", "ioctl SRQ_DESTROY");
	/* The method does not exist here: libibverbs falls back to write()
	 * for this one command.
	 */
	return EPROTONOSUPPORT;
}

/* ---- interposed system calls ---------------------------------------------- */
static ssize_t fail(int err)
{
	errno = err;
	return -1;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = buf;
	int ret;

	if (!is_fake_node(fd))
		return syscall(SYS_write, fd, buf, count);

	if (count < sizeof(*hdr))
		return fail(EINVAL);
	pthread_mutex_lock(&fk_lock);
	st.cmds++;
	st.write_cmds++;
	if (hdr->command & IB_USER_VERBS_CMD_FLAG_EXTENDED)
		ret = extended_cmd(buf, count);
	else
		ret = legacy_cmd(buf, count);
	pthread_mutex_unlock(&fk_lock);
	return ret ? fail(ret) : (ssize_t)count;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!is_fake_node(fd))
		return (int)syscall(SYS_ioctl, fd, request, arg);
	if (!knob("PCV_FAKE_IOCTL", 0) || request != RDMA_VERBS_IOCTL)
		return (int)fail(ENOTTY);	/* what /dev/full says */

	pthread_mutex_lock(&fk_lock);
	st.cmds++;
	st.ioctl_cmds++;
	ret = verbs_ioctl(arg);
	pthread_mutex_unlock(&fk_lock);
	return ret ? (int)fail(ret) : 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct fring *r;
	void *p;
	int i;

	if (!is_fake_node(fd))
		return raw_mmap(addr, len, prot, flags, fd, off);

	pthread_mutex_lock(&fk_lock);
	r = ring_by_key((uint64_t)off);
	/* rdma_user_mmap_entry_get(): a live key, VM_SHARED, and exactly the
	 * entry's size.
	 */
	if (!r || !(flags & MAP_SHARED) ||
	    ((len + FK_PAGE - 1) & ~(FK_PAGE - 1)) != r->size) {
		pthread_mutex_unlock(&fk_lock);
		errno = EINVAL;
		return MAP_FAILED;
	}
	for (i = 0; i < FK_MAX_MAPS && maps[i].addr; i++)
		;
	if (i == FK_MAX_MAPS) {
		pthread_mutex_unlock(&fk_lock);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	p = raw_mmap(addr, len, prot, flags, r->memfd, 0);
	if (p != MAP_FAILED) {
		maps[i].addr = p;
		maps[i].len = len;
		st.live_maps++;
		st.maps_total++;
	}
	pthread_mutex_unlock(&fk_lock);
	return p;
}

int munmap(void *addr, size_t len)
{
	pthread_mutex_lock(&fk_lock);
	for (int i = 0; i < FK_MAX_MAPS; i++)
		if (maps[i].addr && maps[i].addr == addr &&
		    maps[i].len == len) {
			maps[i].addr = NULL;
			st.live_maps--;
			break;
		}
	pthread_mutex_unlock(&fk_lock);
	return raw_munmap(addr, len);
}

/* ---- the test interface (fake_uverbs.h) -------------------------------- */
void pcv_fake_get_stats(struct pcv_fake_stats *s)
{
	pthread_mutex_lock(&fk_lock);
	*s = st;
	pthread_mutex_unlock(&fk_lock);
}

int pcv_fake_ring(int kind, uint32_t handle, struct pcv_fake_ring_view *v)
{
	struct fring *r = NULL;

	pthread_mutex_lock(&fk_lock);
	if (kind == PCV_FAKE_RING_CQ && cq_get(handle))
		r = &cqs[handle].ring;
	else if (kind == PCV_FAKE_RING_SQ && qp_get(handle))
		r = &qps[handle].sq;
	else if (kind == PCV_FAKE_RING_RQ && qp_get(handle))
		r = &qps[handle].rq;
	else if (kind == PCV_FAKE_RING_SRQ && srq_get(handle))
		r = &srqs[handle].ring;
	if (r && r->memfd >= 0) {
		v->base = r->kmap;
		v->entries = r->entries;
		v->stride = r->stride;
		v->key = r->key;
		v->size = r->size;
	} else {
		r = NULL;
	}
	pthread_mutex_unlock(&fk_lock);
	return r ? 0 : -1;
}

int pcv_fake_cq_push(uint32_t cq_handle, const struct pcv_cqe *cqe, int on_kick)
{
	struct pcv_ring_hdr *hdr;
	struct fcq *cq;
	int ret = -1;

	pthread_mutex_lock(&fk_lock);
	cq = cq_get(cq_handle);
	if (cq && on_kick) {
		if (cq->nkick < FK_KICKQ) {
			cq->kickq[cq->nkick++] = *cqe;
			ret = 0;
		}
	} else if (cq) {
		hdr = ring_hdr(&cq->ring);
		if (hdr->prod - __atomic_load_n(&hdr->cons, __ATOMIC_ACQUIRE) <
		    cq->ring.entries) {
			memcpy(ring_slot(&cq->ring, hdr->prod), cqe, sizeof(*cqe));
			__atomic_store_n(&hdr->prod, hdr->prod + 1,
					 __ATOMIC_RELEASE);
			ret = 0;
		}
	}
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

void pcv_fake_sq_consume(uint32_t qp_handle, int on)
{
	pthread_mutex_lock(&fk_lock);
	if (qp_get(qp_handle))
		qps[qp_handle].consume = on != 0;
	pthread_mutex_unlock(&fk_lock);
}

size_t pcv_fake_sq_drain(uint32_t qp_handle)
{
	size_t n = 0;

	pthread_mutex_lock(&fk_lock);
	if (qp_get(qp_handle))
		n = sq_consume_all(&qps[qp_handle]);
	pthread_mutex_unlock(&fk_lock);
	return n;
}

size_t pcv_fake_sq_log(uint32_t qp_handle, const struct pcv_sq_wqe **log)
{
	size_t n = 0;

	pthread_mutex_lock(&fk_lock);
	*log = NULL;
	if (qp_get(qp_handle)) {
		*log = qps[qp_handle].log;
		n = qps[qp_handle].nlog;
	}
	pthread_mutex_unlock(&fk_lock);
	return n;
}

uint64_t pcv_fake_qp_kicks(uint32_t qp_handle)
{
	uint64_t n = 0;

	pthread_mutex_lock(&fk_lock);
	if (qp_get(qp_handle))
		n = qps[qp_handle].kicks;
	pthread_mutex_unlock(&fk_lock);
	return n;
}

int pcv_fake_ah(uint32_t ah_handle, struct pcv_fake_ah_view *v)
{
	struct fah *ah;
	int ret = -1;

	pthread_mutex_lock(&fk_lock);
	ah = ah_get(ah_handle);
	if (ah) {
		memset(v, 0, sizeof(*v));
		v->drv_handle = ah->drv;
		v->pd = ah->pd;
		v->dlid = ah->attr.dlid;
		v->sl = ah->attr.sl;
		v->src_path_bits = ah->attr.src_path_bits;
		v->static_rate = ah->attr.static_rate;
		v->is_global = ah->attr.is_global;
		v->port_num = ah->attr.port_num;
		v->sgid_index = ah->attr.grh.sgid_index;
		v->hop_limit = ah->attr.grh.hop_limit;
		v->traffic_class = ah->attr.grh.traffic_class;
		v->flow_label = ah->attr.grh.flow_label;
		memcpy(v->dgid, ah->attr.grh.dgid, 16);
		ret = 0;
	}
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

int pcv_fake_qp_mcast(uint32_t qp_handle, const uint8_t *gid, uint16_t lid)
{
	struct fqp *qp;
	int ret = -1;

	pthread_mutex_lock(&fk_lock);
	qp = qp_get(qp_handle);
	if (qp)
		ret = gid ? qp_mcast_find(qp, gid, lid) >= 0 : (int)qp->nmcast;
	pthread_mutex_unlock(&fk_lock);
	return ret;
}

const char *pcv_fake_transport(const char *verb)
{
	const char *via = NULL;

	pthread_mutex_lock(&fk_lock);
	for (size_t i = 0; i < sizeof(tlog) / sizeof(tlog[0]) && tlog[i].verb; i++)
		if (strcmp(tlog[i].verb, verb) == 0)
			via = tlog[i].via;
	pthread_mutex_unlock(&fk_lock);
	return via;
}
