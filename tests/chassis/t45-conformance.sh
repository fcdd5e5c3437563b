#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The RC verbs conformance suite (tests/conformance, pcv_conform): every case
# between two blades (server on blade 1, client on blade 0, side channel on
# the management link), then every case in loopback (two QPs of one process
# on one device); on pciev0 also a subset addressed by GID 0 with a GRH.
# Each case is one TAP line here.
# PCV_TEST_DEV=rxe: the same against Soft-RoCE; PCV_CONFORM_FILTER: a case
# filter (pcv_conform -c).
. "$(dirname "$0")/../lib.sh"

CONF=$PROJ/build/conformance/pcv_conform
if make -s -C "$PROJ/tests/conformance" 2>&1 | diag && [ -x "$CONF" ]; then
	ok "pcv_conform builds"
else
	not_ok "pcv_conform builds"
	finish
	exit 1
fi

chassis_up 2
rc_dev_setup
filter=()
[ -n "${PCV_CONFORM_FILTER:-}" ] && filter=(-c "$PCV_CONFORM_FILTER")
seed=$((RANDOM * 32768 + RANDOM))

# two blades
t0=$SECONDS
bg_start srv 1 900 -- "$CONF" server -d "$RC_DEV" -g "$RC_GIDX" -W 60
bexec 0 900 -- "$CONF" client blade1 -d "$RC_DEV" -g "$RC_GIDX" -s "$seed" -W 60 \
	"${filter[@]}" > "$RC_TMP/client.out" 2>&1
crc=$?
src=$(bg_wait srv)
relay_tap "2 blades" "$RC_TMP/client.out"
if [ "$src" != 0 ]; then
	sed 's/^/server: /' "$RC_TMP/srv.out" | tail -n 20 | diag
fi
check "2 blades: pcv_conform client exit 0 (got $crc) and server exit 0 (got $src), $((SECONDS - t0)) s" \
	test "$crc/$src" = 0/0

# InfiniBand: the same QPs addressed by GID 0 with a GRH (a subset)
if [ "$RC_DEV" = pciev0 ]; then
	t0=$SECONDS
	gcases='send_1,send_4096,send_1m,write_imm_4096,read_65536,fetch_add,rnr_recover,rem_access_write_bad_rkey,query_qp,qp_bad_attr'
	bg_start gsrv 1 600 -- "$CONF" server -d "$RC_DEV" -g 0 -W 60
	bexec 0 600 -- "$CONF" client blade1 -d "$RC_DEV" -g 0 -s "$seed" -W 60 -c "$gcases" \
		> "$RC_TMP/gclient.out" 2>&1
	crc=$?
	src=$(bg_wait gsrv)
	relay_tap "2 blades by GID 0" "$RC_TMP/gclient.out"
	check "2 blades by GID 0: client exit 0 (got $crc), server exit 0 (got $src), $((SECONDS - t0)) s" \
		test "$crc/$src" = 0/0
fi

# loopback: both QPs in one process on blade 0
t0=$SECONDS
bexec 0 900 -- "$CONF" loopback -d "$RC_DEV" -g "$RC_GIDX" -s "$seed" "${filter[@]}" \
	> "$RC_TMP/loop.out" 2>&1
lrc=$?
relay_tap "loopback" "$RC_TMP/loop.out"
check "loopback: pcv_conform exit 0 (got $lrc), $((SECONDS - t0)) s" test "$lrc" = 0

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
