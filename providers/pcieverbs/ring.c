// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: mapping the rings the kernel hands out (see ring.h).
 *
 * Every create (and resize) response names a ring by (entries, mmap key,
 * mmap size).  What the kernel says is checked before it is used: a
 * provider that trusted a wrong size would read or write past its
 * mapping, a wrong entry count would break the index arithmetic.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"

static uint64_t pcv_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

int pcv_ring_check(uint32_t nentries, uint32_t stride, uint64_t mmap_key,
		   uint64_t mmap_size)
{
	uint64_t need;

	/* A power of two, so that slot = index & (n - 1) stays right when
	 * the free-running u32 index wraps; and at most 2^31, so that
	 * prod - cons (mod 2^32) can tell "full" from "empty".
	 */
	if (nentries == 0 || (nentries & (nentries - 1)) ||
	    nentries > (1U << 31))
		return EPROTO;
	/* mmap() offsets are whole pages; the kernel's keys are. */
	if (mmap_key & (pcv_page_size() - 1))
		return EPROTO;
	need = PCV_RING_ENTRIES_OFF + (uint64_t)nentries * stride;
	if (mmap_size < need || mmap_size > SIZE_MAX ||
	    mmap_key > (uint64_t)INT64_MAX)
		return EPROTO;
	return 0;
}

int pcv_ring_map(struct pcv_ring *r, int cmd_fd, uint32_t nentries,
		 uint32_t stride, uint64_t mmap_key, uint64_t mmap_size)
{
	void *map;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = pcv_ring_check(nentries, stride, mmap_key, mmap_size);
	if (ret)
		return ret;

	/* MAP_SHARED: the kernel refuses private mappings of its rings
	 * (rdma_user_mmap_entry_get requires VM_SHARED), and the whole point
	 * is to see each other's stores.
	 */
	map = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, cmd_fd, (off_t)mmap_key);
	if (map == MAP_FAILED)
		return errno ? errno : ENOMEM;

	r->map = map;
	r->map_size = (size_t)mmap_size;
	r->hdr = map;
	r->entries = (uint8_t *)map + PCV_RING_ENTRIES_OFF;
	r->nentries = nentries;
	r->mask = nentries - 1;
	r->stride = stride;

	/* The kernel initialises both indices (0 for a new queue; for a
	 * resized CQ whatever it carried over).  More than nentries between
	 * them cannot be.
	 */
	if (pcv_ring_load_prod(r) - pcv_ring_load_cons(r) > nentries) {
		pcv_ring_unmap(r);
		return EPROTO;
	}
	return 0;
}

void pcv_ring_unmap(struct pcv_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_size);
	memset(r, 0, sizeof(*r));
}
