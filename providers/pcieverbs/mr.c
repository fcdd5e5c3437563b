// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: memory regions.
 *
 * Registration is the kernel's business (it pins the pages and checks
 * access on every operation); pcieverbs defines no driver data for it.
 * libibverbs reads mr_type and access behind the ibv_mr we return, so it
 * lives in a verbs_mr (struct pcv_verbs_mr), which ibv_cmd_reg_mr fills.
 *
 * Access flags are passed through unchanged.  IBV_ACCESS_RELAXED_ORDERING
 * (perftest always asks for it) reaches the kernel only when the kernel
 * announces IB_UVERBS_CORE_SUPPORT_OPTIONAL_MR_ACCESS at GET_CONTEXT
 * (every ioctl-capable kernel, e.g. 6.1, does); libibverbs strips the
 * optional range otherwise.  pcieverbs.ko must accept and ignore it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

struct ibv_mr *pcv_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
			  uint64_t hca_va, int access)
{
	struct pcv_cmd_reg_mr cmd;
	struct ib_uverbs_reg_mr_resp resp;
	struct pcv_mr *mr;
	int ret;

	mr = calloc(1, sizeof(*mr));
	if (!mr) {
		errno = ENOMEM;
		return NULL;
	}

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp, 0, sizeof(resp));
	ret = ibv_cmd_reg_mr(pd, addr, length, hca_va, access, &mr->vmr,
			     &cmd, sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		free(mr);
		errno = ret;
		return NULL;
	}
	return &mr->vmr.ibv_mr;
}

int pcv_dereg_mr(struct pcv_verbs_mr *vmr)
{
	int ret;

	ret = ibv_cmd_dereg_mr(vmr);
	if (ret)
		return ret;

	free(to_pcv_mr(vmr));
	return 0;
}
