// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs data movement: between local scatter/gather lists (checked
 * against our MRs) and memory of any blade (a remote MR walked through its
 * exported page table, or a fabric address range).
 *
 * Up to pio_max bytes move by CPU copies through the window, synchronously;
 * more go to the agent DMA engine as page-sized descriptors, submitted in
 * waves of up to 512, completing asynchronously through pcv_xfer.done.
 * The middle of each wave submits the next one, so the engine never idles
 * between waves (pcv_xfer_advance).  A full engine ring gets a shorter wave,
 * down to PCV_XFER_MIN_WAVE, and with nothing of the transfer in flight the
 * CPU copies the rest.  Writes into remote memory make their last byte
 * visible last (a CPU copy writes it after a barrier; the engine executes
 * descriptors in order and lands each one's last byte last), because
 * ib_write_lat-style readers spin on it.
 */
#include <linux/highmem.h>
#include <linux/slab.h>
#include "pcv.h"

#define PCV_XFER_WAVE		512	/* descriptors submitted at once, at most */
#define PCV_XFER_MIN_WAVE	16	/* ... and at least, else the CPU copies */
#define PCV_XFER_MAX_PIECES	8192	/* 32 MiB of 4 KiB pieces */

/* ---- local scatter/gather ---------------------------------------------------- */

void pcv_lsge_release(struct pcv_lsge *sg, u32 n)
{
	while (n--) {
		if (sg[n].mr)
			pcv_mr_put(sg[n].mr);
		sg[n].mr = NULL;
	}
}

/*
 * Check each SGE's lkey (pd, access, range) and take a reference on its MR.
 * Returns 0, or -EACCES (bad key/pd/access/range) / -EMSGSIZE (total too
 * large); on failure no reference is kept.
 */
int pcv_lsge_resolve(struct pcv_dev *dev, const struct pcv_sge *sge, u32 nsge, u32 pdn,
		     u32 access, struct pcv_lsge *out, u64 *total)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < nsge; i++) {
		struct pcv_mr *mr;
		u64 addr = sge[i].addr;
		u32 len = sge[i].length;

		out[i].mr = NULL;
		out[i].addr = addr;
		out[i].length = len;
		if (!len)
			continue;
		mr = pcv_mr_get(dev, sge[i].lkey);
		if (!mr)
			goto err_access;
		out[i].mr = mr;
		if (mr->pdn != pdn || (mr->access & access) != access)
			goto err_access;
		if (!mr->dma_mr && (addr < mr->iova || len > mr->length ||
				    addr - mr->iova > mr->length - len))
			goto err_access;
		sum += len;
		if (sum > PCV_MAX_MSG_SZ) {
			pcv_lsge_release(out, i + 1);
			return -EMSGSIZE;
		}
	}
	*total = sum;
	return 0;

err_access:
	pcv_lsge_release(out, i + 1);
	return -EACCES;
}

/*
 * The CPU address of sg's byte at addr and how many bytes are contiguous from
 * there (within one page for user MRs).  *page is set for user MRs: the
 * caller kunmaps.
 */
static void *pcv_lsge_map(const struct pcv_lsge *sg, u64 addr, u32 len, u32 *chunk,
			  struct page **page)
{
	struct pcv_mr *mr = sg->mr;
	u64 off;
	u32 in;

	*page = NULL;
	if (mr->dma_mr) {
		/* Kernel virtual address (virtual DMA): contiguous. */
		*chunk = len;
		return (void *)(uintptr_t)addr;
	}
	off = addr - mr->iova + mr->page_off;
	in = off & ~PAGE_MASK;
	*chunk = min_t(u32, len, PAGE_SIZE - in);
	*page = mr->pages[off >> PAGE_SHIFT];
	return kmap_local_page(*page) + in;
}

static void pcv_lsge_unmap(void *va, struct page *page)
{
	if (page)
		kunmap_local(va);
}

/* Walk [off, off + len) of the SG list calling fn on each contiguous chunk. */
static void pcv_lsge_walk(const struct pcv_lsge *sg, u32 nsg, u64 off, u32 len,
			  void (*fn)(void *va, u32 n, void *arg), void *arg)
{
	u32 i;

	for (i = 0; i < nsg && len; i++) {
		u64 addr;
		u32 avail;

		if (off >= sg[i].length) {
			off -= sg[i].length;
			continue;
		}
		addr = sg[i].addr + off;
		avail = sg[i].length - off;
		off = 0;
		while (avail && len) {
			struct page *pg;
			u32 chunk;
			void *va = pcv_lsge_map(&sg[i], addr, min(avail, len), &chunk, &pg);

			fn(va, chunk, arg);
			pcv_lsge_unmap(va, pg);
			addr += chunk;
			avail -= chunk;
			len -= chunk;
		}
	}
}

struct pcv_copy_arg {
	u8 *buf;
	const u8 *cbuf;
	u8 __iomem *io;
};

static void pcv_copy_out(void *va, u32 n, void *arg)
{
	struct pcv_copy_arg *a = arg;

	memcpy(a->buf, va, n);
	a->buf += n;
}

static void pcv_copy_in(void *va, u32 n, void *arg)
{
	struct pcv_copy_arg *a = arg;

	memcpy(va, a->cbuf, n);
	a->cbuf += n;
}

static void pcv_copy_to_io(void *va, u32 n, void *arg)
{
	struct pcv_copy_arg *a = arg;

	memcpy_toio(a->io, va, n);
	a->io += n;
}

void pcv_lsge_copy_from(const struct pcv_lsge *sg, u32 nsg, void *dst, u64 off, u32 len)
{
	struct pcv_copy_arg a = { .buf = dst };

	pcv_lsge_walk(sg, nsg, off, len, pcv_copy_out, &a);
}

void pcv_lsge_copy_to(const struct pcv_lsge *sg, u32 nsg, u64 off, const void *src, u32 len)
{
	struct pcv_copy_arg a = { .cbuf = src };

	pcv_lsge_walk(sg, nsg, off, len, pcv_copy_in, &a);
}

void pcv_lsge_to_io(const struct pcv_lsge *sg, u32 nsg, void __iomem *dst, u32 len)
{
	struct pcv_copy_arg a = { .io = dst };

	pcv_lsge_walk(sg, nsg, 0, len, pcv_copy_to_io, &a);
}

/* Fabric address of a local byte and how many bytes are physically contiguous. */
u64 pcv_mr_fabric_addr(struct pcv_dev *dev, struct pcv_mr *mr, u64 addr, u32 *chunk)
{
	u64 off;

	if (mr->dma_mr) {
		void *va = (void *)(uintptr_t)addr;

		*chunk = PAGE_SIZE - offset_in_page(va);
		return dev->ops->page_fabric_addr(dev->priv, virt_to_page(va)) +
		       offset_in_page(va);
	}
	off = addr - mr->iova + mr->page_off;
	*chunk = PAGE_SIZE - (off & ~PAGE_MASK);
	return dev->ops->page_fabric_addr(dev->priv, mr->pages[off >> PAGE_SHIFT]) +
	       (off & ~PAGE_MASK);
}

/* ---- remote pages ---------------------------------------------------------- */

/* Walks a remote MR's pages, reading its page table through the window. */
struct pcv_rwalk {
	struct pcv_dev *dev;
	u32 blade;
	const struct pcv_mr_desc *d;	/* NULL: phys range (addr is fabric) */
	u64 addr;			/* next byte (iova, or fabric address) */
	u64 mem;			/* blade's memory size */
	u32 l1_cached;
	u64 l2_addr;
};

/* Fabric address of the walk's next byte and bytes left in its page. */
static int pcv_rwalk_next(struct pcv_rwalk *w, u64 *fab, u32 *in_page)
{
	const struct pcv_mr_desc *d = w->d;
	__le64 ent;
	u32 i, l1;
	u32 psz;

	if (!d) {
		*fab = w->addr;
		*in_page = PAGE_SIZE - offset_in_page(w->addr);
		return 0;
	}
	psz = 1U << d->page_shift;
	i = pcv_mr_page_index(d, w->addr);
	if (i >= d->nr_pages)
		return -EFAULT;
	l1 = pcv_pt_l1(i);
	if (l1 != w->l1_cached) {
		if (pcv_fabric_read(w->dev, w->blade, d->pt_addr + (u64)l1 * 8, &ent, 8))
			return -EFAULT;
		w->l2_addr = le64_to_cpu(ent);
		if (w->l2_addr & (PAGE_SIZE - 1) || w->l2_addr >= w->mem)
			return -EFAULT;
		w->l1_cached = l1;
	}
	if (pcv_fabric_read(w->dev, w->blade, w->l2_addr + (u64)pcv_pt_l2(i) * 8, &ent, 8))
		return -EFAULT;
	*fab = le64_to_cpu(ent);
	if (*fab & (psz - 1) || *fab >= w->mem || psz > w->mem - *fab)
		return -EFAULT;
	*fab += pcv_mr_page_off(d, w->addr);
	*in_page = psz - pcv_mr_page_off(d, w->addr);
	return 0;
}

static u64 pcv_blade_mem(struct pcv_dev *dev, u32 blade)
{
	return blade == dev->info.blade_id ? dev->info.peer_mem_size :
	       dev->peers[blade].win_size;
}

/* ---- synchronous CPU copies -------------------------------------------------- */

/* Walks local SGEs from a byte offset, one mappable chunk at a time. */
struct pcv_lwalk {
	const struct pcv_lsge *sg;
	u32 nsg;
	u32 i;
	u64 addr;			/* next byte of sg[i] */
	u32 left;			/* bytes left in sg[i] */
};

static void pcv_lwalk_init(struct pcv_lwalk *l, const struct pcv_lsge *sg, u32 nsg, u64 off)
{
	l->sg = sg;
	l->nsg = nsg;
	for (l->i = 0; l->i < nsg; l->i++) {
		if (off < sg[l->i].length)
			break;
		off -= sg[l->i].length;
	}
	l->addr = l->i < nsg ? sg[l->i].addr + off : 0;
	l->left = l->i < nsg ? sg[l->i].length - off : 0;
}

/* Map the next chunk (at most max bytes); NULL when the list is exhausted. */
static void *pcv_lwalk_map(struct pcv_lwalk *l, u32 max, u32 *chunk, struct page **pg)
{
	void *va;

	while (!l->left) {
		if (++l->i >= l->nsg)
			return NULL;
		l->addr = l->sg[l->i].addr;
		l->left = l->sg[l->i].length;
	}
	va = pcv_lsge_map(&l->sg[l->i], l->addr, min(l->left, max), chunk, pg);
	l->addr += *chunk;
	l->left -= *chunk;
	return va;
}

/*
 * Copy len bytes between local SGEs (from sg_off) and the remote walk,
 * chunk by chunk directly between the mapped local page and the window.
 * to_remote: the last byte is written last, after a barrier.
 */
static int pcv_pio(struct pcv_rwalk *w, const struct pcv_lsge *sg, u32 nsg, u64 sg_off,
		   u64 len, bool to_remote)
{
	struct pcv_lwalk l;
	u64 left = len;

	pcv_lwalk_init(&l, sg, nsg, sg_off);
	while (left) {
		u64 fab;
		u32 in_page, rn;
		void __iomem *rp;
		int err = pcv_rwalk_next(w, &fab, &in_page);

		if (err)
			return err;
		rn = (u32)min_t(u64, in_page, left);
		rp = pcv_fabric_ptr(w->dev, w->blade, fab, rn);
		if (!rp)
			return -EFAULT;
		w->addr += rn;
		left -= rn;
		while (rn) {
			struct page *pg;
			u32 n;
			u8 *va = pcv_lwalk_map(&l, rn, &n, &pg);

			if (!va)
				return -EFAULT;
			if (!to_remote) {
				memcpy_fromio(va, rp, n);
			} else if (!left && n == rn) {
				/* The final byte of the whole transfer lands last. */
				memcpy_toio(rp, va, n - 1);
				/* Orders the bytes above before the last byte's store. */
				wmb();
				writeb(va[n - 1], (u8 __iomem *)rp + n - 1);
			} else {
				memcpy_toio(rp, va, n);
			}
			pcv_lsge_unmap(va, pg);
			rp = (u8 __iomem *)rp + n;
			rn -= n;
		}
	}
	pcv_count(w->dev, PCV_CNT_PIO_BYTES, len);
	return 0;
}

/* Write a flat kernel buffer (inline data) into a remote MR, last byte last. */
int pcv_remote_mr_write_buf(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d,
			    u64 raddr, const void *buf, u32 len)
{
	struct pcv_rwalk w = {
		.dev = dev, .blade = blade, .d = d, .addr = raddr,
		.mem = pcv_blade_mem(dev, blade), .l1_cached = U32_MAX,
	};
	const u8 *src = buf;
	u32 done = 0;

	while (done < len) {
		u64 fab;
		u32 in_page, n;
		void __iomem *rp;
		int err = pcv_rwalk_next(&w, &fab, &in_page);

		if (err)
			return err;
		n = min(in_page, len - done);
		rp = pcv_fabric_ptr(dev, blade, fab, n);
		if (!rp)
			return -EFAULT;
		if (done + n == len) {
			/* The last byte after everything else. */
			memcpy_toio(rp, src + done, n - 1);
			/* Orders the bytes above before the last byte's store. */
			wmb();
			writeb(src[len - 1], (u8 __iomem *)rp + n - 1);
		} else {
			memcpy_toio(rp, src + done, n);
		}
		done += n;
		w.addr += n;
	}
	pcv_count(dev, PCV_CNT_PIO_BYTES, len);
	return 0;
}

/* ---- asynchronous DMA ----------------------------------------------------------- */

void pcv_xfer_free(struct pcv_xfer *x)
{
	kfree(x);
}

/*
 * Pieces of x are done (count of them, engine or CPU): true if the caller
 * must now call x->done(x), after dropping x->lock.  While x is starting
 * the starter reports instead (pcv_xfer_start).
 */
static bool pcv_xfer_retire(struct pcv_xfer *x, u32 count)
{
	lockdep_assert_held(&x->lock);
	x->pending -= count;
	if (x->pending)
		return false;
	if (x->starting) {
		x->sync_done = true;
		return false;
	}
	return true;
}

/* One piece by CPU (the DMA ring was full): same effect, synchronously. */
static int pcv_xfer_cpu_piece(struct pcv_dev *dev, const struct pcv_dma_req *r)
{
	void __iomem *src = pcv_fabric_ptr(dev, r->src_blade, r->src_addr, r->len);
	void __iomem *dst = pcv_fabric_ptr(dev, r->dst_blade, r->dst_addr, r->len);
	u8 tmp[256];
	u32 off, n;

	if (r->op != PCV_DMA_COPY || !src || !dst)
		return -EFAULT;
	for (off = 0; off < r->len; off += n) {
		n = min_t(u32, sizeof(tmp), r->len - off);
		memcpy_fromio(tmp, (u8 __iomem *)src + off, n);
		memcpy_toio((u8 __iomem *)dst + off, tmp, n);
	}
	pcv_count(dev, PCV_CNT_PIO_BYTES, r->len);
	return 0;
}

/*
 * Submit the next wave of x.  Its middle piece interrupts too and submits
 * the wave after it, so the engine always has half a wave queued while we
 * reap and submit: with one wave in flight it idled between waves and a
 * 4 MiB transfer ran at ~75% of a 2 MiB one.  Every wave's last piece
 * interrupts, to finish x or to retry a wave the ring had no room for.
 *
 * Returns true if the caller must copy the rest by CPU (pcv_xfer_cpu_rest,
 * without x->lock): no room on the engine and nothing of x in flight.  With
 * pieces in flight the CPU must not start (it would overtake them, and the
 * last byte must land last): the last of them calls us again.  After an
 * error the rest is dropped, counted as done.
 */
static bool pcv_xfer_advance(struct pcv_xfer *x, bool *fin)
{
	u32 n = min_t(u32, PCV_XFER_WAVE, x->nreqs - x->next), i;
	int err;

	lockdep_assert_held(&x->lock);
	if (!n)
		return false;
	if (x->status) {
		n = x->nreqs - x->next;
		x->next = x->nreqs;
		*fin = pcv_xfer_retire(x, n);
		return false;
	}
	for (;;) {
		bool more = x->next + n < x->nreqs;

		for (i = 0; i < n; i++) {
			x->batch[i] = &x->reqs[x->next + i];
			x->batch[i]->flags = i == n - 1 || (more && i == n / 2) ?
					     PCV_DMA_F_IRQ : 0;
		}
		/*
		 * Under x->lock: the trigger of this wave may complete on
		 * another CPU before pcv_dma_submit returns; it waits for
		 * next and trigger to be right.
		 */
		err = pcv_dma_submit(x->dev, x->batch, n);
		if (!err) {
			x->trigger = more ? x->next + n / 2 : U32_MAX;
			x->next += n;
			x->inflight += n;
			return false;
		}
		/* Other transfers fill the ring: a shorter wave, if any. */
		if (err != -ENOSPC || n <= PCV_XFER_MIN_WAVE)
			break;
		n /= 2;
	}
	return !x->inflight;
}

/* Copy the pieces not submitted by CPU, in order (see pcv_xfer_advance). */
static void pcv_xfer_cpu_rest(struct pcv_xfer *x)
{
	u32 count = x->nreqs - x->next;
	unsigned long flags;
	bool fin;

	/*
	 * Not under x->lock (megabytes of copying): nothing of x is in
	 * flight and next < nreqs keeps everyone else off it.
	 */
	while (x->next < x->nreqs) {
		const struct pcv_dma_req *r = &x->reqs[x->next++];

		if (!x->status)
			x->status = pcv_xfer_cpu_piece(x->dev, r);
	}
	spin_lock_irqsave(&x->lock, flags);
	fin = pcv_xfer_retire(x, count);
	spin_unlock_irqrestore(&x->lock, flags);
	if (fin)
		x->done(x);
}

/*
 * Reapers may complete pieces of one transfer on several CPUs at once (they
 * drop the engine's lock around done callbacks): x->lock orders them.
 */
static void pcv_xfer_piece_done(struct pcv_dma_req *req, int status, u32 hw_status)
{
	struct pcv_xfer *x = req->ctx;
	bool cpu = false, fin = false;
	unsigned long flags;

	spin_lock_irqsave(&x->lock, flags);
	if (status && !x->status)
		x->status = status;
	x->inflight--;
	fin = pcv_xfer_retire(x, 1);
	if (!fin && ((u32)(req - x->reqs) == x->trigger || !x->inflight))
		cpu = pcv_xfer_advance(x, &fin);
	spin_unlock_irqrestore(&x->lock, flags);
	/* x may be gone once done() ran: nothing after it. */
	if (cpu)
		pcv_xfer_cpu_rest(x);
	else if (fin)
		x->done(x);
}

static struct pcv_xfer *pcv_xfer_alloc(struct pcv_dev *dev, u32 n,
				       void (*done)(struct pcv_xfer *), void *ctx)
{
	u32 nb = min_t(u32, n, PCV_XFER_WAVE);
	struct pcv_xfer *x;

	/* The wave's pointer array rides after reqs[]: no 4 KiB on the stack. */
	x = kzalloc(size_add(struct_size(x, reqs, n), array_size(nb, sizeof(*x->batch))),
		    GFP_ATOMIC);
	if (!x)
		return NULL;
	x->batch = (struct pcv_dma_req **)&x->reqs[n];
	x->dev = dev;
	x->done = done;
	x->ctx = ctx;
	x->nreqs = n;
	x->pending = n;
	x->trigger = U32_MAX;
	spin_lock_init(&x->lock);
	return x;
}

/*
 * Start x (its pieces filled in).  Returns true if it already finished (then
 * done() will not be called: the caller reads x->status and frees x).
 */
static bool pcv_xfer_start(struct pcv_xfer *x)
{
	unsigned long flags;
	bool cpu, fin = false, sync;

	spin_lock_irqsave(&x->lock, flags);
	x->starting = true;
	cpu = pcv_xfer_advance(x, &fin);
	spin_unlock_irqrestore(&x->lock, flags);
	if (cpu)
		pcv_xfer_cpu_rest(x);
	spin_lock_irqsave(&x->lock, flags);
	x->starting = false;
	sync = x->sync_done;
	spin_unlock_irqrestore(&x->lock, flags);
	return sync;
}

/*
 * Build DMA pieces for len bytes between local sg (from sg_off) and the remote
 * walk: each piece stays within one local and one remote page.
 */
static int pcv_dma_plan(struct pcv_rwalk *w, const struct pcv_lsge *sg, u32 nsg, u64 sg_off,
			u64 len, bool to_remote, struct pcv_xfer **xp,
			void (*done)(struct pcv_xfer *), void *ctx)
{
	struct pcv_dev *dev = w->dev;
	u32 max_pieces = (u32)min_t(u64, PCV_XFER_MAX_PIECES,
				    2 * (len >> PAGE_SHIFT) + 2 * nsg + 4);
	u32 me = dev->info.blade_id, n = 0, i = 0;
	struct pcv_xfer *x;
	u64 off = sg_off, done_bytes = 0;
	u64 sg_addr = 0;
	u32 sg_left = 0;

	x = pcv_xfer_alloc(dev, max_pieces, done, ctx);
	if (!x)
		return -ENOMEM;
	while (done_bytes < len) {
		u64 rfab, lfab;
		u32 rin, lin, piece;
		struct pcv_dma_req *r;
		int err;

		/* Advance to the local SGE holding byte off. */
		while (!sg_left) {
			if (i >= nsg) {
				kfree(x);
				return -EFAULT;
			}
			if (off >= sg[i].length) {
				off -= sg[i].length;
				i++;
				continue;
			}
			sg_addr = sg[i].addr + off;
			sg_left = sg[i].length - off;
			off = 0;
			if (!sg[i].mr) {	/* zero-length SGEs have no MR */
				sg_left = 0;
				i++;
			}
		}
		err = pcv_rwalk_next(w, &rfab, &rin);
		if (err) {
			kfree(x);
			return err;
		}
		lfab = pcv_mr_fabric_addr(dev, sg[i].mr, sg_addr, &lin);
		piece = min3(rin, lin, sg_left);
		piece = (u32)min_t(u64, piece, len - done_bytes);
		if (n == max_pieces) {
			kfree(x);
			return -E2BIG;
		}
		r = &x->reqs[n++];
		r->op = PCV_DMA_COPY;
		r->len = piece;
		r->done = pcv_xfer_piece_done;
		r->ctx = x;
		if (to_remote) {
			r->src_blade = me;
			r->src_addr = lfab;
			r->dst_blade = w->blade;
			r->dst_addr = rfab;
		} else {
			r->src_blade = w->blade;
			r->src_addr = rfab;
			r->dst_blade = me;
			r->dst_addr = lfab;
		}
		w->addr += piece;
		sg_addr += piece;
		sg_left -= piece;
		if (!sg_left)
			i++;
		done_bytes += piece;
	}
	x->nreqs = n;
	x->pending = n;
	*xp = x;
	return 0;
}

/* The common body: d NULL means raddr is a fabric address. */
static int pcv_remote_io(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
			 const struct pcv_lsge *sg, u32 nsg, u64 sg_off, u64 len, bool to_remote,
			 struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx)
{
	struct pcv_rwalk w = {
		.dev = dev, .blade = blade, .d = d, .addr = raddr,
		.mem = pcv_blade_mem(dev, blade), .l1_cached = U32_MAX,
	};
	int err;

	*xp = NULL;
	if (!d && (raddr >= w.mem || len > w.mem - raddr))
		return -EFAULT;
	if (!len)
		return 0;
	if (len > pcv_pio_max) {
		err = pcv_dma_plan(&w, sg, nsg, sg_off, len, to_remote, xp, done, ctx);
		if (!err) {
			if (!pcv_xfer_start(*xp))
				return 0;
			/* Finished while starting (CPU fallback): report synchronously. */
			err = (*xp)->status;
			pcv_xfer_free(*xp);
			*xp = NULL;
			return err;
		}
		if (err != -E2BIG && err != -ENOMEM)
			return err;
		/* Too many pieces (or no memory for them): copy it ourselves. */
		w.addr = raddr;
		w.l1_cached = U32_MAX;
	}
	return pcv_pio(&w, sg, nsg, sg_off, len, to_remote);
}

/*
 * Move len bytes between local sg (from byte sg_off of it) and a remote MR at
 * raddr (already checked against d).  Returns 0 with *xp NULL when done
 * synchronously, 0 with *xp set when DMA runs (done(x) follows once,
 * x->status tells), or -errno.
 */
int pcv_remote_mr_io_at(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
			const struct pcv_lsge *sg, u32 nsg, u64 sg_off, u64 len,
			struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx)
{
	return pcv_remote_io(dev, blade, d, raddr, sg, nsg, sg_off, len, false, xp, done, ctx);
}

int pcv_remote_mr_io(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
		     const struct pcv_lsge *sg, u32 nsg, u64 len, bool to_remote,
		     struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx)
{
	return pcv_remote_io(dev, blade, d, raddr, sg, nsg, 0, len, to_remote, xp, done, ctx);
}

/* Pull len bytes from fabric address raddr of blade into local sg at sg_off. */
int pcv_remote_phys_to_lsge(struct pcv_dev *dev, u32 blade, u64 raddr,
			    const struct pcv_lsge *sg, u32 nsg, u64 sg_off, u32 len,
			    struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx)
{
	return pcv_remote_io(dev, blade, NULL, raddr, sg, nsg, sg_off, len, false, xp, done, ctx);
}

/*
 * Atomic on 8 bytes of a remote MR through the engine (never a CPU atomic:
 * only engine atomics are atomic with respect to each other, IBV_ATOMIC_HCA).
 * The old value lands in x->result, for the caller to copy to its SGE.
 */
int pcv_remote_atomic(struct pcv_dev *dev, u32 blade, const struct pcv_mr_desc *d, u64 raddr,
		      const struct pcv_lsge *result, bool cmp_swap, u64 op0, u64 op1,
		      struct pcv_xfer **xp, void (*done)(struct pcv_xfer *), void *ctx)
{
	struct pcv_rwalk w = {
		.dev = dev, .blade = blade, .d = d, .addr = raddr,
		.mem = pcv_blade_mem(dev, blade), .l1_cached = U32_MAX,
	};
	struct pcv_xfer *x;
	struct pcv_dma_req *r;
	u32 in_page;
	u64 rfab;
	int err;

	err = pcv_rwalk_next(&w, &rfab, &in_page);
	if (err)
		return err;
	x = pcv_xfer_alloc(dev, 1, done, ctx);
	if (!x)
		return -ENOMEM;
	r = &x->reqs[0];
	r->op = cmp_swap ? PCV_DMA_CMP_SWAP : PCV_DMA_FETCH_ADD;
	r->len = 8;
	r->dst_blade = blade;
	r->dst_addr = rfab;
	/* The engine writes the old value into x->result (our RAM). */
	r->src_blade = dev->info.blade_id;
	r->src_addr = dev->ops->page_fabric_addr(dev->priv, virt_to_page(&x->result)) +
		      offset_in_page(&x->result);
	r->operand0 = op0;
	r->operand1 = op1;
	r->done = pcv_xfer_piece_done;
	r->ctx = x;
	*xp = x;
	if (pcv_xfer_start(x)) {
		/* The engine refused it: atomics have no CPU fallback. */
		err = x->status ? x->status : -EIO;
		pcv_xfer_free(x);
		*xp = NULL;
		return err;
	}
	return 0;
}
