// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs multicast: which of this blade's UD QPs belong to which group.
 *
 * There is no switch to replicate packets: a multicast send writes one copy
 * into the datagram ring of every blade that is up (and our own), and each
 * receiving blade delivers it to the QPs attached here (pcv_dgram.c), the
 * sending QP included when it is attached (IB multicast loopback; IPoIB
 * drops its own packets by source QPN and LID).  So membership is purely
 * local: this table, mcast_lock protecting it.  A group is named by its
 * MGID; its MLID is remembered from attach so a datagram addressed by LID
 * alone (no GRH) finds it too.
 */
#include <linux/slab.h>
#include "pcv.h"

int pcv_mcast_init(struct pcv_dev *dev)
{
	spin_lock_init(&dev->mcast_lock);
	dev->mcast = kcalloc(PCV_MAX_MCAST_GRP, sizeof(*dev->mcast), GFP_KERNEL);
	return dev->mcast ? 0 : -ENOMEM;
}

void pcv_mcast_free(struct pcv_dev *dev)
{
	kfree(dev->mcast);
	dev->mcast = NULL;
}

static struct pcv_mcast_grp *pcv_mcast_find(struct pcv_dev *dev, const u8 *mgid)
{
	u32 i;

	for (i = 0; i < PCV_MAX_MCAST_GRP; i++)
		if (dev->mcast[i].nqp && !memcmp(dev->mcast[i].mgid, mgid, 16))
			return &dev->mcast[i];
	return NULL;
}

int pcv_attach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_dev *dev = qp->dev;
	struct pcv_mcast_grp *g;
	unsigned long flags;
	int err = 0;
	u32 i;

	if (!pcv_qp_is_ud(qp) || ibqp->qp_type == IB_QPT_GSI || gid->raw[0] != 0xff ||
	    (lid && lid < 0xc000) || lid == 0xffff)
		return -EINVAL;
	spin_lock_irqsave(&dev->mcast_lock, flags);
	g = pcv_mcast_find(dev, gid->raw);
	if (!g) {
		for (i = 0; i < PCV_MAX_MCAST_GRP && dev->mcast[i].nqp; i++)
			;
		if (i == PCV_MAX_MCAST_GRP) {
			err = -ENOMEM;
			goto out;
		}
		g = &dev->mcast[i];
		memcpy(g->mgid, gid->raw, sizeof(g->mgid));
		g->mlid = lid;
	}
	for (i = 0; i < g->nqp; i++)
		if (g->qp[i] == qp)
			goto out;	/* attached already: nothing to do */
	if (g->nqp == PCV_MAX_MCAST_QP_ATTACH) {
		err = -ENOMEM;
		goto out;
	}
	if (lid)
		g->mlid = lid;
	g->qp[g->nqp++] = qp;
out:
	spin_unlock_irqrestore(&dev->mcast_lock, flags);
	return err;
}

/* Remove qp from g (mcast_lock held); true if it was a member. */
static bool pcv_mcast_remove(struct pcv_mcast_grp *g, struct pcv_qp *qp)
{
	u32 i;

	for (i = 0; i < g->nqp; i++) {
		if (g->qp[i] != qp)
			continue;
		g->qp[i] = g->qp[--g->nqp];
		g->qp[g->nqp] = NULL;
		return true;
	}
	return false;
}

int pcv_detach_mcast(struct ib_qp *ibqp, union ib_gid *gid, u16 lid)
{
	struct pcv_qp *qp = to_pcv_qp(ibqp);
	struct pcv_dev *dev = qp->dev;
	struct pcv_mcast_grp *g;
	unsigned long flags;
	int err = -EINVAL;

	spin_lock_irqsave(&dev->mcast_lock, flags);
	g = pcv_mcast_find(dev, gid->raw);
	if (g && pcv_mcast_remove(g, qp))
		err = 0;
	spin_unlock_irqrestore(&dev->mcast_lock, flags);
	return err;
}

/* A destroyed QP leaves every group (delivery never sees it again). */
void pcv_mcast_detach_qp(struct pcv_dev *dev, struct pcv_qp *qp)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&dev->mcast_lock, flags);
	for (i = 0; i < PCV_MAX_MCAST_GRP; i++)
		pcv_mcast_remove(&dev->mcast[i], qp);
	spin_unlock_irqrestore(&dev->mcast_lock, flags);
}
