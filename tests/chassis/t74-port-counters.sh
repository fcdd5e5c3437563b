#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Port counters (PerfMgmt through process_mad): every file of
# /sys/class/infiniband/pciev0/ports/1/counters/ reads, and known traffic
# moves them.  For each run the sender's port_xmit_data and the receiver's
# port_rcv_data (4-octet units) must grow by at least the payload / 4 and
# by less than twice that plus a little (IPoIB's own multicast runs beside);
# packets likewise (one per MTU-sized piece of a message, design §9).
# Runs: ib_write_bw 64 KiB (the receiver never sees a WRITE: the writer
# tells it), ib_send_bw 64 KiB (rendezvous), ib_read_bw 64 KiB (the
# responder transmits), ib_send_lat 2 B (the fast path: the provider
# counts), ping over ib0 (UD datagrams).  perfquery needs QP0 (it registers
# the SMI class), which the port does not have (no IB_SMI): skipped.
. "$(dirname "$0")/../lib.sh"

chassis_up 2
rc_dev_setup

CNT=/sys/class/infiniband/pciev0/ports/1/counters
HW=/sys/class/infiniband/pciev0/ports/1/hw_counters
FIELDS="port_xmit_data port_rcv_data port_xmit_packets port_rcv_packets"

# snap B -> "xmit_data rcv_data xmit_packets rcv_packets fast_enter"
snap() {
	bexec "$1" 30 -- sh -c "cd $CNT && echo \$(cat $FIELDS) \$(cat $HW/fast_enter)"
}

for b in 0 1; do
	out=$(bexec $b 30 -- sh -c "cd $CNT && for f in *; do v=\$(cat \$f) || exit 1; echo \"\$f \$v\"; done" 2>&1)
	rc=$?
	n=$(grep -c . <<<"$out")
	check "blade $b: all $n files of counters/ read (no EINVAL)" test "$rc" = 0 -a "$n" -ge 20
	check "blade $b: the extended (64-bit) counters are there" \
		grep -q "^unicast_xmit_packets " <<<"$out"
	check "blade $b: hw_counters has the same totals" \
		bexec $b 30 -- sh -c "cat $HW/xmit_bytes $HW/rcv_bytes $HW/xmit_packets $HW/rcv_packets >/dev/null"
done

# grew WHAT DELTA MIN MAX: MIN <= DELTA < MAX
grew() {
	check "$1: +$2 (expected >= $3, < $4)" test "$2" -ge "$3" -a "$2" -lt "$4"
}

# measure DESC TX RX BYTES PKTS: after a run, blade TX transmitted and blade
# RX received at least BYTES of payload in at least PKTS packets.
measure() {
	local desc=$1 tx=$2 rx=$3 bytes=$4 pkts=$5 u
	local -a t0 t1 r0 r1
	read -ra t0 <<<"${SNAP0[$tx]}"; read -ra r0 <<<"${SNAP0[$rx]}"
	read -ra t1 <<<"${SNAP1[$tx]}"; read -ra r1 <<<"${SNAP1[$rx]}"
	u=$((bytes / 4))
	echo "# $desc: blade $tx xmit_data +$((t1[0] - t0[0])) packets +$((t1[2] - t0[2])), blade $rx rcv_data +$((r1[1] - r0[1])) packets +$((r1[3] - r0[3])) (payload $bytes B = $u units, $pkts packets)"
	grew "$desc: blade $tx port_xmit_data" $((t1[0] - t0[0])) $u $((2 * u + 4096))
	grew "$desc: blade $rx port_rcv_data" $((r1[1] - r0[1])) $u $((2 * u + 4096))
	grew "$desc: blade $tx port_xmit_packets" $((t1[2] - t0[2])) "$pkts" $((2 * pkts + 200))
	grew "$desc: blade $rx port_rcv_packets" $((r1[3] - r0[3])) "$pkts" $((2 * pkts + 200))
	T1_FAST=${t1[4]} T0_FAST=${t0[4]}
}

# before / after: both blades' counters around a run.
declare -a SNAP0 SNAP1
before() { SNAP0=("$(snap 0)" "$(snap 1)"); }
after() { SNAP1=("$(snap 0)" "$(snap 1)"); }

port=18700
# perf TOOL ARGS...: server on blade 1, client on blade 0.
perf() {
	local tool=$1
	shift
	port=$((port + 1))
	rc_pair "$tool $*" "$port" 300 \
		"$tool -d $RC_DEV -F -p $port $*" \
		"$tool -d $RC_DEV -F -p $port $* blade1"
}

# The responder's share of one-sided traffic arrives with the requester's
# next link tick (100 ms): give it a second.
settle() { sleep 1; after; }

before
perf ib_write_bw -s 65536 -n 1000
settle
measure "ib_write_bw 64 KiB x 1000" 0 1 $((65536 * 1000)) $((16 * 1000))

before
perf ib_send_bw -s 65536 -n 1000
settle
measure "ib_send_bw 64 KiB x 1000" 0 1 $((65536 * 1000)) $((16 * 1000))

before
perf ib_read_bw -s 65536 -n 200
settle
measure "ib_read_bw 64 KiB x 200 (the responder transmits)" 1 0 $((65536 * 200)) $((16 * 200))

before
perf ib_send_lat -s 2 -n 1000
settle
measure "ib_send_lat 2 B x 1000" 0 1 2000 1000
check "ib_send_lat ran on the fast path (fast_enter $T0_FAST -> $T1_FAST)" \
	test "$T1_FAST" -gt "$T0_FAST"
measure "ib_send_lat 2 B x 1000, the other way" 1 0 2000 1000

before
check "ping -s 1000 x 20 over ib0: all answered" \
	bash -c '"$1" exec 0 --timeout 60 -- ping -c 20 -i 0.2 -s 1000 -W 5 -q 10.201.0.2 | grep -q " 20 received"' _ "$CHASSIS"
after
measure "ping 1000 B x 20 over ib0" 0 1 $((1000 * 20)) 20

# perfquery sends PerfMgmt MADs through umad, but libibmad first registers
# the SMI class too, which needs QP0: the port has none (no IB_SMI).
pq=$(bexec 0 30 -- perfquery -x 2>&1)
if [ $? = 0 ]; then
	check "perfquery -x: PortXmitData printed" grep -q "PortXmitData" <<<"$pq"
else
	diag <<<"$pq"
	ok "perfquery -x # SKIP libibmad registers the SMI class (QP0); the port has no IB_SMI"
fi

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
