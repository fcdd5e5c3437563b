#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Two blades: the ib_device seen through our provider, the link, doorbells
# both ways, the DMA/PIO proof with every byte checked, malformed DMA
# descriptors, and bad input at module load (control region, peer version).
. "$(dirname "$0")/../lib.sh"

chassis_up 2

# ---- identity through the provider -------------------------------------------
for b in 0 1; do
	out=$(bexec $b -- ibv_devinfo -v -d pciev0 2>&1)
	lid=$((b + 1))
	guid=$(printf "0250:4356:0000:%04x" "$b")
	check "blade $b: ibv_devinfo through our provider" \
		grep -q "hca_id:.*pciev0" <<<"$out"
	check "blade $b: port ACTIVE, link layer InfiniBand" \
		bash -c 'grep -q "state:.*PORT_ACTIVE (4)" <<<"$1" && grep -q "link_layer:.*InfiniBand" <<<"$1"' _ "$out"
	check "blade $b: LID $lid, sm_lid $lid" \
		bash -c 'grep -qE "port_lid:\s+$2$" <<<"$1" && grep -qE "sm_lid:\s+$2$" <<<"$1"' _ "$out" "$lid"
	check "blade $b: node GUID $guid encodes the blade" grep -q "node_guid:.*$guid" <<<"$out"
	check "blade $b: GID0 fe80::$guid" grep -qi "GID\[  0\]:.*fe80:0000:0000:0000:$guid" <<<"$out"
	pkey=$(bexec $b -- cat /sys/class/infiniband/pciev0/ports/1/pkeys/0)
	check "blade $b: pkey[0] = 0xffff (got $pkey)" test "$pkey" = 0xffff
	# No "no userspace device-specific driver" warning: our provider claimed it.
	w=$(bexec $b -- env IBV_SHOW_WARNINGS=1 ibv_devices 2>&1)
	check "blade $b: ibv_devices lists pciev0 with no provider warning" \
		bash -c 'grep -q pciev0 <<<"$1" && ! grep -qi "driver" <<<"$1"' _ "$w"
done

# ---- link and doorbells ---------------------------------------------------------
check "blade 0 sees its link to blade 1 up" test "$(peer_state 0 1)" = up
check "blade 1 sees its link to blade 0 up" test "$(peer_state 1 0)" = up
check "links_up counter is 1 on both blades" \
	test "$(counter 0 links_up)/$(counter 1 links_up)" = "1/1"
for b in 0 1; do
	p=$((1 - b))
	rx0=$(counter $p doorbells_rx)
	res=$(diag_run $b "ping $p 50")
	echo "$res" | diag
	rx1=$(counter $p doorbells_rx)
	check "doorbell ping-pong blade $b -> $p, 50 round trips" grep -q "^ok ping" <<<"$res"
	check "blade $p counted doorbells from blade $b ($rx0 -> $rx1)" test "$rx1" -gt "$rx0"
done

# ---- DMA proof: 1 B..1 MiB at random offsets, every byte checked --------------
for b in 0 1; do
	p=$((1 - b))
	for mode in dma pio; do
		res=$(diag_run $b "verify $mode write $p 300 $((RANDOM + 1))")
		echo "$res" | diag
		crc_sent=$(sed -n 's/.*checksum=\(0x[0-9a-f]*\).*/\1/p' <<<"$res")
		crc_seen=$(bexec $p -- cat $DBG/diag_crc)
		check "$mode write blade $b -> $p: 300 buffers, every byte checked" \
			grep -q "^ok verify.*errors=0" <<<"$res"
		check "$mode write blade $b -> $p: blade $p's own CRC of the area matches ($crc_seen)" \
			test -n "$crc_sent" -a "$crc_sent" = "$crc_seen"
		res=$(diag_run $b "verify $mode read $p 150 $((RANDOM + 1))")
		echo "$res" | diag
		check "$mode read blade $p -> $b: 150 buffers, every byte checked" \
			grep -q "^ok verify.*errors=0" <<<"$res"
	done
done
for mode in dma pio; do
	res=$(diag_run 0 "bw $mode 1 128 1048576")
	echo "$res" | diag
	check "$mode streaming throughput 0 -> 1 (128 x 1 MiB), data checked" grep -q "^ok bw" <<<"$res"
done
check "DMA completion interrupts arrived" \
	bash -c '[ "$(awk "/pcieverbs-dma/ {print \$2}" <<<"$1")" -gt 0 ]' _ \
	"$(bexec 0 -- cat /proc/interrupts)"

# ---- the engine rejects malformed descriptors, touching nothing ----------------
res=$(diag_run 0 "badcases 1")
echo "$res" | diag
check "malformed DMA descriptors rejected with error status, memory untouched" \
	grep -q "^ok badcases.*passed=8 of 8 untouched=yes engine_after=working" <<<"$res"
check "DMA error counter counts them" test "$(counter 0 dma_desc_errors)" -ge 8

# ---- kernel consumers: ib_* verbs on an RC QP pair, payload checked -----------
res=$(diag_run 1 "kloop 140")
echo "$res" | diag
check "kernel ULP path: 140 RC SENDs 1 B..8 KiB via ib_post_send, data checked, flush on ERR" \
	grep -q "^ok kloop iters=140 .*err=0" <<<"$res"

# ---- module reload: the peer sees the link go and come back ---------------------
downs=$(counter 0 link_down_events)
bexec 1 -- rmmod pcieverbs
check "blade 0: link to 1 down while blade 1's driver is unloaded" \
	wait_for 10 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" != up ]"
bexec 1 -- insmod "$PROJ/pcieverbs.ko"
check "blade 0: link to 1 up again after reload" wait_for 15 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" = up ]"
check "blade 0: link_down_events counted the reload" test "$(counter 0 link_down_events)" -gt "$downs"

# ---- bad input at load time ------------------------------------------------------
# The control region is BAR2 of the doorbell function; with our driver unloaded
# sysfs lets a test map it (the driver holds it exclusively otherwise).
CTL=$PROJ/tests/tools/ctrlpoke.py
bexec 0 -- rmmod pcieverbs
bexec 0 -- python3 "$CTL" set-magic 0x1122334455667788 >/dev/null
bexec 0 -- insmod "$PROJ/pcieverbs.ko"
msg=$(bexec 0 -- dmesg | tail -5)
echo "$msg" | diag
check "no control region: probe refused with a clear message" \
	grep -q "no chassis control region: magic 1122334455667788" <<<"$msg"
check "no control region: no ib device registered" \
	bexec 0 -- sh -c '! test -e /sys/class/infiniband/pciev0'
bexec 0 -- rmmod pcieverbs
bexec 0 -- python3 "$CTL" set-magic default >/dev/null

# Blade 1 now "speaks protocol 99.0" in its scratchpads: blade 0 must refuse it.
bexec 0 -- python3 "$CTL" set-spad 1 1 0x00630000 >/dev/null
bexec 0 -- insmod "$PROJ/pcieverbs.ko"
check "peer speaking protocol 99.0: link refused (failed/version-mismatch)" \
	wait_for 10 bash -c "$CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1' | grep -q 'failed.*version-mismatch'"
msg=$(bexec 0 -- dmesg | grep "refused" | tail -1)
echo "$msg" | diag
wire=$(sed -n 's/^#define PCV_WIRE_VERSION_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' \
	"$PROJ/libpcieverbs/include/pcv/wire.h").$(sed -n \
	's/^#define PCV_WIRE_VERSION_MINOR[[:space:]]*\([0-9]*\).*/\1/p' \
	"$PROJ/libpcieverbs/include/pcv/wire.h")
check "peer version mismatch: clear message" \
	grep -q "link to blade 1 refused: it speaks protocol 99.0, we speak $wire" <<<"$msg"
check "peer version mismatch: counted as a link failure" test "$(counter 0 link_failures)" -ge 1
# Blade 1 reloads (new epoch, scratchpads rewritten): the link comes back.
bexec 1 -- sh -c "rmmod pcieverbs && insmod $PROJ/pcieverbs.ko"
check "after the peer reloads with our version the link comes back" \
	wait_for 15 bash -c "[ \"\$($CHASSIS exec 0 -- cat $DBG/peers | awk '\$1==1{print \$2}')\" = up ]"

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
