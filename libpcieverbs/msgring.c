// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Message rings of queue pairs (see pcv/msgring.h).
 */
#include "pcv/msgring.h"

int pcv_msgring_tx_init(struct pcv_msgring_tx *r, void __iomem *base, const __le32 *credit,
			u32 order)
{
	if (!base || !credit || order < PCV_MSGRING_MIN_ORDER || order > PCV_MSGRING_MAX_ORDER)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->credit = credit;
	r->order = order;
	return 0;
}

void pcv_msgring_rx_init(struct pcv_msgring_rx *r, void *base, u32 order)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->order = order;
}

int pcv_msgring_tx_space(struct pcv_msgring_tx *r)
{
	u32 cons;

	if (r->broken)
		return -EIO;
	cons = pcv_local_read32(r->credit);
	/* A credit outside [r->cons, r->prod] is impossible: broken peer. */
	if (cons - r->cons > r->prod - r->cons) {
		r->broken = true;
		return -EIO;
	}
	r->cons = cons;
	return (int)((1U << r->order) - (r->prod - r->cons));
}

static void msgring_write_pad(struct pcv_msgring_tx *r, u32 nslots)
{
	u8 __iomem *slot = pcv_msgring_tx_slot(r, r->prod);
	struct pcv_wire_msg pad;

	memset(&pad, 0, sizeof(pad));
	pad.opcode = PCV_MSG_PAD;
	pad.nslots = (u8)nslots;
	/* Everything but the stamp, then the stamp. */
	pcv_remote_copy(slot + 4, (const u8 *)&pad + 4, sizeof(pad) - 4);
	pcv_remote_wmb();
	pcv_remote_write32((__le32 __iomem *)slot, pcv_ring_stamp(r->prod, r->order));
	r->prod += nslots;
}

int pcv_msgring_tx_reserve(struct pcv_msgring_tx *r, u32 nslots, u32 *idx)
{
	u32 size = 1U << r->order;
	u32 to_end;
	int space;

	if (!nslots || nslots > PCV_MSG_MAX_SLOTS)
		return -EINVAL;
	space = pcv_msgring_tx_space(r);
	if (space < 0)
		return space;
	to_end = size - (r->prod & (size - 1));
	if (nslots > to_end) {
		/* PAD to the end and the message at the start: both must fit. */
		if ((u32)space < to_end + nslots)
			return -ENOSPC;
		msgring_write_pad(r, to_end);
		space -= to_end;
	}
	if ((u32)space < nslots)
		return -ENOSPC;
	*idx = r->prod;
	return 0;
}

void pcv_msgring_tx_commit(struct pcv_msgring_tx *r, u32 idx, u32 nslots)
{
	u8 __iomem *slot = pcv_msgring_tx_slot(r, idx);

	/* Header and payload before the stamp: the consumer trusts them after it. */
	pcv_remote_wmb();
	pcv_remote_write32((__le32 __iomem *)slot, pcv_ring_stamp(idx, r->order));
	r->prod = idx + nslots;
}

const struct pcv_wire_msg *pcv_msgring_rx_peek(struct pcv_msgring_rx *r)
{
	const u8 *slot = r->base +
			 ((size_t)(r->cons & ((1U << r->order) - 1)) << PCV_MSG_SLOT_SHIFT);

	if (pcv_local_read32((const __le32 *)slot) != pcv_ring_stamp(r->cons, r->order))
		return NULL;
	/* Stamp before the rest: pairs with the producer's barrier. */
	pcv_local_rmb();
	return (const struct pcv_wire_msg *)slot;
}

int pcv_msgring_rx_check(const struct pcv_msgring_rx *r, u32 nslots)
{
	u32 size = 1U << r->order;

	if (!nslots || nslots > PCV_MSG_MAX_SLOTS || nslots > size - (r->cons & (size - 1)))
		return -EINVAL;
	return 0;
}

void pcv_msgring_rx_consume(struct pcv_msgring_rx *r, u32 nslots)
{
	u32 i;

	for (i = 0; i < nslots; i++) {
		u8 *slot = r->base + ((size_t)((r->cons + i) & ((1U << r->order) - 1))
				      << PCV_MSG_SLOT_SHIFT);

		pcv_local_write32((__le32 *)slot, 0);
	}
	r->cons += nslots;
}
