#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
#
# Runs inside a private mount namespace (run-tests.sh starts it with
# unshare -m): everything mounted here disappears with the namespace.
# Appends unnumbered TAP lines to $RES.
#
#   ns-tests.sh BUILD SRCDIR
#
# What libibverbs v44 reads when netlink is unavailable (init.c
# find_sysfs_devs / setup_sysfs_dev / check_abi_version), and so what the
# fake tree holds:
#   $SYSFS_PATH/class/infiniband_verbs/abi_version   uverbs ABI, 3..6 (6)
#   $SYSFS_PATH/class/infiniband_verbs/uverbsN/ibdev        the ib device name
#   $SYSFS_PATH/class/infiniband_verbs/uverbsN/dev          "major:minor"
#   $SYSFS_PATH/class/infiniband_verbs/uverbsN/abi_version  the device's
#                                             uverbs_abi_ver (provider range)
#   $SYSFS_PATH/class/infiniband/<ibdev>/      must exist (stat: time_created)
#   $SYSFS_PATH/class/infiniband/<ibdev>/node_type   "1: CA"
#   $SYSFS_PATH/class/infiniband/<ibdev>/node_guid   (ibv_get_device_guid)
#   /dev/infiniband/uverbsN                    must exist (stat) to be listed;
#                                              opened by ibv_open_device
set -u

BUILD=$1
SRC=$2
T=$BUILD/providers/pcieverbs-tests
LIB=$BUILD/providers/libpcieverbs-rdmav34.so

pass() { echo "ok - $*" >> "$RES"; }
fail() { echo "not ok - $*" >> "$RES"; }
diag() { sed 's/^/# /' >> "$RES"; }
check() {	# check "name" command...: pass if the command succeeds
	name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
run_tap() {
	name=$1; shift
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	cat "$T/out" >> "$RES"
	diag < "$T/err"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$T/out"; then
		fail "$name exited with status $rc"
	fi
}

die() {
	fail "namespace setup: $*"
	exit 1
}

# ---- private scratch, /dev/infiniband and /etc/libibverbs.d ----------------
W=$T/ns
mkdir -p "$W" && mount -t tmpfs pcvtest "$W" || die "tmpfs on $W"
SYS=$W/sys

if [ -d /dev/infiniband ]; then
	# A host with real RDMA devices: hide them.
	mount -t tmpfs pcvdev /dev/infiniband || die "tmpfs on /dev/infiniband"
else
	# No /dev/infiniband, and /dev is shared with the host: put a tmpfs
	# over /dev and bring back the few nodes the tools need.
	mkdir "$W/hostdev" && mount --rbind /dev "$W/hostdev" ||
		die "keeping the host /dev"
	mount -t tmpfs pcvdev /dev || die "tmpfs on /dev"
	for n in null zero full random urandom tty; do
		[ -e "$W/hostdev/$n" ] || continue
		touch "/dev/$n" && mount --bind "$W/hostdev/$n" "/dev/$n" ||
			die "bind /dev/$n"
	done
	ln -s /proc/self/fd /dev/fd
	mkdir /dev/infiniband
fi

# Our provider must get in through RDMAV_DRIVERS only: hide an installed
# pcieverbs.driver (if any), keep the other providers' files.
if [ -d /etc/libibverbs.d ]; then
	mkdir "$W/etc-ibv"
	cp /etc/libibverbs.d/*.driver "$W/etc-ibv/" 2> "$W/stderr.discard"
	rm -f "$W/etc-ibv/pcieverbs.driver"
	mount --bind "$W/etc-ibv" /etc/libibverbs.d || die "bind /etc/libibverbs.d"
fi

# ---- the fake tree -----------------------------------------------------------
mkdir -p "$SYS/class/infiniband" "$SYS/class/infiniband_verbs"
echo 6 > "$SYS/class/infiniband_verbs/abi_version"

# mkdev IBDEV UVERBS ABI_VER MAJOR:MINOR NODE_GUID
mkdev() {
	d=$SYS/class/infiniband/$1
	u=$SYS/class/infiniband_verbs/$2
	mkdir -p "$d" "$u"
	echo "1: CA" > "$d/node_type"
	echo "$5" > "$d/node_guid"
	echo "$1" > "$u/ibdev"
	echo "$3" > "$u/abi_version"
	echo "$4" > "$u/dev"
	touch "/dev/infiniband/$2"
}
# Ours.  Its node is /dev/full (1:7, see fake_uverbs.h) so that
# ibv_open_device() can open it.
mkdev pciev0 uverbs0 2 1:7 0002:c903:00a1:b2c3
mount --bind /dev/full /dev/infiniband/uverbs0 || die "bind /dev/full"
# Other drivers' devices: rxe matches names "rxe*" (ABI 1..2), mlx5 matches
# PCI ids only, so it stays unclaimed here.
mkdev rxe0 uverbs1 2 231:193 0002:c903:0000:0001
mkdev mlx5_0 uverbs2 1 231:194 0002:c903:0000:0002
# Ours by name, but a kernel ABI outside [PCV_UVERBS_ABI_VERSION, same]:
# too new, 0 (a driver that forgot uverbs_abi_ver), and 1 (a stage-2
# kernel: 128-byte receive WQEs, no UD).
mkdev pciev9 uverbs3 99 231:195 0002:c903:0000:0003
mkdev pciev8 uverbs4 0 231:196 0002:c903:0000:0004
mkdev pciev7 uverbs6 1 231:198 0002:c903:0000:0006
# Matches the "rdma_device:*Npciev*" glob but is not prefixed "pciev".
mkdev fooNpciev0 uverbs5 1 231:197 0002:c903:0000:0005

export SYSFS_PATH="$SYS"
export PCV_PROVIDER_LIB="$LIB"
PROVIDER=${LIB%-rdmav34.so}		# libibverbs appends the suffix

NLBLOCK=""
if [ -n "${PCV_TEST_BLOCK_NETLINK:-}" ] || "$T/pcv_devlist" --netlink-probe; then
	NLBLOCK="$T/no_rdma_netlink.so"
	echo "preloading no_rdma_netlink.so (host has RDMA netlink, or PCV_TEST_BLOCK_NETLINK)" | diag
else
	echo "no RDMA netlink on this host: libibverbs falls back to sysfs by itself" | diag
fi

# ---- matching through the real libibverbs -------------------------------
run_tap pcv_devlist env RDMAV_DRIVERS="$PROVIDER" LD_PRELOAD="$NLBLOCK" \
	"$T/pcv_devlist" pciev0 -- rxe0 mlx5_0 pciev9 pciev8 pciev7 fooNpciev0

env RDMAV_DRIVERS="$PROVIDER" LD_PRELOAD="$NLBLOCK" IBV_SHOW_WARNINGS=1 \
	ibv_devices > "$T/devices.out" 2> "$T/devices.err"
rc=$?
diag < "$T/devices.out"
diag < "$T/devices.err"
check "ibv_devices exits 0" test $rc -eq 0
check "ibv_devices lists pciev0 with its node GUID" \
	grep -Eq '^[[:space:]]*pciev0[[:space:]]+0002c90300a1b2c3$' "$T/devices.out"
check "ibv_devices does not list pciev9 (ABI 99), pciev8 (ABI 0), pciev7 (ABI 1), fooNpciev0" \
	sh -c "! grep -Eqw 'pciev9|pciev8|pciev7|fooNpciev0' '$T/devices.out'"
check "IBV_SHOW_WARNINGS: no 'no userspace device-specific driver' for pciev0" \
	sh -c "! grep -q 'driver found for pciev0\$' '$T/devices.err'"
check "IBV_SHOW_WARNINGS: the warning does appear for unclaimed mlx5_0 and fooNpciev0" \
	sh -c "grep -q 'driver found for mlx5_0\$' '$T/devices.err' &&
	       grep -q 'driver found for fooNpciev0\$' '$T/devices.err'"
check "pcieverbs refuses kernel ABI 99, 0 and 1 with libibverbs' warning (supports 2 to 2)" \
	sh -c "grep -q 'Driver pcieverbs does not support the kernel ABI of 99 (supports 2 to 2)' '$T/devices.err' &&
	       grep -q 'Driver pcieverbs does not support the kernel ABI of 0 (supports 2 to 2)' '$T/devices.err' &&
	       grep -q 'Driver pcieverbs does not support the kernel ABI of 1 (supports 2 to 2)' '$T/devices.err'"

# Control: without our provider nothing else claims pciev0.
env LD_PRELOAD="$NLBLOCK" IBV_SHOW_WARNINGS=1 \
	ibv_devices > "$T/devices0.out" 2> "$T/devices0.err"
check "control: without RDMAV_DRIVERS pciev0 is unclaimed" \
	sh -c "! grep -qw pciev0 '$T/devices0.out' &&
	       grep -q 'driver found for pciev0\$' '$T/devices0.err'"

# ---- alloc_context and the verbs against the fake kernel -----------------
FAKE="$T/fake_uverbs.so${NLBLOCK:+ $NLBLOCK}"
EPROTO=71	# Linux errno values
ENOSPC=28

# ctx TAG [VAR=value...] PROGRAM ARGS...
# $PCV_TEST_WRAP, if set, prefixes the program, e.g.
#   make test PCV_TEST_WRAP="valgrind -q --error-exitcode=99 --leak-check=full"
ctx() {
	tag=$1; shift
	vars=""
	while [ $# -gt 0 ] && [ "${1#*=}" != "$1" ]; do
		vars="$vars $1"; shift
	done
	# shellcheck disable=SC2086 # vars and the wrapper are word lists
	run_tap "pcv_ctx_test ($tag)" env RDMAV_DRIVERS="$PROVIDER" \
		LD_PRELOAD="$FAKE" PCV_TEST_TAG="$tag" $vars \
		${PCV_TEST_WRAP:-} "$@"
}
ctx "fake kernel, defaults" "$T/pcv_ctx_test" pciev0 ok 2 5 0
ctx "fake kernel, single blade" PCV_FAKE_BLADE_ID=0 PCV_FAKE_NR_BLADES=1 \
	"$T/pcv_ctx_test" pciev0 ok 0 1 0
ctx "fake kernel, unknown comp_mask bits ignored" \
	PCV_FAKE_UCTX_COMP_MASK=0xfff00000 "$T/pcv_ctx_test" pciev0 ok 2 5 0xfff00000
ctx "fake kernel without UD" PCV_FAKE_CAPS=1 "$T/pcv_ctx_test" pciev0 ok 2 5 0
ctx "fake kernel copies only 8 driver bytes" PCV_FAKE_UCTX_BYTES=8 \
	"$T/pcv_ctx_test" pciev0 fail $EPROTO
ctx "fake kernel copies 20 of 24 driver bytes" PCV_FAKE_UCTX_BYTES=20 \
	"$T/pcv_ctx_test" pciev0 fail $EPROTO
ctx "fake kernel copies no driver response" PCV_FAKE_UCTX_BYTES=0 \
	"$T/pcv_ctx_test" pciev0 fail $EPROTO
ctx "fake kernel says blade_id 5 of 5" PCV_FAKE_BLADE_ID=5 PCV_FAKE_NR_BLADES=5 \
	"$T/pcv_ctx_test" pciev0 fail $EPROTO
# The same through the ioctl() interface a 6.1 kernel offers (libibverbs
# then sends GET_CONTEXT, QUERY_PORT, PD_DESTROY as native methods and the
# rest through INVOKE_WRITE).
ctx "fake 6.1 ioctl kernel" PCV_FAKE_IOCTL=1 "$T/pcv_ctx_test" pciev0 ok 2 5 0
ctx "fake 6.1 ioctl kernel without UD" PCV_FAKE_IOCTL=1 PCV_FAKE_CAPS=1 \
	"$T/pcv_ctx_test" pciev0 ok 2 5 0
ctx "fake 6.1 ioctl kernel copies 20 of 24 driver bytes" PCV_FAKE_IOCTL=1 \
	PCV_FAKE_UCTX_BYTES=20 "$T/pcv_ctx_test" pciev0 fail $EPROTO

# The data path (CQ/QP/SRQ/MR, post/poll, rings) against both interfaces.
ctx "data path, 6.1 ioctl kernel" PCV_FAKE_IOCTL=1 "$T/pcv_dp_test" pciev0 ioctl
ctx "data path, write() kernel" "$T/pcv_dp_test" pciev0 write
# No fake kernel: the write() reaches /dev/full and fails with ENOSPC; the
# provider must hand the kernel's errno back.
run_tap "pcv_ctx_test (no kernel)" env RDMAV_DRIVERS="$PROVIDER" \
	LD_PRELOAD="$NLBLOCK" PCV_TEST_TAG="no kernel behind the node" \
	"$T/pcv_ctx_test" pciev0 fail $ENOSPC

env RDMAV_DRIVERS="$PROVIDER" LD_PRELOAD="$FAKE" \
	ibv_devinfo -d pciev0 > "$T/devinfo.out" 2> "$T/devinfo.err"
rc=$?
diag < "$T/devinfo.out"
diag < "$T/devinfo.err"
check "ibv_devinfo -d pciev0 through the provider (fw_ver, port ACTIVE, LID 3, InfiniBand)" \
	sh -c "test $rc -eq 0 &&
	       grep -Eq 'fw_ver:[[:space:]]+1\.2\.3' '$T/devinfo.out' &&
	       grep -q 'PORT_ACTIVE' '$T/devinfo.out' &&
	       grep -Eq 'port_lid:[[:space:]]+3\$' '$T/devinfo.out' &&
	       grep -Eq 'link_layer:[[:space:]]+InfiniBand' '$T/devinfo.out'"

# ---- as installed: pcieverbs.driver in /etc/libibverbs.d, the .so in
# libibverbs' provider directory, no RDMAV_DRIVERS ---------------------------
INST=$(cd "$T/destdir" 2> "$W/stderr.discard" &&
	find . -name libpcieverbs-rdmav34.so | sed 's/^\.//')
PDIR=$(dirname "${INST:-/nonexistent/x}")
if [ -n "$INST" ] && [ -d "$PDIR" ] && [ -d /etc/libibverbs.d ]; then
	mkdir "$W/provdir" && cp -RP "$PDIR/." "$W/provdir/" &&
	cp "$T/destdir$INST" "$W/provdir/" &&
	mount --bind "$W/provdir" "$PDIR" &&
	cp "$T/destdir/etc/libibverbs.d/pcieverbs.driver" /etc/libibverbs.d/ ||
		die "staging the installed layout"
	run_tap "pcv_devlist (installed)" env LD_PRELOAD="$NLBLOCK" \
		PCV_PROVIDER_LIB="$PDIR/libpcieverbs-rdmav34.so" \
		PCV_TEST_TAG="installed" \
		"$T/pcv_devlist" pciev0 -- rxe0 mlx5_0 pciev9 pciev8 pciev7 fooNpciev0
else
	echo "ok - installed layout loads the provider # SKIP no $PDIR or /etc/libibverbs.d on this host" >> "$RES"
fi
exit 0
