// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: device/port queries and protection domains.
 *
 * These are pure pass-throughs to the kernel: the answers (LID = blade id
 * + 1, GID, pkey, limits) are the kernel driver's, so that kernel users
 * (IPoIB, the SA/CM code) and user processes see the same device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

/* ALLOC_PD response: core (pd_handle) then our pcv_ibv_alloc_pd_resp.
 * The request carries no driver data.
 */
struct pcv_alloc_pd_cmd_resp {
	struct ib_uverbs_alloc_pd_resp ibv_resp;
	struct pcv_ibv_alloc_pd_resp drv;
};

_Static_assert(offsetof(struct pcv_alloc_pd_cmd_resp, drv) ==
	       sizeof(struct ib_uverbs_alloc_pd_resp),
	       "alloc_pd driver response must follow the core response");
_Static_assert(sizeof(struct pcv_alloc_pd_cmd_resp) ==
	       sizeof(struct ib_uverbs_alloc_pd_resp) +
	       sizeof(struct pcv_ibv_alloc_pd_resp),
	       "no tail padding in the alloc_pd response");
_Static_assert(sizeof(struct pcv_alloc_pd_cmd_resp) % 4 == 0,
	       "uverbs lengths are counted in 4-byte words");

/*
 * ibv_query_device() and ibv_query_device_ex() both land here (the former
 * with attr_size == sizeof(struct ibv_device_attr)).  The core helper
 * tries the extended command and falls back to the legacy one; it does
 * not format fw_ver, which the kernel reports as a u64.  We print it the
 * way the other providers do (major.minor.sub_minor from bits 63..32,
 * 31..16, 15..0), so the kernel driver should encode ib_device_attr.fw_ver
 * that way.
 */
int pcv_query_device_ex(struct ibv_context *ibctx,
			const struct ibv_query_device_ex_input *input,
			struct ibv_device_attr_ex *attr, size_t attr_size)
{
	struct ib_uverbs_ex_query_device_resp resp;
	size_t resp_size = sizeof(resp);
	uint64_t fw;
	int ret;

	ret = ibv_cmd_query_device_any(ibctx, input, attr, attr_size, &resp,
				       &resp_size);
	if (ret)
		return ret;

	fw = resp.base.fw_ver;
	snprintf(attr->orig_attr.fw_ver, sizeof(attr->orig_attr.fw_ver),
		 "%u.%u.%u", (unsigned int)((fw >> 32) & 0xffff),
		 (unsigned int)((fw >> 16) & 0xffff),
		 (unsigned int)(fw & 0xffff));
	return 0;
}

int pcv_query_port(struct ibv_context *ibctx, uint8_t port_num,
		   struct ibv_port_attr *port_attr)
{
	struct pcv_cmd_query_port cmd;

	memset(&cmd, 0, sizeof(cmd));
	return ibv_cmd_query_port(ibctx, port_num, port_attr, &cmd,
				  sizeof(cmd));
}

struct ibv_pd *pcv_alloc_pd(struct ibv_context *ibctx)
{
	struct pcv_cmd_alloc_pd cmd;
	struct pcv_alloc_pd_cmd_resp resp;
	struct pcv_pd *pd;
	int ret;

	pd = calloc(1, sizeof(*pd));
	if (!pd) {
		errno = ENOMEM;
		return NULL;
	}

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp, 0, sizeof(resp));
	ret = ibv_cmd_alloc_pd(ibctx, &pd->ibv_pd, &cmd, sizeof(cmd),
			       &resp.ibv_resp, sizeof(resp));
	if (ret) {
		free(pd);
		errno = ret;
		return NULL;
	}

	/* comp_mask announces no optional field yet; unknown bits are
	 * ignored.  pdn is kept for the later stages (MR and QP checks in the
	 * user-space fast path).
	 */
	pd->pdn = resp.drv.pdn;
	return &pd->ibv_pd;
}

int pcv_dealloc_pd(struct ibv_pd *ibpd)
{
	int ret;

	/* On failure the PD still exists in the kernel (e.g. EBUSY while MRs
	 * or QPs use it), so keep our object too.
	 */
	ret = ibv_cmd_dealloc_pd(ibpd);
	if (ret)
		return ret;

	free(to_pcv_pd(ibpd));
	return 0;
}
