// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * libpcieverbs: address handles and multicast (UD).
 *
 * An address handle is a kernel object: CREATE_AH hands the address vector
 * to pcieverbs.ko, which keeps it in its AH table and answers with a
 * handle (struct pcv_ibv_create_ah_resp).  A UD send WQE names its
 * destination by that handle (pcv_sq_wqe.ud_ah); the kernel resolves it,
 * checks that the AH belongs to the QP's PD and judges the address (an
 * unknown LID, a GID index out of range, ... are its errors, passed back
 * here unchanged as positive errno values).
 *
 * Multicast membership is the kernel's as well: attach/detach_mcast are
 * plain ATTACH_MCAST / DETACH_MCAST commands.
 *
 * Everything here needs a kernel that announced PCV_UCTX_CAP_UD at
 * alloc_ucontext time; without it create_ah fails with EOPNOTSUPP before
 * any command (as create_qp(UD) does in qp.c).  attach/detach_mcast are
 * not gated: without UD there is no QP they could apply to, and the
 * kernel refuses them for any other QP type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcieverbs.h"

/* CREATE_AH response: core (ah_handle) then ours.  The request carries no
 * driver data (ibv_cmd_create_ah builds it, and pcieverbs defines none).
 */
struct pcv_create_ah_cmd_resp {
	struct ib_uverbs_create_ah_resp ibv_resp;
	struct pcv_ibv_create_ah_resp drv;
};

_Static_assert(offsetof(struct pcv_create_ah_cmd_resp, drv) ==
	       sizeof(struct ib_uverbs_create_ah_resp) &&
	       sizeof(struct pcv_create_ah_cmd_resp) ==
	       sizeof(struct ib_uverbs_create_ah_resp) +
	       sizeof(struct pcv_ibv_create_ah_resp),
	       "create_ah driver response must follow the core response");
_Static_assert(sizeof(struct pcv_create_ah_cmd_resp) % 4 == 0,
	       "uverbs lengths are counted in 4-byte words");

/*
 * The driver response is checked like every other (README, "Response
 * checking"): pre-filled with 0xff, so an `ah` still reading all-ones was
 * not written (a short or missing response); 0 is never a handle.  Both
 * are EPROTO, after destroying the kernel object.  Unknown comp_mask bits
 * are ignored, as in every pcieverbs response: they announce optional
 * fields behind the first release, which an older provider does not read.
 */
struct ibv_ah *pcv_create_ah(struct ibv_pd *pd, struct ibv_ah_attr *attr)
{
	struct pcv_context *ctx = to_pcv_ctx(pd->context);
	struct pcv_create_ah_cmd_resp resp;
	struct pcv_ah *ah;
	int ret;

	if (!(ctx->caps & PCV_UCTX_CAP_UD)) {
		errno = EOPNOTSUPP;
		return NULL;
	}

	ah = calloc(1, sizeof(*ah));
	if (!ah) {
		errno = ENOMEM;
		return NULL;
	}

	memset(&resp.ibv_resp, 0, sizeof(resp.ibv_resp));
	memset(&resp.drv, PCV_RESP_POISON_BYTE, sizeof(resp.drv));
	ret = ibv_cmd_create_ah(pd, &ah->ibv_ah, attr, &resp.ibv_resp,
				sizeof(resp));
	if (ret) {
		/* The kernel judged the address (port, GID index, LID, ...). */
		free(ah);
		errno = ret;
		return NULL;
	}

	if (resp.drv.ah == PCV_RESP_POISON32 || resp.drv.ah == 0) {
		pcv_err(pd->context, "bad AH from the kernel (handle %#x, comp_mask %#x)\n",
			resp.drv.ah, resp.drv.comp_mask);
		/* ibv_cmd_create_ah set ah->context and the uverbs handle. */
		ibv_cmd_destroy_ah(&ah->ibv_ah);
		free(ah);
		errno = EPROTO;
		return NULL;
	}

	ah->handle = resp.drv.ah;
	ah->attr = *attr;
	return &ah->ibv_ah;
}

int pcv_destroy_ah(struct ibv_ah *ibah)
{
	int ret;

	/* A refused destroy leaves the kernel object alive: keep ours too. */
	ret = ibv_cmd_destroy_ah(ibah);
	if (ret)
		return ret;

	free(to_pcv_ah(ibah));
	return 0;
}

int pcv_attach_mcast(struct ibv_qp *ibqp, const union ibv_gid *gid,
		     uint16_t lid)
{
	return ibv_cmd_attach_mcast(ibqp, gid, lid);
}

int pcv_detach_mcast(struct ibv_qp *ibqp, const union ibv_gid *gid,
		     uint16_t lid)
{
	return ibv_cmd_detach_mcast(ibqp, gid, lid);
}
