#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Three blades: every pair linked, doorbells and DMA between every ordered
# pair, distinct identities; and a second chassis running beside it.
. "$(dirname "$0")/../lib.sh"

chassis_up 3

lids=""
guids=""
for b in 0 1 2; do
	lids+="$(bexec $b -- cat /sys/class/infiniband/pciev0/ports/1/lid) "
	guids+="$(bexec $b -- cat /sys/class/infiniband/pciev0/node_guid) "
	for p in 0 1 2; do
		[ $p = $b ] && continue
		check "blade $b: link to blade $p up" test "$(peer_state $b $p)" = up
	done
	check "blade $b: links_up = 2" test "$(counter $b links_up)" = 2
done
echo "# LIDs: $lids GUIDs: $guids"
check "three distinct LIDs 0x1 0x2 0x3" test "$lids" = "0x1 0x2 0x3 "
check "three distinct node GUIDs" test "$(tr ' ' '\n' <<<"$guids" | grep -c . )" = 3 -a \
	"$(tr ' ' '\n' <<<"$guids" | sort -u | grep -c .)" = 3

for b in 0 1 2; do
	for p in 0 1 2; do
		[ $p = $b ] && continue
		res=$(diag_run $b "ping $p 10")
		check "doorbell ping-pong $b -> $p" grep -q "^ok ping" <<<"$res"
		res=$(diag_run $b "verify dma write $p 40 $((RANDOM + 1))")
		crc=$(bexec $p -- cat $DBG/diag_crc)
		check "DMA $b -> $p, every byte checked, CRC matches blade $p's" \
			bash -c 'grep -q "^ok verify.*errors=0.*checksum=$2" <<<"$1"' _ "$res" "$crc"
	done
done

# All three DMA rings busy at once, each blade into a different peer
# (0 -> 1, 1 -> 2, 2 -> 0), each target's CRC checked.
for b in 0 1 2; do
	diag_run $b "verify dma write $(((b + 1) % 3)) 80 $((b + 11))" > "/tmp/t30-conc-$b.out" 2>&1 &
done
wait
for b in 0 1 2; do
	p=$(((b + 1) % 3))
	crc=$(bexec $p -- cat $DBG/diag_crc)
	check "concurrent DMA $b -> $p (three rings at once), CRC matches blade $p's" \
		grep -q "^ok verify.*errors=0.*checksum=$crc" "/tmp/t30-conc-$b.out"
done
rm -f /tmp/t30-conc-*.out

# A second, independent chassis beside this one.
(
	export CHASSIS_DIR=$CHASSIS_DIR-second
	trap '"$CHASSIS" down >/dev/null 2>&1' EXIT
	"$CHASSIS" up -q -n 1 >/dev/null 2>&1 &&
		"$CHASSIS" exec 0 --timeout 30 -- ibv_devinfo -d pciev0 | grep -q PORT_ACTIVE
) 
check "a second chassis (other CHASSIS_DIR) boots and works beside the first" test $? = 0
check "the first chassis is undisturbed" test "$(peer_state 0 2)" = up

for b in 0 1 2; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
