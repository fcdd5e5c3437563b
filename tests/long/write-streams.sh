#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Issue 10, part 7, without MPI: ib_write_bw between every ordered pair of
# 4 blades at once (12 streams on a 2-core host).  Once this made peers
# declare a starved blade's link down on a heartbeat timeout and flush every
# QP to it (perftest "Failed status 5") although the blade was only slow.
# Passes when every stream exits 0 and no blade's kernel log shows a link
# declared dead or down, or a warning.  A long run (minutes), not CI.
#
#   tests/long/write-streams.sh [--blades N] [--iters N] [--size B]
set -u
PROJ=$(cd "$(dirname "$0")/../.." && pwd)
N=4 ITERS=3000 SIZE=65536
while [ $# -gt 0 ]; do
	case "$1" in
	--blades) N=$2; shift 2 ;;
	--iters) ITERS=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	*) echo "usage: $0 [--blades N] [--iters N] [--size B]" >&2; exit 2 ;;
	esac
done
export CHASSIS_DIR=${CHASSIS_DIR:-/tmp/pcieverbs-chassis/write-streams}
CH=$PROJ/chassis/chassis
TMP=$(mktemp -d)
trap '"$CH" down >/dev/null 2>&1; rm -rf "$TMP"' EXIT
"$CH" down > /dev/null 2>&1
"$CH" up -q -n "$N" || exit 1

# Servers first (one port per ordered pair), then every client at once.
port=19000
pairs=()
for ((s = 0; s < N; s++)); do
	for ((c = 0; c < N; c++)); do
		[ "$s" = "$c" ] && continue
		"$CH" exec "$s" --timeout 900 -- ib_write_bw -F -d pciev0 -i 1 -s "$SIZE" \
			-n "$ITERS" -p "$port" > "$TMP/srv-$c-$s.log" 2>&1 &
		pairs+=("$c $s $port")
		port=$((port + 1))
	done
done
sleep 10
t0=$SECONDS
pids=()
for p in "${pairs[@]}"; do
	set -- $p
	"$CH" exec "$1" --timeout 900 -- ib_write_bw -F -d pciev0 -i 1 -s "$SIZE" -n "$ITERS" \
		-p "$3" "10.200.0.$(($2 + 1))" > "$TMP/cli-$1-$2.log" 2>&1 &
	pids+=($!)
done
bad=0
i=0
for pid in "${pids[@]}"; do
	set -- ${pairs[$i]}
	if wait "$pid"; then
		bw=$(awk '$1 ~ /^[0-9]+$/ && NF >= 5 {v=$4} END {print v}' "$TMP/cli-$1-$2.log")
		echo "ok: blade $1 -> blade $2: $bw MiB/s"
	else
		echo "FAILED: blade $1 -> blade $2: $(grep -m2 -iE 'fail|error' "$TMP/cli-$1-$2.log" | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
	i=$((i + 1))
done
wait
echo "${#pairs[@]} streams done in $((SECONDS - t0)) s"
for ((b = 0; b < N; b++)); do
	if "$CH" exec "$b" --timeout 60 -- dmesg | grep -E 'WARNING:|BUG:|declared dead|link to blade [0-9]+ down|silent'; then
		echo "(blade $b's kernel log above)"
		"$CH" exec "$b" --timeout 60 -- dmesg | grep -qE 'WARNING:|BUG:|declared dead|link to blade [0-9]+ down' &&
			bad=$((bad + 1))
	fi
done
echo "$bad failure(s)"
[ "$bad" = 0 ]
