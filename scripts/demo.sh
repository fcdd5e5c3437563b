#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The demo: boot a 3-blade chassis and show the fabric at work -- verbs,
# IP over InfiniBand and an MPI job across blades -- then the PCIe proof
# underneath.  The chassis stays up afterwards so you can explore it
# (DEMO_KEEP=0 stops it instead).
set -u
PROJ=$(cd "$(dirname "$0")/.." && pwd)
CH="$PROJ/chassis/chassis"
DBG=/sys/kernel/debug/pcieverbs/pciev0
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
x() { echo "\$ chassis exec $1 -- ${*:3}"; "$CH" exec "$1" --timeout 300 -- "${@:3}"; }

say "Booting a chassis of 3 blades (QEMU/TCG, one vCPU each)"
"$CH" down >/dev/null 2>&1
"$CH" up -n 3 || exit 1

say "Unmodified verbs software across blades: ibv_rc_pingpong, blade 1 <- blade 0"
"$CH" exec 1 --timeout 120 -- ibv_rc_pingpong -d pciev0 -n 1000 > /dev/null 2>&1 &
sleep 2
x 0 -- ibv_rc_pingpong -d pciev0 -n 1000 blade1
wait

say "IP over InfiniBand (ib0): ping, and a 64 MiB TCP copy checked by sha256"
x 0 -- ping -c 3 blade1-ib
"$CH" exec 1 --timeout 120 -- sh -c 'nc -l -p 5001 | sha256sum > /run/demo.sum' &
for i in $(seq 60); do
	"$CH" exec 1 --timeout 10 -- ss -Htln 2>/dev/null | grep -q ":5001 " && break
	sleep 0.5
done
x 0 -- sh -c 'head -c 64M /dev/urandom > /run/demo.bin && sha256sum < /run/demo.bin &&
	time nc -q 1 blade1-ib 5001 < /run/demo.bin'
wait
echo "blade 1 received: $("$CH" exec 1 --timeout 30 -- cat /run/demo.sum)"

say "An MPI job across the blades: plain mpirun (ssh launch, UCX over pciev0)"
x 0 -- mpirun -np 3 "$PROJ/build/mpi_tests/hello"
x 0 -- mpirun -np 3 -x UCX_LOG_LEVEL=info "$PROJ/build/mpi_tests/stencil" 2>&1 |
	grep -E "stencil|ep_cfg\[1\]" | head -n 8
x 0 -- sh -c 'cd /sys/class/infiniband/pciev0/ports/1/counters &&
	grep -H . port_xmit_data port_rcv_data port_xmit_packets port_rcv_packets'

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

say "Driver counters (rdma statistic)"
x 0 -- rdma statistic show link pciev0/1

if [ "${DEMO_KEEP:-1}" = 0 ]; then
	"$CH" down
else
	say "The chassis is still up.  Try:"
	echo "  $CH status"
	echo "  $CH exec 1 -- ibv_devinfo -v"
	echo "  $CH down"
fi
