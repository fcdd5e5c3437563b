#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# RC/UC/SRQ pingpong between two blades with the stock rdma-core examples:
# ibv_rc_pingpong (default, -e, sizes 1 B..1 MiB, -c validation, by GID),
# ibv_uc_pingpong, ibv_srq_pingpong with 16 QPs.  Server on blade 1, client
# on blade 0 pointing at blade1 (the TCP side channel uses the management
# link; the verbs traffic does not).  PCV_TEST_DEV=rxe: the same on Soft-RoCE.
. "$(dirname "$0")/../lib.sh"

chassis_up 2
rc_dev_setup

port=18515
# pingpong NAME ARGS...: one server/client pair, both statuses checked.
pingpong() {
	local tool=$1 desc=$2 n=$3
	shift 3
	port=$((port + 1))
	rc_pair "$desc" "$port" 300 \
		"$tool -d $RC_DEV -p $port -n $n $*" \
		"$tool -d $RC_DEV -p $port -n $n $* blade1" || return 1
	# both sides report the iterations they completed
	check "$desc: $n iterations reported by the client" \
		grep -q "^$n iters in" "$RC_TMP/cli.out"
	check "$desc: $n iterations reported by the server" \
		grep -q "^$n iters in" "$RC_TMP/srv.out"
}

pingpong ibv_rc_pingpong "ibv_rc_pingpong, defaults (4096 B)" 500 $PP_GID
pingpong ibv_rc_pingpong "ibv_rc_pingpong -e (CQ events)" 300 $PP_GID -e
pingpong ibv_rc_pingpong "ibv_rc_pingpong -s 1" 500 $PP_GID -s 1
pingpong ibv_rc_pingpong "ibv_rc_pingpong -s 4096" 500 $PP_GID -s 4096
pingpong ibv_rc_pingpong "ibv_rc_pingpong -s 65536" 100 $PP_GID -s 65536
pingpong ibv_rc_pingpong "ibv_rc_pingpong -s 1048576" 10 $PP_GID -s 1048576
pingpong ibv_rc_pingpong "ibv_rc_pingpong -c (received data validated)" 300 $PP_GID -c
pingpong ibv_rc_pingpong "ibv_rc_pingpong -c -s 65536 -e" 50 $PP_GID -c -s 65536 -e
if [ "$RC_DEV" = pciev0 ]; then
	pingpong ibv_rc_pingpong "ibv_rc_pingpong -g 0 (by GID, with GRH)" 300 -g 0
	pingpong ibv_rc_pingpong "ibv_rc_pingpong -g 0 -c -s 65536" 50 -g 0 -c -s 65536
fi
pingpong ibv_uc_pingpong "ibv_uc_pingpong" 300 $PP_GID
pingpong ibv_uc_pingpong "ibv_uc_pingpong -s 1 -c" 300 $PP_GID -s 1 -c
pingpong ibv_srq_pingpong "ibv_srq_pingpong -q 16" 100 $PP_GID -q 16
pingpong ibv_srq_pingpong "ibv_srq_pingpong -q 16 -s 65536 -c" 20 $PP_GID -q 16 -s 65536 -c

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
