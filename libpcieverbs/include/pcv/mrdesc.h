/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Memory regions as peers see them: decoding and checking an exported MR
 * table entry (struct pcv_wire_mrt, read from the owner's memory: hostile),
 * and the page arithmetic to turn (iova, length) into page-sized pieces.
 */
#ifndef PCV_MRDESC_H
#define PCV_MRDESC_H

#include "osdep.h"
#include "wire.h"

#define PCV_MR_PAGE_SHIFT_MIN		12
#define PCV_MR_PAGE_SHIFT_MAX		21

struct pcv_mr_desc {
	u32 key;
	u32 pdn;
	u32 access;			/* PCV_MR_* */
	u8 page_shift;
	u64 iova;
	u64 length;
	u64 pt_addr;			/* L1 page table (fabric address) */
	u32 nr_pages;
};

enum pcv_mr_check {
	PCV_MR_OK = 0,
	PCV_MR_BAD_KEY,			/* no such key (or it changed) */
	PCV_MR_BAD_PD,			/* other protection domain */
	PCV_MR_BAD_ACCESS,		/* access right missing */
	PCV_MR_BAD_RANGE,		/* [addr, addr+len) not inside the region */
	PCV_MR_CORRUPT,			/* the entry itself is inconsistent */
};

/*
 * Decode a stable copy of an entry.  Returns PCV_MR_OK, PCV_MR_BAD_KEY for
 * a free entry, PCV_MR_CORRUPT if fields contradict each other or the page
 * table would lie outside the owner's memory (mem_size).
 */
enum pcv_mr_check pcv_mr_decode(const struct pcv_wire_mrt *w, u64 mem_size,
				struct pcv_mr_desc *d);

/* May [addr, addr + len) be accessed with key, from pd (0 = any), needing access? */
enum pcv_mr_check pcv_mr_check(const struct pcv_mr_desc *d, u32 key, u32 pdn, u32 access,
			       u64 addr, u64 len);

/* Page index of addr within the region (addr checked inside it). */
static inline u32 pcv_mr_page_index(const struct pcv_mr_desc *d, u64 addr)
{
	u64 base = d->iova & ~(((u64)1 << d->page_shift) - 1);

	return (u32)((addr - base) >> d->page_shift);
}

/* Offset of addr in its page, and bytes from there to the page end. */
static inline u32 pcv_mr_page_off(const struct pcv_mr_desc *d, u64 addr)
{
	return (u32)(addr & (((u64)1 << d->page_shift) - 1));
}

/* Where in the page table page index i lives: L1 index and L2 index. */
static inline u32 pcv_pt_l1(u32 i)
{
	return i >> PCV_PT_ENTRIES_SHIFT;
}

static inline u32 pcv_pt_l2(u32 i)
{
	return i & ((1U << PCV_PT_ENTRIES_SHIFT) - 1);
}

/* Number of pages [iova, iova + length) spans with pages of 1 << shift. */
u32 pcv_mr_span_pages(u64 iova, u64 length, u8 shift);

#endif /* PCV_MRDESC_H */
