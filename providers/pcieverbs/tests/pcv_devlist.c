// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Which provider claimed which device, checked through the real
 * libibverbs.so.1 against a fake sysfs tree (run by run-tests.sh inside a
 * private mount namespace).
 *
 *   pcv_devlist OURS... -- NOT_OURS...
 *   pcv_devlist --netlink-probe     exit 0 if NETLINK_RDMA sockets work
 *
 * For each OURS device: it is listed, its verbs_device_ops is the one
 * registered by the build's libpcieverbs-rdmav34.so ($PCV_PROVIDER_LIB),
 * and the verbs_device / verbs_sysfs_dev that libibverbs filled in hold,
 * at the offsets pcv_provider_abi.h declares, exactly what the sysfs files
 * say (a binary-level check of those layouts).  For each NOT_OURS device:
 * it is absent or claimed by another provider.
 *
 * $PCV_TEST_TAG, if set, prefixes every test name.
 *
 * Output: unnumbered TAP lines ("ok - ...", "not ok - ...", "# ...");
 * run-tests.sh numbers them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <unistd.h>
#include <linux/netlink.h>

#include <infiniband/verbs.h>

#include <rdma/pcieverbs-abi.h>

#include "pcv_provider_abi.h"

static int failures;

static void report(int ok, const char *fmt, ...)
{
	const char *tag = getenv("PCV_TEST_TAG");
	va_list ap;

	printf("%s - %s%s", ok ? "ok" : "not ok", tag ? tag : "", tag ? ": " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

/* Collects the reasons a grouped check failed, printed as TAP diagnostics. */
static int check(int cond, const char *what, int *bad)
{
	if (!cond) {
		printf("# mismatch: %s\n", what);
		(*bad)++;
	}
	return cond;
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static struct ibv_device *find(struct ibv_device **list, const char *name)
{
	for (; *list; list++)
		if (strcmp((*list)->name, name) == 0)
			return *list;
	return NULL;
}

static int is_ours(struct ibv_device *dev)
{
	const struct pcv_verbs_device *vdev = (const void *)dev;

	return vdev->ops && vdev->ops->name &&
	       strcmp(vdev->ops->name, "pcieverbs") == 0;
}

static void check_ours(struct ibv_device **list, const char *name)
{
	const char *sysfs = getenv("SYSFS_PATH");
	const char *lib = getenv("PCV_PROVIDER_LIB");
	char want_lib[PATH_MAX], got_lib[PATH_MAX], uvdir[PATH_MAX];
	char ibdir[PATH_MAX], buf[128];
	struct pcv_verbs_device *vdev;
	struct pcv_verbs_sysfs_dev *s;
	struct ibv_device *dev;
	unsigned int maj, min;
	struct stat st;
	Dl_info info;
	int bad;

	dev = find(list, name);
	report(dev != NULL, "%s is listed by ibv_get_device_list", name);
	if (!dev)
		return;
	vdev = (struct pcv_verbs_device *)dev;

	report(is_ours(dev), "%s is claimed by provider \"pcieverbs\" (got \"%s\")",
	       name, vdev->ops && vdev->ops->name ? vdev->ops->name : "?");

	/* The ops must live in the build's .so, not in an installed copy. */
	bad = !(lib && realpath(lib, want_lib) && dladdr(vdev->ops, &info) &&
		info.dli_fname && realpath(info.dli_fname, got_lib) &&
		strcmp(want_lib, got_lib) == 0);
	report(!bad, "%s: verbs_device_ops come from %s", name,
	       lib ? lib : "$PCV_PROVIDER_LIB (unset)");

	/* verbs_device: what try_driver() stores after alloc_device(). */
	bad = 0;
	s = vdev->sysfs;
	check(atomic_load(&vdev->refcount) >= 1, "verbs_device.refcount >= 1", &bad);
	check(s != NULL, "verbs_device.sysfs set", &bad);
	report(!bad, "%s: verbs_device.ops/refcount/sysfs at the declared offsets",
	       name);
	if (!s || !sysfs)
		return;

	/* verbs_sysfs_dev: compare with the files libibverbs read. */
	bad = 0;
	snprintf(ibdir, sizeof(ibdir), "%s/class/infiniband/%s", sysfs, name);
	check(strcmp(s->ibdev_name, name) == 0, "sysfs.ibdev_name", &bad);
	check(strcmp(s->ibdev_path, ibdir) == 0, "sysfs.ibdev_path", &bad);
	check(strcmp(s->ibdev_path, dev->ibdev_path) == 0,
	      "sysfs.ibdev_path == ibv_device.ibdev_path", &bad);
	check(strcmp(s->sysfs_name, dev->dev_name) == 0,
	      "sysfs.sysfs_name == ibv_device.dev_name", &bad);
	snprintf(uvdir, sizeof(uvdir), "%s/class/infiniband_verbs/%s", sysfs,
		 s->sysfs_name);
	if (check(read_file(uvdir, "dev", buf, sizeof(buf)) == 0 &&
		  sscanf(buf, "%u:%u", &maj, &min) == 2, "uverbs dev file", &bad))
		check(s->sysfs_cdev == makedev(maj, min), "sysfs.sysfs_cdev", &bad);
	if (check(read_file(uvdir, "abi_version", buf, sizeof(buf)) == 0,
		  "uverbs abi_version file", &bad))
		check(s->abi_ver == strtoul(buf, NULL, 10), "sysfs.abi_ver", &bad);
	check(s->node_type == IBV_NODE_CA, "sysfs.node_type == CA", &bad);
	check(dev->node_type == IBV_NODE_CA &&
	      dev->transport_type == IBV_TRANSPORT_IB,
	      "ibv_device node/transport type", &bad);
	check(s->ibdev_idx == -1, "sysfs.ibdev_idx == -1 (sysfs discovery)", &bad);
	check(s->driver_id == 0, "sysfs.driver_id == RDMA_DRIVER_UNKNOWN", &bad);
	check(s->match && s->match->kind == PCV_VERBS_MATCH_MODALIAS &&
	      s->match->u.modalias &&
	      strcmp(s->match->u.modalias, "rdma_device:*N" PCV_IBDEV_PREFIX "*") == 0,
	      "sysfs.match is our name-match entry", &bad);
	if (check(stat(ibdir, &st) == 0, "stat ibdev dir", &bad))
		check(s->time_created.tv_sec == st.st_mtim.tv_sec &&
		      s->time_created.tv_nsec == st.st_mtim.tv_nsec,
		      "sysfs.time_created == mtime of the ibdev dir", &bad);
	report(!bad, "%s: verbs_sysfs_dev as filled by libibverbs.so.1 matches the declared layout",
	       name);
}

static void check_not_ours(struct ibv_device **list, const char *name)
{
	struct ibv_device *dev = find(list, name);
	const struct pcv_verbs_device *vdev = (const void *)dev;

	if (dev)
		printf("# %s is claimed by provider \"%s\"\n", name,
		       vdev->ops && vdev->ops->name ? vdev->ops->name : "?");
	else
		printf("# %s is not listed\n", name);
	report(!dev || !is_ours(dev), "%s is not claimed by pcieverbs", name);
}

int main(int argc, char **argv)
{
	struct ibv_device **list;
	int i, n, not_ours = 0;

	/* run-tests.sh asks whether this kernel has RDMA netlink (then the
	 * fake sysfs tree needs no_rdma_netlink.so to be seen at all).
	 */
	if (argc == 2 && strcmp(argv[1], "--netlink-probe") == 0) {
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);

		if (fd < 0)
			return 1;
		close(fd);
		return 0;
	}

	list = ibv_get_device_list(&n);
	report(list != NULL, "ibv_get_device_list succeeds");
	if (!list)
		return 1;
	for (i = 0; i < n; i++) {
		const struct pcv_verbs_device *vdev = (const void *)list[i];

		printf("# device %s (%s) provider %s\n", list[i]->name,
		       list[i]->dev_name,
		       vdev->ops && vdev->ops->name ? vdev->ops->name : "?");
	}

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			not_ours = 1;
		else if (not_ours)
			check_not_ours(list, argv[i]);
		else
			check_ours(list, argv[i]);
	}

	ibv_free_device_list(list);
	return failures ? 1 : 0;
}
