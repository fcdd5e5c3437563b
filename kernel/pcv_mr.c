// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs memory regions and the exported QP/MR tables.
 *
 * Every user MR is published in our MR table (fabric memory peers read
 * through their windows) with a two-level page table of the fabric
 * addresses of its pinned pages, so a peer can check an rkey and place or
 * fetch bytes without our CPU.  lkey == rkey == index << 8 | random byte.
 *
 * Deregistration: unpublish (the entry's key becomes 0), then fence every
 * peer (each finishes the accesses it started before it saw the fence: its
 * CPU copies and its DMA), then our own DMA barrier, then unpin.  No peer
 * or engine can touch the pages afterwards: a later lookup finds key 0.
 */
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <rdma/ib_umem.h>
#include "pcv.h"

#define PCV_FENCE_TIMEOUT_MS	2000

void pcv_table_write_begin(__le32 *seq)
{
	WRITE_ONCE(*seq, cpu_to_le32(le32_to_cpu(*seq) + 1));
	/* Readers must see the odd seq before any changed field. */
	smp_wmb();
}

void pcv_table_write_end(__le32 *seq)
{
	/* Every field before the even seq that says "stable". */
	smp_wmb();
	WRITE_ONCE(*seq, cpu_to_le32(le32_to_cpu(*seq) + 1));
}

int pcv_tables_alloc(struct pcv_dev *dev)
{
	dev->qpt = dev->ops->alloc_fabric_mem(dev->priv, PCV_MAX_QP * PCV_QPT_ENTRY_SIZE,
					      &dev->qpt_addr);
	if (!dev->qpt)
		return -ENOMEM;
	dev->mrt = dev->ops->alloc_fabric_mem(dev->priv, PCV_MAX_MR * PCV_MRT_ENTRY_SIZE,
					      &dev->mrt_addr);
	if (!dev->mrt) {
		dev->ops->free_fabric_mem(dev->priv, dev->qpt, PCV_MAX_QP * PCV_QPT_ENTRY_SIZE);
		dev->qpt = NULL;
		return -ENOMEM;
	}
	return 0;
}

void pcv_tables_free(struct pcv_dev *dev)
{
	if (dev->mrt)
		dev->ops->free_fabric_mem(dev->priv, dev->mrt, PCV_MAX_MR * PCV_MRT_ENTRY_SIZE);
	if (dev->qpt)
		dev->ops->free_fabric_mem(dev->priv, dev->qpt, PCV_MAX_QP * PCV_QPT_ENTRY_SIZE);
	dev->mrt = NULL;
	dev->qpt = NULL;
}

static u32 pcv_access_bits(int ib_access)
{
	u32 a = 0;

	if (ib_access & IB_ACCESS_LOCAL_WRITE)
		a |= PCV_MR_LOCAL_WRITE;
	if (ib_access & IB_ACCESS_REMOTE_WRITE)
		a |= PCV_MR_REMOTE_WRITE;
	if (ib_access & IB_ACCESS_REMOTE_READ)
		a |= PCV_MR_REMOTE_READ;
	if (ib_access & IB_ACCESS_REMOTE_ATOMIC)
		a |= PCV_MR_REMOTE_ATOMIC;
	return a;
}

/* Look up a local MR by key and take a reference (any context). */
struct pcv_mr *pcv_mr_get(struct pcv_dev *dev, u32 key)
{
	struct pcv_mr *mr;

	rcu_read_lock();
	mr = xa_load(&dev->mr_xa, key >> 8);
	if (mr && (mr->ibmr.lkey != key || !refcount_inc_not_zero(&mr->ref)))
		mr = NULL;
	rcu_read_unlock();
	return mr;
}

void pcv_mr_put(struct pcv_mr *mr)
{
	if (refcount_dec_and_test(&mr->ref))
		complete(&mr->released);
}

static struct pcv_mr *pcv_mr_alloc(struct pcv_dev *dev, u32 pdn, int access)
{
	static u32 next_index = 1;	/* cyclic, protected by the xarray lock */
	struct pcv_mr *mr;
	u32 index;
	u8 rnd;
	int err;

	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->pdn = pdn;
	mr->access = pcv_access_bits(access);
	refcount_set(&mr->ref, 1);
	init_completion(&mr->released);
	/* Not published yet: lookups skip it until the key is set below. */
	err = xa_alloc_cyclic(&dev->mr_xa, &index, NULL, XA_LIMIT(1, PCV_MAX_MR - 1),
			      &next_index, GFP_KERNEL);
	if (err < 0) {
		kfree(mr);
		return ERR_PTR(err == -EBUSY ? -ENOMEM : err);
	}
	do {
		rnd = get_random_u8();
	} while (!rnd);
	mr->index = index;
	mr->ibmr.lkey = index << 8 | rnd;
	mr->ibmr.rkey = mr->ibmr.lkey;
	return mr;
}

static void pcv_mr_publish_local(struct pcv_dev *dev, struct pcv_mr *mr)
{
	xa_store(&dev->mr_xa, mr->index, mr, GFP_KERNEL);
}

struct ib_mr *pcv_get_dma_mr(struct ib_pd *ibpd, int access)
{
	struct pcv_dev *dev = to_pcv_dev(ibpd->device);
	struct pcv_mr *mr;

	mr = pcv_mr_alloc(dev, to_pcv_pd(ibpd)->pdn, access);
	if (IS_ERR(mr))
		return ERR_CAST(mr);
	/* Kernel addresses (virtual DMA): any, never exported to peers. */
	mr->dma_mr = true;
	mr->iova = 0;
	mr->length = U64_MAX;
	pcv_mr_publish_local(dev, mr);
	return &mr->ibmr;
}

static void pcv_mr_free_pt(struct pcv_dev *dev, struct pcv_mr *mr)
{
	u32 i;

	for (i = 0; mr->pt_l2 && i < mr->pt_nr_l2; i++)
		if (mr->pt_l2[i])
			dev->ops->free_fabric_mem(dev->priv, mr->pt_l2[i], PAGE_SIZE);
	kvfree(mr->pt_l2);
	if (mr->pt_l1)
		dev->ops->free_fabric_mem(dev->priv, mr->pt_l1, mr->pt_l1_size);
	mr->pt_l2 = NULL;
	mr->pt_l1 = NULL;
}

/* The page table peers walk: L1 (contiguous) of L2 pages of page addresses. */
static int pcv_mr_build_pt(struct pcv_dev *dev, struct pcv_mr *mr)
{
	u32 per_l2 = 1U << PCV_PT_ENTRIES_SHIFT;
	u32 i;

	BUILD_BUG_ON(PAGE_SIZE != (1UL << (PCV_PT_ENTRIES_SHIFT + 3)));
	mr->pt_nr_l2 = DIV_ROUND_UP(mr->nr_pages, per_l2);
	mr->pt_l1_size = PAGE_ALIGN(mr->pt_nr_l2 * sizeof(__le64));
	mr->pt_l1 = dev->ops->alloc_fabric_mem(dev->priv, mr->pt_l1_size, &mr->pt_l1_addr);
	mr->pt_l2 = kvcalloc(mr->pt_nr_l2, sizeof(*mr->pt_l2), GFP_KERNEL);
	if (!mr->pt_l1 || !mr->pt_l2)
		return -ENOMEM;
	for (i = 0; i < mr->pt_nr_l2; i++) {
		u64 addr;

		mr->pt_l2[i] = dev->ops->alloc_fabric_mem(dev->priv, PAGE_SIZE, &addr);
		if (!mr->pt_l2[i])
			return -ENOMEM;
		mr->pt_l1[i] = cpu_to_le64(addr);
	}
	for (i = 0; i < mr->nr_pages; i++)
		mr->pt_l2[i / per_l2][i % per_l2] =
			cpu_to_le64(dev->ops->page_fabric_addr(dev->priv, mr->pages[i]));
	return 0;
}

static int pcv_mr_pages(struct pcv_mr *mr)
{
	struct sg_page_iter it;
	u32 n = 0;

	mr->nr_pages = ib_umem_num_pages(mr->umem);
	mr->pages = kvcalloc(mr->nr_pages, sizeof(*mr->pages), GFP_KERNEL);
	if (!mr->pages)
		return -ENOMEM;
	for_each_sgtable_page(&mr->umem->sgt_append.sgt, &it, 0) {
		if (n == mr->nr_pages)
			return -EFAULT;
		mr->pages[n++] = sg_page_iter_page(&it);
	}
	return n == mr->nr_pages ? 0 : -EFAULT;
}

static void pcv_mr_export(struct pcv_dev *dev, struct pcv_mr *mr)
{
	struct pcv_wire_mrt *e = &dev->mrt[mr->index];

	pcv_table_write_begin(&e->seq);
	e->pdn = cpu_to_le32(mr->pdn);
	e->access = cpu_to_le32(mr->access);
	e->iova = cpu_to_le64(mr->iova);
	e->length = cpu_to_le64(mr->length);
	e->pt_addr = cpu_to_le64(mr->pt_l1_addr);
	e->nr_pages = cpu_to_le32(mr->nr_pages);
	e->page_shift = PAGE_SHIFT;
	e->key = cpu_to_le32(mr->ibmr.lkey);
	pcv_table_write_end(&e->seq);
}

static void pcv_mr_unexport(struct pcv_dev *dev, struct pcv_mr *mr)
{
	struct pcv_wire_mrt *e = &dev->mrt[mr->index];

	pcv_table_write_begin(&e->seq);
	e->key = 0;
	pcv_table_write_end(&e->seq);
}

static void pcv_mr_destroy(struct pcv_dev *dev, struct pcv_mr *mr)
{
	pcv_mr_free_pt(dev, mr);
	kvfree(mr->pages);
	if (mr->umem)
		ib_umem_release(mr->umem);
	xa_erase(&dev->mr_xa, mr->index);
	kfree_rcu_mightsleep(mr);
}

struct ib_mr *pcv_reg_user_mr(struct ib_pd *ibpd, u64 start, u64 length, u64 iova,
			      int access, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibpd->device);
	struct pcv_mr *mr;
	int err;

	/* Relaxed ordering is a hint (perftest always asks): accepted, ignored. */
	access &= ~IB_ACCESS_RELAXED_ORDERING;
	if (access & ~(IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ |
		       IB_ACCESS_REMOTE_ATOMIC | IB_ACCESS_MW_BIND))
		return ERR_PTR(-EOPNOTSUPP);
	if (udata && udata->inlen && !ib_is_udata_cleared(udata, 0, udata->inlen))
		return ERR_PTR(-EOPNOTSUPP);
	if (!length || length > (u64)PCV_MAX_MSG_SZ * 64)
		return ERR_PTR(-EINVAL);
	/* Peers index pages from iova: it must share start's offset in a page. */
	if ((iova ^ start) & ~PAGE_MASK)
		return ERR_PTR(-EOPNOTSUPP);

	mr = pcv_mr_alloc(dev, to_pcv_pd(ibpd)->pdn, access);
	if (IS_ERR(mr))
		return ERR_CAST(mr);
	mr->iova = iova;
	mr->length = length;
	mr->page_off = start & ~PAGE_MASK;
	mr->umem = ib_umem_get(ibpd->device, start, length, access);
	if (IS_ERR(mr->umem)) {
		err = PTR_ERR(mr->umem);
		mr->umem = NULL;
		goto err_free;
	}
	err = pcv_mr_pages(mr);
	if (err)
		goto err_free;
	err = pcv_mr_build_pt(dev, mr);
	if (err)
		goto err_free;
	mr->ibmr.length = length;
	mr->ibmr.iova = iova;
	pcv_mr_export(dev, mr);
	pcv_mr_publish_local(dev, mr);
	return &mr->ibmr;

err_free:
	pcv_mr_destroy(dev, mr);
	return ERR_PTR(err);
}

int pcv_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibmr->device);
	struct pcv_mr *mr = to_pcv_mr(ibmr);
	int err;

	/* No new local lookups, no new peer lookups. */
	xa_store(&dev->mr_xa, mr->index, NULL, GFP_KERNEL);
	if (!mr->dma_mr)
		pcv_mr_unexport(dev, mr);
	/* Peers finish what they started; our CPU and engine too. */
	if (!mr->dma_mr) {
		err = pcv_fence(dev);
		if (err) {
			/* A peer may still write the pages: never free them. */
			ibdev_warn(&dev->ibdev,
				   "MR %#x: a peer did not confirm it stopped (%d): its pages stay pinned\n",
				   mr->ibmr.lkey, err);
			return 0;
		}
	}
	synchronize_rcu();
	pcv_dma_barrier(dev, PCV_FENCE_TIMEOUT_MS);
	/* Transfers holding it (e.g. a send a peer pulls from) drop it as they end. */
	pcv_mr_put(mr);
	if (!wait_for_completion_timeout(&mr->released, msecs_to_jiffies(PCV_FENCE_TIMEOUT_MS)))
		ibdev_warn(&dev->ibdev, "MR %#x still referenced: its pages stay pinned\n",
			   mr->ibmr.lkey);
	else
		pcv_mr_destroy(dev, mr);
	return 0;
}
