// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Opens a pciev device through the real libibverbs and the build's
 * provider, with the fake kernel (fake_uverbs.so) answering the commands.
 *
 *   pcv_ctx_test DEV ok BLADE NR_BLADES COMP_MASK
 *       open succeeds and the context keeps what the "kernel" said;
 *       query_device(_ex), query_port, alloc/dealloc_pd work; create_ah
 *       works if the kernel announced PCV_UCTX_CAP_UD ($PCV_FAKE_CAPS, as
 *       the fake reads it), else fails with EOPNOTSUPP.
 *   pcv_ctx_test DEV fail ERRNO
 *       ibv_open_device() fails with that errno (a number).
 *
 * Unnumbered TAP lines; run-tests.sh numbers them.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "pcieverbs.h"
#include "fake_uverbs.h"

static int failures;
static const char *tag;

static int report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s: ", ok ? "ok" : "not ok", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
	return ok;
}

static struct ibv_device *find(struct ibv_device **list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp((*list)->name, name) == 0)
			return *list;
	return NULL;
}

static void run_ok(struct ibv_context *ctx, unsigned int blade,
		   unsigned int nr, unsigned int comp_mask)
{
	struct pcv_context *pctx = to_pcv_ctx(ctx);
	struct ibv_device_attr_ex attr_ex;
	struct ibv_device_attr attr;
	struct ibv_port_attr port;
	struct ibv_pd *pd, *pd2;
	struct ibv_ah_attr ah_attr;
	struct ibv_ah *ah;
	unsigned int caps = getenv("PCV_FAKE_CAPS") ?
		strtoul(getenv("PCV_FAKE_CAPS"), NULL, 0) : FAKE_DEF_CAPS;
	int ret;

	report(pctx->blade_id == blade && pctx->nr_blades == nr &&
	       pctx->resp_comp_mask == comp_mask &&
	       pctx->wire_version == FAKE_WIRE_VERSION &&
	       pctx->caps == caps,
	       "context keeps blade_id %u, nr_blades %u, comp_mask %#x, wire_version, caps (got %u, %u, %#x, %#x, %#x)",
	       blade, nr, comp_mask, pctx->blade_id, pctx->nr_blades,
	       pctx->resp_comp_mask, pctx->wire_version, pctx->caps);
	report(ctx->async_fd >= 0 && ctx->num_comp_vectors == 1,
	       "core GET_CONTEXT response (async_fd %d, num_comp_vectors %d)",
	       ctx->async_fd, ctx->num_comp_vectors);

	memset(&attr, 0, sizeof(attr));
	ret = ibv_query_device(ctx, &attr);
	report(ret == 0 && strcmp(attr.fw_ver, FAKE_FW_VER_STR) == 0 &&
	       attr.vendor_part_id == FAKE_VENDOR_PART_ID &&
	       attr.phys_port_cnt == 1 &&
	       be64toh(attr.node_guid) == FAKE_NODE_GUID &&
	       attr.max_srq_sge == PCV_MAX_RECV_SGE &&
	       attr.max_sge == PCV_MAX_SEND_SGE,
	       "ibv_query_device (ret %d, fw_ver \"%s\", part id %#x, ports %u, max_sge %d, max_srq_sge %d: the kernel's)",
	       ret, attr.fw_ver, attr.vendor_part_id, attr.phys_port_cnt,
	       attr.max_sge, attr.max_srq_sge);

	memset(&attr_ex, 0, sizeof(attr_ex));
	ret = ibv_query_device_ex(ctx, NULL, &attr_ex);
	report(ret == 0 && strcmp(attr_ex.orig_attr.fw_ver, FAKE_FW_VER_STR) == 0 &&
	       attr_ex.orig_attr.max_pd == FAKE_MAX_PDS &&
	       attr_ex.phys_port_cnt_ex == 1 &&
	       attr_ex.hca_core_clock == FAKE_HCA_CORE_CLOCK,
	       "ibv_query_device_ex via the extended command (ret %d, max_pd %d, hca_core_clock %llu)",
	       ret, attr_ex.orig_attr.max_pd,
	       (unsigned long long)attr_ex.hca_core_clock);

	memset(&port, 0, sizeof(port));
	ret = ibv_query_port(ctx, 1, &port);
	report(ret == 0 && port.state == IBV_PORT_ACTIVE &&
	       port.lid == blade + 1 && port.sm_lid == blade + 1 &&
	       port.link_layer == IBV_LINK_LAYER_INFINIBAND &&
	       port.active_mtu == IBV_MTU_4096,
	       "ibv_query_port 1 (ret %d, state %d, lid %u, link_layer %u)",
	       ret, port.state, port.lid, port.link_layer);
	ret = ibv_query_port(ctx, 2, &port);
	report(ret == EINVAL, "ibv_query_port 2 fails with the kernel's EINVAL (ret %d)",
	       ret);

	pd = ibv_alloc_pd(ctx);
	pd2 = ibv_alloc_pd(ctx);
	report(pd && pd2 && pd->context == ctx &&
	       to_pcv_pd(pd)->pdn == pd->handle + FAKE_PDN_BASE &&
	       to_pcv_pd(pd2)->pdn == pd2->handle + FAKE_PDN_BASE &&
	       pd->handle != pd2->handle,
	       "ibv_alloc_pd x2: handle and pdn from the driver response");
	report(pd && ibv_dealloc_pd(pd) == 0 && pd2 && ibv_dealloc_pd(pd2) == 0,
	       "ibv_dealloc_pd x2");

	/* Address handles exist only on a kernel that announced UD. */
	pd = ibv_alloc_pd(ctx);
	memset(&ah_attr, 0, sizeof(ah_attr));
	ah_attr.dlid = 1;
	ah_attr.sl = 2;
	ah_attr.port_num = 1;
	errno = 0;
	ah = pd ? ibv_create_ah(pd, &ah_attr) : NULL;
	if (caps & PCV_UCTX_CAP_UD) {
		report(ah && ah->context == ctx && ah->pd == pd &&
		       to_pcv_ah(ah)->handle == ah->handle + FAKE_AH_BASE &&
		       to_pcv_ah(ah)->attr.dlid == 1 &&
		       to_pcv_ah(ah)->attr.sl == 2,
		       "ibv_create_ah (kernel with UD): the kernel's AH handle kept next to the uverbs handle (errno %d)",
		       errno);
		report(ah && ibv_destroy_ah(ah) == 0, "ibv_destroy_ah");
	} else {
		report(pd && !ah && errno == EOPNOTSUPP,
		       "ibv_create_ah on a kernel without PCV_UCTX_CAP_UD fails with EOPNOTSUPP (errno %d)",
		       errno);
		if (ah)
			ibv_destroy_ah(ah);
	}
	if (pd)
		ibv_dealloc_pd(pd);
}

int main(int argc, char **argv)
{
	struct ibv_device **list;
	struct ibv_context *ctx;
	struct ibv_device *dev;

	if (argc < 4) {
		fprintf(stderr, "usage: %s DEV ok BLADE NR COMP_MASK | DEV fail ERRNO\n",
			argv[0]);
		return 2;
	}
	tag = getenv("PCV_TEST_TAG") ? getenv("PCV_TEST_TAG") : argv[2];

	list = ibv_get_device_list(NULL);
	dev = find(list, argv[1]);
	if (!report(dev != NULL, "%s is listed", argv[1]))
		return 1;

	errno = 0;
	ctx = ibv_open_device(dev);
	if (strcmp(argv[2], "fail") == 0) {
		int want = atoi(argv[3]);

		report(!ctx && errno == want,
		       "ibv_open_device fails with errno %d (%s) (got %s, errno %d)",
		       want, strerror(want), ctx ? "a context" : "NULL", errno);
		if (ctx)
			ibv_close_device(ctx);
	} else if (argc >= 6) {
		if (report(ctx != NULL, "ibv_open_device %s (%s)", argv[1],
			   ctx ? "ok" : strerror(errno))) {
			run_ok(ctx, strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0));
			report(ibv_close_device(ctx) == 0, "ibv_close_device");
		}
	} else {
		return 2;
	}

	ibv_free_device_list(list);
	return failures ? 1 : 0;
}
