// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * SPSC rings across the link (see pcv/ring.h for the protocol).
 */
#include "pcv/ring.h"

static int ring_geometry_ok(u32 order, u32 eshift)
{
	return order <= PCV_RING_MAX_ORDER && eshift >= PCV_RING_MIN_ESHIFT &&
	       eshift <= PCV_RING_MAX_ESHIFT;
}

int pcv_ring_tx_init(struct pcv_ring_tx *r, void __iomem *base, const __le32 *credit,
		     u32 order, u32 eshift)
{
	if (!base || !credit || !ring_geometry_ok(order, eshift))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->credit = credit;
	r->order = order;
	r->eshift = eshift;
	return 0;
}

int pcv_ring_rx_init(struct pcv_ring_rx *r, const void *base, __le32 __iomem *credit,
		     u32 order, u32 eshift)
{
	if (!base || !credit || !ring_geometry_ok(order, eshift))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->credit = credit;
	r->order = order;
	r->eshift = eshift;
	return 0;
}

int pcv_ring_tx_space(struct pcv_ring_tx *r)
{
	u32 size = pcv_ring_size(r->order);
	u32 cons, used;

	if (r->broken)
		return -EIO;
	cons = pcv_local_read32(r->credit);
	/* Valid credits lie in [r->cons, r->prod]: anything else is hostile. */
	if (cons - r->cons > r->prod - r->cons) {
		r->broken = true;
		return -EIO;
	}
	r->cons = cons;
	used = r->prod - r->cons;
	return (int)(size - used);
}

int pcv_ring_tx_post(struct pcv_ring_tx *r, const void *payload, u32 len)
{
	u8 __iomem *ent;
	int space;

	if (len > pcv_ring_payload_max(r->eshift))
		return -EINVAL;
	space = pcv_ring_tx_space(r);
	if (space < 0)
		return space;
	if (!space)
		return -ENOSPC;

	ent = (u8 __iomem *)r->base +
	      ((size_t)(r->prod & (pcv_ring_size(r->order) - 1)) << r->eshift);
	if (len)
		pcv_remote_copy(ent + PCV_RING_STAMP_BYTES, payload, len);
	/* Payload before stamp: the consumer trusts the payload once it sees the stamp. */
	pcv_remote_wmb();
	pcv_remote_write32((__le32 __iomem *)ent, pcv_ring_stamp(r->prod, r->order));
	r->prod++;
	return 0;
}

const void *pcv_ring_rx_peek(struct pcv_ring_rx *r)
{
	const u8 *ent = (const u8 *)r->base +
			((size_t)(r->cons & (pcv_ring_size(r->order) - 1)) << r->eshift);

	if (pcv_local_read32((const __le32 *)ent) != pcv_ring_stamp(r->cons, r->order))
		return NULL;
	/* Stamp before payload: pairs with the producer's pcv_remote_wmb(). */
	pcv_local_rmb();
	return ent + PCV_RING_STAMP_BYTES;
}

void pcv_ring_rx_publish(struct pcv_ring_rx *r)
{
	/*
	 * Our reads of the consumed entries must be done before the producer can
	 * reuse them: order the loads before the credit store.
	 */
	pcv_mb();
	pcv_remote_write32(r->credit, r->cons);
	r->published = r->cons;
}

void pcv_ring_rx_consume(struct pcv_ring_rx *r)
{
	r->cons++;
	if (r->cons - r->published >= (pcv_ring_size(r->order) >> 2 ? : 1))
		pcv_ring_rx_publish(r);
}
