/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs: the queues shared with the kernel (SQ, RQ, SRQ, CQ).
 *
 * Every queue is a ring the kernel allocates and we mmap() from the uverbs
 * fd (include/rdma/pcieverbs-abi.h, "Queues shared between the kernel and
 * user space"): page 0 is struct pcv_ring_hdr, entries start at
 * PCV_RING_ENTRIES_OFF, indices are free-running u32, slot = index &
 * (entries - 1), and each index has one writer:
 *
 *   SQ/RQ/SRQ  we write WQEs, then prod (release); the kernel writes cons;
 *   CQ         the kernel writes CQEs, then prod; we read prod (acquire),
 *              copy the CQEs, then write cons (release).
 *
 * We keep our own index in a private shadow (the ring copy is only ever
 * written, never read back) and read the kernel's index with acquire
 * ordering.  Nothing here locks: each queue object holds its own spinlock
 * around these helpers.
 *
 * This header also pins the layout of every shared structure with
 * _Static_assert: a kernel built from the same pcieverbs-abi.h and this
 * provider must agree byte for byte.
 */
#ifndef PCV_RING_H
#define PCV_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rdma/pcieverbs-abi.h>

struct pcv_ring {
	void *map;			/* the whole mapping; NULL if none */
	size_t map_size;		/* as passed to mmap() */
	struct pcv_ring_hdr *hdr;	/* == map */
	uint8_t *entries;		/* map + PCV_RING_ENTRIES_OFF */
	uint32_t nentries;		/* power of two, or 0 if no ring */
	uint32_t mask;			/* nentries - 1 */
	uint32_t stride;		/* bytes per entry */
};

/* Check what the kernel said about a ring before mapping it: entries a
 * power of two (and non-zero), the key page aligned, the mapping large
 * enough for the header and every entry.  Returns 0 or EPROTO.
 */
int pcv_ring_check(uint32_t nentries, uint32_t stride, uint64_t mmap_key,
		   uint64_t mmap_size);

/* pcv_ring_check(), then mmap(mmap_size) of cmd_fd at mmap_key, then check
 * the header the kernel initialised (prod - cons <= nentries).  Returns 0
 * or a positive errno (EPROTO for a bad response or header, else mmap's
 * errno); on failure nothing stays mapped and *r is zeroed.
 */
int pcv_ring_map(struct pcv_ring *r, int cmd_fd, uint32_t nentries,
		 uint32_t stride, uint64_t mmap_key, uint64_t mmap_size);

/* munmap() the ring if mapped, zero *r. */
void pcv_ring_unmap(struct pcv_ring *r);

static inline bool pcv_ring_mapped(const struct pcv_ring *r)
{
	return r->map != NULL;
}

static inline void *pcv_ring_entry(const struct pcv_ring *r, uint32_t idx)
{
	return r->entries + (size_t)(idx & r->mask) * r->stride;
}

/* The kernel's index (cons of a work queue, prod of a CQ): acquire, so
 * what the kernel wrote before it (CQEs; its reads of our WQEs) is
 * ordered before what we do next.
 */
static inline uint32_t pcv_ring_load_cons(const struct pcv_ring *r)
{
	return __atomic_load_n(&r->hdr->cons, __ATOMIC_ACQUIRE);
}

static inline uint32_t pcv_ring_load_prod(const struct pcv_ring *r)
{
	return __atomic_load_n(&r->hdr->prod, __ATOMIC_ACQUIRE);
}

/* Publish our index: release, so the WQEs we wrote (or our reads of the
 * CQEs we consumed) are ordered before it.
 */
static inline void pcv_ring_publish_prod(struct pcv_ring *r, uint32_t prod)
{
	__atomic_store_n(&r->hdr->prod, prod, __ATOMIC_RELEASE);
}

static inline void pcv_ring_publish_cons(struct pcv_ring *r, uint32_t cons)
{
	__atomic_store_n(&r->hdr->cons, cons, __ATOMIC_RELEASE);
}

static inline uint32_t pcv_ring_flags(const struct pcv_ring *r)
{
	return __atomic_load_n(&r->hdr->flags, __ATOMIC_ACQUIRE);
}

/* ---- layout of the shared structures (x86_64 and every LP64 ABI) ---- */
#define PCV_RING_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)
#define PCV_RING_ASSERT_OFF(type, member, off) \
	_Static_assert(offsetof(type, member) == (off), \
		       "offsetof(" #type ", " #member ") != " #off)

PCV_RING_ASSERT_SIZE(struct pcv_ring_hdr, 192);
PCV_RING_ASSERT_OFF(struct pcv_ring_hdr, prod, 0);
PCV_RING_ASSERT_OFF(struct pcv_ring_hdr, cons, 64);
PCV_RING_ASSERT_OFF(struct pcv_ring_hdr, flags, 128);
_Static_assert(PCV_RING_ENTRIES_OFF >= sizeof(struct pcv_ring_hdr) &&
	       PCV_RING_ENTRIES_OFF % 64 == 0, "ring entries placement");

PCV_RING_ASSERT_SIZE(struct pcv_sge, 16);
PCV_RING_ASSERT_OFF(struct pcv_sge, addr, 0);
PCV_RING_ASSERT_OFF(struct pcv_sge, length, 8);
PCV_RING_ASSERT_OFF(struct pcv_sge, lkey, 12);

PCV_RING_ASSERT_SIZE(struct pcv_sq_wqe, PCV_SQ_STRIDE);
PCV_RING_ASSERT_SIZE(struct pcv_sq_wqe, 256);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, wr_id, 0);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, opcode, 8);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, flags, 9);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, num_sge, 10);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, reserved0, 11);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, imm_data, 12);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, remote_addr, 16);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, rkey, 24);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, inline_len, 28);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, compare_add, 32);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, swap, 40);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, ud_ah, 48);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, ud_remote_qpn, 52);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, ud_remote_qkey, 56);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, reserved1, 60);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, sge, 64);
PCV_RING_ASSERT_OFF(struct pcv_sq_wqe, inline_data, 64);
_Static_assert(PCV_MAX_SEND_SGE * sizeof(struct pcv_sge) <= PCV_MAX_INLINE &&
	       64 + PCV_MAX_INLINE == PCV_SQ_STRIDE,
	       "SGEs and inline data share the WQE tail");

/* ABI 2: 512-byte receive WQEs (31 SGEs; ABI 1 had 128 bytes, 7 SGEs). */
PCV_RING_ASSERT_SIZE(struct pcv_rq_wqe, PCV_RQ_STRIDE);
PCV_RING_ASSERT_SIZE(struct pcv_rq_wqe, 512);
PCV_RING_ASSERT_OFF(struct pcv_rq_wqe, wr_id, 0);
PCV_RING_ASSERT_OFF(struct pcv_rq_wqe, num_sge, 8);
PCV_RING_ASSERT_OFF(struct pcv_rq_wqe, reserved, 9);
PCV_RING_ASSERT_OFF(struct pcv_rq_wqe, sge, 16);
_Static_assert(PCV_MAX_RECV_SGE == 31 &&
	       16 + PCV_MAX_RECV_SGE * sizeof(struct pcv_sge) == PCV_RQ_STRIDE,
	       "receive SGEs fill the WQE after its 16-byte header");
_Static_assert(PCV_MAX_RECV_SGE <= 255 && PCV_MAX_SEND_SGE <= 255,
	       "num_sge is a u8");

PCV_RING_ASSERT_SIZE(struct pcv_cqe, PCV_CQE_SIZE);
PCV_RING_ASSERT_SIZE(struct pcv_cqe, 64);
PCV_RING_ASSERT_OFF(struct pcv_cqe, wr_id, 0);
PCV_RING_ASSERT_OFF(struct pcv_cqe, status, 8);
PCV_RING_ASSERT_OFF(struct pcv_cqe, opcode, 12);
PCV_RING_ASSERT_OFF(struct pcv_cqe, vendor_err, 16);
PCV_RING_ASSERT_OFF(struct pcv_cqe, byte_len, 20);
PCV_RING_ASSERT_OFF(struct pcv_cqe, imm_data, 24);
PCV_RING_ASSERT_OFF(struct pcv_cqe, qp_num, 28);
PCV_RING_ASSERT_OFF(struct pcv_cqe, src_qp, 32);
PCV_RING_ASSERT_OFF(struct pcv_cqe, wc_flags, 36);
PCV_RING_ASSERT_OFF(struct pcv_cqe, pkey_index, 40);
PCV_RING_ASSERT_OFF(struct pcv_cqe, slid, 42);
PCV_RING_ASSERT_OFF(struct pcv_cqe, sl, 44);
PCV_RING_ASSERT_OFF(struct pcv_cqe, dlid_path_bits, 45);
PCV_RING_ASSERT_OFF(struct pcv_cqe, reserved0, 46);
PCV_RING_ASSERT_OFF(struct pcv_cqe, reserved1, 48);

/* create/resize requests and responses (udata) */
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_cq, 8);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_cq_resp, 24);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_cq_resp, cq_entries, 4);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_cq_resp, mmap_key, 8);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_cq_resp, mmap_size, 16);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_resize_cq, 8);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_resize_cq_resp, 24);
PCV_RING_ASSERT_OFF(struct pcv_ibv_resize_cq_resp, cq_entries, 4);
PCV_RING_ASSERT_OFF(struct pcv_ibv_resize_cq_resp, mmap_key, 8);
PCV_RING_ASSERT_OFF(struct pcv_ibv_resize_cq_resp, mmap_size, 16);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_qp, 8);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_qp_resp, 56);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, qpn, 4);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, sq_entries, 8);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, rq_entries, 12);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, max_inline, 16);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, reserved, 20);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, sq_mmap_key, 24);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, sq_mmap_size, 32);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, rq_mmap_key, 40);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_qp_resp, rq_mmap_size, 48);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_srq, 8);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_srq_resp, 24);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_srq_resp, srq_entries, 4);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_srq_resp, mmap_key, 8);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_srq_resp, mmap_size, 16);
PCV_RING_ASSERT_SIZE(struct pcv_ibv_create_ah_resp, 8);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_ah_resp, comp_mask, 0);
PCV_RING_ASSERT_OFF(struct pcv_ibv_create_ah_resp, ah, 4);

#endif /* PCV_RING_H */
