// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs device, port and protection-domain verbs, and the ops table.
 */
#include <linux/module.h>
#include <rdma/ib_mad.h>
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

#define PCV_FW_MAJOR		0
#define PCV_FW_MINOR		1
#define PCV_FW_SUBMINOR		0
#define PCV_MAX_PD		0x10000

/*
 * A command's optional driver request: none (all zero), or the struct with
 * anything beyond it zero (a newer provider's fields this kernel does not
 * know are refused).  0 or a negative errno.
 */
int pcv_udata_req(struct ib_udata *udata, void *req, size_t size)
{
	memset(req, 0, size);
	if (!udata || !udata->inlen)
		return 0;
	if (udata->inlen < size)
		return -EINVAL;
	if (udata->inlen > size && !ib_is_udata_cleared(udata, size, udata->inlen - size))
		return -EOPNOTSUPP;
	return ib_copy_from_udata(req, udata, size);
}

static int pcv_query_device(struct ib_device *ibdev, struct ib_device_attr *attr,
			    struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);

	/* No driver data is defined for this verb: refuse any. */
	if (udata->inlen || udata->outlen)
		return -EINVAL;

	memset(attr, 0, sizeof(*attr));
	attr->fw_ver = (u64)PCV_FW_MAJOR << 32 | PCV_FW_MINOR << 16 | PCV_FW_SUBMINOR;
	attr->sys_image_guid = cpu_to_be64(dev->guid);
	attr->max_mr_size = U64_MAX;
	attr->page_size_cap = PAGE_SIZE;
	attr->vendor_id = PCV_VENDOR_ID;
	attr->vendor_part_id = PCV_VENDOR_PART_ID;
	attr->hw_ver = dev->info.hw_version;
	attr->max_pd = PCV_MAX_PD - 1;
	attr->max_pkeys = 1;
	attr->max_qp = PCV_MAX_QP - 2;
	attr->max_qp_wr = PCV_MAX_QP_WR;
	attr->device_cap_flags = IB_DEVICE_RC_RNR_NAK_GEN | IB_DEVICE_SYS_IMAGE_GUID;
	attr->max_send_sge = PCV_MAX_SEND_SGE;
	attr->max_recv_sge = PCV_MAX_RECV_SGE;
	attr->max_sge_rd = PCV_MAX_SEND_SGE;
	attr->max_cq = PCV_MAX_CQ;
	attr->max_cqe = PCV_MAX_CQE;
	attr->max_mr = PCV_MAX_MR - 1;
	attr->max_qp_rd_atom = PCV_MAX_RD_ATOMIC;
	attr->max_qp_init_rd_atom = PCV_MAX_RD_ATOMIC;
	attr->max_res_rd_atom = PCV_MAX_RD_ATOMIC * (PCV_MAX_QP - 2);
	attr->max_srq = PCV_MAX_SRQ;
	attr->max_srq_wr = PCV_MAX_SRQ_WR;
	attr->max_srq_sge = PCV_MAX_RECV_SGE;
	attr->local_ca_ack_delay = 15;
	/*
	 * Every atomic goes through the agent DMA engine, which serialises them:
	 * atomic with respect to each other, not to CPU accesses (IBV_ATOMIC_HCA).
	 */
	attr->atomic_cap = IB_ATOMIC_HCA;
	attr->masked_atomic_cap = IB_ATOMIC_NONE;
	attr->max_ah = PCV_MAX_AH - 1;
	attr->max_mcast_grp = PCV_MAX_MCAST_GRP;
	attr->max_mcast_qp_attach = PCV_MAX_MCAST_QP_ATTACH;
	attr->max_total_mcast_qp_attach = PCV_MAX_MCAST_GRP * PCV_MAX_MCAST_QP_ATTACH;
	return 0;
}

static void pcv_get_dev_fw_str(struct ib_device *ibdev, char *str)
{
	snprintf(str, IB_FW_VERSION_NAME_MAX, "%u.%u.%u", PCV_FW_MAJOR, PCV_FW_MINOR,
		 PCV_FW_SUBMINOR);
}

static int pcv_query_port(struct ib_device *ibdev, u32 port, struct ib_port_attr *attr)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);

	/* The core zeroes attr and checks port against phys_port_cnt. */
	if (READ_ONCE(dev->port_active)) {
		attr->state = IB_PORT_ACTIVE;
		attr->phys_state = IB_PORT_PHYS_STATE_LINK_UP;
	} else {
		/* No blade reachable (pcv_port_update): a port without a link. */
		attr->state = IB_PORT_DOWN;
		attr->phys_state = IB_PORT_PHYS_STATE_POLLING;
	}
	attr->max_mtu = IB_MTU_4096;
	attr->active_mtu = IB_MTU_4096;
	attr->gid_tbl_len = 1;
	attr->port_cap_flags = READ_ONCE(dev->port_cap_flags);
	attr->max_msg_sz = PCV_MAX_MSG_SZ;
	attr->pkey_tbl_len = 1;
	attr->lid = pcv_lid(dev);
	/* No subnet manager: each blade is its own SA (docs/design.md). */
	attr->sm_lid = pcv_lid(dev);
	attr->lmc = 0;
	attr->max_vl_num = 1;
	attr->sm_sl = 0;
	attr->subnet_timeout = 0;
	attr->init_type_reply = 0;
	attr->active_width = IB_WIDTH_4X;
	attr->active_speed = IB_SPEED_QDR;
	return 0;
}

static int pcv_modify_port(struct ib_device *ibdev, u32 port, int mask,
			   struct ib_port_modify *props)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);

	if (mask & ~(IB_PORT_RESET_QKEY_CNTR))
		return -EOPNOTSUPP;
	spin_lock(&dev->port_lock);
	dev->port_cap_flags = (dev->port_cap_flags | props->set_port_cap_mask) &
			      ~props->clr_port_cap_mask;
	spin_unlock(&dev->port_lock);
	return 0;
}

static enum rdma_link_layer pcv_get_link_layer(struct ib_device *ibdev, u32 port)
{
	return IB_LINK_LAYER_INFINIBAND;
}

static int pcv_get_port_immutable(struct ib_device *ibdev, u32 port,
				  struct ib_port_immutable *immutable)
{
	struct ib_port_attr attr;
	int err;

	err = ib_query_port(ibdev, port, &attr);
	if (err)
		return err;
	immutable->pkey_tbl_len = attr.pkey_tbl_len;
	immutable->gid_tbl_len = attr.gid_tbl_len;
	/*
	 * InfiniBand without an SMI (no QP0: there is no subnet manager to talk
	 * to): GSI MADs, the CM, and SA queries, which we answer ourselves.
	 */
	immutable->core_cap_flags = RDMA_CORE_CAP_PROT_IB | RDMA_CORE_CAP_IB_MAD |
				    RDMA_CORE_CAP_IB_CM | RDMA_CORE_CAP_IB_SA;
	immutable->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

static int pcv_query_gid(struct ib_device *ibdev, u32 port, int index, union ib_gid *gid)
{
	struct pcv_dev *dev = to_pcv_dev(ibdev);

	if (index != 0)
		return -EINVAL;
	/* GID0 = link-local prefix fe80::/64 + port GUID. */
	pcv_blade_gid(gid, dev->info.blade_id);
	return 0;
}

static int pcv_query_pkey(struct ib_device *ibdev, u32 port, u16 index, u16 *pkey)
{
	if (index != 0)
		return -EINVAL;
	*pkey = 0xffff;		/* default partition, full member */
	return 0;
}

/*
 * The provider/kernel handshake (include/rdma/pcieverbs-abi.h): a request we
 * don't fully understand is refused, a short response buffer too.
 */
static int pcv_alloc_ucontext(struct ib_ucontext *uctx, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(uctx->device);
	struct pcv_ibv_alloc_ucontext_resp resp = {};
	struct pcv_ibv_alloc_ucontext_req req = {};
	int err;

	if (udata->inlen < sizeof(req)) {
		ibdev_dbg(&dev->ibdev, "alloc_ucontext: request of %zu bytes, need %zu\n",
			  udata->inlen, sizeof(req));
		return -EINVAL;
	}
	if (udata->inlen > sizeof(req) &&
	    !ib_is_udata_cleared(udata, sizeof(req), udata->inlen - sizeof(req)))
		return -EOPNOTSUPP;
	err = ib_copy_from_udata(&req, udata, sizeof(req));
	if (err)
		return err;
	if (req.comp_mask || req.reserved)
		return -EOPNOTSUPP;
	if (udata->outlen < offsetofend(struct pcv_ibv_alloc_ucontext_resp, reserved))
		return -EINVAL;

	resp.blade_id = dev->info.blade_id;
	resp.nr_blades = dev->info.nr_blades;
	resp.wire_version = PCV_WIRE_VERSION;
	resp.caps = PCV_UCTX_CAP_LOOPBACK | PCV_UCTX_CAP_UD | PCV_UCTX_CAP_FAST |
		    PCV_UCTX_CAP_FAST_SRQ;
	return ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
}

static void pcv_dealloc_ucontext(struct ib_ucontext *uctx)
{
}

static int pcv_alloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibpd->device);
	struct pcv_pd *pd = to_pcv_pd(ibpd);
	struct pcv_ibv_alloc_pd_resp resp = {};
	int id, err;

	if (udata && udata->inlen && !ib_is_udata_cleared(udata, 0, udata->inlen))
		return -EOPNOTSUPP;
	id = ida_alloc_range(&dev->pd_ida, 1, PCV_MAX_PD - 1, GFP_KERNEL);
	if (id < 0)
		return id;
	pd->pdn = id;
	if (udata && udata->outlen) {
		resp.pdn = pd->pdn;
		err = ib_copy_to_udata(udata, &resp, min(sizeof(resp), udata->outlen));
		if (err) {
			ida_free(&dev->pd_ida, id);
			return err;
		}
	}
	return 0;
}

static int pcv_dealloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibpd->device);

	ida_free(&dev->pd_ida, to_pcv_pd(ibpd)->pdn);
	return 0;
}

const struct ib_device_ops pcv_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_UNKNOWN,
	.uverbs_abi_ver = PCV_UVERBS_ABI_VERSION,

	.alloc_hw_port_stats = pcv_alloc_hw_port_stats,
	.alloc_pd = pcv_alloc_pd,
	.alloc_ucontext = pcv_alloc_ucontext,
	.attach_mcast = pcv_attach_mcast,
	.create_ah = pcv_create_ah,
	.create_cq = pcv_create_cq,
	.create_qp = pcv_create_qp,
	.create_srq = pcv_create_srq,
	.create_user_ah = pcv_create_ah,
	.dealloc_pd = pcv_dealloc_pd,
	.dealloc_ucontext = pcv_dealloc_ucontext,
	.dereg_mr = pcv_dereg_mr,
	.destroy_ah = pcv_destroy_ah,
	.destroy_cq = pcv_destroy_cq,
	.destroy_qp = pcv_destroy_qp,
	.destroy_srq = pcv_destroy_srq,
	.detach_mcast = pcv_detach_mcast,
	.get_dev_fw_str = pcv_get_dev_fw_str,
	.get_dma_mr = pcv_get_dma_mr,
	.get_hw_stats = pcv_get_hw_stats,
	.get_link_layer = pcv_get_link_layer,
	.get_port_immutable = pcv_get_port_immutable,
	.mmap = pcv_mmap,
	.mmap_free = pcv_mmap_free,
	.modify_port = pcv_modify_port,
	.modify_qp = pcv_modify_qp,
	.modify_srq = pcv_modify_srq,
	.poll_cq = pcv_poll_cq,
	.post_recv = pcv_post_recv,
	.post_send = pcv_post_send,
	.post_srq_recv = pcv_post_srq_recv,
	.process_mad = pcv_process_mad,
	.query_ah = pcv_query_ah,
	.query_device = pcv_query_device,
	.query_gid = pcv_query_gid,
	.query_pkey = pcv_query_pkey,
	.query_port = pcv_query_port,
	.query_qp = pcv_query_qp,
	.query_srq = pcv_query_srq,
	.reg_user_mr = pcv_reg_user_mr,
	.req_notify_cq = pcv_req_notify_cq,
	.resize_cq = pcv_resize_cq,

	INIT_RDMA_OBJ_SIZE(ib_ah, pcv_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_cq, pcv_cq, ibcq),
	INIT_RDMA_OBJ_SIZE(ib_pd, pcv_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_qp, pcv_qp, ibqp),
	INIT_RDMA_OBJ_SIZE(ib_srq, pcv_srq, ibsrq),
	INIT_RDMA_OBJ_SIZE(ib_ucontext, pcv_ucontext, ibucontext),
};

/* Identity the core reads at registration. */
void pcv_verbs_init_ibdev(struct pcv_dev *dev)
{
	struct ib_device *ibdev = &dev->ibdev;

	ibdev->node_type = RDMA_NODE_IB_CA;
	ibdev->node_guid = cpu_to_be64(dev->guid);
	ibdev->phys_port_cnt = 1;
	ibdev->num_comp_vectors = 1;
	snprintf(ibdev->node_desc, sizeof(ibdev->node_desc), "pcieverbs blade %u",
		 dev->info.blade_id);
	spin_lock_init(&dev->port_lock);
	/* The provider uses these system calls (its doorbell and poll kick). */
	ibdev->uverbs_cmd_mask |= BIT_ULL(IB_USER_VERBS_CMD_POST_SEND) |
				  BIT_ULL(IB_USER_VERBS_CMD_POST_RECV) |
				  BIT_ULL(IB_USER_VERBS_CMD_POST_SRQ_RECV) |
				  BIT_ULL(IB_USER_VERBS_CMD_POLL_CQ) |
				  BIT_ULL(IB_USER_VERBS_CMD_REQ_NOTIFY_CQ);
	ib_set_device_ops(ibdev, &pcv_dev_ops);
}
