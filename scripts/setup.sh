#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install every Debian package pcieverbs needs to build, boot a chassis and
# run its tests.  Idempotent and quick when everything is there already.
set -euo pipefail

PKGS=(
	build-essential gcc make python3 kmod iproute2 xz-utils
	qemu-system-x86 linux-image-amd64 busybox-static
	rdma-core ibverbs-utils ibverbs-providers libibverbs-dev librdmacm-dev
	rdmacm-utils infiniband-diags perftest qperf iperf3 netcat-openbsd iputils-ping
	sparse linux-source-6.1
	openssh-server openssh-client openmpi-bin libopenmpi-dev ucx-utils
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
			echo "$p"
	done
}

apt_install() {
	local need
	need=$(missing "$@")
	[ -z "$need" ] && return 0
	echo "setup: installing $(echo $need | tr '\n' ' ')"
	if [ "$(id -u)" != 0 ]; then
		echo "setup: need root to install packages (run: sudo make setup)" >&2
		exit 1
	fi
	if [ ! -f /var/lib/apt/periodic/pcieverbs-updated ] ||
	   [ -n "$(find /var/lib/apt/periodic/pcieverbs-updated -mmin +720)" ]; then
		apt-get update -q
		mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/pcieverbs-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
}

apt_install "${PKGS[@]}"
# The guest kernel is whatever linux-image-amd64 put under /boot: build for it.
KVER=$(ls /boot/vmlinuz-* | sed 's#.*/vmlinuz-##' | sort -V | tail -1)
apt_install "linux-headers-$KVER"
echo "setup: ok (guest kernel $KVER)"
