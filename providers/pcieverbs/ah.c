// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address handles and multicast attachment (UD).
 *
 * An AH lives in the kernel: the kernel decodes and checks the address
 * vector once and hands back a small handle, which is what our UD send
 * WQEs carry (the kernel looks it up and checks it belongs to the QP's PD
 * on every send).  Multicast attachment is a plain uverbs command.
 */
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>

#include "pcieverbs.h"

struct pcv_create_ah_resp {
	struct ib_uverbs_create_ah_resp ibv_resp;
	struct pcv_ibv_create_ah_resp drv;
};

_Static_assert(offsetof(struct pcv_create_ah_resp, drv) ==
	       sizeof(struct ib_uverbs_create_ah_resp),
	       "create_ah driver response must follow the core response");

struct ibv_ah *pcv_create_ah(struct ibv_pd *pd, struct ibv_ah_attr *attr)
{
	struct pcv_create_ah_resp resp = {};
	struct pcv_ah *ah;
	int ret;

	if (!(to_pcv_ctx(pd->context)->caps & PCV_UCTX_CAP_UD)) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	ah = calloc(1, sizeof(*ah));
	if (!ah) {
		errno = ENOMEM;
		return NULL;
	}
	ret = ibv_cmd_create_ah(pd, &ah->ibv_ah, attr, &resp.ibv_resp, sizeof(resp));
	if (ret) {
		free(ah);
		errno = ret;
		return NULL;
	}
	/* A handle of 0 or unknown response bits: a kernel we do not understand. */
	if (!resp.drv.ah || resp.drv.comp_mask) {
		ibv_cmd_destroy_ah(&ah->ibv_ah);
		free(ah);
		errno = EPROTO;
		return NULL;
	}
	ah->handle = resp.drv.ah;
	return &ah->ibv_ah;
}

int pcv_destroy_ah(struct ibv_ah *ibah)
{
	int ret = ibv_cmd_destroy_ah(ibah);

	if (ret)
		return ret;
	free(to_pcv_ah(ibah));
	return 0;
}

int pcv_attach_mcast(struct ibv_qp *qp, const union ibv_gid *gid, uint16_t lid)
{
	return ibv_cmd_attach_mcast(qp, gid, lid);
}

int pcv_detach_mcast(struct ibv_qp *qp, const union ibv_gid *gid, uint16_t lid)
{
	return ibv_cmd_detach_mcast(qp, gid, lid);
}
