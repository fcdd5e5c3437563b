// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs MADs: every blade is its own subnet administrator.
 *
 * A chassis has no subnet manager, and needs none: LIDs and GIDs follow
 * from blade numbers, paths are all one hop, and multicast is flooded and
 * filtered by the receivers (pcv_mcast.c).  The port reports its own LID as
 * the SM LID, so the kernel's SA clients (ib_sa: path records for rdma_cm,
 * multicast joins for IPoIB) send their queries to our own GSI QP, over the
 * loopback datagram ring.  The MAD layer gives each received MAD to
 * process_mad first: SubnAdm requests are answered here by the portable SA
 * of libpcieverbs (sa.c), and the MAD layer sends the reply back to the
 * asker.  PerfMgmt requests (the port counters, from sysfs or perfquery)
 * are answered by pcv_pma.c.  Everything else (responses, CM, other
 * classes) goes on to the MAD layer's agents.
 */
#include <rdma/ib_mad.h>
#include "pcv.h"
#include "pcv/pma.h"

static bool pcv_sa_blade_up(void *ctx, u32 blade)
{
	return pcv_peer_up(ctx, blade);
}

void pcv_mad_init(struct pcv_dev *dev)
{
	spin_lock_init(&dev->sa_lock);
	pcv_traffic_init(dev);
	pcv_sa_init(&dev->sa, dev->info.blade_id, dev->info.nr_blades, pcv_sa_blade_up, dev);
}

int pcv_process_mad(struct ib_device *ibdev, int mad_flags, u32 port_num,
		    const struct ib_wc *in_wc, const struct ib_grh *in_grh,
		    const struct ib_mad *in_mad, struct ib_mad *out_mad,
		    size_t *out_mad_size, u16 *out_mad_pkey_index)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);
	const struct ib_mad_hdr *hdr = &in_mad->mad_hdr;
	unsigned long flags;
	int ret;

	/* Not ours to answer: responses go to whoever asked, other classes on. */
	if (port_num != PCV_PORT || (hdr->method & IB_MGMT_METHOD_RESP) ||
	    *out_mad_size < sizeof(*out_mad))
		return IB_MAD_RESULT_SUCCESS;
	if (hdr->mgmt_class == IB_MGMT_CLASS_PERF_MGMT) {
		switch (pcv_pma_mad(dev, in_mad, out_mad)) {
		case PCV_PMA_REPLY:
			*out_mad_size = sizeof(*out_mad);
			*out_mad_pkey_index = 0;
			return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
		case PCV_PMA_DROP:
			pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
			return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_CONSUMED;
		default:
			return IB_MAD_RESULT_SUCCESS;
		}
	}
	if (hdr->mgmt_class != IB_MGMT_CLASS_SUBN_ADM)
		return IB_MAD_RESULT_SUCCESS;

	spin_lock_irqsave(&dev->sa_lock, flags);
	ret = pcv_sa_process(&dev->sa, (const u8 *)in_mad, sizeof(*in_mad), (u8 *)out_mad);
	spin_unlock_irqrestore(&dev->sa_lock, flags);
	switch (ret) {
	case PCV_SA_REPLY:
		pcv_count(dev, PCV_CNT_MADS_ANSWERED, 1);
		if (out_mad->mad_hdr.status)
			pcv_count(dev, PCV_CNT_MADS_ERROR, 1);
		*out_mad_size = sizeof(*out_mad);
		*out_mad_pkey_index = 0;
		return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_REPLY;
	case PCV_SA_DROP:
		pcv_count(dev, PCV_CNT_BAD_INPUT, 1);
		return IB_MAD_RESULT_SUCCESS | IB_MAD_RESULT_CONSUMED;
	default:
		return IB_MAD_RESULT_SUCCESS;
	}
}
