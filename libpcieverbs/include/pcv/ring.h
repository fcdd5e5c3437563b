/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Single-producer single-consumer rings across the link.
 *
 * The ring lives in the consumer's RAM; the producer writes it through its
 * window and never reads it (write-only across the link).  Each entry is
 * 2^esize_shift bytes and begins with a 32-bit stamp; the producer writes the
 * payload, a write barrier, then the stamp, so a consumer that sees the stamp
 * it expects sees the whole payload.  The expected stamp for index i is
 * pcv_ring_stamp(i): odd (never the zero of fresh memory) and different on
 * consecutive laps, so stale entries are never mistaken for new ones.
 *
 * Flow control: the consumer publishes its consumer index (credit) into a
 * word in the producer's RAM, again by a remote write.  The producer reads
 * that word locally and never lets prod - cons exceed the ring size.  A
 * credit that is impossible (ahead of prod, or more than a ring behind) comes
 * from a broken or hostile peer: the ring is marked broken.
 *
 * One writer per field: entries and stamps (producer), the credit word
 * (consumer).  Neither side needs atomics or locks across the link; callers
 * serialise each side locally.
 */
#ifndef PCV_RING_H
#define PCV_RING_H

#include "osdep.h"

#define PCV_RING_STAMP_BYTES		4
#define PCV_RING_MIN_ESHIFT		4	/* 16-byte entries */
#define PCV_RING_MAX_ESHIFT		16	/* 64 KiB entries */
#define PCV_RING_MAX_ORDER		16	/* 65536 entries */

static inline u32 pcv_ring_stamp(u32 idx, u32 order)
{
	return ((idx >> order) << 1) | 1;
}

struct pcv_ring_tx {
	void __iomem *base;	/* ring in the consumer's RAM (window) */
	const __le32 *credit;		/* local word the consumer writes */
	u32 order;
	u32 eshift;
	u32 prod;			/* next index to fill */
	u32 cons;			/* last credit seen (validated) */
	bool broken;
};

struct pcv_ring_rx {
	const void *base;		/* ring in our RAM */
	__le32 __iomem *credit;	/* credit word in the producer's RAM */
	u32 order;
	u32 eshift;
	u32 cons;			/* next index to consume */
	u32 published;			/* last credit written to the producer */
};

int pcv_ring_tx_init(struct pcv_ring_tx *r, void __iomem *base, const __le32 *credit,
		     u32 order, u32 eshift);
int pcv_ring_rx_init(struct pcv_ring_rx *r, const void *base, __le32 __iomem *credit,
		     u32 order, u32 eshift);

static inline u32 pcv_ring_size(u32 order)
{
	return 1U << order;
}

/* Payload bytes an entry can carry after its stamp. */
static inline u32 pcv_ring_payload_max(u32 eshift)
{
	return (1U << eshift) - PCV_RING_STAMP_BYTES;
}

/* Free entries, refreshing the credit; negative errno if the ring is broken. */
int pcv_ring_tx_space(struct pcv_ring_tx *r);

/*
 * Post one entry: payload (len bytes, at most payload_max) lands after the
 * stamp.  Returns 0, -ENOSPC when full, -EINVAL on a bad length, -EIO when the
 * ring is broken.
 */
int pcv_ring_tx_post(struct pcv_ring_tx *r, const void *payload, u32 len);

/*
 * Next entry's payload if its stamp says it is ready, else NULL.  The payload
 * is in memory a peer writes: copy what you need, then validate the copy.
 */
const void *pcv_ring_rx_peek(struct pcv_ring_rx *r);

/* Consume the peeked entry; publishes credit every quarter ring. */
void pcv_ring_rx_consume(struct pcv_ring_rx *r);

/* Publish the consumer index now (e.g. when idle). */
void pcv_ring_rx_publish(struct pcv_ring_rx *r);

#endif /* PCV_RING_H */
