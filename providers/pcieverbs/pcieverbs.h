/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * libpcieverbs: provider-internal objects and the ops each file supplies.
 *
 * File map (one job per file; later stages add theirs next to these):
 *   device.c   registration, device matching, alloc/uninit_device, and the
 *              verbs_context_ops table (the one place that lists every op)
 *   context.c  alloc_context / free_context, the alloc_ucontext exchange
 *   verbs.c    query_device_ex, query_port, alloc_pd / dealloc_pd
 *   cq.c, qp.c, srq.c, mr.c, ah.c   (stage 2/3: CQ, QP, SRQ, MR, AH ops)
 */
#ifndef PCIEVERBS_H
#define PCIEVERBS_H

#include <stddef.h>
#include <stdint.h>

#include <infiniband/verbs.h>
#include <rdma/pcieverbs-abi.h>

#include "pcv_provider_abi.h"

#define PCV_PROVIDER_NAME	"pcieverbs"

#define pcv_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct pcv_device {
	struct pcv_verbs_device vdev;		/* must be first, see alloc_device */
	uint32_t uverbs_abi_ver;		/* the kernel's, within our range */
};

/* Per-process open of a pciev device: what the kernel told us about the
 * chassis at alloc_ucontext time.
 */
struct pcv_context {
	struct verbs_context ibv_ctx;		/* must be first, see alloc_context */
	uint32_t resp_comp_mask;		/* as the kernel sent it */
	uint32_t blade_id;			/* this blade, < nr_blades */
	uint32_t nr_blades;			/* >= 1 */
	uint32_t wire_version;			/* (major << 16) | minor */
	uint32_t caps;				/* PCV_UCTX_CAP_* */
};

struct pcv_pd {
	struct ibv_pd ibv_pd;
	uint32_t pdn;				/* the kernel's PD number */
};

static inline struct pcv_context *to_pcv_ctx(struct ibv_context *ibctx)
{
	return pcv_container_of(ibctx, struct pcv_context, ibv_ctx.context);
}

static inline struct pcv_pd *to_pcv_pd(struct ibv_pd *ibpd)
{
	return pcv_container_of(ibpd, struct pcv_pd, ibv_pd);
}

/* context.c */
struct verbs_context *pcv_alloc_context(struct ibv_device *ibdev, int cmd_fd,
					void *private_data);
void pcv_free_context(struct ibv_context *ibctx);

/* verbs.c */
int pcv_query_device_ex(struct ibv_context *ibctx,
			const struct ibv_query_device_ex_input *input,
			struct ibv_device_attr_ex *attr, size_t attr_size);
int pcv_query_port(struct ibv_context *ibctx, uint8_t port_num,
		   struct ibv_port_attr *port_attr);
struct ibv_pd *pcv_alloc_pd(struct ibv_context *ibctx);
int pcv_dealloc_pd(struct ibv_pd *ibpd);

/* device.c */
extern const struct pcv_verbs_context_ops pcv_ctx_ops;

#endif /* PCIEVERBS_H */
