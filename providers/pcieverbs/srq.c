// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: shared receive queues.
 *
 * An SRQ is one receive ring (struct pcv_rq_wqe entries, like a QP's RQ)
 * that any number of QPs draw from.  post_srq_recv writes WQEs and prod
 * and makes no system call.  The limit event (srq_limit, armed with
 * ibv_modify_srq(IBV_SRQ_LIMIT)) is the kernel's: it sees how many WQEs
 * remain as it consumes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

struct pcv_create_srq_cmd {
	struct pcv_cmd_create_srq ibv_cmd;
	struct pcv_ibv_create_srq drv;
};

struct pcv_create_srq_cmd_resp {
	struct ib_uverbs_create_srq_resp ibv_resp;
	struct pcv_ibv_create_srq_resp drv;
};

_Static_assert(offsetof(struct pcv_create_srq_cmd, drv) ==
	       sizeof(struct pcv_cmd_create_srq) &&
	       sizeof(struct pcv_create_srq_cmd) ==
	       sizeof(struct pcv_cmd_create_srq) +
	       sizeof(struct pcv_ibv_create_srq),
	       "create_srq driver request must follow the core command");
_Static_assert(offsetof(struct pcv_create_srq_cmd_resp, drv) ==
	       sizeof(struct ib_uverbs_create_srq_resp) &&
	       sizeof(struct pcv_create_srq_cmd_resp) ==
	       sizeof(struct ib_uverbs_create_srq_resp) +
	       sizeof(struct pcv_ibv_create_srq_resp),
	       "create_srq driver response must follow the core response");

struct ibv_srq *pcv_create_srq(struct ibv_pd *pd,
			       struct ibv_srq_init_attr *attr)
{
	struct pcv_create_srq_cmd cmd;
	struct pcv_create_srq_cmd_resp resp;
	struct pcv_srq *srq;
	int ret;

	srq = calloc(1, sizeof(*srq));
	if (!srq) {
		errno = ENOMEM;
		return NULL;
	}
	ret = pcv_wq_init(&srq->rq);
	if (ret)
		goto err_free;

	memset(&cmd, 0, sizeof(cmd));
	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));
	ret = ibv_cmd_create_srq(pd, &srq->ibv_srq, attr, &cmd.ibv_cmd,
				 sizeof(cmd), &resp.ibv_resp, sizeof(resp));
	if (ret)
		goto err_wq;

	/* attr->attr now holds the granted max_wr / max_sge.  Unlike a QP's
	 * queues, an SRQ always has a ring: 0 entries is a protocol error.
	 */
	if (pcv_resp_unwritten64(resp.drv.mmap_size) ||
	    resp.drv.srq_entries == 0)
		ret = EPROTO;
	else
		ret = pcv_wq_map(pd->context, &srq->rq, resp.drv.srq_entries,
				 PCV_RQ_STRIDE, resp.drv.mmap_key,
				 resp.drv.mmap_size, attr->attr.max_wr,
				 attr->attr.max_sge, PCV_MAX_RECV_SGE);
	if (ret) {
		pcv_err(pd->context, "bad SRQ from the kernel (ring %u entries for %u WRs, %u SGEs, key %#llx, size %#llx): %s\n",
			resp.drv.srq_entries, attr->attr.max_wr,
			attr->attr.max_sge,
			(unsigned long long)resp.drv.mmap_key,
			(unsigned long long)resp.drv.mmap_size, strerror(ret));
		/* libibverbs initialised the SRQ's event mutex/cond. */
		ibv_cmd_destroy_srq(&srq->ibv_srq);
		goto err_wq;
	}
	return &srq->ibv_srq;

err_wq:
	pcv_wq_fini(&srq->rq);
err_free:
	free(srq);
	errno = ret;
	return NULL;
}

/*
 * IBV_SRQ_LIMIT goes to the kernel.  IBV_SRQ_MAX_WR (resizing) is refused
 * here: the SRQ ring is fixed at creation (the ABI has no way to hand us a
 * new one), and the kernel refuses it as well.
 */
int pcv_modify_srq(struct ibv_srq *ibsrq, struct ibv_srq_attr *attr,
		   int attr_mask)
{
	struct pcv_cmd_modify_srq cmd;

	if (attr_mask & IBV_SRQ_MAX_WR)
		return EINVAL;
	memset(&cmd, 0, sizeof(cmd));
	return ibv_cmd_modify_srq(ibsrq, attr, attr_mask, &cmd, sizeof(cmd));
}

int pcv_query_srq(struct ibv_srq *ibsrq, struct ibv_srq_attr *attr)
{
	struct pcv_cmd_query_srq cmd;

	memset(&cmd, 0, sizeof(cmd));
	return ibv_cmd_query_srq(ibsrq, attr, &cmd, sizeof(cmd));
}

int pcv_destroy_srq(struct ibv_srq *ibsrq)
{
	struct pcv_srq *srq = to_pcv_srq(ibsrq);
	int ret;

	/* Refused (EBUSY) while QPs are attached: then keep everything. */
	ret = ibv_cmd_destroy_srq(ibsrq);
	if (ret)
		return ret;

	pcv_wq_fini(&srq->rq);
	free(srq);
	return 0;
}

int pcv_post_srq_recv(struct ibv_srq *ibsrq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr)
{
	return pcv_wq_post_recv(&to_pcv_srq(ibsrq)->rq, wr, bad_wr);
}
