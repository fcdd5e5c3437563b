/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pcieverbs core: the ib_device and the state shared by its parts.
 */
#ifndef PCV_H
#define PCV_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/idr.h>
#include <linux/sizes.h>
#include <rdma/ib_verbs.h>
#include <rdma/pcieverbs-abi.h>

#include "pcv/link.h"
#include "pcv/wire.h"
#include "pcv_backend.h"

#define PCV_DRV_NAME		"pcieverbs"
#define PCV_MAX_BLADES		8
#define PCV_PORT		1

/* Identity (see docs/design.md, "InfiniBand identity"). */
#define PCV_VENDOR_ID		0x504356	/* "PCV": IEEE OUI field, not a real OUI */
#define PCV_VENDOR_PART_ID	0x7043		/* unknown to perftest: generic paths */
#define PCV_GUID_PREFIX		0x0250435600000000ULL	/* 02:50:43:56:00:00:00:<blade> */

#define PCV_REGION_SIZE		SZ_1M		/* fabric region: header + 8 slots */
#define PCV_SLOT_OFF		4096
#define PCV_SLOT_SIZE		SZ_64K

enum pcv_counter {
	PCV_CNT_LINKS_UP,		/* gauge: peers whose link is up */
	PCV_CNT_LINK_UP_EVENTS,
	PCV_CNT_LINK_DOWN_EVENTS,
	PCV_CNT_LINK_FAILURES,
	PCV_CNT_HB_TIMEOUTS,
	PCV_CNT_DOORBELLS_TX,
	PCV_CNT_DOORBELLS_RX,
	PCV_CNT_DMA_SUBMITTED,
	PCV_CNT_DMA_COMPLETED,
	PCV_CNT_DMA_ERRORS,
	PCV_CNT_DMA_BYTES,
	PCV_CNT_PIO_BYTES,
	PCV_NR_COUNTERS,
};

struct pcv_peer {
	u32 id;
	void __iomem *win;		/* its memory; NULL if the backend has none */
	u64 win_size;
	struct pcv_link link;		/* protected by pcv_dev.link_lock */
	u32 hb_out;			/* heartbeat we write */
	u64 diag_addr;			/* its diag area, as it told us */
	u64 diag_size;
	u32 ping_out;			/* our latest ping to it */
	u32 pong_in;			/* latest pong it gave us */
	u32 pong_out;			/* latest ping of its we answered */
};

struct pcv_dev {
	struct ib_device ibdev;
	const struct pcv_backend_ops *ops;
	void *priv;
	struct pcv_backend_info info;
	u32 epoch;
	u64 guid;

	/* Fabric region: inbound slots peers write (see libpcieverbs/wire.h). */
	void *region;
	u64 region_addr;

	/* Diagnostic area peers may write (DMA proof); may be absent. */
	void *diag;
	u64 diag_addr;
	size_t diag_size;

	/*
	 * link_lock (mutex) protects peers[].link and the ping/heartbeat fields;
	 * taken only in process context (link work, debugfs).
	 */
	struct mutex link_lock;
	struct pcv_peer peers[PCV_MAX_BLADES];
	wait_queue_head_t link_wq;	/* ping replies, link changes */
	struct workqueue_struct *wq;
	struct delayed_work link_work;
	struct work_struct dma_work;
	bool stopping;			/* no new link work once set (under link_lock) */
	bool running;			/* registered: events are acted on */

	/* DMA completions are reaped from dma_work only. */
	atomic_t dma_inflight;
	wait_queue_head_t dma_wq;

	spinlock_t port_lock;		/* protects port_cap_flags updates */
	u32 port_cap_flags;

	struct ida pd_ida;
	atomic64_t stats[PCV_NR_COUNTERS];
	struct dentry *debugfs;
	struct mutex diag_lock;		/* one diagnostic run at a time */
	char diag_result[1024];		/* under diag_lock */
};

static inline struct pcv_dev *to_pcv_dev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct pcv_dev, ibdev);
}

struct pcv_ucontext {
	struct ib_ucontext ibucontext;
};

static inline struct pcv_ucontext *to_pcv_ucontext(struct ib_ucontext *uctx)
{
	return container_of(uctx, struct pcv_ucontext, ibucontext);
}

struct pcv_pd {
	struct ib_pd ibpd;
	u32 pdn;
};

static inline struct pcv_pd *to_pcv_pd(struct ib_pd *ibpd)
{
	return container_of(ibpd, struct pcv_pd, ibpd);
}

static inline void pcv_count(struct pcv_dev *dev, enum pcv_counter c, u64 n)
{
	atomic64_add(n, &dev->stats[c]);
}

static inline u32 pcv_lid(const struct pcv_dev *dev)
{
	return dev->info.blade_id + 1;
}

/* pcv_link.c */
void pcv_link_start(struct pcv_dev *dev);
int pcv_link_stop_and_release(struct pcv_dev *dev);
void pcv_link_kick(struct pcv_dev *dev);
int pcv_link_ping(struct pcv_dev *dev, u32 peer, unsigned int timeout_ms, u64 *rtt_ns);
void pcv_ring(struct pcv_dev *dev, u32 peer, enum pcv_vector vec);

/* pcv_dma.c */
int pcv_dma_submit(struct pcv_dev *dev, struct pcv_dma_req **reqs, unsigned int n);
int pcv_dma_sync(struct pcv_dev *dev, const struct pcv_dma_req *req, unsigned int timeout_ms,
		 u32 *hw_status);
void pcv_dma_work(struct work_struct *work);

/* pcv_verbs.c */
extern const struct ib_device_ops pcv_dev_ops;
void pcv_verbs_init_ibdev(struct pcv_dev *dev);

/* pcv_stats.c */
struct rdma_hw_stats *pcv_alloc_hw_port_stats(struct ib_device *ibdev, u32 port_num);
int pcv_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index);

/* pcv_debugfs.c */
void pcv_debugfs_init(void);
void pcv_debugfs_exit(void);
void pcv_debugfs_add(struct pcv_dev *dev);
void pcv_debugfs_remove(struct pcv_dev *dev);

/* pcv_diag.c */
int pcv_diag_run(struct pcv_dev *dev, const char *cmd);
u32 pcv_diag_checksum(struct pcv_dev *dev);

/* pcv_chassis.c */
int pcv_chassis_init(void);
void pcv_chassis_exit(void);

/* module parameters (pcv_main.c) */
extern unsigned int pcv_hb_interval_ms;
extern unsigned int pcv_hb_timeout_ms;
extern unsigned int pcv_diag_kb;

#endif /* PCV_H */
