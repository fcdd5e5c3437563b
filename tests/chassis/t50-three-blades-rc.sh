#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Three blades, RC traffic between every pair at once: pcv_conform multi on
# each blade sends, writes, reads and FETCH_ADDs to both others concurrently
# (every byte checked), then CMP_SWAP-increments their counters; each
# counter takes atomics from two blades at once and must be exact, the
# fetched values unique.  Then two conformance pairs run at the same time
# (1 -> 2 and 2 -> 0: blade 2 is client and server at once) on the data and
# atomics cases.  PCV_TEST_DEV=rxe: the same against Soft-RoCE.
. "$(dirname "$0")/../lib.sh"

CONF=$PROJ/build/conformance/pcv_conform
make -s -C "$PROJ/tests/conformance" 2>&1 | diag
check "pcv_conform builds" test -x "$CONF"

chassis_up 3
rc_dev_setup

t0=$SECONDS
seed=$((RANDOM * 32768 + RANDOM))
for b in 0 1 2; do
	bg_start multi$b $b 600 -- "$CONF" multi -r $b -H blade0,blade1,blade2 -d "$RC_DEV" \
		-g "$RC_GIDX" -n 40 -k 20 -s $seed
done
for b in 0 1 2; do
	rc=$(bg_wait multi$b)
	relay_tap "blade $b" "$RC_TMP/multi$b.out"
	check "blade $b: pcv_conform multi exit 0 (got $rc)" test "$rc" = 0
done
echo "# all-pairs run: $((SECONDS - t0)) s"

# two conformance pairs at once
t0=$SECONDS
cases='send_4096,send_65536,write_65536,write_1m,read_65536,read_1m,cmp_swap,fetch_add,atomic_*,write_order,srq_shared'
bg_start srv2 2 600 -- "$CONF" server -d "$RC_DEV" -g "$RC_GIDX" -W 60
bg_start srv0 0 600 -- "$CONF" server -d "$RC_DEV" -g "$RC_GIDX" -W 60
bg_start cli1 1 600 -- "$CONF" client blade2 -d "$RC_DEV" -g "$RC_GIDX" -W 60 -c "$cases"
bg_start cli2 2 600 -- "$CONF" client blade0 -d "$RC_DEV" -g "$RC_GIDX" -W 60 -c "$cases"
for pair in "cli1 srv2 1->2" "cli2 srv0 2->0"; do
	set -- $pair
	crc=$(bg_wait $1)
	src=$(bg_wait $2)
	relay_tap "pair $3" "$RC_TMP/$1.out"
	check "pair $3: client exit 0 (got $crc), server exit 0 (got $src)" test "$crc/$src" = 0/0
done
echo "# concurrent pairs: $((SECONDS - t0)) s"

for b in 0 1 2; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
