// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Checks struct pcv_verbs_context_ops against the compiled libibverbs.so.1:
 * hand verbs_set_ops() a table whose every slot holds a distinct marker
 * and look where the library put them.
 *
 * verbs_set_ops() copies each op, by rdma-core's member name, into
 * libibverbs' private copy and, for most ops, also into a *public* field of
 * struct verbs_context / struct ibv_context_ops (verbs.h, installed).  So
 * if slot N of our declaration is "alloc_pd", the marker of slot N must
 * appear in ibv_context_ops._compat_alloc_pd, and so on for the 63 ops
 * that have a public field.  The remaining 13 are checked by the private
 * copy: all 76 slots must arrive, in order, and nothing past them.
 *
 * The name -> public field mapping below is our reading of rdma-core v44's
 * verbs_set_ops(); a wrong reading fails this test, a wrong layout too.
 * No device is needed: the markers are never called.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>

#include "pcv_provider_abi.h"

#define NSLOTS	(sizeof(struct pcv_verbs_context_ops) / sizeof(void *))
#define NO_PUBLIC ((size_t)-1)

#define VCTX(n)		{ #n, offsetof(struct pcv_verbs_context_ops, n), \
			  offsetof(struct verbs_context, n) }
#define CTXOP(n)	{ #n, offsetof(struct pcv_verbs_context_ops, n), \
			  offsetof(struct verbs_context, context.ops.n) }
#define COMPAT(n)	{ #n, offsetof(struct pcv_verbs_context_ops, n), \
			  offsetof(struct verbs_context, context.ops._compat_##n) }
#define RENAMED(n, pub)	{ #n, offsetof(struct pcv_verbs_context_ops, n), \
			  offsetof(struct verbs_context, pub) }
#define PRIVATE(n)	{ #n, offsetof(struct pcv_verbs_context_ops, n), NO_PUBLIC }

static const struct slot {
	const char *name;
	size_t ours;		/* offset in struct pcv_verbs_context_ops */
	size_t pub;		/* offset in struct verbs_context, or NO_PUBLIC */
} slots[] = {
	VCTX(advise_mr), VCTX(alloc_dm), CTXOP(alloc_mw), VCTX(alloc_null_mr),
	VCTX(alloc_parent_domain), COMPAT(alloc_pd), VCTX(alloc_td),
	COMPAT(async_event), VCTX(attach_counters_point_flow),
	COMPAT(attach_mcast), CTXOP(bind_mw), VCTX(close_xrcd),
	COMPAT(cq_event), COMPAT(create_ah), VCTX(create_counters),
	COMPAT(create_cq), PRIVATE(create_cq_ex),
	RENAMED(create_flow, ibv_create_flow), VCTX(create_flow_action_esp),
	COMPAT(create_qp), VCTX(create_qp_ex), VCTX(create_rwq_ind_table),
	COMPAT(create_srq), VCTX(create_srq_ex), VCTX(create_wq),
	CTXOP(dealloc_mw), COMPAT(dealloc_pd), VCTX(dealloc_td),
	COMPAT(dereg_mr), COMPAT(destroy_ah), VCTX(destroy_counters),
	COMPAT(destroy_cq), RENAMED(destroy_flow, ibv_destroy_flow),
	VCTX(destroy_flow_action), COMPAT(destroy_qp),
	VCTX(destroy_rwq_ind_table), COMPAT(destroy_srq), VCTX(destroy_wq),
	COMPAT(detach_mcast), PRIVATE(free_context), VCTX(free_dm),
	VCTX(get_srq_num), PRIVATE(import_dm), PRIVATE(import_mr),
	PRIVATE(import_pd), VCTX(modify_cq), VCTX(modify_flow_action_esp),
	COMPAT(modify_qp), VCTX(modify_qp_rate_limit), COMPAT(modify_srq),
	VCTX(modify_wq), VCTX(open_qp), VCTX(open_xrcd), CTXOP(poll_cq),
	CTXOP(post_recv), CTXOP(post_send), VCTX(post_srq_ops),
	CTXOP(post_srq_recv), VCTX(query_device_ex), PRIVATE(query_ece),
	PRIVATE(query_port), COMPAT(query_qp), PRIVATE(query_qp_data_in_order),
	VCTX(query_rt_values), COMPAT(query_srq), VCTX(read_counters),
	VCTX(reg_dm_mr), PRIVATE(reg_dmabuf_mr), COMPAT(reg_mr),
	CTXOP(req_notify_cq), COMPAT(rereg_mr), COMPAT(resize_cq),
	PRIVATE(set_ece), PRIVATE(unimport_dm), PRIVATE(unimport_mr),
	PRIVATE(unimport_pd),
};

static uintptr_t marker(size_t slot)
{
	return 0x7e5700000000ULL + (slot + 1) * 0x10;
}

int main(void)
{
	enum { PRIV_WORDS = 1024 };	/* libibverbs' private struct is < 1 KiB */
	uintptr_t table[NSLOTS], *priv;
	struct pcv_verbs_context_ops ops;
	struct verbs_context *vctx;
	size_t i, start, nfail = 0, npublic = 0;
	int found = 0, bad = 0;

	i = NSLOTS == 76 && sizeof(slots) / sizeof(slots[0]) == 76;
	bad += !i;
	printf("%s - %zu slots in struct pcv_verbs_context_ops, %zu named in this test\n",
	       i ? "ok" : "not ok", NSLOTS, sizeof(slots) / sizeof(slots[0]));

	/* Our declaration is sorted like rdma-core's: the test table, in
	 * declaration order, must walk the slots 0, 1, 2, ...
	 */
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (slots[i].ours != i * sizeof(void *)) {
			printf("# %s is slot %zu, expected %zu\n", slots[i].name,
			       slots[i].ours / sizeof(void *), i);
			nfail++;
		}
	bad += nfail != 0;
	printf("%s - op slots are in rdma-core's (alphabetical) order\n",
	       nfail ? "not ok" : "ok");

	for (i = 0; i < NSLOTS; i++)
		table[i] = marker(i);
	memcpy(&ops, table, sizeof(ops));

	vctx = calloc(1, sizeof(*vctx));
	priv = calloc(PRIV_WORDS, sizeof(*priv));
	if (!vctx || !priv)
		return 1;
	vctx->priv = (void *)priv;
	verbs_set_ops(vctx, &ops);

	/* Public fields: the library looked the op up by name. */
	nfail = 0;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		uintptr_t got;

		if (slots[i].pub == NO_PUBLIC)
			continue;
		npublic++;
		memcpy(&got, (char *)vctx + slots[i].pub, sizeof(got));
		if (got != marker(slots[i].ours / sizeof(void *))) {
			printf("# %s: public field holds %#lx, expected slot %zu's marker\n",
			       slots[i].name, (unsigned long)got,
			       slots[i].ours / sizeof(void *));
			nfail++;
		}
	}
	bad += nfail != 0;
	printf("%s - verbs_set_ops() of libibverbs.so.1 finds %zu ops by name in the declared slots\n",
	       nfail ? "not ok" : "ok", npublic);

	/* Private copy: all 76 markers, consecutive, nothing after them. */
	for (start = 0; start + NSLOTS < PRIV_WORDS; start++)
		if (priv[start] == marker(0)) {
			found = 1;
			break;
		}
	nfail = !found;
	for (i = 0; found && i < NSLOTS; i++)
		if (priv[start + i] != marker(i))
			nfail++;
	if (found && priv[start + NSLOTS] != 0)
		nfail++;
	printf("%s - verbs_set_ops() copies exactly %zu op slots (608 bytes)\n",
	       nfail ? "not ok" : "ok", NSLOTS);

	bad += nfail != 0;
	free(priv);
	free(vctx);
	return bad ? 1 : 0;
}
