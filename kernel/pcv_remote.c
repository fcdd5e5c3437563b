// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs: memory of any blade by fabric address — a peer's through our
 * window onto it, ours (loopback) directly — and the peers' exported tables.
 *
 * Table entries are read on the slow path (connection set-up, key checks):
 * a seqlock-style copy through the window, then decoded and validated by
 * libpcieverbs; nothing a peer wrote is used as an address before that.
 */
#include "pcv.h"

bool pcv_peer_up(struct pcv_dev *dev, u32 blade)
{
	if (blade == dev->info.blade_id)
		return true;
	if (blade >= dev->info.nr_blades)
		return false;
	return READ_ONCE(dev->peers[blade].link.state) == PCV_LINK_UP;
}

/*
 * CPU pointer to [addr, addr + len) of blade's memory, or NULL if outside
 * it.  Loopback memory is ordinary RAM: the __force cast lets one set of
 * remote-access helpers (memcpy_toio and friends) serve both cases.
 */
void __iomem *pcv_fabric_ptr(struct pcv_dev *dev, u32 blade, u64 addr, u64 len)
{
	struct pcv_peer *p;

	if (blade == dev->info.blade_id)
		return (void __iomem __force *)dev->ops->local_ptr(dev->priv, addr, len);
	if (blade >= dev->info.nr_blades)
		return NULL;
	p = &dev->peers[blade];
	if (!p->win || addr >= p->win_size || len > p->win_size - addr)
		return NULL;
	return (u8 __iomem *)p->win + addr;
}

int pcv_fabric_read(struct pcv_dev *dev, u32 blade, u64 addr, void *buf, u32 len)
{
	void __iomem *src = pcv_fabric_ptr(dev, blade, addr, len);

	if (!src)
		return -EFAULT;
	memcpy_fromio(buf, src, len);
	return 0;
}

/* A stable copy of a 64-byte seqlocked table entry. */
static int pcv_read_entry(struct pcv_dev *dev, u32 blade, u64 addr, void *buf)
{
	void __iomem *src = pcv_fabric_ptr(dev, blade, addr, 64);
	__le32 s0, s1;
	int tries;

	if (!src)
		return -EFAULT;
	for (tries = 0; tries < 8; tries++) {
		s0 = cpu_to_le32(readl(src));
		rmb();	/* seq before the fields */
		memcpy_fromio(buf, src, 64);
		rmb();	/* the fields before seq again */
		s1 = cpu_to_le32(readl(src));
		if (s0 == s1 && !(le32_to_cpu(s0) & 1))
			return 0;
		cpu_relax();
	}
	return -EAGAIN;
}

static bool pcv_table_of(struct pcv_dev *dev, u32 blade, bool qp, u64 *addr, u32 *n)
{
	struct pcv_peer *p;

	if (blade == dev->info.blade_id) {
		*addr = qp ? dev->qpt_addr : dev->mrt_addr;
		*n = qp ? PCV_MAX_QP : PCV_MAX_MR;
		return true;
	}
	if (blade >= dev->info.nr_blades)
		return false;
	p = &dev->peers[blade];
	*addr = qp ? READ_ONCE(p->qpt_addr) : READ_ONCE(p->mrt_addr);
	*n = qp ? READ_ONCE(p->qpt_n) : READ_ONCE(p->mrt_n);
	return *n != 0;
}

/*
 * Find key in blade's MR table.  Returns a positive enum pcv_mr_check
 * (PCV_MR_OK = 0) about the entry, or a negative errno if it could not be
 * read at all.
 */
int pcv_read_mr_desc(struct pcv_dev *dev, u32 blade, u32 key, struct pcv_mr_desc *d)
{
	struct pcv_wire_mrt w;
	u32 index = key >> 8, n;
	u64 base, mem;
	int err;

	if (!pcv_table_of(dev, blade, false, &base, &n))
		return -ENOLINK;
	if (!index || index >= n)
		return PCV_MR_BAD_KEY;
	err = pcv_read_entry(dev, blade, base + (u64)index * PCV_MRT_ENTRY_SIZE, &w);
	if (err)
		return err;
	mem = blade == dev->info.blade_id ? dev->info.peer_mem_size :
	      dev->peers[blade].win_size;
	err = pcv_mr_decode(&w, mem, d);
	if (err == PCV_MR_OK && d->key != key)
		err = PCV_MR_BAD_KEY;
	return err;
}

/* blade's QP table entry for qpn: 0 with a stable copy, -ENOENT if not that QP. */
int pcv_read_qpt(struct pcv_dev *dev, u32 blade, u32 qpn, struct pcv_wire_qpt *e)
{
	u32 n;
	u64 base;
	int err;

	if (!pcv_table_of(dev, blade, true, &base, &n))
		return -ENOLINK;
	if (!is_power_of_2(n))
		return -EPROTO;
	err = pcv_read_entry(dev, blade, base + (u64)(qpn & (n - 1)) * PCV_QPT_ENTRY_SIZE, e);
	if (err)
		return err;
	if (le32_to_cpu(e->qpn) != qpn)
		return -ENOENT;
	return 0;
}
