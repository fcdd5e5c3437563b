/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pcieverbs backend interface: what the transport needs from fabric hardware.
 *
 * A backend (the emulated chassis today; an NTB or an endpoint-board driver
 * tomorrow) discovers its hardware, then calls pcv_dev_alloc() with this ops
 * table.  pcv_dev_alloc() refuses a table with a missing mandatory op, so a new
 * backend is a new file, not a rewrite.  The core never touches registers.
 *
 * Addresses: a "fabric address" is how peers and the DMA engine name a byte
 * of some blade's memory (for the chassis: its physical address, which is
 * the offset in that blade's window).  Fabric memory is memory of ours that
 * peers may write through their windows.
 */
#ifndef PCV_BACKEND_H
#define PCV_BACKEND_H

#include <linux/types.h>

struct pcv_dev;

struct pcv_backend_info {
	u32 blade_id;			/* this blade */
	u32 nr_blades;			/* blades in the fabric, <= PCV_MAX_BLADES */
	u64 peer_mem_size;		/* bytes of each peer a window reaches */
	u32 hw_version;			/* (major << 16) | minor of the hardware */
	u32 fabric_id;			/* identifies this chassis/fabric instance */
	u32 nr_spads;			/* scratchpads per blade */
};

enum pcv_dma_op {
	PCV_DMA_NOP,
	PCV_DMA_COPY,
	PCV_DMA_WRITE_IMM,
	PCV_DMA_FETCH_ADD,
	PCV_DMA_CMP_SWAP,
};

#define PCV_DMA_F_IRQ		BIT(0)	/* completion wakes the core (else polled) */
#define PCV_DMA_F_FENCE		BIT(1)	/* start after all earlier requests completed */

/*
 * One DMA request.  The caller owns it until done() is called, exactly once,
 * from the core's DMA completion context (process context, may not sleep
 * long).  status is 0 or a negative errno; hw_status is the raw hardware code.
 */
struct pcv_dma_req {
	enum pcv_dma_op op;
	u32 flags;			/* PCV_DMA_F_* */
	u32 len;
	u32 src_blade;
	u32 dst_blade;
	u64 src_addr;			/* fabric addresses */
	u64 dst_addr;
	u64 operand0;
	u64 operand1;
	void (*done)(struct pcv_dma_req *req, int status, u32 hw_status);
	void *ctx;
};

struct pcv_backend_ops {
	const char *name;

	/* Static description of the fabric, read once by pcv_dev_alloc(). */
	void (*get_info)(void *priv, struct pcv_backend_info *info);

	/* Is the peer powered and attached?  generation changes on every power-on. */
	bool (*peer_present)(void *priv, u32 peer, u32 *generation);

	/*
	 * CPU window onto a peer's memory (fabric address 0 at the returned
	 * base).  *phys: its bus address, for mapping parts of it into a
	 * process (the fast path), or 0 if it cannot be mapped there.
	 */
	void __iomem *(*peer_window)(void *priv, u32 peer, u64 *size, phys_addr_t *phys);

	/* Raise a doorbell vector (PCV_VEC_*) on a peer. */
	void (*ring_peer)(void *priv, u32 peer, u32 vector);

	/* Scratchpads: read any blade's, write our own. */
	u32 (*spad_read)(void *priv, u32 blade, u32 idx);
	void (*spad_write)(void *priv, u32 idx, u32 val);

	/* Fabric memory: physically contiguous, zeroed, peer-writable. */
	void *(*alloc_fabric_mem)(void *priv, size_t size, u64 *fabric_addr);
	void (*free_fabric_mem)(void *priv, void *cpu_addr, size_t size);

	/* Fabric address of one of our pages (pinned user pages, kernel memory). */
	u64 (*page_fabric_addr)(void *priv, struct page *page);
	/* CPU pointer to our own memory at a fabric address (loopback), or NULL. */
	void *(*local_ptr)(void *priv, u64 fabric_addr, u64 len);

	/*
	 * DMA engine.  dma_submit queues n requests in order (all or none):
	 * -ENOSPC when the ring lacks room, -ENODEV when the engine is down.
	 * Callable in atomic context.  dma_reap runs completions (calls done())
	 * for up to budget requests and returns how many it completed.
	 */
	int (*dma_submit)(void *priv, struct pcv_dma_req **reqs, unsigned int n);
	int (*dma_reap)(void *priv, int budget);
	/*
	 * Stop the engine (after letting it finish, bounded) and complete every
	 * outstanding request with -ESHUTDOWN.  Later submits fail with -ENODEV.
	 */
	void (*dma_flush)(void *priv);

	/* Wait until no event handler (pcv_dev_event caller) is running. */
	void (*sync_events)(void *priv);
	unsigned int (*dma_max_len)(void *priv);
};

/* Doorbell vectors the core uses (their numbers are the backend's business). */
enum pcv_vector {
	PCV_VEC_LINK,			/* link state changed: peers ring this */
	PCV_VEC_DATA,			/* data-path work posted: peers ring this */
};

/* Events a backend reports to the core (from any context, incl. hard IRQ). */
enum pcv_event {
	PCV_EV_LINK,			/* a peer rang PCV_VEC_LINK */
	PCV_EV_DATA,			/* a peer rang PCV_VEC_DATA */
	PCV_EV_DMA,			/* DMA completions to reap */
	PCV_EV_PRESENCE,		/* some blade's presence changed */
};

/*
 * Lifecycle, in this order: pcv_dev_alloc() (checks the ops table and the
 * backend's info), pcv_dev_register() (the device goes live; events are
 * acted on from here), pcv_dev_unregister() (events ignored again, DMA
 * flushed, peers released), pcv_dev_free().  pcv_dev_event() may be called
 * from any context at any time between alloc and free.
 */
struct pcv_dev *pcv_dev_alloc(const struct pcv_backend_ops *ops, void *priv,
			      struct device *parent);
int pcv_dev_register(struct pcv_dev *dev);
void pcv_dev_unregister(struct pcv_dev *dev);
void pcv_dev_free(struct pcv_dev *dev);
void pcv_dev_event(struct pcv_dev *dev, enum pcv_event ev);
/* Backends report each completed request here (never call req->done directly). */
void pcv_dma_done(struct pcv_dev *dev, struct pcv_dma_req *req, int status, u32 hw_status);

#endif /* PCV_BACKEND_H */
