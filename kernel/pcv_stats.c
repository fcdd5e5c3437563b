// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs port counters: `rdma statistic show link pciev0/1` and
 * /sys/class/infiniband/pciev0/ports/1/hw_counters/.
 */
#include "pcv.h"

static const struct rdma_stat_desc pcv_counter_descs[] = {
	[PCV_CNT_LINKS_UP].name = "links_up",
	[PCV_CNT_LINK_UP_EVENTS].name = "link_up_events",
	[PCV_CNT_LINK_DOWN_EVENTS].name = "link_down_events",
	[PCV_CNT_LINK_FAILURES].name = "link_failures",
	[PCV_CNT_HB_TIMEOUTS].name = "heartbeat_timeouts",
	[PCV_CNT_DOORBELLS_TX].name = "doorbells_tx",
	[PCV_CNT_DOORBELLS_RX].name = "doorbells_rx",
	[PCV_CNT_DMA_SUBMITTED].name = "dma_desc_submitted",
	[PCV_CNT_DMA_COMPLETED].name = "dma_desc_completed",
	[PCV_CNT_DMA_ERRORS].name = "dma_desc_errors",
	[PCV_CNT_DMA_BYTES].name = "dma_bytes",
	[PCV_CNT_PIO_BYTES].name = "pio_bytes",
	[PCV_CNT_MSG_TX].name = "msgs_sent",
	[PCV_CNT_MSG_RX].name = "msgs_received",
	[PCV_CNT_RDMA_WRITES].name = "rdma_writes",
	[PCV_CNT_RDMA_READS].name = "rdma_reads",
	[PCV_CNT_ATOMICS].name = "atomics",
	[PCV_CNT_RNR_NAKS].name = "rnr_naks",
	[PCV_CNT_QP_ERRORS].name = "qp_errors",
	[PCV_CNT_BAD_INPUT].name = "bad_input",
	[PCV_CNT_UD_TX].name = "ud_sent",
	[PCV_CNT_UD_RX].name = "ud_received",
	[PCV_CNT_UD_DROP_NO_WQE].name = "ud_drop_no_recv_wqe",
	[PCV_CNT_UD_DROP_QKEY].name = "ud_drop_qkey",
	[PCV_CNT_UD_DROP_NO_QP].name = "ud_drop_no_qp",
	[PCV_CNT_UD_DROP_LINK].name = "ud_drop_link_down",
	[PCV_CNT_MADS_ANSWERED].name = "sa_mads_answered",
	[PCV_CNT_MADS_ERROR].name = "sa_mads_error",
	[PCV_CNT_MADS_MALFORMED].name = "mad_drop_malformed",
	[PCV_CNT_FAST_ENTER].name = "fast_enter",
	[PCV_CNT_FAST_LEAVE].name = "fast_leave",
	[PCV_CNT_LINK_SILENCES].name = "link_silences",
	[PCV_CNT_XMIT_BYTES].name = "xmit_bytes",
	[PCV_CNT_RCV_BYTES].name = "rcv_bytes",
	[PCV_CNT_XMIT_PKTS].name = "xmit_packets",
	[PCV_CNT_RCV_PKTS].name = "rcv_packets",
	[PCV_CNT_MCAST_XMIT_PKTS].name = "mcast_xmit_packets",
	[PCV_CNT_MCAST_RCV_PKTS].name = "mcast_rcv_packets",
};

struct rdma_hw_stats *pcv_alloc_hw_port_stats(struct ib_device *ibdev, u32 port_num)
{
	BUILD_BUG_ON(ARRAY_SIZE(pcv_counter_descs) != PCV_NR_COUNTERS);
	return rdma_alloc_hw_stats_struct(pcv_counter_descs, PCV_NR_COUNTERS,
					  RDMA_HW_STATS_DEFAULT_LIFESPAN);
}

int pcv_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats, u32 port, int index)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);
	int i;

	if (!port || !stats)
		return -EINVAL;
	/* The traffic others counted for us (peers' one-sided, fast path). */
	pcv_traffic_fold(dev);
	for (i = 0; i < PCV_NR_COUNTERS; i++)
		stats->value[i] = atomic64_read(&dev->stats[i]);
	return PCV_NR_COUNTERS;
}
