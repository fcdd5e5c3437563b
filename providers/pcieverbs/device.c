// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: registration with libibverbs, device matching and the
 * device object.
 *
 * How libibverbs (v44, init.c) picks a provider for a uverbs device, and
 * what that means for us:
 *   1. Providers whose match table has a VERBS_MATCH_DRIVER_ID entry equal
 *      to the device's driver_id (netlink only) are tried first.  Our kernel
 *      driver is out of tree and keeps RDMA_DRIVER_UNKNOWN (0), which never
 *      matches by id, so we cannot use that path.
 *   2. Then every provider in registration order: its table is matched
 *      against the string "rdma_device:N<ibdev name>" (fnmatch), then
 *      against <ibdev>/device/modalias; then, if the provider has a
 *      match_device() callback, that callback has the final word; then the
 *      device's uverbs ABI version must lie in [match_min_abi_version,
 *      match_max_abi_version], otherwise libibverbs prints a warning and
 *      moves on.
 * We match on the device name ("pciev0", "pciev1", ...): the kernel names
 * its ib_device "pciev%d".  The PCI id behind device/modalias does not
 * identify us: the emulated chassis is QEMU's generic ivshmem (1af4:1110,
 * used by anything that shares memory with QEMU) and real NTB or endpoint
 * backends each have their own ids, so the name is the one stable mark.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

/* fnmatch() pattern against "rdma_device:N<name>".  The glob is looser than
 * a prefix ("*N" would also accept "rdma_device:NfooNpciev0"), so
 * pcv_match_device() below re-checks the real prefix.
 */
static const struct pcv_verbs_match_ent pcv_match_table[] = {
	{
		.u.modalias = "rdma_device:*N" PCV_IBDEV_PREFIX "*",
		.kind = PCV_VERBS_MATCH_MODALIAS,
	},
	{ .kind = PCV_VERBS_MATCH_SENTINEL },
};

/*
 * Called by libibverbs for every candidate device after the table match
 * (sysfs_dev->match is our table entry or NULL).  We accept only devices
 * the table matched *and* whose name really starts with the prefix, so a
 * device that merely contains "Npciev" somewhere is left for others.
 */
static bool pcv_match_device(struct pcv_verbs_sysfs_dev *sysfs_dev)
{
	if (!sysfs_dev->match)
		return false;

	return strncmp(sysfs_dev->ibdev_name, PCV_IBDEV_PREFIX,
		       strlen(PCV_IBDEV_PREFIX)) == 0;
}

/*
 * libibverbs fills the ibv_device part (names, paths, node/transport type),
 * ops, refcount and sysfs after we return; the sysfs_dev stays owned by
 * libibverbs (it frees it before calling uninit_device), so copy what we
 * want to keep.
 */
static struct pcv_verbs_device *
pcv_alloc_device(struct pcv_verbs_sysfs_dev *sysfs_dev)
{
	struct pcv_device *dev;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;

	dev->uverbs_abi_ver = sysfs_dev->abi_ver;
	return &dev->vdev;
}

static void pcv_uninit_device(struct pcv_verbs_device *vdev)
{
	free(pcv_container_of(vdev, struct pcv_device, vdev));
}

/*
 * Every op the provider implements; NULL entries keep libibverbs' dummy
 * op (EOPNOTSUPP).  Deliberately NULL for now: create_cq_ex, create_qp_ex
 * and create_srq_ex (the ibv_wr_* / ibv_cq_ex interfaces; ibv_create_qp_ex
 * with only IBV_QP_INIT_ATTR_PD still lands in create_qp), rereg_mr,
 * alloc_mw/bind_mw, modify_cq, cq_event (nothing to count).
 */
const struct pcv_verbs_context_ops pcv_ctx_ops = {
	/* context.c */
	.free_context = pcv_free_context,
	/* verbs.c */
	.query_device_ex = pcv_query_device_ex,
	.query_port = pcv_query_port,
	.alloc_pd = pcv_alloc_pd,
	.dealloc_pd = pcv_dealloc_pd,
	/* cq.c */
	.create_cq = pcv_create_cq,
	.destroy_cq = pcv_destroy_cq,
	.resize_cq = pcv_resize_cq,
	.poll_cq = pcv_poll_cq,
	.req_notify_cq = pcv_req_notify_cq,
	/* qp.c */
	.create_qp = pcv_create_qp,
	.modify_qp = pcv_modify_qp,
	.query_qp = pcv_query_qp,
	.destroy_qp = pcv_destroy_qp,
	.post_send = pcv_post_send,
	.post_recv = pcv_post_recv,
	/* srq.c */
	.create_srq = pcv_create_srq,
	.modify_srq = pcv_modify_srq,
	.query_srq = pcv_query_srq,
	.destroy_srq = pcv_destroy_srq,
	.post_srq_recv = pcv_post_srq_recv,
	/* mr.c */
	.reg_mr = pcv_reg_mr,
	.dereg_mr = pcv_dereg_mr,
	/* ah.c */
	.create_ah = pcv_create_ah,
	.destroy_ah = pcv_destroy_ah,
	.attach_mcast = pcv_attach_mcast,
	.detach_mcast = pcv_detach_mcast,
};

static const struct pcv_verbs_device_ops pcv_dev_ops = {
	.name = PCV_PROVIDER_NAME,
	/* The kernel's ib_device_ops.uverbs_abi_ver must lie in this range;
	 * bump MAX when the provider learns a new kernel ABI, MIN when it
	 * drops an old one.  Exactly 2: ABI 1 kernels have 128-byte receive
	 * WQEs (7 SGEs) and no create_ah response, and nothing in a create
	 * response says which stride a ring has, so speaking both would mean
	 * keying the RQ layout on the version.  pcieverbs.ko and this
	 * provider are built from the same tree: an ABI 1 kernel is refused
	 * (libibverbs prints "does not support the kernel ABI of 1").
	 */
	.match_min_abi_version = PCV_UVERBS_ABI_VERSION,
	.match_max_abi_version = PCV_UVERBS_ABI_VERSION,
	.match_table = pcv_match_table,
	.match_device = pcv_match_device,
	.alloc_device = pcv_alloc_device,
	.uninit_device = pcv_uninit_device,
	.alloc_context = pcv_alloc_context,
};

/*
 * libibverbs dlopen()s the provider (from /etc/libibverbs.d or
 * RDMAV_DRIVERS) and expects it to register itself from a constructor.
 * The version script exports nothing; the constructor runs from
 * .init_array regardless.
 */
static void __attribute__((constructor)) pcv_register_driver(void)
{
	verbs_register_driver_34(&pcv_dev_ops);
}
