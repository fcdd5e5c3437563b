/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Message rings: the inbound ring of a queue pair, with messages of 1 to
 * PCV_MSG_MAX_SLOTS contiguous 256-byte slots (struct pcv_wire_msg header in
 * the first slot, payload after it).  A message never wraps: the producer
 * fills the end of the ring with a PAD message instead.
 *
 * As in pcv/ring.h the ring lives in the consumer's memory, the producer
 * writes it through its window and publishes a message by writing the stamp
 * of its first slot last.  The consumer zeroes the stamp word of every slot
 * it consumed before returning the slots (credit = its consumer index, which
 * the caller writes into the producer's memory), so a slot's first word is
 * only ever 0 or a real stamp, never stale payload.
 */
#ifndef PCV_MSGRING_H
#define PCV_MSGRING_H

#include "osdep.h"
#include "wire.h"
#include "ring.h"

#define PCV_MSGRING_MIN_ORDER		5	/* 32 slots: the largest message and a PAD */
#define PCV_MSGRING_MAX_ORDER		12

struct pcv_msgring_tx {
	u8 __iomem *base;		/* the slots, in the consumer's memory */
	const __le32 *credit;		/* consumer's index, written into our memory */
	u32 order;
	u32 prod;			/* next slot to fill */
	u32 cons;			/* last credit seen (validated) */
	bool broken;
};

struct pcv_msgring_rx {
	u8 *base;			/* the slots, in our memory */
	u32 order;
	u32 cons;			/* next slot to read */
};

int pcv_msgring_tx_init(struct pcv_msgring_tx *r, void __iomem *base, const __le32 *credit,
			u32 order);
void pcv_msgring_rx_init(struct pcv_msgring_rx *r, void *base, u32 order);

/* Payload bytes a message of n slots carries. */
static inline u32 pcv_msg_capacity(u32 nslots)
{
	return nslots * PCV_MSG_SLOT_SIZE - PCV_MSG_HDR_SIZE;
}

/* Slots for a message with len payload bytes (0 if more than the maximum). */
static inline u32 pcv_msg_slots(u32 len)
{
	u32 n = (len + PCV_MSG_HDR_SIZE + PCV_MSG_SLOT_SIZE - 1) >> PCV_MSG_SLOT_SHIFT;

	return n <= PCV_MSG_MAX_SLOTS ? n : 0;
}

/*
 * Reserve nslots for a message (writing a PAD message first if it would
 * wrap).  Returns 0 and the index of its first slot in *idx, or -ENOSPC (try
 * again after credits return), -EINVAL (bad size) or -EIO (the consumer's
 * credit is impossible: broken).
 */
int pcv_msgring_tx_reserve(struct pcv_msgring_tx *r, u32 nslots, u32 *idx);

/* The first slot of a reserved message (slot index from _reserve). */
static inline u8 __iomem *pcv_msgring_tx_slot(struct pcv_msgring_tx *r, u32 idx)
{
	return r->base + ((size_t)(idx & ((1U << r->order) - 1)) << PCV_MSG_SLOT_SHIFT);
}

/*
 * Publish the message reserved at idx: its header (stamp field excluded) and
 * payload must already be written.  Barrier, stamp, advance.
 */
void pcv_msgring_tx_commit(struct pcv_msgring_tx *r, u32 idx, u32 nslots);

/* Free slots now (refreshing the credit), or -EIO. */
int pcv_msgring_tx_space(struct pcv_msgring_tx *r);

/*
 * The next message, or NULL.  Its header (and, for n slots, the following
 * n * 256 - 64 bytes) may be read; everything in it is hostile: validate
 * with pcv_msgring_rx_check() before use.
 */
const struct pcv_wire_msg *pcv_msgring_rx_peek(struct pcv_msgring_rx *r);

/* Validate a header's slot count against the ring: 0 or -EINVAL. */
int pcv_msgring_rx_check(const struct pcv_msgring_rx *r, u32 nslots);

/* Consume nslots (checked): zero their stamps and advance. */
void pcv_msgring_rx_consume(struct pcv_msgring_rx *r, u32 nslots);

#endif /* PCV_MSGRING_H */
