// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs: InfiniBand verbs over PCIe between blades.
 *
 * Module entry: parameters, debugfs root and the backends (today only the
 * emulated chassis).
 */
#include <linux/module.h>
#include "pcv.h"

unsigned int pcv_hb_interval_ms = 100;
module_param_named(hb_interval_ms, pcv_hb_interval_ms, uint, 0444);
MODULE_PARM_DESC(hb_interval_ms, "Link heartbeat period in ms (default 100)");

/*
 * A silent peer is first only reported (hb_silent_ms), and declared dead,
 * its QPs flushed, only after hb_timeout_ms: TCG blades sharing two host
 * cores stall for seconds, and a blade that is slow is not a dead one
 * (design §5).  A powered-off blade is seen at once, whatever these say.
 */
unsigned int pcv_hb_timeout_ms = 30000;
module_param_named(hb_timeout_ms, pcv_hb_timeout_ms, uint, 0444);
MODULE_PARM_DESC(hb_timeout_ms, "A link whose peer is silent this long goes down, its QPs flushed (default 30000)");

unsigned int pcv_hb_silent_ms = 5000;
module_param_named(hb_silent_ms, pcv_hb_silent_ms, uint, 0444);
MODULE_PARM_DESC(hb_silent_ms, "A peer silent this long is reported, its link kept (default 5000, 0 = never)");

unsigned int pcv_diag_kb = 4096;
module_param_named(diag_kb, pcv_diag_kb, uint, 0444);
MODULE_PARM_DESC(diag_kb, "Diagnostic area peers may write, KiB (default 4096, 0 = none)");

unsigned int pcv_pio_max = 262144;
module_param_named(pio_max, pcv_pio_max, uint, 0444);
MODULE_PARM_DESC(pio_max, "RDMA transfers up to this many bytes by CPU copy, larger by the DMA engine (default 262144)");

unsigned int pcv_inline_max = 2048;
module_param_named(inline_max, pcv_inline_max, uint, 0444);
MODULE_PARM_DESC(inline_max, "SENDs up to this many bytes travel inline in the peer's ring, larger are pulled (default 2048)");

unsigned int pcv_ring_order = 6;
module_param_named(ring_order, pcv_ring_order, uint, 0444);
MODULE_PARM_DESC(ring_order, "log2 of 256-byte slots in each QP's inbound ring (default 6: 16 KiB)");

unsigned int pcv_fast_max = 2048;
module_param_named(fast_max, pcv_fast_max, uint, 0644);
MODULE_PARM_DESC(fast_max, "Largest SEND a process writes itself on the fast path, bytes (default 2048, 0 = no fast path)");

unsigned int pcv_busy_poll_us = 50;
module_param_named(busy_poll_us, pcv_busy_poll_us, uint, 0644);
MODULE_PARM_DESC(busy_poll_us, "How long a process's empty CQ poll looks again in the kernel, us (default 50, 0 = never)");

unsigned int pcv_dgram_order = 10;
module_param_named(dgram_order, pcv_dgram_order, uint, 0444);
MODULE_PARM_DESC(dgram_order, "log2 of 256-byte slots in each blade pair's datagram ring (default 10: 256 KiB)");

static int __init pcv_init(void)
{
	int err;

	if (pcv_hb_interval_ms < 10 || pcv_hb_interval_ms > 10000 ||
	    pcv_hb_timeout_ms < 2 * pcv_hb_interval_ms || pcv_hb_silent_ms >= pcv_hb_timeout_ms ||
	    pcv_diag_kb > 4096) {
		pr_err("%s: bad parameters: need 10 <= hb_interval_ms <= 10000, hb_timeout_ms >= 2 * hb_interval_ms, hb_silent_ms < hb_timeout_ms, diag_kb <= 4096\n",
		       PCV_DRV_NAME);
		return -EINVAL;
	}
	if (pcv_pio_max < PCV_MAX_INLINE || pcv_inline_max > pcv_msg_capacity(PCV_MSG_MAX_SLOTS) ||
	    pcv_ring_order < PCV_MSGRING_MIN_ORDER || pcv_ring_order > PCV_MSGRING_MAX_ORDER ||
	    pcv_dgram_order < PCV_MSGRING_MIN_ORDER || pcv_dgram_order > PCV_MSGRING_MAX_ORDER) {
		pr_err("%s: bad parameters: need pio_max >= %u, inline_max <= %u, %u <= ring_order, dgram_order <= %u\n",
		       PCV_DRV_NAME, PCV_MAX_INLINE, pcv_msg_capacity(PCV_MSG_MAX_SLOTS),
		       PCV_MSGRING_MIN_ORDER, PCV_MSGRING_MAX_ORDER);
		return -EINVAL;
	}
	pcv_debugfs_init();
	err = pcv_chassis_init();
	if (err)
		goto err_debugfs;
	return 0;

err_debugfs:
	pcv_debugfs_exit();
	return err;
}

static void __exit pcv_exit(void)
{
	pcv_chassis_exit();
	pcv_debugfs_exit();
}

module_init(pcv_init);
module_exit(pcv_exit);

MODULE_AUTHOR("pcieverbs developers");
MODULE_DESCRIPTION("InfiniBand verbs over PCIe between blades");
MODULE_LICENSE("Dual BSD/GPL");
