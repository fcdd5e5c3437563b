// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs debugfs: /sys/kernel/debug/pcieverbs/<ibdev>/
 *   info       who we are and where our shared memory is
 *   peers      per-peer link state
 *   counters   the port counters, one per line
 *   test       write a diagnostic command (pcv_diag.c), read its result
 *   diag_crc   CRC32 of our diagnostic area (what peers wrote into it)
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include "pcv.h"

static struct dentry *pcv_debugfs_root;

static int pcv_info_show(struct seq_file *s, void *unused)
{
	struct pcv_dev *dev = s->private;

	seq_printf(s, "device %s\nbackend %s\nblade %u\nblades %u\nlid %u\nguid %016llx\n",
		   dev_name(&dev->ibdev.dev), dev->ops->name, dev->info.blade_id,
		   dev->info.nr_blades, pcv_lid(dev), dev->guid);
	seq_printf(s, "epoch %08x\nwire_version %u.%u\nhw_version %u.%u\nfabric_id %08x\n",
		   dev->epoch, PCV_WIRE_VERSION_MAJOR, PCV_WIRE_VERSION_MINOR,
		   dev->info.hw_version >> 16, dev->info.hw_version & 0xffff, dev->info.fabric_id);
	seq_printf(s, "region %#llx+%#x\ndiag %#llx+%#zx\n", dev->region_addr, PCV_REGION_SIZE,
		   dev->diag ? dev->diag_addr : 0, dev->diag ? dev->diag_size : 0);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcv_info);

static int pcv_peers_show(struct seq_file *s, void *unused)
{
	struct pcv_dev *dev = s->private;
	u32 i;

	seq_puts(s, "peer state     reason             epoch    version ups downs fails hb_out\n");
	mutex_lock(&dev->link_lock);
	for (i = 0; i < dev->info.nr_blades; i++) {
		struct pcv_peer *p = &dev->peers[i];
		struct pcv_link *l = &p->link;

		if (i == dev->info.blade_id)
			continue;
		if (!p->win) {
			seq_printf(s, "%-4u %-9s %-18s\n", i, "nowindow", "-");
			continue;
		}
		seq_printf(s, "%-4u %-9s %-18s %08x %3u.%-3u %3llu %5llu %5llu %u\n", i,
			   pcv_link_state_name(l->state),
			   l->state != PCV_LINK_UP ? pcv_link_reason_name(l->reason) :
			   l->silent ? "silent" : "-",
			   l->peer_epoch, PCV_WIRE_MAJOR(l->peer_version),
			   PCV_WIRE_MINOR(l->peer_version), l->up_events, l->down_events,
			   l->fail_events, p->hb_out);
	}
	mutex_unlock(&dev->link_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcv_peers);

static int pcv_counters_show(struct seq_file *s, void *unused)
{
	struct pcv_dev *dev = s->private;
	struct rdma_hw_stats *st;
	int i;

	st = pcv_alloc_hw_port_stats(&dev->ibdev, PCV_PORT);
	if (!st)
		return -ENOMEM;
	pcv_get_hw_stats(&dev->ibdev, st, PCV_PORT, PCV_NR_COUNTERS);
	for (i = 0; i < PCV_NR_COUNTERS; i++)
		seq_printf(s, "%s %llu\n", st->descs[i].name, st->value[i]);
	rdma_free_hw_stats_struct(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcv_counters);

static int pcv_diag_crc_show(struct seq_file *s, void *unused)
{
	struct pcv_dev *dev = s->private;

	seq_printf(s, "0x%08x\n", pcv_diag_checksum(dev));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pcv_diag_crc);

static ssize_t pcv_test_write(struct file *f, const char __user *ubuf, size_t len,
			      loff_t *ppos)
{
	struct pcv_dev *dev = f->private_data;
	char cmd[128];
	int err;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	err = pcv_diag_run(dev, cmd);
	return err ? err : len;
}

static ssize_t pcv_test_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct pcv_dev *dev = f->private_data;
	char out[sizeof(dev->diag_result)];

	mutex_lock(&dev->diag_lock);
	strscpy(out, dev->diag_result, sizeof(out));
	mutex_unlock(&dev->diag_lock);
	return simple_read_from_buffer(ubuf, len, ppos, out, strlen(out));
}

static const struct file_operations pcv_test_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = pcv_test_read,
	.write = pcv_test_write,
	.llseek = default_llseek,
};

void pcv_debugfs_add(struct pcv_dev *dev)
{
	struct dentry *d;

	if (!pcv_debugfs_root)
		return;
	d = debugfs_create_dir(dev_name(&dev->ibdev.dev), pcv_debugfs_root);
	dev->debugfs = d;
	debugfs_create_file("info", 0400, d, dev, &pcv_info_fops);
	debugfs_create_file("peers", 0400, d, dev, &pcv_peers_fops);
	debugfs_create_file("counters", 0400, d, dev, &pcv_counters_fops);
	debugfs_create_file("diag_crc", 0400, d, dev, &pcv_diag_crc_fops);
	debugfs_create_file("test", 0600, d, dev, &pcv_test_fops);
}

void pcv_debugfs_remove(struct pcv_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}

void pcv_debugfs_init(void)
{
	pcv_debugfs_root = debugfs_create_dir(PCV_DRV_NAME, NULL);
}

void pcv_debugfs_exit(void)
{
	debugfs_remove_recursive(pcv_debugfs_root);
	pcv_debugfs_root = NULL;
}
