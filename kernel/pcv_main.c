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

unsigned int pcv_hb_timeout_ms = 2000;
module_param_named(hb_timeout_ms, pcv_hb_timeout_ms, uint, 0444);
MODULE_PARM_DESC(hb_timeout_ms, "A link whose peer is silent this long goes down (default 2000)");

unsigned int pcv_diag_kb = 4096;
module_param_named(diag_kb, pcv_diag_kb, uint, 0444);
MODULE_PARM_DESC(diag_kb, "Diagnostic area peers may write, KiB (default 4096, 0 = none)");

static int __init pcv_init(void)
{
	int err;

	if (pcv_hb_interval_ms < 10 || pcv_hb_interval_ms > 10000 ||
	    pcv_hb_timeout_ms < 2 * pcv_hb_interval_ms || pcv_diag_kb > 4096) {
		pr_err("%s: bad parameters: need 10 <= hb_interval_ms <= 10000, hb_timeout_ms >= 2 * hb_interval_ms, diag_kb <= 4096\n",
		       PCV_DRV_NAME);
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
