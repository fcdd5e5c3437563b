// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs core device: what a backend registers, and how it goes away.
 */
#include <linux/module.h>
#include <linux/random.h>
#include "pcv.h"

/* Every op the core calls unconditionally must be there. */
static int pcv_check_ops(const struct pcv_backend_ops *ops, struct device *parent)
{
	static const char * const names[] = {
		"get_info", "peer_present", "peer_window", "ring_peer", "spad_read",
		"spad_write", "alloc_fabric_mem", "free_fabric_mem", "dma_submit",
		"dma_reap", "dma_flush", "sync_events", "dma_max_len", "page_fabric_addr",
		"local_ptr",
	};
	const void *fns[] = {
		ops->get_info, ops->peer_present, ops->peer_window, ops->ring_peer,
		ops->spad_read, ops->spad_write, ops->alloc_fabric_mem,
		ops->free_fabric_mem, ops->dma_submit, ops->dma_reap, ops->dma_flush,
		ops->sync_events, ops->dma_max_len, ops->page_fabric_addr, ops->local_ptr,
	};
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(names) != ARRAY_SIZE(fns));
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		if (!fns[i]) {
			dev_err(parent, "backend %s lacks mandatory op %s\n",
				ops->name ?: "(unnamed)", names[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int pcv_check_info(const struct pcv_backend_info *info, struct device *parent)
{
	if (!info->nr_blades || info->nr_blades > PCV_MAX_BLADES ||
	    info->blade_id >= info->nr_blades) {
		dev_err(parent, "backend reports blade %u of %u (max %u)\n",
			info->blade_id, info->nr_blades, PCV_MAX_BLADES);
		return -EINVAL;
	}
	if (info->nr_spads < PCV_SPAD_NR) {
		dev_err(parent, "backend has %u scratchpads, need %u\n",
			info->nr_spads, PCV_SPAD_NR);
		return -EINVAL;
	}
	return 0;
}

static void pcv_init_region(struct pcv_dev *dev)
{
	struct pcv_wire_region_hdr *hdr = dev->region;

	hdr->magic = cpu_to_le32(PCV_REGION_MAGIC);
	hdr->version = cpu_to_le32(PCV_WIRE_VERSION);
	hdr->owner = cpu_to_le32(dev->info.blade_id);
	hdr->epoch = cpu_to_le32(dev->epoch);
	hdr->slot_off = cpu_to_le32(PCV_SLOT_OFF);
	hdr->slot_size = cpu_to_le32(PCV_SLOT_SIZE);
	hdr->nr_slots = cpu_to_le32(PCV_MAX_BLADES);
}

static void pcv_init_peers(struct pcv_dev *dev)
{
	u32 i;

	for (i = 0; i < PCV_MAX_BLADES; i++) {
		struct pcv_peer *p = &dev->peers[i];

		p->id = i;
		pcv_link_init(&p->link);
		if (i >= dev->info.nr_blades || i == dev->info.blade_id)
			continue;
		p->win = dev->ops->peer_window(dev->priv, i, &p->win_size, &p->win_phys);
		if (!p->win)
			dev_warn(dev->ibdev.dev.parent,
				 "no window onto blade %u: it stays unreachable\n", i);
	}
}

static int pcv_alloc_areas(struct pcv_dev *dev)
{
	BUILD_BUG_ON(PCV_SLOT_OFF + PCV_MAX_BLADES * PCV_SLOT_SIZE > PCV_REGION_SIZE);

	dev->region = dev->ops->alloc_fabric_mem(dev->priv, PCV_REGION_SIZE, &dev->region_addr);
	if (!dev->region)
		return -ENOMEM;
	pcv_init_region(dev);

	dev->diag_size = (size_t)pcv_diag_kb << 10;
	if (!dev->diag_size)
		return 0;
	dev->diag = dev->ops->alloc_fabric_mem(dev->priv, dev->diag_size, &dev->diag_addr);
	if (!dev->diag) {
		/* Diagnostics are optional: run without them. */
		dev_warn(dev->ibdev.dev.parent, "no memory for a %zu KiB diagnostic area\n",
			 dev->diag_size >> 10);
		dev->diag_size = 0;
	}
	return 0;
}

static void pcv_free_areas(struct pcv_dev *dev, bool leak_region)
{
	if (dev->diag)
		dev->ops->free_fabric_mem(dev->priv, dev->diag, dev->diag_size);
	dev->diag = NULL;
	if (leak_region) {
		/* A peer may still write it: better a leaked MiB than corruption. */
		dev_warn(dev->ibdev.dev.parent,
			 "a peer did not release our fabric region: leaking %u KiB\n",
			 PCV_REGION_SIZE >> 10);
	} else {
		dev->ops->free_fabric_mem(dev->priv, dev->region, PCV_REGION_SIZE);
	}
	dev->region = NULL;
}

struct pcv_dev *pcv_dev_alloc(const struct pcv_backend_ops *ops, void *priv,
			      struct device *parent)
{
	struct pcv_dev *dev;
	int err;

	err = pcv_check_ops(ops, parent);
	if (err)
		return ERR_PTR(err);

	dev = ib_alloc_device(pcv_dev, ibdev);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->ops = ops;
	dev->priv = priv;
	dev->ibdev.dev.parent = parent;
	ops->get_info(priv, &dev->info);
	err = pcv_check_info(&dev->info, parent);
	if (err) {
		ib_dealloc_device(&dev->ibdev);
		return ERR_PTR(err);
	}
	do {
		dev->epoch = get_random_u32();
	} while (!dev->epoch);
	dev->guid = PCV_GUID_PREFIX | dev->info.blade_id;
	mutex_init(&dev->link_lock);
	mutex_init(&dev->diag_lock);
	init_waitqueue_head(&dev->link_wq);
	init_waitqueue_head(&dev->dma_wq);
	INIT_WORK(&dev->dma_work, pcv_dma_work);
	INIT_WORK(&dev->data_work, pcv_data_work);
	ida_init(&dev->pd_ida);
	xa_init_flags(&dev->qp_xa, XA_FLAGS_ALLOC);
	xa_init_flags(&dev->mr_xa, XA_FLAGS_ALLOC);
	xa_init_flags(&dev->ah_xa, XA_FLAGS_ALLOC1);
	spin_lock_init(&dev->qp_list_lock);
	INIT_LIST_HEAD(&dev->qp_list);
	spin_lock_init(&dev->revoke_lock);
	INIT_LIST_HEAD(&dev->revoke_list);
	{
		u32 i;

		for (i = 0; i < PCV_MAX_BLADES; i++)
			spin_lock_init(&dev->peers[i].ctrl_lock);
	}
	return dev;
}

int pcv_dev_register(struct pcv_dev *dev)
{
	struct device *parent = dev->ibdev.dev.parent;
	int err;

	/* Link ticks and DMA completions must not wait behind each other. */
	dev->wq = alloc_workqueue("%s-%u", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0, PCV_DRV_NAME,
				  dev->info.blade_id);
	if (!dev->wq)
		return -ENOMEM;
	err = pcv_alloc_areas(dev);
	if (err)
		goto err_destroy_wq;
	err = pcv_tables_alloc(dev);
	if (err)
		goto err_free_areas;
	pcv_init_peers(dev);
	err = pcv_dgram_init(dev);
	if (err)
		goto err_free_tables;
	err = pcv_mcast_init(dev);
	if (err)
		goto err_free_dgram;
	pcv_mad_init(dev);

	pcv_verbs_init_ibdev(dev);
	/* Down until a link comes up, unless there is nobody to link to. */
	dev->port_active = dev->info.nr_blades == 1;
	err = ib_register_device(&dev->ibdev, PCV_IBDEV_PREFIX "%d", NULL);
	if (err) {
		dev_err(parent, "ib_register_device failed: %d\n", err);
		goto err_free_mcast;
	}
	/* From here on doorbells and completions are acted on. */
	WRITE_ONCE(dev->running, true);
	pcv_port_events(dev, true);
	pcv_link_start(dev);
	pcv_debugfs_add(dev);
	dev_info(parent, "%s: blade %u of %u, LID %u, GUID %016llx, epoch %08x, backend %s\n",
		 dev_name(&dev->ibdev.dev), dev->info.blade_id, dev->info.nr_blades,
		 pcv_lid(dev), dev->guid, dev->epoch, dev->ops->name);
	return 0;

err_free_mcast:
	pcv_mcast_free(dev);
err_free_dgram:
	pcv_dgram_free(dev, false);
err_free_tables:
	pcv_tables_free(dev);
err_free_areas:
	pcv_free_areas(dev, false);
err_destroy_wq:
	destroy_workqueue(dev->wq);
	dev->wq = NULL;
	return err;
}

void pcv_dev_unregister(struct pcv_dev *dev)
{
	bool leak;

	pcv_debugfs_remove(dev);
	pcv_port_events(dev, false);
	ib_unregister_device(&dev->ibdev);
	/* Waits (bounded) for every peer to stop writing our region. */
	leak = !!pcv_link_stop_and_release(dev);
	/* Every DMA request completes (or is flushed) before we go away. */
	dev->ops->dma_flush(dev->priv);
	WRITE_ONCE(dev->running, false);
	dev->ops->sync_events(dev->priv);
	flush_work(&dev->dma_work);
	WARN_ON(atomic_read(&dev->dma_inflight));
	destroy_workqueue(dev->wq);
	dev->wq = NULL;
	pcv_mcast_free(dev);
	pcv_dgram_free(dev, leak);
	if (!leak)
		pcv_tables_free(dev);
	pcv_free_areas(dev, leak);
}

void pcv_dev_free(struct pcv_dev *dev)
{
	ida_destroy(&dev->pd_ida);
	xa_destroy(&dev->qp_xa);
	xa_destroy(&dev->mr_xa);
	xa_destroy(&dev->ah_xa);
	ib_dealloc_device(&dev->ibdev);
}

void pcv_dev_event(struct pcv_dev *dev, enum pcv_event ev)
{
	if (!READ_ONCE(dev->running))
		return;
	switch (ev) {
	case PCV_EV_LINK:
		pcv_count(dev, PCV_CNT_DOORBELLS_RX, 1);
		pcv_link_kick(dev);
		break;
	case PCV_EV_DATA:
		pcv_count(dev, PCV_CNT_DOORBELLS_RX, 1);
		queue_work(dev->wq, &dev->data_work);
		break;
	case PCV_EV_PRESENCE:
		pcv_link_kick(dev);
		break;
	case PCV_EV_DMA:
		queue_work(dev->wq, &dev->dma_work);
		break;
	}
}
