// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: opening a device (alloc_context) and closing it.
 *
 * ibv_open_device() opens /dev/infiniband/uverbsN and hands us the fd; we
 * wrap libibverbs' verbs_context in struct pcv_context and run the
 * GET_CONTEXT command, whose driver data carries the pcieverbs
 * alloc_ucontext request/response (include/rdma/pcieverbs-abi.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

/* GET_CONTEXT with our driver data appended at exactly the offsets the
 * ibv_cmd_* machinery expects (checked below).
 */
struct pcv_alloc_ucontext_cmd {
	struct pcv_cmd_get_context ibv_cmd;
	struct pcv_ibv_alloc_ucontext_req drv;
};

struct pcv_alloc_ucontext_cmd_resp {
	struct ib_uverbs_get_context_resp ibv_resp;
	struct pcv_ibv_alloc_ucontext_resp drv;
};

_Static_assert(offsetof(struct pcv_alloc_ucontext_cmd, drv) ==
	       sizeof(struct pcv_cmd_get_context),
	       "alloc_ucontext driver request must follow the core command");
_Static_assert(sizeof(struct pcv_alloc_ucontext_cmd) ==
	       sizeof(struct pcv_cmd_get_context) +
	       sizeof(struct pcv_ibv_alloc_ucontext_req),
	       "no tail padding in the alloc_ucontext request");
_Static_assert(sizeof(struct pcv_alloc_ucontext_cmd) % 4 == 0,
	       "uverbs lengths are counted in 4-byte words");
_Static_assert(offsetof(struct pcv_alloc_ucontext_cmd_resp, drv) ==
	       sizeof(struct ib_uverbs_get_context_resp),
	       "alloc_ucontext driver response must follow the core response");
_Static_assert(sizeof(struct pcv_alloc_ucontext_cmd_resp) ==
	       sizeof(struct ib_uverbs_get_context_resp) +
	       sizeof(struct pcv_ibv_alloc_ucontext_resp),
	       "no tail padding in the alloc_ucontext response");
_Static_assert(sizeof(struct pcv_alloc_ucontext_cmd_resp) % 4 == 0,
	       "uverbs lengths are counted in 4-byte words");

/*
 * Check and keep what the kernel answered.  Returns 0 or a positive errno.
 *
 * libibverbs does not tell a provider how many driver-response bytes the
 * kernel wrote: on the write() path the kernel copies min(outlen, its
 * struct size) and says nothing, and on the ioctl path only a "valid
 * output" flag comes back (and not to us).  So the caller fills the buffer
 * with 0xff bytes first, and what the kernel did not write is still 0xff.
 * The kernel always writes the whole first release of the struct (it
 * refuses a shorter outlen), and the kernel copies a prefix, so
 * "reserved", the last field of the first release, tells us whether the
 * full 24 bytes arrived: it is written (as 0) by every pcieverbs kernel.
 * Fields added later come after it and are announced by comp_mask bits;
 * bits we do not know are ignored (an old provider on a newer kernel).
 */
static int pcv_parse_ucontext_resp(const struct pcv_ibv_alloc_ucontext_resp *resp,
				   struct pcv_context *ctx)
{
	if (resp->reserved == PCV_RESP_POISON32)
		return EPROTO;		/* short or missing driver response */
	if (resp->blade_id >= resp->nr_blades)
		return EPROTO;		/* no chassis, or a LID outside it */

	ctx->resp_comp_mask = resp->comp_mask;
	ctx->blade_id = resp->blade_id;
	ctx->nr_blades = resp->nr_blades;
	ctx->wire_version = resp->wire_version;
	ctx->caps = resp->caps;
	return 0;
}

struct verbs_context *pcv_alloc_context(struct ibv_device *ibdev, int cmd_fd,
					void *private_data)
{
	struct pcv_alloc_ucontext_cmd cmd;
	struct pcv_alloc_ucontext_cmd_resp resp;
	struct pcv_context *ctx;
	int ret;

	/* private_data is for providers with direct-verbs open attributes;
	 * pcieverbs has none.
	 */
	(void)private_data;

	/* Owns cmd_fd from here on: it is closed on every failure path,
	 * either by this call or by verbs_uninit_context().  struct
	 * pcv_context starts with the verbs_context, so the "offset pointer"
	 * is 0.
	 */
	ctx = _verbs_init_and_alloc_context(ibdev, cmd_fd, sizeof(*ctx),
			(struct verbs_context *)(uintptr_t)
				offsetof(struct pcv_context, ibv_ctx),
			RDMA_DRIVER_UNKNOWN);
	if (!ctx)
		return NULL;		/* errno set by libibverbs */

	/* Request: comp_mask and reserved must be 0 (the kernel refuses
	 * anything else).  Response: the core part zeroed, ours poisoned so
	 * that bytes the kernel did not write can be told apart, see
	 * pcv_parse_ucontext_resp().
	 */
	memset(&cmd, 0, sizeof(cmd));
	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));

	ret = ibv_cmd_get_context(&ctx->ibv_ctx, &cmd.ibv_cmd, sizeof(cmd),
				  &resp.ibv_resp, sizeof(resp));
	if (ret) {
		__verbs_log(&ctx->ibv_ctx, PCV_VERBS_LOG_ERR,
			    "%s: %s: GET_CONTEXT failed: %s\n",
			    ibdev->name, __func__, strerror(ret));
		goto err;
	}

	ret = pcv_parse_ucontext_resp(&resp.drv, ctx);
	if (ret) {
		__verbs_log(&ctx->ibv_ctx, PCV_VERBS_LOG_ERR,
			    "%s: %s: bad alloc_ucontext response (blade_id %#x, nr_blades %#x, reserved %#x)\n",
			    ibdev->name, __func__, resp.drv.blade_id,
			    resp.drv.nr_blades, resp.drv.reserved);
		goto err;
	}

	ret = pthread_rwlock_init(&ctx->mr_lock, NULL);
	if (ret)
		goto err;
	verbs_set_ops(&ctx->ibv_ctx, &pcv_ctx_ops);
	return &ctx->ibv_ctx;

err:
	/* Closes cmd_fd (which destroys the kernel ucontext, if any) and the
	 * async fd a write()-path GET_CONTEXT may have returned.
	 */
	verbs_uninit_context(&ctx->ibv_ctx);
	free(ctx);
	errno = ret;
	return NULL;
}

void pcv_free_context(struct ibv_context *ibctx)
{
	struct pcv_context *ctx = to_pcv_ctx(ibctx);

	pthread_rwlock_destroy(&ctx->mr_lock);
	verbs_uninit_context(&ctx->ibv_ctx);
	free(ctx);
}
