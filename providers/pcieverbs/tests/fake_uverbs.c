// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A user-space stand-in for the uverbs write() interface of pcieverbs.ko,
 * loaded with LD_PRELOAD so the provider's alloc_context / query / PD code
 * can run on a machine without the kernel driver.
 *
 * It interposes write(): a write to the fake uverbs node (see fake_uverbs.h)
 * is parsed the way ib_uverbs parses a legacy or extended command, checked
 * the way the pcieverbs ABI rules in include/rdma/pcieverbs-abi.h say the
 * kernel checks it, and answered by writing the response where the command
 * says.  Every other write() goes to the real system call.  Only the
 * commands the provider issues at this stage are known; anything else
 * fails with EOPNOTSUPP, like a kernel without the op.
 *
 * This is a test double, not a model of the driver: the answers are the
 * constants in fake_uverbs.h and the PCV_FAKE_* knobs.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <rdma/ib_user_verbs.h>
#include <rdma/pcieverbs-abi.h>

#include "fake_uverbs.h"

static uint64_t pd_in_use;		/* bit h: PD handle h allocated */

static uint32_t knob(const char *name, uint32_t def)
{
	const char *v = getenv(name);

	return v ? (uint32_t)strtoul(v, NULL, 0) : def;
}

static int is_fake_node(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == FAKE_UVERBS_MAJOR &&
	       minor(st.st_rdev) == FAKE_UVERBS_MINOR;
}

/* Driver data the user sent beyond what we know must be zero. */
static int tail_is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static void fill_device(struct ib_uverbs_query_device_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->fw_ver = FAKE_FW_VER;
	r->node_guid = htobe64(FAKE_NODE_GUID);
	r->sys_image_guid = htobe64(FAKE_NODE_GUID);
	r->max_mr_size = ~0ULL;
	r->page_size_cap = 4096;
	r->vendor_id = FAKE_VENDOR_ID;
	r->vendor_part_id = FAKE_VENDOR_PART_ID;
	r->hw_ver = 1;
	r->max_qp = 1024;
	r->max_qp_wr = 4096;
	r->max_sge = 8;
	r->max_cq = 1024;
	r->max_cqe = 65536;
	r->max_mr = 4096;
	r->max_pd = FAKE_MAX_PDS;
	r->max_pkeys = 1;
	r->phys_port_cnt = 1;
}

/* A legacy (non-extended) command: in_words counts the whole write. */
static ssize_t legacy_cmd(const uint8_t *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = (const void *)buf;
	const uint8_t *in = buf + sizeof(*hdr);
	size_t inlen = count - sizeof(*hdr);
	size_t outlen = (size_t)hdr->out_words * 4;
	uint64_t response;

	if ((size_t)hdr->in_words * 4 != count)
		goto einval;

	switch (hdr->command) {
	case IB_USER_VERBS_CMD_GET_CONTEXT: {
		struct ib_uverbs_get_context_resp core = { 0 };
		struct pcv_ibv_alloc_ucontext_req req;
		struct pcv_ibv_alloc_ucontext_resp drv = { 0 };
		size_t core_in = sizeof(struct ib_uverbs_get_context);
		size_t drv_in, drv_out, ncopy;
		int efd;

		if (inlen < core_in || outlen < sizeof(core))
			goto einval;
		memcpy(&response, in, sizeof(response));
		drv_in = inlen - core_in;
		drv_out = outlen - sizeof(core);
		/* The ABI rules: the request struct must be there, with no
		 * unknown comp_mask bits, reserved 0 and a zero tail; the
		 * response must have room for the first release.
		 */
		if (drv_in < sizeof(req) || drv_out < sizeof(drv))
			goto einval;
		memcpy(&req, in + core_in, sizeof(req));
		if (req.comp_mask || req.reserved ||
		    !tail_is_zero(in + core_in + sizeof(req),
				  drv_in - sizeof(req)))
			goto einval;

		efd = eventfd(0, EFD_CLOEXEC);
		if (efd < 0)
			return -1;
		core.async_fd = efd;
		core.num_comp_vectors = 1;
		drv.comp_mask = knob("PCV_FAKE_UCTX_COMP_MASK", 0);
		drv.blade_id = knob("PCV_FAKE_BLADE_ID", FAKE_DEF_BLADE_ID);
		drv.nr_blades = knob("PCV_FAKE_NR_BLADES", FAKE_DEF_NR_BLADES);
		drv.wire_version = FAKE_WIRE_VERSION;
		drv.caps = knob("PCV_FAKE_CAPS", FAKE_DEF_CAPS);
		ncopy = knob("PCV_FAKE_UCTX_BYTES", sizeof(drv));
		if (ncopy > sizeof(drv))
			ncopy = sizeof(drv);
		if (ncopy > drv_out)
			ncopy = drv_out;
		memcpy((void *)(uintptr_t)response, &core, sizeof(core));
		memcpy((uint8_t *)(uintptr_t)response + sizeof(core), &drv,
		       ncopy);
		return count;
	}
	case IB_USER_VERBS_CMD_QUERY_DEVICE: {
		struct ib_uverbs_query_device_resp r;

		if (inlen < sizeof(struct ib_uverbs_query_device) ||
		    outlen < sizeof(r))
			goto einval;
		memcpy(&response, in, sizeof(response));
		fill_device(&r);
		memcpy((void *)(uintptr_t)response, &r, sizeof(r));
		return count;
	}
	case IB_USER_VERBS_CMD_QUERY_PORT: {
		struct ib_uverbs_query_port q;
		struct ib_uverbs_query_port_resp r = { 0 };
		uint32_t blade = knob("PCV_FAKE_BLADE_ID", FAKE_DEF_BLADE_ID);

		if (inlen < sizeof(q) || outlen < sizeof(r))
			goto einval;
		memcpy(&q, in, sizeof(q));
		if (q.port_num != 1)
			goto einval;
		r.state = 4;			/* IB_PORT_ACTIVE */
		r.max_mtu = 5;			/* IB_MTU_4096 */
		r.active_mtu = 5;
		r.gid_tbl_len = 1;
		r.pkey_tbl_len = 1;
		r.max_msg_sz = 1U << 31;
		r.lid = blade + 1;
		r.sm_lid = blade + 1;
		r.max_vl_num = 1;
		r.active_width = 1;
		r.active_speed = 1;
		r.phys_state = 5;		/* LinkUp */
		r.link_layer = 1;		/* IB_LINK_LAYER_INFINIBAND */
		memcpy((void *)(uintptr_t)q.response, &r, sizeof(r));
		return count;
	}
	case IB_USER_VERBS_CMD_ALLOC_PD: {
		struct ib_uverbs_alloc_pd_resp core;
		struct pcv_ibv_alloc_pd_resp drv = { 0 };
		size_t core_in = sizeof(struct ib_uverbs_alloc_pd);
		size_t drv_out;
		uint32_t h;

		if (inlen < core_in || outlen < sizeof(core))
			goto einval;
		/* No alloc_pd request struct exists: any driver input must
		 * be zero.
		 */
		if (!tail_is_zero(in + core_in, inlen - core_in))
			goto einval;
		drv_out = outlen - sizeof(core);
		if (drv_out < sizeof(drv))
			goto einval;
		memcpy(&response, in, sizeof(response));
		for (h = 0; h < FAKE_MAX_PDS && (pd_in_use >> h & 1); h++)
			;
		if (h == FAKE_MAX_PDS) {
			errno = ENOMEM;
			return -1;
		}
		pd_in_use |= 1ULL << h;
		core.pd_handle = h;
		drv.pdn = h + FAKE_PDN_BASE;
		memcpy((void *)(uintptr_t)response, &core, sizeof(core));
		memcpy((uint8_t *)(uintptr_t)response + sizeof(core), &drv,
		       sizeof(drv));
		return count;
	}
	case IB_USER_VERBS_CMD_DEALLOC_PD: {
		struct ib_uverbs_dealloc_pd d;

		if (inlen < sizeof(d))
			goto einval;
		memcpy(&d, in, sizeof(d));
		if (d.pd_handle >= FAKE_MAX_PDS ||
		    !(pd_in_use >> d.pd_handle & 1))
			goto einval;
		pd_in_use &= ~(1ULL << d.pd_handle);
		return count;
	}
	default:
		errno = EOPNOTSUPP;
		return -1;
	}

einval:
	errno = EINVAL;
	return -1;
}

/* An extended command: 24-byte header, lengths in 8-byte words, the
 * response pointer in the extended header.
 */
static ssize_t extended_cmd(const uint8_t *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = (const void *)buf;
	const struct ib_uverbs_ex_cmd_hdr *ex = (const void *)(buf + sizeof(*hdr));
	size_t hdrs = sizeof(*hdr) + sizeof(*ex);
	size_t inlen = (size_t)hdr->in_words * 8;
	size_t outlen = (size_t)hdr->out_words * 8;

	if (count < hdrs ||
	    hdrs + inlen + (size_t)ex->provider_in_words * 8 != count ||
	    ex->cmd_hdr_reserved)
		goto einval;

	switch (hdr->command & ~IB_USER_VERBS_CMD_FLAG_EXTENDED) {
	case IB_USER_VERBS_EX_CMD_QUERY_DEVICE: {
		struct ib_uverbs_ex_query_device q;
		struct ib_uverbs_ex_query_device_resp r;
		size_t n;

		if (inlen < sizeof(q) || outlen < sizeof(r.base) +
		    sizeof(r.comp_mask) + sizeof(r.response_length))
			goto einval;
		memcpy(&q, buf + hdrs, sizeof(q));
		if (q.comp_mask || q.reserved)
			goto einval;
		memset(&r, 0, sizeof(r));
		fill_device(&r.base);
		r.hca_core_clock = FAKE_HCA_CORE_CLOCK;
		n = outlen < sizeof(r) ? outlen : sizeof(r);
		r.response_length = n;
		memcpy((void *)(uintptr_t)ex->response, &r, n);
		return count;
	}
	default:
		errno = EOPNOTSUPP;
		return -1;
	}

einval:
	errno = EINVAL;
	return -1;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	const struct ib_uverbs_cmd_hdr *hdr = buf;

	if (!is_fake_node(fd))
		return syscall(SYS_write, fd, buf, count);

	if (count < sizeof(*hdr)) {
		errno = EINVAL;
		return -1;
	}
	if (hdr->command & IB_USER_VERBS_CMD_FLAG_EXTENDED)
		return extended_cmd(buf, count);
	return legacy_cmd(buf, count);
}
