// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs shared rings: the SQ, RQ, SRQ and CQ rings of
 * include/rdma/pcieverbs-abi.h, vmalloc'ed so a process can map them.
 *
 * A ring mapped into a process belongs to its mmap entry from then on: the
 * kernel object stops using it at destroy (rdma_user_mmap_entry_remove) and
 * the memory is freed by pcv_mmap_free once the last mapping is gone, so a
 * process never keeps a mapping of freed pages.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <rdma/ib_verbs.h>
#include "pcv.h"

int pcv_uring_alloc(struct pcv_uring *r, u32 entries, u32 stride)
{
	memset(r, 0, sizeof(*r));
	if (!entries || !is_power_of_2(entries) || !stride)
		return -EINVAL;
	r->size = PAGE_ALIGN(PCV_RING_ENTRIES_OFF + (size_t)entries * stride);
	r->buf = vmalloc_user(r->size);
	if (!r->buf)
		return -ENOMEM;
	r->entries = entries;
	r->stride = stride;
	r->hdr = r->buf;
	r->ents = (u8 *)r->buf + PCV_RING_ENTRIES_OFF;
	return 0;
}

void pcv_uring_free(struct pcv_uring *r)
{
	if (!r->buf)
		return;
	if (r->mentry)
		rdma_user_mmap_entry_remove(r->mentry);	/* freed by pcv_mmap_free */
	else
		vfree(r->buf);
	memset(r, 0, sizeof(*r));
}

int pcv_uring_map(struct ib_ucontext *uctx, struct pcv_uring *r, u64 *key)
{
	struct pcv_user_mmap *e;
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->buf = r->buf;
	e->size = r->size;
	err = rdma_user_mmap_entry_insert(uctx, &e->rdma_entry, r->size);
	if (err) {
		kfree(e);
		return err;
	}
	r->mentry = &e->rdma_entry;
	*key = rdma_user_mmap_get_offset(&e->rdma_entry);
	return 0;
}

int pcv_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)
{
	struct rdma_user_mmap_entry *rdma_entry;
	struct pcv_user_mmap *e;
	int err;

	rdma_entry = rdma_user_mmap_entry_get(uctx, vma);
	if (!rdma_entry)
		return -EINVAL;
	e = container_of(rdma_entry, struct pcv_user_mmap, rdma_entry);
	if (vma->vm_end - vma->vm_start > e->size) {
		err = -EINVAL;
		goto out;
	}
	/* Shared rings: a private (copy-on-write) mapping would see nothing. */
	if (!(vma->vm_flags & VM_SHARED)) {
		err = -EINVAL;
		goto out;
	}
	if (e->fmap)
		err = pcv_fast_mmap(e->fmap, vma);
	else
		err = remap_vmalloc_range(vma, e->buf, 0);
out:
	rdma_user_mmap_entry_put(rdma_entry);
	return err;
}

void pcv_mmap_free(struct rdma_user_mmap_entry *rdma_entry)
{
	struct pcv_user_mmap *e = container_of(rdma_entry, struct pcv_user_mmap, rdma_entry);

	if (e->fmap) {
		pcv_fast_map_free(e->fmap);	/* e is part of it */
		return;
	}
	vfree(e->buf);
	kfree(e);
}
