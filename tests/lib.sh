# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Helpers for chassis tests (sourced).  Each test script prints TAP:
# "ok N - what" / "not ok N - what", diagnostics as "# ...", and a plan.
#
# Rules every chassis test follows:
#  - every wait has a timeout (`bexec` passes one to every exec; `wait_for`
#    polls with a deadline);
#  - the chassis is torn down on exit, however the script ends (trap);
#  - a failure prints the blades' console and dmesg tails.
set -u
PROJ=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHASSIS="$PROJ/chassis/chassis"
# Tests never touch the user's default chassis.
export CHASSIS_DIR=${TEST_CHASSIS_DIR:-/tmp/pcieverbs-test/$(basename "$0" .sh)}
TAP_N=0
TAP_FAILED=0
NBLADES=0
DBG=/sys/kernel/debug/pcieverbs/pciev0

ch() { "$CHASSIS" "$@"; }

# bexec B [timeout] -- CMD...: run in blade B, output on stdout.
bexec() {
	local b=$1 t=60
	shift
	if [ "$1" != "--" ]; then t=$1; shift; fi
	[ "$1" = "--" ] && shift
	"$CHASSIS" exec "$b" --timeout "$t" -- "$@"
}

diag() { sed 's/^/# /'; }

dump_blades() {
	local b
	for ((b = 0; b < NBLADES; b++)); do
		"$CHASSIS" logs "$b" -n 25 2>&1 | diag
	done
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
	dump_blades
}

# check "description" CMD...: ok if CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# wait_for SECONDS CMD...: poll CMD until it succeeds or time runs out.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ((SECONDS < deadline)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@" >/dev/null 2>&1
}

finish() {
	"$CHASSIS" down >/dev/null 2>&1
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# chassis_up N [args]: boot, or fail the whole script (bail out).
chassis_up() {
	NBLADES=$1
	shift
	trap '"$CHASSIS" down >/dev/null 2>&1' EXIT
	"$CHASSIS" down >/dev/null 2>&1
	if "$CHASSIS" up -q -n "$NBLADES" "$@" 2>&1 | diag; then
		ok "chassis up with $NBLADES blades"
	else
		not_ok "chassis up with $NBLADES blades"
		echo "Bail out! chassis did not boot"
		finish
		exit 1
	fi
}

# A blade's debugfs test file: run a diagnostic command and print its result.
diag_run() {
	local b=$1
	shift
	bexec "$b" 300 -- sh -c "echo '$*' > $DBG/test; rc=\$?; cat $DBG/test; exit \$rc"
}

# Kernel trouble in a blade's log: oops, BUG, warnings, lockdep, KASAN.
# Fails if dmesg cannot be read at all.
dmesg_clean() {
	local log
	log=$(bexec "$1" 30 -- dmesg) || return 1
	[ -n "$log" ] || return 1
	! grep -E "Oops|BUG:|WARNING:|Call Trace|general protection|KASAN|UBSAN" <<<"$log" >&2
}

peer_state() { # peer_state B P -> state of B's link to P
	bexec "$1" 30 -- cat $DBG/peers | awk -v p="$2" 'NR > 1 && $1 == p { print $2 }'
}

peer_reason() {
	bexec "$1" 30 -- cat $DBG/peers | awk -v p="$2" 'NR > 1 && $1 == p { print $3 }'
}

counter() { # counter B NAME
	bexec "$1" 30 -- cat "/sys/class/infiniband/pciev0/ports/1/hw_counters/$2"
}

# Is a host process alive?  A zombie is dead (orphans may not be reaped here).
proc_alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		[ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}
export -f proc_alive
