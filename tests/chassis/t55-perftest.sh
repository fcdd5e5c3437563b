#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# perftest and qperf RC runs between two blades, as correctness runs: each
# must exit 0 on both sides and print its results (the numbers belong to the
# benchmark harness in perftest/).  ib_{send,write,read,atomic}_{lat,bw} with
# the default size and with -a (all sizes; atomics have one size only), the
# bw tests also with -b (bidirectional) and -q 4; qperf rc_lat, rc_bw,
# rc_rdma_write_lat, rc_rdma_read_bw.  Iteration counts are small (-n) to keep
# the run short.  PCV_TEST_DEV=rxe: the same against Soft-RoCE.
. "$(dirname "$0")/../lib.sh"

chassis_up 2
rc_dev_setup

port=18515
# perf TOOL ARGS...: server on blade 1, client on blade 0; results printed.
perf() {
	local tool=$1
	shift
	port=$((port + 1))
	rc_pair "$tool $*" "$port" 600 \
		"$tool -d $RC_DEV $PT_GID -F -p $port $*" \
		"$tool -d $RC_DEV $PT_GID -F -p $port $* blade1" || return 1
	# a results row: "#bytes #iterations ..." followed by numbers
	check "$tool $*: results printed" \
		grep -qE '^ *[0-9]+ +[0-9]+ +[0-9]+\.[0-9]+' "$RC_TMP/cli.out"
}

for op in send write read atomic; do
	perf ib_${op}_lat -n 200
	if [ $op = atomic ]; then
		ok "ib_atomic_lat -a # SKIP perftest: atomics have a single 8-byte size"
	else
		perf ib_${op}_lat -a -n 5
	fi
	perf ib_${op}_bw -n 200
	if [ $op = atomic ]; then
		ok "ib_atomic_bw -a # SKIP perftest: atomics have a single 8-byte size"
	else
		perf ib_${op}_bw -a -n 5
	fi
	perf ib_${op}_bw -b -n 200
	perf ib_${op}_bw -q 4 -n 200
done

# qperf: the server runs until killed (by its pid)
qtests="rc_lat rc_bw rc_rdma_write_lat rc_rdma_read_bw"
bg_start qperf 1 600 -- sh -c 'echo $$ > /tmp/qperf.pid; exec qperf'
if wait_listen qperf 1 19765 30; then
	bexec 0 300 -- qperf blade1 $QP_ID -t 2 $qtests > "$RC_TMP/qperf.out" 2>&1
	qrc=$?
	sed 's/^/qperf: /' "$RC_TMP/qperf.out" | grep -v "set but not used" | diag
	check "qperf $qtests: exit 0 (got $qrc)" test "$qrc" = 0
	for t in $qtests; do
		check "qperf $t: a result printed" bash -c \
			'grep -A3 -E "^$1:" "$2" | grep -qE "(latency|bw) += +[0-9.]+"' _ "$t" "$RC_TMP/qperf.out"
	done
	check "qperf: no test failed" bash -c '! grep -qiE "failed|error" "$1"' _ "$RC_TMP/qperf.out"
else
	not_ok "qperf server listening on blade 1"
fi
bexec 1 10 -- sh -c 'kill $(cat /tmp/qperf.pid)' >/dev/null 2>&1
bg_wait qperf 30 >/dev/null

for b in 0 1; do
	check "blade $b: no oops, BUG or WARNING in dmesg" dmesg_clean $b
done
finish
