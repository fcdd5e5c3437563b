#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Rules for the test scripts themselves, as TAP.
#
# perftest tools (ib_send_lat, ib_write_bw, ...) measure the CPU's clock by
# sampling it against gettimeofday and exit 1 ("Correlation coefficient
# r^2 < 0.9", "Can't produce a report") when the samples scatter, which
# they do on a TCG blade sharing 2 host cores: 1 run in ~100 of
# ib_send_bw -c UD failed that way in CI.  -F makes them go on; every test
# that runs one checks an exit status, so every run must carry -F.
cd "$(dirname "$0")/.." || exit 1
n=0 bad=0
tool='ib_(send|write|read|atomic)_(lat|bw)'
for f in tests/chassis/*.sh tests/long/*.sh; do
	# A command line that starts a tool: every run names its device.
	while IFS= read -r line; do
		lineno=${line%%:*}
		text=${line#*:}
		# The rest of a continued line counts too.
		more=$(sed -n "$((lineno + 1))p" "$f")
		case "$text" in *\\) text="${text%\\} $more" ;; esac
		# one -F per tool started on the line (a server and a client)
		if [ "$(grep -oE -- "$tool( -F)? -d " <<< "$text" | wc -l)" -gt \
		     "$(grep -oE -- " -F( |\"|$)" <<< "$text" | wc -l)" ]; then
			bad=$((bad + 1))
			echo "# $f:$lineno: a perftest run without -F: $text"
		fi
	done < <(grep -nE -- "$tool( -F)? -d " "$f" | grep -vE '^[0-9]+:\s*(#|perf |ok ")')
done
# The helpers that add -F themselves (rc_pair wrappers in t55, t74): their
# callers write "perf ib_..." with no -F, and the helper must have one.
for f in tests/chassis/t55-perftest.sh tests/chassis/t74-port-counters.sh; do
	n=$((n + 1))
	if grep -qE -- '"\$tool -d [^"]*-F ' "$f"; then
		echo "ok $n - $f: its perf helper passes -F"
	else
		echo "not ok $n - $f: its perf helper passes -F"
	fi
done
n=$((n + 1))
if [ "$bad" = 0 ]; then
	echo "ok $n - every perftest run in tests/ passes -F"
else
	echo "not ok $n - every perftest run in tests/ passes -F ($bad without)"
fi
echo "1..$n"
[ "$bad" = 0 ]
