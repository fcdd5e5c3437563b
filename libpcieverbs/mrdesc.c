// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Exported MR entries: decode and check (see pcv/mrdesc.h).
 */
#include "pcv/mrdesc.h"

u32 pcv_mr_span_pages(u64 iova, u64 length, u8 shift)
{
	u64 first, last;

	if (!length)
		return 0;
	first = iova >> shift;
	last = (iova + length - 1) >> shift;
	if (last - first >= 0xffffffffULL)
		return 0xffffffff;
	return (u32)(last - first + 1);
}

enum pcv_mr_check pcv_mr_decode(const struct pcv_wire_mrt *w, u64 mem_size,
				struct pcv_mr_desc *d)
{
	u64 l1_bytes;

	d->key = pcv_le32_to_cpu(w->key);
	if (!d->key)
		return PCV_MR_BAD_KEY;
	d->pdn = pcv_le32_to_cpu(w->pdn);
	d->access = pcv_le32_to_cpu(w->access);
	d->page_shift = w->page_shift;
	d->iova = pcv_le64_to_cpu(w->iova);
	d->length = pcv_le64_to_cpu(w->length);
	d->pt_addr = pcv_le64_to_cpu(w->pt_addr);
	d->nr_pages = pcv_le32_to_cpu(w->nr_pages);

	if (d->page_shift < PCV_MR_PAGE_SHIFT_MIN || d->page_shift > PCV_MR_PAGE_SHIFT_MAX)
		return PCV_MR_CORRUPT;
	if (d->access & ~(PCV_MR_LOCAL_WRITE | PCV_MR_REMOTE_WRITE | PCV_MR_REMOTE_READ |
			  PCV_MR_REMOTE_ATOMIC))
		return PCV_MR_CORRUPT;
	/* iova + length must not wrap; the page count must match the span. */
	if (d->length && d->iova + d->length - 1 < d->iova)
		return PCV_MR_CORRUPT;
	if (d->nr_pages != pcv_mr_span_pages(d->iova, d->length, d->page_shift))
		return PCV_MR_CORRUPT;
	if (!d->nr_pages)
		return PCV_MR_OK;	/* zero-length region: no table needed */
	l1_bytes = (u64)(pcv_pt_l1(d->nr_pages - 1) + 1) * 8;
	if (d->pt_addr & 7 || d->pt_addr >= mem_size || l1_bytes > mem_size - d->pt_addr)
		return PCV_MR_CORRUPT;
	return PCV_MR_OK;
}

enum pcv_mr_check pcv_mr_check(const struct pcv_mr_desc *d, u32 key, u32 pdn, u32 access,
			       u64 addr, u64 len)
{
	if (d->key != key)
		return PCV_MR_BAD_KEY;
	if (pdn && d->pdn != pdn)
		return PCV_MR_BAD_PD;
	if ((d->access & access) != access)
		return PCV_MR_BAD_ACCESS;
	/* [addr, addr + len) inside [iova, iova + length), overflow-safe. */
	if (addr < d->iova || len > d->length || addr - d->iova > d->length - len)
		return PCV_MR_BAD_RANGE;
	return PCV_MR_OK;
}
