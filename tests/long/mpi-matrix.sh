#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The MPI suite (mpi_tests/run-all) on 2, 4 and 8 blades over UCX rc_verbs
# (+ ud_verbs for wire-up) and over ud_verbs alone: issue 10's pass table.
# A long run with a report, not CI (CI runs 3 blades in t80).  Per blade
# count it boots a chassis, runs the suite once per transport, and checks
# every blade's kernel log: no warning, no link declared dead or down, no QP
# flushed by a heartbeat timeout (a slow blade is not a dead one).
#
#   tests/long/mpi-matrix.sh [--blades 2,4,8] [--quick] [--label L]
#
# Writes tests/long/results/<date>-<label>/ (summary.md, logs/) and exits 1
# if anything failed.
set -u
PROJ=$(cd "$(dirname "$0")/../.." && pwd)
BLADES=2,4,8 QUICK= LABEL=mpi-matrix
while [ $# -gt 0 ]; do
	case "$1" in
	--blades) BLADES=$2; shift 2 ;;
	--quick) QUICK=--quick; shift ;;
	--label) LABEL=$2; shift 2 ;;
	*) echo "usage: $0 [--blades 2,4,8] [--quick] [--label L]" >&2; exit 2 ;;
	esac
done
OUT=$PROJ/tests/long/results/$(date +%Y-%m-%d-%H%M)-$LABEL
mkdir -p "$OUT/logs"
export CHASSIS_DIR=${CHASSIS_DIR:-/tmp/pcieverbs-chassis/mpi-matrix}
CH=$PROJ/chassis/chassis
trap '"$CH" down >/dev/null 2>&1' EXIT
[ -x "$PROJ/build/mpi_tests/hello" ] || make -s -C "$PROJ/mpi_tests" || exit 1

failed=0
rows=()
for n in ${BLADES//,/ }; do
	"$CH" down > /dev/null 2>&1
	if ! "$CH" up -q -n "$n" > "$OUT/logs/$n-up.log" 2>&1; then
		rows+=("| $n | chassis did not boot | | |")
		failed=$((failed + 1))
		continue
	fi
	hosts=$(seq -s, -f 'blade%g' 0 $((n - 1)))
	# Per program, by blade count: starting 8 daemons and ranks alone took
	# 74 s (TCG blades loading Open MPI on 2 host cores), so run-all's
	# default (120 s quick, 300 s) cut off an 8-blade p2p that passed.
	if [ -n "$QUICK" ]; then tmo=$((n * 60)); else tmo=$((n * 150)); fi
	cells=()
	for tls in rc_verbs,ud_verbs,sm ud_verbs,sm; do
		t0=$SECONDS
		log=$OUT/logs/$n-${tls%%,*}.log
		"$CH" exec 0 --timeout 5400 -- "$PROJ/mpi_tests/run-all" $QUICK --timeout "$tmo" -- -np "$n" \
			--host "$hosts" -x UCX_TLS="$tls" > "$log" 2>&1
		rc=$?
		okc=$(grep -c '^ok ' "$log")
		bad=$(grep '^not ok ' "$log" | sed 's/^not ok [0-9]* - //' | tr '\n' ' ')
		cells+=("$okc passed${bad:+, FAILED: $bad} ($((SECONDS - t0)) s)")
		[ "$rc" = 0 ] || failed=$((failed + 1))
		echo "$n blades, $tls: exit $rc, $okc passed ${bad:+(failed: $bad)}"
	done
	# Every blade's kernel log: a slow blade must not look like a dead one.
	klog=ok
	for ((b = 0; b < n; b++)); do
		"$CH" exec "$b" --timeout 60 -- dmesg > "$OUT/logs/$n-dmesg$b.log" 2>&1
		if grep -qE 'WARNING:|BUG:|Oops|declared dead|link to blade [0-9]+ down|heartbeat timeout' \
			"$OUT/logs/$n-dmesg$b.log"; then
			klog="blade $b: $(grep -m1 -E 'WARNING:|BUG:|Oops|declared dead|link to blade [0-9]+ down|heartbeat timeout' "$OUT/logs/$n-dmesg$b.log" | cut -c1-120)"
			failed=$((failed + 1))
			break
		fi
	done
	rows+=("| $n | ${cells[0]} | ${cells[1]} | $klog |")
	echo "$n blades: kernel logs $klog"
done
{
	echo "# MPI suite by blade count ($(date '+%Y-%m-%d %H:%M'))"
	echo
	echo "Code $(git -C "$PROJ" log -1 --format='%h %s' | cut -c1-72); $(nproc) host CPUs;" \
		"mpi_tests/run-all ${QUICK:-(full)}, one rank per blade."
	echo
	echo "| blades | UCX rc_verbs,ud_verbs,sm | UCX ud_verbs,sm | kernel logs |"
	echo "|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} > "$OUT/summary.md"
cat "$OUT/summary.md"
echo "report: $OUT/summary.md"
[ "$failed" = 0 ]
