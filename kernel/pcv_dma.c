// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs DMA: a thin layer over the backend's engine that counts, reaps
 * completions in process context and offers a synchronous helper.
 */
#include <linux/slab.h>
#include <linux/completion.h>
#include <linux/refcount.h>
#include "pcv.h"

int pcv_dma_submit(struct pcv_dev *dev, struct pcv_dma_req **reqs, unsigned int n)
{
	int err;

	atomic_add(n, &dev->dma_inflight);
	err = dev->ops->dma_submit(dev->priv, reqs, n);
	if (err) {
		atomic_sub(n, &dev->dma_inflight);
		return err;
	}
	pcv_count(dev, PCV_CNT_DMA_SUBMITTED, n);
	return 0;
}

void pcv_dma_done(struct pcv_dev *dev, struct pcv_dma_req *req, int status, u32 hw_status)
{
	pcv_count(dev, PCV_CNT_DMA_COMPLETED, 1);
	if (status)
		pcv_count(dev, PCV_CNT_DMA_ERRORS, 1);
	else if (req->op == PCV_DMA_COPY)
		pcv_count(dev, PCV_CNT_DMA_BYTES, req->len);
	req->done(req, status, hw_status);
	if (atomic_dec_and_test(&dev->dma_inflight))
		wake_up_all(&dev->dma_wq);
}

void pcv_dma_work(struct work_struct *work)
{
	struct pcv_dev *dev = container_of(work, struct pcv_dev, dma_work);

	while (dev->ops->dma_reap(dev->priv, 64) > 0)
		cond_resched();
}

/* Reap what has completed, in the caller's context (any, no locks held). */
void pcv_dma_reap_now(struct pcv_dev *dev)
{
	if (atomic_read(&dev->dma_inflight))
		dev->ops->dma_reap(dev->priv, 256);
}

/*
 * A synchronous request outlives its waiter if the engine never answers
 * (e.g. the chassis died): it is refcounted, freed by whoever drops last.
 */
struct pcv_dma_sync_ctx {
	struct pcv_dma_req req;
	struct completion done;
	refcount_t ref;
	int status;
	u32 hw_status;
};

static void pcv_dma_sync_done(struct pcv_dma_req *req, int status, u32 hw_status)
{
	struct pcv_dma_sync_ctx *ctx = container_of(req, struct pcv_dma_sync_ctx, req);

	ctx->status = status;
	ctx->hw_status = hw_status;
	complete(&ctx->done);
	if (refcount_dec_and_test(&ctx->ref))
		kfree(ctx);
}

/*
 * Submit one request with an interrupt and wait for it.  Returns its status,
 * -ETIMEDOUT if it did not complete in time.  *hw_status (optional) gets the
 * hardware's code.
 */
int pcv_dma_sync(struct pcv_dev *dev, const struct pcv_dma_req *req, unsigned int timeout_ms,
		 u32 *hw_status)
{
	struct pcv_dma_req *reqs[1];
	struct pcv_dma_sync_ctx *ctx;
	int err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->req = *req;
	ctx->req.flags |= PCV_DMA_F_IRQ;
	ctx->req.done = pcv_dma_sync_done;
	init_completion(&ctx->done);
	refcount_set(&ctx->ref, 2);
	reqs[0] = &ctx->req;
	err = pcv_dma_submit(dev, reqs, 1);
	if (err) {
		kfree(ctx);
		return err;
	}
	if (!wait_for_completion_timeout(&ctx->done, msecs_to_jiffies(timeout_ms)))
		err = -ETIMEDOUT;
	else
		err = ctx->status;
	if (hw_status)
		*hw_status = err == -ETIMEDOUT ? 0 : ctx->hw_status;
	if (refcount_dec_and_test(&ctx->ref))
		kfree(ctx);
	return err;
}

/* Wait until every descriptor submitted before this call has completed. */
int pcv_dma_barrier(struct pcv_dev *dev, unsigned int timeout_ms)
{
	struct pcv_dma_req nop = { .op = PCV_DMA_NOP };

	/* The engine executes in order: a NOP completes after all before it. */
	return pcv_dma_sync(dev, &nop, timeout_ms, NULL);
}
