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
	struct pcv_context *ctx = to_pcv_ctx(pd->context);
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
	/* Our own record, for the fast path's lkey checks (fast.c). */
	mr->iova = hca_va;
	pthread_rwlock_wrlock(&ctx->mr_lock);
	mr->next = ctx->mrs;
	ctx->mrs = mr;
	pthread_rwlock_unlock(&ctx->mr_lock);
	return &mr->vmr.ibv_mr;
}

int pcv_dereg_mr(struct pcv_verbs_mr *vmr)
{
	struct pcv_context *ctx = to_pcv_ctx(vmr->ibv_mr.context);
	struct pcv_mr *mr = to_pcv_mr(vmr);
	int ret;

	/* Out of our record first: the fast path stops using it now. */
	pthread_rwlock_wrlock(&ctx->mr_lock);
	for (struct pcv_mr **p = &ctx->mrs; *p; p = &(*p)->next)
		if (*p == mr) {
			*p = mr->next;
			break;
		}
	pthread_rwlock_unlock(&ctx->mr_lock);
	ret = ibv_cmd_dereg_mr(vmr);
	if (ret) {
		pthread_rwlock_wrlock(&ctx->mr_lock);
		mr->next = ctx->mrs;
		ctx->mrs = mr;
		pthread_rwlock_unlock(&ctx->mr_lock);
		return ret;
	}
	free(mr);
	return 0;
}
