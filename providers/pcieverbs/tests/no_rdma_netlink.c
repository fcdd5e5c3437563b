// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * LD_PRELOAD helper for the load tests on hosts whose kernel has RDMA
 * netlink (ib_core loaded).  libibverbs asks netlink first and uses sysfs
 * (and so SYSFS_PATH) only when the NETLINK_RDMA socket cannot be
 * connected; a working socket that lists no devices would hide the fake
 * sysfs tree.  Failing nl_connect(NETLINK_RDMA) forces the sysfs path, as
 * on a host without RDMA.  Other netlink families are passed through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>

struct nl_sock;

int nl_connect(struct nl_sock *sk, int protocol)
{
	int (*real)(struct nl_sock *, int);

	if (protocol == NETLINK_RDMA)
		return -1;		/* any non-zero libnl error will do */

	*(void **)&real = dlsym(RTLD_NEXT, "nl_connect");
	return real ? real(sk, protocol) : -1;
}
