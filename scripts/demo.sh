#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The demo: boot a 2-blade chassis and show the fabric working.  The chassis
# stays up afterwards so you can explore it (DEMO_KEEP=0 stops it instead).
set -u
PROJ=$(cd "$(dirname "$0")/.." && pwd)
CH="$PROJ/chassis/chassis"
DBG=/sys/kernel/debug/pcieverbs/pciev0
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
x() { echo "\$ chassis exec $1 -- ${*:3}"; "$CH" exec "$1" --timeout 300 -- "${@:3}"; }

say "Booting a chassis of 2 blades (QEMU/TCG, one vCPU each)"
"$CH" down >/dev/null 2>&1
"$CH" up -n 2 || exit 1

say "Each blade sees an InfiniBand device through the pcieverbs provider"
x 0 -- ibv_devices
for b in 0 1; do x $b -- ibv_devinfo -d pciev0; done
x 1 -- sh -c "grep -H . /sys/class/infiniband/pciev0/ports/1/gids/0 /sys/class/infiniband/pciev0/ports/1/pkeys/0"

say "The blades are linked over PCIe windows (no network involved)"
x 0 -- cat $DBG/peers

say "Doorbells both ways: 100 round trips blade 0 -> 1 through shared memory + MSI-X"
x 0 -- sh -c "echo 'ping 1 100' > $DBG/test && cat $DBG/test"

say "DMA proof: 300 buffers of 1 B..1 MiB at random offsets, every byte checked"
for m in dma pio; do
	x 0 -- sh -c "echo 'verify $m write 1 300 42' > $DBG/test && cat $DBG/test"
	echo "blade 1's own CRC of the area it received: $("$CH" exec 1 --timeout 30 -- cat $DBG/diag_crc)"
done
say "Streaming 1 MiB transfers: agent DMA engine vs CPU stores through the window"
for m in dma pio; do
	x 0 -- sh -c "echo 'bw $m 1 256 1048576' > $DBG/test && cat $DBG/test"
done

say "Port counters (rdma statistic)"
x 0 -- rdma statistic show link pciev0/1

if [ "${DEMO_KEEP:-1}" = 0 ]; then
	"$CH" down
else
	say "The chassis is still up.  Try:"
	echo "  $CH status"
	echo "  $CH exec 1 -- ibv_devinfo -v"
	echo "  $CH down"
fi
