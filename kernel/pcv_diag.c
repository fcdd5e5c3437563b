// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs diagnostics (in the spirit of ntb_perf/ntb_tool): doorbell
 * ping-pong, a byte-checked DMA and PIO proof into a peer's diagnostic area,
 * streaming throughput, and the DMA engine's handling of malformed requests.
 * Driven from debugfs ("test" file); results are text for the test suite.
 */
#include <linux/crc32.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include "pcv.h"

#define PCV_DIAG_SRC_SIZE	SZ_2M		/* local source/target buffer */
#define PCV_DIAG_MAX_XFER	SZ_1M		/* largest proof transfer */
#define PCV_DIAG_GUARD		64		/* bytes checked around each transfer */
#define PCV_DIAG_TIMEOUT_MS	5000
#define PCV_DIAG_MAX_COUNT	100000
#define PCV_DIAG_BW_DEPTH	16

struct pcv_diag {
	struct pcv_dev *dev;
	u32 peer;
	bool dma;			/* DMA engine, else CPU copies through the window */
	bool read;			/* peer -> us, else us -> peer */
	void __iomem *win;		/* the peer's RAM */
	u64 peer_area;			/* its diagnostic area (fabric address) */
	size_t area_size;
	u8 *shadow;			/* what its area must contain */
	u8 *buf;			/* local fabric memory: source or target */
	u64 buf_addr;
	u64 rng;
	u64 bytes;
	u64 ns;
	unsigned int errors;
};

static u64 pcv_diag_rand(struct pcv_diag *d)
{
	/* xorshift64: deterministic from the seed, so a failure replays. */
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static void pcv_diag_fill(struct pcv_diag *d, u8 *p, size_t len)
{
	while (len >= 8) {
		u64 v = pcv_diag_rand(d);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	while (len--)
		*p++ = (u8)pcv_diag_rand(d);
}

static __printf(2, 3) void pcv_diag_report(struct pcv_dev *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(dev->diag_result, sizeof(dev->diag_result), fmt, ap);
	va_end(ap);
}

/* Add to the result line started by pcv_diag_report(). */
static __printf(2, 3) void pcv_diag_append(struct pcv_dev *dev, const char *fmt, ...)
{
	size_t n = strlen(dev->diag_result);
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(dev->diag_result + n, sizeof(dev->diag_result) - n, fmt, ap);
	va_end(ap);
}

/* The peer must be up and have told us about a diagnostic area. */
static int pcv_diag_peer(struct pcv_diag *d, struct pcv_dev *dev, u32 peer)
{
	struct pcv_peer *p;
	int err = 0;

	if (peer >= dev->info.nr_blades || peer == dev->info.blade_id)
		return -EINVAL;
	p = &dev->peers[peer];
	mutex_lock(&dev->link_lock);
	if (p->link.state != PCV_LINK_UP)
		err = -ENOLINK;
	else if (p->diag_size < 2 * PCV_DIAG_MAX_XFER)
		err = -ENOSPC;
	d->win = p->win;
	d->peer_area = p->diag_addr;
	d->area_size = p->diag_size;
	mutex_unlock(&dev->link_lock);
	d->dev = dev;
	d->peer = peer;
	return err;
}

static int pcv_diag_alloc(struct pcv_diag *d)
{
	d->shadow = vmalloc(d->area_size);
	if (!d->shadow)
		return -ENOMEM;
	d->buf = d->dev->ops->alloc_fabric_mem(d->dev->priv, PCV_DIAG_SRC_SIZE, &d->buf_addr);
	if (!d->buf) {
		vfree(d->shadow);
		return -ENOMEM;
	}
	return 0;
}

static void pcv_diag_free(struct pcv_diag *d)
{
	/* d->buf is NULL when a timed-out DMA may still use it: leaked. */
	if (d->buf)
		d->dev->ops->free_fabric_mem(d->dev->priv, d->buf, PCV_DIAG_SRC_SIZE);
	vfree(d->shadow);
}

/* One transfer between buf[boff..] and the peer's area[aoff..], timed. */
static int pcv_diag_xfer(struct pcv_diag *d, size_t aoff, size_t boff, u32 len)
{
	struct pcv_dev *dev = d->dev;
	void __iomem *remote = d->win + d->peer_area + aoff;
	u64 t0 = ktime_get_ns();
	int err = 0;

	if (d->dma) {
		struct pcv_dma_req req = {
			.op = PCV_DMA_COPY,
			.len = len,
		};
		u32 hw;

		if (d->read) {
			req.src_blade = d->peer;
			req.src_addr = d->peer_area + aoff;
			req.dst_blade = dev->info.blade_id;
			req.dst_addr = d->buf_addr + boff;
		} else {
			req.src_blade = dev->info.blade_id;
			req.src_addr = d->buf_addr + boff;
			req.dst_blade = d->peer;
			req.dst_addr = d->peer_area + aoff;
		}
		err = pcv_dma_sync(dev, &req, PCV_DIAG_TIMEOUT_MS, &hw);
		if (err)
			pcv_diag_report(dev, "error DMA of %u bytes failed: %d (hw status %#x)\n",
					len, err, hw);
		if (err == -ETIMEDOUT)
			d->buf = NULL;	/* the engine may still use it: leak */
	} else if (d->read) {
		memcpy_fromio(d->buf + boff, remote, len);
	} else {
		memcpy_toio(remote, d->buf + boff, len);
		pcv_count(dev, PCV_CNT_PIO_BYTES, len);
	}
	d->ns += ktime_get_ns() - t0;
	d->bytes += len;
	return err;
}

/* Compare the peer's area [off, off+len) with the shadow, through the window. */
static bool pcv_diag_check_remote(struct pcv_diag *d, size_t off, size_t len, u8 *tmp)
{
	memcpy_fromio(tmp, d->win + d->peer_area + off, len);
	return !memcmp(tmp, d->shadow + off, len);
}

/* Fill the whole peer area with known data: the proof starts from a model. */
static int pcv_diag_prime(struct pcv_diag *d)
{
	size_t off;
	int err;
	bool was_read = d->read;

	pcv_diag_fill(d, d->shadow, d->area_size);
	d->read = false;
	for (off = 0; off < d->area_size; off += PCV_DIAG_MAX_XFER) {
		u32 len = min_t(size_t, PCV_DIAG_MAX_XFER, d->area_size - off);

		memcpy(d->buf, d->shadow + off, len);
		err = pcv_diag_xfer(d, off, 0, len);
		if (err)
			break;
	}
	d->read = was_read;
	d->bytes = 0;
	d->ns = 0;
	return err;
}

/* Sizes from 1 B to 1 MiB, spread evenly over powers of two. */
static u32 pcv_diag_len(struct pcv_diag *d)
{
	u32 shift = pcv_diag_rand(d) % 21;	/* 0..20 */
	u32 lo = 1U << shift;

	return lo + (u32)(pcv_diag_rand(d) % lo);	/* [2^s, 2^(s+1)) capped below */
}

static int pcv_diag_verify(struct pcv_dev *dev, u32 peer, bool dma, bool read,
			   u32 count, u64 seed)
{
	struct pcv_diag d = { .dma = dma, .read = read, .rng = seed | 1 };
	size_t guard_len = PCV_DIAG_MAX_XFER + 2 * PCV_DIAG_GUARD;
	u8 *tmp;
	u32 i;
	int err;

	err = pcv_diag_peer(&d, dev, peer);
	if (err)
		return err;
	err = pcv_diag_alloc(&d);
	if (err)
		return err;
	tmp = vmalloc(guard_len);
	if (!tmp) {
		err = -ENOMEM;
		goto out_free;
	}
	err = pcv_diag_prime(&d);
	if (err)
		goto out_tmp;
	if (!pcv_diag_check_remote(&d, 0, d.area_size > guard_len ? guard_len : d.area_size, tmp))
		d.errors++;

	for (i = 0; i < count && !err; i++) {
		u32 len = min(pcv_diag_len(&d), PCV_DIAG_MAX_XFER);
		size_t aoff = PCV_DIAG_GUARD + pcv_diag_rand(&d) %
			      (d.area_size - len - 2 * PCV_DIAG_GUARD + 1);
		size_t boff = PCV_DIAG_GUARD + pcv_diag_rand(&d) %
			      (PCV_DIAG_SRC_SIZE - len - 2 * PCV_DIAG_GUARD + 1);

		if (read) {
			/* Canaries around the landing zone must survive. */
			memset(d.buf + boff - PCV_DIAG_GUARD, 0x5a, len + 2 * PCV_DIAG_GUARD);
			err = pcv_diag_xfer(&d, aoff, boff, len);
			if (err)
				break;
			if (memcmp(d.buf + boff, d.shadow + aoff, len) ||
			    memchr_inv(d.buf + boff - PCV_DIAG_GUARD, 0x5a, PCV_DIAG_GUARD) ||
			    memchr_inv(d.buf + boff + len, 0x5a, PCV_DIAG_GUARD))
				d.errors++;
			/* Change the source under us so stale data cannot pass. */
			pcv_diag_fill(&d, d.shadow + aoff, len);
			memcpy_toio(d.win + d.peer_area + aoff, d.shadow + aoff, len);
		} else {
			pcv_diag_fill(&d, d.buf + boff, len);
			err = pcv_diag_xfer(&d, aoff, boff, len);
			if (err)
				break;
			memcpy(d.shadow + aoff, d.buf + boff, len);
			/* The bytes around must be what they were: no overrun. */
			if (!pcv_diag_check_remote(&d, aoff - PCV_DIAG_GUARD,
						   len + 2 * PCV_DIAG_GUARD, tmp))
				d.errors++;
		}
	}
	if (!err) {
		pcv_diag_report(dev, "%s verify mode=%s dir=%s peer=%u buffers=%u",
				d.errors ? "fail" : "ok", dma ? "dma" : "pio",
				read ? "read" : "write", peer, count);
		pcv_diag_append(dev, " bytes=%llu ns=%llu MBps=%llu errors=%u checksum=0x%08x\n",
				d.bytes, d.ns, d.ns ? div64_u64(d.bytes * 1000, d.ns) : 0,
				d.errors, ~crc32_le(~0U, d.shadow, d.area_size));
	}
	if (!err && d.errors)
		err = -EIO;
out_tmp:
	vfree(tmp);
out_free:
	pcv_diag_free(&d);
	return err;
}

/* Completion state of a bw run; leaked, never freed, if the engine hangs. */
struct pcv_diag_bw_ctx {
	atomic_t left;
	atomic_t failed;
	wait_queue_head_t wq;
	struct pcv_diag_bw_req {
		struct pcv_dma_req req;
		struct pcv_diag_bw_ctx *ctx;
	} reqs[PCV_DIAG_BW_DEPTH];
};

static void pcv_diag_bw_done(struct pcv_dma_req *req, int status, u32 hw_status)
{
	struct pcv_diag_bw_req *r = container_of(req, struct pcv_diag_bw_req, req);

	if (status)
		atomic_inc(&r->ctx->failed);
	if (atomic_dec_and_test(&r->ctx->left))
		wake_up(&r->ctx->wq);
}

/* Submit one batch of n transfers of size bytes and wait for all of them. */
static int pcv_diag_bw_batch(struct pcv_diag *d, struct pcv_diag_bw_ctx *ctx, u32 first,
			     u32 n, u32 size, u32 slots)
{
	struct pcv_dma_req *batch[PCV_DIAG_BW_DEPTH];
	struct pcv_dev *dev = d->dev;
	u32 j;
	int err;

	for (j = 0; j < n; j++) {
		struct pcv_diag_bw_req *r = &ctx->reqs[j];

		r->req = (struct pcv_dma_req) {
			.op = PCV_DMA_COPY,
			.flags = j == n - 1 ? PCV_DMA_F_IRQ : 0,
			.len = size,
			.src_blade = dev->info.blade_id,
			.src_addr = d->buf_addr,
			.dst_blade = d->peer,
			.dst_addr = d->peer_area + (u64)((first + j) % slots) * size,
			.done = pcv_diag_bw_done,
		};
		r->ctx = ctx;
		batch[j] = &r->req;
	}
	atomic_set(&ctx->left, n);
	err = pcv_dma_submit(dev, batch, n);
	if (err)
		return err;
	if (!wait_event_timeout(ctx->wq, !atomic_read(&ctx->left),
				msecs_to_jiffies(PCV_DIAG_TIMEOUT_MS)))
		return -ETIMEDOUT;
	return 0;
}

/*
 * Stream count transfers of size bytes to consecutive offsets of the peer's
 * area (DMA: PCV_DIAG_BW_DEPTH in flight), then check the area's last lap.
 */
static int pcv_diag_bw(struct pcv_dev *dev, u32 peer, bool dma, u32 count, u32 size)
{
	struct pcv_diag d = { .dma = dma, .rng = 0x1234567 };
	struct pcv_diag_bw_ctx *ctx = NULL;
	u32 slots, i, n;
	u8 *tmp = NULL;
	u64 t0, ns;
	int err;

	if (!size || size > PCV_DIAG_MAX_XFER)
		return -EINVAL;
	err = pcv_diag_peer(&d, dev, peer);
	if (err)
		return err;
	err = pcv_diag_alloc(&d);
	if (err)
		return err;
	slots = d.area_size / size;
	pcv_diag_fill(&d, d.buf, size);
	if (dma) {
		ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
		if (!ctx) {
			err = -ENOMEM;
			goto out;
		}
		init_waitqueue_head(&ctx->wq);
	}
	t0 = ktime_get_ns();
	for (i = 0; i < count; i += n) {
		n = dma ? min_t(u32, PCV_DIAG_BW_DEPTH, count - i) : 1;
		if (!dma) {
			memcpy_toio(d.win + d.peer_area + (size_t)(i % slots) * size, d.buf, size);
			continue;
		}
		err = pcv_diag_bw_batch(&d, ctx, i, n, size, slots);
		if (err)
			break;
	}
	ns = ktime_get_ns() - t0;
	if (!dma)
		pcv_count(dev, PCV_CNT_PIO_BYTES, (u64)count * size);
	if (err == -ETIMEDOUT) {
		/* The engine may still touch ctx and our buffer: leak both. */
		dev_warn(&dev->ibdev.dev, "DMA engine did not answer: leaking test buffers\n");
		ctx = NULL;
		d.buf = NULL;
	}
	if (err)
		goto out;
	if (ctx && atomic_read(&ctx->failed)) {
		err = -EIO;
		goto out;
	}
	/* Every slot written in the last lap holds the buffer. */
	tmp = vmalloc(size);
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < min(count, slots); i++) {
		memcpy_fromio(tmp, d.win + d.peer_area + (size_t)i * size, size);
		if (memcmp(tmp, d.buf, size))
			d.errors++;
	}
	pcv_diag_report(dev, "%s bw mode=%s peer=%u count=%u size=%u",
			d.errors ? "fail" : "ok", dma ? "dma" : "pio", peer, count, size);
	pcv_diag_append(dev, " bytes=%llu ns=%llu MBps=%llu errors=%u\n", (u64)count * size, ns,
			ns ? div64_u64((u64)count * size * 1000, ns) : 0, d.errors);
	if (d.errors)
		err = -EIO;
out:
	vfree(tmp);
	kfree(ctx);
	pcv_diag_free(&d);
	return err;
}

struct pcv_diag_bad {
	const char *name;
	struct pcv_dma_req req;
	int expect;			/* errno the engine's status must map to */
};

/*
 * Malformed requests must come back with an error status and change nothing:
 * the bytes around the peer's area and the last bytes of its RAM are checked
 * before and after.  A good request must still work afterwards.
 */
static int pcv_diag_badcases(struct pcv_dev *dev, u32 peer)
{
	struct pcv_diag d = { .rng = 99 };
	u64 ram = dev->info.peer_mem_size;
	u8 before[2][64], after[2][64];
	unsigned int passed = 0, i;
	bool untouched;
	char log[512] = "";
	size_t n = 0;
	int err;
	struct pcv_diag_bad bad[] = {
		{ "dst-crosses-end-of-ram", { .op = PCV_DMA_COPY, .len = 8,
		  .dst_addr = ram - 4 }, -EFAULT },
		{ "dst-address-overflow", { .op = PCV_DMA_COPY, .len = 8,
		  .dst_addr = U64_MAX - 3 }, -EFAULT },
		{ "src-beyond-ram", { .op = PCV_DMA_COPY, .len = 64,
		  .src_addr = ram }, -EFAULT },
		{ "zero-length", { .op = PCV_DMA_COPY, .len = 0 }, -EINVAL },
		{ "too-long", { .op = PCV_DMA_COPY,
		  .len = dev->ops->dma_max_len(dev->priv) + 1 }, -EINVAL },
		{ "blade-out-of-range", { .op = PCV_DMA_COPY, .len = 8 }, -EINVAL },
		{ "imm-bad-length", { .op = PCV_DMA_WRITE_IMM, .len = 3 }, -EINVAL },
		{ "atomic-misaligned", { .op = PCV_DMA_FETCH_ADD, .len = 8 }, -EFAULT },
	};

	err = pcv_diag_peer(&d, dev, peer);
	if (err)
		return err;
	err = pcv_diag_alloc(&d);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct pcv_dma_req *r = &bad[i].req;

		r->src_blade = dev->info.blade_id;
		r->dst_blade = peer;
		if (!r->src_addr)
			r->src_addr = d.buf_addr;
		if (!r->dst_addr)
			r->dst_addr = d.peer_area + 64;
	}
	bad[5].req.dst_blade = dev->info.nr_blades;
	bad[7].req.dst_addr = d.peer_area + 1;
	bad[7].req.src_addr = d.buf_addr;

	memcpy_fromio(before[0], d.win + d.peer_area, 64);
	memcpy_fromio(before[1], d.win + ram - 64, 64);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u32 hw = 0;
		int got = pcv_dma_sync(dev, &bad[i].req, PCV_DIAG_TIMEOUT_MS, &hw);
		const char *verdict = got == bad[i].expect ? "rejected" : "WRONG";

		passed += got == bad[i].expect;
		n += scnprintf(log + n, sizeof(log) - n, " %s=%s(%d,hw=%#x)", bad[i].name,
			       verdict, got, hw);
		if (got == -ETIMEDOUT)
			break;
	}
	memcpy_fromio(after[0], d.win + d.peer_area, 64);
	memcpy_fromio(after[1], d.win + ram - 64, 64);
	if (memcmp(before, after, sizeof(before)))
		passed = 0;	/* something was written: no case passes */

	/* The engine still works. */
	pcv_diag_fill(&d, d.buf, 4096);
	d.dma = true;
	err = pcv_diag_xfer(&d, 4096, 0, 4096);
	if (!err) {
		memcpy(d.shadow + 4096, d.buf, 4096);
		if (!pcv_diag_check_remote(&d, 4096, 4096, d.buf + 8192))
			err = -EIO;
	}

	untouched = !memcmp(before, after, sizeof(before));
	pcv_diag_report(dev, "%s badcases peer=%u passed=%u of %zu",
			passed == ARRAY_SIZE(bad) && !err ? "ok" : "fail", peer, passed,
			ARRAY_SIZE(bad));
	pcv_diag_append(dev, " untouched=%s engine_after=%s%s\n", untouched ? "yes" : "no",
			err ? "broken" : "working", log);
	pcv_diag_free(&d);
	if (err)
		return err;
	return passed == ARRAY_SIZE(bad) ? 0 : -EIO;
}

static int pcv_diag_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int pcv_diag_ping(struct pcv_dev *dev, u32 peer, u32 count)
{
	u64 *rtt;
	u32 i;
	int err = 0;

	if (!count || count > 10000)
		return -EINVAL;
	rtt = kvcalloc(count, sizeof(*rtt), GFP_KERNEL);
	if (!rtt)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		err = pcv_link_ping(dev, peer, 2000, &rtt[i]);
		if (err)
			break;
	}
	if (!err) {
		sort(rtt, count, sizeof(*rtt), pcv_diag_cmp_u64, NULL);
		pcv_diag_report(dev, "ok ping peer=%u count=%u", peer, count);
		pcv_diag_append(dev, " min_us=%llu median_us=%llu max_us=%llu\n",
				div_u64(rtt[0], 1000), div_u64(rtt[count / 2], 1000),
				div_u64(rtt[count - 1], 1000));
	} else {
		pcv_diag_report(dev, "error ping peer=%u failed after %u replies: %d\n",
				peer, i, err);
	}
	kvfree(rtt);
	return err;
}

/* ---- kernel verbs loopback: the engine as kernel consumers use it ---------- */

struct pcv_kloop {
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp[2];
	u8 *buf[2];
	u64 dma[2];
};

static int pcv_kloop_connect(struct pcv_dev *dev, struct ib_qp *qp, u32 dest)
{
	struct ib_qp_attr a = {};
	int err;

	a.qp_state = IB_QPS_INIT;
	a.port_num = PCV_PORT;
	a.qp_access_flags = IB_ACCESS_LOCAL_WRITE;
	err = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_PKEY_INDEX | IB_QP_PORT |
			   IB_QP_ACCESS_FLAGS);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTR;
	a.path_mtu = IB_MTU_4096;
	a.dest_qp_num = dest;
	a.min_rnr_timer = 12;
	a.ah_attr.type = RDMA_AH_ATTR_TYPE_IB;
	rdma_ah_set_dlid(&a.ah_attr, pcv_lid(dev));
	rdma_ah_set_port_num(&a.ah_attr, PCV_PORT);
	err = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_AV | IB_QP_PATH_MTU | IB_QP_DEST_QPN |
			   IB_QP_RQ_PSN | IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	return ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_TIMEOUT | IB_QP_RETRY_CNT |
			    IB_QP_RNR_RETRY | IB_QP_SQ_PSN | IB_QP_MAX_QP_RD_ATOMIC);
}

/* Poll the (direct) CQ until n completions or the deadline. */
static int pcv_kloop_poll(struct ib_cq *cq, struct ib_wc *wc, int n, unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);
	int got = 0;

	while (got < n && time_before(jiffies, deadline)) {
		int r = ib_poll_cq(cq, n - got, wc + got);

		if (r < 0)
			return r;
		got += r;
		if (!r)
			usleep_range(50, 200);
	}
	return got;
}

/*
 * Two RC QPs of this device connected to each other through ib_* calls, as a
 * ULP would: SENDs of sizes across the inline/rendezvous threshold (kernel
 * memory: the rendezvous describes fabric ranges), payload checked, then a
 * flush on error.  Proves the kernel consumer path of the engine.
 */
static int pcv_diag_kloop(struct pcv_dev *dev, u32 iters)
{
	static const u32 sizes[] = { 1, 64, 192, 2048, 2049, 4000, 8192 };
	struct ib_qp_init_attr init = {};
	struct pcv_kloop k = {};
	struct ib_wc wc[4];
	u32 i, checked = 0;
	int err, n, j;

	k.pd = ib_alloc_pd(&dev->ibdev, 0);
	if (IS_ERR(k.pd))
		return PTR_ERR(k.pd);
	k.cq = ib_alloc_cq(&dev->ibdev, NULL, 64, 0, IB_POLL_DIRECT);
	if (IS_ERR(k.cq)) {
		err = PTR_ERR(k.cq);
		k.cq = NULL;
		goto out;
	}
	init.qp_type = IB_QPT_RC;
	init.send_cq = k.cq;
	init.recv_cq = k.cq;
	init.sq_sig_type = IB_SIGNAL_ALL_WR;
	init.cap.max_send_wr = 8;
	init.cap.max_recv_wr = 8;
	init.cap.max_send_sge = 2;
	init.cap.max_recv_sge = 2;
	for (j = 0; j < 2; j++) {
		k.qp[j] = ib_create_qp(k.pd, &init);
		if (IS_ERR(k.qp[j])) {
			err = PTR_ERR(k.qp[j]);
			k.qp[j] = NULL;
			goto out;
		}
		k.buf[j] = kzalloc(SZ_8K, GFP_KERNEL);
		if (!k.buf[j]) {
			err = -ENOMEM;
			goto out;
		}
		k.dma[j] = ib_dma_map_single(&dev->ibdev, k.buf[j], SZ_8K, DMA_BIDIRECTIONAL);
		if (ib_dma_mapping_error(&dev->ibdev, k.dma[j])) {
			kfree(k.buf[j]);
			k.buf[j] = NULL;
			err = -ENOMEM;
			goto out;
		}
	}
	err = pcv_kloop_connect(dev, k.qp[0], k.qp[1]->qp_num);
	if (!err)
		err = pcv_kloop_connect(dev, k.qp[1], k.qp[0]->qp_num);
	if (err)
		goto out;

	for (i = 0; i < iters && !err; i++) {
		u32 len = sizes[i % ARRAY_SIZE(sizes)];
		struct ib_sge rs = { .addr = k.dma[1], .length = SZ_8K,
				     .lkey = k.pd->local_dma_lkey };
		struct ib_sge ss = { .addr = k.dma[0], .length = len,
				     .lkey = k.pd->local_dma_lkey };
		struct ib_recv_wr rw = { .wr_id = 100 + i, .sg_list = &rs, .num_sge = 1 };
		struct ib_send_wr sw = { .wr_id = i, .sg_list = &ss, .num_sge = 1,
					 .opcode = IB_WR_SEND, .send_flags = IB_SEND_SIGNALED };
		u32 b;

		for (b = 0; b < len; b++)
			k.buf[0][b] = (u8)(b * 7 + i);
		memset(k.buf[1], 0, SZ_8K);
		err = ib_post_recv(k.qp[1], &rw, NULL);
		if (!err)
			err = ib_post_send(k.qp[0], &sw, NULL);
		if (err)
			break;
		n = pcv_kloop_poll(k.cq, wc, 2, 5000);
		if (n != 2) {
			err = n < 0 ? n : -ETIMEDOUT;
			break;
		}
		for (j = 0; j < 2; j++) {
			if (wc[j].status != IB_WC_SUCCESS)
				err = -EIO;
			if (wc[j].wr_id == 100 + i && (wc[j].byte_len != len ||
						       wc[j].qp != k.qp[1]))
				err = -EIO;
		}
		if (!err && memcmp(k.buf[0], k.buf[1], len))
			err = -EIO;
		if (!err && memchr_inv(k.buf[1] + len, 0, SZ_8K - len))
			err = -EIO;
		checked += len;
	}
	if (!err) {
		/* A receive posted, then ERR: it completes flushed. */
		struct ib_sge rs = { .addr = k.dma[1], .length = 64, .lkey = k.pd->local_dma_lkey };
		struct ib_recv_wr rw = { .wr_id = 999, .sg_list = &rs, .num_sge = 1 };
		struct ib_qp_attr a = { .qp_state = IB_QPS_ERR };

		err = ib_post_recv(k.qp[1], &rw, NULL);
		if (!err)
			err = ib_modify_qp(k.qp[1], &a, IB_QP_STATE);
		n = err ? 0 : pcv_kloop_poll(k.cq, wc, 1, 5000);
		if (!err && (n != 1 || wc[0].wr_id != 999 || wc[0].status != IB_WC_WR_FLUSH_ERR))
			err = -EIO;
	}
	pcv_diag_report(dev, "%s kloop iters=%u bytes=%u err=%d\n", err ? "fail" : "ok", i, checked,
			err);
out:
	for (j = 0; j < 2; j++) {
		if (k.qp[j])
			ib_destroy_qp(k.qp[j]);
		if (k.buf[j]) {
			ib_dma_unmap_single(&dev->ibdev, k.dma[j], SZ_8K, DMA_BIDIRECTIONAL);
			kfree(k.buf[j]);
		}
	}
	if (k.cq)
		ib_free_cq(k.cq);
	ib_dealloc_pd(k.pd);
	return err;
}

/*
 * Commands (one per write):
 *   ping PEER COUNT
 *   verify dma|pio write|read PEER COUNT SEED
 *   bw dma|pio PEER COUNT SIZE
 *   badcases PEER
 *   kloop ITERS
 */
int pcv_diag_run(struct pcv_dev *dev, const char *cmd)
{
	char mode[8], dir[8];
	u32 peer, count, size;
	u64 seed;
	int err;

	mutex_lock(&dev->diag_lock);
	pcv_diag_report(dev, "error bad command\n");
	if (sscanf(cmd, "ping %u %u", &peer, &count) == 2) {
		err = pcv_diag_ping(dev, peer, count);
	} else if (sscanf(cmd, "verify %7s %7s %u %u %llu", mode, dir, &peer, &count,
			  &seed) == 5 && count <= PCV_DIAG_MAX_COUNT &&
		   (!strcmp(mode, "dma") || !strcmp(mode, "pio")) &&
		   (!strcmp(dir, "write") || !strcmp(dir, "read"))) {
		err = pcv_diag_verify(dev, peer, !strcmp(mode, "dma"), !strcmp(dir, "read"),
				      count, seed);
	} else if (sscanf(cmd, "bw %7s %u %u %u", mode, &peer, &count, &size) == 4 &&
		   count <= PCV_DIAG_MAX_COUNT &&
		   (!strcmp(mode, "dma") || !strcmp(mode, "pio"))) {
		err = pcv_diag_bw(dev, peer, !strcmp(mode, "dma"), count, size);
	} else if (sscanf(cmd, "badcases %u", &peer) == 1) {
		err = pcv_diag_badcases(dev, peer);
	} else if (sscanf(cmd, "kloop %u", &count) == 1 && count && count <= 10000) {
		err = pcv_diag_kloop(dev, count);
	} else {
		err = -EINVAL;
	}
	if (err && !strncmp(dev->diag_result, "error bad command", 17) && err != -EINVAL)
		pcv_diag_report(dev, "error %d\n", err);
	mutex_unlock(&dev->diag_lock);
	return err;
}

u32 pcv_diag_checksum(struct pcv_dev *dev)
{
	if (!dev->diag)
		return 0;
	return ~crc32_le(~0U, dev->diag, dev->diag_size);
}
