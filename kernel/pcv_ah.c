// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pcieverbs address handles.
 *
 * An AH is decoded once, at create time, into a struct pcv_av: which blade
 * a unicast destination is (its LID is blade + 1, its GID the blade's
 * port GID) or that it names a multicast group (a multicast GID or LID).
 * The AV lives in dev->ah_xa under a small integer handle, which is what a
 * UD send WQE carries: user processes write WQEs themselves, so the kernel
 * must be able to check a handle it finds there (exists, same PD as the QP)
 * without trusting a pointer.  AVs are freed after an RCU grace period so a
 * send looking one up never races with destroy_ah.
 */
#include <linux/slab.h>
#include <asm/unaligned.h>
#include <rdma/uverbs_ioctl.h>
#include "pcv.h"

#define PCV_LINK_LOCAL_PREFIX	0xfe80000000000000ULL
#define PCV_MLID_MIN		0xc000
#define PCV_LID_PERMISSIVE	0xffff

/* The blade whose port GID this is, or -EINVAL. */
int pcv_gid_blade(struct pcv_dev *dev, const u8 *gid)
{
	u64 prefix = get_unaligned_be64(gid);
	u64 id = get_unaligned_be64(gid + 8);

	if (prefix != PCV_LINK_LOCAL_PREFIX || (id & ~0xffULL) != PCV_GUID_PREFIX ||
	    (id & 0xff) >= dev->info.nr_blades)
		return -EINVAL;
	return id & 0xff;
}

/* Decode and check an address vector. */
static int pcv_av_from_attr(struct pcv_dev *dev, const struct rdma_ah_attr *a, u32 pdn,
			    struct pcv_av *av)
{
	u16 dlid = rdma_ah_get_dlid(a);
	int blade;

	memset(av, 0, sizeof(*av));
	if (a->type != RDMA_AH_ATTR_TYPE_IB || rdma_ah_get_port_num(a) != PCV_PORT ||
	    dlid == PCV_LID_PERMISSIVE)
		return -EINVAL;
	av->pdn = pdn;
	av->dlid = dlid;
	av->sl = rdma_ah_get_sl(a);
	if (rdma_ah_get_ah_flags(a) & IB_AH_GRH) {
		const struct ib_global_route *grh = rdma_ah_read_grh(a);

		if (grh->sgid_index != 0)
			return -EINVAL;
		av->grh = true;
		memcpy(av->dgid, grh->dgid.raw, sizeof(av->dgid));
		av->flow_label = grh->flow_label & 0xfffff;
		av->traffic_class = grh->traffic_class;
		av->hop_limit = grh->hop_limit;
		if (grh->dgid.raw[0] == 0xff) {	/* IPv6-style multicast GID */
			/* A multicast GID with a unicast LID is contradictory. */
			if (dlid && dlid < PCV_MLID_MIN)
				return -EINVAL;
			av->mcast = true;
			return 0;
		}
		blade = pcv_gid_blade(dev, av->dgid);
		if (blade < 0 || (dlid && dlid != blade + 1))
			return -EINVAL;
		av->blade = blade;
		av->dlid = blade + 1;
		return 0;
	}
	if (dlid >= PCV_MLID_MIN) {
		av->mcast = true;
		return 0;
	}
	if (!dlid || dlid > dev->info.nr_blades)
		return -EINVAL;
	av->blade = dlid - 1;
	return 0;
}

/* A stable copy of the AV behind handle (any context): -ENOENT if none. */
int pcv_av_get(struct pcv_dev *dev, u32 handle, struct pcv_av *av)
{
	struct pcv_av *e;
	int err = -ENOENT;

	rcu_read_lock();
	e = handle ? xa_load(&dev->ah_xa, handle) : NULL;
	if (e) {
		memcpy(av, e, offsetof(struct pcv_av, rcu));
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/*
 * Kernel consumers (the MAD layer, IPoIB) create AHs in atomic context
 * unless they say RDMA_CREATE_AH_SLEEPABLE.
 */
int pcv_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init, struct ib_udata *udata)
{
	struct pcv_dev *dev = to_pcv_dev(ibah->device);
	struct pcv_ah *ah = to_pcv_ah(ibah);
	gfp_t gfp = (init->flags & RDMA_CREATE_AH_SLEEPABLE) ? GFP_KERNEL : GFP_ATOMIC;
	struct pcv_ibv_create_ah_resp resp = {};
	struct pcv_av *av;
	u32 handle;
	int err;

	if (udata) {
		/* No request data is defined: anything sent must be zero. */
		if (udata->inlen && !ib_is_udata_cleared(udata, 0, udata->inlen))
			return -EOPNOTSUPP;
		if (udata->outlen < sizeof(resp))
			return -EINVAL;
	}
	av = kzalloc(sizeof(*av), gfp);
	if (!av)
		return -ENOMEM;
	err = pcv_av_from_attr(dev, init->ah_attr, to_pcv_pd(ibah->pd)->pdn, av);
	if (err)
		goto err_free_av;
	err = xa_alloc(&dev->ah_xa, &handle, av, XA_LIMIT(1, PCV_MAX_AH - 1), gfp);
	if (err)
		goto err_free_av;
	ah->handle = handle;
	ah->attr = *init->ah_attr;
	/* The core holds (and drops) the reference on the source GID entry. */
	ah->attr.grh.sgid_attr = NULL;
	if (udata) {
		resp.ah = handle;
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			goto err_erase;
	}
	return 0;

err_erase:
	xa_erase(&dev->ah_xa, handle);
err_free_av:
	kfree(av);
	return err;
}

int pcv_destroy_ah(struct ib_ah *ibah, u32 flags)
{
	struct pcv_dev *dev = to_pcv_dev(ibah->device);
	struct pcv_av *av = xa_erase(&dev->ah_xa, to_pcv_ah(ibah)->handle);

	/* A send may be reading it under rcu_read_lock. */
	if (av)
		kfree_rcu(av, rcu);
	return 0;
}

int pcv_query_ah(struct ib_ah *ibah, struct rdma_ah_attr *attr)
{
	*attr = to_pcv_ah(ibah)->attr;
	return 0;
}
